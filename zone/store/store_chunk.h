/*
 * store_chunk.h -- the packed chunks that hold a list's IP entries
 * ("ipchunk" database), read in place and built in memory.  No LMDB here:
 * this is the byte layout and the arithmetic on it (store_ip*.c put the
 * chunks in the store).  Reading is store_chunk.c, building in memory
 * store_chunk_mem.c, encoding store_chunk_enc.c.
 *
 * Model: the entries of one list and family are kept as a start-point
 * map.  There is one record per address at which some entry starts; its
 * chain lists every entry covering that address, most specific first, as
 * (prefix length, attribute).  The entry itself is the record's address
 * cut to that length; it starts at the record when the address has no bit
 * set past the length ("aligned"), otherwise it started at an earlier
 * record and is repeated here.  Lookup of A: the record with the greatest
 * start <= A, then the first live entry of its chain that covers A.  That
 * is exact: an entry covering A starts at or before A, so either at that
 * record or before it, and then it covers the record's start too (entries
 * are intervals), so it is in the chain.  The same map gives the entries
 * as entered (the aligned items), in key order, for listing and export.
 *
 * An attribute is everything an entry says besides its prefix: flags,
 * codes, TXT, expiry, time added, source.  Each chunk interns its chains,
 * attributes and source strings once, so a chunk of a thousand entries
 * that all answer the list's default costs one attribute, and a record is
 * the significant bytes of its address plus a chain number (none when the
 * chunk has one chain).
 *
 * Texts of their own: when most entries of a chunk carry a TXT no other
 * entry has ("Listed, case N"), interning the attribute buys nothing and
 * each entry would cost an attribute and a chain of its own (57 bytes at
 * 10M entries).  Such a chunk (version 2) gives every record a text slot
 * instead: the text of the record's first chain item (the most specific
 * entry, which always starts at the record) is kept once as (u8 len,
 * bytes) and the record holds its offset; that item's attribute is the
 * text-less twin with RBL_CK_RECTXT set, shared by all such entries, so
 * their chains are shared too (often one chain: no chain number).  An
 * entry then costs its address bytes, 2 bytes of offset and its text plus
 * one.  The encoder picks, per chunk, whichever layout is smaller, so a
 * chunk of shared texts or of the default answer stays version 1,
 * unchanged.  Readers resolve the text through the record the chain was
 * reached from (rbl_ck_attr_get's REC); everything above the chunk sees
 * ordinary attributes with their TXT.
 *
 * Encoded chunk (all integers big-endian, offsets from the chunk's start):
 *   0  u8 version (RBL_CK_VERSION, or RBL_CK_VERSION_RT with TW 2)
 *   1  u8 skip    2  u8 rb
 *   3  u8 iw (chain number bytes: 0, 1, 2)       4  u8 aw (1, 2)
 *   5  u8 tw (text offset bytes: 0 in version 1, 2 in version 2)
 *   6  u16 n_rec   8  u16 n_chain   10 u16 n_attr
 *   12 u16 n_src   14 u16 0
 *   16 base: the first SKIP bytes every record's address starts with
 *   records: n_rec x (RB address bytes [skip, skip+rb), IW chain number,
 *            TW offset of the record's text, 0 for none), ascending;
 *            address bytes past skip+rb are zero
 *   chain offsets n_chain x u16, attribute offsets n_attr x u16, source
 *   offsets n_src x u16, then the data they point to:
 *   chain      u8 n, n x (u8 length, AW-byte attribute number)
 *   attribute  u8 flags, u8 n_codes, n_codes x u32, u64 expires,
 *              u64 added, u16 source number, u8 txt_len, txt
 *              (flags with RBL_CK_RECTXT: txt_len 0, the TXT is the
 *              record's text; only a chain's first item has one)
 *   source     u8 len, bytes
 *   text       u8 len, bytes (version 2, after the sources)
 * A chunk is at most RBL_CK_MAX bytes (one 4 KiB overflow page in LMDB)
 * unless a single record needs more; never 64 KiB.
 *
 * Reading checks every offset against the chunk's length, so a damaged
 * value gives RBL_ESTORE, never a read outside it (tests/fuzz).
 */
#ifndef RBL_STORE_CHUNK_H
#define RBL_STORE_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zone/addr.h"
#include "zone/error.h"
#include "zone/store/bytes.h"
#include "zone/store/entry.h"

#define RBL_CK_VERSION	1
#define RBL_CK_VERSION_RT 2	/* records carry a text offset (TW 2) */
/* Attribute flag, inside chunks only (entry flags use the low bits): the
 * TXT is the text of the record whose chain led to the attribute. */
#define RBL_CK_RECTXT	0x80u
#define RBL_CK_MAX	4080	/* one LMDB overflow page of 4 KiB */
#define RBL_CK_HDR	16
#define RBL_CK_LIMIT	65535	/* offsets are u16 */

/* ---------------------------------------------------------- reading */

/* A chunk read in place (pointers into the map). */
typedef struct rbl_ck {
	const uint8_t *p;
	size_t len;
	uint8_t alen, skip, rb, iw, aw, tw;
	uint8_t stride;			/* rb + iw + tw */
	uint16_t n_rec, n_chain, n_attr, n_src;
	size_t rec, chain_tab, attr_tab, src_tab;	/* offsets */
} rbl_ck;

/* An attribute as stored (TXT and source point into the chunk). */
typedef struct rbl_ck_attr {
	uint32_t flags;
	uint8_t n_codes;
	uint32_t codes[RBL_MAX_CODES];
	int64_t expires, added;
	const char *txt, *src;
	uint8_t txt_len, src_len;
} rbl_ck_attr;

/* Check the header of DATA (LEN bytes), a chunk of FAMILY, and fill C.
 * RBL_OK or RBL_ESTORE. */
int rbl_ck_open(rbl_ck *c, uint8_t family, const void *data, size_t len);
/* Where the records end and the tail (chain, attribute and source
 * tables and what they point to) begins, in a chunk whose header says
 * SKIP, N_REC and STRIDE (rb + iw + tw): the one formula rbl_ck_open and
 * rbl_ck_rec_end share. */
static inline size_t rbl_ck_records_end(unsigned skip, unsigned n_rec,
					unsigned stride)
{
	return RBL_CK_HDR + (size_t)skip + (size_t)n_rec * stride;
}
/* rbl_ck_records_end of chunk P (LEN bytes) read from its header alone,
 * or 0 when that is not inside the chunk (rbl_ck_open then refuses it):
 * what the chunk index learns for prefetching. */
static inline size_t rbl_ck_rec_end(const uint8_t *p, size_t len)
{
	size_t end = 0;

	if (len < RBL_CK_HDR)
		return 0;
	end = rbl_ck_records_end(p[1], rbl_get_be16(p + 6),
				 (unsigned)p[2] + p[3] + p[5]);
	return end < len ? end : 0;
}
/* The index of the record with the greatest address <= ADDR (alen bytes),
 * -1 if every record is after it. */
int rbl_ck_find(const rbl_ck *c, const uint8_t *addr);
/* rbl_ck_find for IPv4 (c->alen 4), the address as a number. */
int rbl_ck_find4(const rbl_ck *c, uint32_t addr);
/* Record I's address (alen bytes, rest of OUT zeroed). */
void rbl_ck_start(const rbl_ck *c, unsigned i, uint8_t out[16]);

/* The next three are inline: every lookup takes them once. */

/* Record I's address as a number (an IPv4 chunk: c->alen 4).  The
 * base's SKIP bytes, when there are any, are read as 4 bytes at the
 * header's end: the records and a chain offset follow them inside the
 * chunk (rbl_ck_open), as do 3 bytes past a record of RB >= 2. */
static inline uint32_t rbl_ck_start4(const rbl_ck *c, unsigned i)
{
	const uint8_t *r = c->p + c->rec + (size_t)i * c->stride;
	const uint8_t *b = c->p + RBL_CK_HDR;
	unsigned skip = c->skip, rb = c->rb;
	uint32_t v = rb == 1 ? r[0] : rbl_get_be32(r) >> (32 - 8 * rb);

	v <<= 8 * (4 - skip - rb);
	if (skip)
		v |= rbl_get_be32(b) & ~(UINT32_MAX >> 8 * skip);
	return v;
}

/* Record I's chain number. */
static inline unsigned rbl_ck_chain_of(const rbl_ck *c, unsigned i)
{
	const uint8_t *r = c->p + c->rec + (size_t)i * c->stride + c->rb;

	return c->iw == 0 ? 0 : c->iw == 1 ? r[0] : (unsigned)(r[0] << 8 | r[1]);
}

/* Chain CI: *ITEMS points at its N items of 1 + c->aw bytes each.
 * RBL_OK or RBL_ESTORE. */
static inline int rbl_ck_chain(const rbl_ck *c, unsigned ci,
			       const uint8_t **items, unsigned *n)
{
	const uint8_t *t = c->p + c->chain_tab + 2 * (size_t)ci;
	size_t off = 0;

	if (ci >= c->n_chain)
		return RBL_ESTORE;
	off = (size_t)(t[0] << 8 | t[1]);
	if (off >= c->len)
		return RBL_ESTORE;
	*n = c->p[off];
	if (off + 1 + (size_t)*n * (1u + c->aw) > c->len)
		return RBL_ESTORE;
	*items = c->p + off + 1;
	return RBL_OK;
}
static inline uint8_t rbl_ck_item_len(const rbl_ck *c, const uint8_t *items,
				      unsigned k)
{
	return items[k * (1u + c->aw)];
}
static inline unsigned rbl_ck_item_attr(const rbl_ck *c,
					const uint8_t *items, unsigned k)
{
	const uint8_t *p = items + k * (1u + c->aw) + 1;

	return c->aw == 1 ? p[0] : (unsigned)(p[0] << 8 | p[1]);
}
/* Attribute AI, reached through the chain of record REC (whose text it
 * may use: RBL_CK_RECTXT, cleared in OUT->flags).  RBL_OK or
 * RBL_ESTORE. */
int rbl_ck_attr_get(const rbl_ck *c, unsigned ai, unsigned rec,
		    rbl_ck_attr *out);
/* The answer of attribute AI through record REC: like rbl_ck_attr_get
 * without time added and source (OUT's src is NULL), for the hot path. */
int rbl_ck_attr_answer(const rbl_ck *c, unsigned ai, unsigned rec,
		       rbl_ck_attr *out);
/* Only flags and expiry (the hot path decides with these first); FLAGS
 * may include RBL_CK_RECTXT. */
int rbl_ck_attr_peek(const rbl_ck *c, unsigned ai, uint32_t *flags,
		     int64_t *expires);
/* Check every offset, chain, attribute and source of C, and that the
 * records ascend (the fuzzer's and the upgrade's full check).  RBL_OK or
 * RBL_ESTORE. */
int rbl_ck_verify(const rbl_ck *c);

/* Compare addresses of ALEN bytes (memcmp's sign); IPv4 without a call. */
static inline int rbl_ck_acmp(const uint8_t *a, const uint8_t *b,
			      unsigned alen)
{
	if (alen == 4) {
		uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
			     (uint32_t)a[2] << 8 | a[3];
		uint32_t y = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			     (uint32_t)b[2] << 8 | b[3];

		return (x > y) - (x < y);
	}
	return memcmp(a, b, alen);
}

/* True if the prefix of length LEN at START contains ADDR (alen bytes). */
bool rbl_ck_covers(const uint8_t *start, unsigned len, const uint8_t *addr,
		   unsigned alen);
/* rbl_ck_covers for IPv4, the addresses as numbers: the hot path's
 * test, without memcmp. */
static inline bool rbl_ck_covers4(uint32_t start, unsigned len, uint32_t addr)
{
	return len == 0 || (len <= 32 && ((start ^ addr) >> (32 - len)) == 0);
}
/* True if ADDR has no bit set past LEN: an entry of length LEN starting
 * at ADDR is aligned there. */
bool rbl_ck_aligned(const uint8_t *addr, unsigned len, unsigned alen);
/* The last address of the prefix START/LEN into OUT (alen bytes). */
void rbl_ck_last(const uint8_t *start, unsigned len, unsigned alen,
		 uint8_t *out);

/* ------------------------------------------------------- building */

/* A chunk (or a run of records) being built or edited in memory.
 * Chains, attributes and sources are interned by hash; tables may hold
 * entries no record uses any more: encoding leaves those out. */
typedef struct rbl_ckw_item {
	uint8_t len;
	uint32_t attr;
} rbl_ckw_item;

typedef struct rbl_ckw_rec {
	uint8_t a[16];
	uint32_t chain;
} rbl_ckw_rec;

typedef struct rbl_ckw_chain {
	uint32_t off, hash;	/* items at item[off .. off + n) */
	uint16_t n;
} rbl_ckw_chain;

typedef struct rbl_ckw_attr {
	uint32_t flags;
	uint8_t n_codes;
	uint32_t codes[RBL_MAX_CODES];
	int64_t expires, added;
	uint32_t txt_off, src, hash;
	uint8_t txt_len;
} rbl_ckw_attr;

typedef struct rbl_ckw_src {
	uint32_t off, hash;
	uint8_t len;
} rbl_ckw_src;

typedef struct rbl_ckw {
	uint8_t family, alen;
	rbl_ckw_rec *rec;
	size_t n_rec, cap_rec;
	rbl_ckw_chain *chain;
	size_t n_chain, cap_chain;
	rbl_ckw_item *item;
	size_t n_item, cap_item;
	rbl_ckw_attr *attr;
	size_t n_attr, cap_attr;
	rbl_ckw_src *src;
	size_t n_src, cap_src;
	char *text;
	size_t n_text, cap_text;
	/* open addressing, index + 1, 0 empty; sizes are powers of two */
	uint32_t *ch_slot, *at_slot, *sr_slot;
	size_t n_ch_slot, n_at_slot, n_sr_slot;
	/* encoding: local numbers, valid where the stamp is this pass's */
	uint32_t *ch_map, *at_map, *sr_map, *ch_stamp, *at_stamp, *sr_stamp;
	size_t cap_map_ch, cap_map_at, cap_map_sr;
	/* the same for the layout with record texts (version 2): chains and
	 * attributes of that layout, and each text's offset from the first */
	uint32_t *ch_map2, *at_map2, *tx_map, *ch_stamp2, *at_stamp2,
		 *tx_stamp;
	size_t cap_map_ch2, cap_map_at2, cap_map_tx;
	uint32_t stamp;
	uint32_t *order;	/* encoding: what has each local number */
	size_t cap_order;
	/* each chain's twin: itself, or the same chain whose first item's
	 * attribute is the text-less RBL_CK_RECTXT twin (its text going to
	 * the record); computed for chains [0, n_twin) */
	uint32_t *twin;
	size_t n_twin, cap_twin;
} rbl_ckw;

void rbl_ckw_init(rbl_ckw *w, uint8_t family);
/* Empty W (keeping its memory) for FAMILY. */
void rbl_ckw_reset(rbl_ckw *w, uint8_t family);
void rbl_ckw_free(rbl_ckw *w);

/* Intern the attribute of entry E (flags, codes, TXT, expiry, added,
 * source as given).  RBL_OK or RBL_ENOMEM. */
int rbl_ckw_attr_put(rbl_ckw *w, const rbl_entry *e, uint32_t *ai);
/* Intern attribute AI of chunk C, reached through record REC's chain.
 * RBL_OK, RBL_ENOMEM, RBL_ESTORE. */
int rbl_ckw_attr_copy(rbl_ckw *w, const rbl_ck *c, unsigned ai,
		      unsigned rec, uint32_t *out);
/* Attribute AI of W as an entry (all fields). */
void rbl_ckw_attr_entry(const rbl_ckw *w, uint32_t ai, rbl_entry *e);
/* True if attributes A of W and B of X give the same answer (flags,
 * codes, TXT, expiry; not when or by whom added). */
bool rbl_ckw_attr_same_answer(const rbl_ckw *w, uint32_t a, const rbl_ckw *x,
			      uint32_t b);
/* Intern the chain of N items (most specific first; not pointing into
 * W).  RBL_OK or RBL_ENOMEM. */
int rbl_ckw_chain_put(rbl_ckw *w, const rbl_ckw_item *items, unsigned n,
		      uint32_t *ci);
static inline const rbl_ckw_item *rbl_ckw_chain_items(const rbl_ckw *w,
						      uint32_t ci,
						      unsigned *n)
{
	*n = w->chain[ci].n;
	return &w->item[w->chain[ci].off];
}
/* Compute the twin of every chain of W that has none yet: the chain
 * itself, or, when its first item's attribute has a TXT, the same chain
 * with that attribute's text-less RBL_CK_RECTXT twin (both interned in W,
 * used by no record), for encoding with record texts.  RBL_OK or
 * RBL_ENOMEM. */
int rbl_ckw_twins(rbl_ckw *w);
/* Append a record (addresses must ascend; not checked here). */
int rbl_ckw_rec_push(rbl_ckw *w, const uint8_t *a, uint32_t chain);
/* Insert a record at index AT.  RBL_OK or RBL_ENOMEM. */
int rbl_ckw_rec_insert(rbl_ckw *w, size_t at, const uint8_t *a,
		       uint32_t chain);
void rbl_ckw_rec_remove(rbl_ckw *w, size_t at);
/* The index of the record with the greatest address <= A, -1 if none. */
ptrdiff_t rbl_ckw_find(const rbl_ckw *w, const uint8_t *a);
/* Append every record of chunk C, interning what it uses.  RBL_OK,
 * RBL_ENOMEM, RBL_ESTORE. */
int rbl_ckw_load(rbl_ckw *w, const rbl_ck *c);
/* Intern attribute AI of W in DST.  RBL_OK or RBL_ENOMEM. */
int rbl_ckw_attr_move(rbl_ckw *dst, const rbl_ckw *w, uint32_t ai,
		      uint32_t *out);
/* Move records [FROM, n_rec) of W into DST (same family), with only what
 * they use; W keeps [0, FROM).  ATTR_MAP (may be NULL), w->n_attr
 * entries, gets the number in DST of each attribute of W moved, and
 * UINT32_MAX for the others.  RBL_OK or RBL_ENOMEM. */
int rbl_ckw_move_tail(rbl_ckw *w, size_t from, rbl_ckw *dst,
		      uint32_t *attr_map);

/* The largest TO (> FROM) such that records [FROM, TO) encode in at most
 * RBL_CK_MAX bytes (FROM + 1 when one record alone is larger).  *SIZE
 * gets their encoded size. */
size_t rbl_ckw_piece(rbl_ckw *w, size_t from, size_t *size);
/* Encoded size of records [FROM, TO). */
size_t rbl_ckw_size(rbl_ckw *w, size_t from, size_t to);
/* Encode records [FROM, TO) into BUF (at least rbl_ckw_size bytes), in
 * the smaller of the two layouts (texts in attributes, or per record);
 * returns the length, or 0 if over RBL_CK_LIMIT or out of memory. */
size_t rbl_ckw_encode(rbl_ckw *w, size_t from, size_t to, uint8_t *buf);

#endif
