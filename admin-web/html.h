/*
 * html.h -- the page template of rbl-admin and small HTML helpers.
 *
 * One layout for every page: a header with the site name and navigation
 * (the public links, or the admin links and a logout button once logged
 * in), the message a previous action left (session.h), the content, a
 * footer.  Styles come from /style.css on this site; there is no script
 * anywhere (the Content-Security-Policy forbids it), and charts are inline
 * SVG drawn by charts.c.  All text goes through adm_htmlf()'s escaping
 * (buf.h).
 *
 * Every page fits a phone: list tables (adm_table_begin) turn into one
 * card per row below 720 px, each cell under its column's name (the
 * data-l attribute adm_td writes); long unbroken words wrap anywhere;
 * long free text is cut with the rest one click away (adm_longtext).
 */
#ifndef ADM_HTML_H
#define ADM_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "admin.h"

/* Start a page titled TITLE (escaped) for request R; shows and clears the
 * session's pending message. */
void adm_page_begin(adm_buf *b, const adm_req *r, const char *title);
void adm_page_end(adm_buf *b);

/* The stylesheet served at /style.css. */
const char *adm_stylesheet(size_t *len);

/* "2026-11-23 03:35 UTC", or WHEN_ZERO for 0.  BUF of 32 bytes. */
const char *adm_time(int64_t t, const char *when_zero, char buf[32]);
/* "3 days", "5 hours", "12 minutes": the span of SECS, roughly. */
const char *adm_span(int64_t secs, char buf[32]);

/* A one-button POST form to ACTION with the CSRF token and, when NAME is
 * not NULL, one hidden field NAME=VALUE. */
void adm_post_button(adm_buf *b, const adm_req *r, const char *action,
		     const char *label, const char *name, const char *value);

/* A notice box: KIND is "ok", "warn" or "err"; TEXT is escaped. */
void adm_notice(adm_buf *b, const char *kind, const char *text);

/* <table class="list" id=ID (NULL: none)> with a header row of the
 * NULL-terminated COLS; a heading starting with '#' is a number column
 * (right-aligned, the '#' not shown).  Rows follow as <tr> with adm_td()
 * cells; close with adm_table_end(). */
void adm_table_begin(adm_buf *b, const char *id, const char *const *cols);
void adm_table_end(adm_buf *b);
/* One cell labelled LABEL (its column, shown on phones), of class CLS
 * (a literal; NULL = none), content by adm_htmlf(FMT, ...). */
void adm_td(adm_buf *b, const char *label, const char *cls,
	    const char *fmt, ...);

/* A cell labelled LABEL with time T as "2026-11-23 03:35 UTC" that may
 * wrap between date and time but never inside the date; WHEN_ZERO
 * (escaped) for 0. */
void adm_td_time(adm_buf *b, const char *label, int64_t t,
		 const char *when_zero);

/* Free text S, escaped; when longer than MAX characters, the first MAX
 * are shown with a "show all" toggle (<details>) holding the whole. */
void adm_longtext(adm_buf *b, const char *s, size_t max);

/* Free text S, escaped, cut after MAX characters with an ellipsis (for a
 * row that links to the page with the whole text). */
void adm_cut(adm_buf *b, const char *s, size_t max);

/* A labelled form field NAME: TYPE "text", "email", "password" or
 * "textarea"; VALUE (may be NULL) is filled in; ERR (NULL: none) is shown
 * beside it and marks it invalid; ATTRS is literal attribute text of this
 * program (may be NULL: "required maxlength=\"2000\""); HINT (may be NULL)
 * is a short help line under the label. */
void adm_field(adm_buf *b, const char *type, const char *name,
	       const char *label, const char *hint, const char *value,
	       const char *err, const char *attrs);

#endif
