/*
 * delist_impl.h -- the delisting requests' private side: what
 * delist_decide.c (confirm, reject) uses of delist.c (the request
 * records in the store).  Nothing outside zone/people/delist*.c uses it.
 */
#ifndef RBL_DELIST_IMPL_H
#define RBL_DELIST_IMPL_H

#include <stdint.h>

#include "zone/people/delist.h"

/* Store request R under its id, replacing the record there. */
int delist_rec_put(rbl_txn *t, const rbl_delist_req *r);
/* 1 if a zone answers from list LIST_ID, 0 if none does, <0 an error:
 * only a published list lists anything (see delist.c). */
int delist_published(rbl_txn *t, uint32_t list_id);

#endif
