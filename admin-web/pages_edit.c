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
#include <time.h>
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
#include "lookup.h"
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

/* What the form holds: the person's input, and an error per field. */
struct listing_input {
	const char *list, *key, *code, *txt, *expires, *reason;
	bool exclude, editing;
	int64_t expires_was;	/* the entry's expiry when the form was shown */
	const char *list_err, *key_err, *code_err, *txt_err, *expires_err;
	const char *reason_err;
};

struct opt_ctx {
	adm_buf *b;
	rbl_txn *t;
	const adm_app *app;
	const char *selected;
};

/* "IP list, answered in bl.test" for list L into OUT. */
static void list_role(rbl_txn *t, const adm_app *app, const rbl_list *l,
		      char *out, size_t size)
{
	char zones[ADM_ZONES_TEXT];
	const char *allow = adm_allow_of(app, l->id);
	const char *kind = l->kind == RBL_LIST_IP ? "IP list" : "domain list";

	adm_zones_of(t, l->id, zones);
	if (allow)
		snprintf(out, size, "allow list of policy %s, not published",
			 allow);
	else if (zones[0])
		snprintf(out, size, "%s, answered in %s", kind, zones);
	else
		snprintf(out, size, "%s, not published", kind);
}

static int list_option(void *arg, const rbl_list *l)
{
	struct opt_ctx *c = arg;
	char role[ADM_ZONES_TEXT + 64];

	list_role(c->t, c->app, l, role, sizeof role);
	adm_htmlf(c->b, "<option value=\"%s\"%S>%s &ndash; %s</option>",
		  l->name, c->selected && strcmp(c->selected, l->name) == 0 ?
		  " selected" : "", l->name, role);
	return 0;
}

static void list_field(adm_buf *b, const adm_req *r, rbl_txn *t,
		       const struct listing_input *in)
{
	struct opt_ctx oc = { b, t, r->app, in->list };
	rbl_list l = { 0 };
	char role[ADM_ZONES_TEXT + 64];

	if (in->editing && in->list && rbl_list_get(t, in->list, &l) == RBL_OK) {
		list_role(t, r->app, &l, role, sizeof role);
		adm_htmlf(b, "<label>List</label><p class=\"mono\">%s <span "
			  "class=\"muted\">(%s)</span></p><input type=\"hidden\" "
			  "name=\"list\" value=\"%s\"><input type=\"hidden\" "
			  "name=\"editing\" value=\"1\">", l.name, role, l.name);
		return;
	}
	adm_htmlf(b, "<label for=\"list\">List<span class=\"hint\">Which "
		  "list to add to; an allow list keeps the policies from "
		  "listing the address and is never answered in DNS.</span>"
		  "</label><select id=\"list\" name=\"list\" required%S>"
		  "<option value=\"\"%S>Choose a list&hellip;</option>",
		  in->list_err ? " aria-invalid=\"true\" aria-describedby="
		  "\"list-err\"" : "", in->list && *in->list ? "" : " selected");
	rbl_list_foreach(t, list_option, &oc);
	adm_puts(b, "</select>");
	if (in->list_err)
		adm_htmlf(b, "<p class=\"ferr\" id=\"list-err\">%s</p>",
			  in->list_err);
}

static void listing_form(adm_buf *b, const adm_req *r, rbl_txn *t,
			 const struct listing_input *in)
{
	char was[24];

	adm_puts(b, "<form method=\"post\" action=\"/admin/listing\">");
	adm_csrf_field(b, r);
	list_field(b, r, t, in);
	adm_field(b, "text", "key", "Address, prefix or domain",
		  "192.0.2.1, 192.0.2.0/24, bad.example, or *.bad.example for "
		  "the names below it", in->key, in->key_err,
		  in->editing ? "required readonly" : "required");
	adm_field(b, "text", "code", "Code", "127.0.0.x; empty: the list's "
		  "default", in->code, in->code_err, NULL);
	adm_field(b, "text", "txt", "TXT", "Empty: the list's default; $ "
		  "stands for the address", in->txt, in->txt_err, NULL);
	adm_field(b, "text", "expires", "Expires", "A date (2026-12-31 or "
		  "2026-12-31 18:00 UTC), or a span from now (7d, 12h); "
		  "empty: never", in->expires, in->expires_err, NULL);
	snprintf(was, sizeof was, "%lld", (long long)in->expires_was);
	adm_htmlf(b, "<input type=\"hidden\" name=\"expires_was\" "
		  "value=\"%s\"><label class=\"check\"><input type=\"checkbox\""
		  " name=\"exclude\"%S> Exclusion: never listed here, even "
		  "inside a listed range</label>", was,
		  in->exclude ? " checked" : "");
	adm_field(b, "textarea", "reason", "Reason", "Recorded in the audit "
		  "log with your name.", in->reason, in->reason_err,
		  "required");
	adm_htmlf(b, "<div><button type=\"submit\">%s</button></div></form>",
		  in->editing ? "Save changes" : "Add listing");
}

static void listing_page(adm_req *r, adm_resp *o,
			 const struct listing_input *in, bool failed)
{
	rbl_txn *t = NULL;

	if (adm_txn(r, false, &t) != RBL_OK) {
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, "store unavailable");
		return;
	}
	adm_page_begin(&o->body, r, in->editing ? "Edit listing"
						: "Add listing");
	if (failed)
		adm_notice(&o->body, "err", "Nothing was saved: please fix the "
			   "marked fields.");
	listing_form(&o->body, r, t, in);
	rbl_txn_abort(t);
	adm_page_end(&o->body);
}

void page_listing_form(adm_req *r, adm_resp *o)
{
	struct listing_input in = { .list = adm_arg(r, "list"),
				    .key = adm_arg(r, "key") };
	char code[16] = "", until[32];
	rbl_entry e = { 0 };
	rbl_list l = { 0 };
	struct key k = { 0 };
	rbl_txn *t = NULL;

	if (adm_txn(r, false, &t) != RBL_OK) {
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, "store unavailable");
		return;
	}
	if (in.list && in.key && rbl_list_get(t, in.list, &l) == RBL_OK &&
	    key_parse(&l, in.key, &k) == RBL_OK &&
	    key_get(t, &l, &k, &e) == RBL_OK) {
		in.editing = true;
		in.key = k.text;
		if (e.n_codes)
			in.code = rbl_code_format(e.codes[0], code);
		in.txt = e.flags & RBL_ENTRY_HAS_TXT ? e.txt : NULL;
		in.expires = e.expires ? adm_time(e.expires, "", until) : NULL;
		in.expires_was = e.expires;
		in.exclude = e.flags & RBL_ENTRY_EXCLUDE;
	}
	rbl_txn_abort(t);
	listing_page(r, o, &in, false);
}

/* ------------------------------------------------------------- saving */

/* A UTC time "2026-12-31", "2026-12-31 18:00" or "2026-12-31 18:00:30",
 * with or without " UTC", into *OUT.  False if S is not one. */
static bool parse_when(const char *s, int64_t *out)
{
	struct tm tm = { 0 }, back = { 0 };
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
	time_t tt = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return false;
	s += n;
	if (*s == ' ' || *s == 'T') {
		n = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) == 2) {
			s += 1 + n;
			if (*s == ':' && sscanf(s + 1, "%2d%n", &sec, &n) == 1)
				s += 1 + n;
		}
	}
	while (*s == ' ')
		s++;
	if (strcmp(s, "") && strcmp(s, "UTC") && strcmp(s, "Z"))
		return false;
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
	tt = timegm(&tm);
	if (tt == (time_t)-1 || !gmtime_r(&tt, &back) ||
	    back.tm_mday != d || back.tm_mon != mo - 1 || back.tm_hour != h ||
	    back.tm_min != mi)
		return false;	/* 2026-02-30, 25:00 */
	*out = (int64_t)tt;
	return true;
}

/* The expiry typed in IN: 0 (empty: never), a span from NOW ("7d"), or a
 * UTC time.  Text that still names the minute of the expiry the form
 * showed keeps that expiry to the second: saving an edit without touching
 * the field does not move it.  False with IN->expires_err. */
static bool parse_expiry(struct listing_input *in, int64_t now,
			 int64_t *out)
{
	const char *s = in->expires;
	uint32_t secs = 0;

	*out = 0;
	if (!s || !*s)
		return true;
	if (rbl_parse_duration(s, &secs) == RBL_OK && secs) {
		*out = now + secs;
		return true;
	}
	if (!parse_when(s, out)) {
		in->expires_err = "Write a date like 2026-12-31 or 2026-12-31 "
				  "18:00 UTC, a span like 7d or 12h, or nothing "
				  "for no end.";
		return false;
	}
	if (in->expires_was && *out <= in->expires_was &&
	    in->expires_was - *out < 60)
		*out = in->expires_was;
	if (*out <= now) {
		in->expires_err = "That time has passed: give a later one, or "
				  "nothing for no end.";
		return false;
	}
	return true;
}

/* Fill E from the form; errors go beside their fields.  True if good. */
static bool entry_from_form(const adm_req *r, struct listing_input *in,
			    rbl_entry *e)
{
	rbl_entry_init(e);
	if (in->code && *in->code) {
		if (rbl_code_parse(in->code, &e->codes[0]) != RBL_OK)
			in->code_err = "The code must be an address like "
				       "127.0.0.2.";
		e->n_codes = 1;
	}
	if (in->txt && *in->txt) {
		if (strlen(in->txt) > RBL_TXT_MAX)
			in->txt_err = "The TXT is too long (255 characters at "
				      "most).";
		else
			strcpy(e->txt, in->txt);
		e->flags |= RBL_ENTRY_HAS_TXT;
	}
	parse_expiry(in, r->now, &e->expires);
	if (in->exclude)
		e->flags |= RBL_ENTRY_EXCLUDE;
	snprintf(e->source, sizeof e->source, "admin:%s", r->sess.user);
	return !in->code_err && !in->txt_err && !in->expires_err;
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

/* The person's input from the form (the edit form's state too). */
static void input_from_form(const adm_req *r, struct listing_input *in)
{
	const char *was = adm_form_get(&r->form, "expires_was");

	memset(in, 0, sizeof *in);
	in->list = adm_form_get(&r->form, "list");
	in->key = adm_form_get(&r->form, "key");
	in->code = adm_form_get(&r->form, "code");
	in->txt = adm_form_get(&r->form, "txt");
	in->expires = adm_form_get(&r->form, "expires");
	in->reason = adm_form_get(&r->form, "reason");
	in->exclude = adm_form_get(&r->form, "exclude") != NULL;
	in->editing = adm_form_get(&r->form, "editing") != NULL;
	in->expires_was = was ? strtoll(was, NULL, 10) : 0;
}

/* Check the list and key in T; errors beside their fields. */
static bool target_ok(rbl_txn *t, struct listing_input *in, rbl_list *l,
		      struct key *k)
{
	if (!in->list || !*in->list || rbl_list_get(t, in->list, l) != RBL_OK) {
		in->list_err = "Choose the list to add to.";
		return false;
	}
	if (key_parse(l, in->key ? in->key : "", k) != RBL_OK) {
		in->key_err = l->kind == RBL_LIST_IP ?
			"Not an address or prefix for this IP list: write "
			"192.0.2.1 or 192.0.2.0/24 (no host bits after the /)." :
			"Not a domain for this domain list: write bad.example, "
			"or *.bad.example for the names below it.";
		return false;
	}
	return true;
}

/* Say on the next page what the listing now does. */
static void saved_say(const adm_req *r, rbl_txn *t, const rbl_list *l,
		      const struct key *k, const rbl_entry *e, bool was_edit)
{
	char zones[ADM_ZONES_TEXT], code[16], until[32];
	char answers[ADM_ZONES_TEXT + 48] = "";
	const char *allow = adm_allow_of(r->app, l->id);
	const char *what = was_edit ? "Saved" : "Added";

	adm_zones_of(t, l->id, zones);
	adm_time(e->expires, "", until);
	if (allow)
		adm_say(r, false, "%s: %s is on %s, the allow list of policy %s. "
			" The policy will not list it; rbld does not answer from "
			"an allow list.", what, k->text, l->name, allow);
	else if (e->flags & RBL_ENTRY_EXCLUDE)
		adm_say(r, false, "%s: %s is excluded in %s: never listed there.",
			what, k->text, l->name);
	else {
		if (zones[0])
			snprintf(answers, sizeof answers, " (%s answers %s)", zones,
				 e->n_codes ? rbl_code_format(e->codes[0], code)
					    : "with the list's code");
		adm_say(r, false, "%s: %s is listed in %s%s, %s%s.", what,
			k->text, l->name, answers, e->expires ? "until "
							      : "with no end",
			e->expires ? until : "");
	}
}

void page_listing_save(adm_req *r, adm_resp *o)
{
	struct listing_input in = { 0 };
	struct key k = { 0 };
	rbl_list l = { 0 };
	rbl_entry e = { 0 };
	rbl_txn *t = NULL;
	bool good, had = false;
	int rc;

	input_from_form(r, &in);
	if (!reason_given(r))
		in.reason_err = "Write why: the reason goes to the audit log.";
	good = entry_from_form(r, &in, &e) && !in.reason_err;
	rc = adm_txn(r, true, &t);
	if (rc == RBL_OK && target_ok(t, &in, &l, &k) && good) {
		rbl_entry old = { 0 };

		had = key_get(t, &l, &k, &old) == RBL_OK;
		rc = save(r, t, &l, &k, &e);
		if (rc == RBL_OK)
			saved_say(r, t, &l, &k, &e, had);
		rc = rc == RBL_OK ? rbl_txn_commit(t) : (rbl_txn_abort(t), rc);
		if (rc == RBL_OK) {
			after_change(o, &k);
			return;
		}
		adm_unsay(r);	/* it was not saved after all */
	} else if (t)
		rbl_txn_abort(t);
	if (rc != RBL_OK) {
		adm_error(r, o, MHD_HTTP_INTERNAL_SERVER_ERROR, rbl_strerror(rc));
		return;
	}
	o->status = MHD_HTTP_BAD_REQUEST;
	listing_page(r, o, &in, true);
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

/* Back to the page the remove button was on, saying why nothing
 * happened. */
static void remove_refused(adm_req *r, adm_resp *o, const char *key,
			   const char *why)
{
	adm_buf loc = { 0 };

	adm_say(r, true, "Not removed: %s", why);
	adm_buf_init(&loc);
	if (key && *key && !strchr(key, '/') && key[0] != '*' && key[0] != '.')
		adm_htmlf(&loc, "/admin/addr?a=%U", key);
	else
		adm_htmlf(&loc, "/admin/search?q=%U", key ? key : "");
	adm_redirect(o, loc.p ? loc.p : "/admin");
	adm_buf_free(&loc);
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
	if (rc == RBL_OK) {
		adm_say(r, false, "Removed %s from %s.", k.text, l.name);
		after_change(o, &k);
		return;
	}
	o->status = rc == RBL_EINVAL ? MHD_HTTP_BAD_REQUEST
		  : rc == RBL_ENOTFOUND ? MHD_HTTP_NOT_FOUND
		  : MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (rc == RBL_EINVAL && !reason_given(r))
		remove_refused(r, o, key, "write a reason next to the Remove "
			       "button; it goes to the audit log.");
	else
		remove_refused(r, o, key, rc == RBL_EINVAL ? "no such list or "
			       "key." : rc == RBL_ENOTFOUND ? "it was not listed "
			       "(any more)." : rbl_strerror(rc));
}
