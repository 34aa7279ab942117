/*
 * rdns_resolve.c -- PTR lookups of CIDR blocks over one UDP socket.
 *
 * Addresses are worked through a window at a time.  Each slot of the
 * window is waiting (not yet sent, or due for a retry), in flight, or
 * done; a 64K table maps query ids to slots.  The loop sends while the
 * concurrency and the token bucket allow, polls for answers in short
 * steps, expires overdue queries, and when the whole window is done hands
 * its names to the callback in address order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "rdns_resolve.h"

#define WINDOW		4096
#define POLL_MS		10
#define DRAW_MS		200
#define QNAME_MAX	96

enum { S_WAIT = 0, S_FLIGHT, S_DONE };

typedef struct slot {
	rbl_addr a;
	uint8_t state, tries;
	uint16_t id;
	int64_t deadline;		/* ms, monotonic */
	char qname[QNAME_MAX];		/* "4.3.2.1.in-addr.arpa." */
	char name[256];			/* the answer, "" = none */
} slot;

typedef struct resolver {
	const rbl_rdns_resolve_opts *o;
	int fd;
	slot *slots;
	size_t n, next_new, inflight, done;
	size_t *retry;			/* slots due for another try */
	size_t nretry;
	int32_t *idmap;			/* query id -> slot, -1 = free */
	uint32_t rng;
	double tokens;
	int64_t refilled, last_scan, last_draw;
	uint64_t total, finished;	/* for the progress bar */
	rbl_rdns_resolve_stats st;
} resolver;

void rbl_rdns_resolve_opts_defaults(rbl_rdns_resolve_opts *o)
{
	memset(o, 0, sizeof(*o));
	rbl_addr_parse("127.0.0.1", &o->server);
	o->port = 53;
	o->concurrency = 64;
	o->timeout_ms = 2000;
	o->retries = 2;
	o->rate = 500;
}

static int64_t now_ms(void)
{
	struct timespec ts = { 0 };
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ socket */

static int open_socket(const rbl_rdns_resolve_opts *o, int *fd_out)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (o->server.family == RBL_AF4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(o->port);
		memcpy(&sin->sin_addr, o->server.bytes, 4);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(o->port);
		memcpy(&sin6->sin6_addr, o->server.bytes, 16);
		sl = sizeof(*sin6);
	}
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return RBL_EIO;
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		close(fd);
		return RBL_EIO;
	}
	*fd_out = fd;
	return RBL_OK;
}

/* ----------------------------------------------------------- sending */

static uint16_t fresh_id(resolver *r)
{
	for (;;) {
		r->rng ^= r->rng << 13;
		r->rng ^= r->rng >> 17;
		r->rng ^= r->rng << 5;
		uint16_t id = (uint16_t)(r->rng >> 8);
		if (r->idmap[id] < 0)
			return id;
	}
}

static int send_query(resolver *r, size_t si)
{
	slot *s = &r->slots[si];
	uint8_t *wire = NULL;
	size_t len = 0;
	ldns_rdf *qname = ldns_dname_new_frm_str(s->qname);
	ldns_pkt *q = qname ? ldns_pkt_query_new(qname, LDNS_RR_TYPE_PTR,
						 LDNS_RR_CLASS_IN, LDNS_RD) :
			      NULL;
	if (!q) {
		if (qname)
			ldns_rdf_deep_free(qname);
		return RBL_ENOMEM;
	}
	s->id = fresh_id(r);
	ldns_pkt_set_id(q, s->id);
	ldns_status st = ldns_pkt2wire(&wire, q, &len);
	ldns_pkt_free(q);
	if (st != LDNS_STATUS_OK)
		return RBL_ENOMEM;
	ssize_t sent = send(r->fd, wire, len, 0);
	free(wire);
	if (sent < 0 && errno != EAGAIN && errno != ECONNREFUSED)
		return RBL_EIO;
	/* a refused or dropped send is retried like a lost answer */
	r->idmap[s->id] = (int32_t)si;
	s->state = S_FLIGHT;
	s->tries++;
	s->deadline = now_ms() + r->o->timeout_ms;
	r->inflight++;
	return RBL_OK;
}

static void refill(resolver *r, int64_t now)
{
	if (r->o->rate == 0)
		return;
	double cap = r->o->rate < r->o->concurrency ? r->o->rate :
		     r->o->concurrency;
	r->tokens += (double)(now - r->refilled) * r->o->rate / 1000.0;
	if (r->tokens > cap)
		r->tokens = cap;
	r->refilled = now;
}

/* The next slot to send: retries first, then new ones; SIZE_MAX if none. */
static size_t next_to_send(resolver *r)
{
	if (r->nretry > 0)
		return r->retry[--r->nretry];
	if (r->next_new < r->n)
		return r->next_new++;
	return SIZE_MAX;
}

static int send_ready(resolver *r)
{
	refill(r, now_ms());
	while (r->inflight < r->o->concurrency &&
	       (r->o->rate == 0 || r->tokens >= 1.0)) {
		size_t si = next_to_send(r);
		if (si == SIZE_MAX)
			break;
		int rc = send_query(r, si);
		if (rc != RBL_OK)
			return rc;
		if (r->o->rate)
			r->tokens -= 1.0;
		if (r->slots[si].tries > 1)
			r->st.retries++;
	}
	return RBL_OK;
}

/* --------------------------------------------------------- answers */

static void finish(resolver *r, size_t si, const char *name, bool failed)
{
	slot *s = &r->slots[si];
	if (s->state == S_FLIGHT) {
		r->idmap[s->id] = -1;
		r->inflight--;
	}
	s->state = S_DONE;
	r->done++;
	r->finished++;
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
	if (failed)
		r->st.failed++;
	else if (name)
		r->st.names++;
	else
		r->st.no_name++;
}

/* Try again later, or give up after the retries. */
static void again(resolver *r, size_t si)
{
	slot *s = &r->slots[si];
	if (s->tries > r->o->retries) {
		finish(r, si, NULL, true);
		return;
	}
	if (s->state == S_FLIGHT) {
		r->idmap[s->id] = -1;
		r->inflight--;
	}
	s->state = S_WAIT;
	r->retry[r->nretry++] = si;
}

static bool question_matches(const ldns_pkt *p, const slot *s)
{
	ldns_rr_list *q = ldns_pkt_question(p);
	if (!q || ldns_rr_list_rr_count(q) != 1)
		return false;
	char *owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(q, 0)));
	bool same = owner && strcasecmp(owner, s->qname) == 0;
	free(owner);
	return same;
}

/* The first PTR target in the answer, without the trailing dot. */
static bool first_ptr(const ldns_pkt *p, char *out, size_t size)
{
	ldns_rr_list *ptrs = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_PTR,
						      LDNS_SECTION_ANSWER);
	bool found = false;
	if (ptrs && ldns_rr_list_rr_count(ptrs) > 0) {
		ldns_rdf *target = ldns_rr_rdf(ldns_rr_list_rr(ptrs, 0), 0);
		char *text = target ? ldns_rdf2str(target) : NULL;
		if (text) {
			size_t len = strlen(text);
			if (len > 1 && text[len - 1] == '.')
				text[--len] = '\0';
			found = len > 0 && len < size;
			if (found)
				memcpy(out, text, len + 1);
			free(text);
		}
	}
	if (ptrs)
		ldns_rr_list_deep_free(ptrs);
	return found;
}

static void handle_answer(resolver *r, const uint8_t *buf, size_t len)
{
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK)
		return;
	int32_t si = r->idmap[ldns_pkt_id(p)];
	if (si < 0 || !question_matches(p, &r->slots[si])) {
		ldns_pkt_free(p);
		return;		/* late, duplicate or foreign: ignore */
	}
	char name[256];
	ldns_pkt_rcode rc = ldns_pkt_get_rcode(p);
	if (rc == LDNS_RCODE_NXDOMAIN)
		finish(r, (size_t)si, NULL, false);
	else if (rc != LDNS_RCODE_NOERROR || ldns_pkt_tc(p))
		again(r, (size_t)si);
	else
		finish(r, (size_t)si, first_ptr(p, name, sizeof(name)) ?
		       name : NULL, false);
	ldns_pkt_free(p);
}

static int receive(resolver *r)
{
	uint8_t buf[65536];
	for (;;) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return RBL_OK;
		if (n < 0 && (errno == ECONNREFUSED || errno == EINTR))
			continue;	/* nobody listens yet: timeouts */
		if (n < 0)
			return RBL_EIO;
		handle_answer(r, buf, (size_t)n);
	}
}

static void expire(resolver *r, int64_t now)
{
	if (now - r->last_scan < POLL_MS)
		return;
	r->last_scan = now;
	for (size_t i = 0; i < r->n; i++)
		if (r->slots[i].state == S_FLIGHT && r->slots[i].deadline <= now)
			again(r, i);
}

static void draw(resolver *r, int64_t now, bool last)
{
	if (!r->o->progress || (!last && now - r->last_draw < DRAW_MS))
		return;
	r->last_draw = now;
	unsigned pct = r->total ? (unsigned)(r->finished * 100 / r->total) : 100;
	char bar[31];
	for (unsigned i = 0; i < 30; i++)
		bar[i] = i < pct * 30 / 100 ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\rrdns: [%s] %3u%% %llu/%llu addresses, %llu names, "
		"%llu failed%s", bar, pct, (unsigned long long)r->finished,
		(unsigned long long)r->total, (unsigned long long)r->st.names,
		(unsigned long long)r->st.failed, last ? "\n" : "");
}

/* ----------------------------------------------------------- windows */

static int run_window(resolver *r)
{
	int rc = RBL_OK;
	while (rc == RBL_OK && r->done < r->n) {
		rc = send_ready(r);
		if (rc != RBL_OK)
			break;
		struct pollfd pfd = { r->fd, POLLIN, 0 };
		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR)
			return RBL_EIO;
		rc = receive(r);
		int64_t now = now_ms();
		expire(r, now);
		draw(r, now, false);
	}
	return rc;
}

static void fill_window(resolver *r, const rbl_addr *first, size_t n)
{
	rbl_addr a = *first;
	const char *zone = a.family == RBL_AF4 ? "in-addr.arpa." : "ip6.arpa.";
	for (size_t i = 0; i < n; i++) {
		slot *s = &r->slots[i];
		char rev[80];
		memset(s, 0, sizeof(*s));
		s->a = a;
		rbl_addr_to_reverse(&a, rev, sizeof(rev));
		snprintf(s->qname, sizeof(s->qname), "%s.%s", rev, zone);
		rbl_addr_inc(&a);
	}
	r->n = n;
	r->next_new = r->inflight = r->done = r->nretry = 0;
}

static int hand_over(resolver *r, rbl_rdns_ptr_fn fn, void *arg)
{
	for (size_t i = 0; i < r->n; i++) {
		if (!r->slots[i].name[0])
			continue;
		int rc = fn(arg, &r->slots[i].a, r->slots[i].name);
		if (rc != 0)
			return rc;
	}
	return fn(arg, NULL, NULL);
}

static int resolve_prefix(resolver *r, const rbl_prefix *p,
			  rbl_rdns_ptr_fn fn, void *arg)
{
	uint64_t left = (uint64_t)1 << (rbl_addr_bits(p->addr.family) - p->len);
	rbl_addr a = { 0 };
	rbl_prefix_first(p, &a);
	while (left > 0) {
		size_t n = left < WINDOW ? (size_t)left : WINDOW;
		fill_window(r, &a, n);
		r->st.queried += n;
		int rc = run_window(r);
		if (rc == RBL_OK)
			rc = hand_over(r, fn, arg);
		if (rc != RBL_OK)
			return rc;
		a = r->slots[n - 1].a;
		rbl_addr_inc(&a);
		left -= n;
	}
	return RBL_OK;
}

static int check_input(const rbl_rdns_resolve_opts *o, const rbl_prefix *p,
		       size_t n, uint64_t *total)
{
	if (o->concurrency == 0 || o->concurrency > WINDOW ||
	    o->timeout_ms == 0 || o->retries > 100 ||
	    (o->server.family != RBL_AF4 && o->server.family != RBL_AF6))
		return RBL_EINVAL;
	*total = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned bits = rbl_addr_bits(p[i].addr.family) - p[i].len;
		if (p[i].len > rbl_addr_bits(p[i].addr.family) || bits > 24)
			return RBL_EINVAL;
		*total += (uint64_t)1 << bits;
	}
	return RBL_OK;
}

static int resolver_init(resolver *r, const rbl_rdns_resolve_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->fd = -1;
	r->slots = calloc(WINDOW, sizeof(*r->slots));
	r->retry = calloc(WINDOW, sizeof(*r->retry));
	r->idmap = malloc(65536 * sizeof(*r->idmap));
	if (!r->slots || !r->retry || !r->idmap)
		return RBL_ENOMEM;
	memset(r->idmap, 0xff, 65536 * sizeof(*r->idmap));
	r->rng = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16 ^ 0x9e3779b9u;
	if (r->rng == 0)
		r->rng = 1;
	r->refilled = now_ms();
	r->tokens = o->rate < o->concurrency ? o->rate : o->concurrency;
	return open_socket(o, &r->fd);
}

static void resolver_done(resolver *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->slots);
	free(r->retry);
	free(r->idmap);
}

int rbl_rdns_resolve(const rbl_rdns_resolve_opts *o, const rbl_prefix *p,
		     size_t n, rbl_rdns_ptr_fn fn, void *arg,
		     rbl_rdns_resolve_stats *stats)
{
	resolver r = { 0 };
	uint64_t total = 0;
	int rc = check_input(o, p, n, &total);
	if (rc != RBL_OK)
		return rc;
	rc = resolver_init(&r, o);
	r.total = total;
	for (size_t i = 0; rc == RBL_OK && i < n; i++)
		rc = resolve_prefix(&r, &p[i], fn, arg);
	draw(&r, now_ms(), true);
	if (stats)
		*stats = r.st;
	resolver_done(&r);
	return rc;
}
