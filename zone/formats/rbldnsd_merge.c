/*
 * rbldnsd_merge.c -- resolve an rbldnsd dataset into store listings with
 * the same answers (see rbldnsd_merge.h for the rules): the entry points
 * and the records other than compact IPv4 ones; the parts it uses are
 * listed in rbldnsd_merge_impl.h.
 *
 * Records are kept compactly: a fixed-size item per record, values
 * interned once in a hash table, texts and names in one arena.  Resolving
 * is a sort and one sweep.
 *
 * IPv4 records of ip4set, ip4trie and ip4tset data, the big lists, take 8
 * bytes each: address, prefix length and the record's number in the file,
 * in one integer whose order is the order wanted (address, length, file
 * order), sorted in place by radix.  Their values and line numbers are
 * looked up by record number in runs (a new run only where the value or
 * the line step changes: one run for a plain list).  The records fill a
 * buffer of reserved address space (no copy when it grows) of at most
 * 2^26 records (the number's bits in a key), or of the memory budget
 * (rbl_dsm_spill); a full buffer is sealed into runs in key order, sorted
 * only if it came unordered, and past the budget written to a temporary
 * file; walks merge the runs (rbldnsd_merge_runs.c).  Resolving is a walk
 * with one stack per octet level (ip4set) that records only the values it
 * changed, and a walk that is the last may give back what it passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_merge_impl.h"

int rbl_dsm_new(int type, void (*warn)(void *arg, const char *text),
		void *arg, rbl_dsm **out)
{
	rbl_dsm *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return RBL_ENOMEM;
	m->type = type;
	m->spill_fd = -1;
	m->warn = warn;
	m->arg = arg;
	m->n_slots = 1024;
	m->slots = calloc(m->n_slots, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return RBL_ENOMEM;
	}
	*out = m;
	return RBL_OK;
}

void rbl_dsm_free(rbl_dsm *m)
{
	if (!m)
		return;
	dsm_runs_free(m);
	free(m->vruns);
	free(m->lruns);
	free(m->exc);
	free(m->items);
	free(m->vals);
	free(m->slots);
	free(m->text);
	free(m);
}

/* ---- adding ---- */

static int add_item(rbl_dsm *m, const rbl_ds_record *r, uint8_t kind,
		    uint32_t val, uint32_t name_off)
{
	dsm_item *it;
	int rc = rbl_array_reserve(m->items, m->cap, m->n + 1, 256);

	if (rc != RBL_OK)
		return rc;
	it = &m->items[m->n];
	memset(it, 0, sizeof(*it));
	if (!r->is_name)
		it->prefix = r->prefix;
	it->kind = kind;
	it->name_off = name_off;
	it->val = val;
	it->seq = (uint32_t)m->n;
	it->line = r->line;
	it->file = r->file;
	m->n++;
	return RBL_OK;
}

/* True for the records kept in 8 bytes. */
static bool compact_type(int type)
{
	return type == RBL_DS_IP4SET || type == RBL_DS_IP4TRIE ||
	       type == RBL_DS_IP4TSET;
}

/* Intern V with TXT, or reuse the last value when it is the same (a
 * list's records mostly share one). */
static int intern_last(rbl_dsm *m, dsm_val *v, const char *txt,
		       uint32_t *idx)
{
	int rc = 0;

	if (m->last_ok && v->n_codes == m->last_v.n_codes &&
	    v->excl == m->last_v.excl && v->expires == m->last_v.expires &&
	    v->txt_len == m->last_v.txt_len &&
	    !memcmp(v->codes, m->last_v.codes, sizeof(v->codes)) &&
	    !memcmp(txt, m->last_txt, v->txt_len)) {
		*idx = m->last_idx;
		return RBL_OK;
	}
	if ((rc = dsm_intern(m, v, txt, idx)) != RBL_OK)
		return rc;
	m->last_ok = true;
	m->last_v = *v;
	memcpy(m->last_txt, txt, v->txt_len);
	m->last_idx = *idx;
	return RBL_OK;
}

int rbl_dsm_add(rbl_dsm *m, const rbl_ds_record *r)
{
	const rbl_entry *e = &r->entry;
	dsm_val v = { 0 };
	uint32_t idx = 0, name_off = 0;
	int rc;

	memset(&v, 0, sizeof(v));
	v.excl = (e->flags & RBL_ENTRY_EXCLUDE) != 0;
	v.n_codes = v.excl ? 0 : e->n_codes;
	memcpy(v.codes, e->codes, sizeof(v.codes));
	v.txt_len = v.excl ? 0 : (uint16_t)strlen(e->txt);
	v.expires = e->expires;
	rc = intern_last(m, &v, e->txt, &idx);
	if (rc == RBL_OK && !r->is_name && compact_type(m->type) &&
	    r->prefix.addr.family == RBL_AF4)
		return dsm_v4_add(m, r, idx);
	if (rc != RBL_OK || !r->is_name)
		return rc ? rc : add_item(m, r, KIND_IP, idx, 0);
	rc = dsm_store_text(m, r->name, strlen(r->name), &name_off);
	if (rc == RBL_OK && (e->flags & RBL_ENTRY_NAME_EXACT))
		rc = add_item(m, r, KIND_EXACT, idx, name_off);
	if (rc == RBL_OK && (e->flags & RBL_ENTRY_NAME_SUBS))
		rc = add_item(m, r, KIND_SUBS, idx, name_off);
	return rc;
}

/* ---- ordering ---- */

static int cmp_ip(const dsm_item *a, const dsm_item *b)
{
	int c;

	if (a->prefix.addr.family != b->prefix.addr.family)
		return a->prefix.addr.family < b->prefix.addr.family ? -1 : 1;
	c = memcmp(a->prefix.addr.bytes, b->prefix.addr.bytes, 16);
	if (c)
		return c;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len < b->prefix.len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_ip_q(const void *x, const void *y, void *arg)
{
	(void)arg;
	return cmp_ip(x, y);
}

static int cmp_level_q(const void *x, const void *y, void *arg)
{
	const dsm_item *a = x, *b = y;
	unsigned la = dsm_level4(a->prefix.len), lb = dsm_level4(b->prefix.len);

	(void)arg;
	if (la != lb)
		return la < lb ? -1 : 1;
	return cmp_ip(a, b);
}

/* Items of one name: exact before subtree, then in file order. */
static int cmp_same_name(const dsm_item *a, const dsm_item *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_name_q(const void *x, const void *y, void *arg)
{
	const rbl_dsm *m = arg;
	const dsm_item *a = x, *b = y;
	int c = strcmp(m->text + a->name_off, m->text + b->name_off);

	return c ? c : cmp_same_name(a, b);
}

/* The order the store keeps names in (store.h), for writing. */
static int cmp_store_name_q(const void *x, const void *y, void *arg)
{
	const rbl_dsm *m = arg;
	const dsm_item *a = x, *b = y;
	int c = rbl_name_order(m->text + a->name_off, m->text + b->name_off);

	return c ? c : cmp_same_name(a, b);
}

static bool same_key(const rbl_dsm *m, const dsm_item *a, const dsm_item *b)
{
	if (m->type == RBL_DS_DNSET)
		return a->kind == b->kind &&
		       strcmp(m->text + a->name_off, m->text + b->name_off) == 0;
	return a->prefix.len == b->prefix.len &&
	       a->prefix.addr.family == b->prefix.addr.family &&
	       memcmp(a->prefix.addr.bytes, b->prefix.addr.bytes, 16) == 0;
}

/* ---- resolving ---- */

/* ip4set: each entry takes the merged value of the same-level entries
 * containing it; duplicates fold into the first. */
static int resolve_levels(rbl_dsm *m)
{
	size_t stack[34], depth = 0;
	unsigned level = 0;
	int rc;

	qsort_r(m->items, m->n, sizeof(*m->items), cmp_level_q, m);
	for (size_t i = 0; i < m->n; i++) {
		dsm_item *it = &m->items[i];
		uint32_t own = it->val;

		if (dsm_level4(it->prefix.len) != level ||
		    it->prefix.addr.family != RBL_AF4) {
			level = dsm_level4(it->prefix.len);
			depth = 0;
		}
		while (depth && !rbl_prefix_covers(&m->items[stack[depth - 1]]
						   .prefix, &it->prefix))
			depth--;
		if (!depth) {
			stack[depth++] = i;
			continue;
		}
		dsm_item *top = &m->items[stack[depth - 1]];

		if (same_key(m, top, it)) {
			it->dead = 1;
			rc = dsm_merge_vals(m, top, top->val, own, &top->val);
		} else {
			rc = dsm_merge_vals(m, it, top->val, own, &it->val);
			if (depth < 34)
				stack[depth++] = i;
		}
		if (rc != RBL_OK)
			return rc;
		if (!it->dead && it->val != own)
			m->adjusted++;
	}
	return RBL_OK;
}

/* Tries: the first line for a prefix counts. */
static void resolve_first_wins(rbl_dsm *m)
{
	char what[RBL_ADDR_STRLEN];
	size_t first = 0;

	qsort_r(m->items, m->n, sizeof(*m->items), cmp_ip_q, m);
	for (size_t i = 1; i < m->n; i++) {
		dsm_item *it = &m->items[i];

		if (!same_key(m, &m->items[first], it)) {
			first = i;
			continue;
		}
		it->dead = 1;
		if (it->val != m->items[first].val) {
			dsm_describe(m, it, what, sizeof(what));
			dsm_warn(m, it, "duplicate entry for %s; the one on "
				 "line %u counts (as in rbldnsd)", what,
				 m->items[first].line);
		}
	}
}

/* dnset: lines for the same name add up; then a name listed alike by
 * "x" and "*.x" becomes one ".x" entry. */
static int resolve_names(rbl_dsm *m)
{
	size_t first = 0;
	int rc;

	qsort_r(m->items, m->n, sizeof(*m->items), cmp_name_q, m);
	for (size_t i = 1; i < m->n; i++) {
		dsm_item *f = &m->items[first], *it = &m->items[i];

		if (!same_key(m, f, it)) {
			first = i;
			continue;
		}
		it->dead = 1;
		rc = dsm_merge_vals(m, f, f->val, it->val, &f->val);
		if (rc != RBL_OK)
			return rc;
	}
	for (size_t i = 0; i + 1 < m->n; i++) {
		dsm_item *a = &m->items[i], *b;
		size_t j = i + 1;

		while (j < m->n && m->items[j].dead)
			j++;
		if (a->dead || j == m->n)
			continue;
		b = &m->items[j];
		if (a->kind == KIND_EXACT && b->kind == KIND_SUBS &&
		    a->name_off != b->name_off &&
		    strcmp(m->text + a->name_off, m->text + b->name_off) == 0)
			b->name_off = a->name_off;
		if (a->kind == KIND_EXACT && b->kind == KIND_SUBS &&
		    a->name_off == b->name_off && a->val == b->val) {
			a->kind = KIND_EXACT | KIND_SUBS;
			b->dead = 1;
		}
	}
	return RBL_OK;
}

static void compact(rbl_dsm *m)
{
	size_t w = 0;

	for (size_t i = 0; i < m->n; i++)
		if (!m->items[i].dead)
			m->items[w++] = m->items[i];
	m->n = w;
}

/* ---- entry points ---- */

int rbl_dsm_spill(rbl_dsm *m, const char *dir, size_t budget)
{
	char *d = NULL;

	if (m->n4 || m->finished)
		return RBL_EINVAL;
	if (dir && !(d = strdup(dir)))
		return RBL_ENOMEM;
	free(m->spill_dir);
	m->spill_dir = d;
	m->budget = budget / sizeof(uint64_t);
	if (budget && m->budget < 2)
		m->budget = 2;
	return RBL_OK;
}

void rbl_dsm_release_walk(rbl_dsm *m)
{
	m->release = true;
}

int rbl_dsm_finish(rbl_dsm *m, size_t *adjusted)
{
	int rc = RBL_OK;

	if (m->n4)
		rc = dsm_v4_resolve(m);
	if (rc == RBL_OK && m->n) {	/* an empty array is NULL, and
					   qsort_r must not be given NULL */
		if (m->type == RBL_DS_IP4SET)
			rc = resolve_levels(m);
		else if (m->type == RBL_DS_DNSET)
			rc = resolve_names(m);
		else
			resolve_first_wins(m);
		if (rc == RBL_OK)
			compact(m);
	}
	if (rc != RBL_OK)
		return rc;
	/* Hand records out in the store's key order: written that way, a
	 * bulk import fills the store's pages completely. */
	if (m->n && m->type == RBL_DS_IP4SET)
		qsort_r(m->items, m->n, sizeof(*m->items), cmp_ip_q, m);
	else if (m->n && m->type == RBL_DS_DNSET)
		qsort_r(m->items, m->n, sizeof(*m->items), cmp_store_name_q,
			m);
	if (m->warn && m->warnings > DSM_MAX_WARNINGS) {
		char text[128] = { 0 };

		snprintf(text, sizeof(text), "warning: %u more warnings like "
			 "these", m->warnings - DSM_MAX_WARNINGS);
		m->warn(m->arg, text);
	}
	m->finished = true;
	if (adjusted)
		*adjusted = m->adjusted;
	return RBL_OK;
}

size_t rbl_dsm_count(const rbl_dsm *m)
{
	return m->n + (size_t)m->count4;
}

int rbl_dsm_foreach(rbl_dsm *m, int (*fn)(void *arg, const rbl_ds_record *r),
		    void *arg)
{
	rbl_ds_record r = { 0 };
	int rc = 0;

	if (!m->finished)
		return RBL_EINVAL;
	/* IPv4 before IPv6, as the store orders them */
	if (m->n4 && (rc = dsm_v4_foreach(m, fn, arg, &r)) != 0)
		return rc;
	r.same_entry = false;
	for (size_t i = 0; i < m->n; i++) {
		dsm_fill_record(m, &m->items[i], &r);
		rc = fn(arg, &r);
		if (rc)
			return rc;
	}
	return RBL_OK;
}
