/*
 * mailsrc.h -- where trap messages come from: an mbox stream (file or
 * pipe, read line by line), a single message, or a Maildir directory.
 *
 * Readers hand out one message at a time from a buffer they own, at most
 * MAX bytes of it: a longer message is reported with its full size and
 * no data, so the caller can skip it without memory growing.
 */
#ifndef RBL_MAILSRC_H
#define RBL_MAILSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct rbl_mail {
	const char *data;	/* NULL when the message was over the limit */
	size_t len;		/* its full size in bytes */
	const char *name;	/* file name (Maildir) or "" */
	uint64_t start;		/* its offset in the input (mbox), or 0 */
	/* Not NULL when the message could not be read whole: it must not
	 * be imported.  What went wrong (valid until the next call), and
	 * the byte offset in the input (mbox) or file (Maildir) where
	 * reading stopped. */
	const char *error;
	uint64_t error_at;
} rbl_mail;

/* ---- mbox (mbox.c) ---- */

typedef struct rbl_mbox rbl_mbox;

/* Read messages from F (not closed by us).  With SINGLE the whole input
 * is one message; otherwise input whose first line starts with "From "
 * is an mbox, anything else one message.  Returns RBL_OK or RBL_ENOMEM.
 *
 * A message followed by a "From " line is complete.  The last one is
 * complete only when the input ends with a newline (a device such as a
 * terminal excepted), no read failed and,
 * for a regular file, the file still has the size and modification time
 * it had when opened (else it may still be being written, or was cut):
 * otherwise it comes with ERROR set.  A message cut exactly at the end
 * of a line cannot be told from a whole one. */
int rbl_mbox_open(FILE *f, size_t max, bool single, rbl_mbox **out);
/* Next message into *M (valid until the next call).  Returns 1, 0 at the
 * end, RBL_ENOMEM.  A read error ends the input: the message it cut
 * comes with ERROR set (also when no byte of it was read). */
int rbl_mbox_next(rbl_mbox *mb, rbl_mail *m);
/* Bytes consumed so far (for progress). */
uint64_t rbl_mbox_pos(const rbl_mbox *mb);
void rbl_mbox_close(rbl_mbox *mb);

/* ---- Maildir (maildir.c) ---- */

typedef struct rbl_maildir rbl_maildir;

/* List the messages in DIR/new and DIR/cur (or DIR itself when it has
 * neither), in name order.  Returns RBL_OK, RBL_EIO (with errno), or
 * RBL_ENOMEM. */
int rbl_maildir_open(const char *dir, size_t max, rbl_maildir **out);
/* Total bytes of the listed files and their number. */
uint64_t rbl_maildir_bytes(const rbl_maildir *md);
size_t rbl_maildir_count(const rbl_maildir *md);
/* Next message.  A file that cannot be read whole comes with ERROR set:
 * it vanished before it was opened (moved or deleted), a read failed, or
 * its size or modification time changed since the directory was listed
 * or while it was read.  (A file moved or deleted after it was opened is
 * still read whole: that does not change its content.)  Returns 1, or 0
 * at the end. */
int rbl_maildir_next(rbl_maildir *md, rbl_mail *m);
uint64_t rbl_maildir_pos(const rbl_maildir *md);
void rbl_maildir_close(rbl_maildir *md);

#endif
