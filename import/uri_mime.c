/*
 * uri_mime.c -- which parts of a message are read for links, and their
 * transfer encodings undone (see uri.h).
 *
 * The decoders themselves are uri_decode.c.  Only leaf parts are decoded (RFC 2045 allows no encoding on multipart
 * or message/rfc822 bodies other than 7bit, 8bit and binary), so one
 * buffer, reused for every leaf and every message, is enough.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zone/error.h"
#include "uri_impl.h"

#define CT_MAX		1024	/* an unfolded Content-Type */
#define BOUNDARY_MAX	256

/* ----------------------------------------------------------- the walk */

static int scan_entity(rbl_uri_scanner *s, const rbl_msg *e, unsigned depth);

typedef struct part_ctx {
	rbl_uri_scanner *s;
	unsigned depth;
} part_ctx;

/* One part of a multipart body: its own header block, then its body;
 * a part that starts with a blank line or is not headed by fields is
 * all body. */
static int on_part(void *arg, const char *part, size_t len)
{
	part_ctx *pc = arg;
	rbl_msg pm = { 0 };

	/* an empty header block still points into the part: header walks
	 * do arithmetic on it */
	if (len > 0 && part[0] == '\n') {
		pm.hdr = part;
		pm.body = part + 1;
		pm.body_len = len - 1;
	} else if (rbl_msg_split(part, len, len, &pm) != 0) {
		memset(&pm, 0, sizeof pm);
		pm.hdr = part;
		pm.body = part;
		pm.body_len = len;
	}
	return scan_entity(pc->s, &pm, pc->depth);
}

static bool grow(rbl_uri_scanner *s, size_t need)
{
	char *b = NULL;

	if (need <= s->cap)
		return true;
	if (!(b = realloc(s->buf, need)))
		return false;
	s->buf = b;
	s->cap = need;
	return true;
}

/* A text leaf: undo its transfer encoding, then scan it. */
static int scan_leaf(rbl_uri_scanner *s, const rbl_msg *e, unsigned how)
{
	char cte[64] = { 0 };
	const char *text = e->body;
	size_t len = e->body_len;

	if (rbl_msg_get(e, "Content-Transfer-Encoding", cte, sizeof cte)) {
		bool qp = strncasecmp(cte, "quoted-printable", 16) == 0;
		bool b64 = strncasecmp(cte, "base64", 6) == 0;
		if (qp || b64) {
			if (!grow(s, len + 1))
				return RBL_ENOMEM;
			len = qp ? rbl_qp_decode(text, len, s->buf) :
				   rbl_b64_decode(text, len, s->buf);
			text = s->buf;
			how |= qp ? RBL_URI_QP : RBL_URI_B64;
		}
	}
	return uri_scan_part(s, text, len, how);
}

static int scan_entity(rbl_uri_scanner *s, const rbl_msg *e, unsigned depth)
{
	char ct[CT_MAX] = { 0 }, type[128] = { 0 }, boundary[BOUNDARY_MAX] = { 0 };
	part_ctx pc = { s, depth + 1 };

	if (depth > RBL_URI_MAX_DEPTH)
		return RBL_OK;
	if (!rbl_msg_get(e, "Content-Type", ct, sizeof ct) ||
	    rbl_mime_type(ct, type, sizeof type) == 0)
		snprintf(type, sizeof type, "text/plain");
	if (strncmp(type, "multipart/", 10) == 0) {
		if (!rbl_mime_param(ct, "boundary", boundary, sizeof boundary) ||
		    !boundary[0])
			return uri_scan_part(s, e->body, e->body_len,
					     RBL_URI_TEXT);
		int rc = rbl_mime_foreach_part(e->body, e->body_len, boundary,
					       on_part, &pc);
		return rc == RBL_EFORMAT ? RBL_OK : rc;
	}
	if (strcmp(type, "message/rfc822") == 0) {
		rbl_msg inner = { 0 };
		if (rbl_msg_split(e->body, e->body_len, e->body_len, &inner))
			return RBL_OK;
		return scan_entity(s, &inner, depth + 1);
	}
	if (strcmp(type, "text/html") == 0)
		return scan_leaf(s, e, RBL_URI_HTML);
	if (strncmp(type, "text/", 5) == 0)
		return scan_leaf(s, e, RBL_URI_TEXT);
	return RBL_OK;		/* images, documents, archives */
}

int rbl_uri_scan_message(rbl_uri_scanner *s, const rbl_msg *m,
			 rbl_uri_fn fn, void *arg)
{
	int rc = 0;

	s->fn = fn;
	s->arg = arg;
	s->n_hosts = 0;
	rc = scan_entity(s, m, 0);
	return rc == URI_FULL ? RBL_OK : rc;
}
