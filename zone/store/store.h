/*
 * store.h -- the rbld store: zones, lists and listings in one LMDB
 * environment.  This is the only API any rbld program uses to reach the
 * data.  The other parts of zone/ keep their own records (users, audit,
 * evidence, ...) in the same environment through table.h, inside these
 * same transactions.  The key encoding, the LMDB handles and every LMDB
 * call stay inside zone/store/ (store_impl.h is private to it).
 *
 * Model
 *   list   a named set of listings of one kind (IP prefixes, or domain
 *          names) with a default return code and TXT template.
 *   zone   a DNS zone (SOA, NS, TTLs) answering from one or more lists,
 *          each optionally under a sub-label ("sbl.zen.example").  A zone
 *          with several lists is a combined (ZEN-style) zone: every list
 *          that matches contributes its codes.
 *   entry  one listing (see entry.h): an IP prefix of any length, possibly
 *          an exclusion ("!"), or a domain name (exact and/or its subtree).
 *
 * Reads
 *   Lookups cost one B-tree seek per list for addresses (entries are kept
 *   in chunks as a start-point map: one record per address where an entry
 *   starts, with every entry covering it; see store_chunk.h), and one per
 *   label for domain names.
 *   They allocate nothing and return pointers into the map (rbl_match) that
 *   are valid until the transaction is reset, renewed or ended.  Expired
 *   entries never match, whether or not anything purged them yet.
 *
 * Writes
 *   Every change happens in one write transaction; nothing is visible until
 *   rbl_txn_commit() and a failed or aborted transaction leaves no trace.
 *   Commit bumps the SOA serial of each zone that uses a changed list and
 *   records the changes in the journal (for IXFR).
 *
 * Threads and processes
 *   Any number of processes may open the same store; LMDB serialises
 *   writers.  A transaction belongs to one thread at a time.
 */
#ifndef RBL_STORE_H
#define RBL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/store/entry.h"
#include "zone/error.h"

#define RBL_NAME_MAX		253	/* domain name, text, no trailing dot */
#define RBL_LABEL_MAX		63
#define RBL_LIST_NAME_MAX	63
#define RBL_ZONE_MAX_NS		8
#define RBL_ZONE_MAX_GLUE	8
#define RBL_ZONE_MAX_LISTS	16

typedef struct rbl_store rbl_store;
typedef struct rbl_txn rbl_txn;

/* ---------------------------------------------------------------- store */

enum rbl_store_flags {
	RBL_STORE_RDONLY = 1u << 0,	/* open read-only (rbld) */
	RBL_STORE_CREATE = 1u << 1,	/* create the directory/files if absent */
};

#define RBL_STORE_DEFAULT_MAPSIZE ((size_t)16 << 30)	/* 16 GiB, sparse */

/* Open the store in directory PATH.  MAPSIZE 0 means the default.
 * Returns RBL_OK and *OUT, or RBL_ENOTFOUND (no store there and no
 * RBL_STORE_CREATE: the system said the directory or its data file does
 * not exist), RBL_EPERM (the directory or a file of it may not be
 * entered or opened: whether a store is there is unknown), RBL_EINVAL
 * (PATH is not a directory), RBL_EVERSION (written by an incompatible
 * rbld), RBL_EUPGRADE (read-only, and the store keeps IP entries the
 * format 1-4 way: opening it read-write converts them), RBL_EBUSY (no
 * reader slot), RBL_EMAPFULL, RBL_EIO, RBL_ESTORE, RBL_ENOMEM.  Close
 * with rbl_store_close(). */
int rbl_store_open(const char *path, unsigned flags, size_t mapsize,
		   rbl_store **out);
void rbl_store_close(rbl_store *s);
/* What moves when another process changes the store's file: the last
 * commit's id, and the file's allocated blocks (a compaction gives blocks
 * back after the commit, without one of its own). */
typedef struct rbl_store_mark {
	uint64_t txnid, blocks;
} rbl_store_mark;
/* What rbl_store_rehuge did, for the log. */
typedef struct rbl_rehuge_stats {
	unsigned regions;	/* whole 2 MiB regions of the used map */
	unsigned reread;	/* of them, dropped and read in again */
	unsigned small;		/* of those, still not PMD-mapped after
				   it (known only with scan) */
	double ms;		/* the pass's wall time */
	rbl_store_mark mark;	/* the store when it began */
	bool scan;		/* the kernel told which were 2 MiB already
				   (PAGEMAP_SCAN, Linux 6.7) */
} rbl_rehuge_stats;
/* Give a read-only store's map 2 MiB pages (PMD-mapped) where the page
 * cache holds the file in small folios, as after another process wrote
 * it (an import): at 100M entries that decides the lookup's speed
 * (doc/performance.md).  Per whole 2 MiB region of the used part of the
 * map that is not PMD-mapped already, it unmaps the region, drops its
 * pages from the page cache and reads it in again from disk; meanwhile a
 * lookup there waits for that read.  Where the kernel cannot tell which
 * regions are PMD-mapped (no PAGEMAP_SCAN), the first call does every
 * region and later ones only those past the used end the previous call
 * saw (a writer's pwrite into a 2 MiB folio keeps it whole).  Pages
 * another process maps or that are dirty stay in the cache, and their
 * region stays small-paged.  A read-write store is left alone (*OUT all
 * zero but mark).  Advice only: nothing here fails for the caller; a
 * call the kernel refuses ends the pass and leaves the map as it was,
 * only slower.  Holds a read transaction for its run, so a map size
 * another process set waits for it.  One caller at a time per store, in
 * a thread beside the readers (or before they start); *OUT is filled. */
void rbl_store_rehuge(rbl_store *s, rbl_rehuge_stats *out);
/* The store's mark now (fields LMDB or the system cannot tell are 0). */
void rbl_store_mark_now(rbl_store *s, rbl_store_mark *out);
static inline bool rbl_store_mark_eq(const rbl_store_mark *a,
				     const rbl_store_mark *b)
{
	return a->txnid == b->txnid && a->blocks == b->blocks;
}
/* The directory the store was opened from (owned by the store). */
const char *rbl_store_path(const rbl_store *s);
/* Write a consistent, compacted copy of the store (as `mdb_copy -c`) to
 * DIR/data.mdb while other processes read and write it: the copy is the
 * snapshot of one read transaction.  DIR is created (0750) if missing; the
 * copy is written to DIR/data.mdb.tmp, synced, then renamed over
 * DIR/data.mdb, so DIR never holds half a copy.  *SIZE (may be NULL) gets
 * its size in bytes.  Returns RBL_OK, RBL_EIO (errno kept), RBL_ESTORE.
 * A restored copy's zone serials are older than what secondaries were
 * sent since: see rbl_zone_set_serial. */
int rbl_store_backup(rbl_store *s, const char *dir, uint64_t *size);
/* Give the disk blocks of the store's free pages back to the file system
 * while readers and writers go on (store_compact.c): LMDB never shrinks
 * its file, and replacing a whole list needs the old and the new copy at
 * once, so the file's length settles near twice the data; the pages no
 * reader can see any more become holes (the length stays, the blocks go;
 * a later commit that reuses a page allocates it again).  A commit that
 * rewrote many chunks does this by itself; `rblctl compact` runs it on
 * demand.  *FREED (may be NULL) gets the bytes punched (free pages that
 * were holes already count again).  RBL_OK (also where the file system
 * has no holes: nothing is given back), RBL_EPERM (read-only), RBL_EIO
 * (errno kept), RBL_ESTORE. */
int rbl_store_compact(rbl_store *s, uint64_t *freed);
/* The newest store format this program reads and writes.  A newer program
 * opens an older store: opened read-write, it converts what changed (format
 * 5 keeps IP entries in chunks; the conversion of a format 1-4 store runs
 * in the open, one transaction; 6 only adds a chunk layout, so a format 5
 * store needs no conversion) and marks it with this format; opened
 * read-only, it reads formats 1-4 only when they hold no IP entries the
 * old way (RBL_EUPGRADE otherwise).  An older program refuses a newer
 * store with RBL_EVERSION. */
uint32_t rbl_store_format(void);

/* --------------------------------------------------------- transactions */

/* Begin a read (WRITE false) or write transaction.  Write transactions
 * block while another process writes.  Returns RBL_OK, RBL_EREADONLY,
 * RBL_EBUSY (reader table full), RBL_ESTORE, RBL_ENOMEM. */
int rbl_txn_begin(rbl_store *s, bool write, rbl_txn **out);
/* Commit: bumps serials of affected zones, writes journal records, and makes
 * everything visible at once.  The txn is freed whatever the result.
 * Returns RBL_OK, RBL_EMAPFULL, RBL_EIO, RBL_ESTORE. */
int rbl_txn_commit(rbl_txn *t);
/* Abandon a transaction (read or write) and free it. */
void rbl_txn_abort(rbl_txn *t);
/* Read transactions only: release the snapshot but keep the handle, then
 * take a fresh snapshot.  This is how a long-running reader (a server
 * worker) sees new commits without allocating.  Return RBL_OK/RBL_ESTORE. */
void rbl_txn_reset(rbl_txn *t);
int rbl_txn_renew(rbl_txn *t);
/* Read transactions: a number for the snapshot T reads (from LMDB's
 * transaction id), the same in every read transaction of the store that
 * reads that snapshot, and another after a commit.  Whatever a reader
 * read from the store under one number is still true under it, so a
 * server keeps such values across its batches (rbld: the zone table and
 * the zones' serials) and reads them again when the number moves.
 * Never 0 for a read transaction; always 0 for a write transaction (its
 * data change as it writes).  Numbers of different stores do not
 * compare. */
uint64_t rbl_txn_snapshot(const rbl_txn *t);
/* Write transactions only: a large import.  The journal of the zones it
 * changes gets a reset (IXFR of that many changes costs more than the
 * whole zone), and the IPv4 summaries and prefix length masks of its
 * lists are recomputed once at commit instead of kept up per entry. */
void rbl_txn_set_bulk(rbl_txn *t);
/* Source recorded in journal and entries when an entry's source is empty
 * ("rblctl:alice").  Copied. */
void rbl_txn_set_source(rbl_txn *t, const char *source);

/* A counter bumped by every commit that changes zone or list metadata (not
 * by listing changes).  Readers cache zones and lists and reload them when
 * it moves.  Costs one lookup, in a read transaction one per snapshot
 * (rbl_txn_snapshot). */
int rbl_store_generation(rbl_txn *t, uint64_t *gen);

/* ---------------------------------------------------------------- lists */

enum rbl_list_kind {
	RBL_LIST_IP = 1,	/* IPv4 and IPv6 prefixes */
	RBL_LIST_NAME = 2,	/* domain names */
	RBL_LIST_HASH = 3,	/* hex digests kept as names, answered
				   exactly ("<sha1>._email.zone"): tools
				   hash plain input on the way in */
	RBL_LIST_NEWLY_SEEN = 4,/* domain names first seen recently: an
				   entry that expires answers 127.0.2.N,
				   N = whole hours since it was first seen
				   (rbl_newly_seen_code) */
};
#define RBL_LIST_KINDS		4	/* kinds are 1..RBL_LIST_KINDS */

/* True for the kinds whose listings are domain names (every kind but
 * RBL_LIST_IP): they share the rbl_name_* functions below. */
bool rbl_list_kind_is_name(int kind);
/* "ip", "name", "hash", "newly-seen"; "?" for anything else. */
const char *rbl_list_kind_name(int kind);
/* The kind named S ("domain" is "name"), or 0 if none. */
int rbl_list_kind_parse(const char *s);

/* Newly-seen lists: entries are written to expire RBL_NEWLY_SEEN_WINDOW
 * seconds after the domain was first seen, so the answer needs nothing
 * but the entry: code 127.0.2.N, N = whole hours since first seen
 * (EXPIRES - RBL_NEWLY_SEEN_WINDOW), at least 2 (127.0.2.0/31 are not
 * listing codes) and at most 24.  An entry that never expires (0) keeps
 * its stored code FALLBACK. */
#define RBL_NEWLY_SEEN_WINDOW	86400
uint32_t rbl_newly_seen_code(int64_t expires, int64_t now, uint32_t fallback);

typedef struct rbl_list {
	uint32_t id;			/* assigned by rbl_list_create */
	char name[RBL_LIST_NAME_MAX + 1];
	uint8_t kind;			/* rbl_list_kind */
	uint32_t default_code;		/* 127.0.0.2 unless set */
	uint8_t has_default_txt;	/* 0: no TXT unless the entry has one */
	char default_txt[RBL_TXT_MAX + 1];
	uint64_t n_entries;		/* maintained by the store */
	int64_t changed;		/* unix time of the last change */
} rbl_list;

/* Create list L->name (L->id is assigned and written back).  Returns RBL_OK,
 * RBL_EEXIST, RBL_EINVAL (bad name or kind). */
int rbl_list_create(rbl_txn *t, rbl_list *l);
/* Look up by name or id.  RBL_OK or RBL_ENOTFOUND. */
int rbl_list_get(rbl_txn *t, const char *name, rbl_list *out);
int rbl_list_get_id(rbl_txn *t, uint32_t id, rbl_list *out);
/* Update defaults (name, kind, counters are not changed by this). */
int rbl_list_update(rbl_txn *t, const rbl_list *l);
/* Delete a list and all its entries; fails with RBL_EBUSY while a zone
 * uses it. */
int rbl_list_delete(rbl_txn *t, uint32_t id);
/* Remove all entries of a list.  Zones using it get a journal reset: IXFR
 * from before falls back to a full transfer. */
int rbl_list_clear(rbl_txn *t, uint32_t id);
enum rbl_replace_flags {
	/* journal the difference, not a reset: IXFR then sends what changed
	 * (a difference of more than half the list is still journalled as a
	 * reset: the whole zone is the smaller transfer), and a replacement
	 * that changes nothing moves no serial */
	RBL_REPLACE_JOURNAL = 1u << 0,
};
/* Begin replacing all entries of list ID (a replacing import): the
 * entries added to it next, in rbl_ip_foreach's order, become its content,
 * merged with what it holds.  Only the difference is written: an entry
 * that comes again with the same answer (flags, codes, TXT, expiry) stays
 * as stored, with its time added and source; an old entry not given again
 * is deleted, except the RFC 5782 test entries the store added (source
 * "rfc5782"); chunks of the list that come out unchanged are not
 * rewritten.  The journal gets a reset, as by rbl_list_clear, unless
 * FLAGS has RBL_REPLACE_JOURNAL.  Anything else done to the list (an add
 * out of order, a delete, a read) ends the merge first (old entries not
 * given by then are deleted); the end result is the same, only slower.  A
 * name list is merged the same way, its names given in rbl_name_order (a
 * name's exact entry, then its subtree one), slot by slot; names that
 * come out unchanged are not written.  Returns RBL_OK, RBL_ENOTFOUND, RBL_ENOMEM. */
int rbl_list_replace_begin(rbl_txn *t, uint32_t id, unsigned flags);
/* Call FN for each list in name order; stops and returns FN's value when
 * it is non-zero. */
int rbl_list_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_list *l),
		     void *arg);

/* ---------------------------------------------------------------- zones */

typedef struct rbl_zone_list {
	uint32_t list_id;
	char sub[RBL_LABEL_MAX + 1];	/* "" = answer at the zone itself */
} rbl_zone_list;

typedef struct rbl_glue {
	char name[RBL_NAME_MAX + 1];	/* an in-zone name server */
	rbl_addr addr;
} rbl_glue;

typedef struct rbl_zone {
	uint32_t id;			/* assigned by rbl_zone_create */
	char name[RBL_NAME_MAX + 1];	/* lowercase, no trailing dot */
	uint32_t serial;		/* bumped by every commit touching it */
	char mname[RBL_NAME_MAX + 1];	/* SOA primary */
	char rname[RBL_NAME_MAX + 1];	/* SOA mailbox, "hostmaster.x" */
	uint32_t refresh, retry, expire, minimum;
	uint32_t ttl;			/* A/TXT of listed entries */
	uint32_t neg_ttl;		/* SOA in NXDOMAIN/NODATA answers */
	uint32_t ns_ttl;		/* apex SOA and NS answers */
	uint8_t n_ns;
	char ns[RBL_ZONE_MAX_NS][RBL_NAME_MAX + 1];
	uint8_t n_glue;
	rbl_glue glue[RBL_ZONE_MAX_GLUE];
	uint8_t n_lists;
	rbl_zone_list lists[RBL_ZONE_MAX_LISTS];
} rbl_zone;

/* Fill Z with defaults for zone NAME: SOA ns/hostmaster under the zone,
 * refresh 3600, retry 600, expire 604800, minimum/neg_ttl 300, ttl 300,
 * ns_ttl 86400, one NS "ns.<zone>", no lists. */
void rbl_zone_defaults(rbl_zone *z, const char *name);
/* Create zone Z (id assigned, serial starts at 1).  The lists it names must
 * exist.  Returns RBL_OK, RBL_EEXIST, RBL_ENOTFOUND (list), RBL_EINVAL. */
int rbl_zone_create(rbl_txn *t, rbl_zone *z);
int rbl_zone_get(rbl_txn *t, const char *name, rbl_zone *out);
int rbl_zone_get_id(rbl_txn *t, uint32_t id, rbl_zone *out);
/* Replace a zone's settings (id and name stay; serial is bumped). */
int rbl_zone_update(rbl_txn *t, const rbl_zone *z);
int rbl_zone_delete(rbl_txn *t, uint32_t id);
/* Current serial only: one small lookup (the server's negative answers). */
int rbl_zone_serial(rbl_txn *t, uint32_t zone_id, uint32_t *serial);
/* Serial number arithmetic (RFC 1982): A comes after B, i.e. A != B and
 * A - B (mod 2^32) < 2^31.  Not transitive across more than 2^31. */
bool rbl_serial_after(uint32_t a, uint32_t b);
/* Move zone ZONE_ID's serial forward to SERIAL (after the current one,
 * RFC 1982) and restart its journal there with a reset: an IXFR from any
 * other serial gets the whole zone.  This is for restored backups, whose
 * serials went back while secondaries keep newer ones (and data the
 * restored store may not have): those refetch only once the serial passes
 * theirs, and must not get increments computed from a history they do not
 * share.  Commits after it count on from SERIAL.  Returns RBL_OK,
 * RBL_ENOTFOUND (zone), RBL_EINVAL (SERIAL not after the current). */
int rbl_zone_set_serial(rbl_txn *t, uint32_t zone_id, uint32_t serial);
int rbl_zone_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_zone *z),
		     void *arg);
/* The entries of the lists zone Z answers from, added up (a list attached
 * under two sub-labels counts twice, one that cannot be read not at all):
 * the one count `rblctl stats`, the dashboard and /metrics show. */
uint64_t rbl_zone_entries(rbl_txn *t, const rbl_zone *z);

/* Convenience for tools: create list NAME of KIND and zone NAME answering
 * from it, with the RFC 5782 test entries (IP: 127.0.0.2 and ::ffff:7f00:2
 * listed, 127.0.0.1 and ::ffff:7f00:1 excluded; names: "test" listed,
 * "invalid" excluded).  *ZONE_OUT may be NULL. */
int rbl_zone_create_simple(rbl_txn *t, const char *name, int kind,
			   rbl_zone *zone_out);
/* Add the RFC 5782 test entries to list LIST_ID (idempotent). */
int rbl_list_add_test_entries(rbl_txn *t, uint32_t list_id);

/* ------------------------------------------------------- zone records */

/* Fixed A/AAAA/TXT/MX records at names of a zone (zrec.h has the type).
 * Replace zone ZONE_ID's records by V[0..N-1], N <= RBL_ZREC_MAX (0 drops
 * them): the zone's serial moves and IXFR answers with the whole zone.
 * Returns RBL_OK, RBL_ENOTFOUND (zone), RBL_EINVAL (a record fails
 * rbl_zrec_check), RBL_ELIMIT (too many). */
typedef struct rbl_zrec rbl_zrec;
int rbl_zrec_replace(rbl_txn *t, uint32_t zone_id, const rbl_zrec *v,
		     size_t n);
/* The records of zone ZONE_ID, in owner order, into *V (malloc'd, the
 * caller frees; NULL when there are none) and *N. */
int rbl_zrec_get(rbl_txn *t, uint32_t zone_id, rbl_zrec **v, size_t *n);

/* -------------------------------------------------------- IP listings */

/* Add or replace the entry for exactly prefix P.  E->added 0 = now.
 * Returns RBL_OK, RBL_ENOTFOUND (list), RBL_EINVAL (wrong kind, bad
 * prefix), RBL_EMAPFULL. */
int rbl_ip_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
	       const rbl_entry *e);
/* The same, when E is the E of this transaction's last rbl_ip_add (or
 * rbl_ip_add_again) call, which returned RBL_OK, and its bytes have not
 * changed since: an import's records share one entry, and comparing it
 * each time was 3% of a replace.  Another E than last time is compared
 * as rbl_ip_add does, so only a changed E at the same address is the
 * caller's fault. */
int rbl_ip_add_again(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		     const rbl_entry *e);
/* Remove the entry for exactly P.  RBL_OK or RBL_ENOTFOUND. */
int rbl_ip_del(rbl_txn *t, uint32_t list_id, const rbl_prefix *p);
/* The entry stored for exactly P.  RBL_OK or RBL_ENOTFOUND. */
int rbl_ip_get(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
	       rbl_entry *out);

/* The hot path: is A listed in LIST_ID at time NOW?  RBL_OK with *OUT
 * filled, or RBL_ENOTFOUND (not listed, excluded, or expired).  One
 * descent, no allocation. */
int rbl_ip_lookup(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		  int64_t now, rbl_match *out);
/* A hint before rbl_ip_lookup(T, LIST_ID, A): ask the CPU for the memory
 * that lookup will read (the chunk of an IPv4 list with a summary and a
 * chunk index ready in T), and return at once, so that the cache misses
 * of several lookups taken this way, then looked up, overlap instead of
 * following one another (rbld does it for a batch of UDP queries).  Any
 * T, LIST_ID and A are allowed: whatever it cannot use (IPv6, a write
 * transaction, a list without summary or index, no such list) it
 * ignores.  Changes no answer, allocates nothing, reports nothing. */
void rbl_ip_prefetch(rbl_txn *t, uint32_t list_id, const rbl_addr *a);
/* rbl_ip_prefetch in steps, for a pipeline over many addresses: STAGE 0
 * asks for the first level of what a lookup reads (the summary's line,
 * the chunk index's top slot), each next stage reads only what the one
 * before asked for and asks for the next level; the last stage
 * (RBL_IP_PREFETCH_STAGES - 1) is rbl_ip_prefetch.  Run stage 0 for an
 * address several addresses ahead of stage 1, and so on, so that no
 * stage waits for memory: rbld's UDP batches do (udp.c). */
#define RBL_IP_PREFETCH_STAGES	3
void rbl_ip_prefetch_stage(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
			   unsigned stage);
/* Whether rbl_ip_prefetch in LIST_ID would now pay for itself and for
 * what its caller spends to find the address: the list is big (its
 * chunks exceed what a last-level cache keeps) and T has its chunk index
 * ready.  Cheap: a look at T's own state; any T and LIST_ID. */
bool rbl_ip_prefetch_pays(rbl_txn *t, uint32_t list_id);
/* For tools: like rbl_ip_lookup but also reports which stored prefix
 * decided (the most specific unexpired entry covering A, which may be an
 * exclusion: then RBL_ENOTFOUND is returned and *DECIDED and *E filled with the
 * exclusion; when nothing covers A, *DECIDED->len is 255). */
int rbl_ip_explain(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		   int64_t now, rbl_prefix *decided, rbl_entry *e);
/* True (1) if any address inside P is listed at NOW, 0 if none, <0 error.
 * Used for empty non-terminals ("2.0.192.bl.example"). */
int rbl_ip_any_within(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		      int64_t now);

/* Visit stored entries (in address order, v4 before v6; a prefix before
 * the prefixes inside it).  WITHIN NULL = all.  FN returning non-zero
 * stops the walk and is returned. */
typedef int (*rbl_ip_visit_fn)(void *arg, const rbl_prefix *p,
			       const rbl_entry *e);
int rbl_ip_foreach(rbl_txn *t, uint32_t list_id, const rbl_prefix *within,
		   rbl_ip_visit_fn fn, void *arg);

/* Visit the flattened answer map: maximal runs [LO, HI] of addresses that
 * all get the same answer at NOW, listed runs only, in address order.  This
 * is what zone transfers and exports expand. */
typedef int (*rbl_seg_visit_fn)(void *arg, const rbl_addr *lo,
				const rbl_addr *hi, const rbl_match *m);
int rbl_ip_foreach_listed(rbl_txn *t, uint32_t list_id, int64_t now,
			  rbl_seg_visit_fn fn, void *arg);

/* ------------------------------------------------ domain-name listings */

/* The order in which the store keeps the names of a list (labels
 * compared from the right): <0, 0, >0 like strcmp for lowercase names A
 * and B.  A bulk import that writes names in this order fills pages
 * completely. */
int rbl_name_order(const char *a, const char *b);

/* Names are given in text form, case-insensitive, without trailing dot.
 * E->flags says whether the name itself (RBL_ENTRY_NAME_EXACT) and/or
 * everything below it (RBL_ENTRY_NAME_SUBS) is listed; neither means EXACT.
 * rbldnsd: "x" = EXACT, "*.x" = SUBS, ".x" = EXACT|SUBS.  A name holds its
 * exact and its subtree entry separately (they may differ: "x" listed and
 * "!*.x"); add sets the slots named, keeping the other.  del: "x" removes
 * the exact entry, "*.x" the subtree one, ".x" both (RBL_ENOTFOUND if none
 * existed).  get: "*.x" the subtree entry, "x"/".x" the exact one, else the
 * subtree one; flags carry both bits when both slots hold the same entry.
 * rbl_name_foreach yields such a pair once with both flags, else the exact
 * entry, then the subtree one. */
int rbl_name_add(rbl_txn *t, uint32_t list_id, const char *name,
		 const rbl_entry *e);
int rbl_name_del(rbl_txn *t, uint32_t list_id, const char *name);
int rbl_name_get(rbl_txn *t, uint32_t list_id, const char *name,
		 rbl_entry *out);

/* The hot path for domain lists.  The name is given as wire labels, as the
 * server has them: LABELS[0] leftmost, LENS[i] bytes each, any case.  The
 * most specific matching entry decides (an exact entry beats a wildcard on
 * a parent; an exclusion decides "not listed").  RBL_OK or RBL_ENOTFOUND.
 * No allocation. */
int rbl_name_lookup(rbl_txn *t, uint32_t list_id,
		    const uint8_t *const *labels, const uint8_t *lens,
		    unsigned nlabels, int64_t now, rbl_match *out);
/* Same, from text ("bad.example.com"). */
int rbl_name_lookup_str(rbl_txn *t, uint32_t list_id, const char *name,
			int64_t now, rbl_match *out);
/* 1 if some entry lies strictly below the name (empty non-terminal), 0 if
 * not, <0 error. */
int rbl_name_has_below(rbl_txn *t, uint32_t list_id,
		       const uint8_t *const *labels, const uint8_t *lens,
		       unsigned nlabels, int64_t now);

typedef int (*rbl_name_visit_fn)(void *arg, const char *name,
				 const rbl_entry *e);
int rbl_name_foreach(rbl_txn *t, uint32_t list_id, rbl_name_visit_fn fn,
		     void *arg);
/* The same for NAME's own entries and, with BELOW, those of every name
 * under it (one seek, not a walk of the list): what an IXFR rebuilds of
 * a name tree.  RBL_EINVAL for a name the store cannot key. */
int rbl_name_foreach_under(rbl_txn *t, uint32_t list_id, const char *name,
			   bool below, rbl_name_visit_fn fn, void *arg);

/* ------------------------------------------------------- maintenance */

/* Delete entries whose expiry is at or before NOW, in all lists; the count
 * removed goes to *N (may be NULL).  Bumps serials like any change. */
int rbl_purge_expired(rbl_txn *t, int64_t now, uint64_t *n);

typedef struct rbl_store_stats {
	size_t map_size;	/* bytes reserved */
	size_t map_used;	/* bytes in use (last page * page size) */
	size_t page_size;
	unsigned max_readers, num_readers;
	uint64_t n_entries;	/* all lists */
} rbl_store_stats;
int rbl_store_stats_get(rbl_txn *t, rbl_store_stats *out);

/* ---------------------------------------------------------- journal */

enum rbl_change_op { RBL_CHANGE_ADD = 1, RBL_CHANGE_DEL = 2 };

typedef struct rbl_change {
	uint32_t serial;	/* the zone serial this change produced */
	uint8_t op;		/* rbl_change_op */
	uint32_t list_id;
	uint8_t is_name;	/* 0: prefix is set, 1: name is set */
	rbl_prefix prefix;
	char name[RBL_NAME_MAX + 1];
	rbl_entry entry;	/* the entry added, or the one deleted */
} rbl_change;

/* Visit the changes that took zone ZONE_ID from serial FROM to its current
 * serial, oldest first.  RBL_ESTALE when the journal no longer reaches back
 * to FROM (pruned, or a replacing import): the caller falls back to a full
 * transfer. */
int rbl_journal_foreach(rbl_txn *t, uint32_t zone_id, uint32_t from,
			int (*fn)(void *arg, const rbl_change *c), void *arg);
/* Drop journal records older than KEEP_SECONDS. */
int rbl_journal_prune(rbl_txn *t, int64_t now, int64_t keep_seconds);

#endif
