/*
 * policy_impl.h -- the policy module's private side, shared by its files,
 * each calling only the ones before it:
 *   policy_state.c      the records below and the score arithmetic
 *   policy_aggregate.c  listing whole prefixes (optional)
 *   policy.c            configuration, applying evidence, settling
 *   policy_admin.c      human decisions, explaining, purge
 * Nothing outside zone/policy/policy*.c (and evidence_dump.c, which
 * prints the state) uses it.
 *
 * Tables (zone/store/table.h):
 *   evstate  subject(18) | list_id(4)  -> score state (pstate, encoded)
 *   evnote   'b' | subject(18)         -> delisting block: when, who, why
 *            'a' | subject(18)         -> allow note: expires, who, why
 */
#ifndef RBL_POLICY_IMPL_H
#define RBL_POLICY_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/policy/policy.h"
#include "zone/policy/polconf.h"
#include "zone/store/table.h"

#define PSUBJ_LEN	18
#define PSTATE_KEY_LEN	(PSUBJ_LEN + 4)
#define PNOTE_KEY_LEN	(1 + PSUBJ_LEN)

/* Score state of one subject under one policy (one list).  Scores are the
 * per-kind sums decayed to T_REF, the newest evidence counted. */
typedef struct pstate {
	double kscore[RBL_EV_KINDS + 1];
	int64_t t_ref;
	int64_t first_seen;
	uint64_t n;
	uint8_t listed;		/* we wrote a listing entry that is live */
	uint8_t listed_kind;
	int64_t listed_expires;
	uint32_t rep_list_id;	/* reputation list the entry went to */
	uint8_t rep;		/* value written there; 255 = none */
} pstate;

void pol_subject_key(uint8_t *k, const rbl_prefix *p);
void pol_subject_decode(const uint8_t *k, rbl_prefix *p);

/* Load the state of SUBJECT under LIST_ID; a missing one is zeroed with
 * rep 255 and *FOUND false.  RBL_OK or a store error. */
int pol_state_get(rbl_txn *t, const rbl_prefix *subject, uint32_t list_id,
		  pstate *st, bool *found);
int pol_state_put(rbl_txn *t, const rbl_prefix *subject, uint32_t list_id,
		  const pstate *st);
int pol_state_del(rbl_txn *t, const rbl_prefix *subject, uint32_t list_id);
int pol_state_table(rbl_txn *t, rbl_table *tb);
int pol_state_decode(const rbl_val *v, pstate *st);
size_t pol_state_encode(const pstate *st, uint8_t *buf);
#define PSTATE_VAL_LEN (1 + 8 * RBL_EV_KINDS + 8 + 8 + 8 + 1 + 1 + 8 + 4 + 1)

/* Sum of ST's scores (at its T_REF). */
double pol_state_score(const pstate *st);
/* Kind with the largest score, 0 if none. */
uint8_t pol_state_dominant(const pstate *st);
/* Add a contribution W of KIND at time WHEN to ST under P. */
void pol_state_add(const rbl_policy *p, pstate *st, uint8_t kind, double w,
		   int64_t when);

/* Bring the listing (and reputation entry) of SUBJECT under P in line with
 * ST at NOW; counts into *RES (may be NULL).  ST->listed etc. updated. */
int pol_settle(rbl_txn *t, const rbl_policy *p, const rbl_prefix *subject,
	       pstate *st, int64_t now, rbl_policy_result *res);

/* Write SUBJECT's reputation entry for ST's score at NOW if it changed. */
int pol_settle_reputation(rbl_txn *t, const rbl_policy *p,
			  const rbl_prefix *subject, pstate *st, int64_t now);
/* With aggregation on: list A's /aggregate_len prefix if enough distinct
 * addresses in it are listed by P at NOW, or remove that aggregate when
 * no longer; allowed and blocked addresses inside get exclusions. */
int pol_aggregate(rbl_txn *t, const rbl_policy *p, const rbl_addr *a,
		  int64_t now, rbl_policy_result *res);
/* Remove SUBJECT's reputation entry written from ST, if any. */
int pol_drop_reputation(rbl_txn *t, const rbl_prefix *subject, pstate *st);

/* The note of TYPE ('b' block, 'a' allow) about SUBJECT: put replaces
 * it; get and del answer RBL_ENOTFOUND when there is none. */
int pol_note_put(rbl_txn *t, char type, const rbl_prefix *subject,
		 int64_t when, const char *who, const char *why);
int pol_note_get(rbl_txn *t, char type, const rbl_prefix *subject,
		 rbl_policy_block_info *out);
int pol_note_del(rbl_txn *t, char type, const rbl_prefix *subject);
/* The block of SUBJECT: RBL_OK, RBL_ENOTFOUND or a store error. */
int pol_block_get(rbl_txn *t, const rbl_prefix *subject,
		  rbl_policy_block_info *out);
/* The note table (blocks, allow notes). */
int pol_note_table(rbl_txn *t, rbl_table *tb);

/* "policy:NAME" into BUF (RBL_SOURCE_MAX + 1 bytes). */
void pol_source(const rbl_policy *p, char *buf);
/* True if entry E was written by a policy. */
bool pol_is_policy_entry(const rbl_entry *e);
/* The host prefix of A. */
void pol_host(const rbl_addr *a, rbl_prefix *out);

#endif
