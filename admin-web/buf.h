/*
 * buf.h -- a growing text buffer, and HTML/URL escaping into it.
 *
 * Pages are built into one adm_buf and handed to libmicrohttpd, which frees
 * it.  An allocation failure marks the buffer failed (later appends are
 * ignored) and the request answers 500: callers need not check each append.
 *
 * adm_htmlf() is the page writer's printf, and escapes by default:
 *   %s  a string, HTML-escaped (every value from the store or the request)
 *   %W  the same, for text between tags (never in an attribute): long
 *       unbroken runs get line-break opportunities (<wbr>), so one
 *       600-character word cannot widen a table
 *   %S  a string inserted raw: ONLY literal markup written in this program
 *   %U  a string percent-encoded for a URL query value
 *   %d %u %ld %lu %lld %llu  integers     %%  a percent sign
 */
#ifndef ADM_BUF_H
#define ADM_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct adm_buf {
	char *p;		/* NUL-terminated when not failed; malloc'd */
	size_t len, cap;
	bool failed;
} adm_buf;

void adm_buf_init(adm_buf *b);
void adm_buf_free(adm_buf *b);
/* Hand the text over (caller frees); the buffer is reset.  NULL if failed. */
char *adm_buf_take(adm_buf *b, size_t *len);

void adm_put(adm_buf *b, const char *s, size_t n);
void adm_puts(adm_buf *b, const char *s);
/* Plain printf, NO escaping: for numbers and fixed text only. */
void adm_printf(adm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The escaping writer described above, and its va_list form. */
void adm_htmlf(adm_buf *b, const char *fmt, ...);
void adm_vhtmlf(adm_buf *b, const char *fmt, va_list ap);

/* S with & < > " ' as entities; control characters other than tab and
 * newline become U+FFFD so attacker text cannot hide in the page. */
void adm_esc(adm_buf *b, const char *s);
/* S escaped as adm_esc does, with <wbr> in runs of more than
 * ADM_WBR_RUN characters without a space: after punctuation (. @ / : _ -
 * , ; = & ?) and at least every ADM_WBR_RUN characters.  For text between
 * tags only. */
#define ADM_WBR_RUN 32
void adm_esc_wrap(adm_buf *b, const char *s);
/* S percent-encoded (everything but A-Z a-z 0-9 - . _ ~). */
void adm_urlenc(adm_buf *b, const char *s);

#endif
