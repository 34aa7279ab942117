/*
 * test_cookie.c -- DNS cookies: SipHash-2-4 against the 64 vectors of the
 * SipHash paper's reference test, RFC 9018 server cookies against its
 * Appendix A, the verdicts (age window, rotation, renewal), the parser's
 * COOKIE checks, the secret in rbld.conf, and the engine's steps
 * (cookies in answers over UDP and TCP, BADCOOKIE when required, the RRL
 * exemption and the BADCOOKIE slip).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zone/config/config.h"
#include "zone/store/store.h"
#include "rbld/cookie.h"
#include "rbld/engine.h"
#include "rbld/siphash.h"
#include "tests/unit/check.h"

/* SipHash-2-4, key 00 01 .. 0f, message 00 01 .. (n-1), n = 0..63. */
static const uint64_t sip_vectors[64] = {
	0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a,
	0x85676696d7fb7e2d, 0xcf2794e0277187b7, 0x18765564cd99a68d,
	0xcbc9466e58fee3ce, 0xab0200f58b01d137, 0x93f5f5799a932462,
	0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
	0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee,
	0xa129ca6149be45e5, 0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794,
	0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd, 0xbed65cf21aa2ee98,
	0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
	0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3,
	0x2f2e6163076bcfad, 0xde4daaaca71dc9a5, 0xa6a2506687956571,
	0xad87a3535c49ef28, 0x32d892fad841c342, 0x7127512f72f27cce,
	0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
	0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d,
	0x9abfd8766a33735c, 0x0e3ea96b5304a7d0, 0xad0c42d6fc585992,
	0x187306c89bc215a9, 0xd4a60abcf3792b95, 0xf935451de4f21df2,
	0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
	0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72,
	0xa192d576b245165a, 0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f,
	0x7fa8220ba3b2ecea, 0x245731c13ca42499, 0xb78dbfaf3a8d83bd,
	0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
	0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57,
	0x958a324ceb064572,
};

static void test_siphash(void)
{
	uint8_t key[16], msg[64], le[8];
	int bad = 0;

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (int n = 0; n < 64; n++)
		if (rbl_siphash24(key, msg, (size_t)n) != sip_vectors[n]) {
			fprintf(stderr, "siphash of %d bytes wrong\n", n);
			bad++;
		}
	CHECK(bad == 0);
	/* the paper's bytes: the 64-bit value little-endian */
	rbl_siphash24_le(key, msg, 15, le);
	CHECK(memcmp(le, "\xe5\x45\xbe\x49\x61\xca\x29\xa1", 8) == 0);
}

static void hex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v = 0;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static rbl_addr ip(const char *s)
{
	rbl_addr a = { 0 };

	a.family = strchr(s, ':') ? RBL_AF6 : RBL_AF4;
	CHECK(inet_pton(a.family == RBL_AF6 ? AF_INET6 : AF_INET, s,
			a.bytes) == 1);
	return a;
}

static void conf_with(rbl_cookie_conf *c, const char *secret,
		      const char *previous)
{
	memset(c, 0, sizeof(*c));
	c->enabled = c->configured = true;
	hex(secret, c->secret);
	if (previous) {
		c->has_previous = true;
		hex(previous, c->previous);
	}
}

#define S1	"e5e973e5a6b2a43f48e7dc849e37bfcf"
#define S_OLD	"dd3bdf9344b678b185a6f5cb60fca715"
#define S_NEW	"445536bcd2513298075a5d379663c962"

/* Judge the option HEXOPT from CLIENT at NOW; *OUT gets the answer's. */
static int judge(const rbl_cookie_conf *c, const char *hexopt,
		 const char *client, int64_t now, uint8_t *out)
{
	uint8_t opt[40] = { 0 }, len = 0;
	rbl_addr a = ip(client);
	int r = 0;

	hex(hexopt, opt);
	r = rbl_cookie_check(c, opt, strlen(hexopt) / 2, &a, now, out, &len);
	CHECK(len == 24);
	return r;
}

/* RFC 9018 Appendix A, both ways: what the server makes, what it takes. */
static void test_rfc9018(void)
{
	rbl_cookie_conf c = { 0 };
	uint8_t out[40], want[24];

	conf_with(&c, S1, NULL);
	/* A.1: a client cookie alone gets a fresh server cookie */
	CHECK(judge(&c, "2464c4abcf10c957", "198.51.100.100", 1559731985,
		    out) == RBL_COOKIE_FRESH);
	hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480", want);
	CHECK(memcmp(out, want, 24) == 0);
	/* A.2: that cookie, 40 minutes later: valid, but renewed */
	CHECK(judge(&c, "2464c4abcf10c957010000005cf79f111f8130c3eee29480",
		    "198.51.100.100", 1559734385, out) == RBL_COOKIE_VALID);
	hex("2464c4abcf10c957010000005cf7a871d4a564a1442aca77", want);
	CHECK(memcmp(out, want, 24) == 0);
	/* A.3: reserved bytes the client's cookie has are hashed as given;
	 * valid at the time it was made, expired 1h52m later, when the
	 * example's answer is made */
	CHECK(judge(&c, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5",
		    "203.0.113.203", 0x5cf78f71, out) == RBL_COOKIE_VALID);
	CHECK(judge(&c, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5",
		    "203.0.113.203", 1559734700, out) == RBL_COOKIE_FRESH);
	hex("fc93fc62807ddb86010000005cf7a9acf73a7810aca2381e", want);
	CHECK(memcmp(out, want, 24) == 0);
	/* ... and from another address it is not ours */
	CHECK(judge(&c, "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5",
		    "203.0.113.204", 0x5cf78f71, out) == RBL_COOKIE_FRESH);
	/* A.4: IPv6, after a rotation: the old secret's cookie is still
	 * valid and a new one is made with the new secret */
	conf_with(&c, S_NEW, S_OLD);
	CHECK(judge(&c, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
		    "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, out) ==
	      RBL_COOKIE_VALID);
	hex("22681ab97d52c298010000005cf7c609a6bb79d16625507a", want);
	CHECK(memcmp(out, want, 24) == 0);
	/* without the previous secret it is not */
	c.has_previous = false;
	CHECK(judge(&c, "22681ab97d52c298010000005cf7c57926556bd0934c72f8",
		    "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, out) ==
	      RBL_COOKIE_FRESH);
}

/* The lifetime window and renewal, around a cookie made at T. */
static void test_window(void)
{
	rbl_cookie_conf c = { 0 };
	const char *cookie = "2464c4abcf10c957010000005cf79f111f8130c3eee29480";
	const int64_t t = 1559731985;
	uint8_t out[40], got[40];

	conf_with(&c, S1, NULL);
	hex(cookie, got);
	/* young: echoed as it came */
	CHECK(judge(&c, cookie, "198.51.100.100", t + 10, out) ==
	      RBL_COOKIE_VALID);
	CHECK(memcmp(out, got, 24) == 0);
	CHECK(judge(&c, cookie, "198.51.100.100", t + RBL_COOKIE_RENEW - 1,
		    out) == RBL_COOKIE_VALID);
	CHECK(memcmp(out, got, 24) == 0);
	/* half an hour: still valid, renewed */
	CHECK(judge(&c, cookie, "198.51.100.100", t + RBL_COOKIE_RENEW, out) ==
	      RBL_COOKIE_VALID);
	CHECK(memcmp(out, got, 24) != 0 && memcmp(out, got, 8) == 0);
	CHECK(judge(&c, cookie, "198.51.100.100", t + RBL_COOKIE_LIFETIME,
		    out) == RBL_COOKIE_VALID);
	CHECK(judge(&c, cookie, "198.51.100.100", t + RBL_COOKIE_LIFETIME + 1,
		    out) == RBL_COOKIE_FRESH);
	/* from the future: five minutes of skew */
	CHECK(judge(&c, cookie, "198.51.100.100", t - RBL_COOKIE_SKEW, out) ==
	      RBL_COOKIE_VALID);
	CHECK(judge(&c, cookie, "198.51.100.100", t - RBL_COOKIE_SKEW - 1,
		    out) == RBL_COOKIE_FRESH);
	/* a wrong hash, version or length is only a client cookie */
	CHECK(judge(&c, "2464c4abcf10c957010000005cf79f111f8130c3eee29481",
		    "198.51.100.100", t, out) == RBL_COOKIE_FRESH);
	CHECK(judge(&c, "2464c4abcf10c957020000005cf79f111f8130c3eee29480",
		    "198.51.100.100", t, out) == RBL_COOKIE_FRESH);
	CHECK(judge(&c, "2464c4abcf10c9570100000000000000", "198.51.100.100",
		    t, out) == RBL_COOKIE_FRESH);
	/* the timestamp is serial arithmetic: a cookie made just before
	 * 2^32 seconds is valid just after */
	{
		uint8_t opt[24], sc[16];
		uint8_t len = 0;
		rbl_addr a = ip("192.0.2.1");

		hex("2464c4abcf10c957", opt);
		rbl_cookie_make(c.secret, opt, (const uint8_t *)"\0\0\0",
				0xffffff00u, &a, sc);
		memcpy(opt + 8, sc, 16);
		CHECK(rbl_cookie_check(&c, opt, 24, &a, 0x100000010ll, out,
				       &len) == RBL_COOKIE_VALID);
	}
}

/* ---------------------------------------------------------- parser */

/* A query for bl.test A with an OPT record holding OPTS (NOPTS bytes). */
static size_t query_with(uint8_t *p, const uint8_t *opts, size_t nopts)
{
	static const uint8_t head[] = {
		0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1,
		2, 'b', 'l', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0
	};
	size_t n = sizeof head;

	memcpy(p, head, n);
	dns_put16(p + n, (uint16_t)nopts);
	memcpy(p + n + 2, opts, nopts);
	return n + 2 + nopts;
}

static size_t cookie_opt(uint8_t *o, size_t len, uint8_t fill)
{
	dns_put16(o, DNS_OPT_COOKIE);
	dns_put16(o + 2, (uint16_t)len);
	memset(o + 4, fill, len);
	return 4 + len;
}

static void test_parse(void)
{
	uint8_t p[200], o[120];
	rbl_query q = { 0 };
	size_t n = 0;

	for (size_t len = 0; len <= 41; len++) {
		bool ok = len == 8 || (len >= 16 && len <= 40);

		n = query_with(p, o, cookie_opt(o, len, 0xab));
		CHECK(rbl_query_parse(p, n, &q) == RBL_OK);
		if (ok != (q.rcode == DNS_RCODE_NOERROR && q.cookie_len == len))
			fprintf(stderr, "cookie of %zu bytes\n", len);
		CHECK(ok == (q.rcode == DNS_RCODE_NOERROR &&
			     q.cookie_len == len));
		CHECK(ok || (q.rcode == DNS_RCODE_FORMERR && q.has_opt &&
			     q.cookie_len == 0));
	}
	/* the option is found among others, the first COOKIE counts */
	n = cookie_opt(o, 4, 0);
	dns_put16(o, 8);			/* ECS-like, skipped */
	n += cookie_opt(o + n, 8, 0x11);
	n += cookie_opt(o + n, 3, 0x22);	/* malformed, but second */
	n = query_with(p, o, n);
	CHECK(rbl_query_parse(p, n, &q) == RBL_OK);
	CHECK(q.rcode == DNS_RCODE_NOERROR && q.cookie_len == 8);
	CHECK(q.cookie_at == 36 + 8 + 4 && p[q.cookie_at] == 0x11);
	/* no option, no cookie */
	n = query_with(p, o, 0);
	CHECK(rbl_query_parse(p, n, &q) == RBL_OK);
	CHECK(q.rcode == DNS_RCODE_NOERROR && q.cookie_len == 0 &&
	      !q.cookie_bad);
}

/* ---------------------------------------------------------- rbld.conf */

static int load(const char *text, rbl_access *p, char *err, size_t len)
{
	rbl_conf *c = NULL;
	int rc = rbl_conf_parse(text, strlen(text), "t.conf", &c, err, len);

	rbl_access_init(p);
	if (rc == RBL_OK)
		rc = rbl_conf_check(c, err, len);
	if (rc == RBL_OK)
		rc = rbl_access_load(c, p, err, len);
	rbl_conf_free(c);
	return rc;
}

static void test_config(void)
{
	char err[RBL_CONF_ERRLEN] = "", text[512], path[] =
		"/tmp/test_cookie.XXXXXX";
	uint8_t want[16];
	rbl_access p = { 0 };
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	/* no section: on, with a random secret */
	CHECK_RC(load("", &p, err, sizeof err), RBL_OK);
	CHECK(p.cookies.enabled && !p.cookies.configured &&
	      !p.cookies.require);
	rbl_access_free(&p);
	CHECK_RC(load("cookies:\n\tenable: no\n", &p, err, sizeof err),
		 RBL_OK);
	CHECK(!p.cookies.enabled);
	rbl_access_free(&p);
	/* secrets inline */
	CHECK_RC(load("cookies:\n\tsecret: " S_NEW "\n\tprevious-secret: "
		      S_OLD "\n\trequire: yes\n", &p, err, sizeof err),
		 RBL_OK);
	hex(S_NEW, want);
	CHECK(p.cookies.configured && memcmp(p.cookies.secret, want, 16) == 0);
	hex(S_OLD, want);
	CHECK(p.cookies.has_previous &&
	      memcmp(p.cookies.previous, want, 16) == 0);
	CHECK(p.cookies.require);
	rbl_access_free(&p);
	/* a bad secret: an error that does not quote it */
	CHECK_RC(load("cookies:\n\tsecret: " S_NEW "ff\n", &p, err,
		      sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "t.conf:2") && !strstr(err, S_NEW));
	rbl_access_free(&p);
	CHECK_RC(load("cookies:\n\tprevious-secret: " S_OLD "\n", &p, err,
		      sizeof err), RBL_EINVAL);
	rbl_access_free(&p);
	/* the secret from a file, first line */
	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "%s\n# rotated 2026-12-05\n", S1);
	fclose(f);
	snprintf(text, sizeof text, "cookies:\n\tsecret-file: %s\n", path);
	CHECK_RC(load(text, &p, err, sizeof err), RBL_OK);
	hex(S1, want);
	CHECK(p.cookies.configured && memcmp(p.cookies.secret, want, 16) == 0);
	rbl_access_free(&p);
	snprintf(text, sizeof text, "cookies:\n\tsecret-file: %s\n"
		 "\tsecret: " S1 "\n", path);
	CHECK_RC(load(text, &p, err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "not both") && !strstr(err, S1));
	rbl_access_free(&p);
	/* a file that is not a secret is named, its text never shown */
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s00\n", S1);
		fclose(f);
	}
	snprintf(text, sizeof text, "cookies:\n\tsecret-file: %s\n", path);
	CHECK_RC(load(text, &p, err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, path) && !strstr(err, S1));
	rbl_access_free(&p);
	unlink(path);
	snprintf(text, sizeof text, "cookies:\n\tsecret-file: %s\n", path);
	CHECK_RC(load(text, &p, err, sizeof err), RBL_EINVAL);
	rbl_access_free(&p);
}

/* ---------------------------------------------------------- engine */

#define NOW 1700000000

static rbl_store *store;
static char dbdir[] = "/tmp/test_cookie_db.XXXXXX";
static rbl_access policy;
static rbl_access_live live;
static uint8_t ans[4096];
static size_t alen;

/* Answer P (N bytes) from 192.0.2.7 over TRANSPORT. */
static int answer(rbl_engine *e, const uint8_t *p, size_t n, int transport)
{
	struct sockaddr_in from = { 0 };
	int rc = 0;

	from.sin_family = AF_INET;
	from.sin_addr.s_addr = htonl(0xc0000207u);
	rbl_engine_begin(e, NOW);
	rc = rbl_engine_answer_from(e, (const struct sockaddr *)&from, p, n,
				    transport, ans, sizeof ans, &alen);
	rbl_engine_end(e);
	return rc;
}

/* The extended rcode of the answer and its COOKIE option (NULL: none). */
static int ext_rcode(const uint8_t *m, size_t len, size_t qend,
		     const uint8_t **cookie, size_t *clen)
{
	const uint8_t *opt = NULL;

	*cookie = NULL;
	*clen = 0;
	if (dns_get16(m + 10) == 0 || dns_get16(m + 6) || dns_get16(m + 8))
		return m[3] & 15;	/* checked only on short forms */
	opt = m + qend;
	if (qend + 11 > len || dns_get16(opt + 1) != DNS_T_OPT)
		return -1;
	if (dns_get16(opt + 9) >= 4 && dns_get16(opt + 11) == DNS_OPT_COOKIE) {
		*cookie = opt + 15;
		*clen = dns_get16(opt + 13);
	}
	return (opt[5] << 4) | (m[3] & 15);
}

static void setup_engine(rbl_engine *e, rbl_engine_conf *ec,
			 const char *conf)
{
	char err[256] = "";
	rbl_txn *t = NULL;
	rbl_zone z = { 0 };

	if (!store) {
		CHECK(mkdtemp(dbdir) != NULL);
		CHECK_RC(rbl_store_open(dbdir, RBL_STORE_CREATE, 1 << 24,
					&store),
			 RBL_OK);
		CHECK_RC(rbl_txn_begin(store, true, &t), RBL_OK);
		CHECK_RC(rbl_zone_create_simple(t, "bl.test", RBL_LIST_IP, &z),
			 RBL_OK);
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
	}
	CHECK_RC(load(conf, &policy, err, sizeof err), RBL_OK);
	atomic_store(&live.current, &policy);
	atomic_store(&live.generation, 1);
	ec->access = &live;
	CHECK_RC(rbl_engine_init(e, store, ec, NULL), RBL_OK);
}

static void teardown_engine(rbl_engine *e)
{
	rbl_engine_fini(e);
	rbl_access_free(&policy);
}

static void test_engine(void)
{
	rbl_engine_conf ec = { .version = "t", .edns_buffer_max = 1232 };
	rbl_engine e = { 0 };
	uint8_t p[200], o[60], learnt[24];
	char cmd[80];
	const uint8_t *ck = NULL;
	size_t n = 0, clen = 0;
	const size_t qend = 25;
	int slips = 0, answered = 0, bad = 0;

	setup_engine(&e, &ec, "cookies:\n\tsecret: " S1 "\n");
	/* a client cookie alone: answered, with a fresh server cookie */
	n = query_with(p, o, cookie_opt(o, 8, 0x42));
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK((ans[3] & 15) == DNS_RCODE_NOERROR && dns_get16(ans + 8) == 1);
	/* the OPT is last: find it from the end */
	CHECK(alen > 39 && dns_get16(ans + alen - 39 + 1) == DNS_T_OPT);
	CHECK(dns_get16(ans + alen - 28) == DNS_OPT_COOKIE &&
	      dns_get16(ans + alen - 26) == 24);
	memcpy(learnt, ans + alen - 24, 24);
	CHECK(memcmp(learnt, o + 4, 8) == 0 && learnt[8] == 1);
	/* and over TCP too */
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_TCP), RBL_OK);
	CHECK(dns_get16(ans + alen - 28) == DNS_OPT_COOKIE);
	/* with what it learnt: valid, the same cookie back */
	dns_put16(o, DNS_OPT_COOKIE);
	dns_put16(o + 2, 24);
	memcpy(o + 4, learnt, 24);
	n = query_with(p, o, 28);
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK(memcmp(ans + alen - 24, learnt, 24) == 0);
	/* a malformed option: FORMERR, with OPT, without a cookie */
	n = query_with(p, o, cookie_opt(o, 12, 0x42));
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK((ans[3] & 15) == DNS_RCODE_FORMERR && dns_get16(ans + 10) == 1 &&
	      alen == qend + 11);
	teardown_engine(&e);

	/* require: a UDP query without a valid cookie gets BADCOOKIE with
	 * a fresh one; with it, or over TCP, the answer */
	setup_engine(&e, &ec, "cookies:\n\tsecret: " S1 "\n\trequire: yes\n");
	n = query_with(p, o, cookie_opt(o, 8, 0x42));
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK(ext_rcode(ans, alen, qend, &ck, &clen) == DNS_RCODE_BADCOOKIE);
	CHECK(ck && clen == 24 && memcmp(ck, learnt, 24) == 0);
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_TCP), RBL_OK);
	CHECK((ans[3] & 15) == DNS_RCODE_NOERROR);
	dns_put16(o + 2, 24);
	memcpy(o + 4, learnt, 24);
	n = query_with(p, o, 28);
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK((ans[3] & 15) == DNS_RCODE_NOERROR);
	/* no COOKIE option at all: answered as without cookies */
	n = query_with(p, o, 0);
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK((ans[3] & 15) == DNS_RCODE_NOERROR && alen > qend + 11);
	teardown_engine(&e);

	/* RRL at 1 per second, slip 1: a valid cookie is never limited;
	 * a client cookie alone slips as BADCOOKIE, not TC=1 */
	setup_engine(&e, &ec, "cookies:\n\tsecret: " S1 "\n"
		     "rrl:\n\tresponses-per-second: 1\n"
		     "\tnxdomain-per-second: 1\n\tslip: 1\n");
	for (int i = 0; i < 20; i++) {
		n = query_with(p, o, 28);
		answered += answer(&e, p, n, RBL_TRANSPORT_UDP) == RBL_OK &&
			    (ans[3] & 15) == DNS_RCODE_NOERROR &&
			    !(ans[2] & DNS_FLAG_TC);
	}
	CHECK(answered == 20);
	for (int i = 0; i < 20; i++) {
		n = query_with(p, o, cookie_opt(o, 8, 0x42));
		if (answer(&e, p, n, RBL_TRANSPORT_UDP) != RBL_OK)
			continue;
		if (ext_rcode(ans, alen, qend, &ck, &clen) ==
		    DNS_RCODE_BADCOOKIE && ck && clen == 24 &&
		    !(ans[2] & DNS_FLAG_TC))
			bad++;
		slips += (ans[2] & DNS_FLAG_TC) != 0;
	}
	CHECK(bad >= 18 && slips == 0);
	/* without a cookie: the usual TC=1 slip */
	n = query_with(p, o, 0);
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK((ans[2] & DNS_FLAG_TC) && alen == qend + 11);
	teardown_engine(&e);

	/* cookies off: the option is ignored */
	setup_engine(&e, &ec, "cookies:\n\tenable: no\n");
	n = query_with(p, o, cookie_opt(o, 8, 0x42));
	CHECK_RC(answer(&e, p, n, RBL_TRANSPORT_UDP), RBL_OK);
	CHECK(dns_get16(ans + alen - 11 + 1) == DNS_T_OPT &&
	      dns_get16(ans + alen - 2) == 0);
	teardown_engine(&e);
	rbl_store_close(store);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dbdir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_siphash();
	test_rfc9018();
	test_window();
	test_parse();
	test_config();
	test_engine();
	return check_done();
}
