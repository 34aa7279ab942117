/*
 * nameev.h -- evidence about names: the domains a trap message links to
 * and the hashed addresses it asks replies to go to, kept beside the
 * address evidence of evidence.h with the same rules.
 *
 * A trap message that names N domains is N pieces of evidence of kind
 * "uri" (and a hashed Reply-To address one of kind "reply-to"), all from
 * one message: same time, same source, same SHA-256 of the normalised
 * message, kept as one record with the link as it was found for each
 * name, so a reviewer sees why a domain is listed.  The ingest path
 * reads a message only when its sender evidence (evidence.h, one record
 * per hash) was new, so a replay adds nothing here either; this table
 * refuses the same (time, hash) twice on its own.
 *
 * Storage: one table "nev" (zone/store/table.h), written in the caller's
 * transaction together with the scores and listings of namepol.h:
 *   0x01 when(8) hash(32)    -> the message: weight, source, summary,
 *                               its names and links
 *   name 0x00 TYPE ...       -> namepol.h's records of a name (its score
 *                               states hold the references to its newest
 *                               messages: namepol.h)
 * Messages sort by time, so a trap import appends and the retention
 * deletes from the front; nothing here is written per name, which is
 * what keeps link evidence cheap to record.  Names are lowercase ASCII:
 * a registered domain in Punycode, or the 40 hex digits of SHA-1 of an
 * address.
 */
#ifndef RBL_NAMEEV_H
#define RBL_NAMEEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/policy/evidence.h"
#include "zone/store/store.h"

enum rbl_nev_kind {
	RBL_NEV_URI = 1,	/* a link in a trap message: its domain */
	RBL_NEV_REPLY_TO = 2,	/* a trap message's Reply-To, hashed */
};
#define RBL_NEV_KINDS		2

#define RBL_NEV_MAX_NAMES	64	/* names of one message */
#define RBL_NEV_FOUND_MAX	200	/* the link or address as found */
#define RBL_NEV_SUMMARY_MAX	255	/* "Subject: ..." */

/* "uri", "reply-to"; "?" for anything else.  Parse: the kind or 0. */
const char *rbl_nev_kind_name(int kind);
int rbl_nev_kind_parse(const char *s);

typedef struct rbl_nev_item {
	uint8_t kind;				/* rbl_nev_kind */
	double weight;				/* > 0 */
	char name[RBL_NAME_MAX + 1];
	char found[RBL_NEV_FOUND_MAX + 1];	/* printable, one line */
} rbl_nev_item;

typedef struct rbl_nev_msg {
	uint8_t hash[RBL_EV_HASH_LEN];		/* of the normalised message */
	int64_t when;
	char source[RBL_EV_SOURCE_MAX + 1];	/* "trap:spam@trap.example" */
	char summary[RBL_NEV_SUMMARY_MAX + 1];	/* "Subject: ..." */
	unsigned n;
	rbl_nev_item items[RBL_NEV_MAX_NAMES];	/* distinct (kind, name) */
} rbl_nev_msg;

/* True if S is a name evidence may be about: 1..253 bytes of lowercase
 * letters, digits, '-', '_' and dots between non-empty labels. */
bool rbl_nev_name_ok(const char *s);

/*
 * Record the N items of M in write transaction T.  Returns RBL_OK,
 * RBL_EEXIST (this message, same time and hash, is stored: nothing
 * changed), RBL_EINVAL (no items, a bad name, kind or weight, two items
 * with the same kind and name), or a store error.
 */
int rbl_nev_add(rbl_txn *t, const rbl_nev_msg *m);
/* The message of time WHEN whose hash starts with the HASH_LEN bytes at
 * HASH (8 or 32) into *OUT.  RBL_OK or RBL_ENOTFOUND (pruned, or never
 * stored). */
int rbl_nev_get(rbl_txn *t, int64_t when, const uint8_t *hash,
		size_t hash_len, rbl_nev_msg *out);

/* One piece of evidence as walks hand it out (valid during the call). */
typedef struct rbl_nev {
	const char *name;
	uint8_t kind;
	double weight;
	int64_t when;
	uint8_t hash[RBL_EV_HASH_LEN];
	const char *found;
	const char *source;
	const char *summary;
} rbl_nev;
typedef int (*rbl_nev_visit_fn)(void *arg, const rbl_nev *ev);

/* Every piece of evidence of the messages at or after SINCE, oldest
 * first (dumps).  FN returning non-zero stops the walk and is returned. */
int rbl_nev_foreach(rbl_txn *t, int64_t since, rbl_nev_visit_fn fn,
		    void *arg);

/* Delete the messages older than BEFORE: retention.  The count of pieces
 * of evidence removed goes to *N (may be NULL). */
int rbl_nev_prune(rbl_txn *t, int64_t before, uint64_t *n);

/* The table of name evidence, which namepol.c shares (see above). */
#define RBL_NEV_TABLE		"nev"

#endif
