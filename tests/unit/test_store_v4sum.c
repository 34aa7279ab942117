/*
 * test_store_v4sum.c -- the IPv4 summary (zone/store/store_v4sum.c) at
 * its edges: the thresholds crossed one entry at a time, snapshots and
 * the cache of a long-lived reader (kept across renews onto the same
 * snapshot), a write transaction's own changes,
 * many lists in one reader, rbl_ip_any_within, clear and delete, and the
 * upgrade of a format 1 store.  (Randomized maintenance:
 * test_store_random.c.)
 */
#include "tests/unit/store_test.h"
/* the store's own side: the stored summaries, the format record */
#include "zone/store/store_impl.h"

#define NOW 1700000000

/* The Nth host: each in its own /24 of 100.0.0.0/8. */
static rbl_prefix host(uint32_t n)
{
	rbl_prefix p;

	memset(&p, 0, sizeof p);
	p.addr.family = RBL_AF4;
	p.addr.bytes[0] = 100;
	p.addr.bytes[1] = (uint8_t)(n >> 8);
	p.addr.bytes[2] = (uint8_t)n;
	p.addr.bytes[3] = 7;
	p.len = 32;
	return p;
}

static void add_hosts(rbl_txn *t, uint32_t list, uint32_t from, uint32_t to,
		      bool exclude)
{
	rbl_entry e;

	rbl_entry_init(&e);
	e.flags = exclude ? RBL_ENTRY_EXCLUDE : 0;
	for (uint32_t i = from; i < to; i++) {
		rbl_prefix p = host(i);

		CHECK_RC(rbl_ip_add(t, list, &p, &e), RBL_OK);
	}
}

static bool has_summary(rbl_store *s, uint32_t list)
{
	rbl_txn *t = begin(s, false);
	const uint8_t *bits;
	int rc = rbl_v4sum_peek(t, list, &bits);

	rbl_txn_abort(t);
	return rc == RBL_OK;
}

static int listed(rbl_txn *t, uint32_t list, const rbl_prefix *p)
{
	rbl_match m;
	int rc = rbl_ip_lookup(t, list, &p->addr, NOW, &m);

	return rc == RBL_OK ? 1 : rc == RBL_ENOTFOUND ? 0 : rc;
}

/* Created at RBL_V4SUM_MIN entries, kept down to RBL_V4SUM_DROP. */
static void test_thresholds(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, "thresholds", RBL_LIST_IP);

	add_hosts(t, list, 0, RBL_V4SUM_MIN - 1, false);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(!has_summary(s, list));
	t = begin(s, true);
	add_hosts(t, list, RBL_V4SUM_MIN - 1, RBL_V4SUM_MIN, false);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(has_summary(s, list));
	t = begin(s, false);
	for (uint32_t i = 0; i < RBL_V4SUM_MIN + 10; i++) {
		rbl_prefix p = host(i);

		CHECK(listed(t, list, &p) == (i < RBL_V4SUM_MIN));
	}
	rbl_txn_abort(t);

	t = begin(s, true);
	for (uint32_t i = RBL_V4SUM_DROP; i < RBL_V4SUM_MIN; i++) {
		rbl_prefix p = host(i);

		CHECK_RC(rbl_ip_del(t, list, &p), RBL_OK);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(has_summary(s, list));
	t = begin(s, false);
	{
		rbl_prefix in = host(RBL_V4SUM_DROP - 1), gone = host(
					RBL_V4SUM_DROP);
		const uint8_t *bits;

		CHECK(listed(t, list, &in) == 1);
		CHECK(listed(t, list, &gone) == 0);
		/* the delete cleared the emptied /24 */
		CHECK_RC(rbl_v4sum_peek(t, list, &bits), RBL_OK);
		CHECK(bits && rbl_v4sum_bit(bits, rbl_get_be32(
						in.addr.bytes) >> 8));
		CHECK(bits && !rbl_v4sum_bit(bits, rbl_get_be32(
						gone.addr.bytes) >> 8));
	}
	rbl_txn_abort(t);
	t = begin(s, true);
	{
		rbl_prefix p = host(0);

		CHECK_RC(rbl_ip_del(t, list, &p), RBL_OK);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(!has_summary(s, list));
}

/* A reader keeps its snapshot's summary until it is renewed; a writer
 * sees its own changes although the summary does not have them yet. */
static void test_snapshots(rbl_store *s)
{
	rbl_txn *t = begin(s, true), *rd;
	uint32_t list = make_list(t, "snap", RBL_LIST_IP);
	rbl_prefix fresh = host(5000), net = P("100.200.0.0/16");

	add_hosts(t, list, 0, 2000, false);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	rd = begin(s, false);
	CHECK(listed(rd, list, &fresh) == 0);
	CHECK(rbl_ip_any_within(rd, list, &net, NOW) == 0);

	t = begin(s, true);
	add_hosts(t, list, 5000, 5001, false);
	CHECK(listed(t, list, &fresh) == 1);
	CHECK_RC(add_ip(t, list, "100.200.3.0/24", 9, false, 0), RBL_OK);
	CHECK(rbl_ip_any_within(t, list, &net, NOW) == 1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	CHECK(listed(rd, list, &fresh) == 0);
	CHECK(rbl_ip_any_within(rd, list, &net, NOW) == 0);
	rbl_txn_reset(rd);
	CHECK_RC(rbl_txn_renew(rd), RBL_OK);
	CHECK(listed(rd, list, &fresh) == 1);
	CHECK(rbl_ip_any_within(rd, list, &net, NOW) == 1);
	CHECK(lookup_at(rd, list, "100.200.3.77", NOW) == 9);
	CHECK(lookup_at(rd, list, "100.200.4.77", NOW) == -1);
	rbl_txn_abort(rd);
}

/* A renew onto the same snapshot keeps what the reader took from it
 * (the summary's pointer, the generation: rbl_txn_snapshot stays); one
 * onto a newer snapshot reads them again.  A writer never keeps them. */
static void test_same_snapshot(rbl_store *s)
{
	rbl_txn *t = begin(s, true), *rd;
	uint32_t list = make_list(t, "same", RBL_LIST_IP);
	rbl_prefix fresh = host(6000);
	uint64_t snap = 0, gen = 0, gen2 = 0;

	CHECK(rbl_txn_snapshot(t) == 0);
	add_hosts(t, list, 0, 2000, false);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	rd = begin(s, false);
	snap = rbl_txn_snapshot(rd);
	CHECK(snap != 0);
	CHECK_RC(rbl_store_generation(rd, &gen), RBL_OK);
	CHECK(listed(rd, list, &fresh) == 0);
	CHECK(rd->n_v4sum == 1 && rd->v4sum[0].bits != NULL);
	rbl_txn_reset(rd);
	CHECK_RC(rbl_txn_renew(rd), RBL_OK);
	CHECK(rbl_txn_snapshot(rd) == snap);
	CHECK(rd->n_v4sum == 1);		/* kept, not read again */
	CHECK(listed(rd, list, &fresh) == 0);
	CHECK_RC(rbl_store_generation(rd, &gen2), RBL_OK);
	CHECK(gen2 == gen);

	/* a listing and a new list (the generation moves) committed while
	 * the reader is reset: its next snapshot has both */
	rbl_txn_reset(rd);
	t = begin(s, true);
	add_hosts(t, list, 6000, 6001, false);
	(void)make_list(t, "same2", RBL_LIST_IP);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(rbl_txn_renew(rd), RBL_OK);
	CHECK(rbl_txn_snapshot(rd) != snap);
	CHECK(rd->n_v4sum == 0);
	CHECK(listed(rd, list, &fresh) == 1);
	CHECK_RC(rbl_store_generation(rd, &gen2), RBL_OK);
	CHECK(gen2 == gen + 1);
	rbl_txn_abort(rd);
}

/* More lists than the reader caches, each answering for itself. */
static void test_many_lists(rbl_store *s)
{
	enum { N = RBL_V4SUM_SLOTS + 3 };
	uint32_t lists[N];
	rbl_txn *t = begin(s, true);

	rbl_txn_set_bulk(t);
	for (unsigned i = 0; i < N; i++) {
		char name[32];

		snprintf(name, sizeof name, "many%u", i);
		lists[i] = make_list(t, name, RBL_LIST_IP);
		/* list i holds hosts i*100 .. i*100+RBL_V4SUM_MIN-1 */
		add_hosts(t, lists[i], i * 100, i * 100 + RBL_V4SUM_MIN, false);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < N; i++)
			for (uint32_t h = 0; h < N * 100 + RBL_V4SUM_MIN;
			     h += 97) {
				rbl_prefix p = host(h);
				int want = h >= i * 100 &&
					   h < i * 100 + RBL_V4SUM_MIN;

				CHECK(listed(t, lists[i], &p) == want);
			}
	rbl_txn_abort(t);
	for (unsigned i = 0; i < N; i++)
		CHECK(has_summary(s, lists[i]));
}

/* Exclusions count: their /24s are "maybe" too. */
static void test_exclusions_clear_delete(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, "excl", RBL_LIST_IP);
	rbl_prefix wide = P("100.0.0.0/8"), h = host(3);
	const uint8_t *bits;

	rbl_txn_set_bulk(t);
	add_hosts(t, list, 0, 2000, true);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_v4sum_peek(t, list, &bits), RBL_OK);
	CHECK(bits && rbl_v4sum_bit(bits, rbl_get_be32(h.addr.bytes) >> 8));
	CHECK(listed(t, list, &h) == 0);
	rbl_txn_abort(t);

	/* listing the /8 under the exclusions: everything around them */
	t = begin(s, true);
	CHECK_RC(add_ip(t, list, "100.0.0.0/8", 4, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, list, "100.0.3.7", NOW) == -1);
	CHECK(lookup_at(t, list, "100.0.3.8", NOW) == 4);
	CHECK(lookup_at(t, list, "100.250.3.8", NOW) == 4);
	CHECK(lookup_at(t, list, "101.0.3.8", NOW) == -1);
	CHECK(rbl_ip_any_within(t, list, &wide, NOW) == 1);
	rbl_txn_abort(t);

	/* clear and refill in one transaction: rebuilt from scratch */
	t = begin(s, true);
	CHECK_RC(rbl_list_clear(t, list), RBL_OK);
	add_hosts(t, list, 10000, 10000 + RBL_V4SUM_MIN, false);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_v4sum_peek(t, list, &bits), RBL_OK);
	CHECK(bits && !rbl_v4sum_bit(bits, rbl_get_be32(h.addr.bytes) >> 8));
	CHECK(lookup_at(t, list, "100.0.3.8", NOW) == -1);
	h = host(10000);
	CHECK(listed(t, list, &h) == 1);
	rbl_txn_abort(t);

	t = begin(s, true);
	CHECK_RC(rbl_list_clear(t, list), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(!has_summary(s, list));
	t = begin(s, true);
	add_hosts(t, list, 0, RBL_V4SUM_MIN, false);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(has_summary(s, list));
	t = begin(s, true);
	CHECK_RC(rbl_list_delete(t, list), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(!has_summary(s, list));
}

static uint32_t stored_format(rbl_store *s)
{
	rbl_txn *t = begin(s, false);
	MDB_val v = { 0 };
	uint32_t f = 0;

	if (rbl_db_get(t, s->meta, "#version", 8, &v) == RBL_OK &&
	    v.mv_size == 4)
		f = rbl_get_be32(v.mv_data);
	rbl_txn_abort(t);
	return f;
}

/* A format 1 store (no summaries) opens; its first writer upgrades it. */
static void test_upgrade(void)
{
	const char *dir = tmp_store_dir("v4sum-upgrade");
	rbl_store *s = open_rw(dir);
	rbl_txn *t = begin(s, true);

	CHECK(stored_format(s) == RBL_STORE_FORMAT);
	CHECK(rbl_db_put(t, s->meta, "#version", 8, "\0\0\0\x01", 4, 0) ==
	      RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	rbl_store_close(s);
	CHECK_RC(rbl_store_open(dir, RBL_STORE_RDONLY, 0, &s), RBL_OK);
	CHECK(stored_format(s) == 1);
	rbl_store_close(s);
	s = open_rw(dir);
	CHECK(stored_format(s) == RBL_STORE_FORMAT);
	rbl_store_close(s);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("v4sum"));

	test_thresholds(s);
	test_snapshots(s);
	test_same_snapshot(s);
	test_many_lists(s);
	test_exclusions_clear_delete(s);
	rbl_store_close(s);
	test_upgrade();
	return check_done();
}
