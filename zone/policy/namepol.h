/*
 * namepol.h -- the domain policy: name evidence (nameev.h) into scored,
 * expiring listings of domain lists, a newly-seen-domains list and a
 * hashed drop-box list.
 *
 * A "domain-policy: NAME" section of rbld.conf feeds one domain list
 * (kind name) with the registered domains trap mail links to, the same
 * way policy.h feeds an IP list with senders: per (name, list),
 *
 *     score(t) = sum of weight(e) * kind_weight[kind(e)]
 *                       * 2^(-(t - when(e)) / half_life)
 *
 * over its evidence after the last delisting block; listed while score
 * >= threshold, the entry (the domain and every name below it) expiring
 * at the earlier of last evidence + expire_after and the moment the
 * decaying score falls below the threshold.  Never listed: a name covered
 * by the policy's allow list (a name list, maybe served as its own zone),
 * or blocked by a human delisting until newer evidence reaches the
 * threshold again.  Domains of the shipped allow file and the trap's own
 * domains never become evidence at all (rbl-import decides, before the
 * store is touched); a link shortener of that file is evidence with the
 * REDIRECTOR flag and lists with code-redirector instead of code.
 *
 * Newly seen: with newly-seen-list (a list of kind newly-seen), every
 * domain whose first evidence (within the retention, after any block) is
 * less than RBL_NEWLY_SEEN_WINDOW old gets an entry there that expires
 * when the window ends and carries "first seen <time>" as its TXT; rbld
 * answers it 127.0.2.N, N = whole hours since first seen, from the
 * entry's expiry (store.h: rbl_newly_seen_code) -- no write per hour, no
 * lookup beyond the entry, rbld stays read-only.
 *
 * Drop boxes: with reply-to-list (a list of kind hash; unset = off, the
 * default), evidence of kind reply-to -- the SHA-1 of a trap message's
 * Reply-To address -- lists that hash in that list by the same score.
 * From: addresses are never evidence: they are forged.
 *
 * State: in the name evidence table (nameev.h), in the caller's
 * transaction: per (name, list) the score state, which also holds the
 * references of the RBL_NAMEPOL_RECENT newest messages that named it
 * (what explain and the admin site show, with the subject and the link
 * as found), and per name its delisting block and allow note.  Ingest
 * batches: notes are kept in memory per batch (rbl_namepol_batch) and
 * every touched (name, list) is settled and written once before the
 * batch commits, which is the same store as settling each note, and
 * touches each name's page once per batch however many messages named
 * it.
 *
 * Expiry granularity: a listing's expiry is rounded up to a multiple of
 * rbl_namepol_granule() -- 1/16 of expire-after (of the half-life when
 * that is 0), at least an hour, at most a day -- so a domain that trap
 * mail names again and again rewrites its listing (and the zone's
 * journal) once a granule, not once per import batch; the listing lasts
 * at most one granule longer than the score alone would say.
 */
#ifndef RBL_NAMEPOL_H
#define RBL_NAMEPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zone/config/config.h"
#include "zone/policy/nameev.h"
#include "zone/policy/policy.h"
#include "zone/store/store.h"

#define RBL_NAMEPOL_RECENT	8	/* messages remembered per name */

/* A message, as a state remembers it (nameev.h: rbl_nev_get). */
typedef struct rbl_namepol_ref {
	int64_t when;
	uint8_t hash[8];		/* the first bytes of its SHA-256 */
} rbl_namepol_ref;

/* Note flags (rbl_namepol_note). */
enum rbl_namepol_flags {
	RBL_NAMEPOL_REDIRECTOR = 1u << 0,	/* a link shortener of the
						   allow file */
};

typedef struct rbl_namepol {
	char name[RBL_POLICY_NAME_MAX + 1];
	char list[RBL_LIST_NAME_MAX + 1];		/* required */
	uint32_t list_id;
	double kind_weight[RBL_NEV_KINDS + 1];		/* default 1 */
	uint32_t half_life;				/* default 7d */
	double threshold;				/* default 1 */
	uint32_t expire_after;				/* default 7d */
	uint32_t code;				/* 0 = the list's default */
	bool has_txt;
	char txt[RBL_TXT_MAX + 1];
	uint32_t code_redirector;		/* 0 = shorteners never listed */
	bool has_txt_redirector;
	char txt_redirector[RBL_TXT_MAX + 1];
	char allow_list[RBL_LIST_NAME_MAX + 1];		/* "" = none */
	uint32_t allow_list_id;
	char newly_seen_list[RBL_LIST_NAME_MAX + 1];	/* "" = none */
	uint32_t newly_seen_list_id;
	char reply_to_list[RBL_LIST_NAME_MAX + 1];	/* "" = off */
	uint32_t reply_to_list_id;
} rbl_namepol;

typedef struct rbl_namepol_set {
	rbl_namepol *pols;
	size_t n;
	uint32_t retention;		/* "evidence: retention" (90d) */
	bool any_redirector;		/* a policy lists shorteners */
	bool any_reply_to;		/* a policy reads Reply-To */
} rbl_namepol_set;

/* ------------------------------------------------------ configuration */

/* The step P's listing expiries are rounded up to (see above). */
int64_t rbl_namepol_granule(const rbl_namepol *p);

/* The "domain-policy:" sections of C.  RBL_OK and *OUT (free with
 * rbl_namepol_free; zero policies is valid), RBL_EINVAL with
 * "path:line: ..." in ERR, RBL_ENOMEM. */
int rbl_namepol_load(const rbl_conf *c, rbl_namepol_set **out, char *err,
		     size_t errlen);
void rbl_namepol_free(rbl_namepol_set *set);
/* Resolve list names to ids and check their kinds (list and allow-list:
 * name; newly-seen-list: newly-seen; reply-to-list: hash).  RBL_OK,
 * RBL_ENOTFOUND or RBL_EINVAL with the policy and list named in ERR. */
int rbl_namepol_resolve(rbl_txn *t, rbl_namepol_set *set, char *err,
			size_t errlen);

/* -------------------------------------------------- applying evidence */

typedef struct rbl_namepol_batch rbl_namepol_batch;

/* A batch for SET (borrowed).  RBL_OK and *OUT, or RBL_ENOMEM. */
int rbl_namepol_batch_new(const rbl_namepol_set *set,
			  rbl_namepol_batch **out);
void rbl_namepol_batch_free(rbl_namepol_batch *b);
/* Add a piece of evidence (NAME of KIND, WEIGHT, at WHEN, from the
 * message with HASH, FLAGS) that rbl_nev_add() accepted in T to the
 * scores of every policy that takes its kind.  Returns RBL_OK,
 * RBL_ENOMEM or a store error. */
int rbl_namepol_note(rbl_txn *t, rbl_namepol_batch *b, const char *name,
		     uint8_t kind, double weight, int64_t when,
		     const uint8_t *hash, unsigned flags);
/* Bring the listings of everything noted in line with its scores at NOW
 * and write the scores, in T; the batch is empty afterwards.  Counts are
 * ADDED to *RES (may be NULL).  RBL_OK or a store error. */
int rbl_namepol_settle(rbl_txn *t, rbl_namepol_batch *b, int64_t now,
		       rbl_policy_result *res);
/* Forget what was noted (the transaction was aborted). */
void rbl_namepol_batch_reset(rbl_namepol_batch *b);

/* Bring the listings of NAME under every policy in line with its kept
 * scores at NOW (after an allow entry came or went, a block was lifted:
 * scores keep counting while a name is allowed, and a block zeroed what
 * came before it).  RBL_OK or a store error. */
int rbl_namepol_recompute(rbl_txn *t, const rbl_namepol_set *set,
			  const char *name, int64_t now);
/* The newest messages that named NAME (at most RBL_NAMEPOL_RECENT per
 * policy list, merged, newest first) as evidence: its kind, weight, the
 * link or address as found, the message's source and subject.  Messages
 * past the retention are skipped.  FN returning non-zero stops the walk
 * and is returned. */
int rbl_namepol_foreach_recent(rbl_txn *t, const char *name,
			       rbl_nev_visit_fn fn, void *arg);

/* ----------------------------------------------- explaining (admin) */

typedef struct rbl_namepol_status {
	const rbl_namepol *policy;
	uint32_t list_id;		/* the list this status is about */
	uint8_t kind;			/* the evidence kind feeding it */
	double score;			/* at NOW */
	uint64_t n_evidence;		/* counted (after a block) */
	int64_t first_seen, last_seen;	/* 0 if none */
	bool over_threshold;
	bool listed;			/* the policy's entry answers at NOW */
	int64_t expires;		/* of that entry; 0 = never */
	bool redirector;		/* listed with code-redirector */
	bool newly_seen;		/* in the newly-seen list at NOW */
	bool allowed;			/* covered by the allow list */
	bool blocked;
	rbl_policy_block_info block;	/* valid if blocked */
} rbl_namepol_status;

/* The status of NAME at NOW under each policy of SET into OUT (at most
 * N; the number written to *COUNT): one per policy for a domain, one per
 * policy with a reply-to-list for a hash.  RBL_OK or a store error. */
int rbl_namepol_explain(rbl_txn *t, const rbl_namepol_set *set,
			const char *name, int64_t now,
			rbl_namepol_status *out, size_t n, size_t *count);
/* Explain NAME as text (evidence newest first: time, source, subject,
 * link as found; then the status per policy), at most MAX_EVIDENCE
 * pieces (0 = all).  RBL_OK, RBL_ENOTFOUND (no evidence, no state),
 * RBL_EIO or a store error. */
int rbl_namepol_explain_text(rbl_txn *t, const rbl_namepol_set *set,
			     const char *name, int64_t now,
			     unsigned max_evidence, FILE *out);

/* ------------------------------------------- human decisions (admin) */

/* A human confirmed the delisting of NAME at WHEN as WHO for WHY: its
 * scores are reset, evidence at or before WHEN never counts again, and,
 * when SET is given, the policies' listings of NAME (list, newly-seen
 * and reply-to lists) are removed.  (The delisting-request path removes
 * listings itself and passes NULL.)  RBL_OK, RBL_EINVAL, store errors. */
int rbl_namepol_block(rbl_txn *t, const rbl_namepol_set *set,
		      const char *name, int64_t when, const char *who,
		      const char *why);
int rbl_namepol_block_get(rbl_txn *t, const char *name,
			  rbl_policy_block_info *out);
/* Forget the block of NAME (RBL_ENOTFOUND if none).  Its score holds
 * only what came after the block; rbl_namepol_recompute() lists it if
 * that is enough. */
int rbl_namepol_unblock(rbl_txn *t, const char *name);

/* Allow NAME (and every name below it) in the allow lists of SET until
 * EXPIRES (0 = forever) and remove the policies' listings of it at NOW.
 * WHO becomes the allow entry's source; WHO and WHY are kept in a note
 * (not in the entry's TXT, which an allow zone would publish).  RBL_OK,
 * RBL_ENOTFOUND (no policy has an allow list), RBL_EINVAL, store errors. */
int rbl_namepol_allow_add(rbl_txn *t, const rbl_namepol_set *set,
			  const char *name, int64_t expires, const char *who,
			  const char *why, int64_t now);
/* Remove NAME from the allow lists of SET and list it again from its
 * evidence at NOW.  RBL_OK or RBL_ENOTFOUND. */
int rbl_namepol_allow_del(rbl_txn *t, const rbl_namepol_set *set,
			  const char *name, int64_t now);

/* ------------------------------------------------------- maintenance */

/* Retention: delete name evidence older than NOW - retention and the
 * scores that have no evidence left.  Counts to *EVIDENCE and *STATES
 * (may be NULL).  RBL_OK or a store error. */
int rbl_namepol_purge(rbl_txn *t, const rbl_namepol_set *set, int64_t now,
		      uint64_t *evidence, uint64_t *states);

/* SHA-1 of ADDRESS lowercased, as 40 hex digits into OUT (41 bytes): the
 * label a hash list holds and HashBL-style clients query.  RBL_OK, or
 * RBL_EINVAL (empty, too long, not one line). */
int rbl_namepol_hash_address(const char *address, char *out);
/* What a person types into the name evidence is about, into OUT
 * (RBL_NAME_MAX + 1 bytes): an address ("x@y") becomes its hash, 40 hex
 * digits stay, a domain is put in query form (lowercase, Punycode).
 * RBL_OK or RBL_EINVAL. */
int rbl_namepol_subject(const char *in, char *out);

#endif
