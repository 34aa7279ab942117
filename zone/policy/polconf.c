/*
 * polconf.c -- the configuration both listing policies read alike
 * (polconf.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/policy/polconf.h"
#include "zone/store/entry.h"

#define WEEK		(7 * 86400)
#define RETENTION	(90 * 86400)

void rbl_polconf_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src ? src : "", size - 1);

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

int rbl_polconf_weight(const rbl_conf *c, const rbl_conf_section *s,
		       const char *key, double def, double *out, char *err,
		       size_t errlen)
{
	const rbl_conf_item *it = rbl_conf_last_item(s, key);
	char *end = NULL;
	double v = 0;

	*out = def;
	if (!it)
		return RBL_OK;
	v = strtod(it->value, &end);
	if (end == it->value || *end || !isfinite(v) || v < 0) {
		snprintf(err, errlen, "%s:%u: %s %s: %s: want a number >= 0, "
			 "got \"%s\"", c->path, it->line, s->name, s->title,
			 key, it->value);
		return RBL_EINVAL;
	}
	*out = v;
	return RBL_OK;
}

int rbl_polconf_code(const rbl_conf *c, const rbl_conf_section *s,
		     const char *key, uint32_t *out, char *err, size_t errlen)
{
	const rbl_conf_item *it = rbl_conf_last_item(s, key);
	uint32_t code = 0;

	*out = 0;
	if (!it)
		return RBL_OK;
	if (rbl_code_parse(it->value, &code) != RBL_OK) {
		snprintf(err, errlen, "%s:%u: %s %s: bad %s \"%s\"", c->path,
			 it->line, s->name, s->title, key, it->value);
		return RBL_EINVAL;
	}
	*out = code;
	return RBL_OK;
}

int rbl_polconf_scoring(const rbl_conf *c, const rbl_conf_section *s,
			uint32_t *half_life, uint32_t *expire_after,
			double *threshold, char *err, size_t errlen)
{
	int rc = 0;

	if ((rc = rbl_conf_duration(c, s, "half-life", WEEK, half_life, err,
				    errlen)) ||
	    (rc = rbl_conf_duration(c, s, "expire-after", WEEK, expire_after,
				    err, errlen)) ||
	    (rc = rbl_polconf_weight(c, s, "threshold", 1, threshold, err,
				     errlen)))
		return rc;
	if (!(*threshold > 0)) {
		snprintf(err, errlen, "%s:%u: %s %s: threshold must be > 0",
			 c->path, s->line, s->name, s->title);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

int rbl_polconf_retention(const rbl_conf *c, uint32_t *out, char *err,
			  size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "evidence", NULL);

	*out = RETENTION;
	return s ? rbl_conf_duration(c, s, "retention", RETENTION, out, err,
				     errlen) : RBL_OK;
}

int rbl_polconf_list(rbl_txn *t, const char *section, const char *policy,
		     const char *name, int kind, uint32_t *id, char *err,
		     size_t errlen)
{
	rbl_list l = { 0 };
	int rc = 0;

	*id = 0;
	if (!name[0])
		return RBL_OK;
	if ((rc = rbl_list_get(t, name, &l))) {
		snprintf(err, errlen, "%s %s: list \"%s\": %s", section, policy,
			 name, rbl_strerror(rc));
		return rc;
	}
	if (l.kind != kind) {
		snprintf(err, errlen, "%s %s: list \"%s\" is of kind %s, not %s",
			 section, policy, name, rbl_list_kind_name(l.kind),
			 rbl_list_kind_name(kind));
		return RBL_EINVAL;
	}
	*id = l.id;
	return RBL_OK;
}
