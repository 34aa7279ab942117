/*
 * config_value.c -- the value types of rbld.conf (see config.h): how the
 * text of each converts, what it is called in a message, and the typed
 * getters.
 *
 * One table maps every rbl_conf_type to its parser, the size of what the
 * parser produces and its description.  The schema check
 * (rbl_conf_type_check) and the getters both go through it, so a getter
 * never finds a value the check let pass unreadable, and adding a type is
 * one line there.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "zone/config/config.h"
#include "zone/config/config_impl.h"
#include "zone/error.h"

/* ---- value parsers ---- */

static int parse_u64(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return RBL_ESYNTAX;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return RBL_ERANGE;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return RBL_OK;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	int rc = parse_u64(&s, &v);

	if (rc != RBL_OK)
		return rc;
	if (*s)
		return RBL_ESYNTAX;
	if (v > UINT32_MAX)
		return RBL_ERANGE;
	*out = (uint32_t)v;
	return RBL_OK;
}

static uint32_t duration_unit(char u)
{
	switch (u) {
	case 's': case 'S': return 1;
	case 'm': case 'M': return 60;
	case 'h': case 'H': return 3600;
	case 'd': case 'D': return 86400;
	case 'w': case 'W': return 604800;
	}
	return 0;
}

/* "300", "300s", "5m", and sums such as "1h30m". */
int rbl_parse_duration(const char *s, uint32_t *out)
{
	uint64_t total = 0;

	if (!*s)
		return RBL_ESYNTAX;
	while (*s) {
		uint64_t n = 0, unit = 1;
		int rc = parse_u64(&s, &n);

		if (rc != RBL_OK)
			return rc;
		if (*s) {
			unit = duration_unit(*s++);
			if (!unit)
				return RBL_ESYNTAX;
		}
		if (n > UINT32_MAX / unit || total + n * unit > UINT32_MAX)
			return RBL_ERANGE;
		total += n * unit;
	}
	*out = (uint32_t)total;
	return RBL_OK;
}

static unsigned size_shift(char u)
{
	switch (u) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	case 't': case 'T': return 40;
	}
	return 0;
}

/* "1024", "64k", "512M", "16G", "1T"; an optional trailing "B". */
int rbl_parse_size(const char *s, uint64_t *out)
{
	uint64_t n = 0;
	unsigned shift = 0;
	int rc = parse_u64(&s, &n);

	if (rc != RBL_OK)
		return rc;
	if (*s && *s != 'b' && *s != 'B') {
		shift = size_shift(*s++);
		if (!shift)
			return RBL_ESYNTAX;
	}
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s)
		return RBL_ESYNTAX;
	if (shift && n > (UINT64_MAX >> shift))
		return RBL_ERANGE;
	*out = n << shift;
	return RBL_OK;
}

int rbl_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	for (size_t i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return RBL_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return RBL_OK;
		}
	}
	return RBL_ESYNTAX;
}

/* Address, or address/prefix-length. */
static int parse_addr(const char *s, void *unused)
{
	char buf[64], *slash;
	unsigned char bin[16];
	uint32_t len = 0;
	int family;

	if (strlen(s) >= sizeof(buf))
		return RBL_ESYNTAX;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, buf, bin) != 1)
		return RBL_ESYNTAX;
	if (!slash)
		return RBL_OK;
	if (parse_u32(slash, &len) != RBL_OK)
		return RBL_ESYNTAX;
	return len <= (family == AF_INET ? 32u : 128u) ? RBL_OK : RBL_ERANGE;
}

/* addr[@port]: the last '@' separates the port, so "::1@53" works. */
static int parse_listen(const char *s, void *unused)
{
	char buf[64], *at;
	unsigned char bin[16];
	uint32_t port = 0;

	if (strlen(s) >= sizeof(buf))
		return RBL_ESYNTAX;
	strcpy(buf, s);
	at = strrchr(buf, '@');
	if (at) {
		*at++ = '\0';
		if (parse_u32(at, &port) != RBL_OK || port == 0 ||
		    port > 65535)
			return RBL_ERANGE;
	}
	if (inet_pton(strchr(buf, ':') ? AF_INET6 : AF_INET, buf, bin) != 1)
		return RBL_ESYNTAX;
	return RBL_OK;
}

/* A domain name: labels of 1..63 letters, digits, '-' or '_', at most
 * 253 characters, optional trailing dot.  "." alone is the root. */
static int parse_name(const char *s, void *unused)
{
	size_t total = strlen(s), label = 0;

	if (strcmp(s, ".") == 0)
		return RBL_OK;
	if (total == 0 || total > 254 || (total == 254 && s[253] != '.'))
		return RBL_ESYNTAX;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return RBL_ESYNTAX;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' ||
			   *s == '_') {
			if (++label > 63)
				return RBL_ESYNTAX;
		} else {
			return RBL_ESYNTAX;
		}
	}
	return RBL_OK;
}

/* A return code: a dotted quad in 127.0.0.0/8, or a short form ("2" is
 * 127.0.0.2, "1.2" is 127.0.1.2) as rbldnsd writes them. */
static int parse_code(const char *s, void *unused)
{
	uint32_t parts[4], n = 0;
	const char *p = s;

	for (;;) {
		uint64_t v = 0;

		if (n == 4 || parse_u64(&p, &v) != RBL_OK || v > 255)
			return RBL_ESYNTAX;
		parts[n++] = (uint32_t)v;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			return RBL_ESYNTAX;
	}
	if (n == 4 && parts[0] != 127)
		return RBL_ERANGE;
	return RBL_OK;
}

/* ---- one table of value types ---- */

/* Parsers of one shape: the value text S into OUT (what the type holds;
 * unused by the types that are only checked). */
typedef int (*conf_parser_fn)(const char *s, void *out);

static int text_value(const char *s, void *unused)
{
	return RBL_OK;
}

static int u32_value(const char *s, void *out)
{
	return parse_u32(s, out);
}

static int bool_value(const char *s, void *out)
{
	return rbl_parse_bool(s, out);
}

static int duration_value(const char *s, void *out)
{
	return rbl_parse_duration(s, out);
}

static int size_value(const char *s, void *out)
{
	return rbl_parse_size(s, out);
}

static const struct conf_type {
	conf_parser_fn parse;
	size_t size;		/* bytes at OUT; 0: checked only */
	const char *text;	/* "is not ..." in messages */
} conf_types[] = {
	[RBL_CT_STR] = { text_value, 0, "text" },
	[RBL_CT_U32] = { u32_value, sizeof(uint32_t), "a whole number" },
	[RBL_CT_BOOL] = { bool_value, sizeof(bool), "yes or no" },
	[RBL_CT_DURATION] = { duration_value, sizeof(uint32_t),
			      "a duration (300, 300s, 5m, 2h, 7d, 1w)" },
	[RBL_CT_SIZE] = { size_value, sizeof(uint64_t),
			  "a size (1024, 64k, 512M, 16G)" },
	[RBL_CT_ADDR] = { parse_addr, 0, "an IP address or CIDR prefix" },
	[RBL_CT_LISTEN] = { parse_listen, 0, "address[@port], port 1..65535" },
	[RBL_CT_NAME] = { parse_name, 0, "a domain name" },
	[RBL_CT_CODE] = { parse_code, 0,
			  "a return code in 127.0.0.0/8 (or 2, 0.2)" },
};

#define N_TYPES (sizeof conf_types / sizeof conf_types[0])

static const struct conf_type *conf_type(int type)
{
	if (type < 0 || (size_t)type >= N_TYPES)
		return NULL;
	return conf_types[type].parse ? &conf_types[type] : NULL;
}

int rbl_conf_type_check(int type, const char *v)
{
	const struct conf_type *t = conf_type(type);
	union { uint32_t u32; uint64_t u64; bool b; } scratch = { 0 };

	return t ? t->parse(v, &scratch) : RBL_EINVAL;
}

const char *rbl_conf_type_text(int type)
{
	const struct conf_type *t = conf_type(type);

	return t ? t->text : "text";
}

/* ---- typed getters ---- */

/* The one getter: the last KEY of S converted as TYPE into OUT, or the
 * default DEF (both of the type's size) when KEY is absent or does not
 * convert; the latter is RBL_EINVAL with "path:line: ..." in ERR. */
static int conf_typed(const rbl_conf *c, const rbl_conf_section *s,
		      const char *key, int type, const void *def, void *out,
		      char *err, size_t errlen)
{
	const struct conf_type *t = conf_type(type);
	const rbl_conf_item *it = rbl_conf_last_item(s, key);

	memcpy(out, def, t->size);
	if (!it || t->parse(it->value, out) == RBL_OK)
		return RBL_OK;
	memcpy(out, def, t->size);
	rbl_conf_seterr(err, errlen, "%s:%u: %s: \"%s\" is not %s",
			c ? c->path : "config", it->line, it->key, it->value,
			t->text);
	return RBL_EINVAL;
}

int rbl_conf_u32(const rbl_conf *c, const rbl_conf_section *s,
		 const char *key, uint32_t def, uint32_t *out,
		 char *err, size_t errlen)
{
	return conf_typed(c, s, key, RBL_CT_U32, &def, out, err, errlen);
}

int rbl_conf_bool(const rbl_conf *c, const rbl_conf_section *s,
		  const char *key, bool def, bool *out,
		  char *err, size_t errlen)
{
	return conf_typed(c, s, key, RBL_CT_BOOL, &def, out, err, errlen);
}

int rbl_conf_duration(const rbl_conf *c, const rbl_conf_section *s,
		      const char *key, uint32_t def, uint32_t *out,
		      char *err, size_t errlen)
{
	return conf_typed(c, s, key, RBL_CT_DURATION, &def, out, err,
			  errlen);
}

int rbl_conf_size(const rbl_conf *c, const rbl_conf_section *s,
		  const char *key, uint64_t def, uint64_t *out,
		  char *err, size_t errlen)
{
	return conf_typed(c, s, key, RBL_CT_SIZE, &def, out, err, errlen);
}
