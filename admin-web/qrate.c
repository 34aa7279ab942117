/*
 * qrate.c -- sampling rbld's counters (see qrate.h).
 *
 * The sampler reads the stats file every ADM_QS_PERIOD seconds and turns
 * the difference of two reads into a rate.  A restart of rbld (new start
 * time, or counters going down) starts the differences afresh.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/error.h"
#include "zone/qstats.h"
#include "qrate.h"

struct adm_qs {
	char *path;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, readable;
	rbl_qstats_header hdr;
	rbl_qstats_slot last;		/* previous read */
	struct timespec last_at;
	double rate[ADM_QS_SAMPLES];	/* ring */
	size_t n_rates, next;
};

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* One sample, under the lock. */
static void sample(adm_qs *q)
{
	rbl_qstats_header hdr = { 0 };
	rbl_qstats_slot now = { 0 };
	struct timespec at = { 0 };
	bool restarted;

	clock_gettime(CLOCK_MONOTONIC, &at);
	if (rbl_qstats_read(q->path, &hdr, &now) != RBL_OK) {
		q->readable = false;
		return;
	}
	restarted = !q->readable || hdr.start_time != q->hdr.start_time ||
		    hdr.pid != q->hdr.pid || now.queries < q->last.queries;
	if (!restarted && seconds_between(&q->last_at, &at) > 0.5) {
		q->rate[q->next] = (double)(now.queries - q->last.queries) /
				   seconds_between(&q->last_at, &at);
		q->next = (q->next + 1) % ADM_QS_SAMPLES;
		if (q->n_rates < ADM_QS_SAMPLES)
			q->n_rates++;
	}
	if (restarted)
		q->n_rates = q->next = 0;
	q->readable = true;
	q->hdr = hdr;
	q->last = now;
	q->last_at = at;
}

static void *sampler(void *arg)
{
	adm_qs *q = arg;
	struct timespec until = { 0 };

	pthread_mutex_lock(&q->lock);
	while (!q->stop) {
		sample(q);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += ADM_QS_PERIOD;
		pthread_cond_timedwait(&q->wake, &q->lock, &until);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

adm_qs *adm_qs_start(const char *stats_file)
{
	adm_qs *q = calloc(1, sizeof *q);

	if (!q || !(q->path = strdup(stats_file ? stats_file : ""))) {
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, NULL);
	if (pthread_create(&q->thread, NULL, sampler, q) != 0) {
		free(q->path);
		free(q);
		return NULL;
	}
	return q;
}

void adm_qs_stop(adm_qs *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->lock);
	free(q->path);
	free(q);
}

bool adm_qs_history(adm_qs *q, double *rates, size_t max, size_t *n)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = q->readable;
	*n = q->n_rates < max ? q->n_rates : max;
	for (size_t i = 0; i < *n; i++) {
		size_t back = *n - i;	/* oldest of the newest *n first */

		rates[i] = q->rate[(q->next + ADM_QS_SAMPLES - back) %
				   ADM_QS_SAMPLES];
	}
	pthread_mutex_unlock(&q->lock);
	return ok;
}

bool adm_qs_counters_get(adm_qs *q, adm_qs_counters *out)
{
	rbl_qstats_header hdr = { 0 };
	rbl_qstats_slot now = { 0 };

	memset(out, 0, sizeof *out);
	/* Counters are read fresh: /metrics wants the current values. */
	if (rbl_qstats_read(q->path, &hdr, &now) != RBL_OK)
		return false;
	out->queries = now.queries;
	for (int i = 0; i < RBL_QS_NRCODES && i < ADM_QS_RCODES; i++)
		out->rcode[i] = now.rcode[i];
	out->listed = now.listed;
	return true;
}
