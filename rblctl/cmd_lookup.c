/*
 * cmd_lookup.c -- rblctl lookup: what rbld answers for an address or a
 * domain, and which stored entry decided it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"

typedef struct subject {
	const char *arg;		/* as given */
	bool is_ip, is_name;		/* what it can be looked up as */
	rbl_addr addr;
	char text[RBL_NAME_MAX + 1];	/* as rbld substitutes it for $ */
} subject;

static void print_entry(const rbl_list *l, const rbl_entry *e,
			const subject *s)
{
	char buf[80], when[32], txt[RBL_TXT_MAX + 1];
	const char *tpl = NULL;

	if (e->n_codes)
		printf("  A        %s\n", ctl_codes(e, buf));
	else
		printf("  A        %s (list default)\n",
		       rbl_code_format(l->default_code, buf));
	if (e->flags & RBL_ENTRY_HAS_TXT)
		tpl = e->txt[0] ? e->txt : NULL;
	else if (l->has_default_txt)
		tpl = l->default_txt;
	if (tpl) {
		rbl_txt_expand(tpl, strlen(tpl), s->text, txt, sizeof(txt));
		printf("  TXT      \"%s\"%s\n", txt,
		       (e->flags & RBL_ENTRY_HAS_TXT) ? "" : " (list default)");
	} else {
		printf("  TXT      none\n");
	}
	printf("  expires  %s\n", ctl_time(e->expires, when));
	printf("  source   %s\n", e->source[0] ? e->source : "-");
	printf("  added    %s\n", ctl_time(e->added, when));
}

static int lookup_ip(rbl_txn *t, const rbl_list *l, const subject *s,
		     int64_t now)
{
	char buf[RBL_ADDR_STRLEN];
	rbl_prefix decided = { 0 };
	rbl_entry e = { 0 };
	int rc = rbl_ip_explain(t, l->id, &s->addr, now, &decided, &e);

	if (rc == RBL_OK) {
		printf("  listed by %s\n", rbl_prefix_format(&decided, buf));
		print_entry(l, &e, s);
	} else if (rc == RBL_ENOTFOUND && decided.len == 255) {
		printf("  not listed: no entry covers %s\n", s->text);
	} else if (rc == RBL_ENOTFOUND) {
		printf("  not listed: excluded by !%s (source %s)\n",
		       rbl_prefix_format(&decided, buf),
		       e.source[0] ? e.source : "-");
	} else {
		return ctl_fail(NULL, rc, "lookup in %s", l->name);
	}
	return CTL_OK;
}

/* The stored entry that decides NAME: the name itself if its entry covers
 * the name, else the nearest parent listing its subtree.  Expired
 * entries are skipped like the server skips them. */
static int name_decider(rbl_txn *t, const rbl_list *l, const char *name,
			int64_t now, char *who, rbl_entry *e)
{
	const char *p = name;
	uint32_t need = RBL_ENTRY_NAME_EXACT;

	for (;;) {
		char key[RBL_NAME_MAX + 3];
		int rc;

		/* a parent answers through its subtree entry ("*.p") */
		snprintf(key, sizeof key, "%s%s", p == name ? "" : "*.", p);
		rc = rbl_name_get(t, l->id, key, e);

		if (rc == RBL_OK && (e->flags & need) &&
		    !(e->expires && e->expires <= now)) {
			snprintf(who, RBL_NAME_MAX + 3, "%s%s",
				 p == name ? "" : "*.", p);
			return RBL_OK;
		}
		if (rc != RBL_OK && rc != RBL_ENOTFOUND)
			return rc;
		p = strchr(p, '.');
		if (!p)
			return RBL_ENOTFOUND;
		p++;
		need = RBL_ENTRY_NAME_SUBS;
	}
}

static int lookup_name(rbl_txn *t, const rbl_list *l, const subject *s,
		       int64_t now)
{
	char who[RBL_NAME_MAX + 3];
	rbl_entry e = { 0 };
	int rc = name_decider(t, l, s->text, now, who, &e);

	if (rc == RBL_ENOTFOUND) {
		printf("  not listed: no entry covers %s\n", s->text);
	} else if (rc != RBL_OK) {
		return ctl_fail(NULL, rc, "lookup in %s", l->name);
	} else if (e.flags & RBL_ENTRY_EXCLUDE) {
		printf("  not listed: excluded by !%s (source %s)\n", who,
		       e.source[0] ? e.source : "-");
	} else {
		printf("  listed by %s\n", who);
		print_entry(l, &e, s);
	}
	return CTL_OK;
}

static int lookup_list(rbl_txn *t, uint32_t id, const char *sub,
		       const char *zone, const subject *s, int64_t now)
{
	char rev[80], lname[RBL_LIST_NAME_MAX + 1];
	rbl_list l = { 0 };
	int rc = rbl_list_get_id(t, id, &l);

	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "list %s", ctl_list_name(t, id, lname));
	if (s->is_ip)
		rbl_addr_to_reverse(&s->addr, rev, sizeof(rev));
	printf("%s%s%s%s%s (list %s)\n", s->is_ip ? rev : s->text,
	       zone ? "." : "", sub && *sub ? sub : "",
	       sub && *sub ? "." : "", zone ? zone : "", l.name);
	if (s->is_ip != (l.kind == RBL_LIST_IP)) {
		printf("  not looked up: list %s holds %s\n", l.name,
		       l.kind == RBL_LIST_IP ? "addresses" : "domains");
		return CTL_OK;
	}
	return s->is_ip ? lookup_ip(t, &l, s, now) :
			  lookup_name(t, &l, s, now);
}

/* An address, or a name by the rule domain lists store names with
 * (rblctl add): never a wildcard, an exclusion or an address. */
static void parse_subject(const char *arg, subject *s)
{
	uint32_t flags = 0;
	bool excl = false;

	memset(s, 0, sizeof(*s));
	s->arg = arg;
	if (rbl_addr_parse(arg, &s->addr) == RBL_OK) {
		s->is_ip = true;
		rbl_addr_unmap4(&s->addr);
		rbl_addr_format(&s->addr, s->text);
		return;
	}
	s->is_name = !strchr("!*.", arg[0]) &&
		     ctl_parse_name_entry(arg, s->text, &flags, &excl) ==
		     RBL_OK;
}

/* The lists of the lookup, and whether the subject fits any of them:
 * a lookup that can answer nothing is a wrong argument (exit 1), not
 * "not listed". */
static int check_fits(rbl_txn *t, const rbl_zone_list *lists, unsigned n,
		      const char *target, const subject *s)
{
	bool ip_lists = false, name_lists = false;

	for (unsigned i = 0; i < n; i++) {
		rbl_list l = { 0 };
		int rc = rbl_list_get_id(t, lists[i].list_id, &l);

		if (rc != RBL_OK)
			return ctl_fail(NULL, rc, "lookup in %s", target);
		if (l.kind == RBL_LIST_IP)
			ip_lists = true;
		else
			name_lists = true;
	}
	if (n == 0 || (ip_lists && s->is_ip) || (name_lists && s->is_name))
		return CTL_OK;
	if (ip_lists && name_lists)
		return ctl_err("\"%s\" is neither an IP address nor a domain "
			       "name", s->arg);
	if (ip_lists)
		return ctl_err("\"%s\" is not an IP address, and %s holds "
			       "addresses only", s->arg, target);
	return ctl_err("\"%s\" is %s, and %s holds domains only", s->arg,
		       s->is_ip ? "an IP address" : "not a domain name (labels "
		       "of letters, digits, '-' and '_', 1 to 63 long)",
		       target);
}

int cmd_lookup(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	char zname[RBL_NAME_MAX + 1];
	int64_t now = (int64_t)time(NULL);
	char target[RBL_NAME_MAX + 8];
	subject s = { 0 };
	rbl_zone z = { 0 };
	rbl_list l = { 0 };
	rbl_zone_list one = { 0 };
	rbl_txn *t = NULL;
	int rc = CTL_OK;

	if (argc != 3)
		return ctl_usage(me, "lookup needs ZONE (or LIST) and SUBJECT");
	parse_subject(argv[2], &s);
	if (!s.is_ip && !s.is_name)
		return ctl_err("\"%s\" is neither an IP address nor a domain "
			       "name", argv[2]);
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	if (rbl_conf_zone_name(argv[1], zname) == RBL_OK &&
	    rbl_zone_get(t, zname, &z) == RBL_OK) {
		snprintf(target, sizeof target, "zone %s", z.name);
		rc = check_fits(t, z.lists, z.n_lists, target, &s);
		for (unsigned i = 0; rc == CTL_OK && i < z.n_lists; i++)
			rc = lookup_list(t, z.lists[i].list_id, z.lists[i].sub,
					 z.name, &s, now);
		if (rc == CTL_OK && !z.n_lists)
			printf("zone %s answers from no list\n", z.name);
	} else if (rbl_list_get(t, argv[1], &l) == RBL_OK) {
		snprintf(target, sizeof target, "list %s", l.name);
		one.list_id = l.id;
		rc = check_fits(t, &one, 1, target, &s);
		if (rc == CTL_OK)
			rc = lookup_list(t, l.id, NULL, NULL, &s, now);
	} else {
		rc = ctl_err("no zone or list %s", argv[1]);
	}
	rbl_txn_abort(t);
	return rc;
}
