/*
 * readfile.c -- read an input file whole and prove it complete (see
 * readfile.h).
 *
 * The raw bytes are read with read(2) into memory first, so the checks on
 * the file itself (read errors, changes while reading) are done before
 * anything is decoded; gzip data is then inflated member by member with
 * zlib's inflate(), which says exactly where a member ends, so a missing
 * trailer and bytes after the last member are errors here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "zone/error.h"
#include "zone/readfile.h"

#define FIRST_CHUNK	((size_t)64 << 10)
#define INFLATE_STEP	((size_t)1 << 30)	/* zlib counts in uInt */

static int fail(char *err, size_t errlen, const char *path, uint64_t at,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "PATH: byte AT: what"; returns RBL_EIO. */
static int fail(char *err, size_t errlen, const char *path, uint64_t at,
		const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (err && errlen)
		snprintf(err, errlen, "%s: byte %llu: %s", path,
			 (unsigned long long)at, what);
	return RBL_EIO;
}

static void stamp_of(const struct stat *st, rbl_file_stamp *s)
{
	memset(s, 0, sizeof *s);
	s->regular = S_ISREG(st->st_mode);
	s->dev = (uint64_t)st->st_dev;
	s->ino = (uint64_t)st->st_ino;
	s->size = (uint64_t)st->st_size;
	s->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	s->mtime_nsec = st->st_mtim.tv_nsec;
}

/* How ST differs from what S recorded, or NULL when it does not. */
static const char *stamp_diff(const rbl_file_stamp *s, const struct stat *st)
{
	rbl_file_stamp now = { 0 };

	stamp_of(st, &now);
	if (now.dev != s->dev || now.ino != s->ino)
		return "was replaced by another file";
	if (now.size != s->size)
		return "changed size";
	if (now.mtime_sec != s->mtime_sec || now.mtime_nsec != s->mtime_nsec)
		return "was modified";
	return NULL;
}

int rbl_file_recheck(const char *path, const rbl_file_stamp *s, char *err,
		     size_t errlen)
{
	struct stat st = { 0 };
	const char *diff;

	if (!s->regular)
		return RBL_OK;
	if (stat(path, &st) != 0)
		return fail(err, errlen, path, s->size, "removed while being "
			    "read (%s)", strerror(errno));
	diff = stamp_diff(s, &st);
	if (diff)
		return fail(err, errlen, path, s->size, "the file %s while "
			    "being read (%llu bytes were read, it has %llu "
			    "now)", diff, (unsigned long long)s->size,
			    (unsigned long long)st.st_size);
	return RBL_OK;
}

/* ------------------------------------------------------------- gunzip */

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

typedef struct inflater {
	z_stream zs;
	const unsigned char *in;
	size_t len, fed;	/* input bytes handed to zlib so far */
	char *out;
	size_t n, cap, max;
} inflater;

/* Bytes of input zlib has consumed: the offset of the next one. */
static size_t consumed(const inflater *f)
{
	return f->fed - f->zs.avail_in;
}

static int grow(inflater *f)
{
	size_t cap = f->cap * 2;
	char *b;

	if (f->cap > f->max)
		return RBL_ETOOBIG;
	if (cap > f->max + 1)
		cap = f->max + 1;
	if (!(b = realloc(f->out, cap + 1)))	/* + 1: the NUL */
		return RBL_ENOMEM;
	f->out = b;
	f->cap = cap;
	return RBL_OK;
}

/* One gzip member ended (Z_STREAM_END): true to go on with the next. */
static int member_end(inflater *f, const char *name, char *err,
		      size_t errlen, bool *more)
{
	size_t at = consumed(f), rest = f->len - at;

	*more = false;
	if (all_zero(f->in + at, rest))
		return RBL_OK;
	if (rest >= 2 && f->in[at] == 0x1f && f->in[at + 1] == 0x8b) {
		*more = inflateReset(&f->zs) == Z_OK;
		return *more ? RBL_OK : RBL_ENOMEM;
	}
	return fail(err, errlen, name, at, "what follows the end of the gzip "
		    "data (%zu byte%s) is not gzip data: the file is damaged "
		    "or a further part of it was cut", rest,
		    rest == 1 ? "" : "s");
}

static int inflate_all(inflater *f, const char *name, char *err,
		       size_t errlen)
{
	for (;;) {
		size_t room, before;
		bool more = false;
		int ret, rc;

		if (f->zs.avail_in == 0 && f->fed < f->len) {
			size_t step = f->len - f->fed;

			if (step > INFLATE_STEP)
				step = INFLATE_STEP;
			f->zs.next_in = (unsigned char *)f->in + f->fed;
			f->zs.avail_in = (uInt)step;
			f->fed += step;
		}
		if (f->n == f->cap && (rc = grow(f)) != RBL_OK)
			return rc;
		room = f->cap - f->n;
		if (room > INFLATE_STEP)
			room = INFLATE_STEP;
		f->zs.next_out = (unsigned char *)f->out + f->n;
		f->zs.avail_out = (uInt)room;
		before = f->zs.avail_out;
		ret = inflate(&f->zs, Z_NO_FLUSH);
		f->n += before - f->zs.avail_out;
		if (f->n > f->max)
			return RBL_ETOOBIG;
		switch (ret) {
		case Z_STREAM_END:
			rc = member_end(f, name, err, errlen, &more);
			if (rc != RBL_OK || !more)
				return rc;
			break;
		case Z_OK:
			break;
		case Z_BUF_ERROR:	/* no progress: out of input */
			if (f->zs.avail_in == 0 && f->fed == f->len)
				return fail(err, errlen, name, f->len,
					    "the gzip data ends before its "
					    "trailer (%zu bytes unpacked so "
					    "far): the file is incomplete",
					    f->n);
			break;
		case Z_MEM_ERROR:
			return RBL_ENOMEM;
		default:	/* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
			return fail(err, errlen, name, consumed(f), "corrupt "
				    "gzip data (%s)", f->zs.msg ? f->zs.msg :
				    "bad stream");
		}
	}
}

int rbl_gunzip(const char *name, const void *in, size_t len, size_t max,
	       char **out, size_t *outlen, char *err, size_t errlen)
{
	inflater f = { 0 };
	int rc;

	memset(&f, 0, sizeof f);
	f.in = in;
	f.len = len;
	f.max = max;
	f.cap = len < max / 4 ? len * 4 + 4096 : max / 4 + 1;
	if (!(f.out = malloc(f.cap + 1)))
		return RBL_ENOMEM;
	if (inflateInit2(&f.zs, 15 + 16) != Z_OK) {	/* gzip wrapper only */
		free(f.out);
		return RBL_ENOMEM;
	}
	rc = inflate_all(&f, name, err, errlen);
	inflateEnd(&f.zs);
	if (rc == RBL_ETOOBIG && err && errlen)
		snprintf(err, errlen, "%s: unpacks to more than %zu bytes",
			 name, max);
	if (rc != RBL_OK) {
		free(f.out);
		return rc;
	}
	f.out[f.n] = '\0';
	*out = f.out;
	*outlen = f.n;
	return RBL_OK;
}

/* ---------------------------------------------------------- raw read */

/* Read FD to its end into *BUF (*N bytes).  The buffer starts at SIZE +
 * 1 for a regular file, so the read that sees the end needs no growth. */
static int read_fd(int fd, const char *path, size_t size, size_t max,
		   char **buf, size_t *n, char *err, size_t errlen)
{
	size_t cap = size < max ? size + 1 : max + 1;
	char *b;

	if (cap < FIRST_CHUNK && max >= FIRST_CHUNK)
		cap = FIRST_CHUNK;
	if (!(b = malloc(cap + 1)))
		return RBL_ENOMEM;
	*n = 0;
	for (;;) {
		ssize_t got;

		if (*n == cap) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb;

			if (cap > max) {
				free(b);
				if (err && errlen)
					snprintf(err, errlen, "%s: larger than "
						 "%zu bytes", path, max);
				return RBL_ETOOBIG;
			}
			if (!(nb = realloc(b, ncap + 1))) {
				free(b);
				return RBL_ENOMEM;
			}
			b = nb;
			cap = ncap;
		}
		got = read(fd, b + *n, cap - *n);
		if (got == 0)
			break;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			free(b);
			return fail(err, errlen, path, *n, "read error: %s",
				    strerror(e));
		}
		*n += (size_t)got;
	}
	*buf = b;
	return RBL_OK;
}

/* The checks on a regular file once its end was read. */
static int check_regular(int fd, const char *path, const rbl_file_stamp *s,
			 size_t n, char *err, size_t errlen)
{
	struct stat st = { 0 };
	const char *diff;

	if (fstat(fd, &st) != 0)
		return fail(err, errlen, path, n, "fstat: %s", strerror(errno));
	diff = stamp_diff(s, &st);
	if (!diff && (uint64_t)n != s->size)
		diff = "did not hold the bytes it said";
	if (diff)
		return fail(err, errlen, path, n, "the file %s while being "
			    "read (%llu bytes when opened, %zu read, %llu "
			    "now): nothing of it is used", diff,
			    (unsigned long long)s->size, n,
			    (unsigned long long)st.st_size);
	return rbl_file_recheck(path, s, err, errlen);
}

/* The end of plain (not gzip) data: is it a proven end? */
static int check_end(const char *path, unsigned flags, rbl_read_result *r,
		     char *err, size_t errlen)
{
	bool newline = r->len > 0 && r->data[r->len - 1] == '\n';

	if (r->stream && r->len == 0)
		return fail(err, errlen, path, 0, "the stream ended before "
			    "any data: a pipe or FIFO must end with a newline "
			    "to show that it is complete");
	if (r->stream && !newline)
		return fail(err, errlen, path, r->len, "the stream ends in the "
			    "middle of a line: a pipe or FIFO must end with a "
			    "newline to show that it is complete");
	if (r->len > 0 && !newline && (flags & RBL_READ_NEWLINE))
		return fail(err, errlen, path, r->len, "the last line has no "
			    "newline: the file may be cut short (if it is "
			    "complete, end it with a newline)");
	r->open_end = r->len > 0 && !newline;
	return RBL_OK;
}

static int read_open(int fd, const char *path, unsigned flags, size_t max,
		     rbl_read_result *r, char *err, size_t errlen)
{
	struct stat st = { 0 };
	char *raw = NULL;
	size_t n = 0;
	int rc;

	if (fstat(fd, &st) != 0)
		return fail(err, errlen, path, 0, "fstat: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(err, errlen, path, 0, "is a directory, not a file");
	stamp_of(&st, &r->stamp);
	r->stream = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
	rc = read_fd(fd, path, r->stamp.regular ? (size_t)st.st_size : 0, max,
		     &raw, &n, err, errlen);
	if (rc != RBL_OK)
		return rc;	/* read_fd freed what it had */
	if (r->stamp.regular &&
	    (rc = check_regular(fd, path, &r->stamp, n, err, errlen))) {
		free(raw);
		return rc;
	}
	if ((flags & RBL_READ_GZIP) && n >= 2 &&
	    (unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b) {
		r->gzip = true;
		rc = rbl_gunzip(path, raw, n, max, &r->data, &r->len, err,
				errlen);
		free(raw);
		return rc;
	}
	raw[n] = '\0';
	r->data = raw;
	r->len = n;
	rc = check_end(path, flags, r, err, errlen);
	if (rc != RBL_OK) {
		free(r->data);
		r->data = NULL;
	}
	return rc;
}

int rbl_read_whole(const char *path, unsigned flags, size_t max,
		   rbl_read_result *out, char *err, size_t errlen)
{
	int fd, rc;

	memset(out, 0, sizeof *out);
	if (max > SIZE_MAX / 4)		/* room for the + 1s above */
		max = SIZE_MAX / 4;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return RBL_EIO;
	}
	rc = read_open(fd, path, flags, max, out, err, errlen);
	close(fd);
	if (rc != RBL_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

/* ------------------------------------------------------------ streams */

#define STREAM_PIECE	((size_t)1 << 20)

struct rbl_stream {
	int fd;
	char *path;
	unsigned flags;
	rbl_file_stamp stamp;
	bool gzip, open_end, done, z_open;
	uint64_t raw_off;		/* bytes read from the file this pass */
	unsigned char *raw;		/* file bytes (gzip input) */
	size_t raw_len, raw_pos;
	bool raw_eof;
	char *out;			/* what the caller gets */
	size_t out_cap;
	char last;			/* last byte handed out this pass */
	uint64_t handed;		/* bytes handed out this pass */
	z_stream zs;
};

const rbl_file_stamp *rbl_stream_stamp(const rbl_stream *s)
{
	return &s->stamp;
}

bool rbl_stream_gzip(const rbl_stream *s)
{
	return s->gzip;
}

bool rbl_stream_open_end(const rbl_stream *s)
{
	return s->open_end;
}

void rbl_stream_close(rbl_stream *s)
{
	if (!s)
		return;
	if (s->z_open)
		inflateEnd(&s->zs);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s->raw);
	free(s->out);
	free(s);
}

/* Read the next bytes of the file into BUF; *GOT 0 at its end. */
static int stream_raw(rbl_stream *s, void *buf, size_t cap, size_t *got,
		      char *err, size_t errlen)
{
	for (;;) {
		ssize_t n = read(s->fd, buf, cap);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(err, errlen, s->path, s->raw_off,
				    "read error: %s", strerror(errno));
		*got = (size_t)n;
		s->raw_off += (uint64_t)n;
		return RBL_OK;
	}
}

int rbl_stream_rewind(rbl_stream *s, char *err, size_t errlen)
{
	unsigned char magic[2] = { 0 };
	size_t got = 0;
	int rc = 0;

	if (lseek(s->fd, 0, SEEK_SET) != 0)
		return fail(err, errlen, s->path, 0, "seek: %s",
			    strerror(errno));
	s->raw_off = 0;
	s->raw_len = s->raw_pos = 0;
	s->raw_eof = s->done = s->open_end = false;
	s->handed = 0;
	s->last = '\n';
	if (s->z_open) {
		inflateEnd(&s->zs);
		s->z_open = false;
	}
	/* gzip or not: the first two bytes say */
	if ((s->flags & RBL_READ_GZIP) && s->stamp.size >= 2) {
		if ((rc = stream_raw(s, magic, 2, &got, err, errlen)) != RBL_OK)
			return rc;
		s->gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
		if (lseek(s->fd, 0, SEEK_SET) != 0)
			return fail(err, errlen, s->path, 0, "seek: %s",
				    strerror(errno));
		s->raw_off = 0;
	}
	if (s->gzip) {
		memset(&s->zs, 0, sizeof s->zs);
		if (inflateInit2(&s->zs, 15 + 16) != Z_OK)
			return RBL_ENOMEM;
		s->z_open = true;
	}
	return RBL_OK;
}

int rbl_stream_open(const char *path, unsigned flags, rbl_stream **out,
		    char *err, size_t errlen)
{
	rbl_stream *s = NULL;
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (!(s = calloc(1, sizeof *s)))
		return RBL_ENOMEM;
	s->fd = -1;
	s->flags = flags;
	if (!(s->path = strdup(path)) ||
	    !(s->out = malloc(STREAM_PIECE)) ||
	    !(s->raw = malloc(STREAM_PIECE))) {
		rbl_stream_close(s);
		return RBL_ENOMEM;
	}
	s->out_cap = STREAM_PIECE;
	/* a FIFO is not opened here: opening it takes the writer's data,
	 * which the caller reading it whole would then miss */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		rbl_stream_close(s);
		return RBL_EINVAL;
	}
	if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rbl_stream_close(s);
		return RBL_EIO;
	}
	if (fstat(s->fd, &st) != 0) {
		rc = fail(err, errlen, path, 0, "fstat: %s", strerror(errno));
		rbl_stream_close(s);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		rbl_stream_close(s);
		return RBL_EINVAL;
	}
	stamp_of(&st, &s->stamp);
	if ((rc = rbl_stream_rewind(s, err, errlen)) != RBL_OK) {
		rbl_stream_close(s);
		return rc;
	}
	*out = s;
	return RBL_OK;
}

/* The end of a pass: the file must be as it was when opened. */
static int stream_end(rbl_stream *s, char *err, size_t errlen)
{
	int rc = check_regular(s->fd, s->path, &s->stamp, (size_t)s->raw_off,
			       err, errlen);

	if (rc != RBL_OK)
		return rc;
	if (!s->gzip) {
		bool newline = s->handed == 0 || s->last == '\n';

		if (!newline && (s->flags & RBL_READ_NEWLINE))
			return fail(err, errlen, s->path, s->handed, "the "
				    "last line has no newline: the file may "
				    "be cut short (if it is complete, end it "
				    "with a newline)");
		s->open_end = !newline;
	}
	s->done = true;
	return RBL_OK;
}

/* Refill the gzip input; RBL_OK with raw_eof set at the file's end. */
static int gz_refill(rbl_stream *s, char *err, size_t errlen)
{
	size_t got = 0;
	int rc = 0;

	if (s->zs.avail_in || s->raw_eof)
		return RBL_OK;
	if ((rc = stream_raw(s, s->raw, STREAM_PIECE, &got, err, errlen)))
		return rc;
	s->raw_eof = got == 0;
	s->zs.next_in = s->raw;
	s->zs.avail_in = (uInt)got;
	return RBL_OK;
}

/* After a gzip member: nothing but zeros, or another member. */
static int gz_member_end(rbl_stream *s, char *err, size_t errlen, bool *more)
{
	*more = false;
	for (;;) {
		int rc = 0;

		while (s->zs.avail_in && s->zs.next_in[0] == 0) {
			s->zs.next_in++;
			s->zs.avail_in--;
		}
		if (s->zs.avail_in) {
			uint64_t at = s->raw_off - s->zs.avail_in;

			if (s->zs.next_in[0] != 0x1f)
				return fail(err, errlen, s->path, at, "what "
					    "follows the end of the gzip data "
					    "is not gzip data: the file is "
					    "damaged or a further part of it "
					    "was cut");
			*more = inflateReset(&s->zs) == Z_OK;
			return *more ? RBL_OK : RBL_ENOMEM;
		}
		if (s->raw_eof)
			return RBL_OK;
		if ((rc = gz_refill(s, err, errlen)) != RBL_OK)
			return rc;
	}
}

static int gz_read(rbl_stream *s, size_t *len, char *err, size_t errlen)
{
	*len = 0;
	while (*len == 0) {
		int ret = 0, rc = 0;
		bool more = false;

		if ((rc = gz_refill(s, err, errlen)) != RBL_OK)
			return rc;
		s->zs.next_out = (unsigned char *)s->out;
		s->zs.avail_out = (uInt)s->out_cap;
		ret = inflate(&s->zs, Z_NO_FLUSH);
		*len = s->out_cap - s->zs.avail_out;
		switch (ret) {
		case Z_STREAM_END:
			if ((rc = gz_member_end(s, err, errlen, &more)))
				return rc;
			if (!more && *len == 0)
				return stream_end(s, err, errlen);
			if (!more) {
				/* hand this out; the next call ends */
				s->raw_eof = true;
				s->zs.avail_in = 0;
				inflateEnd(&s->zs);
				s->z_open = false;
			}
			break;
		case Z_OK:
			break;
		case Z_BUF_ERROR:
			if (s->zs.avail_in == 0 && s->raw_eof)
				return fail(err, errlen, s->path, s->raw_off,
					    "the gzip data ends before its "
					    "trailer (%llu bytes unpacked so "
					    "far): the file is incomplete",
					    (unsigned long long)s->handed);
			break;
		case Z_MEM_ERROR:
			return RBL_ENOMEM;
		default:
			return fail(err, errlen, s->path,
				    s->raw_off - s->zs.avail_in, "corrupt gzip "
				    "data (%s)", s->zs.msg ? s->zs.msg :
				    "bad stream");
		}
	}
	return RBL_OK;
}

int rbl_stream_read(rbl_stream *s, const char **data, size_t *len,
		    char *err, size_t errlen)
{
	int rc = 0;

	*data = s->out;
	*len = 0;
	if (s->done)
		return RBL_OK;
	if (s->gzip && !s->z_open)	/* the last member was handed out */
		return stream_end(s, err, errlen);
	if (s->gzip)
		rc = gz_read(s, len, err, errlen);
	else if ((rc = stream_raw(s, s->out, s->out_cap, len, err,
				  errlen)) == RBL_OK && *len == 0)
		return stream_end(s, err, errlen);
	if (rc != RBL_OK || *len == 0)
		return rc;
	s->handed += *len;
	s->last = s->out[*len - 1];
	return RBL_OK;
}
