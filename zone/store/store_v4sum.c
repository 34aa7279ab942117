/*
 * store_v4sum.c -- the IPv4 summary of large IP lists: one bit per /24,
 * so that most lookups of unlisted addresses skip the B-tree descent.
 *
 * Why: a lookup is one seek and a search in one chunk, but for a list of
 * ten million entries the chunks are spread over ~45 MiB, so a random
 * address costs a cache miss or two, and most DNSBL queries are for
 * unlisted addresses.  A 2 MiB bitmap answers most of those with one
 * memory access (with 10M random /32s nearly half the /24s hold one).
 *
 * Invariant: bit i of list L's summary is set if and only if some IPv4
 * entry of L (listing or exclusion, expired or not) overlaps the /24
 * number i (address >> 8).  Readers rely only on the "if": a set bit means
 * "maybe, descend"; a clear bit means nothing of L is there and the lookup
 * answers RBL_ENOTFOUND at once.
 *
 * Storage: meta 'v'+list id -> the bitmap, bit i at byte i / 8, mask
 * 1 << i % 8.  LMDB keeps a value this large in contiguous overflow pages,
 * so one mdb_get yields the whole bitmap, and as it is written in the same
 * transaction as the chunks, every snapshot sees the two consistent.
 * Only lists with RBL_V4SUM_MIN entries or more get one; a list without
 * one is always descended.
 *
 * Writes: a write transaction records the /24 range of each IPv4 prefix
 * added or deleted.  At commit, after the chunks are final, added ranges
 * set their bits and deleted ones are recomputed from the entries, so a
 * /24 emptied by a delete clears.  Bulk transactions, purges that rebuild
 * a list, rbl_list_clear and transactions with very many changes
 * recompute the whole bitmap from the entries instead.  The
 * bitmap is written once per changed list and commit (MDB_RESERVE, then
 * one copy from a scratch bitmap the store keeps), and not at all when no
 * bit moved (adding a /32 next to a listed one).  Any write still copies
 * 2 MiB: that is the price of a one-value summary, paid by writers so
 * that readers need one mdb_get per list and snapshot.
 *
 * A replacing import (store_replace.c) sees every entry of the list's new
 * IPv4 data go by in order: it sets the bits as it writes the chunks and
 * hands the bitmap over (rbl_v4sum_base), so the commit neither records
 * each change nor walks the whole list again; changes made after the
 * replacement in the same transaction are replayed on top of it.
 *
 * Reads: the pointer to each list's bitmap is cached in the rbl_txn (a
 * fixed array, no allocation) until a renew takes another snapshot or
 * map (store.c: learn_snapshot; a renew onto the same one keeps it, so a
 * server renewing at every batch reads the bitmap once per commit).
 * Write transactions never use it: their own changes are not in it yet.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/store_impl.h"

static size_t v4sum_key(uint8_t *k, uint32_t list_id)
{
	k[0] = 'v';
	rbl_put_be32(k + 1, list_id);
	return 5;
}

/* ------------------------------------------------------------ bits */

static void bits_fill(uint8_t *b, uint32_t lo, uint32_t hi, bool on)
{
	uint32_t n;

	for (; lo <= hi && (lo & 7); lo++)
		b[lo >> 3] = on ? b[lo >> 3] | (uint8_t)(1u << (lo & 7))
				: b[lo >> 3] & (uint8_t)~(1u << (lo & 7));
	if (lo > hi)
		return;
	n = (hi - lo + 1) >> 3;
	memset(b + (lo >> 3), on ? 0xff : 0, n);
	for (lo += n << 3; lo <= hi; lo++)
		b[lo >> 3] = on ? b[lo >> 3] | (uint8_t)(1u << (lo & 7))
				: b[lo >> 3] & (uint8_t)~(1u << (lo & 7));
}

bool rbl_v4sum_any(const uint8_t *bits, uint32_t lo, uint32_t hi)
{
	for (; lo <= hi && (lo & 7); lo++)
		if (rbl_v4sum_bit(bits, lo))
			return true;
	for (; lo <= hi && hi - lo >= 7; lo += 8)
		if (bits[lo >> 3])
			return true;
	for (; lo <= hi; lo++)
		if (rbl_v4sum_bit(bits, lo))
			return true;
	return false;
}

/* --------------------------------------------------------- read side */

int rbl_v4sum_peek(rbl_txn *t, uint32_t list_id, const uint8_t **bits)
{
	uint8_t k[5];
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->meta, k, v4sum_key(k, list_id), &v);

	*bits = NULL;
	if (rc != RBL_OK)
		return rc;
	if (v.mv_size != RBL_V4SUM_BYTES)
		return RBL_ENOTFOUND;
	*bits = v.mv_data;
	return RBL_OK;
}

const uint8_t *rbl_v4sum_find(rbl_txn *t, uint32_t list_id)
{
	struct rbl_v4sum_slot *slot;
	const uint8_t *bits = NULL;

	if (t->write)
		return NULL;
	for (unsigned i = 0; i < t->n_v4sum; i++)
		if (t->v4sum[i].list_id == list_id)
			return t->v4sum[i].bits;
	/* an error reads as "no summary": the descent reports it */
	(void)rbl_v4sum_peek(t, list_id, &bits);
	if (t->n_v4sum < RBL_V4SUM_SLOTS)
		slot = &t->v4sum[t->n_v4sum++];
	else
		slot = &t->v4sum[t->next_v4sum++ % RBL_V4SUM_SLOTS];
	slot->list_id = list_id;
	slot->bits = bits;
	return bits;
}

void rbl_v4sum_forget(rbl_txn *t)
{
	t->n_v4sum = 0;
	t->next_v4sum = 0;
}

/* -------------------------------------------------- write bookkeeping */

static void drop_ranges(struct rbl_list_state *ls)
{
	free(ls->v4r);
	ls->v4r = NULL;
	ls->n_v4r = ls->cap_v4r = 0;
}

void rbl_v4sum_set(uint8_t *b, const rbl_prefix *p)
{
	uint32_t a = rbl_get_be32(p->addr.bytes), f = a >> 8;

	if (p->len >= 24)
		b[f >> 3] |= (uint8_t)(1u << (f & 7));
	else
		bits_fill(b, f, (a | (uint32_t)(0xffffffffu >> p->len)) >> 8,
			  true);
}

uint8_t *rbl_v4sum_new(void)
{
	return calloc(1, RBL_V4SUM_BYTES);
}

void rbl_v4sum_base(struct rbl_list_state *ls, uint8_t *b)
{
	free(ls->v4base);
	ls->v4base = b;
	drop_ranges(ls);
	ls->marks &= ~(unsigned)RBL_LIST_V4SUM_FULL;
}

/* Extend the last range when R continues it (sorted or repeated input). */
static bool merge_last(struct rbl_list_state *ls, const struct rbl_v4range *r)
{
	struct rbl_v4range *last = ls->n_v4r ? &ls->v4r[ls->n_v4r - 1] : NULL;

	if (!last || last->del != r->del || r->lo > last->hi + 1 ||
	    r->hi + 1 < last->lo)
		return false;
	if (r->lo < last->lo)
		last->lo = r->lo;
	if (r->hi > last->hi)
		last->hi = r->hi;
	return true;
}

int rbl_v4sum_note(rbl_txn *t, struct rbl_list_state *ls,
		   const rbl_prefix *p, bool del)
{
	rbl_addr first = { 0 }, last = { 0 };
	struct rbl_v4range r = { 0 };

	if (p->addr.family != RBL_AF4 ||
	    (ls->marks & (RBL_LIST_REBUILD | RBL_LIST_V4SUM_FULL)))
		return RBL_OK;
	rbl_prefix_first(p, &first);
	rbl_prefix_last(p, &last);
	r.lo = rbl_get_be32(first.bytes) >> 8;
	r.hi = rbl_get_be32(last.bytes) >> 8;
	r.del = del;
	if (merge_last(ls, &r))
		return RBL_OK;
	if (ls->n_v4r == RBL_V4SUM_MAX_RANGES) {
		drop_ranges(ls);
		ls->marks |= RBL_LIST_V4SUM_FULL;
		return RBL_OK;
	}
	if (rbl_array_reserve(ls->v4r, ls->cap_v4r, ls->n_v4r + 1, 16) != RBL_OK)
		return rbl_txn_fail(t, RBL_ENOMEM);
	ls->v4r[ls->n_v4r++] = r;
	return RBL_OK;
}

void rbl_v4sum_txn_free(rbl_txn *t)
{
	for (size_t i = 0; i < t->n_lists; i++) {
		drop_ranges(&t->lists[i]);
		free(t->lists[i].v4base);
		t->lists[i].v4base = NULL;
	}
}

/* ----------------------------------------------------------- commit */

struct recompute {
	uint8_t *b;
	uint32_t lo, hi;
};

static int set_entry_bits(void *arg, const rbl_prefix *p, const rbl_ck *c,
			  unsigned ai, unsigned rec)
{
	struct recompute *r = arg;
	uint32_t a = rbl_get_be32(p->addr.bytes), f = 0, l = 0;

	(void)c;
	(void)ai;
	/* the walk gives canonical prefixes: the address is the first */
	f = a >> 8;
	l = p->len >= 24 ? f : (a | (uint32_t)(0xffffffffu >> p->len)) >> 8;
	if (f > r->hi)
		return 1;	/* entries come in address order: done */
	bits_fill(r->b, f > r->lo ? f : r->lo, l < r->hi ? l : r->hi, true);
	return 0;
}

/* Recompute bits LO..HI of list LIST_ID's bitmap B from its entries: those
 * covering the start of the range, then those starting inside it. */
static int recompute(rbl_txn *t, uint32_t list_id, uint8_t *b, uint32_t lo,
		     uint32_t hi)
{
	struct recompute r = { b, lo, hi };
	uint8_t from[4];
	int rc = 0;

	bits_fill(b, lo, hi, false);
	rbl_put_be32(from, lo << 8);
	rc = rbl_ip_walk(t, list_id, RBL_AF4, from, true, set_entry_bits, &r);
	return rc == 1 ? RBL_OK : rc;
}

/* Replay LS's recorded changes on B: additions first (their bits can only
 * be set), then deletions, recomputed from the final entries. */
static int replay(rbl_txn *t, const struct rbl_list_state *ls, uint8_t *b)
{
	for (size_t i = 0; i < ls->n_v4r; i++)
		if (!ls->v4r[i].del)
			bits_fill(b, ls->v4r[i].lo, ls->v4r[i].hi, true);
	for (size_t i = 0; i < ls->n_v4r; i++) {
		int rc;

		if (ls->v4r[i].del &&
		    (rc = recompute(t, ls->id, b, ls->v4r[i].lo,
				    ls->v4r[i].hi)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

static int drop_summary(rbl_txn *t, uint32_t list_id)
{
	uint8_t k[5];
	int rc = rbl_db_del(t, t->s->meta, k, v4sum_key(k, list_id));

	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}

/* False if replaying LS's ranges left B as OLD: only the bytes they
 * touched can differ, and they are usually few. */
static bool changed(const struct rbl_list_state *ls, const uint8_t *b,
		    const uint8_t *old)
{
	size_t touched = 0;

	for (size_t i = 0; i < ls->n_v4r; i++)
		touched += (ls->v4r[i].hi >> 3) - (ls->v4r[i].lo >> 3) + 1;
	if (touched >= RBL_V4SUM_BYTES)
		return memcmp(b, old, RBL_V4SUM_BYTES) != 0;
	for (size_t i = 0; i < ls->n_v4r; i++) {
		size_t from = ls->v4r[i].lo >> 3, to = ls->v4r[i].hi >> 3;

		if (memcmp(b + from, old + from, to - from + 1) != 0)
			return true;
	}
	return false;
}

/* Write B as LIST_ID's summary: reserved, then one copy. */
static int put_summary(rbl_txn *t, uint32_t list_id, const uint8_t *b)
{
	uint8_t kb[5];
	MDB_val k = { v4sum_key(kb, list_id), kb }, v = { RBL_V4SUM_BYTES,
							  NULL };
	int rc = mdb_put(t->txn, t->s->meta, &k, &v, MDB_RESERVE);

	if (rc)
		return rbl_txn_fail(t, rbl_mdb_error(rc));
	memcpy(v.mv_data, b, RBL_V4SUM_BYTES);
	return RBL_OK;
}

/* Bring list LS's summary up to date. */
static int commit_list(rbl_txn *t, const struct rbl_list_state *ls)
{
	const uint8_t *old = NULL;
	uint8_t *b;
	rbl_list l = { 0 };
	bool full = ls->marks & (RBL_LIST_REBUILD | RBL_LIST_V4SUM_FULL);
	int rc = rbl_list_get_id(t, ls->id, &l);

	if (rc == RBL_ENOTFOUND)
		return drop_summary(t, ls->id);		/* list deleted */
	if (rc != RBL_OK || l.kind != RBL_LIST_IP)
		return rc;
	if ((rc = rbl_v4sum_peek(t, ls->id, &old)) != RBL_OK &&
	    rc != RBL_ENOTFOUND)
		return rc;
	if (l.n_entries < RBL_V4SUM_DROP)
		return old ? drop_summary(t, ls->id) : RBL_OK;
	if (!old && l.n_entries < RBL_V4SUM_MIN)
		return RBL_OK;
	if (ls->v4base && !full) {	/* a replacement's, and what came
					   after it */
		b = ls->v4base;
		if ((rc = replay(t, ls, b)) != RBL_OK ||
		    (old && !memcmp(b, old, RBL_V4SUM_BYTES)))
			return rc;
		return put_summary(t, ls->id, b);
	}
	if (old && !full && ls->n_v4r == 0)
		return RBL_OK;
	if (!t->s->v4sum_buf && !(t->s->v4sum_buf = malloc(RBL_V4SUM_BYTES)))
		return RBL_ENOMEM;
	b = t->s->v4sum_buf;
	if (!old || full) {
		rc = recompute(t, ls->id, b, 0, RBL_V4SUM_BITS - 1);
	} else {
		memcpy(b, old, RBL_V4SUM_BYTES);
		rc = replay(t, ls, b);
		if (rc == RBL_OK && !changed(ls, b, old))
			return RBL_OK;
	}
	return rc == RBL_OK ? put_summary(t, ls->id, b) : rc;
}

int rbl_v4sum_commit(rbl_txn *t)
{
	int rc = RBL_OK;

	for (size_t i = 0; i < t->n_lists && rc == RBL_OK; i++)
		rc = commit_list(t, &t->lists[i]);
	return rc;
}
