/*
 * xfr.c -- AXFR and IXFR requests over TCP (see xfr.h).
 *
 * rbl_xfr_tcp_query runs in the TCP thread: it parses the request with
 * the query parser (query.h), checks TSIG where the parser found it,
 * then the zone and the ACL with a read transaction of its own (reset
 * after each request), and either answers at once or starts a job
 * (xfr_job.c) that streams the zone.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/error.h"
#include "zone/log.h"
#include "listen.h"
#include "query.h"
#include "wire.h"
#include "xfr_impl.h"

/* ------------------------------------------------------------ request */

/* The question name of Q as lowercase text ("" for the root). */
static void zone_text(const rbl_query *q, char *out)
{
	size_t t = 0;

	for (unsigned i = 0; i < q->nlabels; i++) {
		uint8_t l = 0;
		const uint8_t *p = rbl_query_label(q, i, &l);

		if (t)
			out[t++] = '.';
		memcpy(out + t, p, l);
		t += l;
	}
	out[t] = 0;
}

/* The serial of the SOA an IXFR request carries in its authority
 * section, the record right after the question. */
static bool ixfr_serial(const rbl_query *q, uint32_t *serial)
{
	const uint8_t *m = q->pkt;
	rbl_wire_rr rr = { 0 };
	size_t p = 0, end = 0;

	if (dns_get16(m + 8) < 1 ||
	    !rbl_wire_record(m, q->len, q->question_end, &rr) ||
	    rr.type != DNS_T_SOA)
		return false;
	end = rr.rdata + rr.rdlen;
	if (!(p = rbl_wire_name(m, end, rr.rdata, 0, NULL)) ||
	    !(p = rbl_wire_name(m, end, p, 0, NULL)) || p + 4 > end)
		return false;
	*serial = dns_get32(m + p);
	return true;
}

static void peer_of(const struct sockaddr_storage *ss, xfr_req *r)
{
	memset(&r->peer, 0, sizeof r->peer);
	if (ss->ss_family == AF_INET) {
		r->peer.family = RBL_AF4;
		memcpy(r->peer.bytes,
		       &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		r->peer.family = RBL_AF6;
		memcpy(r->peer.bytes,
		       &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
	rbl_sockaddr_text((const struct sockaddr *)ss, r->peer_text,
			  sizeof r->peer_text);
}

/* RBL_OK: a transfer request, parsed into Q and R; RBL_ENOTFOUND: not
 * one (the engine answers it). */
static int parse_request(const uint8_t *m, size_t len, rbl_query *q,
			 xfr_req *r)
{
	if (rbl_query_parse(m, len, q) != RBL_OK ||
	    q->opcode != DNS_OPCODE_QUERY || !q->has_question ||
	    (q->qtype != DNS_T_AXFR && q->qtype != DNS_T_IXFR) ||
	    q->qclass != DNS_C_IN)
		return RBL_ENOTFOUND;
	memset(r, 0, sizeof *r);
	r->id = q->id;
	r->flags = m[2];
	r->qtype = q->qtype;
	r->qclass = q->qclass;
	memcpy(r->qname, q->qname, q->qname_len);	/* as sent */
	r->qname_len = q->qname_len;
	zone_text(q, r->zone);
	if (r->qtype == DNS_T_IXFR)
		r->has_serial = ixfr_serial(q, &r->serial);
	return RBL_OK;
}

/* A one-message answer with RCODE (and the SOA of Z at SERIAL when Z is
 * given) into OUT, without the length prefix. */
static int small_answer(xfr_req *r, int rcode, const rbl_zone *z,
			uint32_t serial, uint8_t *out, size_t cap,
			size_t *outlen)
{
	uint8_t *frame = malloc(FRAME_CAP);
	wbuf w = { frame, 0, xfr_wb_limit(&r->tsig), 0 };
	int rc = frame ? RBL_OK : RBL_ENOMEM;

	if (rc == RBL_OK) {
		xfr_wb_start(&w, r, rcode);
		if (z)
			rc = rbl_xfr_soa(z, serial, xfr_wb_rr, &w);
	}
	if (rc == RBL_OK)
		rc = xfr_wb_finish(&w, &r->tsig);
	if (rc == RBL_OK && w.len > cap)
		rc = RBL_ETOOBIG;
	if (rc == RBL_OK) {
		memcpy(out, frame + 2, w.len);
		*outlen = w.len;
	}
	free(frame);
	return rc;
}

/* ------------------------------------------------------------ decisions */

static const char *qtype_text(const xfr_req *r)
{
	return r->qtype == DNS_T_AXFR ? "AXFR" : "IXFR";
}

/* Serial arithmetic (RFC 1982): is A at or after B? */
static bool serial_ge(uint32_t a, uint32_t b)
{
	return a == b || (a - b) < 0x80000000u;
}

/* Check TSIG, zone and ACL.  RBL_OK: go on (*Z, *SERIAL set); otherwise
 * *RCODE is what to answer. */
static int admit(rbl_xfr *x, const rbl_xfr_conf *conf, xfr_req *r,
		 const rbl_query *q, rbl_zone *z, uint32_t *serial, int *rcode)
{
	const rbl_xfr_zone *zc;
	int rc = RBL_EFORMAT;

	/* a malformed request has no TSIG to trust: FORMERR, unsigned */
	if (q->rcode != DNS_RCODE_FORMERR)
		rc = rbl_tsig_check(conf->keys, conf->n_keys, q->pkt, q->len,
				    q->tsig_at, (int64_t)time(NULL),
				    &r->tsig);
	*rcode = DNS_RCODE_REFUSED;
	if (rc != RBL_OK) {
		*rcode = DNS_RCODE_FORMERR;
		memset(&r->tsig, 0, sizeof r->tsig);
		rbl_log_warn("refused %s %s to %s: malformed %s",
			     qtype_text(r), r->zone, r->peer_text,
			     q->rcode == DNS_RCODE_FORMERR ? "request"
							   : "TSIG");
		return RBL_EPERM;
	}
	if (r->tsig.error) {
		*rcode = DNS_RCODE_NOTAUTH;
		rbl_log_warn("refused %s %s to %s: TSIG %s", qtype_text(r),
			     r->zone, r->peer_text,
			     r->tsig.error == RBL_TSIG_BADKEY ? "key unknown"
			     : r->tsig.error == RBL_TSIG_BADSIG
				     ? "signature wrong (bad secret?)"
				     : "time outside the fudge");
		return RBL_EPERM;
	}
	rc = rbl_txn_renew(x->txn);
	if (rc == RBL_OK)
		rc = rbl_zone_get(x->txn, r->zone, z);
	if (rc == RBL_OK)
		rc = rbl_zone_serial(x->txn, z->id, serial);
	rbl_txn_reset(x->txn);
	if (rc == RBL_ENOTFOUND) {
		*rcode = DNS_RCODE_NOTAUTH;
		rbl_log_warn("refused %s %s to %s: no such zone",
			     qtype_text(r), r->zone, r->peer_text);
		return RBL_EPERM;
	}
	if (rc != RBL_OK) {
		*rcode = DNS_RCODE_SERVFAIL;
		return rc;
	}
	zc = rbl_xfr_conf_zone(conf, r->zone, false);
	if (rbl_xfr_acl_check(conf, zc, &r->peer, r->tsig.key) != RBL_OK) {
		rbl_log_warn("refused %s %s to %s%s%s: not allowed by "
			     "provide-xfr", qtype_text(r), r->zone,
			     r->peer_text, r->tsig.key ? " key " : "",
			     r->tsig.key ? r->tsig.key->name : "");
		return RBL_EPERM;
	}
	return RBL_OK;
}

int rbl_xfr_tcp_query(rbl_xfr *x, const uint8_t *msg, size_t len,
		      const struct sockaddr_storage *peer, uint8_t *out,
		      size_t cap, size_t *outlen, rbl_xfr_job **job)
{
	const rbl_xfr_conf *conf = rbl_xfr_live_get(x->live);
	rbl_query q = { 0 };
	xfr_req r = { 0 };
	rbl_zone z = { 0 };
	uint32_t serial = 0;
	int rcode = 0, rc;

	if (parse_request(msg, len, &q, &r) != RBL_OK)
		return RBL_XFR_NOT_MINE;
	peer_of(peer, &r);
	*job = NULL;
	if (admit(x, conf, &r, &q, &z, &serial, &rcode) != RBL_OK)
		rc = small_answer(&r, rcode, NULL, 0, out, cap, outlen);
	else if (r.qtype == DNS_T_IXFR && r.has_serial &&
		 serial_ge(r.serial, serial)) {
		rbl_log_info("IXFR %s to %s: up to date at serial %u", r.zone,
			     r.peer_text, serial);
		rc = small_answer(&r, DNS_RCODE_NOERROR, &z, serial, out, cap,
				  outlen);
	} else {
		if (r.qtype == DNS_T_IXFR && !r.has_serial)
			r.qtype = DNS_T_AXFR;	/* nothing to start from */
		*job = xfr_job_new(x, conf, &r);
		rc = *job ? xfr_job_start(x, *job) : RBL_ENOMEM;
		if (rc == RBL_OK)
			return RBL_XFR_STARTED;
		if (*job) {
			xfr_job_drop(*job);
			*job = NULL;
		}
		rbl_log_warn("%s %s to %s: %s", qtype_text(&r), r.zone,
			     r.peer_text, rc == RBL_EBUSY
			     ? "too many transfers waiting (xfr-max-transfers)"
			     : rbl_strerror(rc));
		rc = small_answer(&r, DNS_RCODE_SERVFAIL, NULL, 0, out, cap,
				  outlen);
	}
	return rc == RBL_OK ? RBL_XFR_ANSWERED : RBL_XFR_NOT_MINE;
}

/* ------------------------------------------------------------ lifecycle */

int rbl_xfr_new(rbl_store *store, const rbl_xfr_live *live, rbl_xfr **out)
{
	rbl_xfr *x = calloc(1, sizeof *x);
	int rc;

	if (!x)
		return RBL_ENOMEM;
	x->store = store;
	x->live = live;
	if ((rc = rbl_txn_begin(store, false, &x->txn)) != RBL_OK) {
		free(x);
		return rc;
	}
	rbl_txn_reset(x->txn);
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->idle, NULL);
	pthread_cond_init(&x->slot, NULL);
	*out = x;
	return RBL_OK;
}

void rbl_xfr_free(rbl_xfr *x)
{
	if (!x)
		return;
	/* jobs were released by the TCP thread: producers see it and end */
	pthread_mutex_lock(&x->lock);
	while (x->running)
		pthread_cond_wait(&x->idle, &x->lock);
	pthread_mutex_unlock(&x->lock);
	rbl_txn_abort(x->txn);
	pthread_mutex_destroy(&x->lock);
	pthread_cond_destroy(&x->idle);
	pthread_cond_destroy(&x->slot);
	free(x);
}
