/*
 * test_store_random.c -- compare rbl_ip_lookup with a brute-force model.
 *
 * Random nested prefixes, exclusions and expiries, concentrated in small
 * address spaces so they overlap a lot, are added and deleted through the
 * normal (incremental segment) path and the bulk (rebuild at commit) path;
 * after every step, lookups at entry boundaries and random addresses must
 * agree with the model: the RBL_CHAIN_MAX (8) most specific entries
 * covering the address, and of those the first unexpired one decides.
 * Also checks rbl_ip_any_within and rbl_ip_foreach_listed against it.
 * RBL_TEST_SEED=n picks another seed.
 */
#include <inttypes.h>

#include "tests/unit/store_test.h"

#define NOW	1700000000
#define CHAIN	8

struct ment {
	rbl_prefix p;
	rbl_addr lo, hi;
	int code;		/* 1..250, or -1 for an exclusion */
	int64_t expires;
	bool live;		/* present in the model */
};

static struct ment *model;
static size_t n_model, cap_model;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static rbl_prefix random_prefix(void)
{
	rbl_prefix p;

	memset(&p, 0, sizeof p);
	if (rnd_below(4) == 0) {
		/* IPv6 inside 2001:db8::/112, lengths 96..128 */
		p.addr.family = RBL_AF6;
		p.addr.bytes[0] = 0x20;
		p.addr.bytes[1] = 0x01;
		p.addr.bytes[2] = 0x0d;
		p.addr.bytes[3] = 0xb8;
		p.addr.bytes[14] = (uint8_t)rnd_below(4);
		p.addr.bytes[15] = (uint8_t)rnd();
		p.len = (uint8_t)(96 + rnd_below(33));
	} else {
		/* IPv4 inside 10.0.0.0/20, lengths 8..32 leaning long */
		p.addr.family = RBL_AF4;
		p.addr.bytes[0] = 10;
		p.addr.bytes[2] = (uint8_t)rnd_below(16);
		p.addr.bytes[3] = (uint8_t)rnd();
		p.len = (uint8_t)(rnd_below(3) ? 20 + rnd_below(13)
					       : 8 + rnd_below(25));
	}
	rbl_prefix_canon(&p);
	return p;
}

static struct ment *model_find(const rbl_prefix *p)
{
	for (size_t i = 0; i < n_model; i++)
		if (model[i].live && model[i].p.len == p->len &&
		    !rbl_addr_cmp(&model[i].p.addr, &p->addr))
			return &model[i];
	return NULL;
}

static void model_set(const rbl_prefix *p, int code, int64_t expires)
{
	struct ment *m = model_find(p);

	if (!m) {
		if (n_model == cap_model) {
			cap_model = cap_model ? 2 * cap_model : 1024;
			model = realloc(model, cap_model * sizeof *model);
			if (!model)
				exit(2);
		}
		m = &model[n_model++];
	}
	m->p = *p;
	rbl_prefix_first(p, &m->lo);
	rbl_prefix_last(p, &m->hi);
	m->code = code;
	m->expires = expires;
	m->live = true;
}

/* The model's answer: code 1..250, 0 not listed. */
static int model_lookup(const rbl_addr *a, int64_t now)
{
	const struct ment *chain[CHAIN];
	int n = 0;

	/* the CHAIN most specific covering entries, longest first */
	for (int len = rbl_addr_bits(a->family); len >= 0 && n < CHAIN;
	     len--) {
		for (size_t i = 0; i < n_model; i++) {
			const struct ment *m = &model[i];

			if (m->live && m->p.len == len &&
			    rbl_prefix_contains(&m->p, a)) {
				chain[n++] = m;
				break;
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (chain[i]->expires && chain[i]->expires <= now)
			continue;
		return chain[i]->code < 0 ? 0 : chain[i]->code;
	}
	return 0;
}

static int store_lookup(rbl_txn *t, uint32_t list, const rbl_addr *a,
			int64_t now)
{
	rbl_match m;
	int rc = rbl_ip_lookup(t, list, a, now, &m);

	if (rc == RBL_ENOTFOUND)
		return 0;
	if (rc != RBL_OK || m.n_codes != 1)
		return -100;
	return (int)(m.codes[0] & 255);
}

static int mismatches;

static void compare_at(rbl_txn *t, uint32_t list, const rbl_addr *a,
		       int64_t now, const char *what)
{
	int want = model_lookup(a, now), got = store_lookup(t, list, a, now);
	char buf[RBL_ADDR_STRLEN];

	if (want == got) {
		check_pass_++;
		return;
	}
	check_fail_++;
	if (++mismatches <= 10)
		fprintf(stderr, "%s: %s at %+" PRId64 ": store %d, model %d\n",
			what, rbl_addr_format(a, buf), now - NOW, got, want);
}

static void compare_all(rbl_txn *t, uint32_t list, const char *what)
{
	static const int64_t nows[] = { NOW, NOW + 50, NOW + 100 };

	for (size_t i = 0; i < n_model; i++) {
		rbl_addr pts[4];
		int np = 0;

		if (!model[i].live)
			continue;
		pts[np++] = model[i].lo;
		pts[np++] = model[i].hi;
		pts[np] = model[i].lo;
		if (rbl_addr_dec(&pts[np]))
			np++;
		pts[np] = model[i].hi;
		if (rbl_addr_inc(&pts[np]))
			np++;
		for (int j = 0; j < np; j++)
			compare_at(t, list, &pts[j], nows[rnd_below(3)], what);
	}
	for (int i = 0; i < 2000; i++) {
		rbl_prefix p = random_prefix();

		p.len = (uint8_t)rbl_addr_bits(p.addr.family);
		compare_at(t, list, &p.addr, nows[rnd_below(3)], what);
	}
}

/* any_within against the model on small prefixes (exact answer). */
static void compare_any_within(rbl_txn *t, uint32_t list)
{
	for (int i = 0; i < 300; i++) {
		rbl_prefix p = random_prefix();
		rbl_addr a, hi;
		int want = 0, got;

		p.len = (uint8_t)(rbl_addr_bits(p.addr.family) - rnd_below(5));
		rbl_prefix_canon(&p);
		rbl_prefix_first(&p, &a);
		rbl_prefix_last(&p, &hi);
		do {
			if (model_lookup(&a, NOW))
				want = 1;
		} while (!want && rbl_addr_cmp(&a, &hi) < 0 &&
			 rbl_addr_inc(&a));
		got = rbl_ip_any_within(t, list, &p, NOW);
		CHECK(got == want);
	}
}

struct listed_state {
	rbl_txn *t;
	uint32_t list;
	rbl_addr prev_hi;
	int prev_code;
	bool have_prev;
	unsigned runs;
};

static int check_run(void *arg, const rbl_addr *lo, const rbl_addr *hi,
		     const rbl_match *m)
{
	struct listed_state *ls = arg;
	int code = (int)(m->codes[0] & 255);
	rbl_addr next;

	ls->runs++;
	CHECK(rbl_addr_cmp(lo, hi) <= 0);
	CHECK(model_lookup(lo, NOW) == code);
	CHECK(model_lookup(hi, NOW) == code);
	if (ls->have_prev) {
		next = ls->prev_hi;
		CHECK(rbl_addr_cmp(&next, lo) < 0);
		/* adjacent runs must differ, or they would be one */
		if (rbl_addr_inc(&next) && !rbl_addr_cmp(&next, lo))
			CHECK(ls->prev_code != code);
	}
	next = *lo;
	if (rbl_addr_dec(&next) &&
	    !(ls->have_prev && !rbl_addr_cmp(&next, &ls->prev_hi)))
		CHECK(model_lookup(&next, NOW) != code);
	ls->prev_hi = *hi;
	ls->prev_code = code;
	ls->have_prev = true;
	return 0;
}

static void compare_listed(rbl_txn *t, uint32_t list)
{
	struct listed_state ls = { t, list, { 0, { 0 } }, 0, false, 0 };

	CHECK_RC(rbl_ip_foreach_listed(t, list, NOW, check_run, &ls), RBL_OK);
	CHECK(ls.runs > 0);
}

static void random_entry(rbl_prefix *p, int *code, int64_t *expires)
{
	*p = random_prefix();
	*code = rnd_below(5) == 0 ? -1 : (int)(1 + rnd_below(250));
	*expires = rnd_below(5) == 0 ? NOW + 1 + (int64_t)rnd_below(99) : 0;
}

static int store_add(rbl_txn *t, uint32_t list, const rbl_prefix *p,
		     int code, int64_t expires)
{
	rbl_entry e;

	rbl_entry_init(&e);
	if (code < 0) {
		e.flags = RBL_ENTRY_EXCLUDE;
	} else {
		e.n_codes = 1;
		e.codes[0] = 0x7f000000u | (uint32_t)code;
	}
	e.expires = expires;
	return rbl_ip_add(t, list, p, &e);
}

/* Apply N random adds (and some deletes) to the store and the model. */
static void random_ops(rbl_txn *t, uint32_t list, int n, int del_pct)
{
	for (int i = 0; i < n; i++) {
		rbl_prefix p;
		int code, rc;
		int64_t exp;

		if (n_model && (int)rnd_below(100) < del_pct) {
			struct ment *m = &model[rnd_below((unsigned)n_model)];

			if (!m->live)
				continue;
			rc = rbl_ip_del(t, list, &m->p);
			CHECK_RC(rc, RBL_OK);
			m->live = false;
			continue;
		}
		random_entry(&p, &code, &exp);
		rc = store_add(t, list, &p, code, exp);
		CHECK_RC(rc, RBL_OK);
		model_set(&p, code, exp);
	}
}

static void run_path(rbl_store *s, const char *name, bool bulk)
{
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, name, RBL_LIST_IP);

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	n_model = 0;
	for (int round = 0; round < 6; round++) {
		t = begin(s, true);
		if (bulk && round % 2 == 0)
			rbl_txn_set_bulk(t);
		random_ops(t, list, round == 0 ? 1500 : 400, 25);
		if (!(bulk && round % 2 == 0))
			compare_all(t, list, "in txn");
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
		t = begin(s, false);
		compare_all(t, list, bulk ? "bulk" : "normal");
		compare_any_within(t, list);
		compare_listed(t, list);
		rbl_txn_abort(t);
	}
}

int main(void)
{
	const char *seed = getenv("RBL_TEST_SEED");
	rbl_store *s = open_rw(tmp_store_dir("random"));

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;
	printf("seed %" PRIu64 "\n", rng_state);
	run_path(s, "normal", false);
	run_path(s, "bulk", true);
	rbl_store_close(s);
	free(model);
	return check_done();
}
