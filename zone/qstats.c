/*
 * qstats.c -- shared query counters (see qstats.h); the file itself is
 * a per-worker counter file (cfile.h).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "zone/cfile.h"
#include "zone/error.h"
#include "zone/qstats.h"

struct rbl_qstats {
	rbl_cfile cf;
	rbl_qstats_header *hdr;
	rbl_qstats_slot *slots;
};

_Static_assert(sizeof(rbl_qstats_slot) % 64 == 0, "slot must fill lines");
/* Version 1 readers and files: the slot must keep its size. */
_Static_assert(sizeof(rbl_qstats_slot) == 192, "slot is 3 cache lines");
RBL_CFILE_HEAD_CHECK(rbl_qstats_header, n_slots, slot_size);

static const rbl_cfile_kind kind = {
	.magic = RBL_QSTATS_MAGIC,
	.version = RBL_QSTATS_VERSION,
	.min_version = 1,
	.max_parts = RBL_QSTATS_MAX_SLOTS,
	.part_size = sizeof(rbl_qstats_slot),
};

int rbl_qstats_create(const char *path, unsigned n_slots, rbl_qstats **out)
{
	rbl_qstats *qs = calloc(1, sizeof(*qs));
	int rc;

	if (!qs)
		return RBL_ENOMEM;
	if ((rc = rbl_cfile_create(&qs->cf, path, &kind, n_slots)) != RBL_OK) {
		free(qs);
		return rc;
	}
	qs->hdr = qs->cf.map;
	qs->slots = rbl_cfile_part(&qs->cf, 0);
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
	rbl_cfile_close(&qs->cf, unlink_file);
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

static void slot_add(void *sum, const void *slot)
{
	rbl_qstats_add(sum, slot);
}

int rbl_qstats_read(const char *path, rbl_qstats_header *hdr,
		    rbl_qstats_slot *sum)
{
	memset(sum, 0, sizeof(*sum));
	return rbl_cfile_sum(path, &kind, hdr, slot_add, sum);
}
