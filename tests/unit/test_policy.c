/*
 * test_policy.c -- evidence records and the listing policy with a clock
 * the test controls: scoring, decay, threshold, expiry, code/TXT per kind,
 * allow override, delisting block, reputation, aggregation, purge.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/config/config.h"
#include "zone/policy/evidence.h"
#include "zone/policy/policy.h"

#define T0 1800000000	/* 2027-01-15, the test's "now" base */

static const char conf_text[] =
	"evidence:\n"
	"    retention: 30d\n"
	"policy: traps\n"
	"    list: bl\n"
	"    threshold: 1.5\n"
	"    half-life: 1h\n"
	"    expire-after: 1d\n"
	"    weight-report: 2\n"
	"    code-trap: 127.0.0.2\n"
	"    code-report: 127.0.0.3\n"
	"    txt-trap: \"trap hit: $\"\n"
	"    txt-report: \"reported: $\"\n"
	"    reputation-list: rep\n"
	"    allow-list: allow\n"
	"policy: slow\n"
	"    list: slowbl\n"
	"    threshold: 1\n"
	"    half-life: 0\n"
	"    expire-after: 2h\n"
	"    weight-report: 0\n"
	"    aggregate: yes\n"
	"    aggregate-min: 3\n";

static rbl_store *S;
static rbl_policy_set *SET;
static uint32_t BL, SLOW, REP, ALLOW;
static unsigned seq;

static void setup(void)
{
	char err[RBL_CONF_ERRLEN];
	rbl_conf *c;
	rbl_txn *t;

	S = open_rw(tmp_store_dir("policy"));
	CHECK_RC(rbl_conf_parse(conf_text, sizeof conf_text - 1, "test.conf",
				&c, err, sizeof err), RBL_OK);
	CHECK_RC(rbl_conf_check(c, err, sizeof err), RBL_OK);
	CHECK_RC(rbl_policy_load(c, &SET, err, sizeof err), RBL_OK);
	rbl_conf_free(c);
	t = begin(S, true);
	BL = make_list(t, "bl", RBL_LIST_IP);
	SLOW = make_list(t, "slowbl", RBL_LIST_IP);
	REP = make_list(t, "rep", RBL_LIST_IP);
	ALLOW = make_list(t, "allow", RBL_LIST_IP);
	CHECK_RC(rbl_policy_resolve(t, SET, err, sizeof err), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(SET->n == 2 && SET->retention == 30 * 86400);
}

/* Add evidence for ADDR of KIND at WHEN and apply the policy at NOW. */
static int feed(const char *addr, int kind, int64_t when, int64_t now,
		rbl_policy_result *res)
{
	rbl_evidence ev;
	char text[64];
	const char *parts[] = { text };
	rbl_txn *t = begin(S, true);
	int rc;

	memset(&ev, 0, sizeof ev);
	ev.subject = P(addr);
	ev.when = when;
	ev.kind = (uint8_t)kind;
	ev.weight = 1;
	snprintf(text, sizeof text, "msg %u", seq++);
	rbl_evidence_hash_parts(parts, 1, ev.hash);
	snprintf(ev.source, sizeof ev.source, "test");
	snprintf(ev.summary, sizeof ev.summary, "%s", text);
	rc = rbl_evidence_add(t, &ev);
	if (rc == RBL_OK)
		rc = rbl_policy_apply(t, SET, &ev, now, res);
	if (rc == RBL_OK)
		return rbl_txn_commit(t);
	rbl_txn_abort(t);
	return rc;
}

static int at(uint32_t list, const char *addr, int64_t now)
{
	rbl_txn *t = begin(S, false);
	int r = lookup_at(t, list, addr, now);

	rbl_txn_abort(t);
	return r;
}

static void test_hash(void)
{
	uint8_t a[32], b[32], c[32];
	char hex[65];

	static const char crlf[] = "A: b\r\nC: d  \r\n\r\nbody\r\n\r\n";

	CHECK_RC(rbl_evidence_hash(crlf, strlen(crlf), a), RBL_OK);
	CHECK_RC(rbl_evidence_hash("A: b\nC: d\n\nbody\n", 16, b), RBL_OK);
	CHECK_RC(rbl_evidence_hash("A: b\nC: e\n\nbody\n", 16, c), RBL_OK);
	CHECK(memcmp(a, b, 32) == 0);
	CHECK(memcmp(a, c, 32) != 0);
	rbl_evidence_hash_hex(a, hex);
	CHECK_RC(rbl_evidence_hash_parse(hex, c), RBL_OK);
	CHECK(memcmp(a, c, 32) == 0);
	CHECK(rbl_evidence_kind_parse("report") == RBL_EV_REPORT);
	CHECK_STR(rbl_evidence_kind_name(RBL_EV_TRAP), "trap");
}

static void test_evidence_store(void)
{
	rbl_evidence ev, got;
	rbl_txn *t = begin(S, true);
	uint64_t n;

	memset(&ev, 0, sizeof ev);
	ev.subject = P("45.1.1.1");
	ev.when = T0;
	ev.kind = RBL_EV_TRAP;
	ev.weight = 1;
	memset(ev.hash, 0xab, 32);
	snprintf(ev.summary, sizeof ev.summary, "Subject: hello");
	CHECK_RC(rbl_evidence_add(t, &ev), RBL_OK);
	CHECK_RC(rbl_evidence_add(t, &ev), RBL_EEXIST);
	CHECK(rbl_evidence_exists(t, ev.hash) == 1);
	CHECK_RC(rbl_evidence_get(t, ev.hash, &got), RBL_OK);
	CHECK_STR(got.summary, "Subject: hello");
	CHECK(got.when == T0 && got.weight == 1 && got.kind == RBL_EV_TRAP);
	CHECK_RC(rbl_evidence_count(t, &ev.subject, &n), RBL_OK);
	CHECK(n == 1);
	/* never evidence about special space */
	ev.subject = P("10.1.2.3");
	ev.hash[0] = 1;
	CHECK_RC(rbl_evidence_add(t, &ev), RBL_EINVAL);
	ev.subject = P("2001:db8::1");
	CHECK_RC(rbl_evidence_add(t, &ev), RBL_EINVAL);
	ev.subject = P("45.1.1.1");
	ev.weight = 0;
	CHECK_RC(rbl_evidence_add(t, &ev), RBL_EINVAL);
	CHECK_RC(rbl_evidence_del(t, got.hash), RBL_OK);
	CHECK(rbl_evidence_exists(t, got.hash) == 0);
	rbl_txn_abort(t);
}

static void test_threshold_and_decay(void)
{
	rbl_policy_result res = { 0 };

	/* one trap hit: score 1 < 1.5 in "traps", >= 1 in "slow" */
	CHECK_RC(feed("45.2.2.2", RBL_EV_TRAP, T0, T0, &res), RBL_OK);
	CHECK(at(BL, "45.2.2.2", T0) == -1);
	CHECK(at(SLOW, "45.2.2.2", T0) == 0);
	CHECK(at(SLOW, "45.2.2.2", T0 + 7199) == 0);
	CHECK(at(SLOW, "45.2.2.2", T0 + 7200) == -1);	/* expire-after 2h */
	CHECK(res.newly_listed == 1);
	/* reputation: round(100 * 2^(-1/1.5)) = 63 */
	CHECK(at(REP, "45.2.2.2", T0) == 63);
	/* second hit 30 min later: 1*2^-0.5 + 1 = 1.707 >= 1.5 */
	CHECK_RC(feed("45.2.2.2", RBL_EV_TRAP, T0 + 1800, T0 + 1800, &res), RBL_OK);
	CHECK(at(BL, "45.2.2.2", T0 + 1800) == 2);
	/* listed until 3600*log2(1.707/1.5) = 671.6 s after the hit */
	CHECK(at(BL, "45.2.2.2", T0 + 1800 + 671) == 2);
	CHECK(at(BL, "45.2.2.2", T0 + 1800 + 672) == -1);
	{
		rbl_txn *t = begin(S, false);
		rbl_addr a = A("45.2.2.2");
		rbl_match m;
		CHECK_RC(rbl_ip_lookup(t, BL, &a, T0 + 1800, &m), RBL_OK);
		CHECK(m.has_txt && m.txt_len == 11 &&
		      memcmp(m.txt, "trap hit: $", 11) == 0);
		rbl_txn_abort(t);
	}
	/* out-of-order (late) evidence counts with its own decay */
	CHECK_RC(feed("45.2.2.2", RBL_EV_TRAP, T0 - 3600, T0 + 1800, &res), RBL_OK);
	{
		rbl_policy_status st[2];
		rbl_prefix p = P("45.2.2.2");
		rbl_txn *t = begin(S, false);
		double want = 1 + pow(2, -0.5) + pow(2, -1.5);
		CHECK_RC(rbl_policy_explain(t, SET, &p, T0 + 1800, st, 2), RBL_OK);
		CHECK(fabs(st[0].score - want) < 1e-9);
		CHECK(st[0].n_evidence == 3);
		CHECK(st[0].first_seen == T0 - 3600 && st[0].last_seen == T0 + 1800);
		CHECK(st[0].listed && st[0].over_threshold);
		CHECK(st[0].dominant_kind == RBL_EV_TRAP);
		CHECK(st[1].listed && st[1].expires == T0 + 1800 + 7200);
		rbl_txn_abort(t);
	}
}

static void test_kinds(void)
{
	/* a report (weight 2) outweighs a trap hit: report code and TXT */
	CHECK_RC(feed("45.3.3.3", RBL_EV_TRAP, T0, T0, NULL), RBL_OK);
	CHECK_RC(feed("45.3.3.3", RBL_EV_REPORT, T0, T0, NULL), RBL_OK);
	CHECK(at(BL, "45.3.3.3", T0) == 3);
	/* "slow" ignores reports: its score stays 1 */
	CHECK(at(SLOW, "45.3.3.3", T0) == 0);
}

static void test_allow(void)
{
	rbl_prefix p = P("45.4.4.0/30");
	rbl_txn *t;

	CHECK_RC(feed("45.4.4.1", RBL_EV_REPORT, T0, T0, NULL), RBL_OK);
	CHECK(at(BL, "45.4.4.1", T0) == 3);
	t = begin(S, true);
	CHECK_RC(rbl_policy_allow_add(t, SET, &p, 0, "admin:alice", "our customer"),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(at(BL, "45.4.4.1", T0) == -1);
	CHECK(at(ALLOW, "45.4.4.2", T0) == 0);
	CHECK_RC(feed("45.4.4.1", RBL_EV_REPORT, T0 + 10, T0 + 10, NULL), RBL_OK);
	CHECK(at(BL, "45.4.4.1", T0 + 10) == -1);
	/* remove the allow entry: the next evidence lists again */
	t = begin(S, true);
	CHECK_RC(rbl_policy_allow_del(t, SET, &p), RBL_OK);
	CHECK_RC(rbl_policy_allow_del(t, SET, &p), RBL_ENOTFOUND);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(feed("45.4.4.1", RBL_EV_TRAP, T0 + 20, T0 + 20, NULL), RBL_OK);
	CHECK(at(BL, "45.4.4.1", T0 + 20) == 3);
}

static void test_block(void)
{
	rbl_addr a = A("45.5.5.5");
	rbl_policy_block_info bi;
	rbl_txn *t;

	CHECK_RC(feed("45.5.5.5", RBL_EV_REPORT, T0, T0, NULL), RBL_OK);
	CHECK(at(BL, "45.5.5.5", T0) == 3);
	t = begin(S, true);
	CHECK_RC(rbl_policy_block(t, &a, T0 + 100, "admin:bob", "fixed, confirmed"),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(at(BL, "45.5.5.5", T0 + 100) == -1);
	CHECK(at(SLOW, "45.5.5.5", T0 + 100) == -1);
	CHECK(at(REP, "45.5.5.5", T0 + 100) == 100);
	t = begin(S, false);
	CHECK_RC(rbl_policy_block_get(t, &a, &bi), RBL_OK);
	CHECK(bi.when == T0 + 100);
	CHECK_STR(bi.who, "admin:bob");
	CHECK_STR(bi.why, "fixed, confirmed");
	rbl_txn_abort(t);
	/* late evidence from before the delisting never counts */
	CHECK_RC(feed("45.5.5.5", RBL_EV_REPORT, T0 + 50, T0 + 200, NULL), RBL_OK);
	CHECK(at(BL, "45.5.5.5", T0 + 200) == -1);
	/* one new trap hit (1 < 1.5) does not relist in "traps" */
	CHECK_RC(feed("45.5.5.5", RBL_EV_TRAP, T0 + 300, T0 + 300, NULL), RBL_OK);
	CHECK(at(BL, "45.5.5.5", T0 + 300) == -1);
	CHECK(at(SLOW, "45.5.5.5", T0 + 300) == 0);
	/* new evidence that reaches the threshold does */
	CHECK_RC(feed("45.5.5.5", RBL_EV_TRAP, T0 + 310, T0 + 310, NULL), RBL_OK);
	CHECK(at(BL, "45.5.5.5", T0 + 310) == 2);
	/* history: zero before the block, rising after */
	{
		double h[3];
		rbl_prefix p = P("45.5.5.5");
		t = begin(S, false);
		CHECK_RC(rbl_policy_history(t, &SET->policies[0], &p, T0,
					    T0 + 310, 3, h), RBL_OK);
		CHECK(h[0] == 0 && h[1] == 0 && h[2] > 1.9);
		rbl_txn_abort(t);
	}
}

static void test_aggregate(void)
{
	/* "slow" aggregates /24s with 3 listed addresses */
	CHECK_RC(feed("45.6.6.1", RBL_EV_TRAP, T0, T0, NULL), RBL_OK);
	CHECK_RC(feed("45.6.6.2", RBL_EV_TRAP, T0 + 60, T0 + 60, NULL), RBL_OK);
	CHECK(at(SLOW, "45.6.6.200", T0 + 60) == -1);
	CHECK_RC(feed("45.6.6.3", RBL_EV_TRAP, T0 + 120, T0 + 120, NULL), RBL_OK);
	CHECK(at(SLOW, "45.6.6.200", T0 + 120) == 0);
	/* the aggregate ends when the oldest of the three does */
	CHECK(at(SLOW, "45.6.6.200", T0 + 7199) == 0);
	CHECK(at(SLOW, "45.6.6.200", T0 + 7200) == -1);
	CHECK(at(BL, "45.6.6.200", T0 + 120) == -1);
}

static void test_purge(void)
{
	rbl_policy_purge_stats ps;
	rbl_prefix p = P("45.2.2.2");
	uint64_t n;
	rbl_txn *t = begin(S, true);

	CHECK_RC(rbl_policy_purge(t, SET, T0 + 31 * 86400, &ps), RBL_OK);
	CHECK(ps.evidence_pruned > 10);
	CHECK(ps.states_dropped > 5);
	CHECK(ps.entries_expired > 0);
	CHECK_RC(rbl_evidence_count(t, &p, &n), RBL_OK);
	CHECK(n == 0);
	CHECK(lookup_at(t, REP, "45.2.2.2", T0) == -1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void test_reputation_values(void)
{
	const rbl_policy *p = &SET->policies[0];

	CHECK(rbl_policy_reputation(p, 0) == 100);
	CHECK(rbl_policy_reputation(p, p->threshold) == 50);
	CHECK(rbl_policy_reputation(p, 2 * p->threshold) == 25);
	CHECK(rbl_policy_reputation(p, 1e9) == 0);
	CHECK(fabs(rbl_policy_decay(p, 8, 0, 3 * 3600) - 1) < 1e-12);
}

/* Load TEXT as a configuration: the policy loader's code, ERR its message. */
static int load_text(const char *text, char *err, size_t errlen)
{
	rbl_policy_set *set = NULL;
	rbl_conf *c = NULL;
	int rc = rbl_conf_parse(text, strlen(text), "bad.conf", &c, err,
				errlen);

	if (rc == RBL_OK)
		rc = rbl_policy_load(c, &set, err, errlen);
	rbl_policy_free(set);
	rbl_conf_free(c);
	return rc;
}

/* Bad values name the file, the line, the section and the key (the
 * messages come from polconf.c, which domain policies share). */
static void test_config_errors(void)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_txn *t = NULL;
	rbl_policy_set *set = NULL;
	rbl_conf *c = NULL;

	CHECK_RC(load_text("policy: p\n    list: bl\n    weight-trap: -1\n",
			   err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "bad.conf:3: policy p: weight-trap: want a number"));
	CHECK_RC(load_text("policy: p\n    list: bl\n    threshold: 0\n",
			   err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "bad.conf:1: policy p: threshold must be > 0"));
	CHECK_RC(load_text("policy: p\n    list: bl\n    code-trap: 10.0.0.2\n",
			   err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "bad.conf:3: policy p: bad code-trap"));
	CHECK_RC(load_text("evidence:\n    retention: soon\npolicy: p\n"
			   "    list: bl\n", err, sizeof err), RBL_EINVAL);

	/* a list of names where the policy lists addresses */
	CHECK_RC(rbl_conf_parse("policy: p\n    list: names\n", 26, "k.conf",
				&c, err, sizeof err), RBL_OK);
	CHECK_RC(rbl_policy_load(c, &set, err, sizeof err), RBL_OK);
	CHECK(set->retention == 90 * 86400 && set->policies[0].threshold == 1);
	t = begin(S, true);
	make_list(t, "names", RBL_LIST_NAME);
	CHECK_RC(rbl_policy_resolve(t, set, err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "policy p: list \"names\" is of kind"));
	rbl_txn_abort(t);
	rbl_policy_free(set);
	rbl_conf_free(c);
}

int main(void)
{
	setup();
	test_hash();
	test_evidence_store();
	test_threshold_and_decay();
	test_kinds();
	test_allow();
	test_block();
	test_aggregate();
	test_reputation_values();
	test_config_errors();
	test_purge();
	rbl_policy_free(SET);
	rbl_store_close(S);
	return check_done();
}
