/*
 * store_replace.c -- replacing the entries of an IP list (placeholder:
 * clears the list).
 */
#include "zone/store/store_ipw.h"

int rbl_replace_begin(rbl_txn *t, uint32_t list_id)
{
	return rbl_list_clear(t, list_id);
}

int rbl_replace_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		    const rbl_entry *e, bool *taken)
{
	(void)t; (void)list_id; (void)p; (void)e;
	*taken = false;
	return RBL_OK;
}

int rbl_replace_finish(rbl_txn *t, uint32_t list_id)
{
	(void)t; (void)list_id;
	return RBL_OK;
}

int rbl_replace_finish_all(rbl_txn *t)
{
	(void)t;
	return RBL_OK;
}

void rbl_replace_cancel(rbl_txn *t, uint32_t list_id)
{
	(void)t; (void)list_id;
}

void rbl_replace_free(rbl_txn *t)
{
	(void)t;
}
