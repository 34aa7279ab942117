/*
 * store_seg.c -- the flattened segment map ("ipseg") of IP lists.
 *
 * Entries as entered ("ipent") may nest and exclude each other; the segment
 * map resolves that once, when writing, into non-overlapping runs of
 * addresses, each with the chain of entries covering it, most specific
 * first.  A lookup is then one MDB_SET_RANGE on the run's last address.
 *
 * The map is produced by a sweep over entries in key order (address, then
 * length, so a prefix comes before the prefixes inside it) with a stack of
 * open entries: every maximal run covered by the same stack becomes one
 * segment whose chain is the stack, innermost first, followed by the
 * ancestors of the swept range.  Runs covered by nothing are not stored.
 *
 * Prefixes nest or are disjoint, so segment boundaries always fall on
 * prefix boundaries: after a change of prefix P, recomputing only the
 * segments inside [first(P), last(P)] is exact.  A segment that extended
 * beyond P is split at P's boundaries; equal neighbours are not merged
 * again (a full rebuild does that), which changes nothing for lookups.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zone/store/store_impl.h"

#define STACK_MAX	129	/* one open entry per prefix length */

struct seg_item {
	rbl_addr first, last;
	uint16_t len;			/* bytes of data */
	uint8_t data[RBL_CHAIN_ITEM_MAX];
};

struct sweep {
	rbl_txn *t;
	uint32_t list_id;
	uint8_t family;
	unsigned alen;
	bool append;			/* keys only grow past the DB's end */
	rbl_addr pos;			/* next address not yet covered */
	bool pos_done;			/* POS wrapped past the last address */
	unsigned depth, n_anc;
	uint8_t lens[RBL_LENMASK_BYTES];	/* lengths pushed */
	struct seg_item stack[STACK_MAX];
	struct seg_item anc[RBL_CHAIN_MAX];
	uint8_t vbuf[16 + 1 + RBL_CHAIN_MAX * RBL_CHAIN_ITEM_MAX];
};

static void sweep_init(struct sweep *sw, rbl_txn *t, uint32_t list_id,
		       const rbl_addr *start)
{
	sw->t = t;
	sw->list_id = list_id;
	sw->family = start->family;
	sw->alen = rbl_key_alen(start->family);
	sw->pos = *start;
	sw->pos_done = false;
	sw->depth = sw->n_anc = 0;
	memset(sw->lens, 0, sizeof sw->lens);
}

static void item_set(struct seg_item *it, const rbl_prefix *p,
		     const rbl_entry *e)
{
	rbl_prefix_first(p, &it->first);
	rbl_prefix_last(p, &it->last);
	it->len = (uint16_t)rbl_chain_encode(e, it->data);
}

/* Store [LO, HI] with the current stack and ancestors as its chain. */
static int emit(struct sweep *sw, const rbl_addr *lo, const rbl_addr *hi)
{
	uint8_t k[RBL_IPKEY_MAX];
	size_t klen = rbl_ipkey(k, sw->list_id, hi), n = sw->alen + 1;
	unsigned items = 0;

	memcpy(sw->vbuf, lo->bytes, sw->alen);
	for (unsigned i = sw->depth; i-- > 0 && items < RBL_CHAIN_MAX; items++) {
		memcpy(sw->vbuf + n, sw->stack[i].data, sw->stack[i].len);
		n += sw->stack[i].len;
	}
	for (unsigned i = 0; i < sw->n_anc && items < RBL_CHAIN_MAX; i++) {
		memcpy(sw->vbuf + n, sw->anc[i].data, sw->anc[i].len);
		n += sw->anc[i].len;
		items++;
	}
	if (items == 0)
		return RBL_OK;
	sw->vbuf[sw->alen] = (uint8_t)items;
	return rbl_db_put(sw->t, sw->t->s->ipseg, k, klen, sw->vbuf, n,
			  sw->append ? MDB_APPEND : 0);
}

/* Emit up to and including HI and move POS past it. */
static int advance_to(struct sweep *sw, const rbl_addr *hi)
{
	int rc;

	if (sw->pos_done || rbl_addr_cmp(&sw->pos, hi) > 0)
		return RBL_OK;
	if ((rc = emit(sw, &sw->pos, hi)) != RBL_OK)
		return rc;
	sw->pos = *hi;
	sw->pos_done = !rbl_addr_inc(&sw->pos);
	return RBL_OK;
}

static int pop(struct sweep *sw)
{
	int rc = advance_to(sw, &sw->stack[sw->depth - 1].last);

	sw->depth--;
	return rc;
}

static int sweep_push(struct sweep *sw, const rbl_prefix *p,
		      const rbl_entry *e)
{
	struct seg_item *it = NULL;
	rbl_addr before = { 0 };
	int rc;

	if (sw->depth == STACK_MAX)
		return RBL_ESTORE;
	rbl_lenmask_set_bit(sw->lens, p->len);
	it = &sw->stack[sw->depth];
	item_set(it, p, e);
	while (sw->depth > 0 &&
	       rbl_addr_cmp(&sw->stack[sw->depth - 1].last, &it->first) < 0) {
		struct seg_item keep = *it;

		if ((rc = pop(sw)) != RBL_OK)
			return rc;
		it = &sw->stack[sw->depth];
		*it = keep;
	}
	before = it->first;
	if (rbl_addr_dec(&before) && (rc = advance_to(sw, &before)) != RBL_OK)
		return rc;
	sw->pos = it->first;
	sw->pos_done = false;
	sw->depth++;
	return RBL_OK;
}

static int sweep_finish(struct sweep *sw, const rbl_addr *hi)
{
	int rc;

	while (sw->depth > 0)
		if ((rc = pop(sw)) != RBL_OK)
			return rc;
	return advance_to(sw, hi);
}

/* ------------------------------------------------ incremental update */

/* Entries for every prefix shorter than P that contains it, most
 * specific first, at most RBL_CHAIN_MAX. */
static int load_ancestors(struct sweep *sw, const rbl_prefix *p)
{
	uint8_t lens[RBL_LENMASK_BYTES];
	int rc = rbl_lenmask_get(sw->t, sw->list_id, p->addr.family, lens);

	if (rc != RBL_OK)
		return rc;
	for (int len = p->len - 1; len >= 0 && sw->n_anc < RBL_CHAIN_MAX;
	     len--) {
		uint8_t k[RBL_IPKEY_MAX];
		rbl_prefix q = { p->addr, (uint8_t)len };
		rbl_entry e = { 0 };
		MDB_val v = { 0 };

		if (!rbl_lenmask_bit(lens, (unsigned)len))
			continue;
		rbl_prefix_canon(&q);
		rc = rbl_db_get(sw->t, sw->t->s->ipent, k,
				rbl_ipent_key(k, sw->list_id, &q), &v);
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK || (rc = rbl_entry_decode(v.mv_data,
					v.mv_size, &e)) != RBL_OK)
			return rc;
		item_set(&sw->anc[sw->n_anc++], &q, &e);
	}
	return RBL_OK;
}

static bool seg_key_ok(const MDB_val *k, const MDB_val *v, const uint8_t *kb,
		       unsigned alen)
{
	return k->mv_size == 5 + alen && memcmp(k->mv_data, kb, 5) == 0 &&
	       v->mv_size > alen;
}

/* Re-store the part of a removed segment outside [LO, HI]: VAL is its
 * value (starting with its first address), LAST its last address. */
static int keep_outside(struct sweep *sw, uint8_t *val, size_t vlen,
			const rbl_addr *last, const rbl_addr *lo,
			const rbl_addr *hi, bool *wrote)
{
	uint8_t k[RBL_IPKEY_MAX];
	rbl_addr first = { sw->family, { 0 } }, edge = { 0 };
	int rc;

	memcpy(first.bytes, val, sw->alen);
	if (rbl_addr_cmp(&first, lo) < 0) {
		edge = *lo;
		rbl_addr_dec(&edge);
		rc = rbl_db_put(sw->t, sw->t->s->ipseg, k,
				rbl_ipkey(k, sw->list_id, &edge), val, vlen, 0);
		if (rc != RBL_OK)
			return rc;
		*wrote = true;
	}
	if (rbl_addr_cmp(last, hi) > 0) {
		edge = *hi;
		rbl_addr_inc(&edge);
		memcpy(val, edge.bytes, sw->alen);
		rc = rbl_db_put(sw->t, sw->t->s->ipseg, k,
				rbl_ipkey(k, sw->list_id, last), val, vlen, 0);
		if (rc != RBL_OK)
			return rc;
		*wrote = true;
	}
	return RBL_OK;
}

/* Remove the segments overlapping [LO, HI], keeping their outside parts. */
static int clear_range(struct sweep *sw, const rbl_addr *lo,
		       const rbl_addr *hi)
{
	uint8_t kb[RBL_IPKEY_MAX], *copy = NULL;
	MDB_val k = { 0 }, v = { 0 };
	MDB_cursor *c = NULL;
	int rc = mdb_cursor_open(sw->t->txn, sw->t->s->ipseg, &c), op;

	if (rc)
		return rbl_mdb_error(rc);
	k.mv_size = rbl_ipkey(kb, sw->list_id, lo);
	for (op = MDB_SET_RANGE;; ) {
		rbl_addr first = { sw->family, { 0 } }, last = first;
		bool wrote = false;

		k.mv_data = kb;
		k.mv_size = 5 + sw->alen;
		if ((rc = mdb_cursor_get(c, &k, &v, op)) != 0)
			break;
		if (!seg_key_ok(&k, &v, kb, sw->alen))
			break;
		memcpy(last.bytes, (uint8_t *)k.mv_data + 5, sw->alen);
		memcpy(first.bytes, v.mv_data, sw->alen);
		if (rbl_addr_cmp(&first, hi) > 0)
			break;
		if (!(copy = malloc(v.mv_size))) {
			rc = ENOMEM;
			break;
		}
		memcpy(copy, v.mv_data, v.mv_size);
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		rc = keep_outside(sw, copy, v.mv_size, &last, lo, hi, &wrote);
		free(copy);
		copy = NULL;
		if (rc != RBL_OK)
			break;
		/* after a plain delete the cursor is on the next record */
		op = wrote ? MDB_SET_RANGE : MDB_NEXT;
	}
	free(copy);
	mdb_cursor_close(c);
	if (rc == 0 || rc == MDB_NOTFOUND)
		return RBL_OK;
	return rc < 0 ? rc : rbl_mdb_error(rc);
}

/* Push every ipent entry of the list whose key is >= FROM and within
 * family, up to address LIMIT (NULL: to the end of the family). */
static int push_entries(struct sweep *sw, const rbl_prefix *from,
			const rbl_addr *limit)
{
	uint8_t kb[RBL_IPKEY_MAX];
	MDB_val k = { rbl_ipent_key(kb, sw->list_id, from), kb }, v = { 0 };
	MDB_cursor *c = NULL;
	rbl_prefix p = { 0 };
	rbl_entry e = { 0 };
	uint32_t id = 0;
	int rc = mdb_cursor_open(sw->t->txn, sw->t->s->ipent, &c);

	if (rc)
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 5 || memcmp(k.mv_data, kb, 5) != 0)
			break;
		if ((rc = rbl_ipent_key_decode(&k, &id, &p)) != RBL_OK ||
		    (rc = rbl_entry_decode(v.mv_data, v.mv_size, &e)) != RBL_OK)
			break;
		if (limit && rbl_addr_cmp(&p.addr, limit) > 0)
			break;
		if ((rc = sweep_push(sw, &p, &e)) != RBL_OK)
			break;
	}
	mdb_cursor_close(c);
	if (rc == 0 || rc == MDB_NOTFOUND)
		return RBL_OK;
	return rc < 0 ? rc : rbl_mdb_error(rc);
}

int rbl_seg_update(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		   const rbl_entry *host)
{
	struct sweep *sw = calloc(1, sizeof *sw);
	rbl_addr lo = { 0 }, hi = { 0 };
	int rc;

	if (!sw)
		return rbl_txn_fail(t, RBL_ENOMEM);
	rbl_prefix_first(p, &lo);
	rbl_prefix_last(p, &hi);
	sweep_init(sw, t, list_id, &lo);
	sw->append = false;
	rc = load_ancestors(sw, p);
	if (rc == RBL_OK)
		rc = clear_range(sw, &lo, &hi);
	if (rc == RBL_OK && p->len == rbl_addr_bits(p->addr.family))
		rc = host ? sweep_push(sw, p, host) : RBL_OK;
	else if (rc == RBL_OK)
		rc = push_entries(sw, p, &hi);
	if (rc == RBL_OK)
		rc = sweep_finish(sw, &hi);
	free(sw);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

/* ------------------------------------------------------ rebuild */

/* True if no ipseg key sorts after the keys of LIST_ID. */
static bool nothing_after(rbl_txn *t, uint32_t list_id)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	uint8_t kb[4];
	int rc;

	if (list_id == UINT32_MAX)
		return true;
	if (mdb_cursor_open(t->txn, t->s->ipseg, &c))
		return false;
	rbl_put_be32(kb, list_id + 1);
	k.mv_size = 4;
	k.mv_data = kb;
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND;
}

static int rebuild_family(struct sweep *sw, uint8_t family)
{
	rbl_prefix all = { 0 };
	rbl_addr hi = { 0 };
	int rc;

	memset(&all, 0, sizeof all);
	all.addr.family = family;
	rbl_prefix_last(&all, &hi);
	sweep_init(sw, sw->t, sw->list_id, &all.addr);
	if ((rc = push_entries(sw, &all, NULL)) != RBL_OK ||
	    (rc = sweep_finish(sw, &hi)) != RBL_OK)
		return rc;
	/* every entry was pushed: the mask is now exact */
	return rbl_lenmask_replace(sw->t, sw->list_id, family, sw->lens);
}

int rbl_seg_rebuild(rbl_txn *t, uint32_t list_id)
{
	struct sweep *sw = calloc(1, sizeof *sw);
	uint8_t kb[4];
	int rc;

	if (!sw)
		return rbl_txn_fail(t, RBL_ENOMEM);
	rbl_put_be32(kb, list_id);
	rc = rbl_db_del_prefix(t, t->s->ipseg, kb, 4, NULL);
	sw->t = t;
	sw->list_id = list_id;
	sw->append = nothing_after(t, list_id);
	if (rc == RBL_OK)
		rc = rebuild_family(sw, RBL_AF4);
	if (rc == RBL_OK)
		rc = rebuild_family(sw, RBL_AF6);
	free(sw);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_seg_commit(rbl_txn *t)
{
	for (size_t i = 0; i < t->n_lists; i++) {
		int rc;

		if (!(t->lists[i].marks & RBL_LIST_REBUILD))
			continue;
		/* the mark stays: the IPv4 summary is rebuilt after this */
		if ((rc = rbl_seg_rebuild(t, t->lists[i].id)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}
