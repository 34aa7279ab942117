/*
 * fuzz_report.c -- libFuzzer target: abuse reports (ARF, X-ARF, SpamCop
 * MIME trees) and plain/CSV list lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/ingest.h"
#include "import/mime.h"
#include "import/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), reason[128];
	rbl_csv_cols cols;
	rbl_report r;
	rbl_prefix p;
	int64_t when;
	size_t n;

	if (!buf)
		return 0;
	n = rbl_text_normalize((const char *)data, size, buf);
	buf[n] = '\0';
	rbl_report_parse(buf, n, RBL_REPORT_AUTO, 1 << 16, &r);
	(void)rbl_report_detect(buf, n);
	(void)rbl_plain_line(buf, n, &p, reason, sizeof reason);
	if (rbl_csv_header(buf, n, &cols) == 0)
		(void)rbl_csv_line(buf, n, &cols, &p, reason, sizeof reason, &when);
	free(buf);
	return 0;
}
