/*
 * rdns_classify.h -- what a PTR name says about its address.
 *
 * Input: an address and its PTR name.  Output: a class (dynamic end-user,
 * static end-user, infrastructure, unknown), the rule that decided it in
 * words a reviewer can check, a confidence, and the name's naming
 * template: the name with the address-derived characters replaced by '#'
 * and any other digit run by '*' ("#.dialup.dynamic.example.net"), which
 * neighbouring addresses of one pool share (rdns_ranges.h groups by it).
 *
 * Decision, first match wins (doc/rdns.md explains each step):
 *   1. the name is at or below an exempt domain   -> the exemption's class
 *   2. class tokens LEFT of the registered domain (public suffix list),
 *      in the rules' precedence order (default infrastructure, static,
 *      dynamic); static and dynamic tokens count only with an identifier
 *      (require-id: by default at least two octets of the address, or its
 *      hex or integer form)                        -> the token's class
 *   3. the whole address is in the name, no token -> full-address class
 *                                                   (default dynamic)
 *   4. no token, no address, no digit run longer than custom-name-max-
 *      digits (a hand-picked name)                 -> custom-name class
 *                                                   (default infrastructure)
 *   5. otherwise                                   -> unknown
 *
 * The classifier holds no state of its own: any number of threads may
 * classify with one rbl_rdns_classifier.
 */
#ifndef RBL_IMPORT_RDNS_CLASSIFY_H
#define RBL_IMPORT_RDNS_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zone/addr.h"
#include "zone/policy/rdns_class.h"
#include "psl.h"
#include "rdns_embed.h"
#include "rdns_rules.h"

typedef struct rbl_rdns_classifier {
	const rbl_psl *psl;		/* borrowed; outlives the classifier */
	const rbl_rdns_rules *rules;	/* borrowed */
} rbl_rdns_classifier;

typedef struct rbl_rdns_result {
	int cls;			/* rbl_rdns_class */
	const char *rule;		/* static: "exempt", "token",
					   "full-address", "custom-name",
					   "none", "bad-name" */
	char why[192];			/* for reviewers: what matched */
	uint16_t confidence;		/* per mille */
	char name[RBL_RDNS_NAME_MAX + 1];	/* lowercase, no trailing dot */
	size_t domain;			/* offset of the registered domain */
	char template[RBL_RDNS_NAME_MAX + 1];
	unsigned cover;			/* octets found left of the domain */
	size_t n_embed;
	rbl_embed embed[RBL_EMBED_MAX];
} rbl_rdns_result;

/* Classify PTR (a host name, any case, trailing dot allowed) of address
 * A into *OUT.  Returns RBL_OK, or RBL_EINVAL when PTR is not a host name
 * (empty, longer than 253, empty label, characters other than letters,
 * digits, '-', '_'): then OUT->cls is unknown and OUT->rule "bad-name".
 * Allocates nothing. */
int rbl_rdns_classify(const rbl_rdns_classifier *c, const rbl_addr *a,
		      const char *ptr, rbl_rdns_result *out);

/* Parse one input line "address<TAB>ptr" (spaces also separate; a third
 * field and anything after it are ignored) in place.  On RBL_OK *PTR
 * points into LINE.  Returns RBL_OK, RBL_ENOTFOUND for a blank or '#'
 * comment line, RBL_ESYNTAX for anything else. */
int rbl_rdns_parse_line(char *line, rbl_addr *a, char **ptr);

/* Write R as one output line: "address<TAB>name<TAB>class<TAB>rule<TAB>
 * confidence<TAB>template<TAB>why\n".  Returns RBL_OK or RBL_EIO. */
int rbl_rdns_result_print(FILE *out, const rbl_addr *a,
			  const rbl_rdns_result *r);

#endif
