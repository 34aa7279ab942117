/*
 * idna.c -- Punycode (RFC 3492, written from the RFC's description) and
 * the label mapping of idna.h.
 */
#include <string.h>

#include "zone/error.h"
#include "zone/idna.h"

/* RFC 3492 section 5, the parameters for IDNA */
enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700,
       INITIAL_BIAS = 72, INITIAL_N = 128 };
#define PUNY_MAXINT UINT32_MAX

static uint32_t adapt(uint32_t delta, uint32_t points, int first)
{
	uint32_t k = 0;

	delta = first ? delta / DAMP : delta / 2;
	delta += delta / points;
	while (delta > ((BASE - TMIN) * TMAX) / 2) {
		delta /= BASE - TMIN;
		k += BASE;
	}
	return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static char digit_char(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + d - 26);
}

static uint32_t digit_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0' + 26u;
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	return BASE;
}

/* The threshold t for position K under BIAS. */
static uint32_t threshold(uint32_t k, uint32_t bias)
{
	return k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
}

/* Emit Q as a variable-length integer under BIAS.  False when full. */
static int put_vli(uint32_t q, uint32_t bias, char *out, size_t size,
		   size_t *o)
{
	for (uint32_t k = BASE;; k += BASE) {
		uint32_t t = threshold(k, bias);
		if (q < t)
			break;
		if (*o + 1 >= size)
			return RBL_ETOOBIG;
		out[(*o)++] = digit_char(t + (q - t) % (BASE - t));
		q = (q - t) / (BASE - t);
	}
	if (*o + 1 >= size)
		return RBL_ETOOBIG;
	out[(*o)++] = digit_char(q);
	return RBL_OK;
}

int rbl_punycode_encode(const uint32_t *cp, size_t n, char *out, size_t size)
{
	uint32_t code = INITIAL_N, delta = 0, bias = INITIAL_BIAS, h, b;
	size_t o = 0;
	int rc = 0;

	if (size == 0)
		return RBL_ETOOBIG;
	for (size_t j = 0; j < n; j++) {
		if (cp[j] > 0x10FFFF || (cp[j] >= 0xD800 && cp[j] <= 0xDFFF))
			return RBL_EINVAL;
		if (cp[j] < 0x80) {
			if (o + 1 >= size)
				return RBL_ETOOBIG;
			out[o++] = (char)cp[j];
		}
	}
	h = b = (uint32_t)o;
	if (b > 0) {
		if (o + 1 >= size)
			return RBL_ETOOBIG;
		out[o++] = '-';
	}
	while (h < n) {
		uint32_t m = PUNY_MAXINT;
		for (size_t j = 0; j < n; j++)
			if (cp[j] >= code && cp[j] < m)
				m = cp[j];
		if (m - code > (PUNY_MAXINT - delta) / (h + 1))
			return RBL_EINVAL;
		delta += (m - code) * (h + 1);
		code = m;
		for (size_t j = 0; j < n; j++) {
			if (cp[j] < code && ++delta == 0)
				return RBL_EINVAL;
			if (cp[j] != code)
				continue;
			if ((rc = put_vli(delta, bias, out, size, &o)))
				return rc;
			bias = adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		code++;
	}
	out[o] = '\0';
	return (int)o;
}

int rbl_punycode_decode(const char *in, size_t len, uint32_t *cp, size_t max)
{
	uint32_t code = INITIAL_N, i = 0, bias = INITIAL_BIAS;
	size_t b = 0, pos, out = 0;

	for (size_t j = 0; j < len; j++)
		if (in[j] == '-')
			b = j;
	for (size_t j = 0; j < b; j++) {
		if ((unsigned char)in[j] >= 0x80)
			return RBL_ESYNTAX;
		if (out == max)
			return RBL_ETOOBIG;
		cp[out++] = (unsigned char)in[j];
	}
	for (pos = b > 0 ? b + 1 : 0; pos < len;) {
		uint32_t oldi = i, w = 1;
		for (uint32_t k = BASE;; k += BASE) {
			uint32_t d = 0, t = 0;
			if (pos >= len ||
			    (d = digit_value((unsigned char)in[pos++])) >= BASE)
				return RBL_ESYNTAX;
			if (d > (PUNY_MAXINT - i) / w)
				return RBL_ESYNTAX;
			i += d * w;
			t = threshold(k, bias);
			if (d < t)
				break;
			if (w > PUNY_MAXINT / (BASE - t))
				return RBL_ESYNTAX;
			w *= BASE - t;
		}
		bias = adapt(i - oldi, (uint32_t)out + 1, oldi == 0);
		if (i / (out + 1) > PUNY_MAXINT - code)
			return RBL_ESYNTAX;
		code += i / (uint32_t)(out + 1);
		i %= (uint32_t)(out + 1);
		if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) ||
		    code < 0x80)
			return RBL_ESYNTAX;
		if (out == max)
			return RBL_ETOOBIG;
		memmove(cp + i + 1, cp + i, (out - i) * sizeof *cp);
		cp[i++] = code;
		out++;
	}
	return (int)out;
}

/* ---------------------------------------------------------------- UTF-8 */

int rbl_utf8_next(const char **p, const char *end, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t c = 0, min = 0;
	int n = 0;

	if (*p >= end)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		(*p)++;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 1, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 2, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 3, c &= 0x07, min = 0x10000;
	else
		goto bad;
	if (end - *p <= n)
		goto bad;
	for (int k = 1; k <= n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			goto bad;
		c = c << 6 | (s[k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	*p += n + 1;
	return 1;
bad:
	(*p)++;
	return RBL_ESYNTAX;
}

size_t rbl_utf8_put(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ------------------------------------------------------------- mapping */

uint32_t rbl_idna_lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xC0)
		return c;
	if (c <= 0xDE)				/* Latin-1 (not U+00D7) */
		return c == 0xD7 ? c : c + 32;
	if (c >= 0x100 && c <= 0x137)		/* Latin Extended-A pairs */
		return c | 1;
	if (c >= 0x139 && c <= 0x148)
		return c & 1 ? c + 1 : c;
	if (c >= 0x14A && c <= 0x177)
		return c | 1;
	if (c == 0x178)
		return 0xFF;
	if (c >= 0x179 && c <= 0x17E)
		return c & 1 ? c + 1 : c;
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)	/* Greek */
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)		/* Cyrillic */
		return c + 80;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0xFF01 && c <= 0xFF5E)		/* fullwidth ASCII */
		return rbl_idna_lower(c - 0xFEE0);
	return c;
}

int rbl_idna_label(const char *in, size_t len, char *out)
{
	uint32_t cp[RBL_IDNA_CP_MAX] = { 0 };
	const char *p = in, *end = in + len;
	size_t n = 0;
	int rc, wide = 0;

	if (len == 0)
		return RBL_ESYNTAX;
	while ((rc = rbl_utf8_next(&p, end, &cp[n])) == 1) {
		uint32_t c = rbl_idna_lower(cp[n]);
		if (c <= ' ' || c == 0x7F || (c >= 0x80 && c < 0xA0))
			return RBL_ESYNTAX;
		wide |= c >= 0x80;
		cp[n] = c;
		if (++n == RBL_IDNA_CP_MAX && p < end)
			return RBL_ETOOBIG;
	}
	if (rc < 0)
		return RBL_ESYNTAX;
	if (!wide) {
		if (n > RBL_IDNA_LABEL_MAX)
			return RBL_ETOOBIG;
		for (size_t j = 0; j < n; j++)
			out[j] = (char)cp[j];
		out[n] = '\0';
		if (n > 4 && memcmp(out, "xn--", 4) == 0) {
			uint32_t tmp[RBL_IDNA_CP_MAX] = { 0 };
			if (rbl_punycode_decode(out + 4, n - 4, tmp,
						RBL_IDNA_CP_MAX) <= 0)
				return RBL_ESYNTAX;
		}
		return (int)n;
	}
	memcpy(out, "xn--", 4);
	rc = rbl_punycode_encode(cp, n, out + 4, RBL_IDNA_LABEL_MAX + 1 - 4);
	if (rc == RBL_ETOOBIG || rc < 0)
		return rc == RBL_EINVAL ? RBL_ESYNTAX : rc;
	return rc + 4;
}

int rbl_idna_name(const char *in, char *out)
{
	size_t len = strlen(in), o = 0;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return RBL_ESYNTAX;
	for (size_t i = 0; i <= len;) {
		const char *dot = memchr(in + i, '.', len - i);
		size_t n = dot ? (size_t)(dot - (in + i)) : len - i;
		char lab[RBL_IDNA_LABEL_MAX + 1] = { 0 };
		int k = rbl_idna_label(in + i, n, lab);
		if (k < 0)
			return k;
		for (int j = 0; j < k; j++)
			if (!((lab[j] >= 'a' && lab[j] <= 'z') ||
			      (lab[j] >= '0' && lab[j] <= '9') ||
			      lab[j] == '-' || lab[j] == '_'))
				return RBL_ESYNTAX;
		if (o + (size_t)k + (o ? 1 : 0) > RBL_IDNA_NAME_MAX)
			return RBL_ETOOBIG;
		if (o)
			out[o++] = '.';
		memcpy(out + o, lab, (size_t)k);
		o += (size_t)k;
		i += n + 1;
		if (!dot)
			break;
	}
	out[o] = '\0';
	return (int)o;
}

int rbl_idna_label_unicode(const char *in, size_t len, char *out,
			   size_t size)
{
	uint32_t cp[RBL_IDNA_CP_MAX] = { 0 };
	size_t o = 0;
	int n = 0;

	if (len <= 4 || strncmp(in, "xn--", 4) != 0) {
		if (len + 1 > size)
			return RBL_ETOOBIG;
		memcpy(out, in, len);
		out[len] = '\0';
		return (int)len;
	}
	if ((n = rbl_punycode_decode(in + 4, len - 4, cp, RBL_IDNA_CP_MAX)) < 0)
		return n;
	for (int j = 0; j < n; j++) {
		char u[4] = { 0 };
		size_t k = rbl_utf8_put(cp[j], u);
		if (o + k + 1 > size)
			return RBL_ETOOBIG;
		memcpy(out + o, u, k);
		o += k;
	}
	out[o] = '\0';
	return (int)o;
}
