/*
 * csrf.h -- cross-site request forgery tokens.
 *
 * Every session carries a random token (session.h); every form this site
 * renders includes it as the hidden field "csrf", and the router refuses
 * any POST whose field is missing or differs (compared in constant time).
 * SameSite=Strict cookies are the second line: the token is the first.
 */
#ifndef ADM_CSRF_H
#define ADM_CSRF_H

#include <stdbool.h>

#include "admin.h"

/* Write <input type=hidden name=csrf value=...> for R's session into B.
 * Without a session writes nothing (the POST will then be refused). */
void adm_csrf_field(adm_buf *b, const adm_req *r);
/* True when R is a POST from a session whose token matches its "csrf"
 * field. */
bool adm_csrf_ok(const adm_req *r);

#endif
