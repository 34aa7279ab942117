/*
 * policy_aggregate.c -- optional listing of whole prefixes once enough
 * distinct addresses inside them are listed by a policy.  Off by default:
 * one infected customer must not list an ISP's range.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/store/entry.h"
#include "zone/error.h"
#include "zone/policy/policy.h"
#include "zone/policy/policy_impl.h"

#define AGG_MAX_MEMBERS 4096	/* hosts examined per prefix */

typedef struct members {
	int64_t now;
	uint8_t host_len;
	size_t n;
	int64_t exp[AGG_MAX_MEMBERS];	/* INT64_MAX = never */
	rbl_entry model;		/* codes/TXT for the aggregate */
	bool have_model;
} members;

static int count_member(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	members *m = arg;

	if (p->len != m->host_len || (e->flags & RBL_ENTRY_EXCLUDE) ||
	    !pol_is_policy_entry(e) || !rbl_live(e->expires, m->now))
		return 0;
	if (m->n == AGG_MAX_MEMBERS)
		return 1;
	m->exp[m->n++] = e->expires ? e->expires : INT64_MAX;
	if (!m->have_model || e->expires == 0 ||
	    (m->model.expires && e->expires > m->model.expires)) {
		m->model = *e;
		m->have_model = true;
	}
	return 0;
}

static int cmp_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

typedef struct excl_arg {
	rbl_txn *t;
	const rbl_policy *p;
	int64_t exp;
} excl_arg;

static int exclude_allowed(void *arg, const rbl_prefix *pfx,
			   const rbl_entry *e)
{
	excl_arg *x = arg;
	rbl_entry ex = { 0 };

	if (e->flags & RBL_ENTRY_EXCLUDE)
		return 0;
	rbl_entry_init(&ex);
	ex.flags = RBL_ENTRY_EXCLUDE;
	ex.expires = x->exp;
	pol_source(x->p, ex.source);
	return rbl_ip_add(x->t, x->p->list_id, pfx, &ex);
}

/* Exclude blocked addresses inside AGG from it. */
static int exclude_blocked(rbl_txn *t, const rbl_policy *p,
			   const rbl_prefix *agg, int64_t exp)
{
	uint8_t lo[PNOTE_KEY_LEN], hi[PNOTE_KEY_LEN];
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	rbl_prefix last = *agg;
	int rc = pol_note_table(t, &tb);

	if (rc)
		return rc;
	lo[0] = hi[0] = 'b';
	pol_subject_key(lo + 1, agg);
	rbl_prefix_last(agg, &last.addr);
	last.len = 255;
	pol_subject_key(hi + 1, &last);
	rbl_table_iter_init(&it, &tb, lo, sizeof lo, 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		rbl_prefix b = { 0 };
		rbl_entry ex = { 0 };
		if (k.len != PNOTE_KEY_LEN || memcmp(k.p, hi, k.len) > 0) {
			rc = RBL_OK;
			break;
		}
		pol_subject_decode((const uint8_t *)k.p + 1, &b);
		rbl_entry_init(&ex);
		ex.flags = RBL_ENTRY_EXCLUDE;
		ex.expires = exp;
		pol_source(p, ex.source);
		if ((rc = rbl_ip_add(t, p->list_id, &b, &ex)))
			break;
	}
	rbl_table_iter_end(&it);
	return rc;
}

static int write_aggregate(rbl_txn *t, const rbl_policy *p,
			   const rbl_prefix *agg, members *m, int64_t exp,
			   rbl_policy_result *res)
{
	rbl_entry old = { 0 }, e = m->model;
	excl_arg x = { t, p, exp };
	int rc = rbl_ip_get(t, p->list_id, agg, &old);

	if (rc == RBL_OK && !(old.flags & RBL_ENTRY_EXCLUDE) &&
	    old.expires == exp)
		return RBL_OK;
	if (rc && rc != RBL_ENOTFOUND)
		return rc;
	if (rc == RBL_ENOTFOUND && res)
		res->aggregated++;
	e.expires = exp;
	pol_source(p, e.source);
	if ((rc = rbl_ip_add(t, p->list_id, agg, &e)))
		return rc;
	if (p->allow_list_id &&
	    (rc = rbl_ip_foreach(t, p->allow_list_id, agg, exclude_allowed, &x)))
		return rc;
	return exclude_blocked(t, p, agg, exp);
}

int pol_aggregate(rbl_txn *t, const rbl_policy *p, const rbl_addr *a,
		  int64_t now, rbl_policy_result *res)
{
	members *m = calloc(1, sizeof *m);
	rbl_prefix agg = { 0 };
	rbl_entry old = { 0 };
	int rc;

	if (!m)
		return RBL_ENOMEM;
	agg.addr = *a;
	agg.len = a->family == RBL_AF4 ? p->aggregate_len4 : p->aggregate_len6;
	rbl_prefix_canon(&agg);
	m->now = now;
	m->host_len = (uint8_t)rbl_addr_bits(a->family);
	rc = rbl_ip_foreach(t, p->list_id, &agg, count_member, m);
	if (rc == 1)
		rc = RBL_OK;
	if (rc == RBL_OK && m->n >= p->aggregate_min) {
		qsort(m->exp, m->n, sizeof m->exp[0], cmp_desc);
		int64_t exp = m->exp[p->aggregate_min - 1];
		rc = write_aggregate(t, p, &agg, m, exp == INT64_MAX ? 0 : exp,
				     res);
	} else if (rc == RBL_OK) {
		rc = rbl_ip_get(t, p->list_id, &agg, &old);
		if (rc == RBL_OK && pol_is_policy_entry(&old) &&
		    !(old.flags & RBL_ENTRY_EXCLUDE))
			rc = rbl_ip_del(t, p->list_id, &agg);
		else if (rc == RBL_ENOTFOUND)
			rc = RBL_OK;
	}
	free(m);
	return rc;
}
