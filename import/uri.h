/*
 * uri.h -- the links a trap message names: which hosts its text and HTML
 * parts point to, reduced to registered domains.
 *
 * What is read
 *   The body's text/plain and text/html parts (a body without a type is
 *   text), inside multipart and message/rfc822 to depth 8, after
 *   quoted-printable or base64 decoding.  Attachments of other types are
 *   not read.  Links are found as
 *     - URLs with a scheme: http://, https://, and the "defanged" forms
 *       spam uses to slip past filters: hxxp://, hXXps://, h**p://,
 *       http[:]//;
 *     - bare "www." names (www.example.com/path, www[.]example[.]com);
 *     - names defanged with a bracketed dot, example[.]com, example(.)com,
 *       example[dot]com: unambiguous because no text writes a dot so;
 *     - in HTML, the href, src and action attribute values, HTML
 *       entities decoded (&#104;ttp&#58;//...), "//host" included.
 *   A host is lowercased; "%xx" escapes, ideographic and fullwidth dots
 *   and the bracketed dots above are undone; user info ("paypal.com@")
 *   is dropped; UTF-8 labels become Punycode ("xn--", zone/idna.h).  Hosts
 *   that are IP literals, have a label over 63 bytes or an empty label,
 *   or end in a top-level domain the public suffix list does not know
 *   are not links (a bare "file.txt" is not, "readme.md" is not either).
 *
 * What comes out
 *   Each host once per message, with its registered
 *   domain (public suffix plus one label: psl.h, PRIVATE section
 *   included when the list was loaded with it) and the link as it was
 *   found (the decoded text, cut at RBL_URI_FOUND_MAX bytes, control
 *   characters and invalid UTF-8 replaced), which reviewers see.  At most
 *   RBL_URI_MAX_LINKS hosts per message.
 *
 * Cost: one pass over each decoded part, memchr/memmem driven; the
 * scanner's buffers are reused between messages, so a scan allocates
 * only when a part is larger than any before.
 */
#ifndef RBL_IMPORT_URI_H
#define RBL_IMPORT_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "zone/store/store.h"
#include "mime.h"
#include "psl.h"

#define RBL_URI_FOUND_MAX	200	/* bytes of the link as found */
#define RBL_URI_MAX_LINKS	64	/* hosts reported per message */
#define RBL_URI_MAX_DEPTH	8	/* MIME nesting read */

/* How a link was found (rbl_uri_link.how), for tests and reviewers. */
enum rbl_uri_how {
	RBL_URI_TEXT	= 1u << 0,	/* in a text/plain part */
	RBL_URI_HTML	= 1u << 1,	/* in a text/html part */
	RBL_URI_ATTR	= 1u << 2,	/* an HTML attribute value */
	RBL_URI_QP	= 1u << 3,	/* part was quoted-printable */
	RBL_URI_B64	= 1u << 4,	/* part was base64 */
	RBL_URI_SCHEME	= 1u << 5,	/* http:// and friends */
	RBL_URI_WWW	= 1u << 6,	/* a bare www. name */
	RBL_URI_DEFANGED = 1u << 7,	/* hxxp, [.], [dot], [:] undone */
	RBL_URI_IDN	= 1u << 8,	/* the host has xn-- labels */
	RBL_URI_ENTITY	= 1u << 9,	/* HTML entities were decoded */
};

typedef struct rbl_uri_link {
	char host[RBL_NAME_MAX + 1];	/* lowercase ASCII, no final dot */
	const char *domain;		/* registered domain: a suffix of
					   HOST */
	char found[RBL_URI_FOUND_MAX + 1];	/* as found, one line */
	unsigned how;			/* rbl_uri_how */
} rbl_uri_link;

/* Called once per host; LINK is valid during the call.  Non-zero stops
 * the scan and is returned by it. */
typedef int (*rbl_uri_fn)(void *arg, const rbl_uri_link *link);

typedef struct rbl_uri_scanner rbl_uri_scanner;

/* A scanner using public suffix list PSL (borrowed: must outlive it).
 * Returns RBL_OK and *OUT, or RBL_ENOMEM. */
int rbl_uri_scanner_new(const rbl_psl *psl, rbl_uri_scanner **out);
void rbl_uri_scanner_free(rbl_uri_scanner *s);

/* The links of message M (rbl_msg_split of an LF-normalised message).
 * Returns RBL_OK, RBL_ENOMEM, or FN's non-zero value. */
int rbl_uri_scan_message(rbl_uri_scanner *s, const rbl_msg *m,
			 rbl_uri_fn fn, void *arg);
/* The links of LEN bytes of decoded TEXT, as HTML when HTML is true
 * (the same rules, for tests and tools).  Same returns. */
int rbl_uri_scan_text(rbl_uri_scanner *s, const char *text, size_t len,
		      bool html, rbl_uri_fn fn, void *arg);

/* ----------------------------------------------- decoders (uri_decode.c) */

/* Decode LEN bytes of quoted-printable IN into OUT (LEN bytes of room;
 * OUT may be IN): "=XX" escapes, soft line breaks; a malformed "=" is
 * kept.  Returns the output length. */
size_t rbl_qp_decode(const char *in, size_t len, char *out);
/* Decode LEN bytes of base64 IN into OUT (LEN bytes of room; OUT may be
 * IN), skipping line breaks and anything not of the alphabet, stopping at
 * the padding.  Returns the output length. */
size_t rbl_b64_decode(const char *in, size_t len, char *out);
/* Decode the HTML character references of LEN bytes of IN into OUT
 * (LEN bytes of room; OUT may be IN): "&#NN;", "&#xHH;" and the named
 * ones a URL needs (amp, lt, gt, quot, apos, sol, colon, period, nbsp).
 * Unknown ones are kept.  Returns the output length. */
size_t rbl_html_entities(const char *in, size_t len, char *out);

#endif
