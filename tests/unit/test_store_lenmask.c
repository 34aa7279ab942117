/*
 * test_store_lenmask.c -- the prefix length masks (zone/store/store_lenmask.c):
 * bits set as lengths appear, left set by deletes, made exact by a
 * rebuild, dropped with the list's entries, and computed from the entries
 * for a store written before masks existed (format 2), where nested adds
 * must still find their ancestors.  (Randomized: test_store_random.c.)
 */
#include "tests/unit/store_test.h"
/* the store's own side: the stored masks, the format record */
#include "zone/store/store_impl.h"

/* Stored mask of LIST for FAMILY as a string of lengths "8,16,32", "none"
 * without a record. */
static const char *stored(rbl_store *s, uint32_t list, uint8_t family)
{
	static char out[600];
	uint8_t k[6] = { 'n', 0, 0, 0, 0, family };
	rbl_txn *t = begin(s, false);
	MDB_val v = { 0 };
	size_t n = 0;

	rbl_put_be32(k + 1, list);
	if (rbl_db_get(t, s->meta, k, sizeof k, &v) != RBL_OK) {
		rbl_txn_abort(t);
		return "none";
	}
	out[0] = 0;
	for (unsigned len = 0; len < v.mv_size * 8; len++)
		if (rbl_lenmask_bit(v.mv_data, len))
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%u",
					      n ? "," : "", len);
	rbl_txn_abort(t);
	return out;
}

static void set_format(rbl_store *s, uint32_t format)
{
	rbl_txn *t = begin(s, true);
	uint8_t buf[4];

	rbl_put_be32(buf, format);
	CHECK(rbl_db_put(t, s->meta, "#version", 8, buf, 4, 0) == RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void drop_masks(rbl_store *s, uint32_t list)
{
	rbl_txn *t = begin(s, true);

	CHECK_RC(rbl_lenmask_drop(t, list), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void check_explain(rbl_store *s, uint32_t list, const char *addr,
			  const char *want)
{
	rbl_txn *t = begin(s, false);
	rbl_addr a = A(addr);
	rbl_prefix d;
	rbl_entry e;
	char buf[64];

	CHECK_RC(rbl_ip_explain(t, list, &a, 0, &d, &e), RBL_OK);
	CHECK_STR(rbl_prefix_format(&d, buf), want);
	rbl_txn_abort(t);
}

static void test_bits(rbl_store *s, uint32_t *list)
{
	rbl_txn *t = begin(s, true);
	rbl_prefix p16 = P("10.1.0.0/16");

	*list = make_list(t, "masked", RBL_LIST_IP);
	CHECK_RC(add_ip(t, *list, "10.0.0.0/8", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, *list, "10.1.0.0/16", 3, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, *list, "10.1.2.3", 4, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, *list, "2001:db8::/32", 5, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, *list, "2001:db8::1", 6, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(stored(s, *list, RBL_AF4), "8,16,32");
	CHECK_STR(stored(s, *list, RBL_AF6), "32,128");
	check_explain(s, *list, "10.1.2.3", "10.1.2.3");
	check_explain(s, *list, "10.1.9.9", "10.1.0.0/16");
	check_explain(s, *list, "2001:db8::2", "2001:db8::/32");

	/* a delete leaves the bit: it is only a "maybe" */
	t = begin(s, true);
	CHECK_RC(rbl_ip_del(t, *list, &p16), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(stored(s, *list, RBL_AF4), "8,16,32");
	t = begin(s, true);
	CHECK(lookup_at(t, *list, "10.1.9.9", 0) == 2);
	CHECK(lookup_at(t, *list, "10.1.2.3", 0) == 4);
	rbl_txn_abort(t);

	/* a rebuild (bulk transaction) makes it exact */
	t = begin(s, true);
	rbl_txn_set_bulk(t);
	CHECK_RC(add_ip(t, *list, "10.2.3.0/24", 7, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(stored(s, *list, RBL_AF4), "8,24,32");
}

/* A format 2 store has no masks: the first writer computes them from the
 * entries, and nested adds still see their ancestors. */
static void test_old_store(rbl_store *s, uint32_t list)
{
	rbl_txn *t;

	drop_masks(s, list);
	set_format(s, 2);
	CHECK_STR(stored(s, list, RBL_AF4), "none");
	/* a reader without a record tries every length */
	check_explain(s, list, "10.2.3.4", "10.2.3.0/24");
	t = begin(s, true);
	/* expiring: its segments must hold the ancestors answering after */
	CHECK_RC(add_ip(t, list, "10.2.3.128/25", 8, false, 1000), RBL_OK);
	CHECK(lookup_at(t, list, "10.2.3.200", 999) == 8);
	CHECK(lookup_at(t, list, "10.2.3.200", 1001) == 7);
	CHECK(lookup_at(t, list, "10.2.3.100", 0) == 7);
	CHECK(lookup_at(t, list, "10.9.9.9", 0) == 2);
	CHECK_RC(add_ip(t, list, "2001:db8::/64", 9, false, 1000), RBL_OK);
	CHECK(lookup_at(t, list, "2001:db8::2", 999) == 9);
	CHECK(lookup_at(t, list, "2001:db8::2", 1001) == 5);
	CHECK(lookup_at(t, list, "2001:db8:1::2", 0) == 5);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(stored(s, list, RBL_AF4), "8,24,25,32");
	CHECK_STR(stored(s, list, RBL_AF6), "32,64,128");
	t = begin(s, true);
	CHECK_RC(add_ip(t, list, "10.2.3.129", 10, false, 0), RBL_OK);
	CHECK(lookup_at(t, list, "10.2.3.130", 999) == 8);
	CHECK(lookup_at(t, list, "10.2.3.129", 1001) == 10);
	CHECK(lookup_at(t, list, "10.2.3.130", 1001) == 7);
	CHECK(lookup_at(t, list, "10.2.3.129", 0) == 10);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void test_clear(rbl_store *s, uint32_t list)
{
	rbl_txn *t = begin(s, true);

	CHECK_RC(rbl_list_clear(t, list), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(stored(s, list, RBL_AF4), "none");
	CHECK_STR(stored(s, list, RBL_AF6), "none");
	t = begin(s, true);
	CHECK_RC(add_ip(t, list, "192.0.2.0/24", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, list, "192.0.2.1", 3, false, 0), RBL_OK);
	CHECK(lookup_at(t, list, "192.0.2.2", 0) == 2);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(stored(s, list, RBL_AF4), "24,32");
	CHECK_STR(stored(s, list, RBL_AF6), "none");
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("lenmask"));
	uint32_t list;

	test_bits(s, &list);
	test_old_store(s, list);
	test_clear(s, list);
	rbl_store_close(s);
	return check_done();
}
