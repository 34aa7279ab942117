/*
 * rbldnsd_read.c -- the rbldnsd data file reader (see rbldnsd_fmt.h).
 *
 * Two passes over the text.  The first collects what rbldnsd resolves at
 * query time and therefore applies to lines before it too: the `$n`
 * substitution variables, the `$=` base template and `$TIMESTAMP`.  The
 * second walks the lines in order, as rbldnsd does, for everything
 * positional (the `:A:TXT` default, $MAXRANGE4, $DATASET) and hands out
 * records.  A regular file is read in pieces for each pass (readfile.h),
 * so a big list never sits in memory whole; pipes and devices are read
 * whole first.  A line is copied into a fixed buffer before it is cut up,
 * so nothing is allocated per line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zone/compiler.h"
#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "zone/readfile.h"

#define DS_LINE_MAX	8192
#define DS_DEFAULT_CODE	0x7f000002u
#define DS_MAX_FILE	((size_t)4 << 30)

/* Substitutions of one scope: the whole dataset, or a combined section.
 * The texts are copies: a streamed input is gone once read. */
typedef struct ds_vars {
	char *var[10];
	size_t var_len[10];
	char *base;		/* $= template, NULL if none */
	size_t base_len;
} ds_vars;

/* Where lines come from: an input in memory, or a file read in pieces
 * (readfile.h), once per pass. */
typedef struct ds_src {
	const char *name;
	const char *mem;
	size_t mem_len;
	rbl_stream *st;
} ds_src;

/* Reading lines from a source; a line cut by a piece's end is put
 * together in CARRY. */
typedef struct ds_lines {
	const ds_src *src;
	size_t pos;
	const char *piece;
	size_t piece_len, piece_pos;
	char *carry;
	size_t carry_len;
	bool carry_long, carry_used, eof;
} ds_lines;

typedef struct ds_parser {
	const rbl_ds_options *o;
	const rbl_ds_handler *h;
	rbl_ds_meta *meta;
	int64_t now;
	unsigned errors;
	int stop_rc;		/* a callback's non-zero value */
	ds_vars *scopes;	/* [0] global, [i + 1] section i */
	size_t n_scopes;
	int section;		/* current combined section, -1 none */
	int type;		/* dataset type of the current lines */
	const char *file;
	unsigned line;
	/* the `:A:TXT` default in force (raw rbldnsd text) */
	uint32_t def_code;
	char def_txt[RBL_TXT_MAX + 1];
	bool def_has_txt;
	bool def_tpl_valid;	/* def_tpl caches def_txt converted */
	char def_tpl[RBL_TXT_MAX + 1];
	bool warned_tset_value;
	bool warned_cut;
	rbl_ds_record rec;
	rbl_zrec rr;		/* generic: the record being delivered */
	char linebuf[DS_LINE_MAX + 2];	/* one line, cut up in place */
} ds_parser;

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

/* ---- messages ---- */

static void vsay(ds_parser *p, bool is_error, const char *fmt, va_list ap)
{
	char text[600];
	int n;

	n = snprintf(text, sizeof(text), "%s:%u: %s", p->file, p->line,
		     is_error ? "" : "warning: ");
	if (n < 0 || (size_t)n >= sizeof(text))
		n = 0;
	vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	if (p->h->message)
		p->h->message(p->h->arg, is_error, text);
}

static int ds_error(ds_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ds_warn(ds_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Report an error; returns RBL_ESYNTAX for the caller to pass up. */
static int ds_error(ds_parser *p, const char *fmt, ...)
{
	va_list ap;

	p->errors++;
	va_start(ap, fmt);
	vsay(p, true, fmt, ap);
	va_end(ap);
	return RBL_ESYNTAX;
}

static void ds_warn(ds_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(p, false, fmt, ap);
	va_end(ap);
}

/* ---- small scanners ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_space(char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

static bool is_comment(char c)
{
	return c == '#' || c == ';';
}

/* Split off the first whitespace-delimited word of *S (NUL-terminated
 * in place); *S moves past it and the blanks after it. */
static char *next_word(char **s)
{
	char *w = skip_space(*s), *e = w;

	while (*e && !is_space(*e))
		e++;
	if (*e)
		*e++ = '\0';
	*s = skip_space(e);
	return w;
}

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

static bool parse_bits(const char **s, unsigned max, unsigned *out)
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
		if (!parse_bits(&s, 32, &bits)) {
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

static int hexval(char c)
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

	while ((d = hexval(**s)) >= 0) {
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
static bool parse_ip6(const char *s, rbl_addr *a, unsigned *groups)
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

static bool host_bits_set(const rbl_prefix *p)
{
	rbl_prefix c = *p;

	rbl_prefix_canon(&c);
	return memcmp(c.addr.bytes, p->addr.bytes, 16) != 0;
}

/* ---- templates ---- */

typedef struct tpl {
	char s[RBL_TXT_MAX + 1];
	size_t len;
	bool cut;
} tpl;

static void tpl_put(tpl *t, const char *s, size_t n)
{
	if (t->cut || t->len + n > RBL_TXT_MAX) {
		t->cut = true;
		return;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* Text that must come out as is: '$' doubled. */
static void tpl_literal(tpl *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tpl_put(t, s[i] == '$' ? "$$" : &s[i], s[i] == '$' ? 2 : 1);
}

static void tpl_subject(tpl *t, const char *name)
{
	if (name)
		tpl_literal(t, name, strlen(name));
	else
		tpl_put(t, "$", 1);
}

static const ds_vars *var_scope(const ds_parser *p, int var)
{
	const ds_vars *local = p->section >= 0 &&
		(size_t)p->section + 1 < p->n_scopes ?
		&p->scopes[p->section + 1] : NULL;

	if (var < 10) {
		if (local && local->var[var])
			return local;
		return p->scopes[0].var[var] ? &p->scopes[0] : NULL;
	}
	if (local && local->base)
		return local;
	return p->scopes[0].base ? &p->scopes[0] : NULL;
}

/* Convert rbldnsd template S (N bytes) into T.  NAME replaces the subject
 * (dnset) when not NULL.  INS is what `$=` stands for (base templates). */
static void tpl_convert(const ds_parser *p, tpl *t, const char *s, size_t n,
			const char *name, const char *ins, size_t ins_len)
{
	for (size_t i = 0; i < n; i++) {
		const ds_vars *v;
		char c = s[i];

		if (c != '$') {
			tpl_put(t, &s[i], 1);
			continue;
		}
		c = i + 1 < n ? s[i + 1] : '\0';
		if (c == '$') {
			tpl_put(t, "$$", 2);
			i++;
		} else if (isdigit((unsigned char)c)) {
			v = var_scope(p, c - '0');
			if (v)
				tpl_literal(t, v->var[c - '0'],
					    v->var_len[c - '0']);
			else	/* undefined: rbldnsd prints it as is */
				tpl_literal(t, s + i, 2);
			i++;
		} else if (c == '=' && ins) {
			if (ins_len)
				tpl_literal(t, ins, ins_len);
			else
				tpl_subject(t, name);
			i++;
		} else {
			tpl_subject(t, name);
		}
	}
}

/* The final template for raw entry text RAW (LEN bytes; LEN 0 = none). */
static void make_txt(ds_parser *p, const char *raw, size_t len,
		     const char *name, tpl *t)
{
	const ds_vars *b = var_scope(p, 10);

	memset(t, 0, sizeof(*t));
	if (b && !(len && raw[0] == '='))
		tpl_convert(p, t, b->base, b->base_len, name, raw, len);
	else if (len && raw[0] == '=')
		tpl_convert(p, t, raw + 1, len - 1, name, NULL, 0);
	else
		tpl_convert(p, t, raw, len, name, NULL, 0);
	if (t->cut && !p->warned_cut) {
		ds_warn(p, "TXT longer than %d bytes after substitution; cut",
			RBL_TXT_MAX);
		p->warned_cut = true;
	}
}

/* ---- values ---- */

enum txt_mode { TXT_DEFAULT, TXT_NONE, TXT_OWN };

typedef struct ds_value {
	uint32_t code;
	int mode;
	const char *txt;	/* TXT_OWN: raw text */
	size_t txt_len;
} ds_value;

/* Parse ":A[:TXT]" or bare "TXT" at S (blanks skipped, not a comment). */
static int parse_value(ds_parser *p, char *s, uint32_t def_code,
		       ds_value *v)
{
	v->code = def_code;
	v->mode = TXT_OWN;
	if (*s == ':') {
		char *e = ++s;

		while (isdigit((unsigned char)*e) || *e == '.')
			e++;
		if (rbl_ds_parse_code(s, (size_t)(e - s), &v->code) != RBL_OK)
			return ds_error(p, "\"%.*s\" is not an A value (like 2 "
				     "or 127.0.0.2)", (int)(e - s), s);
		if (v->code >> 24 != 127)
			return ds_error(p, "A value %.*s is outside 127.0.0.0/8 "
				     "(DNSBL answers are loopback addresses)",
				     (int)(e - s), s);
		s = skip_space(e);
		if (*s == ':')
			s = skip_space(s + 1);
		else if (*s == '\0' || *s == '#')
			v->mode = TXT_DEFAULT;
		else
			return ds_error(p, "after the A value, expected ':' and "
				     "the TXT (found \"%s\")", s);
	}
	if (v->mode == TXT_OWN && (*s == '\0' || *s == '#'))
		v->mode = TXT_NONE;
	v->txt = s;
	v->txt_len = strlen(s);
	if (v->txt_len > RBL_TXT_MAX)
		v->txt_len = RBL_TXT_MAX;	/* rbldnsd cuts it too */
	return RBL_OK;
}

/* Fill p->rec.entry from V.  NAME: the dnset subject, else NULL. */
static void set_entry_value(ds_parser *p, const ds_value *v,
			    const char *name)
{
	rbl_entry *e = &p->rec.entry;
	bool is_default = v->mode == TXT_DEFAULT;
	const char *raw = v->txt;
	size_t len = v->mode == TXT_OWN ? v->txt_len : 0;
	tpl t = { 0 };

	e->n_codes = 1;
	e->codes[0] = v->code;
	e->flags |= RBL_ENTRY_HAS_TXT;
	if (is_default && !name && p->def_tpl_valid) {
		memcpy(e->txt, p->def_tpl, sizeof(e->txt));
		return;
	}
	if (is_default) {
		raw = p->def_txt;
		len = p->def_has_txt ? strlen(p->def_txt) : 0;
	}
	memset(&t, 0, sizeof(t));
	/* with a $= base template even "no TXT" gives one */
	if (len || var_scope(p, 10))
		make_txt(p, raw ? raw : "", len, name, &t);
	memcpy(e->txt, t.s, t.len + 1);
	if (is_default && !name) {
		memcpy(p->def_tpl, t.s, t.len + 1);
		p->def_tpl_valid = true;
	}
}

static void reset_default(ds_parser *p)
{
	p->def_code = DS_DEFAULT_CODE;
	p->def_has_txt = false;
	p->def_txt[0] = '\0';
	p->def_tpl_valid = false;
}

/* A line starting with ':' sets the default A and TXT. */
static int default_line(ds_parser *p, char *s)
{
	ds_value v = { 0 };
	int rc = parse_value(p, s, DS_DEFAULT_CODE, &v);

	if (rc != RBL_OK)
		return rc;
	p->def_code = v.code;
	p->def_has_txt = v.mode == TXT_OWN;
	memcpy(p->def_txt, v.txt, p->def_has_txt ? v.txt_len : 0);
	p->def_txt[p->def_has_txt ? v.txt_len : 0] = '\0';
	p->def_tpl_valid = false;
	return RBL_OK;
}

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

/* The value part of an entry line (after the address), for types that
 * take per-entry values. */
static int entry_value(ds_parser *p, char *rest, const char *name)
{
	ds_value v = { p->def_code, TXT_DEFAULT, NULL, 0 };
	int rc;

	if (p->rec.entry.flags & RBL_ENTRY_EXCLUDE)
		return RBL_OK;	/* rbldnsd ignores values of exclusions */
	rest = skip_space(rest);
	if (*rest && !is_comment(*rest)) {
		rc = parse_value(p, rest, p->def_code, &v);
		if (rc != RBL_OK)
			return rc;
	}
	set_entry_value(p, &v, name);
	return RBL_OK;
}

/* tset types: one value for the whole file; per-entry values ignored. */
static int tset_value(ds_parser *p, char *rest)
{
	ds_value v = { p->def_code, TXT_DEFAULT, NULL, 0 };

	if (p->rec.entry.flags & RBL_ENTRY_EXCLUDE)
		return RBL_OK;
	rest = skip_space(rest);
	if (*rest && !is_comment(*rest) && !p->warned_tset_value) {
		ds_warn(p, "%s ignores per-entry values (as rbldnsd does); "
			"use ip4set/ip4trie/ip6trie for those",
			rbl_ds_type_name(p->type));
		p->warned_tset_value = true;
	}
	set_entry_value(p, &v, NULL);
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
		if (hexval(*p) < 0)
			return false;
	return c[1] == ':' || hexval(c[1]) >= 0;
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
	rc = entry_value(p, rest, NULL);
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
	rc = tset_value(p, rest);
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
	if (!parse_ip6(s, &out->addr, &groups))
		return ds_error(p, "\"%s\" is not an IPv6 address", s);
	len = groups && groups < 8 ? groups * 16 : 128;
	if (slash) {
		b = slash + 1;
		if (!parse_bits(&b, 128, &len) || *b)
			return ds_error(p, "\"%s\": the prefix length is not "
				     "0..128", slash + 1);
	}
	out->len = (uint8_t)len;
	if (host_bits_set(out)) {
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
		rc = entry_value(p, rest, NULL);
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

	if (!parse_ip6(s, &pf->addr, &groups))
		return ds_error(p, "\"%s\" is not an IPv6 address", s);
	pf->len = excl ? 128 : 64;
	if (!excl && host_bits_set(pf)) {
		if (!p->o->lenient)
			return ds_error(p, "\"%s\": ip6tset lists /64 prefixes; "
				     "write the first four groups", s);
		rbl_prefix_canon(pf);
	}
	rc = tset_value(p, rest);
	if (rc != RBL_OK)
		return rc;
	p->rec.is_name = false;
	return deliver(p);
}

static bool valid_name(const char *s, size_t len)
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
	if (!valid_name(name, len))
		return ds_error(p, "\"%s\" is not a domain name", s);
	for (size_t i = 0; i <= len; i++)
		p->rec.name[i] = (char)tolower((unsigned char)name[i]);
	p->rec.entry.flags |= flags;
	p->rec.is_name = true;
	if (entry_value(p, rest, p->rec.name) != RBL_OK)
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
	return entry_value(p, rest, NULL);
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
		if (!valid_name(name, len))
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

static int entry_line(ds_parser *p, char *s)
{
	bool exclude = false;

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

/* ---- special lines ---- */

static int parse_time_word(ds_parser *p, char **s, const char *what,
			   uint32_t *out)
{
	char *w = next_word(s);

	if (!*w || rbl_parse_duration(w, out) != RBL_OK)
		return ds_error(p, "$%s: \"%s\" is not a time (300, 5m, 2h, "
			     "1d, 1w)", what, w);
	return RBL_OK;
}

static int parse_name_word(ds_parser *p, char **s, const char *what,
			   char *out)
{
	char *w = next_word(s);
	size_t len = strlen(w);

	if (len && w[len - 1] == '.')
		w[--len] = '\0';
	if (!valid_name(w, len))
		return ds_error(p, "$%s: \"%s\" is not a domain name", what, w);
	for (size_t i = 0; i <= len; i++)
		out[i] = (char)tolower((unsigned char)w[i]);
	return RBL_OK;
}

static int special_soa(ds_parser *p, char *s)
{
	rbl_ds_meta m = *p->meta;
	uint32_t *nums[] = { &m.soa_serial, &m.soa_refresh, &m.soa_retry,
			     &m.soa_expire, &m.soa_minimum };
	int rc;

	rc = parse_time_word(p, &s, "SOA", &m.soa_ttl);
	if (rc == RBL_OK)
		rc = parse_name_word(p, &s, "SOA", m.soa_mname);
	if (rc == RBL_OK)
		rc = parse_name_word(p, &s, "SOA", m.soa_rname);
	for (size_t i = 0; rc == RBL_OK && i < 5; i++)
		rc = parse_time_word(p, &s, "SOA", nums[i]);
	if (rc != RBL_OK)
		return rc;
	if (*s)
		return ds_error(p, "$SOA: unexpected \"%s\" (ttl origin person "
			     "serial refresh retry expire minttl)", s);
	if (!p->meta->has_soa) {	/* only the first $SOA counts */
		m.has_soa = true;
		*p->meta = m;
	}
	return RBL_OK;
}

static int special_ns(ds_parser *p, char *s)
{
	rbl_ds_meta *m = p->meta;
	char names[RBL_DS_MAX_NS][RBL_NAME_MAX + 1];
	uint32_t ttl = 0;
	unsigned n = 0;
	int rc = parse_time_word(p, &s, "NS", &ttl);

	while (rc == RBL_OK && *s) {
		if (*s == '-') {	/* "-name": commented out */
			next_word(&s);
			continue;
		}
		if (n == RBL_DS_MAX_NS)
			return ds_error(p, "$NS: more than %d name servers",
				     RBL_DS_MAX_NS);
		rc = parse_name_word(p, &s, "NS", names[n++]);
	}
	if (rc != RBL_OK || m->n_ns)	/* only the first $NS counts */
		return rc;
	if (n == 0)
		return ds_error(p, "$NS: no name server");
	m->ns_ttl = ttl;
	m->n_ns = n;
	memcpy(m->ns, names, sizeof(names[0]) * n);
	return RBL_OK;
}

static int special_maxrange(ds_parser *p, char *s)
{
	char *w = next_word(&s);
	const char *b = w + 1;
	unsigned bits = 0;
	uint32_t n;
	uint64_t v = 0;

	if (w[0] == '/' && parse_bits(&b, 32, &bits) && !*b && !*s) {
		v = (uint64_t)1 << (32 - bits);
	} else if (rbl_parse_size(w, &v) == RBL_OK && !*s && v > 0) {
		/* a number of addresses */
	} else {
		return ds_error(p, "$MAXRANGE4: \"%s\" is not /len or a number "
			     "of addresses", w);
	}
	n = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	/* it may shrink, never grow */
	if (!p->meta->maxrange4 || n < p->meta->maxrange4)
		p->meta->maxrange4 = n;
	return RBL_OK;
}

/* "yyyy[-:]mm[-:]dd[[-:]hh[[-:]mi[[-:]ss]]]" in UTC; "0" or "-" = none. */
static int parse_stamp(const char *s, int64_t *out)
{
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	int v[6] = { 0, 1, 1, 0, 0, 0 };
	struct tm tm = { 0 };
	int i;

	if (strcmp(s, "0") == 0 || strcmp(s, "-") == 0) {
		*out = 0;
		return RBL_OK;
	}
	for (i = 0; i < 6 && *s; i++) {
		if (i && (*s == ':' || *s == '-'))
			s++;
		v[i] = 0;
		for (int d = 0; d < width[i]; d++, s++) {
			if (!isdigit((unsigned char)*s))
				return RBL_ESYNTAX;
			v[i] = v[i] * 10 + (*s - '0');
		}
	}
	if (*s || i < 3 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return RBL_ESYNTAX;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*out = (int64_t)timegm(&tm);
	return RBL_OK;
}

static int special_timestamp(ds_parser *p, char *s)
{
	char *stamp = next_word(&s), *exp = next_word(&s);
	int64_t ts = 0, ex = 0;
	uint32_t rel = 0;

	if (*s || parse_stamp(stamp, &ts) != RBL_OK)
		return ds_error(p, "$TIMESTAMP: expected yyyy:mm:dd[:hh[:mi[:ss]]]"
			     " [expires]");
	if (exp[0] == '+') {
		if (rbl_parse_duration(exp + 1, &rel) != RBL_OK || !ts)
			return ds_error(p, "$TIMESTAMP: bad relative expiry "
				     "\"%s\"", exp);
		ex = ts + rel;
	} else if (*exp && parse_stamp(exp, &ex) != RBL_OK) {
		return ds_error(p, "$TIMESTAMP: bad expiry \"%s\"", exp);
	}
	if (ts > p->now)
		return ds_error(p, "$TIMESTAMP: the data is dated in the future "
			     "(rbldnsd refuses to load it)");
	if (ex && ex <= p->now)
		ds_warn(p, "$TIMESTAMP: the data expired already; its entries"
			" will not answer");
	if (!p->meta->timestamp && !p->meta->expires) {
		p->meta->timestamp = ts;
		p->meta->expires = ex;
	}
	return RBL_OK;
}

static int special_dataset(ds_parser *p, char *s)
{
	rbl_ds_section sec = { 0 };
	char *w = next_word(&s), *colon = strchr(w, ':');
	int rc;

	if (p->o->type != RBL_DS_COMBINED)
		return ds_error(p, "$DATASET is only allowed in combined files");
	p->section++;
	p->type = 0;	/* entries of a bad section are errors */
	reset_default(p);
	memset(&sec, 0, sizeof(sec));
	if (colon)
		*colon++ = '\0';
	sec.type = rbl_ds_type_parse(w);
	if (!sec.type || sec.type == RBL_DS_COMBINED)
		return ds_error(p, "$DATASET: \"%s\" is not a dataset type rbld "
			     "reads (ip4set, ip4tset, ip4trie, ip6tset, "
			     "ip6trie, dnset, acl, generic)", w);
	if (colon && strlen(colon) > RBL_LIST_NAME_MAX)
		return ds_error(p, "$DATASET: name longer than %d",
			     RBL_LIST_NAME_MAX);
	snprintf(sec.name, sizeof(sec.name), "%s", colon ? colon : "");
	while (*s) {
		char *sub = next_word(&s);

		if (sec.n_sub == RBL_DS_MAX_SUBZONES)
			return ds_error(p, "$DATASET: more than %d subzones",
				     RBL_DS_MAX_SUBZONES);
		if (strcmp(sub, "@") == 0) {
			sec.sub[sec.n_sub++][0] = '\0';
			continue;
		}
		if (!valid_name(sub, strlen(sub)))
			return ds_error(p, "$DATASET: \"%s\" is not a subzone",
				     sub);
		for (size_t i = 0; i <= strlen(sub); i++)
			sec.sub[sec.n_sub][i] =
				(char)tolower((unsigned char)sub[i]);
		sec.n_sub++;
	}
	if (sec.n_sub == 0)
		ds_warn(p, "$DATASET %s: no subzone; the dataset is not used",
			w);
	sec.file = p->file;
	sec.line = p->line;
	p->type = sec.type;
	if (!p->errors && p->h->section) {
		rc = p->h->section(p->h->arg, p->section, &sec);
		if (rc)
			return p->stop_rc = rc;
	}
	return RBL_OK;
}

/* Pass 2: S is the text after "$", "#$" or ":$". */
static int special_line(ds_parser *p, char *s, bool tolerant)
{
	char *kw = next_word(&s);

	if (isdigit((unsigned char)kw[0]) && kw[1] == '\0')
		return RBL_OK;		/* $n: taken in pass 1 */
	if (strcmp(kw, "=") == 0 || strcasecmp(kw, "TIMESTAMP") == 0)
		return RBL_OK;		/* taken in pass 1 */
	if (strcasecmp(kw, "SOA") == 0)
		return special_soa(p, s);
	if (strcasecmp(kw, "NS") == 0)
		return special_ns(p, s);
	if (strcasecmp(kw, "TTL") == 0) {
		int rc = parse_time_word(p, &s, "TTL", &p->meta->ttl);

		if (rc == RBL_OK && *s)
			return ds_error(p, "$TTL: unexpected \"%s\"", s);
		p->meta->has_ttl = rc == RBL_OK;
		return rc;
	}
	if (strcasecmp(kw, "MAXRANGE4") == 0)
		return special_maxrange(p, s);
	if (strcasecmp(kw, "DATASET") == 0)
		return special_dataset(p, s);
	if (tolerant)
		return RBL_OK;		/* "#$Id ...": a comment after all */
	return ds_error(p, "unknown special line \"$%s\"", kw);
}

/* ---- lines and passes ---- */

static void lines_start(ds_lines *l, const ds_src *src, char *carry)
{
	memset(l, 0, sizeof *l);
	l->src = src;
	l->carry = carry;
}

static void carry_add(ds_lines *l, const char *b, size_t n)
{
	if (l->carry_long || l->carry_len + n > DS_LINE_MAX) {
		l->carry_long = true;
		return;
	}
	memcpy(l->carry + l->carry_len, b, n);
	l->carry_len += n;
}

/* The next piece of a streamed source; false at its end or on an error
 * (then said, and P->stop_rc set). */
static bool lines_refill(ds_parser *p, ds_lines *l)
{
	char msg[512] = { 0 };
	int rc = rbl_stream_read(l->src->st, &l->piece, &l->piece_len, msg,
				 sizeof msg);

	l->piece_pos = 0;
	if (rc != RBL_OK) {
		if (rc == RBL_ENOMEM)
			snprintf(msg, sizeof msg, "%s: out of memory",
				 l->src->name);
		if (p->h->message)
			p->h->message(p->h->arg, true, msg);
		p->stop_rc = rc == RBL_ENOMEM ? RBL_ENOMEM : RBL_EIO;
		l->eof = true;
		return false;
	}
	l->eof = l->piece_len == 0;
	return !l->eof;
}

/* The next raw line of L (no newline): *START, *LEN; *TOO_LONG when it
 * did not fit DS_LINE_MAX.  False at the end. */
static bool lines_next(ds_parser *p, ds_lines *l, const char **start,
		       size_t *len, bool *too_long)
{
	const ds_src *src = l->src;

	*too_long = false;
	if (!src->st) {
		const char *b = NULL, *nl = NULL;

		if (l->pos >= src->mem_len)
			return false;
		b = src->mem + l->pos;
		nl = memchr(b, '\n', src->mem_len - l->pos);
		*start = b;
		*len = nl ? (size_t)(nl - b) : src->mem_len - l->pos;
		l->pos += *len + 1;
		return true;
	}
	if (l->carry_used) {
		l->carry_len = 0;
		l->carry_long = l->carry_used = false;
	}
	for (;;) {
		if (l->piece_pos < l->piece_len) {
			const char *b = l->piece + l->piece_pos, *nl = NULL;
			size_t rest = l->piece_len - l->piece_pos;

			nl = memchr(b, '\n', rest);
			if (!nl) {
				carry_add(l, b, rest);
				l->piece_pos = l->piece_len;
				continue;
			}
			l->piece_pos += (size_t)(nl - b) + 1;
			if (!l->carry_len && !l->carry_long) {
				*start = b;
				*len = (size_t)(nl - b);
				return true;
			}
			carry_add(l, b, (size_t)(nl - b));
			break;
		}
		if (l->eof || !lines_refill(p, l)) {
			if (!l->carry_len && !l->carry_long)
				return false;
			break;	/* the last line, without its newline */
		}
	}
	*start = l->carry;
	*len = l->carry_len;
	*too_long = l->carry_long;
	l->carry_used = true;
	return true;
}

/* Copy the next line of L into BUF, trimmed.  False at the end. */
static bool next_line(ds_parser *p, ds_lines *l, char *buf, bool *too_long)
{
	const char *start = NULL, *end = NULL;
	size_t len = 0;

	if (!lines_next(p, l, &start, &len, too_long))
		return false;
	end = start + len;
	p->line++;
	while (start < end && (is_space(*start)))
		start++;
	while (end > start && (is_space(end[-1]) || end[-1] == '\r'))
		end--;
	len = (size_t)(end - start);
	*too_long = *too_long || len >= DS_LINE_MAX ||
		    memchr(start, '\0', len);
	if (*too_long)
		len = 0;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return true;
}

/* The special keyword text of LINE, or NULL if it is not special. */
static char *special_text(char *line, bool *tolerant)
{
	*tolerant = line[0] == '#';
	if (line[0] == '$')
		return line + 1;
	if ((line[0] == '#' || line[0] == ':') && line[1] == '$')
		return line + 2;
	return NULL;
}

static int dispatch(ds_parser *p, char *line)
{
	bool tolerant = false;
	char *sp = special_text(line, &tolerant);

	if (sp)
		return special_line(p, sp, tolerant);
	if (line[0] == '\0' || is_comment(line[0]))
		return RBL_OK;
	/* "::1" in an IPv6 dataset is an address, not a default */
	if (line[0] == ':' && !(line[1] == ':' && (p->type == RBL_DS_IP6TRIE
	    || p->type == RBL_DS_IP6TSET || p->type == RBL_DS_ACL)))
		return default_line(p, skip_space(line));
	if (p->type == 0 && p->o->type == RBL_DS_COMBINED)
		return p->section < 0 ? ds_error(p, "entry before the first "
					      "$DATASET line") : RBL_ESYNTAX;
	return entry_line(p, line);
}

static int pass2(ds_parser *p, const ds_src *src, char *carry)
{
	char *buf = p->linebuf;
	bool too_long = false;
	ds_lines l = { 0 };

	if (src->st) {
		char msg[512] = { 0 };

		if (rbl_stream_rewind(src->st, msg, sizeof msg) != RBL_OK) {
			if (p->h->message)
				p->h->message(p->h->arg, true, msg);
			return RBL_EIO;
		}
	}
	lines_start(&l, src, carry);
	p->file = src->name;
	p->line = 0;
	reset_default(p);
	while (next_line(p, &l, buf, &too_long)) {
		if (too_long)
			ds_error(p, "line longer than %d bytes or holding a NUL",
			      DS_LINE_MAX - 1);
		else
			dispatch(p, buf);
		if (p->stop_rc)
			return p->stop_rc;
		if (p->errors >= (p->o->max_errors ? p->o->max_errors : 20)) {
			ds_error(p, "too many errors; stopping");
			return RBL_ESYNTAX;
		}
	}
	return p->stop_rc;
}

/* ---- pass 1: substitutions and $TIMESTAMP ---- */

static void free_scopes(ds_parser *p)
{
	for (size_t i = 0; i < p->n_scopes; i++) {
		for (int k = 0; k < 10; k++)
			free(p->scopes[i].var[k]);
		free(p->scopes[i].base);
	}
	free(p->scopes);
}

static char *copy_text(const char *s, size_t n)
{
	char *c = malloc(n + 1);

	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

static int add_scope(ds_parser *p)
{
	ds_vars *s = realloc(p->scopes, (p->n_scopes + 1) * sizeof(*s));

	if (!s)
		return RBL_ENOMEM;
	memset(&s[p->n_scopes], 0, sizeof(*s));
	p->scopes = s;
	p->n_scopes++;
	return RBL_OK;
}

/* LINE (LEN bytes, trimmed): variables keep copies of their text. */
static int prescan_line(ds_parser *p, const char *line, size_t len)
{
	const char *end = line + len, *kw, *text;
	ds_vars *v = &p->scopes[p->n_scopes - 1];
	size_t kwlen;

	if (len > 1 && line[0] == '$')
		kw = line + 1;
	else if (len > 2 && (line[0] == '#' || line[0] == ':') &&
		 line[1] == '$')
		kw = line + 2;
	else
		return RBL_OK;
	for (text = kw; text < end && !is_space(*text); text++)
		;
	kwlen = (size_t)(text - kw);
	while (text < end && is_space(*text))
		text++;
	if (kwlen == 7 && strncasecmp(kw, "DATASET", 7) == 0)
		return add_scope(p);
	if (kwlen == 9 && strncasecmp(kw, "TIMESTAMP", 9) == 0) {
		memcpy(p->linebuf, text, (size_t)(end - text));
		p->linebuf[end - text] = '\0';
		special_timestamp(p, p->linebuf);
	} else if (kwlen == 1 && isdigit((unsigned char)kw[0]) &&
		   !v->var[kw[0] - '0']) {
		/* the first one counts */
		if (!(v->var[kw[0] - '0'] = copy_text(text,
						      (size_t)(end - text))))
			return RBL_ENOMEM;
		v->var_len[kw[0] - '0'] = (size_t)(end - text);
	} else if (kwlen == 1 && kw[0] == '=' && !v->base) {
		if (!(v->base = copy_text(text, (size_t)(end - text))))
			return RBL_ENOMEM;
		v->base_len = (size_t)(end - text);
	}
	return RBL_OK;
}

static int prescan(ds_parser *p, const ds_src *src, char *carry)
{
	int rc = RBL_OK;
	ds_lines l = { 0 };

	lines_start(&l, src, carry);
	p->file = src->name;
	p->line = 0;
	while (rc == RBL_OK) {
		const char *start = NULL, *end = NULL;
		size_t len = 0;
		bool too_long = false;

		if (!lines_next(p, &l, &start, &len, &too_long))
			break;
		end = start + len;
		p->line++;
		/* only special lines matter here: skip the rest fast */
		while (start < end && is_space(*start))
			start++;
		if (too_long || start == end ||
		    (*start != '$' && *start != '#' && *start != ':'))
			continue;
		while (end > start && (is_space(end[-1]) || end[-1] == '\r'))
			end--;
		if (end - start < DS_LINE_MAX)
			rc = prescan_line(p, start, (size_t)(end - start));
	}
	return rc == RBL_OK ? p->stop_rc : rc;
}

/* ---- entry points ---- */

/* Both passes over the N sources.  With READ_END, a streamed source's
 * last line without a newline is warned about after the first pass. */
static int parse_sources(const rbl_ds_options *o, const rbl_ds_handler *h,
			 const ds_src *src, size_t n, rbl_ds_meta *meta)
{
	rbl_ds_meta local = { 0 };
	ds_parser *p = NULL;
	char *carry = NULL;
	int rc = RBL_OK;

	if (!o->type || o->type > RBL_DS_GENERIC)
		return RBL_EINVAL;
	p = calloc(1, sizeof(*p));
	carry = malloc(DS_LINE_MAX + 1);
	if (!p || !carry) {
		free(p);
		free(carry);
		return RBL_ENOMEM;
	}
	p->o = o;
	p->h = h;
	p->meta = meta ? meta : &local;
	memset(p->meta, 0, sizeof(*p->meta));
	p->now = o->now ? o->now : (int64_t)time(NULL);
	p->section = -1;
	rc = add_scope(p);
	for (size_t i = 0; i < n && rc == RBL_OK; i++) {
		rc = prescan(p, &src[i], carry);
		if (rc == RBL_OK && src[i].st && rbl_stream_open_end(src[i].st)
		    && h->message) {
			char msg[512] = { 0 };

			snprintf(msg, sizeof msg, "%s: byte %llu: warning: the "
				 "last line has no newline, so the file may be "
				 "cut short (an import that replaces a list "
				 "refuses it)", src[i].name, (unsigned long long)
				 rbl_stream_stamp(src[i].st)->size);
			h->message(h->arg, false, msg);
		}
	}
	p->meta->n_sections = (unsigned)p->n_scopes - 1;
	p->type = o->type == RBL_DS_COMBINED ? 0 : o->type;
	for (size_t i = 0; i < n && rc == RBL_OK; i++)
		rc = pass2(p, &src[i], carry);
	if (rc == RBL_OK && p->errors)
		rc = RBL_ESYNTAX;
	free_scopes(p);
	free(p);
	free(carry);
	return rc;
}

int rbl_ds_parse_buffers(const rbl_ds_options *o, const rbl_ds_handler *h,
			 const rbl_ds_input *in, size_t n, rbl_ds_meta *meta)
{
	ds_src *src = calloc(n ? n : 1, sizeof(*src));
	int rc = 0;

	if (!src)
		return RBL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		src[i].name = in[i].name;
		src[i].mem = in[i].data;
		src[i].mem_len = in[i].len;
	}
	rc = parse_sources(o, h, src, n, meta);
	free(src);
	return rc;
}

/* Read PATH whole, gunzipped and proven complete (readfile.h); say what
 * is wrong through H. */
static int read_input(const char *path, bool newline, rbl_read_result *r,
		      const rbl_ds_handler *h)
{
	unsigned flags = RBL_READ_GZIP | (newline ? RBL_READ_NEWLINE : 0);
	char msg[512];
	int rc = rbl_read_whole(path, flags, DS_MAX_FILE, r, msg, sizeof msg);

	if (rc == RBL_ENOMEM)
		snprintf(msg, sizeof msg, "%s: out of memory", path);
	if (rc != RBL_OK) {
		if (h->message)
			h->message(h->arg, true, msg);
		return rc == RBL_ENOMEM ? RBL_ENOMEM : RBL_EIO;
	}
	if (r->open_end && h->message) {
		snprintf(msg, sizeof msg, "%s: byte %zu: warning: the last "
			 "line has no newline, so the file may be cut short "
			 "(an import that replaces a list refuses it)", path,
			 r->len);
		h->message(h->arg, false, msg);
	}
	return RBL_OK;
}

/* Open PATH as a source: streamed when it is a regular file, else read
 * whole; *STAMP gets what it looked like. */
static int open_input(const char *path, bool newline, ds_src *src,
		      rbl_file_stamp *stamp, const rbl_ds_handler *h)
{
	unsigned flags = RBL_READ_GZIP | (newline ? RBL_READ_NEWLINE : 0);
	rbl_read_result r = { 0 };
	char msg[512] = { 0 };
	int rc = rbl_stream_open(path, flags, &src->st, msg, sizeof msg);

	src->name = path;
	if (rc == RBL_OK) {
		*stamp = *rbl_stream_stamp(src->st);
		return RBL_OK;
	}
	if (rc != RBL_EINVAL) {
		if (rc == RBL_ENOMEM)
			snprintf(msg, sizeof msg, "%s: out of memory", path);
		if (h->message)
			h->message(h->arg, true, msg);
		return rc == RBL_ENOMEM ? RBL_ENOMEM : RBL_EIO;
	}
	if ((rc = read_input(path, newline, &r, h)) != RBL_OK)
		return rc;
	src->mem = r.data;
	src->mem_len = r.len;
	*stamp = r.stamp;
	return RBL_OK;
}

/* Every file of the dataset must still be the one that was read: a file
 * rewritten while the next one was read may not fit with it. */
static int recheck_inputs(const char *const *paths,
			  const rbl_file_stamp *stamps, size_t n,
			  const rbl_ds_handler *h)
{
	char msg[512];

	for (size_t i = 0; i < n; i++)
		if (rbl_file_recheck(paths[i], &stamps[i], msg, sizeof msg)) {
			if (h->message)
				h->message(h->arg, true, msg);
			return RBL_EIO;
		}
	return RBL_OK;
}

int rbl_ds_parse_files(const rbl_ds_options *o, const rbl_ds_handler *h,
		       const char *const *paths, size_t n, rbl_ds_meta *meta)
{
	ds_src *src = calloc(n ? n : 1, sizeof(*src));
	rbl_file_stamp *stamps = calloc(n ? n : 1, sizeof(*stamps));
	size_t done = 0;
	int rc = src && stamps ? RBL_OK : RBL_ENOMEM;

	for (; rc == RBL_OK && done < n; done++)
		rc = open_input(paths[done], o->require_newline, &src[done],
				&stamps[done], h);
	if (rc == RBL_OK)
		rc = recheck_inputs(paths, stamps, n, h);
	if (rc == RBL_OK)
		rc = parse_sources(o, h, src, n, meta);
	/* streamed files were read twice: still the same after both */
	if (rc == RBL_OK)
		rc = recheck_inputs(paths, stamps, n, h);
	for (size_t i = 0; src && i < done; i++) {
		free((char *)src[i].mem);
		rbl_stream_close(src[i].st);
	}
	free(src);
	free(stamps);
	return rc;
}
