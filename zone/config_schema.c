/*
 * config_schema.c -- every section and key rbld.conf may contain.
 *
 * One table for all programs, so any of them can check the whole file.
 * Each component keeps its keys together under its own section; the text
 * of doc/rbld.conf.5 follows this table.
 */
#include <stddef.h>

#include "config.h"

const rbl_conf_section_def rbl_conf_sections[] = {
	{ "server", 0, false, "the DNS server rbld" },
	{ "list",   1, true,  "a list of listings (title: list name)" },
	{ "zone",   1, true,  "a DNS zone answering from lists (title: zone name)" },
	{ "rdns",   0, false, "rDNS classification and policy ranges (doc/rdns.md)" },
	{ NULL, 0, false, NULL }
};

const rbl_conf_key rbl_conf_keys[] = {
	/* server: rbld */
	{ "server", "listen", RBL_CT_LISTEN, true,
	  "address[@port] to answer on, UDP and TCP (default 127.0.0.1@53)" },
	{ "server", "database", RBL_CT_STR, false,
	  "directory of the LMDB store (default /var/lib/rbld)" },
	{ "server", "map-size", RBL_CT_SIZE, false,
	  "largest size the store may grow to (default 16G)" },
	{ "server", "threads", RBL_CT_U32, false,
	  "UDP worker threads (default: number of CPUs)" },
	{ "server", "user", RBL_CT_STR, false,
	  "drop privileges to this user after binding (default: stay)" },
	{ "server", "pidfile", RBL_CT_STR, false, "write the PID here" },
	{ "server", "log", RBL_CT_STR, false, "stderr (default) or syslog" },
	{ "server", "version", RBL_CT_STR, false,
	  "answer for CH TXT version.bind; \"none\" refuses (default rbld version)" },
	{ "server", "identity", RBL_CT_STR, false,
	  "answer for CH TXT id.server; \"none\" refuses (default: host name)" },
	{ "server", "edns-buffer-max", RBL_CT_U32, false,
	  "largest UDP answer with EDNS, 512..65535 (default 1232)" },
	{ "server", "tcp-idle-timeout", RBL_CT_DURATION, false,
	  "close idle TCP connections after this (default 10s)" },
	{ "server", "tcp-read-timeout", RBL_CT_DURATION, false,
	  "close TCP connections that leave a message unfinished this long (default 5s)" },
	{ "server", "tcp-max-connections", RBL_CT_U32, false,
	  "TCP connections at once, in total (default 512)" },
	{ "server", "tcp-max-per-client", RBL_CT_U32, false,
	  "TCP connections at once from one address (default 16)" },
	{ "server", "tcp-max-pipeline", RBL_CT_U32, false,
	  "queries read ahead on one TCP connection (default 32)" },
	{ "server", "stats-file", RBL_CT_STR, false,
	  "shared counters for rbl-admin (default <database>/rbld.stats)" },
	{ "server", "purge-interval", RBL_CT_DURATION, false,
	  "how often rblctl purge / rbl-import remove expired entries (default 1h)" },

	/* list: created in the store by `rblctl init` / `rblctl config apply` */
	{ "list", "kind", RBL_CT_STR, false, "ip (IPv4 and IPv6) or name (domains)" },
	{ "list", "default-code", RBL_CT_CODE, false,
	  "A record of entries without their own (default 127.0.0.2)" },
	{ "list", "default-txt", RBL_CT_STR, false,
	  "TXT template of entries without their own; $ is the query" },

	/* zone */
	{ "zone", "list", RBL_CT_STR, true,
	  "a list to answer from: \"name\" or \"name@sublabel\"" },
	{ "zone", "ns", RBL_CT_NAME, true, "name server (NS record at the apex)" },
	{ "zone", "glue", RBL_CT_STR, true,
	  "\"name address\": A/AAAA of an in-zone name server" },
	{ "zone", "soa-mname", RBL_CT_NAME, false, "SOA primary name server" },
	{ "zone", "soa-rname", RBL_CT_NAME, false, "SOA mailbox (hostmaster.example.org)" },
	{ "zone", "ttl", RBL_CT_DURATION, false, "TTL of A/TXT answers (default 300)" },
	{ "zone", "neg-ttl", RBL_CT_DURATION, false,
	  "negative-answer TTL and SOA minimum (default 300)" },
	{ "zone", "ns-ttl", RBL_CT_DURATION, false, "TTL of apex SOA/NS (default 86400)" },
	{ "zone", "refresh", RBL_CT_DURATION, false, "SOA refresh (default 3600)" },
	{ "zone", "retry", RBL_CT_DURATION, false, "SOA retry (default 600)" },
	{ "zone", "expire", RBL_CT_DURATION, false, "SOA expire (default 604800)" },
	{ "zone", "test-entries", RBL_CT_BOOL, false,
	  "add the RFC 5782 test entries (default yes)" },

	/* rdns: rbl-import rdns, the review queue, the policy list */
	{ "rdns", "rules-file", RBL_CT_STR, false,
	  "classifier rules (default: the built-in set, see doc/rdns.md)" },
	{ "rdns", "psl-file", RBL_CT_STR, false,
	  "public suffix list (default /usr/share/publicsuffix/public_suffix_list.dat)" },
	{ "rdns", "psl-private", RBL_CT_BOOL, false,
	  "also use the list's PRIVATE section (default no)" },
	{ "rdns", "resolver", RBL_CT_LISTEN, false,
	  "address[@port] of the resolver for live PTR lookups (default 127.0.0.1@53)" },
	{ "rdns", "concurrency", RBL_CT_U32, false,
	  "PTR queries in flight at once (default 64)" },
	{ "rdns", "timeout", RBL_CT_DURATION, false,
	  "wait this long for an answer before retrying (default 2s)" },
	{ "rdns", "retries", RBL_CT_U32, false,
	  "tries after the first one, per address (default 2)" },
	{ "rdns", "rate", RBL_CT_U32, false,
	  "PTR queries per second at most, 0 = no limit (default 500)" },
	{ "rdns", "min-coverage", RBL_CT_U32, false,
	  "percent of a proposed block's addresses that must have names (default 50)" },
	{ "rdns", "min-agreement", RBL_CT_U32, false,
	  "percent of its non-infrastructure names with the template (default 90)" },
	{ "rdns", "min-named", RBL_CT_U32, false,
	  "named addresses a proposal needs at least (default 8)" },
	{ "rdns", "max-infrastructure", RBL_CT_U32, false,
	  "percent of named addresses that may be carved out (default 10)" },
	{ "rdns", "widest-v4", RBL_CT_U32, false,
	  "largest IPv4 block proposed, as a prefix length (default 16)" },
	{ "rdns", "narrowest-v4", RBL_CT_U32, false,
	  "smallest IPv4 block proposed, as a prefix length (default 28)" },
	{ "rdns", "widest-v6", RBL_CT_U32, false,
	  "largest IPv6 block proposed (default 112)" },
	{ "rdns", "narrowest-v6", RBL_CT_U32, false,
	  "smallest IPv6 block proposed (default 124)" },
	{ "rdns", "list", RBL_CT_STR, false,
	  "IP list that confirmed ranges are published in (default policy)" },
	{ "rdns", "code-dynamic", RBL_CT_CODE, false,
	  "A record of dynamic/end-user ranges (default 127.0.0.10)" },
	{ "rdns", "code-static", RBL_CT_CODE, false,
	  "A record of static end-user ranges (default 127.0.0.11)" },
	{ "rdns", "txt-dynamic", RBL_CT_STR, false,
	  "TXT of dynamic ranges; $ is the address (default explains the policy)" },
	{ "rdns", "txt-static", RBL_CT_STR, false,
	  "TXT of static end-user ranges; $ is the address" },
	{ "rdns", "policy-url", RBL_CT_STR, false,
	  "where range owners learn how to change a listing (quoted in the TXT)" },
	{ "rdns", "auto-confirm", RBL_CT_BOOL, false,
	  "publish proposals at or above auto-confirm-confidence unreviewed (default no)" },
	{ "rdns", "auto-confirm-confidence", RBL_CT_U32, false,
	  "percent confidence auto-confirm needs (default 95)" },

	{ NULL, NULL, 0, false, NULL }
};
