/*
 * rbldnsd_read_entry.c -- entry lines into records, one function per
 * dataset type (ip4set, ip4trie, ip4tset, ip6trie, ip6tset, dnset, acl,
 * generic): the address or name, its value, and delivery to the caller
 * (ranges split into prefixes), as rbldnsd reads them.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "zone/compiler.h"
#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_read_impl.h"

/* ---- records ---- */

static void start_record(ds_parser *p, bool exclude)
{
	rbl_ds_record *r = &p->rec;

	r->file = p->file;
	r->line = p->line;
	r->section = p->section;
	r->type = p->type;
	r->acl_action = RBL_ACL_VALUE;
	memset(&r->entry, 0, offsetof(rbl_entry, txt));
	r->entry.txt[0] = '\0';
	r->entry.source[0] = '\0';
	r->entry.flags = exclude ? RBL_ENTRY_EXCLUDE : 0;
	r->entry.expires = p->meta->expires;
	r->rr = NULL;
}

static int deliver(ds_parser *p)
{
	int rc;

	if (p->errors || !p->h->record)
		return RBL_OK;
	rc = p->h->record(p->h->arg, &p->rec);
	if (rc)
		p->stop_rc = rc;
	return rc;
}

/* Deliver the prefixes of [LO, HI]. */
static int deliver_range(ds_parser *p, const rbl_addr *lo, const rbl_addr *hi)
{
	/* 4.6 kB per line of input, filled up to N by
	 * rbl_range_to_prefixes(): zeroing it would cost an import 6% more
	 * instructions (zone/compiler.h) */
	rbl_prefix pfx[256] RBL_NOINIT;
	size_t n = 0;
	int rc = rbl_range_to_prefixes(lo, hi, pfx, 256, &n);

	if (rc != RBL_OK)
		return ds_error(p, "cannot split the range into prefixes");
	p->rec.is_name = false;
	for (size_t i = 0; i < n; i++) {
		p->rec.prefix = pfx[i];
		rc = deliver(p);
		if (rc)
			return rc;
	}
	return RBL_OK;
}

/* Cut the address token at S: it ends at a blank, a comment, or (IPv4)
 * a ':' that starts the value.  Returns the rest of the line. */
static char *cut_token(char *s, bool v4)
{
	while (*s && !is_space(*s) && !is_comment(*s) && !(v4 && *s == ':'))
		s++;
	if (*s == '\0')
		return s;
	if (is_space(*s)) {
		*s = '\0';
		return s + 1;
	}
	/* ':' or a comment right after the address: keep it for the value */
	memmove(s + 1, s, strlen(s) + 1);
	*s = '\0';
	return s + 1;
}

static bool over_maxrange(ds_parser *p, const rbl_addr *lo,
			  const rbl_addr *hi)
{
	uint32_t a = (uint32_t)lo->bytes[0] << 24 | lo->bytes[1] << 16 |
		     lo->bytes[2] << 8 | lo->bytes[3];
	uint32_t b = (uint32_t)hi->bytes[0] << 24 | hi->bytes[1] << 16 |
		     hi->bytes[2] << 8 | hi->bytes[3];

	if (!p->meta->maxrange4 || b - a < p->meta->maxrange4)
		return false;
	ds_warn(p, "range of %llu addresses is above $MAXRANGE4 %u: "
		"skipped (as rbldnsd does)", (unsigned long long)(b - a) + 1,
		p->meta->maxrange4);
	return true;
}

/* "2001:db8::/32" in an IPv4 dataset: hex before a colon, no dot. */
static bool looks_ip6(const char *s)
{
	const char *c = strchr(s, ':');

	if (!c || c == s)
		return false;
	for (const char *p = s; p < c; p++)
		if (ds_hexval(*p) < 0)
			return false;
	return c[1] == ':' || ds_hexval(c[1]) >= 0;
}

static int ip4_entry(ds_parser *p, char *s)
{
	char *rest;

	if (looks_ip6(s))
		return ds_error(p, "%s data takes IPv4 only; IPv6 goes in "
				"ip6trie or ip6tset data", rbl_ds_type_name(p->type));
	rest = cut_token(s, true);
	rbl_addr lo = { 0 }, hi = { 0 };
	const char *why = NULL;
	int rc;

	if (p->type == RBL_DS_IP4TRIE && strchr(s, '-'))
		return ds_error(p, "\"%s\": ip4trie takes prefixes, not ranges "
			     "(use ip4set)", s);
	rc = rbl_ds_ip4_range(s, !p->o->lenient, &lo, &hi, &why);
	if (rc != RBL_OK)
		return ds_error(p, "\"%s\": %s", s, why);
	if (over_maxrange(p, &lo, &hi))
		return RBL_OK;
	rc = ds_entry_value(p, rest, NULL);
	if (rc != RBL_OK)
		return rc;
	return deliver_range(p, &lo, &hi);
}

static int ip4tset_entry(ds_parser *p, char *s)
{
	char *rest = cut_token(s, true);
	rbl_addr a = { 0 };
	int rc;

	if (p->rec.entry.flags & RBL_ENTRY_EXCLUDE)
		return ds_error(p, "ip4tset has no exclusions (use ip4set)");
	if (rbl_addr_parse(s, &a) != RBL_OK || a.family != RBL_AF4)
		return ds_error(p, "\"%s\": ip4tset takes single IPv4 addresses",
			     s);
	rc = ds_tset_value(p, rest);
	if (rc != RBL_OK)
		return rc;
	return deliver_range(p, &a, &a);
}

/* "addr[/len]" for ip6trie: shortened forms are prefixes of the groups
 * given ("2001:db8:1:2" is a /64); "::" forms are /128. */
static int ip6_prefix(ds_parser *p, char *s, rbl_prefix *out)
{
	char *slash = strchr(s, '/');
	unsigned groups = 0, len = 0;
	const char *b = NULL;

	if (slash)
		*slash = '\0';
	if (!ds_parse_ip6(s, &out->addr, &groups))
		return ds_error(p, "\"%s\" is not an IPv6 address", s);
	len = groups && groups < 8 ? groups * 16 : 128;
	if (slash) {
		b = slash + 1;
		if (!ds_parse_bits(&b, 128, &len) || *b)
			return ds_error(p, "\"%s\": the prefix length is not "
				     "0..128", slash + 1);
	}
	out->len = (uint8_t)len;
	if (ds_host_bits_set(out)) {
		if (!p->o->lenient)
			return ds_error(p, "%s/%u: host bits set below the prefix"
				     " length (use the network address, or "
				     "--lenient)", s, len);
		rbl_prefix_canon(out);
	}
	return RBL_OK;
}

static int ip6trie_entry(ds_parser *p, char *s)
{
	char *rest = cut_token(s, false);
	int rc = ip6_prefix(p, s, &p->rec.prefix);

	if (rc == RBL_OK)
		rc = ds_entry_value(p, rest, NULL);
	if (rc != RBL_OK)
		return rc;
	p->rec.is_name = false;
	return deliver(p);
}

/* ip6tset: /64 listings given as (at most) four groups, /128 exclusions. */
static int ip6tset_entry(ds_parser *p, char *s)
{
	char *rest = cut_token(s, false);
	bool excl = p->rec.entry.flags & RBL_ENTRY_EXCLUDE;
	rbl_prefix *pf = &p->rec.prefix;
	unsigned groups = 0;
	int rc;

	if (!ds_parse_ip6(s, &pf->addr, &groups))
		return ds_error(p, "\"%s\" is not an IPv6 address", s);
	pf->len = excl ? 128 : 64;
	if (!excl && ds_host_bits_set(pf)) {
		if (!p->o->lenient)
			return ds_error(p, "\"%s\": ip6tset lists /64 prefixes; "
				     "write the first four groups", s);
		rbl_prefix_canon(pf);
	}
	rc = ds_tset_value(p, rest);
	if (rc != RBL_OK)
		return rc;
	p->rec.is_name = false;
	return deliver(p);
}

static int dnset_entry(ds_parser *p, char *s)
{
	char *rest = cut_token(s, false), *name = s;
	uint32_t flags = RBL_ENTRY_NAME_EXACT;
	size_t len;

	if (name[0] == '*' && name[1] == '.') {
		flags = RBL_ENTRY_NAME_SUBS;
		name += 2;
	} else if (name[0] == '.') {
		flags = RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS;
		name++;
	}
	len = strlen(name);
	if (len && name[len - 1] == '.')
		name[--len] = '\0';
	if (!ds_valid_name(name, len))
		return ds_error(p, "\"%s\" is not a domain name", s);
	for (size_t i = 0; i <= len; i++)
		p->rec.name[i] = (char)tolower((unsigned char)name[i]);
	p->rec.entry.flags |= flags;
	p->rec.is_name = true;
	if (ds_entry_value(p, rest, p->rec.name) != RBL_OK)
		return RBL_ESYNTAX;
	return deliver(p);
}

static int acl_action(ds_parser *p, char *rest)
{
	static const char *const names[] = {
		[RBL_ACL_IGNORE] = "ignore", [RBL_ACL_REFUSE] = "refuse",
		[RBL_ACL_EMPTY] = "empty", [RBL_ACL_PASS] = "pass",
	};
	char *w;

	rest = skip_space(rest);
	p->rec.acl_action = RBL_ACL_IGNORE;
	if (*rest == '\0' || is_comment(*rest) ||
	    (p->rec.entry.flags & RBL_ENTRY_EXCLUDE))
		return RBL_OK;
	if (rest[0] == ':' && isalpha((unsigned char)rest[1])) {
		w = rest + 1;
		rest = w;
		w = next_word(&rest);
		for (int a = RBL_ACL_IGNORE; a <= RBL_ACL_PASS; a++)
			if (strcasecmp(w, names[a]) == 0) {
				p->rec.acl_action = a;
				return RBL_OK;
			}
		return ds_error(p, "unknown acl action \":%s\" (ignore, refuse, "
			     "empty, pass, or :A:TXT)", w);
	}
	p->rec.acl_action = RBL_ACL_VALUE;
	return ds_entry_value(p, rest, NULL);
}

static int acl_entry(ds_parser *p, char *s)
{
	unsigned colons = 0;
	char *rest;
	rbl_addr lo = { 0 }, hi = { 0 };
	const char *why = NULL;
	size_t n = 0;
	int rc;

	for (char *c = s; *c && !is_space(*c); c++)
		colons += *c == ':';
	if (colons >= 2) {
		rest = cut_token(s, false);
		rc = ip6_prefix(p, s, &p->rec.prefix);
	} else {
		rest = cut_token(s, true);
		rc = rbl_ds_ip4_range(s, !p->o->lenient, &lo, &hi, &why);
		if (rc == RBL_OK && (strchr(s, '-') ||
		    rbl_range_to_prefixes(&lo, &hi, &p->rec.prefix, 1, &n)))
			rc = RBL_ESYNTAX, why = "acl takes prefixes, not ranges";
		if (rc != RBL_OK)
			return ds_error(p, "\"%s\": %s", s, why);
	}
	if (rc != RBL_OK)
		return rc;
	rc = acl_action(p, rest);
	if (rc != RBL_OK)
		return rc;
	p->rec.is_name = false;
	return deliver(p);
}

/* "name [ttl] type value": NAME relative to the zone or "@", TTL a time
 * as in $TTL, TYPE A, AAAA, TXT or MX (rbldnsd reads A, TXT and MX). */
static int generic_entry(ds_parser *p, char *s)
{
	rbl_zrec *r = &p->rr;
	char *name = next_word(&s), *w = next_word(&s);
	const char *why = NULL;
	size_t len = strlen(name);

	memset(r, 0, offsetof(rbl_zrec, rdata));
	if (strcmp(name, "@") != 0) {
		if (len && name[len - 1] == '.')
			return ds_error(p, "\"%s\": generic names are relative "
				     "to the zone (\"@\" for the zone itself)",
				     name);
		if (!ds_valid_name(name, len))
			return ds_error(p, "\"%s\" is not a domain name", name);
		for (size_t i = 0; i <= len; i++)
			r->owner[i] = (char)tolower((unsigned char)name[i]);
	}
	if (isdigit((unsigned char)*w)) {
		if (rbl_parse_duration(w, &r->ttl) != RBL_OK)
			return ds_error(p, "\"%s\" is not a time (300, 5m, "
				     "2h, 1d, 1w)", w);
		w = next_word(&s);
	}
	if (!(r->type = rbl_zrec_type_parse(w)))
		return ds_error(p, "\"%s\": generic records are A, AAAA, TXT "
			     "or MX", w);
	if (rbl_zrec_parse_value(r, skip_space(s), &why) != RBL_OK)
		return ds_error(p, "%s %s: %s", rbl_zrec_type_name(r->type),
			     skip_space(s), why);
	p->rec.is_name = false;
	p->rec.rr = r;
	return deliver(p);
}

/* The line of the big lists, "a.b.c.d" or (WITH_LEN) "a.b.c.d/nn" alone
 * (octets without leading zeros, no host bits below the length), read
 * without the general scanners: *OUT.  False: the general path reads the
 * line (anything else, and every error, is its business). */
bool ds_quick_ip4(const char *s, bool with_len, rbl_prefix *out)
{
	uint32_t a = 0;
	unsigned len = 32;

	for (int i = 0; i < 4; i++) {
		unsigned o = 0, n = 0;

		if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
			return false;
		for (; *s >= '0' && *s <= '9' && n < 3; s++, n++)
			o = o * 10 + (unsigned)(*s - '0');
		if (!n || o > 255 || (i < 3 && *s++ != '.'))
			return false;
		a = a << 8 | o;
	}
	if (*s == '/' && with_len) {
		if (*++s < '0' || *s > '9')
			return false;
		len = (unsigned)(*s++ - '0');
		if (*s >= '0' && *s <= '9')
			len = len * 10 + (unsigned)(*s++ - '0');
		if (len > 32 || (len < 32 && (a & (0xffffffffu >> len))))
			return false;
	}
	if (*s)
		return false;
	memset(out, 0, sizeof *out);
	out->addr.family = RBL_AF4;
	out->addr.bytes[0] = (uint8_t)(a >> 24);
	out->addr.bytes[1] = (uint8_t)(a >> 16);
	out->addr.bytes[2] = (uint8_t)(a >> 8);
	out->addr.bytes[3] = (uint8_t)a;
	out->len = (uint8_t)len;
	return true;
}

/* A line quick_ip4() read: the record with the default value, as the
 * general path makes it. */
static int quick_entry(ds_parser *p, const rbl_prefix *pfx)
{
	char none[1] = "";
	int rc = 0;

	start_record(p, false);
	rc = p->type == RBL_DS_IP4TSET ? ds_tset_value(p, none) :
					 ds_entry_value(p, none, NULL);
	if (rc != RBL_OK)
		return rc;
	p->rec.is_name = false;
	p->rec.prefix = *pfx;
	return deliver(p);
}

/* Whether the quick path may take a line read as PFX (HAD_LEN: with a
 * "/nn") in the current dataset: ip4tset takes addresses only, "/32"
 * included; a prefix when $MAXRANGE4 is set goes the general path, to its
 * message. */
static bool quick_fits(const ds_parser *p, const rbl_prefix *pfx,
		       bool had_len)
{
	if (p->type == RBL_DS_IP4TSET)
		return !had_len;
	return (p->type == RBL_DS_IP4SET || p->type == RBL_DS_IP4TRIE) &&
	       (pfx->len == 32 || !p->meta->maxrange4);
}

int ds_quick_line(ds_parser *p, const rbl_prefix *pfx, bool had_len,
		  int *rc)
{
	if (!quick_fits(p, pfx, had_len))
		return 0;
	*rc = quick_entry(p, pfx);
	return 1;
}

int ds_entry_line(ds_parser *p, char *s)
{
	bool exclude = false;
	rbl_prefix pfx;

	/* most lines of a big list: one address or prefix, nothing else */
	if ((p->type == RBL_DS_IP4SET || p->type == RBL_DS_IP4TRIE ||
	     p->type == RBL_DS_IP4TSET) &&
	    ds_quick_ip4(s, p->type != RBL_DS_IP4TSET, &pfx) &&
	    quick_fits(p, &pfx, false))
		return quick_entry(p, &pfx);
	if (*s == '!') {
		exclude = true;
		s = skip_space(s + 1);
	}
	start_record(p, exclude);
	switch (p->type) {
	case RBL_DS_IP4SET:
	case RBL_DS_IP4TRIE:	return ip4_entry(p, s);
	case RBL_DS_IP4TSET:	return ip4tset_entry(p, s);
	case RBL_DS_IP6TRIE:	return ip6trie_entry(p, s);
	case RBL_DS_IP6TSET:	return ip6tset_entry(p, s);
	case RBL_DS_DNSET:	return dnset_entry(p, s);
	case RBL_DS_ACL:	return acl_entry(p, s);
	case RBL_DS_GENERIC:
		if (exclude)
			return ds_error(p, "generic records cannot be excluded");
		return generic_entry(p, s);
	}
	return ds_error(p, "entry before the first $DATASET line");
}
