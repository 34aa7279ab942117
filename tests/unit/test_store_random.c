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
 *
 * The rounds take each list below, across and back below the IPv4
 * summary's thresholds (store_v4sum.c) through adds, deletes, a purge of
 * expired entries, a shrink and a clear, and after every commit the stored
 * summary must exist exactly when the thresholds say so and hold exactly
 * the /24s the model's IPv4 entries overlap: above all, never a clear bit
 * where something is listed.  Half the IPv4 entries are scattered over
 * 172.16.0.0/12 so that lookups meet both set and clear bits.  Readers
 * keep one transaction, reset and renewed between rounds, as rbld does.
 * RBL_TEST_SEED=n picks another seed.
 */
#include <inttypes.h>

#include "tests/unit/store_rand.h"
#include "tests/unit/store_test.h"
/* the store's own side: the stored IPv4 summaries */
#include "zone/store/store_impl.h"

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
	} else if (rnd_below(2)) {
		/* IPv4 inside 10.0.0.0/20, lengths 8..32 leaning long */
		p.addr.family = RBL_AF4;
		p.addr.bytes[0] = 10;
		p.addr.bytes[2] = (uint8_t)rnd_below(16);
		p.addr.bytes[3] = (uint8_t)rnd();
		p.len = (uint8_t)(rnd_below(3) ? 20 + rnd_below(13)
					       : 8 + rnd_below(25));
	} else {
		/* IPv4 scattered over 172.16.0.0/12 (4096 /24s), mostly
		 * hosts, a few networks up to /16 */
		uint32_t r = (uint32_t)rnd(), pick = rnd_below(100);

		p.addr.family = RBL_AF4;
		p.addr.bytes[0] = 172;
		p.addr.bytes[1] = (uint8_t)(16 | (r >> 16 & 15));
		p.addr.bytes[2] = (uint8_t)(r >> 8);
		p.addr.bytes[3] = (uint8_t)r;
		p.len = (uint8_t)(pick < 75 ? 32 : pick < 97 ? 24 + rnd_below(8)
						   : 16 + rnd_below(8));
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
	const struct ment *by_len[129] = { NULL };
	int n = 0;

	/* prefixes of one length containing A are all the same prefix */
	for (size_t i = 0; i < n_model; i++)
		if (model[i].live && rbl_prefix_contains(&model[i].p, a))
			by_len[model[i].p.len] = &model[i];
	/* the CHAIN most specific covering entries decide, longest first */
	for (int len = rbl_addr_bits(a->family); len >= 0 && n < CHAIN;
	     len--) {
		const struct ment *m = by_len[len];

		if (!m)
			continue;
		n++;
		if (m->expires && m->expires <= now)
			continue;
		return m->code < 0 ? 0 : m->code;
	}
	return 0;
}

/* Drop deleted entries from the model, so lookups stay fast. */
static void model_compact(void)
{
	size_t j = 0;

	for (size_t i = 0; i < n_model; i++)
		if (model[i].live)
			model[j++] = model[i];
	n_model = j;
}

static size_t model_live(void)
{
	size_t n = 0;

	for (size_t i = 0; i < n_model; i++)
		n += model[i].live;
	return n;
}

static int mismatches;

static void compare_at(rbl_txn *t, uint32_t list, const rbl_addr *a,
		       int64_t now, const char *what)
{
	int want = model_lookup(a, now), got = store_code(t, list, a, now);
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

static bool overlaps(const struct ment *m, const rbl_addr *lo,
		     const rbl_addr *hi)
{
	return m->lo.family == lo->family && rbl_addr_cmp(&m->lo, hi) <= 0 &&
	       rbl_addr_cmp(&m->hi, lo) >= 0;
}

/* any_within on IPv4 prefixes /8../24, which the summary may answer: 0
 * where no entry overlaps, 1 where a listing inside answers. */
static void compare_any_within_wide(rbl_txn *t, uint32_t list)
{
	for (int i = 0; i < 300; i++) {
		rbl_prefix p = random_prefix();
		rbl_addr lo, hi;
		bool overlap = false, sure = false;
		int got;

		if (p.addr.family != RBL_AF4)
			continue;
		p.len = (uint8_t)(8 + rnd_below(17));
		rbl_prefix_canon(&p);
		rbl_prefix_first(&p, &lo);
		rbl_prefix_last(&p, &hi);
		for (size_t j = 0; j < n_model && !sure; j++) {
			const struct ment *m = &model[j];

			if (!m->live || !overlaps(m, &lo, &hi))
				continue;
			overlap = true;
			sure = rbl_addr_cmp(&m->lo, &lo) >= 0 &&
			       rbl_addr_cmp(&m->hi, &hi) <= 0 &&
			       model_lookup(&m->lo, NOW) > 0;
		}
		got = rbl_ip_any_within(t, list, &p, NOW);
		CHECK(got == 0 || got == 1);
		if (!overlap)
			CHECK(got == 0);
		if (sure)
			CHECK(got == 1);
	}
}

static uint8_t *want_bits;
static unsigned summaries_checked;

/* The stored summary against the model: present above RBL_V4SUM_MIN
 * entries, absent below RBL_V4SUM_DROP, and when present exactly the /24s
 * the live IPv4 entries overlap (whatever their kind or expiry). */
static void check_summary(rbl_txn *t, uint32_t list, const char *what)
{
	size_t missing = 0, extra = 0;
	const uint8_t *bits;
	rbl_list l;
	int rc;

	memset(want_bits, 0, RBL_V4SUM_BYTES);
	for (size_t i = 0; i < n_model; i++) {
		const struct ment *m = &model[i];

		if (!m->live || m->p.addr.family != RBL_AF4)
			continue;
		for (uint32_t b = rbl_get_be32(m->lo.bytes) >> 8;
		     b <= rbl_get_be32(m->hi.bytes) >> 8; b++)
			want_bits[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
	CHECK_RC(rbl_list_get_id(t, list, &l), RBL_OK);
	CHECK(l.n_entries == model_live());
	rc = rbl_v4sum_peek(t, list, &bits);
	if (l.n_entries >= RBL_V4SUM_MIN)
		CHECK_RC(rc, RBL_OK);
	if (l.n_entries < RBL_V4SUM_DROP)
		CHECK_RC(rc, RBL_ENOTFOUND);
	if (rc != RBL_OK)
		return;
	summaries_checked++;
	if (getenv("RBL_TEST_VERBOSE"))
		printf("%s: %" PRIu64 " entries, summary checked\n", what,
		       l.n_entries);
	for (size_t i = 0; i < RBL_V4SUM_BYTES; i++) {
		missing += (size_t)__builtin_popcount(want_bits[i] & ~bits[i]);
		extra += (size_t)__builtin_popcount(bits[i] & ~want_bits[i]);
	}
	if (missing || extra)
		fprintf(stderr, "%s: summary has %zu /24s clear that hold "
			"entries, %zu set that hold none\n", what, missing,
			extra);
	CHECK(missing == 0);
	CHECK(extra == 0);
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

/* Delete random live entries until fewer than LEFT remain. */
static void shrink_to(rbl_txn *t, uint32_t list, size_t left)
{
	size_t live = model_live();

	while (live >= left) {
		struct ment *m = &model[rnd_below((unsigned)n_model)];

		if (!m->live)
			continue;
		CHECK_RC(rbl_ip_del(t, list, &m->p), RBL_OK);
		m->live = false;
		live--;
	}
}

static void purge_model(int64_t now)
{
	for (size_t i = 0; i < n_model; i++)
		if (model[i].expires && model[i].expires <= now)
			model[i].live = false;
}

/* One round's change to LIST, in write txn T. */
static void round_ops(rbl_txn *t, uint32_t list, int round)
{
	uint64_t n;

	switch (round) {
	case 0:		/* small: no summary */
		random_ops(t, list, 300, 0);
		break;
	case 1:		/* grows past RBL_V4SUM_MIN: created */
		random_ops(t, list, 1800, 10);
		break;
	case 3:		/* expired entries go */
		CHECK_RC(rbl_purge_expired(t, NOW + 50, &n), RBL_OK);
		purge_model(NOW + 50);
		random_ops(t, list, 200, 25);
		break;
	case 5:		/* below RBL_V4SUM_DROP: dropped */
		shrink_to(t, list, RBL_V4SUM_DROP - 20);
		break;
	case 6:		/* and back */
		random_ops(t, list, 1700, 5);
		break;
	case 7:		/* a replacing import */
		CHECK_RC(rbl_list_clear(t, list), RBL_OK);
		for (size_t i = 0; i < n_model; i++)
			model[i].live = false;
		random_ops(t, list, 2200, 10);
		break;
	default:
		random_ops(t, list, 400, 25);
		break;
	}
}

#define ROUNDS 9

static void run_path(rbl_store *s, const char *name, bool bulk)
{
	rbl_txn *t = begin(s, true), *rd;
	uint32_t list = make_list(t, name, RBL_LIST_IP);

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	n_model = 0;
	rd = begin(s, false);
	for (int round = 0; round < ROUNDS; round++) {
		rbl_txn_reset(rd);
		t = begin(s, true);
		if (bulk && round % 2 == 0)
			rbl_txn_set_bulk(t);
		round_ops(t, list, round);
		if (!(bulk && round % 2 == 0))
			compare_all(t, list, "in txn");
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
		model_compact();
		CHECK_RC(rbl_txn_renew(rd), RBL_OK);
		check_summary(rd, list, bulk ? "bulk" : "normal");
		compare_all(rd, list, bulk ? "bulk" : "normal");
		compare_any_within(rd, list);
		compare_any_within_wide(rd, list);
		compare_listed(rd, list);
	}
	rbl_txn_abort(rd);
	/* deleting the list deletes its summary */
	t = begin(s, true);
	CHECK_RC(rbl_list_delete(t, list), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	{
		const uint8_t *bits;

		CHECK_RC(rbl_v4sum_peek(t, list, &bits), RBL_ENOTFOUND);
	}
	rbl_txn_abort(t);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("random"));

	rand_seed();
	if (!(want_bits = malloc(RBL_V4SUM_BYTES)))
		return 2;
	run_path(s, "normal", false);
	run_path(s, "bulk", true);
	/* each path has a summary in rounds 1-4 and 6-8 */
	CHECK(summaries_checked >= 10);
	printf("%u summaries checked\n", summaries_checked);
	rbl_store_close(s);
	free(want_bits);
	free(model);
	return check_done();
}
