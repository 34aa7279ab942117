/*
 * wire.c -- names and records of DNS messages as they arrive (see wire.h).
 */
#include "zone/error.h"
#include "wire.h"

int rbl_wire_last_rr(const uint8_t *msg, size_t len, size_t *at)
{
	size_t off = DNS_HDR_LEN;
	unsigned qd = 0, rrs = 0;
	rbl_wire_rr rr = { 0 };

	*at = 0;
	if (len < DNS_HDR_LEN)
		return RBL_EFORMAT;
	qd = dns_get16(msg + 4);
	rrs = (unsigned)dns_get16(msg + 6) + dns_get16(msg + 8) +
	      dns_get16(msg + 10);
	for (unsigned i = 0; i < qd; i++)
		if (!(off = rbl_wire_name(msg, len, off, 0, NULL)) ||
		    (off += 4) > len)
			return RBL_EFORMAT;
	for (unsigned i = 0; i < rrs; i++)
		if (!(off = rbl_wire_record(msg, len, off, &rr)))
			return RBL_EFORMAT;
	*at = rrs ? rr.at : 0;
	return RBL_OK;
}
