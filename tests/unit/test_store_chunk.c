/*
 * test_store_chunk.c -- the byte layout of IP chunks (store_chunk.h):
 * prefix arithmetic; records, chains and attributes built in memory,
 * cut into pieces of at most RBL_CK_MAX bytes, encoded, read back in
 * place and found (by interpolation and halving, checked against a
 * scan for starts spread evenly and not); loading and encoding again gives the
 * same bytes (a replacement keeps an unchanged chunk by comparing them);
 * entries with texts of their own keep them in the records (version 2);
 * damaged bytes are refused, never read past.
 */
#include "tests/unit/check.h"
#include "zone/error.h"
#include "zone/store/bytes.h"
#include "zone/store/store_chunk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void test_prefixes(void)
{
	uint8_t a[16] = { 10, 1, 2, 0 }, b[16] = { 10, 1, 2, 200 },
		c[16] = { 10, 1, 3, 0 }, last[16];
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 }, v6b[16] = { 0x20, 0x01,
		0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	CHECK(rbl_ck_covers(a, 24, b, 4));
	CHECK(!rbl_ck_covers(a, 24, c, 4));
	CHECK(rbl_ck_covers(a, 23, c, 4));
	CHECK(rbl_ck_covers(a, 0, c, 4));
	CHECK(rbl_ck_covers(b, 32, b, 4) && !rbl_ck_covers(a, 32, b, 4));
	CHECK(rbl_ck_aligned(a, 24, 4) && rbl_ck_aligned(a, 23, 4));
	CHECK(!rbl_ck_aligned(b, 24, 4) && rbl_ck_aligned(b, 32, 4));
	CHECK(!rbl_ck_aligned(c, 22, 4) && rbl_ck_aligned(c, 24, 4));
	rbl_ck_last(a, 24, 4, last);
	CHECK(last[0] == 10 && last[1] == 1 && last[2] == 2 && last[3] == 255);
	rbl_ck_last(a, 20, 4, last);
	CHECK(last[2] == 15 && last[3] == 255);
	rbl_ck_last(a, 32, 4, last);
	CHECK(!memcmp(last, a, 4));
	CHECK(rbl_ck_covers(v6, 64, v6b, 16) && !rbl_ck_covers(v6b, 128, v6,
							       16));
	CHECK(rbl_ck_aligned(v6, 32, 16) && !rbl_ck_aligned(v6b, 127, 16));
	rbl_ck_last(v6, 64, 16, last);
	CHECK(last[7] == 0 && last[8] == 255 && last[15] == 255);
}

/* N records of FAMILY, ascending, with chains of up to 3 nested items
 * and attributes from a small set (some with their own TXT). */
static void fill(rbl_ckw *w, uint8_t family, size_t n)
{
	uint32_t at[8];

	rbl_ckw_reset(w, family);
	for (int i = 0; i < 8; i++) {
		rbl_entry e;

		rbl_entry_init(&e);
		e.flags = i == 3 ? RBL_ENTRY_EXCLUDE : RBL_ENTRY_HAS_TXT;
		e.n_codes = (uint8_t)(i % 3);
		e.codes[0] = 0x7f000002u + (uint32_t)i;
		e.codes[1] = 0x7f000010u;
		e.expires = i == 5 ? 1700000000 : 0;
		e.added = 1600000000 + i;
		snprintf(e.txt, sizeof e.txt, i == 7 ? "" : "txt %d $", i);
		snprintf(e.source, sizeof e.source, "src%d", i % 2);
		CHECK_RC(rbl_ckw_attr_put(w, &e, &at[i]), RBL_OK);
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t a[16] = { 0 };
		rbl_ckw_item items[3];
		unsigned k = 0, alen = family == 4 ? 4 : 16;
		uint32_t ci, v = (uint32_t)(i * 7 + 3);

		a[0] = 10;
		a[alen - 3] = (uint8_t)(v >> 16);
		a[alen - 2] = (uint8_t)(v >> 8);
		a[alen - 1] = (uint8_t)v;
		items[k++] = (rbl_ckw_item){ (uint8_t)(8 * alen), at[i % 8] };
		if (i % 5 == 0)
			items[k++] = (rbl_ckw_item){ (uint8_t)(8 * alen - 8),
						     at[(i / 5) % 8] };
		if (i % 11 == 0)
			items[k++] = (rbl_ckw_item){ 8, at[1] };
		CHECK_RC(rbl_ckw_chain_put(w, items, k, &ci), RBL_OK);
		CHECK_RC(rbl_ckw_rec_push(w, a, ci), RBL_OK);
	}
}

/* N /32 records of IPv4, most with a TXT of their own ("Listed, case
 * N"): every 5th also inside a shared /24 item, every 13th with a first
 * item that has no TXT (an exclusion), every 17th sharing one text (the
 * same attribute: kept once). */
static void fill_own(rbl_ckw *w, size_t n)
{
	uint32_t shared24, excl, dup;
	rbl_entry e;

	rbl_ckw_reset(w, 4);
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_HAS_TXT;
	e.n_codes = 1;
	e.codes[0] = 0x7f000002u;
	e.added = 1600000000;
	snprintf(e.source, sizeof e.source, "import:file");
	snprintf(e.txt, sizeof e.txt, "the /24 of $");
	CHECK_RC(rbl_ckw_attr_put(w, &e, &shared24), RBL_OK);
	snprintf(e.txt, sizeof e.txt, "a text several records share");
	CHECK_RC(rbl_ckw_attr_put(w, &e, &dup), RBL_OK);
	e.flags = RBL_ENTRY_EXCLUDE;
	e.txt[0] = 0;
	CHECK_RC(rbl_ckw_attr_put(w, &e, &excl), RBL_OK);
	e.flags = RBL_ENTRY_HAS_TXT;
	e.codes[0] = 0x7f000003u;
	for (size_t i = 0; i < n; i++) {
		uint8_t a[16] = { 0 };
		rbl_ckw_item items[2];
		unsigned k = 0;
		uint32_t ci, own, v = (uint32_t)(i * 7 + 3);

		a[0] = 10;
		a[1] = (uint8_t)(v >> 16);
		a[2] = (uint8_t)(v >> 8);
		a[3] = (uint8_t)v;
		snprintf(e.txt, sizeof e.txt, "Listed, case %zu", i);
		CHECK_RC(rbl_ckw_attr_put(w, &e, &own), RBL_OK);
		items[k++] = (rbl_ckw_item){ 32, i % 13 == 0 ? excl :
						 i % 17 == 0 ? dup : own };
		if (i % 5 == 0)
			items[k++] = (rbl_ckw_item){ 24, shared24 };
		CHECK_RC(rbl_ckw_chain_put(w, items, k, &ci), RBL_OK);
		CHECK_RC(rbl_ckw_rec_push(w, a, ci), RBL_OK);
	}
}

/* Piece [FROM, TO) of W, encoded in BUF (LEN bytes), reads back. */
static void check_piece(rbl_ckw *w, size_t from, size_t to,
			const uint8_t *buf, size_t len)
{
	rbl_ck c;

	CHECK_RC(rbl_ck_open(&c, w->family, buf, len), RBL_OK);
	CHECK_RC(rbl_ck_verify(&c), RBL_OK);
	CHECK(c.n_rec == to - from);
	for (size_t i = from; i < to; i++) {
		uint8_t s[16], probe[16];
		const uint8_t *items = NULL;
		const rbl_ckw_item *want;
		unsigned n = 0, wn = 0;

		rbl_ck_start(&c, (unsigned)(i - from), s);
		CHECK(!memcmp(s, w->rec[i].a, w->alen));
		CHECK(rbl_ck_find(&c, w->rec[i].a) == (int)(i - from));
		/* an address just past a record finds that record */
		memcpy(probe, w->rec[i].a, 16);
		probe[w->alen - 1]++;
		if (probe[w->alen - 1] && (i + 1 == to ||
		    memcmp(probe, w->rec[i + 1].a, w->alen) < 0))
			CHECK(rbl_ck_find(&c, probe) == (int)(i - from));
		CHECK_RC(rbl_ck_chain(&c, rbl_ck_chain_of(&c, (unsigned)(i -
				from)), &items, &n), RBL_OK);
		want = rbl_ckw_chain_items(w, w->rec[i].chain, &wn);
		CHECK(n == wn);
		for (unsigned k = 0; k < n && k < wn; k++) {
			rbl_ck_attr a;
			rbl_entry e;

			CHECK(rbl_ck_item_len(&c, items, k) == want[k].len);
			CHECK_RC(rbl_ck_attr_get(&c, rbl_ck_item_attr(&c, items,
					k), (unsigned)(i - from), &a), RBL_OK);
			rbl_ckw_attr_entry(w, want[k].attr, &e);
			CHECK(a.flags == e.flags && a.n_codes == e.n_codes &&
			      a.expires == e.expires && a.added == e.added &&
			      a.codes[0] == e.codes[0]);
			CHECK(a.txt_len == strlen(e.txt) &&
			      !memcmp(a.txt, e.txt, a.txt_len));
			CHECK(a.src_len == strlen(e.source) &&
			      !memcmp(a.src, e.source, a.src_len));
		}
	}
	/* before the first record: nothing */
	{
		uint8_t before[16];

		memcpy(before, w->rec[from].a, 16);
		if (before[w->alen - 1]) {
			before[w->alen - 1]--;
			CHECK(rbl_ck_find(&c, before) == -1);
		}
	}
}

static void test_pieces(uint8_t family, size_t n)
{
	static uint8_t buf[RBL_CK_LIMIT], again[RBL_CK_LIMIT];
	rbl_ckw w, w2;
	size_t from = 0, pieces = 0;

	rbl_ckw_init(&w, family);
	rbl_ckw_init(&w2, family);
	fill(&w, family, n);
	while (from < w.n_rec) {
		size_t size, to = rbl_ckw_piece(&w, from, &size), len, len2;
		rbl_ck c;

		CHECK(to > from && size <= RBL_CK_MAX);
		CHECK(size == rbl_ckw_size(&w, from, to));
		/* a piece is as long as it can be */
		if (to < w.n_rec)
			CHECK(rbl_ckw_size(&w, from, to + 1) > RBL_CK_MAX);
		len = rbl_ckw_encode(&w, from, to, buf);
		CHECK(len == size);
		/* shared texts: the layout of attributes, as before */
		CHECK(buf[0] == RBL_CK_VERSION && buf[5] == 0);
		check_piece(&w, from, to, buf, len);
		/* loaded and encoded again: the same bytes */
		rbl_ckw_reset(&w2, family);
		CHECK_RC(rbl_ck_open(&c, family, buf, len), RBL_OK);
		CHECK_RC(rbl_ckw_load(&w2, &c), RBL_OK);
		len2 = rbl_ckw_encode(&w2, 0, w2.n_rec, again);
		CHECK(len2 == len && !memcmp(buf, again, len));
		from = to;
		pieces++;
	}
	/* 3 address bytes and a chain number: about 4 bytes a record */
	CHECK(pieces >= n * 4 / RBL_CK_MAX && pieces <= n * 5 / RBL_CK_MAX + 1);
	printf("family %u: %zu records in %zu pieces\n", family, n, pieces);
	/* moving a tail keeps what it uses */
	{
		uint32_t *map = malloc(w.n_attr * sizeof *map);
		size_t half = w.n_rec / 2, len, len2;

		rbl_ckw_reset(&w2, family);
		len = rbl_ckw_encode(&w, half, half + 50, buf);
		CHECK_RC(rbl_ckw_move_tail(&w, half, &w2, map), RBL_OK);
		CHECK(w.n_rec == half && w2.n_rec == n - half);
		len2 = rbl_ckw_encode(&w2, 0, 50, again);
		CHECK(len && len == len2 && !memcmp(buf, again, len));
		free(map);
	}
	rbl_ckw_free(&w);
	rbl_ckw_free(&w2);
}

/* Texts of their own go to the records (version 2): every piece reads
 * back with each entry's TXT, a text several records share is kept once,
 * loading and encoding again gives the same bytes, a record removed takes
 * its text with it, and an entry costs its text and a few bytes. */
static void test_record_texts(void)
{
	static uint8_t buf[RBL_CK_LIMIT], again[RBL_CK_LIMIT];
	const size_t n = 20000;
	rbl_ckw w, w2;
	size_t from = 0, total = 0, texts = 0;

	rbl_ckw_init(&w, 4);
	rbl_ckw_init(&w2, 4);
	fill_own(&w, n);
	for (size_t i = 0; i < n; i++)
		if (i % 13 && i % 17) {
			char t[32];

			texts += (size_t)snprintf(t, sizeof t,
						  "Listed, case %zu", i);
		}
	while (from < w.n_rec) {
		size_t size, to = rbl_ckw_piece(&w, from, &size), len, len2;
		size_t dup_off = 0, dups = 0;
		rbl_ck c;

		CHECK(to > from && size <= RBL_CK_MAX);
		CHECK(size == rbl_ckw_size(&w, from, to));
		len = rbl_ckw_encode(&w, from, to, buf);
		CHECK(len == size);
		CHECK(buf[0] == RBL_CK_VERSION_RT && buf[5] == 2);
		check_piece(&w, from, to, buf, len);
		CHECK_RC(rbl_ck_open(&c, 4, buf, len), RBL_OK);
		/* the shared text: one offset for all its records; the
		 * exclusions: none */
		for (size_t i = from; i < to; i++) {
			const uint8_t *r = buf + c.rec + (i - from) * c.stride +
					   c.rb + c.iw;
			size_t off = (size_t)(r[0] << 8 | r[1]);

			if (i % 13 == 0)
				CHECK(off == 0);
			else if (i % 17 == 0) {
				CHECK(off && (!dup_off || off == dup_off));
				dup_off = off;
				dups++;
			} else
				CHECK(off != 0);
		}
		rbl_ckw_reset(&w2, 4);
		CHECK_RC(rbl_ckw_load(&w2, &c), RBL_OK);
		len2 = rbl_ckw_encode(&w2, 0, w2.n_rec, again);
		CHECK(len2 == len && !memcmp(buf, again, len));
		/* one record less: its text goes with it */
		if (w2.n_rec > 2 && (from + 1) % 13 && (from + 1) % 17) {
			rbl_ckw_rec_remove(&w2, 1);
			len2 = rbl_ckw_encode(&w2, 0, w2.n_rec, again);
			CHECK(len2 && len2 + 2 + 2 + strlen("Listed, case ") <=
				      len);
		}
		total += len;
		from = to;
	}
	/* the texts, their length byte, 2-3 address bytes, a chain number
	 * and 2 of offset, plus a little per chunk (with texts in the
	 * attributes: 57 against 26 B/entry at 10M, doc/performance.md) */
	printf("record texts: %zu records, %zu bytes (%.1f a record, %.1f "
	       "of text)\n", n, total, (double)total / n, (double)texts / n);
	CHECK(total <= texts + n * 8);
	/* a moved tail encodes the same */
	{
		uint32_t *map = malloc(w.n_attr * sizeof *map);
		size_t half = w.n_rec / 2, len, len2;

		rbl_ckw_reset(&w2, 4);
		len = rbl_ckw_encode(&w, half, half + 50, buf);
		CHECK_RC(rbl_ckw_move_tail(&w, half, &w2, map), RBL_OK);
		len2 = rbl_ckw_encode(&w2, 0, 50, again);
		CHECK(len && len == len2 && !memcmp(buf, again, len));
		free(map);
	}
	rbl_ckw_free(&w);
	rbl_ckw_free(&w2);
}

/* The record of C deciding PROBE by a plain scan (what rbl_ck_find
 * must give): the last one whose start is <= PROBE, -1 if none. */
static int find_by_scan(const rbl_ck *c, const uint8_t *probe)
{
	int at = -1;

	for (unsigned i = 0; i < c->n_rec; i++) {
		uint8_t s[16];

		rbl_ck_start(c, i, s);
		if (memcmp(s, probe, c->alen) <= 0)
			at = (int)i;
	}
	return at;
}

/* Start I of N IPv4 records in SHAPE: spread evenly, crowded at the low
 * or the high end, gaps growing, two clusters far apart.  rbl_ck_find
 * guesses a record's place from the chunk's first and last start, so it
 * must be right however the starts are spread. */
static uint32_t shaped(int shape, uint32_t i, uint32_t n)
{
	switch (shape) {
	case 0: return i * 4099u;
	case 1: return i < n - 8 ? i : 0xfff000u + i * 977u;
	case 2: return i < 8 ? i * 3u : 0xff0000u + i;
	case 3: return i * i * 13u;
	default: return i < n / 2 ? i * 2u : 0xf00000u + i * 5u;
	}
}

static void test_find_spread(void)
{
	static uint8_t buf[RBL_CK_LIMIT];
	rbl_ckw w;

	for (int shape = 0; shape < 5; shape++) {
		size_t from = 0, n = 3000;
		rbl_ckw_item item = { 32, 0 };
		rbl_entry e;
		uint32_t ci = 0;

		rbl_ckw_init(&w, 4);
		rbl_entry_init(&e);
		CHECK_RC(rbl_ckw_attr_put(&w, &e, &item.attr), RBL_OK);
		CHECK_RC(rbl_ckw_chain_put(&w, &item, 1, &ci), RBL_OK);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t v = 0x0a000000u + shaped(shape, i,
							   (uint32_t)n);
			uint8_t a[16] = { (uint8_t)(v >> 24),
					  (uint8_t)(v >> 16),
					  (uint8_t)(v >> 8), (uint8_t)v };

			CHECK_RC(rbl_ckw_rec_push(&w, a, ci), RBL_OK);
		}
		while (from < w.n_rec) {
			size_t size, to = rbl_ckw_piece(&w, from, &size), len;
			uint8_t lo[16], hi[16];
			rbl_ck c;

			len = rbl_ckw_encode(&w, from, to, buf);
			CHECK_RC(rbl_ck_open(&c, 4, buf, len), RBL_OK);
			rbl_ck_start(&c, 0, lo);
			rbl_ck_start(&c, c.n_rec - 1u, hi);
			for (int k = 0; k < 600; k++) {
				uint32_t a = (uint32_t)lo[0] << 24 |
					     (uint32_t)lo[1] << 16 |
					     (uint32_t)lo[2] << 8 | lo[3];
				uint32_t b = (uint32_t)hi[0] << 24 |
					     (uint32_t)hi[1] << 16 |
					     (uint32_t)hi[2] << 8 | hi[3];
				uint32_t v = a - 2u + rnd() % (b - a + 5u);
				uint8_t p[16] = { (uint8_t)(v >> 24),
						  (uint8_t)(v >> 16),
						  (uint8_t)(v >> 8), (uint8_t)v };

				CHECK(rbl_ck_find(&c, p) == find_by_scan(&c, p));
			}
			from = to;
		}
		rbl_ckw_free(&w);
	}
}

/* The IPv4 hot path's arithmetic (rbl_ck_find's 32-bit search,
 * rbl_ck_start4, rbl_ck_covers4) against the records as built in memory
 * and the byte-wise rbl_ck_covers, for chunks of every base length (SKIP
 * 0-3), record width (RB 1-4, with 0-3 zero bytes past it), chain number
 * width (IW 0-2) and both layouts (texts in records or not). */
static void check_v4_piece(const rbl_ckw *w, size_t from, size_t to,
			   const uint8_t *buf, size_t len, unsigned *seen)
{
	rbl_ck c;

	CHECK_RC(rbl_ck_open(&c, 4, buf, len), RBL_OK);
	seen[0] |= 1u << c.skip;
	seen[1] |= 1u << c.rb;
	seen[2] |= 1u << c.iw;
	seen[3] |= 1u << c.tw;
	seen[4] |= 1u << (4 - c.skip - c.rb);	/* zero bytes past RB */
	for (size_t i = from; i < to; i++)
		CHECK(rbl_ck_start4(&c, (unsigned)(i - from)) ==
		      rbl_get_be32(w->rec[i].a));
	for (int k = 0; k < 300; k++) {
		size_t j = from + rnd() % (to - from);
		uint32_t v = rbl_get_be32(w->rec[j].a) + rnd() % 5u - 2u;
		uint8_t p[16] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
				  (uint8_t)(v >> 8), (uint8_t)v };
		int want = -1;

		if (k % 10 == 0)
			v = rnd() << 11 ^ rnd();
		rbl_put_be32(p, v);
		for (size_t i = from; i < to; i++)
			if (rbl_get_be32(w->rec[i].a) <= v)
				want = (int)(i - from);
		CHECK(rbl_ck_find(&c, p) == want);
	}
}

static void test_v4_fields(void)
{
	static const uint32_t steps[] = { 1, 3, 7, 256, 0x10003, 0x00ff0100,
					  0x01000001, 0x10000, 0x01010000,
					  0x01000000 };
	static uint8_t buf[RBL_CK_LIMIT];
	unsigned seen[5] = { 0 };
	rbl_ckw w;
	rbl_entry e;

	rbl_ckw_init(&w, 4);
	for (size_t s = 0; s <= sizeof steps / sizeof steps[0]; s++) {
		size_t from = 0, n = 2500;
		uint32_t attr[3];

		if (s == sizeof steps / sizeof steps[0]) {
			fill_own(&w, n);	/* texts in records */
		} else {
			rbl_ckw_reset(&w, 4);
			rbl_entry_init(&e);
			for (unsigned k = 0; k < 3; k++) {
				e.n_codes = 1;
				e.codes[0] = 0x7f000002u + k;
				CHECK_RC(rbl_ckw_attr_put(&w, &e, &attr[k]),
					 RBL_OK);
			}
			for (uint32_t i = 0; i < n; i++) {
				uint32_t v = 0x0a000000u + i * steps[s], ci = 0;
				uint8_t a[16] = { 0 };
				/* one chain; 9 (IW 1); or hundreds (IW 2) */
				unsigned len = s % 3 == 0 ? 32 : 32 - i % 9;
				rbl_ckw_item items[2] = {
					{ (uint8_t)len, attr[i % 3] },
					{ (uint8_t)(i / 27 % 24),
					  attr[i / 9 % 3] } };

				/* the space is 2^32; step 1: all in a /24 */
				if ((steps[s] >= 0x00ff0100 || steps[s] == 1 ||
				     steps[s] == 0x10000) &&
				    i >= 200)
					break;
				rbl_put_be32(a, v);
				if (s % 3 == 0)
					items[0].attr = attr[0];
				CHECK_RC(rbl_ckw_chain_put(&w, items,
							   s % 3 == 2 ? 2 : 1,
							   &ci), RBL_OK);
				CHECK_RC(rbl_ckw_rec_push(&w, a, ci), RBL_OK);
			}
		}
		while (from < w.n_rec) {
			size_t size, to = rbl_ckw_piece(&w, from, &size), len;

			len = rbl_ckw_encode(&w, from, to, buf);
			CHECK(len == size);
			check_v4_piece(&w, from, to, buf, len, seen);
			from = to;
		}
	}
	rbl_ckw_free(&w);
	printf("IPv4 fields seen: skip %#x rb %#x iw %#x tw %#x zeros %#x\n",
	       seen[0], seen[1], seen[2], seen[3], seen[4]);
	CHECK(seen[0] == 0xf && seen[1] == 0x1e && seen[2] == 0x7 &&
	      seen[3] == 0x5 && seen[4] == 0xf);
	for (int k = 0; k < 200000; k++) {
		uint32_t a = rnd() << 11 ^ rnd(), b = a ^ (rnd() >> (k % 32));
		unsigned len = (unsigned)(rnd() % 41);
		uint8_t pa[16] = { 0 }, pb[16] = { 0 };

		rbl_put_be32(pa, a);
		rbl_put_be32(pb, b);
		CHECK(rbl_ck_covers4(a, len, b) ==
		      rbl_ck_covers(pa, len, pb, 4));
	}
}

/* One record whose chain is too long for RBL_CK_MAX is a piece alone. */
static void test_big_record(void)
{
	static uint8_t buf[RBL_CK_LIMIT];
	rbl_ckw_item items[129];
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	rbl_ckw w;
	uint32_t ci;
	size_t size, len;

	rbl_ckw_init(&w, 6);
	for (int plen = 128, i = 0; plen >= 0; plen--, i++) {
		rbl_entry e;

		rbl_entry_init(&e);
		e.flags = RBL_ENTRY_HAS_TXT;
		memset(e.txt, 'a' + i % 26, 200);
		e.added = i;
		items[i].len = (uint8_t)plen;
		CHECK_RC(rbl_ckw_attr_put(&w, &e, &items[i].attr), RBL_OK);
	}
	CHECK_RC(rbl_ckw_chain_put(&w, items, 129, &ci), RBL_OK);
	CHECK_RC(rbl_ckw_rec_push(&w, a, ci), RBL_OK);
	a[15] = 1;
	CHECK_RC(rbl_ckw_rec_push(&w, a, ci), RBL_OK);
	CHECK(rbl_ckw_piece(&w, 0, &size) == 1 && size > RBL_CK_MAX);
	len = rbl_ckw_encode(&w, 0, 1, buf);
	CHECK(len == size);
	check_piece(&w, 0, 1, buf, len);
	rbl_ckw_free(&w);
}

/* Damaged chunks: every check fails cleanly (ASan watches the reads). */
static void test_damage(bool own)
{
	static uint8_t buf[RBL_CK_LIMIT], bad[RBL_CK_LIMIT];
	rbl_ckw w;
	size_t size, to, len;
	unsigned refused = 0;

	rbl_ckw_init(&w, 4);
	if (own)
		fill_own(&w, 400);
	else
		fill(&w, 4, 400);
	to = rbl_ckw_piece(&w, 0, &size);
	len = rbl_ckw_encode(&w, 0, to, buf);
	for (int round = 0; round < 3000; round++) {
		size_t n = len;
		rbl_ck c;
		rbl_ck_attr at;
		uint8_t probe[16] = { 10, (uint8_t)rnd(), (uint8_t)rnd(),
				      (uint8_t)rnd() };

		memcpy(bad, buf, len);
		if (round % 3 == 0)
			n = rnd() % len;
		else
			for (int k = 0; k < 1 + round % 4; k++)
				bad[rnd() % len] = (uint8_t)rnd();
		if (rbl_ck_open(&c, 4, bad, n) != RBL_OK ||
		    rbl_ck_verify(&c) != RBL_OK) {
			refused++;
			continue;
		}
		/* what verified reads without faults */
		for (unsigned i = 0; i < c.n_attr; i++)
			(void)rbl_ck_attr_get(&c, i, i % c.n_rec, &at);
		for (unsigned i = 0; i < c.n_rec; i++) {
			const uint8_t *items;
			unsigned ni;

			if (rbl_ck_chain(&c, rbl_ck_chain_of(&c, i), &items,
					 &ni) == RBL_OK)
				CHECK_RC(rbl_ck_attr_answer(&c,
					rbl_ck_item_attr(&c, items, 0), i, &at),
					RBL_OK);
		}
		(void)rbl_ck_find(&c, probe);
	}
	CHECK(refused > 1000);
	printf("%u of 3000 damaged chunks refused\n", refused);
	rbl_ckw_free(&w);
}

int main(void)
{
	test_prefixes();
	test_pieces(4, 5000);
	test_pieces(6, 3000);
	test_record_texts();
	test_find_spread();
	test_v4_fields();
	test_big_record();
	test_damage(false);
	test_damage(true);
	return check_done();
}
