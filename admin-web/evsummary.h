/*
 * evsummary.h -- evidence about one subject, counted for display.
 *
 * The public lookup page shows only these counts and dates, in plain
 * language: never a trap address, a reporter's name or any message text.
 * The admin address page shows the evidence itself (escaped).
 */
#ifndef ADM_EVSUMMARY_H
#define ADM_EVSUMMARY_H

#include <stdint.h>

#include "zone/policy/evidence.h"
#include "admin.h"
#include "buf.h"
#include "pager.h"

typedef struct adm_evcount {
	uint64_t n[RBL_EV_KINDS + 1];		/* by kind, about the host */
	int64_t first[RBL_EV_KINDS + 1], last[RBL_EV_KINDS + 1];
	uint64_t n_wider;			/* about covering prefixes */
	uint64_t total;
} adm_evcount;

/* Count the evidence related to address/prefix P into *OUT.  RBL_OK or a
 * store error. */
int adm_evidence_count(rbl_txn *t, const rbl_prefix *p, adm_evcount *out);

/* Write the public, plain-language summary of C into B (a <ul>). */
void adm_evidence_public(adm_buf *b, const adm_evcount *c);

/* For logged-in reviewers: the page PG of the evidence records related to
 * P, newest first per subject, every field escaped, with the pager's
 * navigation above and below.  Returns the number shown, or a negative
 * rbl_error. */
int adm_evidence_table(adm_buf *b, const adm_req *r, rbl_txn *t,
		       const rbl_prefix *p, adm_pager *pg);

/* The policies' view of address/prefix P: score against threshold,
 * evidence counted, last seen, listed until, allowed or blocked (a table;
 * nothing without policies). */
void adm_policy_table(adm_buf *b, const adm_req *r, rbl_txn *t,
		      const rbl_prefix *p);

#endif
