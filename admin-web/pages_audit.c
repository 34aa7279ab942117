/*
 * pages_audit.c -- the audit log: newest first, filtered by user, action
 * or target, paged (pager.h; unfiltered pages start at their record
 * number without a walk), and exported as CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/error.h"
#include "act.h"
#include "html.h"
#include "pager.h"
#include "pages.h"

#define PAGE_ROWS 100

static void filter_from_args(const adm_req *r, rbl_audit_filter *f)
{
	const char *v;

	memset(f, 0, sizeof *f);
	f->newest_first = true;
	if ((v = adm_arg(r, "user")) && *v)
		f->user = v;
	if ((v = adm_arg(r, "action")) && *v)
		f->action = v;
	if ((v = adm_arg(r, "target")) && *v)
		f->target = v;
}

struct rows_ctx {
	adm_buf *b;
	adm_pager *pg;
};

static int audit_row(void *arg, const rbl_audit_rec *a)
{
	struct rows_ctx *c = arg;
	enum adm_row what = adm_pager_row(c->pg);

	if (what != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	adm_puts(c->b, "<tr>");
	adm_td(c->b, "#", "num nw", "%llu", (unsigned long long)a->seq);
	adm_td_time(c->b, "When", a->time, "");
	adm_td(c->b, "Who", NULL, "%W", a->user);
	adm_td(c->b, "From", "mono", "%W", a->client);
	adm_td(c->b, "Action", NULL, "%W", a->action);
	adm_td(c->b, "Target", "mono", "%W", a->target);
	adm_puts(c->b, "<td data-l=\"Before\">");
	adm_longtext(c->b, a->before, 120);
	adm_puts(c->b, "</td><td data-l=\"After\">");
	adm_longtext(c->b, a->after, 120);
	adm_puts(c->b, "</td><td data-l=\"Reason\">");
	adm_longtext(c->b, a->reason, 160);
	adm_puts(c->b, "</td></tr>");
	return 0;
}

static void filter_form(adm_buf *b, const rbl_audit_filter *f)
{
	adm_htmlf(b, "<form method=\"get\" action=\"/admin/audit\">"
		  "<label for=\"user\">User</label><input type=\"text\" "
		  "id=\"user\" name=\"user\" value=\"%s\"><label for=\"action\">"
		  "Action <span class=\"hint\">A prefix: delist, listing, "
		  "allow, login ...</span></label>"
		  "<input type=\"text\" id=\"action\" name=\"action\" value=\"%s\">"
		  "<label for=\"target\">Target</label><input type=\"text\" "
		  "id=\"target\" name=\"target\" value=\"%s\"><div><button "
		  "type=\"submit\">Filter</button></div></form>",
		  f->user ? f->user : "", f->action ? f->action : "",
		  f->target ? f->target : "");
	adm_htmlf(b, "<p><a href=\"/admin/audit.csv?user=%U&amp;action=%U"
		  "&amp;target=%U\">Download as CSV</a></p>",
		  f->user ? f->user : "", f->action ? f->action : "",
		  f->target ? f->target : "");
}

void page_audit(adm_req *r, adm_resp *o)
{
	static const char *const cols[] = { "#", "When", "Who", "From",
		"Action", "Target", "Before", "After", "Reason", NULL };
	rbl_audit_filter f = { 0 };
	adm_pager pg = { 0 };
	adm_buf rows = { 0 };
	struct rows_ctx c = { &rows, &pg };
	uint64_t last = 0;
	rbl_txn *t = NULL;
	int rc;

	filter_from_args(r, &f);
	adm_pager_init(&pg, r, "from", PAGE_ROWS);
	adm_buf_init(&rows);
	adm_page_begin(&o->body, r, "Audit log");
	filter_form(&o->body, &f);
	rc = adm_txn(r, false, &t);
	if (rc == RBL_OK && (rc = rbl_audit_last(t, &last)) == RBL_OK &&
	    !f.user && !f.action && !f.target) {
		/* Unfiltered, records are numbered 1..last: the total is
		 * known and the page starts at its number, no walk before. */
		adm_pager_known(&pg, last);
		adm_pager_jumped(&pg);
		f.start = pg.from < last ? last - pg.from : 0;
	}
	if (rc == RBL_OK && !(pg.known && pg.from >= last))
		rc = rbl_audit_foreach(t, &f, audit_row, &c);
	if (t)
		rbl_txn_abort(t);
	adm_pager_done(&pg);
	if (rc < 0) {
		adm_notice(&o->body, "err", rbl_strerror(rc));
		adm_buf_free(&rows);
	} else
		adm_pager_table(&o->body, r, &pg, "record", "records", "audit", cols,
				&rows, "No records.");
	adm_page_end(&o->body);
}

static int csv_write(void *arg, const char *p, size_t n)
{
	adm_buf *b = arg;

	adm_put(b, p, n);
	return b->failed ? RBL_ENOMEM : 0;
}

void page_audit_csv(adm_req *r, adm_resp *o)
{
	rbl_audit_filter f = { 0 };
	rbl_txn *t = NULL;
	int rc;

	filter_from_args(r, &f);
	f.newest_first = false;		/* a log file reads oldest first */
	f.start = 0;
	rc = adm_txn(r, false, &t);
	if (rc == RBL_OK) {
		rc = rbl_audit_csv(t, &f, csv_write, &o->body);
		rbl_txn_abort(t);
	}
	if (rc != RBL_OK) {
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, rbl_strerror(rc));
		return;
	}
	o->content_type = "text/csv; charset=utf-8";
	o->disposition = "attachment; filename=\"rbl-audit.csv\"";
}
