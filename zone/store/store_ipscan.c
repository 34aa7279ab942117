/*
 * store_ipscan.c -- IP chunks in the store, as stored: their keys, seeking
 * the chunk that owns an address, walking the entries in key order,
 * writing and deleting whole chunks.  The bottom of the IP files: it
 * calls only the codecs (store_chunk.c, store_codec.c) and the txn.  A
 * write transaction's pending changes (store_ipw.c, store_replace.c) are
 * not seen here: the callers above write them first (store_ip.c).
 */
#include <string.h>

#include "zone/store/store_impl.h"
#include "zone/store/store_ipw.h"

size_t rbl_ipck_key(uint8_t *k, uint32_t list_id, uint8_t family,
		    const uint8_t *addr)
{
	unsigned alen = rbl_key_alen(family);

	rbl_put_be32(k, list_id);
	k[4] = family;
	memcpy(k + 5, addr, alen);
	return 5 + alen;
}

static bool same_run(const MDB_val *k, const uint8_t *kb, size_t klen)
{
	return k->mv_size == klen && memcmp(k->mv_data, kb, 5) == 0;
}

int rbl_ipck_seek(MDB_cursor *c, uint32_t list_id, uint8_t family,
		  const uint8_t *addr, bool or_next, MDB_val *k, MDB_val *v)
{
	uint8_t kb[RBL_IPCK_KEY_MAX] = { 0 };
	size_t klen = rbl_ipck_key(kb, list_id, family, addr);
	int rc = 0;

	k->mv_size = klen;
	k->mv_data = kb;
	rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	if (rc == 0 && k->mv_size == klen && !memcmp(k->mv_data, kb, klen))
		return RBL_OK;
	if (rc == 0) {
		bool next_ok = same_run(k, kb, klen);

		rc = mdb_cursor_get(c, k, v, MDB_PREV);
		if (rc == 0 && same_run(k, kb, klen))
			return RBL_OK;
		if (!or_next || !next_ok)
			return rc == 0 || rc == MDB_NOTFOUND ? RBL_ENOTFOUND
							     : rbl_mdb_error(rc);
		/* back to the one after */
		k->mv_size = klen;
		k->mv_data = kb;
		rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
		return rc ? rbl_mdb_error(rc) : RBL_OK;
	}
	if (rc != MDB_NOTFOUND)
		return rbl_mdb_error(rc);
	rc = mdb_cursor_get(c, k, v, MDB_LAST);
	if (rc == 0 && same_run(k, kb, klen))
		return RBL_OK;
	return rc == 0 || rc == MDB_NOTFOUND ? RBL_ENOTFOUND
					     : rbl_mdb_error(rc);
}

int rbl_ipck_next(MDB_cursor *c, MDB_val *k, MDB_val *v)
{
	uint8_t kb[5] = { 0 };
	size_t klen = k->mv_size;
	int rc = 0;

	memcpy(kb, k->mv_data, 5);
	rc = mdb_cursor_get(c, k, v, MDB_NEXT);
	if (rc == MDB_NOTFOUND)
		return RBL_ENOTFOUND;
	if (rc)
		return rbl_mdb_error(rc);
	return k->mv_size == klen && !memcmp(k->mv_data, kb, 5)
		       ? RBL_OK : RBL_ENOTFOUND;
}

void rbl_ipck_prefix(rbl_prefix *p, uint8_t family, const uint8_t *start,
		     unsigned len, bool canon)
{
	memset(p, 0, sizeof *p);
	p->addr.family = family;
	memcpy(p->addr.bytes, start, rbl_key_alen(family));
	p->len = (uint8_t)len;
	if (canon)
		rbl_prefix_canon(p);
}

int rbl_ipck_foreach(rbl_txn *t, uint32_t list_id, uint8_t family,
		     int (*fn)(void *arg, const uint8_t *key,
			       const void *data, size_t len),
		     void *arg)
{
	static const uint8_t zero[16];
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int ret = 0, rc = mdb_cursor_open(t->txn, t->s->ipchunk, &c);

	if (rc)
		return rbl_mdb_error(rc);
	for (rc = rbl_ipck_seek(c, list_id, family, zero, true, &k, &v);
	     rc == RBL_OK && ret == 0; rc = rbl_ipck_next(c, &k, &v))
		ret = fn(arg, (const uint8_t *)k.mv_data + 5, v.mv_data,
			 v.mv_size);
	mdb_cursor_close(c);
	if (ret == 0 && rc != RBL_OK && rc != RBL_ENOTFOUND)
		ret = rc;
	return ret;
}

int rbl_ip_walk(rbl_txn *t, uint32_t list_id, uint8_t family,
		const uint8_t *from, bool covering, rbl_ip_walk_fn fn,
		void *arg)
{
	static const uint8_t zero[16];
	unsigned alen = rbl_key_alen(family);
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int ret = RBL_OK, rc = 0;

	if ((rc = mdb_cursor_open(t->txn, t->s->ipchunk, &c)))
		return rbl_mdb_error(rc);
	rc = rbl_ipck_seek(c, list_id, family, from ? from : zero, true, &k,
			   &v);
	for (; rc == RBL_OK && ret == RBL_OK; rc = rbl_ipck_next(c, &k, &v)) {
		rbl_ck ck = { 0 };
		int first = 0;

		if ((ret = rbl_ck_open(&ck, family, v.mv_data,
					  v.mv_size)) != RBL_OK)
			break;
		if (from && (first = rbl_ck_find(&ck, from)) >= 0) {
			uint8_t s[16] = { 0 };

			rbl_ck_start(&ck, (unsigned)first, s);
			if (memcmp(s, from, alen) < 0) {
				/* started before FROM: only what covers it */
				const uint8_t *items = NULL;
				unsigned n = 0;

				if (covering &&
				    (ret = rbl_ck_chain(&ck, rbl_ck_chain_of(
						&ck, (unsigned)first), &items,
						&n)) == RBL_OK)
					for (unsigned j = n; ret == 0 && j-- > 0;) {
						unsigned len = rbl_ck_item_len(
							&ck, items, j);
						rbl_prefix p = { 0 };

						if (!rbl_ck_covers(s, len, from,
								   alen))
							continue;
						rbl_ipck_prefix(&p, family, s, len,
								true);
						ret = fn(arg, &p, &ck,
							 rbl_ck_item_attr(
								 &ck, items, j),
							 (unsigned)first);
					}
				first++;
			}
		}
		if (first < 0)
			first = 0;
		from = NULL;	/* later records all start after it */
		for (unsigned i = (unsigned)first; ret == 0 && i < ck.n_rec;
		     i++) {
			uint8_t s[16] = { 0 };
			const uint8_t *items = NULL;
			unsigned n = 0;

			rbl_ck_start(&ck, i, s);
			if ((ret = rbl_ck_chain(&ck, rbl_ck_chain_of(&ck, i),
						&items, &n)) != RBL_OK)
				break;
			/* aligned items start here; widest first */
			for (unsigned j = n; ret == 0 && j-- > 0;) {
				unsigned len = rbl_ck_item_len(&ck, items, j);
				rbl_prefix p = { 0 };

				if (!rbl_ck_aligned(s, len, alen))
					continue;
				rbl_ipck_prefix(&p, family, s, len, false);
				ret = fn(arg, &p, &ck,
					 rbl_ck_item_attr(&ck, items, j), i);
			}
		}
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != RBL_OK && rc != RBL_ENOTFOUND)
		ret = rc;
	return ret;
}

int rbl_ipck_put(rbl_txn *t, uint32_t list_id, rbl_ckw *w, size_t from,
		      size_t to, uint8_t *buf)
{
	uint8_t k[RBL_IPCK_KEY_MAX] = { 0 };
	size_t n = rbl_ckw_encode(w, from, to, buf);

	if (n == 0)
		return rbl_txn_fail(t, RBL_ELIMIT);
	t->ck_writes++;
	return rbl_db_put(t, t->s->ipchunk, k,
			  rbl_ipck_key(k, list_id, w->family, w->rec[from].a),
			  buf, n, 0);
}

int rbl_ipck_del(rbl_txn *t, uint32_t list_id, uint8_t family,
		    const uint8_t *key)
{
	uint8_t k[RBL_IPCK_KEY_MAX] = { 0 };
	int rc = rbl_db_del(t, t->s->ipchunk, k,
			    rbl_ipck_key(k, list_id, family, key));

	t->ck_writes++;
	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}

struct mask_ctx {
	uint8_t mask[RBL_LENMASK_BYTES];
};

static int mask_visit(void *arg, const rbl_prefix *p, const rbl_ck *c,
		      unsigned ai, unsigned rec)
{
	struct mask_ctx *m = arg;

	(void)c;
	(void)ai;
	rbl_lenmask_set_bit(m->mask, p->len);
	return 0;
}

int rbl_ip_lengths(rbl_txn *t, uint32_t list_id, uint8_t family,
		   uint8_t *mask)
{
	struct mask_ctx m;
	int rc = 0;

	memset(&m, 0, sizeof m);
	rc = rbl_ip_walk(t, list_id, family, NULL, false, mask_visit, &m);
	memcpy(mask, m.mask, sizeof m.mask);
	return rc;
}

