/*
 * rbldnsd_merge_v4.c -- the merger's compact IPv4 records (ip4set,
 * ip4trie and ip4tset data; the model is at the top of rbldnsd_merge.c):
 * 8 bytes each (kept in runs, rbldnsd_merge_runs.c), values and line
 * numbers in runs of their own, a walk with one stack per octet level
 * that keeps only the values it changed, and the walk out that may give
 * the pages it passed back.
 */
#include <stdio.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_merge_impl.h"

static uint32_t addr4(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* One more compact IPv4 record, with value IDX. */
int dsm_v4_add(rbl_dsm *m, const rbl_ds_record *r, uint32_t idx)
{
	uint64_t seq = m->n4;
	int rc = 0;

	if (seq >= MAX_RECORDS4)
		return RBL_ELIMIT;
	if (!m->n_vruns || m->vruns[m->n_vruns - 1].val != idx) {
		if ((rc = rbl_array_reserve(m->vruns, m->cap_vruns,
					    m->n_vruns + 1, 256)))
			return rc;
		m->vruns[m->n_vruns++] = (vrun){ seq, idx };
	}
	if (!m->n_lruns || m->lruns[m->n_lruns - 1].file != r->file ||
	    m->lruns[m->n_lruns - 1].line + (seq - m->lruns[m->n_lruns - 1]
					      .start) != r->line) {
		if ((rc = rbl_array_reserve(m->lruns, m->cap_lruns,
					    m->n_lruns + 1, 256)))
			return rc;
		m->lruns[m->n_lruns++] = (lrun){ seq, r->line, r->file };
	}
	if ((rc = dsm_runs_add(m, (uint64_t)addr4(r->prefix.addr.bytes) << 32 |
			       (uint64_t)r->prefix.len << GEN_BITS)) != RBL_OK)
		return rc;
	m->n4++;
	return RBL_OK;
}

/* ---- compact IPv4 records ---- */

static uint32_t val_of(const rbl_dsm *m, uint64_t seq)
{
	size_t lo = 0, hi = m->n_vruns;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (m->vruns[mid].start <= seq)
			lo = mid;
		else
			hi = mid;
	}
	return m->vruns[lo].val;
}

static void line_of(const rbl_dsm *m, uint64_t seq, dsm_item *it)
{
	size_t lo = 0, hi = m->n_lruns;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (m->lruns[mid].start <= seq)
			lo = mid;
		else
			hi = mid;
	}
	it->file = m->lruns[lo].file;
	it->line = m->lruns[lo].line + (uint32_t)(seq - m->lruns[lo].start);
}

/* The record KEY (address << 6 | length) number SEQ as an item. */
static void v4_item(const rbl_dsm *m, uint64_t key, uint64_t seq,
		    uint32_t val, dsm_item *it)
{
	memset(it, 0, sizeof(*it));
	it->prefix.addr.family = RBL_AF4;
	it->prefix.addr.bytes[0] = (uint8_t)(key >> 30);
	it->prefix.addr.bytes[1] = (uint8_t)(key >> 22);
	it->prefix.addr.bytes[2] = (uint8_t)(key >> 14);
	it->prefix.addr.bytes[3] = (uint8_t)(key >> 6);
	it->prefix.len = (uint8_t)(key & 63);
	it->kind = KIND_IP;
	it->val = val;
	line_of(m, seq, it);
}

static bool covers4(uint64_t outer, uint64_t inner)
{
	unsigned len = (unsigned)(outer & 63);
	uint32_t a = (uint32_t)(outer >> 6), b = (uint32_t)(inner >> 6);

	if ((unsigned)(inner & 63) < len)
		return false;
	return len == 0 || ((a ^ b) >> (32 - len)) == 0;
}

/* ip4set values: per octet level, a stack of the entries open there. */
struct level_stack {
	uint64_t key[34];
	uint32_t val[34];
	unsigned depth;
};

/* The group of records for one prefix being resolved. */
struct v4group {
	bool open;
	uint64_t key, first;
	uint32_t own, val;
	dsm_item at;		/* the first record, for messages */
};

static int exc_add(rbl_dsm *m, uint64_t seq, uint32_t val)
{
	int rc = rbl_array_reserve(m->exc, m->cap_exc, m->n_exc + 1, 256);

	if (rc == RBL_OK)
		m->exc[m->n_exc++] = (vexc){ seq, val };
	return rc;
}

/* A group ends: its value is final. */
static int group_close(rbl_dsm *m, struct v4group *g,
		       struct level_stack *levels)
{
	if (!g->open)
		return RBL_OK;
	g->open = false;
	m->count4++;
	if (m->type == RBL_DS_IP4SET) {
		unsigned lv = dsm_level4((unsigned)(g->key & 63));
		struct level_stack *st = &levels[lv / 8 - 1];

		if (st->depth < 34) {
			st->key[st->depth] = g->key;
			st->val[st->depth++] = g->val;
		}
	}
	return g->val != g->own ? exc_add(m, g->first, g->val) : RBL_OK;
}

/* A group starts with record SEQ at KEY: in ip4set it takes the value of
 * the same-level entry around it. */
static int group_open(rbl_dsm *m, struct v4group *g, uint64_t key,
		      uint64_t seq, struct level_stack *levels)
{
	struct level_stack *st;
	int rc = 0;

	g->open = true;
	g->key = key;
	g->first = seq;
	g->own = g->val = val_of(m, seq);
	v4_item(m, key, seq, g->own, &g->at);
	if (m->type != RBL_DS_IP4SET)
		return RBL_OK;
	st = &levels[dsm_level4((unsigned)(key & 63)) / 8 - 1];
	while (st->depth && !covers4(st->key[st->depth - 1], key))
		st->depth--;
	if (!st->depth)
		return RBL_OK;
	rc = dsm_merge_vals(m, &g->at, st->val[st->depth - 1], g->own, &g->val);
	if (rc == RBL_OK && g->val != g->own)
		m->adjusted++;
	return rc;
}

/* Another record SEQ for the group's prefix. */
static int group_dup(rbl_dsm *m, struct v4group *g, uint64_t seq)
{
	uint32_t v = val_of(m, seq);
	char what[RBL_ADDR_STRLEN] = { 0 };
	dsm_item it = { 0 };

	if (m->type == RBL_DS_IP4SET)
		return dsm_merge_vals(m, &g->at, g->val, v, &g->val);
	if (v != g->own) {
		v4_item(m, g->key, seq, v, &it);
		dsm_describe(m, &it, what, sizeof(what));
		dsm_warn(m, &it, "duplicate entry for %s; the one on line %u "
			 "counts (as in rbldnsd)", what, g->at.line);
	}
	return RBL_OK;
}

/* Sort the compact records and resolve them: count, adjustments and
 * warnings now, the values that changed kept for the walk out. */
int dsm_v4_resolve(rbl_dsm *m)
{
	struct level_stack levels[4];
	struct v4group g = { .open = false };
	v4walk w = { 0 };
	uint64_t key = 0, seq = 0;
	int rc = RBL_OK;

	if ((rc = dsm_runs_seal(m)) != RBL_OK ||
	    (rc = dsm_walk_start(m, &w)) != RBL_OK)
		return rc;
	memset(levels, 0, sizeof(levels));
	while (rc == RBL_OK && dsm_walk_next(&w, &key, &seq)) {
		if (g.open && key == g.key) {
			rc = group_dup(m, &g, seq);
			continue;
		}
		if ((rc = group_close(m, &g, levels)) == RBL_OK)
			rc = group_open(m, &g, key, seq, levels);
	}
	if (rc == RBL_OK)
		rc = group_close(m, &g, levels);
	if (dsm_walk_end(&w) != RBL_OK)
		return RBL_EIO;
	return rc;
}

int dsm_v4_foreach(rbl_dsm *m, int (*fn)(void *arg, const rbl_ds_record *r),
		   void *arg, rbl_ds_record *r)
{
	uint64_t key = 0, seq = 0, last = UINT64_MAX;
	size_t exc = 0, n = 0;
	uint32_t filled = UINT32_MAX;	/* the value R's entry holds */
	v4walk w = { 0 };
	dsm_item it = { 0 };
	int rc = 0;

	if ((rc = dsm_walk_start(m, &w)) != RBL_OK)
		return rc;
	while (dsm_walk_next(&w, &key, &seq)) {
		uint32_t val = 0;

		if (key == last)
			continue;	/* a duplicate, folded in */
		last = key;
		if (exc < m->n_exc && m->exc[exc].seq == seq)
			val = m->exc[exc++].val;
		else
			val = val_of(m, seq);
		v4_item(m, key, seq, val, &it);
		/* a big list repeats one value: its entry is made once */
		r->same_entry = val == filled;
		if (val == filled) {
			dsm_fill_place(&it, r);
		} else {
			dsm_fill_record(m, &it, r);
			filled = val;
		}
		if ((rc = fn(arg, r)) != 0) {
			dsm_walk_end(&w);
			return rc;
		}
		if (m->release && (++n & 0xffff) == 0)
			dsm_walk_release(&w);
	}
	if (m->release)
		dsm_walk_release(&w);
	return dsm_walk_end(&w) == RBL_OK ? RBL_OK : RBL_EIO;
}
