/*
 * noop-responder.c -- the benchmark's ceiling: a UDP DNS responder that
 * answers every query NXDOMAIN without looking anything up.
 *
 *   noop-responder [-l ADDR@PORT] [-T THREADS]
 *
 * Listens on ADDR@PORT (default 127.0.0.1@5353; IPv6 addresses as
 * "::1@5353") with THREADS worker threads (default: number of CPUs), each
 * with its own SO_REUSEPORT socket, receiving and sending in batches with
 * recvmmsg/sendmmsg, the way rbld does.  The answer is the query turned
 * around in place: QR and AA set, RCODE NXDOMAIN, the question kept,
 * everything after it dropped.  What it costs per query is the cost of
 * the kernel, the sockets and the client: no DNS server can do less.
 * Runs until SIGINT or SIGTERM.  Exit 0, or 1 if it cannot listen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH	64
#define PKT_MAX	1500
#define DNS_HEADER 12

typedef struct worker {
	int fd;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage peers[BATCH];
	uint8_t bufs[BATCH][PKT_MAX];
} worker;

/* Length of the header and question, or 0 if the packet is not a query
 * we can turn around (no question, compressed or overlong name). */
static size_t question_end(const uint8_t *p, size_t len)
{
	size_t off = DNS_HEADER;

	if (len < DNS_HEADER || (p[2] & 0x80) || p[4] != 0 || p[5] != 1)
		return 0;
	while (off < len && p[off] != 0) {
		if (p[off] > 63)
			return 0;
		off += 1 + p[off];
	}
	off += 1 + 4;	/* root label, QTYPE, QCLASS */
	return off <= len ? off : 0;
}

/* Turn query P of LEN bytes into its NXDOMAIN answer; new length or 0. */
static size_t make_answer(uint8_t *p, size_t len)
{
	size_t end = question_end(p, len);

	if (end == 0)
		return 0;
	p[2] = (uint8_t)(0x80 | 0x04 | (p[2] & 0x79));	/* QR, AA; keep opcode, RD */
	p[3] = 0x03;					/* NXDOMAIN */
	memset(p + 6, 0, 6);				/* AN, NS, AR counts */
	return end;
}

static void reset_batch(worker *w)
{
	for (int i = 0; i < BATCH; i++) {
		w->iov[i].iov_base = w->bufs[i];
		w->iov[i].iov_len = PKT_MAX;
		memset(&w->msgs[i].msg_hdr, 0, sizeof w->msgs[i].msg_hdr);
		w->msgs[i].msg_hdr.msg_iov = &w->iov[i];
		w->msgs[i].msg_hdr.msg_iovlen = 1;
		w->msgs[i].msg_hdr.msg_name = &w->peers[i];
		w->msgs[i].msg_hdr.msg_namelen = sizeof w->peers[i];
	}
}

/* Answer the N received messages; drop what is not a query by moving the
 * answers to the front.  Returns how many answers there are. */
static int answer_batch(worker *w, int n)
{
	int out = 0;

	for (int i = 0; i < n; i++) {
		size_t alen = make_answer(w->bufs[i], w->msgs[i].msg_len);

		if (alen == 0)
			continue;
		if (out != i) {
			memcpy(w->bufs[out], w->bufs[i], alen);
			w->peers[out] = w->peers[i];
			w->msgs[out].msg_hdr.msg_namelen =
				w->msgs[i].msg_hdr.msg_namelen;
		}
		w->iov[out].iov_len = alen;
		out++;
	}
	return out;
}

static void *worker_loop(void *arg)
{
	worker *w = arg;

	for (;;) {
		reset_batch(w);
		int n = recvmmsg(w->fd, w->msgs, BATCH, MSG_WAITFORONE, NULL);

		if (n <= 0)
			continue;
		int m = answer_batch(w, n);

		for (int sent = 0; sent < m;) {
			int r = sendmmsg(w->fd, w->msgs + sent,
					 (unsigned)(m - sent), 0);
			if (r <= 0)
				break;	/* full buffer: drop, as a server would */
			sent += r;
		}
	}
	return NULL;
}

/* Parse "addr@port" into SA; 0 or -1. */
static int parse_listen(const char *s, struct sockaddr_storage *sa,
			socklen_t *salen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(s, '@');
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	long port;
	char *end = NULL;

	if (at == NULL || (size_t)(at - s) >= sizeof host)
		return -1;
	memcpy(host, s, (size_t)(at - s));
	host[at - s] = '\0';
	port = strtol(at + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*salen = sizeof *v4;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*salen = sizeof *v6;
		return 0;
	}
	return -1;
}

/* A UDP socket of its own for one worker.  The large receive buffer
 * absorbs bursts from a client with hundreds of queries outstanding (the
 * kernel caps it at net.core.rmem_max), as a real server would. */
static int open_socket(const struct sockaddr_storage *sa, socklen_t salen)
{
	int one = 1, rcvbuf = 4 << 20;
	int fd = socket(sa->ss_family, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
	    bind(fd, (const struct sockaddr *)sa, salen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(FILE *f)
{
	fputs("usage: noop-responder [-l ADDR@PORT] [-T THREADS]\n", f);
}

int main(int argc, char **argv)
{
	const char *listen_on = "127.0.0.1@5353";
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	struct sockaddr_storage sa = { 0 };
	socklen_t salen = 0;
	sigset_t stop = { 0 };
	int c, sig = 0;

	while ((c = getopt(argc, argv, "l:T:hV")) != -1) {
		switch (c) {
		case 'l': listen_on = optarg; break;
		case 'T': threads = strtol(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("noop-responder " RBL_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || threads < 1 || threads > 256 ||
	    parse_listen(listen_on, &sa, &salen) < 0) {
		usage(stderr);
		return 2;
	}
	/* Block the stop signals in every thread; main waits for them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	for (long i = 0; i < threads; i++) {
		worker *w = calloc(1, sizeof *w);
		pthread_t tid = 0;

		if (w == NULL || (w->fd = open_socket(&sa, salen)) < 0) {
			fprintf(stderr, "noop-responder: %s: %s\n", listen_on,
				strerror(errno));
			return 1;
		}
		if (pthread_create(&tid, NULL, worker_loop, w) != 0) {
			fputs("noop-responder: cannot start a thread\n", stderr);
			return 1;
		}
	}
	fprintf(stderr, "noop-responder: answering on %s with %ld threads\n",
		listen_on, threads);
	sigwait(&stop, &sig);
	return 0;
}
