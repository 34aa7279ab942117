/*
 * notify.c -- the NOTIFY sender thread (see notify.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zone/array.h"
#include "zone/dname.h"
#include "zone/error.h"
#include "zone/log.h"
#include "zone/xfr/xfr_expand.h"
#include "dns.h"
#include "notify.h"
#include "tsig.h"
#include "wire.h"

#define POLL_MS		1000
#define DEBOUNCE_MS	1000	/* serial stable this long */
#define DEBOUNCE_MAX_MS	10000	/* or changing for this long */
#define OPCODE_NOTIFY	4
#define MSG_CAP		1024

/* One target of one zone. */
typedef struct send_state {
	const rbl_notify_target *t;
	bool active;
	uint32_t serial;
	uint16_t id;
	unsigned tries;
	int64_t next_ms;
	uint32_t wait_ms;
	rbl_tsig_state tsig;
} send_state;

typedef struct zone_state {
	uint32_t id;
	char name[RBL_NAME_MAX + 1];
	bool seen_this_poll;
	uint32_t last_seen, notified;
	bool ever_notified;
	int64_t changed_ms, first_change_ms;
	rbl_zone zone;			/* settings at the last change */
	const rbl_xfr_zone *conf;
	send_state *sends;
	unsigned n_sends;
} zone_state;

struct rbl_notify {
	rbl_store *store;
	const rbl_xfr_live *live;
	const rbl_xfr_conf *conf;	/* LIVE's, as of the last poll */
	rbl_txn *txn;
	int fd4, fd6;
	pthread_t tid;
	atomic_bool stop;
	zone_state *zones;
	size_t n_zones, cap_zones;
};

static int64_t now_ms(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ messages */

typedef struct nbuf {
	uint8_t b[MSG_CAP];
	size_t len;
} nbuf;

static int put_soa_rr(void *arg, const rbl_xrr *rr)
{
	nbuf *m = arg;

	if (m->len + 12u + rr->rdlen > MSG_CAP)
		return RBL_ETOOBIG;
	dns_put16(m->b + m->len, 0xc000 | DNS_HDR_LEN);
	dns_put16(m->b + m->len + 2, rr->type);
	dns_put16(m->b + m->len + 4, DNS_C_IN);
	dns_put32(m->b + m->len + 6, rr->ttl);
	dns_put16(m->b + m->len + 10, rr->rdlen);
	memcpy(m->b + m->len + 12, rr->rdata, rr->rdlen);
	m->len += 12u + rr->rdlen;
	return RBL_OK;
}

static int build_notify(const zone_state *z, send_state *s,
			const rbl_tsig_key *key, nbuf *m)
{
	size_t q = rbl_name_wire(z->name, m->b + DNS_HDR_LEN);
	int rc;

	if (q == 0)
		return RBL_EINVAL;
	memset(m->b, 0, DNS_HDR_LEN);
	dns_put16(m->b, s->id);
	m->b[2] = (uint8_t)(OPCODE_NOTIFY << 3 | DNS_FLAG_AA);
	dns_put16(m->b + 4, 1);
	dns_put16(m->b + 6, 1);
	m->len = DNS_HDR_LEN + q;
	dns_put16(m->b + m->len, DNS_T_SOA);
	dns_put16(m->b + m->len + 2, DNS_C_IN);
	m->len += 4;
	if ((rc = rbl_xfr_soa(&z->zone, s->serial, put_soa_rr, m)) != RBL_OK)
		return rc;
	if (!key)
		return RBL_OK;
	return rbl_tsig_sign_request(&s->tsig, key, m->b, &m->len, MSG_CAP,
				     (int64_t)time(NULL));
}

/* ------------------------------------------------------------ sending */

static void send_one(rbl_notify *n, zone_state *z, send_state *s,
		     int64_t now)
{
	nbuf m = { 0 };
	int fd = s->t->sa.ss_family == AF_INET ? n->fd4 : n->fd6;
	int rc;

	rc = build_notify(z, s, s->t->key == RBL_XFR_NOKEY ? NULL
			  : &n->conf->keys[s->t->key], &m);
	if (rc == RBL_OK &&
	    sendto(fd, m.b, m.len, 0, (const struct sockaddr *)&s->t->sa,
		   s->t->salen) < 0)
		rc = RBL_EIO;
	if (rc != RBL_OK)
		rbl_log_warn("NOTIFY %s serial %u to %s: %s", z->name,
			     s->serial, s->t->text,
			     rc == RBL_EIO ? strerror(errno) : rbl_strerror(rc));
	s->tries++;
	s->next_ms = now + s->wait_ms;
	s->wait_ms *= 2;
	if (s->tries >= n->conf->notify_retries && rc == RBL_OK)
		s->next_ms = now + s->wait_ms / 2;	/* last wait */
}

static void start_round(rbl_notify *n, zone_state *z, int64_t now)
{
	for (unsigned i = 0; i < z->n_sends; i++) {
		send_state *s = &z->sends[i];

		s->active = true;
		s->serial = z->last_seen;
		s->id = (uint16_t)(random() & 0xffff);
		s->tries = 0;
		s->wait_ms = n->conf->notify_interval_ms;
		s->next_ms = now;
	}
	z->notified = z->last_seen;
	z->ever_notified = true;
}

static void due_sends(rbl_notify *n, int64_t now, int64_t *next)
{
	for (size_t i = 0; i < n->n_zones; i++) {
		zone_state *z = &n->zones[i];

		for (unsigned k = 0; k < z->n_sends; k++) {
			send_state *s = &z->sends[k];

			if (!s->active)
				continue;
			if (s->next_ms <= now) {
				if (s->tries >= n->conf->notify_retries) {
					rbl_log_warn("NOTIFY %s serial %u to "
						     "%s: no answer after %u "
						     "tries", z->name,
						     s->serial, s->t->text,
						     s->tries);
					s->active = false;
					continue;
				}
				send_one(n, z, s, now);
			}
			if (s->next_ms < *next)
				*next = s->next_ms;
		}
	}
}

/* ------------------------------------------------------------ answers */

static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
					 *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	return ((const struct sockaddr_in6 *)a)->sin6_port ==
	       ((const struct sockaddr_in6 *)b)->sin6_port &&
	       !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

/* Is answer B (LEN bytes) signed with the key S's NOTIFY was sent with?
 * A message whose records cannot be walked has no TSIG to check. */
static bool signed_by_us(send_state *s, const uint8_t *b, size_t len)
{
	size_t at = 0;

	if (rbl_wire_last_rr(b, len, &at) != RBL_OK)
		at = 0;
	return rbl_tsig_verify_response(&s->tsig, b, len, at,
					(int64_t)time(NULL)) == RBL_OK;
}

static void answered(rbl_notify *n, const uint8_t *b, size_t len,
		     const struct sockaddr_storage *from)
{
	uint16_t id;

	if (len < DNS_HDR_LEN || !(b[2] & DNS_FLAG_QR) ||
	    ((b[2] >> 3) & 0x0f) != OPCODE_NOTIFY)
		return;
	id = dns_get16(b);
	for (size_t i = 0; i < n->n_zones; i++) {
		zone_state *z = &n->zones[i];

		for (unsigned k = 0; k < z->n_sends; k++) {
			send_state *s = &z->sends[k];
			int rcode = b[3] & 0x0f;

			if (!s->active || s->id != id ||
			    !same_addr(&s->t->sa, from))
				continue;
			if (s->t->key != RBL_XFR_NOKEY &&
			    !signed_by_us(s, b, len)) {
				rbl_log_warn("NOTIFY %s to %s: answer without "
					     "a valid TSIG, ignored", z->name,
					     s->t->text);
				return;
			}
			s->active = false;
			if (rcode == DNS_RCODE_NOERROR)
				rbl_log_info("NOTIFY %s serial %u to %s: "
					     "acknowledged", z->name,
					     s->serial, s->t->text);
			else
				rbl_log_warn("NOTIFY %s serial %u to %s: "
					     "answered with rcode %d",
					     z->name, s->serial, s->t->text,
					     rcode);
			return;
		}
	}
}

static void read_answers(rbl_notify *n, int fd)
{
	for (;;) {
		uint8_t b[MSG_CAP];
		struct sockaddr_storage from = { 0 };
		socklen_t fl = sizeof from;
		ssize_t r = recvfrom(fd, b, sizeof b, MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (r < 0)
			return;
		answered(n, b, (size_t)r, &from);
	}
}

/* ------------------------------------------------------------ zones */

static zone_state *zone_find(rbl_notify *n, uint32_t id)
{
	for (size_t i = 0; i < n->n_zones; i++)
		if (n->zones[i].id == id)
			return &n->zones[i];
	return NULL;
}

static zone_state *zone_add(rbl_notify *n, const rbl_zone *z,
			    const rbl_xfr_zone *conf)
{
	zone_state *s;

	if (rbl_array_reserve(n->zones, n->cap_zones, n->n_zones + 1, 16) !=
	    RBL_OK)
		return NULL;
	s = &n->zones[n->n_zones];
	memset(s, 0, sizeof *s);
	if (!(s->sends = calloc(conf->n_notify, sizeof *s->sends)))
		return NULL;
	n->n_zones++;
	s->id = z->id;
	snprintf(s->name, sizeof s->name, "%s", z->name);
	s->conf = conf;
	s->n_sends = conf->n_notify;
	for (unsigned i = 0; i < conf->n_notify; i++)
		s->sends[i].t = &conf->notify[i];
	return s;
}

typedef struct poll_ctx {
	rbl_notify *n;
	int64_t now;
} poll_ctx;

static int see_zone(void *arg, const rbl_zone *z)
{
	poll_ctx *p = arg;
	const rbl_xfr_zone *conf = rbl_xfr_conf_zone(p->n->conf, z->name,
						     true);
	zone_state *s = zone_find(p->n, z->id);
	uint32_t serial = 0;

	if (conf->n_notify == 0 ||
	    rbl_zone_serial(p->n->txn, z->id, &serial) != RBL_OK)
		return 0;
	if (!s && !(s = zone_add(p->n, z, conf)))
		return RBL_ENOMEM;
	s->seen_this_poll = true;
	s->zone = *z;
	if (s->changed_ms == 0) {	/* first seen: notify at start */
		s->last_seen = serial;
		s->first_change_ms = s->changed_ms = p->now;
	} else if (serial != s->last_seen) {
		if (s->ever_notified && s->notified == s->last_seen)
			s->first_change_ms = p->now;
		s->last_seen = serial;
		s->changed_ms = p->now;
	}
	return 0;
}

static void poll_serials(rbl_notify *n, int64_t now)
{
	poll_ctx p = { n, now };
	int rc = rbl_txn_renew(n->txn);

	for (size_t i = 0; i < n->n_zones; i++)
		n->zones[i].seen_this_poll = false;
	if (rc == RBL_OK)
		rc = rbl_zone_foreach(n->txn, see_zone, &p);
	rbl_txn_reset(n->txn);
	if (rc != RBL_OK) {
		rbl_log_warn("NOTIFY: reading zone serials: %s",
			     rbl_strerror(rc));
		return;
	}
	for (size_t i = 0; i < n->n_zones; i++) {
		zone_state *z = &n->zones[i];

		if (!z->seen_this_poll)	/* deleted: nothing to notify */
			for (unsigned k = 0; k < z->n_sends; k++)
				z->sends[k].active = false;
		else if ((!z->ever_notified || z->notified != z->last_seen) &&
			 (now - z->changed_ms >= DEBOUNCE_MS ||
			  now - z->first_change_ms >= DEBOUNCE_MAX_MS))
			start_round(n, z, now);
	}
}

/* ------------------------------------------------------------ thread */

/* New settings (SIGHUP): the targets and keys of the zone states are
 * gone; start over, which notifies every zone to the new targets. */
static void forget_zones(rbl_notify *n)
{
	for (size_t i = 0; i < n->n_zones; i++)
		free(n->zones[i].sends);
	n->n_zones = 0;
}

static void *notify_main(void *arg)
{
	rbl_notify *n = arg;
	int64_t next_poll = 0;

	while (!atomic_load(&n->stop)) {
		struct pollfd pfd[2] = { { n->fd4, POLLIN, 0 },
					 { n->fd6, POLLIN, 0 } };
		int64_t now = now_ms(), next = 0;
		const rbl_xfr_conf *conf = rbl_xfr_live_get(n->live);

		if (conf != n->conf) {
			forget_zones(n);
			n->conf = conf;
			next_poll = now;
		}
		if (now >= next_poll) {
			poll_serials(n, now);
			next_poll = now + POLL_MS;
		}
		next = next_poll;
		due_sends(n, now, &next);
		if (poll(pfd, 2, (int)(next > now ? next - now : 0)) > 0) {
			read_answers(n, n->fd4);
			read_answers(n, n->fd6);
		}
	}
	return NULL;
}

static int open_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;

	if (fd >= 0 && family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				 sizeof one);
	return fd;
}

int rbl_notify_start(rbl_store *store, const rbl_xfr_live *live,
		     rbl_notify **out)
{
	rbl_notify *n = calloc(1, sizeof *n);
	int rc;

	if (!n)
		return RBL_ENOMEM;
	n->store = store;
	n->live = live;
	n->conf = rbl_xfr_live_get(live);
	n->fd4 = open_socket(AF_INET);
	n->fd6 = open_socket(AF_INET6);
	rc = n->fd4 >= 0 || n->fd6 >= 0 ? RBL_OK : RBL_EIO;
	if (rc == RBL_OK && (rc = rbl_txn_begin(store, false, &n->txn)) ==
	    RBL_OK)
		rbl_txn_reset(n->txn);
	if (rc == RBL_OK &&
	    pthread_create(&n->tid, NULL, notify_main, n) != 0)
		rc = RBL_ENOMEM;
	if (rc != RBL_OK) {
		if (n->txn)
			rbl_txn_abort(n->txn);
		if (n->fd4 >= 0)
			close(n->fd4);
		if (n->fd6 >= 0)
			close(n->fd6);
		free(n);
		return rc;
	}
	*out = n;
	return RBL_OK;
}

void rbl_notify_stop(rbl_notify *n)
{
	if (!n)
		return;
	atomic_store(&n->stop, true);
	pthread_join(n->tid, NULL);
	rbl_txn_abort(n->txn);
	forget_zones(n);
	free(n->zones);
	if (n->fd4 >= 0)
		close(n->fd4);
	if (n->fd6 >= 0)
		close(n->fd6);
	free(n);
}
