/*
 * pages_addr.c -- everything about one address or domain: its listings
 * (with edit/remove), the policies' view (score, expiry, allow, block),
 * the score over the last 30 days, the evidence, the delisting requests
 * and the audit trail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/people/delist.h"
#include "zone/error.h"
#include "act.h"
#include "charts.h"
#include "csrf.h"
#include "evsummary.h"
#include "html.h"
#include "lookup.h"
#include "pages.h"

#define HISTORY_DAYS	30
#define HISTORY_POINTS	61

struct addr_ctx {
	adm_buf *b;
	const adm_req *r;
	const char *subject;
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
		     "required class=\"short\"> "
		     "<button type=\"submit\" class=\"danger\">Remove</button>"
		     "</form>", list, key);
}

static int listing_row(void *arg, const adm_hit *h)
{
	struct addr_ctx *c = arg;
	char since[32], until[32], code[16];

	if (c->n++ == 0)
		adm_puts(c->b, "<table><tr><th>List</th><th>Zones</th>"
			       "<th>Entry</th><th>Code</th><th>TXT</th>"
			       "<th>Since</th><th>Expires</th><th>Source</th>"
			       "<th></th></tr>");
	adm_htmlf(c->b, "<tr><td>%s</td><td>%s</td><td class=\"mono\">%s</td>"
		  "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>"
		  "<a href=\"/admin/listing?list=%U&amp;key=%U\">Edit</a> ",
		  h->list->name, h->zones, h->key,
		  rbl_code_format(h->codes[0], code), h->txt,
		  adm_time(h->entry.added, "-", since),
		  adm_time(h->entry.expires, "never", until), h->entry.source,
		  h->list->name, h->key);
	remove_form(c->b, c->r, h->list->name, h->key);
	adm_puts(c->b, "</td></tr>");
	return 0;
}

static void listings(adm_buf *b, const adm_req *r, rbl_txn *t,
		     const char *subject)
{
	struct addr_ctx c = { b, r, subject, 0 };

	adm_puts(b, "<h2>Listings</h2>");
	if (adm_lookup(t, subject, r->now, listing_row, &c) < 0)
		adm_notice(b, "err", "lookup failed");
	else if (c.n)
		adm_puts(b, "</table>");
	else
		adm_puts(b, "<p>Not listed.</p>");
	adm_htmlf(b, "<p><a href=\"/admin/listing?key=%U\">Add a listing for "
		     "%s</a></p>", subject, subject);
}

static void policy_row(adm_buf *b, const rbl_policy_status *s)
{
	char exp[32], blk[32], lst[32], as[RBL_ADDR_STRLEN];

	adm_htmlf(b, "<tr><td>%s</td><td>%s</td>", s->policy->name,
		  s->policy->list);
	adm_printf(b, "<td class=\"num\">%.2f / %.2f</td><td class=\"num\">%u"
		      "</td>", s->score, s->policy->threshold, s->reputation);
	adm_htmlf(b, "<td class=\"num\">%llu</td><td>%s</td><td>%s</td>"
		  "<td>%s%s</td></tr>", (unsigned long long)s->n_evidence,
		  adm_time(s->last_seen, "-", lst),
		  s->listed ? rbl_prefix_format(&s->listed_as, as) : "no",
		  s->allowed ? "allowed " : "",
		  s->blocked ? adm_time(s->block.when, "", blk) : "");
	if (s->listed)
		adm_htmlf(b, "<tr><td></td><td colspan=\"7\" class=\"muted\">"
			  "listing expires %s</td></tr>",
			  adm_time(s->expires, "never", exp));
	if (s->blocked)
		adm_htmlf(b, "<tr><td></td><td colspan=\"7\" class=\"muted\">"
			  "delisted by %s: %s</td></tr>", s->block.who,
			  s->block.why);
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
	rbl_policy_status *st = NULL;

	if (!set || set->n == 0)
		return;
	if (!(st = calloc(set->n, sizeof *st)))
		return;
	adm_puts(b, "<h2>Policies</h2>");
	if (rbl_policy_explain(t, set, subj, r->now, st, set->n) == RBL_OK) {
		adm_puts(b, "<table><tr><th>Policy</th><th>List</th>"
			    "<th class=\"num\">Score / threshold</th>"
			    "<th class=\"num\">Reputation</th>"
			    "<th class=\"num\">Evidence</th><th>Last seen</th>"
			    "<th>Listed as</th><th>Allowed / blocked</th></tr>");
		for (size_t i = 0; i < set->n; i++)
			policy_row(b, &st[i]);
		adm_puts(b, "</table>");
		for (size_t i = 0; i < set->n; i++)
			score_chart(b, t, &set->policies[i], subj, r->now);
	}
	free(st);
}

struct req_ctx {
	adm_buf *b;
	const char *subject;
	unsigned n;
};

static int request_row(void *arg, const rbl_delist_req *q)
{
	struct req_ctx *c = arg;
	char when[32];

	if (strcmp(q->subject, c->subject) != 0)
		return 0;
	if (c->n++ == 0)
		adm_puts(c->b, "<h2>Delisting requests</h2><ul>");
	adm_htmlf(c->b, "<li><a href=\"/admin/request?id=%llu\">%llu</a> %s, "
		  "%s: %s</li>", (unsigned long long)q->id,
		  (unsigned long long)q->id, adm_time(q->created, "", when),
		  rbl_delist_state_name(q->state), q->reason);
	return 0;
}

static int audit_row(void *arg, const rbl_audit_rec *a)
{
	struct req_ctx *c = arg;
	char when[32];

	if (c->n++ == 0)
		adm_puts(c->b, "<h2>Audit trail</h2><table><tr><th>When</th>"
			       "<th>Who</th><th>Action</th><th>Before</th>"
			       "<th>After</th><th>Reason</th></tr>");
	adm_htmlf(c->b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
		  "<td>%s</td><td>%s</td></tr>", adm_time(a->time, "", when),
		  a->user, a->action, a->before, a->after, a->reason);
	return c->n >= 100;
}

static void history(adm_buf *b, rbl_txn *t, const char *subject)
{
	struct req_ctx c = { b, subject, 0 };
	rbl_audit_filter f = { .newest_first = true, .target = subject };

	rbl_delist_foreach(t, 0, true, request_row, &c);
	if (c.n)
		adm_puts(b, "</ul>");
	c.n = 0;
	rbl_audit_foreach(t, &f, audit_row, &c);
	if (c.n)
		adm_puts(b, "</table>");
}

void page_address(adm_req *r, adm_resp *o)
{
	const char *a = adm_arg(r, "a");
	char subject[RBL_NAME_MAX + 1];
	bool is_addr = false;
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;

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
	adm_page_begin(&o->body, r, subject);
	listings(&o->body, r, t, subject);
	if (is_addr && rbl_prefix_parse(subject, false, &p) == RBL_OK) {
		policies(&o->body, r, t, &p);
		adm_puts(&o->body, "<h2>Evidence</h2>");
		adm_evidence_table(&o->body, t, &p, 500);
	}
	history(&o->body, t, subject);
	rbl_txn_abort(t);
	adm_page_end(&o->body);
}
