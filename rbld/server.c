/*
 * server.c -- threads and lifecycle (see server.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/log.h"
#include "server.h"
#include "steer.h"
#include "udp.h"

#define UDP_TIMEOUT_MS	1000
#define TCP_BACKLOG	256

typedef struct worker {
	struct rbl_server *server;
	rbl_engine engine;
	rbl_udp_worker *udp;		/* NULL for the TCP thread */
	pthread_t tid;
	bool started;
} worker;

struct rbl_server {
	const rbl_server_conf *conf;
	int *udp_fds;			/* n_listen * threads */
	int *tcp_fds;			/* n_listen */
	unsigned n_udp;
	worker **workers;		/* n_udp UDP workers, then TCP */
	unsigned n_workers;
	rbl_tcp_server *tcp;
	struct rbl_xfr *xfr;		/* zone transfers, not owned */
	atomic_bool stop;
};

unsigned rbl_server_slots(const rbl_server_conf *conf)
{
	return conf->n_listen * conf->threads + 1;
}

/* All UDP queries of a client prefix to one worker (steer.h), so that
 * per-worker RRL and quota tables see all of them; best effort. */
static void steer(const rbl_server *s, unsigned a)
{
	const rbl_access *p = s->conf->engine.access
			      ? atomic_load(&s->conf->engine.access->current)
			      : NULL;
	const rbl_listen_addr *la = &s->conf->listen[a];

	if (rbl_steer_attach(s->udp_fds[a * s->conf->threads],
			     la->ss.ss_family, s->conf->threads,
			     p ? p->rrl.prefix4 : 24,
			     p ? p->rrl.prefix6 : 56) != RBL_OK)
		rbl_log_warn("udp %s: cannot steer clients to workers (%s): "
			     "rate limits and quotas count per worker",
			     la->text, strerror(errno));
}

static int bind_one(rbl_server *s, unsigned a)
{
	const rbl_listen_addr *la = &s->conf->listen[a];

	for (unsigned t = 0; t < s->conf->threads; t++) {
		int *fd = &s->udp_fds[a * s->conf->threads + t];

		if (rbl_listen_udp(la, UDP_TIMEOUT_MS, fd) != RBL_OK) {
			rbl_log_err("udp %s: %s", la->text, strerror(errno));
			return RBL_EIO;
		}
	}
	steer(s, a);
	if (rbl_listen_tcp(la, TCP_BACKLOG, &s->tcp_fds[a]) != RBL_OK) {
		rbl_log_err("tcp %s: %s", la->text, strerror(errno));
		return RBL_EIO;
	}
	return RBL_OK;
}

int rbl_server_bind(const rbl_server_conf *conf, rbl_server **out)
{
	rbl_server *s = calloc(1, sizeof(*s));
	int rc = RBL_OK;

	if (!s)
		return RBL_ENOMEM;
	s->conf = conf;
	s->n_udp = conf->n_listen * conf->threads;
	s->udp_fds = malloc((s->n_udp + 1) * sizeof(int));
	s->tcp_fds = malloc((conf->n_listen + 1) * sizeof(int));
	if (!s->udp_fds || !s->tcp_fds) {
		rbl_server_free(s);
		return RBL_ENOMEM;
	}
	for (unsigned i = 0; i < s->n_udp; i++)
		s->udp_fds[i] = -1;
	for (unsigned i = 0; i < conf->n_listen; i++)
		s->tcp_fds[i] = -1;
	for (unsigned a = 0; a < conf->n_listen && rc == RBL_OK; a++)
		rc = bind_one(s, a);
	if (rc != RBL_OK) {
		rbl_server_free(s);
		return rc;
	}
	*out = s;
	return RBL_OK;
}

static void *udp_main(void *arg)
{
	worker *w = arg;

	if (rbl_udp_worker_run(w->udp, &w->server->stop) != RBL_OK)
		rbl_log_err("a UDP worker stopped on a socket error");
	return NULL;
}

static void *tcp_main(void *arg)
{
	worker *w = arg;

	if (rbl_tcp_run(w->server->tcp, &w->server->stop) != RBL_OK)
		rbl_log_err("the TCP thread stopped on an error");
	return NULL;
}

static int worker_new(rbl_server *s, unsigned i, rbl_store *store,
		      rbl_qstats *qs)
{
	const rbl_server_conf *c = s->conf;
	worker *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return RBL_ENOMEM;
	s->workers[i] = w;
	w->server = s;
	rc = rbl_engine_init_at(&w->engine, store, &c->engine,
				qs ? rbl_qstats_slot_get(qs, i) : NULL, i);
	if (rc != RBL_OK)
		return rc;
	if (i < s->n_udp) {
		const rbl_listen_addr *la = &c->listen[i / c->threads];

		return rbl_udp_worker_new(s->udp_fds[i], la->wildcard,
					  c->engine.edns_buffer_max,
					  &w->engine, &w->udp);
	}
	rc = rbl_tcp_new(s->tcp_fds, c->n_listen, &c->tcp, &w->engine,
			 &s->tcp);
	if (rc == RBL_OK)
		rbl_tcp_set_xfr(s->tcp, s->xfr);
	return rc;
}

void rbl_server_set_xfr(rbl_server *s, struct rbl_xfr *x)
{
	s->xfr = x;
}

int rbl_server_start(rbl_server *s, rbl_store *store, rbl_qstats *qs)
{
	int rc = RBL_OK;

	s->n_workers = s->n_udp + 1;
	s->workers = calloc(s->n_workers, sizeof(*s->workers));
	if (!s->workers)
		return RBL_ENOMEM;
	atomic_store(&s->stop, false);
	for (unsigned i = 0; i < s->n_workers && rc == RBL_OK; i++) {
		rc = worker_new(s, i, store, qs);
		if (rc != RBL_OK)
			break;
		if (pthread_create(&s->workers[i]->tid, NULL,
				   i < s->n_udp ? udp_main : tcp_main,
				   s->workers[i]) != 0)
			rc = RBL_ENOMEM;
		else
			s->workers[i]->started = true;
	}
	if (rc != RBL_OK)
		rbl_server_stop(s);
	return rc;
}

void rbl_server_stop(rbl_server *s)
{
	atomic_store(&s->stop, true);
	/* Wake the workers blocked in recvmmsg/epoll_wait at once. */
	for (unsigned i = 0; i < s->n_udp; i++)
		if (s->udp_fds[i] >= 0)
			shutdown(s->udp_fds[i], SHUT_RDWR);
	if (s->tcp)
		rbl_tcp_wake(s->tcp);
	for (unsigned i = 0; s->workers && i < s->n_workers; i++) {
		worker *w = s->workers[i];

		if (!w)
			continue;
		if (w->started)
			pthread_join(w->tid, NULL);
		rbl_udp_worker_free(w->udp);
		rbl_engine_fini(&w->engine);
		free(w);
		s->workers[i] = NULL;
	}
	rbl_tcp_free(s->tcp);
	s->tcp = NULL;
}

void rbl_server_free(rbl_server *s)
{
	if (!s)
		return;
	rbl_server_stop(s);
	free(s->workers);
	for (unsigned i = 0; s->udp_fds && i < s->n_udp; i++)
		if (s->udp_fds[i] >= 0)
			close(s->udp_fds[i]);
	for (unsigned i = 0; s->tcp_fds && i < s->conf->n_listen; i++)
		if (s->tcp_fds[i] >= 0)
			close(s->tcp_fds[i]);
	free(s->udp_fds);
	free(s->tcp_fds);
	free(s);
}
