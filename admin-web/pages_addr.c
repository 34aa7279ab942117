/*
 * pages_addr.c -- everything about one address or domain: a warning
 * when the allow list and a listing disagree, its listings (with
 * edit/remove), the policies' view (score, expiry, allow, block), the
 * score over the last 30 days, and the evidence, the delisting requests
 * and the audit trail, each paged.  For a domain or a hashed address,
 * the domain policies' view and the trap messages that named it
 * (pages_names.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/people/delist.h"
#include "zone/error.h"
#include "zone/kstats.h"
#include "act.h"
#include "charts.h"
#include "csrf.h"
#include "evsummary.h"
#include "html.h"
#include "lookup.h"
#include "pager.h"
#include "pages.h"

#define HISTORY_DAYS	30
#define HISTORY_POINTS	61

#define MAX_HITS	32
#define ROWS		50

struct addr_ctx {
	adm_kept_hit *hits;
	unsigned n;
};

static void remove_form(adm_buf *b, const adm_req *r, const char *list,
			const char *key)
{
	adm_puts(b, "<form class=\"inline\" method=\"post\" "
		    "action=\"/admin/listing/remove\">");
	adm_csrf_field(b, r);
	adm_htmlf(b, "<input type=\"hidden\" name=\"list\" value=\"%s\">"
		     "<input type=\"hidden\" name=\"key\" value=\"%s\">"
		     "<input type=\"text\" name=\"reason\" placeholder=\"reason\" "
		     "aria-label=\"Reason for removing\" required "
		     "class=\"short\"> <button type=\"submit\" class=\"danger\">"
		     "Remove</button></form>", list, key);
}

/* How often rbld answered SUBJECT listed in H's list (zone/kstats.h). */
static void asked_cell(adm_buf *b, const adm_req *r, const char *subject,
		       const adm_hit *h)
{
	char path[sizeof r->app->cfg.stats_file + 16];
	uint64_t day = 0, week = 0;

	rbl_kstats_path(r->app->cfg.stats_file, path, sizeof path);
	if (rbl_kstats_hits_read(path, h->list->id, subject, r->now, &day,
				 &week) == RBL_OK)
		adm_td(b, "Asked today / 7 days", "num", "%llu / %llu",
		       (unsigned long long)day, (unsigned long long)week);
	else
		adm_td(b, "Asked today / 7 days", "muted", "n/a");
}

static void listing_row(adm_buf *b, const adm_req *r, const adm_hit *h,
			const char *subject)
{
	char code[16];
	const char *allow = adm_allow_of(r->app, h->list->id);

	adm_puts(b, "<tr>");
	adm_td(b, "List", NULL, "%W", h->list->name);
	if (allow)
		adm_td(b, "Zones", "muted", "allow list of policy %W, not "
		       "published", allow);
	else
		adm_td(b, "Zones", h->zones[0] ? NULL : "muted", "%W",
		       h->zones[0] ? h->zones : "not published");
	adm_td(b, "Entry", "mono", "%W", h->key);
	adm_td(b, "Code", "mono", "%W", rbl_code_format(h->codes[0], code));
	adm_td(b, "TXT", NULL, "%W", h->txt);
	adm_td_time(b, "Since", h->entry.added, "-");
	adm_td_time(b, "Expires", h->entry.expires, "never");
	adm_td(b, "Source", NULL, "%W", h->entry.source);
	asked_cell(b, r, subject, h);
	adm_htmlf(b, "<td data-l=\"\"><a href=\"/admin/listing?list=%U&amp;"
		  "key=%U\">Edit</a> ", h->list->name, h->key);
	remove_form(b, r, h->list->name, h->key);
	adm_puts(b, "</td></tr>");
}

static void listings(adm_buf *b, const adm_req *r, const char *subject,
		     const struct addr_ctx *c)
{
	static const char *const cols[] = { "List", "Zones", "Entry", "Code",
		"TXT", "Since", "Expires", "Source", "#Asked today / 7 days", "",
		NULL };

	adm_puts(b, "<h2>Listings</h2>");
	if (c->n) {
		adm_table_begin(b, "listings", cols);
		for (unsigned i = 0; i < c->n; i++)
			listing_row(b, r, &c->hits[i].hit, subject);
		adm_table_end(b);
	} else
		adm_puts(b, "<p>Not listed.</p>");
	adm_htmlf(b, "<p><a href=\"/admin/listing?key=%U\">Add a listing for "
		     "%s</a></p>", subject, subject);
}

/* Allow list and a published listing at the same time: rbld answers
 * although a person allowed the address.  Say so, first thing. */
static void disagreement(adm_buf *b, const adm_req *r, rbl_txn *t,
			 const rbl_prefix *p, const struct addr_ctx *c)
{
	const rbl_policy_set *set = r->app->policies;
	rbl_policy_status *st;
	const char *allowed_by = NULL;

	if (!set || !set->n || !(st = calloc(set->n, sizeof *st)))
		return;
	if (rbl_policy_explain(t, set, p, r->now, st, set->n) == RBL_OK)
		for (size_t i = 0; i < set->n && !allowed_by; i++)
			if (st[i].allowed)
				allowed_by = set->policies[i].allow_list;
	free(st);
	for (unsigned i = 0; allowed_by && i < c->n; i++) {
		const adm_hit *h = &c->hits[i].hit;
		char code[16];

		if (!h->zones[0] || adm_allow_of(r->app, h->list->id))
			continue;
		adm_htmlf(b, "<div class=\"notice warn\" id=\"disagree\">"
			  "<b>Allowed, but still listed.</b>  This address is "
			  "on the allow list <b>%s</b>, yet list <b>%s</b> "
			  "lists it as %s (source %s), so rbld answers %s for "
			  "it in %s.  The allow list only keeps the evidence "
			  "policies from listing it; remove the listing below "
			  "if it should not be listed.</div>", allowed_by,
			  h->list->name, h->key, h->entry.source,
			  rbl_code_format(h->codes[0], code), h->zones);
	}
}

static void score_chart(adm_buf *b, rbl_txn *t, const rbl_policy *p,
			const rbl_prefix *subj, int64_t now)
{
	double v[HISTORY_POINTS];
	char title[128];
	adm_series s = { "score", v, "#1f6feb" };

	if (rbl_policy_history(t, p, subj, now - HISTORY_DAYS * 86400, now,
			       HISTORY_POINTS, v) != RBL_OK)
		return;
	snprintf(title, sizeof title, "Score under policy %s, last %d days "
		 "(dashed: threshold)", p->name, HISTORY_DAYS);
	adm_svg_line(b, title, &s, HISTORY_POINTS, p->threshold,
		     "30 days ago", "now");
}

static void policies(adm_buf *b, const adm_req *r, rbl_txn *t,
		     const rbl_prefix *subj)
{
	const rbl_policy_set *set = r->app->policies;

	if (!set || set->n == 0)
		return;
	adm_puts(b, "<h2>Policies</h2>");
	adm_policy_table(b, r, t, subj);
	for (size_t i = 0; i < set->n; i++)
		score_chart(b, t, &set->policies[i], subj, r->now);
}

struct hist_ctx {
	adm_buf *b;
	adm_pager *pg;
	const char *subject;
};

static int request_row(void *arg, const rbl_delist_req *q)
{
	struct hist_ctx *c = arg;
	char idtxt[24];
	enum adm_row what;

	if (strcmp(q->subject, c->subject) != 0)
		return 0;
	if ((what = adm_pager_row(c->pg)) != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	snprintf(idtxt, sizeof idtxt, "%llu", (unsigned long long)q->id);
	adm_puts(c->b, "<tr>");
	adm_td(c->b, "#", "num nw", "<a href=\"/admin/request?id=%s\">%W</a>",
	       idtxt, idtxt);
	adm_td_time(c->b, "Received", q->created, "");
	adm_td(c->b, "State", "nw", "%W", rbl_delist_state_name(q->state));
	adm_td(c->b, "Contact", "wide", "%W", q->contact);
	adm_puts(c->b, "<td data-l=\"Reason\">");
	adm_longtext(c->b, q->reason, 200);
	adm_puts(c->b, "</td></tr>");
	return 0;
}

static int audit_row(void *arg, const rbl_audit_rec *a)
{
	struct hist_ctx *c = arg;
	enum adm_row what = adm_pager_row(c->pg);

	if (what != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	adm_puts(c->b, "<tr>");
	adm_td_time(c->b, "When", a->time, "");
	adm_td(c->b, "Who", NULL, "%W", a->user);
	adm_td(c->b, "Action", NULL, "%W", a->action);
	adm_td(c->b, "Before", NULL, "%W", a->before);
	adm_td(c->b, "After", NULL, "%W", a->after);
	adm_puts(c->b, "<td data-l=\"Reason\">");
	adm_longtext(c->b, a->reason, 200);
	adm_puts(c->b, "</td></tr>");
	return 0;
}

static void history(adm_buf *b, const adm_req *r, rbl_txn *t,
		    const char *subject)
{
	static const char *const req_cols[] = { "#", "Received", "State",
		"Contact", "Reason", NULL };
	static const char *const audit_cols[] = { "When", "Who", "Action",
		"Before", "After", "Reason", NULL };
	rbl_audit_filter f = { .newest_first = true, .target = subject };
	adm_pager pg = { 0 };
	adm_buf rows = { 0 };
	struct hist_ctx c = { &rows, &pg, subject };

	adm_puts(b, "<h2 id=\"rq\">Delisting requests</h2>");
	adm_pager_init(&pg, r, "rq", ROWS);
	adm_buf_init(&rows);
	rbl_delist_foreach(t, 0, true, request_row, &c);
	adm_pager_done(&pg);
	adm_pager_table(b, r, &pg, "request", "requests", NULL, req_cols, &rows,
			"No delisting requests.");
	adm_puts(b, "<h2 id=\"au\">Audit trail</h2>");
	adm_pager_init(&pg, r, "au", ROWS);
	adm_buf_init(&rows);
	rbl_audit_foreach(t, &f, audit_row, &c);
	adm_pager_done(&pg);
	adm_pager_table(b, r, &pg, "record", "records", NULL, audit_cols, &rows,
			"Nothing recorded about it.");
}

void page_address(adm_req *r, adm_resp *o)
{
	const char *a = adm_arg(r, "a");
	char subject[RBL_NAME_MAX + 1];
	bool is_addr = false;
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;
	struct addr_ctx c = { NULL, 0 };
	adm_pager pg = { 0 };

	if (!a || rbl_delist_subject(a, subject, &is_addr, NULL) != RBL_OK) {
		if (a && rbl_prefix_parse(a, false, &p) == RBL_OK) {
			adm_buf loc = { 0 };

			adm_buf_init(&loc);
			adm_htmlf(&loc, "/admin/search?q=%U", a);
			adm_redirect(o, loc.p ? loc.p : "/admin/search");
			adm_buf_free(&loc);
			return;
		}
		adm_error(r, o, MHD_HTTP_BAD_REQUEST, "Not an address or domain.");
		return;
	}
	if (adm_txn(r, false, &t) != RBL_OK) {
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, "store unavailable");
		return;
	}
	if (!(c.hits = calloc(MAX_HITS, sizeof *c.hits))) {
		rbl_txn_abort(t);
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		return;
	}
	adm_lookup_all(t, subject, r->now, c.hits, MAX_HITS, &c.n);
	adm_page_begin(&o->body, r, subject);
	is_addr = is_addr && rbl_prefix_parse(subject, false, &p) == RBL_OK;
	if (is_addr)
		disagreement(&o->body, r, t, &p, &c);
	listings(&o->body, r, subject, &c);
	if (is_addr) {
		policies(&o->body, r, t, &p);
		adm_puts(&o->body, "<h2 id=\"ev\">Evidence</h2>");
		adm_pager_init(&pg, r, "ev", ROWS);
		adm_evidence_table(&o->body, r, t, &p, &pg);
	} else {
		adm_name_evidence(&o->body, r, t, subject);
	}
	history(&o->body, r, t, subject);
	free(c.hits);
	rbl_txn_abort(t);
	adm_page_end(&o->body);
}
