/*
 * rbl-storefmt -- print or overwrite the format number of a store, with
 * plain LMDB calls (the store API refuses a format it does not know).
 *
 *   rbl-storefmt DIR              print the "#version" of DIR's meta
 *   rbl-storefmt DIR N            set it to N
 *   rbl-storefmt DIR --format4    keep DIR's IP listings the way formats
 *                                 1-4 did ("ipent", no "ipchunk") and
 *                                 set format 4 (no "ipseg": converting
 *                                 reads "ipent" only)
 *
 * For tests of what programs do with a store written by a newer or an
 * older version (tests/ctl/backup.test, tests/ctl/upgrade.test).  Exit 0,
 * or 1 with a message.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/store/store_impl.h"

static int fail(const char *what, int rc)
{
	fprintf(stderr, "rbl-storefmt: %s: %s\n", what, mdb_strerror(rc));
	return 1;
}

/* The IP entries of a store, read through the store API. */
struct ent {
	uint32_t list;
	rbl_prefix p;
	rbl_entry e;
};

struct ents {
	struct ent *v;
	size_t n, cap;
	uint32_t list;
	rbl_txn *t;
};

static int keep_entry(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	struct ents *x = arg;

	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 1024;
		if (!(x->v = realloc(x->v, x->cap * sizeof *x->v)))
			return RBL_ENOMEM;
	}
	x->v[x->n].list = x->list;
	x->v[x->n].p = *p;
	x->v[x->n++].e = *e;
	return 0;
}

static int keep_list(void *arg, const rbl_list *l)
{
	struct ents *x = arg;

	if (l->kind != RBL_LIST_IP)
		return 0;
	x->list = l->id;
	return rbl_ip_foreach(x->t, l->id, NULL, keep_entry, x);
}

static int read_entries(const char *dir, struct ents *x)
{
	rbl_store *st = NULL;
	int rc = rbl_store_open(dir, RBL_STORE_RDONLY, 0, &st);

	if (rc == RBL_OK && (rc = rbl_txn_begin(st, false, &x->t)) == RBL_OK) {
		rc = rbl_list_foreach(x->t, keep_list, x);
		rbl_txn_abort(x->t);
	}
	rbl_store_close(st);
	if (rc != RBL_OK)
		fprintf(stderr, "rbl-storefmt: %s: %s\n", dir, rbl_strerror(rc));
	return rc;
}

/* Write the entries X into "ipent" of TXN's store, drop "ipchunk". */
static int write_format4(MDB_txn *txn, const struct ents *x)
{
	MDB_dbi ipent = 0, ipchunk = 0;
	int rc = mdb_dbi_open(txn, "ipent", MDB_CREATE, &ipent);

	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		uint8_t kb[RBL_IPKEY_MAX] = { 0 }, vb[RBL_ENTRY_ENC_MAX] = { 0 };
		MDB_val k = { rbl_ipent_key(kb, x->v[i].list, &x->v[i].p), kb };
		MDB_val v = { rbl_entry_encode(&x->v[i].e, vb), vb };

		rc = mdb_put(txn, ipent, &k, &v, 0);
	}
	if (rc == 0 && (rc = mdb_dbi_open(txn, "ipchunk", 0, &ipchunk)) == 0)
		rc = mdb_drop(txn, ipchunk, 1);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int main(int argc, char **argv)
{
	struct ents x = { NULL, 0, 0, 0, NULL };
	bool format4 = argc == 3 && strcmp(argv[2], "--format4") == 0;
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi meta = 0;
	MDB_val k = { 8, "#version" }, v = { 0 };
	unsigned char b[4] = { 0 };
	unsigned long n = 0;
	int rc = 0;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: rbl-storefmt DIR [FORMAT|--format4]\n");
		return 2;
	}
	if (format4 && read_entries(argv[1], &x) != RBL_OK)
		return 1;
	if (argc == 3)
		n = format4 ? 4 : strtoul(argv[2], NULL, 10);
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 64)) ||
	    (rc = mdb_env_open(env, argv[1], 0, 0640)))
		return fail(argv[1], rc);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) ||
	    (rc = mdb_dbi_open(txn, "meta", 0, &meta)))
		return fail("meta", rc);
	if (argc == 2) {
		if ((rc = mdb_get(txn, meta, &k, &v)))
			return fail("#version", rc);
		if (v.mv_size != 4)
			return fail("#version", MDB_CORRUPTED);
		b[0] = ((unsigned char *)v.mv_data)[0];
		b[1] = ((unsigned char *)v.mv_data)[1];
		b[2] = ((unsigned char *)v.mv_data)[2];
		b[3] = ((unsigned char *)v.mv_data)[3];
		printf("%lu\n", (unsigned long)b[0] << 24 |
		       (unsigned long)b[1] << 16 | (unsigned long)b[2] << 8 |
		       b[3]);
		mdb_txn_abort(txn);
	} else {
		b[0] = (unsigned char)(n >> 24);
		b[1] = (unsigned char)(n >> 16);
		b[2] = (unsigned char)(n >> 8);
		b[3] = (unsigned char)n;
		v.mv_size = 4;
		v.mv_data = b;
		if (format4 && (rc = write_format4(txn, &x)))
			return fail("ipent", rc);
		if ((rc = mdb_put(txn, meta, &k, &v, 0)) ||
		    (rc = mdb_txn_commit(txn)))
			return fail("#version", rc);
	}
	mdb_env_close(env);
	free(x.v);
	return 0;
}
