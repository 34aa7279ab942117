/*
 * mirror.c -- rbld.conf's data: lines and the watcher's record (mirror.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"
#include "zone/formats/mirror.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "zone/store/bytes.h"
#include "zone/store/table.h"

#define MIRROR_TABLE	"mirror"
#define STATE_VERSION	1

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- data: lines ---- */

static bool list_type(int type)
{
	return type && type != RBL_DS_COMBINED && type != RBL_DS_GENERIC &&
	       type != RBL_DS_ACL;
}

/* Append the comma-separated FILES (LEN bytes) to SET. */
static int add_files(const char *files, const char *dir, rbl_mirror_set *set,
		     char *err, size_t errlen)
{
	const char *p = files;

	if (!*p) {
		seterr(err, errlen, "no file named");
		return RBL_EINVAL;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		bool rel = *p != '/' && dir && *dir;
		char *out;

		if (n == 0) {
			seterr(err, errlen, "empty file name in \"%s\"", files);
			return RBL_EINVAL;
		}
		if (set->n_files == RBL_MIRROR_MAX_FILES) {
			seterr(err, errlen, "more than %d files for one list",
			       RBL_MIRROR_MAX_FILES);
			return RBL_ELIMIT;
		}
		out = set->files[set->n_files];
		if ((size_t)snprintf(out, RBL_MIRROR_PATH_MAX, "%s%s%.*s",
				     rel ? dir : "", rel ? "/" : "", (int)n,
				     p) >= RBL_MIRROR_PATH_MAX) {
			seterr(err, errlen, "file name too long");
			return RBL_EINVAL;
		}
		set->n_files++;
		if (!comma)
			return RBL_OK;
		p = comma + 1;
	}
}

int rbl_mirror_parse_spec(const char *spec, const char *dir,
			  char zone[RBL_NAME_MAX + 1], int *type,
			  rbl_mirror_set *set, char *err, size_t errlen)
{
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') :
						   NULL;
	char word[32] = "";
	const char *files = spec;

	zone[0] = '\0';
	*type = 0;
	if (c2) {	/* ZONE:TYPE:FILES */
		char z[RBL_NAME_MAX + 2] = "";

		if ((size_t)(c1 - spec) > RBL_NAME_MAX ||
		    (size_t)(c2 - c1 - 1) >= sizeof(word)) {
			seterr(err, errlen, "\"%s\" is not ZONE:TYPE:FILE,...",
			       spec);
			return RBL_EINVAL;
		}
		memcpy(z, spec, (size_t)(c1 - spec));
		memcpy(word, c1 + 1, (size_t)(c2 - c1 - 1));
		if (rbl_conf_zone_name(z, zone) != RBL_OK) {
			seterr(err, errlen, "\"%s\" is not a zone name", z);
			return RBL_EINVAL;
		}
		files = c2 + 1;
	} else if (c1) {	/* TYPE:FILES */
		if ((size_t)(c1 - spec) >= sizeof(word)) {
			seterr(err, errlen, "\"%s\" is not TYPE:FILE,...", spec);
			return RBL_EINVAL;
		}
		memcpy(word, spec, (size_t)(c1 - spec));
		files = c1 + 1;
	}
	if (c1) {
		*type = rbl_ds_type_parse(word);
		if (!*type) {
			seterr(err, errlen, "unknown dataset type \"%s\"", word);
			return RBL_EINVAL;
		}
		if (!list_type(*type)) {
			seterr(err, errlen, "%s data does not go into a list "
			       "(combined and generic: rblctl import-zone; acl: "
			       "an acl section)", word);
			return RBL_EINVAL;
		}
	}
	return add_files(files, dir, set, err, errlen);
}

/* Does zone section ZONE of C answer from LIST? */
static bool zone_uses(const rbl_conf *c, const char *zone, const char *list)
{
	const rbl_conf_section *s = NULL;

	while ((s = rbl_conf_next(c, "zone", s))) {
		const rbl_conf_item *it = NULL;
		char z[RBL_NAME_MAX + 1];

		if (rbl_conf_zone_name(s->title, z) != RBL_OK ||
		    strcmp(z, zone) != 0)
			continue;
		while ((it = rbl_conf_next_item(s, "list", it))) {
			char name[RBL_LIST_NAME_MAX + 1], sub[RBL_LABEL_MAX + 1];

			if (rbl_conf_parse_list_ref(it->value, name, sub) ==
			    RBL_OK && strcmp(name, list) == 0)
				return true;
		}
	}
	return false;
}

/* The data: lines of list section S into SET. */
static int load_set(const rbl_conf *c, const rbl_conf_section *s,
		    const char *dir, rbl_mirror_set *set, char *err,
		    size_t errlen)
{
	const char *kind = rbl_conf_get(s, "kind");
	const rbl_conf_item *it = NULL;
	char why[RBL_NAME_MAX * 2 + RBL_LIST_NAME_MAX * 3 + 160];

	snprintf(set->list, sizeof set->list, "%s", s->title);
	while ((it = rbl_conf_next_item(s, "data", it))) {
		char zone[RBL_NAME_MAX + 1];
		int type = 0, rc;

		if (!set->line)
			set->line = it->line;
		rc = rbl_mirror_parse_spec(it->value, dir, zone, &type, set,
					   why, sizeof why);
		if (rc == RBL_OK && type && set->type && type != set->type) {
			snprintf(why, sizeof why, "%s data after %s data: the "
				 "files of a list are one dataset, of one type",
				 rbl_ds_type_name(type),
				 rbl_ds_type_name(set->type));
			rc = RBL_EINVAL;
		}
		if (rc == RBL_OK && type && kind &&
		    rbl_ds_type_is_ip(type) != (strcmp(kind, "ip") == 0)) {
			snprintf(why, sizeof why, "%s data holds %s, list %s is "
				 "of kind %s", rbl_ds_type_name(type),
				 rbl_ds_type_is_ip(type) ? "addresses" :
				 "domains", s->title, kind);
			rc = RBL_EINVAL;
		}
		if (rc == RBL_OK && zone[0] && !zone_uses(c, zone, s->title)) {
			snprintf(why, sizeof why, "zone %s does not answer from "
				 "list %s (add \"list: %s\" to its section)",
				 zone, s->title, s->title);
			rc = RBL_EINVAL;
		}
		if (rc != RBL_OK) {
			seterr(err, errlen, "%s:%u: data: %s", c->path,
			       it->line, why);
			return rc;
		}
		if (type)
			set->type = type;
	}
	return RBL_OK;
}

/* "250ms", or a duration in seconds ("1", "2s"), into milliseconds. */
static int parse_ms(const char *v, uint32_t *ms)
{
	size_t n = strlen(v);
	uint32_t s = 0;

	if (n > 2 && strcmp(v + n - 2, "ms") == 0) {
		char *end = NULL;
		unsigned long x = strtoul(v, &end, 10);

		if (end != v + n - 2 || x > 3600000)
			return RBL_EINVAL;
		*ms = (uint32_t)x;
		return RBL_OK;
	}
	if (rbl_parse_duration(v, &s) != RBL_OK || s > 3600)
		return RBL_EINVAL;
	*ms = s * 1000;
	return RBL_OK;
}

static int load_section(const rbl_conf *c, rbl_mirror_conf *m, char *err,
			size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "mirror", NULL);
	const char *v;
	uint32_t secs = 1;
	int rc;

	snprintf(m->directory, sizeof m->directory, "%s",
		 RBL_MIRROR_DEFAULT_DIR);
	m->settle_ms = 300;
	m->check_interval_ms = 1000;
	if (!s)
		return RBL_OK;
	if ((v = rbl_conf_get(s, "directory")))
		snprintf(m->directory, sizeof m->directory, "%s", v);
	rc = rbl_conf_duration(c, s, "check-interval", 1, &secs, err, errlen);
	if (rc != RBL_OK)
		return rc;
	m->check_interval_ms = secs * 1000;
	if ((rc = rbl_conf_bool(c, s, "lenient", false, &m->lenient, err,
				errlen)) != RBL_OK)
		return rc;
	if ((v = rbl_conf_get(s, "settle")) && parse_ms(v, &m->settle_ms)) {
		seterr(err, errlen, "%s:%u: settle: \"%s\" is not a time "
		       "(250ms, 1s; at most 1h)", c->path, s->line, v);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

int rbl_mirror_conf_load(const rbl_conf *c, rbl_mirror_conf **out,
			 char *err, size_t errlen)
{
	rbl_mirror_conf *m = calloc(1, sizeof *m);
	const rbl_conf_section *s = NULL;
	int rc;

	*out = NULL;
	if (!m)
		return RBL_ENOMEM;
	rc = load_section(c, m, err, errlen);
	while (rc == RBL_OK && (s = rbl_conf_next(c, "list", s))) {
		rbl_mirror_set *v;

		if (!rbl_conf_get(s, "data"))
			continue;
		rc = rbl_array_reserve(m->sets, m->cap_sets, m->n_sets + 1, 4);
		if (rc != RBL_OK)
			break;
		v = m->sets;
		memset(&v[m->n_sets], 0, sizeof *v);
		rc = load_set(c, s, m->directory, &v[m->n_sets], err, errlen);
		m->n_sets++;
	}
	if (rc != RBL_OK) {
		rbl_mirror_conf_free(m);
		return rc;
	}
	*out = m;
	return RBL_OK;
}

void rbl_mirror_conf_free(rbl_mirror_conf *m)
{
	if (!m)
		return;
	free(m->sets);
	free(m);
}

/* ---- the record ---- */

static size_t encode(const rbl_mirror_state *s, uint8_t *buf, size_t size,
		     bool *overflow)
{
	struct rbl_wbuf w = { .p = buf, .len = 0, .cap = size };

	rbl_wb_u8(&w, STATE_VERSION);
	rbl_wb_u64(&w, s->imports);
	rbl_wb_u64(&w, s->refusals);
	rbl_wb_u64(&w, (uint64_t)s->last_import);
	rbl_wb_u64(&w, (uint64_t)s->last_refusal);
	rbl_wb_u64(&w, (uint64_t)s->last_try);
	rbl_wb_u64(&w, s->tried_sig);
	rbl_wb_u8(&w, s->failing ? 1 : 0);
	rbl_wb_str(&w, s->reason);
	*overflow = w.overflow;
	return w.len;
}

static int decode(const rbl_val *k, const rbl_val *v, rbl_mirror_state *s)
{
	struct rbl_rbuf r = { .p = v->p, .len = v->len };

	memset(s, 0, sizeof *s);
	if (k->len > RBL_LIST_NAME_MAX || rbl_rb_u8(&r) != STATE_VERSION)
		return RBL_ESTORE;
	memcpy(s->list, k->p, k->len);
	s->imports = rbl_rb_u64(&r);
	s->refusals = rbl_rb_u64(&r);
	s->last_import = (int64_t)rbl_rb_u64(&r);
	s->last_refusal = (int64_t)rbl_rb_u64(&r);
	s->last_try = (int64_t)rbl_rb_u64(&r);
	s->tried_sig = rbl_rb_u64(&r);
	s->failing = rbl_rb_u8(&r) != 0;
	rbl_rb_str(&r, s->reason, sizeof s->reason);
	return r.bad ? RBL_ESTORE : RBL_OK;
}

int rbl_mirror_state_get(rbl_txn *t, const char *list, rbl_mirror_state *out)
{
	rbl_table tb = { 0 };
	rbl_val k = { list, strlen(list) }, v = { 0 };
	int rc = rbl_table_open(t, MIRROR_TABLE, &tb);

	memset(out, 0, sizeof *out);
	snprintf(out->list, sizeof out->list, "%s", list);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc == RBL_OK)
		rc = rbl_table_get(&tb, k.p, k.len, &v);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	return rc == RBL_OK ? decode(&k, &v, out) : rc;
}

int rbl_mirror_state_put(rbl_txn *t, const rbl_mirror_state *s)
{
	uint8_t buf[128 + RBL_MIRROR_REASON_MAX];
	rbl_table tb = { 0 };
	bool overflow = false;
	size_t len = encode(s, buf, sizeof buf, &overflow);
	int rc = rbl_table_open(t, MIRROR_TABLE, &tb);

	if (overflow)
		return RBL_EINVAL;
	return rc == RBL_OK ? rbl_table_put(&tb, s->list, strlen(s->list),
					    buf, len, 0) : rc;
}

int rbl_mirror_state_foreach(rbl_txn *t,
			     int (*fn)(void *arg, const rbl_mirror_state *s),
			     void *arg)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = rbl_table_open(t, MIRROR_TABLE, &tb);

	if (rc == RBL_ENOTFOUND || rc == RBL_ESTALE)
		return RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rbl_table_iter_init(&it, &tb, NULL, 0, 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		rbl_mirror_state s;

		if ((rc = decode(&k, &v, &s)) != RBL_OK ||
		    (rc = fn(arg, &s)) != 0)
			break;
	}
	rbl_table_iter_end(&it);
	return rc;	/* 0 at the end: RBL_OK */
}
