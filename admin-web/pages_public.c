/*
 * pages_public.c -- what anyone may see when admin.public is on: is an
 * address or domain listed, where, why and what that means for mail (in
 * plain words); a form to ask a person to delist it; and the requester's
 * page to follow that request.
 *
 * The evidence is summarised as counts and dates only: no trap address,
 * reporter identity or message content is ever shown here.  Only lists a
 * zone publishes count as "listed" (an allow list is not a listing).  A
 * request for something that is not listed is answered as such and not
 * stored.  The status page needs the request's random ticket, which only
 * the requester was given: request numbers alone open nothing.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "zone/people/delist.h"
#include "zone/error.h"
#include "act.h"
#include "csrf.h"
#include "evsummary.h"
#include "html.h"
#include "lookup.h"
#include "pages.h"

#define MAX_HITS 16

static void lookup_form(adm_buf *b, const char *q)
{
	adm_htmlf(b, "<form method=\"get\" action=\"/\">"
		     "<label for=\"q\">IP address or domain name</label>"
		     "<input type=\"text\" id=\"q\" name=\"q\" value=\"%s\" "
		     "placeholder=\"192.0.2.1\" required>"
		     "<div><button type=\"submit\">Look up</button></div>"
		     "</form>\n", q ? q : "");
}

struct public_ctx {
	adm_kept_hit *hits;
	unsigned n;
};

/* Keep the hits in lists a zone publishes (an allow list is none). */
static void published_only(struct public_ctx *c)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < c->n; i++)
		if (c->hits[i].hit.zones[0]) {
			c->hits[kept] = c->hits[i];
			c->hits[kept].hit.list = &c->hits[kept].list;
			kept++;
		}
	c->n = kept;
}

static bool is_policy(const adm_hit *h)
{
	return strncmp(h->entry.source, "policy:", 7) == 0;
}

static bool is_rdns(const adm_hit *h)
{
	return strncmp(h->entry.source, "rdns:", 5) == 0;
}

/* "bl.test, zen.test" of every hit, once each. */
static void all_zones(adm_buf *b, const struct public_ctx *c)
{
	for (unsigned i = 0; i < c->n; i++)
		adm_htmlf(b, "%S<b>%s</b>", i == 0 ? "" : i + 1 == c->n ?
			  " and " : ", ", c->hits[i].hit.zones);
}

static void meaning(adm_buf *b, const struct public_ctx *c,
		    const char *subject, bool is_addr)
{
	adm_htmlf(b, "<div class=\"notice warn\" id=\"verdict\"><b>%s is "
		     "listed</b> in ", subject);
	all_zones(b, c);
	adm_puts(b, ".</div><p>Mail servers that check ");
	adm_puts(b, c->n == 1 && !strchr(c->hits[0].hit.zones, ',') ? "this list"
							       : "these lists");
	adm_puts(b, is_addr ? " will usually refuse mail sent from this "
			      "address, or file it as spam.  Mail from other "
			      "addresses is not affected.</p>"
			    : " will usually refuse mail that comes from or "
			      "links to this domain, or file it as spam.</p>");
}

static void why_one(adm_buf *b, rbl_txn *t, const adm_hit *h,
		    const char *subject, const adm_req *r, bool *evidence_done)
{
	char since[32];
	rbl_prefix p = { 0 };
	adm_evcount ec = { 0 };

	adm_htmlf(b, "<p><b>%s</b>: ", h->zones);
	if (is_policy(h)) {
		adm_puts(b, "listed automatically, on evidence we received:</p>");
		if (!*evidence_done &&
		    rbl_prefix_parse(subject, false, &p) == RBL_OK &&
		    adm_evidence_count(t, &p, &ec) == RBL_OK)
			adm_evidence_public(b, &ec);
		else if (!*evidence_done)
			adm_name_evidence_public(b, r, t, subject);
		*evidence_done = true;
	} else if (is_rdns(h)) {
		adm_htmlf(b, "the address is in %s, a range whose reverse DNS "
			     "names look like addresses given to end users "
			     "(dynamic or home connections).  Such addresses "
			     "should send mail through their provider's mail "
			     "server.</p>", h->key);
	} else {
		adm_htmlf(b, "listed by an operator of %s", r->app->cfg.site_name);
		if (h->entry.added)
			adm_htmlf(b, " on <span class=\"nw\">%s</span>",
				  adm_time(h->entry.added, "", since));
		if (strcmp(h->key, subject) != 0)
			adm_htmlf(b, ", as part of %s", h->key);
		adm_puts(b, h->txt[0] ? ".  Their note, which the list also "
					"gives out in DNS:</p>"
				      : ".</p>");
		if (h->txt[0])
			adm_htmlf(b, "<blockquote>%s</blockquote>", h->txt);
	}
}

static void details(adm_buf *b, const struct public_ctx *c)
{
	static const char *const cols[] = { "Zone", "Listed since", "Expires",
					    "DNS answer", NULL };

	adm_puts(b, "<h2>Details</h2>");
	adm_table_begin(b, "listings", cols);
	for (unsigned i = 0; i < c->n; i++) {
		const adm_hit *h = &c->hits[i].hit;
		char code[16];

		adm_puts(b, "<tr>");
		adm_td(b, "Zone", NULL, "%W", h->zones);
		adm_td_time(b, "Listed since", h->entry.added, "unknown");
		adm_td_time(b, "Expires", h->entry.expires, "no fixed end");
		adm_td(b, "DNS answer", "mono", "%W%S%W%S",
		       rbl_code_format(h->codes[0], code),
		       h->txt[0] ? " &ldquo;" : "", h->txt,
		       h->txt[0] ? "&rdquo;" : "");
		adm_puts(b, "</tr>");
	}
	adm_table_end(b);
}

static void lookup_result(adm_req *r, adm_resp *o, const char *subject,
			  bool is_addr)
{
	adm_kept_hit *hits = calloc(MAX_HITS, sizeof *hits);
	struct public_ctx c = { hits, 0 };
	bool evidence_done = false;
	rbl_txn *t = NULL;
	int rc = hits ? adm_txn(r, false, &t) : RBL_ENOMEM;

	if (rc == RBL_OK)
		rc = adm_lookup_all(t, subject, r->now, hits, MAX_HITS, &c.n);
	published_only(&c);
	if (rc != RBL_OK) {
		adm_notice(&o->body, "err", "The lookup failed; try again later.");
	} else if (c.n == 0) {
		adm_htmlf(&o->body, "<div class=\"notice ok\" id=\"verdict\">"
			  "<b>%s is not listed.</b>  Mail servers that check "
			  "our lists do not block it because of us.</div>",
			  subject);
	} else {
		meaning(&o->body, &c, subject, is_addr);
		adm_puts(&o->body, "<h2>Why</h2>");
		for (unsigned i = 0; i < c.n; i++)
			why_one(&o->body, t, &hits[i].hit, subject, r,
				&evidence_done);
		details(&o->body, &c);
		adm_htmlf(&o->body, "<h2>Is this wrong?</h2><p>If the problem "
			  "is fixed or this is a mistake, <a id=\"ask\" "
			  "href=\"/delist?addr=%U\">ask us to remove it</a>.  "
			  "A person reviews every request; nothing is removed "
			  "automatically.</p>", subject);
	}
	if (t)
		rbl_txn_abort(t);
	free(hits);
}

void page_lookup(adm_req *r, adm_resp *o)
{
	const char *q = adm_arg(r, "q");
	char subject[RBL_NAME_MAX + 1];
	bool is_addr = false;

	adm_page_begin(&o->body, r, "Is it listed?");
	lookup_form(&o->body, q);
	if (q && *q) {
		if (rbl_delist_subject(q, subject, &is_addr, NULL) != RBL_OK) {
			o->status = MHD_HTTP_BAD_REQUEST;
			adm_notice(&o->body, "err", "That is neither an IP "
				   "address nor a domain name.");
		} else
			lookup_result(r, o, subject, is_addr);
	}
	adm_page_end(&o->body);
}

/* ------------------------------------------------------------ the form */

struct delist_input {
	const char *addr, *contact, *reason;
	const char *addr_err, *contact_err, *reason_err;
};

static void delist_form(adm_req *r, adm_resp *o, const struct delist_input *in)
{
	adm_puts(&o->body, "<p>Tell us which address or domain should not be "
		 "listed and why.  A person will review your request; "
		 "nothing is removed automatically.</p>"
		 "<form method=\"post\" action=\"/delist\">");
	adm_csrf_field(&o->body, r);
	adm_field(&o->body, "text", "addr", "IP address or domain", NULL,
		  in->addr, in->addr_err, "required");
	adm_field(&o->body, "email", "contact", "Your e-mail address",
		  "We write to you only about this request.", in->contact,
		  in->contact_err, "required");
	adm_field(&o->body, "textarea", "reason", "Why should it be removed?",
		  "What was wrong, and what has been fixed (up to 2000 "
		  "characters).", in->reason, in->reason_err,
		  "maxlength=\"2000\" required");
	adm_puts(&o->body, "<div><button type=\"submit\">Send request</button>"
		 "</div></form>\n");
}

void page_delist_form(adm_req *r, adm_resp *o)
{
	struct delist_input in = { .addr = adm_arg(r, "addr") };

	adm_page_begin(&o->body, r, "Request delisting");
	delist_form(r, o, &in);
	adm_page_end(&o->body);
}

/* Check each field on its own, so that each error stands beside its
 * field.  True when all are good. */
static bool delist_check(struct delist_input *in)
{
	char subject[RBL_NAME_MAX + 1];
	bool is_addr = false;
	size_t n = strlen(in->reason);

	if (rbl_delist_subject(in->addr, subject, &is_addr, NULL) != RBL_OK)
		in->addr_err = "Give one IP address (like 192.0.2.1) or one "
			       "domain name (like mail.example.com).";
	if (!rbl_delist_contact_valid(in->contact))
		in->contact_err = "Give an e-mail address where we can reach "
				  "you, like postmaster@example.com.";
	if (n == 0 || strspn(in->reason, " \t\r\n") == n)
		in->reason_err = "Tell us why it should be removed.";
	else if (n > RBL_DELIST_REASON_MAX)
		in->reason_err = "Please keep it under 2000 characters.";
	return !in->addr_err && !in->contact_err && !in->reason_err;
}

static int submit(adm_req *r, const struct delist_input *in, uint64_t *id,
		  char ticket[RBL_DELIST_TICKET_HEX + 1])
{
	rbl_delist_req *q = calloc(1, sizeof *q);
	rbl_txn *t = NULL;
	int rc = q ? adm_txn(r, true, &t) : RBL_ENOMEM;

	if (rc == RBL_OK)
		rc = rbl_delist_submit(t, in->addr, in->contact, in->reason,
				       r->client, id);
	if ((rc == RBL_OK || rc == RBL_EEXIST) &&
	    rbl_delist_get(t, *id, q) == RBL_OK)
		memcpy(ticket, q->ticket, sizeof q->ticket);
	if (t && (rc == RBL_OK || rc == RBL_EEXIST)) {
		int crc = rbl_txn_commit(t);

		rc = crc == RBL_OK ? rc : crc;
	} else if (t)
		rbl_txn_abort(t);
	free(q);
	return rc;
}

static void status_link(adm_buf *b, uint64_t id, const char *ticket)
{
	char idtxt[24];

	if (!ticket[0])
		return;
	snprintf(idtxt, sizeof idtxt, "%llu", (unsigned long long)id);
	adm_htmlf(b, "<p>Follow your request here: <a id=\"status-link\" "
		     "href=\"/delist/status?id=%U&amp;t=%U\">request %s</a>.  "
		     "Keep this link: it is the only way to see the request, "
		     "and it does not show your address or text to anyone.</p>",
		  idtxt, ticket, idtxt);
}

static void submit_outcome(adm_req *r, adm_resp *o, int rc, uint64_t id,
			   const char *ticket, struct delist_input *in)
{
	char text[200];

	if (rc == RBL_OK) {
		snprintf(text, sizeof text, "Request %llu received.  A person will "
			 "review it; nothing is removed automatically.",
			 (unsigned long long)id);
		adm_notice(&o->body, "ok", text);
		status_link(&o->body, id, ticket);
	} else if (rc == RBL_EEXIST) {
		snprintf(text, sizeof text, "A request for this is already "
			 "pending (number %llu).  We added your e-mail address "
			 "and reason to it; a person will review it.",
			 (unsigned long long)id);
		adm_notice(&o->body, "ok", text);
		status_link(&o->body, id, ticket);
	} else if (rc == RBL_ENOTFOUND) {
		adm_htmlf(&o->body, "<div class=\"notice ok\"><b>%s</b> is not "
			  "listed, so there is nothing to remove.  No request "
			  "was made.</div>", in->addr);
	} else if (rc == RBL_EINVAL) {
		o->status = MHD_HTTP_BAD_REQUEST;
		adm_notice(&o->body, "err", "Please give a single IP address or "
			   "domain, a valid e-mail address and a reason.");
		delist_form(r, o, in);
	} else {
		o->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		adm_notice(&o->body, "err", "Your request could not be stored; "
			   "please try again later.  Your text is kept below.");
		delist_form(r, o, in);
	}
}

void page_delist_submit(adm_req *r, adm_resp *o)
{
	const char *a = adm_form_get(&r->form, "addr");
	const char *c = adm_form_get(&r->form, "contact");
	const char *w = adm_form_get(&r->form, "reason");
	struct delist_input in = { a ? a : "", c ? c : "", w ? w : "",
				   NULL, NULL, NULL };
	char ticket[RBL_DELIST_TICKET_HEX + 1] = "";
	uint64_t id = 0;

	adm_page_begin(&o->body, r, "Request delisting");
	if (r->csrf_failed) {	/* status 403 is set; nothing was stored */
		adm_notice(&o->body, "err", "This form was open too long (or "
			   "your browser blocked this site's cookie), so it "
			   "was not sent.  Your text is kept: check it and "
			   "send it again.");
		delist_form(r, o, &in);
	} else if (!delist_check(&in)) {	/* a typo costs no quota */
		o->status = MHD_HTTP_BAD_REQUEST;
		adm_notice(&o->body, "err", "Nothing was sent yet: please fix "
			   "the marked field.");
		delist_form(r, o, &in);
	} else if (!adm_rl_hit(r->app->request_limit, r->client, r->now)) {
		o->status = MHD_HTTP_TOO_MANY_REQUESTS;
		adm_notice(&o->body, "err", "Too many requests from your "
			   "address.  Please try again in an hour; your text "
			   "is kept below.");
		delist_form(r, o, &in);
	} else {
		int rc = submit(r, &in, &id, ticket);

		submit_outcome(r, o, rc, id, ticket, &in);
	}
	adm_page_end(&o->body);
}

/* ---------------------------------------------------------- the status */

static bool ticket_ok(const rbl_delist_req *q, const char *t)
{
	return t && q->ticket[0] && strlen(t) == RBL_DELIST_TICKET_HEX &&
	       CRYPTO_memcmp(t, q->ticket, RBL_DELIST_TICKET_HEX) == 0;
}

static void status_text(adm_buf *b, const adm_req *r, rbl_txn *t,
			const rbl_delist_req *q)
{
	char when[32], ago[32];
	int listed = rbl_delist_is_listed(t, q->subject, r->now);

	adm_htmlf(b, "<table class=\"kv\"><tr><th>About</th><td class=\"mono\">"
		     "%W</td></tr><tr><th>Received</th><td>%s (%s ago)</td></tr>"
		     "<tr><th>State</th><td id=\"state\">%s</td></tr></table>",
		  q->subject, adm_time(q->created, "-", when),
		  adm_span(r->now - q->created, ago),
		  rbl_delist_state_name(q->state));
	if (q->state == RBL_DELIST_PENDING) {
		adm_puts(b, "<div class=\"notice warn\">Waiting for a person to "
			    "review it.  Requests are reviewed oldest first; "
			    "nothing is removed automatically.</div>");
		if (q->n_more)
			adm_htmlf(b, "<p>%u other %S asked about this address too; "
				     "it is one request.</p>", (unsigned)q->n_more,
				  q->n_more == 1 ? "person" : "people");
	} else if (q->state == RBL_DELIST_CONFIRMED) {
		adm_htmlf(b, "<div class=\"notice ok\">Delisted on %s: we "
			     "removed the listing.%S</div>",
			  adm_time(q->decided, "-", when), listed == 1 ?
			  "  It has been listed again since, on new evidence: "
			  "look it up to see why." : "");
	} else {
		adm_htmlf(b, "<div class=\"notice err\">Declined on %s: the "
			     "listing stays.  If the cause is fixed later, you "
			     "may ask again.</div>", adm_time(q->decided, "-", when));
	}
	adm_htmlf(b, "<p><a href=\"/?q=%U\">Look up %s now</a></p>",
		  q->subject, q->subject);
}

void page_delist_status(adm_req *r, adm_resp *o)
{
	const char *id_arg = adm_arg(r, "id");
	rbl_delist_req *q = calloc(1, sizeof *q);
	char *end = NULL;
	uint64_t id = id_arg ? strtoull(id_arg, &end, 10) : 0;
	rbl_txn *t = NULL;
	int rc = !q ? RBL_ENOMEM : !id || *end ? RBL_ENOTFOUND
						: adm_txn(r, false, &t);

	if (rc == RBL_OK)
		rc = rbl_delist_get(t, id, q);
	if (rc == RBL_OK && !ticket_ok(q, adm_arg(r, "t")))
		rc = RBL_ENOTFOUND;	/* the same answer as no request */
	if (rc != RBL_OK) {
		adm_error(r, o, rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
			  : MHD_HTTP_INTERNAL_SERVER_ERROR, "There is no such "
			  "request, or the link is not complete: use the whole "
			  "link you were given.");
	} else {
		char title[48];

		snprintf(title, sizeof title, "Delisting request %llu",
			 (unsigned long long)id);
		adm_page_begin(&o->body, r, title);
		status_text(&o->body, r, t, q);
		adm_page_end(&o->body);
	}
	if (t)
		rbl_txn_abort(t);
	free(q);
}
