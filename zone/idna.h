/*
 * idna.h -- internationalised domain names the way links in mail need
 * them: Punycode (RFC 3492) both ways, and a host label in UTF-8 turned
 * into the ASCII form DNS blocklists are queried with ("bücher" ->
 * "xn--bcher-kva").
 *
 * This is our own small implementation, not full IDNA2008/UTS 46: a
 * label is lowercased (ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic, and fullwidth ASCII mapped to ASCII) but not NFC-normalised
 * and not checked against the IDNA code point tables.  Spam links are
 * written by programs in the forms browsers produce, which are already
 * normalised; a label we map differently from a browser only means that
 * one spelling of a domain is not reduced to the other.
 *
 * Everything works on caller buffers and allocates nothing.
 */
#ifndef RBL_IDNA_H
#define RBL_IDNA_H

#include <stddef.h>
#include <stdint.h>

#define RBL_IDNA_LABEL_MAX	63	/* bytes of an ASCII label */
#define RBL_IDNA_CP_MAX		63	/* code points of one label */

/*
 * Punycode-encode the N code points CP (no "xn--" prefix) into OUT of
 * SIZE bytes, NUL-terminated.  Returns the length, or RBL_ETOOBIG when it
 * does not fit, RBL_EINVAL for a code point over U+10FFFF or a surrogate.
 */
int rbl_punycode_encode(const uint32_t *cp, size_t n, char *out, size_t size);
/*
 * Decode LEN bytes of Punycode IN (no "xn--") into at most MAX code
 * points at CP.  Returns the number of code points, RBL_ESYNTAX (not
 * Punycode: bad digit, overflow, a basic code point that is not ASCII)
 * or RBL_ETOOBIG (more than MAX).
 */
int rbl_punycode_decode(const char *in, size_t len, uint32_t *cp, size_t max);

/*
 * The next code point of the UTF-8 text at *P (before END) into *CP;
 * *P advances.  Returns 1, 0 at END, or RBL_ESYNTAX for an invalid or
 * overlong sequence or a surrogate (*P then advances one byte).
 */
int rbl_utf8_next(const char **p, const char *end, uint32_t *cp);
/* CP as UTF-8 into OUT (4 bytes of room); returns the length (1..4). */
size_t rbl_utf8_put(uint32_t cp, char *out);

/* The lowercase of code point CP, for the scripts named at the top. */
uint32_t rbl_idna_lower(uint32_t cp);

/*
 * One host label, LEN bytes of UTF-8 at IN, into its ASCII form in OUT
 * (RBL_IDNA_LABEL_MAX + 1 bytes): lowercased; a label with code points
 * over U+007F becomes "xn--" and its Punycode.  Returns the length,
 * RBL_ESYNTAX (invalid UTF-8, a control or space character, an empty
 * label) or RBL_ETOOBIG (longer than 63 bytes).  A label that already is
 * "xn--..." is lowercased and must decode (RBL_ESYNTAX if not).
 */
int rbl_idna_label(const char *in, size_t len, char *out);

/*
 * A whole domain name IN (UTF-8 or ASCII, any case, a final dot allowed)
 * in query form into OUT (RBL_IDNA_NAME_MAX + 1 bytes): each label as
 * rbl_idna_label() makes it, and only letters, digits, '-' and '_' in
 * the result.  Returns the length, or RBL_ESYNTAX (empty label, other
 * characters) / RBL_ETOOBIG (over 253 bytes).
 */
#define RBL_IDNA_NAME_MAX	253
int rbl_idna_name(const char *in, char *out);

/*
 * The display form of ASCII label IN (LEN bytes): "xn--" labels decoded
 * to UTF-8 into OUT of SIZE bytes (NUL-terminated), others copied.
 * Returns the length, or RBL_ESYNTAX / RBL_ETOOBIG.
 */
int rbl_idna_label_unicode(const char *in, size_t len, char *out,
			   size_t size);

#endif
