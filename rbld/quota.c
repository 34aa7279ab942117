/*
 * quota.c -- per-client daily query counts (see quota.h).
 *
 * Same table shape as rrl.c: open addressing, exact keys, a random seed,
 * a few probes.  A day is the UTC day number, so every count restarts at
 * midnight UTC at once and nothing needs sweeping.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "zone/error.h"
#include "quota.h"

#define PROBES		4
#define DAY		86400

typedef struct quota_entry {
	uint64_t key;		/* prefix bits */
	uint32_t day;		/* UTC day of COUNT; 0: free */
	uint32_t count;		/* queries that day (saturates) */
	uint8_t v6;
} quota_entry;

struct rbl_quota {
	const rbl_quota_conf *conf;
	quota_entry *table;
	size_t mask;
	uint64_t seed;
};

int rbl_quota_new(const rbl_quota_conf *conf, rbl_quota **out)
{
	rbl_quota *q = calloc(1, sizeof(*q));
	size_t n = 64;

	if (!q)
		return RBL_ENOMEM;
	while (n < conf->table_size && n < ((size_t)1 << 30))
		n <<= 1;
	q->conf = conf;
	q->mask = n - 1;
	q->table = calloc(n, sizeof(*q->table));
	if (!q->table) {
		free(q);
		return RBL_ENOMEM;
	}
	if (getrandom(&q->seed, sizeof(q->seed), 0) != sizeof(q->seed))
		q->seed = (uint64_t)(uintptr_t)q ^ 0x2545f4914f6cdd1dull;
	*out = q;
	return RBL_OK;
}

void rbl_quota_free(rbl_quota *q)
{
	if (!q)
		return;
	free(q->table);
	free(q);
}

static uint64_t prefix_key(const rbl_addr *a, unsigned len)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | a->bytes[i];
	return len >= 64 ? v : v & ~(~0ull >> len);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* The entry of KEY for DAY: found, free or stale, or the smallest count
 * among the candidates. */
static quota_entry *find(rbl_quota *q, uint64_t key, uint8_t v6,
			 uint32_t day)
{
	size_t h = (size_t)mix(key ^ q->seed ^ v6);
	quota_entry *victim = NULL;

	for (unsigned i = 0; i < PROBES; i++) {
		quota_entry *e = &q->table[(h + i) & q->mask];

		if (e->day != 0 && e->key == key && e->v6 == v6)
			return e;
		if (!victim || e->day != day ||
		    (victim->day == day && e->count < victim->count))
			victim = e;
	}
	victim->key = key;
	victim->v6 = v6;
	victim->day = day;
	victim->count = 0;
	return victim;
}

bool rbl_quota_over(rbl_quota *q, const rbl_addr *client, int64_t now)
{
	const rbl_quota_conf *c = q->conf;
	bool v6 = client->family == RBL_AF6;
	uint32_t day = (uint32_t)(now / DAY) + 1;	/* never 0 */
	quota_entry *e;

	if (c->per_day == 0 || (c->exempt && rbl_acl_match(c->exempt, client)))
		return false;
	e = find(q, prefix_key(client, v6 ? c->prefix6 : c->prefix4),
		 (uint8_t)v6, day);
	if (e->day != day) {
		e->day = day;
		e->count = 0;
	}
	if (e->count < UINT32_MAX)
		e->count++;
	return e->count > c->per_day;
}
