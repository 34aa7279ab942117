/*
 * test_mirror.c -- zone/formats/mirror.h: rbldnsd dataset arguments,
 * rbld.conf's data: lines and mirror section, the watcher's record.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/config/config.h"
#include "zone/formats/mirror.h"
#include "zone/formats/rbldnsd_fmt.h"

static void test_spec(void)
{
	rbl_mirror_set set = { 0 };
	char zone[RBL_NAME_MAX + 1], err[256];
	int type = -1;

	CHECK_RC(rbl_mirror_parse_spec("BL.Example.org.:ip4set:a,b.gz",
				       "/d", zone, &type, &set, err,
				       sizeof err), RBL_OK);
	CHECK_STR(zone, "bl.example.org");
	CHECK(type == RBL_DS_IP4SET);
	CHECK(set.n_files == 2);
	CHECK_STR(set.files[0], "/d/a");
	CHECK_STR(set.files[1], "/d/b.gz");

	memset(&set, 0, sizeof set);
	CHECK_RC(rbl_mirror_parse_spec("dnset:/abs/x", "/d", zone, &type,
				       &set, err, sizeof err), RBL_OK);
	CHECK_STR(zone, "");
	CHECK(type == RBL_DS_DNSET);
	CHECK_STR(set.files[0], "/abs/x");

	memset(&set, 0, sizeof set);
	CHECK_RC(rbl_mirror_parse_spec("plain", NULL, zone, &type, &set,
				       err, sizeof err), RBL_OK);
	CHECK(type == 0);
	CHECK_STR(set.files[0], "plain");

	CHECK_RC(rbl_mirror_parse_spec("z:nosuch:f", NULL, zone, &type, &set,
				       err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "nosuch") != NULL);
	CHECK_RC(rbl_mirror_parse_spec("z:combined:f", NULL, zone, &type,
				       &set, err, sizeof err), RBL_EINVAL);
	CHECK_RC(rbl_mirror_parse_spec("z:ip4set:a,,b", NULL, zone, &type,
				       &set, err, sizeof err), RBL_EINVAL);
	CHECK_RC(rbl_mirror_parse_spec("z:ip4set:", NULL, zone, &type,
				       &set, err, sizeof err), RBL_EINVAL);
	CHECK_RC(rbl_mirror_parse_spec("bad zone:ip4set:f", NULL, zone,
				       &type, &set, err, sizeof err),
		 RBL_EINVAL);
}

static int load(const char *text, rbl_mirror_conf **m, char *err)
{
	rbl_conf *c = NULL;
	int rc = rbl_conf_parse(text, strlen(text), "t.conf", &c, err,
				RBL_CONF_ERRLEN);

	if (rc == RBL_OK)
		rc = rbl_conf_check(c, err, RBL_CONF_ERRLEN);
	if (rc == RBL_OK)
		rc = rbl_mirror_conf_load(c, m, err, RBL_CONF_ERRLEN);
	rbl_conf_free(c);
	return rc;
}

static void test_conf(void)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_mirror_conf *m = NULL;

	CHECK_RC(load("mirror:\n directory: /feed\n settle: 50ms\n"
		      " check-interval: 0\n lenient: yes\n"
		      "list: a\n kind: ip\n data: bl.x:ip4set:f1,f2\n"
		      " data: ip4set:f3\n"
		      "list: b\n kind: name\n"
		      "zone: bl.x\n list: a\n", &m, err), RBL_OK);
	CHECK(m && m->n_sets == 1);
	if (m && m->n_sets == 1) {
		CHECK_STR(m->sets[0].list, "a");
		CHECK(m->sets[0].n_files == 3);
		CHECK_STR(m->sets[0].files[2], "/feed/f3");
		CHECK(m->sets[0].type == RBL_DS_IP4SET);
		CHECK(m->settle_ms == 50 && m->check_interval_ms == 0 &&
		      m->lenient);
	}
	rbl_mirror_conf_free(m);
	m = NULL;
	CHECK_RC(load("list: a\n kind: ip\n data: f\n", &m, err), RBL_OK);
	CHECK(m && m->settle_ms == 300 && m->check_interval_ms == 1000);
	CHECK(m && strcmp(m->sets[0].files[0], "/var/lib/rbldns/f") == 0);
	rbl_mirror_conf_free(m);
	m = NULL;

	/* the zone must answer from the list */
	CHECK_RC(load("list: a\n kind: ip\n data: bl.x:ip4set:f\n", &m, err),
		 RBL_EINVAL);
	CHECK(strstr(err, "t.conf:3:") && strstr(err, "does not answer"));
	/* the kind must hold the type's records */
	CHECK_RC(load("list: a\n kind: name\n data: ip4set:f\n", &m, err),
		 RBL_EINVAL);
	/* one type per list */
	CHECK_RC(load("list: a\n kind: ip\n data: ip4set:f\n"
		      " data: ip4trie:g\n", &m, err), RBL_EINVAL);
	CHECK_RC(load("mirror:\n settle: soon\nlist: a\n kind: ip\n"
		      " data: f\n", &m, err), RBL_EINVAL);
	CHECK(m == NULL);
}

static int count_cb(void *arg, const rbl_mirror_state *s)
{
	unsigned *n = arg;

	(void)s;
	(*n)++;
	return 0;
}

static void test_state(void)
{
	rbl_store *s = open_rw(tmp_store_dir("mirror"));
	rbl_mirror_state st = { 0 }, got = { 0 };
	rbl_txn *t = begin(s, false);
	unsigned n = 0;

	/* no table yet: an empty record, no error */
	CHECK_RC(rbl_mirror_state_get(t, "a", &got), RBL_OK);
	CHECK(got.imports == 0 && got.tried_sig == 0);
	CHECK_STR(got.list, "a");
	CHECK_RC(rbl_mirror_state_foreach(t, count_cb, &n), RBL_OK);
	CHECK(n == 0);
	rbl_txn_abort(t);

	snprintf(st.list, sizeof st.list, "a");
	st.imports = 3;
	st.refusals = 2;
	st.last_import = 1800000000;
	st.last_refusal = 1800000100;
	st.last_try = 1800000100;
	st.tried_sig = 0x0123456789abcdefull;
	st.failing = true;
	memset(st.reason, 'x', RBL_MIRROR_REASON_MAX);	/* the longest */
	t = begin(s, true);
	CHECK_RC(rbl_mirror_state_put(t, &st), RBL_OK);
	snprintf(st.list, sizeof st.list, "b");
	CHECK_RC(rbl_mirror_state_put(t, &st), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	CHECK_RC(rbl_mirror_state_get(t, "a", &got), RBL_OK);
	CHECK(got.imports == 3 && got.refusals == 2 && got.failing);
	CHECK(got.last_import == 1800000000 && got.last_refusal == 1800000100);
	CHECK(got.tried_sig == 0x0123456789abcdefull);
	CHECK(strlen(got.reason) == RBL_MIRROR_REASON_MAX);
	CHECK_RC(rbl_mirror_state_foreach(t, count_cb, &n), RBL_OK);
	CHECK(n == 2);
	rbl_txn_abort(t);
	rbl_store_close(s);
}

int main(void)
{
	test_spec();
	test_conf();
	test_state();
	return check_done();
}
