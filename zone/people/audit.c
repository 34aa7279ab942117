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

#include "zone/people/audit.h"
#include "zone/error.h"
#include "zone/store/kvrec.h"
#include "zone/store/table.h"

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

int rbl_audit_append(rbl_txn *t, rbl_audit_rec *r)
{
	rbl_table tb = { 0 };
	uint8_t key[8] = { 0 };
	size_t cap = 8;
	uint8_t *buf = NULL;
	kv_writer w = { 0 };
	uint64_t seq = 0;
	int rc = rbl_table_open(t, AUDIT_DB, &tb);

	if (rc != RBL_OK)
		return rc;
	rc = rbl_table_next_id(&tb, 8, &seq);
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
	rc = rbl_table_put(&tb, key, 8, buf, w.len, RBL_TABLE_APPEND);
	free(buf);
	if (rc != RBL_OK)
		return rc;
	r->seq = seq;
	return RBL_OK;
}

/* Decode V into R with its strings copied, NUL-terminated, into *SCRATCH
 * (grown as needed). */
static int rec_decode(const rbl_val *k, const rbl_val *v, rbl_audit_rec *r,
		      char **scratch, size_t *scratch_len)
{
	kv_reader rd = { 0 };
	size_t need = v->len + N_FIELDS, off = 0;

	if (k->len != 8)
		return RBL_EFORMAT;
	if (need > *scratch_len) {
		char *p = realloc(*scratch, need);

		if (!p)
			return RBL_ENOMEM;
		*scratch = p, *scratch_len = need;
	}
	kv_r_init(&rd, v->p, v->len);
	r->seq = kv_key64_get(k->p);
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

/* Visit the records F selects, from F->start, in F's order. */
static int walk(const rbl_table *tb, const rbl_audit_filter *f,
		rbl_audit_fn fn, void *arg)
{
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	uint8_t from[8] = { 0 };
	char *scratch = NULL;
	size_t scratch_len = 0;
	int rc = RBL_OK, more = 0;

	kv_key64(f->start, from);
	rbl_table_iter_init(&it, tb, f->start ? from : NULL, sizeof from,
			    f->newest_first ? RBL_TABLE_BACKWARD : 0);
	while ((more = rbl_table_next(&it, &k, &v)) == 1) {
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
	rbl_table_iter_end(&it);
	free(scratch);
	return rc == RBL_OK && more < 0 ? more : rc;
}

int rbl_audit_foreach(rbl_txn *t, const rbl_audit_filter *f,
		      rbl_audit_fn fn, void *arg)
{
	static const rbl_audit_filter all;
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, AUDIT_DB, &tb);

	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	return walk(&tb, f ? f : &all, fn, arg);
}

int rbl_audit_last(rbl_txn *t, uint64_t *seq)
{
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, AUDIT_DB, &tb);

	*seq = 0;
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rc = rbl_table_next_id(&tb, 8, seq);
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
