/*
 * test_store_journal.c -- serials, the journal (IXFR), purge, readers in
 * other processes and renewed read transactions, extra databases, the
 * on-disk version check, backup and the serial bump after a restore.
 */
#include <sys/wait.h>

#include "tests/unit/store_test.h"
/* the store's own side: the format record, the reader table's size */
#include "zone/store/store_impl.h"

#define NOW 1700000000

struct jlog {
	unsigned n;
	char text[64][300];
};

static int log_change(void *arg, const rbl_change *c)
{
	struct jlog *j = arg;
	char buf[RBL_ADDR_STRLEN];

	if (j->n < 64)
		snprintf(j->text[j->n], sizeof j->text[0], "%u %s %s %u",
			 c->serial, c->op == RBL_CHANGE_ADD ? "add" : "del",
			 c->is_name ? c->name : rbl_prefix_format(&c->prefix,
								  buf),
			 c->entry.n_codes ? c->entry.codes[0] & 255 : 0);
	j->n++;
	return 0;
}

static int journal(rbl_store *s, uint32_t zone, uint32_t from,
		   struct jlog *j)
{
	memset(j, 0, sizeof *j);
	return journal_visit(s, zone, from, log_change, j);
}

static uint32_t make_zone(rbl_txn *t, const char *name, const uint32_t *lists,
			  unsigned n)
{
	rbl_zone z;

	rbl_zone_defaults(&z, name);
	z.n_lists = (uint8_t)n;
	for (unsigned i = 0; i < n; i++)
		z.lists[i].list_id = lists[i];
	if (n > 1)
		strcpy(z.lists[1].sub, "second");
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	return z.id;
}

static void test_serials_and_journal(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t l1 = make_list(t, "j1", RBL_LIST_IP);
	uint32_t l2 = make_list(t, "j2", RBL_LIST_NAME);
	uint32_t both[2] = { l1, l2 };
	uint32_t za = make_zone(t, "a.example", both, 1);
	uint32_t zc = make_zone(t, "combined.example", both, 2);
	struct jlog j;
	rbl_entry e;

	CHECK_RC(add_ip(t, l1, "192.0.2.1", 2, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	/* created in this transaction: serial 1, journal starts there */
	CHECK(serial_of(s, za) == 1 && serial_of(s, zc) == 1);
	CHECK_RC(journal(s, za, 0, &j), RBL_ESTALE);
	CHECK_RC(journal(s, za, 1, &j), RBL_OK);
	CHECK(j.n == 0);

	t = begin(s, true);
	CHECK_RC(add_ip(t, l1, "192.0.2.2", 3, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, l1, "192.0.2.1", 4, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(s, za) == 2 && serial_of(s, zc) == 2);

	t = begin(s, true);
	rbl_entry_init(&e);
	CHECK_RC(rbl_name_add(t, l2, "bad.example", &e), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(s, za) == 2 && serial_of(s, zc) == 3);

	t = begin(s, true);
	{
		rbl_prefix p = P("192.0.2.2");

		CHECK_RC(rbl_ip_del(t, l1, &p), RBL_OK);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(s, za) == 3 && serial_of(s, zc) == 4);

	CHECK_RC(journal(s, za, 1, &j), RBL_OK);
	CHECK(j.n == 4);
	CHECK_STR(j.text[0], "2 add 192.0.2.2 3");
	CHECK_STR(j.text[1], "2 del 192.0.2.1 2");
	CHECK_STR(j.text[2], "2 add 192.0.2.1 4");
	CHECK_STR(j.text[3], "3 del 192.0.2.2 3");
	CHECK_RC(journal(s, zc, 2, &j), RBL_OK);
	CHECK(j.n == 2);
	CHECK_STR(j.text[0], "3 add bad.example 0");
	CHECK_STR(j.text[1], "4 del 192.0.2.2 3");
	CHECK_RC(journal(s, zc, 4, &j), RBL_OK);
	CHECK(j.n == 0);
	CHECK_RC(journal(s, zc, 5, &j), RBL_ESTALE);	/* ahead of us */
	CHECK_RC(journal(s, 999, 1, &j), RBL_ENOTFOUND);

	/* a bulk import resets the journal of every zone using the list */
	t = begin(s, true);
	rbl_txn_set_bulk(t);
	CHECK_RC(add_ip(t, l1, "198.51.100.0/24", 5, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(s, za) == 4 && serial_of(s, zc) == 5);
	CHECK_RC(journal(s, za, 3, &j), RBL_ESTALE);
	CHECK_RC(journal(s, zc, 1, &j), RBL_ESTALE);
	CHECK_RC(journal(s, za, 4, &j), RBL_OK);

	t = begin(s, true);
	CHECK_RC(add_ip(t, l1, "198.51.100.7", 6, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(journal(s, za, 4, &j), RBL_OK);
	CHECK(j.n == 1);
	CHECK_STR(j.text[0], "5 add 198.51.100.7 6");

	/* clearing the list also resets */
	t = begin(s, true);
	CHECK_RC(rbl_list_clear(t, l1), RBL_OK);
	CHECK(lookup_at(t, l1, "198.51.100.7", NOW) == -1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(journal(s, za, 5, &j), RBL_ESTALE);
	CHECK_RC(journal(s, za, 6, &j), RBL_OK);
	t = begin(s, false);
	{
		rbl_list l;

		CHECK_RC(rbl_list_get_id(t, l1, &l), RBL_OK);
		CHECK(l.n_entries == 0);
		CHECK(lookup_at(t, l1, "198.51.100.7", NOW) == -1);
		CHECK(lookup_at(t, l1, "192.0.2.1", NOW) == -1);
	}
	rbl_txn_abort(t);

	/* pruning: records older than the window go, and with them IXFR */
	t = begin(s, true);
	CHECK_RC(add_ip(t, l1, "203.0.113.1", 7, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(journal(s, za, 6, &j), RBL_OK);
	CHECK(j.n == 1);
	t = begin(s, true);
	CHECK_RC(rbl_journal_prune(t, time(NULL) + 100, 1000), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(journal(s, za, 6, &j), RBL_OK);	/* still in window */
	t = begin(s, true);
	CHECK_RC(rbl_journal_prune(t, time(NULL) + 2000, 1000), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(journal(s, za, 6, &j), RBL_ESTALE);
	CHECK_RC(journal(s, za, serial_of(s, za), &j), RBL_OK);
}

static void test_purge(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	uint32_t l = make_list(t, "purge", RBL_LIST_IP);
	uint32_t ln = make_list(t, "purgen", RBL_LIST_NAME);
	uint32_t lists[2] = { l, ln };
	uint32_t z = make_zone(t, "purge.example", lists, 2);
	uint64_t n = 0;
	struct jlog j;
	rbl_entry e;
	rbl_list rec;
	char buf[64];

	CHECK_RC(add_ip(t, l, "10.0.0.0/8", 2, false, 0), RBL_OK);
	CHECK_RC(add_ip(t, l, "10.1.0.0/16", 3, false, NOW + 10), RBL_OK);
	CHECK_RC(add_ip(t, l, "10.1.1.0/24", 0, true, NOW + 5), RBL_OK);
	rbl_entry_init(&e);
	e.expires = NOW + 1;
	CHECK_RC(rbl_name_add(t, ln, "gone.example", &e), RBL_OK);
	e.expires = 0;
	CHECK_RC(rbl_name_add(t, ln, "stays.example", &e), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);

	t = begin(s, true);
	CHECK_RC(rbl_purge_expired(t, NOW + 5, &n), RBL_OK);
	CHECK(n == 2);
	CHECK(lookup_at(t, l, "10.1.1.1", NOW) == 3);	/* exclusion gone */
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(s, z) == 2);
	CHECK_RC(journal(s, z, 1, &j), RBL_OK);
	CHECK(j.n == 2);
	CHECK_STR(j.text[0], "2 del 10.1.1.0/24 0");
	CHECK_STR(j.text[1], "2 del gone.example 0");
	t = begin(s, false);
	CHECK_RC(rbl_list_get_id(t, l, &rec), RBL_OK);
	CHECK(rec.n_entries == 2);
	CHECK(name_at(t, ln, "stays.example", NOW) == 0);
	rbl_txn_abort(t);

	/* many expired entries in one list: one rebuild at commit */
	t = begin(s, true);
	for (int i = 0; i < 600; i++) {
		snprintf(buf, sizeof buf, "10.2.%d.%d", i / 256, i % 256);
		CHECK_RC(add_ip(t, l, buf, 4, i % 2 == 0, NOW + 20), RBL_OK);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	CHECK(lookup_at(t, l, "10.2.1.1", NOW) == 4);
	CHECK(lookup_at(t, l, "10.2.1.2", NOW) == -1);
	CHECK_RC(rbl_purge_expired(t, NOW + 20, &n), RBL_OK);
	CHECK(n == 601);	/* and 10.1.0.0/16 */
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, false);
	CHECK(lookup_at(t, l, "10.2.1.1", NOW) == 2);
	CHECK(lookup_at(t, l, "10.2.1.2", NOW) == 2);
	CHECK(lookup_at(t, l, "10.1.1.2", NOW) == 2);
	CHECK_RC(rbl_list_get_id(t, l, &rec), RBL_OK);
	CHECK(rec.n_entries == 1);
	rbl_txn_abort(t);
	CHECK_RC(journal(s, z, 2, &j), RBL_OK);
	CHECK(j.n == 600 + 601);
}

/* A read transaction kept across commits sees them after reset/renew. */
static void test_renew(rbl_store *s)
{
	rbl_txn *w = begin(s, true);
	uint32_t l = make_list(w, "renew", RBL_LIST_IP);
	rbl_txn *r;

	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	r = begin(s, false);
	CHECK(lookup_at(r, l, "192.0.2.77", NOW) == -1);
	w = begin(s, true);
	CHECK_RC(add_ip(w, l, "192.0.2.77", 9, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	CHECK(lookup_at(r, l, "192.0.2.77", NOW) == -1);	/* snapshot */
	CHECK(atomic_load(&s->live_txns) == 1);
	rbl_txn_reset(r);
	CHECK(atomic_load(&s->live_txns) == 0);
	rbl_txn_reset(r);
	CHECK(atomic_load(&s->live_txns) == 0);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);
	CHECK(atomic_load(&s->live_txns) == 1);
	CHECK(lookup_at(r, l, "192.0.2.77", NOW) == 9);
	CHECK_RC(rbl_txn_renew(r), RBL_OK);	/* renew without reset */
	CHECK(lookup_at(r, l, "192.0.2.77", NOW) == 9);
	rbl_txn_abort(r);
	CHECK(atomic_load(&s->live_txns) == 0);
}

/* Child: open read-only, expect LOOKUP of 192.0.2.88 in list L, and no
 * write transaction.  Exit 0 if all held. */
static int child_reader(const char *dir, uint32_t l, int want, int wait_fd,
			int ready_fd)
{
	rbl_store *s;
	rbl_txn *t;
	char c = 'r';
	int got;

	if (rbl_store_open(dir, RBL_STORE_RDONLY, 0, &s) != RBL_OK)
		return 10;
	if (rbl_txn_begin(s, true, &t) != RBL_EREADONLY)
		return 11;
	if (rbl_txn_begin(s, false, &t) != RBL_OK)
		return 12;
	got = lookup_at(t, l, "192.0.2.88", NOW);
	if (got != (wait_fd >= 0 ? -1 : want))
		return 13;
	if (wait_fd >= 0) {
		/* tell the parent we hold a snapshot, wait for its commit */
		if (write(ready_fd, &c, 1) != 1 || read(wait_fd, &c, 1) != 1)
			return 14;
		if (lookup_at(t, l, "192.0.2.88", NOW) != -1)
			return 15;
		rbl_txn_reset(t);
		if (rbl_txn_renew(t) != RBL_OK)
			return 16;
		if (lookup_at(t, l, "192.0.2.88", NOW) != want)
			return 17;
	}
	rbl_txn_abort(t);
	rbl_store_close(s);
	return 0;
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_other_process(rbl_store *s, const char *dir)
{
	rbl_txn *w = begin(s, true);
	uint32_t l = make_list(w, "procs", RBL_LIST_IP);
	int to_child[2], to_parent[2];
	pid_t pid;
	char c;

	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	/* a reader opens and reads while this process holds a write txn */
	w = begin(s, true);
	CHECK_RC(add_ip(w, l, "192.0.2.88", 8, false, 0), RBL_OK);
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(child_reader(dir, l, -1, -1, -1));
	CHECK(wait_child(pid) == 0);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	if ((pid = fork()) == 0)
		_exit(child_reader(dir, l, 8, -1, -1));
	CHECK(wait_child(pid) == 0);

	/* a long-lived reader renews and sees a later commit */
	w = begin(s, true);
	CHECK_RC(rbl_ip_del(w, l, &(rbl_prefix){ A("192.0.2.88"), 32 }),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0);
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(child_reader(dir, l, 5, to_child[0], to_parent[1]));
	CHECK(read(to_parent[0], &c, 1) == 1);
	w = begin(s, true);
	CHECK_RC(add_ip(w, l, "192.0.2.88", 5, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(w), RBL_OK);
	CHECK(write(to_child[1], "go", 1) == 1);
	CHECK(wait_child(pid) == 0);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void test_extra_db(rbl_store *s)
{
	rbl_txn *t = begin(s, true);
	rbl_table db = { 0 }, db2 = { 0 };
	rbl_val v = { 0 };

	CHECK_RC(rbl_table_open(t, "evidence", &db), RBL_OK);
	CHECK_RC(rbl_table_open(t, "evidence", &db2), RBL_OK);
	CHECK(db.dbi == db2.dbi);
	CHECK_RC(rbl_table_open(t, "meta", &db2), RBL_EINVAL);
	CHECK_RC(rbl_table_open(t, "", &db2), RBL_EINVAL);
	CHECK(rbl_table_put(&db, "key", 3, "value", 5, 0) == RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	CHECK_RC(rbl_table_open(t, "aborted", &db2), RBL_OK);
	rbl_txn_abort(t);
	t = begin(s, false);
	CHECK_RC(rbl_table_open(t, "evidence", &db2), RBL_OK);
	CHECK(db2.dbi == db.dbi);
	CHECK(rbl_table_get(&db2, "key", 3, &v) == RBL_OK && v.len == 5);
	CHECK_RC(rbl_table_open(t, "aborted", &db2), RBL_ENOTFOUND);
	CHECK_RC(rbl_table_open(t, "never", &db2), RBL_ENOTFOUND);
	rbl_txn_abort(t);
}

static void test_stats(rbl_store *s)
{
	rbl_txn *t = begin(s, false);
	rbl_store_stats st;

	CHECK_RC(rbl_store_stats_get(t, &st), RBL_OK);
	CHECK(st.map_size == 1u << 30 && st.page_size >= 4096);
	CHECK(st.map_used > 0 && st.map_used <= st.map_size);
	CHECK(st.max_readers == RBL_STORE_MAXREADERS);
	CHECK(st.n_entries > 0);
	rbl_txn_abort(t);
}

static void test_version(const char *dir)
{
	rbl_store *s = open_rw(dir);
	rbl_txn *t = begin(s, true);

	CHECK(rbl_db_put(t, s->meta, "#version", 8, "\0\0\0\x63", 4, 0) ==
	      RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	rbl_store_close(s);
	CHECK_RC(rbl_store_open(dir, 0, 0, &s), RBL_EVERSION);
	CHECK_RC(rbl_store_open(dir, RBL_STORE_RDONLY, 0, &s), RBL_EVERSION);
}

static void test_serial_arithmetic(void)
{
	CHECK(rbl_serial_after(1, 0) && !rbl_serial_after(0, 1));
	CHECK(!rbl_serial_after(5, 5));
	CHECK(rbl_serial_after(0x7fffffffu, 0));
	CHECK(!rbl_serial_after(0x80000000u, 0));	/* undefined: never */
	CHECK(!rbl_serial_after(0, 0x80000000u));
	CHECK(rbl_serial_after(3, 0xfffffff0u));	/* across the wrap */
	CHECK(!rbl_serial_after(0xfffffff0u, 3));
}

/* Back up at serial 2, go on to serial 4 (what secondaries were sent),
 * restore: the serial moves past 4 with a reset, so no IXFR reaches from
 * the lost history or from before the restore; later commits journal on. */
static void test_backup_restore(void)
{
	const char *live = tmp_store_dir("live"), *bak = tmp_store_dir("bak");
	rbl_store *s = open_rw(live), *r;
	rbl_txn *t = begin(s, true);
	uint32_t l = make_list(t, "r", RBL_LIST_IP);
	uint32_t z = make_zone(t, "r.example", &l, 1), to;
	uint64_t size = 0;
	struct jlog j;

	CHECK_RC(add_ip(t, l, "192.0.2.1", 2, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(s, true);
	CHECK_RC(add_ip(t, l, "192.0.2.2", 2, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(s, z) == 2);
	CHECK_RC(rbl_store_backup(s, bak, &size), RBL_OK);
	CHECK(size > 0);
	for (int i = 3; i <= 4; i++) {
		char a[32];

		snprintf(a, sizeof a, "192.0.2.%d", i);
		t = begin(s, true);
		CHECK_RC(add_ip(t, l, a, 2, false, 0), RBL_OK);
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
	}
	CHECK(serial_of(s, z) == 4);
	CHECK_RC(journal(s, z, 2, &j), RBL_OK);
	CHECK(j.n == 2);
	rbl_store_close(s);

	r = open_rw(bak);
	CHECK(serial_of(r, z) == 2);
	CHECK_RC(journal(r, z, 1, &j), RBL_OK);	/* its own past is there */
	CHECK(j.n == 1);
	t = begin(r, false);
	CHECK(lookup_at(t, l, "192.0.2.2", NOW) == 2);
	CHECK(lookup_at(t, l, "192.0.2.3", NOW) == -1);	/* after the backup */
	rbl_txn_abort(t);
	t = begin(r, true);
	CHECK_RC(rbl_zone_set_serial(t, z, 2), RBL_EINVAL);	/* not after */
	CHECK_RC(rbl_zone_set_serial(t, z, 1), RBL_EINVAL);
	CHECK_RC(rbl_zone_set_serial(t, z, 0x80000002u), RBL_EINVAL);
	CHECK_RC(rbl_zone_set_serial(t, 999, 10), RBL_ENOTFOUND);
	rbl_txn_abort(t);
	t = begin(r, true);
	CHECK_RC(rbl_zone_set_serial(t, z, 1000), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(r, z) == 1000);
	/* IXFR from the lost serial 4, from 2 and 1: the whole zone */
	CHECK_RC(journal(r, z, 4, &j), RBL_ESTALE);
	CHECK_RC(journal(r, z, 2, &j), RBL_ESTALE);
	CHECK_RC(journal(r, z, 1, &j), RBL_ESTALE);
	CHECK_RC(journal(r, z, 1000, &j), RBL_OK);
	CHECK(j.n == 0);
	t = begin(r, true);
	CHECK_RC(add_ip(t, l, "192.0.2.9", 2, false, 0), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	to = serial_of(r, z);
	CHECK(to == 1001);
	CHECK_RC(journal(r, z, 1000, &j), RBL_OK);
	CHECK(j.n == 1);
	CHECK_STR(j.text[0], "1001 add 192.0.2.9 2");
	CHECK_RC(journal(r, z, 4, &j), RBL_ESTALE);
	/* across the wrap of 2^32 */
	t = begin(r, true);
	CHECK_RC(rbl_zone_set_serial(t, z, 0x7fffffffu), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(r, true);
	CHECK_RC(rbl_zone_set_serial(t, z, 0xfffffff0u), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	t = begin(r, true);
	CHECK_RC(rbl_zone_set_serial(t, z, 5), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(serial_of(r, z) == 5);
	rbl_store_close(r);
}

int main(void)
{
	const char *dir = tmp_store_dir("journal");
	rbl_store *s = open_rw(dir);

	test_serials_and_journal(s);
	test_purge(s);
	test_renew(s);
	test_other_process(s, dir);
	test_extra_db(s);
	test_stats(s);
	test_serial_arithmetic();
	test_backup_restore();
	rbl_store_close(s);
	/* the extra database is found by a later open */
	s = open_rw(dir);
	{
		rbl_txn *t = begin(s, false);
		rbl_table db = { 0 };

		CHECK_RC(rbl_table_open(t, "evidence", &db), RBL_OK);
		rbl_txn_abort(t);
	}
	rbl_store_close(s);
	test_version(dir);
	return check_done();
}
