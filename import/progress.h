/*
 * progress.h -- a progress line for bulk imports on a terminal: bar (when
 * the total is known), items, rate and ETA, redrawn at most 5 times a
 * second on stderr; nothing at all when stderr is not a terminal.
 */
#ifndef RBL_PROGRESS_H
#define RBL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct rbl_progress {
	bool on;
	uint64_t total;			/* bytes expected, 0 = unknown */
	struct timespec start, last;
	bool drawn;
} rbl_progress;

/* Start; ON false makes every call a no-op. */
void rbl_progress_start(rbl_progress *p, bool on, uint64_t total_bytes);
/* BYTES done of the total, ITEMS processed so far. */
void rbl_progress_update(rbl_progress *p, uint64_t bytes, uint64_t items);
/* Erase the line (before other output, and at the end). */
void rbl_progress_clear(rbl_progress *p);
/* Seconds since start. */
double rbl_progress_elapsed(const rbl_progress *p);

#endif
