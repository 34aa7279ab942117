/*
 * rbldnsd_read_lex.c -- the words of rbldnsd data, as pure functions of
 * their text: dataset type names, IPv4 addresses, prefixes and ranges in
 * rbldnsd's short forms, A values, IPv6 text, domain names (see
 * rbldnsd_fmt.h for the public ones, rbldnsd_read_impl.h for the rest).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "zone/error.h"
#include "zone/formats/rbldnsd_read_impl.h"

/* ---- dataset types ---- */

static const char *const type_names[] = {
	[RBL_DS_IP4SET] = "ip4set", [RBL_DS_IP4TSET] = "ip4tset",
	[RBL_DS_IP4TRIE] = "ip4trie", [RBL_DS_IP6TSET] = "ip6tset",
	[RBL_DS_IP6TRIE] = "ip6trie", [RBL_DS_DNSET] = "dnset",
	[RBL_DS_COMBINED] = "combined", [RBL_DS_ACL] = "acl",
	[RBL_DS_GENERIC] = "generic",
};

int rbl_ds_type_parse(const char *name)
{
	for (int t = RBL_DS_IP4SET; t <= RBL_DS_GENERIC; t++)
		if (strcasecmp(name, type_names[t]) == 0)
			return t;
	return 0;
}

const char *rbl_ds_type_name(int type)
{
	if (type < RBL_DS_IP4SET || type > RBL_DS_GENERIC)
		return "?";
	return type_names[type];
}

bool rbl_ds_type_is_ip(int type)
{
	return type != RBL_DS_DNSET && type != RBL_DS_COMBINED &&
	       type >= RBL_DS_IP4SET && type <= RBL_DS_ACL;
}

/* ---- IPv4 and A values ---- */

/* A decimal octet 0..255 at *S. */
static bool parse_octet(const char **s, uint32_t *out)
{
	uint32_t v = 0;
	int n = 0;

	while (isdigit((unsigned char)**s)) {
		v = v * 10 + (uint32_t)(**s - '0');
		(*s)++;
		if (++n > 3 || v > 255)
			return false;
	}
	*out = v;
	return n > 0;
}

/* "a[.b[.c[.d]]]": the value with missing octets zero and the number of
 * bits given (8, 16, 24, 32); 0 on error. */
static unsigned parse_ip4_prefix(const char **s, uint32_t *out)
{
	uint32_t v = 0, o = 0;
	unsigned bits = 0;

	for (;;) {
		if (!parse_octet(s, &o))
			return 0;
		v |= o << (24 - bits);
		bits += 8;
		if (bits == 32 || **s != '.' ||
		    !isdigit((unsigned char)(*s)[1]))
			break;
		(*s)++;
	}
	*out = v;
	return bits;
}

static uint32_t mask4(unsigned bits)
{
	return bits == 0 ? 0 : 0xffffffffu << (32 - bits);
}

bool ds_parse_bits(const char **s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	int n = 0;

	while (isdigit((unsigned char)**s)) {
		v = v * 10 + (unsigned)(**s - '0');
		(*s)++;
		if (++n > 3 || v > max)
			return false;
	}
	*out = v;
	return n > 0;
}

static void set4(rbl_addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->family = RBL_AF4;
	a->bytes[0] = (uint8_t)(v >> 24);
	a->bytes[1] = (uint8_t)(v >> 16);
	a->bytes[2] = (uint8_t)(v >> 8);
	a->bytes[3] = (uint8_t)v;
}

static int range_end(const char **s, uint32_t a, unsigned bits, uint32_t *b,
		     const char **why)
{
	unsigned bbits;

	(*s)++;
	bbits = parse_ip4_prefix(s, b);
	if (!bbits) {
		*why = "the end of the range is not an address";
		return RBL_ESYNTAX;
	}
	if (bbits == 8 && bits > 8) {
		/* "127.0.0.1-255": the end replaces the last octet given */
		*b = (*b >> (bits - 8)) | (a & mask4(bits - 8));
		bbits = bits;
	} else if (bbits != bits) {
		*why = "both ends of a range need the same number of octets";
		return RBL_ESYNTAX;
	}
	*b |= ~mask4(bbits);
	if (a > *b) {
		*why = "the range ends before it starts";
		return RBL_EINVAL;
	}
	return RBL_OK;
}

int rbl_ds_ip4_range(const char *s, bool strict, rbl_addr *lo, rbl_addr *hi,
		     const char **why)
{
	uint32_t a = 0, b = 0;
	unsigned bits = parse_ip4_prefix(&s, &a);
	int rc;

	*why = "not an IPv4 address, prefix or range";
	if (!bits)
		return RBL_ESYNTAX;
	if (*s == '-') {
		rc = range_end(&s, a, bits, &b, why);
		if (rc != RBL_OK)
			return rc;
	} else if (*s == '/') {
		s++;
		if (!ds_parse_bits(&s, 32, &bits)) {
			*why = "the prefix length is not 0..32";
			return RBL_ESYNTAX;
		}
		if (a & ~mask4(bits)) {
			*why = "host bits set below the prefix length "
			       "(use the network address, or --lenient)";
			if (strict)
				return RBL_EINVAL;
			a &= mask4(bits);
		}
		b = a | ~mask4(bits);
	} else {
		if (bits == 8) {
			*why = "a bare number is not a network (write 127/8)";
			return RBL_ESYNTAX;
		}
		b = a | ~mask4(bits);
	}
	if (*s) {
		*why = "unexpected text after the address";
		return RBL_ESYNTAX;
	}
	set4(lo, a);
	set4(hi, b);
	return RBL_OK;
}

int rbl_ds_parse_code(const char *s, size_t len, uint32_t *code)
{
	uint32_t part[4], v;
	unsigned n = 0;
	const char *end = s + len;

	while (s < end) {
		if (n == 4 || !isdigit((unsigned char)*s))
			return RBL_ESYNTAX;
		for (v = 0; s < end && isdigit((unsigned char)*s); s++)
			if ((v = v * 10 + (uint32_t)(*s - '0')) > 255)
				return RBL_ESYNTAX;
		part[n++] = v;
		if (s < end && *s++ != '.')
			return RBL_ESYNTAX;
		if (s == end && s[-1] == '.')
			return RBL_ESYNTAX;
	}
	switch (n) {
	case 1: v = part[0] ? 0x7f000000u | part[0] : 0; break;
	case 2: v = part[0] << 24 | part[1]; break;
	case 3: v = part[0] << 24 | part[1] << 16 | part[2]; break;
	case 4: v = part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3];
		break;
	default: return RBL_ESYNTAX;
	}
	if (v == 0)
		return RBL_ESYNTAX;
	*code = v;
	return RBL_OK;
}

/* ---- IPv6 ---- */

int ds_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One group of 1..4 hex digits. */
static bool parse_group(const char **s, uint16_t *out)
{
	unsigned v = 0;
	int n = 0, d;

	while ((d = ds_hexval(**s)) >= 0) {
		if (++n > 4)
			return false;
		v = v << 4 | (unsigned)d;
		(*s)++;
	}
	*out = (uint16_t)v;
	return n > 0;
}

/* IPv6 text, possibly shortened rbldnsd style ("2001:db8:1:2" = the /64).
 * *GROUPS gets the number of groups written when there is no "::" (0 if
 * the text had "::" or an embedded IPv4 address: a full address). */
bool ds_parse_ip6(const char *s, rbl_addr *a, unsigned *groups)
{
	uint16_t g[8];
	unsigned n = 0, gap = 8;

	memset(a, 0, sizeof(*a));
	a->family = RBL_AF6;
	if (strchr(s, '.')) {	/* embedded IPv4: a full address */
		*groups = 0;
		return inet_pton(AF_INET6, s, a->bytes) == 1;
	}
	if (s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (*s) {
		if (n == 8 || !parse_group(&s, &g[n]))
			return false;
		n++;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return false;
		if (*s == ':') {
			if (gap != 8)
				return false;
			gap = n;
			s++;
		} else if (*s == '\0') {
			return false;
		}
	}
	if (gap == 8) {
		*groups = n;
	} else {
		if (n == 8)
			return false;
		memmove(&g[gap + 8 - n], &g[gap], (n - gap) * sizeof(g[0]));
		memset(&g[gap], 0, (8 - n) * sizeof(g[0]));
		n = 8;
		*groups = 0;
	}
	for (unsigned i = 0; i < n; i++) {
		a->bytes[2 * i] = (uint8_t)(g[i] >> 8);
		a->bytes[2 * i + 1] = (uint8_t)g[i];
	}
	return n > 0;
}

bool ds_host_bits_set(const rbl_prefix *p)
{
	rbl_prefix c = *p;

	rbl_prefix_canon(&c);
	return memcmp(c.addr.bytes, p->addr.bytes, 16) != 0;
}

/* ---- names ---- */

bool ds_valid_name(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > RBL_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > RBL_LABEL_MAX)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}
