/*
 * ctl.c -- rblctl's shared context, messages and argument parsers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "ctl.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_fmt.h"

/* ---- messages ---- */

int ctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("rblctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_ERR;
}

int ctl_usage(const ctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("rblctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "usage: rblctl [-c CONF] [-d DBDIR] [-q] %s\n"
			"(rblctl %s --help for more)\n", cmd->synopsis,
			cmd->name);
	return CTL_USAGE;
}

void ctl_say(const ctl *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void ctl_print_help(const ctl_cmd *cmd)
{
	printf("usage: rblctl [-c CONF] [-d DBDIR] [-q] %s\n\n%s",
	       cmd->synopsis, cmd->help);
}

bool ctl_want_help(const ctl_cmd *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			ctl_print_help(cmd);
			return true;
		}
	}
	return false;
}

/* ---- context ---- */

int ctl_load_conf(ctl *c, bool required)
{
	char err[RBL_CONF_ERRLEN];
	struct stat st = { 0 };
	int rc;

	if (c->conf)
		return CTL_OK;
	if (!c->conf_explicit && !required &&
	    stat(c->conf_path, &st) != 0 && errno == ENOENT)
		return CTL_OK;	/* no configuration: defaults and -d */
	rc = rbl_conf_load(c->conf_path, &c->conf, err, sizeof(err));
	if (rc == RBL_OK)
		rc = rbl_conf_check(c->conf, err, sizeof(err));
	if (rc != RBL_OK)
		return ctl_err("%s", err);
	return CTL_OK;
}

static int store_settings(ctl *c, const char **dir, uint64_t *mapsize)
{
	const rbl_conf_section *srv = c->conf ?
		rbl_conf_next(c->conf, "server", NULL) : NULL;
	char err[RBL_CONF_ERRLEN];
	const char *db = srv ? rbl_conf_get(srv, "database") : NULL;

	*dir = c->db_dir ? c->db_dir : db ? db : CTL_DEFAULT_DB;
	if (rbl_conf_size(c->conf, srv, "map-size", 0, mapsize, err,
			  sizeof(err)) != RBL_OK)
		return ctl_err("%s", err);
	return CTL_OK;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);

	if (len >= sizeof(path))
		return -1;
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int ctl_try_store(ctl *c)
{
	const char *dir = NULL;
	uint64_t mapsize = 0;

	if (c->store)
		return RBL_OK;
	if (ctl_load_conf(c, false) != CTL_OK ||
	    store_settings(c, &dir, &mapsize) != CTL_OK)
		return RBL_EINVAL;
	return rbl_store_open(dir, 0, (size_t)mapsize, &c->store);
}

int ctl_open_store(ctl *c, bool create)
{
	const char *dir = NULL;
	uint64_t mapsize = 0;
	int rc;

	if (c->store)
		return CTL_OK;
	if (ctl_load_conf(c, false) != CTL_OK ||
	    store_settings(c, &dir, &mapsize) != CTL_OK)
		return CTL_ERR;
	if (create && make_dirs(dir) != 0)
		return ctl_err("cannot create %s: %s", dir, strerror(errno));
	rc = rbl_store_open(dir, create ? RBL_STORE_CREATE : 0,
			    (size_t)mapsize, &c->store);
	if (rc == RBL_ENOTFOUND)
		return ctl_err("no store in %s (rblctl init creates one; -d "
			       "names another directory)", dir);
	if (rc != RBL_OK)
		return ctl_err("cannot open the store in %s: %s", dir,
			       rbl_strerror(rc));
	return CTL_OK;
}

int ctl_begin(ctl *c, bool write, rbl_txn **t)
{
	int rc = rbl_txn_begin(c->store, write, t);

	if (rc != RBL_OK)
		return ctl_err("cannot begin a %s transaction: %s",
			       write ? "write" : "read", rbl_strerror(rc));
	if (write)
		rbl_txn_set_source(*t, c->source);
	return CTL_OK;
}

int ctl_open_list(ctl *c, const char *name, bool write, rbl_txn **t,
		  rbl_list *l)
{
	int rc = RBL_OK;

	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, write, t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_list_get(*t, name, l);
	if (rc == RBL_ENOTFOUND) {
		rbl_txn_abort(*t);
		return ctl_err("no list %s (rblctl lists shows them; list "
			       "create NAME or zone create NAME makes one)",
			       name);
	}
	return rc == RBL_OK ? CTL_OK : ctl_fail(*t, rc, "list %s", name);
}

int ctl_commit(rbl_txn *t, const char *what)
{
	int rc = rbl_txn_commit(t);

	if (rc != RBL_OK)
		return ctl_err("%s: commit failed, nothing changed: %s", what,
			       rbl_strerror(rc));
	return CTL_OK;
}

int ctl_fail(rbl_txn *t, int rc, const char *fmt, ...)
{
	va_list ap;

	if (t)
		rbl_txn_abort(t);
	fputs("rblctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", rbl_strerror(rc));
	return CTL_ERR;
}

/* ---- parsers ---- */

static int ip6_entry(const char *s, rbl_addr *lo, rbl_addr *hi,
		     const char **why)
{
	rbl_prefix p = { 0 };
	int rc;

	if (strchr(s, '-')) {
		rc = rbl_range_parse(s, lo, hi);
		*why = rc == RBL_EINVAL ? "the range ends before it starts, or "
		       "mixes IPv4 and IPv6" : "not an address range a-b";
		return rc;
	}
	rc = rbl_prefix_parse(s, true, &p);
	if (rc == RBL_EINVAL) {
		*why = "host bits set below the prefix length (write the "
		       "network address)";
		return rc;
	}
	if (rc != RBL_OK) {
		*why = "not an IPv6 address or prefix";
		return rc;
	}
	rbl_prefix_first(&p, lo);
	rbl_prefix_last(&p, hi);
	return RBL_OK;
}

int ctl_parse_ip_entry(const char *s, rbl_addr *lo, rbl_addr *hi,
		       bool *exclude, const char **why)
{
	int rc;

	*exclude = s[0] == '!';
	if (*exclude)
		s++;
	*why = "empty";
	if (!*s)
		return RBL_ESYNTAX;
	if (strchr(s, ':'))
		return ip6_entry(s, lo, hi, why);
	rc = rbl_ds_ip4_range(s, true, lo, hi, why);
	if (rc == RBL_EINVAL && strstr(*why, "host bits"))
		*why = "host bits set below the prefix length (write the "
		       "network address)";
	return rc;
}

int ctl_parse_name_entry(const char *s, char name[RBL_NAME_MAX + 1],
			 uint32_t *flags, bool *exclude)
{
	size_t len, label = 0;
	rbl_addr a = { 0 };

	*exclude = s[0] == '!';
	if (*exclude)
		s++;
	*flags = RBL_ENTRY_NAME_EXACT;
	if (s[0] == '*' && s[1] == '.') {
		*flags = RBL_ENTRY_NAME_SUBS;
		s += 2;
	} else if (s[0] == '.') {
		*flags = RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS;
		s++;
	}
	len = strlen(s);
	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > RBL_NAME_MAX || rbl_addr_parse(s, &a) == RBL_OK)
		return RBL_ESYNTAX;	/* an address is no domain entry */
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (!label)
				return RBL_ESYNTAX;
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return RBL_ESYNTAX;
		if (++label > RBL_LABEL_MAX)
			return RBL_ESYNTAX;
		name[i] = (char)tolower(ch);
	}
	for (size_t i = 0; i < len; i++)
		if (s[i] == '.')
			name[i] = '.';
	name[len] = '\0';
	return label ? RBL_OK : RBL_ESYNTAX;
}

int ctl_parse_expiry(const char *s, int64_t now, int64_t *when)
{
	uint32_t d = 0;
	char *end = NULL;

	if (s[0] == '@') {
		long long v;

		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end || v <= 0)
			return ctl_err("--expires %s: expected @UNIXTIME", s);
		*when = v;
		return CTL_OK;
	}
	if (rbl_parse_duration(s, &d) != RBL_OK || d == 0)
		return ctl_err("--expires %s: expected a duration (30m, 2h, 7d)"
			       " or @UNIXTIME", s);
	*when = now + d;
	return CTL_OK;
}

int ctl_parse_kind(const char *s)
{
	return rbl_list_kind_parse(s);
}

const char *ctl_kind_name(int kind)
{
	return rbl_list_kind_name(kind);
}

/* ---- formatting ---- */

const char *ctl_time(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm = { 0 };

	if (t == 0)
		return "never";
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *ctl_codes(const rbl_entry *e, char *buf)
{
	size_t used = 0;

	if (e->n_codes == 0)
		return "default";
	buf[0] = '\0';
	for (unsigned i = 0; i < e->n_codes && i < RBL_MAX_CODES; i++) {
		char one[16];

		used += (size_t)snprintf(buf + used, 80 - used, "%s%s",
					 i ? "," : "",
					 rbl_code_format(e->codes[i], one));
	}
	return buf;
}

const char *ctl_list_name(rbl_txn *t, uint32_t id,
			  char buf[RBL_LIST_NAME_MAX + 1])
{
	rbl_list l = { 0 };

	if (rbl_list_get_id(t, id, &l) == RBL_OK)
		snprintf(buf, RBL_LIST_NAME_MAX + 1, "%s", l.name);
	else
		snprintf(buf, RBL_LIST_NAME_MAX + 1, "#%u", id);
	return buf;
}
