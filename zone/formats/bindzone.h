/*
 * bindzone.h -- write a zone as a BIND master file (RFC 1035 text): the
 * records a secondary gets by AXFR, from the same expansion
 * (xfr_expand.h), so `rblctl export --format bind` and a zone transfer
 * hold the same records.
 *
 * The file starts with $ORIGIN, then the SOA, NS and glue, then the
 * listings in a stable order (address order, then name order), every
 * record with its TTL and owner names relative to the origin.  Excluded
 * names inside a wildcard are TYPE65280 records with empty RDATA
 * ("TYPE65280 \# 0", RFC 3597); see xfr_expand.h for why.  Entries
 * expired at NOW are left out.
 */
#ifndef RBL_BINDZONE_H
#define RBL_BINDZONE_H

#include <stdint.h>
#include <stdio.h>

#include "zone/store/store.h"
#include "zone/xfr/xfr_expand.h"

#define RBL_BIND_PLACEHOLDER_TYPE RBL_XFR_PLACEHOLDER_TYPE

typedef struct rbl_bind_stats {
	uint64_t records;	/* resource records written */
	uint64_t wildcards;	/* of which wildcards */
	uint64_t placeholders;	/* TYPE65280 records hiding excluded names */
} rbl_bind_stats;

/* Write zone Z as seen at time NOW to F.  WARN (may be NULL) receives
 * notes on approximations.  Returns RBL_OK, RBL_ELIMIT (more than
 * MAX_RECORDS records would be needed; 0 = no limit; F then holds a
 * partial file), RBL_EIO, RBL_ENOMEM, or a store error. */
int rbl_bind_write_zone(FILE *f, rbl_txn *t, const rbl_zone *z, int64_t now,
			uint64_t max_records,
			void (*warn)(void *arg, const char *text), void *arg,
			rbl_bind_stats *st);

/* The same with every expansion option (O->now is the time). */
int rbl_bind_write_zone_opts(FILE *f, rbl_txn *t, const rbl_zone *z,
			     const rbl_xfr_opts *o, rbl_bind_stats *st);

#endif
