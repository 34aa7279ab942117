/*
 * mime.c -- header block, header fields, Content-Type and multipart bodies.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "zone/error.h"
#include "mime.h"

size_t rbl_text_normalize(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == '\r') {
			out[o++] = '\n';
			if (i + 1 < len && in[i + 1] == '\n')
				i++;
		} else {
			out[o++] = c;
		}
	}
	return o;
}

/* A field name: printable ASCII without ':' or space, then ':'. */
static bool is_field_line(const char *p, const char *end)
{
	const char *s = p;

	while (p < end && *p != ':' && *p != '\n') {
		unsigned char c = (unsigned char)*p;
		if (c <= 32 || c >= 127)
			return false;
		p++;
	}
	return p < end && *p == ':' && p > s;
}

static size_t skip_from_line(const char *data, size_t len)
{
	const char *nl;

	if (len < 5 || memcmp(data, "From ", 5) != 0)
		return 0;
	nl = memchr(data, '\n', len);
	return nl ? (size_t)(nl - data) + 1 : len;
}

int rbl_msg_split(const char *data, size_t len, size_t max_hdr,
		  rbl_msg *out)
{
	size_t start = skip_from_line(data, len);
	const char *p = data + start, *end = data + len;
	size_t scan = len - start;
	const char *blank;

	if (!is_field_line(p, end))
		return RBL_EFORMAT;
	if (scan > max_hdr)
		scan = max_hdr;
	blank = memmem(p, scan, "\n\n", 2);
	if (!blank && scan < len - start)
		return RBL_ETOOBIG;
	out->hdr = p;
	out->hdr_len = blank ? (size_t)(blank - p) + 1 : scan;
	out->body = blank ? blank + 2 : end;
	out->body_len = (size_t)(end - out->body);
	if (memchr(out->hdr, '\0', out->hdr_len))
		return RBL_EINVAL;
	return 0;
}

bool rbl_hdr_next(const rbl_msg *m, size_t *pos, rbl_hdr *h)
{
	const char *end = m->hdr + m->hdr_len;
	const char *p = m->hdr + *pos;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		if (*p != ' ' && *p != '\t' && is_field_line(p, line_end)) {
			const char *colon = memchr(p, ':', (size_t)(line_end - p));
			const char *v = colon + 1;
			/* the value runs over continuation lines */
			while (nl && nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t'))
				nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
			line_end = nl ? nl : end;
			h->name = p;
			h->name_len = (size_t)(colon - p);
			h->value = v;
			h->value_len = (size_t)(line_end - v);
			*pos = (size_t)(line_end - m->hdr) + (nl ? 1 : 0);
			return true;
		}
		p = nl ? nl + 1 : end;
	}
	*pos = m->hdr_len;
	return false;
}

bool rbl_hdr_is(const rbl_hdr *h, const char *name)
{
	return strlen(name) == h->name_len &&
	       strncasecmp(h->name, name, h->name_len) == 0;
}

size_t rbl_hdr_unfold(const char *v, size_t n, char *out, size_t size)
{
	size_t o = 0;
	bool space = true;	/* drops leading blanks, squeezes folds */

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '\n' || c == '\t' || c == ' ' || c < 32 || c == 127) {
			if (c != '\n' && c != '\t' && c != ' ')
				c = ' ';
			if (c == '\n' || space)
				continue;
			c = ' ';
			space = true;
		} else {
			space = false;
		}
		out[o++] = (char)c;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

const char *rbl_msg_get(const rbl_msg *m, const char *name, char *buf,
			size_t size)
{
	size_t pos = 0;
	rbl_hdr h = { 0 };

	while (rbl_hdr_next(m, &pos, &h)) {
		if (rbl_hdr_is(&h, name)) {
			rbl_hdr_unfold(h.value, h.value_len, buf, size);
			return buf;
		}
	}
	return NULL;
}

unsigned rbl_msg_count(const rbl_msg *m, const char *name)
{
	size_t pos = 0;
	unsigned n = 0;
	rbl_hdr h = { 0 };

	while (rbl_hdr_next(m, &pos, &h))
		n += rbl_hdr_is(&h, name);
	return n;
}

size_t rbl_mime_type(const char *value, char *out, size_t size)
{
	size_t o = 0;

	while (*value == ' ' || *value == '\t')
		value++;
	while (*value && *value != ';' && *value != ' ' && *value != '\t' &&
	       o + 1 < size)
		out[o++] = (char)tolower((unsigned char)*value++);
	out[o] = '\0';
	return o;
}

/* Copy a parameter value at V (quoted or token) into OUT. */
static void copy_param_value(const char *v, char *out, size_t size)
{
	size_t o = 0;

	if (*v == '"') {
		for (v++; *v && *v != '"' && o + 1 < size; v++) {
			if (*v == '\\' && v[1])
				v++;
			out[o++] = *v;
		}
	} else {
		while (*v && *v != ';' && *v != ' ' && *v != '\t' &&
		       o + 1 < size)
			out[o++] = *v++;
	}
	out[o] = '\0';
}

bool rbl_mime_param(const char *value, const char *param, char *out,
		    size_t size)
{
	size_t plen = strlen(param);
	const char *p = value;
	bool quoted = false;

	for (; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (quoted || *p != ';')
			continue;
		const char *k = p + 1;
		while (*k == ' ' || *k == '\t')
			k++;
		if (strncasecmp(k, param, plen) != 0)
			continue;
		k += plen;
		while (*k == ' ' || *k == '\t')
			k++;
		if (*k != '=')
			continue;
		k++;
		while (*k == ' ' || *k == '\t')
			k++;
		copy_param_value(k, out, size);
		return true;
	}
	return false;
}

/* Does the line at P (up to END) open or close the multipart BOUNDARY?
 * Returns 1 for a delimiter, 2 for the close delimiter, 0 otherwise. */
static int delimiter(const char *p, const char *end, const char *b,
		     size_t blen)
{
	if ((size_t)(end - p) < blen + 2 || p[0] != '-' || p[1] != '-' ||
	    memcmp(p + 2, b, blen) != 0)
		return 0;
	p += 2 + blen;
	if (end - p >= 2 && p[0] == '-' && p[1] == '-')
		return 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return (p == end || *p == '\n') ? 1 : 0;
}

int rbl_mime_foreach_part(const char *body, size_t len, const char *boundary,
			  rbl_part_fn fn, void *arg)
{
	const char *p = body, *end = body + len, *part = NULL;
	size_t blen = strlen(boundary);
	unsigned parts = 0;
	bool seen = false;

	if (blen == 0)
		return RBL_EFORMAT;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		int d = delimiter(p, nl ? nl : end, boundary, blen);
		if (d) {
			seen = true;
			if (part) {
				/* the LF before the delimiter belongs to it */
				size_t n = (size_t)(p - part);
				int rc = fn(arg, part, n ? n - 1 : 0);
				if (rc)
					return rc;
				if (++parts >= 64)
					return 0;
			}
			if (d == 2)
				return 0;
			part = next;
		}
		p = next;
	}
	if (part && part < end)	/* unterminated last part: keep it */
		return fn(arg, part, (size_t)(end - part));
	return seen ? 0 : RBL_EFORMAT;
}

const char *rbl_memcasemem(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	int first = tolower((unsigned char)needle[0]);

	if (k == 0 || n < k)
		return k == 0 ? hay : NULL;
	for (size_t i = 0; i + k <= n; i++) {
		if (tolower((unsigned char)hay[i]) == first &&
		    strncasecmp(hay + i, needle, k) == 0)
			return hay + i;
	}
	return NULL;
}
