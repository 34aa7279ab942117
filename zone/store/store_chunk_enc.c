/*
 * store_chunk_enc.c -- an IP chunk in memory (rbl_ckw) encoded in the
 * byte layout of store_chunk.h: what a run of records uses and the widths
 * that follow from it, the size (and the longest run that fits one
 * chunk), and the bytes.  Every run is measured in both layouts (texts in
 * attributes, version 1; each record's first text in the record, version
 * 2) in the same pass, and the smaller one is written.
 */
#include <stdint.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/store/bytes.h"
#include "zone/store/store_chunk.h"

/* What records [from, to) use in one layout. */
struct side {
	size_t nc, na, items, attr_bytes;
};

/* What records [from, to) use, and the widths that follow, for both
 * layouts: side 0 keeps texts in attributes (version 1), side 1 gives
 * each record the text of its first item (version 2, record texts). */
struct pass {
	rbl_ckw *w;
	size_t n;
	const uint8_t *first;
	unsigned skip, kw;
	size_t ns, src_bytes;
	struct side side[2];
	size_t text_bytes;	/* side 1's texts */
	/* side 1 is counted only once a record has a text to move (until
	 * then it is side 0 plus the offsets): the default answer's chunks
	 * pay no second count */
	bool twins;
	const rbl_ckw_rec *first_rec;
	size_t n_txt;	/* side 0: attributes with a TXT first seen first */
};

/* Side 1 is counted once this many first items (and an eighth of the
 * records) have texts of attributes of their own. */
#define TWIN_MIN_TEXTS 16

/* Grow a number map and its stamps to NEED entries; new stamps are 0.
 * Both grow alike from the same capacity, so they keep one. */
static int fit_map(uint32_t **map, uint32_t **stamp, size_t *cap,
		   size_t need)
{
	size_t old = *cap, map_cap = *cap;

	if (need <= old)
		return RBL_OK;
	if (rbl_array_reserve(*map, map_cap, need, 64) != RBL_OK ||
	    rbl_array_reserve(*stamp, *cap, need, 64) != RBL_OK)
		return RBL_ENOMEM;
	memset(*stamp + old, 0, (*cap - old) * sizeof **stamp);
	return RBL_OK;
}

static int pass_start(struct pass *ps, rbl_ckw *w)
{
	int rc = 0;

	/* twins first: they add chains and attributes to number */
	if ((rc = rbl_ckw_twins(w)) ||
	    (rc = fit_map(&w->ch_map, &w->ch_stamp, &w->cap_map_ch,
			  w->n_chain + 1)) ||
	    (rc = fit_map(&w->at_map, &w->at_stamp, &w->cap_map_at,
			  w->n_attr + 1)) ||
	    (rc = fit_map(&w->sr_map, &w->sr_stamp, &w->cap_map_sr,
			  w->n_src + 1)) ||
	    (rc = fit_map(&w->ch_map2, &w->ch_stamp2, &w->cap_map_ch2,
			  w->n_chain + 1)) ||
	    (rc = fit_map(&w->at_map2, &w->at_stamp2, &w->cap_map_at2,
			  w->n_attr + 1)) ||
	    (rc = fit_map(&w->tx_map, &w->tx_stamp, &w->cap_map_tx,
			  w->n_attr + 1)))
		return rc;
	if (w->stamp == UINT32_MAX) {
		memset(w->ch_stamp, 0, w->cap_map_ch * sizeof *w->ch_stamp);
		memset(w->at_stamp, 0, w->cap_map_at * sizeof *w->at_stamp);
		memset(w->sr_stamp, 0, w->cap_map_sr * sizeof *w->sr_stamp);
		memset(w->ch_stamp2, 0,
		       w->cap_map_ch2 * sizeof *w->ch_stamp2);
		memset(w->at_stamp2, 0,
		       w->cap_map_at2 * sizeof *w->at_stamp2);
		memset(w->tx_stamp, 0, w->cap_map_tx * sizeof *w->tx_stamp);
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

/* Count chain CI in side S (numbers in CH_MAP/AT_MAP). */
static void side_chain(struct pass *ps, unsigned s, uint32_t ci)
{
	rbl_ckw *w = ps->w;
	struct side *sd = &ps->side[s];
	uint32_t *ch_map = s ? w->ch_map2 : w->ch_map;
	uint32_t *ch_stamp = s ? w->ch_stamp2 : w->ch_stamp;
	uint32_t *at_map = s ? w->at_map2 : w->at_map;
	uint32_t *at_stamp = s ? w->at_stamp2 : w->at_stamp;
	const rbl_ckw_item *items = NULL;
	unsigned n = 0;

	if (ch_stamp[ci] == w->stamp)
		return;
	ch_stamp[ci] = w->stamp;
	ch_map[ci] = (uint32_t)sd->nc++;
	items = rbl_ckw_chain_items(w, ci, &n);
	sd->items += n;
	for (unsigned k = 0; k < n; k++) {
		uint32_t ai = items[k].attr, si = 0;
		const rbl_ckw_attr *a = &w->attr[ai];

		if (at_stamp[ai] == w->stamp)
			continue;
		at_stamp[ai] = w->stamp;
		at_map[ai] = (uint32_t)sd->na++;
		sd->attr_bytes += 21u + 4u * a->n_codes + a->txt_len;
		if (!s && k == 0 && a->txt_len)
			ps->n_txt++;
		/* both sides use the same sources (a twin keeps its
		 * original's): side 0 numbers them */
		si = a->src;
		if (s || w->sr_stamp[si] == w->stamp)
			continue;
		w->sr_stamp[si] = w->stamp;
		w->sr_map[si] = (uint32_t)ps->ns++;
		ps->src_bytes += 1u + w->src[si].len;
	}
}

/* Count record R in side 1: its chain's twin and its text. */
static void side1_add(struct pass *ps, const rbl_ckw_rec *r)
{
	rbl_ckw *w = ps->w;
	uint32_t twin = w->twin[r->chain], a0 = 0;

	if (w->ch_stamp2[twin] != w->stamp)
		side_chain(ps, 1, twin);
	if (twin == r->chain)
		return;
	/* the record's text: kept once per attribute */
	a0 = w->item[w->chain[r->chain].off].attr;
	if (w->tx_stamp[a0] != w->stamp) {
		w->tx_stamp[a0] = w->stamp;
		w->tx_map[a0] = (uint32_t)ps->text_bytes;
		ps->text_bytes += 1u + w->attr[a0].txt_len;
	}
}

static inline void pass_add(struct pass *ps, const rbl_ckw_rec *r)
{
	rbl_ckw *w = ps->w;
	unsigned sig = significant(r->a, w->alen);

	if (ps->n++ == 0) {
		ps->first_rec = r;
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
	/* most records reuse a chain already counted: no call */
	if (w->ch_stamp[r->chain] != w->stamp)
		side_chain(ps, 0, r->chain);
	if (!ps->twins) {
		/* record texts can only pay (2 bytes a record) when many
		 * first items have texts of their own: until then, side 1
		 * is not counted; from then on, every record is */
		if (ps->n_txt < TWIN_MIN_TEXTS || ps->n_txt * 8 <= ps->n)
			return;
		ps->twins = true;
		for (const rbl_ckw_rec *q = ps->first_rec; q < r; q++)
			side1_add(ps, q);
	}
	side1_add(ps, r);
}

static unsigned pass_rb(const struct pass *ps)
{
	return ps->kw > ps->skip ? ps->kw - ps->skip : 1;
}

static unsigned side_iw(const struct side *sd)
{
	return sd->nc <= 1 ? 0 : sd->nc <= 256 ? 1 : 2;
}

static unsigned side_aw(const struct side *sd)
{
	return sd->na <= 256 ? 1 : 2;
}

static inline size_t side_size(const struct pass *ps, unsigned s)
{
	const struct side *sd = &ps->side[s];

	return RBL_CK_HDR + ps->skip +
	       ps->n * (pass_rb(ps) + side_iw(sd) + 2u * s) +
	       2 * (sd->nc + sd->na + ps->ns) + sd->nc +
	       sd->items * (1 + side_aw(sd)) + sd->attr_bytes +
	       ps->src_bytes + (s ? ps->text_bytes : 0);
}

/* The layout of the smaller encoding (version 1 when equal). */
static unsigned pass_layout(const struct pass *ps)
{
	return ps->twins && side_size(ps, 1) < side_size(ps, 0);
}

static size_t pass_size(const struct pass *ps)
{
	size_t s0 = side_size(ps, 0), s1 = 0;

	if (!ps->twins)
		return s0;
	s1 = side_size(ps, 1);
	return s1 < s0 ? s1 : s0;
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
	const struct side *sd = NULL;
	uint32_t *ch = NULL, *at = NULL, *sr = NULL, *ch_map = NULL,
		 *at_map = NULL;
	unsigned rb = 0, iw = 0, aw = 0, tw = 0, stride = 0, lay = 0;
	size_t size = 0, pos = 0, n_ch = 0, texts = 0;

	if (pass_start(&ps, w) != RBL_OK)
		return 0;
	for (size_t i = from; i < to; i++)
		pass_add(&ps, &w->rec[i]);
	lay = pass_layout(&ps);
	size = side_size(&ps, lay);
	if (size > RBL_CK_LIMIT)
		return 0;
	sd = &ps.side[lay];
	ch_map = lay ? w->ch_map2 : w->ch_map;
	at_map = lay ? w->at_map2 : w->at_map;
	rb = pass_rb(&ps);
	iw = side_iw(sd);
	aw = side_aw(sd);
	tw = 2u * lay;
	stride = rb + iw + tw;
	texts = size - (lay ? ps.text_bytes : 0);
	if (rbl_array_reserve(w->order, w->cap_order,
			      sd->nc + sd->na + ps.ns + 1, 16) != RBL_OK)
		return 0;
	ch = w->order;
	at = ch + sd->nc;
	sr = at + sd->na;
	/* which chain, attribute, source has each local number */
	for (size_t i = from; i < to; i++) {
		uint32_t c = lay ? w->twin[w->rec[i].chain] : w->rec[i].chain,
			 m = ch_map[c];

		if (m == n_ch) {
			unsigned n = 0;
			const rbl_ckw_item *it = rbl_ckw_chain_items(w, c, &n);

			ch[n_ch++] = c;
			for (unsigned k = 0; k < n; k++) {
				uint32_t ai = it[k].attr;

				at[at_map[ai]] = ai;
				sr[w->sr_map[w->attr[ai].src]] =
					w->attr[ai].src;
			}
		}
	}
	memset(buf, 0, RBL_CK_HDR);
	buf[0] = lay ? RBL_CK_VERSION_RT : RBL_CK_VERSION;
	buf[1] = (uint8_t)ps.skip;
	buf[2] = (uint8_t)rb;
	buf[3] = (uint8_t)iw;
	buf[4] = (uint8_t)aw;
	buf[5] = (uint8_t)tw;
	rbl_put_be16(buf + 6, (uint32_t)ps.n);
	rbl_put_be16(buf + 8, (uint32_t)sd->nc);
	rbl_put_be16(buf + 10, (uint32_t)sd->na);
	rbl_put_be16(buf + 12, (uint32_t)ps.ns);
	memcpy(buf + RBL_CK_HDR, ps.first, ps.skip);
	pos = RBL_CK_HDR + ps.skip;
	for (size_t i = from; i < to; i++, pos += stride) {
		uint32_t c = w->rec[i].chain, c2 = lay ? w->twin[c] : c,
			 m = ch_map[c2];

		memcpy(buf + pos, w->rec[i].a + ps.skip, rb);
		if (iw == 1)
			buf[pos + rb] = (uint8_t)m;
		else if (iw == 2)
			rbl_put_be16(buf + pos + rb, m);
		if (!tw)
			continue;
		if (c2 == c) {
			rbl_put_be16(buf + pos + rb + iw, 0);
		} else {
			/* the same text may be written again: same bytes */
			uint32_t a0 = w->item[w->chain[c].off].attr;
			const rbl_ckw_attr *a = &w->attr[a0];
			size_t off = texts + w->tx_map[a0];

			rbl_put_be16(buf + pos + rb + iw, (uint32_t)off);
			buf[off] = a->txt_len;
			memcpy(buf + off + 1, w->text + a->txt_off,
			       a->txt_len);
		}
	}
	{
		size_t tab = pos;

		pos += 2 * (sd->nc + sd->na + ps.ns);
		for (size_t k = 0; k < sd->nc; k++) {
			unsigned n = 0;
			const rbl_ckw_item *it = rbl_ckw_chain_items(w, ch[k],
								     &n);

			rbl_put_be16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = (uint8_t)n;
			for (unsigned j = 0; j < n; j++) {
				uint32_t m = at_map[it[j].attr];

				buf[pos++] = it[j].len;
				if (aw == 1)
					buf[pos++] = (uint8_t)m;
				else {
					rbl_put_be16(buf + pos, m);
					pos += 2;
				}
			}
		}
		tab += 2 * sd->nc;
		for (size_t k = 0; k < sd->na; k++) {
			const rbl_ckw_attr *a = &w->attr[at[k]];

			rbl_put_be16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = (uint8_t)a->flags;
			buf[pos++] = a->n_codes;
			for (unsigned j = 0; j < a->n_codes; j++, pos += 4)
				rbl_put_be32(buf + pos, a->codes[j]);
			rbl_put_be64(buf + pos, (uint64_t)a->expires);
			rbl_put_be64(buf + pos + 8, (uint64_t)a->added);
			rbl_put_be16(buf + pos + 16, w->sr_map[a->src]);
			buf[pos + 18] = a->txt_len;
			memcpy(buf + pos + 19, w->text + a->txt_off,
			       a->txt_len);
			pos += 19u + a->txt_len;
		}
		tab += 2 * sd->na;
		for (size_t k = 0; k < ps.ns; k++) {
			const rbl_ckw_src *s = &w->src[sr[k]];

			rbl_put_be16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = s->len;
			memcpy(buf + pos, w->text + s->off, s->len);
			pos += s->len;
		}
	}
	if (lay)
		pos += ps.text_bytes;	/* written with the records */
	return pos == size ? pos : 0;
}
