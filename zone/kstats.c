/*
 * kstats.c -- per-key and per-zone counters (see kstats.h); the file
 * itself is a per-worker counter file (cfile.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/cfile.h"
#include "zone/error.h"
#include "zone/kstats.h"

struct rbl_kstats {
	rbl_cfile cf;
	rbl_kstats_header *hdr;
	rbl_kstats_area *areas;
};

_Static_assert(sizeof(rbl_kstats_ent) == 64, "an entry is one line");
RBL_CFILE_HEAD_CHECK(rbl_kstats_header, n_areas, area_size);
_Static_assert(sizeof(rbl_kstats_hit) == 64, "a hit is one line");
_Static_assert((RBL_KSTATS_HITS & (RBL_KSTATS_HITS - 1)) == 0,
	       "hits: a power of two");

static const rbl_cfile_kind kind = {
	.magic = RBL_KSTATS_MAGIC,
	.version = RBL_KSTATS_VERSION,
	.min_version = RBL_KSTATS_VERSION,
	.max_parts = RBL_KSTATS_MAX_AREAS,
	.part_size = sizeof(rbl_kstats_area),
};

#define HIT_PROBES	4

void rbl_kstats_path(const char *stats_path, char *out, size_t size)
{
	size_t n = strlen(stats_path);

	if (n >= 6 && strcmp(stats_path + n - 6, ".stats") == 0)
		n -= 6;
	snprintf(out, size, "%.*s.keystats", (int)n, stats_path);
}

int rbl_kstats_create(const char *path, unsigned n, rbl_kstats **out)
{
	rbl_kstats *ks = calloc(1, sizeof(*ks));
	int rc;

	if (!ks)
		return RBL_ENOMEM;
	if ((rc = rbl_cfile_create(&ks->cf, path, &kind, n)) != RBL_OK) {
		free(ks);
		return rc;
	}
	ks->hdr = ks->cf.map;
	ks->areas = rbl_cfile_part(&ks->cf, 0);
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
	rbl_cfile_close(&ks->cf, unlink_file);
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

static void area_add_any(void *sum, const void *area)
{
	area_add(sum, area);
}

int rbl_kstats_read(const char *path, rbl_kstats_header *hdr,
		    rbl_kstats_area *sum)
{
	memset(sum, 0, sizeof *sum);
	return rbl_cfile_sum(path, &kind, hdr, area_add_any, sum);
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
	rbl_cfile_view v = { 0 };
	int rc = rbl_cfile_view_open(path, &kind, &hdr, &v);

	*today = *week = 0;
	if (rc != RBL_OK)
		return rc;
	for (uint32_t i = 0; i < v.n_parts; i++) {
		const rbl_kstats_area *a = (const rbl_kstats_area *)v.parts + i;

		for (unsigned j = 0; j < HIT_PROBES; j++) {
			const rbl_kstats_hit *h =
				&a->hits[(at + j) & (RBL_KSTATS_HITS - 1)];

			if (h->key == key)
				hit_add(h, (uint32_t)(now / 86400), today, week);
		}
	}
	rbl_cfile_view_close(&v);
	return RBL_OK;
}
