/*
 * xfr.c -- AXFR and IXFR over TCP (see xfr.h).
 *
 * rbl_xfr_tcp_query runs in the TCP thread: it parses the request,
 * checks TSIG, the zone and the ACL with a read transaction of its own
 * (reset after each request), and either answers at once or starts a
 * job.  A job is a thread with its own read transaction that turns the
 * zone's records (xfr_expand.h) into messages and hands them over
 * through a small queue; the TCP thread copies them out as the client
 * reads.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/log.h"
#include "zone/xfr_expand.h"
#include "dns.h"
#include "listen.h"
#include "xfr.h"

#define JOB_SLOTS	4
#define FRAME_CAP	(2 + DNS_MSG_MAX)
#define DNS_OPCODE_MASK	0x78

struct rbl_xfr {
	rbl_store *store;
	const rbl_xfr_conf *conf;
	rbl_xfr_opts opts;
	rbl_txn *txn;			/* the TCP thread's, for checks */
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* a thread ended */
	pthread_cond_t slot;		/* a transfer ended */
	unsigned running;		/* job threads alive */
	unsigned active;		/* of which producing */
};

/* Job threads waiting for their turn, per transfer allowed at once. */
#define QUEUE_FACTOR	16

/* What a transfer request asks for. */
typedef struct xfr_req {
	uint16_t id;
	uint8_t flags;			/* byte 2: opcode, RD */
	uint16_t qtype, qclass;
	uint8_t qname[DNS_NAME_MAX];	/* as sent */
	uint8_t qname_len;
	char zone[RBL_NAME_MAX + 1];	/* lowercase text */
	bool has_serial;
	uint32_t serial;		/* IXFR: the client's */
	rbl_tsig_state tsig;
	rbl_addr peer;
	char peer_text[64];
} xfr_req;

struct rbl_xfr_job {
	rbl_xfr *x;
	xfr_req req;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int efd;
	unsigned refs;
	bool cancelled, done, failed;
	uint8_t *slot[JOB_SLOTS];
	size_t slot_len[JOB_SLOTS];
	unsigned head, count;
};

/* ------------------------------------------------------------ request */

static size_t read_qname(const uint8_t *m, size_t len, size_t off,
			 xfr_req *r)
{
	size_t n = 0, t = 0;

	while (off < len) {
		uint8_t l = m[off];

		if (l & 0xc0 || off + 1 + l > len || n + 1 + l > DNS_NAME_MAX)
			return 0;
		memcpy(r->qname + n, m + off, 1u + l);
		n += 1u + l;
		off += 1u + l;
		if (l == 0) {
			r->qname_len = (uint8_t)n;
			r->zone[t] = 0;
			return off;
		}
		if (t + l + 1 > RBL_NAME_MAX)
			return 0;
		if (t)
			r->zone[t++] = '.';
		for (unsigned i = 0; i < l; i++)
			r->zone[t++] = (char)dns_lower(m[off - l + i]);
	}
	return 0;
}

static size_t skip_name(const uint8_t *m, size_t len, size_t off)
{
	while (off < len) {
		if ((m[off] & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (m[off] & 0xc0)
			return 0;
		if (m[off] == 0)
			return off + 1;
		off += 1u + m[off];
	}
	return 0;
}

/* The serial of the SOA the IXFR request carries in its authority. */
static bool ixfr_serial(const uint8_t *m, size_t len, size_t off,
			uint32_t *serial)
{
	size_t rd;

	if (dns_get16(m + 8) < 1 || !(off = skip_name(m, len, off)) ||
	    off + 10 > len || dns_get16(m + off) != DNS_T_SOA)
		return false;
	rd = off + 10;
	if (!(rd = skip_name(m, len, rd)) || !(rd = skip_name(m, len, rd)) ||
	    rd + 4 > len)
		return false;
	*serial = dns_get32(m + rd);
	return true;
}

static void peer_of(const struct sockaddr_storage *ss, xfr_req *r)
{
	memset(&r->peer, 0, sizeof r->peer);
	if (ss->ss_family == AF_INET) {
		r->peer.family = RBL_AF4;
		memcpy(r->peer.bytes,
		       &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		r->peer.family = RBL_AF6;
		memcpy(r->peer.bytes,
		       &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
	rbl_sockaddr_text((const struct sockaddr *)ss, r->peer_text,
			  sizeof r->peer_text);
}

/* RBL_OK: a transfer request in R; RBL_ENOTFOUND: not one. */
static int parse_request(const uint8_t *m, size_t len, xfr_req *r)
{
	size_t off;

	if (len < DNS_HDR_LEN || (m[2] & DNS_FLAG_QR) ||
	    (m[2] & DNS_OPCODE_MASK) != 0 || dns_get16(m + 4) != 1)
		return RBL_ENOTFOUND;
	memset(r, 0, sizeof *r);
	r->id = dns_get16(m);
	r->flags = m[2];
	if (!(off = read_qname(m, len, DNS_HDR_LEN, r)) || off + 4 > len)
		return RBL_ENOTFOUND;
	r->qtype = dns_get16(m + off);
	r->qclass = dns_get16(m + off + 2);
	if ((r->qtype != DNS_T_AXFR && r->qtype != DNS_T_IXFR) ||
	    r->qclass != DNS_C_IN)
		return RBL_ENOTFOUND;
	if (r->qtype == DNS_T_IXFR)
		r->has_serial = ixfr_serial(m, len, off + 4, &r->serial);
	return RBL_OK;
}

/* ------------------------------------------------------------ messages */

static size_t put_header(uint8_t *b, const xfr_req *r, int rcode)
{
	memset(b, 0, DNS_HDR_LEN);
	dns_put16(b, r->id);
	b[2] = (uint8_t)(DNS_FLAG_QR | (r->flags & DNS_FLAG_RD) |
			 (rcode == DNS_RCODE_NOERROR ? DNS_FLAG_AA : 0));
	b[3] = (uint8_t)(rcode & 0x0f);
	dns_put16(b + 4, 1);
	memcpy(b + DNS_HDR_LEN, r->qname, r->qname_len);
	dns_put16(b + DNS_HDR_LEN + r->qname_len, r->qtype);
	dns_put16(b + DNS_HDR_LEN + r->qname_len + 2, r->qclass);
	return DNS_HDR_LEN + r->qname_len + 4u;
}

/* A message being written: BUF holds the length prefix, then LEN bytes
 * of message; LIMIT leaves room for a TSIG record. */
typedef struct wbuf {
	uint8_t *buf;
	size_t len, limit;
	uint16_t an;
} wbuf;

static void wb_start(wbuf *w, const xfr_req *r, int rcode)
{
	w->len = put_header(w->buf + 2, r, rcode);
	w->an = 0;
}

/* Append RR (owner relative to the question name, which it points to).
 * RBL_OK or RBL_ETOOBIG when the message is full. */
static int wb_rr(void *arg, const rbl_xrr *rr)
{
	wbuf *w = arg;
	size_t need = rr->owner_len + 2u + 10u + rr->rdlen;
	uint8_t *b = w->buf + 2 + w->len;

	if (w->len + need > w->limit)
		return RBL_ETOOBIG;
	memcpy(b, rr->owner, rr->owner_len);
	b += rr->owner_len;
	dns_put16(b, 0xc000 | DNS_HDR_LEN);
	dns_put16(b + 2, rr->type);
	dns_put16(b + 4, DNS_C_IN);
	dns_put32(b + 6, rr->ttl);
	dns_put16(b + 10, rr->rdlen);
	if (rr->rdlen)
		memcpy(b + 12, rr->rdata, rr->rdlen);
	w->len += need;
	w->an++;
	return RBL_OK;
}

/* Set the answer count, sign if the request was signed, set the length
 * prefix.  RBL_OK or a TSIG error. */
static int wb_finish(wbuf *w, rbl_tsig_state *tsig)
{
	uint8_t *msg = w->buf + 2;
	int rc;

	dns_put16(msg + 6, w->an);
	if (rbl_tsig_present(tsig) &&
	    (rc = rbl_tsig_sign(tsig, msg, &w->len, DNS_MSG_MAX,
				(int64_t)time(NULL))) != RBL_OK)
		return rc;
	dns_put16(w->buf, (uint16_t)w->len);
	return RBL_OK;
}

static size_t limit_for(const rbl_tsig_state *tsig)
{
	return DNS_MSG_MAX - (rbl_tsig_present(tsig) ? RBL_TSIG_RESERVE : 0);
}

/* A one-message answer with RCODE (and the SOA of Z at SERIAL when Z is
 * given) into OUT, without the length prefix. */
static int small_answer(xfr_req *r, int rcode, const rbl_zone *z,
			uint32_t serial, uint8_t *out, size_t cap,
			size_t *outlen)
{
	uint8_t *frame = malloc(FRAME_CAP);
	wbuf w = { frame, 0, limit_for(&r->tsig), 0 };
	int rc = frame ? RBL_OK : RBL_ENOMEM;

	if (rc == RBL_OK) {
		wb_start(&w, r, rcode);
		if (z)
			rc = rbl_xfr_soa(z, serial, wb_rr, &w);
	}
	if (rc == RBL_OK)
		rc = wb_finish(&w, &r->tsig);
	if (rc == RBL_OK && w.len > cap)
		rc = RBL_ETOOBIG;
	if (rc == RBL_OK) {
		memcpy(out, frame + 2, w.len);
		*outlen = w.len;
	}
	free(frame);
	return rc;
}

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
	while (x->active >= x->conf->max_transfers && !job_cancelled(j))
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
	if ((rc = wb_finish(&p->w, &p->job->req.tsig)) != RBL_OK)
		return rc;
	rc = job_push(p->job, p->w.buf, p->w.len + 2);
	p->n_msgs++;
	p->bytes += p->w.len + 2;
	wb_start(&p->w, &p->job->req, DNS_RCODE_NOERROR);
	return rc;
}

static int prod_rr(void *arg, const rbl_xrr *rr)
{
	producer *p = arg;
	int rc = wb_rr(&p->w, rr);

	if (rc == RBL_ETOOBIG && p->w.an > 0) {
		if ((rc = prod_flush(p)) != RBL_OK)
			return rc;
		rc = wb_rr(&p->w, rr);
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
		rc = rbl_xfr_body(t, p->z, &p->job->x->opts, prod_rr, p, st);
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
	int rc = rbl_xfr_diff(t, p->z, p->job->req.serial, &p->job->x->opts,
			      ixfr_del, ixfr_add, p, n_changes);

	if (rc == RBL_OK)
		rc = ixfr_adding(p);
	if (rc == RBL_OK)
		rc = prod_soa(p, p->serial);
	return rc;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

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
			    p->job->x->conf->max_records);
	else
		rbl_log_err("%s %s to %s failed: %s", kind, r->zone,
			    r->peer_text, rbl_strerror(rc));
}

static int transfer(producer *p, rbl_txn *t)
{
	rbl_zone *z = malloc(sizeof *z);
	rbl_xfr_stats st;
	struct timespec t0;
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
		p->w.limit = limit_for(&j->req.tsig);
		rc = p->w.buf ? RBL_OK : RBL_ENOMEM;
		if (rc == RBL_OK) {
			wb_start(&p->w, &j->req, DNS_RCODE_NOERROR);
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

static rbl_xfr_job *job_new(rbl_xfr *x, const xfr_req *r)
{
	rbl_xfr_job *j = calloc(1, sizeof *j);
	bool ok = j != NULL;

	if (!j)
		return NULL;
	j->x = x;
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

/* Start J's thread if the limit allows.  RBL_OK, RBL_EBUSY, RBL_ENOMEM. */
static int job_start(rbl_xfr *x, rbl_xfr_job *j)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc = RBL_OK;

	pthread_mutex_lock(&x->lock);
	if (x->running >= x->conf->max_transfers * QUEUE_FACTOR)
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

/* ------------------------------------------------------------ decisions */

static const char *qtype_text(const xfr_req *r)
{
	return r->qtype == DNS_T_AXFR ? "AXFR" : "IXFR";
}

/* Serial arithmetic (RFC 1982): is A at or after B? */
static bool serial_ge(uint32_t a, uint32_t b)
{
	return a == b || (a - b) < 0x80000000u;
}

/* Check TSIG, zone and ACL.  RBL_OK: go on (*Z, *SERIAL set); otherwise
 * *RCODE is what to answer. */
static int admit(rbl_xfr *x, xfr_req *r, const uint8_t *msg, size_t len,
		 rbl_zone *z, uint32_t *serial, int *rcode)
{
	const rbl_xfr_zone *zc;
	int rc = rbl_tsig_check(x->conf->keys, x->conf->n_keys, msg, len,
				(int64_t)time(NULL), &r->tsig);

	*rcode = DNS_RCODE_REFUSED;
	if (rc != RBL_OK) {
		*rcode = DNS_RCODE_FORMERR;
		memset(&r->tsig, 0, sizeof r->tsig);
		rbl_log_warn("refused %s %s to %s: malformed TSIG",
			     qtype_text(r), r->zone, r->peer_text);
		return RBL_EPERM;
	}
	if (r->tsig.error) {
		*rcode = DNS_RCODE_NOTAUTH;
		rbl_log_warn("refused %s %s to %s: TSIG %s", qtype_text(r),
			     r->zone, r->peer_text,
			     r->tsig.error == RBL_TSIG_BADKEY ? "key unknown"
			     : r->tsig.error == RBL_TSIG_BADSIG
				     ? "signature wrong (bad secret?)"
				     : "time outside the fudge");
		return RBL_EPERM;
	}
	rc = rbl_txn_renew(x->txn);
	if (rc == RBL_OK)
		rc = rbl_zone_get(x->txn, r->zone, z);
	if (rc == RBL_OK)
		rc = rbl_zone_serial(x->txn, z->id, serial);
	rbl_txn_reset(x->txn);
	if (rc == RBL_ENOTFOUND) {
		*rcode = DNS_RCODE_NOTAUTH;
		rbl_log_warn("refused %s %s to %s: no such zone",
			     qtype_text(r), r->zone, r->peer_text);
		return RBL_EPERM;
	}
	if (rc != RBL_OK) {
		*rcode = DNS_RCODE_SERVFAIL;
		return rc;
	}
	zc = rbl_xfr_conf_zone(x->conf, r->zone, false);
	if (rbl_xfr_acl_check(x->conf, zc, &r->peer, r->tsig.key) != RBL_OK) {
		rbl_log_warn("refused %s %s to %s%s%s: not allowed by "
			     "provide-xfr", qtype_text(r), r->zone,
			     r->peer_text, r->tsig.key ? " key " : "",
			     r->tsig.key ? r->tsig.key->name : "");
		return RBL_EPERM;
	}
	return RBL_OK;
}

int rbl_xfr_tcp_query(rbl_xfr *x, const uint8_t *msg, size_t len,
		      const struct sockaddr_storage *peer, uint8_t *out,
		      size_t cap, size_t *outlen, rbl_xfr_job **job)
{
	xfr_req r;
	rbl_zone z;
	uint32_t serial = 0;
	int rcode, rc;

	if (parse_request(msg, len, &r) != RBL_OK)
		return RBL_XFR_NOT_MINE;
	peer_of(peer, &r);
	*job = NULL;
	if (admit(x, &r, msg, len, &z, &serial, &rcode) != RBL_OK)
		rc = small_answer(&r, rcode, NULL, 0, out, cap, outlen);
	else if (r.qtype == DNS_T_IXFR && r.has_serial &&
		 serial_ge(r.serial, serial)) {
		rbl_log_info("IXFR %s to %s: up to date at serial %u", r.zone,
			     r.peer_text, serial);
		rc = small_answer(&r, DNS_RCODE_NOERROR, &z, serial, out, cap,
				  outlen);
	} else {
		if (r.qtype == DNS_T_IXFR && !r.has_serial)
			r.qtype = DNS_T_AXFR;	/* nothing to start from */
		*job = job_new(x, &r);
		rc = *job ? job_start(x, *job) : RBL_ENOMEM;
		if (rc == RBL_OK)
			return RBL_XFR_STARTED;
		if (*job) {
			(*job)->refs = 1;
			job_unref(*job);
			*job = NULL;
		}
		rbl_log_warn("%s %s to %s: %s", qtype_text(&r), r.zone,
			     r.peer_text, rc == RBL_EBUSY
			     ? "too many transfers waiting (xfr-max-transfers)"
			     : rbl_strerror(rc));
		rc = small_answer(&r, DNS_RCODE_SERVFAIL, NULL, 0, out, cap,
				  outlen);
	}
	return rc == RBL_OK ? RBL_XFR_ANSWERED : RBL_XFR_NOT_MINE;
}

/* ------------------------------------------------------------ lifecycle */

int rbl_xfr_new(rbl_store *store, const rbl_xfr_conf *conf, rbl_xfr **out)
{
	rbl_xfr *x = calloc(1, sizeof *x);
	int rc;

	if (!x)
		return RBL_ENOMEM;
	x->store = store;
	x->conf = conf;
	rbl_xfr_opts_init(&x->opts);
	x->opts.txt_expand_max = conf->txt_expand;
	x->opts.max_records = conf->max_records;
	if ((rc = rbl_txn_begin(store, false, &x->txn)) != RBL_OK) {
		free(x);
		return rc;
	}
	rbl_txn_reset(x->txn);
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->idle, NULL);
	pthread_cond_init(&x->slot, NULL);
	*out = x;
	return RBL_OK;
}

void rbl_xfr_free(rbl_xfr *x)
{
	if (!x)
		return;
	/* jobs were released by the TCP thread: producers see it and end */
	pthread_mutex_lock(&x->lock);
	while (x->running)
		pthread_cond_wait(&x->idle, &x->lock);
	pthread_mutex_unlock(&x->lock);
	rbl_txn_abort(x->txn);
	pthread_mutex_destroy(&x->lock);
	pthread_cond_destroy(&x->idle);
	pthread_cond_destroy(&x->slot);
	free(x);
}
