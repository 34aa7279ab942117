/*
 * store_namekey.c -- the bottom of the name listings (store_name.h):
 * names as keys, from text and from wire labels and back, and a name's
 * two slots as one stored value, read, written and journalled.
 * store_name.c says what the slots are and how a value holds them.
 */
#include <string.h>

#include "zone/store/store_name.h"

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

static bool text_label_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '.';
}

/* Strip a wildcard prefix from *NAME and return the flags it implies. */
uint32_t rbl_name_wildcard(const char **name)
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
size_t rbl_namekey_text(uint8_t *k, uint32_t list_id, const char *name,
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
unsigned rbl_namekey_wire(uint8_t *k, uint32_t list_id,
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

/* The encoded entry of slot S in the stored value V (no copy): RBL_OK
 * and *P, *LEN; RBL_ENOTFOUND when the slot is empty; RBL_ESTORE. */
int rbl_slot_raw(const MDB_val *v, int s, const uint8_t **p, size_t *len)
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
	if (!((sel ? sel : RBL_ENTRY_NAME_EXACT) & rbl_slot_flag(s)))
		return RBL_ENOTFOUND;
	*p = b;
	*len = v->mv_size;
	return RBL_OK;
}

int rbl_slots_decode(const MDB_val *v, struct rbl_slots *sl)
{
	for (int s = 0; s < N_SLOTS; s++) {
		const uint8_t *p = NULL;
		size_t len = 0;
		int rc = rbl_slot_raw(v, s, &p, &len);

		sl->has[s] = rc == RBL_OK;
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK ||
		    (rc = rbl_entry_decode(p, len, &sl->e[s])) != RBL_OK)
			return rc;
		sl->e[s].flags = (sl->e[s].flags & ~(uint32_t)SLOT_FLAGS) |
				 rbl_slot_flag(s);
	}
	return RBL_OK;
}

/* The slots stored at key K (both empty when there is no record). */
int rbl_slots_load(rbl_txn *t, const uint8_t *k, size_t klen,
		   struct rbl_slots *sl)
{
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->name, k, klen, &v);

	sl->has[SLOT_EXACT] = sl->has[SLOT_SUBS] = false;
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	return rc == RBL_OK ? rbl_slots_decode(&v, sl) : rc;
}

/* Both slots hold the same entry (flags aside). */
bool rbl_slots_equal(const struct rbl_slots *sl)
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
rbl_entry rbl_slot_view(const struct rbl_slots *sl, int s)
{
	rbl_entry e = sl->e[s];

	if (rbl_slots_equal(sl))
		e.flags |= SLOT_FLAGS;
	return e;
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
int rbl_slots_put(rbl_txn *t, const uint8_t *k, size_t klen,
		  const struct rbl_slots *sl, bool is_new)
{
	uint8_t v[3 + 2 * RBL_ENTRY_ENC_MAX];
	size_t n, l0;
	int rc;

	if (!sl->has[SLOT_EXACT] && !sl->has[SLOT_SUBS]) {
		rc = rbl_db_del(t, t->s->name, k, klen);
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	}
	if (!sl->has[SLOT_EXACT] || !sl->has[SLOT_SUBS] ||
	    rbl_slots_equal(sl)) {
		rbl_entry e = rbl_slot_view(sl, sl->has[SLOT_EXACT] ?
					    SLOT_EXACT : SLOT_SUBS);

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
int rbl_slots_journal(rbl_txn *t, uint8_t op, uint32_t list_id,
		      const char *norm, const struct rbl_slots *sl,
		      uint32_t sel)
{
	if (sel == SLOT_FLAGS && rbl_slots_equal(sl)) {
		rbl_entry e = rbl_slot_view(sl, SLOT_EXACT);

		return rbl_journal_note(t, op, list_id, NULL, norm, &e);
	}
	for (int s = 0; s < N_SLOTS; s++) {
		int rc;

		if (!(sel & rbl_slot_flag(s)) || !sl->has[s])
			continue;
		rc = rbl_journal_note(t, op, list_id, NULL, norm, &sl->e[s]);
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* Text form of a name key (after the list id). */
void rbl_namekey_to_text(const uint8_t *k, size_t len, char *out)
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
