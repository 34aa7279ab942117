/*
 * pages_login.c -- log in, log out, and the stylesheet.
 *
 * Login attempts are counted per client address (admin.login-rate per
 * minute) before the password is even looked at.  Success and failure are
 * both audited; success starts a NEW session (new token, new CSRF token)
 * and ends the one the form came with, so no token chosen before login
 * survives it.
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

static void login_form(adm_req *r, adm_resp *o, const char *error)
{
	adm_page_begin(&o->body, r, "Operator login");
	if (error)
		adm_notice(&o->body, "err", error);
	adm_puts(&o->body, "<form method=\"post\" action=\"/login\">");
	adm_csrf_field(&o->body, r);
	adm_puts(&o->body,
		 "<label for=\"user\">User</label>"
		 "<input type=\"text\" id=\"user\" name=\"user\" "
		 "autocomplete=\"username\" required>"
		 "<label for=\"password\">Password</label>"
		 "<input type=\"password\" id=\"password\" name=\"password\" "
		 "autocomplete=\"current-password\" required>"
		 "<div><button type=\"submit\">Log in</button></div></form>");
	adm_page_end(&o->body);
}

void page_login_form(adm_req *r, adm_resp *o)
{
	if (r->sess.user[0]) {
		adm_redirect(o, "/admin");
		return;
	}
	login_form(r, o, NULL);
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
					 : "The user database is unavailable.");
}

void page_login(adm_req *r, adm_resp *o)
{
	const char *user = adm_form_get(&r->form, "user");
	const char *pass = adm_form_get(&r->form, "password");
	adm_session fresh = { 0 };
	int rc;

	if (!adm_rl_hit(r->app->login_limit, r->client, r->now)) {
		o->status = MHD_HTTP_TOO_MANY_REQUESTS;
		login_form(r, o, "Too many login attempts from your address. "
				 "Wait a minute and try again.");
		return;
	}
	if (!user || !pass || !*user) {
		o->status = MHD_HTTP_BAD_REQUEST;
		login_form(r, o, "Enter a user name and a password.");
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
	adm_redirect(o, "/admin");
}

void page_logout(adm_req *r, adm_resp *o)
{
	if (r->sess.user[0])
		adm_audit_alone(r, r->sess.user, RBL_AUDIT_LOGOUT,
				r->sess.user, "");
	adm_session_end(r->app->sessions, r->sess.token);
	adm_session_cookie(r, o, NULL);
	adm_redirect(o, "/login");
}

void page_style(adm_req *r, adm_resp *o)
{
	size_t len = 0;
	const char *css = adm_stylesheet(&len);

	o->content_type = "text/css; charset=utf-8";
	adm_put(&o->body, css, len);
}
