/*
 * hugepages.h -- rbld keeps its store's map in 2 MiB pages.
 *
 * At 100M entries a lookup's speed is decided by whether the store's pages
 * are mapped 2 MiB at a time (doc/performance.md, "100M: huge pages
 * decide"), and a store another process just wrote sits in the page cache
 * in 4 KiB ones.  rbl_store_rehuge reads such regions in again.  rbld runs
 * it once before the workers answer, and then from the main thread (never
 * a worker) after changes: when the store's last commit or its file's
 * blocks (a compaction after a big commit punches holes, which splits
 * 2 MiB pages) moved and have stayed for about a second, or have been
 * moving for ten, one pass.  Each
 * pass re-reads only regions that are not 2 MiB-mapped already (where the
 * kernel can tell), so a pass after a small change costs little.
 *
 * Not thread-safe: one thread (rbld's main one) calls these.
 */
#ifndef RBLD_HUGEPAGES_H
#define RBLD_HUGEPAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/store/store.h"

typedef struct rbl_hugepages {
	bool on;		/* server: huge-pages (default yes) */
	rbl_store_mark done;	/* the store when the last pass began */
	rbl_store_mark seen;	/* the store at the last tick */
	int64_t changed_ms;	/* when SEEN changed (monotonic) */
	int64_t since_ms;	/* when the store first moved past DONE */
	bool pending;		/* a change not passed over yet */
} rbl_hugepages;

/* The first pass, before the workers answer (H->on set by the caller);
 * logs what it did.  Never fails: it is advice. */
void rbl_hugepages_start(rbl_hugepages *h, rbl_store *s);
/* Call about once a second: runs a pass when commits call for one, and
 * logs it when it read something in again. */
void rbl_hugepages_tick(rbl_hugepages *h, rbl_store *s);

#endif
