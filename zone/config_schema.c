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
	/* evidence and listing policy (rbl-import, zone/evidence.c, policy.c) */
	{ "evidence", 0, false, "evidence store and import limits" },
	{ "trap",     0, false, "spamtrap mail: where our trust boundary is" },
	{ "reporter", 1, true,  "who may submit abuse reports (title: reporter name)" },
	{ "policy",   1, true,  "evidence -> listing rules for one list (title: policy name)" },
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

	/* evidence: see doc/evidence.md */
	{ "evidence", "retention", RBL_CT_DURATION, false,
	  "keep evidence this long (default 90d)" },
	{ "evidence", "batch", RBL_CT_U32, false,
	  "messages/report lines per import transaction (default 5000)" },
	{ "evidence", "max-message-size", RBL_CT_SIZE, false,
	  "larger messages are skipped (default 10M)" },
	{ "evidence", "max-header-size", RBL_CT_SIZE, false,
	  "messages with a larger header block are skipped (default 256k)" },
	{ "evidence", "accept-unknown-reporters", RBL_CT_BOOL, false,
	  "take reports from reporters not configured (default no)" },
	{ "evidence", "unknown-reporter-weight", RBL_CT_STR, false,
	  "weight of reports from unknown reporters (default 0.5)" },

	/* trap */
	{ "trap", "trusted-network", RBL_CT_ADDR, true,
	  "our relays' addresses: Received hops from here are internal" },
	{ "trap", "trusted-relay", RBL_CT_STR, true,
	  "our relays' names as our relays resolved them; .example.org = below" },
	{ "trap", "weight", RBL_CT_STR, false, "weight of one trap hit (default 1)" },
	{ "trap", "source", RBL_CT_STR, false,
	  "trap name when the message does not say (default \"trap\")" },

	/* reporter: NAME */
	{ "reporter", "weight", RBL_CT_STR, false, "weight of one report (default 1)" },
	{ "reporter", "token", RBL_CT_STR, false,
	  "secret for the HTTP report endpoint (none: endpoint refused)" },
	{ "reporter", "min-prefix4", RBL_CT_U32, false,
	  "widest IPv4 prefix accepted in a list (default 24)" },
	{ "reporter", "min-prefix6", RBL_CT_U32, false,
	  "widest IPv6 prefix accepted in a list (default 48)" },

	/* policy: NAME */
	{ "policy", "list", RBL_CT_STR, false, "the IP list this policy feeds (required)" },
	{ "policy", "weight-trap", RBL_CT_STR, false,
	  "multiplier for trap evidence, 0 ignores it (default 1)" },
	{ "policy", "weight-report", RBL_CT_STR, false,
	  "multiplier for report evidence (default 1)" },
	{ "policy", "weight-manual", RBL_CT_STR, false,
	  "multiplier for manual evidence (default 1)" },
	{ "policy", "half-life", RBL_CT_DURATION, false,
	  "evidence weight halves in this time; 0 = no decay (default 7d)" },
	{ "policy", "threshold", RBL_CT_STR, false,
	  "score at which an address is listed (default 1)" },
	{ "policy", "expire-after", RBL_CT_DURATION, false,
	  "listing ends this long after the last evidence; 0 = by decay only (default 7d)" },
	{ "policy", "code-trap", RBL_CT_CODE, false, "A record for trap listings" },
	{ "policy", "code-report", RBL_CT_CODE, false, "A record for report listings" },
	{ "policy", "code-manual", RBL_CT_CODE, false, "A record for manual listings" },
	{ "policy", "txt-trap", RBL_CT_STR, false, "TXT template for trap listings" },
	{ "policy", "txt-report", RBL_CT_STR, false, "TXT template for report listings" },
	{ "policy", "txt-manual", RBL_CT_STR, false, "TXT template for manual listings" },
	{ "policy", "aggregate", RBL_CT_BOOL, false,
	  "list whole prefixes with enough listed addresses (default no)" },
	{ "policy", "aggregate-prefix4", RBL_CT_U32, false,
	  "IPv4 prefix length to aggregate to (default 24)" },
	{ "policy", "aggregate-prefix6", RBL_CT_U32, false,
	  "IPv6 prefix length to aggregate to (default 64)" },
	{ "policy", "aggregate-min", RBL_CT_U32, false,
	  "distinct listed addresses needed in a prefix (default 5)" },
	{ "policy", "reputation-list", RBL_CT_STR, false,
	  "IP list answering 127.0.4.X (X 0..100) for every address with evidence" },
	{ "policy", "allow-list", RBL_CT_STR, false,
	  "IP list of allowed addresses this policy never lists" },

	{ NULL, NULL, 0, false, NULL }
};
