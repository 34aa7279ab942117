/*
 * cmd_list.c -- rblctl list create|show|set|delete and rblctl lists.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "zone/error.h"

/* Options shared by create and set. */
typedef struct list_opts {
	int kind;
	bool has_code, has_txt, no_txt;
	uint32_t code;
	const char *txt;
} list_opts;

static int parse_list_opts(const ctl_cmd *me, int argc, char **argv,
			   list_opts *o)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "code", required_argument, NULL, 'C' },
		{ "txt", required_argument, NULL, 'T' },
		{ "no-txt", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	memset(o, 0, sizeof(*o));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "k:C:T:N", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (!(o->kind = ctl_parse_kind(optarg)))
				return ctl_usage(me, "--kind: \"%s\" is not ip, "
						 "name, hash or newly-seen", optarg);
			break;
		case 'C':
			if (rbl_code_parse(optarg, &o->code) != RBL_OK)
				return ctl_err("--code %s: not a return code "
					       "(127.0.0.3 or 3)", optarg);
			o->has_code = true;
			break;
		case 'T':
			if (strlen(optarg) > RBL_TXT_MAX)
				return ctl_err("--txt: longer than %d bytes",
					       RBL_TXT_MAX);
			o->txt = optarg;
			o->has_txt = true;
			break;
		case 'N':
			o->no_txt = true;
			break;
		default:
			return ctl_usage(me, "bad option");
		}
	}
	if (o->has_txt && o->no_txt)
		return ctl_usage(me, "--txt and --no-txt exclude each other");
	if (optind + 1 != argc)
		return ctl_usage(me, "one list NAME expected");
	return CTL_OK;
}

static void apply_opts(rbl_list *l, const list_opts *o)
{
	if (o->has_code)
		l->default_code = o->code;
	if (o->has_txt) {
		l->has_default_txt = 1;
		snprintf(l->default_txt, sizeof(l->default_txt), "%s", o->txt);
	}
	if (o->no_txt) {
		l->has_default_txt = 0;
		l->default_txt[0] = '\0';
	}
}

static int list_create(ctl *c, const ctl_cmd *me, int argc, char **argv)
{
	list_opts o = { 0 };
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int rc = parse_list_opts(me, argc, argv, &o);

	if (rc != CTL_OK)
		return rc;
	if (!o.kind)
		return ctl_usage(me, "list create needs --kind ip, name, hash "
				 "or newly-seen");
	memset(&l, 0, sizeof(l));
	if (strlen(argv[optind]) > RBL_LIST_NAME_MAX)
		return ctl_err("list name longer than %d", RBL_LIST_NAME_MAX);
	snprintf(l.name, sizeof(l.name), "%s", argv[optind]);
	l.kind = (uint8_t)o.kind;
	l.default_code = 0x7f000002;
	apply_opts(&l, &o);
	if (ctl_open_store(c, true) != CTL_OK || ctl_begin(c, true, &t))
		return CTL_ERR;
	rc = rbl_list_create(t, &l);
	if (rc == RBL_EINVAL)
		return ctl_fail(t, rc, "list \"%s\" (names: letters, digits, "
				"'-', '_', '.')", l.name);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "list %s", l.name);
	if (ctl_commit(t, "list create") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "list %s created (%s)\n", l.name, ctl_kind_name(l.kind));
	return CTL_OK;
}

static void print_list(const rbl_list *l)
{
	char code[16], when[32];

	printf("list          %s\nkind          %s\nentries       %llu\n"
	       "default-code  %s\n", l->name, ctl_kind_name(l->kind),
	       (unsigned long long)l->n_entries,
	       rbl_code_format(l->default_code, code));
	if (l->has_default_txt)
		printf("default-txt   \"%s\"\n", l->default_txt);
	else
		printf("default-txt   none\n");
	printf("changed       %s\n", ctl_time(l->changed, when));
}

static int list_show(ctl *c, const char *name)
{
	rbl_list l = { 0 };
	rbl_txn *t = NULL;

	if (ctl_open_list(c, name, false, &t, &l) != CTL_OK)
		return CTL_ERR;
	rbl_txn_abort(t);
	print_list(&l);
	return CTL_OK;
}

static int list_set(ctl *c, const ctl_cmd *me, int argc, char **argv)
{
	list_opts o = { 0 };
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int rc = parse_list_opts(me, argc, argv, &o);

	if (rc != CTL_OK)
		return rc;
	if (o.kind)
		return ctl_err("the kind of a list cannot change (its entries "
			       "would not fit)");
	if (!o.has_code && !o.has_txt && !o.no_txt)
		return ctl_usage(me, "list set needs --code, --txt or --no-txt");
	if (ctl_open_list(c, argv[optind], true, &t, &l) != CTL_OK)
		return CTL_ERR;
	apply_opts(&l, &o);
	rc = rbl_list_update(t, &l);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "list %s", l.name);
	if (ctl_commit(t, "list set") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "list %s updated\n", l.name);
	return CTL_OK;
}

static int list_delete(ctl *c, const char *name)
{
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (ctl_open_list(c, name, true, &t, &l) != CTL_OK)
		return CTL_ERR;
	rc = rbl_list_delete(t, l.id);
	if (rc == RBL_EBUSY)
		return ctl_fail(t, rc, "list %s: a zone answers from it (zone "
				"set ZONE lists=... or zone delete first)",
				name);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "list %s", name);
	if (ctl_commit(t, "list delete") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "list %s deleted with its %llu entries\n", name,
		(unsigned long long)l.n_entries);
	return CTL_OK;
}

int cmd_list(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "create") == 0)
		return list_create(c, me, argc - 1, argv + 1);
	if (strcmp(sub, "set") == 0)
		return list_set(c, me, argc - 1, argv + 1);
	if (strcmp(sub, "show") == 0)
		return argc == 3 ? list_show(c, argv[2]) :
		       ctl_usage(me, "list show needs one NAME");
	if (strcmp(sub, "delete") == 0)
		return argc == 3 ? list_delete(c, argv[2]) :
		       ctl_usage(me, "list delete needs one NAME");
	return ctl_usage(me, "list needs create, show, set or delete");
}

static int print_list_line(void *arg, const rbl_list *l)
{
	char code[16];
	unsigned *n = arg;

	printf("%s\t%s\t%llu entries\tcode %s\ttxt %s%s%s\n", l->name,
	       ctl_kind_name(l->kind), (unsigned long long)l->n_entries,
	       rbl_code_format(l->default_code, code),
	       l->has_default_txt ? "\"" : "",
	       l->has_default_txt ? l->default_txt : "none",
	       l->has_default_txt ? "\"" : "");
	(*n)++;
	return 0;
}

int cmd_lists(ctl *c, int argc, char **argv)
{
	unsigned n = 0;
	rbl_txn *t = NULL;
	int rc;

	if (argc != 1)
		return ctl_usage(c->cmd, "lists takes no "
				 "arguments");
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_list_foreach(t, print_list_line, &n);
	rbl_txn_abort(t);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "lists");
	if (!n)
		ctl_say(c, "no lists\n");
	return CTL_OK;
}
