/*
 * pages_login.c -- log in, log out, and the stylesheet.
 *
 * Login attempts are counted per client address (admin.login-rate per
 * minute) before the password is even looked at.  Success and failure are
 * both audited; success starts a NEW session (new token, new CSRF token)
 * and ends any the form came with, so no token chosen before login
 * survives it.  Success goes back to the page that asked for the login
 * ("next", a path on this site only: adm_local_path), else /admin.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/error.h"
#include "zone/people/users.h"
#include "act.h"
#include "csrf.h"
#include "html.h"
#include "pages.h"

/* NEXT from the request when it is a path on this site, else NULL. */
static const char *next_of(const adm_req *r)
{
	const char *n = r->is_post ? adm_form_get(&r->form, "next")
				   : adm_arg(r, "next");

	return adm_local_path(n) ? n : NULL;
}

static void login_form(adm_req *r, adm_resp *o, const char *error,
		       const char *user)
{
	const char *next = next_of(r);

	adm_page_begin(&o->body, r, "Operator login");
	if (error)
		adm_notice(&o->body, "err", error);
	else if (!r->is_post && adm_arg(r, "bye"))
		adm_htmlf(&o->body, "<div class=\"notice ok\" id=\"flash\" "
			  "role=\"status\">You have logged out.</div>");
	else if (next)
		adm_notice(&o->body, "warn", "Log in to see that page; you "
			   "will be taken there afterwards.");
	adm_puts(&o->body, "<form method=\"post\" action=\"/login\">");
	adm_csrf_field(&o->body, r);
	if (next)
		adm_htmlf(&o->body, "<input type=\"hidden\" name=\"next\" "
			  "value=\"%s\">", next);
	adm_field(&o->body, "text", "user", "User", NULL, user, NULL,
		  "autocomplete=\"username\" required");
	adm_field(&o->body, "password", "password", "Password", NULL, NULL,
		  NULL, "autocomplete=\"current-password\" required");
	adm_puts(&o->body, "<div><button type=\"submit\">Log in</button></div>"
		 "</form>");
	adm_page_end(&o->body);
}

void page_login_form(adm_req *r, adm_resp *o)
{
	if (r->sess.user[0]) {
		adm_redirect(o, next_of(r) ? next_of(r) : "/admin");
		return;
	}
	login_form(r, o, NULL, NULL);
}

static int check_password(adm_req *r, const char *user, const char *pass)
{
	rbl_txn *t = NULL;
	int rc = adm_txn(r, false, &t);

	if (rc != RBL_OK)
		return rc;
	rc = rbl_user_verify(t, user, pass);
	rbl_txn_abort(t);
	return rc;
}

static void login_failed(adm_req *r, adm_resp *o, const char *user, int rc)
{
	char shown[RBL_USER_NAME_MAX + 8];

	snprintf(shown, sizeof shown, "%.*s", RBL_USER_NAME_MAX, user);
	adm_audit_alone(r, shown, RBL_AUDIT_LOGIN_FAIL, shown,
			rc == RBL_EPERM ? "wrong user or password"
					: rbl_strerror(rc));
	o->status = rc == RBL_EPERM ? MHD_HTTP_UNAUTHORIZED
				    : MHD_HTTP_INTERNAL_SERVER_ERROR;
	login_form(r, o, rc == RBL_EPERM ? "Wrong user name or password."
					 : "The user database is unavailable.",
		   user);
}

void page_login(adm_req *r, adm_resp *o)
{
	const char *user = adm_form_get(&r->form, "user");
	const char *pass = adm_form_get(&r->form, "password");
	adm_session fresh = { 0 };
	int rc;

	if (r->csrf_failed) {	/* status 403 is set; nothing was checked */
		login_form(r, o, "The login form was open too long, or your "
			   "browser does not keep this site's cookies.  Enter "
			   "your password again.", user);
		return;
	}
	if (!adm_rl_hit(r->app->login_limit, r->client, r->now)) {
		o->status = MHD_HTTP_TOO_MANY_REQUESTS;
		login_form(r, o, "Too many login attempts from your address. "
				 "Wait a minute and try again.", user);
		return;
	}
	if (!user || !pass || !*user) {
		o->status = MHD_HTTP_BAD_REQUEST;
		login_form(r, o, "Enter a user name and a password.", user);
		return;
	}
	rc = check_password(r, user, pass);
	if (rc != RBL_OK) {
		login_failed(r, o, user, rc);
		return;
	}
	/* The KDF took a while: the session begins now, not at the request. */
	r->now = (int64_t)time(NULL);
	adm_session_end(r->app->sessions, r->sess.token);
	rc = adm_session_start(r->app->sessions, user, r->now, &fresh);
	if (rc != RBL_OK) {
		adm_error(r, o, MHD_HTTP_SERVICE_UNAVAILABLE,
			  "Too many sessions are open; try again later.");
		return;
	}
	r->sess = fresh;
	adm_audit_alone(r, user, RBL_AUDIT_LOGIN, user, "");
	adm_session_cookie(r, o, fresh.token);
	adm_redirect(o, next_of(r) ? next_of(r) : "/admin");
}

void page_logout(adm_req *r, adm_resp *o)
{
	if (r->sess.user[0])
		adm_audit_alone(r, r->sess.user, RBL_AUDIT_LOGOUT,
				r->sess.user, "");
	adm_session_end(r->app->sessions, r->sess.token);
	adm_session_cookie(r, o, NULL);
	adm_redirect(o, "/login?bye=1");
}

void page_style(adm_req *r, adm_resp *o)
{
	size_t len = 0;
	const char *css = adm_stylesheet(&len);

	o->content_type = "text/css; charset=utf-8";
	adm_put(&o->body, css, len);
}
