/*
 * nameev.c -- evidence about names in the table "nev" (see nameev.h for
 * the keys).
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

#define NEV_TABLE	"nev"
#define NEV_FORMAT	1
#define TKEY_LEN	(1 + 8 + 8)
#define NKEY_MAX	(1 + RBL_NAME_MAX + 1 + 8 + 8)
#define ITEM_VAL_MAX	(1 + 1 + 8 + RBL_EV_HASH_LEN + 1 + RBL_NEV_FOUND_MAX)
#define MSG_VAL_MAX	(1 + 8 + 1 + RBL_EV_SOURCE_MAX + 1 + \
			 RBL_NEV_SUMMARY_MAX + 1 + \
			 RBL_NEV_MAX_NAMES * (2 + RBL_NAME_MAX))

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

static size_t msg_key(uint8_t *k, const uint8_t *hash)
{
	k[0] = 'm';
	memcpy(k + 1, hash, RBL_EV_HASH_LEN);
	return 1 + RBL_EV_HASH_LEN;
}

static size_t time_key(uint8_t *k, int64_t when, const uint8_t *hash)
{
	k[0] = 't';
	rbl_put_be64(k + 1, biased(when));
	memcpy(k + 9, hash, 8);
	return TKEY_LEN;
}

/* 'n' name 0: the prefix of every key of NAME; its length. */
static size_t name_prefix(uint8_t *k, const char *name)
{
	size_t n = strlen(name);

	k[0] = 'n';
	memcpy(k + 1, name, n);
	k[1 + n] = 0;
	return n + 2;
}

static size_t name_key(uint8_t *k, const char *name, int64_t when,
		       const uint8_t *hash)
{
	size_t n = name_prefix(k, name);

	rbl_put_be64(k + n, ~biased(when));
	memcpy(k + n + 8, hash, 8);
	return n + 16;
}

static void wb_double(struct rbl_wbuf *w, double d)
{
	uint64_t v = 0;

	memcpy(&v, &d, 8);
	rbl_wb_u64(w, v);
}

static double rb_double(struct rbl_rbuf *r)
{
	uint64_t v = rbl_rb_u64(r);
	double d = 0;

	memcpy(&d, &v, 8);
	return d;
}

static size_t item_encode(const rbl_nev_item *it, const uint8_t *hash,
			  uint8_t *buf)
{
	struct rbl_wbuf w = { buf, 0, ITEM_VAL_MAX, false };

	rbl_wb_u8(&w, NEV_FORMAT);
	rbl_wb_u8(&w, it->kind);
	wb_double(&w, it->weight);
	rbl_wb_bytes(&w, hash, RBL_EV_HASH_LEN);
	rbl_wb_str(&w, it->found);
	return w.overflow ? 0 : w.len;
}

/* Decode an item value into EV (FOUND into FOUND_BUF). */
static int item_decode(const rbl_val *v, rbl_nev *ev, char *found_buf)
{
	struct rbl_rbuf r = { v->p, v->len, 0, false };

	if (rbl_rb_u8(&r) != NEV_FORMAT)
		return RBL_ESTORE;
	ev->kind = rbl_rb_u8(&r);
	ev->weight = rb_double(&r);
	rbl_rb_bytes(&r, ev->hash, RBL_EV_HASH_LEN);
	rbl_rb_str(&r, found_buf, RBL_NEV_FOUND_MAX + 1);
	ev->found = found_buf;
	return r.bad ? RBL_ESTORE : RBL_OK;
}

static size_t msg_encode(const rbl_nev_msg *m, uint8_t *buf)
{
	struct rbl_wbuf w = { buf, 0, MSG_VAL_MAX, false };

	rbl_wb_u8(&w, NEV_FORMAT);
	rbl_wb_u64(&w, (uint64_t)m->when);
	rbl_wb_str(&w, m->source);
	rbl_wb_str(&w, m->summary);
	rbl_wb_u8(&w, (uint8_t)m->n);
	for (unsigned i = 0; i < m->n; i++) {
		rbl_wb_u8(&w, m->items[i].kind);
		rbl_wb_str(&w, m->items[i].name);
	}
	return w.overflow ? 0 : w.len;
}

static int msg_decode(const rbl_val *v, rbl_nev_msg *m)
{
	struct rbl_rbuf r = { v->p, v->len, 0, false };

	if (rbl_rb_u8(&r) != NEV_FORMAT)
		return RBL_ESTORE;
	m->when = (int64_t)rbl_rb_u64(&r);
	rbl_rb_str(&r, m->source, sizeof m->source);
	rbl_rb_str(&r, m->summary, sizeof m->summary);
	m->n = rbl_rb_u8(&r);
	if (m->n > RBL_NEV_MAX_NAMES)
		return RBL_ESTORE;
	for (unsigned i = 0; i < m->n; i++) {
		m->items[i].kind = rbl_rb_u8(&r);
		rbl_rb_str(&r, m->items[i].name, sizeof m->items[i].name);
		m->items[i].found[0] = '\0';
		m->items[i].weight = 0;
	}
	return r.bad ? RBL_ESTORE : RBL_OK;
}

/* ------------------------------------------------------------- writes */

static bool items_ok(const rbl_nev_msg *m)
{
	if (m->n == 0 || m->n > RBL_NEV_MAX_NAMES)
		return false;
	for (unsigned i = 0; i < m->n; i++) {
		const rbl_nev_item *it = &m->items[i];
		if (it->kind < 1 || it->kind > RBL_NEV_KINDS ||
		    !(it->weight > 0) || !isfinite(it->weight) ||
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
	uint8_t key[NKEY_MAX] = { 0 };
	/* 17 kB, per trap message: msg_encode fills what is written */
	uint8_t val[MSG_VAL_MAX] RBL_NOINIT;
	rbl_table tb = { 0 };
	size_t klen = 0, vlen = 0;
	int rc = 0;

	if (!items_ok(m) || !(vlen = msg_encode(m, val)))
		return RBL_EINVAL;
	if ((rc = rbl_table_open(t, NEV_TABLE, &tb)))
		return rc;
	/* the message first, NEW: it decides whether this is new */
	klen = msg_key(key, m->hash);
	if ((rc = rbl_table_put(&tb, key, klen, val, vlen, RBL_TABLE_NEW)))
		return rc;
	klen = time_key(key, m->when, m->hash);
	if ((rc = rbl_table_put(&tb, key, klen, m->hash, RBL_EV_HASH_LEN, 0)))
		return rc;
	for (unsigned i = 0; i < m->n; i++) {
		uint8_t iv[ITEM_VAL_MAX] = { 0 };
		size_t n = item_encode(&m->items[i], m->hash, iv);
		if (!n)
			return rbl_txn_fail(t, RBL_EINVAL);
		klen = name_key(key, m->items[i].name, m->when, m->hash);
		if ((rc = rbl_table_put(&tb, key, klen, iv, n, 0)))
			return rc;
	}
	return RBL_OK;
}

int rbl_nev_exists(rbl_txn *t, const uint8_t *hash)
{
	uint8_t key[1 + RBL_EV_HASH_LEN] = { 0 };
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	int rc = rbl_table_open(t, NEV_TABLE, &tb);

	if (rc == RBL_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	rc = rbl_table_get(&tb, key, msg_key(key, hash), &v);
	return rc == RBL_OK ? 1 : rc == RBL_ENOTFOUND ? 0 : rc;
}

int rbl_nev_get(rbl_txn *t, const uint8_t *hash, rbl_nev_msg *out)
{
	uint8_t key[NKEY_MAX] = { 0 };
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	int rc = 0;

	memset(out, 0, sizeof *out);
	if ((rc = rbl_table_open(t, NEV_TABLE, &tb)) ||
	    (rc = rbl_table_get(&tb, key, msg_key(key, hash), &v)) ||
	    (rc = msg_decode(&v, out)))
		return rc;
	memcpy(out->hash, hash, RBL_EV_HASH_LEN);
	for (unsigned i = 0; i < out->n; i++) {
		rbl_nev_item *it = &out->items[i];
		rbl_nev ev = { 0 };
		size_t klen = name_key(key, it->name, out->when, hash);
		if (rbl_table_get(&tb, key, klen, &v) == RBL_OK &&
		    item_decode(&v, &ev, it->found) == RBL_OK)
			it->weight = ev.weight;
	}
	return RBL_OK;
}

/* -------------------------------------------------------------- walks */

typedef struct walk {
	rbl_txn *t;
	bool messages;
	rbl_nev_visit_fn fn;
	void *arg;
} walk;

/* The source and summary of message HASH into SOURCE and SUMMARY ("" if
 * it cannot be read: the item outlived its message only in a damaged
 * store, and a walk for reviewers should still show the rest). */
static void msg_head(const rbl_table *tb, const uint8_t *hash, char *source,
		     char *summary)
{
	uint8_t mk[1 + RBL_EV_HASH_LEN] = { 0 };
	rbl_val v = { 0 };

	source[0] = summary[0] = '\0';
	if (rbl_table_get(tb, mk, msg_key(mk, hash), &v) == RBL_OK) {
		struct rbl_rbuf r = { v.p, v.len, 0, false };
		if (rbl_rb_u8(&r) != NEV_FORMAT)
			return;
		(void)rbl_rb_u64(&r);
		rbl_rb_str(&r, source, RBL_EV_SOURCE_MAX + 1);
		rbl_rb_str(&r, summary, RBL_NEV_SUMMARY_MAX + 1);
		if (r.bad)
			source[0] = summary[0] = '\0';
	}
}

/* One 'n' record (key K, value V) to the visitor. */
static int visit_item(const walk *w, const rbl_table *tb, const rbl_val *k,
		      const rbl_val *v)
{
	const uint8_t *kp = k->p;
	char name[RBL_NAME_MAX + 1] = { 0 }, found[RBL_NEV_FOUND_MAX + 1] = { 0 };
	char source[RBL_EV_SOURCE_MAX + 1] = { 0 };
	char summary[RBL_NEV_SUMMARY_MAX + 1] = { 0 };
	rbl_nev ev = { .source = "", .summary = "" };
	size_t nl = 0;
	int rc = 0;

	if (k->len < 1 + 1 + 17 || k->len > NKEY_MAX ||
	    kp[k->len - 17] != 0)
		return RBL_ESTORE;
	nl = k->len - 18;
	memcpy(name, kp + 1, nl);
	name[nl] = '\0';
	ev.name = name;
	ev.when = unbiased(~rbl_get_be64(kp + k->len - 16));
	if ((rc = item_decode(v, &ev, found)))
		return rc;
	if (w->messages) {
		msg_head(tb, ev.hash, source, summary);
		ev.source = source;
		ev.summary = summary;
	}
	return w->fn(w->arg, &ev);
}

static int walk_prefix(rbl_txn *t, const uint8_t *prefix, size_t plen,
		       bool messages, rbl_nev_visit_fn fn, void *arg)
{
	walk w = { t, messages, fn, arg };
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = rbl_table_open(t, NEV_TABLE, &tb);

	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	rbl_table_iter_init(&it, &tb, prefix, plen, RBL_TABLE_PREFIX);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1)
		if ((rc = visit_item(&w, &tb, &k, &v)))
			break;
	rbl_table_iter_end(&it);
	return rc;
}

int rbl_nev_foreach_name(rbl_txn *t, const char *name, bool messages,
			 rbl_nev_visit_fn fn, void *arg)
{
	uint8_t prefix[NKEY_MAX] = { 0 };

	if (!rbl_nev_name_ok(name))
		return RBL_OK;
	return walk_prefix(t, prefix, name_prefix(prefix, name), messages, fn,
			   arg);
}

int rbl_nev_foreach(rbl_txn *t, rbl_nev_visit_fn fn, void *arg)
{
	static const uint8_t n = 'n';

	return walk_prefix(t, &n, 1, false, fn, arg);
}

static int count_one(void *arg, const rbl_nev *ev)
{
	(void)ev;
	(*(uint64_t *)arg)++;
	return 0;
}

int rbl_nev_count(rbl_txn *t, const char *name, uint64_t *n)
{
	*n = 0;
	return rbl_nev_foreach_name(t, name, false, count_one, n);
}

/* ------------------------------------------------------------ retention */

/* Delete message HASH and its items; count them into *N. */
static int prune_message(const rbl_table *tb, const uint8_t *hash,
			 uint64_t *n)
{
	uint8_t key[NKEY_MAX] = { 0 };
	rbl_nev_msg *m = malloc(sizeof *m);
	rbl_val v = { 0 };
	size_t klen = msg_key(key, hash);
	int rc = 0;

	if (!m)
		return RBL_ENOMEM;
	rc = rbl_table_get(tb, key, klen, &v);
	if (rc == RBL_OK)
		rc = msg_decode(&v, m);
	if (rc == RBL_OK)
		rc = rbl_table_del(tb, key, klen);
	for (unsigned i = 0; rc == RBL_OK && i < m->n; i++) {
		klen = name_key(key, m->items[i].name, m->when, hash);
		rc = rbl_table_del(tb, key, klen);
		if (rc == RBL_ENOTFOUND)
			rc = RBL_OK;
		(*n)++;
	}
	free(m);
	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}

/* Up to PRUNE_BATCH messages older than BEFORE: their time keys are
 * collected first and deleted after the walk, so no cursor walks over
 * records deleted under it. */
#define PRUNE_BATCH	256

static int prune_batch(rbl_txn *t, const rbl_table *tb, int64_t before,
		       uint64_t *count, size_t *found)
{
	static const uint8_t tp = 't';
	uint8_t (*keys)[TKEY_LEN + RBL_EV_HASH_LEN] =
		malloc(PRUNE_BATCH * sizeof *keys);
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	size_t n = 0;
	int rc = RBL_OK;

	if (!keys)
		return RBL_ENOMEM;
	rbl_table_iter_init(&it, tb, &tp, 1, RBL_TABLE_PREFIX);
	while (n < PRUNE_BATCH && (rc = rbl_table_next(&it, &k, &v)) == 1) {
		if (k.len != TKEY_LEN || v.len != RBL_EV_HASH_LEN) {
			rc = RBL_ESTORE;
			break;
		}
		if (rbl_get_be64((const uint8_t *)k.p + 1) >= biased(before)) {
			rc = RBL_OK;
			break;
		}
		memcpy(keys[n], k.p, TKEY_LEN);
		memcpy(keys[n++] + TKEY_LEN, v.p, RBL_EV_HASH_LEN);
	}
	rbl_table_iter_end(&it);
	if (rc == 1 || rc == 0)
		rc = RBL_OK;
	for (size_t i = 0; rc == RBL_OK && i < n; i++)
		if ((rc = rbl_table_del(tb, keys[i], TKEY_LEN)) == RBL_OK)
			rc = prune_message(tb, keys[i] + TKEY_LEN, count);
	free(keys);
	*found = n;
	(void)t;
	return rc;
}

int rbl_nev_prune(rbl_txn *t, int64_t before, uint64_t *n)
{
	uint64_t count = 0;
	size_t found = PRUNE_BATCH;
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, NEV_TABLE, &tb);

	if (n)
		*n = 0;
	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	while (rc == RBL_OK && found == PRUNE_BATCH)
		rc = prune_batch(t, &tb, before, &count, &found);
	if (n)
		*n = count;
	return rc < 0 ? rbl_txn_fail(t, rc) : RBL_OK;
}
