/*
 * pages_audit.c -- the audit log: newest first, filtered by user, action
 * or target, paged by sequence number, and exported as CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/error.h"
#include "act.h"
#include "html.h"
#include "pages.h"

#define PAGE_ROWS 100

static void filter_from_args(const adm_req *r, rbl_audit_filter *f)
{
	const char *before = adm_arg(r, "before");
	const char *v;

	memset(f, 0, sizeof *f);
	f->newest_first = true;
	if (before)
		f->start = strtoull(before, NULL, 10);
	if ((v = adm_arg(r, "user")) && *v)
		f->user = v;
	if ((v = adm_arg(r, "action")) && *v)
		f->action = v;
	if ((v = adm_arg(r, "target")) && *v)
		f->target = v;
}

struct rows_ctx {
	adm_buf *b;
	unsigned n;
	uint64_t last;
};

static int audit_row(void *arg, const rbl_audit_rec *a)
{
	struct rows_ctx *c = arg;
	char when[32];

	if (c->n == PAGE_ROWS)
		return 1;	/* one more exists: offer the next page */
	if (c->n++ == 0)
		adm_puts(c->b, "<table id=\"audit\"><tr><th>#</th><th>When</th>"
			       "<th>Who</th><th>From</th><th>Action</th>"
			       "<th>Target</th><th>Before</th><th>After</th>"
			       "<th>Reason</th></tr>");
	adm_htmlf(c->b, "<tr><td>%llu</td><td>%s</td><td>%s</td><td>%s</td>"
		  "<td>%s</td><td class=\"mono\">%s</td><td>%s</td><td>%s</td>"
		  "<td>%s</td></tr>", (unsigned long long)a->seq,
		  adm_time(a->time, "", when), a->user, a->client, a->action,
		  a->target, a->before, a->after, a->reason);
	c->last = a->seq;
	return 0;
}

static void filter_form(adm_buf *b, const rbl_audit_filter *f)
{
	adm_htmlf(b, "<form method=\"get\" action=\"/admin/audit\">"
		  "<label for=\"user\">User</label><input type=\"text\" "
		  "id=\"user\" name=\"user\" value=\"%s\"><label for=\"action\">"
		  "Action (prefix: delist, listing, login ...)</label>"
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
	rbl_audit_filter f = { 0 };
	struct rows_ctx c = { &o->body, 0, 0 };
	rbl_txn *t = NULL;
	int rc;

	filter_from_args(r, &f);
	adm_page_begin(&o->body, r, "Audit log");
	filter_form(&o->body, &f);
	rc = adm_txn(r, false, &t);
	if (rc == RBL_OK) {
		rc = rbl_audit_foreach(t, &f, audit_row, &c);
		rbl_txn_abort(t);
	}
	if (rc < 0)
		adm_notice(&o->body, "err", rbl_strerror(rc));
	else if (!c.n)
		adm_puts(&o->body, "<p>No records.</p>");
	else
		adm_puts(&o->body, "</table>");
	if (rc == 1 && c.last > 1)
		adm_htmlf(&o->body, "<p><a href=\"/admin/audit?before=%llu&amp;"
			  "user=%U&amp;action=%U&amp;target=%U\">Older</a></p>",
			  (unsigned long long)(c.last - 1), f.user ? f.user : "",
			  f.action ? f.action : "", f.target ? f.target : "");
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
