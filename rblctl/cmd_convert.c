/*
 * cmd_convert.c -- rblctl convert-rbldnsd: an rbldnsd command line into
 * the rbld.conf that serves the same (doc/migration.md).
 *
 * Every dataset argument ZONE:TYPE:FILE,... becomes a list with that
 * argument as its data: line (rblctl watch keeps the list equal to the
 * files) and the zone answers from it; acl datasets become acl sections
 * (rbld reads them itself); combined and generic data are imported into
 * a zone once, which the output says.  The $SOA and $NS lines of readable
 * files become the zone's settings, as rbldnsd takes them from the first
 * dataset that has them.  Each option rbld does otherwise gets one
 * warning on stderr; the configuration itself is plain, commented text
 * an operator can read and keep.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"
#include "zone/formats/mirror.h"
#include "zone/formats/rbldnsd_fmt.h"

#define MAX_DATASETS	64
#define MAX_LISTEN	16
#define RBLDNSD_OPTS	"+u:r:w:b:46t:c:eqp:l:s:nfdvCAax:X:h"

typedef struct cv_dataset {
	char zone[RBL_NAME_MAX + 1];
	int type;
	char list[RBL_LIST_NAME_MAX + 1];
	const char *arg;		/* as given */
	rbl_mirror_set files;		/* paths under the data directory */
} cv_dataset;

typedef struct cv_run {
	const char *user, *root, *work, *pidfile;
	const char *listen[MAX_LISTEN];
	unsigned n_listen;
	const char *ttl, *check;
	bool lenient, no_version;
	char dir[RBL_MIRROR_PATH_MAX];
	cv_dataset ds[MAX_DATASETS];
	unsigned n_ds, warnings;
} cv_run;

static void warn(cv_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(cv_run *r, const char *fmt, ...)
{
	va_list ap;

	r->warnings++;
	fputs("rblctl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the options ---- */

static void option_other(cv_run *r, int opt, const char *arg)
{
	switch (opt) {
	case '4': case '6':
		warn(r, "-%c: rbld answers on the listen addresses given, of "
		     "either family", opt);
		break;
	case 'q': case 'n': case 'f':
		warn(r, "-%c: nothing to set: rbld stays in the foreground "
		     "under systemd%s", opt, opt == 'f' ? " and never stops "
		     "answering while data changes" : "");
		break;
	case 'l':
		warn(r, "-l %s: rbld keeps no query log; counters instead "
		     "(rbl-admin /metrics)", arg);
		break;
	case 's':
		warn(r, "-s %s: rbld's counters go to server stats-file in "
		     "their own format, read by rbl-admin /metrics", arg);
		break;
	case 'd':
		warn(r, "-d: rblctl export ZONE --format bind dumps a zone");
		break;
	case 'C': case 'a': case 'A':
		warn(r, "-%c: not needed: rbld compresses names and sends the "
		     "authority section as a DNSBL needs", opt);
		break;
	case 'x': case 'X':
		warn(r, "-%c %s: rbld has no extensions; ignored", opt, arg);
		break;
	}
}

static int option(cv_run *r, int opt, const char *arg)
{
	switch (opt) {
	case 'u': r->user = arg; break;
	case 'r': r->root = arg; break;
	case 'w': r->work = arg; break;
	case 'p': r->pidfile = arg; break;
	case 't': r->ttl = arg; break;
	case 'c': r->check = arg; break;
	case 'e': r->lenient = true; break;
	case 'v': r->no_version = true; break;
	case 'b':
		if (r->n_listen == MAX_LISTEN)
			return ctl_err("more than %d -b options", MAX_LISTEN);
		r->listen[r->n_listen++] = arg;
		break;
	case '4': case '6': case 'q': case 'n': case 'f': case 'l':
	case 's': case 'd': case 'C': case 'a': case 'A': case 'x': case 'X':
		option_other(r, opt, arg);
		break;
	default:
		return ctl_err("not an rbldnsd option: -%c", optopt ? optopt :
			       opt);
	}
	return CTL_OK;
}

/* Where rbldnsd reads the data files: the working directory -w, inside
 * the chroot -r when there is one. */
static int data_dir(cv_run *r)
{
	char cwd[RBL_MIRROR_PATH_MAX] = ".";
	const char *w = r->work ? r->work : "";
	int n;

	if (!r->root && !r->work) {
		if (!getcwd(cwd, sizeof cwd))
			return ctl_err("getcwd: %s", strerror(errno));
		warn(r, "no -r or -w: data files are taken from %s, the "
		     "directory this ran in", cwd);
		n = snprintf(r->dir, sizeof r->dir, "%s", cwd);
	} else if (r->root) {
		n = snprintf(r->dir, sizeof r->dir, "%s%s%s", r->root,
			     *w && *w != '/' ? "/" : "", w);
		warn(r, "-r %s: rbld does not chroot; rbld.service and "
		     "rbld-mirror.service sandbox it instead", r->root);
	} else {
		n = snprintf(r->dir, sizeof r->dir, "%s", w);
	}
	if (n < 0 || (size_t)n >= sizeof r->dir)
		return ctl_err("data directory name too long");
	while (strlen(r->dir) > 1 && r->dir[strlen(r->dir) - 1] == '/')
		r->dir[strlen(r->dir) - 1] = '\0';
	return CTL_OK;
}

/* ---- the datasets ---- */

/* List name ZONE.TYPE, and ZONE.TYPE-N for the N-th of the same. */
static void name_list(cv_run *r, cv_dataset *d)
{
	char name[RBL_LIST_NAME_MAX + 1];
	unsigned same = 0;

	for (unsigned i = 0; i < r->n_ds; i++)
		if (&r->ds[i] != d && strcmp(r->ds[i].zone, d->zone) == 0 &&
		    r->ds[i].type == d->type && r->ds[i].list[0])
			same++;
	if (same)
		snprintf(name, sizeof name, "%.40s.%s-%u", d->zone,
			 rbl_ds_type_name(d->type), same + 1);
	else
		snprintf(name, sizeof name, "%.50s.%s", d->zone,
			 rbl_ds_type_name(d->type));
	memcpy(d->list, name, sizeof name);
}

static int dataset(cv_run *r, const char *arg)
{
	cv_dataset *d = &r->ds[r->n_ds];
	const char *c1 = strchr(arg, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : 0;
	char word[32] = "", err[256];

	if (r->n_ds == MAX_DATASETS)
		return ctl_err("more than %d datasets", MAX_DATASETS);
	if (!c2 || (size_t)(c2 - c1 - 1) >= sizeof word)
		return ctl_err("\"%s\" is not ZONE:TYPE:FILE,...", arg);
	memcpy(word, c1 + 1, (size_t)(c2 - c1 - 1));
	memset(d, 0, sizeof *d);
	d->arg = arg;
	d->type = rbl_ds_type_parse(word);
	if (!d->type)
		return ctl_err("%s: unknown dataset type \"%s\"", arg, word);
	if (d->type == RBL_DS_ACL || d->type == RBL_DS_GENERIC ||
	    d->type == RBL_DS_COMBINED) {	/* not a list: the parts */
		char z[RBL_NAME_MAX + 2] = "";
		int type = 0;

		if ((size_t)(c1 - arg) > RBL_NAME_MAX)
			return ctl_err("%s: zone name too long", arg);
		memcpy(z, arg, (size_t)(c1 - arg));
		if (rbl_conf_zone_name(z, d->zone) != RBL_OK)
			return ctl_err("%s: \"%s\" is not a zone name", arg, z);
		if (strchr(c2 + 1, ':'))
			return ctl_err("%s: a file name with ':'", arg);
		if (rbl_mirror_parse_spec(c2 + 1, r->dir, z, &type, &d->files,
					  err, sizeof err) != RBL_OK)
			return ctl_err("%s: %s", arg, err);
	} else if (rbl_mirror_parse_spec(arg, r->dir, d->zone, &d->type,
					 &d->files, err, sizeof err) != RBL_OK) {
		return ctl_err("%s: %s", arg, err);
	}
	if (d->type != RBL_DS_ACL && d->type != RBL_DS_GENERIC &&
	    d->type != RBL_DS_COMBINED)
		name_list(r, d);
	r->n_ds++;
	return CTL_OK;
}

/* ---- the zones' SOA and NS from the files ---- */

static int skip_record(void *arg, const rbl_ds_record *rec)
{
	(void)arg;
	(void)rec;
	return 0;
}

/* $SOA/$NS/$TTL of the first dataset of ZONE that has them. */
static bool zone_meta(cv_run *r, const char *zone, rbl_ds_meta *out)
{
	for (unsigned i = 0; i < r->n_ds; i++) {
		cv_dataset *d = &r->ds[i];
		const char *paths[RBL_MIRROR_MAX_FILES];
		rbl_ds_options o = { .type = d->type, .lenient = true };
		rbl_ds_handler h = { NULL, skip_record, NULL, NULL };
		rbl_ds_meta m = { 0 };

		if (strcmp(d->zone, zone) != 0 || d->type == RBL_DS_ACL ||
		    d->type == RBL_DS_COMBINED)
			continue;
		for (size_t j = 0; j < d->files.n_files; j++)
			paths[j] = d->files.files[j];
		if (rbl_ds_parse_files(&o, &h, paths, d->files.n_files, &m)
		    != RBL_OK) {
			warn(r, "%s: files not readable here; set the zone's "
			     "SOA and NS lines yourself", d->arg);
			continue;
		}
		if (m.has_soa || m.n_ns) {
			*out = m;
			return true;
		}
	}
	return false;
}

/* ---- output ---- */

static void put_server(cv_run *r, FILE *f)
{
	fprintf(f, "server:\n");
	for (unsigned i = 0; i < r->n_listen; i++) {
		char a[256];
		const char *slash = strrchr(r->listen[i], '/');

		snprintf(a, sizeof a, "%s", r->listen[i]);
		if (slash && (size_t)(slash - r->listen[i]) < strlen(a))
			a[slash - r->listen[i]] = '@';
		fprintf(f, "\tlisten: %s\n", a);
	}
	if (r->user) {
		char u[128];

		snprintf(u, sizeof u, "%s", r->user);
		if (strchr(u, ':')) {
			*strchr(u, ':') = '\0';
			warn(r, "-u %s: the group is the user's (rbld.service: "
			     "Group=)", r->user);
		}
		fprintf(f, "\tuser: %s\n", u);
	}
	if (r->pidfile)
		fprintf(f, "\tpidfile: %s\n", r->pidfile);
	if (r->no_version)
		fprintf(f, "\tversion: none\n");
	fprintf(f, "\nmirror:\n\tdirectory: %s\n", r->dir);
	if (r->check)
		fprintf(f, "\t# rbldnsd -c %s; inotify sees changes at once\n"
			"\tcheck-interval: %s\n", r->check, r->check);
	if (r->lenient)
		fprintf(f, "\tlenient: yes\n");
}

static void put_lists(cv_run *r, FILE *f)
{
	for (unsigned i = 0; i < r->n_ds; i++) {
		cv_dataset *d = &r->ds[i];

		if (!d->list[0])
			continue;
		fprintf(f, "\nlist: %s\n\tkind: %s\n\tdata: %s\n", d->list,
			rbl_ds_type_is_ip(d->type) ? "ip" : "name", d->arg);
	}
}

/* The TTL from -t DEFTTL[:MIN[:MAX]] (rbldnsd's default 35m). */
static void put_ttl(cv_run *r, FILE *f, const rbl_ds_meta *m, bool has)
{
	char def[32] = "35m";

	if (r->ttl) {
		snprintf(def, sizeof def, "%s", r->ttl);
		if (strchr(def, ':'))
			*strchr(def, ':') = '\0';
	}
	if (has && m->has_ttl && m->ttl)
		fprintf(f, "\t# $TTL %u of the data overrides -t\n\tttl: %u\n",
			m->ttl, m->ttl);
	else
		fprintf(f, "\tttl: %s\n", def[0] ? def : "35m");
}

static void put_soa(FILE *f, const rbl_ds_meta *m)
{
	if (m->has_soa) {
		fprintf(f, "\tsoa-mname: %s\n\tsoa-rname: %s\n", m->soa_mname,
			m->soa_rname);
		fprintf(f, "\trefresh: %u\n\tretry: %u\n\texpire: %u\n"
			"\tneg-ttl: %u\n", m->soa_refresh, m->soa_retry,
			m->soa_expire, m->soa_minimum);
	}
	for (unsigned i = 0; i < m->n_ns; i++)
		fprintf(f, "\tns: %s\n", m->ns[i]);
}

static bool zone_done(cv_run *r, unsigned upto, const char *zone)
{
	for (unsigned i = 0; i < upto; i++)
		if (strcmp(r->ds[i].zone, zone) == 0)
			return true;
	return false;
}

static void put_zone(cv_run *r, FILE *f, const char *zone)
{
	rbl_ds_meta m = { 0 };
	bool has = zone_meta(r, zone, &m), lists = false;

	for (unsigned i = 0; i < r->n_ds; i++)
		lists |= strcmp(r->ds[i].zone, zone) == 0 && r->ds[i].list[0];
	if (!lists)
		return;
	fprintf(f, "\nzone: %s\n", zone);
	for (unsigned i = 0; i < r->n_ds; i++)
		if (strcmp(r->ds[i].zone, zone) == 0 && r->ds[i].list[0])
			fprintf(f, "\tlist: %s\n", r->ds[i].list);
	put_ttl(r, f, &m, has);
	if (has)
		put_soa(f, &m);
	else
		warn(r, "zone %s: no $SOA or $NS in its files; rbld answers "
		     "with a made-up SOA: set soa-mname, soa-rname and ns",
		     zone);
	fprintf(f, "\t# rbldnsd answers only what the files hold\n"
		"\ttest-entries: no\n");
}

static void put_others(cv_run *r, FILE *f)
{
	for (unsigned i = 0; i < r->n_ds; i++) {
		cv_dataset *d = &r->ds[i];
		const char *how = d->type == RBL_DS_GENERIC ? "generic" :
				  "combined";

		if (d->type == RBL_DS_ACL) {
			fprintf(f, "\nacl: %s\n", d->zone);
			for (size_t j = 0; j < d->files.n_files; j++)
				fprintf(f, "\tfile: %s\n", d->files.files[j]);
			continue;
		}
		if (d->list[0])
			continue;
		fprintf(f, "\n# %s: not watched; import it into the zone (again"
			" after each change):\n", d->arg);
		for (size_t j = 0; j < d->files.n_files; j++)
			fprintf(f, "#   rblctl import-zone %s %s --type %s%s\n",
				d->zone, d->files.files[j], how,
				d->type == RBL_DS_COMBINED ? " --replace" : "");
		warn(r, "%s: %s data is imported once with rblctl import-zone "
		     "(see the comment in the output), not watched", d->arg,
		     how);
	}
}

static void put_conf(cv_run *r, FILE *f, int argc, char **argv)
{
	fprintf(f, "# rbld.conf(5) written by rblctl convert-rbldnsd from\n"
		"# rbldnsd");
	for (int i = 0; i < argc; i++)
		fprintf(f, " %s", argv[i]);
	fprintf(f, "\n# rblctl init creates the lists and zones; rblctl watch "
		"(rbld-mirror.service)\n# imports the data files and "
		"follows their changes.\n\n");
	put_server(r, f);
	put_lists(r, f);
	for (unsigned i = 0; i < r->n_ds; i++)
		if (!zone_done(r, i, r->ds[i].zone))
			put_zone(r, f, r->ds[i].zone);
	put_others(r, f);
}

/* ---- the command ---- */

static FILE *open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

	return fd < 0 ? NULL : fdopen(fd, "w");
}

static int parse_rbldnsd(cv_run *r, int argc, char **argv)
{
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt(argc, argv, RBLDNSD_OPTS)) != -1)
		if (option(r, opt, optarg) != CTL_OK)
			return CTL_ERR;
	opterr = 1;
	if (!r->ttl)
		warn(r, "no -t: rbldnsd's default TTL 35m is written (rbld's "
		     "own is 5m)");
	else if (strchr(r->ttl, ':'))
		warn(r, "-t %s: rbld has no minimum or maximum TTL; only the "
		     "default is used", r->ttl);
	if (!r->n_listen)
		warn(r, "no -b: rbld listens on 127.0.0.1@53 unless server "
		     "listen says otherwise");
	if (data_dir(r) != CTL_OK)
		return CTL_ERR;
	if (optind >= argc)
		return ctl_err("no ZONE:TYPE:FILE argument");
	for (; optind < argc; optind++)
		if (dataset(r, argv[optind]) != CTL_OK)
			return CTL_ERR;
	return CTL_OK;
}

int cmd_convert_rbldnsd(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	cv_run *r = calloc(1, sizeof *r);
	const char *out = NULL;
	int i = 1, rc;
	FILE *f = stdout;

	if (!r)
		return ctl_err("out of memory");
	if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
		out = argv[i + 1];
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	/* argv[i - 1] stands for the program name getopt skips; the word
	 * rbldnsd itself may be there */
	if (i < argc && (strcmp(argv[i], "rbldnsd") == 0 ||
			 (strlen(argv[i]) > 8 &&
			  strcmp(argv[i] + strlen(argv[i]) - 8, "/rbldnsd")
			  == 0)))
		i++;
	if (i >= argc) {
		free(r);
		return ctl_usage(me, "the rbldnsd arguments are missing");
	}
	rc = parse_rbldnsd(r, argc - i + 1, argv + i - 1);
	if (rc == CTL_OK && out && !(f = open_out(out)))
		rc = ctl_err("%s: %s", out, strerror(errno));
	if (rc == CTL_OK) {
		put_conf(r, f, argc - i, argv + i);
		if (f != stdout && fclose(f) != 0)
			rc = ctl_err("%s: %s", out, strerror(errno));
		else if (f == stdout && fflush(stdout) != 0)
			rc = ctl_err("stdout: %s", strerror(errno));
		fprintf(stderr, "rblctl: %u dataset%s, %u warning%s\n",
			r->n_ds, r->n_ds == 1 ? "" : "s", r->warnings,
			r->warnings == 1 ? "" : "s");
	}
	free(r);
	return rc;
}
