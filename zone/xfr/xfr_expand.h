/*
 * xfr_expand.h -- a zone's listings as DNS resource records: what AXFR,
 * IXFR and `rblctl export --format bind` send.  One module for all three,
 * so a secondary and a master file hold the same records.
 *
 * A DNSBL answers for ranges; a standard name server only knows names
 * and wildcards at label boundaries.  The records are built so that a
 * secondary answers A and TXT for every full address (4 octet labels,
 * 32 nibble labels) and every domain name exactly as rbld does:
 *
 *   - every stored entry is a point of the label tree: an octet-aligned
 *     prefix is one point ("*.2.0.192" for 192.0.2.0/24, "4.2.0.192" for
 *     a /32); an unaligned one becomes the aligned prefixes inside it (a
 *     /20 is 16 /24 wildcards, a /25 128 names); IPv6 likewise with
 *     nibbles, and never above /16 (a shorter prefix is split into /16s);
 *   - every ancestor of a point is a point too, and answers what the
 *     longest matching entry says for names below it: a name that exists
 *     stops wildcard matching, so each existing name carries the answer
 *     it would otherwise have inherited;
 *   - a point that is not listed but would be matched by its parent's
 *     wildcard (an exclusion, an expired hole) gets a record of the
 *     private type TYPE65280 with empty RDATA (RFC 3597): the name then
 *     exists and A/TXT queries get NODATA, "not listed" to every client;
 *   - IPv4 and IPv6 names share the tree (RFC 5782): a wildcard under
 *     labels that are all single digits would also catch IPv6 names, so
 *     such a wildcard gets the ten digit children as names of their own
 *     and TYPE65280 at the six hex-letter children;
 *   - combined zones: each point answers with the codes and TXT of every
 *     list of its sub-label that matches, as rbld does;
 *   - domain lists: a name entry gives records at the name, a subtree
 *     entry ("*.x", ".x") a wildcard below it, exclusions placeholders.
 * TXT templates: '$' is the queried address or name.  For a name the
 * transfer holds, it is expanded exactly.  A wildcard stands for many
 * names, so a listing whose TXT has '$' is written as one name per
 * address when it covers at most TXT_EXPAND_MAX addresses; above that the
 * wildcard's TXT has the prefix ("192.0.2.0/24") or listed name for '$'
 * (reported through WARN, counted in approx_txt).
 *
 * Transfers render the stored entries (NOW = 0): expiry only reaches a
 * secondary when a purge deletes the entry (and journals it), so that
 * the records of a serial never change and IXFR stays exact.  Exports
 * pass NOW and leave expired entries out.
 *
 * Records are produced in a stable order for a given store (address
 * order, then name order), not in DNSSEC canonical order.
 */
#ifndef RBL_XFR_EXPAND_H
#define RBL_XFR_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/store/store.h"

#define RBL_XFR_PLACEHOLDER_TYPE	65280
#define RBL_XFR_TXT_EXPAND_DEFAULT	256
/* An IXFR over more changed entries than this is sent as a whole zone. */
#define RBL_XFR_DIFF_MAX_KEYS		200000

/* One resource record, class IN.  OWNER is the name relative to the zone
 * apex in wire format without the root label (OWNER_LEN 0: the apex
 * itself); RDATA is uncompressed.  Both point into the producer's scratch
 * memory and are valid only during the callback. */
typedef struct rbl_xrr {
	const uint8_t *owner;
	uint8_t owner_len;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;
} rbl_xrr;

/* Receives records one at a time; non-zero stops the producer, which
 * returns that value. */
typedef int (*rbl_xrr_fn)(void *arg, const rbl_xrr *rr);

typedef struct rbl_xfr_opts {
	int64_t now;		/* 0: every stored entry; else drop entries
				   expired at NOW */
	uint32_t txt_expand_max;/* see above; 0 and 1 never expand */
	uint64_t max_records;	/* 0: no limit; else RBL_ELIMIT beyond */
	void (*warn)(void *arg, const char *text);	/* may be NULL */
	void *warn_arg;
} rbl_xfr_opts;

typedef struct rbl_xfr_stats {
	uint64_t records;	/* records produced */
	uint64_t wildcards;	/* of which wildcards */
	uint64_t placeholders;	/* of which TYPE65280 */
	uint64_t approx_txt;	/* wildcards with '$' not per name */
	uint64_t skipped;	/* names too long for the zone */
} rbl_xfr_stats;

/* Fill O with the defaults: NOW 0, TXT_EXPAND_MAX 256, no limit. */
void rbl_xfr_opts_init(rbl_xfr_opts *o);

/* The SOA record of Z with SERIAL (TTL ns_ttl), as rbld answers it.
 * Returns FN's value or RBL_OK. */
int rbl_xfr_soa(const rbl_zone *z, uint32_t serial, rbl_xrr_fn fn,
		void *arg);

/* Every record of Z but the SOA: apex NS, glue, then the listings, as
 * read from T (the caller's snapshot; Z must come from the same one).
 * ST (may be NULL) is zeroed and filled.  Returns RBL_OK, FN's non-zero
 * value, RBL_ELIMIT (more than O->max_records records), RBL_ENOMEM, or a
 * store error. */
int rbl_xfr_body(rbl_txn *t, const rbl_zone *z, const rbl_xfr_opts *o,
		 rbl_xrr_fn fn, void *arg, rbl_xfr_stats *st);

/*
 * The difference between Z as it was at serial FROM and as it is in T,
 * for IXFR (RFC 1995, one condensed difference sequence): the old
 * records of every region a journal change touched and the new ones are
 * built and compared; records in both are not reported.  DEL receives
 * every record to delete, then ADD every record to add, each in a stable
 * order.  O->now must be 0 (transfers).  *N_CHANGES (may be NULL) gets
 * the number of journal changes replayed.
 * Returns RBL_OK, RBL_ESTALE (the journal does not reach back to FROM,
 * or more than RBL_XFR_DIFF_MAX_KEYS entries changed: send the whole
 * zone), FN's non-zero value, RBL_ELIMIT, RBL_ENOMEM, or a store error.
 */
int rbl_xfr_diff(rbl_txn *t, const rbl_zone *z, uint32_t from,
		 const rbl_xfr_opts *o, rbl_xrr_fn del, rbl_xrr_fn add,
		 void *arg, uint64_t *n_changes);

#endif
