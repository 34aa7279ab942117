/*
 * test_addr.c -- addresses, prefixes, ranges, reverse names; entry helpers.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "zone/addr.h"
#include "zone/store/entry.h"

static const char *pfx(const char *in, bool strict)
{
	static char buf[RBL_ADDR_STRLEN];
	rbl_prefix p;

	if (rbl_prefix_parse(in, strict, &p) != RBL_OK)
		return "ERR";
	return rbl_prefix_format(&p, buf);
}

static void test_parse_format(void)
{
	rbl_addr a;
	char buf[RBL_ADDR_STRLEN];
	rbl_prefix p;

	CHECK_RC(rbl_addr_parse("192.0.2.1", &a), RBL_OK);
	CHECK(a.family == RBL_AF4 && a.bytes[0] == 192 && a.bytes[3] == 1);
	CHECK_STR(rbl_addr_format(&a, buf), "192.0.2.1");
	CHECK_RC(rbl_addr_parse("2001:DB8:0:0::1", &a), RBL_OK);
	CHECK_STR(rbl_addr_format(&a, buf), "2001:db8::1");
	CHECK_RC(rbl_addr_parse("::ffff:127.0.0.2", &a), RBL_OK);
	CHECK(rbl_addr_unmap4(&a) && a.family == RBL_AF4 && a.bytes[0] == 127);
	CHECK_RC(rbl_addr_parse("1.2.3", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_addr_parse("1.2.3.256", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_addr_parse("01.2.3.4", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_addr_parse("", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_addr_parse("1::2::3", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_addr_parse("fe80::1%eth0", &a), RBL_ESYNTAX);
	CHECK_STR(pfx("10.0.0.0/8", true), "10.0.0.0/8");
	CHECK_STR(pfx("10.1.0.0/8", true), "ERR");
	CHECK_STR(pfx("10.1.0.0/8", false), "10.0.0.0/8");
	CHECK_STR(pfx("10.1.2.3", true), "10.1.2.3");
	CHECK_STR(pfx("10.1.2.3/32", true), "10.1.2.3");
	CHECK_STR(pfx("10.1.2.3/33", true), "ERR");
	CHECK_STR(pfx("10.1.2.3/", true), "ERR");
	CHECK_STR(pfx("10.1.2.3/-1", true), "ERR");
	CHECK_STR(pfx("10.1.2.3/08", true), "ERR");
	CHECK_STR(pfx("2001:db8::/32", true), "2001:db8::/32");
	CHECK_STR(pfx("2001:db8::1/64", false), "2001:db8::/64");
	CHECK_STR(pfx("::/0", true), "::/0");
	CHECK_STR(pfx("0.0.0.0/0", true), "0.0.0.0/0");
	CHECK_STR(pfx("2001:db8::/129", true), "ERR");
	CHECK_RC(rbl_prefix_parse("10.1.0.0/8", true, &p), RBL_EINVAL);
	CHECK_RC(rbl_prefix_parse("x/8", true, &p), RBL_ESYNTAX);
}

static void test_arith(void)
{
	rbl_addr a, b;
	rbl_prefix p, q;
	char buf[RBL_ADDR_STRLEN];

	rbl_addr_parse("255.255.255.255", &a);
	CHECK(!rbl_addr_inc(&a));
	CHECK_STR(rbl_addr_format(&a, buf), "0.0.0.0");
	CHECK(!rbl_addr_dec(&a));
	rbl_addr_parse("1.2.3.255", &a);
	CHECK(rbl_addr_inc(&a));
	CHECK_STR(rbl_addr_format(&a, buf), "1.2.4.0");
	rbl_addr_parse("::ffff", &a);
	CHECK(rbl_addr_inc(&a));
	CHECK_STR(rbl_addr_format(&a, buf), "::1:0");
	rbl_addr_parse("::ffff:1.2.3.4", &a);
	CHECK_STR(rbl_addr_format(&a, buf), "::ffff:1.2.3.4");
	rbl_addr_parse("2001:db8:0:1:0:0:0:1", &a);
	CHECK_STR(rbl_addr_format(&a, buf), "2001:db8:0:1::1");
	rbl_addr_parse("2001:0:0:1:0:0:1:1", &a);
	CHECK_STR(rbl_addr_format(&a, buf), "2001::1:0:0:1:1");
	rbl_addr_parse("2001:db8:1:1:1:1:0:1", &a);
	CHECK_STR(rbl_addr_format(&a, buf), "2001:db8:1:1:1:1:0:1");
	rbl_addr_parse("::", &a);
	CHECK_STR(rbl_addr_format(&a, buf), "::");
	rbl_addr_parse("1::", &a);
	CHECK_STR(rbl_addr_format(&a, buf), "1::");
	rbl_prefix_parse("10.0.0.0/8", true, &p);
	rbl_prefix_last(&p, &b);
	CHECK_STR(rbl_addr_format(&b, buf), "10.255.255.255");
	rbl_prefix_parse("10.20.0.0/16", true, &q);
	CHECK(rbl_prefix_covers(&p, &q));
	CHECK(!rbl_prefix_covers(&q, &p));
	rbl_addr_parse("11.0.0.0", &a);
	CHECK(!rbl_prefix_contains(&p, &a));
	rbl_addr_parse("::a00:1", &a);	/* same bytes, other family */
	CHECK(!rbl_prefix_contains(&p, &a));
	rbl_addr_parse("1.2.3.4", &a);
	rbl_addr_parse("::1", &b);
	CHECK(rbl_addr_cmp(&a, &b) < 0);
	rbl_prefix_parse("2001:db8::/33", true, &p);
	rbl_prefix_last(&p, &b);
	CHECK_STR(rbl_addr_format(&b, buf),
		  "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
}

static void check_range(const char *lo_s, const char *hi_s,
			const char *want)
{
	rbl_addr lo, hi;
	rbl_prefix out[256];
	size_t n;
	char got[4096] = "", buf[RBL_ADDR_STRLEN];

	rbl_addr_parse(lo_s, &lo);
	rbl_addr_parse(hi_s, &hi);
	CHECK_RC(rbl_range_to_prefixes(&lo, &hi, out, 256, &n), RBL_OK);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, rbl_prefix_format(&out[i], buf));
	}
	CHECK_STR(got, want);
}

static void test_ranges(void)
{
	rbl_addr lo, hi;
	rbl_prefix out[256];
	size_t n;

	check_range("1.2.3.4", "1.2.3.200",
		    "1.2.3.4/30 1.2.3.8/29 1.2.3.16/28 1.2.3.32/27 "
		    "1.2.3.64/26 1.2.3.128/26 1.2.3.192/29 1.2.3.200");
	check_range("0.0.0.0", "255.255.255.255", "0.0.0.0/0");
	check_range("10.0.0.0", "10.0.0.0", "10.0.0.0");
	check_range("255.255.255.254", "255.255.255.255",
		    "255.255.255.254/31");
	check_range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0");
	check_range("2001:db8::1", "2001:db8::6",
		    "2001:db8::1 2001:db8::2/127 2001:db8::4/127 2001:db8::6");
	/* the worst case needs 2*bits-2 prefixes */
	rbl_addr_parse("0.0.0.1", &lo);
	rbl_addr_parse("255.255.255.254", &hi);
	CHECK_RC(rbl_range_to_prefixes(&lo, &hi, out, 256, &n), RBL_OK);
	CHECK(n == 62);
	CHECK_RC(rbl_range_to_prefixes(&lo, &hi, out, 61, &n), RBL_ETOOBIG);
	rbl_addr_parse("::1", &lo);
	rbl_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", &hi);
	CHECK_RC(rbl_range_to_prefixes(&lo, &hi, out, 256, &n), RBL_OK);
	CHECK(n == 254);
	CHECK_RC(rbl_range_to_prefixes(&hi, &lo, out, 256, &n), RBL_EINVAL);
	CHECK_RC(rbl_range_parse("1.2.3.4-1.2.3.200", &lo, &hi), RBL_OK);
	CHECK(lo.bytes[3] == 4 && hi.bytes[3] == 200);
	CHECK_RC(rbl_range_parse("1.2.3.0/24", &lo, &hi), RBL_OK);
	CHECK(lo.bytes[3] == 0 && hi.bytes[3] == 255);
	CHECK_RC(rbl_range_parse("1.2.3.9-1.2.3.4", &lo, &hi), RBL_EINVAL);
	CHECK_RC(rbl_range_parse("1.2.3.4-::1", &lo, &hi), RBL_EINVAL);
	CHECK_RC(rbl_range_parse("1.2.3.4-", &lo, &hi), RBL_ESYNTAX);
	CHECK_RC(rbl_range_parse("-1.2.3.4", &lo, &hi), RBL_ESYNTAX);
}

static bool special(const char *s)
{
	rbl_addr a;

	if (rbl_addr_parse(s, &a) != RBL_OK)
		return false;
	return rbl_addr_is_special(&a);
}

static void test_special(void)
{
	const char *yes[] = { "0.1.2.3", "10.0.0.1", "100.64.0.1",
		"100.127.255.255", "127.0.0.1", "169.254.1.1", "172.16.0.1",
		"172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1",
		"192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7",
		"203.0.113.9", "224.0.0.1", "239.1.1.1", "240.0.0.1",
		"255.255.255.255", "::", "::1", "::ffff:10.0.0.1",
		"64:ff9b::a00:1", "64:ff9b:1::1", "100::1", "2001:db8::1",
		"2001::1", "2001:1ff::1", "fc00::1", "fd12::1", "fe80::1",
		"ff02::1", "2002:a00:1::1" };
	const char *no[] = { "1.1.1.1", "8.8.8.8", "100.63.255.255",
		"100.128.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.1",
		"198.17.255.255", "198.20.0.0", "223.255.255.255",
		"2a00:1450::1", "2001:200::1", "::ffff:8.8.8.8",
		"64:ff9b::808:808", "2400:cb00::1", "2002:808:808::1" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (!special(yes[i]))
			fprintf(stderr, "not special: %s\n", yes[i]);
		CHECK(special(yes[i]));
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		if (special(no[i]))
			fprintf(stderr, "special: %s\n", no[i]);
		CHECK(!special(no[i]));
	}
}

/* Split S on dots into LABELS (pointing into S) and return the count. */
static unsigned split(const char *s, const uint8_t **labels, uint8_t *lens)
{
	unsigned n = 0;

	while (*s) {
		const char *d = strchr(s, '.');
		size_t l = d ? (size_t)(d - s) : strlen(s);

		labels[n] = (const uint8_t *)s;
		lens[n++] = (uint8_t)l;
		s += l + (d ? 1 : 0);
	}
	return n;
}

static const char *rev(const char *s)
{
	static char buf[RBL_ADDR_STRLEN];
	const uint8_t *labels[40];
	uint8_t lens[40];
	unsigned n = split(s, labels, lens);
	rbl_prefix p;

	if (rbl_addr_from_reverse(labels, lens, n, &p) != RBL_OK)
		return "NONE";
	return rbl_prefix_format(&p, buf);
}

/* Every octet in every position, formatted and read back in reverse
 * form, against the C library's reading and writing. */
static void test_octets(void)
{
	char buf[RBL_ADDR_STRLEN], want[RBL_ADDR_STRLEN], lab[8];
	int bad = 0;

	for (unsigned v = 0; v < 256; v++)
		for (int pos = 0; pos < 4; pos++) {
			rbl_addr a = { .family = RBL_AF4 };
			rbl_prefix p = { 0 };
			const uint8_t *l[1] = { (const uint8_t *)lab };
			uint8_t n = 0;

			a.bytes[pos] = (uint8_t)v;
			a.bytes[3 - pos] |= 7;
			snprintf(want, sizeof want, "%u.%u.%u.%u", a.bytes[0],
				 a.bytes[1], a.bytes[2], a.bytes[3]);
			bad += strcmp(rbl_addr_format(&a, buf), want) != 0;
			n = (uint8_t)snprintf(lab, sizeof lab, "%u", v);
			bad += rbl_addr_from_reverse(l, &n, 1, &p) != RBL_OK ||
			       p.len != 8 || p.addr.bytes[0] != v;
		}
	CHECK(bad == 0);
	CHECK_STR(rev("00.1.2.3"), "NONE");
	CHECK_STR(rev("1.2.3.1000"), "NONE");
	CHECK_STR(rev("1.2.3.300"), "NONE");
	CHECK_STR(rev("1.2.3.25x"), "NONE");
	CHECK_STR(rev("1.2.3./"), "NONE");
	CHECK_STR(rev("1.2.3.:"), "NONE");
	CHECK_STR(rev("1.2.3.199"), "199.3.2.1");
}

static void test_reverse(void)
{
	char buf[80];
	rbl_addr a;

	CHECK_STR(rev("4.3.2.1"), "1.2.3.4");
	CHECK_STR(rev("2.0.192"), "192.0.2.0/24");
	CHECK_STR(rev("192"), "192.0.0.0/8");
	CHECK_STR(rev("0.0.0.0"), "0.0.0.0");
	CHECK_STR(rev("4.03.2.1"), "NONE");
	CHECK_STR(rev("4.3.2.256"), "NONE");
	CHECK_STR(rev("4.3.2.1.0"), "123:4000::/20");	/* 5 nibbles */
	CHECK_STR(rev("x.3.2.1"), "NONE");
	CHECK_STR(rev("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		      "8.b.d.0.1.0.0.2"), "2001:db8::1");
	CHECK_STR(rev("8.b.d.0.1.0.0.2"), "2001:db8::/32");
	CHECK_STR(rev("b.d.0.1.0.0.2"), "2001:db0::/28");
	CHECK_STR(rev("A.B"), "ba00::/8");
	CHECK_STR(rev("10.b"), "NONE");
	rbl_addr_parse("1.2.3.4", &a);
	CHECK_RC(rbl_addr_to_reverse(&a, buf, sizeof buf), RBL_OK);
	CHECK_STR(buf, "4.3.2.1");
	CHECK_RC(rbl_addr_to_reverse(&a, buf, 5), RBL_ETOOBIG);
	rbl_addr_parse("2001:db8::1", &a);
	CHECK_RC(rbl_addr_to_reverse(&a, buf, sizeof buf), RBL_OK);
	CHECK_STR(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		  "8.b.d.0.1.0.0.2");
	CHECK_STR(rev(buf), "2001:db8::1");
}

static void test_entry_helpers(void)
{
	uint32_t code;
	char buf[300];
	char tpl[300];

	CHECK_RC(rbl_code_parse("127.0.0.2", &code), RBL_OK);
	CHECK(code == 0x7f000002);
	CHECK_RC(rbl_code_parse("2", &code), RBL_OK);
	CHECK(code == 0x7f000002);
	CHECK_RC(rbl_code_parse("1.2", &code), RBL_OK);
	CHECK(code == 0x7f000102);
	CHECK_RC(rbl_code_parse("1.2.3", &code), RBL_OK);
	CHECK(code == 0x7f010203);
	CHECK_RC(rbl_code_parse("10.0.0.2", &code), RBL_ESYNTAX);
	CHECK_RC(rbl_code_parse("256", &code), RBL_ESYNTAX);
	CHECK_RC(rbl_code_parse("1..2", &code), RBL_ESYNTAX);
	CHECK_RC(rbl_code_parse("", &code), RBL_ESYNTAX);
	CHECK_RC(rbl_code_parse("127.0.0.2.1", &code), RBL_ESYNTAX);
	CHECK_STR(rbl_code_format(0x7f00000a, buf), "127.0.0.10");
	CHECK(rbl_txt_expand("see $ now", 9, "1.2.3.4", buf, sizeof buf) ==
	      15);
	CHECK_STR(buf, "see 1.2.3.4 now");
	rbl_txt_expand("cost $$5 for $", 14, "x", buf, sizeof buf);
	CHECK_STR(buf, "cost $5 for x");
	CHECK(rbl_txt_expand("abcdef", 6, "", buf, 4) == 3);
	CHECK_STR(buf, "abc");
	for (int i = 0; i < 60; i++)
		tpl[i] = i % 2 ? '-' : '$';
	CHECK(rbl_txt_expand(tpl, 60, "0123456789", buf, sizeof buf) == 255);
	CHECK(strlen(buf) == 255);
	CHECK(rbl_txt_expand("a$", 2, "1.2.3.4", buf, 5) == 4);
	CHECK_STR(buf, "a1.2");
}

int main(void)
{
	test_parse_format();
	test_arith();
	test_ranges();
	test_special();
	test_reverse();
	test_octets();
	test_entry_helpers();
	return check_done();
}
