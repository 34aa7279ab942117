/*
 * qstats.c -- shared query counters (see qstats.h).
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

#include "zone/error.h"
#include "zone/qstats.h"

struct rbl_qstats {
	void *map;
	size_t size;
	char *path;		/* NULL for private memory */
	rbl_qstats_header *hdr;
	rbl_qstats_slot *slots;
};

_Static_assert(sizeof(rbl_qstats_slot) % 64 == 0, "slot must fill lines");
/* Version 1 readers and files: the slot must keep its size. */
_Static_assert(sizeof(rbl_qstats_slot) == 192, "slot is 3 cache lines");
_Static_assert(sizeof(rbl_qstats_header) == 64, "header is one line");

static size_t map_size(unsigned n_slots)
{
	return sizeof(rbl_qstats_header) +
	       (size_t)n_slots * sizeof(rbl_qstats_slot);
}

static void header_init(rbl_qstats_header *h, unsigned n_slots)
{
	h->magic = RBL_QSTATS_MAGIC;
	h->version = RBL_QSTATS_VERSION;
	h->n_slots = n_slots;
	h->slot_size = sizeof(rbl_qstats_slot);
	h->pid = (uint32_t)getpid();
	h->start_time = (int64_t)time(NULL);
}

/* Write a zeroed file with a complete header to TMP, then map it. */
static int file_map(const char *tmp, size_t size, unsigned n_slots,
		    void **map)
{
	rbl_qstats_header h = { 0 };
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return RBL_EIO;
	memset(&h, 0, sizeof(h));
	header_init(&h, n_slots);
	if (ftruncate(fd, (off_t)size) != 0 ||
	    pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		close(fd);
		return RBL_EIO;
	}
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return *map == MAP_FAILED ? RBL_EIO : RBL_OK;
}

static int file_create(rbl_qstats *qs, const char *path, unsigned n_slots)
{
	char tmp[4096];
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return RBL_EINVAL;
	rc = file_map(tmp, qs->size, n_slots, &qs->map);
	if (rc == RBL_OK && rename(tmp, path) != 0) {
		munmap(qs->map, qs->size);
		rc = RBL_EIO;
	}
	if (rc != RBL_OK) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		return rc;
	}
	qs->path = strdup(path);
	return qs->path ? RBL_OK : RBL_ENOMEM;
}

int rbl_qstats_create(const char *path, unsigned n_slots, rbl_qstats **out)
{
	rbl_qstats *qs;
	int rc = RBL_OK;

	if (n_slots == 0 || n_slots > RBL_QSTATS_MAX_SLOTS)
		return RBL_EINVAL;
	qs = calloc(1, sizeof(*qs));
	if (!qs)
		return RBL_ENOMEM;
	qs->size = map_size(n_slots);
	if (path) {
		rc = file_create(qs, path, n_slots);
	} else {
		qs->map = mmap(NULL, qs->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (qs->map == MAP_FAILED)
			rc = RBL_ENOMEM;
		else
			header_init(qs->map, n_slots);
	}
	if (rc != RBL_OK) {
		free(qs);
		return rc;
	}
	qs->hdr = qs->map;
	qs->slots = (rbl_qstats_slot *)((char *)qs->map + sizeof(*qs->hdr));
	*out = qs;
	return RBL_OK;
}

rbl_qstats_slot *rbl_qstats_slot_get(rbl_qstats *qs, unsigned i)
{
	return i < qs->hdr->n_slots ? &qs->slots[i] : NULL;
}

void rbl_qstats_close(rbl_qstats *qs, int unlink_file)
{
	if (!qs)
		return;
	munmap(qs->map, qs->size);
	if (qs->path && unlink_file)
		unlink(qs->path);
	free(qs->path);
	free(qs);
}

void rbl_qstats_add(rbl_qstats_slot *dst, const rbl_qstats_slot *src)
{
	const uint64_t *s = (const uint64_t *)src;
	uint64_t *d = (uint64_t *)dst;

	for (size_t i = 0; i < sizeof(*src) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

void rbl_qstats_sum(const rbl_qstats *qs, rbl_qstats_slot *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (uint32_t i = 0; i < qs->hdr->n_slots; i++)
		rbl_qstats_add(sum, &qs->slots[i]);
}

static int header_valid(const rbl_qstats_header *h, size_t file_size)
{
	return h->magic == RBL_QSTATS_MAGIC &&
	       h->version >= 1 && h->version <= RBL_QSTATS_VERSION &&
	       h->slot_size == sizeof(rbl_qstats_slot) &&
	       h->n_slots > 0 && h->n_slots <= RBL_QSTATS_MAX_SLOTS &&
	       map_size(h->n_slots) <= file_size;
}

int rbl_qstats_read(const char *path, rbl_qstats_header *hdr,
		    rbl_qstats_slot *sum)
{
	struct stat st = { 0 };
	const char *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = RBL_OK;

	if (fd < 0)
		return errno == ENOENT ? RBL_ENOTFOUND : RBL_EIO;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(*hdr)) {
		close(fd);
		return RBL_EVERSION;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return RBL_EIO;
	memcpy(hdr, map, sizeof(*hdr));
	memset(sum, 0, sizeof(*sum));
	if (!header_valid(hdr, (size_t)st.st_size))
		rc = RBL_EVERSION;
	for (uint32_t i = 0; rc == RBL_OK && i < hdr->n_slots; i++)
		rbl_qstats_add(sum, (const rbl_qstats_slot *)
			       (map + sizeof(*hdr)) + i);
	munmap((void *)map, (size_t)st.st_size);
	return rc;
}
