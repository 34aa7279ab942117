/*
 * udp-blast.c -- a DNS load generator that sends and receives in batches,
 * so that the client, not only the server, costs little per query.
 *
 *   udp-blast -s ADDR -p PORT -d QUERYFILE [-l SECONDS] [-c SOCKETS]
 *             [-q OUTSTANDING]
 *
 * dnsperf sends one datagram per system call; on a small machine it
 * saturates its CPU before a fast server does, and every server then looks
 * the same.  This client keeps up to OUTSTANDING queries in flight on each
 * of SOCKETS sockets (defaults 8 and 500, dnsperf's -c 8 -q 500), sending
 * with sendmmsg and receiving with recvmmsg, from one thread.  QUERYFILE
 * has dnsperf's format ("name type" per line; A, AAAA, TXT, ANY, MX, NS,
 * SOA) and is sent in a loop.  A query unanswered after one second is
 * lost.  Prints, like dnsperf's summary:
 *
 *   Queries sent:  N / Queries completed:  N / Queries lost:  N /
 *   Queries per second:  X
 *
 * Exit 0, 1 on a setup error, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define QMAX		300	/* bytes of one encoded query */
#define MAX_SOCKETS	64
#define IDS		65536
#define LOSS_NS		1000000000LL

typedef struct query {
	uint16_t len;
	uint8_t wire[QMAX];
} query;

typedef struct blaster {
	int fd;
	unsigned outstanding;
	uint16_t next_id;
	int64_t *sent_at;	/* per id; 0: not in flight */
	unsigned oldest;	/* id scan position for expiry */
} blaster;

static int64_t now_ns(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int qtype_code(const char *t)
{
	static const struct { const char *name; int code; } types[] = {
		{ "A", 1 }, { "NS", 2 }, { "SOA", 6 }, { "MX", 15 },
		{ "TXT", 16 }, { "AAAA", 28 }, { "ANY", 255 },
	};

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(t, types[i].name) == 0)
			return types[i].code;
	return -1;
}

/* Encode "NAME TYPE" as a query with id 0 and RD clear; 0 or -1. */
static int encode(const char *name, const char *type, query *q)
{
	int code = qtype_code(type);
	size_t off = 12;
	const char *p = name;

	if (code < 0)
		return -1;
	memset(q->wire, 0, 12);
	q->wire[5] = 1;				/* QDCOUNT */
	while (*p && !(p[0] == '.' && p[1] == '\0')) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n == 0 || n > 63 || off + 1 + n + 5 > QMAX)
			return -1;
		q->wire[off++] = (uint8_t)n;
		memcpy(q->wire + off, p, n);
		off += n;
		p += n + (dot != NULL);
	}
	q->wire[off++] = 0;
	q->wire[off++] = (uint8_t)(code >> 8);
	q->wire[off++] = (uint8_t)code;
	q->wire[off++] = 0;
	q->wire[off++] = 1;			/* IN */
	q->len = (uint16_t)off;
	return 0;
}

static query *load_queries(const char *path, size_t *n_out)
{
	FILE *f = fopen(path, "r");
	char line[1024], name[512], type[32];
	size_t n = 0, cap = 0;
	query *v = NULL;
	unsigned lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "udp-blast: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (n == cap) {
			query *nv;

			cap = cap ? cap * 2 : 4096;
			nv = realloc(v, cap * sizeof *v);
			if (nv == NULL) {
				fputs("udp-blast: out of memory\n", stderr);
				goto fail;
			}
			v = nv;
		}
		if (sscanf(line, "%511s %31s", name, type) != 2 ||
		    encode(name, type, &v[n]) != 0) {
			fprintf(stderr, "udp-blast: %s:%u: not \"name type\"\n",
				path, lineno);
			goto fail;
		}
		n++;
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "udp-blast: %s: no queries\n", path);
		free(v);
		return NULL;
	}
	*n_out = n;
	return v;
fail:
	fclose(f);
	free(v);
	return NULL;
}

/* Forget queries in flight for over a second: they are lost. */
static unsigned expire(blaster *b, int64_t now)
{
	unsigned lost = 0;

	for (unsigned scanned = 0; scanned < 1024 && b->outstanding; scanned++) {
		unsigned id = b->oldest;
		int64_t t = b->sent_at[id];

		if (t != 0 && now - t < LOSS_NS)
			break;
		if (t != 0) {
			b->sent_at[id] = 0;
			b->outstanding--;
			lost++;
		}
		if (id == b->next_id)
			break;
		b->oldest = (id + 1) % IDS;
	}
	return lost;
}

int main(int argc, char **argv)
{
	const char *server = NULL, *file = NULL;
	long port = 0, seconds = 10, sockets = 8, window = 500;
	struct sockaddr_in sa = { 0 };
	static blaster bl[MAX_SOCKETS];
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	static uint8_t rbuf[BATCH][512];
	static uint8_t sbuf[BATCH][QMAX];
	struct pollfd pfd[MAX_SOCKETS];
	uint64_t sent = 0, done = 0, lost = 0;
	size_t n_queries = 0, next_q = 0;
	query *queries = NULL;
	int64_t start, end, stop_at;
	int c;

	while ((c = getopt(argc, argv, "s:p:d:l:c:q:h")) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 'd': file = optarg; break;
		case 'l': seconds = strtol(optarg, NULL, 10); break;
		case 'c': sockets = strtol(optarg, NULL, 10); break;
		case 'q': window = strtol(optarg, NULL, 10); break;
		default:
			fputs("usage: udp-blast -s ADDR -p PORT -d QUERYFILE "
			      "[-l SECONDS] [-c SOCKETS] [-q OUTSTANDING]\n",
			      c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	if (!server || !file || port < 1 || port > 65535 || seconds < 1 ||
	    sockets < 1 || sockets > MAX_SOCKETS || window < 1 ||
	    window > 30000 || inet_pton(AF_INET, server, &sa.sin_addr) != 1) {
		fputs("udp-blast: need -s IPv4-ADDR -p PORT -d FILE; -c 1..64, "
		      "-q 1..30000\n", stderr);
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	if ((queries = load_queries(file, &n_queries)) == NULL)
		return 1;
	for (long i = 0; i < sockets; i++) {
		int rcvbuf = 4 << 20;

		bl[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		bl[i].sent_at = calloc(IDS, sizeof *bl[i].sent_at);
		if (bl[i].fd < 0 || !bl[i].sent_at ||
		    connect(bl[i].fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			perror("udp-blast: socket");
			return 1;
		}
		(void)setsockopt(bl[i].fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				 sizeof rcvbuf);
		pfd[i].fd = bl[i].fd;
		pfd[i].events = POLLIN;
	}
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start = now_ns();
	stop_at = start + seconds * 1000000000LL;
	for (;;) {
		int64_t now = now_ns();
		int progress = 0;

		for (long s = 0; s < sockets; s++) {
			blaster *b = &bl[s];
			unsigned room, k = 0;
			int r;

			lost += expire(b, now);
			room = now < stop_at ? (unsigned)window - b->outstanding : 0;
			while (k < room && k < BATCH) {
				const query *q = &queries[next_q];
				uint16_t id = b->next_id;

				if (b->sent_at[id] != 0)
					break;	/* id still in flight: wait */
				memcpy(sbuf[k], q->wire, q->len);
				sbuf[k][0] = (uint8_t)(id >> 8);
				sbuf[k][1] = (uint8_t)id;
				iov[k].iov_base = sbuf[k];
				iov[k].iov_len = q->len;
				b->sent_at[id] = now;
				b->next_id = (uint16_t)(id + 1);
				next_q = (next_q + 1) % n_queries;
				k++;
			}
			for (unsigned off = 0; off < k;) {
				r = sendmmsg(b->fd, msgs + off, k - off, 0);
				if (r <= 0) {
					/* Not sent: give the ids back as lost. */
					for (unsigned j = off; j < k; j++) {
						unsigned id = (unsigned)(sbuf[j][0] << 8 | sbuf[j][1]);
						b->sent_at[id] = 0;
					}
					break;
				}
				sent += (unsigned)r;
				b->outstanding += (unsigned)r;
				off += (unsigned)r;
			}
			for (int i = 0; i < BATCH; i++) {
				iov[i].iov_base = rbuf[i];
				iov[i].iov_len = sizeof rbuf[i];
			}
			r = recvmmsg(b->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
			for (int i = 0; i < r; i++) {
				unsigned id;

				if (msgs[i].msg_len < 12)
					continue;
				id = (unsigned)(rbuf[i][0] << 8 | rbuf[i][1]);
				if (b->sent_at[id] == 0)
					continue;	/* late: already lost */
				b->sent_at[id] = 0;
				b->outstanding--;
				done++;
			}
			if (r > 0 || k > 0)
				progress = 1;
		}
		if (now >= stop_at) {
			unsigned left = 0;

			for (long s = 0; s < sockets; s++)
				left += bl[s].outstanding;
			if (left == 0 || now >= stop_at + LOSS_NS) {
				lost += left;
				break;
			}
		}
		if (!progress)
			(void)poll(pfd, (nfds_t)sockets, 1);
	}
	end = now_ns();
	if (end > stop_at)
		end = stop_at;	/* rate over the sending time, as dnsperf */
	printf("  Queries sent:         %llu\n", (unsigned long long)sent);
	printf("  Queries completed:    %llu\n", (unsigned long long)done);
	printf("  Queries lost:         %llu\n", (unsigned long long)lost);
	printf("  Queries per second:   %f\n",
	       (double)done * 1e9 / (double)(end - start));
	free(queries);
	return 0;
}
