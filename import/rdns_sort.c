/*
 * rdns_sort.c -- external merge sort of "address<TAB>ptr" records.
 *
 * A record in memory and in run files: family (1), address (16), sequence
 * number (8, input order, so equal addresses keep it), name length (1),
 * name.  The buffer holds records back to back plus an array of their
 * offsets; the offsets are sorted, the records written out in that order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zone/array.h"
#include "zone/error.h"
#include "rdns_classify.h"
#include "rdns_sort.h"

#define HDR	26		/* family, address, sequence, length */
#define REC_MAX	(HDR + 255)

typedef struct sorter {
	const rbl_rdns_sort_opts *o;
	uint8_t *buf;
	size_t used, cap;
	uint32_t *offs;		/* record offsets in BUF */
	size_t n, cap_offs;
	FILE **runs;
	size_t nruns, cap_runs;
	uint64_t seq;
} sorter;

/* A run being merged: its file and current record. */
typedef struct cursor {
	FILE *f;
	uint8_t rec[REC_MAX];
	bool live;
} cursor;

static int rec_cmp(const uint8_t *a, const uint8_t *b)
{
	int c = memcmp(a, b, 17);	/* family 4 < 6, then the address */
	return c ? c : memcmp(a + 17, b + 17, 8);	/* sequence */
}

static void put_rec(uint8_t *p, const rbl_addr *a, uint64_t seq,
		    const char *name, size_t len)
{
	p[0] = a->family;
	memcpy(p + 1, a->bytes, 16);
	for (int i = 0; i < 8; i++)
		p[24 - i] = (uint8_t)(seq >> (8 * i));	/* big-endian */
	p[25] = (uint8_t)len;
	memcpy(p + HDR, name, len);
}

static size_t rec_len(const uint8_t *p)
{
	return HDR + p[25];
}

static int hand_on(const uint8_t *p, rbl_rdns_sorted_fn fn, void *arg)
{
	rbl_addr a = { 0 };
	char name[256];
	memset(&a, 0, sizeof(a));
	a.family = p[0];
	memcpy(a.bytes, p + 1, 16);
	memcpy(name, p + HDR, p[25]);
	name[p[25]] = '\0';
	return fn(arg, &a, name);
}

/* ------------------------------------------------------------- runs */

static FILE *temp_file(const sorter *s)
{
	const char *dir = s->o->tmpdir ? s->o->tmpdir : getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/rbl-rdns-sort-XXXXXX",
		 dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);	/* gone with the process, whatever happens */
	FILE *f = fdopen(fd, "w+b");
	if (!f)
		close(fd);
	return f;
}

static int add_run(sorter *s, FILE *f)
{
	if (rbl_array_reserve(s->runs, s->cap_runs, s->nruns + 1, 16) != RBL_OK)
		return RBL_ENOMEM;
	s->runs[s->nruns++] = f;
	return RBL_OK;
}

static int off_cmp(const void *a, const void *b, void *buf)
{
	const uint8_t *base = buf;
	return rec_cmp(base + *(const uint32_t *)a, base + *(const uint32_t *)b);
}

static void sort_memory(sorter *s)
{
	if (s->n > 1)
		qsort_r(s->offs, s->n, sizeof(*s->offs), off_cmp, s->buf);
}

/* Sort the buffer and write it out as a run. */
static int spill(sorter *s)
{
	FILE *f = temp_file(s);
	if (!f) {
		fprintf(stderr, "rdns sort: temporary file: %s\n",
			strerror(errno));
		return RBL_EIO;
	}
	sort_memory(s);
	for (size_t i = 0; i < s->n; i++) {
		const uint8_t *p = s->buf + s->offs[i];
		fwrite(p, 1, rec_len(p), f);
	}
	if (fflush(f) != 0 || ferror(f) || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "rdns sort: writing a temporary file: %s\n",
			strerror(errno));
		fclose(f);
		return RBL_EIO;
	}
	s->used = s->n = 0;
	int rc = add_run(s, f);
	if (rc != RBL_OK)
		fclose(f);
	return rc;
}

/* ------------------------------------------------------------ input */

static int keep(sorter *s, const rbl_addr *a, const char *name)
{
	size_t len = strlen(name);
	if (len > 255)
		len = 255;	/* longer than any host name: kept, cut */
	if (s->used + HDR + len > s->cap) {
		int rc = spill(s);
		if (rc != RBL_OK)
			return rc;
	}
	if (rbl_array_reserve(s->offs, s->cap_offs, s->n + 1, 4096) != RBL_OK)
		return RBL_ENOMEM;
	s->offs[s->n++] = (uint32_t)s->used;
	put_rec(s->buf + s->used, a, s->seq++, name, len);
	s->used += HDR + len;
	return RBL_OK;
}

static int read_input(sorter *s, FILE *in, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int rc = RBL_OK;
	while (rc == RBL_OK && getline(&line, &cap, in) >= 0) {
		rbl_addr a = { 0 };
		char *ptr = NULL;
		lineno++;
		int prc = rbl_rdns_parse_line(line, &a, &ptr);
		if (prc == RBL_ENOTFOUND)
			continue;
		if (prc != RBL_OK) {
			fprintf(stderr, "%s:%lu: expected \"address<TAB>ptr\"\n",
				name, lineno);
			rc = s->o->skip_bad ? RBL_OK : RBL_ESYNTAX;
			continue;
		}
		rc = keep(s, &a, ptr);
	}
	if (rc == RBL_OK && ferror(in)) {
		fprintf(stderr, "%s: read error\n", name);
		rc = RBL_EIO;
	}
	free(line);
	return rc;
}

/* ------------------------------------------------------------ merge */

static bool next_rec(cursor *c)
{
	c->live = fread(c->rec, 1, HDR, c->f) == HDR &&
		  fread(c->rec + HDR, 1, c->rec[25], c->f) == c->rec[25];
	return c->live;
}

/* The live cursor with the smallest record, or NULL. */
static cursor *smallest(cursor *c, size_t n)
{
	cursor *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (c[i].live && (!best || rec_cmp(c[i].rec, best->rec) < 0))
			best = &c[i];
	return best;
}

typedef int (*rec_sink)(void *arg, const uint8_t *rec);

/* Merge runs [FIRST, FIRST+N) into SINK. */
static int merge(sorter *s, size_t first, size_t n, rec_sink sink, void *arg)
{
	cursor *c = calloc(n, sizeof(*c));
	if (!c)
		return RBL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		c[i].f = s->runs[first + i];
		next_rec(&c[i]);
	}
	int rc = RBL_OK;
	cursor *m;
	while (rc == RBL_OK && (m = smallest(c, n)) != NULL) {
		rc = sink(arg, m->rec);
		next_rec(m);
	}
	for (size_t i = 0; i < n; i++)
		if (ferror(c[i].f) && rc == RBL_OK)
			rc = RBL_EIO;
	free(c);
	return rc;
}

static int sink_file(void *arg, const uint8_t *rec)
{
	return fwrite(rec, 1, rec_len(rec), arg) == rec_len(rec) ? RBL_OK :
	       RBL_EIO;
}

typedef struct sink_fn_arg {
	rbl_rdns_sorted_fn fn;
	void *arg;
} sink_fn_arg;

static int sink_fn(void *arg, const uint8_t *rec)
{
	sink_fn_arg *a = arg;
	return hand_on(rec, a->fn, a->arg);
}

static void close_runs(sorter *s, size_t first, size_t n)
{
	for (size_t i = first; i < first + n; i++)
		fclose(s->runs[i]);
}

/* Merge groups of FANIN runs into new runs until FANIN or fewer remain. */
static int reduce_runs(sorter *s)
{
	while (s->nruns > RBL_RDNS_SORT_FANIN) {
		size_t n = RBL_RDNS_SORT_FANIN;
		FILE *f = temp_file(s);
		int rc = f ? merge(s, 0, n, sink_file, f) : RBL_EIO;
		if (rc == RBL_OK && (fflush(f) != 0 ||
				     fseek(f, 0, SEEK_SET) != 0))
			rc = RBL_EIO;
		close_runs(s, 0, n);
		memmove(s->runs, s->runs + n, (s->nruns - n) * sizeof(FILE *));
		s->nruns -= n;
		if (rc == RBL_OK)
			rc = add_run(s, f);
		if (rc != RBL_OK) {
			if (f)
				fclose(f);
			fprintf(stderr, "rdns sort: merging temporary files "
				"failed\n");
			return rc;
		}
	}
	return RBL_OK;
}

static int output(sorter *s, rbl_rdns_sorted_fn fn, void *arg)
{
	if (s->nruns == 0) {	/* everything fit in memory */
		sort_memory(s);
		for (size_t i = 0; i < s->n; i++) {
			int rc = hand_on(s->buf + s->offs[i], fn, arg);
			if (rc != 0)
				return rc;
		}
		return RBL_OK;
	}
	int rc = s->n ? spill(s) : RBL_OK;
	if (rc == RBL_OK)
		rc = reduce_runs(s);
	sink_fn_arg a = { fn, arg };
	if (rc == RBL_OK)
		rc = merge(s, 0, s->nruns, sink_fn, &a);
	return rc;
}

int rbl_rdns_sort(FILE *in, const char *name, const rbl_rdns_sort_opts *o,
		  rbl_rdns_sorted_fn fn, void *arg, uint64_t *lines)
{
	sorter s = { 0 };
	if (o->mem < RBL_RDNS_SORT_MIN_MEM || o->mem > UINT32_MAX)
		return RBL_EINVAL;
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.cap = o->mem;
	s.buf = malloc(s.cap);
	int rc = s.buf ? read_input(&s, in, name) : RBL_ENOMEM;
	if (lines)
		*lines = s.seq;
	if (rc == RBL_OK)
		rc = output(&s, fn, arg);
	close_runs(&s, 0, s.nruns);
	free(s.runs);
	free(s.offs);
	free(s.buf);
	return rc;
}
