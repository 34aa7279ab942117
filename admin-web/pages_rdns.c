/*
 * pages_rdns.c -- the rDNS classification review queue
 * (zone/policy/rdns_review.h): proposed dynamic/static end-user ranges
 * with their evidence (template, coverage, sample names, carved-out
 * infrastructure), paged by state, and the buttons that publish or reject
 * them.  Nothing reaches the policy list from here without a logged-in
 * person's decision, which is audited.
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
#include "pager.h"
#include "pages.h"

#define ROWS 50

struct rdns_ctx {
	adm_buf *b;
	const adm_req *r;
	adm_pager *pg;
	const char *back;	/* this page, to come back to */
};

static void decide_form(adm_buf *b, const adm_req *r, const char *prefix,
			int state, const char *back)
{
	adm_puts(b, "<form method=\"post\" action=\"/admin/rdns\">");
	adm_csrf_field(b, r);
	adm_htmlf(b, "<input type=\"hidden\" name=\"back\" value=\"%s\">"
		     "<input type=\"hidden\" name=\"prefix\" value=\"%s\">"
		     "<input type=\"text\" name=\"note\" placeholder=\"note\" "
		     "aria-label=\"Note for %s\" maxlength=\"159\" "
		     "class=\"short\"> ", back, prefix, prefix);
	if (state != RBL_RDNS_CONFIRMED)
		adm_puts(b, "<button type=\"submit\" name=\"decision\" "
			    "value=\"confirm\">Publish</button> ");
	if (state != RBL_RDNS_REJECTED)
		adm_puts(b, "<button type=\"submit\" name=\"decision\" "
			    "value=\"reject\" class=\"danger\">Reject</button>");
	adm_puts(b, "</form>");
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
	enum adm_row what = adm_pager_row(c->pg);

	if (what != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	rbl_prefix_format(&p->prefix, pfx);
	adm_puts(c->b, "<tr>");
	adm_td(c->b, "Range", "mono", "%W", pfx);
	adm_td(c->b, "Class", NULL, "%W", rbl_rdns_class_name(p->cls));
	adm_td(c->b, "Confidence", "num", "%u.%u%%", p->confidence / 10u,
	       p->confidence % 10u);
	adm_td(c->b, "Coverage", "num", "%u.%u%%", p->coverage / 10u,
	       p->coverage % 10u);
	adm_td(c->b, "Template", "mono", "%W<br><span class=\"muted\">%W</span>",
	       p->template, p->domain);
	adm_puts(c->b, "<td data-l=\"Sample names\" class=\"mono\">");
	samples(c->b, p);
	adm_puts(c->b, "</td>");
	adm_time(p->decided ? p->decided : p->updated, "", when);
	when[10] = '\0';	/* the date, and the time: wrap between */
	adm_td(c->b, "State", NULL, "%W<br><span class=\"muted\"><span "
	       "class=\"nw\">%s</span> %s %W</span><br>%W",
	       rbl_rdns_state_name(p->state), when, when + 11, p->decided_by,
	       p->note);
	adm_puts(c->b, "<td data-l=\"Decision\">");
	decide_form(c->b, c->r, pfx, p->state, c->back);
	adm_puts(c->b, "</td></tr>");
	return 0;
}

static void state_links(adm_buf *b, const uint64_t counts[5], int state)
{
	static const struct { int state; const char *arg, *label; } tabs[] = {
		{ RBL_RDNS_PENDING, "", "pending" },
		{ RBL_RDNS_FLAGGED, "?state=flagged", "flagged" },
		{ RBL_RDNS_CONFIRMED, "?state=confirmed", "published" },
		{ RBL_RDNS_REJECTED, "?state=rejected", "rejected" },
	};

	adm_puts(b, "<p>Show: ");
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) {
		if (i)
			adm_puts(b, " &middot; ");
		if (tabs[i].state == state)
			adm_printf(b, "<b>%s (%llu)</b>", tabs[i].label,
				   (unsigned long long)counts[tabs[i].state]);
		else
			adm_printf(b, "<a href=\"/admin/rdns%s\">%s (%llu)</a>",
				   tabs[i].arg, tabs[i].label,
				   (unsigned long long)counts[tabs[i].state]);
	}
	adm_puts(b, "</p>");
}

void page_rdns(adm_req *r, adm_resp *o)
{
	static const char *const cols[] = { "Range", "Class", "#Confidence",
		"#Coverage", "Template", "Sample names", "State", "Decision",
		NULL };
	const char *which = adm_arg(r, "state");
	rbl_rdns_filter f = { .state = RBL_RDNS_PENDING };
	adm_pager pg = { 0 };
	adm_buf rows = { 0 }, self = { 0 };
	struct rdns_ctx c = { &rows, r, &pg, "/admin/rdns" };
	uint64_t counts[5] = { 0 };
	char empty[64];
	rbl_txn *t = NULL;
	int rc;

	if (which && rbl_rdns_state_parse(which) > 0)
		f.state = rbl_rdns_state_parse(which);
	adm_pager_init(&pg, r, "from", ROWS);
	adm_buf_init(&rows);
	adm_buf_init(&self);
	adm_self_url(r, &self, NULL, NULL, NULL);
	if (self.p && adm_local_path(self.p))
		c.back = self.p;
	adm_page_begin(&o->body, r, "rDNS review queue");
	adm_puts(&o->body, "<p>Ranges proposed by <span class=\"mono\">"
		 "rbl-import rdns</span> from generic reverse-DNS names.  "
		 "Publishing lists the range in the policy list; rejecting keeps "
		 "it out, also on later runs.</p>");
	rc = adm_txn(r, false, &t);
	if (rc == RBL_OK) {
		rc = rbl_rdns_count(t, counts);
		state_links(&o->body, counts, f.state);
		adm_pager_known(&pg, counts[f.state]);
		if (rc == RBL_OK)
			rc = rbl_rdns_foreach(t, &f, proposal_row, &c);
		rbl_txn_abort(t);
	}
	adm_pager_done(&pg);
	snprintf(empty, sizeof empty, "No %s proposals.",
		 rbl_rdns_state_name(f.state));
	if (rc < 0 && rc != RBL_ENOTFOUND) {
		adm_notice(&o->body, "err", rbl_strerror(rc));
		adm_buf_free(&rows);
	} else
		adm_pager_table(&o->body, r, &pg, "proposal", "proposals",
				"proposals", cols, &rows, empty);
	adm_buf_free(&self);
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
	const char *back = adm_form_get(&r->form, "back");
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
	if (rc == RBL_OK) {
		adm_say(r, false, state == RBL_RDNS_CONFIRMED ? "Published %s: "
			"list %s now lists the range." : "Rejected %s: it stays "
			"out of list %s, also on later runs.", pfx,
			r->app->rdns.list);
		adm_redirect(o, adm_local_path(back) &&
				!strncmp(back, "/admin/rdns", 11) ? back
								  : "/admin/rdns");
		return;
	}
	/* The queue again, saying why nothing happened. */
	o->status = rc == RBL_EINVAL ? MHD_HTTP_BAD_REQUEST
		  : rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
		  : MHD_HTTP_INTERNAL_SERVER_ERROR;
	adm_say(r, true, "Nothing was decided: %s", rc == RBL_EINVAL ?
		"choose publish or reject; notes are at most 159 characters." :
		rc == RBL_ENOTFOUND ? "no such proposal, or the policy list is "
		"missing." : rbl_strerror(rc));
	page_rdns(r, o);
}
