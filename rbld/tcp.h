/*
 * tcp.h -- DNS over TCP (RFC 7766) in one epoll thread.
 *
 * Messages carry a 2-byte length prefix; a connection may send several
 * queries, also without waiting for answers (pipelining), and gets the
 * answers in order, each up to 65535 bytes.  Limits protect the server:
 * connections in total and per client address, queries handled per
 * connection before others get a turn, an idle timeout, and a read
 * timeout for a message that started but does not complete (slowloris).
 * When all connections are taken, a new one replaces the one that has
 * been silent longest (and owes no answers), so slow clients cannot lock
 * real ones out.
 * Connection buffers are allocated on accept and freed on close; answering
 * a query allocates nothing.
 */
#ifndef RBLD_TCP_H
#define RBLD_TCP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

typedef struct rbl_tcp_conf {
	uint32_t idle_timeout_ms;	/* no complete query for this long */
	uint32_t read_timeout_ms;	/* a started message must complete */
	uint32_t max_connections;
	uint32_t max_per_client;
	uint32_t max_pipeline;		/* queries per turn per connection */
} rbl_tcp_conf;

typedef struct rbl_tcp_server rbl_tcp_server;

/* A TCP server on the N_FDS listening sockets FDS (not owned), answering
 * with ENGINE (not owned; used only by the TCP thread).  RBL_OK, RBL_ENOMEM
 * or RBL_EIO. */
int rbl_tcp_new(const int *fds, unsigned n_fds, const rbl_tcp_conf *conf,
		rbl_engine *engine, rbl_tcp_server **out);
/* Close every connection and free S (not the listening sockets). */
void rbl_tcp_free(rbl_tcp_server *s);
/* Serve until *STOP is true or rbl_tcp_wake() is called after setting
 * it.  Returns RBL_OK or RBL_EIO. */
int rbl_tcp_run(rbl_tcp_server *s, const atomic_bool *stop);
/* Wake the loop (from another thread) so it sees *STOP. */
void rbl_tcp_wake(rbl_tcp_server *s);

/* Zone transfers: requests go to X (not owned; NULL: none, the engine
 * answers them NOTIMP).  Call before rbl_tcp_run. */
struct rbl_xfr;
void rbl_tcp_set_xfr(rbl_tcp_server *s, struct rbl_xfr *x);

#endif
