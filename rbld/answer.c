/*
 * answer.c -- DNS wire format of a decided answer (see answer.h).
 *
 * The writer appends into the output buffer and only remembers that
 * something did not fit; the caller of the section writers checks once at
 * the end and, on overflow, starts again with the truncated form.
 */
#include <string.h>

#include "zone/error.h"
#include "answer.h"

#define OPT_RR_LEN	RBL_OPT_RR_LEN
#define MAX_A		(RBL_ZONE_MAX_LISTS * RBL_MAX_CODES)
#define PTR_QNAME	DNS_HDR_LEN	/* the question name's offset */

typedef struct wire {
	uint8_t *buf;
	size_t len, cap;
	bool full;
	uint16_t an, ns, ar;
	uint16_t ns_off[RBL_ZONE_MAX_NS];	/* where NS names were written */
	uint16_t txt_off[RBL_ZONE_MAX_LISTS];	/* TXT RDATA written */
	unsigned n_txt;
} wire;

static void put(wire *w, const void *data, size_t n)
{
	if (w->full || w->len + n > w->cap) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}


/* Owner (a compression pointer to OFFSET), type, class, TTL, RDLENGTH. */
static void put_rr_head(wire *w, uint16_t owner, uint16_t type,
			uint16_t class, uint32_t ttl, uint16_t rdlen)
{
	uint8_t b[12];

	dns_put16(b, (uint16_t)(0xc000 | owner));
	dns_put16(b + 2, type);
	dns_put16(b + 4, class);
	dns_put32(b + 6, ttl);
	dns_put16(b + 10, rdlen);
	put(w, b, sizeof(b));
}

static uint16_t apex_offset(const rbl_query *q, const rbl_zt_zone *z)
{
	return (uint16_t)(PTR_QNAME + q->qname_len - z->wire.len);
}

static void put_soa(wire *w, const rbl_query *q, const rbl_decision *d,
		    uint32_t ttl)
{
	const rbl_zt_zone *z = d->zone;
	size_t rdata;

	put_rr_head(w, apex_offset(q, z), DNS_T_SOA, DNS_C_IN, ttl,
		    z->soa_len);
	rdata = w->len;
	put(w, z->soa, z->soa_len);
	if (!w->full)
		dns_put32(w->buf + rdata + z->soa_serial_off, d->serial);
}

/* The SOA of a negative answer or NODATA: the owner, then the record
 * the zone table holds ready (zonetab.h: NEG_SOA), serial patched. */
static void put_neg_soa(wire *w, const rbl_query *q, const rbl_decision *d)
{
	const rbl_zt_zone *z = d->zone;
	uint8_t b[2];
	size_t rr = 0;

	dns_put16(b, (uint16_t)(0xc000 | apex_offset(q, z)));
	put(w, b, sizeof(b));
	rr = w->len;
	put(w, z->neg_soa, z->neg_soa_len);
	if (!w->full)
		dns_put32(w->buf + rr + 10 + z->soa_serial_off, d->serial);
}

static void put_ns_rrset(wire *w, const rbl_query *q, const rbl_zt_zone *z)
{
	for (unsigned i = 0; i < z->n_ns; i++) {
		put_rr_head(w, apex_offset(q, z), DNS_T_NS, DNS_C_IN,
			    z->ns_ttl, z->ns[i].len);
		w->ns_off[i] = (uint16_t)w->len;
		put(w, z->ns[i].wire, z->ns[i].len);
		w->an++;
	}
}

static bool glue_wanted(const rbl_zt_glue *g, uint16_t qtype)
{
	if (qtype == DNS_T_ANY)
		return true;
	return qtype == (g->addr.family == RBL_AF4 ? DNS_T_A : DNS_T_AAAA);
}

static void put_glue_rr(wire *w, const rbl_zt_glue *g, uint32_t ttl,
			int owner)
{
	bool v4 = g->addr.family == RBL_AF4;
	uint16_t rdlen = v4 ? 4 : 16;

	if (owner >= 0) {
		put_rr_head(w, (uint16_t)owner, v4 ? DNS_T_A : DNS_T_AAAA,
			    DNS_C_IN, ttl, rdlen);
	} else {
		uint8_t b[10];

		put(w, g->name.wire, g->name.len);
		dns_put16(b, v4 ? DNS_T_A : DNS_T_AAAA);
		dns_put16(b + 2, DNS_C_IN);
		dns_put32(b + 4, ttl);
		dns_put16(b + 8, rdlen);
		put(w, b, sizeof(b));
	}
	put(w, g->addr.bytes, rdlen);
}

/* Additional section of an NS answer: addresses of in-zone servers. */
static void put_ns_glue(wire *w, const rbl_zt_zone *z)
{
	for (unsigned i = 0; i < z->n_glue; i++) {
		const rbl_zt_glue *g = &z->glue[i];

		put_glue_rr(w, g, z->ns_ttl,
			    g->ns < z->n_ns ? w->ns_off[g->ns] : -1);
		w->ar++;
	}
}

static void section_apex(wire *w, const rbl_query *q, const rbl_decision *d)
{
	uint16_t t = q->qtype;

	if (t == DNS_T_SOA || t == DNS_T_ANY) {
		put_soa(w, q, d, d->zone->ns_ttl);
		w->an++;
	}
	if (t == DNS_T_NS || t == DNS_T_ANY)
		put_ns_rrset(w, q, d->zone);
	if (t == DNS_T_NS)
		put_ns_glue(w, d->zone);
}

static void section_glue(wire *w, const rbl_query *q, const rbl_decision *d)
{
	const rbl_zt_zone *z = d->zone;

	for (unsigned i = 0; i < z->n_glue; i++) {
		const rbl_zt_glue *g = &z->glue[i];

		if (g->name.len == q->qname_len &&
		    memcmp(g->name.wire, q->lname, g->name.len) == 0 &&
		    glue_wanted(g, q->qtype)) {
			put_glue_rr(w, g, z->ns_ttl, PTR_QNAME);
			w->an++;
		}
	}
}

static void match_codes(const rbl_decision *d, unsigned i,
			uint32_t *codes, unsigned *n)
{
	const rbl_match *m = &d->matches[i];
	unsigned k = m->n_codes;

	for (unsigned c = 0; c < (k ? k : 1u); c++) {
		uint32_t code = k ? m->codes[c] : d->match_list[i]->default_code;
		unsigned j = 0;

		while (j < *n && codes[j] != code)
			j++;
		if (j == *n && *n < MAX_A)
			codes[(*n)++] = code;
	}
}

static void put_a_records(wire *w, const rbl_decision *d)
{
	uint32_t codes[MAX_A];
	unsigned n = 0;

	for (unsigned i = 0; i < d->n_matches; i++)
		match_codes(d, i, codes, &n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t b[4];

		dns_put32(b, codes[i]);
		put_rr_head(w, PTR_QNAME, DNS_T_A, DNS_C_IN, d->zone->ttl, 4);
		put(w, b, 4);
		w->an++;
	}
}

/* The TXT template of match I, or NULL when it has none. */
static const char *match_template(const rbl_decision *d, unsigned i,
				  size_t *len)
{
	const rbl_match *m = &d->matches[i];
	const rbl_zt_list *l = d->match_list[i];

	if (m->has_txt) {
		*len = m->txt_len;
		return m->txt_len ? m->txt : NULL;
	}
	*len = l->default_txt_len;
	return l->has_default_txt && l->default_txt_len ? l->default_txt
							: NULL;
}

static bool txt_written(const wire *w, const char *txt, size_t len)
{
	for (unsigned i = 0; i < w->n_txt; i++) {
		const uint8_t *r = w->buf + w->txt_off[i];

		if (r[0] == len && memcmp(r + 1, txt, len) == 0)
			return true;
	}
	return false;
}

static void put_txt_records(wire *w, const rbl_decision *d)
{
	char txt[RBL_TXT_MAX + 1];

	for (unsigned i = 0; i < d->n_matches; i++) {
		size_t tlen = 0;
		const char *tpl = match_template(d, i, &tlen);
		uint8_t n = 0;

		if (!tpl)
			continue;
		n = (uint8_t)rbl_txt_expand(tpl, tlen, d->subject[i], txt,
					    sizeof(txt));
		if (w->full || txt_written(w, txt, n))
			continue;
		put_rr_head(w, PTR_QNAME, DNS_T_TXT, DNS_C_IN, d->zone->ttl,
			    (uint16_t)(n + 1));
		w->txt_off[w->n_txt++] = (uint16_t)w->len;
		put(w, &n, 1);
		put(w, txt, n);
		w->an++;
	}
}

static void section_listed(wire *w, const rbl_query *q,
			   const rbl_decision *d)
{
	if (q->qtype == DNS_T_A || q->qtype == DNS_T_ANY)
		put_a_records(w, d);
	if (q->qtype == DNS_T_TXT || q->qtype == DNS_T_ANY)
		put_txt_records(w, d);
}

/* The zone's fixed records at the name, those of the question's type. */
static void section_records(wire *w, const rbl_query *q,
			    const rbl_decision *d)
{
	for (unsigned i = 0; i < d->n_recs; i++) {
		const rbl_zt_rec *r = &d->recs[i];

		if (q->qtype != r->type && q->qtype != DNS_T_ANY)
			continue;
		put_rr_head(w, PTR_QNAME, r->type, DNS_C_IN, r->ttl, r->rdlen);
		put(w, r->rdata, r->rdlen);
		w->an++;
	}
}

static void section_chaos(wire *w, const rbl_decision *d)
{
	size_t len = strnlen(d->chaos_txt, RBL_TXT_MAX);
	uint8_t n = (uint8_t)len;

	put_rr_head(w, PTR_QNAME, DNS_T_TXT, DNS_C_CH, 0, (uint16_t)(len + 1));
	put(w, &n, 1);
	put(w, d->chaos_txt, len);
	w->an++;
}

static void put_sections(wire *w, const rbl_query *q, const rbl_decision *d)
{
	switch (d->kind) {
	case RBL_ANS_LISTED:
		section_listed(w, q, d);
		break;
	case RBL_ANS_APEX:
		section_apex(w, q, d);
		break;
	case RBL_ANS_GLUE:
		section_glue(w, q, d);
		break;
	case RBL_ANS_XFR:	/* IXFR over UDP: the SOA, RFC 1995 */
		if (d->zone) {
			put_soa(w, q, d, d->zone->ns_ttl);
			w->an++;
		}
		break;
	case RBL_ANS_CHAOS:
		if (d->chaos_txt)
			section_chaos(w, d);
		return;
	default:
		break;
	}
	if (d->n_recs && (d->kind == RBL_ANS_LISTED ||
			  d->kind == RBL_ANS_NODATA || d->kind == RBL_ANS_APEX))
		section_records(w, q, d);
	/* Negative answers and NODATA carry the SOA (RFC 2308). */
	if (d->zone && w->an == 0) {
		put_neg_soa(w, q, d);
		w->ns++;
	}
}

static void put_header(wire *w, const rbl_query *q, const rbl_decision *d,
		       bool tc)
{
	uint8_t *h = w->buf;

	dns_put16(h, q->id);
	h[2] = (uint8_t)(DNS_FLAG_QR | (q->opcode << 3) |
			 (d->aa ? DNS_FLAG_AA : 0) | (tc ? DNS_FLAG_TC : 0) |
			 (q->rd ? DNS_FLAG_RD : 0));
	h[3] = (uint8_t)((q->cd ? DNS_FLAG_CD : 0) | (d->rcode & 0x0f));
	dns_put16(h + 4, q->has_question ? 1 : 0);
	dns_put16(h + 6, w->an);
	dns_put16(h + 8, w->ns);
	dns_put16(h + 10, w->ar);
}

/* The COOKIE option, the RDATA of the OPT record. */
static void put_cookie(wire *w, const rbl_query *q)
{
	uint8_t h[4];

	dns_put16(h, DNS_OPT_COOKIE);
	dns_put16(h + 2, q->answer_cookie_len);
	put(w, h, sizeof(h));
	put(w, q->answer_cookie, q->answer_cookie_len);
}

static void put_opt(wire *w, const rbl_query *q, const rbl_decision *d,
		    uint16_t payload)
{
	uint8_t b[OPT_RR_LEN] = { 0 };

	dns_put16(b + 1, DNS_T_OPT);
	dns_put16(b + 3, payload);
	b[5] = (uint8_t)(d->rcode >> 4);	/* extended rcode */
	b[6] = 0;				/* version 0 */
	dns_put16(b + 7, q->edns_do ? DNS_EDNS_DO : 0);
	if (q->answer_cookie_len)
		dns_put16(b + 9, (uint16_t)(4 + q->answer_cookie_len));
	put(w, b, sizeof(b));	/* a constant size: no call to memcpy */
	if (q->answer_cookie_len)
		put_cookie(w, q);
	w->ar++;
}

/* Header, question and, with ALL, the sections; OPT last. */
static void compose(wire *w, const rbl_query *q, const rbl_decision *d,
		    uint16_t payload, size_t limit, bool all)
{
	size_t reserve = rbl_answer_opt_len(q);

	w->len = DNS_HDR_LEN;
	w->cap = limit - reserve;
	w->full = false;
	w->an = w->ns = w->ar = 0;
	w->n_txt = 0;
	if (q->has_question)
		put(w, q->pkt + DNS_HDR_LEN, q->question_end - DNS_HDR_LEN);
	if (all)
		put_sections(w, q, d);
	w->cap = limit;
	if (q->has_opt && !w->full)
		put_opt(w, q, d, payload);
}

int rbl_answer_write(const rbl_query *q, const rbl_decision *d,
		     uint16_t edns_payload, uint8_t *out, size_t limit,
		     size_t *outlen, bool *truncated)
{
	wire w = { .buf = out };

	if (limit < DNS_UDP_MIN)
		return RBL_ETOOBIG;
	compose(&w, q, d, edns_payload, limit, true);
	*truncated = w.full;
	if (w.full)
		compose(&w, q, d, edns_payload, limit, false);
	put_header(&w, q, d, *truncated);
	*outlen = w.len;
	return RBL_OK;
}
