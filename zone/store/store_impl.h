/*
 * store_impl.h -- the store's private side: only the files of zone/store/
 * include it (and the unit tests of the store's own internals, which say
 * why).
 * Programs use store.h; the other parts of zone/ that keep their own
 * records in the store use table.h (and bytes.h for their keys): no LMDB
 * call, handle or type is seen outside zone/store/.
 *
 * The files below call each other in one direction only, bottom first
 * (tests/build/calls.test finds any circle):
 *   store_txn.c      LMDB codes as rbl_error; a txn's own record
 *   store_codec.c    key and value layouts, checks, put/get wrappers
 *   store_huge.c     a read-only map in 2 MiB pages (advice)
 *   store.c          the environment, named databases, LMDB txn ends
 *   table.c          named tables for the rest of zone/ (table.h)
 *   store_serial.c   zone serials (read by the journal and zone records)
 *   store_list.c     list records, entry counts
 *   journal.c        the change journal behind IXFR
 *   the listings:
 *     store_ipscan.c   IP chunks in the store: keys, seeks, raw walks,
 *                      writing pieces (their layout is store_chunk.c,
 *                      read in place, which store_chunk_mem.c, a chunk
 *                      in memory, and store_chunk_enc.c, its encoding,
 *                      use)
 *     store_lenmask.c  prefix lengths in use
 *     store_v4sum.c    IPv4 summaries
 *     store_ckidx.c    chunk indexes of big IPv4 lists, per read txn
 *     store_ipread.c   IP lookups, explanations, walks
 *     store_ipw.c      IP changes: the chunk being edited, purges
 *     store_build.c    the chunk builder: sorted entries in, chunks out
 *     store_replace.c  replacing imports
 *     store_upgrade.c  converting a format 1-4 store's IP entries
 *     store_ip.c       the IP listing API (store.h) on top of those
 *     store_namekey.c  domain-name keys, a name's slots as stored
 *     store_namerep.c  replacing imports of name lists
 *     store_name.c     domain-name listings (store.h) on top of those
 *   store_zrec.c     a zone's fixed records
 *   store_zone.c     zone records, the commit-time serial bump
 *   store_purge.c    removing listings in bulk (purge, list clear/delete)
 *   store_backup.c   the store as a whole: opening (with the conversion),
 *                    copy, format, statistics
 *   store_compact.c  free pages' disk blocks given back (hole punching)
 *   store_commit.c   commit, abort, reset, renew: each part's hooks
 * (bytes.c, entry.c, kvrec.c and zrec.c are leaves that call no store
 * file but the codec.)
 *
 * On-disk layout (format RBL_STORE_FORMAT; every integer big-endian so keys
 * sort numerically):
 *   meta     "#version" u32, "#generation" u64, "#next_list"/"#next_zone"
 *            u32; 'l'+id -> list record, 'L'+name -> id; 'z'+id -> zone
 *            record, 'Z'+name -> id; 's'+id -> zone serial u32;
 *            'v'+id -> IPv4 summary of a large IP list, 2^24 bits
 *            (store_v4sum.c); 'n'+id+fam -> prefix lengths in use
 *            (store_lenmask.c).
 *   ipchunk  list|fam|addr -> a chunk of the list's IP entries, the
 *            records from ADDR (its first) to the next chunk's key
 *            (store_chunk.h: one record per address where an entry
 *            starts, with every entry covering it, and in a version 2
 *            chunk the text of the entry starting there); a lookup is the
 *            chunk with the greatest key <= the address, a binary search
 *            in it and a walk of one chain.  (Formats 1-4 had "ipent",
 *            entries as entered, and "ipseg", a segment map.)
 *   name     list|labels reversed, each followed by 0x00 -> the name's
 *            exact and subtree entries: one entry (its flags say which
 *            slots it fills; both = the same entry in both), or 0xb1,
 *            u16 length, exact entry, subtree entry (store_name.c)
 *   journal  zone|serial|seq -> seq 0: serial header, else one change
 *   (fam is 4 or 6, so IPv4 sorts before IPv6 within a list.)
 *
 * Error handling: every LMDB return code goes through rbl_mdb_error().  A
 * write transaction in which a step failed after something was written is
 * marked broken (rbl_txn_fail); its commit then aborts and fails.
 */
#ifndef RBL_STORE_IMPL_H
#define RBL_STORE_IMPL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "zone/error.h"
#include "zone/store/bytes.h"
#include "zone/store/store.h"
#include "zone/store/store_chunk.h"
#include "zone/store/table.h"

/* Bump on any incompatible layout.  2 added the IPv4 summaries: a format 1
 * store is upgraded by the first writer (it has no summaries, which is
 * valid), while format 1 programs must not write a format 2 store, as they
 * would leave summaries stale.  3 added the prefix length masks (same
 * reasoning: a missing mask is computed by the first writer needing it).
 * 4 lets a name hold different exact and subtree entries (a "pair" value
 * older programs cannot read); a format 1-3 value is a valid format 4 one,
 * so those stores open unchanged and the first writer stamps them 4.
 * 5 keeps IP entries in chunks ("ipchunk") instead of "ipent" and
 * "ipseg": the first writer converts them (store_upgrade.c) before it
 * stamps 5; a reader refuses a store that still holds IP entries the old
 * way (RBL_EUPGRADE).
 * 6 lets a chunk give each record a text of its own (chunk version 2,
 * store_chunk.h), which format 5 programs cannot read; a format 5 store's
 * chunks are all version 1, valid in format 6, so it opens unchanged,
 * readers leave it so, and the first writer stamps 6 (chunks become
 * version 2 only when rewritten, and only where that is smaller). */
#define RBL_STORE_FORMAT	6
#define RBL_STORE_FORMAT_OLDEST	1	/* oldest format still opened */
#define RBL_STORE_MAXDBS	32	/* ours + room for other modules */
#define RBL_STORE_MAXREADERS	1024
#define RBL_DB_NAME_MAX		31	/* extra database names */
/* A lookup considers at most this many entries covering the address, most
 * specific first: with nine nested live entries over one address, the
 * widest one does not answer for it once the eight inside it have all
 * expired (until a purge removes those). */
#define RBL_CHAIN_MAX		8
/* A transaction recording more changes than this journals a reset instead:
 * such a transfer is better done in full. */
#define RBL_JOURNAL_MAX_CHANGES	100000

/* An extra named database opened through rbl_store_db(). */
struct rbl_named_db {
	char name[RBL_DB_NAME_MAX + 1];
	MDB_dbi dbi;
	rbl_txn *pending;	/* write txn that created it, until commit */
};

struct rbl_store {
	MDB_env *env;
	char *path;
	unsigned flags;				/* rbl_store_flags */
	MDB_dbi meta, ipchunk, name, journal;
	bool legacy;		/* format 1-4 IP entries: a writer converts */
	pthread_mutex_t lock;			/* guards extra[], map size */
	atomic_int live_txns;			/* begun, not reset or ended */
	atomic_uint map_gen;	/* maps set since open: pointers into an
				   older one are void (store_ckidx.c) */
	size_t huge_seen;	/* regions the last rbl_store_rehuge saw */
	bool huge_noscan;	/* rbl_store_rehuge acts as on a kernel
				   without PAGEMAP_SCAN (tests set it, to
				   check that fallback on kernels that have
				   the ioctl) */
	struct rbl_named_db extra[RBL_STORE_MAXDBS];
	unsigned n_extra;
	/* scratch IPv4 summary for commits (one write txn at a time holds
	 * LMDB's writer lock), kept so that each commit does not fault in
	 * 2 MiB of fresh memory; freed by rbl_store_close */
	uint8_t *v4sum_buf;
};

/* A set of prefix lengths 0..128, bit N at byte N / 8 (store_lenmask.c). */
#define RBL_LENMASK_BYTES	17

static inline bool rbl_lenmask_bit(const uint8_t *mask, unsigned n)
{
	return mask[n >> 3] >> (n & 7) & 1;
}

static inline void rbl_lenmask_set_bit(uint8_t *mask, unsigned n)
{
	mask[n >> 3] |= (uint8_t)(1u << (n & 7));
}

/* What a write transaction did to one list, applied at commit. */
enum rbl_list_mark {
	RBL_LIST_CHANGED = 1u << 0,	/* entries changed: bump zone serials */
	RBL_LIST_REBUILD = 1u << 1,	/* exact masks, whole summary at commit */
	RBL_LIST_RESET	 = 1u << 2,	/* journal a reset, not the changes */
	RBL_LIST_V4SUM_FULL = 1u << 3,	/* rebuild the IPv4 summary at commit
					   (so does RBL_LIST_REBUILD) */
};

/* /24 numbers LO..HI an IPv4 prefix added (DEL false) or deleted covers. */
struct rbl_v4range {
	uint32_t lo, hi;
	bool del;
};

struct rbl_list_state {
	uint32_t id;
	unsigned marks;			/* rbl_list_mark */
	int64_t delta;			/* change of n_entries */
	struct rbl_v4range *v4r;	/* summary changes (store_v4sum.c) */
	size_t n_v4r, cap_v4r;
	uint8_t *v4base;		/* the summary a replacement left, or
					   NULL (store_v4sum.c) */
	/* prefix lengths in use, [0] IPv4, [1] IPv6 (store_lenmask.c) */
	uint8_t lenmask[2][RBL_LENMASK_BYTES];
	uint8_t lenmask_known;		/* bit f: lenmask[f] loaded */
};

/* A read transaction's cached pointer to a list's IPv4 summary. */
struct rbl_v4sum_slot {
	uint32_t list_id;
	const uint8_t *bits;		/* NULL: the list has none */
};
#define RBL_V4SUM_SLOTS		16

/* A chunk in an index: its first address, and its bytes in the map
 * (SIZE < 64 KiB: store_chunk.h), in one 16-byte entry, so that the
 * search and what it finds read the same cache line.  REC_END, where
 * its records end (rbl_ck_rec_end), is learned by the first lookup in
 * it (0 until then) and tells the prefetch which lines a lookup will
 * read; only a hint, never trusted for the answer. */
struct rbl_ckent {
	uint32_t first;
	uint16_t size, rec_end;
	const void *data;
};

/* The chunk index of one IPv4 list in a read transaction handle
 * (store_ckidx.c): the first address of each chunk, ascending, and where
 * its bytes are, as read from snapshot TXNID in the map MAPGEN. */
struct rbl_ckidx {
	uint32_t list_id;
	bool used, complete, failed;
	uint64_t txnid;
	unsigned mapgen;
	uint32_t n, cap;
	uint32_t prev_n;		/* building: ENT[N, PREV_N) still hold
					 * the last build's entries */
	struct rbl_ckent *ent;		/* ascending first addresses */
	uint32_t next;			/* building: the address to go on from */
	/* complete: TOP[h], h < 2^TOP_BITS, is the index of the first chunk
	 * whose first address >> (32 - TOP_BITS) is h or more (TOP[2^bits]
	 * is N); TOP_BITS 0: none, search all of ENT */
	uint32_t *top;
	unsigned top_bits;
	/* one allocation holds ENT and TOP (store_ckidx.c: grow):
	 * MEM_LEN bytes, mmap'd in 2 MiB pages when MEM_MAPPED */
	void *mem;
	size_t mem_len;
	bool mem_mapped;
};
#define RBL_CKIDX_SLOTS		8
/* Chunks from which prefetching a list's lookups pays (16 MiB of chunk
 * bytes, more than a shared last-level cache keeps of them: at 1M
 * entries, 1,072 chunks, the lookups hit the cache and a prefetch pass
 * costs more than it saves; doc/performance.md). */
#define RBL_CKIDX_PREFETCH_MIN	4096
/* Lines of a chunk's tail a prefetch asks for (store_ckidx.c: prefetch):
 * the last record's, and the chain, attribute and source tables and
 * data after it, 64-255 bytes in a chunk of a list's default answer. */
#define RBL_CKIDX_TAIL_LINES	3
/* Chunk keys one lookup reads into an index being built. */
#define RBL_CKIDX_STEP		1024
/* An index allocation of this many bytes or more goes in 2 MiB pages
 * (RBL_CKIDX_HUGE, aligned, MADV_HUGEPAGE): from about 20k chunks. */
#define RBL_CKIDX_HUGE		((size_t)2 << 20)
#define RBL_CKIDX_HUGE_MIN	((size_t)512 << 10)

struct rbl_kind_cache {
	uint32_t id;
	uint8_t kind;
};

struct rbl_txn {
	rbl_store *s;
	MDB_txn *txn;
	bool write, bulk, broken, reset;
	bool name_append_off;		/* bulk: a name arrived out of order */
	int rc_broken;			/* first error of a broken txn */
	int64_t now;			/* time the txn began */
	MDB_cursor *ck_cur;		/* cached for lookups, renewed */
	MDB_cursor *name_cur;
	/* read transactions: the snapshot read now (mdb_txn_id) in the map
	 * (map_gen), learned at begin and at each renew; SNAP moves (from
	 * 1) whenever either differs from the one before, and what is read
	 * under one SNAP is kept across renews until it moves (store.c:
	 * rbl_txn_take_snapshot).  0 in write transactions: never kept. */
	uint64_t snap_txnid;
	unsigned snap_mapgen;
	uint64_t snap;
	uint64_t gen;			/* the generation ... */
	uint64_t gen_snap;		/* ... read under this SNAP (0: none) */
	/* read transactions: summaries seen under this SNAP */
	struct rbl_v4sum_slot v4sum[RBL_V4SUM_SLOTS];
	unsigned n_v4sum, next_v4sum;
	/* read transactions: chunk indexes, kept across renews (their
	 * snapshot is checked at use against SNAP_TXNID, SNAP_MAPGEN) */
	struct rbl_ckidx ckidx[RBL_CKIDX_SLOTS];
	MDB_cursor *ix_cur;		/* builds them, renewed */
	unsigned ix_step;		/* keys per build step; 0:
					   RBL_CKIDX_STEP (tests set less) */
	unsigned ix_big;		/* chunks from which prefetching pays;
					   0: RBL_CKIDX_PREFETCH_MIN (tests
					   set less) */
	size_t ix_huge_min;		/* bytes from which an index goes in
					   2 MiB pages; 0: RBL_CKIDX_HUGE_MIN
					   (tests set 1 or SIZE_MAX) */
	char source[RBL_SOURCE_MAX + 1];
	unsigned source_gen;	/* + 1 at each rbl_txn_set_source: an entry
				   prepared before has the old source */
	/* write transactions only */
	struct rbl_list_state *lists;
	size_t n_lists, cap_lists;
	struct rbl_kind_cache kinds[8];
	unsigned n_kinds;
	uint32_t *zones_touched, *zones_created;
	size_t n_touched, cap_touched, n_created, cap_created;
	bool meta_changed;		/* bump the generation at commit */
	uint8_t *jbuf;			/* recorded changes (journal.c) */
	size_t jlen, jcap, n_changes;
	bool jover;			/* too many changes: journal a reset */
	struct rbl_ipw *ipw;		/* IP chunks being written (store_ipw.h) */
	struct rbl_namerep *nrep;	/* name lists being replaced
					   (store_namerep.c) */
	size_t ck_writes;		/* chunks written or deleted: a big
					   rewrite is followed by a small
					   commit (store.c: rbl_store_tick) */
};

/* ---------------------------------- the bottom (store_txn.c) */

/* Translate an LMDB or errno code to an rbl_error. */
int rbl_mdb_error(int mdb_rc);
/* (rbl_txn_fail, which marks a write txn broken, is in table.h.) */
/* Require a write transaction: RBL_OK, RBL_EREADONLY, or the error that
 * broke it. */
int rbl_txn_need_write(rbl_txn *t);
/* Entries' source when their own is empty. */
const char *rbl_txn_source(const rbl_txn *t);
/* Record what T did to list LIST_ID (marks ORed, DELTA added). */
int rbl_txn_mark_list(rbl_txn *t, uint32_t list_id, unsigned marks,
		      int64_t delta);
/* Record what a replacing import did to list LIST_ID, which held
 * N_BEFORE entries: DELTA more entries, CHANGES journalled; with JOURNAL,
 * a difference bigger than half the list marks a reset, the whole zone
 * being the smaller transfer then.  (IP and name lists alike.) */
int rbl_txn_mark_replaced(rbl_txn *t, uint32_t list_id, bool journal,
			  uint64_t changes, uint64_t n_before, int64_t delta);
struct rbl_list_state *rbl_txn_list_state(rbl_txn *t, uint32_t list_id);
int rbl_txn_mark_zone(rbl_txn *t, uint32_t zone_id, bool created);

/* ------------------------------- 2 MiB pages (store_huge.c) */

/* Ask for ENV's map to be backed by 2 MiB folios where this process reads
 * the file in (MADV_HUGEPAGE), TXN being a transaction of it: best effort. */
void rbl_huge_advise(MDB_env *env, MDB_txn *txn);
/* rbl_store_rehuge's walk, in TXN, a read transaction of S that the
 * caller holds (counted live) so that the map stays where it is. */
void rbl_huge_pass(rbl_store *s, MDB_txn *txn, rbl_rehuge_stats *out);

/* ------------------------------------------- environment (store.c) */

/* Open the named database NAME (at most RBL_DB_NAME_MAX bytes) in T,
 * creating it in a write transaction.  The handle is cached by the store
 * and stays valid until the store is closed.  Returns RBL_OK, RBL_EINVAL
 * (bad name), RBL_ENOTFOUND (read txn, no such database), RBL_ELIMIT
 * (RBL_STORE_MAXDBS reached), RBL_ESTALE (the database was created after
 * this read txn began: reset, renew and retry), RBL_ESTORE.  The other
 * parts of zone/ reach these as tables (table.c). */
int rbl_store_db(rbl_txn *t, const char *name, MDB_dbi *out);
/* The LMDB side of ending T, once the parts dropped what they keep in it
 * (store_commit.c): commit (COMMIT) or abort, keep the databases T
 * created only if committed, free T.  Returns the commit's result. */
int rbl_txn_end(rbl_txn *t, bool commit);
/* Read txn T: release its snapshot / take a fresh one (RBL_OK, RBL_EBUSY,
 * RBL_ESTORE), for rbl_txn_reset and rbl_txn_renew. */
void rbl_txn_drop_snapshot(rbl_txn *t);
int rbl_txn_take_snapshot(rbl_txn *t);
/* Open the environment at PATH (rbl_store_open's first half): a store
 * keeping IP entries the format 1-4 way is refused read-only
 * (RBL_EUPGRADE) and opened read-write with s->legacy set, unstamped. */
int rbl_store_open_env(const char *path, unsigned flags, size_t mapsize,
		       rbl_store **out);
/* Write the current format number (after a conversion). */
int rbl_store_stamp_format(rbl_txn *t);
/* A small commit of its own, so that the pages a big one freed become
 * reusable by the next (best effort). */
void rbl_store_tick(rbl_store *s);
/* A bare LMDB transaction of S, counted as live (a map resize waits for
 * it); end it with rbl_store_mdb_abort.  RBL_OK or an rbl_error. */
int rbl_store_mdb_begin(rbl_store *s, bool write, MDB_txn **txn);
void rbl_store_mdb_abort(rbl_store *s, MDB_txn *txn);

/* ------------------------------------------- codec (store_codec.c) */

/* Bytes of an address of FAMILY in keys: 4 or 16. */
static inline unsigned rbl_key_alen(uint8_t family)
{
	return family == RBL_AF4 ? 4 : 16;
}

#define RBL_IPKEY_MAX	22	/* list 4, family 1, address 16, length 1 */
#define RBL_ENTRY_ENC_MAX (3 + 4 * RBL_MAX_CODES + 16 + 1 + RBL_TXT_MAX + \
			   1 + RBL_SOURCE_MAX)
#define RBL_CHAIN_ITEM_MAX (2 + 4 * RBL_MAX_CODES + 8 + 1 + RBL_TXT_MAX)

/* list|fam|addr into K; returns the length (5 + 4 or 16). */
size_t rbl_ipkey(uint8_t *k, uint32_t list_id, const rbl_addr *a);
/* list|fam|addr|len (the "ipent" key); returns the length. */
size_t rbl_ipent_key(uint8_t *k, uint32_t list_id, const rbl_prefix *p);
/* Decode an "ipent" key.  Returns RBL_OK or RBL_ESTORE. */
int rbl_ipent_key_decode(const MDB_val *k, uint32_t *list_id,
			 rbl_prefix *p);

/* Encode E into BUF (RBL_ENTRY_ENC_MAX bytes); returns the length. */
size_t rbl_entry_encode(const rbl_entry *e, uint8_t *buf);
/* Decode; RBL_OK or RBL_ESTORE when the bytes are not an entry. */
int rbl_entry_decode(const void *data, size_t len, rbl_entry *out);
/* Decode an entry value without copying, as a lookup needs it: flags to
 * *FLAGS, the rest to M (TXT points into DATA).  RBL_OK or RBL_ESTORE. */
int rbl_entry_match(const void *data, size_t len, uint32_t *flags,
		    rbl_match *m);
/* Compact chain item (what a lookup needs): BUF holds RBL_CHAIN_ITEM_MAX
 * bytes; returns the length. */
size_t rbl_chain_encode(const rbl_entry *e, uint8_t *buf);
/* Parse the chain item at P (at most LEN bytes) into M (TXT points into
 * P), its flags into *FLAGS.  Returns the item's length, 0 if corrupt. */
size_t rbl_chain_decode(const uint8_t *p, size_t len, uint32_t *flags,
			rbl_match *m);

/* Check and complete an entry before storing it: RBL_OK or RBL_EINVAL. */
int rbl_entry_prepare(rbl_txn *t, const rbl_entry *in, uint32_t allowed,
		      rbl_entry *out);
/* Validate a DNS name in text (no trailing dot); RBL_OK or RBL_EINVAL. */
int rbl_name_text_check(const char *name, bool allow_empty);

/* Put/get helpers on one database, errors translated. */
int rbl_db_put(rbl_txn *t, MDB_dbi dbi, const void *k, size_t klen,
	       const void *v, size_t vlen, unsigned flags);
int rbl_db_get(rbl_txn *t, MDB_dbi dbi, const void *k, size_t klen,
	       MDB_val *v);
int rbl_db_del(rbl_txn *t, MDB_dbi dbi, const void *k, size_t klen);
/* Delete every key starting with PREFIX (PLEN bytes); count to *N. */
int rbl_db_del_prefix(rbl_txn *t, MDB_dbi dbi, const void *prefix,
		      size_t plen, uint64_t *n);

/* ------------------------------------------- lists (store_list.c) */

/* RBL_OK if list LIST_ID exists and is of KIND, RBL_ENOTFOUND, or
 * RBL_EINVAL (other kind).  Cached per transaction. */
int rbl_list_check_kind(rbl_txn *t, uint32_t list_id, uint8_t kind);
void rbl_list_cache_forget(rbl_txn *t);
/* Apply entry counts and change times of T's lists (commit). */
int rbl_list_commit(rbl_txn *t);
int rbl_meta_next_id(rbl_txn *t, const char *key, uint32_t *id);
int rbl_meta_bump_generation(rbl_txn *t);
/* Delete list L's record and name (its entries are gone already). */
int rbl_list_drop_record(rbl_txn *t, const rbl_list *l);

/* ----------------------------------------- serials (store_serial.c) */

int rbl_zone_serial_put(rbl_txn *t, uint32_t zone_id, uint32_t serial);
int rbl_zone_serial_del(rbl_txn *t, uint32_t zone_id);

/* ------------------------------------------- zones (store_zone.c) */

/* Bump serials of zones touched or using changed lists, journal (commit). */
int rbl_zone_commit(rbl_txn *t);
/* True if some zone uses LIST_ID (*USED), for list deletion. */
int rbl_zone_uses_list(rbl_txn *t, uint32_t list_id, bool *used);
/* Delete zone ZONE_ID's fixed records (store_zrec.c), if any. */
int rbl_zrec_drop_zone(rbl_txn *t, uint32_t zone_id);

/* ------------------------------------- IP entries (store_ip*.c) */

#define RBL_IPCK_KEY_MAX	21	/* list 4, family 1, address 16 */

/* The "ipchunk" key of LIST_ID, FAMILY, ADDR (alen bytes); its length. */
size_t rbl_ipck_key(uint8_t *k, uint32_t list_id, uint8_t family,
		    const uint8_t *addr);
/* Position C on the chunk of LIST_ID and FAMILY with the greatest key <=
 * ADDR, or, when there is none and OR_NEXT, on the first one after it.
 * RBL_OK with K and V, RBL_ENOTFOUND, or an error. */
int rbl_ipck_seek(MDB_cursor *c, uint32_t list_id, uint8_t family,
		  const uint8_t *addr, bool or_next, MDB_val *k, MDB_val *v);
/* Step C to the next chunk of the same list and family (K holds the
 * current key).  RBL_OK, RBL_ENOTFOUND at the end, or an error. */
int rbl_ipck_next(MDB_cursor *c, MDB_val *k, MDB_val *v);
/* Visit every chunk of LIST_ID and FAMILY in key order: FN gets its first
 * address and its bytes in the map; non-zero stops and is returned.
 * As stored: a write txn's pending changes are not there yet. */
int rbl_ipck_foreach(rbl_txn *t, uint32_t list_id, uint8_t family,
		     int (*fn)(void *arg, const uint8_t *key,
			       const void *data, size_t len),
		     void *arg);

/* Visit the entries of LIST_ID and FAMILY as stored, in key order
 * (address, then length), from address FROM (alen bytes; NULL: all).
 * With COVERING, the entries that started before FROM and cover it come
 * first.  FN gets the prefix, the chunk, the entry's attribute number in
 * it and the record it was reached from (for rbl_ck_attr_get); a non-zero
 * return stops the walk and is returned. */
typedef int (*rbl_ip_walk_fn)(void *arg, const rbl_prefix *p,
			      const rbl_ck *c, unsigned attr, unsigned rec);
int rbl_ip_walk(rbl_txn *t, uint32_t list_id, uint8_t family,
		const uint8_t *from, bool covering, rbl_ip_walk_fn fn,
		void *arg);
/* The prefix lengths of LIST_ID's entries of FAMILY, exactly. */
int rbl_ip_lengths(rbl_txn *t, uint32_t list_id, uint8_t family,
		   uint8_t *mask);

/* Commit: end T's replacements, write its pending chunk, make the length
 * masks of lists marked RBL_LIST_REBUILD exact (store_ip.c). */
int rbl_ip_commit(rbl_txn *t);
/* Free what T keeps for IP writes (abort, after commit). */
void rbl_ip_txn_free(rbl_txn *t);
/* Delete the entries of LIST_ID; count of entries to *N. */
int rbl_ip_clear_list(rbl_txn *t, uint32_t list_id, uint64_t *n);
int rbl_name_clear_list(rbl_txn *t, uint32_t list_id, uint64_t *n);
/* Begin replacing IP list LIST_ID (rbl_list_replace_begin). */
int rbl_ip_replace_begin(rbl_txn *t, uint32_t list_id, unsigned flags);
/* The same for name list LIST_ID (store_namerep.c). */
int rbl_name_replace_begin(rbl_txn *t, uint32_t list_id, unsigned flags);
/* Commit: finish T's name list replacements (store_namerep.c). */
int rbl_name_commit(rbl_txn *t);
/* Forget them (abort, after commit). */
void rbl_name_txn_free(rbl_txn *t);
/* Delete entries expired at NOW; count added to *N. */
int rbl_ip_purge(rbl_txn *t, int64_t now, uint64_t *n);
int rbl_name_purge(rbl_txn *t, int64_t now, uint64_t *n);
/* Convert the IP entries of a format 1-4 store ("ipent") into chunks,
 * drop the old databases and stamp the current format, in write txn T
 * (store_upgrade.c).  RBL_OK or an error. */
int rbl_ip_upgrade(rbl_txn *t);

/* ------------------------------------------- IPv4 summary (store_v4sum.c) */

#define RBL_V4SUM_BITS		((uint32_t)1 << 24)	/* one per /24 */
#define RBL_V4SUM_BYTES		((size_t)RBL_V4SUM_BITS / 8)
/* A list gets a summary at commit once it holds this many entries (either
 * family: counting IPv4 apart is not worth a second counter) and loses it
 * below RBL_V4SUM_DROP, so a list hovering near the threshold does not
 * rebuild it on every commit.  Below that, the B-tree is small and hot. */
#define RBL_V4SUM_MIN		1024
#define RBL_V4SUM_DROP		512
/* More changes than this in one transaction rebuild the summary from the
 * entries instead of replaying them (bounds the memory they take). */
#define RBL_V4SUM_MAX_RANGES	65536

/* Record that write txn T added (DEL false) or deleted prefix P of list
 * LS.  No-op for IPv6.  RBL_OK or RBL_ENOMEM (T is then broken). */
int rbl_v4sum_note(rbl_txn *t, struct rbl_list_state *ls,
		   const rbl_prefix *p, bool del);
/* Set the bits of prefix P (IPv4) in summary B. */
void rbl_v4sum_set(uint8_t *b, const rbl_prefix *p);
/* A replacement of list LS's IPv4 entries computed its summary B (from
 * rbl_v4sum_new) as it wrote them: B becomes the list's summary, the
 * changes noted so far are dropped, later ones apply on top.  Takes B. */
void rbl_v4sum_base(struct rbl_list_state *ls, uint8_t *b);
/* An empty summary to fill with rbl_v4sum_set, or NULL (no memory). */
uint8_t *rbl_v4sum_new(void);
/* Create, update or drop the summaries of T's changed lists; runs after
 * the chunks and entry counts are final (commit). */
int rbl_v4sum_commit(rbl_txn *t);
/* Free the change records of T's lists. */
void rbl_v4sum_txn_free(rbl_txn *t);
/* The stored summary of LIST_ID in T's snapshot (RBL_V4SUM_BYTES bytes in
 * the map): RBL_OK and *BITS, RBL_ENOTFOUND (none, or not a summary). */
int rbl_v4sum_peek(rbl_txn *t, uint32_t list_id, const uint8_t **bits);
/* The hot path's view: LIST_ID's summary, cached in read txn T until a
 * renew takes another snapshot (store.c); NULL when there is none or T
 * is a write transaction (its own changes are not in the summary yet):
 * then always descend. */
const uint8_t *rbl_v4sum_find(rbl_txn *t, uint32_t list_id);
/* The slot of the first list read transaction T looked up, if that is
 * LIST_ID, without a call (a lookup its summary answers costs little
 * more than this), else NULL. */
static inline const struct rbl_v4sum_slot *rbl_v4sum_first(const rbl_txn *t,
							   uint32_t list_id)
{
	return !t->write && t->n_v4sum && t->v4sum[0].list_id == list_id ?
		       &t->v4sum[0] : NULL;
}
static inline const uint8_t *rbl_v4sum_get(rbl_txn *t, uint32_t list_id)
{
	const struct rbl_v4sum_slot *slot = rbl_v4sum_first(t, list_id);

	return slot ? slot->bits : rbl_v4sum_find(t, list_id);
}
/* Forget cached summaries (a renew onto another snapshot). */
void rbl_v4sum_forget(rbl_txn *t);
/* False if no bit LO..HI (/24 numbers) of BITS is set: nothing there. */
bool rbl_v4sum_any(const uint8_t *bits, uint32_t lo, uint32_t hi);

static inline bool rbl_v4sum_bit(const uint8_t *bits, uint32_t n24)
{
	return bits[n24 >> 3] >> (n24 & 7) & 1;
}

/* ------------------------------------ chunk indexes (store_ckidx.c) */

/* The bytes of the chunk of LIST_ID's IPv4 entries with the greatest
 * first address <= ADDR (4 bytes), through T's index of the list for T's
 * snapshot: RBL_OK with *DATA, *SIZE (in the map, valid while T's
 * snapshot is), RBL_ENOTFOUND when the list has no chunk there, or
 * RBL_EBUSY when there is no complete index (a write txn, all slots
 * taken, or still building: this call read one more step of it) and the
 * caller seeks in LMDB.  Callers use it only for lists with an IPv4
 * summary, whose index is worth building. */
int rbl_ckidx_find(rbl_txn *t, uint32_t list_id, const uint8_t *addr,
		   const void **data, size_t *size);
/* When T holds a complete index of LIST_ID for its snapshot, ask for
 * what a lookup of ADDR (4 bytes) reads in it, STAGE by stage
 * (rbl_ip_prefetch_stage): 0 the top table's slot, 1 the slot's lines
 * of the first addresses and chunk places, 2 (reading those) the lines
 * of the chunk rbl_ckidx_find would give.  Builds nothing, allocates
 * nothing. */
void rbl_ckidx_prefetch(rbl_txn *t, uint32_t list_id, const uint8_t *addr,
			unsigned stage);
/* Whether T holds a complete index of LIST_ID for its snapshot with
 * RBL_CKIDX_PREFETCH_MIN chunks or more (rbl_ip_prefetch_pays). */
bool rbl_ckidx_big(rbl_txn *t, uint32_t list_id);
/* Free T's indexes (its end). */
void rbl_ckidx_free(rbl_txn *t);

/* -------------------------------------- prefix lengths (store_lenmask.c) */

/* Record that write txn T stores an entry of P's length in IP list
 * LIST_ID (before storing it).  RBL_OK, or an error (T is then broken). */
int rbl_lenmask_note(rbl_txn *t, uint32_t list_id, const rbl_prefix *p);
/* The lengths that may be in use in LIST_ID's FAMILY, to MASK
 * (RBL_LENMASK_BYTES): a superset of those in use.  A read txn on a store
 * without the record gets every length.  RBL_OK or an error. */
int rbl_lenmask_get(rbl_txn *t, uint32_t list_id, uint8_t family,
		    uint8_t *mask);
/* The stored mask, as it is: RBL_OK, RBL_ENOTFOUND (no record), or an
 * error (no scan, no cache). */
int rbl_lenmask_peek(rbl_txn *t, uint32_t list_id, uint8_t family,
		     uint8_t *mask);
/* Store the exact MASK found by a walk of every entry. */
int rbl_lenmask_replace(rbl_txn *t, uint32_t list_id, uint8_t family,
			const uint8_t *mask);
/* Forget LIST_ID's masks (its entries were all deleted). */
int rbl_lenmask_drop(rbl_txn *t, uint32_t list_id);

/* ------------------------------------------------- journal.c */

/* False when T records no changes (bulk, or too many): callers may skip
 * building what they would note. */
static inline bool rbl_journal_active(const rbl_txn *t)
{
	return !t->bulk && !t->jover;
}
/* Record one change of T (op, list, prefix P or NAME, entry E). */
int rbl_journal_note(rbl_txn *t, uint8_t op, uint32_t list_id,
		     const rbl_prefix *p, const char *name,
		     const rbl_entry *e);
/* Write zone ZONE_ID's header for SERIAL (RESET: transfers from older
 * serials must be full) and the recorded changes of its LISTS. */
int rbl_journal_write(rbl_txn *t, uint32_t zone_id, uint32_t serial,
		      bool reset, const uint32_t *lists, unsigned n_lists);
/* Drop every journal record of ZONE_ID. */
int rbl_journal_drop_zone(rbl_txn *t, uint32_t zone_id);

#endif
