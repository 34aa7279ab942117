/*
 * evidence.h -- why an address is listed: spamtrap hits, abuse reports and
 * manual evidence, kept in the store beside the listings.
 *
 * A piece of evidence says: this SUBJECT (an address, or a reported CIDR
 * prefix) did something at time WHEN, seen by SOURCE ("trap:x@trap.example",
 * "reporter:abuse-desk", "admin:alice"), of KIND, with WEIGHT.  Its HASH is
 * the SHA-256 of the normalised message or report line and is the identity
 * of the evidence: adding the same hash twice changes nothing, which is what
 * makes imports idempotent and replays after a crash no-ops.
 *
 * Storage (three tables of zone/store/table.h, written in the caller's
 * transaction, so evidence commits or vanishes together with the listing
 * changes it caused):
 *   "evidence"  subject(18) | ~when(8) | hash[0..8)  -> record
 *               (per subject, newest first in key order)
 *   "evhash"    hash(32)                             -> evidence key
 *   "evtime"    when(8) | hash[0..8)                 -> evidence key
 *               (recent evidence across all subjects; retention pruning)
 * Nothing here decides listings: see policy.h, which is fed each evidence
 * that rbl_evidence_add() accepted.
 */
#ifndef RBL_EVIDENCE_H
#define RBL_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/store/store.h"

enum rbl_evidence_kind {
	RBL_EV_TRAP = 1,	/* a message that reached a spamtrap */
	RBL_EV_REPORT = 2,	/* an abuse report (ARF, X-ARF, list, ...) */
	RBL_EV_MANUAL = 3,	/* entered by a human (admin site, rblctl) */
};
#define RBL_EV_KINDS		3	/* kinds are 1..RBL_EV_KINDS */

#define RBL_EV_HASH_LEN		32	/* SHA-256 */
#define RBL_EV_SOURCE_MAX	127
#define RBL_EV_SUMMARY_MAX	767

typedef struct rbl_evidence {
	rbl_prefix subject;	/* a host (/32, /128) or a reported prefix */
	int64_t when;		/* unix seconds the event happened (the time
				   our MX received the trap message, the
				   report's Arrival-Date, ...) */
	uint8_t kind;		/* rbl_evidence_kind */
	double weight;		/* > 0: the source's weight (reporter weight,
				   trap weight); policies multiply it by their
				   per-kind weight */
	uint8_t hash[RBL_EV_HASH_LEN];
	char source[RBL_EV_SOURCE_MAX + 1];	/* NUL-terminated */
	char summary[RBL_EV_SUMMARY_MAX + 1];	/* for reviewers: subject
				   line, the Received line used, report
				   fields; printable UTF-8/ASCII, one line */
} rbl_evidence;

/* "trap", "report", "manual"; "?" for anything else. */
const char *rbl_evidence_kind_name(int kind);
/* The kind named S, or 0 if S names none. */
int rbl_evidence_kind_parse(const char *s);

/*
 * SHA-256 of LEN bytes at DATA after normalisation: CRLF and bare CR
 * become LF, trailing whitespace of each line and trailing empty lines are
 * dropped, so the same message read from mbox, Maildir or a pipe hashes the
 * same.  Writes RBL_EV_HASH_LEN bytes to OUT.  Returns RBL_OK or
 * RBL_ENOMEM (OpenSSL failed).
 */
int rbl_evidence_hash(const void *data, size_t len, uint8_t *out);
/* SHA-256 of the N strings PARTS (each followed by a NUL byte), for
 * evidence that is not a whole message (a line of a plain list with its
 * reporter).  Same return values. */
int rbl_evidence_hash_parts(const char *const *parts, size_t n, uint8_t *out);
/* Hex form of HASH into BUF (2*RBL_EV_HASH_LEN+1 bytes).  Returns BUF. */
char *rbl_evidence_hash_hex(const uint8_t *hash, char *buf);
/* Parse 64 hex digits.  RBL_OK or RBL_ESYNTAX. */
int rbl_evidence_hash_parse(const char *s, uint8_t *out);

/*
 * Record EV in write transaction T.
 * Returns RBL_OK (added), RBL_EEXIST (an evidence with this hash is
 * already stored: nothing was changed), RBL_EINVAL (bad subject, kind,
 * weight, or special-purpose address space: see rbl_addr_is_special),
 * RBL_EREADONLY, RBL_EMAPFULL, RBL_ESTORE.
 */
int rbl_evidence_add(rbl_txn *t, const rbl_evidence *ev);
/* 1 if evidence with HASH is stored, 0 if not, <0 an rbl_error. */
int rbl_evidence_exists(rbl_txn *t, const uint8_t *hash);
/* Copy the evidence with HASH into *OUT.  RBL_OK or RBL_ENOTFOUND. */
int rbl_evidence_get(rbl_txn *t, const uint8_t *hash, rbl_evidence *out);
/* Remove the evidence with HASH (a reviewer found it bogus).  Listings are
 * not changed: call rbl_policy_recompute() for its subject afterwards.
 * RBL_OK or RBL_ENOTFOUND. */
int rbl_evidence_del(rbl_txn *t, const uint8_t *hash);

/* Visitor: EV is valid during the call only.  Non-zero stops the walk and
 * is returned by the foreach function. */
typedef int (*rbl_evidence_visit_fn)(void *arg, const rbl_evidence *ev);

/* Evidence about exactly SUBJECT, newest first. */
int rbl_evidence_foreach_subject(rbl_txn *t, const rbl_prefix *subject,
				 rbl_evidence_visit_fn fn, void *arg);
/* Evidence about SUBJECT and every prefix that covers it or that it covers
 * (host evidence inside a reported /24, a /24 report covering a host),
 * newest first per subject, subjects in address order. */
int rbl_evidence_foreach_related(rbl_txn *t, const rbl_prefix *subject,
				 rbl_evidence_visit_fn fn, void *arg);
/* All evidence with WHEN >= SINCE, newest first (review queues). */
int rbl_evidence_foreach_since(rbl_txn *t, int64_t since,
			       rbl_evidence_visit_fn fn, void *arg);
/* All evidence in subject order (dumps, `rblctl evidence --all`). */
int rbl_evidence_foreach(rbl_txn *t, rbl_evidence_visit_fn fn, void *arg);
/* Number of evidence records about exactly SUBJECT into *N. */
int rbl_evidence_count(rbl_txn *t, const rbl_prefix *subject, uint64_t *n);

/* Delete evidence older than BEFORE (WHEN < BEFORE): retention.  The count
 * goes to *N (may be NULL).  Policy state is trimmed by rbl_policy_purge(),
 * which calls this. */
int rbl_evidence_prune(rbl_txn *t, int64_t before, uint64_t *n);

#endif
