/*
 * cmd_key.c -- `rblctl key add|list|show|disable|enable|rotate|del|set`:
 * access keys for zones that take them (zone/people/qkey.h, rbld.conf
 * zone option "keys").
 *
 * Every change is one write transaction with its audit record; rbld
 * answers by it at its next batch.  Secrets are printed by `add`,
 * `rotate` and `show` only (the operator hands them out); `list` shows
 * their first characters.  Usage figures come from rbld's per-key
 * counters (zone/kstats.h); `key sync` (also run by `rblctl purge`)
 * carries the last-used times into the store.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/error.h"
#include "zone/kstats.h"
#include "zone/people/audit.h"
#include "zone/people/qkey.h"
#include "zone/qstats.h"
#include "ctl.h"

#define DEFAULT_DB_STATS	"/var/lib/rbld/" RBL_QSTATS_FILE

static const ctl_cmd *key_cmd;	/* for usage messages: set by cmd_key */

static const ctl_cmd *me(void)
{
	return key_cmd;
}

/* rbld's key counters file, as rbld derives it from server.stats-file. */
static void kstats_file(const ctl *c, char *out, size_t size)
{
	const rbl_conf_section *s = c->conf ? rbl_conf_next(c->conf, "server",
							    NULL) : NULL;
	const char *stats = s ? rbl_conf_get(s, "stats-file") : NULL;
	char path[PATH_MAX];

	if (stats)
		snprintf(path, sizeof path, "%s", stats);
	else
		snprintf(path, sizeof path, "%s/%s", c->store ?
			 rbl_store_path(c->store) : "/var/lib/rbld",
			 RBL_QSTATS_FILE);
	rbl_kstats_path(path, out, size);
}

/* The summed counters, or NULL when rbld has not written any. */
static rbl_kstats_area *read_counters(const ctl *c)
{
	char path[PATH_MAX + 16];
	rbl_kstats_header h = { 0 };
	rbl_kstats_area *sum = calloc(1, sizeof *sum);

	kstats_file(c, path, sizeof path);
	if (sum && rbl_kstats_read(path, &h, sum) != RBL_OK) {
		free(sum);
		sum = NULL;
	}
	return sum;
}

static const rbl_kstats_ent *key_counters(const rbl_kstats_area *a,
					  const rbl_qkey *k)
{
	const rbl_kstats_ent *e;

	if (!a)
		return NULL;
	e = &a->keys[k->number % RBL_KSTATS_KEYS];
	return e->id == k->number ? e : NULL;
}

static int audit(ctl *c, rbl_txn *t, const char *action, const char *name,
		 const char *after)
{
	rbl_audit_rec r = { .user = c->source, .client = "local",
		.action = action, .target = name, .before = "",
		.after = after, .reason = "" };

	return rbl_audit_append(t, &r);
}

/* Options after the key name: --zones Z,Z --quota N --contact TEXT. */
static int parse_opts(int argc, char **argv, int from, rbl_qkey *k,
		      bool *set_zones, bool *set_quota, bool *set_contact)
{
	for (int i = from; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (!v)
			return ctl_usage(me(), "%s needs a value", argv[i]);
		if (strcmp(argv[i], "--zones") == 0) {
			if (rbl_qkey_set_zones(k, v) != RBL_OK)
				return ctl_usage(me(), "--zones: up to %d zone "
						 "names, comma-separated",
						 RBL_QKEY_ZONES_MAX);
			*set_zones = true;
		} else if (strcmp(argv[i], "--quota") == 0) {
			unsigned long q = strtoul(v, &end, 10);

			if (!*v || *end || q > UINT32_MAX)
				return ctl_usage(me(), "--quota: queries per "
						 "day, 0 = none");
			k->quota = (uint32_t)q;
			*set_quota = true;
		} else if (strcmp(argv[i], "--contact") == 0) {
			if (strlen(v) > RBL_QKEY_CONTACT_MAX)
				return ctl_usage(me(), "--contact: at most %d "
						 "bytes", RBL_QKEY_CONTACT_MAX);
			snprintf(k->contact, sizeof k->contact, "%s", v);
			*set_contact = true;
		} else {
			return ctl_usage(me(), "unknown option %s", argv[i]);
		}
		i++;
	}
	return CTL_OK;
}

static int report(rbl_txn *t, int rc, const char *verb, const char *name)
{
	if (rc == RBL_ENOTFOUND)
		return ctl_fail(t, rc, "key %s %s: no such key", verb, name);
	if (rc == RBL_EEXIST)
		return ctl_fail(t, rc, "key %s %s: the key exists", verb, name);
	if (rc == RBL_EINVAL)
		return ctl_fail(t, rc, "key %s %s: bad key name (1-32 of A-Z "
				"a-z 0-9 . _ -, starting with a letter or "
				"digit)", verb, name);
	return ctl_fail(t, rc, "key %s %s", verb, name);
}

static void print_key(const rbl_qkey *k, const rbl_kstats_ent *e, bool full)
{
	char zones[RBL_QKEY_ZONES_MAX * (RBL_NAME_MAX + 1) + 2];
	char made[32], rot[32], used[32], sec[16];
	int64_t last = k->last_used;

	if (e && e->last_used > last)
		last = e->last_used;
	rbl_qkey_zones_text(k, zones, sizeof zones);
	if (!full) {
		printf("%-20s %-8s %s  zones %s  quota %" PRIu32 "/day  "
		       "last used %s\n", k->name, rbl_qkey_state_name(k->state),
		       rbl_qkey_secret_short(k->secret, sec), zones, k->quota,
		       ctl_time(last, used));
		return;
	}
	printf("name       %s\nsecret     %s\nnumber     %" PRIu32 "\n"
	       "state      %s\nzones      %s\nquota      %" PRIu32 " queries "
	       "per UTC day%s\ncontact    %s\ncreated    %s\nrotated    %s\n"
	       "last used  %s\n", k->name, k->secret, k->number,
	       rbl_qkey_state_name(k->state), zones, k->quota,
	       k->quota ? "" : " (none)", k->contact, ctl_time(k->created, made),
	       ctl_time(k->rotated, rot), ctl_time(last, used));
	if (e)
		printf("queries    %" PRIu64 " since rbld started, %" PRIu64
		       " today; %" PRIu64 " listed, %" PRIu64 " refused\n",
		       e->queries, e->day == (uint32_t)(time(NULL) / 86400)
		       ? e->day_queries : 0, e->listed, e->refused);
}

static int list_one(void *arg, const rbl_qkey *k)
{
	print_key(k, key_counters(arg, k), false);
	return 0;
}

static int key_list(ctl *c)
{
	rbl_kstats_area *a = read_counters(c);
	rbl_txn *t = NULL;
	int rc;

	if (ctl_begin(c, false, &t) != CTL_OK) {
		free(a);
		return CTL_ERR;
	}
	rc = rbl_qkey_foreach(t, list_one, a);
	rbl_txn_abort(t);
	free(a);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "key list");
}

static int key_show(ctl *c, const char *name)
{
	rbl_kstats_area *a = read_counters(c);
	rbl_qkey k = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (ctl_begin(c, false, &t) != CTL_OK) {
		free(a);
		return CTL_ERR;
	}
	rc = rbl_qkey_get(t, name, &k);
	rbl_txn_abort(t);
	if (rc == RBL_OK)
		print_key(&k, key_counters(a, &k), true);
	free(a);
	return rc == RBL_OK ? CTL_OK : report(NULL, rc, "show", name);
}

static int key_add(ctl *c, int argc, char **argv)
{
	rbl_qkey k = { 0 };
	bool z = false, q = false, ct = false;
	rbl_txn *t = NULL;
	int rc = parse_opts(argc, argv, 3, &k, &z, &q, &ct);

	if (rc != CTL_OK)
		return rc;
	if (!rbl_qkey_name_valid(argv[2]))
		return report(NULL, RBL_EINVAL, "add", argv[2]);
	snprintf(k.name, sizeof k.name, "%s", argv[2]);
	if (ctl_begin(c, true, &t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_qkey_add(t, &k, (int64_t)time(NULL));
	if (rc == RBL_OK)
		rc = audit(c, t, RBL_AUDIT_KEY_ADD, k.name, "key exists");
	if (rc != RBL_OK)
		return report(t, rc, "add", argv[2]);
	if (ctl_commit(t, "key add") != CTL_OK)
		return CTL_ERR;
	printf("%s\n", k.secret);
	return CTL_OK;
}

/* set, enable, disable, rotate, del: one change of an existing key. */
static int key_change(ctl *c, const char *verb, int argc, char **argv)
{
	const char *name = argv[2];
	rbl_qkey k = { 0 };
	bool z = false, q = false, ct = false;
	rbl_txn *t = NULL;
	int rc = RBL_OK;

	if (strcmp(verb, "set") != 0 && argc != 3)
		return ctl_usage(me(), "key %s takes a key name only", verb);
	if (ctl_begin(c, true, &t) != CTL_OK)
		return CTL_ERR;
	if (strcmp(verb, "enable") == 0 || strcmp(verb, "disable") == 0) {
		rc = rbl_qkey_set_state(t, name, verb[0] == 'e'
					? RBL_QKEY_ACTIVE : RBL_QKEY_DISABLED);
	} else if (strcmp(verb, "rotate") == 0) {
		rc = rbl_qkey_rotate(t, name, (int64_t)time(NULL), &k);
	} else if (strcmp(verb, "del") == 0) {
		rc = rbl_qkey_del(t, name);
	} else {
		rbl_qkey cur = { 0 };

		rc = rbl_qkey_get(t, name, &cur);
		k = cur;
		if (rc == RBL_OK &&
		    parse_opts(argc, argv, 3, &k, &z, &q, &ct) != CTL_OK) {
			rbl_txn_abort(t);
			return CTL_USAGE;
		}
		if (rc == RBL_OK)
			rc = rbl_qkey_update(t, &k);
	}
	if (rc == RBL_OK)
		rc = audit(c, t, strcmp(verb, "del") == 0 ? RBL_AUDIT_KEY_DEL
			   : strcmp(verb, "rotate") == 0 ? RBL_AUDIT_KEY_ROTATE
			   : RBL_AUDIT_KEY_CHANGE, name, verb);
	if (rc != RBL_OK)
		return report(t, rc, verb, name);
	if (ctl_commit(t, "key") != CTL_OK)
		return CTL_ERR;
	if (strcmp(verb, "rotate") == 0)
		printf("%s\n", k.secret);
	else
		ctl_say(c, "key %s: %s\n", name, strcmp(verb, "del") == 0
			? "removed" : strcmp(verb, "set") == 0 ? "changed"
			: verb[0] == 'e' ? "enabled" : "disabled");
	return CTL_OK;
}

typedef struct sync_ctx {
	rbl_kstats_area *a;
	char names[RBL_KSTATS_KEYS][RBL_QKEY_NAME_MAX + 1];
	int64_t when[RBL_KSTATS_KEYS];
	unsigned n;
} sync_ctx;

static int sync_one(void *arg, const rbl_qkey *k)
{
	sync_ctx *s = arg;
	const rbl_kstats_ent *e = key_counters(s->a, k);

	if (e && e->last_used > k->last_used && s->n < RBL_KSTATS_KEYS) {
		memcpy(s->names[s->n], k->name, sizeof s->names[0]);
		s->when[s->n++] = e->last_used;
	}
	return 0;
}

/* Today's counts of every key and zone, for the admin site's charts. */
static int note_days(rbl_txn *t, const rbl_kstats_area *a)
{
	int rc = RBL_OK;

	for (unsigned i = 0; rc == RBL_OK && i < RBL_KSTATS_KEYS; i++)
		if (a->keys[i].id && a->keys[i].day)
			rc = rbl_qkey_day_note(t, a->keys[i].day, RBL_QKDAY_KEY,
					       a->keys[i].id,
					       a->keys[i].day_queries);
	for (unsigned i = 0; rc == RBL_OK && i < RBL_KSTATS_ZONES; i++)
		if (a->zones[i].id && a->zones[i].day)
			rc = rbl_qkey_day_note(t, a->zones[i].day,
					       RBL_QKDAY_ZONE, a->zones[i].id,
					       a->zones[i].day_queries);
	return rc;
}

int ctl_key_sync(ctl *c, unsigned *n)
{
	sync_ctx *s = calloc(1, sizeof *s);
	rbl_txn *t = NULL;
	int rc = RBL_OK;

	*n = 0;
	if (!s)
		return RBL_ENOMEM;
	s->a = read_counters(c);
	if (!s->a)
		goto out;	/* rbld has not counted anything */
	rc = rbl_txn_begin(c->store, true, &t);
	if (rc == RBL_OK)
		rc = rbl_qkey_foreach(t, sync_one, s);
	for (unsigned i = 0; rc == RBL_OK && i < s->n; i++)
		rc = rbl_qkey_touch(t, s->names[i], s->when[i]);
	if (rc == RBL_OK)
		rc = note_days(t, s->a);
	if (t && rc == RBL_OK)
		rc = rbl_txn_commit(t);
	else if (t)
		rbl_txn_abort(t);
	*n = s->n;
out:
	free(s->a);
	free(s);
	return rc;
}

int cmd_key(ctl *c, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	unsigned n = 0;
	int rc;

	key_cmd = c->cmd;
	if (ctl_open_store(c, false) != CTL_OK)
		return CTL_ERR;
	if (strcmp(verb, "list") == 0 && argc == 2)
		return key_list(c);
	if (strcmp(verb, "sync") == 0 && argc == 2) {
		rc = ctl_key_sync(c, &n);
		if (rc != RBL_OK)
			return ctl_fail(NULL, rc, "key sync");
		ctl_say(c, "%u key%s last used time brought up to date\n", n,
			n == 1 ? "'s" : "s'");
		return CTL_OK;
	}
	if (argc < 3)
		return ctl_usage(me(), "key %s: which key?", verb);
	if (strcmp(verb, "show") == 0 && argc == 3)
		return key_show(c, argv[2]);
	if (strcmp(verb, "add") == 0)
		return key_add(c, argc, argv);
	if (strcmp(verb, "set") == 0 || strcmp(verb, "enable") == 0 ||
	    strcmp(verb, "disable") == 0 || strcmp(verb, "rotate") == 0 ||
	    strcmp(verb, "del") == 0)
		return key_change(c, verb, argc, argv);
	return ctl_usage(me(), "unknown key command \"%s\"", verb);
}
