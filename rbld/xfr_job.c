/*
 * xfr_job.c -- transfer threads (see xfr.h, xfr_impl.h).
 *
 * A job is shared by the TCP thread, which takes its messages, and its
 * own thread, which reads the zone from a read transaction of its own
 * and writes the messages; whichever lets go last frees it.  The queue
 * holds JOB_SLOTS messages: a full queue makes the producer wait, so a
 * client that reads slowly costs no more memory.  At most
 * xfr-max-transfers jobs produce at once; the others wait their turn.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/log.h"
#include "xfr_impl.h"

/* ------------------------------------------------------------ job queue */

static void job_unref(rbl_xfr_job *j)
{
	bool last;

	pthread_mutex_lock(&j->lock);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->lock);
	if (!last)
		return;
	for (unsigned i = 0; i < JOB_SLOTS; i++)
		free(j->slot[i]);
	if (j->efd >= 0)
		close(j->efd);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j);
}

static void job_signal(rbl_xfr_job *j)
{
	uint64_t one = 1;

	if (write(j->efd, &one, sizeof one) < 0)
		return;	/* the counter is already set */
}

/* Queue FRAME (LEN bytes with prefix); waits while the queue is full.
 * RBL_OK, or RBL_ESTALE when the connection went away. */
static int job_push(rbl_xfr_job *j, const uint8_t *frame, size_t len)
{
	unsigned tail;
	int rc = RBL_OK;

	pthread_mutex_lock(&j->lock);
	while (j->count == JOB_SLOTS && !j->cancelled)
		pthread_cond_wait(&j->cond, &j->lock);
	if (j->cancelled) {
		rc = RBL_ESTALE;
	} else {
		tail = (j->head + j->count) % JOB_SLOTS;
		memcpy(j->slot[tail], frame, len);
		j->slot_len[tail] = len;
		j->count++;
		job_signal(j);
	}
	pthread_mutex_unlock(&j->lock);
	return rc;
}

int rbl_xfr_job_fd(const rbl_xfr_job *j)
{
	return j->efd;
}

int rbl_xfr_job_next(rbl_xfr_job *j, uint8_t *out, size_t cap, size_t *len)
{
	int rc;

	pthread_mutex_lock(&j->lock);
	if (j->count) {
		*len = j->slot_len[j->head];
		rc = *len <= cap ? RBL_OK : RBL_ETOOBIG;
		if (rc == RBL_OK)
			memcpy(out, j->slot[j->head], *len);
		j->head = (j->head + 1) % JOB_SLOTS;
		j->count--;
		pthread_cond_signal(&j->cond);
	} else {
		rc = !j->done ? RBL_EBUSY : j->failed ? RBL_EIO
						      : RBL_ENOTFOUND;
	}
	pthread_mutex_unlock(&j->lock);
	return rc;
}

void rbl_xfr_job_release(rbl_xfr_job *j)
{
	rbl_xfr *x = j->x;

	pthread_mutex_lock(&j->lock);
	j->cancelled = true;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	pthread_mutex_lock(&x->lock);	/* a job waiting for its turn */
	pthread_cond_broadcast(&x->slot);
	pthread_mutex_unlock(&x->lock);
	job_unref(j);
}

static bool job_cancelled(rbl_xfr_job *j)
{
	bool c;

	pthread_mutex_lock(&j->lock);
	c = j->cancelled;
	pthread_mutex_unlock(&j->lock);
	return c;
}

/* Wait until fewer than xfr-max-transfers run.  False if the client
 * went away meanwhile. */
static bool wait_turn(rbl_xfr *x, rbl_xfr_job *j)
{
	bool go;

	pthread_mutex_lock(&x->lock);
	while (x->active >= j->conf->max_transfers && !job_cancelled(j))
		pthread_cond_wait(&x->slot, &x->lock);
	go = !job_cancelled(j);
	if (go)
		x->active++;
	pthread_mutex_unlock(&x->lock);
	return go;
}

static void end_turn(rbl_xfr *x)
{
	pthread_mutex_lock(&x->lock);
	x->active--;
	pthread_cond_broadcast(&x->slot);
	pthread_mutex_unlock(&x->lock);
}

/* ------------------------------------------------------------ producing */

typedef struct producer {
	rbl_xfr_job *job;
	wbuf w;
	uint64_t n_msgs, n_rrs, bytes;
	bool ixfr_started, ixfr_adding;
	const rbl_zone *z;
	uint32_t serial;
} producer;

static int prod_flush(producer *p)
{
	int rc;

	if (p->w.an == 0)
		return RBL_OK;
	if ((rc = xfr_wb_finish(&p->w, &p->job->req.tsig)) != RBL_OK)
		return rc;
	rc = job_push(p->job, p->w.buf, p->w.len + 2);
	p->n_msgs++;
	p->bytes += p->w.len + 2;
	xfr_wb_start(&p->w, &p->job->req, DNS_RCODE_NOERROR);
	return rc;
}

static int prod_rr(void *arg, const rbl_xrr *rr)
{
	producer *p = arg;
	int rc = xfr_wb_rr(&p->w, rr);

	if (rc == RBL_ETOOBIG && p->w.an > 0) {
		if ((rc = prod_flush(p)) != RBL_OK)
			return rc;
		rc = xfr_wb_rr(&p->w, rr);
	}
	if (rc == RBL_OK)
		p->n_rrs++;
	return rc;
}

static int prod_soa(producer *p, uint32_t serial)
{
	return rbl_xfr_soa(p->z, serial, prod_rr, p);
}

static int axfr(producer *p, rbl_txn *t, rbl_xfr_stats *st)
{
	int rc = prod_soa(p, p->serial);

	if (rc == RBL_OK)
		rc = rbl_xfr_body(t, p->z, &p->job->opts, prod_rr, p, st);
	if (rc == RBL_OK)
		rc = prod_soa(p, p->serial);
	return rc;
}

/* IXFR (RFC 1995): new SOA, old SOA, deletions, new SOA, additions,
 * new SOA.  The diff calls back only once it is complete, so nothing is
 * written when it falls back to AXFR. */
static int ixfr_begin(producer *p)
{
	int rc = RBL_OK;

	if (!p->ixfr_started) {
		p->ixfr_started = true;
		rc = prod_soa(p, p->serial);
		if (rc == RBL_OK)
			rc = prod_soa(p, p->job->req.serial);
	}
	return rc;
}

static int ixfr_del(void *arg, const rbl_xrr *rr)
{
	producer *p = arg;
	int rc = ixfr_begin(p);

	return rc == RBL_OK ? prod_rr(p, rr) : rc;
}

static int ixfr_adding(producer *p)
{
	int rc = ixfr_begin(p);

	if (rc == RBL_OK && !p->ixfr_adding) {
		p->ixfr_adding = true;
		rc = prod_soa(p, p->serial);
	}
	return rc;
}

static int ixfr_add(void *arg, const rbl_xrr *rr)
{
	producer *p = arg;
	int rc = ixfr_adding(p);

	return rc == RBL_OK ? prod_rr(p, rr) : rc;
}

static int ixfr(producer *p, rbl_txn *t, uint64_t *n_changes)
{
	int rc = rbl_xfr_diff(t, p->z, p->job->req.serial, &p->job->opts,
			      ixfr_del, ixfr_add, p, n_changes);

	if (rc == RBL_OK)
		rc = ixfr_adding(p);
	if (rc == RBL_OK)
		rc = prod_soa(p, p->serial);
	return rc;
}

static double since(const struct timespec *t0)
{
	struct timespec t1 = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void log_done(const producer *p, const char *kind, int rc,
		     const struct timespec *t0)
{
	const xfr_req *r = &p->job->req;

	if (rc == RBL_OK)
		rbl_log_notice("%s %s serial %u to %s: %llu records in %llu "
			       "messages, %llu bytes, %.2f s", kind, r->zone,
			       p->serial, r->peer_text,
			       (unsigned long long)p->n_rrs,
			       (unsigned long long)p->n_msgs,
			       (unsigned long long)p->bytes, since(t0));
	else if (rc == RBL_ESTALE)
		rbl_log_notice("%s %s to %s: client went away after %llu "
			       "records", kind, r->zone, r->peer_text,
			       (unsigned long long)p->n_rrs);
	else if (rc == RBL_ELIMIT)
		rbl_log_err("%s %s to %s: the zone needs more than %u records "
			    "(xfr-max-records); transfer aborted", kind,
			    r->zone, r->peer_text,
			    p->job->conf->max_records);
	else
		rbl_log_err("%s %s to %s failed: %s", kind, r->zone,
			    r->peer_text, rbl_strerror(rc));
}

static int transfer(producer *p, rbl_txn *t)
{
	rbl_zone *z = calloc(1, sizeof *z);
	rbl_xfr_stats st = { 0 };
	struct timespec t0 = { 0 };
	uint64_t changes = 0;
	const char *kind = "AXFR";
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!z)
		return RBL_ENOMEM;
	rc = rbl_zone_get(t, p->job->req.zone, z);
	if (rc == RBL_OK)
		rc = rbl_zone_serial(t, z->id, &p->serial);
	p->z = z;
	if (rc == RBL_OK && p->job->req.qtype == DNS_T_IXFR) {
		kind = "IXFR";
		rc = ixfr(p, t, &changes);
		if (rc == RBL_ESTALE && !p->ixfr_started) {
			kind = "IXFR (as AXFR)";
			rc = axfr(p, t, &st);
		}
	} else if (rc == RBL_OK) {
		rc = axfr(p, t, &st);
	}
	if (rc == RBL_OK)
		rc = prod_flush(p);
	log_done(p, kind, rc, &t0);
	free(z);
	return rc;
}

static void *job_main(void *arg)
{
	rbl_xfr_job *j = arg;
	rbl_xfr *x = j->x;
	producer *p = calloc(1, sizeof *p);
	rbl_txn *t = NULL;
	bool turn = wait_turn(x, j);
	int rc = !turn ? RBL_ESTALE : p ? rbl_txn_begin(x->store, false, &t)
					: RBL_ENOMEM;

	if (rc == RBL_OK) {
		p->job = j;
		p->w.buf = malloc(FRAME_CAP);
		p->w.limit = xfr_wb_limit(&j->req.tsig);
		rc = p->w.buf ? RBL_OK : RBL_ENOMEM;
		if (rc == RBL_OK) {
			xfr_wb_start(&p->w, &j->req, DNS_RCODE_NOERROR);
			rc = transfer(p, t);
		}
		free(p->w.buf);
	} else if (turn) {
		rbl_log_err("transfer of %s: %s", j->req.zone,
			    rbl_strerror(rc));
	}
	if (t)
		rbl_txn_abort(t);
	if (turn)
		end_turn(x);
	free(p);
	pthread_mutex_lock(&j->lock);
	j->done = true;
	j->failed = rc != RBL_OK;
	job_signal(j);
	pthread_mutex_unlock(&j->lock);
	job_unref(j);
	pthread_mutex_lock(&x->lock);
	x->running--;
	pthread_cond_broadcast(&x->idle);
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

rbl_xfr_job *xfr_job_new(rbl_xfr *x, const rbl_xfr_conf *conf,
			 const xfr_req *r)
{
	rbl_xfr_job *j = calloc(1, sizeof *j);
	bool ok = j != NULL;

	if (!j)
		return NULL;
	j->x = x;
	j->conf = conf;
	rbl_xfr_opts_init(&j->opts);
	j->opts.txt_expand_max = conf->txt_expand;
	j->opts.max_records = conf->max_records;
	j->req = *r;
	j->refs = 2;
	j->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ok = j->efd >= 0;
	for (unsigned i = 0; ok && i < JOB_SLOTS; i++)
		ok = (j->slot[i] = malloc(FRAME_CAP)) != NULL;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	if (!ok) {
		j->refs = 1;
		job_unref(j);
		return NULL;
	}
	return j;
}

int xfr_job_start(rbl_xfr *x, rbl_xfr_job *j)
{
	pthread_attr_t attr = { 0 };
	pthread_t tid = 0;
	int rc = RBL_OK;

	pthread_mutex_lock(&x->lock);
	if (x->running >= j->conf->max_transfers * QUEUE_FACTOR)
		rc = RBL_EBUSY;
	else
		x->running++;
	pthread_mutex_unlock(&x->lock);
	if (rc != RBL_OK)
		return rc;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, job_main, j) != 0) {
		pthread_mutex_lock(&x->lock);
		x->running--;
		pthread_mutex_unlock(&x->lock);
		rc = RBL_ENOMEM;
	}
	pthread_attr_destroy(&attr);
	return rc;
}

void xfr_job_drop(rbl_xfr_job *j)
{
	j->refs = 1;
	job_unref(j);
}
