/*
 * test_dsm_spill.c -- the rbldnsd merger's compact IPv4 records kept in
 * runs (rbldnsd_merge_runs.c): sorted and unsorted input, few and many
 * ascending stretches, every record in memory and spilled to a temporary
 * file under a budget of a few records.  Whatever the storage, the walk
 * out must be the same text, and the temporary file must leave nothing
 * behind.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "zone/formats/rbldnsd_merge.h"

typedef struct text {
	char *s;
	size_t len, cap;
} text;

static void put(text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			abort();
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

static int on_record(void *arg, const rbl_ds_record *r)
{
	char key[RBL_ADDR_STRLEN + 8] = { 0 }, line[400] = { 0 };
	const rbl_entry *e = &r->entry;

	rbl_prefix_format(&r->prefix, key);
	if (e->flags & RBL_ENTRY_EXCLUDE)
		snprintf(line, sizeof line, "!%s\n", key);
	else
		snprintf(line, sizeof line, "%s %u/%u [%s]\n", key,
			 e->n_codes, e->n_codes ? e->codes[e->n_codes - 1] : 0,
			 e->txt);
	put(arg, line);
	return 0;
}

static int add(void *arg, const rbl_ds_record *r)
{
	return rbl_dsm_add(arg, r);
}

static void on_message(void *arg, bool error, const char *m)
{
	(void)arg;
	(void)error;
	(void)m;
}

static unsigned dir_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Merge DATA as TYPE with BUDGET bytes of records in memory (0: all),
 * spilling into DIR; the records walked out (twice: the second walk must
 * see the same) into OUT. */
static int merge(int type, const char *data, size_t budget, const char *dir,
		 text *out, size_t *count)
{
	rbl_ds_options o = { .type = type, .now = 1700000000 };
	rbl_ds_input in = { "m", data, strlen(data) };
	rbl_ds_handler h = { NULL, add, on_message, NULL };
	text again = { 0 };
	rbl_dsm *m = NULL;
	int rc = 0;

	out->len = 0;
	put(out, "");
	CHECK_RC(rbl_dsm_new(type, NULL, NULL, &m), RBL_OK);
	CHECK_RC(rbl_dsm_spill(m, dir, budget), RBL_OK);
	h.arg = m;
	rc = rbl_ds_parse_buffers(&o, &h, &in, 1, NULL);
	if (rc == RBL_OK)
		rc = rbl_dsm_finish(m, NULL);
	if (rc == RBL_OK)
		rc = rbl_dsm_foreach(m, on_record, out);
	if (rc == RBL_OK) {
		put(&again, "");
		rc = rbl_dsm_foreach(m, on_record, &again);
		CHECK_STR(again.s, out->s);
	}
	*count = rbl_dsm_count(m);
	rbl_dsm_free(m);
	free(again.s);
	return rc;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* N lines of ip4set data: /32s, /24s around some of them, duplicates
 * with other values, exclusions; SORTED: in address order. */
static void make_data(text *t, unsigned n, bool sorted)
{
	char line[128] = { 0 };

	put(t, ":2:default $\n");
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = sorted ? 0x0a000000u + i * 37u :
				      0x0a000000u | (rnd() & 0xffff);
		unsigned kind = rnd() % 16;

		if (kind == 0)
			snprintf(line, sizeof line, "%u.%u.%u.0/24 :3:net\n",
				 a >> 24, (a >> 16) & 255, (a >> 8) & 255);
		else if (kind == 1)
			snprintf(line, sizeof line, "!%u.%u.%u.%u\n", a >> 24,
				 (a >> 16) & 255, (a >> 8) & 255, a & 255);
		else if (kind == 2)
			snprintf(line, sizeof line, "%u.%u.%u.%u :4:dup\n",
				 a >> 24, (a >> 16) & 255, (a >> 8) & 255,
				 a & 255);
		else
			snprintf(line, sizeof line, "%u.%u.%u.%u\n", a >> 24,
				 (a >> 16) & 255, (a >> 8) & 255, a & 255);
		put(t, line);
	}
}

static void same_every_way(int type, const char *data, const char *dir)
{
	static const size_t budgets[] = { 0, 16, 8 * 7, 8 * 100, 8 * 5000 };
	text want = { 0 }, got = { 0 };
	size_t n_want = 0, n_got = 0;

	CHECK_RC(merge(type, data, 0, NULL, &want, &n_want), RBL_OK);
	CHECK(n_want > 0);
	for (size_t i = 0; i < sizeof budgets / sizeof *budgets; i++) {
		CHECK_RC(merge(type, data, budgets[i], dir, &got, &n_got),
			 RBL_OK);
		CHECK(n_got == n_want);
		CHECK_STR(got.s, want.s);
		CHECK(dir_files(dir) == 0);	/* nothing left behind */
	}
	free(want.s);
	free(got.s);
}

static void test_shapes(const char *dir)
{
	text t = { 0 };

	/* random: many stretches, sorted by radix */
	make_data(&t, 3000, false);
	same_every_way(RBL_DS_IP4SET, t.s, dir);
	same_every_way(RBL_DS_IP4TRIE, t.s, dir);
	/* sorted: one stretch */
	t.len = 0;
	make_data(&t, 3000, true);
	same_every_way(RBL_DS_IP4SET, t.s, dir);
	/* sorted per length, as generators write lists: two stretches */
	t.len = 0;
	put(&t, "10.0.1.0/24\n10.0.5.0/24\n10.0.9.0/24\n"
		"10.0.1.1\n10.0.1.7\n10.0.3.3\n10.0.5.200\n10.0.9.9\n");
	same_every_way(RBL_DS_IP4SET, t.s, dir);
	/* a few stretches that each go down once */
	t.len = 0;
	put(&t, "10.0.0.9\n10.0.0.8\n10.0.0.7\n10.0.0.6\n10.0.0.5\n");
	same_every_way(RBL_DS_IP4TSET, t.s, dir);
	free(t.s);
}

/* A directory that cannot be used falls back to $TMPDIR. */
static void test_fallback(const char *dir)
{
	text t = { 0 }, got = { 0 };
	size_t n = 0;

	make_data(&t, 500, false);
	setenv("TMPDIR", dir, 1);
	CHECK_RC(merge(RBL_DS_IP4SET, t.s, 64, "/nonexistent/dir", &got, &n),
		 RBL_OK);
	CHECK(n > 0);
	CHECK(dir_files(dir) == 0);
	free(t.s);
	free(got.s);
}

int main(void)
{
	char dir[] = "/tmp/test_dsm_spill.XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_shapes(dir);
	test_fallback(dir);
	rmdir(dir);
	return check_done();
}
