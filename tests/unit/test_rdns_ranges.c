/*
 * test_rdns_ranges.c -- proposing ranges from classified names: the
 * largest uniform block, splits where the template changes, carved-out
 * infrastructure, coverage holes, sorted-input checks, evidence fields.
 */
#include <stdlib.h>

#include "check.h"
#include "zone/addr.h"
#include "import/rdns_ranges.h"

#define MAX_PROPS 64

typedef struct collected {
	rbl_rdns_proposal props[MAX_PROPS];
	size_t n;
	unsigned infra_seen;
} collected;

static rbl_rdns_classifier cl;
static rbl_rdns_range_opts opts;

static int on_prop(void *arg, const rbl_rdns_proposal *p)
{
	collected *c = arg;
	if (c->n < MAX_PROPS)
		c->props[c->n] = *p;
	c->n++;
	return 0;
}

static int on_infra(void *arg, const rbl_addr *a, const char *name)
{
	collected *c = arg;
	(void)a;
	(void)name;
	c->infra_seen++;
	return 0;
}

/* Feed host LO..HI of NET ("a.b.c") with names from FMT, which receives
 * the four octets (printf "%d" x4, or fewer used). */
static int feed(rbl_rdns_ranger *r, int a, int b, int c, int lo, int hi,
		const char *fmt)
{
	for (int d = lo; d <= hi; d++) {
		char text[32], name[256];
		rbl_addr ad;
		snprintf(text, sizeof(text), "%d.%d.%d.%d", a, b, c, d);
		snprintf(name, sizeof(name), fmt, a, b, c, d);
		if (rbl_addr_parse(text, &ad) != RBL_OK)
			return RBL_EINVAL;
		int rc = rbl_rdns_ranger_add(r, &ad, name);
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

static rbl_rdns_ranger *ranger(collected *c)
{
	rbl_rdns_ranger *r = NULL;
	memset(c, 0, sizeof(*c));
	CHECK_RC(rbl_rdns_ranger_new(&cl, &opts, "rdns:test", on_prop,
				     on_infra, c, &r), RBL_OK);
	return r;
}

static const char *prefix_text(const rbl_rdns_proposal *p)
{
	static char buf[RBL_ADDR_STRLEN];
	return rbl_prefix_format(&p->prefix, buf);
}

static void test_one_block(void)
{
	collected c;
	rbl_rdns_ranger *r = ranger(&c);
	CHECK_RC(feed(r, 64, 141, 16, 0, 255,
		      "%d-%d-%d-%d.dialup.dynamic.sunwave.net"), RBL_OK);
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(c.n == 1);
	CHECK_STR(prefix_text(&c.props[0]), "64.141.16.0/24");
	CHECK(c.props[0].cls == RBL_RDNS_DYNAMIC);
	CHECK_STR(c.props[0].template, "#.dialup.dynamic.sunwave.net");
	CHECK_STR(c.props[0].domain, "sunwave.net");
	CHECK(c.props[0].coverage == 1000);
	CHECK(c.props[0].agreement == 1000);
	CHECK(c.props[0].confidence == 950);
	CHECK(c.props[0].counts[RBL_RDNS_DYNAMIC] == 256);
	CHECK(c.props[0].n_samples == RBL_RDNS_SAMPLES);
	CHECK_STR(c.props[0].samples[0], "64-141-16-0.dialup.dynamic.sunwave.net");
	CHECK_STR(c.props[0].source, "rdns:test");
	CHECK(c.props[0].n_excl == 0);
	CHECK(rbl_rdns_ranger_stats(r)->names == 256);
	rbl_rdns_ranger_free(r);
}

/* Two adjacent /24 of one template merge into a /23; a third /24 with a
 * static template stays separate; a sparse /24 is not proposed. */
static void test_merge_and_split(void)
{
	collected c;
	rbl_rdns_ranger *r = ranger(&c);
	feed(r, 64, 141, 16, 0, 255, "%d-%d-%d-%d.dialup.dynamic.sunwave.net");
	feed(r, 64, 141, 17, 0, 255, "%d-%d-%d-%d.dialup.dynamic.sunwave.net");
	feed(r, 64, 141, 18, 0, 255, "%d-%d-%d-%d.business.static.sunwave.net");
	feed(r, 64, 141, 19, 0, 40, "%d-%d-%d-%d.cable.dynamic.sunwave.net");
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(c.n == 4);
	CHECK_STR(prefix_text(&c.props[0]), "64.141.16.0/23");
	CHECK(c.props[0].cls == RBL_RDNS_DYNAMIC);
	CHECK_STR(prefix_text(&c.props[1]), "64.141.18.0/24");
	CHECK(c.props[1].cls == RBL_RDNS_STATIC);
	/* 41 names at the start of .19: the /27 full, then a /28 with 9 of
	 * 16 named (coverage 0.56 >= 0.5); nothing beyond */
	CHECK_STR(prefix_text(&c.props[2]), "64.141.19.0/27");
	CHECK_STR(prefix_text(&c.props[3]), "64.141.19.32/28");
	rbl_rdns_ranger_free(r);
}

/* A /24 whose upper half uses another template splits in two, even though
 * one template has 75% of the whole. */
static void test_template_change(void)
{
	collected c;
	rbl_rdns_ranger *r = ranger(&c);
	feed(r, 81, 0, 1, 0, 191, "%d-%d-%d-%d.pool.isp.example");
	feed(r, 81, 0, 1, 192, 255, "dsl-%d-%d-%d-%d.adsl.isp.example");
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(c.n == 3);
	CHECK_STR(prefix_text(&c.props[0]), "81.0.1.0/25");
	CHECK_STR(prefix_text(&c.props[1]), "81.0.1.128/26");
	CHECK_STR(prefix_text(&c.props[2]), "81.0.1.192/26");
	CHECK_STR(c.props[0].template, "#.pool.isp.example");
	CHECK_STR(c.props[1].template, "#.pool.isp.example");
	CHECK_STR(c.props[2].template, "dsl-#.adsl.isp.example");
	rbl_rdns_ranger_free(r);
}

/* Mail servers inside a dynamic /24 are carved out and shown; a block
 * with too many of them is not proposed at all. */
static void test_carve_out(void)
{
	collected c;
	rbl_rdns_ranger *r = ranger(&c);
	feed(r, 64, 141, 16, 0, 9, "%d-%d-%d-%d.dialup.dynamic.sunwave.net");
	feed(r, 64, 141, 16, 10, 10, "mail.sunwave.net");
	feed(r, 64, 141, 16, 11, 99, "%d-%d-%d-%d.dialup.dynamic.sunwave.net");
	feed(r, 64, 141, 16, 100, 100, "smtp-%d-%d-%d-%d.sunwave.net");
	feed(r, 64, 141, 16, 101, 255, "%d-%d-%d-%d.dialup.dynamic.sunwave.net");
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(c.n == 1);
	CHECK_STR(prefix_text(&c.props[0]), "64.141.16.0/24");
	CHECK(c.props[0].n_excl == 2);
	char buf[RBL_ADDR_STRLEN];
	CHECK_STR(rbl_addr_format(&c.props[0].excl[0].addr, buf), "64.141.16.10");
	CHECK_STR(c.props[0].excl[0].name, "mail.sunwave.net");
	CHECK_STR(rbl_addr_format(&c.props[0].excl[1].addr, buf),
		  "64.141.16.100");
	CHECK(c.props[0].counts[RBL_RDNS_INFRA] == 2);
	CHECK(c.infra_seen == 2);
	rbl_rdns_ranger_free(r);

	/* a /28 that is half mail servers: no proposal over them */
	r = ranger(&c);
	feed(r, 64, 141, 20, 0, 7, "mx%d-%d-%d-%d.example.com");
	feed(r, 64, 141, 20, 8, 255, "%d-%d-%d-%d.dialup.dynamic.sunwave.net");
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	for (size_t i = 0; i < c.n && i < MAX_PROPS; i++) {
		rbl_addr mx;
		rbl_addr_parse("64.141.20.3", &mx);
		CHECK(!rbl_prefix_contains(&c.props[i].prefix, &mx) ||
		      c.props[i].n_excl > 0);
	}
	rbl_rdns_ranger_free(r);
}

static void test_unknown_and_infra_blocks(void)
{
	collected c;
	rbl_rdns_ranger *r = ranger(&c);
	/* hosting with tokens, partial-address names, custom names */
	feed(r, 198, 51, 1, 0, 255, "vps%d-%d-%d-%d.hosting.example");
	feed(r, 198, 51, 2, 0, 255, "host-%3$d-%4$d.example.net");
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(c.n == 0);
	rbl_rdns_ranger_free(r);

	/* private and documentation space is never proposed */
	r = ranger(&c);
	feed(r, 10, 0, 1, 0, 255, "%d-%d-%d-%d.pool.isp.example");
	feed(r, 192, 0, 2, 0, 255, "%d-%d-%d-%d.pool.isp.example");
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(c.n == 0);
	CHECK(rbl_rdns_ranger_stats(r)->special == 512);
	rbl_rdns_ranger_free(r);
}

static void test_sorted_input(void)
{
	collected c;
	rbl_rdns_ranger *r = ranger(&c);
	rbl_addr a;
	CHECK_RC(feed(r, 64, 142, 0, 0, 3, "%d-%d-%d-%d.dyn.example.net"),
		 RBL_OK);
	/* inside the same /16, any order is fine */
	CHECK_RC(feed(r, 64, 142, 0, 200, 200, "%d-%d-%d-%d.dyn.example.net"),
		 RBL_OK);
	CHECK_RC(feed(r, 64, 142, 0, 100, 100, "%d-%d-%d-%d.dyn.example.net"),
		 RBL_OK);
	/* an earlier /16: not sorted */
	rbl_addr_parse("64.141.0.1", &a);
	CHECK_RC(rbl_rdns_ranger_add(r, &a, "x.example"), RBL_ERANGE);
	/* a duplicate keeps the first name */
	CHECK_RC(feed(r, 64, 142, 0, 3, 3, "mail.example.net"), RBL_OK);
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(rbl_rdns_ranger_stats(r)->duplicates == 1);
	/* IPv4 then IPv6 is ascending */
	rbl_addr_parse("2a02:8100::1", &a);
	CHECK_RC(rbl_rdns_ranger_add(r, &a, "2a02-8100--1.dyn.example.net"),
		 RBL_OK);
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	/* bad names count but do not stop the run */
	CHECK_RC(rbl_rdns_ranger_add(r, &a, "bad name"), RBL_OK);
	CHECK(rbl_rdns_ranger_stats(r)->bad_names == 1);
	rbl_rdns_ranger_free(r);
}

static void test_ipv6(void)
{
	collected c;
	rbl_rdns_ranger *r = ranger(&c);
	for (int i = 0; i < 64; i++) {
		char text[64], name[128];
		rbl_addr a;
		snprintf(text, sizeof(text), "2a02:8100:1::%x", i);
		snprintf(name, sizeof(name), "2a02-8100-1--%x.dyn.isp.example", i);
		rbl_addr_parse(text, &a);
		CHECK_RC(rbl_rdns_ranger_add(r, &a, name), RBL_OK);
	}
	CHECK_RC(rbl_rdns_ranger_finish(r), RBL_OK);
	CHECK(c.n == 1);
	if (c.n == 1)
		CHECK_STR(prefix_text(&c.props[0]), "2a02:8100:1::/122");
	rbl_rdns_ranger_free(r);
}

static void test_opts(void)
{
	rbl_rdns_range_opts o;
	rbl_rdns_range_opts_defaults(&o);
	CHECK_RC(rbl_rdns_range_opts_check(&o), RBL_OK);
	o.widest4 = 29;
	CHECK_RC(rbl_rdns_range_opts_check(&o), RBL_EINVAL);
	rbl_rdns_range_opts_defaults(&o);
	o.min_coverage = 1001;
	CHECK_RC(rbl_rdns_range_opts_check(&o), RBL_EINVAL);
	rbl_rdns_range_opts_defaults(&o);
	o.widest4 = 4;
	CHECK_RC(rbl_rdns_range_opts_check(&o), RBL_EINVAL);
}

int main(void)
{
	rbl_psl *psl;
	rbl_rdns_rules *rules;
	char err[256];
	if (rbl_psl_load(NULL, 0, &psl, err, sizeof(err)) != RBL_OK) {
		fprintf(stderr, "public suffix list: %s\n", err);
		return 1;
	}
	CHECK_RC(rbl_rdns_rules_default(&rules), RBL_OK);
	cl.psl = psl;
	cl.rules = rules;
	rbl_rdns_range_opts_defaults(&opts);
	test_one_block();
	test_merge_and_split();
	test_template_change();
	test_carve_out();
	test_unknown_and_infra_blocks();
	test_sorted_input();
	test_ipv6();
	test_opts();
	rbl_rdns_rules_free(rules);
	rbl_psl_free(psl);
	return check_done();
}
