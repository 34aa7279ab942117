/*
 * cfile.c -- per-worker counter files (see cfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zone/cfile.h"
#include "zone/error.h"

_Static_assert(sizeof(rbl_cfile_head) <= RBL_CFILE_HDR_SIZE,
	       "the common head fits the header");

static size_t map_size(const rbl_cfile_kind *k, unsigned n)
{
	return RBL_CFILE_HDR_SIZE + (size_t)n * k->part_size;
}

/* HDR (RBL_CFILE_HDR_SIZE bytes): zeroed, then the common head. */
static void header_init(void *hdr, const rbl_cfile_kind *k, unsigned n)
{
	rbl_cfile_head h = {
		.magic = k->magic,
		.version = k->version,
		.n_parts = n,
		.part_size = (uint32_t)k->part_size,
		.pid = (uint32_t)getpid(),
		.start_time = (int64_t)time(NULL),
	};

	memset(hdr, 0, RBL_CFILE_HDR_SIZE);
	memcpy(hdr, &h, sizeof h);
}

/* Write a zeroed file with a complete header to TMP, then map it. */
static int file_map(const char *tmp, size_t size, const rbl_cfile_kind *k,
		    unsigned n, void **map)
{
	unsigned char h[RBL_CFILE_HDR_SIZE] = { 0 };
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return RBL_EIO;
	header_init(h, k, n);
	if (ftruncate(fd, (off_t)size) != 0 ||
	    pwrite(fd, h, sizeof h, 0) != (ssize_t)sizeof h) {
		close(fd);
		return RBL_EIO;
	}
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return *map == MAP_FAILED ? RBL_EIO : RBL_OK;
}

static int file_create(rbl_cfile *cf, const char *path,
		       const rbl_cfile_kind *k, unsigned n)
{
	char tmp[4096];
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return RBL_EINVAL;
	rc = file_map(tmp, cf->size, k, n, &cf->map);
	if (rc == RBL_OK && rename(tmp, path) != 0) {
		munmap(cf->map, cf->size);
		rc = RBL_EIO;
	}
	if (rc != RBL_OK) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		return rc;
	}
	cf->path = strdup(path);
	if (!cf->path) {
		munmap(cf->map, cf->size);
		return RBL_ENOMEM;
	}
	return RBL_OK;
}

int rbl_cfile_create(rbl_cfile *cf, const char *path,
		     const rbl_cfile_kind *kind, unsigned n)
{
	int rc = RBL_OK;

	memset(cf, 0, sizeof *cf);
	if (n == 0 || n > kind->max_parts)
		return RBL_EINVAL;
	cf->size = map_size(kind, n);
	if (path)
		return file_create(cf, path, kind, n);
	cf->map = mmap(NULL, cf->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cf->map == MAP_FAILED)
		rc = RBL_ENOMEM;
	else
		header_init(cf->map, kind, n);
	return rc;
}

void *rbl_cfile_part(const rbl_cfile *cf, unsigned i)
{
	const rbl_cfile_head *h = cf->map;

	return (char *)cf->map + RBL_CFILE_HDR_SIZE + (size_t)i * h->part_size;
}

void rbl_cfile_close(rbl_cfile *cf, int unlink_file)
{
	munmap(cf->map, cf->size);
	if (cf->path && unlink_file)
		unlink(cf->path);
	free(cf->path);
	memset(cf, 0, sizeof *cf);
}

static int head_valid(const rbl_cfile_head *h, const rbl_cfile_kind *k,
		      size_t file_size)
{
	return h->magic == k->magic &&
	       h->version >= k->min_version && h->version <= k->version &&
	       h->part_size == k->part_size &&
	       h->n_parts > 0 && h->n_parts <= k->max_parts &&
	       map_size(k, h->n_parts) <= file_size;
}

int rbl_cfile_view_open(const char *path, const rbl_cfile_kind *kind,
			void *hdr, rbl_cfile_view *v)
{
	struct stat st = { 0 };
	rbl_cfile_head h = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(v, 0, sizeof *v);
	if (fd < 0)
		return errno == ENOENT ? RBL_ENOTFOUND : RBL_EIO;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < RBL_CFILE_HDR_SIZE) {
		close(fd);
		return RBL_EVERSION;
	}
	v->size = (size_t)st.st_size;
	v->map = mmap(NULL, v->size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (v->map == MAP_FAILED) {
		memset(v, 0, sizeof *v);
		return RBL_EIO;
	}
	memcpy(hdr, v->map, RBL_CFILE_HDR_SIZE);
	memcpy(&h, v->map, sizeof h);
	if (!head_valid(&h, kind, v->size)) {
		rbl_cfile_view_close(v);
		return RBL_EVERSION;
	}
	v->parts = v->map + RBL_CFILE_HDR_SIZE;
	v->n_parts = h.n_parts;
	return RBL_OK;
}

void rbl_cfile_view_close(rbl_cfile_view *v)
{
	if (v->map)
		munmap((void *)v->map, v->size);
	memset(v, 0, sizeof *v);
}

int rbl_cfile_sum(const char *path, const rbl_cfile_kind *kind, void *hdr,
		  void (*add)(void *sum, const void *part), void *sum)
{
	rbl_cfile_view v = { 0 };
	int rc = rbl_cfile_view_open(path, kind, hdr, &v);

	if (rc != RBL_OK)
		return rc;
	for (uint32_t i = 0; i < v.n_parts; i++)
		add(sum, v.parts + (size_t)i * kind->part_size);
	rbl_cfile_view_close(&v);
	return RBL_OK;
}
