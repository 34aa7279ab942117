/*
 * store_purge.c -- removal of expired entries.
 *
 * Expired entries already stop answering at read time; purging only
 * reclaims space and keeps listings tidy.  It counts, journals and
 * summarises each entry it removes like any delete, so entry counts,
 * serials and the journal stay right; chunks without an expired entry are
 * not rewritten (store_ipw.c).
 */
#include "zone/store/store_impl.h"

int rbl_purge_expired(rbl_txn *t, int64_t now, uint64_t *n)
{
	uint64_t count = 0;
	int rc;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	rc = rbl_ip_purge(t, now, &count);
	if (rc == RBL_OK)
		rc = rbl_name_purge(t, now, &count);
	if (n)
		*n = count;
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}
