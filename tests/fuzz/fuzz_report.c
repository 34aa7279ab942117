/*
 * fuzz_report.c -- libFuzzer target: abuse reports (ARF, X-ARF YAML and
 * JSON, SpamCop, auto-detected) and plain / CSV list lines
 * (import/report.h).  The first byte picks the format.
 */
#include <stdlib.h>
#include <string.h>

#include "import/ingest.h"
#include "import/mime.h"
#include "import/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lines(const char *s, size_t n, int csv)
{
	rbl_csv_cols cols;
	rbl_prefix p;
	char reason[256];
	int64_t when;
	int have_cols = 0;

	for (size_t at = 0; at < n;) {
		const char *nl = memchr(s + at, '\n', n - at);
		size_t len = (nl ? (size_t)(nl - s) : n) - at;

		if (!csv)
			(void)rbl_plain_line(s + at, len, &p, reason, sizeof(reason));
		else if (!have_cols)
			have_cols = rbl_csv_header(s + at, len, &cols) == 0;
		else
			(void)rbl_csv_line(s + at, len, &cols, &p, reason,
					   sizeof(reason), &when);
		at += len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rbl_report r;
	char *s;
	int format;

	if (size < 1 || !(s = malloc(size)))
		return 0;
	format = data[0] % 6;	/* AUTO, ARF, XARF, SPAMCOP, PLAIN, CSV */
	size = rbl_text_normalize((const char *)data + 1, size - 1, s);
	if (format == RBL_REPORT_PLAIN || format == RBL_REPORT_CSV)
		lines(s, size, format == RBL_REPORT_CSV);
	else
		rbl_report_parse(s, size, format, 1 << 16, &r);
	free(s);
	return 0;
}
