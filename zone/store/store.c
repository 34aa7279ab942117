/*
 * store.c -- the LMDB environment, its named databases, and the LMDB side
 * of transactions: beginning them, ending them, resetting and renewing a
 * reader's snapshot.
 *
 * One environment per store directory, opened with MDB_NOTLS so a read
 * transaction is a handle a server worker keeps, resets and renews (LMDB
 * ties nothing to the thread).  What the parts of the store do at a
 * transaction's end (segment rebuilds, entry counts, serial bumps, journal
 * records) is store_commit.c's, above every part; this file calls none of
 * them.  A read-only store's map is advised for huge pages, and regions
 * of it read in again in them (store_huge.c; rbl_store_rehuge holds the
 * transaction that keeps the map in place meanwhile).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zone/store/store_impl.h"

static const char *const core_dbs[] = { "meta", "ipchunk", "name",
					"journal" };
#define N_CORE_DBS (sizeof core_dbs / sizeof core_dbs[0])

const char *rbl_store_path(const rbl_store *s)
{
	return s->path;
}

/* ------------------------------------------------------------ open */

static int env_create(rbl_store *s, size_t mapsize)
{
	int rc = mdb_env_create(&s->env);

	if (rc)
		return rbl_mdb_error(rc);
	if ((rc = mdb_env_set_maxdbs(s->env, RBL_STORE_MAXDBS)) ||
	    (rc = mdb_env_set_maxreaders(s->env, RBL_STORE_MAXREADERS)) ||
	    (rc = mdb_env_set_mapsize(s->env, mapsize)))
		return rbl_mdb_error(rc);
	return RBL_OK;
}

/* An errno from looking for the store: "absent" only when the system
 * said so (ENOENT); a directory we may not enter hides whether a store is
 * there, and callers must not tell the operator to create one. */
static int dir_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:	return RBL_ENOTFOUND;
	case EACCES:
	case EPERM:	return RBL_EPERM;
	case ENOMEM:	return RBL_ENOMEM;
	}
	return RBL_EIO;
}

/* Whether PATH holds a store, creating the directory when allowed. */
static int check_dir(const char *path, unsigned flags)
{
	char file[4096];
	struct stat st = { 0 };

	if (stat(path, &st) != 0) {
		if (errno != ENOENT || !(flags & RBL_STORE_CREATE))
			return dir_errno(errno);
		if (mkdir(path, 0750) != 0)
			return dir_errno(errno);
		return RBL_OK;
	}
	if (!S_ISDIR(st.st_mode))
		return RBL_EINVAL;
	if (flags & RBL_STORE_CREATE)
		return RBL_OK;
	if ((size_t)snprintf(file, sizeof file, "%s/data.mdb", path) >=
	    sizeof file)
		return RBL_EINVAL;
	return access(file, F_OK) == 0 ? RBL_OK : dir_errno(errno);
}

/* The format in the store is checked; with STAMP the current one is
 * written when it differs (a writer, once nothing needs converting). */
static int check_version(MDB_txn *txn, MDB_dbi meta, bool write, bool stamp)
{
	MDB_val k = { 8, "#version" }, v = { 0 };
	uint8_t buf[4];
	uint32_t format;
	int rc = mdb_get(txn, meta, &k, &v);

	if (rc == MDB_NOTFOUND && !write)
		return RBL_ENOTFOUND;
	if (rc && rc != MDB_NOTFOUND)
		return rbl_mdb_error(rc);
	if (rc == 0) {
		format = v.mv_size == 4 ? rbl_get_be32(v.mv_data) : 0;
		if (format < RBL_STORE_FORMAT_OLDEST ||
		    format > RBL_STORE_FORMAT)
			return RBL_EVERSION;
		/* an older layout: a writer converts or upgrades it */
		if (format == RBL_STORE_FORMAT || !write || !stamp)
			return RBL_OK;
	}
	rbl_put_be32(buf, RBL_STORE_FORMAT);
	v.mv_size = 4;
	v.mv_data = buf;
	return rbl_mdb_error(mdb_put(txn, meta, &k, &v, 0));
}

/* True if TXN's store keeps IP entries the format 1-4 way. */
static bool legacy_ip(MDB_txn *txn)
{
	MDB_dbi dbi = 0;

	return mdb_dbi_open(txn, "ipent", 0, &dbi) == 0;
}

/* Open (and in a writable store create) the core databases, and open every
 * other named database already present so readers find them cached.  A
 * store with IP entries of format 1-4 is refused read-only; read-write it
 * is left unstamped for rbl_store_open to convert (store_upgrade.c). */
static int open_dbs(rbl_store *s, MDB_txn *txn, bool write)
{
	MDB_dbi *slots[N_CORE_DBS] = { &s->meta, &s->ipchunk, &s->name,
				       &s->journal };
	unsigned fl = write ? MDB_CREATE : 0;
	int rc = 0;

	s->legacy = legacy_ip(txn);
	for (size_t i = 0; i < N_CORE_DBS; i++) {
		rc = mdb_dbi_open(txn, core_dbs[i], fl, slots[i]);
		if (rc == MDB_NOTFOUND)
			return s->legacy ? RBL_EUPGRADE : RBL_ENOTFOUND;
		if (rc)
			return rbl_mdb_error(rc);
	}
	if ((rc = check_version(txn, s->meta, write, !s->legacy)) != RBL_OK)
		return rc;
	return s->legacy && !write ? RBL_EUPGRADE : RBL_OK;
}

int rbl_store_stamp_format(rbl_txn *t)
{
	return check_version(t->txn, t->s->meta, true, true);
}

static bool is_core_db(const char *name, size_t len)
{
	/* "ipent" and "ipseg" held IP entries before format 5 */
	static const char *const old_dbs[] = { "ipent", "ipseg" };

	for (size_t i = 0; i < N_CORE_DBS; i++)
		if (strlen(core_dbs[i]) == len && !memcmp(core_dbs[i], name, len))
			return true;
	for (size_t i = 0; i < 2; i++)
		if (strlen(old_dbs[i]) == len && !memcmp(old_dbs[i], name, len))
			return true;
	return false;
}

static int open_extra_dbs(rbl_store *s, MDB_txn *txn)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	MDB_dbi main_dbi = 0;
	int rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);

	if (rc || (rc = mdb_cursor_open(txn, main_dbi, &c)))
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		struct rbl_named_db *d = &s->extra[s->n_extra];

		if (k.mv_size > RBL_DB_NAME_MAX ||
		    is_core_db(k.mv_data, k.mv_size) ||
		    s->n_extra + N_CORE_DBS >= RBL_STORE_MAXDBS)
			continue;
		memcpy(d->name, k.mv_data, k.mv_size);
		d->name[k.mv_size] = 0;
		if (memchr(d->name, 0, k.mv_size) ||
		    mdb_dbi_open(txn, d->name, 0, &d->dbi) != 0)
			continue;
		d->pending = NULL;
		s->n_extra++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? RBL_OK : rbl_mdb_error(rc);
}

/* Readers (rbld) must write the lock file to take a reader slot, but need
 * not write the data: let the group do the former only.  Best effort: a
 * store owned by someone else keeps its modes. */
static void set_file_modes(const char *path)
{
	char file[4096];

	if ((size_t)snprintf(file, sizeof file, "%s/lock.mdb", path) <
	    sizeof file)
		(void)chmod(file, 0660);
}

static int env_open(rbl_store *s, const char *path, unsigned flags)
{
	bool write = !(flags & RBL_STORE_RDONLY);
	unsigned mf = MDB_NOTLS | (write ? 0 : MDB_RDONLY);
	MDB_txn *txn = NULL;
	int rc = mdb_env_open(s->env, path, mf, 0640);

	/* EACCES here is a file we may not open, not a read-only store */
	if (rc == EACCES || rc == EPERM)
		return RBL_EPERM;
	if (rc)
		return rc == EINVAL ? RBL_ESTORE : rbl_mdb_error(rc);
	if (write) {
		set_file_modes(path);
		mdb_reader_check(s->env, NULL);
	}
	if ((rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &txn)))
		return rbl_mdb_error(rc);
	if ((rc = open_dbs(s, txn, write)) != RBL_OK ||
	    (rc = open_extra_dbs(s, txn)) != RBL_OK) {
		mdb_txn_abort(txn);
		return rc;
	}
	if (!write)
		rbl_huge_advise(s->env, txn);	/* store_huge.c says why */
	return rbl_mdb_error(mdb_txn_commit(txn));
}

int rbl_store_open_env(const char *path, unsigned flags, size_t mapsize,
		       rbl_store **out)
{
	rbl_store *s = NULL;
	int rc;

	*out = NULL;
	if (!path || !*path)
		return RBL_EINVAL;
	if ((rc = check_dir(path, flags)) != RBL_OK)
		return rc;
	if (!(s = calloc(1, sizeof *s)) || !(s->path = strdup(path))) {
		free(s);
		return RBL_ENOMEM;
	}
	s->flags = flags;
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->live_txns, 0);
	rc = env_create(s, mapsize ? mapsize : RBL_STORE_DEFAULT_MAPSIZE);
	if (rc == RBL_OK)
		rc = env_open(s, path, flags);
	if (rc != RBL_OK) {
		rbl_store_close(s);
		return rc;
	}
	*out = s;
	return RBL_OK;
}

void rbl_store_close(rbl_store *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	pthread_mutex_destroy(&s->lock);
	free(s->v4sum_buf);
	free(s->path);
	free(s);
}

/* ------------------------------------------------- extra databases */

static struct rbl_named_db *find_extra(rbl_store *s, const char *name,
				       const rbl_txn *t)
{
	for (unsigned i = 0; i < s->n_extra; i++) {
		struct rbl_named_db *d = &s->extra[i];

		if (strcmp(d->name, name) == 0 &&
		    (!d->pending || d->pending == t))
			return d;
	}
	return NULL;
}

/* A read transaction cannot open a database for later transactions, so a
 * short-lived one does it, and T must be renewed to see the handle. */
static int open_extra_for_reader(rbl_txn *t, const char *name, MDB_dbi *out)
{
	MDB_txn *side = NULL;
	unsigned fl = 0;
	int rc = mdb_txn_begin(t->s->env, NULL, MDB_RDONLY, &side);

	if (rc)
		return rbl_mdb_error(rc);
	rc = mdb_dbi_open(side, name, 0, out);
	if (rc) {
		mdb_txn_abort(side);
		return rbl_mdb_error(rc);
	}
	if ((rc = mdb_txn_commit(side)))
		return rbl_mdb_error(rc);
	return mdb_dbi_flags(t->txn, *out, &fl) == 0 ? RBL_OK : RBL_ESTALE;
}

int rbl_store_db(rbl_txn *t, const char *name, MDB_dbi *out)
{
	rbl_store *s = t->s;
	struct rbl_named_db *d;
	int rc;

	if (!name || !*name || strlen(name) > RBL_DB_NAME_MAX ||
	    is_core_db(name, strlen(name)))
		return RBL_EINVAL;
	pthread_mutex_lock(&s->lock);
	if ((d = find_extra(s, name, t))) {
		*out = d->dbi;
		pthread_mutex_unlock(&s->lock);
		return RBL_OK;
	}
	if (s->n_extra + N_CORE_DBS >= RBL_STORE_MAXDBS) {
		rc = RBL_ELIMIT;
	} else if (t->write) {
		rc = rbl_mdb_error(mdb_dbi_open(t->txn, name, MDB_CREATE, out));
	} else {
		rc = open_extra_for_reader(t, name, out);
	}
	if (rc == RBL_OK || rc == RBL_ESTALE) {
		d = &s->extra[s->n_extra++];
		strcpy(d->name, name);
		d->dbi = *out;
		d->pending = t->write ? t : NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* After T ends: publish (COMMITTED) or forget the databases it created. */
static void settle_extra(rbl_txn *t, bool committed)
{
	rbl_store *s = t->s;
	unsigned j = 0;

	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->n_extra; i++) {
		struct rbl_named_db *d = &s->extra[i];

		if (d->pending == t) {
			d->pending = NULL;
			if (!committed)
				continue;
		}
		s->extra[j++] = *d;
	}
	s->n_extra = j;
	pthread_mutex_unlock(&s->lock);
}

/* ----------------------------------------------------- transactions */

/* The map was made again: advise it as env_open did. */
static void advise_new_map(rbl_store *s)
{
	MDB_txn *txn = NULL;

	if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) == 0) {
		rbl_huge_advise(s->env, txn);
		mdb_txn_abort(txn);
	}
}

/* Another process grew the data beyond our map (MDB_MAP_RESIZED): adopt
 * the new size, which LMDB allows only while no transaction of this process
 * is live.  Until every worker has reset, this answers RBL_EBUSY and the
 * caller retries (every new transaction fails the same way meanwhile). */
static int adopt_map_size(rbl_store *s)
{
	int rc = RBL_EBUSY;

	pthread_mutex_lock(&s->lock);
	if (atomic_load(&s->live_txns) == 0) {
		rc = rbl_mdb_error(mdb_env_set_mapsize(s->env, 0));
		atomic_fetch_add(&s->map_gen, 1);	/* it may have moved */
		if (rc == RBL_OK && (s->flags & RBL_STORE_RDONLY))
			advise_new_map(s);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int begin_mdb(rbl_store *s, bool write, MDB_txn **txn)
{
	unsigned fl = write ? 0 : MDB_RDONLY;
	int rc = mdb_txn_begin(s->env, NULL, fl, txn);

	if (rc == MDB_MAP_RESIZED) {
		if ((rc = adopt_map_size(s)) != RBL_OK)
			return rc;
		rc = mdb_txn_begin(s->env, NULL, fl, txn);
	}
	if (rc == 0)
		atomic_fetch_add(&s->live_txns, 1);
	return rbl_mdb_error(rc);
}

int rbl_store_mdb_begin(rbl_store *s, bool write, MDB_txn **txn)
{
	return begin_mdb(s, write, txn);
}

void rbl_store_mdb_abort(rbl_store *s, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	atomic_fetch_sub(&s->live_txns, 1);
}

void rbl_store_rehuge(rbl_store *s, rbl_rehuge_stats *out)
{
	MDB_txn *txn = NULL;

	*out = (rbl_rehuge_stats){ 0 };
	rbl_store_mark_now(s, &out->mark);
	if (!(s->flags & RBL_STORE_RDONLY) || begin_mdb(s, false, &txn))
		return;
	/* The safety argument: the pass unmaps regions of the map by address
	 * (MADV_DONTNEED), and on an address the map has left it would
	 * destroy whatever memory is there now.  The map moves only in
	 * adopt_map_size, and only while no transaction of this process is
	 * live.  TXN is counted live from here to its end, so no adoption
	 * starts meanwhile; taking the lock once waits out one that began
	 * before TXN was counted.  From then on the map stays put until
	 * rbl_store_mdb_abort (a map size another process set waits, its
	 * readers retrying on RBL_EBUSY, for the pass's duration). */
	pthread_mutex_lock(&s->lock);
	pthread_mutex_unlock(&s->lock);
	rbl_huge_pass(s, txn, out);
	rbl_store_mdb_abort(s, txn);
}

void rbl_store_mark_now(rbl_store *s, rbl_store_mark *out)
{
	MDB_envinfo info = { 0 };
	mdb_filehandle_t fd = -1;
	struct stat st = { 0 };

	*out = (rbl_store_mark){ 0 };
	if (mdb_env_info(s->env, &info) == 0)
		out->txnid = (uint64_t)info.me_last_txnid;
	if (mdb_env_get_fd(s->env, &fd) == 0 && fstat(fd, &st) == 0)
		out->blocks = (uint64_t)st.st_blocks;
}

/* Pages a commit frees become reusable only two commits later: LMDB
 * keeps the previous snapshot whole (readers, recovery).  So back-to-back
 * replacements of a whole list would each need fresh room, and the file
 * would settle near three times the data.  A small commit after a big
 * rewrite (a counter in meta) makes the freed pages reusable by the next
 * one: the file then settles near twice the data.  Best effort: a
 * failure costs room, not data. */
void rbl_store_tick(rbl_store *s)
{
	MDB_val k = { 5, "#tick" }, v = { 0 };
	uint8_t b[8];
	uint64_t n = 0;
	MDB_txn *txn = NULL;

	if (begin_mdb(s, true, &txn) != RBL_OK)
		return;
	if (mdb_get(txn, s->meta, &k, &v) == 0 && v.mv_size == 8)
		n = rbl_get_be64(v.mv_data);
	rbl_put_be64(b, n + 1);
	v.mv_size = sizeof b;
	v.mv_data = b;
	if (mdb_put(txn, s->meta, &k, &v, 0) == 0)
		mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	atomic_fetch_sub(&s->live_txns, 1);
}

/* T's snapshot is released (reset, abort, commit). */
static void txn_unlive(rbl_txn *t)
{
	if (!t->reset)
		atomic_fetch_sub(&t->s->live_txns, 1);
	t->reset = true;
}

/* The snapshot and map that read txn T reads now: when either is not
 * the one it read before, what was kept from that one goes.  Kept values
 * stay true and kept pointers valid across a reset and a renew onto the
 * same snapshot for the reasons store_ckidx.c gives: the newest snapshot
 * is the one a renew reads, so the same id means nothing was committed
 * in between and its pages were never written or reused; the map moves
 * only where map_gen counts it. */
static void learn_snapshot(rbl_txn *t)
{
	uint64_t id = (uint64_t)mdb_txn_id(t->txn);
	unsigned mapgen = atomic_load(&t->s->map_gen);

	if (t->snap && id == t->snap_txnid && mapgen == t->snap_mapgen)
		return;
	t->snap_txnid = id;
	t->snap_mapgen = mapgen;
	t->snap++;
	rbl_v4sum_forget(t);
}

uint64_t rbl_txn_snapshot(const rbl_txn *t)
{
	return t->write ? 0 : t->snap_txnid + 1;
}

int rbl_txn_begin(rbl_store *s, bool write, rbl_txn **out)
{
	rbl_txn *t = NULL;
	int rc;

	*out = NULL;
	if (write && (s->flags & RBL_STORE_RDONLY))
		return RBL_EREADONLY;
	if (!(t = calloc(1, sizeof *t)))
		return RBL_ENOMEM;
	t->s = s;
	t->write = write;
	t->now = (int64_t)time(NULL);
	if ((rc = begin_mdb(s, write, &t->txn)) != RBL_OK) {
		free(t);
		return rc;
	}
	if (!write)
		learn_snapshot(t);
	*out = t;
	return RBL_OK;
}

static void close_cursors(rbl_txn *t)
{
	if (t->ck_cur)
		mdb_cursor_close(t->ck_cur);
	if (t->name_cur)
		mdb_cursor_close(t->name_cur);
	if (t->ix_cur)
		mdb_cursor_close(t->ix_cur);
	t->ck_cur = t->name_cur = t->ix_cur = NULL;
}

/* Free T; the parts freed what they keep in it before (store_commit.c). */
static void txn_free(rbl_txn *t)
{
	free(t->lists);
	free(t->zones_touched);
	free(t->zones_created);
	free(t->jbuf);
	free(t);
}

int rbl_txn_end(rbl_txn *t, bool commit)
{
	int rc = RBL_OK;

	if (t->write)
		close_cursors(t);	/* LMDB frees a write txn's at its end */
	if (t->txn) {
		if (commit)
			rc = rbl_mdb_error(mdb_txn_commit(t->txn));
		else
			mdb_txn_abort(t->txn);
		t->txn = NULL;
		txn_unlive(t);
	}
	if (!t->write)
		close_cursors(t);
	if (t->write)
		settle_extra(t, commit && rc == RBL_OK);
	txn_free(t);
	return rc;
}

void rbl_txn_drop_snapshot(rbl_txn *t)
{
	mdb_txn_reset(t->txn);
	txn_unlive(t);
}

static int renew_cursor(rbl_txn *t, MDB_cursor **c)
{
	if (*c && mdb_cursor_renew(t->txn, *c) != 0) {
		mdb_cursor_close(*c);
		*c = NULL;
	}
	return RBL_OK;
}

int rbl_txn_take_snapshot(rbl_txn *t)
{
	int rc = mdb_txn_renew(t->txn);

	if (rc == MDB_MAP_RESIZED) {
		if ((rc = adopt_map_size(t->s)) != RBL_OK)
			return rc;
		rc = mdb_txn_renew(t->txn);
	}
	if (rc)
		return rbl_mdb_error(rc) == RBL_EBUSY ? RBL_EBUSY : RBL_ESTORE;
	atomic_fetch_add(&t->s->live_txns, 1);
	t->reset = false;
	t->now = (int64_t)time(NULL);
	learn_snapshot(t);
	renew_cursor(t, &t->ck_cur);
	renew_cursor(t, &t->name_cur);
	renew_cursor(t, &t->ix_cur);
	return RBL_OK;
}
