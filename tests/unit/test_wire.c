/*
 * test_wire.c -- rbld's one reader of names off the wire (rbld/wire.h):
 * plain and compressed names, pointers that go forwards or loop, label
 * and name limits, lowercasing, stepping over names, records, and
 * finding the last record of a message; the plain reader's copy a vector
 * at a time against the general reader's.
 */
#include <string.h>

#include "zone/error.h"
#include "rbld/wire.h"
#include "tests/unit/check.h"

/* A message: header (QD 1, AR 1), question "Ab.Example." A IN, then an
 * additional record owned by "x" + pointer to "Example." (offset 15). */
static const uint8_t msg[] = {
	0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1,
	2, 'A', 'b', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0,	/* 12 */
	0, 1, 0, 1,						/* 24 */
	1, 'x', 0xc0, 15,					/* 28 */
	0, 16, 0, 1, 0, 0, 0, 60, 0, 2, 1, 'y'			/* 32 */
};

static void test_plain(void)
{
	uint8_t w[DNS_NAME_MAX], lo[DNS_LABELS_MAX];
	rbl_wire_buf b = { .wire = w, .label_off = lo };

	CHECK(rbl_wire_name(msg, sizeof msg, 12,
			    RBL_WIRE_PLAIN | RBL_WIRE_LOWER, &b) == 24);
	CHECK(b.len == 12 && b.nlabels == 2);
	CHECK(memcmp(w, "\2ab\7example", 12) == 0);
	CHECK(lo[0] == 0 && lo[1] == 3);
	/* case kept without RBL_WIRE_LOWER */
	CHECK(rbl_wire_name(msg, sizeof msg, 12, 0, &b) == 24);
	CHECK(memcmp(w, "\2Ab\7Example", 12) == 0);
	/* a name running past the end */
	CHECK(rbl_wire_name(msg, 20, 12, 0, &b) == 0);
	CHECK(rbl_wire_name(msg, 20, 12, 0, NULL) == 0);
}

static void test_pointers(void)
{
	uint8_t w[DNS_NAME_MAX], m[sizeof msg];
	rbl_wire_buf b = { .wire = w };

	/* followed when copying: x.example. */
	CHECK(rbl_wire_name(msg, sizeof msg, 28, RBL_WIRE_LOWER, &b) == 32);
	CHECK(b.len == 11 && b.nlabels == 2);
	CHECK(memcmp(w, "\1x\7example", 11) == 0);
	/* stepped over without a copy */
	CHECK(rbl_wire_name(msg, sizeof msg, 28, 0, NULL) == 32);
	/* refused in a plain name */
	CHECK(rbl_wire_name(msg, sizeof msg, 28, RBL_WIRE_PLAIN, &b) == 0);
	CHECK(rbl_wire_name(msg, sizeof msg, 28, RBL_WIRE_PLAIN, NULL) == 0);
	/* forwards: to the record's own data, or to itself */
	memcpy(m, msg, sizeof m);
	m[31] = 42;
	CHECK(rbl_wire_name(m, sizeof m, 28, 0, &b) == 0);
	CHECK(rbl_wire_name(m, sizeof m, 28, 0, NULL) == 0);
	m[31] = 30;
	CHECK(rbl_wire_name(m, sizeof m, 28, 0, &b) == 0);
	/* into its own labels: a loop */
	m[31] = 28;
	CHECK(rbl_wire_name(m, sizeof m, 28, 0, &b) == 0);
	/* a pointer cut short by the end of the message */
	CHECK(rbl_wire_name(msg, 31, 28, 0, NULL) == 0);
}

/* Two pointers: each hop must go further back than the last. */
static void test_chain(void)
{
	uint8_t m[64] = { 0 }, w[DNS_NAME_MAX];
	rbl_wire_buf b = { .wire = w };

	memcpy(m + 12, "\1a\0", 3);		/* 12: a. */
	memcpy(m + 15, "\1b\xc0\x0c", 4);	/* 15: b.a. */
	memcpy(m + 19, "\1c\xc0\x0f", 4);	/* 19: c.b.a. */
	CHECK(rbl_wire_name(m, 23, 19, 0, &b) == 23);
	CHECK(b.len == 7 && memcmp(w, "\1c\1b\1a", 7) == 0);
	/* b's pointer aimed back at c (after b's start): refused */
	m[18] = 19;
	CHECK(rbl_wire_name(m, 23, 19, 0, &b) == 0);
}

static void test_limits(void)
{
	uint8_t m[400] = { 0 }, w[DNS_NAME_MAX];
	rbl_wire_buf b = { .wire = w };
	size_t o = 0;

	m[0] = 64;				/* label type 01 */
	CHECK(rbl_wire_name(m, sizeof m, 0, 0, &b) == 0);
	m[0] = 0x80;				/* label type 10 */
	CHECK(rbl_wire_name(m, sizeof m, 0, 0, NULL) == 0);
	/* 127 one-byte labels: 255 bytes with the root, the most allowed */
	for (int i = 0; i < 127; i++) {
		m[o++] = 1;
		m[o++] = 'a';
	}
	m[o] = 0;
	CHECK(rbl_wire_name(m, sizeof m, 0, 0, &b) == 255);
	CHECK(b.len == 255 && b.nlabels == 127);
	CHECK(rbl_wire_name(m, sizeof m, 0, 0, NULL) == 255);
	CHECK(rbl_wire_name(m, sizeof m, 0, RBL_WIRE_PLAIN | RBL_WIRE_LOWER,
			    &b) == 255);
	CHECK(b.len == 255 && b.nlabels == 127);
	/* the root byte cut off */
	CHECK(rbl_wire_name(m, 254, 0, RBL_WIRE_PLAIN, &b) == 0);
	/* one more label: 257 bytes */
	m[o++] = 1;
	m[o++] = 'a';
	m[o] = 0;
	CHECK(rbl_wire_name(m, sizeof m, 0, 0, &b) == 0);
	CHECK(rbl_wire_name(m, sizeof m, 0, 0, NULL) == 0);
	CHECK(rbl_wire_name(m, sizeof m, 0, RBL_WIRE_PLAIN | RBL_WIRE_LOWER,
			    &b) == 0);
	/* an offset at or past the end */
	CHECK(rbl_wire_name(m, 10, 10, RBL_WIRE_PLAIN, &b) == 0);
	CHECK(rbl_wire_name(m, 10, 11, RBL_WIRE_PLAIN | RBL_WIRE_LOWER,
			    &b) == 0);
}

/* The plain reader copies a name a vector at a time (wire.h): it must
 * give what the general reader gives, byte for byte, for names of every
 * length around the word and vector sizes, every byte value in a label,
 * and messages cut anywhere. */
static void test_plain_copy(void)
{
	uint8_t m[12 + 300] = { 0 };
	uint32_t seed = 12345;

	for (int round = 0; round < 3000; round++) {
		uint8_t w1[DNS_NAME_MAX], w2[DNS_NAME_MAX];
		uint8_t lo1[DNS_LABELS_MAX], lo2[DNS_LABELS_MAX];
		rbl_wire_buf b1 = { .wire = w1, .label_off = lo1 };
		rbl_wire_buf b2 = { .wire = w2, .label_off = lo2 };
		size_t o = 12, want = 4 + (size_t)round % 280, r1, r2;

		while (o < 12 + want) {
			unsigned l = 0;

			seed = seed * 1103515245u + 12345u;
			l = 1 + (seed >> 16) % (round % 3 ? 63 : 9);
			m[o++] = (uint8_t)l;
			for (unsigned i = 0; i < l && o < sizeof m; i++) {
				seed = seed * 1103515245u + 12345u;
				m[o++] = (uint8_t)(seed >> 16);
			}
		}
		if (o >= sizeof m)
			o = sizeof m - 1;
		m[o++] = 0;
		for (size_t len = o; len + 3 >= o && len > 12; len--) {
			memset(w1, 0xee, sizeof w1);
			memset(w2, 0xee, sizeof w2);
			r1 = rbl_wire_name(m, len, 12, RBL_WIRE_PLAIN |
					   RBL_WIRE_LOWER, &b1);
			r2 = rbl_wire_name(m, len, 12, RBL_WIRE_LOWER, &b2);
			CHECK(r1 == r2);
			if (r1 == 0 || r1 != r2)
				continue;
			CHECK(b1.len == b2.len && b1.nlabels == b2.nlabels);
			CHECK(memcmp(w1, w2, b1.len) == 0);
			CHECK(memcmp(lo1, lo2, b1.nlabels) == 0);
			for (size_t i = 0; i < b1.len; i++)
				CHECK(w1[i] == dns_lower(m[12 + i]));
			/* nothing written past the name */
			CHECK(b1.len == DNS_NAME_MAX || w1[b1.len] == 0xee);
		}
	}
}

static void test_records(void)
{
	rbl_wire_rr rr = { 0 };
	uint8_t m[sizeof msg];
	size_t at = 1;

	CHECK(rbl_wire_record(msg, sizeof msg, 28, &rr) == sizeof msg);
	CHECK(rr.at == 28 && rr.fixed == 32 && rr.type == 16 &&
	      rr.rclass == 1 && rr.ttl == 60 && rr.rdata == 42 &&
	      rr.rdlen == 2);
	CHECK(rbl_wire_record(msg, sizeof msg - 1, 28, &rr) == 0);
	CHECK_RC(rbl_wire_last_rr(msg, sizeof msg, &at), RBL_OK);
	CHECK(at == 28);
	memcpy(m, msg, sizeof m);
	m[11] = 0;				/* no records */
	CHECK_RC(rbl_wire_last_rr(m, sizeof m, &at), RBL_OK);
	CHECK(at == 0);
	m[11] = 2;				/* one more than there is */
	CHECK_RC(rbl_wire_last_rr(m, sizeof m, &at), RBL_EFORMAT);
	CHECK_RC(rbl_wire_last_rr(m, 11, &at), RBL_EFORMAT);
}

int main(void)
{
	test_plain();
	test_pointers();
	test_chain();
	test_limits();
	test_plain_copy();
	test_records();
	return check_done();
}
