/*
 * config_check.c -- rbld.conf against its schema (config_schema.c):
 * every section and key known, titles where they belong, nothing
 * repeated that may appear once, every value of its type (see config.h,
 * rbl_conf_check).  The first mistake is reported with its line.
 */
#include <string.h>
#include <strings.h>

#include "zone/config/config.h"
#include "zone/config/config_impl.h"
#include "zone/error.h"

static const rbl_conf_section_def *find_section_def(const char *name)
{
	for (const rbl_conf_section_def *d = rbl_conf_sections; d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static const rbl_conf_key *find_key_def(const char *section, const char *key)
{
	for (const rbl_conf_key *k = rbl_conf_keys; k->section; k++)
		if (strcmp(k->section, section) == 0 &&
		    strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

/* An earlier section of the same name (and the same title, for sections
 * that may repeat), or NULL. */
static const rbl_conf_section *earlier_twin(const rbl_conf *c,
					    const rbl_conf_section *s,
					    const rbl_conf_section_def *d)
{
	for (const rbl_conf_section *o = c->sections; o < s; o++) {
		if (strcmp(o->name, s->name) != 0)
			continue;
		if (!d->repeat || strcasecmp(o->title, s->title) == 0)
			return o;
	}
	return NULL;
}

static int check_section_head(const rbl_conf *c, const rbl_conf_section *s,
			      const rbl_conf_section_def *d,
			      char *err, size_t errlen)
{
	const rbl_conf_section *twin;

	if (d->title == 1 && !*s->title) {
		rbl_conf_seterr(err, errlen, "%s:%u: section '%s' needs a "
				"title (%s)", c->path, s->line, s->name,
				d->help);
		return RBL_EINVAL;
	}
	if (d->title == 0 && *s->title) {
		rbl_conf_seterr(err, errlen, "%s:%u: section '%s' takes no "
				"title (found \"%s\")", c->path, s->line,
				s->name, s->title);
		return RBL_EINVAL;
	}
	twin = earlier_twin(c, s, d);
	if (twin) {
		rbl_conf_seterr(err, errlen, "%s:%u: section '%s%s%s' "
				"repeated (first on line %u)", c->path,
				s->line, s->name, *s->title ? ": " : "",
				s->title, twin->line);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

static int check_item(const rbl_conf *c, const rbl_conf_section *s,
		      const rbl_conf_item *it, char *err, size_t errlen)
{
	const rbl_conf_key *k = find_key_def(s->name, it->key);
	int rc;

	if (!k) {
		rbl_conf_seterr(err, errlen, "%s:%u: unknown key '%s' in "
				"section '%s'", c->path, it->line, it->key,
				s->name);
		return RBL_EINVAL;
	}
	if (!k->repeat) {
		for (const rbl_conf_item *o = s->items; o < it; o++)
			if (strcmp(o->key, it->key) == 0) {
				rbl_conf_seterr(err, errlen, "%s:%u: key '%s' "
						"repeated (first on line %u; "
						"it may appear once)", c->path,
						it->line, it->key, o->line);
				return RBL_EINVAL;
			}
	}
	rc = rbl_conf_type_check(k->type, it->value);
	if (rc != RBL_OK) {
		rbl_conf_seterr(err, errlen, "%s:%u: %s: \"%s\" is not %s",
				c->path, it->line, it->key, it->value,
				rbl_conf_type_text(k->type));
		return RBL_EINVAL;
	}
	return RBL_OK;
}

int rbl_conf_check(const rbl_conf *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n_sections; i++) {
		const rbl_conf_section *s = &c->sections[i];
		const rbl_conf_section_def *d = find_section_def(s->name);
		int rc;

		if (!d) {
			rbl_conf_seterr(err, errlen, "%s:%u: unknown section "
					"'%s'", c->path, s->line, s->name);
			return RBL_EINVAL;
		}
		rc = check_section_head(c, s, d, err, errlen);
		if (rc != RBL_OK)
			return rc;
		for (size_t j = 0; j < s->n_items; j++) {
			rc = check_item(c, s, &s->items[j], err, errlen);
			if (rc != RBL_OK)
				return rc;
		}
	}
	return RBL_OK;
}
