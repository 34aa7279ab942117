/*
 * xfr_rr.c -- records for zone transfers: the expansion context, interned
 * answers and combos, and the records of one answer (see xfr_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/dname.h"
#include "zone/xfr/xfr_impl.h"
#include "zone/store/zrec.h"

#define WIRE_NAME_MAX	RBL_WIRE_NAME_MAX
#define T_A		1
#define T_NS		2
#define T_SOA		6
#define T_TXT		16
#define T_AAAA		28

/* ------------------------------------------------------------ intern */

static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static void intern_init(xf_intern *in, size_t item_size)
{
	memset(in, 0, sizeof *in);
	in->item_size = item_size;
}

static void intern_free(xf_intern *in)
{
	free(in->items);
	free(in->slots);
	intern_init(in, in->item_size);
}

static int intern_rehash(xf_intern *in)
{
	size_t ns = in->n_slots ? in->n_slots * 2 : 64;
	uint32_t *slots = calloc(ns, sizeof *slots);

	if (!slots)
		return RBL_ENOMEM;
	for (size_t i = 0; i < in->n; i++) {
		size_t h = hash_bytes(in->items + i * in->item_size,
				      in->item_size) & (ns - 1);

		while (slots[h])
			h = (h + 1) & (ns - 1);
		slots[h] = (uint32_t)i + 1;
	}
	free(in->slots);
	in->slots = slots;
	in->n_slots = ns;
	return RBL_OK;
}

/* Index + 1 of ITEM (added if new), or 0 when memory ran out. */
static uint32_t intern(xf_intern *in, const void *item)
{
	size_t h;

	if ((in->n + 1) * 2 > in->n_slots && intern_rehash(in) != RBL_OK)
		return 0;
	h = hash_bytes(item, in->item_size) & (in->n_slots - 1);
	for (; in->slots[h]; h = (h + 1) & (in->n_slots - 1))
		if (!memcmp(in->items + (in->slots[h] - 1) * in->item_size,
			    item, in->item_size))
			return in->slots[h];
	if (rbl_array_reserve_size(&in->items, &in->cap, in->n + 1,
				   in->item_size, 64) != RBL_OK)
		return 0;
	memcpy(in->items + in->n * in->item_size, item, in->item_size);
	in->slots[h] = (uint32_t)++in->n;
	return (uint32_t)in->n;
}

/* ------------------------------------------------------------ context */

int xf_ctx_init(xf_ctx *x, const rbl_zone *z, const rbl_xfr_opts *o,
		rbl_xrr_fn fn, void *arg, rbl_xfr_stats *st)
{
	uint8_t wire[WIRE_NAME_MAX];
	size_t len = rbl_name_wire(z->name, wire);

	memset(x, 0, sizeof *x);
	if (len == 0)
		return RBL_EINVAL;
	x->z = z;
	x->o = o;
	x->st = st;
	x->fn = fn;
	x->arg = arg;
	x->zone_wire_len = (uint8_t)len;
	while (x->txt_expand_bits < 32 &&
	       (2ull << x->txt_expand_bits) <= o->txt_expand_max)
		x->txt_expand_bits++;
	if (o->txt_expand_max < 2)
		x->txt_expand_bits = 0;
	intern_init(&x->ans, sizeof(xf_ans));
	intern_init(&x->combos, sizeof(uint32_t));
	return RBL_OK;
}

void xf_ctx_free(xf_ctx *x)
{
	intern_free(&x->ans);
	intern_free(&x->combos);
}

int xf_ctx_group(xf_ctx *x, const xf_group *g)
{
	uint32_t none[RBL_ZONE_MAX_LISTS] = { 0 };

	intern_free(&x->combos);
	intern_init(&x->combos, g->n_lists * sizeof(uint32_t));
	x->g = g;
	/* combo id 1 is "nothing"; xf_combo returns ids - 1 */
	return intern(&x->combos, none) ? RBL_OK : RBL_ENOMEM;
}

void xf_warn(xf_ctx *x, bool *once, const char *text)
{
	if (*once || !x->o->warn)
		return;
	*once = true;
	x->o->warn(x->o->warn_arg, text);
}

/* ------------------------------------------------------------ groups */

static int list_of(rbl_txn *t, uint32_t id, xf_list *out)
{
	rbl_list l = { 0 };
	int rc = rbl_list_get_id(t, id, &l);

	if (rc != RBL_OK)
		return rc;
	memset(out, 0, sizeof *out);
	out->id = l.id;
	out->kind = l.kind;
	out->default_code = l.default_code;
	out->has_default_txt = l.has_default_txt && l.default_txt[0];
	memcpy(out->default_txt, l.default_txt, sizeof out->default_txt);
	return RBL_OK;
}

int xf_groups(rbl_txn *t, const rbl_zone *z, xf_group *out, unsigned *n)
{
	*n = 0;
	for (unsigned i = 0; i < z->n_lists; i++) {
		const rbl_zone_list *zl = &z->lists[i];
		unsigned g = 0;
		int rc;

		while (g < *n && strcmp(out[g].sub, zl->sub) != 0)
			g++;
		if (g == *n) {
			memset(&out[g], 0, sizeof out[g]);
			snprintf(out[g].sub, sizeof out[g].sub, "%s", zl->sub);
			out[g].sub_len = (uint8_t)strlen(out[g].sub);
			(*n)++;
		}
		rc = list_of(t, zl->list_id, &out[g].lists[out[g].n_lists]);
		if (rc != RBL_OK)
			return rc;
		if (out[g].lists[out[g].n_lists].kind == RBL_LIST_IP)
			out[g].has_ip = true;
		else
			out[g].has_name = true;
		out[g].n_lists++;
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ answers */

static bool has_dollar(const char *txt, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (txt[i] != '$')
			continue;
		if (i + 1 < len && txt[i + 1] == '$')
			i++;
		else
			return true;
	}
	return false;
}

uint32_t xf_answer_of(xf_ctx *x, const xf_list *l, const rbl_entry *e)
{
	xf_ans a = { 0 };
	const char *txt = NULL;
	uint32_t id;

	if (e->flags & RBL_ENTRY_EXCLUDE)
		return 0;
	memset(&a, 0, sizeof a);
	a.n_codes = e->n_codes ? e->n_codes : 1;
	if (a.n_codes > RBL_MAX_CODES)
		a.n_codes = RBL_MAX_CODES;
	for (unsigned i = 0; i < a.n_codes; i++)
		a.codes[i] = e->n_codes ? e->codes[i] : l->default_code;
	if (e->flags & RBL_ENTRY_HAS_TXT)
		txt = e->txt[0] ? e->txt : NULL;
	else if (l->has_default_txt)
		txt = l->default_txt;
	if (txt) {
		a.has_txt = true;
		a.txt_len = (uint16_t)strnlen(txt, RBL_TXT_MAX);
		memcpy(a.txt, txt, a.txt_len);
		a.dollar = has_dollar(a.txt, a.txt_len);
	}
	id = intern(&x->ans, &a);
	if (!id)
		x->error = RBL_ENOMEM;
	return id;
}

const xf_ans *xf_answer(const xf_ctx *x, uint32_t id)
{
	return (const xf_ans *)(x->ans.items + (id - 1) * x->ans.item_size);
}

uint32_t xf_combo(xf_ctx *x, const uint32_t *ids)
{
	uint32_t id = intern(&x->combos, ids);

	if (!id)
		x->error = RBL_ENOMEM;
	return id ? id - 1 : 0;
}

const uint32_t *xf_combo_ids(const xf_ctx *x, uint32_t combo)
{
	return (const uint32_t *)(x->combos.items +
				  combo * x->combos.item_size);
}

bool xf_combo_dollar(const xf_ctx *x, uint32_t combo)
{
	const uint32_t *ids = xf_combo_ids(x, combo);

	for (unsigned i = 0; i < x->g->n_lists; i++)
		if (ids[i] && xf_answer(x, ids[i])->dollar)
			return true;
	return false;
}

/* ------------------------------------------------------------ records */

int xf_put(xf_ctx *x, const uint8_t *owner, size_t olen, uint16_t type,
	   uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	rbl_xrr rr = { 0 };

	if (olen + x->zone_wire_len > WIRE_NAME_MAX) {
		x->st->skipped++;
		xf_warn(x, &x->warned_long, "names longer than 255 bytes "
			"with the zone name are left out of the transfer");
		return RBL_OK;
	}
	if (x->o->max_records && x->st->records >= x->o->max_records)
		return RBL_ELIMIT;
	x->st->records++;
	rr.owner = owner;
	rr.owner_len = (uint8_t)olen;
	rr.type = type;
	rr.ttl = ttl;
	rr.rdata = rdata;
	rr.rdlen = (uint16_t)rdlen;
	return x->fn(x->arg, &rr);
}

int xf_emit_placeholder(xf_ctx *x, const uint8_t *owner, size_t olen)
{
	x->st->placeholders++;
	return xf_put(x, owner, olen, RBL_XFR_PLACEHOLDER_TYPE, x->z->ttl,
		      NULL, 0);
}

static bool code_seen(const uint32_t *codes, unsigned n, uint32_t c)
{
	for (unsigned i = 0; i < n; i++)
		if (codes[i] == c)
			return true;
	return false;
}

static int emit_codes(xf_ctx *x, const uint8_t *owner, size_t olen,
		      const uint32_t *ids)
{
	uint32_t seen[RBL_ZONE_MAX_LISTS * RBL_MAX_CODES];
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < x->g->n_lists; i++) {
		const xf_ans *a;

		if (!ids[i])
			continue;
		a = xf_answer(x, ids[i]);
		for (unsigned c = 0; c < a->n_codes; c++) {
			uint8_t rd[4];

			if (code_seen(seen, n, a->codes[c]))
				continue;
			seen[n++] = a->codes[c];
			rd[0] = (uint8_t)(a->codes[c] >> 24);
			rd[1] = (uint8_t)(a->codes[c] >> 16);
			rd[2] = (uint8_t)(a->codes[c] >> 8);
			rd[3] = (uint8_t)a->codes[c];
			if ((rc = xf_put(x, owner, olen, T_A, x->z->ttl, rd,
					 4)) != RBL_OK)
				return rc;
		}
	}
	return RBL_OK;
}

static int emit_txts(xf_ctx *x, const uint8_t *owner, size_t olen,
		     const uint32_t *ids, const char *subject)
{
	uint8_t rd[RBL_ZONE_MAX_LISTS][RBL_TXT_MAX + 2];
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < x->g->n_lists; i++) {
		const xf_ans *a;
		bool dup = false;

		if (!ids[i] || !(a = xf_answer(x, ids[i]))->has_txt)
			continue;
		rd[n][0] = (uint8_t)rbl_txt_expand(a->txt, a->txt_len, subject,
						   (char *)rd[n] + 1,
						   RBL_TXT_MAX + 1);
		for (unsigned j = 0; j < n && !dup; j++)
			dup = rd[j][0] == rd[n][0] &&
			      !memcmp(rd[j] + 1, rd[n] + 1, rd[n][0]);
		if (dup)
			continue;
		if ((rc = xf_put(x, owner, olen, T_TXT, x->z->ttl, rd[n],
				 rd[n][0] + 1u)) != RBL_OK)
			return rc;
		n++;
	}
	return RBL_OK;
}

int xf_emit_combo(xf_ctx *x, const uint8_t *owner, size_t olen,
		  uint32_t combo, const char *subject, bool wildcard)
{
	const uint32_t *ids = xf_combo_ids(x, combo);
	int rc;

	if (wildcard) {
		x->st->wildcards++;
		if (xf_combo_dollar(x, combo)) {
			x->st->approx_txt++;
			xf_warn(x, &x->warned_txt, "a TXT with $ on a wildcard "
				"shows the listed prefix or name, not the "
				"queried one (raise xfr-txt-expand to write "
				"one name per address)");
		}
	}
	if ((rc = emit_codes(x, owner, olen, ids)) != RBL_OK)
		return rc;
	return emit_txts(x, owner, olen, ids, subject);
}

void xf_owner_sub(const xf_ctx *x, uint8_t *owner, size_t *olen)
{
	const xf_group *g = x->g;

	if (!g->sub_len || *olen + 1 + g->sub_len > WIRE_NAME_MAX)
		return;
	owner[(*olen)++] = g->sub_len;
	memcpy(owner + *olen, g->sub, g->sub_len);
	*olen += g->sub_len;
}

/* ------------------------------------------------------------ apex */

/* NAME relative to the zone: its labels in front of the apex, in OWNER.
 * Returns the length, or -1 when NAME is not in the zone. */
static int relative_owner(const xf_ctx *x, const char *name, uint8_t *owner)
{
	uint8_t wire[WIRE_NAME_MAX];
	size_t len = rbl_name_wire(name, wire), rel;

	if (len < x->zone_wire_len)
		return -1;
	rel = len - x->zone_wire_len;
	if (rbl_name_wire(x->z->name, owner) != x->zone_wire_len ||
	    memcmp(wire + rel, owner, x->zone_wire_len) != 0)
		return -1;
	/* REL must end on a label boundary */
	for (size_t o = 0; o < rel; o += 1u + wire[o])
		if (o + 1u + wire[o] > rel)
			return -1;
	memcpy(owner, wire, rel);
	return (int)rel;
}

int rbl_xfr_soa(const rbl_zone *z, uint32_t serial, rbl_xrr_fn fn,
		void *arg)
{
	uint8_t rd[2 * WIRE_NAME_MAX + 20];
	size_t n = rbl_name_wire(z->mname, rd), m;
	uint32_t v[5] = { serial, z->refresh, z->retry, z->expire,
			  z->minimum };
	rbl_xrr rr = { 0 };

	if (n == 0 || (m = rbl_name_wire(z->rname, rd + n)) == 0)
		return RBL_EINVAL;
	n += m;
	for (unsigned i = 0; i < 5; i++, n += 4) {
		rd[n] = (uint8_t)(v[i] >> 24);
		rd[n + 1] = (uint8_t)(v[i] >> 16);
		rd[n + 2] = (uint8_t)(v[i] >> 8);
		rd[n + 3] = (uint8_t)v[i];
	}
	rr.owner = rd;
	rr.owner_len = 0;
	rr.type = T_SOA;
	rr.ttl = z->ns_ttl;
	rr.rdata = rd;
	rr.rdlen = (uint16_t)n;
	return fn(arg, &rr);
}

/* Fixed records keep their TTL (0: the zone's) and RDATA as stored. */
static int emit_records(rbl_txn *t, xf_ctx *x)
{
	uint8_t owner[WIRE_NAME_MAX];
	rbl_zrec *v = NULL;
	size_t n = 0, olen;
	int rc = rbl_zrec_get(t, x->z->id, &v, &n);

	for (size_t i = 0; rc == RBL_OK && i < n; i++) {
		olen = rbl_name_wire(v[i].owner, owner);	/* "": root */
		if (olen == 0) {
			rc = RBL_ESTORE;
			break;
		}
		rc = xf_put(x, owner, olen - 1, v[i].type,
			    v[i].ttl ? v[i].ttl : x->z->ttl, v[i].rdata,
			    v[i].rdlen);
	}
	free(v);
	return rc;
}

int xf_emit_apex(rbl_txn *t, xf_ctx *x)
{
	const rbl_zone *z = x->z;
	uint8_t rd[WIRE_NAME_MAX], owner[WIRE_NAME_MAX];
	int rc;

	for (unsigned i = 0; i < z->n_ns; i++) {
		size_t n = rbl_name_wire(z->ns[i], rd);

		if (n && (rc = xf_put(x, owner, 0, T_NS, z->ns_ttl, rd, n)))
			return rc;
	}
	for (unsigned i = 0; i < z->n_glue; i++) {
		const rbl_glue *g = &z->glue[i];
		int olen = relative_owner(x, g->name, owner);
		bool v4 = g->addr.family == RBL_AF4;

		if (olen <= 0)
			continue;	/* out of zone: not ours to serve */
		rc = xf_put(x, owner, (size_t)olen, v4 ? T_A : T_AAAA,
			    z->ns_ttl, g->addr.bytes, v4 ? 4 : 16);
		if (rc != RBL_OK)
			return rc;
	}
	return emit_records(t, x);
}

void rbl_xfr_opts_init(rbl_xfr_opts *o)
{
	memset(o, 0, sizeof *o);
	o->txt_expand_max = RBL_XFR_TXT_EXPAND_DEFAULT;
}
