/*
 * rbldnsd_merge.c -- resolve an rbldnsd dataset into store listings with
 * the same answers (see rbldnsd_merge.h for the rules).
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
 * the line step changes: one run for a plain list).  Numbers have 26 bits,
 * so every 2^26 records start a new generation, sorted apart; walks merge
 * the generations.  Resolving is a walk with one stack per octet level
 * (ip4set) that records only the values it changed.  The arrays are
 * reserved address space, filled as records come (no copy when they
 * grow), and a walk that is the last may give back what it passed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zone/compiler.h"
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

/* The compact IPv4 records (see the top). */
#define GEN_BITS	26
#define GEN_SIZE	((size_t)1 << GEN_BITS)
#define MAX_GENS	64

typedef struct v4gen {
	uint64_t *v;		/* GEN_SIZE reserved, N used */
	size_t n, released;	/* records given back (whole pages) */
} v4gen;

typedef struct vrun {		/* from record START on, value VAL */
	uint64_t start;
	uint32_t val;
} vrun;

typedef struct lrun {		/* record START is on LINE of FILE, and
				   each one after on the next line */
	uint64_t start;
	uint32_t line;
	const char *file;
} lrun;

typedef struct vexc {		/* a record whose resolved value is VAL */
	uint64_t seq;
	uint32_t val;
} vexc;

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
	/* compact IPv4 records */
	v4gen gens[MAX_GENS];
	unsigned n_gens;
	uint64_t n4, count4;
	vrun *vruns;
	size_t n_vruns, cap_vruns;
	lrun *lruns;
	size_t n_lruns, cap_lruns;
	vexc *exc;
	size_t n_exc, cap_exc;
	bool release;		/* the next walk gives memory back */
	/* the last value interned by rbl_dsm_add */
	bool last_ok;
	dsm_val last_v;
	char last_txt[RBL_TXT_MAX + 1];
	uint32_t last_idx;
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
	for (unsigned g = 0; g < m->n_gens; g++)
		munmap(m->gens[g].v, GEN_SIZE * sizeof(uint64_t));
	free(m->vruns);
	free(m->lruns);
	free(m->exc);
	free(m->items);
	free(m->vals);
	free(m->slots);
	free(m->text);
	free(m);
}

/* ---- storage ---- */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 256;
	void *np;

	if (need <= *cap)
		return RBL_OK;
	while (c < need)
		c *= 2;
	np = realloc(*p, c * size);
	if (!np)
		return RBL_ENOMEM;
	*p = np;
	*cap = c;
	return RBL_OK;
}

static int store_text(rbl_dsm *m, const char *s, size_t len, uint32_t *off)
{
	/* S may be text stored before, which growing moves */
	bool inside = m->text && s >= m->text && s < m->text + m->text_len;
	size_t at = inside ? (size_t)(s - m->text) : 0;
	int rc = grow((void **)&m->text, &m->text_cap, m->text_len + len + 1,
		      1);

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
	rc = grow((void **)&m->vals, &m->cap_vals, m->n_vals + 1,
		  sizeof(*m->vals));
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
	int rc = grow((void **)&m->items, &m->cap, m->n + 1, sizeof(*it));

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

static uint32_t addr4(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* True for the records kept in 8 bytes. */
static bool compact_type(int type)
{
	return type == RBL_DS_IP4SET || type == RBL_DS_IP4TRIE ||
	       type == RBL_DS_IP4TSET;
}

static int add_run(void **v, size_t *n, size_t *cap, size_t size)
{
	return grow(v, cap, *n + 1, size);
}

/* One more compact IPv4 record, with value IDX. */
static int add_v4(rbl_dsm *m, const rbl_ds_record *r, uint32_t idx)
{
	uint64_t seq = m->n4;
	v4gen *g = NULL;
	int rc = 0;

	if (seq >> GEN_BITS >= MAX_GENS)
		return RBL_ELIMIT;
	if ((seq & (GEN_SIZE - 1)) == 0) {
		void *p = mmap(NULL, GEN_SIZE * sizeof(uint64_t),
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			       0);

		if (p == MAP_FAILED)
			return RBL_ENOMEM;
		g = &m->gens[m->n_gens++];
		memset(g, 0, sizeof(*g));
		g->v = p;
	}
	g = &m->gens[m->n_gens - 1];
	if (!m->n_vruns || m->vruns[m->n_vruns - 1].val != idx) {
		if ((rc = add_run((void **)&m->vruns, &m->n_vruns,
				  &m->cap_vruns, sizeof(*m->vruns))))
			return rc;
		m->vruns[m->n_vruns++] = (vrun){ seq, idx };
	}
	if (!m->n_lruns || m->lruns[m->n_lruns - 1].file != r->file ||
	    m->lruns[m->n_lruns - 1].line + (seq - m->lruns[m->n_lruns - 1]
					      .start) != r->line) {
		if ((rc = add_run((void **)&m->lruns, &m->n_lruns,
				  &m->cap_lruns, sizeof(*m->lruns))))
			return rc;
		m->lruns[m->n_lruns++] = (lrun){ seq, r->line, r->file };
	}
	g->v[g->n++] = (uint64_t)addr4(r->prefix.addr.bytes) << 32 |
		       (uint64_t)r->prefix.len << GEN_BITS |
		       (seq & (GEN_SIZE - 1));
	m->n4++;
	return RBL_OK;
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
	if ((rc = intern(m, v, txt, idx)) != RBL_OK)
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
		return add_v4(m, r, idx);
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

/* ---- compact IPv4 records ---- */

static void fill_record(const rbl_dsm *m, const dsm_item *it,
			rbl_ds_record *r);

/* Sort V[0..N) in place by its bytes from SHIFT down (MSD radix). */
static void sort_u64(uint64_t *v, size_t n, int shift)
{
	size_t count[256] = { 0 }, at = 0;
	/* per bucket of the sort: both written before they are read */
	RBL_NOINIT size_t next[256], end[256];

	if (n < 48) {
		for (size_t i = 1; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;

			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		count[(v[i] >> shift) & 255]++;
	for (unsigned b = 0; b < 256; b++) {
		next[b] = at;
		at += count[b];
		end[b] = at;
	}
	for (unsigned b = 0; b < 256; b++)
		while (next[b] < end[b]) {
			uint64_t x = v[next[b]];
			unsigned d = (unsigned)(x >> shift) & 255;

			while (d != b) {	/* carry X to its bucket */
				uint64_t y = v[next[d]];

				v[next[d]++] = x;
				x = y;
				d = (unsigned)(x >> shift) & 255;
			}
			v[next[b]++] = x;
		}
	if (shift == 0)
		return;
	for (unsigned b = 0; b < 256; b++)
		if (count[b] > 1)
			sort_u64(v + end[b] - count[b], count[b], shift - 8);
}

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

/* The generations merged in key order; ties in file order. */
typedef struct v4walk {
	rbl_dsm *m;
	size_t pos[MAX_GENS];
} v4walk;

static bool v4_next(v4walk *w, uint64_t *key, uint64_t *seq)
{
	rbl_dsm *m = w->m;
	unsigned best = MAX_GENS;
	uint64_t bk = 0;

	for (unsigned g = 0; g < m->n_gens; g++) {
		uint64_t k = 0;

		if (w->pos[g] == m->gens[g].n)
			continue;
		k = m->gens[g].v[w->pos[g]] >> GEN_BITS;
		if (best == MAX_GENS || k < bk) {
			best = g;
			bk = k;
		}
	}
	if (best == MAX_GENS)
		return false;
	*key = bk;
	*seq = (uint64_t)best << GEN_BITS |
	       (m->gens[best].v[w->pos[best]++] & (GEN_SIZE - 1));
	return true;
}

/* Give back the pages of records every walk has passed. */
static void v4_release(v4walk *w)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t per = (size_t)(page > 0 ? page : 4096) / sizeof(uint64_t);

	for (unsigned g = 0; g < w->m->n_gens; g++) {
		v4gen *gen = &w->m->gens[g];
		size_t upto = w->pos[g] / per * per;

		if (upto >= gen->released + ((size_t)1 << 17)) {
			madvise(gen->v + gen->released,
				(upto - gen->released) * sizeof(uint64_t),
				MADV_DONTNEED);
			gen->released = upto;
		}
	}
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
	int rc = grow((void **)&m->exc, &m->cap_exc, m->n_exc + 1,
		      sizeof(*m->exc));

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
		struct level_stack *st = &levels[level4(
			(unsigned)(g->key & 63)) / 8 - 1];

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
	st = &levels[level4((unsigned)(key & 63)) / 8 - 1];
	while (st->depth && !covers4(st->key[st->depth - 1], key))
		st->depth--;
	if (!st->depth)
		return RBL_OK;
	rc = merge_vals(m, &g->at, st->val[st->depth - 1], g->own, &g->val);
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
		return merge_vals(m, &g->at, g->val, v, &g->val);
	if (v != g->own) {
		v4_item(m, g->key, seq, v, &it);
		describe(m, &it, what, sizeof(what));
		dsm_warn(m, &it, "duplicate entry for %s; the one on line %u "
			 "counts (as in rbldnsd)", what, g->at.line);
	}
	return RBL_OK;
}

/* Sort the compact records and resolve them: count, adjustments and
 * warnings now, the values that changed kept for the walk out. */
static int v4_resolve(rbl_dsm *m)
{
	struct level_stack levels[4];
	struct v4group g = { .open = false };
	v4walk w = { 0 };
	uint64_t key = 0, seq = 0;
	int rc = RBL_OK;

	for (unsigned i = 0; i < m->n_gens; i++)
		sort_u64(m->gens[i].v, m->gens[i].n, 56);
	memset(levels, 0, sizeof(levels));
	memset(&w, 0, sizeof(w));
	w.m = m;
	while (rc == RBL_OK && v4_next(&w, &key, &seq)) {
		if (g.open && key == g.key) {
			rc = group_dup(m, &g, seq);
			continue;
		}
		if ((rc = group_close(m, &g, levels)) == RBL_OK)
			rc = group_open(m, &g, key, seq, levels);
	}
	if (rc == RBL_OK)
		rc = group_close(m, &g, levels);
	return rc;
}

static int v4_foreach(rbl_dsm *m, int (*fn)(void *arg, const rbl_ds_record *r),
		      void *arg, rbl_ds_record *r)
{
	uint64_t key = 0, seq = 0, last = UINT64_MAX;
	size_t exc = 0, n = 0;
	v4walk w = { 0 };
	dsm_item it = { 0 };

	memset(&w, 0, sizeof(w));
	w.m = m;
	while (v4_next(&w, &key, &seq)) {
		uint32_t val = 0;
		int rc = 0;

		if (key == last)
			continue;	/* a duplicate, folded in */
		last = key;
		if (exc < m->n_exc && m->exc[exc].seq == seq)
			val = m->exc[exc++].val;
		else
			val = val_of(m, seq);
		v4_item(m, key, seq, val, &it);
		fill_record(m, &it, r);
		if ((rc = fn(arg, r)) != 0)
			return rc;
		if (m->release && (++n & 0xffff) == 0)
			v4_release(&w);
	}
	if (m->release)
		v4_release(&w);
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
		rc = v4_resolve(m);
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
	int rc = 0;

	if (!m->finished)
		return RBL_EINVAL;
	/* IPv4 before IPv6, as the store orders them */
	if (m->n4 && (rc = v4_foreach(m, fn, arg, &r)) != 0)
		return rc;
	for (size_t i = 0; i < m->n; i++) {
		fill_record(m, &m->items[i], &r);
		rc = fn(arg, &r);
		if (rc)
			return rc;
	}
	return RBL_OK;
}
