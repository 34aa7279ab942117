/*
 * engine.c -- parse, decide, write: the per-packet steps (see engine.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/compiler.h"
#include "zone/error.h"
#include "zone/log.h"
#include "engine.h"
#include "tsig.h"
#include "xfr_conf.h"

/* Take the policy in force (again after a reload): fresh tables. */
static int adopt_access(rbl_engine *e)
{
	rbl_access_live *live = e->conf->access;

	if (e->access_on)
		rbl_access_state_fini(&e->access);
	e->access_on = false;
	e->keys_on = false;
	e->env.key = NULL;
	if (!live)
		return RBL_OK;
	e->access_gen = atomic_load(&live->generation);
	e->access_cur = atomic_load(&live->current);
	if (e->access_cur && e->access_cur->n_zone_keys) {
		e->keys_on = true;
		e->env.key = &e->key;
	}
	if (!e->access_cur || !rbl_access_active(e->access_cur))
		return RBL_OK;
	e->access_on = true;
	if (rbl_access_state_init(&e->access, e->access_cur) == RBL_OK)
		return RBL_OK;
	e->access_on = false;
	return RBL_ENOMEM;
}

static int kstats_area(rbl_engine *e, bool shared, unsigned slot)
{
	if (shared && e->conf->kstats)
		e->karea = rbl_kstats_area_get(e->conf->kstats, slot);
	if (e->karea)
		return RBL_OK;
	e->karea_own = calloc(1, sizeof(*e->karea_own));
	e->karea = e->karea_own;
	return e->karea ? RBL_OK : RBL_ENOMEM;
}

int rbl_engine_init(rbl_engine *e, rbl_store *store,
		    const rbl_engine_conf *conf, rbl_qstats_slot *stats)
{
	return rbl_engine_init_at(e, store, conf, stats, UINT32_MAX);
}

int rbl_engine_init_at(rbl_engine *e, rbl_store *store,
		       const rbl_engine_conf *conf, rbl_qstats_slot *stats,
		       unsigned slot)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->store = store;
	e->conf = conf;
	e->stats = stats ? stats : &e->own_stats;
	if (kstats_area(e, slot != UINT32_MAX, slot) != RBL_OK)
		return RBL_ENOMEM;
	rc = rbl_txn_begin(store, false, &e->txn);
	if (rc != RBL_OK)
		return rc;
	rbl_txn_reset(e->txn);
	e->env.txn = e->txn;
	e->env.zonetab = &e->zonetab;
	e->env.version = conf->version;
	e->env.identity = conf->identity;
	return adopt_access(e);
}

void rbl_engine_fini(rbl_engine *e)
{
	if (e->txn)
		rbl_txn_abort(e->txn);
	rbl_zonetab_free(&e->zonetab);
	rbl_keytab_free(&e->keytab);
	free(e->karea_own);
	e->karea_own = NULL;
	e->karea = NULL;
	if (e->access_on)
		rbl_access_state_fini(&e->access);
	e->txn = NULL;
}

/* This worker's counters of zone ID (the catch-all when another zone
 * holds its entry). */
static rbl_kstats_ent *zone_counters(rbl_kstats_area *a, uint32_t id)
{
	rbl_kstats_ent *k = &a->zones[id % RBL_KSTATS_ZONES];

	if (k->id == 0 || k->id == id) {
		k->id = id;
		return k;
	}
	return &a->zone_other;
}

/* After the zone table or the policy changed: each zone's key settings
 * and counters; then the keys, when the store moved. */
static int refresh_keys(rbl_engine *e)
{
	const rbl_access *a = e->access_cur;
	int rc;

	if (!e->annotated || e->annot_gen != e->zonetab.generation ||
	    e->annot_access != a) {
		for (size_t i = 0; i < e->zonetab.n_zones; i++) {
			rbl_zt_zone *z = &e->zonetab.zones[i];

			z->keys = a ? rbl_zone_keys_find(a->zone_keys,
							 a->n_zone_keys, z)
				    : NULL;
			z->kent = zone_counters(e->karea, z->id);
		}
		e->annot_gen = e->zonetab.generation;
		e->annot_access = a;
		e->annotated = true;
	}
	if (!e->keys_on)
		return RBL_OK;
	rc = rbl_keytab_refresh(&e->keytab, e->txn, e->zonetab.generation,
				e->karea);
	if (rc != RBL_OK && rc != RBL_ESTALE)
		rbl_log_err("access keys: %s; answering with the keys read "
			    "before", rbl_strerror(rc));
	return rc;
}

/* The first key ever was added after this snapshot began, so the
 * snapshot cannot open the keys' table (table.h): a fresh one can. */
static int renew_for_keys(rbl_engine *e)
{
	int rc;

	rbl_txn_reset(e->txn);
	rc = rbl_txn_renew(e->txn);
	e->store_ok = e->txn_live = rc == RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rc = rbl_zonetab_refresh(&e->zonetab, e->txn);
	e->store_ok = rc == RBL_OK || e->zonetab.loaded;
	if (e->zonetab.loaded)
		refresh_keys(e);
	return rc;
}

int rbl_engine_begin(rbl_engine *e, int64_t now)
{
	int rc;

	e->env.now = now ? now : (int64_t)time(NULL);
	e->prefetch = RBL_PREFETCH_UNKNOWN;
	e->day = (uint32_t)(e->env.now / 86400);
	if (e->conf->access &&
	    atomic_load(&e->conf->access->generation) != e->access_gen &&
	    adopt_access(e) != RBL_OK)
		rbl_log_err("reloaded client policy: out of memory; answering "
			    "without it");
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
	if (e->zonetab.loaded && refresh_keys(e) == RBL_ESTALE)
		return renew_for_keys(e);
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

/* POLICY: the answer is the policy's (fixed, empty, slipped), so it
 * counts by rcode only. */
static void count_answer(rbl_qstats_slot *st, const rbl_decision *d,
			 const uint8_t *msg, bool truncated, bool policy)
{
	int rc = d->rcode;

	if (rc == DNS_RCODE_BADVERS)
		st->rcode[RBL_QS_BADVERS]++;
	else
		st->rcode[rc <= DNS_RCODE_REFUSED ? rc : RBL_QS_OTHER]++;
	if (policy)
		return;
	if (truncated)
		st->truncated++;
	else if (rc == DNS_RCODE_NOERROR && d->zone &&
		 rbl_answer_count(msg) == 0)
		st->nodata++;
	if (d->kind == RBL_ANS_LISTED && !d->key_err && !truncated &&
	    rbl_answer_count(msg) > 0)
		st->listed++;
}

/* Step: the access key of a query in a zone that takes keys, checked
 * and counted (keytab.h); the lookup drops the label or answers the
 * error. */
static void find_key(rbl_engine *e)
{
	const rbl_query *q = &e->query;
	rbl_key_use *k = &e->key;
	const uint8_t *lab = NULL;
	uint8_t len = 0;

	k->checked = k->present = false;
	k->err = RBL_KEY_OK;
	k->key = NULL;
	k->zone = NULL;
	if (!e->keys_on || q->rcode != DNS_RCODE_NOERROR || !q->has_question)
		return;
	k->zone = rbl_zonetab_find(&e->zonetab, q);
	k->checked = true;
	if (!k->zone || !k->zone->keys || q->nlabels <= k->zone->nlabels)
		return;
	lab = rbl_query_label(q, q->nlabels - k->zone->nlabels - 1u, &len);
	if (len != RBL_QKEY_SECRET_LEN)
		return;		/* the keyless path: one compare */
	/* A key found has a key's form; only a miss needs the form check */
	k->key = rbl_keytab_find(&e->keytab, lab);
	if (!k->key) {
		if (!rbl_qkey_secret_form(lab, len))
			return;
		k->present = true;
		e->karea->key_unknown.queries++;
		k->err = RBL_KEY_UNKNOWN;
		return;
	}
	k->present = true;
	k->err = (uint8_t)rbl_keytab_admit(k->key, k->zone, e->env.now,
					   e->day, e->karea_own ? NULL
							: e->conf->kstats,
					   e->karea);
}

/* The per-zone, per-key and per-listing counters of the answer
 * (zone/kstats.h). */
static void count_keyed(rbl_engine *e)
{
	const rbl_decision *d = &e->decision;
	rbl_kstats_ent *z = d->zone ? d->zone->kent : NULL;
	bool refused = d->key_err || d->rcode == DNS_RCODE_REFUSED;
	bool listed = d->kind == RBL_ANS_LISTED && !d->key_err;

	if (z) {
		if (z->day != e->day) {
			z->day = e->day;
			z->day_queries = 0;
		}
		z->day_queries++;
		z->queries++;
		z->refused += refused;
		z->listed += listed;
	}
	/* how often each listed subject is asked (zone/kstats.h) */
	for (unsigned i = 0; listed && i < d->n_matches; i++)
		if (d->match_list[i]->list_id)
			rbl_kstats_hit_count(e->karea, d->match_list[i]->list_id,
					     d->subject[i], e->day);
	if (!e->key.present)
		return;
	if (e->key.key) {
		e->key.key->ent->refused += refused;
		e->key.key->ent->listed += listed;
	} else {
		e->karea->key_unknown.refused++;
	}
}

/* What the client policy says about this query (NULL: nothing). */
typedef struct verdict {
	bool known;			/* the client address is known */
	rbl_addr client;
	const rbl_acl_rule *rule;	/* NULL: answer normally */
	bool quota;			/* RULE is the quota's */
} verdict;

static void count_received(rbl_qstats_slot *st, int transport)
{
	st->queries++;
	if (transport == RBL_TRANSPORT_TCP)
		st->tcp++;
	else
		st->udp++;
}

static void count_policy(rbl_qstats_slot *st, const verdict *v)
{
	if (v->quota)
		st->quota_over++;
	else if (v->rule->action == RBL_ACT_IGNORE)
		st->acl_dropped++;
	else if (v->rule->action == RBL_ACT_REFUSE)
		st->acl_refused++;
	else
		st->acl_answered++;
}

/* Step: the ACL rule or quota that applies to the client, if any. */
static void admit(rbl_engine *e, const struct sockaddr *from, verdict *v)
{
	const rbl_query *q = &e->query;
	const rbl_zt_zone *zone = NULL;

	v->rule = NULL;
	v->quota = false;
	v->known = e->access_on && from && rbl_access_client(from, &v->client);
	if (!v->known || e->key.present)	/* keyed: answered by the key */
		return;
	if (e->access_cur->n_zone_acls && q->has_question)
		zone = rbl_zonetab_find(&e->zonetab, q);
	v->rule = rbl_access_admit(&e->access, &v->client, zone, e->env.now,
				   &v->quota);
	if (v->rule)
		count_policy(e->stats, v);
}

/* Step: the query's COOKIE option judged (cookie.h), and the option of
 * the answer put in the query.  RBL_COOKIE_NONE when cookies are off or
 * the client address is unknown: the option is then ignored, as a server
 * without cookies would (RFC 7873 5.2.1). */
static int cookie(rbl_engine *e, const struct sockaddr *from,
		  const verdict *v)
{
	rbl_query *q = &e->query;
	const rbl_cookie_conf *c = e->access_cur ? &e->access_cur->cookies
						 : NULL;
	rbl_addr client = { 0 };

	if (!c || !c->enabled || !from)
		return RBL_COOKIE_NONE;
	if (v->known)
		client = v->client;
	else if (!rbl_access_client(from, &client))
		return RBL_COOKIE_NONE;
	return rbl_cookie_check(c, q->pkt + q->cookie_at, q->cookie_len,
				&client, e->env.now, q->answer_cookie,
				&q->answer_cookie_len);
}

/* Step: the decision, from the parser, the store and the policy.  With
 * BADCOOKIE the query is not looked up: the client is to ask again with
 * the server cookie the answer carries. */
static void decide(rbl_engine *e, const verdict *v, bool badcookie)
{
	const rbl_query *q = &e->query;
	rbl_decision *d = &e->decision;

	if (q->rcode != DNS_RCODE_NOERROR)
		rbl_decision_rcode(d, q->rcode);
	else if (badcookie)
		rbl_decision_rcode(d, DNS_RCODE_BADCOOKIE);
	else if (v->rule && v->rule->action == RBL_ACT_REFUSE)
		rbl_decision_rcode(d, DNS_RCODE_REFUSED);
	else if (!e->store_ok || !e->txn_live)
		rbl_decision_rcode(d, DNS_RCODE_SERVFAIL);
	else
		rbl_lookup(&e->env, q, d);
	if (v->rule && (v->rule->action == RBL_ACT_EMPTY ||
			v->rule->action == RBL_ACT_ANSWER))
		rbl_access_rewrite(&e->access, v->rule, &v->client, d);
}

/* The slip form of an answer (header, question, OPT with the cookie)
 * made a BADCOOKIE error: the client learns the server cookie that
 * exempts it from RRL, at no more bytes than a slip. */
static void slip_to_badcookie(uint8_t *out, size_t qend)
{
	out[2] &= (uint8_t)~DNS_FLAG_TC;
	out[3] = (uint8_t)((out[3] & 0xf0) | (DNS_RCODE_BADCOOKIE & 0x0f));
	out[qend + 5] = DNS_RCODE_BADCOOKIE >> 4;	/* OPT: high bits */
}

/* Step: response rate limiting of UDP answers.  False: drop it.  A
 * client with a valid server cookie is not limited (its address is not
 * spoofed); a limited answer to a client cookie slips as BADCOOKIE. */
static bool limit(rbl_engine *e, const verdict *v, int transport, int ck,
		  uint8_t *out, size_t *outlen, bool *slipped)
{
	rbl_qstats_slot *st = e->stats;
	const rbl_query *q = &e->query;
	bool limited = false;
	int r;

	*slipped = false;
	if (transport != RBL_TRANSPORT_UDP || !v->known ||
	    ck == RBL_COOKIE_VALID)
		return true;
	r = rbl_access_limit(&e->access, &v->client, q, e->decision.rcode,
			     e->env.now, out, outlen, rbl_answer_opt_len(q),
			     &limited);
	st->rrl_limited += limited;
	if (r == RBL_RRL_DROP) {
		st->rrl_dropped++;
		return false;
	}
	*slipped = r == RBL_RRL_SLIP;
	st->rrl_slipped += *slipped;
	if (*slipped && ck == RBL_COOKIE_FRESH)
		slip_to_badcookie(out, q->question_end);
	return true;
}

/* A query with a TSIG record (a secondary asking for the SOA): *TS is
 * checked where the parser found it; a bad one turns the answer into
 * NOTAUTH (RFC 8945 5.2). */
static bool tsig_query(const rbl_engine *e, rbl_tsig_state *ts)
{
	const rbl_query *q = &e->query;
	const rbl_xfr_conf *x;

	if (!e->conf->xfr || q->tsig_at == 0)
		return false;
	x = rbl_xfr_live_get(e->conf->xfr);
	if (!x->n_keys || rbl_tsig_check(x->keys, x->n_keys, q->pkt, q->len,
					 q->tsig_at, e->env.now, ts) != RBL_OK)
		return false;
	return rbl_tsig_present(ts);
}

/* Step: sign the answer to a signed query.  Without room for the TSIG
 * record the answer shrinks to header and question with TC set, so the
 * client asks again over TCP. */
static int tsig_sign(rbl_engine *e, rbl_tsig_state *ts, size_t room,
		     uint8_t *out, size_t *outlen, size_t cap,
		     bool *truncated)
{
	const rbl_query *q = &e->query;

	if (*outlen + rbl_tsig_size(ts) > room) {
		*outlen = q->has_question ? q->question_end : DNS_HDR_LEN;
		out[2] |= DNS_FLAG_TC;
		memset(out + 6, 0, 6);
		*truncated = true;
	}
	return rbl_tsig_sign(ts, out, outlen, cap, e->env.now);
}

/* Stage 0 of packet PKT (LEN bytes): its address found (the packet
 * parsed into E's query, which is free between answers: the answer
 * parses it again) into *PF and the first level asked for.  False when
 * prefetching does not pay in this batch. */
static bool prefetch_find(rbl_engine *e, const uint8_t *pkt, size_t len,
			  rbl_prefetch *pf)
{
	if (e->prefetch == RBL_PREFETCH_UNKNOWN)
		e->prefetch = e->txn_live && e->store_ok &&
				      rbl_lookup_prefetch_pays(&e->env)
			      ? RBL_PREFETCH_ON : RBL_PREFETCH_OFF;
	if (e->prefetch != RBL_PREFETCH_ON)
		return false;
	pf->on = false;
	if (rbl_query_parse(pkt, len, &e->query) == RBL_OK)
		rbl_lookup_prefetch(&e->env, &e->query, pf);
	if (pf->on)
		rbl_ip_prefetch_stage(e->txn, pf->list_id, &pf->addr, 0);
	return true;
}

/* At time T of a batch's schedule (T: the packet about to be answered;
 * the schedule starts S * D before 0): stage 0 for the packet S * D
 * ahead, stage K for the packet (S - K) * D ahead, and every D answers
 * the last stage for the D packets D to 2D - 1 ahead at once: its
 * prefetches wait for their page walks (a chunk page is rarely in the
 * TLB), and walks overlap only when the prefetches are close together,
 * not an answer apart.  False: stop. */
static bool prefetch_tick(rbl_engine *e, const rbl_batch *b, long t)
{
	const long s = RBL_IP_PREFETCH_STAGES, d = RBL_ENGINE_AHEAD;
	const long n = (long)b->n;
	long j = t + s * d;

	if (j >= 0 && j < n && !prefetch_find(e, b->pkt[j], b->len[j],
					      &b->pf[j]))
		return false;
	for (long k = 1; k < s - 1; k++) {
		j = t + (s - k) * d;
		if (j >= 0 && j < n && b->pf[j].on)
			rbl_ip_prefetch_stage(e->txn, b->pf[j].list_id,
					      &b->pf[j].addr, (unsigned)k);
	}
	if ((t % d + d) % d != 0)
		return true;
	for (j = t + d < 0 ? 0 : t + d; j < t + 2 * d && j < n; j++)
		if (b->pf[j].on)
			rbl_ip_prefetch_stage(e->txn, b->pf[j].list_id,
					      &b->pf[j].addr, (unsigned)s - 1);
	return true;
}

bool rbl_engine_ahead(rbl_engine *e, const rbl_batch *b, unsigned i)
{
	if (b->n < 2)
		return false;
	for (long t = i ? (long)i : -(long)RBL_IP_PREFETCH_STAGES *
					  RBL_ENGINE_AHEAD;
	     t <= (long)i; t++)
		if (!prefetch_tick(e, b, t))
			return false;
	return true;
}

int rbl_engine_answer(rbl_engine *e, const uint8_t *pkt, size_t len,
		      int transport, uint8_t *out, size_t cap,
		      size_t *outlen)
{
	return rbl_engine_answer_from(e, NULL, pkt, len, transport, out, cap,
				      outlen);
}

int rbl_engine_answer_from(rbl_engine *e, const struct sockaddr *from,
			   const uint8_t *pkt, size_t len, int transport,
			   uint8_t *out, size_t cap, size_t *outlen)
{
	rbl_query *q = &e->query;
	verdict v = { 0 };
	/* 600 bytes that only a query with a TSIG record uses, and then
	 * rbl_tsig_check() fills them first: not zeroed for every query
	 * (zone/compiler.h) */
	rbl_tsig_state ts RBL_NOINIT;
	bool truncated = false, slipped = false, tsig = false, bad = false;
	int ck = RBL_COOKIE_NONE;
	size_t room = 0;

	count_received(e->stats, transport);
	if (rbl_query_parse(pkt, len, q) != RBL_OK || cap < DNS_UDP_MIN) {
		e->stats->dropped++;
		return RBL_EFORMAT;
	}
	find_key(e);
	admit(e, from, &v);
	if (v.rule && v.rule->action == RBL_ACT_IGNORE)
		return RBL_EFORMAT;
	if (q->cookie_len && (ck = cookie(e, from, &v)) == RBL_COOKIE_FRESH)
		bad = transport == RBL_TRANSPORT_UDP &&
		      e->access_cur->cookies.require;
	decide(e, &v, bad);
	if ((tsig = tsig_query(e, &ts)) && ts.error)
		rbl_decision_rcode(&e->decision, DNS_RCODE_NOTAUTH);
	room = answer_limit(q, e->conf, transport, cap);
	if (rbl_answer_write(q, &e->decision, e->conf->edns_buffer_max, out,
			     room, outlen, &truncated) != RBL_OK) {
		e->stats->dropped++;
		return RBL_EFORMAT;
	}
	if (!limit(e, &v, transport, ck, out, outlen, &slipped))
		return RBL_EFORMAT;
	if (tsig && tsig_sign(e, &ts, room, out, outlen, cap, &truncated) !=
		    RBL_OK) {
		e->stats->dropped++;
		return RBL_EFORMAT;
	}
	count_answer(e->stats, &e->decision, out, truncated,
		     v.rule != NULL || slipped);
	count_keyed(e);
	return RBL_OK;
}
