/*
 * policy_admin.c -- what humans do to policy results and what they see:
 * delisting blocks, allow entries, explanations, score history, purge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/entry.h"
#include "zone/error.h"
#include "zone/policy/policy.h"
#include "zone/policy/policy_impl.h"
#include "zone/store/bytes.h"

/* ------------------------------------------------------------- blocks */

static bool valid_addr(const rbl_addr *a)
{
	return a && (a->family == RBL_AF4 || a->family == RBL_AF6);
}

/* The lists that hold state for SUBJECT (at most MAX) into IDS. */
static int state_lists(rbl_txn *t, const rbl_prefix *subject, uint32_t *ids,
		       size_t max, size_t *n)
{
	uint8_t prefix[PSUBJ_LEN];
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc;

	*n = 0;
	if ((rc = pol_state_table(t, &tb)))
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	pol_subject_key(prefix, subject);
	rbl_table_iter_init(&it, &tb, prefix, sizeof prefix, RBL_TABLE_PREFIX);
	while (*n < max && (rc = rbl_table_next(&it, &k, &v)) == 1) {
		if (k.len != PSTATE_KEY_LEN)
			break;
		ids[(*n)++] = rbl_get_be32((const uint8_t *)k.p + PSUBJ_LEN);
	}
	rbl_table_iter_end(&it);
	return rc < 0 ? rc : RBL_OK;
}

/* Exclude A from a wider automatic listing still covering it in LIST. */
static int exclude_if_covered(rbl_txn *t, uint32_t list,
			      const rbl_prefix *subject, int64_t now,
			      const char *who)
{
	rbl_prefix decided = { 0 };
	rbl_entry e = { 0 };
	int rc = rbl_ip_explain(t, list, &subject->addr, now, &decided, &e);

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc)
		return rc;
	if (decided.len >= subject->len || !pol_is_policy_entry(&e))
		return RBL_OK;
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_EXCLUDE;
	e.expires = 0;
	rbl_polconf_copy(e.source, sizeof e.source, who);
	return rbl_ip_add(t, list, subject, &e);
}

/* Zero the state of SUBJECT in LIST and drop its listing. */
static int block_state(rbl_txn *t, const rbl_prefix *subject, uint32_t list,
		       int64_t when, const char *who)
{
	pstate st = { 0 };
	bool found = false;
	int rc = pol_state_get(t, subject, list, &st, &found);

	if (rc || !found)
		return rc;
	if (st.listed) {
		rc = rbl_ip_del(t, list, subject);
		if (rc && rc != RBL_ENOTFOUND)
			return rc;
	}
	memset(st.kscore, 0, sizeof st.kscore);
	st.n = 0;
	st.listed = 0;
	st.listed_kind = 0;
	st.listed_expires = 0;
	if (st.rep_list_id && st.rep != 100) {
		rbl_entry e = { 0 };
		rbl_entry_init(&e);
		e.n_codes = 1;
		e.codes[0] = 0x7f000400u | 100;
		rbl_polconf_copy(e.source, sizeof e.source, who);
		if ((rc = rbl_ip_add(t, st.rep_list_id, subject, &e)))
			return rc;
		st.rep = 100;
	}
	if ((rc = exclude_if_covered(t, list, subject, when, who)))
		return rc;
	return pol_state_put(t, subject, list, &st);
}

int rbl_policy_block(rbl_txn *t, const rbl_addr *a, int64_t when,
		     const char *who, const char *why)
{
	rbl_prefix subject = { 0 };
	uint32_t lists[64];
	size_t n = 0;
	int rc;

	if (!valid_addr(a) || when <= 0)
		return RBL_EINVAL;
	pol_host(a, &subject);
	if ((rc = pol_note_put(t, 'b', &subject, when, who, why)) ||
	    (rc = state_lists(t, &subject, lists, 64, &n)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = block_state(t, &subject, lists[i], when,
				      who ? who : "")))
			return rbl_txn_fail(t, rc);
	return RBL_OK;
}

int rbl_policy_block_get(rbl_txn *t, const rbl_addr *a,
			 rbl_policy_block_info *out)
{
	rbl_prefix subject = { 0 };

	if (!valid_addr(a))
		return RBL_EINVAL;
	pol_host(a, &subject);
	return pol_note_get(t, 'b', &subject, out);
}

int rbl_policy_unblock(rbl_txn *t, const rbl_addr *a)
{
	rbl_prefix subject = { 0 };

	if (!valid_addr(a))
		return RBL_EINVAL;
	pol_host(a, &subject);
	return pol_note_del(t, 'b', &subject);
}

/* -------------------------------------------------------------- allow */

typedef struct prefix_vec {
	rbl_prefix *v;
	size_t n, cap;
} prefix_vec;

static int collect_policy_entries(void *arg, const rbl_prefix *p,
				  const rbl_entry *e)
{
	prefix_vec *pv = arg;

	if (!pol_is_policy_entry(e) || (e->flags & RBL_ENTRY_EXCLUDE))
		return 0;
	if (rbl_array_reserve(pv->v, pv->cap, pv->n + 1, 16) != RBL_OK)
		return RBL_ENOMEM;
	pv->v[pv->n++] = *p;
	return 0;
}

/* Remove P's automatic listings inside PREFIX and exclude PREFIX from a
 * wider one. */
static int unlist_allowed(rbl_txn *t, const rbl_policy *p,
			  const rbl_prefix *prefix, const char *who)
{
	prefix_vec pv = { 0 };
	int rc = rbl_ip_foreach(t, p->list_id, prefix, collect_policy_entries,
				&pv);

	for (size_t i = 0; rc == RBL_OK && i < pv.n; i++) {
		pstate st = { 0 };
		bool found = false;
		rc = rbl_ip_del(t, p->list_id, &pv.v[i]);
		if (rc == RBL_ENOTFOUND)
			rc = RBL_OK;
		if (rc == RBL_OK)
			rc = pol_state_get(t, &pv.v[i], p->list_id, &st, &found);
		if (rc == RBL_OK && found) {
			st.listed = 0;
			st.listed_expires = 0;
			rc = pol_state_put(t, &pv.v[i], p->list_id, &st);
		}
	}
	free(pv.v);
	if (rc == RBL_OK)
		rc = exclude_if_covered(t, p->list_id, prefix, 0, who);
	return rc;
}

static bool seen_allow_list(const rbl_policy_set *set, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (set->policies[j].allow_list_id ==
		    set->policies[i].allow_list_id)
			return true;
	return false;
}

int rbl_policy_allow_add(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *p, int64_t expires,
			 const char *who, const char *why)
{
	bool any = false;
	rbl_entry e = { 0 };
	int rc;

	if (!p || (p->addr.family != RBL_AF4 && p->addr.family != RBL_AF6))
		return RBL_EINVAL;
	rbl_entry_init(&e);
	e.expires = expires;
	rbl_polconf_copy(e.source, sizeof e.source, who);
	for (size_t i = 0; i < set->n; i++) {
		const rbl_policy *pol = &set->policies[i];
		if (!pol->allow_list_id)
			continue;
		any = true;
		if (!seen_allow_list(set, i) &&
		    (rc = rbl_ip_add(t, pol->allow_list_id, p, &e)))
			return rc;
		if (pol->list_id && (rc = unlist_allowed(t, pol, p, e.source)))
			return rbl_txn_fail(t, rc);
	}
	if (!any)
		return RBL_ENOTFOUND;
	return pol_note_put(t, 'a', p, expires, who, why);
}

/* Drop an exclusion of PREFIX a policy or allow_add wrote in P's list. */
static int drop_exclusion(rbl_txn *t, const rbl_policy *p,
			  const rbl_prefix *prefix)
{
	rbl_entry e = { 0 };
	int rc = rbl_ip_get(t, p->list_id, prefix, &e);

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc || !(e.flags & RBL_ENTRY_EXCLUDE))
		return rc;
	return rbl_ip_del(t, p->list_id, prefix);
}

int rbl_policy_allow_del(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *p)
{
	bool removed = false;
	int rc;

	for (size_t i = 0; i < set->n; i++) {
		const rbl_policy *pol = &set->policies[i];
		if (!pol->allow_list_id)
			continue;
		if (!seen_allow_list(set, i)) {
			rc = rbl_ip_del(t, pol->allow_list_id, p);
			if (rc == RBL_OK)
				removed = true;
			else if (rc != RBL_ENOTFOUND)
				return rc;
		}
		if (pol->list_id && (rc = drop_exclusion(t, pol, p)))
			return rc;
	}
	rc = pol_note_del(t, 'a', p);
	if (rc && rc != RBL_ENOTFOUND)
		return rc;
	return removed ? RBL_OK : RBL_ENOTFOUND;
}

int rbl_policy_is_allowed(rbl_txn *t, const rbl_policy *p,
			  const rbl_addr *a, int64_t now)
{
	rbl_match m = { 0 };
	int rc;

	if (!p->allow_list_id)
		return 0;
	rc = rbl_ip_lookup(t, p->allow_list_id, a, now, &m);
	return rc == RBL_OK ? 1 : rc == RBL_ENOTFOUND ? 0 : rc;
}

/* ------------------------------------------------------------ explain */

static int explain_one(rbl_txn *t, const rbl_policy *p,
		       const rbl_prefix *subject, int64_t now,
		       rbl_policy_status *o)
{
	pstate st = { 0 };
	bool found = false;
	rbl_entry e = { 0 };
	int rc;

	if ((rc = pol_state_get(t, subject, p->list_id, &st, &found)))
		return rc;
	if (found && st.n > 0) {
		for (int k = 1; k <= RBL_EV_KINDS; k++) {
			o->kind_score[k] = rbl_policy_decay(p, st.kscore[k],
							    st.t_ref, now);
			o->score += o->kind_score[k];
		}
		o->n_evidence = st.n;
		o->first_seen = st.first_seen;
		o->last_seen = st.t_ref;
		o->dominant_kind = pol_state_dominant(&st);
	}
	o->over_threshold = o->score >= p->threshold;
	o->reputation = rbl_policy_reputation(p, o->score);
	if (!p->list_id)
		return RBL_OK;
	rc = rbl_ip_explain(t, p->list_id, &subject->addr, now, &o->listed_as, &e);
	if (rc == RBL_OK) {
		o->listed = true;
		o->expires = e.expires;
	} else if (rc != RBL_ENOTFOUND) {
		return rc;
	}
	rc = rbl_policy_is_allowed(t, p, &subject->addr, now);
	if (rc < 0)
		return rc;
	o->allowed = rc == 1;
	return RBL_OK;
}

int rbl_policy_explain(rbl_txn *t, const rbl_policy_set *set,
		       const rbl_prefix *subject, int64_t now,
		       rbl_policy_status *out, size_t n)
{
	rbl_policy_block_info blk = { 0 };
	int rc = pol_block_get(t, subject, &blk);
	bool blocked = rc == RBL_OK;

	if (rc && rc != RBL_ENOTFOUND)
		return rc;
	for (size_t i = 0; i < n && i < set->n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].policy = &set->policies[i];
		out[i].blocked = blocked;
		if (blocked)
			out[i].block = blk;
		if ((rc = explain_one(t, &set->policies[i], subject, now,
				      &out[i])))
			return rc;
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ history */

typedef struct hist_arg {
	const rbl_policy *p;
	int64_t from, to, block_when;
	unsigned n;
	double *scores;
} hist_arg;

static int hist_visit(void *arg, const rbl_evidence *ev)
{
	hist_arg *h = arg;
	double w = rbl_policy_weight(h->p, ev);

	if (!(w > 0) || ev->when <= h->block_when)
		return 0;
	for (unsigned i = 0; i < h->n; i++) {
		int64_t ti = h->from + (int64_t)((double)(h->to - h->from) * i /
						 (h->n - 1));
		if (ev->when <= ti)
			h->scores[i] += rbl_policy_decay(h->p, w, ev->when, ti);
	}
	return 0;
}

int rbl_policy_history(rbl_txn *t, const rbl_policy *p,
		       const rbl_prefix *subject, int64_t from, int64_t to,
		       unsigned n_points, double *scores)
{
	hist_arg h = { p, from, to, INT64_MIN, n_points, scores };
	rbl_policy_block_info blk = { 0 };
	int rc;

	if (n_points < 2 || to < from)
		return RBL_EINVAL;
	for (unsigned i = 0; i < n_points; i++)
		scores[i] = 0;
	rc = pol_block_get(t, subject, &blk);
	if (rc == RBL_OK)
		h.block_when = blk.when;
	else if (rc != RBL_ENOTFOUND)
		return rc;
	return rbl_evidence_foreach_subject(t, subject, hist_visit, &h);
}

/* -------------------------------------------------------------- purge */

static const rbl_policy *policy_of_list(const rbl_policy_set *set,
					uint32_t list)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->policies[i].list_id == list)
			return &set->policies[i];
	return NULL;
}

/* Purge one state record at cursor C: returns 1 to delete it, 0 to keep
 * (rewritten into *ST when it changed: *DIRTY). */
static int purge_state(rbl_txn *t, const rbl_policy_set *set,
		       const rbl_prefix *subject, uint32_t list, pstate *st,
		       int64_t now, bool *dirty, rbl_policy_purge_stats *ps)
{
	const rbl_policy *p = policy_of_list(set, list);
	int64_t cutoff = set->retention ? now - set->retention : INT64_MIN;
	bool live = st->listed && rbl_live(st->listed_expires, now);
	uint8_t rep = st->rep;
	int rc;

	*dirty = false;
	if (st->t_ref < cutoff && !live) {
		if ((rc = pol_drop_reputation(t, subject, st)))
			return rc;
		ps->states_dropped++;
		return 1;
	}
	if (st->listed && !live) {
		st->listed = 0;		/* rbl_purge_expired removes it */
		*dirty = true;
	}
	if (p && p->reputation_list_id) {
		if ((rc = pol_settle_reputation(t, p, subject, st, now)))
			return rc;
		if (st->rep != rep) {
			ps->reputation_updated++;
			*dirty = true;
		}
	}
	return 0;
}

static int purge_states(rbl_txn *t, const rbl_policy_set *set, int64_t now,
			rbl_policy_purge_stats *ps)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = pol_state_table(t, &tb);

	if (rc)
		return rc;
	rbl_table_iter_init(&it, &tb, NULL, 0, 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		rbl_prefix subject = { 0 };
		pstate st = { 0 };
		bool dirty = false;
		uint8_t val[PSTATE_VAL_LEN];
		if (k.len != PSTATE_KEY_LEN || pol_state_decode(&v, &st)) {
			rc = RBL_ESTORE;
			break;
		}
		pol_subject_decode(k.p, &subject);
		rc = purge_state(t, set, &subject,
				 rbl_get_be32((const uint8_t *)k.p + PSUBJ_LEN),
				 &st, now, &dirty, ps);
		if (rc == 1) {
			rc = rbl_table_iter_del(&it);
		} else if (rc == 0 && dirty) {
			pol_state_encode(&st, val);
			rc = rbl_table_iter_put(&it, val, sizeof val);
		}
		if (rc)
			break;
	}
	rbl_table_iter_end(&it);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_policy_purge(rbl_txn *t, const rbl_policy_set *set, int64_t now,
		     rbl_policy_purge_stats *out)
{
	rbl_policy_purge_stats ps = { 0 };
	int rc = RBL_OK;

	if (set->retention)
		rc = rbl_evidence_prune(t, now - set->retention,
					&ps.evidence_pruned);
	if (rc == RBL_OK)
		rc = purge_states(t, set, now, &ps);
	if (rc == RBL_OK)
		rc = rbl_purge_expired(t, now, &ps.entries_expired);
	if (out)
		*out = ps;
	return rc;
}
