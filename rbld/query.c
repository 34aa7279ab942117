/*
 * query.c -- parse a DNS query packet in place (see query.h).
 *
 * The question must be plain labels: a query has nothing earlier in the
 * packet to point to, so a compression pointer there is malformed, and
 * refusing it removes pointer loops and out-of-bounds targets at once.
 * Names in the additional section may be compressed; they are skipped,
 * never followed.
 */
#include <string.h>

#include "zone/error.h"
#include "query.h"

/* Copy the question name at OFF into Q, lowercased, with label offsets.
 * Returns the offset after the name, or 0 when it is malformed. */
static size_t parse_qname(const uint8_t *pkt, size_t len, size_t off,
			  rbl_query *q)
{
	size_t start = off, wlen = 0;

	q->nlabels = 0;
	for (;;) {
		uint8_t l;

		if (off >= len)
			return 0;
		l = pkt[off];
		if (l & 0xc0)	/* pointer or reserved label type */
			return 0;
		if (wlen + 1 + l > DNS_NAME_MAX || off + 1 + l > len)
			return 0;
		if (l == 0)
			break;
		if (q->nlabels >= DNS_LABELS_MAX)
			return 0;
		q->label_off[q->nlabels++] = (uint8_t)wlen;
		q->lname[wlen] = l;
		for (unsigned i = 1; i <= l; i++)
			q->lname[wlen + i] = dns_lower(pkt[off + i]);
		wlen += 1u + l;
		off += 1u + l;
	}
	q->lname[wlen++] = 0;
	q->qname = pkt + start;
	q->qname_len = (uint8_t)wlen;
	return off + 1;
}

static int parse_question(const uint8_t *pkt, size_t len, rbl_query *q)
{
	size_t off = parse_qname(pkt, len, DNS_HDR_LEN, q);

	if (off == 0 || off + 4 > len)
		return RBL_EFORMAT;
	q->qtype = dns_get16(pkt + off);
	q->qclass = dns_get16(pkt + off + 2);
	q->question_end = off + 4;
	q->has_question = true;
	return RBL_OK;
}

/* Skip a possibly compressed name.  Returns the offset after it or 0. */
static size_t skip_name(const uint8_t *pkt, size_t len, size_t off)
{
	size_t start = off;

	while (off < len) {
		uint8_t l = pkt[off];

		if ((l & 0xc0) == 0xc0) {
			if (off + 2 > len ||
			    (size_t)(dns_get16(pkt + off) & 0x3fff) >= start)
				return 0;	/* must point backwards */
			return off + 2;
		}
		if (l & 0xc0)
			return 0;
		if (l == 0)
			return off + 1;
		off += 1u + l;
	}
	return 0;
}

static int parse_opt(const uint8_t *pkt, size_t name_off, size_t rr_off,
		     size_t rdlen, rbl_query *q)
{
	const uint8_t *rd = pkt + rr_off + 10;
	uint32_t ttl = dns_get32(pkt + rr_off + 4);

	if (q->has_opt || pkt[name_off] != 0 || rr_off != name_off + 1)
		return RBL_EFORMAT;	/* second OPT, or owner not root */
	for (size_t o = 0; o < rdlen;) {	/* options must tile RDATA */
		if (o + 4 > rdlen || o + 4 + dns_get16(rd + o + 2) > rdlen)
			return RBL_EFORMAT;
		o += 4u + dns_get16(rd + o + 2);
	}
	q->has_opt = true;
	q->edns_udp_size = dns_get16(pkt + rr_off + 2);
	q->edns_version = (uint8_t)(ttl >> 16);
	q->edns_do = (ttl & DNS_EDNS_DO) != 0;
	return RBL_OK;
}

/* Walk COUNT resource records from OFF; returns the end offset or 0. */
static size_t parse_additional(const uint8_t *pkt, size_t len, size_t off,
			       unsigned count, rbl_query *q)
{
	while (count--) {
		size_t rr = skip_name(pkt, len, off);
		size_t rdlen;

		if (rr == 0 || rr + 10 > len)
			return 0;
		rdlen = dns_get16(pkt + rr + 8);
		if (rr + 10 + rdlen > len)
			return 0;
		if (dns_get16(pkt + rr) == DNS_T_OPT &&
		    parse_opt(pkt, off, rr, rdlen, q) != RBL_OK)
			return 0;
		off = rr + 10 + rdlen;
	}
	return off;
}

static void parse_header(const uint8_t *pkt, size_t len, rbl_query *q)
{
	memset(q, 0, offsetof(rbl_query, nlabels));
	q->nlabels = 0;
	q->pkt = pkt;
	q->len = len;
	q->id = dns_get16(pkt);
	q->opcode = DNS_OPCODE(pkt[2]);
	q->rd = (pkt[2] & DNS_FLAG_RD) != 0;
	q->cd = (pkt[3] & DNS_FLAG_CD) != 0;
	q->has_opt = false;
	q->edns_version = 0;
	q->edns_do = false;
	q->edns_udp_size = 0;
}

int rbl_query_parse(const uint8_t *pkt, size_t len, rbl_query *q)
{
	size_t end;

	if (len < DNS_HDR_LEN || (pkt[2] & DNS_FLAG_QR))
		return RBL_EFORMAT;
	parse_header(pkt, len, q);
	if (q->opcode != DNS_OPCODE_QUERY) {
		q->rcode = DNS_RCODE_NOTIMP;
		if (dns_get16(pkt + 4) == 1)
			parse_question(pkt, len, q);
		return RBL_OK;
	}
	q->rcode = DNS_RCODE_FORMERR;
	if (dns_get16(pkt + 4) != 1 || parse_question(pkt, len, q) != RBL_OK)
		return RBL_OK;
	/* IXFR carries the client's SOA in the authority section */
	if (dns_get16(pkt + 6) != 0 ||
	    dns_get16(pkt + 8) > (q->qtype == DNS_T_IXFR ? 1 : 0))
		return RBL_OK;
	end = parse_additional(pkt, len, q->question_end,
			       dns_get16(pkt + 8) + dns_get16(pkt + 10), q);
	if (end != len) {
		q->has_opt = false;	/* cannot trust what we read */
		return RBL_OK;
	}
	q->rcode = (q->has_opt && q->edns_version > 0) ? DNS_RCODE_BADVERS
						       : DNS_RCODE_NOERROR;
	return RBL_OK;
}
