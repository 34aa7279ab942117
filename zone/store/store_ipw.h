/*
 * store_ipw.h -- the IP listing files' own declarations, private to
 * store_ip*.c, store_build.c, store_replace.c and store_upgrade.c
 * (store_impl.h has what the rest of the store calls).  Their layers,
 * bottom first: store_ipscan.c (chunks as stored), store_ipread.c
 * (reading), store_ipw.c (single changes), store_build.c (the chunk
 * builder), store_replace.c (replacing a list), store_upgrade.c, and
 * store_ip.c (the API of store.h) on top.
 */
#ifndef RBL_STORE_IPW_H
#define RBL_STORE_IPW_H

#include "zone/store/store_impl.h"

struct rbl_replace;

/* A write transaction's IP state: the chunk being edited. */
struct rbl_ipw {
	bool loaded, dirty;
	uint32_t list_id;
	bool had_key;		/* KEY is the chunk's key in the store */
	bool lo_open;		/* no chunk before it */
	bool hi_open;		/* no chunk after it */
	bool carry_ok;		/* the record before the chunk's first */
	uint8_t key[16], lo[16], next[16], carry_a[16];
	uint32_t carry_chain;	/* in W */
	rbl_ckw w, tmp;
	uint8_t *buf;		/* RBL_CK_LIMIT bytes */
	struct rbl_replace *rep;	/* replacing imports (store_replace.c) */
	/* the last entry rbl_ip_add prepared, as given (PREP_IN) and as
	 * prepared (PREP_NE) under the transaction's source generation
	 * PREP_SOURCE (a new source makes them stale); PREP_GEN changes with
	 * them (store_ip.c) */
	bool prep_ok;
	unsigned prep_source;
	uint64_t prep_gen;
	rbl_entry prep_in, prep_ne;
	const rbl_entry *prep_last;	/* the E of the last call */
};

/* ------------------------------------------------- store_ipscan.c */

/* The prefix START/LEN of FAMILY; CANON clears its host bits (an entry
 * repeated in a later record's chain: START is inside it). */
void rbl_ipck_prefix(rbl_prefix *p, uint8_t family, const uint8_t *start,
		     unsigned len, bool canon);
/* Encode records [FROM, TO) of W as a chunk of LIST_ID (BUF holds
 * RBL_CK_LIMIT bytes) and put it under its first address. */
int rbl_ipck_put(rbl_txn *t, uint32_t list_id, rbl_ckw *w, size_t from,
		 size_t to, uint8_t *buf);
/* Delete the chunk of LIST_ID/FAMILY at KEY (no error if absent). */
int rbl_ipck_del(rbl_txn *t, uint32_t list_id, uint8_t family,
		 const uint8_t *key);

/* ------------------------------------------------- store_ipread.c */

/* The store.h functions of the same names, on what is stored (arguments
 * checked by the caller). */
int rbl_ipr_lookup(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		   int64_t now, rbl_match *out);
/* Only for IPv4 in a read transaction that is not reset. */
void rbl_ipr_prefetch(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		      unsigned stage);
int rbl_ipr_explain(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		    int64_t now, rbl_prefix *decided, rbl_entry *e);
int rbl_ipr_get(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		rbl_entry *out);
int rbl_ipr_any_within(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		       int64_t now);
int rbl_ipr_foreach(rbl_txn *t, uint32_t list_id, const rbl_prefix *within,
		    rbl_ip_visit_fn fn, void *arg);
int rbl_ipr_foreach_listed(rbl_txn *t, uint32_t list_id, int64_t now,
			   rbl_seg_visit_fn fn, void *arg);

/* ------------------------------------------------- store_ipw.c */

/* T's IP write state, allocated on first use (NULL: out of memory). */
struct rbl_ipw *rbl_ipw_get(rbl_txn *t);
void rbl_ipw_free(rbl_txn *t);
/* Write the chunk being edited to the store. */
int rbl_ipw_flush(rbl_txn *t);
/* Write (or DISCARD) the chunk being edited if it belongs to LIST_ID. */
int rbl_ipw_flush_list(rbl_txn *t, uint32_t list_id, bool discard);
/* Store entry E at exactly P (prepared); the entry it replaced to *OLD
 * (*REPLACED true). */
int rbl_ipw_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		const rbl_entry *e, rbl_entry *old, bool *replaced);
/* Remove the entry at exactly P, which goes to *OLD; RBL_ENOTFOUND. */
int rbl_ipw_del(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		rbl_entry *old);
/* Count and summarise an entry change (E NULL: deleted). */
int rbl_ipw_changed(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		    int64_t delta, const rbl_entry *e);
/* Delete the entries expired at NOW in every list (the chunk being edited
 * written first; replacements must be finished); count added to *N. */
int rbl_ipw_purge(rbl_txn *t, int64_t now, uint64_t *n);

/* ------------------------------------------------ store_build.c */

#define RBL_CKB_STACK	130	/* one open entry per prefix length, + 1 */

/* An entry still open: later records start inside it. */
struct rbl_ckb_open {
	uint8_t start[16], last[16];
	uint8_t len;
	uint32_t ai;
};

/* An old chunk, as a range of the output (replacements only), of
 * N_REC records. */
struct rbl_ckb_window {
	uint8_t key[16], next[16];
	bool has_next, opened, keepable, overwritten;
	size_t n_rec;
};

/* A chunk builder: entries of one list and family in key order in, chunks
 * out.  Without windows, the list's chunks of that family must not exist
 * yet; with them (rbl_ckb_win_push, store_replace.c), each old chunk is
 * kept when its range comes out the same, else deleted or overwritten. */
struct rbl_ckb {
	rbl_txn *t;
	uint32_t list_id;
	uint8_t family;
	unsigned alen;
	rbl_ckw w, tmp;
	uint8_t *buf;
	struct rbl_ckb_open stack[RBL_CKB_STACK];
	unsigned depth;
	bool pending;
	uint8_t pend[16];	/* the record gathering its entries */
	uint32_t epoch;		/* bumped when W's numbers change */
	uint8_t lens[RBL_LENMASK_BYTES];
	bool any_put;
	uint8_t last_put[16];
	/* the last record's chain, reused while records repeat it */
	rbl_ckw_item last_items[RBL_CKB_STACK];
	unsigned last_n;
	uint32_t last_ci, last_ci_epoch;
	/* replacement only: old chunks not yet closed, oldest first */
	struct rbl_ckb_window *win;
	size_t n_win, head, cap_win;
};

/* B, in place, for LIST_ID and FAMILY (rbl_ckb_fini even on failure). */
int rbl_ckb_init(struct rbl_ckb *b, rbl_txn *t, uint32_t list_id,
		 uint8_t family);
void rbl_ckb_fini(struct rbl_ckb *b);
/* Make way for an entry starting at S (at or after every entry so far);
 * this may renumber b->w: intern the entry's attribute after it, then
 * rbl_ckb_push the entry P with attribute AI of b->w. */
int rbl_ckb_next(struct rbl_ckb *b, const uint8_t *s);
int rbl_ckb_push(struct rbl_ckb *b, const rbl_prefix *p, uint32_t ai);
/* One more old chunk at KEY of N_REC records (the next one at NEXT if
 * HAS_NEXT), in key order, before the builder gets past KEY. */
int rbl_ckb_win_push(struct rbl_ckb *b, const uint8_t *key, size_t n_rec,
		     bool has_next, const uint8_t *next);
/* Write everything; close every window. */
int rbl_ckb_finish(struct rbl_ckb *b);

/* The same on the heap, with entries as given (the plain use). */
int rbl_ckb_new(rbl_txn *t, uint32_t list_id, uint8_t family,
		struct rbl_ckb **out);
int rbl_ckb_add(struct rbl_ckb *b, const rbl_prefix *p, const rbl_entry *e);
void rbl_ckb_free(struct rbl_ckb *b);

/* ------------------------------------------------ store_replace.c */

/* Start replacing LIST_ID's entries (rbl_list_replace_begin); JOURNAL:
 * record the changes (else the caller marked the list for a reset). */
int rbl_replace_begin(rbl_txn *t, uint32_t list_id, bool journal);
/* If a replacement of LIST_ID takes entry E at P (in order), take it:
 * *TAKEN true.  Otherwise that replacement is finished first. */
int rbl_replace_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		    const rbl_entry *e, bool *taken);
/* Finish the replacement of LIST_ID, or every one. */
int rbl_replace_finish(rbl_txn *t, uint32_t list_id);
int rbl_replace_finish_all(rbl_txn *t);
/* Forget the replacement of LIST_ID (the list is being cleared). */
void rbl_replace_cancel(rbl_txn *t, uint32_t list_id);
void rbl_replace_free(rbl_txn *t);

#endif
