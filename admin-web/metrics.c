/*
 * metrics.c -- GET /metrics in the Prometheus text format (version 0.0.4).
 *
 * Open to the addresses in admin.metrics-allow (default: loopback) and to
 * logged-in people; everyone else gets 403.  Store numbers come from the
 * one-minute cache (stats.c), rbld's counters from the sampler (qrate.c).
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/error.h"
#include "zone/formats/mirror.h"
#include "zone/policy/evidence.h"
#include "act.h"
#include "pages.h"
#include "proxy.h"
#include "qrate.h"
#include "stats.h"

static void help(adm_buf *b, const char *name, const char *type,
		 const char *text)
{
	adm_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* A label value with \ " and newline escaped, as the format requires. */
static void label(adm_buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			adm_put(b, "\\", 1);
		if (*v == '\n')
			adm_puts(b, "\\n");
		else
			adm_put(b, v, 1);
	}
}

struct zone_ctx {
	rbl_txn *t;
	adm_buf *b;
};

static int zone_metric(void *arg, const rbl_zone *z)
{
	struct zone_ctx *c = arg;
	uint64_t n = rbl_zone_entries(c->t, z);

	adm_puts(c->b, "rbl_zone_entries{zone=\"");
	label(c->b, z->name);
	adm_printf(c->b, "\"} %llu\n", (unsigned long long)n);
	return 0;
}

static int list_metric(void *arg, const rbl_list *l)
{
	struct zone_ctx *c = arg;

	adm_puts(c->b, "rbl_list_entries{list=\"");
	label(c->b, l->name);
	adm_printf(c->b, "\"} %llu\n", (unsigned long long)l->n_entries);
	return 0;
}

/* The lines of one list of table mirror (rblctl watch). */
static int mirror_metric(void *arg, const rbl_mirror_state *s)
{
	adm_buf *b = arg;
	static const char *const names[] = {
		"rbl_mirror_imports_total", "rbl_mirror_refusals_total",
		"rbl_mirror_last_import_timestamp_seconds",
		"rbl_mirror_last_refusal_timestamp_seconds",
		"rbl_mirror_failing" };
	unsigned long long v[] = { s->imports, s->refusals,
				   (unsigned long long)s->last_import,
				   (unsigned long long)s->last_refusal,
				   s->failing ? 1 : 0 };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		adm_printf(b, "%s{list=\"", names[i]);
		label(b, s->list);
		adm_printf(b, "\"} %llu\n", v[i]);
	}
	return 0;
}

/* One help block for all of them: they are listed per list, together. */
static void mirror_metrics(adm_buf *b, rbl_txn *t)
{
	help(b, "rbl_mirror_imports_total", "counter",
	     "Data file imports rblctl watch committed, per list.");
	help(b, "rbl_mirror_refusals_total", "counter",
	     "Data files rblctl watch refused (incomplete or invalid; "
	     "nothing changed), per list.");
	help(b, "rbl_mirror_last_import_timestamp_seconds", "gauge",
	     "When the list's files were last imported (unix seconds).");
	help(b, "rbl_mirror_last_refusal_timestamp_seconds", "gauge",
	     "When the list's files were last refused (unix seconds).");
	help(b, "rbl_mirror_failing", "gauge",
	     "1 while the list's newest files are refused and it answers "
	     "older data.");
	rbl_mirror_state_foreach(t, mirror_metric, b);
}

static void store_metrics(adm_buf *b, adm_req *r)
{
	struct zone_ctx c = { NULL, b };

	if (adm_txn(r, false, &c.t) != RBL_OK)
		return;
	help(b, "rbl_zone_entries", "gauge",
	     "Entries in the lists a zone answers from.");
	rbl_zone_foreach(c.t, zone_metric, &c);
	help(b, "rbl_list_entries", "gauge", "Entries per list.");
	rbl_list_foreach(c.t, list_metric, &c);
	mirror_metrics(b, c.t);
	rbl_txn_abort(c.t);
}

static void cached_metrics(adm_buf *b, adm_req *r)
{
	adm_stats s = { 0 };

	if (adm_stats_get(r->app, r->now, &s) != RBL_OK)
		return;
	help(b, "rbl_evidence", "gauge", "Stored evidence records by kind.");
	for (int k = 1; k <= RBL_EV_KINDS; k++)
		adm_printf(b, "rbl_evidence{kind=\"%s\"} %llu\n",
			   rbl_evidence_kind_name(k),
			   (unsigned long long)s.evidence[k]);
	help(b, "rbl_evidence_last_24h", "gauge",
	     "Evidence records dated within the last 24 hours (imports).");
	adm_printf(b, "rbl_evidence_last_24h %llu\n",
		   (unsigned long long)s.evidence_24h);
	help(b, "rbl_delist_requests", "gauge",
	     "Delisting requests by state.");
	adm_printf(b, "rbl_delist_requests{state=\"pending\"} %llu\n"
		      "rbl_delist_requests{state=\"confirmed\"} %llu\n"
		      "rbl_delist_requests{state=\"rejected\"} %llu\n",
		   (unsigned long long)s.pending,
		   (unsigned long long)s.confirmed,
		   (unsigned long long)s.rejected);
}

static void rbld_metrics(adm_buf *b, adm_req *r)
{
	static const char *const rcodes[ADM_QS_RCODES] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "BADVERS", "OTHER" };
	adm_qs_counters q = { 0 };

	help(b, "rbl_rbld_up", "gauge", "1 when rbld's counters are readable.");
	if (!adm_qs_counters_get(r->app->qs, &q)) {
		adm_puts(b, "rbl_rbld_up 0\n");
		return;
	}
	adm_puts(b, "rbl_rbld_up 1\n");
	help(b, "rbl_rbld_queries_total", "counter", "Queries answered by rbld.");
	adm_printf(b, "rbl_rbld_queries_total %llu\n",
		   (unsigned long long)q.queries);
	help(b, "rbl_rbld_responses_total", "counter",
	     "rbld answers by RCODE.");
	for (int i = 0; i < ADM_QS_RCODES; i++)
		adm_printf(b, "rbl_rbld_responses_total{rcode=\"%s\"} "
				   "%llu\n", rcodes[i],
				   (unsigned long long)q.rcode[i]);
	help(b, "rbl_rbld_listed_total", "counter",
	     "rbld answers that said listed.");
	adm_printf(b, "rbl_rbld_listed_total %llu\n",
		   (unsigned long long)q.listed);
}

static bool metrics_allowed(const adm_req *r)
{
	rbl_addr a = { 0 };

	if (r->has_session && r->sess.user[0])
		return true;
	return rbl_addr_parse(r->client, &a) == RBL_OK &&
	       adm_in_prefixes(r->app->cfg.metrics_allow,
			       r->app->cfg.n_metrics_allow, &a);
}

void page_metrics(adm_req *r, adm_resp *o)
{
	unsigned all = 0, in = 0;

	if (!metrics_allowed(r)) {
		adm_error(r, o, MHD_HTTP_FORBIDDEN, "Not from this address.");
		return;
	}
	o->content_type = "text/plain; version=0.0.4; charset=utf-8";
	store_metrics(&o->body, r);
	cached_metrics(&o->body, r);
	rbld_metrics(&o->body, r);
	adm_key_metrics(&o->body, r);
	adm_session_count(r->app->sessions, r->now, &all, &in);
	help(&o->body, "rbl_admin_sessions", "gauge",
	     "Live sessions of rbl-admin (logged in).");
	adm_printf(&o->body, "rbl_admin_sessions %u\n", in);
	help(&o->body, "rbl_admin_start_time_seconds", "gauge",
	     "When rbl-admin started (unix seconds).");
	adm_printf(&o->body, "rbl_admin_start_time_seconds %lld\n",
		   (long long)r->app->started);
}
