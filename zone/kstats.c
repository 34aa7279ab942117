/*
 * kstats.c -- per-key and per-zone counters (see kstats.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/kstats.h"

struct rbl_kstats {
	void *map;
	size_t size;
	char *path;		/* NULL for private memory */
	rbl_kstats_header *hdr;
	rbl_kstats_area *areas;
};

_Static_assert(sizeof(rbl_kstats_ent) == 64, "an entry is one line");
_Static_assert(sizeof(rbl_kstats_header) == 64, "header is one line");
_Static_assert(sizeof(rbl_kstats_hit) == 64, "a hit is one line");
_Static_assert((RBL_KSTATS_HITS & (RBL_KSTATS_HITS - 1)) == 0,
	       "hits: a power of two");

#define HIT_PROBES	4

void rbl_kstats_path(const char *stats_path, char *out, size_t size)
{
	size_t n = strlen(stats_path);

	if (n >= 6 && strcmp(stats_path + n - 6, ".stats") == 0)
		n -= 6;
	snprintf(out, size, "%.*s.keystats", (int)n, stats_path);
}

static size_t map_size(unsigned n)
{
	return sizeof(rbl_kstats_header) + (size_t)n * sizeof(rbl_kstats_area);
}

static void header_init(rbl_kstats_header *h, unsigned n)
{
	memset(h, 0, sizeof *h);
	h->magic = RBL_KSTATS_MAGIC;
	h->version = RBL_KSTATS_VERSION;
	h->n_areas = n;
	h->area_size = sizeof(rbl_kstats_area);
	h->pid = (uint32_t)getpid();
	h->start_time = (int64_t)time(NULL);
}

static int file_map(const char *tmp, size_t size, unsigned n, void **map)
{
	rbl_kstats_header h = { 0 };
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return RBL_EIO;
	header_init(&h, n);
	if (ftruncate(fd, (off_t)size) != 0 ||
	    pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		close(fd);
		return RBL_EIO;
	}
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return *map == MAP_FAILED ? RBL_EIO : RBL_OK;
}

static int file_create(rbl_kstats *ks, const char *path, unsigned n)
{
	char tmp[4096];
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return RBL_EINVAL;
	rc = file_map(tmp, ks->size, n, &ks->map);
	if (rc == RBL_OK && rename(tmp, path) != 0) {
		munmap(ks->map, ks->size);
		rc = RBL_EIO;
	}
	if (rc != RBL_OK) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		return rc;
	}
	ks->path = strdup(path);
	return ks->path ? RBL_OK : RBL_ENOMEM;
}

int rbl_kstats_create(const char *path, unsigned n, rbl_kstats **out)
{
	rbl_kstats *ks;
	int rc = RBL_OK;

	if (n == 0 || n > RBL_KSTATS_MAX_AREAS)
		return RBL_EINVAL;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return RBL_ENOMEM;
	ks->size = map_size(n);
	if (path) {
		rc = file_create(ks, path, n);
	} else {
		ks->map = mmap(NULL, ks->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ks->map == MAP_FAILED)
			rc = RBL_ENOMEM;
		else
			header_init(ks->map, n);
	}
	if (rc != RBL_OK) {
		free(ks);
		return rc;
	}
	ks->hdr = ks->map;
	ks->areas = (rbl_kstats_area *)((char *)ks->map + sizeof(*ks->hdr));
	*out = ks;
	return RBL_OK;
}

unsigned rbl_kstats_n_areas(const rbl_kstats *ks)
{
	return ks ? ks->hdr->n_areas : 0;
}

rbl_kstats_area *rbl_kstats_area_get(rbl_kstats *ks, unsigned i)
{
	return i < ks->hdr->n_areas ? &ks->areas[i] : NULL;
}

void rbl_kstats_close(rbl_kstats *ks, int unlink_file)
{
	if (!ks)
		return;
	munmap(ks->map, ks->size);
	if (ks->path && unlink_file)
		unlink(ks->path);
	free(ks->path);
	free(ks);
}

uint64_t rbl_kstats_day_others(const rbl_kstats *ks, unsigned slot,
			       uint32_t number, uint32_t day,
			       const rbl_kstats_area *skip)
{
	uint64_t n = 0;

	if (!ks || slot >= RBL_KSTATS_KEYS)
		return 0;
	for (uint32_t i = 0; i < ks->hdr->n_areas; i++) {
		const rbl_kstats_ent *e = &ks->areas[i].keys[slot];

		if (&ks->areas[i] != skip && e->id == number && e->day == day)
			n += e->day_queries;
	}
	return n;
}

/* Add SRC into DST; an entry of another id goes to OTHER. */
static void ent_add(rbl_kstats_ent *dst, const rbl_kstats_ent *src,
		    rbl_kstats_ent *other)
{
	if (src->id == 0 && src->queries == 0)
		return;
	if (dst->id == 0)
		dst->id = src->id;
	else if (src->id != dst->id && other)
		dst = other;
	dst->queries += src->queries;
	dst->listed += src->listed;
	dst->refused += src->refused;
	if (src->day > dst->day) {
		dst->day = src->day;
		dst->day_queries = src->day_queries;
	} else if (src->day == dst->day) {
		dst->day_queries += src->day_queries;
	}
	if (src->last_used > dst->last_used)
		dst->last_used = src->last_used;
}

static void area_add(rbl_kstats_area *sum, const rbl_kstats_area *a)
{
	for (unsigned i = 0; i < RBL_KSTATS_KEYS; i++)
		ent_add(&sum->keys[i], &a->keys[i], &sum->key_other);
	ent_add(&sum->key_other, &a->key_other, NULL);
	ent_add(&sum->key_unknown, &a->key_unknown, NULL);
	for (unsigned i = 0; i < RBL_KSTATS_ZONES; i++)
		ent_add(&sum->zones[i], &a->zones[i], &sum->zone_other);
	ent_add(&sum->zone_other, &a->zone_other, NULL);
}

void rbl_kstats_sum(const rbl_kstats_area *areas, unsigned n,
		    rbl_kstats_area *sum)
{
	memset(sum, 0, sizeof *sum);
	for (unsigned i = 0; i < n; i++)
		area_add(sum, &areas[i]);
}

static int header_valid(const rbl_kstats_header *h, size_t file_size)
{
	return h->magic == RBL_KSTATS_MAGIC &&
	       h->version == RBL_KSTATS_VERSION &&
	       h->area_size == sizeof(rbl_kstats_area) &&
	       h->n_areas > 0 && h->n_areas <= RBL_KSTATS_MAX_AREAS &&
	       map_size(h->n_areas) <= file_size;
}

int rbl_kstats_read(const char *path, rbl_kstats_header *hdr,
		    rbl_kstats_area *sum)
{
	struct stat st = { 0 };
	const char *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = RBL_OK;

	memset(sum, 0, sizeof *sum);
	if (fd < 0)
		return errno == ENOENT ? RBL_ENOTFOUND : RBL_EIO;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(*hdr)) {
		close(fd);
		return RBL_EVERSION;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return RBL_EIO;
	memcpy(hdr, map, sizeof(*hdr));
	if (!header_valid(hdr, (size_t)st.st_size))
		rc = RBL_EVERSION;
	for (uint32_t i = 0; rc == RBL_OK && i < hdr->n_areas; i++)
		area_add(sum, (const rbl_kstats_area *)(map + sizeof(*hdr)) + i);
	munmap((void *)map, (size_t)st.st_size);
	return rc;
}

/* ---- listed subjects ---- */

uint64_t rbl_kstats_hit_key(uint32_t list_id, const char *subject)
{
	/* Eight bytes at a time (readers compute the same): this runs for
	 * every listed answer. */
	size_t n = strlen(subject);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ list_id ^ ((uint64_t)n << 32);

	for (; n >= 8; n -= 8, subject += 8) {
		uint64_t w;

		memcpy(&w, subject, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	if (n) {
		uint64_t w = 0;

		memcpy(&w, subject, n);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	h ^= h >> 29;
	return h ? h : 1;
}

/* Make H's ring start at DAY: days skipped since its last count are 0. */
static void hit_roll(rbl_kstats_hit *h, uint32_t day)
{
	if (day <= h->day)
		return;
	for (uint32_t d = h->day + 1, k = 0; d <= day &&
	     k < RBL_KSTATS_HIT_DAYS; d++, k++)
		h->count[d % RBL_KSTATS_HIT_DAYS] = 0;
	h->day = day;
}

void rbl_kstats_hit_count(rbl_kstats_area *a, uint32_t list_id,
			  const char *subject, uint32_t day)
{
	uint64_t key = rbl_kstats_hit_key(list_id, subject);
	size_t at = (size_t)key & (RBL_KSTATS_HITS - 1);
	rbl_kstats_hit *h = NULL, *victim = NULL;

	for (unsigned i = 0; i < HIT_PROBES && !h; i++) {
		rbl_kstats_hit *c = &a->hits[(at + i) & (RBL_KSTATS_HITS - 1)];

		if (c->key == key)
			h = c;
	}
	for (unsigned i = 0; i < HIT_PROBES && !h; i++) {	/* a new one */
		rbl_kstats_hit *c = &a->hits[(at + i) & (RBL_KSTATS_HITS - 1)];

		if (!victim || c->key == 0 || (victim->key && c->day < victim->day))
			victim = c;
	}
	if (!h) {
		h = victim;
		memset(h, 0, sizeof *h);
		h->key = key;
		h->day = day;
	}
	hit_roll(h, day);
	if (h->day == day && h->count[day % RBL_KSTATS_HIT_DAYS] < UINT32_MAX)
		h->count[day % RBL_KSTATS_HIT_DAYS]++;
}

static void hit_add(const rbl_kstats_hit *h, uint32_t today, uint64_t *day,
		    uint64_t *week)
{
	for (uint32_t k = 0; k < 7 && k <= today; k++) {
		uint32_t d = today - k;

		if (d > h->day || h->day - d >= RBL_KSTATS_HIT_DAYS)
			continue;
		*week += h->count[d % RBL_KSTATS_HIT_DAYS];
		if (k == 0)
			*day += h->count[d % RBL_KSTATS_HIT_DAYS];
	}
}

int rbl_kstats_hits_read(const char *path, uint32_t list_id,
			 const char *subject, int64_t now, uint64_t *today,
			 uint64_t *week)
{
	uint64_t key = rbl_kstats_hit_key(list_id, subject);
	size_t at = (size_t)key & (RBL_KSTATS_HITS - 1);
	rbl_kstats_header hdr = { 0 };
	struct stat st = { 0 };
	const char *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*today = *week = 0;
	if (fd < 0)
		return errno == ENOENT ? RBL_ENOTFOUND : RBL_EIO;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof hdr) {
		close(fd);
		return RBL_EVERSION;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return RBL_EIO;
	memcpy(&hdr, map, sizeof hdr);
	if (!header_valid(&hdr, (size_t)st.st_size)) {
		munmap((void *)map, (size_t)st.st_size);
		return RBL_EVERSION;
	}
	for (uint32_t i = 0; i < hdr.n_areas; i++) {
		const rbl_kstats_area *a = (const rbl_kstats_area *)
			(map + sizeof hdr) + i;

		for (unsigned j = 0; j < HIT_PROBES; j++) {
			const rbl_kstats_hit *h =
				&a->hits[(at + j) & (RBL_KSTATS_HITS - 1)];

			if (h->key == key)
				hit_add(h, (uint32_t)(now / 86400), today, week);
		}
	}
	munmap((void *)map, (size_t)st.st_size);
	return RBL_OK;
}
