/*
 * rbldnsd_merge_runs.c -- where the merger's compact IPv4 records live
 * (the model is at the top of rbldnsd_merge.c): a buffer being filled,
 * sealed into runs of records in key order, kept in memory or, past the
 * memory budget, spilled to an unnamed temporary file; and the walks that
 * merge the runs.
 *
 * Sealing a buffer sorts it only when it has to: records that come in
 * ascending stretches (a sorted file, or one sorted per prefix length, as
 * list generators write them) are left where they are, each stretch a run
 * of its own, up to MAX_STRETCH of them; otherwise the buffer is sorted in
 * place by radix, one run.
 *
 * With a budget (rbl_dsm_spill), a buffer holds that many records at
 * most; a full one is sealed and its runs written to the spill file, and
 * the buffer is reused, so memory stays at the budget whatever the size
 * of the input (an external merge sort: the walks merge the runs, reading
 * each spilled run through a small window).  Once anything was spilled,
 * the last buffer is spilled too and given back, leaving the memory to
 * the store's pages being written.  The file is unnamed (O_TMPFILE, or
 * unlinked as soon as it is made): it disappears when it is closed or the
 * process ends, however it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zone/array.h"
#include "zone/compiler.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_merge_impl.h"

#define WINDOW	8192		/* records read at a time from a spilled run */

/* ---- sorting ---- */

/* Sort V[0..N) in place by its bytes from SHIFT down (MSD radix). */
static void sort_u64(uint64_t *v, size_t n, int shift)
{
	size_t count[256] = { 0 }, at = 0;
	/* per bucket of the sort: both written before they are read */
	RBL_NOINIT size_t next[256], end[256];

	if (n < 48) {
		for (size_t i = 1; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;

			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		count[(v[i] >> shift) & 255]++;
	for (unsigned b = 0; b < 256; b++) {
		next[b] = at;
		at += count[b];
		end[b] = at;
	}
	for (unsigned b = 0; b < 256; b++)
		while (next[b] < end[b]) {
			uint64_t x = v[next[b]];
			unsigned d = (unsigned)(x >> shift) & 255;

			while (d != b) {	/* carry X to its bucket */
				uint64_t y = v[next[d]];

				v[next[d]++] = x;
				x = y;
				d = (unsigned)(x >> shift) & 255;
			}
			v[next[b]++] = x;
		}
	if (shift == 0)
		return;
	for (unsigned b = 0; b < 256; b++)
		if (count[b] > 1)
			sort_u64(v + end[b] - count[b], count[b], shift - 8);
}

/* ---- the spill file ---- */

static int spill_open(rbl_dsm *m)
{
	const char *dirs[3] = { m->spill_dir, getenv("TMPDIR"), "/tmp" };

	for (unsigned i = 0; i < 3 && m->spill_fd < 0; i++) {
		char path[4096] = { 0 };
		int fd = -1;

		if (!dirs[i] || !*dirs[i])
			continue;
		fd = open(dirs[i], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR ||
			       errno == EINVAL) &&
		    snprintf(path, sizeof path, "%s/.rbl-sort-XXXXXX",
			     dirs[i]) < (int)sizeof path) {
			fd = mkstemp(path);
			if (fd >= 0)
				unlink(path);
		}
		m->spill_fd = fd;
	}
	return m->spill_fd >= 0 ? RBL_OK : RBL_EIO;
}

/* Write V[0..N) at the end of the spill file. */
static int spill_write(rbl_dsm *m, const uint64_t *v, size_t n)
{
	const char *p = (const char *)v;
	size_t left = n * sizeof *v;

	if (m->spill_fd < 0 && spill_open(m) != RBL_OK)
		return RBL_EIO;
	while (left) {
		ssize_t got = pwrite(m->spill_fd, p, left,
				     (off_t)m->spill_len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return RBL_EIO;
		p += got;
		left -= (size_t)got;
		m->spill_len += (uint64_t)got;
	}
	return RBL_OK;
}

/* ---- buffers and runs ---- */

static int buf_map(rbl_dsm *m)
{
	size_t cap = m->budget && m->budget < GEN_SIZE ? m->budget : GEN_SIZE;
	void *p = mmap(NULL, cap * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return RBL_ENOMEM;
	/* fewer page faults while it fills; a hint only */
	(void)madvise(p, cap * sizeof(uint64_t), MADV_HUGEPAGE);
	m->cur.v = p;
	m->cur.cap = cap;
	m->cur.n = 0;
	m->cur.n_desc = 0;
	m->cur.base = m->n4;
	return RBL_OK;
}

static int add_run(rbl_dsm *m, uint64_t *v, size_t n, bool spill)
{
	v4run *r;
	int rc = rbl_array_reserve(m->runs, m->cap_runs, m->n_runs + 1, 16);

	if (rc != RBL_OK)
		return rc;
	r = &m->runs[m->n_runs];
	memset(r, 0, sizeof *r);
	r->base = m->cur.base;
	r->n = n;
	r->off = m->spill_len;
	r->v = spill ? NULL : v;
	if (spill && (rc = spill_write(m, v, n)) != RBL_OK)
		return rc;
	m->n_runs++;
	return RBL_OK;
}

/* Seal the buffer into runs; LAST: no record comes after. */
static int seal(rbl_dsm *m, bool last)
{
	v4buf *b = &m->cur;
	bool spill = m->budget && (!last || m->spill_fd >= 0);
	size_t from = 0;
	int rc = RBL_OK;

	if (!b->v)
		return RBL_OK;
	if (b->n_desc > MAX_STRETCH) {
		sort_u64(b->v, b->n, 56);
		b->n_desc = 0;
	}
	for (unsigned i = 0; i <= b->n_desc && rc == RBL_OK; i++) {
		size_t to = i < b->n_desc ? b->desc[i] : b->n;

		if (to > from)
			rc = add_run(m, b->v + from, to - from, spill);
		from = to;
	}
	if (rc != RBL_OK)
		return rc;
	if (spill && !last) {		/* the buffer is used again */
		b->n = 0;
		b->n_desc = 0;
		b->base = m->n4;
		return RBL_OK;
	}
	if (spill)
		munmap(b->v, b->cap * sizeof(uint64_t));
	else if ((rc = rbl_array_reserve(m->maps, m->cap_maps, m->n_maps + 1,
					 8)) != RBL_OK)
		return rc;
	else
		m->maps[m->n_maps++] = (v4map){ b->v, b->cap };
	b->v = NULL;
	b->n = b->cap = 0;
	return RBL_OK;
}

int dsm_runs_add(rbl_dsm *m, uint64_t k)
{
	v4buf *b = &m->cur;
	int rc = 0;

	if (b->v && b->n == b->cap && (rc = seal(m, false)) != RBL_OK)
		return rc;
	if (!b->v && (rc = buf_map(m)) != RBL_OK)
		return rc;
	k |= m->n4 - b->base;
	if (b->n && k < b->last && b->n_desc <= MAX_STRETCH) {
		if (b->n_desc < MAX_STRETCH)
			b->desc[b->n_desc] = b->n;
		b->n_desc++;
	}
	b->v[b->n++] = k;
	b->last = k;
	return RBL_OK;
}

int dsm_runs_seal(rbl_dsm *m)
{
	return seal(m, true);
}

void dsm_runs_free(rbl_dsm *m)
{
	if (m->cur.v)
		munmap(m->cur.v, m->cur.cap * sizeof(uint64_t));
	for (size_t i = 0; i < m->n_maps; i++)
		munmap(m->maps[i].v, m->maps[i].cap * sizeof(uint64_t));
	free(m->maps);
	free(m->runs);
	free(m->spill_dir);
	if (m->spill_fd >= 0)
		close(m->spill_fd);
}

/* ---- walks ---- */

/* The next window of run R into C; false at the run's end or on an
 * error (then W->rc is set). */
static bool refill(v4walk *w, const v4run *r, v4cur *c)
{
	size_t n = r->n - c->next;

	c->i = c->n = 0;
	if (n == 0)
		return false;
	if (r->v) {
		c->v = r->v;
		c->i = c->next;
		c->n = r->n;
		c->next = r->n;
		return true;
	}
	if (n > WINDOW)
		n = WINDOW;
	for (size_t done = 0; done < n * sizeof(uint64_t);) {
		ssize_t got = pread(w->m->spill_fd, (char *)c->buf + done,
				    n * sizeof(uint64_t) - done,
				    (off_t)(r->off + c->next * sizeof(uint64_t)
					    + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			w->rc = RBL_EIO;
			return false;
		}
		done += (size_t)got;
	}
	c->v = c->buf;
	c->n = n;
	c->next += n;
	return true;
}

/* Choose the run the next records come from, and its bound. */
static void pick(v4walk *w)
{
	const rbl_dsm *m = w->m;
	uint64_t bk = UINT64_MAX;

	w->run = w->bound_run = SIZE_MAX;
	w->bound = UINT64_MAX;
	for (size_t i = 0; i < m->n_runs; i++) {
		uint64_t k = 0;

		if (w->c[i].i == w->c[i].n)
			continue;
		k = w->c[i].v[w->c[i].i] >> GEN_BITS;
		if (w->run == SIZE_MAX || k < bk) {
			w->bound = bk;
			w->bound_run = w->run;
			w->run = i;
			bk = k;
		} else if (k < w->bound) {
			w->bound = k;
			w->bound_run = i;
		}
	}
}

int dsm_walk_start(rbl_dsm *m, v4walk *w)
{
	memset(w, 0, sizeof *w);
	w->m = m;
	w->run = SIZE_MAX;
	if (!m->n_runs)
		return RBL_OK;
	if (!(w->c = calloc(m->n_runs, sizeof *w->c)))
		return RBL_ENOMEM;
	for (size_t i = 0; i < m->n_runs; i++) {
		if (!m->runs[i].v &&
		    !(w->c[i].buf = malloc(WINDOW * sizeof(uint64_t)))) {
			dsm_walk_end(w);
			return RBL_ENOMEM;
		}
		refill(w, &m->runs[i], &w->c[i]);
	}
	if (w->rc != RBL_OK)
		return dsm_walk_end(w);
	pick(w);
	return RBL_OK;
}

bool dsm_walk_next(v4walk *w, uint64_t *key, uint64_t *seq)
{
	v4cur *c;
	uint64_t k = 0;

	if (w->run == SIZE_MAX || w->rc != RBL_OK)
		return false;
	c = &w->c[w->run];
	*key = c->v[c->i] >> GEN_BITS;
	*seq = w->m->runs[w->run].base + (c->v[c->i++] & (GEN_SIZE - 1));
	if (c->i == c->n && !refill(w, &w->m->runs[w->run], c)) {
		pick(w);
		return w->rc == RBL_OK;
	}
	k = c->v[c->i] >> GEN_BITS;
	if (k > w->bound || (k == w->bound && w->run > w->bound_run))
		pick(w);
	return true;
}

void dsm_walk_release(v4walk *w)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t ps = (uintptr_t)(page > 0 ? page : 4096);

	for (size_t i = 0; i < w->m->n_runs; i++) {
		v4run *r = &w->m->runs[i];
		size_t pos = w->c[i].n ? w->c[i].i : r->n;
		/* only pages wholly inside the run's records passed: a page
		 * it shares with the next run is not its own to give */
		uintptr_t lo = ((uintptr_t)(r->v + r->released) + ps - 1) /
			       ps * ps,
			  hi = (uintptr_t)(r->v + pos) / ps * ps;

		if (!r->v || pos < r->released + ((size_t)1 << 17) || hi <= lo)
			continue;
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
		r->released = (size_t)((const uint64_t *)hi - r->v);
	}
}

int dsm_walk_end(v4walk *w)
{
	if (w->c)
		for (size_t i = 0; i < w->m->n_runs; i++)
			free(w->c[i].buf);
	free(w->c);
	w->c = NULL;
	return w->rc;
}
