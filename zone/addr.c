/*
 * addr.c -- IPv4/IPv6 addresses, CIDR prefixes and ranges (see addr.h).
 *
 * Addresses are 16-byte big-endian numbers; an IPv4 address uses the first
 * four bytes.  All arithmetic works byte-wise on that form, so nothing here
 * depends on the host's integer sizes or byte order, and nothing allocates.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "zone/addr.h"
#include "zone/error.h"

unsigned rbl_addr_bits(uint8_t family)
{
	return family == RBL_AF4 ? 32 : 128;
}

static unsigned addr_len(uint8_t family)
{
	return family == RBL_AF4 ? 4 : 16;
}

int rbl_addr_parse(const char *s, rbl_addr *out)
{
	rbl_addr a = { 0 };

	memset(&a, 0, sizeof a);
	if (!s || !*s)
		return RBL_ESYNTAX;
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, a.bytes) != 1)
			return RBL_ESYNTAX;
		a.family = RBL_AF6;
	} else {
		if (inet_pton(AF_INET, s, a.bytes) != 1)
			return RBL_ESYNTAX;
		a.family = RBL_AF4;
	}
	*out = a;
	return RBL_OK;
}

/* Strict decimal 0..MAX without sign, spaces or leading zeros. */
static int parse_small_uint(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t n = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return RBL_ESYNTAX;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 3)
			return RBL_ESYNTAX;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return RBL_ESYNTAX;
	*out = v;
	return RBL_OK;
}

/* True if any bit at position >= LEN (from the top) is set. */
static bool has_host_bits(const rbl_addr *a, unsigned len)
{
	unsigned n = addr_len(a->family);

	for (unsigned i = 0; i < n; i++) {
		unsigned lo = i * 8;
		uint8_t keep;

		if (lo + 8 <= len)
			continue;
		keep = lo >= len ? 0 : (uint8_t)(0xff << (8 - (len - lo)));
		if (a->bytes[i] & (uint8_t)~keep)
			return true;
	}
	return false;
}

int rbl_prefix_parse(const char *s, bool strict, rbl_prefix *out)
{
	char buf[RBL_ADDR_STRLEN];
	const char *slash;
	size_t alen;
	unsigned len = 0;
	rbl_prefix p = { 0 };
	int rc;

	if (!s)
		return RBL_ESYNTAX;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof buf)
		return RBL_ESYNTAX;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	if ((rc = rbl_addr_parse(buf, &p.addr)) != RBL_OK)
		return rc;
	len = rbl_addr_bits(p.addr.family);
	if (slash && parse_small_uint(slash + 1, len, &len) != RBL_OK)
		return RBL_ESYNTAX;
	p.len = (uint8_t)len;
	if (has_host_bits(&p.addr, p.len)) {
		if (strict)
			return RBL_EINVAL;
		rbl_prefix_canon(&p);
	}
	*out = p;
	return RBL_OK;
}

int rbl_range_parse(const char *s, rbl_addr *lo, rbl_addr *hi)
{
	char buf[RBL_ADDR_STRLEN];
	const char *dash;
	rbl_prefix p = { 0 };
	rbl_addr a = { 0 }, b = { 0 };
	size_t n;
	int rc;

	if (!s)
		return RBL_ESYNTAX;
	dash = strchr(s, '-');
	if (!dash) {
		if ((rc = rbl_prefix_parse(s, true, &p)) != RBL_OK)
			return rc;
		rbl_prefix_first(&p, lo);
		rbl_prefix_last(&p, hi);
		return RBL_OK;
	}
	n = (size_t)(dash - s);
	if (n == 0 || n >= sizeof buf)
		return RBL_ESYNTAX;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (rbl_addr_parse(buf, &a) != RBL_OK ||
	    rbl_addr_parse(dash + 1, &b) != RBL_OK)
		return RBL_ESYNTAX;
	if (a.family != b.family || rbl_addr_cmp(&a, &b) > 0)
		return RBL_EINVAL;
	*lo = a;
	*hi = b;
	return RBL_OK;
}

/* Set (ONES true) or clear the bits of A below the top LEN bits. */
static void fill_host_bits(rbl_addr *a, unsigned len, bool ones)
{
	unsigned n = addr_len(a->family);

	for (unsigned i = 0; i < n; i++) {
		unsigned lo = i * 8;
		uint8_t keep;

		if (lo + 8 <= len)
			continue;
		keep = lo >= len ? 0 : (uint8_t)(0xff << (8 - (len - lo)));
		if (ones)
			a->bytes[i] |= (uint8_t)~keep;
		else
			a->bytes[i] &= keep;
	}
}

int rbl_range_to_prefixes(const rbl_addr *lo, const rbl_addr *hi,
			  rbl_prefix *out, size_t max, size_t *n)
{
	unsigned bits;
	rbl_addr cur = *lo;

	*n = 0;
	if (lo->family != hi->family || rbl_addr_cmp(lo, hi) > 0)
		return RBL_EINVAL;
	bits = rbl_addr_bits(lo->family);
	for (;;) {
		unsigned len = bits;
		rbl_addr last = { 0 };

		/* The shortest prefix starting at CUR that stays within HI. */
		while (len > 0 && !has_host_bits(&cur, len - 1)) {
			last = cur;
			fill_host_bits(&last, len - 1, true);
			if (rbl_addr_cmp(&last, hi) > 0)
				break;
			len--;
		}
		if (*n >= max)
			return RBL_ETOOBIG;
		out[*n].addr = cur;
		out[*n].len = (uint8_t)len;
		(*n)++;
		fill_host_bits(&cur, len, true);
		if (rbl_addr_cmp(&cur, hi) >= 0 || !rbl_addr_inc(&cur))
			return RBL_OK;
	}
}

/* RFC 5952 text: the longest run (>= 2) of zero groups becomes "::",
 * the first of equal runs; IPv4-mapped addresses end in dotted quad. */
static void format_v6(const uint8_t *b, char *buf)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	int best = -1, best_len = 1, groups = 8, n = 0;

	if (memcmp(b, mapped, 12) == 0)
		groups = 6;
	for (int i = 0; i < groups;) {
		int j = i;

		while (j < groups && !b[2 * j] && !b[2 * j + 1])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < groups; i++) {
		if (i == best) {
			n += sprintf(buf + n, "::");
			i += best_len - 1;
			continue;
		}
		n += sprintf(buf + n, "%s%x", n && buf[n - 1] != ':' ? ":" : "",
			     (unsigned)(b[2 * i] << 8 | b[2 * i + 1]));
	}
	if (groups == 6)
		sprintf(buf + n, "%s%u.%u.%u.%u", buf[n - 1] == ':' ? "" : ":",
			b[12], b[13], b[14], b[15]);
}

/* V in decimal at P, no leading zeros; returns the end. */
static char *put_octet(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		*p++ = (char)('0' + v / 10);
	} else if (v >= 10) {
		*p++ = (char)('0' + v / 10);
	}
	*p++ = (char)('0' + v % 10);
	return p;
}

/* Dotted quad, written out: rbld formats the address of every listed
 * answer (its TXT's $), and snprintf cost 1,750 instructions for it. */
char *rbl_addr_format(const rbl_addr *a, char *buf)
{
	char *p = buf;

	if (a->family != RBL_AF4) {
		format_v6(a->bytes, buf);
		return buf;
	}
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_octet(p, a->bytes[i]);
	}
	*p = '\0';
	return buf;
}

char *rbl_prefix_format(const rbl_prefix *p, char *buf)
{
	rbl_addr_format(&p->addr, buf);
	if (p->len != rbl_addr_bits(p->addr.family)) {
		size_t n = strlen(buf);
		snprintf(buf + n, RBL_ADDR_STRLEN - n, "/%u", p->len);
	}
	return buf;
}

int rbl_addr_cmp(const rbl_addr *a, const rbl_addr *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->bytes, b->bytes, addr_len(a->family));
	return c < 0 ? -1 : c > 0;
}

void rbl_prefix_first(const rbl_prefix *p, rbl_addr *out)
{
	*out = p->addr;
	fill_host_bits(out, p->len, false);
}

void rbl_prefix_last(const rbl_prefix *p, rbl_addr *out)
{
	*out = p->addr;
	fill_host_bits(out, p->len, true);
}

bool rbl_prefix_contains(const rbl_prefix *p, const rbl_addr *a)
{
	rbl_addr m = { 0 }, n = { 0 };

	if (a->family != p->addr.family)
		return false;
	m = *a;
	n = p->addr;
	fill_host_bits(&m, p->len, false);
	fill_host_bits(&n, p->len, false);
	return memcmp(m.bytes, n.bytes, addr_len(a->family)) == 0;
}

bool rbl_prefix_covers(const rbl_prefix *p, const rbl_prefix *q)
{
	return q->addr.family == p->addr.family && q->len >= p->len &&
	       rbl_prefix_contains(p, &q->addr);
}

void rbl_prefix_canon(rbl_prefix *p)
{
	unsigned bits = rbl_addr_bits(p->addr.family);

	if (p->len > bits)
		p->len = (uint8_t)bits;
	fill_host_bits(&p->addr, p->len, false);
	if (p->addr.family == RBL_AF4)
		memset(p->addr.bytes + 4, 0, 12);
}

bool rbl_addr_inc(rbl_addr *a)
{
	for (int i = (int)addr_len(a->family) - 1; i >= 0; i--)
		if (++a->bytes[i] != 0)
			return true;
	return false;
}

bool rbl_addr_dec(rbl_addr *a)
{
	for (int i = (int)addr_len(a->family) - 1; i >= 0; i--)
		if (a->bytes[i]-- != 0)
			return true;
	return false;
}

bool rbl_addr_unmap4(rbl_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };

	if (a->family != RBL_AF6 || memcmp(a->bytes, mapped, 12) != 0)
		return false;
	memmove(a->bytes, a->bytes + 12, 4);
	memset(a->bytes + 4, 0, 12);
	a->family = RBL_AF4;
	return true;
}

struct special_net {
	uint8_t family;
	uint8_t len;
	uint8_t bytes[16];
};

/* RFC 6890 and its successors: space evidence must never list. */
static const struct special_net special_nets[] = {
	{ RBL_AF4, 8, { 0 } },
	{ RBL_AF4, 8, { 10 } },
	{ RBL_AF4, 10, { 100, 64 } },
	{ RBL_AF4, 8, { 127 } },
	{ RBL_AF4, 16, { 169, 254 } },
	{ RBL_AF4, 12, { 172, 16 } },
	{ RBL_AF4, 24, { 192, 0, 0 } },
	{ RBL_AF4, 24, { 192, 0, 2 } },
	{ RBL_AF4, 24, { 192, 88, 99 } },
	{ RBL_AF4, 16, { 192, 168 } },
	{ RBL_AF4, 15, { 198, 18 } },
	{ RBL_AF4, 24, { 198, 51, 100 } },
	{ RBL_AF4, 24, { 203, 0, 113 } },
	{ RBL_AF4, 4, { 224 } },
	{ RBL_AF4, 4, { 240 } },	/* includes 255.255.255.255 */
	{ RBL_AF6, 128, { 0 } },	/* :: */
	{ RBL_AF6, 128, { [15] = 1 } },	/* ::1 */
	{ RBL_AF6, 48, { 0, 0x64, 0xff, 0x9b, 0, 1 } },	/* local NAT64 */
	{ RBL_AF6, 64, { 0x01 } },	/* 100::/64 discard */
	{ RBL_AF6, 23, { 0x20, 0x01 } },	/* IETF protocol assignments */
	{ RBL_AF6, 32, { 0x20, 0x01, 0x0d, 0xb8 } },	/* documentation */
	{ RBL_AF6, 7, { 0xfc } },	/* ULA */
	{ RBL_AF6, 10, { 0xfe, 0x80 } },	/* link-local */
	{ RBL_AF6, 8, { 0xff } },	/* multicast */
};

static bool in_special_net(const rbl_addr *a, const struct special_net *n)
{
	rbl_prefix p = { 0 };

	p.addr.family = n->family;
	memcpy(p.addr.bytes, n->bytes, 16);
	p.len = n->len;
	return rbl_prefix_contains(&p, a);
}

/* Addresses that embed an IPv4 address are judged by it: IPv4-mapped,
 * the NAT64 well-known prefix 64:ff9b::/96 and 6to4 2002::/16. */
static bool embedded_v4(const rbl_addr *a, rbl_addr *v4)
{
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };

	*v4 = *a;
	if (rbl_addr_unmap4(v4))
		return true;
	if (a->family != RBL_AF6)
		return false;
	memset(v4, 0, sizeof *v4);
	v4->family = RBL_AF4;
	if (memcmp(a->bytes, nat64, 12) == 0) {
		memcpy(v4->bytes, a->bytes + 12, 4);
		return true;
	}
	if (a->bytes[0] == 0x20 && a->bytes[1] == 0x02) {
		memcpy(v4->bytes, a->bytes + 2, 4);
		return true;
	}
	return false;
}

bool rbl_addr_is_special(const rbl_addr *a)
{
	rbl_addr v4 = { 0 };

	if (embedded_v4(a, &v4))
		return rbl_addr_is_special(&v4);
	for (size_t i = 0; i < sizeof special_nets / sizeof special_nets[0];
	     i++)
		if (in_special_net(a, &special_nets[i]))
			return true;
	return false;
}

/* One reversed IPv4 label: plain decimal 0..255, no leading zeros.
 * One case per length, no loop: every DNSBL query reads four. */
static bool parse_octet(const uint8_t *s, uint8_t len, uint8_t *out)
{
	unsigned a = 0, b = 0, c = 0, v = 0;

	if (len == 0 || len > 3)
		return false;
	a = (unsigned)s[0] - '0';
	switch (len) {
	case 1:
		v = a;
		break;
	case 2:
		b = (unsigned)s[1] - '0';
		if (a == 0 || b > 9)
			return false;
		v = a * 10 + b;
		break;
	case 3:
		b = (unsigned)s[1] - '0';
		c = (unsigned)s[2] - '0';
		if (a == 0 || b > 9 || c > 9)
			return false;
		v = a * 100 + b * 10 + c;
		break;
	}
	if (a > 9 || v > 255)
		return false;
	*out = (uint8_t)v;
	return true;
}

static int hex_nibble(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int reverse_v4(const uint8_t *const *labels, const uint8_t *lens,
		      unsigned n, rbl_prefix *out)
{
	rbl_prefix p = { 0 };

	p.addr.family = RBL_AF4;
	p.len = (uint8_t)(8 * n);
	for (unsigned i = 0; i < n; i++)
		if (!parse_octet(labels[i], lens[i], &p.addr.bytes[n - 1 - i]))
			return RBL_ENOTFOUND;
	*out = p;
	return RBL_OK;
}

static int reverse_v6(const uint8_t *const *labels, const uint8_t *lens,
		      unsigned n, rbl_prefix *out)
{
	rbl_prefix p = { 0 };

	memset(&p, 0, sizeof p);
	p.addr.family = RBL_AF6;
	p.len = (uint8_t)(4 * n);
	for (unsigned i = 0; i < n; i++) {
		unsigned pos = n - 1 - i;	/* nibble index from the top */
		int v = lens[i] == 1 ? hex_nibble(labels[i][0]) : -1;

		if (v < 0)
			return RBL_ENOTFOUND;
		p.addr.bytes[pos / 2] |= (uint8_t)(pos % 2 ? v : v << 4);
	}
	*out = p;
	return RBL_OK;
}

/* Up to four labels that are all valid octets read as IPv4, even when they
 * would also be valid nibbles: a DNSBL zone answers IPv4 there. */
int rbl_addr_from_reverse(const uint8_t *const *labels, const uint8_t *lens,
			  unsigned nlabels, rbl_prefix *out)
{
	if (nlabels == 0 || nlabels > 32)
		return RBL_ENOTFOUND;
	if (nlabels <= 4 && reverse_v4(labels, lens, nlabels, out) == RBL_OK)
		return RBL_OK;
	return reverse_v6(labels, lens, nlabels, out);
}

int rbl_addr_to_reverse(const rbl_addr *a, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	int n;

	if (a->family == RBL_AF4) {
		n = snprintf(buf, len, "%u.%u.%u.%u", a->bytes[3],
			     a->bytes[2], a->bytes[1], a->bytes[0]);
		return n < 0 || (size_t)n >= len ? RBL_ETOOBIG : RBL_OK;
	}
	if (len < 64)
		return RBL_ETOOBIG;
	for (int i = 0; i < 32; i++) {
		uint8_t b = a->bytes[15 - i / 2];

		buf[2 * i] = hex[i % 2 ? b >> 4 : b & 15];
		buf[2 * i + 1] = i == 31 ? 0 : '.';
	}
	return RBL_OK;
}
