/*
 * router.c -- map a request to its page, enforcing the rules every page
 * relies on: the public pages exist only with admin.public on; admin pages
 * need a logged-in session (a logged-out GET goes to the login page, which
 * comes back to the page asked for); every POST needs its CSRF token
 * (csrf.h); pages that show an anonymous form get the visitor cookie that
 * token is bound to.
 *
 * A refused POST never loses what the person typed: a public form comes
 * back filled in (the page handler sees r->csrf_failed), and an admin form
 * whose session ended is answered with its text to copy.
 *
 * The answers pages share (a redirect, an error page, the session
 * cookie) are reply.c's, so that pages never call back into the router.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/error.h"
#include "zone/people/users.h"
#include "csrf.h"
#include "html.h"
#include "pages.h"

enum route_flags {
	R_PUBLIC = 1u << 0,	/* only when admin.public is on */
	R_AUTH = 1u << 1,	/* a logged-in person only */
	R_FORM = 1u << 2,	/* shows an anonymous form: visitor cookie */
	R_API = 1u << 3,	/* token-authenticated machine endpoint:
				   no cookie, so no CSRF to check */
	R_KEEP = 1u << 4,	/* a public form's POST: a token that is no
				   longer good shows the form again, filled
				   in (the handler checks r->csrf_failed) */
	R_END = 1u << 5,	/* ends the session: without a logged-in
				   one there is nothing to forge */
};

struct route {
	const char *method;
	const char *path;
	unsigned flags;
	adm_handler fn;
};

static const struct route routes[] = {
	{ "GET",  "/",			R_PUBLIC, page_lookup },
	{ "GET",  "/delist",		R_PUBLIC | R_FORM, page_delist_form },
	{ "POST", "/delist",		R_PUBLIC | R_KEEP, page_delist_submit },
	{ "GET",  "/delist/status",	R_PUBLIC, page_delist_status },
	{ "GET",  "/login",		R_FORM, page_login_form },
	{ "POST", "/login",		R_KEEP, page_login },
	{ "POST", "/logout",		R_END, page_logout },
	{ "GET",  "/style.css",		0, page_style },
	{ "GET",  "/metrics",		0, page_metrics },
	{ "POST", ADM_API_REPORT,	R_API, page_api_report },
	{ "GET",  "/admin",		R_AUTH, page_dashboard },
	{ "GET",  "/admin/search",	R_AUTH, page_search },
	{ "GET",  "/admin/addr",	R_AUTH, page_address },
	{ "GET",  "/admin/requests",	R_AUTH, page_requests },
	{ "GET",  "/admin/request",	R_AUTH, page_request },
	{ "POST", "/admin/request/confirm", R_AUTH, page_request_confirm },
	{ "POST", "/admin/request/reject", R_AUTH, page_request_reject },
	{ "GET",  "/admin/listing",	R_AUTH, page_listing_form },
	{ "POST", "/admin/listing",	R_AUTH, page_listing_save },
	{ "POST", "/admin/listing/remove", R_AUTH, page_listing_remove },
	{ "GET",  "/admin/allow",	R_AUTH, page_allow },
	{ "POST", "/admin/allow",	R_AUTH, page_allow_add },
	{ "POST", "/admin/allow/remove", R_AUTH, page_allow_remove },
	{ "GET",  "/admin/keys",	R_AUTH, page_keys },
	{ "POST", "/admin/keys",	R_AUTH, page_keys_add },
	{ "POST", "/admin/keys/disable", R_AUTH, page_keys_disable },
	{ "POST", "/admin/keys/enable",	R_AUTH, page_keys_enable },
	{ "POST", "/admin/keys/rotate",	R_AUTH, page_keys_rotate },
	{ "POST", "/admin/keys/del",	R_AUTH, page_keys_del },
	{ "GET",  "/admin/rdns",	R_AUTH, page_rdns },
	{ "POST", "/admin/rdns",	R_AUTH, page_rdns_decide },
	{ "GET",  "/admin/audit",	R_AUTH, page_audit },
	{ "GET",  "/admin/audit.csv",	R_AUTH, page_audit_csv },
	{ NULL, NULL, 0, NULL }
};

/* A refused admin POST: say why, and give back what was typed so that
 * nothing written is lost (passwords and tokens excepted). */
static void refused_post(adm_req *r, adm_resp *o, const char *msg)
{
	const adm_form *f = &r->form;
	unsigned shown = 0;

	o->status = MHD_HTTP_FORBIDDEN;
	adm_buf_free(&o->body);
	adm_page_begin(&o->body, r, "Not sent");
	adm_notice(&o->body, "err", msg);
	for (size_t i = 0; i < f->n; i++) {
		if (!strcmp(f->name[i], "csrf") || !strcmp(f->name[i], "password")
		    || !f->value[i][0])
			continue;
		if (shown++ == 0)
			adm_puts(&o->body, "<h2>What you typed</h2><p>Nothing was "
				    "changed.  Copy your text from here before "
				    "you go on.</p>");
		adm_htmlf(&o->body, "<label for=\"kept%u\">%s</label><textarea "
			  "id=\"kept%u\" readonly>%s</textarea>", shown,
			  f->name[i], shown, f->value[i]);
	}
	if (!r->has_session || !r->sess.user[0])
		adm_puts(&o->body, "<p><a href=\"/login\">Log in</a></p>");
	adm_page_end(&o->body);
}

/* A logged-out GET of an admin page: to the login page, which comes back
 * here afterwards. */
static void to_login(adm_req *r, adm_resp *o)
{
	adm_buf self = { 0 }, loc = { 0 };

	adm_buf_init(&self);
	adm_buf_init(&loc);
	adm_self_url(r, &self, NULL, NULL, NULL);
	adm_puts(&loc, "/login");
	if (self.p && adm_local_path(self.p) && strcmp(self.p, "/admin")) {
		adm_puts(&loc, "?next=");
		adm_urlenc(&loc, self.p);
	}
	adm_redirect(o, loc.p && loc.len < sizeof o->location ? loc.p
							       : "/login");
	adm_buf_free(&self);
	adm_buf_free(&loc);
}

static const struct route *find_route(const char *method, const char *path,
				      bool *path_known)
{
	bool head = strcmp(method, "HEAD") == 0;

	*path_known = false;
	for (const struct route *rt = routes; rt->path; rt++) {
		if (strcmp(rt->path, path) != 0)
			continue;
		*path_known = true;
		if (strcmp(rt->method, method) == 0 ||
		    (head && strcmp(rt->method, "GET") == 0))
			return rt;
	}
	return NULL;
}

/* A logged-in session ends when its user is deleted or gets a new
 * password after it began (rblctl user del/passwd): one small lookup. */
static bool user_still_valid(const adm_req *r)
{
	rbl_txn *t = NULL;
	rbl_user u = { 0 };
	int rc = rbl_txn_begin(r->app->store, false, &t);

	if (rc != RBL_OK)
		return false;
	rc = rbl_user_get(t, r->sess.user, &u);
	rbl_txn_abort(t);
	/* Whole seconds: a session begun in the second of the change
	 * survives it (the user was just created, or just logged in). */
	return rc == RBL_OK && u.pw_changed <= r->sess.created;
}

static void load_session(adm_req *r)
{
	const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
						      ADM_COOKIE);

	r->has_session = tok && adm_session_find(r->app->sessions, tok, r->now,
						 &r->sess) == RBL_OK;
	if (r->has_session && r->sess.user[0] && !user_still_valid(r)) {
		adm_session_end(r->app->sessions, r->sess.token);
		r->has_session = false;
		memset(&r->sess, 0, sizeof r->sess);
	}
}

/* Check the rules of RT for R; false when O already holds the refusal. */
static bool allowed(const struct route *rt, adm_req *r, adm_resp *o)
{
	bool logged_in = r->has_session && r->sess.user[0];

	if ((rt->flags & R_PUBLIC) && !r->app->cfg.public_site) {
		adm_error(r, o, MHD_HTTP_NOT_FOUND, "No such page.");
		return false;
	}
	if ((rt->flags & R_AUTH) && !logged_in) {
		if (r->is_post)
			refused_post(r, o, "You are not logged in (your session "
				     "ended).  Log in and send it again.");
		else
			to_login(r, o);
		return false;
	}
	if ((rt->flags & R_END) && !logged_in)
		return true;
	if (r->is_post && !(rt->flags & R_API) &&
	    !adm_csrf_ok(r, !(rt->flags & R_AUTH))) {
		if (rt->flags & R_KEEP) {
			r->csrf_failed = true;	/* the page shows it again */
			o->status = MHD_HTTP_FORBIDDEN;
			return true;
		}
		refused_post(r, o, "This form was not sent from a page of this "
			     "site, or it was open too long.");
		return false;
	}
	return true;
}

void adm_route(adm_req *r, adm_resp *o)
{
	bool path_known = false;
	const struct route *rt = find_route(r->method, r->path, &path_known);

	load_session(r);
	adm_visitor_load(r);
	if (!rt) {
		adm_error(r, o, path_known ? MHD_HTTP_METHOD_NOT_ALLOWED
					   : MHD_HTTP_NOT_FOUND,
			  path_known ? "Method not allowed." : "No such page.");
		return;
	}
	if (!allowed(rt, r, o))
		return;
	if ((rt->flags & R_FORM) || r->csrf_failed)
		adm_visitor_ensure(r, o);
	rt->fn(r, o);
}
