/*
 * store_ipw.h -- the write side of IP listings, shared by store_ipw.c
 * (changes of single entries), store_replace.c (replacing a whole list
 * by a sorted merge) and store_upgrade.c.  Private to zone/store/.
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
	size_t ck_writes;	/* chunks written or deleted: a big rewrite
				   is followed by a small commit (store.c) */
};

/* T's IP write state, allocated on first use (NULL: out of memory). */
struct rbl_ipw *rbl_ipw_get(rbl_txn *t);
/* Before reading LIST_ID in T: its replacement finished, the chunk being
 * edited written. */
int rbl_ipw_ready(rbl_txn *t, uint32_t list_id);
/* Store entry E at exactly P (prepared); the entry it replaced to *OLD
 * (*REPLACED true). */
int rbl_ipw_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		const rbl_entry *e, rbl_entry *old, bool *replaced);
/* Remove the entry at exactly P, which goes to *OLD; RBL_ENOTFOUND. */
int rbl_ipw_del(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		rbl_entry *old);
/* Encode records [FROM, TO) of W as a chunk of LIST_ID (BUF holds
 * RBL_CK_LIMIT bytes) and put it under its first address. */
int rbl_ipw_put_piece(rbl_txn *t, uint32_t list_id, rbl_ckw *w, size_t from,
		      size_t to, uint8_t *buf);
/* Delete the chunk of LIST_ID/FAMILY at KEY (no error if absent). */
int rbl_ipw_del_key(rbl_txn *t, uint32_t list_id, uint8_t family,
		    const uint8_t *key);
/* Write (or DISCARD) the chunk being edited if it belongs to LIST_ID. */
int rbl_ipw_flush_list(rbl_txn *t, uint32_t list_id, bool discard);
/* The prefix lengths of LIST_ID's entries of FAMILY, exactly. */
int rbl_ip_lengths(rbl_txn *t, uint32_t list_id, uint8_t family,
		   uint8_t *mask);
/* Journal, count and summarise an entry change (E NULL: deleted). */
int rbl_ipw_changed(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		    int64_t delta, const rbl_entry *e);

/* ------------------------------------------------ store_replace.c */

/* A chunk builder: entries of one list and family in key order in, chunks
 * out (the list's chunks of that family must not exist yet). */
struct rbl_ckb;
int rbl_ckb_new(rbl_txn *t, uint32_t list_id, uint8_t family,
		struct rbl_ckb **out);
int rbl_ckb_add(struct rbl_ckb *b, const rbl_prefix *p, const rbl_entry *e);
int rbl_ckb_finish(struct rbl_ckb *b);
void rbl_ckb_free(struct rbl_ckb *b);

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
