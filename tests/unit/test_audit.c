/*
 * test_audit.c -- the audit log: numbering, atomicity with its
 * transaction, filters, newest-first paging, long fields, CSV quoting and
 * the spreadsheet-formula guard.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/people/audit.h"

struct collect {
	uint64_t seq[64];
	char action[64][32];
	int n;
};

static int collect(void *arg, const rbl_audit_rec *r)
{
	struct collect *c = arg;

	if (c->n < 64) {
		c->seq[c->n] = r->seq;
		snprintf(c->action[c->n], 32, "%s", r->action);
	}
	c->n++;
	return 0;
}

static int stop_at_two(void *arg, const rbl_audit_rec *r)
{
	return ++*(int *)arg == 2 ? 7 : 0;
}

static int csv_write(void *arg, const char *p, size_t n)
{
	char *out = arg;
	size_t len = strlen(out);

	if (len + n >= 8192)
		return -1;
	memcpy(out + len, p, n);
	out[len + n] = '\0';
	return 0;
}

static void append(rbl_txn *t, const char *user, const char *action,
		   const char *target, int64_t when, uint64_t want_seq)
{
	rbl_audit_rec r = { .time = when, .user = user, .client = "192.0.2.9",
		.action = action, .target = target, .before = "b",
		.after = "a", .reason = "because" };

	CHECK_RC(rbl_audit_append(t, &r), RBL_OK);
	CHECK(r.seq == want_seq);
}

static void filters(rbl_store *s)
{
	rbl_txn *t = begin(s, false);
	struct collect c = { .n = 0 };
	rbl_audit_filter f = { .newest_first = true };
	int n = 0;

	CHECK_RC(rbl_audit_foreach(t, &f, collect, &c), RBL_OK);
	CHECK(c.n == 4 && c.seq[0] == 4 && c.seq[3] == 1);
	memset(&c, 0, sizeof c);
	f.start = 3;
	CHECK_RC(rbl_audit_foreach(t, &f, collect, &c), RBL_OK);
	CHECK(c.n == 3 && c.seq[0] == 3);
	memset(&c, 0, sizeof c);
	memset(&f, 0, sizeof f);
	f.action = "delist";
	CHECK_RC(rbl_audit_foreach(t, &f, collect, &c), RBL_OK);
	CHECK(c.n == 2 && strcmp(c.action[1], "delist.reject") == 0);
	memset(&c, 0, sizeof c);
	memset(&f, 0, sizeof f);
	f.user = "alice";
	f.target = "192.0.2.1";
	CHECK_RC(rbl_audit_foreach(t, &f, collect, &c), RBL_OK);
	CHECK(c.n == 1 && c.seq[0] == 2);
	memset(&c, 0, sizeof c);
	memset(&f, 0, sizeof f);
	f.since = 1000, f.until = 2000;
	CHECK_RC(rbl_audit_foreach(t, &f, collect, &c), RBL_OK);
	CHECK(c.n == 2);
	CHECK_RC(rbl_audit_foreach(t, NULL, stop_at_two, &n), 7);
	rbl_txn_abort(t);
}

static void csv(rbl_store *s)
{
	static char out[8192];
	rbl_txn *t = begin(s, true);
	rbl_audit_rec r = { .time = 86400, .user = "eve", .client = "::1",
		.action = "listing.add", .target = "=HYPERLINK(\"x\")",
		.before = "", .after = "say \"hi\", bye", .reason = "@SUM(1)" };
	rbl_audit_filter f = { .user = "eve" };
	uint64_t last;

	CHECK_RC(rbl_audit_append(t, &r), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_audit_csv(t, &f, csv_write, out), RBL_OK);
	CHECK_STR(out, "time,seq,user,client,action,target,before,after,"
		  "reason\r\n\"1970-01-02T00:00:00Z\",\"5\",\"eve\",\"::1\","
		  "\"listing.add\",\"'=HYPERLINK(\"\"x\"\")\",\"\","
		  "\"say \"\"hi\"\", bye\",\"'@SUM(1)\"\r\n");
	CHECK_RC(rbl_audit_last(t, &last), RBL_OK);
	CHECK(last == 5);
	rbl_txn_abort(t);
}

static void long_fields(rbl_store *s)
{
	char *big = malloc(10000);
	rbl_txn *t = begin(s, true);
	rbl_audit_rec r = { .user = "x", .action = "note" };
	rbl_audit_filter f = { .newest_first = true };
	struct collect c = { .n = 0 };

	memset(big, 'A', 9999);
	big[9999] = '\0';
	r.reason = big;
	CHECK_RC(rbl_audit_append(t, &r), RBL_OK);
	CHECK(r.time > 0);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	f.action = "note";
	CHECK_RC(rbl_audit_foreach(t, &f, collect, &c), RBL_OK);
	CHECK(c.n == 1);
	rbl_txn_abort(t);
	free(big);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("audit"));
	rbl_txn *t = begin(s, false);
	struct collect c = { .n = 0 };
	uint64_t last = 99;

	CHECK_RC(rbl_audit_foreach(t, NULL, collect, &c), RBL_OK);
	CHECK(c.n == 0);
	CHECK_RC(rbl_audit_last(t, &last), RBL_OK);
	CHECK(last == 0);
	rbl_txn_abort(t);

	t = begin(s, true);
	append(t, "alice", "login", "alice", 1000, 1);
	append(t, "alice", "delist.confirm", "192.0.2.1", 2000, 2);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	/* Aborted: the record vanishes with its transaction, numbers reused. */
	t = begin(s, true);
	append(t, "mallory", "listing.del", "192.0.2.2", 2500, 3);
	rbl_txn_abort(t);

	t = begin(s, true);
	append(t, "bob", "delist.reject", "192.0.2.3", 3000, 3);
	append(t, "bob", "logout", "bob", 4000, 4);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	filters(s);
	csv(s);
	long_fields(s);
	rbl_store_close(s);
	return check_done();
}
