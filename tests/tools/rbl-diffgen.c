/*
 * rbl-diffgen -- data and queries for the differential test against
 * rbldnsd (tests/diff/rbldnsd.test).
 *
 *   rbl-diffgen DIR [SEED]
 *
 * Writes into DIR one rbldnsd data file per dataset type and, for each,
 * a file of query names ("DIR/<type>.q", one name relative to the zone
 * per line: listed and unlisted addresses, first and last addresses of
 * every entry and their neighbours, excluded addresses, random ones):
 *   ip4set.txt   hosts, /24s, octet and non-octet CIDRs overlapping on one
 *                level, every range syntax, exclusions (also a listing
 *                inside an exclusion of the same level), per-entry values
 *                (:N, :N:, bare text), $n variables, $$, $MAXRANGE4
 *   ip4trie.txt  nested CIDRs of any length with values and exclusions
 *   ip6tset.txt  /64s and /128 exclusions
 *   ip6trie.txt  nested IPv6 prefixes with values and exclusions
 *   dnset.txt    names, *.names, .names, exclusions, $ in TXT
 *   combined.txt $SOA, $NS, three datasets under @ and subzones, and a
 *                generic one with fixed records in each
 * Names are only full addresses (4 octets, 32 nibbles): partial names
 * (empty non-terminals) are where rbldnsd is known to be wrong.
 * Deterministic for a given SEED.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "rbl-diffgen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

/* ---- IPv4 ---- */

static void q4(FILE *q, uint32_t a)
{
	fprintf(q, "%u.%u.%u.%u\n", a & 255, (a >> 8) & 255, (a >> 16) & 255,
		a >> 24);
}

/* Queries around [LO, HI]: both ends, their outer neighbours, and a few
 * inside. */
static void q4_range(FILE *q, uint32_t lo, uint32_t hi)
{
	q4(q, lo);
	q4(q, hi);
	if (lo > 0)
		q4(q, lo - 1);
	if (hi < 0xffffffffu)
		q4(q, hi + 1);
	for (int i = 0; i < 2; i++)
		q4(q, lo + below(hi - lo + 1));
}

static const char *ip4(uint32_t a, char *buf)
{
	sprintf(buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		a & 255);
	return buf;
}

static const char *value(void)
{
	static const char *const v[] = {
		"", "", "", "", " :3", " :4:", " :5:Own text for $",
		" custom $ text with $$ sign", " :6:$1/$ see", " :127.0.1.7",
	};

	return v[below(sizeof(v) / sizeof(v[0]))];
}

static void ip4set_hosts(FILE *f, FILE *q, uint32_t base, int n)
{
	char b[20];

	for (int i = 0; i < n; i++) {	/* distinct: no union of TXTs */
		uint32_t a = base + (uint32_t)i * 83 + below(83);

		fprintf(f, "%s%s\n", ip4(a, b), value());
		q4_range(q, a, a);
	}
}

static void ip4set_blocks(FILE *f, FILE *q)
{
	char b[20];

	/* /24s with excluded hosts, and an excluded /26 holding a listed
	 * /28: both on the /32 level, where rbldnsd lets the exclusion win */
	for (int i = 0; i < 40; i++) {
		uint32_t net = 0xac100000u + ((uint32_t)i * 3 << 8);
		uint32_t x = net + below(256), y = net + 64;

		fprintf(f, "%s/24%s\n!%s\n", ip4(net, b), i % 4 ? "" : " :7",
			ip4(x, b));
		fprintf(f, "!%s/26\n", ip4(y, b));
		fprintf(f, "%s/28 :8\n", ip4(y + 16, b));
		q4_range(q, net, net + 255);
		q4_range(q, x, x);
		q4_range(q, y, y + 63);
		q4_range(q, y + 16, y + 31);
	}
}

/* Overlaps inside one octet level: rbldnsd's rules, not longest prefix. */
static void ip4set_levels(FILE *f, FILE *q)
{
	static const char *const lines[] = {
		"192.168.16.0/20", "!192.168.18.0/23", "192.168.32.0/20 :6",
		"192.168.36.0/22 :5", "192.168.64.0/25", "!192.168.64.0/26",
		"!192.168.65.0/25", "192.168.65.0/26", "192.168.66.7 :2",
		"192.168.66.7 :3", "192.168.67.8", "!192.168.67.8",
		"192.168.128.0/17 :9", "192.168.200.0/21 :10",
	};
	static const uint32_t ranges[][2] = {
		{ 0xc0a81000, 0xc0a81fff }, { 0xc0a81200, 0xc0a813ff },
		{ 0xc0a82000, 0xc0a82fff }, { 0xc0a82400, 0xc0a827ff },
		{ 0xc0a84000, 0xc0a8407f }, { 0xc0a84100, 0xc0a8417f },
		{ 0xc0a84207, 0xc0a84207 }, { 0xc0a84308, 0xc0a84308 },
		{ 0xc0a88000, 0xc0a8ffff }, { 0xc0a8c800, 0xc0a8cfff },
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(f, "%s\n", lines[i]);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		q4_range(q, ranges[i][0], ranges[i][1]);
}

static void ip4set_ranges(FILE *f, FILE *q)
{
	static const char *const lines[] = {
		"100.64.0.10-100.64.1.20", "100.65.0-100.65.3 :4",
		"100.66.1.1-255", "100.67.16-31", "100.68.7", "100.69/16 :3:",
		"100.70.0.0-100.70.0.255", "100.71.3.200-100.71.4.3 :5",
	};
	static const uint32_t ranges[][2] = {
		{ 0x6440000a, 0x64400114 }, { 0x64410000, 0x644103ff },
		{ 0x64420101, 0x644201ff }, { 0x64431000, 0x64431fff },
		{ 0x64440700, 0x644407ff }, { 0x64450000, 0x6445ffff },
		{ 0x64460000, 0x644600ff }, { 0x644703c8, 0x64470403 },
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(f, "%s\n", lines[i]);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		q4_range(q, ranges[i][0], ranges[i][1]);
}

static void gen_ip4set(const char *dir)
{
	FILE *f = open_out(dir, "ip4set.txt"), *q = open_out(dir, "ip4set.q");

	fprintf(f, "# generated by rbl-diffgen\n$1 http://bl.example/q\n"
		":127.0.0.2:Listed $, see $1?$\n");
	ip4set_hosts(f, q, 0x0a000000u, 600);
	ip4set_blocks(f, q);
	ip4set_levels(f, q);
	ip4set_ranges(f, q);
	fprintf(f, ":127.0.0.4:\n");	/* a new default: A only */
	ip4set_hosts(f, q, 0x0b000000u, 100);
	fprintf(f, "$MAXRANGE4 /16\n11.128.0.0/9\n");	/* skipped */
	q4_range(q, 0x0b800000u, 0x0bffffffu);
	for (int i = 0; i < 300; i++)	/* random, mostly unlisted */
		q4(q, rnd());
	fclose(f);
	fclose(q);
}

static void gen_ip4trie(const char *dir)
{
	FILE *f = open_out(dir, "ip4trie.txt"), *q = open_out(dir, "ip4trie.q");
	char b[20];

	fprintf(f, ":2:trie $\n");
	for (int i = 0; i < 60; i++) {
		unsigned len = 9 + below(16);
		uint32_t net = (0x50000000u + (rnd() & 0x0fffffffu)) &
			       (0xffffffffu << (32 - len));
		uint32_t size = 1u << (32 - len);
		uint32_t in = net + below(size) / 2 * 2, inlen = len + 1 +
			      below(32 - len);
		uint32_t inmask = inlen >= 32 ? 0xffffffffu :
				  0xffffffffu << (32 - inlen);

		in &= inmask;
		fprintf(f, "%s/%u%s\n", ip4(net, b), len, value());
		fprintf(f, "%s%s/%u%s\n", i % 3 ? "!" : "", ip4(in, b), inlen,
			i % 3 ? "" : " :9:inner $");
		q4_range(q, net, net + size - 1);
		q4_range(q, in, in + ~inmask);
	}
	for (int i = 0; i < 200; i++)
		q4(q, 0x50000000u + (rnd() & 0x0fffffffu));
	fclose(f);
	fclose(q);
}

/* ---- IPv6 ---- */

static void q6(FILE *q, const uint8_t a[16])
{
	for (int i = 15; i >= 0; i--)
		fprintf(q, "%x.%x%s", a[i] & 15, a[i] >> 4, i ? "." : "\n");
}

static void set_word(uint8_t a[16], int w, unsigned v)
{
	a[2 * w] = (uint8_t)(v >> 8);
	a[2 * w + 1] = (uint8_t)v;
}

static void q6_random_host(FILE *q, uint8_t a[16], int from_byte)
{
	uint8_t b[16];

	memcpy(b, a, 16);
	for (int i = from_byte; i < 16; i++)
		b[i] = (uint8_t)rnd();
	q6(q, b);
}

static void gen_ip6tset(const char *dir)
{
	FILE *f = open_out(dir, "ip6tset.txt"), *q = open_out(dir, "ip6tset.q");
	uint8_t a[16];

	fprintf(f, ":5:v6 tset $\n");
	for (int i = 0; i < 150; i++) {
		unsigned w2 = below(65536), w3 = below(65536);

		memset(a, 0, 16);
		set_word(a, 0, 0x2001);
		set_word(a, 1, 0xdb8);
		set_word(a, 2, w2);
		set_word(a, 3, w3);
		fprintf(f, "2001:db8:%x:%x\n", w2, w3);
		q6_random_host(q, a, 8);
		q6(q, a);
		if (i % 5 == 0) {
			set_word(a, 7, i + 1);
			fprintf(f, "!2001:db8:%x:%x::%x\n", w2, w3, i + 1);
			q6(q, a);
		}
		set_word(a, 3, w3 ^ 1);	/* the neighbouring /64 */
		q6_random_host(q, a, 8);
	}
	fclose(f);
	fclose(q);
}

static void gen_ip6trie(const char *dir)
{
	FILE *f = open_out(dir, "ip6trie.txt"), *q = open_out(dir, "ip6trie.q");
	uint8_t a[16];

	fprintf(f, ":127.0.1.2: Listed $\n2001:db8:c000/36\n"
		"2001:db8:def7:4242 :127.0.1.3: funny\n2001:db8:42::/52\n"
		"::1\n!2001:db8:42::bead\n");
	for (int i = 0; i < 80; i++) {
		unsigned w = 0x3000 + below(0x1000), len = 32 + 4 * below(20);

		memset(a, 0, 16);
		set_word(a, 0, 0x2a00);
		set_word(a, 1, w);
		fprintf(f, "2a00:%x::/32%s\n", w, value());
		set_word(a, 2, i * 16);
		fprintf(f, "!2a00:%x:%x::/%u\n", w, i * 16, len < 48 ? 48 : len);
		q6_random_host(q, a, 4);
		q6_random_host(q, a, 6);
		q6(q, a);
	}
	memset(a, 0, 16);
	set_word(a, 0, 0x2001);
	set_word(a, 1, 0xdb8);
	set_word(a, 2, 0xdef7);
	set_word(a, 3, 0x4242);
	q6_random_host(q, a, 8);
	set_word(a, 2, 0x42);
	set_word(a, 3, 0);
	set_word(a, 7, 0xbead);
	q6(q, a);
	set_word(a, 7, 0xbeae);
	q6(q, a);
	memset(a, 0, 16);
	a[15] = 1;
	q6(q, a);
	for (int i = 0; i < 100; i++) {
		set_word(a, 0, 0x2a00);
		q6_random_host(q, a, 2);
	}
	fclose(f);
	fclose(q);
}

/* ---- names ---- */

static void gen_dnset(const char *dir)
{
	FILE *f = open_out(dir, "dnset.txt"), *q = open_out(dir, "dnset.q");
	static const char *const fixed[] = {
		"example.com", "*.wild.com :3", ".both.com :4:Both $",
		"!*.ex.both.com", "x.org", "!deny.org",
		"*.deny.net", "dup.org :2", "dup.org :3",
		/* a name's exact and subtree entries differ */
		"split.org :2", "*.split.org :3:Below $", "sx.org :4",
		"!*.sx.org", "!sy.org", "*.sy.org :5",
	};
	static const char *const queries[] = {
		"example.com", "a.example.com", "wild.com", "a.wild.com",
		"b.a.wild.com", "both.com", "x.both.com", "ex.both.com",
		"y.ex.both.com", "x.org", "a.x.org", "deny.org", "a.deny.net",
		"dup.org", "EXAMPLE.COM", "nothing.net", "split.org",
		"a.split.org", "b.a.split.org", "sx.org", "a.sx.org", "sy.org",
		"a.sy.org",
	};

	fprintf(f, ":2:Name $ listed\n");
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		fprintf(f, "%s\n", fixed[i]);
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		fprintf(q, "%s\n", queries[i]);
	for (int i = 0; i < 300; i++) {	/* distinct names */
		unsigned n = (unsigned)i * 300 + below(300), kind = below(3);

		fprintf(f, "%sd%u.spam.example%s\n",
			kind == 0 ? "" : kind == 1 ? "*." : ".", n, value());
		fprintf(q, "d%u.spam.example\nw.d%u.spam.example\n"
			"d%u.spam.example\n", n, n, below(100000));
	}
	fclose(f);
	fclose(q);
}

static void gen_combined(const char *dir)
{
	FILE *f = open_out(dir, "combined.txt"), *q = open_out(dir, "combined.q");
	char b[20];

	fprintf(f, "$NS 1w ns1.comb.test ns2.comb.test\n"
		"$SOA 1w ns1.comb.test admin.comb.test 0 2h 2h 1w 1h\n"
		"$DATASET ip4set:proxy proxies @\n:2:Open proxy $\n");
	for (int i = 0; i < 100; i++) {
		uint32_t a = 0x0c000000u + below(1 << 16);

		fprintf(f, "%s\n", ip4(a, b));
		q4(q, a);
		fprintf(q, "%u.%u.%u.%u.proxies\n", a & 255, (a >> 8) & 255,
			(a >> 16) & 255, a >> 24);
	}
	fprintf(f, "$DATASET ip4trie:relay relays @\n:3:Open relay $\n"
		"12.0.0.0/16\n!12.0.5.0/24\n");
	q4_range(q, 0x0c000000u, 0x0c00ffffu);
	q4_range(q, 0x0c000500u, 0x0c0005ffu);
	fprintf(q, "1.5.0.12.relays\n1.6.0.12.relays\n1.6.0.12.proxies\n");
	fprintf(f, "$DATASET dnset:dbl dbl\n:4:Domain $\nbad.example\n"
		"*.worse.example\n");
	fprintf(q, "bad.example.dbl\nx.worse.example.dbl\nworse.example.dbl\n"
		"good.example.dbl\n");
	/* rbldnsd's own example: fixed records in every subzone and at @ */
	fprintf(f, "$DATASET generic:common proxies relays @\n"
		"@ A 127.0.0.8\nwww A 127.0.0.8\n@ MX 10 mx.comb.test\n"
		"about 3000 TXT \"comb.test combined blocklist\"\n");
	fprintf(q, "www\nwww.proxies\nwww.relays\nabout\nabout.relays\n"
		"proxies\nrelays\nnone.www\n");
	fclose(f);
	fclose(q);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: rbl-diffgen DIR [SEED]\n");
		return 2;
	}
	if (argc == 3)
		rng ^= strtoull(argv[2], NULL, 10) * 0x2545f4914f6cdd1dull;
	gen_ip4set(argv[1]);
	gen_ip4trie(argv[1]);
	gen_ip6tset(argv[1]);
	gen_ip6trie(argv[1]);
	gen_dnset(argv[1]);
	gen_combined(argv[1]);
	return 0;
}
