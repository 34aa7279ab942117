/*
 * tsig.h -- TSIG (RFC 8945) for zone transfers and NOTIFY: HMAC-SHA256
 * (also -SHA1, -SHA384, -SHA512) through OpenSSL, on wire-format messages
 * as rbld builds them, so a transfer of many 64 KiB messages is signed
 * without parsing them again.
 *
 * A server side exchange:
 *     rbl_tsig_check(keys, n, request, len, q.tsig_at, now, &st)
 *         reads the request's TSIG where the query parser found it (the
 *         last record), looks up the key, checks the MAC and the time;
 *         ST keeps the request MAC;
 *     rbl_tsig_sign(&st, response, &len, cap, now)
 *         once per response message: the first is signed over the
 *         request MAC and all TSIG variables, each later one over the
 *         previous MAC and the timers (RFC 8945 5.3.1).  With st.error
 *         set (BADKEY, BADSIG), the TSIG record carries the error and no
 *         MAC, as the RFC asks.
 * A client side (NOTIFY): rbl_tsig_sign_request, then
 * rbl_tsig_verify_response on the answer, whose last record
 * rbl_wire_last_rr (wire.h) finds.
 * Nothing here logs; callers say what was refused and why.
 */
#ifndef RBLD_TSIG_H
#define RBLD_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define RBL_TSIG_MAC_MAX	64
#define RBL_TSIG_SECRET_MAX	128
#define RBL_TSIG_FUDGE		300
/* Room a response must keep free for its TSIG record. */
#define RBL_TSIG_RESERVE	(2 * DNS_NAME_MAX + 30 + RBL_TSIG_MAC_MAX)

enum rbl_tsig_error {
	RBL_TSIG_NOERROR = 0,
	RBL_TSIG_BADSIG = 16,
	RBL_TSIG_BADKEY = 17,
	RBL_TSIG_BADTIME = 18,
};

typedef struct rbl_tsig_key {
	char name[DNS_NAME_MAX + 1];	/* text, lowercase, no trailing dot */
	uint8_t name_wire[DNS_NAME_MAX];
	uint8_t name_len;
	unsigned alg;			/* index into the algorithm table */
	uint8_t secret[RBL_TSIG_SECRET_MAX];
	size_t secret_len;
} rbl_tsig_key;

typedef struct rbl_tsig_state {
	const rbl_tsig_key *key;	/* NULL: the request was not signed */
	uint16_t error;			/* rbl_tsig_error to answer with */
	uint16_t orig_id;
	/* names as the request gave them, for error answers (BADKEY) */
	uint8_t name_wire[DNS_NAME_MAX], alg_wire[DNS_NAME_MAX];
	uint8_t name_len, alg_len;
	uint8_t mac[RBL_TSIG_MAC_MAX];	/* request MAC, then the last sent */
	size_t mac_len;
	bool signed_one;		/* a response message was signed */
	uint64_t request_time;
} rbl_tsig_state;

/* Set up K from text: NAME (a domain name), ALGORITHM ("hmac-sha256",
 * ...; NULL = hmac-sha256) and SECRET (base64).  RBL_OK or RBL_EINVAL. */
int rbl_tsig_key_init(rbl_tsig_key *k, const char *name,
		      const char *algorithm, const char *secret);

/* Look at the TSIG of request MSG (LEN bytes) with the N_KEYS keys KEYS
 * at unix time NOW.  AT is the offset of the request's last record,
 * where a TSIG record must be (rbl_query.tsig_at; 0: none).  RBL_OK: ST
 * is filled; ST->key is NULL when the request has no TSIG, or when
 * ST->error says why it failed (BADKEY); ST->key set with ST->error
 * BADSIG/BADTIME when the key is known but the MAC or time is wrong.
 * RBL_EFORMAT: a TSIG record that is malformed or does not end the
 * message. */
int rbl_tsig_check(const rbl_tsig_key *keys, unsigned n_keys,
		   const uint8_t *msg, size_t len, size_t at, int64_t now,
		   rbl_tsig_state *st);

/* True when the request carried a TSIG record (good or bad). */
bool rbl_tsig_present(const rbl_tsig_state *st);
/* Bytes the TSIG record of the answer to ST's request will take. */
size_t rbl_tsig_size(const rbl_tsig_state *st);

/* Append the TSIG record to response MSG (*LEN bytes, CAP room; the
 * message's ID must be the request's) and bump ARCOUNT.  Returns RBL_OK,
 * RBL_ETOOBIG (no room), RBL_EINVAL (nothing to sign: unsigned request),
 * or RBL_ENOMEM (OpenSSL). */
int rbl_tsig_sign(rbl_tsig_state *st, uint8_t *msg, size_t *len, size_t cap,
		  int64_t now);

/* Sign request MSG with KEY (client side); ST keeps the MAC for
 * rbl_tsig_verify_response.  Same returns as rbl_tsig_sign. */
int rbl_tsig_sign_request(rbl_tsig_state *st, const rbl_tsig_key *key,
			  uint8_t *msg, size_t *len, size_t cap, int64_t now);
/* Check the TSIG of response MSG to the request signed into ST; AT is
 * the offset of the response's last record (rbl_wire_last_rr; 0: none).
 * RBL_OK, RBL_EPERM (missing, wrong key, bad MAC or time, or a TSIG
 * error from the peer), RBL_EFORMAT. */
int rbl_tsig_verify_response(rbl_tsig_state *st, const uint8_t *msg,
			     size_t len, size_t at, int64_t now);

#endif
