/*
 * store_namerep.c -- the replacing import of a name list: a merge of the
 * list's stored names with the new ones, which arrive in key order
 * (rbl_name_order, the exact entry of a name before its subtree one, as
 * rbldnsd_merge.c hands them out).
 *
 * Only the name being taken is held in memory (its key and its new
 * slots); the old names are read from the store as the new ones pass
 * them, so a replacement of millions of names takes no more memory than
 * one of ten.  When the next name arrives, the one before it is settled
 * and the old names between the two are swept:
 *   - an old slot the new data does not fill is deleted (journal DEL),
 *     except the RFC 5782 test entries the store added itself (source
 *     "rfc5782"), which belong to the list and stay;
 *   - a new slot without an old one is added (journal ADD);
 *   - a slot in both with the same answer (exclusion, codes, TXT,
 *     expiry) keeps the stored entry, with its time added and source,
 *     and is neither written nor journalled; with another answer it is a
 *     DEL and an ADD.
 * A name whose slots all come out unchanged is not written at all: a
 * 1,000-line change of a 1M-name list writes about 1,000 records.  As for
 * IP lists (store_replace.c), with journalling on the journal records
 * only what changed, unless that is more than half the list (then a
 * reset: the whole zone is the smaller transfer).
 *
 * Anything else touching the list (a name out of order, a delete, a
 * read) first finishes the replacement: the old names not given again by
 * then are deleted, and later adds are ordinary adds.  The end result is
 * the same.  Nothing here outlives the transaction: an aborted one leaves
 * the list and the journal as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/store/store_name.h"

#define TEST_SOURCE	"rfc5782"

struct rbl_namerep {
	struct rbl_namerep *next;
	uint32_t list_id;
	bool journal;			/* record the changes */
	bool marked;			/* the list is marked changed */
	int64_t delta;			/* entries added - deleted */
	uint64_t n_before;		/* entries when it began */
	uint64_t changes;		/* journal records (DEL and ADD) */
	MDB_cursor *cur;		/* the sweep's */
	/* the name being taken (HAVE): its key, text, new and old slots;
	 * old names up to its key are settled */
	bool have;
	uint8_t key[NAME_KEY_MAX + 1];	/* + 1: the sweep's "just after" */
	size_t klen;
	char norm[RBL_NAME_MAX + 1];
	struct rbl_slots now, old;
};

/* Key order of LMDB's default comparison. */
static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Same answer: what a query gets (not when or by whom it was added). */
static bool same_answer(const rbl_entry *a, const rbl_entry *b)
{
	uint32_t keep = ~(uint32_t)SLOT_FLAGS;

	if ((a->flags & keep) != (b->flags & keep) ||
	    a->n_codes != b->n_codes || a->expires != b->expires ||
	    strcmp(a->txt, b->txt) != 0)
		return false;
	for (unsigned i = 0; i < a->n_codes && i < RBL_MAX_CODES; i++)
		if (a->codes[i] != b->codes[i])
			return false;
	return true;
}

static bool is_test_entry(const rbl_entry *e)
{
	return strcmp(e->source, TEST_SOURCE) == 0;
}

/* Count and journal the change of the slots SEL of R's list from OLD to
 * NOW (either may lack them), key K, text NORM, and write NOW. */
static int changed(rbl_txn *t, struct rbl_namerep *r, const uint8_t *k,
		   size_t klen, const char *norm, const struct rbl_slots *old,
		   const struct rbl_slots *now, uint32_t sel)
{
	int rc = 0;

	for (int s = 0; s < N_SLOTS; s++) {
		if (!(sel & rbl_slot_flag(s)))
			continue;
		r->delta += (int64_t)now->has[s] - (int64_t)old->has[s];
		r->changes += (uint64_t)now->has[s] + (uint64_t)old->has[s];
	}
	if (!r->marked) {
		if ((rc = rbl_txn_mark_list(t, r->list_id, RBL_LIST_CHANGED,
					    0)) != RBL_OK)
			return rc;
		r->marked = true;
	}
	if (r->journal &&
	    ((rc = rbl_slots_journal(t, RBL_CHANGE_DEL, r->list_id, norm, old,
				     sel)) != RBL_OK ||
	     (rc = rbl_slots_journal(t, RBL_CHANGE_ADD, r->list_id, norm, now,
				     sel)) != RBL_OK))
		return rc;
	return rbl_slots_put(t, k, klen, now,
			     !old->has[SLOT_EXACT] && !old->has[SLOT_SUBS]);
}

/* The name being taken is complete: compare it with what was stored. */
static int settle(rbl_txn *t, struct rbl_namerep *r)
{
	struct rbl_slots fin = { 0 };
	uint32_t sel = 0, same = 0;

	for (int s = 0; s < N_SLOTS; s++) {
		bool had = r->old.has[s], has = r->now.has[s];

		if (has && had && same_answer(&r->old.e[s], &r->now.e[s])) {
			fin.has[s] = true;	/* the stored one stays */
			fin.e[s] = r->old.e[s];
			same |= rbl_slot_flag(s);
		} else if (has) {
			fin.has[s] = true;
			fin.e[s] = r->now.e[s];
			sel |= rbl_slot_flag(s);
		} else if (had && is_test_entry(&r->old.e[s])) {
			fin.has[s] = true;
			fin.e[s] = r->old.e[s];
		} else if (had) {
			sel |= rbl_slot_flag(s);
		}
	}
	r->have = false;
	if (!sel)
		return RBL_OK;
	/* one slot kept, the other new with the same answer: one entry
	 * for both (".x"), as a fresh import would store it */
	if (same && fin.has[SLOT_EXACT] && fin.has[SLOT_SUBS] &&
	    same_answer(&fin.e[SLOT_EXACT], &fin.e[SLOT_SUBS])) {
		int ks = same & RBL_ENTRY_NAME_EXACT ? SLOT_EXACT : SLOT_SUBS;
		rbl_entry *ne = &fin.e[N_SLOTS - 1 - ks];

		ne->added = fin.e[ks].added;
		memcpy(ne->source, fin.e[ks].source, sizeof ne->source);
	}
	return changed(t, r, r->key, r->klen, r->norm, &r->old, &fin, sel);
}

/* The old name at K (value V) is not in the new data. */
static int gone(rbl_txn *t, struct rbl_namerep *r, const MDB_val *k,
		const MDB_val *v)
{
	struct rbl_slots old = { 0 }, fin = { 0 };
	char norm[NAME_KEY_MAX];
	uint8_t kb[NAME_KEY_MAX];
	uint32_t sel = 0;
	int rc = rbl_slots_decode(v, &old);

	if (rc != RBL_OK)
		return rc;
	for (int s = 0; s < N_SLOTS; s++) {
		if (old.has[s] && is_test_entry(&old.e[s])) {
			fin.has[s] = true;
			fin.e[s] = old.e[s];
		} else if (old.has[s]) {
			sel |= rbl_slot_flag(s);
		}
	}
	if (!sel)
		return RBL_OK;
	/* K points into the map, which the write below may change */
	memcpy(kb, k->mv_data, k->mv_size);
	rbl_namekey_to_text(kb + 4, k->mv_size - 4, norm);
	return changed(t, r, kb, k->mv_size, norm, &old, &fin, sel);
}

/* Sweep the old names after the one last taken up to the key K (NULL:
 * to the end of the list): those before K are gone; K's own old slots
 * (if stored) go to R->old. */
static int sweep(rbl_txn *t, struct rbl_namerep *r, const uint8_t *k,
		 size_t klen)
{
	uint8_t from[NAME_KEY_MAX + 1];
	size_t flen = 4;
	MDB_val key = { 0 }, v = { 0 };
	int rc = 0, c = 0;

	r->old.has[SLOT_EXACT] = r->old.has[SLOT_SUBS] = false;
	rbl_put_be32(from, r->list_id);
	if (r->klen) {	/* just after the last key taken */
		memcpy(from, r->key, r->klen);
		from[r->klen] = 0;
		flen = r->klen + 1;
	}
	for (;;) {
		key.mv_size = flen;
		key.mv_data = from;
		if ((rc = mdb_cursor_get(r->cur, &key, &v, MDB_SET_RANGE)))
			return rc == MDB_NOTFOUND ? RBL_OK : rbl_mdb_error(rc);
		if (key.mv_size <= 4 || key.mv_size > NAME_KEY_MAX ||
		    memcmp(key.mv_data, from, 4) != 0)
			return RBL_OK;	/* past the list */
		if (k && (c = key_cmp(key.mv_data, key.mv_size, k, klen)) >= 0)
			return c == 0 ? rbl_slots_decode(&v, &r->old) : RBL_OK;
		/* a fresh seek after each one: GONE may write */
		memcpy(from, key.mv_data, key.mv_size);
		from[key.mv_size] = 0;
		flen = key.mv_size + 1;
		if ((rc = gone(t, r, &key, &v)) != RBL_OK)
			return rc;
	}
}

/* ------------------------------------------------------------ the set */

static struct rbl_namerep **find(rbl_txn *t, uint32_t list_id)
{
	struct rbl_namerep **pp;

	for (pp = &t->nrep; *pp; pp = &(*pp)->next)
		if ((*pp)->list_id == list_id)
			return pp;
	return NULL;
}

/* Detach *PP and free it. */
static void drop(struct rbl_namerep **pp)
{
	struct rbl_namerep *r = *pp;

	*pp = r->next;
	if (r->cur)
		mdb_cursor_close(r->cur);
	free(r);
}

static int finish(rbl_txn *t, struct rbl_namerep **pp)
{
	struct rbl_namerep *r = *pp;
	int rc = RBL_OK;

	if (r->have)
		rc = settle(t, r);
	if (rc == RBL_OK)
		rc = sweep(t, r, NULL, 0);
	if (rc == RBL_OK)
		rc = rbl_txn_mark_replaced(t, r->list_id, r->journal,
					   r->changes, r->n_before, r->delta);
	drop(pp);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_namerep_begin(rbl_txn *t, uint32_t list_id, bool journal)
{
	struct rbl_namerep **pp = find(t, list_id), *r;
	struct rbl_list_state *ls = NULL;
	rbl_list l = { 0 };
	int rc = 0;

	if (pp && (rc = finish(t, pp)) != RBL_OK)
		return rc;
	if ((rc = rbl_list_get_id(t, list_id, &l)) != RBL_OK)
		return rc;
	if (!(r = calloc(1, sizeof *r)))
		return rbl_txn_fail(t, RBL_ENOMEM);
	if ((rc = mdb_cursor_open(t->txn, t->s->name, &r->cur))) {
		free(r);
		return rbl_txn_fail(t, rbl_mdb_error(rc));
	}
	ls = rbl_txn_list_state(t, list_id);
	r->list_id = list_id;
	r->journal = journal;
	r->n_before = (uint64_t)((int64_t)l.n_entries + (ls ? ls->delta : 0));
	r->next = t->nrep;
	t->nrep = r;
	return RBL_OK;
}

/* Put NE in the slots SEL of R's name being taken. */
static void take(struct rbl_namerep *r, uint32_t sel, const rbl_entry *ne)
{
	for (int s = 0; s < N_SLOTS; s++) {
		if (!(sel & rbl_slot_flag(s)))
			continue;
		r->now.has[s] = true;
		r->now.e[s] = *ne;
		r->now.e[s].flags = (ne->flags & ~(uint32_t)SLOT_FLAGS) |
				    rbl_slot_flag(s);
	}
}

int rbl_namerep_add(rbl_txn *t, uint32_t list_id, const uint8_t *k,
		    size_t klen, const char *norm, uint32_t sel,
		    const rbl_entry *ne, bool *taken)
{
	struct rbl_namerep **pp = find(t, list_id), *r;
	int c = 1, rc = 0;

	*taken = false;
	if (!pp)
		return RBL_OK;
	r = *pp;
	if (r->klen)
		c = key_cmp(k, klen, r->key, r->klen);
	if (c < 0)
		return finish(t, pp);	/* out of order: an ordinary add */
	if (c > 0) {
		if ((r->have && (rc = settle(t, r)) != RBL_OK) ||
		    (rc = sweep(t, r, k, klen)) != RBL_OK)
			return rbl_txn_fail(t, rc);
		memcpy(r->key, k, klen);
		r->klen = klen;
		strcpy(r->norm, norm);
		r->now.has[SLOT_EXACT] = r->now.has[SLOT_SUBS] = false;
		r->have = true;
	}
	take(r, sel, ne);
	*taken = true;
	return RBL_OK;
}

int rbl_namerep_finish(rbl_txn *t, uint32_t list_id)
{
	struct rbl_namerep **pp = find(t, list_id);

	return pp ? finish(t, pp) : RBL_OK;
}

int rbl_namerep_finish_all(rbl_txn *t)
{
	int rc = RBL_OK;

	while (rc == RBL_OK && t->nrep)
		rc = finish(t, &t->nrep);
	return rc;
}

void rbl_namerep_cancel(rbl_txn *t, uint32_t list_id)
{
	struct rbl_namerep **pp = find(t, list_id);

	if (pp)
		drop(pp);
}

/* ---------------------------------------- store_impl.h's entry points */

int rbl_name_replace_begin(rbl_txn *t, uint32_t list_id, unsigned flags)
{
	int rc = 0;

	if (!(flags & RBL_REPLACE_JOURNAL) &&
	    (rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED |
				    RBL_LIST_RESET, 0)) != RBL_OK)
		return rc;
	return rbl_namerep_begin(t, list_id,
				 (flags & RBL_REPLACE_JOURNAL) != 0);
}

int rbl_name_commit(rbl_txn *t)
{
	return rbl_namerep_finish_all(t);
}

void rbl_name_txn_free(rbl_txn *t)
{
	while (t->nrep)
		drop(&t->nrep);
}
