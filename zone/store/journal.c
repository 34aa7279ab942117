/*
 * journal.c -- the per-zone change journal behind IXFR.
 *
 * A write transaction records each listing change once, in list terms, in
 * a byte buffer (struct rbl_txn jbuf).  At commit every zone whose serial
 * moves gets, under key zone|serial|seq (big-endian u32 each):
 *   seq 0   header: u8 version, u8 kind (0 changes, 1 reset), u64 time
 *   seq 1.. one change: u8 version, u8 op, u32 list, u8 is_name,
 *           u8 key_len, key (prefix: family, len, address bytes; name:
 *           text), entry (rbl_entry_encode)
 * A reset header (zone creation, bulk import, list clear, settings change,
 * too many changes) means "no increments reach past here": older records of
 * the zone are dropped and a transfer from an older serial must be full.
 * Every serial has a header, so a gap (pruned or reset) is detected.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/store_impl.h"

#define JOURNAL_VERSION	1
#define HDR_CHANGES	0
#define HDR_RESET	1
#define CHANGE_MAX	(8 + 1 + 2 + RBL_NAME_MAX + RBL_ENTRY_ENC_MAX)

static size_t jkey(uint8_t *k, uint32_t zone, uint32_t serial, uint32_t seq)
{
	rbl_put_be32(k, zone);
	rbl_put_be32(k + 4, serial);
	rbl_put_be32(k + 8, seq);
	return 12;
}

static int jbuf_reserve(rbl_txn *t, size_t n)
{
	if (rbl_array_reserve(t->jbuf, t->jcap, t->jlen + n, 4096) != RBL_OK)
		return rbl_txn_fail(t, RBL_ENOMEM);
	return RBL_OK;
}

/* The change body as stored (without version byte); returns its length. */
static size_t change_encode(uint8_t *b, uint8_t op, uint32_t list_id,
			    const rbl_prefix *p, const char *name,
			    const rbl_entry *e)
{
	size_t n = 0, alen;

	b[n++] = op;
	rbl_put_be32(b + n, list_id);
	n += 4;
	b[n++] = name ? 1 : 0;
	if (name) {
		alen = strnlen(name, RBL_NAME_MAX);
		b[n++] = (uint8_t)alen;
		memcpy(b + n, name, alen);
	} else {
		alen = rbl_key_alen(p->addr.family);
		b[n++] = (uint8_t)(alen + 2);
		b[n] = p->addr.family;
		b[n + 1] = p->len;
		memcpy(b + n + 2, p->addr.bytes, alen);
		alen += 2;
	}
	n += alen;
	return n + rbl_entry_encode(e, b + n);
}

int rbl_journal_note(rbl_txn *t, uint8_t op, uint32_t list_id,
		     const rbl_prefix *p, const char *name,
		     const rbl_entry *e)
{
	size_t n;
	int rc;

	if (t->bulk || t->jover)
		return RBL_OK;
	if (t->n_changes >= RBL_JOURNAL_MAX_CHANGES) {
		t->jover = true;
		free(t->jbuf);
		t->jbuf = NULL;
		t->jlen = t->jcap = 0;
		return RBL_OK;
	}
	if ((rc = jbuf_reserve(t, CHANGE_MAX + 2)) != RBL_OK)
		return rc;
	n = change_encode(t->jbuf + t->jlen + 2, op, list_id, p, name, e);
	rbl_put_be16(t->jbuf + t->jlen, (uint16_t)n);
	t->jlen += n + 2;
	t->n_changes++;
	return RBL_OK;
}

static int write_header(rbl_txn *t, uint32_t zone, uint32_t serial,
			bool reset)
{
	uint8_t k[12], v[10];

	v[0] = JOURNAL_VERSION;
	v[1] = reset ? HDR_RESET : HDR_CHANGES;
	rbl_put_be64(v + 2, (uint64_t)t->now);
	return rbl_db_put(t, t->s->journal, k, jkey(k, zone, serial, 0), v,
			  sizeof v, 0);
}

static bool list_in(const uint32_t *lists, unsigned n, uint32_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (lists[i] == id)
			return true;
	return false;
}

int rbl_journal_write(rbl_txn *t, uint32_t zone_id, uint32_t serial,
		      bool reset, const uint32_t *lists, unsigned n_lists)
{
	uint8_t k[12], v[CHANGE_MAX + 1];
	uint32_t seq = 0;
	int rc;

	if (reset && (rc = rbl_journal_drop_zone(t, zone_id)) != RBL_OK)
		return rc;
	if ((rc = write_header(t, zone_id, serial, reset)) != RBL_OK || reset)
		return rc;
	for (size_t off = 0; off < t->jlen;) {
		size_t n = rbl_get_be16(t->jbuf + off);
		const uint8_t *c = t->jbuf + off + 2;

		off += n + 2;
		if (!list_in(lists, n_lists, rbl_get_be32(c + 1)))
			continue;
		v[0] = JOURNAL_VERSION;
		memcpy(v + 1, c, n);
		rc = rbl_db_put(t, t->s->journal, k,
				jkey(k, zone_id, serial, ++seq), v, n + 1, 0);
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

int rbl_journal_drop_zone(rbl_txn *t, uint32_t zone_id)
{
	uint8_t k[4];

	rbl_put_be32(k, zone_id);
	return rbl_db_del_prefix(t, t->s->journal, k, 4, NULL);
}

/* ------------------------------------------------------------ read */

static int change_decode(const MDB_val *v, uint32_t serial, rbl_change *c)
{
	struct rbl_rbuf r = { v->mv_data, v->mv_size, 0, false };
	uint8_t klen;

	memset(c, 0, sizeof *c);
	c->serial = serial;
	if (rbl_rb_u8(&r) != JOURNAL_VERSION)
		return RBL_ESTORE;
	c->op = rbl_rb_u8(&r);
	c->list_id = rbl_rb_u32(&r);
	c->is_name = rbl_rb_u8(&r);
	klen = rbl_rb_u8(&r);
	if (c->is_name) {
		rbl_rb_bytes(&r, c->name, klen);	/* klen <= 253 */
	} else {
		c->prefix.addr.family = rbl_rb_u8(&r);
		c->prefix.len = rbl_rb_u8(&r);
		if (klen != 2 + rbl_key_alen(c->prefix.addr.family))
			return RBL_ESTORE;
		rbl_rb_bytes(&r, c->prefix.addr.bytes, klen - 2u);
	}
	if (r.bad)
		return RBL_ESTORE;
	return rbl_entry_decode(r.p + r.pos, r.len - r.pos, &c->entry);
}

static uint32_t serial_next(uint32_t s)
{
	return s + 1 ? s + 1 : 1;
}

/* RBL_OK if every serial after FROM up to TO has a plain header. */
static int journal_reaches(rbl_txn *t, uint32_t zone, uint32_t from,
			   uint32_t to)
{
	uint8_t k[12];
	MDB_val v = { 0 };

	if (to - from > 0x7fffffffu)
		return RBL_ESTALE;	/* FROM is "ahead" of us */
	for (uint32_t s = serial_next(from);; s = serial_next(s)) {
		int rc = rbl_db_get(t, t->s->journal, k, jkey(k, zone, s, 0),
				    &v);

		if (rc == RBL_ENOTFOUND)
			return RBL_ESTALE;
		if (rc != RBL_OK)
			return rc;
		if (v.mv_size < 2 || ((uint8_t *)v.mv_data)[1] != HDR_CHANGES)
			return RBL_ESTALE;
		if (s == to)
			return RBL_OK;
	}
}

static int visit_serial(rbl_txn *t, MDB_cursor *c, uint32_t zone,
			uint32_t serial, rbl_change *ch,
			int (*fn)(void *arg, const rbl_change *c), void *arg)
{
	uint8_t kb[12];
	MDB_val k = { jkey(kb, zone, serial, 1), kb }, v = { 0 };
	int rc, ret;

	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == 0 && k.mv_size == 12 && memcmp(k.mv_data, kb, 8) == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((ret = change_decode(&v, serial, ch)) != RBL_OK)
			return ret;
		if ((ret = fn(arg, ch)) != 0)
			return ret;
	}
	return rc == 0 || rc == MDB_NOTFOUND ? RBL_OK : rbl_mdb_error(rc);
}

int rbl_journal_foreach(rbl_txn *t, uint32_t zone_id, uint32_t from,
			int (*fn)(void *arg, const rbl_change *c), void *arg)
{
	MDB_cursor *c = NULL;
	rbl_change *ch;
	uint32_t cur = 0;
	int rc = rbl_zone_serial(t, zone_id, &cur);

	if (rc != RBL_OK || from == cur)
		return rc;
	if ((rc = journal_reaches(t, zone_id, from, cur)) != RBL_OK)
		return rc;
	if (!(ch = calloc(1, sizeof *ch)))
		return RBL_ENOMEM;
	if ((rc = mdb_cursor_open(t->txn, t->s->journal, &c))) {
		free(ch);
		return rbl_mdb_error(rc);
	}
	for (uint32_t s = serial_next(from);; s = serial_next(s)) {
		rc = visit_serial(t, c, zone_id, s, ch, fn, arg);
		if (rc != RBL_OK || s == cur)
			break;
	}
	mdb_cursor_close(c);
	free(ch);
	return rc;
}

/* --------------------------------------------------------- prune */

int rbl_journal_prune(rbl_txn *t, int64_t now, int64_t keep_seconds)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	uint8_t group[8];
	bool dropping = false;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if ((rc = mdb_cursor_open(t->txn, t->s->journal, &c)))
		return rbl_txn_fail(t, rbl_mdb_error(rc));
	rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (rc == 0) {
		const uint8_t *kb = k.mv_data;

		if (k.mv_size == 12 && rbl_get_be32(kb + 8) == 0) {
			dropping = v.mv_size >= 10 &&
				   (int64_t)rbl_get_be64((uint8_t *)v.mv_data +
							 2) < now - keep_seconds;
			memcpy(group, kb, 8);
		}
		if (dropping && k.mv_size == 12 && !memcmp(kb, group, 8)) {
			if ((rc = mdb_cursor_del(c, 0)))
				break;
		}
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rbl_txn_fail(t, rbl_mdb_error(rc));
	return RBL_OK;
}
