/*
 * store_backup.c -- the store as a whole: opening it (converting a format
 * 1-4 store's IP entries for the first writer), a hot, consistent,
 * compacted copy of it, the store format a program speaks, and its size
 * figures.
 *
 * LMDB copies from one read transaction (MDB_CP_COMPACT leaves out free
 * pages), so writers and readers go on while it runs and the copy is one
 * commit's state.  It goes to a temporary file first and is renamed only
 * once complete and synced: a backup directory never holds half a copy,
 * and a failed run leaves the previous backup in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zone/store/store_impl.h"

uint32_t rbl_store_format(void)
{
	return RBL_STORE_FORMAT;
}

/* A writer's first act on a format 1-4 store with IP entries: convert
 * them, in one transaction of its own (a failure leaves the store as it
 * was, still unconverted).  The conversion changes no list, zone or
 * summary, so none of the commit's bookkeeping applies. */
static int convert(rbl_store *s)
{
	rbl_txn *t = NULL;
	int rc = rbl_txn_begin(s, true, &t);

	if (rc != RBL_OK)
		return rc;
	if ((rc = rbl_ip_upgrade(t)) != RBL_OK) {
		rbl_txn_end(t, false);
		return rc;
	}
	if ((rc = rbl_txn_end(t, true)) == RBL_OK)
		s->legacy = false;
	return rc;
}

int rbl_store_open(const char *path, unsigned flags, size_t mapsize,
		   rbl_store **out)
{
	int rc = rbl_store_open_env(path, flags, mapsize, out);

	if (rc != RBL_OK || !(*out)->legacy)
		return rc;
	if ((rc = convert(*out)) != RBL_OK) {
		rbl_store_close(*out);
		*out = NULL;
	}
	return rc;
}

/* PATH = DIR/NAME; RBL_EINVAL if it does not fit. */
static int join(char *path, size_t cap, const char *dir, const char *name)
{
	return (size_t)snprintf(path, cap, "%s/%s", dir, name) < cap ?
	       RBL_OK : RBL_EINVAL;
}

/* Sync directory DIR so the rename itself survives a crash. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = RBL_OK;

	if (fd < 0)
		return RBL_EIO;
	if (fsync(fd) != 0)
		rc = RBL_EIO;
	close(fd);
	return rc;
}

/* Copy S into the open file FD, sync it and return its size. */
static int copy_to(rbl_store *s, int fd, uint64_t *size)
{
	struct stat st = { 0 };
	int rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);

	if (rc != 0) {
		errno = rc > 0 ? rc : EIO;
		return rc > 0 ? RBL_EIO : rbl_mdb_error(rc);
	}
	if (fsync(fd) != 0 || fstat(fd, &st) != 0)
		return RBL_EIO;
	*size = (uint64_t)st.st_size;
	return RBL_OK;
}

int rbl_store_backup(rbl_store *s, const char *dir, uint64_t *size)
{
	char tmp[4096], final[4096];
	uint64_t n = 0;
	int fd, rc, saved;

	if (!dir || !*dir || join(tmp, sizeof tmp, dir, "data.mdb.tmp") ||
	    join(final, sizeof final, dir, "data.mdb"))
		return RBL_EINVAL;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return RBL_EIO;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return RBL_EIO;
	rc = copy_to(s, fd, &n);
	saved = errno;
	if (close(fd) != 0 && rc == RBL_OK) {
		rc = RBL_EIO;
		saved = errno;
	}
	if (rc == RBL_OK && rename(tmp, final) != 0) {
		rc = RBL_EIO;
		saved = errno;
	}
	if (rc != RBL_OK) {
		unlink(tmp);
		errno = saved;
		return rc;
	}
	if (size)
		*size = n;
	return sync_dir(dir);
}

/* ------------------------------------------------------- statistics */

static int sum_entries(void *arg, const rbl_list *l)
{
	*(uint64_t *)arg += l->n_entries;
	return 0;
}

int rbl_store_stats_get(rbl_txn *t, rbl_store_stats *out)
{
	MDB_envinfo info = { 0 };
	MDB_stat st = { 0 };
	int rc = 0;

	memset(out, 0, sizeof *out);
	if ((rc = mdb_env_info(t->s->env, &info)) ||
	    (rc = mdb_env_stat(t->s->env, &st)))
		return rbl_mdb_error(rc);
	out->map_size = info.me_mapsize;
	out->page_size = st.ms_psize;
	out->map_used = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
	out->max_readers = info.me_maxreaders;
	out->num_readers = info.me_numreaders;
	rc = rbl_list_foreach(t, sum_entries, &out->n_entries);
	return rc < 0 ? rc : RBL_OK;
}
