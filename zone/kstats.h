/*
 * kstats.h -- per access key and per zone query counters, shared by rbld
 * (writer) and readers (rblctl, rbl-admin) through a memory-mapped file
 * beside the query counters of qstats.h (by default
 * <database>/rbld.keystats).
 *
 * Layout (native byte order, read only on the host that wrote it):
 *   rbl_kstats_header      magic, version, area count and size, start time
 *   rbl_kstats_area[n]     one per worker thread, as qstats' slots
 * An area holds one entry per key, at the key's number modulo
 * RBL_KSTATS_KEYS (zone/people/qkey.h: numbers are never reused), one per
 * zone at the zone's id modulo RBL_KSTATS_ZONES, and catch-alls: keys and
 * zones whose entry another one holds (more than RBL_KSTATS_KEYS keys),
 * and queries with a key nobody has; then how often listed subjects were
 * asked, per day (rbl_kstats_hit).  Each entry is one cache line written
 * only by its worker with plain stores: no lock, no atomic, no allocation
 * on the query path; a reader sums the areas.  Aligned 64-bit stores do
 * not tear on the platforms rbld runs on.
 *
 * Besides the totals, an entry counts its queries of the current UTC day:
 * rbld sums that count over the workers to hold a key to its daily quota
 * (rbld/keytab.h), and readers report it.  The counters restart from zero
 * when rbld restarts (start_time says when); `rblctl purge` carries the
 * last-used times into the store (qkey.h).
 */
#ifndef RBL_KSTATS_H
#define RBL_KSTATS_H

#include <stddef.h>
#include <stdint.h>

#define RBL_KSTATS_MAGIC	0x53544b53424c52ull	/* "RBLSKTS" */
#define RBL_KSTATS_VERSION	1u
#define RBL_KSTATS_KEYS		1024u
#define RBL_KSTATS_ZONES	64u
#define RBL_KSTATS_MAX_AREAS	1024u
#define RBL_KSTATS_HITS		16384u	/* listed subjects per worker */
#define RBL_KSTATS_HIT_DAYS	8u
#define RBL_KSTATS_FILE		"rbld.keystats"

typedef struct rbl_kstats_ent {
	uint32_t id;		/* key number or zone id; 0: nobody's yet */
	uint32_t day;		/* UTC day (unix seconds / 86400) of DAY_QUERIES */
	uint64_t queries;	/* queries answered for it */
	uint64_t listed;	/* ... with a listing */
	uint64_t refused;	/* ... with a key error (127.255.255.x) or REFUSED */
	uint64_t day_queries;	/* queries in DAY */
	int64_t last_used;	/* unix seconds of the last query; 0: none */
	uint64_t reserved[2];
} __attribute__((aligned(64))) rbl_kstats_ent;

/* How often one listed subject (an address or name, in one list) was
 * answered listed, per UTC day: what spamtrap operators judge a sender's
 * activity by.  A small open-addressed cache per worker: a subject lives
 * in one of 4 slots after its hash; a new one takes a free slot, else
 * the one counted longest ago, so the busiest and latest stay. */
typedef struct rbl_kstats_hit {
	uint64_t key;		/* rbl_kstats_hit_key(); 0: free */
	uint32_t day;		/* the latest UTC day counted */
	uint32_t count[RBL_KSTATS_HIT_DAYS];	/* by day modulo 8 */
	uint32_t reserved[5];
} __attribute__((aligned(64))) rbl_kstats_hit;

typedef struct rbl_kstats_area {
	rbl_kstats_ent keys[RBL_KSTATS_KEYS];
	rbl_kstats_ent key_other;	/* keys whose entry another key holds */
	rbl_kstats_ent key_unknown;	/* keys nobody has (and none given) */
	rbl_kstats_ent zones[RBL_KSTATS_ZONES];
	rbl_kstats_ent zone_other;
	rbl_kstats_hit hits[RBL_KSTATS_HITS];
} rbl_kstats_area;

typedef struct rbl_kstats_header {
	uint64_t magic;		/* RBL_KSTATS_MAGIC */
	uint32_t version;
	uint32_t n_areas;
	uint32_t area_size;	/* sizeof(rbl_kstats_area) */
	uint32_t pid;
	int64_t start_time;
	uint64_t reserved[4];
} __attribute__((aligned(64))) rbl_kstats_header;

/* The file beside the query counters at STATS_PATH: its ".stats" ending
 * (else its end) becomes ".keystats".  OUT of SIZE bytes. */
void rbl_kstats_path(const char *stats_path, char *out, size_t size);

/* The writer's handle (rbld). */
typedef struct rbl_kstats rbl_kstats;

/* Create (or replace) the file PATH for N_AREAS workers, zeroed, and map
 * it shared; PATH NULL: private memory.  RBL_OK, RBL_EINVAL, RBL_EIO,
 * RBL_ENOMEM.  Written to PATH.tmp and renamed, as qstats.h. */
int rbl_kstats_create(const char *path, unsigned n_areas, rbl_kstats **out);
/* The number of areas (workers) of KS. */
unsigned rbl_kstats_n_areas(const rbl_kstats *ks);
/* Area I (< the count) for one worker; owned by KS. */
rbl_kstats_area *rbl_kstats_area_get(rbl_kstats *ks, unsigned i);
void rbl_kstats_close(rbl_kstats *ks, int unlink_file);

/* The queries of key NUMBER on UTC day DAY in every area of KS but SKIP
 * (NULL: none), read from the entry at SLOT (its number modulo
 * RBL_KSTATS_KEYS).  For the quota: reads other workers' lines. */
uint64_t rbl_kstats_day_others(const rbl_kstats *ks, unsigned slot,
			       uint32_t number, uint32_t day,
			       const rbl_kstats_area *skip);

/* The key of SUBJECT (as rbld's TXT shows it: the address in its usual
 * text form, or the lowercase name) in list LIST_ID; never 0. */
uint64_t rbl_kstats_hit_key(uint32_t list_id, const char *subject);
/* Count one listed answer for SUBJECT of LIST_ID on UTC day DAY in A
 * (the worker's own area: plain stores, no allocation). */
void rbl_kstats_hit_count(rbl_kstats_area *a, uint32_t list_id,
			  const char *subject, uint32_t day);
/* Reader: SUBJECT of LIST_ID answered listed today (UTC, up to NOW) and
 * in the 7 days up to today, summed over the areas of the file at PATH.
 * RBL_OK (zeros when not counted), RBL_ENOTFOUND, RBL_EVERSION,
 * RBL_EIO. */
int rbl_kstats_hits_read(const char *path, uint32_t list_id,
			 const char *subject, int64_t now, uint64_t *today,
			 uint64_t *week);

/* Reader: the areas of the file at PATH summed into *SUM (entries of the
 * same id added, day counts of the latest day only, last-used the
 * latest; an entry whose id differs between areas goes to the
 * catch-all), and its header.  RBL_OK, RBL_ENOTFOUND (no file),
 * RBL_EVERSION, RBL_EIO. */
int rbl_kstats_read(const char *path, rbl_kstats_header *hdr,
		    rbl_kstats_area *sum);
/* The same over areas in memory (for rbld's log and tests). */
void rbl_kstats_sum(const rbl_kstats_area *areas, unsigned n,
		    rbl_kstats_area *sum);

#endif
