/*
 * cookie.c -- judge and make DNS cookies (see cookie.h).
 */
#include <string.h>

#include "cookie.h"
#include "dns.h"
#include "siphash.h"

#define VERSION		1

void rbl_cookie_make(const uint8_t secret[RBL_COOKIE_SECRET_LEN],
		     const uint8_t cc[RBL_COOKIE_CLIENT_LEN],
		     const uint8_t res[3], uint32_t ts,
		     const rbl_addr *client,
		     uint8_t out[RBL_COOKIE_SERVER_LEN])
{
	/* client cookie, version, reserved, timestamp, address */
	uint8_t msg[RBL_COOKIE_CLIENT_LEN + 8 + 16];
	size_t alen = client->family == RBL_AF4 ? 4 : 16;

	memcpy(msg, cc, RBL_COOKIE_CLIENT_LEN);
	out[0] = VERSION;
	memcpy(out + 1, res, 3);
	dns_put32(out + 4, ts);
	memcpy(msg + RBL_COOKIE_CLIENT_LEN, out, 8);
	memcpy(msg + RBL_COOKIE_CLIENT_LEN + 8, client->bytes, alen);
	rbl_siphash24_le(secret, msg, RBL_COOKIE_CLIENT_LEN + 8 + alen,
			 out + 8);
}

/* Equal without an early exit: how long a comparison takes must not say
 * how much of a forged hash was right. */
static bool same8(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (int i = 0; i < 8; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

/* Seconds since the cookie's timestamp TS (negative: ahead of NOW), in
 * serial arithmetic (RFC 1982), which the 32-bit timestamp needs. */
static int32_t age_of(uint32_t ts, int64_t now)
{
	return (int32_t)((uint32_t)now - ts);
}

/* Whether the server cookie SC (16 bytes) was made under SECRET. */
static bool made_under(const uint8_t *secret, const uint8_t *cc,
		       const uint8_t *sc, const rbl_addr *client)
{
	uint8_t want[RBL_COOKIE_SERVER_LEN];

	rbl_cookie_make(secret, cc, sc + 1, dns_get32(sc + 4), client, want);
	return same8(want + 8, sc + 8);
}

int rbl_cookie_check(const rbl_cookie_conf *c, const uint8_t *data,
		     size_t len, const rbl_addr *client, int64_t now,
		     uint8_t out[RBL_COOKIE_MAX], uint8_t *outlen)
{
	static const uint8_t zero[3] = { 0 };
	const uint8_t *sc = data + RBL_COOKIE_CLIENT_LEN;
	int32_t age = 0;
	bool valid = false, current = false;

	memcpy(out, data, RBL_COOKIE_CLIENT_LEN);
	*outlen = RBL_COOKIE_CLIENT_LEN + RBL_COOKIE_SERVER_LEN;
	if (len == RBL_COOKIE_CLIENT_LEN + RBL_COOKIE_SERVER_LEN &&
	    sc[0] == VERSION) {
		age = age_of(dns_get32(sc + 4), now);
		if (age >= -RBL_COOKIE_SKEW && age <= RBL_COOKIE_LIFETIME) {
			current = made_under(c->secret, data, sc, client);
			valid = current || (c->has_previous &&
					    made_under(c->previous, data, sc,
						       client));
		}
	}
	if (current && age < RBL_COOKIE_RENEW)
		memcpy(out + RBL_COOKIE_CLIENT_LEN, sc, RBL_COOKIE_SERVER_LEN);
	else
		rbl_cookie_make(c->secret, data, zero, (uint32_t)now, client,
				out + RBL_COOKIE_CLIENT_LEN);
	return valid ? RBL_COOKIE_VALID : RBL_COOKIE_FRESH;
}
