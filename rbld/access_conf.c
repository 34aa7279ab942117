/*
 * access_conf.c -- read the acl:, quota: and rrl: sections (see access.h).
 *
 * acl:                 global rules (an acl: titled with a zone name has
 *     rule: CIDR ACTION        that zone's rules; later rules override)
 *     file: PATH       rbldnsd acl dataset
 * quota:  queries-per-day, ipv4-prefix, ipv6-prefix, action, exempt,
 *         table-size
 * rrl:    responses-per-second, nxdomain-per-second, errors-per-second,
 *         window, slip, ipv4-prefix, ipv6-prefix, exempt, dry-run,
 *         table-size, log
 * Every mistake is reported as "path:line: ..." so `rbld -t` finds it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"
#include "access.h"
#include "keytab.h"

#define DEFAULT_TABLE		65536
#define DEFAULT_QUOTA_ACTION	"answer 127.255.255.255 Excessive number " \
				"of queries from $"

void rbl_access_init(rbl_access *p)
{
	memset(p, 0, sizeof(*p));
	p->rrl.window = 15;
	p->rrl.slip = 2;
	p->rrl.prefix4 = 24;
	p->rrl.prefix6 = 56;
	p->rrl.table_size = DEFAULT_TABLE;
	p->rrl.log = true;
	p->quota.prefix4 = 32;
	p->quota.prefix6 = 64;
	p->quota.table_size = DEFAULT_TABLE;
}

void rbl_access_free(rbl_access *p)
{
	rbl_acl_free(p->acl);
	for (size_t i = 0; i < p->n_zone_acls; i++)
		rbl_acl_free(p->zone_acls[i].acl);
	free(p->zone_acls);
	rbl_acl_free(p->rrl_exempt);
	rbl_acl_free(p->quota_exempt);
	free(p->zone_keys);
	rbl_access_init(p);
}

bool rbl_access_active(const rbl_access *p)
{
	return p->acl || p->n_zone_acls || p->quota.per_day ||
	       rbl_rrl_enabled(&p->rrl);
}

static int item_error(const rbl_conf *c, const rbl_conf_item *it,
		      const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%u: %s: %s", c->path, it->line, it->key,
		 why);
	return RBL_EINVAL;
}

/* ---- acl ---- */

static int add_rules(const rbl_conf *c, const rbl_conf_section *s,
		     rbl_acl *a, char *err, size_t errlen)
{
	const rbl_conf_item *it = NULL;
	char why[RBL_CONF_ERRLEN];
	int rc;

	while ((it = rbl_conf_next_item(s, "file", it))) {
		rc = rbl_acl_load_file(a, it->value, why, sizeof(why));
		if (rc != RBL_OK) {
			item_error(c, it, why, err, errlen);
			return rc;
		}
	}
	while ((it = rbl_conf_next_item(s, "rule", it))) {
		rbl_acl_rule r = { 0 };

		if (rbl_acl_parse_rule(it->value, &r, why, sizeof(why)) != RBL_OK)
			return item_error(c, it, why, err, errlen);
		if ((rc = rbl_acl_add(a, &r)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

static int load_global_acl(const rbl_conf *c, rbl_access *p, char *err,
			   size_t errlen)
{
	const rbl_conf_section *s = NULL;
	int rc;

	while ((s = rbl_conf_next(c, "acl", s))) {
		if (s->title[0])
			continue;
		if (!p->acl && (rc = rbl_acl_new(&p->acl)) != RBL_OK)
			return rc;
		if ((rc = add_rules(c, s, p->acl, err, errlen)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* The zone acl of NAME, created (with the global rules) when new. */
static int zone_acl(rbl_access *p, const rbl_zt_name *name, rbl_acl **out)
{
	rbl_zone_acl *z = NULL;
	int rc;

	for (size_t i = 0; i < p->n_zone_acls; i++)
		if (p->zone_acls[i].zone.len == name->len &&
		    memcmp(p->zone_acls[i].zone.wire, name->wire, name->len) == 0) {
			*out = p->zone_acls[i].acl;
			return RBL_OK;
		}
	if (rbl_array_reserve(p->zone_acls, p->cap_zone_acls,
			      p->n_zone_acls + 1, 4) != RBL_OK)
		return RBL_ENOMEM;
	z = &p->zone_acls[p->n_zone_acls];
	z->zone = *name;
	if ((rc = rbl_acl_new(&z->acl)) != RBL_OK)
		return rc;
	p->n_zone_acls++;
	*out = z->acl;
	return p->acl ? rbl_acl_add_all(z->acl, p->acl) : RBL_OK;
}

static int load_zone_acls(const rbl_conf *c, rbl_access *p, char *err,
			  size_t errlen)
{
	const rbl_conf_section *s = NULL;
	char name[RBL_NAME_MAX + 1];
	rbl_zt_name wire = { 0 };
	rbl_acl *a = NULL;
	int rc;

	while ((s = rbl_conf_next(c, "acl", s))) {
		if (!s->title[0])
			continue;
		if (rbl_conf_zone_name(s->title, name) != RBL_OK ||
		    rbl_zt_name_from_text(name, &wire) != RBL_OK) {
			snprintf(err, errlen, "%s:%u: acl: \"%s\" is not a zone "
				 "name", c->path, s->line, s->title);
			return RBL_EINVAL;
		}
		if ((rc = zone_acl(p, &wire, &a)) != RBL_OK ||
		    (rc = add_rules(c, s, a, err, errlen)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* ---- shared: prefixes, exempt lists ---- */

static int get_prefixes(const rbl_conf *c, const rbl_conf_section *s,
			uint8_t *p4, uint8_t *p6, char *err, size_t errlen)
{
	uint32_t v4 = 0, v6 = 0;
	int rc;

	if ((rc = rbl_conf_u32(c, s, "ipv4-prefix", *p4, &v4, err,
			       errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "ipv6-prefix", *p6, &v6, err,
			       errlen)) != RBL_OK)
		return rc;
	if (v4 < 1 || v4 > 32 || v6 < 1 || v6 > 64) {
		snprintf(err, errlen, "%s:%u: %s: ipv4-prefix 1..32, ipv6-prefix"
			 " 1..64", c->path, s->line, s->name);
		return RBL_EINVAL;
	}
	*p4 = (uint8_t)v4;
	*p6 = (uint8_t)v6;
	return RBL_OK;
}

static int get_exempt(const rbl_conf *c, const rbl_conf_section *s,
		      rbl_acl **out, char *err, size_t errlen)
{
	const rbl_conf_item *it = NULL;
	int rc;

	while ((it = rbl_conf_next_item(s, "exempt", it))) {
		rbl_acl_rule r = { .action = RBL_ACT_PASS };

		if (rbl_prefix_parse(it->value, true, &r.prefix) != RBL_OK)
			return item_error(c, it, "not an address or CIDR prefix "
					  "(host bits must be zero)", err, errlen);
		if (!*out && (rc = rbl_acl_new(out)) != RBL_OK)
			return rc;
		if ((rc = rbl_acl_add(*out, &r)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* ---- quota ---- */

static int get_quota_action(const rbl_conf *c, const rbl_conf_section *s,
			    rbl_quota_conf *q, char *err, size_t errlen)
{
	const char *v = rbl_conf_get(s, "action");
	char why[RBL_CONF_ERRLEN];

	if (rbl_acl_parse_action(v ? v : DEFAULT_QUOTA_ACTION, &q->over, why,
				 sizeof(why)) != RBL_OK) {
		snprintf(err, errlen, "%s:%u: quota: action: %s", c->path,
			 s->line, why);
		return RBL_EINVAL;
	}
	if (q->over.action == RBL_ACT_PASS) {
		snprintf(err, errlen, "%s:%u: quota: action pass does nothing; "
			 "set queries-per-day: 0 instead", c->path, s->line);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

static int load_quota(const rbl_conf *c, rbl_access *p, char *err,
		      size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "quota", NULL);
	rbl_quota_conf *q = &p->quota;
	int rc;

	if (!s)
		return RBL_OK;
	if ((rc = rbl_conf_u32(c, s, "queries-per-day", 0, &q->per_day, err,
			       errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "table-size", DEFAULT_TABLE,
			       &q->table_size, err, errlen)) != RBL_OK ||
	    (rc = get_prefixes(c, s, &q->prefix4, &q->prefix6, err,
			       errlen)) != RBL_OK ||
	    (rc = get_quota_action(c, s, q, err, errlen)) != RBL_OK ||
	    (rc = get_exempt(c, s, &p->quota_exempt, err, errlen)) != RBL_OK)
		return rc;
	q->exempt = p->quota_exempt;
	return RBL_OK;
}

/* ---- rrl ---- */

static int get_rates(const rbl_conf *c, const rbl_conf_section *s,
		     rbl_rrl_conf *r, char *err, size_t errlen)
{
	uint32_t *rate = r->rate;
	int rc;

	if ((rc = rbl_conf_u32(c, s, "responses-per-second", 0,
			       &rate[RBL_RRL_ANSWER], err, errlen)) != RBL_OK)
		return rc;
	/* NXDOMAIN is the common DNSBL answer: a generous default. */
	if ((rc = rbl_conf_u32(c, s, "nxdomain-per-second",
			       4 * rate[RBL_RRL_ANSWER],
			       &rate[RBL_RRL_NXDOMAIN], err, errlen)) != RBL_OK)
		return rc;
	return rbl_conf_u32(c, s, "errors-per-second", rate[RBL_RRL_ANSWER],
			    &rate[RBL_RRL_ERROR], err, errlen);
}

static int load_rrl(const rbl_conf *c, rbl_access *p, char *err,
		    size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "rrl", NULL);
	rbl_rrl_conf *r = &p->rrl;
	int rc;

	if (!s)
		return RBL_OK;
	if ((rc = get_rates(c, s, r, err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_duration(c, s, "window", r->window, &r->window,
				    err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "slip", r->slip, &r->slip, err,
			       errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "table-size", r->table_size,
			       &r->table_size, err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_bool(c, s, "dry-run", false, &r->dry_run, err,
				errlen)) != RBL_OK ||
	    (rc = rbl_conf_bool(c, s, "log", true, &r->log, err,
				errlen)) != RBL_OK ||
	    (rc = get_prefixes(c, s, &r->prefix4, &r->prefix6, err,
			       errlen)) != RBL_OK ||
	    (rc = get_exempt(c, s, &p->rrl_exempt, err, errlen)) != RBL_OK)
		return rc;
	if (r->window < 1 || r->window > 3600 || r->slip > 10) {
		snprintf(err, errlen, "%s:%u: rrl: window 1s..1h, slip 0..10",
			 c->path, s->line);
		return RBL_EINVAL;
	}
	r->exempt = p->rrl_exempt;
	return RBL_OK;
}

int rbl_access_load(const rbl_conf *c, rbl_access *p, char *err,
		    size_t errlen)
{
	int rc;

	if ((rc = load_global_acl(c, p, err, errlen)) != RBL_OK ||
	    (rc = load_zone_acls(c, p, err, errlen)) != RBL_OK ||
	    (rc = load_quota(c, p, err, errlen)) != RBL_OK ||
	    (rc = load_rrl(c, p, err, errlen)) != RBL_OK ||
	    (rc = rbl_zone_keys_load(c, &p->zone_keys, &p->n_zone_keys, err,
				     errlen)) != RBL_OK) {
		if (rc == RBL_ENOMEM)
			snprintf(err, errlen, "%s: out of memory", c->path);
		return rc;
	}
	return RBL_OK;
}

void rbl_access_describe(const rbl_access *p, char *buf, size_t len)
{
	const rbl_rrl_conf *r = &p->rrl;
	int n = snprintf(buf, len, "acl %zu global rules, %zu zone acls",
			 p->acl ? rbl_acl_count(p->acl) : 0, p->n_zone_acls);

	if (n > 0 && (size_t)n < len && p->quota.per_day)
		n += snprintf(buf + n, len - (size_t)n, "; quota %u/day (%s)",
			      p->quota.per_day,
			      rbl_acl_act_name(p->quota.over.action));
	if (n > 0 && (size_t)n < len && p->n_zone_keys)
		n += snprintf(buf + n, len - (size_t)n, "; %zu zones take keys",
			      p->n_zone_keys);
	if (n > 0 && (size_t)n < len && rbl_rrl_enabled(r))
		snprintf(buf + n, len - (size_t)n, "; rrl %u/%u/%u per s "
			 "(answers/nxdomain/errors), window %us, slip %u%s",
			 r->rate[RBL_RRL_ANSWER], r->rate[RBL_RRL_NXDOMAIN],
			 r->rate[RBL_RRL_ERROR], r->window, r->slip,
			 r->dry_run ? ", dry run" : "");
}
