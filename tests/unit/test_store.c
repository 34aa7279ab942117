/*
 * test_store.c -- the store: lists, zones, IP and name listings, overlaps,
 * exclusions, expiry, serials, generation, transactions.
 * (Journal, purge, processes: test_store_journal.c; randomized model
 * comparison: test_store_random.c.)
 */
#include "tests/unit/store_test.h"

#define NOW 1700000000

static void test_open_errors(void)
{
	rbl_store *s;
	char path[300];

	CHECK_RC(rbl_store_open("/nonexistent/rbl-store", 0, 0, &s),
		 RBL_ENOTFOUND);
	CHECK_RC(rbl_store_open("/nonexistent/rbl-store", RBL_STORE_RDONLY, 0,
				&s), RBL_ENOTFOUND);
	snprintf(path, sizeof path, "%s/sub", tmp_store_dir("open"));
	CHECK_RC(rbl_store_open(path, RBL_STORE_RDONLY, 0, &s), RBL_ENOTFOUND);
	CHECK_RC(rbl_store_open(path, RBL_STORE_CREATE, 1u << 24, &s), RBL_OK);
	CHECK_STR(rbl_store_path(s), path);
	rbl_store_close(s);
	CHECK_RC(rbl_store_open(path, RBL_STORE_RDONLY, 0, &s), RBL_OK);
	rbl_store_close(s);
}

static void test_lists_zones(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_list l, l2;
	rbl_zone z, z2;
	uint64_t g0, g1;
	uint32_t serial;

	CHECK_RC(rbl_store_generation(t, &g0), RBL_OK);
	memset(&l, 0, sizeof l);
	strcpy(l.name, "spam");
	l.kind = RBL_LIST_IP;
	CHECK_RC(rbl_list_create(t, &l), RBL_OK);
	CHECK(l.id > 0 && l.default_code == 0x7f000002);
	CHECK_RC(rbl_list_create(t, &l), RBL_EEXIST);
	strcpy(l2.name, "bad name");
	l2.kind = RBL_LIST_IP;
	CHECK_RC(rbl_list_create(t, &l2), RBL_EINVAL);
	strcpy(l2.name, "x");
	l2.kind = 9;
	CHECK_RC(rbl_list_create(t, &l2), RBL_EINVAL);
	CHECK_RC(rbl_list_get(t, "spam", &l2), RBL_OK);
	CHECK(l2.id == l.id && l2.kind == RBL_LIST_IP);
	CHECK_RC(rbl_list_get(t, "nope", &l2), RBL_ENOTFOUND);

	rbl_zone_defaults(&z, "BL.Example.");
	z.n_lists = 1;
	z.lists[0].list_id = l.id;
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	CHECK_STR(z.name, "bl.example");
	CHECK(z.serial == 1);
	CHECK_RC(rbl_zone_create(t, &z), RBL_EEXIST);
	CHECK_RC(rbl_zone_get(t, "bl.example", &z2), RBL_OK);
	CHECK_STR(z2.ns[0], "ns.bl.example");
	CHECK(z2.n_lists == 1 && z2.lists[0].list_id == l.id);
	rbl_zone_defaults(&z2, "other.example");
	z2.n_lists = 1;
	z2.lists[0].list_id = 999;
	CHECK_RC(rbl_zone_create(t, &z2), RBL_ENOTFOUND);
	CHECK_RC(rbl_zone_get(t, "other.example", &z2), RBL_ENOTFOUND);
	CHECK_RC(rbl_list_delete(t, l.id), RBL_EBUSY);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	CHECK_RC(rbl_store_generation(t, &g1), RBL_OK);
	CHECK(g1 == g0 + 1);
	CHECK_RC(rbl_zone_serial(t, z.id, &serial), RBL_OK);
	CHECK(serial == 1);
	CHECK_RC(rbl_list_create(t, &l), RBL_EREADONLY);
	rbl_txn_abort(t);

	/* a listing change bumps the serial, not the generation */
	t = begin(s, true);
	CHECK_RC(add_ip(t, l.id, "192.0.2.0/24", 0, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_store_generation(t, &g0), RBL_OK);
	CHECK(g0 == g1);
	CHECK_RC(rbl_zone_serial(t, z.id, &serial), RBL_OK);
	CHECK(serial == 2);
	CHECK_RC(rbl_list_get_id(t, l.id, &l2), RBL_OK);
	CHECK(l2.n_entries == 1);
	rbl_txn_abort(t);

	/* a zone update bumps both */
	t = begin(s, true);
	CHECK_RC(rbl_zone_get(t, "bl.example", &z2), RBL_OK);
	z2.ttl = 60;
	CHECK_RC(rbl_zone_update(t, &z2), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_store_generation(t, &g1), RBL_OK);
	CHECK(g1 == g0 + 1);
	CHECK_RC(rbl_zone_get(t, "bl.example", &z2), RBL_OK);
	CHECK(z2.serial == 3 && z2.ttl == 60);
	rbl_txn_abort(t);

	/* delete zone, then the list */
	t = begin(s, true);
	CHECK_RC(rbl_zone_delete(t, z.id), RBL_OK);
	CHECK_RC(rbl_zone_get(t, "bl.example", &z2), RBL_ENOTFOUND);
	CHECK_RC(rbl_list_delete(t, l.id), RBL_OK);
	CHECK_RC(rbl_list_get(t, "spam", &l2), RBL_ENOTFOUND);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void test_overlaps(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "overlap", RBL_LIST_IP);
	rbl_prefix dec;
	rbl_entry e;

	CHECK_RC(add_ip(t, id, "10.0.0.0/8", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "10.1.0.0/16", 3, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "10.1.2.0/24", 0, true, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "10.1.2.3", 4, false, 0), RBL_OK);
	CHECK(lookup_at(t, id, "10.9.9.9", NOW) == 2);
	CHECK(lookup_at(t, id, "10.1.9.9", NOW) == 3);
	CHECK(lookup_at(t, id, "10.1.2.2", NOW) == -1);
	CHECK(lookup_at(t, id, "10.1.2.3", NOW) == 4);
	CHECK(lookup_at(t, id, "10.1.2.4", NOW) == -1);
	CHECK(lookup_at(t, id, "10.1.3.0", NOW) == 3);
	CHECK(lookup_at(t, id, "11.0.0.0", NOW) == -1);
	CHECK(lookup_at(t, id, "9.255.255.255", NOW) == -1);
	CHECK(lookup_at(t, id, "::a01:203", NOW) == -1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	CHECK(lookup_at(t, id, "10.1.2.3", NOW) == 4);
	{
		rbl_addr a = A("10.1.2.9");

		CHECK_RC(rbl_ip_explain(t, id, &a, NOW, &dec, &e),
			 RBL_ENOTFOUND);
		CHECK(dec.len == 24 && (e.flags & RBL_ENTRY_EXCLUDE));
		a = A("10.1.200.1");
		CHECK_RC(rbl_ip_explain(t, id, &a, NOW, &dec, &e), RBL_OK);
		CHECK(dec.len == 16 && e.codes[0] == 0x7f000003);
		a = A("12.0.0.1");
		CHECK_RC(rbl_ip_explain(t, id, &a, NOW, &dec, &e),
			 RBL_ENOTFOUND);
		CHECK(dec.len == 255);
	}
	rbl_txn_abort(t);

	/* deletes reveal what is below */
	t = begin(s, true);
	{
		rbl_prefix p = P("10.1.2.0/24");

		CHECK_RC(rbl_ip_del(t, id, &p), RBL_OK);
		CHECK_RC(rbl_ip_del(t, id, &p), RBL_ENOTFOUND);
	}
	CHECK(lookup_at(t, id, "10.1.2.2", NOW) == 3);
	CHECK(lookup_at(t, id, "10.1.2.3", NOW) == 4);
	{
		rbl_prefix p = P("10.0.0.0/8");

		CHECK_RC(rbl_ip_del(t, id, &p), RBL_OK);
	}
	CHECK(lookup_at(t, id, "10.9.9.9", NOW) == -1);
	CHECK(lookup_at(t, id, "10.1.9.9", NOW) == 3);
	/* a wider prefix added afterwards sits under the narrower ones */
	CHECK_RC(add_ip(t, id, "0.0.0.0/0", 9, false, 0), RBL_OK);
	CHECK(lookup_at(t, id, "10.1.9.9", NOW) == 3);
	CHECK(lookup_at(t, id, "200.1.1.1", NOW) == 9);
	CHECK(lookup_at(t, id, "255.255.255.255", NOW) == 9);
	CHECK(lookup_at(t, id, "0.0.0.0", NOW) == 9);
	CHECK(lookup_at(t, id, "::1", NOW) == -1);
	/* replacing an entry keeps one entry */
	CHECK_RC(add_ip(t, id, "0.0.0.0/0", 8, false, 0), RBL_OK);
	CHECK(lookup_at(t, id, "200.1.1.1", NOW) == 8);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	{
		rbl_list l;

		CHECK_RC(rbl_list_get_id(t, id, &l), RBL_OK);
		CHECK(l.n_entries == 3);
	}
	rbl_txn_abort(t);
}

static void test_ipv6(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "six", RBL_LIST_IP);

	CHECK_RC(add_ip(t, id, "2001:db8::/32", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "2001:db8:1::/48", 3, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "2001:db8:1:2::/64", 0, true, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "2001:db8:1:2::7", 5, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "::ffff:7f00:2", 6, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "127.0.0.2", 7, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 8,
			false, 0), RBL_OK);
	CHECK(lookup_at(t, id, "2001:db8:ffff::1", NOW) == 2);
	CHECK(lookup_at(t, id, "2001:db8:1:ffff::1", NOW) == 3);
	CHECK(lookup_at(t, id, "2001:db8:1:2::6", NOW) == -1);
	CHECK(lookup_at(t, id, "2001:db8:1:2::7", NOW) == 5);
	CHECK(lookup_at(t, id, "2001:db9::", NOW) == -1);
	CHECK(lookup_at(t, id, "::ffff:7f00:2", NOW) == 6);
	CHECK(lookup_at(t, id, "127.0.0.2", NOW) == 7);
	CHECK(lookup_at(t, id, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			NOW) == 8);
	CHECK(lookup_at(t, id, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
			NOW) == -1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, id, "2001:db8:1:2::7", NOW) == 5);
	{
		rbl_prefix p = P("2001:db8:1:2::/64");

		CHECK(rbl_ip_any_within(t, id, &p, NOW) == 1);
		p = P("2001:db8:1:2::/120");
		CHECK(rbl_ip_any_within(t, id, &p, NOW) == 1);
		p = P("2001:db8:1:2::100/120");
		CHECK(rbl_ip_any_within(t, id, &p, NOW) == 0);
		p = P("2001:db9::/32");
		CHECK(rbl_ip_any_within(t, id, &p, NOW) == 0);
		p = P("::/0");
		CHECK(rbl_ip_any_within(t, id, &p, NOW) == 1);
	}
	rbl_txn_abort(t);
}

static void test_expiry(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "expiry", RBL_LIST_IP);

	CHECK_RC(add_ip(t, id, "198.51.100.0/24", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "198.51.100.7", 3, false, NOW + 10), RBL_OK);
	CHECK_RC(add_ip(t, id, "198.51.100.128/25", 0, true, NOW + 10),
		 RBL_OK);
	CHECK_RC(add_ip(t, id, "203.0.113.0/24", 4, false, NOW + 10), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, id, "198.51.100.7", NOW) == 3);
	CHECK(lookup_at(t, id, "198.51.100.7", NOW + 10) == 2);
	CHECK(lookup_at(t, id, "198.51.100.200", NOW) == -1);
	CHECK(lookup_at(t, id, "198.51.100.200", NOW + 11) == 2);
	CHECK(lookup_at(t, id, "203.0.113.1", NOW + 9) == 4);
	CHECK(lookup_at(t, id, "203.0.113.1", NOW + 10) == -1);
	{
		rbl_prefix p = P("203.0.113.0/24");

		CHECK(rbl_ip_any_within(t, id, &p, NOW) == 1);
		CHECK(rbl_ip_any_within(t, id, &p, NOW + 10) == 0);
		p = P("198.51.100.128/25");
		CHECK(rbl_ip_any_within(t, id, &p, NOW) == 0);
		CHECK(rbl_ip_any_within(t, id, &p, NOW + 10) == 1);
	}
	rbl_txn_abort(t);
}

static void test_names(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "dom", RBL_LIST_NAME);
	rbl_entry e;
	rbl_match m;

	rbl_entry_init(&e);
	e.n_codes = 1;
	e.codes[0] = 0x7f000002;
	CHECK_RC(rbl_name_add(t, id, "Bad.Example.COM", &e), RBL_OK);
	e.codes[0] = 0x7f000003;
	CHECK_RC(rbl_name_add(t, id, "*.wild.example", &e), RBL_OK);
	e.codes[0] = 0x7f000004;
	CHECK_RC(rbl_name_add(t, id, ".both.example", &e), RBL_OK);
	e.flags = RBL_ENTRY_EXCLUDE;
	CHECK_RC(rbl_name_add(t, id, "good.wild.example", &e), RBL_OK);
	e.flags = RBL_ENTRY_EXCLUDE | RBL_ENTRY_NAME_SUBS;
	CHECK_RC(rbl_name_add(t, id, "ok.both.example", &e), RBL_OK);
	e.flags = RBL_ENTRY_HAS_TXT;
	e.codes[0] = 0x7f000005;
	strcpy(e.txt, "listed: $");
	CHECK_RC(rbl_name_add(t, id, "x.ok.both.example", &e), RBL_OK);
	e.expires = NOW + 5;
	e.flags = 0;
	e.codes[0] = 0x7f000006;
	CHECK_RC(rbl_name_add(t, id, "temp.example", &e), RBL_OK);
	e.flags = RBL_ENTRY_NAME_SUBS;
	e.expires = 0;
	e.codes[0] = 0x7f000007;
	CHECK_RC(rbl_name_add(t, id, "example", &e), RBL_OK);

	CHECK(name_at(t, id, "bad.example.com", NOW) == 2);
	CHECK(name_at(t, id, "BAD.EXAMPLE.COM.", NOW) == 2);
	CHECK(name_at(t, id, "x.bad.example.com", NOW) == -1);
	CHECK(name_at(t, id, "example.com", NOW) == -1);
	CHECK(name_at(t, id, "wild.example", NOW) == 7);	/* *.example */
	CHECK(name_at(t, id, "a.wild.example", NOW) == 3);
	CHECK(name_at(t, id, "a.b.wild.example", NOW) == 3);
	CHECK(name_at(t, id, "good.wild.example", NOW) == -1);
	CHECK(name_at(t, id, "sub.good.wild.example", NOW) == 3);
	CHECK(name_at(t, id, "both.example", NOW) == 4);
	CHECK(name_at(t, id, "a.both.example", NOW) == 4);
	CHECK(name_at(t, id, "ok.both.example", NOW) == 4);	/* SUBS only */
	CHECK(name_at(t, id, "a.ok.both.example", NOW) == -1);
	CHECK(name_at(t, id, "x.ok.both.example", NOW) == 5);
	CHECK(name_at(t, id, "temp.example", NOW) == 6);
	CHECK(name_at(t, id, "temp.example", NOW + 5) == 7);
	CHECK(name_at(t, id, "example", NOW) == -1);
	CHECK(name_at(t, id, "other", NOW) == -1);
	CHECK_RC(rbl_name_lookup_str(t, id, "x.ok.both.example", NOW, &m),
		 RBL_OK);
	CHECK(m.has_txt && m.txt_len == 9 && !memcmp(m.txt, "listed: $", 9));
	CHECK(m.list_id == id);

	CHECK_RC(rbl_name_get(t, id, "*.wild.example", &e), RBL_OK);
	CHECK(e.flags == RBL_ENTRY_NAME_SUBS);
	CHECK_RC(rbl_name_get(t, id, "bad.example.com", &e), RBL_OK);
	CHECK(e.flags == RBL_ENTRY_NAME_EXACT);
	CHECK_RC(rbl_name_add(t, id, "bad..example", &e), RBL_EINVAL);
	CHECK_RC(rbl_name_add(t, id, "", &e), RBL_EINVAL);
	CHECK_RC(rbl_name_add(t, id, "has space.example", &e), RBL_EINVAL);
	{
		rbl_prefix p = P("1.2.3.4");

		CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);	/* kind */
	}
	CHECK_RC(rbl_name_del(t, id, "bad.example.com"), RBL_OK);
	CHECK_RC(rbl_name_del(t, id, "bad.example.com"), RBL_ENOTFOUND);
	CHECK(name_at(t, id, "bad.example.com", NOW) == -1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	{
		const uint8_t *labels[3] = { (const uint8_t *)"Both",
					     (const uint8_t *)"example",
					     (const uint8_t *)"x" };
		uint8_t lens[3] = { 4, 7, 1 };

		/* "example" has entries below it; "both.example" too */
		CHECK(rbl_name_has_below(t, id, labels + 1, lens + 1, 1, NOW)
		      == 1);
		CHECK(rbl_name_has_below(t, id, labels, lens, 2, NOW) == 1);
		CHECK(rbl_name_has_below(t, id, labels + 2, lens + 2, 1, NOW)
		      == 0);
		CHECK_RC(rbl_name_lookup(t, id, labels, lens, 2, NOW, &m),
			 RBL_OK);
		CHECK(m.codes[0] == 0x7f000004);
	}
	CHECK(name_at(t, id, "a.wild.example", NOW) == 3);
	rbl_txn_abort(t);
}

static void test_abort_and_invalid(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "abort", RBL_LIST_IP);
	rbl_prefix p;
	rbl_entry e;
	rbl_list l;

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	CHECK_RC(add_ip(t, id, "192.0.2.1", 0, false, 0), RBL_OK);
	rbl_txn_abort(t);
	t = begin(s, false);
	CHECK(lookup_at(t, id, "192.0.2.1", NOW) == -1);
	CHECK_RC(rbl_list_get_id(t, id, &l), RBL_OK);
	CHECK(l.n_entries == 0);
	rbl_txn_abort(t);

	t = begin(s, true);
	rbl_entry_init(&e);
	p = P("192.0.2.0/24");
	p.addr.bytes[3] = 1;		/* host bits */
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	p = P("192.0.2.0/24");
	p.len = 33;
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	p = P("192.0.2.0/24");
	p.addr.family = 5;
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	p = P("192.0.2.0/24");
	CHECK_RC(rbl_ip_add(t, 4242, &p, &e), RBL_ENOTFOUND);
	e.n_codes = 5;
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	e.n_codes = 1;
	e.codes[0] = 0x0a000001;	/* not 127/8 */
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	e.codes[0] = 0x7f000002;
	e.flags = RBL_ENTRY_NAME_SUBS;
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	e.flags = 0;
	memset(e.txt, 'x', sizeof e.txt);	/* not terminated */
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	rbl_entry_init(&e);
	e.expires = -5;
	CHECK_RC(rbl_ip_add(t, id, &p, &e), RBL_EINVAL);
	/* the transaction stays usable after rejected input */
	CHECK_RC(add_ip(t, id, "192.0.2.9", 0, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, id, "192.0.2.9", NOW) == 0);
	CHECK(lookup_at(t, id, "192.0.2.1", NOW) == -1);
	CHECK_RC(rbl_list_get_id(t, id, &l), RBL_OK);
	CHECK(l.n_entries == 1);
	rbl_txn_abort(t);
}

static void test_simple_zone(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_zone z;
	rbl_list l;

	CHECK_RC(rbl_zone_create_simple(t, "simple.example", RBL_LIST_IP, &z),
		 RBL_OK);
	CHECK_RC(rbl_zone_create_simple(t, "names.example", RBL_LIST_NAME,
					NULL), RBL_OK);
	CHECK_RC(rbl_zone_create_simple(t, "simple.example", RBL_LIST_IP,
					NULL), RBL_EEXIST);
	CHECK_RC(rbl_zone_create_simple(t, "bad name", RBL_LIST_IP, NULL),
		 RBL_EINVAL);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(z.n_lists == 1);
	CHECK(lookup_at(t, z.lists[0].list_id, "127.0.0.2", NOW) == 0);
	CHECK(lookup_at(t, z.lists[0].list_id, "127.0.0.1", NOW) == -1);
	CHECK(lookup_at(t, z.lists[0].list_id, "::ffff:7f00:2", NOW) == 0);
	CHECK(lookup_at(t, z.lists[0].list_id, "::ffff:7f00:1", NOW) == -1);
	CHECK_RC(rbl_list_get(t, "names.example", &l), RBL_OK);
	CHECK(name_at(t, l.id, "test", NOW) == 0);
	CHECK(name_at(t, l.id, "invalid", NOW) == -1);
	CHECK(l.n_entries == 2);
	rbl_txn_abort(t);
	t = begin(s, true);
	CHECK_RC(rbl_list_add_test_entries(t, l.id), RBL_OK);	/* again */
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_list_get(t, "names.example", &l), RBL_OK);
	CHECK(l.n_entries == 2);
	rbl_txn_abort(t);

	/* a zone's entries: its lists' added up, per attachment */
	t = begin(s, false);
	CHECK_RC(rbl_list_get_id(t, z.lists[0].list_id, &l), RBL_OK);
	CHECK(l.n_entries > 0 && rbl_zone_entries(t, &z) == l.n_entries);
	z.lists[z.n_lists++] = z.lists[0];	/* in memory only */
	CHECK(rbl_zone_entries(t, &z) == 2 * l.n_entries);
	z.lists[1].list_id = 999999;		/* no such list: nothing */
	CHECK(rbl_zone_entries(t, &z) == l.n_entries);
	rbl_txn_abort(t);
}

struct walk {
	unsigned n;
	char text[32][300];
};

static int walk_ip(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	struct walk *w = arg;
	char buf[RBL_ADDR_STRLEN];

	if (w->n < 32)
		snprintf(w->text[w->n], sizeof w->text[0], "%s%s",
			 e->flags & RBL_ENTRY_EXCLUDE ? "!" : "",
			 rbl_prefix_format(p, buf));
	return ++w->n == 100 ? 42 : 0;
}

static int walk_name(void *arg, const char *name, const rbl_entry *e)
{
	struct walk *w = arg;

	if (w->n < 32)
		snprintf(w->text[w->n], sizeof w->text[0], "%s%s",
			 e->flags & RBL_ENTRY_NAME_SUBS ? "*." : "", name);
	w->n++;
	return 0;
}

static int walk_list(void *arg, const rbl_list *l)
{
	struct walk *w = arg;

	if (w->n < 32)
		snprintf(w->text[w->n], sizeof w->text[0], "%s", l->name);
	w->n++;
	return 0;
}

static int walk_zone(void *arg, const rbl_zone *z)
{
	struct walk *w = arg;

	if (w->n < 32)
		snprintf(w->text[w->n], sizeof w->text[0], "%s", z->name);
	w->n++;
	return 0;
}

/* Ranges become their minimal CIDR cover; walks come in documented order. */
static void test_ranges_and_walks(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "walks", RBL_LIST_IP);
	uint32_t nid = make_list(t, "walkn", RBL_LIST_NAME);
	rbl_prefix pfx[64], within;
	rbl_addr lo, hi;
	struct walk w;
	rbl_entry e;
	size_t n;

	CHECK_RC(rbl_range_parse("1.2.3.4-1.2.3.200", &lo, &hi), RBL_OK);
	CHECK_RC(rbl_range_to_prefixes(&lo, &hi, pfx, 64, &n), RBL_OK);
	rbl_entry_init(&e);
	for (size_t i = 0; i < n; i++)
		CHECK_RC(rbl_ip_add(t, id, &pfx[i], &e), RBL_OK);
	CHECK(lookup_at(t, id, "1.2.3.3", NOW) == -1);
	CHECK(lookup_at(t, id, "1.2.3.4", NOW) == 0);
	CHECK(lookup_at(t, id, "1.2.3.100", NOW) == 0);
	CHECK(lookup_at(t, id, "1.2.3.200", NOW) == 0);
	CHECK(lookup_at(t, id, "1.2.3.201", NOW) == -1);
	CHECK_RC(add_ip(t, id, "1.2.3.0/24", 0, true, 0), RBL_OK);
	CHECK_RC(add_ip(t, id, "::1", 0, false, 0), RBL_OK);
	memset(&w, 0, sizeof w);
	CHECK_RC(rbl_ip_foreach(t, id, NULL, walk_ip, &w), RBL_OK);
	CHECK(w.n == n + 2);
	CHECK_STR(w.text[0], "!1.2.3.0/24");
	CHECK_STR(w.text[1], "1.2.3.4/30");
	CHECK_STR(w.text[n + 1], "::1");
	memset(&w, 0, sizeof w);
	within = P("1.2.3.128/25");
	CHECK_RC(rbl_ip_foreach(t, id, &within, walk_ip, &w), RBL_OK);
	CHECK(w.n == 3);
	CHECK_STR(w.text[0], "1.2.3.128/26");
	CHECK_STR(w.text[1], "1.2.3.192/29");
	CHECK_STR(w.text[2], "1.2.3.200");

	CHECK_RC(rbl_name_add(t, nid, "b.example", &e), RBL_OK);
	CHECK_RC(rbl_name_add(t, nid, "*.a.example", &e), RBL_OK);
	CHECK_RC(rbl_name_add(t, nid, "x.a.example", &e), RBL_OK);
	CHECK_RC(rbl_name_add(t, nid, "example.org", &e), RBL_OK);
	memset(&w, 0, sizeof w);
	CHECK_RC(rbl_name_foreach(t, nid, walk_name, &w), RBL_OK);
	CHECK(w.n == 4);
	CHECK_STR(w.text[0], "*.a.example");
	CHECK_STR(w.text[1], "x.a.example");
	CHECK_STR(w.text[2], "b.example");
	CHECK_STR(w.text[3], "example.org");
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	memset(&w, 0, sizeof w);
	CHECK_RC(rbl_list_foreach(t, walk_list, &w), RBL_OK);
	CHECK(w.n >= 2);
	for (unsigned i = 1; i < w.n && i < 32; i++)
		CHECK(strcmp(w.text[i - 1], w.text[i]) < 0);
	memset(&w, 0, sizeof w);
	CHECK_RC(rbl_zone_foreach(t, walk_zone, &w), RBL_OK);
	for (unsigned i = 1; i < w.n && i < 32; i++)
		CHECK(strcmp(w.text[i - 1], w.text[i]) < 0);
	rbl_txn_abort(t);
}

/* A full map fails the transaction cleanly; the store stays usable. */
static void test_map_full(void)
{
	rbl_store *s;
	rbl_txn *t;
	uint32_t id;
	int rc = RBL_OK;
	char buf[64];

	CHECK_RC(rbl_store_open(tmp_store_dir("full"), RBL_STORE_CREATE,
				1u << 20, &s), RBL_OK);
	t = begin(s, true);
	id = make_list(t, "full", RBL_LIST_IP);
	CHECK_RC(add_ip(t, id, "192.0.2.1", 0, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	/* a distinct expiry per entry: plain entries pack so tightly
	 * (store_chunk.h) that 200000 of them fit in 1 MiB */
	for (int i = 0; i < 200000 && rc == RBL_OK; i++) {
		snprintf(buf, sizeof buf, "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
			 i & 255);
		rc = add_ip(t, id, buf, 0, false, NOW + 1000 + i);
	}
	CHECK_RC(rc, RBL_EMAPFULL);
	CHECK_RC(add_ip(t, id, "192.0.2.2", 0, false, 0), RBL_EMAPFULL);
	CHECK_RC(rbl_txn_commit(t), RBL_EMAPFULL);
	t = begin(s, true);
	CHECK(lookup_at(t, id, "192.0.2.1", NOW) == 0);
	CHECK(lookup_at(t, id, "10.0.0.1", NOW) == -1);
	CHECK_RC(add_ip(t, id, "192.0.2.3", 0, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	rbl_store_close(s);
}

int main(void)
{
	rbl_store *s;

	test_open_errors();
	s = open_rw(tmp_store_dir("store"));
	test_lists_zones(s);
	test_overlaps(s);
	test_ipv6(s);
	test_expiry(s);
	test_names(s);
	test_abort_and_invalid(s);
	test_simple_zone(s);
	test_ranges_and_walks(s);
	rbl_store_close(s);
	test_map_full();
	return check_done();
}
