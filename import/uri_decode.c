/*
 * uri_decode.c -- what hides a link from a plain search undone: the
 * transfer encodings of a MIME part (quoted-printable, base64) for
 * uri_mime.c, and the HTML character references of an attribute value
 * for uri_scan.c (see uri.h).  Each decodes in place or into a buffer of
 * the input's size: the output is never longer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "uri.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t rbl_qp_decode(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] != '=') {
			out[o++] = in[i];
			continue;
		}
		if (i + 2 < len && hexval((unsigned char)in[i + 1]) >= 0 &&
		    hexval((unsigned char)in[i + 2]) >= 0) {
			out[o++] = (char)(hexval((unsigned char)in[i + 1]) << 4 |
					  hexval((unsigned char)in[i + 2]));
			i += 2;
			continue;
		}
		/* soft line break: "=" and blanks up to the line end */
		size_t j = i + 1;
		while (j < len && (in[j] == ' ' || in[j] == '\t'))
			j++;
		if (j == len || in[j] == '\n') {
			i = j;
			continue;
		}
		out[o++] = '=';	/* malformed: keep it */
	}
	return o;
}

/* The value of each base64 character (standard and URL alphabet), 64
 * for '=', 255 for what is not base64. */
static const uint8_t b64_table[256] = {
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255,  62, 255,  63,
	 52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255,  64, 255, 255,
	255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
	 15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255,  63,
	255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
	 41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

size_t rbl_b64_decode(const char *in, size_t len, char *out)
{
	uint32_t acc = 0;
	size_t o = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t v = b64_table[(unsigned char)in[i]];
		if (v == 64)
			break;
		if (v == 255)
			continue;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xFF);
		}
	}
	return o;
}

/* A named reference a URL needs; its character, or 0. */
static char named_entity(const char *name, size_t n)
{
	static const struct { const char *name; char c; } known[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "sol", '/' }, { "colon", ':' },
		{ "period", '.' }, { "nbsp", ' ' }, { "num", '#' },
		{ "quest", '?' }, { "equals", '=' }, { "commat", '@' },
	};

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strlen(known[i].name) == n &&
		    strncasecmp(known[i].name, name, n) == 0)
			return known[i].c;
	return 0;
}

/* A numeric reference "#NN" or "#xHH" (N bytes at P, no '&' or ';'):
 * its code point, or 0 (out of range, not a number, NUL). */
static uint32_t numeric_entity(const char *p, size_t n)
{
	uint32_t v = 0;
	bool hex = n > 1 && (p[1] == 'x' || p[1] == 'X');
	size_t i = hex ? 2 : 1;

	if (i >= n)
		return 0;
	for (; i < n; i++) {
		int d = hex ? hexval((unsigned char)p[i]) :
			(p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1);
		if (d < 0 || v > 0x10FFFF)
			return 0;
		v = v * (hex ? 16 : 10) + (uint32_t)d;
	}
	return v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ? 0 : v;
}

size_t rbl_html_entities(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		const char *semi = NULL;
		size_t n = 0;
		uint32_t cp = 0;
		if (in[i] != '&' ||
		    !(semi = memchr(in + i + 1, ';', len - i - 1 < 12 ?
						    len - i - 1 : 12))) {
			out[o++] = in[i];
			continue;
		}
		n = (size_t)(semi - (in + i + 1));
		if (n > 0 && in[i + 1] == '#')
			cp = numeric_entity(in + i + 1, n);
		else if (n > 0)
			cp = (unsigned char)named_entity(in + i + 1, n);
		if (cp == 0 || cp >= 0x80) {
			/* kept: unknown, or not ASCII (a UTF-8 form could
			 * be longer than the reference it replaces) */
			out[o++] = in[i];
			continue;
		}
		out[o++] = (char)cp;
		i += n + 1;
	}
	return o;
}
