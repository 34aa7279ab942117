/*
 * report.c -- walk a report's MIME tree, let each reader collect what it
 * understands, then decide the accused address, time and summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zone/addr.h"
#include "zone/error.h"
#include "date.h"
#include "ingest.h"
#include "mime.h"
#include "report.h"
#include "report_impl.h"

#define MAX_DEPTH 4

typedef struct walk {
	rpt_fields *f;
	size_t max_hdr;
	int depth;
} walk;

static int walk_entity(const char *data, size_t len, walk *w);

static int walk_part(void *arg, const char *part, size_t len)
{
	walk *w = arg;

	w->depth++;
	walk_entity(part, len, w);
	w->depth--;
	return 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode base64 IN into a new buffer (*OUT, *OUTLEN); skips what is not
 * base64.  Returns false when out of memory. */
static bool b64_decode(const char *in, size_t len, char **out, size_t *outlen)
{
	char *o = malloc(len / 4 * 3 + 4);
	unsigned acc = 0, bits = 0;
	size_t n = 0;

	if (!o)
		return false;
	for (size_t i = 0; i < len; i++) {
		int v = b64val((unsigned char)in[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	*out = o;
	*outlen = n;
	return true;
}

/* The readers for one leaf entity of media TYPE. */
static void read_leaf(const char *type, const char *body, size_t len,
		      walk *w)
{
	if (strcmp(type, "message/feedback-report") == 0)
		arf_fields(body, len, w->f);
	else if (strcmp(type, "message/rfc822") == 0 ||
		 strcmp(type, "text/rfc822-headers") == 0)
		arf_original(body, len, w->f);
	else if (strstr(type, "json"))
		xarf_json(body, len, w->f);
	else if (!xarf_yaml(body, len, w->f) && !spamcop_body(body, len, w->f) &&
		 len > 0 && body[0] == '{')
		xarf_json(body, len, w->f);
}

static void read_body(const rbl_msg *m, const char *type, walk *w)
{
	char cte[64], *dec = NULL;
	size_t dlen = 0;

	if (rbl_msg_get(m, "Content-Transfer-Encoding", cte, sizeof cte) &&
	    strcasecmp(cte, "base64") == 0 &&
	    b64_decode(m->body, m->body_len, &dec, &dlen)) {
		read_leaf(type, dec, dlen, w);
		free(dec);
		return;
	}
	read_leaf(type, m->body, m->body_len, w);
}

static int walk_entity(const char *data, size_t len, walk *w)
{
	char ct[512], type[64], boundary[128];
	rbl_msg m = { 0 };

	if (w->depth > MAX_DEPTH)
		return 0;
	if (len > 0 && data[0] == '\n') {	/* a part without headers */
		read_leaf("text/plain", data + 1, len - 1, w);
		return 0;
	}
	if (rbl_msg_split(data, len, w->max_hdr, &m) != 0) {
		read_leaf("text/plain", data, len, w);
		return 0;
	}
	if (!rbl_msg_get(&m, "Content-Type", ct, sizeof ct))
		snprintf(ct, sizeof ct, "text/plain");
	rbl_mime_type(ct, type, sizeof type);
	if (strncmp(type, "multipart/", 10) == 0 &&
	    rbl_mime_param(ct, "boundary", boundary, sizeof boundary)) {
		rbl_mime_foreach_part(m.body, m.body_len, boundary, walk_part, w);
		return 0;
	}
	read_body(&m, type, w);
	return 0;
}

/* The accused address: the metadata if the original confirms it or
 * there is no original, else the original's first public hop. */
static bool choose(const rpt_fields *f, rbl_addr *out)
{
	for (unsigned i = 0; f->has_source && i < f->n_hops; i++) {
		if (rbl_addr_cmp(&f->hops[i], &f->source) == 0) {
			*out = f->source;
			return true;
		}
	}
	if (f->n_hops > 0) {
		*out = f->hops[0];
		return true;
	}
	if (f->has_source)
		*out = f->source;
	return f->has_source;
}

static void summarise(const rpt_fields *f, const char *format,
		      const rbl_addr *a, rbl_report *out)
{
	char ip[RBL_ADDR_STRLEN], meta[RBL_ADDR_STRLEN] = "";

	rbl_addr_format(a, ip);
	if (f->has_source && rbl_addr_cmp(a, &f->source) != 0)
		rbl_addr_format(&f->source, meta);
	snprintf(out->summary, sizeof out->summary,
		 "%s %s from %s: source %s%s%s%s%s%s%s%s",
		 format, f->type[0] ? f->type : "report",
		 f->agent[0] ? f->agent : "?", ip,
		 meta[0] ? " (report said " : "", meta, meta[0] ? ")" : "",
		 f->domain[0] ? "; domain " : "", f->domain,
		 f->subject[0] ? "; Subject: " : "", f->subject);
}

static void skip(rbl_report *out, int reason, const char *detail)
{
	out->status = reason;
	snprintf(out->detail, sizeof out->detail, "%s", detail);
}

static const char *format_label(const rpt_fields *f, int format)
{
	if (format == RBL_REPORT_XARF || f->is_xarf)
		return "X-ARF";
	if (format == RBL_REPORT_SPAMCOP || f->is_spamcop)
		return "SpamCop";
	return "ARF";
}

void rbl_report_parse(const char *data, size_t len, int format,
		      size_t max_hdr, rbl_report *out)
{
	rpt_fields f = { 0 };
	walk w = { &f, max_hdr, 0 };
	rbl_msg m = { 0 };
	rbl_addr a = { 0 };
	char v[256];
	int rc;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	out->format = format;
	rc = rbl_msg_split(data, len, max_hdr, &m);
	if (rc) {
		skip(out, rc == RBL_ETOOBIG ? RBL_SKIP_TOO_BIG :
		     rc == RBL_EINVAL ? RBL_SKIP_BINARY : RBL_SKIP_MALFORMED,
		     "report is not a mail message");
		return;
	}
	spamcop_headers(&m, &f);
	walk_entity(data, len, &w);
	if (f.not_abuse) {
		skip(out, RBL_SKIP_NOT_ABUSE, "feedback type is not abuse");
		return;
	}
	if (!choose(&f, &a)) {
		skip(out, RBL_SKIP_NO_SOURCE, "no source address in the report");
		return;
	}
	if (rbl_addr_is_special(&a)) {
		skip(out, RBL_SKIP_SPECIAL, "source is special address space");
		return;
	}
	out->subject.addr = a;
	out->subject.len = (uint8_t)rbl_addr_bits(a.family);
	out->when = f.when ? f.when : f.orig_when;
	if (!out->when && rbl_msg_get(&m, "Date", v, sizeof v))
		out->when = rbl_date_parse(v);
	summarise(&f, format_label(&f, format), &a, out);
}

/* ----------------------------------------------- formats (ingest.h) */

const char *rbl_report_format_name(int f)
{
	static const char *const names[] = { "auto", "arf", "xarf", "spamcop",
					     "plain", "csv" };

	return f >= 0 && f <= RBL_REPORT_CSV ? names[f] : "?";
}

int rbl_report_format_parse(const char *s)
{
	for (int f = 0; f <= RBL_REPORT_CSV; f++)
		if (strcasecmp(s, rbl_report_format_name(f)) == 0)
			return f;
	return -1;
}

int rbl_report_detect(const char *data, size_t len)
{
	const char *nl = memchr(data, '\n', len);
	size_t first = nl ? (size_t)(nl - data) : len;
	rbl_msg m = { 0 };
	char v[256];

	if (rbl_msg_split(data, len, 1 << 20, &m) == 0 && m.hdr_len > first) {
		if (rbl_msg_get(&m, "X-XARF", v, sizeof v))
			return RBL_REPORT_XARF;
		if (rbl_msg_get(&m, "X-SpamCop-sourceip", v, sizeof v) ||
		    (rbl_msg_get(&m, "Subject", v, sizeof v) &&
		     strstr(v, "[SpamCop (")))
			return RBL_REPORT_SPAMCOP;
		return RBL_REPORT_ARF;
	}
	if (memchr(data, ',', first)) {
		rbl_csv_cols cols = { 0 };
		if (rbl_csv_header(data, first, &cols) == 0)
			return RBL_REPORT_CSV;
	}
	return RBL_REPORT_PLAIN;
}
