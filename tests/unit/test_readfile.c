/*
 * test_readfile.c -- zone/readfile.h: a file is read whole and proven
 * complete, or refused with "path: byte N: ...".  Every cut of a gzip
 * file is refused; trailers, members, streams and changes are checked.
 * The same for a file read in pieces (rbl_stream): the content comes out
 * whole in each pass, and every incomplete file fails at its end.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "zone/readfile.h"

static char dir[] = "/tmp/test_readfile.XXXXXX";
static char path[4096], err[512];

static void put(const char *name, const void *data, size_t len)
{
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	CHECK(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
}

/* TEXT gzipped into *OUT (malloc'ed). */
static size_t gz(const char *text, unsigned char **out)
{
	z_stream zs;
	size_t cap = strlen(text) + 256;

	memset(&zs, 0, sizeof zs);
	*out = malloc(cap);
	CHECK(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8,
			   Z_DEFAULT_STRATEGY) == Z_OK);
	zs.next_in = (unsigned char *)text;
	zs.avail_in = (uInt)strlen(text);
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static int rd(const char *name, unsigned flags, rbl_read_result *r)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	err[0] = '\0';
	return rbl_read_whole(path, flags, 1 << 20, r, err, sizeof err);
}

/* ERR names the file and "byte AT". */
static int says(const char *name, long at)
{
	char want[256];

	snprintf(want, sizeof want, "%s: byte %ld: ", name, at);
	if (strstr(err, want))
		return 1;
	fprintf(stderr, "  message: %s (want \"%s\")\n", err, want);
	return 0;
}

static void test_plain(void)
{
	rbl_read_result r;

	put("ok", "a\nb\n", 4);
	CHECK_RC(rd("ok", RBL_READ_GZIP | RBL_READ_NEWLINE, &r), RBL_OK);
	CHECK(r.len == 4 && memcmp(r.data, "a\nb\n", 5) == 0);
	CHECK(r.stamp.regular && !r.gzip && !r.open_end);
	free(r.data);
	put("nonl", "a\nb", 3);
	CHECK_RC(rd("nonl", 0, &r), RBL_OK);
	CHECK(r.open_end && r.len == 3);
	free(r.data);
	CHECK_RC(rd("nonl", RBL_READ_NEWLINE, &r), RBL_EIO);
	CHECK(says("nonl", 3) && strstr(err, "no newline"));
	CHECK(r.data == NULL);
	put("empty", "", 0);
	CHECK_RC(rd("empty", RBL_READ_NEWLINE, &r), RBL_OK);
	CHECK(r.len == 0 && r.data && r.data[0] == '\0');
	free(r.data);
	CHECK_RC(rd("missing", 0, &r), RBL_EIO);
	CHECK(strstr(err, "No such file") != NULL);
	CHECK_RC(rd(".", 0, &r), RBL_EIO);
	CHECK(says(".", 0) && strstr(err, "directory"));
	/* a single 1f is not gzip: plain data */
	put("one", "\x1f", 1);
	CHECK_RC(rd("one", RBL_READ_GZIP, &r), RBL_OK);
	CHECK(!r.gzip && r.len == 1);
	free(r.data);
	/* the limit */
	{
		char *big = malloc((1 << 20) + 2);

		memset(big, 'x', (1 << 20) + 1);
		big[1 << 20] = '\n';
		put("big", big, (1 << 20) + 1);
		CHECK_RC(rd("big", 0, &r), RBL_ETOOBIG);
		put("big", big, 1 << 20);
		CHECK_RC(rd("big", 0, &r), RBL_OK);
		free(r.data);
		free(big);
	}
}

static void test_gzip(void)
{
	const char *text = "10.0.0.1\n10.0.0.2 :3:three\n10.0.0.3\n";
	unsigned char *z, *two;
	size_t n = gz(text, &z), cuts = 0, refused = 0;
	rbl_read_result r;

	put("ok.gz", z, n);
	CHECK_RC(rd("ok.gz", RBL_READ_GZIP | RBL_READ_NEWLINE, &r), RBL_OK);
	CHECK(r.gzip && r.len == strlen(text) && strcmp(r.data, text) == 0);
	free(r.data);
	/* without the flag, gzip data is just bytes */
	CHECK_RC(rd("ok.gz", 0, &r), RBL_OK);
	CHECK(!r.gzip && r.len == n);
	free(r.data);
	/* every cut from 2 bytes on is refused, with its offset */
	for (size_t len = 2; len < n; len++) {
		put("cut.gz", z, len);
		cuts++;
		if (rd("cut.gz", RBL_READ_GZIP, &r) == RBL_EIO &&
		    says("cut.gz", (long)len))
			refused++;
	}
	CHECK(refused == cuts);
	/* a bad CRC and a bad length */
	z[n - 6] ^= 1;
	put("crc.gz", z, n);
	CHECK_RC(rd("crc.gz", RBL_READ_GZIP, &r), RBL_EIO);
	CHECK(strstr(err, "corrupt") != NULL);
	z[n - 6] ^= 1;
	z[n - 2] ^= 1;
	put("len.gz", z, n);
	CHECK_RC(rd("len.gz", RBL_READ_GZIP, &r), RBL_EIO);
	z[n - 2] ^= 1;
	/* two members are one file; a cut second one is refused; zeros
	 * after the last member are padding, anything else is not */
	two = malloc(2 * n + 4);
	memcpy(two, z, n);
	memcpy(two + n, z, n);
	put("two.gz", two, 2 * n);
	CHECK_RC(rd("two.gz", RBL_READ_GZIP, &r), RBL_OK);
	CHECK(r.len == 2 * strlen(text));
	free(r.data);
	put("twocut.gz", two, 2 * n - 1);
	CHECK_RC(rd("twocut.gz", RBL_READ_GZIP, &r), RBL_EIO);
	CHECK(says("twocut.gz", (long)(2 * n - 1)));
	memset(two + n, 0, 4);
	put("pad.gz", two, n + 4);
	CHECK_RC(rd("pad.gz", RBL_READ_GZIP, &r), RBL_OK);
	free(r.data);
	two[n + 2] = 'x';
	put("junk.gz", two, n + 4);
	CHECK_RC(rd("junk.gz", RBL_READ_GZIP, &r), RBL_EIO);
	CHECK(says("junk.gz", (long)n));
	two[n] = 0x1f;
	put("junk1f.gz", two, n + 1);
	CHECK_RC(rd("junk1f.gz", RBL_READ_GZIP, &r), RBL_EIO);
	free(two);
	free(z);
	/* a gzip bomb stops at the limit */
	{
		char *zeros = calloc(1, (2 << 20) + 1);

		memset(zeros, '\n', 2 << 20);
		n = gz(zeros, &z);
		put("bomb.gz", z, n);
		CHECK_RC(rd("bomb.gz", RBL_READ_GZIP, &r), RBL_ETOOBIG);
		free(z);
		free(zeros);
	}
}

/* Read NAME, a FIFO a child writes LEN bytes of DATA into. */
static int from_fifo(const char *name, const void *data, size_t len,
		     rbl_read_result *r)
{
	pid_t pid;
	int rc, status;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	CHECK(mkfifo(path, 0600) == 0);
	pid = fork();
	if (pid == 0) {
		FILE *f = fopen(path, "wb");

		_exit(f && fwrite(data, 1, len, f) == len && fclose(f) == 0 ?
		      0 : 1);
	}
	rc = rd(name, RBL_READ_GZIP, r);
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	return rc;
}

static void test_streams(void)
{
	rbl_read_result r;
	unsigned char *z;
	size_t n;

	CHECK_RC(from_fifo("f1", "a\nb\n", 4, &r), RBL_OK);
	CHECK(r.stream && !r.stamp.regular && r.len == 4);
	free(r.data);
	CHECK_RC(from_fifo("f2", "a\nb", 3, &r), RBL_EIO);
	CHECK(says("f2", 3) && strstr(err, "middle of a line"));
	CHECK_RC(from_fifo("f3", "", 0, &r), RBL_EIO);
	CHECK(says("f3", 0));
	/* gzip through a pipe: the trailer proves it, newline or not */
	n = gz("a\nb", &z);
	CHECK_RC(from_fifo("f4", z, n, &r), RBL_OK);
	CHECK(r.gzip && r.len == 3);
	free(r.data);
	CHECK_RC(from_fifo("f5", z, n - 1, &r), RBL_EIO);
	CHECK(says("f5", (long)n - 1));
	free(z);
	/* a device is taken as it reads: /dev/null is an empty input */
	err[0] = '\0';
	CHECK_RC(rbl_read_whole("/dev/null", RBL_READ_NEWLINE, 1 << 20, &r,
				err, sizeof err), RBL_OK);
	CHECK(r.len == 0 && !r.stream && !r.stamp.regular);
	free(r.data);
}

static void test_changes(void)
{
	rbl_read_result r;
	char moved[4200];

	put("a", "1\n2\n", 4);
	CHECK_RC(rd("a", 0, &r), RBL_OK);
	free(r.data);
	CHECK_RC(rbl_file_recheck(path, &r.stamp, err, sizeof err), RBL_OK);
	put("a", "1\n", 2);
	CHECK_RC(rbl_file_recheck(path, &r.stamp, err, sizeof err), RBL_EIO);
	CHECK(says("a", 4) && strstr(err, "changed size"));
	/* the same size, another mtime */
	put("a", "1\n2\n", 4);
	CHECK_RC(rd("a", 0, &r), RBL_OK);
	free(r.data);
	{
		struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

		CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	}
	CHECK_RC(rbl_file_recheck(path, &r.stamp, err, sizeof err), RBL_EIO);
	CHECK(strstr(err, "modified") != NULL);
	/* replaced by rename, removed */
	CHECK_RC(rd("a", 0, &r), RBL_OK);
	free(r.data);
	snprintf(moved, sizeof moved, "%s/b", dir);
	put("b", "1\n2\n", 4);
	snprintf(path, sizeof path, "%s/a", dir);
	CHECK(rename(moved, path) == 0);
	CHECK_RC(rbl_file_recheck(path, &r.stamp, err, sizeof err), RBL_EIO);
	CHECK(strstr(err, "replaced") != NULL);
	unlink(path);
	CHECK_RC(rbl_file_recheck(path, &r.stamp, err, sizeof err), RBL_EIO);
	CHECK(strstr(err, "removed") != NULL);
}

/* Read NAME through a stream, NPASS passes: the content of the last pass
 * to *OUT (malloc'ed).  Returns the first error. */
static int stream_all(const char *name, unsigned flags, int npass,
		      char **out, size_t *n)
{
	rbl_stream *st = NULL;
	int rc = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	err[0] = '\0';
	*out = NULL;
	*n = 0;
	if ((rc = rbl_stream_open(path, flags, &st, err, sizeof err)))
		return rc;
	for (int pass = 0; rc == RBL_OK && pass < npass; pass++) {
		const char *d = NULL;
		size_t len = 0;

		if (pass && (rc = rbl_stream_rewind(st, err, sizeof err)))
			break;
		free(*out);
		*out = NULL;
		*n = 0;
		while ((rc = rbl_stream_read(st, &d, &len, err, sizeof err)) ==
		       RBL_OK && len) {
			*out = realloc(*out, *n + len + 1);
			memcpy(*out + *n, d, len);
			*n += len;
			(*out)[*n] = '\0';
		}
	}
	rbl_stream_close(st);
	return rc;
}

static void test_stream(void)
{
	const char *text = "10.0.0.1\n10.0.0.2 :3:three\n10.0.0.3\n";
	unsigned char *z = NULL, *two = NULL;
	size_t n = gz(text, &z), got = 0, cuts = 0, refused = 0;
	char *big = NULL, *out = NULL;
	size_t bigsz = (size_t)3 << 20;	/* several pieces */

	put("s.txt", text, strlen(text));
	CHECK_RC(stream_all("s.txt", RBL_READ_GZIP | RBL_READ_NEWLINE, 2,
			    &out, &got), RBL_OK);
	CHECK(out && got == strlen(text) && !strcmp(out, text));
	free(out);
	put("s.gz", z, n);
	CHECK_RC(stream_all("s.gz", RBL_READ_GZIP, 2, &out, &got), RBL_OK);
	CHECK(out && got == strlen(text) && !strcmp(out, text));
	free(out);
	/* two members, then zero padding */
	two = malloc(2 * n + 8);
	memcpy(two, z, n);
	memcpy(two + n, z, n);
	memset(two + 2 * n, 0, 8);
	put("two.gz", two, 2 * n + 8);
	CHECK_RC(stream_all("two.gz", RBL_READ_GZIP, 1, &out, &got), RBL_OK);
	CHECK(got == 2 * strlen(text));
	free(out);
	/* every cut of a gzip file is refused at its end */
	for (size_t len = 2; len < n; len++) {
		put("cut.gz", z, len);
		cuts++;
		if (stream_all("cut.gz", RBL_READ_GZIP, 1, &out, &got) ==
		    RBL_EIO && strstr(err, "cut.gz: byte "))
			refused++;
		free(out);
	}
	CHECK(refused == cuts);
	/* garbage after the gzip data */
	memcpy(two + n, "junk", 4);
	put("junk.gz", two, n + 4);
	CHECK_RC(stream_all("junk.gz", RBL_READ_GZIP, 1, &out, &got), RBL_EIO);
	CHECK(strstr(err, "not gzip data") != NULL);
	free(out);
	/* no final newline: refused only with RBL_READ_NEWLINE */
	put("nonl", "1\n2", 3);
	CHECK_RC(stream_all("nonl", RBL_READ_NEWLINE, 1, &out, &got), RBL_EIO);
	CHECK(says("nonl", 3));
	free(out);
	{
		rbl_stream *st = NULL;
		const char *d = NULL;
		size_t len = 0;

		CHECK_RC(rbl_stream_open(path, 0, &st, err, sizeof err), RBL_OK);
		while (rbl_stream_read(st, &d, &len, err, sizeof err) ==
		       RBL_OK && len)
			;
		CHECK(rbl_stream_open_end(st));
		rbl_stream_close(st);
	}
	/* a big file in pieces, twice */
	big = malloc(bigsz);
	for (size_t i = 0; i < bigsz; i++)
		big[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	put("big", big, bigsz);
	CHECK_RC(stream_all("big", RBL_READ_NEWLINE, 2, &out, &got), RBL_OK);
	CHECK(got == bigsz && out && !memcmp(out, big, bigsz));
	free(out);
	/* a file that changes between the passes fails the second */
	{
		rbl_stream *st = NULL;
		const char *d = NULL;
		size_t len = 0;
		int rc = 0;

		CHECK_RC(rbl_stream_open(path, 0, &st, err, sizeof err), RBL_OK);
		while ((rc = rbl_stream_read(st, &d, &len, err, sizeof err)) ==
		       RBL_OK && len)
			;
		CHECK_RC(rc, RBL_OK);
		put("big", big, bigsz / 2);
		CHECK_RC(rbl_stream_rewind(st, err, sizeof err), RBL_OK);
		while ((rc = rbl_stream_read(st, &d, &len, err, sizeof err)) ==
		       RBL_OK && len)
			;
		CHECK_RC(rc, RBL_EIO);
		CHECK(strstr(err, "while being read") != NULL);
		rbl_stream_close(st);
	}
	/* not a regular file: RBL_EINVAL, read it whole instead */
	snprintf(path, sizeof path, "%s", dir);
	{
		rbl_stream *st = NULL;

		CHECK_RC(rbl_stream_open(dir, 0, &st, err, sizeof err),
			 RBL_EINVAL);
		CHECK(st == NULL);
	}
	free(big);
	free(two);
	free(z);
}

int main(void)
{
	char cmd[4200];

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 1;
	test_plain();
	test_gzip();
	test_streams();
	test_changes();
	test_stream();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return check_done();
}
