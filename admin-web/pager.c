/*
 * pager.c -- offset paging with totals (see pager.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pager.h"

void adm_pager_init(adm_pager *p, const adm_req *r, const char *param,
		    unsigned size)
{
	const char *v = adm_arg(r, param);

	memset(p, 0, sizeof *p);
	p->param = param;
	p->size = size ? size : 1;
	if (v && *v && strspn(v, "0123456789") == strlen(v) && strlen(v) < 16)
		p->from = strtoull(v, NULL, 10);
}

void adm_pager_known(adm_pager *p, uint64_t total)
{
	p->total = total;
	p->known = true;
}

void adm_pager_jumped(adm_pager *p)
{
	p->seen = p->from;
}

enum adm_row adm_pager_row(adm_pager *p)
{
	uint64_t i = p->seen++;
	uint64_t limit = p->from + p->size;

	if (i < p->from)
		return ADM_ROW_SKIP;
	if (i < limit) {
		p->shown++;
		return ADM_ROW_SHOW;
	}
	if (p->known)
		return ADM_ROW_STOP;
	if (limit < ADM_COUNT_CAP)
		limit = ADM_COUNT_CAP;
	if (p->seen > limit) {
		p->capped = true;
		return ADM_ROW_STOP;
	}
	return ADM_ROW_SKIP;
}

void adm_pager_done(adm_pager *p)
{
	if (!p->known)
		p->total = p->capped ? p->seen - 1 : p->seen;
}

/* N with thousands separators into BUF (32 bytes). */
static const char *grouped(uint64_t n, char buf[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
	size_t o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *adm_pager_total_text(const adm_pager *p, char buf[32])
{
	char n[32];

	if (!p->capped)
		return grouped(p->total, buf);
	snprintf(buf, 32, "more than %s", grouped(p->total, n));
	return buf;
}

static void nav_link(adm_buf *b, const adm_req *r, const adm_pager *p,
		     uint64_t from, const char *text, const char *rel)
{
	adm_buf url = { 0 };
	char v[24];

	adm_buf_init(&url);
	snprintf(v, sizeof v, "%llu", (unsigned long long)from);
	adm_self_url(r, &url, p->param, from ? p->param : NULL, v);
	if (strcmp(p->param, "from") != 0) {
		adm_puts(&url, "#");
		adm_puts(&url, p->param);
	}
	adm_htmlf(b, "<a href=\"%s\" rel=\"%S\">%S</a>", url.p ? url.p : "",
		  rel, text);
	adm_buf_free(&url);
}

void adm_pager_nav(adm_buf *b, const adm_req *r, const adm_pager *p,
		   const char *one, const char *many)
{
	char a[32], z[32], all[32];
	bool more = p->capped || p->from + p->shown < p->total;
	const char *what = p->total == 1 && !p->capped ? one : many;

	if (p->total == 0 && p->from == 0)
		return;
	adm_puts(b, "<div class=\"pager\"><span class=\"count\">");
	if (p->shown && (p->from || more))
		adm_htmlf(b, "%s&ndash;%s of %s %s", grouped(p->from + 1, a),
			  grouped(p->from + p->shown, z),
			  adm_pager_total_text(p, all), what);
	else if (p->shown)
		adm_htmlf(b, "%s %s", adm_pager_total_text(p, all), what);
	else
		adm_htmlf(b, "Nothing on this page; %s %s in all",
			  adm_pager_total_text(p, all), what);
	adm_puts(b, "</span>");
	if (p->from > 0) {
		/* past the end (an old link): back to the last page */
		uint64_t prev = p->from > p->size ? p->from - p->size : 0;

		if (!p->shown && !p->capped && p->total)
			prev = (p->total - 1) / p->size * p->size;
		nav_link(b, r, p, 0, "&laquo; First", "first");
		nav_link(b, r, p, prev, "&lsaquo; Previous", "prev");
	}
	if (more && p->shown)
		nav_link(b, r, p, p->from + p->size, "Next &rsaquo;", "next");
	if (more && !p->capped && p->total > 0)
		nav_link(b, r, p, (p->total - 1) / p->size * p->size,
			 "Last &raquo;", "last");
	adm_puts(b, "</div>\n");
}

void adm_pager_table(adm_buf *b, const adm_req *r, const adm_pager *p,
		     const char *one, const char *many, const char *id,
		     const char *const *cols, adm_buf *rows,
		     const char *empty)
{
	if (p->total == 0 && p->from == 0) {
		adm_htmlf(b, "<p class=\"muted\">%s</p>", empty);
	} else {
		adm_pager_nav(b, r, p, one, many);
		if (rows->len) {
			adm_table_begin(b, id, cols);
			adm_put(b, rows->p, rows->len);
			adm_table_end(b);
		}
		if (p->shown > 15)
			adm_pager_nav(b, r, p, one, many);
	}
	if (rows->failed)
		b->failed = true;
	adm_buf_free(rows);
}
