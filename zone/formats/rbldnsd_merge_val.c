/*
 * rbldnsd_merge_val.c -- the merger's values (rbldnsd_merge_impl.h):
 * each distinct value (codes, TXT, expiry, exclusion) interned once in a
 * hash table, its text and the names in one arena; two values merged the
 * way rbldnsd answers both; warnings; a record handed out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_merge_impl.h"

void dsm_warn(rbl_dsm *m, const dsm_item *it, const char *fmt, ...)
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

/* ---- storage ---- */

int dsm_store_text(rbl_dsm *m, const char *s, size_t len, uint32_t *off)
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

int dsm_intern(rbl_dsm *m, dsm_val *v, const char *txt, uint32_t *idx)
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
		rc = dsm_store_text(m, txt, v->txt_len, &v->txt_off);
	if (rc != RBL_OK)
		return rc;
	m->vals[m->n_vals] = *v;
	m->slots[j] = (uint32_t)m->n_vals + 1;
	*idx = (uint32_t)m->n_vals++;
	if (m->n_vals * 2 > m->n_slots)
		return rehash(m);
	return RBL_OK;
}

/* ---- merging values ---- */

void dsm_describe(const rbl_dsm *m, const dsm_item *it, char *buf,
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
int dsm_merge_vals(rbl_dsm *m, const dsm_item *at, uint32_t a, uint32_t b,
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
	dsm_describe(m, at, what, sizeof(what));
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
	return dsm_intern(m, &v, txt, out);
}

/* ---- records out ---- */

void dsm_fill_place(const dsm_item *it, rbl_ds_record *r)
{
	r->file = it->file;
	r->line = it->line;
	r->prefix = it->prefix;
}

void dsm_fill_record(const rbl_dsm *m, const dsm_item *it,
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
