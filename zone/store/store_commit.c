/*
 * store_commit.c -- the ends of a transaction, on top of every part of
 * the store: a write transaction collects what it did to lists and zones
 * in struct rbl_txn, and rbl_txn_commit() has each part turn that into
 * written chunks and exact masks, entry counts, IPv4 summaries, serial
 * bumps, journal records and the generation counter just before the LMDB
 * commit, so all of it is atomic.  Aborting, resetting and renewing let the parts drop
 * what they keep in the transaction.  No part calls this file.
 */
#include "zone/store/store_impl.h"

static int commit_bookkeeping(rbl_txn *t)
{
	int rc = 0;

	/* summaries need the final chunks and entry counts */
	if ((rc = rbl_name_commit(t)) != RBL_OK ||
	    (rc = rbl_ip_commit(t)) != RBL_OK ||
	    (rc = rbl_list_commit(t)) != RBL_OK ||
	    (rc = rbl_v4sum_commit(t)) != RBL_OK ||
	    (rc = rbl_zone_commit(t)) != RBL_OK)
		return rc;
	if (t->meta_changed)
		return rbl_meta_bump_generation(t);
	return RBL_OK;
}

void rbl_txn_abort(rbl_txn *t)
{
	if (!t)
		return;
	rbl_name_txn_free(t);
	rbl_ip_txn_free(t);
	rbl_v4sum_txn_free(t);
	rbl_ckidx_free(t);
	rbl_txn_end(t, false);
}

/* A commit that rewrote at least this many chunks is followed by a tick
 * and a compaction: see rbl_store_tick and store_compact.c. */
#define TICK_AFTER_WRITES	256

int rbl_txn_commit(rbl_txn *t)
{
	rbl_store *s = t->s;
	bool big = false;
	int rc = RBL_OK;

	if (!t->write) {
		rbl_txn_abort(t);
		return RBL_OK;
	}
	if (t->broken)
		rc = t->rc_broken;
	if (rc == RBL_OK)
		rc = commit_bookkeeping(t);
	rbl_name_txn_free(t);
	rbl_ip_txn_free(t);
	rbl_v4sum_txn_free(t);
	if (rc != RBL_OK) {
		rbl_txn_end(t, false);
		return rc;
	}
	big = t->bulk || t->ck_writes >= TICK_AFTER_WRITES;
	if ((rc = rbl_txn_end(t, true)) == RBL_OK && big) {
		/* a tick, then the freed pages' blocks go back (best
		 * effort: a failure costs disk space, not data) */
		(void)rbl_store_compact(s, NULL);
	}
	return rc;
}

void rbl_txn_reset(rbl_txn *t)
{
	if (t->write || t->reset)
		return;
	rbl_txn_drop_snapshot(t);
}

int rbl_txn_renew(rbl_txn *t)
{
	if (t->write)
		return RBL_EINVAL;
	rbl_txn_reset(t);
	/* what T keeps from its snapshot (summaries, the generation,
	 * chunk indexes) stays when the snapshot is the same:
	 * rbl_txn_take_snapshot */
	return rbl_txn_take_snapshot(t);
}
