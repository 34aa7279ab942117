/*
 * links.h -- the content side of a trap message for the ingest path: the
 * registered domains its links point to and, when a domain policy asks
 * for it, the SHA-1 of its Reply-To addresses, recorded as name evidence
 * (zone/policy/nameev.h) and noted for the domain policies
 * (zone/policy/namepol.h) in the ingest batch's transaction.
 *
 * Never evidence (decided here, before the store is touched):
 *   - domains of the link allow files ("trap: link-allow-file", the
 *     shipped example is contrib/link-allow.txt): large mail providers,
 *     tracking domains of big senders -- and link shorteners, unless a
 *     policy lists them with code-redirector;
 *   - the trap's own domains: the domain of the trap address the message
 *     reached and "trap: own-domain" (with every name below them);
 *   - a Reply-To address that repeats the From address: From is forged,
 *     and a forger copying it would list an innocent sender.
 * Only messages whose sender evidence was just added are read: a
 * duplicate message was read when it first came, and local mail (every
 * hop trusted) or mail without a usable Received header is not spam
 * we can vouch for.
 */
#ifndef RBL_IMPORT_LINKS_H
#define RBL_IMPORT_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/config/config.h"
#include "zone/policy/namepol.h"
#include "zone/store/store.h"
#include "mime.h"

typedef struct rbl_links rbl_links;

typedef struct rbl_links_stats {
	uint64_t links;		/* hosts found in links */
	uint64_t allowed;	/* of them: allow file or own domain */
	uint64_t added;		/* name evidence pieces recorded */
	uint64_t duplicates;	/* messages whose names were stored */
	uint64_t reply_to;	/* Reply-To hashes among ADDED */
} rbl_links_stats;

/* Set up from C for store S: the domain policies (resolved), the public
 * suffix list ("rdns: psl-file", PRIVATE section included), the allow
 * files, the own domains.  *OUT is NULL when C has no domain-policy:
 * links are then not read at all.  RBL_OK, or RBL_EINVAL / RBL_ENOTFOUND
 * / RBL_EIO with the reason in ERR, RBL_ENOMEM, store errors. */
int rbl_links_open(rbl_store *s, const rbl_conf *c, rbl_links **out,
		   char *err, size_t errlen);
void rbl_links_free(rbl_links *l);

/* Trap message M (the LF-normalised message, its evidence HASH, time
 * WHEN, SOURCE "trap:ADDRESS", WEIGHT) in write transaction T: record
 * its names and note them.  Counts are ADDED to *ST.  RBL_OK, RBL_ENOMEM
 * or a store error (the caller aborts the batch). */
int rbl_links_trap(rbl_links *l, rbl_txn *t, const rbl_msg *m,
		   const uint8_t *hash, int64_t when, const char *source,
		   double weight, rbl_links_stats *st);
/* Settle what the batch noted, before it commits; newly listed names
 * are ADDED to *NEWLY.  RBL_OK or a store error. */
int rbl_links_settle(rbl_links *l, rbl_txn *t, int64_t now,
		     uint64_t *newly);
/* The batch was aborted: forget what it noted. */
void rbl_links_reset(rbl_links *l);

/* --------------------------------------- allow files (link_allow.c) */

enum rbl_link_allow {
	RBL_LINK_NONE = 0,
	RBL_LINK_ALLOW,		/* legitimate: never evidence */
	RBL_LINK_REDIRECTOR,	/* a link shortener */
	RBL_LINK_OWN,		/* one of the trap's own domains */
};

typedef struct rbl_link_allowset rbl_link_allowset;

/* An empty set.  RBL_OK or RBL_ENOMEM. */
int rbl_link_allow_new(rbl_link_allowset **out);
void rbl_link_allow_free(rbl_link_allowset *a);
/* Add NAME (lowercased, Punycode for IDN) with category CAT; a name
 * already there keeps the stronger category (own > allow > redirector).
 * RBL_OK, RBL_EINVAL (not a domain name), RBL_ENOMEM. */
int rbl_link_allow_add(rbl_link_allowset *a, const char *name, int cat);
/* Read an allow file: one domain per line, optionally followed by the
 * word "redirector"; '#' starts a comment.  RBL_OK, RBL_EIO (cannot be
 * read whole, ERR says why), RBL_ESYNTAX ("path:line: ..." in ERR). */
int rbl_link_allow_load(rbl_link_allowset *a, const char *path, char *err,
			size_t errlen);
/* The category of HOST (whose registered domain DOMAIN is a suffix of
 * it): the entry of HOST or of its nearest parent that has one, up to
 * the top-level domain. */
int rbl_link_allow_match(const rbl_link_allowset *a, const char *host,
			 const char *domain);
/* Number of names in the set. */
size_t rbl_link_allow_count(const rbl_link_allowset *a);

#endif
