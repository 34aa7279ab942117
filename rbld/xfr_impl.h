/*
 * xfr_impl.h -- the private side of xfr.h, shared by xfr.c (requests,
 * decisions), xfr_msg.c (writing messages) and xfr_job.c (transfer
 * threads and the queue to the TCP thread).  Nothing else includes it.
 */
#ifndef RBLD_XFR_IMPL_H
#define RBLD_XFR_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "zone/store/store.h"
#include "zone/xfr/xfr_expand.h"
#include "dns.h"
#include "tsig.h"
#include "xfr.h"

#define JOB_SLOTS	4		/* messages queued per transfer */
#define FRAME_CAP	(2 + DNS_MSG_MAX)	/* length prefix + message */

struct rbl_xfr {
	rbl_store *store;
	const rbl_xfr_live *live;	/* settings, read per request */
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
	const rbl_xfr_conf *conf;	/* the settings it was admitted under */
	rbl_xfr_opts opts;
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

/* A message being written: BUF holds the length prefix, then LEN bytes
 * of message; LIMIT leaves room for a TSIG record. */
typedef struct wbuf {
	uint8_t *buf;
	size_t len, limit;
	uint16_t an;
} wbuf;

/* ---- xfr_msg.c ---- */

/* Start a message answering R with RCODE: header and question. */
void xfr_wb_start(wbuf *w, const xfr_req *r, int rcode);
/* Append RR (owner relative to the question name, which it points to).
 * An rbl_xrr_fn: RBL_OK, or RBL_ETOOBIG when the message is full. */
int xfr_wb_rr(void *arg, const rbl_xrr *rr);
/* Set the answer count, sign if TSIG says so, set the length prefix.
 * RBL_OK or a TSIG error. */
int xfr_wb_finish(wbuf *w, rbl_tsig_state *tsig);
/* Message size that leaves room for the TSIG record TSIG needs. */
size_t xfr_wb_limit(const rbl_tsig_state *tsig);

/* ---- xfr_job.c ---- */

/* A job for request R of transfer server X under settings CONF (two
 * references: the TCP side's and the thread's), or NULL when memory is
 * short. */
rbl_xfr_job *xfr_job_new(rbl_xfr *x, const rbl_xfr_conf *conf,
			 const xfr_req *r);
/* Start J's thread unless too many wait.  RBL_OK, RBL_EBUSY, RBL_ENOMEM;
 * on failure the caller frees J with xfr_job_drop. */
int xfr_job_start(rbl_xfr *x, rbl_xfr_job *j);
/* Free a job whose thread never started. */
void xfr_job_drop(rbl_xfr_job *j);

#endif
