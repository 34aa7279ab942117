/*
 * fuzz_dns_packet.c -- libFuzzer target: a packet through rbld's whole
 * query engine (parse, lookup, answer) over UDP and TCP, against a small
 * store made once at start: an IP zone with prefixes and an exclusion, a
 * domain zone, and a combined zone with a sub-label.  A TSIG key is
 * configured, so a packet whose last record is a TSIG record has it read
 * where the parser found it and checked (seed "signed" is signed with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbld/engine.h"
#include "rbld/xfr_conf.h"
#include "zone/error.h"
#include "zone/store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rbl_store *store;
static rbl_engine engine;
static rbl_engine_conf econf = { .version = "rbld fuzz", .identity = "fuzz",
				  .edns_buffer_max = 1232 };
static uint8_t answer[65536];
static rbl_xfr_conf xconf;
static rbl_xfr_live xfr_live;

static int add_ip(rbl_txn *t, uint32_t list, const char *cidr,
		  uint32_t flags, const char *txt)
{
	rbl_prefix p;
	rbl_entry e;

	rbl_entry_init(&e);
	e.flags = flags;
	if (txt) {
		e.flags |= RBL_ENTRY_HAS_TXT;
		snprintf(e.txt, sizeof(e.txt), "%s", txt);
	}
	if (rbl_prefix_parse(cidr, true, &p) != RBL_OK)
		return RBL_EINVAL;
	return rbl_ip_add(t, list, &p, &e);
}

static int make_store(const char *dir)
{
	rbl_txn *t;
	rbl_zone ip, names, zen;
	rbl_list extra = { 0 };
	rbl_entry e;
	int rc;

	if ((rc = rbl_store_open(dir, RBL_STORE_CREATE, 1 << 26, &store)) ||
	    (rc = rbl_txn_begin(store, true, &t)))
		return rc;
	rbl_entry_init(&e);
	snprintf(extra.name, sizeof(extra.name), "extra");
	extra.kind = RBL_LIST_IP;
	extra.default_code = 0x7f000004;
	if ((rc = rbl_zone_create_simple(t, "bl.fuzz", RBL_LIST_IP, &ip)) ||
	    (rc = rbl_zone_create_simple(t, "dbl.fuzz", RBL_LIST_NAME, &names)) ||
	    (rc = rbl_list_create(t, &extra)) ||
	    (rc = add_ip(t, ip.lists[0].list_id, "192.0.2.0/24", 0, "Listed $")) ||
	    (rc = add_ip(t, ip.lists[0].list_id, "192.0.2.5", RBL_ENTRY_EXCLUDE,
			 NULL)) ||
	    (rc = add_ip(t, ip.lists[0].list_id, "2001:db8::/48", 0, NULL)) ||
	    (rc = add_ip(t, extra.id, "192.0.2.128/25", 0,
			 "a long text $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $ $")) ||
	    (rc = rbl_name_add(t, names.lists[0].list_id, "bad.example", &e)))
		goto fail;
	rbl_zone_defaults(&zen, "zen.fuzz");
	zen.n_lists = 2;
	zen.lists[0] = ip.lists[0];
	zen.lists[1].list_id = extra.id;
	snprintf(zen.lists[1].sub, sizeof(zen.lists[1].sub), "xbl");
	if ((rc = rbl_zone_create(t, &zen)))
		goto fail;
	return rbl_txn_commit(t);
fail:
	rbl_txn_abort(t);
	return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz_dns_packet.XXXXXX";

	(void)argc;
	(void)argv;
	if (rbl_tsig_key_init(&xconf.keys[0], "fuzz.key", NULL,
			      "ZnV6ei1rZXktc2VjcmV0LWZ1enota2V5LXNlY3JldA==") !=
	    RBL_OK)
		abort();
	xconf.n_keys = 1;
	atomic_store(&xfr_live.current, &xconf);
	econf.xfr = &xfr_live;
	if (!mkdtemp(dir) || make_store(dir) != RBL_OK ||
	    rbl_engine_init(&engine, store, &econf, NULL) != RBL_OK) {
		fprintf(stderr, "fuzz_dns_packet: cannot set up the store\n");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;

	if (rbl_engine_begin(&engine, 1700000000) != RBL_OK)
		abort();
	(void)rbl_engine_answer(&engine, data, size, RBL_TRANSPORT_UDP,
				answer, 512, &len);
	(void)rbl_engine_answer(&engine, data, size, RBL_TRANSPORT_TCP,
				answer, sizeof(answer), &len);
	rbl_engine_end(&engine);
	return 0;
}
