/*
 * policy_state.c -- what the policy keeps in the store, and the arithmetic
 * on it: score state per (subject, list) in table "evstate", delisting
 * blocks and allow notes in table "evnote" (keys in policy_impl.h), the
 * decay of scores, and small helpers every policy*.c file shares.  It
 * calls nothing of the other policy files: policy_aggregate.c, policy.c
 * and policy_admin.c build on it, in that order.
 */
#include <math.h>
#include <string.h>

#include "zone/error.h"
#include "zone/policy/policy.h"
#include "zone/policy/policy_impl.h"
#include "zone/store/bytes.h"
#include "zone/store/table.h"

#define STATE_FORMAT	1

/* ------------------------------------------------------------ scoring */

double rbl_policy_decay(const rbl_policy *p, double score, int64_t from,
			int64_t to)
{
	if (p->half_life == 0 || to <= from)
		return score;
	return score * exp2(-(double)(to - from) / (double)p->half_life);
}

double rbl_policy_weight(const rbl_policy *p, const rbl_evidence *ev)
{
	if (ev->kind < 1 || ev->kind > RBL_EV_KINDS)
		return 0;
	return ev->weight * p->kind_weight[ev->kind];
}

unsigned rbl_policy_reputation(const rbl_policy *p, double score)
{
	double x = 0;

	if (!(score > 0))
		return 100;
	x = 100.0 * exp2(-score / p->threshold);
	return (unsigned)lround(x < 0 ? 0 : x > 100 ? 100 : x);
}

/* -------------------------------------------------------------- state */

void pol_subject_key(uint8_t *k, const rbl_prefix *p)
{
	k[0] = p->addr.family;
	memcpy(k + 1, p->addr.bytes, 16);
	k[17] = p->len;
}

void pol_subject_decode(const uint8_t *k, rbl_prefix *p)
{
	memset(p, 0, sizeof *p);
	p->addr.family = k[0];
	memcpy(p->addr.bytes, k + 1, 16);
	p->len = k[17];
}

int pol_state_table(rbl_txn *t, rbl_table *tb)
{
	return rbl_table_open(t, "evstate", tb);
}

int pol_note_table(rbl_txn *t, rbl_table *tb)
{
	return rbl_table_open(t, "evnote", tb);
}

static void put_double(uint8_t *p, double d)
{
	uint64_t u = 0;

	memcpy(&u, &d, 8);
	rbl_put_be64(p, u);
}

static double get_double(const uint8_t *p)
{
	uint64_t u = rbl_get_be64(p);
	double d = 0;

	memcpy(&d, &u, 8);
	return d;
}

size_t pol_state_encode(const pstate *st, uint8_t *buf)
{
	uint8_t *p = buf;

	*p++ = STATE_FORMAT;
	for (int k = 1; k <= RBL_EV_KINDS; k++, p += 8)
		put_double(p, st->kscore[k]);
	rbl_put_be64(p, (uint64_t)st->t_ref);
	rbl_put_be64(p + 8, (uint64_t)st->first_seen);
	rbl_put_be64(p + 16, st->n);
	p += 24;
	*p++ = st->listed;
	*p++ = st->listed_kind;
	rbl_put_be64(p, (uint64_t)st->listed_expires);
	rbl_put_be32(p + 8, st->rep_list_id);
	p[12] = st->rep;
	return (size_t)(p + 13 - buf);
}

int pol_state_decode(const rbl_val *v, pstate *st)
{
	const uint8_t *p = v->p;

	if (v->len != PSTATE_VAL_LEN || p[0] != STATE_FORMAT)
		return RBL_ESTORE;
	memset(st, 0, sizeof *st);
	p++;
	for (int k = 1; k <= RBL_EV_KINDS; k++, p += 8)
		st->kscore[k] = get_double(p);
	st->t_ref = (int64_t)rbl_get_be64(p);
	st->first_seen = (int64_t)rbl_get_be64(p + 8);
	st->n = rbl_get_be64(p + 16);
	p += 24;
	st->listed = *p++;
	st->listed_kind = *p++;
	st->listed_expires = (int64_t)rbl_get_be64(p);
	st->rep_list_id = rbl_get_be32(p + 8);
	st->rep = p[12];
	return RBL_OK;
}

static void state_key(uint8_t *k, const rbl_prefix *subject, uint32_t list)
{
	pol_subject_key(k, subject);
	rbl_put_be32(k + PSUBJ_LEN, list);
}

int pol_state_get(rbl_txn *t, const rbl_prefix *subject, uint32_t list_id,
		  pstate *st, bool *found)
{
	uint8_t key[PSTATE_KEY_LEN] = { 0 };
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	int rc = 0;

	memset(st, 0, sizeof *st);
	st->rep = 255;
	*found = false;
	if ((rc = pol_state_table(t, &tb)))
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	state_key(key, subject, list_id);
	rc = rbl_table_get(&tb, key, sizeof key, &v);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc)
		return rc;
	*found = true;
	return pol_state_decode(&v, st);
}

int pol_state_put(rbl_txn *t, const rbl_prefix *subject, uint32_t list_id,
		  const pstate *st)
{
	uint8_t key[PSTATE_KEY_LEN] = { 0 }, val[PSTATE_VAL_LEN] = { 0 };
	rbl_table tb = { 0 };
	int rc = 0;

	if ((rc = pol_state_table(t, &tb)))
		return rc;
	state_key(key, subject, list_id);
	pol_state_encode(st, val);
	return rbl_table_put(&tb, key, sizeof key, val, sizeof val, 0);
}

int pol_state_del(rbl_txn *t, const rbl_prefix *subject, uint32_t list_id)
{
	uint8_t key[PSTATE_KEY_LEN] = { 0 };
	rbl_table tb = { 0 };
	int rc = 0;

	if ((rc = pol_state_table(t, &tb)))
		return rc;
	state_key(key, subject, list_id);
	rc = rbl_table_del(&tb, key, sizeof key);
	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}

double pol_state_score(const pstate *st)
{
	double s = 0;

	for (int k = 1; k <= RBL_EV_KINDS; k++)
		s += st->kscore[k];
	return s;
}

uint8_t pol_state_dominant(const pstate *st)
{
	uint8_t best = 0;

	for (int k = 1; k <= RBL_EV_KINDS; k++)
		if (st->kscore[k] > 0 && (!best || st->kscore[k] > st->kscore[best]))
			best = (uint8_t)k;
	return best;
}

void pol_state_add(const rbl_policy *p, pstate *st, uint8_t kind, double w,
		   int64_t when)
{
	if (st->n == 0) {
		st->t_ref = when;
		st->first_seen = when;
	} else if (when >= st->t_ref) {
		for (int k = 1; k <= RBL_EV_KINDS; k++)
			st->kscore[k] = rbl_policy_decay(p, st->kscore[k],
							 st->t_ref, when);
		st->t_ref = when;
	} else {	/* late evidence: decay it to the reference time */
		w = rbl_policy_decay(p, w, when, st->t_ref);
	}
	if (when < st->first_seen)
		st->first_seen = when;
	st->kscore[kind] += w;
	st->n++;
}

/* ------------------------------------------------------------ helpers */

void pol_source(const rbl_policy *p, char *buf)
{
	memcpy(buf, "policy:", 7);
	rbl_polconf_copy(buf + 7, RBL_SOURCE_MAX + 1 - 7, p->name);
}

bool pol_is_policy_entry(const rbl_entry *e)
{
	return strncmp(e->source, "policy:", 7) == 0;
}

void pol_host(const rbl_addr *a, rbl_prefix *out)
{
	out->addr = *a;
	out->len = (uint8_t)rbl_addr_bits(a->family);
}

/* -------------------------------------------------------------- notes */

static void note_key(uint8_t *k, char type, const rbl_prefix *subject)
{
	k[0] = (uint8_t)type;
	pol_subject_key(k + 1, subject);
}

/* Encode WHEN, WHO, WHY into BUF (8 + 2 + 63 + 255 bytes at most). */
static size_t note_encode(uint8_t *buf, int64_t when, const char *who,
			  const char *why)
{
	size_t nw = strnlen(who ? who : "", RBL_POLICY_WHO_MAX);
	size_t ny = strnlen(why ? why : "", RBL_POLICY_WHY_MAX);

	rbl_put_be64(buf, (uint64_t)when);
	buf[8] = (uint8_t)nw;
	memcpy(buf + 9, who ? who : "", nw);
	buf[9 + nw] = (uint8_t)ny;
	memcpy(buf + 10 + nw, why ? why : "", ny);
	return 10 + nw + ny;
}

static int note_decode(const rbl_val *v, rbl_policy_block_info *out)
{
	const uint8_t *p = v->p;
	size_t nw = 0, ny = 0;

	if (v->len < 10)
		return RBL_ESTORE;
	nw = p[8];
	if (v->len < 10 + nw || (ny = p[9 + nw], v->len != 10 + nw + ny))
		return RBL_ESTORE;
	memset(out, 0, sizeof *out);
	out->when = (int64_t)rbl_get_be64(p);
	memcpy(out->who, p + 9, nw);
	memcpy(out->why, p + 10 + nw, ny);
	return RBL_OK;
}

int pol_note_put(rbl_txn *t, char type, const rbl_prefix *subject,
		 int64_t when, const char *who, const char *why)
{
	uint8_t key[PNOTE_KEY_LEN] = { 0 }, val[10 + RBL_POLICY_WHO_MAX + RBL_POLICY_WHY_MAX] = { 0 };
	rbl_table tb = { 0 };
	int rc = 0;

	if ((rc = pol_note_table(t, &tb)))
		return rc;
	note_key(key, type, subject);
	return rbl_table_put(&tb, key, sizeof key, val,
			     note_encode(val, when, who, why), 0);
}

int pol_note_get(rbl_txn *t, char type, const rbl_prefix *subject,
		 rbl_policy_block_info *out)
{
	uint8_t key[PNOTE_KEY_LEN] = { 0 };
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	int rc = 0;

	if ((rc = pol_note_table(t, &tb)))
		return rc;
	note_key(key, type, subject);
	rc = rbl_table_get(&tb, key, sizeof key, &v);
	return rc ? rc : note_decode(&v, out);
}

int pol_note_del(rbl_txn *t, char type, const rbl_prefix *subject)
{
	uint8_t key[PNOTE_KEY_LEN] = { 0 };
	rbl_table tb = { 0 };
	int rc = 0;

	if ((rc = pol_note_table(t, &tb)))
		return rc;
	note_key(key, type, subject);
	return rbl_table_del(&tb, key, sizeof key);
}

int pol_block_get(rbl_txn *t, const rbl_prefix *subject,
		  rbl_policy_block_info *out)
{
	return pol_note_get(t, 'b', subject, out);
}
