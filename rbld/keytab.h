/*
 * keytab.h -- access keys on the answer path: which zones take a key
 * label (rbld.conf), and one worker's read-only copy of the keys in the
 * store (zone/people/qkey.h).
 *
 * A zone with "keys: accept" or "keys: require" reads the label just left
 * of its name, `4.3.2.1.KEY.bl.example` (with sub-labels:
 * `4.3.2.1.sub.KEY.bl.example`), as a key when it has a key's form
 * (rbl_qkey_secret_form: 26 characters of a-z and 2-7, which no IP label,
 * no top-level domain and no 40-hex hash is).  A key is then checked and
 * counted and the rest of the name looked up as without it; a zone that
 * requires keys answers a name without one with an error.  Errors are A
 * records in 127.255.255.0/24 that no listing uses, with a TXT telling the
 * mail admin what to do (RBL_KEY_*; doc/mta.md lists them with MTA
 * filter settings that ignore them):
 *
 *   127.255.255.250  no key, and the zone requires one
 *   127.255.255.251  unknown key
 *   127.255.255.252  disabled key
 *   127.255.255.253  key not for this zone
 *   127.255.255.254  key over its daily quota
 *
 * The key table is rebuilt when the store's generation moves (a key
 * change moves it, table.h), at the start of a batch like the zone table:
 * building allocates, looking up does not (one multiply, a probe or two
 * and a 26-byte compare).  A key's daily quota counts its queries in this
 * worker's kstats entry plus the other workers' (zone/kstats.h), re-read
 * every RBL_KEY_RESUM queries of the key and at every query once the day
 * is within RBL_KEY_RESUM queries per worker of the quota: the answer
 * switches at the configured count whether one worker or many answer the
 * key (give or take the queries in flight at that moment), and reading
 * the other workers' lines costs only near the limit.
 */
#ifndef RBLD_KEYTAB_H
#define RBLD_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zone/config/config.h"
#include "zone/kstats.h"
#include "zone/people/qkey.h"
#include "zone/store/entry.h"
#include "zone/store/store.h"
#include "zonetab.h"

enum rbl_key_mode { RBL_KEYS_OFF = 0, RBL_KEYS_ACCEPT = 1,
		    RBL_KEYS_REQUIRE = 2 };

enum rbl_key_err {
	RBL_KEY_OK = 0,
	RBL_KEY_MISSING,		/* 127.255.255.250 */
	RBL_KEY_UNKNOWN,		/* .251 */
	RBL_KEY_DISABLED,		/* .252 */
	RBL_KEY_ZONE,			/* .253 */
	RBL_KEY_QUOTA,			/* .254 */
	RBL_KEY_NERR
};
#define RBL_KEY_CODE(err)	(0x7fffff00u | (249u + (uint32_t)(err)))
#define RBL_KEY_RESUM		16

/* A zone's key settings (rbld.conf zone: keys, key-help) with the TXT of
 * each error, made once at load. */
typedef struct rbl_zone_keys {
	rbl_zt_name zone;
	uint8_t mode;			/* rbl_key_mode */
	uint16_t txt_len[RBL_KEY_NERR];
	char txt[RBL_KEY_NERR][RBL_TXT_MAX + 1];
} rbl_zone_keys;

/* The "keys" and "key-help" options of every zone section of C into
 * *OUT (allocated; *N of them, only zones that take keys).  RBL_OK,
 * RBL_EINVAL with "path:line: ..." in ERR, RBL_ENOMEM. */
int rbl_zone_keys_load(const rbl_conf *c, rbl_zone_keys **out, size_t *n,
		       char *err, size_t errlen);
/* The settings of zone Z among ZK[N], or NULL. */
const rbl_zone_keys *rbl_zone_keys_find(const rbl_zone_keys *zk, size_t n,
					const rbl_zt_zone *z);

typedef struct rbl_kt_key {
	uint8_t secret[RBL_QKEY_SECRET_LEN];
	uint8_t state;			/* rbl_qkey_state */
	uint8_t n_zones;		/* 0: every zone taking keys */
	uint32_t zone_ids[RBL_QKEY_ZONES_MAX];	/* store zone ids */
	uint32_t number;
	uint32_t quota;			/* per UTC day; 0: none */
	rbl_kstats_ent *ent;		/* this worker's counters */
	bool own_ent;			/* ENT is the key's (not the catch-all) */
	uint32_t day;			/* of DAY_COUNT */
	uint64_t day_count;		/* this worker's queries of DAY */
	uint64_t others;		/* the other workers', when last read */
	/* DAY_COUNT at which OTHERS is read again (rbl_keytab_resum()):
	 * one compare per query instead of the test of when to read */
	uint64_t resum_at;
	char name[RBL_QKEY_NAME_MAX + 1];
} rbl_kt_key;

typedef struct rbl_keytab {
	rbl_kt_key *keys;		/* owned */
	uint32_t n;
	uint32_t *slots;		/* owned; index + 1, 0: empty */
	uint32_t mask;
	uint64_t generation;		/* of the store when built */
	bool loaded;
} rbl_keytab;

/* Make KT current for read transaction T at store generation GEN (rebuilt
 * when it differs, or never built), counting into AREA.  On failure the
 * old table stays.  RBL_OK, RBL_ENOMEM or a store error. */
int rbl_keytab_refresh(rbl_keytab *kt, rbl_txn *t, uint64_t gen,
		       rbl_kstats_area *area);
void rbl_keytab_free(rbl_keytab *kt);

/* The hash of a secret S in the table: secrets are random, their first
 * 8 bytes spread well enough. */
static inline uint32_t rbl_keytab_hash(const uint8_t *s)
{
	uint64_t v = 0;

	memcpy(&v, s, sizeof v);
	return (uint32_t)((v * 0x9e3779b97f4a7c15ull) >> 32);
}

/* The key whose secret is the RBL_QKEY_SECRET_LEN bytes at LABEL
 * (lowercase), or NULL.  This and rbl_keytab_admit() are defined here,
 * inline, because every keyed query goes through both: in the engine's
 * key step they cost no calls. */
static inline rbl_kt_key *rbl_keytab_find(const rbl_keytab *kt,
					  const uint8_t *label)
{
	uint32_t h = 0;

	if (!kt->slots)
		return NULL;
	h = rbl_keytab_hash(label) & kt->mask;
	while (kt->slots[h]) {
		rbl_kt_key *k = &kt->keys[kt->slots[h] - 1];

		if (memcmp(k->secret, label, RBL_QKEY_SECRET_LEN) == 0)
			return k;
		h = (h + 1) & kt->mask;
	}
	return NULL;
}

/* Out of line, rarely: read the other workers' part of K's DAY, and set
 * when to read it again (keytab.c). */
void rbl_keytab_resum(rbl_kt_key *k, uint32_t day, const rbl_kstats *ks,
		      const rbl_kstats_area *area);
/* Out of line: whether K covers zone Z, for a key limited to zones. */
bool rbl_keytab_covers(const rbl_kt_key *k, const rbl_zt_zone *z);

/* Check key K for zone Z at unix time NOW, UTC day DAY (NOW / 86400, read
 * once per batch), and count the query: RBL_KEY_OK or the error to
 * answer.  KS (may be NULL) and AREA: for the quota's sum over the
 * workers. */
static inline int rbl_keytab_admit(rbl_kt_key *k, const rbl_zt_zone *z,
				   int64_t now, uint32_t day,
				   const rbl_kstats *ks,
				   const rbl_kstats_area *area)
{
	rbl_kstats_ent *e = k->ent;

	e->queries++;
	e->last_used = now;
	/* every query with the key counts, also those it gets errors for */
	if (k->day != day) {
		k->day = day;
		k->day_count = 0;
		k->others = 0;
		k->resum_at = 0;
	}
	k->day_count++;
	if (k->own_ent) {
		e->day = day;
		e->day_queries = k->day_count;
	}
	if (k->day_count >= k->resum_at)
		rbl_keytab_resum(k, day, ks, area);
	if (k->state != RBL_QKEY_ACTIVE)
		return RBL_KEY_DISABLED;
	if (k->n_zones && !rbl_keytab_covers(k, z))
		return RBL_KEY_ZONE;
	return k->quota && k->day_count + k->others > k->quota
		? RBL_KEY_QUOTA : RBL_KEY_OK;
}

#endif
