/*
 * store_chunk_mem.c -- an IP chunk in memory (rbl_ckw, store_chunk.h):
 * records, and the chains, attributes and sources they use, interned by
 * hash so each is kept once; loading a stored chunk into it and moving
 * records between two of them.  Encoding is store_chunk_enc.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/compiler.h"
#include "zone/error.h"
#include "zone/store/bytes.h"
#include "zone/store/store_chunk.h"

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

#define FNV0 2166136261u

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
	w->n_twin = 0;
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
	free(w->ch_map2);
	free(w->at_map2);
	free(w->tx_map);
	free(w->ch_stamp2);
	free(w->at_stamp2);
	free(w->tx_stamp);
	free(w->twin);
	free(w->order);
	memset(w, 0, sizeof *w);
}

static int text_put(rbl_ckw *w, const char *s, size_t n, uint32_t *off)
{
	int rc = rbl_array_reserve(w->text, w->cap_text, w->n_text + n + 1,
				   16);

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
	if ((rc = rbl_array_reserve(w->src, w->cap_src, w->n_src + 1,
				    16)) != RBL_OK)
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

	rbl_put_be32(b, a->flags);
	b[4] = a->n_codes;
	n = 5;
	for (unsigned i = 0; i < a->n_codes; i++, n += 4)
		rbl_put_be32(b + n, a->codes[i]);
	rbl_put_be64(b + n, (uint64_t)a->expires);
	rbl_put_be64(b + n + 8, (uint64_t)a->added);
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
	if ((rc = rbl_array_reserve(w->attr, w->cap_attr, w->n_attr + 1,
				    16)) != RBL_OK ||
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
	a.flags = flags & 0xff & ~RBL_CK_RECTXT;	/* twins: rbl_ckw_twins */
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
		      unsigned rec, uint32_t *out)
{
	rbl_ck_attr a = { 0 };
	int rc = rbl_ck_attr_get(c, ai, rec, &a);

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
	if ((rc = rbl_array_reserve(w->item, w->cap_item, w->n_item + n,
				    16)) != RBL_OK ||
	    (rc = rbl_array_reserve(w->chain, w->cap_chain, w->n_chain + 1,
				    16)) != RBL_OK)
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

/* The twin of chain CI (see rbl_ckw_twins). */
static int twin_of(rbl_ckw *w, uint32_t ci, uint32_t *out)
{
	/* filled up to N before it is read */
	RBL_NOINIT rbl_ckw_item items[129];
	const rbl_ckw_chain *ch = &w->chain[ci];
	rbl_ckw_attr a = { 0 };
	unsigned n = ch->n;
	int rc = 0;

	*out = ci;
	if (n == 0 || n > 129)
		return RBL_OK;
	a = w->attr[w->item[ch->off].attr];
	if (a.txt_len == 0 || (a.flags & RBL_CK_RECTXT))
		return RBL_OK;
	memcpy(items, &w->item[ch->off], n * sizeof *items);
	a.flags |= RBL_CK_RECTXT;
	a.txt_len = 0;
	if ((rc = attr_intern(w, &a, "", &items[0].attr)) != RBL_OK)
		return rc;
	return rbl_ckw_chain_put(w, items, n, out);
}

int rbl_ckw_twins(rbl_ckw *w)
{
	/* a twin is itself a chain, whose twin is itself */
	while (w->n_twin < w->n_chain) {
		uint32_t t = 0;
		int rc = twin_of(w, (uint32_t)w->n_twin, &t);

		if (rc != RBL_OK)
			return rc;
		if ((rc = rbl_array_reserve(w->twin, w->cap_twin,
					    w->n_chain + 1, 64)) != RBL_OK)
			return rc;
		w->twin[w->n_twin++] = t;
	}
	return RBL_OK;
}

int rbl_ckw_rec_push(rbl_ckw *w, const uint8_t *a, uint32_t chain)
{
	rbl_ckw_rec *r = NULL;

	/* twice per entry of a replacing import (the old chunks read, the
	 * new ones built): an append, the copy of a constant size */
	if (rbl_array_reserve(w->rec, w->cap_rec, w->n_rec + 1, 16) != RBL_OK)
		return RBL_ENOMEM;
	r = &w->rec[w->n_rec++];
	memset(r->a, 0, sizeof r->a);
	if (w->alen == 4)
		memcpy(r->a, a, 4);
	else
		memcpy(r->a, a, w->alen);
	r->chain = chain;
	return RBL_OK;
}

int rbl_ckw_rec_insert(rbl_ckw *w, size_t at, const uint8_t *a,
		       uint32_t chain)
{
	int rc = rbl_array_reserve(w->rec, w->cap_rec, w->n_rec + 1, 16);

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

/* Intern chain CI of C as reached from record REC; *SHARED false when it
 * used the record's text (then it is not the same for other records). */
static int load_chain(rbl_ckw *w, const rbl_ck *c, unsigned ci,
		      unsigned rec, struct remap *m, uint32_t *out,
		      bool *shared)
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

		uint32_t flags = 0, own = 0;
		int64_t expires = 0;

		if (ai >= c->n_attr ||
		    rbl_ck_attr_peek(c, ai, &flags, &expires) != RBL_OK)
			return RBL_ESTORE;
		items[k].len = rbl_ck_item_len(c, raw, k);
		if (flags & RBL_CK_RECTXT) {
			/* the record's own text: an attribute of its own */
			if ((rc = rbl_ckw_attr_copy(w, c, ai, rec, &own)))
				return rc;
			items[k].attr = own;
			*shared = false;
			continue;
		}
		if (m->attr[ai] == UINT32_MAX &&
		    (rc = rbl_ckw_attr_copy(w, c, ai, rec, &m->attr[ai])))
			return rc;
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
		uint32_t chain = m.chain[ci];
		bool shared = true;

		if (chain == UINT32_MAX) {
			if ((rc = load_chain(w, c, ci, i, &m, &chain,
					     &shared)) != RBL_OK)
				break;
			if (shared)
				m.chain[ci] = chain;
		}
		rbl_ck_start(c, i, a);
		rc = rbl_ckw_rec_push(w, a, chain);
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
