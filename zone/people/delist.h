/*
 * delist.h -- delisting requests and their review by a person.
 *
 * Someone who believes an address or domain is wrongly listed files a
 * request (rbl-admin's public form).  A request is PENDING until a logged-in
 * person confirms or rejects it; both decisions are final:
 *
 *     submit ──► PENDING ──confirm──► CONFIRMED
 *                        └─reject───► REJECTED
 *
 * Only lists a zone answers from count as listings: an allow list, or a
 * list no zone publishes, is never "listed" here and never touched by a
 * confirmation (that would undo a person's decision to allow).
 *
 * Confirming removes the subject's listings from every such list in ONE
 * write transaction (the caller's), so rbld stops answering at its next
 * snapshot:
 * an entry for exactly the subject is deleted; a wider entry that covers it
 * (a /24, a wildcard domain) gets an exclusion for the subject instead, so
 * the rest of that range stays listed.  In the same transaction it appends
 * the audit record (who, when, why, what was removed) and blocks automatic
 * relisting of the subject until new evidence arrives (policy.h).
 *
 * By design only rbl-admin's confirm button, behind a login session and a
 * CSRF token, calls rbl_delist_confirm(): no CLI flag, importer or API does.
 *
 * Requests live in the store's table "delist" of table.h (key: big-endian
 * request id, 1, 2, ...).  A second person asking about a subject that
 * already has a pending request is attached to it (table "delistmore", key:
 * request id and a big-endian counter), so their contact and reason reach
 * the reviewer too.  Each request carries a random ticket: the requester's
 * link to follow its state, which the request id alone does not give.
 */
#ifndef RBL_DELIST_H
#define RBL_DELIST_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/store/store.h"

enum rbl_delist_state {
	RBL_DELIST_PENDING = 1,
	RBL_DELIST_CONFIRMED = 2,
	RBL_DELIST_REJECTED = 3,
};

#define RBL_DELIST_CONTACT_MAX	254	/* an e-mail address */
#define RBL_DELIST_REASON_MAX	2000
#define RBL_DELIST_WHO_MAX	64	/* a user name, "rblctl:root" */
#define RBL_DELIST_REMOVED_MAX	1024	/* the text list of what was removed */
#define RBL_DELIST_TICKET_HEX	32	/* 128 random bits */
#define RBL_DELIST_MORE_MAX	50	/* further requesters kept per request */

typedef struct rbl_delist_req {
	uint64_t id;
	uint8_t state;				/* rbl_delist_state */
	int64_t created;			/* unix seconds */
	char subject[RBL_NAME_MAX + 1];		/* canonical address or name */
	char contact[RBL_DELIST_CONTACT_MAX + 1];
	char reason[RBL_DELIST_REASON_MAX + 1];	/* the requester's words */
	char client[RBL_ADDR_STRLEN];		/* where the request came from */
	int64_t decided;			/* 0 while pending */
	char decided_by[RBL_DELIST_WHO_MAX + 1];
	char decision[RBL_DELIST_REASON_MAX + 1];/* the reviewer's reason */
	char removed[RBL_DELIST_REMOVED_MAX + 1];/* "spam:192.0.2.1; ..." */
	char ticket[RBL_DELIST_TICKET_HEX + 1];	/* "" on requests filed
						   before tickets existed */
	uint32_t n_more;			/* further requesters attached */
} rbl_delist_req;

/* A further requester attached to a pending request. */
typedef struct rbl_delist_more {
	uint64_t id;				/* the request */
	uint32_t n;				/* 1, 2, ... */
	int64_t created;
	char contact[RBL_DELIST_CONTACT_MAX + 1];
	char reason[RBL_DELIST_REASON_MAX + 1];
	char client[RBL_ADDR_STRLEN];
} rbl_delist_more;

/* Text of a state: "pending", "confirmed", "rejected", "?". */
const char *rbl_delist_state_name(int state);

/* Canonicalise a subject: an IPv4/IPv6 address (IPv4-mapped IPv6 becomes
 * IPv4) or a domain name (lowercased, trailing dot dropped).  OUT holds
 * RBL_NAME_MAX + 1 bytes.  *ADDR (may be NULL) gets the address and
 * *IS_ADDR says which kind it was.  RBL_OK or RBL_EINVAL. */
int rbl_delist_subject(const char *in, char *out, bool *is_addr,
		       rbl_addr *addr);

/* True if CONTACT looks like a usable e-mail address. */
bool rbl_delist_contact_valid(const char *contact);

/* Is SUBJECT (canonical) listed in any list a zone answers from, at NOW?
 * 1 yes, 0 no, <0 error. */
int rbl_delist_is_listed(rbl_txn *t, const char *subject, int64_t now);

/* File a request in write transaction T.  SUBJECT is canonicalised; CLIENT
 * is the requester's address.  Returns RBL_OK with *ID, RBL_EINVAL (bad
 * subject, contact or empty/oversized reason), RBL_ENOTFOUND (the subject
 * is not listed: no request is made), RBL_EEXIST (a request for it is
 * already pending; *ID is that one, and CONTACT and REASON are attached to
 * it and audited, unless that contact is already on it or
 * RBL_DELIST_MORE_MAX others are), or a store error. */
int rbl_delist_submit(rbl_txn *t, const char *subject, const char *contact,
		      const char *reason, const char *client, uint64_t *id);

/* Read request ID.  RBL_OK, RBL_ENOTFOUND or a store error. */
int rbl_delist_get(rbl_txn *t, uint64_t id, rbl_delist_req *out);

/* Call FN for requests in STATE (0 = all), newest first when NEWEST_FIRST.
 * FN's non-zero return stops the walk and is returned.  The request passed
 * to FN is valid only during the call. */
int rbl_delist_foreach(rbl_txn *t, int state, bool newest_first,
		       int (*fn)(void *arg, const rbl_delist_req *r),
		       void *arg);
/* Count requests in STATE (0 = all) into *N (walks them all). */
int rbl_delist_count(rbl_txn *t, int state, uint64_t *n);
/* Number of requests in any state into *N, from the table's size: cheap
 * however many there are. */
int rbl_delist_total(rbl_txn *t, uint64_t *n);

/* Call FN for each further requester attached to request ID, in the order
 * they came.  FN's non-zero return stops the walk and is returned. */
int rbl_delist_more_foreach(rbl_txn *t, uint64_t id,
			    int (*fn)(void *arg, const rbl_delist_more *m),
			    void *arg);

/* Confirm request ID on behalf of logged-in USER at CLIENT, giving REASON
 * (required).  In write transaction T: removes the subject's listings (see
 * above), blocks automatic relisting, marks the request CONFIRMED and
 * appends the audit record.  The caller commits T; on any error it must
 * abort T so that nothing is half-done.  *N_REMOVED (may be NULL) gets the
 * number of entries deleted or excluded (0 when the listing had already
 * gone).  Returns RBL_OK, RBL_ENOTFOUND (no such request), RBL_ESTALE (not
 * pending any more: someone decided first), RBL_EINVAL (empty user or
 * reason), or a store error. */
int rbl_delist_confirm(rbl_txn *t, uint64_t id, const char *user,
		       const char *client, const char *reason,
		       unsigned *n_removed);

/* Reject request ID: marks it REJECTED with USER, time and REASON, appends
 * the audit record; listings are untouched.  Same returns as confirm. */
int rbl_delist_reject(rbl_txn *t, uint64_t id, const char *user,
		      const char *client, const char *reason);

#endif
