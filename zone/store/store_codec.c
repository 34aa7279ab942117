/*
 * store_codec.c -- byte layouts of the store's keys and values, the checks
 * of what goes into them (entries, names in text), and thin put/get/delete
 * wrappers that translate LMDB errors.
 *
 * Entry value ("ipent", "name"), version 1:
 *   u8 version, u8 flags, u8 n_codes, n_codes x u32 code, u64 expires,
 *   u64 added, u8 txt_len, txt, u8 source_len, source
 * Chain item (inside "ipseg" values), only what an answer needs:
 *   u8 flags, u8 n_codes, n_codes x u32 code, u64 expires, u8 txt_len, txt
 *   (txt only when RBL_ENTRY_HAS_TXT)
 * All integers big-endian.
 */
#include <string.h>

#include "zone/store/store_impl.h"

#define ENTRY_VERSION 1

size_t rbl_ipkey(uint8_t *k, uint32_t list_id, const rbl_addr *a)
{
	unsigned alen = rbl_key_alen(a->family);

	rbl_put_be32(k, list_id);
	k[4] = a->family;
	memcpy(k + 5, a->bytes, alen);
	return 5 + alen;
}

size_t rbl_ipent_key(uint8_t *k, uint32_t list_id, const rbl_prefix *p)
{
	size_t n = rbl_ipkey(k, list_id, &p->addr);

	k[n] = p->len;
	return n + 1;
}

int rbl_ipent_key_decode(const MDB_val *k, uint32_t *list_id, rbl_prefix *p)
{
	const uint8_t *b = k->mv_data;
	unsigned alen;

	if (k->mv_size < 6 || (b[4] != RBL_AF4 && b[4] != RBL_AF6))
		return RBL_ESTORE;
	alen = rbl_key_alen(b[4]);
	if (k->mv_size != 6 + alen || b[5 + alen] > 8 * alen)
		return RBL_ESTORE;
	memset(p, 0, sizeof *p);
	*list_id = rbl_get_be32(b);
	p->addr.family = b[4];
	memcpy(p->addr.bytes, b + 5, alen);
	p->len = b[5 + alen];
	return RBL_OK;
}

size_t rbl_entry_encode(const rbl_entry *e, uint8_t *buf)
{
	size_t n = 0, tl = strnlen(e->txt, RBL_TXT_MAX),
	       sl = strnlen(e->source, RBL_SOURCE_MAX);

	buf[n++] = ENTRY_VERSION;
	buf[n++] = (uint8_t)e->flags;
	buf[n++] = e->n_codes;
	for (unsigned i = 0; i < e->n_codes && i < RBL_MAX_CODES; i++, n += 4)
		rbl_put_be32(buf + n, e->codes[i]);
	rbl_put_be64(buf + n, (uint64_t)e->expires);
	rbl_put_be64(buf + n + 8, (uint64_t)e->added);
	n += 16;
	buf[n++] = (uint8_t)tl;
	memcpy(buf + n, e->txt, tl);
	n += tl;
	buf[n++] = (uint8_t)sl;
	memcpy(buf + n, e->source, sl);
	return n + sl;
}

int rbl_entry_decode(const void *data, size_t len, rbl_entry *out)
{
	struct rbl_rbuf r = { data, len, 0, false };

	rbl_entry_init(out);
	if (rbl_rb_u8(&r) != ENTRY_VERSION)
		return RBL_ESTORE;
	out->flags = rbl_rb_u8(&r);
	out->n_codes = rbl_rb_u8(&r);
	if (out->n_codes > RBL_MAX_CODES)
		return RBL_ESTORE;
	for (unsigned i = 0; i < out->n_codes; i++)
		out->codes[i] = rbl_rb_u32(&r);
	out->expires = (int64_t)rbl_rb_u64(&r);
	out->added = (int64_t)rbl_rb_u64(&r);
	rbl_rb_str(&r, out->txt, sizeof out->txt);
	rbl_rb_str(&r, out->source, sizeof out->source);
	return r.bad ? RBL_ESTORE : RBL_OK;
}

int rbl_entry_match(const void *data, size_t len, uint32_t *flags,
		    rbl_match *m)
{
	const uint8_t *p = data;
	size_t n;

	if (len < 3 || p[0] != ENTRY_VERSION || p[2] > RBL_MAX_CODES)
		return RBL_ESTORE;
	*flags = p[1];
	m->n_codes = p[2];
	n = 3 + 4u * m->n_codes;
	if (len < n + 17)
		return RBL_ESTORE;
	for (unsigned i = 0; i < m->n_codes; i++)
		m->codes[i] = rbl_get_be32(p + 3 + 4 * i);
	m->expires = (int64_t)rbl_get_be64(p + n);
	n += 16;
	m->txt_len = p[n++];
	if (len < n + m->txt_len)
		return RBL_ESTORE;
	m->has_txt = (*flags & RBL_ENTRY_HAS_TXT) != 0;
	m->txt = (const char *)p + n;
	if (!m->has_txt)
		m->txt_len = 0;
	return RBL_OK;
}

size_t rbl_chain_encode(const rbl_entry *e, uint8_t *buf)
{
	size_t n = 0, tl = 0;

	if (e->flags & RBL_ENTRY_HAS_TXT)
		tl = strnlen(e->txt, RBL_TXT_MAX);
	buf[n++] = (uint8_t)e->flags;
	buf[n++] = e->n_codes;
	for (unsigned i = 0; i < e->n_codes && i < RBL_MAX_CODES; i++, n += 4)
		rbl_put_be32(buf + n, e->codes[i]);
	rbl_put_be64(buf + n, (uint64_t)e->expires);
	n += 8;
	buf[n++] = (uint8_t)tl;
	memcpy(buf + n, e->txt, tl);
	return n + tl;
}

size_t rbl_chain_decode(const uint8_t *p, size_t len, uint32_t *flags,
			rbl_match *m)
{
	size_t n;
	uint8_t nc;

	if (len < 11 || (nc = p[1]) > RBL_MAX_CODES || len < 11 + 4u * nc)
		return 0;
	*flags = p[0];
	m->n_codes = nc;
	for (unsigned i = 0; i < nc; i++)
		m->codes[i] = rbl_get_be32(p + 2 + 4 * i);
	n = 2 + 4u * nc;
	m->expires = (int64_t)rbl_get_be64(p + n);
	n += 8;
	m->txt_len = p[n++];
	if (len < n + m->txt_len)
		return 0;
	m->has_txt = (*flags & RBL_ENTRY_HAS_TXT) != 0;
	m->txt = (const char *)p + n;
	return n + m->txt_len;
}

/* ------------------------------------------------- checks */

/* Entries are checked here, below the listing parts that all store them. */
int rbl_entry_prepare(rbl_txn *t, const rbl_entry *in, uint32_t allowed,
		      rbl_entry *out)
{
	if (!in || (in->flags & ~allowed) || in->n_codes > RBL_MAX_CODES ||
	    in->expires < 0 || in->added < 0 ||
	    strnlen(in->txt, sizeof in->txt) > RBL_TXT_MAX ||
	    strnlen(in->source, sizeof in->source) > RBL_SOURCE_MAX)
		return RBL_EINVAL;
	for (unsigned i = 0; i < in->n_codes; i++)
		if (in->codes[i] >> 24 != 127)
			return RBL_EINVAL;
	*out = *in;
	for (unsigned i = in->n_codes; i < RBL_MAX_CODES; i++)
		out->codes[i] = 0;
	if (out->added == 0)
		out->added = t->now;
	if (!out->source[0])
		memcpy(out->source, t->source, sizeof out->source);
	return RBL_OK;
}

/* Names in text: zone, host and owner names (store_zone.c, zrec.c). */
static bool label_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int rbl_name_text_check(const char *name, bool allow_empty)
{
	size_t n = strnlen(name, RBL_NAME_MAX + 1), lab = 0;

	if (n == 0)
		return allow_empty ? RBL_OK : RBL_EINVAL;
	if (n > RBL_NAME_MAX)
		return RBL_EINVAL;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || name[i] == '.') {
			if (lab == 0 || lab > RBL_LABEL_MAX)
				return RBL_EINVAL;
			lab = 0;
		} else if (!label_char_ok(name[i])) {
			return RBL_EINVAL;
		} else {
			lab++;
		}
	}
	return RBL_OK;
}

/* ------------------------------------------------- LMDB wrappers */

int rbl_db_put(rbl_txn *t, MDB_dbi dbi, const void *k, size_t klen,
	       const void *v, size_t vlen, unsigned flags)
{
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };
	int rc = mdb_put(t->txn, dbi, &key, &val, flags);

	return rc ? rbl_txn_fail(t, rbl_mdb_error(rc)) : RBL_OK;
}

int rbl_db_get(rbl_txn *t, MDB_dbi dbi, const void *k, size_t klen,
	       MDB_val *v)
{
	MDB_val key = { klen, (void *)k };

	return rbl_mdb_error(mdb_get(t->txn, dbi, &key, v));
}

int rbl_db_del(rbl_txn *t, MDB_dbi dbi, const void *k, size_t klen)
{
	MDB_val key = { klen, (void *)k };
	int rc = mdb_del(t->txn, dbi, &key, NULL);

	if (rc == MDB_NOTFOUND)
		return RBL_ENOTFOUND;
	return rc ? rbl_txn_fail(t, rbl_mdb_error(rc)) : RBL_OK;
}

int rbl_db_del_prefix(rbl_txn *t, MDB_dbi dbi, const void *prefix,
		      size_t plen, uint64_t *n)
{
	MDB_cursor *c = NULL;
	MDB_val k = { plen, (void *)prefix }, v = { 0 };
	int rc = mdb_cursor_open(t->txn, dbi, &c);

	if (n)
		*n = 0;
	if (rc)
		return rbl_txn_fail(t, rbl_mdb_error(rc));
	rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && k.mv_size >= plen &&
	       memcmp(k.mv_data, prefix, plen) == 0) {
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		if (n)
			(*n)++;
		/* after a delete, MDB_NEXT yields the record that followed */
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rc == 0 || rc == MDB_NOTFOUND)
		return RBL_OK;
	return rbl_txn_fail(t, rbl_mdb_error(rc));
}
