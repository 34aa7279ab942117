/*
 * fuzz_uri.c -- libFuzzer target: the link extractor (import/uri.h) and
 * Punycode (zone/idna.h).  The first byte picks: a whole message (the
 * MIME walk, quoted-printable and base64), a text part, or an HTML part;
 * every input is also tried as a host label and as Punycode.  Each link
 * handed out must be what uri.h promises: a lowercase ASCII host name of
 * at most 253 bytes whose registered domain is a suffix of it, and a
 * found text of at most RBL_URI_FOUND_MAX bytes without control
 * characters.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/idna.h"
#include "import/mime.h"
#include "import/psl.h"
#include "import/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
	"com\nnet\norg\nde\nuk\nco.uk\n*.ck\n!www.ck\nрф\n公司.cn\ncn\n"
	"// ===BEGIN PRIVATE DOMAINS===\nblogspot.com\n";

static rbl_psl *psl;
static rbl_uri_scanner *sc;

static int check(void *arg, const rbl_uri_link *l)
{
	size_t n = strlen(l->host), d = strlen(l->domain);

	(void)arg;
	if (n == 0 || n > RBL_NAME_MAX || d == 0 || d > n ||
	    l->domain != l->host + (n - d) ||
	    strlen(l->found) > RBL_URI_FOUND_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		char c = l->host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			abort();
	}
	for (const char *p = l->found; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			abort();
	return 0;
}

static void idna(const uint8_t *data, size_t size)
{
	char lab[RBL_IDNA_LABEL_MAX + 1], u[512];
	uint32_t cp[RBL_IDNA_CP_MAX];
	int n = rbl_idna_label((const char *)data, size, lab);

	if (n > 0 && (size_t)n != strlen(lab))
		abort();
	n = rbl_punycode_decode((const char *)data, size, cp, RBL_IDNA_CP_MAX);
	if (n > 0) {
		char back[512];
		if (rbl_punycode_encode(cp, (size_t)n, back, sizeof back) < 0)
			abort();
	}
	(void)rbl_idna_label_unicode((const char *)data, size, u, sizeof u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	rbl_msg m;

	if (!psl && (rbl_psl_parse(rules, sizeof rules - 1, RBL_PSL_PRIVATE,
				   &psl, NULL, 0) ||
		     rbl_uri_scanner_new(psl, &sc)))
		abort();
	if (size == 0)
		return 0;
	if (size < 128)
		idna(data + 1, size - 1);
	if (!(s = malloc(size)))
		return 0;
	size_t n = rbl_text_normalize((const char *)data + 1, size - 1, s);
	switch (data[0] % 3) {
	case 0:
		if (rbl_msg_split(s, n, 1 << 16, &m) == 0)
			(void)rbl_uri_scan_message(sc, &m, check, NULL);
		break;
	case 1:
		(void)rbl_uri_scan_text(sc, s, n, false, check, NULL);
		break;
	default:
		(void)rbl_uri_scan_text(sc, s, n, true, check, NULL);
		break;
	}
	free(s);
	return 0;
}
