/*
 * rdns_sort.h -- sort "address<TAB>ptr" lines by address in bounded
 * memory (an external merge sort), for `rbl-import rdns sort` and
 * `propose --sort`.
 *
 * Lines are read into a buffer of at most MEM bytes; a full buffer is
 * sorted and written to a temporary run file (created in TMPDIR and
 * unlinked at once, so nothing is left behind, even after a crash).  The
 * runs are then merged, at most RBL_RDNS_SORT_FANIN at a time (further
 * passes when there are more), and every line is handed on in address
 * order (IPv4 before IPv6, numerically; lines of one address keep their
 * input order).  Input that fits the buffer never touches the disk.
 */
#ifndef RBL_IMPORT_RDNS_SORT_H
#define RBL_IMPORT_RDNS_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zone/addr.h"

#define RBL_RDNS_SORT_FANIN	64
#define RBL_RDNS_SORT_MIN_MEM	((size_t)1 << 16)

/* Receives each line in address order; NAME is valid during the call.
 * Non-zero stops the sort and is returned. */
typedef int (*rbl_rdns_sorted_fn)(void *arg, const rbl_addr *a,
				  const char *name);

typedef struct rbl_rdns_sort_opts {
	size_t mem;		/* buffer bytes (>= RBL_RDNS_SORT_MIN_MEM) */
	const char *tmpdir;	/* NULL: $TMPDIR or /tmp */
	bool skip_bad;		/* warn about malformed lines, go on */
} rbl_rdns_sort_opts;

/* Sort the lines of IN (called NAME in messages) and call FN for each.
 * Malformed lines are reported on stderr as "NAME:LINE: ..." and stop the
 * sort (RBL_ESYNTAX) unless O->skip_bad.  *LINES (may be NULL) counts the
 * records.  Returns RBL_OK, RBL_ESYNTAX, RBL_EIO (reading, or the temporary
 * files: the message says which), RBL_ENOMEM, RBL_EINVAL (options), or
 * FN's value. */
int rbl_rdns_sort(FILE *in, const char *name, const rbl_rdns_sort_opts *o,
		  rbl_rdns_sorted_fn fn, void *arg, uint64_t *lines);

#endif
