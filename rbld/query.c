/*
 * query.c -- parse a DNS query packet in place (see query.h).
 *
 * The question must be plain labels: a query has nothing earlier in the
 * packet to point to, so a compression pointer there is malformed, and
 * refusing it removes pointer loops and out-of-bounds targets at once.
 * Names in the other sections may be compressed; they are stepped over,
 * never followed (wire.h checks the pointers).
 */
#include <string.h>

#include "zone/error.h"
#include "query.h"
#include "wire.h"

static int parse_question(const uint8_t *pkt, size_t len, rbl_query *q)
{
	rbl_wire_buf b = { .wire = q->lname, .label_off = q->label_off };
	size_t off = rbl_wire_name(pkt, len, DNS_HDR_LEN,
				   RBL_WIRE_PLAIN | RBL_WIRE_LOWER, &b);

	if (off == 0 || off + 4 > len)
		return RBL_EFORMAT;
	q->qname = pkt + DNS_HDR_LEN;
	q->qname_len = b.len;
	q->nlabels = b.nlabels;
	q->qtype = dns_get16(pkt + off);
	q->qclass = dns_get16(pkt + off + 2);
	q->question_end = off + 4;
	q->has_question = true;
	return RBL_OK;
}

static int parse_opt(const uint8_t *pkt, const rbl_wire_rr *rr,
		     rbl_query *q)
{
	const uint8_t *rd = pkt + rr->rdata;
	size_t rdlen = rr->rdlen;

	if (q->has_opt || pkt[rr->at] != 0 || rr->fixed != rr->at + 1)
		return RBL_EFORMAT;	/* second OPT, or owner not root */
	for (size_t o = 0; o < rdlen;) {	/* options must tile RDATA */
		if (o + 4 > rdlen || o + 4 + dns_get16(rd + o + 2) > rdlen)
			return RBL_EFORMAT;
		o += 4u + dns_get16(rd + o + 2);
	}
	q->has_opt = true;
	q->edns_udp_size = rr->rclass;
	q->edns_version = (uint8_t)(rr->ttl >> 16);
	q->edns_do = (rr->ttl & DNS_EDNS_DO) != 0;
	return RBL_OK;
}

/* Walk COUNT resource records from OFF, reading OPT records when OPT is
 * set, and note where a TSIG record is.  Returns the end offset or 0. */
static size_t parse_records(const uint8_t *pkt, size_t len, size_t off,
			    unsigned count, bool opt, rbl_query *q)
{
	size_t last = 0;
	uint16_t type = 0;

	for (unsigned i = 0; i < count; i++) {
		rbl_wire_rr rr = { 0 };

		last = off;
		if (!(off = rbl_wire_record(pkt, len, off, &rr)))
			return 0;
		if (opt && rr.type == DNS_T_OPT &&
		    parse_opt(pkt, &rr, q) != RBL_OK)
			return 0;
		type = rr.type;
	}
	if (type == DNS_T_TSIG)
		q->tsig_at = last;
	return off;
}

/* The records of a query answered with an error, walked only to find a
 * TSIG record, so that the error can be signed. */
static void find_tsig(const uint8_t *pkt, size_t len, rbl_query *q)
{
	parse_records(pkt, len, q->question_end,
		      (unsigned)dns_get16(pkt + 6) + dns_get16(pkt + 8) +
			      dns_get16(pkt + 10), false, q);
}

static void parse_header(const uint8_t *pkt, size_t len, rbl_query *q)
{
	memset(q, 0, offsetof(rbl_query, lname));
	q->pkt = pkt;
	q->len = len;
	q->id = dns_get16(pkt);
	q->opcode = DNS_OPCODE(pkt[2]);
	q->rd = (pkt[2] & DNS_FLAG_RD) != 0;
	q->cd = (pkt[3] & DNS_FLAG_CD) != 0;
}

int rbl_query_parse(const uint8_t *pkt, size_t len, rbl_query *q)
{
	size_t end = 0;
	unsigned n = 0;

	if (len < DNS_HDR_LEN || (pkt[2] & DNS_FLAG_QR))
		return RBL_EFORMAT;
	parse_header(pkt, len, q);
	if (q->opcode != DNS_OPCODE_QUERY) {
		q->rcode = DNS_RCODE_NOTIMP;
		if (dns_get16(pkt + 4) == 1 &&
		    parse_question(pkt, len, q) == RBL_OK)
			find_tsig(pkt, len, q);
		return RBL_OK;
	}
	q->rcode = DNS_RCODE_FORMERR;
	if (dns_get16(pkt + 4) != 1 || parse_question(pkt, len, q) != RBL_OK)
		return RBL_OK;
	/* IXFR carries the client's SOA in the authority section */
	if (dns_get16(pkt + 6) != 0 ||
	    dns_get16(pkt + 8) > (q->qtype == DNS_T_IXFR ? 1 : 0)) {
		find_tsig(pkt, len, q);
		return RBL_OK;
	}
	n = (unsigned)dns_get16(pkt + 8) + dns_get16(pkt + 10);
	end = n ? parse_records(pkt, len, q->question_end, n, true, q)
		: q->question_end;
	if (end != len) {
		q->has_opt = false;	/* cannot trust what we read */
		return RBL_OK;
	}
	q->rcode = (q->has_opt && q->edns_version > 0) ? DNS_RCODE_BADVERS
						       : DNS_RCODE_NOERROR;
	return RBL_OK;
}
