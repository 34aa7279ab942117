/*
 * rbl-burst -- send a burst of UDP queries from one source address and
 * count what comes back (for the RRL, ACL and quota tests).
 *
 *   rbl-burst [-b SOURCE] [-p PORT] [-n COUNT] [-t TYPE] [-w WAIT_MS]
 *             [-r] [-e] SERVER NAME
 *
 * Sends COUNT queries for NAME (TYPE A by default; -r: a random label in
 * front of NAME for each query, so each is a different name) from one
 * socket bound to SOURCE, without waiting, then collects answers until
 * each query has one or none came for WAIT_MS (default 500): only a
 * burst that lost some waits (the RRL test's 40 one-query bursts
 * waited 20 s for nothing).  -e adds an OPT record; -c puts a
 * client cookie in it (RFC 7873); -k first asks once with a client cookie
 * and then sends every query with the server cookie that answer carried
 * (both imply -e).  Prints
 *
 *   sent 100 answered 40 truncated 30 lost 30 noerror 40 nxdomain 0 ...
 *   ... badcookie 0
 *
 * where "answered" counts full answers, "truncated" answers with TC=1 and
 * no records (RRL slips), "badcookie" BADCOOKIE errors (no records, an
 * OPT with extended rcode 23), "lost" queries without any answer.  Exit
 * 0, or 2 for bad usage / socket errors (also when -k learnt no
 * cookie).
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
#include <unistd.h>

#define MAX_COUNT 1000000

typedef struct opts {
	const char *source, *server, *name;
	int port, count, wait_ms;
	uint16_t type;
	int random_label, edns, cookie, learn;
	uint8_t cookie_data[40];	/* client cookie [+ server cookie] */
	size_t cookie_len;
} opts;

typedef struct tally {
	unsigned answered, truncated, badcookie, rcode[16];
	uint8_t *seen;		/* per query id: answered already */
} tally;

static void usage(void)
{
	fprintf(stderr, "usage: rbl-burst [-b SOURCE] [-p PORT] [-n COUNT] "
		"[-t A|TXT|AAAA|SOA] [-w WAIT_MS] [-r] [-e] [-c|-k] SERVER "
		"NAME\n");
	exit(2);
}

static uint16_t parse_type(const char *s)
{
	if (strcasecmp(s, "A") == 0) return 1;
	if (strcasecmp(s, "TXT") == 0) return 16;
	if (strcasecmp(s, "AAAA") == 0) return 28;
	if (strcasecmp(s, "SOA") == 0) return 6;
	usage();
	return 0;
}

static void parse_opts(int argc, char **argv, opts *o)
{
	int c;

	*o = (opts){ .source = NULL, .port = 53, .count = 100,
		     .wait_ms = 500, .type = 1 };
	while ((c = getopt(argc, argv, "b:p:n:t:w:reck")) != -1) {
		switch (c) {
		case 'b': o->source = optarg; break;
		case 'p': o->port = atoi(optarg); break;
		case 'n': o->count = atoi(optarg); break;
		case 't': o->type = parse_type(optarg); break;
		case 'w': o->wait_ms = atoi(optarg); break;
		case 'r': o->random_label = 1; break;
		case 'e': o->edns = 1; break;
		case 'c': o->edns = o->cookie = 1; break;
		case 'k': o->edns = o->cookie = o->learn = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || o->count < 1 || o->count > MAX_COUNT ||
	    o->count > 65536)
		usage();
	o->server = argv[optind];
	o->name = argv[optind + 1];
}

/* Query ID for query number I: IDs are unique within a burst. */
static size_t build_query(const opts *o, unsigned i, uint8_t *buf)
{
	char name[300];
	size_t n = 12;
	const char *p;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(i >> 8);
	buf[1] = (uint8_t)i;
	buf[2] = 0x01;			/* RD */
	buf[5] = 1;			/* QDCOUNT */
	if (o->random_label)
		snprintf(name, sizeof(name), "r%u-%d.%s", i, rand() % 100000,
			 o->name);
	else
		snprintf(name, sizeof(name), "%s", o->name);
	for (p = name; *p;) {
		size_t l = strcspn(p, ".");

		if (l == 0 || l > 63 || n + l + 2 > 280)
			break;
		buf[n++] = (uint8_t)l;
		memcpy(buf + n, p, l);
		n += l;
		p += l + (p[l] == '.');
	}
	buf[n++] = 0;
	buf[n++] = (uint8_t)(o->type >> 8);
	buf[n++] = (uint8_t)o->type;
	buf[n++] = 0;
	buf[n++] = 1;			/* IN */
	if (o->edns) {
		static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0 };

		memcpy(buf + n, opt, sizeof(opt));
		n += sizeof(opt);
		buf[11] = 1;		/* ARCOUNT */
	}
	if (o->cookie) {
		buf[n - 1] = (uint8_t)(4 + o->cookie_len);	/* RDLEN */
		buf[n++] = 0;
		buf[n++] = 10;		/* COOKIE */
		buf[n++] = 0;
		buf[n++] = (uint8_t)o->cookie_len;
		memcpy(buf + n, o->cookie_data, o->cookie_len);
		n += o->cookie_len;
	}
	return n;
}

static int open_socket(const opts *o, struct sockaddr_storage *srv,
		       socklen_t *srvlen)
{
	int v6 = strchr(o->server, ':') != NULL;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_storage src = { 0 };
	int big = 4 << 20;

	memset(srv, 0, sizeof(*srv));
	memset(&src, 0, sizeof(src));
	if (v6) {
		struct sockaddr_in6 *s = (void *)srv, *b = (void *)&src;

		s->sin6_family = b->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET6, o->server, &s->sin6_addr) != 1 ||
		    (o->source &&
		     inet_pton(AF_INET6, o->source, &b->sin6_addr) != 1))
			usage();
		*srvlen = sizeof(*s);
	} else {
		struct sockaddr_in *s = (void *)srv, *b = (void *)&src;

		s->sin_family = b->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET, o->server, &s->sin_addr) != 1 ||
		    (o->source &&
		     inet_pton(AF_INET, o->source, &b->sin_addr) != 1))
			usage();
		*srvlen = sizeof(*s);
	}
	if (fd < 0 || (o->source &&
		       bind(fd, (struct sockaddr *)&src, *srvlen) != 0)) {
		perror("rbl-burst: socket");
		exit(2);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return fd;
}

/* Offset of the OPT record of an answer with no records but it (RRL
 * slips, BADCOOKIE), or 0. */
static size_t lone_opt(const uint8_t *b, ssize_t len)
{
	size_t o = 12;

	if (len < 12 || b[6] || b[7] || b[8] || b[9] || b[10] || b[11] != 1 ||
	    b[4] != 0 || b[5] != 1)
		return 0;
	while (o < (size_t)len && b[o] && b[o] < 64)
		o += 1u + b[o];
	o += 5;				/* root, type, class */
	return o + 11 <= (size_t)len && b[o] == 0 && b[o + 2] == 41 ? o : 0;
}

static void count_answer(const uint8_t *b, ssize_t len, tally *t)
{
	unsigned id, an, ns;
	size_t opt = 0;

	if (len < 12 || !(b[2] & 0x80))
		return;
	id = (unsigned)(b[0] << 8 | b[1]);
	if (t->seen[id])
		return;
	t->seen[id] = 1;
	an = (unsigned)(b[6] << 8 | b[7]);
	ns = (unsigned)(b[8] << 8 | b[9]);
	opt = lone_opt(b, len);
	if (opt && (b[3] & 15) == 7 && b[opt + 5] == 1) {	/* 23 = 1:7 */
		t->badcookie++;
		return;
	}
	t->rcode[b[3] & 15]++;
	if ((b[2] & 0x02) && an == 0 && ns == 0)
		t->truncated++;
	else
		t->answered++;
}

/* Count answers until none came for WAIT_MS, or the first COUNT queries
 * all have one (an answer's id is its query's number). */
static void drain(int fd, int wait_ms, unsigned count, tally *t)
{
	uint8_t buf[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (t->answered + t->truncated + t->badcookie < count &&
	       poll(&p, 1, wait_ms) > 0) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		while (r > 0) {
			count_answer(buf, r, t);
			r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		}
	}
}

/* -k: one query with the client cookie, and the whole cookie of its
 * answer (client and server cookie) for every query after it. */
static void learn_cookie(int fd, opts *o, struct sockaddr_storage *srv,
			 socklen_t srvlen)
{
	uint8_t q[400], a[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = build_query(o, 65535, q);
	ssize_t r = 0;

	if (sendto(fd, q, n, 0, (struct sockaddr *)srv, srvlen) < 0 ||
	    poll(&p, 1, 2000) != 1 || (r = recv(fd, a, sizeof a, 0)) < 12) {
		fprintf(stderr, "rbl-burst: -k: no answer\n");
		exit(2);
	}
	/* the COOKIE option is the last bytes of the answer: its OPT is
	 * the last record and the cookie its only option */
	if (r < 28 || a[r - 28] != 0 || a[r - 27] != 10 || a[r - 25] != 24) {
		fprintf(stderr, "rbl-burst: -k: no server cookie came back\n");
		exit(2);
	}
	memcpy(o->cookie_data, a + r - 24, 24);
	o->cookie_len = 24;
}

int main(int argc, char **argv)
{
	static const char *const names[16] = { "noerror", "formerr",
		"servfail", "nxdomain", "notimp", "refused" };
	struct sockaddr_storage srv = { 0 };
	socklen_t srvlen = 0;
	uint8_t q[400];
	tally t = { 0 };
	opts o = { 0 };
	int fd;

	parse_opts(argc, argv, &o);
	fd = open_socket(&o, &srv, &srvlen);
	t.seen = calloc(65536, 1);
	srand((unsigned)getpid());
	for (int i = 0; i < 8; i++)
		o.cookie_data[i] = (uint8_t)rand();
	o.cookie_len = 8;
	if (o.learn)
		learn_cookie(fd, &o, &srv, srvlen);
	for (int i = 0; i < o.count; i++) {
		size_t n = build_query(&o, (unsigned)i, q);

		while (sendto(fd, q, n, 0, (struct sockaddr *)&srv, srvlen) < 0)
			if (errno != EINTR && errno != EAGAIN && errno != ENOBUFS) {
				perror("rbl-burst: sendto");
				return 2;
			}
		if (i % 64 == 63)	/* keep the socket buffer from overflowing */
			drain(fd, 0, (unsigned)i + 1, &t);
	}
	drain(fd, o.wait_ms, (unsigned)o.count, &t);
	printf("sent %d answered %u truncated %u lost %u", o.count, t.answered,
	       t.truncated, (unsigned)o.count - t.answered - t.truncated -
	       t.badcookie);
	for (int r = 0; r < 6; r++)
		printf(" %s %u", names[r], t.rcode[r]);
	printf(" badcookie %u\n", t.badcookie);
	free(t.seen);
	close(fd);
	return 0;
}
