/*
 * compiler.h -- what the code may ask of the compiler beyond C11.
 *
 * RBL_NOINIT marks a large local on a hot path (a query, a line of an
 * import) that the function fills before it reads it and that is
 * therefore NOT initialised at its definition, against the rule that
 * every struct is (= { 0 }).  The release build zeroes every local the
 * code leaves uninitialised (-ftrivial-auto-var-init=zero, Makefile);
 * RBL_NOINIT exempts the few where that costs a measurable share of the
 * work (doc/performance.md, "Zero-initialised locals").  The sanitizer
 * and fuzz builds (which define RBL_SAN) fill every uninitialised local,
 * these included, with a pattern, so a read before the fill still fails
 * the tests there.  Use it only with a comment saying what fills the
 * variable.
 *
 * RBL_PREFETCH(p) asks for the cache line at P ahead of its use, so that
 * several misses overlap instead of following one another; a hint only
 * (nothing where the compiler has no such builtin).  A function whose
 * only effect is prefetching must be RBL_ALWAYS_INLINE: GCC (12, -O1 and
 * up) otherwise finds it has no side effect, marks it const and deletes
 * every call to it, prefetches and all (store_ckidx.c's did this, and no
 * prefetch instruction was in the build; tests/build/prefetch.test now
 * looks for them).
 *
 * RBL_NOINLINE keeps a rare path (a write transaction's reads, a lookup
 * past the IPv4 summary) out of the function that tests for it, so that
 * the common path there does not save the registers the rare one needs
 * (doc/performance.md, "a cheaper full lookup").
 */
#ifndef RBL_COMPILER_H
#define RBL_COMPILER_H

#if !defined(RBL_SAN) && defined(__has_attribute)
#if __has_attribute(uninitialized)
#define RBL_NOINIT __attribute__((uninitialized))
#endif
#endif
#ifndef RBL_NOINIT
#define RBL_NOINIT
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RBL_PREFETCH(p) __builtin_prefetch(p)
#define RBL_ALWAYS_INLINE inline __attribute__((always_inline))
#define RBL_NOINLINE __attribute__((noinline))
#else
#define RBL_PREFETCH(p) ((void)(p))
#define RBL_ALWAYS_INLINE inline
#define RBL_NOINLINE
#endif

#endif
