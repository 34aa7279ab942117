/*
 * store_upgrade.c -- converting a format 1-4 store's IP entries (placeholder).
 */
#include "zone/store/store_ipw.h"

int rbl_ip_upgrade(rbl_store *s, MDB_txn *txn)
{
	MDB_dbi dbi;

	(void)s;
	return mdb_dbi_open(txn, "ipent", 0, &dbi) == 0 ? RBL_EVERSION : RBL_OK;
}
