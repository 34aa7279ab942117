/*
 * xfr.h -- zone transfers (AXFR, RFC 5936; IXFR, RFC 1995) over TCP.
 *
 * The TCP thread hands every complete message to rbl_xfr_tcp_query()
 * first.  A message that is not a transfer request is left to the normal
 * engine.  A request that can be answered at once (refused, not our zone,
 * bad TSIG, an IXFR from a client that is up to date) gets its answer
 * written right away.  Anything else becomes a job: a thread of its own
 * reads the zone from its own read transaction (one consistent snapshot,
 * however long the transfer takes, while queries go on) and produces
 * messages of up to 64 KiB, SOA first and last, each signed when the
 * request was.  The TCP thread takes the messages from the job as the
 * client reads them (rbl_xfr_job_next), woken by the job's eventfd; a
 * job holds at most a few messages, so a slow client slows the producer
 * down instead of filling memory.
 *
 * IXFR answers the condensed difference from the client's serial to the
 * current one (xfr_expand.h), or the whole zone when the journal does
 * not reach back that far.  Every transfer and every refusal is logged.
 */
#ifndef RBLD_XFR_H
#define RBLD_XFR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zone/store/store.h"
#include "xfr_conf.h"

typedef struct rbl_xfr rbl_xfr;
typedef struct rbl_xfr_job rbl_xfr_job;

/* Transfers of the zones in STORE as the settings in LIVE allow, read
 * per request (both not owned; they must outlive the result).  RBL_OK or
 * RBL_ENOMEM. */
int rbl_xfr_new(rbl_store *store, const rbl_xfr_live *live, rbl_xfr **out);
/* Cancel running jobs, wait for their threads, free X. */
void rbl_xfr_free(rbl_xfr *x);

enum rbl_xfr_verdict {
	RBL_XFR_NOT_MINE = 0,	/* not a transfer request: answer normally */
	RBL_XFR_ANSWERED,	/* OUT holds the whole answer (*OUTLEN) */
	RBL_XFR_STARTED		/* *JOB produces the answer */
};

/* Look at the complete message MSG (LEN bytes, no length prefix) that
 * came over TCP from PEER.  Returns an rbl_xfr_verdict; for ANSWERED the
 * answer is in OUT (CAP >= 512 bytes), for STARTED *JOB belongs to the
 * caller until rbl_xfr_job_release(). */
int rbl_xfr_tcp_query(rbl_xfr *x, const uint8_t *msg, size_t len,
		      const struct sockaddr_storage *peer, uint8_t *out,
		      size_t cap, size_t *outlen, rbl_xfr_job **job);

/* The eventfd that becomes readable when the job has a message ready or
 * has finished.  Owned by the job. */
int rbl_xfr_job_fd(const rbl_xfr_job *j);

/* Take the next message into OUT (CAP >= 65537 bytes) with its 2-byte
 * length prefix.  RBL_OK and *LEN; RBL_EBUSY: none ready yet; RBL_ENOTFOUND:
 * the transfer is complete; RBL_EIO: it failed (close the connection). */
int rbl_xfr_job_next(rbl_xfr_job *j, uint8_t *out, size_t cap, size_t *len);

/* The connection is done with J (finished, or closed early: the producer
 * stops).  J must not be used afterwards. */
void rbl_xfr_job_release(rbl_xfr_job *j);

#endif
