/*
 * test_table.c -- the named tables of zone/store/table.h: names, put/get/
 * delete and their answers, which failures break the transaction, ids
 * from the last key, counts, walks in both directions from a key and over
 * a prefix, deleting and replacing during a walk, and that an aborted
 * transaction leaves no table behind.
 */
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/store/bytes.h"
#include "zone/store/table.h"

static int put_s(const rbl_table *tb, const char *k, const char *v)
{
	return rbl_table_put(tb, k, strlen(k), v, strlen(v), 0);
}

/* The value of K as a string ("-" when missing) in BUF. */
static const char *get_s(const rbl_table *tb, const char *k, char *buf)
{
	rbl_val v = { 0 };

	if (rbl_table_get(tb, k, strlen(k), &v) != RBL_OK || v.len > 63)
		return "-";
	memcpy(buf, v.p, v.len);
	buf[v.len] = '\0';
	return buf;
}

/* The keys of a walk from FROM (NULL: all) with FLAGS, joined by ','. */
static const char *walk_s(const rbl_table *tb, const char *from,
			  unsigned flags, char *buf, size_t size)
{
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	size_t n = 0;
	int rc = 0;

	buf[0] = '\0';
	rbl_table_iter_init(&it, tb, from, from ? strlen(from) : 0, flags);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1 && n + k.len + 2 < size) {
		if (n)
			buf[n++] = ',';
		memcpy(buf + n, k.p, k.len);
		n += k.len;
		buf[n] = '\0';
	}
	rbl_table_iter_end(&it);
	return rc < 0 ? "error" : buf;
}

static void names(rbl_store *s)
{
	rbl_txn *t = begin(s, false);
	rbl_table tb = { 0 };

	CHECK_RC(rbl_table_open(t, "tt", &tb), RBL_ENOTFOUND);
	CHECK_RC(rbl_table_open(t, "", &tb), RBL_EINVAL);
	CHECK_RC(rbl_table_open(t, "meta", &tb), RBL_EINVAL);
	CHECK_RC(rbl_table_open(t, "journal", &tb), RBL_EINVAL);
	CHECK_RC(rbl_table_open(t, "a234567890123456789012345678901x", &tb),
		 RBL_EINVAL);
	rbl_txn_abort(t);
	t = begin(s, true);
	CHECK_RC(rbl_table_open(t, "gone", &tb), RBL_OK);
	CHECK_RC(put_s(&tb, "k", "v"), RBL_OK);
	rbl_txn_abort(t);
	t = begin(s, false);
	CHECK_RC(rbl_table_open(t, "gone", &tb), RBL_ENOTFOUND);
	rbl_txn_abort(t);
}

static void records(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_table tb = { 0 }, tb2 = { 0 };
	char buf[64] = { 0 };
	uint64_t n = 0;

	CHECK_RC(rbl_table_open(t, "tt", &tb), RBL_OK);
	CHECK_RC(rbl_table_open(t, "tt", &tb2), RBL_OK);
	CHECK(tb.dbi == tb2.dbi);
	CHECK_RC(put_s(&tb, "b", "1"), RBL_OK);
	CHECK_RC(put_s(&tb, "b", "two"), RBL_OK);
	CHECK_STR(get_s(&tb, "b", buf), "two");
	/* answers, not failures: the transaction still commits */
	CHECK_RC(rbl_table_put(&tb, "b", 1, "x", 1, RBL_TABLE_NEW), RBL_EEXIST);
	CHECK_RC(rbl_table_put(&tb, "a", 1, "x", 1, RBL_TABLE_APPEND),
		 RBL_EEXIST);
	CHECK_RC(rbl_table_put(&tb, "c", 1, "3", 1, RBL_TABLE_APPEND), RBL_OK);
	CHECK_RC(rbl_table_put(&tb, "a", 1, "0", 1, RBL_TABLE_NEW), RBL_OK);
	CHECK_RC(rbl_table_del(&tb, "zz", 2), RBL_ENOTFOUND);
	CHECK_RC(rbl_table_del(&tb, "a", 1), RBL_OK);
	CHECK_STR(get_s(&tb, "a", buf), "-");
	CHECK_RC(rbl_table_count(&tb, &n), RBL_OK);
	CHECK(n == 2);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	CHECK_RC(rbl_table_open(t, "tt", &tb), RBL_OK);
	CHECK_STR(get_s(&tb, "c", buf), "3");
	CHECK_RC(put_s(&tb, "d", "4"), RBL_EREADONLY);
	rbl_txn_abort(t);
}

/* A write failing for another reason than an answer breaks the txn. */
static void broken(rbl_store *s)
{
	static const char big[600];
	rbl_txn *t = begin(s, true);
	rbl_table tb = { 0 };
	char buf[64] = { 0 };

	CHECK_RC(rbl_table_open(t, "tt", &tb), RBL_OK);
	CHECK_RC(put_s(&tb, "e", "5"), RBL_OK);
	CHECK(rbl_table_put(&tb, big, sizeof big, "x", 1, 0) < 0);
	CHECK(rbl_txn_commit(t) < 0);
	t = begin(s, false);
	CHECK_RC(rbl_table_open(t, "tt", &tb), RBL_OK);
	CHECK_STR(get_s(&tb, "e", buf), "-");
	rbl_txn_abort(t);
}

static void ids(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_table tb = { 0 };
	uint8_t k[8] = { 0 };
	uint64_t id = 0;

	CHECK_RC(rbl_table_open(t, "ids", &tb), RBL_OK);
	CHECK_RC(rbl_table_next_id(&tb, 8, &id), RBL_OK);
	CHECK(id == 1);
	CHECK_RC(rbl_table_next_id(&tb, 3, &id), RBL_EINVAL);
	rbl_put_be64(k, 41);
	CHECK_RC(rbl_table_put(&tb, k, 8, "", 0, 0), RBL_OK);
	rbl_put_be64(k, 7);
	CHECK_RC(rbl_table_put(&tb, k, 8, "", 0, 0), RBL_OK);
	CHECK_RC(rbl_table_next_id(&tb, 8, &id), RBL_OK);
	CHECK(id == 42);
	CHECK_RC(rbl_table_next_id(&tb, 4, &id), RBL_ESTORE);
	rbl_put_be64(k, UINT64_MAX);
	CHECK_RC(rbl_table_put(&tb, k, 8, "", 0, 0), RBL_OK);
	CHECK_RC(rbl_table_next_id(&tb, 8, &id), RBL_ELIMIT);
	CHECK_RC(rbl_table_open(t, "ids4", &tb), RBL_OK);
	rbl_put_be32(k, 0xfffe);
	CHECK_RC(rbl_table_put(&tb, k, 4, "", 0, 0), RBL_OK);
	CHECK_RC(rbl_table_next_id(&tb, 4, &id), RBL_OK);
	CHECK(id == 0xffff);
	rbl_txn_abort(t);
}

static void walks(rbl_store *s)
{
	static const char *const keys[] = { "a", "ab", "abc", "abd", "b",
		"b\xff", "b\xff\xff", "c" };
	rbl_txn *t = begin(s, true);
	rbl_table tb = { 0 };
	char b[256] = { 0 };

	CHECK_RC(rbl_table_open(t, "walk", &tb), RBL_OK);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK_RC(put_s(&tb, keys[i], "v"), RBL_OK);
	CHECK_STR(walk_s(&tb, NULL, 0, b, sizeof b),
		  "a,ab,abc,abd,b,b\xff,b\xff\xff,c");
	CHECK_STR(walk_s(&tb, NULL, RBL_TABLE_BACKWARD, b, sizeof b),
		  "c,b\xff\xff,b\xff,b,abd,abc,ab,a");
	CHECK_STR(walk_s(&tb, "abb", 0, b, sizeof b),
		  "abc,abd,b,b\xff,b\xff\xff,c");
	CHECK_STR(walk_s(&tb, "abc", RBL_TABLE_BACKWARD, b, sizeof b),
		  "abc,ab,a");
	CHECK_STR(walk_s(&tb, "abcc", RBL_TABLE_BACKWARD, b, sizeof b),
		  "abc,ab,a");
	CHECK_STR(walk_s(&tb, "0", RBL_TABLE_BACKWARD, b, sizeof b), "");
	CHECK_STR(walk_s(&tb, "d", RBL_TABLE_BACKWARD, b, sizeof b),
		  "c,b\xff\xff,b\xff,b,abd,abc,ab,a");
	CHECK_STR(walk_s(&tb, "ab", RBL_TABLE_PREFIX, b, sizeof b),
		  "ab,abc,abd");
	CHECK_STR(walk_s(&tb, "ab", RBL_TABLE_PREFIX | RBL_TABLE_BACKWARD, b,
			 sizeof b), "abd,abc,ab");
	CHECK_STR(walk_s(&tb, "b\xff", RBL_TABLE_PREFIX | RBL_TABLE_BACKWARD,
			 b, sizeof b), "b\xff\xff,b\xff");
	CHECK_STR(walk_s(&tb, "c", RBL_TABLE_PREFIX | RBL_TABLE_BACKWARD, b,
			 sizeof b), "c");
	CHECK_STR(walk_s(&tb, "x", RBL_TABLE_PREFIX, b, sizeof b), "");
	CHECK_STR(walk_s(&tb, "aa", RBL_TABLE_PREFIX | RBL_TABLE_BACKWARD, b,
			 sizeof b), "");
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

/* Delete every other record and grow the rest during one walk. */
static void change_while_walking(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_table_iter it = { 0 };
	rbl_table tb = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	char b[256] = { 0 }, val[40] = { 0 };
	unsigned i = 0;
	uint64_t n = 0;
	int rc = 0;

	CHECK_RC(rbl_table_open(t, "walk", &tb), RBL_OK);
	memset(val, 'x', sizeof val);
	rbl_table_iter_init(&it, &tb, NULL, 0, 0);
	CHECK_RC(rbl_table_iter_del(&it), RBL_EINVAL);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		if (i++ % 2 == 0) {
			CHECK_RC(rbl_table_iter_del(&it), RBL_OK);
			CHECK_RC(rbl_table_iter_put(&it, "y", 1), RBL_EINVAL);
		} else {
			CHECK_RC(rbl_table_iter_put(&it, val, sizeof val),
				 RBL_OK);
		}
	}
	rbl_table_iter_end(&it);
	CHECK(rc == 0 && i == 8);
	CHECK_STR(walk_s(&tb, NULL, 0, b, sizeof b), "ab,abd,b\xff,c");
	CHECK_RC(rbl_table_get(&tb, "abd", 3, &v), RBL_OK);
	CHECK(v.len == sizeof val && memcmp(v.p, val, sizeof val) == 0);
	CHECK_RC(rbl_table_del_prefix(&tb, "ab", 2, &n), RBL_OK);
	CHECK(n == 2);
	CHECK_STR(walk_s(&tb, NULL, 0, b, sizeof b), "b\xff,c");
	CHECK_RC(rbl_table_del_prefix(&tb, NULL, 0, &n), RBL_OK);
	CHECK(n == 2);
	CHECK_RC(rbl_table_count(&tb, &n), RBL_OK);
	CHECK(n == 0);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("table"));

	names(s);
	records(s);
	broken(s);
	ids(s);
	walks(s);
	change_while_walking(s);
	rbl_store_close(s);
	return check_done();
}
