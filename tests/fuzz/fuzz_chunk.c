/*
 * fuzz_chunk.c -- libFuzzer target: the IP chunk decoder of the store
 * (zone/store/store_chunk.h), which reads values from the memory map.
 * The first byte picks the family (odd: IPv6), the rest is a chunk.  A
 * chunk that opens is read everywhere a lookup or a walk would read it
 * (IPv4: the 32-bit starts and covering test must agree with the bytes);
 * one that also verifies must find what a scan finds, and is loaded into
 * a working chunk and encoded again, which must give back a chunk that
 * verifies and holds the same records.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/store/store_chunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32_of(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* IPv4: record I's start as the lookup's 32-bit path reads it must be
 * the base and record bytes as laid out (read byte by byte here), and
 * its covering test must agree with the byte-wise one. */
static void check_v4(const rbl_ck *c, unsigned i, const uint8_t *probe,
		     unsigned len)
{
	uint8_t b[4] = { 0 };
	uint32_t s4 = 0;

	if (c->alen != 4)
		return;
	memcpy(b, c->p + RBL_CK_HDR, c->skip);
	memcpy(b + c->skip, c->p + c->rec + (size_t)i * c->stride, c->rb);
	s4 = rbl_ck_start4(c, i);
	if (s4 != be32_of(b) ||
	    rbl_ck_covers4(s4, len, be32_of(probe)) !=
		    rbl_ck_covers(b, len, probe, 4))
		abort();
}

static void read_all(const rbl_ck *c, const uint8_t *probe)
{
	uint8_t s[16];
	rbl_ck_attr a;

	for (unsigned i = 0; i < c->n_rec; i++) {
		const uint8_t *items = NULL;
		unsigned n = 0;

		rbl_ck_start(c, i, s);
		check_v4(c, i, probe, probe[i % 16] % 48);
		if (rbl_ck_chain(c, rbl_ck_chain_of(c, i), &items, &n) != RBL_OK)
			continue;
		for (unsigned k = 0; k < n; k++) {
			uint32_t flags;
			int64_t expires;
			unsigned ai = rbl_ck_item_attr(c, items, k);

			(void)rbl_ck_covers(s, rbl_ck_item_len(c, items, k) &
					    127, probe, c->alen);
			(void)rbl_ck_attr_peek(c, ai, &flags, &expires);
			(void)rbl_ck_attr_get(c, ai, i, &a);
			(void)rbl_ck_attr_answer(c, ai, i, &a);
		}
	}
	(void)rbl_ck_find(c, probe);
}

/* A verified chunk's records ascend: rbl_ck_find (interpolating, and
 * for IPv4 in 32-bit arithmetic) must give what a scan gives. */
static void find_by_scan(const rbl_ck *c, const uint8_t *probe)
{
	uint8_t s[16];
	int at = -1;

	for (unsigned i = 0; i < c->n_rec; i++) {
		rbl_ck_start(c, i, s);
		if (memcmp(s, probe, c->alen) <= 0)
			at = (int)i;
	}
	if (rbl_ck_find(c, probe) != at)
		abort();
}

static void reencode(const rbl_ck *c, uint8_t family)
{
	static uint8_t buf[RBL_CK_LIMIT];
	rbl_ckw w;
	rbl_ck again;
	size_t n;

	rbl_ckw_init(&w, family);
	if (rbl_ckw_load(&w, c) == RBL_OK && w.n_rec &&
	    (n = rbl_ckw_encode(&w, 0, w.n_rec, buf)) != 0) {
		if (rbl_ck_open(&again, family, buf, n) != RBL_OK ||
		    rbl_ck_verify(&again) != RBL_OK ||
		    again.n_rec != c->n_rec)
			abort();
	}
	rbl_ckw_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t family, probe[16] = { 0 };
	rbl_ck c;

	if (size < 1)
		return 0;
	family = data[0] & 1 ? 6 : 4;
	memcpy(probe, data + 1, size - 1 < 16 ? size - 1 : 16);
	if (rbl_ck_open(&c, family, data + 1, size - 1) != RBL_OK)
		return 0;
	read_all(&c, probe);
	if (rbl_ck_verify(&c) == RBL_OK) {
		find_by_scan(&c, probe);
		reencode(&c, family);
	}
	return 0;
}
