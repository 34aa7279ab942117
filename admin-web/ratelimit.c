/*
 * ratelimit.c -- fixed-window counters per client (see ratelimit.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "zone/addr.h"
#include "zone/error.h"
#include "ratelimit.h"

#define PROBE 8		/* slots a key may use */

struct rl_slot {
	uint8_t key[17];	/* family + 16 address bytes; [0] == 0: free */
	int64_t window_start;
	uint32_t hits;
};

struct adm_ratelimit {
	pthread_mutex_t lock;
	uint32_t limit, window;
	unsigned n;
	struct rl_slot *slot;
};

adm_ratelimit *adm_rl_new(unsigned slots, uint32_t limit, uint32_t window)
{
	adm_ratelimit *rl = calloc(1, sizeof *rl);

	if (slots < PROBE)
		slots = PROBE;
	if (!rl || !(rl->slot = calloc(slots, sizeof *rl->slot))) {
		free(rl);
		return NULL;
	}
	pthread_mutex_init(&rl->lock, NULL);
	rl->limit = limit, rl->window = window ? window : 1, rl->n = slots;
	return rl;
}

void adm_rl_free(adm_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slot);
	free(rl);
}

/* The counting key: the address, IPv6 cut to its /64. */
static void make_key(const char *client, uint8_t key[17])
{
	rbl_addr a = { 0 };

	memset(key, 0, 17);
	if (rbl_addr_parse(client, &a) != RBL_OK) {
		key[0] = 1;	/* unparsable: all such clients share one key */
		return;
	}
	rbl_addr_unmap4(&a);
	key[0] = a.family;
	memcpy(key + 1, a.bytes, a.family == RBL_AF6 ? 8 : 4);
}

static unsigned hash_key(const uint8_t key[17])
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (int i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

static struct rl_slot *find_slot(adm_ratelimit *rl, const uint8_t key[17],
				 int64_t now)
{
	unsigned h = hash_key(key);
	struct rl_slot *oldest = NULL;

	for (unsigned i = 0; i < PROBE; i++) {
		struct rl_slot *s = &rl->slot[(h + i) % rl->n];

		if (memcmp(s->key, key, 17) == 0)
			return s;
		if (!oldest || s->window_start < oldest->window_start)
			oldest = s;
	}
	memcpy(oldest->key, key, 17);
	oldest->window_start = now;
	oldest->hits = 0;
	return oldest;
}

bool adm_rl_hit(adm_ratelimit *rl, const char *client, int64_t now)
{
	uint8_t key[17];
	struct rl_slot *s;
	bool ok;

	if (rl->limit == 0)
		return true;
	make_key(client, key);
	pthread_mutex_lock(&rl->lock);
	s = find_slot(rl, key, now);
	if (now - s->window_start >= (int64_t)rl->window) {
		s->window_start = now;
		s->hits = 0;
	}
	ok = s->hits < rl->limit;
	if (ok)
		s->hits++;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

bool adm_rl_ok(adm_ratelimit *rl, const char *client, int64_t now)
{
	uint8_t key[17];
	struct rl_slot *s;
	bool ok;

	if (rl->limit == 0)
		return true;
	make_key(client, key);
	pthread_mutex_lock(&rl->lock);
	s = find_slot(rl, key, now);
	ok = now - s->window_start >= (int64_t)rl->window ||
	     s->hits < rl->limit;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
