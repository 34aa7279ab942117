/*
 * config_impl.h -- what the three parts of the configuration code share:
 * config.c (the syntax: text into sections and items), config_value.c
 * (the value types: parsers, their names, the typed getters) and
 * config_check.c (the schema check).  Private to zone/config/config*.c;
 * everyone else uses config.h.
 */
#ifndef RBL_CONFIG_IMPL_H
#define RBL_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "zone/config/config.h"

/* printf into ERR (ERRLEN bytes); nothing when ERR is NULL or empty. */
void rbl_conf_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether V is a value of TYPE (an rbl_conf_type): RBL_OK, else the
 * parser's error (RBL_ESYNTAX, RBL_ERANGE; RBL_EINVAL for an unknown
 * TYPE). */
int rbl_conf_type_check(int type, const char *v);
/* What a value of TYPE looks like, for messages ("a whole number"). */
const char *rbl_conf_type_text(int type);
/* Whether values of TYPE are secrets, which no message quotes. */
bool rbl_conf_type_secret(int type);
/* The error for item IT, not a value of TYPE, into ERR: "path:line:
 * key: "value" is not ...", the value left out for a secret. */
void rbl_conf_value_error(const rbl_conf *c, const rbl_conf_item *it,
			  int type, char *err, size_t errlen);

#endif
