/*
 * form.c -- urlencoded form bodies (see form.h).
 */
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "form.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode IN[0..LEN) into OUT (NUL-terminated).  RBL_EFORMAT on a bad
 * escape or a decoded NUL. */
static int decode(const char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return RBL_EFORMAT;
			hi = hexval(in[i + 1]);
			lo = hexval(in[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return RBL_EFORMAT;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		*out++ = c;
	}
	*out = '\0';
	return RBL_OK;
}

int adm_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned n, cp;

		if (*p < 0x80) { p++; continue; }
		if (*p >= 0xc2 && *p <= 0xdf)      n = 1, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef) n = 2, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4) n = 3, cp = *p & 0x07;
		else return 0;
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int add_field(adm_form *f, const char *pair, size_t len, char **out)
{
	const char *eq = memchr(pair, '=', len);
	size_t nlen = eq ? (size_t)(eq - pair) : len;
	int rc;

	if (f->n == ADM_FORM_MAX)
		return RBL_ELIMIT;
	f->name[f->n] = *out;
	if ((rc = decode(pair, nlen, *out)) != RBL_OK)
		return rc;
	*out += strlen(*out) + 1;
	f->value[f->n] = *out;
	rc = eq ? decode(eq + 1, len - nlen - 1, *out) : decode("", 0, *out);
	if (rc != RBL_OK)
		return rc;
	if (!adm_utf8_valid(f->name[f->n]) || !adm_utf8_valid(*out))
		return RBL_EFORMAT;
	*out += strlen(*out) + 1;
	f->n++;
	return RBL_OK;
}

int adm_form_parse(adm_form *f, const char *body, size_t len)
{
	char *out = NULL;
	size_t pos = 0;

	memset(f, 0, sizeof *f);
	/* Decoding only shrinks; each field adds two NULs. */
	if (!(f->data = out = malloc(len + 2 * ADM_FORM_MAX + 2)))
		return RBL_ENOMEM;
	while (pos < len) {
		const char *amp = memchr(body + pos, '&', len - pos);
		size_t n = amp ? (size_t)(amp - body - pos) : len - pos;
		int rc;

		if (n > 0 && (rc = add_field(f, body + pos, n, &out)) != RBL_OK)
			return rc;
		pos += n + 1;
	}
	return RBL_OK;
}

const char *adm_form_get(const adm_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

void adm_form_free(adm_form *f)
{
	free(f->data);
	memset(f, 0, sizeof *f);
}
