/*
 * fuzz_received.c -- libFuzzer target: Received header parsing and the
 * walk to the trust boundary (import/received.h).  The input is one
 * header value and, split as a message, a whole header block.
 */
#include <stdlib.h>
#include <string.h>

#include "import/mime.h"
#include "import/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const relays[] = { "mx.example.org", ".example.net" };
	rbl_prefix nets[1];
	rbl_trust trust = { nets, 1, relays, 2 };
	char *s = malloc(size + 1);
	rbl_received r;
	rbl_origin o;
	rbl_msg m;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rbl_prefix_parse("192.0.2.0/24", true, &nets[0]);
	rbl_received_parse(s, &r);
	size = rbl_text_normalize(s, size, s);
	if (rbl_msg_split(s, size, 1 << 16, &m) == 0)
		(void)rbl_received_origin(&m, &trust, &o);
	free(s);
	return 0;
}
