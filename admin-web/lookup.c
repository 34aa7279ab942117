/*
 * lookup.c -- which lists list a subject, and why (see lookup.h).
 */
#include <stdio.h>
#include <string.h>

#include "zone/people/delist.h"
#include "zone/error.h"
#include "lookup.h"

struct lookup_ctx {
	rbl_txn *t;
	const char *subject;
	bool is_addr;
	rbl_addr addr;
	int64_t now;
	adm_hit hit;
	int (*fn)(void *arg, const adm_hit *h);
	void *arg;
};

struct zones_ctx {
	uint32_t list_id;
	char *out;
};

static int zone_uses(void *arg, const rbl_zone *z)
{
	struct zones_ctx *c = arg;

	for (unsigned i = 0; i < z->n_lists; i++) {
		size_t len = strlen(c->out);

		if (z->lists[i].list_id != c->list_id)
			continue;
		snprintf(c->out + len, ADM_ZONES_TEXT - len, "%s%s%s%s",
			 len ? ", " : "", z->lists[i].sub,
			 z->lists[i].sub[0] ? "." : "", z->name);
	}
	return 0;
}

/* The entry deciding for a name: the name itself, or the nearest parent
 * whose entry covers names below it. */
static int name_entry(struct lookup_ctx *c, const rbl_list *l)
{
	const char *n = c->subject;
	bool self = true;

	for (; n; n = strchr(n, '.'), n = n ? n + 1 : NULL, self = false) {
		char key[RBL_NAME_MAX + 3];
		rbl_entry e = { 0 };

		/* a parent answers through its subtree entry ("*.n") */
		snprintf(key, sizeof key, "%s%s", self ? "" : "*.", n);
		if (rbl_name_get(c->t, l->id, key, &e) != RBL_OK)
			continue;
		if (self ? !(e.flags & RBL_ENTRY_NAME_SUBS) ||
			   (e.flags & RBL_ENTRY_NAME_EXACT)
			 : (e.flags & RBL_ENTRY_NAME_SUBS) != 0) {
			c->hit.entry = e;
			snprintf(c->hit.key, sizeof c->hit.key, "%s%s",
				 self ? "" : "*.", n);
			return RBL_OK;
		}
	}
	return RBL_ENOTFOUND;
}

static int ip_entry(struct lookup_ctx *c, const rbl_list *l)
{
	rbl_prefix p = { 0 };
	char buf[RBL_ADDR_STRLEN];
	int rc = rbl_ip_explain(c->t, l->id, &c->addr, c->now, &p,
				&c->hit.entry);

	if (rc == RBL_OK)
		snprintf(c->hit.key, sizeof c->hit.key, "%s",
			 rbl_prefix_format(&p, buf));
	return rc;
}

static void apply_defaults(struct lookup_ctx *c, const rbl_list *l)
{
	adm_hit *h = &c->hit;
	const rbl_entry *e = &h->entry;
	const char *tpl = (e->flags & RBL_ENTRY_HAS_TXT) ? e->txt
			  : l->has_default_txt ? l->default_txt : "";

	h->n_codes = e->n_codes;
	memcpy(h->codes, e->codes, sizeof h->codes);
	if (h->n_codes == 0) {
		h->n_codes = 1;
		h->codes[0] = l->default_code;
	}
	rbl_txt_expand(tpl, strlen(tpl), c->subject, h->txt, sizeof h->txt);
}

static int check_list(void *arg, const rbl_list *l)
{
	struct lookup_ctx *c = arg;
	struct zones_ctx zc = { l->id, c->hit.zones };
	int rc;

	if (c->is_addr != (l->kind == RBL_LIST_IP))
		return 0;
	memset(&c->hit, 0, sizeof c->hit);
	rc = c->is_addr ? ip_entry(c, l) : name_entry(c, l);
	if (!c->is_addr && rc == RBL_OK) {
		rbl_match m = { 0 };

		rc = rbl_name_lookup_str(c->t, l->id, c->subject, c->now, &m);
	}
	if (rc == RBL_ENOTFOUND)
		return 0;
	if (rc != RBL_OK)
		return rc;
	c->hit.list = l;
	apply_defaults(c, l);
	rc = rbl_zone_foreach(c->t, zone_uses, &zc);
	return rc ? rc : c->fn(c->arg, &c->hit);
}

int adm_lookup(rbl_txn *t, const char *subject, int64_t now,
	       int (*fn)(void *arg, const adm_hit *h), void *arg)
{
	struct lookup_ctx c = { .t = t, .subject = subject, .now = now,
				.fn = fn, .arg = arg };

	if (rbl_delist_subject(subject, (char[RBL_NAME_MAX + 1]){ 0 },
			       &c.is_addr, &c.addr) != RBL_OK)
		return RBL_EINVAL;
	return rbl_list_foreach(t, check_list, &c);
}

const char *adm_allow_of(const adm_app *app, uint32_t list_id)
{
	const rbl_policy_set *set = app->policies;

	for (size_t i = 0; set && list_id && i < set->n; i++)
		if (set->policies[i].allow_list_id == list_id)
			return set->policies[i].name;
	return NULL;
}

void adm_zones_of(rbl_txn *t, uint32_t list_id, char out[ADM_ZONES_TEXT])
{
	struct zones_ctx zc = { list_id, out };

	out[0] = '\0';
	rbl_zone_foreach(t, zone_uses, &zc);
}

struct keep_ctx {
	adm_kept_hit *out;
	unsigned max, n;
};

static int keep(void *arg, const adm_hit *h)
{
	struct keep_ctx *c = arg;
	adm_kept_hit *k = NULL;

	if (c->n == c->max)
		return 0;
	k = &c->out[c->n++];
	k->hit = *h;
	k->list = *h->list;	/* H->LIST lives only during the walk */
	k->hit.list = &k->list;
	return 0;
}

int adm_lookup_all(rbl_txn *t, const char *subject, int64_t now,
		   adm_kept_hit *out, unsigned max, unsigned *n)
{
	struct keep_ctx c = { out, max, 0 };
	int rc = adm_lookup(t, subject, now, keep, &c);

	*n = c.n;
	return rc;
}
