/*
 * test_rdns_resolve.c -- live PTR lookups against a fake server thread on
 * a loopback port: names in address order, NXDOMAIN, lost answers retried,
 * SERVFAIL given up after the retries, forged answers ignored, the rate
 * limit holding the pace down, bad options refused.
 */
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "zone/addr.h"
#include "import/rdns_resolve.h"

/* The fake server: for 198.51.x.D it answers by the last octet D:
 *   D % 10 == 0  NXDOMAIN          D % 10 == 1  SERVFAIL
 *   D % 10 == 2  drops the first try, answers the second
 *   D % 10 == 3  sends a forged answer (wrong name) first, then the real
 *   otherwise    PTR host-D.pool.example. */
typedef struct fake {
	int fd;
	uint16_t port;
	atomic_int stop;
	atomic_int queries;
	unsigned char seen[256];
} fake;

static int last_octet(const ldns_rdf *owner)
{
	char *s = ldns_rdf2str(owner);
	int d = s ? atoi(s) : -1;
	free(s);
	return d;
}

static void reply(fake *f, ldns_pkt *q, const struct sockaddr *from,
		  socklen_t fl, int d, bool forged)
{
	/* a forgery has the right id but another question */
	ldns_pkt *a = forged ? ldns_pkt_query_new(
		ldns_dname_new_frm_str("1.0.0.127.in-addr.arpa."),
		LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, 0) : ldns_pkt_clone(q);
	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_aa(a, true);
	if (d % 10 == 0)
		ldns_pkt_set_rcode(a, LDNS_RCODE_NXDOMAIN);
	else if (d % 10 == 1)
		ldns_pkt_set_rcode(a, LDNS_RCODE_SERVFAIL);
	else {
		char text[256], *owner = ldns_rdf2str(ldns_rr_owner(
			ldns_rr_list_rr(ldns_pkt_question(q), 0)));
		ldns_rr *rr;
		snprintf(text, sizeof(text), "%s 60 IN PTR host-%d.pool.example.",
			 forged ? "1.0.0.127.in-addr.arpa." : owner, d);
		free(owner);
		if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) ==
		    LDNS_STATUS_OK)
			ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
	}
	uint8_t *wire;
	size_t len;
	if (ldns_pkt2wire(&wire, a, &len) == LDNS_STATUS_OK) {
		sendto(f->fd, wire, len, 0, from, fl);
		free(wire);
	}
	ldns_pkt_free(a);
}

static void *serve(void *arg)
{
	fake *f = arg;
	uint8_t buf[4096];
	while (!atomic_load(&f->stop)) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(f->fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
		ldns_pkt *q = NULL;
		if (n <= 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
			continue;
		atomic_fetch_add(&f->queries, 1);
		int d = last_octet(ldns_rr_owner(ldns_rr_list_rr(
			ldns_pkt_question(q), 0)));
		if (d >= 0 && d < 256) {
			bool first = f->seen[d]++ == 0;
			if (d % 10 == 3 && first)
				reply(f, q, (struct sockaddr *)&from, fl, d,
				      true);
			if (!(d % 10 == 2 && first))
				reply(f, q, (struct sockaddr *)&from, fl, d,
				      false);
		}
		ldns_pkt_free(q);
	}
	return NULL;
}

static int fake_start(fake *f, pthread_t *th)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	memset(f, 0, sizeof(*f));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct timeval tv = { 0, 100000 };
	setsockopt(f->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(f->fd, (struct sockaddr *)&sin, &sl))
		return -1;
	f->port = ntohs(sin.sin_port);
	return pthread_create(th, NULL, serve, f);
}

static void fake_stop(fake *f, pthread_t th)
{
	atomic_store(&f->stop, 1);
	pthread_join(th, NULL);
	close(f->fd);
}

typedef struct got {
	int n;
	char names[256][64];
	int octet[256];
	int windows;
	bool ordered;
	int last;
} got;

static int on_name(void *arg, const rbl_addr *a, const char *name)
{
	got *g = arg;
	if (!a) {
		g->windows++;
		return 0;
	}
	if (a->bytes[3] <= g->last)
		g->ordered = false;
	g->last = a->bytes[3];
	if (g->n < 256) {
		snprintf(g->names[g->n], sizeof(g->names[0]), "%s", name);
		g->octet[g->n] = a->bytes[3];
	}
	g->n++;
	return 0;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_lookups(void)
{
	fake f;
	pthread_t th;
	CHECK(fake_start(&f, &th) == 0);
	rbl_rdns_resolve_opts o;
	rbl_rdns_resolve_opts_defaults(&o);
	o.port = f.port;
	o.timeout_ms = 200;
	o.retries = 2;
	o.concurrency = 8;
	o.rate = 0;
	rbl_prefix p;
	rbl_prefix_parse("198.51.7.0/26", true, &p);
	got g = { .ordered = true, .last = -1 };
	rbl_rdns_resolve_stats st;
	CHECK_RC(rbl_rdns_resolve(&o, &p, 1, on_name, &g, &st), RBL_OK);
	CHECK(st.queried == 64);
	/* 0,10,..,60 NXDOMAIN (7); 1,11,..,61 SERVFAIL (7); the rest named */
	CHECK(st.no_name == 7);
	CHECK(st.failed == 7);
	CHECK(st.names == 50);
	CHECK(g.n == 50);
	CHECK(g.ordered);
	CHECK(g.windows == 1);
	CHECK_STR(g.names[0], "host-2.pool.example");	/* retried */
	CHECK(g.octet[0] == 2);
	CHECK_STR(g.names[1], "host-3.pool.example");	/* forgery ignored */
	CHECK(st.retries >= 7 * 2 + 7);	/* SERVFAIL twice, drops once */
	fake_stop(&f, th);
}

static void test_rate_limit(void)
{
	fake f;
	pthread_t th;
	CHECK(fake_start(&f, &th) == 0);
	rbl_rdns_resolve_opts o;
	rbl_rdns_resolve_opts_defaults(&o);
	o.port = f.port;
	o.concurrency = 8;
	o.rate = 100;
	o.timeout_ms = 300;
	rbl_prefix p;
	rbl_prefix_parse("198.51.8.64/26", true, &p);
	got g = { .ordered = true, .last = -1 };
	double start = seconds();
	CHECK_RC(rbl_rdns_resolve(&o, &p, 1, on_name, &g, NULL), RBL_OK);
	/* 64 queries (plus retries) at 100/s with a burst of 8: >= 0.56 s.
	 * Only a lower bound: a busy machine can only make it slower. */
	CHECK(seconds() - start >= 0.5);
	fake_stop(&f, th);
}

static void test_nobody_listens(void)
{
	fake f;
	pthread_t th;
	CHECK(fake_start(&f, &th) == 0);
	uint16_t port = f.port;
	fake_stop(&f, th);	/* the port is free again: nothing answers */
	rbl_rdns_resolve_opts o;
	rbl_rdns_resolve_opts_defaults(&o);
	o.port = port;
	o.timeout_ms = 50;
	o.retries = 1;
	o.rate = 0;
	rbl_prefix p;
	rbl_prefix_parse("198.51.9.0/29", true, &p);
	got g = { .ordered = true, .last = -1 };
	rbl_rdns_resolve_stats st;
	CHECK_RC(rbl_rdns_resolve(&o, &p, 1, on_name, &g, &st), RBL_OK);
	CHECK(st.failed == 8 && g.n == 0);
}

static void test_bad_options(void)
{
	rbl_rdns_resolve_opts o;
	rbl_prefix p;
	rbl_rdns_resolve_opts_defaults(&o);
	rbl_prefix_parse("10.0.0.0/7", false, &p);
	CHECK_RC(rbl_rdns_resolve(&o, &p, 1, on_name, NULL, NULL), RBL_EINVAL);
	rbl_prefix_parse("10.0.0.0/24", false, &p);
	o.concurrency = 0;
	CHECK_RC(rbl_rdns_resolve(&o, &p, 1, on_name, NULL, NULL), RBL_EINVAL);
}

int main(void)
{
	test_lookups();
	test_rate_limit();
	test_nobody_listens();
	test_bad_options();
	return check_done();
}
