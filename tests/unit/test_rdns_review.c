/*
 * test_rdns_review.c -- the review queue: states, confirm/reject one, all
 * of a template or a domain, publication with codes, TXT and exclusions,
 * re-runs that update, supersede and flag, auto-confirm, config options.
 */
#include "tests/unit/store_test.h"
#include "zone/config/config.h"
#include "zone/policy/rdns_review.h"

static rbl_store *st;
static rbl_rdns_opts opts;
static uint32_t policy_id;

static rbl_prefix pfx(const char *s)
{
	rbl_prefix p;
	if (rbl_prefix_parse(s, true, &p) != RBL_OK)
		exit(2);
	return p;
}

static rbl_addr addr(const char *s)
{
	rbl_addr a;
	if (rbl_addr_parse(s, &a) != RBL_OK)
		exit(2);
	return a;
}

static void proposal(rbl_rdns_proposal *p, const char *prefix, int cls,
		     const char *tmpl, const char *domain, uint16_t conf)
{
	memset(p, 0, sizeof(*p));
	p->prefix = pfx(prefix);
	p->cls = (uint8_t)cls;
	p->confidence = conf;
	p->coverage = 1000;
	p->agreement = 1000;
	p->counts[cls] = 256;
	p->n_template = 256;
	snprintf(p->template, sizeof(p->template), "%s", tmpl);
	snprintf(p->domain, sizeof(p->domain), "%s", domain);
	p->n_samples = 1;
	snprintf(p->samples[0], sizeof(p->samples[0]), "sample.%s", domain);
	snprintf(p->source, sizeof(p->source), "rdns:test");
}

static void add_excl(rbl_rdns_proposal *p, const char *a, const char *name)
{
	p->excl[p->n_excl].addr = addr(a);
	snprintf(p->excl[p->n_excl].name, sizeof(p->excl[0].name), "%s", name);
	p->n_excl++;
}

static int submit(const rbl_rdns_proposal *p)
{
	rbl_txn *t;
	int outcome = 0;
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	int rc = rbl_rdns_submit(t, &opts, p, 1000, &outcome);
	CHECK_RC(rc, RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	return rc == RBL_OK ? outcome : rc;
}

static int state_of(const char *prefix)
{
	rbl_txn *t;
	rbl_rdns_proposal p;
	CHECK_RC(rbl_txn_begin(st, false, &t), RBL_OK);
	int rc = rbl_rdns_get(t, &(rbl_prefix){ pfx(prefix).addr,
						pfx(prefix).len }, &p);
	rbl_txn_abort(t);
	return rc == RBL_OK ? p.state : rc;
}

/* "code" of the policy list's answer for A, "-" if not listed. */
static const char *answer(const char *a)
{
	static char buf[32];
	rbl_txn *t;
	rbl_match m;
	rbl_addr ad = addr(a);
	CHECK_RC(rbl_txn_begin(st, false, &t), RBL_OK);
	int rc = rbl_ip_lookup(t, policy_id, &ad, 2000, &m);
	if (rc == RBL_OK)
		rbl_code_format(m.n_codes ? m.codes[0] : 0, buf);
	else
		snprintf(buf, sizeof(buf), "-");
	rbl_txn_abort(t);
	return buf;
}

static int decide(const char *prefix, int state)
{
	rbl_txn *t;
	rbl_prefix p = pfx(prefix);
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	int rc = rbl_rdns_decide(t, &opts, &p, state, "admin:alice", NULL,
				 1500);
	if (rc == RBL_OK)
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
	else
		rbl_txn_abort(t);
	return rc;
}

static void setup(void)
{
	rbl_txn *t;
	rbl_list l = { 0 };
	st = open_rw(tmp_store_dir("rdns"));
	rbl_rdns_opts_defaults(&opts, "https://bl.example/policy");
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	snprintf(l.name, sizeof(l.name), "policy");
	l.kind = RBL_LIST_IP;
	l.default_code = 0x7f00000a;
	CHECK_RC(rbl_list_create(t, &l), RBL_OK);
	policy_id = l.id;
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void test_empty(void)
{
	rbl_txn *t;
	uint64_t counts[5];
	CHECK_RC(rbl_txn_begin(st, false, &t), RBL_OK);
	CHECK_RC(rbl_rdns_count(t, counts), RBL_OK);
	CHECK(counts[0] == 0);
	rbl_prefix p = pfx("64.141.16.0/24");
	rbl_rdns_proposal out;
	CHECK(rbl_rdns_get(t, &p, &out) == RBL_ENOTFOUND);
	rbl_txn_abort(t);
}

static void test_confirm_publishes(void)
{
	rbl_rdns_proposal p;
	proposal(&p, "64.141.16.0/24", RBL_RDNS_DYNAMIC,
		 "#.dialup.dynamic.sunwave.net", "sunwave.net", 950);
	add_excl(&p, "64.141.16.10", "mail.sunwave.net");
	CHECK(submit(&p) == RBL_RDNS_NEW);
	CHECK(state_of("64.141.16.0/24") == RBL_RDNS_PENDING);
	CHECK_STR(answer("64.141.16.20"), "-");	/* nothing before review */
	CHECK_RC(decide("64.141.16.0/24", RBL_RDNS_CONFIRMED), RBL_OK);
	CHECK(state_of("64.141.16.0/24") == RBL_RDNS_CONFIRMED);
	CHECK_STR(answer("64.141.16.20"), "127.0.0.10");
	CHECK_STR(answer("64.141.16.10"), "-");	/* carved out */
	CHECK_STR(answer("64.141.17.1"), "-");

	/* the TXT explains; the decision is recorded */
	rbl_txn *t;
	rbl_entry e;
	rbl_prefix r = pfx("64.141.16.0/24");
	rbl_rdns_proposal got;
	CHECK_RC(rbl_txn_begin(st, false, &t), RBL_OK);
	CHECK_RC(rbl_ip_get(t, policy_id, &r, &e), RBL_OK);
	CHECK(strstr(e.txt, "dynamic/end-user") != NULL);
	CHECK(strstr(e.txt, "https://bl.example/policy") != NULL);
	CHECK_STR(e.source, "rdns:admin:alice");
	CHECK_RC(rbl_rdns_get(t, &r, &got), RBL_OK);
	CHECK_STR(got.decided_by, "admin:alice");
	CHECK(got.decided == 1500 && got.created == 1000);
	CHECK_STR(got.excl[0].name, "mail.sunwave.net");
	CHECK_STR(got.samples[0], "sample.sunwave.net");
	rbl_txn_abort(t);

	/* reject withdraws it */
	CHECK_RC(decide("64.141.16.0/24", RBL_RDNS_REJECTED), RBL_OK);
	CHECK_STR(answer("64.141.16.20"), "-");
	CHECK_STR(answer("64.141.16.10"), "-");
	CHECK(state_of("64.141.16.0/24") == RBL_RDNS_REJECTED);
	/* a re-run keeps the rejection */
	CHECK(submit(&p) == RBL_RDNS_KEPT);
	CHECK(state_of("64.141.16.0/24") == RBL_RDNS_REJECTED);
	CHECK_RC(decide("64.141.16.0/24", 7), RBL_EINVAL);
	CHECK_RC(decide("64.141.99.0/24", RBL_RDNS_CONFIRMED), RBL_ENOTFOUND);
}

static void test_static_code(void)
{
	rbl_rdns_proposal p;
	proposal(&p, "64.141.18.0/24", RBL_RDNS_STATIC,
		 "#.business.static.sunwave.net", "sunwave.net", 950);
	CHECK(submit(&p) == RBL_RDNS_NEW);
	CHECK_RC(decide("64.141.18.0/24", RBL_RDNS_CONFIRMED), RBL_OK);
	CHECK_STR(answer("64.141.18.77"), "127.0.0.11");
}

static void test_bulk_decisions(void)
{
	rbl_rdns_proposal p;
	const char *nets[] = { "70.52.0.0/24", "70.52.4.0/23", "70.52.9.0/24" };
	for (int i = 0; i < 3; i++) {
		proposal(&p, nets[i], RBL_RDNS_DYNAMIC, "bas*-#.dsl.bell.ca",
			 "bell.ca", 900);
		submit(&p);
	}
	proposal(&p, "70.53.0.0/24", RBL_RDNS_DYNAMIC, "#.cable.bell.ca",
		 "bell.ca", 900);
	submit(&p);
	proposal(&p, "99.8.0.0/24", RBL_RDNS_DYNAMIC, "#.lightspeed.x.net",
		 "x.net", 900);
	submit(&p);

	rbl_txn *t;
	unsigned n = 0;
	rbl_rdns_filter f = { 0, NULL, "bas*-#.dsl.bell.ca" };
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	CHECK_RC(rbl_rdns_decide_all(t, &opts, &f, RBL_RDNS_CONFIRMED,
				     "admin:bob", NULL, 1600, &n), RBL_OK);
	CHECK(n == 3);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(answer("70.52.5.9"), "127.0.0.10");
	CHECK_STR(answer("70.53.0.9"), "-");

	rbl_rdns_filter fd = { 0, "bell.ca", NULL };
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	CHECK_RC(rbl_rdns_decide_all(t, &opts, &fd, RBL_RDNS_REJECTED,
				     "admin:bob", "not ours", 1600, &n),
		 RBL_OK);
	CHECK(n == 1);	/* only the still-pending cable range */
	rbl_rdns_filter none = { 0, NULL, NULL };
	CHECK_RC(rbl_rdns_decide_all(t, &opts, &none, RBL_RDNS_REJECTED,
				     "x", NULL, 1600, &n), RBL_EINVAL);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(state_of("70.53.0.0/24") == RBL_RDNS_REJECTED);
	CHECK(state_of("70.52.4.0/23") == RBL_RDNS_CONFIRMED);
	CHECK(state_of("99.8.0.0/24") == RBL_RDNS_PENDING);

	uint64_t counts[5];
	CHECK_RC(rbl_txn_begin(st, false, &t), RBL_OK);
	CHECK_RC(rbl_rdns_count(t, counts), RBL_OK);
	rbl_txn_abort(t);
	CHECK(counts[0] == 7);
	CHECK(counts[RBL_RDNS_PENDING] == 1);
	CHECK(counts[RBL_RDNS_CONFIRMED] == 4);
	CHECK(counts[RBL_RDNS_REJECTED] == 2);
}

/* A new run: pending proposals are updated or superseded; a confirmed
 * range with new infrastructure names inside is flagged and withdrawn. */
static void test_rerun(void)
{
	rbl_rdns_proposal p;
	proposal(&p, "99.8.0.0/24", RBL_RDNS_DYNAMIC, "#.lightspeed.x.net",
		 "x.net", 800);
	CHECK(submit(&p) == RBL_RDNS_UPDATED);
	/* a wider proposal supersedes the pending /24 inside it */
	proposal(&p, "99.8.0.0/23", RBL_RDNS_DYNAMIC, "#.lightspeed.x.net",
		 "x.net", 800);
	CHECK(submit(&p) == RBL_RDNS_NEW);
	CHECK(state_of("99.8.0.0/24") == RBL_ENOTFOUND);
	CHECK(state_of("99.8.0.0/23") == RBL_RDNS_PENDING);

	/* the confirmed 64.141.18.0/24 seen again with a mail server */
	proposal(&p, "64.141.18.0/24", RBL_RDNS_STATIC,
		 "#.business.static.sunwave.net", "sunwave.net", 950);
	add_excl(&p, "64.141.18.25", "smtp.sunwave.net");
	CHECK(submit(&p) == RBL_RDNS_NOW_FLAGGED);
	CHECK(state_of("64.141.18.0/24") == RBL_RDNS_FLAGGED);
	CHECK_STR(answer("64.141.18.77"), "-");

	rbl_txn *t;
	rbl_rdns_proposal got;
	rbl_prefix r = pfx("64.141.18.0/24");
	CHECK_RC(rbl_txn_begin(st, false, &t), RBL_OK);
	CHECK_RC(rbl_rdns_get(t, &r, &got), RBL_OK);
	CHECK(strstr(got.note, "smtp.sunwave.net") != NULL);
	rbl_txn_abort(t);
	/* confirming again publishes with the new exclusion */
	CHECK_RC(decide("64.141.18.0/24", RBL_RDNS_CONFIRMED), RBL_OK);
	CHECK_STR(answer("64.141.18.77"), "127.0.0.11");
	CHECK_STR(answer("64.141.18.25"), "-");
	/* the same evidence again changes nothing */
	CHECK(submit(&p) == RBL_RDNS_KEPT);
	CHECK_STR(answer("64.141.18.77"), "127.0.0.11");

	/* an infrastructure name observed inside a confirmed range */
	unsigned n = 0;
	rbl_addr mx = addr("70.52.4.200");
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	CHECK_RC(rbl_rdns_observe_infra(t, &opts, &mx, "mx.bell.ca", 3000, &n),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(n == 1);
	CHECK(state_of("70.52.4.0/23") == RBL_RDNS_FLAGGED);
	CHECK_STR(answer("70.52.5.9"), "-");
	/* observed where it is already excluded: nothing happens */
	rbl_addr ex = addr("64.141.18.25");
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	n = 0;
	CHECK_RC(rbl_rdns_observe_infra(t, &opts, &ex, "smtp.sunwave.net",
					3000, &n), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(n == 0);
	CHECK(state_of("64.141.18.0/24") == RBL_RDNS_CONFIRMED);
}

static void test_auto_confirm_and_delete(void)
{
	rbl_rdns_proposal p;
	opts.auto_confirm = true;
	proposal(&p, "91.14.0.0/24", RBL_RDNS_DYNAMIC, "p#.dip*.t-ipconnect.de",
		 "t-ipconnect.de", 960);
	CHECK(submit(&p) == RBL_RDNS_AUTO_CONFIRMED);
	CHECK_STR(answer("91.14.0.5"), "127.0.0.10");
	proposal(&p, "91.14.1.0/24", RBL_RDNS_DYNAMIC, "p#.dip*.t-ipconnect.de",
		 "t-ipconnect.de", 700);
	CHECK(submit(&p) == RBL_RDNS_NEW);
	CHECK_STR(answer("91.14.1.5"), "-");
	opts.auto_confirm = false;

	rbl_txn *t;
	rbl_prefix r = pfx("91.14.0.0/24");
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	CHECK_RC(rbl_rdns_delete(t, &opts, &r), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_STR(answer("91.14.0.5"), "-");
	CHECK(state_of("91.14.0.0/24") == RBL_ENOTFOUND);

	/* bad proposals are refused */
	proposal(&p, "91.14.2.0/24", RBL_RDNS_INFRA, "x", "y", 1);
	CHECK_RC(rbl_txn_begin(st, true, &t), RBL_OK);
	CHECK_RC(rbl_rdns_submit(t, &opts, &p, 1, NULL), RBL_EINVAL);
	proposal(&p, "91.14.2.0/24", RBL_RDNS_DYNAMIC, "x", "y", 1);
	p.prefix.addr.bytes[3] = 1;	/* host bits set */
	CHECK_RC(rbl_rdns_submit(t, &opts, &p, 1, NULL), RBL_EINVAL);
	rbl_txn_abort(t);
}

static int count_visit(void *arg, const rbl_rdns_proposal *p)
{
	(void)p;
	(*(unsigned *)arg)++;
	return 0;
}

typedef struct page_state {
	rbl_prefix *last;
	unsigned n;
	bool have;
} page_state;

static int page_visit(void *arg, const rbl_rdns_proposal *p)
{
	page_state *ps = arg;
	*ps->last = p->prefix;
	ps->have = true;
	return ++ps->n == 2 ? 1 : 0;
}

static void test_foreach_filters(void)
{
	rbl_txn *t;
	unsigned n = 0;
	rbl_rdns_filter f = { RBL_RDNS_FLAGGED, NULL, NULL };
	CHECK_RC(rbl_txn_begin(st, false, &t), RBL_OK);
	CHECK_RC(rbl_rdns_foreach(t, &f, count_visit, &n), RBL_OK);
	CHECK(n == 1);
	n = 0;
	rbl_rdns_filter fd = { 0, "BELL.CA", NULL };
	CHECK_RC(rbl_rdns_foreach(t, &fd, count_visit, &n), RBL_OK);
	CHECK(n == 4);
	/* pages: two at a time, each after the last one seen */
	rbl_prefix last;
	unsigned total = 0, pages = 0;
	page_state ps = { &last, 0, false };
	do {
		ps.n = 0;
		CHECK_RC(rbl_rdns_foreach_after(t, NULL, ps.have ? &last : NULL,
						page_visit, &ps), ps.n == 2 ? 1 : 0);
		total += ps.n;
		pages++;
	} while (ps.n == 2 && pages < 20);
	CHECK(total == 8 && pages == 5);	/* the last one is empty */
	rbl_txn_abort(t);
	CHECK_STR(rbl_rdns_state_name(RBL_RDNS_FLAGGED), "flagged");
	CHECK(rbl_rdns_state_parse("Confirmed") == RBL_RDNS_CONFIRMED);
	CHECK(rbl_rdns_state_parse("nope") == -1);
}

static void test_conf(void)
{
	static const char text[] =
		"rdns:\n"
		"    list: pbl\n"
		"    code-dynamic: 127.0.0.12\n"
		"    policy-url: https://x.example/pbl\n"
		"    auto-confirm: yes\n"
		"    auto-confirm-confidence: 90\n";
	rbl_conf *c;
	rbl_rdns_opts o;
	char err[RBL_CONF_ERRLEN];
	CHECK_RC(rbl_conf_parse(text, sizeof(text) - 1, "t.conf", &c, err,
				sizeof(err)), RBL_OK);
	CHECK_RC(rbl_conf_check(c, err, sizeof(err)), RBL_OK);
	CHECK_RC(rbl_rdns_opts_from_conf(c, &o, err, sizeof(err)), RBL_OK);
	CHECK_STR(o.list, "pbl");
	CHECK(o.code_dynamic == 0x7f00000c && o.code_static == 0x7f00000b);
	CHECK(o.auto_confirm && o.auto_confidence == 900);
	CHECK(strstr(o.txt_dynamic, "https://x.example/pbl") != NULL);
	rbl_conf_free(c);
	/* no rdns: section at all: the defaults */
	static const char none[] = "server:\n    threads: 1\n";
	CHECK_RC(rbl_conf_parse(none, sizeof(none) - 1, "n.conf", &c, err,
				sizeof(err)), RBL_OK);
	CHECK_RC(rbl_rdns_opts_from_conf(c, &o, err, sizeof(err)), RBL_OK);
	CHECK_STR(o.list, "policy");
	CHECK(o.code_dynamic == 0x7f00000a && !o.auto_confirm);
	rbl_conf_free(c);
	static const char bad[] = "rdns:\n    code-static: 10.0.0.1\n";
	CHECK_RC(rbl_conf_parse(bad, sizeof(bad) - 1, "b.conf", &c, err,
				sizeof(err)), RBL_OK);
	CHECK_RC(rbl_rdns_opts_from_conf(c, &o, err, sizeof(err)), RBL_EINVAL);
	CHECK(strstr(err, "b.conf:2:") != NULL);
	rbl_conf_free(c);
}

int main(void)
{
	setup();
	test_empty();
	test_confirm_publishes();
	test_static_code();
	test_bulk_decisions();
	test_rerun();
	test_auto_confirm_and_delete();
	test_foreach_filters();
	test_conf();
	rbl_store_close(st);
	return check_done();
}
