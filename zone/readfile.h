/*
 * readfile.h -- read an input file whole and prove that it is complete.
 *
 * Whatever rbld replaces from a file (a list by `rblctl import`, a zone by
 * `import-zone`, the configuration, the ACL, the public suffix list, rDNS
 * rules) is read through here, so "complete or nothing" is decided in one
 * place.  An input is complete when
 *   - every read succeeded up to the end of the file (a directory, EIO,
 *     ... are errors);
 *   - a regular file did not change while it was read: the same size and
 *     modification time after the last read as before the first, as many
 *     bytes read as it holds, and its path still names it;
 *   - gzip data (with RBL_READ_GZIP: input starting with 1f 8b) ends with
 *     the trailer of every member, CRC-32 and length checked, followed by
 *     nothing or zero bytes (gzip(1) ignores those too).  zlib's gzread()
 *     is not used: it reports a missing trailer only through gzerror()
 *     and skips whatever follows the last member in silence;
 *   - a stream (pipe, FIFO, socket) ends with a newline, because a writer
 *     that dies half-way also ends it, so its end proves nothing; an empty
 *     stream is refused too.  A gzip trailer is proof enough for a stream.
 *     A device (/dev/null, a terminal) is taken as it reads;
 *   - with RBL_READ_NEWLINE, a plain regular file ends with a newline as
 *     well (or is empty): for callers that replace data, where a file cut
 *     in the middle of its last line must not empty or shorten anything.
 * What cannot be seen: a plain file cut exactly at the end of a line, and
 * a writer that is still adding to a file it has not yet changed when the
 * reading ends.
 *
 * Errors are put in ERR as "PATH: byte N: what is wrong", N being the
 * offset in the file (the compressed file for gzip) where reading stopped
 * or the damage was found.
 */
#ifndef RBL_READFILE_H
#define RBL_READFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	RBL_READ_GZIP = 1,	/* gunzip input that starts with 1f 8b */
	RBL_READ_NEWLINE = 2,	/* a plain regular file must end with \n */
};

/* What a regular file looked like while it was read. */
typedef struct rbl_file_stamp {
	bool regular;		/* false: a stream, nothing to compare */
	uint64_t dev, ino, size;
	int64_t mtime_sec;
	long mtime_nsec;
} rbl_file_stamp;

typedef struct rbl_read_result {
	char *data;		/* malloc'ed, LEN bytes and a NUL after them */
	size_t len;
	bool gzip;		/* it was gzip data, every trailer checked */
	bool stream;		/* a pipe, FIFO or socket */
	bool open_end;		/* plain regular file whose last line has no
				   newline (only without RBL_READ_NEWLINE) */
	rbl_file_stamp stamp;
} rbl_read_result;

/* Read PATH whole (at most MAX bytes after gunzipping) into *OUT and
 * prove it complete (FLAGS: RBL_READ_*).  Returns RBL_OK, RBL_EIO (cannot
 * be opened or read, or is incomplete: text in ERR), RBL_ETOOBIG (over
 * MAX), RBL_ENOMEM.  On failure *OUT holds nothing to free. */
int rbl_read_whole(const char *path, unsigned flags, size_t max,
		   rbl_read_result *out, char *err, size_t errlen);

/* Check that PATH still is the regular file described by ST, e.g. after
 * the other files of a dataset were read.  RBL_OK (also for a stream) or
 * RBL_EIO with the difference in ERR. */
int rbl_file_recheck(const char *path, const rbl_file_stamp *st, char *err,
		     size_t errlen);

/*
 * The same, read in pieces: for big regular files, which then never sit in
 * memory whole (a 10M-line list is 150 MB of text).  Only a regular file
 * can be streamed (RBL_EINVAL otherwise: read it whole).  Each pass reads
 * it from the start to its end; the last piece of a pass comes only after
 * the end was proven complete by the same rules as above (the file
 * unchanged since it was opened, gzip trailers, the newline), so a caller
 * that uses nothing before the end of its first pass uses nothing of an
 * incomplete file.  A file that changes between passes fails the later
 * pass the same way.
 */
typedef struct rbl_stream rbl_stream;

/* Open PATH (FLAGS: RBL_READ_*).  RBL_OK, RBL_EINVAL (not a regular
 * file), RBL_EIO (with ERR), RBL_ENOMEM. */
int rbl_stream_open(const char *path, unsigned flags, rbl_stream **out,
		    char *err, size_t errlen);
/* The next piece of the content (gunzipped): *DATA, *LEN valid until the
 * next call; *LEN 0 once the end was reached and proven.  RBL_OK, RBL_EIO
 * (incomplete, with ERR), RBL_ENOMEM. */
int rbl_stream_read(rbl_stream *s, const char **data, size_t *len,
		    char *err, size_t errlen);
/* Back to the start for another pass.  RBL_OK or RBL_EIO. */
int rbl_stream_rewind(rbl_stream *s, char *err, size_t errlen);
/* What the file looked like when opened; whether it was gzip data and
 * whether its last line had no newline (known at the end of a pass). */
const rbl_file_stamp *rbl_stream_stamp(const rbl_stream *s);
bool rbl_stream_gzip(const rbl_stream *s);
bool rbl_stream_open_end(const rbl_stream *s);
void rbl_stream_close(rbl_stream *s);

/* Gunzip LEN bytes at IN (one or more gzip members) into *OUT (malloc'ed,
 * NUL after *OUTLEN bytes), under the same rules; NAME is for messages.
 * Returns RBL_OK, RBL_EIO (incomplete or corrupt), RBL_ETOOBIG,
 * RBL_ENOMEM. */
int rbl_gunzip(const char *name, const void *in, size_t len, size_t max,
	       char **out, size_t *outlen, char *err, size_t errlen);

#endif
