/*
 * wire.h -- reading DNS messages as they arrive (RFC 1035 4.1): names
 * and resource records, every length checked against the message, with
 * nothing allocated.  The one place rbld reads names off the wire: the
 * query parser (query.c, which transfers use too) and TSIG (tsig.c) call
 * it; NOTIFY answers are walked with it (rbl_wire_last_rr).  No other
 * program reads DNS messages by hand (rbl-import's resolver reads its
 * answers with ldns), so this lives in rbld/, not in zone/.
 *
 * rbl_wire_name() reads the name at an offset:
 *   - labels must lie inside the message, a name is at most DNS_NAME_MAX
 *     bytes uncompressed (so at most DNS_LABELS_MAX labels), and the
 *     label types 01 and 10 (extended, RFC 6891; reserved) are malformed;
 *   - a compression pointer must point before the lowest byte of the name
 *     read so far: every hop goes strictly backwards, so no loop can form
 *     and no hop limit is needed.  RBL_WIRE_PLAIN refuses pointers
 *     outright (a question has nothing earlier to point to);
 *   - given an rbl_wire_buf, the reader follows the pointers and copies
 *     the whole name uncompressed, lowercased with RBL_WIRE_LOWER, with
 *     the offset of each label if asked; without one the name ends at its
 *     first pointer, which is checked but not followed: enough to step
 *     over a name.
 * A plain name copied (every query's question) is read in two passes
 * that cost by label and by word, not by byte: the length bytes are
 * walked and checked first, then the whole name, length bytes and root
 * included, is copied 16 bytes at a time, lowercased a vector at a time
 * (a length byte is at most 63, never a letter, so lowercasing leaves it
 * alone).  A 26-character access key in the name (keytab.h) then costs
 * two vectors, not 26 rounds of a byte loop.
 * It returns the offset just past the name where it stands in the
 * message (past its first pointer), or 0 when it is malformed.
 */
#ifndef RBLD_WIRE_H
#define RBLD_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"

enum rbl_wire_flags {
	RBL_WIRE_PLAIN = 1u << 0,	/* no compression pointers */
	RBL_WIRE_LOWER = 1u << 1,	/* copy ASCII letters lowercased */
};

/* Where rbl_wire_name() puts the name it reads. */
typedef struct rbl_wire_buf {
	uint8_t *wire;		/* DNS_NAME_MAX bytes */
	uint8_t *label_off;	/* DNS_LABELS_MAX offsets into WIRE of each
				 * label's length byte, or NULL */
	uint8_t len;		/* out: wire length, root label included */
	uint8_t nlabels;	/* out: labels, root excluded */
} rbl_wire_buf;

/* The 8 bytes of X with ASCII capitals lowercased, as dns_lower() does
 * to each: a byte's top bit is set in the mask when its low 7 bits are
 * 'A' or above, not above 'Z', and its own top bit is clear; no sum
 * carries into the next byte (0x7f + 0x3f < 0x100). */
static inline uint64_t rbl_wire_lower8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t low7 = x & (0x7f * ones);
	uint64_t ge_a = low7 + (0x80 - 'A') * ones;
	uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * ones;
	uint64_t caps = ge_a & ~gt_z & ~x & (0x80 * ones);

	return x | (caps >> 2);		/* 0x80 >> 2: the 0x20 of the case */
}

/* 16 bytes as one vector (GCC/clang vector extension: SSE2 on x86-64,
 * NEON on arm64, word code elsewhere). */
typedef uint8_t rbl_wire_v16 __attribute__((vector_size(16)));

/* The 16 bytes at S lowercased to D: a byte is a capital when it minus
 * 'A', unsigned, is at most 25. */
static inline void rbl_wire_lower16(uint8_t *d, const uint8_t *s)
{
	rbl_wire_v16 v, caps;

	memcpy(&v, s, sizeof v);
	caps = (rbl_wire_v16)(v - (uint8_t)'A' <= (uint8_t)('Z' - 'A'));
	v |= caps & (uint8_t)0x20;
	memcpy(d, &v, sizeof v);
}

/* The 8 bytes at S lowercased to D. */
static inline void rbl_wire_lower8_at(uint8_t *d, const uint8_t *s)
{
	uint64_t v = 0;

	memcpy(&v, s, sizeof v);
	v = rbl_wire_lower8(v);
	memcpy(d, &v, sizeof v);
}

/* Copy the LEN bytes (LEN >= 8) at S to D lowercased, 16 at a time (8
 * for a name of less than 16 bytes); the last piece overlaps the one
 * before it instead of a byte loop (lowercasing twice changes nothing). */
static inline void rbl_wire_lower_copy(uint8_t *d, const uint8_t *s,
				       size_t len)
{
	size_t i = 0;

	if (len < 16) {
		rbl_wire_lower8_at(d, s);
		rbl_wire_lower8_at(d + len - 8, s + len - 8);
		return;
	}
	for (; i + 16 <= len; i += 16)
		rbl_wire_lower16(d + i, s + i);
	if (i < len)
		rbl_wire_lower16(d + len - 16, s + len - 16);
}

/* rbl_wire_name() for a plain name copied into OUT: the labels walked by
 * their length bytes, then the name copied in one piece (see the header
 * comment).  The same checks as the general reader: every length byte
 * inside the message and at most 63, the name with its root at most
 * DNS_NAME_MAX bytes. */
static inline size_t rbl_wire_plain_name(const uint8_t *msg, size_t len,
					 size_t off, unsigned flags,
					 rbl_wire_buf *out)
{
	const size_t start = off;
	/* the root byte must lie below LIM */
	const size_t lim = off >= len ? off
			 : len - off > DNS_NAME_MAX ? off + DNS_NAME_MAX : len;
	uint8_t *lo = out->label_off;
	unsigned labels = 0;
	size_t n = 0;

	for (;;) {
		uint8_t l = 0;

		if (off >= lim)
			return 0;	/* past the message, or too long */
		l = msg[off];
		if (l == 0)
			break;
		if (l > 63)
			return 0;	/* a pointer, or a reserved type */
		/* labels < DNS_LABELS_MAX: each takes 2 bytes of at most 254 */
		if (lo)
			lo[labels] = (uint8_t)(off - start);
		labels++;
		off += 1u + l;
	}
	n = off - start + 1;	/* root included */
	if (!(flags & RBL_WIRE_LOWER))
		memcpy(out->wire, msg + start, n);
	else if (n >= 8)
		rbl_wire_lower_copy(out->wire, msg + start, n);
	else
		for (size_t i = 0; i < n; i++)
			out->wire[i] = dns_lower(msg[start + i]);
	out->len = (uint8_t)n;
	out->nlabels = (uint8_t)labels;
	return off + 1;
}

/* Read the name at OFF of the LEN-byte message MSG as FLAGS say, into
 * OUT (NULL: step over it).  Returns the offset past the name or 0.
 * Defined here, inline, because every query's question goes through it:
 * with the constant FLAGS and OUT of each caller the compiler keeps only
 * the branches that caller needs, as tight as a reader written for it. */
static inline size_t rbl_wire_name(const uint8_t *msg, size_t len,
				   size_t off, unsigned flags,
				   rbl_wire_buf *out)
{
	uint8_t *w = out ? out->wire : NULL;
	uint8_t *lo = out ? out->label_off : NULL;
	size_t n = 0, low = off, end = 0;
	unsigned labels = 0;

	if ((flags & RBL_WIRE_PLAIN) && out)
		return rbl_wire_plain_name(msg, len, off, flags, out);
	for (;;) {
		uint8_t l = 0;

		/* no pointer followed yet: the name so far is the bytes
		 * from its start, one counter is enough */
		if ((flags & RBL_WIRE_PLAIN) || !out)
			n = off - low;
		if (off >= len)
			return 0;
		l = msg[off];
		if (l >= 0xc0) {
			size_t to = 0;

			if ((flags & RBL_WIRE_PLAIN) || off + 2 > len)
				return 0;
			to = dns_get16(msg + off) & 0x3fff;
			if (to >= low)
				return 0;	/* forwards, or a loop */
			if (!out)
				return off + 2;	/* stepped over */
			if (!end)
				end = off + 2;
			off = low = to;
			continue;
		}
		if (l > 63 || n + 1 + l > DNS_NAME_MAX || off + 1 + l > len)
			return 0;
		if (l == 0)
			break;
		/* labels < DNS_LABELS_MAX: each takes 2 bytes of at most 254 */
		if (lo)
			lo[labels] = (uint8_t)n;
		labels++;
		if (w) {
			const uint8_t *s = msg + off + 1;
			uint8_t *d = w + n + 1;

			d[-1] = l;
			for (unsigned i = 0; i < l; i++)
				d[i] = (flags & RBL_WIRE_LOWER) ? dns_lower(s[i])
							       : s[i];
		}
		n += 1u + l;
		off += 1u + l;
	}
	if (out) {
		w[n] = 0;
		out->len = (uint8_t)(n + 1);
		out->nlabels = (uint8_t)labels;
	}
	return end ? end : off + 1;
}

/* A resource record's place and fixed fields. */
typedef struct rbl_wire_rr {
	size_t at;		/* its owner name */
	size_t fixed;		/* TYPE, just past the owner as it stands */
	uint16_t type, rclass;
	uint32_t ttl;
	size_t rdata;		/* RDATA, RDLEN bytes */
	uint16_t rdlen;
} rbl_wire_rr;

/* Read the record at OFF of MSG (LEN bytes): owner stepped over, fixed
 * fields, RDATA inside the message.  Returns the offset past it, or 0
 * when it is malformed.  Inline for the same reason as rbl_wire_name:
 * the parser reads the OPT record of most queries with it. */
static inline size_t rbl_wire_record(const uint8_t *msg, size_t len,
				     size_t off, rbl_wire_rr *rr)
{
	size_t p = rbl_wire_name(msg, len, off, 0, NULL);

	if (p == 0 || p + 10 > len)
		return 0;
	rr->at = off;
	rr->fixed = p;
	rr->type = dns_get16(msg + p);
	rr->rclass = dns_get16(msg + p + 2);
	rr->ttl = dns_get32(msg + p + 4);
	rr->rdlen = dns_get16(msg + p + 8);
	rr->rdata = p + 10;
	if (rr->rdata + rr->rdlen > len)
		return 0;
	return rr->rdata + rr->rdlen;
}

/* Walk the whole message MSG (LEN bytes: header, the questions and the
 * records its counts announce) and set *AT to the offset of its last
 * record, 0 when it has none: where a TSIG record must be.  For messages
 * rbld did not parse as queries (answers to its NOTIFYs).  RBL_OK, or
 * RBL_EFORMAT when a count, name or record does not fit. */
int rbl_wire_last_rr(const uint8_t *msg, size_t len, size_t *at);

#endif
