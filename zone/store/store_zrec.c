/*
 * store_zrec.c -- a zone's fixed records in the store (store.h, zrec.h).
 *
 * All records of a zone are one value in the meta database, key 'r' +
 * zone id: zones hold a handful of them and they are read whole (by the
 * server's zone table and by transfers) and replaced whole (by an import).
 * Value: u8 version, u32 count, then per record in (owner, type) order:
 * str owner, u32 type, u32 ttl, u32 rdlen, rdata.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/store/store_impl.h"
#include "zone/store/zrec.h"

#define ZREC_VERSION	1

static size_t zrec_key(uint8_t *k, uint32_t zone_id)
{
	k[0] = 'r';
	rbl_put_be32(k + 1, zone_id);
	return 5;
}

static int cmp_zrec(const void *a, const void *b)
{
	const rbl_zrec *x = a, *y = b;
	int c = strcmp(x->owner, y->owner);

	if (c)
		return c;
	return (x->type > y->type) - (x->type < y->type);
}

static void zrec_encode(const rbl_zrec *v, size_t n, struct rbl_wbuf *w)
{
	rbl_wb_u8(w, ZREC_VERSION);
	rbl_wb_u32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		rbl_wb_str(w, v[i].owner);
		rbl_wb_u32(w, v[i].type);
		rbl_wb_u32(w, v[i].ttl);
		rbl_wb_u32(w, v[i].rdlen);
		rbl_wb_bytes(w, v[i].rdata, v[i].rdlen);
	}
}

int rbl_zrec_replace(rbl_txn *t, uint32_t zone_id, const rbl_zrec *v,
		     size_t n)
{
	size_t cap = 16 + n * (sizeof(rbl_zrec) + 16);
	rbl_zrec *sorted = NULL;
	struct rbl_wbuf w = { NULL, 0, cap, false };
	uint32_t serial = 0;
	uint8_t k[8];
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if ((rc = rbl_zone_serial(t, zone_id, &serial)) != RBL_OK)
		return rc;
	if (n > RBL_ZREC_MAX)
		return RBL_ELIMIT;
	for (size_t i = 0; i < n; i++)
		if (rbl_zrec_check(&v[i]) != RBL_OK)
			return RBL_EINVAL;
	if (n == 0) {
		rc = rbl_db_del(t, t->s->meta, k, zrec_key(k, zone_id));
		if (rc == RBL_ENOTFOUND)
			return RBL_OK;	/* had none: nothing changes */
	} else {
		if (!(sorted = malloc(n * sizeof *sorted)) ||
		    !(w.p = malloc(cap))) {
			free(sorted);
			return RBL_ENOMEM;
		}
		memcpy(sorted, v, n * sizeof *sorted);
		qsort(sorted, n, sizeof *sorted, cmp_zrec);
		zrec_encode(sorted, n, &w);
		rc = w.overflow ? RBL_ETOOBIG :
		     rbl_db_put(t, t->s->meta, k, zrec_key(k, zone_id), w.p,
				w.len, 0);
		free(sorted);
		free(w.p);
	}
	if (rc == RBL_OK) {
		t->meta_changed = true;	/* servers rebuild their zone tables */
		rc = rbl_txn_mark_zone(t, zone_id, false);
	}
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_zrec_get(rbl_txn *t, uint32_t zone_id, rbl_zrec **out, size_t *n_out)
{
	struct rbl_rbuf r = { 0 };
	rbl_zrec *v;
	uint8_t k[8];
	uint32_t n;
	MDB_val val = { 0 };
	int rc = rbl_db_get(t, t->s->meta, k, zrec_key(k, zone_id), &val);

	*out = NULL;
	*n_out = 0;
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	r = (struct rbl_rbuf){ val.mv_data, val.mv_size, 0, false };
	if (rbl_rb_u8(&r) != ZREC_VERSION || (n = rbl_rb_u32(&r)) == 0 ||
	    n > RBL_ZREC_MAX)
		return RBL_ESTORE;
	if (!(v = calloc(n, sizeof *v)))
		return RBL_ENOMEM;
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		rbl_rb_str(&r, v[i].owner, sizeof v[i].owner);
		v[i].type = (uint16_t)rbl_rb_u32(&r);
		v[i].ttl = rbl_rb_u32(&r);
		v[i].rdlen = (uint16_t)rbl_rb_u32(&r);
		if (v[i].rdlen > RBL_ZREC_RDATA_MAX)
			r.bad = true;
		else
			rbl_rb_bytes(&r, v[i].rdata, v[i].rdlen);
	}
	if (r.bad) {
		free(v);
		return RBL_ESTORE;
	}
	*out = v;
	*n_out = n;
	return RBL_OK;
}

int rbl_zrec_drop_zone(rbl_txn *t, uint32_t zone_id)
{
	uint8_t k[8];
	int rc = rbl_db_del(t, t->s->meta, k, zrec_key(k, zone_id));

	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}
