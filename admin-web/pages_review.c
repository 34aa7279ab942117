/*
 * pages_review.c -- the delisting requests: the queue (pending ones oldest
 * first: they have waited longest), one request with the decision and
 * the score summary first and its evidence below, and the confirm/reject
 * buttons.
 *
 * These two POST handlers are the ONLY path in rbld that confirms a
 * delisting: the router has checked the login session and its CSRF token
 * before they run, and the confirming person's name, address and reason
 * go into the same transaction as the removal (zone/people/delist.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/delist.h"
#include "zone/error.h"
#include "act.h"
#include "csrf.h"
#include "evsummary.h"
#include "html.h"
#include "lookup.h"
#include "pager.h"
#include "pages.h"

#define QUEUE_ROWS	50
#define EVIDENCE_ROWS	50

/* ------------------------------------------------------------ the queue */

struct queue_ctx {
	adm_buf *b;
	adm_pager *pg;
	bool all;
	int64_t now;
};

static int request_row(void *arg, const rbl_delist_req *q)
{
	struct queue_ctx *c = arg;
	char when[32], idtxt[24];
	enum adm_row what = adm_pager_row(c->pg);

	if (what != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	snprintf(idtxt, sizeof idtxt, "%llu", (unsigned long long)q->id);
	adm_puts(c->b, "<tr class=\"link\">");
	adm_td(c->b, "#", "num nw", "%W", idtxt);
	if (c->all)
		adm_td_time(c->b, "Received", q->created, "-");
	else
		adm_td(c->b, "Waiting", "nw", "%W",
		       adm_span(c->now - q->created, when));
	adm_td(c->b, "Subject", "mono", "<a class=\"row\" href=\"/admin/"
	       "request?id=%s\" title=\"Review request %s\">%W</a>", idtxt,
	       idtxt, q->subject);
	if (c->all)
		adm_td(c->b, "State", "nw", "%W",
		       rbl_delist_state_name(q->state));
	adm_td(c->b, "Contact", "wide", "%W", q->contact);
	adm_htmlf(c->b, "<td data-l=\"Reason\">");
	adm_cut(c->b, q->reason, 140);
	adm_puts(c->b, "</td>");
	adm_td(c->b, "Asked by", "num nw", "%u", (unsigned)q->n_more + 1);
	adm_puts(c->b, "</tr>");
	return 0;
}

void page_requests(adm_req *r, adm_resp *o)
{
	static const char *const pending_cols[] = { "#", "Waiting", "Subject",
		"Contact", "Reason", "#Asked by", NULL };
	static const char *const all_cols[] = { "#", "Received", "Subject",
		"State", "Contact", "Reason", "#Asked by", NULL };
	const char *which = adm_arg(r, "state");
	bool all = which && strcmp(which, "all") == 0;
	adm_pager pg = { 0 };
	adm_buf rows = { 0 };
	struct queue_ctx c = { &rows, &pg, all, r->now };
	uint64_t total = 0;
	char n[32], title[80];
	rbl_txn *t = NULL;
	int rc = adm_txn(r, false, &t);

	adm_pager_init(&pg, r, "from", QUEUE_ROWS);
	adm_buf_init(&rows);
	if (rc == RBL_OK)
		rc = rbl_delist_total(t, &total);
	if (rc == RBL_OK && all)
		adm_pager_known(&pg, total);
	if (rc == RBL_OK)	/* pending: oldest first; all: newest first */
		rc = rbl_delist_foreach(t, all ? 0 : RBL_DELIST_PENDING, all,
					request_row, &c);
	adm_pager_done(&pg);
	snprintf(title, sizeof title, "%s delisting requests (%s)",
		 all ? "All" : "Pending", adm_pager_total_text(&pg, n));
	adm_page_begin(&o->body, r, title);
	if (all)
		adm_puts(&o->body, "<p><a href=\"/admin/requests\">Show pending "
			 "only</a></p>");
	else
		adm_printf(&o->body, "<p>Oldest first: they have waited longest."
			   "  Click a request to review it.  <a href=\"/admin/"
			   "requests?state=all\">Show all %llu requests, decided "
			   "ones too</a></p>", (unsigned long long)total);
	if (rc < 0) {
		adm_notice(&o->body, "err", rbl_strerror(rc));
		adm_buf_free(&rows);
	} else
		adm_pager_table(&o->body, r, &pg, "request", "requests", "queue",
				all ? all_cols : pending_cols, &rows,
				"Nothing waiting.");
	if (t)
		rbl_txn_abort(t);
	adm_page_end(&o->body);
}

/* ------------------------------------------------------ one request */

struct list_ctx {
	adm_buf *b;
	const adm_app *app;
	unsigned n, published;
	char zones[ADM_ZONES_TEXT];	/* where the subject is answered */
};

static int current_row(void *arg, const adm_hit *h)
{
	static const char *const cols[] = { "List", "Zones", "Entry", "Code",
		"TXT", "Since", "Expires", "Source", NULL };
	struct list_ctx *c = arg;
	char code[16];
	const char *allow = adm_allow_of(c->app, h->list->id);

	if (c->n++ == 0)
		adm_table_begin(c->b, "listed", cols);
	if (h->zones[0]) {
		size_t len = strlen(c->zones);

		snprintf(c->zones + len, sizeof c->zones - len, "%s%s",
			 len ? ", " : "", h->zones);
		c->published++;
	}
	adm_puts(c->b, "<tr>");
	adm_td(c->b, "List", NULL, "%W", h->list->name);
	if (allow)
		adm_td(c->b, "Zones", "muted", "allow list of policy %W, not "
		       "published", allow);
	else
		adm_td(c->b, "Zones", h->zones[0] ? NULL : "muted", "%W",
		       h->zones[0] ? h->zones : "not published");
	adm_td(c->b, "Entry", "mono", "%W", h->key);
	adm_td(c->b, "Code", "mono", "%W", rbl_code_format(h->codes[0], code));
	adm_td(c->b, "TXT", NULL, "%W", h->txt);
	adm_td_time(c->b, "Since", h->entry.added, "-");
	adm_td_time(c->b, "Expires", h->entry.expires, "never");
	adm_td(c->b, "Source", NULL, "%W", h->entry.source);
	adm_puts(c->b, "</tr>");
	return 0;
}

static int more_row(void *arg, const rbl_delist_more *m)
{
	adm_buf *b = arg;
	char when[32];

	adm_htmlf(b, "<li><b>%W</b> on %s from %W: ", m->contact,
		  adm_time(m->created, "-", when), m->client);
	adm_longtext(b, m->reason, 300);
	adm_puts(b, "</li>");
	return 0;
}

static void request_facts(adm_buf *b, const adm_req *r, rbl_txn *t,
			  const rbl_delist_req *q)
{
	char when[32], decided[32], waited[32];

	adm_htmlf(b, "<table class=\"kv\"><tr><th>Subject</th><td class=\"mono\">"
		  "<a href=\"/admin/addr?a=%U\">%W</a></td></tr>"
		  "<tr><th>State</th><td id=\"state\">%s</td></tr>"
		  "<tr><th>Received</th><td>%s from %W (%s ago)</td></tr>"
		  "<tr><th>Contact</th><td>%W</td></tr>"
		  "<tr><th>Their reason</th><td id=\"their-reason\">",
		  q->subject, q->subject, rbl_delist_state_name(q->state),
		  adm_time(q->created, "-", when), q->client,
		  adm_span(r->now - q->created, waited), q->contact);
	adm_longtext(b, q->reason, 600);
	adm_puts(b, "</td></tr>");
	if (q->n_more) {
		adm_htmlf(b, "<tr><th>Also asked</th><td id=\"also-asked\"><ul>");
		rbl_delist_more_foreach(t, q->id, more_row, b);
		adm_puts(b, "</ul></td></tr>");
	}
	if (q->state != RBL_DELIST_PENDING)
		adm_htmlf(b, "<tr><th>Decided</th><td>%s by %W: %W</td></tr>"
			  "<tr><th>Changes</th><td>%W</td></tr>",
			  adm_time(q->decided, "-", decided), q->decided_by,
			  q->decision, q->removed[0] ? q->removed : "none");
	adm_puts(b, "</table>");
}

static void listed_now(adm_buf *b, const adm_req *r, rbl_txn *t,
		       const char *subject, struct list_ctx *c)
{
	adm_puts(b, "<h2>Listed now</h2>");
	if (adm_lookup(t, subject, r->now, current_row, c) < 0)
		adm_notice(b, "err", "lookup failed");
	else if (c->n)
		adm_table_end(b);
	else
		adm_puts(b, "<p>Not listed in any list.</p>");
}

static void decide_form(adm_buf *b, const adm_req *r,
			const rbl_delist_req *q, const struct list_ctx *c,
			const char *err, const char *reason)
{
	char idtxt[24];

	snprintf(idtxt, sizeof idtxt, "%llu", (unsigned long long)q->id);
	adm_puts(b, "<div class=\"panel\" id=\"decision\"><h2>Decision</h2>"
		    "<form method=\"post\" action=\"/admin/request/confirm\">");
	adm_csrf_field(b, r);
	adm_htmlf(b, "<input type=\"hidden\" name=\"id\" value=\"%s\">", idtxt);
	adm_field(b, "textarea", "reason", "Your reason",
		  "Recorded in the audit log with your name.", reason, err,
		  "required");
	adm_puts(b, "<div class=\"buttons\">");
	if (c->n)
		adm_htmlf(b, "<button type=\"submit\" class=\"danger\" "
			  "id=\"confirm\">Delist %s now<small>removes it from "
			  "%s; rbld stops answering for it at once</small>"
			  "</button>", q->subject,
			  c->published ? c->zones : "its lists");
	else
		adm_puts(b, "<button type=\"submit\" class=\"danger\" "
			    "id=\"confirm\">Close as delisted<small>it is no "
			    "longer listed; nothing to remove</small></button>");
	adm_puts(b, "<button type=\"submit\" class=\"quiet\" id=\"reject\" "
		    "formaction=\"/admin/request/reject\">Keep it listed<small>"
		    "rejects the request; nothing changes</small></button>"
		    "</div></form></div>\n");
}

static void score_summary(adm_buf *b, const adm_req *r, rbl_txn *t,
			  const rbl_prefix *p)
{
	adm_evcount ec = { 0 };

	adm_puts(b, "<h2>Score</h2>");
	adm_policy_table(b, r, t, p);
	if (adm_evidence_count(t, p, &ec) == RBL_OK)
		adm_evidence_public(b, &ec);
}

static void request_page(adm_req *r, adm_resp *o, rbl_txn *t,
			 const rbl_delist_req *q, const char *err,
			 const char *reason)
{
	adm_buf *b = &o->body;
	struct list_ctx c = { .b = b, .app = r->app };
	char title[48];
	rbl_prefix p = { 0 };
	bool is_ip = rbl_prefix_parse(q->subject, false, &p) == RBL_OK;
	adm_pager pg = { 0 };

	snprintf(title, sizeof title, "Delisting request %llu",
		 (unsigned long long)q->id);
	adm_page_begin(b, r, title);
	if (err)
		adm_notice(b, "err", "Nothing was decided yet: see the marked "
			   "field below.");
	request_facts(b, r, t, q);
	listed_now(b, r, t, q->subject, &c);
	if (is_ip)
		score_summary(b, r, t, &p);
	if (q->state == RBL_DELIST_PENDING)
		decide_form(b, r, q, &c, err, reason);
	if (is_ip) {
		adm_puts(b, "<h2 id=\"ev\">Evidence</h2>");
		adm_pager_init(&pg, r, "ev", EVIDENCE_ROWS);
		adm_evidence_table(b, r, t, &p, &pg);
	}
	adm_page_end(b);
}

static bool parse_id(const char *s, uint64_t *id)
{
	char *end = NULL;

	if (!s || !*s)
		return false;
	*id = strtoull(s, &end, 10);
	return *end == '\0' && *id > 0;
}

/* Show request ID (with ERR and the REASON typed, after a refused
 * decision). */
static void show_request(adm_req *r, adm_resp *o, const char *id_text,
			 const char *err, const char *reason)
{
	rbl_delist_req *q = calloc(1, sizeof *q);
	uint64_t id = 0;
	rbl_txn *t = NULL;
	int rc = !q ? RBL_ENOMEM : !parse_id(id_text, &id) ?
		 RBL_ENOTFOUND : adm_txn(r, false, &t);

	if (rc == RBL_OK)
		rc = rbl_delist_get(t, id, q);
	if (rc != RBL_OK)
		adm_error(r, o, rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
			  : MHD_HTTP_INTERNAL_SERVER_ERROR, "No such request.");
	else
		request_page(r, o, t, q, err, reason);
	if (t)
		rbl_txn_abort(t);
	free(q);
}

void page_request(adm_req *r, adm_resp *o)
{
	show_request(r, o, adm_arg(r, "id"), NULL, NULL);
}

/* What the person did, for the next page, into TEXT. */
#define DECIDED_MAX	(RBL_NAME_MAX + RBL_DELIST_REMOVED_MAX + 160)

static void decided_text(rbl_txn *t, uint64_t id, bool confirm,
			 char text[DECIDED_MAX])
{
	rbl_delist_req *q = calloc(1, sizeof *q);

	if (!q || rbl_delist_get(t, id, q) != RBL_OK) {
		snprintf(text, DECIDED_MAX, "Request %llu %s.",
			 (unsigned long long)id, confirm ? "confirmed"
							 : "rejected");
		free(q);
		return;
	}
	if (confirm)
		snprintf(text, DECIDED_MAX, "Request %llu confirmed: %s "
			 "is delisted (%s).  rbld stops answering for it at "
			 "once.", (unsigned long long)id, q->subject,
			 q->removed[0] ? q->removed : "it was no longer listed");
	else
		snprintf(text, DECIDED_MAX, "Request %llu rejected: %s "
			 "stays listed.", (unsigned long long)id, q->subject);
	free(q);
}

/* Run the decision in one write transaction and answer. */
static void decide(adm_req *r, adm_resp *o, bool confirm)
{
	const char *reason = adm_form_get(&r->form, "reason");
	const char *id_text = adm_form_get(&r->form, "id");
	uint64_t id = 0;
	rbl_txn *t = NULL;
	int rc = parse_id(id_text, &id) ? adm_txn(r, true, &t) : RBL_ENOTFOUND;
	char next[96], text[DECIDED_MAX];

	if (rc == RBL_OK)
		rc = confirm ? rbl_delist_confirm(t, id, r->sess.user,
						  r->client, reason, NULL)
			     : rbl_delist_reject(t, id, r->sess.user,
						 r->client, reason);
	if (rc == RBL_OK)
		decided_text(t, id, confirm, text);
	if (t)
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	if (rc == RBL_OK) {
		adm_session_flash(r->app->sessions, r->sess.token, false, text);
		snprintf(next, sizeof next, "/admin/request?id=%llu",
			 (unsigned long long)id);
		adm_redirect(o, next);
	} else if (rc == RBL_EINVAL) {
		o->status = MHD_HTTP_BAD_REQUEST;
		show_request(r, o, id_text, "Write why: the reason goes to the "
			     "audit log.", reason);
	} else if (rc == RBL_ESTALE)
		adm_error(r, o, MHD_HTTP_CONFLICT,
			  "This request has already been decided.");
	else if (rc == RBL_ENOTFOUND)
		adm_error(r, o, MHD_HTTP_NOT_FOUND, "No such request.");
	else
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, rbl_strerror(rc));
}

void page_request_confirm(adm_req *r, adm_resp *o)
{
	decide(r, o, true);
}

void page_request_reject(adm_req *r, adm_resp *o)
{
	decide(r, o, false);
}
