/*
 * store_ckidx.c -- the chunk index: for a big IPv4 list, the first address
 * of every chunk and where the chunk's bytes are in the map, kept in a
 * read transaction handle, so that a lookup finds its chunk by a binary
 * search in a compact array instead of LMDB's B-tree descent; a top
 * table (about one chunk per slot, indexed by the address's high bits)
 * narrows that search to a slot's few chunks.
 *
 * Why: at 100M random /32s the /24 summary no longer answers the misses
 * (99.9% of public /24s hold an entry), and LMDB's seek (MDB_SET_RANGE,
 * MDB_PREV) cost about 2,080 of the 2,885 instructions of a lookup, with
 * cache misses at each level.  88,217 chunks make 1.4 MB of index
 * entries, which stay in the last-level cache; doc/performance.md has
 * the figures.
 *
 * Safety of the pointers: an index holds pointers into LMDB's map, read
 * from snapshot X (the transaction id, mdb_txn_id()).  It is used only by
 * a transaction of the same handle whose snapshot is X again (LMDB reads
 * the newest snapshot at a renew, so X is still the newest one) and whose
 * map was not set again since.  Such a transaction reads the same meta
 * page, so the same pages; LMDB never writes a page reachable from a
 * committed snapshot in place (copy on write), and reuses a freed page
 * only once no reader holds a snapshot it was live in (store_compact.c
 * relies on the same rule), so while that transaction is open the pages
 * are those the index was built from.  The map may move only when the
 * store adopts a new map size (store.c: adopt_map_size), which LMDB
 * allows with no transaction of the process live, so only between a
 * reset and a renew; it counts those (map_gen), and an index remembers
 * the count it was built under.  A write transaction never uses an
 * index: its own changes are not there.
 *
 * Memory: one 16-byte entry per chunk (first address, size, pointer:
 * the search and the place it finds share a cache line; and where the
 * chunk's records end, for the prefetch: see prefetch) and up to 4
 * bytes more for the top table, in one allocation per index: 1.7 MB at
 * 100M (88k chunks).  From RBL_CKIDX_HUGE_MIN bytes it is mmap'd in
 * 2 MiB pages (MADV_HUGEPAGE; plain malloc if that fails): with THP in
 * "madvise" mode malloc'd memory stays in 4 KiB pages, ~500 of them at
 * 100M, a TLB miss in most lookups on top of the chunk's own.
 *
 * Building: lazily, for lists with an IPv4 summary (RBL_V4SUM_MIN entries
 * or more: the caller decides), per handle (so no lock and no shared
 * lifetime: each rbld worker keeps its own).  A lookup that finds no
 * complete index for its snapshot reads up to RBL_CKIDX_STEP more chunk
 * keys into it (walking leaf pages only: a chunk's bytes are an overflow
 * page LMDB points to, not read here) and then seeks in LMDB as before,
 * unless that step completed it.  So a commit costs each worker one walk
 * of the list's keys (2-5 ms at 100M, spread over the 87 lookups after
 * it: none pays more than one step).  The allocation keeps its size from
 * snapshot to snapshot: once grown, a rebuild allocates nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zone/compiler.h"
#include "zone/store/store_impl.h"

/* Whether X was built from the snapshot and map T reads now (learned by
 * store.c at T's begin and at each renew: snap_txnid, snap_mapgen). */
static bool slot_current(const rbl_txn *t, const struct rbl_ckidx *x)
{
	return x->txnid == t->snap_txnid && x->mapgen == t->snap_mapgen;
}

/* Empty X, to be built from T's snapshot. */
static void restart(const rbl_txn *t, struct rbl_ckidx *x)
{
	x->txnid = t->snap_txnid;
	x->mapgen = t->snap_mapgen;
	/* the last build's entries stay until overwritten: build_step
	 * keeps the records' end lookups learned in those it finds again */
	x->prev_n = x->n;
	x->n = 0;
	x->next = 0;
	x->top_bits = 0;
	x->complete = x->failed = false;
}

/* LIST_ID's slot, or a slot to build it in (one of another list that is
 * not current counts as free), or NULL: every slot holds a current
 * index of another list, and evicting one would only move the cost. */
static struct rbl_ckidx *slot_of(rbl_txn *t, uint32_t list_id)
{
	struct rbl_ckidx *free_slot = NULL;

	for (unsigned i = 0; i < RBL_CKIDX_SLOTS; i++) {
		struct rbl_ckidx *x = &t->ckidx[i];

		if (x->used && x->list_id == list_id)
			return x;
		if (!free_slot && (!x->used || !slot_current(t, x)))
			free_slot = x;
	}
	if (free_slot) {
		free_slot->used = true;
		free_slot->list_id = list_id;
		restart(t, free_slot);
	}
	return free_slot;
}

/* Bytes of one allocation holding ENT and TOP for CAP chunks: a
 * top table of 2^bits + 1 slots with 2^bits <= n <= CAP (finish). */
static size_t mem_bytes(uint32_t cap)
{
	return (size_t)cap * sizeof(struct rbl_ckent) +
	       ((size_t)cap + 1) * sizeof(uint32_t);
}

/* LEN bytes for an index, in 2 MiB pages when LEN is RBL_CKIDX_HUGE_MIN
 * or more: at 100M the index is 2-3 MB per worker, and in 4 KiB pages
 * every lookup's search and prefetch took a TLB miss of its own on top
 * of the chunk's (THP is "madvise" here, so malloc'd memory stays in
 * 4 KiB pages).  *MAPPED says which to release (release_mem); NULL: no
 * memory. */
static void *alloc_mem(const rbl_txn *t, size_t len, bool *mapped)
{
	size_t huge = RBL_CKIDX_HUGE, span = 0;
	uint8_t *p = NULL;
	uintptr_t at = 0;

	*mapped = false;
	if (len < (t->ix_huge_min ? t->ix_huge_min : RBL_CKIDX_HUGE_MIN))
		return malloc(len);
	len = (len + huge - 1) & ~(huge - 1);
	span = len + huge;	/* room to align the start */
	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return malloc(len);	/* 4 KiB pages still work */
	at = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
	if (at > (uintptr_t)p)
		(void)munmap(p, at - (uintptr_t)p);
	if ((uintptr_t)p + span > at + len)
		(void)munmap((void *)(at + len), (uintptr_t)p + span - at - len);
	(void)madvise((void *)at, len, MADV_HUGEPAGE);	/* best effort */
	*mapped = true;
	return (void *)at;
}

static void release_mem(void *mem, size_t len, bool mapped)
{
	size_t huge = RBL_CKIDX_HUGE;

	if (mapped)
		(void)munmap(mem, (len + huge - 1) & ~(huge - 1));
	else
		free(mem);
}

/* Room for twice the chunks in one new allocation (the N built so far
 * copied), ENT and TOP pointing into it. */
static int grow(const rbl_txn *t, struct rbl_ckidx *x)
{
	uint32_t cap = x->cap ? 2 * x->cap : 16;
	size_t len = 0;
	bool mapped = false;
	uint8_t *mem = NULL;

	if (cap < x->cap)
		return RBL_ENOMEM;
	len = mem_bytes(cap);
	if (!(mem = alloc_mem(t, len, &mapped)))
		return RBL_ENOMEM;
	if (x->n)
		memcpy(mem, x->ent, (size_t)x->n * sizeof *x->ent);
	x->prev_n = x->n;	/* the last build's others are not copied */
	if (x->mem)
		release_mem(x->mem, x->mem_len, x->mem_mapped);
	x->mem = mem;
	x->mem_len = len;
	x->mem_mapped = mapped;
	x->ent = (struct rbl_ckent *)(void *)mem;
	x->top = (uint32_t *)(void *)(x->ent + cap);
	x->cap = cap;
	return RBL_OK;
}

/* X complete: its top table, about one chunk per slot (2^TOP_BITS
 * slots, TOP_BITS = floor(log2(n))), so that a search starts in a slot's
 * few chunks instead of halving all of ENT: at 100M those halvings
 * were a chain of about 17 dependent loads, 8 or so of them cache
 * misses, in every lookup and prefetch.  Its room is part of the
 * allocation (grow: 2^bits <= N <= cap). */
static void finish(struct rbl_ckidx *x)
{
	unsigned bits = 0;
	uint32_t i = 0;

	x->complete = true;
	x->top_bits = 0;
	while (bits < 24 && (x->n >> (bits + 1)) != 0)
		bits++;
	if (bits < 4)
		return;		/* a few lines of ENT: halving is as cheap */
	for (uint32_t h = 0; h < (uint32_t)1 << bits; h++) {
		while (i < x->n && x->ent[i].first >> (32 - bits) < h)
			i++;
		x->top[h] = i;
	}
	x->top[(size_t)1 << bits] = x->n;
	x->top_bits = bits;
}

/* Read up to RBL_CKIDX_STEP more chunk keys of X's list into X, from
 * X->next on. */
static int build_step(rbl_txn *t, struct rbl_ckidx *x)
{
	uint8_t kb[RBL_IPCK_KEY_MAX] = { 0 }, from[4] = { 0 };
	MDB_val k = { 0 }, v = { 0 };
	struct rbl_ckent *e = NULL;
	uint16_t size = 0;
	unsigned steps = t->ix_step ? t->ix_step : RBL_CKIDX_STEP;
	size_t klen = 0;
	int rc = 0;

	if (!t->ix_cur &&
	    (rc = mdb_cursor_open(t->txn, t->s->ipchunk, &t->ix_cur)) != 0)
		return rbl_mdb_error(rc);
	rbl_put_be32(from, x->next);
	k.mv_size = klen = rbl_ipck_key(kb, x->list_id, RBL_AF4, from);
	k.mv_data = kb;
	rc = mdb_cursor_get(t->ix_cur, &k, &v, MDB_SET_RANGE);
	for (unsigned step = 0; step < steps; step++) {
		uint32_t a = 0;

		/* the list and family are the key's first 5 bytes */
		if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != klen ||
		    memcmp(k.mv_data, kb, 5) != 0))) {
			finish(x);	/* past the list's IPv4 */
			return RBL_OK;
		}
		if (rc != 0)
			return rbl_mdb_error(rc);
		if (x->n == x->cap && (rc = grow(t, x)) != RBL_OK)
			return rc;
		a = rbl_get_be32((const uint8_t *)k.mv_data + 5);
		/* over RBL_CK_LIMIT is damage: 0, which rbl_ck_open
		 * refuses */
		size = v.mv_size > RBL_CK_LIMIT ? 0 : (uint16_t)v.mv_size;
		e = &x->ent[x->n];
		/* the chunk the last build had here, at the same place in
		 * the map with the same key and size, is most likely the
		 * same (a commit rewrites only the chunks it changes): keep
		 * its end; if the place was reused, a wasted prefetch */
		if (x->n >= x->prev_n || e->first != a || e->size != size ||
		    e->data != v.mv_data)
			e->rec_end = 0;
		e->first = a;
		e->size = size;
		e->data = v.mv_data;
		x->n++;
		if (a == UINT32_MAX) {
			finish(x);	/* nothing can follow */
			return RBL_OK;
		}
		x->next = a + 1;
		rc = mdb_cursor_get(t->ix_cur, &k, &v, MDB_NEXT);
	}
	return RBL_OK;
}

/* The index of the greatest first address <= A in X (X->ent[0].first <= A):
 * among the chunks of A's slot of the top table and the one before them
 * (all of ENT without a table). */
static RBL_ALWAYS_INLINE uint32_t search(const struct rbl_ckidx *x,
					   uint32_t a)
{
	const struct rbl_ckent *b = x->ent;
	uint32_t len = x->n;

	if (x->top_bits) {
		uint32_t h = a >> (32 - x->top_bits), lo = x->top[h];

		lo -= lo > 0;
		b += lo;
		len = x->top[h + 1] - lo;
	}
	while (len > 1) {
		uint32_t half = len / 2;

		b = b[half].first <= a ? b + half : b;
		len -= half;
	}
	return (uint32_t)(b - x->ent);
}

/* Ask for the lines of chunk E a lookup of the address at OFF of its
 * span of SPAN addresses will read: the header, the records near the
 * address and the tail (the last record, chains, attributes).  At 100M
 * they are last-level misses, and the reader would take them one after
 * the other.  Where the records are is a guess (evenly spread starts, as
 * rbl_ck_find's interpolation), made between the header and the
 * records' end once a lookup has learned it (E->REC_END), with the line
 * next to it that the search's second step most often reads; the tail
 * is its first lines (at most RBL_CKIDX_TAIL_LINES: a chunk of texts of
 * their own has a long one, read only where the record points).  A
 * wrong guess costs a line of bandwidth.  Until the end is known, the
 * guess spreads the records over the whole chunk and the tail is its
 * last line: with the tail's 64-255 bytes of a chunk of the list's
 * default answer, that leaves 2.3-3.0 of a lookup's 4 lines for the
 * reader to wait for in turn, 0.3-0.4 with the end known
 * (doc/performance.md, "the prefetch knows where the records end"). */
static RBL_ALWAYS_INLINE void prefetch(const struct rbl_ckent *e,
				       uint32_t off, uint32_t span)
{
	const uint8_t *p = e->data;
	uintptr_t at = 0, last = 0, tail = 0;
	size_t end = e->rec_end;

	if (e->size == 0)
		return;		/* damaged: rbl_ck_open says so */
	RBL_PREFETCH(p);
	if (end == 0) {
		RBL_PREFETCH(p + (uint64_t)off * e->size / ((uint64_t)span + 1));
		RBL_PREFETCH(p + e->size - 1);
		return;
	}
	at = (uintptr_t)p + RBL_CK_HDR +
	     (uintptr_t)((uint64_t)off * (end - RBL_CK_HDR) /
			 ((uint64_t)span + 1));
	RBL_PREFETCH((const void *)at);
	/* the neighbour on the side of the guess's half of its line */
	RBL_PREFETCH((const void *)((at & 63) < 32 ? at - 32 : at + 32));
	last = (uintptr_t)p + e->size - 1;
	tail = ((uintptr_t)p + end - 1) & ~(uintptr_t)63;
	for (unsigned l = 0; l < RBL_CKIDX_TAIL_LINES && tail <= last;
	     l++, tail += 64)
		RBL_PREFETCH((const void *)tail);
}

/* The addresses from chunk I's first to the next chunk's (the last
 * chunk: to the end of the space), for prefetch's guess. */
static RBL_ALWAYS_INLINE uint32_t span_of(const struct rbl_ckidx *x,
					  uint32_t i)
{
	return (i + 1 < x->n ? x->ent[i + 1].first : UINT32_MAX) -
	       x->ent[i].first;
}

/* The chunk of A in X (complete, current): its bytes to *DATA, *SIZE,
 * their lines asked for. */
static RBL_ALWAYS_INLINE int found(struct rbl_ckidx *x, uint32_t a,
				   const void **data, size_t *size)
{
	struct rbl_ckent *e = NULL;
	uint32_t i = 0;

	if (x->n == 0 || x->ent[0].first > a)
		return RBL_ENOTFOUND;
	i = search(x, a);
	e = &x->ent[i];
	*data = e->data;
	*size = e->size;
	prefetch(e, a - e->first, span_of(x, i));
	/* the caller reads the header next (rbl_ck_open), so learning the
	 * records' end here costs no miss of its own */
	if (e->rec_end == 0)
		e->rec_end = (uint16_t)rbl_ck_rec_end(e->data, e->size);
	return RBL_OK;
}

/* rbl_ckidx_find with no complete index of LIST_ID for T's snapshot at
 * hand: take a slot, read a step of keys.  Out of line, so that a lookup
 * with the index ready saves no registers for the build. */
static RBL_NOINLINE int find_building(rbl_txn *t, uint32_t list_id,
				      const uint8_t *addr, const void **data,
				      size_t *size)
{
	struct rbl_ckidx *x = NULL;

	if (!(x = slot_of(t, list_id)))
		return RBL_EBUSY;
	if (!slot_current(t, x))
		restart(t, x);
	if (!x->complete && !x->failed && build_step(t, x) != RBL_OK)
		x->failed = true;	/* seek in LMDB until the next snapshot */
	if (!x->complete)
		return RBL_EBUSY;
	return found(x, rbl_get_be32(addr), data, size);
}

/* T's complete index of LIST_ID for T's snapshot, or NULL (a lookup
 * then builds, find_building; prefetching builds nothing). */
static RBL_ALWAYS_INLINE struct rbl_ckidx *ready(rbl_txn *t,
						   uint32_t list_id)
{
	if (t->write || t->reset)
		return NULL;
	for (unsigned k = 0; k < RBL_CKIDX_SLOTS; k++) {
		struct rbl_ckidx *x = &t->ckidx[k];

		if (x->used && x->list_id == list_id)
			return x->complete && slot_current(t, x) ? x : NULL;
	}
	return NULL;
}

int rbl_ckidx_find(rbl_txn *t, uint32_t list_id, const uint8_t *addr,
		   const void **data, size_t *size)
{
	struct rbl_ckidx *x = NULL;

	if (t->write || t->reset)
		return RBL_EBUSY;
	if ((x = ready(t, list_id)) != NULL)
		return found(x, rbl_get_be32(addr), data, size);
	return find_building(t, list_id, addr, data, size);
}

bool rbl_ckidx_big(rbl_txn *t, uint32_t list_id)
{
	const struct rbl_ckidx *x = ready(t, list_id);

	return x && x->n >= (t->ix_big ? t->ix_big : RBL_CKIDX_PREFETCH_MIN);
}

/* Stage 1: ask for the lines of ENT that A's search in X reads (its
 * slot's chunks, the one before them and, for span_of, the one after:
 * inside the allocation, as TOP follows ENT), from the top slot stage 0
 * asked for. */
static void prefetch_slot(const struct rbl_ckidx *x, uint32_t a)
{
	uint32_t h = a >> (32 - x->top_bits), lo = x->top[h], hi = 0;

	lo -= lo > 0;
	hi = x->top[h + 1] > lo ? x->top[h + 1] - 1 : lo;
	RBL_PREFETCH(&x->ent[lo]);
	RBL_PREFETCH(&x->ent[hi + 1]);
}

void rbl_ckidx_prefetch(rbl_txn *t, uint32_t list_id, const uint8_t *addr,
			unsigned stage)
{
	const struct rbl_ckidx *x = ready(t, list_id);
	uint32_t a = rbl_get_be32(addr), i = 0;

	if (!x || x->n == 0)
		return;
	if (stage < 2 && x->top_bits) {
		if (stage == 0)
			RBL_PREFETCH(&x->top[a >> (32 - x->top_bits)]);
		else
			prefetch_slot(x, a);
		return;
	}
	if (stage < 2 || x->ent[0].first > a)
		return;
	i = search(x, a);
	prefetch(&x->ent[i], a - x->ent[i].first, span_of(x, i));
}

void rbl_ckidx_free(rbl_txn *t)
{
	for (unsigned i = 0; i < RBL_CKIDX_SLOTS; i++) {
		struct rbl_ckidx *x = &t->ckidx[i];

		if (x->mem)
			release_mem(x->mem, x->mem_len, x->mem_mapped);
		memset(x, 0, sizeof *x);
	}
}
