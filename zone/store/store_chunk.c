/*
 * store_chunk.c -- the byte layout of IP chunks (see store_chunk.h):
 * reading in place, and building in memory with interned chains,
 * attributes and sources.
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

static inline void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
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
	if (len < RBL_CK_HDR || p[0] != RBL_CK_VERSION)
		return RBL_ESTORE;
	c->skip = p[1];
	c->rb = p[2];
	c->iw = p[3];
	c->aw = p[4];
	c->n_rec = be16(p + 6);
	c->n_chain = be16(p + 8);
	c->n_attr = be16(p + 10);
	c->n_src = be16(p + 12);
	if (c->skip >= c->alen || c->rb == 0 || c->skip + c->rb > c->alen ||
	    c->iw > 2 || (c->aw != 1 && c->aw != 2) || c->n_rec == 0 ||
	    c->n_chain == 0)
		return RBL_ESTORE;
	c->rec = RBL_CK_HDR + (size_t)c->skip;
	c->chain_tab = c->rec + (size_t)c->n_rec * (c->rb + c->iw);
	c->attr_tab = c->chain_tab + 2u * c->n_chain;
	c->src_tab = c->attr_tab + 2u * c->n_attr;
	end = c->src_tab + 2u * c->n_src;
	return end <= len ? RBL_OK : RBL_ESTORE;
}

/* Up to 4 big-endian bytes as a number. */
static inline uint32_t ld(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int rbl_ck_find(const rbl_ck *c, const uint8_t *addr)
{
	const uint8_t *key = addr + c->skip, *rec = c->p + c->rec;
	unsigned stride = c->rb + c->iw, lo = 0, hi = c->n_rec;
	int cmp = memcmp(addr, c->p + RBL_CK_HDR, c->skip);

	if (cmp < 0)
		return -1;
	if (cmp > 0)
		return (int)c->n_rec - 1;
	/* the first record > KEY; the answer is the one before it */
	if (c->rb <= 4) {
		uint32_t k = ld(key, c->rb);

		while (lo < hi) {
			unsigned mid = (lo + hi) / 2;

			if (ld(rec + (size_t)mid * stride, c->rb) <= k)
				lo = mid + 1;
			else
				hi = mid;
		}
	} else {
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
	memcpy(out, c->p + RBL_CK_HDR, c->skip);
	memcpy(out + c->skip, c->p + c->rec + (size_t)i * (c->rb + c->iw),
	       c->rb);
}

unsigned rbl_ck_chain_of(const rbl_ck *c, unsigned i)
{
	const uint8_t *r = c->p + c->rec + (size_t)i * (c->rb + c->iw) +
			   c->rb;

	return c->iw == 0 ? 0 : c->iw == 1 ? r[0] : be16(r);
}

int rbl_ck_chain(const rbl_ck *c, unsigned ci, const uint8_t **items,
		 unsigned *n)
{
	size_t off = 0;

	if (ci >= c->n_chain)
		return RBL_ESTORE;
	off = be16(c->p + c->chain_tab + 2 * ci);
	if (off >= c->len)
		return RBL_ESTORE;
	*n = c->p[off];
	if (off + 1 + (size_t)*n * (1u + c->aw) > c->len)
		return RBL_ESTORE;
	*items = c->p + off + 1;
	return RBL_OK;
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

int rbl_ck_attr_get(const rbl_ck *c, unsigned ai, rbl_ck_attr *out)
{
	size_t off = attr_at(c, ai), soff = 0;
	const uint8_t *p = NULL;
	unsigned si = 0;

	if (!off)
		return RBL_ESTORE;
	p = c->p + off;
	out->flags = p[0];
	out->n_codes = p[1];
	for (unsigned i = 0; i < RBL_MAX_CODES; i++)
		out->codes[i] = i < out->n_codes ? be32(p + 2 + 4 * i) : 0;
	p += 2 + 4u * out->n_codes;
	out->expires = (int64_t)be64(p);
	out->added = (int64_t)be64(p + 8);
	si = be16(p + 16);
	out->txt_len = p[18];
	out->txt = (const char *)p + 19;
	if ((size_t)(p + 19 - c->p) + out->txt_len > c->len ||
	    si >= c->n_src)
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

	for (unsigned i = 0; i < c->n_attr; i++)
		if (rbl_ck_attr_get(c, i, &a) != RBL_OK)
			return RBL_ESTORE;
	for (unsigned i = 0; i < c->n_chain; i++) {
		const uint8_t *items = NULL;
		unsigned n = 0;

		if (rbl_ck_chain(c, i, &items, &n) != RBL_OK || n == 0)
			return RBL_ESTORE;
		for (unsigned k = 0; k < n; k++)
			if (rbl_ck_item_len(c, items, k) > 8u * c->alen ||
			    rbl_ck_item_attr(c, items, k) >= c->n_attr ||
			    (k && rbl_ck_item_len(c, items, k) >=
				  rbl_ck_item_len(c, items, k - 1)))
				return RBL_ESTORE;
	}
	for (unsigned i = 0; i < c->n_rec; i++) {
		rbl_ck_start(c, i, cur);
		if (rbl_ck_chain_of(c, i) >= c->n_chain ||
		    (i && memcmp(prev, cur, c->alen) >= 0))
			return RBL_ESTORE;
		memcpy(prev, cur, sizeof prev);
	}
	return RBL_OK;
}

/* ------------------------------------------------------- building */

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

#define FNV0 2166136261u

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *np = NULL;

	if (need <= *cap)
		return RBL_OK;
	while (c < need)
		c *= 2;
	if (!(np = realloc(*p, c * size)))
		return RBL_ENOMEM;
	*p = np;
	*cap = c;
	return RBL_OK;
}

void rbl_ckw_init(rbl_ckw *w, uint8_t family)
{
	memset(w, 0, sizeof *w);
	w->family = family;
	w->alen = family == 4 ? 4 : 16;
}

void rbl_ckw_reset(rbl_ckw *w, uint8_t family)
{
	w->family = family;
	w->alen = family == 4 ? 4 : 16;
	w->n_rec = w->n_chain = w->n_item = w->n_attr = w->n_src = 0;
	w->n_text = 0;
	if (w->ch_slot)
		memset(w->ch_slot, 0, w->n_ch_slot * sizeof *w->ch_slot);
	if (w->at_slot)
		memset(w->at_slot, 0, w->n_at_slot * sizeof *w->at_slot);
	if (w->sr_slot)
		memset(w->sr_slot, 0, w->n_sr_slot * sizeof *w->sr_slot);
}

void rbl_ckw_free(rbl_ckw *w)
{
	free(w->rec);
	free(w->chain);
	free(w->item);
	free(w->attr);
	free(w->src);
	free(w->text);
	free(w->ch_slot);
	free(w->at_slot);
	free(w->sr_slot);
	free(w->ch_map);
	free(w->at_map);
	free(w->sr_map);
	free(w->ch_stamp);
	free(w->at_stamp);
	free(w->sr_stamp);
	free(w->order);
	memset(w, 0, sizeof *w);
}

static int text_put(rbl_ckw *w, const char *s, size_t n, uint32_t *off)
{
	int rc = grow((void **)&w->text, &w->cap_text, w->n_text + n + 1, 1);

	if (rc != RBL_OK)
		return rc;
	memcpy(w->text + w->n_text, s, n);
	*off = (uint32_t)w->n_text;
	w->n_text += n;
	return RBL_OK;
}

/* A hash table of N slots (index + 1) grown to keep COUNT below half. */
static int slots_fit(uint32_t **slots, size_t *n, size_t count,
		     const void *base, size_t stride, size_t off)
{
	size_t size = *n ? *n : 64;
	uint32_t *s = NULL;

	if (count * 2 < *n)
		return RBL_OK;
	while (count * 2 >= size)
		size *= 2;
	if (!(s = calloc(size, sizeof *s)))
		return RBL_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		uint32_t h = 0;

		memcpy(&h, (const char *)base + i * stride + off, sizeof h);
		size_t j = 0;

		j = h & (size - 1);
		while (s[j])
			j = (j + 1) & (size - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(*slots);
	*slots = s;
	*n = size;
	return RBL_OK;
}

static int src_put(rbl_ckw *w, const char *s, size_t n, uint32_t *si)
{
	uint32_t h = 0;
	size_t j = 0;
	int rc = 0;

	if (n > 255)
		n = 255;
	h = fnv(FNV0, s, n);
	if ((rc = slots_fit(&w->sr_slot, &w->n_sr_slot, w->n_src,
			    w->src, sizeof *w->src,
			    offsetof(rbl_ckw_src, hash))) != RBL_OK)
		return rc;
	for (j = h & (w->n_sr_slot - 1); w->sr_slot[j];
	     j = (j + 1) & (w->n_sr_slot - 1)) {
		const rbl_ckw_src *x = &w->src[w->sr_slot[j] - 1];

		if (x->hash == h && x->len == n &&
		    memcmp(w->text + x->off, s, n) == 0) {
			*si = w->sr_slot[j] - 1;
			return RBL_OK;
		}
	}
	if ((rc = grow((void **)&w->src, &w->cap_src, w->n_src + 1,
		       sizeof *w->src)) != RBL_OK)
		return rc;
	w->src[w->n_src].hash = h;
	w->src[w->n_src].len = (uint8_t)n;
	if ((rc = text_put(w, s, n, &w->src[w->n_src].off)) != RBL_OK)
		return rc;
	w->sr_slot[j] = (uint32_t)w->n_src + 1;
	*si = (uint32_t)w->n_src++;
	return RBL_OK;
}

static uint32_t attr_hash(const rbl_ckw_attr *a, const char *txt)
{
	uint8_t b[8 + 4 * RBL_MAX_CODES + 16] = { 0 };
	size_t n = 0;

	put32(b, a->flags);
	b[4] = a->n_codes;
	n = 5;
	for (unsigned i = 0; i < a->n_codes; i++, n += 4)
		put32(b + n, a->codes[i]);
	put64(b + n, (uint64_t)a->expires);
	put64(b + n + 8, (uint64_t)a->added);
	n += 16;
	return fnv(fnv(fnv(FNV0, b, n), &a->src, sizeof a->src), txt,
		   a->txt_len);
}

static bool attr_eq(const rbl_ckw *w, const rbl_ckw_attr *a,
		    const rbl_ckw_attr *b, const char *btxt)
{
	return a->hash == b->hash && a->flags == b->flags &&
	       a->n_codes == b->n_codes && a->expires == b->expires &&
	       a->added == b->added && a->src == b->src &&
	       a->txt_len == b->txt_len &&
	       memcmp(a->codes, b->codes, sizeof a->codes) == 0 &&
	       memcmp(w->text + a->txt_off, btxt, b->txt_len) == 0;
}

/* Intern A (src set, txt_off unused) with text TXT. */
static int attr_intern(rbl_ckw *w, rbl_ckw_attr *a, const char *txt,
		       uint32_t *ai)
{
	size_t j = 0;
	int rc = 0;

	a->hash = attr_hash(a, txt);
	if ((rc = slots_fit(&w->at_slot, &w->n_at_slot, w->n_attr,
			    w->attr, sizeof *w->attr,
			    offsetof(rbl_ckw_attr, hash))) != RBL_OK)
		return rc;
	for (j = a->hash & (w->n_at_slot - 1); w->at_slot[j];
	     j = (j + 1) & (w->n_at_slot - 1))
		if (attr_eq(w, &w->attr[w->at_slot[j] - 1], a, txt)) {
			*ai = w->at_slot[j] - 1;
			return RBL_OK;
		}
	if ((rc = grow((void **)&w->attr, &w->cap_attr, w->n_attr + 1,
		       sizeof *w->attr)) != RBL_OK ||
	    (rc = text_put(w, txt, a->txt_len, &a->txt_off)) != RBL_OK)
		return rc;
	w->attr[w->n_attr] = *a;
	w->at_slot[j] = (uint32_t)w->n_attr + 1;
	*ai = (uint32_t)w->n_attr++;
	return RBL_OK;
}

static int attr_from(rbl_ckw *w, uint32_t flags, unsigned n_codes,
		     const uint32_t *codes, int64_t expires, int64_t added,
		     const char *txt, size_t txt_len, const char *src,
		     size_t src_len, uint32_t *ai)
{
	rbl_ckw_attr a = { 0 };
	int rc = 0;

	memset(&a, 0, sizeof a);
	a.flags = flags & 0xff;
	a.n_codes = (uint8_t)(n_codes > RBL_MAX_CODES ? RBL_MAX_CODES
						       : n_codes);
	memcpy(a.codes, codes, a.n_codes * sizeof a.codes[0]);
	a.expires = expires;
	a.added = added;
	a.txt_len = (uint8_t)(txt_len > 255 ? 255 : txt_len);
	if ((rc = src_put(w, src, src_len, &a.src)) != RBL_OK)
		return rc;
	return attr_intern(w, &a, txt, ai);
}

int rbl_ckw_attr_put(rbl_ckw *w, const rbl_entry *e, uint32_t *ai)
{
	return attr_from(w, e->flags, e->n_codes, e->codes, e->expires,
			 e->added, e->txt, strnlen(e->txt, RBL_TXT_MAX),
			 e->source, strnlen(e->source, RBL_SOURCE_MAX), ai);
}

int rbl_ckw_attr_copy(rbl_ckw *w, const rbl_ck *c, unsigned ai,
		      uint32_t *out)
{
	rbl_ck_attr a = { 0 };
	int rc = rbl_ck_attr_get(c, ai, &a);

	if (rc != RBL_OK)
		return rc;
	return attr_from(w, a.flags, a.n_codes, a.codes, a.expires, a.added,
			 a.txt, a.txt_len, a.src, a.src_len, out);
}

void rbl_ckw_attr_entry(const rbl_ckw *w, uint32_t ai, rbl_entry *e)
{
	const rbl_ckw_attr *a = &w->attr[ai];
	const rbl_ckw_src *s = &w->src[a->src];
	size_t sl = s->len > RBL_SOURCE_MAX ? RBL_SOURCE_MAX : s->len;

	rbl_entry_init(e);
	e->flags = a->flags;
	e->n_codes = a->n_codes;
	memcpy(e->codes, a->codes, sizeof e->codes);
	e->expires = a->expires;
	e->added = a->added;
	memcpy(e->txt, w->text + a->txt_off, a->txt_len);
	e->txt[a->txt_len] = 0;
	memcpy(e->source, w->text + s->off, sl);
	e->source[sl] = 0;
}

bool rbl_ckw_attr_same_answer(const rbl_ckw *w, uint32_t a, const rbl_ckw *x,
			      uint32_t b)
{
	const rbl_ckw_attr *p = &w->attr[a], *q = &x->attr[b];

	return p->flags == q->flags && p->n_codes == q->n_codes &&
	       p->expires == q->expires && p->txt_len == q->txt_len &&
	       memcmp(p->codes, q->codes, sizeof p->codes) == 0 &&
	       memcmp(w->text + p->txt_off, x->text + q->txt_off,
		      p->txt_len) == 0;
}

static uint32_t chain_hash(const rbl_ckw_item *items, unsigned n)
{
	uint32_t h = FNV0;

	for (unsigned i = 0; i < n; i++) {
		h = fnv(h, &items[i].len, 1);
		h = fnv(h, &items[i].attr, sizeof items[i].attr);
	}
	return h;
}

static bool chain_eq(const rbl_ckw *w, const rbl_ckw_chain *c,
		     const rbl_ckw_item *items, unsigned n, uint32_t h)
{
	const rbl_ckw_item *it = &w->item[c->off];

	if (c->hash != h || c->n != n)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (it[i].len != items[i].len || it[i].attr != items[i].attr)
			return false;
	return true;
}

int rbl_ckw_chain_put(rbl_ckw *w, const rbl_ckw_item *items, unsigned n,
		      uint32_t *ci)
{
	uint32_t h = chain_hash(items, n);
	size_t j = 0;
	int rc = 0;

	if ((rc = slots_fit(&w->ch_slot, &w->n_ch_slot, w->n_chain,
			    w->chain, sizeof *w->chain,
			    offsetof(rbl_ckw_chain, hash))) != RBL_OK)
		return rc;
	for (j = h & (w->n_ch_slot - 1); w->ch_slot[j];
	     j = (j + 1) & (w->n_ch_slot - 1))
		if (chain_eq(w, &w->chain[w->ch_slot[j] - 1], items, n, h)) {
			*ci = w->ch_slot[j] - 1;
			return RBL_OK;
		}
	if ((rc = grow((void **)&w->item, &w->cap_item, w->n_item + n,
		       sizeof *w->item)) != RBL_OK ||
	    (rc = grow((void **)&w->chain, &w->cap_chain, w->n_chain + 1,
		       sizeof *w->chain)) != RBL_OK)
		return rc;
	memcpy(w->item + w->n_item, items, n * sizeof *items);
	w->chain[w->n_chain].off = (uint32_t)w->n_item;
	w->chain[w->n_chain].n = (uint16_t)n;
	w->chain[w->n_chain].hash = h;
	w->n_item += n;
	w->ch_slot[j] = (uint32_t)w->n_chain + 1;
	*ci = (uint32_t)w->n_chain++;
	return RBL_OK;
}

int rbl_ckw_rec_push(rbl_ckw *w, const uint8_t *a, uint32_t chain)
{
	return rbl_ckw_rec_insert(w, w->n_rec, a, chain);
}

int rbl_ckw_rec_insert(rbl_ckw *w, size_t at, const uint8_t *a,
		       uint32_t chain)
{
	int rc = grow((void **)&w->rec, &w->cap_rec, w->n_rec + 1,
		      sizeof *w->rec);

	if (rc != RBL_OK)
		return rc;
	memmove(w->rec + at + 1, w->rec + at,
		(w->n_rec - at) * sizeof *w->rec);
	memset(w->rec[at].a, 0, sizeof w->rec[at].a);
	memcpy(w->rec[at].a, a, w->alen);
	w->rec[at].chain = chain;
	w->n_rec++;
	return RBL_OK;
}

void rbl_ckw_rec_remove(rbl_ckw *w, size_t at)
{
	memmove(w->rec + at, w->rec + at + 1,
		(w->n_rec - at - 1) * sizeof *w->rec);
	w->n_rec--;
}

ptrdiff_t rbl_ckw_find(const rbl_ckw *w, const uint8_t *a)
{
	size_t lo = 0, hi = w->n_rec;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (memcmp(w->rec[mid].a, a, w->alen) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

/* Map of chain/attribute numbers of a source table to W's. */
struct remap {
	uint32_t *chain, *attr;
};

static int remap_alloc(struct remap *m, size_t n_chain, size_t n_attr)
{
	m->chain = malloc((n_chain ? n_chain : 1) * sizeof *m->chain);
	m->attr = malloc((n_attr ? n_attr : 1) * sizeof *m->attr);
	if (!m->chain || !m->attr) {
		free(m->chain);
		free(m->attr);
		m->chain = m->attr = NULL;
		return RBL_ENOMEM;
	}
	memset(m->chain, 0xff, (n_chain ? n_chain : 1) * sizeof *m->chain);
	memset(m->attr, 0xff, (n_attr ? n_attr : 1) * sizeof *m->attr);
	return RBL_OK;
}

static void remap_free(struct remap *m)
{
	free(m->chain);
	free(m->attr);
}

static int load_chain(rbl_ckw *w, const rbl_ck *c, unsigned ci,
		      struct remap *m, uint32_t *out)
{
	/* filled up to N before it is read */
	RBL_NOINIT rbl_ckw_item items[129];
	const uint8_t *raw = NULL;
	unsigned n = 0;
	int rc = rbl_ck_chain(c, ci, &raw, &n);

	if (rc != RBL_OK)
		return rc;
	if (n == 0 || n > 129)
		return RBL_ESTORE;
	for (unsigned k = 0; k < n; k++) {
		unsigned ai = rbl_ck_item_attr(c, raw, k);

		if (ai >= c->n_attr)
			return RBL_ESTORE;
		if (m->attr[ai] == UINT32_MAX &&
		    (rc = rbl_ckw_attr_copy(w, c, ai, &m->attr[ai])) != RBL_OK)
			return rc;
		items[k].len = rbl_ck_item_len(c, raw, k);
		items[k].attr = m->attr[ai];
	}
	return rbl_ckw_chain_put(w, items, n, out);
}

int rbl_ckw_load(rbl_ckw *w, const rbl_ck *c)
{
	struct remap m;
	uint8_t a[16] = { 0 };
	int rc = remap_alloc(&m, c->n_chain, c->n_attr);

	for (unsigned i = 0; rc == RBL_OK && i < c->n_rec; i++) {
		unsigned ci = rbl_ck_chain_of(c, i);

		if (ci >= c->n_chain) {
			rc = RBL_ESTORE;
			break;
		}
		if (m.chain[ci] == UINT32_MAX &&
		    (rc = load_chain(w, c, ci, &m, &m.chain[ci])) != RBL_OK)
			break;
		rbl_ck_start(c, i, a);
		rc = rbl_ckw_rec_push(w, a, m.chain[ci]);
	}
	remap_free(&m);
	return rc;
}

int rbl_ckw_attr_move(rbl_ckw *dst, const rbl_ckw *w, uint32_t ai,
		      uint32_t *out)
{
	const rbl_ckw_attr *a = &w->attr[ai];
	const rbl_ckw_src *s = &w->src[a->src];

	return attr_from(dst, a->flags, a->n_codes, a->codes, a->expires,
			 a->added, w->text + a->txt_off, a->txt_len,
			 w->text + s->off, s->len, out);
}

int rbl_ckw_move_tail(rbl_ckw *w, size_t from, rbl_ckw *dst,
		      uint32_t *attr_map)
{
	size_t nc = w->n_chain ? w->n_chain : 1, na = w->n_attr ? w->n_attr : 1;
	uint32_t *chain_map = malloc(nc * sizeof *chain_map);
	uint32_t *amap = attr_map ? attr_map : malloc(na * sizeof *amap);
	int rc = chain_map && amap ? RBL_OK : RBL_ENOMEM;

	if (rc == RBL_OK) {
		memset(chain_map, 0xff, nc * sizeof *chain_map);
		memset(amap, 0xff, na * sizeof *amap);
	}
	for (size_t i = from; rc == RBL_OK && i < w->n_rec; i++) {
		uint32_t ci = w->rec[i].chain;

		if (chain_map[ci] == UINT32_MAX) {
			/* filled up to N before it is read */
			RBL_NOINIT rbl_ckw_item items[129];
			unsigned n = 0;
			const rbl_ckw_item *src = rbl_ckw_chain_items(w, ci,
								      &n);

			for (unsigned k = 0; rc == RBL_OK && k < n; k++) {
				uint32_t ai = src[k].attr;

				if (amap[ai] == UINT32_MAX)
					rc = rbl_ckw_attr_move(dst, w, ai,
							       &amap[ai]);
				items[k].len = src[k].len;
				items[k].attr = amap[ai];
			}
			if (rc == RBL_OK)
				rc = rbl_ckw_chain_put(dst, items, n,
						       &chain_map[ci]);
		}
		if (rc == RBL_OK)
			rc = rbl_ckw_rec_push(dst, w->rec[i].a, chain_map[ci]);
	}
	if (rc == RBL_OK)
		w->n_rec = from;
	free(chain_map);
	if (amap != attr_map)
		free(amap);
	return rc;
}

/* ------------------------------------------------------- encoding */

/* What records [from, to) use, and the widths that follow. */
struct pass {
	rbl_ckw *w;
	size_t n;
	const uint8_t *first;
	unsigned skip, kw;
	size_t nc, na, ns, items, attr_bytes, src_bytes;
};

/* Grow a number map and its stamps to NEED entries; new stamps are 0. */
static int fit_map(uint32_t **map, uint32_t **stamp, size_t *cap,
		   size_t need)
{
	size_t c = *cap ? *cap : 64;
	uint32_t *m = NULL, *st = NULL;

	if (need <= *cap)
		return RBL_OK;
	while (c < need)
		c *= 2;
	if (!(m = realloc(*map, c * sizeof *m)))
		return RBL_ENOMEM;
	*map = m;
	if (!(st = realloc(*stamp, c * sizeof *st)))
		return RBL_ENOMEM;
	*stamp = st;
	memset(st + *cap, 0, (c - *cap) * sizeof *st);
	*cap = c;
	return RBL_OK;
}

static int pass_start(struct pass *ps, rbl_ckw *w)
{
	int rc = 0;

	if ((rc = fit_map(&w->ch_map, &w->ch_stamp, &w->cap_map_ch,
			  w->n_chain + 1)) ||
	    (rc = fit_map(&w->at_map, &w->at_stamp, &w->cap_map_at,
			  w->n_attr + 1)) ||
	    (rc = fit_map(&w->sr_map, &w->sr_stamp, &w->cap_map_sr,
			  w->n_src + 1)))
		return rc;
	if (w->stamp == UINT32_MAX) {
		memset(w->ch_stamp, 0, w->cap_map_ch * sizeof *w->ch_stamp);
		memset(w->at_stamp, 0, w->cap_map_at * sizeof *w->at_stamp);
		memset(w->sr_stamp, 0, w->cap_map_sr * sizeof *w->sr_stamp);
		w->stamp = 0;
	}
	w->stamp++;
	memset(ps, 0, sizeof *ps);
	ps->w = w;
	return RBL_OK;
}

static unsigned significant(const uint8_t *a, unsigned alen)
{
	while (alen && !a[alen - 1])
		alen--;
	return alen;
}

static void pass_add(struct pass *ps, const rbl_ckw_rec *r)
{
	rbl_ckw *w = ps->w;
	unsigned sig = significant(r->a, w->alen), n = 0;
	const rbl_ckw_item *items = NULL;

	if (ps->n++ == 0) {
		ps->first = r->a;
		ps->skip = w->alen - 1u;
		ps->kw = sig;
	} else {
		unsigned k = 0;

		while (k < ps->skip && ps->first[k] == r->a[k])
			k++;
		ps->skip = k;
		if (sig > ps->kw)
			ps->kw = sig;
	}
	if (w->ch_stamp[r->chain] == w->stamp)
		return;
	w->ch_stamp[r->chain] = w->stamp;
	w->ch_map[r->chain] = (uint32_t)ps->nc++;
	items = rbl_ckw_chain_items(w, r->chain, &n);
	ps->items += n;
	for (unsigned k = 0; k < n; k++) {
		uint32_t ai = items[k].attr, si = 0;
		const rbl_ckw_attr *a = &w->attr[ai];

		if (w->at_stamp[ai] == w->stamp)
			continue;
		w->at_stamp[ai] = w->stamp;
		w->at_map[ai] = (uint32_t)ps->na++;
		ps->attr_bytes += 21u + 4u * a->n_codes + a->txt_len;
		si = a->src;
		if (w->sr_stamp[si] == w->stamp)
			continue;
		w->sr_stamp[si] = w->stamp;
		w->sr_map[si] = (uint32_t)ps->ns++;
		ps->src_bytes += 1u + w->src[si].len;
	}
}

static unsigned pass_rb(const struct pass *ps)
{
	return ps->kw > ps->skip ? ps->kw - ps->skip : 1;
}

static unsigned pass_iw(const struct pass *ps)
{
	return ps->nc <= 1 ? 0 : ps->nc <= 256 ? 1 : 2;
}

static unsigned pass_aw(const struct pass *ps)
{
	return ps->na <= 256 ? 1 : 2;
}

static size_t pass_size(const struct pass *ps)
{
	return RBL_CK_HDR + ps->skip + ps->n * (pass_rb(ps) + pass_iw(ps)) +
	       2 * (ps->nc + ps->na + ps->ns) + ps->nc +
	       ps->items * (1 + pass_aw(ps)) + ps->attr_bytes + ps->src_bytes;
}

size_t rbl_ckw_size(rbl_ckw *w, size_t from, size_t to)
{
	struct pass ps;

	if (pass_start(&ps, w) != RBL_OK)
		return SIZE_MAX;
	for (size_t i = from; i < to; i++)
		pass_add(&ps, &w->rec[i]);
	return pass_size(&ps);
}

/* A fresh pass per candidate end would be quadratic: the pass only grows,
 * so the size after each record is exact for the prefix so far. */
size_t rbl_ckw_piece(rbl_ckw *w, size_t from, size_t *size)
{
	struct pass ps;
	size_t last = 0, i = 0;

	if (pass_start(&ps, w) != RBL_OK) {
		*size = SIZE_MAX;
		return from + 1;
	}
	for (i = from; i < w->n_rec; i++) {
		size_t s = 0;

		pass_add(&ps, &w->rec[i]);
		s = pass_size(&ps);
		if (i > from && s > RBL_CK_MAX)
			break;
		last = s;
	}
	*size = last;
	return i;
}

size_t rbl_ckw_encode(rbl_ckw *w, size_t from, size_t to, uint8_t *buf)
{
	struct pass ps;
	uint32_t *ch = NULL, *at = NULL, *sr = NULL;
	unsigned rb = 0, iw = 0, aw = 0, stride = 0;
	size_t size = 0, pos = 0, n_ch = 0;

	if (pass_start(&ps, w) != RBL_OK)
		return 0;
	for (size_t i = from; i < to; i++)
		pass_add(&ps, &w->rec[i]);
	size = pass_size(&ps);
	if (size > RBL_CK_LIMIT)
		return 0;
	rb = pass_rb(&ps);
	iw = pass_iw(&ps);
	aw = pass_aw(&ps);
	stride = rb + iw;
	if (grow((void **)&w->order, &w->cap_order, ps.nc + ps.na + ps.ns + 1,
		 sizeof *w->order) != RBL_OK)
		return 0;
	ch = w->order;
	at = ch + ps.nc;
	sr = at + ps.na;
	/* which chain, attribute, source has each local number */
	for (size_t i = from; i < to; i++) {
		uint32_t c = w->rec[i].chain, m = w->ch_map[c];

		if (m == n_ch) {
			unsigned n = 0;
			const rbl_ckw_item *it = rbl_ckw_chain_items(w, c, &n);

			ch[n_ch++] = c;
			for (unsigned k = 0; k < n; k++) {
				uint32_t ai = it[k].attr;

				at[w->at_map[ai]] = ai;
				sr[w->sr_map[w->attr[ai].src]] =
					w->attr[ai].src;
			}
		}
	}
	memset(buf, 0, RBL_CK_HDR);
	buf[0] = RBL_CK_VERSION;
	buf[1] = (uint8_t)ps.skip;
	buf[2] = (uint8_t)rb;
	buf[3] = (uint8_t)iw;
	buf[4] = (uint8_t)aw;
	put16(buf + 6, (uint32_t)ps.n);
	put16(buf + 8, (uint32_t)ps.nc);
	put16(buf + 10, (uint32_t)ps.na);
	put16(buf + 12, (uint32_t)ps.ns);
	memcpy(buf + RBL_CK_HDR, ps.first, ps.skip);
	pos = RBL_CK_HDR + ps.skip;
	for (size_t i = from; i < to; i++, pos += stride) {
		uint32_t m = w->ch_map[w->rec[i].chain];

		memcpy(buf + pos, w->rec[i].a + ps.skip, rb);
		if (iw == 1)
			buf[pos + rb] = (uint8_t)m;
		else if (iw == 2)
			put16(buf + pos + rb, m);
	}
	{
		size_t tab = pos;

		pos += 2 * (ps.nc + ps.na + ps.ns);
		for (size_t k = 0; k < ps.nc; k++) {
			unsigned n = 0;
			const rbl_ckw_item *it = rbl_ckw_chain_items(w, ch[k],
								     &n);

			put16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = (uint8_t)n;
			for (unsigned j = 0; j < n; j++) {
				uint32_t m = w->at_map[it[j].attr];

				buf[pos++] = it[j].len;
				if (aw == 1)
					buf[pos++] = (uint8_t)m;
				else {
					put16(buf + pos, m);
					pos += 2;
				}
			}
		}
		tab += 2 * ps.nc;
		for (size_t k = 0; k < ps.na; k++) {
			const rbl_ckw_attr *a = &w->attr[at[k]];

			put16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = (uint8_t)a->flags;
			buf[pos++] = a->n_codes;
			for (unsigned j = 0; j < a->n_codes; j++, pos += 4)
				put32(buf + pos, a->codes[j]);
			put64(buf + pos, (uint64_t)a->expires);
			put64(buf + pos + 8, (uint64_t)a->added);
			put16(buf + pos + 16, w->sr_map[a->src]);
			buf[pos + 18] = a->txt_len;
			memcpy(buf + pos + 19, w->text + a->txt_off,
			       a->txt_len);
			pos += 19u + a->txt_len;
		}
		tab += 2 * ps.na;
		for (size_t k = 0; k < ps.ns; k++) {
			const rbl_ckw_src *s = &w->src[sr[k]];

			put16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = s->len;
			memcpy(buf + pos, w->text + s->off, s->len);
			pos += s->len;
		}
	}
	return pos == size ? pos : 0;
}
