/*
 * pages_keys.c -- access keys (zone/people/qkey.h): the list with rbld's
 * counters per key and per zone, a chart of queries per day, and the
 * forms to add, disable, enable, rotate and remove keys; plus their part
 * of /metrics.
 *
 * Counters come from rbld's per-key file (zone/kstats.h, beside
 * server.stats-file), read when a page is asked for: rbld is never
 * touched.  Past days come from the store's day table, which `rblctl
 * purge` (the hourly timer) fills from the same counters; today is read
 * live.  A new or rotated secret is shown once, in the message on the
 * next page; the list shows the first characters only.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/kstats.h"
#include "zone/people/audit.h"
#include "zone/people/qkey.h"
#include "act.h"
#include "charts.h"
#include "csrf.h"
#include "html.h"
#include "pages.h"

#define DAYS		14
#define TOP_SERIES	3
#define METRIC_TOP	20	/* keys with their own label in /metrics */

/* ------------------------------------------------------------ counters */

/* rbld's counters summed over its workers; NULL when it wrote none. */
static rbl_kstats_area *counters(const adm_app *app)
{
	char path[PATH_MAX + 16];
	rbl_kstats_header h = { 0 };
	rbl_kstats_area *sum = calloc(1, sizeof *sum);

	rbl_kstats_path(app->cfg.stats_file, path, sizeof path);
	if (sum && rbl_kstats_read(path, &h, sum) != RBL_OK) {
		free(sum);
		sum = NULL;
	}
	return sum;
}

static const rbl_kstats_ent *key_ent(const rbl_kstats_area *a, uint32_t num)
{
	const rbl_kstats_ent *e = a ? &a->keys[num % RBL_KSTATS_KEYS] : NULL;

	return e && e->id == num ? e : NULL;
}

static const rbl_kstats_ent *zone_ent(const rbl_kstats_area *a, uint32_t id)
{
	const rbl_kstats_ent *e = a ? &a->zones[id % RBL_KSTATS_ZONES] : NULL;

	return e && e->id == id ? e : NULL;
}

static uint64_t today_of(const rbl_kstats_ent *e, int64_t now)
{
	return e && e->day == (uint32_t)(now / 86400) ? e->day_queries : 0;
}

/* The keys of the store in memory (few: an operator hands them out). */
typedef struct key_set {
	rbl_qkey *k;
	size_t n, cap;
} key_set;

static int collect(void *arg, const rbl_qkey *k)
{
	key_set *s = arg;

	if (rbl_array_reserve(s->k, s->cap, s->n + 1, 32) != RBL_OK)
		return RBL_ENOMEM;
	s->k[s->n++] = *k;
	return 0;
}

/* ------------------------------------------------------------- metrics */

typedef struct ranked {
	const char *name;
	const rbl_kstats_ent *e;
} ranked;

static int by_queries(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	return x->e->queries < y->e->queries ? 1
	       : x->e->queries > y->e->queries ? -1 : strcmp(x->name, y->name);
}

static void metric_line(adm_buf *b, const char *metric, const char *lab,
			const char *name, uint64_t v)
{
	adm_printf(b, "%s{%s=\"", metric, lab);
	for (const char *p = name; *p; p++) {	/* names: [A-Za-z0-9._-] */
		if (*p == '\\' || *p == '"')
			adm_put(b, "\\", 1);
		adm_put(b, p, 1);
	}
	adm_printf(b, "\"} %llu\n", (unsigned long long)v);
}

static void key_series(adm_buf *b, const ranked *v, size_t n,
		       const rbl_kstats_ent *other,
		       const rbl_kstats_ent *unknown)
{
	static const char *const m[3] = { "rbl_key_queries_total",
		"rbl_key_listed_total", "rbl_key_refused_total" };

	for (int j = 0; j < 3; j++) {
		uint64_t rest[3] = { other->queries, other->listed,
				     other->refused };

		adm_printf(b, "# HELP %s rbld answers per access key (top %d "
			   "by queries; the rest as (other), keys nobody has "
			   "as (unknown)).\n# TYPE %s counter\n", m[j],
			   METRIC_TOP, m[j]);
		for (size_t i = 0; i < n; i++) {
			uint64_t x[3] = { v[i].e->queries, v[i].e->listed,
					  v[i].e->refused };

			if (i < METRIC_TOP)
				metric_line(b, m[j], "key", v[i].name, x[j]);
			else
				rest[j] += x[j];
		}
		metric_line(b, m[j], "key", "(other)", rest[j]);
		metric_line(b, m[j], "key", "(unknown)", j == 0 ?
			    unknown->queries : j == 1 ? 0 : unknown->refused);
	}
}

static int zone_metric(void *arg, const rbl_zone *z)
{
	void **ctx = arg;
	adm_buf *b = ctx[0];
	const rbl_kstats_ent *e = zone_ent(ctx[1], z->id);

	if (!e)
		return 0;
	metric_line(b, "rbl_zone_queries_total", "zone", z->name, e->queries);
	metric_line(b, "rbl_zone_listed_total", "zone", z->name, e->listed);
	metric_line(b, "rbl_zone_refused_total", "zone", z->name, e->refused);
	return 0;
}

void adm_key_metrics(adm_buf *b, adm_req *r)
{
	rbl_kstats_area *a = counters(r->app);
	key_set s = { 0 };
	ranked *v = NULL;
	size_t n = 0;
	rbl_txn *t = NULL;

	if (!a)
		return;
	if (adm_txn(r, false, &t) == RBL_OK) {
		void *ctx[2] = { b, a };

		rbl_qkey_foreach(t, collect, &s);
		adm_puts(b, "# HELP rbl_zone_queries_total rbld answers per zone "
			 "(also _listed_total, _refused_total: key errors).\n"
			 "# TYPE rbl_zone_queries_total counter\n");
		rbl_zone_foreach(t, zone_metric, ctx);
		rbl_txn_abort(t);
	}
	v = calloc(s.n + 1, sizeof *v);
	for (size_t i = 0; v && i < s.n; i++) {
		const rbl_kstats_ent *e = key_ent(a, s.k[i].number);

		if (e)
			v[n++] = (ranked){ s.k[i].name, e };
	}
	if (v) {
		qsort(v, n, sizeof *v, by_queries);
		key_series(b, v, n, &a->key_other, &a->key_unknown);
	}
	free(v);
	free(s.k);
	free(a);
}

/* ---------------------------------------------------------------- page */

typedef struct day_ctx {
	uint32_t day0;
	double keys[TOP_SERIES + 1][DAYS];	/* top keys, then the rest */
	double zones[TOP_SERIES + 1][DAYS];
	uint32_t top_key[TOP_SERIES], top_zone[TOP_SERIES];
} day_ctx;

static int series_of(const uint32_t *top, uint32_t id)
{
	for (int i = 0; i < TOP_SERIES; i++)
		if (top[i] && top[i] == id)
			return i;
	return TOP_SERIES;
}

static int day_row(void *arg, uint32_t day, int kind, uint32_t id,
		   uint64_t n)
{
	day_ctx *c = arg;
	unsigned d = day - c->day0;

	/* today is read live from rbld's counters instead */
	if (day < c->day0 || d >= DAYS - 1)
		return 0;
	if (kind == RBL_QKDAY_KEY)
		c->keys[series_of(c->top_key, id)][d] += (double)n;
	else
		c->zones[series_of(c->top_zone, id)][d] += (double)n;
	return 0;
}

static void chart(adm_buf *b, const char *title, double v[][DAYS],
		  const char *const *names, uint32_t day0)
{
	static const char *const colors[TOP_SERIES + 1] = { "#1f6feb",
		"#2da44e", "#bf8700", "#8c959f" };
	char days[DAYS][8];
	const char *labels[DAYS];
	adm_series s[TOP_SERIES + 1];
	size_t ns = 0;

	for (int i = 0; i < DAYS; i++) {
		char full[32];

		adm_time((int64_t)(day0 + (uint32_t)i) * 86400, "", full);
		snprintf(days[i], sizeof days[i], "%.5s", full + 5);
		labels[i] = i % 2 ? NULL : days[i];
	}
	for (int i = 0; i <= TOP_SERIES; i++)
		if (names[i])
			s[ns++] = (adm_series){ names[i], v[i], colors[i] };
	if (ns)
		adm_svg_bars(b, title, labels, DAYS, s, ns);
}

/* Up to TOP_SERIES keys with the most queries: their numbers and names. */
static void top_keys(const key_set *s, const rbl_kstats_area *a,
		     uint32_t *top, const char **names)
{
	for (size_t i = 0; i < s->n; i++) {
		const rbl_kstats_ent *e = key_ent(a, s->k[i].number);
		uint64_t q = e ? e->queries : 0;

		for (int j = 0; j < TOP_SERIES; j++) {
			const rbl_kstats_ent *o = top[j]
				? key_ent(a, top[j]) : NULL;

			if (!top[j] || q > (o ? o->queries : 0)) {
				memmove(top + j + 1, top + j,
					(TOP_SERIES - 1 - (size_t)j) * sizeof *top);
				memmove(names + j + 1, names + j,
					(TOP_SERIES - 1 - (size_t)j) *
					sizeof *names);
				top[j] = s->k[i].number;
				names[j] = s->k[i].name;
				break;
			}
		}
	}
}

typedef struct zone_ctx {
	adm_buf *b;
	const rbl_kstats_area *a;
	int64_t now;
	day_ctx *days;
	const char *names[TOP_SERIES + 1];
	char zname[TOP_SERIES][RBL_NAME_MAX + 1];
	int nz;
} zone_ctx;

static int zone_row(void *arg, const rbl_zone *z)
{
	zone_ctx *c = arg;
	const rbl_kstats_ent *e = zone_ent(c->a, z->id);

	adm_puts(c->b, "<tr>");
	adm_td(c->b, "Zone", "mono", "%W", z->name);
	adm_td(c->b, "Today", "num", "%llu",
	       (unsigned long long)today_of(e, c->now));
	adm_td(c->b, "Queries", "num", "%llu",
	       (unsigned long long)(e ? e->queries : 0));
	adm_td(c->b, "Listed", "num", "%llu",
	       (unsigned long long)(e ? e->listed : 0));
	adm_td(c->b, "Refused", "num", "%llu",
	       (unsigned long long)(e ? e->refused : 0));
	adm_puts(c->b, "</tr>");
	if (c->nz < TOP_SERIES) {	/* the first zones get a series */
		snprintf(c->zname[c->nz], sizeof c->zname[0], "%s", z->name);
		c->names[c->nz] = c->zname[c->nz];
		c->days->top_zone[c->nz++] = z->id;
	}
	if (e && c->days)
		c->days->zones[series_of(c->days->top_zone, z->id)][DAYS - 1] +=
			(double)today_of(e, c->now);
	return 0;
}

static void key_row(adm_buf *b, const adm_req *r, const rbl_qkey *k,
		    const rbl_kstats_ent *e)
{
	char zones[RBL_QKEY_ZONES_MAX * (RBL_NAME_MAX + 1) + 2], sec[16];
	int64_t last = k->last_used;
	bool on = k->state == RBL_QKEY_ACTIVE;

	if (e && e->last_used > last)
		last = e->last_used;
	rbl_qkey_zones_text(k, zones, sizeof zones);
	adm_puts(b, "<tr>");
	adm_td(b, "Key", "mono", "%W", k->name);
	adm_td(b, "State", NULL, "%s", rbl_qkey_state_name(k->state));
	adm_td(b, "Secret", "mono", "%s", rbl_qkey_secret_short(k->secret,
								 sec));
	adm_td(b, "Zones", "mono", "%W", zones);
	adm_td(b, "Quota/day", "num", "%u", (unsigned)k->quota);
	adm_td(b, "Today", "num", "%llu",
	       (unsigned long long)today_of(e, r->now));
	adm_td(b, "Queries", "num", "%llu",
	       (unsigned long long)(e ? e->queries : 0));
	adm_td(b, "Listed", "num", "%llu",
	       (unsigned long long)(e ? e->listed : 0));
	adm_td(b, "Refused", "num", "%llu",
	       (unsigned long long)(e ? e->refused : 0));
	adm_td_time(b, "Last used", last, "never");
	adm_puts(b, "<td data-l=\"\">");
	adm_post_button(b, r, on ? "/admin/keys/disable" : "/admin/keys/enable",
			on ? "Disable" : "Enable", "name", k->name);
	adm_post_button(b, r, "/admin/keys/rotate", "Rotate", "name", k->name);
	adm_post_button(b, r, "/admin/keys/del", "Remove", "name", k->name);
	adm_puts(b, "</td></tr>");
}

static void add_form(adm_buf *b, const adm_req *r)
{
	adm_puts(b, "<h2>New key</h2><form method=\"post\" "
		 "action=\"/admin/keys\">");
	adm_csrf_field(b, r);
	adm_field(b, "text", "name", "Name", "1-32 of A-Z a-z 0-9 . _ -: "
		  "the key's id in lists, statistics and the audit log", NULL,
		  NULL, "required maxlength=\"32\"");
	adm_field(b, "text", "zones", "Zones", "comma-separated; empty: "
		  "every zone that takes keys", NULL, NULL, NULL);
	adm_field(b, "text", "quota", "Queries per day", "0 or empty: no "
		  "quota", NULL, NULL, NULL);
	adm_field(b, "text", "contact", "Contact", "who to tell (kept with "
		  "the key)", NULL, NULL, "maxlength=\"200\"");
	adm_puts(b, "<div><button type=\"submit\">Add key</button></div>"
		 "</form>");
}

static void keys_body(adm_buf *b, const adm_req *r, rbl_txn *t,
		      const rbl_kstats_area *a)
{
	static const char *const kcols[] = { "Key", "State", "Secret",
		"Zones", "#Quota/day", "#Today", "#Queries", "#Listed",
		"#Refused", "Last used", "", NULL };
	static const char *const zcols[] = { "Zone", "#Today", "#Queries",
		"#Listed", "#Refused", NULL };
	day_ctx days = { .day0 = (uint32_t)(r->now / 86400) - (DAYS - 1) };
	const char *knames[TOP_SERIES + 1] = { NULL };
	zone_ctx zc = { .b = b, .a = a, .now = r->now, .days = &days };
	adm_buf charts = { 0 };
	key_set s = { 0 };

	rbl_qkey_foreach(t, collect, &s);
	adm_table_begin(b, "keys", kcols);
	for (size_t i = 0; i < s.n; i++)
		key_row(b, r, &s.k[i], key_ent(a, s.k[i].number));
	adm_table_end(b);
	if (s.n == 0)
		adm_puts(b, "<p>No keys yet.</p>");
	if (a)
		adm_htmlf(b, "<p>Not counted per key: %llu queries with keys "
			  "nobody has; %llu of keys beyond the %u counted "
			  "apart.</p>", (unsigned long long)a->key_unknown.queries,
			  (unsigned long long)a->key_other.queries,
			  RBL_KSTATS_KEYS);
	top_keys(&s, a, days.top_key, knames);
	knames[TOP_SERIES] = s.n > TOP_SERIES ? "other keys" : NULL;
	adm_puts(b, "<h2>Zones</h2>");
	adm_table_begin(b, "zonestats", zcols);
	rbl_zone_foreach(t, zone_row, &zc);
	adm_table_end(b);
	zc.names[TOP_SERIES] = zc.nz == TOP_SERIES ? "other zones" : NULL;
	rbl_qkey_day_foreach(t, days.day0, day_row, &days);
	for (size_t i = 0; i < s.n; i++) {	/* today: live */
		const rbl_kstats_ent *e = key_ent(a, s.k[i].number);

		days.keys[series_of(days.top_key, s.k[i].number)][DAYS - 1] +=
			(double)today_of(e, r->now);
	}
	adm_buf_init(&charts);
	chart(&charts, "Keyed queries per day (UTC)", days.keys, knames,
	      days.day0);
	chart(&charts, "Queries per zone and day (UTC)", days.zones, zc.names,
	      days.day0);
	adm_puts(b, "<h2>Per day</h2>");
	adm_put(b, charts.p, charts.len);
	adm_buf_free(&charts);
	free(s.k);
}

void page_keys(adm_req *r, adm_resp *o)
{
	rbl_kstats_area *a = counters(r->app);
	rbl_txn *t = NULL;

	adm_page_begin(&o->body, r, "Access keys");
	adm_puts(&o->body, "<p>Keys go into query names between the address "
		 "and the zone (<code>2.0.0.127.KEY.zone</code>) of zones with "
		 "<code>keys: accept</code> or <code>require</code> in "
		 "rbld.conf.  rbld answers by a change at its next query.  "
		 "Errors are answered in 127.255.255.250-254 (doc/mta.md).  "
		 "Counts are rbld's since it started; past days are kept by "
		 "<code>rblctl purge</code>.</p>");
	if (!a)
		adm_notice(&o->body, "warn", "rbld's key counters are not "
			   "readable: is rbld running with this stats-file?");
	if (adm_txn(r, false, &t) == RBL_OK) {
		keys_body(&o->body, r, t, a);
		rbl_txn_abort(t);
	}
	add_form(&o->body, r);
	adm_page_end(&o->body);
	free(a);
}

/* --------------------------------------------------------------- forms */

static int parse_quota(const char *s, uint32_t *out)
{
	char *end = NULL;
	unsigned long v;

	*out = 0;
	if (!s || !*s)
		return RBL_OK;
	v = strtoul(s, &end, 10);
	if (*end || v > UINT32_MAX)
		return RBL_EINVAL;
	*out = (uint32_t)v;
	return RBL_OK;
}

void page_keys_add(adm_req *r, adm_resp *o)
{
	const char *name = adm_form_get(&r->form, "name");
	const char *contact = adm_form_get(&r->form, "contact");
	rbl_qkey k = { 0 };
	rbl_txn *t = NULL;
	int rc = name && rbl_qkey_name_valid(name) &&
		 rbl_qkey_set_zones(&k, adm_form_get(&r->form, "zones")) ==
		 RBL_OK && parse_quota(adm_form_get(&r->form, "quota"),
				       &k.quota) == RBL_OK &&
		 (!contact || strlen(contact) <= RBL_QKEY_CONTACT_MAX)
		 ? RBL_OK : RBL_EINVAL;

	if (rc == RBL_OK) {
		snprintf(k.name, sizeof k.name, "%s", name);
		snprintf(k.contact, sizeof k.contact, "%s",
			 contact ? contact : "");
		rc = adm_txn(r, true, &t);
	}
	if (rc == RBL_OK) {
		rc = rbl_qkey_add(t, &k, r->now);
		if (rc == RBL_OK)
			rc = adm_audit(r, t, RBL_AUDIT_KEY_ADD, k.name, "", "key exists",
				       "");
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK)
		adm_say(r, false, "Key %s added.  Its secret, shown this once "
			"here: %s (rblctl key show prints it again)", k.name,
			k.secret);
	else
		adm_say(r, true, "No key added: %s", rc == RBL_EINVAL ? "check "
			"the name (1-32 of A-Z a-z 0-9 . _ -), the zones and the "
			"quota (a number)" : rc == RBL_EEXIST ? "a key of that "
			"name exists" : rbl_strerror(rc));
	adm_redirect(o, "/admin/keys");
}

static void key_action(adm_req *r, adm_resp *o, const char *what)
{
	const char *name = adm_form_get(&r->form, "name");
	rbl_qkey k = { 0 };
	rbl_txn *t = NULL;
	int rc = name && rbl_qkey_name_valid(name) ? adm_txn(r, true, &t)
						   : RBL_EINVAL;

	if (rc == RBL_OK) {
		if (strcmp(what, "rotate") == 0)
			rc = rbl_qkey_rotate(t, name, r->now, &k);
		else if (strcmp(what, "del") == 0)
			rc = rbl_qkey_del(t, name);
		else
			rc = rbl_qkey_set_state(t, name, what[0] == 'e'
						? RBL_QKEY_ACTIVE
						: RBL_QKEY_DISABLED);
		if (rc == RBL_OK)
			rc = adm_audit(r, t, strcmp(what, "del") == 0
				       ? RBL_AUDIT_KEY_DEL : strcmp(what, "rotate") == 0
				       ? RBL_AUDIT_KEY_ROTATE : RBL_AUDIT_KEY_CHANGE, name, "",
				       what, "");
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK && strcmp(what, "rotate") == 0)
		adm_say(r, false, "Key %s rotated: the old secret stops at "
			"rbld's next query.  The new one, shown this once here: "
			"%s", name, k.secret);
	else if (rc == RBL_OK)
		adm_say(r, false, "Key %s %s.", name, strcmp(what, "del") == 0
			? "removed" : what[0] == 'e' ? "enabled" : "disabled");
	else
		adm_say(r, true, "Key not changed: %s", rc == RBL_ENOTFOUND ||
			rc == RBL_EINVAL ? "no such key" : rbl_strerror(rc));
	adm_redirect(o, "/admin/keys");
}

void page_keys_disable(adm_req *r, adm_resp *o) { key_action(r, o, "disable"); }
void page_keys_enable(adm_req *r, adm_resp *o) { key_action(r, o, "enable"); }
void page_keys_rotate(adm_req *r, adm_resp *o) { key_action(r, o, "rotate"); }
void page_keys_del(adm_req *r, adm_resp *o) { key_action(r, o, "del"); }
