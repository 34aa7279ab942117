/*
 * qkey.c -- access key records (see qkey.h).
 *
 * Record, big-endian (kvrec.h): u8 version (1), u32 number, u8 state,
 * u32 quota, 26 bytes secret, u8 zone count, the zones as strings, the
 * contact as a string, i64 created, rotated, last used.
 * Besides the keys, one record whose name no key can have (it starts
 * with a NUL byte): "\0num" the last number given (u32), so a removed
 * key's number is never given again and its counters are never
 * inherited.  A change rbld answers by moves the store's generation
 * (rbl_txn_touch_generation), which rbld reads once per batch anyway.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "zone/error.h"
#include "zone/store/bytes.h"
#include "zone/store/kvrec.h"
#include "zone/store/table.h"
#include "zone/people/qkey.h"
#include "zone/people/users.h"

#define QKEY_DB		"qkeys"
#define REC_VERSION	1
#define REC_MAX		(64 + RBL_QKEY_ZONES_MAX * (RBL_NAME_MAX + 4) + \
			 RBL_QKEY_CONTACT_MAX + 4)

static const char num_key[] = { '\0', 'n', 'u', 'm' };
static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* A key's name follows the rule of a user's name, limit included. */
_Static_assert(RBL_QKEY_NAME_MAX == RBL_USER_NAME_MAX,
	       "key and user names share one rule");

bool rbl_qkey_name_valid(const char *name)
{
	return rbl_user_name_valid(name);
}

bool rbl_qkey_secret_form(const void *p, size_t len)
{
	const uint8_t *s = p;

	if (len != RBL_QKEY_SECRET_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '2' && s[i] <= '7')))
			return false;
	return true;
}

const char *rbl_qkey_secret_short(const char *secret, char *buf)
{
	size_t n = strnlen(secret, 4);

	memcpy(buf, secret, n);
	memcpy(buf + n, "\xe2\x80\xa6", 4);	/* "…" and NUL */
	return buf;
}

static int new_secret(char out[RBL_QKEY_SECRET_LEN + 1])
{
	uint8_t raw[RBL_QKEY_SECRET_LEN];

	if (RAND_bytes(raw, sizeof raw) != 1)
		return RBL_EIO;
	for (size_t i = 0; i < sizeof raw; i++)
		out[i] = b32[raw[i] & 31];	/* 5 bits of each byte */
	out[RBL_QKEY_SECRET_LEN] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	return RBL_OK;
}

/* One zone name of LEN bytes at S into OUT, lowercase, no trailing dot. */
static int zone_copy(const char *s, size_t len, char *out)
{
	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > RBL_NAME_MAX)
		return RBL_EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return RBL_EINVAL;
		out[i] = c;
	}
	out[len] = '\0';
	return RBL_OK;
}

int rbl_qkey_set_zones(rbl_qkey *k, const char *csv)
{
	const char *p = csv;

	k->n_zones = 0;
	if (!csv || !*csv || strcmp(csv, "*") == 0)
		return RBL_OK;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (k->n_zones == RBL_QKEY_ZONES_MAX ||
		    zone_copy(p, len, k->zones[k->n_zones]) != RBL_OK)
			return RBL_EINVAL;
		k->n_zones++;
		p += len + (e != NULL);
	}
	return RBL_OK;
}

void rbl_qkey_zones_text(const rbl_qkey *k, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (k->n_zones == 0) {
		snprintf(buf, size, "*");
		return;
	}
	for (unsigned i = 0; i < k->n_zones && o < size; i++) {
		int n = snprintf(buf + o, size - o, "%s%s", i ? "," : "",
				 k->zones[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

bool rbl_qkey_covers(const rbl_qkey *k, const char *zone)
{
	if (k->n_zones == 0)
		return true;
	for (unsigned i = 0; i < k->n_zones; i++)
		if (strcmp(k->zones[i], zone) == 0)
			return true;
	return false;
}

const char *rbl_qkey_state_name(int state)
{
	return state == RBL_QKEY_ACTIVE ? "active"
	       : state == RBL_QKEY_DISABLED ? "disabled" : "?";
}

static size_t rec_encode(const rbl_qkey *k, uint8_t *buf, size_t cap)
{
	kv_writer w = { 0 };

	kv_w_init(&w, buf, cap);
	kv_put_u8(&w, REC_VERSION);
	kv_put_u32(&w, k->number);
	kv_put_u8(&w, k->state);
	kv_put_u32(&w, k->quota);
	kv_put_bytes(&w, k->secret, RBL_QKEY_SECRET_LEN);
	kv_put_u8(&w, k->n_zones);
	for (unsigned i = 0; i < k->n_zones; i++)
		kv_put_str(&w, k->zones[i]);
	kv_put_str(&w, k->contact);
	kv_put_i64(&w, k->created);
	kv_put_i64(&w, k->rotated);
	kv_put_i64(&w, k->last_used);
	return kv_w_ok(&w) ? w.len : 0;
}

static int rec_decode(const void *name, size_t nlen, const rbl_val *v,
		      rbl_qkey *k)
{
	kv_reader r = { 0 };

	memset(k, 0, sizeof *k);
	if (nlen == 0 || nlen > RBL_QKEY_NAME_MAX)
		return RBL_EFORMAT;
	memcpy(k->name, name, nlen);
	kv_r_init(&r, v->p, v->len);
	if (kv_get_u8(&r) != REC_VERSION)
		return RBL_EVERSION;
	k->number = kv_get_u32(&r);
	k->state = kv_get_u8(&r);
	k->quota = kv_get_u32(&r);
	kv_get_bytes(&r, k->secret, RBL_QKEY_SECRET_LEN);
	k->n_zones = kv_get_u8(&r);
	if (k->n_zones > RBL_QKEY_ZONES_MAX)
		return RBL_EFORMAT;
	for (unsigned i = 0; i < k->n_zones; i++)
		kv_get_str(&r, k->zones[i], sizeof k->zones[i]);
	kv_get_str(&r, k->contact, sizeof k->contact);
	k->created = kv_get_i64(&r);
	k->rotated = kv_get_i64(&r);
	k->last_used = kv_get_i64(&r);
	return kv_r_ok(&r) ? RBL_OK : RBL_EFORMAT;
}

static int bump_generation(const rbl_table *tb)
{
	return rbl_txn_touch_generation(tb->txn);
}

static int next_number(const rbl_table *tb, uint32_t *out)
{
	rbl_val v = { 0 };
	uint8_t buf[4];
	uint32_t n = 0;
	int rc = rbl_table_get(tb, num_key, sizeof num_key, &v);

	if (rc == RBL_OK && v.len == 4)
		n = rbl_get_be32(v.p);
	else if (rc != RBL_OK && rc != RBL_ENOTFOUND)
		return rc;
	if (n == UINT32_MAX)
		return RBL_ELIMIT;
	*out = n + 1;
	rbl_put_be32(buf, *out);
	return rbl_table_put(tb, num_key, sizeof num_key, buf, 4, 0);
}

/* Write K under its name; BUMP: rbld answers differently now. */
static int rec_put(rbl_txn *t, const rbl_qkey *k, unsigned flags, bool bump)
{
	rbl_table tb = { 0 };
	uint8_t buf[REC_MAX];
	size_t len = rec_encode(k, buf, sizeof buf);
	int rc = rbl_table_open(t, QKEY_DB, &tb);

	if (rc != RBL_OK)
		return rc;
	if (len == 0)
		return RBL_EINVAL;
	rc = rbl_table_put(&tb, k->name, strlen(k->name), buf, len, flags);
	if (rc == RBL_OK && bump)
		rc = bump_generation(&tb);
	OPENSSL_cleanse(buf, sizeof buf);
	return rc;
}

int rbl_qkey_get(rbl_txn *t, const char *name, rbl_qkey *out)
{
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	size_t len = strlen(name);
	int rc;

	if (!rbl_qkey_name_valid(name))
		return RBL_ENOTFOUND;
	rc = rbl_table_open(t, QKEY_DB, &tb);
	if (rc == RBL_OK)
		rc = rbl_table_get(&tb, name, len, &v);
	return rc == RBL_OK ? rec_decode(name, len, &v, out) : rc;
}

int rbl_qkey_add(rbl_txn *t, rbl_qkey *k, int64_t now)
{
	rbl_table tb = { 0 };
	rbl_qkey old = { 0 };
	int rc;

	if (!rbl_qkey_name_valid(k->name))
		return RBL_EINVAL;
	rc = rbl_qkey_get(t, k->name, &old);
	if (rc == RBL_OK)
		return RBL_EEXIST;
	if (rc != RBL_ENOTFOUND)
		return rc;
	rc = rbl_table_open(t, QKEY_DB, &tb);
	if (rc == RBL_OK)
		rc = next_number(&tb, &k->number);
	if (rc == RBL_OK)
		rc = new_secret(k->secret);
	if (rc != RBL_OK)
		return rc;
	k->state = RBL_QKEY_ACTIVE;
	k->created = now;
	k->rotated = 0;
	k->last_used = 0;
	return rec_put(t, k, RBL_TABLE_NEW, true);
}

int rbl_qkey_update(rbl_txn *t, const rbl_qkey *k)
{
	rbl_qkey cur = { 0 };
	int rc = rbl_qkey_get(t, k->name, &cur);

	if (rc != RBL_OK)
		return rc;
	if (k->state != RBL_QKEY_ACTIVE && k->state != RBL_QKEY_DISABLED)
		return RBL_EINVAL;
	cur.state = k->state;
	cur.quota = k->quota;
	cur.n_zones = k->n_zones;
	memcpy(cur.zones, k->zones, sizeof cur.zones);
	memcpy(cur.contact, k->contact, sizeof cur.contact);
	return rec_put(t, &cur, 0, true);
}

int rbl_qkey_rotate(rbl_txn *t, const char *name, int64_t now,
		    rbl_qkey *out)
{
	int rc = rbl_qkey_get(t, name, out);

	if (rc == RBL_OK)
		rc = new_secret(out->secret);
	out->rotated = now;
	return rc == RBL_OK ? rec_put(t, out, 0, true) : rc;
}

int rbl_qkey_set_state(rbl_txn *t, const char *name, int state)
{
	rbl_qkey k = { 0 };
	int rc = rbl_qkey_get(t, name, &k);

	if (rc != RBL_OK)
		return rc;
	if (state != RBL_QKEY_ACTIVE && state != RBL_QKEY_DISABLED)
		return RBL_EINVAL;
	k.state = (uint8_t)state;
	return rec_put(t, &k, 0, true);
}

int rbl_qkey_touch(rbl_txn *t, const char *name, int64_t when)
{
	rbl_qkey k = { 0 };
	int rc = rbl_qkey_get(t, name, &k);

	if (rc != RBL_OK || when <= k.last_used)
		return rc;
	k.last_used = when;
	return rec_put(t, &k, 0, false);
}

int rbl_qkey_del(rbl_txn *t, const char *name)
{
	rbl_table tb = { 0 };
	int rc;

	if (!rbl_qkey_name_valid(name))
		return RBL_ENOTFOUND;
	rc = rbl_table_open(t, QKEY_DB, &tb);
	if (rc == RBL_OK)
		rc = rbl_table_del(&tb, name, strlen(name));
	return rc == RBL_OK ? bump_generation(&tb) : rc;
}

int rbl_qkey_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_qkey *k),
		     void *arg)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val key = { 0 }, v = { 0 };
	rbl_qkey k = { 0 };
	int rc = rbl_table_open(t, QKEY_DB, &tb), more = 0;

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rbl_table_iter_init(&it, &tb, NULL, 0, 0);
	while ((more = rbl_table_next(&it, &key, &v)) == 1) {
		if (key.len && *(const char *)key.p == '\0')
			continue;	/* the generation and number records */
		if (rec_decode(key.p, key.len, &v, &k) != RBL_OK)
			continue;	/* not ours to judge here; skip */
		rc = fn(arg, &k);
		if (rc != 0)
			break;
	}
	rbl_table_iter_end(&it);
	OPENSSL_cleanse(&k, sizeof k);
	return rc == RBL_OK && more < 0 ? more : rc;
}

/* ---- queries per day ---- */

#define QKDAY_DB	"qkday"
#define QKDAY_KEYLEN	9

static void day_key(uint8_t k[QKDAY_KEYLEN], uint32_t day, int kind,
		    uint32_t id)
{
	rbl_put_be32(k, day);
	k[4] = (uint8_t)kind;
	rbl_put_be32(k + 5, id);
}

/* Drop the days before DAY (at most a few per note: it runs daily). */
static int day_prune(const rbl_table *tb, uint32_t day)
{
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int more = 0, rc = RBL_OK;

	rbl_table_iter_init(&it, tb, NULL, 0, 0);
	while ((more = rbl_table_next(&it, &k, &v)) == 1 &&
	       k.len == QKDAY_KEYLEN && rbl_get_be32(k.p) < day)
		if ((rc = rbl_table_iter_del(&it)) != RBL_OK)
			break;
	rbl_table_iter_end(&it);
	return rc != RBL_OK ? rc : more < 0 ? more : RBL_OK;
}

int rbl_qkey_day_note(rbl_txn *t, uint32_t day, int kind, uint32_t id,
		      uint64_t n)
{
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	uint8_t k[QKDAY_KEYLEN], val[8];
	int rc = rbl_table_open(t, QKDAY_DB, &tb);

	if (rc != RBL_OK)
		return rc;
	day_key(k, day, kind, id);
	rc = rbl_table_get(&tb, k, sizeof k, &v);
	if (rc == RBL_OK && v.len == 8 && rbl_get_be64(v.p) >= n)
		return RBL_OK;
	if (rc != RBL_OK && rc != RBL_ENOTFOUND)
		return rc;
	rbl_put_be64(val, n);
	rc = rbl_table_put(&tb, k, sizeof k, val, sizeof val, 0);
	if (rc == RBL_OK && day > RBL_QKDAY_KEEP)
		rc = day_prune(&tb, day - RBL_QKDAY_KEEP);
	return rc;
}

int rbl_qkey_day_foreach(rbl_txn *t, uint32_t from,
			 int (*fn)(void *arg, uint32_t day, int kind,
				   uint32_t id, uint64_t n), void *arg)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	uint8_t start[4];
	int rc = rbl_table_open(t, QKDAY_DB, &tb), more = 0;

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rbl_put_be32(start, from);
	rbl_table_iter_init(&it, &tb, start, sizeof start, 0);
	while ((more = rbl_table_next(&it, &k, &v)) == 1) {
		if (k.len != QKDAY_KEYLEN || v.len != 8)
			continue;
		rc = fn(arg, rbl_get_be32(k.p), ((const uint8_t *)k.p)[4],
			rbl_get_be32((const uint8_t *)k.p + 5),
			rbl_get_be64(v.p));
		if (rc != 0)
			break;
	}
	rbl_table_iter_end(&it);
	return rc == RBL_OK && more < 0 ? more : rc;
}
