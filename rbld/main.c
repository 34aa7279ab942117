/*
 * main.c -- rbld: options, configuration, privileges, signals.
 *
 * Order matters: bind the sockets while privileged, daemonize, write the
 * pidfile, create the statistics file, drop privileges, and only then
 * open the store (read-only) and start the threads.  All signals are
 * blocked in every thread; this one waits for them.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zone/array.h"
#include "zone/config/conf_apply.h"
#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/log.h"
#include "zone/kstats.h"
#include "zone/qstats.h"
#include "zone/store/store.h"
#include "hugepages.h"
#include "notify.h"
#include "server.h"
#include "xfr.h"
#include "xfr_conf.h"

#define DEFAULT_CONF	"/etc/rbld/rbld.conf"
#define DEFAULT_DB	"/var/lib/rbld"
#define DEFAULT_LISTEN	"127.0.0.1@53"

typedef struct options {
	const char *conf_path;
	bool check_only, daemon, syslog;
	const char *listen[RBL_MAX_LISTEN];
	unsigned n_listen;
	const char *database, *pidfile, *user;
	unsigned threads;		/* 0: from the configuration */
	int verbose;
} options;

typedef struct settings {
	rbl_server_conf srv;
	const char *database;
	uint64_t map_size;
	const char *user, *pidfile;
	bool syslog, daemon;
	char stats_path[PATH_MAX];
	char version[RBL_TXT_MAX + 1];
	char identity[RBL_TXT_MAX + 1];
	rbl_xfr_conf *xfr;		/* keys, ACLs, NOTIFY targets (owned) */
	rbl_xfr_live xfr_live;		/* what transfers, NOTIFY and signed
					   queries read */
	rbl_xfr_conf **xfr_retired;	/* replaced on SIGHUP, freed at exit */
	size_t n_xfr_retired, cap_xfr_retired;
	rbl_store *store;		/* for NOTIFY started by a SIGHUP */
	rbl_hugepages huge;		/* the store's map in 2 MiB pages */
	rbl_notify *notify;
	const char *conf_path;		/* read again on SIGHUP */
	rbl_access *access;		/* acl:, quota:, rrl: (owned) */
	rbl_access_live live;		/* what the workers read */
	rbl_access **retired;		/* replaced on SIGHUP, freed at exit */
	size_t n_retired, cap_retired;
} settings;

static void usage(FILE *f)
{
	fprintf(f,
"usage: rbld [options]\n"
"  -c FILE        configuration (default " DEFAULT_CONF ")\n"
"  -t             check the configuration and exit (0 ok, 1 error)\n"
"  -l ADDR[@PORT] listen here instead of the configured listen lines\n"
"                 (repeatable; IPv6 as ::1@5353)\n"
"  -D DIR         database directory (overrides server: database)\n"
"  -T N           UDP worker threads per listen address\n"
"  -d, --daemon   detach and log to syslog\n"
"  -p FILE        write the process id to FILE\n"
"  -u USER        drop privileges to USER after binding\n"
"      --syslog   log to syslog instead of stderr\n"
"  -v             more log output (repeat for debug)\n"
"  -h, --help     this text\n"
"  -V, --version  print the version\n");
}

static int parse_threads(const char *s, unsigned *out)
{
	char *end = NULL;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end || v == 0 || v > RBL_MAX_THREADS)
		return RBL_EINVAL;
	*out = (unsigned)v;
	return RBL_OK;
}

/* Returns -1 to go on, otherwise the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
	static const struct option longopts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	o->conf_path = DEFAULT_CONF;
	while ((ch = getopt_long(argc, argv, "c:tl:D:T:dp:u:vhV", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf_path = optarg; break;
		case 't': o->check_only = true; break;
		case 'l':
			if (o->n_listen == RBL_MAX_LISTEN) {
				fprintf(stderr, "rbld: too many -l\n");
				return 2;
			}
			o->listen[o->n_listen++] = optarg;
			break;
		case 'D': o->database = optarg; break;
		case 'T':
			if (parse_threads(optarg, &o->threads) != RBL_OK) {
				fprintf(stderr, "rbld: -T %s: want 1..%d\n",
					optarg, RBL_MAX_THREADS);
				return 2;
			}
			break;
		case 'd': o->daemon = true; break;
		case 'p': o->pidfile = optarg; break;
		case 'u': o->user = optarg; break;
		case 'S': o->syslog = true; break;
		case 'v': o->verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("rbld %s\n", RBL_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rbld: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return -1;
}

static int add_listen(settings *st, const char *text, char *err,
		      size_t errlen)
{
	rbl_server_conf *c = &st->srv;

	if (c->n_listen == RBL_MAX_LISTEN) {
		snprintf(err, errlen, "more than %d listen addresses",
			 RBL_MAX_LISTEN);
		return RBL_EINVAL;
	}
	if (rbl_listen_parse(text, &c->listen[c->n_listen]) != RBL_OK) {
		snprintf(err, errlen, "listen %s: not address[@port]", text);
		return RBL_EINVAL;
	}
	c->n_listen++;
	return RBL_OK;
}

static int get_listens(const rbl_conf_section *s, const options *o,
		       settings *st, char *err, size_t errlen)
{
	const rbl_conf_item *it = NULL;
	int rc = RBL_OK;

	for (unsigned i = 0; i < o->n_listen && rc == RBL_OK; i++)
		rc = add_listen(st, o->listen[i], err, errlen);
	if (o->n_listen)
		return rc;
	while (s && rc == RBL_OK && (it = rbl_conf_next_item(s, "listen", it)))
		rc = add_listen(st, it->value, err, errlen);
	if (rc == RBL_OK && st->srv.n_listen == 0)
		rc = add_listen(st, DEFAULT_LISTEN, err, errlen);
	return rc;
}

/* "none" turns a CH TXT answer off. */
static const char *chaos_text(const rbl_conf_section *s, const char *key,
			      const char *def, char *buf)
{
	const char *v = s ? rbl_conf_get(s, key) : NULL;

	snprintf(buf, RBL_TXT_MAX + 1, "%s", v ? v : def);
	return strcmp(buf, "none") == 0 ? NULL : buf;
}

static int get_tcp(const rbl_conf *c, const rbl_conf_section *s,
		   rbl_tcp_conf *t, char *err, size_t errlen)
{
	uint32_t idle = 0, rd = 0;
	int rc;

	if ((rc = rbl_conf_duration(c, s, "tcp-idle-timeout", 10, &idle, err,
				    errlen)) != RBL_OK ||
	    (rc = rbl_conf_duration(c, s, "tcp-read-timeout", 5, &rd, err,
				    errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "tcp-max-connections", 512,
			       &t->max_connections, err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "tcp-max-per-client", 16,
			       &t->max_per_client, err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "tcp-max-pipeline", 32,
			       &t->max_pipeline, err, errlen)) != RBL_OK)
		return rc;
	t->idle_timeout_ms = (idle ? idle : 1) * 1000u;
	t->read_timeout_ms = (rd ? rd : 1) * 1000u;
	if (t->max_connections == 0 || t->max_per_client == 0 ||
	    t->max_pipeline == 0) {
		snprintf(err, errlen, "%s: tcp limits must be at least 1",
			 c->path);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

static int get_engine(const rbl_conf *c, const rbl_conf_section *s,
		      settings *st, char *err, size_t errlen)
{
	char host[256] = "rbld";
	uint32_t edns = 0;
	int rc = rbl_conf_u32(c, s, "edns-buffer-max", RBL_EDNS_BUFFER_DEFAULT,
			      &edns, err, errlen);

	if (rc != RBL_OK)
		return rc;
	if (edns < DNS_UDP_MIN || edns > DNS_MSG_MAX) {
		snprintf(err, errlen, "%s: edns-buffer-max %u: want 512..65535",
			 c->path, edns);
		return RBL_EINVAL;
	}
	st->srv.engine.edns_buffer_max = (uint16_t)edns;
	st->srv.engine.version = chaos_text(s, "version", "rbld " RBL_VERSION,
					    st->version);
	gethostname(host, sizeof(host) - 1);
	st->srv.engine.identity = chaos_text(s, "identity", host, st->identity);
	return RBL_OK;
}

static unsigned cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > RBL_MAX_THREADS ? RBL_MAX_THREADS : (unsigned)n;
}

static int get_settings(const rbl_conf *c, const options *o, settings *st,
			char *err, size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "server", NULL);
	uint32_t threads = 0;
	int rc;

	if ((rc = get_listens(s, o, st, err, errlen)) != RBL_OK ||
	    (rc = get_tcp(c, s, &st->srv.tcp, err, errlen)) != RBL_OK ||
	    (rc = get_engine(c, s, st, err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "threads", cpu_count(), &threads, err,
			       errlen)) != RBL_OK ||
	    (rc = rbl_conf_size(c, s, "map-size", 0, &st->map_size, err,
				errlen)) != RBL_OK ||
	    (rc = rbl_conf_bool(c, s, "huge-pages", true, &st->huge.on, err,
				errlen)) != RBL_OK)
		return rc;
	st->srv.threads = o->threads ? o->threads : threads;
	if (st->srv.threads == 0 || st->srv.threads > RBL_MAX_THREADS) {
		snprintf(err, errlen, "threads %u: want 1..%d", st->srv.threads,
			 RBL_MAX_THREADS);
		return RBL_EINVAL;
	}
	st->database = o->database ? o->database
		     : (s && rbl_conf_get(s, "database"))
		     ? rbl_conf_get(s, "database") : DEFAULT_DB;
	st->user = o->user ? o->user : s ? rbl_conf_get(s, "user") : NULL;
	st->pidfile = o->pidfile ? o->pidfile
		    : s ? rbl_conf_get(s, "pidfile") : NULL;
	st->daemon = o->daemon;
	st->syslog = o->syslog || o->daemon ||
		     (s && rbl_conf_get(s, "log") &&
		      strcmp(rbl_conf_get(s, "log"), "syslog") == 0);
	if (s && rbl_conf_get(s, "stats-file"))
		snprintf(st->stats_path, sizeof(st->stats_path), "%s",
			 rbl_conf_get(s, "stats-file"));
	else
		snprintf(st->stats_path, sizeof(st->stats_path), "%s/%s",
			 st->database, RBL_QSTATS_FILE);
	return RBL_OK;
}

/* The acl:, quota: and rrl: sections of C into a new *OUT. */
static int load_access(const rbl_conf *c, rbl_access **out, char *err,
		       size_t errlen)
{
	rbl_access *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return RBL_ENOMEM;
	rbl_access_init(a);
	rc = rbl_access_load(c, a, err, errlen);
	if (rc != RBL_OK) {
		rbl_access_free(a);
		free(a);
		return rc;
	}
	*out = a;
	return RBL_OK;
}

static void free_xfr_conf(rbl_xfr_conf *x)
{
	if (x)
		rbl_xfr_conf_free(x);
	free(x);
}

static void free_xfr(settings *st)
{
	for (size_t i = 0; i < st->n_xfr_retired; i++)
		free_xfr_conf(st->xfr_retired[i]);
	free(st->xfr_retired);
	free_xfr_conf(st->xfr);
}

static void free_access(settings *st)
{
	for (size_t i = 0; i < st->n_retired; i++) {
		rbl_access_free(st->retired[i]);
		free(st->retired[i]);
	}
	free(st->retired);
	if (st->access)
		rbl_access_free(st->access);
	free(st->access);
}

static void log_access(const rbl_access *a, const char *when)
{
	char text[512];

	rbl_access_describe(a, text, sizeof(text));
	rbl_log_notice("%sclient policy: %s", when,
		       rbl_access_active(a) || a->cookies.configured ||
		       !a->cookies.enabled ? text : "none");
}

/* SIGHUP, part 1: the client policy, handed to the workers; the old one
 * stays allocated (a worker may be in the middle of a batch). */
static void reload_access(settings *st, const rbl_conf *c, int rc,
			  const char *conf_err)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_access *a = NULL;

	snprintf(err, sizeof(err), "%s", conf_err);
	if (rc == RBL_OK)
		rc = load_access(c, &a, err, sizeof(err));
	if (rc == RBL_OK)
		rc = rbl_array_reserve(st->retired, st->cap_retired,
				       st->n_retired + 1, 4);
	if (rc != RBL_OK) {
		rbl_log_err("SIGHUP: %s; the client policy in force stays",
			    err[0] ? err : rbl_strerror(rc));
		if (a)
			rbl_access_free(a);
		free(a);
		return;
	}
	/* A random cookie secret survives a reload (not a restart), so the
	 * server cookies clients hold stay valid. */
	if (st->access && !a->cookies.configured &&
	    !st->access->cookies.configured)
		memcpy(a->cookies.secret, st->access->cookies.secret,
		       sizeof a->cookies.secret);
	st->retired[st->n_retired++] = st->access;
	st->access = a;
	atomic_store(&st->live.current, a);
	atomic_fetch_add(&st->live.generation, 1);
	log_access(a, "SIGHUP: reloaded ");
}

static void start_notify(settings *st);

/* SIGHUP, part 2: TSIG keys, provide-xfr and notify.  Transfers and
 * signed queries under way finish with the settings they started with. */
static void reload_xfr(settings *st, const rbl_conf *c, int rc,
		       const char *conf_err)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_xfr_conf *x = NULL;

	snprintf(err, sizeof(err), "%s", conf_err);
	if (rc == RBL_OK)
		rc = (x = calloc(1, sizeof *x)) ? RBL_OK : RBL_ENOMEM;
	if (rc == RBL_OK)
		rc = rbl_xfr_conf_load(c, x, err, sizeof(err));
	if (rc == RBL_OK)
		rc = rbl_array_reserve(st->xfr_retired, st->cap_xfr_retired,
				       st->n_xfr_retired + 1, 4);
	if (rc != RBL_OK) {
		rbl_log_err("SIGHUP: %s; the transfer settings in force stay",
			    err[0] ? err : rbl_strerror(rc));
		free_xfr_conf(x);
		return;
	}
	st->xfr_retired[st->n_xfr_retired++] = st->xfr;
	st->xfr = x;
	atomic_store_explicit(&st->xfr_live.current, x, memory_order_release);
	rbl_log_notice("SIGHUP: reloaded transfer settings: %u TSIG key%s, "
		       "notify %s", x->n_keys, x->n_keys == 1 ? "" : "s",
		       rbl_xfr_conf_notifies(x) ? "on" : "off");
	if (!st->notify)
		start_notify(st);
}

/* SIGHUP: read rbld.conf again; what can change without a restart does. */
static void reload(settings *st)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_conf *c = NULL;
	int rc = rbl_conf_load(st->conf_path, &c, err, sizeof(err));

	if (rc == RBL_OK)
		rc = rbl_conf_check(c, err, sizeof(err));
	reload_access(st, c, rc, err);
	reload_xfr(st, c, rc, err);
	rbl_conf_free(c);
}

static int load_config(const options *o, rbl_conf **conf, settings *st)
{
	char err[RBL_CONF_ERRLEN] = "";
	int rc = rbl_conf_load(o->conf_path, conf, err, sizeof(err));

	if (rc == RBL_OK)
		rc = rbl_conf_check(*conf, err, sizeof(err));
	if (rc == RBL_OK)
		rc = rbl_conf_validate(*conf, NULL, err, sizeof(err));
	if (rc == RBL_OK)
		rc = get_settings(*conf, o, st, err, sizeof(err));
	if (rc == RBL_OK && !(st->xfr = calloc(1, sizeof *st->xfr)))
		rc = RBL_ENOMEM;
	if (rc == RBL_OK)
		rc = rbl_xfr_conf_load(*conf, st->xfr, err, sizeof(err));
	if (rc == RBL_OK) {	/* transfers, NOTIFY, signed SOA queries */
		atomic_init(&st->xfr_live.current, st->xfr);
		st->srv.engine.xfr = &st->xfr_live;
	} else {
		free_xfr_conf(st->xfr);
		st->xfr = NULL;
	}
	st->conf_path = o->conf_path;
	if (rc == RBL_OK)
		rc = load_access(*conf, &st->access, err, sizeof(err));
	atomic_init(&st->live.current, st->access);
	atomic_init(&st->live.generation, 0);
	st->srv.engine.access = &st->live;
	if (rc != RBL_OK)
		fprintf(stderr, "rbld: %s\n", err[0] ? err : rbl_strerror(rc));
	return rc;
}

static int drop_privileges(const char *user)
{
	struct passwd *pw = NULL;

	if (!user)
		return RBL_OK;
	errno = 0;
	if (!(pw = getpwnam(user))) {
		rbl_log_err("user %s: %s", user,
			    errno ? strerror(errno) : "no such user");
		return RBL_ENOTFOUND;
	}
	if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		rbl_log_err("dropping privileges to %s: %s", user,
			    strerror(errno));
		return RBL_EPERM;
	}
	return RBL_OK;
}

static int write_pidfile(const char *path)
{
	FILE *f;

	if (!path)
		return RBL_OK;
	if (!(f = fopen(path, "w"))) {
		rbl_log_err("pidfile %s: %s", path, strerror(errno));
		return RBL_EIO;
	}
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0) {
		rbl_log_err("pidfile %s: %s", path, strerror(errno));
		return RBL_EIO;
	}
	return RBL_OK;
}

/* Counters for rbl-admin; without the file rbld still answers. */
static rbl_qstats *open_stats(const settings *st, const rbl_server_conf *c)
{
	rbl_qstats *qs = NULL;
	int rc = rbl_qstats_create(st->stats_path, rbl_server_slots(c), &qs);

	if (rc != RBL_OK) {
		rbl_log_warn("stats file %s: %s; counting in memory only",
			     st->stats_path, strerror(errno));
		if (rbl_qstats_create(NULL, rbl_server_slots(c), &qs) != RBL_OK)
			return NULL;
	}
	return qs;
}

/* Per-key and per-zone counters beside the query counters. */
static rbl_kstats *open_kstats(const settings *st, const rbl_server_conf *c)
{
	char path[PATH_MAX + 16];
	rbl_kstats *ks = NULL;

	rbl_kstats_path(st->stats_path, path, sizeof(path));
	if (rbl_kstats_create(path, rbl_server_slots(c), &ks) == RBL_OK)
		return ks;
	rbl_log_warn("key stats file %s: %s; counting in memory only", path,
		     strerror(errno));
	if (rbl_kstats_create(NULL, rbl_server_slots(c), &ks) != RBL_OK)
		return NULL;
	return ks;
}

static int detach(bool daemonize)
{
	if (daemonize && daemon(0, 0) != 0) {
		rbl_log_err("daemon: %s", strerror(errno));
		return RBL_EIO;
	}
	return RBL_OK;
}

static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void log_counters(const rbl_qstats *qs)
{
	rbl_qstats_slot s = { 0 };

	rbl_qstats_sum(qs, &s);
	rbl_log_notice("queries %llu (udp %llu, tcp %llu): noerror %llu "
		       "(nodata %llu, listed %llu), nxdomain %llu, refused %llu, "
		       "formerr %llu, notimp %llu, servfail %llu, badvers %llu; "
		       "truncated %llu, dropped %llu; tcp connections %llu "
		       "(refused %llu); rrl limited %llu (slipped %llu, "
		       "dropped %llu); acl dropped %llu, refused %llu, "
		       "answered %llu; over quota %llu",
		       (unsigned long long)s.queries, (unsigned long long)s.udp,
		       (unsigned long long)s.tcp,
		       (unsigned long long)s.rcode[RBL_QS_NOERROR],
		       (unsigned long long)s.nodata, (unsigned long long)s.listed,
		       (unsigned long long)s.rcode[RBL_QS_NXDOMAIN],
		       (unsigned long long)s.rcode[RBL_QS_REFUSED],
		       (unsigned long long)s.rcode[RBL_QS_FORMERR],
		       (unsigned long long)s.rcode[RBL_QS_NOTIMP],
		       (unsigned long long)s.rcode[RBL_QS_SERVFAIL],
		       (unsigned long long)s.rcode[RBL_QS_BADVERS],
		       (unsigned long long)s.truncated,
		       (unsigned long long)s.dropped,
		       (unsigned long long)s.tcp_conns,
		       (unsigned long long)s.tcp_refused,
		       (unsigned long long)s.rrl_limited,
		       (unsigned long long)s.rrl_slipped,
		       (unsigned long long)s.rrl_dropped,
		       (unsigned long long)s.acl_dropped,
		       (unsigned long long)s.acl_refused,
		       (unsigned long long)s.acl_answered,
		       (unsigned long long)s.quota_over);
}

/* SIGTERM/SIGINT end it; SIGUSR1 logs the counters; SIGHUP reloads the
 * client policy and the transfer settings (the store needs no reload:
 * changes are answered at once).  Once a second without a signal, the
 * store's map may get its 2 MiB pages back after commits (hugepages.h):
 * here, so that no worker waits for it. */
static void wait_for_stop(const sigset_t *set, const rbl_qstats *qs,
			  settings *st)
{
	const struct timespec second = { .tv_sec = 1 };

	for (;;) {
		int sig = sigtimedwait(set, NULL, &second);

		if (sig < 0) {
			if (errno == EAGAIN)
				rbl_hugepages_tick(&st->huge, st->store);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT) {
			rbl_log_notice("%s: shutting down",
				       sig == SIGTERM ? "SIGTERM" : "SIGINT");
			return;
		}
		if (sig == SIGUSR1)
			log_counters(qs);
		else
			reload(st);
	}
}

/* Opens the store read-only, and gives its map 2 MiB pages before the
 * workers answer (hugepages.h). */
static int open_store(settings *st, rbl_store **store)
{
	int rc = rbl_store_open(st->database, RBL_STORE_RDONLY,
				(size_t)st->map_size, store);

	if (rc != RBL_OK)
		rbl_log_err("database %s: %s", st->database, rbl_strerror(rc));
	else
		rbl_hugepages_start(&st->huge, *store);
	return rc;
}

static void log_started(const settings *st)
{
	char addrs[512] = "";
	size_t o = 0;

	for (unsigned i = 0; i < st->srv.n_listen && o < sizeof(addrs); i++)
		o += (size_t)snprintf(addrs + o, sizeof(addrs) - o, "%s%s",
				      i ? " " : "", st->srv.listen[i].text);
	rbl_log_notice("rbld %s answering on %s (%u UDP workers per address, "
		       "database %s)", RBL_VERSION, addrs, st->srv.threads,
		       st->database);
	if (rbl_access_active(st->access) || st->access->cookies.configured ||
	    !st->access->cookies.enabled)
		log_access(st->access, "");
}

/* Zone transfers and NOTIFY (xfr.h, notify.h) on the open store. */
static int start_xfr(const settings *st, rbl_store *store, rbl_server *srv,
		     rbl_xfr **xfr)
{
	int rc = rbl_xfr_new(store, &st->xfr_live, xfr);

	if (rc != RBL_OK)
		rbl_log_err("zone transfers: %s", rbl_strerror(rc));
	else
		rbl_server_set_xfr(srv, *xfr);
	return rc;
}

/* Only when some zone has notify targets; a SIGHUP that adds the first
 * ones starts it then. */
static void start_notify(settings *st)
{
	int rc;

	if (!rbl_xfr_conf_notifies(st->xfr))
		return;
	if ((rc = rbl_notify_start(st->store, &st->xfr_live, &st->notify)) !=
	    RBL_OK)
		rbl_log_err("NOTIFY: %s; secondaries will only see changes "
			    "at their refresh", rbl_strerror(rc));
}

/* Everything after the configuration is known; returns the exit status. */
static int run(settings *st)
{
	rbl_server *srv = NULL;
	rbl_store *store = NULL;
	rbl_qstats *qs = NULL;
	rbl_kstats *ks = NULL;
	rbl_xfr *xfr = NULL;
	sigset_t sigs = { 0 };
	int status = 1;

	block_signals(&sigs);
	if (rbl_server_bind(&st->srv, &srv) != RBL_OK)
		return 1;
	if (st->syslog)
		rbl_log_open("rbld", true, rbl_log_level());
	if (st->pidfile && access(st->pidfile, F_OK) == 0)
		rbl_log_warn("pidfile %s exists; replacing it", st->pidfile);
	if (detach(st->daemon) == RBL_OK &&
	    write_pidfile(st->pidfile) == RBL_OK &&
	    (qs = open_stats(st, &st->srv)) != NULL &&
	    (ks = open_kstats(st, &st->srv)) != NULL &&
	    drop_privileges(st->user) == RBL_OK &&
	    open_store(st, &store) == RBL_OK &&
	    start_xfr(st, store, srv, &xfr) == RBL_OK) {
		int rc;

		st->srv.engine.kstats = ks;
		rc = rbl_server_start(srv, store, qs);

		if (rc == RBL_OK) {
			st->store = store;
			start_notify(st);
			log_started(st);
			wait_for_stop(&sigs, qs, st);
			log_counters(qs);
			status = 0;
		} else {
			rbl_log_err("starting workers: %s", rbl_strerror(rc));
		}
	}
	rbl_notify_stop(st->notify);
	st->notify = NULL;
	rbl_server_free(srv);	/* ends the connections, so the jobs */
	rbl_xfr_free(xfr);
	rbl_store_close(store);
	rbl_qstats_close(qs, 1);
	rbl_kstats_close(ks, 1);
	if (st->pidfile)
		unlink(st->pidfile);
	rbl_log_notice("stopped");
	return status;
}

int main(int argc, char **argv)
{
	options o = { 0 };
	static settings st;
	rbl_conf *conf = NULL;
	int status = parse_options(argc, argv, &o);

	if (status >= 0)
		return status;
	rbl_log_open("rbld", false, RBL_LOG_NOTICE + o.verbose);
	if (load_config(&o, &conf, &st) != RBL_OK) {
		free_xfr(&st);
		free_access(&st);
		rbl_conf_free(conf);
		return 1;
	}
	if (o.check_only) {
		printf("%s: configuration ok\n", o.conf_path);
		status = 0;
	} else {
		status = run(&st);
	}
	free_xfr(&st);
	free_access(&st);
	rbl_conf_free(conf);
	return status;
}
