/*
 * store_upgrade.c -- converting a format 1-4 store's IP entries into
 * chunks (format 5), done by the first program that opens it read-write.
 *
 * Formats 1-4 kept every IP entry as entered in "ipent" (key list|family|
 * address|length, value rbl_entry_encode) and a segment map in "ipseg".
 * "ipent" is already in the order the chunk builder wants, so the
 * conversion is one pass over it, list by list and family by family,
 * then both old databases are dropped and the format stamped.  It runs
 * in a transaction of its own, the first after the store is opened
 * (store_backup.c): a crash or an error leaves the store as it was,
 * still format 1-4.  The IPv4 summaries and length masks mean the same in
 * both formats and stay; so do entry counts and the journal.
 */
#include <string.h>

#include "zone/store/store_ipw.h"

/* Feed every "ipent" record to builders, one per list and family. */
static int convert(rbl_txn *t, MDB_dbi ipent)
{
	struct rbl_ckb *b = NULL;
	uint32_t cur_list = 0;
	uint8_t cur_fam = 0;
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int ret = RBL_OK, rc = mdb_cursor_open(t->txn, ipent, &c);

	if (rc)
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !ret;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint32_t list = 0;
		rbl_prefix p = { 0 };
		rbl_entry e = { 0 };

		if ((ret = rbl_ipent_key_decode(&k, &list, &p)) != RBL_OK ||
		    (ret = rbl_entry_decode(v.mv_data, v.mv_size, &e)))
			break;
		if (!b || list != cur_list || p.addr.family != cur_fam) {
			if (b && (ret = rbl_ckb_finish(b)) != RBL_OK)
				break;
			rbl_ckb_free(b);
			b = NULL;
			cur_list = list;
			cur_fam = p.addr.family;
			if ((ret = rbl_ckb_new(t, list, cur_fam, &b)) != RBL_OK)
				break;
		}
		ret = rbl_ckb_add(b, &p, &e);
	}
	mdb_cursor_close(c);
	if (ret == RBL_OK && rc != 0 && rc != MDB_NOTFOUND)
		ret = rbl_mdb_error(rc);
	if (ret == RBL_OK && b)
		ret = rbl_ckb_finish(b);
	rbl_ckb_free(b);
	return ret;
}

int rbl_ip_upgrade(rbl_txn *t)
{
	MDB_dbi ipent = 0, ipseg = 0;
	int rc = mdb_dbi_open(t->txn, "ipent", 0, &ipent);

	if (rc == MDB_NOTFOUND)
		return rbl_store_stamp_format(t);
	if (rc)
		return rbl_mdb_error(rc);
	rc = convert(t, ipent);
	if (rc == RBL_OK)
		rc = rbl_mdb_error(mdb_drop(t->txn, ipent, 1));
	if (rc == RBL_OK && mdb_dbi_open(t->txn, "ipseg", 0, &ipseg) == 0)
		rc = rbl_mdb_error(mdb_drop(t->txn, ipseg, 1));
	return rc == RBL_OK ? rbl_store_stamp_format(t) : rc;
}
