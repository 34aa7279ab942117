/*
 * rbl-admin-fixture.c -- prepare a store for the rbl-admin scenario tests
 * and the demo, and run `rblctl user` without rblctl's main.
 *
 *   rbl-admin-fixture CONF setup
 *       create the store named by CONF (server: database), apply its lists
 *       and zones, and add evidence and listings:
 *         11.1.2.3    3 spamtrap hits whose subject is a <script> tag, and
 *                     one abuse report: listed by the policy
 *         11.1.2.4    a manual listing with its own TXT
 *         11.9.9.0/24 a manual range listing
 *         bad.example in every domain list
 *         rDNS proposals 11.200.0.0/24 and 11.201.0.0/24 (pending), when
 *                     the rdns: list exists
 *   rbl-admin-fixture CONF bulk
 *       after setup: a store the size of a busy week, for the browser
 *       test's walk through every page (most lists longer than a page):
 *         303 trap listings 11.20.x.y from 4,000 trap messages (11.20.0.1
 *                     alone has 160; some summaries are one 600-character
 *                     word), 120 manual listings 11.30.0.0-119 (audited),
 *                     150 allow-list entries 11.40.0.0-149, 11.30.0.5
 *                     both allowed and listed by hand, 38 pending
 *                     requests (one reason a 600-character word, one with
 *                     a second requester), 60 pending rDNS proposals
 *   rbl-admin-fixture CONF user add|passwd|del|list ...
 *       rblctl's user command (rblctl/cmd_user.h) on that store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/config/conf_apply.h"
#include "zone/config/config.h"
#include "zone/people/audit.h"
#include "zone/people/delist.h"
#include "zone/error.h"
#include "zone/policy/evidence.h"
#include "zone/policy/policy.h"
#include "rblctl/cmd_user.h"
#include "zone/policy/rdns_review.h"

#define XSS_SUBJECT "<script>alert(1)</script>"

static int add_evidence(rbl_txn *t, const rbl_policy_set *set,
			const char *addr, int kind, const char *source,
			int n, int64_t now)
{
	for (int i = 0; i < n; i++) {
		rbl_evidence ev = { 0 };
		char id[64];
		const char *parts[2] = { addr, id };
		int rc;

		memset(&ev, 0, sizeof ev);
		if (rbl_prefix_parse(addr, false, &ev.subject) != RBL_OK)
			return RBL_EINVAL;
		ev.when = now - 3600 * (i + 1);
		ev.kind = (uint8_t)kind;
		ev.weight = 1;
		snprintf(id, sizeof id, "%s-%d", source, i);
		rbl_evidence_hash_parts(parts, 2, ev.hash);
		snprintf(ev.source, sizeof ev.source, "%s", source);
		snprintf(ev.summary, sizeof ev.summary,
			 "Subject: " XSS_SUBJECT " from %s", addr);
		rc = rbl_evidence_add(t, &ev);
		if (rc == RBL_OK)
			rc = rbl_policy_apply(t, set, &ev, now, NULL);
		if (rc != RBL_OK && rc != RBL_EEXIST)
			return rc;
	}
	return RBL_OK;
}

static int manual(rbl_txn *t, const char *list, const char *key,
		  const char *txt)
{
	rbl_list l = { 0 };
	rbl_entry e = { 0 };
	rbl_prefix p = { 0 };
	int rc = rbl_list_get(t, list, &l);

	if (rc != RBL_OK)
		return rc;
	rbl_entry_init(&e);
	snprintf(e.source, sizeof e.source, "fixture");
	if (txt) {
		e.flags |= RBL_ENTRY_HAS_TXT;
		snprintf(e.txt, sizeof e.txt, "%s", txt);
	}
	if (l.kind == RBL_LIST_NAME) {
		e.flags |= RBL_ENTRY_NAME_EXACT;
		return rbl_name_add(t, l.id, key, &e);
	}
	rc = rbl_prefix_parse(key, true, &p);
	return rc ? rc : rbl_ip_add(t, l.id, &p, &e);
}

struct name_lists {
	rbl_txn *t;
	int rc;
};

static int name_list(void *arg, const rbl_list *l)
{
	struct name_lists *c = arg;

	if (l->kind == RBL_LIST_NAME && c->rc == RBL_OK)
		c->rc = manual(c->t, l->name, "bad.example", NULL);
	return 0;
}

static int demo_data(rbl_txn *t, const rbl_conf *c, const char *ip_list)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_policy_set *set = NULL;
	struct name_lists nl = { t, RBL_OK };
	int64_t now = (int64_t)time(NULL);
	int rc = rbl_policy_load(c, &set, err, sizeof err);

	if (rc == RBL_OK)
		rc = rbl_policy_resolve(t, set, err, sizeof err);
	if (rc == RBL_OK)
		rc = add_evidence(t, set, "11.1.2.3", RBL_EV_TRAP,
				  "trap:secret-trap@trap.example", 3, now);
	if (rc == RBL_OK)
		rc = add_evidence(t, set, "11.1.2.3", RBL_EV_REPORT,
				  "reporter:secret-reporter", 1, now);
	if (rc == RBL_OK)
		rc = manual(t, ip_list, "11.1.2.4", "manual listing of $");
	if (rc == RBL_OK)
		rc = manual(t, ip_list, "11.9.9.0/24", NULL);
	if (rc == RBL_OK)
		rc = rbl_list_foreach(t, name_list, &nl) ? RBL_ESTORE : nl.rc;
	if (err[0])
		fprintf(stderr, "fixture: %s\n", err);
	rbl_policy_free(set);
	return rc;
}

static int proposal(rbl_txn *t, const rbl_rdns_opts *o, const char *pfx,
		    const char *tpl)
{
	rbl_rdns_proposal p = { 0 };

	memset(&p, 0, sizeof p);
	if (rbl_prefix_parse(pfx, true, &p.prefix) != RBL_OK)
		return RBL_EINVAL;
	p.cls = RBL_RDNS_DYNAMIC;
	p.confidence = 930, p.coverage = 880, p.agreement = 990;
	p.counts[RBL_RDNS_DYNAMIC] = 225;
	p.n_template = 223;
	snprintf(p.template, sizeof p.template, "%s", tpl);
	snprintf(p.domain, sizeof p.domain, "isp.example");
	p.n_samples = 2;
	snprintf(p.samples[0], sizeof p.samples[0], "%s", tpl);
	p.samples[0][0] = '1';
	snprintf(p.samples[1], sizeof p.samples[1], "%s", tpl);
	p.samples[1][0] = '2';
	snprintf(p.source, sizeof p.source, "fixture");
	return rbl_rdns_submit(t, o, &p, (int64_t)time(NULL), NULL);
}

/* Two pending rDNS proposals when the rdns: list exists. */
static int rdns_data(rbl_txn *t, const rbl_conf *c)
{
	char err[RBL_CONF_ERRLEN];
	rbl_rdns_opts o = { 0 };
	rbl_list l = { 0 };
	int rc;

	if (!rbl_conf_next(c, "rdns", NULL))
		return RBL_OK;
	rc = rbl_rdns_opts_from_conf(c, &o, err, sizeof err);
	if (rc != RBL_OK || rbl_list_get(t, o.list, &l) != RBL_OK)
		return rc;
	rc = proposal(t, &o, "11.200.0.0/24", "#.dyn.isp.example");
	return rc ? rc : proposal(t, &o, "11.201.0.0/24", "#.pool.isp.example");
}

/* ------------------------------------------------------------ bulk */

#define BULK_TRAPS	303
#define BULK_MESSAGES	4000
#define BULK_MANUAL	120
#define BULK_ALLOW	150
#define BULK_REQUESTS	38
#define BULK_RDNS	60
#define LONG_WORD	600

static void long_word(char *out, size_t size)
{
	size_t n = LONG_WORD < size - 1 ? LONG_WORD : size - 1;

	for (size_t i = 0; i < n; i++)
		out[i] = (char)('a' + i % 26);
	out[n] = '\0';
}

static int bulk_trap(rbl_txn *t, const rbl_policy_set *set, int addr, int k,
		     int64_t now)
{
	rbl_evidence ev = { 0 };
	char subj[32], id[64];
	const char *parts[2] = { subj, id };
	int rc;

	memset(&ev, 0, sizeof ev);
	snprintf(subj, sizeof subj, "11.20.%d.%d", addr / 250, addr % 250 + 1);
	snprintf(id, sizeof id, "bulk-%d-%d", addr, k);
	if (rbl_prefix_parse(subj, false, &ev.subject) != RBL_OK)
		return RBL_EINVAL;
	ev.when = now - 600 * (k + 1) - addr;
	ev.kind = RBL_EV_TRAP;
	ev.weight = 1;
	rbl_evidence_hash_parts(parts, 2, ev.hash);
	snprintf(ev.source, sizeof ev.source, "trap:spamtrap%d@trap.example",
		 k % 7);
	if (k % 50 == 3)
		long_word(ev.summary, sizeof ev.summary);
	else
		snprintf(ev.summary, sizeof ev.summary, "Subject: Cheap "
			 "watches, offer %d, from %s", k, subj);
	rc = rbl_evidence_add(t, &ev);
	if (rc == RBL_OK)
		rc = rbl_policy_apply(t, set, &ev, now, NULL);
	return rc == RBL_EEXIST ? RBL_OK : rc;
}

/* 4,000 messages over 303 addresses: 160 for the first, the rest spread. */
static int bulk_traps(rbl_txn *t, const rbl_policy_set *set, int64_t now)
{
	int rc = RBL_OK, left = BULK_MESSAGES - 160;

	for (int k = 0; k < 160 && rc == RBL_OK; k++)
		rc = bulk_trap(t, set, 0, k, now);
	for (int a = 1; a < BULK_TRAPS && rc == RBL_OK; a++) {
		int n = left / (BULK_TRAPS - a);

		for (int k = 0; k < n && rc == RBL_OK; k++)
			rc = bulk_trap(t, set, a, k, now);
		left -= n;
	}
	return rc;
}

static int bulk_manual(rbl_txn *t, const char *list)
{
	int rc = RBL_OK;

	for (int i = 0; i < BULK_MANUAL && rc == RBL_OK; i++) {
		char key[32], txt[64], after[96];
		rbl_audit_rec a = { .user = "fixture", .client = "local",
			.action = RBL_AUDIT_LISTING_ADD, .target = key,
			.before = "not listed", .after = after,
			.reason = "seen in our logs" };

		snprintf(key, sizeof key, "11.30.0.%d", i);
		snprintf(txt, sizeof txt, "manual listing %d of $", i);
		snprintf(after, sizeof after, "in list %s as %s", list, key);
		rc = manual(t, list, key, txt);
		if (rc == RBL_OK)
			rc = rbl_audit_append(t, &a);
	}
	return rc;
}

static int bulk_allow(rbl_txn *t, const rbl_policy_set *set)
{
	int rc = RBL_OK;

	for (int i = 0; i <= BULK_ALLOW && rc == RBL_OK; i++) {
		rbl_prefix p = { 0 };
		char key[32];

		/* the last one: 11.30.0.5, listed by hand as well */
		snprintf(key, sizeof key, i < BULK_ALLOW ? "11.40.0.%d"
							   : "11.30.0.5", i);
		if (rbl_prefix_parse(key, true, &p) != RBL_OK)
			return RBL_EINVAL;
		rc = rbl_policy_allow_add(t, set, &p, 0, "admin:fixture",
					  "customer mail server");
	}
	return rc == RBL_ENOTFOUND ? RBL_OK : rc;	/* no allow list */
}

static int bulk_requests(rbl_txn *t)
{
	char reason[LONG_WORD + 1], subj[32], contact[64];
	uint64_t id = 0;
	int rc = RBL_OK;

	for (int i = 0; i < BULK_REQUESTS && rc == RBL_OK; i++) {
		snprintf(subj, sizeof subj, "11.20.0.%d", i + 1);
		snprintf(contact, sizeof contact, "postmaster%d@example.net", i);
		if (i == 5)
			long_word(reason, sizeof reason);
		else
			snprintf(reason, sizeof reason, "We cleaned host %s; "
				 "please delist it (request %d).", subj, i);
		rc = rbl_delist_submit(t, subj, contact, reason, "192.0.2.77",
				       &id);
	}
	if (rc == RBL_OK)	/* a second person about the first address */
		rc = rbl_delist_submit(t, "11.20.0.1", "abuse@other.example",
				       "This is our shared relay, please "
				       "delist.", "192.0.2.78", &id);
	return rc == RBL_EEXIST ? RBL_OK : rc;
}

static int bulk_rdns(rbl_txn *t, const rbl_conf *c)
{
	char err[RBL_CONF_ERRLEN], pfx[32], tpl[64];
	rbl_rdns_opts o = { 0 };
	rbl_list l = { 0 };
	int rc;

	if (!rbl_conf_next(c, "rdns", NULL))
		return RBL_OK;
	rc = rbl_rdns_opts_from_conf(c, &o, err, sizeof err);
	if (rc != RBL_OK || rbl_list_get(t, o.list, &l) != RBL_OK)
		return rc;
	for (int i = 0; i < BULK_RDNS && rc == RBL_OK; i++) {
		snprintf(pfx, sizeof pfx, "11.210.%d.0/24", i);
		snprintf(tpl, sizeof tpl, "#.pool%d.isp.example", i);
		rc = proposal(t, &o, pfx, tpl);
	}
	return rc;
}

static int bulk(rbl_store *s, const rbl_conf *c)
{
	char err[RBL_CONF_ERRLEN] = "";
	const rbl_conf_section *p = rbl_conf_next(c, "policy", NULL);
	const char *ip_list = p ? rbl_conf_get(p, "list") : NULL;
	rbl_policy_set *set = NULL;
	int64_t now = (int64_t)time(NULL);
	rbl_txn *t = NULL;
	int rc = rbl_txn_begin(s, true, &t);

	if (rc != RBL_OK)
		return rc;
	rc = rbl_policy_load(c, &set, err, sizeof err);
	if (rc == RBL_OK)
		rc = rbl_policy_resolve(t, set, err, sizeof err);
	if (rc == RBL_OK)
		rc = bulk_traps(t, set, now);
	if (rc == RBL_OK)
		rc = bulk_manual(t, ip_list ? ip_list : "bl");
	if (rc == RBL_OK)
		rc = bulk_allow(t, set);
	if (rc == RBL_OK)
		rc = bulk_requests(t);
	if (rc == RBL_OK)
		rc = bulk_rdns(t, c);
	rbl_policy_free(set);
	if (rc != RBL_OK) {
		fprintf(stderr, "fixture: bulk: %s %s\n", rbl_strerror(rc), err);
		rbl_txn_abort(t);
		return rc;
	}
	return rbl_txn_commit(t);
}

static int setup(rbl_store *s, const rbl_conf *c)
{
	char err[RBL_CONF_ERRLEN] = "";
	const rbl_conf_section *p = rbl_conf_next(c, "policy", NULL);
	const char *ip_list = p ? rbl_conf_get(p, "list") : NULL;
	rbl_txn *t = NULL;
	int rc = rbl_txn_begin(s, true, &t);

	if (rc != RBL_OK)
		return rc;
	rc = rbl_conf_apply(t, c, NULL, NULL, NULL, err, sizeof err);
	if (rc == RBL_OK)
		rc = demo_data(t, c, ip_list ? ip_list : "bl");
	if (rc == RBL_OK)
		rc = rdns_data(t, c);
	if (rc != RBL_OK) {
		fprintf(stderr, "fixture: setup: %s %s\n", rbl_strerror(rc), err);
		rbl_txn_abort(t);
		return rc;
	}
	return rbl_txn_commit(t);
}

int main(int argc, char **argv)
{
	char err[RBL_CONF_ERRLEN];
	rbl_conf *c = NULL;
	rbl_store *s = NULL;
	const rbl_conf_section *srv;
	const char *db;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: rbl-admin-fixture CONF "
			"setup|bulk|user ...\n");
		return 2;
	}
	if (rbl_conf_load(argv[1], &c, err, sizeof err) != RBL_OK ||
	    rbl_conf_check(c, err, sizeof err) != RBL_OK) {
		fprintf(stderr, "fixture: %s\n", err);
		return 1;
	}
	srv = rbl_conf_next(c, "server", NULL);
	db = srv ? rbl_conf_get(srv, "database") : NULL;
	rc = rbl_store_open(db ? db : "/var/lib/rbld", RBL_STORE_CREATE, 0, &s);
	if (rc != RBL_OK) {
		fprintf(stderr, "fixture: store: %s\n", rbl_strerror(rc));
		rbl_conf_free(c);
		return 1;
	}
	if (strcmp(argv[2], "setup") == 0)
		rc = setup(s, c) == RBL_OK ? 0 : 1;
	else if (strcmp(argv[2], "bulk") == 0)
		rc = bulk(s, c) == RBL_OK ? 0 : 1;
	else if (strcmp(argv[2], "user") == 0)
		rc = rblctl_cmd_user(s, argc - 2, argv + 2);
	else
		rc = 2;
	rbl_store_close(s);
	rbl_conf_free(c);
	return rc;
}
