/*
 * fuzz_received.c -- libFuzzer target: a trap message's header block,
 * Received parsing and the trust-boundary walk, and the evidence hash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zone/policy/evidence.h"
#include "import/mime.h"
#include "import/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const relays[] = { ".example.org" };
	rbl_prefix net;
	rbl_trust tr = { &net, 1, relays, 1 };
	char *buf = malloc(size + 1);
	uint8_t hash[RBL_EV_HASH_LEN];
	rbl_origin o;
	rbl_msg m;
	size_t n;

	if (!buf)
		return 0;
	rbl_prefix_parse("192.0.2.0/24", false, &net);
	n = rbl_text_normalize((const char *)data, size, buf);
	buf[n] = '\0';
	if (rbl_msg_split(buf, n, 1 << 16, &m) == 0)
		rbl_received_origin(&m, &tr, &o);
	rbl_evidence_hash(data, size, hash);
	free(buf);
	return 0;
}
