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
#define GEN_BITS	26		/* record number bits in a key */
#define GEN_SIZE	((size_t)1 << GEN_BITS)
#define MAX_RECORDS4	((uint64_t)64 << GEN_BITS)
#define MAX_STRETCH	8		/* ascending stretches a buffer keeps
					   unsorted; more: it is sorted */

typedef struct v4buf {		/* records being added */
	uint64_t *v;		/* CAP reserved, N used */
	size_t cap, n;
	uint64_t base;		/* the number of its first record */
	uint64_t last;		/* the last key added */
	size_t desc[MAX_STRETCH];	/* where a key is below the last */
	unsigned n_desc;	/* MAX_STRETCH + 1: too many, sort */
} v4buf;

typedef struct v4run {		/* records in key order */
	uint64_t base;		/* their numbers count from this one */
	size_t n;
	uint64_t *v;		/* in memory; NULL: in the spill file */
	uint64_t off;		/* at this byte of the spill file */
	size_t released;	/* records whose pages were given back */
} v4run;

typedef struct v4map {		/* a buffer kept in memory, to unmap */
	uint64_t *v;
	size_t cap;
} v4map;

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
	v4buf cur;
	v4run *runs;
	size_t n_runs, cap_runs;
	v4map *maps;
	size_t n_maps, cap_maps;
	size_t budget;		/* records held in memory at most; 0: all */
	char *spill_dir;	/* NULL: $TMPDIR, else /tmp */
	int spill_fd;		/* -1 until the first run is spilled */
	uint64_t spill_len;
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
/* The same for an IPv4 item of the value R was last filled with: its
 * place only (the entry stays as it is). */
void dsm_fill_place(const dsm_item *it, rbl_ds_record *r);

/* ---- rbldnsd_merge_runs.c ---- */

/* Append the key K of the next record (number M->n4; the caller counts
 * it).  Full buffers are sealed into runs, spilled past the budget. */
int dsm_runs_add(rbl_dsm *m, uint64_t k);
/* Seal what is left: afterwards the runs hold every record. */
int dsm_runs_seal(rbl_dsm *m);
/* Free the buffers and close the spill file. */
void dsm_runs_free(rbl_dsm *m);

/* A walk over the runs merged in key order; ties in file order. */
typedef struct v4cur {
	const uint64_t *v;	/* the window: V[I..N) */
	size_t i, n;
	size_t next;		/* records of the run read into windows */
	uint64_t *buf;		/* a spilled run's window */
} v4cur;

typedef struct v4walk {
	rbl_dsm *m;
	v4cur *c;		/* one per run */
	/* the run records come from while its key stays below BOUND, the
	 * smallest key of the others (at run BOUND_RUN; equal keys go in
	 * run order): sorted stretches are taken without a search */
	size_t run, bound_run;
	uint64_t bound;
	int rc;			/* a read error ends the walk */
} v4walk;

int dsm_walk_start(rbl_dsm *m, v4walk *w);
/* The next record: its key (address << 6 | length) and number. */
bool dsm_walk_next(v4walk *w, uint64_t *key, uint64_t *seq);
/* Give back the pages of records the walk has passed. */
void dsm_walk_release(v4walk *w);
/* End the walk: its error, or RBL_OK. */
int dsm_walk_end(v4walk *w);

/* ---- rbldnsd_merge_v4.c ---- */

/* One more compact IPv4 record R, with value IDX. */
int dsm_v4_add(rbl_dsm *m, const rbl_ds_record *r, uint32_t idx);
/* Sort and resolve the compact records (rbl_dsm_finish). */
int dsm_v4_resolve(rbl_dsm *m);
/* Hand the compact records to FN in key order, R as the buffer. */
int dsm_v4_foreach(rbl_dsm *m, int (*fn)(void *arg, const rbl_ds_record *r),
		   void *arg, rbl_ds_record *r);

#endif
