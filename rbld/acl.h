/*
 * acl.h -- client access lists: what rbld does for a client address.
 *
 * An rbl_acl maps client prefixes to an action, longest prefix first, the
 * way rbldnsd's acl dataset does:
 *   ignore   drop the query, send nothing;
 *   refuse   answer REFUSED;
 *   empty    answer everything as unlisted (NXDOMAIN);
 *   pass     answer normally (an exception inside a wider rule);
 *   answer   a fixed A (+TXT) for every name below the zone, listed or
 *            not: how 127.255.255.254 "query via a public resolver" and
 *            127.255.255.255 "excessive queries" are served.
 *
 * Rules come from rbld.conf ("CIDR action [code[,code...] [TXT]]", see
 * rbl_acl_parse_rule()) and from rbldnsd acl files.  Building a table
 * allocates; it is then read-only and shared by every worker thread, and
 * a lookup walks at most 32/128 nodes of a binary trie without
 * allocating or locking.
 */
#ifndef RBLD_ACL_H
#define RBLD_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/store/entry.h"

/* Actions; RBL_ACL_* of zone/formats/rbldnsd_fmt.h map onto these one to
 * one. */
enum rbl_acl_act {
	RBL_ACT_PASS = 0,	/* also: no rule matched */
	RBL_ACT_IGNORE,
	RBL_ACT_REFUSE,
	RBL_ACT_EMPTY,
	RBL_ACT_ANSWER
};

/* What an "answer" rule (or a quota) answers with. */
typedef struct rbl_acl_answer {
	uint8_t n_codes;			/* 1..RBL_MAX_CODES */
	uint32_t codes[RBL_MAX_CODES];
	uint16_t txt_len;			/* 0: no TXT record */
	char txt[RBL_TXT_MAX + 1];		/* template: $ = client */
} rbl_acl_answer;

typedef struct rbl_acl_rule {
	rbl_prefix prefix;
	int action;				/* rbl_acl_act */
	rbl_acl_answer answer;			/* RBL_ACT_ANSWER */
} rbl_acl_rule;

typedef struct rbl_acl rbl_acl;

/* An empty table (matches nothing).  RBL_OK or RBL_ENOMEM. */
int rbl_acl_new(rbl_acl **out);
/* Free A and its rules; NULL is fine. */
void rbl_acl_free(rbl_acl *a);

/* Add rule R (copied).  A rule for a prefix already present replaces it,
 * so later rules override earlier ones.  RBL_OK or RBL_ENOMEM. */
int rbl_acl_add(rbl_acl *a, const rbl_acl_rule *r);
/* Add every rule of SRC to A (e.g. the global rules to a zone's table). */
int rbl_acl_add_all(rbl_acl *a, const rbl_acl *src);
/* Number of rules in A. */
size_t rbl_acl_count(const rbl_acl *a);

/* The rule with the longest prefix containing CLIENT, or NULL.  The rule
 * belongs to A.  IPv4-mapped IPv6 clients must be unmapped by the caller. */
const rbl_acl_rule *rbl_acl_match(const rbl_acl *a, const rbl_addr *client);

/* Parse an action: "ignore" (or "drop"), "refuse", "empty", "pass", or
 * "answer CODE[,CODE...] [TXT...]" (TXT is the rest of the text, $ in it
 * is the client's address).  Fills R's action and answer.  Returns RBL_OK
 * or RBL_ESYNTAX with the reason in ERR. */
int rbl_acl_parse_action(const char *text, rbl_acl_rule *r, char *err,
			 size_t errlen);
/* Parse a configuration rule "CIDR ACTION..." into R.  A CIDR with host
 * bits set is an error.  RBL_OK or RBL_ESYNTAX with the reason in ERR. */
int rbl_acl_parse_rule(const char *text, rbl_acl_rule *r, char *err,
		       size_t errlen);

/* Add the rules of the rbldnsd acl dataset at PATH (plain or gzip): each
 * line "CIDR :ignore|:refuse|:empty|:pass" or "CIDR :A:TXT"; "!CIDR" is
 * pass.  Returns RBL_OK, RBL_EIO, RBL_ESYNTAX or RBL_ENOMEM with
 * "path:line: ..." in ERR. */
int rbl_acl_load_file(rbl_acl *a, const char *path, char *err, size_t errlen);
/* The same for LEN bytes of TEXT named NAME in messages (tests, fuzzing). */
int rbl_acl_load_buffer(rbl_acl *a, const char *name, const char *text,
			size_t len, char *err, size_t errlen);

/* "ignore", "refuse", "empty", "pass", "answer". */
const char *rbl_acl_act_name(int action);

#endif
