/*
 * pages_allow.c -- the allow list: addresses and prefixes the policies
 * must never list (policy.h allow lists), with who added them and why.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/config/config.h"
#include "zone/error.h"
#include "act.h"
#include "csrf.h"
#include "html.h"
#include "pages.h"

struct allow_ctx {
	adm_buf *b;
	const adm_req *r;
	const char *list;
	unsigned n;
};

static int allow_row(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	struct allow_ctx *c = arg;
	char key[RBL_ADDR_STRLEN], since[32], until[32];

	if (c->n++ == 0)
		adm_puts(c->b, "<table><tr><th>List</th><th>Prefix</th>"
			       "<th>Since</th><th>Until</th><th>By</th><th>"
			       "</th></tr>");
	rbl_prefix_format(p, key);
	adm_htmlf(c->b, "<tr><td>%s</td><td class=\"mono\">%s</td><td>%s</td>"
		  "<td>%s</td><td>%s</td><td><form class=\"inline\" "
		  "method=\"post\" action=\"/admin/allow/remove\">", c->list,
		  key, adm_time(e->added, "-", since),
		  adm_time(e->expires, "forever", until), e->source);
	adm_csrf_field(c->b, c->r);
	adm_htmlf(c->b, "<input type=\"hidden\" name=\"prefix\" value=\"%s\">"
		  "<input type=\"text\" name=\"reason\" placeholder=\"reason\" "
		  "required class=\"short\"> <button type=\"submit\" "
		  "class=\"danger\">Remove</button></form></td></tr>", key);
	return c->n >= 1000;
}

/* Each distinct allow list of the policies, once. */
static void allow_tables(adm_buf *b, const adm_req *r, rbl_txn *t)
{
	const rbl_policy_set *set = r->app->policies;
	struct allow_ctx c = { b, r, NULL, 0 };

	for (size_t i = 0; set && i < set->n; i++) {
		const rbl_policy *p = &set->policies[i];
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= set->policies[j].allow_list_id == p->allow_list_id;
		if (!p->allow_list_id || seen)
			continue;
		c.list = p->allow_list;
		rbl_ip_foreach(t, p->allow_list_id, NULL, allow_row, &c);
	}
	adm_puts(b, c.n ? "</table>" : "<p>The allow list is empty.</p>");
}

static bool have_allow_list(const adm_app *app)
{
	for (size_t i = 0; app->policies && i < app->policies->n; i++)
		if (app->policies->policies[i].allow_list_id)
			return true;
	return false;
}

void page_allow(adm_req *r, adm_resp *o)
{
	rbl_txn *t = NULL;

	adm_page_begin(&o->body, r, "Allow list");
	if (!have_allow_list(r->app)) {
		adm_notice(&o->body, "warn", "No policy has an allow list: add "
			   "\"allow-list: NAME\" to a policy section of "
			   "rbld.conf.");
		adm_page_end(&o->body);
		return;
	}
	adm_puts(&o->body, "<p>Addresses here are never listed by the "
		 "evidence policies; adding one removes its automatic "
		 "listings.</p><form method=\"post\" action=\"/admin/allow\">");
	adm_csrf_field(&o->body, r);
	adm_puts(&o->body, "<label for=\"prefix\">Address or prefix</label>"
		 "<input type=\"text\" id=\"prefix\" name=\"prefix\" required>"
		 "<label for=\"expires\">For (30d; empty: forever)</label>"
		 "<input type=\"text\" id=\"expires\" name=\"expires\">"
		 "<label for=\"reason\">Reason</label>"
		 "<textarea id=\"reason\" name=\"reason\" required></textarea>"
		 "<div><button type=\"submit\">Allow</button></div></form>");
	if (adm_txn(r, false, &t) == RBL_OK) {
		allow_tables(&o->body, r, t);
		rbl_txn_abort(t);
	}
	adm_page_end(&o->body);
}

/* Parse the form's prefix, reason and expiry.  RBL_OK or RBL_EINVAL. */
static int allow_form(const adm_req *r, rbl_prefix *p, int64_t *expires,
		      const char **why)
{
	const char *pfx = adm_form_get(&r->form, "prefix");
	const char *exp = adm_form_get(&r->form, "expires");
	uint32_t secs = 0;

	*why = adm_form_get(&r->form, "reason");
	*expires = 0;
	if (!pfx || rbl_prefix_parse(pfx, true, p) != RBL_OK)
		return RBL_EINVAL;
	if (!*why || strspn(*why, " \t\r\n") == strlen(*why))
		return RBL_EINVAL;
	if (exp && *exp) {
		if (rbl_parse_duration(exp, &secs) != RBL_OK || !secs)
			return RBL_EINVAL;
		*expires = r->now + secs;
	}
	return RBL_OK;
}

static void allow_change(adm_req *r, adm_resp *o, bool add)
{
	rbl_prefix p = { 0 };
	int64_t expires = 0;
	const char *why = NULL;
	char who[RBL_POLICY_WHO_MAX + 1], key[RBL_ADDR_STRLEN], until[32];
	rbl_txn *t = NULL;
	int rc = allow_form(r, &p, &expires, &why);

	snprintf(who, sizeof who, "admin:%s", r->sess.user);
	if (rc == RBL_OK && (rc = adm_txn(r, true, &t)) == RBL_OK) {
		rc = add ? rbl_policy_allow_add(t, r->app->policies, &p, expires,
						who, why)
			 : rbl_policy_allow_del(t, r->app->policies, &p);
		if (rc == RBL_OK)
			rc = adm_audit(r, t, add ? RBL_AUDIT_ALLOW_ADD
						 : RBL_AUDIT_ALLOW_DEL,
				       rbl_prefix_format(&p, key),
				       add ? "" : "allowed",
				       add ? adm_time(expires, "allowed forever",
						      until) : "", why);
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK)
		adm_redirect(o, "/admin/allow");
	else
		adm_error(r, o, rc == RBL_EINVAL ? MHD_HTTP_BAD_REQUEST
			  : rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
			  : MHD_HTTP_INTERNAL_SERVER_ERROR,
			  rc == RBL_EINVAL ? "Give an address or prefix, a "
			  "reason, and an expiry like 30d (or none)."
			  : rbl_strerror(rc));
}

void page_allow_add(adm_req *r, adm_resp *o)
{
	allow_change(r, o, true);
}

void page_allow_remove(adm_req *r, adm_resp *o)
{
	allow_change(r, o, false);
}
