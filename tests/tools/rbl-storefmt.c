/*
 * rbl-storefmt -- print or overwrite the format number of a store, with
 * plain LMDB calls (the store API refuses a format it does not know).
 *
 *   rbl-storefmt DIR        print the "#version" of DIR's meta database
 *   rbl-storefmt DIR N      set it to N
 *
 * For tests of what programs do with a store written by a newer or an
 * older version (tests/ctl/backup.test).  Exit 0, or 1 with a message.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, int rc)
{
	fprintf(stderr, "rbl-storefmt: %s: %s\n", what, mdb_strerror(rc));
	return 1;
}

int main(int argc, char **argv)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi meta = 0;
	MDB_val k = { 8, "#version" }, v = { 0 };
	unsigned char b[4];
	unsigned long n = 0;
	int rc;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: rbl-storefmt DIR [FORMAT]\n");
		return 2;
	}
	if (argc == 3)
		n = strtoul(argv[2], NULL, 10);
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
		if ((rc = mdb_put(txn, meta, &k, &v, 0)) ||
		    (rc = mdb_txn_commit(txn)))
			return fail("#version", rc);
	}
	mdb_env_close(env);
	return 0;
}
