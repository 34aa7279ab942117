/*
 * bindzone.c -- BIND master file export (see bindzone.h).
 */
#include "bindzone.h"
#include "error.h"

int rbl_bind_write_zone(FILE *f, rbl_txn *t, const rbl_zone *z, int64_t now,
			uint64_t max_records,
			void (*warn)(void *arg, const char *text), void *arg,
			rbl_bind_stats *st)
{
	return RBL_EINVAL;
}
