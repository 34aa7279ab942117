/*
 * addr.h -- IPv4/IPv6 addresses, CIDR prefixes and ranges.
 *
 * One representation for both families: rbl_addr holds 16 bytes in network
 * order; an IPv4 address uses bytes[0..3] and family 4.  Prefixes are
 * canonical (host bits zero) once they leave this module.  Nothing here
 * allocates.  Parsing of rbldnsd's shorthand forms ("127.0.0", "127/8",
 * "127.0.0.1-255") lives in rbldnsd_fmt.c, not here.
 */
#ifndef RBL_ADDR_H
#define RBL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RBL_AF4 4
#define RBL_AF6 6

typedef struct rbl_addr {
	uint8_t family;		/* RBL_AF4 or RBL_AF6 */
	uint8_t bytes[16];	/* network order; IPv4 in bytes[0..3], rest 0 */
} rbl_addr;

typedef struct rbl_prefix {
	rbl_addr addr;		/* host bits are zero */
	uint8_t len;		/* 0..32 or 0..128 */
} rbl_prefix;

/* Text buffer large enough for any address or prefix we format. */
#define RBL_ADDR_STRLEN 64

/* Bits in an address of FAMILY: 32 or 128. */
unsigned rbl_addr_bits(uint8_t family);

/* Parse a plain IPv4 dotted quad or IPv6 address (no prefix) from S.
 * Returns RBL_OK or RBL_ESYNTAX. */
int rbl_addr_parse(const char *s, rbl_addr *out);

/* Parse "addr" or "addr/len".  A bare address is a host prefix (/32, /128).
 * With STRICT, host bits set below LEN are RBL_EINVAL; otherwise they are
 * cleared.  Returns RBL_OK, RBL_ESYNTAX or RBL_EINVAL. */
int rbl_prefix_parse(const char *s, bool strict, rbl_prefix *out);

/* Parse "lo-hi" (two full addresses of one family), "addr/len" or "addr"
 * into the inclusive range [*LO, *HI].  Returns RBL_OK, RBL_ESYNTAX,
 * RBL_EINVAL (hi < lo, families differ). */
int rbl_range_parse(const char *s, rbl_addr *lo, rbl_addr *hi);

/* Split the inclusive range [LO, HI] into the minimal list of CIDR prefixes,
 * in address order.  Writes at most MAX prefixes to OUT and the count to *N.
 * Returns RBL_OK, or RBL_ETOOBIG when MAX is too small (at most 2*bits-2
 * prefixes are ever needed: 62 for IPv4, 254 for IPv6). */
int rbl_range_to_prefixes(const rbl_addr *lo, const rbl_addr *hi,
			  rbl_prefix *out, size_t max, size_t *n);

/* Format into BUF (at least RBL_ADDR_STRLEN bytes).  Returns BUF. */
char *rbl_addr_format(const rbl_addr *a, char *buf);
/* "addr/len", or just "addr" when the prefix is a single host. */
char *rbl_prefix_format(const rbl_prefix *p, char *buf);

/* Comparison in address order; families compare 4 < 6. */
int rbl_addr_cmp(const rbl_addr *a, const rbl_addr *b);

/* First and last address of P. */
void rbl_prefix_first(const rbl_prefix *p, rbl_addr *out);
void rbl_prefix_last(const rbl_prefix *p, rbl_addr *out);
/* True if P contains address A / prefix Q. */
bool rbl_prefix_contains(const rbl_prefix *p, const rbl_addr *a);
bool rbl_prefix_covers(const rbl_prefix *p, const rbl_prefix *q);
/* Clear host bits below P->len. */
void rbl_prefix_canon(rbl_prefix *p);
/* A+1 / A-1 within the family; return false on wrap-around. */
bool rbl_addr_inc(rbl_addr *a);
bool rbl_addr_dec(rbl_addr *a);

/* If A is an IPv4-mapped IPv6 address (::ffff:a.b.c.d), rewrite it as IPv4
 * and return true. */
bool rbl_addr_unmap4(rbl_addr *a);

/* True for space that evidence must never list: unspecified, loopback,
 * RFC 1918 / ULA private, CGNAT, link-local, documentation, benchmarking,
 * multicast, reserved and broadcast (RFC 6890 special-purpose registries). */
bool rbl_addr_is_special(const rbl_addr *a);

/*
 * Reverse-DNS form, as DNSBL queries use it.
 *
 * rbl_addr_from_reverse() reads the labels left of a zone (already split
 * by the caller: LABELS[0] is the leftmost label, each of length LENS[i]):
 *   IPv4: 1..4 decimal labels "d.c.b.a"; IPv6: 1..32 single hex nibbles.
 * On success *OUT holds the covered prefix: a full address (/32, /128) when
 * all labels are present, a shorter prefix for partial names ("2.0.192" is
 * 192.0.2.0/24; 31 nibbles is a /124).  Returns RBL_OK or RBL_ENOTFOUND if
 * the labels are not an address in reverse form.  Allocates nothing.
 */
int rbl_addr_from_reverse(const uint8_t *const *labels, const uint8_t *lens,
			  unsigned nlabels, rbl_prefix *out);

/* Write the reversed form of A ("4.3.2.1" or 32 nibbles, no trailing dot)
 * into BUF of size LEN.  Returns RBL_OK or RBL_ETOOBIG. */
int rbl_addr_to_reverse(const rbl_addr *a, char *buf, size_t len);

#endif
