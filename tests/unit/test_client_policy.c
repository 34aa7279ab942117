/*
 * test_client_policy.c -- rbld's client policy without sockets: the ACL
 * trie (longest prefix, IPv6, overrides, rule syntax, rbldnsd files), RRL
 * arithmetic with a controlled clock (rate, burst, window debt, slip,
 * classes, prefixes, exempt, dry run), the slip wire form, daily quotas
 * and their day boundary, and the config loader.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rbld/acl.h"
#include "rbld/access.h"
#include "rbld/quota.h"
#include "rbld/rrl.h"
#include "zone/config/config.h"

static rbl_addr addr(const char *s)
{
	rbl_addr a;

	memset(&a, 0, sizeof(a));
	if (rbl_addr_parse(s, &a) != RBL_OK)
		abort();
	return a;
}

static int action_for(const rbl_acl *a, const char *client)
{
	rbl_addr c = addr(client);
	const rbl_acl_rule *r = rbl_acl_match(a, &c);

	return r ? r->action : -1;
}

static void add_rule(rbl_acl *a, const char *text)
{
	rbl_acl_rule r;
	char err[128];

	CHECK_RC(rbl_acl_parse_rule(text, &r, err, sizeof(err)), RBL_OK);
	CHECK_RC(rbl_acl_add(a, &r), RBL_OK);
}

static void test_acl_match(void)
{
	rbl_acl *a;

	CHECK_RC(rbl_acl_new(&a), RBL_OK);
	CHECK(action_for(a, "10.0.0.1") == -1);
	add_rule(a, "10.0.0.0/8 refuse");
	add_rule(a, "10.1.0.0/16 pass");
	add_rule(a, "10.1.2.3 ignore");
	add_rule(a, "2001:db8::/32 empty");
	add_rule(a, "2001:db8:1::/48 answer 127.255.255.254 open resolver $");
	CHECK(action_for(a, "10.9.9.9") == RBL_ACT_REFUSE);
	CHECK(action_for(a, "10.1.9.9") == RBL_ACT_PASS);
	CHECK(action_for(a, "10.1.2.3") == RBL_ACT_IGNORE);
	CHECK(action_for(a, "10.1.2.4") == RBL_ACT_PASS);
	CHECK(action_for(a, "11.0.0.1") == -1);
	CHECK(action_for(a, "2001:db8:2::1") == RBL_ACT_EMPTY);
	CHECK(action_for(a, "2001:db8:1::1") == RBL_ACT_ANSWER);
	CHECK(action_for(a, "2001:db9::1") == -1);
	/* An IPv4 rule never matches IPv6 and the other way round. */
	CHECK(action_for(a, "::a00:1") == -1);
	/* A later rule for the same prefix replaces the earlier one. */
	add_rule(a, "10.0.0.0/8 empty");
	CHECK(action_for(a, "10.9.9.9") == RBL_ACT_EMPTY);
	CHECK(rbl_acl_count(a) == 5);
	/* Default routes match everything of their family. */
	add_rule(a, "0.0.0.0/0 ignore");
	CHECK(action_for(a, "192.0.2.1") == RBL_ACT_IGNORE);
	CHECK(action_for(a, "2001:db9::1") == -1);
	rbl_acl_free(a);
}

static void test_acl_syntax(void)
{
	static const char *const bad[] = {
		"", "10.0.0.0/8", "10.0.0.1/8 ignore", "10.0.0.0/33 ignore",
		"10.0.0.0/8 frob", "10.0.0.0/8 ignore now",
		"10.0.0.0/8 answer", "10.0.0.0/8 answer 10.0.0.2",
		"10.0.0.0/8 answer 2,3,4,5,6", "fe80::/8::1 refuse",
		"10.0.0.0/8 answer ,", NULL
	};
	rbl_acl_rule r;
	char err[128], txt[300];

	for (int i = 0; bad[i]; i++) {
		CHECK_RC(rbl_acl_parse_rule(bad[i], &r, err, sizeof(err)),
			 RBL_ESYNTAX);
		CHECK(err[0] != '\0');
	}
	CHECK_RC(rbl_acl_parse_rule("  192.0.2.0/24\tDROP ", &r, err,
				    sizeof(err)), RBL_OK);
	CHECK(r.action == RBL_ACT_IGNORE && r.prefix.len == 24);
	CHECK_RC(rbl_acl_parse_rule("::1 answer 2,127.0.0.3 a  b $ ", &r, err,
				    sizeof(err)), RBL_OK);
	CHECK(r.answer.n_codes == 2 && r.answer.codes[0] == 0x7f000002u &&
	      r.answer.codes[1] == 0x7f000003u);
	CHECK_STR(r.answer.txt, "a  b $");
	CHECK_RC(rbl_acl_parse_rule("::1 answer 2", &r, err, sizeof(err)),
		 RBL_OK);
	CHECK(r.answer.txt_len == 0);
	memset(txt, 'x', sizeof(txt));
	memcpy(txt, "::1 answer 2 ", 13);
	txt[13 + 256] = '\0';
	CHECK_RC(rbl_acl_parse_rule(txt, &r, err, sizeof(err)), RBL_ESYNTAX);
	txt[13 + 255] = '\0';
	CHECK_RC(rbl_acl_parse_rule(txt, &r, err, sizeof(err)), RBL_OK);
}

static void test_acl_file(void)
{
	static const char file[] =
		"# acl\n"
		"10.0.0.0/8 :ignore\n"
		"!10.1.0.0/16\n"
		"10.2.0.0/16 :refuse\n"
		"10.3.0.0/16 :empty\n"
		"10.4.0.0/16 :127.255.255.255:Excessive $\n"
		"10.5.0.0/16\n"
		"2001:db8::/32 :pass\n";
	rbl_acl *a;
	rbl_addr c = addr("10.4.1.1");
	const rbl_acl_rule *r;
	char err[256];

	CHECK_RC(rbl_acl_new(&a), RBL_OK);
	CHECK_RC(rbl_acl_load_buffer(a, "t.acl", file, sizeof(file) - 1, err,
				     sizeof(err)), RBL_OK);
	CHECK(action_for(a, "10.9.9.9") == RBL_ACT_IGNORE);
	CHECK(action_for(a, "10.1.9.9") == RBL_ACT_PASS);
	CHECK(action_for(a, "10.2.9.9") == RBL_ACT_REFUSE);
	CHECK(action_for(a, "10.3.9.9") == RBL_ACT_EMPTY);
	CHECK(action_for(a, "10.5.9.9") == RBL_ACT_IGNORE);
	CHECK(action_for(a, "2001:db8::5") == RBL_ACT_PASS);
	r = rbl_acl_match(a, &c);
	CHECK(r && r->action == RBL_ACT_ANSWER && r->answer.n_codes == 1 &&
	      r->answer.codes[0] == 0x7fffffffu);
	CHECK(r && strcmp(r->answer.txt, "Excessive $") == 0);
	CHECK_RC(rbl_acl_load_buffer(a, "bad.acl", "10.0.0.0/8 :frob\n", 17,
				     err, sizeof(err)), RBL_ESYNTAX);
	CHECK(strncmp(err, "bad.acl:1:", 10) == 0);
	CHECK_RC(rbl_acl_load_buffer(a, "bad.acl", "10.0.0.1-5 :refuse\n", 19,
				     err, sizeof(err)), RBL_ESYNTAX);
	rbl_acl_free(a);
}

/* ---- RRL ---- */

static rbl_rrl_conf rrl_conf(void)
{
	rbl_rrl_conf c;

	memset(&c, 0, sizeof(c));
	c.rate[RBL_RRL_ANSWER] = 5;
	c.rate[RBL_RRL_NXDOMAIN] = 20;
	c.rate[RBL_RRL_ERROR] = 0;		/* unlimited */
	c.window = 3;
	c.slip = 2;
	c.prefix4 = 24;
	c.prefix6 = 56;
	c.table_size = 64;
	return c;
}

/* N responses of class CLS to CLIENT at NOW: how many of each verdict. */
static void run(rbl_rrl *r, const char *client, int cls, int64_t now,
		int n, int out[3])
{
	rbl_addr c = addr(client);
	bool limited;

	out[0] = out[1] = out[2] = 0;
	for (int i = 0; i < n; i++)
		out[rbl_rrl_check(r, &c, cls, now, &limited)]++;
}

static void test_rrl_rate(void)
{
	rbl_rrl_conf c = rrl_conf();
	rbl_rrl *r;
	int v[3];

	CHECK_RC(rbl_rrl_new(&c, &r), RBL_OK);
	/* One second's burst, then every second limited one slips. */
	run(r, "192.0.2.1", RBL_RRL_ANSWER, 1000, 25, v);
	CHECK(v[RBL_RRL_SEND] == 5 && v[RBL_RRL_SLIP] == 10 &&
	      v[RBL_RRL_DROP] == 10);
	/* The whole /24 shares it; the next /24 does not. */
	run(r, "192.0.2.200", RBL_RRL_ANSWER, 1000, 2, v);
	CHECK(v[RBL_RRL_SEND] == 0);
	run(r, "192.0.3.1", RBL_RRL_ANSWER, 1000, 5, v);
	CHECK(v[RBL_RRL_SEND] == 5);
	/* NXDOMAIN has its own credit; errors are unlimited (rate 0). */
	run(r, "192.0.2.1", RBL_RRL_NXDOMAIN, 1000, 20, v);
	CHECK(v[RBL_RRL_SEND] == 20);
	run(r, "192.0.2.1", RBL_RRL_ERROR, 1000, 1000, v);
	CHECK(v[RBL_RRL_SEND] == 1000);
	/* Debt: 20 over the limit at 5/s is capped at window * rate = 15,
	 * paid back at 5/s: still limited 3 s later, sending after 4. */
	run(r, "192.0.2.1", RBL_RRL_ANSWER, 1003, 1, v);
	CHECK(v[RBL_RRL_SEND] == 0);
	run(r, "192.0.2.1", RBL_RRL_ANSWER, 1008, 5, v);
	CHECK(v[RBL_RRL_SEND] == 5);
	/* IPv6: /56 shares, the next /56 does not. */
	run(r, "2001:db8:0:1::1", RBL_RRL_ANSWER, 1000, 6, v);
	CHECK(v[RBL_RRL_SEND] == 5);
	run(r, "2001:db8:0:ff::2", RBL_RRL_ANSWER, 1000, 1, v);
	CHECK(v[RBL_RRL_SEND] == 0);
	run(r, "2001:db8:0:100::1", RBL_RRL_ANSWER, 1000, 1, v);
	CHECK(v[RBL_RRL_SEND] == 1);
	rbl_rrl_free(r);
}

static void test_rrl_modes(void)
{
	rbl_rrl_conf c = rrl_conf();
	rbl_acl *ex;
	rbl_rrl *r;
	rbl_addr a = addr("192.0.2.1");
	bool limited;
	int v[3], n = 0;

	/* slip 0 drops all, slip 1 slips all. */
	c.slip = 0;
	CHECK_RC(rbl_rrl_new(&c, &r), RBL_OK);
	run(r, "192.0.2.1", RBL_RRL_ANSWER, 1, 15, v);
	CHECK(v[RBL_RRL_SEND] == 5 && v[RBL_RRL_DROP] == 10);
	rbl_rrl_free(r);
	c.slip = 1;
	CHECK_RC(rbl_rrl_new(&c, &r), RBL_OK);
	run(r, "192.0.2.1", RBL_RRL_ANSWER, 1, 15, v);
	CHECK(v[RBL_RRL_SEND] == 5 && v[RBL_RRL_SLIP] == 10);
	rbl_rrl_free(r);
	/* dry run sends all, says which were over. */
	c.dry_run = true;
	CHECK_RC(rbl_rrl_new(&c, &r), RBL_OK);
	for (int i = 0; i < 15; i++) {
		CHECK(rbl_rrl_check(r, &a, RBL_RRL_ANSWER, 1, &limited) ==
		      RBL_RRL_SEND);
		n += limited;
	}
	CHECK(n == 10);
	rbl_rrl_free(r);
	/* exempt */
	c.dry_run = false;
	CHECK_RC(rbl_acl_new(&ex), RBL_OK);
	add_rule(ex, "192.0.2.0/28 pass");
	c.exempt = ex;
	CHECK_RC(rbl_rrl_new(&c, &r), RBL_OK);
	run(r, "192.0.2.1", RBL_RRL_ANSWER, 1, 100, v);
	CHECK(v[RBL_RRL_SEND] == 100);
	run(r, "192.0.2.100", RBL_RRL_ANSWER, 1, 6, v);
	CHECK(v[RBL_RRL_SEND] == 5);
	rbl_rrl_free(r);
	rbl_acl_free(ex);
}

/* A full table forgets the stalest prefix, never mixes two. */
static void test_rrl_table_full(void)
{
	rbl_rrl_conf c = rrl_conf();
	rbl_rrl *r;
	char a[32];
	int v[3], sent = 0;

	CHECK_RC(rbl_rrl_new(&c, &r), RBL_OK);
	for (int i = 0; i < 1000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		run(r, a, RBL_RRL_ANSWER, 1, 5, v);
		sent += v[RBL_RRL_SEND];
	}
	CHECK(sent == 5000);
	rbl_rrl_free(r);
}

static void test_slip_wire(void)
{
	/* header, question "a." A IN (7 bytes), an A record, OPT */
	uint8_t m[64] = { 0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 1,
			  1, 'a', 0, 0, 1, 0, 1 };
	size_t len = 19, n;
	static const uint8_t rr[16] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
					0, 4, 127, 0, 0, 2 };
	static const uint8_t opt[11] = { 0, 0, 41, 4, 0xd0 };

	memcpy(m + len, rr, sizeof(rr));
	len += sizeof(rr);
	memcpy(m + len, opt, sizeof(opt));
	len += sizeof(opt);
	n = rbl_rrl_slip(m, len, 19, 11);
	CHECK(n == 30);
	CHECK(m[2] == (0x84 | 0x02));
	CHECK(m[6] == 0 && m[7] == 0 && m[11] == 1);
	CHECK(memcmp(m + 19, opt, sizeof(opt)) == 0);
	n = rbl_rrl_slip(m, 30, 19, 0);
	CHECK(n == 19 && m[11] == 0);
}

/* ---- quota ---- */

static void test_quota(void)
{
	rbl_quota_conf c;
	rbl_quota *q;
	rbl_addr a = addr("192.0.2.1"), b = addr("192.0.2.2");
	int64_t day = 86400 * 20000;
	int over = 0;

	memset(&c, 0, sizeof(c));
	c.per_day = 10;
	c.prefix4 = 32;
	c.prefix6 = 64;
	c.table_size = 64;
	CHECK_RC(rbl_quota_new(&c, &q), RBL_OK);
	for (int i = 0; i < 15; i++)
		over += rbl_quota_over(q, &a, day + 100);
	CHECK(over == 5);
	CHECK(!rbl_quota_over(q, &b, day + 100));
	CHECK(rbl_quota_over(q, &a, day + 86399));
	/* A new UTC day starts a new count. */
	CHECK(!rbl_quota_over(q, &a, day + 86400));
	rbl_quota_free(q);
}

/* ---- configuration ---- */

static int load(const char *text, rbl_access *p, char *err, size_t errlen)
{
	rbl_conf *c = NULL;
	int rc = rbl_conf_parse(text, strlen(text), "t.conf", &c, err, errlen);

	rbl_access_init(p);
	if (rc == RBL_OK)
		rc = rbl_conf_check(c, err, errlen);
	if (rc == RBL_OK)
		rc = rbl_access_load(c, p, err, errlen);
	rbl_conf_free(c);
	return rc;
}

static void test_config(void)
{
	rbl_access p;
	char err[RBL_CONF_ERRLEN];
	rbl_zt_name z;
	rbl_zt_zone zone;
	rbl_addr cl = addr("10.0.0.9");
	bool quota;
	const rbl_acl_rule *r;
	rbl_access_state s;

	CHECK_RC(load("server:\n", &p, err, sizeof(err)), RBL_OK);
	CHECK(!rbl_access_active(&p));
	rbl_access_free(&p);
	CHECK_RC(load("acl:\n\trule: 10.0.0.0/8 refuse\n"
		      "acl: BL.example.\n\trule: 10.0.0.9 pass\n"
		      "rrl:\n\tresponses-per-second: 10\n"
		      "quota:\n\tqueries-per-day: 1\n", &p, err, sizeof(err)),
		 RBL_OK);
	CHECK(rbl_access_active(&p) && p.n_zone_acls == 1);
	CHECK(p.rrl.rate[RBL_RRL_NXDOMAIN] == 40 &&
	      p.rrl.rate[RBL_RRL_ERROR] == 10);
	CHECK_RC(rbl_access_state_init(&s, &p), RBL_OK);
	memset(&zone, 0, sizeof(zone));
	CHECK_RC(rbl_zt_name_from_text("bl.example", &z), RBL_OK);
	zone.wire = z;
	/* Global rule outside the zone, the zone's pass inside it, then
	 * the quota of 1 for the passed client (pass counts; refused queries do not). */
	r = rbl_access_admit(&s, &cl, NULL, 1, &quota);
	CHECK(r && r->action == RBL_ACT_REFUSE && !quota);
	CHECK(rbl_access_admit(&s, &cl, &zone, 1, &quota) == NULL);
	r = rbl_access_admit(&s, &cl, &zone, 1, &quota);
	CHECK(r && r->action == RBL_ACT_ANSWER && quota &&
	      r->answer.codes[0] == 0x7fffffffu);
	rbl_access_state_fini(&s);
	rbl_access_free(&p);
	CHECK_RC(load("rrl:\n\twindow: 2h\n", &p, err, sizeof(err)),
		 RBL_EINVAL);
	CHECK(strstr(err, "t.conf:1: rrl: window") != NULL);
	rbl_access_free(&p);
	CHECK_RC(load("rrl:\n\tipv6-prefix: 65\n", &p, err, sizeof(err)),
		 RBL_EINVAL);
	rbl_access_free(&p);
	CHECK_RC(load("acl: a..b\n\trule: ::/0 pass\n", &p, err,
		      sizeof(err)), RBL_EINVAL);
	rbl_access_free(&p);
	CHECK_RC(load("rrl:\n\texempt: 10.0.0.1/8\n", &p, err, sizeof(err)),
		 RBL_EINVAL);
	rbl_access_free(&p);
}

int main(void)
{
	test_acl_match();
	test_acl_syntax();
	test_acl_file();
	test_rrl_rate();
	test_rrl_modes();
	test_rrl_table_full();
	test_slip_wire();
	test_quota();
	test_config();
	return check_done();
}
