/*
 * ctl.h -- what the rblctl command files share: the run context (options,
 * configuration, store), error reporting, and the parsers of command-line
 * entries, codes and times.
 *
 * Every command is a function `int cmd_x(ctl *c, int argc, char **argv)`
 * (argv[0] is the command word) returning an exit code: CTL_OK, CTL_ERR
 * (bad input, missing zone, store failure: a message was printed) or
 * CTL_USAGE (malformed command line).  A command validates all of its
 * arguments before it opens a write transaction, and aborts the
 * transaction on any failure, so a failed command changes nothing.
 */
#ifndef RBL_CTL_H
#define RBL_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "zone/config/config.h"
#include "zone/store/entry.h"
#include "zone/store/store.h"

enum { CTL_OK = 0, CTL_ERR = 1, CTL_USAGE = 2 };

#define CTL_DEFAULT_CONF	"/etc/rbld/rbld.conf"
#define CTL_DEFAULT_DB		"/var/lib/rbld"

typedef struct ctl {
	const char *conf_path;	/* -c, or the default */
	bool conf_explicit;	/* -c given: the file must exist */
	const char *db_dir;	/* -d, else server.database, else default */
	bool quiet;		/* -q: only errors */
	rbl_conf *conf;		/* NULL when there is no configuration */
	rbl_store *store;
	char source[RBL_SOURCE_MAX + 1];	/* "rblctl:<user>" */
	const struct ctl_cmd *cmd;	/* the command running, for its usage */
} ctl;

typedef struct ctl_cmd {
	const char *name;
	int (*run)(ctl *c, int argc, char **argv);
	const char *synopsis;	/* one line, after "rblctl [options] " */
	const char *help;	/* details for `rblctl CMD --help` */
} ctl_cmd;

/* ---- messages ---- */

/* "rblctl: text" on stderr; return CTL_ERR. */
int ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "rblctl: text" plus the command's synopsis; return CTL_USAGE. */
int ctl_usage(const ctl_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print unless -q. */
void ctl_say(const ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True for "-h" / "--help"; then print CMD's help to stdout. */
bool ctl_want_help(const ctl_cmd *cmd, int argc, char **argv);
void ctl_print_help(const ctl_cmd *cmd);

/* ---- context ---- */

/* Load the configuration if there is one (see ctl_t).  REQUIRED: a
 * missing file is an error even without -c.  Returns CTL_OK/CTL_ERR. */
int ctl_load_conf(ctl *c, bool required);
/* Open the store (loading the configuration first).  CREATE makes it when
 * absent.  Returns CTL_OK/CTL_ERR. */
int ctl_open_store(ctl *c, bool create);
/* Open the store if it exists, silently: the rbl_error of the open. */
int ctl_try_store(ctl *c);
/* Begin a transaction on the open store; CTL_OK/CTL_ERR. */
int ctl_begin(ctl *c, bool write, rbl_txn **t);
/* Open the store, begin a transaction (a write one with WRITE) and fetch
 * list NAME into L: the one way a command finds the list it works on.
 * CTL_OK with *T open, or CTL_ERR with the reason printed ("no list
 * NAME" and how to make one) and nothing left open. */
int ctl_open_list(ctl *c, const char *name, bool write, rbl_txn **t,
		  rbl_list *l);
/* Commit; on failure print WHAT and the reason.  CTL_OK/CTL_ERR. */
int ctl_commit(rbl_txn *t, const char *what);
/* Print "WHAT: reason" for store error RC and abort T (may be NULL). */
int ctl_fail(rbl_txn *t, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- parsers for arguments ---- */

/* One command-line entry of an IP list: an address, CIDR, "a-b" range or
 * rbldnsd short form ("127.0.0", "127.0.0.1-255"), optionally "!" first.
 * Host bits below a prefix length are an error.  *WHY gets the reason. */
int ctl_parse_ip_entry(const char *s, rbl_addr *lo, rbl_addr *hi,
		       bool *exclude, const char **why);
/* A domain entry: "name", "*.name", ".name", optionally "!" first.  NAME
 * gets the bare lowercase name; *FLAGS the RBL_ENTRY_NAME_* flags. */
int ctl_parse_name_entry(const char *s, char name[RBL_NAME_MAX + 1],
			 uint32_t *flags, bool *exclude);
/* "DURATION" (from now) or "@UNIXTIME" into *WHEN.  CTL_OK/CTL_ERR. */
int ctl_parse_expiry(const char *s, int64_t now, int64_t *when);
/* "ip"/"name" (also "domain"); 0 if neither. */
int ctl_parse_kind(const char *s);
const char *ctl_kind_name(int kind);

/* ---- formatting ---- */

/* "2024-05-01T10:00:00Z", or "never" for 0. BUF >= 32 bytes. */
const char *ctl_time(int64_t t, char *buf);
/* Codes of E, or "default" when it has none.  BUF >= 80 bytes. */
const char *ctl_codes(const rbl_entry *e, char *buf);
/* The list's name for an id, "#ID" if it is gone.  BUF is the list
 * name size. */
const char *ctl_list_name(rbl_txn *t, uint32_t id,
			  char buf[RBL_LIST_NAME_MAX + 1]);

/* The commands (one file per group). */
int cmd_init(ctl *c, int argc, char **argv);
int cmd_config(ctl *c, int argc, char **argv);
int cmd_zone(ctl *c, int argc, char **argv);
int cmd_list(ctl *c, int argc, char **argv);
int cmd_lists(ctl *c, int argc, char **argv);
int cmd_add(ctl *c, int argc, char **argv);
int cmd_del(ctl *c, int argc, char **argv);
int cmd_lookup(ctl *c, int argc, char **argv);
int cmd_show(ctl *c, int argc, char **argv);
int cmd_import(ctl *c, int argc, char **argv);
int cmd_import_zone(ctl *c, int argc, char **argv);
int cmd_export(ctl *c, int argc, char **argv);
int cmd_stats(ctl *c, int argc, char **argv);
int cmd_purge(ctl *c, int argc, char **argv);
int cmd_user(ctl *c, int argc, char **argv);	/* wraps cmd_user.h */
int cmd_audit(ctl *c, int argc, char **argv);
int cmd_backup(ctl *c, int argc, char **argv);
int cmd_watch(ctl *c, int argc, char **argv);
int cmd_convert_rbldnsd(ctl *c, int argc, char **argv);
/* `compact` (cmd_backup.c). */
int cmd_compact(ctl *c, int argc, char **argv);
int cmd_key(ctl *c, int argc, char **argv);
/* Carry rbld's last-used times of access keys into the store (cmd_key.c;
 * purge runs it): the number of keys changed to *N. */
int ctl_key_sync(ctl *c, unsigned *n);
/* `zone bump-serial ...`: ARGV[0] is "bump-serial" (cmd_backup.c). */
int ctl_zone_bump_serial(ctl *c, const ctl_cmd *me, int argc, char **argv);

#endif
