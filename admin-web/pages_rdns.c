/*
 * pages_rdns.c -- the rDNS classification review queue
 * (zone/policy/rdns_review.h): proposed dynamic/static end-user ranges
 * with their evidence (template, coverage, sample names, carved-out
 * infrastructure), and the buttons that publish or reject them.  Nothing
 * reaches the policy list from here without a logged-in person's
 * decision, which is audited.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/error.h"
#include "zone/policy/rdns_review.h"
#include "act.h"
#include "csrf.h"
#include "html.h"
#include "pages.h"

#define MAX_ROWS 300

struct rdns_ctx {
	adm_buf *b;
	const adm_req *r;
	unsigned n;
};

static void decide_form(adm_buf *b, const adm_req *r, const char *prefix)
{
	adm_puts(b, "<form method=\"post\" action=\"/admin/rdns\">");
	adm_csrf_field(b, r);
	adm_htmlf(b, "<input type=\"hidden\" name=\"prefix\" value=\"%s\">"
		     "<input type=\"text\" name=\"note\" placeholder=\"note\" "
		     "class=\"short\"> <button type=\"submit\" name=\"decision\" "
		     "value=\"confirm\">Publish</button> <button type=\"submit\" "
		     "name=\"decision\" value=\"reject\" class=\"danger\">Reject"
		     "</button></form>", prefix);
}

static void samples(adm_buf *b, const rbl_rdns_proposal *p)
{
	for (unsigned i = 0; i < p->n_samples; i++)
		adm_htmlf(b, "%S%s", i ? "<br>" : "", p->samples[i]);
	if (p->n_excl)
		adm_htmlf(b, "<br><span class=\"muted\">%u infrastructure "
			     "address(es) carved out, e.g. %s</span>",
			  (unsigned)p->n_excl, p->excl[0].name);
}

static int proposal_row(void *arg, const rbl_rdns_proposal *p)
{
	struct rdns_ctx *c = arg;
	char pfx[RBL_ADDR_STRLEN], when[32];

	if (c->n++ == MAX_ROWS)
		return 1;
	if (c->n == 1)
		adm_puts(c->b, "<table><tr><th>Range</th><th>Class</th>"
			       "<th class=\"num\">Confidence</th>"
			       "<th class=\"num\">Coverage</th><th>Template</th>"
			       "<th>Sample names</th><th>State</th><th></th></tr>");
	rbl_prefix_format(&p->prefix, pfx);
	adm_htmlf(c->b, "<tr><td class=\"mono\">%s</td><td>%s</td>"
		  "<td class=\"num\">%u.%u%%</td><td class=\"num\">%u.%u%%</td>"
		  "<td class=\"mono\">%s<br><span class=\"muted\">%s</span></td><td>",
		  pfx, rbl_rdns_class_name(p->cls), p->confidence / 10u,
		  p->confidence % 10u, p->coverage / 10u, p->coverage % 10u,
		  p->template, p->domain);
	samples(c->b, p);
	adm_htmlf(c->b, "</td><td>%s<br><span class=\"muted\">%s %s</span>"
		  "<br>%s</td><td>", rbl_rdns_state_name(p->state),
		  adm_time(p->decided ? p->decided : p->updated, "", when),
		  p->decided_by, p->note);
	decide_form(c->b, c->r, pfx);
	adm_puts(c->b, "</td></tr>");
	return 0;
}

static void state_links(adm_buf *b, const uint64_t counts[5])
{
	adm_printf(b, "<p>Show: <a href=\"/admin/rdns\">pending (%llu)</a> "
		      "&middot; <a href=\"/admin/rdns?state=flagged\">flagged "
		      "(%llu)</a> &middot; <a href=\"/admin/rdns?state=confirmed\">"
		      "published (%llu)</a> &middot; <a href=\"/admin/rdns?"
		      "state=rejected\">rejected (%llu)</a></p>",
		   (unsigned long long)counts[RBL_RDNS_PENDING],
		   (unsigned long long)counts[RBL_RDNS_FLAGGED],
		   (unsigned long long)counts[RBL_RDNS_CONFIRMED],
		   (unsigned long long)counts[RBL_RDNS_REJECTED]);
}

void page_rdns(adm_req *r, adm_resp *o)
{
	const char *which = adm_arg(r, "state");
	rbl_rdns_filter f = { .state = RBL_RDNS_PENDING };
	struct rdns_ctx c = { &o->body, r, 0 };
	uint64_t counts[5] = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (which && rbl_rdns_state_parse(which) > 0)
		f.state = rbl_rdns_state_parse(which);
	adm_page_begin(&o->body, r, "rDNS review queue");
	adm_puts(&o->body, "<p>Ranges proposed by <span class=\"mono\">"
		 "rbl-import rdns</span> from generic reverse-DNS names.  "
		 "Publishing lists the range in the policy list; rejecting keeps "
		 "it out, also on later runs.</p>");
	rc = adm_txn(r, false, &t);
	if (rc == RBL_OK) {
		rc = rbl_rdns_count(t, counts);
		state_links(&o->body, counts);
		if (rc == RBL_OK)
			rc = rbl_rdns_foreach(t, &f, proposal_row, &c);
		rbl_txn_abort(t);
	}
	if (rc < 0 && rc != RBL_ENOTFOUND)
		adm_notice(&o->body, "err", rbl_strerror(rc));
	else if (c.n)
		adm_puts(&o->body, c.n > MAX_ROWS ? "</table><p>First 300 shown."
						    "</p>" : "</table>");
	else
		adm_htmlf(&o->body, "<p>No %s proposals.</p>",
			  rbl_rdns_state_name(f.state));
	adm_page_end(&o->body);
}

static int decide(adm_req *r, rbl_txn *t, const rbl_prefix *p, int state,
		  const char *note)
{
	rbl_rdns_proposal before = { 0 };
	char by[RBL_RDNS_BY_MAX + 1], key[RBL_ADDR_STRLEN], was[64];
	int rc = rbl_rdns_get(t, p, &before);

	if (rc != RBL_OK)
		return rc;
	snprintf(by, sizeof by, "admin:%s", r->sess.user);
	snprintf(was, sizeof was, "rdns proposal %s",
		 rbl_rdns_state_name(before.state));
	rc = rbl_rdns_decide(t, &r->app->rdns, p, state, by, note, r->now);
	if (rc == RBL_OK)
		rc = adm_audit(r, t, RBL_AUDIT_RULE_CHANGE,
			       rbl_prefix_format(p, key), was,
			       state == RBL_RDNS_CONFIRMED ? "rdns range published"
							   : "rdns range rejected",
			       note);
	return rc;
}

void page_rdns_decide(adm_req *r, adm_resp *o)
{
	const char *pfx = adm_form_get(&r->form, "prefix");
	const char *what = adm_form_get(&r->form, "decision");
	const char *note = adm_form_get(&r->form, "note");
	int state = what && strcmp(what, "confirm") == 0 ? RBL_RDNS_CONFIRMED
		  : what && strcmp(what, "reject") == 0 ? RBL_RDNS_REJECTED : 0;
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;
	int rc = state && pfx && rbl_prefix_parse(pfx, true, &p) == RBL_OK &&
		 (!note || strlen(note) <= RBL_RDNS_NOTE_MAX) ?
		 adm_txn(r, true, &t) : RBL_EINVAL;

	if (rc == RBL_OK) {
		rc = decide(r, t, &p, state, note && *note ? note : NULL);
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK)
		adm_redirect(o, "/admin/rdns");
	else
		adm_error(r, o, rc == RBL_EINVAL ? MHD_HTTP_BAD_REQUEST
			  : rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
			  : MHD_HTTP_INTERNAL_SERVER_ERROR,
			  rc == RBL_EINVAL ? "Choose publish or reject; notes are "
			  "at most 159 characters." : rc == RBL_ENOTFOUND ?
			  "No such proposal, or the policy list is missing." :
			  rbl_strerror(rc));
}
