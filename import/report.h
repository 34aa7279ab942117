/*
 * report.h -- read one abuse report (ARF, X-ARF, SpamCop) into the address
 * it accuses, a time and a summary; and one line of a plain list or CSV.
 *
 * A report is walked as a MIME tree (at most 4 levels, 64 parts each);
 * every form contributes what it knows: ARF feedback-report fields
 * (arf.c), X-ARF YAML or JSON (xarf.c), SpamCop subject, header and body
 * lines (spamcop.c), and the enclosed original message's Received chain.
 * The accused address is the metadata's source (Source-IP, X-ARF Source,
 * X-SpamCop-sourceip) when the original's Received chain confirms it,
 * otherwise the original's first public hop, otherwise the metadata: the
 * enclosed original wins when they disagree.
 */
#ifndef RBL_REPORT_H
#define RBL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/policy/evidence.h"

typedef struct rbl_report {
	int format;		/* rbl_report_format it was read as */
	int status;		/* RBL_SKIP_NONE, or why to skip it */
	char detail[128];	/* why skipped, for the log */
	rbl_prefix subject;	/* the accused host */
	int64_t when;		/* 0 = unknown (the caller uses now) */
	char summary[RBL_EV_SUMMARY_MAX + 1];
} rbl_report;

/* Parse report DATA (LEN bytes, LF line ends) as FORMAT (RBL_REPORT_AUTO
 * detects ARF / X-ARF / SpamCop).  Header blocks over MAX_HDR bytes are
 * refused.  Fills *OUT; out->status says whether it can be used.  Never
 * fails otherwise; allocates at most a decoded copy of one part. */
void rbl_report_parse(const char *data, size_t len, int format,
		      size_t max_hdr, rbl_report *out);

/* One line of a plain list: "addr[/len] [reason...]", '#' or ';' starts a
 * comment.  Returns 1 with *P and REASON filled, 0 for a blank/comment
 * line, -1 if the line is not an address. */
int rbl_plain_line(const char *line, size_t len, rbl_prefix *p,
		   char *reason, size_t size);

/* CSV: the header row names the columns.  Recognised (case-insensitive):
 * ip, ip_address, address, source, source_ip, src, src_ip, addr (the
 * address, required); reason, comment, description, category, type;
 * date, time, timestamp, first_seen, last_seen, seen. */
typedef struct rbl_csv_cols {
	int ip, reason, date;	/* column numbers, -1 absent */
} rbl_csv_cols;
/* Parse header LINE.  Returns 0, or -1 when no address column exists. */
int rbl_csv_header(const char *line, size_t len, rbl_csv_cols *cols);
/* Parse a data LINE.  Returns 1 (P, REASON, *WHEN set; *WHEN 0 if no
 * date), 0 blank, -1 unusable. */
int rbl_csv_line(const char *line, size_t len, const rbl_csv_cols *cols,
		 rbl_prefix *p, char *reason, size_t size, int64_t *when);

#endif
