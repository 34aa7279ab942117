/*
 * store_compact.c -- giving the disk blocks of free pages back while
 * every reader and writer goes on (rbl_store_compact).
 *
 * LMDB never shrinks its file: pages a commit frees go to its free list
 * and are reused by later commits.  A replacement of a whole list needs
 * the old and the new copy at its commit, so the file reaches twice the
 * data and stays there.  The file cannot be cut or swapped under the
 * processes that have it mapped (their lock file names its transactions),
 * but the free pages' blocks can be released: fallocate(PUNCH_HOLE) keeps
 * the file's length and makes those pages holes, read as zeros and
 * allocated again when a later commit writes them.  Only pages no one can
 * read are punched, with the writer's lock held so that no commit reuses
 * one meanwhile:
 *   - the free list's record of transaction F holds pages that were live
 *     in snapshots before F only;
 *   - LMDB keeps the snapshot before the last commit whole (a torn meta
 *     page falls back to it), so a write transaction with id W reuses the
 *     records of F < W - 1 (as LMDB's own allocator does), and
 *   - a reader holding snapshot R can see pages freed after R: records of
 *     F <= R are safe.
 * So a tick (a tiny commit, store.c) comes first: the pages of the commit
 * before it, typically a big replacement, can then go too.
 * The free list's format (key: the freeing transaction's id; value: a
 * count and that many page numbers, each a size_t) is the one mdb_stat -f
 * reads through the public API.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/store/store_impl.h"

struct oldest {
	uint64_t limit;		/* records of transactions below it go */
};

/* mdb_reader_list's lines: "pid thread txnid", txnid "-" when the slot
 * holds no snapshot (rbld resets its transactions between queries). */
static int reader_line(const char *msg, void *ctx)
{
	struct oldest *o = ctx;
	unsigned long long txnid = 0;
	char tid[64] = "";
	int pid = 0;

	if (sscanf(msg, "%d %63s %llu", &pid, tid, &txnid) == 3 &&
	    txnid < o->limit)
		o->limit = txnid;
	return 0;
}

/* Punch pages [FIRST, FIRST + N) of FD; 0 or an errno. */
static int punch(int fd, size_t psize, size_t first, size_t n,
		 uint64_t *freed)
{
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(first * psize), (off_t)(n * psize)) != 0)
		return errno;
	*freed += (uint64_t)n * psize;
	return 0;
}

/* Punch the pages of one free-list record (numbers in descending order,
 * as LMDB keeps them; runs of neighbours go in one call). */
static int punch_record(int fd, size_t psize, const MDB_val *v,
			uint64_t *freed)
{
	const size_t *ids = v->mv_data;
	size_t count = 0, first = 0, run = 0;
	int err = 0;

	if (v->mv_size < sizeof *ids)
		return 0;
	memcpy(&count, ids, sizeof count);
	if (count > v->mv_size / sizeof *ids - 1)
		return EINVAL;
	for (size_t i = 1; i <= count && !err; i++) {
		size_t pg = 0;

		memcpy(&pg, &ids[i], sizeof pg);
		if (run && pg + 1 == first) {
			first = pg;
			run++;
			continue;
		}
		if (run)
			err = punch(fd, psize, first, run, freed);
		first = pg;
		run = 1;
	}
	if (run && !err)
		err = punch(fd, psize, first, run, freed);
	return err;
}

/* Walk the free list in TXN up to LIMIT. */
static int punch_free(rbl_store *s, MDB_txn *txn, uint64_t limit,
		      uint64_t *freed)
{
	MDB_cursor *c = NULL;
	MDB_val k = { 0 }, v = { 0 };
	MDB_stat st = { 0 };
	mdb_filehandle_t fd = 0;
	int rc = 0, err = 0;

	if ((rc = mdb_env_stat(s->env, &st)) != 0 ||
	    (rc = mdb_env_get_fd(s->env, &fd)) != 0 ||
	    (rc = mdb_cursor_open(txn, 0, &c)) != 0)	/* 0: the free list */
		return rbl_mdb_error(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		size_t id = 0;

		if (k.mv_size != sizeof id)
			continue;
		memcpy(&id, k.mv_data, sizeof id);
		if (id >= limit)
			break;		/* ascending: the rest are newer */
		err = punch_record(fd, st.ms_psize, &v, freed);
	}
	mdb_cursor_close(c);
	if (err) {
		errno = err;
		/* a file system without holes: nothing to give back */
		return err == EOPNOTSUPP ? RBL_OK : RBL_EIO;
	}
	return rc == 0 || rc == MDB_NOTFOUND ? RBL_OK : rbl_mdb_error(rc);
}

int rbl_store_compact(rbl_store *s, uint64_t *freed)
{
	struct oldest o = { 0 };
	MDB_txn *txn = NULL, *rtxn = NULL;
	uint64_t n = 0;
	int rc = 0;

	if (freed)
		*freed = 0;
	if (s->flags & RBL_STORE_RDONLY)
		return RBL_EPERM;
	/* the pages the last commit freed were live in the snapshot before
	 * it, which LMDB keeps: one more (tiny) commit releases them */
	rbl_store_tick(s);
	mdb_reader_check(s->env, NULL);
	/* the writer's lock: no commit reuses a page while it is punched */
	if ((rc = rbl_store_mdb_begin(s, true, &txn)) != RBL_OK)
		return rc;
	o.limit = (uint64_t)mdb_txn_id(txn) - 1;
	/* after the writer's lock: a reader that starts now sees the last
	 * commit, newer than anything the walk punches */
	mdb_reader_list(s->env, reader_line, &o);
	/* LMDB opens the free list to read-only transactions only; this one
	 * sees the last commit's, which the held lock keeps current */
	if ((rc = rbl_store_mdb_begin(s, false, &rtxn)) == RBL_OK) {
		rc = punch_free(s, rtxn, o.limit, &n);
		rbl_store_mdb_abort(s, rtxn);
	}
	rbl_store_mdb_abort(s, txn);
	if (freed)
		*freed = n;
	return rc;
}
