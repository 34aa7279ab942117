/*
 * bindzone.h -- write a zone as a BIND master file (RFC 1035 text), with
 * the records printed by ldns.
 *
 * A DNSBL zone holds answers for ranges, which a master file can only
 * express with wildcards at label boundaries, so the file is built from
 * the store's flattened answer map (rbl_ip_foreach_listed):
 *   - an octet-aligned block that answers alike throughout is one record
 *     set: "*.2.0.192.zone" for a /24, "4.2.0.192.zone" for a /32; IPv6
 *     works the same with nibble labels;
 *   - a block that is not uniform gets a wildcard for its most common
 *     listed answer, and its sub-blocks that differ are written one level
 *     down; a /20 is 16 /24 wildcards, a /25 is 128 names;
 *   - an unlisted sub-block inside such a wildcard must not match it: it
 *     is written as a name owning only a record of the private-use type
 *     TYPE65280 with empty RDATA ("\# 0", RFC 3597).  The name then
 *     exists, so the wildcard does not apply to it or anything below it,
 *     and A and TXT queries get NOERROR/NODATA, which every DNSBL client
 *     reads as "not listed".  An empty non-terminal cannot be written in
 *     a master file, TXT or A would change answers, and 65280 is the
 *     first private-use type (65534 is taken by BIND's signing records);
 *   - domain lists: a name entry is a record set at the name, a subtree
 *     entry a wildcard below it; because any existing name stops wildcard
 *     matching, names that exist between a subtree entry and the names
 *     below it get the inherited answer explicitly.
 * TXT templates are expanded per name; for a wildcard, where the queried
 * name is unknown, "$" becomes the covered prefix ("192.0.2.0/24") or, for
 * domains, the listed name (as rbldnsd does), and a warning says so once.
 * The output is sorted and stable.  MAX_RECORDS bounds the expansion.
 */
#ifndef RBL_BINDZONE_H
#define RBL_BINDZONE_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

#define RBL_BIND_PLACEHOLDER_TYPE 65280

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

#endif
