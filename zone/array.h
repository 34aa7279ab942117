/*
 * array.h -- the one way rbld grows an array: make room for NEED
 * elements, doubling the capacity, with the size arithmetic checked.
 *
 * An array is a pointer and a capacity (in elements, a size_t) that the
 * caller keeps, usually beside a count:
 *
 *     struct { item *v; size_t n, cap; } a = { 0 };
 *
 *     if (rbl_array_reserve(a.v, a.cap, a.n + 1, 64) != RBL_OK)
 *             return RBL_ENOMEM;
 *     a.v[a.n++] = x;
 *     ...
 *     free(a.v);
 *
 * The first growth allocates FIRST elements (or more, if NEED is more);
 * each later one doubles the capacity until it holds NEED.  On success the
 * pointer and the capacity are updated together and the elements up to
 * the old capacity are kept; on failure both are left as they were, so
 * the array is still valid and still the caller's to free.  The fast path
 * (NEED already fits) is one comparison, inline.
 *
 * Overflow: a capacity whose size in bytes would exceed SIZE_MAX / 2 is
 * refused like a failed allocation (RBL_ENOMEM), so neither the byte size
 * nor a count + 1 can wrap.
 *
 * The pointer is updated through memcpy(), not through a `void **` that
 * aliases a `T *`: object pointers have one representation on every
 * platform rbld builds for (POSIX requires it).
 */
#ifndef RBL_ARRAY_H
#define RBL_ARRAY_H

#include <stddef.h>

#include "zone/error.h"

/* The growing step: at least NEED elements of SIZE bytes in the array
 * whose pointer is at PTRP (a T **, passed as void *) and whose capacity
 * is *CAP.  RBL_OK or RBL_ENOMEM.  Callers use the two below. */
int rbl_array_grow(void *ptrp, size_t *cap, size_t need, size_t size,
		   size_t first);

/* Room for NEED elements of SIZE bytes (for arrays whose element size is
 * known only at run time); otherwise as rbl_array_reserve(). */
static inline int rbl_array_reserve_size(void *ptrp, size_t *cap,
					 size_t need, size_t size,
					 size_t first)
{
	return need <= *cap ? RBL_OK :
	       rbl_array_grow(ptrp, cap, need, size, first);
}

/* Room for NEED elements in the array V (a T * lvalue) of capacity CAP (a
 * size_t lvalue), FIRST elements at the first growth.  RBL_OK or
 * RBL_ENOMEM.  Each argument is evaluated once. */
#define rbl_array_reserve(v, cap, need, first) \
	rbl_array_reserve_size(&(v), &(cap), (need), sizeof *(v), (first))

#endif
