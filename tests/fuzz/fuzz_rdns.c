/*
 * fuzz_rdns.c -- libFuzzer target: the rDNS classifier
 * (import/rdns_classify.h) on "address<TAB>ptr" input lines, with the
 * built-in rules and a small public suffix list.
 */
#include <stdlib.h>
#include <string.h>

#include "import/rdns_classify.h"
#include "zone/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char psl_text[] = "com\nnet\norg\nco.uk\n*.ck\n!www.ck\n";
	static rbl_psl *psl;
	static rbl_rdns_rules *rules;
	rbl_rdns_classifier c;
	rbl_rdns_result r;
	rbl_addr a;
	char *line = malloc(size + 1), *ptr;

	if (!psl && (rbl_psl_parse(psl_text, sizeof(psl_text) - 1, 0, &psl,
				   NULL, 0) != RBL_OK ||
		     rbl_rdns_rules_default(&rules) != RBL_OK))
		abort();
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	c.psl = psl;
	c.rules = rules;
	if (rbl_rdns_parse_line(line, &a, &ptr) == RBL_OK)
		(void)rbl_rdns_classify(&c, &a, ptr, &r);
	free(line);
	return 0;
}
