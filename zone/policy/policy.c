/*
 * policy.c -- listing policy: configuration, decaying scores kept per
 * (subject, list), and turning a score into a listing with an expiry.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/entry.h"
#include "zone/error.h"
#include "zone/policy/policy.h"
#include "zone/policy/policy_impl.h"

#define MAX_EXPIRY_SPAN	((int64_t)100 * 365 * 86400)	/* clamp */
#define RECOMPUTE_MAX	1000000		/* evidence per subject replayed */

/* ------------------------------------------------------ configuration */

static int load_kinds(const rbl_conf *c, const rbl_conf_section *s,
		      rbl_policy *p, char *err, size_t errlen)
{
	char key[32];
	int rc;

	for (int k = 1; k <= RBL_EV_KINDS; k++) {
		const char *name = rbl_evidence_kind_name(k), *txt;
		snprintf(key, sizeof key, "weight-%s", name);
		if ((rc = rbl_polconf_weight(c, s, key, 1, &p->kind_weight[k], err,
				      errlen)))
			return rc;
		snprintf(key, sizeof key, "code-%s", name);
		if ((rc = rbl_polconf_code(c, s, key, &p->code[k], err, errlen)))
			return rc;
		snprintf(key, sizeof key, "txt-%s", name);
		if ((txt = rbl_conf_get(s, key))) {
			p->has_txt[k] = true;
			rbl_polconf_copy(p->txt[k], sizeof p->txt[k], txt);
		}
	}
	return RBL_OK;
}

static int load_aggregate(const rbl_conf *c, const rbl_conf_section *s,
			  rbl_policy *p, char *err, size_t errlen)
{
	uint32_t l4 = 0, l6 = 0;
	int rc;

	if ((rc = rbl_conf_bool(c, s, "aggregate", false, &p->aggregate, err,
				errlen)) ||
	    (rc = rbl_conf_u32(c, s, "aggregate-prefix4", 24, &l4, err, errlen)) ||
	    (rc = rbl_conf_u32(c, s, "aggregate-prefix6", 64, &l6, err, errlen)) ||
	    (rc = rbl_conf_u32(c, s, "aggregate-min", 5, &p->aggregate_min,
			       err, errlen)))
		return rc;
	if (l4 < 8 || l4 > 31 || l6 < 16 || l6 > 127 || p->aggregate_min < 2) {
		snprintf(err, errlen, "%s:%u: policy %s: aggregate-prefix4 must "
			 "be 8..31, aggregate-prefix6 16..127, aggregate-min >= 2",
			 c->path, s->line, s->title);
		return RBL_EINVAL;
	}
	p->aggregate_len4 = (uint8_t)l4;
	p->aggregate_len6 = (uint8_t)l6;
	return RBL_OK;
}

static int load_one(const rbl_conf *c, const rbl_conf_section *s,
		    rbl_policy *p, char *err, size_t errlen)
{
	int rc;

	memset(p, 0, sizeof *p);
	rbl_polconf_copy(p->name, sizeof p->name, s->title);
	if (!rbl_conf_get(s, "list")) {
		snprintf(err, errlen, "%s:%u: policy %s: \"list\" is required",
			 c->path, s->line, s->title);
		return RBL_EINVAL;
	}
	rbl_polconf_copy(p->list, sizeof p->list, rbl_conf_get(s, "list"));
	rbl_polconf_copy(p->reputation_list, sizeof p->reputation_list,
		  rbl_conf_get(s, "reputation-list"));
	rbl_polconf_copy(p->allow_list, sizeof p->allow_list,
		  rbl_conf_get(s, "allow-list"));
	if ((rc = rbl_polconf_scoring(c, s, &p->half_life, &p->expire_after,
				      &p->threshold, err, errlen)) ||
	    (rc = load_kinds(c, s, p, err, errlen)))
		return rc;
	return load_aggregate(c, s, p, err, errlen);
}

int rbl_policy_load(const rbl_conf *c, rbl_policy_set **out, char *err,
		    size_t errlen)
{
	const rbl_conf_section *s = NULL;
	rbl_policy_set *set = calloc(1, sizeof *set);
	size_t n = 0;
	int rc = RBL_OK;

	if (!set)
		return RBL_ENOMEM;
	while ((s = rbl_conf_next(c, "policy", s)))
		n++;
	set->policies = calloc(n ? n : 1, sizeof *set->policies);
	if (!set->policies) {
		free(set);
		return RBL_ENOMEM;
	}
	rc = rbl_polconf_retention(c, &set->retention, err, errlen);
	for (s = NULL; rc == RBL_OK && (s = rbl_conf_next(c, "policy", s));)
		rc = load_one(c, s, &set->policies[set->n++], err, errlen);
	if (rc) {
		rbl_policy_free(set);
		return rc;
	}
	*out = set;
	return RBL_OK;
}

void rbl_policy_free(rbl_policy_set *set)
{
	if (!set)
		return;
	free(set->policies);
	free(set);
}

static int resolve(rbl_txn *t, const rbl_policy *p, const char *list,
		   uint32_t *id, char *err, size_t errlen)
{
	return rbl_polconf_list(t, "policy", p->name, list, RBL_LIST_IP, id,
				err, errlen);
}

int rbl_policy_resolve(rbl_txn *t, rbl_policy_set *set, char *err,
		       size_t errlen)
{
	for (size_t i = 0; i < set->n; i++) {
		rbl_policy *p = &set->policies[i];
		int rc;
		if ((rc = resolve(t, p, p->list, &p->list_id, err, errlen)) ||
		    (rc = resolve(t, p, p->reputation_list,
				  &p->reputation_list_id, err, errlen)) ||
		    (rc = resolve(t, p, p->allow_list, &p->allow_list_id, err,
				  errlen)))
			return rc;
	}
	return RBL_OK;
}

const rbl_policy *rbl_policy_find(const rbl_policy_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->policies[i].name, name) == 0)
			return &set->policies[i];
	return NULL;
}

/* ------------------------------------------------------------ listing */

/* When the listing of ST ends (0 = never); *ON false if the score is
 * below the threshold already at the newest evidence. */
static int64_t listing_expiry(const rbl_policy *p, const pstate *st, bool *on)
{
	double s = pol_state_score(st);
	int64_t exp = 0;

	*on = s >= p->threshold;
	if (!*on)
		return 0;
	if (p->half_life > 0) {
		/* score(t) >= threshold while t - t_ref <= h * log2(s/thr) */
		double dt = (double)p->half_life * log2(s / p->threshold);
		if (dt > (double)MAX_EXPIRY_SPAN)
			dt = (double)MAX_EXPIRY_SPAN;
		exp = st->t_ref + (int64_t)floor(dt) + 1;
	}
	if (p->expire_after > 0) {
		int64_t e2 = st->t_ref + p->expire_after;
		exp = exp == 0 || e2 < exp ? e2 : exp;
	}
	return exp;
}

static int is_allowed_subject(rbl_txn *t, const rbl_policy *p,
			      const rbl_prefix *subject, int64_t now)
{
	rbl_match m = { 0 };
	int rc;

	if (!p->allow_list_id)
		return 0;
	rc = rbl_ip_lookup(t, p->allow_list_id, &subject->addr, now, &m);
	if (rc == RBL_OK)
		return 1;
	if (rc != RBL_ENOTFOUND)
		return rc;
	if (subject->len == rbl_addr_bits(subject->addr.family))
		return 0;
	return rbl_ip_any_within(t, p->allow_list_id, subject, now);
}

static int unlist(rbl_txn *t, const rbl_policy *p, const rbl_prefix *subject,
		  pstate *st)
{
	int rc;

	if (!st->listed)
		return RBL_OK;
	rc = rbl_ip_del(t, p->list_id, subject);
	if (rc && rc != RBL_ENOTFOUND)
		return rc;
	st->listed = 0;
	st->listed_expires = 0;
	st->listed_kind = 0;
	return RBL_OK;
}

static int write_listing(rbl_txn *t, const rbl_policy *p,
			 const rbl_prefix *subject, pstate *st, uint8_t kind,
			 int64_t exp)
{
	rbl_entry e = { 0 };
	int rc;

	rbl_entry_init(&e);
	if (p->code[kind]) {
		e.n_codes = 1;
		e.codes[0] = p->code[kind];
	}
	if (p->has_txt[kind]) {
		e.flags |= RBL_ENTRY_HAS_TXT;
		rbl_polconf_copy(e.txt, sizeof e.txt, p->txt[kind]);
	}
	e.expires = exp;
	e.added = st->first_seen > 0 ? st->first_seen : 1;
	pol_source(p, e.source);
	if ((rc = rbl_ip_add(t, p->list_id, subject, &e)))
		return rc;
	st->listed = 1;
	st->listed_kind = kind;
	st->listed_expires = exp;
	return RBL_OK;
}

int pol_settle_reputation(rbl_txn *t, const rbl_policy *p,
			     const rbl_prefix *subject, pstate *st,
			     int64_t now)
{
	int64_t at = now > st->t_ref ? now : st->t_ref;
	double s = rbl_policy_decay(p, pol_state_score(st), st->t_ref, at);
	unsigned x = rbl_policy_reputation(p, s);
	rbl_entry e = { 0 };
	int rc;

	if (!p->reputation_list_id ||
	    (st->rep == x && st->rep_list_id == p->reputation_list_id))
		return RBL_OK;
	rbl_entry_init(&e);
	e.n_codes = 1;
	e.codes[0] = 0x7f000400u | x;
	e.added = st->first_seen > 0 ? st->first_seen : 1;
	pol_source(p, e.source);
	if ((rc = rbl_ip_add(t, p->reputation_list_id, subject, &e)))
		return rc;
	st->rep = (uint8_t)x;
	st->rep_list_id = p->reputation_list_id;
	return RBL_OK;
}

int pol_drop_reputation(rbl_txn *t, const rbl_prefix *subject, pstate *st)
{
	int rc;

	if (!st->rep_list_id || st->rep == 255)
		return RBL_OK;
	rc = rbl_ip_del(t, st->rep_list_id, subject);
	if (rc && rc != RBL_ENOTFOUND)
		return rc;
	st->rep = 255;
	st->rep_list_id = 0;
	return RBL_OK;
}

int pol_settle(rbl_txn *t, const rbl_policy *p, const rbl_prefix *subject,
	       pstate *st, int64_t now, rbl_policy_result *res)
{
	bool on = false;
	int64_t exp = listing_expiry(p, st, &on);
	uint8_t kind = pol_state_dominant(st);
	bool was = st->listed && rbl_live(st->listed_expires, now);
	int rc = is_allowed_subject(t, p, subject, now);

	if (rc < 0)
		return rc;
	if (rc == 1 || !on || (exp != 0 && exp <= now)) {
		if (rc == 1 && res)
			res->ignored++;
		rc = unlist(t, p, subject, st);
	} else if (!st->listed || st->listed_expires != exp ||
		   st->listed_kind != kind) {
		rc = write_listing(t, p, subject, st, kind, exp);
		if (rc == RBL_OK && res) {
			if (was)
				res->refreshed++;
			else
				res->newly_listed++;
		}
	}
	if (rc == RBL_OK)
		rc = pol_settle_reputation(t, p, subject, st, now);
	if (rc == RBL_OK && p->aggregate &&
	    subject->len == rbl_addr_bits(subject->addr.family))
		rc = pol_aggregate(t, p, &subject->addr, now, res);
	return rc;
}

/* ----------------------------------------------------------- applying */

/* True if EV is at or before a delisting block of its subject. */
static int blocked(rbl_txn *t, const rbl_evidence *ev)
{
	rbl_policy_block_info blk = { 0 };
	int rc = pol_block_get(t, &ev->subject, &blk);

	if (rc == RBL_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	return ev->when <= blk.when ? 1 : 0;
}

int rbl_policy_note(rbl_txn *t, const rbl_policy_set *set,
		    const rbl_evidence *ev, rbl_policy_result *res)
{
	int rc = blocked(t, ev);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (res)
			res->ignored += (uint32_t)set->n;
		return RBL_OK;
	}
	for (size_t i = 0; i < set->n; i++) {
		const rbl_policy *p = &set->policies[i];
		double w = rbl_policy_weight(p, ev);
		pstate st = { 0 };
		bool found = false;
		if (!(w > 0) || !p->list_id) {
			if (res)
				res->ignored++;
			continue;
		}
		if ((rc = pol_state_get(t, &ev->subject, p->list_id, &st, &found)))
			return rc;
		pol_state_add(p, &st, ev->kind, w, ev->when);
		if ((rc = pol_state_put(t, &ev->subject, p->list_id, &st)))
			return rc;
	}
	return RBL_OK;
}

int rbl_policy_settle(rbl_txn *t, const rbl_policy_set *set,
		      const rbl_prefix *subject, int64_t now,
		      rbl_policy_result *res)
{
	for (size_t i = 0; i < set->n; i++) {
		const rbl_policy *p = &set->policies[i];
		pstate st = { 0 }, before = { 0 };
		bool found = false;
		int rc;
		if (!p->list_id)
			continue;
		if ((rc = pol_state_get(t, subject, p->list_id, &st, &found)))
			return rc;
		if (!found || st.n == 0)
			continue;
		before = st;
		if ((rc = pol_settle(t, p, subject, &st, now, res)))
			return rc;
		if (memcmp(&before, &st, sizeof st) != 0 &&
		    (rc = pol_state_put(t, subject, p->list_id, &st)))
			return rc;
	}
	return RBL_OK;
}

int rbl_policy_apply(rbl_txn *t, const rbl_policy_set *set,
		     const rbl_evidence *ev, int64_t now,
		     rbl_policy_result *res)
{
	int rc = rbl_policy_note(t, set, ev, res);

	return rc ? rc : rbl_policy_settle(t, set, &ev->subject, now, res);
}

/* Evidence of one subject, collected for replay in time order. */
typedef struct ev_list {
	rbl_evidence *v;
	size_t n, cap;
	int rc;
} ev_list;

static int collect(void *arg, const rbl_evidence *ev)
{
	ev_list *l = arg;

	if (l->n == RECOMPUTE_MAX)
		return 1;	/* the oldest beyond this no longer matter */
	if (rbl_array_reserve(l->v, l->cap, l->n + 1, 64) != RBL_OK) {
		l->rc = RBL_ENOMEM;
		return 1;
	}
	l->v[l->n++] = *ev;
	return 0;
}

/* Rebuild the state of SUBJECT under P from evidence L (newest first). */
static int recompute_one(rbl_txn *t, const rbl_policy *p,
			 const rbl_prefix *subject, const ev_list *l,
			 int64_t block_when, int64_t now)
{
	pstate st = { 0 }, old = { 0 };
	bool found = false;
	int rc = pol_state_get(t, subject, p->list_id, &old, &found);

	if (rc)
		return rc;
	memset(&st, 0, sizeof st);
	st.listed = old.listed;
	st.listed_kind = old.listed_kind;
	st.listed_expires = old.listed_expires;
	st.rep = old.rep;
	st.rep_list_id = old.rep_list_id;
	for (size_t i = l->n; i-- > 0;) {
		double w = rbl_policy_weight(p, &l->v[i]);
		if (w > 0 && l->v[i].when > block_when)
			pol_state_add(p, &st, l->v[i].kind, w, l->v[i].when);
	}
	if (st.n == 0) {	/* nothing counts any more */
		if (!found)
			return RBL_OK;
		if ((rc = unlist(t, p, subject, &st)) ||
		    (rc = pol_drop_reputation(t, subject, &st)))
			return rc;
		return pol_state_del(t, subject, p->list_id);
	}
	if ((rc = pol_settle(t, p, subject, &st, now, NULL)))
		return rc;
	return pol_state_put(t, subject, p->list_id, &st);
}

int rbl_policy_recompute(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *subject, int64_t now)
{
	ev_list l = { 0 };
	rbl_policy_block_info blk = { 0 };
	int64_t block_when = INT64_MIN;
	int rc = pol_block_get(t, subject, &blk);

	if (rc && rc != RBL_ENOTFOUND)
		return rc;
	if (rc == RBL_OK)
		block_when = blk.when;
	rc = rbl_evidence_foreach_subject(t, subject, collect, &l);
	if (rc == 1)
		rc = l.rc;
	for (size_t i = 0; rc == RBL_OK && i < set->n; i++)
		if (set->policies[i].list_id)
			rc = recompute_one(t, &set->policies[i], subject, &l,
					   block_when, now);
	free(l.v);
	return rc;
}
