/*
 * buf.c -- growing buffer and escaping (see buf.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "buf.h"

void adm_buf_init(adm_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

void adm_buf_free(adm_buf *b)
{
	free(b->p);
	adm_buf_init(b);
}

char *adm_buf_take(adm_buf *b, size_t *len)
{
	char *p = b->failed ? NULL : b->p;

	if (b->failed)
		free(b->p);
	else if (!p)
		p = calloc(1, 1);
	*len = p ? b->len : 0;
	adm_buf_init(b);
	return p;
}

/* Room for EXTRA more bytes and a NUL; a buffer that once failed stays
 * failed, so a page is either whole or an error. */
static bool reserve(adm_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (extra >= SIZE_MAX - b->len ||
	    rbl_array_reserve(b->p, b->cap, b->len + extra + 1, 4096) != RBL_OK)
		b->failed = true;
	return !b->failed;
}

void adm_put(adm_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void adm_puts(adm_buf *b, const char *s)
{
	adm_put(b, s, strlen(s));
}

static void vprint(adm_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void adm_printf(adm_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(b, fmt, ap);
	va_end(ap);
}

void adm_esc(adm_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': adm_puts(b, "&amp;"); break;
		case '<': adm_puts(b, "&lt;"); break;
		case '>': adm_puts(b, "&gt;"); break;
		case '"': adm_puts(b, "&quot;"); break;
		case '\'': adm_puts(b, "&#39;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				adm_puts(b, "\xef\xbf\xbd");
			else
				adm_put(b, (const char *)&c, 1);
		}
	}
}

/* Length of the run of non-space bytes at S. */
static size_t run_len(const char *s)
{
	return strcspn(s, " \t\r\n");
}

void adm_esc_wrap(adm_buf *b, const char *s)
{
	while (s && *s) {
		size_t run = run_len(s), since = 0;
		char one[2] = { 0, 0 };

		if (run <= ADM_WBR_RUN) {	/* short: as it is */
			run += strspn(s + run, " \t\r\n");
			for (size_t i = 0; i < run; i++) {
				one[0] = s[i];
				adm_esc(b, one);
			}
			s += run;
			continue;
		}
		for (size_t i = 0; i < run; i++, since++) {
			bool lead = ((unsigned char)s[i] & 0xc0) != 0x80;

			if (lead && since >= ADM_WBR_RUN) {
				adm_puts(b, "<wbr>");
				since = 0;
			}
			one[0] = s[i];
			adm_esc(b, one);
			if (strchr(".@/:_-,;=&?", s[i])) {
				adm_puts(b, "<wbr>");
				since = 0;
			}
		}
		s += run;
	}
}

void adm_urlenc(adm_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			adm_put(b, (const char *)&c, 1);
		else
			adm_put(b, esc, 3);
	}
}

/* One integer conversion starting at FMT (after '%'); returns chars used. */
static size_t put_int(adm_buf *b, const char *fmt, va_list *ap)
{
	size_t l = strspn(fmt, "l");
	char conv = fmt[l];

	if (conv == 'd' && l == 0)
		adm_printf(b, "%d", va_arg(*ap, int));
	else if (conv == 'u' && l == 0)
		adm_printf(b, "%u", va_arg(*ap, unsigned));
	else if (conv == 'd' && l == 1)
		adm_printf(b, "%ld", va_arg(*ap, long));
	else if (conv == 'u' && l == 1)
		adm_printf(b, "%lu", va_arg(*ap, unsigned long));
	else if (conv == 'd')
		adm_printf(b, "%lld", va_arg(*ap, long long));
	else if (conv == 'u')
		adm_printf(b, "%llu", va_arg(*ap, unsigned long long));
	else
		b->failed = true;	/* a bug in a format: fail loudly */
	return l + 1;
}

static void vhtml(adm_buf *b, const char *fmt, va_list *ap)
{
	while (*fmt) {
		size_t n = strcspn(fmt, "%");

		adm_put(b, fmt, n);
		fmt += n;
		if (!*fmt++)
			break;
		switch (*fmt) {
		case 's': adm_esc(b, va_arg(*ap, const char *)); fmt++; break;
		case 'W': adm_esc_wrap(b, va_arg(*ap, const char *)); fmt++; break;
		case 'S': adm_puts(b, va_arg(*ap, const char *)); fmt++; break;
		case 'U': adm_urlenc(b, va_arg(*ap, const char *)); fmt++; break;
		case '%': adm_put(b, "%", 1); fmt++; break;
		default:  fmt += put_int(b, fmt, ap); break;
		}
	}
}

void adm_vhtmlf(adm_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	vhtml(b, fmt, &ap2);
	va_end(ap2);
}

void adm_htmlf(adm_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vhtml(b, fmt, &ap);
	va_end(ap);
}
