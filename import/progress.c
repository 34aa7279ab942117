/*
 * progress.c -- the progress line.
 */
#include <stdio.h>
#include <string.h>

#include "progress.h"

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void rbl_progress_start(rbl_progress *p, bool on, uint64_t total_bytes)
{
	memset(p, 0, sizeof *p);
	p->on = on;
	p->total = total_bytes;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

double rbl_progress_elapsed(const rbl_progress *p)
{
	struct timespec now = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &now);
	return since(&p->start, &now);
}

static void draw_bar(uint64_t bytes, uint64_t total, char *out, size_t size)
{
	int width = 24, fill = (int)((double)bytes / (double)total * width);

	if (fill > width)
		fill = width;
	snprintf(out, size, "[%.*s%*s] %3d%% ", fill,
		 "########################", width - fill, "",
		 (int)(100.0 * (double)bytes / (double)total));
}

void rbl_progress_update(rbl_progress *p, uint64_t bytes, uint64_t items)
{
	struct timespec now = { 0 };
	char bar[64] = "", eta[32] = "";
	double el, rate;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&p->last, &now) < 0.2)
		return;
	p->last = now;
	el = since(&p->start, &now);
	rate = el > 0 ? (double)items / el : 0;
	if (p->total && bytes <= p->total) {
		draw_bar(bytes, p->total, bar, sizeof bar);
		if (bytes > 0) {
			double left = el * (double)(p->total - bytes) / (double)bytes;
			snprintf(eta, sizeof eta, " ETA %d:%02d", (int)left / 60,
				 (int)left % 60);
		}
	}
	fprintf(stderr, "\r%s%llu msgs  %.0f/s%s\033[K", bar,
		(unsigned long long)items, rate, eta);
	p->drawn = true;
}

void rbl_progress_clear(rbl_progress *p)
{
	if (p->on && p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = false;
}
