/*
 * answer.h -- write a decided answer in DNS wire format.
 *
 * rbl_answer_write() writes the header (ID, opcode, RD and CD copied; QR,
 * AA as decided), the question exactly as received (original case), the
 * answer, authority and additional sections, and an OPT record when the
 * query had one (with the COOKIE option the engine put in the query).  Owner names are compression pointers into the question.
 * When the answer does not fit LIMIT bytes, the message is rewritten as
 * header + question (+ OPT) with TC=1, so the client retries over TCP.
 * Writes only into OUT; allocates nothing.
 */
#ifndef RBLD_ANSWER_H
#define RBLD_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lookup.h"
#include "query.h"

/* Write the answer to Q decided in D into OUT, at most LIMIT bytes
 * (LIMIT >= 512).  EDNS_PAYLOAD is the UDP size this server advertises in
 * its OPT record, which carries Q's ANSWER_COOKIE when it has one.  Sets
 * *OUTLEN and *TRUNCATED.  Returns RBL_OK, or RBL_ETOOBIG if not even the
 * truncated form fits (LIMIT < 512). */
int rbl_answer_write(const rbl_query *q, const rbl_decision *d,
		     uint16_t edns_payload, uint8_t *out, size_t limit,
		     size_t *outlen, bool *truncated);

#define RBL_OPT_RR_LEN	11	/* an OPT record without options */

/* The length of the OPT record that ends an answer to Q (0: none).
 * Inline: RRL asks it for every UDP answer it counts. */
static inline size_t rbl_answer_opt_len(const rbl_query *q)
{
	if (!q->has_opt)
		return 0;
	return RBL_OPT_RR_LEN + (q->answer_cookie_len
				 ? 4u + q->answer_cookie_len : 0);
}

/* The number of answer records in a message written by rbl_answer_write
 * (for statistics: NOERROR with 0 is NODATA). */
static inline unsigned rbl_answer_count(const uint8_t *msg)
{
	return (unsigned)((msg[6] << 8) | msg[7]);
}

#endif
