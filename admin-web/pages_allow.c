/*
 * pages_allow.c -- the allow list: addresses and prefixes the policies
 * must never list (policy.h allow lists), with who added them and why,
 * paged; the form to add one (errors beside the field, input kept); and
 * the remove buttons.  Each change says on the next page what it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/config/config.h"
#include "zone/error.h"
#include "act.h"
#include "csrf.h"
#include "html.h"
#include "lookup.h"
#include "pager.h"
#include "pages.h"

#define ROWS 100

struct allow_ctx {
	adm_buf *b;
	const adm_req *r;
	adm_pager *pg;
	const char *list;
};

static int allow_row(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	struct allow_ctx *c = arg;
	char key[RBL_ADDR_STRLEN];
	enum adm_row what = adm_pager_row(c->pg);

	if (what != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	rbl_prefix_format(p, key);
	adm_puts(c->b, "<tr>");
	adm_td(c->b, "List", NULL, "%W", c->list);
	adm_td(c->b, "Prefix", "mono", "<a href=\"/admin/%S=%U\">%W</a>",
	       p->len == rbl_addr_bits(p->addr.family) ? "addr?a" : "search?q",
	       key, key);
	adm_td_time(c->b, "Since", e->added, "-");
	adm_td_time(c->b, "Until", e->expires, "forever");
	adm_td(c->b, "By", NULL, "%W", e->source);
	adm_puts(c->b, "<td data-l=\"\"><form class=\"inline\" method=\"post\" "
		 "action=\"/admin/allow/remove\">");
	adm_csrf_field(c->b, c->r);
	adm_htmlf(c->b, "<input type=\"hidden\" name=\"prefix\" value=\"%s\">"
		  "<input type=\"text\" name=\"reason\" placeholder=\"reason\" "
		  "aria-label=\"Reason for removing\" required class=\"short\"> "
		  "<button type=\"submit\" class=\"danger\">Remove</button>"
		  "</form></td></tr>", key);
	return 0;
}

/* True if policy I has an allow list that no earlier policy has. */
static bool first_use(const rbl_policy_set *set, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (set->policies[j].allow_list_id ==
		    set->policies[i].allow_list_id)
			return false;
	return set->policies[i].allow_list_id != 0;
}

/* Each distinct allow list of the policies, once, as one paged table;
 * the total comes from the lists' entry counters. */
static void allow_tables(adm_buf *b, const adm_req *r, rbl_txn *t)
{
	static const char *const cols[] = { "List", "Prefix", "Since",
		"Until", "By", "", NULL };
	const rbl_policy_set *set = r->app->policies;
	adm_pager pg = { 0 };
	adm_buf rows = { 0 };
	struct allow_ctx c = { &rows, r, &pg, NULL };
	uint64_t total = 0;
	int rc = RBL_OK;
	rbl_list l = { 0 };

	adm_pager_init(&pg, r, "from", ROWS);
	adm_buf_init(&rows);
	for (size_t i = 0; set && i < set->n; i++)
		if (first_use(set, i) &&
		    rbl_list_get_id(t, set->policies[i].allow_list_id, &l) ==
		    RBL_OK)
			total += l.n_entries;
	adm_pager_known(&pg, total);
	for (size_t i = 0; set && i < set->n && rc == RBL_OK; i++) {
		if (!first_use(set, i))
			continue;
		c.list = set->policies[i].allow_list;
		rc = rbl_ip_foreach(t, set->policies[i].allow_list_id, NULL,
				    allow_row, &c);
	}
	adm_pager_done(&pg);
	adm_pager_table(b, r, &pg, "entry", "entries", "allowed", cols, &rows,
			"The allow list is empty.");
}

static bool have_allow_list(const adm_app *app)
{
	for (size_t i = 0; app->policies && i < app->policies->n; i++)
		if (app->policies->policies[i].allow_list_id)
			return true;
	return false;
}

struct allow_input {
	const char *prefix, *expires, *reason;
	const char *prefix_err, *expires_err, *reason_err;
};

static void allow_page(adm_req *r, adm_resp *o, const struct allow_input *in)
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
	if (in->prefix_err || in->expires_err || in->reason_err)
		adm_notice(&o->body, "err", "Nothing was added: please fix the "
			   "marked fields.");
	adm_puts(&o->body, "<p>Addresses here are never listed by the "
		 "evidence policies; adding one removes its automatic "
		 "listings.  Listings made by hand stay until removed.</p>"
		 "<form method=\"post\" action=\"/admin/allow\">");
	adm_csrf_field(&o->body, r);
	adm_field(&o->body, "text", "prefix", "Address or prefix",
		  "192.0.2.1 or 192.0.2.0/24", in->prefix, in->prefix_err,
		  "required");
	adm_field(&o->body, "text", "expires", "For how long",
		  "A span like 30d or 12h; empty: forever", in->expires,
		  in->expires_err, NULL);
	adm_field(&o->body, "textarea", "reason", "Reason",
		  "Recorded in the audit log with your name.", in->reason,
		  in->reason_err, "required");
	adm_puts(&o->body, "<div><button type=\"submit\">Allow</button></div>"
		 "</form><h2>Allowed now</h2>");
	if (adm_txn(r, false, &t) == RBL_OK) {
		allow_tables(&o->body, r, t);
		rbl_txn_abort(t);
	}
	adm_page_end(&o->body);
}

void page_allow(adm_req *r, adm_resp *o)
{
	struct allow_input in = { 0 };

	allow_page(r, o, &in);
}

/* Parse the form's prefix, reason and expiry; errors beside the fields.
 * True when all are good. */
static bool allow_form(const adm_req *r, struct allow_input *in,
		       rbl_prefix *p, int64_t *expires)
{
	uint32_t secs = 0;

	in->prefix = adm_form_get(&r->form, "prefix");
	in->expires = adm_form_get(&r->form, "expires");
	in->reason = adm_form_get(&r->form, "reason");
	*expires = 0;
	if (!in->prefix || rbl_prefix_parse(in->prefix, true, p) != RBL_OK)
		in->prefix_err = "Write an address like 192.0.2.1 or a prefix "
				 "like 192.0.2.0/24 (no host bits after the /).";
	if (!in->reason || strspn(in->reason, " \t\r\n") == strlen(in->reason))
		in->reason_err = "Write why: the reason goes to the audit log.";
	else if (strlen(in->reason) > RBL_AUDIT_FIELD_MAX)
		in->reason_err = "The reason is too long.";
	if (in->expires && *in->expires) {
		if (rbl_parse_duration(in->expires, &secs) != RBL_OK || !secs)
			in->expires_err = "Write a span like 30d or 12h, or "
					  "nothing for forever.";
		else
			*expires = r->now + secs;
	}
	return !in->prefix_err && !in->reason_err && !in->expires_err;
}

struct still_ctx {
	const adm_app *app;
	char lists[128];
};

static int still_listed(void *arg, const adm_hit *h)
{
	struct still_ctx *c = arg;
	size_t len = strlen(c->lists);

	if (h->zones[0] && !adm_allow_of(c->app, h->list->id))
		snprintf(c->lists + len, sizeof c->lists - len, "%s%s",
			 len ? ", " : "", h->list->name);
	return 0;
}

/* What adding P did, for the next page: and whether a listing made by
 * hand still answers for it (the allow list does not touch those). */
static void added_say(const adm_req *r, rbl_txn *t, const rbl_prefix *p,
		      int64_t expires)
{
	char key[RBL_ADDR_STRLEN], until[32];
	struct still_ctx c = { r->app, "" };

	rbl_prefix_format(p, key);
	if (p->len == rbl_addr_bits(p->addr.family))
		adm_lookup(t, key, r->now, still_listed, &c);
	adm_say(r, false, "Allowed %s %s%s; its automatic listings are "
		"removed.%s%s%s", key, expires ? "until " : "forever",
		expires ? adm_time(expires, "", until) : "",
		c.lists[0] ? "  It is still listed by hand in " : "",
		c.lists, c.lists[0] ? ": remove that listing on its address "
		"page if it should not be listed." : "");
}

static int allow_change(adm_req *r, rbl_txn *t, const rbl_prefix *p,
			int64_t expires, const char *why, bool add)
{
	char who[RBL_POLICY_WHO_MAX + 1], key[RBL_ADDR_STRLEN], until[32];
	int rc;

	snprintf(who, sizeof who, "admin:%s", r->sess.user);
	rc = add ? rbl_policy_allow_add(t, r->app->policies, p, expires, who,
					why)
		 : rbl_policy_allow_del(t, r->app->policies, p);
	if (rc == RBL_OK)
		rc = adm_audit(r, t, add ? RBL_AUDIT_ALLOW_ADD : RBL_AUDIT_ALLOW_DEL,
			       rbl_prefix_format(p, key), add ? "" : "allowed",
			       add ? adm_time(expires, "allowed forever", until)
				   : "", why);
	if (rc == RBL_OK && add)
		added_say(r, t, p, expires);
	return rc;
}

void page_allow_add(adm_req *r, adm_resp *o)
{
	struct allow_input in = { 0 };
	rbl_prefix p = { 0 };
	int64_t expires = 0;
	rbl_txn *t = NULL;
	int rc;

	if (!allow_form(r, &in, &p, &expires)) {
		o->status = MHD_HTTP_BAD_REQUEST;
		allow_page(r, o, &in);
		return;
	}
	rc = adm_txn(r, true, &t);
	if (rc == RBL_OK) {
		rc = allow_change(r, t, &p, expires, in.reason, true);
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK) {
		adm_redirect(o, "/admin/allow");
		return;
	}
	adm_unsay(r);	/* not added after all */
	adm_error(r, o, rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
		  : MHD_HTTP_INTERNAL_SERVER_ERROR, rbl_strerror(rc));
}

void page_allow_remove(adm_req *r, adm_resp *o)
{
	const char *pfx = adm_form_get(&r->form, "prefix");
	const char *why = adm_form_get(&r->form, "reason");
	char key[RBL_ADDR_STRLEN];
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;
	int rc = !pfx || rbl_prefix_parse(pfx, true, &p) != RBL_OK ||
		 !why || strspn(why, " \t\r\n") == strlen(why) ? RBL_EINVAL
		 : adm_txn(r, true, &t);

	if (rc == RBL_OK) {
		rc = allow_change(r, t, &p, 0, why, false);
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK)
		adm_say(r, false, "Removed %s from the allow list.  The policies "
			"may list it again on new evidence.",
			rbl_prefix_format(&p, key));
	else
		adm_say(r, true, "Not removed: %s", rc == RBL_EINVAL ? "write a "
			"reason next to the Remove button; it goes to the audit "
			"log." : rc == RBL_ENOTFOUND ? "it was not on the allow "
			"list (any more)." : rbl_strerror(rc));
	adm_redirect(o, "/admin/allow");
}
