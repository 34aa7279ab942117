/*
 * mbox.c -- messages from an mbox stream: every line starting with "From "
 * begins a message (body lines that do are escaped ">From " by writers).
 * Read in blocks and split into lines in place, so a pipe of any length
 * needs one block and one message of memory, a 50 MB line included, and
 * NUL bytes in binary garbage are kept, not lost.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "zone/error.h"
#include "import/mailsrc.h"

#define BLOCK (1u << 20)

struct rbl_mbox {
	FILE *f;
	size_t max;
	bool single, started, eof;
	char *block;		/* read buffer */
	size_t start, end;	/* unread bytes are block[start..end) */
	bool at_bol;		/* the next piece starts a line */
	const char *ahead;	/* a "From " line read ahead, or NULL */
	size_t ahead_len;
	char *msg;		/* current message, at most max bytes */
	size_t len, cap, full;
	uint64_t pos;
};

int rbl_mbox_open(FILE *f, size_t max, bool single, rbl_mbox **out)
{
	rbl_mbox *mb = calloc(1, sizeof *mb);

	if (!mb || !(mb->block = malloc(BLOCK))) {
		free(mb);
		return RBL_ENOMEM;
	}
	mb->f = f;
	mb->max = max;
	mb->single = single;
	mb->at_bol = true;
	*out = mb;
	return RBL_OK;
}

/* The next line, or piece of a line longer than a block, into *P, *N.
 * *BOL says whether it starts a line.  False at the end of input. */
static bool next_piece(rbl_mbox *mb, const char **p, size_t *n, bool *bol)
{
	for (;;) {
		char *s = mb->block + mb->start;
		size_t avail = mb->end - mb->start;
		char *nl = memchr(s, '\n', avail);
		if (nl || (avail > 0 && (avail == BLOCK || mb->eof))) {
			*n = nl ? (size_t)(nl - s) + 1 : avail;
			*p = s;
			*bol = mb->at_bol;
			mb->at_bol = nl != NULL;
			mb->start += *n;
			mb->pos += *n;
			return true;
		}
		if (mb->eof)
			return false;
		memmove(mb->block, s, avail);
		mb->start = 0;
		mb->end = avail;
		size_t r = fread(mb->block + avail, 1, BLOCK - avail, mb->f);
		mb->end += r;
		if (r == 0)
			mb->eof = true;
	}
}

static bool is_from_line(const char *l, size_t n)
{
	return n >= 5 && memcmp(l, "From ", 5) == 0;
}

/* Append N bytes to the message, up to the limit; count them all. */
static int append(rbl_mbox *mb, const char *p, size_t n)
{
	mb->full += n;
	if (mb->full > mb->max)
		return RBL_OK;
	if (mb->len + n > mb->cap) {
		size_t cap = mb->cap ? mb->cap * 2 : 65536;
		while (cap < mb->len + n)
			cap *= 2;
		char *m = realloc(mb->msg, cap);
		if (!m)
			return RBL_ENOMEM;
		mb->msg = m;
		mb->cap = cap;
	}
	memcpy(mb->msg + mb->len, p, n);
	mb->len += n;
	return RBL_OK;
}

static void deliver(rbl_mbox *mb, rbl_mail *m)
{
	m->data = mb->full > mb->max ? NULL : mb->msg;
	m->len = mb->full;
	m->name = "";
}

int rbl_mbox_next(rbl_mbox *mb, rbl_mail *m)
{
	const char *p = NULL;
	size_t n = 0;
	bool bol = false;

	mb->len = mb->full = 0;
	if (mb->ahead) {	/* the "From " line that ended the last one */
		if (append(mb, mb->ahead, mb->ahead_len))
			return RBL_ENOMEM;
		mb->ahead = NULL;
	}
	while (next_piece(mb, &p, &n, &bol)) {
		if (!mb->started) {
			mb->started = true;
			mb->single |= !is_from_line(p, n);
		} else if (bol && !mb->single && is_from_line(p, n) &&
			   mb->full > 0) {
			/* p stays valid: the block is only refilled by the
			 * next call, after this line was appended */
			mb->ahead = p;
			mb->ahead_len = n;
			deliver(mb, m);
			return 1;
		}
		if (append(mb, p, n))
			return RBL_ENOMEM;
	}
	if (ferror(mb->f))
		return RBL_EIO;
	if (mb->full == 0)
		return 0;
	deliver(mb, m);
	mb->full = 0;
	return 1;
}

uint64_t rbl_mbox_pos(const rbl_mbox *mb)
{
	return mb->pos;
}

void rbl_mbox_close(rbl_mbox *mb)
{
	if (!mb)
		return;
	free(mb->block);
	free(mb->msg);
	free(mb);
}
