/*
 * store_chunk.c -- the byte layout of IP chunks (see store_chunk.h):
 * prefixes and reading in place.  Building a chunk in memory is
 * store_chunk_mem.c, encoding it store_chunk_enc.c; both use this file,
 * which uses neither.
 *
 * The read side is the hot path of every IP lookup: it allocates nothing
 * and checks each offset against the chunk's length before using it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "zone/compiler.h"
#include "zone/error.h"
#include "zone/store/store_chunk.h"

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* --------------------------------------------------------- prefixes */

bool rbl_ck_covers(const uint8_t *start, unsigned len, const uint8_t *addr,
		   unsigned alen)
{
	unsigned full = len >> 3, rest = len & 7;

	if (full > alen || (full == alen && rest))
		return false;
	if (memcmp(start, addr, full) != 0)
		return false;
	if (!rest)
		return true;
	return ((start[full] ^ addr[full]) & (uint8_t)(0xff00 >> rest)) == 0;
}

bool rbl_ck_aligned(const uint8_t *addr, unsigned len, unsigned alen)
{
	unsigned full = len >> 3, rest = len & 7;

	if (full >= alen)
		return true;
	if (addr[full] & (uint8_t)(0xff >> rest))
		return false;
	for (unsigned i = full + 1; i < alen; i++)
		if (addr[i])
			return false;
	return true;
}

void rbl_ck_last(const uint8_t *start, unsigned len, unsigned alen,
		 uint8_t *out)
{
	unsigned full = len >> 3, rest = len & 7;

	memcpy(out, start, alen);
	if (full >= alen)
		return;
	out[full] |= (uint8_t)(0xff >> rest);
	for (unsigned i = full + 1; i < alen; i++)
		out[i] = 0xff;
}

/* ------------------------------------------------------------ reading */

int rbl_ck_open(rbl_ck *c, uint8_t family, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t end = 0;

	c->p = p;
	c->len = len;
	c->alen = family == 4 ? 4 : 16;
	if (len < RBL_CK_HDR)
		return RBL_ESTORE;
	/* version 1 has no text offsets, version 2 has 2-byte ones */
	switch (p[0] << 8 | p[5]) {
	case RBL_CK_VERSION << 8:
	case RBL_CK_VERSION_RT << 8 | 2:
		break;
	default:
		return RBL_ESTORE;
	}
	c->skip = p[1];
	c->rb = p[2];
	c->iw = p[3];
	c->aw = p[4];
	c->tw = p[5];
	c->n_rec = be16(p + 6);
	c->n_chain = be16(p + 8);
	c->n_attr = be16(p + 10);
	c->n_src = be16(p + 12);
	if (c->skip >= c->alen || c->rb == 0 || c->skip + c->rb > c->alen ||
	    c->iw > 2 || (c->aw != 1 && c->aw != 2) || c->n_rec == 0 ||
	    c->n_chain == 0)
		return RBL_ESTORE;
	c->stride = (uint8_t)(c->rb + c->iw + c->tw);
	c->rec = RBL_CK_HDR + (size_t)c->skip;
	c->chain_tab = rbl_ck_records_end(c->skip, c->n_rec, c->stride);
	c->attr_tab = c->chain_tab + 2u * c->n_chain;
	c->src_tab = c->attr_tab + 2u * c->n_attr;
	end = c->src_tab + 2u * c->n_src;
	return end <= len ? RBL_OK : RBL_ESTORE;
}

/* Up to 4 big-endian bytes as a number. */
static RBL_ALWAYS_INLINE uint32_t ld(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Record I's RB address bytes as a number.  With RB >= 2 one 4-byte
 * load, shifted: it may read up to 2 bytes past the record, which are
 * inside the chunk (rbl_ck_open: at least one chain offset of 2 bytes
 * follows the last record, before the chunk's end). */
static RBL_ALWAYS_INLINE uint32_t rec_at(const uint8_t *rec, unsigned stride,
					 unsigned rb, unsigned i)
{
	const uint8_t *r = rec + (size_t)i * stride;

	return rb == 1 ? r[0] : be32(r) >> (32 - 8 * rb);
}

/* The first of the N records at REC (STRIDE apart, RB <= 4 address
 * bytes) whose start is > K, or N.  Interpolation first: a chunk holds up
 * to a thousand records over the range of its first and last, and where
 * starts are spread evenly (random hosts) the guess lands within a few
 * records, so the search reads two or three cache lines of the chunk
 * instead of the ten a binary search would: at 100M entries the chunks
 * are not in the CPU's caches and those reads were most of a lookup's
 * misses (doc/performance.md).  From the guess it gallops to a window
 * that brackets the answer, then halves it: never more than about twice
 * a binary search's reads, whatever the spread.  Always inlined with a
 * constant RB, so that each load is a few instructions (a call with RB
 * a variable spent 84 of a 100M lookup's instructions in byte loops). */
static RBL_ALWAYS_INLINE unsigned upper_small(const uint8_t *rec,
					      unsigned stride, unsigned rb,
					      uint32_t k, unsigned n)
{
	unsigned lo = 0, hi = n;

	if (n > 16) {
		uint32_t first = rec_at(rec, stride, rb, 0);
		uint32_t last = rec_at(rec, stride, rb, n - 1), va = 0;
		uint64_t scale = 0;
		unsigned a = 0, d = 0, step = 4;

		if (k < first)
			return 0;
		if (k >= last)
			return n;
		/* first <= k < last: the answer is in [1, n - 1].  SCALE is
		 * records per address, fixed point: (k - first) * SCALE <
		 * (n - 2) * 2^32, no overflow */
		scale = ((uint64_t)(n - 2) << 32) / (last - first);
		a = 1 + (unsigned)((k - first) * scale >> 32);
		/* a second guess from the first one's start: the distance
		 * left is short, so its error is the local spread's (about 4
		 * records in a chunk of random hosts, not 17) */
		va = rec_at(rec, stride, rb, a);
		if (va <= k) {
			d = (unsigned)((k - va) * scale >> 32);
			a = a + d < n ? a + d : n - 1;
		} else {
			d = (unsigned)((va - k) * scale >> 32);
			d = d ? d : 1;
			a = a > d ? a - d : 0;
		}
		if (rec_at(rec, stride, rb, a) <= k) {
			while (a + step < n &&
			       rec_at(rec, stride, rb, a + step) <= k) {
				a += step;
				step *= 2;
			}
			lo = a + 1;
			hi = a + step < n ? a + step : n;
		} else {
			while (a >= step &&
			       rec_at(rec, stride, rb, a - step) > k) {
				a -= step;
				step *= 2;
			}
			lo = a >= step ? a - step + 1 : 0;
			hi = a;
		}
	}
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (rec_at(rec, stride, rb, mid) <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The base's SKIP bytes
 * and a record's RB bytes are fields of one 32-bit number (SKIP + RB <=
 * 4, rbl_ck_open), so no memcmp and no byte loops.  With SKIP >= 1 the
 * base is read as 4 bytes from the header's end: the records' RB >= 1
 * bytes and a chain offset follow it inside the chunk. */
int rbl_ck_find4(const rbl_ck *c, uint32_t a)
{
	const uint8_t *rec = c->p + c->rec;
	unsigned skip = c->skip, stride = c->stride, n = c->n_rec;
	uint32_t k = 0;

	if (skip) {
		uint32_t base = be32(c->p + RBL_CK_HDR) >> (32 - 8 * skip);
		uint32_t top = a >> (32 - 8 * skip);

		if (top != base)
			return top < base ? -1 : (int)n - 1;
	}
	k = a >> (8 * (4 - skip - c->rb));
	switch (c->rb) {
	case 1:
		return (int)upper_small(rec, stride, 1, k & 0xff, n) - 1;
	case 2:
		return (int)upper_small(rec, stride, 2, k & 0xffff, n) - 1;
	case 3:
		return (int)upper_small(rec, stride, 3, k & 0xffffff, n) - 1;
	default:
		return (int)upper_small(rec, stride, 4, k, n) - 1;
	}
}

int rbl_ck_find(const rbl_ck *c, const uint8_t *addr)
{
	const uint8_t *key = addr + c->skip, *rec = c->p + c->rec;
	unsigned stride = c->stride, lo = 0, hi = c->n_rec;
	int cmp = 0;

	if (c->alen == 4)
		return rbl_ck_find4(c, be32(addr));
	cmp = memcmp(addr, c->p + RBL_CK_HDR, c->skip);
	if (cmp < 0)
		return -1;
	if (cmp > 0)
		return (int)c->n_rec - 1;
	/* the first record > KEY; the answer is the one before it; the
	 * common widths get a search of their own, the load unrolled */
	switch (c->rb) {
	case 1:
		return (int)upper_small(rec, stride, 1, ld(key, 1), hi) - 1;
	case 2:
		return (int)upper_small(rec, stride, 2, ld(key, 2), hi) - 1;
	case 3:
		return (int)upper_small(rec, stride, 3, ld(key, 3), hi) - 1;
	case 4:
		return (int)upper_small(rec, stride, 4, ld(key, 4), hi) - 1;
	default:
		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;

			if (memcmp(rec + (size_t)mid * stride, key, c->rb) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return (int)lo - 1;
}

void rbl_ck_start(const rbl_ck *c, unsigned i, uint8_t out[16])
{
	memset(out, 0, 16);
	if (c->alen == 4) {
		uint32_t v = rbl_ck_start4(c, i);

		out[0] = (uint8_t)(v >> 24);
		out[1] = (uint8_t)(v >> 16);
		out[2] = (uint8_t)(v >> 8);
		out[3] = (uint8_t)v;
		return;
	}
	memcpy(out, c->p + RBL_CK_HDR, c->skip);
	memcpy(out + c->skip, c->p + c->rec + (size_t)i * c->stride, c->rb);
}

/* Offset of attribute AI with its fixed part in bounds, or 0. */
static size_t attr_at(const rbl_ck *c, unsigned ai)
{
	size_t off = 0;

	if (ai >= c->n_attr)
		return 0;
	off = be16(c->p + c->attr_tab + 2 * ai);
	if (off + 2 > c->len || c->p[off + 1] > RBL_MAX_CODES ||
	    off + 2 + 4u * c->p[off + 1] + 19 > c->len)
		return 0;
	return off;
}

int rbl_ck_attr_peek(const rbl_ck *c, unsigned ai, uint32_t *flags,
		     int64_t *expires)
{
	size_t off = attr_at(c, ai);

	if (!off)
		return RBL_ESTORE;
	*flags = c->p[off];
	*expires = (int64_t)be64(c->p + off + 2 + 4u * c->p[off + 1]);
	return RBL_OK;
}

/* The text of record REC (version 2) into OUT.  RBL_OK or RBL_ESTORE
 * (no such record, no text, or out of bounds). */
static int rec_txt(const rbl_ck *c, unsigned rec, rbl_ck_attr *out)
{
	size_t off = 0;

	if (c->tw != 2 || rec >= c->n_rec)
		return RBL_ESTORE;
	off = be16(c->p + c->rec + (size_t)rec * c->stride + c->rb + c->iw);
	if (!off || off >= c->len || off + 1 + (size_t)c->p[off] > c->len)
		return RBL_ESTORE;
	out->txt_len = c->p[off];
	out->txt = (const char *)c->p + off + 1;
	return RBL_OK;
}

/* The answer part of the attribute at OFF (in bounds up to its source
 * number, attr_at); *P gets its source number's address. */
static int answer_at(const rbl_ck *c, size_t off, unsigned rec,
		     rbl_ck_attr *out, const uint8_t **srcp)
{
	const uint8_t *p = c->p + off;

	out->flags = p[0];
	out->n_codes = p[1];
	for (unsigned i = 0; i < RBL_MAX_CODES; i++)
		out->codes[i] = i < out->n_codes ? be32(p + 2 + 4 * i) : 0;
	p += 2 + 4u * out->n_codes;
	out->expires = (int64_t)be64(p);
	out->added = (int64_t)be64(p + 8);
	*srcp = p + 16;
	out->txt_len = p[18];
	out->txt = (const char *)p + 19;
	if ((size_t)(p + 19 - c->p) + out->txt_len > c->len)
		return RBL_ESTORE;
	if (out->flags & RBL_CK_RECTXT) {
		out->flags &= ~RBL_CK_RECTXT;
		return rec_txt(c, rec, out);
	}
	return RBL_OK;
}

int rbl_ck_attr_answer(const rbl_ck *c, unsigned ai, unsigned rec,
		       rbl_ck_attr *out)
{
	size_t off = attr_at(c, ai);
	const uint8_t *sp = NULL;

	if (!off)
		return RBL_ESTORE;
	out->src = NULL;
	out->src_len = 0;
	return answer_at(c, off, rec, out, &sp);
}

int rbl_ck_attr_get(const rbl_ck *c, unsigned ai, unsigned rec,
		    rbl_ck_attr *out)
{
	size_t off = attr_at(c, ai), soff = 0;
	const uint8_t *sp = NULL;
	unsigned si = 0;
	int rc = 0;

	if (!off)
		return RBL_ESTORE;
	if ((rc = answer_at(c, off, rec, out, &sp)) != RBL_OK)
		return rc;
	si = be16(sp);
	if (si >= c->n_src)
		return RBL_ESTORE;
	soff = be16(c->p + c->src_tab + 2 * si);
	if (soff >= c->len || soff + 1 + (size_t)c->p[soff] > c->len)
		return RBL_ESTORE;
	out->src_len = c->p[soff];
	out->src = (const char *)c->p + soff + 1;
	return RBL_OK;
}

int rbl_ck_verify(const rbl_ck *c)
{
	uint8_t prev[16] = { 0 }, cur[16] = { 0 };
	rbl_ck_attr a = { 0 };

	for (unsigned i = 0; i < c->n_attr; i++) {
		uint32_t flags = 0;
		int64_t expires = 0;

		/* a record-text attribute is checked through its records */
		if (rbl_ck_attr_peek(c, i, &flags, &expires) != RBL_OK ||
		    (!(flags & RBL_CK_RECTXT) &&
		     rbl_ck_attr_get(c, i, 0, &a) != RBL_OK))
			return RBL_ESTORE;
	}
	for (unsigned i = 0; i < c->n_chain; i++) {
		const uint8_t *items = NULL;
		unsigned n = 0;

		if (rbl_ck_chain(c, i, &items, &n) != RBL_OK || n == 0)
			return RBL_ESTORE;
		for (unsigned k = 0; k < n; k++) {
			uint32_t flags = 0;
			int64_t expires = 0;

			if (rbl_ck_item_len(c, items, k) > 8u * c->alen ||
			    rbl_ck_item_attr(c, items, k) >= c->n_attr ||
			    (k && rbl_ck_item_len(c, items, k) >=
				  rbl_ck_item_len(c, items, k - 1)))
				return RBL_ESTORE;
			/* only a first item may take the record's text */
			if (k && (rbl_ck_attr_peek(c, rbl_ck_item_attr(c,
					items, k), &flags, &expires) !=
				  RBL_OK || (flags & RBL_CK_RECTXT)))
				return RBL_ESTORE;
		}
	}
	for (unsigned i = 0; i < c->n_rec; i++) {
		const uint8_t *items = NULL;
		unsigned n = 0;

		rbl_ck_start(c, i, cur);
		if (rbl_ck_chain_of(c, i) >= c->n_chain ||
		    (i && memcmp(prev, cur, c->alen) >= 0) ||
		    rbl_ck_chain(c, rbl_ck_chain_of(c, i), &items, &n) !=
			    RBL_OK ||
		    rbl_ck_attr_get(c, rbl_ck_item_attr(c, items, 0), i,
				    &a) != RBL_OK)
			return RBL_ESTORE;
		memcpy(prev, cur, sizeof prev);
	}
	return RBL_OK;
}
