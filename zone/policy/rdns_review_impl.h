/*
 * rdns_review_impl.h -- the rDNS review queue's private side: what
 * rdns_review.c (decisions, publication) uses of rdns_queue.c (the
 * proposals in the store).  Nothing outside zone/policy/rdns_*.c uses it.
 */
#ifndef RBL_RDNS_REVIEW_IMPL_H
#define RBL_RDNS_REVIEW_IMPL_H

#include <stdbool.h>

#include "zone/policy/rdns_review.h"

/* Store proposal P under its prefix, replacing one there. */
int rdns_prop_put(rbl_txn *t, const rbl_rdns_proposal *p);
/* Forget the proposal for exactly P.  RBL_OK or RBL_ENOTFOUND. */
int rdns_prop_del(rbl_txn *t, const rbl_prefix *p);
/* Visit proposals in address order from FROM (NULL: the first) while FN
 * returns 0; FN's non-zero value stops the walk and is returned.  The
 * proposal is valid only during the call. */
int rdns_walk(rbl_txn *t, const rbl_prefix *from,
	      int (*fn)(void *arg, const rbl_rdns_proposal *p), void *arg);
/* True if P matches filter F (NULL matches all). */
bool rdns_filter_match(const rbl_rdns_filter *f, const rbl_rdns_proposal *p);

#endif
