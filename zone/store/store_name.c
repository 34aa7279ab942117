/*
 * store_name.c -- domain-name listings ("name" database).
 *
 * Key: list id, then the labels from the right, lowercased, each followed
 * by a 0x00 byte ("com\0example\0bad\0").  The key of every ancestor of a
 * name is a prefix of the name's key, so a lookup builds one key in a
 * stack buffer and probes it at decreasing lengths (one get per label),
 * and everything below a name sorts right after it.
 *
 * A name has two slots, as in rbldnsd files: its exact entry (answers for
 * x) and its subtree entry (answers for names below x), which may differ
 * ("x" listed, "!*.x" excluded).  Both live in the value at x's key, so a
 * lookup stays one get per label: one entry whose flags name the slots it
 * fills (both flags: the same entry in both, rbldnsd's ".x", which is also
 * how format 1-3 stores hold it), or a pair (PAIR_MARK) when they differ.
 *
 * Text forms:
 *   add  "x": the slots E->flags names (neither: exact); "*.x": subtree;
 *        ".x": both (two entries, counted as two).  The other slot stays.
 *   del  "x": the exact entry; "*.x": the subtree one; ".x": both.
 *        RBL_ENOTFOUND when none of them exists.
 *   get  "*.x": the subtree entry; "x" and ".x": the exact entry, else the
 *        subtree one.  Flags: the slot's, plus the other slot's when it
 *        holds the same entry.
 * rbl_name_foreach yields per name one entry with both flags when the
 * slots are equal, else the exact entry, then the subtree one.  The
 * journal records changes the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/store_name.h"

#define ENT_SCAN_MAX	64	/* has_below gives up (answers 1) after */

int rbl_name_order(const char *a, const char *b)
{
	size_t ea = strlen(a), eb = strlen(b);

	for (;;) {	/* the rightmost labels left, as rbl_namekey_text lays them */
		size_t sa = ea, sb = eb, la, lb;
		int c;

		while (sa > 0 && a[sa - 1] != '.')
			sa--;
		while (sb > 0 && b[sb - 1] != '.')
			sb--;
		la = ea - sa;
		lb = eb - sb;
		c = memcmp(a + sa, b + sb, la < lb ? la : lb);
		if (c)
			return c;
		if (la != lb)	/* a label's end (0) sorts before any byte */
			return la < lb ? -1 : 1;
		if (sa == 0 || sb == 0)
			return (sa != 0) - (sb != 0);
		ea = sa - 1;
		eb = sb - 1;
	}
}

/* In a write transaction, a read or change of LIST_ID other than the
 * next name of its replacement sees that replacement finished. */
static int replace_done(rbl_txn *t, uint32_t list_id)
{
	return t->nrep ? rbl_namerep_finish(t, list_id) : RBL_OK;
}

/* ------------------------------------------------------------ writes */

int rbl_name_add(rbl_txn *t, uint32_t list_id, const char *name,
		 const rbl_entry *e)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	uint32_t sel;
	rbl_entry ne = { 0 };
	struct rbl_slots old = { 0 }, now = { 0 };
	int64_t delta = 0;
	bool taken = false;
	size_t klen;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!name)
		return RBL_EINVAL;
	sel = rbl_name_wildcard(&name);
	if (!(klen = rbl_namekey_text(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_NAME)) != RBL_OK ||
	    (rc = rbl_entry_prepare(t, e, RBL_ENTRY_EXCLUDE |
		RBL_ENTRY_HAS_TXT | SLOT_FLAGS, &ne)) != RBL_OK)
		return rc;
	if (!sel)
		sel = ne.flags & SLOT_FLAGS;
	if (!sel)
		sel = RBL_ENTRY_NAME_EXACT;
	/* the next name of a replacement is merged there */
	if (t->nrep && ((rc = rbl_namerep_add(t, list_id, k, klen, norm, sel,
					      &ne, &taken)) != RBL_OK || taken))
		return rc;
	if ((rc = rbl_slots_load(t, k, klen, &old)) != RBL_OK)
		return rc;
	now = old;
	for (int s = 0; s < N_SLOTS; s++) {
		if (!(sel & rbl_slot_flag(s)))
			continue;
		delta += !old.has[s];
		now.has[s] = true;
		now.e[s] = ne;
		now.e[s].flags = (ne.flags & ~(uint32_t)SLOT_FLAGS) |
				 rbl_slot_flag(s);
	}
	rc = rbl_slots_journal(t, RBL_CHANGE_DEL, list_id, norm, &old, sel);
	if (rc == RBL_OK)
		rc = rbl_slots_put(t, k, klen, &now,
			       !old.has[SLOT_EXACT] && !old.has[SLOT_SUBS]);
	if (rc == RBL_OK)
		rc = rbl_slots_journal(t, RBL_CHANGE_ADD, list_id, norm, &now, sel);
	if (rc == RBL_OK)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED, delta);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_name_del(rbl_txn *t, uint32_t list_id, const char *name)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	struct rbl_slots old = { 0 }, now = { 0 };
	uint32_t sel;
	int64_t delta = 0;
	size_t klen;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!name)
		return RBL_EINVAL;
	sel = rbl_name_wildcard(&name);
	if (!sel)
		sel = RBL_ENTRY_NAME_EXACT;
	if (!(klen = rbl_namekey_text(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_NAME)) != RBL_OK ||
	    (rc = replace_done(t, list_id)) != RBL_OK ||
	    (rc = rbl_slots_load(t, k, klen, &old)) != RBL_OK)
		return rc;
	now = old;
	for (int s = 0; s < N_SLOTS; s++)
		if ((sel & rbl_slot_flag(s)) && old.has[s]) {
			now.has[s] = false;
			delta--;
		}
	if (delta == 0)
		return RBL_ENOTFOUND;
	rc = rbl_slots_journal(t, RBL_CHANGE_DEL, list_id, norm, &old, sel);
	if (rc == RBL_OK)
		rc = rbl_slots_put(t, k, klen, &now, false);
	if (rc == RBL_OK)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED, delta);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_name_get(rbl_txn *t, uint32_t list_id, const char *name,
		 rbl_entry *out)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	struct rbl_slots sl = { 0 };
	uint32_t sel;
	size_t klen;
	int rc;

	if (!name)
		return RBL_EINVAL;
	sel = rbl_name_wildcard(&name);
	if (!(klen = rbl_namekey_text(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = replace_done(t, list_id)) != RBL_OK ||
	    (rc = rbl_slots_load(t, k, klen, &sl)) != RBL_OK)
		return rc;
	if (sel != RBL_ENTRY_NAME_SUBS && sl.has[SLOT_EXACT])
		*out = rbl_slot_view(&sl, SLOT_EXACT);
	else if (sl.has[SLOT_SUBS])
		*out = rbl_slot_view(&sl, SLOT_SUBS);
	else
		return RBL_ENOTFOUND;
	return RBL_OK;
}

int rbl_name_clear_list(rbl_txn *t, uint32_t list_id, uint64_t *n)
{
	uint8_t k[4];

	rbl_namerep_cancel(t, list_id);
	rbl_put_be32(k, list_id);
	return rbl_db_del_prefix(t, t->s->name, k, 4, n);
}

/* ----------------------------------------------------------- lookups */

/* Probe the first KLEN bytes of K.  EXACT: the queried name itself (its
 * exact entry applies), else an ancestor (its subtree entry applies).
 * Returns RBL_OK (listed), RBL_ENOTFOUND (excluded) with *DECIDED, or
 * leaves *DECIDED false. */
static int probe(rbl_txn *t, const uint8_t *k, size_t klen, bool exact,
		 int64_t now, rbl_match *m, bool *decided)
{
	const uint8_t *p = NULL;
	size_t len = 0;
	uint32_t flags = 0;
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->name, k, klen, &v);

	*decided = false;
	if (rc == RBL_OK)
		rc = rbl_slot_raw(&v, exact ? SLOT_EXACT : SLOT_SUBS, &p, &len);
	if (rc != RBL_OK)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	if ((rc = rbl_entry_match(p, len, &flags, m)) != RBL_OK)
		return rc;
	if (!rbl_live(m->expires, now))
		return RBL_OK;
	*decided = true;
	return flags & RBL_ENTRY_EXCLUDE ? RBL_ENOTFOUND : RBL_OK;
}

int rbl_name_lookup(rbl_txn *t, uint32_t list_id,
		    const uint8_t *const *labels, const uint8_t *lens,
		    unsigned nlabels, int64_t now, rbl_match *out)
{
	uint8_t k[NAME_KEY_MAX];
	size_t ends[NAME_KEY_MAX / 2 + 1];
	unsigned depth;
	bool decided = false;
	int rc;

	if (nlabels > NAME_KEY_MAX / 2)
		return RBL_ENOTFOUND;
	if ((rc = replace_done(t, list_id)) != RBL_OK)
		return rc;
	depth = rbl_namekey_wire(k, list_id, labels, lens, nlabels, ends);
	if (nlabels == 0)
		return RBL_ENOTFOUND;
	/* the name itself, then its ancestors from the closest one up */
	for (unsigned d = depth; d > 0; d--) {
		rc = probe(t, k, ends[d], d == nlabels, now, out, &decided);
		if (rc != RBL_OK && rc != RBL_ENOTFOUND)
			return rc;
		if (decided) {
			out->list_id = list_id;
			return rc;
		}
	}
	return RBL_ENOTFOUND;
}

int rbl_name_lookup_str(rbl_txn *t, uint32_t list_id, const char *name,
			int64_t now, rbl_match *out)
{
	const uint8_t *labels[128];
	uint8_t lens[128];
	unsigned n = 0;
	size_t len = name ? strnlen(name, RBL_NAME_MAX + 2) : 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > RBL_NAME_MAX)
		return RBL_ENOTFOUND;
	for (size_t start = 0; start <= len && n < 128;) {
		size_t end = start;

		while (end < len && name[end] != '.')
			end++;
		if (end == start || end - start > RBL_LABEL_MAX)
			return RBL_ENOTFOUND;
		labels[n] = (const uint8_t *)name + start;
		lens[n++] = (uint8_t)(end - start);
		start = end + 1;
	}
	return rbl_name_lookup(t, list_id, labels, lens, n, now, out);
}

static int name_cursor(rbl_txn *t, MDB_cursor **c)
{
	int rc;

	if (!t->name_cur &&
	    (rc = mdb_cursor_open(t->txn, t->s->name, &t->name_cur)) != 0)
		return rbl_mdb_error(rc);
	*c = t->name_cur;
	return RBL_OK;
}

/* Entries strictly below the name count when live and not exclusions,
 * and so does a subtree entry ("*.x") on the name itself; after
 * ENT_SCAN_MAX others, answer 1 (NODATA instead of NXDOMAIN). */
int rbl_name_has_below(rbl_txn *t, uint32_t list_id,
		       const uint8_t *const *labels, const uint8_t *lens,
		       unsigned nlabels, int64_t now)
{
	uint8_t k[NAME_KEY_MAX];
	size_t ends[NAME_KEY_MAX / 2 + 1], klen;
	MDB_cursor *c = NULL;
	MDB_val key = { 0 }, v = { 0 };
	rbl_match m = { 0 };
	uint32_t flags = 0;
	int rc;

	if (nlabels > NAME_KEY_MAX / 2 ||
	    rbl_namekey_wire(k, list_id, labels, lens, nlabels, ends) != nlabels)
		return 0;
	klen = ends[nlabels];
	if ((rc = replace_done(t, list_id)) != RBL_OK ||
	    (rc = name_cursor(t, &c)) != RBL_OK)
		return rc;
	key.mv_size = klen;
	key.mv_data = k;
	rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	for (int i = 0; rc == 0 && i <= ENT_SCAN_MAX; i++) {
		if (key.mv_size < klen || memcmp(key.mv_data, k, klen) != 0)
			return 0;
		/* "*.x" is stored at x itself: it lists names below x */
		for (int s = key.mv_size > klen ? SLOT_EXACT : SLOT_SUBS;
		     s < N_SLOTS; s++) {
			const uint8_t *p = NULL;
			size_t len = 0;

			if (rbl_slot_raw(&v, s, &p, &len) == RBL_OK &&
			    rbl_entry_match(p, len, &flags, &m) == RBL_OK &&
			    !(flags & RBL_ENTRY_EXCLUDE) &&
			    rbl_live(m.expires, now))
				return 1;
		}
		rc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
	}
	if (rc == 0)
		return 1;
	return rc == MDB_NOTFOUND ? 0 : rbl_mdb_error(rc);
}

/* ------------------------------------------------------------ walks */


/* A name's entries: one with both flags when its slots hold the same
 * entry (rbldnsd's ".x"), else the exact one, then the subtree one. */
static int visit_slots(const struct rbl_slots *sl, const char *name,
		       rbl_name_visit_fn fn, void *arg)
{
	if (rbl_slots_equal(sl)) {
		rbl_entry e = rbl_slot_view(sl, SLOT_EXACT);

		return fn(arg, name, &e);
	}
	for (int s = 0; s < N_SLOTS; s++) {
		int ret;

		if (sl->has[s] && (ret = fn(arg, name, &sl->e[s])) != 0)
			return ret;
	}
	return 0;
}

int rbl_name_foreach(rbl_txn *t, uint32_t list_id, rbl_name_visit_fn fn,
		     void *arg)
{
	uint8_t kb[4];
	char name[NAME_KEY_MAX];
	MDB_val k = { 4, kb }, v = { 0 };
	MDB_cursor *c = NULL;
	struct rbl_slots sl = { 0 };
	int ret = RBL_OK, rc;

	if ((rc = replace_done(t, list_id)) != RBL_OK)
		return rc;
	rbl_put_be32(kb, list_id);
	if ((rc = mdb_cursor_open(t->txn, t->s->name, &c)))
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= 4 || k.mv_size > NAME_KEY_MAX ||
		    memcmp(k.mv_data, kb, 4) != 0)
			break;
		rbl_namekey_to_text((const uint8_t *)k.mv_data + 4, k.mv_size - 4,
			    name);
		if ((ret = rbl_slots_decode(&v, &sl)) != RBL_OK ||
		    (ret = visit_slots(&sl, name, fn, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

/* Keys under a name start with its key (each label ends in 0x00, so the
 * prefix is label-aligned): one range seek, then the next keys while they
 * share it. */
int rbl_name_foreach_under(rbl_txn *t, uint32_t list_id, const char *name,
			   bool below, rbl_name_visit_fn fn, void *arg)
{
	uint8_t kb[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1], text[NAME_KEY_MAX];
	size_t klen;
	MDB_val k = { 0 }, v = { 0 };
	MDB_cursor *c = NULL;
	struct rbl_slots sl = { 0 };
	int ret = RBL_OK, rc;

	if (!name || !(klen = rbl_namekey_text(kb, list_id, name, norm)))
		return RBL_EINVAL;
	/* a cursor of its own: FN may look names up */
	if ((rc = replace_done(t, list_id)) != RBL_OK)
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->s->name, &c)))
		return rbl_mdb_error(rc);
	k.mv_size = klen;
	k.mv_data = kb;
	for (rc = mdb_cursor_get(c, &k, &v, below ? MDB_SET_RANGE : MDB_SET_KEY);
	     rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < klen || k.mv_size > NAME_KEY_MAX ||
		    memcmp(k.mv_data, kb, klen) != 0)
			break;
		rbl_namekey_to_text((const uint8_t *)k.mv_data + 4,
				    k.mv_size - 4, text);
		if ((ret = rbl_slots_decode(&v, &sl)) != RBL_OK ||
		    (ret = visit_slots(&sl, text, fn, arg)) != 0 || !below)
			break;
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

/* ------------------------------------------------------------ purge */

struct expired_name {
	uint32_t list_id;
	char name[NAME_KEY_MAX + 2];	/* "x" or "*.x": one slot */
};

struct expired_set {
	struct expired_name *v;
	size_t n, cap;
};

static int expired_push(struct expired_set *es, uint32_t list_id,
			const MDB_val *k, int slot)
{
	struct expired_name *x;
	size_t off = slot == SLOT_SUBS ? 2 : 0;

	if (rbl_array_reserve(es->v, es->cap, es->n + 1, 64) != RBL_OK)
		return RBL_ENOMEM;
	x = &es->v[es->n++];
	x->list_id = list_id;
	memcpy(x->name, "*.", off);
	rbl_namekey_to_text((const uint8_t *)k->mv_data + 4, k->mv_size - 4,
		    x->name + off);
	return RBL_OK;
}

/* Each expired slot, as the text rbl_name_del takes. */
static int collect_expired_names(rbl_txn *t, int64_t now,
				 struct expired_set *es)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	rbl_match m = { 0 };
	uint32_t flags = 0;
	int ret = RBL_OK, rc = mdb_cursor_open(t->txn, t->s->name, &c);

	if (rc)
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= 4 || k.mv_size > NAME_KEY_MAX)
			break;
		for (int s = 0; s < N_SLOTS && !ret; s++) {
			const uint8_t *p = NULL;
			size_t len = 0;

			ret = rbl_slot_raw(&v, s, &p, &len);
			if (ret == RBL_ENOTFOUND) {
				ret = RBL_OK;
				continue;
			}
			if (!ret)
				ret = rbl_entry_match(p, len, &flags, &m);
			if (!ret && !rbl_live(m.expires, now))
				ret = expired_push(es, rbl_get_be32(k.mv_data),
						   &k, s);
		}
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

int rbl_name_purge(rbl_txn *t, int64_t now, uint64_t *n)
{
	struct expired_set es = { NULL, 0, 0 };
	int rc = rbl_namerep_finish_all(t);

	if (rc == RBL_OK)
		rc = collect_expired_names(t, now, &es);

	for (size_t i = 0; rc == RBL_OK && i < es.n; i++) {
		rc = rbl_name_del(t, es.v[i].list_id, es.v[i].name);
		if (rc == RBL_OK)
			(*n)++;
	}
	free(es.v);
	return rc;
}
