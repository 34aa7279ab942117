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
#include "zone/store/store_impl.h"

#define NAME_KEY_MAX	(4 + 256)
#define ENT_SCAN_MAX	64	/* has_below gives up (answers 1) after */

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

static bool text_label_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '.';
}

/* Strip a wildcard prefix from *NAME and return the flags it implies. */
static uint32_t strip_wildcard(const char **name)
{
	if ((*name)[0] == '*' && (*name)[1] == '.') {
		*name += 2;
		return RBL_ENTRY_NAME_SUBS;
	}
	if ((*name)[0] == '.') {
		*name += 1;
		return RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS;
	}
	return 0;
}

/* Key of text NAME into K; NORM gets the lowercase name.  Returns the key
 * length, 0 if NAME is not a valid name. */
static size_t text_key(uint8_t *k, uint32_t list_id, const char *name,
		       char *norm)
{
	size_t len = strnlen(name, RBL_NAME_MAX + 2), n = 4, end;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > RBL_NAME_MAX)
		return 0;
	rbl_put_be32(k, list_id);
	for (size_t i = 0; i < len; i++)
		norm[i] = (char)lower((uint8_t)name[i]);
	norm[len] = 0;
	for (end = len;;) {
		size_t start = end;

		while (start > 0 && norm[start - 1] != '.')
			start--;
		if (start == end || end - start > RBL_LABEL_MAX)
			return 0;
		for (size_t i = start; i < end; i++)
			if (!text_label_char((uint8_t)norm[i]))
				return 0;
		memcpy(k + n, norm + start, end - start);
		n += end - start;
		k[n++] = 0;
		if (start == 0)
			return n;
		end = start - 1;
	}
}

/* Key of wire labels into K.  ENDS[i] is the key length of the name made
 * of the I rightmost labels.  Returns how many labels (from the right) a
 * key can hold: a label with a 0x00 byte or empty cannot be stored. */
static unsigned wire_key(uint8_t *k, uint32_t list_id,
			 const uint8_t *const *labels, const uint8_t *lens,
			 unsigned nlabels, size_t *ends)
{
	size_t n = 4;
	unsigned depth = 0;

	rbl_put_be32(k, list_id);
	ends[0] = n;
	for (unsigned i = nlabels; i-- > 0;) {
		if (lens[i] == 0 || lens[i] > RBL_LABEL_MAX ||
		    n + lens[i] + 1 > NAME_KEY_MAX ||
		    memchr(labels[i], 0, lens[i]))
			break;
		for (unsigned j = 0; j < lens[i]; j++)
			k[n++] = lower(labels[i][j]);
		k[n++] = 0;
		ends[++depth] = n;
	}
	return depth;
}

/* ------------------------------------------------------------ slots */

enum { SLOT_EXACT, SLOT_SUBS, N_SLOTS };
#define SLOT_FLAGS	(RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS)
/* First byte of a value holding two different entries (an entry starts
 * with its codec version, a small number). */
#define PAIR_MARK	0xb1

static const uint32_t slot_flag[N_SLOTS] = { RBL_ENTRY_NAME_EXACT,
					     RBL_ENTRY_NAME_SUBS };

/* A name's two entries as stored; E[S].flags names only slot S. */
struct slots {
	bool has[N_SLOTS];
	rbl_entry e[N_SLOTS];
};

/* The encoded entry of slot S in the stored value V (no copy): RBL_OK
 * and *P, *LEN; RBL_ENOTFOUND when the slot is empty; RBL_ESTORE. */
static int slot_raw(const MDB_val *v, int s, const uint8_t **p, size_t *len)
{
	const uint8_t *b = v->mv_data;
	uint32_t sel;

	if (v->mv_size >= 3 && b[0] == PAIR_MARK) {
		size_t l0 = rbl_get_be16(b + 1);

		if (3 + l0 >= v->mv_size)
			return RBL_ESTORE;
		*p = s == SLOT_EXACT ? b + 3 : b + 3 + l0;
		*len = s == SLOT_EXACT ? l0 : v->mv_size - 3 - l0;
		return RBL_OK;
	}
	if (v->mv_size < 2)
		return RBL_ESTORE;
	sel = b[1] & SLOT_FLAGS;
	if (!((sel ? sel : RBL_ENTRY_NAME_EXACT) & slot_flag[s]))
		return RBL_ENOTFOUND;
	*p = b;
	*len = v->mv_size;
	return RBL_OK;
}

static int slots_decode(const MDB_val *v, struct slots *sl)
{
	for (int s = 0; s < N_SLOTS; s++) {
		const uint8_t *p = NULL;
		size_t len = 0;
		int rc = slot_raw(v, s, &p, &len);

		sl->has[s] = rc == RBL_OK;
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK ||
		    (rc = rbl_entry_decode(p, len, &sl->e[s])) != RBL_OK)
			return rc;
		sl->e[s].flags = (sl->e[s].flags & ~(uint32_t)SLOT_FLAGS) |
				 slot_flag[s];
	}
	return RBL_OK;
}

/* The slots stored at key K (both empty when there is no record). */
static int slots_load(rbl_txn *t, const uint8_t *k, size_t klen,
		      struct slots *sl)
{
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->name, k, klen, &v);

	sl->has[SLOT_EXACT] = sl->has[SLOT_SUBS] = false;
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	return rc == RBL_OK ? slots_decode(&v, sl) : rc;
}

/* Both slots hold the same entry (flags aside). */
static bool slots_equal(const struct slots *sl)
{
	uint8_t a[RBL_ENTRY_ENC_MAX], b[RBL_ENTRY_ENC_MAX];
	rbl_entry x = sl->e[SLOT_EXACT], y = sl->e[SLOT_SUBS];
	size_t la, lb;

	if (!sl->has[SLOT_EXACT] || !sl->has[SLOT_SUBS])
		return false;
	x.flags |= SLOT_FLAGS;
	y.flags |= SLOT_FLAGS;
	la = rbl_entry_encode(&x, a);
	lb = rbl_entry_encode(&y, b);
	return la == lb && memcmp(a, b, la) == 0;
}

/* Slot S's entry as callers see it: with both flags when the other slot
 * holds the same entry (rbldnsd's ".x"). */
static rbl_entry slot_view(const struct slots *sl, int s)
{
	rbl_entry e = sl->e[s];

	if (slots_equal(sl))
		e.flags |= SLOT_FLAGS;
	return e;
}

int rbl_name_order(const char *a, const char *b)
{
	size_t ea = strlen(a), eb = strlen(b);

	for (;;) {	/* the rightmost labels left, as text_key lays them */
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

/* Put V at K: a bulk txn writing a new name first tries MDB_APPEND, which
 * fills pages to the end when names come in rbl_name_order; the first
 * name that is not past the end turns that off for the txn. */
static int name_put(rbl_txn *t, const uint8_t *k, size_t klen,
		    const uint8_t *v, size_t n, bool is_new)
{
	if (t->bulk && is_new && !t->name_append_off) {
		MDB_val key = { klen, (void *)k }, val = { n, (void *)v };
		int rc = mdb_put(t->txn, t->s->name, &key, &val, MDB_APPEND);

		if (rc != MDB_KEYEXIST)
			return rc ? rbl_txn_fail(t, rbl_mdb_error(rc)) : RBL_OK;
		t->name_append_off = true;
	}
	return rbl_db_put(t, t->s->name, k, klen, v, n, 0);
}

/* Store SL at key K: one entry (with both flags when equal), a pair, or
 * nothing (the record is deleted).  IS_NEW: K holds nothing yet. */
static int slots_put(rbl_txn *t, const uint8_t *k, size_t klen,
		     const struct slots *sl, bool is_new)
{
	uint8_t v[3 + 2 * RBL_ENTRY_ENC_MAX];
	size_t n, l0;
	int rc;

	if (!sl->has[SLOT_EXACT] && !sl->has[SLOT_SUBS]) {
		rc = rbl_db_del(t, t->s->name, k, klen);
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	}
	if (!sl->has[SLOT_EXACT] || !sl->has[SLOT_SUBS] || slots_equal(sl)) {
		rbl_entry e = slot_view(sl, sl->has[SLOT_EXACT] ? SLOT_EXACT
							       : SLOT_SUBS);

		n = rbl_entry_encode(&e, v);
	} else {
		v[0] = PAIR_MARK;
		l0 = rbl_entry_encode(&sl->e[SLOT_EXACT], v + 3);
		rbl_put_be16(v + 1, (uint16_t)l0);
		n = 3 + l0 + rbl_entry_encode(&sl->e[SLOT_SUBS], v + 3 + l0);
	}
	return name_put(t, k, klen, v, n, is_new);
}

/* Journal OP for the slots SEL of SL that hold an entry: one change with
 * both flags when both are selected and equal, else one per slot. */
static int journal_slots(rbl_txn *t, uint8_t op, uint32_t list_id,
			 const char *norm, const struct slots *sl,
			 uint32_t sel)
{
	if (sel == SLOT_FLAGS && slots_equal(sl)) {
		rbl_entry e = slot_view(sl, SLOT_EXACT);

		return rbl_journal_note(t, op, list_id, NULL, norm, &e);
	}
	for (int s = 0; s < N_SLOTS; s++) {
		int rc;

		if (!(sel & slot_flag[s]) || !sl->has[s])
			continue;
		rc = rbl_journal_note(t, op, list_id, NULL, norm, &sl->e[s]);
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ writes */

int rbl_name_add(rbl_txn *t, uint32_t list_id, const char *name,
		 const rbl_entry *e)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	uint32_t sel;
	rbl_entry ne = { 0 };
	struct slots old = { 0 }, now = { 0 };
	int64_t delta = 0;
	size_t klen;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!name)
		return RBL_EINVAL;
	sel = strip_wildcard(&name);
	if (!(klen = text_key(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_NAME)) != RBL_OK ||
	    (rc = rbl_entry_prepare(t, e, RBL_ENTRY_EXCLUDE |
		RBL_ENTRY_HAS_TXT | SLOT_FLAGS, &ne)) != RBL_OK)
		return rc;
	if (!sel)
		sel = ne.flags & SLOT_FLAGS;
	if (!sel)
		sel = RBL_ENTRY_NAME_EXACT;
	if ((rc = slots_load(t, k, klen, &old)) != RBL_OK)
		return rc;
	now = old;
	for (int s = 0; s < N_SLOTS; s++) {
		if (!(sel & slot_flag[s]))
			continue;
		delta += !old.has[s];
		now.has[s] = true;
		now.e[s] = ne;
		now.e[s].flags = (ne.flags & ~(uint32_t)SLOT_FLAGS) |
				 slot_flag[s];
	}
	rc = journal_slots(t, RBL_CHANGE_DEL, list_id, norm, &old, sel);
	if (rc == RBL_OK)
		rc = slots_put(t, k, klen, &now,
			       !old.has[SLOT_EXACT] && !old.has[SLOT_SUBS]);
	if (rc == RBL_OK)
		rc = journal_slots(t, RBL_CHANGE_ADD, list_id, norm, &now, sel);
	if (rc == RBL_OK)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED, delta);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_name_del(rbl_txn *t, uint32_t list_id, const char *name)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	struct slots old = { 0 }, now = { 0 };
	uint32_t sel;
	int64_t delta = 0;
	size_t klen;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!name)
		return RBL_EINVAL;
	sel = strip_wildcard(&name);
	if (!sel)
		sel = RBL_ENTRY_NAME_EXACT;
	if (!(klen = text_key(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_NAME)) != RBL_OK ||
	    (rc = slots_load(t, k, klen, &old)) != RBL_OK)
		return rc;
	now = old;
	for (int s = 0; s < N_SLOTS; s++)
		if ((sel & slot_flag[s]) && old.has[s]) {
			now.has[s] = false;
			delta--;
		}
	if (delta == 0)
		return RBL_ENOTFOUND;
	rc = journal_slots(t, RBL_CHANGE_DEL, list_id, norm, &old, sel);
	if (rc == RBL_OK)
		rc = slots_put(t, k, klen, &now, false);
	if (rc == RBL_OK)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED, delta);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_name_get(rbl_txn *t, uint32_t list_id, const char *name,
		 rbl_entry *out)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	struct slots sl = { 0 };
	uint32_t sel;
	size_t klen;
	int rc;

	if (!name)
		return RBL_EINVAL;
	sel = strip_wildcard(&name);
	if (!(klen = text_key(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = slots_load(t, k, klen, &sl)) != RBL_OK)
		return rc;
	if (sel != RBL_ENTRY_NAME_SUBS && sl.has[SLOT_EXACT])
		*out = slot_view(&sl, SLOT_EXACT);
	else if (sl.has[SLOT_SUBS])
		*out = slot_view(&sl, SLOT_SUBS);
	else
		return RBL_ENOTFOUND;
	return RBL_OK;
}

int rbl_name_clear_list(rbl_txn *t, uint32_t list_id, uint64_t *n)
{
	uint8_t k[4];

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
		rc = slot_raw(&v, exact ? SLOT_EXACT : SLOT_SUBS, &p, &len);
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
	depth = wire_key(k, list_id, labels, lens, nlabels, ends);
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
	    wire_key(k, list_id, labels, lens, nlabels, ends) != nlabels)
		return 0;
	klen = ends[nlabels];
	if ((rc = name_cursor(t, &c)) != RBL_OK)
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

			if (slot_raw(&v, s, &p, &len) == RBL_OK &&
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

/* Text form of a name key (after the list id). */
static void key_to_text(const uint8_t *k, size_t len, char *out)
{
	size_t n = 0, end = len;

	/* labels are stored right to left, each followed by 0x00 */
	while (end > 0) {
		size_t start = end - 1;

		while (start > 0 && k[start - 1] != 0)
			start--;
		if (n)
			out[n++] = '.';
		memcpy(out + n, k + start, end - 1 - start);
		n += end - 1 - start;
		end = start;
	}
	out[n] = 0;
}

/* A name's entries: one with both flags when its slots hold the same
 * entry (rbldnsd's ".x"), else the exact one, then the subtree one. */
static int visit_slots(const struct slots *sl, const char *name,
		       rbl_name_visit_fn fn, void *arg)
{
	if (slots_equal(sl)) {
		rbl_entry e = slot_view(sl, SLOT_EXACT);

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
	struct slots sl = { 0 };
	int ret = RBL_OK, rc;

	rbl_put_be32(kb, list_id);
	if ((rc = mdb_cursor_open(t->txn, t->s->name, &c)))
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= 4 || k.mv_size > NAME_KEY_MAX ||
		    memcmp(k.mv_data, kb, 4) != 0)
			break;
		key_to_text((const uint8_t *)k.mv_data + 4, k.mv_size - 4,
			    name);
		if ((ret = slots_decode(&v, &sl)) != RBL_OK ||
		    (ret = visit_slots(&sl, name, fn, arg)) != 0)
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
	key_to_text((const uint8_t *)k->mv_data + 4, k->mv_size - 4,
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

			ret = slot_raw(&v, s, &p, &len);
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
	int rc = collect_expired_names(t, now, &es);

	for (size_t i = 0; rc == RBL_OK && i < es.n; i++) {
		rc = rbl_name_del(t, es.v[i].list_id, es.v[i].name);
		if (rc == RBL_OK)
			(*n)++;
	}
	free(es.v);
	return rc;
}
