/*
 * cmd_backup.c -- rblctl backup DIR, and rblctl zone bump-serial: the two
 * halves of backup and restore (doc/operations.md).
 *
 * A restored store has the serials of the day of the backup.  Secondaries
 * hold newer ones, and RFC 1982 says they must not refetch an older
 * serial, so they keep serving what they have (possibly listings the
 * restore took away) until the restored serial passes theirs.  Worse, a
 * plain count upwards would one day reach their serial and IXFR would
 * then send them differences computed from a history they never had.
 * bump-serial moves every serial past all a secondary can hold and resets
 * the journal, so each secondary fetches the whole zone.
 *
 * Past what?  The serial is at least the current time in unix seconds
 * (the floor): a zone whose serial had not run ahead of the clock (fewer
 * commits than seconds since the last floor, which holds unless a zone
 * changes more than once a second on average) can never have published a
 * later one.  --above SERIAL covers the rest: pass the highest serial a
 * secondary shows (dig @secondary ZONE SOA).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ctl.h"
#include "zone/error.h"

/* ---- backup ---- */

int cmd_backup(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	uint64_t size = 0;
	int rc;

	if (argc != 2)
		return ctl_usage(me, "backup needs one DIR");
	if (ctl_open_store(c, false) != CTL_OK)
		return CTL_ERR;
	rc = rbl_store_backup(c->store, argv[1], &size);
	if (rc == RBL_EIO)
		return ctl_err("backup to %s/data.mdb: %s (nothing written "
			       "there; an older copy is kept)", argv[1],
			       strerror(errno));
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "backup to %s", argv[1]);
	ctl_say(c, "%s/data.mdb: %llu bytes, a consistent copy of %s (after "
		"restoring it: rblctl zone bump-serial --all)\n", argv[1],
		(unsigned long long)size, rbl_store_path(c->store));
	return CTL_OK;
}

/* ---- compact ---- */

/* The blocks data.mdb has on disk (what du shows), 0 if unknown. */
static uint64_t allocated(const char *dir)
{
	char path[4096];
	struct stat st = { 0 };

	if ((size_t)snprintf(path, sizeof path, "%s/data.mdb", dir) >=
	    sizeof path || stat(path, &st) != 0)
		return 0;
	return (uint64_t)st.st_blocks * 512u;
}

int cmd_compact(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	uint64_t freed = 0, before = 0;
	int rc;

	(void)argv;
	if (argc != 1)
		return ctl_usage(me, "compact takes no arguments");
	if (ctl_open_store(c, false) != CTL_OK)
		return CTL_ERR;
	before = allocated(rbl_store_path(c->store));
	rc = rbl_store_compact(c->store, &freed);
	if (rc == RBL_EIO)
		return ctl_err("compact %s: %s", rbl_store_path(c->store),
			       strerror(errno));
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "compact %s",
				rbl_store_path(c->store));
	ctl_say(c, "%s/data.mdb: %llu bytes on disk, was %llu (%llu bytes of "
		"free pages are holes)\n", rbl_store_path(c->store),
		(unsigned long long)allocated(rbl_store_path(c->store)),
		(unsigned long long)before, (unsigned long long)freed);
	return CTL_OK;
}

/* ---- zone bump-serial ---- */

typedef struct bump_opts {
	bool all;
	bool has_above;
	uint32_t above;
	uint32_t now;		/* the floor: unix seconds, mod 2^32 */
} bump_opts;

/* Of CUR+1 and the candidates, the one furthest after CUR (RFC 1982). */
static uint32_t next_serial(uint32_t cur, const uint32_t *cand, size_t n)
{
	uint32_t best = cur + 1 ? cur + 1 : 1;

	for (size_t i = 0; i < n; i++)
		if (cand[i] && rbl_serial_after(cand[i], cur) &&
		    cand[i] - cur > best - cur)
			best = cand[i];
	return best;
}

static int bump_one(ctl *c, rbl_txn *t, const rbl_zone *z,
		    const bump_opts *o)
{
	uint32_t cand[2] = { o->now, o->has_above ? o->above + 1 : 0 };
	uint32_t to = next_serial(z->serial, cand, 2);
	int rc;

	if (o->has_above && !rbl_serial_after(to, o->above))
		return ctl_err("zone %s: serial %u cannot pass %u in one step "
			       "(RFC 1982 allows less than 2^31 forward): "
			       "bump with --above %u first (the furthest "
			       "one step reaches), let every secondary fetch "
			       "it, then again", z->name, z->serial, o->above,
			       z->serial + 0x7ffffffeu);
	if (rbl_serial_after(z->serial, o->now))
		fprintf(stderr, "rblctl: zone %s: serial %u is ahead of the "
			"clock (%u): it may have been higher before the "
			"restore; give a secondary's serial with --above\n",
			z->name, z->serial, o->now);
	rc = rbl_zone_set_serial(t, z->id, to);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "zone %s", z->name);
	ctl_say(c, "zone %s: serial %u -> %u (secondaries fetch the whole "
		"zone)\n", z->name, z->serial, to);
	return CTL_OK;
}

typedef struct bump_walk {
	ctl *c;
	const bump_opts *o;
	uint32_t ids[1024];
	size_t n;
} bump_walk;

/* Collect first, write after: no writes under the zone cursor. */
static int collect_zone(void *arg, const rbl_zone *z)
{
	bump_walk *w = arg;

	if (w->n == sizeof w->ids / sizeof w->ids[0])
		return RBL_ELIMIT;
	w->ids[w->n++] = z->id;
	return 0;
}

static int bump_ids(bump_walk *w, rbl_txn *t)
{
	rbl_zone *z = calloc(1, sizeof *z);
	int rc = z ? CTL_OK : ctl_err("out of memory");

	for (size_t i = 0; rc == CTL_OK && i < w->n; i++) {
		int grc = rbl_zone_get_id(t, w->ids[i], z);

		rc = grc != RBL_OK ? ctl_fail(NULL, grc, "zone #%u", w->ids[i])
				   : bump_one(w->c, t, z, w->o);
	}
	free(z);
	return rc;
}

/* The zones named in ARGV[0..ARGC-1], or every zone. */
static int collect(bump_walk *w, rbl_txn *t, int argc, char **argv)
{
	rbl_zone *z;
	int rc;

	if (w->o->all) {
		rc = rbl_zone_foreach(t, collect_zone, w);
		return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "zones");
	}
	if (!(z = calloc(1, sizeof *z)))
		return ctl_err("out of memory");
	for (int i = 0; i < argc; i++) {
		rc = rbl_zone_get(t, argv[i], z);
		if (rc == RBL_OK)
			rc = collect_zone(w, z);
		if (rc != RBL_OK) {
			free(z);
			return ctl_fail(NULL, rc, "zone %s", argv[i]);
		}
	}
	free(z);
	return CTL_OK;
}

static int parse_bump(const ctl_cmd *me, int argc, char **argv, bump_opts *o)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "above", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	char *end = NULL;
	unsigned long v;
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "aA:", opts, NULL)) != -1) {
		if (opt == 'a') {
			o->all = true;
		} else if (opt == 'A') {
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end ||
			    v > 0xffffffffUL)
				return ctl_usage(me, "--above: \"%s\" is not a "
						 "serial (0..4294967295)",
						 optarg);
			o->has_above = true;
			o->above = (uint32_t)v;
		} else {
			return ctl_usage(me, "bad option for zone bump-serial");
		}
	}
	if (o->all == (optind < argc))
		return ctl_usage(me, "zone bump-serial needs NAME... or --all");
	return CTL_OK;
}

int ctl_zone_bump_serial(ctl *c, const ctl_cmd *me, int argc, char **argv)
{
	bump_opts o = { .now = (uint32_t)time(NULL) };
	bump_walk *w;
	rbl_txn *t = NULL;
	int rc = parse_bump(me, argc, argv, &o);

	if (rc != CTL_OK)
		return rc;
	if (!(w = calloc(1, sizeof *w)))
		return ctl_err("out of memory");
	w->c = c;
	w->o = &o;
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, true, &t) != CTL_OK) {
		free(w);
		return CTL_ERR;
	}
	rc = collect(w, t, argc - optind, argv + optind);
	if (rc == CTL_OK)
		rc = bump_ids(w, t);
	if (rc == CTL_OK && w->n == 0)
		ctl_say(c, "no zones\n");
	free(w);
	if (rc != CTL_OK) {
		rbl_txn_abort(t);
		return rc;
	}
	return ctl_commit(t, "zone bump-serial");
}
