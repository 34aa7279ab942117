/*
 * store_zone.c -- zone records, serials and the commit-time serial bump.
 *
 * 'z'+id -> record, 'Z'+name -> id; the serial is apart (store_serial.c).
 * Record, version 1: u8 version, u32 id, str name, str mname, str rname,
 * u32 refresh, retry, expire, minimum, ttl, neg_ttl, ns_ttl, u8 n_ns,
 * n_ns x str, u8 n_glue, n_glue x (str name, u8 family, 16 bytes), u8
 * n_lists, n_lists x (u32 list_id, str sub).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/store_impl.h"

#define ZONE_VERSION	1
#define ZONE_REC_MAX	8192

/* --------------------------------------------------------- names */

/* Lowercase SRC without its trailing dot into DST (RBL_NAME_MAX+1). */
static int name_norm(const char *src, char *dst, bool allow_empty)
{
	size_t n = strnlen(src, RBL_NAME_MAX + 1);

	if (n > RBL_NAME_MAX)
		return RBL_EINVAL;	/* too long, or not terminated */
	if (n > 1 && src[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[n] = 0;
	return rbl_name_text_check(dst, allow_empty);
}

/* --------------------------------------------------------- records */

static size_t zone_key(uint8_t *k, char kind, uint32_t id)
{
	k[0] = (uint8_t)kind;
	rbl_put_be32(k + 1, id);
	return 5;
}

static void zone_encode(const rbl_zone *z, struct rbl_wbuf *w)
{
	const uint32_t nums[] = { z->refresh, z->retry, z->expire, z->minimum,
				  z->ttl, z->neg_ttl, z->ns_ttl };

	rbl_wb_u8(w, ZONE_VERSION);
	rbl_wb_u32(w, z->id);
	rbl_wb_str(w, z->name);
	rbl_wb_str(w, z->mname);
	rbl_wb_str(w, z->rname);
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		rbl_wb_u32(w, nums[i]);
	rbl_wb_u8(w, z->n_ns);
	for (unsigned i = 0; i < z->n_ns; i++)
		rbl_wb_str(w, z->ns[i]);
	rbl_wb_u8(w, z->n_glue);
	for (unsigned i = 0; i < z->n_glue; i++) {
		rbl_wb_str(w, z->glue[i].name);
		rbl_wb_u8(w, z->glue[i].addr.family);
		rbl_wb_bytes(w, z->glue[i].addr.bytes, 16);
	}
	rbl_wb_u8(w, z->n_lists);
	for (unsigned i = 0; i < z->n_lists; i++) {
		rbl_wb_u32(w, z->lists[i].list_id);
		rbl_wb_str(w, z->lists[i].sub);
	}
}

static int zone_decode(const MDB_val *v, rbl_zone *z)
{
	struct rbl_rbuf r = { v->mv_data, v->mv_size, 0, false };
	uint32_t *nums[] = { &z->refresh, &z->retry, &z->expire, &z->minimum,
			     &z->ttl, &z->neg_ttl, &z->ns_ttl };

	memset(z, 0, sizeof *z);
	if (rbl_rb_u8(&r) != ZONE_VERSION)
		return RBL_ESTORE;
	z->id = rbl_rb_u32(&r);
	rbl_rb_str(&r, z->name, sizeof z->name);
	rbl_rb_str(&r, z->mname, sizeof z->mname);
	rbl_rb_str(&r, z->rname, sizeof z->rname);
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		*nums[i] = rbl_rb_u32(&r);
	if ((z->n_ns = rbl_rb_u8(&r)) > RBL_ZONE_MAX_NS)
		return RBL_ESTORE;
	for (unsigned i = 0; i < z->n_ns; i++)
		rbl_rb_str(&r, z->ns[i], sizeof z->ns[i]);
	if ((z->n_glue = rbl_rb_u8(&r)) > RBL_ZONE_MAX_GLUE)
		return RBL_ESTORE;
	for (unsigned i = 0; i < z->n_glue; i++) {
		rbl_rb_str(&r, z->glue[i].name, sizeof z->glue[i].name);
		z->glue[i].addr.family = rbl_rb_u8(&r);
		rbl_rb_bytes(&r, z->glue[i].addr.bytes, 16);
	}
	if ((z->n_lists = rbl_rb_u8(&r)) > RBL_ZONE_MAX_LISTS)
		return RBL_ESTORE;
	for (unsigned i = 0; i < z->n_lists; i++) {
		z->lists[i].list_id = rbl_rb_u32(&r);
		rbl_rb_str(&r, z->lists[i].sub, sizeof z->lists[i].sub);
	}
	return r.bad ? RBL_ESTORE : RBL_OK;
}

static int zone_put(rbl_txn *t, const rbl_zone *z)
{
	uint8_t *buf = malloc(ZONE_REC_MAX), k[8];
	struct rbl_wbuf w = { buf, 0, ZONE_REC_MAX, false };
	int rc;

	if (!buf)
		return RBL_ENOMEM;
	zone_encode(z, &w);
	rc = w.overflow ? RBL_ETOOBIG :
	     rbl_db_put(t, t->s->meta, k, zone_key(k, 'z', z->id), buf, w.len,
			0);
	free(buf);
	return rc;
}

int rbl_zone_set_serial(rbl_txn *t, uint32_t zone_id, uint32_t serial)
{
	uint32_t cur = 0;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK ||
	    (rc = rbl_zone_serial(t, zone_id, &cur)) != RBL_OK)
		return rc;
	if (serial == 0 || !rbl_serial_after(serial, cur))
		return RBL_EINVAL;	/* 0 is skipped, as by commits */
	if ((rc = rbl_zone_serial_put(t, zone_id, serial)) != RBL_OK ||
	    (rc = rbl_journal_write(t, zone_id, serial, true, NULL, 0)) !=
	    RBL_OK)
		return rbl_txn_fail(t, rc);
	return RBL_OK;
}

/* ------------------------------------------------------- validation */

/* Normalise names in place and check every field of Z. */
static int zone_check(rbl_txn *t, rbl_zone *z)
{
	rbl_list l = { 0 };
	int rc;

	if (name_norm(z->name, z->name, false) || name_norm(z->mname, z->mname,
	    false) || name_norm(z->rname, z->rname, false))
		return RBL_EINVAL;
	if (z->n_ns > RBL_ZONE_MAX_NS || z->n_glue > RBL_ZONE_MAX_GLUE ||
	    z->n_lists > RBL_ZONE_MAX_LISTS)
		return RBL_EINVAL;
	for (unsigned i = 0; i < z->n_ns; i++)
		if (name_norm(z->ns[i], z->ns[i], false))
			return RBL_EINVAL;
	for (unsigned i = 0; i < z->n_glue; i++)
		if (name_norm(z->glue[i].name, z->glue[i].name, false) ||
		    (z->glue[i].addr.family != RBL_AF4 &&
		     z->glue[i].addr.family != RBL_AF6))
			return RBL_EINVAL;
	for (unsigned i = 0; i < z->n_lists; i++) {
		char *sub = z->lists[i].sub;

		if (strnlen(sub, sizeof z->lists[i].sub) > RBL_LABEL_MAX ||
		    strchr(sub, '.') || name_norm(sub, sub, true))
			return RBL_EINVAL;
		rc = rbl_list_get_id(t, z->lists[i].list_id, &l);
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ API */

void rbl_zone_defaults(rbl_zone *z, const char *name)
{
	memset(z, 0, sizeof *z);
	snprintf(z->name, sizeof z->name, "%s", name);
	snprintf(z->mname, sizeof z->mname, "ns.%.249s", name);
	snprintf(z->rname, sizeof z->rname, "hostmaster.%.241s", name);
	z->serial = 1;
	z->refresh = 3600;
	z->retry = 600;
	z->expire = 604800;
	z->minimum = 300;
	z->neg_ttl = 300;
	z->ttl = 300;
	z->ns_ttl = 86400;
	z->n_ns = 1;
	snprintf(z->ns[0], sizeof z->ns[0], "ns.%.249s", name);
}

int rbl_zone_create(rbl_txn *t, rbl_zone *z)
{
	uint8_t k[RBL_NAME_MAX + 2], idb[4];
	rbl_zone rec = *z;
	size_t klen;
	MDB_val v = { 0 };
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if ((rc = zone_check(t, &rec)) != RBL_OK)
		return rc;
	k[0] = 'Z';
	klen = strlen(rec.name) + 1;
	memcpy(k + 1, rec.name, klen - 1);
	rc = rbl_db_get(t, t->s->meta, k, klen, &v);
	if (rc != RBL_ENOTFOUND)
		return rc == RBL_OK ? RBL_EEXIST : rc;
	if ((rc = rbl_meta_next_id(t, "#next_zone", &rec.id)) != RBL_OK)
		return rbl_txn_fail(t, rc);
	rec.serial = 1;
	rbl_put_be32(idb, rec.id);
	if ((rc = zone_put(t, &rec)) || (rc = rbl_zone_serial_put(t, rec.id, 1)) ||
	    (rc = rbl_db_put(t, t->s->meta, k, klen, idb, 4, 0)) ||
	    (rc = rbl_journal_write(t, rec.id, 1, true, NULL, 0)) ||
	    (rc = rbl_txn_mark_zone(t, rec.id, true)))
		return rbl_txn_fail(t, rc);
	t->meta_changed = true;
	*z = rec;
	return RBL_OK;
}

int rbl_zone_get_id(rbl_txn *t, uint32_t id, rbl_zone *out)
{
	uint8_t k[8];
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->meta, k, zone_key(k, 'z', id), &v);

	if (rc != RBL_OK)
		return rc;
	if ((rc = zone_decode(&v, out)) != RBL_OK)
		return rc;
	return rbl_zone_serial(t, id, &out->serial);
}

int rbl_zone_get(rbl_txn *t, const char *name, rbl_zone *out)
{
	uint8_t k[RBL_NAME_MAX + 2];
	char norm[RBL_NAME_MAX + 1];
	MDB_val v = { 0 };
	int rc;

	if (!name || name_norm(name, norm, false) != RBL_OK)
		return RBL_ENOTFOUND;
	k[0] = 'Z';
	memcpy(k + 1, norm, strlen(norm));
	rc = rbl_db_get(t, t->s->meta, k, strlen(norm) + 1, &v);
	if (rc != RBL_OK)
		return rc;
	if (v.mv_size != 4)
		return RBL_ESTORE;
	return rbl_zone_get_id(t, rbl_get_be32(v.mv_data), out);
}

int rbl_zone_update(rbl_txn *t, const rbl_zone *z)
{
	rbl_zone *old, *rec;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!(old = calloc(2, sizeof *old)))
		return RBL_ENOMEM;
	rec = old + 1;
	*rec = *z;
	rc = rbl_zone_get_id(t, z->id, old);
	if (rc == RBL_OK) {
		memcpy(rec->name, old->name, sizeof rec->name);
		rc = zone_check(t, rec);
	}
	if (rc == RBL_OK && (rc = zone_put(t, rec)) == RBL_OK) {
		t->meta_changed = true;
		rc = rbl_txn_mark_zone(t, z->id, false);
	}
	free(old);
	return rc;
}

int rbl_zone_delete(rbl_txn *t, uint32_t id)
{
	uint8_t k[RBL_NAME_MAX + 2];
	rbl_zone *z;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!(z = calloc(1, sizeof *z)))
		return RBL_ENOMEM;
	if ((rc = rbl_zone_get_id(t, id, z)) != RBL_OK) {
		free(z);
		return rc;
	}
	if (!(rc = rbl_db_del(t, t->s->meta, k, zone_key(k, 'z', id))) &&
	    !(rc = rbl_zone_serial_del(t, id))) {
		k[0] = 'Z';
		memcpy(k + 1, z->name, strlen(z->name));
		rc = rbl_db_del(t, t->s->meta, k, strlen(z->name) + 1);
	}
	if (rc == RBL_OK)
		rc = rbl_journal_drop_zone(t, id);
	if (rc == RBL_OK)
		rc = rbl_zrec_drop_zone(t, id);
	free(z);
	if (rc != RBL_OK)
		return rbl_txn_fail(t, rc);
	t->meta_changed = true;
	return RBL_OK;
}

/* Visit zone records with key prefix KIND ('z': id order, 'Z': name). */
static int zone_walk(rbl_txn *t, char kind,
		     int (*fn)(void *arg, const rbl_zone *z), void *arg)
{
	MDB_cursor *c = NULL;
	uint8_t prefix = (uint8_t)kind;
	MDB_val k = { 1, &prefix }, v = { 0 };
	rbl_zone *z = calloc(1, sizeof *z);
	int ret = RBL_OK, rc;

	if (!z)
		return RBL_ENOMEM;
	if ((rc = mdb_cursor_open(t->txn, t->s->meta, &c))) {
		free(z);
		return rbl_mdb_error(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == 0 && k.mv_size > 1 && *(uint8_t *)k.mv_data == prefix;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (kind == 'Z')
			ret = v.mv_size == 4 ? rbl_zone_get_id(t,
				rbl_get_be32(v.mv_data), z) : RBL_ESTORE;
		else if ((ret = zone_decode(&v, z)) == RBL_OK)
			ret = rbl_zone_serial(t, z->id, &z->serial);
		if (ret != RBL_OK || (ret = fn(arg, z)) != 0)
			break;
	}
	mdb_cursor_close(c);
	free(z);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	return ret;
}

int rbl_zone_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_zone *z),
		     void *arg)
{
	return zone_walk(t, 'Z', fn, arg);
}

uint64_t rbl_zone_entries(rbl_txn *t, const rbl_zone *z)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < z->n_lists; i++) {
		rbl_list l = { 0 };

		if (rbl_list_get_id(t, z->lists[i].list_id, &l) == RBL_OK)
			n += l.n_entries;
	}
	return n;
}

struct uses_arg {
	uint32_t list_id;
	bool used;
};

static int zone_uses(void *arg, const rbl_zone *z)
{
	struct uses_arg *u = arg;

	for (unsigned i = 0; i < z->n_lists; i++)
		if (z->lists[i].list_id == u->list_id)
			u->used = true;
	return 0;
}

int rbl_zone_uses_list(rbl_txn *t, uint32_t list_id, bool *used)
{
	struct uses_arg u = { list_id, false };
	int rc = zone_walk(t, 'z', zone_uses, &u);

	*used = u.used;
	return rc;
}

/* ------------------------------------------------------ commit */

static bool in_u32(const uint32_t *arr, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++)
		if (arr[i] == v)
			return true;
	return false;
}

/* Collect the lists of Z changed in T; true if any asks for a reset. */
static bool zone_changed_lists(rbl_txn *t, const rbl_zone *z,
			       uint32_t *out, unsigned *n)
{
	bool reset = false;

	*n = 0;
	for (unsigned i = 0; i < z->n_lists; i++) {
		struct rbl_list_state *ls =
			rbl_txn_list_state(t, z->lists[i].list_id);

		if (!ls || !(ls->marks & RBL_LIST_CHANGED) ||
		    in_u32(out, *n, ls->id))
			continue;
		out[(*n)++] = ls->id;
		if ((ls->marks & RBL_LIST_RESET) || t->bulk)
			reset = true;
	}
	return reset;
}

struct bump {
	uint32_t zone_id, serial;
	bool reset;
	unsigned n;
	uint32_t lists[RBL_ZONE_MAX_LISTS];
};

struct bump_set {
	rbl_txn *t;
	struct bump *v;
	size_t n, cap;
};

/* Decide during the walk, write after it: no writes under the cursor. */
static int zone_plan_bump(void *arg, const rbl_zone *z)
{
	struct bump_set *bs = arg;
	rbl_txn *t = bs->t;
	struct bump b = { 0 };
	bool touched;

	if (in_u32(t->zones_created, t->n_created, z->id))
		return 0;
	b.reset = zone_changed_lists(t, z, b.lists, &b.n);
	touched = in_u32(t->zones_touched, t->n_touched, z->id);
	if (b.n == 0 && !touched)
		return 0;
	b.zone_id = z->id;
	b.serial = z->serial + 1 ? z->serial + 1 : 1;	/* 0 is skipped */
	b.reset = b.reset || touched || t->jover;
	if (rbl_array_reserve(bs->v, bs->cap, bs->n + 1, 8) != RBL_OK)
		return RBL_ENOMEM;
	bs->v[bs->n++] = b;
	return 0;
}

int rbl_zone_commit(rbl_txn *t)
{
	struct bump_set bs = { t, NULL, 0, 0 };
	int rc;

	if (t->n_lists == 0 && t->n_touched == 0)
		return RBL_OK;
	rc = zone_walk(t, 'z', zone_plan_bump, &bs);
	for (size_t i = 0; rc == RBL_OK && i < bs.n; i++) {
		struct bump *b = &bs.v[i];

		rc = rbl_zone_serial_put(t, b->zone_id, b->serial);
		if (rc == RBL_OK)
			rc = rbl_journal_write(t, b->zone_id, b->serial,
					       b->reset, b->lists, b->n);
	}
	free(bs.v);
	return rc;
}

/* ------------------------------------------------ convenience */

static int add_test_ip(rbl_txn *t, uint32_t list_id, const char *text,
		       bool exclude)
{
	rbl_prefix p = { 0 };
	rbl_entry e = { 0 };
	int rc = rbl_prefix_parse(text, true, &p);

	if (rc != RBL_OK)
		return rc;
	if (rbl_ip_get(t, list_id, &p, &e) == RBL_OK)
		return RBL_OK;
	rbl_entry_init(&e);
	e.flags = exclude ? RBL_ENTRY_EXCLUDE : 0;
	strcpy(e.source, "rfc5782");
	return rbl_ip_add(t, list_id, &p, &e);
}

static int add_test_name(rbl_txn *t, uint32_t list_id, const char *name,
			 bool exclude)
{
	rbl_entry e = { 0 };

	if (rbl_name_get(t, list_id, name, &e) == RBL_OK)
		return RBL_OK;
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_NAME_EXACT | (exclude ? RBL_ENTRY_EXCLUDE : 0);
	strcpy(e.source, "rfc5782");
	return rbl_name_add(t, list_id, name, &e);
}

int rbl_list_add_test_entries(rbl_txn *t, uint32_t list_id)
{
	rbl_list l = { 0 };
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK ||
	    (rc = rbl_list_get_id(t, list_id, &l)) != RBL_OK)
		return rc;
	if (rbl_list_kind_is_name(l.kind)) {
		if ((rc = add_test_name(t, list_id, "test", false)) != RBL_OK)
			return rc;
		return add_test_name(t, list_id, "invalid", true);
	}
	if ((rc = add_test_ip(t, list_id, "127.0.0.2", false)) ||
	    (rc = add_test_ip(t, list_id, "::ffff:7f00:2", false)) ||
	    (rc = add_test_ip(t, list_id, "127.0.0.1", true)))
		return rc;
	return add_test_ip(t, list_id, "::ffff:7f00:1", true);
}

int rbl_zone_create_simple(rbl_txn *t, const char *name, int kind,
			   rbl_zone *zone_out)
{
	rbl_list l = { 0 };
	rbl_zone *z;
	int rc;

	memset(&l, 0, sizeof l);
	if (!name || strlen(name) > RBL_LIST_NAME_MAX ||
	    rbl_name_text_check(name, false) != RBL_OK)
		return RBL_EINVAL;
	if (!(z = calloc(1, sizeof *z)))
		return RBL_ENOMEM;
	rc = rbl_zone_get(t, name, z);
	free(z);
	if (rc != RBL_ENOTFOUND)
		return rc == RBL_OK ? RBL_EEXIST : rc;
	strcpy(l.name, name);
	l.kind = (uint8_t)kind;
	if ((rc = rbl_list_create(t, &l)) != RBL_OK)
		return rc;
	if (!(z = calloc(1, sizeof *z)))
		return rbl_txn_fail(t, RBL_ENOMEM);
	rbl_zone_defaults(z, name);
	z->n_lists = 1;
	z->lists[0].list_id = l.id;
	rc = rbl_zone_create(t, z);
	if (rc == RBL_OK)
		rc = rbl_list_add_test_entries(t, l.id);
	if (rc == RBL_OK && zone_out)
		*zone_out = *z;
	free(z);
	/* the list already exists: a failure past it must not commit */
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}
