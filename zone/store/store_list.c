/*
 * store_list.c -- list records in the "meta" database.
 *
 * A list is stored twice: 'l'+id -> record and 'L'+name -> id, so lookups
 * by either are one get and rbl_list_foreach() walks names in order.
 * Record, version 1: u8 version, u32 id, u8 kind, u32 default_code,
 * u8 has_default_txt, str default_txt, str name, u64 n_entries,
 * u64 changed.  Entry counts are kept as deltas in the transaction and
 * written once at commit, so a bulk import does not rewrite the record
 * per entry.
 */
#include <string.h>
#include <strings.h>

#include "zone/store/store_impl.h"

#define LIST_VERSION	1
#define LIST_REC_MAX	(32 + 2 * 256)
#define DEFAULT_CODE	0x7f000002u

static size_t list_id_key(uint8_t *k, uint32_t id)
{
	k[0] = 'l';
	rbl_put_be32(k + 1, id);
	return 5;
}

static size_t list_name_key(uint8_t *k, const char *name)
{
	size_t n = strlen(name);

	k[0] = 'L';
	memcpy(k + 1, name, n);
	return n + 1;
}

static int list_put(rbl_txn *t, const rbl_list *l)
{
	uint8_t buf[LIST_REC_MAX], k[8];
	struct rbl_wbuf w = { buf, 0, sizeof buf, false };

	rbl_wb_u8(&w, LIST_VERSION);
	rbl_wb_u32(&w, l->id);
	rbl_wb_u8(&w, l->kind);
	rbl_wb_u32(&w, l->default_code);
	rbl_wb_u8(&w, l->has_default_txt);
	rbl_wb_str(&w, l->default_txt);
	rbl_wb_str(&w, l->name);
	rbl_wb_u64(&w, l->n_entries);
	rbl_wb_u64(&w, (uint64_t)l->changed);
	if (w.overflow)
		return RBL_ETOOBIG;
	return rbl_db_put(t, t->s->meta, k, list_id_key(k, l->id), buf, w.len,
			  0);
}

static int list_decode(const MDB_val *v, rbl_list *out)
{
	struct rbl_rbuf r = { v->mv_data, v->mv_size, 0, false };

	memset(out, 0, sizeof *out);
	if (rbl_rb_u8(&r) != LIST_VERSION)
		return RBL_ESTORE;
	out->id = rbl_rb_u32(&r);
	out->kind = rbl_rb_u8(&r);
	out->default_code = rbl_rb_u32(&r);
	out->has_default_txt = rbl_rb_u8(&r);
	rbl_rb_str(&r, out->default_txt, sizeof out->default_txt);
	rbl_rb_str(&r, out->name, sizeof out->name);
	out->n_entries = rbl_rb_u64(&r);
	out->changed = (int64_t)rbl_rb_u64(&r);
	return r.bad ? RBL_ESTORE : RBL_OK;
}

static bool list_name_ok(const char *name)
{
	size_t n = strnlen(name, RBL_LIST_NAME_MAX + 1);

	if (n == 0 || n > RBL_LIST_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

static bool defaults_ok(const rbl_list *l)
{
	return (l->default_code >> 24) == 127 &&
	       strnlen(l->default_txt, RBL_TXT_MAX + 1) <= RBL_TXT_MAX;
}

int rbl_list_get_id(rbl_txn *t, uint32_t id, rbl_list *out)
{
	uint8_t k[8];
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->meta, k, list_id_key(k, id), &v);

	return rc == RBL_OK ? list_decode(&v, out) : rc;
}

int rbl_list_get(rbl_txn *t, const char *name, rbl_list *out)
{
	uint8_t k[RBL_LIST_NAME_MAX + 2];
	MDB_val v = { 0 };
	int rc;

	if (!name || !list_name_ok(name))
		return RBL_ENOTFOUND;
	rc = rbl_db_get(t, t->s->meta, k, list_name_key(k, name), &v);
	if (rc != RBL_OK)
		return rc;
	if (v.mv_size != 4)
		return RBL_ESTORE;
	return rbl_list_get_id(t, rbl_get_be32(v.mv_data), out);
}

int rbl_meta_next_id(rbl_txn *t, const char *key, uint32_t *id)
{
	uint8_t buf[4];
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->meta, key, strlen(key), &v);

	if (rc == RBL_ENOTFOUND)
		*id = 1;
	else if (rc != RBL_OK)
		return rc;
	else if (v.mv_size != 4)
		return RBL_ESTORE;
	else
		*id = rbl_get_be32(v.mv_data);
	if (*id == UINT32_MAX)
		return RBL_ELIMIT;
	rbl_put_be32(buf, *id + 1);
	return rbl_db_put(t, t->s->meta, key, strlen(key), buf, 4, 0);
}

int rbl_list_create(rbl_txn *t, rbl_list *l)
{
	uint8_t k[RBL_LIST_NAME_MAX + 2], idb[4];
	size_t klen;
	MDB_val v = { 0 };
	rbl_list rec = *l;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!list_name_ok(l->name) || l->kind < 1 || l->kind > RBL_LIST_KINDS)
		return RBL_EINVAL;
	if (rec.default_code == 0)
		rec.default_code = DEFAULT_CODE;
	if (!defaults_ok(&rec))
		return RBL_EINVAL;
	klen = list_name_key(k, l->name);
	rc = rbl_db_get(t, t->s->meta, k, klen, &v);
	if (rc != RBL_ENOTFOUND)
		return rc == RBL_OK ? RBL_EEXIST : rc;
	if ((rc = rbl_meta_next_id(t, "#next_list", &rec.id)) != RBL_OK)
		return rbl_txn_fail(t, rc);
	rec.n_entries = 0;
	rec.changed = t->now;
	rbl_put_be32(idb, rec.id);
	if ((rc = list_put(t, &rec)) != RBL_OK ||
	    (rc = rbl_db_put(t, t->s->meta, k, klen, idb, 4, 0)) != RBL_OK)
		return rbl_txn_fail(t, rc);
	t->meta_changed = true;
	*l = rec;
	return RBL_OK;
}

int rbl_list_update(rbl_txn *t, const rbl_list *l)
{
	rbl_list rec = { 0 };
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if ((rc = rbl_list_get_id(t, l->id, &rec)) != RBL_OK)
		return rc;
	rec.default_code = l->default_code ? l->default_code : DEFAULT_CODE;
	rec.has_default_txt = l->has_default_txt ? 1 : 0;
	memcpy(rec.default_txt, l->default_txt, sizeof rec.default_txt);
	rec.default_txt[RBL_TXT_MAX] = 0;
	if (!defaults_ok(&rec) ||
	    strnlen(l->default_txt, RBL_TXT_MAX + 1) > RBL_TXT_MAX)
		return RBL_EINVAL;
	if ((rc = list_put(t, &rec)) != RBL_OK)
		return rbl_txn_fail(t, rc);
	t->meta_changed = true;
	/* answers change without entry changes: secondaries need it all */
	return rbl_txn_mark_list(t, rec.id, RBL_LIST_CHANGED | RBL_LIST_RESET,
				 0);
}

int rbl_list_drop_record(rbl_txn *t, const rbl_list *l)
{
	uint8_t k[RBL_LIST_NAME_MAX + 2];
	int rc;

	if ((rc = rbl_db_del(t, t->s->meta, k, list_id_key(k, l->id))) ||
	    (rc = rbl_db_del(t, t->s->meta, k, list_name_key(k, l->name))))
		return rbl_txn_fail(t, rc);
	rbl_list_cache_forget(t);
	t->meta_changed = true;
	return RBL_OK;
}

int rbl_list_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_list *l),
		     void *arg)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 1, "L" }, v = { 0 };
	rbl_list l = { 0 };
	int ret = RBL_OK, rc = mdb_cursor_open(t->txn, t->s->meta, &c);

	if (rc)
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == 0 && k.mv_size > 1 && ((uint8_t *)k.mv_data)[0] == 'L';
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (v.mv_size != 4)
			ret = RBL_ESTORE;
		else
			ret = rbl_list_get_id(t, rbl_get_be32(v.mv_data), &l);
		if (ret != RBL_OK || (ret = fn(arg, &l)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

/* ------------------------------------------------ kind cache */

void rbl_list_cache_forget(rbl_txn *t)
{
	t->n_kinds = 0;
}

bool rbl_list_kind_is_name(int kind)
{
	return kind == RBL_LIST_NAME || kind == RBL_LIST_HASH ||
	       kind == RBL_LIST_NEWLY_SEEN;
}

const char *rbl_list_kind_name(int kind)
{
	static const char *const names[RBL_LIST_KINDS + 1] = {
		"?", "ip", "name", "hash", "newly-seen" };

	return kind >= 1 && kind <= RBL_LIST_KINDS ? names[kind] : "?";
}

int rbl_list_kind_parse(const char *s)
{
	if (strcasecmp(s, "domain") == 0)
		return RBL_LIST_NAME;
	for (int k = 1; k <= RBL_LIST_KINDS; k++)
		if (strcasecmp(s, rbl_list_kind_name(k)) == 0)
			return k;
	return 0;
}

uint32_t rbl_newly_seen_code(int64_t expires, int64_t now, uint32_t fallback)
{
	int64_t hours;

	if (expires <= 0)
		return fallback;
	hours = (now - (expires - RBL_NEWLY_SEEN_WINDOW)) / 3600;
	if (hours < 2)
		hours = 2;
	if (hours > 24)
		hours = 24;
	return 0x7f000200u | (uint32_t)hours;
}

/* Listings of kinds A and B are stored alike (addresses, or names). */
static bool same_shape(int a, int b)
{
	return rbl_list_kind_is_name(a) == rbl_list_kind_is_name(b);
}

/* The cache is the common case (once per entry of an import): the list
 * record is read, and zeroed, only on a miss. */
static int kind_miss(rbl_txn *t, uint32_t list_id, uint8_t kind)
{
	rbl_list l = { 0 };
	int rc = rbl_list_get_id(t, list_id, &l);

	if (rc != RBL_OK)
		return rc;
	if (t->n_kinds == sizeof t->kinds / sizeof t->kinds[0])
		t->n_kinds = 0;
	t->kinds[t->n_kinds].id = list_id;
	t->kinds[t->n_kinds++].kind = l.kind;
	return same_shape(l.kind, kind) ? RBL_OK : RBL_EINVAL;
}

int rbl_list_check_kind(rbl_txn *t, uint32_t list_id, uint8_t kind)
{
	for (unsigned i = 0; i < t->n_kinds; i++)
		if (t->kinds[i].id == list_id)
			return same_shape(t->kinds[i].kind, kind) ? RBL_OK :
			       RBL_EINVAL;
	return kind_miss(t, list_id, kind);
}

/* ------------------------------------------------ commit */

int rbl_list_commit(rbl_txn *t)
{
	for (size_t i = 0; i < t->n_lists; i++) {
		struct rbl_list_state *ls = &t->lists[i];
		rbl_list l = { 0 };
		int rc = rbl_list_get_id(t, ls->id, &l);

		if (rc == RBL_ENOTFOUND)
			continue;	/* deleted in this transaction */
		if (rc != RBL_OK)
			return rc;
		if (ls->delta < 0 && (uint64_t)-ls->delta > l.n_entries)
			l.n_entries = 0;
		else
			l.n_entries += (uint64_t)ls->delta;
		if (ls->marks & RBL_LIST_CHANGED)
			l.changed = t->now;
		if ((rc = list_put(t, &l)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

int rbl_meta_bump_generation(rbl_txn *t)
{
	uint64_t gen = 0;
	uint8_t buf[8];
	int rc = rbl_store_generation(t, &gen);

	if (rc != RBL_OK)
		return rc;
	rbl_put_be64(buf, gen + 1);
	return rbl_db_put(t, t->s->meta, "#generation", 11, buf, 8, 0);
}

/* A read transaction reads it once per snapshot (rbld asks at every
 * batch): the same snapshot holds the same counter. */
int rbl_store_generation(rbl_txn *t, uint64_t *gen)
{
	MDB_val v = { 0 };
	int rc = 0;

	if (t->snap && t->gen_snap == t->snap) {
		*gen = t->gen;
		return RBL_OK;
	}
	rc = rbl_db_get(t, t->s->meta, "#generation", 11, &v);
	*gen = 0;
	if (rc != RBL_OK && rc != RBL_ENOTFOUND)
		return rc;
	if (rc == RBL_OK && v.mv_size != 8)
		return RBL_ESTORE;
	if (rc == RBL_OK)
		*gen = rbl_get_be64(v.mv_data);
	t->gen = *gen;
	t->gen_snap = t->snap;
	return RBL_OK;
}
