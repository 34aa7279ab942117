/*
 * store_build.c -- the chunk builder: a list's IP entries of one family
 * as a sorted stream in, packed chunks out (store_ipw.h).  Used by
 * replacing imports (store_replace.c) and the conversion of old stores
 * (store_upgrade.c).
 *
 * Entries arrive in key order (address, then length).  A stack
 * of open entries gives each record its chain (the entries covering its
 * start); records gather in a working chunk, and complete pieces of at
 * most RBL_CK_MAX bytes are written as soon as more records follow them.
 * Memory stays at a few chunks whatever the list's size.
 *
 * For a replacement the builder also keeps windows: each old chunk of
 * the list is a range of the output.  When the builder starts a window
 * empty and the window's records encode to the same bytes as the old
 * chunk, the old chunk stays where it is and nothing is written.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/compiler.h"
#include "zone/store/store_ipw.h"

#define EMIT_RECORDS	8192	/* write complete pieces beyond this */
#define COMPACT_ITEMS	16384	/* renumber the builder's tables beyond */

int rbl_ckb_init(struct rbl_ckb *b, rbl_txn *t, uint32_t list_id,
		 uint8_t family)
{
	memset(b, 0, sizeof *b);
	b->t = t;
	b->list_id = list_id;
	b->family = family;
	b->alen = rbl_key_alen(family);
	rbl_ckw_init(&b->w, family);
	rbl_ckw_init(&b->tmp, family);
	b->buf = malloc(RBL_CK_LIMIT);
	return b->buf ? RBL_OK : RBL_ENOMEM;
}

void rbl_ckb_fini(struct rbl_ckb *b)
{
	rbl_ckw_free(&b->w);
	rbl_ckw_free(&b->tmp);
	free(b->buf);
	free(b->win);
	b->buf = NULL;
	b->win = NULL;
}

static struct rbl_ckb_window *win_front(struct rbl_ckb *b)
{
	return b->head < b->n_win ? &b->win[b->head] : NULL;
}

/* Keep W's tables to what the records and open entries use. */
static int compact(struct rbl_ckb *b)
{
	uint32_t *map = malloc((b->w.n_attr ? b->w.n_attr : 1) * sizeof *map);
	rbl_ckw keep = { 0 };
	int rc = 0;

	if (!map)
		return RBL_ENOMEM;
	rbl_ckw_reset(&b->tmp, b->family);
	rc = rbl_ckw_move_tail(&b->w, 0, &b->tmp, map);
	for (unsigned i = 0; rc == RBL_OK && i < b->depth; i++) {
		uint32_t ai = b->stack[i].ai;

		if (map[ai] == UINT32_MAX)
			rc = rbl_ckw_attr_move(&b->tmp, &b->w, ai, &map[ai]);
		b->stack[i].ai = map[ai];
	}
	free(map);
	if (rc != RBL_OK)
		return rc;
	keep = b->w;
	b->w = b->tmp;
	b->tmp = keep;
	b->epoch++;
	return RBL_OK;
}

/* Write records [FROM, TO) as one chunk. */
static int put_piece(struct rbl_ckb *b, size_t from, size_t to)
{
	struct rbl_ckb_window *wf = win_front(b);
	int rc = rbl_ipck_put(b->t, b->list_id, &b->w, from, to, b->buf);

	if (rc != RBL_OK)
		return rc;
	b->any_put = true;
	memcpy(b->last_put, b->w.rec[from].a, sizeof b->last_put);
	if (wf && wf->opened) {
		/* an old chunk being rewritten: it cannot stay as it was */
		wf->keepable = false;
		if (!memcmp(wf->key, b->w.rec[from].a, b->alen))
			wf->overwritten = true;
	}
	return RBL_OK;
}

/* Write the complete pieces (ALL: every record) and drop them. */
static int emit(struct rbl_ckb *b, bool all)
{
	size_t from = 0, done = 0;
	int rc = RBL_OK;

	while (rc == RBL_OK && from < b->w.n_rec) {
		size_t size, to = rbl_ckw_piece(&b->w, from, &size);

		if (to == b->w.n_rec && !all)
			break;
		rc = put_piece(b, from, to);
		done = from = to;
	}
	if (rc != RBL_OK || done == 0)
		return rc;
	memmove(b->w.rec, b->w.rec + done,
		(b->w.n_rec - done) * sizeof *b->w.rec);
	b->w.n_rec -= done;
	if (b->w.n_attr + b->w.n_chain > COMPACT_ITEMS ||
	    b->w.n_text > 64 * COMPACT_ITEMS)
		return compact(b);
	return RBL_OK;
}

/* Close window WF: the old chunk stays if the records of its range came
 * out identical, otherwise it goes (unless a new piece took its key). */
static int win_close(struct rbl_ckb *b, struct rbl_ckb_window *wf)
{
	uint8_t k[RBL_IPCK_KEY_MAX] = { 0 };
	size_t klen = rbl_ipck_key(k, b->list_id, b->family, wf->key);

	/* the same bytes are the same records: another count is a change,
	 * seen without encoding anything */
	if (wf->opened && wf->keepable && b->w.n_rec == wf->n_rec &&
	    b->w.n_rec > 0) {
		size_t n = rbl_ckw_encode(&b->w, 0, b->w.n_rec, b->buf);
		MDB_val v = { 0 };

		if (n && rbl_db_get(b->t, b->t->s->ipchunk, k, klen, &v) ==
		    RBL_OK && v.mv_size == n && !memcmp(v.mv_data, b->buf, n)) {
			b->w.n_rec = 0;
			return RBL_OK;
		}
	}
	if (wf->overwritten)
		return RBL_OK;
	return rbl_ipck_del(b->t, b->list_id, b->family, wf->key);
}

/* A record at START is about to be added: close the windows it is past,
 * open the one it falls in. */
static int win_advance(struct rbl_ckb *b, const uint8_t *start)
{
	struct rbl_ckb_window *wf;
	int rc = 0;

	while ((wf = win_front(b)) && wf->has_next &&
	       rbl_ck_acmp(wf->next, start, b->alen) <= 0) {
		if ((rc = win_close(b, wf)) != RBL_OK)
			return rc;
		b->head++;
	}
	if (!wf || wf->opened || rbl_ck_acmp(wf->key, start, b->alen) > 0)
		return RBL_OK;
	/* a half-full chunk before it is written first, so that the window
	 * starts empty and may be kept; a smaller one joins it */
	if (b->w.n_rec > 0 &&
	    rbl_ckw_size(&b->w, 0, b->w.n_rec) >= RBL_CK_MAX / 2 &&
	    (rc = emit(b, true)) != RBL_OK)
		return rc;
	wf->opened = true;
	wf->keepable = b->w.n_rec == 0;
	return RBL_OK;
}

static bool same_items(const rbl_ckw_item *a, const rbl_ckw_item *b,
		       unsigned n, unsigned m)
{
	if (n != m)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (a[i].len != b[i].len || a[i].attr != b[i].attr)
			return false;
	return true;
}

static int finish_record(struct rbl_ckb *b)
{
	/* per record of an import: the first DEPTH are filled */
	RBL_NOINIT rbl_ckw_item items[RBL_CKB_STACK];
	uint32_t ci = 0;
	int rc = 0;

	if (!b->pending)
		return RBL_OK;
	b->pending = false;
	/* first: writing the chunk before a window may compact W, which
	 * renumbers the open entries' attributes */
	if ((rc = win_advance(b, b->pend)) != RBL_OK)
		return rc;
	memset(items, 0, b->depth * sizeof items[0]);	/* and padding */
	for (unsigned i = 0; i < b->depth; i++) {
		items[i].len = b->stack[b->depth - 1 - i].len;
		items[i].attr = b->stack[b->depth - 1 - i].ai;
	}
	/* a list of /32s repeats one chain: skip the hash table */
	if (b->last_ci_epoch == b->epoch + 1 && same_items(b->last_items,
							   items, b->depth,
							   b->last_n)) {
		ci = b->last_ci;
	} else {
		if ((rc = rbl_ckw_chain_put(&b->w, items, b->depth, &ci)))
			return rc;
		memcpy(b->last_items, items, b->depth * sizeof items[0]);
		b->last_n = b->depth;
		b->last_ci = ci;
		b->last_ci_epoch = b->epoch + 1;
	}
	if ((rc = rbl_ckw_rec_push(&b->w, b->pend, ci)) != RBL_OK)
		return rc;
	if (b->w.n_rec >= EMIT_RECORDS)
		return emit(b, false);
	return RBL_OK;
}

/* Make way for an entry starting at S (at or after every entry so far):
 * the record before it is finished, entries ending before it closed.
 * This may renumber b->w (a compaction): intern the entry's attribute
 * after it, then rbl_ckb_push. */
int rbl_ckb_next(struct rbl_ckb *b, const uint8_t *s)
{
	int rc = 0;

	if (b->pending && !rbl_ck_acmp(b->pend, s, b->alen))
		return RBL_OK;
	if ((rc = finish_record(b)) != RBL_OK)
		return rc;
	while (b->depth &&
	       rbl_ck_acmp(b->stack[b->depth - 1].last, s, b->alen) < 0)
		b->depth--;
	b->pending = true;
	memcpy(b->pend, s, b->alen);
	return RBL_OK;
}

/* Add the entry P, just made way for, with attribute AI of b->w. */
int rbl_ckb_push(struct rbl_ckb *b, const rbl_prefix *p, uint32_t ai)
{
	struct rbl_ckb_open *e;

	if (b->depth == RBL_CKB_STACK)
		return RBL_ESTORE;
	e = &b->stack[b->depth++];
	memset(e, 0, sizeof *e);
	memcpy(e->start, p->addr.bytes, b->alen);
	rbl_ck_last(p->addr.bytes, p->len, b->alen, e->last);
	e->len = p->len;
	e->ai = ai;
	rbl_lenmask_set_bit(b->lens, p->len);
	return RBL_OK;
}

/* Write everything; close every window. */
int rbl_ckb_finish(struct rbl_ckb *b)
{
	struct rbl_ckb_window *wf;
	int rc = finish_record(b);

	while (rc == RBL_OK && (wf = win_front(b))) {
		rc = win_close(b, wf);
		b->head++;
	}
	if (rc == RBL_OK)
		rc = emit(b, true);
	return rc;
}

int rbl_ckb_win_push(struct rbl_ckb *b, const uint8_t *key, size_t n_rec,
		     bool has_next, const uint8_t *next)
{
	struct rbl_ckb_window *wf;

	if (b->head > 0 && b->head == b->n_win)
		b->head = b->n_win = 0;
	if (rbl_array_reserve(b->win, b->cap_win, b->n_win + 1, 8) != RBL_OK)
		return RBL_ENOMEM;
	wf = &b->win[b->n_win++];
	memset(wf, 0, sizeof *wf);
	memcpy(wf->key, key, b->alen);
	wf->n_rec = n_rec;
	wf->has_next = has_next;
	if (has_next)
		memcpy(wf->next, next, b->alen);
	return RBL_OK;
}

/* --------------------------------------------------- plain building */

int rbl_ckb_new(rbl_txn *t, uint32_t list_id, uint8_t family,
		struct rbl_ckb **out)
{
	struct rbl_ckb *b = malloc(sizeof *b);
	int rc = 0;

	*out = NULL;
	if (!b)
		return RBL_ENOMEM;
	if ((rc = rbl_ckb_init(b, t, list_id, family)) != RBL_OK) {
		rbl_ckb_fini(b);
		free(b);
		return rc;
	}
	*out = b;
	return RBL_OK;
}

int rbl_ckb_add(struct rbl_ckb *b, const rbl_prefix *p, const rbl_entry *e)
{
	uint32_t ai = 0;
	int rc = 0;

	if ((rc = rbl_ckb_next(b, p->addr.bytes)) != RBL_OK ||
	    (rc = rbl_ckw_attr_put(&b->w, e, &ai)) != RBL_OK)
		return rc;
	return rbl_ckb_push(b, p, ai);
}

void rbl_ckb_free(struct rbl_ckb *b)
{
	if (!b)
		return;
	rbl_ckb_fini(b);
	free(b);
}
