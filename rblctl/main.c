/*
 * main.c -- rblctl, the operator's command line for the rbld store.
 *
 *   rblctl [-c CONF] [-d DBDIR] [-q] COMMAND [ARGS...]
 *
 * Exit codes: 0 success, 1 error (bad input, unknown zone or list, store
 * failure; nothing was changed), 2 usage (malformed command line).
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_evidence.h"
#include "cmd_user.h"
#include "ctl.h"
#include "zone/error.h"

static const ctl_cmd commands[] = {
	{ "init", cmd_init, "init",
	  "Create the store (in server.database of the configuration, or the\n"
	  "-d directory) if it does not exist, then create and update the\n"
	  "lists and zones the configuration declares (as config apply).\n" },
	{ "config", cmd_config, "config check | config apply",
	  "check   parse the configuration, check every key against the\n"
	  "        schema and the list/zone references, and show what apply\n"
	  "        would change (exit 1 on the first error, with file:line).\n"
	  "apply   create missing lists and zones and update changed settings\n"
	  "        in one transaction; never deletes anything.\n" },
	{ "zone", cmd_zone,
	  "zone create NAME [--kind ip|name] [--no-test-entries] | zone list |"
	  " zone show NAME | zone set NAME KEY=VALUE... | zone delete NAME |"
	  " zone bump-serial NAME...|--all [--above SERIAL]",
	  "create   make list NAME (unless it exists) and zone NAME answering\n"
	  "         from it, with the RFC 5782 test entries unless\n"
	  "         --no-test-entries.  --kind name for a domain list.\n"
	  "list     one line per zone.\n"
	  "show     every setting of zone NAME and its lists.\n"
	  "set      change settings: ttl, neg-ttl, ns-ttl, refresh, retry,\n"
	  "         expire (durations: 300, 5m, 1h, 1d, 1w), mname, rname,\n"
	  "         ns=a,b (name servers), glue=name/addr,... (in-zone name\n"
	  "         server addresses), lists=l1,l2@sub (lists answering,\n"
	  "         l2 under the label sub).  All are checked before any\n"
	  "         is written.\n"
	  "delete   remove zone NAME; its lists and entries stay.\n"
	  "bump-serial  after restoring a backup: move each serial past\n"
	  "         every one secondaries may hold (at least the unix time\n"
	  "         now, and past SERIAL with --above) and reset the IXFR\n"
	  "         journal, so secondaries fetch the whole zone.\n" },
	{ "list", cmd_list,
	  "list create NAME --kind ip|name [--code C] [--txt T] | list show NAME"
	  " | list set NAME [--code C] [--txt T|--no-txt] | list delete NAME",
	  "create   a list of IP prefixes (--kind ip) or domains (--kind name),\n"
	  "         hashed mail addresses (--kind hash, answered as\n"
	  "         <sha1>.<sublabel>.<zone>) or newly seen domains (--kind\n"
	  "         newly-seen, fed by a domain-policy: 127.0.2.N by the hour)\n"
	  "         with a default return code (127.0.0.2) and TXT template\n"
	  "         ($ is the queried address or name).\n"
	  "show     the list's settings and entry count.\n"
	  "set      change the defaults.\n"
	  "delete   remove the list and all its entries (refused while a zone\n"
	  "         answers from it).\n" },
	{ "lists", cmd_lists, "lists", "One line per list.\n" },
	{ "add", cmd_add,
	  "add LIST ENTRY... [--code C]... [--txt T | --no-txt] "
	  "[--expires DURATION|@UNIXTIME] [--source S] [--reason TEXT] "
	  "[--keep-plain]",
	  "ENTRY for IP lists: 192.0.2.1, 192.0.2.0/24, 2001:db8::/32,\n"
	  "a-b ranges (stored as the fewest CIDR prefixes), rbldnsd forms\n"
	  "(192.0.2, 192.0.2.1-255, 10.16-31), and !ENTRY for an exclusion\n"
	  "inside a wider listing.  For domain lists: example.com (the name),\n"
	  "*.example.com (names below it), .example.com (both), !ENTRY.\n"
	  "For hash lists: a mail address, stored as the SHA-1 of its\n"
	  "lowercase form (what HashBL clients query), or 40 hex digits.\n"
	  "--code C     return code (127.0.0.3 or 3); repeat for several A\n"
	  "--txt T      TXT template, $ = the queried address or name\n"
	  "--no-txt     answer without TXT\n"
	  "--expires    stop answering after DURATION (1h, 7d) or at @UNIXTIME\n"
	  "--source S   who or what listed it (default rblctl:<user>)\n"
	  "--reason T   why, for the audit log (every add is logged)\n"
	  "--keep-plain hash lists: also write the plain address into the\n"
	  "             audit record (by default only its hash is kept)\n"
	  "An entry already stored for the same prefix or name is replaced.\n" },
	{ "del", cmd_del, "del [--reason TEXT] LIST ENTRY...",
	  "Remove the stored entries for exactly these prefixes or names\n"
	  "(every one must exist, or nothing is removed).  Logged in the\n"
	  "audit log with the reason, like add.\n" },
	{ "audit", cmd_audit,
	  "audit [--target T] [--action A] [--user U]",
	  "The audit log as CSV: every change made with rblctl add/del/user\n"
	  "and every action on rbl-admin, with who, when, before and after.\n" },
	{ "lookup", cmd_lookup, "lookup ZONE|LIST SUBJECT",
	  "Answer for SUBJECT (an address or a domain) as rbld would, per list:\n"
	  "listed or not, the stored entry that decided, codes, TXT, expiry,\n"
	  "source and time added.\n" },
	{ "show", cmd_show, "show LIST [--within CIDR]",
	  "The entries of LIST as stored, one per line, in address or name\n"
	  "order.\n" },
	{ "import", cmd_import,
	  "import LIST FILE... [--type T] [--replace [--journal-changes]|"
	  "--merge] [--lenient]",
	  "Read rbldnsd data files (several act as one; gzip is read\n"
	  "transparently) into LIST.  T: ip4set (default for IP lists),\n"
	  "ip4tset, ip4trie, ip6tset, ip6trie, dnset (default for domain\n"
	  "lists), acl (checked only: rbld reads acl files itself, named\n"
	  "in the acl section of rbld.conf).\n"
	  "--merge (default) adds and replaces entries; --replace makes the\n"
	  "list hold the files' entries in one transaction, writing only\n"
	  "what differs (IXFR then sends the whole zone; with\n"
	  "--journal-changes only what changed).  A file with any\n"
	  "error imports nothing.  Overlapping lines are resolved the way\n"
	  "rbldnsd answers them.  --lenient clears CIDR host bits (rbldnsd -e).\n"
	  "Nothing is imported unless every file is read whole: gzip with\n"
	  "its trailer, a pipe or FIFO ending with a newline, no file\n"
	  "changing while read, and with --replace a last line ending with a\n"
	  "newline (a merge warns).  The error names the file and byte.\n"
	  "$TTL: a --replace into the only list of exactly one zone sets that\n"
	  "zone's TTL; otherwise a warning says how (rblctl zone set ZONE\n"
	  "ttl=N).  $SOA and $NS are import-zone's.\n" },
	{ "import-zone", cmd_import_zone,
	  "import-zone ZONE FILE... [--type combined|generic] "
	  "[--replace [--journal-changes]|--merge] [--lenient]",
	  "Read an rbldnsd combined file: each $DATASET type:name section\n"
	  "becomes list ZONE.name (ZONE.<type>-N without a name), attached\n"
	  "to zone ZONE under each of its subzones (@ = the zone itself).\n"
	  "$SOA, $NS and $TTL set the zone's SOA fields, name servers and\n"
	  "TTL.  The zone and lists are created when missing.  Generic\n"
	  "sections (\"name [ttl] A|AAAA|TXT|MX value\" lines) replace the\n"
	  "zone's fixed records; --type generic reads a file of only those.\n"
	  "Files must be read whole as for import, last line included.\n" },
	{ "watch", cmd_watch, "watch [--once] [-v] | watch --status",
	  "Keep the lists with data: lines in rbld.conf equal to those\n"
	  "rbldnsd data files (rbldnsd's zone:type:file,file form; gzip\n"
	  "read as it is): a change of any of a list's files (a rename into\n"
	  "place as rsync does, or a write in place) is imported, once the\n"
	  "files stayed unchanged for mirror settle (300ms), as\n"
	  "  rblctl import LIST FILE... --replace --journal-changes\n"
	  "in one transaction: only the difference is written and\n"
	  "journalled, so secondaries get it by IXFR.  A file that is\n"
	  "incomplete or invalid (gzip without its trailer, no last\n"
	  "newline, changed or vanished while read, a bad line unless\n"
	  "mirror lenient) changes nothing: the reason is logged and\n"
	  "counted (table mirror: watch --status, rbl-admin /metrics) and\n"
	  "the next version of the files is taken.  inotify wakes it;\n"
	  "mirror check-interval (1s) looks at the files as well.  Runs\n"
	  "until SIGTERM (contrib/rbld-mirror.service).\n"
	  "--once     import what changed since the last run, then exit\n"
	  "           (1 when something was refused)\n"
	  "--status   what was imported and refused, per list\n"
	  "-v         log more\n" },
	{ "convert-rbldnsd", cmd_convert_rbldnsd,
	  "convert-rbldnsd [-o FILE] -- RBLDNSD-ARGUMENTS...",
	  "Write the rbld.conf serving what an rbldnsd command line serves\n"
	  "(its options and zone:type:file,... arguments, with or without\n"
	  "the word rbldnsd first): a server section from -b and -u, a list\n"
	  "with data: lines per dataset (rblctl watch keeps it equal to the\n"
	  "files), a zone per zone with its TTL from -t, the mirror section\n"
	  "from -w/-r, -c and -e.  One warning on stderr for each option\n"
	  "rbld handles differently (doc/migration.md).  -o writes FILE\n"
	  "(refused if it exists) instead of stdout.\n" },
	{ "export", cmd_export,
	  "export ZONE|LIST --format rbldnsd|bind [--list] [-o FILE] "
	  "[--max-records N]",
	  "rbldnsd: a list as ip4trie/ip6trie/dnset data (a list with IPv4\n"
	  "and IPv6 entries, or a zone, as one combined file with $SOA and\n"
	  "$NS), sorted and stable so rsync sends only the differences.\n"
	  "bind: the zone as a master file (SOA, NS, one wildcard per octet\n"
	  "boundary).  --list exports the list when a zone has the same\n"
	  "name.  -o writes FILE atomically (FILE.tmp, then renamed).\n"
	  "--max-records (bind, default 1000000) refuses larger output.\n" },
	{ "evidence", cmd_evidence, CMD_EVIDENCE_SYNOPSIS, CMD_EVIDENCE_HELP },
	{ "user", cmd_user,
	  "user add|passwd|del|list ...",
	  "The people who may log in to rbl-admin:\n"
	  "  user add NAME [--role admin] [--password-file F | "
	  "--password-stdin | --random]\n"
	  "  user passwd NAME [same options]\n"
	  "  user del NAME\n"
	  "  user list\n" },
	{ "key", cmd_key,
	  "key add|set|list|show|disable|enable|rotate|del|sync ...",
	  "Access keys for zones with \"keys: accept\" or \"require\" in\n"
	  "rbld.conf; queries name them as ADDRESS.SECRET.ZONE:\n"
	  "  key add NAME [--zones Z,Z] [--quota N] [--contact TEXT]\n"
	  "      prints the new secret; --zones: only these zones (default\n"
	  "      every zone taking keys), --quota: queries per UTC day (0 =\n"
	  "      none, the default)\n"
	  "  key set NAME [--zones Z,Z|*] [--quota N] [--contact TEXT]\n"
	  "  key list              secrets shortened, usage from rbld\n"
	  "  key show NAME         the secret in full, counters from rbld\n"
	  "  key disable|enable NAME\n"
	  "  key rotate NAME       a new secret (printed); the old one stops\n"
	  "  key del NAME\n"
	  "  key sync              last-used times from rbld into the store\n"
	  "                        (purge does this too)\n"
	  "rbld answers by a change at its next query.\n" },
	{ "stats", cmd_stats, "stats",
	  "Entries per list, serial and lists per zone, map size and use.\n" },
	{ "backup", cmd_backup, "backup DIR",
	  "Write a consistent, compacted copy of the store to DIR/data.mdb\n"
	  "(as mdb_copy -c) while rbld and the writers go on: written to\n"
	  "DIR/data.mdb.tmp, synced, then renamed.  To restore: stop rbld\n"
	  "and every writer, put the copy in the store directory as\n"
	  "data.mdb, remove lock.mdb, run rblctl zone bump-serial --all,\n"
	  "start them again (doc/operations.md).\n" },
	{ "compact", cmd_compact, "compact",
	  "Give the disk blocks of the store's free pages back to the file\n"
	  "system while rbld and the writers go on.  LMDB's file never\n"
	  "shrinks, and a replacing import that changes a whole list needs\n"
	  "both copies at once, so data.mdb's length settles near twice the\n"
	  "data; the free pages become holes (du shows the store's real\n"
	  "size; ls still shows the length).  A commit that rewrote many\n"
	  "chunks (a big --replace) does the same by itself; this is for\n"
	  "pages a reader still held then.\n" },
	{ "purge", cmd_purge, "purge [--every DURATION]",
	  "Remove expired entries (they already stopped answering), evidence\n"
	  "past its retention, decayed listing-policy state, and IXFR journal\n"
	  "records older than server journal-retention (default 7d).  With\n"
	  "--every, run again after each DURATION until stopped (zone\n"
	  "transfers only see an expiry once it is purged).\n" },
	{ NULL, NULL, NULL, NULL }
};

static const ctl_cmd *find_cmd(const char *name)
{
	for (const ctl_cmd *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rblctl [-c CONF] [-d DBDIR] [-q] COMMAND [ARGS...]\n"
		"  -c CONF   configuration (default %s)\n"
		"  -d DBDIR  store directory (overrides server.database)\n"
		"  -q        quiet: print errors only\n"
		"commands:\n", CTL_DEFAULT_CONF);
	for (const ctl_cmd *c = commands; c->name; c++)
		fprintf(f, "  %s\n", c->synopsis);
	fprintf(f, "rblctl COMMAND --help explains one.  Exit: 0 ok, 1 error "
		"(nothing changed), 2 usage.\n");
}

static void set_source(ctl *c)
{
	const char *user = getenv("SUDO_USER");
	struct passwd *pw;

	if (!user || !*user) {
		pw = getpwuid(getuid());
		user = pw ? pw->pw_name : "unknown";
	}
	snprintf(c->source, sizeof(c->source), "rblctl:%s", user);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	ctl c = { CTL_DEFAULT_CONF, false, NULL, false, NULL, NULL, "", NULL };
	const ctl_cmd *cmd;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+c:d:qhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': c.conf_path = optarg; c.conf_explicit = true; break;
		case 'd': c.db_dir = optarg; break;
		case 'q': c.quiet = true; break;
		case 'h': usage(stdout); return CTL_OK;
		case 'V': printf("rblctl %s\n", RBL_VERSION); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "rblctl: unknown command \"%s\"\n",
			argv[optind]);
		usage(stderr);
		return CTL_USAGE;
	}
	set_source(&c);
	c.cmd = cmd;
	if (ctl_want_help(cmd, argc - optind, argv + optind))
		return CTL_OK;
	rc = cmd->run(&c, argc - optind, argv + optind);
	if (c.store)
		rbl_store_close(c.store);
	rbl_conf_free(c.conf);
	return rc;
}
