/*
 * test_mailsrc.c -- import/mailsrc.h: a message is handed out as whole
 * only when it was read whole.  mbox: the last message of an input cut in
 * a line, of a file changed while read, and of a failed read carries an
 * error; those before it do not.  Maildir: a file that vanished or
 * changed since the listing carries an error, the others do not.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "import/mailsrc.h"

static char dir[] = "/tmp/test_mailsrc.XXXXXX";
static char path[8192];

#define MSG(n) "From a@b Tue Nov  3 10:00:00 2026\nSubject: " n "\n\nbody " n "\n\n"

static void put(const char *name, const char *text)
{
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	CHECK(f && fputs(text, f) >= 0);
	if (f)
		fclose(f);
}

/* Read every message of TEXT from a file; the errors of each, as
 * "ok ok cut@N" (N: error_at), into OUT. */
static void mbox_file(const char *text, char *out, size_t len)
{
	rbl_mbox *mb = NULL;
	rbl_mail m = { 0 };
	FILE *f;
	int r;

	put("mbox", text);
	out[0] = '\0';
	f = fopen(path, "rb");
	CHECK(f && rbl_mbox_open(f, 1 << 20, false, &mb) == RBL_OK);
	if (!mb) {
		if (f)
			fclose(f);
		return;
	}
	while ((r = rbl_mbox_next(mb, &m)) == 1) {
		size_t n = strlen(out);

		if (m.error)
			snprintf(out + n, len - n, "%scut@%llu/%llu",
				 n ? " " : "", (unsigned long long)m.error_at,
				 (unsigned long long)m.start);
		else
			snprintf(out + n, len - n, "%sok", n ? " " : "");
	}
	CHECK(r == 0);
	rbl_mbox_close(mb);
	fclose(f);
}

static void test_mbox(void)
{
	char out[256], want[64];
	size_t one = strlen(MSG("1")), two = 2 * one;

	mbox_file(MSG("1") MSG("2") MSG("3"), out, sizeof out);
	CHECK_STR(out, "ok ok ok");
	/* cut in the last message: the two before it are whole */
	mbox_file(MSG("1") MSG("2") "From a@b Tue Nov  3 10:00:00 2026\nSubj",
		  out, sizeof out);
	snprintf(want, sizeof want, "ok ok cut@%zu/%zu", two + 38, two);
	CHECK_STR(out, want);
	/* one message without a newline at the end */
	mbox_file("Subject: x\n\nbody", out, sizeof out);
	CHECK_STR(out, "cut@16/0");
	mbox_file("", out, sizeof out);
	CHECK_STR(out, "");
}

/* The file shrinks after the first message was handed out: the reader
 * has the rest in its block already, but the last one is not proven. */
static void test_mbox_changed(void)
{
	rbl_mbox *mb = NULL;
	rbl_mail m = { 0 };
	FILE *f;

	put("changed", MSG("1") MSG("2"));
	f = fopen(path, "rb");
	CHECK(f && rbl_mbox_open(f, 1 << 20, false, &mb) == RBL_OK);
	if (!mb) {
		if (f)
			fclose(f);
		return;
	}
	CHECK(rbl_mbox_next(mb, &m) == 1 && !m.error);
	CHECK(truncate(path, 10) == 0);
	CHECK(rbl_mbox_next(mb, &m) == 1 && m.error &&
	      strstr(m.error, "changed") != NULL);
	CHECK(rbl_mbox_next(mb, &m) == 0);
	rbl_mbox_close(mb);
	fclose(f);
}

/* A read error (a directory read as a stream fails with EISDIR) ends
 * the input with an error, also when nothing was read. */
static void test_mbox_read_error(void)
{
	rbl_mbox *mb = NULL;
	rbl_mail m = { 0 };
	FILE *f = fopen(dir, "r");

	CHECK(f && rbl_mbox_open(f, 1 << 20, false, &mb) == RBL_OK);
	if (!mb) {
		if (f)
			fclose(f);
		return;
	}
	CHECK(rbl_mbox_next(mb, &m) == 1 && m.error &&
	      strstr(m.error, "read error") && m.error_at == 0);
	CHECK(rbl_mbox_next(mb, &m) == 0);
	rbl_mbox_close(mb);
	fclose(f);
}

static void test_maildir(void)
{
	char md[4200], sub[4300];
	rbl_maildir *d = NULL;
	rbl_mail m = { 0 };

	snprintf(md, sizeof md, "%s/md", dir);
	CHECK(mkdir(md, 0700) == 0);
	snprintf(sub, sizeof sub, "%s/new", md);
	CHECK(mkdir(sub, 0700) == 0);
	snprintf(sub, sizeof sub, "%s/cur", md);
	CHECK(mkdir(sub, 0700) == 0);
	put("md/cur/1", "Subject: 1\n\none\n");
	put("md/cur/2", "Subject: 2\n\ntwo\n");
	put("md/cur/3", "Subject: 3\n\nthree\n");
	put("md/new/4", "Subject: 4\n\nfour\n");
	CHECK(rbl_maildir_open(md, 1 << 20, &d) == RBL_OK);
	if (!d)
		return;
	CHECK(rbl_maildir_count(d) == 4);
	/* after the listing: 2 vanishes (moved by a mail client), 3 is
	 * rewritten shorter */
	snprintf(path, sizeof path, "%s/cur/2", md);
	CHECK(unlink(path) == 0);
	put("md/cur/3", "Subject: 3\n");
	CHECK(rbl_maildir_next(d, &m) == 1 && !m.error && m.data &&
	      m.len == 16 && strstr(m.name, "cur/1"));
	CHECK(rbl_maildir_next(d, &m) == 1 && m.error && !m.data &&
	      strstr(m.error, "vanished") && strstr(m.name, "cur/2"));
	CHECK(rbl_maildir_next(d, &m) == 1 && m.error && !m.data &&
	      strstr(m.error, "changed") && strstr(m.name, "cur/3"));
	CHECK(rbl_maildir_next(d, &m) == 1 && !m.error && m.data &&
	      strstr(m.name, "new/4"));
	CHECK(rbl_maildir_next(d, &m) == 0);
	rbl_maildir_close(d);
}

int main(void)
{
	char cmd[4200];

	if (!mkdtemp(dir))
		return 1;
	test_mbox();
	test_mbox_changed();
	test_mbox_read_error();
	test_maildir();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return check_done();
}
