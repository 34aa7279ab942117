/*
 * test_tsig.c -- rbld's TSIG (rbld/tsig.c) against ldns's: a request
 * signed by ldns is accepted, a wrong secret or key name is told apart,
 * and responses rbld signs (first message, a later one of a transfer,
 * a NOTIFY request) verify with ldns.  The TSIG record is found as rbld
 * finds it: by the query parser in requests, by rbl_wire_last_rr in
 * answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "rbld/query.h"
#include "rbld/tsig.h"
#include "rbld/wire.h"
#include "tests/unit/check.h"

#define SECRET "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM0NTY3OA=="
#define OTHER  "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0wMTIzNDU2Nzg5MDE="

/* Where the query parser finds the TSIG record of request M. */
static size_t tsig_at(const uint8_t *m, size_t len)
{
	rbl_query q = { 0 };

	CHECK_RC(rbl_query_parse(m, len, &q), RBL_OK);
	return q.tsig_at;
}

/* The last record of answer M, where its TSIG must be. */
static size_t last_rr(const uint8_t *m, size_t len)
{
	size_t at = 0;

	CHECK_RC(rbl_wire_last_rr(m, len, &at), RBL_OK);
	return at;
}

static ldns_pkt *query(void)
{
	ldns_pkt *p = NULL;

	ldns_pkt_query_new_frm_str(&p, "bl.test.", LDNS_RR_TYPE_AXFR,
				   LDNS_RR_CLASS_IN, 0);
	ldns_pkt_set_id(p, 4242);
	return p;
}

static uint8_t *signed_wire(const char *key, const char *secret,
			    size_t *len, ldns_rdf **mac)
{
	ldns_pkt *p = query();
	uint8_t *wire = NULL;

	CHECK(ldns_pkt_tsig_sign(p, key, secret, 300, "hmac-sha256.",
				 NULL) == LDNS_STATUS_OK);
	CHECK(ldns_pkt2wire(&wire, p, len) == LDNS_STATUS_OK);
	if (mac)
		*mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p), 3));
	ldns_pkt_free(p);
	return wire;
}

/* A response to the query: header, question, one TXT record. */
static size_t response(uint8_t *buf, uint16_t id)
{
	static const uint8_t q[] = "\2bl\4test\0\0\xfc\0\1";
	size_t n = 12;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x84;
	buf[5] = 1;
	buf[7] = 1;
	memcpy(buf + n, q, sizeof q - 1);
	n += sizeof q - 1;
	memcpy(buf + n, "\xc0\x0c\0\x10\0\1\0\0\1\x2c\0\4\3abc", 16);
	return n + 16;
}

static void test_check(const rbl_tsig_key *keys)
{
	rbl_tsig_state st;
	size_t len;
	uint8_t *w = signed_wire("key1.", SECRET, &len, NULL);

	CHECK_RC(rbl_tsig_check(keys, 2, w, len, tsig_at(w, len),
				 time(NULL), &st), RBL_OK);
	CHECK(st.key == &keys[0] && st.error == RBL_TSIG_NOERROR);
	CHECK_RC(rbl_tsig_check(keys, 2, w, len, tsig_at(w, len),
				 time(NULL) + 1000, &st), RBL_OK);
	CHECK(st.error == RBL_TSIG_BADTIME);
	free(w);
	w = signed_wire("key1.", OTHER, &len, NULL);
	CHECK_RC(rbl_tsig_check(keys, 2, w, len, tsig_at(w, len),
				 time(NULL), &st), RBL_OK);
	CHECK(st.key == &keys[0] && st.error == RBL_TSIG_BADSIG);
	free(w);
	w = signed_wire("nokey.", SECRET, &len, NULL);
	CHECK_RC(rbl_tsig_check(keys, 2, w, len, tsig_at(w, len),
				 time(NULL), &st), RBL_OK);
	CHECK(st.key == NULL && st.error == RBL_TSIG_BADKEY);
	CHECK(rbl_tsig_present(&st));
	free(w);
	{	/* unsigned */
		ldns_pkt *p = query();
		uint8_t *u = NULL;

		ldns_pkt2wire(&u, p, &len);
		CHECK_RC(rbl_tsig_check(keys, 2, u, len, tsig_at(u, len),
					time(NULL), &st), RBL_OK);
		CHECK(!rbl_tsig_present(&st));
		free(u);
		ldns_pkt_free(p);
	}
}

static void test_sign(const rbl_tsig_key *keys)
{
	rbl_tsig_state st;
	uint8_t buf[1024], *w;
	size_t len, rlen;
	ldns_rdf *mac = NULL;
	ldns_pkt *r = NULL;
	int64_t now = time(NULL);

	w = signed_wire("key1.", SECRET, &len, &mac);
	CHECK_RC(rbl_tsig_check(keys, 2, w, len, tsig_at(w, len),
				 now, &st), RBL_OK);
	rlen = response(buf, 4242);
	CHECK_RC(rbl_tsig_sign(&st, buf, &rlen, sizeof buf, now), RBL_OK);
	CHECK(ldns_wire2pkt(&r, buf, rlen) == LDNS_STATUS_OK);
	CHECK(r && ldns_pkt_tsig_verify(r, buf, rlen, "key1.", SECRET, mac));
	ldns_rdf_deep_free(mac);
	mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(r), 3));
	ldns_pkt_free(r);
	/* the second message of a transfer: prior MAC, timers only */
	rlen = response(buf, 4242);
	CHECK_RC(rbl_tsig_sign(&st, buf, &rlen, sizeof buf, now), RBL_OK);
	CHECK(ldns_wire2pkt(&r, buf, rlen) == LDNS_STATUS_OK);
	CHECK(r && ldns_pkt_tsig_verify_next(r, buf, rlen, "key1.", SECRET,
					     mac, 1));
	ldns_pkt_free(r);
	ldns_rdf_deep_free(mac);
	free(w);
}

static void test_request(const rbl_tsig_key *keys)
{
	rbl_tsig_state st, srv;
	uint8_t buf[1024];
	size_t len = response(buf, 7);
	ldns_pkt *p = NULL;
	int64_t now = time(NULL);

	buf[2] = 0x20;	/* NOTIFY request */
	CHECK_RC(rbl_tsig_sign_request(&st, &keys[1], buf, &len, sizeof buf,
				       now), RBL_OK);
	CHECK(ldns_wire2pkt(&p, buf, len) == LDNS_STATUS_OK);
	CHECK(p && ldns_pkt_tsig_verify(p, buf, len, "key2.example.", OTHER,
					NULL));
	ldns_pkt_free(p);
	/* the peer (here: our own server side) answers */
	CHECK_RC(rbl_tsig_check(keys, 2, buf, len, tsig_at(buf, len),
				 now, &srv), RBL_OK);
	CHECK(srv.key == &keys[1] && srv.error == 0);
	len = response(buf, 7);
	buf[2] = 0xa4;
	CHECK_RC(rbl_tsig_sign(&srv, buf, &len, sizeof buf, now), RBL_OK);
	CHECK_RC(rbl_tsig_verify_response(&st, buf, len, last_rr(buf, len),
					  now), RBL_OK);
	buf[39] ^= 1;	/* a byte of the TXT */
	CHECK_RC(rbl_tsig_verify_response(&st, buf, len, last_rr(buf, len),
					  now), RBL_EPERM);
}

int main(void)
{
	rbl_tsig_key keys[2];

	CHECK_RC(rbl_tsig_key_init(&keys[0], "Key1.", NULL, SECRET), RBL_OK);
	CHECK_RC(rbl_tsig_key_init(&keys[1], "key2.example", "hmac-sha256",
				   OTHER), RBL_OK);
	CHECK_RC(rbl_tsig_key_init(&keys[1], "key2.example", "hmac-md5",
				   OTHER), RBL_EINVAL);
	CHECK_RC(rbl_tsig_key_init(&keys[1], "key2.example", "hmac-sha256",
				   "!!"), RBL_EINVAL);
	CHECK_RC(rbl_tsig_key_init(&keys[1], "key2.example", "hmac-sha256",
				   OTHER), RBL_OK);
	test_check(keys);
	test_sign(keys);
	test_request(keys);
	return check_done();
}
