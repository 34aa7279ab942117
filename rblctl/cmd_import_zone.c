/*
 * cmd_import_zone.c -- rblctl import-zone: an rbldnsd combined file (or
 * generic data) into a zone: one list per $DATASET section, created when
 * missing and attached under its subzones, the zone's $SOA/$NS/$TTL, its
 * generic records, all in one transaction (the run itself: cmd_import.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_import.h"
#include "ctl.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"

static int section_list_name(const char *zone, import_set *s, size_t index)
{
	char base[RBL_LIST_NAME_MAX + 8];

	if (s->sec.name[0])
		snprintf(base, sizeof(base), "%s", s->sec.name);
	else
		snprintf(base, sizeof(base), "%s-%zu",
			 rbl_ds_type_name(s->sec.type), index + 1);
	if (strlen(zone) + 1 + strlen(base) > RBL_LIST_NAME_MAX)
		return ctl_err("list name %s.%s is longer than %d", zone, base,
			       RBL_LIST_NAME_MAX);
	memcpy(s->list_name, zone, strlen(zone));
	s->list_name[strlen(zone)] = '.';
	strcpy(s->list_name + strlen(zone) + 1, base);
	for (char *p = s->list_name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *p))
			*p = '_';
	return CTL_OK;
}

static int section_list(import_run *r, rbl_txn *t, import_set *s)
{
	int rc = rbl_list_get(t, s->list_name, &s->list);

	if (rc == RBL_OK && s->list.kind != imp_kind_of(s->sec.type))
		return ctl_err("list %s holds %s, but $DATASET %s (%s:%u) holds"
			       " %s", s->list_name,
			       s->list.kind == RBL_LIST_IP ? "addresses" :
			       "domains", rbl_ds_type_name(s->sec.type),
			       s->sec.file, s->sec.line,
			       s->list.kind == RBL_LIST_IP ? "domains" :
			       "addresses");
	if (rc != RBL_ENOTFOUND)
		return rc == RBL_OK ? CTL_OK :
		       ctl_fail(NULL, rc, "list %s", s->list_name);
	memset(&s->list, 0, sizeof(s->list));
	snprintf(s->list.name, sizeof(s->list.name), "%s", s->list_name);
	s->list.kind = (uint8_t)imp_kind_of(s->sec.type);
	rc = rbl_list_create(t, &s->list);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "list %s", s->list_name);
	ctl_say(r->c, "list %s created\n", s->list_name);
	return CTL_OK;
}

static bool zone_has(const rbl_zone *z, uint32_t id, const char *sub)
{
	for (unsigned i = 0; i < z->n_lists; i++)
		if (z->lists[i].list_id == id && strcmp(z->lists[i].sub, sub)
		    == 0)
			return true;
	return false;
}

static int attach(rbl_zone *z, const import_set *s)
{
	for (unsigned j = 0; j < s->sec.n_sub; j++) {
		const char *sub = s->sec.sub[j];

		if (strchr(sub, '.') || strlen(sub) > RBL_LABEL_MAX)
			return ctl_err("%s:%u: subzone %s: rbld attaches lists "
				       "under one label", s->sec.file,
				       s->sec.line, sub);
		if (zone_has(z, s->list.id, sub))
			continue;
		if (z->n_lists == RBL_ZONE_MAX_LISTS)
			return ctl_err("zone %s: more than %d list attachments",
				       z->name, RBL_ZONE_MAX_LISTS);
		z->lists[z->n_lists].list_id = s->list.id;
		snprintf(z->lists[z->n_lists].sub, sizeof(z->lists[0].sub),
			 "%.*s", RBL_LABEL_MAX, sub);
		z->n_lists++;
	}
	return CTL_OK;
}

static void apply_meta(const rbl_ds_meta *m, rbl_zone *z)
{
	if (m->has_soa) {
		snprintf(z->mname, sizeof(z->mname), "%s", m->soa_mname);
		snprintf(z->rname, sizeof(z->rname), "%s", m->soa_rname);
		z->refresh = m->soa_refresh;
		z->retry = m->soa_retry;
		z->expire = m->soa_expire;
		z->minimum = z->neg_ttl = m->soa_minimum;
		if (m->soa_ttl)
			z->ns_ttl = m->soa_ttl;
	}
	if (m->n_ns) {
		z->n_ns = 0;
		for (unsigned i = 0; i < m->n_ns && i < RBL_ZONE_MAX_NS; i++)
			snprintf(z->ns[z->n_ns++], sizeof(z->ns[0]), "%s",
				 m->ns[i]);
		if (m->ns_ttl)
			z->ns_ttl = m->ns_ttl;
	}
	if (m->has_ttl && m->ttl)
		z->ttl = m->ttl;
}

static int zone_get_or_new(import_run *r, rbl_txn *t, const char *name,
			   rbl_zone *z, bool *created)
{
	int rc = rbl_zone_get(t, name, z);

	*created = rc == RBL_ENOTFOUND;
	if (*created)
		rbl_zone_defaults(z, name);
	else if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "zone %s", name);
	if ((r->o.replace && r->o.type != RBL_DS_GENERIC) || *created)
		z->n_lists = 0;	/* the file says which lists answer */
	return CTL_OK;
}

/* The file's generic records become the zone's (with --replace, no
 * generic data means no records). */
static int write_records(import_run *r, rbl_txn *t, const rbl_zone *z)
{
	size_t zlen = strlen(z->name);
	int rc;

	for (size_t i = 0; i < r->n_rrs; i++)
		if (strlen(r->rrs[i].owner) + 1 + zlen > RBL_NAME_MAX)
			return ctl_err("generic record %s.%s: name too long",
				       r->rrs[i].owner, z->name);
	rc = rbl_zrec_replace(t, z->id, r->rrs, r->n_rrs);
	return rc == RBL_OK ? CTL_OK :
	       ctl_fail(NULL, rc, "zone %s: generic records", z->name);
}

static int write_zone(import_run *r, rbl_txn *t, const char *name)
{
	rbl_zone *z = calloc(1, sizeof(*z));
	bool created = false;
	int rc = z ? zone_get_or_new(r, t, name, z, &created) :
		     ctl_err("out of memory");

	for (size_t i = 0; rc == CTL_OK && i < r->n_sets; i++) {
		import_set *s = &r->sets[i];

		if (s->sec.type == RBL_DS_ACL) {
			fprintf(stderr, "rblctl: %s:%u: warning: acl dataset "
				"skipped (acl rules go in rbld.conf: an "
				"\"acl: %s\" section, rbld.conf(5))\n",
				s->sec.file, s->sec.line, name);
			continue;
		}
		if (s->sec.type == RBL_DS_GENERIC)
			continue;	/* zone records: below */
		if (s->base >= 0)
			continue;	/* folded into its base list */
		rc = section_list_name(name, s, i);
		if (rc == CTL_OK)
			rc = section_list(r, t, s);
		if (rc == CTL_OK)
			rc = attach(z, s);
		s->clear = true;
		for (size_t j = 0; j < i; j++)
			if (r->sets[j].base < 0 &&
			    r->sets[j].list.id == s->list.id)
				s->clear = false;
	}
	if (rc == CTL_OK) {
		apply_meta(&r->meta, z);
		rc = created ? rbl_zone_create(t, z) : rbl_zone_update(t, z);
		rc = rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "zone %s", name);
	}
	if (rc == CTL_OK && (r->has_generic || r->o.replace))
		rc = write_records(r, t, z);
	free(z);
	if (rc == CTL_OK)
		rc = imp_write_all(r, t);
	return rc;
}

/* "NAME.aK" (K = 2..4) naming the dataset of K-th A values of NAME. */
static int extra_codes_of(import_run *r, size_t i, unsigned *k)
{
	const char *n = r->sets[i].sec.name, *dot = strrchr(n, '.');
	size_t base_len = dot ? (size_t)(dot - n) : 0;

	if (!dot || dot[1] != 'a' || dot[2] < '2' || dot[2] > '0' +
	    RBL_MAX_CODES || dot[3])
		return -1;
	for (size_t j = 0; j < r->n_sets; j++)
		if (j != i && imp_is_list_set(&r->sets[j]) &&
		    strlen(r->sets[j].sec.name) == base_len &&
		    strncmp(r->sets[j].sec.name, n, base_len) == 0 &&
		    imp_kind_of(r->sets[j].sec.type) ==
		    imp_kind_of(r->sets[i].sec.type)) {
			*k = (unsigned)(dot[2] - '1');
			return (int)j;
		}
	return -1;
}

static int check_sections(import_run *r)
{
	if (r->n_sets == 0)
		return ctl_err("no $DATASET section: nothing to import");
	if (r->o.type == RBL_DS_GENERIC)
		return CTL_OK;
	for (size_t i = 0; i < r->n_sets; i++) {
		import_set *s = &r->sets[i];
		int kind = imp_kind_of(s->sec.type);

		if (!imp_is_list_set(s))
			continue;
		s->base = extra_codes_of(r, i, &s->code_index);
		for (size_t j = 0; j < i; j++)
			if (imp_is_list_set(&r->sets[j]) && s->sec.name[0] &&
			    strcmp(s->sec.name, r->sets[j].sec.name) == 0 &&
			    kind != imp_kind_of(r->sets[j].sec.type))
				return ctl_err("%s:%u: $DATASET %s holds %s, the "
					       "one on line %u %s", s->sec.file,
					       s->sec.line, s->sec.name,
					       kind == RBL_LIST_IP ?
					       "addresses" : "domains",
					       r->sets[j].sec.line,
					       "the other kind");
	}
	return CTL_OK;
}

int cmd_import_zone(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;
	char zone[RBL_NAME_MAX + 1];
	double t0 = imp_now_seconds();
	import_run r = { 0 };
	rbl_txn *t = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	rc = imp_parse_opts(me, argc, argv, &r.o, true);
	if (rc != CTL_OK)
		return rc;
	if (r.o.type != RBL_DS_GENERIC)
		r.o.type = RBL_DS_COMBINED;
	if (rbl_conf_zone_name(r.o.target, zone) != RBL_OK)
		return ctl_err("\"%s\" is not a zone name", r.o.target);
	imp_set_source(&r);
	rc = imp_parse_files(&r);
	if (rc == CTL_OK)
		rc = check_sections(&r);
	if (rc == CTL_OK && (ctl_open_store(c, true) != CTL_OK ||
			     ctl_begin(c, true, &t) != CTL_OK))
		rc = CTL_ERR;
	if (rc == CTL_OK) {
		rc = write_zone(&r, t, zone);
		if (rc == CTL_OK)
			rc = ctl_commit(t, "import-zone");
		else
			rbl_txn_abort(t);
	}
	if (rc == CTL_OK)
		imp_summary(&r, imp_now_seconds() - t0);
	imp_free_run(&r);
	return rc;
}
