/*
 * stats.h -- numbers for the dashboard and /metrics, computed from the
 * store and cached for a minute (walking every entry is not free).
 *
 *   added/day     entries whose "added" time falls on that day (entries
 *                 still stored; a listing added and removed the same week
 *                 is counted by the audit log instead, as a removal)
 *   expired/day   entries whose expiry fell on that day and that no purge
 *                 has removed yet
 *   delisted/day  audit records of confirmed delistings and manual
 *                 removals
 */
#ifndef ADM_STATS_H
#define ADM_STATS_H

#include <pthread.h>
#include <stdint.h>

#include "zone/policy/evidence.h"
#include "admin.h"

#define ADM_DAYS 14

typedef struct adm_stats {
	int64_t computed;		/* unix seconds; 0 = never */
	int64_t day0;			/* midnight UTC of the first day */
	double added[ADM_DAYS], expired[ADM_DAYS], delisted[ADM_DAYS];
	uint64_t evidence[RBL_EV_KINDS + 1];	/* by kind */
	uint64_t evidence_24h;
	uint64_t pending, confirmed, rejected;
	uint64_t entries;
	uint64_t walked;		/* entries looked at */
} adm_stats;

typedef struct adm_stats_cache {
	pthread_mutex_t lock;
	adm_stats s;
} adm_stats_cache;

void adm_stats_cache_init(adm_stats_cache *c);
void adm_stats_cache_free(adm_stats_cache *c);

/* Current numbers into *OUT, recomputed when older than 60 s.  RBL_OK or
 * a store error. */
int adm_stats_get(adm_app *app, int64_t now, adm_stats *out);

#endif
