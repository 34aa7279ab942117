/*
 * conf_apply.c -- create and update the store's lists and zones from the
 * configuration; see conf_apply.h for the rules (never delete).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "zone/config/conf_apply.h"
#include "zone/error.h"

typedef struct apply_ctx {
	rbl_txn *t;
	const rbl_conf *c;
	rbl_conf_report_fn report;
	void *arg;
	unsigned changes;
	char *err;
	size_t errlen;
} apply_ctx;

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

static void say(apply_ctx *a, bool is_change, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(apply_ctx *a, bool is_change, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (is_change)
		a->changes++;
	if (!a->report)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	a->report(a->arg, line);
}

/* ---- names and references ---- */

static bool valid_label(const char *s, size_t len)
{
	if (len == 0 || len > RBL_LABEL_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return false;
	return true;
}

int rbl_conf_zone_name(const char *in, char out[RBL_NAME_MAX + 1])
{
	size_t len = strlen(in);
	const char *p = in;

	if (len && in[len - 1] == '.')
		len--;
	if (len == 0 || len > RBL_NAME_MAX)
		return RBL_EINVAL;
	while (p < in + len) {
		const char *dot = memchr(p, '.', (size_t)(in + len - p));
		size_t l = dot ? (size_t)(dot - p) : (size_t)(in + len - p);

		if (!valid_label(p, l))
			return RBL_EINVAL;
		p += l + (dot ? 1 : 0);
		if (dot && p == in + len)
			return RBL_EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[len] = '\0';
	return RBL_OK;
}

static bool valid_list_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > RBL_LIST_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

int rbl_conf_parse_list_ref(const char *ref, char name[RBL_LIST_NAME_MAX + 1],
			    char sub[RBL_LABEL_MAX + 1])
{
	const char *at = strchr(ref, '@');
	size_t nlen = at ? (size_t)(at - ref) : strlen(ref);

	if (nlen == 0 || nlen > RBL_LIST_NAME_MAX)
		return RBL_EINVAL;
	memcpy(name, ref, nlen);
	name[nlen] = '\0';
	if (!valid_list_name(name))
		return RBL_EINVAL;
	sub[0] = '\0';
	if (!at)
		return RBL_OK;
	at++;
	if (!valid_label(at, strlen(at)))
		return RBL_EINVAL;
	for (size_t i = 0; at[i]; i++)
		sub[i] = (char)tolower((unsigned char)at[i]);
	sub[strlen(at)] = '\0';
	return RBL_OK;
}

static int parse_kind(const char *s)
{
	return rbl_list_kind_parse(s);
}

static const char *kind_name(int kind)
{
	return rbl_list_kind_name(kind);
}

/* "name address" of an in-zone name server. */
static int parse_glue(const char *s, rbl_glue *g)
{
	char buf[RBL_NAME_MAX + RBL_ADDR_STRLEN + 2];
	char *sp;

	if (strlen(s) >= sizeof(buf))
		return RBL_EINVAL;
	strcpy(buf, s);
	sp = strpbrk(buf, " \t");
	if (!sp)
		return RBL_EINVAL;
	*sp++ = '\0';
	while (*sp == ' ' || *sp == '\t')
		sp++;
	if (rbl_conf_zone_name(buf, g->name) != RBL_OK)
		return RBL_EINVAL;
	return rbl_addr_parse(sp, &g->addr) == RBL_OK ? RBL_OK : RBL_EINVAL;
}

/* ---- validation ---- */

static bool list_in_conf(const rbl_conf *c, const char *name)
{
	const rbl_conf_section *s = NULL;

	while ((s = rbl_conf_next(c, "list", s)))
		if (strcmp(s->title, name) == 0)
			return true;
	return false;
}

static int validate_list(const rbl_conf *c, const rbl_conf_section *s,
			 rbl_txn *t, char *err, size_t errlen)
{
	const char *v;
	uint32_t code = 0;
	rbl_list l = { 0 };

	if (!valid_list_name(s->title)) {
		seterr(err, errlen, "%s:%u: list name \"%s\": use 1..%d "
		       "letters, digits, '-', '_', '.'", c->path,
		       s->line, s->title, RBL_LIST_NAME_MAX);
		return RBL_EINVAL;
	}
	v = rbl_conf_get(s, "kind");
	if (v && !parse_kind(v)) {
		seterr(err, errlen, "%s:%u: kind: \"%s\" is not ip, name, hash "
		       "or newly-seen",
		       c->path, s->line, v);
		return RBL_EINVAL;
	}
	if (!v && !(t && rbl_list_get(t, s->title, &l) == RBL_OK)) {
		seterr(err, errlen, "%s:%u: list %s: kind (ip, name, hash, newly-seen) is "
		       "needed to create it", c->path, s->line, s->title);
		return RBL_EINVAL;
	}
	v = rbl_conf_get(s, "default-code");
	if (v && rbl_code_parse(v, &code) != RBL_OK) {
		seterr(err, errlen, "%s:%u: default-code: \"%s\" is not a "
		       "return code", c->path, s->line, v);
		return RBL_EINVAL;
	}
	v = rbl_conf_get(s, "default-txt");
	if (v && strlen(v) > RBL_TXT_MAX) {
		seterr(err, errlen, "%s:%u: default-txt: longer than %d "
		       "bytes", c->path, s->line, RBL_TXT_MAX);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

static int count_items(const rbl_conf_section *s, const char *key)
{
	const rbl_conf_item *it = NULL;
	int n = 0;

	while ((it = rbl_conf_next_item(s, key, it)))
		n++;
	return n;
}

static int validate_zone_lists(const rbl_conf *c, const rbl_conf_section *s,
			       rbl_txn *t, char *err, size_t errlen)
{
	const rbl_conf_item *it = NULL;
	char name[RBL_LIST_NAME_MAX + 1], sub[RBL_LABEL_MAX + 1];
	rbl_list l = { 0 };

	if (count_items(s, "list") > RBL_ZONE_MAX_LISTS) {
		seterr(err, errlen, "%s:%u: zone %s: more than %d lists",
		       c->path, s->line, s->title, RBL_ZONE_MAX_LISTS);
		return RBL_EINVAL;
	}
	while ((it = rbl_conf_next_item(s, "list", it))) {
		if (rbl_conf_parse_list_ref(it->value, name, sub) != RBL_OK) {
			seterr(err, errlen, "%s:%u: list: \"%s\" is not "
			       "\"name\" or \"name@sublabel\"", c->path,
			       it->line, it->value);
			return RBL_EINVAL;
		}
		if (!list_in_conf(c, name) &&
		    !(t && rbl_list_get(t, name, &l) == RBL_OK)) {
			seterr(err, errlen, "%s:%u: list: no list named \"%s\""
			       " (define it in a list: section or create it "
			       "with rblctl list create)", c->path, it->line,
			       name);
			return RBL_EINVAL;
		}
	}
	return RBL_OK;
}

static int validate_zone(const rbl_conf *c, const rbl_conf_section *s,
			 rbl_txn *t, char *err, size_t errlen)
{
	char zname[RBL_NAME_MAX + 1];
	const rbl_conf_item *it = NULL;
	rbl_glue g = { 0 };

	if (rbl_conf_zone_name(s->title, zname) != RBL_OK) {
		seterr(err, errlen, "%s:%u: zone \"%s\" is not a domain name",
		       c->path, s->line, s->title);
		return RBL_EINVAL;
	}
	if (count_items(s, "ns") > RBL_ZONE_MAX_NS ||
	    count_items(s, "glue") > RBL_ZONE_MAX_GLUE) {
		seterr(err, errlen, "%s:%u: zone %s: at most %d ns and %d "
		       "glue", c->path, s->line, zname, RBL_ZONE_MAX_NS,
		       RBL_ZONE_MAX_GLUE);
		return RBL_EINVAL;
	}
	while ((it = rbl_conf_next_item(s, "glue", it)))
		if (parse_glue(it->value, &g) != RBL_OK) {
			seterr(err, errlen, "%s:%u: glue: \"%s\" is not "
			       "\"name address\"", c->path, it->line,
			       it->value);
			return RBL_EINVAL;
		}
	return validate_zone_lists(c, s, t, err, errlen);
}

int rbl_conf_validate(const rbl_conf *c, rbl_txn *t, char *err,
		      size_t errlen)
{
	const rbl_conf_section *s = NULL;
	int rc;

	rc = rbl_conf_check(c, err, errlen);
	if (rc != RBL_OK)
		return rc;
	while ((s = rbl_conf_next(c, "list", s))) {
		rc = validate_list(c, s, t, err, errlen);
		if (rc != RBL_OK)
			return rc;
	}
	while ((s = rbl_conf_next(c, "zone", s))) {
		rc = validate_zone(c, s, t, err, errlen);
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* ---- lists ---- */

/* Set L's defaults from section S (only the keys it has).  Returns true
 * when something changed, reporting each change. */
static bool list_settings(apply_ctx *a, const rbl_conf_section *s,
			  rbl_list *l, bool report)
{
	const char *v;
	uint32_t code = 0;
	char b1[16], b2[16];
	bool changed = false;

	v = rbl_conf_get(s, "default-code");
	if (v && rbl_code_parse(v, &code) == RBL_OK &&
	    code != l->default_code) {
		if (report)
			say(a, true, "list %s: default-code %s -> %s", l->name,
			    rbl_code_format(l->default_code, b1),
			    rbl_code_format(code, b2));
		l->default_code = code;
		changed = true;
	}
	v = rbl_conf_get(s, "default-txt");
	if (v && (!l->has_default_txt || strcmp(v, l->default_txt) != 0)) {
		if (report)
			say(a, true, "list %s: default-txt \"%s\" -> \"%s\"",
			    l->name, l->has_default_txt ? l->default_txt : "",
			    v);
		l->has_default_txt = 1;
		snprintf(l->default_txt, sizeof(l->default_txt), "%s", v);
		changed = true;
	}
	return changed;
}

static int create_list(apply_ctx *a, const rbl_conf_section *s)
{
	rbl_list l = { 0 };
	char b[16];
	int rc;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", s->title);
	l.kind = (uint8_t)parse_kind(rbl_conf_get(s, "kind"));
	l.default_code = 0x7f000002;
	list_settings(a, s, &l, false);
	rc = rbl_list_create(a->t, &l);
	if (rc != RBL_OK) {
		seterr(a->err, a->errlen, "%s:%u: list %s: cannot create: %s",
		       a->c->path, s->line, l.name, rbl_strerror(rc));
		return rc;
	}
	say(a, true, "list %s: created (kind %s, default-code %s%s%s%s)",
	    l.name, kind_name(l.kind), rbl_code_format(l.default_code, b),
	    l.has_default_txt ? ", default-txt \"" : "",
	    l.has_default_txt ? l.default_txt : "",
	    l.has_default_txt ? "\"" : "");
	return RBL_OK;
}

static int apply_list(apply_ctx *a, const rbl_conf_section *s)
{
	const char *kind = rbl_conf_get(s, "kind");
	rbl_list l = { 0 };
	int rc;

	rc = rbl_list_get(a->t, s->title, &l);
	if (rc == RBL_ENOTFOUND)
		return create_list(a, s);
	if (rc != RBL_OK)
		return rc;
	if (kind && parse_kind(kind) != l.kind) {
		seterr(a->err, a->errlen, "%s:%u: list %s is of kind %s in the"
		       " store; changing it to %s would lose its entries "
		       "(create a new list instead)", a->c->path, s->line,
		       l.name, kind_name(l.kind), kind);
		return RBL_EINVAL;
	}
	if (!list_settings(a, s, &l, true))
		return RBL_OK;
	rc = rbl_list_update(a->t, &l);
	if (rc != RBL_OK)
		seterr(a->err, a->errlen, "list %s: cannot update: %s", l.name,
		       rbl_strerror(rc));
	return rc;
}

/* ---- zones ---- */

static int zone_lists_from_conf(apply_ctx *a, const rbl_conf_section *s,
				rbl_zone *z)
{
	const rbl_conf_item *it = NULL;
	char name[RBL_LIST_NAME_MAX + 1], sub[RBL_LABEL_MAX + 1];
	rbl_list l = { 0 };
	int rc;

	if (!rbl_conf_next_item(s, "list", NULL))
		return RBL_OK;
	z->n_lists = 0;
	while ((it = rbl_conf_next_item(s, "list", it))) {
		rbl_zone_list *zl = &z->lists[z->n_lists];

		if (rbl_conf_parse_list_ref(it->value, name, sub) != RBL_OK ||
		    z->n_lists >= RBL_ZONE_MAX_LISTS)
			return RBL_EINVAL;
		rc = rbl_list_get(a->t, name, &l);
		if (rc != RBL_OK) {
			seterr(a->err, a->errlen, "%s:%u: list %s: %s",
			       a->c->path, it->line, name, rbl_strerror(rc));
			return rc;
		}
		zl->list_id = l.id;
		snprintf(zl->sub, sizeof(zl->sub), "%s", sub);
		z->n_lists++;
	}
	return RBL_OK;
}

static int zone_names_from_conf(const rbl_conf_section *s, rbl_zone *z)
{
	const rbl_conf_item *it = NULL;

	if (rbl_conf_next_item(s, "ns", NULL)) {
		z->n_ns = 0;
		while ((it = rbl_conf_next_item(s, "ns", it)))
			if (rbl_conf_zone_name(it->value, z->ns[z->n_ns++]))
				return RBL_EINVAL;
	}
	if (rbl_conf_next_item(s, "glue", NULL)) {
		z->n_glue = 0;
		while ((it = rbl_conf_next_item(s, "glue", it)))
			if (parse_glue(it->value, &z->glue[z->n_glue++]))
				return RBL_EINVAL;
	}
	if (rbl_conf_get(s, "soa-mname") &&
	    rbl_conf_zone_name(rbl_conf_get(s, "soa-mname"), z->mname))
		return RBL_EINVAL;
	if (rbl_conf_get(s, "soa-rname") &&
	    rbl_conf_zone_name(rbl_conf_get(s, "soa-rname"), z->rname))
		return RBL_EINVAL;
	return RBL_OK;
}

uint32_t *rbl_zone_time_field(rbl_zone *z, const char *key)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "ttl", offsetof(rbl_zone, ttl) },
		{ "neg-ttl", offsetof(rbl_zone, neg_ttl) },
		{ "ns-ttl", offsetof(rbl_zone, ns_ttl) },
		{ "refresh", offsetof(rbl_zone, refresh) },
		{ "retry", offsetof(rbl_zone, retry) },
		{ "expire", offsetof(rbl_zone, expire) },
		{ "minimum", offsetof(rbl_zone, minimum) },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i].key) == 0)
			return (uint32_t *)((char *)z + keys[i].off);
	return NULL;
}

static int zone_times_from_conf(apply_ctx *a, const rbl_conf_section *s,
				rbl_zone *z)
{
	/* "minimum" follows neg-ttl; it is not a key of its own here */
	static const char *const keys[] = {
		"ttl", "neg-ttl", "ns-ttl", "refresh", "retry", "expire",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint32_t *field = rbl_zone_time_field(z, keys[i]);
		int rc = rbl_conf_duration(a->c, s, keys[i], *field, field,
					   a->err, a->errlen);

		if (rc != RBL_OK)
			return rc;
	}
	z->minimum = z->neg_ttl;
	return RBL_OK;
}

static int zone_from_conf(apply_ctx *a, const rbl_conf_section *s,
			  rbl_zone *z)
{
	int rc = zone_times_from_conf(a, s, z);

	if (rc != RBL_OK)
		return rc;
	rc = zone_names_from_conf(s, z);
	if (rc != RBL_OK) {
		seterr(a->err, a->errlen, "%s:%u: zone %s: bad name server, "
		       "glue or SOA name", a->c->path, s->line, z->name);
		return rc;
	}
	return zone_lists_from_conf(a, s, z);
}

static void format_lists(rbl_txn *t, const rbl_zone *z, char *buf,
			 size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < z->n_lists && used < len; i++) {
		rbl_list l = { 0 };

		if (rbl_list_get_id(t, z->lists[i].list_id, &l) != RBL_OK)
			snprintf(l.name, sizeof(l.name), "#%u",
				 z->lists[i].list_id);
		used += (size_t)snprintf(buf + used, len - used, "%s%s%s%s",
					 i ? "," : "", l.name,
					 z->lists[i].sub[0] ? "@" : "",
					 z->lists[i].sub);
	}
}

static void format_ns(const rbl_zone *z, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < z->n_ns && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "," : "", z->ns[i]);
}

/* Report each difference between OLD and NEW; true if any. */
static bool report_zone_diff(apply_ctx *a, const rbl_zone *o,
			     const rbl_zone *n)
{
	static const struct { const char *key; size_t off; } nums[] = {
		{ "ttl", offsetof(rbl_zone, ttl) },
		{ "neg-ttl", offsetof(rbl_zone, neg_ttl) },
		{ "ns-ttl", offsetof(rbl_zone, ns_ttl) },
		{ "refresh", offsetof(rbl_zone, refresh) },
		{ "retry", offsetof(rbl_zone, retry) },
		{ "expire", offsetof(rbl_zone, expire) },
	};
	char b1[1200], b2[1200];
	unsigned before = a->changes;

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		uint32_t x = *(const uint32_t *)((const char *)o + nums[i].off);
		uint32_t y = *(const uint32_t *)((const char *)n + nums[i].off);

		if (x != y)
			say(a, true, "zone %s: %s %u -> %u", n->name,
			    nums[i].key, x, y);
	}
	if (strcmp(o->mname, n->mname))
		say(a, true, "zone %s: soa-mname %s -> %s", n->name, o->mname,
		    n->mname);
	if (strcmp(o->rname, n->rname))
		say(a, true, "zone %s: soa-rname %s -> %s", n->name, o->rname,
		    n->rname);
	format_ns(o, b1, sizeof(b1));
	format_ns(n, b2, sizeof(b2));
	if (strcmp(b1, b2))
		say(a, true, "zone %s: ns %s -> %s", n->name, b1, b2);
	if (o->n_glue != n->n_glue ||
	    memcmp(o->glue, n->glue, n->n_glue * sizeof(n->glue[0])))
		say(a, true, "zone %s: glue changed (%u records)", n->name,
		    n->n_glue);
	format_lists(a->t, o, b1, sizeof(b1));
	format_lists(a->t, n, b2, sizeof(b2));
	if (strcmp(b1, b2))
		say(a, true, "zone %s: lists %s -> %s", n->name, b1, b2);
	return a->changes != before;
}

static int add_test_entries(apply_ctx *a, const rbl_zone *z)
{
	for (unsigned i = 0; i < z->n_lists; i++) {
		int rc = rbl_list_add_test_entries(a->t, z->lists[i].list_id);

		if (rc != RBL_OK) {
			seterr(a->err, a->errlen, "zone %s: cannot add the "
			       "test entries: %s", z->name, rbl_strerror(rc));
			return rc;
		}
	}
	return RBL_OK;
}

static int create_zone(apply_ctx *a, const rbl_conf_section *s,
		       const char *name)
{
	char lists[1200];
	rbl_zone z = { 0 };
	bool tests = false;
	int rc;

	rbl_zone_defaults(&z, name);
	rc = zone_from_conf(a, s, &z);
	if (rc == RBL_OK)
		rc = rbl_conf_bool(a->c, s, "test-entries", true, &tests,
				   a->err, a->errlen);
	if (rc != RBL_OK)
		return rc;
	rc = rbl_zone_create(a->t, &z);
	if (rc != RBL_OK) {
		seterr(a->err, a->errlen, "%s:%u: zone %s: cannot create: %s",
		       a->c->path, s->line, name, rbl_strerror(rc));
		return rc;
	}
	format_lists(a->t, &z, lists, sizeof(lists));
	say(a, true, "zone %s: created (lists %s)", z.name,
	    lists[0] ? lists : "none");
	if (tests) {
		rc = add_test_entries(a, &z);
		if (rc == RBL_OK && z.n_lists)
			say(a, true, "zone %s: RFC 5782 test entries added",
			    z.name);
	}
	return rc;
}

static int apply_zone(apply_ctx *a, const rbl_conf_section *s)
{
	char name[RBL_NAME_MAX + 1];
	rbl_zone old = { 0 }, z = { 0 };
	int rc;

	if (rbl_conf_zone_name(s->title, name) != RBL_OK) {
		seterr(a->err, a->errlen, "%s:%u: zone \"%s\" is not a domain "
		       "name", a->c->path, s->line, s->title);
		return RBL_EINVAL;
	}
	rc = rbl_zone_get(a->t, name, &old);
	if (rc == RBL_ENOTFOUND)
		return create_zone(a, s, name);
	if (rc != RBL_OK)
		return rc;
	z = old;
	rc = zone_from_conf(a, s, &z);
	if (rc != RBL_OK || !report_zone_diff(a, &old, &z))
		return rc;
	rc = rbl_zone_update(a->t, &z);
	if (rc != RBL_OK)
		seterr(a->err, a->errlen, "zone %s: cannot update: %s", name,
		       rbl_strerror(rc));
	return rc;
}

/* ---- things the configuration does not mention ---- */

static int note_stray_list(void *arg, const rbl_list *l)
{
	apply_ctx *a = arg;

	if (!list_in_conf(a->c, l->name))
		say(a, false, "list %s: in the store but not in %s (kept)",
		    l->name, a->c->path);
	return 0;
}

static int note_stray_zone(void *arg, const rbl_zone *z)
{
	apply_ctx *a = arg;
	const rbl_conf_section *s = NULL;
	char name[RBL_NAME_MAX + 1];

	while ((s = rbl_conf_next(a->c, "zone", s)))
		if (rbl_conf_zone_name(s->title, name) == RBL_OK &&
		    strcmp(name, z->name) == 0)
			return 0;
	say(a, false, "zone %s: in the store but not in %s (kept)", z->name,
	    a->c->path);
	return 0;
}

int rbl_conf_apply(rbl_txn *t, const rbl_conf *c, rbl_conf_report_fn report,
		   void *arg, unsigned *n_changes, char *err, size_t errlen)
{
	apply_ctx a = { t, c, report, arg, 0, err, errlen };
	const rbl_conf_section *s = NULL;
	int rc;

	rc = rbl_conf_validate(c, t, err, errlen);
	while (rc == RBL_OK && (s = rbl_conf_next(c, "list", s)))
		rc = apply_list(&a, s);
	while (rc == RBL_OK && (s = rbl_conf_next(c, "zone", s)))
		rc = apply_zone(&a, s);
	if (rc == RBL_OK)
		rc = rbl_list_foreach(t, note_stray_list, &a);
	if (rc == RBL_OK)
		rc = rbl_zone_foreach(t, note_stray_zone, &a);
	if (n_changes)
		*n_changes = a.changes;
	return rc;
}
