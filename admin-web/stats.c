/*
 * stats.c -- dashboard and metrics numbers (see stats.h).
 */
#include <stdint.h>
#include <string.h>

#include "zone/people/audit.h"
#include "zone/people/delist.h"
#include "zone/error.h"
#include "stats.h"

#define MAX_AGE		60
#define DAY		86400

struct walk_ctx {
	rbl_txn *t;
	adm_stats *s;
	int64_t now;
};

static void bucket(double *days, int64_t day0, int64_t when)
{
	int64_t i;

	if (when < day0)
		return;
	i = (when - day0) / DAY;
	if (i < ADM_DAYS)
		days[i]++;
}

static void count_entry(struct walk_ctx *c, const rbl_entry *e)
{
	c->s->walked++;
	bucket(c->s->added, c->s->day0, e->added);
	if (e->expires && e->expires <= c->now)
		bucket(c->s->expired, c->s->day0, e->expires);
}

static int ip_visit(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	count_entry(arg, e);
	return 0;
}

static int name_visit(void *arg, const char *name, const rbl_entry *e)
{
	count_entry(arg, e);
	return 0;
}

static int list_visit(void *arg, const rbl_list *l)
{
	struct walk_ctx *c = arg;

	c->s->entries += l->n_entries;
	return l->kind == RBL_LIST_IP
		? rbl_ip_foreach(c->t, l->id, NULL, ip_visit, c)
		: rbl_name_foreach(c->t, l->id, name_visit, c);
}

static int audit_visit(void *arg, const rbl_audit_rec *r)
{
	struct walk_ctx *c = arg;

	if (strcmp(r->action, RBL_AUDIT_DELIST_CONFIRM) == 0 ||
	    strcmp(r->action, RBL_AUDIT_LISTING_DEL) == 0)
		bucket(c->s->delisted, c->s->day0, r->time);
	return 0;
}

static int evidence_visit(void *arg, const rbl_evidence *ev)
{
	struct walk_ctx *c = arg;

	if (ev->kind <= RBL_EV_KINDS)
		c->s->evidence[ev->kind]++;
	if (ev->when >= c->now - DAY)
		c->s->evidence_24h++;
	return 0;
}

static int req_visit(void *arg, const rbl_delist_req *q)
{
	adm_stats *s = arg;

	s->pending += q->state == RBL_DELIST_PENDING;
	s->confirmed += q->state == RBL_DELIST_CONFIRMED;
	s->rejected += q->state == RBL_DELIST_REJECTED;
	return 0;
}

static int compute(rbl_txn *t, int64_t now, adm_stats *s)
{
	struct walk_ctx c = { t, s, now };
	rbl_audit_filter f = { .since = 0 };
	int rc;

	memset(s, 0, sizeof *s);
	s->day0 = now - now % DAY - (ADM_DAYS - 1) * (int64_t)DAY;
	f.since = s->day0;
	rc = rbl_list_foreach(t, list_visit, &c);
	if (rc == RBL_OK)
		rc = rbl_audit_foreach(t, &f, audit_visit, &c);
	/* All evidence through the time index: rbl_evidence_foreach() hands
	 * memcmp a NULL prefix (UBSan stops on it; reported to import). */
	if (rc == RBL_OK)
		rc = rbl_evidence_foreach_since(t, INT64_MIN, evidence_visit, &c);
	if (rc == RBL_OK)
		rc = rbl_delist_foreach(t, 0, false, req_visit, s);
	s->computed = now;
	return rc;
}

void adm_stats_cache_init(adm_stats_cache *c)
{
	memset(c, 0, sizeof *c);
	pthread_mutex_init(&c->lock, NULL);
}

void adm_stats_cache_free(adm_stats_cache *c)
{
	pthread_mutex_destroy(&c->lock);
}

int adm_stats_get(adm_app *app, int64_t now, adm_stats *out)
{
	adm_stats_cache *c = app->stats;
	rbl_txn *t = NULL;
	int rc = RBL_OK;

	/* One computation at a time; others wait and share its result. */
	pthread_mutex_lock(&c->lock);
	if (!c->s.computed || now - c->s.computed >= MAX_AGE ||
	    now < c->s.computed) {
		rc = rbl_txn_begin(app->store, false, &t);
		if (rc == RBL_OK) {
			rc = compute(t, now, &c->s);
			rbl_txn_abort(t);
		}
		if (rc != RBL_OK)
			c->s.computed = 0;
	}
	*out = c->s;
	pthread_mutex_unlock(&c->lock);
	return rc;
}
