/*
 * zonetab.c -- per-worker zone table (see zonetab.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/dname.h"
#include "zone/error.h"
#include "zone/log.h"
#include "zonetab.h"

int rbl_zt_name_from_text(const char *name, rbl_zt_name *out)
{
	size_t len = rbl_name_wire(name, out->wire);

	if (len == 0)
		return RBL_EINVAL;
	out->len = (uint8_t)len;
	return RBL_OK;
}

static uint8_t wire_label_count(const rbl_zt_name *n)
{
	uint8_t count = 0;

	for (size_t o = 0; n->wire[o] != 0; o += 1u + n->wire[o])
		count++;
	return count;
}

static int build_soa(rbl_zt_zone *zz, const rbl_zone *z)
{
	rbl_zt_name mname = { 0 }, rname = { 0 };
	uint8_t *p = zz->soa;

	if (rbl_zt_name_from_text(z->mname, &mname) != RBL_OK ||
	    rbl_zt_name_from_text(z->rname, &rname) != RBL_OK)
		return RBL_EINVAL;
	memcpy(p, mname.wire, mname.len);
	p += mname.len;
	memcpy(p, rname.wire, rname.len);
	p += rname.len;
	zz->soa_serial_off = (uint16_t)(p - zz->soa);
	dns_put32(p, z->serial);
	dns_put32(p + 4, z->refresh);
	dns_put32(p + 8, z->retry);
	dns_put32(p + 12, z->expire);
	dns_put32(p + 16, z->minimum);
	zz->soa_len = (uint16_t)(p + 20 - zz->soa);
	p = zz->neg_soa;
	dns_put16(p, DNS_T_SOA);
	dns_put16(p + 2, DNS_C_IN);
	dns_put32(p + 4, z->neg_ttl);
	dns_put16(p + 8, zz->soa_len);
	memcpy(p + 10, zz->soa, zz->soa_len);
	zz->neg_soa_len = (uint16_t)(10 + zz->soa_len);
	return RBL_OK;
}

static int build_list(rbl_zt_list *zl, const rbl_zone_list *src,
		      rbl_txn *t)
{
	rbl_list l = { 0 };
	int rc = rbl_list_get_id(t, src->list_id, &l);

	if (rc != RBL_OK)
		return rc;
	zl->list_id = l.id;
	zl->kind = l.kind;
	zl->sub_len = (uint8_t)strlen(src->sub);
	for (unsigned i = 0; i < zl->sub_len; i++)
		zl->sub[i] = dns_lower((uint8_t)src->sub[i]);
	zl->default_code = l.default_code;
	zl->has_default_txt = l.has_default_txt != 0;
	zl->default_txt_len = (uint16_t)strnlen(l.default_txt, RBL_TXT_MAX);
	memcpy(zl->default_txt, l.default_txt, zl->default_txt_len);
	zl->default_txt[zl->default_txt_len] = '\0';
	return RBL_OK;
}

/* Glue is answered for names given as NS; remember which NS it belongs
 * to so answers can point at the NS name already written. */
static int build_glue(rbl_zt_zone *zz, const rbl_zone *z)
{
	zz->n_glue = 0;
	for (unsigned i = 0; i < z->n_glue && i < RBL_ZONE_MAX_GLUE; i++) {
		rbl_zt_glue *g = &zz->glue[zz->n_glue];

		if (rbl_zt_name_from_text(z->glue[i].name, &g->name) != RBL_OK)
			return RBL_EINVAL;
		g->addr = z->glue[i].addr;
		g->ns = 0xff;
		for (unsigned j = 0; j < zz->n_ns; j++)
			if (zz->ns[j].len == g->name.len &&
			    memcmp(zz->ns[j].wire, g->name.wire,
				   g->name.len) == 0)
				g->ns = (uint8_t)j;
		zz->n_glue++;
	}
	return RBL_OK;
}

/* The zone's fixed records, owners made absolute. */
static int build_records(rbl_zt_zone *zz, const rbl_zone *z, rbl_txn *t)
{
	char owner[2 * RBL_NAME_MAX + 2];
	rbl_zrec *v = NULL;
	size_t n = 0;
	int rc = rbl_zrec_get(t, z->id, &v, &n);

	if (rc != RBL_OK || n == 0)
		return rc;
	if (!(zz->recs = calloc(n, sizeof *zz->recs))) {
		free(v);
		return RBL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		rbl_zt_rec *r = &zz->recs[i];

		snprintf(owner, sizeof owner, "%s%s%s", v[i].owner,
			 v[i].owner[0] ? "." : "", z->name);
		if (rbl_zt_name_from_text(owner, &r->owner) != RBL_OK) {
			rc = RBL_EINVAL;
			break;
		}
		r->type = v[i].type;
		r->ttl = v[i].ttl ? v[i].ttl : z->ttl;
		r->rdlen = v[i].rdlen;
		memcpy(r->rdata, v[i].rdata, v[i].rdlen);
		zz->n_recs++;
	}
	free(v);
	return rc;
}

static int build_zone(rbl_zt_zone *zz, const rbl_zone *z, rbl_txn *t)
{
	int rc;

	memset(zz, 0, sizeof(*zz));
	zz->id = z->id;
	snprintf(zz->name, sizeof(zz->name), "%s", z->name);
	if (rbl_zt_name_from_text(z->name, &zz->wire) != RBL_OK)
		return RBL_EINVAL;
	zz->nlabels = wire_label_count(&zz->wire);
	zz->ttl = z->ttl;
	zz->neg_ttl = z->neg_ttl;
	zz->ns_ttl = z->ns_ttl;
	zz->serial = z->serial;
	if ((rc = build_soa(zz, z)) != RBL_OK)
		return rc;
	for (unsigned i = 0; i < z->n_ns && i < RBL_ZONE_MAX_NS; i++) {
		if (rbl_zt_name_from_text(z->ns[i], &zz->ns[i]) != RBL_OK)
			return RBL_EINVAL;
		zz->n_ns++;
	}
	if ((rc = build_glue(zz, z)) != RBL_OK)
		return rc;
	for (unsigned i = 0; i < z->n_lists && i < RBL_ZONE_MAX_LISTS; i++) {
		if ((rc = build_list(&zz->lists[i], &z->lists[i], t)) != RBL_OK)
			return rc;
		zz->n_lists++;
	}
	return build_records(zz, z, t);
}

static void free_zones(rbl_zt_zone *zones, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(zones[i].recs);
	free(zones);
}

struct build_ctx {
	rbl_txn *txn;
	rbl_zt_zone *zones;
	size_t n, cap;
	int rc;
};

static int add_zone(void *arg, const rbl_zone *z)
{
	struct build_ctx *b = arg;

	if (rbl_array_reserve(b->zones, b->cap, b->n + 1, 8) != RBL_OK)
		return b->rc = RBL_ENOMEM;
	b->rc = build_zone(&b->zones[b->n], z, b->txn);
	if (b->rc != RBL_OK) {
		free(b->zones[b->n].recs);
		b->zones[b->n].recs = NULL;
	}
	if (b->rc == RBL_EINVAL) {	/* one bad zone must not stop the rest */
		rbl_log_warn("zone %s: invalid name in SOA/NS/glue, not served",
			     z->name);
		return b->rc = RBL_OK;
	}
	if (b->rc == RBL_OK)
		b->n++;
	return b->rc;
}

int rbl_zonetab_refresh(rbl_zonetab *zt, rbl_txn *t)
{
	struct build_ctx b = { .txn = t };
	uint64_t gen = 0, snap = rbl_txn_snapshot(t);
	int rc = 0;

	if (zt->loaded && snap && snap == zt->snap)
		return RBL_OK;
	if ((rc = rbl_store_generation(t, &gen)) != RBL_OK)
		return rc;
	if (zt->loaded && gen == zt->generation) {
		zt->snap = snap;
		return RBL_OK;
	}
	rc = rbl_zone_foreach(t, add_zone, &b);
	if (rc == RBL_OK)
		rc = b.rc;
	if (rc != RBL_OK) {
		free_zones(b.zones, b.n);
		return rc;
	}
	free_zones(zt->zones, zt->n_zones);
	zt->zones = b.zones;
	zt->n_zones = b.n;
	zt->generation = gen;
	zt->snap = snap;
	zt->loaded = true;
	return RBL_OK;
}

void rbl_zonetab_free(rbl_zonetab *zt)
{
	free_zones(zt->zones, zt->n_zones);
	memset(zt, 0, sizeof(*zt));
}

static bool zone_matches(const rbl_zt_zone *z, const rbl_query *q)
{
	unsigned first;

	if (z->nlabels > q->nlabels)
		return false;
	if (z->nlabels == q->nlabels)
		return q->qname_len == z->wire.len &&
		       memcmp(q->lname, z->wire.wire, z->wire.len) == 0;
	first = q->label_off[q->nlabels - z->nlabels];
	return q->qname_len - first == z->wire.len &&
	       memcmp(q->lname + first, z->wire.wire, z->wire.len) == 0;
}

rbl_zt_zone *rbl_zonetab_find(const rbl_zonetab *zt, const rbl_query *q)
{
	rbl_zt_zone *best = NULL;

	for (size_t i = 0; i < zt->n_zones; i++) {
		rbl_zt_zone *z = &zt->zones[i];

		if ((!best || z->nlabels > best->nlabels) && zone_matches(z, q))
			best = z;
	}
	return best;
}

uint32_t rbl_zonetab_serial(rbl_zt_zone *z, rbl_txn *t)
{
	uint64_t snap = rbl_txn_snapshot(t);
	uint32_t serial = 0;

	if ((z->serial_snap != snap || !snap) &&
	    rbl_zone_serial(t, z->id, &serial) == RBL_OK) {
		z->serial = serial;
		z->serial_snap = snap;
	}
	return z->serial;
}
