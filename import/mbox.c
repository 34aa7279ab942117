/*
 * mbox.c -- messages from an mbox stream: every line starting with "From "
 * begins a message (body lines that do are escaped ">From " by writers).
 * Read in blocks and split into lines in place, so a pipe of any length
 * needs one block and one message of memory, a 50 MB line included, and
 * NUL bytes in binary garbage are kept, not lost.
 *
 * The last message is checked before it is handed out (see mailsrc.h):
 * whatever ends the input -- a read error, a writer that died, a file
 * cut or still being appended to -- it is complete only when its last
 * line is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "zone/array.h"
#include "zone/error.h"
#include "mailsrc.h"

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
	uint64_t msg_start;	/* offset of the current message */
	char last;		/* the last byte read */
	int read_errno;		/* errno of a failed read, or 0 */
	/* a regular file as it was when opened, to see it change */
	bool regular;
	bool device;		/* /dev/null, a terminal: taken as it reads */
	struct stat st;
	off_t base;		/* its offset when opened */
	char why[160];		/* what made the last message incomplete */
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
	/* an fmemopen() stream has no descriptor: it counts as a stream */
	if (fileno(f) >= 0 && fstat(fileno(f), &mb->st) == 0) {
		mb->device = S_ISCHR(mb->st.st_mode) || S_ISBLK(mb->st.st_mode);
		mb->regular = S_ISREG(mb->st.st_mode) &&
			      (mb->base = ftello(f)) >= 0;
	}
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
			mb->last = s[*n - 1];
			return true;
		}
		if (mb->eof)
			return false;
		memmove(mb->block, s, avail);
		mb->start = 0;
		mb->end = avail;
		errno = 0;
		size_t r = fread(mb->block + avail, 1, BLOCK - avail, mb->f);
		mb->end += r;
		if (r < BLOCK - avail && ferror(mb->f)) {
			mb->read_errno = errno ? errno : EIO;
			mb->eof = true;	/* what was read is still handed out */
		}
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
	if (rbl_array_reserve(mb->msg, mb->cap, mb->len + n, 65536) != RBL_OK)
		return RBL_ENOMEM;
	memcpy(mb->msg + mb->len, p, n);
	mb->len += n;
	return RBL_OK;
}

static void deliver(rbl_mbox *mb, rbl_mail *m)
{
	memset(m, 0, sizeof *m);
	m->data = mb->full > mb->max ? NULL : mb->msg;
	m->len = mb->full;
	m->name = "";
	m->start = mb->msg_start;
}

/* Why the input, now at its end, does not prove its last message
 * complete, or NULL. */
static const char *incomplete(rbl_mbox *mb)
{
	struct stat now = { 0 };

	if (mb->read_errno) {
		snprintf(mb->why, sizeof mb->why, "read error: %s",
			 strerror(mb->read_errno));
		return mb->why;
	}
	if (mb->last != '\n' && !mb->device)
		return mb->regular ? "the file ends in the middle of a line "
				     "(if it is whole, end it with a newline)"
				   : "the input ends in the middle of a line";
	if (!mb->regular)
		return NULL;
	if (fstat(fileno(mb->f), &now) != 0)
		snprintf(mb->why, sizeof mb->why, "fstat: %s", strerror(errno));
	else if (now.st_size != mb->st.st_size ||
		 now.st_mtim.tv_sec != mb->st.st_mtim.tv_sec ||
		 now.st_mtim.tv_nsec != mb->st.st_mtim.tv_nsec ||
		 (uint64_t)now.st_size != (uint64_t)mb->base + mb->pos)
		snprintf(mb->why, sizeof mb->why, "the file changed while "
			 "being read (%lld bytes when opened, %lld now): its "
			 "last message may still be being written",
			 (long long)mb->st.st_size, (long long)now.st_size);
	else
		return NULL;
	return mb->why;
}

int rbl_mbox_next(rbl_mbox *mb, rbl_mail *m)
{
	const char *p = NULL;
	size_t n = 0;
	bool bol = false;

	mb->len = mb->full = 0;
	mb->msg_start = mb->pos;
	if (mb->ahead) {	/* the "From " line that ended the last one */
		mb->msg_start -= mb->ahead_len;
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
	if (mb->full == 0 && !mb->read_errno)
		return 0;
	deliver(mb, m);
	m->error = incomplete(mb);
	m->error_at = mb->pos;
	mb->full = 0;
	mb->read_errno = 0;	/* reported: the next call ends the input */
	mb->last = '\n';
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
