/*
 * evidence.c -- evidence records in the store: three tables kept in step
 * inside the caller's transaction (see evidence.h for the keys).
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "zone/error.h"
#include "zone/policy/evidence.h"
#include "zone/store/bytes.h"
#include "zone/store/table.h"

#define SUBJ_LEN	18			/* family, 16 bytes, length */
#define EVKEY_LEN	(SUBJ_LEN + 8 + 8)	/* subject, ~when, hash[0..8) */
#define TIMEKEY_LEN	16			/* when, hash[0..8) */
#define EV_FORMAT	1

typedef struct ev_dbs {
	rbl_table ev, hash, time;
} ev_dbs;

const char *rbl_evidence_kind_name(int kind)
{
	switch (kind) {
	case RBL_EV_TRAP:	return "trap";
	case RBL_EV_REPORT:	return "report";
	case RBL_EV_MANUAL:	return "manual";
	}
	return "?";
}

int rbl_evidence_kind_parse(const char *s)
{
	for (int k = 1; k <= RBL_EV_KINDS; k++)
		if (strcasecmp(s, rbl_evidence_kind_name(k)) == 0)
			return k;
	return 0;
}

/* ------------------------------------------------------------ hashing */

typedef struct hash_buf {
	EVP_MD_CTX *ctx;
	unsigned char buf[4096];
	size_t len;
	int ok;
} hash_buf;

static void hb_add(hash_buf *hb, const char *p, size_t n)
{
	while (n > 0) {
		size_t room = sizeof hb->buf - hb->len;
		size_t k = n < room ? n : room;
		memcpy(hb->buf + hb->len, p, k);
		hb->len += k;
		p += k;
		n -= k;
		if (hb->len == sizeof hb->buf) {
			hb->ok &= EVP_DigestUpdate(hb->ctx, hb->buf, hb->len);
			hb->len = 0;
		}
	}
}

/* Length of the line at P (up to END) without its end and trailing
 * blanks; *NEXT gets the start of the next line. */
static size_t norm_line(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;
	const char *cr = memchr(p, '\r', (size_t)(e - p));

	if (cr)
		e = cr;
	*next = e;
	if (e < end) {
		(*next)++;
		if (*e == '\r' && *next < end && **next == '\n')
			(*next)++;
	}
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return (size_t)(e - p);
}

int rbl_evidence_hash(const void *data, size_t len, uint8_t *out)
{
	const char *p = data, *end = p + len, *next = NULL;
	size_t empty = 0;
	hash_buf hb = { .ctx = EVP_MD_CTX_new(), .ok = 1 };
	unsigned olen = 0;

	if (!hb.ctx || !EVP_DigestInit_ex(hb.ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(hb.ctx);
		return RBL_ENOMEM;
	}
	while (p < end) {
		size_t n = norm_line(p, end, &next);
		if (n == 0) {
			empty++;	/* emitted only if a line follows */
		} else {
			for (; empty > 0; empty--)
				hb_add(&hb, "\n", 1);
			hb_add(&hb, p, n);
			hb_add(&hb, "\n", 1);
		}
		p = next;
	}
	hb.ok &= EVP_DigestUpdate(hb.ctx, hb.buf, hb.len);
	hb.ok &= EVP_DigestFinal_ex(hb.ctx, out, &olen);
	EVP_MD_CTX_free(hb.ctx);
	return hb.ok && olen == RBL_EV_HASH_LEN ? RBL_OK : RBL_ENOMEM;
}

int rbl_evidence_hash_parts(const char *const *parts, size_t n, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned olen = 0;
	int ok;

	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx);
	return ok && olen == RBL_EV_HASH_LEN ? RBL_OK : RBL_ENOMEM;
}

char *rbl_evidence_hash_hex(const uint8_t *hash, char *buf)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < RBL_EV_HASH_LEN; i++) {
		buf[2 * i] = hex[hash[i] >> 4];
		buf[2 * i + 1] = hex[hash[i] & 15];
	}
	buf[2 * RBL_EV_HASH_LEN] = '\0';
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int rbl_evidence_hash_parse(const char *s, uint8_t *out)
{
	if (strlen(s) != 2 * RBL_EV_HASH_LEN)
		return RBL_ESYNTAX;
	for (int i = 0; i < RBL_EV_HASH_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return RBL_ESYNTAX;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return RBL_OK;
}

/* ----------------------------------------------------------- encoding */

static uint64_t biased(int64_t when)
{
	return (uint64_t)when ^ (UINT64_C(1) << 63);
}

static void subject_key(uint8_t *k, const rbl_prefix *p)
{
	k[0] = p->addr.family;
	memcpy(k + 1, p->addr.bytes, 16);
	k[17] = p->len;
}

static void subject_decode(const uint8_t *k, rbl_prefix *p)
{
	memset(p, 0, sizeof *p);
	p->addr.family = k[0];
	memcpy(p->addr.bytes, k + 1, 16);
	p->len = k[17];
}

static void ev_key(uint8_t *k, const rbl_evidence *ev)
{
	subject_key(k, &ev->subject);
	rbl_put_be64(k + SUBJ_LEN, ~biased(ev->when));
	memcpy(k + SUBJ_LEN + 8, ev->hash, 8);
}

static void put_str(uint8_t **p, const char *s, size_t max, int lenbytes)
{
	size_t n = strnlen(s, max);

	if (lenbytes == 2) {
		rbl_put_be16(*p, (uint16_t)n);
		*p += 2;
	} else {
		*(*p)++ = (uint8_t)n;
	}
	memcpy(*p, s, n);
	*p += n;
}

#define EV_VAL_MAX (2 + 8 + 8 + RBL_EV_HASH_LEN + 1 + RBL_EV_SOURCE_MAX + \
		    2 + RBL_EV_SUMMARY_MAX)

static size_t ev_encode(const rbl_evidence *ev, uint8_t *buf)
{
	uint8_t *p = buf;
	uint64_t w = 0;

	*p++ = EV_FORMAT;
	*p++ = ev->kind;
	memcpy(&w, &ev->weight, 8);
	rbl_put_be64(p, w);
	p += 8;
	rbl_put_be64(p, (uint64_t)ev->when);
	p += 8;
	memcpy(p, ev->hash, RBL_EV_HASH_LEN);
	p += RBL_EV_HASH_LEN;
	put_str(&p, ev->source, RBL_EV_SOURCE_MAX, 1);
	put_str(&p, ev->summary, RBL_EV_SUMMARY_MAX, 2);
	return (size_t)(p - buf);
}

static bool get_str(const uint8_t **p, const uint8_t *end, char *out,
		    size_t max, int lenbytes)
{
	size_t n;

	if (end - *p < lenbytes)
		return false;
	n = lenbytes == 2 ? rbl_get_be16(*p) : **p;
	*p += lenbytes;
	if (n > max || (size_t)(end - *p) < n)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return true;
}

static int ev_decode(const rbl_val *k, const rbl_val *v, rbl_evidence *ev)
{
	const uint8_t *p = v->p, *end = p + v->len;
	uint64_t w = 0;

	if (k->len != EVKEY_LEN || v->len < 2 + 16 + RBL_EV_HASH_LEN ||
	    p[0] != EV_FORMAT)
		return RBL_ESTORE;
	memset(ev, 0, sizeof *ev);
	subject_decode(k->p, &ev->subject);
	ev->kind = p[1];
	w = rbl_get_be64(p + 2);
	memcpy(&ev->weight, &w, 8);
	ev->when = (int64_t)rbl_get_be64(p + 10);
	memcpy(ev->hash, p + 18, RBL_EV_HASH_LEN);
	p += 18 + RBL_EV_HASH_LEN;
	if (!get_str(&p, end, ev->source, RBL_EV_SOURCE_MAX, 1) ||
	    !get_str(&p, end, ev->summary, RBL_EV_SUMMARY_MAX, 2))
		return RBL_ESTORE;
	return RBL_OK;
}

/* ---------------------------------------------------------- databases */

/* Open the three tables.  In a read transaction before any evidence
 * was written they do not exist: RBL_ENOTFOUND, which readers treat as
 * "no evidence". */
static int open_dbs(rbl_txn *t, ev_dbs *d)
{
	int rc;

	if ((rc = rbl_table_open(t, "evidence", &d->ev)) ||
	    (rc = rbl_table_open(t, "evhash", &d->hash)) ||
	    (rc = rbl_table_open(t, "evtime", &d->time)))
		return rc;
	return RBL_OK;
}

static bool valid_subject(const rbl_prefix *p)
{
	rbl_addr last = { 0 };

	if ((p->addr.family != RBL_AF4 && p->addr.family != RBL_AF6) ||
	    p->len > rbl_addr_bits(p->addr.family))
		return false;
	rbl_prefix_last(p, &last);
	return !rbl_addr_is_special(&p->addr) && !rbl_addr_is_special(&last);
}

int rbl_evidence_add(rbl_txn *t, const rbl_evidence *ev)
{
	uint8_t key[EVKEY_LEN], tkey[TIMEKEY_LEN], val[EV_VAL_MAX];
	ev_dbs d = { 0 };
	int rc;

	if (ev->kind < 1 || ev->kind > RBL_EV_KINDS || !(ev->weight > 0) ||
	    !isfinite(ev->weight) || !valid_subject(&ev->subject))
		return RBL_EINVAL;
	if ((rc = open_dbs(t, &d)))
		return rc;
	ev_key(key, ev);
	/* The hash first, as a new key: it decides whether this is new, in
	 * one B-tree descent (RBL_EEXIST if not). */
	rc = rbl_table_put(&d.hash, ev->hash, RBL_EV_HASH_LEN, key, EVKEY_LEN,
			   RBL_TABLE_NEW);
	if (rc)
		return rc;
	rbl_put_be64(tkey, biased(ev->when));
	memcpy(tkey + 8, ev->hash, 8);
	if ((rc = rbl_table_put(&d.ev, key, sizeof key, val, ev_encode(ev, val),
				0)) ||
	    (rc = rbl_table_put(&d.time, tkey, sizeof tkey, key, sizeof key, 0)))
		return rbl_txn_fail(t, rc);
	return RBL_OK;
}

/* The evidence key stored for HASH into KEY. */
static int key_of_hash(const ev_dbs *d, const uint8_t *hash, uint8_t *key)
{
	rbl_val v = { 0 };
	int rc = rbl_table_get(&d->hash, hash, RBL_EV_HASH_LEN, &v);

	if (rc)
		return rc;
	if (v.len != EVKEY_LEN)
		return RBL_ESTORE;
	memcpy(key, v.p, EVKEY_LEN);
	return RBL_OK;
}

int rbl_evidence_exists(rbl_txn *t, const uint8_t *hash)
{
	uint8_t key[EVKEY_LEN];
	ev_dbs d = { 0 };
	int rc = open_dbs(t, &d);

	if (rc == RBL_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	rc = key_of_hash(&d, hash, key);
	return rc == RBL_OK ? 1 : rc == RBL_ENOTFOUND ? 0 : rc;
}

int rbl_evidence_get(rbl_txn *t, const uint8_t *hash, rbl_evidence *out)
{
	uint8_t key[EVKEY_LEN];
	rbl_val k = { key, EVKEY_LEN }, v = { 0 };
	ev_dbs d = { 0 };
	int rc;

	if ((rc = open_dbs(t, &d)) || (rc = key_of_hash(&d, hash, key)))
		return rc;
	rc = rbl_table_get(&d.ev, key, EVKEY_LEN, &v);
	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_ESTORE : rc;
	return ev_decode(&k, &v, out);
}

static int del_key(const rbl_table *tb, const void *k, size_t kl)
{
	int rc = rbl_table_del(tb, k, kl);

	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}

/* Remove the three records of the evidence with key KEY and hash HASH. */
static int del_records(rbl_txn *t, const ev_dbs *d, const uint8_t *key,
		       const uint8_t *hash, int64_t when)
{
	uint8_t tkey[TIMEKEY_LEN];
	int rc;

	rbl_put_be64(tkey, biased(when));
	memcpy(tkey + 8, hash, 8);
	if ((rc = del_key(&d->ev, key, EVKEY_LEN)) ||
	    (rc = del_key(&d->hash, hash, RBL_EV_HASH_LEN)) ||
	    (rc = del_key(&d->time, tkey, TIMEKEY_LEN)))
		return rbl_txn_fail(t, rc);
	return RBL_OK;
}

int rbl_evidence_del(rbl_txn *t, const uint8_t *hash)
{
	uint8_t key[EVKEY_LEN];
	int64_t when;
	ev_dbs d = { 0 };
	int rc;

	if ((rc = open_dbs(t, &d)) || (rc = key_of_hash(&d, hash, key)))
		return rc;
	when = (int64_t)(~rbl_get_be64(key + SUBJ_LEN) ^ (UINT64_C(1) << 63));
	return del_records(t, &d, key, hash, when);
}

/* -------------------------------------------------------------- walks */

/* Visit evidence records whose key starts with PREFIX (PLEN bytes, may be
 * 0) in key order. */
static int walk_prefix(const rbl_table *tb, const uint8_t *prefix,
		       size_t plen, rbl_evidence_visit_fn fn, void *arg)
{
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	rbl_evidence ev = { 0 };
	int rc = 0;

	rbl_table_iter_init(&it, tb, plen ? prefix : NULL, plen,
			    RBL_TABLE_PREFIX);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1)
		if ((rc = ev_decode(&k, &v, &ev)) || (rc = fn(arg, &ev)))
			break;
	rbl_table_iter_end(&it);
	return rc;
}

int rbl_evidence_foreach_subject(rbl_txn *t, const rbl_prefix *subject,
				 rbl_evidence_visit_fn fn, void *arg)
{
	uint8_t prefix[SUBJ_LEN];
	ev_dbs d = { 0 };
	int rc = open_dbs(t, &d);

	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	subject_key(prefix, subject);
	return walk_prefix(&d.ev, prefix, sizeof prefix, fn, arg);
}

int rbl_evidence_foreach(rbl_txn *t, rbl_evidence_visit_fn fn, void *arg)
{
	ev_dbs d = { 0 };
	int rc = open_dbs(t, &d);

	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	return walk_prefix(&d.ev, NULL, 0, fn, arg);
}

typedef struct related_arg {
	const rbl_prefix *subject;
	rbl_evidence_visit_fn fn;
	void *arg;
} related_arg;

static int related_visit(void *arg, const rbl_evidence *ev)
{
	related_arg *ra = arg;
	const rbl_prefix *s = ra->subject;

	if (ev->subject.addr.family != s->addr.family)
		return 0;
	if (!rbl_prefix_covers(&ev->subject, s) &&
	    !rbl_prefix_covers(s, &ev->subject))
		return 0;
	return ra->fn(ra->arg, ev);
}

int rbl_evidence_foreach_related(rbl_txn *t, const rbl_prefix *subject,
				 rbl_evidence_visit_fn fn, void *arg)
{
	related_arg ra = { subject, fn, arg };
	uint8_t prefix[1] = { subject->addr.family };
	ev_dbs d = { 0 };
	int rc = open_dbs(t, &d);

	/* Covering prefixes share no key prefix with the subject beyond the
	 * family, so the family is walked; evidence of wide prefixes is rare
	 * and the admin page asks for one address at a time. */
	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	return walk_prefix(&d.ev, prefix, 1, related_visit, &ra);
}

int rbl_evidence_foreach_since(rbl_txn *t, int64_t since,
			       rbl_evidence_visit_fn fn, void *arg)
{
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 }, evv = { 0 };
	rbl_evidence ev = { 0 };
	ev_dbs d = { 0 };
	int rc = open_dbs(t, &d);

	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	rbl_table_iter_init(&it, &d.time, NULL, 0, RBL_TABLE_BACKWARD);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		if (k.len != TIMEKEY_LEN || rbl_get_be64(k.p) < biased(since)) {
			rc = RBL_OK;
			break;
		}
		rc = rbl_table_get(&d.ev, v.p, v.len, &evv);
		if (rc == RBL_ENOTFOUND) {
			rc = RBL_OK;	/* a time record without its evidence
					   ends the walk */
			break;
		}
		if (rc || (rc = ev_decode(&v, &evv, &ev)) || (rc = fn(arg, &ev)))
			break;
	}
	rbl_table_iter_end(&it);
	return rc;
}

static int count_one(void *arg, const rbl_evidence *ev)
{
	(*(uint64_t *)arg)++;
	return 0;
}

int rbl_evidence_count(rbl_txn *t, const rbl_prefix *subject, uint64_t *n)
{
	*n = 0;
	return rbl_evidence_foreach_subject(t, subject, count_one, n);
}

/* Remove the evidence and hash records of key EKEY (its time record is
 * being deleted by the caller's walk). */
static int prune_one(const ev_dbs *d, const uint8_t *ekey)
{
	uint8_t hash[RBL_EV_HASH_LEN];
	rbl_val v = { 0 };
	int rc = rbl_table_get(&d->ev, ekey, EVKEY_LEN, &v);

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc)
		return rc;
	if (v.len < 18 + RBL_EV_HASH_LEN)
		return RBL_ESTORE;
	memcpy(hash, (const uint8_t *)v.p + 18, RBL_EV_HASH_LEN);
	if ((rc = del_key(&d->ev, ekey, EVKEY_LEN)))
		return rc;
	return del_key(&d->hash, hash, RBL_EV_HASH_LEN);
}

int rbl_evidence_prune(rbl_txn *t, int64_t before, uint64_t *n)
{
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	uint8_t ekey[EVKEY_LEN];
	uint64_t count = 0;
	ev_dbs d = { 0 };
	int rc;

	if (n)
		*n = 0;
	if ((rc = open_dbs(t, &d)))
		return rc;
	rbl_table_iter_init(&it, &d.time, NULL, 0, 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		if (k.len != TIMEKEY_LEN || v.len != EVKEY_LEN ||
		    rbl_get_be64(k.p) >= biased(before)) {
			rc = RBL_OK;
			break;
		}
		memcpy(ekey, v.p, EVKEY_LEN);
		if ((rc = rbl_table_iter_del(&it)) || (rc = prune_one(&d, ekey)))
			break;
		count++;
	}
	rbl_table_iter_end(&it);
	if (n)
		*n = count;
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}
