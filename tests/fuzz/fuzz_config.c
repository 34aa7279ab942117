/*
 * fuzz_config.c -- libFuzzer target: rbld.conf parsing and schema check.
 */
#include <stddef.h>
#include <stdint.h>

#include "zone/config/config.h"
#include "zone/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rbl_conf *c = NULL;
	char err[RBL_CONF_ERRLEN];

	if (rbl_conf_parse((const char *)data, size, "fuzz", &c, err,
			   sizeof(err)) != RBL_OK)
		return 0;
	(void)rbl_conf_check(c, err, sizeof(err));
	for (const rbl_conf_section *s = rbl_conf_next(c, "server", NULL); s;
	     s = rbl_conf_next(c, "server", s)) {
		uint32_t u;
		uint64_t z;
		bool b;

		(void)rbl_conf_u32(c, s, "threads", 1, &u, err, sizeof(err));
		(void)rbl_conf_duration(c, s, "tcp-idle-timeout", 1, &u, err,
					sizeof(err));
		(void)rbl_conf_size(c, s, "map-size", 1, &z, err, sizeof(err));
		(void)rbl_conf_bool(c, s, "log", false, &b, err, sizeof(err));
	}
	rbl_conf_free(c);
	return 0;
}
