/*
 * store_replace.c -- the replacing import: a merge of a list's old IP
 * entries with the new ones, written through the chunk builder
 * (store_build.c).
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
 * The IPv4 summary (store_v4sum.c) is set from the entries as they are
 * written, and handed over when the family is done: the changes are not
 * recorded one by one, and the commit does not walk the list again.
 *
 * New entries must arrive in key order, IPv4 before IPv6; anything else
 * touching the list (an entry out of order, a delete, a read) first
 * finishes the replacement: the old entries not re-added by then are
 * deleted, and later adds are ordinary adds.  The result is the same.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/compiler.h"
#include "zone/store/store_ipw.h"

#define TEST_SOURCE	"rfc5782"

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
	bool old_tests;			/* it has entries of TEST_SOURCE */
	uint8_t old_key[16];
	struct old_ent *oe;
	size_t n_oe, cap_oe, oe_i;
	/* old attribute -> builder's, valid where memo_epoch is the
	 * builder's epoch + 1 */
	uint32_t *memo, *memo_epoch;
	size_t cap_memo;
	uint8_t *sum;			/* the IPv4 summary being set, or
					   NULL: changes are noted */
	bool journal;			/* record the changes */
	bool marked;			/* the list is marked changed */
	int64_t delta;			/* entries added - deleted */
	uint64_t n_before;		/* entries when it began */
	uint64_t changes;		/* journal records (DEL and ADD) */
	/* the last new attribute interned */
	rbl_entry last_e;
	uint32_t last_ai, last_epoch;
	bool last_ok;
	uint64_t last_gen;		/* rbl_ipw's prep_gen of LAST_E, or 0 */
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
			if (rbl_array_reserve(r->oe, r->cap_oe, r->n_oe + 1,
					      1024) != RBL_OK)
				return RBL_ENOMEM;
			r->oe[r->n_oe++] = (struct old_ent){ (uint32_t)i,
							     it[k].len,
							     it[k].attr };
		}
	}
	if (w->n_attr > r->cap_memo) {
		/* the two grow alike from one capacity */
		size_t memo_cap = r->cap_memo;

		if (rbl_array_reserve(r->memo, memo_cap, w->n_attr, 256) !=
		    RBL_OK ||
		    rbl_array_reserve(r->memo_epoch, r->cap_memo, w->n_attr,
				      256) != RBL_OK)
			return RBL_ENOMEM;
	}
	if (w->n_attr)
		memset(r->memo_epoch, 0, w->n_attr * sizeof *r->memo_epoch);
	r->old_tests = false;
	for (size_t i = 0; i < w->n_src; i++)
		if (w->src[i].len == strlen(TEST_SOURCE) &&
		    !memcmp(w->text + w->src[i].off, TEST_SOURCE,
			    w->src[i].len))
			r->old_tests = true;
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
			rc = rbl_ckb_win_push(&r->b, key, r->old.n_rec,
					      rc == RBL_OK,
					      rc == RBL_OK ?
					      (uint8_t *)k.mv_data + 5 : NULL);
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

/* The builder's number for the new entry E (the last one is kept).  GEN
 * is not 0 when E is rbl_ip_add's prepared entry of that generation: the
 * same generation is the same entry, no comparing needed. */
static int new_attr(struct rbl_replace *r, const rbl_entry *e, uint64_t gen,
		    uint32_t *ai)
{
	int rc = 0;

	if (r->last_ok && r->last_epoch == r->b.epoch &&
	    ((gen && gen == r->last_gen) || same_entry(&r->last_e, e))) {
		*ai = r->last_ai;
		return RBL_OK;
	}
	if ((rc = rbl_ckw_attr_put(&r->b.w, e, ai)) != RBL_OK)
		return rc;
	r->last_e = *e;
	r->last_ai = *ai;
	r->last_epoch = r->b.epoch;
	r->last_ok = true;
	r->last_gen = gen;
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
	if (r->sum && r->fam == 0)
		return RBL_OK;	/* the summary is set as entries are written */
	ls = rbl_txn_list_state(t, r->list_id);
	if (ls->marks & RBL_LIST_REBUILD)
		return RBL_OK;
	return rbl_v4sum_note(t, ls, p, op == RBL_CHANGE_DEL);
}

/* Write entry P with attribute AI (of the builder). */
static int push(struct rbl_replace *r, const rbl_prefix *p, uint32_t ai)
{
	if (r->sum && r->fam == 0)
		rbl_v4sum_set(r->sum, p);
	return rbl_ckb_push(&r->b, p, ai);
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

	if (!r->old_tests && r->marked && r->sum && r->fam == 0 &&
	    (!r->journal || !rbl_journal_active(t))) {
		/* what changed() does here, without the prefix: most of a
		 * list replaced by another goes this way */
		r->delta--;
		r->changes++;
		return RBL_OK;
	}
	old_prefix(r, o, &p);
	if (s->len == strlen(TEST_SOURCE) &&
	    !memcmp(r->old.text + s->off, TEST_SOURCE, s->len)) {
		if ((rc = rbl_ckb_next(&r->b, p.addr.bytes)) != RBL_OK ||
		    (rc = old_attr(r, o->ai, &ai)) != RBL_OK)
			return rc;
		return push(r, &p, ai);
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
	rbl_ckb_fini(&r->b);
	return rbl_ckb_init(&r->b, t, r->list_id, families[fam]);
}

/* The rest of the current family: old entries left are gone; write out;
 * the length mask becomes exact. */
static int fam_finish(rbl_txn *t, struct rbl_replace *r)
{
	uint8_t mask[RBL_LENMASK_BYTES] = { 0 };
	uint8_t family = families[r->fam];
	int rc = 0;

	if ((rc = old_drain(t, r, NULL)) != RBL_OK ||
	    (rc = rbl_ckb_finish(&r->b)) != RBL_OK)
		return rc;
	if (r->sum && r->fam == 0) {
		struct rbl_list_state *ls = rbl_txn_list_state(t, r->list_id);

		/* no state: nothing changed, the stored summary stands */
		if (ls)
			rbl_v4sum_base(ls, r->sum);
		else
			free(r->sum);
		r->sum = NULL;
	}
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
	rbl_ckb_fini(&r->b);
	rbl_ckw_free(&r->old);
	free(r->sum);
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
	if (rc == RBL_OK)
		rc = rbl_txn_mark_replaced(t, r->list_id, r->journal,
					   r->changes, r->n_before, r->delta);
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
	if ((rc = rbl_ckb_init(&r->b, t, list_id, RBL_AF4)) != RBL_OK) {
		rbl_ckb_fini(&r->b);
		free(r);
		return rbl_txn_fail(t, rc);
	}
	r->sum = rbl_v4sum_new();	/* NULL: changes are noted instead */
	r->next = t->ipw->rep;
	t->ipw->rep = r;
	return RBL_OK;
}

/* Merge the new entry E at P. */
static int take(rbl_txn *t, struct rbl_replace *r, const rbl_prefix *p,
		const rbl_entry *e, uint64_t gen)
{
	const struct old_ent *o;
	uint32_t ai = 0, oai = 0;
	/* per entry changed: filled before use, when the journal is on */
	RBL_NOINIT rbl_entry old;
	int rc = 0;

	if ((rc = old_drain(t, r, p)) != RBL_OK ||
	    (rc = old_peek(t, r, &o)) != RBL_OK ||
	    (rc = rbl_ckb_next(&r->b, p->addr.bytes)) != RBL_OK ||
	    (rc = new_attr(r, e, gen, &ai)) != RBL_OK)
		return rc;
	if (!o || key_cmp(r->old.rec[o->rec].a, o->len, p->addr.bytes, p->len,
			  r->old.alen) != 0) {
		if ((rc = changed(t, r, RBL_CHANGE_ADD, p, e, 1)) != RBL_OK)
			return rc;
		return push(r, p, ai);
	}
	r->oe_i++;
	if (rbl_ckw_attr_same_answer(&r->old, o->ai, &r->b.w, ai)) {
		/* unchanged: the stored entry stays, with its time and source */
		if ((rc = old_attr(r, o->ai, &oai)) != RBL_OK)
			return rc;
		return push(r, p, oai);
	}
	if (r->journal && rbl_journal_active(t))
		rbl_ckw_attr_entry(&r->old, o->ai, &old);
	if ((rc = changed(t, r, RBL_CHANGE_DEL, p, r->journal &&
			  rbl_journal_active(t) ? &old : NULL, 0)) != RBL_OK ||
	    (rc = changed(t, r, RBL_CHANGE_ADD, p, e, 0)) != RBL_OK)
		return rc;
	return push(r, p, ai);
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
	if ((rc = take(t, r, p, e, t->ipw && e == &t->ipw->prep_ne ?
				   t->ipw->prep_gen : 0)) != RBL_OK)
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
