/*
 * test_rdns_classify.c -- rDNS classifier: address embedding in every
 * form, token rules, the public-suffix boundary, rules files, templates,
 * and the false-positive pitfalls of evidence-sources.md.
 */
#include <stdlib.h>

#include "check.h"
#include "zone/addr.h"
#include "import/psl.h"
#include "import/rdns_classify.h"
#include "import/rdns_embed.h"
#include "import/rdns_rules.h"

static rbl_rdns_classifier cl;

static rbl_addr addr(const char *s)
{
	rbl_addr a;
	if (rbl_addr_parse(s, &a) != RBL_OK) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return a;
}

/* Octets of ADDR found in NAME (union of embeddings), or -1 if none. */
static int cover(const char *a_text, const char *name)
{
	rbl_addr a = addr(a_text);
	rbl_embed e[RBL_EMBED_MAX];
	size_t n = rbl_embed_find(&a, name, strlen(name), e, RBL_EMBED_MAX);
	return n ? (int)rbl_embed_cover(e, n, strlen(name)) : -1;
}

/* The first embedding's form and flags. */
static int first_form(const char *a_text, const char *name, unsigned *flags)
{
	rbl_addr a = addr(a_text);
	rbl_embed e[RBL_EMBED_MAX];
	size_t n = rbl_embed_find(&a, name, strlen(name), e, RBL_EMBED_MAX);
	*flags = n ? e[0].flags : 0;
	return n ? e[0].form : 0;
}

static const char *cls_of(const char *a_text, const char *name)
{
	static rbl_rdns_result r;
	rbl_addr a = addr(a_text);
	rbl_rdns_classify(&cl, &a, name, &r);
	return rbl_rdns_class_name(r.cls);
}

static const char *template_of(const char *a_text, const char *name)
{
	static rbl_rdns_result r;
	rbl_addr a = addr(a_text);
	rbl_rdns_classify(&cl, &a, name, &r);
	return r.template;
}

static void test_embed_sequences(void)
{
	const char *a = "64.141.16.142";
	unsigned fl;
	CHECK(cover(a, "64-141-16-142.dialup.example.net") == 0x0f);
	CHECK(cover(a, "64.141.16.142.example.net") == 0x0f);
	CHECK(cover(a, "host64_141_16_142.example.net") == 0x0f);
	CHECK(cover(a, "ip-64-141.16-142.example.net") == 0x0f);
	CHECK(first_form(a, "64-141-16-142.x.net", &fl) == RBL_EMBED_SEQ);
	CHECK(fl == 0);
	CHECK(first_form(a, "64.141-16_142.x.net", &fl) == RBL_EMBED_SEQ);
	/* zero-padded */
	CHECK(cover(a, "064-141-016-142.example.net") == 0x0f);
	CHECK(first_form(a, "dslb-064-141-016-142.x.de", &fl) == RBL_EMBED_SEQ);
	CHECK(fl & RBL_EMBED_PADDED);
	/* reversed octets */
	CHECK(cover(a, "142.16.141.64.broad.example.cn") == 0x0f);
	CHECK(first_form(a, "142-16-141-64.x.net", &fl) == RBL_EMBED_SEQ);
	CHECK(fl & RBL_EMBED_REVERSED);
	/* partial: last three, last two, reversed last two */
	CHECK(cover(a, "c-141-16-142.example.net") == 0x0e);
	CHECK(cover(a, "dsl-16-142.example.net") == 0x0c);
	CHECK(cover(a, "ppp-142-16.example.net") == 0x0c);
	CHECK(cover(a, "m16-142.vip.example.com") == 0x0c);
	/* network part and the host part in separate labels */
	CHECK(cover(a, "142.red-64-141-16.example.es") == 0x0f);
}

static void test_embed_merged_hex_integer(void)
{
	const char *a = "64.141.16.142";
	unsigned fl;
	CHECK(cover(a, "064141016142.example.net") == 0x0f);
	CHECK(first_form(a, "064141016142.example.net", &fl) ==
	      RBL_EMBED_MERGED);
	CHECK(cover(a, "142016141064.example.net") == 0x0f);
	CHECK(first_form(a, "x142016141064.example.net", &fl) ==
	      RBL_EMBED_MERGED);
	CHECK(fl & RBL_EMBED_REVERSED);
	CHECK(cover(a, "softbank064141016142.example.net") == 0x0f);
	CHECK(cover(a, "6414116142.example.net") == 0x0f);	/* unpadded */
	CHECK(cover("64.0.57.142", "w142.z064000057.sjc.dsl.example.net") ==
	      0x0f);
	/* hex, any case, with or without 0x, last three bytes */
	CHECK(cover(a, "p408d108e.dip0.example.de") == 0x0f);
	CHECK(cover(a, "0x408D108E.example.net") == 0x0f);
	CHECK(first_form(a, "408d108e.bb.example.com", &fl) == RBL_EMBED_HEX);
	CHECK(cover(a, "cust-8d108e.example.net") == 0x0e);
	CHECK(cover("192.168.0.1", "c0a80001.example.net") == 0x0f);
	/* hex must be bounded by non-hex characters */
	CHECK(cover(a, "a408d108e.example.net") == -1);
	/* one integer */
	CHECK(cover(a, "1082986638.dsl.example.net") == 0x0f);
	CHECK(first_form(a, "bas1-x-1082986638.dsl.example.net", &fl) ==
	      RBL_EMBED_INTEGER);
	/* lone last octet */
	CHECK(cover(a, "host142.example.net") == 0x08);
}

static void test_embed_negative(void)
{
	const char *a = "64.141.16.142";
	CHECK(cover(a, "mail.example.net") == -1);
	CHECK(cover(a, "64-141-16-143.example.net") == 0x07);	/* not d */
	CHECK(cover(a, "164-141-16-142.example.net") == 0x0e);	/* 164 != 64 */
	CHECK(cover(a, "host-12-34.example.net") == -1);
	CHECK(cover(a, "408d108f.example.net") == -1);
	CHECK(cover(a, "10829866380.example.net") == -1);
}

static void test_embed_v6(void)
{
	CHECK(cover("2001:db8::1", "2001-db8--1.dyn.example.net") == 0x0f);
	CHECK(cover("2001:db8::1",
		    "2001-0db8-0000-0000-0000-0000-0000-0001.example.net") ==
	      0x0f);
	CHECK(cover("2001:db8::1",
		    "x20010db8000000000000000000000001.example.net") == 0x0f);
	CHECK(cover("2001:db8::1", "host.example.net") == -1);
	CHECK_STR(cls_of("2001:db8::1", "2001-db8--1.dyn.example.net"),
		  "dynamic");
}

static void test_tokens(void)
{
	CHECK_STR(cls_of("64.141.16.142",
			 "64-141-16-142.dialup.dynamic.sunwave.net"), "dynamic");
	CHECK_STR(cls_of("64.141.19.234",
			 "64-141-19-234.cable.dynamic.sunwave.net"), "dynamic");
	CHECK_STR(cls_of("64.141.18.234",
			 "64-141-18-234.business.static.sunwave.net"), "static");
	/* a token followed by digits still counts: letters are the word */
	CHECK_STR(cls_of("91.14.18.52", "p5b0e1234.dip0.t-ipconnect.de"),
		  "dynamic");
	CHECK_STR(cls_of("24.1.2.3", "c-24-1-2-3.hsd1.ma.example.net"),
		  "dynamic");
	/* a token with digits matches a whole alphanumeric run */
	CHECK_STR(cls_of("10.9.8.7", "10-9-8-7.3g.example.net"), "dynamic");
	/* a token inside a longer word is no token */
	CHECK_STR(cls_of("64.141.16.142", "64-141-16-142.dynamicsys.example"),
		  "dynamic");	/* full-address fallback, not the token */
	rbl_rdns_result r;
	rbl_addr a = addr("64.141.16.142");
	rbl_rdns_classify(&cl, &a, "64-141-16-142.dynamicsys.example", &r);
	CHECK_STR(r.rule, "full-address");
	/* precedence: infrastructure, static, dynamic */
	CHECK_STR(cls_of("64.141.16.142", "mail-64-141-16-142.dsl.example.net"),
		  "infrastructure");
	CHECK_STR(cls_of("64.141.16.142", "static-64-141-16-142.dsl.example.net"),
		  "static");
	CHECK_STR(cls_of("64.141.16.142", "smtp.dyn.example.net"),
		  "infrastructure");
	CHECK_STR(cls_of("64.141.16.142", "mx1.example.net"), "infrastructure");
	/* dynamic/static tokens need an identifier (the address) */
	CHECK_STR(cls_of("64.141.16.142", "dynamic.example.net"), "unknown");
	CHECK_STR(cls_of("64.141.16.142", "pool-12345.example.net"), "unknown");
	CHECK_STR(cls_of("64.141.16.142", "static.example.net"), "unknown");
	/* a lone last octet is not enough either */
	CHECK_STR(cls_of("64.141.16.142", "dsl142.example.net"), "unknown");
	/* tokens right of the registered domain do not count */
	CHECK_STR(cls_of("64.141.16.142", "host-123.dsl.co.uk"), "unknown");
	CHECK_STR(cls_of("64.141.16.142", "www.dsl.co.uk"), "infrastructure");
	/* generic without tokens: whole address -> dynamic, else unknown */
	CHECK_STR(cls_of("64.141.16.142", "64-141-16-142.example.net"),
		  "dynamic");
	CHECK_STR(cls_of("64.141.16.142", "host-16-142.example.net"),
		  "unknown");
	/* hand-picked names are servers; machine ids are not */
	CHECK_STR(cls_of("208.98.210.10", "lithium.sunwave.net"),
		  "infrastructure");
	CHECK_STR(cls_of("64.141.16.142", "s0106001a2b3c4d5e.cg.example.net"),
		  "unknown");
	/* exempt hosting domains */
	CHECK_STR(cls_of("35.1.2.3", "3.2.1.35.bc.googleusercontent.com"),
		  "infrastructure");
	rbl_rdns_classify(&cl, &a, "ec2-64-141-16-142.compute-1.amazonaws.com",
			  &r);
	CHECK_STR(r.rule, "exempt");
}

static void test_pitfalls(void)
{
	CHECK(strcmp(cls_of("192.0.2.1", "generaldynamics.com"), "dynamic"));
	CHECK(strcmp(cls_of("192.0.2.1", "www.generaldynamics.com"),
		     "dynamic"));
	CHECK(strcmp(cls_of("192.0.2.2", "dynamic-solutions.example"),
		     "dynamic"));
	CHECK(strcmp(cls_of("192.0.2.2", "mail.dynamic-solutions.example"),
		     "dynamic"));
	CHECK(strcmp(cls_of("198.51.17.178", "m17-178.vip.example.com"),
		     "dynamic"));
	CHECK(strcmp(cls_of("92.67.42.100",
			    "92-67-42-100-dedicated.example.com"), "dynamic"));
	CHECK_STR(cls_of("92.67.42.100", "92-67-42-100-dedicated.example.com"),
		  "infrastructure");
	CHECK(strcmp(cls_of("203.0.113.9", "pool.ntp-servers.example"),
		     "dynamic"));
	/* bad names never crash and are unknown */
	rbl_rdns_result r;
	rbl_addr a = addr("192.0.2.1");
	CHECK_RC(rbl_rdns_classify(&cl, &a, "", &r), RBL_EINVAL);
	CHECK_RC(rbl_rdns_classify(&cl, &a, "a..b", &r), RBL_EINVAL);
	CHECK_RC(rbl_rdns_classify(&cl, &a, "a b.example", &r), RBL_EINVAL);
	CHECK_STR(r.rule, "bad-name");
	CHECK_RC(rbl_rdns_classify(&cl, &a, "Host-192-0-2-1.DSL.Example.NET.",
				   &r), RBL_OK);
	CHECK_STR(r.name, "host-192-0-2-1.dsl.example.net");
	CHECK_STR(rbl_rdns_class_name(r.cls), "dynamic");
}

static void test_templates(void)
{
	CHECK_STR(template_of("64.141.16.142",
			      "64-141-16-142.dialup.dynamic.sunwave.net"),
		  "#.dialup.dynamic.sunwave.net");
	CHECK_STR(template_of("64.141.16.143",
			      "64-141-16-143.dialup.dynamic.sunwave.net"),
		  "#.dialup.dynamic.sunwave.net");
	CHECK_STR(template_of("91.14.18.52", "p5B0E1234.dip0.t-ipconnect.de"),
		  "p#.dip*.t-ipconnect.de");
	CHECK_STR(template_of("10.1.2.3", "cust123.lns2.example.net"),
		  "cust*.lns*.example.net");
	CHECK_STR(template_of("83.37.1.2", "2.red-83-37-1.dynamicip.example.es"),
		  "#.red-#.dynamicip.example.es");
	/* digits of the registered domain stay: one operator per template */
	CHECK_STR(template_of("81.3.2.1", "dsl-81-3-2-1.dyn.isp31.example"),
		  "dsl-#.dyn.isp31.example");
	CHECK_STR(template_of("81.3.2.1", "host7.dyn.isp31.example"),
		  "host*.dyn.isp31.example");
}

static void test_psl(void)
{
	static const char text[] =
		"// ===BEGIN ICANN DOMAINS===\n"
		"com\nuk\nco.uk\n*.ck\n!www.ck\njp\n*.kobe.jp\n"
		"!city.kobe.jp\n"
		"// ===END ICANN DOMAINS===\n"
		"// ===BEGIN PRIVATE DOMAINS===\n"
		"blogspot.com\n";
	rbl_psl *p;
	size_t at;
	CHECK_RC(rbl_psl_parse(text, sizeof(text) - 1, 0, &p, NULL, 0),
		 RBL_OK);
	CHECK(rbl_psl_count(p) == 8);
	CHECK_RC(rbl_psl_registered(p, "a.b.example.co.uk", 17, &at), RBL_OK);
	CHECK(at == 4);
	CHECK_RC(rbl_psl_registered(p, "co.uk", 5, &at), RBL_ENOTFOUND);
	CHECK_RC(rbl_psl_registered(p, "y.ck", 4, &at), RBL_ENOTFOUND);
	CHECK_RC(rbl_psl_registered(p, "z.x.y.ck", 8, &at), RBL_OK);
	CHECK(at == 2);
	CHECK_RC(rbl_psl_registered(p, "a.www.ck", 8, &at), RBL_OK);
	CHECK(at == 2);
	CHECK_RC(rbl_psl_registered(p, "a.city.kobe.jp", 14, &at), RBL_OK);
	CHECK(at == 2);
	CHECK_RC(rbl_psl_registered(p, "a.b.other.kobe.jp", 17, &at), RBL_OK);
	CHECK(at == 2);
	/* implicit "*" rule, trailing dot, private section skipped */
	CHECK_RC(rbl_psl_registered(p, "a.b.example.", 12, &at), RBL_OK);
	CHECK(at == 2);
	CHECK_RC(rbl_psl_registered(p, "x.blogspot.com", 14, &at), RBL_OK);
	CHECK(at == 2);
	CHECK_RC(rbl_psl_registered(p, "", 0, &at), RBL_EINVAL);
	CHECK_RC(rbl_psl_registered(p, "a..b", 4, &at), RBL_EINVAL);
	rbl_psl_free(p);
	CHECK_RC(rbl_psl_parse(text, sizeof(text) - 1, RBL_PSL_PRIVATE, &p,
			       NULL, 0), RBL_OK);
	CHECK_RC(rbl_psl_registered(p, "a.x.blogspot.com", 16, &at), RBL_OK);
	CHECK(at == 2);
	rbl_psl_free(p);
	char err[128];
	CHECK_RC(rbl_psl_parse("com\nbad rule!\n", 14, 0, &p, err,
			       sizeof(err)), RBL_OK);	/* first word only */
	rbl_psl_free(p);
	CHECK_RC(rbl_psl_parse("com\n*.\n", 7, 0, &p, err, sizeof(err)),
		 RBL_ESYNTAX);
	CHECK(strstr(err, ":2:") != NULL);
	CHECK_RC(rbl_psl_load("/nonexistent/psl.dat", 0, &p, err, sizeof(err)),
		 RBL_EIO);
}

static void test_rules_file(void)
{
	static const char text[] =
		"# test rules\n"
		"dynamic: dyn pool\n"
		"infrastructure: mx\n"
		"static: pool   # listed twice: the last listing wins\n"
		"exempt: hoster.example infrastructure\n"
		"precedence: dynamic static infrastructure\n"
		"full-address: unknown\n"
		"custom-name: unknown\n"
		"require-id: digits\n";
	rbl_rdns_rules *r;
	char err[160];
	CHECK_RC(rbl_rdns_rules_parse(text, sizeof(text) - 1, "t", &r, err,
				      sizeof(err)), RBL_OK);
	CHECK(rbl_rdns_rules_token(r, "dyn", 3) == RBL_RDNS_DYNAMIC);
	CHECK(rbl_rdns_rules_token(r, "pool", 4) == RBL_RDNS_STATIC);
	CHECK(rbl_rdns_rules_token(r, "dsl", 3) == -1);
	const char *dom;
	CHECK(rbl_rdns_rules_exempt(r, "a.hoster.example", 16, &dom) ==
	      RBL_RDNS_INFRA);
	CHECK(rbl_rdns_rules_exempt(r, "hoster.example", 14, &dom) ==
	      RBL_RDNS_INFRA);
	CHECK(rbl_rdns_rules_exempt(r, "xhoster.example", 15, &dom) == -1);
	rbl_rdns_classifier c2 = { cl.psl, r };
	rbl_rdns_result res;
	rbl_addr a = addr("64.141.16.142");
	/* precedence changed: dynamic beats infrastructure here */
	rbl_rdns_classify(&c2, &a, "mx-dyn-7.example.net", &res);
	CHECK_STR(rbl_rdns_class_name(res.cls), "dynamic");
	CHECK_STR(res.rule, "token");	/* require-id digits: "7" suffices */
	rbl_rdns_classify(&c2, &a, "64-141-16-142.example.net", &res);
	CHECK_STR(rbl_rdns_class_name(res.cls), "unknown");
	rbl_rdns_rules_free(r);

	CHECK_RC(rbl_rdns_rules_parse("dynamic: dyn\nbogus: x\n", 22, "f", &r,
				      err, sizeof(err)), RBL_ESYNTAX);
	CHECK_STR(err, "f:2: unknown directive \"bogus\"");
	CHECK_RC(rbl_rdns_rules_parse("dynamic: dy-n\n", 14, "f", &r, err,
				      sizeof(err)), RBL_ESYNTAX);
	CHECK_RC(rbl_rdns_rules_parse("precedence: dynamic static\n", 27, "f",
				      &r, err, sizeof(err)), RBL_ESYNTAX);
	CHECK_RC(rbl_rdns_rules_parse("exempt: x.example bogus\n", 24, "f",
				      &r, err, sizeof(err)), RBL_ESYNTAX);
	CHECK_RC(rbl_rdns_rules_parse("just words\n", 11, "f", &r, err,
				      sizeof(err)), RBL_ESYNTAX);
	CHECK_RC(rbl_rdns_rules_load("/nonexistent/rules", &r, err,
				     sizeof(err)), RBL_EIO);
	/* the built-in set parses and is not trivial */
	CHECK_RC(rbl_rdns_rules_default(&r), RBL_OK);
	CHECK(rbl_rdns_rules_ntokens(r) > 100);
	CHECK(rbl_rdns_rules_nexempt(r) > 5);
	rbl_rdns_rules_free(r);
}

int main(void)
{
	rbl_psl *psl;
	rbl_rdns_rules *rules;
	char err[256];
	if (rbl_psl_load(NULL, 0, &psl, err, sizeof(err)) != RBL_OK) {
		fprintf(stderr, "cannot load the public suffix list: %s "
			"(install Debian package publicsuffix)\n", err);
		return 1;
	}
	CHECK_RC(rbl_rdns_rules_default(&rules), RBL_OK);
	cl.psl = psl;
	cl.rules = rules;
	test_embed_sequences();
	test_embed_merged_hex_integer();
	test_embed_negative();
	test_embed_v6();
	test_tokens();
	test_pitfalls();
	test_templates();
	test_psl();
	test_rules_file();
	rbl_rdns_rules_free(rules);
	rbl_psl_free(psl);
	return check_done();
}
