/*
 * test_store_namerep.c -- replacing a name list by a merge
 * (rbl_list_replace_begin, zone/store/store_namerep.c):
 *   - names removed, added, changed (code, TXT, expiry, exclusion, one
 *     slot of two) and unchanged: the answers are the new data's and the
 *     journal holds exactly the changed slots, DEL of the old entry and
 *     ADD of the new; unchanged entries keep their time added and source;
 *     the RFC 5782 test entries the store added stay;
 *   - an identical replacement changes nothing, not even the serial;
 *   - an aborted replacement changes nothing;
 *   - a name out of order and a read during the merge end it, with the
 *     same result;
 *   - random rounds against a model: the entries, lookups below and at
 *     each name, and the journal's count of changed slots.
 * RBL_TEST_SEED=n picks another seed.
 */
#include <inttypes.h>

#include "tests/unit/store_rand.h"
#include "tests/unit/store_test.h"

#define NOW 1700000000
#define EX RBL_ENTRY_NAME_EXACT
#define SU RBL_ENTRY_NAME_SUBS

/* One record as an importer gives it: text ("x", "*.x", ".x"), code
 * (-1 exclusion, 0 the default), TXT (NULL: the default), expiry. */
struct rec {
	const char *name;
	int code;
	const char *txt;
	int64_t expires;
};

static const char *bare(const char *name)
{
	if (name[0] == '*' && name[1] == '.')
		return name + 2;
	return name[0] == '.' ? name + 1 : name;
}

/* The importer's order: names as the store keeps them, the exact entry
 * of a name before its subtree one. */
static int rec_cmp(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;
	int c = rbl_name_order(bare(a->name), bare(b->name));

	if (c)
		return c;
	return (a->name[0] == '*') - (b->name[0] == '*');
}

static int add_rec(rbl_txn *t, uint32_t list, const struct rec *r)
{
	rbl_entry e;

	rbl_entry_init(&e);
	if (r->code < 0) {
		e.flags = RBL_ENTRY_EXCLUDE;
	} else if (r->code > 0) {
		e.n_codes = 1;
		e.codes[0] = 0x7f000000u | (uint32_t)r->code;
	}
	if (r->txt) {
		e.flags |= RBL_ENTRY_HAS_TXT;
		snprintf(e.txt, sizeof e.txt, "%s", r->txt);
	}
	e.expires = r->expires;
	return rbl_name_add(t, list, r->name, &e);
}

/* Replace LIST by V[0..N) (sorted here) in one transaction. */
static void replace(rbl_store *s, uint32_t list, struct rec *v, size_t n,
		    const char *source)
{
	rbl_txn *t = begin(s, true);

	qsort(v, n, sizeof *v, rec_cmp);
	rbl_txn_set_source(t, source);
	CHECK_RC(rbl_list_replace_begin(t, list, RBL_REPLACE_JOURNAL), RBL_OK);
	for (size_t i = 0; i < n; i++)
		CHECK_RC(add_rec(t, list, &v[i]), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

/* The journal since a serial: "+name/flags/code;" per ADD, "-..." per
 * DEL, in order; and the slots changed (a record with both flags is
 * two). */
struct jlog {
	char text[4096];
	size_t add, del;
};

static int log_change(void *arg, const rbl_change *c)
{
	struct jlog *j = arg;
	size_t n = strlen(j->text);
	unsigned slots = ((c->entry.flags & EX) != 0) +
			 ((c->entry.flags & SU) != 0);

	if (c->op == RBL_CHANGE_ADD)
		j->add += slots ? slots : 1;
	else
		j->del += slots ? slots : 1;
	snprintf(j->text + n, sizeof j->text - n, "%c%s%s%s/%u;",
		 c->op == RBL_CHANGE_ADD ? '+' : '-',
		 c->entry.flags & RBL_ENTRY_EXCLUDE ? "!" : "",
		 (c->entry.flags & (EX | SU)) == (EX | SU) ? "." :
		 c->entry.flags & SU ? "*." : "", c->name,
		 c->entry.n_codes ? c->entry.codes[0] & 255 : 0);
	return 0;
}

static int journal_since(rbl_store *s, uint32_t zone, uint32_t from,
			 struct jlog *j)
{
	memset(j, 0, sizeof *j);
	return journal_visit(s, zone, from, log_change, j);
}

static int count_one(void *arg, const char *name, const rbl_entry *e)
{
	(void)name;
	*(uint64_t *)arg += (e->flags & (EX | SU)) == (EX | SU) ? 2 : 1;
	return 0;
}

/* The list's entry count agrees with its entries. */
static void check_count(rbl_txn *t, uint32_t list)
{
	uint64_t n = 0;
	rbl_list l;

	CHECK_RC(rbl_name_foreach(t, list, count_one, &n), RBL_OK);
	CHECK_RC(rbl_list_get_id(t, list, &l), RBL_OK);
	CHECK(l.n_entries == n);
}

static const char *source_of(rbl_txn *t, uint32_t list, const char *name)
{
	static rbl_entry e;

	if (rbl_name_get(t, list, name, &e) != RBL_OK)
		return "(none)";
	return e.source;
}

#define N_PAD	40

/* The first data set: PAD gets N_PAD unchanged names. */
static size_t first_set(struct rec *v, char pad[][32])
{
	static const struct rec fixed[] = {
		{ "keep.example", 2, NULL, 0 },
		{ "gone.example", 2, NULL, 0 },
		{ "chg.example", 2, NULL, 0 },
		{ "*.wild.example", 4, NULL, 0 },
		{ "ex.wild.example", -1, NULL, 0 },
		{ ".both.example", 5, NULL, 0 },
		{ "pair.example", 6, NULL, 0 },
		{ "*.pair.example", 7, NULL, 0 },
		{ "ttl.example", 2, NULL, NOW + 100 },
		{ "txt.example", 2, "a", 0 },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		v[n++] = fixed[i];
	for (int i = 0; i < N_PAD; i++) {
		snprintf(pad[i], 32, "pad%02d.example", i);
		v[n++] = (struct rec){ pad[i], 2, NULL, 0 };
	}
	return n;
}

/* The second: 1 name gone, 1 slot of ".both" gone, 5 changed, 3 new. */
static size_t second_set(struct rec *v, char pad[][32])
{
	static const struct rec fixed[] = {
		{ "keep.example", 2, NULL, 0 },
		{ "chg.example", 3, NULL, 0 },
		{ "*.wild.example", 4, NULL, 0 },
		{ "ex.wild.example", -1, NULL, 0 },
		{ "both.example", 5, NULL, 0 },
		{ "pair.example", 6, NULL, 0 },
		{ "*.pair.example", 8, NULL, 0 },
		{ "ttl.example", 2, NULL, NOW + 200 },
		{ "txt.example", 2, "b", 0 },
		{ "new.example", 2, NULL, 0 },
		{ "*.newwild.example", 9, NULL, 0 },
		{ "newex.wild.example", -1, NULL, 0 },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		v[n++] = fixed[i];
	for (int i = 0; i < N_PAD; i++)
		v[n++] = (struct rec){ pad[i], 2, NULL, 0 };
	return n;
}

static void check_second(rbl_txn *t, uint32_t list)
{
	CHECK(name_at(t, list, "keep.example", NOW) == 2);
	CHECK(name_at(t, list, "gone.example", NOW) == -1);
	CHECK(name_at(t, list, "chg.example", NOW) == 3);
	CHECK(name_at(t, list, "a.wild.example", NOW) == 4);
	CHECK(name_at(t, list, "ex.wild.example", NOW) == -1);
	CHECK(name_at(t, list, "newex.wild.example", NOW) == -1);
	CHECK(name_at(t, list, "both.example", NOW) == 5);
	CHECK(name_at(t, list, "x.both.example", NOW) == -1);
	CHECK(name_at(t, list, "pair.example", NOW) == 6);
	CHECK(name_at(t, list, "x.pair.example", NOW) == 8);
	CHECK(name_at(t, list, "ttl.example", NOW + 150) == 2);
	CHECK(name_at(t, list, "new.example", NOW) == 2);
	CHECK(name_at(t, list, "z.newwild.example", NOW) == 9);
	CHECK(name_at(t, list, "newwild.example", NOW) == -1);
	CHECK(name_at(t, list, "pad07.example", NOW) == 2);
	/* the test entries the store added stay */
	CHECK(name_at(t, list, "test", NOW) == 0);
	CHECK(name_at(t, list, "invalid", NOW) == -1);
	CHECK_STR(source_of(t, list, "test"), "rfc5782");
	check_count(t, list);
}

/* Removed, added, changed and unchanged names: answers and journal. */
static void test_journal(rbl_store *s)
{
	struct rec v[64];
	char pad[N_PAD][32];
	rbl_txn *t = NULL;
	struct jlog j;
	rbl_entry e;
	rbl_zone z;
	uint32_t list = zone_list(s, "nr.test", RBL_LIST_NAME, &z), serial;
	size_t n;

	n = first_set(v, pad);
	replace(s, list, v, n, "first");
	serial = serial_of(s, z.id);

	n = second_set(v, pad);
	replace(s, list, v, n, "second");
	CHECK(serial_of(s, z.id) == serial + 1);
	CHECK_RC(journal_since(s, z.id, serial, &j), RBL_OK);
	CHECK_STR(j.text,
		  "-*.both.example/5;"
		  "-chg.example/2;+chg.example/3;"
		  "-gone.example/2;"
		  "+new.example/2;"
		  "+*.newwild.example/9;"
		  "-*.pair.example/7;+*.pair.example/8;"
		  "-ttl.example/2;+ttl.example/2;"
		  "-txt.example/2;+txt.example/2;"
		  "+!newex.wild.example/0;");
	CHECK(j.add == 7 && j.del == 6);
	t = begin(s, false);
	check_second(t, list);
	/* unchanged: the stored entry stays; changed: the new one */
	CHECK_STR(source_of(t, list, "keep.example"), "first");
	CHECK_STR(source_of(t, list, "pair.example"), "first");
	CHECK_STR(source_of(t, list, "*.pair.example"), "second");
	CHECK_STR(source_of(t, list, "chg.example"), "second");
	CHECK_RC(rbl_name_get(t, list, "txt.example", &e), RBL_OK);
	CHECK_STR(e.txt, "b");
	CHECK_RC(rbl_name_get(t, list, "both.example", &e), RBL_OK);
	CHECK((e.flags & (EX | SU)) == EX);
	rbl_txn_abort(t);

	/* the same again: nothing changes, not even the serial */
	serial = serial_of(s, z.id);
	n = second_set(v, pad);
	replace(s, list, v, n, "third");
	CHECK(serial_of(s, z.id) == serial);
	t = begin(s, false);
	CHECK_STR(source_of(t, list, "chg.example"), "second");
	rbl_txn_abort(t);

	/* aborted halfway: nothing changes */
	n = first_set(v, pad);
	qsort(v, n, sizeof *v, rec_cmp);
	t = begin(s, true);
	CHECK_RC(rbl_list_replace_begin(t, list, RBL_REPLACE_JOURNAL), RBL_OK);
	for (size_t i = 0; i < n / 2; i++)
		CHECK_RC(add_rec(t, list, &v[i]), RBL_OK);
	rbl_txn_abort(t);
	CHECK(serial_of(s, z.id) == serial);
	t = begin(s, false);
	check_second(t, list);
	rbl_txn_abort(t);
}

/* A name out of order and reads during the merge end it; the result is
 * the same as an ordered replacement's. */
static void test_out_of_order(rbl_store *s)
{
	static const struct rec late[] = {
		{ "chg.example", 4, NULL, 0 },		/* before the last */
		{ "*.wild.example", 4, NULL, 0 },
	};
	struct rec v[64];
	char pad[N_PAD][32];
	rbl_txn *t = NULL;
	uint32_t list = zone_list(s, "oo.test", RBL_LIST_NAME, NULL);
	size_t n;

	n = first_set(v, pad);
	replace(s, list, v, n, "first");

	t = begin(s, true);
	CHECK_RC(rbl_list_replace_begin(t, list, RBL_REPLACE_JOURNAL), RBL_OK);
	n = second_set(v, pad);
	qsort(v, n, sizeof *v, rec_cmp);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "chg.example") ||
		    !strcmp(v[i].name, "*.wild.example"))
			continue;
		CHECK_RC(add_rec(t, list, &v[i]), RBL_OK);
		if (i == n / 2)	/* a read: the rest are plain adds */
			CHECK(name_at(t, list, "keep.example", NOW) == 2);
	}
	for (size_t i = 0; i < 2; i++)
		CHECK_RC(add_rec(t, list, &late[i]), RBL_OK);
	CHECK(name_at(t, list, "chg.example", NOW) == 4);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(name_at(t, list, "chg.example", NOW) == 4);
	CHECK(name_at(t, list, "gone.example", NOW) == -1);
	CHECK(name_at(t, list, "a.wild.example", NOW) == 4);
	CHECK(name_at(t, list, "x.pair.example", NOW) == 8);
	CHECK(name_at(t, list, "z.newwild.example", NOW) == 9);
	CHECK(name_at(t, list, "test", NOW) == 0);
	check_count(t, list);
	rbl_txn_abort(t);
}

/* ------------------------------------------------------------ random */

#define UNIVERSE	600

/* A name's two slots in the model: code (0 empty, -1 exclusion, 1..4),
 * expiry. */
struct mname {
	int code[2];
	int64_t exp[2];
};

static char uname[UNIVERSE][32];

/* Name I of the universe: some below others ("a3.b1.example"). */
static void make_universe(void)
{
	for (int i = 0; i < UNIVERSE; i++) {
		if (i < 20)
			snprintf(uname[i], 32, "b%d.example", i);
		else
			snprintf(uname[i], 32, "a%d.b%d.example", i, i % 20);
	}
}

static void random_slots(struct mname *m)
{
	for (int s = 0; s < 2; s++) {
		unsigned r = rnd_below(10);

		m->code[s] = r < 4 ? 0 : r == 4 ? -1 : (int)(1 + rnd_below(4));
		m->exp[s] = rnd_below(8) == 0 ?
			    NOW + 1 + (int64_t)rnd_below(99) : 0;
		if (!m->code[s])
			m->exp[s] = 0;
	}
}

/* The records of model M: ".x" when both slots are equal. */
static size_t model_recs(const struct mname *m, struct rec *v,
			 char (*names)[40])
{
	size_t n = 0;

	for (int i = 0; i < UNIVERSE; i++) {
		const struct mname *x = &m[i];

		if (x->code[0] && x->code[0] == x->code[1] &&
		    x->exp[0] == x->exp[1]) {
			snprintf(names[n], 40, ".%.31s", uname[i]);
			v[n] = (struct rec){ names[n], x->code[0], NULL,
					     x->exp[0] };
			n++;
			continue;
		}
		for (int s = 0; s < 2; s++) {
			if (!x->code[s])
				continue;
			snprintf(names[n], 40, "%s%.31s", s ? "*." : "",
				 uname[i]);
			v[n] = (struct rec){ names[n], x->code[s], NULL,
					     x->exp[s] };
			n++;
		}
	}
	return n;
}

static int model_index(const char *name)
{
	for (int i = 0; i < UNIVERSE; i++)
		if (!strcmp(uname[i], name))
			return i;
	return -1;
}

/* The model's answer for NAME at NOW: -1 not listed, else the code. */
static int model_at(const struct mname *m, const char *name, int64_t now)
{
	bool self = true;

	for (const char *p = name; p; self = false) {
		int i = model_index(p), s = self ? 0 : 1;

		if (i >= 0 && m[i].code[s] &&
		    (!m[i].exp[s] || m[i].exp[s] > now))
			return m[i].code[s] < 0 ? -1 : m[i].code[s];
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return -1;
}

static void compare_model(rbl_store *s, uint32_t list,
			  const struct mname *m)
{
	rbl_txn *t = begin(s, false);
	size_t bad = 0;

	for (int i = 0; i < UNIVERSE; i++) {
		char below[48];
		int64_t now = NOW + (int64_t)rnd_below(101);

		snprintf(below, sizeof below, "q.%.31s", uname[i]);
		if (model_at(m, uname[i], now) != name_at(t, list, uname[i],
							  now) ||
		    model_at(m, below, now) != name_at(t, list, below, now))
			bad++;
	}
	if (bad)
		fprintf(stderr, "random: %zu lookups differ\n", bad);
	CHECK(bad == 0);
	check_count(t, list);
	rbl_txn_abort(t);
}

static bool slot_same(const struct mname *a, const struct mname *b, int s)
{
	return a->code[s] == b->code[s] && a->exp[s] == b->exp[s];
}

static void test_random(rbl_store *s)
{
	static struct mname cur[UNIVERSE], next[UNIVERSE];
	static struct rec v[2 * UNIVERSE];
	static char names[2 * UNIVERSE][40];
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, "rand", RBL_LIST_NAME);
	uint32_t zone = zone_over(t, "rand.test", list);

	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	make_universe();
	memset(cur, 0, sizeof cur);
	for (int round = 0; round < 8; round++) {
		uint32_t before = serial_of(s, zone);
		size_t add = 0, del = 0, n;
		struct jlog j;
		int rc;

		memcpy(next, cur, sizeof next);
		for (int i = 0; i < UNIVERSE; i++)
			if (round == 0 ? rnd_below(2) : rnd_below(100) < 6)
				random_slots(&next[i]);
		for (int i = 0; i < UNIVERSE; i++)
			for (int k = 0; k < 2; k++)
				if (!slot_same(&cur[i], &next[i], k)) {
					add += next[i].code[k] != 0;
					del += cur[i].code[k] != 0;
				}
		n = model_recs(next, v, names);
		replace(s, list, v, n, "rand");
		compare_model(s, list, next);
		rc = journal_since(s, zone, before, &j);
		if (round == 0) {
			CHECK(rc == RBL_ESTALE);	/* all new: a reset */
		} else {
			CHECK_RC(rc, RBL_OK);
			CHECK(j.add == add && j.del == del);
		}
		if (getenv("RBL_TEST_VERBOSE"))
			printf("round %d: %zu records, slots +%zu -%zu\n",
			       round, n, add, del);
		memcpy(cur, next, sizeof cur);
	}
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("namerep"));

	rand_seed();
	test_journal(s);
	test_out_of_order(s);
	test_random(s);
	rbl_store_close(s);
	return check_done();
}
