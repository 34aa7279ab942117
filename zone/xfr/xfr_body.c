/*
 * xfr_body.c -- a whole zone as records (rbl_xfr_body), and the entry
 * collection that IXFR shares (see xfr_impl.h).
 *
 * Per group: the domain lists in one pass, then each IPv4 /8 and each
 * IPv6 /16 that holds or is covered by an entry.  A unit's entries are
 * read from every IP list of the group (the entries inside the unit with
 * one range walk each, the few wider ones covering it with one lookup per
 * shorter length) and expanded together, so a unit costs memory in
 * proportion to its own entries only.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/xfr/xfr_impl.h"

#define V6_BLOCKS	65536

/* ------------------------------------------------------------ collect */

typedef struct ip_collect {
	xf_ctx *x;
	unsigned li;
	xf_ipvec *out;
	int64_t now;
} ip_collect;

static bool expired(int64_t expires, int64_t now)
{
	return now && expires && expires <= now;
}

static int ip_visit(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	ip_collect *c = arg;
	xf_ipent ie = { 0 };

	if (expired(e->expires, c->now))
		return 0;
	ie.p = *p;
	ie.li = (uint8_t)c->li;
	ie.ans = xf_answer_of(c->x, &c->x->g->lists[c->li], e);
	if (c->x->error)
		return c->x->error;
	return xf_ipvec_push(c->out, &ie);
}

int xf_collect_block(rbl_txn *t, xf_ctx *x, unsigned li,
		     const rbl_prefix *block, xf_ipvec *out)
{
	ip_collect c = { x, li, out, x->o->now };
	uint32_t id = x->g->lists[li].id;
	int rc;

	for (unsigned len = 0; len < block->len; len++) {
		rbl_prefix p = { 0 };
		rbl_entry e = { 0 };

		xf_prefix_cut(&block->addr, (uint8_t)len, &p);
		rc = rbl_ip_get(t, id, &p, &e);
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK || (rc = ip_visit(&c, &p, &e)) != RBL_OK)
			return rc;
	}
	return rbl_ip_foreach(t, id, block, ip_visit, &c);
}

uint8_t xf_name_sel(const rbl_entry *e)
{
	uint8_t sel = (uint8_t)(e->flags & (RBL_ENTRY_NAME_EXACT |
					    RBL_ENTRY_NAME_SUBS));

	return sel ? sel : RBL_ENTRY_NAME_EXACT;
}

typedef struct name_collect {
	xf_ctx *x;
	unsigned li;
	xf_namevec *out;
} name_collect;

static int name_visit(void *arg, const char *name, const rbl_entry *e)
{
	name_collect *c = arg;
	uint8_t k[XF_NAME_KEY_MAX];
	size_t klen;
	uint32_t ans;
	rbl_entry aged;

	if (c->x->g->lists[c->li].kind == RBL_LIST_NEWLY_SEEN &&
	    e->expires > 0) {
		/* the code rbld answers now (store.h); a secondary keeps
		 * it until the entry changes or expires */
		aged = *e;
		aged.n_codes = 1;
		aged.codes[0] = rbl_newly_seen_code(e->expires,
						    c->x->o->now, 0);
		e = &aged;
	}
	if (expired(e->expires, c->x->o->now) ||
	    (klen = xf_name_key(name, k)) == 0)
		return 0;
	ans = xf_answer_of(c->x, &c->x->g->lists[c->li], e);
	if (c->x->error)
		return c->x->error;
	return xf_namevec_push_slots(c->out, k, klen, (uint8_t)c->li,
				     xf_name_sel(e), ans);
}

int xf_collect_names(rbl_txn *t, xf_ctx *x, unsigned li, xf_namevec *out)
{
	name_collect c = { x, li, out };

	return rbl_name_foreach(t, x->g->lists[li].id, name_visit, &c);
}

int xf_collect_under(rbl_txn *t, xf_ctx *x, unsigned li, const char *name,
		     bool below, xf_namevec *out)
{
	name_collect c = { x, li, out };

	return rbl_name_foreach_under(t, x->g->lists[li].id, name, below,
				      name_visit, &c);
}

/* ------------------------------------------------------------ units */

static int expand_block(rbl_txn *t, xf_ctx *x, const rbl_prefix *block,
			xf_ipvec *v)
{
	int rc = RBL_OK;

	v->n = 0;
	for (unsigned li = 0; li < x->g->n_lists && rc == RBL_OK; li++)
		if (x->g->lists[li].kind == RBL_LIST_IP)
			rc = xf_collect_block(t, x, li, block, v);
	if (rc != RBL_OK || v->n == 0)
		return rc;
	qsort(v->v, v->n, sizeof *v->v, xf_ipent_cmp);
	return xf_ip_block(x, block, v->v, v->n);
}

typedef struct v6_marks {
	uint8_t *bits;			/* one per /16 */
} v6_marks;

static int mark_v6(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	v6_marks *m = arg;
	uint32_t first = (uint32_t)p->addr.bytes[0] << 8 | p->addr.bytes[1];
	uint32_t n = p->len >= XF_V6_TOP ? 1 : 1u << (XF_V6_TOP - p->len);

	for (uint32_t b = first; b < first + n && b < V6_BLOCKS; b++)
		m->bits[b / 8] |= (uint8_t)(1u << (b % 8));
	return 0;
}

static int expand_v6(rbl_txn *t, xf_ctx *x, xf_ipvec *v)
{
	v6_marks m = { calloc(V6_BLOCKS / 8, 1) };
	rbl_prefix all = { 0 };
	int rc = RBL_OK;

	if (!m.bits)
		return RBL_ENOMEM;
	memset(&all, 0, sizeof all);
	all.addr.family = RBL_AF6;
	for (unsigned li = 0; li < x->g->n_lists && rc == RBL_OK; li++)
		if (x->g->lists[li].kind == RBL_LIST_IP)
			rc = rbl_ip_foreach(t, x->g->lists[li].id, &all,
					    mark_v6, &m);
	for (uint32_t b = 0; b < V6_BLOCKS && rc == RBL_OK; b++) {
		rbl_prefix block = all;

		if (!(m.bits[b / 8] >> (b % 8) & 1))
			continue;
		block.addr.bytes[0] = (uint8_t)(b >> 8);
		block.addr.bytes[1] = (uint8_t)b;
		block.len = XF_V6_TOP;
		rc = expand_block(t, x, &block, v);
	}
	free(m.bits);
	return rc;
}

static int expand_ip(rbl_txn *t, xf_ctx *x)
{
	xf_ipvec v = { NULL, 0, 0 };
	int rc = RBL_OK;

	for (unsigned b = 0; b < 256 && rc == RBL_OK; b++) {
		rbl_prefix block = { 0 };

		memset(&block, 0, sizeof block);
		block.addr.family = RBL_AF4;
		block.addr.bytes[0] = (uint8_t)b;
		block.len = XF_V4_TOP;
		rc = expand_block(t, x, &block, &v);
	}
	if (rc == RBL_OK)
		rc = expand_v6(t, x, &v);
	xf_ipvec_free(&v);
	return rc;
}

static int expand_names(rbl_txn *t, xf_ctx *x)
{
	xf_namevec v = { 0 };
	int rc = RBL_OK;

	memset(&v, 0, sizeof v);
	for (unsigned li = 0; li < x->g->n_lists && rc == RBL_OK; li++)
		if (rbl_list_kind_is_name(x->g->lists[li].kind))
			rc = xf_collect_names(t, x, li, &v);
	if (rc == RBL_OK && v.n) {
		xf_namevec_sort(&v);
		rc = xf_name_expand(x, &v, NULL, 0);
	}
	xf_namevec_free(&v);
	return rc;
}

/* "<sub>.<zone>" exists for rbld even with nothing listed under it. */
static int emit_sub(xf_ctx *x)
{
	uint8_t own[RBL_LABEL_MAX + 1];
	size_t n = 0;

	if (!x->g->sub_len)
		return RBL_OK;
	xf_owner_sub(x, own, &n);
	return xf_emit_placeholder(x, own, n);
}

int rbl_xfr_body(rbl_txn *t, const rbl_zone *z, const rbl_xfr_opts *o,
		 rbl_xrr_fn fn, void *arg, rbl_xfr_stats *st)
{
	rbl_xfr_stats own = { 0 };
	xf_group *groups = malloc(RBL_ZONE_MAX_LISTS * sizeof *groups);
	unsigned n_groups = 0;
	xf_ctx x = { 0 };
	int rc;

	if (!st)
		st = &own;
	memset(st, 0, sizeof *st);
	if (!groups)
		return RBL_ENOMEM;
	if ((rc = xf_ctx_init(&x, z, o, fn, arg, st)) != RBL_OK) {
		free(groups);
		return rc;
	}
	rc = xf_emit_apex(t, &x);
	if (rc == RBL_OK)
		rc = xf_groups(t, z, groups, &n_groups);
	for (unsigned g = 0; g < n_groups && rc == RBL_OK; g++) {
		if ((rc = xf_ctx_group(&x, &groups[g])) != RBL_OK ||
		    (rc = emit_sub(&x)) != RBL_OK)
			break;
		if (groups[g].has_name)
			rc = expand_names(t, &x);
		if (rc == RBL_OK && groups[g].has_ip)
			rc = expand_ip(t, &x);
	}
	xf_ctx_free(&x);
	free(groups);
	return rc;
}
