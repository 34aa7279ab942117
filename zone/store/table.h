/*
 * table.h -- named tables in the store, for the parts of zone/ that keep
 * their own records: users, the audit log, delisting requests, evidence,
 * policy state, rDNS proposals.  They live in the same environment as the
 * listings, so a delisting, its audit record and the relisting block
 * commit together, in one transaction.
 *
 * A table is a sorted map from byte-string keys to byte-string values,
 * opened by name (at most RBL_TABLE_NAME_MAX bytes) inside a transaction
 * of store.h.  Keys are 1..511 bytes (LMDB's limit) and sort bytewise, a
 * key before the longer keys it starts: big-endian integers (bytes.h)
 * therefore sort numerically.  Values are any length the map holds.
 *
 * Contract
 *   - Everything happens in the caller's transaction: nothing is visible
 *     to others before rbl_txn_commit(), and an aborted transaction leaves
 *     no trace, not even a table it created.
 *   - Keys and values handed out (rbl_val) point into the store's map, as
 *     LMDB's do: valid until the transaction ends or is reset, and in a
 *     write transaction only until its next write (any put or delete, in
 *     any table or through store.h).  Copy what must live longer.
 *   - Functions return RBL_OK or a negative rbl_error: RBL_ENOTFOUND for
 *     a missing key, or a table never created (in a read transaction);
 *     RBL_EEXIST for a put that must not replace or append; RBL_EREADONLY
 *     for a write in a read transaction; store errors otherwise.  A put or
 *     delete that fails for any other reason marks the transaction broken
 *     (rbl_txn_fail): its commit then fails, so half a change never lands.
 *   - A table handle is two words on the caller's stack, valid for the
 *     transaction it was opened in.  Nothing here allocates.
 *   - The store's own databases (the listings, zones, journal) are not
 *     tables: their names are refused, and only the store reaches them.
 */
#ifndef RBL_TABLE_H
#define RBL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/store/store.h"

#define RBL_TABLE_NAME_MAX	31

typedef struct rbl_table {
	rbl_txn *txn;
	unsigned int dbi;		/* the store's handle */
} rbl_table;

/* A key or value: LEN bytes at P, in the map (see the contract). */
typedef struct rbl_val {
	const void *p;
	size_t len;
} rbl_val;

/* Open table NAME in T into *OUT; a write transaction creates it.
 * Returns RBL_OK, RBL_ENOTFOUND (read txn: never created, so empty),
 * RBL_EINVAL (bad or reserved name), RBL_ELIMIT (too many tables),
 * RBL_ESTALE (created by a commit after this read txn began: reset,
 * renew and retry), RBL_ESTORE. */
int rbl_table_open(rbl_txn *t, const char *name, rbl_table *out);

/* The value of KEY into *VAL.  RBL_OK or RBL_ENOTFOUND. */
int rbl_table_get(const rbl_table *tb, const void *key, size_t klen,
		  rbl_val *val);

enum rbl_table_put_flags {
	RBL_TABLE_NEW	 = 1u << 0,	/* RBL_EEXIST if KEY is there already */
	RBL_TABLE_APPEND = 1u << 1,	/* KEY sorts after every key (fills
					   pages; RBL_EEXIST if it does not) */
};
/* Store VAL under KEY, replacing its value unless FLAGS say otherwise. */
int rbl_table_put(const rbl_table *tb, const void *key, size_t klen,
		  const void *val, size_t vlen, unsigned flags);
/* Delete KEY.  RBL_OK or RBL_ENOTFOUND. */
int rbl_table_del(const rbl_table *tb, const void *key, size_t klen);
/* Delete every key starting with PREFIX (PLEN bytes; 0: all), their
 * number to *N (may be NULL). */
int rbl_table_del_prefix(const rbl_table *tb, const void *prefix,
			 size_t plen, uint64_t *n);

/* For a table keyed by big-endian ids of ID_LEN bytes (4 or 8): the id
 * after the last key, 1 when the table is empty.  RBL_OK, RBL_EINVAL (bad
 * ID_LEN), RBL_ESTORE (the last key is not ID_LEN bytes), RBL_ELIMIT (no
 * id left). */
int rbl_table_next_id(const rbl_table *tb, size_t id_len, uint64_t *id);
/* The number of records, without reading them. */
int rbl_table_count(const rbl_table *tb, uint64_t *n);

/* ------------------------------------------------------------ iterating */

enum rbl_table_walk {
	RBL_TABLE_BACKWARD = 1u << 0,	/* descending key order */
	RBL_TABLE_PREFIX   = 1u << 1,	/* only keys starting with FROM */
};

/* Where a walk is; set up by rbl_table_iter_init, fields private. */
typedef struct rbl_table_iter {
	rbl_table tb;
	void *cursor;			/* the store's; NULL until the first step */
	const void *from;
	size_t from_len;
	unsigned flags;			/* rbl_table_walk */
	int state;
} rbl_table_iter;

/* Walk TB from FROM (FROM_LEN bytes; NULL: from the first key, or the
 * last going backward): forward from the first key >= FROM, backward from
 * the last key <= FROM; with RBL_TABLE_PREFIX, over the keys starting
 * with FROM only, in either direction.  FROM must stay valid during the
 * walk.  Cannot fail: errors come from the first rbl_table_next. */
void rbl_table_iter_init(rbl_table_iter *it, const rbl_table *tb,
			 const void *from, size_t from_len, unsigned flags);
/* The next record into *KEY and *VAL: returns 1, 0 at the end of the
 * walk, or a negative rbl_error. */
int rbl_table_next(rbl_table_iter *it, rbl_val *key, rbl_val *val);
/* Delete the current record; the walk goes on with the one after it. */
int rbl_table_iter_del(rbl_table_iter *it);
/* Replace the current record's value by VAL. */
int rbl_table_iter_put(rbl_table_iter *it, const void *val, size_t vlen);
/* Release the walk (always, also after an error or an early stop). */
void rbl_table_iter_end(rbl_table_iter *it);

/* --------------------------------------------------------- transactions */

/* Mark write transaction T broken with RC (unless it already is) and
 * return RC: for a part whose step failed after something was written
 * (through a table or store.h), so the commit fails instead of landing
 * half of it. */
int rbl_txn_fail(rbl_txn *t, int rc);

/* Make write transaction T move the store's generation at commit
 * (rbl_store_generation), as a change of zones or lists does: for a part
 * whose table rbld holds in memory (access keys, zone/people/qkey.h), so
 * servers rebuild it at their next batch with no read of their own.
 * RBL_OK or RBL_EREADONLY. */
int rbl_txn_touch_generation(rbl_txn *t);

#endif
