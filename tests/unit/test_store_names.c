/*
 * test_store_names.c -- a name's exact and subtree entries kept apart
 * (zone/store/store_name.c): "x" and "*.x" with different values, "x" and
 * "!*.x", ".x" as two entries, the text forms of add/del/get, lookups and
 * empty non-terminals, rbl_name_foreach's order, rbl_name_foreach_under's
 * reach, entry counts, the
 * journal, purge per entry, and a randomized comparison with a model.
 */
#include "tests/unit/store_test.h"

#define NOW 1700000000
#define EX RBL_ENTRY_NAME_EXACT
#define SU RBL_ENTRY_NAME_SUBS

static int add_name(rbl_txn *t, uint32_t list, const char *name,
		    uint32_t code, uint32_t flags, int64_t expires)
{
	rbl_entry e;

	rbl_entry_init(&e);
	e.n_codes = 1;
	e.codes[0] = 0x7f000000u | code;
	e.flags = flags;
	e.expires = expires;
	return rbl_name_add(t, list, name, &e);
}

/* "name/flags/code;" for each entry rbl_name_foreach yields. */
static int show_one(void *arg, const char *name, const rbl_entry *e)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s%s%s/%u;",
		 e->flags & RBL_ENTRY_EXCLUDE ? "!" : "",
		 (e->flags & (EX | SU)) == (EX | SU) ? "." :
		 e->flags & SU ? "*." : "", name,
		 e->n_codes ? e->codes[0] & 255 : 0);
	return 0;
}

static const char *show(rbl_txn *t, uint32_t list)
{
	static char out[1024];

	out[0] = 0;
	CHECK_RC(rbl_name_foreach(t, list, show_one, out), RBL_OK);
	return out;
}

static int has_below(rbl_txn *t, uint32_t list, const char *name)
{
	const uint8_t *labels[8];
	uint8_t lens[8];
	unsigned n = 0;

	for (const char *p = name; n < 8;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		labels[n] = (const uint8_t *)p;
		lens[n++] = (uint8_t)len;
		if (!dot)
			break;
		p = dot + 1;
	}
	return rbl_name_has_below(t, list, labels, lens, n, NOW);
}

static uint64_t count(rbl_txn *t, uint32_t list)
{
	rbl_list l;

	CHECK_RC(rbl_list_get_id(t, list, &l), RBL_OK);
	return l.n_entries;
}

static void test_two_slots(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "slots", RBL_LIST_NAME);
	rbl_entry e;

	/* rbldnsd: "x :2" and "*.x :3" */
	CHECK_RC(add_name(t, id, "x.test", 2, 0, 0), RBL_OK);
	CHECK_RC(add_name(t, id, "*.x.test", 3, 0, 0), RBL_OK);
	/* "y" listed, "!*.y" */
	CHECK_RC(add_name(t, id, "y.test", 4, 0, 0), RBL_OK);
	CHECK_RC(add_name(t, id, "y.test", 0, RBL_ENTRY_EXCLUDE | SU, 0),
		 RBL_OK);
	CHECK_RC(add_name(t, id, "test", 9, SU, 0), RBL_OK);
	/* ".z" = two entries, stored as one */
	CHECK_RC(add_name(t, id, ".z.test", 5, 0, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, false);
	CHECK(name_at(t, id, "x.test", NOW) == 2);
	CHECK(name_at(t, id, "a.x.test", NOW) == 3);
	CHECK(name_at(t, id, "b.a.x.test", NOW) == 3);
	CHECK(name_at(t, id, "y.test", NOW) == 4);
	CHECK(name_at(t, id, "a.y.test", NOW) == -1);
	CHECK(name_at(t, id, "z.test", NOW) == 5);
	CHECK(name_at(t, id, "a.z.test", NOW) == 5);
	CHECK(name_at(t, id, "w.test", NOW) == 9);
	CHECK(count(t, id) == 7);
	CHECK_STR(show(t, id), "*.test/9;x.test/2;*.x.test/3;y.test/4;"
			       "!*.y.test/0;.z.test/5;");
	/* get: "x" exact first, "*.x" the subtree one, both flags if equal */
	CHECK_RC(rbl_name_get(t, id, "x.test", &e), RBL_OK);
	CHECK(e.flags == EX && e.codes[0] == 0x7f000002);
	CHECK_RC(rbl_name_get(t, id, "*.x.test", &e), RBL_OK);
	CHECK(e.flags == SU && e.codes[0] == 0x7f000003);
	CHECK_RC(rbl_name_get(t, id, ".x.test", &e), RBL_OK);
	CHECK(e.flags == EX);
	CHECK_RC(rbl_name_get(t, id, "test", &e), RBL_OK);
	CHECK(e.flags == SU);
	CHECK_RC(rbl_name_get(t, id, "z.test", &e), RBL_OK);
	CHECK(e.flags == (EX | SU));
	CHECK_RC(rbl_name_get(t, id, "*.z.test", &e), RBL_OK);
	CHECK(e.flags == (EX | SU));
	/* a subtree entry makes x an empty non-terminal; an exclusion not */
	CHECK(has_below(t, id, "x.test") == 1);
	CHECK(has_below(t, id, "y.test") == 0);
	CHECK(has_below(t, id, "test") == 1);
	rbl_txn_abort(t);

	t = begin(s, true);
	/* del: "x" the exact entry, "*.x" the subtree one, ".x" both */
	CHECK_RC(rbl_name_del(t, id, "x.test"), RBL_OK);
	CHECK_RC(rbl_name_del(t, id, "x.test"), RBL_ENOTFOUND);
	CHECK(name_at(t, id, "x.test", NOW) == 9);
	CHECK(name_at(t, id, "a.x.test", NOW) == 3);
	CHECK_RC(rbl_name_del(t, id, "*.y.test"), RBL_OK);
	CHECK(name_at(t, id, "a.y.test", NOW) == 9);
	CHECK(name_at(t, id, "y.test", NOW) == 4);
	CHECK_RC(rbl_name_del(t, id, "*.z.test"), RBL_OK);
	CHECK(name_at(t, id, "z.test", NOW) == 5);
	CHECK(name_at(t, id, "a.z.test", NOW) == 9);
	CHECK_RC(rbl_name_get(t, id, "z.test", &e), RBL_OK);
	CHECK(e.flags == EX);
	CHECK_RC(rbl_name_get(t, id, "*.z.test", &e), RBL_ENOTFOUND);
	CHECK_RC(add_name(t, id, "*.z.test", 5, 0, 0), RBL_OK);
	CHECK_RC(rbl_name_del(t, id, ".z.test"), RBL_OK);
	CHECK_RC(rbl_name_del(t, id, ".z.test"), RBL_ENOTFOUND);
	CHECK_RC(rbl_name_del(t, id, ".x.test"), RBL_OK);	/* "*.x" only */
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_STR(show(t, id), "*.test/9;y.test/4;");
	CHECK(count(t, id) == 2);
	rbl_txn_abort(t);
}

/* The journal records one change per entry (one for an equal pair). */
static int count_change(void *arg, const rbl_change *c)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%c%s%s/%u;",
		 c->op == RBL_CHANGE_ADD ? '+' : '-',
		 (c->entry.flags & (EX | SU)) == (EX | SU) ? "." :
		 c->entry.flags & SU ? "*." : "", c->name,
		 c->entry.n_codes ? c->entry.codes[0] & 255 : 0);
	return 0;
}

static void test_journal(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "jnames", RBL_LIST_NAME);
	rbl_zone z;
	char out[1024] = "";
	uint32_t serial;

	rbl_zone_defaults(&z, "j.test");
	z.n_lists = 1;
	z.lists[0].list_id = id;
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_zone_get(t, "j.test", &z), RBL_OK);
	serial = z.serial;
	rbl_txn_abort(t);

	t = begin(s, true);
	CHECK_RC(add_name(t, id, ".a.test", 2, 0, 0), RBL_OK);
	CHECK_RC(add_name(t, id, "*.a.test", 3, 0, 0), RBL_OK);
	CHECK_RC(rbl_name_del(t, id, "a.test"), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_RC(rbl_journal_foreach(t, z.id, serial, count_change, out),
		 RBL_OK);
	CHECK_STR(out, "+.a.test/2;-*.a.test/2;+*.a.test/3;-a.test/2;");
	rbl_txn_abort(t);
}

static void test_purge(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "pnames", RBL_LIST_NAME);
	uint64_t n = 0;

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	CHECK_RC(add_name(t, id, "p.test", 2, 0, NOW + 10), RBL_OK);
	CHECK_RC(add_name(t, id, "*.p.test", 3, 0, 0), RBL_OK);
	CHECK_RC(add_name(t, id, ".q.test", 4, 0, NOW + 10), RBL_OK);
	CHECK_RC(add_name(t, id, "r.test", 5, 0, 0), RBL_OK);
	CHECK_RC(add_name(t, id, "*.r.test", 6, 0, NOW + 10), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	CHECK_RC(rbl_purge_expired(t, NOW + 20, &n), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(n == 4);
	t = begin(s, false);
	CHECK_STR(show(t, id), "*.p.test/3;r.test/5;");
	CHECK(count(t, id) == 2);
	rbl_txn_abort(t);
}

/* ---------------------------------------------------- randomized */

#define RN_NAMES 12
static const char *const rn_names[RN_NAMES] = {
	"com", "a.com", "b.a.com", "c.b.a.com", "d.com", "e.d.com",
	"org", "f.org", "g.f.org", "h.g.f.org", "a.b.org", "b.org"
};

struct rn_slot {
	bool has;
	uint32_t code;
	bool excl;
};

static struct rn_slot model[RN_NAMES][2];

static int find_name(const char *name)
{
	for (int i = 0; i < RN_NAMES; i++)
		if (!strcmp(rn_names[i], name))
			return i;
	return -1;
}

/* What the model answers for NAME (code, or -1). */
static int model_lookup(const char *name)
{
	int i = find_name(name);

	if (i >= 0 && model[i][0].has)
		return model[i][0].excl ? -1 : (int)model[i][0].code;
	for (const char *p = strchr(name, '.'); p; p = strchr(p + 1, '.')) {
		int j = find_name(p + 1);

		if (j >= 0 && model[j][1].has)
			return model[j][1].excl ? -1 : (int)model[j][1].code;
	}
	return -1;
}

static void test_random(rbl_store *s)
{
	static const char *const queries[] = {
		"com", "a.com", "b.a.com", "c.b.a.com", "x.c.b.a.com",
		"z.a.com", "d.com", "e.d.com", "x.e.d.com", "org", "f.org",
		"g.f.org", "h.g.f.org", "x.h.g.f.org", "a.b.org", "b.org",
		"x.b.org", "y.org", "net"
	};
	rbl_txn *t = begin(s, true);
	uint32_t id = make_list(t, "rnames", RBL_LIST_NAME);
	uint64_t rng = 88172645463325252ull;
	int64_t live = 0;

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	for (int round = 0; round < 300; round++) {
		t = begin(s, true);
		for (int op = 0; op < 8; op++) {
			int i, which, rc;
			const char *pre;
			char name[64];

			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			i = (int)(rng % RN_NAMES);
			which = (int)((rng >> 8) % 3);	/* exact, subs, both */
			pre = which == 0 ? "" : which == 1 ? "*." : ".";
			snprintf(name, sizeof name, "%s%s", pre, rn_names[i]);
			if ((rng >> 16) % 3 == 0) {
				bool any = false;

				for (int sl = 0; sl < 2; sl++)
					if ((which == 2 || which == sl) &&
					    model[i][sl].has) {
						any = true;
						model[i][sl].has = false;
						live--;
					}
				rc = rbl_name_del(t, id, name);
				CHECK_RC(rc, any ? RBL_OK : RBL_ENOTFOUND);
			} else {
				uint32_t code = 2 + (uint32_t)(rng >> 24) % 5;
				bool excl = (rng >> 32) % 5 == 0;

				for (int sl = 0; sl < 2; sl++)
					if (which == 2 || which == sl) {
						live += !model[i][sl].has;
						model[i][sl] = (struct rn_slot){
							true, code, excl };
					}
				CHECK_RC(add_name(t, id, name, code, excl ?
						  RBL_ENTRY_EXCLUDE : 0, 0),
					 RBL_OK);
			}
		}
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
		t = begin(s, false);
		for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
			int got = name_at(t, id, queries[q], NOW);
			int want = model_lookup(queries[q]);

			if (got != want) {
				fprintf(stderr, "round %d: %s: got %d want "
					"%d\n", round, queries[q], got, want);
				CHECK(got == want);
			}
		}
		CHECK(count(t, id) == (uint64_t)live);
		rbl_txn_abort(t);
	}
}

/* rbl_name_order is the order the store keeps names in: a bulk txn
 * writing names in that order (MDB_APPEND) and one writing them in
 * reverse must read back the same, in that order. */
struct order_walk {
	char prev[RBL_NAME_MAX + 1];
	unsigned n, bad;
};

static int check_order(void *arg, const char *name, const rbl_entry *e)
{
	struct order_walk *w = arg;

	(void)e;
	if (w->n++ && rbl_name_order(w->prev, name) >= 0)
		w->bad++;
	snprintf(w->prev, sizeof w->prev, "%s", name);
	return 0;
}

static int cmp_order(const void *a, const void *b)
{
	return rbl_name_order(*(const char *const *)a,
			      *(const char *const *)b);
}

static void test_bulk_order(rbl_store *s)
{
	static const char *names[] = {
		"a.com", "com", "b.com", "ab.com", "a.b.com", "a-b.com",
		"x.org", "org", "a.x.org", "0.net", "z.a.com", "aa.com",
		"a.aa.com", "b.a.com", "com.com", "c.om", "o.m",
	};
	enum { N = sizeof names / sizeof names[0] };
	const char *sorted[N];
	struct order_walk w;
	uint32_t up, down;
	rbl_txn *t;

	memcpy(sorted, names, sizeof names);
	qsort(sorted, N, sizeof sorted[0], cmp_order);
	CHECK(rbl_name_order("a.com", "a.com") == 0);
	CHECK(rbl_name_order("com", "a.com") < 0);
	CHECK(rbl_name_order("a.com", "ab.com") < 0);
	CHECK(rbl_name_order("z.a.com", "b.com") < 0);
	t = begin(s, true);
	up = make_list(t, "bulk-up", RBL_LIST_NAME);
	down = make_list(t, "bulk-down", RBL_LIST_NAME);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	rbl_txn_set_bulk(t);
	/* UP in order: every name appended; DOWN reversed: appending stops
	 * at its second name and the rest go in the ordinary way. */
	for (int i = 0; i < N; i++)
		CHECK_RC(add_name(t, up, sorted[i], 2, EX, 0), RBL_OK);
	for (int i = N - 1; i >= 0; i--)
		CHECK_RC(add_name(t, down, sorted[i], 2, EX, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	memset(&w, 0, sizeof w);
	CHECK_RC(rbl_name_foreach(t, up, check_order, &w), RBL_OK);
	CHECK(w.n == N && w.bad == 0);
	memset(&w, 0, sizeof w);
	CHECK_RC(rbl_name_foreach(t, down, check_order, &w), RBL_OK);
	CHECK(w.n == N && w.bad == 0);
	for (int i = 0; i < N; i++) {
		rbl_match m;

		CHECK_RC(rbl_name_lookup_str(t, up, names[i], NOW, &m), RBL_OK);
		CHECK_RC(rbl_name_lookup_str(t, down, names[i], NOW, &m),
			 RBL_OK);
	}
	rbl_txn_abort(t);
}

static const char *show_under(rbl_txn *t, uint32_t list, const char *name,
			      bool below)
{
	static char out[1024];

	out[0] = 0;
	CHECK_RC(rbl_name_foreach_under(t, list, name, below, show_one, out),
		 RBL_OK);
	return out;
}

/* rbl_name_foreach_under: a name and the names below it, label-aligned
 * ("ab.com" is not under "b.com"), in this list only. */
static void test_under(rbl_store *s)
{
	static const char *names[] = { "com", "b.com", "ab.com", "a.b.com",
				       "x.a.b.com", "b.com.org", "bb.com" };
	rbl_txn *t = begin(s, true);
	uint32_t l = make_list(t, "under", RBL_LIST_NAME);
	uint32_t other = make_list(t, "under2", RBL_LIST_NAME);

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_RC(add_name(t, l, names[i], 2, EX, 0), RBL_OK);
	CHECK_RC(add_name(t, l, "b.com", 3, SU, 0), RBL_OK);
	CHECK_RC(add_name(t, other, "c.b.com", 4, EX, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK_STR(show_under(t, l, "b.com", true),
		  "b.com/2;*.b.com/3;a.b.com/2;x.a.b.com/2;");
	CHECK_STR(show_under(t, l, "B.Com", false), "b.com/2;*.b.com/3;");
	CHECK_STR(show_under(t, l, "a.b.com", false), "a.b.com/2;");
	CHECK_STR(show_under(t, l, "c.b.com", true), "");
	CHECK_STR(show_under(t, l, "org", false), "");
	CHECK_STR(show_under(t, l, "org", true), "b.com.org/2;");
	CHECK_STR(show_under(t, other, "com", true), "c.b.com/4;");
	CHECK_RC(rbl_name_foreach_under(t, l, "bad..name", true, show_one,
					NULL), RBL_EINVAL);
	rbl_txn_abort(t);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("names"));

	test_two_slots(s);
	test_journal(s);
	test_purge(s);
	test_random(s);
	test_bulk_order(s);
	test_under(s);
	rbl_store_close(s);
	return check_done();
}
