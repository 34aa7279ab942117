/*
 * rdns_rules.h -- the operator-editable rules of the rDNS classifier.
 *
 * A rules file is plain text, one directive per line, "#" comments
 * (doc/rdns.md has the full description; `rbl-import rdns rules` prints
 * the built-in set, which is a complete, commented example):
 *
 *   dynamic: dyn dynamic dhcp pool dsl cable ...    tokens of a class
 *   static: static fixed business ...               (lines accumulate)
 *   infrastructure: mail mx smtp relay ...
 *   exempt: googleusercontent.com infrastructure    names under a domain
 *   precedence: infrastructure static dynamic       first class with a
 *                                                   token wins
 *   full-address: dynamic      class of a name holding the whole address
 *                              and no class token (or "unknown")
 *   custom-name: infrastructure   class of a hand-picked name: no address,
 *                              no token, no digit run longer than
 *   custom-name-max-digits: 2
 *   require-id: address        what a dynamic/static token needs besides
 *                              itself: "address" (>= 2 octets, hex or
 *                              integer form), "digits" (any digit left of
 *                              the registered domain) or "none"
 *
 * A token is a word of letters [a-z] (matched against every maximal run of
 * letters of the name left of its registered domain, so "dsl1" has the
 * token "dsl" and "generaldynamics" has none of "dyn"), or, when it holds
 * a digit, a word matched against whole alphanumeric runs ("3g", "4g").
 * Exempt domains match the name itself or any name below it.
 *
 * The built-in set is itself written in this syntax (one code path); a
 * rules file REPLACES it.  Loaded rules are read-only and may be shared by
 * threads.
 */
#ifndef RBL_IMPORT_RDNS_RULES_H
#define RBL_IMPORT_RDNS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "zone/policy/rdns_class.h"

typedef struct rbl_rdns_rules rbl_rdns_rules;

enum rbl_rdns_require_id {
	RBL_RDNS_ID_ADDRESS = 0,	/* default */
	RBL_RDNS_ID_DIGITS,
	RBL_RDNS_ID_NONE,
};

#define RBL_RDNS_TOKEN_MAX 31	/* longest token */

/* The text of the built-in rule set (static, NUL-terminated). */
const char *rbl_rdns_rules_default_text(void);

/* Parse the built-in set.  RBL_OK and *OUT, or RBL_ENOMEM. */
int rbl_rdns_rules_default(rbl_rdns_rules **out);

/* Parse LEN bytes of TEXT; NAME is used in messages.  Returns RBL_OK and
 * *OUT (free with rbl_rdns_rules_free), RBL_ESYNTAX with "name:line: what"
 * in ERR (ERRLEN bytes), or RBL_ENOMEM.  Nothing is returned on error. */
int rbl_rdns_rules_parse(const char *text, size_t len, const char *name,
			 rbl_rdns_rules **out, char *err, size_t errlen);

/* Read and parse file PATH.  As rbl_rdns_rules_parse(), plus RBL_EIO
 * when it cannot be read whole and proven complete (zone/readfile.h:
 * "path: byte N: why" in ERR). */
int rbl_rdns_rules_load(const char *path, rbl_rdns_rules **out,
			char *err, size_t errlen);

void rbl_rdns_rules_free(rbl_rdns_rules *r);

/* Class of token TOK (LEN bytes, lowercase), or -1 when it is no token.
 * When the same word is listed under two classes, the last line wins. */
int rbl_rdns_rules_token(const rbl_rdns_rules *r, const char *tok,
			 size_t len);

/* If NAME (lowercase, LEN bytes, no trailing dot) is an exempt domain or
 * below one, return its class and point *DOMAIN at the exempt domain
 * (owned by R); else return -1. */
int rbl_rdns_rules_exempt(const rbl_rdns_rules *r, const char *name,
			  size_t len, const char **domain);

/* The classes in precedence order: N entries (at most 3) in *ORDER. */
void rbl_rdns_rules_precedence(const rbl_rdns_rules *r, const int **order,
			       size_t *n);

/* Settings (see the file syntax above). */
int rbl_rdns_rules_full_address(const rbl_rdns_rules *r);
int rbl_rdns_rules_custom_name(const rbl_rdns_rules *r);
unsigned rbl_rdns_rules_custom_max_digits(const rbl_rdns_rules *r);
int rbl_rdns_rules_require_id(const rbl_rdns_rules *r);

/* Counts, for `rbl-import rdns rules --check`. */
size_t rbl_rdns_rules_ntokens(const rbl_rdns_rules *r);
size_t rbl_rdns_rules_nexempt(const rbl_rdns_rules *r);

#endif
