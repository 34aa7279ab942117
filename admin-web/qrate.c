/*
 * qrate.c -- sampling rbld's counters (see qrate.h).
 *
 * PLACEHOLDER until branch server's zone/qstats.h lands: reports the
 * counters as unavailable, so the dashboard says so instead of showing 0.
 */
#include <stdlib.h>
#include <string.h>

#include "qrate.h"

struct adm_qs {
	char *path;
};

adm_qs *adm_qs_start(const char *stats_file)
{
	adm_qs *q = calloc(1, sizeof *q);

	if (q && !(q->path = strdup(stats_file ? stats_file : ""))) {
		free(q);
		return NULL;
	}
	return q;
}

void adm_qs_stop(adm_qs *q)
{
	if (!q)
		return;
	free(q->path);
	free(q);
}

bool adm_qs_history(adm_qs *q, double *rates, size_t max, size_t *n)
{
	*n = 0;
	return false;
}

bool adm_qs_counters_get(adm_qs *q, adm_qs_counters *out)
{
	memset(out, 0, sizeof *out);
	return false;
}
