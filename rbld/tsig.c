/*
 * tsig.c -- TSIG signatures on wire messages (see tsig.h).
 *
 * The MAC covers, in this order (RFC 8945 4.3): for a response the MAC
 * it answers (length, then bytes); the message as it was before the TSIG
 * record was added (original ID, ARCOUNT without it); then either all
 * TSIG variables (key name and algorithm in canonical form, class ANY,
 * TTL 0, time, fudge, error, other data) or, for the later messages of
 * a multi-message answer, only the time and fudge.
 *
 * Whoever read the message says where its TSIG record is (the query
 * parser for requests, rbl_wire_last_rr for answers to our NOTIFYs):
 * this file reads that one record, never the rest of the message.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "zone/dname.h"
#include "zone/error.h"
#include "tsig.h"
#include "wire.h"

typedef struct tsig_alg {
	const char *name;		/* as in the TSIG record */
	const char *digest;		/* OpenSSL digest name */
	size_t mac_len;
} tsig_alg;

static const tsig_alg algs[] = {
	{ "hmac-sha256", "SHA256", 32 },
	{ "hmac-sha1", "SHA1", 20 },
	{ "hmac-sha384", "SHA384", 48 },
	{ "hmac-sha512", "SHA512", 64 },
};
#define N_ALGS (sizeof algs / sizeof algs[0])

/* The variables of one TSIG record (parsed, or to write). */
typedef struct tsig_vars {
	const uint8_t *name, *alg;	/* canonical wire names */
	uint8_t name_len, alg_len;
	uint64_t time;
	uint16_t fudge, error, orig_id;
	const uint8_t *mac, *other;
	uint16_t mac_len, other_len;
} tsig_vars;

/* ------------------------------------------------------------ names */

static int alg_index(const uint8_t *wire, size_t len)
{
	for (unsigned i = 0; i < N_ALGS; i++) {
		uint8_t w[DNS_NAME_MAX];

		if (rbl_name_wire(algs[i].name, w) == len &&
		    memcmp(w, wire, len) == 0)
			return (int)i;
	}
	return -1;
}

/* ------------------------------------------------------------ keys */

static size_t b64_decode(const char *in, uint8_t *out, size_t cap)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	for (; *in && *in != '='; in++) {
		const char *p;

		if (isspace((unsigned char)*in))
			continue;
		if (!(p = strchr(tab, *in)) || *in == 0)
			return 0;
		acc = acc << 6 | (uint32_t)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return 0;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

int rbl_tsig_key_init(rbl_tsig_key *k, const char *name,
		      const char *algorithm, const char *secret)
{
	uint8_t w[DNS_NAME_MAX];
	size_t len = rbl_name_wire(name, k->name_wire);
	int alg;

	memset(k->secret, 0, sizeof k->secret);
	if (len <= 1)
		return RBL_EINVAL;
	k->name_len = (uint8_t)len;
	snprintf(k->name, sizeof k->name, "%s", name);
	for (char *p = k->name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (len > 1 && k->name[strlen(k->name) - 1] == '.')
		k->name[strlen(k->name) - 1] = 0;
	len = rbl_name_wire(algorithm ? algorithm : "hmac-sha256", w);
	if ((alg = alg_index(w, len)) < 0)
		return RBL_EINVAL;
	k->alg = (unsigned)alg;
	k->secret_len = b64_decode(secret, k->secret, sizeof k->secret);
	return k->secret_len ? RBL_OK : RBL_EINVAL;
}

/* ------------------------------------------------------------ MAC */

static void put48(uint8_t *p, uint64_t v)
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get48(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

/* The MAC of (PRIOR, message MSG[LEN] as unsigned with ID, variables V
 * in full or only the timers) into OUT.  RBL_OK or RBL_ENOMEM. */
static int compute_mac(const rbl_tsig_key *k, const uint8_t *prior,
		       size_t prior_len, const uint8_t *msg, size_t len,
		       uint16_t arcount, const tsig_vars *v, bool timers_only,
		       uint8_t *out, size_t *out_len)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];
	uint8_t head[DNS_HDR_LEN], b[16];
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string(
		OSSL_MAC_PARAM_DIGEST, (char *)algs[k->alg].digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	memcpy(head, msg, DNS_HDR_LEN);
	dns_put16(head, v->orig_id);
	dns_put16(head + 10, arcount);
	ok = ctx && EVP_MAC_init(ctx, k->secret, k->secret_len, params);
	if (ok && prior) {
		dns_put16(b, (uint16_t)prior_len);
		ok = EVP_MAC_update(ctx, b, 2) &&
		     EVP_MAC_update(ctx, prior, prior_len);
	}
	ok = ok && EVP_MAC_update(ctx, head, DNS_HDR_LEN) &&
	     EVP_MAC_update(ctx, msg + DNS_HDR_LEN, len - DNS_HDR_LEN);
	if (ok && !timers_only) {
		dns_put16(b, 255);		/* class ANY */
		memset(b + 2, 0, 4);		/* TTL */
		ok = EVP_MAC_update(ctx, v->name, v->name_len) &&
		     EVP_MAC_update(ctx, b, 6) &&
		     EVP_MAC_update(ctx, v->alg, v->alg_len);
	}
	put48(b, v->time);
	dns_put16(b + 6, v->fudge);
	ok = ok && EVP_MAC_update(ctx, b, 8);
	if (ok && !timers_only) {
		dns_put16(b, v->error);
		dns_put16(b + 2, v->other_len);
		ok = EVP_MAC_update(ctx, b, 4) &&
		     (!v->other_len ||
		      EVP_MAC_update(ctx, v->other, v->other_len));
	}
	ok = ok && EVP_MAC_final(ctx, out, out_len, RBL_TSIG_MAC_MAX);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? RBL_OK : RBL_ENOMEM;
}

/* ------------------------------------------------------------ parsing */

/* Read the TSIG record at AT (from the query parser, or
 * rbl_wire_last_rr): V gets its variables, NAME and ALG its names in
 * canonical form.  RBL_ENOTFOUND when AT is 0 or the record there is not
 * a TSIG record; RBL_EFORMAT when it is not the whole rest of the message
 * or its fields do not fit. */
static int read_tsig(const uint8_t *msg, size_t len, size_t at,
		     tsig_vars *v, uint8_t *name, uint8_t *alg)
{
	rbl_wire_buf nb = { .wire = name }, ab = { .wire = alg };
	rbl_wire_rr rr = { 0 };
	size_t rd = 0, end = 0;

	memset(v, 0, sizeof *v);
	if (at == 0)
		return RBL_ENOTFOUND;
	if (at < DNS_HDR_LEN || !(end = rbl_wire_record(msg, len, at, &rr)))
		return RBL_EFORMAT;
	if (rr.type != DNS_T_TSIG)
		return RBL_ENOTFOUND;
	if (end != len || rr.rclass != DNS_C_ANY ||
	    !rbl_wire_name(msg, len, at, RBL_WIRE_LOWER, &nb) ||
	    !(rd = rbl_wire_name(msg, end, rr.rdata, RBL_WIRE_LOWER, &ab)) ||
	    rd + 10 > end)
		return RBL_EFORMAT;
	v->name = name;
	v->name_len = nb.len;
	v->alg = alg;
	v->alg_len = ab.len;
	v->time = get48(msg + rd);
	v->fudge = dns_get16(msg + rd + 6);
	v->mac_len = dns_get16(msg + rd + 8);
	v->mac = msg + rd + 10;
	rd += 10u + v->mac_len;
	if (rd + 6 > end || v->mac_len > RBL_TSIG_MAC_MAX)
		return RBL_EFORMAT;
	v->orig_id = dns_get16(msg + rd);
	v->error = dns_get16(msg + rd + 2);
	v->other_len = dns_get16(msg + rd + 4);
	v->other = msg + rd + 6;
	return rd + 6u + v->other_len == end ? RBL_OK : RBL_EFORMAT;
}

static bool time_ok(uint64_t signed_at, uint16_t fudge, int64_t now)
{
	int64_t d = now - (int64_t)signed_at;

	return (d < 0 ? -d : d) <= fudge;
}

static bool mac_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

bool rbl_tsig_present(const rbl_tsig_state *st)
{
	return st->key || st->error;
}

size_t rbl_tsig_size(const rbl_tsig_state *st)
{
	size_t name = st->key ? st->key->name_len : st->name_len;

	/* owner, fixed fields, algorithm, MAC, BADTIME's other data */
	return name + 10u + DNS_NAME_MAX / 16u + 16u + RBL_TSIG_MAC_MAX + 6u;
}

int rbl_tsig_check(const rbl_tsig_key *keys, unsigned n_keys,
		   const uint8_t *msg, size_t len, size_t at, int64_t now,
		   rbl_tsig_state *st)
{
	uint8_t name[DNS_NAME_MAX], alg[DNS_NAME_MAX], mac[RBL_TSIG_MAC_MAX];
	size_t mac_len = 0;
	tsig_vars v = { 0 };
	int rc = read_tsig(msg, len, at, &v, name, alg);

	memset(st, 0, sizeof *st);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	st->orig_id = v.orig_id;
	st->request_time = v.time;
	memcpy(st->name_wire, name, v.name_len);
	st->name_len = v.name_len;
	memcpy(st->alg_wire, alg, v.alg_len);
	st->alg_len = v.alg_len;
	st->error = RBL_TSIG_BADKEY;
	for (unsigned i = 0; i < n_keys; i++) {
		const rbl_tsig_key *k = &keys[i];

		if (k->name_len != v.name_len ||
		    memcmp(k->name_wire, name, v.name_len) != 0 ||
		    alg_index(alg, v.alg_len) != (int)k->alg)
			continue;
		rc = compute_mac(k, NULL, 0, msg, at,
				 (uint16_t)(dns_get16(msg + 10) - 1), &v,
				 false, mac, &mac_len);
		if (rc != RBL_OK)
			return rc;
		st->key = k;
		if (v.mac_len != mac_len || !mac_equal(mac, v.mac, mac_len)) {
			st->error = RBL_TSIG_BADSIG;
			return RBL_OK;
		}
		memcpy(st->mac, v.mac, mac_len);
		st->mac_len = mac_len;
		st->error = time_ok(v.time, v.fudge, now) ? RBL_TSIG_NOERROR
							    : RBL_TSIG_BADTIME;
		return RBL_OK;
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ signing */

/* Write the TSIG record of V (with MAC) at MSG+*LEN. */
static int put_tsig(const tsig_vars *v, uint8_t *msg, size_t *len,
		    size_t cap)
{
	size_t rdlen = v->alg_len + 16u + v->mac_len + v->other_len;
	size_t need = v->name_len + 10u + rdlen;
	uint8_t *p = msg + *len;

	if (*len + need > cap || *len + need > DNS_MSG_MAX)
		return RBL_ETOOBIG;
	memcpy(p, v->name, v->name_len);
	p += v->name_len;
	dns_put16(p, DNS_T_TSIG);
	dns_put16(p + 2, 255);
	dns_put32(p + 4, 0);
	dns_put16(p + 8, (uint16_t)rdlen);
	p += 10;
	memcpy(p, v->alg, v->alg_len);
	p += v->alg_len;
	put48(p, v->time);
	dns_put16(p + 6, v->fudge);
	dns_put16(p + 8, v->mac_len);
	if (v->mac_len)
		memcpy(p + 10, v->mac, v->mac_len);
	p += 10u + v->mac_len;
	dns_put16(p, v->orig_id);
	dns_put16(p + 2, v->error);
	dns_put16(p + 4, v->other_len);
	if (v->other_len)
		memcpy(p + 6, v->other, v->other_len);
	*len += need;
	dns_put16(msg + 10, (uint16_t)(dns_get16(msg + 10) + 1));
	return RBL_OK;
}

int rbl_tsig_sign(rbl_tsig_state *st, uint8_t *msg, size_t *len, size_t cap,
		  int64_t now)
{
	uint8_t alg[DNS_NAME_MAX], other[6], mac[RBL_TSIG_MAC_MAX];
	size_t mac_len = 0;
	tsig_vars v = { 0 };
	int rc;

	if (!rbl_tsig_present(st))
		return RBL_EINVAL;
	memset(&v, 0, sizeof v);
	v.time = (uint64_t)now;
	v.fudge = RBL_TSIG_FUDGE;
	v.orig_id = st->orig_id;
	v.error = st->error;
	if (!st->key || st->error == RBL_TSIG_BADSIG) {
		/* unsigned error answer, echoing what the request named */
		v.name = st->name_wire;
		v.name_len = st->name_len;
		v.alg = st->alg_wire;
		v.alg_len = st->alg_len;
		v.time = st->request_time;
		return put_tsig(&v, msg, len, cap);
	}
	v.name = st->key->name_wire;
	v.name_len = st->key->name_len;
	v.alg_len = (uint8_t)rbl_name_wire(algs[st->key->alg].name, alg);
	v.alg = alg;
	if (st->error == RBL_TSIG_BADTIME) {
		put48(other, (uint64_t)now);
		v.other = other;
		v.other_len = 6;
		v.time = st->request_time;
	}
	rc = compute_mac(st->key, st->mac, st->mac_len, msg, *len,
			 dns_get16(msg + 10), &v, st->signed_one, mac,
			 &mac_len);
	if (rc != RBL_OK)
		return rc;
	v.mac = mac;
	v.mac_len = (uint16_t)mac_len;
	if ((rc = put_tsig(&v, msg, len, cap)) != RBL_OK)
		return rc;
	memcpy(st->mac, mac, mac_len);
	st->mac_len = mac_len;
	st->signed_one = true;
	return RBL_OK;
}

int rbl_tsig_sign_request(rbl_tsig_state *st, const rbl_tsig_key *key,
			  uint8_t *msg, size_t *len, size_t cap, int64_t now)
{
	uint8_t alg[DNS_NAME_MAX], mac[RBL_TSIG_MAC_MAX];
	size_t mac_len = 0;
	tsig_vars v = { 0 };
	int rc;

	memset(st, 0, sizeof *st);
	memset(&v, 0, sizeof v);
	st->key = key;
	st->orig_id = dns_get16(msg);
	v.name = key->name_wire;
	v.name_len = key->name_len;
	v.alg_len = (uint8_t)rbl_name_wire(algs[key->alg].name, alg);
	v.alg = alg;
	v.time = (uint64_t)now;
	v.fudge = RBL_TSIG_FUDGE;
	v.orig_id = st->orig_id;
	rc = compute_mac(key, NULL, 0, msg, *len, dns_get16(msg + 10), &v,
			 false, mac, &mac_len);
	if (rc != RBL_OK)
		return rc;
	v.mac = mac;
	v.mac_len = (uint16_t)mac_len;
	if ((rc = put_tsig(&v, msg, len, cap)) != RBL_OK)
		return rc;
	memcpy(st->mac, mac, mac_len);
	st->mac_len = mac_len;
	return RBL_OK;
}

int rbl_tsig_verify_response(rbl_tsig_state *st, const uint8_t *msg,
			     size_t len, size_t at, int64_t now)
{
	uint8_t name[DNS_NAME_MAX], alg[DNS_NAME_MAX], mac[RBL_TSIG_MAC_MAX];
	size_t mac_len = 0;
	tsig_vars v = { 0 };
	int rc = read_tsig(msg, len, at, &v, name, alg);

	if (rc == RBL_ENOTFOUND)
		return RBL_EPERM;
	if (rc != RBL_OK)
		return rc;
	if (v.error || v.name_len != st->key->name_len ||
	    memcmp(name, st->key->name_wire, v.name_len) != 0 ||
	    alg_index(alg, v.alg_len) != (int)st->key->alg)
		return RBL_EPERM;
	rc = compute_mac(st->key, st->mac, st->mac_len, msg, at,
			 (uint16_t)(dns_get16(msg + 10) - 1), &v, false, mac,
			 &mac_len);
	if (rc != RBL_OK)
		return rc;
	if (v.mac_len != mac_len || !mac_equal(mac, v.mac, mac_len) ||
	    !time_ok(v.time, v.fudge, now))
		return RBL_EPERM;
	return RBL_OK;
}
