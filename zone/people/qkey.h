/*
 * qkey.h -- access keys in query names: who may ask which zones how much.
 *
 * Lists served to the world are asked through shared public resolvers,
 * where the client address says nothing about who is asking.  A zone
 * that accepts keys (rbld.conf zone option "keys") reads a key label
 * between the subject and the zone name, `4.3.2.1.KEY.bl.example`, and
 * answers by the key: its zones, its state and its daily quota.
 *
 * A key has a NAME (its id: what operators, logs and statistics call
 * it), a SECRET (the label that goes into query names: RBL_QKEY_SECRET_LEN
 * characters of base32, a-z and 2-7, 130 random bits), a stable NUMBER
 * (never reused; rbld's per-key counters are indexed by it), the zones
 * it may query (none: every zone that accepts keys), a daily quota (0:
 * none), a state, a contact, and its created, rotated and last-used
 * times.  Rotating gives a key a new secret: the old one stops answering
 * at the next query rbld reads the store for, the name, number, counters
 * and settings stay.
 *
 * Keys are the store's table "qkeys" of table.h: key NAME, value the
 * record (qkey.c).  Every change that rbld answers by also moves the
 * store's generation (table.h), which rbld reads once per batch anyway,
 * so it rebuilds its in-memory key table (rbld/keytab.h) only then, with
 * no extra read and no lock.  rbld
 * never writes: the last-used time in the store is brought up to date
 * from rbld's per-key counters (zone/kstats.h) by `rblctl purge` (the
 * hourly timer), and readers take the later of the two.
 *
 * Callers: rblctl key (rblctl/cmd_key.c), rbl-admin's key page, rbld.
 */
#ifndef RBL_QKEY_H
#define RBL_QKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/store/store.h"

#define RBL_QKEY_NAME_MAX	32
#define RBL_QKEY_SECRET_LEN	26
#define RBL_QKEY_ZONES_MAX	8
#define RBL_QKEY_CONTACT_MAX	200

enum rbl_qkey_state { RBL_QKEY_ACTIVE = 1, RBL_QKEY_DISABLED = 2 };

typedef struct rbl_qkey {
	char name[RBL_QKEY_NAME_MAX + 1];
	char secret[RBL_QKEY_SECRET_LEN + 1];
	uint32_t number;		/* 1.., never reused */
	uint8_t state;			/* rbl_qkey_state */
	uint32_t quota;			/* queries per UTC day; 0: none */
	uint8_t n_zones;		/* 0: every zone accepting keys */
	char zones[RBL_QKEY_ZONES_MAX][RBL_NAME_MAX + 1];	/* lowercase */
	char contact[RBL_QKEY_CONTACT_MAX + 1];
	int64_t created, rotated, last_used;	/* unix seconds; 0: never */
} rbl_qkey;

/* True if NAME is an acceptable key name: 1..32 of [A-Za-z0-9._-],
 * starting with a letter or digit. */
bool rbl_qkey_name_valid(const char *name);
/* True if the LEN bytes at P have the form of a secret (lowercase). */
bool rbl_qkey_secret_form(const void *p, size_t len);
/* "abcd…" -- the first 4 characters of SECRET, what logs and lists show
 * (keys never appear in full outside `key show` and `key add`). BUF >= 16. */
const char *rbl_qkey_secret_short(const char *secret, char *buf);
/* Parse "a.example,b.example" into K's zones (lowercased, trailing dots
 * dropped; "" or "*": every zone).  RBL_OK or RBL_EINVAL. */
int rbl_qkey_set_zones(rbl_qkey *k, const char *csv);
/* K's zones as "a.example,b.example", or "*" for every zone. */
void rbl_qkey_zones_text(const rbl_qkey *k, char *buf, size_t size);
/* True when K may query zone ZONE (text, lowercase, no trailing dot). */
bool rbl_qkey_covers(const rbl_qkey *k, const char *zone);

/* Create key K->name in write transaction T from K's zones, quota and
 * contact: a new secret and number, state active, created NOW; K is
 * filled in.  RBL_OK, RBL_EEXIST, RBL_EINVAL (bad name), RBL_EIO (no
 * random bytes), store errors. */
int rbl_qkey_add(rbl_txn *t, rbl_qkey *k, int64_t now);
/* Replace the settings of existing key K->name (zones, quota, contact,
 * state) by K's; secret, number and times stay.  RBL_OK, RBL_ENOTFOUND,
 * store errors. */
int rbl_qkey_update(rbl_txn *t, const rbl_qkey *k);
/* A new secret for NAME (rotated = NOW) into *OUT. */
int rbl_qkey_rotate(rbl_txn *t, const char *name, int64_t now,
		    rbl_qkey *out);
/* Set NAME's state. */
int rbl_qkey_set_state(rbl_txn *t, const char *name, int state);
/* Raise NAME's last-used time to WHEN (never lowers it; no generation
 * bump: rbld does not answer by it). */
int rbl_qkey_touch(rbl_txn *t, const char *name, int64_t when);
/* Remove NAME.  RBL_OK, RBL_ENOTFOUND or a store error. */
int rbl_qkey_del(rbl_txn *t, const char *name);
/* Fill *OUT for NAME.  RBL_OK, RBL_ENOTFOUND or a store error. */
int rbl_qkey_get(rbl_txn *t, const char *name, rbl_qkey *out);
/* Call FN for each key in name order; FN returning non-zero stops the
 * walk and is returned.  K is the walker's: copy what must stay. */
int rbl_qkey_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_qkey *k),
		     void *arg);

const char *rbl_qkey_state_name(int state);

/* ---- queries per day, for charts ----
 * Table "qkday": per UTC day and key number (KIND 0) or zone id (KIND 1)
 * the number of queries rbld counted that day.  Written from rbld's
 * counters (zone/kstats.h) by `rblctl key sync` and `rblctl purge`: a
 * note only ever raises a day's number, so repeated notes of the same
 * day are harmless; queries counted by an rbld that restarted later the
 * same day are undercounted (its day count started again at 0). */
enum { RBL_QKDAY_KEY = 0, RBL_QKDAY_ZONE = 1 };
#define RBL_QKDAY_KEEP	400	/* days kept; older ones go at the next note */

/* Raise the count of (DAY, KIND, ID) to N in write transaction T. */
int rbl_qkey_day_note(rbl_txn *t, uint32_t day, int kind, uint32_t id,
		      uint64_t n);
/* Call FN for every record from day FROM on, in day order. */
int rbl_qkey_day_foreach(rbl_txn *t, uint32_t from,
			 int (*fn)(void *arg, uint32_t day, int kind,
				   uint32_t id, uint64_t n), void *arg);

#endif
