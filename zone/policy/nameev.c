/*
 * nameev.c -- evidence about names: one record per trap message in the
 * table "nev", in time order (see nameev.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zone/compiler.h"
#include "zone/error.h"
#include "zone/policy/nameev.h"
#include "zone/store/bytes.h"
#include "zone/store/table.h"

#define NEV_FORMAT	1
#define MSG_TAG		0x01
#define MKEY_LEN	(1 + 8 + RBL_EV_HASH_LEN)
#define MSG_VAL_MAX	(1 + 8 + 1 + RBL_EV_SOURCE_MAX + 1 + \
			 RBL_NEV_SUMMARY_MAX + 1 + RBL_NEV_MAX_NAMES * \
			 (1 + 1 + RBL_NAME_MAX + 1 + RBL_NEV_FOUND_MAX))
#define PRUNE_BATCH	256

const char *rbl_nev_kind_name(int kind)
{
	switch (kind) {
	case RBL_NEV_URI:	return "uri";
	case RBL_NEV_REPLY_TO:	return "reply-to";
	}
	return "?";
}

int rbl_nev_kind_parse(const char *s)
{
	for (int k = 1; k <= RBL_NEV_KINDS; k++)
		if (strcasecmp(s, rbl_nev_kind_name(k)) == 0)
			return k;
	return 0;
}

bool rbl_nev_name_ok(const char *s)
{
	size_t n = strnlen(s, RBL_NAME_MAX + 1), label = 0;

	if (n == 0 || n > RBL_NAME_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_') || ++label > RBL_LABEL_MAX)
			return false;
	}
	return true;
}

/* ----------------------------------------------------------- encoding */

static uint64_t biased(int64_t when)
{
	return (uint64_t)when ^ (UINT64_C(1) << 63);
}

static int64_t unbiased(uint64_t v)
{
	return (int64_t)(v ^ (UINT64_C(1) << 63));
}

/* 0x01 when hash[0..HLEN): a message's key, or the prefix of one. */
static size_t msg_key(uint8_t *k, int64_t when, const uint8_t *hash,
		      size_t hlen)
{
	k[0] = MSG_TAG;
	rbl_put_be64(k + 1, biased(when));
	memcpy(k + 9, hash, hlen);
	return 9 + hlen;
}

static size_t msg_encode(const rbl_nev_msg *m, double weight, uint8_t *buf)
{
	struct rbl_wbuf w = { buf, 0, MSG_VAL_MAX, false };
	uint64_t wbits = 0;

	memcpy(&wbits, &weight, 8);
	rbl_wb_u8(&w, NEV_FORMAT);
	rbl_wb_u64(&w, wbits);
	rbl_wb_str(&w, m->source);
	rbl_wb_str(&w, m->summary);
	rbl_wb_u8(&w, (uint8_t)m->n);
	for (unsigned i = 0; i < m->n; i++) {
		rbl_wb_u8(&w, m->items[i].kind);
		rbl_wb_str(&w, m->items[i].name);
		rbl_wb_str(&w, m->items[i].found);
	}
	return w.overflow ? 0 : w.len;
}

static int msg_decode(const rbl_val *k, const rbl_val *v, rbl_nev_msg *m)
{
	struct rbl_rbuf r = { v->p, v->len, 0, false };
	uint64_t wbits = 0;
	double weight = 0;

	if (k->len != MKEY_LEN || rbl_rb_u8(&r) != NEV_FORMAT)
		return RBL_ESTORE;
	m->when = unbiased(rbl_get_be64((const uint8_t *)k->p + 1));
	memcpy(m->hash, (const uint8_t *)k->p + 9, RBL_EV_HASH_LEN);
	wbits = rbl_rb_u64(&r);
	memcpy(&weight, &wbits, 8);
	rbl_rb_str(&r, m->source, sizeof m->source);
	rbl_rb_str(&r, m->summary, sizeof m->summary);
	m->n = rbl_rb_u8(&r);
	if (m->n > RBL_NEV_MAX_NAMES)
		return RBL_ESTORE;
	for (unsigned i = 0; i < m->n; i++) {
		m->items[i].kind = rbl_rb_u8(&r);
		m->items[i].weight = weight;
		rbl_rb_str(&r, m->items[i].name, sizeof m->items[i].name);
		rbl_rb_str(&r, m->items[i].found, sizeof m->items[i].found);
	}
	return r.bad ? RBL_ESTORE : RBL_OK;
}

/* ------------------------------------------------------------- writes */

/* The items are valid and share one weight (one message, one source). */
static bool items_ok(const rbl_nev_msg *m)
{
	if (m->n == 0 || m->n > RBL_NEV_MAX_NAMES)
		return false;
	for (unsigned i = 0; i < m->n; i++) {
		const rbl_nev_item *it = &m->items[i];
		if (it->kind < 1 || it->kind > RBL_NEV_KINDS ||
		    !(it->weight > 0) || !isfinite(it->weight) ||
		    it->weight != m->items[0].weight ||
		    !rbl_nev_name_ok(it->name))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (m->items[j].kind == it->kind &&
			    strcmp(m->items[j].name, it->name) == 0)
				return false;
	}
	return true;
}

int rbl_nev_add(rbl_txn *t, const rbl_nev_msg *m)
{
	uint8_t key[MKEY_LEN] = { 0 };
	/* 29 kB at most, per trap message: msg_encode fills what is
	 * written */
	uint8_t val[MSG_VAL_MAX] RBL_NOINIT;
	rbl_table tb = { 0 };
	size_t vlen = 0;
	int rc = 0;

	if (!items_ok(m) || !(vlen = msg_encode(m, m->items[0].weight, val)))
		return RBL_EINVAL;
	if ((rc = rbl_table_open(t, RBL_NEV_TABLE, &tb)))
		return rc;
	return rbl_table_put(&tb, key, msg_key(key, m->when, m->hash,
					       RBL_EV_HASH_LEN),
			     val, vlen, RBL_TABLE_NEW);
}

int rbl_nev_get(rbl_txn *t, int64_t when, const uint8_t *hash,
		size_t hash_len, rbl_nev_msg *out)
{
	uint8_t prefix[MKEY_LEN] = { 0 };
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (hash_len > RBL_EV_HASH_LEN)
		return RBL_EINVAL;
	if ((rc = rbl_table_open(t, RBL_NEV_TABLE, &tb)))
		return rc;
	/* one descent: the first (in practice the only) message of that
	 * second whose hash starts so */
	rbl_table_iter_init(&it, &tb, prefix,
			    msg_key(prefix, when, hash, hash_len),
			    RBL_TABLE_PREFIX);
	rc = rbl_table_next(&it, &k, &v);
	if (rc == 1)
		rc = msg_decode(&k, &v, out);
	else if (rc == 0)
		rc = RBL_ENOTFOUND;
	rbl_table_iter_end(&it);
	return rc;
}

/* -------------------------------------------------------------- walks */

int rbl_nev_foreach(rbl_txn *t, int64_t since, rbl_nev_visit_fn fn,
		    void *arg)
{
	static const uint8_t zero[RBL_EV_HASH_LEN];
	uint8_t from[MKEY_LEN] = { 0 };
	rbl_nev_msg *m = malloc(sizeof *m);
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = m ? rbl_table_open(t, RBL_NEV_TABLE, &tb) : RBL_ENOMEM;

	if (rc) {
		free(m);
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	}
	rbl_table_iter_init(&it, &tb, from, msg_key(from, since, zero, 0), 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		if (((const uint8_t *)k.p)[0] != MSG_TAG) {
			rc = 0;
			break;
		}
		if ((rc = msg_decode(&k, &v, m)))
			break;
		for (unsigned i = 0; rc == 0 && i < m->n; i++) {
			rbl_nev ev = { .name = m->items[i].name,
				.kind = m->items[i].kind,
				.weight = m->items[i].weight, .when = m->when,
				.found = m->items[i].found,
				.source = m->source, .summary = m->summary };
			memcpy(ev.hash, m->hash, RBL_EV_HASH_LEN);
			rc = fn(arg, &ev);
		}
		if (rc)
			break;
	}
	rbl_table_iter_end(&it);
	free(m);
	return rc;
}

/* ------------------------------------------------------------ retention */

/* Up to PRUNE_BATCH messages older than BEFORE: their keys and sizes are
 * collected first and deleted after the walk, so no cursor walks over
 * records deleted under it. */
static int prune_batch(const rbl_table *tb, int64_t before, uint64_t *count,
		       size_t *found)
{
	static const uint8_t mp = MSG_TAG;
	uint8_t (*keys)[MKEY_LEN] = malloc(PRUNE_BATCH * sizeof *keys);
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	size_t n = 0;
	int rc = RBL_OK;

	if (!keys)
		return RBL_ENOMEM;
	rbl_table_iter_init(&it, tb, &mp, 1, RBL_TABLE_PREFIX);
	while (n < PRUNE_BATCH && (rc = rbl_table_next(&it, &k, &v)) == 1) {
		const uint8_t *val = v.p;
		if (k.len != MKEY_LEN || v.len < 10) {
			rc = RBL_ESTORE;
			break;
		}
		if (rbl_get_be64((const uint8_t *)k.p + 1) >= biased(before)) {
			rc = RBL_OK;
			break;
		}
		memcpy(keys[n++], k.p, MKEY_LEN);
		/* the item count follows the two strings after the weight */
		size_t off = 1 + 8;
		for (int s = 0; s < 2 && off < v.len; s++)
			off += 1u + val[off];
		*count += off < v.len ? val[off] : 0;
	}
	rbl_table_iter_end(&it);
	if (rc == 1)
		rc = RBL_OK;
	for (size_t i = 0; rc == RBL_OK && i < n; i++)
		rc = rbl_table_del(tb, keys[i], MKEY_LEN);
	free(keys);
	*found = n;
	return rc;
}

int rbl_nev_prune(rbl_txn *t, int64_t before, uint64_t *n)
{
	uint64_t count = 0;
	size_t found = PRUNE_BATCH;
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, RBL_NEV_TABLE, &tb);

	if (n)
		*n = 0;
	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	while (rc == RBL_OK && found == PRUNE_BATCH)
		rc = prune_batch(&tb, before, &count, &found);
	if (n)
		*n = count;
	return rc < 0 ? rbl_txn_fail(t, rc) : RBL_OK;
}
