/*
 * pages_public.c -- what anyone may see when admin.public is on: is an
 * address or domain listed, why (in plain words), and a form to ask a
 * person to delist it.
 *
 * The evidence is summarised as counts and dates only: no trap address,
 * reporter identity or message content is ever shown here.  A request for
 * something that is not listed is answered as such and not stored.
 */
#include <stdio.h>
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
	adm_buf *b;
	const char *subject;
	unsigned hits;
};

static int show_hit(void *arg, const adm_hit *h)
{
	struct public_ctx *c = arg;
	char since[32], until[32], code[16];

	if (c->hits++ == 0)
		adm_puts(c->b, "<table><tr><th>Zone</th><th>Answer</th>"
			       "<th>Text</th><th>Listed since</th>"
			       "<th>Expires</th></tr>");
	rbl_code_format(h->codes[0], code);
	adm_htmlf(c->b, "<tr><td>%s</td><td class=\"mono\">%s</td><td>%s</td>"
			"<td>%s</td><td>%s</td></tr>",
		  h->zones[0] ? h->zones : h->list->name, code, h->txt,
		  adm_time(h->entry.added, "unknown", since),
		  adm_time(h->entry.expires, "no fixed expiry", until));
	return 0;
}

static void evidence_section(adm_buf *b, rbl_txn *t, const char *subject)
{
	rbl_prefix p = { 0 };
	adm_evcount ec = { 0 };

	if (rbl_prefix_parse(subject, false, &p) != RBL_OK)
		return;		/* names have no evidence records */
	if (adm_evidence_count(t, &p, &ec) != RBL_OK)
		return;
	adm_puts(b, "<h2>Why</h2>");
	adm_evidence_public(b, &ec);
}

static void lookup_result(adm_req *r, adm_resp *o, const char *subject)
{
	struct public_ctx c = { &o->body, subject, 0 };
	rbl_txn *t = NULL;
	int rc = adm_txn(r, false, &t);

	if (rc == RBL_OK)
		rc = adm_lookup(t, subject, r->now, show_hit, &c);
	if (rc != RBL_OK) {
		adm_notice(&o->body, "err", "The lookup failed; try again later.");
	} else if (c.hits == 0) {
		adm_htmlf(&o->body, "<div class=\"notice ok\"><b>%s</b> is not "
			  "listed.</div>", subject);
	} else {
		adm_puts(&o->body, "</table>");
		evidence_section(&o->body, t, subject);
		adm_htmlf(&o->body, "<p>If you believe this listing is wrong, "
			  "<a href=\"/delist?addr=%U\">ask us to remove it</a>. "
			  "A person reviews every request.</p>", subject);
	}
	if (t)
		rbl_txn_abort(t);
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
			lookup_result(r, o, subject);
	}
	adm_page_end(&o->body);
}

static void delist_form(adm_req *r, adm_resp *o, const char *addr,
			const char *contact, const char *reason)
{
	adm_puts(&o->body, "<p>Tell us which address or domain should not be "
		 "listed and why.  A person will review your request; "
		 "nothing is removed automatically.</p>"
		 "<form method=\"post\" action=\"/delist\">");
	adm_csrf_field(&o->body, r);
	adm_htmlf(&o->body,
		  "<label for=\"addr\">IP address or domain</label>"
		  "<input type=\"text\" id=\"addr\" name=\"addr\" value=\"%s\" required>"
		  "<label for=\"contact\">Your e-mail address</label>"
		  "<input type=\"email\" id=\"contact\" name=\"contact\" "
		  "value=\"%s\" required>"
		  "<label for=\"reason\">Why should it be removed?</label>"
		  "<textarea id=\"reason\" name=\"reason\" maxlength=\"2000\" "
		  "required>%s</textarea>"
		  "<div><button type=\"submit\">Send request</button></div>"
		  "</form>\n", addr ? addr : "", contact ? contact : "",
		  reason ? reason : "");
}

void page_delist_form(adm_req *r, adm_resp *o)
{
	adm_page_begin(&o->body, r, "Request delisting");
	delist_form(r, o, adm_arg(r, "addr"), NULL, NULL);
	adm_page_end(&o->body);
}

static int submit(adm_req *r, const char *addr, const char *contact,
		  const char *reason, uint64_t *id)
{
	rbl_txn *t = NULL;
	int rc = adm_txn(r, true, &t);

	if (rc != RBL_OK)
		return rc;
	rc = rbl_delist_submit(t, addr, contact, reason, r->client, id);
	if (rc != RBL_OK) {
		rbl_txn_abort(t);
		return rc;
	}
	return rbl_txn_commit(t);
}

static void submit_outcome(adm_req *r, adm_resp *o, int rc, uint64_t id,
			   const char *addr, const char *contact,
			   const char *reason)
{
	char text[160];

	if (rc == RBL_OK) {
		snprintf(text, sizeof text, "Request %llu received.  A person will "
			 "review it; nothing is removed automatically.",
			 (unsigned long long)id);
		adm_notice(&o->body, "ok", text);
	} else if (rc == RBL_EEXIST) {
		snprintf(text, sizeof text, "A request for this is already "
			 "pending (number %llu).  A person will review it.",
			 (unsigned long long)id);
		adm_notice(&o->body, "ok", text);
	} else if (rc == RBL_ENOTFOUND) {
		adm_htmlf(&o->body, "<div class=\"notice ok\"><b>%s</b> is not "
			  "listed, so there is nothing to remove.  No request "
			  "was made.</div>", addr);
	} else if (rc == RBL_EINVAL) {
		o->status = MHD_HTTP_BAD_REQUEST;
		adm_notice(&o->body, "err", "Please give a single IP address or "
			   "domain, a valid e-mail address and a reason.");
		delist_form(r, o, addr, contact, reason);
	} else {
		o->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		adm_notice(&o->body, "err", "Your request could not be stored; "
			   "please try again later.");
	}
}

void page_delist_submit(adm_req *r, adm_resp *o)
{
	const char *addr = adm_form_get(&r->form, "addr");
	const char *contact = adm_form_get(&r->form, "contact");
	const char *reason = adm_form_get(&r->form, "reason");
	uint64_t id = 0;
	int rc;

	adm_page_begin(&o->body, r, "Request delisting");
	if (!adm_rl_hit(r->app->request_limit, r->client, r->now)) {
		o->status = MHD_HTTP_TOO_MANY_REQUESTS;
		adm_notice(&o->body, "err", "Too many requests from your "
			   "address.  Please try again later.");
	} else {
		rc = addr && contact && reason ?
			submit(r, addr, contact, reason, &id) : RBL_EINVAL;
		submit_outcome(r, o, rc, id, addr ? addr : "",
			       contact ? contact : "", reason ? reason : "");
	}
	adm_page_end(&o->body);
}
