/*
 * store_name.c -- domain-name listings ("name" database).
 *
 * Key: list id, then the labels from the right, lowercased, each followed
 * by a 0x00 byte ("com\0example\0bad\0").  The key of every ancestor of a
 * name is a prefix of the name's key, so a lookup builds one key in a
 * stack buffer and probes it at decreasing lengths (one get per label),
 * and everything below a name sorts right after it.
 *
 * Text forms accepted by add/del/get: "x" (the entry's flags decide,
 * neither flag = the name itself), and rbldnsd's "*.x" (adds
 * RBL_ENTRY_NAME_SUBS) and ".x" (adds EXACT and SUBS).  One name holds one
 * entry: adding "*.x" after "x" replaces it.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

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

/* ------------------------------------------------------------ writes */

int rbl_name_add(rbl_txn *t, uint32_t list_id, const char *name,
		 const rbl_entry *e)
{
	uint8_t k[NAME_KEY_MAX], v[RBL_ENTRY_ENC_MAX];
	char norm[RBL_NAME_MAX + 1];
	uint32_t wild;
	rbl_entry ne, old;
	size_t klen;
	MDB_val ov;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!name)
		return RBL_EINVAL;
	wild = strip_wildcard(&name);
	if (!(klen = text_key(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_NAME)) != RBL_OK ||
	    (rc = rbl_entry_prepare(t, e, RBL_ENTRY_EXCLUDE |
		RBL_ENTRY_HAS_TXT | RBL_ENTRY_NAME_EXACT |
		RBL_ENTRY_NAME_SUBS, &ne)) != RBL_OK)
		return rc;
	if (wild)
		ne.flags = (ne.flags & ~(uint32_t)RBL_ENTRY_NAME_EXACT) | wild;
	if (!(ne.flags & (RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS)))
		ne.flags |= RBL_ENTRY_NAME_EXACT;
	rc = rbl_db_get(t, t->s->name, k, klen, &ov);
	if (rc == RBL_OK)
		rc = rbl_entry_decode(ov.mv_data, ov.mv_size, &old);
	if (rc == RBL_OK)
		rc = rbl_journal_note(t, RBL_CHANGE_DEL, list_id, NULL, norm,
				      &old);
	else if (rc == RBL_ENOTFOUND)
		rc = rbl_txn_mark_list(t, list_id, 0, 1);
	if (rc == RBL_OK)
		rc = rbl_db_put(t, t->s->name, k, klen, v,
				rbl_entry_encode(&ne, v), 0);
	if (rc == RBL_OK)
		rc = rbl_journal_note(t, RBL_CHANGE_ADD, list_id, NULL, norm,
				      &ne);
	if (rc == RBL_OK)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED, 0);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_name_del(rbl_txn *t, uint32_t list_id, const char *name)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	rbl_entry old;
	size_t klen;
	MDB_val v;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!name)
		return RBL_EINVAL;
	strip_wildcard(&name);
	if (!(klen = text_key(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_NAME)) != RBL_OK ||
	    (rc = rbl_db_get(t, t->s->name, k, klen, &v)) != RBL_OK ||
	    (rc = rbl_entry_decode(v.mv_data, v.mv_size, &old)) != RBL_OK)
		return rc;
	if ((rc = rbl_db_del(t, t->s->name, k, klen)) == RBL_OK &&
	    (rc = rbl_journal_note(t, RBL_CHANGE_DEL, list_id, NULL, norm,
				   &old)) == RBL_OK)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED, -1);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_name_get(rbl_txn *t, uint32_t list_id, const char *name,
		 rbl_entry *out)
{
	uint8_t k[NAME_KEY_MAX];
	char norm[RBL_NAME_MAX + 1];
	size_t klen;
	MDB_val v;
	int rc;

	if (!name)
		return RBL_EINVAL;
	strip_wildcard(&name);
	if (!(klen = text_key(k, list_id, name, norm)))
		return RBL_EINVAL;
	if ((rc = rbl_db_get(t, t->s->name, k, klen, &v)) != RBL_OK)
		return rc;
	return rbl_entry_decode(v.mv_data, v.mv_size, out);
}

int rbl_name_clear_list(rbl_txn *t, uint32_t list_id, uint64_t *n)
{
	uint8_t k[4];

	rbl_put_be32(k, list_id);
	return rbl_db_del_prefix(t, t->s->name, k, 4, n);
}

/* ----------------------------------------------------------- lookups */

/* Probe the first KLEN bytes of K.  EXACT: the queried name itself, else
 * an ancestor (only subtree entries apply).  Returns RBL_OK (listed),
 * RBL_ENOTFOUND (excluded) with *DECIDED, or leaves *DECIDED false. */
static int probe(rbl_txn *t, const uint8_t *k, size_t klen, bool exact,
		 int64_t now, rbl_match *m, bool *decided)
{
	uint32_t flags, sel;
	MDB_val v;
	int rc = rbl_db_get(t, t->s->name, k, klen, &v);

	*decided = false;
	if (rc != RBL_OK)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	if ((rc = rbl_entry_match(v.mv_data, v.mv_size, &flags, m)) != RBL_OK)
		return rc;
	sel = flags & (RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS);
	if (exact ? (sel && !(sel & RBL_ENTRY_NAME_EXACT))
		  : !(sel & RBL_ENTRY_NAME_SUBS))
		return RBL_OK;
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
	bool decided;
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
	MDB_val key, v;
	rbl_match m;
	uint32_t flags;
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
		if (rbl_entry_match(v.mv_data, v.mv_size, &flags, &m) ==
			    RBL_OK &&
		    (key.mv_size > klen || (flags & RBL_ENTRY_NAME_SUBS)) &&
		    !(flags & RBL_ENTRY_EXCLUDE) && rbl_live(m.expires, now))
			return 1;
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

int rbl_name_foreach(rbl_txn *t, uint32_t list_id, rbl_name_visit_fn fn,
		     void *arg)
{
	uint8_t kb[4];
	char name[NAME_KEY_MAX];
	MDB_val k = { 4, kb }, v;
	MDB_cursor *c = NULL;
	rbl_entry e;
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
		if ((ret = rbl_entry_decode(v.mv_data, v.mv_size, &e)) ||
		    (ret = fn(arg, name, &e)) != 0)
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
	char name[NAME_KEY_MAX];
};

static int collect_expired_names(rbl_txn *t, int64_t now,
				 struct expired_name **out, size_t *n)
{
	MDB_cursor *c = NULL;
	MDB_val k, v;
	rbl_match m;
	uint32_t flags;
	size_t cap = 0;
	int ret = RBL_OK, rc = mdb_cursor_open(t->txn, t->s->name, &c);

	if (rc)
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= 4 || k.mv_size > NAME_KEY_MAX ||
		    (ret = rbl_entry_match(v.mv_data, v.mv_size, &flags, &m)))
			break;
		if (rbl_live(m.expires, now))
			continue;
		if (*n == cap) {
			void *p = realloc(*out, (cap = cap ? 2 * cap : 64) *
						sizeof **out);

			if (!p) {
				ret = RBL_ENOMEM;
				break;
			}
			*out = p;
		}
		(*out)[*n].list_id = rbl_get_be32(k.mv_data);
		key_to_text((const uint8_t *)k.mv_data + 4, k.mv_size - 4,
			    (*out)[(*n)++].name);
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

int rbl_name_purge(rbl_txn *t, int64_t now, uint64_t *n)
{
	struct expired_name *v = NULL;
	size_t count = 0;
	int rc = collect_expired_names(t, now, &v, &count);

	for (size_t i = 0; rc == RBL_OK && i < count; i++) {
		rc = rbl_name_del(t, v[i].list_id, v[i].name);
		if (rc == RBL_OK)
			(*n)++;
	}
	free(v);
	return rc;
}
