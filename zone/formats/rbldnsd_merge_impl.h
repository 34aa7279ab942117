/*
 * rbldnsd_merge_impl.h -- the merger's parts and the state they share
 * (the merger's contract is rbldnsd_merge.h).  Private to
 * zone/formats/rbldnsd_merge*.c.
 *
 * The parts, each using only the ones listed before it:
 *   rbldnsd_merge_val.c  values: interned once in a hash table, texts and
 *                        names in one arena; merging two values the way
 *                        rbldnsd answers both; warnings; a record out
 *   rbldnsd_merge_v4.c   the compact IPv4 records (8 bytes each, see
 *                        rbldnsd_merge.c): adding, sorting, resolving,
 *                        walking them out
 *   rbldnsd_merge.c      the entry points and the other records (names,
 *                        IPv6, the first-wins tries' items)
 */
#ifndef RBL_RBLDNSD_MERGE_IMPL_H
#define RBL_RBLDNSD_MERGE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/formats/rbldnsd_merge.h"

#define DSM_MAX_WARNINGS 20

enum { KIND_IP = 0, KIND_EXACT = 1, KIND_SUBS = 2 };

typedef struct dsm_val {
	uint32_t codes[RBL_MAX_CODES];
	uint8_t n_codes;
	uint8_t excl;
	uint16_t txt_len;
	uint32_t txt_off;
	uint32_t hash;
	int64_t expires;
} dsm_val;

typedef struct dsm_item {
	rbl_prefix prefix;
	uint8_t kind;		/* KIND_*; EXACT|SUBS after combining */
	uint8_t dead;
	uint32_t name_off;
	uint32_t val;
	uint32_t seq;
	uint32_t line;
	const char *file;
} dsm_item;

/* The compact IPv4 records (rbldnsd_merge.c has the model). */
#define GEN_BITS	26
#define GEN_SIZE	((size_t)1 << GEN_BITS)
#define MAX_GENS	64

typedef struct v4gen {
	uint64_t *v;		/* GEN_SIZE reserved, N used */
	size_t n, released;	/* records given back (whole pages) */
} v4gen;

typedef struct vrun {		/* from record START on, value VAL */
	uint64_t start;
	uint32_t val;
} vrun;

typedef struct lrun {		/* record START is on LINE of FILE, and
				   each one after on the next line */
	uint64_t start;
	uint32_t line;
	const char *file;
} lrun;

typedef struct vexc {		/* a record whose resolved value is VAL */
	uint64_t seq;
	uint32_t val;
} vexc;

struct rbl_dsm {
	int type;
	void (*warn)(void *arg, const char *text);
	void *arg;
	dsm_item *items;
	size_t n, cap;
	dsm_val *vals;
	size_t n_vals, cap_vals;
	uint32_t *slots;	/* value index + 1; 0 = empty */
	size_t n_slots;
	char *text;
	size_t text_len, text_cap;
	unsigned warnings;
	size_t adjusted;
	bool finished;
	/* compact IPv4 records */
	v4gen gens[MAX_GENS];
	unsigned n_gens;
	uint64_t n4, count4;
	vrun *vruns;
	size_t n_vruns, cap_vruns;
	lrun *lruns;
	size_t n_lruns, cap_lruns;
	vexc *exc;
	size_t n_exc, cap_exc;
	bool release;		/* the next walk gives memory back */
	/* the last value interned by rbl_dsm_add */
	bool last_ok;
	dsm_val last_v;
	char last_txt[RBL_TXT_MAX + 1];
	uint32_t last_idx;
};

/* The octet level an IPv4 prefix of LEN bits is kept at in ip4set. */
static inline unsigned dsm_level4(unsigned len)
{
	return len == 0 ? 8 : (len + 7) / 8 * 8;
}

/* ---- rbldnsd_merge_val.c ---- */

/* A warning about the record IT (at most DSM_MAX_WARNINGS are said). */
void dsm_warn(rbl_dsm *m, const dsm_item *it, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* S (LEN bytes, possibly already in the arena) into the arena; *OFF. */
int dsm_store_text(rbl_dsm *m, const char *s, size_t len, uint32_t *off);
/* Intern V (its txt_off unused) with text TXT; *IDX gets its index. */
int dsm_intern(rbl_dsm *m, dsm_val *v, const char *txt, uint32_t *idx);
/* IT's prefix or name as text, for messages. */
void dsm_describe(const rbl_dsm *m, const dsm_item *it, char *buf,
		  size_t len);
/* The value answered where values A and B both apply (at IT): *OUT. */
int dsm_merge_vals(rbl_dsm *m, const dsm_item *at, uint32_t a, uint32_t b,
		   uint32_t *out);
/* IT as the record handed out. */
void dsm_fill_record(const rbl_dsm *m, const dsm_item *it,
		     rbl_ds_record *r);

/* ---- rbldnsd_merge_v4.c ---- */

/* One more compact IPv4 record R, with value IDX. */
int dsm_v4_add(rbl_dsm *m, const rbl_ds_record *r, uint32_t idx);
/* Sort and resolve the compact records (rbl_dsm_finish). */
int dsm_v4_resolve(rbl_dsm *m);
/* Hand the compact records to FN in key order, R as the buffer. */
int dsm_v4_foreach(rbl_dsm *m, int (*fn)(void *arg, const rbl_ds_record *r),
		   void *arg, rbl_ds_record *r);

#endif
