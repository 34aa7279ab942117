/*
 * quota.h -- per-client query quotas per day.
 *
 * Free DNSBLs limit how much one client may ask a day (Spamhaus and others
 * answer 127.255.255.255 "excessive number of queries" beyond it).  A
 * quota counts the queries of each client prefix (/32 IPv4, /64 IPv6 by
 * default) per UTC day; past QUERIES_PER_DAY the client gets the
 * configured action (usually "answer 127.255.255.255 ...", or refuse or
 * ignore) until the day ends.  Exempt prefixes are never counted.
 *
 * The counts are a client table (clienttab.h), as RRL's are: per worker,
 * fixed-size, allocated at start, used without locks; rbld steers all
 * queries of an RRL prefix (a /24 by default, which holds whole quota
 * prefixes) to one UDP worker, so a worker sees every UDP query of a
 * client.  TCP queries are counted by
 * the TCP thread's own table.  When the table is full a client with the
 * fewest queries among a few candidates loses its count: flooding with
 * many addresses can reset a count, not raise anyone's.
 */
#ifndef RBLD_QUOTA_H
#define RBLD_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/addr.h"
#include "acl.h"

typedef struct rbl_quota_conf {
	uint32_t per_day;		/* 0: no quota */
	uint8_t prefix4, prefix6;	/* 1..32, 1..64 */
	uint32_t table_size;		/* entries per worker */
	rbl_acl_rule over;		/* action past the quota (no prefix) */
	const rbl_acl *exempt;		/* NULL: none (not owned) */
} rbl_quota_conf;

typedef struct rbl_quota rbl_quota;

/* A table for one worker under CONF (kept by pointer).  RBL_OK or
 * RBL_ENOMEM. */
int rbl_quota_new(const rbl_quota_conf *conf, rbl_quota **out);
void rbl_quota_free(rbl_quota *q);

/* Count one query of CLIENT at unix time NOW.  True when the client is
 * past its quota for the day (the query was counted either way). */
bool rbl_quota_over(rbl_quota *q, const rbl_addr *client, int64_t now);

#endif
