/*
 * policy.h -- listing policy: turn evidence into scored, expiring listings.
 *
 * A policy (rbld.conf section "policy: NAME") feeds one IP list.  Score of
 * a subject (address or reported prefix) at time t:
 *
 *     score(t) = sum over its evidence e with e.when <= t of
 *                e.weight * kind_weight[e.kind] * 2^(-(t - e.when) / half_life)
 *
 * (half_life 0 = no decay).  Evidence at or before a delisting block's time
 * does not count.  The subject is listed while score >= threshold; the
 * listing's expiry is the earlier of last evidence + expire_after and the
 * moment the decaying score falls below the threshold, and is written into
 * the entry, so the listing stops answering at that moment without any
 * cron job (expired entries never match; purge only reclaims space).  The
 * entry carries the code and TXT configured for the kind of evidence that
 * contributes most to the score.  An address covered by the policy's allow
 * list is never listed by the policy.
 *
 * Scores are kept incrementally per (subject, list) in the "evstate" table
 * (zone/store/table.h; decayed running sums per kind), updated in the same
 * transaction as the evidence and the listing, so a crash leaves either
 * all three or none.  Every function takes NOW or the evidence time
 * explicitly: nothing here reads the clock (tests and tools control it;
 * the tools take --now / RBL_NOW).
 *
 * Reputation: a policy may name a reputation list; every subject with
 * evidence gets an entry there answering 127.0.4.X, X = 0..100,
 * X = round(100 * 2^(-score / threshold)): 100 = no evidence weight left,
 * 50 = exactly at the listing threshold, lower = worse (Sender Score
 * direction).  X is computed when evidence arrives and refreshed by
 * rbl_policy_purge(); the entry expires with the evidence retention.
 *
 * Aggregation (off by default): when at least aggregate_min distinct
 * addresses inside one /aggregate_len4 (/aggregate_len6) are listed by the
 * policy, the prefix itself is listed until fewer than that remain listed;
 * allowed and blocked addresses inside it are excluded ("!addr").
 */
#ifndef RBL_POLICY_H
#define RBL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/config/config.h"
#include "zone/store/entry.h"
#include "zone/policy/evidence.h"
#include "zone/store/store.h"

#define RBL_POLICY_NAME_MAX	63
#define RBL_POLICY_WHO_MAX	63
#define RBL_POLICY_WHY_MAX	255

typedef struct rbl_policy {
	char name[RBL_POLICY_NAME_MAX + 1];	/* section title */
	char list[RBL_LIST_NAME_MAX + 1];	/* list it feeds */
	uint32_t list_id;			/* set by rbl_policy_resolve */
	double kind_weight[RBL_EV_KINDS + 1];	/* [kind]; 0 = ignore kind */
	uint32_t half_life;		/* seconds; 0 = no decay */
	double threshold;		/* > 0 */
	uint32_t expire_after;		/* seconds after last evidence;
					   0 = only decay ends the listing */
	uint32_t code[RBL_EV_KINDS + 1];	/* [kind]; 0 = list default */
	bool has_txt[RBL_EV_KINDS + 1];		/* false = list default TXT */
	char txt[RBL_EV_KINDS + 1][RBL_TXT_MAX + 1];
	bool aggregate;			/* default false */
	uint8_t aggregate_len4;		/* default 24 */
	uint8_t aggregate_len6;		/* default 64 */
	uint32_t aggregate_min;		/* distinct listed addresses; def. 5 */
	char reputation_list[RBL_LIST_NAME_MAX + 1];	/* "" = none */
	uint32_t reputation_list_id;	/* 0 = none */
	char allow_list[RBL_LIST_NAME_MAX + 1];		/* "" = none */
	uint32_t allow_list_id;		/* 0 = none */
} rbl_policy;

typedef struct rbl_policy_set {
	rbl_policy *policies;
	size_t n;
	uint32_t retention;		/* evidence kept this long (seconds);
					   "evidence: retention", default 90d */
} rbl_policy_set;

/* ------------------------------------------------------ configuration */

/* Build the policy set from the "policy:" sections (and "evidence:
 * retention") of C.  List ids are not resolved yet.  Returns RBL_OK and
 * *OUT (free with rbl_policy_free), RBL_EINVAL with "path:line: ..." in
 * ERR, RBL_ENOMEM.  Zero policies is valid (evidence is only recorded). */
int rbl_policy_load(const rbl_conf *c, rbl_policy_set **out,
		    char *err, size_t errlen);
void rbl_policy_free(rbl_policy_set *set);
/* Resolve the list names of SET to ids in the store.  RBL_OK, or
 * RBL_ENOTFOUND / RBL_EINVAL (list is not an IP list) with the policy and
 * list named in ERR. */
int rbl_policy_resolve(rbl_txn *t, rbl_policy_set *set,
		       char *err, size_t errlen);
/* The policy named NAME, or NULL. */
const rbl_policy *rbl_policy_find(const rbl_policy_set *set,
				  const char *name);

/* ------------------------------------------------------------ scoring */

/* SCORE at time FROM decayed to time TO (TO >= FROM) under P. */
double rbl_policy_decay(const rbl_policy *p, double score, int64_t from,
			int64_t to);
/* Contribution of EV to P's score (weight * kind weight), undecayed. */
double rbl_policy_weight(const rbl_policy *p, const rbl_evidence *ev);
/* Reputation value 0..100 of SCORE under P (see top of file). */
unsigned rbl_policy_reputation(const rbl_policy *p, double score);

/* -------------------------------------------------- applying evidence */

typedef struct rbl_policy_result {
	uint32_t newly_listed;	/* subjects that were not listed before */
	uint32_t refreshed;	/* listings whose expiry/code was updated */
	uint32_t aggregated;	/* aggregate prefixes newly listed */
	uint32_t ignored;	/* policies that ignored it: allowed,
				   blocked, kind weight 0 */
} rbl_policy_result;

/*
 * Feed EV, which rbl_evidence_add() just accepted in the same write
 * transaction T, to every policy of SET: update the running score, then
 * create, refresh or leave the listing.  Listings whose computed expiry is
 * at or before NOW are not created (old evidence imported late).  Counts
 * are ADDED to *RES (may be NULL).  Returns RBL_OK or a store error.
 */
int rbl_policy_apply(rbl_txn *t, const rbl_policy_set *set,
		     const rbl_evidence *ev, int64_t now,
		     rbl_policy_result *res);

/*
 * The two halves of rbl_policy_apply(), for callers that batch.
 * rbl_policy_note() adds accepted evidence EV to the scores only;
 * rbl_policy_settle() then brings the listings (and reputation, and
 * aggregates) of SUBJECT in line with its scores at NOW.  Listings depend
 * only on the scores, so settling each touched subject once, in the same
 * transaction, after many notes gives the same store as applying each
 * evidence.  Counts are ADDED to *RES (may be NULL).  RBL_OK or a store
 * error.
 */
int rbl_policy_note(rbl_txn *t, const rbl_policy_set *set,
		    const rbl_evidence *ev, rbl_policy_result *res);
int rbl_policy_settle(rbl_txn *t, const rbl_policy_set *set,
		      const rbl_prefix *subject, int64_t now,
		      rbl_policy_result *res);

/* Rebuild P-state and listings of SUBJECT for every policy of SET from its
 * stored evidence (after rbl_evidence_del, an allow removal, or a policy
 * change).  RBL_OK or a store error. */
int rbl_policy_recompute(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *subject, int64_t now);

/* ----------------------------------------------- explaining (admin) */

typedef struct rbl_policy_block_info {
	int64_t when;				/* delisted at */
	char who[RBL_POLICY_WHO_MAX + 1];
	char why[RBL_POLICY_WHY_MAX + 1];
} rbl_policy_block_info;

typedef struct rbl_policy_status {
	const rbl_policy *policy;
	double score;			/* at NOW */
	double kind_score[RBL_EV_KINDS + 1];	/* per kind, at NOW */
	uint64_t n_evidence;		/* evidence counted (after block) */
	int64_t first_seen, last_seen;	/* counted evidence; 0 if none */
	bool over_threshold;		/* score >= threshold at NOW */
	bool listed;			/* the policy list answers for the
					   subject at NOW */
	rbl_prefix listed_as;		/* the entry that answers (host or
					   aggregate); valid if listed */
	int64_t expires;		/* of that entry; 0 = never */
	uint8_t dominant_kind;		/* kind that sets code/TXT; 0 none */
	unsigned reputation;		/* 0..100 at NOW */
	bool allowed;			/* covered by the allow list */
	bool blocked;			/* a delisting block exists */
	rbl_policy_block_info block;	/* valid if blocked */
} rbl_policy_status;

/* Fill OUT[0..min(N,set->n)) with the status of SUBJECT under each policy
 * at NOW (state, listing, allow and block).  A subject without evidence
 * gets score 0 and reputation 100.  RBL_OK or a store error. */
int rbl_policy_explain(rbl_txn *t, const rbl_policy_set *set,
		       const rbl_prefix *subject, int64_t now,
		       rbl_policy_status *out, size_t n);

/* Score of SUBJECT under P at N_POINTS evenly spaced times from FROM to
 * TO inclusive (N_POINTS >= 2), recomputed from stored evidence, block
 * respected: for a score-over-time graph.  Writes SCORES[0..N_POINTS).
 * RBL_OK, RBL_EINVAL, or a store error. */
int rbl_policy_history(rbl_txn *t, const rbl_policy *p,
		       const rbl_prefix *subject, int64_t from, int64_t to,
		       unsigned n_points, double *scores);

/* ------------------------------------------- human decisions (admin) */

/*
 * A human confirmed the delisting of address A at time WHEN (unix
 * seconds) as WHO (e.g. "admin:alice") for reason WHY: remove the
 * policy listings of A in every list a policy feeds, zero its scores, and
 * record the block, so evidence at or before WHEN never counts again and
 * A is relisted only if newer evidence reaches the threshold.  A later
 * block replaces an earlier one.  The reputation entry is kept (recomputed
 * from post-block evidence).  Returns RBL_OK, RBL_EINVAL (bad arguments),
 * or a store error.
 */
int rbl_policy_block(rbl_txn *t, const rbl_addr *a, int64_t when,
		     const char *who, const char *why);
/* The block of A into *OUT.  RBL_OK or RBL_ENOTFOUND. */
int rbl_policy_block_get(rbl_txn *t, const rbl_addr *a,
			 rbl_policy_block_info *out);
/* Forget the block of A (does not relist; the next evidence or
 * rbl_policy_recompute will).  RBL_OK or RBL_ENOTFOUND. */
int rbl_policy_unblock(rbl_txn *t, const rbl_addr *a);

/*
 * Allow P (an address or prefix) in every allow list named by SET until
 * EXPIRES (0 = forever), recording WHO and WHY, and remove the automatic
 * listings it covers from the policies using those lists.  Returns RBL_OK,
 * RBL_ENOTFOUND (no policy has an allow list), RBL_EINVAL, store errors.
 */
int rbl_policy_allow_add(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *p, int64_t expires,
			 const char *who, const char *why);
/* Remove exactly P from the allow lists of SET.  Listings come back with
 * the next evidence, or at once with rbl_policy_recompute().  RBL_OK or
 * RBL_ENOTFOUND (P was in none). */
int rbl_policy_allow_del(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *p);
/* 1 if A is covered by P's allow list at NOW, 0 if not, <0 error. */
int rbl_policy_is_allowed(rbl_txn *t, const rbl_policy *p,
			  const rbl_addr *a, int64_t now);

/* ------------------------------------------------------- maintenance */

typedef struct rbl_policy_purge_stats {
	uint64_t evidence_pruned;	/* older than retention */
	uint64_t states_dropped;	/* subjects with no evidence left */
	uint64_t reputation_updated;
	uint64_t entries_expired;	/* rbl_purge_expired() */
} rbl_policy_purge_stats;

/* The periodic purge (`rblctl purge`, rbld's purge timer, rbl-import at
 * the end): prune evidence older than NOW - retention, drop score state
 * that has decayed away with no evidence left, refresh reputation codes
 * to their value at NOW, and remove expired entries from all lists.
 * *OUT may be NULL.  RBL_OK or a store error. */
int rbl_policy_purge(rbl_txn *t, const rbl_policy_set *set, int64_t now,
		     rbl_policy_purge_stats *out);

#endif
