/*
 * rdns_embed.h -- find an address written into its own PTR name.
 *
 * Generic reverse-DNS names carry the address they belong to, in many
 * spellings.  For 64.141.16.142 all of these are recognised:
 *
 *   64-141-16-142.dialup.example.net     dashed       (also dotted,
 *   64.141.16.142.example.net            dotted        underscored and
 *   host64_141_16_142.example.net        underscored   mixed separators)
 *   064-141-016-142.example.net          zero-padded
 *   142-16-141-64.example.net            reversed octets
 *   c-141-16-142.example.net             last three octets
 *   16-142.pool.example.net              last two octets (also reversed)
 *   064141016142.example.net             octets merged, zero-padded
 *   w142.z064141016.example.net          merged partial + a lone octet
 *   p408d108e.example.net, 0x408D108E    hex (any case), also last three
 *   1082986638.example.net               the address as one integer
 *
 * IPv6 names are searched for the address's hex groups joined by '-'
 * (compressed or expanded) or written as 32 hex digits.
 *
 * Only digits that match the given address count, so the search cannot be
 * fooled by unrelated numbers, and a number matches only as a whole digit
 * run (hex: bounded by non-hex characters).  Nothing here allocates.
 */
#ifndef RBL_IMPORT_RDNS_EMBED_H
#define RBL_IMPORT_RDNS_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"

enum rbl_embed_form {
	RBL_EMBED_SEQ = 1,	/* decimal octets with separators */
	RBL_EMBED_MERGED,	/* octets run together in one number */
	RBL_EMBED_INTEGER,	/* the 32-bit address as one number */
	RBL_EMBED_HEX,		/* hex digits of the address */
	RBL_EMBED_OCTET,	/* a lone number equal to the last octet */
	RBL_EMBED_V6,		/* IPv6 hex groups */
};

enum rbl_embed_flags {
	RBL_EMBED_REVERSED = 1u << 0,	/* octets in reverse order */
	RBL_EMBED_PADDED = 1u << 1,	/* some octet written with zeros */
};

typedef struct rbl_embed {
	uint16_t start, end;	/* bytes [start, end) of the name */
	uint8_t form;		/* rbl_embed_form */
	uint8_t flags;		/* rbl_embed_flags */
	uint8_t octets;		/* bit i: octet i (0 = first) is present;
				   IPv6 and full forms: 0x0f */
	char sep;		/* SEQ: '.', '-', '_', or '+' when mixed */
} rbl_embed;

#define RBL_EMBED_MAX 8
#define RBL_EMBED_FULL 0x0f

/* Find where address A is written in NAME (LEN bytes, any case).  Writes
 * up to MAX non-overlapping embeddings to OUT in name order and returns
 * how many were found.  A lone octet (RBL_EMBED_OCTET) is reported only
 * for the last octet; sequences need at least two octets. */
size_t rbl_embed_find(const rbl_addr *a, const char *name, size_t len,
		      rbl_embed *out, size_t max);

/* Union of the octets of the embeddings that end at or before LIMIT. */
unsigned rbl_embed_cover(const rbl_embed *e, size_t n, size_t limit);

/* Text such as "dashed, reversed, last 3 octets" for E, into BUF of
 * SIZE bytes.  Returns BUF. */
char *rbl_embed_describe(const rbl_embed *e, char *buf, size_t size);

#endif
