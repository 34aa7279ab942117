/*
 * store_txn.c -- the bottom of the store: LMDB and errno codes as
 * rbl_error, and what a transaction records about itself (broken or not,
 * its source, what it did to lists and zones).  It calls nothing else of
 * the store, so every other file may use it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/store/store_impl.h"

int rbl_mdb_error(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:	return RBL_OK;
	case MDB_NOTFOUND:	return RBL_ENOTFOUND;
	case MDB_KEYEXIST:	return RBL_EEXIST;
	case MDB_MAP_FULL:	return RBL_EMAPFULL;
	case MDB_READERS_FULL:	return RBL_EBUSY;
	case MDB_VERSION_MISMATCH: return RBL_EVERSION;
	case MDB_DBS_FULL:	return RBL_ELIMIT;
	case EACCES:
	case EROFS:
	case EPERM:		return RBL_EREADONLY;
	case ENOMEM:		return RBL_ENOMEM;
	case ENOENT:		return RBL_ENOTFOUND;
	case EIO:
	case ENOSPC:		return RBL_EIO;
	}
	return RBL_ESTORE;
}

int rbl_txn_fail(rbl_txn *t, int rc)
{
	if (t->write && !t->broken && rc != RBL_OK) {
		t->broken = true;
		t->rc_broken = rc;
	}
	return rc;
}

int rbl_txn_need_write(rbl_txn *t)
{
	if (!t->write)
		return RBL_EREADONLY;
	return t->broken ? t->rc_broken : RBL_OK;
}

void rbl_txn_set_bulk(rbl_txn *t)
{
	if (t->write)
		t->bulk = true;
}

void rbl_txn_set_source(rbl_txn *t, const char *source)
{
	size_t n = source ? strlen(source) : 0;

	if (n > RBL_SOURCE_MAX)
		n = RBL_SOURCE_MAX;
	memcpy(t->source, source ? source : "", n);
	t->source[n] = 0;
	t->source_gen++;	/* entries prepared with the old one are stale */
}

const char *rbl_txn_source(const rbl_txn *t)
{
	return t->source;
}

/* ------------------------------------------------ lists and zones */

struct rbl_list_state *rbl_txn_list_state(rbl_txn *t, uint32_t list_id)
{
	for (size_t i = t->n_lists; i-- > 0;)
		if (t->lists[i].id == list_id)
			return &t->lists[i];
	return NULL;
}

int rbl_txn_mark_list(rbl_txn *t, uint32_t list_id, unsigned marks,
		      int64_t delta)
{
	struct rbl_list_state *ls = rbl_txn_list_state(t, list_id);

	if (!ls) {
		if (rbl_array_reserve(t->lists, t->cap_lists, t->n_lists + 1,
				      8) != RBL_OK)
			return rbl_txn_fail(t, RBL_ENOMEM);
		ls = &t->lists[t->n_lists++];
		memset(ls, 0, sizeof *ls);
		ls->id = list_id;
	}
	ls->marks |= marks;
	ls->delta += delta;
	return RBL_OK;
}

int rbl_txn_mark_replaced(rbl_txn *t, uint32_t list_id, bool journal,
			  uint64_t changes, uint64_t n_before, int64_t delta)
{
	int rc = RBL_OK;

	if (delta)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED, delta);
	if (rc == RBL_OK && journal &&
	    changes > ((uint64_t)((int64_t)n_before + delta)) / 2)
		rc = rbl_txn_mark_list(t, list_id, RBL_LIST_RESET, 0);
	return rc;
}

static int push_u32(rbl_txn *t, uint32_t **arr, size_t *n, size_t *cap,
		    uint32_t v)
{
	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i] == v)
			return RBL_OK;
	if (rbl_array_reserve(*arr, *cap, *n + 1, 8) != RBL_OK)
		return rbl_txn_fail(t, RBL_ENOMEM);
	(*arr)[(*n)++] = v;
	return RBL_OK;
}

int rbl_txn_mark_zone(rbl_txn *t, uint32_t zone_id, bool created)
{
	if (created)
		return push_u32(t, &t->zones_created, &t->n_created,
				&t->cap_created, zone_id);
	return push_u32(t, &t->zones_touched, &t->n_touched, &t->cap_touched,
			zone_id);
}
