/*
 * query.h -- parse a DNS query packet in place.
 *
 * rbl_query_parse() validates the whole packet (header, exactly one
 * question, additional records, nothing after them) and fills a
 * caller-owned rbl_query that points into the packet: nothing is copied
 * except the lowercased question name, and nothing is allocated.  Names
 * are read with wire.h.  The parser also notes where the records it
 * walked are that later steps need (the TSIG record), so nothing reads
 * the packet a second time.  Transfers (xfr.c) parse their requests with
 * it too.
 *
 * The result says what to do with the packet:
 *   RBL_OK       answer it; Q->rcode is DNS_RCODE_NOERROR to go on with the
 *                lookup, or the error to answer with (FORMERR, NOTIMP,
 *                BADVERS); Q->has_question says whether the question can be
 *                echoed, Q->has_opt whether an OPT record must be added.
 *   RBL_EFORMAT  drop it silently (shorter than a header, or a response).
 */
#ifndef RBLD_QUERY_H
#define RBLD_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

typedef struct rbl_query {
	const uint8_t *pkt;		/* the packet as received */
	size_t len;
	uint16_t id;
	uint8_t opcode;
	bool rd, cd;
	int rcode;			/* dns_rcode decided by the parser */

	bool has_question;
	const uint8_t *qname;		/* wire name inside PKT, original case */
	uint8_t qname_len;		/* wire length, root label included */
	uint16_t qtype, qclass;
	size_t question_end;		/* offset just past QTYPE/QCLASS */
	/* Offset of the last record when it is a TSIG record (RFC 8945:
	 * it must be last), for rbl_tsig_check(); 0: none.  Set whenever
	 * every record the counts announce could be walked, also for
	 * queries answered with FORMERR or NOTIMP. */
	size_t tsig_at;

	bool has_opt;
	uint8_t edns_version;
	bool edns_do;
	uint16_t edns_udp_size;		/* as advertised (may be < 512) */

	/* Labels of the lowercased copy, leftmost first, root excluded.
	 * The parser clears every field above LNAME at once; these arrays
	 * are written as far as the name goes. */
	uint8_t nlabels;
	uint8_t lname[DNS_NAME_MAX];	/* lowercased wire name */
	uint8_t label_off[DNS_LABELS_MAX];	/* offset of each length byte */
} rbl_query;

/* Parse LEN bytes at PKT into Q (see the header comment for results). */
int rbl_query_parse(const uint8_t *pkt, size_t len, rbl_query *q);

/* Label I of the lowercased name: its bytes and length. */
static inline const uint8_t *rbl_query_label(const rbl_query *q, unsigned i,
					     uint8_t *len)
{
	*len = q->lname[q->label_off[i]];
	return q->lname + q->label_off[i] + 1;
}

#endif
