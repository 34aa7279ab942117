/*
 * clienttab.h -- counters per client prefix: the one table under
 * response rate limiting (rrl.h) and the daily quotas (quota.h).
 *
 * A table is a power-of-two array allocated once; nothing is allocated
 * per query and nothing is locked (each worker has its own tables; rbld
 * steers a client prefix to one UDP worker, steer.h).  Open addressing:
 * an entry lives in one of RBL_CT_PROBES slots after the hash of its key,
 * so a lookup touches at most that many.  Keys are exact (the prefix
 * bits and a tag the user chooses: address family, class), so two
 * prefixes never share a count, and the hash is seeded at random so
 * that nobody can aim many prefixes at the slots of a victim's entry.
 *
 * Aging and eviction are one rule over two numbers every entry carries:
 *   - EPOCH: an entry from another epoch than the lookup's is stale; a
 *     lookup that finds its own stale entry gets it back cleared;
 *   - RANK: when the key is not among the candidate slots, a free or
 *     stale one is reused, else the one of lowest rank.
 * Quotas count per UTC day: epoch = day, rank = the day's count (a new
 * day clears every count at once with no sweep; a full table forgets the
 * smallest count, so flooding with many addresses can reset a count,
 * never raise one).  RRL has one epoch and ranks by the second of the
 * last response (the least recently used goes).  The rest of an entry
 * (VALUE, SMALL, FLAG) is the user's.
 */
#ifndef RBLD_CLIENTTAB_H
#define RBLD_CLIENTTAB_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zone/addr.h"

#define RBL_CT_PROBES	4

typedef struct rbl_client_entry {
	uint64_t key;		/* prefix bits (rbl_client_key) */
	uint32_t epoch;		/* 0: free */
	uint32_t rank;		/* the lowest goes first when the table is full */
	int32_t value;		/* the user's */
	uint16_t small;		/* the user's */
	uint8_t tag;		/* the user's part of the key */
	uint8_t flag;		/* the user's */
} rbl_client_entry;

typedef struct rbl_clienttab {
	rbl_client_entry *slots;	/* owned */
	size_t mask;			/* slots - 1 */
	uint64_t seed;
} rbl_clienttab;

/* A table of at least SIZE entries (64 .. 2^30, rounded up to a power of
 * two).  RBL_OK or RBL_ENOMEM. */
int rbl_clienttab_init(rbl_clienttab *t, uint32_t size);
void rbl_clienttab_fini(rbl_clienttab *t);

/* The key of A's prefix of BITS bits (1..64, of its first 64: /64 is
 * the longest IPv6 prefix a client is counted by).  Inline: it runs for
 * every query RRL or a quota looks at. */
static inline uint64_t rbl_client_key(const rbl_addr *a, unsigned bits)
{
	uint64_t v;

	memcpy(&v, a->bytes, sizeof v);
	v = be64toh(v);
	return bits >= 64 ? v : v & ~(~0ull >> bits);
}

/* The entry of KEY and TAG in EPOCH (not 0): the one found (*FRESH
 * false), or a cleared one with KEY, TAG and EPOCH set and rank 0 (*FRESH
 * true): the key's own stale entry, a free or stale candidate, or the
 * candidate of lowest rank. */
rbl_client_entry *rbl_clienttab_get(rbl_clienttab *t, uint64_t key,
				    uint8_t tag, uint32_t epoch, bool *fresh);

#endif
