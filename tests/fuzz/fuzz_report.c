/*
 * fuzz_report.c -- libFuzzer target: abuse reports (ARF, X-ARF, SpamCop
 * MIME trees) and plain/CSV list lines.
 *
 * An input whose first byte is 0..5 names the format (rbl_report_format:
 * auto, ARF, X-ARF, SpamCop, plain, CSV) and the rest is the report or
 * list, read line by line for plain and CSV; any other input is a report
 * detected automatically and, whole, one plain and one CSV line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/ingest.h"
#include "import/mime.h"
#include "import/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void list_lines(const char *s, size_t n, int csv)
{
	char reason[128];
	rbl_csv_cols cols;
	rbl_prefix p;
	int64_t when;
	int have_cols = 0;

	for (size_t at = 0; at < n;) {
		const char *nl = memchr(s + at, '\n', n - at);
		size_t len = (nl ? (size_t)(nl - s) : n) - at;

		if (!csv)
			(void)rbl_plain_line(s + at, len, &p, reason, sizeof reason);
		else if (!have_cols)
			have_cols = rbl_csv_header(s + at, len, &cols) == 0;
		else
			(void)rbl_csv_line(s + at, len, &cols, &p, reason,
					   sizeof reason, &when);
		at += len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int format = size && data[0] <= RBL_REPORT_CSV ? data[0] : -1;
	char *buf = malloc(size + 1), reason[128];
	rbl_csv_cols cols;
	rbl_report r;
	rbl_prefix p;
	int64_t when;
	size_t n;

	if (!buf)
		return 0;
	if (format >= 0)
		data++, size--;
	n = rbl_text_normalize((const char *)data, size, buf);
	buf[n] = '\0';
	if (format == RBL_REPORT_PLAIN || format == RBL_REPORT_CSV) {
		list_lines(buf, n, format == RBL_REPORT_CSV);
	} else if (format >= 0) {
		rbl_report_parse(buf, n, format, 1 << 16, &r);
	} else {
		rbl_report_parse(buf, n, RBL_REPORT_AUTO, 1 << 16, &r);
		(void)rbl_report_detect(buf, n);
		(void)rbl_plain_line(buf, n, &p, reason, sizeof reason);
		if (rbl_csv_header(buf, n, &cols) == 0)
			(void)rbl_csv_line(buf, n, &cols, &p, reason,
					   sizeof reason, &when);
	}
	free(buf);
	return 0;
}
