/*
 * test_clienttab.c -- the client table under RRL and quotas
 * (rbld/clienttab.h): prefix keys, found and fresh entries, tags kept
 * apart, a new epoch clearing an entry, and a full table giving up the
 * lowest rank and never mixing two keys.
 */
#include <string.h>

#include "zone/error.h"
#include "rbld/clienttab.h"
#include "tests/unit/check.h"

static rbl_addr addr(const char *text)
{
	rbl_addr a = { 0 };

	CHECK_RC(rbl_addr_parse(text, &a), RBL_OK);
	return a;
}

static void test_keys(void)
{
	rbl_addr a = addr("192.0.2.77"), b = addr("2001:db8:1:2:3::1");

	CHECK(rbl_client_key(&a, 32) == 0xc000024d00000000ull);
	CHECK(rbl_client_key(&a, 24) == 0xc000020000000000ull);
	CHECK(rbl_client_key(&b, 64) == 0x20010db800010002ull);
	CHECK(rbl_client_key(&b, 56) == 0x20010db800010000ull);
	CHECK(rbl_client_key(&b, 1) == 0ull);
}

static void test_get(void)
{
	rbl_clienttab t = { 0 };
	rbl_client_entry *e = NULL, *f = NULL;
	bool fresh = false;

	CHECK_RC(rbl_clienttab_init(&t, 1), RBL_OK);
	CHECK(t.mask == 63);
	e = rbl_clienttab_get(&t, 42, 1, 7, &fresh);
	CHECK(fresh && e->key == 42 && e->tag == 1 && e->epoch == 7 &&
	      e->rank == 0);
	e->rank = 5;
	e->value = -3;
	f = rbl_clienttab_get(&t, 42, 1, 7, &fresh);
	CHECK(!fresh && f == e && f->rank == 5 && f->value == -3);
	/* another tag is another entry */
	f = rbl_clienttab_get(&t, 42, 2, 7, &fresh);
	CHECK(fresh && f != e);
	/* a new epoch clears the entry */
	f = rbl_clienttab_get(&t, 42, 1, 8, &fresh);
	CHECK(fresh && f == e && f->rank == 0 && f->value == 0 &&
	      f->epoch == 8);
	rbl_clienttab_fini(&t);
}

/* 64 slots, 1000 keys: each lookup finds its own key or a cleared entry,
 * and once full the entry given up is the lowest ranked candidate. */
static void test_full(void)
{
	rbl_clienttab t = { 0 };
	bool fresh = false;
	int mixed = 0, kept = 0;

	CHECK_RC(rbl_clienttab_init(&t, 64), RBL_OK);
	for (uint64_t k = 1; k <= 1000; k++) {
		rbl_client_entry *e = rbl_clienttab_get(&t, k, 1, 1, &fresh);

		mixed += e->key != k || (fresh && e->rank != 0);
		e->rank = (uint32_t)(k == 1 ? 1000000 : k);
	}
	CHECK(mixed == 0);
	/* key 1 has the highest rank: it outlives its neighbours */
	rbl_clienttab_get(&t, 1, 1, 1, &fresh);
	kept = !fresh;
	CHECK(kept == 1);
	rbl_clienttab_fini(&t);
}

int main(void)
{
	test_keys();
	test_get();
	test_full();
	return check_done();
}
