/*
 * csrf.h -- cross-site request forgery tokens.
 *
 * Logged-in sessions carry a random token (session.h); every form shown
 * to a logged-in person includes it as the hidden field "csrf", and the
 * router refuses any POST to an admin page whose field is missing or
 * differs.
 *
 * Anonymous visitors (the login form, the public delisting form) hold no
 * server state, so no flood of anonymous requests can crowd anything out.
 * They get a random cookie "rbl_form" (HttpOnly, SameSite=Strict), and
 * the form's token is an HMAC-SHA256, under a key drawn when rbl-admin
 * starts, of that cookie, the form's path and the hour the form was shown.
 * It is good for ADM_FORM_HOURS hours, with that cookie, on that path only.
 * A page on another site can neither read the token nor make the browser
 * send the SameSite=Strict cookie with its POST.  A token that is no longer
 * good does not lose the visitor's text: the public forms come back filled
 * in with a fresh token (router.c).  All comparisons are constant-time.
 */
#ifndef ADM_CSRF_H
#define ADM_CSRF_H

#include <stdbool.h>

#include "admin.h"

#define ADM_FORM_COOKIE	"rbl_form"
#define ADM_FORM_HOURS	12

/* Draw the HMAC key of APP.  RBL_OK or RBL_EIO (no randomness). */
int adm_csrf_init(adm_app *app);

/* Read R's rbl_form cookie into R->visitor when well-formed. */
void adm_visitor_load(adm_req *r);
/* Give R a new visitor id when it has none, and set its cookie in O. */
void adm_visitor_ensure(adm_req *r, adm_resp *o);

/* Write <input type=hidden name=csrf value=...> into B: the session's
 * token when R is logged in, else the anonymous token for R's path.
 * Without either writes nothing (the POST will then be refused). */
void adm_csrf_field(adm_buf *b, const adm_req *r);
/* True when R (a POST) carries its logged-in session's token, or, when
 * ANONYMOUS_OK, a good anonymous token for its path and visitor. */
bool adm_csrf_ok(const adm_req *r, bool anonymous_ok);

#endif
