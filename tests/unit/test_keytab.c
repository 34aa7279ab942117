/*
 * test_keytab.c -- access keys on rbld's answer path, engines without
 * sockets: a key's daily quota holds across two workers that answer it
 * in turn (the 11th query of a quota of 10 gets 127.255.255.254,
 * whichever worker answers it, and when they answer in uneven turns
 * and the key table is rebuilt), a keyed query's label is dropped before
 * the lookup, and a name of a key's length that no key has is an
 * unknown key.
 */
#include <arpa/inet.h>
#include <stdatomic.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/config/config.h"
#include "zone/kstats.h"
#include "zone/people/qkey.h"
#include "rbld/engine.h"

#define NOW	1700000000

static size_t make_query(uint8_t *p, const char *name)
{
	size_t n = DNS_HDR_LEN;

	memset(p, 0, DNS_HDR_LEN);
	dns_put16(p, 0x1234);
	dns_put16(p + 4, 1);
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p[n++] = (uint8_t)l;
		memcpy(p + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	dns_put16(p + n, DNS_T_A);
	dns_put16(p + n + 2, DNS_C_IN);
	return n + 4;
}

/* The first A record's last octet of the answer to NAME from E, or -1
 * (no A record), -2 (not answered). */
static int ask(rbl_engine *e, const char *name)
{
	uint8_t q[512], out[1232];
	size_t qlen = make_query(q, name), olen = 0;
	int last = -1;

	rbl_engine_begin(e, NOW);
	if (rbl_engine_answer(e, q, qlen, RBL_TRANSPORT_UDP, out, sizeof out,
			      &olen) != RBL_OK)
		last = -2;
	else if (dns_get16(out + 6) > 0 && olen >= 4)
		last = (out[olen - 4] == 127) ? out[olen - 1] : -1;
	rbl_engine_end(e);
	return last;
}

static rbl_access policy;
static rbl_access_live live;

static void load_policy(void)
{
	static const char text[] = "zone: bl.test\n\tkeys: accept\n";
	char err[256] = "";
	rbl_conf *c = NULL;

	rbl_access_init(&policy);
	CHECK_RC(rbl_conf_parse(text, strlen(text), "t.conf", &c, err,
				sizeof err), RBL_OK);
	CHECK_RC(rbl_access_load(c, &policy, err, sizeof err), RBL_OK);
	rbl_conf_free(c);
	atomic_store(&live.current, &policy);
	atomic_store(&live.generation, 1);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("keytab"));
	rbl_qkey k = { .name = "acme", .quota = 10 };
	rbl_qkey k2 = { .name = "turns", .quota = 100 };
	rbl_qkey k3 = { .name = "later" };
	rbl_engine_conf ec = { .version = "t", .edns_buffer_max = 1232,
			       .access = &live };
	rbl_engine a = { 0 }, b = { 0 };
	rbl_kstats *ks = NULL;
	rbl_zone z = { 0 };
	rbl_txn *t = begin(s, true);
	char name[128];
	int got[12], n_ok = 0;

	CHECK_RC(rbl_zone_create_simple(t, "bl.test", RBL_LIST_IP, &z), RBL_OK);
	CHECK_RC(add_ip(t, z.lists[0].list_id, "10.0.0.5", 0, false, 0),
		 RBL_OK);
	CHECK_RC(rbl_qkey_add(t, &k, NOW), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	load_policy();
	CHECK_RC(rbl_kstats_create(NULL, 2, &ks), RBL_OK);
	ec.kstats = ks;
	CHECK_RC(rbl_engine_init_at(&a, s, &ec, NULL, 0), RBL_OK);
	CHECK_RC(rbl_engine_init_at(&b, s, &ec, NULL, 1), RBL_OK);

	snprintf(name, sizeof name, "5.0.0.10.%s.bl.test", k.secret);
	for (int i = 0; i < 12; i++)
		got[i] = ask(i % 2 ? &b : &a, name);
	for (int i = 0; i < 10; i++)
		CHECK(got[i] == 2);	/* listed, 127.0.0.2 */
	CHECK(got[10] == 254 && got[11] == 254);	/* over quota */
	CHECK(ask(&a, "5.0.0.10.bl.test") == 2);	/* keyless: as before */
	CHECK(ask(&b, "5.0.0.10.aaaaaaaaaaaaaaaaaaaaaaaaaa.bl.test") == 251);
	/* a label of a key's length but not a key's form: not a key */
	CHECK(ask(&a, "5.0.0.10.aaaaaaaaaaaaaaaaaaaaaaaaa1.bl.test") == -1);

	/* uneven turns: A answers 70 of a quota of 100, then B, which must
	 * see A's 70 at once: its 31st is over; so is A's next, and after
	 * a rebuild of the key table (another key moves the generation) */
	t = begin(s, true);
	CHECK_RC(rbl_qkey_add(t, &k2, NOW), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	snprintf(name, sizeof name, "5.0.0.10.%s.bl.test", k2.secret);
	for (int i = 0; i < 70; i++)
		n_ok += ask(&a, name) == 2;
	for (int i = 0; i < 30; i++)
		n_ok += ask(&b, name) == 2;
	CHECK(n_ok == 100);
	CHECK(ask(&b, name) == 254);
	CHECK(ask(&a, name) == 254);
	t = begin(s, true);
	CHECK_RC(rbl_qkey_add(t, &k3, NOW), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(ask(&a, name) == 254);
	CHECK(ask(&b, name) == 254);

	rbl_engine_fini(&a);
	rbl_engine_fini(&b);
	rbl_kstats_close(ks, 0);
	rbl_access_free(&policy);
	rbl_store_close(s);
	return check_done();
}
