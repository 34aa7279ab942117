/*
 * store_replace.c -- writing a list's IP entries as a sorted stream:
 * the chunk builder (sorted entries in, packed chunks out) and the
 * replacing import built on it, a merge of the list's old entries with
 * the new ones.
 *
 * Builder: entries arrive in key order (address, then length).  A stack
 * of open entries gives each record its chain (the entries covering its
 * start); records gather in a working chunk, and complete pieces of at
 * most RBL_CK_MAX bytes are written as soon as more records follow them.
 * Memory stays at a few chunks whatever the list's size.
 *
 * Replacement (rbl_list_replace_begin): the new entries are merged with
 * the old ones, read chunk by chunk in the same order:
 *   - an old entry the new data does not have is deleted (journal DEL),
 *     except the RFC 5782 test entries the store added itself (source
 *     "rfc5782"), which belong to the list and stay;
 *   - a new entry without an old one is added (journal ADD);
 *   - an entry in both with the same answer (flags, codes, TXT, expiry)
 *     keeps the stored one, with its time added and source, and is not
 *     journalled; with another answer it is a DEL and an ADD.
 * With RBL_REPLACE_JOURNAL the journal records only what changed, and
 * IXFR sends that (unless the difference is more than half the list: then
 * the journal gets a reset, and IXFR the whole zone, the smaller
 * transfer); without it the list was marked for a reset at the start.
 * An old chunk whose records come out identical is not rewritten: each old
 * chunk is a "window" of the output, and when the builder starts a window
 * empty and the window's records encode to the same bytes as the old
 * chunk, the old chunk stays where it is.  A 1,000-line change of a
 * 10M-entry list writes about 1,000 chunks, not 10,000.
 *
 * New entries must arrive in key order, IPv4 before IPv6; anything else
 * touching the list (an entry out of order, a delete, a read) first
 * finishes the replacement: the old entries not re-added by then are
 * deleted, and later adds are ordinary adds.  The result is the same.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/compiler.h"
#include "zone/store/store_ipw.h"

#define STACK_MAX	130	/* one open entry per prefix length, + 1 */
#define EMIT_RECORDS	8192	/* write complete pieces beyond this */
#define COMPACT_ITEMS	16384	/* renumber the builder's tables beyond */
#define TEST_SOURCE	"rfc5782"

struct open_ent {
	uint8_t start[16], last[16];
	uint8_t len;
	uint32_t ai;
};

struct window {			/* an old chunk, as a range of the output */
	uint8_t key[16], next[16];
	bool has_next, opened, keepable, overwritten;
};

struct rbl_ckb {
	rbl_txn *t;
	uint32_t list_id;
	uint8_t family;
	unsigned alen;
	rbl_ckw w, tmp;
	uint8_t *buf;
	struct open_ent stack[STACK_MAX];
	unsigned depth;
	bool pending;
	uint8_t pend[16];	/* the record gathering its entries */
	uint32_t epoch;		/* bumped when W's numbers change */
	uint8_t lens[RBL_LENMASK_BYTES];
	bool any_put;
	uint8_t last_put[16];
	/* the last record's chain, reused while records repeat it */
	rbl_ckw_item last_items[STACK_MAX];
	unsigned last_n;
	uint32_t last_ci, last_ci_epoch;
	/* replacement only: old chunks not yet closed, oldest first */
	struct window *win;
	size_t n_win, head, cap_win;
};

/* ------------------------------------------------------------ builder */

static int ckb_init(struct rbl_ckb *b, rbl_txn *t, uint32_t list_id,
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

static void ckb_fini(struct rbl_ckb *b)
{
	rbl_ckw_free(&b->w);
	rbl_ckw_free(&b->tmp);
	free(b->buf);
	free(b->win);
	b->buf = NULL;
	b->win = NULL;
}

static struct window *win_front(struct rbl_ckb *b)
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
	struct window *wf = win_front(b);
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
static int win_close(struct rbl_ckb *b, struct window *wf)
{
	uint8_t k[RBL_IPCK_KEY_MAX] = { 0 };
	size_t klen = rbl_ipck_key(k, b->list_id, b->family, wf->key);

	if (wf->opened && wf->keepable && b->w.n_rec > 0) {
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
	struct window *wf;
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
	RBL_NOINIT rbl_ckw_item items[STACK_MAX];
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
 * after it, then ckb_push. */
static int ckb_next(struct rbl_ckb *b, const uint8_t *s)
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
static int ckb_push(struct rbl_ckb *b, const rbl_prefix *p, uint32_t ai)
{
	struct open_ent *e;

	if (b->depth == STACK_MAX)
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
static int ckb_finish(struct rbl_ckb *b)
{
	struct window *wf;
	int rc = finish_record(b);

	while (rc == RBL_OK && (wf = win_front(b))) {
		rc = win_close(b, wf);
		b->head++;
	}
	if (rc == RBL_OK)
		rc = emit(b, true);
	return rc;
}

static int win_push(struct rbl_ckb *b, const uint8_t *key, bool has_next,
		    const uint8_t *next)
{
	struct window *wf;

	if (b->head > 0 && b->head == b->n_win)
		b->head = b->n_win = 0;
	if (b->n_win == b->cap_win) {
		size_t cap = b->cap_win ? 2 * b->cap_win : 8;
		void *p = realloc(b->win, cap * sizeof *b->win);

		if (!p)
			return RBL_ENOMEM;
		b->win = p;
		b->cap_win = cap;
	}
	wf = &b->win[b->n_win++];
	memset(wf, 0, sizeof *wf);
	memcpy(wf->key, key, b->alen);
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
	if ((rc = ckb_init(b, t, list_id, family)) != RBL_OK) {
		ckb_fini(b);
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

	if ((rc = ckb_next(b, p->addr.bytes)) != RBL_OK ||
	    (rc = rbl_ckw_attr_put(&b->w, e, &ai)) != RBL_OK)
		return rc;
	return ckb_push(b, p, ai);
}

int rbl_ckb_finish(struct rbl_ckb *b)
{
	return ckb_finish(b);
}

void rbl_ckb_free(struct rbl_ckb *b)
{
	if (!b)
		return;
	ckb_fini(b);
	free(b);
}

/* -------------------------------------------------------- replacement */

struct old_ent {
	uint32_t rec;
	uint8_t len;
	uint32_t ai;
};

struct rbl_replace {
	struct rbl_replace *next;
	uint32_t list_id;
	unsigned fam;			/* 0 IPv4, 1 IPv6, 2 finished */
	struct rbl_ckb b;
	bool have_last;
	rbl_prefix last;		/* the last new entry */
	/* the old entries: the current old chunk, decoded */
	rbl_ckw old;
	bool old_loaded, old_done;
	uint8_t old_key[16];
	struct old_ent *oe;
	size_t n_oe, cap_oe, oe_i;
	/* old attribute -> builder's, valid where memo_epoch is the
	 * builder's epoch + 1 */
	uint32_t *memo, *memo_epoch;
	size_t cap_memo;
	bool journal;			/* record the changes */
	bool marked;			/* the list is marked changed */
	int64_t delta;			/* entries added - deleted */
	uint64_t n_before;		/* entries when it began */
	uint64_t changes;		/* journal records (DEL and ADD) */
	/* the last new attribute interned */
	rbl_entry last_e;
	uint32_t last_ai, last_epoch;
	bool last_ok;
};

static const uint8_t families[2] = { RBL_AF4, RBL_AF6 };

static int fam_index(uint8_t family)
{
	return family == RBL_AF4 ? 0 : 1;
}

/* Key order of (A, ALEN) and (B, BLEN), addresses of one family. */
static int key_cmp(const uint8_t *a, unsigned alen_a, const uint8_t *b,
		   unsigned blen, unsigned alen)
{
	int c = rbl_ck_acmp(a, b, alen);

	if (c)
		return c;
	return alen_a < blen ? -1 : alen_a > blen;
}

/* List the old chunk's entries in key order: per record, its aligned
 * items widest first. */
static int old_entries(struct rbl_replace *r)
{
	rbl_ckw *w = &r->old;

	r->n_oe = r->oe_i = 0;
	for (size_t i = 0; i < w->n_rec; i++) {
		unsigned n = 0;
		const rbl_ckw_item *it = rbl_ckw_chain_items(w, w->rec[i].chain,
							     &n);

		for (unsigned k = n; k-- > 0;) {
			if (!rbl_ck_aligned(w->rec[i].a, it[k].len, w->alen))
				continue;
			if (r->n_oe == r->cap_oe) {
				size_t cap = r->cap_oe ? 2 * r->cap_oe : 1024;
				void *p = realloc(r->oe, cap * sizeof *r->oe);

				if (!p)
					return RBL_ENOMEM;
				r->oe = p;
				r->cap_oe = cap;
			}
			r->oe[r->n_oe++] = (struct old_ent){ (uint32_t)i,
							     it[k].len,
							     it[k].attr };
		}
	}
	if (w->n_attr > r->cap_memo) {
		size_t cap = w->n_attr;
		uint32_t *m = realloc(r->memo, cap * sizeof *m),
			 *e = m ? realloc(r->memo_epoch, cap * sizeof *e) : NULL;

		if (m)
			r->memo = m;
		if (!m || !e)
			return RBL_ENOMEM;
		r->memo_epoch = e;
		r->cap_memo = cap;
	}
	if (w->n_attr)
		memset(r->memo_epoch, 0, w->n_attr * sizeof *r->memo_epoch);
	return RBL_OK;
}

/* Load the next old chunk of the current family (after the last one,
 * and after anything the builder wrote), or note there is none. */
static int old_load(rbl_txn *t, struct rbl_replace *r)
{
	uint8_t family = families[r->fam], from[16] = { 0 };
	unsigned alen = rbl_key_alen(family);
	bool skip = false;
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	rbl_ck ck = { 0 };
	int rc = 0;

	if (r->old_loaded) {
		memcpy(from, r->old_key, alen);
		skip = true;
	}
	if (r->b.any_put && (!skip || memcmp(r->b.last_put, from, alen) > 0)) {
		memcpy(from, r->b.last_put, alen);
		skip = true;
	}
	if ((rc = mdb_cursor_open(t->txn, t->s->ipchunk, &c)))
		return rbl_mdb_error(rc);
	rc = rbl_ipck_seek(c, r->list_id, family, from, true, &k, &v);
	while (rc == RBL_OK && skip &&
	       memcmp((uint8_t *)k.mv_data + 5, from, alen) <= 0)
		rc = rbl_ipck_next(c, &k, &v);
	if (rc == RBL_ENOTFOUND) {
		mdb_cursor_close(c);
		r->old_done = true;
		r->n_oe = r->oe_i = 0;
		return RBL_OK;
	}
	if (rc == RBL_OK)
		rc = rbl_ck_open(&ck, family, v.mv_data, v.mv_size);
	if (rc == RBL_OK) {
		rbl_ckw_reset(&r->old, family);
		rc = rbl_ckw_load(&r->old, &ck);
	}
	if (rc == RBL_OK) {
		uint8_t key[16] = { 0 };

		memcpy(key, (uint8_t *)k.mv_data + 5, alen);
		memcpy(r->old_key, key, alen);
		r->old_loaded = true;
		rc = rbl_ipck_next(c, &k, &v);
		if (rc == RBL_OK || rc == RBL_ENOTFOUND)
			rc = win_push(&r->b, key, rc == RBL_OK,
				      rc == RBL_OK ? (uint8_t *)k.mv_data + 5
						   : NULL);
	}
	mdb_cursor_close(c);
	return rc == RBL_OK ? old_entries(r) : rc;
}

/* The next old entry, loading chunks as needed; NULL at the end. */
static int old_peek(rbl_txn *t, struct rbl_replace *r,
		    const struct old_ent **out)
{
	int rc = 0;

	while (r->oe_i == r->n_oe && !r->old_done)
		if ((rc = old_load(t, r)) != RBL_OK)
			return rc;
	*out = r->oe_i < r->n_oe ? &r->oe[r->oe_i] : NULL;
	return RBL_OK;
}

/* The builder's number for old attribute AI. */
static int old_attr(struct rbl_replace *r, uint32_t ai, uint32_t *out)
{
	int rc = 0;

	if (r->memo_epoch[ai] != r->b.epoch + 1) {
		if ((rc = rbl_ckw_attr_move(&r->b.w, &r->old, ai,
					    &r->memo[ai])) != RBL_OK)
			return rc;
		r->memo_epoch[ai] = r->b.epoch + 1;
	}
	*out = r->memo[ai];
	return RBL_OK;
}

static bool same_entry(const rbl_entry *a, const rbl_entry *b)
{
	return a->flags == b->flags && a->n_codes == b->n_codes &&
	       a->expires == b->expires && a->added == b->added &&
	       !memcmp(a->codes, b->codes, sizeof a->codes) &&
	       !strcmp(a->txt, b->txt) && !strcmp(a->source, b->source);
}

/* The builder's number for the new entry E (the last one is kept). */
static int new_attr(struct rbl_replace *r, const rbl_entry *e, uint32_t *ai)
{
	int rc = 0;

	if (r->last_ok && r->last_epoch == r->b.epoch &&
	    same_entry(&r->last_e, e)) {
		*ai = r->last_ai;
		return RBL_OK;
	}
	if ((rc = rbl_ckw_attr_put(&r->b.w, e, ai)) != RBL_OK)
		return rc;
	r->last_e = *e;
	r->last_ai = *ai;
	r->last_epoch = r->b.epoch;
	r->last_ok = true;
	return RBL_OK;
}

static void old_prefix(const struct rbl_replace *r, const struct old_ent *o,
		       rbl_prefix *p)
{
	memset(p, 0, sizeof *p);
	p->addr.family = r->old.family;
	memcpy(p->addr.bytes, r->old.rec[o->rec].a, r->old.alen);
	p->len = o->len;
}

/* Count, journal and summarise one change of the list (E may be NULL
 * when the journal is not active). */
static int changed(rbl_txn *t, struct rbl_replace *r, uint8_t op,
		   const rbl_prefix *p, const rbl_entry *e, int64_t delta)
{
	struct rbl_list_state *ls;
	int rc = 0;

	r->delta += delta;
	r->changes++;
	if (!r->marked) {
		if ((rc = rbl_txn_mark_list(t, r->list_id, RBL_LIST_CHANGED,
					    0)) != RBL_OK)
			return rc;
		r->marked = true;
	}
	if (e && r->journal &&
	    (rc = rbl_journal_note(t, op, r->list_id, p, NULL, e)))
		return rc;
	ls = rbl_txn_list_state(t, r->list_id);
	if (ls->marks & RBL_LIST_REBUILD)
		return RBL_OK;
	return rbl_v4sum_note(t, ls, p, op == RBL_CHANGE_DEL);
}

/* The old entry O is not in the new data. */
static int old_gone(rbl_txn *t, struct rbl_replace *r,
		    const struct old_ent *o)
{
	const rbl_ckw_attr *a = &r->old.attr[o->ai];
	const rbl_ckw_src *s = &r->old.src[a->src];
	rbl_prefix p = { 0 };
	RBL_NOINIT rbl_entry e;	/* per entry deleted: filled before use */
	uint32_t ai = 0;
	int rc = 0;

	old_prefix(r, o, &p);
	if (s->len == strlen(TEST_SOURCE) &&
	    !memcmp(r->old.text + s->off, TEST_SOURCE, s->len)) {
		if ((rc = ckb_next(&r->b, p.addr.bytes)) != RBL_OK ||
		    (rc = old_attr(r, o->ai, &ai)) != RBL_OK)
			return rc;
		return ckb_push(&r->b, &p, ai);
	}
	if (!r->journal || !rbl_journal_active(t))
		return changed(t, r, RBL_CHANGE_DEL, &p, NULL, -1);
	rbl_ckw_attr_entry(&r->old, o->ai, &e);
	return changed(t, r, RBL_CHANGE_DEL, &p, &e, -1);
}

/* Old entries before P (NULL: all) are not in the new data. */
static int old_drain(rbl_txn *t, struct rbl_replace *r, const rbl_prefix *p)
{
	const struct old_ent *o;
	int rc = 0;

	for (;;) {
		if ((rc = old_peek(t, r, &o)) != RBL_OK || !o)
			return rc;
		if (p && key_cmp(r->old.rec[o->rec].a, o->len, p->addr.bytes,
				 p->len, r->old.alen) >= 0)
			return RBL_OK;
		if ((rc = old_gone(t, r, o)) != RBL_OK)
			return rc;
		r->oe_i++;
	}
}

static int fam_start(rbl_txn *t, struct rbl_replace *r, unsigned fam)
{
	r->fam = fam;
	r->old_loaded = r->old_done = false;
	r->n_oe = r->oe_i = 0;
	r->have_last = false;
	r->last_ok = false;
	ckb_fini(&r->b);
	return ckb_init(&r->b, t, r->list_id, families[fam]);
}

/* The rest of the current family: old entries left are gone; write out;
 * the length mask becomes exact. */
static int fam_finish(rbl_txn *t, struct rbl_replace *r)
{
	uint8_t mask[RBL_LENMASK_BYTES] = { 0 };
	uint8_t family = families[r->fam];
	int rc = 0;

	if ((rc = old_drain(t, r, NULL)) != RBL_OK ||
	    (rc = ckb_finish(&r->b)) != RBL_OK)
		return rc;
	rc = rbl_lenmask_peek(t, r->list_id, family, mask);
	if (rc != RBL_OK && rc != RBL_ENOTFOUND)
		return rc;
	if (rc == RBL_ENOTFOUND || memcmp(mask, r->b.lens, sizeof mask) != 0)
		return rbl_lenmask_replace(t, r->list_id, family, r->b.lens);
	return RBL_OK;
}

static struct rbl_replace **find(rbl_txn *t, uint32_t list_id)
{
	struct rbl_replace **pp;

	if (!t->ipw)
		return NULL;
	for (pp = &t->ipw->rep; *pp; pp = &(*pp)->next)
		if ((*pp)->list_id == list_id)
			return pp;
	return NULL;
}

static void drop_one(struct rbl_replace *r)
{
	ckb_fini(&r->b);
	rbl_ckw_free(&r->old);
	free(r->oe);
	free(r->memo);
	free(r->memo_epoch);
	free(r);
}

static void drop(struct rbl_replace **pp)
{
	struct rbl_replace *r = *pp;

	*pp = r->next;
	drop_one(r);
}

static int finish(rbl_txn *t, struct rbl_replace **pp)
{
	struct rbl_replace *r = *pp;
	int rc = RBL_OK;

	/* detached first: nothing below may find it again */
	*pp = r->next;
	while (rc == RBL_OK && r->fam < 2) {
		rc = fam_finish(t, r);
		if (rc == RBL_OK && r->fam == 0)
			rc = fam_start(t, r, 1);
		else if (rc == RBL_OK)
			r->fam = 2;
	}
	if (rc == RBL_OK && r->delta)
		rc = rbl_txn_mark_list(t, r->list_id, RBL_LIST_CHANGED,
				       r->delta);
	/* a difference bigger than half the list: the whole zone is the
	 * smaller transfer */
	if (rc == RBL_OK && r->journal && r->changes >
	    ((uint64_t)((int64_t)r->n_before + r->delta)) / 2)
		rc = rbl_txn_mark_list(t, r->list_id, RBL_LIST_RESET, 0);
	drop_one(r);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_replace_begin(rbl_txn *t, uint32_t list_id, bool journal)
{
	struct rbl_replace **pp, *r;
	int rc = 0;

	if ((pp = find(t, list_id)) && (rc = finish(t, pp)) != RBL_OK)
		return rc;
	if ((rc = rbl_ipw_flush_list(t, list_id, false)) != RBL_OK)
		return rc;
	if (!rbl_ipw_get(t) || !(r = calloc(1, sizeof *r)))
		return rbl_txn_fail(t, RBL_ENOMEM);
	r->list_id = list_id;
	r->journal = journal;
	rbl_ckw_init(&r->old, RBL_AF4);
	{
		struct rbl_list_state *ls = rbl_txn_list_state(t, list_id);
		rbl_list l = { 0 };

		if ((rc = rbl_list_get_id(t, list_id, &l)) != RBL_OK) {
			free(r);
			return rc;
		}
		r->n_before = (uint64_t)((int64_t)l.n_entries +
					 (ls ? ls->delta : 0));
	}
	if ((rc = ckb_init(&r->b, t, list_id, RBL_AF4)) != RBL_OK) {
		ckb_fini(&r->b);
		free(r);
		return rbl_txn_fail(t, rc);
	}
	r->next = t->ipw->rep;
	t->ipw->rep = r;
	return RBL_OK;
}

/* Merge the new entry E at P. */
static int take(rbl_txn *t, struct rbl_replace *r, const rbl_prefix *p,
		const rbl_entry *e)
{
	const struct old_ent *o;
	uint32_t ai = 0, oai = 0;
	/* per entry changed: filled before use, when the journal is on */
	RBL_NOINIT rbl_entry old;
	int rc = 0;

	if ((rc = old_drain(t, r, p)) != RBL_OK ||
	    (rc = old_peek(t, r, &o)) != RBL_OK ||
	    (rc = ckb_next(&r->b, p->addr.bytes)) != RBL_OK ||
	    (rc = new_attr(r, e, &ai)) != RBL_OK)
		return rc;
	if (!o || key_cmp(r->old.rec[o->rec].a, o->len, p->addr.bytes, p->len,
			  r->old.alen) != 0) {
		if ((rc = changed(t, r, RBL_CHANGE_ADD, p, e, 1)) != RBL_OK)
			return rc;
		return ckb_push(&r->b, p, ai);
	}
	r->oe_i++;
	if (rbl_ckw_attr_same_answer(&r->old, o->ai, &r->b.w, ai)) {
		/* unchanged: the stored entry stays, with its time and source */
		if ((rc = old_attr(r, o->ai, &oai)) != RBL_OK)
			return rc;
		return ckb_push(&r->b, p, oai);
	}
	if (r->journal && rbl_journal_active(t))
		rbl_ckw_attr_entry(&r->old, o->ai, &old);
	if ((rc = changed(t, r, RBL_CHANGE_DEL, p, r->journal &&
			  rbl_journal_active(t) ? &old : NULL, 0)) != RBL_OK ||
	    (rc = changed(t, r, RBL_CHANGE_ADD, p, e, 0)) != RBL_OK)
		return rc;
	return ckb_push(&r->b, p, ai);
}

int rbl_replace_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		    const rbl_entry *e, bool *taken)
{
	struct rbl_replace **pp = find(t, list_id), *r;
	unsigned fam = (unsigned)fam_index(p->addr.family);
	int rc = 0;

	*taken = false;
	if (!pp)
		return RBL_OK;
	r = *pp;
	if (fam < r->fam || (fam == r->fam && r->have_last &&
			     key_cmp(r->last.addr.bytes, r->last.len,
				     p->addr.bytes, p->len,
				     rbl_key_alen(p->addr.family)) >= 0))
		return finish(t, pp);	/* out of order: an ordinary add */
	if (fam > r->fam && ((rc = fam_finish(t, r)) != RBL_OK ||
			     (rc = fam_start(t, r, fam)) != RBL_OK))
		return rbl_txn_fail(t, rc);
	if ((rc = take(t, r, p, e)) != RBL_OK)
		return rbl_txn_fail(t, rc);
	r->last = *p;
	r->have_last = true;
	*taken = true;
	return RBL_OK;
}

int rbl_replace_finish(rbl_txn *t, uint32_t list_id)
{
	struct rbl_replace **pp = find(t, list_id);

	return pp ? finish(t, pp) : RBL_OK;
}

int rbl_replace_finish_all(rbl_txn *t)
{
	int rc = RBL_OK;

	while (rc == RBL_OK && t->ipw && t->ipw->rep)
		rc = finish(t, &t->ipw->rep);
	return rc;
}

void rbl_replace_cancel(rbl_txn *t, uint32_t list_id)
{
	struct rbl_replace **pp = find(t, list_id);

	if (pp)
		drop(pp);
}

void rbl_replace_free(rbl_txn *t)
{
	while (t->ipw && t->ipw->rep)
		drop(&t->ipw->rep);
}
