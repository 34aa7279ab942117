/*
 * store_ipread.c -- IP listings, reading: lookups, explanations, the
 * entries as entered and the flattened answer map (store_chunk.h has the
 * model).  As stored: store_ip.c writes a write transaction's pending
 * changes first.
 *
 * A lookup seeks the chunk with the greatest key <= the address (one
 * MDB_SET_RANGE and usually one MDB_PREV on the same leaf page; for an
 * IPv4 list with a summary, a binary search in the read transaction's
 * chunk index instead, store_ckidx.c), finds the
 * record with the greatest start <= the address (rbl_ck_find: guessed
 * from the chunk's spread, then galloping and halving), and walks that
 * record's chain: the first live entry that covers the address among the
 * RBL_CHAIN_MAX most specific ones decides.  IPv4 takes the same steps
 * with addresses as 32-bit numbers (lookup4), IPv6 with bytes (lookup6).
 * It uses one cursor cached in the transaction and allocates nothing; the
 * rbl_match it fills points into the map.
 *
 * rbl_ipr_foreach_listed merges adjacent runs with the same codes and TXT
 * even when their entries expire at different times; the run reports the
 * earliest expiry.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/compiler.h"
#include "zone/store/store_impl.h"
#include "zone/store/store_ipw.h"

#define ANY_WITHIN_MAX_RUNS 64

static int lookup_cursor(rbl_txn *t, MDB_cursor **c)
{
	int rc = 0;

	if (!t->ck_cur &&
	    (rc = mdb_cursor_open(t->txn, t->s->ipchunk, &t->ck_cur)) != 0)
		return rbl_mdb_error(rc);
	*c = t->ck_cur;
	return RBL_OK;
}

/* Open the chunk at V of FAMILY. */
static int ck_at(rbl_ck *ck, uint8_t family, const MDB_val *v)
{
	return rbl_ck_open(ck, family, v->mv_data, v->mv_size);
}

/* --------------------------------------------------------- deciding */

/* Fill M from attribute AI of C reached from record REC (TXT points
 * into the chunk). */
static int match_fill(const rbl_ck *c, unsigned ai, unsigned rec,
		      rbl_match *m)
{
	rbl_ck_attr a = { 0 };
	int rc = rbl_ck_attr_answer(c, ai, rec, &a);

	if (rc != RBL_OK)
		return rc;
	m->n_codes = a.n_codes;
	memcpy(m->codes, a.codes, sizeof m->codes);
	m->has_txt = (a.flags & RBL_ENTRY_HAS_TXT) != 0;
	m->txt = a.txt;
	m->txt_len = m->has_txt ? a.txt_len : 0;
	m->expires = a.expires;
	return RBL_OK;
}

/* Item K of chain ITEMS, which covers the address: RBL_OK (listed) or
 * RBL_ENOTFOUND (an exclusion) with K to *WHICH when it is live at NOW
 * and so decides; 1 when it has expired (the next one decides);
 * RBL_ESTORE for an attribute that cannot be read. */
static RBL_ALWAYS_INLINE int item_decides(const rbl_ck *c,
					  const uint8_t *items, unsigned k,
					  int64_t now, int *which)
{
	uint32_t flags = 0;
	int64_t expires = 0;

	if (rbl_ck_attr_peek(c, rbl_ck_item_attr(c, items, k), &flags,
			     &expires) != RBL_OK)
		return RBL_ESTORE;
	if (!rbl_live(expires, now))
		return 1;
	*which = (int)k;
	return flags & RBL_ENTRY_EXCLUDE ? RBL_ENOTFOUND : RBL_OK;
}

/* The loop of chain_decide and chain_decide4: V4 compares the record's
 * start S4 and the address X4 as numbers, else START and ADDR as bytes
 * (a constant at each call, so each gets its own loop). */
static RBL_ALWAYS_INLINE int chain_walk(const rbl_ck *c, const uint8_t *items,
					unsigned n, bool v4, uint32_t s4,
					uint32_t x4, const uint8_t *start,
					const uint8_t *addr, int64_t now,
					unsigned cap, int *which)
{
	unsigned seen = 0;

	*which = -1;
	for (unsigned k = 0; k < n; k++) {
		unsigned len = rbl_ck_item_len(c, items, k);
		int rc = 0;

		if (v4 ? !rbl_ck_covers4(s4, len, x4) :
			 !rbl_ck_covers(start, len, addr, c->alen))
			continue;
		if (++seen > cap)
			break;
		if ((rc = item_decides(c, items, k, now, which)) != 1)
			return rc;
	}
	return RBL_ENOTFOUND;
}

/* chain_decide for IPv4, the record's start S and the address X as
 * numbers (the hot path: no memcmp; inline, as its eight arguments cost a
 * call more than the loop over a chain of one item). */
static RBL_ALWAYS_INLINE int chain_decide4(const rbl_ck *c, uint32_t s,
					   const uint8_t *items, unsigned n,
					   uint32_t x, int64_t now,
					   unsigned cap, int *which)
{
	return chain_walk(c, items, n, true, s, x, NULL, NULL, now, cap,
			  which);
}

/* The item of chain ITEMS (N items) at record START that decides ADDR at
 * NOW, among the RBL_CHAIN_MAX (CAP) most specific covering it: its index
 * to *WHICH and RBL_OK (listed) or RBL_ENOTFOUND (an exclusion; *WHICH
 * -1: nothing decides). */
static int chain_decide(const rbl_ck *c, const uint8_t *start,
			const uint8_t *items, unsigned n, const uint8_t *addr,
			int64_t now, unsigned cap, int *which)
{
	if (c->alen == 4)
		return chain_decide4(c, rbl_get_be32(start), items, n,
				     rbl_get_be32(addr), now, cap, which);
	return chain_walk(c, items, n, false, 0, 0, start, addr, now, cap,
			  which);
}

/* The chunk of A by a seek in LMDB. */
static int seek_chunk(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		      rbl_ck *ck)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int rc = 0;

	if ((rc = lookup_cursor(t, &c)) != RBL_OK ||
	    (rc = rbl_ipck_seek(c, list_id, a->family, a->bytes, false, &k,
				&v)) != RBL_OK)
		return rc;
	return ck_at(ck, a->family, &v);
}

/* The chunk of A: through the list's chunk index when INDEXED (the list
 * has an IPv4 summary) and one is ready, else by a seek in LMDB. */
static int find_chunk(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		      bool indexed, rbl_ck *ck)
{
	const void *data = NULL;
	size_t size = 0;
	int rc = RBL_EBUSY;

	if (indexed && a->family == RBL_AF4 &&
	    (rc = rbl_ckidx_find(t, list_id, a->bytes, &data, &size)) ==
		    RBL_OK)
		return rbl_ck_open(ck, a->family, data, size);
	if (rc != RBL_EBUSY)
		return rc;
	return seek_chunk(t, list_id, a, ck);
}

/* The chunk and record deciding A: RBL_OK with *CK, *I (record) or
 * RBL_ENOTFOUND when no record starts at or before A. */
static int find_record(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		       bool indexed, rbl_ck *ck, int *i)
{
	int rc = find_chunk(t, list_id, a, indexed, ck);

	if (rc != RBL_OK)
		return rc;
	*i = rbl_ck_find(ck, a->bytes);
	return *i < 0 ? RBL_ENOTFOUND : RBL_OK;
}

/* Whether lookups of A in LIST_ID may use its chunk index. */
static bool indexed(rbl_txn *t, uint32_t list_id, const rbl_addr *a)
{
	return a->family == RBL_AF4 && rbl_v4sum_get(t, list_id) != NULL;
}

/* The end of a lookup: RC as chain_decide said it; when listed, the
 * match of item WHICH of record I's chain ITEMS in LIST_ID to *OUT. */
static inline int match_of(const rbl_ck *ck, int rc, const uint8_t *items,
			   int which, int i, uint32_t list_id, rbl_match *out)
{
	if (rc != RBL_OK)
		return rc;
	if ((rc = match_fill(ck, rbl_ck_item_attr(ck, items, (unsigned)which),
			     (unsigned)i, out)))
		return rc;
	out->list_id = list_id;
	return RBL_OK;
}

/* rbl_ipr_lookup of an IPv6 address. */
static RBL_NOINLINE int lookup6(rbl_txn *t, uint32_t list_id,
				const rbl_addr *a, int64_t now, rbl_match *out)
{
	uint8_t start[16] = { 0 };
	const uint8_t *items = NULL;
	unsigned n = 0;
	rbl_ck ck = { 0 };
	int i = 0, which = 0, rc = 0;

	if ((rc = find_record(t, list_id, a, false, &ck, &i)) != RBL_OK)
		return rc;
	rbl_ck_start(&ck, (unsigned)i, start);
	if ((rc = rbl_ck_chain(&ck, rbl_ck_chain_of(&ck, (unsigned)i), &items,
			       &n)) != RBL_OK)
		return rc;
	rc = chain_decide(&ck, start, items, n, a->bytes, now, RBL_CHAIN_MAX,
			  &which);
	return match_of(&ck, rc, items, which, i, list_id, out);
}

/* rbl_ipr_lookup of an IPv4 address past the summary (INDEXED: the list
 * has one): the same steps as lookup6 in 32-bit arithmetic.  Out of
 * line, so that a lookup the summary answers saves no registers for
 * it. */
static RBL_NOINLINE int lookup4(rbl_txn *t, uint32_t list_id,
				const rbl_addr *a, bool indexed, int64_t now,
				rbl_match *out)
{
	const uint8_t *items = NULL;
	const void *data = NULL;
	size_t size = 0;
	uint32_t x = rbl_get_be32(a->bytes);
	unsigned n = 0;
	rbl_ck ck = { 0 };
	int i = 0, which = 0, rc = RBL_EBUSY;

	if (indexed)
		rc = rbl_ckidx_find(t, list_id, a->bytes, &data, &size);
	if (rc == RBL_OK)
		rc = rbl_ck_open(&ck, RBL_AF4, data, size);
	else if (rc == RBL_EBUSY)
		rc = seek_chunk(t, list_id, a, &ck);
	if (rc != RBL_OK)
		return rc;
	if ((i = rbl_ck_find4(&ck, x)) < 0)
		return RBL_ENOTFOUND;
	if ((rc = rbl_ck_chain(&ck, rbl_ck_chain_of(&ck, (unsigned)i), &items,
			       &n)) != RBL_OK)
		return rc;
	rc = chain_decide4(&ck, rbl_ck_start4(&ck, (unsigned)i), items, n, x,
			   now, RBL_CHAIN_MAX, &which);
	return match_of(&ck, rc, items, which, i, list_id, out);
}

/* rbl_ipr_lookup of A with SUM, LIST_ID's IPv4 summary (NULL: none). */
static inline int lookup_sum(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
			     const uint8_t *sum, int64_t now, rbl_match *out)
{
	if (sum && !rbl_v4sum_bit(sum, rbl_get_be32(a->bytes) >> 8))
		return RBL_ENOTFOUND;
	return lookup4(t, list_id, a, sum != NULL, now, out);
}

/* rbl_ipr_lookup but of the first list's IPv4 addresses. */
static RBL_NOINLINE int lookup_other(rbl_txn *t, uint32_t list_id,
				     const rbl_addr *a, int64_t now,
				     rbl_match *out)
{
	if (a->family != RBL_AF4)
		return lookup6(t, list_id, a, now, out);
	return lookup_sum(t, list_id, a, rbl_v4sum_get(t, list_id), now, out);
}

int rbl_ipr_lookup(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		  int64_t now, rbl_match *out)
{
	const struct rbl_v4sum_slot *slot = rbl_v4sum_first(t, list_id);

	/* no call before the summary's bit, so no registers saved */
	if (a->family == RBL_AF4 && slot)
		return lookup_sum(t, list_id, a, slot->bits, now, out);
	return lookup_other(t, list_id, a, now, out);
}

void rbl_ipr_prefetch(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		      unsigned stage)
{
	const uint8_t *sum = rbl_v4sum_get(t, list_id);
	uint32_t x = rbl_get_be32(a->bytes);

	if (!sum)
		return;
	if (stage == 0) {	/* the summary's byte and the index's slot */
		RBL_PREFETCH(sum + (x >> 11));
		rbl_ckidx_prefetch(t, list_id, a->bytes, 0);
		return;
	}
	/* the bit says whether the lookup goes further */
	if (rbl_v4sum_bit(sum, x >> 8))
		rbl_ckidx_prefetch(t, list_id, a->bytes, stage);
}

/* Entry E from attribute AI of C reached from record REC. */
static int entry_of(const rbl_ck *c, unsigned ai, unsigned rec,
		    rbl_entry *e)
{
	rbl_ck_attr a = { 0 };
	int rc = rbl_ck_attr_get(c, ai, rec, &a);

	if (rc != RBL_OK)
		return rc;
	rbl_entry_init(e);
	e->flags = a.flags;
	e->n_codes = a.n_codes;
	memcpy(e->codes, a.codes, sizeof e->codes);
	e->expires = a.expires;
	e->added = a.added;
	memcpy(e->txt, a.txt, a.txt_len);
	e->txt[a.txt_len] = 0;
	a.src_len = a.src_len > RBL_SOURCE_MAX ? RBL_SOURCE_MAX : a.src_len;
	memcpy(e->source, a.src, a.src_len);
	e->source[a.src_len] = 0;
	return RBL_OK;
}

int rbl_ipr_explain(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		   int64_t now, rbl_prefix *decided, rbl_entry *e)
{
	uint8_t start[16] = { 0 };
	const uint8_t *items = NULL;
	unsigned n = 0;
	rbl_ck ck = { 0 };
	int i = 0, which = -1, rc = 0;

	rc = find_record(t, list_id, a, indexed(t, list_id, a), &ck, &i);
	if (rc == RBL_OK) {
		rbl_ck_start(&ck, (unsigned)i, start);
		rc = rbl_ck_chain(&ck, rbl_ck_chain_of(&ck, (unsigned)i),
				  &items, &n);
		if (rc == RBL_OK)
			rc = chain_decide(&ck, start, items, n, a->bytes, now,
					  129, &which);
	}
	if (rc != RBL_OK && rc != RBL_ENOTFOUND)
		return rc;
	if (which < 0) {
		memset(decided, 0, sizeof *decided);
		decided->len = 255;
		return RBL_ENOTFOUND;
	}
	rbl_ipck_prefix(decided, a->family, start,
		   rbl_ck_item_len(&ck, items, (unsigned)which), true);
	if (entry_of(&ck, rbl_ck_item_attr(&ck, items, (unsigned)which),
		     (unsigned)i, e))
		return RBL_ESTORE;
	return rc;
}

int rbl_ipr_get(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
	       rbl_entry *out)
{
	const uint8_t *items = NULL;
	uint8_t start[16] = { 0 };
	unsigned n = 0;
	rbl_ck ck = { 0 };
	int i = 0, rc = 0;

	if ((rc = find_record(t, list_id, &p->addr,
			      indexed(t, list_id, &p->addr), &ck, &i)) !=
	    RBL_OK)
		return rc;
	rbl_ck_start(&ck, (unsigned)i, start);
	if (memcmp(start, p->addr.bytes, ck.alen) != 0)
		return RBL_ENOTFOUND;
	if ((rc = rbl_ck_chain(&ck, rbl_ck_chain_of(&ck, (unsigned)i), &items,
			       &n)) != RBL_OK)
		return rc;
	for (unsigned k = 0; k < n; k++)
		if (rbl_ck_item_len(&ck, items, k) == p->len)
			return entry_of(&ck, rbl_ck_item_attr(&ck, items, k),
					(unsigned)i, out);
	return RBL_ENOTFOUND;
}

/* ------------------------------------------------------------ walks */

struct foreach_ctx {
	const rbl_prefix *within;
	rbl_addr hi;
	rbl_ip_visit_fn fn;
	void *arg;
	bool stopped;
};

#define WALK_STOP 0x7ffffff0

static int foreach_visit(void *arg, const rbl_prefix *p, const rbl_ck *c,
			 unsigned ai, unsigned rec)
{
	struct foreach_ctx *x = arg;
	RBL_NOINIT rbl_entry e;	/* per entry of a walk: entry_of fills it */
	int rc = 0;

	if (x->within) {
		if (rbl_addr_cmp(&p->addr, &x->hi) > 0)
			return WALK_STOP;
		if (!rbl_addr_cmp(&p->addr, &x->within->addr) &&
		    p->len < x->within->len)
			return 0;
	}
	if ((rc = entry_of(c, ai, rec, &e)) != RBL_OK)
		return rc;
	return x->fn(x->arg, p, &e);
}

int rbl_ipr_foreach(rbl_txn *t, uint32_t list_id, const rbl_prefix *within,
		   rbl_ip_visit_fn fn, void *arg)
{
	static const uint8_t families[] = { RBL_AF4, RBL_AF6 };
	struct foreach_ctx x = { within, { 0, { 0 } }, fn, arg, false };
	int rc = RBL_OK;

	if (within)
		rbl_prefix_last(within, &x.hi);
	for (unsigned f = 0; f < 2 && rc == RBL_OK; f++) {
		if (within && within->addr.family != families[f])
			continue;
		rc = rbl_ip_walk(t, list_id, families[f],
				 within ? within->addr.bytes : NULL, false,
				 foreach_visit, &x);
	}
	return rc == WALK_STOP ? RBL_OK : rc;
}

/* ------------------------------------------------------- answer runs */

/* Runs of addresses with one answer, from the records of a list and
 * family between LO and HI: each record's span [start, next start) is cut
 * where its chain's entries end. */
typedef int (*run_fn)(void *arg, const rbl_addr *lo, const rbl_addr *hi,
		      const rbl_match *m);	/* M NULL: not listed */

struct runs {
	rbl_txn *t;
	uint32_t list_id;
	uint8_t family;
	unsigned alen;
	int64_t now;
	rbl_addr lo, hi;
	run_fn fn;
	void *arg;
	/* the record waiting for the next one's start */
	bool pending;
	uint8_t start[16];
	rbl_ck ck;
	unsigned rec;
};

static void addr_set(rbl_addr *a, uint8_t family, const uint8_t *b)
{
	memset(a, 0, sizeof *a);
	a->family = family;
	memcpy(a->bytes, b, rbl_key_alen(family));
}

/* Emit the runs of the pending record up to END (inclusive). */
static int runs_emit(struct runs *r, const rbl_addr *end)
{
	const uint8_t *items = NULL;
	unsigned n = 0;
	rbl_addr x = { 0 }, stop = *end;
	int rc = 0;

	if (rbl_addr_cmp(&stop, &r->hi) > 0)
		stop = r->hi;
	addr_set(&x, r->family, r->start);
	if (rbl_addr_cmp(&x, &r->lo) < 0)
		x = r->lo;
	if (rbl_addr_cmp(&x, &stop) > 0)
		return 0;
	if ((rc = rbl_ck_chain(&r->ck, rbl_ck_chain_of(&r->ck, r->rec), &items,
			       &n)) != RBL_OK)
		return rc;
	/* items are most specific first, so their ends ascend */
	for (unsigned j = 0; j < n; j++) {
		uint8_t last[16] = { 0 };
		rbl_addr y = { 0 };
		rbl_match m = { 0 };
		int which = 0;

		rbl_ck_last(r->start, rbl_ck_item_len(&r->ck, items, j),
			    r->alen, last);
		addr_set(&y, r->family, last);
		if (rbl_addr_cmp(&y, &x) < 0)
			continue;	/* ended before X */
		if (rbl_addr_cmp(&y, &stop) > 0)
			y = stop;
		rc = chain_decide(&r->ck, r->start, items + j * (1u + r->ck.aw),
				  n - j, x.bytes, r->now, RBL_CHAIN_MAX,
				  &which);
		if (rc == RBL_OK) {
			if ((rc = match_fill(&r->ck, rbl_ck_item_attr(&r->ck,
					items + j * (1u + r->ck.aw),
					(unsigned)which), r->rec, &m)) !=
			    RBL_OK)
				return rc;
			m.list_id = r->list_id;
			rc = r->fn(r->arg, &x, &y, &m);
		} else if (rc == RBL_ENOTFOUND) {
			rc = r->fn(r->arg, &x, &y, NULL);
		}
		if (rc != 0)
			return rc;
		if (!rbl_addr_cmp(&y, &stop) || !rbl_addr_inc(&y))
			return 0;
		x = y;
	}
	return 0;
}

/* The next record after the pending one starts at NEXT (NULL: none). */
static int runs_advance(struct runs *r, const uint8_t *next)
{
	rbl_addr end = { 0 };

	if (!r->pending)
		return 0;
	if (next) {
		addr_set(&end, r->family, next);
		rbl_addr_dec(&end);
	} else {
		rbl_prefix all = { { r->family, { 0 } }, 0 };

		rbl_prefix_last(&all, &end);
	}
	return runs_emit(r, &end);
}

static int runs_walk(struct runs *r)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int ret = 0, rc = 0;

	if ((rc = mdb_cursor_open(r->t->txn, r->t->s->ipchunk, &c)))
		return rbl_mdb_error(rc);
	r->pending = false;
	rc = rbl_ipck_seek(c, r->list_id, r->family, r->lo.bytes, true, &k,
			   &v);
	for (; rc == RBL_OK && ret == 0; rc = rbl_ipck_next(c, &k, &v)) {
		rbl_ck ck = { 0 };
		int i = 0;

		if ((ret = ck_at(&ck, r->family, &v)) != RBL_OK)
			break;
		i = rbl_ck_find(&ck, r->lo.bytes);
		for (unsigned j = i < 0 ? 0 : (unsigned)i;
		     ret == 0 && j < ck.n_rec; j++) {
			uint8_t s[16] = { 0 };
			rbl_addr sa = { 0 };

			rbl_ck_start(&ck, j, s);
			if ((ret = runs_advance(r, s)) != 0)
				break;
			addr_set(&sa, r->family, s);
			if (rbl_addr_cmp(&sa, &r->hi) > 0) {
				r->pending = false;
				ret = WALK_STOP;
				break;
			}
			memcpy(r->start, s, sizeof s);
			r->ck = ck;
			r->rec = j;
			r->pending = true;
		}
	}
	if (ret == 0)
		ret = runs_advance(r, NULL);
	mdb_cursor_close(c);
	if (ret == WALK_STOP)
		ret = 0;
	if (ret == 0 && rc != RBL_OK && rc != RBL_ENOTFOUND)
		ret = rc;
	return ret;
}

/* False if LIST_ID's IPv4 summary shows nothing in [LO, HI]. */
static bool v4sum_any(rbl_txn *t, uint32_t list_id, const rbl_addr *lo,
		      const rbl_addr *hi)
{
	const uint8_t *sum = rbl_v4sum_get(t, list_id);

	return !sum || rbl_v4sum_any(sum, rbl_get_be32(lo->bytes) >> 8,
				     rbl_get_be32(hi->bytes) >> 8);
}

struct any_ctx {
	unsigned runs;
};

#define ANY_YES 0x7ffffff1

static int any_run(void *arg, const rbl_addr *lo, const rbl_addr *hi,
		   const rbl_match *m)
{
	struct any_ctx *x = arg;

	(void)lo;
	(void)hi;
	if (m)
		return ANY_YES;
	return ++x->runs >= ANY_WITHIN_MAX_RUNS ? ANY_YES : 0;
}

/* Walks at most ANY_WITHIN_MAX_RUNS unlisted runs; a range holding more
 * excluded or expired runs than that answers 1 (the caller then answers
 * NODATA rather than NXDOMAIN for an empty non-terminal: harmless). */
int rbl_ipr_any_within(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		      int64_t now)
{
	struct any_ctx x = { 0 };
	struct runs r;
	int rc = 0;

	memset(&r, 0, sizeof r);
	rbl_prefix_first(p, &r.lo);
	rbl_prefix_last(p, &r.hi);
	if (r.lo.family == RBL_AF4 && !v4sum_any(t, list_id, &r.lo, &r.hi))
		return 0;
	r.t = t;
	r.list_id = list_id;
	r.family = p->addr.family;
	r.alen = rbl_key_alen(r.family);
	r.now = now;
	r.fn = any_run;
	r.arg = &x;
	rc = runs_walk(&r);
	return rc == ANY_YES ? 1 : rc == RBL_ENOTFOUND ? 0 : rc;
}

/* Same DNS answer (codes and TXT; expiry is not part of it). */
static bool match_equal(const rbl_match *a, const rbl_match *b)
{
	return a->n_codes == b->n_codes && a->has_txt == b->has_txt &&
	       a->txt_len == b->txt_len &&
	       memcmp(a->codes, b->codes, a->n_codes * sizeof a->codes[0]) ==
		       0 &&
	       memcmp(a->txt, b->txt, a->txt_len) == 0;
}

struct listed {
	bool open;
	rbl_addr lo, hi;
	rbl_match m;
	rbl_seg_visit_fn fn;
	void *arg;
};

static int listed_flush(struct listed *r)
{
	if (!r->open)
		return 0;
	r->open = false;
	return r->fn(r->arg, &r->lo, &r->hi, &r->m);
}

/* Extend the open run with [LO, HI] answering M, or flush and start one. */
static int listed_run(void *arg, const rbl_addr *lo, const rbl_addr *hi,
		      const rbl_match *m)
{
	struct listed *r = arg;
	rbl_addr next = r->hi;
	int ret = 0;

	if (!m)
		return listed_flush(r);
	if (r->open && next.family == lo->family && rbl_addr_inc(&next) &&
	    rbl_addr_cmp(&next, lo) == 0 && match_equal(&r->m, m)) {
		r->hi = *hi;
		/* the merged run answers until its first part expires */
		if (m->expires && (!r->m.expires || m->expires < r->m.expires))
			r->m.expires = m->expires;
		return 0;
	}
	if ((ret = listed_flush(r)) != 0)
		return ret;
	r->open = true;
	r->lo = *lo;
	r->hi = *hi;
	r->m = *m;
	return 0;
}

int rbl_ipr_foreach_listed(rbl_txn *t, uint32_t list_id, int64_t now,
			  rbl_seg_visit_fn fn, void *arg)
{
	static const uint8_t families[] = { RBL_AF4, RBL_AF6 };
	struct listed l = { .open = false, .fn = fn, .arg = arg };
	int ret = 0;

	for (unsigned f = 0; f < 2 && ret == 0; f++) {
		rbl_prefix all = { { families[f], { 0 } }, 0 };
		struct runs r;

		memset(&r, 0, sizeof r);
		r.t = t;
		r.list_id = list_id;
		r.family = families[f];
		r.alen = rbl_key_alen(r.family);
		r.now = now;
		r.fn = listed_run;
		r.arg = &l;
		rbl_prefix_first(&all, &r.lo);
		rbl_prefix_last(&all, &r.hi);
		ret = runs_walk(&r);
		if (ret == RBL_ENOTFOUND)
			ret = 0;
	}
	if (ret == 0)
		ret = listed_flush(&l);
	return ret;
}
