/*
 * server.h -- rbld's threads and their lifecycle.
 *
 *   rbl_server_bind()   opens every socket (while still privileged);
 *   rbl_server_start()  gives each thread an engine on the store and
 *                       starts it: one UDP worker per (thread, listen
 *                       address) and one TCP thread for all addresses;
 *   rbl_server_stop()   makes them return and joins them;
 *   rbl_server_free()   closes the sockets.
 * Statistics slot i belongs to thread i (UDP workers first, then TCP).
 */
#ifndef RBLD_SERVER_H
#define RBLD_SERVER_H

#include "zone/qstats.h"
#include "zone/store/store.h"
#include "engine.h"
#include "listen.h"
#include "tcp.h"

#define RBL_MAX_LISTEN	32
#define RBL_MAX_THREADS	64

typedef struct rbl_server_conf {
	rbl_listen_addr listen[RBL_MAX_LISTEN];
	unsigned n_listen;
	unsigned threads;		/* UDP workers per address */
	rbl_engine_conf engine;
	rbl_tcp_conf tcp;
} rbl_server_conf;

typedef struct rbl_server rbl_server;

/* Open the sockets of CONF (kept by pointer: it must outlive the server).
 * On failure logs which address failed and returns RBL_EIO (or
 * RBL_ENOMEM). */
int rbl_server_bind(const rbl_server_conf *conf, rbl_server **out);
/* Statistics slots the server needs. */
unsigned rbl_server_slots(const rbl_server_conf *conf);
/* Start every thread answering from STORE, counting into QS.  On failure
 * the threads already started are stopped.  RBL_OK, RBL_ENOMEM, RBL_EBUSY
 * (store reader table full), RBL_EIO. */
int rbl_server_start(rbl_server *s, rbl_store *store, rbl_qstats *qs);
/* Zone transfers over TCP go to X (not owned, may be NULL); call before
 * rbl_server_start. */
struct rbl_xfr;
void rbl_server_set_xfr(rbl_server *s, struct rbl_xfr *x);
/* Stop and join the threads (idempotent). */
void rbl_server_stop(rbl_server *s);
/* Stop if needed, close the sockets and free S. */
void rbl_server_free(rbl_server *s);

#endif
