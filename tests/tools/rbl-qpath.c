/*
 * rbl-qpath.c -- answer a fixed mix of queries through rbld's engine, no
 * sockets, so the query path can be measured by instruction counts on a
 * shared machine (wall-clock benchmarks there measure the neighbours):
 *
 *   valgrind --tool=callgrind --toggle-collect=rbl_engine_answer_from \
 *       build/tests/tools/rbl-qpath [-p] [-t] [-c] [-k|-K] [-n ROUNDS]
 *   callgrind_annotate callgrind.out.PID | head   (Ir / queries = per query)
 *
 * A temporary store holds bl.test (an IP list: 4096 /32s, 256 /24s and an
 * exclusion) and dbl.test (a few names).  One round is 16 queries from 16
 * client addresses: listed and unlisted A and TXT, with and without EDNS,
 * mixed case, a name list, the apex SOA, a name outside every zone.  -p
 * turns on the client policy steps (RRL and a daily quota at rates that
 * never limit, so every query walks both tables); -t signs every query
 * with TSIG (the engine checks and signs).  -K makes bl.test and dbl.test
 * zones that accept access keys (rbld/keytab.h) and stores one key with
 * a quota that never runs out; -k also puts that key into every name of
 * those zones below the apex (ADDR.KEY.bl.test).  -c gives every query
 * with EDNS a COOKIE option, half of them a client cookie alone, half
 * with a valid server cookie (cookies on, with a fixed secret).  -w
 * prefetches the queries of a round ahead of their answers, as udp.c
 * does in a batch (add --toggle-collect=rbl_engine_ahead to count what
 * that costs).  Prints
 * the queries answered, their total answer bytes and a hash of the answers, which must not
 * change between builds.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/people/qkey.h"
#include "zone/store/store.h"
#include "rbld/engine.h"
#include "rbld/xfr_conf.h"

#define NOW		1700000000
#define SECRET		"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM0NTY3OA=="

static const char *const names[] = {
	"1.0.0.10.bl.test", "77.1.0.10.bl.test", "5.7.0.10.bl.test",
	"9.9.9.9.bl.test", "2.0.0.127.BL.Test", "3.200.0.10.bl.test",
	"bl.test", "bad.example.com.dbl.test", "good.example.dbl.test",
	"4.3.2.1.nowhere.test", "100.5.0.10.bl.test", "1.2.3.4.bl.test",
	"8.0.0.10.bl.test", "250.0.0.10.bl.test", "x.sub.wild.example.dbl.test",
	"17.0.0.10.bl.test",
};
#define N_NAMES (sizeof names / sizeof names[0])

static char key_secret[RBL_QKEY_SECRET_LEN + 1];
static bool keyed_names;

static int die(const char *what, int rc)
{
	fprintf(stderr, "rbl-qpath: %s: %s\n", what, rbl_strerror(rc));
	exit(1);
}

static void add_ip(rbl_txn *t, uint32_t list, const char *cidr, bool excl)
{
	rbl_prefix p = { 0 };
	rbl_entry e = { 0 };
	int rc;

	rbl_entry_init(&e);
	if (excl)
		e.flags |= RBL_ENTRY_EXCLUDE;
	if ((rc = rbl_prefix_parse(cidr, true, &p)) != RBL_OK ||
	    (rc = rbl_ip_add(t, list, &p, &e)) != RBL_OK)
		die(cidr, rc);
}

static void make_store(const char *dir, rbl_store **s)
{
	rbl_txn *t = NULL;
	rbl_zone z = { 0 };
	rbl_entry e = { 0 };
	char cidr[32];
	int rc;

	if ((rc = rbl_store_open(dir, RBL_STORE_CREATE, 1 << 26, s)) != RBL_OK)
		die("open", rc);
	if ((rc = rbl_txn_begin(*s, true, &t)) != RBL_OK)
		die("begin", rc);
	if ((rc = rbl_zone_create_simple(t, "bl.test", RBL_LIST_IP, &z)))
		die("zone", rc);
	for (unsigned i = 0; i < 4096; i++) {
		snprintf(cidr, sizeof cidr, "10.0.%u.%u", i / 256, i % 256);
		add_ip(t, z.lists[0].list_id, cidr, false);
	}
	for (unsigned i = 0; i < 256; i++) {
		snprintf(cidr, sizeof cidr, "10.%u.0.0/24", i);
		add_ip(t, z.lists[0].list_id, cidr, false);
	}
	add_ip(t, z.lists[0].list_id, "127.0.0.2", false);
	add_ip(t, z.lists[0].list_id, "10.0.0.8", true);
	if ((rc = rbl_zone_create_simple(t, "dbl.test", RBL_LIST_NAME, &z)))
		die("zone", rc);
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_NAME_EXACT;
	if ((rc = rbl_name_add(t, z.lists[0].list_id, "bad.example.com", &e)))
		die("name", rc);
	e.flags = RBL_ENTRY_NAME_SUBS;
	if ((rc = rbl_name_add(t, z.lists[0].list_id, "wild.example", &e)))
		die("name", rc);
	if ((rc = rbl_txn_commit(t)) != RBL_OK)
		die("commit", rc);
}

static void add_key(rbl_store *s)
{
	rbl_qkey k = { .name = "qpath", .quota = 4000000000u };
	rbl_txn *t = NULL;
	int rc;

	if ((rc = rbl_txn_begin(s, true, &t)) != RBL_OK ||
	    (rc = rbl_qkey_add(t, &k, NOW)) != RBL_OK ||
	    (rc = rbl_txn_commit(t)) != RBL_OK)
		die("key", rc);
	memcpy(key_secret, k.secret, sizeof key_secret);
}

/* NAME with the key label put before its zone (bl.test or dbl.test,
 * below the apex) into BUF. */
static const char *keyed_name(const char *name, char *buf, size_t size)
{
	static const char *const zones[] = { ".dbl.test", ".bl.test" };
	size_t n = strlen(name);

	for (unsigned i = 0; keyed_names && i < 2; i++) {
		size_t z = strlen(zones[i]);

		if (n > z && strcasecmp(name + n - z, zones[i]) == 0 &&
		    !(i == 1 && n >= 9 &&
		      strcasecmp(name + n - 9, ".dbl.test") == 0)) {
			snprintf(buf, size, "%.*s.%s%s", (int)(n - z), name,
				 key_secret, name + n - z);
			return buf;
		}
	}
	return name;
}

#define COOKIE_SECRET	"000102030405060708090a0b0c0d0e0f"

/* The COOKIE option of query I from FROM: 8 bytes, or 24 with a server
 * cookie made at NOW. */
static size_t put_cookie(uint8_t *p, unsigned i,
			 const struct sockaddr_in *from)
{
	uint8_t secret[RBL_COOKIE_SECRET_LEN];
	rbl_addr a = { 0 };
	bool server = (i & 2) != 0;

	for (unsigned k = 0; k < sizeof secret; k++)
		secret[k] = (uint8_t)k;
	rbl_access_client((const struct sockaddr *)from, &a);
	dns_put16(p, DNS_OPT_COOKIE);
	dns_put16(p + 2, server ? 24 : 8);
	memset(p + 4, (int)(0x40 + i), 8);
	if (server)
		rbl_cookie_make(secret, p + 4, (const uint8_t *)"\0\0\0", NOW,
				&a, p + 12);
	return server ? 28 : 12;
}

/* Query I of the mix into P; returns its length. */
static size_t make_query(uint8_t *p, unsigned i, const rbl_tsig_key *key,
			 const struct sockaddr_in *cookie_from)
{
	char buf[300];
	const char *name = keyed_name(names[i % N_NAMES], buf, sizeof buf);
	size_t n = DNS_HDR_LEN;
	rbl_tsig_state st = { 0 };

	memset(p, 0, DNS_HDR_LEN);
	dns_put16(p, (uint16_t)(0x1000 + i));
	p[2] = DNS_FLAG_RD;
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
	dns_put16(p + n, i == 6 ? DNS_T_SOA : (i & 2) ? DNS_T_TXT : DNS_T_A);
	dns_put16(p + n + 2, DNS_C_IN);
	n += 4;
	if (i & 1) {			/* OPT, 1232 bytes, DO clear */
		static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0 };

		memcpy(p + n, opt, sizeof opt);
		n += sizeof opt;
		dns_put16(p + 10, 1);
		if (cookie_from) {
			size_t c = put_cookie(p + n, i, cookie_from);

			dns_put16(p + n - 2, (uint16_t)c);	/* RDLEN */
			n += c;
		}
	}
	if (key && rbl_tsig_sign_request(&st, key, p, &n, 1024, NOW) !=
		   RBL_OK)
		die("sign", RBL_EINVAL);
	return n;
}

static rbl_access policy;
static rbl_access_live access_live;
static rbl_xfr_conf xconf;
static rbl_xfr_live xfr_live;

/* The client policy steps (LIMITS), zones with KEYS; cookies with a
 * fixed secret. */
static void load_policy(bool limits, bool keys)
{
	char text[512];
	char err[256] = "";
	rbl_conf *c = NULL;
	int rc;

	snprintf(text, sizeof text, "cookies:\n\tsecret: " COOKIE_SECRET
		 "\n%s%s", limits ?
		 "rrl:\n\tresponses-per-second: 1000000\n"
		 "quota:\n\tqueries-per-day: 1000000000\n" : "",
		 keys ? "zone: bl.test\n\tkeys: accept\n"
		 "zone: dbl.test\n\tkeys: accept\n" : "");
	rc = rbl_conf_parse(text, strlen(text), "qpath.conf", &c, err,
			    sizeof err);

	rbl_access_init(&policy);
	if (rc == RBL_OK)
		rc = rbl_conf_check(c, err, sizeof err);
	if (rc == RBL_OK)
		rc = rbl_access_load(c, &policy, err, sizeof err);
	rbl_conf_free(c);
	if (rc != RBL_OK) {
		fprintf(stderr, "rbl-qpath: %s\n", err);
		exit(1);
	}
	atomic_store(&access_live.current, &policy);
	atomic_store(&access_live.generation, 1);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/rbl-qpath.XXXXXX", cmd[64];
	rbl_engine_conf ec = { .version = "qpath", .edns_buffer_max = 1232 };
	static uint8_t q[N_NAMES][1024], out[65536];
	size_t qlen[N_NAMES] = { 0 }, outlen = 0;
	const uint8_t *qp[N_NAMES] = { 0 };
	rbl_prefetch pf[N_NAMES] = { 0 };
	rbl_batch batch = { .pkt = qp, .len = qlen, .pf = pf, .n = N_NAMES };
	unsigned long rounds = 20000, answered = 0, bytes = 0;
	uint64_t hash = 0xcbf29ce484222325ull;	/* FNV-1a */
	bool use_policy = false, use_tsig = false, use_keys = false;
	bool use_cookies = false, warm = false;
	struct sockaddr_in from[N_NAMES] = { 0 };
	rbl_store *s = NULL;
	rbl_engine e = { 0 };
	int opt, rc;

	while ((opt = getopt(argc, argv, "n:ptckKw")) != -1) {
		if (opt == 'n')
			rounds = strtoul(optarg, NULL, 10);
		else if (opt == 'p')
			use_policy = true;
		else if (opt == 't')
			use_tsig = true;
		else if (opt == 'c')
			use_cookies = true;
		else if (opt == 'w')
			warm = true;
		else if (opt == 'k' || opt == 'K') {
			use_keys = true;
			keyed_names |= opt == 'k';
		} else {
			fprintf(stderr, "usage: rbl-qpath [-p] [-t] [-c] "
				"[-k|-K] [-w] [-n N]\n");
			return 2;
		}
	}
	if (!mkdtemp(dir))
		die("mkdtemp", RBL_EIO);
	make_store(dir, &s);
	if (use_keys)
		add_key(s);
	if (use_policy || use_keys || use_cookies) {
		load_policy(use_policy, use_keys);
		ec.access = &access_live;
	}
	if (use_tsig) {
		if ((rc = rbl_tsig_key_init(&xconf.keys[0], "qpath.key",
					    NULL, SECRET)) != RBL_OK)
			die("key", rc);
		xconf.n_keys = 1;
		atomic_store(&xfr_live.current, &xconf);
		ec.xfr = &xfr_live;
	}
	for (unsigned i = 0; i < N_NAMES; i++) {
		memset(&from[i], 0, sizeof from[i]);
		from[i].sin_family = AF_INET;
		from[i].sin_addr.s_addr = htonl(0xc0000200u + i * 37);
		qlen[i] = make_query(q[i], i, use_tsig ? &xconf.keys[0] : NULL,
				     use_cookies ? &from[i] : NULL);
	}
	for (unsigned i = 0; i < N_NAMES; i++)
		qp[i] = q[i];
	if ((rc = rbl_engine_init(&e, s, &ec, NULL)) != RBL_OK)
		die("engine", rc);
	for (unsigned long r = 0; r < rounds; r++) {
		bool ahead = warm;

		/* a batch of one round, as udp.c does per recvmmsg */
		rbl_engine_begin(&e, NOW + (int64_t)(r / 1000));
		for (unsigned i = 0; i < N_NAMES; i++) {
			if (ahead)
				ahead = rbl_engine_ahead(&e, &batch, i);
			if (rbl_engine_answer_from(&e,
				    (const struct sockaddr *)&from[i], q[i],
				    qlen[i], RBL_TRANSPORT_UDP, out,
				    sizeof out, &outlen) != RBL_OK)
				continue;
			answered++;
			bytes += outlen;
			for (size_t k = 0; k < outlen; k++)
				hash = (hash ^ out[k]) * 0x100000001b3ull;
		}
		rbl_engine_end(&e);
	}
	printf("queries %lu answered %lu answer-bytes %lu hash %016llx\n",
	       rounds * N_NAMES, answered, bytes, (unsigned long long)hash);
	rbl_engine_fini(&e);
	rbl_store_close(s);
	rbl_access_free(&policy);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
