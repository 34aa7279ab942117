/*
 * uri_scan.c -- links in decoded text: where they start (a scheme, a bare
 * "www.", a defanged dot, an HTML attribute), where their host is, and
 * the host in the form a blocklist is queried with (see uri.h).
 *
 * Each kind of start has its own memchr/memmem pass over the part, so
 * text without links costs a few vectorised scans.  A host is taken from
 * the authority (after "//", or the start of a bare name), which ends at
 * the first character a host, user info or port cannot contain.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zone/compiler.h"
#include "zone/error.h"
#include "zone/idna.h"
#include "uri_impl.h"

#define AUTH_MAX	512	/* bytes of an authority looked at */
#define ATTR_MAX	2048	/* bytes of an HTML attribute value */
#define BACK_MAX	253	/* bytes a bare defanged name reaches back */

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* C is one of the characters of SET (never the NUL byte). */
static bool in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A defanged dot at P (before END): "[.]", "(.)", "{.}", "[dot]",
 * "(dot)", "{dot}", "[d0t]" in any case.  Its length, or 0. */
static size_t dot_token(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	char close = 0;

	if (n < 3)
		return 0;
	switch (p[0]) {
	case '[': close = ']'; break;
	case '(': close = ')'; break;
	case '{': close = '}'; break;
	default: return 0;
	}
	if (p[1] == '.' && p[2] == close)
		return 3;
	if (n >= 5 && lower((unsigned char)p[1]) == 'd' &&
	    (lower((unsigned char)p[2]) == 'o' || p[2] == '0') &&
	    lower((unsigned char)p[3]) == 't' && p[4] == close)
		return 5;
	return 0;
}

/* A dot token that ends exactly at E (not before T): its length, or 0. */
static size_t dot_token_before(const char *t, const char *e)
{
	if (e - t >= 3 && dot_token(e - 3, e) == 3)
		return 3;
	if (e - t >= 5 && dot_token(e - 5, e) == 5)
		return 5;
	return 0;
}

/* ASCII characters that end an authority: controls, space, DEL and
 * / ? # \ " ' < > ` | ^ { } ( ) [ ] , -- a bit per byte, looked up for
 * every byte of every authority. */
static const uint32_t auth_stop_bits[4] = {
	0xffffffffu,			/* 0x00-0x1f */
	0xd000938du,			/* ' ' " # ' ( ) , / < > ? */
	0x78000000u,			/* [ \ ] ^ */
	0xb8000001u,			/* ` { | } DEL */
};

static bool auth_stop(unsigned char c)
{
	return c < 0x80 && (auth_stop_bits[c >> 5] >> (c & 31) & 1);
}

/* Unicode spaces, quotes and punctuation that end a host written in
 * UTF-8 text (a no-break space after the link, a closing guillemet). */
static bool uni_stop(uint32_t cp)
{
	return cp == 0xA0 || cp == 0xAB || cp == 0xBB ||
	       (cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 ||
	       cp == 0x3001 || cp == 0xFEFF || cp == 0xFF0C;
}

/* An ideographic, fullwidth or halfwidth full stop at P: its length. */
static size_t uni_dot(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *)p;

	if (end - p < 3)
		return 0;
	if ((u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x82) ||
	    (u[0] == 0xEF && u[1] == 0xBC && u[2] == 0x8E) ||
	    (u[0] == 0xEF && u[1] == 0xBD && u[2] == 0xA1))
		return 3;
	return 0;
}

/* The end of the authority that starts at P. */
static const char *auth_end(const char *p, const char *end)
{
	const char *lim = end - p > AUTH_MAX ? p + AUTH_MAX : end;

	while (p < lim) {
		unsigned char c = (unsigned char)*p;
		size_t k = 0;
		if ((c == '[' || c == '(' || c == '{') &&
		    (k = dot_token(p, lim))) {
			p += k;
		} else if (c >= 0x80) {
			const char *q = p;
			uint32_t cp = 0;
			if (rbl_utf8_next(&q, lim, &cp) != 1 || uni_stop(cp))
				break;
			p = q;
		} else if (auth_stop(c)) {
			break;
		} else {
			p++;
		}
	}
	return p;
}

/* The end of the link whose authority ends at P: the path, query and
 * fragment run to white space, a quote or an angle bracket. */
static const char *url_end(const char *p, const char *end)
{
	while (p < end && (unsigned char)*p > ' ' && !in_set(*p, "\"'<>`"))
		p++;
	return p;
}

/* ------------------------------------------------------------ the host */

/* A plain ASCII label lowercased into OUT: its length, 0 when it is
 * empty, too long or holds bytes a host label does not, -1 when it has
 * bytes over 0x7f (then rbl_idna_label decides). */
static int ascii_label(const char *raw, size_t rl, char *out)
{
	if (rl == 0 || rl > RBL_IDNA_LABEL_MAX)
		return 0;
	for (size_t i = 0; i < rl; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c >= 0x80)
			return -1;
		out[i] = (char)lower(c);
	}
	out[rl] = '\0';
	if (rl > 4 && memcmp(out, "xn--", 4) == 0)
		return -1;	/* checked by rbl_idna_label */
	return (int)rl;
}

static bool label_chars_ok(const char *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		if (!is_alnum(c) && c != '-' && c != '_')
			return false;
	}
	return true;
}

/* Append raw label RAW (RL bytes, UTF-8) to OUT as its ASCII form.
 * False when it is not a host label. */
static bool put_label(const char *raw, size_t rl, char *out, size_t *o,
		      unsigned *how)
{
	char lab[RBL_IDNA_LABEL_MAX + 1] = { 0 };
	int k = ascii_label(raw, rl, lab);

	if (k == -1)	/* not plain ASCII: the IDN rules */
		k = rbl_idna_label(raw, rl, lab);

	if (k <= 0 || !label_chars_ok(lab, (size_t)k) ||
	    *o + (size_t)k + (*o ? 1 : 0) > RBL_NAME_MAX)
		return false;
	if (k > 4 && memcmp(lab, "xn--", 4) == 0)
		*how |= RBL_URI_IDN;
	if (*o)
		out[(*o)++] = '.';
	memcpy(out + *o, lab, (size_t)k);
	*o += (size_t)k;
	return true;
}

/* The next unit of a host at *P: a separator (returns 1), a byte of a
 * label into *B (returns 0).  Undoes %xx, defanged and Unicode dots. */
static int host_unit(const char **p, const char *he, unsigned char *b,
		     unsigned *how)
{
	size_t k = 0;

	if ((k = dot_token(*p, he))) {
		*how |= RBL_URI_DEFANGED;
		*p += k;
		return 1;
	}
	if ((k = uni_dot(*p, he))) {
		*p += k;
		return 1;
	}
	if (**p == '%' && he - *p >= 3 && hexval((unsigned char)(*p)[1]) >= 0 &&
	    hexval((unsigned char)(*p)[2]) >= 0) {
		*b = (unsigned char)(hexval((unsigned char)(*p)[1]) << 4 |
				     hexval((unsigned char)(*p)[2]));
		*p += 3;
		return *b == '.';
	}
	*b = (unsigned char)*(*p)++;
	return *b == '.';
}

/* The host written at [HB, HE) in query form into OUT; its length, or 0
 * when it is not a host name (empty label, IP literal, bad label). */
static size_t make_host(const char *hb, const char *he, char *out,
			unsigned *how)
{
	char raw[RBL_NAME_MAX + 1] = { 0 };
	size_t rl = 0, o = 0, labels = 0;
	const char *p = hb, *last = out;

	while (p < he) {
		unsigned char b = 0;
		if (host_unit(&p, he, &b, how) == 0) {
			if (rl == sizeof raw - 1)
				return 0;
			raw[rl++] = (char)b;
			continue;
		}
		if (rl == 0)
			return 0;	/* ".x", "x..y" */
		last = out + o + (o ? 1 : 0);
		if (!put_label(raw, rl, out, &o, how))
			return 0;
		labels++;
		rl = 0;
	}
	if (rl) {
		last = out + o + (o ? 1 : 0);
		if (!put_label(raw, rl, out, &o, how))
			return 0;
		labels++;
	}
	out[o] = '\0';
	if (labels < 2 || strspn(last, "0123456789") == strlen(last))
		return 0;	/* one label, or an IPv4 literal */
	return o;
}

/* ------------------------------------------------------------ reporting */

static uint32_t host_hash(const char *h, size_t n)
{
	uint32_t x = 2166136261u;

	for (size_t i = 0; i < n; i++)
		x = (x ^ (uint8_t)h[i]) * 16777619u;
	return x;
}

/* Copy [B, E) into OUT as one printable line of at most
 * RBL_URI_FOUND_MAX bytes, never cutting a UTF-8 sequence. */
static void copy_found(const char *b, const char *e, char *out)
{
	size_t o = 0;

	while (b < e) {
		const char *q = b;
		uint32_t cp = 0;
		if ((unsigned char)*b < 0x80) {
			if (o + 1 > RBL_URI_FOUND_MAX)
				break;
			out[o++] = (unsigned char)*b < ' ' || *b == 0x7f ? '?' : *b;
			b++;
		} else if (rbl_utf8_next(&q, e, &cp) == 1 && cp >= 0xA0) {
			if (o + (size_t)(q - b) > RBL_URI_FOUND_MAX)
				break;
			memcpy(out + o, b, (size_t)(q - b));
			o += (size_t)(q - b);
			b = q;
		} else {
			if (o + 1 > RBL_URI_FOUND_MAX)
				break;
			out[o++] = '?';
			b = q > b ? q : b + 1;
		}
	}
	out[o] = '\0';
}

/* HOST (N bytes) found as [FB, FE): hand it out unless already seen in
 * this message or not under a known top-level domain. */
static int report(rbl_uri_scanner *s, const char *host, size_t n,
		  const char *fb, const char *fe, unsigned how)
{
	uint32_t h = host_hash(host, n);
	/* filled field by field below, per link found: not zeroed first */
	rbl_uri_link link RBL_NOINIT;
	size_t start = 0;

	for (unsigned i = 0; i < s->n_hosts; i++)
		if (s->host_hash[i] == h && strcmp(s->hosts[i], host) == 0)
			return RBL_OK;
	if (!rbl_psl_known_tld(s->psl, host, n) ||
	    rbl_psl_registered(s->psl, host, n, &start) != RBL_OK)
		return RBL_OK;
	if (s->n_hosts == RBL_URI_MAX_LINKS)
		return URI_FULL;
	s->host_hash[s->n_hosts] = h;
	memcpy(s->hosts[s->n_hosts++], host, n + 1);
	/* every field set: the strings end at their NUL */
	memcpy(link.host, host, n + 1);
	link.domain = link.host + start;
	copy_found(fb, fe, link.found);
	link.how = how;
	return s->fn(s->arg, &link);
}

/* A link found at FB whose authority starts at AB (END: end of text). */
static int link_at(rbl_uri_scanner *s, const char *fb, const char *ab,
		   const char *end, unsigned how)
{
	const char *ae = auth_end(ab, end), *hb = ab, *he, *at;
	char host[RBL_NAME_MAX + 1] = { 0 };
	size_t n = 0;

	at = ae > ab ? memrchr(ab, '@', (size_t)(ae - ab)) : NULL;
	if (at)
		hb = at + 1;	/* "paypal.com@evil.example": user info */
	he = hb < ae ? memchr(hb, ':', (size_t)(ae - hb)) : NULL;
	if (!he)
		he = ae;
	while (he > hb && in_set(he[-1], ".!?;:*'=&$+~"))
		he--;		/* "see www.example.com!" */
	if (he == hb || !(n = make_host(hb, he, host, &how)))
		return RBL_OK;
	return report(s, host, n, fb, url_end(ae, end), how);
}

/* ------------------------------------------------------------- starts */

/* The start of http, https or a defanged form of them (hxxp, hXXps,
 * h**p) ending at E, not before T; NULL if none.  *DEF: defanged. */
static const char *scheme_start(const char *t, const char *e, bool *def)
{
	for (size_t n = 5; n >= 4; n--) {
		const char *b = NULL;
		int c1 = 0, c2 = 0;
		if (e - t < (ptrdiff_t)n)
			continue;
		b = e - n;
		if (lower((unsigned char)b[0]) != 'h' ||
		    lower((unsigned char)b[3]) != 'p' ||
		    (n == 5 && lower((unsigned char)b[4]) != 's'))
			continue;
		c1 = lower((unsigned char)b[1]);
		c2 = lower((unsigned char)b[2]);
		if (!in_set((char)c1, "tx*") || !in_set((char)c2, "tx*"))
			continue;
		*def = c1 != 't' || c2 != 't';
		return b;
	}
	return NULL;
}

/* A ':' at C: "scheme://" or "scheme[:]//". */
static int at_colon(rbl_uri_scanner *s, const char *t, const char *end,
		    const char *c, unsigned how)
{
	const char *e = c, *q = c + 1, *b;
	bool def = false, sdef = false;

	if (c > t && c[-1] == '[' && q < end && *q == ']') {
		e = c - 1;
		q++;
		def = true;
	}
	if (end - q < 3 || q[0] != '/' || q[1] != '/')
		return RBL_OK;
	if (!(b = scheme_start(t, e, &sdef)))
		return RBL_OK;
	how |= RBL_URI_SCHEME | (def || sdef ? RBL_URI_DEFANGED : 0);
	return link_at(s, b, q + 2, end, how);
}

/* "www" at W: a bare name if it starts a word and a dot follows. */
static int at_www(rbl_uri_scanner *s, const char *t, const char *end,
		  const char *w, unsigned how)
{
	const char *p = w + 3;

	if (w > t && (is_alnum((unsigned char)w[-1]) ||
		      in_set(w[-1], "./-@_%")))
		return RBL_OK;
	if (p < end && *p == '.')
		;
	else if (dot_token(p, end))
		how |= RBL_URI_DEFANGED;
	else
		return RBL_OK;
	return link_at(s, w, w, end, how | RBL_URI_WWW);
}

/* A defanged dot at D without a scheme: "example[.]com". */
static int at_token(rbl_uri_scanner *s, const char *t, const char *end,
		    const char *d, unsigned how)
{
	const char *b = d;
	size_t k = 0;

	while (b > t && d - b < BACK_MAX) {
		unsigned char c = (unsigned char)b[-1];
		if (is_alnum(c) || c == '-' || c == '_' || c >= 0x80)
			b--;
		else if ((k = dot_token_before(t, b)))
			b -= k;
		else
			break;
	}
	if (b == d || (b > t && in_set(b[-1], "/@.")))
		return RBL_OK;	/* nothing before it, or found otherwise */
	return link_at(s, b, b, end, how | RBL_URI_DEFANGED);
}

/* The attribute value V (LEN bytes) decoded, as a link. */
static int attr_link(rbl_uri_scanner *s, const char *v, size_t len,
		     unsigned how)
{
	char buf[ATTR_MAX] = { 0 };
	size_t n = rbl_html_entities(v, len, buf);
	const char *c = NULL;

	how |= RBL_URI_ATTR | (n != len ? RBL_URI_ENTITY : 0);
	if (n > 2 && buf[0] == '/' && buf[1] == '/')
		return link_at(s, buf, buf + 2, buf + n, how);
	c = memchr(buf, ':', n < 12 ? n : 12);
	return c ? at_colon(s, buf, buf + n, c, how) : RBL_OK;
}

/* An '=' at E in HTML: an href, src or action value that needs its
 * entities decoded, or starts with "//" (the ':' pass finds the rest). */
static int at_attr(rbl_uri_scanner *s, const char *t, const char *end,
		   const char *e, unsigned how)
{
	const char *q = e, *nb = NULL, *v = e + 1, *ve = NULL;
	size_t n = 0, len = 0;

	while (q > t && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n'))
		q--;
	for (nb = q; nb > t && q - nb < 7 && is_alnum((unsigned char)nb[-1]);)
		nb--;
	n = (size_t)(q - nb);
	if (!((n == 4 && strncasecmp(nb, "href", 4) == 0) ||
	      (n == 3 && strncasecmp(nb, "src", 3) == 0) ||
	      (n == 6 && strncasecmp(nb, "action", 6) == 0)) ||
	    nb == t || !in_set(nb[-1], " \t\n\"'/"))
		return RBL_OK;
	while (v < end && (*v == ' ' || *v == '\t' || *v == '\n'))
		v++;
	if (v < end && (*v == '"' || *v == '\'')) {
		size_t lim = (size_t)(end - v - 1) < ATTR_MAX ?
			     (size_t)(end - v - 1) : ATTR_MAX;
		ve = memchr(v + 1, *v, lim);
		if (!ve)
			return RBL_OK;
		v++;
	} else {
		for (ve = v; ve < end && ve - v < ATTR_MAX &&
		     (unsigned char)*ve > ' ' && *ve != '>'; ve++)
			;
	}
	len = (size_t)(ve - v);
	while (len && (*v == ' ' || *v == '\t' || *v == '\n'))
		v++, len--;
	if (!memchr(v, '&', len) && !(len > 2 && v[0] == '/' && v[1] == '/'))
		return RBL_OK;
	return attr_link(s, v, len, how);
}

/* ------------------------------------------------------------ the passes */

static int pass_char(rbl_uri_scanner *s, const char *t, const char *end,
		     char ch, unsigned how,
		     int (*at)(rbl_uri_scanner *, const char *, const char *,
			       const char *, unsigned))
{
	int rc = 0;

	for (const char *p = memchr(t, ch, (size_t)(end - t)); p;
	     p = p + 1 < end ? memchr(p + 1, ch, (size_t)(end - p - 1)) : NULL)
		if ((rc = at(s, t, end, p, how)))
			return rc;
	return RBL_OK;
}

/* "www" in either case at P (a 'w' or 'W' already there). */
static bool www_at(const char *p, const char *end)
{
	return end - p >= 3 && (p[1] | 0x20) == 'w' && (p[2] | 0x20) == 'w';
}

/* Bare www. names: a vectorised search for W, then w, checking the two
 * letters after each (memmem's generic search costs more per byte). */
static int pass_www(rbl_uri_scanner *s, const char *t, const char *end,
		    char w, unsigned how)
{
	int rc = 0;

	for (const char *p = memchr(t, w, (size_t)(end - t)); p;
	     p = p + 1 < end ? memchr(p + 1, w, (size_t)(end - p - 1)) : NULL)
		if (www_at(p, end) && (rc = at_www(s, t, end, p, how)))
			return rc;
	return RBL_OK;
}

/* at_token for the token at P only */
static int at_open(rbl_uri_scanner *s, const char *t, const char *end,
		   const char *p, unsigned how)
{
	return dot_token(p, end) ? at_token(s, t, end, p, how) : RBL_OK;
}

int uri_scan_part(rbl_uri_scanner *s, const char *text, size_t len,
		  unsigned how)
{
	const char *end = text + len;
	int rc = 0;

	if ((rc = pass_char(s, text, end, ':', how, at_colon)) ||
	    (rc = pass_www(s, text, end, 'w', how)) ||
	    (rc = pass_www(s, text, end, 'W', how)) ||
	    (rc = pass_char(s, text, end, '[', how, at_open)) ||
	    (rc = pass_char(s, text, end, '(', how, at_open)) ||
	    (rc = pass_char(s, text, end, '{', how, at_open)))
		return rc;
	if (how & RBL_URI_HTML)
		return pass_char(s, text, end, '=', how, at_attr);
	return RBL_OK;
}

/* ------------------------------------------------------------ the API */

int rbl_uri_scanner_new(const rbl_psl *psl, rbl_uri_scanner **out)
{
	rbl_uri_scanner *s = calloc(1, sizeof *s);

	if (!s)
		return RBL_ENOMEM;
	s->psl = psl;
	*out = s;
	return RBL_OK;
}

void rbl_uri_scanner_free(rbl_uri_scanner *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s);
}

int rbl_uri_scan_text(rbl_uri_scanner *s, const char *text, size_t len,
		      bool html, rbl_uri_fn fn, void *arg)
{
	int rc = 0;

	s->fn = fn;
	s->arg = arg;
	s->n_hosts = 0;
	rc = uri_scan_part(s, text, len, html ? RBL_URI_HTML : RBL_URI_TEXT);
	return rc == URI_FULL ? RBL_OK : rc;
}
