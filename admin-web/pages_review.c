/*
 * pages_review.c -- the delisting requests: the queue, one request with
 * its evidence, and the confirm/reject buttons.
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
#include "pages.h"

struct list_ctx {
	adm_buf *b;
	unsigned n;
};

static int request_row(void *arg, const rbl_delist_req *q)
{
	struct list_ctx *c = arg;
	char when[32];

	if (c->n++ == 0)
		adm_puts(c->b, "<table><tr><th>#</th><th>Received</th>"
			       "<th>Subject</th><th>Contact</th><th>State</th>"
			       "<th>Reason</th></tr>");
	adm_htmlf(c->b, "<tr><td><a href=\"/admin/request?id=%llu\">%llu</a></td>"
		  "<td>%s</td><td class=\"mono\"><a href=\"/admin/addr?a=%U\">%s"
		  "</a></td><td>%s</td><td>%s</td><td>%s</td></tr>",
		  (unsigned long long)q->id, (unsigned long long)q->id,
		  adm_time(q->created, "-", when), q->subject, q->subject,
		  q->contact, rbl_delist_state_name(q->state), q->reason);
	return c->n >= 500;	/* a page, not the whole history */
}

void page_requests(adm_req *r, adm_resp *o)
{
	const char *which = adm_arg(r, "state");
	bool all = which && strcmp(which, "all") == 0;
	struct list_ctx c = { &o->body, 0 };
	rbl_txn *t = NULL;
	int rc = adm_txn(r, false, &t);

	adm_page_begin(&o->body, r, all ? "All delisting requests"
					: "Pending delisting requests");
	adm_puts(&o->body, all ? "<p><a href=\"/admin/requests\">Show pending "
				 "only</a></p>"
			       : "<p><a href=\"/admin/requests?state=all\">Show "
				 "decided requests too</a></p>");
	if (rc == RBL_OK)
		rc = rbl_delist_foreach(t, all ? 0 : RBL_DELIST_PENDING, !all,
					request_row, &c);
	if (rc < 0)
		adm_notice(&o->body, "err", rbl_strerror(rc));
	else if (c.n)
		adm_puts(&o->body, "</table>");
	else
		adm_puts(&o->body, "<p class=\"muted\">Nothing waiting.</p>");
	if (t)
		rbl_txn_abort(t);
	adm_page_end(&o->body);
}

static int current_row(void *arg, const adm_hit *h)
{
	struct list_ctx *c = arg;
	char since[32], until[32], code[16];

	if (c->n++ == 0)
		adm_puts(c->b, "<table><tr><th>List</th><th>Entry</th>"
			       "<th>Code</th><th>TXT</th><th>Since</th>"
			       "<th>Expires</th><th>Source</th></tr>");
	adm_htmlf(c->b, "<tr><td>%s</td><td class=\"mono\">%s</td><td>%s</td>"
		  "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
		  h->list->name, h->key, rbl_code_format(h->codes[0], code),
		  h->txt, adm_time(h->entry.added, "-", since),
		  adm_time(h->entry.expires, "never", until), h->entry.source);
	return 0;
}

/* The subject's listings now, and its evidence. */
static void subject_state(adm_buf *b, rbl_txn *t, const char *subject,
			  int64_t now)
{
	struct list_ctx c = { b, 0 };
	rbl_prefix p = { 0 };

	adm_puts(b, "<h2>Listed now</h2>");
	if (adm_lookup(t, subject, now, current_row, &c) < 0)
		adm_notice(b, "err", "lookup failed");
	else if (c.n)
		adm_puts(b, "</table>");
	else
		adm_puts(b, "<p>Not listed in any list.</p>");
	if (rbl_prefix_parse(subject, false, &p) == RBL_OK) {
		adm_puts(b, "<h2>Evidence</h2>");
		adm_evidence_table(b, t, &p, 200);
	}
}

static void decide_forms(adm_buf *b, const adm_req *r, uint64_t id)
{
	char idtxt[24];

	snprintf(idtxt, sizeof idtxt, "%llu", (unsigned long long)id);
	adm_puts(b, "<h2>Decision</h2><form method=\"post\" "
		    "action=\"/admin/request/confirm\">");
	adm_csrf_field(b, r);
	adm_htmlf(b, "<input type=\"hidden\" name=\"id\" value=\"%s\">"
		     "<label for=\"reason\">Reason (recorded in the audit log)"
		     "</label><textarea id=\"reason\" name=\"reason\" required>"
		     "</textarea><div><button type=\"submit\" id=\"confirm\">"
		     "Confirm: delist now</button> "
		     "<button type=\"submit\" class=\"danger\" id=\"reject\" "
		     "formaction=\"/admin/request/reject\">Reject: keep listed"
		     "</button></div></form>", idtxt);
}

static void request_detail(adm_buf *b, const adm_req *r, rbl_txn *t,
			   const rbl_delist_req *q)
{
	char when[32], decided[32];

	adm_htmlf(b, "<table><tr><th>Subject</th><td class=\"mono\">"
		  "<a href=\"/admin/addr?a=%U\">%s</a></td></tr>"
		  "<tr><th>State</th><td id=\"state\">%s</td></tr>"
		  "<tr><th>Received</th><td>%s from %s</td></tr>"
		  "<tr><th>Contact</th><td>%s</td></tr>"
		  "<tr><th>Their reason</th><td>%s</td></tr>",
		  q->subject, q->subject, rbl_delist_state_name(q->state),
		  adm_time(q->created, "-", when), q->client, q->contact,
		  q->reason);
	if (q->state != RBL_DELIST_PENDING)
		adm_htmlf(b, "<tr><th>Decided</th><td>%s by %s: %s</td></tr>"
			  "<tr><th>Changes</th><td>%s</td></tr>",
			  adm_time(q->decided, "-", decided), q->decided_by,
			  q->decision, q->removed[0] ? q->removed : "none");
	adm_puts(b, "</table>");
	subject_state(b, t, q->subject, r->now);
	if (q->state == RBL_DELIST_PENDING)
		decide_forms(b, r, q->id);
}

static bool parse_id(const char *s, uint64_t *id)
{
	char *end = NULL;

	if (!s || !*s)
		return false;
	*id = strtoull(s, &end, 10);
	return *end == '\0' && *id > 0;
}

void page_request(adm_req *r, adm_resp *o)
{
	rbl_delist_req *q = calloc(1, sizeof *q);
	const char *done = adm_arg(r, "done");
	uint64_t id = 0;
	rbl_txn *t = NULL;
	int rc = !q ? RBL_ENOMEM : !parse_id(adm_arg(r, "id"), &id) ?
		 RBL_ENOTFOUND : adm_txn(r, false, &t);

	if (rc == RBL_OK)
		rc = rbl_delist_get(t, id, q);
	if (rc != RBL_OK) {
		adm_error(r, o, rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
			  : MHD_HTTP_INTERNAL_SERVER_ERROR, "No such request.");
	} else {
		char title[48];

		snprintf(title, sizeof title, "Delisting request %llu",
			 (unsigned long long)id);
		adm_page_begin(&o->body, r, title);
		if (done && strcmp(done, "confirmed") == 0)
			adm_notice(&o->body, "ok", "Confirmed: the listing is "
				   "removed and rbld no longer answers for it.");
		else if (done && strcmp(done, "rejected") == 0)
			adm_notice(&o->body, "ok", "Rejected: the listing stays.");
		request_detail(&o->body, r, t, q);
		adm_page_end(&o->body);
	}
	if (t)
		rbl_txn_abort(t);
	free(q);
}

/* Run the decision in one write transaction and answer. */
static void decide(adm_req *r, adm_resp *o, bool confirm)
{
	const char *reason = adm_form_get(&r->form, "reason");
	uint64_t id = 0;
	rbl_txn *t = NULL;
	int rc = parse_id(adm_form_get(&r->form, "id"), &id) ?
		 adm_txn(r, true, &t) : RBL_ENOTFOUND;
	char next[96];

	if (rc == RBL_OK)
		rc = confirm ? rbl_delist_confirm(t, id, r->sess.user,
						  r->client, reason, NULL)
			     : rbl_delist_reject(t, id, r->sess.user,
						 r->client, reason);
	if (t)
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	if (rc == RBL_OK) {
		snprintf(next, sizeof next, "/admin/request?id=%llu&done=%s",
			 (unsigned long long)id, confirm ? "confirmed" : "rejected");
		adm_redirect(o, next);
	} else if (rc == RBL_EINVAL)
		adm_error(r, o, MHD_HTTP_BAD_REQUEST,
			  "A reason is required for the audit log.");
	else if (rc == RBL_ESTALE)
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
