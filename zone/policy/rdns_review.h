/*
 * rdns_review.h -- the review queue of rDNS range proposals, and their
 * publication in the policy list.
 *
 * `rbl-import rdns` classifies reverse-DNS names and proposes ranges (a
 * CIDR block, its naming template, its evidence).  Proposals wait here,
 * in the store (table "rdns_review" of table.h, keyed by prefix), until
 * a human decides on the admin site or with rbl-import:
 *
 *   pending ──confirm──► confirmed  (published: A + TXT in the policy list,
 *      │                    │        infrastructure addresses excluded)
 *      └──reject───► rejected│
 *                           └─ a later run sees an infrastructure name
 *                              inside it ──► flagged (withdrawn from the
 *                              policy list until someone decides again)
 *
 * Nothing reaches the policy list except by rbl_rdns_decide*() with
 * RBL_RDNS_CONFIRMED, or by rbl_rdns_submit() when auto-confirm is on
 * (off by default) and the proposal's confidence reaches the threshold.
 *
 * Re-submitting a prefix updates its evidence.  A pending proposal that
 * overlaps a new one is superseded (deleted); a rejected prefix stays
 * rejected; a confirmed one stays published unless the new evidence shows
 * infrastructure names that it does not exclude, which flags it.
 *
 * All functions work inside the caller's transaction (store.h); they
 * return RBL_OK or a negative rbl_error, and change nothing visible until
 * the caller commits.
 */
#ifndef RBL_RDNS_REVIEW_H
#define RBL_RDNS_REVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/store/entry.h"
#include "zone/policy/rdns_class.h"
#include "zone/store/store.h"

/* ---------------------------------------------------------- proposals */

enum rbl_rdns_state {
	RBL_RDNS_PENDING = 1,
	RBL_RDNS_CONFIRMED = 2,
	RBL_RDNS_REJECTED = 3,
	RBL_RDNS_FLAGGED = 4,
};

/* "pending", "confirmed", "rejected", "flagged"; parse returns -1 when
 * unknown. */
const char *rbl_rdns_state_name(int state);
int rbl_rdns_state_parse(const char *s);

#define RBL_RDNS_SAMPLES	5	/* sample names kept per proposal */
#define RBL_RDNS_MAX_EXCL	64	/* carved-out addresses per proposal */
#define RBL_RDNS_NOTE_MAX	159
#define RBL_RDNS_BY_MAX		63

/* An address carved out of a proposal because its name is infrastructure. */
typedef struct rbl_rdns_excl {
	rbl_addr addr;
	char name[RBL_NAME_MAX + 1];
} rbl_rdns_excl;

typedef struct rbl_rdns_proposal {
	rbl_prefix prefix;
	uint8_t cls;			/* RBL_RDNS_DYNAMIC or _STATIC */
	uint8_t state;			/* rbl_rdns_state; set by this module */
	uint16_t confidence;		/* per mille (rdns_ranges.h: formula) */
	uint16_t coverage;		/* per mille: named addresses / size */
	uint16_t agreement;		/* per mille: template / named non-infra */
	uint32_t counts[RBL_RDNS_NCLASS];	/* named addresses per class */
	uint32_t n_template;		/* names that have the template */
	char template[RBL_NAME_MAX + 1];/* "#.dialup.dynamic.example.net" */
	char domain[RBL_NAME_MAX + 1];	/* registered domain: "example.net" */
	uint8_t n_samples;
	char samples[RBL_RDNS_SAMPLES][RBL_NAME_MAX + 1];
	uint8_t n_excl;
	rbl_rdns_excl excl[RBL_RDNS_MAX_EXCL];
	char source[RBL_SOURCE_MAX + 1];/* "rdns:file", "rdns:resolve"... */
	int64_t created;		/* first proposed (set here) */
	int64_t updated;		/* evidence last refreshed (set here) */
	int64_t decided;		/* last state change by a person, or 0 */
	char decided_by[RBL_RDNS_BY_MAX + 1];
	char note[RBL_RDNS_NOTE_MAX + 1];	/* why flagged / reviewer's note */
} rbl_rdns_proposal;

/* How confirmed ranges are published and whether any are auto-confirmed.
 * Filled from the "rdns:" section of rbld.conf (or by hand in tests). */
typedef struct rbl_rdns_opts {
	char list[RBL_LIST_NAME_MAX + 1];	/* policy list ("policy") */
	uint32_t code_dynamic;			/* 127.0.0.10 */
	uint32_t code_static;			/* 127.0.0.11 */
	char txt_dynamic[RBL_TXT_MAX + 1];	/* TXT templates ($ = address) */
	char txt_static[RBL_TXT_MAX + 1];
	bool auto_confirm;			/* false */
	uint16_t auto_confidence;		/* per mille, 950 */
} rbl_rdns_opts;

/* Defaults as documented above; TXT mentions URL when not NULL. */
void rbl_rdns_opts_defaults(rbl_rdns_opts *o, const char *url);

struct rbl_conf;
/* Fill O from the "rdns:" section of C (defaults for absent keys).
 * Returns RBL_OK or RBL_EINVAL with "path:line: ..." in ERR. */
int rbl_rdns_opts_from_conf(const struct rbl_conf *c, rbl_rdns_opts *o,
			    char *err, size_t errlen);

/* What rbl_rdns_submit() did. */
enum rbl_rdns_outcome {
	RBL_RDNS_NEW = 1,		/* queued as pending */
	RBL_RDNS_UPDATED,		/* pending/flagged: evidence refreshed */
	RBL_RDNS_KEPT,			/* confirmed or rejected: decision kept,
					   evidence refreshed */
	RBL_RDNS_NOW_FLAGGED,		/* confirmed, new infra names: flagged
					   and withdrawn */
	RBL_RDNS_AUTO_CONFIRMED,	/* auto-confirm published it */
};

/* Queue or refresh proposal P (its state, created, updated, decided*
 * fields are ignored).  Pending proposals overlapping P are superseded.
 * *OUTCOME (may be NULL) says what happened.  Returns RBL_OK, RBL_EINVAL
 * (class not dynamic/static, bad prefix), RBL_ENOTFOUND (auto-confirm on
 * and the policy list is missing), store errors. */
int rbl_rdns_submit(rbl_txn *t, const rbl_rdns_opts *o,
		    const rbl_rdns_proposal *p, int64_t now, int *outcome);

/* A run saw infrastructure name NAME at A.  Every confirmed proposal that
 * covers A without excluding it is flagged and withdrawn; *N_FLAGGED (may
 * be NULL) counts them.  Returns RBL_OK or store errors. */
int rbl_rdns_observe_infra(rbl_txn *t, const rbl_rdns_opts *o,
			   const rbl_addr *a, const char *name, int64_t now,
			   unsigned *n_flagged);

/* The proposal for exactly P.  RBL_OK or RBL_ENOTFOUND. */
int rbl_rdns_get(rbl_txn *t, const rbl_prefix *p, rbl_rdns_proposal *out);

/* Which proposals rbl_rdns_foreach() and the bulk decisions visit; a zero
 * or NULL field matches everything. */
typedef struct rbl_rdns_filter {
	int state;		/* rbl_rdns_state or 0 */
	const char *domain;	/* exact registered domain */
	const char *template;	/* exact template */
} rbl_rdns_filter;

/* Call FN for each proposal matching F (NULL: all) in address order.  P
 * is valid only during the call.  FN returning non-zero stops the walk and
 * is returned. */
int rbl_rdns_foreach(rbl_txn *t, const rbl_rdns_filter *f,
		     int (*fn)(void *arg, const rbl_rdns_proposal *p),
		     void *arg);

/* The same, starting strictly after proposal AFTER (NULL: from the
 * first): a page of a long queue is "the next N after the last one shown".
 * FN returning non-zero stops the walk (return 1 to stop after a page). */
int rbl_rdns_foreach_after(rbl_txn *t, const rbl_rdns_filter *f,
			   const rbl_prefix *after,
			   int (*fn)(void *arg, const rbl_rdns_proposal *p),
			   void *arg);

/* Proposals per state: COUNTS[state] for state 1..4 (COUNTS[0] total). */
int rbl_rdns_count(rbl_txn *t, uint64_t counts[5]);

/* A person decides on proposal P: STATE is RBL_RDNS_CONFIRMED (publish)
 * or RBL_RDNS_REJECTED (withdraw if it was published).  BY is who decided
 * ("admin:alice"), NOTE an optional reason (NULL).  Returns RBL_OK,
 * RBL_ENOTFOUND (no such proposal, or the policy list is missing),
 * RBL_EINVAL (STATE), store errors. */
int rbl_rdns_decide(rbl_txn *t, const rbl_rdns_opts *o,
		    const rbl_prefix *p, int state, const char *by,
		    const char *note, int64_t now);

/* The same decision for every pending or flagged proposal matching F
 * (F->state is ignored; at least a domain or a template must be given:
 * RBL_EINVAL otherwise).  *N (may be NULL) is the number decided. */
int rbl_rdns_decide_all(rbl_txn *t, const rbl_rdns_opts *o,
			const rbl_rdns_filter *f, int state, const char *by,
			const char *note, int64_t now, unsigned *n);

/* Forget proposal P, withdrawing it first if it is published. */
int rbl_rdns_delete(rbl_txn *t, const rbl_rdns_opts *o, const rbl_prefix *p);

#endif
