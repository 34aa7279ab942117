/*
 * rbldnsd_read_msg.c -- the rbldnsd reader's errors and warnings, each
 * "file:line: text" handed to the caller's message callback (see
 * rbldnsd_read_impl.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "zone/error.h"
#include "zone/formats/rbldnsd_read_impl.h"

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

/* Report an error; returns RBL_ESYNTAX for the caller to pass up. */
int ds_error(ds_parser *p, const char *fmt, ...)
{
	va_list ap;

	p->errors++;
	va_start(ap, fmt);
	vsay(p, true, fmt, ap);
	va_end(ap);
	return RBL_ESYNTAX;
}

void ds_warn(ds_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(p, false, fmt, ap);
	va_end(ap);
}
