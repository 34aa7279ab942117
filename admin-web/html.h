/*
 * html.h -- the page template of rbl-admin and small HTML helpers.
 *
 * One layout for every page: a header with the site name and navigation
 * (the public links, or the admin links and a logout button once logged
 * in), the content, a footer.  Styles come from /style.css on this site;
 * there is no script anywhere (the Content-Security-Policy forbids it), and
 * charts are inline SVG drawn by charts.c.  All text goes through
 * adm_htmlf()'s escaping (buf.h).
 */
#ifndef ADM_HTML_H
#define ADM_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "admin.h"

/* Start a page titled TITLE (escaped) for request R. */
void adm_page_begin(adm_buf *b, const adm_req *r, const char *title);
void adm_page_end(adm_buf *b);

/* The stylesheet served at /style.css. */
const char *adm_stylesheet(size_t *len);

/* "2026-11-23 03:35 UTC", or WHEN_ZERO for 0.  BUF of 32 bytes. */
const char *adm_time(int64_t t, const char *when_zero, char buf[32]);

/* A one-button POST form to ACTION with the CSRF token and, when NAME is
 * not NULL, one hidden field NAME=VALUE. */
void adm_post_button(adm_buf *b, const adm_req *r, const char *action,
		     const char *label, const char *name, const char *value);

/* A notice box: KIND is "ok", "warn" or "err"; TEXT is escaped. */
void adm_notice(adm_buf *b, const char *kind, const char *text);

#endif
