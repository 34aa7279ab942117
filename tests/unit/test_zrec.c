/*
 * test_zrec.c -- zone records: presentation <-> wire, and the store's
 * replace/get (order, serial, validation, zone deletion).
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/store/zrec.h"

static rbl_zrec rec(const char *owner, const char *type, const char *value)
{
	rbl_zrec r;
	const char *why;

	memset(&r, 0, sizeof r);
	snprintf(r.owner, sizeof r.owner, "%s", owner);
	r.type = rbl_zrec_type_parse(type);
	CHECK_RC(rbl_zrec_parse_value(&r, value, &why), RBL_OK);
	return r;
}

static void round_trip(const char *type, const char *value, const char *want)
{
	rbl_zrec r = rec("x", type, value);
	char out[600];

	CHECK(rbl_zrec_format_value(&r, out, sizeof out) > 0);
	CHECK_STR(out, want);
	CHECK_RC(rbl_zrec_check(&r), RBL_OK);
}

static void test_values(void)
{
	rbl_zrec r;
	const char *why;
	char long_txt[400];

	round_trip("A", "192.0.2.1", "192.0.2.1");
	round_trip("aaaa", "2001:DB8::1", "2001:db8::1");
	round_trip("MX", "10 MX.Example.ORG", "10 mx.example.org.");
	round_trip("MX", "0 mx.example.org.", "0 mx.example.org.");
	round_trip("TXT", "\"a \\\"quoted\\\" word\" \"two\"",
		   "\"a \\\"quoted\\\" word\" \"two\"");
	round_trip("TXT", "bare text  ", "\"bare text\"");
	memset(long_txt, 'x', 300);
	long_txt[300] = '\0';
	r = rec("x", "TXT", long_txt);	/* bare: cut into 255 + 45 */
	CHECK(r.rdlen == 302 && r.rdata[0] == 255 && r.rdata[256] == 45);

	memset(&r, 0, sizeof r);
	r.type = RBL_ZREC_A;
	CHECK_RC(rbl_zrec_parse_value(&r, "1.2.3", &why), RBL_ESYNTAX);
	CHECK(why != NULL);
	CHECK_RC(rbl_zrec_parse_value(&r, "1.2.3.4 5", &why), RBL_ESYNTAX);
	r.type = RBL_ZREC_MX;
	CHECK_RC(rbl_zrec_parse_value(&r, "70000 mx.test", &why), RBL_ESYNTAX);
	CHECK_RC(rbl_zrec_parse_value(&r, "10", &why), RBL_ESYNTAX);
	CHECK_RC(rbl_zrec_parse_value(&r, "10 bad..name", &why), RBL_ESYNTAX);
	r.type = RBL_ZREC_TXT;
	CHECK_RC(rbl_zrec_parse_value(&r, "\"open", &why), RBL_ESYNTAX);
	CHECK_RC(rbl_zrec_parse_value(&r, "\"a\" tail", &why), RBL_ESYNTAX);
	CHECK(rbl_zrec_type_parse("CNAME") == 0);
	CHECK_STR(rbl_zrec_type_name(RBL_ZREC_MX), "MX");

	r = rec("Upper", "A", "192.0.2.1");	/* owners are stored lowercase */
	CHECK_RC(rbl_zrec_check(&r), RBL_EINVAL);
	r = rec("a..b", "A", "192.0.2.1");
	CHECK_RC(rbl_zrec_check(&r), RBL_EINVAL);
	r = rec("", "A", "192.0.2.1");		/* the apex */
	CHECK_RC(rbl_zrec_check(&r), RBL_OK);
}

static void test_store(rbl_store *s)
{
	rbl_zrec v[3], *got;
	rbl_zone z;
	rbl_txn *t;
	uint32_t serial0, serial1;
	size_t n;

	v[0] = rec("www", "A", "192.0.2.80");
	v[1] = rec("", "MX", "10 mx.example.org");
	v[2] = rec("about", "TXT", "\"about\"");
	CHECK_RC(rbl_txn_begin(s, true, &t), RBL_OK);
	CHECK_RC(rbl_zone_create_simple(t, "bl.test", RBL_LIST_IP, &z),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(rbl_txn_begin(s, false, &t), RBL_OK);
	CHECK_RC(rbl_zone_serial(t, z.id, &serial0), RBL_OK);
	CHECK_RC(rbl_zrec_get(t, z.id, &got, &n), RBL_OK);
	CHECK(n == 0 && got == NULL);
	rbl_txn_abort(t);

	CHECK_RC(rbl_txn_begin(s, true, &t), RBL_OK);
	CHECK_RC(rbl_zrec_replace(t, z.id, v, 3), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(rbl_txn_begin(s, false, &t), RBL_OK);
	CHECK_RC(rbl_zone_serial(t, z.id, &serial1), RBL_OK);
	CHECK(serial1 == serial0 + 1);
	CHECK_RC(rbl_zrec_get(t, z.id, &got, &n), RBL_OK);
	CHECK(n == 3);
	if (n == 3) {	/* owner order: apex, about, www */
		CHECK_STR(got[0].owner, "");
		CHECK_STR(got[1].owner, "about");
		CHECK_STR(got[2].owner, "www");
		CHECK(got[2].rdlen == 4 &&
		      memcmp(got[2].rdata, v[0].rdata, 4) == 0);
	}
	free(got);
	rbl_txn_abort(t);

	/* a bad record: refused, nothing written */
	v[1].owner[0] = 'X';
	CHECK_RC(rbl_txn_begin(s, true, &t), RBL_OK);
	CHECK_RC(rbl_zrec_replace(t, z.id, v, 3), RBL_EINVAL);
	CHECK_RC(rbl_zrec_replace(t, z.id + 100, v, 0), RBL_ENOTFOUND);
	rbl_txn_abort(t);

	/* deleting the zone deletes its records */
	CHECK_RC(rbl_txn_begin(s, true, &t), RBL_OK);
	CHECK_RC(rbl_zone_delete(t, z.id), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(rbl_txn_begin(s, false, &t), RBL_OK);
	CHECK_RC(rbl_zrec_get(t, z.id, &got, &n), RBL_OK);
	CHECK(n == 0);
	rbl_txn_abort(t);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("zrec"));

	test_values();
	test_store(s);
	rbl_store_close(s);
	return check_done();
}
