/*
 * fuzz_dns_access.c -- libFuzzer target: a packet through the query
 * engine with the client policy on (rbld/access.h): the first 4 bytes are
 * the client's IPv4 address (16 more with the high bit of byte 0: IPv6),
 * the rest the packet.  The policy has every ACL action, a per-zone rule,
 * a quota of 3 and RRL with slip 1, so fixed answers, empty answers,
 * refusals and slipped (rewritten) answers all meet fuzzed packets.
 * DNS cookies are on (a random secret), so a packet with a client cookie
 * that RRL slips becomes BADCOOKIE (seed "cookie-client").
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbld/engine.h"
#include "zone/error.h"
#include "zone/store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char policy_text[] =
	"acl:\n\trule: 10.0.0.0/8 refuse\n\trule: 10.1.0.0/16 empty\n"
	"\trule: 10.2.0.0/16 answer 127.255.255.254,127.0.0.3 via resolver $\n"
	"\trule: 10.3.0.0/16 ignore\n\trule: a001:db8::/32 answer 127.0.0.2\n"
	"acl: bl.fuzz\n\trule: 10.4.0.0/16 answer 127.0.0.9 zone $ $ $\n"
	"quota:\n\tqueries-per-day: 3\n\tipv4-prefix: 24\n"
	"rrl:\n\tresponses-per-second: 2\n\tnxdomain-per-second: 2\n"
	"\terrors-per-second: 2\n\tslip: 1\n\tlog: no\n";
static rbl_store *store;
static rbl_engine engine;
static rbl_access access_conf;
static rbl_access_live live;
static rbl_engine_conf econf = { .version = "rbld fuzz", .identity = "fuzz",
				  .edns_buffer_max = 1232, .access = &live };
static uint8_t answer[65536];

static int make_store(const char *dir)
{
	rbl_txn *t;
	rbl_zone z;
	rbl_entry e;
	rbl_prefix p;
	int rc;

	rbl_entry_init(&e);
	e.flags |= RBL_ENTRY_HAS_TXT;
	snprintf(e.txt, sizeof(e.txt), "Listed $");
	rbl_prefix_parse("192.0.2.0/24", true, &p);
	if ((rc = rbl_store_open(dir, RBL_STORE_CREATE, 1 << 24, &store)) ||
	    (rc = rbl_txn_begin(store, true, &t)))
		return rc;
	if ((rc = rbl_zone_create_simple(t, "bl.fuzz", RBL_LIST_IP, &z)) ||
	    (rc = rbl_ip_add(t, z.lists[0].list_id, &p, &e))) {
		rbl_txn_abort(t);
		return rc;
	}
	return rbl_txn_commit(t);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz_dns_access.XXXXXX", err[RBL_CONF_ERRLEN];
	rbl_conf *c = NULL;

	(void)argc;
	(void)argv;
	rbl_access_init(&access_conf);
	if (!mkdtemp(dir) || make_store(dir) != RBL_OK ||
	    rbl_conf_parse(policy_text, sizeof(policy_text) - 1, "fuzz", &c,
			   err, sizeof(err)) != RBL_OK ||
	    rbl_access_load(c, &access_conf, err, sizeof(err)) != RBL_OK) {
		fprintf(stderr, "fuzz_dns_access: setup failed\n");
		abort();
	}
	rbl_conf_free(c);
	atomic_init(&live.current, &access_conf);
	if (rbl_engine_init(&engine, store, &econf, NULL) != RBL_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	const struct sockaddr *from = (const struct sockaddr *)&s4;
	size_t skip = 4, len;

	if (size < 4)
		return 0;
	if (data[0] & 0x80) {
		if (size < 16)
			return 0;
		memcpy(&s6.sin6_addr, data, 16);
		from = (const struct sockaddr *)&s6;
		skip = 16;
	} else {
		memcpy(&s4.sin_addr, data, 4);
	}
	if (rbl_engine_begin(&engine, 1700000000) != RBL_OK)
		abort();
	(void)rbl_engine_answer_from(&engine, from, data + skip, size - skip,
				     RBL_TRANSPORT_UDP, answer, 512, &len);
	(void)rbl_engine_answer_from(&engine, from, data + skip, size - skip,
				     RBL_TRANSPORT_TCP, answer, sizeof(answer),
				     &len);
	rbl_engine_end(&engine);
	return 0;
}
