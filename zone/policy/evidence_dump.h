/*
 * evidence_dump.h -- evidence and policy results as text: a deterministic
 * dump of everything (tests compare a crashed-and-rerun import with a
 * clean one; operators diff it) and the explanation of one address that
 * `rblctl evidence IP` and `rbl-import explain` print.
 */
#ifndef RBL_EVIDENCE_DUMP_H
#define RBL_EVIDENCE_DUMP_H

#include <stdint.h>
#include <stdio.h>

#include "zone/addr.h"
#include "zone/policy/policy.h"
#include "zone/store/store.h"

/* Write every evidence record (subject order, newest first), every score
 * state, and every entry of the lists SET's policies write to OUT, one
 * record per line.  Nothing in it depends on when it was written. Returns
 * RBL_OK, RBL_EIO or a store error. */
int rbl_evidence_dump(rbl_txn *t, const rbl_policy_set *set, FILE *out);

/* Explain SUBJECT at NOW: its evidence newest first with each piece's
 * contribution, then per policy the score, threshold, listing, expiry,
 * reputation, allow and block.  At most MAX_EVIDENCE pieces are listed
 * (0 = all).  Returns RBL_OK, RBL_ENOTFOUND (no evidence and no state),
 * RBL_EIO or a store error. */
int rbl_evidence_explain(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *subject, int64_t now,
			 unsigned max_evidence, FILE *out);

/* "2026-11-03T11:34:56Z" into BUF (24 bytes); "never" for 0. */
char *rbl_time_format(int64_t t, char *buf);

#endif
