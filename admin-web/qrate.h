/*
 * qrate.h -- rbld's query counters as rates, for the dashboard and
 * /metrics.
 *
 * rbld publishes its counters in a shared file (server.stats-file, read
 * through zone/qstats.h) without locks on its hot path; a sampler thread
 * here reads them every ADM_QS_PERIOD seconds and keeps the last
 * ADM_QS_SAMPLES rates.
 */
#ifndef ADM_QRATE_H
#define ADM_QRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADM_QS_PERIOD	10
#define ADM_QS_SAMPLES	90	/* 15 minutes */
#define ADM_QS_RCODES	8	/* NOERROR..REFUSED, BADVERS, other (qstats.h) */

typedef struct adm_qs adm_qs;

typedef struct adm_qs_counters {
	uint64_t queries;
	uint64_t rcode[ADM_QS_RCODES];	/* answers by RCODE */
	uint64_t listed;		/* answers that said "listed" */
} adm_qs_counters;

/* Start sampling STATS_FILE.  NULL on allocation failure (a missing file
 * is not a failure: rbld may start later). */
adm_qs *adm_qs_start(const char *stats_file);
void adm_qs_stop(adm_qs *q);

/* Up to MAX most recent rates (queries/s, oldest first) into RATES and
 * their number into *N.  False when rbld's counters are not readable. */
bool adm_qs_history(adm_qs *q, double *rates, size_t max, size_t *n);
/* The latest counters.  False when not readable. */
bool adm_qs_counters_get(adm_qs *q, adm_qs_counters *out);

#endif
