/*
 * cmd_export.c -- rblctl export: a zone or list as rbldnsd data or a BIND
 * master file, to stdout or atomically to a file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "zone/formats/bindzone.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_fmt.h"

#define DEFAULT_MAX_RECORDS 1000000

typedef struct export_opts {
	bool bind, force_list;
	const char *out;
	uint64_t max_records;
	const char *name;
} export_opts;

static int parse_opts(const ctl_cmd *me, int argc, char **argv,
		      export_opts *o)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'l' },
		{ "max-records", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	bool format = false;
	char *end = NULL;
	int opt;

	memset(o, 0, sizeof(*o));
	o->max_records = DEFAULT_MAX_RECORDS;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:lo:m:", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (strcmp(optarg, "bind") != 0 &&
			    strcmp(optarg, "rbldnsd") != 0)
				return ctl_usage(me, "--format: rbldnsd or bind");
			o->bind = optarg[0] == 'b';
			format = true;
			break;
		case 'l': o->force_list = true; break;
		case 'o': o->out = optarg; break;
		case 'm':
			o->max_records = strtoull(optarg, &end, 10);
			if (*end || end == optarg)
				return ctl_usage(me, "--max-records: a number");
			break;
		default: return ctl_usage(me, "bad option");
		}
	}
	if (!format)
		return ctl_usage(me, "--format rbldnsd or --format bind is "
				 "needed");
	if (optind + 1 != argc)
		return ctl_usage(me, "export needs one ZONE or LIST");
	o->name = argv[optind];
	return CTL_OK;
}

static void print_warning(void *arg, const char *text)
{
	unsigned *n = arg;

	if (++*n <= 20)
		fprintf(stderr, "rblctl: warning: %s\n", text);
}

/* Output: stdout, or a temporary file renamed over OUT at the end. */
typedef struct output {
	FILE *f;
	char tmp[4096];
	const char *path;
} output;

static int open_output(output *o, const char *path)
{
	int fd;

	o->path = path;
	if (!path) {
		o->f = stdout;
		return CTL_OK;
	}
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", path) >=
	    (int)sizeof(o->tmp))
		return ctl_err("%s: name too long", path);
	fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w")))
		return ctl_err("cannot write next to %s: %s", path,
			       strerror(errno));
	return CTL_OK;
}

static int close_output(output *o, bool ok)
{
	int rc;

	if (!o->path) {
		rc = fflush(stdout);
		return ok && rc == 0 ? CTL_OK : ok ? ctl_err("write error: %s",
							     strerror(errno)) :
		       CTL_ERR;
	}
	if (fchmod(fileno(o->f), 0644) != 0 || fflush(o->f) != 0 ||
	    fsync(fileno(o->f)) != 0)
		ok = ok ? (ctl_err("%s: %s", o->tmp, strerror(errno)), false) :
		     false;
	fclose(o->f);
	if (ok && rename(o->tmp, o->path) != 0)
		ok = (ctl_err("rename %s: %s", o->tmp, strerror(errno)), false);
	if (!ok)
		unlink(o->tmp);
	return ok ? CTL_OK : CTL_ERR;
}

static int write_rbldnsd(rbl_txn *t, const rbl_zone *z, const rbl_list *l,
			 FILE *f, unsigned *warnings)
{
	rbl_ds_writer_stats st = { 0 };
	int64_t now = (int64_t)time(NULL);
	int rc = z ? rbl_ds_write_zone(f, t, z, now, print_warning, warnings,
				       &st)
		   : rbl_ds_write_list(f, t, l, now, print_warning, warnings,
				       &st);

	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "export");
	if (st.lossy)
		fprintf(stderr, "rblctl: %llu entr%s written approximately "
			"(see the warnings)\n", (unsigned long long)st.lossy,
			st.lossy == 1 ? "y" : "ies");
	return CTL_OK;
}

static int write_bind(rbl_txn *t, const rbl_zone *z, FILE *f,
		      uint64_t max, unsigned *warnings)
{
	rbl_bind_stats st = { 0 };
	int rc = rbl_bind_write_zone(f, t, z, (int64_t)time(NULL), max,
				     print_warning, warnings, &st);

	if (rc == RBL_ELIMIT)
		return ctl_err("zone %s needs more than %llu records as a "
			       "master file (wildcards only exist at label "
			       "boundaries); raise --max-records", z->name,
			       (unsigned long long)max);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "export");
	return CTL_OK;
}

/* Find the zone (unless --list) or the list called O->name. */
static int find_target(rbl_txn *t, const export_opts *o, rbl_zone **z,
		       rbl_list *l)
{
	char zname[RBL_NAME_MAX + 1];
	int rc;

	*z = NULL;
	if (!o->force_list && rbl_conf_zone_name(o->name, zname) == RBL_OK) {
		*z = calloc(1, sizeof(**z));
		if (!*z)
			return ctl_err("out of memory");
		rc = rbl_zone_get(t, zname, *z);
		if (rc == RBL_OK)
			return CTL_OK;
		free(*z);
		*z = NULL;
		if (rc != RBL_ENOTFOUND)
			return ctl_fail(NULL, rc, "zone %s", zname);
	}
	if (o->bind)
		return ctl_err("no zone %s (a BIND file needs a zone)", o->name);
	rc = rbl_list_get(t, o->name, l);
	if (rc == RBL_ENOTFOUND)
		return ctl_err("no %s %s", o->force_list ? "list" :
			       "zone or list", o->name);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "list %s", o->name);
}

int cmd_export(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	unsigned warnings = 0;
	export_opts o = { 0 };
	output out = { 0 };
	rbl_zone *z = NULL;
	rbl_list l = { 0 };
	rbl_txn *t = NULL;
	int rc = parse_opts(me, argc, argv, &o);

	if (rc != CTL_OK)
		return rc;
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	rc = find_target(t, &o, &z, &l);
	if (rc == CTL_OK)
		rc = open_output(&out, o.out);
	if (rc == CTL_OK) {
		rc = o.bind ? write_bind(t, z, out.f, o.max_records, &warnings)
			    : write_rbldnsd(t, z, &l, out.f, &warnings);
		rc = close_output(&out, rc == CTL_OK) == CTL_OK ? rc : CTL_ERR;
	}
	if (warnings > 20)
		fprintf(stderr, "rblctl: %u warnings in all\n", warnings);
	rbl_txn_abort(t);
	free(z);
	return rc;
}
