/*
 * test_qkey.c -- access keys in the store (zone/people/qkey.h) and their
 * counters (zone/kstats.h): add/rotate/state/delete, numbers never
 * reused, every change rbld answers by moves the store's generation, the
 * secret's form, per-day notes only rise, listed subjects counted per
 * day and read back, areas summed.
 */
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/kstats.h"
#include "zone/people/qkey.h"

static uint64_t generation(rbl_store *s)
{
	rbl_txn *t = begin(s, false);
	uint64_t g = 0;

	CHECK_RC(rbl_store_generation(t, &g), RBL_OK);
	rbl_txn_abort(t);
	return g;
}

static int count_keys(void *arg, const rbl_qkey *k)
{
	(*(int *)arg)++;
	return 0;
}

static uint64_t day_n;

static int day_fn(void *arg, uint32_t day, int kind, uint32_t id,
		  uint64_t n)
{
	if (day == 20000 && kind == RBL_QKDAY_KEY && id == 7)
		day_n = n;
	return 0;
}

static void forms(void)
{
	rbl_qkey k = { 0 };
	char buf[600], sh[16];

	CHECK(rbl_qkey_secret_form("abcdefghijklmnopqrstuvwxyz", 26));
	CHECK(rbl_qkey_secret_form("234567abcdefghijklmnopqrst", 26));
	CHECK(!rbl_qkey_secret_form("abcdefghijklmnopqrstuvwxy8", 26));
	CHECK(!rbl_qkey_secret_form("Abcdefghijklmnopqrstuvwxyz", 26));
	CHECK(!rbl_qkey_secret_form("abc", 3));
	CHECK(rbl_qkey_name_valid("acme-mail.1"));
	CHECK(!rbl_qkey_name_valid("-acme"));
	CHECK_RC(rbl_qkey_set_zones(&k, "BL.example.,zen.example"), RBL_OK);
	rbl_qkey_zones_text(&k, buf, sizeof buf);
	CHECK_STR(buf, "bl.example,zen.example");
	CHECK(rbl_qkey_covers(&k, "zen.example"));
	CHECK(!rbl_qkey_covers(&k, "other.example"));
	CHECK_RC(rbl_qkey_set_zones(&k, "a b"), RBL_EINVAL);
	CHECK_RC(rbl_qkey_set_zones(&k, "*"), RBL_OK);
	CHECK(rbl_qkey_covers(&k, "other.example"));
	CHECK_STR(rbl_qkey_secret_short("abcdefghijklmnopqrstuvwxyz", sh),
		  "abcd\xe2\x80\xa6");
}

static void keys(rbl_store *s)
{
	rbl_qkey k = { .name = "acme", .quota = 10 }, got = { 0 };
	char first[RBL_QKEY_SECRET_LEN + 1];
	uint64_t g0 = generation(s), g1;
	rbl_txn *t = begin(s, true);
	int n = 0;

	CHECK_RC(rbl_qkey_add(t, &k, 1000), RBL_OK);
	CHECK(rbl_qkey_secret_form(k.secret, strlen(k.secret)));
	CHECK(k.number == 1 && k.state == RBL_QKEY_ACTIVE);
	CHECK_RC(rbl_qkey_add(t, &k, 1000), RBL_EEXIST);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	g1 = generation(s);
	CHECK(g1 != g0);
	memcpy(first, k.secret, sizeof first);

	t = begin(s, true);
	CHECK_RC(rbl_qkey_rotate(t, "acme", 2000, &got), RBL_OK);
	CHECK(strcmp(got.secret, first) != 0 && got.number == 1);
	CHECK(got.rotated == 2000 && got.created == 1000);
	CHECK_RC(rbl_qkey_set_state(t, "acme", RBL_QKEY_DISABLED), RBL_OK);
	CHECK_RC(rbl_qkey_touch(t, "acme", 3000), RBL_OK);
	CHECK_RC(rbl_qkey_touch(t, "acme", 2500), RBL_OK);	/* never lowers */
	CHECK_RC(rbl_qkey_set_state(t, "nobody", RBL_QKEY_ACTIVE),
		 RBL_ENOTFOUND);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(generation(s) != g1);

	t = begin(s, true);
	CHECK_RC(rbl_qkey_get(t, "acme", &got), RBL_OK);
	CHECK(got.state == RBL_QKEY_DISABLED && got.last_used == 3000);
	CHECK(got.quota == 10);
	CHECK_RC(rbl_qkey_del(t, "acme"), RBL_OK);
	memset(&k, 0, sizeof k);
	strcpy(k.name, "acme");
	CHECK_RC(rbl_qkey_add(t, &k, 4000), RBL_OK);
	CHECK(k.number == 2);		/* a removed key's number stays gone */
	CHECK_RC(rbl_qkey_foreach(t, count_keys, &n), RBL_OK);
	CHECK(n == 1);			/* the number record is not a key */
	CHECK_RC(rbl_qkey_day_note(t, 20000, RBL_QKDAY_KEY, 7, 50), RBL_OK);
	CHECK_RC(rbl_qkey_day_note(t, 20000, RBL_QKDAY_KEY, 7, 30), RBL_OK);
	CHECK_RC(rbl_qkey_day_foreach(t, 19990, day_fn, NULL), RBL_OK);
	CHECK(day_n == 50);		/* a note only raises a day */
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void counters(void)
{
	rbl_kstats *ks = NULL;
	rbl_kstats_area *a0, *a1, *sum = calloc(1, sizeof *sum);
	char dir[] = "/tmp/test_qkey.XXXXXX", path[300];
	uint64_t day = 0, week = 0;
	const int64_t now = 20005 * 86400 + 100;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/rbld.keystats", dir);
	CHECK_RC(rbl_kstats_create(path, 2, &ks), RBL_OK);
	a0 = rbl_kstats_area_get(ks, 0);
	a1 = rbl_kstats_area_get(ks, 1);
	CHECK(a0 && a1 && !rbl_kstats_area_get(ks, 2));
	a0->keys[5].id = 5;
	a0->keys[5].queries = 3;
	a0->keys[5].day = 20005;
	a0->keys[5].day_queries = 3;
	a1->keys[5].id = 5;
	a1->keys[5].queries = 4;
	a1->keys[5].day = 20005;
	a1->keys[5].day_queries = 2;
	CHECK(rbl_kstats_day_others(ks, 5, 5, 20005, a0) == 2);
	for (uint32_t d = 19990; d <= 20005; d++)	/* one a day */
		rbl_kstats_hit_count(a0, 9, "192.0.2.1", d);
	rbl_kstats_hit_count(a1, 9, "192.0.2.1", 20005);
	rbl_kstats_hit_count(a1, 9, "192.0.2.2", 20005);
	CHECK_RC(rbl_kstats_hits_read(path, 9, "192.0.2.1", now, &day, &week),
		 RBL_OK);
	CHECK(day == 2 && week == 8);
	CHECK_RC(rbl_kstats_hits_read(path, 8, "192.0.2.1", now, &day, &week),
		 RBL_OK);
	CHECK(day == 0 && week == 0);	/* another list's */
	if (sum) {
		rbl_kstats_header h = { 0 };

		CHECK_RC(rbl_kstats_read(path, &h, sum), RBL_OK);
		CHECK(h.n_areas == 2 && sum->keys[5].queries == 7);
		CHECK(sum->keys[5].day_queries == 5);
	}
	free(sum);
	rbl_kstats_close(ks, 1);
	rmdir(dir);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("qkey"));

	forms();
	keys(s);
	counters();
	rbl_store_close(s);
	return check_done();
}
