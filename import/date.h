/*
 * date.h -- dates as mail and reports write them: RFC 5322 (with the
 * obsolete forms real MTAs still produce) and ISO 8601 / RFC 3339.
 */
#ifndef RBL_DATE_H
#define RBL_DATE_H

#include <stdint.h>

/* Parse an RFC 5322 date-time ("Tue, 3 Nov 2026 12:34:56 +0100 (CET)"):
 * optional weekday, 2- or 4-digit year, optional seconds, numeric or
 * obsolete alphabetic zones (UT, GMT, EST...; unknown letters = UTC),
 * trailing comments.  Returns unix seconds, or 0 if S is no date. */
int64_t rbl_date_parse(const char *s);
/* Parse ISO 8601 "2026-11-03T12:34:56Z", "...+01:00", "2026-11-03
 * 12:34:56" (UTC).  Returns unix seconds or 0. */
int64_t rbl_date_parse_iso(const char *s);
/* Either form, or a plain unix time of 9+ digits.  0 if none. */
int64_t rbl_date_parse_any(const char *s);

#endif
