/*
 * store_huge.c -- a read-only store's map in 2 MiB pages: advising it for
 * huge pages when it is mapped (rbl_huge_advise), and reading in again
 * the 2 MiB regions the page cache holds in small folios
 * (rbl_huge_pass, the work of rbl_store_rehuge).
 *
 * Why: a lookup in a big list reads one random 4 KiB page of hundreds of
 * MB, and with small pages each costs a TLB miss and a page walk; at 100M
 * entries that decides the q/s (doc/performance.md, "100M: huge pages
 * decide").  Pages this process faults in through the MADV_HUGEPAGE map
 * come as 2 MiB folios, but a file a writer just wrote with pwrite sits in
 * the page cache in small ones, and this kernel cannot collapse file pages
 * (MADV_COLLAPSE needs CONFIG_READ_ONLY_THP_FOR_FS).  What works: per 2 MiB
 * region, unmap it here (the emptied page table is freed), drop its pages
 * from the page cache, and fault it in again.  A writer's later pwrite
 * into a 2 MiB folio writes it in place, so a region stays PMD-mapped
 * until something splits its folio (hole punching, store_compact.c) or a
 * region new to the file appears.
 *
 * Everything here is advice: a failed call leaves the map as it was,
 * which is only slower.  This file calls no other store file: store.c
 * holds the transaction that keeps the map in place (rbl_store_rehuge).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zone/store/store_impl.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14; older headers lack it */
#endif
#define HUGE_REGION ((size_t)2 << 20)

/* PAGEMAP_SCAN (Linux 6.7): Debian 12's headers (6.1) lack it, and the
 * ioctl's layout is a kernel ABI, so it is spelled out here. */
struct huge_page_region {
	uint64_t start, end, categories;
};
struct huge_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};
#define HUGE_PAGEMAP_SCAN _IOWR('f', 16, struct huge_scan_arg)
#define HUGE_PAGE_IS_HUGE (1u << 6)

/* The start of the mapping in /proc/self/maps that holds P, if it is LEN
 * bytes long; else 0. */
static uintptr_t mapping_of(uintptr_t p, size_t len)
{
	char line[4096];
	bool at_start = true;
	uintptr_t found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo = 0, hi = 0;
		bool parse = at_start;

		at_start = strchr(line, '\n') != NULL;	/* else a long path */
		if (!parse || sscanf(line, "%lx-%lx", &lo, &hi) != 2 ||
		    p < lo || p >= hi)
			continue;
		if (hi - lo == len)
			found = lo;
		break;
	}
	fclose(f);
	return found;
}

/* The start of ENV's map, found through a value read in TXN, 0 if not
 * found; *INFO gets mdb_env_info.  LMDB gives no map address without
 * MDB_FIXEDMAP, so it is the mapping holding a value, if it is as long as
 * the map. */
static uintptr_t map_start(MDB_env *env, MDB_txn *txn, MDB_envinfo *info)
{
	MDB_dbi main_dbi = 0;
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	uintptr_t p = 0;

	if (mdb_env_info(env, info) || mdb_dbi_open(txn, NULL, 0, &main_dbi) ||
	    mdb_cursor_open(txn, main_dbi, &c))
		return 0;
	if (mdb_cursor_get(c, &k, &v, MDB_FIRST) == 0)
		p = (uintptr_t)v.mv_data;
	mdb_cursor_close(c);
	return p ? mapping_of(p, info->me_mapsize) : 0;
}

void rbl_huge_advise(MDB_env *env, MDB_txn *txn)
{
	MDB_envinfo info = { 0 };
	uintptr_t start = map_start(env, txn, &info);

	if (start)
		(void)madvise((void *)start, info.me_mapsize, MADV_HUGEPAGE);
}

/* Whether the region at A is PMD-mapped whole: 1 yes, 0 no, -1 the
 * kernel cannot tell (no PAGEMAP_SCAN).  PM is /proc/self/pagemap. */
static int region_is_huge(int pm, uintptr_t a)
{
	struct huge_page_region r = { 0 };
	struct huge_scan_arg arg = {
		.size = sizeof arg, .start = a, .end = a + HUGE_REGION,
		.vec = (uintptr_t)&r, .vec_len = 1,
		.category_mask = HUGE_PAGE_IS_HUGE,
		.return_mask = HUGE_PAGE_IS_HUGE,
	};
	int n = ioctl(pm, HUGE_PAGEMAP_SCAN, &arg);

	if (n < 0)
		return -1;
	return n == 1 && r.start == a && r.end == a + HUGE_REGION;
}

/* One 2 MiB region of the map at START, file offset OFF: unmap it (the
 * kernel frees the emptied page table, so the next fault may map a PMD),
 * drop its clean pages from the page cache, and read it in again through
 * the MADV_HUGEPAGE map, which allocates a 2 MiB folio.  Pages another
 * process maps, or dirty ones, stay in the cache, and then the region
 * stays small-paged.  False when a call failed. */
static bool reread_region(int fd, uintptr_t start, size_t off)
{
	void *a = (void *)(start + off);

	if (madvise(a, HUGE_REGION, MADV_DONTNEED) != 0)
		return false;
	(void)posix_fadvise(fd, (off_t)off, (off_t)HUGE_REGION,
			    POSIX_FADV_DONTNEED);
	return madvise(a, HUGE_REGION, MADV_POPULATE_READ) == 0;
}

/* Whether the region at file offset OFF is a hole whole: free pages whose
 * blocks went back to the file system (store_compact.c).  Reading it in
 * would fill the page cache and this process's RSS with zeros no reader
 * looks at. */
static bool region_is_hole(int fd, size_t off)
{
	off_t d = lseek(fd, (off_t)off, SEEK_DATA);

	if (d < 0)
		return errno == ENXIO;	/* no data from OFF to the end */
	return (size_t)d >= off + HUGE_REGION;
}

/* The part of the map to walk: the used pages (as the newest commit
 * says), no further than the file and the map, in whole regions. */
static size_t used_regions(MDB_env *env, const MDB_envinfo *info)
{
	MDB_stat st = { 0 };
	mdb_filehandle_t fd = -1;
	struct stat fs = { 0 };
	size_t used = 0;

	if (mdb_env_stat(env, &st) || mdb_env_get_fd(env, &fd) ||
	    fstat(fd, &fs) != 0 || fs.st_size < 0)
		return 0;
	used = ((size_t)info->me_last_pgno + 1) * st.ms_psize;
	if (used > (size_t)fs.st_size)
		used = (size_t)fs.st_size;
	if (used > info->me_mapsize)
		used = info->me_mapsize;
	return used / HUGE_REGION;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1 = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

void rbl_huge_pass(rbl_store *s, MDB_txn *txn, rbl_rehuge_stats *out)
{
	MDB_envinfo info = { 0 };
	mdb_filehandle_t fd = -1;
	struct timespec t0 = { 0 };
	uintptr_t start = 0;
	size_t n = 0, i = 0;
	int pm = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	start = map_start(s->env, txn, &info);
	/* a map not 2 MiB aligned gets no PMDs */
	if (!start || start % HUGE_REGION || mdb_env_get_fd(s->env, &fd))
		return;
	n = used_regions(s->env, &info);
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	/* with PAGEMAP_SCAN each region is asked whether it is huge; without
	 * it the walk starts past what the previous pass saw, as a pwrite
	 * into a region read in whole keeps it huge */
	out->scan = !s->huge_noscan && pm >= 0 &&
		    region_is_huge(pm, start) >= 0;
	i = out->scan ? 0 : s->huge_seen;
	out->regions = (unsigned)n;
	for (; i < n; i++) {
		size_t off = i * HUGE_REGION;

		if ((out->scan && region_is_huge(pm, start + off) == 1) ||
		    region_is_hole(fd, off))
			continue;
		if (!reread_region(fd, start, off))
			break;
		out->reread++;
		if (out->scan && region_is_huge(pm, start + off) != 1)
			out->small++;
	}
	s->huge_seen = i;
	if (pm >= 0)
		close(pm);
	out->ms = ms_since(&t0);
}
