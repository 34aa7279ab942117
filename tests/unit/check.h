/*
 * check.h -- the smallest unit-test harness that reports where it failed.
 *
 *   CHECK(cond)            records a failure with file:line and the text
 *   CHECK_RC(expr, want)   compares rbl_error codes, printing both texts
 *   CHECK_STR(a, b)        compares C strings
 *   return check_done();   prints "N passed, N failed" and the exit code
 */
#ifndef RBL_TEST_CHECK_H
#define RBL_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "zone/error.h"

static int check_pass_, check_fail_;

#define CHECK(cond) do { \
	if (cond) check_pass_++; \
	else { check_fail_++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_RC(expr, want) do { \
	int check_rc_ = (expr), check_want_ = (want); \
	if (check_rc_ == check_want_) check_pass_++; \
	else { check_fail_++; \
		fprintf(stderr, "%s:%d: %s returned %d (%s), want %d (%s)\n", \
			__FILE__, __LINE__, #expr, check_rc_, \
			rbl_strerror(check_rc_), check_want_, \
			rbl_strerror(check_want_)); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) \
		check_pass_++; \
	else { check_fail_++; \
		fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", \
			__FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)", \
			check_b_ ? check_b_ : "(null)"); } \
} while (0)

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_pass_, check_fail_);
	return check_fail_ ? 1 : 0;
}

#endif
