/*
 * cmd_watch.c -- rblctl watch: keep the lists bound to rbldnsd data files
 * (rbld.conf `data:` lines, zone/formats/mirror.h) equal to those files.
 *
 * Why a separate writer process and not rbld: rbld opens the store
 * read-only and never writes (doc/ARCHITECTURE.md, "Processes and
 * privileges"): its sandbox, its allocation-free hot path and the rule
 * that a DNS server cannot be made to write by the network all stay as
 * they are.  The watcher is an ordinary writer like rbl-import, with its
 * own systemd unit (contrib/rbld-mirror.service) and the file system
 * rights rbld does not need: read access to the rsync target directory.
 *
 * How a change is noticed: inotify on the directories of the files (a
 * rename into place, rsync's default, arrives as IN_MOVED_TO; --inplace
 * as IN_MODIFY and IN_CLOSE_WRITE), and a look at every file each
 * check-interval for what inotify cannot see (NFS, a watch limit).  Both
 * only wake the loop; what decides is each list's signature: device,
 * inode, size, modification and change time of all its files.  A new
 * signature must stay the same for `settle` (default 300 ms) before the
 * files are imported, so a file still being written in place is not
 * taken half-way; what settling cannot prove (a writer pausing longer),
 * the import proves or refuses: a gzip file needs its trailer, a plain
 * one its last newline and no change while it is read (zone/readfile.h).
 *
 * An import is `rblctl import LIST FILE... --replace --journal-changes`
 * run as a child (this program again): all files of a list in one
 * transaction, only the difference written and journalled, so
 * secondaries get IXFR; a crash or a 10M-entry import's memory stays in
 * the child.  Its output is logged.  A refusal changes nothing; the
 * signature is remembered, so the same files are not tried again, and
 * the next change is.  Each outcome is counted in table "mirror" of the
 * store (mirror.h), which rbl-admin's /metrics and `watch --status`
 * show.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "zone/error.h"
#include "zone/formats/mirror.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "zone/log.h"

#define OUTPUT_MAX	4096	/* of a child's output, kept for the log */

typedef struct watch_set {
	const rbl_mirror_set *set;
	uint64_t tried_sig;	/* files as last imported or refused */
	uint64_t pending_sig;	/* a change waiting to settle */
	bool pending;
	int64_t check_at;	/* ms: import when still PENDING_SIG then */
	int64_t seen_at;	/* ms: when the change was first seen */
} watch_set;

typedef struct watch_run {
	ctl *c;
	rbl_mirror_conf *m;
	watch_set *sets;
	int ino;		/* inotify descriptor, -1 without */
	unsigned refused;	/* in this run */
} watch_run;

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- signatures ---- */

static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The signature of SET's files; *MISSING gets the first that is not
 * there (NULL when all are). */
static uint64_t files_sig(const rbl_mirror_set *set, const char **missing)
{
	uint64_t h = 0xcbf29ce484222325ull;

	*missing = NULL;
	for (size_t i = 0; i < set->n_files; i++) {
		struct stat st = { 0 };

		if (stat(set->files[i], &st) != 0) {
			if (!*missing)
				*missing = set->files[i];
			h = fnv(h, (uint64_t)errno);
			continue;
		}
		h = fnv(h, (uint64_t)st.st_dev);
		h = fnv(h, (uint64_t)st.st_ino);
		h = fnv(h, (uint64_t)st.st_size);
		h = fnv(h, (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
			   (uint64_t)st.st_mtim.tv_nsec);
		h = fnv(h, (uint64_t)st.st_ctim.tv_sec * 1000000000ull +
			   (uint64_t)st.st_ctim.tv_nsec);
	}
	return h ? h : 1;	/* 0 means "never tried" */
}

/* ---- the record in the store ---- */

static int record(watch_run *w, const rbl_mirror_set *set, uint64_t sig,
		  bool ok, const char *reason)
{
	rbl_mirror_state s = { 0 };
	rbl_txn *t = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (ctl_begin(w->c, true, &t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_mirror_state_get(t, set->list, &s);
	if (rc == RBL_OK) {
		s.tried_sig = sig;
		s.last_try = now;
		s.failing = !ok;
		if (ok) {
			s.imports++;
			s.last_import = now;
		} else {
			s.refusals++;
			s.last_refusal = now;
			snprintf(s.reason, sizeof s.reason, "%s", reason);
		}
		rc = rbl_mirror_state_put(t, &s);
	}
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "list %s: the watcher's record",
				set->list);
	return ctl_commit(t, "watch record");
}

static uint64_t recorded_sig(watch_run *w, const char *list)
{
	rbl_mirror_state s = { 0 };
	rbl_txn *t = NULL;

	if (ctl_begin(w->c, false, &t) != CTL_OK)
		return 0;
	if (rbl_mirror_state_get(t, list, &s) != RBL_OK)
		s.tried_sig = 0;
	rbl_txn_abort(t);
	return s.tried_sig;
}

/* ---- the import, as a child ---- */

static int import_argv(watch_run *w, const rbl_mirror_set *set,
		       const char **argv, size_t max)
{
	size_t n = 0;

	argv[n++] = "rblctl";
	argv[n++] = "-c";
	argv[n++] = w->c->conf_path;
	if (w->c->db_dir) {
		argv[n++] = "-d";
		argv[n++] = w->c->db_dir;
	}
	argv[n++] = "import";
	argv[n++] = set->list;
	argv[n++] = "--replace";
	argv[n++] = "--journal-changes";
	if (set->type) {
		argv[n++] = "--type";
		argv[n++] = rbl_ds_type_name(set->type);
	}
	if (w->m->lenient)
		argv[n++] = "--lenient";
	for (size_t i = 0; i < set->n_files && n + 1 < max; i++)
		argv[n++] = set->files[i];
	argv[n] = NULL;
	return (int)n;
}

/* Read the child's output on FD to its end into OUT (the first
 * OUTPUT_MAX - 1 bytes kept). */
static void read_output(int fd, char *out)
{
	size_t len = 0;
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < n && len < OUTPUT_MAX - 1; i++)
			out[len++] = buf[i];
	}
	out[len] = '\0';
}

/* Run the import of SET; its output into OUT.  True when it committed. */
static bool run_import(watch_run *w, const rbl_mirror_set *set, char *out)
{
	const char *argv[16 + RBL_MIRROR_MAX_FILES];
	int fds[2] = { -1, -1 }, status = 0;
	pid_t pid;

	import_argv(w, set, argv, sizeof argv / sizeof argv[0]);
	if (pipe(fds) != 0) {
		snprintf(out, OUTPUT_MAX, "rblctl: pipe: %s", strerror(errno));
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv("/proc/self/exe", (char *const *)argv);
		fprintf(stderr, "rblctl: cannot run rblctl import: %s\n",
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		snprintf(out, OUTPUT_MAX, "rblctl: fork: %s", strerror(errno));
		return false;
	}
	read_output(fds[0], out);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Log each line of OUT; the reason of a refusal is its first line that
 * is not a warning. */
static void log_output(const rbl_mirror_set *set, bool ok, const char *out,
		       char *reason, size_t size)
{
	const char *p = out;

	reason[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		const char *text = p;

		if (strncmp(text, "rblctl: ", 8) == 0 && len >= 8) {
			text += 8;
			len -= 8;
		}
		if (len > 0)
			rbl_log(ok ? RBL_LOG_NOTICE : RBL_LOG_WARN, "%s: %.*s",
				set->list, len, text);
		if (!ok && !reason[0] && len > 0 &&
		    strncmp(text, "warning", 7) != 0)
			snprintf(reason, size, "%.*s", len, text);
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (!ok && !reason[0])
		snprintf(reason, size, "rblctl import failed");
}

/* Import SET's files as they are now (signature SIG). */
static void take(watch_run *w, watch_set *ws, uint64_t sig,
		 const char *missing)
{
	char out[OUTPUT_MAX], reason[RBL_MIRROR_REASON_MAX + 1];
	bool ok = false;

	if (missing) {
		snprintf(reason, sizeof reason, "%s: missing; the list keeps "
			 "its entries", missing);
		rbl_log_warn("%s: %s", ws->set->list, reason);
	} else {
		int64_t t0 = now_ms();

		ok = run_import(w, ws->set, out);
		log_output(ws->set, ok, out, reason, sizeof reason);
		rbl_log(ok ? RBL_LOG_NOTICE : RBL_LOG_WARN, "%s: %s in %.2fs, "
			"%.2fs after the change was seen", ws->set->list,
			ok ? "imported" : "refused, nothing changed",
			(double)(now_ms() - t0) / 1000.0,
			(double)(now_ms() - ws->seen_at) / 1000.0);
	}
	if (!ok)
		w->refused++;
	ws->tried_sig = sig;
	ws->pending = false;
	record(w, ws->set, sig, ok, reason);
}

/* Move SET's state on: a new signature waits to settle; a settled one
 * not yet tried is imported.  FORCE: no settling (--once). */
static void step(watch_run *w, watch_set *ws, bool force)
{
	const char *missing = NULL;
	uint64_t sig = files_sig(ws->set, &missing);
	int64_t now = now_ms();

	if (sig == ws->tried_sig) {
		ws->pending = false;
		return;
	}
	if (!ws->pending)
		ws->seen_at = now;
	if (!force && (!ws->pending || sig != ws->pending_sig)) {
		ws->pending = true;
		ws->pending_sig = sig;
		ws->check_at = now + w->m->settle_ms;
		return;
	}
	if (force || now >= ws->check_at)
		take(w, ws, sig, missing);
}

/* ---- inotify ---- */

static void dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* Watch the directories of every file (a rename into place is an event
 * of the directory, not of the file it replaces). */
static void watch_dirs(watch_run *w)
{
	const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY |
			      IN_CREATE | IN_DELETE | IN_MOVED_FROM |
			      IN_ATTRIB;
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino < 0) {
		rbl_log_warn("inotify: %s; looking at the files every "
			     "check-interval only", strerror(errno));
		return;
	}
	for (size_t i = 0; i < w->m->n_sets; i++)
		for (size_t j = 0; j < w->m->sets[i].n_files; j++) {
			char dir[RBL_MIRROR_PATH_MAX];

			/* the same directory twice is the same watch */
			dir_of(w->m->sets[i].files[j], dir, sizeof dir);
			if (inotify_add_watch(w->ino, dir, mask) < 0)
				rbl_log_warn("inotify: %s: %s; looked at every "
					     "check-interval only", dir,
					     strerror(errno));
		}
}

/* Drain the events; any one wakes the loop, which looks at every list
 * (a stat per file: cheaper than telling the events apart). */
static void drain(watch_run *w)
{
	char buf[8192] __attribute__((aligned(8)));

	while (read(w->ino, buf, sizeof buf) > 0)
		;
}

/* ---- the loop ---- */

static int wait_ms(const watch_run *w, int64_t last_poll)
{
	int64_t now = now_ms(), next = -1;

	if (w->m->check_interval_ms)
		next = last_poll + w->m->check_interval_ms;
	for (size_t i = 0; i < w->m->n_sets; i++)
		if (w->sets[i].pending &&
		    (next < 0 || w->sets[i].check_at < next))
			next = w->sets[i].check_at;
	if (next < 0)
		return w->ino >= 0 ? -1 : 1000;
	return next <= now ? 0 : (int)(next - now);
}

static void loop(watch_run *w)
{
	int64_t last_poll = now_ms();

	while (!stop_flag) {
		struct pollfd p = { .fd = w->ino, .events = POLLIN };
		int n = poll(&p, w->ino >= 0 ? 1 : 0, wait_ms(w, last_poll));

		if (n < 0 && errno != EINTR) {
			rbl_log_err("poll: %s", strerror(errno));
			return;
		}
		if (n > 0)
			drain(w);
		if (w->m->check_interval_ms &&
		    now_ms() - last_poll >= w->m->check_interval_ms)
			last_poll = now_ms();
		for (size_t i = 0; i < w->m->n_sets && !stop_flag; i++)
			step(w, &w->sets[i], false);
	}
}

/* ---- --status ---- */

static int show_one(void *arg, const rbl_mirror_state *s)
{
	char a[32], b[32];

	(void)arg;
	printf("%-20s %8llu %8llu  %-20s %-20s %s%s\n", s->list,
	       (unsigned long long)s->imports,
	       (unsigned long long)s->refusals, ctl_time(s->last_import, a),
	       ctl_time(s->last_refusal, b), s->failing ? "REFUSED: " : "ok",
	       s->failing ? s->reason : "");
	return 0;
}

static int show_status(ctl *c)
{
	rbl_txn *t = NULL;
	int rc;

	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	printf("%-20s %8s %8s  %-20s %-20s %s\n", "list", "imports",
	       "refused", "last import", "last refusal", "state");
	rc = rbl_mirror_state_foreach(t, show_one, NULL);
	rbl_txn_abort(t);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "table mirror");
}

/* ---- the command ---- */

static int parse_watch_opts(const ctl_cmd *me, int argc, char **argv,
			    bool *once, bool *status, int *level)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "status", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (opt) {
		case '1': *once = true; break;
		case 's': *status = true; break;
		case 'v': *level = RBL_LOG_INFO; break;
		default: return ctl_usage(me, "bad option");
		}
	}
	if (optind != argc)
		return ctl_usage(me, "watch takes no arguments");
	return CTL_OK;
}

static int start(watch_run *w)
{
	char err[RBL_CONF_ERRLEN] = "";
	int rc;

	if (ctl_load_conf(w->c, true) != CTL_OK)
		return CTL_ERR;
	rc = rbl_mirror_conf_load(w->c->conf, &w->m, err, sizeof err);
	if (rc != RBL_OK)
		return ctl_err("%s", err[0] ? err : rbl_strerror(rc));
	if (w->m->n_sets == 0)
		return ctl_err("%s: no list has data: lines; nothing to watch "
			       "(rbld.conf(5), MIRRORS)", w->c->conf_path);
	if (ctl_open_store(w->c, false) != CTL_OK)
		return CTL_ERR;
	w->sets = calloc(w->m->n_sets, sizeof *w->sets);
	if (!w->sets)
		return ctl_err("out of memory");
	for (size_t i = 0; i < w->m->n_sets; i++) {
		w->sets[i].set = &w->m->sets[i];
		w->sets[i].tried_sig = recorded_sig(w, w->m->sets[i].list);
	}
	return CTL_OK;
}

int cmd_watch(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	watch_run w = { .c = c, .ino = -1 };
	bool once = false, status = false;
	int level = RBL_LOG_NOTICE, rc;

	rc = parse_watch_opts(me, argc, argv, &once, &status, &level);
	if (rc != CTL_OK)
		return rc;
	if (status)
		return show_status(c);
	rbl_log_open("rblctl watch", false, level);
	rc = start(&w);
	if (rc == CTL_OK && once) {
		for (size_t i = 0; i < w.m->n_sets; i++)
			step(&w, &w.sets[i], true);
		rc = w.refused ? CTL_ERR : CTL_OK;
	} else if (rc == CTL_OK) {
		signal(SIGTERM, on_stop);
		signal(SIGINT, on_stop);
		watch_dirs(&w);
		rbl_log_notice("watching %zu list%s (settle %ums, check every "
			       "%ums)", w.m->n_sets, w.m->n_sets == 1 ? "" :
			       "s", w.m->settle_ms, w.m->check_interval_ms);
		loop(&w);	/* files changed while stopped settle first */
		rbl_log_notice("stopped");
	}
	if (w.ino >= 0)
		close(w.ino);
	free(w.sets);
	rbl_mirror_conf_free(w.m);
	return rc;
}
