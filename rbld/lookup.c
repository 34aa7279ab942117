/*
 * lookup.c -- the answer policy of rbld (see lookup.h).
 *
 * Order of decisions: class; zone (longest suffix); transfers; in-zone
 * name servers (glue); apex; then every list of the zone.  In a combined
 * zone each list that matches contributes its codes; a list with a
 * sub-label only sees names under "<sub>.<zone>".  A name that matches no
 * list but has listings below it in some list is an empty non-terminal
 * (NODATA), anything else NXDOMAIN.
 */
#include <string.h>

#include "zone/compiler.h"
#include "zone/error.h"
#include "keytab.h"
#include "lookup.h"

enum list_result { LR_NONE, LR_ENT, LR_LISTED, LR_ERROR };

/* The labels left of the zone, leftmost first, lowercased. */
typedef struct subject_labels {
	const uint8_t *lab[DNS_LABELS_MAX];
	uint8_t len[DNS_LABELS_MAX];
	unsigned n;
} subject_labels;

void rbl_decision_rcode(rbl_decision *d, int rcode)
{
	d->kind = RBL_ANS_RCODE;
	d->rcode = rcode;
	d->key_err = RBL_KEY_OK;
	d->aa = false;
	d->zone = NULL;
	d->n_matches = 0;
	d->chaos_txt = NULL;
	d->recs = NULL;
	d->n_recs = 0;
}

static bool qname_is(const rbl_query *q, const char *wire, size_t len)
{
	return q->qname_len == len && memcmp(q->lname, wire, len) == 0;
}

/* CH TXT version.bind / version.server / id.server / hostname.bind. */
static void lookup_chaos(const rbl_lookup_env *env, const rbl_query *q,
			 rbl_decision *d)
{
	const char *txt;

	if (qname_is(q, "\7version\4bind", 14) ||
	    qname_is(q, "\7version\6server", 16))
		txt = env->version;
	else if (qname_is(q, "\2id\6server", 11) ||
		 qname_is(q, "\10hostname\4bind", 15))
		txt = env->identity;
	else
		txt = NULL;
	rbl_decision_rcode(d, DNS_RCODE_REFUSED);
	if (!txt)
		return;
	d->kind = RBL_ANS_CHAOS;
	d->rcode = DNS_RCODE_NOERROR;
	d->aa = true;
	d->chaos_txt = (q->qtype == DNS_T_TXT || q->qtype == DNS_T_ANY)
		       ? txt : NULL;
}

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The IPv6 reading of 1..32 single-nibble labels.  Short all-digit names
 * ("1.0.0.2") are also IPv4; both readings name nodes of the same tree,
 * so an empty non-terminal in either must not be answered NXDOMAIN. */
static bool nibble_prefix(const subject_labels *s, unsigned n,
			  rbl_prefix *p)
{
	if (n == 0 || n > 32)
		return false;
	memset(p, 0, sizeof(*p));
	p->addr.family = RBL_AF6;
	p->len = (uint8_t)(4 * n);
	for (unsigned j = 0; j < n; j++) {
		int v = s->len[n - 1 - j] == 1 ? hex_value(s->lab[n - 1 - j][0])
					       : -1;
		if (v < 0)
			return false;
		p->addr.bytes[j / 2] |= (uint8_t)(j % 2 ? v : v << 4);
	}
	return true;
}

static enum list_result any_within(const rbl_lookup_env *env,
				   const rbl_zt_list *l, const rbl_prefix *p)
{
	int rc = rbl_ip_any_within(env->txn, l->list_id, p, env->now);

	if (rc < 0)
		return LR_ERROR;
	return rc > 0 ? LR_ENT : LR_NONE;
}

static enum list_result lookup_ip(const rbl_lookup_env *env,
				  const rbl_zt_list *l,
				  const subject_labels *s, unsigned n,
				  rbl_decision *d)
{
	rbl_prefix p = { 0 }, p6 = { 0 };
	enum list_result r = LR_NONE;
	unsigned i = d->n_matches;
	int rc;

	if (rbl_addr_from_reverse(s->lab, s->len, n, &p) != RBL_OK)
		return LR_NONE;
	if (p.len == rbl_addr_bits(p.addr.family)) {
		rc = rbl_ip_lookup(env->txn, l->list_id, &p.addr, env->now,
				   &d->matches[i]);
		if (rc == RBL_OK) {
			rbl_addr_format(&p.addr, d->subject[i]);
			return LR_LISTED;
		}
		if (rc != RBL_ENOTFOUND)
			return LR_ERROR;
	} else {
		r = any_within(env, l, &p);
	}
	if (r == LR_NONE && p.addr.family == RBL_AF4 &&
	    nibble_prefix(s, n, &p6))
		r = any_within(env, l, &p6);
	return r;
}

static void labels_text(const subject_labels *s, unsigned n, char *out)
{
	size_t o = 0;

	for (unsigned i = 0; i < n; i++) {
		if (o + s->len[i] + 1 >= RBL_SUBJECT_MAX)
			break;
		if (i)
			out[o++] = '.';
		memcpy(out + o, s->lab[i], s->len[i]);
		o += s->len[i];
	}
	out[o] = '\0';
}

static enum list_result lookup_name(const rbl_lookup_env *env,
				    const rbl_zt_list *l,
				    const subject_labels *s, unsigned n,
				    rbl_decision *d)
{
	unsigned i = d->n_matches;
	int rc = rbl_name_lookup(env->txn, l->list_id, s->lab, s->len, n,
				 env->now, &d->matches[i]);

	if (rc == RBL_OK) {
		rbl_match *m = &d->matches[i];
		if (l->kind == RBL_LIST_NEWLY_SEEN && m->expires > 0) {
			/* 127.0.2.N, N = hours since first seen: from the
			 * entry's own expiry, no extra lookup */
			m->codes[0] = rbl_newly_seen_code(m->expires, env->now,
							  0);
			m->n_codes = 1;
		}
		labels_text(s, n, d->subject[i]);
		return LR_LISTED;
	}
	if (rc != RBL_ENOTFOUND)
		return LR_ERROR;
	rc = rbl_name_has_below(env->txn, l->list_id, s->lab, s->len, n,
				env->now);
	if (rc < 0)
		return LR_ERROR;
	return rc > 0 ? LR_ENT : LR_NONE;
}

/* How many labels list L sees, or -1 when the name is not under its
 * sub-label. */
static int list_labels(const rbl_zt_list *l, const subject_labels *s)
{
	if (l->sub_len == 0)
		return (int)s->n;
	if (s->n == 0 || s->len[s->n - 1] != l->sub_len ||
	    memcmp(s->lab[s->n - 1], l->sub, l->sub_len) != 0)
		return -1;
	return (int)s->n - 1;
}

static enum list_result lookup_list(const rbl_lookup_env *env,
				    const rbl_zt_list *l,
				    const subject_labels *s, rbl_decision *d)
{
	int n = list_labels(l, s);

	if (n < 0)
		return LR_NONE;
	if (n == 0)	/* "<sub>.<zone>" itself exists */
		return l->sub_len ? LR_ENT : LR_NONE;
	if (l->kind == RBL_LIST_IP)
		return lookup_ip(env, l, s, (unsigned)n, d);
	return lookup_name(env, l, s, (unsigned)n, d);
}

static void lookup_lists(const rbl_lookup_env *env, const subject_labels *s,
			 rbl_decision *d)
{
	const rbl_zt_zone *z = d->zone;
	bool ent = false;

	for (unsigned i = 0; i < z->n_lists; i++) {
		switch (lookup_list(env, &z->lists[i], s, d)) {
		case LR_LISTED:
			d->match_list[d->n_matches++] = &z->lists[i];
			break;
		case LR_ENT:
			ent = true;
			break;
		case LR_ERROR:
			rbl_decision_rcode(d, DNS_RCODE_SERVFAIL);
			return;
		case LR_NONE:
			break;
		}
	}
	if (d->n_matches)
		d->kind = RBL_ANS_LISTED;
	else if (ent)
		d->kind = RBL_ANS_NODATA;
	else {
		d->kind = RBL_ANS_NXDOMAIN;
		d->rcode = DNS_RCODE_NXDOMAIN;
	}
}

/* True if wire name N is Q's name or, with BELOW, a name under it. */
static bool rec_owner_is(const rbl_zt_name *n, const rbl_query *q,
			 bool below)
{
	size_t off = 0, qlen = q->qname_len, rest;

	if (!below)
		return n->len == qlen && memcmp(n->wire, q->lname, qlen) == 0;
	if (n->len <= qlen)
		return false;
	rest = n->len - qlen;
	while (off < rest)	/* Q's name must start on a label boundary */
		off += 1u + n->wire[off];
	return off == rest && memcmp(n->wire + off, q->lname, qlen) == 0;
}

/* The zone's fixed records at Q's name into D; true if the name has
 * records or records below it (then it exists). */
static bool find_records(const rbl_zt_zone *z, const rbl_query *q,
			 rbl_decision *d)
{
	bool exists = false;

	for (unsigned i = 0; i < z->n_recs; i++) {
		const rbl_zt_rec *r = &z->recs[i];

		if (rec_owner_is(&r->owner, q, false)) {
			if (!d->n_recs)
				d->recs = r;
			d->n_recs++;
			exists = true;
		} else if (!exists && rec_owner_is(&r->owner, q, true)) {
			exists = true;
		}
	}
	return exists;
}

static bool is_glue_name(const rbl_zt_zone *z, const rbl_query *q)
{
	for (unsigned i = 0; i < z->n_glue; i++)
		if (qname_is(q, (const char *)z->glue[i].name.wire,
			     z->glue[i].name.len))
			return true;
	return false;
}

/* Stands in for a list in key error answers: no default code or TXT. */
static const rbl_zt_list key_list;

/* The answer 127.255.255.x with Z's TXT for key error ERR. */
static void key_error(const rbl_zt_zone *z, int err, rbl_decision *d)
{
	rbl_match *m = &d->matches[0];
	const rbl_zone_keys *zk = z->keys;

	memset(m, 0, sizeof(*m));
	m->n_codes = 1;
	m->codes[0] = RBL_KEY_CODE(err);
	m->has_txt = 1;
	m->txt = zk->txt[err];
	m->txt_len = zk->txt_len[err];
	d->match_list[0] = &key_list;
	d->subject[0][0] = '\0';
	d->n_matches = 1;
	d->n_recs = 0;
	d->kind = RBL_ANS_LISTED;
	d->key_err = (uint8_t)err;
}

/* In a zone that takes keys: drop the key label from the N subject
 * labels, or answer the key's error (true: D is the answer). */
static bool key_step(const rbl_lookup_env *env, const rbl_zt_zone *z,
		     unsigned *n, bool has_records, rbl_decision *d)
{
	const rbl_key_use *k = env->key;
	int err = RBL_KEY_OK;

	if (k && k->present) {
		(*n)--;
		err = k->err;
	} else if (z->keys->mode == RBL_KEYS_REQUIRE && !has_records) {
		err = RBL_KEY_MISSING;
	}
	if (err != RBL_KEY_OK) {
		key_error(z, err, d);
		return true;
	}
	if (*n == 0) {		/* KEY.zone itself: it exists */
		d->kind = RBL_ANS_NODATA;
		return true;
	}
	return false;
}

void rbl_lookup(const rbl_lookup_env *env, const rbl_query *q,
		rbl_decision *d)
{
	/* 1.1 kB, filled below up to s.n before anything reads it: zeroing
	 * it for every query would cost 160 instructions (zone/compiler.h) */
	subject_labels s RBL_NOINIT;
	rbl_zt_zone *z = NULL;
	bool has_records = false;

	if (q->qclass == DNS_C_CH) {
		lookup_chaos(env, q, d);
		return;
	}
	rbl_decision_rcode(d, DNS_RCODE_REFUSED);
	if (q->qclass != DNS_C_IN && q->qclass != DNS_C_ANY)
		return;
	z = env->key && env->key->checked ? env->key->zone
					  : rbl_zonetab_find(env->zonetab, q);
	if (!z)
		return;
	if (q->qtype == DNS_T_AXFR || q->qtype == DNS_T_IXFR) {
		/* Transfers are answered by xfr.c on TCP.  What comes here
		 * is UDP (or TCP without transfers configured): an IXFR
		 * gets the current SOA, which tells the client to ask over
		 * TCP (RFC 1995 section 2); AXFR needs TCP. */
		d->kind = RBL_ANS_XFR;
		d->rcode = DNS_RCODE_NOTIMP;
		if (q->qtype == DNS_T_IXFR) {
			d->zone = z;
			d->aa = true;
			d->rcode = DNS_RCODE_NOERROR;
			d->serial = rbl_zonetab_serial(z, env->txn);
		}
		return;
	}
	d->zone = z;
	d->aa = true;
	d->rcode = DNS_RCODE_NOERROR;
	d->serial = rbl_zonetab_serial(z, env->txn);
	if (is_glue_name(z, q)) {
		d->kind = RBL_ANS_GLUE;
		return;
	}
	has_records = z->n_recs && find_records(z, q, d);
	s.n = q->nlabels - z->nlabels;
	if (s.n == 0) {
		d->kind = RBL_ANS_APEX;
		return;
	}
	if (z->keys && key_step(env, z, &s.n, has_records, d))
		return;
	for (unsigned i = 0; i < s.n; i++)
		s.lab[i] = rbl_query_label(q, i, &s.len[i]);
	lookup_lists(env, &s, d);
	if (has_records && d->kind == RBL_ANS_NXDOMAIN) {
		d->kind = RBL_ANS_NODATA;	/* its records, if any of type */
		d->rcode = DNS_RCODE_NOERROR;
	}
}

void rbl_lookup_prefetch(const rbl_lookup_env *env, const rbl_query *q,
			 rbl_prefetch *pf)
{
	subject_labels s RBL_NOINIT;	/* filled up to s.n below */
	const rbl_zt_zone *z = NULL;

	pf->on = false;
	if (q->rcode != DNS_RCODE_NOERROR || !q->has_question ||
	    q->qclass != DNS_C_IN || q->qtype == DNS_T_AXFR ||
	    q->qtype == DNS_T_IXFR)
		return;
	/* a zone taking keys: the key label is found later, skip it */
	if (!(z = rbl_zonetab_find(env->zonetab, q)) || z->keys)
		return;
	s.n = q->nlabels - z->nlabels;
	if (s.n < 4 || s.n > 5)	/* an IPv4 address, maybe a sub-label */
		return;
	for (unsigned i = 0; i < s.n; i++)
		s.lab[i] = rbl_query_label(q, i, &s.len[i]);
	for (unsigned i = 0; i < z->n_lists; i++) {
		const rbl_zt_list *l = &z->lists[i];
		rbl_prefix p = { 0 };

		if (l->kind == RBL_LIST_IP && list_labels(l, &s) == 4 &&
		    rbl_addr_from_reverse(s.lab, s.len, 4, &p) == RBL_OK &&
		    p.addr.family == RBL_AF4) {
			pf->on = true;
			pf->list_id = l->list_id;
			pf->addr = p.addr;
			return;
		}
	}
}

bool rbl_lookup_prefetch_pays(const rbl_lookup_env *env)
{
	const rbl_zonetab *zt = env->zonetab;

	for (size_t i = 0; i < zt->n_zones; i++)
		for (unsigned j = 0; j < zt->zones[i].n_lists; j++)
			if (zt->zones[i].lists[j].kind == RBL_LIST_IP &&
			    rbl_ip_prefetch_pays(env->txn,
						 zt->zones[i].lists[j].list_id))
				return true;
	return false;
}
