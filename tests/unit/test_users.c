/*
 * test_users.c -- user records: add/passwd/del/list, password checks,
 * the stored hash is salted per user and never the password, and
 * verification answers the same for unknown users and wrong passwords.
 */
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/store/table.h"
#include "zone/people/users.h"

static int count_users(void *arg, const rbl_user *u)
{
	(*(int *)arg)++;
	return 0;
}

static void names(void)
{
	CHECK(rbl_user_name_valid("alice"));
	CHECK(rbl_user_name_valid("ops.team-1_a"));
	CHECK(!rbl_user_name_valid(""));
	CHECK(!rbl_user_name_valid(".alice"));
	CHECK(!rbl_user_name_valid("al ice"));
	CHECK(!rbl_user_name_valid("<script>"));
	CHECK(!rbl_user_name_valid("a23456789012345678901234567890123"));
	CHECK_RC(rbl_user_pass_check("short"), RBL_EINVAL);
	CHECK_RC(rbl_user_pass_check("long enough"), RBL_OK);
}

/* The raw record of NAME must not contain the password, and two users with
 * the same password must have different hashes (per-user salt). */
static void stored_form(rbl_store *s)
{
	rbl_txn *t = begin(s, false);
	rbl_table tb = { 0 };
	rbl_val va = { 0 }, vb = { 0 };

	CHECK_RC(rbl_table_open(t, "users", &tb), RBL_OK);
	CHECK(rbl_table_get(&tb, "alice", 5, &va) == RBL_OK);
	CHECK(rbl_table_get(&tb, "bob", 3, &vb) == RBL_OK);
	CHECK(va.len == vb.len);
	CHECK(memmem(va.p, va.len, "correct horse", 13) == NULL);
	/* salt+hash start after version, kdf, iterations */
	CHECK(memcmp((const char *)va.p + 6, (const char *)vb.p + 6, 48) != 0);
	rbl_txn_abort(t);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("users"));
	rbl_txn *t;
	rbl_user u;
	int n = 0;

	names();
	t = begin(s, false);
	CHECK_RC(rbl_user_verify(t, "alice", "whatever1"), RBL_EPERM);
	CHECK_RC(rbl_user_foreach(t, count_users, &n), RBL_OK);
	CHECK(n == 0);
	rbl_txn_abort(t);

	t = begin(s, true);
	CHECK_RC(rbl_user_add(t, "alice", "correct horse"), RBL_OK);
	CHECK_RC(rbl_user_add(t, "bob", "correct horse"), RBL_OK);
	CHECK_RC(rbl_user_add(t, "alice", "another one"), RBL_EEXIST);
	CHECK_RC(rbl_user_add(t, "bad name", "another one"), RBL_EINVAL);
	CHECK_RC(rbl_user_add(t, "carol", "short"), RBL_EINVAL);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	stored_form(s);
	t = begin(s, false);
	CHECK_RC(rbl_user_get(t, "alice", &u), RBL_OK);
	CHECK_STR(u.name, "alice");
	CHECK(u.iterations >= 600000);
	CHECK(u.created > 0 && u.pw_changed >= u.created);
	CHECK_RC(rbl_user_verify(t, "alice", "correct horse"), RBL_OK);
	CHECK_RC(rbl_user_verify(t, "alice", "correct horsf"), RBL_EPERM);
	CHECK_RC(rbl_user_verify(t, "alice", ""), RBL_EPERM);
	CHECK_RC(rbl_user_verify(t, "mallory", "correct horse"), RBL_EPERM);
	CHECK_RC(rbl_user_get(t, "mallory", &u), RBL_ENOTFOUND);
	n = 0;
	CHECK_RC(rbl_user_foreach(t, count_users, &n), RBL_OK);
	CHECK(n == 2);
	rbl_txn_abort(t);

	t = begin(s, true);
	CHECK_RC(rbl_user_passwd(t, "alice", "new secret 42"), RBL_OK);
	CHECK_RC(rbl_user_passwd(t, "nobody", "new secret 42"), RBL_ENOTFOUND);
	CHECK_RC(rbl_user_passwd(t, "alice", "tiny"), RBL_EINVAL);
	CHECK_RC(rbl_user_del(t, "bob"), RBL_OK);
	CHECK_RC(rbl_user_del(t, "bob"), RBL_ENOTFOUND);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	CHECK_RC(rbl_user_verify(t, "alice", "correct horse"), RBL_EPERM);
	CHECK_RC(rbl_user_verify(t, "alice", "new secret 42"), RBL_OK);
	CHECK_RC(rbl_user_verify(t, "bob", "correct horse"), RBL_EPERM);
	rbl_txn_abort(t);

	/* An aborted add leaves nothing behind. */
	t = begin(s, true);
	CHECK_RC(rbl_user_add(t, "dave", "dave's password"), RBL_OK);
	rbl_txn_abort(t);
	t = begin(s, false);
	CHECK_RC(rbl_user_get(t, "dave", &u), RBL_ENOTFOUND);
	rbl_txn_abort(t);
	rbl_store_close(s);
	return check_done();
}
