/*
 * hugepages.c -- when rbld reads its store's map in again in 2 MiB pages
 * (hugepages.h says why).
 */
#include <time.h>

#include "zone/log.h"
#include "hugepages.h"

/* A commit that has stayed the last this long gets its pass; commits
 * coming without a pause get one this often. */
#define QUIET_MS	900
#define BUSY_MS		10000

static int64_t now_ms(void)
{
	struct timespec t = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One pass; the log line when FIRST or when it read something in, but
 * none for a store with no whole 2 MiB region (the demo's): "0 of 0" is
 * true and only noise. */
static void pass(rbl_hugepages *h, rbl_store *s, bool first)
{
	rbl_rehuge_stats r = { 0 };

	rbl_store_rehuge(s, &r);
	h->done = h->seen = r.mark;
	h->pending = false;
	if ((!first && !r.reread) || r.regions == 0)
		return;
	rbl_log_notice("store: %u of %u 2 MiB regions read in again in %.1f ms"
		       "%s", r.reread, r.regions, r.ms, r.scan ? "" :
		       " (the kernel cannot tell which are 2 MiB already: "
		       "only new ones after this)");
	if (r.small)
		rbl_log_info("store: %u of them stayed in small pages (another "
			     "process maps them, or no 2 MiB page was free)",
			     r.small);
}

void rbl_hugepages_start(rbl_hugepages *h, rbl_store *s)
{
	if (h->on)
		pass(h, s, true);
}

void rbl_hugepages_tick(rbl_hugepages *h, rbl_store *s)
{
	rbl_store_mark m = { 0 };
	int64_t now = 0;

	if (!h->on || !s)
		return;
	rbl_store_mark_now(s, &m);
	now = now_ms();
	if (rbl_store_mark_eq(&m, &h->done) && !h->pending)
		return;
	if (!rbl_store_mark_eq(&m, &h->seen)) {
		h->seen = m;
		h->changed_ms = now;
		if (!h->pending)
			h->since_ms = now;
		h->pending = true;
	}
	if (now - h->changed_ms >= QUIET_MS || now - h->since_ms >= BUSY_MS)
		pass(h, s, false);
}
