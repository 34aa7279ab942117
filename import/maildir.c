/*
 * maildir.c -- messages from a Maildir (new/ and cur/) or a directory of
 * message files, in name order so reruns see the same sequence.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zone/error.h"
#include "import/mailsrc.h"

struct rbl_maildir {
	char **paths;
	size_t n, cap, next;
	size_t max;
	uint64_t total, pos;
	char *buf;
	size_t buf_cap;
};

static int add_path(rbl_maildir *md, const char *dir, const char *name,
		    uint64_t size)
{
	if (md->n == md->cap) {
		size_t cap = md->cap ? md->cap * 2 : 256;
		char **p = realloc(md->paths, cap * sizeof *p);
		if (!p)
			return RBL_ENOMEM;
		md->paths = p;
		md->cap = cap;
	}
	if (asprintf(&md->paths[md->n], "%s/%s", dir, name) < 0)
		return RBL_ENOMEM;
	md->n++;
	md->total += size;
	return RBL_OK;
}

/* Add the regular files of DIR.  A missing DIR adds nothing. */
static int scan_dir(rbl_maildir *md, const char *dir, bool must_exist)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat st = { 0 };
	char path[4096];
	int rc = RBL_OK;

	if (!d)
		return must_exist || errno != ENOENT ? RBL_EIO : RBL_OK;
	while (rc == RBL_OK && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = add_path(md, dir, e->d_name, (uint64_t)st.st_size);
	}
	closedir(d);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rbl_maildir_open(const char *dir, size_t max, rbl_maildir **out)
{
	rbl_maildir *md = calloc(1, sizeof *md);
	char sub[4096];
	struct stat st = { 0 };
	int rc;

	if (!md)
		return RBL_ENOMEM;
	md->max = max;
	snprintf(sub, sizeof sub, "%s/cur", dir);
	if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = scan_dir(md, sub, true);
		snprintf(sub, sizeof sub, "%s/new", dir);
		if (rc == RBL_OK)
			rc = scan_dir(md, sub, false);
	} else {
		rc = scan_dir(md, dir, true);
	}
	if (rc) {
		rbl_maildir_close(md);
		return rc;
	}
	qsort(md->paths, md->n, sizeof *md->paths, cmp_str);
	*out = md;
	return RBL_OK;
}

uint64_t rbl_maildir_bytes(const rbl_maildir *md)
{
	return md->total;
}

size_t rbl_maildir_count(const rbl_maildir *md)
{
	return md->n;
}

/* Read the file at PATH (at most MAX bytes) into the buffer. */
static void read_file(rbl_maildir *md, const char *path, rbl_mail *m)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st = { 0 };
	size_t got = 0;

	m->data = NULL;
	m->len = 0;
	if (fd < 0 || fstat(fd, &st) != 0)
		goto out;
	m->len = (size_t)st.st_size;
	if (m->len > md->max)
		goto out;
	if (m->len + 1 > md->buf_cap) {
		char *b = realloc(md->buf, m->len + 1);
		if (!b)
			goto out;
		md->buf = b;
		md->buf_cap = m->len + 1;
	}
	while (got < m->len) {
		ssize_t r = read(fd, md->buf + got, m->len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	m->len = got;
	m->data = md->buf;
out:
	if (fd >= 0)
		close(fd);
}

int rbl_maildir_next(rbl_maildir *md, rbl_mail *m)
{
	const char *path;

	if (md->next >= md->n)
		return 0;
	path = md->paths[md->next++];
	read_file(md, path, m);
	m->name = path;
	md->pos += m->len;
	return 1;
}

uint64_t rbl_maildir_pos(const rbl_maildir *md)
{
	return md->pos;
}

void rbl_maildir_close(rbl_maildir *md)
{
	if (!md)
		return;
	for (size_t i = 0; i < md->n; i++)
		free(md->paths[i]);
	free(md->paths);
	free(md->buf);
	free(md);
}
