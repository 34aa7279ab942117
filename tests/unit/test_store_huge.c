/*
 * test_store_huge.c -- rbl_store_rehuge (zone/store/store_huge.c): on a
 * read-only store of more than 8 MiB just written by a writer (its page
 * cache in small folios), a pass reads regions in again, and every
 * answer, through a read transaction held across the pass and through a
 * new one, is what it was; where the kernel maps file pages 2 MiB at a
 * time and tells which are (PAGEMAP_SCAN), the map is PMD-mapped after
 * it and a second pass with nothing changed reads nothing in; a commit
 * that grows the file gives the next pass regions to read.  The writer's
 * store is closed during the passes: pages another map holds stay in
 * the page cache as they are.  A read-write
 * store is left alone.  Where THP for files is unavailable the huge-page
 * assertions are skipped (said on stderr), not failed.
 * The fallback for kernels without PAGEMAP_SCAN, forced through the
 * store's huge_noscan (store_impl.h): a first pass reads every whole
 * region in, a second with nothing changed none, and one after the store
 * grew only the regions past the end the pass before saw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/store_test.h"
#include "zone/store/bytes.h"
#include "zone/store/store_impl.h"	/* huge_noscan */

#define N_ENTRIES 40000
#define NOW 1700000000

/* 10.0.0.0 + I*7: spread over a /13, one entry a /32 */
static rbl_prefix nth(unsigned i)
{
	rbl_prefix p;

	memset(&p, 0, sizeof p);
	p.addr.family = RBL_AF4;
	rbl_put_be32(p.addr.bytes, 0x0a000000u + i * 7);
	p.len = 32;
	return p;
}

/* Entries FROM..TO, each with a TXT of its own (about 200 bytes), so the
 * store is big with few entries. */
static void fill(rbl_store *s, uint32_t list, unsigned from, unsigned to)
{
	rbl_txn *t = begin(s, true);

	rbl_txn_set_bulk(t);
	for (unsigned i = from; i < to; i++) {
		rbl_prefix p = nth(i);
		rbl_entry e;

		rbl_entry_init(&e);
		e.flags = RBL_ENTRY_HAS_TXT;
		snprintf(e.txt, sizeof e.txt, "entry %u: %0180u", i, i * 2654435761u);
		CHECK_RC(rbl_ip_add(t, list, &p, &e), RBL_OK);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

/* A sum over every answer of entries 0..N and of the addresses between
 * them (not listed). */
static uint64_t answers(rbl_txn *t, uint32_t list, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		rbl_prefix p = nth(i);
		rbl_match m;
		int rc = rbl_ip_lookup(t, list, &p.addr, NOW, &m);

		sum = sum * 31 + (uint64_t)(rc + 100);
		for (unsigned j = 0; rc == RBL_OK && j < m.txt_len; j++)
			sum = sum * 131 + (uint8_t)m.txt[j];
		rbl_put_be32(p.addr.bytes, rbl_get_be32(p.addr.bytes) + 3);
		rc = rbl_ip_lookup(t, list, &p.addr, NOW, &m);
		sum = sum * 31 + (uint64_t)(rc + 100);
	}
	return sum;
}

/* FilePmdMapped of this process, kB; -1 if unknown. */
static long pmd_mapped_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "FilePmdMapped:", 14) == 0)
			kb = atol(line + 14);
	fclose(f);
	return kb;
}

static bool thp_possible(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	bool ok = false;

	if (f) {
		ok = fgets(buf, sizeof buf, f) && !strstr(buf, "[never]");
		fclose(f);
	}
	return ok;
}

static void test_read_write_left_alone(rbl_store *rw)
{
	rbl_rehuge_stats r = { 0 };
	rbl_store_mark m = { 0 };

	rbl_store_rehuge(rw, &r);
	CHECK(r.regions == 0 && r.reread == 0);
	rbl_store_mark_now(rw, &m);
	CHECK(rbl_store_mark_eq(&r.mark, &m) && m.txnid > 0 && m.blocks > 0);
}

/* The read-only store: the passes, answers and (where it can) pages. */
static void test_passes(const char *dir, uint32_t list)
{
	rbl_store *s = NULL, *rw = NULL;
	rbl_rehuge_stats r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	rbl_txn *t = NULL;
	uint64_t before = 0;
	bool huge = thp_possible();

	CHECK_RC(rbl_store_open(dir, RBL_STORE_RDONLY, 0, &s), RBL_OK);
	t = begin(s, false);
	before = answers(t, list, N_ENTRIES);
	rbl_store_rehuge(s, &r1);
	fprintf(stderr, "first pass: %u of %u regions in %.1f ms, scan %d\n",
		r1.reread, r1.regions, r1.ms, (int)r1.scan);
	CHECK(r1.regions >= 4);		/* more than 8 MiB used */
	{
		rbl_store_mark m = { 0 };

		rbl_store_mark_now(s, &m);
		CHECK(rbl_store_mark_eq(&r1.mark, &m));
	}
	CHECK(answers(t, list, N_ENTRIES) == before);	/* same txn */
	rbl_txn_abort(t);
	t = begin(s, false);
	CHECK(answers(t, list, N_ENTRIES) == before);	/* a new one */
	rbl_txn_abort(t);
	if (huge && pmd_mapped_kb() <= 0) {
		fprintf(stderr, "skipped: the kernel mapped no file page 2 MiB "
			"at a time here (FilePmdMapped 0)\n");
		huge = false;
	}
	if (huge) {
		CHECK(r1.reread >= 4);
		CHECK(pmd_mapped_kb() >= 4 * 2048);
	}
	rbl_store_rehuge(s, &r2);
	CHECK(r2.regions == r1.regions);
	if (huge && r2.scan)
		CHECK(r2.reread == 0);	/* nothing changed: nothing read */
	else
		fprintf(stderr, "skipped: second pass (no PAGEMAP_SCAN or no "
			"THP): %u read\n", r2.reread);
	/* a writer grows the file: the next pass has new regions to read */
	rw = open_rw(dir);
	fill(rw, list, N_ENTRIES, N_ENTRIES + N_ENTRIES / 2);
	rbl_store_close(rw);
	rbl_store_rehuge(s, &r3);
	fprintf(stderr, "after growing: %u of %u regions in %.1f ms\n",
		r3.reread, r3.regions, r3.ms);
	CHECK(r3.regions > r1.regions);
	CHECK(r3.mark.txnid > r1.mark.txnid);
	if (huge)
		CHECK(r3.reread >= 1);
	t = begin(s, false);
	CHECK(answers(t, list, N_ENTRIES) == before);
	CHECK(answers(t, list, N_ENTRIES + N_ENTRIES / 2) != before);
	{
		rbl_prefix p = nth(N_ENTRIES + 1);	/* a new entry */
		rbl_match m;

		CHECK_RC(rbl_ip_lookup(t, list, &p.addr, NOW, &m), RBL_OK);
	}
	rbl_txn_abort(t);
	rbl_store_close(s);
}

/* Without PAGEMAP_SCAN (forced) on the store in DIR, whose entries are
 * 0..N: which regions each pass reads in.  A fresh store handle, so the
 * first pass is its first. */
static void test_no_scan(const char *dir, uint32_t list, unsigned n)
{
	rbl_store *s = NULL, *rw = NULL;
	rbl_rehuge_stats r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	rbl_txn *t = NULL;
	uint64_t before = 0;

	CHECK_RC(rbl_store_open(dir, RBL_STORE_RDONLY, 0, &s), RBL_OK);
	s->huge_noscan = true;
	t = begin(s, false);
	before = answers(t, list, n);
	rbl_txn_abort(t);
	rbl_store_rehuge(s, &r1);
	fprintf(stderr, "no scan: first pass %u of %u regions\n",
		r1.reread, r1.regions);
	CHECK(!r1.scan && r1.regions >= 4);
	CHECK(r1.reread == r1.regions);		/* every whole region */
	rbl_store_rehuge(s, &r2);
	CHECK(!r2.scan && r2.regions == r1.regions);
	CHECK(r2.reread == 0);			/* nothing changed */
	rw = open_rw(dir);
	fill(rw, list, n, n + N_ENTRIES / 2);
	rbl_store_close(rw);
	rbl_store_rehuge(s, &r3);
	fprintf(stderr, "no scan: after growing %u of %u regions\n",
		r3.reread, r3.regions);
	CHECK(!r3.scan && r3.regions > r2.regions);
	CHECK(r3.reread == r3.regions - r2.regions);	/* the new ones */
	t = begin(s, false);
	CHECK(answers(t, list, n) == before);
	{
		rbl_prefix p = nth(n + 1);	/* a new entry */
		rbl_match m;

		CHECK_RC(rbl_ip_lookup(t, list, &p.addr, NOW, &m), RBL_OK);
	}
	rbl_txn_abort(t);
	rbl_store_close(s);
}

int main(void)
{
	const char *dir = tmp_store_dir("huge");
	rbl_store *rw = open_rw(dir);
	rbl_txn *t = begin(rw, true);
	uint32_t list = make_list(t, "big", RBL_LIST_IP);

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	fill(rw, list, 0, N_ENTRIES);
	test_read_write_left_alone(rw);
	/* closed: pages another map holds stay in the page cache as they are
	 * (rbld's case: rblctl has exited) */
	rbl_store_close(rw);
	test_passes(dir, list);
	test_no_scan(dir, list, N_ENTRIES + N_ENTRIES / 2);
	return check_done();
}
