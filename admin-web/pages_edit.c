/*
 * pages_edit.c -- manual listings (add, edit, remove) and the allow list.
 *
 * Every change needs a reason and is audited with the entry before and
 * after, in the same transaction as the change.  Keys are written as in
 * rbldnsd files: "192.0.2.1", "192.0.2.0/24"; for domain lists "bad.example"
 * (the name), "*.bad.example" (names below it), ".bad.example" (both).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "zone/people/audit.h"
#include "zone/config/config.h"
#include "zone/people/delist.h"
#include "zone/error.h"
#include "act.h"
#include "csrf.h"
#include "html.h"
#include "pages.h"

/* A listing key parsed for list L. */
struct key {
	bool is_ip;
	rbl_prefix prefix;
	char name[RBL_NAME_MAX + 1];
	uint32_t name_flags;
	char text[RBL_NAME_MAX + 4];	/* canonical, as shown */
};

static int key_parse(const rbl_list *l, const char *s, struct key *k)
{
	char buf[RBL_ADDR_STRLEN];
	bool is_addr = false;

	memset(k, 0, sizeof *k);
	k->is_ip = l->kind == RBL_LIST_IP;
	if (k->is_ip) {
		if (rbl_prefix_parse(s, true, &k->prefix) != RBL_OK)
			return RBL_EINVAL;
		snprintf(k->text, sizeof k->text, "%s",
			 rbl_prefix_format(&k->prefix, buf));
		return RBL_OK;
	}
	k->name_flags = RBL_ENTRY_NAME_EXACT;
	if (strncmp(s, "*.", 2) == 0)
		s += 2, k->name_flags = RBL_ENTRY_NAME_SUBS;
	else if (s[0] == '.')
		s += 1, k->name_flags |= RBL_ENTRY_NAME_SUBS;
	if (rbl_delist_subject(s, k->name, &is_addr, NULL) != RBL_OK || is_addr)
		return RBL_EINVAL;
	snprintf(k->text, sizeof k->text, "%s%s",
		 k->name_flags == RBL_ENTRY_NAME_SUBS ? "*." :
		 k->name_flags & RBL_ENTRY_NAME_SUBS ? "." : "", k->name);
	return RBL_OK;
}

static int key_get(rbl_txn *t, const rbl_list *l, const struct key *k,
		   rbl_entry *e)
{
	return k->is_ip ? rbl_ip_get(t, l->id, &k->prefix, e)
			: rbl_name_get(t, l->id, k->text, e);
}

/* "code 127.0.0.2, txt "...", expires ..., source ..." for the audit. */
static void describe(char *out, size_t size, const rbl_entry *e)
{
	char code[16], until[32];

	if (!e) {
		snprintf(out, size, "not listed");
		return;
	}
	snprintf(out, size, "%scode %s, txt \"%s\", expires %s, source %s",
		 (e->flags & RBL_ENTRY_EXCLUDE) ? "EXCLUDED, " : "",
		 e->n_codes ? rbl_code_format(e->codes[0], code) : "default",
		 (e->flags & RBL_ENTRY_HAS_TXT) ? e->txt : "(default)",
		 adm_time(e->expires, "never", until), e->source);
}

/* ------------------------------------------------------------ the form */

struct opt_ctx {
	adm_buf *b;
	const char *selected;
};

static int list_option(void *arg, const rbl_list *l)
{
	struct opt_ctx *c = arg;

	adm_htmlf(c->b, "<option value=\"%s\"%S>%s (%s)</option>", l->name,
		  c->selected && strcmp(c->selected, l->name) == 0 ?
		  " selected" : "", l->name,
		  l->kind == RBL_LIST_IP ? "IP" : "domains");
	return 0;
}

static void listing_form(adm_buf *b, const adm_req *r, rbl_txn *t,
			 const char *list, const char *key, const rbl_entry *e)
{
	struct opt_ctx oc = { b, list };
	char code[16] = "", exp[32] = "";

	if (e && e->n_codes)
		rbl_code_format(e->codes[0], code);
	if (e && e->expires > r->now)
		snprintf(exp, sizeof exp, "%llds",
			 (long long)(e->expires - r->now));
	adm_puts(b, "<form method=\"post\" action=\"/admin/listing\">");
	adm_csrf_field(b, r);
	adm_puts(b, "<label for=\"list\">List</label><select id=\"list\" "
		    "name=\"list\">");
	rbl_list_foreach(t, list_option, &oc);
	adm_htmlf(b, "</select><label for=\"key\">Address, prefix or domain "
		  "(*.name for names below it)</label><input type=\"text\" "
		  "id=\"key\" name=\"key\" value=\"%s\" required>"
		  "<label for=\"code\">Code (empty: list default)</label>"
		  "<input type=\"text\" id=\"code\" name=\"code\" value=\"%s\">"
		  "<label for=\"txt\">TXT (empty: list default)</label>"
		  "<input type=\"text\" id=\"txt\" name=\"txt\" value=\"%s\">"
		  "<label for=\"expires\">Expires after (7d, 12h; empty: never)"
		  "</label><input type=\"text\" id=\"expires\" name=\"expires\" "
		  "value=\"%s\"><label><input type=\"checkbox\" name=\"exclude\""
		  "%S> Exclusion (never listed, overrides wider entries)</label>"
		  "<label for=\"reason\">Reason</label><textarea id=\"reason\" "
		  "name=\"reason\" required></textarea>"
		  "<div><button type=\"submit\">Save</button></div></form>",
		  key ? key : "", code,
		  e && (e->flags & RBL_ENTRY_HAS_TXT) ? e->txt : "", exp,
		  e && (e->flags & RBL_ENTRY_EXCLUDE) ? " checked" : "");
}

void page_listing_form(adm_req *r, adm_resp *o)
{
	const char *list = adm_arg(r, "list"), *key = adm_arg(r, "key");
	rbl_entry e = { 0 };
	rbl_list l = { 0 };
	struct key k = { 0 };
	bool have = false;
	rbl_txn *t = NULL;

	if (adm_txn(r, false, &t) != RBL_OK) {
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, "store unavailable");
		return;
	}
	if (list && key && rbl_list_get(t, list, &l) == RBL_OK &&
	    key_parse(&l, key, &k) == RBL_OK)
		have = key_get(t, &l, &k, &e) == RBL_OK;
	adm_page_begin(&o->body, r, have ? "Edit listing" : "Add listing");
	listing_form(&o->body, r, t, list, key, have ? &e : NULL);
	rbl_txn_abort(t);
	adm_page_end(&o->body);
}

/* ------------------------------------------------------------- saving */

/* Fill E from the form.  RBL_OK or RBL_EINVAL with *WHY. */
static int entry_from_form(const adm_req *r, rbl_entry *e, const char **why)
{
	const char *code = adm_form_get(&r->form, "code");
	const char *txt = adm_form_get(&r->form, "txt");
	const char *exp = adm_form_get(&r->form, "expires");
	uint32_t secs = 0;

	rbl_entry_init(e);
	if (code && *code) {
		if (rbl_code_parse(code, &e->codes[0]) != RBL_OK)
			return *why = "The code must be 127.0.0.x.", RBL_EINVAL;
		e->n_codes = 1;
	}
	if (txt && *txt) {
		if (strlen(txt) > RBL_TXT_MAX)
			return *why = "The TXT is too long.", RBL_EINVAL;
		strcpy(e->txt, txt);
		e->flags |= RBL_ENTRY_HAS_TXT;
	}
	if (exp && *exp) {
		if (rbl_parse_duration(exp, &secs) != RBL_OK || secs == 0)
			return *why = "Expiry must be like 7d or 12h.", RBL_EINVAL;
		e->expires = r->now + secs;
	}
	if (adm_form_get(&r->form, "exclude"))
		e->flags |= RBL_ENTRY_EXCLUDE;
	snprintf(e->source, sizeof e->source, "admin:%s", r->sess.user);
	return RBL_OK;
}

/* Where to go after a change of K: the address page or a search. */
static void after_change(adm_resp *o, const struct key *k)
{
	adm_buf loc = { 0 };
	bool host = k->is_ip &&
		    k->prefix.len == rbl_addr_bits(k->prefix.addr.family);

	adm_buf_init(&loc);
	if (host || (!k->is_ip && k->name_flags & RBL_ENTRY_NAME_EXACT))
		adm_htmlf(&loc, "/admin/addr?a=%U", k->is_ip ? k->text : k->name);
	else
		adm_htmlf(&loc, "/admin/search?q=%U", k->is_ip ? k->text : k->name);
	adm_redirect(o, loc.p ? loc.p : "/admin");
	adm_buf_free(&loc);
}

static int save(adm_req *r, rbl_txn *t, const rbl_list *l,
		const struct key *k, rbl_entry *e)
{
	rbl_entry old = { 0 };
	char before[512], after[512], target[RBL_NAME_MAX + 80];
	bool had = key_get(t, l, k, &old) == RBL_OK;
	int rc;

	e->flags |= k->name_flags;
	e->added = had ? old.added : 0;
	describe(before, sizeof before, had ? &old : NULL);
	describe(after, sizeof after, e);
	snprintf(target, sizeof target, "%s", k->is_ip ? k->text : k->name);
	rc = k->is_ip ? rbl_ip_add(t, l->id, &k->prefix, e)
		      : rbl_name_add(t, l->id, k->name, e);
	if (rc == RBL_OK) {
		snprintf(after + strlen(after), sizeof after - strlen(after),
			 " in list %s as %s", l->name, k->text);
		rc = adm_audit(r, t, had ? RBL_AUDIT_LISTING_EDIT
					 : RBL_AUDIT_LISTING_ADD, target,
			       before, after,
			       adm_form_get(&r->form, "reason"));
	}
	return rc;
}

static bool reason_given(const adm_req *r)
{
	const char *why = adm_form_get(&r->form, "reason");

	return why && strspn(why, " \t\r\n") < strlen(why) &&
	       strlen(why) <= RBL_AUDIT_FIELD_MAX;
}

void page_listing_save(adm_req *r, adm_resp *o)
{
	const char *list = adm_form_get(&r->form, "list");
	const char *key = adm_form_get(&r->form, "key");
	const char *why = "A reason is required.";
	struct key k = { 0 };
	rbl_list l = { 0 };
	rbl_entry e = { 0 };
	rbl_txn *t = NULL;
	int rc = reason_given(r) ? entry_from_form(r, &e, &why) : RBL_EINVAL;

	if (rc == RBL_OK && (rc = adm_txn(r, true, &t)) == RBL_OK) {
		rc = list && rbl_list_get(t, list, &l) == RBL_OK ? RBL_OK
								 : RBL_EINVAL;
		if (rc != RBL_OK)
			why = "No such list.";
		else if ((rc = key_parse(&l, key ? key : "", &k)) != RBL_OK)
			why = "The key does not fit this list.";
		else
			rc = save(r, t, &l, &k, &e);
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK)
		after_change(o, &k);
	else
		adm_error(r, o, rc == RBL_EINVAL ? MHD_HTTP_BAD_REQUEST
			  : MHD_HTTP_INTERNAL_SERVER_ERROR,
			  rc == RBL_EINVAL ? why : rbl_strerror(rc));
}

static int remove_one(adm_req *r, rbl_txn *t, const rbl_list *l,
		      const struct key *k)
{
	rbl_entry old = { 0 };
	char before[512];
	int rc = key_get(t, l, k, &old);

	if (rc != RBL_OK)
		return rc;
	describe(before, sizeof before, &old);
	snprintf(before + strlen(before), sizeof before - strlen(before),
		 " in list %s as %s", l->name, k->text);
	rc = k->is_ip ? rbl_ip_del(t, l->id, &k->prefix)
		      : rbl_name_del(t, l->id, k->text);
	if (rc == RBL_OK)
		rc = adm_audit(r, t, RBL_AUDIT_LISTING_DEL,
			       k->is_ip ? k->text : k->name, before,
			       "not listed", adm_form_get(&r->form, "reason"));
	return rc;
}

void page_listing_remove(adm_req *r, adm_resp *o)
{
	const char *list = adm_form_get(&r->form, "list");
	const char *key = adm_form_get(&r->form, "key");
	struct key k = { 0 };
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int rc = reason_given(r) ? adm_txn(r, true, &t) : RBL_EINVAL;

	if (rc == RBL_OK) {
		rc = list && key && rbl_list_get(t, list, &l) == RBL_OK &&
		     key_parse(&l, key, &k) == RBL_OK ? RBL_OK : RBL_EINVAL;
		if (rc == RBL_OK)
			rc = remove_one(r, t, &l, &k);
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
	}
	if (rc == RBL_OK)
		after_change(o, &k);
	else if (rc == RBL_ENOTFOUND)
		adm_error(r, o, MHD_HTTP_NOT_FOUND, "No such listing.");
	else
		adm_error(r, o, rc == RBL_EINVAL ? MHD_HTTP_BAD_REQUEST
			  : MHD_HTTP_INTERNAL_SERVER_ERROR,
			  rc == RBL_EINVAL ? "A list, a key and a reason are "
			  "required." : rbl_strerror(rc));
}
