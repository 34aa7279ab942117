/*
 * cookie.h -- DNS cookies (RFC 7873) with interoperable server cookies
 * (RFC 9018), so that every anycast site given the same secret accepts
 * the cookies of every other.
 *
 * A query's COOKIE option is a client cookie (8 bytes) and, once the
 * client has learnt one, the server cookie it was given (8..32 bytes).
 * The parser (query.h) finds the option and answers a malformed one
 * with FORMERR; rbl_cookie_check() then judges it:
 *
 *   RBL_COOKIE_VALID   a server cookie this server (or a site sharing
 *                      its secret) made for this client cookie and
 *                      client address, less than an hour old and not
 *                      more than five minutes ahead of the clock, under
 *                      the secret or the previous one (rotation);
 *   RBL_COOKIE_FRESH   a client cookie alone, or a server cookie that is
 *                      not valid (RFC 7873 5.2.3: treated alike);
 * and writes the option the answer carries: the client cookie and a
 * server cookie, the one received when it is valid and less than half
 * an hour old under the current secret, else a fresh one (RFC 9018 4.3).
 *
 * A server cookie (RFC 9018 4): version 1, three reserved bytes, the
 * 32-bit timestamp (serial arithmetic, so it survives 2106), and
 * SipHash-2-4 under the 16-byte secret of
 *     client cookie | version | reserved | timestamp | client address
 * (4 bytes IPv4, 16 bytes IPv6).  What the engine does with the verdict
 * (BADCOOKIE, exemption from RRL) is engine.c's; nothing here allocates
 * or keeps state between queries.
 */
#ifndef RBLD_COOKIE_H
#define RBLD_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "dns.h"

#define RBL_COOKIE_SECRET_LEN	16
#define RBL_COOKIE_CLIENT_LEN	8
#define RBL_COOKIE_SERVER_LEN	16	/* what RFC 9018 servers make */
#define RBL_COOKIE_MAX		DNS_COOKIE_MAX
#define RBL_COOKIE_LIFETIME	3600	/* accepted this many seconds */
#define RBL_COOKIE_RENEW	1800	/* older ones are replaced */
#define RBL_COOKIE_SKEW		300	/* ... and this far ahead */

enum rbl_cookie_verdict { RBL_COOKIE_NONE = 0, RBL_COOKIE_FRESH,
			  RBL_COOKIE_VALID };

/* The cookies: section of rbld.conf (access_conf.c reads it). */
typedef struct rbl_cookie_conf {
	bool enabled;		/* false: COOKIE options are ignored */
	bool require;		/* UDP: BADCOOKIE without a valid cookie */
	bool configured;	/* SECRET came from rbld.conf (else random) */
	bool has_previous;
	uint8_t secret[RBL_COOKIE_SECRET_LEN];
	uint8_t previous[RBL_COOKIE_SECRET_LEN];
} rbl_cookie_conf;

/* Judge the COOKIE option DATA of LEN bytes (8, or 16..40: the parser
 * checked) of a query from CLIENT at unix time NOW under C, and write
 * the option the answer carries into OUT (*OUTLEN bytes: 24).  Returns
 * RBL_COOKIE_VALID or RBL_COOKIE_FRESH. */
int rbl_cookie_check(const rbl_cookie_conf *c, const uint8_t *data,
		     size_t len, const rbl_addr *client, int64_t now,
		     uint8_t out[RBL_COOKIE_MAX], uint8_t *outlen);

/* The RFC 9018 server cookie for client cookie CC from CLIENT with
 * reserved bytes RES and timestamp TS under SECRET, into OUT. */
void rbl_cookie_make(const uint8_t secret[RBL_COOKIE_SECRET_LEN],
		     const uint8_t cc[RBL_COOKIE_CLIENT_LEN],
		     const uint8_t res[3], uint32_t ts,
		     const rbl_addr *client,
		     uint8_t out[RBL_COOKIE_SERVER_LEN]);

#endif
