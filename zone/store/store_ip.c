/*
 * store_ip.c -- IP listings: entries as entered ("ipent") and the lookups
 * that read the segment map ("ipseg", built by store_seg.c).
 *
 * Lookups use one cursor cached in the transaction (opened on first use,
 * renewed with the transaction), so the hot path allocates nothing; the
 * rbl_match they fill points into the memory map.
 *
 * In a bulk transaction (and for a list a large purge marked for rebuild)
 * the segment map is rebuilt at commit: lookups inside that transaction
 * still see the map as it was when the transaction began.
 * rbl_ip_foreach_listed merges adjacent runs with the same codes and TXT
 * even when their entries expire at different times; the run reports the
 * earliest expiry.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/store_impl.h"

#define ANY_WITHIN_MAX_SEGMENTS 64

static bool prefix_ok(const rbl_prefix *p)
{
	rbl_prefix c = { 0 };

	if (!p || (p->addr.family != RBL_AF4 && p->addr.family != RBL_AF6) ||
	    p->len > rbl_addr_bits(p->addr.family))
		return false;
	c = *p;
	rbl_prefix_canon(&c);
	return memcmp(c.addr.bytes, p->addr.bytes, 16) == 0;
}

static bool addr_ok(const rbl_addr *a)
{
	return a && (a->family == RBL_AF4 || a->family == RBL_AF6);
}

static int ip_entry_get(rbl_txn *t, const uint8_t *k, size_t klen,
			rbl_entry *out)
{
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->ipent, k, klen, &v);

	return rc == RBL_OK ? rbl_entry_decode(v.mv_data, v.mv_size, out) : rc;
}

/* Store V at K, the entry it replaces to *OLD (*REPLACED true).  A new
 * key, the common case, costs one B-tree descent, not a get and a put.
 *
 * Bulk imports arrive sorted.  Sorted keys put the ordinary way leave
 * every page half full (LMDB splits in the middle), so a bulk txn first
 * tries MDB_APPEND, which fills pages to the end; the first key that is
 * not past the end of the table (another list follows, or input not in
 * key order) turns that off for the rest of the txn. */
static int ip_entry_put(rbl_txn *t, const uint8_t *k, size_t klen,
			const uint8_t *v, size_t vlen, rbl_entry *old,
			bool *replaced)
{
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };
	int rc = MDB_KEYEXIST;

	if (t->bulk && !t->ipent_append_off) {
		rc = mdb_put(t->txn, t->s->ipent, &key, &val, MDB_APPEND);
		if (rc == MDB_KEYEXIST)
			t->ipent_append_off = true;
	}
	if (rc == MDB_KEYEXIST) {
		val = (MDB_val){ vlen, (void *)v };
		rc = mdb_put(t->txn, t->s->ipent, &key, &val, MDB_NOOVERWRITE);
	}
	*replaced = rc == MDB_KEYEXIST;
	if (rc != MDB_KEYEXIST)
		return rc ? rbl_txn_fail(t, rbl_mdb_error(rc)) : RBL_OK;
	/* VAL now points at the stored entry */
	if ((rc = rbl_entry_decode(val.mv_data, val.mv_size, old)) != RBL_OK)
		return rc;
	return rbl_db_put(t, t->s->ipent, k, klen, v, vlen, 0);
}

/* Keep the segment map current, unless commit rebuilds it anyway, and
 * tell the IPv4 summary what changed (E: P's entry now, NULL: deleted). */
static int after_change(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
			int64_t delta, const rbl_entry *e)
{
	bool del = e == NULL;
	struct rbl_list_state *ls;
	unsigned marks = RBL_LIST_CHANGED | (t->bulk ? RBL_LIST_REBUILD : 0);
	int rc = rbl_txn_mark_list(t, list_id, marks, delta);

	if (rc != RBL_OK)
		return rc;
	ls = rbl_txn_list_state(t, list_id);
	if (ls->marks & RBL_LIST_REBUILD)
		return RBL_OK;
	if ((rc = rbl_v4sum_note(t, ls, p, del)) != RBL_OK)
		return rc;
	return rbl_seg_update(t, list_id, p, e);
}

int rbl_ip_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
	       const rbl_entry *e)
{
	uint8_t k[RBL_IPKEY_MAX], v[RBL_ENTRY_ENC_MAX];
	rbl_entry ne = { 0 }, old = { 0 };
	size_t klen;
	bool replaced = false;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!prefix_ok(p))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_IP)) != RBL_OK ||
	    (rc = rbl_entry_prepare(t, e, RBL_ENTRY_EXCLUDE |
				    RBL_ENTRY_HAS_TXT, &ne)) != RBL_OK)
		return rc;
	if ((rc = rbl_lenmask_note(t, list_id, p)) != RBL_OK)
		return rc;
	klen = rbl_ipent_key(k, list_id, p);
	rc = ip_entry_put(t, k, klen, v, rbl_entry_encode(&ne, v), &old,
			  &replaced);
	if (rc == RBL_OK && replaced)
		rc = rbl_journal_note(t, RBL_CHANGE_DEL, list_id, p, NULL, &old);
	if (rc == RBL_OK)
		rc = rbl_journal_note(t, RBL_CHANGE_ADD, list_id, p, NULL, &ne);
	if (rc == RBL_OK)
		rc = after_change(t, list_id, p, replaced ? 0 : 1, &ne);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_ip_del_raw(rbl_txn *t, uint32_t list_id, const rbl_prefix *p)
{
	uint8_t k[RBL_IPKEY_MAX];
	size_t klen = rbl_ipent_key(k, list_id, p);
	rbl_entry old = { 0 };
	int rc = ip_entry_get(t, k, klen, &old);

	if (rc != RBL_OK)
		return rc;
	if ((rc = rbl_db_del(t, t->s->ipent, k, klen)) != RBL_OK ||
	    (rc = rbl_journal_note(t, RBL_CHANGE_DEL, list_id, p, NULL,
				   &old)) != RBL_OK)
		return rbl_txn_fail(t, rc);
	return RBL_OK;
}

int rbl_ip_del(rbl_txn *t, uint32_t list_id, const rbl_prefix *p)
{
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!prefix_ok(p))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_IP)) != RBL_OK ||
	    (rc = rbl_ip_del_raw(t, list_id, p)) != RBL_OK)
		return rc;
	rc = after_change(t, list_id, p, -1, NULL);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_ip_get(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
	       rbl_entry *out)
{
	uint8_t k[RBL_IPKEY_MAX];

	if (!prefix_ok(p))
		return RBL_EINVAL;
	return ip_entry_get(t, k, rbl_ipent_key(k, list_id, p), out);
}

int rbl_ip_clear_list(rbl_txn *t, uint32_t list_id, uint64_t *n)
{
	uint8_t k[4];
	int rc;

	rbl_put_be32(k, list_id);
	if ((rc = rbl_db_del_prefix(t, t->s->ipent, k, 4, n)) != RBL_OK ||
	    (rc = rbl_db_del_prefix(t, t->s->ipseg, k, 4, NULL)) != RBL_OK ||
	    (rc = rbl_lenmask_drop(t, list_id)) != RBL_OK)
		return rc;
	return rbl_txn_mark_list(t, list_id, RBL_LIST_V4SUM_FULL, 0);
}

/* ------------------------------------------------------------ lookups */

static int seg_cursor(rbl_txn *t, MDB_cursor **c)
{
	int rc;

	if (!t->seg_cur &&
	    (rc = mdb_cursor_open(t->txn, t->s->ipseg, &t->seg_cur)) != 0)
		return rbl_mdb_error(rc);
	*c = t->seg_cur;
	return RBL_OK;
}

/* Position C on the first segment of the list whose last address is >= A.
 * Returns RBL_OK (K/V filled), RBL_ENOTFOUND (none in this family). */
static int seg_seek(MDB_cursor *c, uint32_t list_id, const rbl_addr *a,
		    MDB_val *k, MDB_val *v)
{
	uint8_t kb[RBL_IPKEY_MAX];
	unsigned alen = rbl_key_alen(a->family);
	int rc;

	k->mv_size = rbl_ipkey(kb, list_id, a);
	k->mv_data = kb;
	if ((rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE)) != 0)
		return rbl_mdb_error(rc);
	if (k->mv_size != 5 + alen || memcmp(k->mv_data, kb, 5) != 0 ||
	    v->mv_size <= alen)
		return RBL_ENOTFOUND;
	return RBL_OK;
}

/* The answer of a segment's chain at NOW: RBL_OK (listed, M filled),
 * RBL_ENOTFOUND (excluded or all expired), RBL_ESTORE (corrupt). */
static int chain_decide(const MDB_val *v, unsigned alen, int64_t now,
			rbl_match *m)
{
	const uint8_t *p = (const uint8_t *)v->mv_data + alen + 1;
	size_t left = v->mv_size - alen - 1;
	unsigned n = ((const uint8_t *)v->mv_data)[alen];

	for (unsigned i = 0; i < n; i++) {
		uint32_t flags = 0;
		size_t used = rbl_chain_decode(p, left, &flags, m);

		if (used == 0)
			return RBL_ESTORE;
		if (rbl_live(m->expires, now))
			return flags & RBL_ENTRY_EXCLUDE ? RBL_ENOTFOUND
							 : RBL_OK;
		p += used;
		left -= used;
	}
	return RBL_ENOTFOUND;
}

int rbl_ip_lookup(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		  int64_t now, rbl_match *out)
{
	unsigned alen;
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int rc;

	if (!addr_ok(a))
		return RBL_EINVAL;
	if (a->family == RBL_AF4) {
		const uint8_t *sum = rbl_v4sum_get(t, list_id);

		if (sum && !rbl_v4sum_bit(sum, rbl_get_be32(a->bytes) >> 8))
			return RBL_ENOTFOUND;
	}
	if ((rc = seg_cursor(t, &c)) != RBL_OK ||
	    (rc = seg_seek(c, list_id, a, &k, &v)) != RBL_OK)
		return rc;
	alen = rbl_key_alen(a->family);
	if (memcmp(v.mv_data, a->bytes, alen) > 0)
		return RBL_ENOTFOUND;
	if ((rc = chain_decide(&v, alen, now, out)) == RBL_OK)
		out->list_id = list_id;
	return rc;
}

int rbl_ip_explain(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		   int64_t now, rbl_prefix *decided, rbl_entry *e)
{
	uint8_t lens[RBL_LENMASK_BYTES];
	int rc;

	if (!addr_ok(a))
		return RBL_EINVAL;
	if ((rc = rbl_lenmask_get(t, list_id, a->family, lens)) != RBL_OK)
		return rc;
	for (int len = (int)rbl_addr_bits(a->family); len >= 0; len--) {
		rbl_prefix q = { *a, (uint8_t)len };

		if (!rbl_lenmask_bit(lens, (unsigned)len))
			continue;
		rbl_prefix_canon(&q);
		rc = rbl_ip_get(t, list_id, &q, e);
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK)
			return rc;
		if (!rbl_live(e->expires, now))
			continue;
		*decided = q;
		return e->flags & RBL_ENTRY_EXCLUDE ? RBL_ENOTFOUND : RBL_OK;
	}
	memset(decided, 0, sizeof *decided);
	decided->len = 255;
	return RBL_ENOTFOUND;
}

/* False if LIST_ID's IPv4 summary shows nothing in [LO, HI]. */
static bool v4sum_any(rbl_txn *t, uint32_t list_id, const rbl_addr *lo,
		      const rbl_addr *hi)
{
	const uint8_t *sum = rbl_v4sum_get(t, list_id);

	return !sum || rbl_v4sum_any(sum, rbl_get_be32(lo->bytes) >> 8,
				     rbl_get_be32(hi->bytes) >> 8);
}

/* Walks at most ANY_WITHIN_MAX_SEGMENTS segments; a range holding more
 * excluded or expired runs than that answers 1 (the caller then answers
 * NODATA rather than NXDOMAIN for an empty non-terminal: harmless). */
int rbl_ip_any_within(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		      int64_t now)
{
	rbl_addr lo = { 0 }, hi = { 0 }, first = { 0 };
	unsigned alen;
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	rbl_match m = { 0 };
	int rc;

	if (!p || !addr_ok(&p->addr) || p->len > rbl_addr_bits(p->addr.family))
		return RBL_EINVAL;
	rbl_prefix_first(p, &lo);
	rbl_prefix_last(p, &hi);
	if (lo.family == RBL_AF4 && !v4sum_any(t, list_id, &lo, &hi))
		return 0;
	alen = rbl_key_alen(lo.family);
	first = lo;
	if ((rc = seg_cursor(t, &c)) != RBL_OK)
		return rc;
	rc = seg_seek(c, list_id, &lo, &k, &v);
	for (int i = 0; rc == RBL_OK; i++) {
		if (i == ANY_WITHIN_MAX_SEGMENTS)
			return 1;
		memcpy(first.bytes, v.mv_data, alen);
		if (rbl_addr_cmp(&first, &hi) > 0)
			return 0;
		if ((rc = chain_decide(&v, alen, now, &m)) == RBL_OK)
			return 1;
		if (rc != RBL_ENOTFOUND)
			return rc;
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
		rc = rc ? rbl_mdb_error(rc) : RBL_OK;
		if (rc == RBL_OK && (k.mv_size != 5 + alen ||
		    rbl_get_be32(k.mv_data) != list_id ||
		    ((uint8_t *)k.mv_data)[4] != lo.family))
			return 0;
	}
	return rc == RBL_ENOTFOUND ? 0 : rc;
}

/* ------------------------------------------------------------ walks */

int rbl_ip_foreach(rbl_txn *t, uint32_t list_id, const rbl_prefix *within,
		   rbl_ip_visit_fn fn, void *arg)
{
	uint8_t kb[RBL_IPKEY_MAX];
	rbl_prefix start = { 0 }, p = { 0 };
	rbl_addr hi = { 0 };
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	rbl_entry e = { 0 };
	uint32_t id = 0;
	int ret = RBL_OK, rc;

	if (within && !prefix_ok(within))
		return RBL_EINVAL;
	memset(&start, 0, sizeof start);
	start.addr.family = RBL_AF4;
	if (within) {
		start = *within;
		rbl_prefix_last(within, &hi);
	}
	k.mv_size = rbl_ipent_key(kb, list_id, &start);
	k.mv_data = kb;
	if ((rc = mdb_cursor_open(t->txn, t->s->ipent, &c)))
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if ((ret = rbl_ipent_key_decode(&k, &id, &p)) != RBL_OK)
			break;
		if (id != list_id || (within &&
		    (p.addr.family != hi.family ||
		     rbl_addr_cmp(&p.addr, &hi) > 0)))
			break;
		if ((ret = rbl_entry_decode(v.mv_data, v.mv_size, &e)) ||
		    (ret = fn(arg, &p, &e)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

/* Same DNS answer (codes and TXT; expiry is not part of it). */
static bool match_equal(const rbl_match *a, const rbl_match *b)
{
	return a->n_codes == b->n_codes && a->has_txt == b->has_txt &&
	       a->txt_len == b->txt_len &&
	       memcmp(a->codes, b->codes, a->n_codes * sizeof a->codes[0]) ==
		       0 &&
	       memcmp(a->txt, b->txt, a->txt_len) == 0;
}

struct run {
	bool open;
	rbl_addr lo, hi;
	rbl_match m;
};

static int run_flush(struct run *r, rbl_seg_visit_fn fn, void *arg)
{
	if (!r->open)
		return 0;
	r->open = false;
	return fn(arg, &r->lo, &r->hi, &r->m);
}

/* Extend the open run with [LO, HI] answering M, or flush and start one. */
static int run_add(struct run *r, const rbl_addr *lo, const rbl_addr *hi,
		   const rbl_match *m, rbl_seg_visit_fn fn, void *arg)
{
	rbl_addr next = r->hi;
	int ret;

	if (r->open && next.family == lo->family && rbl_addr_inc(&next) &&
	    rbl_addr_cmp(&next, lo) == 0 && match_equal(&r->m, m)) {
		r->hi = *hi;
		/* the merged run answers until its first part expires */
		if (m->expires && (!r->m.expires || m->expires < r->m.expires))
			r->m.expires = m->expires;
		return 0;
	}
	if ((ret = run_flush(r, fn, arg)) != 0)
		return ret;
	r->open = true;
	r->lo = *lo;
	r->hi = *hi;
	r->m = *m;
	return 0;
}

static int seg_visit(struct run *r, const MDB_val *k, const MDB_val *v,
		     uint32_t list_id, int64_t now, rbl_seg_visit_fn fn,
		     void *arg)
{
	const uint8_t *kb = k->mv_data;
	rbl_addr lo = { kb[4], { 0 } }, hi = lo;
	unsigned alen;
	rbl_match m = { 0 };
	int rc;

	if (kb[4] != RBL_AF4 && kb[4] != RBL_AF6)
		return RBL_ESTORE;
	alen = rbl_key_alen(kb[4]);
	if (k->mv_size != 5 + alen || v->mv_size <= alen)
		return RBL_ESTORE;
	memcpy(hi.bytes, kb + 5, alen);
	memcpy(lo.bytes, v->mv_data, alen);
	rc = chain_decide(v, alen, now, &m);
	if (rc == RBL_ENOTFOUND)
		return run_flush(r, fn, arg);
	if (rc != RBL_OK)
		return rc;
	m.list_id = list_id;
	return run_add(r, &lo, &hi, &m, fn, arg);
}

int rbl_ip_foreach_listed(rbl_txn *t, uint32_t list_id, int64_t now,
			  rbl_seg_visit_fn fn, void *arg)
{
	uint8_t kb[4];
	MDB_val k = { 4, kb }, v = { 0 };
	struct run r = { .open = false };
	MDB_cursor *c = NULL;
	int ret = 0, rc;

	rbl_put_be32(kb, list_id);
	if ((rc = mdb_cursor_open(t->txn, t->s->ipseg, &c)))
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < 5 || rbl_get_be32(k.mv_data) != list_id)
			break;
		if ((ret = seg_visit(&r, &k, &v, list_id, now, fn, arg)) != 0)
			break;
	}
	mdb_cursor_close(c);
	if (ret == 0)
		ret = run_flush(&r, fn, arg);
	if (ret == 0 && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

/* ------------------------------------------------------------ purge */

/* A list losing more than this many entries in one purge gets its segment
 * map rebuilt once at commit instead of updated per entry. */
#define PURGE_REBUILD_MIN 256

struct expired {
	uint32_t list_id;
	rbl_prefix p;
};

struct expired_set {
	struct expired *v;
	size_t n, cap;
	int64_t now;
};

static int scan_expired(rbl_txn *t, struct expired_set *es)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	rbl_match m = { 0 };
	uint32_t flags = 0;
	int ret = RBL_OK, rc = mdb_cursor_open(t->txn, t->s->ipent, &c);

	if (rc)
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct expired x = { 0 };

		if ((ret = rbl_ipent_key_decode(&k, &x.list_id, &x.p)) ||
		    (ret = rbl_entry_match(v.mv_data, v.mv_size, &flags, &m)))
			break;
		if (rbl_live(m.expires, es->now))
			continue;
		if (rbl_array_reserve(es->v, es->cap, es->n + 1, 256) != RBL_OK) {
			ret = RBL_ENOMEM;
			break;
		}
		es->v[es->n++] = x;
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

int rbl_ip_purge(rbl_txn *t, int64_t now, uint64_t *n)
{
	struct expired_set es = { NULL, 0, 0, now };
	int rc = scan_expired(t, &es);

	/* entries are in list order: count each list's run */
	for (size_t i = 0, run = 0; rc == RBL_OK && i < es.n; i++) {
		if (i == 0 || es.v[i].list_id != es.v[i - 1].list_id) {
			for (run = i; run < es.n &&
			     es.v[run].list_id == es.v[i].list_id; run++)
				;
			if (run - i > PURGE_REBUILD_MIN)
				rc = rbl_txn_mark_list(t, es.v[i].list_id,
						       RBL_LIST_REBUILD, 0);
		}
		if (rc == RBL_OK)
			rc = rbl_ip_del(t, es.v[i].list_id, &es.v[i].p);
		if (rc == RBL_OK)
			(*n)++;
	}
	free(es.v);
	return rc;
}
