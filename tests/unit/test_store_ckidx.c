/*
 * test_store_ckidx.c -- the chunk index of big IPv4 lists
 * (zone/store/store_ckidx.c): lookups through a read transaction's index
 * answer as a write transaction's, which never uses one, for random
 * addresses; built in steps, reused by a renew of the same snapshot,
 * rebuilt after a commit that adds and removes chunks and after the map
 * is set again (searches starting from the top table's slots, the
 * dense /16 a commit adds filling a few of them); a reader still on the
 * older snapshot answers from it;
 * more big lists than slots; write transactions build none.
 * An index's memory in 2 MiB pages (mmap'd, aligned) or malloc'd, by
 * size, answers the same, grows by copying what was built, and is kept,
 * not allocated again, by a rebuild for a newer snapshot.
 * The records' end of each chunk, learned for the prefetch, is right,
 * kept by a rebuild where the chunk did not move, and never trusted.
 * rbl_ip_prefetch and its stages (rbld's batches) before each lookup
 * change no answer, for any list and address (IPv6, no such list, a
 * list without summary, an empty one), in any transaction (write,
 * reset, renewed after a commit), and build or claim no index.
 */
#include "tests/unit/store_rand.h"
#include "tests/unit/store_test.h"
/* the store's own side: the index in the txn, its step, the map count */
#include "zone/store/store_impl.h"

#define NOW 1700000000
#define N_QUERIES 20000

/* 32 random bits (store_rand.h's generator) */
static uint32_t rnd32(void)
{
	return (uint32_t)(rnd() >> 16);
}

static rbl_prefix v4(uint32_t a, unsigned len)
{
	rbl_prefix p;

	memset(&p, 0, sizeof p);
	p.addr.family = RBL_AF4;
	rbl_put_be32(p.addr.bytes, a);
	p.len = (uint8_t)len;
	rbl_prefix_canon(&p);
	return p;
}

static void add(rbl_txn *t, uint32_t list, uint32_t a, unsigned len,
		uint32_t code, bool exclude)
{
	rbl_prefix p = v4(a, len);
	rbl_entry e;

	rbl_entry_init(&e);
	e.n_codes = 1;
	e.codes[0] = 0x7f000000u | code;
	e.flags = exclude ? RBL_ENTRY_EXCLUDE : 0;
	CHECK_RC(rbl_ip_add(t, list, &p, &e), RBL_OK);
}

/* Hosts spread over the whole space, some /24s with holes excluded. */
static uint32_t make_big(rbl_store *s, const char *name, unsigned hosts)
{
	rbl_txn *t = begin(s, true);
	uint32_t list = make_list(t, name, RBL_LIST_IP);

	rbl_txn_set_bulk(t);
	for (unsigned i = 0; i < hosts; i++)
		add(t, list, rnd32(), 32, 1 + i % 5, false);
	for (unsigned i = 0; i < hosts / 100; i++) {
		uint32_t a = rnd32() & 0xffffff00u;

		add(t, list, a, 24, 9, false);
		add(t, list, a | (rnd32() & 0xff), 32, 9, true);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	return list;
}

/* Query addresses: listed ones (every 16th entry) and their neighbours
 * first, then the ends of the space, random ones, and 200.7.0.0/16, where
 * test_snapshots adds entries. */
static uint32_t queries[N_QUERIES];

struct sample {
	unsigned n, seen;
};

static int note_entry(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	struct sample *x = arg;
	uint32_t a = rbl_get_be32(p->addr.bytes);

	(void)e;
	if (x->seen++ % 16)
		return 0;
	if (x->n + 3 > N_QUERIES / 2)
		return 1;
	queries[x->n++] = a;
	queries[x->n++] = a - 1;
	queries[x->n++] = a + 1;
	return 0;
}

static void make_queries(rbl_store *s, uint32_t list)
{
	rbl_txn *t = begin(s, false);
	struct sample x = { 0 };

	(void)rbl_ip_foreach(t, list, NULL, note_entry, &x);
	queries[x.n++] = 0;
	queries[x.n++] = UINT32_MAX;
	while (x.n < N_QUERIES - 2000)
		queries[x.n++] = rnd32();
	for (uint32_t i = 0; x.n < N_QUERIES; i++)	/* test_snapshots adds */
		queries[x.n++] = 0xc8070000u | (i * 5 / 2);
	rbl_txn_abort(t);
}

/* The answer code to A of LIST in T: 0 not listed, < 0 an error. */
static int answer(rbl_txn *t, uint32_t list, uint32_t a)
{
	rbl_prefix p = v4(a, 32);
	rbl_match m;
	int rc = rbl_ip_lookup(t, list, &p.addr, NOW, &m);

	if (rc == RBL_ENOTFOUND)
		return 0;
	return rc == RBL_OK ? (int)(m.codes[0] & 255) : rc;
}

/* Every query's answer in a write transaction (no summary, no index). */
static void reference(rbl_store *s, uint32_t list, int *want)
{
	rbl_txn *w = begin(s, true);

	for (unsigned i = 0; i < N_QUERIES; i++)
		want[i] = answer(w, list, queries[i]);
	for (unsigned i = 0; i < RBL_CKIDX_SLOTS; i++)
		CHECK(!w->ckidx[i].used);
	rbl_txn_abort(w);
}

/* Queries whose answer in T differs from WANT. */
static unsigned mismatches(rbl_txn *t, uint32_t list, const int *want)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < N_QUERIES; i++)
		if (answer(t, list, queries[i]) != want[i] && bad++ < 5)
			fprintf(stderr, "query %u: %08x answers %d, want %d\n",
				i, queries[i], answer(t, list, queries[i]),
				want[i]);
	return bad;
}

static const struct rbl_ckidx *slot(const rbl_txn *t, uint32_t list)
{
	for (unsigned i = 0; i < RBL_CKIDX_SLOTS; i++)
		if (t->ckidx[i].used && t->ckidx[i].list_id == list)
			return &t->ckidx[i];
	return NULL;
}

static int count_chunk(void *arg, const uint8_t *key, const void *data,
		       size_t len)
{
	(void)key;
	(void)data;
	(void)len;
	++*(uint32_t *)arg;
	return 0;
}

static uint32_t chunks(rbl_store *s, uint32_t list)
{
	rbl_txn *t = begin(s, false);
	uint32_t n = 0;

	CHECK_RC(rbl_ipck_foreach(t, list, RBL_AF4, count_chunk, &n),
		 RBL_OK);
	rbl_txn_abort(t);
	return n;
}

struct found {
	rbl_prefix *p;
	size_t n, cap;
};

static int note_prefix(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	struct found *f = arg;

	(void)e;
	if (f->n == f->cap) {
		rbl_prefix *np = realloc(f->p, (f->cap = f->cap ? 2 * f->cap
						: 1024) * sizeof *np);

		if (!np)
			return RBL_ENOMEM;
		f->p = np;
	}
	f->p[f->n++] = *p;
	return 0;
}

/* Delete every entry of LIST inside A/LEN. */
static void del_within(rbl_txn *w, uint32_t list, uint32_t a, unsigned len)
{
	rbl_prefix within = v4(a, len);
	struct found f = { 0 };

	CHECK_RC(rbl_ip_foreach(w, list, &within, note_prefix, &f), RBL_OK);
	CHECK(f.n > 1000);
	for (size_t i = 0; i < f.n; i++)
		CHECK_RC(rbl_ip_del(w, list, &f.p[i]), RBL_OK);
	free(f.p);
}

static int want_old[N_QUERIES], want_new[N_QUERIES];

static void test_snapshots(rbl_store *s)
{
	uint32_t list = make_big(s, "big", 60000), n_old = chunks(s, list);
	const struct rbl_ckidx *x = NULL;
	rbl_txn *r = begin(s, false), *r2 = NULL, *w = NULL;
	uint32_t n_new = 0;

	make_queries(s, list);
	reference(s, list, want_old);
	CHECK(n_old > 12);	/* several steps of 3 */
	r->ix_step = 3;
	CHECK(answer(r, list, queries[0]) >= 0);
	CHECK((x = slot(r, list)) != NULL);
	CHECK(x && !x->complete && x->n == 3);
	CHECK(mismatches(r, list, want_old) == 0);
	CHECK(x && x->complete && x->n == n_old);
	/* the searches started in the top table's slots */
	CHECK(x && x->top_bits >= 4 && x->n >> x->top_bits == 1);

	/* a renew of the same snapshot keeps it */
	rbl_txn_reset(r);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);
	CHECK(answer(r, list, queries[1]) >= 0);
	CHECK(x && x->complete && x->n == n_old);

	/* a commit removes a quarter of the space and adds a dense /16 */
	w = begin(s, true);
	del_within(w, list, 0x40000000u, 2);
	for (uint32_t i = 0; i < 20000; i++)
		add(w, list, 0xc8070000u | i * 3, 32, 4, false);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	n_new = chunks(s, list);
	CHECK(n_new != n_old);
	reference(s, list, want_new);
	CHECK(memcmp(want_old, want_new, sizeof want_old) != 0);

	/* R still reads the old snapshot, through its old index; a new
	 * reader builds its own from the new one */
	CHECK(mismatches(r, list, want_old) == 0);
	CHECK(x && x->complete && x->n == n_old);
	r2 = begin(s, false);
	CHECK(mismatches(r2, list, want_new) == 0);
	CHECK(slot(r2, list) && slot(r2, list)->complete &&
	      slot(r2, list)->n == n_new);
	CHECK(mismatches(r, list, want_old) == 0);
	rbl_txn_abort(r2);

	/* renewed, R rebuilds for the new snapshot */
	rbl_txn_reset(r);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);
	CHECK(answer(r, list, queries[2]) >= 0);
	CHECK(x && !x->complete && x->n == 3);
	CHECK(mismatches(r, list, want_new) == 0);
	CHECK(x && x->complete && x->n == n_new && x->top_bits >= 4);

	/* the map set again: pointers into the old one are not used */
	rbl_txn_reset(r);
	atomic_fetch_add(&s->map_gen, 1);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);
	CHECK(answer(r, list, queries[3]) >= 0);
	CHECK(x && !x->complete && x->n == 3);
	CHECK(mismatches(r, list, want_new) == 0);
	rbl_txn_abort(r);
}

/* Queries whose answer in T differs from WANT when every lookup of a
 * group of 16 follows rbl_ip_prefetch of the whole group (rbld's batch),
 * each address also prefetched as IPv6 and in lists that are not LIST. */
static unsigned prefetched_mismatches(rbl_txn *t, uint32_t list,
				      const int *want)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < N_QUERIES; i += 16) {
		for (unsigned j = i; j < i + 16 && j < N_QUERIES; j++) {
			rbl_prefix p = v4(queries[j], 32);
			rbl_addr six = { 0 };

			six.family = RBL_AF6;
			memcpy(six.bytes, p.addr.bytes, 4);
			/* every stage, and one past them */
			for (unsigned st = 0; st <= RBL_IP_PREFETCH_STAGES;
			     st++)
				rbl_ip_prefetch_stage(t, list, &p.addr, st);
			rbl_ip_prefetch(t, list, &six);
			rbl_ip_prefetch(t, list + 1000, &p.addr);
			rbl_ip_prefetch(t, 0, &p.addr);
		}
		for (unsigned j = i; j < i + 16 && j < N_QUERIES; j++)
			bad += answer(t, list, queries[j]) != want[j];
	}
	return bad;
}

/* rbl_ip_prefetch changes no answer and builds nothing. */
static void test_prefetch(rbl_store *s)
{
	uint32_t big = make_big(s, "pbig", 20000), small = 0, empty = 0;
	rbl_txn *r = NULL, *w = begin(s, true);
	rbl_prefix p = v4(0x0a000001u, 32);
	rbl_addr bad = { 0 }, six = { 0 };

	small = make_list(w, "psmall", RBL_LIST_IP);
	empty = make_list(w, "pempty", RBL_LIST_IP);
	for (uint32_t i = 0; i < 500; i++)
		add(w, small, rnd32(), 32, 2, false);
	CHECK_RC(add_ip(w, small, "2001:db8::/64", 3, false, 0), RBL_OK);
	/* a write transaction: ignored, its own changes answer */
	rbl_ip_prefetch(w, small, &p.addr);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	make_queries(s, big);
	reference(s, big, want_old);

	r = begin(s, false);
	/* prefetching alone claims no slot and builds nothing */
	for (unsigned i = 0; i < 100; i++) {
		rbl_prefix q = v4(queries[i], 32);

		rbl_ip_prefetch(r, big, &q.addr);
	}
	CHECK(slot(r, big) == NULL);
	rbl_ip_prefetch(r, big, NULL);
	rbl_ip_prefetch(r, big, &bad);		/* family 0 */
	rbl_ip_prefetch(NULL, big, &p.addr);
	r->ix_step = 5;
	CHECK(prefetched_mismatches(r, big, want_old) == 0);
	CHECK(slot(r, big) && slot(r, big)->complete);
	CHECK(prefetched_mismatches(r, big, want_old) == 0);
	/* lists without a summary or without entries */
	reference(s, small, want_new);
	CHECK(prefetched_mismatches(r, small, want_new) == 0);
	six = A("2001:db8::1");
	rbl_ip_prefetch(r, small, &six);
	CHECK(lookup_at(r, small, "2001:db8::1", NOW) == 3);
	memset(want_new, 0, sizeof want_new);
	CHECK(prefetched_mismatches(r, empty, want_new) == 0);

	/* reset: ignored; renewed after a commit, the old index is not
	 * used and prefetching does not rebuild it */
	rbl_txn_reset(r);
	rbl_ip_prefetch(r, big, &p.addr);
	w = begin(s, true);
	del_within(w, big, 0x40000000u, 2);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	reference(s, big, want_new);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);
	for (unsigned i = 0; i < 100; i++) {
		rbl_prefix q = v4(queries[i], 32);

		rbl_ip_prefetch(r, big, &q.addr);
	}
	CHECK(slot(r, big) && slot(r, big)->txnid != r->snap_txnid);
	CHECK(prefetched_mismatches(r, big, want_new) == 0);
	CHECK(slot(r, big) && slot(r, big)->complete &&
	      slot(r, big)->txnid == r->snap_txnid);
	rbl_txn_abort(r);
}

/* More big lists than slots: the ones without a slot seek in LMDB. */
static void test_many_lists(rbl_store *s)
{
	enum { LISTS = RBL_CKIDX_SLOTS + 2 };
	static int want[LISTS][N_QUERIES];
	uint32_t lists[LISTS];
	unsigned indexed = 0;
	rbl_txn *r = NULL;

	for (unsigned l = 0; l < LISTS; l++) {
		char name[16];

		snprintf(name, sizeof name, "many%u", l);
		lists[l] = make_big(s, name, RBL_V4SUM_MIN + 200);
	}
	make_queries(s, lists[0]);
	for (unsigned l = 0; l < LISTS; l++)
		reference(s, lists[l], want[l]);
	r = begin(s, false);
	for (unsigned round = 0; round < 2; round++)
		for (unsigned l = 0; l < LISTS; l++)
			CHECK(mismatches(r, lists[l], want[l]) == 0);
	for (unsigned l = 0; l < LISTS; l++)
		indexed += slot(r, lists[l]) && slot(r, lists[l])->complete;
	CHECK(indexed == RBL_CKIDX_SLOTS);
	rbl_txn_abort(r);
}

/* The index in one mmap'd allocation of 2 MiB pages (every size: the
 * test sets the threshold to a byte) and in malloc'd memory: the same
 * answers; grown from 16 chunks by copying; a rebuild for a newer
 * snapshot allocates nothing. */
static void test_huge(rbl_store *s)
{
	uint32_t list = make_big(s, "hbig", 60000);
	const struct rbl_ckidx *x = NULL, *y = NULL;
	rbl_txn *r = begin(s, false), *r2 = begin(s, false), *w = NULL;
	const void *mem = NULL;

	make_queries(s, list);
	reference(s, list, want_old);
	CHECK(chunks(s, list) > 32);	/* grown twice at least */
	r->ix_huge_min = 1;
	r2->ix_huge_min = SIZE_MAX;
	CHECK(mismatches(r, list, want_old) == 0);
	CHECK(mismatches(r2, list, want_old) == 0);
	CHECK((x = slot(r, list)) != NULL && (y = slot(r2, list)) != NULL);
	CHECK(x && x->complete && x->mem_mapped &&
	      ((uintptr_t)x->mem & (RBL_CKIDX_HUGE - 1)) == 0 &&
	      x->n == chunks(s, list) && x->top_bits >= 4);
	CHECK(y && y->complete && !y->mem_mapped && y->n == x->n);
	mem = x ? x->mem : NULL;

	w = begin(s, true);
	del_within(w, list, 0x80000000u, 3);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	reference(s, list, want_new);
	rbl_txn_reset(r);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);
	CHECK(mismatches(r, list, want_new) == 0);
	CHECK(x && x->complete && x->mem == mem && x->mem_mapped);
	rbl_txn_abort(r);
	rbl_txn_abort(r2);
}

/* The records' end a chunk's first lookup learns for the prefetch
 * (rbl_ckent.rec_end) is the one rbl_ck_open finds; a rebuild after a
 * commit keeps those of the chunks the commit left in place; wrong ones
 * change no answer, prefetched or not (a hint, never trusted). */
static void test_rec_end(rbl_store *s)
{
	uint32_t list = make_big(s, "rbig", 60000), learned = 0, kept = 0;
	struct rbl_ckidx *x = NULL;
	rbl_txn *r = begin(s, false), *w = NULL;

	make_queries(s, list);
	reference(s, list, want_old);
	CHECK(mismatches(r, list, want_old) == 0);
	x = (struct rbl_ckidx *)slot(r, list);
	CHECK(x && x->complete);
	for (uint32_t i = 0; x && i < x->n; i++) {
		const struct rbl_ckent *e = &x->ent[i];
		rbl_ck c;

		if (e->rec_end == 0)
			continue;
		learned++;
		CHECK_RC(rbl_ck_open(&c, RBL_AF4, e->data, e->size), RBL_OK);
		CHECK(e->rec_end == c.chain_tab);
	}
	/* the summary answers most misses: not every chunk is read */
	CHECK(learned > 100);

	/* one host more: one chunk rewritten, most others where they were */
	w = begin(s, true);
	add(w, list, 0x0a000001u, 32, 5, false);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	reference(s, list, want_new);
	rbl_txn_reset(r);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);
	r->ix_step = 1u << 20;		/* the whole index at the first lookup */
	CHECK(answer(r, list, queries[0]) >= 0);
	CHECK(x && x->complete && x->txnid == r->snap_txnid);
	for (uint32_t i = 0; x && i < x->n; i++)
		kept += x->ent[i].rec_end != 0;
	/* those of the rewritten chunk's leaf page moved with it */
	CHECK(kept >= learned - learned / 10 && kept <= learned + 1);
	CHECK(mismatches(r, list, want_new) == 0);

	/* every hint wrong: 0, past the chunk, anything */
	for (uint32_t i = 0; x && i < x->n; i++)
		x->ent[i].rec_end = i % 3 == 0 ? 0 :
				    i % 3 == 1 ? UINT16_MAX : (uint16_t)rnd32();
	r->ix_big = 1;
	CHECK(prefetched_mismatches(r, list, want_new) == 0);
	CHECK(mismatches(r, list, want_new) == 0);
	rbl_txn_abort(r);
}

int main(void)
{
	rbl_store *s = NULL;

	rand_seed();
	s = open_rw(tmp_store_dir("ckidx"));
	test_snapshots(s);
	test_many_lists(s);
	test_prefetch(s);
	test_huge(s);
	test_rec_end(s);
	rbl_store_close(s);
	return check_done();
}
