/*
 * rbl-badpkt -- send malformed DNS packets to a server and report what
 * comes back, one line per kind:
 *
 *   KIND: no answer
 *   KIND: FORMERR qd=0 id=ok
 *
 * Kinds: short, empty, qr, qdcount0, qdcount2, ptr-loop, ptr-past-end,
 * ptr-forward, label64, label-past-end, name-too-long, no-qtype, garbage,
 * ancount, nscount, two-opt, opt-owner, opt-overrun, arcount-past-end;
 * "all" sends each in turn.  With -r N, N random packets follow (random
 * bytes behind a mostly plausible header), answers not waited for.
 * With -t the packets go over one TCP connection, each with its length
 * prefix (random packets are UDP only).  Without an answer within the timeout the kind
 * is "no answer".  Exit 0 unless a socket could not be used (1) or the
 * usage was wrong (2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ID 0xbeef

typedef struct pkt {
	uint8_t b[600];
	size_t n;
} pkt;

static void hdr(pkt *p, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	memset(p->b, 0, 12);
	p->b[0] = ID >> 8;
	p->b[1] = ID & 0xff;
	p->b[2] = 0x01;	/* RD */
	p->b[5] = (uint8_t)qd;
	p->b[7] = (uint8_t)an;
	p->b[9] = (uint8_t)ns;
	p->b[11] = (uint8_t)ar;
	p->n = 12;
}

static void bytes(pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

/* "\1" "2" ... the test name 2.0.0.127.bl.test, type A, class IN. */
static void question(pkt *p)
{
	static const uint8_t q[] = "\0012\0010\0010\003127\002bl\004test\0"
				   "\0\001\0\001";

	bytes(p, q, sizeof(q) - 1);
}

static void opt(pkt *p)
{
	static const uint8_t o[] = { 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0 };

	bytes(p, o, sizeof(o));
}

static int build(const char *kind, pkt *p)
{
	static const uint8_t loop[] = { 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t past[] = { 0xc0, 0xff, 0, 1, 0, 1 };
	static const uint8_t fwd[] = { 0xc0, 18, 0, 1, 0, 1, 0, 0, 1, 0, 1 };
	static const uint8_t l64[] = { 64, 'a', 0, 0, 1, 0, 1 };
	static const uint8_t lpast[] = { 60, 'a', 'b', 'c' };
	static const uint8_t opt_owner[] = { 1, 'x', 0, 0, 41, 4, 0xd0, 0, 0,
					     0, 0, 0, 0 };
	static const uint8_t opt_over[] = { 0, 0, 41, 4, 0xd0, 0, 0, 0, 0,
					    0, 8, 0, 10, 0, 20, 1, 2 };

	hdr(p, 1, 0, 0, 0);
	if (!strcmp(kind, "short")) { p->n = 7; }
	else if (!strcmp(kind, "empty")) { p->n = 0; }
	else if (!strcmp(kind, "qr")) { p->b[2] |= 0x80; question(p); }
	else if (!strcmp(kind, "qdcount0")) { hdr(p, 0, 0, 0, 0); question(p); }
	else if (!strcmp(kind, "qdcount2")) { hdr(p, 2, 0, 0, 0); question(p); question(p); }
	else if (!strcmp(kind, "ptr-loop")) bytes(p, loop, sizeof(loop));
	else if (!strcmp(kind, "ptr-past-end")) bytes(p, past, sizeof(past));
	else if (!strcmp(kind, "ptr-forward")) bytes(p, fwd, sizeof(fwd));
	else if (!strcmp(kind, "label64")) bytes(p, l64, sizeof(l64));
	else if (!strcmp(kind, "label-past-end")) bytes(p, lpast, sizeof(lpast));
	else if (!strcmp(kind, "name-too-long")) {
		for (int i = 0; i < 5; i++) {
			p->b[p->n++] = 60;
			memset(p->b + p->n, 'a', 60);
			p->n += 60;
		}
		bytes(p, "\0\0\001\0\001", 5);
	}
	else if (!strcmp(kind, "no-qtype")) { question(p); p->n -= 4; }
	else if (!strcmp(kind, "garbage")) { question(p); bytes(p, "junk", 4); }
	else if (!strcmp(kind, "ancount")) { hdr(p, 1, 1, 0, 0); question(p); }
	else if (!strcmp(kind, "nscount")) { hdr(p, 1, 0, 1, 0); question(p); }
	else if (!strcmp(kind, "two-opt")) { hdr(p, 1, 0, 0, 2); question(p); opt(p); opt(p); }
	else if (!strcmp(kind, "opt-owner")) { hdr(p, 1, 0, 0, 1); question(p); bytes(p, opt_owner, sizeof(opt_owner)); }
	else if (!strcmp(kind, "opt-overrun")) { hdr(p, 1, 0, 0, 1); question(p); bytes(p, opt_over, sizeof(opt_over)); }
	else if (!strcmp(kind, "arcount-past-end")) { hdr(p, 1, 0, 0, 3); question(p); opt(p); }
	else return -1;
	return 0;
}

static const char *const all_kinds[] = {
	"short", "empty", "qr", "qdcount0", "qdcount2", "ptr-loop",
	"ptr-past-end", "ptr-forward", "label64", "label-past-end",
	"name-too-long", "no-qtype", "garbage", "ancount", "nscount",
	"two-opt", "opt-owner", "opt-overrun", "arcount-past-end", NULL
};

static const char *rcode_name(unsigned rc)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED" };

	return rc < 6 ? names[rc] : "OTHER";
}

static int use_tcp;

/* Over TCP: a 2-byte length, then the message. */
static ssize_t recv_answer(int fd, uint8_t *a, size_t size, int timeout_ms)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t want = 0, got = 0;

	if (!use_tcp)
		return poll(&pf, 1, timeout_ms) == 1 ? recv(fd, a, size, 0) : -1;
	while (got < 2 || got < 2 + want) {
		ssize_t n;

		if (poll(&pf, 1, timeout_ms) != 1 ||
		    (n = recv(fd, a + got, size - got, 0)) <= 0)
			return -1;
		got += (size_t)n;
		if (got >= 2)
			want = (size_t)((a[0] << 8) | a[1]);
	}
	memmove(a, a + 2, want);
	return (ssize_t)want;
}

static int send_packet(int fd, const pkt *p)
{
	uint8_t len[2] = { (uint8_t)(p->n >> 8), (uint8_t)p->n };

	if (use_tcp && send(fd, len, 2, MSG_NOSIGNAL) != 2)
		return -1;
	return send(fd, p->b, p->n, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int exchange(int fd, const char *kind, int timeout_ms)
{
	uint8_t a[70000];
	pkt p = { 0 };
	ssize_t n;

	if (build(kind, &p) != 0) {
		fprintf(stderr, "rbl-badpkt: unknown kind %s\n", kind);
		return 2;
	}
	if (send_packet(fd, &p) < 0) {
		perror("rbl-badpkt: send");
		return 1;
	}
	if ((n = recv_answer(fd, a, sizeof(a), timeout_ms)) < 12) {
		printf("%s: no answer\n", kind);
		return 0;
	}
	printf("%s: %s qd=%u id=%s\n", kind, rcode_name(a[3] & 0x0f),
	       (unsigned)((a[4] << 8) | a[5]),
	       ((a[0] << 8) | a[1]) == ID ? "ok" : "wrong");
	return 0;
}

/* Random junk that often gets past the first header checks. */
static int send_random(int fd, unsigned count)
{
	uint8_t b[512];

	for (unsigned i = 0; i < count; i++) {
		size_t n = (size_t)(random() % (long)sizeof(b));

		for (size_t k = 0; k < n; k++)
			b[k] = (uint8_t)random();
		if (n > 12 && (random() & 1)) {
			b[2] &= 0x7f;		/* a query */
			b[4] = 0;
			b[5] = (uint8_t)(random() % 3);
		}
		if (use_tcp)
			break;	/* a stream has no packet boundaries */
		if (send(fd, b, n, 0) < 0 && errno != ECONNREFUSED) {
			perror("rbl-badpkt: send");
			return 1;
		}
	}
	printf("random: %u sent\n", count);
	return 0;
}

static int open_socket(const char *server, int port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	int type = use_tcp ? SOCK_STREAM : SOCK_DGRAM;
	int fd;

	if (inet_pton(AF_INET, server, &s4.sin_addr) == 1) {
		s4.sin_port = htons((uint16_t)port);
		fd = socket(AF_INET, type, 0);
		if (fd >= 0 && connect(fd, (void *)&s4, sizeof(s4)) == 0)
			return fd;
	} else if (inet_pton(AF_INET6, server, &s6.sin6_addr) == 1) {
		s6.sin6_port = htons((uint16_t)port);
		fd = socket(AF_INET6, type, 0);
		if (fd >= 0 && connect(fd, (void *)&s6, sizeof(s6)) == 0)
			return fd;
	}
	fprintf(stderr, "rbl-badpkt: cannot reach %s port %d\n", server, port);
	return -1;
}

int main(int argc, char **argv)
{
	const char *server = "127.0.0.1";
	int port = 53, timeout_ms = 1000, ch, fd, status = 0;
	unsigned random_count = 0;

	while ((ch = getopt(argc, argv, "s:p:w:r:thV")) != -1) {
		switch (ch) {
		case 't': use_tcp = 1; break;
		case 'r': random_count = (unsigned)atoi(optarg); break;
		case 's': server = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'w': timeout_ms = atoi(optarg); break;
		case 'V': printf("rbl-badpkt %s\n", RBL_VERSION); return 0;
		case 'h':
		default:
			printf("usage: rbl-badpkt [-s ADDR] [-p PORT] [-w MS] [-t] "
			       "[-r N] [KIND...|all]\n");
			return ch == 'h' ? 0 : 2;
		}
	}
	if ((optind >= argc && !random_count) ||
	    (fd = open_socket(server, port)) < 0)
		return optind >= argc && !random_count ? 2 : 1;
	srandom((unsigned)getpid());
	for (int i = optind; i < argc && status == 0; i++) {
		if (strcmp(argv[i], "all") == 0)
			for (int k = 0; all_kinds[k] && status == 0; k++)
				status = exchange(fd, all_kinds[k], timeout_ms);
		else
			status = exchange(fd, argv[i], timeout_ms);
	}
	if (status == 0 && random_count)
		status = send_random(fd, random_count);
	close(fd);
	return status;
}
