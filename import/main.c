/*
 * main.c -- rbl-import: spamtrap mail and abuse reports into evidence and
 * listings (see doc/rbl-import.8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/policy/evidence_dump.h"
#include "zone/policy/namepol.h"
#include "zone/policy/policy.h"
#include "zone/store/store.h"
#include "date.h"
#include "ingest.h"
#include "mailsrc.h"
#include "progress.h"
#include "rdns_cmd.h"

#define EX_USAGE_ 2
#define EX_TEMPFAIL_ 75		/* sysexits: an MTA retries the delivery */
#define SKIP_LOG_MAX 20
#define TEMP_NOTE "; temporary failure, exit 75"

typedef struct opts {
	const char *conf_path, *db_path, *trap, *reporter;
	int format;
	int64_t now;
	uint32_t batch;
	bool dry_run, single, quiet, no_progress;
	int verbose;
} opts;

typedef struct app {
	opts o;
	rbl_conf *conf;
	rbl_store *store;
	rbl_ingest *in;
	rbl_progress prog;
	uint64_t skips_logged;
	const char *current;	/* input being read, for skip messages */
	uint64_t incomplete;	/* messages not imported: input cut short */
} app;

static void usage(FILE *f)
{
	fputs("usage: rbl-import [options] trap [--trap ADDR] [--single] [FILE|DIR|-]...\n"
	      "       rbl-import [options] report --reporter NAME [--format F] [FILE|-]...\n"
	      "       rbl-import [options] explain ADDRESS|DOMAIN|MAIL-ADDRESS\n"
	      "       rbl-import [options] purge | dump\n"
	      "       rbl-import rdns COMMAND [options] [ARGS]...  (reverse DNS ranges:\n"
	      "                            rbl-import rdns --help, doc/rdns.md)\n"
	      "options:\n"
	      "  -c, --config FILE    rbld.conf (default /etc/rbld/rbld.conf)\n"
	      "  -d, --database DIR   store directory (default: server: database)\n"
	      "      --now TIME       the clock: unix seconds or ISO 8601 (env RBL_NOW)\n"
	      "      --batch N        messages per transaction (evidence: batch)\n"
	      "  -n, --dry-run        parse and count, change nothing\n"
	      "      --no-progress    no progress line even on a terminal\n"
	      "  -q, --quiet          no summary, no skip messages\n"
	      "  -v, --verbose        log every skipped message\n"
	      "  -h, --help           this text\n"
	      "  -V, --version        print the version\n"
	      "formats: auto (default), arf, xarf, spamcop, plain, csv\n"
	      "exit: 0 done (skipped items included), 1 permanent (no store,\n"
	      "  newer store, configuration, unknown reporter), 2 usage,\n"
	      "  75 temporary (store permission, lock, I/O, map full; an MTA\n"
	      "  retries): see rbl-import(8)\n", f);
}

static int parse_now(const char *s, int64_t *out)
{
	*out = rbl_date_parse_any(s);
	if (*out == 0) {
		char *end = NULL;
		long long v = strtoll(s, &end, 10);
		if (*s && !*end && v > 0)
			*out = v;
	}
	return *out > 0 ? 0 : -1;
}

/* Parse options; returns the index of the command in ARGV, or -1. */
static int parse_args(int argc, char **argv, opts *o)
{
	static const struct option lo[] = {
		{ "config", 1, NULL, 'c' }, { "database", 1, NULL, 'd' },
		{ "now", 1, NULL, 'N' }, { "batch", 1, NULL, 'b' },
		{ "dry-run", 0, NULL, 'n' }, { "no-progress", 0, NULL, 'P' },
		{ "quiet", 0, NULL, 'q' }, { "verbose", 0, NULL, 'v' },
		{ "help", 0, NULL, 'h' }, { "version", 0, NULL, 'V' },
		{ "trap", 1, NULL, 't' }, { "single", 0, NULL, 's' },
		{ "reporter", 1, NULL, 'r' }, { "format", 1, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const char *env = getenv("RBL_NOW");
	int c;

	o->conf_path = "/etc/rbld/rbld.conf";
	if (env && *env && parse_now(env, &o->now)) {
		fprintf(stderr, "rbl-import: RBL_NOW: not a time: %s\n", env);
		return -1;
	}
	while ((c = getopt_long(argc, argv, "c:d:nqvhV", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->conf_path = optarg; break;
		case 'd': o->db_path = optarg; break;
		case 'N':
			if (parse_now(optarg, &o->now)) {
				fprintf(stderr, "rbl-import: --now: not a time: %s\n",
					optarg);
				return -1;
			}
			break;
		case 'b': o->batch = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'n': o->dry_run = true; break;
		case 'P': o->no_progress = true; break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose++; break;
		case 't': o->trap = optarg; break;
		case 's': o->single = true; break;
		case 'r': o->reporter = optarg; break;
		case 'f':
			if ((o->format = rbl_report_format_parse(optarg)) < 0) {
				fprintf(stderr, "rbl-import: unknown format %s\n", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("rbl-import %s\n", RBL_VERSION); exit(0);
		default: return -1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return -1;
	}
	return optind;
}

/*
 * The exit status for a store that cannot be opened (RC).  An MTA bounces
 * on 1 (backscatter to forged senders) and retries on 75, so 75 is for
 * everything that can heal while the mail waits in the queue: permission
 * (fixed by the operator), lock and reader slots, I/O, a full map, memory.
 * 1 only where the system showed the store is not there, or not usable by
 * this version, and someone must act before any retry can succeed.
 */
static int open_status(int rc)
{
	return rc == RBL_ENOTFOUND || rc == RBL_EINVAL || rc == RBL_EVERSION ?
	       1 : EX_TEMPFAIL_;
}

static const char *open_hint(int rc)
{
	switch (rc) {
	case RBL_ENOTFOUND:
		return " (create it with rblctl init)";
	case RBL_EINVAL:
		return " (not a directory)";
	case RBL_EPERM:
		return " (run rbl-import as the store's owner, e.g. user=rbld "
		       "in a Postfix pipe(8) transport: rbl-import(8))";
	case RBL_EVERSION:
		return " (written by a newer rbld: run that version)";
	}
	return "";
}

/* An unreadable configuration that exists is the store's case again:
 * permission can be fixed while the MTA retries; a missing or wrong one
 * is an error to fix first. */
static int conf_status(const char *path, int rc)
{
	if (rc != RBL_EIO || access(path, R_OK) == 0 || errno == ENOENT)
		return 1;
	return EX_TEMPFAIL_;
}

/* Load the configuration and open the store; returns an exit status. */
static int load_config(app *a)
{
	char err[RBL_CONF_ERRLEN];
	const rbl_conf_section *srv;
	uint64_t map = 0;
	int rc;

	if ((rc = rbl_conf_load(a->o.conf_path, &a->conf, err, sizeof err)) ||
	    (rc = rbl_conf_check(a->conf, err, sizeof err))) {
		rc = conf_status(a->o.conf_path, rc);
		fprintf(stderr, "rbl-import: %s%s\n", err, rc == 1 ? "" :
			TEMP_NOTE);
		return rc;
	}
	srv = rbl_conf_next(a->conf, "server", NULL);
	if (!a->o.db_path)
		a->o.db_path = srv && rbl_conf_get(srv, "database") ?
			       rbl_conf_get(srv, "database") : "/var/lib/rbld";
	if (srv && (rc = rbl_conf_size(a->conf, srv, "map-size", 0, &map, err,
				       sizeof err))) {
		fprintf(stderr, "rbl-import: %s\n", err);
		return 1;
	}
	rc = rbl_store_open(a->o.db_path, 0, (size_t)map, &a->store);
	if (rc == RBL_OK)
		return 0;
	fprintf(stderr, "rbl-import: store %s: %s%s%s\n", a->o.db_path,
		rbl_strerror(rc), open_hint(rc), open_status(rc) == 1 ? "" :
		TEMP_NOTE);
	return open_status(rc);
}

/* --------------------------------------------------------- ingesting */

static void on_skip(void *arg, int reason, const char *detail)
{
	app *a = arg;
	rbl_ingest_stats st = { 0 };

	if (a->o.quiet || (!a->o.verbose && a->skips_logged >= SKIP_LOG_MAX))
		return;
	rbl_ingest_stats_get(a->in, &st);
	rbl_progress_clear(&a->prog);
	fprintf(stderr, "rbl-import: %s: item %llu skipped: %s: %s\n",
		a->current, (unsigned long long)st.items, rbl_skip_name(reason),
		detail);
	if (++a->skips_logged == SKIP_LOG_MAX && !a->o.verbose)
		fprintf(stderr, "rbl-import: further skips are only counted "
			"(-v shows all)\n");
}

static int open_session(app *a)
{
	rbl_ingest_opts io = { 0 };
	char err[RBL_CONF_ERRLEN];
	int rc;

	io.now = a->o.now;
	io.batch = a->o.batch;
	io.dry_run = a->o.dry_run;
	io.on_skip = on_skip;
	io.arg = a;
	rc = rbl_ingest_open(a->store, a->conf, &io, &a->in, err, sizeof err);
	if (rc)
		fprintf(stderr, "rbl-import: %s\n", err);
	return rc;
}

/* A message that could not be read whole is not imported: its evidence
 * would carry the hash of a fragment, and the whole message, imported by
 * the rerun, would count a second time. */
static void not_imported(app *a, const rbl_mail *m)
{
	rbl_progress_clear(&a->prog);
	fprintf(stderr, "rbl-import: %s: byte %llu: %s: the message ",
		*m->name ? m->name : a->current,
		(unsigned long long)m->error_at, m->error);
	if (!*m->name)
		fprintf(stderr, "from byte %llu ",
			(unsigned long long)m->start);
	fprintf(stderr, "was not imported\n");
	a->incomplete++;
}

static int feed_one(app *a, bool trap, const rbl_mail *m)
{
	if (m->error) {
		not_imported(a, m);
		return RBL_OK;
	}
	if (!m->data)
		return rbl_ingest_skip(a->in, m->len ? RBL_SKIP_TOO_BIG :
				       RBL_SKIP_MALFORMED, m->len ?
				       "message over max-message-size" :
				       "file cannot be read", m->len);
	if (trap)
		return rbl_ingest_trap(a->in, a->o.trap, m->data, m->len);
	return rbl_ingest_report_data(a->in, a->o.reporter, a->o.format,
				      m->data, m->len);
}

static int feed_maildir(app *a, bool trap, const char *dir)
{
	rbl_maildir *md = NULL;
	rbl_mail m = { 0 };
	rbl_ingest_stats st = { 0 };
	int rc = rbl_maildir_open(dir, rbl_ingest_max_message(a->in), &md);

	if (rc) {
		fprintf(stderr, "rbl-import: %s: %s\n", dir, strerror(errno));
		return rc;
	}
	rbl_progress_start(&a->prog, a->prog.on, rbl_maildir_bytes(md));
	while (rc == RBL_OK && rbl_maildir_next(md, &m) == 1) {
		rc = feed_one(a, trap, &m);
		rbl_ingest_stats_get(a->in, &st);
		rbl_progress_update(&a->prog, rbl_maildir_pos(md), st.items);
	}
	rbl_maildir_close(md);
	return rc;
}

/* An mbox, one message, one report or one list from F. */
static int feed_stream(app *a, bool trap, FILE *f, uint64_t total)
{
	rbl_mbox *mb = NULL;
	rbl_mail m = { 0 };
	rbl_ingest_stats st = { 0 };
	size_t max = rbl_ingest_max_message(a->in);
	int rc, r;

	bool list = !trap && (a->o.format == RBL_REPORT_PLAIN ||
			      a->o.format == RBL_REPORT_CSV);

	/* lists are one item per line, not limited by the message size; an
	 * mbox of reports is read like an mbox of trap messages */
	if (list)
		max = SIZE_MAX / 2;
	if ((rc = rbl_mbox_open(f, max, list || a->o.single, &mb)))
		return rc;
	rbl_progress_start(&a->prog, a->prog.on, total);
	while ((r = rbl_mbox_next(mb, &m)) == 1) {
		if ((rc = feed_one(a, trap, &m)))
			break;
		rbl_ingest_stats_get(a->in, &st);
		rbl_progress_update(&a->prog, rbl_mbox_pos(mb), st.items);
	}
	if (r < 0 && rc == RBL_OK) {
		fprintf(stderr, "rbl-import: %s: %s\n", a->current,
			rbl_strerror(r));
		rc = r;
	}
	rbl_mbox_close(mb);
	return rc;
}

static int feed_path(app *a, bool trap, const char *path)
{
	struct stat st = { 0 };
	FILE *f;
	int rc;

	a->current = path;
	if (strcmp(path, "-") == 0) {
		a->current = "stdin";
		return feed_stream(a, trap, stdin, 0);
	}
	if (stat(path, &st) != 0) {
		fprintf(stderr, "rbl-import: %s: %s\n", path, strerror(errno));
		return RBL_EIO;
	}
	if (S_ISDIR(st.st_mode))
		return feed_maildir(a, trap, path);
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "rbl-import: %s: %s\n", path, strerror(errno));
		return RBL_EIO;
	}
	rc = feed_stream(a, trap, f, (uint64_t)st.st_size);
	fclose(f);
	return rc;
}

static void print_summary(app *a, const rbl_ingest_stats *st, double secs)
{
	if (a->o.quiet)
		return;
	printf("rbl-import: %llu items read (%.1f MB) in %.2f s, %.0f/s%s\n",
	       (unsigned long long)st->items, (double)st->bytes / 1e6, secs,
	       secs > 0 ? (double)st->items / secs : 0.0,
	       a->o.dry_run ? " (dry run: nothing written)" : "");
	printf("  evidence added:  %llu\n  duplicates:      %llu\n"
	       "  newly listed:    %llu\n  skipped:         %llu\n",
	       (unsigned long long)st->added, (unsigned long long)st->duplicates,
	       (unsigned long long)st->newly_listed,
	       (unsigned long long)st->skipped);
	for (int r = 1; r < RBL_SKIP_COUNT; r++)
		if (st->skip[r])
			printf("    %s:%*s%llu\n", rbl_skip_name(r),
			       (int)(16 - strlen(rbl_skip_name(r))), "",
			       (unsigned long long)st->skip[r]);
	if (st->links.links || st->links.added || st->links.duplicates)
		printf("  links found:     %llu (%llu of allowed or own "
		       "domains)\n  name evidence:   %llu (%llu Reply-To "
		       "hashes), %llu messages already stored\n",
		       (unsigned long long)st->links.links,
		       (unsigned long long)st->links.allowed,
		       (unsigned long long)st->links.added,
		       (unsigned long long)st->links.reply_to,
		       (unsigned long long)st->links.duplicates);
}

/* Refuse a reporter the configuration does not take before reading any
 * input: a permanent error (exit 1), not a store failure to retry. */
static int check_reporter(app *a)
{
	char err[RBL_CONF_ERRLEN];
	int rc = rbl_ingest_reporter_check(a->in, a->o.reporter, err,
					   sizeof err);

	if (rc == RBL_OK)
		return 0;
	rbl_ingest_abort(a->in);
	if (rc == RBL_EPERM)
		fprintf(stderr, "rbl-import: %s (rbld.conf has no \"reporter: "
			"%s\" section, and evidence: accept-unknown-reporters "
			"is off); nothing read\n", err, a->o.reporter);
	else
		fprintf(stderr, "rbl-import: %s\n", err);
	return 1;
}

static int cmd_ingest(app *a, bool trap, int argc, char **argv)
{
	rbl_ingest_stats st = { 0 };
	char *stdin_only[] = { "-" };
	int rc;

	if (!trap && !a->o.reporter) {
		fprintf(stderr, "rbl-import: report needs --reporter NAME\n");
		return EX_USAGE_;
	}
	if ((rc = open_session(a)))
		return 1;
	if (!trap && (rc = check_reporter(a)))
		return rc;
	a->prog.on = !a->o.quiet && !a->o.no_progress && isatty(2);
	if (argc == 0) {
		argc = 1;
		argv = stdin_only;
	}
	for (int i = 0; rc == RBL_OK && i < argc; i++)
		rc = feed_path(a, trap, argv[i]);
	rbl_progress_clear(&a->prog);
	if (rc) {
		rbl_ingest_stats_get(a->in, &st);
		rbl_ingest_abort(a->in);
		fprintf(stderr, "rbl-import: stopped: %s (the last batch was "
			"rolled back; rerun to resume)\n", rbl_strerror(rc));
		return rc == RBL_EPERM ? 1 : EX_TEMPFAIL_;
	}
	rc = rbl_ingest_close(a->in, &st);
	if (rc) {
		fprintf(stderr, "rbl-import: commit: %s\n", rbl_strerror(rc));
		return EX_TEMPFAIL_;
	}
	print_summary(a, &st, rbl_progress_elapsed(&a->prog));
	if (a->incomplete) {
		fprintf(stderr, "rbl-import: %llu message%s not imported: the "
			"input was incomplete (see above); rerun when it is "
			"whole (what was imported is recognised, not counted "
			"twice)\n", (unsigned long long)a->incomplete,
			a->incomplete == 1 ? "" : "s");
		return EX_TEMPFAIL_;
	}
	return 0;
}

/* ------------------------------------------------- purge, dump, explain */

static int with_policies(app *a, bool write, rbl_txn **t, rbl_policy_set **set)
{
	char err[RBL_CONF_ERRLEN];
	int rc;

	if ((rc = rbl_policy_load(a->conf, set, err, sizeof err))) {
		fprintf(stderr, "rbl-import: %s\n", err);
		return rc;
	}
	if ((rc = rbl_txn_begin(a->store, write, t))) {
		fprintf(stderr, "rbl-import: store: %s\n", rbl_strerror(rc));
		rbl_policy_free(*set);
		return rc;
	}
	if ((rc = rbl_policy_resolve(*t, *set, err, sizeof err))) {
		fprintf(stderr, "rbl-import: %s\n", err);
		rbl_txn_abort(*t);
		rbl_policy_free(*set);
	}
	return rc;
}

static int64_t now_of(const app *a)
{
	return a->o.now ? a->o.now : (int64_t)time(NULL);
}

/* The domain policies' retention, counted into *PS. */
static int purge_names(app *a, rbl_txn *t, rbl_policy_purge_stats *ps)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_namepol_set *set = NULL;
	uint64_t ev = 0, states = 0;
	int rc = rbl_namepol_load(a->conf, &set, err, sizeof err);

	if (rc == RBL_OK)
		rc = rbl_namepol_purge(t, set, now_of(a), &ev, &states);
	else
		fprintf(stderr, "rbl-import: %s\n", err);
	rbl_namepol_free(set);
	ps->evidence_pruned += ev;
	ps->states_dropped += states;
	return rc;
}

static int cmd_purge(app *a)
{
	rbl_policy_purge_stats ps = { 0 };
	rbl_policy_set *set = NULL;
	rbl_txn *t = NULL;
	int rc;

	if (with_policies(a, true, &t, &set))
		return 1;
	rc = rbl_policy_purge(t, set, now_of(a), &ps);
	if (rc == RBL_OK)
		rc = purge_names(a, t, &ps);
	if (rc == RBL_OK && !a->o.dry_run)
		rc = rbl_txn_commit(t);
	else
		rbl_txn_abort(t);
	rbl_policy_free(set);
	if (rc) {
		fprintf(stderr, "rbl-import: purge: %s\n", rbl_strerror(rc));
		return EX_TEMPFAIL_;
	}
	if (!a->o.quiet)
		printf("purged: %llu evidence, %llu score states, %llu expired "
		       "entries; %llu reputation values updated\n",
		       (unsigned long long)ps.evidence_pruned,
		       (unsigned long long)ps.states_dropped,
		       (unsigned long long)ps.entries_expired,
		       (unsigned long long)ps.reputation_updated);
	return 0;
}

/* Explain domain or address WHAT from the name evidence (namepol.h). */
static int explain_name(app *a, const char *what)
{
	char err[RBL_CONF_ERRLEN] = "", name[RBL_NAME_MAX + 1] = "";
	rbl_namepol_set *set = NULL;
	rbl_txn *t = NULL;
	int rc = 0;

	if (rbl_namepol_subject(what, name) != RBL_OK) {
		fprintf(stderr, "rbl-import: not an address, domain or mail "
			"address: %s\n", what);
		return EX_USAGE_;
	}
	if ((rc = rbl_namepol_load(a->conf, &set, err, sizeof err))) {
		fprintf(stderr, "rbl-import: %s\n", err);
		return 1;
	}
	if ((rc = rbl_txn_begin(a->store, false, &t)) == RBL_OK) {
		if ((rc = rbl_namepol_resolve(t, set, err, sizeof err)))
			fprintf(stderr, "rbl-import: %s\n", err);
		else
			rc = rbl_namepol_explain_text(t, set, name, now_of(a), 0,
						      stdout);
		rbl_txn_abort(t);
	}
	rbl_namepol_free(set);
	if (rc == RBL_ENOTFOUND)
		fprintf(stderr, "rbl-import: no evidence about %s\n", what);
	else if (rc && rc != RBL_EINVAL)
		fprintf(stderr, "rbl-import: %s\n", rbl_strerror(rc));
	return rc ? 1 : 0;
}

static int cmd_dump(app *a, const char *what)
{
	rbl_policy_set *set = NULL;
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (what && rbl_prefix_parse(what, false, &p) != RBL_OK)
		return explain_name(a, what);
	if (with_policies(a, false, &t, &set))
		return 1;
	rc = what ? rbl_evidence_explain(t, set, &p, now_of(a), 0, stdout) :
		    rbl_evidence_dump(t, set, stdout);
	rbl_txn_abort(t);
	rbl_policy_free(set);
	if (rc == RBL_ENOTFOUND) {
		fprintf(stderr, "rbl-import: no evidence about %s\n", what);
		return 1;
	}
	if (rc)
		fprintf(stderr, "rbl-import: %s\n", rbl_strerror(rc));
	return rc ? 1 : 0;
}

static int run(app *a, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "trap") == 0)
		return cmd_ingest(a, true, argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return cmd_ingest(a, false, argc - 1, argv + 1);
	if (strcmp(cmd, "purge") == 0 && argc == 1)
		return cmd_purge(a);
	if (strcmp(cmd, "dump") == 0 && argc == 1)
		return cmd_dump(a, NULL);
	if (strcmp(cmd, "explain") == 0 && argc == 2)
		return cmd_dump(a, argv[1]);
	usage(stderr);
	return EX_USAGE_;
}

int main(int argc, char **argv)
{
	app a = { 0 };
	int first, rc;

	/* rdns has options of its own (doc/rdns.md) */
	if (argc > 1 && strcmp(argv[1], "rdns") == 0)
		return rbl_import_rdns_main(argc - 1, argv + 1);
	memset(&a, 0, sizeof a);
	if ((first = parse_args(argc, argv, &a.o)) < 0)
		return EX_USAGE_;
	if (strcmp(argv[first], "trap") && strcmp(argv[first], "report") &&
	    strcmp(argv[first], "purge") && strcmp(argv[first], "dump") &&
	    strcmp(argv[first], "explain")) {
		usage(stderr);
		return EX_USAGE_;
	}
	if ((rc = load_config(&a)) != 0) {
		rbl_conf_free(a.conf);
		return rc;
	}
	rc = run(&a, argc - first, argv + first);
	rbl_store_close(a.store);
	rbl_conf_free(a.conf);
	return rc;
}
