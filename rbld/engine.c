/*
 * engine.c -- parse, decide, write: the per-packet steps (see engine.h).
 */
#include <string.h>
#include <time.h>

#include "zone/error.h"
#include "zone/log.h"
#include "engine.h"
#include "tsig.h"

int rbl_engine_init(rbl_engine *e, rbl_store *store,
		    const rbl_engine_conf *conf, rbl_qstats_slot *stats)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->store = store;
	e->conf = conf;
	e->stats = stats ? stats : &e->own_stats;
	rc = rbl_txn_begin(store, false, &e->txn);
	if (rc != RBL_OK)
		return rc;
	rbl_txn_reset(e->txn);
	e->env.txn = e->txn;
	e->env.zonetab = &e->zonetab;
	e->env.version = conf->version;
	e->env.identity = conf->identity;
	return RBL_OK;
}

void rbl_engine_fini(rbl_engine *e)
{
	if (e->txn)
		rbl_txn_abort(e->txn);
	rbl_zonetab_free(&e->zonetab);
	e->txn = NULL;
}

int rbl_engine_begin(rbl_engine *e, int64_t now)
{
	int rc;

	e->env.now = now ? now : (int64_t)time(NULL);
	e->env.batch++;
	if (!e->txn_live) {
		rc = rbl_txn_renew(e->txn);
		e->store_ok = rc == RBL_OK;
		if (rc != RBL_OK)
			return rc;
		e->txn_live = true;
	}
	rc = rbl_zonetab_refresh(&e->zonetab, e->txn);
	/* An old table still answers correctly for unchanged zones. */
	e->store_ok = rc == RBL_OK || e->zonetab.loaded;
	return rc;
}

void rbl_engine_end(rbl_engine *e)
{
	if (e->txn_live)
		rbl_txn_reset(e->txn);
	e->txn_live = false;
}

static size_t answer_limit(const rbl_query *q, const rbl_engine_conf *c,
			   int transport, size_t cap)
{
	size_t limit = DNS_UDP_MIN;

	if (transport == RBL_TRANSPORT_TCP)
		limit = DNS_MSG_MAX;
	else if (q->has_opt && q->edns_udp_size > DNS_UDP_MIN)
		limit = q->edns_udp_size < c->edns_buffer_max
			? q->edns_udp_size : c->edns_buffer_max;
	if (limit < DNS_UDP_MIN)
		limit = DNS_UDP_MIN;
	return limit < cap ? limit : cap;
}

static void count_answer(rbl_qstats_slot *st, const rbl_decision *d,
			 const uint8_t *msg, bool truncated)
{
	int rc = d->rcode;

	if (rc == DNS_RCODE_BADVERS)
		st->rcode[RBL_QS_BADVERS]++;
	else
		st->rcode[rc <= DNS_RCODE_REFUSED ? rc : RBL_QS_OTHER]++;
	if (truncated)
		st->truncated++;
	else if (rc == DNS_RCODE_NOERROR && d->zone &&
		 rbl_answer_count(msg) == 0)
		st->nodata++;
	if (d->kind == RBL_ANS_LISTED && !truncated &&
	    rbl_answer_count(msg) > 0)
		st->listed++;
}

/* A query with a TSIG record (a secondary asking for the SOA): *TS is
 * checked; a bad one turns the answer into NOTAUTH (RFC 8945 5.2). */
static bool tsig_query(const rbl_engine *e, const uint8_t *pkt, size_t len,
		       rbl_tsig_state *ts)
{
	if (!e->conf->n_tsig_keys || len < DNS_HDR_LEN ||
	    dns_get16(pkt + 10) == 0 ||
	    rbl_tsig_check(e->conf->tsig_keys, e->conf->n_tsig_keys, pkt, len,
			   e->env.now, ts) != RBL_OK)
		return false;
	return rbl_tsig_present(ts);
}

/* No room left for the TSIG record: header and question only, TC set,
 * so the client asks again over TCP. */
static void tsig_truncate(const rbl_query *q, uint8_t *out, size_t *outlen)
{
	*outlen = q->has_question ? q->question_end : DNS_HDR_LEN;
	out[2] |= DNS_FLAG_TC;
	memset(out + 6, 0, 6);
}

int rbl_engine_answer(rbl_engine *e, const uint8_t *pkt, size_t len,
		      int transport, uint8_t *out, size_t cap,
		      size_t *outlen)
{
	rbl_query *q = &e->query;
	rbl_decision *d = &e->decision;
	rbl_tsig_state ts;
	bool truncated, tsig;
	size_t limit;
	int rc;

	e->stats->queries++;
	if (transport == RBL_TRANSPORT_TCP)
		e->stats->tcp++;
	else
		e->stats->udp++;
	if (rbl_query_parse(pkt, len, q) != RBL_OK || cap < DNS_UDP_MIN) {
		e->stats->dropped++;
		return RBL_EFORMAT;
	}
	if (q->rcode != DNS_RCODE_NOERROR)
		rbl_decision_rcode(d, q->rcode);
	else if (!e->store_ok || !e->txn_live)
		rbl_decision_rcode(d, DNS_RCODE_SERVFAIL);
	else
		rbl_lookup(&e->env, q, d);
	limit = answer_limit(q, e->conf, transport, cap);
	if ((tsig = tsig_query(e, pkt, len, &ts)) && ts.error)
		rbl_decision_rcode(d, DNS_RCODE_NOTAUTH);
	rc = rbl_answer_write(q, d, e->conf->edns_buffer_max, out, limit,
			      outlen, &truncated);
	if (rc == RBL_OK && tsig) {
		if (*outlen + rbl_tsig_size(&ts) > limit) {
			tsig_truncate(q, out, outlen);
			truncated = true;
		}
		rc = rbl_tsig_sign(&ts, out, outlen, cap, e->env.now);
	}
	if (rc != RBL_OK) {
		e->stats->dropped++;
		return RBL_EFORMAT;
	}
	count_answer(e->stats, d, out, truncated);
	return RBL_OK;
}
