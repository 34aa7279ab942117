/*
 * cmd_zone.c -- rblctl zone create|list|show|set|delete (bump-serial is
 * in cmd_backup.c, beside backup).
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"
#include "zone/store/zrec.h"

/* ---- create ---- */

/* The list a new zone answers from: list NAME, created when missing. */
static int zone_list(ctl *c, rbl_txn *t, const char *name, int kind,
		     rbl_list *l)
{
	int rc = rbl_list_get(t, name, l);

	if (rc == RBL_OK) {
		if (l->kind != kind)
			return ctl_err("list %s exists with kind %s; use --kind"
				       " %s", name, ctl_kind_name(l->kind),
				       ctl_kind_name(l->kind));
		return CTL_OK;
	}
	if (rc != RBL_ENOTFOUND)
		return ctl_fail(NULL, rc, "list %s", name);
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%.*s", RBL_LIST_NAME_MAX, name);
	l->kind = (uint8_t)kind;
	rc = rbl_list_create(t, l);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "list %s", name);
}

static int create_in(ctl *c, rbl_txn *t, const char *name, int kind,
		     bool tests)
{
	rbl_zone *z = calloc(1, sizeof(*z));
	rbl_list l = { 0 };
	int rc = z ? rbl_zone_get(t, name, z) : RBL_ENOMEM;

	if (rc == RBL_OK)
		rc = RBL_EEXIST;
	if (rc != RBL_ENOTFOUND) {
		free(z);
		return ctl_fail(NULL, rc, "zone %s", name);
	}
	if (zone_list(c, t, name, kind, &l) != CTL_OK) {
		free(z);
		return CTL_ERR;
	}
	rbl_zone_defaults(z, name);
	z->n_lists = 1;
	z->lists[0].list_id = l.id;
	rc = rbl_zone_create(t, z);
	free(z);
	if (rc == RBL_OK && tests)
		rc = rbl_list_add_test_entries(t, l.id);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "zone %s", name);
}

static int zone_create(ctl *c, const ctl_cmd *me, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "no-test-entries", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	char name[RBL_NAME_MAX + 1];
	int kind = RBL_LIST_IP, opt;
	bool tests = true;
	rbl_txn *t = NULL;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "k:n", opts, NULL)) != -1) {
		if (opt == 'k' && !(kind = ctl_parse_kind(optarg)))
			return ctl_usage(me, "--kind: \"%s\" is not ip or name",
					 optarg);
		else if (opt == 'n')
			tests = false;
		else if (opt == '?')
			return ctl_usage(me, "bad option");
	}
	if (optind + 1 != argc)
		return ctl_usage(me, "zone create needs one NAME");
	if (rbl_conf_zone_name(argv[optind], name) != RBL_OK)
		return ctl_err("\"%s\" is not a zone name", argv[optind]);
	if (strlen(name) > RBL_LIST_NAME_MAX)
		return ctl_err("zone name longer than %d: create its list with"
			       " list create and attach it with zone set "
			       "lists=", RBL_LIST_NAME_MAX);
	if (ctl_open_store(c, true) != CTL_OK || ctl_begin(c, true, &t))
		return CTL_ERR;
	if (create_in(c, t, name, kind, tests) != CTL_OK) {
		rbl_txn_abort(t);
		return CTL_ERR;
	}
	if (ctl_commit(t, "zone create") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "zone %s created, answering from list %s (%s)%s\n", name,
		name, ctl_kind_name(kind),
		tests ? " with the RFC 5782 test entries" : "");
	return CTL_OK;
}

/* ---- list / show ---- */

static void lists_text(rbl_txn *t, const rbl_zone *z, char *buf,
		       size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < z->n_lists && used < len; i++) {
		char n[RBL_LIST_NAME_MAX + 1];

		used += (size_t)snprintf(buf + used, len - used, "%s%s%s%s",
			i ? "," : "", ctl_list_name(t, z->lists[i].list_id, n),
			z->lists[i].sub[0] ? "@" : "", z->lists[i].sub);
	}
}

typedef struct zone_walk {
	rbl_txn *t;
	unsigned n;
} zone_walk;

static int print_zone_line(void *arg, const rbl_zone *z)
{
	zone_walk *w = arg;
	char lists[1400];

	lists_text(w->t, z, lists, sizeof(lists));
	printf("%s\tserial %u\tlists %s\n", z->name, z->serial,
	       lists[0] ? lists : "-");
	w->n++;
	return 0;
}

static int zone_list_cmd(ctl *c)
{
	zone_walk w = { NULL, 0 };
	int rc;

	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, false, &w.t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_zone_foreach(w.t, print_zone_line, &w);
	rbl_txn_abort(w.t);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "zone list");
	if (!w.n)
		ctl_say(c, "no zones (rblctl zone create NAME makes one)\n");
	return CTL_OK;
}

/* The zone's fixed records (generic data), as zone-file lines. */
static void show_records(rbl_txn *t, const rbl_zone *z)
{
	char value[2 * RBL_ZREC_RDATA_MAX];
	rbl_zrec *v = NULL;
	size_t n = 0;
	int rc = rbl_zrec_get(t, z->id, &v, &n);

	if (rc != RBL_OK) {
		printf("record    (unreadable: %s)\n", rbl_strerror(rc));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		rbl_zrec_format_value(&v[i], value, sizeof value);
		printf("record    %s%s%s %u %s %s\n", v[i].owner,
		       v[i].owner[0] ? "." : "", z->name,
		       v[i].ttl ? v[i].ttl : z->ttl,
		       rbl_zrec_type_name(v[i].type), value);
	}
	free(v);
}

static void show_zone(rbl_txn *t, const rbl_zone *z)
{
	char addr[RBL_ADDR_STRLEN];

	printf("zone      %s\nserial    %u\n", z->name, z->serial);
	printf("soa       %s %s refresh %u retry %u expire %u minimum %u\n",
	       z->mname, z->rname, z->refresh, z->retry, z->expire,
	       z->minimum);
	printf("ttl       %u\nneg-ttl   %u\nns-ttl    %u\n", z->ttl,
	       z->neg_ttl, z->ns_ttl);
	for (unsigned i = 0; i < z->n_ns; i++)
		printf("ns        %s\n", z->ns[i]);
	for (unsigned i = 0; i < z->n_glue; i++)
		printf("glue      %s %s\n", z->glue[i].name,
		       rbl_addr_format(&z->glue[i].addr, addr));
	for (unsigned i = 0; i < z->n_lists; i++) {
		rbl_list l = { 0 };
		int rc = rbl_list_get_id(t, z->lists[i].list_id, &l);

		if (rc != RBL_OK) {
			printf("list      #%u (missing)\n", z->lists[i].list_id);
			continue;
		}
		printf("list      %s%s%s (%s, %llu entries) answers at %s%s%s\n",
		       l.name, z->lists[i].sub[0] ? "@" : "", z->lists[i].sub,
		       ctl_kind_name(l.kind), (unsigned long long)l.n_entries,
		       z->lists[i].sub, z->lists[i].sub[0] ? "." : "", z->name);
	}
	show_records(t, z);
}

static int get_zone(ctl *c, const char *arg, bool write, rbl_txn **t,
		    rbl_zone *z)
{
	char name[RBL_NAME_MAX + 1];
	int rc;

	if (rbl_conf_zone_name(arg, name) != RBL_OK)
		return ctl_err("\"%s\" is not a zone name", arg);
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, write, t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_zone_get(*t, name, z);
	if (rc == RBL_ENOTFOUND) {
		rbl_txn_abort(*t);
		return ctl_err("no zone %s (rblctl zone list shows them)",
			       name);
	}
	return rc == RBL_OK ? CTL_OK : ctl_fail(*t, rc, "zone %s", name);
}

static int zone_show(ctl *c, const char *arg)
{
	rbl_zone z = { 0 };
	rbl_txn *t = NULL;

	if (get_zone(c, arg, false, &t, &z) != CTL_OK)
		return CTL_ERR;
	show_zone(t, &z);
	rbl_txn_abort(t);
	return CTL_OK;
}

/* ---- set ---- */

static int set_duration(rbl_zone *z, const char *key, const char *v)
{
	uint32_t *f = rbl_zone_time_field(z, key);

	if (!f)
		return CTL_USAGE;
	if (rbl_parse_duration(v, f) != RBL_OK)
		return ctl_err("%s=%s: not a duration (300, 5m, 1h, 1d)", key, v);
	if (f == &z->neg_ttl)
		z->minimum = z->neg_ttl;
	return CTL_OK;
}

/* Split comma list V into at most MAX items of SIZE bytes at OUT. */
static int split_commas(const char *key, const char *v, char *out,
			size_t size, unsigned max, unsigned *n)
{
	const char *p = v;

	*n = 0;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (*n == max)
			return ctl_err("%s: at most %u items", key, max);
		if (len == 0 || len >= size)
			return ctl_err("%s=%s: empty or too long item", key, v);
		memcpy(out + *n * size, p, len);
		out[*n * size + len] = '\0';
		(*n)++;
		p = e ? e + 1 : p + len;
	}
	return CTL_OK;
}

static int set_ns(rbl_zone *z, const char *v)
{
	char items[RBL_ZONE_MAX_NS][RBL_NAME_MAX + 2];
	unsigned n = 0;

	if (split_commas("ns", v, items[0], sizeof(items[0]),
			 RBL_ZONE_MAX_NS, &n) != CTL_OK)
		return CTL_ERR;
	if (n == 0)
		return ctl_err("ns: at least one name server");
	for (unsigned i = 0; i < n; i++)
		if (rbl_conf_zone_name(items[i], z->ns[i]) != RBL_OK)
			return ctl_err("ns: \"%s\" is not a domain name",
				       items[i]);
	z->n_ns = (uint8_t)n;
	return CTL_OK;
}

static int set_glue(rbl_zone *z, const char *v)
{
	char items[RBL_ZONE_MAX_GLUE][RBL_NAME_MAX + RBL_ADDR_STRLEN + 2];
	unsigned n = 0;

	if (split_commas("glue", v, items[0], sizeof(items[0]),
			 RBL_ZONE_MAX_GLUE, &n) != CTL_OK)
		return CTL_ERR;
	for (unsigned i = 0; i < n; i++) {
		char *slash = strchr(items[i], '/');

		if (!slash)
			return ctl_err("glue: \"%s\" is not name/address",
				       items[i]);
		*slash = '\0';
		if (rbl_conf_zone_name(items[i], z->glue[i].name) != RBL_OK ||
		    rbl_addr_parse(slash + 1, &z->glue[i].addr) != RBL_OK)
			return ctl_err("glue: \"%s/%s\" is not name/address",
				       items[i], slash + 1);
	}
	z->n_glue = (uint8_t)n;
	return CTL_OK;
}

static int set_lists(rbl_txn *t, rbl_zone *z, const char *v)
{
	char items[RBL_ZONE_MAX_LISTS][RBL_LIST_NAME_MAX + RBL_LABEL_MAX + 3];
	char name[RBL_LIST_NAME_MAX + 1], sub[RBL_LABEL_MAX + 1];
	unsigned n = 0;
	rbl_list l = { 0 };

	if (split_commas("lists", v, items[0], sizeof(items[0]),
			 RBL_ZONE_MAX_LISTS, &n) != CTL_OK)
		return CTL_ERR;
	for (unsigned i = 0; i < n; i++) {
		int rc;

		if (rbl_conf_parse_list_ref(items[i], name, sub) != RBL_OK)
			return ctl_err("lists: \"%s\" is not list or "
				       "list@sublabel", items[i]);
		rc = rbl_list_get(t, name, &l);
		if (rc == RBL_ENOTFOUND)
			return ctl_err("lists: no list %s", name);
		if (rc != RBL_OK)
			return ctl_fail(NULL, rc, "list %s", name);
		z->lists[i].list_id = l.id;
		snprintf(z->lists[i].sub, sizeof(z->lists[i].sub), "%s", sub);
	}
	z->n_lists = (uint8_t)n;
	return CTL_OK;
}

static int set_one(rbl_txn *t, rbl_zone *z, char *kv, const ctl_cmd *me)
{
	char *eq = strchr(kv, '='), *v;
	int rc;

	if (!eq)
		return ctl_usage(me, "\"%s\" is not KEY=VALUE", kv);
	*eq = '\0';
	v = eq + 1;
	rc = set_duration(z, kv, v);
	if (rc != CTL_USAGE)
		return rc;
	if (strcmp(kv, "mname") == 0 || strcmp(kv, "rname") == 0) {
		if (rbl_conf_zone_name(v, kv[0] == 'm' ? z->mname : z->rname))
			return ctl_err("%s: \"%s\" is not a domain name", kv,
				       v);
		return CTL_OK;
	}
	if (strcmp(kv, "ns") == 0)
		return set_ns(z, v);
	if (strcmp(kv, "glue") == 0)
		return set_glue(z, v);
	if (strcmp(kv, "lists") == 0)
		return set_lists(t, z, v);
	return ctl_usage(me, "unknown zone setting \"%s\" (ttl, neg-ttl, "
			 "ns-ttl, refresh, retry, expire, minimum, mname, "
			 "rname, ns, glue, lists)", kv);
}

static int zone_set(ctl *c, const ctl_cmd *me, int argc, char **argv)
{
	rbl_zone z = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (argc < 2)
		return ctl_usage(me, "zone set needs NAME and KEY=VALUE");
	for (int i = 1; i < argc; i++)
		if (!strchr(argv[i], '='))
			return ctl_usage(me, "\"%s\" is not KEY=VALUE", argv[i]);
	if (get_zone(c, argv[0], true, &t, &z) != CTL_OK)
		return CTL_ERR;
	for (int i = 1; i < argc; i++) {
		rc = set_one(t, &z, argv[i], me);
		if (rc != CTL_OK) {
			rbl_txn_abort(t);
			return rc;
		}
	}
	rc = rbl_zone_update(t, &z);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "zone %s", z.name);
	if (ctl_commit(t, "zone set") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "zone %s updated\n", z.name);
	return CTL_OK;
}

static int zone_delete(ctl *c, const char *arg)
{
	char lists[1400];
	rbl_zone z = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (get_zone(c, arg, true, &t, &z) != CTL_OK)
		return CTL_ERR;
	lists_text(t, &z, lists, sizeof(lists));
	rc = rbl_zone_delete(t, z.id);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "zone %s", z.name);
	if (ctl_commit(t, "zone delete") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "zone %s deleted; its lists (%s) and their entries are "
		"kept (rblctl list delete removes one)\n", z.name,
		lists[0] ? lists : "none");
	return CTL_OK;
}

int cmd_zone(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "create") == 0)
		return zone_create(c, me, argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0)
		return argc == 2 ? zone_list_cmd(c) :
		       ctl_usage(me, "zone list takes no arguments");
	if (strcmp(sub, "show") == 0)
		return argc == 3 ? zone_show(c, argv[2]) :
		       ctl_usage(me, "zone show needs one NAME");
	if (strcmp(sub, "set") == 0)
		return zone_set(c, me, argc - 2, argv + 2);
	if (strcmp(sub, "delete") == 0)
		return argc == 3 ? zone_delete(c, argv[2]) :
		       ctl_usage(me, "zone delete needs one NAME");
	if (strcmp(sub, "bump-serial") == 0)
		return ctl_zone_bump_serial(c, me, argc - 1, argv + 1);
	return ctl_usage(me, "zone needs create, list, show, set, delete or "
			 "bump-serial");
}
