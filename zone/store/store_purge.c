/*
 * store_purge.c -- removing listings in bulk, across the listing parts:
 * expired entries of every list, and all entries of one list (clearing,
 * replacing or deleting it).  It sits above the IP, name and zone parts, which it
 * calls; none of them calls it.
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

/* ---------------------------------------------------- one list */

static int list_clear_entries(rbl_txn *t, const rbl_list *l)
{
	uint64_t n = 0;
	int rc = 0;

	if (l->kind == RBL_LIST_IP)
		rc = rbl_ip_clear_list(t, l->id, &n);
	else
		rc = rbl_name_clear_list(t, l->id, &n);
	if (rc != RBL_OK)
		return rbl_txn_fail(t, rc);
	return rbl_txn_mark_list(t, l->id, RBL_LIST_CHANGED | RBL_LIST_RESET,
				 -(int64_t)n);
}

int rbl_list_clear(rbl_txn *t, uint32_t id)
{
	rbl_list l = { 0 };
	int rc = 0;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if ((rc = rbl_list_get_id(t, id, &l)) != RBL_OK)
		return rc;
	return list_clear_entries(t, &l);
}

int rbl_list_replace_begin(rbl_txn *t, uint32_t id, unsigned flags)
{
	rbl_list l = { 0 };
	int rc = 0;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if ((rc = rbl_list_get_id(t, id, &l)) != RBL_OK)
		return rc;
	if (l.kind != RBL_LIST_IP)
		return rbl_name_replace_begin(t, id, flags);
	return rbl_ip_replace_begin(t, id, flags);
}

int rbl_list_delete(rbl_txn *t, uint32_t id)
{
	rbl_list l = { 0 };
	bool used = false;
	int rc = 0;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if ((rc = rbl_list_get_id(t, id, &l)) != RBL_OK)
		return rc;
	if ((rc = rbl_zone_uses_list(t, id, &used)) != RBL_OK)
		return rc;
	if (used)
		return RBL_EBUSY;
	if ((rc = list_clear_entries(t, &l)) != RBL_OK)
		return rc;
	return rbl_list_drop_record(t, &l);
}
