/*
 * array.c -- growing an array (see array.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"

int rbl_array_grow(void *ptrp, size_t *cap, size_t need, size_t size,
		   size_t first)
{
	size_t max = size ? (SIZE_MAX / 2) / size : 0;
	size_t c = *cap ? *cap : (first ? first : 1);
	void *p = NULL, *np = NULL;

	if (need <= *cap)
		return RBL_OK;
	if (need > max)
		return RBL_ENOMEM;
	while (c < need)
		c = c > max / 2 ? max : c * 2;
	if (c > max)
		c = max;	/* FIRST beyond the limit: what fits */
	memcpy(&p, ptrp, sizeof p);
	if (!(np = realloc(p, c * size)))
		return RBL_ENOMEM;
	memcpy(ptrp, &np, sizeof np);
	*cap = c;
	return RBL_OK;
}
