/*
 * tcp.c -- DNS over TCP with epoll (see tcp.h).
 *
 * Each connection has an input buffer for one whole message and an output
 * buffer for two whole answers.  A connection is answered in turns of at
 * most max_pipeline queries; when its output is full it is not read until
 * the client takes its answers, so a client that sends but never reads
 * costs a bounded amount of memory and then times out.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/log.h"
#include "listen.h"
#include "tcp.h"
#include "xfr.h"

#define FRAME_MAX	(2 + DNS_MSG_MAX)
#define IN_CAP		FRAME_MAX
#define OUT_CAP		(2 * FRAME_MAX)
#define TAG_LISTEN	(1ull << 32)
#define TAG_WAKE	(2ull << 32)
#define TAG_XFR		(4ull << 32)	/* | connection: its transfer job */
#define XFR_STALL_MS	120000	/* a transfer that makes no progress */
#define SWEEP_MS	200
#define MAX_EVENTS	64

typedef struct conn {
	int fd;				/* -1: slot free */
	uint32_t events;		/* epoll interest now registered */
	struct sockaddr_storage peer;
	uint8_t *in, *out;
	size_t in_off, in_len;		/* unparsed bytes: in[in_off..in_len) */
	size_t out_off, out_len;	/* unsent bytes: out[out_off..out_len) */
	int64_t last_ms;		/* last query answered or bytes sent */
	int64_t msg_start_ms;		/* a partial message began (0: none) */
	bool eof;			/* the client closed its side */
	bool backlog;			/* complete queries wait for a turn */
	rbl_xfr_job *xfr;		/* a zone transfer being sent */
} conn;

struct rbl_tcp_server {
	int epfd, wakefd;
	const int *lfds;
	unsigned n_lfds;
	rbl_tcp_conf conf;
	rbl_engine *engine;
	conn *conns;
	unsigned n_active;
	bool batch;			/* engine snapshot taken this round */
	int64_t now_ms, last_sweep_ms;
	rbl_xfr *xfr;			/* zone transfers, or NULL */
};

static int64_t monotonic_ms(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int epoll_add(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int rbl_tcp_new(const int *fds, unsigned n_fds, const rbl_tcp_conf *conf,
		rbl_engine *engine, rbl_tcp_server **out)
{
	rbl_tcp_server *s = calloc(1, sizeof(*s));

	int rc = RBL_EIO;

	if (!s)
		return RBL_ENOMEM;
	s->epfd = s->wakefd = -1;
	s->lfds = fds;
	s->n_lfds = n_fds;
	s->conf = *conf;
	if (s->conf.max_connections == 0)
		s->conf.max_connections = 1;
	if (s->conf.max_pipeline == 0)
		s->conf.max_pipeline = 1;
	s->engine = engine;
	s->conns = calloc(s->conf.max_connections, sizeof(*s->conns));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!s->conns)
		rc = RBL_ENOMEM;
	else if (s->epfd >= 0 && s->wakefd >= 0 &&
		 epoll_add(s->epfd, s->wakefd, TAG_WAKE) == 0)
		rc = RBL_OK;
	for (unsigned i = 0; s->conns && i < s->conf.max_connections; i++)
		s->conns[i].fd = -1;
	for (unsigned i = 0; rc == RBL_OK && i < n_fds; i++)
		if (epoll_add(s->epfd, fds[i], TAG_LISTEN | i) != 0)
			rc = RBL_EIO;
	if (rc != RBL_OK) {
		rbl_tcp_free(s);
		return rc;
	}
	*out = s;
	return RBL_OK;
}

/* ---- zone transfers (xfr.h): the job's messages go out in turn ---- */

void rbl_tcp_set_xfr(rbl_tcp_server *s, rbl_xfr *x)
{
	s->xfr = x;
}

static void xfr_detach(rbl_tcp_server *s, conn *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, rbl_xfr_job_fd(c->xfr), NULL);
	rbl_xfr_job_release(c->xfr);
	c->xfr = NULL;
}

/* Move ready messages of the job to the output.  False while the job
 * still runs; when it failed, the connection ends after what was sent. */
static bool xfr_pump(rbl_tcp_server *s, conn *c)
{
	uint64_t ready = 0;

	/* the job signals again after its next message; without room here
	 * we come back when the client has read (EPOLLOUT) */
	if (read(rbl_xfr_job_fd(c->xfr), &ready, sizeof ready) < 0 &&
	    errno != EAGAIN)
		return false;
	for (;;) {
		size_t len = 0;
		int rc;

		if (OUT_CAP - c->out_len < FRAME_MAX)
			return false;
		rc = rbl_xfr_job_next(c->xfr, c->out + c->out_len,
				      OUT_CAP - c->out_len, &len);
		if (rc == RBL_EBUSY)
			return false;
		if (rc == RBL_OK) {
			c->out_len += len;
			c->last_ms = s->now_ms;
			continue;
		}
		xfr_detach(s, c);
		if (rc != RBL_ENOTFOUND) {
			c->eof = true;
			c->in_off = c->in_len;
		}
		return true;
	}
}

/* Offer the message of FRAME bytes to the transfer code: true when it
 * answered or started a job (then stop reading queries for now). */
static bool xfr_query(rbl_tcp_server *s, conn *c, size_t frame)
{
	struct epoll_event ev = { .events = EPOLLIN };
	rbl_xfr_job *job = NULL;
	size_t len = 0;
	int v = rbl_xfr_tcp_query(s->xfr, c->in + c->in_off + 2, frame - 2,
				  &c->peer, c->out + c->out_len + 2,
				  DNS_MSG_MAX, &len, &job);

	if (v == RBL_XFR_NOT_MINE)
		return false;
	if (v == RBL_XFR_ANSWERED) {
		dns_put16(c->out + c->out_len, (uint16_t)len);
		c->out_len += 2 + len;
		return true;
	}
	ev.data.u64 = TAG_XFR | (uint64_t)(c - s->conns);
	c->xfr = job;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, rbl_xfr_job_fd(job), &ev) != 0) {
		xfr_detach(s, c);
		c->eof = true;
	}
	return true;
}

static void conn_close(rbl_tcp_server *s, conn *c)
{
	if (c->xfr)
		xfr_detach(s, c);
	close(c->fd);	/* also removes it from the epoll set */
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	s->n_active--;
}

void rbl_tcp_free(rbl_tcp_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; s->conns && i < s->conf.max_connections; i++)
		if (s->conns[i].fd >= 0)
			conn_close(s, &s->conns[i]);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->wakefd >= 0)
		close(s->wakefd);
	free(s->conns);
	free(s);
}

void rbl_tcp_wake(rbl_tcp_server *s)
{
	uint64_t one = 1;

	if (write(s->wakefd, &one, sizeof(one)) < 0)
		return;	/* already signalled */
}

static bool same_host(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* When every slot is taken, the connection to close for a newcomer, or
 * NULL.  A connection trickling a message (slowloris) goes first, the one
 * whose message began longest ago; then the one silent the longest.  A
 * new client's query arrives whole, so an attack that reconnects as fast
 * as it is cut churns its own slots, not the slot of a client that has
 * just connected and whose query is still on its way. */
static bool staler(const conn *a, const conn *b)
{
	bool a_trickles = a->msg_start_ms != 0, b_trickles = b->msg_start_ms != 0;

	if (a_trickles != b_trickles)
		return a_trickles;
	return a_trickles ? a->msg_start_ms < b->msg_start_ms
			  : a->last_ms < b->last_ms;
}

static conn *stalest(rbl_tcp_server *s, bool *fresh_only)
{
	conn *victim = NULL;
	bool fresh = false;

	for (unsigned i = 0; i < s->conf.max_connections; i++) {
		conn *c = &s->conns[i];

		if (c->fd < 0 || c->backlog || c->out_len > c->out_off)
			continue;	/* owes answers: not idle */
		if (c->last_ms >= s->now_ms) {
			fresh = true;	/* its query may not be read yet */
			continue;
		}
		if (!victim || staler(c, victim))
			victim = c;
	}
	if (fresh_only)
		*fresh_only = !victim && fresh;
	return victim;
}

/* A free slot for PEER, or NULL when a limit says no. */
static conn *conn_slot(rbl_tcp_server *s, const struct sockaddr_storage *peer)
{
	conn *free_slot = NULL;
	unsigned same = 0;

	for (unsigned i = 0; i < s->conf.max_connections; i++) {
		conn *c = &s->conns[i];

		if (c->fd < 0) {
			if (!free_slot)
				free_slot = c;
		} else if (same_host(&c->peer, peer)) {
			same++;
		}
	}
	if (same >= s->conf.max_per_client)
		return NULL;
	if (!free_slot && (free_slot = stalest(s, NULL)) != NULL) {
		conn_close(s, free_slot);
		s->engine->stats->tcp_refused++;
	}
	return free_slot;
}

static void conn_open(rbl_tcp_server *s, int fd,
		      const struct sockaddr_storage *peer)
{
	conn *c = conn_slot(s, peer);
	int one = 1;

	if (!c) {
		s->engine->stats->tcp_refused++;
		close(fd);
		return;
	}
	c->in = malloc(IN_CAP);
	c->out = malloc(OUT_CAP);
	if (!c->in || !c->out ||
	    epoll_add(s->epfd, fd, (uint64_t)(c - s->conns)) != 0) {
		free(c->in);
		free(c->out);
		c->in = c->out = NULL;
		close(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->events = EPOLLIN;
	c->peer = *peer;
	c->last_ms = s->now_ms;
	s->n_active++;
	s->engine->stats->tcp_conns++;
}

/* Accept while a slot can be had.  When the only slots to be had were
 * taken in this round, the rest wait in the kernel's queue for the next
 * round (a millisecond on) instead of being accepted and closed at once:
 * a client queued behind a burst of reconnecting attackers is answered a
 * round later, not reset.  When every slot owes answers, a newcomer is
 * refused as before, so a full table of unread answers cannot make the
 * listening socket spin. */
static void accept_all(rbl_tcp_server *s, int lfd)
{
	for (;;) {
		struct sockaddr_storage peer = { 0 };
		socklen_t len = sizeof(peer);
		int fd;

		if (s->n_active >= s->conf.max_connections) {
			bool fresh_only = false;

			if (!stalest(s, &fresh_only) && fresh_only)
				return;
		}
		fd = accept4(lfd, (struct sockaddr *)&peer, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				rbl_log_warn("tcp accept: %s", strerror(errno));
			return;
		}
		conn_open(s, fd, &peer);
	}
}

/* Read what the socket has.  Returns false when the connection failed. */
static bool conn_read(conn *c)
{
	if (c->in_off > 0) {	/* keep the partial message at the front */
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	while (c->in_len < IN_CAP && !c->eof) {
		ssize_t r = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);

		if (r > 0)
			c->in_len += (size_t)r;
		else if (r == 0)
			c->eof = true;
		else if (errno == EINTR)
			continue;
		else
			return errno == EAGAIN || errno == EWOULDBLOCK;
	}
	return true;
}

static size_t complete_message(const conn *c)
{
	size_t have = c->in_len - c->in_off;
	size_t need;

	if (have < 2)
		return 0;
	need = 2u + dns_get16(c->in + c->in_off);
	return have >= need ? need : 0;
}

static void begin_batch(rbl_tcp_server *s)
{
	if (!s->batch) {
		int rc = rbl_engine_begin(s->engine, 0);

		if (rc != RBL_OK)
			rbl_log_warn("store snapshot: %s", rbl_strerror(rc));
		s->batch = true;
	}
}

/* Answer up to max_pipeline complete queries while output room lasts. */
static void conn_answer(rbl_tcp_server *s, conn *c)
{
	unsigned done = 0;
	size_t frame;

	if (c->xfr && !xfr_pump(s, c))
		return;
	while ((frame = complete_message(c)) != 0 && !c->xfr &&
	       done < s->conf.max_pipeline && OUT_CAP - c->out_len >= FRAME_MAX) {
		size_t len = 0;

		if (s->xfr && xfr_query(s, c, frame)) {
			c->in_off += frame;
			c->msg_start_ms = 0;
			c->last_ms = s->now_ms;
			done++;
			continue;
		}
		begin_batch(s);
		if (rbl_engine_answer_from(s->engine,
					   (struct sockaddr *)&c->peer,
					   c->in + c->in_off + 2, frame - 2,
					   RBL_TRANSPORT_TCP,
					   c->out + c->out_len + 2,
					   DNS_MSG_MAX, &len) == RBL_OK) {
			dns_put16(c->out + c->out_len, (uint16_t)len);
			c->out_len += 2 + len;
		}
		c->in_off += frame;
		c->msg_start_ms = 0;
		c->last_ms = s->now_ms;
		done++;
	}
	c->backlog = !c->xfr && complete_message(c) != 0;
	if (c->in_len > c->in_off && !c->backlog && c->msg_start_ms == 0)
		c->msg_start_ms = s->now_ms;
}

/* Send pending answers.  Returns false when the connection failed. */
static bool conn_flush(rbl_tcp_server *s, conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t r = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (r > 0) {
			c->out_off += (size_t)r;
			c->last_ms = s->now_ms;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else {
			return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
		}
	}
	c->out_off = c->out_len = 0;
	return true;
}

/* Read only while there is room to answer; write while answers wait. */
static void conn_interest(rbl_tcp_server *s, conn *c)
{
	uint32_t want = 0;
	struct epoll_event ev = { 0 };

	if (!c->eof && !c->backlog && c->in_len - c->in_off < IN_CAP &&
	    OUT_CAP - c->out_len >= FRAME_MAX)
		want |= EPOLLIN;
	if (c->out_off < c->out_len)
		want |= EPOLLOUT;
	if (want == c->events)
		return;
	ev.events = want;
	ev.data.u64 = (uint64_t)(c - s->conns);
	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = want;
}

static void conn_service(rbl_tcp_server *s, conn *c, bool readable)
{
	if (readable && !conn_read(c)) {
		conn_close(s, c);
		return;
	}
	conn_answer(s, c);
	if (!conn_flush(s, c)) {
		conn_close(s, c);
		return;
	}
	/* a transfer whose output all went out takes its next messages
	 * now: the job signalled them before, it will not again */
	while (c->xfr && c->out_len == 0) {
		conn_answer(s, c);
		if (c->out_len == 0)
			break;
		if (!conn_flush(s, c)) {
			conn_close(s, c);
			return;
		}
	}
	/* A client that closed gets its answers, then we close too. */
	if (c->eof && !c->backlog && c->out_len == 0 && !c->xfr) {
		conn_close(s, c);
		return;
	}
	conn_interest(s, c);
}

static void sweep(rbl_tcp_server *s)
{
	const rbl_tcp_conf *cf = &s->conf;

	s->last_sweep_ms = s->now_ms;
	for (unsigned i = 0; i < cf->max_connections; i++) {
		conn *c = &s->conns[i];

		if (c->fd < 0)
			continue;
		if (c->xfr) {	/* the producer may think for a while */
			if (s->now_ms - c->last_ms > XFR_STALL_MS)
				conn_close(s, c);
			continue;
		}
		if ((c->msg_start_ms &&
		     s->now_ms - c->msg_start_ms > cf->read_timeout_ms) ||
		    s->now_ms - c->last_ms > cf->idle_timeout_ms)
			conn_close(s, c);
	}
}

static void handle_event(rbl_tcp_server *s, const struct epoll_event *ev)
{
	uint64_t tag = ev->data.u64;

	if (tag == TAG_WAKE)
		return;
	if (tag & TAG_LISTEN) {
		accept_all(s, s->lfds[tag & 0xffffffffu]);
		return;
	}
	if (tag & TAG_XFR) {
		tag &= 0xffffffffu;
		if (tag < s->conf.max_connections && s->conns[tag].xfr)
			conn_service(s, &s->conns[tag], false);
		return;
	}
	if (tag < s->conf.max_connections && s->conns[tag].fd >= 0)
		conn_service(s, &s->conns[tag],
			     (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0);
}

static bool any_backlog(rbl_tcp_server *s)
{
	bool any = false;

	for (unsigned i = 0; i < s->conf.max_connections; i++) {
		conn *c = &s->conns[i];

		if (c->fd >= 0 && c->backlog) {
			conn_service(s, c, false);
			any = any || (c->fd >= 0 && c->backlog);
		}
	}
	return any;
}

int rbl_tcp_run(rbl_tcp_server *s, const atomic_bool *stop)
{
	struct epoll_event evs[MAX_EVENTS];
	bool backlog = false;

	while (!atomic_load(stop)) {
		int n = epoll_wait(s->epfd, evs, MAX_EVENTS,
				   backlog ? 0 : SWEEP_MS);

		if (n < 0 && errno != EINTR) {
			rbl_log_err("epoll_wait: %s", strerror(errno));
			return RBL_EIO;
		}
		s->now_ms = monotonic_ms();
		/* Read the connections before accepting new ones: a client
		 * whose query has arrived is then never "silent" (stalest). */
		for (int i = 0; i < n; i++)
			if (!(evs[i].data.u64 & TAG_LISTEN))
				handle_event(s, &evs[i]);
		for (int i = 0; i < n; i++)
			if (evs[i].data.u64 & TAG_LISTEN)
				handle_event(s, &evs[i]);
		backlog = any_backlog(s);
		if (s->batch)
			rbl_engine_end(s->engine);
		s->batch = false;
		if (s->now_ms - s->last_sweep_ms >= SWEEP_MS)
			sweep(s);
	}
	return RBL_OK;
}
