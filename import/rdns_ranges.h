/*
 * rdns_ranges.h -- from classified PTR names to proposed CIDR ranges.
 *
 * Addresses are fed in address order (strictly: grouped by "widest" block,
 * the blocks ascending; sorted input satisfies this).  For each widest
 * block (default /16 for IPv4, /112 for IPv6) the ranger keeps the block's
 * names, then walks the binary tree of CIDR blocks inside it down to the
 * narrowest (default /28, /124).  Every named address is classified
 * (rdns_classify.h) and keyed by its naming template and class.
 *
 * A block QUALIFIES with template T when
 *   - T is the most frequent (template, class) among its named addresses
 *     that are not infrastructure, T's class is dynamic or static, and
 *     agreement = names with T / named non-infrastructure >= min-agreement;
 *   - coverage = named addresses / block size >= min-coverage, for the
 *     block and for every block inside it down to the narrowest (so no
 *     proposal spans an unnamed hole), and at least min-named addresses
 *     have names;
 *   - its infrastructure-named addresses are at most max-infra (per mille
 *     of the named ones) and at most RBL_RDNS_MAX_EXCL: they are carved out
 *     as exclusions, never covered;
 *   - each half that has min-named or more non-infrastructure names has
 *     T as its own most frequent template, with min-agreement, so a block
 *     is split where its template changes even when one template would
 *     win the whole.
 * The largest qualifying blocks are proposed (a qualifying block's halves
 * are not proposed separately).
 *
 * Confidence of a proposal (per mille) =
 *     agreement x rule confidence of T's first name x min(1, 0.5 + cover/2)
 * so a block of "#.dialup.dynamic.example.net" names with every address
 * named reaches 0.95, a full-address-only template at most 0.70.
 *
 * Memory is bounded by the widest block: the names of one block at a time
 * (at most 65536 with the defaults), whatever the input size.
 */
#ifndef RBL_IMPORT_RDNS_RANGES_H
#define RBL_IMPORT_RDNS_RANGES_H

#include <stdint.h>

#include "zone/addr.h"
#include "zone/policy/rdns_review.h"
#include "rdns_classify.h"

typedef struct rbl_rdns_range_opts {
	uint16_t min_coverage;	/* per mille of the block size; 500 */
	uint16_t min_agreement;	/* per mille; 900 */
	uint32_t min_named;	/* names per proposal; 8 */
	uint16_t max_infra;	/* per mille of named names; 100 */
	uint8_t widest4, narrowest4;	/* 16, 28 (prefix lengths) */
	uint8_t widest6, narrowest6;	/* 112, 124 */
} rbl_rdns_range_opts;

/* Fill O with the defaults above. */
void rbl_rdns_range_opts_defaults(rbl_rdns_range_opts *o);

/* Check O: widest <= narrowest, widest at most 2^24 addresses wide,
 * percentages <= 1000.  RBL_OK or RBL_EINVAL. */
int rbl_rdns_range_opts_check(const rbl_rdns_range_opts *o);

typedef struct rbl_rdns_range_stats {
	uint64_t names;			/* address/name pairs fed */
	uint64_t per_class[RBL_RDNS_NCLASS];
	uint64_t bad_names;		/* not host names (class unknown) */
	uint64_t duplicates;		/* an address seen twice: first kept */
	uint64_t special;		/* private, loopback, documentation...
					   (rbl_addr_is_special): skipped */
	uint64_t blocks;		/* widest blocks evaluated */
	uint64_t proposals;		/* proposals emitted */
	uint64_t proposed_addresses;	/* addresses inside them */
} rbl_rdns_range_stats;

/* Receives each proposal; P is valid during the call only.  A non-zero
 * return stops the ranger and is returned by the feeding call. */
typedef int (*rbl_rdns_proposal_fn)(void *arg, const rbl_rdns_proposal *p);
/* Receives each address whose name is infrastructure (for flagging
 * confirmed ranges, rdns_review.h); may be NULL. */
typedef int (*rbl_rdns_infra_fn)(void *arg, const rbl_addr *a,
				 const char *name);

typedef struct rbl_rdns_ranger rbl_rdns_ranger;

/* Create a ranger.  C and O are borrowed (must outlive it); SOURCE (e.g.
 * "rdns:file") is copied into each proposal.  Returns RBL_OK and *OUT,
 * RBL_EINVAL (options), RBL_ENOMEM. */
int rbl_rdns_ranger_new(const rbl_rdns_classifier *c,
			const rbl_rdns_range_opts *o, const char *source,
			rbl_rdns_proposal_fn on_proposal,
			rbl_rdns_infra_fn on_infra, void *arg,
			rbl_rdns_ranger **out);
void rbl_rdns_ranger_free(rbl_rdns_ranger *r);

/* Feed address A with PTR name PTR (not NULL; copied).  May evaluate the
 * previous widest block and call the callbacks.  Returns RBL_OK,
 * RBL_ERANGE when A lies in a widest block before the current one (input
 * not sorted: nothing is half-done, the caller reports the line),
 * RBL_ENOMEM, RBL_ELIMIT (the names of one widest block exceed 4 GiB), or
 * a callback's non-zero value. */
int rbl_rdns_ranger_add(rbl_rdns_ranger *r, const rbl_addr *a,
			const char *ptr);

/* Evaluate the last block.  Call once at the end of the input.  Returns
 * RBL_OK, RBL_ENOMEM or a callback's value. */
int rbl_rdns_ranger_finish(rbl_rdns_ranger *r);

const rbl_rdns_range_stats *rbl_rdns_ranger_stats(const rbl_rdns_ranger *r);

#endif
