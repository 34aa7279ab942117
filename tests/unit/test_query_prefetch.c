/*
 * test_query_prefetch.c -- rbl_engine_ahead, the prefetch udp.c runs over
 * a batch ahead of the answers (engine.h): with it, a batch is answered
 * byte for byte as without it, for any packet (listed and unlisted
 * addresses, a combined zone with a sub-label, IPv6, names, the apex,
 * CHAOS, a transfer, another zone, garbage, a response); it counts
 * nothing; it says whether it pays (a big list with its chunk index
 * ready), and not before the index of a new snapshot is built.  The
 * store's "big" is lowered for the test (a few chunks instead of 4096).
 */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "rbld/engine.h"
#include "tests/unit/store_test.h"
/* the store's side: the test's threshold for "big" */
#include "zone/store/store_impl.h"

#define NOW 1700000000
#define HOSTS 6000
#define MAX_PKTS 48

static rbl_store *store;
static rbl_engine eng;
static rbl_engine_conf econf = { .version = "test", .edns_buffer_max = 1232 };
static uint8_t pkt[MAX_PKTS][512];
static size_t pkt_len[MAX_PKTS];
static unsigned n_pkts;

/* Host I of the big list: spread over the space by a multiplier. */
static uint32_t host(unsigned i)
{
	return (uint32_t)(i * 2654435761u) | 1u;
}

static void reverse_name(uint32_t a, const char *zone, char *out, size_t n)
{
	snprintf(out, n, "%u.%u.%u.%u.%s", a & 255, a >> 8 & 255,
		 a >> 16 & 255, a >> 24, zone);
}

/* bl.test: HOSTS /32s (a summary and a chunk index of several chunks),
 * a /24 with an exclusion; zen.test: bl.test's list at the apex and a
 * small one under "pbl"; dbl.test: a name list. */
static void make_store(void)
{
	rbl_txn *t = NULL;
	rbl_zone z = { 0 }, zen = { 0 };
	uint32_t big = 0, small = 0;
	rbl_entry e = { 0 };

	store = open_rw(tmp_store_dir("qprefetch"));
	t = begin(store, true);
	CHECK_RC(rbl_zone_create_simple(t, "bl.test", RBL_LIST_IP, &z),
		 RBL_OK);
	big = z.lists[0].list_id;
	rbl_txn_set_bulk(t);
	for (unsigned i = 0; i < HOSTS; i++) {
		rbl_prefix p = { 0 };

		p.addr.family = RBL_AF4;
		rbl_put_be32(p.addr.bytes, host(i));
		p.len = 32;
		rbl_entry_init(&e);
		CHECK_RC(rbl_ip_add(t, big, &p, &e), RBL_OK);
	}
	CHECK_RC(add_ip(t, big, "192.0.2.0/24", 3, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, big, "192.0.2.5", 0, true, 0), RBL_OK);
	small = make_list(t, "pbl", RBL_LIST_IP);
	CHECK_RC(add_ip(t, small, "203.0.113.9", 10, false, 0), RBL_OK);
	rbl_zone_defaults(&zen, "zen.test");
	zen.n_lists = 2;
	zen.lists[0].list_id = big;
	zen.lists[1].list_id = small;
	snprintf(zen.lists[1].sub, sizeof zen.lists[1].sub, "pbl");
	CHECK_RC(rbl_zone_create(t, &zen), RBL_OK);
	CHECK_RC(rbl_zone_create_simple(t, "dbl.test", RBL_LIST_NAME, &z),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void add_query(const char *name, ldns_rr_type type,
		      ldns_rr_class class)
{
	ldns_rdf *qname = ldns_dname_new_frm_str(name);
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	CHECK(qname != NULL && n_pkts < MAX_PKTS);
	q = ldns_pkt_query_new(qname, type, class, LDNS_RD);
	CHECK(q != NULL);
	ldns_pkt_set_id(q, (uint16_t)(n_pkts + 1));
	CHECK(ldns_pkt2wire(&wire, q, &len) == LDNS_STATUS_OK &&
	      len <= sizeof pkt[0]);
	memcpy(pkt[n_pkts], wire, len);
	pkt_len[n_pkts++] = len;
	free(wire);
	ldns_pkt_free(q);
}

static void make_packets(void)
{
	static const char *const names[] = {
		"5.2.0.192.bl.test", "6.2.0.192.bl.test", "1.1.1.1.bl.test",
		"9.113.0.203.pbl.zen.test", "8.113.0.203.pbl.zen.test",
		"6.2.0.192.zen.test", "2.0.192.bl.test", "bl.test",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test",
		"a.b.c.d.bl.test", "bad.example.dbl.test", "4.3.2.1.nowhere.test",
		"1.2.3.4.5.bl.test",
	};
	char name[64];

	for (unsigned i = 0; i < 12; i++) {
		reverse_name(host(i * 397), i % 2 ? "bl.test" : "zen.test",
			     name, sizeof name);
		add_query(name, i % 3 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_TXT,
			  LDNS_RR_CLASS_IN);
		reverse_name(host(i * 397) + 2, "bl.test", name, sizeof name);
		add_query(name, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN);
	}
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		add_query(names[i], LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN);
	add_query("version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH);
	add_query("bl.test", LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN);
	add_query("5.2.0.192.bl.test", LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY);
	/* a response, a header alone, garbage, a question cut short */
	memcpy(pkt[n_pkts], pkt[0], pkt_len[0]);
	pkt[n_pkts][2] |= 0x80;
	pkt_len[n_pkts] = pkt_len[0];
	n_pkts++;
	pkt_len[n_pkts++] = 12;
	memset(pkt[n_pkts], 0xc0, 40);
	pkt_len[n_pkts++] = 40;
	memcpy(pkt[n_pkts], pkt[1], pkt_len[1]);
	pkt_len[n_pkts] = 20;
	n_pkts++;
}

static const uint8_t *pkt_at[MAX_PKTS];
static rbl_prefetch pf[MAX_PKTS];

/* One batch as udp.c answers it, prefetching ahead when WARM: the
 * answers to ANS (lengths to LEN, 0: none) and whether the engine said
 * prefetching paid. */
static bool batch(bool warm, uint8_t ans[][1232], size_t *len)
{
	rbl_batch b = { .pkt = pkt_at, .len = pkt_len, .pf = pf,
			.n = n_pkts };
	bool ahead = warm, paid = false;

	CHECK_RC(rbl_engine_begin(&eng, NOW), RBL_OK);
	for (unsigned i = 0; i < n_pkts; i++) {
		if (ahead)
			paid = ahead = rbl_engine_ahead(&eng, &b, i);
		len[i] = 0;
		if (rbl_engine_answer(&eng, pkt[i], pkt_len[i],
				      RBL_TRANSPORT_UDP, ans[i], 1232,
				      &len[i]) != RBL_OK)
			len[i] = 0;
	}
	rbl_engine_end(&eng);
	return paid;
}

static uint8_t want[MAX_PKTS][1232], got[MAX_PKTS][1232];
static size_t want_len[MAX_PKTS], got_len[MAX_PKTS];

static unsigned differences(void)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < n_pkts; i++)
		if (got_len[i] != want_len[i] ||
		    memcmp(got[i], want[i], want_len[i]) != 0) {
			fprintf(stderr, "packet %u answered differently\n", i);
			bad++;
		}
	return bad;
}

static void test_same_answers(void)
{
	rbl_batch b = { .pkt = pkt_at, .len = pkt_len, .pf = pf,
			.n = n_pkts };
	unsigned listed = 0, found = 0;
	uint64_t queries = 0;

	eng.txn->ix_big = 2;
	/* the first batch builds the index as it answers */
	CHECK(!batch(false, want, want_len));
	for (unsigned i = 0; i < n_pkts; i++)
		listed += want_len[i] > 0 && (want[i][7] | want[i][6]) != 0;
	CHECK(listed > 10);
	CHECK(batch(true, got, got_len));
	CHECK(differences() == 0);
	/* prefetching counts nothing, and finds the addresses */
	queries = eng.stats->queries;
	CHECK_RC(rbl_engine_begin(&eng, NOW), RBL_OK);
	for (unsigned i = 0; i < n_pkts; i++)
		CHECK(rbl_engine_ahead(&eng, &b, i));
	rbl_engine_end(&eng);
	CHECK(eng.stats->queries == queries);
	for (unsigned i = 0; i < n_pkts; i++)
		found += pf[i].on;
	CHECK(pf[0].on && pf[0].addr.family == RBL_AF4 && pf[0].addr.bytes[3] ==
	      (host(0) & 255));
	/* the 24 addresses, 3 names of bl.test, 2 of pbl.zen.test, 1 of
	 * zen.test; not a.b.c.d (IPv6), nor 2.0.192, 1.2.3.4.5, another
	 * class */
	CHECK(found == 24 + 6);
	/* the list is not big by the store's own measure: no prefetch */
	eng.txn->ix_big = 0;
	CHECK(!batch(true, got, got_len));
	CHECK(differences() == 0);
}

/* After a commit the index of the new snapshot is built by lookups; until
 * then prefetching does not pay, and the answers follow the change. */
static void test_new_snapshot(void)
{
	rbl_txn *t = begin(store, true);
	rbl_zone z = { 0 };

	CHECK_RC(rbl_zone_get(t, "bl.test", &z), RBL_OK);
	CHECK_RC(add_ip(t, z.lists[0].list_id, "1.1.1.1", 7, false, 0),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	eng.txn->ix_big = 2;
	CHECK(!batch(true, want, want_len));
	CHECK(batch(true, got, got_len));
	CHECK(differences() == 0);
	CHECK(!batch(false, got, got_len));	/* none asked */
	CHECK(differences() == 0);
}

int main(void)
{
	make_store();
	make_packets();
	for (unsigned i = 0; i < n_pkts; i++)
		pkt_at[i] = pkt[i];
	CHECK_RC(rbl_engine_init(&eng, store, &econf, NULL), RBL_OK);
	test_same_answers();
	test_new_snapshot();
	rbl_engine_fini(&eng);
	rbl_store_close(store);
	return check_done();
}
