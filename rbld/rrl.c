/*
 * rrl.c -- response rate limiting (see rrl.h).
 *
 * The table is open addressing over a power-of-two array: an entry lives
 * in one of PROBES slots after its hash.  Keys are exact (the prefix bits
 * and a tag for family and class), so two prefixes never share credit;
 * the hash is seeded at random so an attacker cannot aim many prefixes at
 * the same slots to evict a victim's entry on purpose.
 */
#include <string.h>
#include <stdlib.h>
#include <sys/random.h>

#include "zone/error.h"
#include "zone/log.h"
#include "dns.h"
#include "rrl.h"

#define PROBES		4
#define LOG_PER_SECOND	10

typedef struct rrl_entry {
	uint64_t key;		/* prefix bits */
	uint8_t tag;		/* 0: free; else 1 + family * 4 + class */
	uint8_t logged;		/* said so in the log while limited */
	uint16_t slip_count;	/* limited responses since the last slip */
	int32_t balance;	/* credit in responses */
	uint32_t last;		/* second of the last update */
} rrl_entry;

struct rbl_rrl {
	const rbl_rrl_conf *conf;
	rrl_entry *table;
	size_t mask;
	uint64_t seed;
	int64_t log_second;
	unsigned log_count;
};

static const char *const class_names[] = { "answers", "nxdomain",
					   "errors" };

bool rbl_rrl_enabled(const rbl_rrl_conf *c)
{
	for (int i = 0; i < RBL_RRL_NCLASSES; i++)
		if (c->rate[i])
			return true;
	return false;
}

int rbl_rrl_new(const rbl_rrl_conf *conf, rbl_rrl **out)
{
	rbl_rrl *r = calloc(1, sizeof(*r));
	size_t n = 64;

	if (!r)
		return RBL_ENOMEM;
	while (n < conf->table_size && n < ((size_t)1 << 30))
		n <<= 1;
	r->conf = conf;
	r->mask = n - 1;
	r->table = calloc(n, sizeof(*r->table));
	if (!r->table) {
		free(r);
		return RBL_ENOMEM;
	}
	if (getrandom(&r->seed, sizeof(r->seed), 0) != sizeof(r->seed))
		r->seed = (uint64_t)(uintptr_t)r ^ 0x9e3779b97f4a7c15ull;
	*out = r;
	return RBL_OK;
}

void rbl_rrl_free(rbl_rrl *r)
{
	if (!r)
		return;
	free(r->table);
	free(r);
}

int rbl_rrl_class_of(int rcode)
{
	if (rcode == DNS_RCODE_NOERROR)
		return RBL_RRL_ANSWER;
	return rcode == DNS_RCODE_NXDOMAIN ? RBL_RRL_NXDOMAIN : RBL_RRL_ERROR;
}

/* The top LEN bits of the first 64 bits of A. */
static uint64_t prefix_bits(const rbl_addr *a, unsigned len)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | a->bytes[i];
	return len >= 64 ? v : v & ~(~0ull >> len);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The entry for KEY/TAG: found, free, or the stalest candidate reused. */
static rrl_entry *find(rbl_rrl *r, uint64_t key, uint8_t tag, uint32_t now,
		       bool *fresh)
{
	size_t h = (size_t)mix(key ^ r->seed ^ ((uint64_t)tag << 56));
	rrl_entry *victim = NULL;

	for (unsigned i = 0; i < PROBES; i++) {
		rrl_entry *e = &r->table[(h + i) & r->mask];

		if (e->tag == tag && e->key == key) {
			*fresh = false;
			return e;
		}
		if (!victim || e->tag == 0 ||
		    (victim->tag != 0 && e->last < victim->last))
			victim = e;
	}
	*fresh = true;
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	victim->tag = tag;
	victim->last = now;
	return victim;
}

/* Credit for the seconds since the last response, then spend one. */
static void spend(rrl_entry *e, uint32_t rate, uint32_t window, uint32_t now,
		  bool fresh)
{
	int64_t b = fresh ? (int64_t)rate : (int64_t)e->balance;
	int64_t floor = -(int64_t)window * rate;

	if (!fresh && now > e->last)
		b += (int64_t)(now - e->last) * rate;
	if (b > rate)
		b = rate;
	b--;
	e->balance = (int32_t)(b < floor ? floor : b);
	e->last = now;
}

static void log_start(rbl_rrl *r, const rbl_addr *client, int cls,
		      int64_t now)
{
	char text[RBL_ADDR_STRLEN];
	rbl_prefix p = { *client, client->family == RBL_AF6
			 ? r->conf->prefix6 : r->conf->prefix4 };

	if (now != r->log_second) {
		r->log_second = now;
		r->log_count = 0;
	}
	if (r->log_count++ >= LOG_PER_SECOND)
		return;
	rbl_prefix_canon(&p);
	rbl_log_notice("rrl: %s %s to %s", r->conf->dry_run
		       ? "would limit" : "limiting", class_names[cls],
		       rbl_prefix_format(&p, text));
}

static bool exempt(const rbl_rrl_conf *c, const rbl_addr *client)
{
	return c->exempt && rbl_acl_match(c->exempt, client) != NULL;
}

int rbl_rrl_check(rbl_rrl *r, const rbl_addr *client, int cls, int64_t now,
		  bool *limited)
{
	const rbl_rrl_conf *c = r->conf;
	bool v6 = client->family == RBL_AF6;
	uint64_t key = prefix_bits(client, v6 ? c->prefix6 : c->prefix4);
	uint8_t tag = (uint8_t)(1 + (v6 ? 4 : 0) + cls);
	rrl_entry *e;
	bool fresh = false;

	*limited = false;
	if (cls < 0 || cls >= RBL_RRL_NCLASSES || c->rate[cls] == 0 ||
	    exempt(c, client))
		return RBL_RRL_SEND;
	e = find(r, key, tag, (uint32_t)now, &fresh);
	spend(e, c->rate[cls], c->window, (uint32_t)now, fresh);
	if (e->balance >= 0) {
		e->logged = 0;
		return RBL_RRL_SEND;
	}
	*limited = true;
	if (c->log && !e->logged) {
		e->logged = 1;
		log_start(r, client, cls, now);
	}
	if (c->dry_run)
		return RBL_RRL_SEND;
	if (c->slip && ++e->slip_count >= c->slip) {
		e->slip_count = 0;
		return RBL_RRL_SLIP;
	}
	return RBL_RRL_DROP;
}

size_t rbl_rrl_slip(uint8_t *msg, size_t len, size_t qend, bool has_opt)
{
	enum { OPT_LEN = 11 };
	bool opt = has_opt && len >= qend + OPT_LEN;

	if (len < qend || qend < DNS_HDR_LEN)
		return len;
	if (opt)
		memmove(msg + qend, msg + len - OPT_LEN, OPT_LEN);
	msg[2] |= DNS_FLAG_TC;
	dns_put16(msg + 6, 0);
	dns_put16(msg + 8, 0);
	dns_put16(msg + 10, opt ? 1 : 0);
	return qend + (opt ? OPT_LEN : 0);
}
