/*
 * udp.h -- a UDP worker: recvmmsg a batch, answer each packet with the
 * worker's engine, sendmmsg the answers.
 *
 * Everything the loop touches is allocated by rbl_udp_worker_new():
 * receive and send buffers, message headers, addresses and control
 * buffers for a whole batch.  Per batch the engine takes one fresh store
 * snapshot and reads the clock once; per packet nothing is allocated and
 * no system call is made.  In a batch of several packets, what each
 * lookup will read is asked for some answers before it, in stages
 * (rbl_engine_ahead): at 100M entries a lookup's time is mostly cache
 * and TLB misses, and this overlaps those of several queries
 * (doc/performance.md, "a batch's misses overlapped").
 */
#ifndef RBLD_UDP_H
#define RBLD_UDP_H

#include <stdatomic.h>
#include <stdbool.h>

#include "engine.h"

#define RBL_UDP_BATCH	64
#define RBL_UDP_RECV_MAX 4096	/* larger queries are malformed anyway */

typedef struct rbl_udp_worker rbl_udp_worker;

/* A worker for socket FD (opened by rbl_listen_udp; not owned) whose
 * answers may be up to SEND_MAX bytes, answering with ENGINE (not owned;
 * used only by this worker's thread).  PKTINFO: the socket is a wildcard
 * with packet info enabled.  RBL_OK or RBL_ENOMEM. */
int rbl_udp_worker_new(int fd, bool pktinfo, size_t send_max,
		       rbl_engine *engine, rbl_udp_worker **out);
void rbl_udp_worker_free(rbl_udp_worker *w);

/* Serve until *STOP becomes true (checked at least every receive timeout
 * of the socket).  Returns RBL_OK; only unrecoverable socket errors end it
 * early with RBL_EIO. */
int rbl_udp_worker_run(rbl_udp_worker *w, const atomic_bool *stop);

#endif
