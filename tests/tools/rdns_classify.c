/*
 * rdns_classify.c -- test helper: classify "address<TAB>ptr" lines from
 * stdin with the rDNS classifier and print one result line each
 * (rbl_rdns_result_print format), so scripts can test the library without
 * a store.  Usage: rdns_classify [-r RULES] [-p PSL] < input
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zone/error.h"
#include "import/rdns_classify.h"

static int load(const char *rules_path, const char *psl_path,
		rbl_psl **psl, rbl_rdns_rules **rules)
{
	char err[256] = "";
	int rc = rbl_psl_load(psl_path, 0, psl, err, sizeof(err));
	if (rc == RBL_OK)
		rc = rules_path ? rbl_rdns_rules_load(rules_path, rules, err,
						      sizeof(err))
				: rbl_rdns_rules_default(rules);
	if (rc != RBL_OK)
		fprintf(stderr, "rdns_classify: %s\n",
			err[0] ? err : rbl_strerror(rc));
	return rc;
}

int main(int argc, char **argv)
{
	const char *rules_path = NULL, *psl_path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "r:p:")) != -1) {
		if (opt == 'r')
			rules_path = optarg;
		else if (opt == 'p')
			psl_path = optarg;
		else
			return 2;
	}
	rbl_psl *psl = NULL;
	rbl_rdns_rules *rules = NULL;
	if (load(rules_path, psl_path, &psl, &rules) != RBL_OK)
		return 1;
	rbl_rdns_classifier c = { psl, rules };
	char line[1024];
	unsigned lineno = 0;
	int status = 0;
	while (fgets(line, sizeof(line), stdin)) {
		rbl_addr a;
		char *ptr;
		rbl_rdns_result r;
		lineno++;
		int rc = rbl_rdns_parse_line(line, &a, &ptr);
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK) {
			fprintf(stderr, "stdin:%u: expected address<TAB>ptr\n",
				lineno);
			status = 1;
			continue;
		}
		rbl_rdns_classify(&c, &a, ptr, &r);
		rbl_rdns_result_print(stdout, &a, &r);
	}
	rbl_rdns_rules_free(rules);
	rbl_psl_free(psl);
	return status;
}
