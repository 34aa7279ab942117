/*
 * access.h -- who gets which answer: client ACLs, daily quotas and
 * response rate limiting, as steps of the answer path (engine.c).
 *
 * rbl_access is configuration (rbld.conf acl:, quota:, rrl: sections, see
 * rbld.conf(5)), built once at start into in-memory tables and then only
 * read, by every worker.  rbl_access_state is one worker's counting
 * tables.  The engine calls, for each query from a known client:
 *
 *   rbl_access_admit()    before the lookup: the ACL rule that applies
 *                         (global rules merged with the zone's, longest
 *                         prefix wins, the zone's on a tie), else the
 *                         quota's action once the client is over it,
 *                         else NULL (answer normally);
 *   rbl_access_rewrite()  after the lookup: "empty" turns listings into
 *                         NXDOMAIN, "answer" gives the fixed A/TXT for
 *                         every name below the zone (the apex, glue and
 *                         errors stay as they are);
 *   rbl_access_limit()    after the answer is written, UDP only: RRL.
 * Nothing here allocates per query or takes a lock.
 */
#ifndef RBLD_ACCESS_H
#define RBLD_ACCESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zone/addr.h"
#include "zone/config/config.h"
#include "acl.h"
#include "lookup.h"
#include "query.h"
#include "quota.h"
#include "rrl.h"
#include "zonetab.h"

typedef struct rbl_zone_acl {
	rbl_zt_name zone;		/* lowercase wire name */
	rbl_acl *acl;			/* global rules, then the zone's */
} rbl_zone_acl;

typedef struct rbl_access {
	rbl_acl *acl;			/* global rules; NULL: none */
	rbl_zone_acl *zone_acls;	/* owned */
	size_t n_zone_acls, cap_zone_acls;
	rbl_rrl_conf rrl;
	rbl_acl *rrl_exempt;		/* owned; rrl.exempt points here */
	rbl_quota_conf quota;
	rbl_acl *quota_exempt;		/* owned; quota.exempt points here */
	/* Zones that take access keys (zone: keys, key-help; keytab.h):
	 * keyed queries are answered by their key, not by the rules above. */
	struct rbl_zone_keys *zone_keys;	/* owned */
	size_t n_zone_keys;
} rbl_access;

/* Defaults: no ACL, no quota, no RRL (prefixes /24 and /56, which also
 * steer clients to workers).  P must be freed with rbl_access_free(). */
void rbl_access_init(rbl_access *p);
/* Read the acl:, quota: and rrl: sections and the zones' keys options of C into P (initialised),
 * loading the rbldnsd acl files they name.  RBL_OK, or RBL_EINVAL /
 * RBL_EIO / RBL_ENOMEM with "path:line: ..." in ERR. */
int rbl_access_load(const rbl_conf *c, rbl_access *p, char *err,
		    size_t errlen);
void rbl_access_free(rbl_access *p);
/* True when P does anything at all (else the engine skips every step). */
bool rbl_access_active(const rbl_access *p);
/* One line for the start-up log ("acl 3 rules, rrl 20/100/20 per s, ..."). */
void rbl_access_describe(const rbl_access *p, char *buf, size_t len);

/* The policy in force, which the main thread may replace while workers
 * run (SIGHUP): it stores a new CURRENT, then bumps GENERATION; each
 * worker adopts the new policy at the start of its next batch (new
 * tables: RRL and quota counts start again).  A replaced policy must stay
 * allocated while any worker may still use it: rbld keeps them until it
 * stops. */
typedef struct rbl_access_live {
	_Atomic(const rbl_access *) current;	/* NULL: none */
	atomic_uint generation;
} rbl_access_live;

typedef struct rbl_access_state {
	const rbl_access *policy;	/* not owned */
	rbl_rrl *rrl;			/* owned; NULL: no RRL */
	rbl_quota *quota;		/* owned; NULL: no quota */
	rbl_zt_list fixed_list;		/* stands in for a list in answers */
} rbl_access_state;

/* Tables for one worker under P.  RBL_OK or RBL_ENOMEM. */
int rbl_access_state_init(rbl_access_state *s, const rbl_access *p);
void rbl_access_state_fini(rbl_access_state *s);

/* The client address of SA (IPv4-mapped IPv6 as IPv4).  False for other
 * families. */
bool rbl_access_client(const struct sockaddr *sa, rbl_addr *out);

/* What to do with query Q (in ZONE, NULL if none) from CLIENT at unix time
 * NOW: a rule owned by the policy, or NULL to answer normally.  Counts the
 * query against the client's quota; *QUOTA says the quota decided. */
const rbl_acl_rule *rbl_access_admit(rbl_access_state *s,
				     const rbl_addr *client,
				     const rbl_zt_zone *zone, int64_t now,
				     bool *quota);

/* Apply rule R (not NULL, action empty or answer) to the decision D of
 * the lookup.  Returns true when D was changed. */
bool rbl_access_rewrite(rbl_access_state *s, const rbl_acl_rule *r,
			const rbl_addr *client, rbl_decision *d);

/* RRL for the UDP answer MSG of *LEN bytes to query Q from CLIENT with
 * rcode RCODE: RBL_RRL_SEND (as is), RBL_RRL_SLIP (MSG rewritten to its
 * truncated form, *LEN updated) or RBL_RRL_DROP.  *LIMITED says whether
 * the answer was over the limit (also in dry-run mode, which sends). */
int rbl_access_limit(rbl_access_state *s, const rbl_addr *client,
		     const rbl_query *q, int rcode, int64_t now, uint8_t *msg,
		     size_t *len, bool *limited);

#endif
