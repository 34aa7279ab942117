/*
 * rbldnsd_read_lines.c -- the lines of an rbldnsd reader's source
 * (rbldnsd_read_impl.h): an input in memory, or a file read in pieces
 * (readfile.h) with a line cut by a piece's end put together in a carry
 * buffer; trimming; and pass 1's skip over the lines before the next '$'.
 * Errors of reading are said through the parser's handler, or kept in
 * the ds_lines for a reading thread that has no parser.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "zone/error.h"
#include "zone/formats/rbldnsd_read_impl.h"
#include "zone/readfile.h"

void ds_lines_start(ds_lines *l, const ds_src *src, char *carry)
{
	memset(l, 0, sizeof *l);
	l->src = src;
	l->carry = carry;
}

static void carry_add(ds_lines *l, const char *b, size_t n)
{
	if (l->carry_long || l->carry_len + n > DS_LINE_MAX) {
		l->carry_long = true;
		return;
	}
	memcpy(l->carry + l->carry_len, b, n);
	l->carry_len += n;
}

/* The next piece of a streamed source; false at its end or on an error
 * (then said, and P->stop_rc set; without P, kept in L). */
static bool lines_refill(ds_parser *p, ds_lines *l)
{
	char msg[512] = { 0 };
	int rc = rbl_stream_read(l->src->st, &l->piece, &l->piece_len, msg,
				 sizeof msg);

	l->piece_pos = 0;
	if (rc != RBL_OK) {
		if (rc == RBL_ENOMEM)
			snprintf(msg, sizeof msg, "%s: out of memory",
				 l->src->name);
		rc = rc == RBL_ENOMEM ? RBL_ENOMEM : RBL_EIO;
		l->eof = true;
		if (!p) {
			l->err_rc = rc;
			memcpy(l->err_msg, msg, sizeof l->err_msg);
			return false;
		}
		if (p->h->message)
			p->h->message(p->h->arg, true, msg);
		p->stop_rc = rc;
		return false;
	}
	l->eof = l->piece_len == 0;
	return !l->eof;
}

/* The next raw line of L (no newline): *START, *LEN; *TOO_LONG when it
 * did not fit DS_LINE_MAX.  False at the end. */
bool ds_lines_next(ds_parser *p, ds_lines *l, const char **start,
		   size_t *len, bool *too_long)
{
	const ds_src *src = l->src;

	*too_long = false;
	if (!src->st) {
		const char *b = NULL, *nl = NULL;

		if (l->pos >= src->mem_len)
			return false;
		b = src->mem + l->pos;
		nl = memchr(b, '\n', src->mem_len - l->pos);
		*start = b;
		*len = nl ? (size_t)(nl - b) : src->mem_len - l->pos;
		l->pos += *len + 1;
		return true;
	}
	if (l->carry_used) {
		l->carry_len = 0;
		l->carry_long = l->carry_used = false;
	}
	for (;;) {
		if (l->piece_pos < l->piece_len) {
			const char *b = l->piece + l->piece_pos, *nl = NULL;
			size_t rest = l->piece_len - l->piece_pos;

			nl = memchr(b, '\n', rest);
			if (!nl) {
				carry_add(l, b, rest);
				l->piece_pos = l->piece_len;
				continue;
			}
			l->piece_pos += (size_t)(nl - b) + 1;
			if (!l->carry_len && !l->carry_long) {
				*start = b;
				*len = (size_t)(nl - b);
				return true;
			}
			carry_add(l, b, (size_t)(nl - b));
			break;
		}
		if (l->eof || !lines_refill(p, l)) {
			if (!l->carry_len && !l->carry_long)
				return false;
			break;	/* the last line, without its newline */
		}
	}
	*start = l->carry;
	*len = l->carry_len;
	*too_long = l->carry_long;
	l->carry_used = true;
	return true;
}

/* Copy the next line of L into BUF, trimmed; *LEN its length.  False at
 * the end.  (P may be NULL: see lines_refill.) */
bool ds_next_line(ds_parser *p, ds_lines *l, char *buf, size_t *blen,
		  bool *too_long)
{
	const char *start = NULL, *end = NULL;
	size_t len = 0;

	if (!ds_lines_next(p, l, &start, &len, too_long))
		return false;
	end = start + len;
	while (start < end && (is_space(*start)))
		start++;
	while (end > start && (is_space(end[-1]) || end[-1] == '\r'))
		end--;
	len = (size_t)(end - start);
	*too_long = *too_long || len >= DS_LINE_MAX ||
		    memchr(start, '\0', len);
	if (*too_long)
		len = 0;
	memcpy(buf, start, len);
	buf[len] = '\0';
	*blen = len;
	return true;
}

/* The newlines in the N bytes at B, eight bytes at a time: a byte of
 * X ^ "\n\n..." is zero where B has one, and the sum marks exactly the
 * zero bytes (no carry crosses a byte: each is at most 0x7f + 0x7f). */
static unsigned count_newlines(const char *b, size_t n)
{
	const uint64_t nls = 0x0a0a0a0a0a0a0a0aull, low7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t sum = 0;
	size_t i = 0;
	unsigned count = 0, rounds = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x = 0, y = 0;

		memcpy(&x, b + i, 8);
		x ^= nls;
		y = ~(((x & low7) + low7) | x | low7);	/* 0x80 per zero byte */
		sum += y >> 7;			/* 1 per zero byte */
		/* the multiply adds the 8 bytes: keep their total < 256 */
		if (++rounds == 31) {
			count += (unsigned)((sum * 0x0101010101010101ull) >> 56);
			sum = 0;
			rounds = 0;
		}
	}
	count += (unsigned)((sum * 0x0101010101010101ull) >> 56);
	for (; i < n; i++)
		count += b[i] == '\n';
	return count;
}

/* Pass 1 acts only on lines with a '$' (`$n`, `$=`, `$TIMESTAMP`, or
 * `$DATASET` behind `$`, `#$` or `:$`), and a big list has a handful of
 * them at its top: cutting every other line of it was most of the pass.
 * Skip the whole lines of L's current piece (or input in memory) before
 * its next '$', or before its end when it has none; the number of lines
 * skipped, for the line numbers of the messages.  L stands at the start
 * of a line (and any carried line has been handed out). */
unsigned ds_lines_skip_plain(ds_lines *l)
{
	const char *b = NULL, *d = NULL, *nl = NULL;
	size_t rest = 0, n = 0;
	unsigned count = 0;

	if (!l->src->st) {
		if (l->pos >= l->src->mem_len)
			return 0;
		b = l->src->mem + l->pos;
		rest = l->src->mem_len - l->pos;
	} else {
		if ((l->carry_len || l->carry_long) && !l->carry_used)
			return 0;
		if (l->piece_pos >= l->piece_len)
			return 0;	/* (no piece yet: PIECE is NULL) */
		b = l->piece + l->piece_pos;
		rest = l->piece_len - l->piece_pos;
	}
	d = memchr(b, '$', rest);
	if (d)
		rest = (size_t)(d - b);
	nl = rest ? memrchr(b, '\n', rest) : NULL;
	if (!nl)
		return 0;
	n = (size_t)(nl - b) + 1;
	count = count_newlines(b, n);
	if (!l->src->st)
		l->pos += n;
	else
		l->piece_pos += n;
	return count;
}
