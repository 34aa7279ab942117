/*
 * rbldnsd_read_impl.h -- the rbldnsd reader's parts and the parser state
 * they share (the reader's contract is rbldnsd_fmt.h).  Private to
 * zone/formats/rbldnsd_read*.c.
 *
 * The parts, each using only the ones listed before it:
 *   rbldnsd_read_msg.c      errors and warnings as "file:line: text"
 *   rbldnsd_read_lines.c    the lines of a source: in memory or read in
 *                           pieces, trimmed; pass 1's skip to the next '$'
 *   rbldnsd_read_lex.c      the words of the data: dataset type names,
 *                           IPv4 ranges and A values, IPv6 text, names
 *                           (pure functions of their text)
 *   rbldnsd_read_value.c    `:A:TXT` values, the default line and the TXT
 *                           templates with rbldnsd's substitutions
 *   rbldnsd_read_entry.c    entry lines of each dataset type into records
 *   rbldnsd_read_special.c  the `$` lines: $SOA $NS $TTL $MAXRANGE4
 *                           $TIMESTAMP $DATASET
 *   rbldnsd_read.c          lines, the two passes, the entry points
 * Functions that can fail report through ds_error() and return
 * RBL_ESYNTAX (or a callback's non-zero value, kept in stop_rc).
 */
#ifndef RBL_RBLDNSD_READ_IMPL_H
#define RBL_RBLDNSD_READ_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/formats/rbldnsd_fmt.h"
#include "zone/readfile.h"

#define DS_LINE_MAX	8192

/* Substitutions of one scope: the whole dataset, or a combined section.
 * The texts are copies: a streamed input is gone once read. */
typedef struct ds_vars {
	char *var[10];
	size_t var_len[10];
	char *base;		/* $= template, NULL if none */
	size_t base_len;
} ds_vars;

typedef struct ds_parser {
	const rbl_ds_options *o;
	const rbl_ds_handler *h;
	rbl_ds_meta *meta;
	int64_t now;
	unsigned errors;
	int stop_rc;		/* a callback's non-zero value */
	ds_vars *scopes;	/* [0] global, [i + 1] section i */
	size_t n_scopes, cap_scopes;
	int section;		/* current combined section, -1 none */
	int type;		/* dataset type of the current lines */
	const char *file;
	unsigned line;
	/* the `:A:TXT` default in force (raw rbldnsd text) */
	uint32_t def_code;
	char def_txt[RBL_TXT_MAX + 1];
	bool def_has_txt;
	bool def_tpl_valid;	/* def_tpl caches def_txt converted */
	char def_tpl[RBL_TXT_MAX + 1];
	size_t def_tpl_len;
	bool warned_tset_value;
	bool warned_cut;
	rbl_ds_record rec;
	rbl_zrec rr;		/* generic: the record being delivered */
	char linebuf[DS_LINE_MAX + 2];	/* one line, cut up in place */
} ds_parser;

/* ---- small scanners, inline: they run for every byte ---- */

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline char *skip_space(char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

static inline bool is_comment(char c)
{
	return c == '#' || c == ';';
}

/* Split off the first whitespace-delimited word of *S (NUL-terminated
 * in place); *S moves past it and the blanks after it. */
static inline char *next_word(char **s)
{
	char *w = skip_space(*s), *e = w;

	while (*e && !is_space(*e))
		e++;
	if (*e)
		*e++ = '\0';
	*s = skip_space(e);
	return w;
}

/* ---- rbldnsd_read_msg.c ---- */

/* Report an error at the current line (counted in p->errors); returns
 * RBL_ESYNTAX for the caller to pass up. */
int ds_error(ds_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report a warning at the current line; it does not stop the import. */
void ds_warn(ds_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- rbldnsd_read_lines.c ---- */

/* Where lines come from: an input in memory, or a file read in pieces
 * (readfile.h), once per pass. */
typedef struct ds_src {
	const char *name;
	const char *mem;
	size_t mem_len;
	rbl_stream *st;
} ds_src;

/* Reading lines from a source; a line cut by a piece's end is put
 * together in CARRY. */
typedef struct ds_lines {
	const ds_src *src;
	size_t pos;
	const char *piece;
	size_t piece_len, piece_pos;
	char *carry;
	size_t carry_len;
	bool carry_long, carry_used, eof;
	/* read without a parser (rbldnsd_read.c's reading thread): an
	 * error is kept here, for the parser's thread to say */
	int err_rc;
	char err_msg[512];
} ds_lines;

/* Start reading SRC's lines into L (CARRY: DS_LINE_MAX bytes). */
void ds_lines_start(ds_lines *l, const ds_src *src, char *carry);
/* The next raw line of L (no newline): *START, *LEN; *TOO_LONG when it
 * did not fit DS_LINE_MAX.  False at the end or on a read error (said
 * through P, or kept in L when P is NULL). */
bool ds_lines_next(ds_parser *p, ds_lines *l, const char **start,
		   size_t *len, bool *too_long);
/* The next line of L copied into BUF, trimmed; *BLEN its length.  False
 * at the end.  (P may be NULL, as for ds_lines_next.) */
bool ds_next_line(ds_parser *p, ds_lines *l, char *buf, size_t *blen,
		  bool *too_long);
/* Skip the whole lines before L's next '$' in what is read already; the
 * number of lines skipped.  L stands at the start of a line. */
unsigned ds_lines_skip_plain(ds_lines *l);

/* ---- rbldnsd_read_lex.c ---- */

/* A decimal number 0..MAX of at most three digits at *S (moved past). */
bool ds_parse_bits(const char **s, unsigned max, unsigned *out);
/* The value of hex digit C, or -1. */
int ds_hexval(char c);
/* IPv6 text, possibly shortened rbldnsd style ("2001:db8:1:2" = the /64)
 * into A.  *GROUPS gets the number of groups given when there is no "::"
 * (0 for a full address).  False if S is not IPv6. */
bool ds_parse_ip6(const char *s, rbl_addr *a, unsigned *groups);
/* True when P has bits set below its length. */
bool ds_host_bits_set(const rbl_prefix *p);
/* A domain name of LEN bytes at S: labels of letters, digits, '-', '_',
 * no empty label, no trailing dot. */
bool ds_valid_name(const char *s, size_t len);

/* ---- rbldnsd_read_value.c ---- */

/* Back to no `:A:TXT` default (the start of a file or a section). */
void ds_reset_default(ds_parser *p);
/* A line starting with ':' (S at it) sets the default A and TXT. */
int ds_default_line(ds_parser *p, char *s);
/* The value part REST of an entry line into p->rec.entry: its own
 * `:A:TXT` or the default; NAME is the dnset subject (else NULL).
 * Exclusions take no value. */
int ds_entry_value(ds_parser *p, char *rest, const char *name);
/* The same for the tset types: the default always, a per-entry value
 * warned about once and ignored, as rbldnsd does. */
int ds_tset_value(ds_parser *p, char *rest);

/* ---- rbldnsd_read_entry.c ---- */

/* One entry line S (trimmed, not special, not a default) of the current
 * dataset type: parsed and delivered as records. */
int ds_entry_line(ds_parser *p, char *s);
/* Line S read as "a.b.c.d" or (WITH_LEN) "a.b.c.d/nn" alone, the big
 * lists' lines, into *OUT; false: not such a line (the general path's). */
bool ds_quick_ip4(const char *s, bool with_len, rbl_prefix *out);
/* The entry line whose text ds_quick_ip4 read as *PFX (HAD_LEN: it had a
 * "/nn"), delivered as ds_entry_line would: 1 when it took the line (its
 * result in *RC), 0 when ds_entry_line must read the text. */
int ds_quick_line(ds_parser *p, const rbl_prefix *pfx, bool had_len,
		  int *rc);

/* ---- rbldnsd_read_special.c ---- */

/* Pass 2: a special line, S the text after "$", "#$" or ":$"; TOLERANT
 * ("#$...") lets an unknown keyword pass as a comment. */
int ds_special_line(ds_parser *p, char *s, bool tolerant);
/* Pass 1: "$TIMESTAMP stamp [expires]", S the text after the keyword. */
int ds_special_timestamp(ds_parser *p, char *s);

#endif
