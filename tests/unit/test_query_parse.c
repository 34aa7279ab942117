/*
 * test_query_parse.c -- the query parser on its own (labels, lowercase
 * copy, EDNS fields, what is dropped) and listen-address parsing.
 */
#include <string.h>

#include "rbld/listen.h"
#include "rbld/query.h"
#include "tests/unit/check.h"

static const uint8_t base[] = {
	0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
	3, 'F', 'o', 'O', 2, 'b', 'L', 0, 0, 16, 0, 1,
	0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0
};

static void test_labels(void)
{
	rbl_query q;
	const uint8_t *l;
	uint8_t len;

	CHECK_RC(rbl_query_parse(base, sizeof(base), &q), RBL_OK);
	CHECK(q.rcode == DNS_RCODE_NOERROR && q.has_question);
	CHECK(q.id == 0xabcd && q.rd && q.opcode == 0);
	CHECK(q.nlabels == 2 && q.qname_len == 8);
	CHECK(q.qtype == DNS_T_TXT && q.qclass == DNS_C_IN);
	l = rbl_query_label(&q, 0, &len);
	CHECK(len == 3 && memcmp(l, "foo", 3) == 0);
	l = rbl_query_label(&q, 1, &len);
	CHECK(len == 2 && memcmp(l, "bl", 2) == 0);
	CHECK(memcmp(q.qname, "\3FoO\2bL", 7) == 0);	/* original kept */
	CHECK(q.has_opt && q.edns_udp_size == 4096 && q.edns_do);
	CHECK(q.edns_version == 0 && q.question_end == 24);
}

static void test_drop_and_errors(void)
{
	uint8_t p[sizeof(base)];
	rbl_query q;

	memcpy(p, base, sizeof(p));
	CHECK_RC(rbl_query_parse(p, 11, &q), RBL_EFORMAT);
	p[2] |= 0x80;
	CHECK_RC(rbl_query_parse(p, sizeof(p), &q), RBL_EFORMAT);
	memcpy(p, base, sizeof(p));
	p[30] = 1;				/* EDNS version 1 */
	CHECK_RC(rbl_query_parse(p, sizeof(p), &q), RBL_OK);
	CHECK(q.rcode == DNS_RCODE_BADVERS);
	memcpy(p, base, sizeof(p));
	p[2] = (uint8_t)(5 << 3);		/* UPDATE */
	CHECK_RC(rbl_query_parse(p, sizeof(p), &q), RBL_OK);
	CHECK(q.rcode == DNS_RCODE_NOTIMP && q.opcode == 5 && q.has_question);
	memcpy(p, base, sizeof(p));
	p[11] = 0;				/* OPT left over: garbage */
	CHECK_RC(rbl_query_parse(p, sizeof(p), &q), RBL_OK);
	CHECK(q.rcode == DNS_RCODE_FORMERR && q.has_question && !q.has_opt);
	memcpy(p, base, sizeof(p));
	p[12] = 0x80;				/* label type 10 */
	CHECK_RC(rbl_query_parse(p, sizeof(p), &q), RBL_OK);
	CHECK(q.rcode == DNS_RCODE_FORMERR && !q.has_question);
}

static void test_listen(void)
{
	rbl_listen_addr a;

	CHECK_RC(rbl_listen_parse("127.0.0.1@5353", &a), RBL_OK);
	CHECK_STR(a.text, "127.0.0.1@5353");
	CHECK(!a.wildcard);
	CHECK_RC(rbl_listen_parse("::", &a), RBL_OK);
	CHECK_STR(a.text, "::@53");
	CHECK(a.wildcard);
	CHECK_RC(rbl_listen_parse("[::1]@53", &a), RBL_OK);
	CHECK_STR(a.text, "::1@53");
	CHECK_RC(rbl_listen_parse("0.0.0.0@0", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_listen_parse("127.0.0.1@65536", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_listen_parse("localhost@53", &a), RBL_ESYNTAX);
	CHECK_RC(rbl_listen_parse("@53", &a), RBL_ESYNTAX);
}

int main(void)
{
	test_labels();
	test_drop_and_errors();
	test_listen();
	return check_done();
}
