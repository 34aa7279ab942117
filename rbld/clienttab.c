/*
 * clienttab.c -- counters per client prefix (see clienttab.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "zone/error.h"
#include "clienttab.h"

int rbl_clienttab_init(rbl_clienttab *t, uint32_t size)
{
	size_t n = 64;

	while (n < size && n < ((size_t)1 << 30))
		n <<= 1;
	t->mask = n - 1;
	t->slots = calloc(n, sizeof *t->slots);
	if (!t->slots)
		return RBL_ENOMEM;
	if (getrandom(&t->seed, sizeof t->seed, 0) != sizeof t->seed)
		t->seed = (uint64_t)(uintptr_t)t->slots ^ 0x9e3779b97f4a7c15ull;
	return RBL_OK;
}

void rbl_clienttab_fini(rbl_clienttab *t)
{
	free(t->slots);
	t->slots = NULL;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

rbl_client_entry *rbl_clienttab_get(rbl_clienttab *t, uint64_t key,
				    uint8_t tag, uint32_t epoch, bool *fresh)
{
	size_t h = (size_t)mix(key ^ t->seed ^ ((uint64_t)tag << 56));
	rbl_client_entry *victim = NULL;

	for (unsigned i = 0; i < RBL_CT_PROBES; i++) {
		rbl_client_entry *e = &t->slots[(h + i) & t->mask];

		if (e->epoch != 0 && e->key == key && e->tag == tag) {
			if (e->epoch == epoch) {
				*fresh = false;
				return e;
			}
			victim = e;		/* its own, stale */
			break;
		}
		/* free or stale first, else the lowest rank */
		if (!victim || e->epoch != epoch ||
		    (victim->epoch == epoch && e->rank < victim->rank))
			victim = e;
	}
	*fresh = true;
	memset(victim, 0, sizeof *victim);
	victim->key = key;
	victim->tag = tag;
	victim->epoch = epoch;
	return victim;
}
