/*
 * csrf.c -- CSRF token field and check (see csrf.h).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "csrf.h"

void adm_csrf_field(adm_buf *b, const adm_req *r)
{
	if (r->has_session)
		adm_htmlf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
			  r->sess.csrf);
}

bool adm_csrf_ok(const adm_req *r)
{
	const char *got = adm_form_get(&r->form, "csrf");

	if (!r->is_post || !r->has_session || !got ||
	    strlen(got) != ADM_TOKEN_HEX)
		return false;
	return CRYPTO_memcmp(got, r->sess.csrf, ADM_TOKEN_HEX) == 0;
}
