/*
 * fuzz_acl.c -- libFuzzer target: rbld's client policy parsers
 * (rbld/acl.h, rbld/access.h).  The first byte picks: configuration rule
 * lines, an rbldnsd acl file, or a whole rbld.conf with acl:, quota: and
 * rrl: sections; every table built is then matched against addresses
 * taken from the input.
 */
#include <stdlib.h>
#include <string.h>

#include "rbld/acl.h"
#include "rbld/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const rbl_acl *a, const uint8_t *data, size_t size)
{
	rbl_addr x = { .family = size & 1 ? RBL_AF6 : RBL_AF4 };

	memcpy(x.bytes, data, size < 16 ? size : 16);
	if (x.family == RBL_AF4)
		memset(x.bytes + 4, 0, 12);
	(void)rbl_acl_match(a, &x);
}

static void rule_lines(rbl_acl *a, char *s)
{
	char err[256];

	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
		rbl_acl_rule r;

		if (rbl_acl_parse_rule(line, &r, err, sizeof(err)) == 0)
			(void)rbl_acl_add(a, &r);
	}
}

static void config(const char *s, size_t n)
{
	char err[RBL_CONF_ERRLEN];
	rbl_conf *c = NULL;
	rbl_access p;

	rbl_access_init(&p);
	if (rbl_conf_parse(s, n, "fuzz", &c, err, sizeof(err)) == 0 &&
	    rbl_conf_check(c, err, sizeof(err)) == 0)
		(void)rbl_access_load(c, &p, err, sizeof(err));
	rbl_access_free(&p);
	rbl_conf_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, err[256];
	rbl_acl *a;

	if (size < 1 || !(s = malloc(size)))
		return 0;
	if (rbl_acl_new(&a) != 0) {
		free(s);
		return 0;
	}
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] % 3 == 0)
		rule_lines(a, s);
	else if (data[0] % 3 == 1)
		(void)rbl_acl_load_buffer(a, "fuzz", s, size - 1, err,
					  sizeof(err));
	else
		config(s, size - 1);
	probe(a, data, size);
	rbl_acl_free(a);
	free(s);
	return 0;
}
