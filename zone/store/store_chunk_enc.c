/*
 * store_chunk_enc.c -- an IP chunk in memory (rbl_ckw) encoded in the
 * byte layout of store_chunk.h: what a run of records uses and the widths
 * that follow from it, the size (and the longest run that fits one
 * chunk), and the bytes.
 */
#include <stdint.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/store/bytes.h"
#include "zone/store/store_chunk.h"

/* What records [from, to) use, and the widths that follow. */
struct pass {
	rbl_ckw *w;
	size_t n;
	const uint8_t *first;
	unsigned skip, kw;
	size_t nc, na, ns, items, attr_bytes, src_bytes;
};

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
	if (rbl_array_reserve(w->order, w->cap_order,
			      ps.nc + ps.na + ps.ns + 1, 16) != RBL_OK)
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
	rbl_put_be16(buf + 6, (uint32_t)ps.n);
	rbl_put_be16(buf + 8, (uint32_t)ps.nc);
	rbl_put_be16(buf + 10, (uint32_t)ps.na);
	rbl_put_be16(buf + 12, (uint32_t)ps.ns);
	memcpy(buf + RBL_CK_HDR, ps.first, ps.skip);
	pos = RBL_CK_HDR + ps.skip;
	for (size_t i = from; i < to; i++, pos += stride) {
		uint32_t m = w->ch_map[w->rec[i].chain];

		memcpy(buf + pos, w->rec[i].a + ps.skip, rb);
		if (iw == 1)
			buf[pos + rb] = (uint8_t)m;
		else if (iw == 2)
			rbl_put_be16(buf + pos + rb, m);
	}
	{
		size_t tab = pos;

		pos += 2 * (ps.nc + ps.na + ps.ns);
		for (size_t k = 0; k < ps.nc; k++) {
			unsigned n = 0;
			const rbl_ckw_item *it = rbl_ckw_chain_items(w, ch[k],
								     &n);

			rbl_put_be16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = (uint8_t)n;
			for (unsigned j = 0; j < n; j++) {
				uint32_t m = w->at_map[it[j].attr];

				buf[pos++] = it[j].len;
				if (aw == 1)
					buf[pos++] = (uint8_t)m;
				else {
					rbl_put_be16(buf + pos, m);
					pos += 2;
				}
			}
		}
		tab += 2 * ps.nc;
		for (size_t k = 0; k < ps.na; k++) {
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
		tab += 2 * ps.na;
		for (size_t k = 0; k < ps.ns; k++) {
			const rbl_ckw_src *s = &w->src[sr[k]];

			rbl_put_be16(buf + tab + 2 * k, (uint32_t)pos);
			buf[pos++] = s->len;
			memcpy(buf + pos, w->text + s->off, s->len);
			pos += s->len;
		}
	}
	return pos == size ? pos : 0;
}
