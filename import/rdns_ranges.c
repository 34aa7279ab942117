/*
 * rdns_ranges.c -- group classified names of one widest block into
 * proposed ranges.
 *
 * Per widest block: records (address offset, class, template) in an
 * array, templates interned in a small hash table, names and template
 * texts in one arena; all three are emptied, not freed, between blocks.
 * The tree walk computes each node's statistics with one pass over its
 * records (a per-template counter that is reset through a touched list),
 * so a block costs O(names x depth).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "rdns_ranges.h"

typedef struct rec {
	uint32_t off;		/* address offset inside the widest block */
	uint32_t tmpl;		/* index into templates */
	uint32_t name;		/* arena offset of the name */
	uint8_t cls;
} rec;

typedef struct tmpl {
	uint32_t text, domain;	/* arena offsets */
	uint32_t hash;
	uint32_t count;		/* scratch: names in the node being scanned */
	uint16_t conf;		/* rule confidence of its first name */
	uint8_t cls;
} tmpl;

/* What one node of the tree looks like. */
typedef struct node_stats {
	uint32_t named, non_infra, infra;
	uint32_t per_class[RBL_RDNS_NCLASS];
	uint32_t dominant, dominant_count;	/* template index, names */
	bool has_dominant;
} node_stats;

/* What a node tells its parent. */
typedef struct node_result {
	bool qualifies;		/* may be proposed as a whole */
	bool dense;		/* it and every block inside it down to the
				   narrowest have the coverage */
	bool agrees;		/* its dominant template has the agreement */
	uint32_t dominant;
	uint32_t non_infra;
} node_result;

/* A qualifying block waiting to be emitted (emission is in address
 * order, the tree walk finds them bottom-up). */
typedef struct pending_block {
	uint32_t base;
	uint8_t len;
	size_t i, j;
} pending_block;

struct rbl_rdns_ranger {
	const rbl_rdns_classifier *c;
	const rbl_rdns_range_opts *o;
	char source[RBL_SOURCE_MAX + 1];
	rbl_rdns_proposal_fn on_proposal;
	rbl_rdns_infra_fn on_infra;
	void *arg;
	bool have_block;
	rbl_prefix block;	/* the widest block being collected */
	unsigned host_bits;	/* address bits below the widest block */
	rec *recs;
	size_t nrecs, cap_recs;
	tmpl *tmpls;
	size_t ntmpls, cap_tmpls;
	uint32_t *slots;	/* template hash: index + 1, 0 = empty */
	size_t slot_mask;
	uint32_t *touched;	/* templates counted in the current scan */
	size_t ntouched, cap_touched;
	char *arena;
	size_t alen, acap;
	pending_block *pending;
	size_t npending, cap_pending;
	rbl_rdns_range_stats stats;
	rbl_rdns_result res;		/* scratch for classification */
	rbl_rdns_proposal prop;		/* scratch for emission */
};

void rbl_rdns_range_opts_defaults(rbl_rdns_range_opts *o)
{
	*o = (rbl_rdns_range_opts){
		.min_coverage = 500, .min_agreement = 900, .min_named = 8,
		.max_infra = 100, .widest4 = 16, .narrowest4 = 28,
		.widest6 = 112, .narrowest6 = 124,
	};
}

int rbl_rdns_range_opts_check(const rbl_rdns_range_opts *o)
{
	if (o->min_coverage > 1000 || o->min_agreement > 1000 ||
	    o->max_infra > 1000 || o->min_named == 0)
		return RBL_EINVAL;
	if (o->widest4 < 8 || o->widest4 > o->narrowest4 || o->narrowest4 > 32)
		return RBL_EINVAL;
	if (o->widest6 < 104 || o->widest6 > o->narrowest6 ||
	    o->narrowest6 > 128)
		return RBL_EINVAL;
	return RBL_OK;
}

/* ------------------------------------------------------------ storage */

static int arena_put(rbl_rdns_ranger *r, const char *s, uint32_t *off)
{
	size_t len = strlen(s) + 1;
	if (r->alen + len > UINT32_MAX)
		return RBL_ELIMIT;	/* offsets are 32-bit: block too big */
	if (rbl_array_reserve(r->arena, r->acap, r->alen + len, 1 << 20) !=
	    RBL_OK)
		return RBL_ENOMEM;
	memcpy(r->arena + r->alen, s, len);
	*off = (uint32_t)r->alen;
	r->alen += len;
	return RBL_OK;
}

static uint32_t hash_tmpl(const char *s, uint8_t cls)
{
	uint32_t h = 2166136261u ^ cls;
	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

static int grow_slots(rbl_rdns_ranger *r)
{
	size_t n = r->slot_mask ? (r->slot_mask + 1) * 2 : 1024;
	uint32_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return RBL_ENOMEM;
	for (size_t t = 0; t < r->ntmpls; t++) {
		size_t i = r->tmpls[t].hash & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = (uint32_t)t + 1;
	}
	free(r->slots);
	r->slots = slots;
	r->slot_mask = n - 1;
	return RBL_OK;
}

static int new_tmpl(rbl_rdns_ranger *r, const rbl_rdns_result *res,
		    uint32_t hash, size_t slot, uint32_t *out)
{
	/* touched lists templates: as many slots as there are templates */
	if (rbl_array_reserve(r->tmpls, r->cap_tmpls, r->ntmpls + 1, 256) !=
	    RBL_OK || rbl_array_reserve(r->touched, r->cap_touched,
					r->ntmpls + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	tmpl *t = &r->tmpls[r->ntmpls];
	const char *dom = res->name + (res->domain ? res->domain + 1 : 0);
	int rc = arena_put(r, res->template, &t->text);
	if (rc == RBL_OK)
		rc = arena_put(r, dom, &t->domain);
	if (rc != RBL_OK)
		return rc;
	t->hash = hash;
	t->count = 0;
	t->conf = res->confidence;
	t->cls = (uint8_t)res->cls;
	r->slots[slot] = (uint32_t)r->ntmpls + 1;
	*out = (uint32_t)r->ntmpls++;
	return RBL_OK;
}

/* The index of RES's (template, class), created if new. */
static int intern_tmpl(rbl_rdns_ranger *r, const rbl_rdns_result *res,
		       uint32_t *out)
{
	if ((r->ntmpls + 1) * 2 > r->slot_mask + 1) {
		int rc = grow_slots(r);
		if (rc != RBL_OK)
			return rc;
	}
	uint32_t h = hash_tmpl(res->template, (uint8_t)res->cls);
	size_t i = h & r->slot_mask;
	for (; r->slots[i]; i = (i + 1) & r->slot_mask) {
		const tmpl *t = &r->tmpls[r->slots[i] - 1];
		if (t->hash == h && t->cls == res->cls &&
		    strcmp(r->arena + t->text, res->template) == 0) {
			*out = r->slots[i] - 1;
			return RBL_OK;
		}
	}
	return new_tmpl(r, res, h, i, out);
}

static void reset_block(rbl_rdns_ranger *r)
{
	r->nrecs = 0;
	r->ntmpls = 0;
	r->alen = 0;
	if (r->slots)
		memset(r->slots, 0, (r->slot_mask + 1) * sizeof(*r->slots));
}

/* ------------------------------------------------------- addressing */

static uint8_t widest_len(const rbl_rdns_ranger *r, uint8_t family)
{
	return family == RBL_AF4 ? r->o->widest4 : r->o->widest6;
}

static uint8_t narrowest_len(const rbl_rdns_ranger *r, uint8_t family)
{
	return family == RBL_AF4 ? r->o->narrowest4 : r->o->narrowest6;
}

/* The low HOST_BITS bits of A (at most 24). */
static uint32_t addr_offset(const rbl_addr *a, unsigned host_bits)
{
	unsigned n = rbl_addr_bits(a->family) / 8;
	const uint8_t *b = a->bytes;
	uint32_t v = (uint32_t)b[n - 3] << 16 | (uint32_t)b[n - 2] << 8 |
		     b[n - 1];
	return host_bits >= 32 ? v : v & ((1u << host_bits) - 1);
}

/* The address at OFF inside the current block. */
static void addr_at(const rbl_rdns_ranger *r, uint32_t off, rbl_addr *out)
{
	unsigned n = rbl_addr_bits(r->block.addr.family) / 8;
	*out = r->block.addr;
	out->bytes[n - 3] |= (uint8_t)(off >> 16);
	out->bytes[n - 2] |= (uint8_t)(off >> 8);
	out->bytes[n - 1] |= (uint8_t)off;
}

/* ------------------------------------------------------- evaluation */

static void scan_node(rbl_rdns_ranger *r, size_t i, size_t j, node_stats *s)
{
	memset(s, 0, sizeof(*s));
	r->ntouched = 0;
	for (size_t k = i; k < j; k++) {
		const rec *x = &r->recs[k];
		s->named++;
		s->per_class[x->cls]++;
		if (x->cls == RBL_RDNS_INFRA) {
			s->infra++;
			continue;
		}
		s->non_infra++;
		tmpl *t = &r->tmpls[x->tmpl];
		if (t->count++ == 0)
			r->touched[r->ntouched++] = x->tmpl;
		if (t->count > s->dominant_count) {
			s->dominant_count = t->count;
			s->dominant = x->tmpl;
			s->has_dominant = true;
		}
	}
	for (size_t k = 0; k < r->ntouched; k++)
		r->tmpls[r->touched[k]].count = 0;
}

static bool agrees(const rbl_rdns_ranger *r, const node_stats *s)
{
	return s->has_dominant && (uint64_t)s->dominant_count * 1000 >=
				  (uint64_t)r->o->min_agreement * s->non_infra;
}

static bool listable(const rbl_rdns_ranger *r, const node_stats *s)
{
	uint8_t cls = r->tmpls[s->dominant].cls;
	return cls == RBL_RDNS_DYNAMIC || cls == RBL_RDNS_STATIC;
}

static bool covered(const rbl_rdns_ranger *r, const node_stats *s,
		    uint8_t len)
{
	unsigned bits = rbl_addr_bits(r->block.addr.family) - len;
	uint64_t size = (uint64_t)1 << bits;
	return (uint64_t)s->named * 1000 >= (uint64_t)r->o->min_coverage * size;
}

/* Agreement, class and the exclusion limits (not coverage, not halves). */
static bool stats_qualify(const rbl_rdns_ranger *r, const node_stats *s)
{
	if (s->named < r->o->min_named || !agrees(r, s) || !listable(r, s))
		return false;
	if (s->infra > RBL_RDNS_MAX_EXCL ||
	    (uint64_t)s->infra * 1000 > (uint64_t)r->o->max_infra * s->named)
		return false;
	return true;
}

/* First record at or after offset OFF in [I, J). */
static size_t split_at(const rbl_rdns_ranger *r, size_t i, size_t j,
		       uint32_t off)
{
	while (i < j) {
		size_t m = i + (j - i) / 2;
		if (r->recs[m].off < off)
			i = m + 1;
		else
			j = m;
	}
	return i;
}

static int defer(rbl_rdns_ranger *r, uint32_t base, uint8_t len, size_t i,
		 size_t j)
{
	if (rbl_array_reserve(r->pending, r->cap_pending, r->npending + 1,
			      64) != RBL_OK)
		return RBL_ENOMEM;
	r->pending[r->npending++] = (pending_block){ base, len, i, j };
	return RBL_OK;
}

static bool half_agrees(const rbl_rdns_ranger *r, const node_result *h,
			uint32_t dominant)
{
	if (h->non_infra < r->o->min_named)
		return true;	/* too few names to object */
	return h->agrees && h->dominant == dominant;
}

/* Evaluate the node at offset BASE of prefix length LEN over records
 * [I, J); emit qualifying descendants that cannot be merged upwards. */
static int eval_node(rbl_rdns_ranger *r, uint32_t base, uint8_t len,
		     size_t i, size_t j, node_result *out)
{
	node_stats s = { 0 };
	node_result left = { 0 }, right = { 0 };
	memset(out, 0, sizeof(*out));
	if (j - i < r->o->min_named)
		return RBL_OK;
	bool leaf = len >= narrowest_len(r, r->block.addr.family);
	unsigned bits = rbl_addr_bits(r->block.addr.family) - len;
	uint32_t half = (uint32_t)1 << (bits - 1);
	size_t m = leaf ? j : split_at(r, i, j, base + half);
	int rc = RBL_OK;
	if (!leaf) {
		rc = eval_node(r, base, (uint8_t)(len + 1), i, m, &left);
		if (rc == RBL_OK)
			rc = eval_node(r, base + half, (uint8_t)(len + 1), m,
				       j, &right);
		if (rc != RBL_OK)
			return rc;
	}
	scan_node(r, i, j, &s);
	out->agrees = agrees(r, &s);
	out->dominant = s.dominant;
	out->non_infra = s.non_infra;
	out->dense = covered(r, &s, len) &&
		     (leaf || (left.dense && right.dense));
	out->qualifies = out->dense && stats_qualify(r, &s) &&
		(leaf || (half_agrees(r, &left, s.dominant) &&
			  half_agrees(r, &right, s.dominant)));
	if (out->qualifies || leaf)
		return RBL_OK;
	if (left.qualifies)
		rc = defer(r, base, (uint8_t)(len + 1), i, m);
	if (rc == RBL_OK && right.qualifies)
		rc = defer(r, base + half, (uint8_t)(len + 1), m, j);
	return rc;
}

/* ---------------------------------------------------------- proposals */

static void add_samples(rbl_rdns_ranger *r, size_t i, size_t j,
			uint32_t dominant, uint32_t count)
{
	rbl_rdns_proposal *p = &r->prop;
	uint32_t step = count / RBL_RDNS_SAMPLES, seen = 0;
	if (step == 0)
		step = 1;
	for (size_t k = i; k < j && p->n_samples < RBL_RDNS_SAMPLES; k++) {
		if (r->recs[k].tmpl != dominant || r->recs[k].cls ==
		    RBL_RDNS_INFRA)
			continue;
		if (seen++ % step != 0)
			continue;
		snprintf(p->samples[p->n_samples++], sizeof(p->samples[0]),
			 "%s", r->arena + r->recs[k].name);
	}
}

static void add_exclusions(rbl_rdns_ranger *r, size_t i, size_t j)
{
	rbl_rdns_proposal *p = &r->prop;
	for (size_t k = i; k < j && p->n_excl < RBL_RDNS_MAX_EXCL; k++) {
		if (r->recs[k].cls != RBL_RDNS_INFRA)
			continue;
		rbl_rdns_excl *e = &p->excl[p->n_excl++];
		addr_at(r, r->recs[k].off, &e->addr);
		snprintf(e->name, sizeof(e->name), "%s",
			 r->arena + r->recs[k].name);
	}
}

static uint16_t confidence(uint16_t agreement, uint16_t rule_conf,
			   uint16_t coverage)
{
	uint64_t cov = 500 + coverage / 2;
	if (cov > 1000)
		cov = 1000;
	return (uint16_t)((uint64_t)agreement * rule_conf * cov / 1000000);
}

static void fill_proposal(rbl_rdns_ranger *r, uint32_t base, uint8_t len,
			  const node_stats *s)
{
	rbl_rdns_proposal *p = &r->prop;
	const tmpl *t = &r->tmpls[s->dominant];
	unsigned bits = rbl_addr_bits(r->block.addr.family) - len;
	memset(p, 0, sizeof(*p));
	addr_at(r, base, &p->prefix.addr);
	p->prefix.len = len;
	p->cls = t->cls;
	p->state = RBL_RDNS_PENDING;
	p->coverage = (uint16_t)((uint64_t)s->named * 1000 >> bits);
	p->agreement = (uint16_t)((uint64_t)s->dominant_count * 1000 /
				  s->non_infra);
	p->confidence = confidence(p->agreement, t->conf, p->coverage);
	memcpy(p->counts, s->per_class, sizeof(p->counts));
	p->n_template = s->dominant_count;
	snprintf(p->template, sizeof(p->template), "%s", r->arena + t->text);
	snprintf(p->domain, sizeof(p->domain), "%s", r->arena + t->domain);
	snprintf(p->source, sizeof(p->source), "%s", r->source);
}

static int emit(rbl_rdns_ranger *r, uint32_t base, uint8_t len, size_t i,
		size_t j)
{
	node_stats s = { 0 };
	scan_node(r, i, j, &s);
	fill_proposal(r, base, len, &s);
	add_samples(r, i, j, s.dominant, s.dominant_count);
	add_exclusions(r, i, j);
	r->stats.proposals++;
	r->stats.proposed_addresses += (uint64_t)1 <<
		(rbl_addr_bits(r->block.addr.family) - len);
	return r->on_proposal(r->arg, &r->prop);
}

static int cmp_pending(const void *a, const void *b)
{
	const pending_block *x = a, *y = b;
	return x->base < y->base ? -1 : x->base > y->base;
}

static int emit_pending(rbl_rdns_ranger *r)
{
	int rc = RBL_OK;
	if (r->npending == 0)
		return RBL_OK;
	qsort(r->pending, r->npending, sizeof(*r->pending), cmp_pending);
	for (size_t k = 0; k < r->npending && rc == RBL_OK; k++) {
		const pending_block *p = &r->pending[k];
		rc = emit(r, p->base, p->len, p->i, p->j);
	}
	r->npending = 0;
	return rc;
}

static int cmp_rec(const void *a, const void *b)
{
	const rec *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	/* arena offsets grow with input order: the first name is kept */
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Evaluate the collected block and forget it. */
static int flush_block(rbl_rdns_ranger *r)
{
	node_result top = { 0 };
	int rc = RBL_OK;
	if (!r->have_block || r->nrecs == 0) {
		reset_block(r);
		return RBL_OK;
	}
	qsort(r->recs, r->nrecs, sizeof(*r->recs), cmp_rec);
	size_t out = 0;
	for (size_t k = 0; k < r->nrecs; k++) {
		if (out > 0 && r->recs[out - 1].off == r->recs[k].off) {
			r->stats.duplicates++;
			continue;
		}
		r->recs[out++] = r->recs[k];
	}
	r->nrecs = out;
	r->stats.blocks++;
	r->npending = 0;
	rc = eval_node(r, 0, r->block.len, 0, r->nrecs, &top);
	if (rc == RBL_OK && top.qualifies)
		rc = defer(r, 0, r->block.len, 0, r->nrecs);
	if (rc == RBL_OK)
		rc = emit_pending(r);
	reset_block(r);
	return rc;
}

/* ------------------------------------------------------------- input */

int rbl_rdns_ranger_new(const rbl_rdns_classifier *c,
			const rbl_rdns_range_opts *o, const char *source,
			rbl_rdns_proposal_fn on_proposal,
			rbl_rdns_infra_fn on_infra, void *arg,
			rbl_rdns_ranger **out)
{
	if (rbl_rdns_range_opts_check(o) != RBL_OK || !on_proposal)
		return RBL_EINVAL;
	rbl_rdns_ranger *r = calloc(1, sizeof(*r));
	if (!r)
		return RBL_ENOMEM;
	r->c = c;
	r->o = o;
	snprintf(r->source, sizeof(r->source), "%s", source ? source : "");
	r->on_proposal = on_proposal;
	r->on_infra = on_infra;
	r->arg = arg;
	if (grow_slots(r) != RBL_OK) {
		free(r);
		return RBL_ENOMEM;
	}
	*out = r;
	return RBL_OK;
}

void rbl_rdns_ranger_free(rbl_rdns_ranger *r)
{
	if (!r)
		return;
	free(r->recs);
	free(r->tmpls);
	free(r->slots);
	free(r->touched);
	free(r->arena);
	free(r->pending);
	free(r);
}

/* Make the widest block containing A current.  RBL_ERANGE if it is
 * before the current one. */
static int enter_block(rbl_rdns_ranger *r, const rbl_addr *a)
{
	rbl_prefix p = { *a, widest_len(r, a->family) };
	rbl_prefix_canon(&p);
	if (r->have_block && rbl_addr_cmp(&p.addr, &r->block.addr) == 0)
		return RBL_OK;
	if (r->have_block && rbl_addr_cmp(&p.addr, &r->block.addr) < 0)
		return RBL_ERANGE;
	int rc = flush_block(r);
	if (rc != RBL_OK)
		return rc;
	r->block = p;
	r->have_block = true;
	r->host_bits = rbl_addr_bits(a->family) - p.len;
	return RBL_OK;
}

static int push_rec(rbl_rdns_ranger *r, const rbl_addr *a,
		    const rbl_rdns_result *res)
{
	if (rbl_array_reserve(r->recs, r->cap_recs, r->nrecs + 1, 4096) !=
	    RBL_OK)
		return RBL_ENOMEM;
	rec *x = &r->recs[r->nrecs];
	int rc = intern_tmpl(r, res, &x->tmpl);
	if (rc == RBL_OK)
		rc = arena_put(r, res->name, &x->name);
	if (rc != RBL_OK)
		return rc;
	x->off = addr_offset(a, r->host_bits);
	x->cls = (uint8_t)res->cls;
	r->nrecs++;
	return RBL_OK;
}

int rbl_rdns_ranger_add(rbl_rdns_ranger *r, const rbl_addr *a,
			const char *ptr)
{
	if (rbl_addr_is_special(a)) {
		r->stats.special++;	/* private, documentation...: never */
		return RBL_OK;
	}
	int rc = enter_block(r, a);
	if (rc != RBL_OK)
		return rc;
	rbl_rdns_result *res = &r->res;
	if (rbl_rdns_classify(r->c, a, ptr, res) != RBL_OK) {
		r->stats.bad_names++;
		snprintf(res->name, sizeof(res->name), "%s", "(bad name)");
		snprintf(res->template, sizeof(res->template), "%s",
			 "(bad name)");
	}
	r->stats.names++;
	r->stats.per_class[res->cls]++;
	rc = push_rec(r, a, res);
	if (rc == RBL_OK && res->cls == RBL_RDNS_INFRA && r->on_infra)
		rc = r->on_infra(r->arg, a, res->name);
	return rc;
}

int rbl_rdns_ranger_finish(rbl_rdns_ranger *r)
{
	int rc = flush_block(r);
	r->have_block = false;
	return rc;
}

const rbl_rdns_range_stats *rbl_rdns_ranger_stats(const rbl_rdns_ranger *r)
{
	return &r->stats;
}
