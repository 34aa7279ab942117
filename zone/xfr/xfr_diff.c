/*
 * xfr_diff.c -- IXFR: what changed in a zone's records since a serial
 * (rbl_xfr_diff, see xfr_expand.h).
 *
 * The journal says which entries changed, and for a deleted or replaced
 * entry what it was.  For each entry key, the earliest change since FROM
 * tells the old state: a deletion carries the old entry, an addition
 * means there was none (a replacement is journalled as deletion, then
 * addition).  The units those keys lie in are expanded twice, from the
 * entries now and from the entries with the old state put back, into
 * sorted record sets; their difference is the answer.  Units are
 * independent (xfr_impl.h), so the rest of the zone is not read: an IP
 * unit is the /16 (or /8) of a change, a name's is the subtree a change
 * can reach (unit_root), read with one seek, with the few entries at
 * its ancestors as context.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/xfr/xfr_impl.h"

/* ------------------------------------------------------------ records */

typedef struct rrvec {
	uint8_t *buf;
	size_t len, cap;
	size_t *off;
	size_t n, ncap;
} rrvec;

static int rrvec_add(void *arg, const rbl_xrr *rr)
{
	rrvec *v = arg;
	size_t need = 1u + rr->owner_len + 8u + rr->rdlen;
	uint8_t *p;

	if (rbl_array_reserve(v->buf, v->cap, v->len + need, 65536) != RBL_OK ||
	    rbl_array_reserve(v->off, v->ncap, v->n + 1, 1024) != RBL_OK)
		return RBL_ENOMEM;
	v->off[v->n++] = v->len;
	p = v->buf + v->len;
	p[0] = rr->owner_len;
	memcpy(p + 1, rr->owner, rr->owner_len);
	p += 1u + rr->owner_len;
	p[0] = (uint8_t)(rr->type >> 8);
	p[1] = (uint8_t)rr->type;
	p[2] = (uint8_t)(rr->ttl >> 24);
	p[3] = (uint8_t)(rr->ttl >> 16);
	p[4] = (uint8_t)(rr->ttl >> 8);
	p[5] = (uint8_t)rr->ttl;
	p[6] = (uint8_t)(rr->rdlen >> 8);
	p[7] = (uint8_t)rr->rdlen;
	if (rr->rdlen)
		memcpy(p + 8, rr->rdata, rr->rdlen);
	v->len += need;
	return RBL_OK;
}

static size_t rr_size(const uint8_t *p)
{
	const uint8_t *rd = p + 1 + p[0];

	return 1u + p[0] + 8u + (size_t)(rd[6] << 8 | rd[7]);
}

static void rr_decode(const uint8_t *p, rbl_xrr *rr)
{
	const uint8_t *f = p + 1 + p[0];

	rr->owner_len = p[0];
	rr->owner = p + 1;
	rr->type = (uint16_t)(f[0] << 8 | f[1]);
	rr->ttl = (uint32_t)f[2] << 24 | (uint32_t)f[3] << 16 |
		  (uint32_t)f[4] << 8 | f[5];
	rr->rdlen = (uint16_t)(f[6] << 8 | f[7]);
	rr->rdata = f + 8;
}

static int rr_cmp(const uint8_t *a, const uint8_t *b)
{
	size_t la = rr_size(a), lb = rr_size(b);
	int c = memcmp(a, b, la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

static int off_cmp(const void *pa, const void *pb, void *arg)
{
	const uint8_t *buf = arg;

	return rr_cmp(buf + *(const size_t *)pa, buf + *(const size_t *)pb);
}

static void rrvec_sort(rrvec *v)
{
	if (v->n)
		qsort_r(v->off, v->n, sizeof *v->off, off_cmp, v->buf);
}

static void rrvec_free(rrvec *v)
{
	free(v->buf);
	free(v->off);
	memset(v, 0, sizeof *v);
}

/* Call FN for each record of A that is not in B (both sorted). */
static int minus(const rrvec *a, const rrvec *b, rbl_xrr_fn fn, void *arg)
{
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		const uint8_t *r = a->buf + a->off[i];
		int c = 1, rc;
		rbl_xrr rr = { 0 };

		while (j < b->n && (c = rr_cmp(b->buf + b->off[j], r)) < 0)
			j++;
		if (j < b->n && c == 0) {
			j++;
			continue;
		}
		rr_decode(r, &rr);
		if ((rc = fn(arg, &rr)) != 0)
			return rc;
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ changes */

/* The earliest change of one key: its state before FROM. */
typedef struct undo {
	uint32_t order;
	uint8_t gi;
	bool existed;		/* the key had an entry (ENT) */
	xf_ipent ip;		/* IP: prefix, list, answer */
	uint32_t koff;		/* name: key in the names arena */
	uint16_t klen;
	uint8_t sel;
} undo;

typedef struct diff {
	xf_ctx x;
	xf_group *groups;
	unsigned n_groups;
	undo *ip, *nm;		/* address and name changes */
	size_t n_ip, n_nm, cap_ip, cap_nm;
	xf_namevec keys;	/* arena of name keys (entries unused) */
	uint32_t order;
	rrvec old, new_;
} diff;

static int undo_push(undo **v, size_t *n, size_t *cap, const undo *u)
{
	if (rbl_array_reserve(*v, *cap, *n + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	(*v)[(*n)++] = *u;
	return RBL_OK;
}

static int note_change(diff *d, unsigned gi, unsigned li,
		       const rbl_change *c)
{
	const xf_group *g = &d->groups[gi];
	uint8_t sel;
	undo u = { 0 };
	int rc;

	memset(&u, 0, sizeof u);
	u.order = d->order;
	u.gi = (uint8_t)gi;
	u.existed = c->op == RBL_CHANGE_DEL;
	u.ip.li = (uint8_t)li;
	d->x.g = g;
	u.ip.ans = xf_answer_of(&d->x, &g->lists[li], &c->entry);
	if (d->x.error)
		return d->x.error;
	if (!c->is_name) {
		u.ip.p = c->prefix;
		return undo_push(&d->ip, &d->n_ip, &d->cap_ip, &u);
	}
	sel = xf_name_sel(&c->entry);
	u.koff = (uint32_t)d->keys.klen;
	if ((rc = xf_namevec_push(&d->keys, c->name, 0, 0, 0)) != RBL_OK)
		return rc;
	if (d->keys.klen == u.koff)
		return RBL_OK;	/* not a name we could key */
	u.klen = (uint16_t)(d->keys.klen - u.koff);
	/* one record per slot: the exact and subtree entries of a name
	 * change apart */
	for (uint8_t s = RBL_ENTRY_NAME_EXACT; s <= RBL_ENTRY_NAME_SUBS;
	     s <<= 1) {
		if (!(sel & s))
			continue;
		u.sel = s;
		if ((rc = undo_push(&d->nm, &d->n_nm, &d->cap_nm, &u)) !=
		    RBL_OK)
			return rc;
	}
	return RBL_OK;
}

static int journal_visit(void *arg, const rbl_change *c)
{
	diff *d = arg;
	int rc;

	d->order++;
	for (unsigned gi = 0; gi < d->n_groups; gi++)
		for (unsigned li = 0; li < d->groups[gi].n_lists; li++)
			if (d->groups[gi].lists[li].id == c->list_id &&
			    (rc = note_change(d, gi, li, c)) != RBL_OK)
				return rc;
	return 0;
}

static int ip_undo_cmp(const void *pa, const void *pb)
{
	const undo *a = pa, *b = pb;
	int c = (int)a->gi - (int)b->gi;

	if (c == 0)
		c = xf_ipent_cmp(&a->ip, &b->ip);
	return c ? c : (a->order > b->order) - (a->order < b->order);
}

static int nm_undo_cmp(const void *pa, const void *pb, void *arg)
{
	const undo *a = pa, *b = pb;
	const uint8_t *keys = arg;
	int c = (int)a->gi - (int)b->gi;

	if (c == 0)
		c = xf_key_cmp(keys + a->koff, a->klen, keys + b->koff,
			       b->klen);
	if (c == 0)
		c = (int)a->ip.li - (int)b->ip.li;
	if (c == 0)
		c = (int)a->sel - (int)b->sel;
	return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* Sort and keep the earliest change of each key. */
static void earliest_only(diff *d)
{
	size_t o = 0;

	if (d->n_ip)
		qsort(d->ip, d->n_ip, sizeof *d->ip, ip_undo_cmp);
	for (size_t i = 0; i < d->n_ip; i++)
		if (o == 0 || d->ip[o - 1].gi != d->ip[i].gi ||
		    xf_ipent_cmp(&d->ip[o - 1].ip, &d->ip[i].ip) != 0)
			d->ip[o++] = d->ip[i];
	d->n_ip = o;
	if (d->n_nm)
		qsort_r(d->nm, d->n_nm, sizeof *d->nm, nm_undo_cmp,
			d->keys.keys);
	o = 0;
	for (size_t i = 0; i < d->n_nm; i++) {
		const undo *p = o ? &d->nm[o - 1] : NULL, *u = &d->nm[i];

		if (!p || p->gi != u->gi || p->ip.li != u->ip.li ||
		    p->sel != u->sel || xf_key_cmp(d->keys.keys + p->koff, p->klen,
			       d->keys.keys + u->koff, u->klen) != 0)
			d->nm[o++] = *u;
	}
	d->n_nm = o;
}

/* ------------------------------------------------------------ IP units */

static bool undo_touches(const undo *u, const rbl_prefix *block)
{
	const rbl_prefix *p = &u->ip.p;

	if (p->addr.family != block->addr.family)
		return false;
	return p->len <= block->len ? rbl_prefix_covers(p, block)
				    : rbl_prefix_covers(block, p);
}

/* Is E's key among U[N] (sorted by key, as block_undos leaves them)? */
static bool touched(const undo *u, size_t n, const xf_ipent *e)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = xf_ipent_cmp(&u[mid].ip, e);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The undo records of group GI touching BLOCK, into *OUT (malloc'd). */
static int block_undos(const diff *d, unsigned gi, const rbl_prefix *block,
		       undo **out, size_t *n)
{
	*n = 0;
	*out = malloc((d->n_ip + 1) * sizeof **out);
	if (!*out)
		return RBL_ENOMEM;
	for (size_t i = 0; i < d->n_ip; i++)
		if (d->ip[i].gi == gi && undo_touches(&d->ip[i], block))
			(*out)[(*n)++] = d->ip[i];
	return RBL_OK;
}

static int expand_into(diff *d, rrvec *v, const rbl_prefix *p,
		       xf_ipvec *e)
{
	d->x.fn = rrvec_add;
	d->x.arg = v;
	if (e->n == 0)
		return RBL_OK;
	qsort(e->v, e->n, sizeof *e->v, xf_ipent_cmp);
	if (p->addr.family == RBL_AF4 && p->len == XF_V4_UNIT)
		return xf_ip_unit(&d->x, p, e->v, e->n);
	return xf_ip_block(&d->x, p, e->v, e->n);
}

static int diff_block(rbl_txn *t, diff *d, unsigned gi,
		      const rbl_prefix *block)
{
	xf_ipvec cur = { NULL, 0, 0 }, old = { NULL, 0, 0 };
	undo *u = NULL;
	size_t nu = 0;
	int rc = block_undos(d, gi, block, &u, &nu);

	for (unsigned li = 0; li < d->x.g->n_lists && rc == RBL_OK; li++)
		if (d->x.g->lists[li].kind == RBL_LIST_IP)
			rc = xf_collect_block(t, &d->x, li, block, &cur);
	for (size_t i = 0; i < cur.n && rc == RBL_OK; i++)
		if (!touched(u, nu, &cur.v[i]))
			rc = xf_ipvec_push(&old, &cur.v[i]);
	for (size_t i = 0; i < nu && rc == RBL_OK; i++)
		if (u[i].existed)
			rc = xf_ipvec_push(&old, &u[i].ip);
	if (rc == RBL_OK)
		rc = expand_into(d, &d->new_, block, &cur);
	if (rc == RBL_OK)
		rc = expand_into(d, &d->old, block, &old);
	free(u);
	xf_ipvec_free(&cur);
	xf_ipvec_free(&old);
	return rc;
}

/* What a change rebuilds, as a number: an IPv6 /16 (KEY_V6 | 16 bits),
 * a whole IPv4 /8 (its octet), or an IPv4 /16 unit (KEY_UNIT | 16 bits):
 * the /8 is whole when the change covers all of it, which changes its
 * top point and what every /16 in it inherits. */
#define KEY_V6		(1u << 31)
#define KEY_UNIT	(1u << 30)

typedef struct keyvec {
	uint32_t *v;
	size_t n, cap;
} keyvec;

static int key_add(keyvec *k, uint32_t key)
{
	if (rbl_array_reserve(k->v, k->cap, k->n + 1, 64) != RBL_OK)
		return RBL_ENOMEM;
	k->v[k->n++] = key;
	return RBL_OK;
}

static int keys_of(const rbl_prefix *p, keyvec *k)
{
	const uint8_t *a = p->addr.bytes;
	uint32_t first, count;
	int rc = RBL_OK;

	if (p->addr.family == RBL_AF6) {
		first = KEY_V6 | (uint32_t)a[0] << 8 | a[1];
		count = p->len >= XF_V6_TOP ? 1 : 1u << (XF_V6_TOP - p->len);
	} else if (p->len <= XF_V4_TOP) {
		first = a[0];
		count = 1u << (XF_V4_TOP - p->len);
	} else {
		first = KEY_UNIT | (uint32_t)a[0] << 8 | a[1];
		count = p->len >= XF_V4_UNIT ? 1
					     : 1u << (XF_V4_UNIT - p->len);
	}
	for (uint32_t i = 0; i < count && rc == RBL_OK; i++)
		rc = key_add(k, first + i);
	return rc;
}

static void key_prefix(uint32_t key, rbl_prefix *p)
{
	memset(p, 0, sizeof *p);
	if (key & KEY_V6) {
		p->addr.family = RBL_AF6;
		p->addr.bytes[0] = (uint8_t)(key >> 8);
		p->addr.bytes[1] = (uint8_t)key;
		p->len = XF_V6_TOP;
	} else if (key & KEY_UNIT) {
		p->addr.family = RBL_AF4;
		p->addr.bytes[0] = (uint8_t)(key >> 8);
		p->addr.bytes[1] = (uint8_t)key;
		p->len = XF_V4_UNIT;
	} else {
		p->addr.family = RBL_AF4;
		p->addr.bytes[0] = (uint8_t)key;
		p->len = XF_V4_TOP;
	}
}

static bool key_has(const keyvec *k, uint32_t key)
{
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (k->v[mid] == key)
			return true;
		if (k->v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int diff_ip(rbl_txn *t, diff *d, unsigned gi)
{
	keyvec k = { NULL, 0, 0 };
	size_t o = 0;
	int rc = RBL_OK;

	for (size_t i = 0; i < d->n_ip && rc == RBL_OK; i++)
		if (d->ip[i].gi == gi)
			rc = keys_of(&d->ip[i].ip.p, &k);
	if (k.n)
		qsort(k.v, k.n, sizeof *k.v, u32_cmp);
	for (size_t i = 0; i < k.n; i++)
		if (o == 0 || k.v[o - 1] != k.v[i])
			k.v[o++] = k.v[i];
	k.n = o;
	for (size_t i = 0; i < k.n && rc == RBL_OK; i++) {
		rbl_prefix p = { 0 };

		/* a unit of a /8 rebuilt whole is in it */
		if ((k.v[i] & KEY_UNIT) && key_has(&k, (k.v[i] >> 8) & 0xff))
			continue;
		key_prefix(k.v[i], &p);
		rc = diff_block(t, d, gi, &p);
	}
	free(k.v);
	return rc;
}

/* ------------------------------------------------------------ names */

/* True if a change touched entry E of group GI: a binary search of the
 * changes, sorted by earliest_only (a unit may be a big subtree, and the
 * changes thousands). */
static bool name_touched(const diff *d, unsigned gi, const xf_namevec *v,
			 const xf_nament *e)
{
	size_t lo = 0, hi = d->n_nm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const undo *u = &d->nm[mid];
		int c = (int)u->gi - (int)gi;

		if (c == 0)
			c = xf_key_cmp(d->keys.keys + u->koff, u->klen,
				       v->keys + e->koff, e->klen);
		if (c == 0)
			c = (int)u->ip.li - (int)e->li;
		if (c == 0)
			c = (int)u->sel - (int)e->sel;
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int expand_names_into(diff *d, rrvec *v, xf_namevec *e,
			     const uint8_t *only, size_t only_len)
{
	d->x.fn = rrvec_add;
	d->x.arg = v;
	xf_namevec_sort(e);
	return e->n ? xf_name_expand(&d->x, e, only, only_len) : RBL_OK;
}

/* Each name list of the group: entries at NAME (and below it, with
 * BELOW) into OUT.  A name the store cannot key holds nothing. */
static int collect_at(rbl_txn *t, diff *d, const char *name, bool below,
		      xf_namevec *out)
{
	int rc = RBL_OK;

	for (unsigned li = 0; li < d->x.g->n_lists && rc == RBL_OK; li++)
		if (rbl_list_kind_is_name(d->x.g->lists[li].kind))
			rc = xf_collect_under(t, &d->x, li, name, below, out);
	return rc == RBL_EINVAL ? RBL_OK : rc;
}

/* The entries at the strict ancestors of key K into OUT: one lookup per
 * label above it. */
static int collect_path(rbl_txn *t, diff *d, const uint8_t *k, size_t klen,
			xf_namevec *out)
{
	char text[XF_NAME_KEY_MAX];
	int rc = RBL_OK;

	for (size_t j = 0; j + 1 < klen && rc == RBL_OK; j++)
		if (k[j] == 0) {
			xf_key_text(k, j + 1, text);
			rc = collect_at(t, d, text, false, out);
		}
	return rc;
}

/* How far up a change at key K reaches: *ROOT gets the key length of the
 * highest name whose records it can change (K itself, or an ancestor).
 * Records at K and below follow from the entries on their path, so any
 * may change.  An ancestor P has the same answers before and after (they
 * follow from the entries at P and above, not changed, or their own unit
 * holds K's), so only what depends on the names below P can change:
 * - P without an entry of its own is a point only while something lies
 *   below it; its records then are those a subtree entry above lends it.
 * - P holding an exclusion under a wildcard from above gets a placeholder
 *   (TYPE65280, xfr_name.c) only while nothing below it answers.
 * Both need a subtree entry strictly above P; P holding only answering
 * entries has its records whatever lies below.  Typical lists (names with
 * no listed ancestor) rebuild the changed name alone. */
static int unit_root(rbl_txn *t, diff *d, const uint8_t *k, size_t klen,
		     size_t *root)
{
	xf_namevec path = { 0 };
	bool subs_above = false;
	size_t i = 0;
	int rc;

	memset(&path, 0, sizeof path);
	*root = klen;
	rc = collect_path(t, d, k, klen, &path);
	xf_namevec_sort(&path);		/* all prefixes of K: by length */
	for (size_t j = 0; j + 1 < klen && rc == RBL_OK; j++) {
		bool own = false, excl = false, subs = false;

		if (k[j] != 0)
			continue;
		for (; i < path.n && path.v[i].klen == j + 1; i++) {
			own = true;
			excl |= path.v[i].ans == 0;
			subs |= (path.v[i].sel & RBL_ENTRY_NAME_SUBS) != 0;
		}
		if (subs_above && (!own || excl)) {
			*root = j + 1;	/* the highest such P */
			break;
		}
		subs_above |= subs;
	}
	xf_namevec_free(&path);
	return rc;
}

/* The unit under key RK: entries now (with RK's ancestors' as context)
 * and with the journalled old state of the changes under RK put back,
 * each expanded for RK's subtree only.  *UI walks D's changes of group GI
 * (sorted by key, as the units are). */
static int diff_unit(rbl_txn *t, diff *d, unsigned gi, const uint8_t *rk,
		     size_t rlen, size_t *ui)
{
	xf_namevec cur = { 0 }, old = { 0 };
	char text[XF_NAME_KEY_MAX];
	int rc;

	memset(&cur, 0, sizeof cur);
	memset(&old, 0, sizeof old);
	xf_key_text(rk, rlen, text);
	rc = collect_path(t, d, rk, rlen, &cur);
	if (rc == RBL_OK)
		rc = collect_at(t, d, text, true, &cur);
	for (size_t i = 0; i < cur.n && rc == RBL_OK; i++) {
		const xf_nament *e = &cur.v[i];

		if (!name_touched(d, gi, &cur, e))
			rc = xf_namevec_push_key(&old, cur.keys + e->koff,
						 e->klen, e->li, e->sel,
						 e->ans);
	}
	for (; *ui < d->n_nm && rc == RBL_OK; ++*ui) {
		const undo *u = &d->nm[*ui];
		const uint8_t *k = d->keys.keys + u->koff;

		if (u->gi < gi || (u->gi == gi &&
				   xf_key_cmp(k, u->klen, rk, rlen) < 0))
			continue;
		if (u->gi != gi || u->klen < rlen || memcmp(k, rk, rlen))
			break;		/* past the unit */
		if (u->existed)
			rc = xf_namevec_push_key(&old, k, u->klen, u->ip.li,
						 u->sel, u->ip.ans);
	}
	if (rc == RBL_OK)
		rc = expand_names_into(d, &d->new_, &cur, rk, rlen);
	if (rc == RBL_OK)
		rc = expand_names_into(d, &d->old, &old, rk, rlen);
	xf_namevec_free(&cur);
	xf_namevec_free(&old);
	return rc;
}

/* Units of the group's name changes: each change's unit_root, sorted, a
 * unit inside another dropped (the outer one holds its changes). */
static int name_units(rbl_txn *t, diff *d, unsigned gi, xf_namevec *units)
{
	size_t o = 0, root = 0;
	int rc = RBL_OK;

	for (size_t i = 0; i < d->n_nm && rc == RBL_OK; i++) {
		const undo *u = &d->nm[i];
		const uint8_t *k = d->keys.keys + u->koff;

		if (u->gi != gi)
			continue;
		if ((rc = unit_root(t, d, k, u->klen, &root)) == RBL_OK)
			rc = xf_namevec_push_key(units, k, root, 0, 0, 0);
	}
	xf_namevec_sort(units);
	for (size_t i = 0; i < units->n; i++) {
		const xf_nament *p = o ? &units->v[o - 1] : NULL,
				*e = &units->v[i];

		if (!p || e->klen < p->klen ||
		    memcmp(units->keys + e->koff, units->keys + p->koff,
			   p->klen) != 0)
			units->v[o++] = *e;
	}
	units->n = o;
	return rc;
}

static int diff_names(rbl_txn *t, diff *d, unsigned gi)
{
	xf_namevec units = { 0 };
	size_t ui = 0;
	int rc;

	memset(&units, 0, sizeof units);
	rc = name_units(t, d, gi, &units);
	for (size_t i = 0; i < units.n && rc == RBL_OK; i++)
		rc = diff_unit(t, d, gi, units.keys + units.v[i].koff,
			       units.v[i].klen, &ui);
	xf_namevec_free(&units);
	return rc;
}

/* ------------------------------------------------------------ driver */

static int diff_groups(rbl_txn *t, diff *d)
{
	int rc = RBL_OK;

	for (unsigned gi = 0; gi < d->n_groups && rc == RBL_OK; gi++) {
		bool any_nm = false;

		if ((rc = xf_ctx_group(&d->x, &d->groups[gi])) != RBL_OK)
			break;
		for (size_t i = 0; i < d->n_nm && !any_nm; i++)
			any_nm = d->nm[i].gi == gi;
		if (any_nm)
			rc = diff_names(t, d, gi);
		if (rc == RBL_OK)
			rc = diff_ip(t, d, gi);
	}
	return rc;
}

static void diff_free(diff *d)
{
	xf_ctx_free(&d->x);
	free(d->groups);
	free(d->ip);
	free(d->nm);
	xf_namevec_free(&d->keys);
	rrvec_free(&d->old);
	rrvec_free(&d->new_);
}

int rbl_xfr_diff(rbl_txn *t, const rbl_zone *z, uint32_t from,
		 const rbl_xfr_opts *o, rbl_xrr_fn del, rbl_xrr_fn add,
		 void *arg, uint64_t *n_changes)
{
	rbl_xfr_opts opts = *o;
	rbl_xfr_stats st = { 0 };
	diff d = { 0 };
	int rc;

	memset(&d, 0, sizeof d);
	opts.now = 0;
	opts.max_records = 0;
	if ((rc = xf_ctx_init(&d.x, z, &opts, rrvec_add, NULL, &st)) !=
	    RBL_OK)
		return rc;
	memset(&st, 0, sizeof st);
	d.groups = malloc(RBL_ZONE_MAX_LISTS * sizeof *d.groups);
	rc = d.groups ? xf_groups(t, z, d.groups, &d.n_groups) : RBL_ENOMEM;
	if (rc == RBL_OK)
		rc = rbl_journal_foreach(t, z->id, from, journal_visit, &d);
	if (n_changes)
		*n_changes = d.order;
	if (rc == RBL_OK) {
		earliest_only(&d);
		/* this many changed keys: the whole zone is cheaper */
		rc = d.n_ip + d.n_nm > RBL_XFR_DIFF_MAX_KEYS ? RBL_ESTALE
							       : diff_groups(t, &d);
	}
	if (rc == RBL_OK && o->max_records &&
	    d.old.n + d.new_.n > o->max_records)
		rc = RBL_ELIMIT;
	if (rc == RBL_OK) {
		rrvec_sort(&d.old);
		rrvec_sort(&d.new_);
		rc = minus(&d.old, &d.new_, del, arg);
	}
	if (rc == RBL_OK)
		rc = minus(&d.new_, &d.old, add, arg);
	diff_free(&d);
	return rc;
}
