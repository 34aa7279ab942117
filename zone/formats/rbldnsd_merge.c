/*
 * rbldnsd_merge.c -- resolve an rbldnsd dataset into store listings with
 * the same answers (see rbldnsd_merge.h for the rules).
 *
 * Records are kept compactly: a fixed-size item per record, values
 * interned once in a hash table, texts and names in one arena.  Resolving
 * is a sort and one sweep.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_merge.h"

#define DSM_MAX_WARNINGS 20

enum { KIND_IP = 0, KIND_EXACT = 1, KIND_SUBS = 2 };

typedef struct dsm_val {
	uint32_t codes[RBL_MAX_CODES];
	uint8_t n_codes;
	uint8_t excl;
	uint16_t txt_len;
	uint32_t txt_off;
	uint32_t hash;
	int64_t expires;
} dsm_val;

typedef struct dsm_item {
	rbl_prefix prefix;
	uint8_t kind;		/* KIND_*; EXACT|SUBS after combining */
	uint8_t dead;
	uint32_t name_off;
	uint32_t val;
	uint32_t seq;
	uint32_t line;
	const char *file;
} dsm_item;

struct rbl_dsm {
	int type;
	void (*warn)(void *arg, const char *text);
	void *arg;
	dsm_item *items;
	size_t n, cap;
	dsm_val *vals;
	size_t n_vals, cap_vals;
	uint32_t *slots;	/* value index + 1; 0 = empty */
	size_t n_slots;
	char *text;
	size_t text_len, text_cap;
	unsigned warnings;
	size_t adjusted;
	bool finished;
};

static void dsm_warn(rbl_dsm *m, const dsm_item *it, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dsm_warn(rbl_dsm *m, const dsm_item *it, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int n;

	if (!m->warn || ++m->warnings > DSM_MAX_WARNINGS)
		return;
	n = snprintf(text, sizeof(text), "%s:%u: warning: ", it->file,
		     it->line);
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	va_end(ap);
	m->warn(m->arg, text);
}

int rbl_dsm_new(int type, void (*warn)(void *arg, const char *text),
		void *arg, rbl_dsm **out)
{
	rbl_dsm *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return RBL_ENOMEM;
	m->type = type;
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
	free(m->items);
	free(m->vals);
	free(m->slots);
	free(m->text);
	free(m);
}

/* ---- storage ---- */

static int store_text(rbl_dsm *m, const char *s, size_t len, uint32_t *off)
{
	/* S may be text stored before, which growing moves */
	bool inside = m->text && s >= m->text && s < m->text + m->text_len;
	size_t at = inside ? (size_t)(s - m->text) : 0;
	int rc = rbl_array_reserve(m->text, m->text_cap,
				   m->text_len + len + 1, 256);

	if (rc != RBL_OK)
		return rc;
	if (inside)
		s = m->text + at;
	if (m->text_len + len + 1 > UINT32_MAX)
		return RBL_ENOMEM;
	memcpy(m->text + m->text_len, s, len);
	m->text[m->text_len + len] = '\0';
	*off = (uint32_t)m->text_len;
	m->text_len += len + 1;
	return RBL_OK;
}

static uint32_t hash_bytes(uint32_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t value_hash(const dsm_val *v, const char *txt)
{
	uint32_t h = 2166136261u;

	h = hash_bytes(h, v->codes, v->n_codes * sizeof(v->codes[0]));
	h = hash_bytes(h, &v->n_codes, 1);
	h = hash_bytes(h, &v->excl, 1);
	h = hash_bytes(h, &v->expires, sizeof(v->expires));
	return hash_bytes(h, txt, v->txt_len);
}

static bool value_eq(const rbl_dsm *m, const dsm_val *a, const dsm_val *b,
		     const char *btxt)
{
	return a->hash == b->hash && a->n_codes == b->n_codes &&
	       a->excl == b->excl && a->expires == b->expires &&
	       a->txt_len == b->txt_len &&
	       memcmp(a->codes, b->codes, a->n_codes * sizeof(a->codes[0]))
	       == 0 && memcmp(m->text + a->txt_off, btxt, a->txt_len) == 0;
}

static int rehash(rbl_dsm *m)
{
	size_t n = m->n_slots * 2;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return RBL_ENOMEM;
	for (size_t i = 0; i < m->n_vals; i++) {
		size_t j = m->vals[i].hash & (n - 1);

		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(m->slots);
	m->slots = s;
	m->n_slots = n;
	return RBL_OK;
}

/* Intern V (its txt_off unused) with text TXT; *IDX gets its index. */
static int intern(rbl_dsm *m, dsm_val *v, const char *txt, uint32_t *idx)
{
	size_t j;
	int rc;

	v->hash = value_hash(v, txt);
	for (j = v->hash & (m->n_slots - 1); m->slots[j];
	     j = (j + 1) & (m->n_slots - 1))
		if (value_eq(m, &m->vals[m->slots[j] - 1], v, txt)) {
			*idx = m->slots[j] - 1;
			return RBL_OK;
		}
	rc = rbl_array_reserve(m->vals, m->cap_vals, m->n_vals + 1, 256);
	if (rc == RBL_OK)
		rc = store_text(m, txt, v->txt_len, &v->txt_off);
	if (rc != RBL_OK)
		return rc;
	m->vals[m->n_vals] = *v;
	m->slots[j] = (uint32_t)m->n_vals + 1;
	*idx = (uint32_t)m->n_vals++;
	if (m->n_vals * 2 > m->n_slots)
		return rehash(m);
	return RBL_OK;
}

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
	rc = intern(m, &v, e->txt, &idx);
	if (rc != RBL_OK || !r->is_name)
		return rc ? rc : add_item(m, r, KIND_IP, idx, 0);
	rc = store_text(m, r->name, strlen(r->name), &name_off);
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

static unsigned level4(unsigned len)
{
	return len == 0 ? 8 : (len + 7) / 8 * 8;
}

static int cmp_level_q(const void *x, const void *y, void *arg)
{
	const dsm_item *a = x, *b = y;
	unsigned la = level4(a->prefix.len), lb = level4(b->prefix.len);

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

/* ---- merging values ---- */

static void describe(const rbl_dsm *m, const dsm_item *it, char *buf,
		     size_t len)
{
	char p[RBL_ADDR_STRLEN];

	if (m->type == RBL_DS_DNSET)
		snprintf(buf, len, "%s%s", it->kind == KIND_SUBS ? "*." : "",
			 m->text + it->name_off);
	else
		snprintf(buf, len, "%s", rbl_prefix_format(&it->prefix, p));
}

/* The value rbldnsd answers when the entries of values A and B both
 * apply: an exclusion wins, else A values add up and the TXT of A stays
 * (rbldnsd would send both TXT records; the store keeps one). */
static int merge_vals(rbl_dsm *m, const dsm_item *at, uint32_t a, uint32_t b,
		      uint32_t *out)
{
	dsm_val v = m->vals[a];
	const dsm_val *vb = &m->vals[b];
	const char *txt = m->text + v.txt_off;
	char what[RBL_NAME_MAX + 3];

	*out = a;
	if (a == b || v.excl)
		return RBL_OK;
	if (vb->excl) {
		*out = b;
		return RBL_OK;
	}
	describe(m, at, what, sizeof(what));
	for (unsigned i = 0; i < vb->n_codes; i++) {
		unsigned j = 0;

		while (j < v.n_codes && v.codes[j] != vb->codes[i])
			j++;
		if (j < v.n_codes)
			continue;
		if (v.n_codes == RBL_MAX_CODES) {
			dsm_warn(m, at, "%s: more than %d A values apply; "
				 "extra ones dropped", what, RBL_MAX_CODES);
			break;
		}
		v.codes[v.n_codes++] = vb->codes[i];
	}
	if (!v.txt_len && vb->txt_len) {
		txt = m->text + vb->txt_off;
		v.txt_len = vb->txt_len;
	} else if (vb->txt_len && (vb->txt_len != v.txt_len ||
		   memcmp(txt, m->text + vb->txt_off, v.txt_len))) {
		dsm_warn(m, at, "%s: rbldnsd would answer two different TXT "
			 "records here; rbld keeps the first", what);
	}
	if (vb->expires > v.expires)
		v.expires = vb->expires;
	return intern(m, &v, txt, out);
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

		if (level4(it->prefix.len) != level || it->prefix.addr.family
		    != RBL_AF4) {
			level = level4(it->prefix.len);
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
			rc = merge_vals(m, top, top->val, own, &top->val);
		} else {
			rc = merge_vals(m, it, top->val, own, &it->val);
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
			describe(m, it, what, sizeof(what));
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
		rc = merge_vals(m, f, f->val, it->val, &f->val);
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

int rbl_dsm_finish(rbl_dsm *m, size_t *adjusted)
{
	int rc = RBL_OK;

	if (m->n == 0) {	/* an empty file: items is NULL, and qsort_r
				   must not be given NULL, even for 0 */
		m->finished = true;
		if (adjusted)
			*adjusted = 0;
		return RBL_OK;
	}
	if (m->type == RBL_DS_IP4SET)
		rc = resolve_levels(m);
	else if (m->type == RBL_DS_DNSET)
		rc = resolve_names(m);
	else
		resolve_first_wins(m);
	if (rc != RBL_OK)
		return rc;
	compact(m);
	/* Hand records out in the store's key order: written that way, a
	 * bulk import fills the store's pages completely. */
	if (m->type == RBL_DS_IP4SET)
		qsort_r(m->items, m->n, sizeof(*m->items), cmp_ip_q, m);
	else if (m->type == RBL_DS_DNSET)
		qsort_r(m->items, m->n, sizeof(*m->items), cmp_store_name_q,
			m);
	if (m->warn && m->warnings > DSM_MAX_WARNINGS) {
		char text[128];

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
	return m->n;
}

static void fill_record(const rbl_dsm *m, const dsm_item *it,
			rbl_ds_record *r)
{
	const dsm_val *v = &m->vals[it->val];
	rbl_entry *e = &r->entry;

	r->file = it->file;
	r->line = it->line;
	r->section = -1;
	r->type = m->type;
	r->is_name = m->type == RBL_DS_DNSET;
	r->rr = NULL;
	r->acl_action = RBL_ACL_VALUE;
	r->prefix = it->prefix;
	r->name[0] = '\0';
	if (r->is_name)
		snprintf(r->name, sizeof(r->name), "%s",
			 m->text + it->name_off);
	memset(e, 0, offsetof(rbl_entry, txt));
	e->source[0] = '\0';
	e->flags = v->excl ? RBL_ENTRY_EXCLUDE : RBL_ENTRY_HAS_TXT;
	if (it->kind & KIND_EXACT)
		e->flags |= RBL_ENTRY_NAME_EXACT;
	if (it->kind & KIND_SUBS)
		e->flags |= RBL_ENTRY_NAME_SUBS;
	e->n_codes = v->n_codes;
	memcpy(e->codes, v->codes, sizeof(e->codes));
	e->expires = v->expires;
	memcpy(e->txt, m->text + v->txt_off, v->txt_len);
	e->txt[v->txt_len] = '\0';
}

int rbl_dsm_foreach(rbl_dsm *m, int (*fn)(void *arg, const rbl_ds_record *r),
		    void *arg)
{
	rbl_ds_record r = { 0 };

	if (!m->finished)
		return RBL_EINVAL;
	for (size_t i = 0; i < m->n; i++) {
		int rc;

		fill_record(m, &m->items[i], &r);
		rc = fn(arg, &r);
		if (rc)
			return rc;
	}
	return RBL_OK;
}
