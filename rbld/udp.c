/*
 * udp.c -- the UDP worker loop (see udp.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "zone/error.h"
#include "zone/log.h"
#include "udp.h"

#define CTL_SIZE CMSG_SPACE(sizeof(struct in6_pktinfo))

struct rbl_udp_worker {
	int fd;
	bool pktinfo;
	size_t send_max;
	rbl_engine *engine;
	struct mmsghdr in[RBL_UDP_BATCH], out[RBL_UDP_BATCH];
	struct iovec iov_in[RBL_UDP_BATCH], iov_out[RBL_UDP_BATCH];
	struct sockaddr_storage peer[RBL_UDP_BATCH];
	uint8_t ctl_in[RBL_UDP_BATCH][CTL_SIZE];
	uint8_t ctl_out[RBL_UDP_BATCH][CTL_SIZE];
	uint8_t *rbuf;		/* RBL_UDP_BATCH * RBL_UDP_RECV_MAX */
	uint8_t *wbuf;		/* RBL_UDP_BATCH * send_max */
	/* the batch as the engine's prefetch sees it (rbl_engine_ahead) */
	const uint8_t *pkt[RBL_UDP_BATCH];
	size_t len[RBL_UDP_BATCH];
	rbl_prefetch pf[RBL_UDP_BATCH];
};

int rbl_udp_worker_new(int fd, bool pktinfo, size_t send_max,
		       rbl_engine *engine, rbl_udp_worker **out)
{
	rbl_udp_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return RBL_ENOMEM;
	w->fd = fd;
	w->pktinfo = pktinfo;
	w->send_max = send_max < DNS_UDP_MIN ? DNS_UDP_MIN : send_max;
	w->engine = engine;
	w->rbuf = malloc((size_t)RBL_UDP_BATCH * RBL_UDP_RECV_MAX);
	w->wbuf = malloc((size_t)RBL_UDP_BATCH * w->send_max);
	if (!w->rbuf || !w->wbuf) {
		rbl_udp_worker_free(w);
		return RBL_ENOMEM;
	}
	for (unsigned i = 0; i < RBL_UDP_BATCH; i++) {
		w->iov_in[i].iov_base = w->rbuf + (size_t)i * RBL_UDP_RECV_MAX;
		w->pkt[i] = w->iov_in[i].iov_base;
		w->iov_in[i].iov_len = RBL_UDP_RECV_MAX;
		w->in[i].msg_hdr.msg_iov = &w->iov_in[i];
		w->in[i].msg_hdr.msg_iovlen = 1;
		w->in[i].msg_hdr.msg_name = &w->peer[i];
	}
	*out = w;
	return RBL_OK;
}

void rbl_udp_worker_free(rbl_udp_worker *w)
{
	if (!w)
		return;
	free(w->rbuf);
	free(w->wbuf);
	free(w);
}

static void prepare_receive(rbl_udp_worker *w)
{
	for (unsigned i = 0; i < RBL_UDP_BATCH; i++) {
		struct msghdr *h = &w->in[i].msg_hdr;

		h->msg_namelen = sizeof(w->peer[i]);
		h->msg_control = w->pktinfo ? w->ctl_in[i] : NULL;
		h->msg_controllen = w->pktinfo ? CTL_SIZE : 0;
		h->msg_flags = 0;
	}
}

/* Answer from the address the query was sent to: copy its packet info,
 * with the interface cleared so routing picks the way out. */
static size_t reply_control(const struct msghdr *in, uint8_t *ctl)
{
	struct msghdr tmp = { .msg_control = ctl, .msg_controllen = CTL_SIZE };
	struct cmsghdr *c;
	struct cmsghdr *o = CMSG_FIRSTHDR(&tmp);

	for (c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR((struct msghdr *)in, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi = { 0 };

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			pi.ipi_ifindex = 0;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi = { 0 };

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi6_ifindex = 0;
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

static void queue_reply(rbl_udp_worker *w, unsigned i, unsigned n,
			size_t len)
{
	struct msghdr *h = &w->out[n].msg_hdr;
	const struct msghdr *src = &w->in[i].msg_hdr;

	w->iov_out[n].iov_base = w->wbuf + (size_t)n * w->send_max;
	w->iov_out[n].iov_len = len;
	memset(h, 0, sizeof(*h));
	h->msg_name = &w->peer[i];
	h->msg_namelen = src->msg_namelen;
	h->msg_iov = &w->iov_out[n];
	h->msg_iovlen = 1;
	if (w->pktinfo) {
		h->msg_control = w->ctl_out[n];
		h->msg_controllen = reply_control(src, w->ctl_out[n]);
		if (h->msg_controllen == 0)
			h->msg_control = NULL;
	}
}

/* Answer packets 0..N-1; returns how many replies were queued.  In a
 * batch of several, the packets ahead are prefetched before each answer
 * (rbl_engine_ahead), while the engine says it pays. */
static unsigned answer_batch(rbl_udp_worker *w, unsigned n)
{
	rbl_engine *e = w->engine;
	rbl_batch b = { .pkt = w->pkt, .len = w->len, .pf = w->pf, .n = n };
	unsigned out = 0;
	bool ahead = n > 1;
	int rc = rbl_engine_begin(e, 0);

	if (rc != RBL_OK)
		rbl_log_warn("store snapshot: %s", rbl_strerror(rc));
	for (unsigned i = 0; i < n; i++)
		w->len[i] = w->in[i].msg_len;
	for (unsigned i = 0; i < n; i++) {
		size_t len = 0;

		if (ahead)
			ahead = rbl_engine_ahead(e, &b, i);
		if (rbl_engine_answer_from(e, (struct sockaddr *)&w->peer[i],
					   w->iov_in[i].iov_base,
					   w->in[i].msg_len, RBL_TRANSPORT_UDP,
					   w->wbuf + (size_t)out * w->send_max,
					   w->send_max, &len) != RBL_OK)
			continue;
		queue_reply(w, i, out++, len);
	}
	rbl_engine_end(e);
	return out;
}

static void send_batch(rbl_udp_worker *w, unsigned n)
{
	unsigned sent = 0;

	while (sent < n) {
		int r = sendmmsg(w->fd, w->out + sent, n - sent, 0);

		if (r > 0) {
			sent += (unsigned)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else {
			/* This datagram cannot go (e.g. EPERM, unreachable):
			 * skip it, send the rest. */
			w->engine->stats->dropped++;
			sent++;
		}
	}
}

int rbl_udp_worker_run(rbl_udp_worker *w, const atomic_bool *stop)
{
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		int n;

		prepare_receive(w);
		n = recvmmsg(w->fd, w->in, RBL_UDP_BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK || errno == ECONNREFUSED)
				continue;
			if (atomic_load(stop))
				break;
			rbl_log_err("recvmmsg: %s", strerror(errno));
			return RBL_EIO;
		}
		if (n == 0)	/* socket shut down */
			continue;
		send_batch(w, answer_batch(w, (unsigned)n));
	}
	return RBL_OK;
}
