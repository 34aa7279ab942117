/*
 * store_rand.h -- the seeded random numbers of the randomized store tests
 * (test_store_random.c, test_store_replace.c, test_store_namerep.c,
 * test_store_ckidx.c);
 * header-only, as store_test.h.
 *
 *   rand_seed()      seed from RBL_TEST_SEED (else a fixed seed) and print
 *                    it, so a failing run can be repeated
 *   rnd()            the next 64 random bits (xorshift64)
 *   rnd_below(n)     a number below N (N > 0)
 */
#ifndef RBL_TEST_STORE_RAND_H
#define RBL_TEST_STORE_RAND_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state;

static inline void rand_seed(void)
{
	const char *seed = getenv("RBL_TEST_SEED");

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;	/* xorshift stays at 0 */
	printf("seed %" PRIu64 "\n", rng_state);
}

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static inline unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

#endif
