/*
 * xfr_msg.c -- transfer answers in wire format (see xfr_impl.h): header
 * and question as asked, records with owners compressed against the
 * question name, TSIG last.
 */
#include <string.h>
#include <time.h>

#include "zone/error.h"
#include "xfr_impl.h"

static size_t put_header(uint8_t *b, const xfr_req *r, int rcode)
{
	memset(b, 0, DNS_HDR_LEN);
	dns_put16(b, r->id);
	b[2] = (uint8_t)(DNS_FLAG_QR | (r->flags & DNS_FLAG_RD) |
			 (rcode == DNS_RCODE_NOERROR ? DNS_FLAG_AA : 0));
	b[3] = (uint8_t)(rcode & 0x0f);
	dns_put16(b + 4, 1);
	memcpy(b + DNS_HDR_LEN, r->qname, r->qname_len);
	dns_put16(b + DNS_HDR_LEN + r->qname_len, r->qtype);
	dns_put16(b + DNS_HDR_LEN + r->qname_len + 2, r->qclass);
	return DNS_HDR_LEN + r->qname_len + 4u;
}

void xfr_wb_start(wbuf *w, const xfr_req *r, int rcode)
{
	w->len = put_header(w->buf + 2, r, rcode);
	w->an = 0;
}

/* Append RR (owner relative to the question name, which it points to).
 * RBL_OK or RBL_ETOOBIG when the message is full. */
int xfr_wb_rr(void *arg, const rbl_xrr *rr)
{
	wbuf *w = arg;
	size_t need = rr->owner_len + 2u + 10u + rr->rdlen;
	uint8_t *b = w->buf + 2 + w->len;

	if (w->len + need > w->limit)
		return RBL_ETOOBIG;
	memcpy(b, rr->owner, rr->owner_len);
	b += rr->owner_len;
	dns_put16(b, 0xc000 | DNS_HDR_LEN);
	dns_put16(b + 2, rr->type);
	dns_put16(b + 4, DNS_C_IN);
	dns_put32(b + 6, rr->ttl);
	dns_put16(b + 10, rr->rdlen);
	if (rr->rdlen)
		memcpy(b + 12, rr->rdata, rr->rdlen);
	w->len += need;
	w->an++;
	return RBL_OK;
}

/* Set the answer count, sign if the request was signed, set the length
 * prefix.  RBL_OK or a TSIG error. */
int xfr_wb_finish(wbuf *w, rbl_tsig_state *tsig)
{
	uint8_t *msg = w->buf + 2;
	int rc;

	dns_put16(msg + 6, w->an);
	if (rbl_tsig_present(tsig) &&
	    (rc = rbl_tsig_sign(tsig, msg, &w->len, DNS_MSG_MAX,
				(int64_t)time(NULL))) != RBL_OK)
		return rc;
	dns_put16(w->buf, (uint16_t)w->len);
	return RBL_OK;
}

size_t xfr_wb_limit(const rbl_tsig_state *tsig)
{
	return DNS_MSG_MAX - (rbl_tsig_present(tsig) ? RBL_TSIG_RESERVE : 0);
}
