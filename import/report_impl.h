/*
 * report_impl.h -- what the report readers (arf.c, xarf.c, spamcop.c)
 * collect while report.c walks a report's MIME tree.  Private to import/.
 */
#ifndef RBL_REPORT_IMPL_H
#define RBL_REPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "mime.h"

#define RPT_MAX_HOPS 8

typedef struct rpt_fields {
	bool is_arf, is_xarf, is_spamcop;
	bool has_source;
	rbl_addr source;		/* metadata's accused address */
	int64_t when;			/* metadata's date */
	bool not_abuse;			/* Feedback-Type: not-spam, ... */
	bool has_orig;
	rbl_addr hops[RPT_MAX_HOPS];	/* original: public hops, top first */
	unsigned n_hops;
	int64_t orig_when;		/* original's top Received date */
	char type[48];			/* Feedback-Type / Report-Type */
	char agent[96];			/* User-Agent / Reporting-MTA / ... */
	char subject[160];		/* original's Subject */
	char domain[96];		/* Reported-Domain */
} rpt_fields;

/* Parse an address as reports write it: "192.0.2.1 (host)", "[ip]",
 * "::ffff:ip", quoted.  True with *OUT set. */
bool rpt_parse_ip(const char *s, rbl_addr *out);
/* Copy S into DST (SIZE bytes) if DST is still empty. */
void rpt_set(char *dst, size_t size, const char *s);

/* arf.c: the fields of a message/feedback-report body (a header block). */
void arf_fields(const char *body, size_t len, rpt_fields *f);
/* arf.c: the enclosed original message (full or headers only). */
void arf_original(const char *data, size_t len, rpt_fields *f);
/* xarf.c: YAML report.txt ("Source: ip" lines) / JSON (X-ARF 0.2 / 4). */
bool xarf_yaml(const char *body, size_t len, rpt_fields *f);
bool xarf_json(const char *body, size_t len, rpt_fields *f);
/* spamcop.c: top-level headers of a SpamCop report. */
void spamcop_headers(const rbl_msg *m, rpt_fields *f);
/* spamcop.c: a body with "Email from ip / date" and "[ Offending message ]";
 * the original after the marker goes to arf_original. */
bool spamcop_body(const char *body, size_t len, rpt_fields *f);

#endif
