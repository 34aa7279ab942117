/*
 * namepol_impl.h -- the domain policy's private side, shared by
 * namepol.c (configuration, scores, listings), namepol_batch.c (the
 * ingest batch) and namepol_admin.c (blocks, allow entries, explain,
 * recompute, purge), which build on namepol.c.
 * Nothing outside zone/policy/namepol*.c uses it.
 */
#ifndef RBL_NAMEPOL_IMPL_H
#define RBL_NAMEPOL_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "zone/policy/namepol.h"
#include "zone/policy/polconf.h"
#include "zone/store/table.h"

/* The domain policy keeps its records in the name evidence table
 * (nameev.h), each right before the evidence of its name:
 *   name 0x00 0x01 list_id(4)  -> score state
 *   name 0x00 0x02             -> delisting block: when, who, why
 *   name 0x00 0x03             -> allow note: expires, who, why */
enum { NP_T_STATE = 0x01, NP_T_BLOCK = 0x02, NP_T_ALLOW = 0x03 };
/* "name 0x00 TYPE" into K (RBL_NAME_MAX + 2 bytes); its length. */
size_t np_key(uint8_t *k, const char *name, uint8_t type);

enum { NS_LISTED = 1, NS_REDIRECTOR = 2, NS_LISTED_REDIR = 4 };

/* Score state of one name under one policy list. */
typedef struct nstate {
	double score;			/* decayed to t_ref */
	int64_t t_ref, first_seen, last_seen;
	uint64_t n;			/* evidence counted */
	uint8_t flags;			/* NS_* */
	int64_t listed_expires;		/* of the entry we wrote */
	int64_t ns_first;		/* first_seen the newly-seen entry was
					   written for; 0 = none */
	uint8_t n_recent;		/* the newest messages, newest first */
	rbl_namepol_ref recent[RBL_NAMEPOL_RECENT];
} nstate;

/* The list a piece of KIND feeds under P (0 = P does not take it). */
uint32_t np_target(const rbl_namepol *p, uint8_t kind);
/* Load the state of NAME under LIST_ID (zeroed, *FOUND false if none). */
int np_state_get(const rbl_table *tb, const char *name, uint32_t list_id,
		 nstate *st, bool *found);
int np_state_put(const rbl_table *tb, const char *name, uint32_t list_id,
		 const nstate *st);
/* 1 if a block was ever written (its marker is set), 0 if not, <0. */
int np_blocks_exist(const rbl_table *tb);
/* Set the marker: blocks exist.  RBL_OK or a store error. */
int np_blocks_mark(const rbl_table *tb);
int np_state_del(const rbl_table *tb, const char *name, uint32_t list_id);
/* Decode a state key K (KLEN bytes) into NAME and *LIST_ID; false if it
 * is not one. */
bool np_state_key_decode(const void *k, size_t klen, char *name,
			 uint32_t *list_id);
int np_state_decode(const void *v, size_t len, nstate *st);
/* Add contribution W at WHEN to ST under P. */
void np_state_add(const rbl_namepol *p, nstate *st, double w, int64_t when);
/* Remember message (WHEN, HASH[0..8)) among ST's newest. */
void np_state_recent(nstate *st, int64_t when, const uint8_t *hash);
/* The block of NAME: its time into *WHEN (0 if none); *INFO filled if
 * not NULL.  RBL_OK or a store error. */
int np_block_get(const rbl_table *tb, const char *name, int64_t *when,
		 rbl_policy_block_info *info);
/* Bring the listings of NAME under P (list LIST_ID) in line with ST at
 * NOW; counts into *RES (may be NULL). */
int np_settle(rbl_txn *t, const rbl_namepol *p, uint32_t list_id,
	      const char *name, nstate *st, int64_t now,
	      rbl_policy_result *res);
/* 1 if NAME is covered by P's allow list at NOW, 0 if not, <0 error. */
int np_allowed(rbl_txn *t, const rbl_namepol *p, const char *name,
	       int64_t now);
/* Remove the entry for NAME in LIST_ID if a policy wrote it. */
int np_unlist_entry(rbl_txn *t, uint32_t list_id, const char *name,
		    bool subtree);
/* A and B hold the same values. */
bool np_state_same(const nstate *a, const nstate *b);
/* P's score for ST at NOW. */
double np_score_at(const rbl_namepol *p, const nstate *st, int64_t now);

#endif
