/*
 * test_delist.c -- the delisting state machine: submit (only for listed
 * subjects, one pending per subject), confirm (removes host entries,
 * excludes from wider ones, audits, blocks relisting, all in the caller's
 * transaction), reject, and no transition out of a decided state.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/people/audit.h"
#include "zone/people/delist.h"
#include "zone/policy/policy.h"

static uint32_t BL, DBL, ALLOW;

static int count_action(void *arg, const rbl_audit_rec *r)
{
	return (*(int *)arg)++, 0;
}

static int audits(rbl_txn *t, const char *action, const char *target)
{
	rbl_audit_filter f = { .action = action, .target = target };
	int n = 0;

	rbl_audit_foreach(t, &f, count_action, &n);
	return n;
}

static void add_name(rbl_txn *t, const char *name, uint32_t flags)
{
	rbl_entry e;

	rbl_entry_init(&e);
	e.flags = flags;
	CHECK_RC(rbl_name_add(t, DBL, name, &e), RBL_OK);
}

static void setup(rbl_store *s)
{
	rbl_txn *t = begin(s, true);

	rbl_zone z;

	BL = make_list(t, "bl", RBL_LIST_IP);
	DBL = make_list(t, "dbl", RBL_LIST_NAME);
	ALLOW = make_list(t, "allow", RBL_LIST_IP);	/* no zone: unpublished */
	rbl_zone_defaults(&z, "bl.example");
	z.n_lists = 1;
	z.lists[0] = (rbl_zone_list){ .list_id = BL };
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	rbl_zone_defaults(&z, "dbl.example");
	z.n_lists = 1;
	z.lists[0] = (rbl_zone_list){ .list_id = DBL };
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	/* allowed, and listed: a delisting must leave the allow entry */
	CHECK_RC(add_ip(t, ALLOW, "192.0.2.1", 2, false, 0), RBL_OK);
	/* only in the unpublished list: not listed, no request */
	CHECK_RC(add_ip(t, ALLOW, "192.0.2.50", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, BL, "192.0.2.1", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, BL, "192.0.2.2", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, BL, "198.51.100.0/24", 3, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, BL, "198.51.100.9", 4, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, BL, "2001:db8::5", 2, false, 0), RBL_OK);
	add_name(t, "bad.example", RBL_ENTRY_NAME_EXACT);
	add_name(t, "spam.example", RBL_ENTRY_NAME_SUBS);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void subjects(void)
{
	char out[RBL_NAME_MAX + 1];
	bool is_addr;

	CHECK_RC(rbl_delist_subject(" 192.0.2.1 ", out, &is_addr, NULL), RBL_OK);
	CHECK_STR(out, "192.0.2.1");
	CHECK(is_addr);
	CHECK_RC(rbl_delist_subject("::ffff:192.0.2.1", out, &is_addr, NULL),
		 RBL_OK);
	CHECK_STR(out, "192.0.2.1");
	CHECK_RC(rbl_delist_subject("2001:DB8::5", out, &is_addr, NULL), RBL_OK);
	CHECK_STR(out, "2001:db8::5");
	CHECK_RC(rbl_delist_subject("Bad.Example.", out, &is_addr, NULL), RBL_OK);
	CHECK_STR(out, "bad.example");
	CHECK(!is_addr);
	CHECK_RC(rbl_delist_subject("192.0.2.0/24", out, &is_addr, NULL),
		 RBL_EINVAL);
	CHECK_RC(rbl_delist_subject("a b", out, &is_addr, NULL), RBL_EINVAL);
	CHECK_RC(rbl_delist_subject("<script>", out, &is_addr, NULL), RBL_EINVAL);
	CHECK_RC(rbl_delist_subject("", out, &is_addr, NULL), RBL_EINVAL);
	CHECK(rbl_delist_contact_valid("ops@example.org"));
	CHECK(!rbl_delist_contact_valid("ops@example"));
	CHECK(!rbl_delist_contact_valid("no at sign"));
	CHECK(!rbl_delist_contact_valid("a@b@c.org"));
	CHECK(!rbl_delist_contact_valid("<x@y.org>"));
}

static uint64_t submit(rbl_store *s, const char *subj, int want)
{
	rbl_txn *t = begin(s, true);
	uint64_t id = 0;

	CHECK_RC(rbl_delist_submit(t, subj, "ops@example.org",
				   "our new mail server", "203.0.113.5", &id),
		 want);
	if (rbl_txn_commit(t) != RBL_OK)
		return 0;
	return id;
}

static void submitting(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint64_t id = 0, n;

	CHECK_RC(rbl_delist_submit(t, "192.0.2.99", "ops@example.org", "x",
				   "203.0.113.5", &id), RBL_ENOTFOUND);
	CHECK_RC(rbl_delist_submit(t, "192.0.2.50", "ops@example.org", "x",
				   "203.0.113.5", &id), RBL_ENOTFOUND);
	CHECK_RC(rbl_delist_submit(t, "192.0.2.1", "not-an-email", "x",
				   "203.0.113.5", &id), RBL_EINVAL);
	CHECK_RC(rbl_delist_submit(t, "192.0.2.1", "ops@example.org", "  ",
				   "203.0.113.5", &id), RBL_EINVAL);
	CHECK_RC(rbl_delist_count(t, 0, &n), RBL_OK);
	CHECK(n == 0);
	rbl_txn_abort(t);
	CHECK(submit(s, "192.0.2.1", RBL_OK) == 1);
	CHECK(submit(s, "192.0.2.1", RBL_EEXIST) == 1);
	CHECK(submit(s, "192.0.2.2", RBL_OK) == 2);
	CHECK(submit(s, "198.51.100.7", RBL_OK) == 3);
	CHECK(submit(s, "x.spam.example", RBL_OK) == 4);
	CHECK(submit(s, "BAD.example", RBL_OK) == 5);
	CHECK(submit(s, "198.51.100.9", RBL_OK) == 6);
	t = begin(s, false);
	CHECK_RC(rbl_delist_count(t, RBL_DELIST_PENDING, &n), RBL_OK);
	CHECK(n == 6);
	CHECK(audits(t, RBL_AUDIT_DELIST_REQUEST, "192.0.2.1") == 1);
	rbl_txn_abort(t);
}

static int collect_more(void *arg, const rbl_delist_more *m)
{
	char *out = arg;

	snprintf(out + strlen(out), 256 - strlen(out), "%u:%s:%s;",
		 (unsigned)m->n, m->contact, m->reason);
	return 0;
}

/* A second person asking about a pending subject is attached to it (once
 * per contact); every request has its own random ticket. */
static void attaching(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_delist_req q, q2;
	uint64_t id = 0, n = 0;
	char more[256] = "";

	CHECK_RC(rbl_delist_submit(t, "192.0.2.1", "noc@example.net",
				   "please, it is our relay", "203.0.113.9", &id),
		 RBL_EEXIST);
	CHECK(id == 1);
	CHECK_RC(rbl_delist_submit(t, "192.0.2.1", "NOC@example.net", "again",
				   "203.0.113.9", &id), RBL_EEXIST);
	CHECK_RC(rbl_delist_submit(t, "192.0.2.1", "ops@example.org", "mine",
				   "203.0.113.9", &id), RBL_EEXIST);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_delist_get(t, 1, &q), RBL_OK);
	CHECK(q.n_more == 1);
	CHECK(strlen(q.ticket) == RBL_DELIST_TICKET_HEX);
	CHECK_RC(rbl_delist_get(t, 2, &q2), RBL_OK);
	CHECK(strcmp(q.ticket, q2.ticket) != 0);
	CHECK_RC(rbl_delist_more_foreach(t, 1, collect_more, more), RBL_OK);
	CHECK_STR(more, "1:noc@example.net:please, it is our relay;");
	more[0] = '\0';
	CHECK_RC(rbl_delist_more_foreach(t, 2, collect_more, more), RBL_OK);
	CHECK_STR(more, "");
	CHECK(audits(t, RBL_AUDIT_DELIST_REQUEST, "192.0.2.1") == 2);
	CHECK_RC(rbl_delist_total(t, &n), RBL_OK);
	CHECK(n == 6);
	rbl_txn_abort(t);
}

static void confirm_host(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_delist_req q;
	rbl_policy_block_info b;
	rbl_addr a = A("192.0.2.1");
	unsigned n = 99;

	CHECK_RC(rbl_delist_confirm(t, 1, "alice", "192.0.2.200", "", &n),
		 RBL_EINVAL);
	CHECK_RC(rbl_delist_confirm(t, 1, "", "192.0.2.200", "ok", &n),
		 RBL_EINVAL);
	CHECK_RC(rbl_delist_confirm(t, 77, "alice", "192.0.2.200", "ok", &n),
		 RBL_ENOTFOUND);
	/* Confirmed but not committed: nothing happened. */
	CHECK_RC(rbl_delist_confirm(t, 1, "alice", "192.0.2.200", "ok", &n),
		 RBL_OK);
	rbl_txn_abort(t);
	t = begin(s, false);
	CHECK(lookup_at(t, BL, "192.0.2.1", time(NULL)) == 2);
	CHECK_RC(rbl_delist_get(t, 1, &q), RBL_OK);
	CHECK(q.state == RBL_DELIST_PENDING);
	rbl_txn_abort(t);

	t = begin(s, true);
	CHECK_RC(rbl_delist_confirm(t, 1, "alice", "192.0.2.200",
				    "new server, checked", &n), RBL_OK);
	CHECK(n == 1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, BL, "192.0.2.1", time(NULL)) == -1);
	CHECK(lookup_at(t, ALLOW, "192.0.2.1", time(NULL)) == 2);
	CHECK(lookup_at(t, BL, "192.0.2.2", time(NULL)) == 2);
	CHECK_RC(rbl_delist_get(t, 1, &q), RBL_OK);
	CHECK(q.state == RBL_DELIST_CONFIRMED);
	CHECK_STR(q.decided_by, "alice");
	CHECK_STR(q.decision, "new server, checked");
	CHECK(q.decided > 0);
	CHECK(strstr(q.removed, "deleted bl:192.0.2.1") != NULL);
	CHECK(audits(t, RBL_AUDIT_DELIST_CONFIRM, "192.0.2.1") == 1);
	CHECK_RC(rbl_policy_block_get(t, &a, &b), RBL_OK);
	CHECK_STR(b.who, "admin:alice");
	rbl_txn_abort(t);

	/* Decided is final. */
	t = begin(s, true);
	CHECK_RC(rbl_delist_confirm(t, 1, "bob", "x", "again", &n), RBL_ESTALE);
	CHECK_RC(rbl_delist_reject(t, 1, "bob", "x", "undo"), RBL_ESTALE);
	rbl_txn_abort(t);
}

static void reject(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_delist_req q;

	CHECK_RC(rbl_delist_reject(t, 2, "bob", "192.0.2.201", " "), RBL_EINVAL);
	CHECK_RC(rbl_delist_reject(t, 2, "bob", "192.0.2.201",
				   "trap hits continue"), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	CHECK(lookup_at(t, BL, "192.0.2.2", time(NULL)) == 2);
	CHECK_RC(rbl_delist_get(t, 2, &q), RBL_OK);
	CHECK(q.state == RBL_DELIST_REJECTED);
	CHECK_STR(q.decided_by, "bob");
	CHECK(audits(t, RBL_AUDIT_DELIST_REJECT, "192.0.2.2") == 1);
	CHECK_RC(rbl_delist_confirm(t, 2, "alice", "x", "changed mind", NULL),
		 RBL_ESTALE);
	rbl_txn_abort(t);
	/* A new request may follow a decided one. */
	CHECK(submit(s, "192.0.2.2", RBL_OK) == 7);
}

static void confirm_wider(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	unsigned n = 0;
	int64_t now = time(NULL);

	CHECK_RC(rbl_delist_confirm(t, 3, "alice", "c", "one host", &n), RBL_OK);
	CHECK(n == 1);
	/* .9 has its own entry inside the /24: deleting it would leave the
	 * /24 answering, so it also needs the exclusion. */
	CHECK_RC(rbl_delist_confirm(t, 6, "alice", "c", "one host", &n), RBL_OK);
	CHECK(n == 2);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, BL, "198.51.100.7", now) == -1);
	CHECK(lookup_at(t, BL, "198.51.100.9", now) == -1);
	CHECK(lookup_at(t, BL, "198.51.100.8", now) == 3);
	rbl_txn_abort(t);
}

static void confirm_names(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	unsigned n = 0;
	int64_t now = time(NULL);

	CHECK_RC(rbl_delist_confirm(t, 4, "alice", "c", "legit host", &n), RBL_OK);
	CHECK(n == 1);
	CHECK_RC(rbl_delist_confirm(t, 5, "alice", "c", "fixed", &n), RBL_OK);
	CHECK(n == 1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(name_at(t, DBL, "x.spam.example", now) == -1);
	CHECK(name_at(t, DBL, "y.spam.example", now) == 0);
	CHECK(name_at(t, DBL, "bad.example", now) == -1);
	rbl_txn_abort(t);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("delist"));

	setup(s);
	subjects();
	submitting(s);
	attaching(s);
	confirm_host(s);
	reject(s);
	confirm_wider(s);
	confirm_names(s);
	CHECK_STR(rbl_delist_state_name(RBL_DELIST_CONFIRMED), "confirmed");
	rbl_store_close(s);
	return check_done();
}
