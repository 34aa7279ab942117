/*
 * mime.h -- the little of RFC 5322 / MIME that importers need: split a
 * message into header block and body, walk and unfold header fields, read
 * Content-Type parameters and the parts of a multipart body.
 *
 * Everything works in place on a buffer whose line ends are already LF
 * (rbl_text_normalize) and allocates nothing; results point into that
 * buffer and live as long as it does.  Parsers are lenient about what real
 * mail does (missing blank line, odd spacing) and bounded: a header block
 * over the caller's limit is refused, not scanned to the end.
 */
#ifndef RBL_MIME_H
#define RBL_MIME_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rbl_msg {
	const char *hdr;	/* header block, LF line ends, without the
				   blank line that ends it */
	size_t hdr_len;
	const char *body;	/* after the blank line (may be empty) */
	size_t body_len;
} rbl_msg;

typedef struct rbl_hdr {
	const char *name;	/* field name, NOT NUL-terminated */
	size_t name_len;
	const char *value;	/* raw value after ':' incl. folding LFs */
	size_t value_len;
} rbl_hdr;

/* Copy LEN bytes of IN to OUT (LEN bytes of room) turning CRLF and bare CR
 * into LF.  Returns the output length (<= LEN).  IN and OUT may be the
 * same buffer. */
size_t rbl_text_normalize(const char *in, size_t len, char *out);

/*
 * Split LEN bytes at DATA (LF line ends) into *OUT.  A leading mbox
 * "From " line is skipped.  Returns 0, RBL_EFORMAT (the first line is not
 * a header field), RBL_ETOOBIG (no end of headers within MAX_HDR bytes) or
 * RBL_EINVAL (a NUL byte in the header block: binary garbage).
 */
int rbl_msg_split(const char *data, size_t len, size_t max_hdr,
		  rbl_msg *out);

/* Next header field at or after *POS in M's header block; *POS advances.
 * Returns true with *H filled, false at the end.  Lines that are neither a
 * field nor a continuation are skipped. */
bool rbl_hdr_next(const rbl_msg *m, size_t *pos, rbl_hdr *h);
/* Case-insensitive compare of H's name with NAME. */
bool rbl_hdr_is(const rbl_hdr *h, const char *name);
/* Unfold and trim N bytes of raw value V into OUT (SIZE bytes, SIZE > 0):
 * each LF with its following blanks becomes one space, control characters
 * become spaces, leading/trailing blanks go.  Cut at SIZE-1 bytes, always
 * NUL-terminated.  Returns the length written. */
size_t rbl_hdr_unfold(const char *v, size_t n, char *out, size_t size);
/* Unfolded value of the first field NAME in M into BUF; returns BUF, or
 * NULL when M has no such field. */
const char *rbl_msg_get(const rbl_msg *m, const char *name, char *buf,
			size_t size);
/* Number of fields named NAME in M. */
unsigned rbl_msg_count(const rbl_msg *m, const char *name);

/* The media type of a Content-Type VALUE, lowercased ("multipart/report")
 * into OUT.  Returns the length, 0 if VALUE has none. */
size_t rbl_mime_type(const char *value, char *out, size_t size);
/* Parameter PARAM (case-insensitive) of a Content-Type VALUE, unquoted,
 * into OUT.  Returns true if found. */
bool rbl_mime_param(const char *value, const char *param, char *out,
		    size_t size);

/* Call FN for each part of multipart BODY (LEN bytes) delimited by
 * BOUNDARY, with the part's bytes (its own headers and body).  FN returning
 * non-zero stops the walk and is returned.  Returns 0, or RBL_EFORMAT when
 * no delimiter line is found.  At most 64 parts are visited. */
typedef int (*rbl_part_fn)(void *arg, const char *part, size_t len);
int rbl_mime_foreach_part(const char *body, size_t len, const char *boundary,
			  rbl_part_fn fn, void *arg);

/* Case-insensitive search for NEEDLE in N bytes at HAY; NULL if absent. */
const char *rbl_memcasemem(const char *hay, size_t n, const char *needle);

#endif
