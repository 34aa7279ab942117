/*
 * engine.h -- one worker's query engine: packet in, answer out.
 *
 * An rbl_engine holds everything a worker needs to answer without
 * allocating: its own read transaction on the store, its zone table, the
 * parsed query and the decision.  The transport code (udp.c, tcp.c) calls
 *
 *     rbl_engine_begin(e)       once per receive batch: fresh snapshot of
 *                               the store (commits by other processes
 *                               become visible here), the time, and the
 *                               zone table when zones or lists changed;
 *     rbl_engine_answer_from(e, client, ...)
 *                               for each packet of the batch;
 *     rbl_engine_end(e)         after the batch: releases the snapshot so
 *                               an idle worker pins no old pages;
 *
 * and, in a batch of several packets, rbl_engine_ahead(e, batch, i)
 * before answering packet i: the memory the lookups of the packets
 * after it will read is asked for, in stages, so that the cache misses
 * of several queries overlap (udp.c).
 *
 * Each answer is a sequence of steps (engine.c): parse, admit (client
 * ACL and quota, access.h), cookie (the COOKIE option judged, cookie.h;
 * a UDP query without a valid server cookie gets BADCOOKIE when the
 * configuration requires one), decide (lookup, then the ACL's rewrite),
 * write, limit (RRL, UDP only; a valid server cookie exempts, a limited
 * answer to a client cookie slips as BADCOOKIE), sign (TSIG, at the
 * record the parser found, when the query was signed).  rbl_engine_begin() also adopts a
 * client policy reloaded since the last batch.  No sockets are involved,
 * so tests feed packets straight in.  An engine belongs to one thread.
 */
#ifndef RBLD_ENGINE_H
#define RBLD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/kstats.h"
#include "zone/qstats.h"
#include "zone/store/store.h"
#include "answer.h"
#include "lookup.h"
#include "access.h"
#include "keytab.h"
#include "query.h"
#include "zonetab.h"

enum rbl_transport { RBL_TRANSPORT_UDP = 0, RBL_TRANSPORT_TCP = 1 };

#define RBL_EDNS_BUFFER_DEFAULT	1232

/* Settings shared by all engines of a server (read-only once running). */
typedef struct rbl_engine_conf {
	const char *version;		/* CH TXT version.bind; NULL refuses */
	const char *identity;		/* CH TXT id.server; NULL refuses */
	uint16_t edns_buffer_max;	/* cap on UDP answers with EDNS */
	rbl_access_live *access;	/* ACL, quota, RRL; NULL: none */
	/* The transfer settings (xfr_conf.h), for their TSIG keys: signed
	 * queries (secondaries asking for the SOA) get signed answers.
	 * NULL, or no keys: TSIG is not looked at. */
	const struct rbl_xfr_live *xfr;
	/* Per-key and per-zone counters of all workers (zone/kstats.h),
	 * read for the keys' daily quotas; NULL: each engine counts in
	 * memory of its own. */
	rbl_kstats *kstats;
} rbl_engine_conf;

typedef struct rbl_engine {
	rbl_store *store;		/* not owned */
	const rbl_engine_conf *conf;	/* not owned */
	rbl_txn *txn;			/* owned read transaction */
	bool txn_live;			/* renewed and not yet reset */
	bool store_ok;			/* the last renew/refresh worked */
	rbl_zonetab zonetab;
	rbl_lookup_env env;
	rbl_qstats_slot *stats;		/* the worker's slot (not owned) */
	rbl_qstats_slot own_stats;	/* used when no slot was given */
	rbl_query query;
	rbl_decision decision;
	const rbl_access *access_cur;	/* the policy adopted (not owned) */
	unsigned access_gen;		/* ... its generation */
	bool access_on;			/* ACCESS_CUR does something */
	rbl_access_state access;	/* this worker's RRL/quota tables */
	/* Access keys (keytab.h): the zones' settings come with the
	 * policy, the keys from the store. */
	bool keys_on;			/* some zone takes keys */
	rbl_keytab keytab;
	rbl_key_use key;		/* the current query's */
	rbl_kstats_area *karea;		/* this worker's counters */
	rbl_kstats_area *karea_own;	/* owned, when CONF has no kstats */
	uint64_t annot_gen;		/* zone table annotated at ... */
	const rbl_access *annot_access;	/* ... under this policy */
	bool annotated;
	uint32_t day;			/* UTC day of the batch (counters) */
	/* whether this batch's rbl_engine_prefetch calls do anything,
	 * decided at the first of them (rbl_lookup_prefetch_pays) */
	enum { RBL_PREFETCH_UNKNOWN, RBL_PREFETCH_ON, RBL_PREFETCH_OFF }
		prefetch;
} rbl_engine;

/* Set up E for STORE (opened read-only is enough) with CONF and the
 * statistics slot STATS (NULL: a private one); its per-key counters are
 * area SLOT of CONF's kstats, SLOT being STATS' index (rbl_engine_init_at),
 * or area 0 / private memory (rbl_engine_init).  Returns RBL_OK, RBL_ENOMEM
 * (policy tables), or the error of starting the read transaction
 * (RBL_EBUSY, RBL_ESTORE, ...). */
int rbl_engine_init(rbl_engine *e, rbl_store *store,
		    const rbl_engine_conf *conf, rbl_qstats_slot *stats);
int rbl_engine_init_at(rbl_engine *e, rbl_store *store,
		       const rbl_engine_conf *conf, rbl_qstats_slot *stats,
		       unsigned slot);
void rbl_engine_fini(rbl_engine *e);

/* Start a batch at unix time NOW (0: read the clock).  On a store error
 * the batch is answered SERVFAIL; the error is returned for logging. */
int rbl_engine_begin(rbl_engine *e, int64_t now);
void rbl_engine_end(rbl_engine *e);

/* Answer the QLEN-byte packet Q that came over TRANSPORT into OUT (CAP
 * bytes, at least 512; TCP answers use up to min(CAP, 65535)).  Returns
 * RBL_OK with *OUTLEN set, or RBL_EFORMAT when the packet is to be
 * dropped (too short to answer, or not a query). */
int rbl_engine_answer(rbl_engine *e, const uint8_t *q, size_t qlen,
		      int transport, uint8_t *out, size_t cap,
		      size_t *outlen);
/* The same for a packet from CLIENT (NULL: unknown), which the policy of
 * CONF applies to: RBL_EFORMAT also when an ACL rule ignores the client or
 * RRL drops the answer (UDP only). */
int rbl_engine_answer_from(rbl_engine *e, const struct sockaddr *client,
			   const uint8_t *q, size_t qlen, int transport,
			   uint8_t *out, size_t cap, size_t *outlen);
/* A batch of N packets (PKT[i], LEN[i] bytes), as the transport holds
 * it, with room PF for each packet's prefetch (rbl_engine_ahead). */
typedef struct rbl_batch {
	const uint8_t *const *pkt;
	const size_t *len;
	rbl_prefetch *pf;
	unsigned n;
} rbl_batch;

/* Answers apart of a packet's prefetch stages; the last stage runs for
 * this many packets at once, 3 to 5 answers before theirs. */
#define RBL_ENGINE_AHEAD	3

/* Between rbl_engine_begin() and _end(), before answering packet I of
 * batch B (I = 0, 1, ... in turn; B->n of 2 or more): the packets ahead
 * of it are taken a stage further through the prefetch of what their
 * lookups will read (rbl_lookup_prefetch, rbl_ip_prefetch_stage), each
 * stage RBL_ENGINE_AHEAD answers after the one before, so that a stage
 * finds in the cache what the one before asked for, the last one for
 * RBL_ENGINE_AHEAD packets together (engine.c says why).  Answers, counts
 * and decides nothing; any packet is allowed.  False when prefetching
 * does not pay in this batch (rbl_lookup_prefetch_pays, asked once):
 * later calls would do nothing. */
bool rbl_engine_ahead(rbl_engine *e, const rbl_batch *b, unsigned i);

#endif
