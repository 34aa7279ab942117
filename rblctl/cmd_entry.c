/*
 * cmd_entry.c -- rblctl add, del and show: listings one by one.
 *
 * Arguments are parsed completely (against the list's kind) before the
 * first write; any failure aborts the transaction, so a command with one
 * bad entry among many changes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "zone/people/audit.h"
#include "zone/policy/namepol.h"
#include "zone/error.h"

/* One parsed command-line entry. */
typedef struct ctl_item {
	bool exclude;
	rbl_addr lo, hi;			/* IP lists */
	char name[RBL_NAME_MAX + 1];		/* name lists */
	uint32_t flags;				/* RBL_ENTRY_NAME_* */
	const char *text;			/* as given (audit log) */
	char hashed[RBL_NAME_MAX + 80];		/* hash lists: the text */
} ctl_item;

/* A hash list entry: a mail address, hashed on the way in (its text in
 * the audit log too, unless KEEP_PLAIN), or the 40 hex digits of one. */
static int parse_hash_item(const rbl_list *l, const char *arg,
			   bool keep_plain, ctl_item *it)
{
	if (rbl_namepol_subject(arg, it->name) != RBL_OK ||
	    strlen(it->name) != 40 || strspn(it->name, "0123456789abcdef") != 40)
		return ctl_err("\"%s\" is not a mail address or a SHA-1 in hex "
			       "(list %s holds hashes)", arg, l->name);
	it->flags = RBL_ENTRY_NAME_EXACT;
	if (strchr(arg, '@') && keep_plain)
		snprintf(it->hashed, sizeof it->hashed, "%s (%.64s)", it->name,
			 arg);
	else
		snprintf(it->hashed, sizeof it->hashed, "%s", it->name);
	it->text = it->hashed;
	return CTL_OK;
}

static int parse_items(const rbl_list *l, char **args, int n,
		       ctl_item *items, bool keep_plain)
{
	for (int i = 0; i < n; i++) {
		ctl_item *it = &items[i];
		const char *why = NULL;

		it->text = args[i];
		if (l->kind == RBL_LIST_HASH) {
			if (parse_hash_item(l, args[i], keep_plain, it) != CTL_OK)
				return CTL_ERR;
		} else if (l->kind == RBL_LIST_IP) {
			if (ctl_parse_ip_entry(args[i], &it->lo, &it->hi,
					       &it->exclude, &why) != RBL_OK)
				return ctl_err("\"%s\": %s", args[i], why);
		} else if (ctl_parse_name_entry(args[i], it->name, &it->flags,
						&it->exclude) != RBL_OK) {
			return ctl_err("\"%s\" is not a domain name (list %s "
				       "holds domains)", args[i], l->name);
		}
	}
	return CTL_OK;
}

/* ---- add ---- */

typedef struct add_opts {
	rbl_entry e;		/* the values for listings */
	const char *reason;	/* --reason, for the audit log */
	bool keep_plain;	/* --keep-plain: hash lists */
} add_opts;

static int parse_add_opts(const ctl_cmd *me, int argc, char **argv,
			  add_opts *o, const char *source)
{
	static const struct option opts[] = {
		{ "code", required_argument, NULL, 'C' },
		{ "txt", required_argument, NULL, 'T' },
		{ "no-txt", no_argument, NULL, 'N' },
		{ "reason", required_argument, NULL, 'R' },
		{ "expires", required_argument, NULL, 'E' },
		{ "source", required_argument, NULL, 'S' },
		{ "keep-plain", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 }
	};
	bool txt = false, no_txt = false;
	int opt;

	/* every field a known value before any option is looked at: an
	 * option not given must read as "not given", never as stack junk */
	*o = (add_opts){ .reason = NULL };
	rbl_entry_init(&o->e);
	snprintf(o->e.source, sizeof(o->e.source), "%s", source);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "C:T:NE:S:", opts, NULL)) != -1) {
		switch (opt) {
		case 'C':
			if (o->e.n_codes == RBL_MAX_CODES)
				return ctl_err("at most %d --code", RBL_MAX_CODES);
			if (rbl_code_parse(optarg, &o->e.codes[o->e.n_codes]))
				return ctl_err("--code %s: not a return code "
					       "(127.0.0.3 or 3)", optarg);
			o->e.n_codes++;
			break;
		case 'T':
			if (strlen(optarg) > RBL_TXT_MAX)
				return ctl_err("--txt: longer than %d bytes",
					       RBL_TXT_MAX);
			snprintf(o->e.txt, sizeof(o->e.txt), "%s", optarg);
			txt = true;
			break;
		case 'N':
			no_txt = true;
			break;
		case 'E':
			if (ctl_parse_expiry(optarg, (int64_t)time(NULL),
					     &o->e.expires) != CTL_OK)
				return CTL_ERR;
			break;
		case 'S':
			if (strlen(optarg) > RBL_SOURCE_MAX)
				return ctl_err("--source: longer than %d bytes",
					       RBL_SOURCE_MAX);
			snprintf(o->e.source, sizeof(o->e.source), "%s", optarg);
			break;
		case 'R':
			o->reason = optarg;
			break;
		case 'K':
			o->keep_plain = true;
			break;
		default:
			return ctl_usage(me, "bad option");
		}
	}
	if (txt && no_txt)
		return ctl_usage(me, "--txt and --no-txt exclude each other");
	if (txt || no_txt)
		o->e.flags |= RBL_ENTRY_HAS_TXT;
	if (optind + 2 > argc)
		return ctl_usage(me, "add needs LIST and at least one ENTRY");
	return CTL_OK;
}

static int add_ip(rbl_txn *t, const rbl_list *l, const ctl_item *it,
		  const rbl_entry *e, unsigned *n)
{
	rbl_prefix p[256];
	size_t np = 0;
	int rc = rbl_range_to_prefixes(&it->lo, &it->hi, p, 256, &np);

	for (size_t i = 0; rc == RBL_OK && i < np; i++)
		rc = rbl_ip_add(t, l->id, &p[i], e);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "%s: add %s", l->name, it->text);
	*n += (unsigned)np;
	return CTL_OK;
}

static int add_items(rbl_txn *t, const rbl_list *l, const ctl_item *items,
		     int n, const add_opts *o, unsigned *added)
{
	for (int i = 0; i < n; i++) {
		rbl_entry e = o->e;
		int rc;

		if (items[i].exclude) {
			e.flags = RBL_ENTRY_EXCLUDE;
			e.n_codes = 0;
			e.txt[0] = '\0';
		}
		if (l->kind == RBL_LIST_IP) {
			if (add_ip(t, l, &items[i], &e, added) != CTL_OK)
				return CTL_ERR;
			continue;
		}
		e.flags |= items[i].flags;
		rc = rbl_name_add(t, l->id, items[i].name, &e);
		if (rc != RBL_OK)
			return ctl_fail(NULL, rc, "%s: add %s", l->name,
					items[i].text);
		(*added)++;
	}
	return CTL_OK;
}

/* One audit record per entry given, in the transaction that makes the
 * change, so the log and the data commit (or vanish) together: the
 * operator's own changes are logged like the admin site's. */
static int audit_items(rbl_txn *t, const ctl *c, const char *action,
		       const rbl_list *l, const ctl_item *items, int n,
		       const char *state, const char *reason)
{
	for (int i = 0; i < n; i++) {
		char target[RBL_NAME_MAX + RBL_LIST_NAME_MAX + 8];
		rbl_audit_rec r = { 0 };
		bool add = strcmp(action, RBL_AUDIT_LISTING_ADD) == 0;
		int rc;

		snprintf(target, sizeof(target), "%s %s", l->name,
			 items[i].text);
		r.user = c->source;
		r.client = "local";
		r.action = action;
		r.target = target;
		r.before = add ? "" : state;
		r.after = add ? state : "";
		r.reason = reason ? reason : "";
		if ((rc = rbl_audit_append(t, &r)) != RBL_OK)
			return ctl_fail(NULL, rc, "audit log");
	}
	return CTL_OK;
}

/* What an added entry says, for the audit log. */
static void describe_entry(const rbl_entry *e, char *buf, size_t size)
{
	char codes[80];

	snprintf(buf, size, "code=%s txt=%s%s%s expires=%lld",
		 e->n_codes ? ctl_codes(e, codes) : "default",
		 (e->flags & RBL_ENTRY_HAS_TXT) ? "\"" : "default",
		 (e->flags & RBL_ENTRY_HAS_TXT) ? e->txt : "",
		 (e->flags & RBL_ENTRY_HAS_TXT) ? "\"" : "",
		 (long long)e->expires);
}

int cmd_add(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	ctl_item *items = NULL;
	unsigned added = 0;
	add_opts o = { 0 };
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int rc = parse_add_opts(me, argc, argv, &o, c->source), n;

	if (rc != CTL_OK)
		return rc;
	n = argc - optind - 1;
	if (ctl_open_list(c, argv[optind], true, &t, &l) != CTL_OK)
		return CTL_ERR;
	items = calloc((size_t)n, sizeof(*items));
	rc = items ? parse_items(&l, argv + optind + 1, n, items,
				 o.keep_plain) : ctl_err("out of memory");
	if (rc == CTL_OK)
		rc = add_items(t, &l, items, n, &o, &added);
	if (rc == CTL_OK) {
		char state[RBL_TXT_MAX + 128];

		describe_entry(&o.e, state, sizeof(state));
		rc = audit_items(t, c, RBL_AUDIT_LISTING_ADD, &l, items, n,
				 state, o.reason);
	}
	free(items);
	if (rc != CTL_OK) {
		rbl_txn_abort(t);
		return rc;
	}
	if (ctl_commit(t, "add") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "%s: %u entr%s added\n", l.name, added,
		added == 1 ? "y" : "ies");
	return CTL_OK;
}

/* ---- del ---- */

static int del_ip(rbl_txn *t, const rbl_list *l, const ctl_item *it,
		  unsigned *n)
{
	char buf[RBL_ADDR_STRLEN];
	rbl_prefix p[256];
	rbl_entry e = { 0 };
	size_t np = 0;
	int rc = rbl_range_to_prefixes(&it->lo, &it->hi, p, 256, &np);

	for (size_t i = 0; rc == RBL_OK && i < np; i++) {
		rc = rbl_ip_get(t, l->id, &p[i], &e);
		if (rc == RBL_ENOTFOUND)
			return ctl_err("%s: no entry %s%s (rblctl show %s "
				       "lists them)", l->name, it->exclude ?
				       "!" : "", rbl_prefix_format(&p[i], buf),
				       l->name);
		if (rc == RBL_OK && it->exclude &&
		    !(e.flags & RBL_ENTRY_EXCLUDE))
			return ctl_err("%s: %s is a listing, not an "
				       "exclusion", l->name,
				       rbl_prefix_format(&p[i], buf));
		if (rc == RBL_OK)
			rc = rbl_ip_del(t, l->id, &p[i]);
	}
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "%s: del %s", l->name, it->text);
	*n += (unsigned)np;
	return CTL_OK;
}

/* Remove the entries IT names: "x" the exact one, "*.x" the subtree one,
 * ".x" both (the store keeps them apart; see rbl_name_del). */
static int del_name(rbl_txn *t, const rbl_list *l, const ctl_item *it,
		    unsigned *n)
{
	const uint32_t both = RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS;
	char key[RBL_NAME_MAX + 3];
	int rc;

	snprintf(key, sizeof key, "%s%s", (it->flags & both) == both ? "." :
		 it->flags & RBL_ENTRY_NAME_SUBS ? "*." : "", it->name);
	rc = rbl_name_del(t, l->id, key);
	if (rc == RBL_ENOTFOUND)
		return ctl_err("%s: no entry %s", l->name, it->text);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "%s: del %s", l->name, it->text);
	(*n)++;
	return CTL_OK;
}

int cmd_del(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	ctl_item *items = NULL;
	unsigned removed = 0;
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int rc = CTL_OK;

	const char *reason = NULL;

	if (argc > 2 && strcmp(argv[1], "--reason") == 0) {
		reason = argv[2];
		argc -= 2;
		argv += 2;
	} else if (argc > 1 && strncmp(argv[1], "--reason=", 9) == 0) {
		reason = argv[1] + 9;
		argc--;
		argv++;
	}
	if (argc < 3)
		return ctl_usage(me, "del needs LIST and at least one ENTRY");
	if (ctl_open_list(c, argv[1], true, &t, &l) != CTL_OK)
		return CTL_ERR;
	items = calloc((size_t)argc, sizeof(*items));
	rc = items ? parse_items(&l, argv + 2, argc - 2, items, false) :
		     ctl_err("out of memory");
	for (int i = 0; rc == CTL_OK && i < argc - 2; i++)
		rc = l.kind == RBL_LIST_IP ? del_ip(t, &l, &items[i], &removed)
					   : del_name(t, &l, &items[i], &removed);
	if (rc == CTL_OK)
		rc = audit_items(t, c, RBL_AUDIT_LISTING_DEL, &l, items,
				 argc - 2, "listed", reason);
	free(items);
	if (rc != CTL_OK) {
		rbl_txn_abort(t);
		return rc;
	}
	if (ctl_commit(t, "del") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "%s: %u entr%s removed\n", l.name, removed,
		removed == 1 ? "y" : "ies");
	return CTL_OK;
}

/* ---- show ---- */

static void print_values(const rbl_entry *e)
{
	char codes[80], when[32];

	if (e->flags & RBL_ENTRY_EXCLUDE) {
		printf(" exclusion");
	} else {
		printf(" code=%s", ctl_codes(e, codes));
		if (!(e->flags & RBL_ENTRY_HAS_TXT))
			printf(" txt=default");
		else if (!e->txt[0])
			printf(" txt=none");
		else
			printf(" txt=\"%s\"", e->txt);
	}
	if (e->expires)
		printf(" expires=%s", ctl_time(e->expires, when));
	printf(" source=%s added=%s\n", e->source[0] ? e->source : "-",
	       ctl_time(e->added, when));
}

static int show_ip(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	char buf[RBL_ADDR_STRLEN];

	(void)arg;
	printf("%s%s", (e->flags & RBL_ENTRY_EXCLUDE) ? "!" : "",
	       rbl_prefix_format(p, buf));
	print_values(e);
	return 0;
}

static int show_name(void *arg, const char *name, const rbl_entry *e)
{
	bool exact = e->flags & RBL_ENTRY_NAME_EXACT;
	bool subs = e->flags & RBL_ENTRY_NAME_SUBS;

	(void)arg;
	printf("%s%s%s", (e->flags & RBL_ENTRY_EXCLUDE) ? "!" : "",
	       subs ? (exact ? "." : "*.") : "", name);
	print_values(e);
	return 0;
}

int cmd_show(ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "within", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	const ctl_cmd *me = c->cmd;
	rbl_prefix within = { 0 }, *w = NULL;
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "w:", opts, NULL)) != -1) {
		if (opt != 'w')
			return ctl_usage(me, "bad option");
		if (rbl_prefix_parse(optarg, true, &within) != RBL_OK)
			return ctl_err("--within %s: not a CIDR prefix", optarg);
		w = &within;
	}
	if (optind + 1 != argc)
		return ctl_usage(me, "show needs one LIST");
	if (ctl_open_list(c, argv[optind], false, &t, &l) != CTL_OK)
		return CTL_ERR;
	if (w && l.kind != RBL_LIST_IP) {
		rbl_txn_abort(t);
		return ctl_err("--within: list %s holds domains", l.name);
	}
	rc = l.kind == RBL_LIST_IP ? rbl_ip_foreach(t, l.id, w, show_ip, NULL)
				   : rbl_name_foreach(t, l.id, show_name, NULL);
	rbl_txn_abort(t);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "show %s", l.name);
}
