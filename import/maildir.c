/*
 * maildir.c -- messages from a Maildir (new/ and cur/) or a directory of
 * message files, in name order so reruns see the same sequence.
 *
 * Each file is one message, imported only when read whole: it must still
 * be there, keep the size it was listed with, and keep its size and
 * modification time while it is read (a Maildir file never changes once
 * delivered; a plain directory may hold one still being written).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zone/array.h"
#include "zone/error.h"
#include "mailsrc.h"

typedef struct md_file {
	char *path;
	uint64_t size;		/* when the directory was listed */
} md_file;

struct rbl_maildir {
	md_file *files;
	size_t n, cap, next;
	size_t max;
	uint64_t total, pos;
	char *buf;
	size_t buf_cap;
	char why[160];		/* what made the last message incomplete */
};

static int add_path(rbl_maildir *md, const char *dir, const char *name,
		    uint64_t size)
{
	if (rbl_array_reserve(md->files, md->cap, md->n + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	if (asprintf(&md->files[md->n].path, "%s/%s", dir, name) < 0)
		return RBL_ENOMEM;
	md->files[md->n].size = size;
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

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const md_file *)a)->path, ((const md_file *)b)->path);
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
	qsort(md->files, md->n, sizeof *md->files, cmp_path);
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

static bool buf_room(rbl_maildir *md, size_t need)
{
	char *b = NULL;

	if (need <= md->buf_cap)
		return true;
	if (!(b = realloc(md->buf, need)))
		return false;
	md->buf = b;
	md->buf_cap = need;
	return true;
}

/* Read FD to its end (one byte more than SIZE says: a file that grows is
 * not complete either) into the buffer; *GOT bytes.  NULL, or why not. */
static const char *read_to_end(rbl_maildir *md, int fd, size_t size,
			       size_t *got)
{
	*got = 0;
	if (!buf_room(md, size + 2))
		return "out of memory";
	for (;;) {
		ssize_t r = read(fd, md->buf + *got, size + 1 - *got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(md->why, sizeof md->why, "read error: %s",
				 strerror(errno));
			return md->why;
		}
		if (r == 0)
			return NULL;
		*got += (size_t)r;
		if (*got > size)
			return "the file grew while being read";
	}
}

/* Why file F, open as FD with status ST, cannot be taken whole (NULL when
 * it can); the message goes to M. */
static const char *read_message(rbl_maildir *md, const md_file *f, int fd,
				const struct stat *st, rbl_mail *m)
{
	struct stat after = { 0 };
	const char *why;
	size_t got = 0;

	if (!S_ISREG(st->st_mode))
		return "not a regular file any more";
	if ((uint64_t)st->st_size != f->size) {
		snprintf(md->why, sizeof md->why, "the file changed since the "
			 "directory was listed (%llu bytes then, %lld now)",
			 (unsigned long long)f->size, (long long)st->st_size);
		return md->why;
	}
	m->len = (size_t)st->st_size;
	if (m->len > md->max)
		return NULL;	/* too big: skipped by the caller, unread */
	if ((why = read_to_end(md, fd, m->len, &got))) {
		m->error_at = got;
		return why;
	}
	m->error_at = got;
	if (fstat(fd, &after) != 0 || after.st_size != st->st_size ||
	    after.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != st->st_mtim.tv_nsec || got != m->len)
		return "the file changed while being read";
	md->buf[got] = '\0';
	m->data = md->buf;
	return NULL;
}

int rbl_maildir_next(rbl_maildir *md, rbl_mail *m)
{
	const md_file *f;
	struct stat st = { 0 };
	int fd;

	if (md->next >= md->n)
		return 0;
	f = &md->files[md->next++];
	memset(m, 0, sizeof *m);
	m->name = f->path;
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		m->error = "vanished before it could be read (moved or deleted)";
	} else if (fd < 0) {
		snprintf(md->why, sizeof md->why, "cannot be opened: %s",
			 strerror(errno));
		m->error = md->why;
	} else if (fstat(fd, &st) != 0) {
		snprintf(md->why, sizeof md->why, "fstat: %s", strerror(errno));
		m->error = md->why;
	} else {
		m->error = read_message(md, f, fd, &st, m);
	}
	if (fd >= 0)
		close(fd);
	if (m->error)
		m->data = NULL;
	md->pos += f->size;
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
		free(md->files[i].path);
	free(md->files);
	free(md->buf);
	free(md);
}
