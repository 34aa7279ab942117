/*
 * psl.h -- the public suffix list: where a host name's registered domain
 * starts.
 *
 * The list comes from Debian's `publicsuffix` package
 * (/usr/share/publicsuffix/public_suffix_list.dat): one rule per line,
 * "//" comments, "*.x" wildcards and "!x" exceptions, in an ICANN section
 * followed by a PRIVATE section.  The rules are kept in an open-addressing
 * hash set keyed by the rule text, so a lookup costs one probe per label of
 * the name.  The algorithm is the list's own (publicsuffix.org/list/):
 * the longest matching rule wins, an exception beats a wildcard, and a name
 * no rule matches has its last label as public suffix (the implicit "*").
 *
 * The registered domain is the public suffix plus one label:
 * "a.b.example.co.uk" -> "example.co.uk".  rDNS classification counts
 * tokens only LEFT of it, so "generaldynamics.com" is never "dynamic".
 *
 * Names are ASCII, case-insensitive, with or without a trailing dot.
 * The list writes internationalised rules in UTF-8 ("公司.cn"); each is
 * also kept in its Punycode form ("xn--55qx5d.cn", zone/idna.h), so names
 * taken from links, which are Punycode, match them.
 */
#ifndef RBL_IMPORT_PSL_H
#define RBL_IMPORT_PSL_H

#include <stdbool.h>
#include <stddef.h>

#define RBL_PSL_DEFAULT_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

typedef struct rbl_psl rbl_psl;

enum rbl_psl_flags {
	/* Also load the PRIVATE section (cloud and dynamic-DNS providers'
	 * own suffixes such as "*.compute-1.amazonaws.com").  Off by
	 * default: for rDNS, "example.amazonaws.com"'s owner is Amazon. */
	RBL_PSL_PRIVATE = 1u << 0,
};

/* Load the list from PATH (NULL: RBL_PSL_DEFAULT_PATH).  Returns RBL_OK
 * and *OUT (free with rbl_psl_free), RBL_EIO (cannot be read whole and
 * proven complete, zone/readfile.h; ERR says why and at which byte),
 * RBL_ESYNTAX (a malformed rule; ERR has "path:line"), RBL_ENOMEM.
 * ERR (ERRLEN bytes, may be NULL) receives a message on failure. */
int rbl_psl_load(const char *path, unsigned flags, rbl_psl **out,
		 char *err, size_t errlen);

/* Build a list from rule TEXT (the file's syntax, LEN bytes), for tests
 * and for a built-in fallback.  Same results as rbl_psl_load(). */
int rbl_psl_parse(const char *text, size_t len, unsigned flags,
		  rbl_psl **out, char *err, size_t errlen);

void rbl_psl_free(rbl_psl *psl);

/* Number of rules loaded. */
size_t rbl_psl_count(const rbl_psl *psl);

/* Find the registered domain of NAME (LEN bytes; a trailing dot is
 * ignored).  On RBL_OK *START is the offset in NAME where the registered
 * domain begins (0 when NAME is itself a registered domain).  Returns
 * RBL_ENOTFOUND when NAME is a public suffix or shorter (no registered
 * domain), RBL_EINVAL for an empty name or an empty label.  Allocates
 * nothing. */
int rbl_psl_registered(const rbl_psl *psl, const char *name, size_t len,
		       size_t *start);

/* True if the top-level label of NAME (LEN bytes, a trailing dot
 * ignored) is a rule of the list: a top-level domain that exists, as
 * opposed to the implicit rule that makes any last label a suffix.  Links
 * use it to tell "example.com" from "readme.txt". */
bool rbl_psl_known_tld(const rbl_psl *psl, const char *name, size_t len);

/* Offset where the public suffix of NAME begins (always succeeds for a
 * well-formed name: the implicit rule makes the last label a suffix).
 * Returns RBL_OK or RBL_EINVAL. */
int rbl_psl_suffix(const rbl_psl *psl, const char *name, size_t len,
		   size_t *start);

#endif
