/*
 * keytab.c -- zones that take keys, and the worker's key table (see
 * keytab.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "keytab.h"

/* ---- rbld.conf: zone keys, key-help ---- */

static const char *const key_txt[RBL_KEY_NERR] = {
	[RBL_KEY_MISSING] = "Query refused: this DNSBL zone needs an access "
		"key in the query name (ADDRESS.KEY.ZONE)",
	[RBL_KEY_UNKNOWN] = "Query refused: unknown DNSBL access key; check "
		"the key in your mail server's DNSBL setting",
	[RBL_KEY_DISABLED] = "Query refused: this DNSBL access key is "
		"disabled; contact the list operator",
	[RBL_KEY_ZONE] = "Query refused: this DNSBL access key does not "
		"cover this zone",
	[RBL_KEY_QUOTA] = "Query refused: this DNSBL access key is over its "
		"daily query quota",
};

static void make_texts(rbl_zone_keys *zk, const char *help)
{
	for (int i = RBL_KEY_MISSING; i < RBL_KEY_NERR; i++) {
		int n = help && *help
			? snprintf(zk->txt[i], sizeof zk->txt[i], "%s. %s",
				   key_txt[i], help)
			: snprintf(zk->txt[i], sizeof zk->txt[i], "%s. Do not "
				   "block mail on 127.255.255.x", key_txt[i]);

		zk->txt_len[i] = (uint16_t)(n < 0 ? 0 : n > RBL_TXT_MAX
					    ? RBL_TXT_MAX : n);
	}
}

static int zone_keys_one(const rbl_conf *c, const rbl_conf_section *s,
			 rbl_zone_keys *zk, char *err, size_t errlen)
{
	const char *mode = rbl_conf_get(s, "keys");

	memset(zk, 0, sizeof *zk);
	if (!mode || strcmp(mode, "no") == 0 || strcmp(mode, "off") == 0)
		return RBL_OK;
	if (strcmp(mode, "accept") == 0)
		zk->mode = RBL_KEYS_ACCEPT;
	else if (strcmp(mode, "require") == 0)
		zk->mode = RBL_KEYS_REQUIRE;
	else {
		snprintf(err, errlen, "%s:%u: zone %s: keys: accept, require "
			 "or off, not \"%s\"", c->path, s->line, s->title,
			 mode);
		return RBL_EINVAL;
	}
	if (rbl_zt_name_from_text(s->title, &zk->zone) != RBL_OK) {
		snprintf(err, errlen, "%s:%u: zone %s: not a domain name",
			 c->path, s->line, s->title);
		return RBL_EINVAL;
	}
	make_texts(zk, rbl_conf_get(s, "key-help"));
	return RBL_OK;
}

int rbl_zone_keys_load(const rbl_conf *c, rbl_zone_keys **out, size_t *n,
		       char *err, size_t errlen)
{
	const rbl_conf_section *s = NULL;
	rbl_zone_keys *v = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	size_t cap = 0;

	while ((s = rbl_conf_next(c, "zone", s))) {
		rbl_zone_keys zk = { 0 };
		int rc = zone_keys_one(c, s, &zk, err, errlen);

		if (rc == RBL_OK && zk.mode != RBL_KEYS_OFF)
			rc = rbl_array_reserve(v, cap, cnt + 1, 4);
		if (rc != RBL_OK) {
			free(v);
			return rc;
		}
		if (zk.mode != RBL_KEYS_OFF)
			v[cnt++] = zk;
	}
	*out = v;
	*n = cnt;
	return RBL_OK;
}

const rbl_zone_keys *rbl_zone_keys_find(const rbl_zone_keys *zk, size_t n,
					const rbl_zt_zone *z)
{
	for (size_t i = 0; i < n; i++)
		if (zk[i].zone.len == z->wire.len &&
		    memcmp(zk[i].zone.wire, z->wire.wire, z->wire.len) == 0)
			return &zk[i];
	return NULL;
}

/* ---- the key table ---- */

typedef struct build {
	rbl_txn *txn;
	rbl_kt_key *keys;
	size_t n, cap;
	int rc;
} build;

static int add_key(void *arg, const rbl_qkey *k)
{
	build *b = arg;
	rbl_kt_key *e;

	if (b->n >= UINT32_MAX / 2 ||
	    rbl_array_reserve(b->keys, b->cap, b->n + 1, 64) != RBL_OK)
		return b->rc = RBL_ENOMEM;
	e = &b->keys[b->n];
	memset(e, 0, sizeof *e);
	memcpy(e->secret, k->secret, RBL_QKEY_SECRET_LEN);
	memcpy(e->name, k->name, sizeof e->name);
	e->state = k->state;
	e->number = k->number;
	e->quota = k->quota;
	for (unsigned i = 0; i < k->n_zones; i++) {
		rbl_zone z = { 0 };

		/* A zone that does not exist (yet) covers nothing; a key
		 * limited to zones none of which exist covers no zone. */
		if (rbl_zone_get(b->txn, k->zones[i], &z) == RBL_OK)
			e->zone_ids[e->n_zones++] = z.id;
		else
			e->zone_ids[e->n_zones++] = 0;
	}
	b->n++;
	return 0;
}

/* This worker's counters for each key; entries of keys that are gone
 * are cleared, so a later key with the same slot gets its own. */
static void bind_counters(rbl_kt_key *keys, uint32_t n,
			  rbl_kstats_area *area)
{
	static rbl_kstats_ent spare;	/* no area: counts go nowhere */
	uint8_t live[RBL_KSTATS_KEYS] = { 0 };

	for (uint32_t i = 0; i < n; i++) {
		unsigned slot = keys[i].number % RBL_KSTATS_KEYS;
		rbl_kstats_ent *ent = area ? &area->keys[slot] : &spare;

		keys[i].own_ent = false;
		if (!area) {
			keys[i].ent = &spare;
			continue;
		}
		if (ent->id == 0 || ent->id == keys[i].number) {
			ent->id = keys[i].number;
			keys[i].ent = ent;
			keys[i].own_ent = true;
			/* a rebuild must not hand a key a fresh day; the
			 * other workers' part is read at its next query */
			keys[i].day = ent->day;
			keys[i].day_count = ent->day_queries;
			keys[i].resum_at = 0;
			live[slot] = 1;
		} else {
			keys[i].ent = &area->key_other;
		}
	}
	for (unsigned s = 0; area && s < RBL_KSTATS_KEYS; s++)
		if (!live[s] && area->keys[s].id)
			memset(&area->keys[s], 0, sizeof area->keys[s]);
}

static int index_keys(rbl_keytab *kt)
{
	uint32_t size = 64;

	while (size < 2 * kt->n)
		size *= 2;
	kt->slots = calloc(size, sizeof *kt->slots);
	if (!kt->slots)
		return RBL_ENOMEM;
	kt->mask = size - 1;
	for (uint32_t i = 0; i < kt->n; i++) {
		uint32_t h = rbl_keytab_hash(kt->keys[i].secret) & kt->mask;

		while (kt->slots[h])
			h = (h + 1) & kt->mask;
		kt->slots[h] = i + 1;
	}
	return RBL_OK;
}

int rbl_keytab_refresh(rbl_keytab *kt, rbl_txn *t, uint64_t gen,
		       rbl_kstats_area *area)
{
	build b = { .txn = t };
	rbl_keytab nkt = { 0 };
	int rc;

	if (kt->loaded && kt->generation == gen)
		return RBL_OK;
	rc = rbl_qkey_foreach(t, add_key, &b);
	if (rc == RBL_OK)
		rc = b.rc;
	nkt.keys = b.keys;
	nkt.n = (uint32_t)b.n;
	if (rc == RBL_OK)
		rc = index_keys(&nkt);
	if (rc != RBL_OK) {
		rbl_keytab_free(&nkt);
		return rc;
	}
	bind_counters(nkt.keys, nkt.n, area);
	nkt.generation = gen;
	nkt.loaded = true;
	rbl_keytab_free(kt);
	*kt = nkt;
	return RBL_OK;
}

void rbl_keytab_free(rbl_keytab *kt)
{
	free(kt->keys);
	free(kt->slots);
	memset(kt, 0, sizeof *kt);
}

bool rbl_keytab_covers(const rbl_kt_key *k, const rbl_zt_zone *z)
{
	for (unsigned i = 0; i < k->n_zones; i++)
		if (k->zone_ids[i] == z->id)
			return true;
	return false;
}

/* The other workers' part of K's DAY: read now, and when to read it
 * again: in RBL_KEY_RESUM queries, or at every query once the day is
 * within RBL_KEY_RESUM queries per worker of the quota, where a stale sum
 * could let queries through (far from it, a stale sum changes no answer).
 * Never for a key without a quota, nor where there is nothing to read (no
 * other workers, or K counts in the shared catch-all entry).  The query
 * path only compares DAY_COUNT with RESUM_AT (keytab.h). */
void rbl_keytab_resum(rbl_kt_key *k, uint32_t day, const rbl_kstats *ks,
		      const rbl_kstats_area *area)
{
	uint64_t margin = 0, near = 0;

	if (k->quota == 0 || !k->own_ent || !ks) {
		k->resum_at = UINT64_MAX;	/* until the next day */
		return;
	}
	k->others = rbl_kstats_day_others(ks, k->number % RBL_KSTATS_KEYS,
					  k->number, day, area);
	margin = k->others + (uint64_t)RBL_KEY_RESUM * rbl_kstats_n_areas(ks);
	near = k->quota > margin ? k->quota - margin : 0;
	k->resum_at = k->day_count + RBL_KEY_RESUM;
	if (near < k->resum_at)
		k->resum_at = near > k->day_count ? near : k->day_count + 1;
}
