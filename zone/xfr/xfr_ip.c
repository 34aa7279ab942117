/*
 * xfr_ip.c -- one address unit (an IPv4 /8 or IPv6 /16 of a group) as
 * records (see xfr_expand.h for the rules, xfr_impl.h for the terms).
 *
 * Units: an IPv6 /16 is one unit.  An IPv4 /8 is a "top" point of its
 * own (a wildcard when something covers the whole /8) and 256 units, one
 * per /16, that depend on the rest only through the entries covering
 * them: the top point's wildcard does not look at its children, so a
 * change inside a /16 touches that /16 alone (IXFR, xfr_diff.c).
 * The unit's entries come sorted by address, then prefix length, which
 * is the pre-order of the prefix tree.  The expansion runs in passes over
 * an array of points in the same order:
 *   1. points: the aligned prefixes each entry becomes and all their
 *      aligned ancestors down to the unit;
 *   2. answers: walking points and entries together with a stack of the
 *      entries covering the current point gives each point, per list,
 *      its longest matching entry of at most the point's length;
 *   3. shields (IPv4 under all-digit labels, see xfr_expand.h);
 *   4. shape: parents, number of children, which points hold records or
 *      a wildcard, and bottom-up which names exist, so that a point the
 *      parent's wildcard would wrongly match gets a placeholder;
 *   5. records, in point order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/xfr/xfr_impl.h"

enum pt_flag {
	PT_REC = 1,		/* records at the name */
	PT_WILD = 2,		/* a wildcard below it */
	PT_PLACE = 4,		/* a placeholder at the name */
	PT_CHILD = 8,		/* some name below it exists */
	PT_DIGITS = 16,		/* IPv4 labels all single digits */
};

#define STACK_MAX	((128 + 1) * RBL_ZONE_MAX_LISTS)

typedef struct ippt {
	rbl_addr a;
	uint8_t len;
	uint8_t fl;
	uint16_t nchild;
	int32_t parent;
	uint32_t combo;
} ippt;

typedef struct ptvec {
	ippt *v;
	size_t n, cap;
} ptvec;

typedef struct unit_geo {
	uint8_t family;
	unsigned bits, step;
	unsigned top;			/* the unit's length: /16 */
	bool has_parent;		/* IPv4: the /8 top point above it */
	uint32_t parent_combo;		/* its answer (0: no wildcard) */
} unit_geo;

/* ------------------------------------------------------------ prefixes */

void xf_prefix_cut(const rbl_addr *a, uint8_t len, rbl_prefix *out)
{
	out->addr = *a;
	out->len = len;
	rbl_prefix_canon(out);
}

void xf_unit_of(const rbl_addr *a, rbl_prefix *block)
{
	xf_prefix_cut(a, a->family == RBL_AF4 ? XF_V4_TOP : XF_V6_TOP, block);
}

/* Does prefix (A, ALEN) cover (B, BLEN)? */
static bool covers(const rbl_addr *a, unsigned alen, const rbl_addr *b,
		   unsigned blen)
{
	unsigned full = alen / 8, rest = alen % 8;

	if (alen > blen || memcmp(a->bytes, b->bytes, full) != 0)
		return false;
	return rest == 0 ||
	       ((a->bytes[full] ^ b->bytes[full]) & (0xff00u >> rest)) == 0;
}

/* Set bits FROM..FROM+N-1 (N <= 32, network order) of A to VALUE. */
static void set_bits(rbl_addr *a, unsigned from, unsigned n, uint32_t value)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned bit = from + i;
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));

		if (value >> (n - 1 - i) & 1)
			a->bytes[bit / 8] |= mask;
		else
			a->bytes[bit / 8] &= (uint8_t)~mask;
	}
}

static int addr_len_cmp(const rbl_addr *a, unsigned alen, const rbl_addr *b,
			unsigned blen)
{
	int c = memcmp(a->bytes, b->bytes, 16);

	if (c)
		return c;
	return (int)alen - (int)blen;
}

int xf_ipent_cmp(const void *pa, const void *pb)
{
	const xf_ipent *a = pa, *b = pb;
	int c = addr_len_cmp(&a->p.addr, a->p.len, &b->p.addr, b->p.len);

	return c ? c : (int)a->li - (int)b->li;
}

static int ippt_cmp(const void *pa, const void *pb)
{
	const ippt *a = pa, *b = pb;

	return addr_len_cmp(&a->a, a->len, &b->a, b->len);
}

/* ------------------------------------------------------------ vectors */

int xf_ipvec_push(xf_ipvec *v, const xf_ipent *e)
{
	if (rbl_array_reserve(v->v, v->cap, v->n + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	v->v[v->n++] = *e;
	return RBL_OK;
}

void xf_ipvec_free(xf_ipvec *v)
{
	free(v->v);
	memset(v, 0, sizeof *v);
}

static int pt_push(ptvec *v, const rbl_addr *a, unsigned len, uint32_t combo)
{
	ippt *p;

	if (rbl_array_reserve(v->v, v->cap, v->n + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	p = &v->v[v->n++];
	memset(p, 0, sizeof *p);
	p->a = *a;
	p->len = (uint8_t)len;
	p->combo = combo;
	p->parent = -1;
	return RBL_OK;
}

static void pt_sort_unique(ptvec *v)
{
	size_t o = 0;

	if (v->n == 0)
		return;
	qsort(v->v, v->n, sizeof *v->v, ippt_cmp);
	for (size_t i = 0; i < v->n; i++)
		if (o == 0 || ippt_cmp(&v->v[o - 1], &v->v[i]) != 0)
			v->v[o++] = v->v[i];
	v->n = o;
}

/* ------------------------------------------------------------ 1. points */

/* The level an entry's points are at: its length rounded up to a label,
 * or a whole address when its TXT uses '$' and it is small enough. */
static unsigned entry_level(const xf_ctx *x, const unit_geo *u,
			    const xf_ipent *e)
{
	unsigned level = (e->p.len + u->step - 1) / u->step * u->step;

	if (e->ans && x->txt_expand_bits &&
	    u->bits - e->p.len <= x->txt_expand_bits &&
	    xf_answer(x, e->ans)->dollar)
		level = u->bits;
	return level;
}

/* Push the points of entry E: its aligned ancestors (once per run of
 * entries sharing them: LAST remembers the previous one of each level)
 * and the prefixes it becomes. */
static int entry_points(xf_ctx *x, const unit_geo *u, const xf_ipent *e,
			ptvec *pts, rbl_prefix *last)
{
	unsigned level = entry_level(x, u, e);
	int rc = RBL_OK;

	for (unsigned l = u->top; l <= level && rc == RBL_OK; l += u->step) {
		rbl_prefix *prev = &last[l / u->step];
		rbl_prefix cut = { 0 };

		if (l <= e->p.len) {
			xf_prefix_cut(&e->p.addr, (uint8_t)l, &cut);
			if (prev->len == l && !memcmp(prev->addr.bytes,
						      cut.addr.bytes, 16))
				continue;
			*prev = cut;
			rc = pt_push(pts, &cut.addr, l, 0);
			continue;
		}
		for (uint64_t j = 0; j < (1ull << (l - e->p.len)) &&
				     rc == RBL_OK; j++) {
			rbl_addr a = e->p.addr;

			set_bits(&a, e->p.len, l - e->p.len, (uint32_t)j);
			rc = pt_push(pts, &a, l, 0);
		}
	}
	return rc;
}

/* IPv4 prefix whose labels are all single digits (see add_shields). */
static bool block_digits(const rbl_prefix *p)
{
	if (p->addr.family != RBL_AF4)
		return false;
	for (unsigned k = 0; k < p->len / 8u; k++)
		if (p->addr.bytes[k] > 9)
			return false;
	return true;
}

static int gen_points(xf_ctx *x, const unit_geo *u, const rbl_prefix *block,
		      const xf_ipent *e, size_t n, ptvec *pts)
{
	rbl_prefix last[128 / 4 + 1];
	unsigned parent_len = u->has_parent ? u->top - u->step : 0;
	bool covered = u->has_parent && u->parent_combo && block_digits(block);
	int rc = RBL_OK;

	memset(last, 0xff, sizeof last);
	for (size_t i = 0; i < n && rc == RBL_OK; i++) {
		if (e[i].p.len < u->top) {
			/* a wider entry below the top point becomes points at
			 * the unit's level, so the unit's root is one */
			if (!u->has_parent || e[i].p.len > parent_len)
				covered = true;
		} else
			rc = entry_points(x, u, &e[i], pts, last);
		if (x->o->max_records &&
		    pts->n > 4 * x->o->max_records + 4096)
			return RBL_ELIMIT;
	}
	if (rc == RBL_OK && covered)
		rc = pt_push(pts, &block->addr, block->len, 0);
	if (rc == RBL_OK)
		pt_sort_unique(pts);
	return rc;
}

/* ------------------------------------------------------------ 2. answers */

typedef struct entry_stack {
	const xf_ipent *v[STACK_MAX];
	unsigned n;
} entry_stack;

static void stack_pop_to(entry_stack *s, const rbl_addr *a, unsigned len)
{
	while (s->n && !covers(&s->v[s->n - 1]->p.addr, s->v[s->n - 1]->p.len,
			       a, len))
		s->n--;
}

static uint32_t stack_combo(xf_ctx *x, const entry_stack *s)
{
	uint32_t ids[RBL_ZONE_MAX_LISTS] = { 0 };
	bool done[RBL_ZONE_MAX_LISTS] = { false };

	for (unsigned i = s->n; i-- > 0;) {
		const xf_ipent *e = s->v[i];

		if (!done[e->li]) {
			done[e->li] = true;
			ids[e->li] = e->ans;
		}
	}
	return xf_combo(x, ids);
}

static int compute_combos(xf_ctx *x, const xf_ipent *e, size_t n,
			  ptvec *pts)
{
	entry_stack *s = calloc(1, sizeof *s);
	size_t ei = 0;

	if (!s)
		return RBL_ENOMEM;
	s->n = 0;
	for (size_t i = 0; i < pts->n; i++) {
		ippt *q = &pts->v[i];

		while (ei < n && addr_len_cmp(&e[ei].p.addr, e[ei].p.len,
					      &q->a, q->len) <= 0) {
			stack_pop_to(s, &e[ei].p.addr, e[ei].p.len);
			if (s->n < STACK_MAX)
				s->v[s->n++] = &e[ei];
			ei++;
		}
		stack_pop_to(s, &q->a, q->len);
		q->combo = stack_combo(x, s);
	}
	free(s);
	return x->error;
}

/* ------------------------------------------------------------ 3. shields */

static bool all_digits(const ippt *q)
{
	if (q->a.family != RBL_AF4)
		return false;
	for (unsigned k = 0; k < q->len / 8u; k++)
		if (q->a.bytes[k] > 9)
			return false;
	return true;
}

static bool pt_present(const ptvec *v, size_t n, const rbl_addr *a,
		       unsigned len)
{
	ippt key = { 0 };

	key.a = *a;
	key.len = (uint8_t)len;
	return bsearch(&key, v->v, n, sizeof *v->v, ippt_cmp) != NULL;
}

/* A listed wildcard under all-digit labels would match IPv6 names too:
 * give it its ten digit children (answering like the parent unless they
 * are points already), recursively down to addresses. */
static int add_shields(ptvec *pts)
{
	for (unsigned round = 0; round < 4; round++) {
		size_t n = pts->n;
		bool added = false;

		for (size_t i = 0; i < n; i++) {
			ippt q = pts->v[i];

			if (q.len >= 32 || q.combo == 0 || !all_digits(&q))
				continue;
			for (uint8_t h = 0; h <= 9; h++) {
				rbl_addr a = q.a;
				int rc;

				a.bytes[q.len / 8] = h;
				if (pt_present(pts, n, &a, q.len + 8u))
					continue;
				if ((rc = pt_push(pts, &a, q.len + 8u,
						  q.combo)) != RBL_OK)
					return rc;
				added = true;
			}
		}
		if (!added)
			break;
		pt_sort_unique(pts);
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ 4. shape */

static void link_parents(const unit_geo *u, ptvec *pts)
{
	int32_t stack[128 / 4 + 2];
	unsigned sp = 0;

	for (size_t i = 0; i < pts->n; i++) {
		ippt *q = &pts->v[i];

		while (sp) {
			const ippt *t = &pts->v[stack[sp - 1]];

			if (t->len < q->len && covers(&t->a, t->len, &q->a,
						      q->len))
				break;
			sp--;
		}
		if (sp && pts->v[stack[sp - 1]].len + u->step == q->len) {
			q->parent = stack[sp - 1];
			pts->v[q->parent].nchild++;
		}
		if (sp < sizeof stack / sizeof stack[0])
			stack[sp++] = (int32_t)i;
	}
}

static void decide_shape(const unit_geo *u, ptvec *pts)
{
	bool root_matched = u->has_parent && u->parent_combo != 0;

	for (size_t i = 0; i < pts->n; i++) {
		ippt *q = &pts->v[i];

		if (q->combo == 0)
			continue;
		if (q->len == u->bits)
			q->fl |= PT_REC;
		else if (q->nchild < (1u << u->step))
			q->fl |= PT_WILD;
		if (all_digits(q))
			q->fl |= PT_DIGITS;
	}
	/* children come after their parent: walk backwards */
	for (size_t i = pts->n; i-- > 0;) {
		ippt *q = &pts->v[i];
		bool matched = q->parent >= 0
			       ? (pts->v[q->parent].fl & PT_WILD) != 0
			       : q->len == u->top && root_matched;

		if (matched && !(q->fl & (PT_REC | PT_WILD | PT_CHILD)))
			q->fl |= PT_PLACE;
		if (q->parent >= 0 && (q->fl & (PT_REC | PT_WILD | PT_CHILD |
						PT_PLACE)))
			pts->v[q->parent].fl |= PT_CHILD;
	}
}

/* ------------------------------------------------------------ 5. records */

static size_t ip_owner(const xf_ctx *x, const rbl_addr *a, unsigned len,
		       const char *first, uint8_t *own)
{
	size_t n = 0;

	if (first) {
		own[n++] = (uint8_t)strlen(first);
		memcpy(own + n, first, own[n - 1]);
		n += own[n - 1];
	}
	if (a->family == RBL_AF4) {
		for (unsigned k = len / 8; k-- > 0;) {
			int w = snprintf((char *)own + n + 1, 4, "%u",
					 a->bytes[k]);

			own[n] = (uint8_t)w;
			n += 1u + (unsigned)w;
		}
	} else {
		for (unsigned k = len / 4; k-- > 0;) {
			unsigned v = a->bytes[k / 2] >> (k % 2 ? 0 : 4) & 15;

			own[n++] = 1;
			own[n++] = (uint8_t)"0123456789abcdef"[v];
		}
	}
	xf_owner_sub(x, own, &n);
	return n;
}

static int emit_wild(xf_ctx *x, const ippt *q)
{
	static const char *const hex[] = { "a", "b", "c", "d", "e", "f" };
	uint8_t own[300];
	char subject[RBL_ADDR_STRLEN];
	rbl_prefix p = { q->a, q->len };
	size_t n = ip_owner(x, &q->a, q->len, "*", own);
	int rc = xf_emit_combo(x, own, n, q->combo, rbl_prefix_format(&p,
					subject), true);

	for (unsigned h = 0; rc == RBL_OK && (q->fl & PT_DIGITS) && h < 6;
	     h++) {
		n = ip_owner(x, &q->a, q->len, hex[h], own);
		rc = xf_emit_placeholder(x, own, n);
	}
	return rc;
}

static int emit_point(xf_ctx *x, const ippt *q)
{
	uint8_t own[300];
	char subject[RBL_ADDR_STRLEN];
	size_t n;
	int rc = RBL_OK;

	if (q->fl & (PT_REC | PT_PLACE)) {
		n = ip_owner(x, &q->a, q->len, NULL, own);
		if (q->fl & PT_REC)
			rc = xf_emit_combo(x, own, n, q->combo,
					   rbl_addr_format(&q->a, subject),
					   false);
		else
			rc = xf_emit_placeholder(x, own, n);
	}
	if (rc == RBL_OK && (q->fl & PT_WILD))
		rc = emit_wild(x, q);
	return rc;
}

/* What the lists say for the whole of BLOCK: per list the longest entry
 * of at most its length among ENTS (which all cover or lie in it). */
static uint32_t block_combo(xf_ctx *x, const rbl_prefix *block,
			    const xf_ipent *ents, size_t n)
{
	uint32_t ids[RBL_ZONE_MAX_LISTS] = { 0 };
	uint8_t best[RBL_ZONE_MAX_LISTS];
	bool seen[RBL_ZONE_MAX_LISTS] = { false };

	for (size_t i = 0; i < n; i++) {
		const xf_ipent *e = &ents[i];

		if (e->p.len > block->len ||
		    !covers(&e->p.addr, e->p.len, &block->addr, block->len) ||
		    (seen[e->li] && best[e->li] >= e->p.len))
			continue;
		seen[e->li] = true;
		best[e->li] = e->p.len;
		ids[e->li] = e->ans;
	}
	return xf_combo(x, ids);
}

/* The unit UNIT from ENTS (inside it or covering it, sorted). */
static int expand_unit(xf_ctx *x, const unit_geo *u, const rbl_prefix *unit,
		       const xf_ipent *ents, size_t n)
{
	bool v4 = u->family == RBL_AF4;
	ptvec pts = { NULL, 0, 0 };
	int rc = gen_points(x, u, unit, ents, n, &pts);

	if (rc == RBL_OK)
		rc = compute_combos(x, ents, n, &pts);
	if (rc == RBL_OK && v4 && unit->addr.bytes[0] <= 9) {
		rc = add_shields(&pts);
		if (rc == RBL_OK)	/* new points may hide entries */
			rc = compute_combos(x, ents, n, &pts);
	}
	if (rc == RBL_OK) {
		link_parents(u, &pts);
		decide_shape(u, &pts);
	}
	for (size_t i = 0; i < pts.n && rc == RBL_OK; i++)
		rc = emit_point(x, &pts.v[i]);
	free(pts.v);
	return rc;
}

static void geo_of(const rbl_prefix *unit, unit_geo *u)
{
	bool v4 = unit->addr.family == RBL_AF4;

	memset(u, 0, sizeof *u);
	u->family = unit->addr.family;
	u->bits = v4 ? 32u : 128u;
	u->step = v4 ? 8u : 4u;
	u->top = unit->len;
	u->has_parent = v4;
}

int xf_ip_unit(xf_ctx *x, const rbl_prefix *unit, const xf_ipent *ents,
	       size_t n)
{
	unit_geo u = { 0 };

	geo_of(unit, &u);
	if (u.has_parent) {
		rbl_prefix top = { 0 };

		xf_prefix_cut(&unit->addr, XF_V4_TOP, &top);
		u.parent_combo = block_combo(x, &top, ents, n);
	}
	return x->error ? x->error : expand_unit(x, &u, unit, ents, n);
}

/* The /8 top point: a wildcard when the lists answer for all of it; its
 * hex-letter children shielded like any all-digit wildcard. */
static int emit_top(xf_ctx *x, const rbl_prefix *block, uint32_t combo)
{
	ippt q = { 0 };

	memset(&q, 0, sizeof q);
	q.a = block->addr;
	q.len = block->len;
	q.combo = combo;
	q.parent = -1;
	if (combo)
		q.fl = PT_WILD | (all_digits(&q) ? PT_DIGITS : 0);
	return emit_point(x, &q);
}

int xf_ip_top(xf_ctx *x, const rbl_prefix *block, const xf_ipent *ents,
	      size_t n, uint32_t *combo)
{
	*combo = block_combo(x, block, ents, n);
	return x->error ? x->error : emit_top(x, block, *combo);
}

/* Mark the /16 units of BLOCK that hold points: MARK has 256 bits. */
static void mark_units(const rbl_prefix *block, const xf_ipent *ents,
		       size_t n, uint32_t top, uint8_t *mark)
{
	memset(mark, 0, 32);
	for (size_t i = 0; i < n; i++) {
		const rbl_prefix *p = &ents[i].p;
		unsigned first = p->addr.bytes[1], count;

		if (p->len <= XF_V4_TOP)
			continue;
		count = p->len >= XF_V4_UNIT ? 1u
					     : 1u << (XF_V4_UNIT - p->len);
		for (unsigned b = first; b < first + count && b < 256; b++)
			mark[b / 8] |= (uint8_t)(1u << (b % 8));
	}
	if (top && block_digits(block))	/* shields: see add_shields */
		for (unsigned b = 0; b <= 9; b++)
			mark[b / 8] |= (uint8_t)(1u << (b % 8));
}

static int block_units(xf_ctx *x, const rbl_prefix *block,
		       const xf_ipent *ents, size_t n, uint32_t top)
{
	uint8_t mark[32];
	xf_ipent *v = malloc((n + 1) * sizeof *v);
	size_t lo = 0;
	int rc = v ? RBL_OK : RBL_ENOMEM;

	mark_units(block, ents, n, top, mark);
	for (unsigned b = 0; b < 256 && rc == RBL_OK; b++) {
		rbl_prefix unit = *block;
		size_t k = 0, hi;

		if (!(mark[b / 8] >> (b % 8) & 1))
			continue;
		unit.addr.bytes[1] = (uint8_t)b;
		unit.len = XF_V4_UNIT;
		for (size_t i = 0; i < n; i++)	/* the wider ones covering it */
			if (ents[i].p.len < XF_V4_UNIT &&
			    covers(&ents[i].p.addr, ents[i].p.len,
				   &unit.addr, unit.len))
				v[k++] = ents[i];
		while (lo < n && (ents[lo].p.len < XF_V4_UNIT ||
				  ents[lo].p.addr.bytes[1] < b))
			lo++;
		for (hi = lo; hi < n && (ents[hi].p.len < XF_V4_UNIT ||
					 ents[hi].p.addr.bytes[1] == b); hi++)
			if (ents[hi].p.len >= XF_V4_UNIT)
				v[k++] = ents[hi];
		rc = xf_ip_unit(x, &unit, v, k);
	}
	free(v);
	return rc;
}

int xf_ip_block(xf_ctx *x, const rbl_prefix *block, const xf_ipent *ents,
		size_t n)
{
	uint32_t top = 0;
	int rc;

	if (block->addr.family == RBL_AF6) {	/* one unit */
		unit_geo u = { 0 };

		geo_of(block, &u);
		return expand_unit(x, &u, block, ents, n);
	}
	if ((rc = xf_ip_top(x, block, ents, n, &top)) != RBL_OK)
		return rc;
	return block_units(x, block, ents, n, top);
}
