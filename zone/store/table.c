/*
 * table.c -- named tables on LMDB named databases (see table.h).
 *
 * A thin layer: the store opens and caches the database handles
 * (rbl_store_db), every LMDB code is translated here, and a failed write
 * breaks the transaction (rbl_txn_fail) exactly where table.h says.
 */
#include <string.h>

#include "zone/store/store_impl.h"
#include "zone/store/table.h"

_Static_assert(_Generic((MDB_dbi)0, unsigned int: 1, default: 0),
	       "rbl_table keeps an MDB_dbi as unsigned int");
_Static_assert(RBL_TABLE_NAME_MAX == RBL_DB_NAME_MAX,
	       "table names are the store's extra database names");

#define KEY_MAX		511	/* LMDB's default maximum key size */

enum { ITER_BEFORE, ITER_ON, ITER_DONE, ITER_DELETED };	/* it->state */

int rbl_table_open(rbl_txn *t, const char *name, rbl_table *out)
{
	MDB_dbi dbi = 0;
	int rc = rbl_store_db(t, name, &dbi);

	out->txn = t;
	out->dbi = dbi;
	return rc;
}

static MDB_txn *mdb_of(const rbl_table *tb)
{
	return tb->txn->txn;
}

/* A write's LMDB code RC as an rbl_error; failures other than the
 * answers KEEP (MDB_KEYEXIST, MDB_NOTFOUND, or 0) break the txn. */
static int write_result(const rbl_table *tb, int rc, int keep)
{
	if (rc == MDB_SUCCESS)
		return RBL_OK;
	if (rc == keep)
		return rbl_mdb_error(rc);
	return rbl_txn_fail(tb->txn, rbl_mdb_error(rc));
}

int rbl_table_get(const rbl_table *tb, const void *key, size_t klen,
		  rbl_val *val)
{
	MDB_val k = { klen, (void *)key }, v = { 0, NULL };
	int rc = mdb_get(mdb_of(tb), tb->dbi, &k, &v);

	val->p = v.mv_data;
	val->len = v.mv_size;
	return rbl_mdb_error(rc);
}

int rbl_table_put(const rbl_table *tb, const void *key, size_t klen,
		  const void *val, size_t vlen, unsigned flags)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	unsigned mf = (flags & RBL_TABLE_NEW ? MDB_NOOVERWRITE : 0) |
		      (flags & RBL_TABLE_APPEND ? MDB_APPEND : 0);

	return write_result(tb, mdb_put(mdb_of(tb), tb->dbi, &k, &v, mf),
			    MDB_KEYEXIST);
}

int rbl_table_del(const rbl_table *tb, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };

	return write_result(tb, mdb_del(mdb_of(tb), tb->dbi, &k, NULL),
			    MDB_NOTFOUND);
}

int rbl_table_del_prefix(const rbl_table *tb, const void *prefix,
			 size_t plen, uint64_t *n)
{
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	uint64_t count = 0;
	int rc = 0;

	rbl_table_iter_init(&it, tb, plen ? prefix : NULL, plen,
			    RBL_TABLE_PREFIX);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1 &&
	       (rc = rbl_table_iter_del(&it)) == RBL_OK)
		count++;
	rbl_table_iter_end(&it);
	if (n)
		*n = count;
	return rc < 0 ? rbl_txn_fail(tb->txn, rc) : RBL_OK;
}

int rbl_table_next_id(const rbl_table *tb, size_t id_len, uint64_t *id)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	uint64_t last = 0;
	int rc = 0;

	if (id_len != 4 && id_len != 8)
		return RBL_EINVAL;
	if ((rc = mdb_cursor_open(mdb_of(tb), tb->dbi, &c)))
		return rbl_mdb_error(rc);
	rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND) {
		*id = 1;
		return RBL_OK;
	}
	if (rc)
		return rbl_mdb_error(rc);
	if (k.mv_size != id_len)
		return RBL_ESTORE;
	last = id_len == 4 ? rbl_get_be32(k.mv_data) : rbl_get_be64(k.mv_data);
	if (last == (id_len == 4 ? UINT32_MAX : UINT64_MAX))
		return RBL_ELIMIT;
	*id = last + 1;
	return RBL_OK;
}

int rbl_table_count(const rbl_table *tb, uint64_t *n)
{
	MDB_stat st = { 0 };
	int rc = mdb_stat(mdb_of(tb), tb->dbi, &st);

	*n = rc ? 0 : st.ms_entries;
	return rbl_mdb_error(rc);
}

/* ------------------------------------------------------------ iterating */

void rbl_table_iter_init(rbl_table_iter *it, const rbl_table *tb,
			 const void *from, size_t from_len, unsigned flags)
{
	memset(it, 0, sizeof *it);
	it->tb = *tb;
	it->from = from;
	it->from_len = from ? from_len : 0;
	it->flags = flags;
}

/* The first key after every key starting with P (PLEN bytes) into OUT:
 * its length, 0 when there is none (P is all 0xff). */
static size_t prefix_end(const uint8_t *p, size_t plen, uint8_t *out)
{
	while (plen > 0 && p[plen - 1] == 0xff)
		plen--;
	if (plen == 0)
		return 0;
	memcpy(out, p, plen);
	out[plen - 1]++;
	return plen;
}

/* Backward from FROM: onto the last key <= FROM, or before every key
 * starting with FROM (RBL_TABLE_PREFIX). */
static int seek_back(rbl_table_iter *it, MDB_val *k, MDB_val *v)
{
	MDB_cursor *c = it->cursor;
	uint8_t end[KEY_MAX] = { 0 };
	MDB_val seek = { it->from_len, (void *)it->from };
	int rc = 0;

	if (it->flags & RBL_TABLE_PREFIX) {
		if (it->from_len > KEY_MAX)
			return MDB_NOTFOUND;
		seek.mv_size = prefix_end(it->from, it->from_len, end);
		seek.mv_data = end;
		if (seek.mv_size == 0)
			return mdb_cursor_get(c, k, v, MDB_LAST);
	}
	*k = seek;
	rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	if (rc == MDB_NOTFOUND)
		return mdb_cursor_get(c, k, v, MDB_LAST);
	if (rc)
		return rc;
	if ((it->flags & RBL_TABLE_PREFIX) ||
	    k->mv_size != seek.mv_size ||
	    memcmp(k->mv_data, seek.mv_data, seek.mv_size) != 0)
		return mdb_cursor_get(c, k, v, MDB_PREV);
	return rc;		/* FROM itself */
}

static int first_step(rbl_table_iter *it, MDB_val *k, MDB_val *v)
{
	bool back = it->flags & RBL_TABLE_BACKWARD;
	MDB_cursor *c = NULL;
	int rc = mdb_cursor_open(mdb_of(&it->tb), it->tb.dbi, &c);

	if (rc)
		return rc;
	it->cursor = c;
	if (!it->from)
		return mdb_cursor_get(it->cursor, k, v,
				      back ? MDB_LAST : MDB_FIRST);
	if (back)
		return seek_back(it, k, v);
	k->mv_size = it->from_len;
	k->mv_data = (void *)it->from;
	return mdb_cursor_get(it->cursor, k, v, MDB_SET_RANGE);
}

static bool in_prefix(const rbl_table_iter *it, const MDB_val *k)
{
	return !(it->flags & RBL_TABLE_PREFIX) || it->from_len == 0 ||
	       (k->mv_size >= it->from_len &&
		memcmp(k->mv_data, it->from, it->from_len) == 0);
}

int rbl_table_next(rbl_table_iter *it, rbl_val *key, rbl_val *val)
{
	MDB_val k = { 0, NULL }, v = { 0, NULL };
	int rc = 0;

	if (it->state == ITER_DONE)
		return 0;
	if (it->state == ITER_BEFORE)
		rc = first_step(it, &k, &v);
	else
		rc = mdb_cursor_get(it->cursor, &k, &v,
				    it->flags & RBL_TABLE_BACKWARD ? MDB_PREV
								   : MDB_NEXT);
	if (rc == MDB_SUCCESS && !in_prefix(it, &k))
		rc = MDB_NOTFOUND;
	if (rc) {
		it->state = ITER_DONE;
		return rc == MDB_NOTFOUND ? 0 : rbl_mdb_error(rc);
	}
	it->state = ITER_ON;
	*key = (rbl_val){ k.mv_data, k.mv_size };
	*val = (rbl_val){ v.mv_data, v.mv_size };
	return 1;
}

int rbl_table_iter_del(rbl_table_iter *it)
{
	int rc = 0;

	if (it->state != ITER_ON)
		return RBL_EINVAL;
	rc = write_result(&it->tb, mdb_cursor_del(it->cursor, 0), 0);
	if (rc == RBL_OK)
		it->state = ITER_DELETED;
	return rc;
}

int rbl_table_iter_put(rbl_table_iter *it, const void *val, size_t vlen)
{
	uint8_t kb[KEY_MAX] = { 0 };
	MDB_val k, cur, v = { vlen, (void *)val };
	int rc = 0;

	if (it->state != ITER_ON)
		return RBL_EINVAL;
	/* The key as it is now (writes since the step may have moved it),
	 * copied: replacing a value of another size rewrites the node. */
	rc = mdb_cursor_get(it->cursor, &k, &cur, MDB_GET_CURRENT);
	if (rc == MDB_SUCCESS && k.mv_size > sizeof kb)
		rc = MDB_BAD_VALSIZE;
	if (rc)
		return rbl_mdb_error(rc);
	memcpy(kb, k.mv_data, k.mv_size);
	k.mv_data = kb;
	return write_result(&it->tb, mdb_cursor_put(it->cursor, &k, &v,
						    MDB_CURRENT), 0);
}

void rbl_table_iter_end(rbl_table_iter *it)
{
	if (it->cursor)
		mdb_cursor_close(it->cursor);
	it->cursor = NULL;
	it->state = ITER_DONE;
}

int rbl_txn_touch_generation(rbl_txn *t)
{
	if (!t->write)
		return RBL_EREADONLY;
	t->meta_changed = true;
	return RBL_OK;
}
