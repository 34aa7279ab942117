/*
 * test_query.c -- the query engine without sockets: in-memory packets in,
 * answers checked field by field (and byte by byte where it matters),
 * against a temporary store made with the store API.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "zone/store/store.h"
#include "rbld/engine.h"
#include "tests/unit/check.h"

#define NOW 1700000000

static rbl_store *store;
static rbl_engine eng;
static rbl_engine_conf econf = { .version = "rbld test", .edns_buffer_max = 1232 };
static uint8_t qbuf[70000], abuf[70000];
static size_t alen;
static char tmpdir[] = "/tmp/test_query.XXXXXX";

/* ------------------------------------------------------------ packets */

typedef struct qopt {
	uint16_t id, type, class;
	int edns;		/* UDP size, or -1 for no OPT */
	uint8_t version;
	bool do_bit;
	uint8_t opcode;
} qopt;

static size_t put_name(uint8_t *p, const char *name)
{
	size_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p[o++] = (uint8_t)l;
		memcpy(p + o, name, l);
		o += l;
		name += l + (dot ? 1 : 0);
	}
	p[o++] = 0;
	return o;
}

static size_t put_opt(uint8_t *p, int size, uint8_t version, bool do_bit)
{
	uint8_t opt[11] = { 0, 0, 41 };

	dns_put16(opt + 3, (uint16_t)size);
	opt[6] = version;
	opt[7] = do_bit ? 0x80 : 0;
	memcpy(p, opt, sizeof(opt));
	return sizeof(opt);
}

static size_t make_query(uint8_t *p, const char *name, const qopt *o)
{
	size_t n;

	memset(p, 0, DNS_HDR_LEN);
	dns_put16(p, o->id ? o->id : 0x1234);
	p[2] = (uint8_t)(DNS_FLAG_RD | (o->opcode << 3));
	dns_put16(p + 4, 1);
	n = DNS_HDR_LEN + put_name(p + DNS_HDR_LEN, name);
	dns_put16(p + n, o->type ? o->type : DNS_T_A);
	dns_put16(p + n + 2, o->class ? o->class : DNS_C_IN);
	n += 4;
	if (o->edns >= 0) {
		dns_put16(p + 10, 1);
		n += put_opt(p + n, o->edns, o->version, o->do_bit);
	}
	return n;
}

/* Answer LEN bytes at QBUF at time NOW; returns the engine's result. */
static int run_raw(size_t len, int transport, int64_t now)
{
	int rc;

	rbl_engine_begin(&eng, now);
	rc = rbl_engine_answer(&eng, qbuf, len, transport, abuf, sizeof(abuf),
			       &alen);
	rbl_engine_end(&eng);
	return rc;
}

static ldns_pkt *ask_full(const char *name, const qopt *o, int transport,
			  int64_t now)
{
	ldns_pkt *p = NULL;
	size_t len = make_query(qbuf, name, o);

	if (run_raw(len, transport, now) != RBL_OK)
		return NULL;
	if (ldns_wire2pkt(&p, abuf, alen) != LDNS_STATUS_OK)
		return NULL;
	return p;
}

static ldns_pkt *ask(const char *name, uint16_t type)
{
	qopt o = { .type = type, .edns = -1 };

	return ask_full(name, &o, RBL_TRANSPORT_UDP, NOW);
}

/* "127.0.0.2 127.0.0.4" from the A records of the answer, or TXT text. */
static char *answers(ldns_pkt *p, ldns_rr_type type, char *buf, size_t size)
{
	ldns_rr_list *an = ldns_pkt_answer(p);

	buf[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		char *s;

		if (ldns_rr_get_type(rr) != type)
			continue;
		s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		if (buf[0])
			strncat(buf, " ", size - strlen(buf) - 1);
		strncat(buf, s, size - strlen(buf) - 1);
		free(s);
	}
	return buf;
}

static int rcode_of(ldns_pkt *p)
{
	return p ? (int)ldns_pkt_get_rcode(p) : -1;
}

static uint32_t soa_ttl(ldns_pkt *p)
{
	ldns_rr_list *ns = ldns_pkt_authority(p);

	if (ldns_rr_list_rr_count(ns) != 1 ||
	    ldns_rr_get_type(ldns_rr_list_rr(ns, 0)) != LDNS_RR_TYPE_SOA)
		return 0;
	return ldns_rr_ttl(ldns_rr_list_rr(ns, 0));
}

/* ------------------------------------------------------------- store */

static void add_ip(rbl_txn *t, uint32_t list, const char *cidr,
		   uint32_t code, const char *txt, int64_t expires,
		   bool exclude)
{
	rbl_prefix p;
	rbl_entry e;

	rbl_entry_init(&e);
	CHECK_RC(rbl_prefix_parse(cidr, true, &p), RBL_OK);
	if (code) {
		e.n_codes = 1;
		e.codes[0] = code;
	}
	if (txt) {
		e.flags |= RBL_ENTRY_HAS_TXT;
		snprintf(e.txt, sizeof(e.txt), "%s", txt);
	}
	if (exclude)
		e.flags |= RBL_ENTRY_EXCLUDE;
	e.expires = expires;
	CHECK_RC(rbl_ip_add(t, list, &p, &e), RBL_OK);
}

static uint32_t new_list(rbl_txn *t, const char *name, int kind,
			 uint32_t code, const char *txt)
{
	rbl_list l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.kind = (uint8_t)kind;
	l.default_code = code;
	if (txt) {
		l.has_default_txt = 1;
		snprintf(l.default_txt, sizeof(l.default_txt), "%s", txt);
	}
	CHECK_RC(rbl_list_create(t, &l), RBL_OK);
	return l.id;
}

/* bl.test: IP list with test entries, 192.0.2.0/24 (.3, TXT), !192.0.2.5,
 * 2001:db8::/32, 198.51.100.7 expiring at NOW+10; glue for ns.bl.test. */
static void make_bl(rbl_txn *t)
{
	rbl_zone z;
	uint32_t id;

	CHECK_RC(rbl_zone_create_simple(t, "bl.test", RBL_LIST_IP, &z), RBL_OK);
	id = z.lists[0].list_id;
	add_ip(t, id, "192.0.2.0/24", 0x7f000003, "Listed: $", 0, false);
	add_ip(t, id, "192.0.2.5", 0, NULL, 0, true);
	add_ip(t, id, "2001:db8::/32", 0, "v6 $", 0, false);
	add_ip(t, id, "198.51.100.7", 0, NULL, NOW + 10, false);
	snprintf(z.ns[0], sizeof(z.ns[0]), "ns.bl.test");
	z.n_ns = 1;
	snprintf(z.glue[0].name, sizeof(z.glue[0].name), "ns.bl.test");
	rbl_addr_parse("192.0.2.53", &z.glue[0].addr);
	snprintf(z.glue[1].name, sizeof(z.glue[1].name), "ns.bl.test");
	rbl_addr_parse("2001:db8::53", &z.glue[1].addr);
	z.n_glue = 2;
	z.neg_ttl = 120;
	CHECK_RC(rbl_zone_update(t, &z), RBL_OK);
}

static void make_dbl(rbl_txn *t)
{
	rbl_zone z;
	rbl_entry e;

	CHECK_RC(rbl_zone_create_simple(t, "dbl.test", RBL_LIST_NAME, &z),
		 RBL_OK);
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_NAME_EXACT | RBL_ENTRY_HAS_TXT;
	snprintf(e.txt, sizeof(e.txt), "domain $ is bad");
	CHECK_RC(rbl_name_add(t, z.lists[0].list_id, "bad.example.com", &e),
		 RBL_OK);
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_NAME_SUBS;
	CHECK_RC(rbl_name_add(t, z.lists[0].list_id, "wild.example", &e),
		 RBL_OK);
}

/* zen.test: lists a (.2), b (.4) at the zone, c (.10) under "pbl"; long
 * default TXTs so an ANY answer does not fit 512 bytes. */
static void make_zen(rbl_txn *t)
{
	char txt[241];
	uint32_t a, b, c;
	rbl_zone z;

	memset(txt, 'x', 240);
	txt[240] = '\0';
	txt[0] = 'A';
	a = new_list(t, "zen-a", RBL_LIST_IP, 0x7f000002, txt);
	txt[0] = 'B';
	b = new_list(t, "zen-b", RBL_LIST_IP, 0x7f000004, txt);
	txt[0] = 'C';
	c = new_list(t, "zen-c", RBL_LIST_IP, 0x7f00000a, txt);
	add_ip(t, a, "203.0.113.0/24", 0, NULL, 0, false);
	add_ip(t, b, "203.0.113.9", 0, NULL, 0, false);
	add_ip(t, c, "203.0.113.9", 0, NULL, 0, false);
	rbl_zone_defaults(&z, "zen.test");
	z.n_lists = 3;
	z.lists[0].list_id = a;
	z.lists[1].list_id = b;
	z.lists[2].list_id = c;
	snprintf(z.lists[2].sub, sizeof(z.lists[2].sub), "pbl");
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
}

static void make_store(void)
{
	rbl_txn *t;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	CHECK_RC(rbl_store_open(tmpdir, RBL_STORE_CREATE, 1 << 26, &store),
		 RBL_OK);
	CHECK_RC(rbl_txn_begin(store, true, &t), RBL_OK);
	make_bl(t);
	make_dbl(t);
	make_zen(t);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

/* ------------------------------------------------------------- tests */

static void test_listed(void)
{
	char buf[512];
	ldns_pkt *p = ask("2.0.0.127.bl.test", DNS_T_A);

	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR);
	CHECK(p && ldns_pkt_aa(p) && ldns_pkt_qr(p) && ldns_pkt_rd(p));
	CHECK_STR(answers(p, LDNS_RR_TYPE_A, buf, sizeof(buf)), "127.0.0.2");
	CHECK(p && ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)) == 300);
	CHECK(p && ldns_pkt_nscount(p) == 0 && ldns_pkt_arcount(p) == 0);
	/* The answer owner is a pointer to the question name. */
	CHECK(alen > 0 && abuf[12 + 19 + 4] == 0xc0 && abuf[12 + 19 + 5] == 12);
	ldns_pkt_free(p);

	p = ask("10.2.0.192.bl.test", DNS_T_TXT);
	CHECK_STR(answers(p, LDNS_RR_TYPE_TXT, buf, sizeof(buf)),
		  "\"Listed: 192.0.2.10\"");
	ldns_pkt_free(p);
	p = ask("10.2.0.192.bl.test", DNS_T_A);
	CHECK_STR(answers(p, LDNS_RR_TYPE_A, buf, sizeof(buf)), "127.0.0.3");
	CHECK(p && ldns_pkt_ancount(p) == 1);	/* A query: no TXT */
	ldns_pkt_free(p);
	p = ask("10.2.0.192.bl.test", DNS_T_ANY);
	CHECK(p && ldns_pkt_ancount(p) == 2);
	ldns_pkt_free(p);
	p = ask("10.2.0.192.bl.test", 15 /* MX */);
	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR);
	CHECK(p && ldns_pkt_ancount(p) == 0 && soa_ttl(p) == 120);
	ldns_pkt_free(p);
	/* 127.0.0.2 has no TXT: a TXT query is NODATA. */
	p = ask("2.0.0.127.bl.test", DNS_T_TXT);
	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR && p && ldns_pkt_ancount(p) == 0);
	ldns_pkt_free(p);
}

static void test_negative(void)
{
	ldns_pkt *p = ask("1.0.0.127.bl.test", DNS_T_A);

	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	CHECK(p && ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 0);
	CHECK(p && soa_ttl(p) == 120);
	ldns_pkt_free(p);
	p = ask("5.2.0.192.bl.test", DNS_T_A);	/* excluded */
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	p = ask("1.1.1.10.bl.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	p = ask("foo.bl.test", DNS_T_A);	/* not an address at all */
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	p = ask("1.2.3.4.5.bl.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

static void test_empty_non_terminals(void)
{
	static const char *const ents[] = {
		"2.0.192.bl.test", "0.192.bl.test", "192.bl.test",
		"0.0.127.bl.test", "8.b.d.0.1.0.0.2.bl.test",
		"1.0.0.2.bl.test",	/* IPv4 2.0.0.1 unlisted, but 2001:: */
	};
	ldns_pkt *p;

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		p = ask(ents[i], DNS_T_A);
		CHECK(rcode_of(p) == LDNS_RCODE_NOERROR);
		CHECK(p && ldns_pkt_ancount(p) == 0 && soa_ttl(p) == 120);
		if (rcode_of(p) != LDNS_RCODE_NOERROR)
			fprintf(stderr, "  ENT %s\n", ents[i]);
		ldns_pkt_free(p);
	}
	p = ask("3.2.0.192.bl.test", DNS_T_A);	/* /24 covers it: listed */
	CHECK(p && ldns_pkt_ancount(p) == 1);
	ldns_pkt_free(p);
	p = ask("1.0.10.bl.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

static void test_ipv6(void)
{
	char buf[512];
	ldns_pkt *p = ask("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0."
			  "0.0.0.0.0.0.0.0.bl.test", DNS_T_A);

	CHECK_STR(answers(p, LDNS_RR_TYPE_A, buf, sizeof(buf)), "127.0.0.2");
	ldns_pkt_free(p);
	p = ask("1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0."
		"0.0.0.0.0.0.0.0.bl.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	p = ask("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		"8.b.d.0.1.0.0.2.bl.test", DNS_T_TXT);
	CHECK_STR(answers(p, LDNS_RR_TYPE_TXT, buf, sizeof(buf)),
		  "\"v6 2001:db8::1\"");
	ldns_pkt_free(p);
}

static void test_apex(void)
{
	char buf[512];
	ldns_pkt *p = ask("bl.test", DNS_T_SOA);

	CHECK(p && ldns_pkt_ancount(p) == 1 && ldns_pkt_aa(p));
	CHECK(p && ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)) ==
		   LDNS_RR_TYPE_SOA);
	CHECK(p && ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0)) == 86400);
	ldns_pkt_free(p);
	p = ask("bl.test", DNS_T_NS);
	CHECK_STR(answers(p, LDNS_RR_TYPE_NS, buf, sizeof(buf)), "ns.bl.test.");
	CHECK(p && ldns_pkt_arcount(p) == 2);	/* A and AAAA glue */
	ldns_pkt_free(p);
	p = ask("BL.test", DNS_T_ANY);
	CHECK(p && ldns_pkt_ancount(p) == 2);	/* SOA + NS */
	ldns_pkt_free(p);
	p = ask("bl.test", 15);
	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR && p && ldns_pkt_ancount(p) == 0);
	CHECK(p && soa_ttl(p) == 120);
	ldns_pkt_free(p);
	p = ask("ns.bl.test", DNS_T_A);
	CHECK_STR(answers(p, LDNS_RR_TYPE_A, buf, sizeof(buf)), "192.0.2.53");
	ldns_pkt_free(p);
	p = ask("ns.bl.test", DNS_T_AAAA);
	CHECK_STR(answers(p, LDNS_RR_TYPE_AAAA, buf, sizeof(buf)),
		  "2001:db8::53");
	ldns_pkt_free(p);
	p = ask("ns.bl.test", DNS_T_TXT);
	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR && p && ldns_pkt_ancount(p) == 0);
	ldns_pkt_free(p);
}

static void test_refused_notimp(void)
{
	qopt o = { .type = DNS_T_A, .edns = -1, .opcode = 4 };
	ldns_pkt *p = ask("example.com", DNS_T_A);

	CHECK(rcode_of(p) == LDNS_RCODE_REFUSED && p && !ldns_pkt_aa(p));
	ldns_pkt_free(p);
	p = ask("test", DNS_T_A);	/* a parent of our zones */
	CHECK(rcode_of(p) == LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	p = ask_full("bl.test", &o, RBL_TRANSPORT_UDP, NOW);	/* NOTIFY */
	CHECK(rcode_of(p) == LDNS_RCODE_NOTIMPL);
	CHECK(p && ldns_pkt_get_opcode(p) == LDNS_PACKET_NOTIFY);
	ldns_pkt_free(p);
	o.opcode = 2;	/* STATUS */
	p = ask_full("bl.test", &o, RBL_TRANSPORT_UDP, NOW);
	CHECK(rcode_of(p) == LDNS_RCODE_NOTIMPL && p &&
	      ldns_pkt_get_opcode(p) == LDNS_PACKET_STATUS);
	ldns_pkt_free(p);
	p = ask("bl.test", DNS_T_AXFR);
	CHECK(rcode_of(p) == LDNS_RCODE_NOTIMPL);
	ldns_pkt_free(p);
	o = (qopt){ .type = DNS_T_A, .class = 4, .edns = -1 };	/* HS */
	p = ask_full("2.0.0.127.bl.test", &o, RBL_TRANSPORT_UDP, NOW);
	CHECK(rcode_of(p) == LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	o.class = DNS_C_ANY;
	p = ask_full("2.0.0.127.bl.test", &o, RBL_TRANSPORT_UDP, NOW);
	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR && p && ldns_pkt_ancount(p) == 1);
	ldns_pkt_free(p);
}

static void test_chaos(void)
{
	char buf[512];
	qopt o = { .type = DNS_T_TXT, .class = DNS_C_CH, .edns = -1 };
	ldns_pkt *p = ask_full("VERSION.bind", &o, RBL_TRANSPORT_UDP, NOW);

	CHECK_STR(answers(p, LDNS_RR_TYPE_TXT, buf, sizeof(buf)),
		  "\"rbld test\"");
	ldns_pkt_free(p);
	p = ask_full("id.server", &o, RBL_TRANSPORT_UDP, NOW);	/* "none" */
	CHECK(rcode_of(p) == LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	p = ask_full("foo.bar", &o, RBL_TRANSPORT_UDP, NOW);
	CHECK(rcode_of(p) == LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
}

static void test_edns(void)
{
	qopt o = { .type = DNS_T_A, .edns = 4096, .do_bit = true };
	ldns_pkt *p = ask_full("2.0.0.127.bl.test", &o, RBL_TRANSPORT_UDP, NOW);
	size_t n;

	CHECK(p && ldns_pkt_edns(p) && ldns_pkt_edns_udp_size(p) == 1232);
	CHECK(p && ldns_pkt_edns_do(p) && ldns_pkt_edns_version(p) == 0);
	ldns_pkt_free(p);
	o.do_bit = false;
	o.version = 1;
	p = ask_full("2.0.0.127.bl.test", &o, RBL_TRANSPORT_UDP, NOW);
	/* BADVERS = 16: header rcode 0, extended rcode 1, version 0 */
	CHECK(p && ldns_pkt_get_rcode(p) == 0 && ldns_pkt_ancount(p) == 0);
	CHECK(p && ldns_pkt_edns_extended_rcode(p) == 1);
	CHECK(p && ldns_pkt_edns_version(p) == 0 && !ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	/* Two OPT records: FORMERR. */
	o.version = 0;
	n = make_query(qbuf, "2.0.0.127.bl.test", &o);
	n += put_opt(qbuf + n, 512, 0, false);
	dns_put16(qbuf + 10, 2);
	CHECK_RC(run_raw(n, RBL_TRANSPORT_UDP, NOW), RBL_OK);
	CHECK(alen >= 12 && (abuf[3] & 0x0f) == DNS_RCODE_FORMERR);
	/* No OPT in, no OPT out. */
	p = ask("2.0.0.127.bl.test", DNS_T_A);
	CHECK(p && !ldns_pkt_edns(p) && ldns_pkt_arcount(p) == 0);
	ldns_pkt_free(p);
}

static void test_truncation(void)
{
	qopt o = { .type = DNS_T_ANY, .edns = -1 };
	ldns_pkt *p = ask_full("9.113.0.203.zen.test", &o, RBL_TRANSPORT_UDP, NOW);

	/* Two lists match at the zone: 2 A + 2 TXT of 240 bytes > 512. */
	CHECK(p && ldns_pkt_tc(p) && ldns_pkt_ancount(p) == 0);
	CHECK(p && ldns_pkt_qdcount(p) == 1 && alen <= 512);
	ldns_pkt_free(p);
	p = ask_full("9.113.0.203.zen.test", &o, RBL_TRANSPORT_TCP, NOW);
	CHECK(p && !ldns_pkt_tc(p) && ldns_pkt_ancount(p) == 4);
	ldns_pkt_free(p);
	o.edns = 1232;
	p = ask_full("9.113.0.203.zen.test", &o, RBL_TRANSPORT_UDP, NOW);
	CHECK(p && !ldns_pkt_tc(p) && ldns_pkt_ancount(p) == 4);
	ldns_pkt_free(p);
	o.edns = 100;	/* below 512 counts as 512 */
	p = ask_full("9.113.0.203.zen.test", &o, RBL_TRANSPORT_UDP, NOW);
	CHECK(p && ldns_pkt_tc(p) && ldns_pkt_edns(p) && alen <= 512);
	ldns_pkt_free(p);
}

static void test_combined(void)
{
	char buf[512];
	ldns_pkt *p = ask("9.113.0.203.zen.test", DNS_T_A);

	CHECK_STR(answers(p, LDNS_RR_TYPE_A, buf, sizeof(buf)),
		  "127.0.0.2 127.0.0.4");
	ldns_pkt_free(p);
	p = ask("9.113.0.203.pbl.zen.test", DNS_T_A);
	CHECK_STR(answers(p, LDNS_RR_TYPE_A, buf, sizeof(buf)), "127.0.0.10");
	ldns_pkt_free(p);
	p = ask("pbl.zen.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR && p && ldns_pkt_ancount(p) == 0);
	ldns_pkt_free(p);
	p = ask("8.113.0.203.pbl.zen.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

static void test_names(void)
{
	char buf[512];
	ldns_pkt *p = ask("Bad.Example.com.dbl.test", DNS_T_TXT);

	CHECK_STR(answers(p, LDNS_RR_TYPE_TXT, buf, sizeof(buf)),
		  "\"domain bad.example.com is bad\"");
	ldns_pkt_free(p);
	p = ask("test.dbl.test", DNS_T_A);
	CHECK_STR(answers(p, LDNS_RR_TYPE_A, buf, sizeof(buf)), "127.0.0.2");
	ldns_pkt_free(p);
	p = ask("invalid.dbl.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	p = ask("example.com.dbl.test", DNS_T_A);	/* parent: ENT */
	CHECK(rcode_of(p) == LDNS_RCODE_NOERROR && p && ldns_pkt_ancount(p) == 0);
	ldns_pkt_free(p);
	p = ask("a.b.wild.example.dbl.test", DNS_T_A);
	CHECK(p && ldns_pkt_ancount(p) == 1);
	ldns_pkt_free(p);
	p = ask("good.example.com.dbl.test", DNS_T_A);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

static void test_case_preserved(void)
{
	static const char name[] = "2.0.0.127.bL.TeSt";
	qopt o = { .type = DNS_T_A, .edns = -1 };
	size_t n = make_query(qbuf, name, &o);

	CHECK_RC(run_raw(n, RBL_TRANSPORT_UDP, NOW), RBL_OK);
	/* Header ID and the whole question come back byte for byte. */
	CHECK(alen > n && memcmp(abuf, qbuf, 2) == 0);
	CHECK(memcmp(abuf + 12, qbuf + 12, n - 12) == 0);
	CHECK(abuf[7] == 1);
}

static void test_expiry_and_changes(void)
{
	ldns_pkt *p = ask("7.100.51.198.bl.test", DNS_T_A);
	qopt o = { .type = DNS_T_A, .edns = -1 };
	rbl_txn *t;
	rbl_list l;

	CHECK(p && ldns_pkt_ancount(p) == 1);
	ldns_pkt_free(p);
	p = ask_full("7.100.51.198.bl.test", &o, RBL_TRANSPORT_UDP, NOW + 20);
	CHECK(rcode_of(p) == LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	/* A commit after the engine started is seen by the next batch. */
	CHECK_RC(rbl_txn_begin(store, true, &t), RBL_OK);
	CHECK_RC(rbl_list_get(t, "bl.test", &l), RBL_OK);
	add_ip(t, l.id, "10.9.9.9", 0x7f000009, NULL, 0, false);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	p = ask("9.9.9.10.bl.test", DNS_T_A);
	CHECK(p && ldns_pkt_ancount(p) == 1);
	ldns_pkt_free(p);
	/* A new zone (generation change) is served at once too. */
	CHECK_RC(rbl_txn_begin(store, true, &t), RBL_OK);
	CHECK_RC(rbl_zone_create_simple(t, "new.test", RBL_LIST_IP, NULL),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	p = ask("2.0.0.127.new.test", DNS_T_A);
	CHECK(p && ldns_pkt_ancount(p) == 1);
	ldns_pkt_free(p);
}

/* Expect a FORMERR answer with ID echoed and QDCOUNT WANT_QD. */
static void expect_formerr(size_t len, unsigned want_qd, const char *what)
{
	int rc = run_raw(len, RBL_TRANSPORT_UDP, NOW);

	CHECK_RC(rc, RBL_OK);
	CHECK(alen >= 12 && abuf[0] == qbuf[0] && abuf[1] == qbuf[1]);
	CHECK(alen >= 12 && (abuf[3] & 0x0f) == DNS_RCODE_FORMERR);
	CHECK(alen >= 12 && abuf[5] == want_qd && (abuf[2] & DNS_FLAG_QR));
	if (rc != RBL_OK || alen < 12 || (abuf[3] & 0x0f) != 1 ||
	    abuf[5] != want_qd)
		fprintf(stderr, "  formerr case: %s\n", what);
}

static void test_malformed(void)
{
	qopt o = { .type = DNS_T_A, .edns = -1 };
	size_t n;

	CHECK_RC(run_raw(11, RBL_TRANSPORT_UDP, NOW), RBL_EFORMAT);
	n = make_query(qbuf, "2.0.0.127.bl.test", &o);
	qbuf[2] |= DNS_FLAG_QR;			/* a response: dropped */
	CHECK_RC(run_raw(n, RBL_TRANSPORT_UDP, NOW), RBL_EFORMAT);

	n = make_query(qbuf, "2.0.0.127.bl.test", &o);
	dns_put16(qbuf + 4, 0);
	expect_formerr(n, 0, "qdcount 0");
	dns_put16(qbuf + 4, 2);
	expect_formerr(n, 0, "qdcount 2");
	n = make_query(qbuf, "2.0.0.127.bl.test", &o);
	qbuf[n++] = 0xde;
	expect_formerr(n, 1, "garbage after question");
	n = make_query(qbuf, "2.0.0.127.bl.test", &o);
	dns_put16(qbuf + 6, 1);
	expect_formerr(n, 1, "ancount 1");
	n = make_query(qbuf, "2.0.0.127.bl.test", &o);
	qbuf[12] = 0xc0;			/* pointer in the question */
	qbuf[13] = 12;				/* ... to itself: a loop */
	expect_formerr(n, 0, "compression loop");
	qbuf[13] = 200;				/* ... past the end */
	expect_formerr(n, 0, "pointer past end");
	qbuf[12] = 64;				/* label type 01 */
	expect_formerr(n, 0, "label 64");
	qbuf[12] = 60;				/* label longer than the packet */
	expect_formerr(n, 0, "label past end");
	n = make_query(qbuf, "2.0.0.127.bl.test", &o);
	expect_formerr(n - 3, 0, "question cut short");

	memset(qbuf, 0, sizeof(qbuf));		/* a 300-byte name */
	dns_put16(qbuf + 4, 1);
	n = 12;
	for (int i = 0; i < 5; i++) {
		qbuf[n] = 59;
		memset(qbuf + n + 1, 'a', 59);
		n += 60;
	}
	qbuf[n++] = 0;
	dns_put16(qbuf + n, 1);
	dns_put16(qbuf + n + 2, 1);
	expect_formerr(n + 4, 0, "name > 255");
	/* The engine still answers normally afterwards. */
	{
		ldns_pkt *p = ask("2.0.0.127.bl.test", DNS_T_A);

		CHECK(p && ldns_pkt_ancount(p) == 1);
		ldns_pkt_free(p);
	}
}

static void test_stats(void)
{
	rbl_qstats *qs;
	rbl_qstats_header h;
	rbl_qstats_slot sum, *slot;
	char path[256];

	snprintf(path, sizeof(path), "%s/rbld.stats", tmpdir);
	CHECK_RC(rbl_qstats_create(path, 3, &qs), RBL_OK);
	slot = rbl_qstats_slot_get(qs, 1);
	CHECK(slot != NULL && rbl_qstats_slot_get(qs, 3) == NULL);
	eng.stats = slot;
	ldns_pkt_free(ask("2.0.0.127.bl.test", DNS_T_A));
	ldns_pkt_free(ask("1.0.0.127.bl.test", DNS_T_A));
	ldns_pkt_free(ask("example.com", DNS_T_A));
	CHECK_RC(run_raw(5, RBL_TRANSPORT_UDP, NOW), RBL_EFORMAT);
	CHECK_RC(rbl_qstats_read(path, &h, &sum), RBL_OK);
	CHECK(h.n_slots == 3 && h.magic == RBL_QSTATS_MAGIC);
	CHECK(sum.queries == 4 && sum.udp == 4 && sum.dropped == 1);
	CHECK(sum.rcode[RBL_QS_NOERROR] == 1 && sum.listed == 1);
	CHECK(sum.rcode[RBL_QS_NXDOMAIN] == 1 && sum.rcode[RBL_QS_REFUSED] == 1);
	eng.stats = &eng.own_stats;
	rbl_qstats_close(qs, 1);
	CHECK_RC(rbl_qstats_read(path, &h, &sum), RBL_ENOTFOUND);
}

int main(void)
{
	char cmd[300];

	make_store();
	CHECK_RC(rbl_engine_init(&eng, store, &econf, NULL), RBL_OK);
	test_listed();
	test_negative();
	test_empty_non_terminals();
	test_ipv6();
	test_apex();
	test_refused_notimp();
	test_chaos();
	test_edns();
	test_truncation();
	test_combined();
	test_names();
	test_case_preserved();
	test_malformed();
	test_expiry_and_changes();
	test_stats();
	rbl_engine_fini(&eng);
	rbl_store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_done();
}
