/*
 * audit.c -- the append-only audit log (see audit.h).
 *
 * Value, big-endian: i64 time, then user, client, action, target, before,
 * after, reason as length-prefixed strings (kvrec.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lmdb.h>

#include "zone/people/audit.h"
#include "zone/error.h"
#include "zone/store/kvrec.h"
#include "zone/store/store_impl.h"

#define AUDIT_DB	"audit"
#define N_FIELDS	7

static const char **field_slot(rbl_audit_rec *r, int i)
{
	const char **slots[N_FIELDS] = { &r->user, &r->client, &r->action,
		&r->target, &r->before, &r->after, &r->reason };
	return slots[i];
}

static size_t field_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > RBL_AUDIT_FIELD_MAX ? RBL_AUDIT_FIELD_MAX : n;
}

static int next_seq(MDB_txn *txn, MDB_dbi dbi, uint64_t *seq)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { 0 }, v = { 0 };
	int rc = mdb_cursor_open(txn, dbi, &cur);

	if (rc != MDB_SUCCESS)
		return rbl_mdb_error(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND) {
		*seq = 1;
		return RBL_OK;
	}
	if (rc != MDB_SUCCESS)
		return rbl_mdb_error(rc);
	if (k.mv_size != 8)
		return RBL_ESTORE;
	*seq = kv_key64_get(k.mv_data) + 1;
	return RBL_OK;
}

int rbl_audit_append(rbl_txn *t, rbl_audit_rec *r)
{
	MDB_dbi dbi = 0;
	MDB_val k = { 0 }, v = { 0 };
	uint8_t key[8];
	size_t cap = 8;
	uint8_t *buf;
	kv_writer w = { 0 };
	uint64_t seq = 0;
	int rc = rbl_store_db(t, AUDIT_DB, &dbi);

	if (rc != RBL_OK)
		return rc;
	rc = next_seq(rbl_txn_mdb(t), dbi, &seq);
	if (rc != RBL_OK)
		return rc;
	for (int i = 0; i < N_FIELDS; i++)
		cap += 4 + field_len(*field_slot(r, i));
	buf = malloc(cap);
	if (!buf)
		return RBL_ENOMEM;
	if (r->time == 0)
		r->time = (int64_t)time(NULL);
	kv_w_init(&w, buf, cap);
	kv_put_i64(&w, r->time);
	for (int i = 0; i < N_FIELDS; i++) {
		const char *s = *field_slot(r, i);
		size_t n = field_len(s);

		kv_put_u32(&w, (uint32_t)n);
		kv_put_bytes(&w, s, n);
	}
	kv_key64(seq, key);
	k.mv_size = 8, k.mv_data = key;
	v.mv_size = w.len, v.mv_data = buf;
	rc = mdb_put(rbl_txn_mdb(t), dbi, &k, &v, MDB_APPEND);
	free(buf);
	if (rc != MDB_SUCCESS)
		return rbl_mdb_error(rc);
	r->seq = seq;
	return RBL_OK;
}

/* Decode V into R with its strings copied, NUL-terminated, into *SCRATCH
 * (grown as needed). */
static int rec_decode(const MDB_val *k, const MDB_val *v, rbl_audit_rec *r,
		      char **scratch, size_t *scratch_len)
{
	kv_reader rd = { 0 };
	size_t need = v->mv_size + N_FIELDS, off = 0;

	if (k->mv_size != 8)
		return RBL_EFORMAT;
	if (need > *scratch_len) {
		char *p = realloc(*scratch, need);

		if (!p)
			return RBL_ENOMEM;
		*scratch = p, *scratch_len = need;
	}
	kv_r_init(&rd, v->mv_data, v->mv_size);
	r->seq = kv_key64_get(k->mv_data);
	r->time = kv_get_i64(&rd);
	for (int i = 0; i < N_FIELDS; i++) {
		const char *s = NULL;
		size_t n = kv_get_strp(&rd, &s);

		memcpy(*scratch + off, s, n);
		(*scratch)[off + n] = '\0';
		*field_slot(r, i) = *scratch + off;
		off += n + 1;
	}
	return kv_r_ok(&rd) ? RBL_OK : RBL_EFORMAT;
}

static bool rec_matches(const rbl_audit_filter *f, const rbl_audit_rec *r)
{
	if (f->since && r->time < f->since)
		return false;
	if (f->until && r->time > f->until)
		return false;
	if (f->target && strcmp(f->target, r->target) != 0)
		return false;
	if (f->user && strcmp(f->user, r->user) != 0)
		return false;
	return !f->action ||
	       strncmp(r->action, f->action, strlen(f->action)) == 0;
}

/* Position CUR on the first record to visit. */
static int seek_start(MDB_cursor *cur, const rbl_audit_filter *f,
		      MDB_val *k, MDB_val *v)
{
	uint8_t key[8];
	int rc;

	if (f->start == 0)
		return mdb_cursor_get(cur, k, v,
				      f->newest_first ? MDB_LAST : MDB_FIRST);
	kv_key64(f->start, key);
	k->mv_size = 8, k->mv_data = key;
	rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
	if (!f->newest_first)
		return rc;
	if (rc == MDB_NOTFOUND)
		return mdb_cursor_get(cur, k, v, MDB_LAST);
	if (rc == MDB_SUCCESS && kv_key64_get(k->mv_data) > f->start)
		return mdb_cursor_get(cur, k, v, MDB_PREV);
	return rc;
}

static int walk(MDB_cursor *cur, const rbl_audit_filter *f,
		rbl_audit_fn fn, void *arg)
{
	MDB_val k = { 0 }, v = { 0 };
	char *scratch = NULL;
	size_t scratch_len = 0;
	MDB_cursor_op step = f->newest_first ? MDB_PREV : MDB_NEXT;
	int rc = RBL_OK, mrc;

	for (mrc = seek_start(cur, f, &k, &v); mrc == MDB_SUCCESS;
	     mrc = mdb_cursor_get(cur, &k, &v, step)) {
		rbl_audit_rec r = { 0 };

		rc = rec_decode(&k, &v, &r, &scratch, &scratch_len);
		if (rc == RBL_EFORMAT) {
			rc = RBL_OK;	/* never stop an export on one bad row */
			continue;
		}
		if (rc == RBL_OK && rec_matches(f, &r))
			rc = fn(arg, &r);
		if (rc != RBL_OK)
			break;
	}
	free(scratch);
	if (rc == RBL_OK && mrc != MDB_NOTFOUND && mrc != MDB_SUCCESS)
		rc = rbl_mdb_error(mrc);
	return rc;
}

int rbl_audit_foreach(rbl_txn *t, const rbl_audit_filter *f,
		      rbl_audit_fn fn, void *arg)
{
	static const rbl_audit_filter all;
	MDB_dbi dbi = 0;
	MDB_cursor *cur = NULL;
	int rc = rbl_store_db(t, AUDIT_DB, &dbi);

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rc = mdb_cursor_open(rbl_txn_mdb(t), dbi, &cur);
	if (rc != MDB_SUCCESS)
		return rbl_mdb_error(rc);
	rc = walk(cur, f ? f : &all, fn, arg);
	mdb_cursor_close(cur);
	return rc;
}

int rbl_audit_last(rbl_txn *t, uint64_t *seq)
{
	MDB_dbi dbi = 0;
	int rc = rbl_store_db(t, AUDIT_DB, &dbi);

	*seq = 0;
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rc = next_seq(rbl_txn_mdb(t), dbi, seq);
	if (rc == RBL_OK)
		(*seq)--;
	return rc;
}

/* ---------------------------------------------------------------- CSV */

static int csv_field(const char *s, bool last, rbl_audit_write_fn write,
		     void *arg)
{
	int rc = write(arg, "\"", 1);

	if (rc == 0 && strchr("=+-@\t\r", s[0]) && s[0])
		rc = write(arg, "'", 1);
	while (rc == 0 && *s) {
		size_t n = strcspn(s, "\"");

		rc = write(arg, s, n);
		s += n;
		if (rc == 0 && *s == '"') {
			rc = write(arg, "\"\"", 2);
			s++;
		}
	}
	if (rc == 0)
		rc = write(arg, last ? "\"\r\n" : "\",", last ? 3 : 2);
	return rc;
}

int rbl_audit_csv_header(rbl_audit_write_fn write, void *arg)
{
	static const char hdr[] =
		"time,seq,user,client,action,target,before,after,reason\r\n";
	return write(arg, hdr, sizeof hdr - 1);
}

int rbl_audit_csv_row(const rbl_audit_rec *r, rbl_audit_write_fn write,
		      void *arg)
{
	char when[32], seq[24];
	time_t tt = (time_t)r->time;
	struct tm tm = { 0 };
	const char *f[N_FIELDS + 2];
	int rc = 0;

	gmtime_r(&tt, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
	f[0] = when, f[1] = seq;
	f[2] = r->user, f[3] = r->client, f[4] = r->action, f[5] = r->target;
	f[6] = r->before, f[7] = r->after, f[8] = r->reason;
	for (int i = 0; rc == 0 && i < N_FIELDS + 2; i++)
		rc = csv_field(f[i] ? f[i] : "", i == N_FIELDS + 1, write, arg);
	return rc;
}

struct csv_ctx {
	rbl_audit_write_fn write;
	void *arg;
};

static int csv_one(void *arg, const rbl_audit_rec *r)
{
	struct csv_ctx *c = arg;

	return rbl_audit_csv_row(r, c->write, c->arg);
}

int rbl_audit_csv(rbl_txn *t, const rbl_audit_filter *f,
		  rbl_audit_write_fn write, void *arg)
{
	struct csv_ctx c = { write, arg };
	int rc = rbl_audit_csv_header(write, arg);

	return rc ? rc : rbl_audit_foreach(t, f, csv_one, &c);
}
