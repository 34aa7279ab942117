/*
 * rdns_resolve.h -- live PTR lookups of whole CIDR blocks through one
 * configured resolver, with ldns.
 *
 * Queries go out over one UDP socket with at most CONCURRENCY in flight,
 * at most RATE per second (a token bucket), each retried RETRIES times
 * after TIMEOUT_MS without an answer.  Answers are matched by query id
 * AND question name.  Addresses are handed to the callback in address
 * order (the ranger needs sorted input), a window of WINDOW addresses at a
 * time, so memory stays bounded whatever the size of the blocks.  A
 * progress bar on stderr shows addresses done, names found and the rate.
 */
#ifndef RBL_IMPORT_RDNS_RESOLVE_H
#define RBL_IMPORT_RDNS_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/addr.h"

typedef struct rbl_rdns_resolve_opts {
	rbl_addr server;	/* the resolver (or an authoritative server) */
	uint16_t port;		/* 53 */
	unsigned concurrency;	/* queries in flight; 64 */
	unsigned timeout_ms;	/* per try; 2000 */
	unsigned retries;	/* tries after the first; 2 */
	unsigned rate;		/* queries per second, 0 = unlimited; 500 */
	bool progress;		/* draw a progress bar on stderr */
} rbl_rdns_resolve_opts;

/* Defaults above, server 127.0.0.1. */
void rbl_rdns_resolve_opts_defaults(rbl_rdns_resolve_opts *o);

typedef struct rbl_rdns_resolve_stats {
	uint64_t queried;	/* addresses asked about */
	uint64_t names;		/* answered with a PTR name */
	uint64_t no_name;	/* NXDOMAIN or no PTR in the answer */
	uint64_t failed;	/* no usable answer after every retry */
	uint64_t retries;	/* queries sent again */
} rbl_rdns_resolve_stats;

/* Called for every address that has a PTR name, in address order.  NAME
 * has no trailing dot and is valid during the call.  After each window it
 * is called once more with A and NAME NULL: a moment to commit work, since
 * the next window means waiting for the network.  Non-zero stops the
 * lookups and is returned. */
typedef int (*rbl_rdns_ptr_fn)(void *arg, const rbl_addr *a,
			       const char *name);

/* Look up every address of the N prefixes in P (each at most 2^24
 * addresses; give them in ascending, non-overlapping order for the
 * callback to see sorted addresses).  STATS (may be NULL) is filled.
 * Returns RBL_OK (even if some lookups failed: see STATS), RBL_EINVAL
 * (options, a prefix too wide), RBL_EIO (socket errors), RBL_ENOMEM, or
 * the callback's value. */
int rbl_rdns_resolve(const rbl_rdns_resolve_opts *o, const rbl_prefix *p,
		     size_t n, rbl_rdns_ptr_fn fn, void *arg,
		     rbl_rdns_resolve_stats *stats);

#endif
