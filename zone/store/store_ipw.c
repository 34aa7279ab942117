/*
 * store_ipw.c -- IP listings, the write side: adding and deleting entries
 * in chunks, purging expired entries.  Above store_ipscan.c (chunks in the
 * store) and the summaries; store_replace.c and store_ip.c call it.
 *
 * A write transaction edits one chunk at a time in memory (struct
 * rbl_ipw): an add or delete loads the chunk owning the entry's first
 * address, changes the records from that address to the entry's last
 * one (a new record where the entry starts, the entry inserted into or
 * removed from the chain of every record it covers), and leaves the chunk
 * loaded, so that the next change nearby costs no decoding.  The chunk is
 * written back (cut into pieces of at most RBL_CK_MAX bytes) when a change
 * needs another chunk, before any read, and at commit.  A chunk that grows
 * past PARTIAL_RECORDS records in memory (a sorted import appending to the
 * end of a list) has all but its last piece written at once.
 *
 * Writing a chunk is copy-on-write of a few KiB, like a B-tree leaf: the
 * rest of the list is not touched, and readers keep their snapshot.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zone/compiler.h"
#include "zone/store/store_impl.h"
#include "zone/store/store_ipw.h"

#define PARTIAL_RECORDS	8192
#define CHAIN_ITEMS_MAX	129	/* one per prefix length, IPv6 */

struct rbl_ipw *rbl_ipw_get(rbl_txn *t)
{
	if (!t->ipw) {
		t->ipw = calloc(1, sizeof *t->ipw);
		if (!t->ipw)
			return NULL;
		rbl_ckw_init(&t->ipw->w, RBL_AF4);
		rbl_ckw_init(&t->ipw->tmp, RBL_AF4);
	}
	if (!t->ipw->buf && !(t->ipw->buf = malloc(RBL_CK_LIMIT)))
		return NULL;
	return t->ipw;
}

void rbl_ipw_free(rbl_txn *t)
{
	if (!t->ipw)
		return;
	rbl_ckw_free(&t->ipw->w);
	rbl_ckw_free(&t->ipw->tmp);
	free(t->ipw->buf);
	free(t->ipw);
	t->ipw = NULL;
}

static bool addr_lt(const uint8_t *a, const uint8_t *b, unsigned alen)
{
	return memcmp(a, b, alen) < 0;
}

/* Write records [0, UPTO) of the loaded chunk as pieces; the old key goes
 * unless a piece took it over (or KEEP_LAST keeps the last piece, whose
 * first address is then returned in *LAST_FROM). */
static int write_pieces(rbl_txn *t, struct rbl_ipw *x, bool keep_last,
			size_t *last_from)
{
	rbl_ckw *w = &x->w;
	size_t from = 0, starts[2] = { 0, 0 };
	bool old_kept = false;
	int rc = RBL_OK;

	/* find where the last piece starts first: it may stay in memory */
	while (from < w->n_rec) {
		size_t size, to = rbl_ckw_piece(w, from, &size);

		starts[0] = starts[1];
		starts[1] = from;
		from = to;
	}
	*last_from = keep_last ? starts[1] : w->n_rec;
	for (from = 0; rc == RBL_OK && from < *last_from;) {
		size_t size, to = rbl_ckw_piece(w, from, &size);

		if (to > *last_from)
			to = *last_from;
		if (x->had_key && !memcmp(w->rec[from].a, x->key, w->alen))
			old_kept = true;
		rc = rbl_ipck_put(t, x->list_id, w, from, to, x->buf);
		from = to;
	}
	if (rc != RBL_OK || !x->had_key || old_kept)
		return rc;
	if (keep_last && *last_from < w->n_rec &&
	    !memcmp(w->rec[*last_from].a, x->key, w->alen))
		return RBL_OK;	/* the piece kept will overwrite it */
	x->had_key = false;
	return rbl_ipck_del(t, x->list_id, w->family, x->key);
}

/* Write the loaded chunk whole and forget it. */
static int flush_chunk(rbl_txn *t, struct rbl_ipw *x)
{
	size_t last = 0;
	int rc = RBL_OK;

	if (x->loaded && x->dirty)
		rc = write_pieces(t, x, false, &last);
	x->loaded = x->dirty = false;
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

/* A sorted import appends to one chunk: write all but its last piece,
 * which stays loaded (with the record before it as the carry). */
static int flush_partial(rbl_txn *t, struct rbl_ipw *x)
{
	rbl_ckw *w = &x->w, keep = { 0 };
	size_t last = 0;
	bool key_stays = false;
	int rc = write_pieces(t, x, true, &last);

	if (rc != RBL_OK)
		return rbl_txn_fail(t, rc);
	if (last == 0)
		return RBL_OK;
	key_stays = x->had_key;
	rbl_ckw_reset(&x->tmp, w->family);
	if ((rc = rbl_ckw_move_tail(w, last - 1, &x->tmp, NULL)) != RBL_OK)
		return rbl_txn_fail(t, rc);
	keep = *w;
	*w = x->tmp;
	x->tmp = keep;
	x->carry_ok = true;
	memcpy(x->carry_a, w->rec[0].a, sizeof x->carry_a);
	x->carry_chain = w->rec[0].chain;
	rbl_ckw_rec_remove(w, 0);
	x->lo_open = false;
	memcpy(x->lo, w->rec[0].a, sizeof x->lo);
	x->had_key = key_stays;
	if (key_stays)
		memcpy(x->key, w->rec[0].a, sizeof x->key);
	return RBL_OK;
}

/* ------------------------------------------------------------ loading */

static bool owns(const struct rbl_ipw *x, uint32_t list_id, uint8_t family,
		 const uint8_t *a)
{
	unsigned alen = rbl_key_alen(family);

	return x->loaded && x->list_id == list_id && x->w.family == family &&
	       (x->lo_open || !addr_lt(a, x->lo, alen)) &&
	       (x->hi_open || addr_lt(a, x->next, alen));
}

/* The last record of the chunk at V as the carry of the loaded chunk. */
static int load_carry(struct rbl_ipw *x, const MDB_val *v)
{
	/* per change: filled up to the count before it is read */
	RBL_NOINIT rbl_ckw_item items[CHAIN_ITEMS_MAX];
	const uint8_t *raw = NULL;
	unsigned n = 0, last = 0;
	rbl_ck ck = { 0 };
	int rc = rbl_ck_open(&ck, x->w.family, v->mv_data, v->mv_size);

	if (rc != RBL_OK)
		return rc;
	last = ck.n_rec - 1u;
	if ((rc = rbl_ck_chain(&ck, rbl_ck_chain_of(&ck, last), &raw, &n)))
		return rc;
	if (n > CHAIN_ITEMS_MAX)
		return RBL_ESTORE;
	for (unsigned k = 0; k < n; k++) {
		items[k].len = rbl_ck_item_len(&ck, raw, k);
		if ((rc = rbl_ckw_attr_copy(&x->w, &ck, rbl_ck_item_attr(&ck,
				raw, k), last, &items[k].attr)) != RBL_OK)
			return rc;
	}
	rbl_ck_start(&ck, last, x->carry_a);
	x->carry_ok = true;
	return rbl_ckw_chain_put(&x->w, items, n, &x->carry_chain);
}

/* Load the chunk of LIST_ID/FAMILY owning address A. */
static int load_chunk(rbl_txn *t, struct rbl_ipw *x, uint32_t list_id,
		      uint8_t family, const uint8_t *a)
{
	unsigned alen = rbl_key_alen(family);
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	rbl_ck ck = { 0 };
	int rc = 0;

	if ((rc = flush_chunk(t, x)) != RBL_OK)
		return rc;
	rbl_ckw_reset(&x->w, family);
	x->list_id = list_id;
	x->had_key = x->carry_ok = false;
	x->lo_open = x->hi_open = true;
	if ((rc = mdb_cursor_open(t->txn, t->s->ipchunk, &c)))
		return rbl_txn_fail(t, rbl_mdb_error(rc));
	rc = rbl_ipck_seek(c, list_id, family, a, true, &k, &v);
	if (rc == RBL_ENOTFOUND) {	/* nothing of this family yet */
		mdb_cursor_close(c);
		x->loaded = true;
		return RBL_OK;
	}
	if (rc == RBL_OK && (rc = rbl_ck_open(&ck, family, v.mv_data,
					      v.mv_size)) == RBL_OK)
		rc = rbl_ckw_load(&x->w, &ck);
	if (rc == RBL_OK) {
		x->had_key = true;
		memcpy(x->key, (uint8_t *)k.mv_data + 5, alen);
		memcpy(x->lo, x->key, alen);
		rc = rbl_ipck_next(c, &k, &v);
		if (rc == RBL_OK) {
			x->hi_open = false;
			memcpy(x->next, (uint8_t *)k.mv_data + 5, alen);
		}
		if (rc == RBL_OK || rc == RBL_ENOTFOUND)
			rc = rbl_ipck_seek(c, list_id, family, x->key, false,
					   &k, &v);
	}
	if (rc == RBL_OK) {
		rc = rbl_mdb_error(mdb_cursor_get(c, &k, &v, MDB_PREV));
		if (rc == RBL_OK && k.mv_size == 5 + alen &&
		    rbl_get_be32(k.mv_data) == list_id &&
		    ((uint8_t *)k.mv_data)[4] == family) {
			x->lo_open = false;
			rc = load_carry(x, &v);
		} else if (rc == RBL_OK || rc == RBL_ENOTFOUND) {
			rc = RBL_OK;
		}
	}
	mdb_cursor_close(c);
	if (rc != RBL_OK)
		return rbl_txn_fail(t, rc);
	x->loaded = true;
	return RBL_OK;
}

static int chunk_for(rbl_txn *t, struct rbl_ipw *x, uint32_t list_id,
		     uint8_t family, const uint8_t *a)
{
	if (owns(x, list_id, family, a))
		return RBL_OK;
	return load_chunk(t, x, list_id, family, a);
}

int rbl_ipw_flush(rbl_txn *t)
{
	return t->ipw ? flush_chunk(t, t->ipw) : RBL_OK;
}

int rbl_ipw_flush_list(rbl_txn *t, uint32_t list_id, bool discard)
{
	struct rbl_ipw *x = t->ipw;

	if (!x || !x->loaded || x->list_id != list_id)
		return RBL_OK;
	if (discard) {
		x->loaded = x->dirty = false;
		return RBL_OK;
	}
	return flush_chunk(t, x);
}

/* ------------------------------------------------------------ chains */

/* Items of chain CI of W, with (LEN, ATTR) put in (replacing an item of
 * that length) or, ATTR UINT32_MAX, taken out.  The new chain's number to
 * *OUT; *OLD gets the replaced or removed item's attribute (UINT32_MAX:
 * none). */
static int chain_with(rbl_ckw *w, uint32_t ci, unsigned len, uint32_t attr,
		      uint32_t *out, uint32_t *old)
{
	/* per change: filled up to the count before it is read */
	RBL_NOINIT rbl_ckw_item items[CHAIN_ITEMS_MAX];
	unsigned n = 0, m = 0;
	const rbl_ckw_item *src = rbl_ckw_chain_items(w, ci, &n);
	bool done = false;

	*old = UINT32_MAX;
	for (unsigned i = 0; i < n; i++) {
		if (src[i].len == len) {
			*old = src[i].attr;
			if (attr != UINT32_MAX)
				items[m++] = (rbl_ckw_item){ (uint8_t)len,
							     attr };
			done = true;
			continue;
		}
		if (!done && attr != UINT32_MAX && src[i].len < len) {
			items[m++] = (rbl_ckw_item){ (uint8_t)len, attr };
			done = true;
		}
		items[m++] = src[i];
	}
	if (!done && attr != UINT32_MAX)
		items[m++] = (rbl_ckw_item){ (uint8_t)len, attr };
	if (m == 0) {
		*out = UINT32_MAX;
		return RBL_OK;
	}
	return rbl_ckw_chain_put(w, items, m, out);
}

/* The chain for a new record at A: the items of chain CI (of a record
 * before A; UINT32_MAX: none) that cover A, and (LEN, ATTR). */
static int chain_new(rbl_ckw *w, uint32_t ci, const uint8_t *pred,
		     const uint8_t *a, unsigned len, uint32_t attr,
		     uint32_t *out)
{
	/* per change: filled up to the count before it is read */
	RBL_NOINIT rbl_ckw_item items[CHAIN_ITEMS_MAX];
	unsigned n = 0, m = 0;
	const rbl_ckw_item *src = NULL;
	bool done = false;

	if (ci != UINT32_MAX)
		src = rbl_ckw_chain_items(w, ci, &n);
	for (unsigned i = 0; i < n; i++) {
		if (!rbl_ck_covers(pred, src[i].len, a, w->alen) ||
		    src[i].len == len)
			continue;
		if (!done && src[i].len < len) {
			items[m++] = (rbl_ckw_item){ (uint8_t)len, attr };
			done = true;
		}
		items[m++] = src[i];
	}
	if (!done)
		items[m++] = (rbl_ckw_item){ (uint8_t)len, attr };
	return rbl_ckw_chain_put(w, items, m, out);
}

static bool has_aligned(const rbl_ckw *w, uint32_t ci, const uint8_t *a)
{
	unsigned n = 0;
	const rbl_ckw_item *it = rbl_ckw_chain_items(w, ci, &n);

	for (unsigned i = 0; i < n; i++)
		if (rbl_ck_aligned(a, it[i].len, w->alen))
			return true;
	return false;
}

/* ------------------------------------------------------ add and delete */

/* Put (LEN, ATTR) into, or (ATTR UINT32_MAX) take it out of, the records
 * of the loaded chunk from index I up to address LAST. */
static int spread(struct rbl_ipw *x, size_t i, const uint8_t *last,
		  unsigned len, uint32_t attr)
{
	rbl_ckw *w = &x->w;

	for (; i < w->n_rec && memcmp(w->rec[i].a, last, w->alen) <= 0; i++) {
		uint32_t ci = 0, old = 0;
		int rc = chain_with(w, w->rec[i].chain, len, attr, &ci, &old);

		if (rc != RBL_OK)
			return rc;
		if (ci == UINT32_MAX)
			return RBL_ESTORE;	/* a record of nothing */
		w->rec[i].chain = ci;
		x->dirty = true;
	}
	return RBL_OK;
}

/* Does prefix P go on past the loaded chunk?  Then *NEXT is where. */
static bool beyond(const struct rbl_ipw *x, const uint8_t *last)
{
	return !x->hi_open && memcmp(x->next, last, x->w.alen) <= 0;
}

/* Apply (LEN, attr of E or removal) to the chunks after the first one,
 * up to LAST. */
static int spread_on(rbl_txn *t, struct rbl_ipw *x, uint32_t list_id,
		     const rbl_prefix *p, const uint8_t *last,
		     const rbl_entry *e)
{
	while (beyond(x, last)) {
		uint8_t at[16] = { 0 };
		uint32_t ai = UINT32_MAX;
		int rc = 0;

		memcpy(at, x->next, sizeof at);
		if ((rc = load_chunk(t, x, list_id, p->addr.family, at)) ||
		    (e && (rc = rbl_ckw_attr_put(&x->w, e, &ai))) ||
		    (rc = spread(x, 0, last, p->len, ai)))
			return rc;
	}
	return RBL_OK;
}

int rbl_ipw_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		const rbl_entry *e, rbl_entry *old, bool *replaced)
{
	struct rbl_ipw *x = rbl_ipw_get(t);
	const uint8_t *s = p->addr.bytes;
	uint8_t last[16] = { 0 };
	uint32_t ai = 0, ci = 0, prev = 0;
	ptrdiff_t i = 0;
	rbl_ckw *w = NULL;
	int rc = 0;

	*replaced = false;
	if (!x)
		return RBL_ENOMEM;
	if ((rc = chunk_for(t, x, list_id, p->addr.family, s)) != RBL_OK)
		return rc;
	w = &x->w;
	rbl_ck_last(s, p->len, w->alen, last);
	if ((rc = rbl_ckw_attr_put(w, e, &ai)) != RBL_OK)
		return rc;
	i = rbl_ckw_find(w, s);
	if (i >= 0 && !memcmp(w->rec[i].a, s, w->alen)) {
		/* an entry starts here already */
		if ((rc = chain_with(w, w->rec[i].chain, p->len, ai, &ci,
				     &prev)) != RBL_OK)
			return rc;
		w->rec[i].chain = ci;
		if (prev != UINT32_MAX) {
			*replaced = true;
			rbl_ckw_attr_entry(w, prev, old);
		}
	} else {
		const uint8_t *pred = i >= 0 ? w->rec[i].a : x->carry_a;
		uint32_t pc = i >= 0 ? w->rec[i].chain :
			      x->carry_ok ? x->carry_chain : UINT32_MAX;

		if ((rc = chain_new(w, pc, pred, s, p->len, ai, &ci)) ||
		    (rc = rbl_ckw_rec_insert(w, (size_t)(i + 1), s, ci)))
			return rc;
		i++;
	}
	x->dirty = true;
	/* the records inside P get it too */
	if ((rc = spread(x, (size_t)(i + 1), last, p->len, ai)) != RBL_OK)
		return rc;
	if (beyond(x, last))
		return spread_on(t, x, list_id, p, last, e);
	if (w->n_rec >= PARTIAL_RECORDS)
		return flush_partial(t, x);
	return RBL_OK;
}

int rbl_ipw_del(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		rbl_entry *old)
{
	struct rbl_ipw *x = rbl_ipw_get(t);
	const uint8_t *s = p->addr.bytes;
	uint8_t last[16] = { 0 };
	uint32_t ci = 0, prev = 0;
	ptrdiff_t i = 0;
	rbl_ckw *w = NULL;
	int rc = 0;

	if (!x)
		return RBL_ENOMEM;
	if ((rc = chunk_for(t, x, list_id, p->addr.family, s)) != RBL_OK)
		return rc;
	w = &x->w;
	i = rbl_ckw_find(w, s);
	if (i < 0 || memcmp(w->rec[i].a, s, w->alen))
		return RBL_ENOTFOUND;
	if ((rc = chain_with(w, w->rec[i].chain, p->len, UINT32_MAX, &ci,
			     &prev)) != RBL_OK)
		return rc;
	if (prev == UINT32_MAX)
		return RBL_ENOTFOUND;
	rbl_ckw_attr_entry(w, prev, old);
	if (ci == UINT32_MAX || !has_aligned(w, ci, s)) {
		rbl_ckw_rec_remove(w, (size_t)i);
		i--;
	} else {
		w->rec[i].chain = ci;
	}
	x->dirty = true;
	rbl_ck_last(s, p->len, w->alen, last);
	if ((rc = spread(x, (size_t)(i + 1), last, p->len, UINT32_MAX)))
		return rc;
	return spread_on(t, x, list_id, p, last, NULL);
}

/* ------------------------------------------------------ bookkeeping */

/* Mark the list changed (a bulk transaction makes its masks and summary
 * exact at commit) and tell the IPv4 summary (E: P's entry now, NULL:
 * deleted). */
int rbl_ipw_changed(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		    int64_t delta, const rbl_entry *e)
{
	unsigned marks = RBL_LIST_CHANGED | (t->bulk ? RBL_LIST_REBUILD : 0);
	struct rbl_list_state *ls;
	int rc = rbl_txn_mark_list(t, list_id, marks, delta);

	if (rc != RBL_OK)
		return rc;
	ls = rbl_txn_list_state(t, list_id);
	if (ls->marks & RBL_LIST_REBUILD)
		return RBL_OK;
	return rbl_v4sum_note(t, ls, p, e == NULL);
}

/* ------------------------------------------------------------ purge */

/* True if some attribute of C has expired at NOW. */
static bool any_expired(const rbl_ck *c, int64_t now)
{
	for (unsigned i = 0; i < c->n_attr; i++) {
		uint32_t flags = 0;
		int64_t expires = 0;

		if (rbl_ck_attr_peek(c, i, &flags, &expires) != RBL_OK ||
		    !rbl_live(expires, now))
			return true;
	}
	return false;
}

struct purge {
	rbl_txn *t;
	struct rbl_ipw *x;
	int64_t now;
	uint32_t list_id;
	uint64_t *n;
};

/* Journal, count and summarise the removal of the entry at START/LEN. */
static int purged(struct purge *pu, const uint8_t *start, unsigned len,
		  uint32_t ai)
{
	rbl_ckw *w = &pu->x->w;
	struct rbl_list_state *ls;
	rbl_prefix p = { 0 };
	RBL_NOINIT rbl_entry e;	/* per entry purged: filled just below */
	int rc = 0;

	memset(&p, 0, sizeof p);
	p.addr.family = w->family;
	memcpy(p.addr.bytes, start, w->alen);
	p.len = (uint8_t)len;
	rbl_ckw_attr_entry(w, ai, &e);
	if ((rc = rbl_journal_note(pu->t, RBL_CHANGE_DEL, pu->list_id, &p,
				   NULL, &e)) != RBL_OK ||
	    (rc = rbl_txn_mark_list(pu->t, pu->list_id, RBL_LIST_CHANGED,
				    -1)) != RBL_OK)
		return rc;
	ls = rbl_txn_list_state(pu->t, pu->list_id);
	(*pu->n)++;
	return rbl_v4sum_note(pu->t, ls, &p, true);
}

/* Drop the expired items of every record of the loaded chunk. */
static int purge_records(struct purge *pu)
{
	rbl_ckw *w = &pu->x->w;
	size_t out = 0;

	for (size_t i = 0; i < w->n_rec; i++) {
		/* per change: filled up to the count before it is read */
	RBL_NOINIT rbl_ckw_item items[CHAIN_ITEMS_MAX];
		unsigned n = 0, m = 0;
		const rbl_ckw_item *src = rbl_ckw_chain_items(w,
							      w->rec[i].chain,
							      &n);
		bool aligned = false;
		int rc = 0;

		for (unsigned k = 0; k < n; k++) {
			bool here = rbl_ck_aligned(w->rec[i].a, src[k].len,
						   w->alen);

			if (rbl_live(w->attr[src[k].attr].expires, pu->now)) {
				items[m++] = src[k];
				aligned = aligned || here;
			} else if (here && (rc = purged(pu, w->rec[i].a,
						src[k].len, src[k].attr)))
				return rc;
		}
		/* SRC may move when a chain is added */
		if (m == n) {
			w->rec[out++] = w->rec[i];
			continue;
		}
		if (!aligned)
			continue;
		if ((rc = rbl_ckw_chain_put(w, items, m, &w->rec[i].chain)))
			return rc;
		w->rec[out++] = w->rec[i];
	}
	w->n_rec = out;
	return RBL_OK;
}

/* Purge the chunk at K/V (list and family from the key); *LAST_KEY gets
 * the greatest key it now occupies. */
static int purge_chunk(struct purge *pu, const MDB_val *k, const MDB_val *v)
{
	struct rbl_ipw *x = pu->x;
	const uint8_t *kb = k->mv_data;
	uint8_t family = kb[4];
	size_t last = 0;
	rbl_ck ck = { 0 };
	int rc = 0;

	if ((family != RBL_AF4 && family != RBL_AF6) ||
	    k->mv_size != 5 + rbl_key_alen(family))
		return RBL_ESTORE;
	if ((rc = rbl_ck_open(&ck, family, v->mv_data, v->mv_size)))
		return rc;
	if (!any_expired(&ck, pu->now))
		return RBL_OK;
	pu->list_id = rbl_get_be32(kb);
	rbl_ckw_reset(&x->w, family);
	x->list_id = pu->list_id;
	x->had_key = true;
	memcpy(x->key, kb + 5, rbl_key_alen(family));
	if ((rc = rbl_ckw_load(&x->w, &ck)) != RBL_OK ||
	    (rc = purge_records(pu)) != RBL_OK)
		return rc;
	/* the key is looked up again by the caller: V is stale now */
	x->loaded = x->dirty = true;
	rc = write_pieces(pu->t, x, false, &last);
	x->loaded = x->dirty = false;
	return rc;
}

int rbl_ipw_purge(rbl_txn *t, int64_t now, uint64_t *n)
{
	struct rbl_ipw *x = rbl_ipw_get(t);
	struct purge pu = { t, x, now, 0, n };
	uint8_t at[RBL_IPCK_KEY_MAX] = { 0 };
	size_t at_len = 0;
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int rc = 0;

	if (!x)
		return RBL_ENOMEM;
	if ((rc = rbl_ipw_flush(t)) != RBL_OK)
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->s->ipchunk, &c)))
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;) {
		if (k.mv_size > sizeof at) {
			rc = EINVAL;
			break;
		}
		at_len = k.mv_size;
		memcpy(at, k.mv_data, at_len);
		if ((rc = purge_chunk(&pu, &k, &v)) != RBL_OK)
			break;
		/* on past what this chunk was (pieces keep keys >= it) */
		k.mv_size = at_len;
		k.mv_data = at;
		rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
		while (rc == 0 && k.mv_size == at_len &&
		       memcmp(k.mv_data, at, at_len) <= 0)
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND || rc == 0)
		return RBL_OK;
	return rc < 0 ? rc : rbl_txn_fail(t, rbl_mdb_error(rc));
}
