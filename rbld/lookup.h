/*
 * lookup.h -- decide the answer to a parsed query: the policy, no wire.
 *
 * rbl_lookup() finds the zone, classifies the name (apex, in-zone name
 * server, sub-label apex, listed entry, empty non-terminal, nothing) and
 * asks the store, one descent per list of the zone.  The zone's fixed
 * records at the name (generic data) are answered beside what the lists
 * say, and make the name exist.  The result is an
 * rbl_decision that answer.c turns into wire format.  Nothing allocates:
 * the decision is owned by the caller (a worker keeps one) and its
 * rbl_match TXT pointers stay valid until the worker's read transaction is
 * reset.
 */
#ifndef RBLD_LOOKUP_H
#define RBLD_LOOKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/store/store.h"
#include "query.h"
#include "zonetab.h"

enum rbl_answer_kind {
	RBL_ANS_RCODE = 0,	/* only a header (+question): errors */
	RBL_ANS_LISTED,		/* A/TXT of the matches */
	RBL_ANS_NODATA,		/* NOERROR, SOA in authority */
	RBL_ANS_NXDOMAIN,	/* NXDOMAIN, SOA in authority */
	RBL_ANS_APEX,		/* SOA and/or NS at the zone apex */
	RBL_ANS_GLUE,		/* A/AAAA of an in-zone name server */
	RBL_ANS_CHAOS,		/* CH TXT version.bind / id.server */
	RBL_ANS_XFR		/* AXFR: NOTIMP; IXFR (UDP): the SOA */
};

#define RBL_SUBJECT_MAX	(RBL_NAME_MAX + 1)

typedef struct rbl_decision {
	int kind;			/* rbl_answer_kind */
	int rcode;			/* dns_rcode of the answer */
	uint8_t key_err;		/* rbl_key_err answered (keytab.h) */
	bool aa;			/* authoritative (in one of our zones) */
	rbl_zt_zone *zone;		/* NULL unless in a zone */
	uint32_t serial;		/* the zone's current SOA serial */
	const char *chaos_txt;		/* RBL_ANS_CHAOS */
	/* The zone's fixed records at the name: answered (those of the
	 * question's type) with RBL_ANS_LISTED, _NODATA and _APEX. */
	const rbl_zt_rec *recs;
	unsigned n_recs;
	unsigned n_matches;		/* RBL_ANS_LISTED */
	rbl_match matches[RBL_ZONE_MAX_LISTS];
	const rbl_zt_list *match_list[RBL_ZONE_MAX_LISTS];
	/* The $ of each match's TXT: address text or domain name. */
	char subject[RBL_ZONE_MAX_LISTS][RBL_SUBJECT_MAX];
} rbl_decision;

/* The access key of the query being answered (keytab.h), which the
 * engine finds before the client policy: a keyed query is answered by
 * its key, not by the client ACL. */
typedef struct rbl_key_use {
	bool checked;			/* ZONE below was looked up */
	bool present;			/* a key label is left of the zone */
	uint8_t err;			/* rbl_key_err */
	rbl_zt_zone *zone;		/* the query's zone (CHECKED) */
	struct rbl_kt_key *key;		/* NULL: unknown or absent */
} rbl_key_use;

/* What the lookup reads: the worker's snapshot and settings. */
typedef struct rbl_lookup_env {
	rbl_txn *txn;			/* the worker's read transaction */
	rbl_zonetab *zonetab;
	int64_t now;			/* unix seconds, read once per batch */
	const char *version;		/* CH TXT version.bind; NULL refuses */
	const char *identity;		/* CH TXT id.server; NULL refuses */
	const rbl_key_use *key;		/* this query's; NULL: no zone takes keys */
} rbl_lookup_env;

/* Decide the answer for Q (parsed, rcode NOERROR) into D.  Store errors
 * become SERVFAIL decisions; the function itself cannot fail. */
void rbl_lookup(const rbl_lookup_env *env, const rbl_query *q,
		rbl_decision *d);

/* What a query's lookup will read, to ask for ahead of it: ADDR in IP
 * list LIST_ID (rbl_ip_prefetch_stage), when ON. */
typedef struct rbl_prefetch {
	bool on;
	uint32_t list_id;
	rbl_addr addr;
} rbl_prefetch;

/* Before rbl_lookup(ENV, Q) of a batch's later query: when Q asks for
 * an IPv4 address in an IP list of a zone (class IN, no access keys;
 * the first such list of a combined zone), *PF says which, else PF->ON
 * is false.  Decides and changes nothing. */
void rbl_lookup_prefetch(const rbl_lookup_env *env, const rbl_query *q,
			 rbl_prefetch *pf);

/* Whether rbl_lookup_prefetch can pay in ENV's snapshot: some IP list of
 * the zone table is big enough (rbl_ip_prefetch_pays).  Once per batch:
 * below that, parsing a packet twice costs more than the misses saved. */
bool rbl_lookup_prefetch_pays(const rbl_lookup_env *env);

/* Set D to an answer that is just RCODE (no zone, no AA). */
void rbl_decision_rcode(rbl_decision *d, int rcode);

#endif
