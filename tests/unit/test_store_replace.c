/*
 * test_store_replace.c -- replacing an IP list by a sorted merge
 * (rbl_list_replace_begin, zone/store/store_replace.c) and editing chunks
 * across their boundaries:
 *   - after a replacement the list holds exactly the new entries (and the
 *     RFC 5782 test entries the store added), lookups agree with a
 *     brute-force model, and the journal holds exactly the differences;
 *   - an unchanged entry keeps its time added and source; an unchanged
 *     replacement changes nothing, not even the serial;
 *   - chunks whose records did not change are not rewritten (they stay
 *     at the same place in the map);
 *   - an add out of order or a read during the merge ends it, with the
 *     same result.
 * (Converting a format 4 store: tests/ctl/upgrade.test.)  It reads the
 * chunks themselves through store_impl.h, to see which were rewritten.
 * RBL_TEST_SEED=n picks another seed.
 */
#include <inttypes.h>

#include "tests/unit/store_rand.h"
#include "tests/unit/store_test.h"
#include "zone/store/store_impl.h"

#define NOW 1700000000

struct ment {
	rbl_prefix p;
	int code;		/* 1..250, -1 exclusion */
	int64_t expires;
};

static int ment_cmp(const void *x, const void *y)
{
	const struct ment *a = x, *b = y;
	int c;

	if (a->p.addr.family != b->p.addr.family)
		return a->p.addr.family < b->p.addr.family ? -1 : 1;
	if ((c = memcmp(a->p.addr.bytes, b->p.addr.bytes, 16)))
		return c;
	return a->p.len < b->p.len ? -1 : a->p.len > b->p.len;
}

/* Sort and drop duplicate prefixes (the last one stays). */
static size_t sort_unique(struct ment *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof *v, ment_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out && ment_cmp(&v[out - 1], &v[i]) == 0)
			out--;
		v[out++] = v[i];
	}
	return out;
}

static struct ment random_ment(void)
{
	struct ment m;

	memset(&m, 0, sizeof m);
	if (rnd_below(5) == 0) {
		m.p.addr.family = RBL_AF6;
		m.p.addr.bytes[0] = 0x20;
		m.p.addr.bytes[1] = 0x01;
		m.p.addr.bytes[2] = 0x0d;
		m.p.addr.bytes[3] = 0xb8;
		m.p.addr.bytes[7] = (uint8_t)rnd_below(4);
		m.p.addr.bytes[15] = (uint8_t)rnd();
		m.p.len = (uint8_t)(rnd_below(4) ? 64 + 64 * rnd_below(2)
						 : 48 + rnd_below(80));
	} else {
		uint32_t a = 0x0a000000u | (uint32_t)(rnd() & 0xffff);

		m.p.addr.family = RBL_AF4;
		rbl_put_be32(m.p.addr.bytes, a);
		m.p.len = (uint8_t)(rnd_below(4) ? 32 : 16 + rnd_below(17));
	}
	rbl_prefix_canon(&m.p);
	m.code = rnd_below(6) == 0 ? -1 : (int)(1 + rnd_below(250));
	m.expires = rnd_below(6) == 0 ? NOW + 1 + (int64_t)rnd_below(99) : 0;
	return m;
}

static int add_ment(rbl_txn *t, uint32_t list, const struct ment *m)
{
	rbl_entry e;

	rbl_entry_init(&e);
	if (m->code < 0) {
		e.flags = RBL_ENTRY_EXCLUDE;
	} else {
		e.n_codes = 1;
		e.codes[0] = 0x7f000000u | (uint32_t)m->code;
	}
	e.expires = m->expires;
	return rbl_ip_add(t, list, &m->p, &e);
}

/* The model's answer at A: the most specific of the 8 covering entries
 * that is live decides; 0 not listed. */
static int model_lookup(const struct ment *v, size_t n, const rbl_addr *a,
			int64_t now)
{
	const struct ment *by_len[129] = { NULL };
	int seen = 0;

	for (size_t i = 0; i < n; i++)
		if (rbl_prefix_contains(&v[i].p, a))
			by_len[v[i].p.len] = &v[i];
	for (int len = (int)rbl_addr_bits(a->family); len >= 0 && seen < 8;
	     len--) {
		const struct ment *m = by_len[len];

		if (!m)
			continue;
		seen++;
		if (m->expires && m->expires <= now)
			continue;
		return m->code < 0 ? 0 : m->code;
	}
	return 0;
}

struct collect {
	struct ment *v;
	size_t n, cap;
};

static int collect_entry(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	struct collect *c = arg;
	struct ment *m;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		if (!(c->v = realloc(c->v, c->cap * sizeof *c->v)))
			exit(2);
	}
	m = &c->v[c->n++];
	m->p = *p;
	m->code = e->flags & RBL_ENTRY_EXCLUDE ? -1 :
		  e->n_codes ? (int)(e->codes[0] & 255) : 0;
	m->expires = e->expires;
	return 0;
}

/* The list's entries equal V[0..N) exactly, and lookups agree. */
static void compare(rbl_store *s, uint32_t list, const struct ment *v,
		    size_t n, const char *what)
{
	rbl_txn *t = begin(s, false);
	struct collect c = { NULL, 0, 0 };
	size_t bad = 0;
	rbl_list l;

	CHECK_RC(rbl_ip_foreach(t, list, NULL, collect_entry, &c), RBL_OK);
	CHECK(c.n == n);
	for (size_t i = 0; i < n && i < c.n; i++)
		if (ment_cmp(&c.v[i], &v[i]) || c.v[i].code != v[i].code ||
		    c.v[i].expires != v[i].expires)
			bad++;
	CHECK(bad == 0);
	CHECK_RC(rbl_list_get_id(t, list, &l), RBL_OK);
	CHECK(l.n_entries == n);
	bad = 0;
	/* the model costs N a lookup: sample big lists */
	for (size_t k = 0; k < n && k < (n <= 1200 ? n : 400); k++) {
		size_t i = n <= 1200 ? k : rnd_below((unsigned)n);
		rbl_addr pts[3];

		rbl_prefix_first(&v[i].p, &pts[0]);
		rbl_prefix_last(&v[i].p, &pts[1]);
		pts[2] = pts[1];
		rbl_addr_inc(&pts[2]);
		for (int j = 0; j < 3; j++) {
			int64_t now = NOW + (int64_t)rnd_below(101);

			if (model_lookup(v, n, &pts[j], now) !=
			    store_code(t, list, &pts[j], now))
				bad++;
		}
	}
	if (bad)
		fprintf(stderr, "%s: %zu lookups differ\n", what, bad);
	CHECK(bad == 0);
	rbl_txn_abort(t);
	free(c.v);
}

struct jcount {
	size_t add, del;
};

static int count_change(void *arg, const rbl_change *c)
{
	struct jcount *j = arg;

	if (c->op == RBL_CHANGE_ADD)
		j->add++;
	else
		j->del++;
	return 0;
}

/* Replace LIST by V[0..N) (sorted) in one transaction. */
static void replace(rbl_store *s, uint32_t list, const struct ment *v,
		    size_t n)
{
	rbl_txn *t = begin(s, true);

	CHECK_RC(rbl_list_replace_begin(t, list, RBL_REPLACE_JOURNAL), RBL_OK);
	for (size_t i = 0; i < n; i++)
		CHECK_RC(add_ment(t, list, &v[i]), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

/* How many changes the journal has from serial FROM on. */
static struct jcount journal_since(rbl_store *s, uint32_t zone,
				   uint32_t from)
{
	struct jcount j = { 0, 0 };
	rbl_txn *t = begin(s, false);

	CHECK_RC(rbl_journal_foreach(t, zone, from, count_change, &j), RBL_OK);
	rbl_txn_abort(t);
	return j;
}

/* Random rounds: each replacement is the previous set with some entries
 * dropped, changed and added; the journal holds exactly those. */
static void test_random(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, "rand", RBL_LIST_IP);
	uint32_t zone = zone_over(t, "rand.test", list);
	size_t n = 0, cap = 6000;
	struct ment *v = malloc(cap * sizeof *v), *w = malloc(cap * 2 *
							      sizeof *w);

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	for (int round = 0; round < 8; round++) {
		size_t m = 0, dropped = 0, changed = 0, added = 0;
		uint32_t before = serial_of(s, zone);
		struct jcount j;

		for (size_t i = 0; i < n; i++) {
			unsigned r = rnd_below(100);

			if (r < (round == 0 ? 0u : 3u))
				continue;
			w[m] = v[i];
			if (r < 6 && round)
				w[m].code = w[m].code == 7 ? 8 : 7;
			m++;
		}
		for (size_t i = 0, want = round == 0 ? 4000 : 150; i < want;
		     i++)
			w[m++] = random_ment();
		m = sort_unique(w, m);
		/* what changed, by a merge of the two sorted sets */
		for (size_t i = 0, k = 0; i < m || k < n;) {
			int c = i == m ? 1 : k == n ? -1 :
				ment_cmp(&w[i], &v[k]);

			if (c < 0)
				added++;
			else if (c > 0)
				dropped++;
			else if (w[i].code != v[k].code ||
				 w[i].expires != v[k].expires)
				changed++;
			i += c <= 0;
			k += c >= 0;
		}
		replace(s, list, w, m);
		compare(s, list, w, m, "random");
		memset(&j, 0, sizeof j);
		if (round > 0) {
			j = journal_since(s, zone, before);
			CHECK(j.add == added + changed);
			CHECK(j.del == dropped + changed);
		} else {
			/* all new: more than half the list, a reset */
			rbl_txn *rt = begin(s, false);

			CHECK_RC(rbl_journal_foreach(rt, zone, before,
						     count_change, &j),
				 RBL_ESTALE);
			rbl_txn_abort(rt);
		}
		memcpy(v, w, m * sizeof *v);
		n = m;
		if (getenv("RBL_TEST_VERBOSE"))
			printf("round %d: %zu entries, journal +%zu -%zu\n",
			       round, n, j.add, j.del);
	}
	free(v);
	free(w);
}

/* PREFIX added to LIST as E by rbl_ip_add, or (AGAIN) rbl_ip_add_again:
 * E itself is passed on, since the store knows an entry again by it. */
static int add_entry(rbl_txn *t, uint32_t list, const char *prefix,
		     const rbl_entry *e, bool again)
{
	rbl_prefix p = P(prefix);

	return again ? rbl_ip_add_again(t, list, &p, e) :
		       rbl_ip_add(t, list, &p, e);
}

/* *E, the entry stored for PREFIX in LIST, which must be there. */
static void get_entry(rbl_txn *t, uint32_t list, const char *prefix,
		      rbl_entry *e)
{
	rbl_prefix p = P(prefix);

	rbl_entry_init(e);
	CHECK_RC(rbl_ip_get(t, list, &p, e), RBL_OK);
}

/* Replace LIST by test_journal's second set (from the first: 10.1.0.0/16
 * goes, 192.0.2.7 changes, 172.16.0.1 comes), as SOURCE (NULL: the
 * transaction's default). */
static void replace_second(rbl_store *s, uint32_t list, const char *source)
{
	static const struct {
		const char *prefix;
		uint32_t code;
	} after[] = {
		{ "10.0.0.0/8", 2 }, { "10.1.2.3", 2 }, { "172.16.0.1", 2 },
		{ "192.0.2.0/24", 2 }, { "192.0.2.7", 3 },
		{ "2001:db8::/32", 2 }, { "2001:db8::1", 2 },
	};
	rbl_txn *t = begin(s, true);

	if (source)
		rbl_txn_set_source(t, source);
	CHECK_RC(rbl_list_replace_begin(t, list, RBL_REPLACE_JOURNAL), RBL_OK);
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++)
		CHECK_RC(add_ip(t, list, after[i].prefix, after[i].code, false,
				0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

/* The journal holds exactly the changes; unchanged entries keep their
 * time and source; an identical replacement changes nothing. */
static void test_journal(rbl_store *s)
{
	static const char *const before[] = {
		"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "192.0.2.0/24",
		"192.0.2.7", "2001:db8::/32", "2001:db8::1",
	};
	rbl_txn *t = begin(s, true);
	rbl_zone z;
	rbl_entry e;
	uint32_t list, serial;
	struct jcount j;

	CHECK_RC(rbl_zone_create_simple(t, "jr.test", RBL_LIST_IP, &z), RBL_OK);
	list = z.lists[0].list_id;
	rbl_txn_set_source(t, "first");
	for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
		CHECK_RC(add_ip(t, list, before[i], 2, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	serial = serial_of(s, z.id);

	replace_second(s, list, "second");
	CHECK(serial_of(s, z.id) == serial + 1);
	j = journal_since(s, z.id, serial);
	CHECK(j.add == 2 && j.del == 2);
	t = begin(s, false);
	CHECK(lookup_at(t, list, "10.1.9.9", NOW) == 2);
	CHECK(lookup_at(t, list, "192.0.2.7", NOW) == 3);
	CHECK(lookup_at(t, list, "172.16.0.1", NOW) == 2);
	/* the test entries the store added stay */
	CHECK(lookup_at(t, list, "127.0.0.2", NOW) == 0);
	CHECK(lookup_at(t, list, "127.0.0.1", NOW) == -1);
	get_entry(t, list, "10.1.2.3", &e);
	CHECK_STR(e.source, "first");
	get_entry(t, list, "172.16.0.1", &e);
	CHECK_STR(e.source, "second");
	get_entry(t, list, "127.0.0.2", &e);
	CHECK_STR(e.source, "rfc5782");
	rbl_txn_abort(t);

	/* the same again: no change, no new serial */
	serial = serial_of(s, z.id);
	replace_second(s, list, NULL);
	CHECK(serial_of(s, z.id) == serial);

	/* out of order, and a read in the middle: the same end result */
	t = begin(s, true);
	CHECK_RC(rbl_list_replace_begin(t, list, RBL_REPLACE_JOURNAL), RBL_OK);
	CHECK_RC(add_ip(t, list, "10.0.0.0/8", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, list, "192.0.2.0/24", 2, false, 0), RBL_OK);
	CHECK(lookup_at(t, list, "192.0.2.7", NOW) == 2);	/* merged */
	CHECK(lookup_at(t, list, "2001:db8::1", NOW) == -1);
	CHECK_RC(add_ip(t, list, "2001:db8::1", 4, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, list, "10.1.2.3", 5, false, 0), RBL_OK);
	CHECK(lookup_at(t, list, "10.1.2.3", NOW) == 5);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, list, "10.1.2.3", NOW) == 5);
	CHECK(lookup_at(t, list, "10.1.2.4", NOW) == 2);
	CHECK(lookup_at(t, list, "192.0.2.7", NOW) == 2);
	CHECK(lookup_at(t, list, "172.16.0.1", NOW) == -1);
	CHECK(lookup_at(t, list, "2001:db8::1", NOW) == 4);
	CHECK(lookup_at(t, list, "2001:db8::2", NOW) == -1);
	CHECK(lookup_at(t, list, "127.0.0.2", NOW) == 0);
	rbl_txn_abort(t);
}

/* Every chunk of LIST's IPv4 entries: key -> where its value is. */
struct places {
	size_t n;
	const void *at[4096];
	uint8_t key[4096][4];
};

static int place(void *arg, const uint8_t *key, const void *data,
		 size_t len)
{
	struct places *pl = arg;

	(void)len;
	if (pl->n == 4096)
		return 1;
	pl->at[pl->n] = data;
	memcpy(pl->key[pl->n++], key, 4);
	return 0;
}

static void chunk_places(rbl_txn *t, uint32_t list, struct places *pl)
{
	pl->n = 0;
	CHECK_RC(rbl_ipck_foreach(t, list, RBL_AF4, place, pl), RBL_OK);
}

/* A few changes in a big list rewrite a few chunks, not all. */
static void test_unchanged_chunks(rbl_store *s)
{
	static struct places a, b;
	size_t n = 60000, same = 0;
	struct ment *v = calloc(n, sizeof *v);
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, "keep", RBL_LIST_IP);

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	for (size_t i = 0; i < n; i++) {
		v[i].p.addr.family = RBL_AF4;
		rbl_put_be32(v[i].p.addr.bytes, 0x0b000000u + (uint32_t)i * 3);
		v[i].p.len = 32;
		v[i].code = 2;
	}
	replace(s, list, v, n);
	t = begin(s, false);
	chunk_places(t, list, &a);
	rbl_txn_abort(t);
	/* five changes far apart */
	for (size_t i = 1; i <= 5; i++)
		v[i * 11000].code = 9;
	replace(s, list, v, n);
	compare(s, list, v, n, "kept chunks");
	t = begin(s, false);
	chunk_places(t, list, &b);
	rbl_txn_abort(t);
	for (size_t i = 0, j = 0; i < a.n && j < b.n;) {
		int c = memcmp(a.key[i], b.key[j], 4);

		if (c == 0 && a.at[i] == b.at[j])
			same++;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	printf("%zu chunks, %zu kept in place after 5 changes\n", a.n, same);
	CHECK(a.n >= 20);
	CHECK(same + 10 >= a.n);
	free(v);
}

/* Edits of single entries across chunk boundaries: a wide prefix over
 * many chunks, added and deleted, and many adds in one transaction. */
static void test_wide_edits(rbl_store *s)
{
	size_t n = 20000;
	struct ment *v = calloc(n + 1, sizeof *v);
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, "wide", RBL_LIST_IP);
	struct ment wide;

	for (size_t i = 0; i < n; i++) {
		v[i].p.addr.family = RBL_AF4;
		rbl_put_be32(v[i].p.addr.bytes, 0x0c000000u + (uint32_t)i * 97);
		v[i].p.len = 32;
		v[i].code = 3;
	}
	/* out of order, in one transaction: plain adds all over */
	for (size_t i = 0; i < n; i++)
		CHECK_RC(add_ment(t, list, &v[i * 7919 % n]), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	compare(s, list, v, n, "plain adds");
	memset(&wide, 0, sizeof wide);
	wide.p = P("12.0.0.0/8");
	wide.code = 4;
	t = begin(s, true);
	CHECK_RC(add_ment(t, list, &wide), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	memmove(v + 1, v, n * sizeof *v);
	v[0] = wide;
	compare(s, list, v, n + 1, "wide add");
	t = begin(s, false);
	CHECK(lookup_at(t, list, "12.0.0.1", NOW) == 4);
	CHECK(lookup_at(t, list, "12.0.0.97", NOW) == 3);
	CHECK(lookup_at(t, list, "12.255.0.1", NOW) == 4);
	rbl_txn_abort(t);
	t = begin(s, true);
	CHECK_RC(rbl_ip_del(t, list, &wide.p), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	compare(s, list, v + 1, n, "wide delete");
	free(v);
}

/* A merge where every entry has an answer of its own: the builder's
 * tables pass COMPACT_ITEMS while old chunks are being replaced, and the
 * compaction that writing a chunk before a window may do must not leave
 * the next record with the old attribute numbers (it crashed). */
static void test_many_answers(rbl_store *s)
{
	size_t n = 30000;
	struct ment *v = calloc(n, sizeof *v);
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, "many", RBL_LIST_IP);

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < n; i++) {
			uint32_t a = 0x0d000000u + (uint32_t)i * 13 +
				     (uint32_t)(round && i % 10 == 0);

			memset(&v[i], 0, sizeof v[i]);
			v[i].p.addr.family = RBL_AF4;
			rbl_put_be32(v[i].p.addr.bytes, a);
			v[i].p.len = 32;
			v[i].code = 2;
			v[i].expires = NOW + 1000 + (int64_t)i + round;
		}
		replace(s, list, v, n);
		compare(s, list, v, n, "many answers");
	}
	free(v);
}

/* rbl_ip_add prepares an entry once while the same bytes come again (an
 * import's records share one): not across a change of the transaction's
 * source, nor when the caller changed the entry in place; with and
 * without a replacement taking the entries. */
static void test_prepared_once(rbl_store *s)
{
	static const char *const zones[2] = { "prep0.test", "prep1.test" };

	for (int rep = 0; rep < 2; rep++) {
		uint32_t list = zone_list(s, zones[rep], RBL_LIST_IP, NULL);
		rbl_txn *t = begin(s, true);
		rbl_entry e, got;

		if (rep)
			CHECK_RC(rbl_list_replace_begin(t, list, 0), RBL_OK);
		rbl_entry_init(&e);
		rbl_txn_set_source(t, "one");
		CHECK_RC(add_entry(t, list, "10.0.0.1", &e, false), RBL_OK);
		CHECK_RC(add_entry(t, list, "10.0.0.2", &e, false), RBL_OK);
		rbl_txn_set_source(t, "two");
		CHECK_RC(add_entry(t, list, "10.0.0.3", &e, false), RBL_OK);
		e.n_codes = 1;
		e.codes[0] = 0x7f000003;
		CHECK_RC(add_entry(t, list, "10.0.0.4", &e, false), RBL_OK);
		CHECK_RC(rbl_txn_commit(t), RBL_OK);

		t = begin(s, false);
		get_entry(t, list, "10.0.0.2", &got);
		CHECK_STR(got.source, "one");
		get_entry(t, list, "10.0.0.3", &got);
		CHECK_STR(got.source, "two");
		CHECK(got.n_codes == 0);
		get_entry(t, list, "10.0.0.4", &got);
		CHECK(got.n_codes == 1 && got.codes[0] == 0x7f000003);
		CHECK(lookup_at(t, list, "10.0.0.4", NOW) == 3);
		CHECK(lookup_at(t, list, "10.0.0.3", NOW) == 0);
		rbl_txn_abort(t);
	}
}

/* rbl_ip_add_again believes an unchanged entry only when it is the one
 * the last call took: another entry in between, or a change of the
 * transaction's source, and it compares (and prepares) as rbl_ip_add. */
static void test_add_again(rbl_store *s)
{
	uint32_t list = zone_list(s, "again.test", RBL_LIST_IP, NULL);
	rbl_txn *t = begin(s, true);
	rbl_entry e, f, got;

	CHECK_RC(rbl_list_replace_begin(t, list, 0), RBL_OK);
	rbl_entry_init(&e);
	rbl_entry_init(&f);
	f.n_codes = 1;
	f.codes[0] = 0x7f000004;
	rbl_txn_set_source(t, "one");
	CHECK_RC(add_entry(t, list, "10.0.0.1", &e, false), RBL_OK);
	CHECK_RC(add_entry(t, list, "10.0.0.2", &e, true), RBL_OK);
	CHECK_RC(add_entry(t, list, "10.0.0.3", &f, false), RBL_OK);
	/* E is not the last entry: compared, so prepared anew */
	CHECK_RC(add_entry(t, list, "10.0.0.4", &e, true), RBL_OK);
	rbl_txn_set_source(t, "two");
	CHECK_RC(add_entry(t, list, "10.0.0.5", &e, true), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	CHECK(lookup_at(t, list, "10.0.0.2", NOW) == 0);
	CHECK(lookup_at(t, list, "10.0.0.3", NOW) == 4);
	CHECK(lookup_at(t, list, "10.0.0.4", NOW) == 0);
	get_entry(t, list, "10.0.0.4", &got);
	CHECK(got.n_codes == 0);
	CHECK_STR(got.source, "one");
	get_entry(t, list, "10.0.0.5", &got);
	CHECK_STR(got.source, "two");
	rbl_txn_abort(t);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("replace"));

	rand_seed();
	test_journal(s);
	test_random(s);
	test_unchanged_chunks(s);
	test_wide_edits(s);
	test_many_answers(s);
	test_prepared_once(s);
	test_add_again(s);
	rbl_store_close(s);
	return check_done();
}
