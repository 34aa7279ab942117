/*
 * test_array.c -- the growable-array helper (zone/array.h): first size,
 * doubling, contents kept, and sizes that would overflow refused without
 * touching the array.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/unit/check.h"
#include "zone/array.h"

static void test_growth(void)
{
	struct { uint32_t *v; size_t n, cap; } a = { NULL, 0, 0 };

	CHECK_RC(rbl_array_reserve(a.v, a.cap, 0, 8), RBL_OK);
	CHECK(a.v == NULL && a.cap == 0);	/* nothing needed: no allocation */
	CHECK_RC(rbl_array_reserve(a.v, a.cap, a.n + 1, 8), RBL_OK);
	CHECK(a.cap == 8);
	bool ok = true;
	for (uint32_t i = 0; i < 1000 && ok; i++) {
		ok = rbl_array_reserve(a.v, a.cap, a.n + 1, 8) == RBL_OK;
		if (ok)
			a.v[a.n++] = i;
	}
	CHECK(ok && a.n == 1000 && a.cap == 1024);
	for (uint32_t i = 0; i < 1000 && ok; i++)
		ok = a.v[i] == i;
	CHECK(ok);		/* the contents survive every move */
	/* a jump beyond twice the capacity: doubled until it fits */
	CHECK_RC(rbl_array_reserve(a.v, a.cap, 5000, 8), RBL_OK);
	CHECK(a.cap == 8192);
	free(a.v);

	/* the first growth takes NEED when it is more than FIRST */
	char *b = NULL;
	size_t bcap = 0;

	CHECK_RC(rbl_array_reserve(b, bcap, 100, 16), RBL_OK);
	CHECK(bcap == 128);
	free(b);
}

static void test_overflow(void)
{
	uint64_t *v = NULL;
	size_t cap = 0;

	CHECK_RC(rbl_array_reserve(v, cap, 4, 4), RBL_OK);
	uint64_t *keep = v;
	CHECK_RC(rbl_array_reserve(v, cap, SIZE_MAX / 8, 4), RBL_ENOMEM);
	CHECK_RC(rbl_array_reserve(v, cap, SIZE_MAX, 4), RBL_ENOMEM);
	CHECK(v == keep && cap == 4);	/* untouched on failure */
	/* run-time element sizes whose product overflows */
	CHECK_RC(rbl_array_reserve_size(&v, &cap, SIZE_MAX / 3, 3, 1),
		 RBL_ENOMEM);
	CHECK(v == keep && cap == 4);
	free(v);
}

int main(void)
{
	test_growth();
	test_overflow();
	return check_done();
}
