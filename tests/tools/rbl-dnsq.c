/*
 * rbl-dnsq -- a DNS client for the tests, built on ldns.
 *
 * Sends one query per NAME (over TCP all of them pipelined on one
 * connection), or per line of the file --names names (over TCP MAX_NAMES
 * at a time on a connection each: one process for thousands of names,
 * since a sanitizer build takes a tenth of a second to start), and
 * prints each answer in a stable text form:
 *
 *   rcode: NOERROR
 *   flags: qr aa rd
 *   question: 2.0.0.127.bl.test. IN A
 *   answer: 2.0.0.127.bl.test. 300 IN A 127.0.0.2
 *   authority: ...
 *   additional: ...
 *   edns: version 0 udp 1232 do 0        (or "edns: none")
 *   case: preserved                      (with --case-random)
 *   size: 51
 *
 * Exit status: 0 when every query got an answer, 1 otherwise, 2 for bad
 * usage.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#define MAX_NAMES 256

typedef struct opts {
	const char *server;
	int port;
	ldns_rr_type type;
	ldns_rr_class class;
	int tcp;
	int edns;		/* UDP size; -1: no OPT */
	int edns_version;
	int do_bit;
	int case_random;
	int opcode;
	int timeout_ms;
	int norec;
	const char *names;	/* --names: a file of names, one a line */
} opts;

typedef struct query {
	char name[300];		/* as sent (after case randomisation) */
	uint8_t *wire;
	size_t len;
	uint16_t id;
} query;

static void usage(FILE *f)
{
	fprintf(f,
"usage: rbl-dnsq [options] NAME...\n"
"       rbl-dnsq [options] --names FILE\n"
"  -s ADDR            server address (default 127.0.0.1)\n"
"  -p PORT            server port (default 53)\n"
"  -t TYPE            query type (default A)\n"
"  -c CLASS           query class (default IN)\n"
"  --tcp              use TCP; several NAMEs share one connection\n"
"  --edns SIZE        add an OPT record advertising SIZE\n"
"  --edns-version N   OPT version N (implies --edns 1232)\n"
"  --do               set the DO bit\n"
"  --case-random      randomise the case of NAME; check it comes back\n"
"  --opcode N         header opcode (default 0, QUERY)\n"
"  --norec            clear RD\n"
"  --timeout SEC      per answer (default 3)\n"
"  --names FILE       the names, one a line, instead of NAME...\n"
"  -h, --help / -V, --version\n");
}

static int parse_opts(int argc, char **argv, opts *o)
{
	static const struct option lo[] = {
		{ "tcp", no_argument, NULL, 1 },
		{ "edns", required_argument, NULL, 2 },
		{ "edns-version", required_argument, NULL, 3 },
		{ "do", no_argument, NULL, 4 },
		{ "case-random", no_argument, NULL, 5 },
		{ "opcode", required_argument, NULL, 6 },
		{ "timeout", required_argument, NULL, 7 },
		{ "norec", no_argument, NULL, 8 },
		{ "names", required_argument, NULL, 9 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	*o = (opts){ "127.0.0.1", 53, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0, -1,
		     -1, 0, 0, 0, 3000, 0, NULL };
	while ((ch = getopt_long(argc, argv, "s:p:t:c:hV", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o->server = optarg; break;
		case 'p': o->port = atoi(optarg); break;
		case 't':
			o->type = ldns_get_rr_type_by_name(optarg);
			if (o->type == 0 && strcmp(optarg, "0") != 0) {
				fprintf(stderr, "rbl-dnsq: bad type %s\n", optarg);
				return 2;
			}
			break;
		case 'c':
			o->class = ldns_get_rr_class_by_name(optarg);
			if (o->class == 0) {
				fprintf(stderr, "rbl-dnsq: bad class %s\n", optarg);
				return 2;
			}
			break;
		case 1: o->tcp = 1; break;
		case 2: o->edns = atoi(optarg); break;
		case 3: o->edns_version = atoi(optarg); break;
		case 4: o->do_bit = 1; break;
		case 5: o->case_random = 1; break;
		case 6: o->opcode = atoi(optarg); break;
		case 7: o->timeout_ms = atoi(optarg) * 1000; break;
		case 8: o->norec = 1; break;
		case 9: o->names = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("rbl-dnsq %s\n", RBL_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o->edns_version >= 0 && o->edns < 0)
		o->edns = 1232;
	if ((o->names ? optind < argc :
	     optind >= argc || argc - optind > MAX_NAMES) || o->port <= 0 ||
	    o->port > 65535) {
		usage(stderr);
		return 2;
	}
	return -1;
}

static void randomise_case(char *s)
{
	for (; *s; s++)
		if (isalpha((unsigned char)*s))
			*s = (char)((random() & 1) ? toupper((unsigned char)*s)
						   : tolower((unsigned char)*s));
}

static int build_query(const opts *o, const char *name, query *q)
{
	ldns_rdf *dname;
	ldns_pkt *p;
	ldns_status st;

	snprintf(q->name, sizeof(q->name), "%s", name);
	if (o->case_random)
		randomise_case(q->name);
	dname = ldns_dname_new_frm_str(q->name);
	if (!dname)
		return -1;
	p = ldns_pkt_query_new(dname, o->type, o->class,
			       o->norec ? 0 : LDNS_RD);
	q->id = (uint16_t)random();
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_opcode(p, (ldns_pkt_opcode)o->opcode);
	if (o->edns >= 0) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)o->edns);
		ldns_pkt_set_edns_version(p, (uint8_t)(o->edns_version > 0 ?
						       o->edns_version : 0));
		ldns_pkt_set_edns_do(p, o->do_bit);
	}
	st = ldns_pkt2wire(&q->wire, p, &q->len);
	ldns_pkt_free(p);
	return st == LDNS_STATUS_OK ? 0 : -1;
}

static void line(const char *section, const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	size_t n;

	if (!s)
		return;
	for (char *c = s; *c; c++)
		if (*c == '\t')
			*c = ' ';
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	printf("%s: %s\n", section, s);
	free(s);
}

static void section(const char *name, const ldns_rr_list *l)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		line(name, ldns_rr_list_rr(l, i));
}

static void print_flags(const ldns_pkt *p)
{
	printf("flags:%s%s%s%s%s%s\n", ldns_pkt_qr(p) ? " qr" : "",
	       ldns_pkt_aa(p) ? " aa" : "", ldns_pkt_tc(p) ? " tc" : "",
	       ldns_pkt_rd(p) ? " rd" : "", ldns_pkt_ra(p) ? " ra" : "",
	       ldns_pkt_cd(p) ? " cd" : "");
}

static void print_rcode(const ldns_pkt *p)
{
	unsigned rc = ldns_pkt_get_rcode(p);
	ldns_lookup_table *t;

	if (ldns_pkt_edns(p))
		rc |= (unsigned)ldns_pkt_edns_extended_rcode(p) << 4;
	if (rc == 16 || rc == 4) {	/* RFC names, not ldns' */
		printf("rcode: %s\n", rc == 16 ? "BADVERS" : "NOTIMP");
		return;
	}
	t = ldns_lookup_by_id(ldns_rcodes, (int)rc);
	if (t)
		printf("rcode: %s\n", t->name);
	else
		printf("rcode: %u\n", rc);
}

/* The question's wire name in the answer, compared with what was sent. */
static const char *case_check(const query *q, const uint8_t *a, size_t alen)
{
	size_t qn = 12;

	while (qn < q->len && q->wire[qn])
		qn += 1u + q->wire[qn];
	qn++;
	if (alen < qn || memcmp(a + 12, q->wire + 12, qn - 12) != 0)
		return "changed";
	return "preserved";
}

static int print_answer(const opts *o, const query *q, const uint8_t *a,
			size_t alen)
{
	ldns_pkt *p = NULL;
	ldns_lookup_table *op;

	if (ldns_wire2pkt(&p, a, alen) != LDNS_STATUS_OK) {
		printf("error: unparsable answer of %zu bytes\n", alen);
		return 1;
	}
	print_rcode(p);
	print_flags(p);
	op = ldns_lookup_by_id(ldns_opcodes, ldns_pkt_get_opcode(p));
	printf("opcode: %s\n", op ? op->name : "?");
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_question(p)); i++)
		line("question", ldns_rr_list_rr(ldns_pkt_question(p), i));
	section("answer", ldns_pkt_answer(p));
	section("authority", ldns_pkt_authority(p));
	section("additional", ldns_pkt_additional(p));
	if (ldns_pkt_edns(p))
		printf("edns: version %u udp %u do %d\n",
		       ldns_pkt_edns_version(p), ldns_pkt_edns_udp_size(p),
		       ldns_pkt_edns_do(p) ? 1 : 0);
	else
		printf("edns: none\n");
	if (o->case_random)
		printf("case: %s\n", case_check(q, a, alen));
	printf("size: %zu\n", alen);
	ldns_pkt_free(p);
	return 0;
}

static int connect_server(const opts *o, int type)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o->server, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)o->port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, o->server, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)o->port);
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "rbl-dnsq: bad server address %s\n", o->server);
		return -1;
	}
	fd = socket(ss.ss_family, type, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0) {
		perror("rbl-dnsq: connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 ? 0 : -1;
}

static int udp_exchange(const opts *o, int fd, const query *q)
{
	static uint8_t buf[65536];
	ssize_t n;

	if (send(fd, q->wire, q->len, 0) != (ssize_t)q->len) {
		perror("rbl-dnsq: send");
		return 1;
	}
	for (;;) {
		if (wait_readable(fd, o->timeout_ms) != 0) {
			printf("error: timeout\n");
			return 1;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			printf("error: %s\n", strerror(errno));
			return 1;
		}
		if (n >= 2 && (uint16_t)((buf[0] << 8) | buf[1]) == q->id)
			return print_answer(o, q, buf, (size_t)n);
	}
}

static int read_full(int fd, uint8_t *buf, size_t len, int timeout_ms)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (wait_readable(fd, timeout_ms) != 0)
			return -1;
		n = recv(fd, buf + got, len - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int tcp_send_all(int fd, const query *qs, int n)
{
	for (int i = 0; i < n; i++) {
		uint8_t len[2] = { (uint8_t)(qs[i].len >> 8), (uint8_t)qs[i].len };

		if (send(fd, len, 2, MSG_NOSIGNAL) != 2 ||
		    send(fd, qs[i].wire, qs[i].len, MSG_NOSIGNAL) !=
		    (ssize_t)qs[i].len) {
			perror("rbl-dnsq: send");
			return -1;
		}
	}
	return 0;
}

static int tcp_exchange(const opts *o, int fd, const query *qs, int n)
{
	static uint8_t buf[65536];
	int status = 0;

	if (tcp_send_all(fd, qs, n) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		uint8_t lb[2];
		size_t len;
		int k;

		if (read_full(fd, lb, 2, o->timeout_ms) != 0 ||
		    read_full(fd, buf, len = (size_t)((lb[0] << 8) | lb[1]),
			      o->timeout_ms) != 0) {
			printf("error: no answer over tcp\n");
			return 1;
		}
		for (k = 0; k < n; k++)
			if (len >= 2 && qs[k].id == ((buf[0] << 8) | buf[1]))
				break;
		if (i)
			printf("--\n");
		status |= print_answer(o, k < n ? &qs[k] : &qs[i], buf, len);
	}
	return status;
}

/* The N names at NAMES asked on a connection of their own; FIRST: the
 * first answer printed.  0 when every query got an answer. */
static int ask_batch(const opts *o, char **names, int n, bool first)
{
	static query qs[MAX_NAMES];
	int status = 0, fd = -1;

	for (int i = 0; i < n; i++)
		if (build_query(o, names[i], &qs[i]) != 0) {
			fprintf(stderr, "rbl-dnsq: bad name %s\n", names[i]);
			for (int k = 0; k < i; k++)
				free(qs[k].wire);
			return 2;
		}
	fd = connect_server(o, o->tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (fd < 0)
		status = 1;
	else if (o->tcp) {
		if (!first)
			printf("--\n");
		status = tcp_exchange(o, fd, qs, n);
	} else {
		for (int i = 0; i < n; i++) {
			if (i || !first)
				printf("--\n");
			status |= udp_exchange(o, fd, &qs[i]);
		}
	}
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < n; i++)
		free(qs[i].wire);
	return status;
}

/* The lines of PATH (no empty ones) into *NAMES, *N of them; -1 when it
 * cannot be read (said). */
static int read_names(const char *path, char ***names, int *n)
{
	FILE *f = fopen(path, "r");
	char line[300] = "";
	int cap = 0;

	*names = NULL;
	*n = 0;
	if (!f) {
		fprintf(stderr, "rbl-dnsq: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (*n == cap) {
			char **v = realloc(*names, (size_t)(cap = cap ? cap * 2 :
							    1024) * sizeof *v);

			if (!v)
				break;
			*names = v;
		}
		if (!((*names)[*n] = strdup(line)))
			break;
		(*n)++;
	}
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "rbl-dnsq: %s: cannot read it whole\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	opts o = { 0 };
	int status = parse_opts(argc, argv, &o), n = 0;
	char **names = NULL;

	if (status >= 0)
		return status;
	status = 0;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (o.names) {
		if (read_names(o.names, &names, &n) != 0)
			status = 2;
	} else {
		names = argv + optind;
		n = argc - optind;
	}
	/* a bad name (2) ends it; a batch without answers (1) does not */
	for (int i = 0; status < 2 && i < n; i += MAX_NAMES) {
		int rc = ask_batch(&o, names + i, n - i < MAX_NAMES ? n - i :
				   MAX_NAMES, i == 0);

		status = rc > status ? rc : status;
	}
	if (o.names) {
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	return status;
}
