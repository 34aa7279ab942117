/*
 * pages_admin.c -- the operator's overview: dashboard, search, and
 * everything about one address or domain.
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
#include "evsummary.h"
#include "html.h"
#include "lookup.h"
#include "pager.h"
#include "pages.h"
#include "qrate.h"
#include "stats.h"

/* ------------------------------------------------------------ dashboard */

struct zone_ctx {
	rbl_txn *t;
	adm_buf *b;
};

static int zone_row(void *arg, const rbl_zone *z)
{
	struct zone_ctx *c = arg;
	uint64_t n = rbl_zone_entries(c->t, z);

	adm_puts(c->b, "<tr>");
	adm_td(c->b, "Zone", "mono", "%W", z->name);
	adm_td(c->b, "Entries", "num", "%llu", (unsigned long long)n);
	adm_td(c->b, "Lists", "num", "%u", (unsigned)z->n_lists);
	adm_td(c->b, "Serial", "num", "%u", (unsigned)z->serial);
	adm_puts(c->b, "</tr>");
	return 0;
}

static int list_row(void *arg, const rbl_list *l)
{
	struct zone_ctx *c = arg;

	adm_puts(c->b, "<tr>");
	adm_td(c->b, "List", NULL, "%W", l->name);
	adm_td(c->b, "Kind", NULL, "%W", l->kind == RBL_LIST_IP ? "IP" :
	       l->kind == RBL_LIST_HASH ? "hash" :
	       l->kind == RBL_LIST_NEWLY_SEEN ? "newly seen domains" : "domain");
	adm_td(c->b, "Entries", "num", "%llu", (unsigned long long)l->n_entries);
	adm_td_time(c->b, "Changed", l->changed, "-");
	adm_puts(c->b, "</tr>");
	return 0;
}

static void zone_tables(adm_buf *b, rbl_txn *t)
{
	static const char *const zcols[] = { "Zone", "#Entries", "#Lists",
		"#Serial", NULL };
	static const char *const lcols[] = { "List", "Kind", "#Entries",
		"Changed", NULL };
	struct zone_ctx c = { t, b };

	adm_puts(b, "<h2>Zones</h2>");
	adm_table_begin(b, "zones", zcols);
	rbl_zone_foreach(t, zone_row, &c);
	adm_table_end(b);
	adm_puts(b, "<h2>Lists</h2>");
	adm_table_begin(b, "lists", lcols);
	rbl_list_foreach(t, list_row, &c);
	adm_table_end(b);
}

static void card(adm_buf *b, const char *label, const char *value,
		 const char *href)
{
	if (href)
		adm_htmlf(b, "<a class=\"card\" href=\"%s\"><div>%s</div>"
			     "<div class=\"big\">%s</div></a>", href, label, value);
	else
		adm_htmlf(b, "<div class=\"card\"><div>%s</div>"
			     "<div class=\"big\">%s</div></div>", label, value);
}

static void qps_section(adm_buf *b, adm_app *app, char *qps_text)
{
	double rates[ADM_QS_SAMPLES];
	size_t n = 0;

	if (!adm_qs_history(app->qs, rates, ADM_QS_SAMPLES, &n) || n == 0) {
		strcpy(qps_text, "n/a");
		return;
	}
	snprintf(qps_text, 32, "%.1f", rates[n - 1]);
	if (n >= 2) {
		adm_series s = { "queries/s", rates, "#1f6feb" };

		adm_svg_line(b, "rbld queries per second", &s, n, -1,
			     "15 min ago", "now");
	}
}

static void daily_chart(adm_buf *b, const adm_stats *s)
{
	char days[ADM_DAYS][8];
	const char *labels[ADM_DAYS];
	adm_series series[3] = {
		{ "added", s->added, "#1f6feb" },
		{ "expired", s->expired, "#8c959f" },
		{ "delisted", s->delisted, "#c62828" },
	};

	for (int i = 0; i < ADM_DAYS; i++) {
		char full[32];

		adm_time(s->day0 + (int64_t)i * 86400, "", full);
		snprintf(days[i], sizeof days[i], "%.5s", full + 5);
		labels[i] = i % 2 ? NULL : days[i];
	}
	adm_svg_bars(b, "Listings per day (UTC)", labels, ADM_DAYS, series, 3);
}

void page_dashboard(adm_req *r, adm_resp *o)
{
	adm_stats s = { 0 };
	adm_buf charts = { 0 };
	char num[4][32];
	rbl_txn *t = NULL;
	int rc = adm_stats_get(r->app, r->now, &s);

	adm_page_begin(&o->body, r, "Dashboard");
	if (rc != RBL_OK)
		adm_notice(&o->body, "err", rbl_strerror(rc));
	adm_buf_init(&charts);
	qps_section(&charts, r->app, num[3]);
	snprintf(num[0], 32, "%llu", (unsigned long long)s.pending);
	snprintf(num[1], 32, "%llu", (unsigned long long)s.entries);
	snprintf(num[2], 32, "%llu", (unsigned long long)s.evidence_24h);
	adm_puts(&o->body, "<div class=\"cards\">");
	card(&o->body, "Pending requests", num[0], "/admin/requests");
	card(&o->body, "Entries", num[1], NULL);
	card(&o->body, "Evidence, last 24 h", num[2], NULL);
	card(&o->body, "rbld queries/s", num[3], NULL);
	adm_puts(&o->body, "</div><h2>Activity</h2><div class=\"charts\">");
	daily_chart(&o->body, &s);
	if (charts.len)
		adm_put(&o->body, charts.p, charts.len);
	adm_puts(&o->body, "</div>");
	adm_buf_free(&charts);
	if (adm_txn(r, false, &t) == RBL_OK) {
		zone_tables(&o->body, t);
		rbl_txn_abort(t);
	}
	adm_page_end(&o->body);
}

/* --------------------------------------------------------------- search */

#define SEARCH_ROWS 100

struct search_ctx {
	adm_buf *b;
	adm_pager *pg;
	const rbl_list *list;
	const char *suffix;	/* domain search */
};

static int search_row(struct search_ctx *c, const char *key,
		      const rbl_entry *e)
{
	enum adm_row what = adm_pager_row(c->pg);

	if (what != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	adm_puts(c->b, "<tr>");
	adm_td(c->b, "List", NULL, "%W", c->list->name);
	adm_td(c->b, "Entry", "mono", "<a href=\"/admin/addr?a=%U\">%W%W</a>",
	       key, (e->flags & RBL_ENTRY_EXCLUDE) ? "!" : "", key);
	adm_td_time(c->b, "Since", e->added, "-");
	adm_td_time(c->b, "Expires", e->expires, "never");
	adm_td(c->b, "Source", NULL, "%W", e->source);
	adm_puts(c->b, "</tr>");
	return 0;
}

static int prefix_hit(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	char key[RBL_ADDR_STRLEN];

	return search_row(arg, rbl_prefix_format(p, key), e);
}

static int name_hit(void *arg, const char *name, const rbl_entry *e)
{
	struct search_ctx *c = arg;
	size_t n = strlen(name), s = strlen(c->suffix);

	if (n == s ? strcmp(name, c->suffix) == 0
		   : n > s && name[n - s - 1] == '.' &&
		     strcmp(name + n - s, c->suffix) == 0)
		return search_row(c, name, e);
	return 0;
}

struct search_all {
	rbl_txn *t;
	struct search_ctx *c;
	const rbl_prefix *within;
};

static int search_list(void *arg, const rbl_list *l)
{
	struct search_all *a = arg;

	a->c->list = l;
	if (a->within && l->kind == RBL_LIST_IP)
		return rbl_ip_foreach(a->t, l->id, a->within, prefix_hit, a->c);
	if (!a->within && rbl_list_kind_is_name(l->kind))
		return rbl_name_foreach(a->t, l->id, name_hit, a->c);
	return 0;
}

static void search_results(adm_req *r, adm_resp *o, const char *q)
{
	static const char *const cols[] = { "List", "Entry", "Since",
		"Expires", "Source", NULL };
	rbl_prefix p = { 0 };
	char name[RBL_NAME_MAX + 1];
	bool is_addr = false;
	adm_pager pg = { 0 };
	adm_buf rows = { 0 };
	struct search_ctx c = { .b = &rows, .pg = &pg, .suffix = name };
	struct search_all a = { .c = &c };
	int rc;

	if (strchr(q, '/') && rbl_prefix_parse(q, false, &p) == RBL_OK)
		a.within = &p;
	else if (rbl_delist_subject(q, name, &is_addr, NULL) != RBL_OK) {
		o->status = MHD_HTTP_BAD_REQUEST;
		adm_notice(&o->body, "err", "Give an IP address, a CIDR prefix "
			   "or a domain name.");
		return;
	}
	adm_pager_init(&pg, r, "from", SEARCH_ROWS);
	adm_buf_init(&rows);
	rc = adm_txn(r, false, &a.t);
	if (rc == RBL_OK)
		rc = rbl_list_foreach(a.t, search_list, &a);
	if (a.t)
		rbl_txn_abort(a.t);
	adm_pager_done(&pg);
	if (rc < 0) {
		adm_notice(&o->body, "err", rbl_strerror(rc));
		adm_buf_free(&rows);
	} else
		adm_pager_table(&o->body, r, &pg, "entry", "entries", "results", cols,
				&rows, "No entries.");
}

void page_search(adm_req *r, adm_resp *o)
{
	const char *q = adm_arg(r, "q");
	char subject[RBL_NAME_MAX + 1];
	bool is_addr = false;

	if (q && !strchr(q, '/') &&
	    rbl_delist_subject(q, subject, &is_addr, NULL) == RBL_OK && is_addr) {
		adm_buf loc = { 0 };

		adm_buf_init(&loc);
		adm_htmlf(&loc, "/admin/addr?a=%U", subject);
		adm_redirect(o, loc.p ? loc.p : "/admin/search");
		adm_buf_free(&loc);
		return;
	}
	adm_page_begin(&o->body, r, "Search");
	adm_htmlf(&o->body, "<form method=\"get\" action=\"/admin/search\">"
		  "<label for=\"q\">IP address, CIDR prefix or domain</label>"
		  "<input type=\"text\" id=\"q\" name=\"q\" value=\"%s\">"
		  "<div><button type=\"submit\">Search</button></div></form>",
		  q ? q : "");
	if (q && *q)
		search_results(r, o, q);
	adm_page_end(&o->body);
}
