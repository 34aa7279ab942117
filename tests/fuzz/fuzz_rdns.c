/*
 * fuzz_rdns.c -- libFuzzer target: the rDNS classifier's parsers.
 *
 * The first byte picks what the rest is: 'R' a rules file, 'P' a public
 * suffix list, anything else an "address<TAB>ptr" line that is parsed,
 * classified and fed to a ranger.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "import/rdns_ranges.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char psl_text[] =
	"com\nnet\nuk\nco.uk\n*.ck\n!www.ck\njp\n*.kobe.jp\n!city.kobe.jp\n";

static int no_proposal(void *arg, const rbl_rdns_proposal *p)
{
	(void)arg;
	(void)p;
	return 0;
}

static void classify_line(const uint8_t *data, size_t size)
{
	static rbl_psl *psl;
	static rbl_rdns_rules *rules;
	if (!psl && rbl_psl_parse(psl_text, sizeof(psl_text) - 1, 0, &psl,
				  NULL, 0) != RBL_OK)
		abort();
	if (!rules && rbl_rdns_rules_default(&rules) != RBL_OK)
		abort();
	char *line = malloc(size + 1);
	if (!line)
		return;
	memcpy(line, data, size);
	line[size] = '\0';
	rbl_addr a;
	char *ptr;
	rbl_rdns_classifier c = { psl, rules };
	if (rbl_rdns_parse_line(line, &a, &ptr) == RBL_OK) {
		rbl_rdns_result r;
		rbl_rdns_range_opts o;
		rbl_rdns_ranger *rg;
		rbl_rdns_classify(&c, &a, ptr, &r);
		rbl_rdns_range_opts_defaults(&o);
		o.min_named = 1;
		if (rbl_rdns_ranger_new(&c, &o, "fuzz", no_proposal, NULL,
					NULL, &rg) == RBL_OK) {
			(void)rbl_rdns_ranger_add(rg, &a, ptr);
			(void)rbl_rdns_ranger_finish(rg);
			rbl_rdns_ranger_free(rg);
		}
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	if (size == 0)
		return 0;
	if (data[0] == 'R') {
		rbl_rdns_rules *r;
		if (rbl_rdns_rules_parse((const char *)data + 1, size - 1, "fuzz",
					 &r, err, sizeof(err)) == RBL_OK)
			rbl_rdns_rules_free(r);
	} else if (data[0] == 'P') {
		rbl_psl *p;
		if (rbl_psl_parse((const char *)data + 1, size - 1, 0, &p, err,
				  sizeof(err)) == RBL_OK) {
			size_t at;
			(void)rbl_psl_registered(p, "a.b.example.co.uk", 17, &at);
			rbl_psl_free(p);
		}
	} else {
		classify_line(data + 1, size - 1);
	}
	return 0;
}
