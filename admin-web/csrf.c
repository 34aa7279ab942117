/*
 * csrf.c -- CSRF tokens for sessions and for anonymous visitors (see
 * csrf.h).
 *
 * Anonymous token: 8 hex digits of the hour it was made (unix time /
 * 3600), then the first 56 hex digits of HMAC-SHA256(key, "rbl-form" NUL
 * visitor NUL path NUL hour): 64 characters like a session's token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "zone/error.h"
#include "csrf.h"

#define HOUR_HEX	8
#define MAC_HEX		(ADM_TOKEN_HEX - HOUR_HEX)

int adm_csrf_init(adm_app *app)
{
	return RAND_bytes(app->form_key, sizeof app->form_key) == 1 ? RBL_OK
								    : RBL_EIO;
}

static bool hex_string(const char *s, size_t len)
{
	return s && strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

void adm_visitor_load(adm_req *r)
{
	const char *v = adm_cookie(r, ADM_FORM_COOKIE);

	r->visitor[0] = '\0';
	if (hex_string(v, ADM_VISITOR_HEX))
		memcpy(r->visitor, v, ADM_VISITOR_HEX + 1);
}

void adm_visitor_ensure(adm_req *r, adm_resp *o)
{
	char hex[ADM_TOKEN_HEX + 1];

	if (r->visitor[0] || adm_random_hex(hex) != RBL_OK)
		return;
	memcpy(r->visitor, hex, ADM_VISITOR_HEX);
	r->visitor[ADM_VISITOR_HEX] = '\0';
	snprintf(o->cookie, sizeof o->cookie,
		 "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", ADM_FORM_COOKIE,
		 r->visitor, r->tls ? "; Secure" : "");
}

/* The anonymous token of R's visitor and path for HOUR into OUT. */
static bool anon_token(const adm_req *r, unsigned long hour,
		       char out[ADM_TOKEN_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char msg[512], mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	char hour_hex[HOUR_HEX + 1];
	int n;

	snprintf(hour_hex, sizeof hour_hex, "%08lx", hour & 0xffffffffUL);
	n = snprintf((char *)msg, sizeof msg, "rbl-form%c%s%c%s%c%s", 0,
		     r->visitor, 0, r->path, 0, hour_hex);
	if (n < 0 || (size_t)n >= sizeof msg ||
	    !HMAC(EVP_sha256(), r->app->form_key, sizeof r->app->form_key,
		  msg, (size_t)n, mac, &mac_len) || mac_len * 2 < MAC_HEX)
		return false;
	memcpy(out, hour_hex, HOUR_HEX);
	for (int i = 0; i < MAC_HEX; i++)
		out[HOUR_HEX + i] = hex[(mac[i / 2] >> (i % 2 ? 0 : 4)) & 15];
	out[ADM_TOKEN_HEX] = '\0';
	OPENSSL_cleanse(mac, sizeof mac);
	return true;
}

static bool logged_in(const adm_req *r)
{
	return r->has_session && r->sess.user[0];
}

void adm_csrf_field(adm_buf *b, const adm_req *r)
{
	char tok[ADM_TOKEN_HEX + 1];

	if (r->has_session)
		adm_htmlf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
			  r->sess.csrf);
	else if (r->visitor[0] &&
		 anon_token(r, (unsigned long)(r->now / 3600), tok))
		adm_htmlf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
			  tok);
}

static bool anon_ok(const adm_req *r, const char *got)
{
	char want[ADM_TOKEN_HEX + 1];
	unsigned long hour, now = (unsigned long)(r->now / 3600);

	if (!r->visitor[0])
		return false;
	hour = strtoul((char[HOUR_HEX + 1]){ got[0], got[1], got[2], got[3],
					     got[4], got[5], got[6], got[7],
					     0 }, NULL, 16);
	if (hour > now || now - hour >= ADM_FORM_HOURS ||
	    !anon_token(r, hour, want))
		return false;
	return CRYPTO_memcmp(got, want, ADM_TOKEN_HEX) == 0;
}

bool adm_csrf_ok(const adm_req *r, bool anonymous_ok)
{
	const char *got = adm_form_get(&r->form, "csrf");

	if (!r->is_post || !hex_string(got, ADM_TOKEN_HEX))
		return false;
	if (r->has_session && logged_in(r) &&
	    CRYPTO_memcmp(got, r->sess.csrf, ADM_TOKEN_HEX) == 0)
		return true;
	return anonymous_ok && anon_ok(r, got);
}
