/*
 * rrl.h -- response rate limiting (as BIND, Knot and NSD do it).
 *
 * Spoofed queries make a DNS server reflect (and amplify) traffic at a
 * victim.  RRL counts the UDP responses going to each client prefix (/24
 * IPv4, /56 IPv6 by default) in three classes with their own rates:
 * answers (NOERROR), NXDOMAIN (generous: most DNSBL answers are
 * NXDOMAIN), and errors (REFUSED, FORMERR, SERVFAIL, ...).
 *
 * Each (prefix, class) has a credit: it grows by RATE per second up to
 * RATE (one second's burst) and every response spends one.  Below zero the
 * response is limited; the debt may grow to WINDOW seconds' worth, so a
 * flood stays limited for up to WINDOW seconds after it stops.  A limited
 * response is dropped, except every SLIP-th one, which is sent truncated
 * (TC=1, no records) so a real resolver behind a spoofed-upon prefix
 * retries over TCP, which is never limited.  Exempt prefixes are never
 * limited; in dry-run mode limited responses are only counted.
 *
 * The counts are a client table (clienttab.h), as the quotas' are: per
 * worker thread, fixed-size and allocated at start: no locks, no
 * allocation per query.  When the table is full the least
 * recently used of a few candidate entries is reused.  rbld steers all
 * queries of one prefix to one UDP worker (steer.h), so per-worker counts
 * are the whole count.
 */
#ifndef RBLD_RRL_H
#define RBLD_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "acl.h"

enum rbl_rrl_class { RBL_RRL_ANSWER = 0, RBL_RRL_NXDOMAIN, RBL_RRL_ERROR,
		     RBL_RRL_NCLASSES };

enum rbl_rrl_verdict { RBL_RRL_SEND = 0, RBL_RRL_SLIP, RBL_RRL_DROP };

typedef struct rbl_rrl_conf {
	uint32_t rate[RBL_RRL_NCLASSES];	/* per second; 0: unlimited */
	uint32_t window;			/* seconds, >= 1 */
	uint32_t slip;				/* 0: drop all, 1: slip all */
	uint8_t prefix4, prefix6;		/* 1..32, 1..64 */
	uint32_t table_size;			/* entries per worker */
	bool dry_run;
	bool log;				/* log prefixes as they start */
	const rbl_acl *exempt;			/* NULL: none (not owned) */
} rbl_rrl_conf;

/* True when CONF limits anything at all. */
bool rbl_rrl_enabled(const rbl_rrl_conf *conf);

typedef struct rbl_rrl rbl_rrl;

/* A table for one worker under CONF (kept by pointer: it must outlive the
 * table).  RBL_OK or RBL_ENOMEM. */
int rbl_rrl_new(const rbl_rrl_conf *conf, rbl_rrl **out);
void rbl_rrl_free(rbl_rrl *r);

/* Account one UDP response of class CLS to CLIENT at unix time NOW and say
 * what to do with it.  In dry-run mode always RBL_RRL_SEND; *LIMITED says
 * whether the response was over the limit (counted either way). */
int rbl_rrl_check(rbl_rrl *r, const rbl_addr *client, int cls, int64_t now,
		  bool *limited);

/* The class of a response with DNS rcode RCODE. */
int rbl_rrl_class_of(int rcode);

/* Turn the answer MSG (LEN bytes, written for a query whose question ends
 * at QEND and that had an OPT record when HAS_OPT) into its slip form in
 * place: header, question, OPT, TC=1, no records.  Returns the new
 * length. */
size_t rbl_rrl_slip(uint8_t *msg, size_t len, size_t qend, bool has_opt);

#endif
