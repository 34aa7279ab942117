/*
 * rdns_review.c -- decisions on rDNS range proposals and their publication
 * in the policy list: confirming, rejecting, flagging, and taking in a new
 * run's proposals (the queue itself: rdns_queue.c).
 *
 * Publication writes ordinary entries through store.h: the range with the
 * class's code and TXT, and one exclusion ("!") per carved-out address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/config/config.h"
#include "zone/policy/rdns_review.h"
#include "zone/policy/rdns_review_impl.h"

/* ------------------------------------------------------------ options */

void rbl_rdns_opts_defaults(rbl_rdns_opts *o, const char *url)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->list, sizeof(o->list), "policy");
	o->code_dynamic = 0x7f00000a;
	o->code_static = 0x7f00000b;
	snprintf(o->txt_dynamic, sizeof(o->txt_dynamic),
		 "$ is in a dynamic/end-user range (by its reverse DNS): "
		 "send mail through your provider's mail server.%s%s",
		 url ? " Range owners: " : "", url ? url : "");
	snprintf(o->txt_static, sizeof(o->txt_static),
		 "$ is in a static end-user range (by its reverse DNS): "
		 "send mail through your provider's mail server.%s%s",
		 url ? " Range owners: " : "", url ? url : "");
	o->auto_confirm = false;
	o->auto_confidence = 950;
}

static int conf_code(const rbl_conf *c, const rbl_conf_section *s,
		     const char *key, uint32_t *out, char *err, size_t errlen)
{
	const rbl_conf_item *it = NULL, *next;
	if (!s)
		return RBL_OK;	/* no rdns: section: defaults */
	while ((next = rbl_conf_next_item(s, key, it)) != NULL)
		it = next;
	if (!it)
		return RBL_OK;
	uint32_t code = 0;
	if (rbl_code_parse(it->value, &code) != RBL_OK ||
	    (code >> 24) != 127) {
		snprintf(err, errlen, "%s:%u: %s: not a return code in "
			 "127.0.0.0/8", c->path, it->line, key);
		return RBL_EINVAL;
	}
	*out = code;
	return RBL_OK;
}

static int conf_text(const rbl_conf *c, const rbl_conf_section *s,
		     const char *key, char *out, size_t size, char *err,
		     size_t errlen)
{
	const char *v = rbl_conf_get(s, key);
	if (!v)
		return RBL_OK;
	if (strlen(v) >= size) {
		snprintf(err, errlen, "%s: rdns: %s is longer than %zu bytes",
			 c->path, key, size - 1);
		return RBL_EINVAL;
	}
	memcpy(out, v, strlen(v) + 1);
	return RBL_OK;
}

int rbl_rdns_opts_from_conf(const rbl_conf *c, rbl_rdns_opts *o, char *err,
			    size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "rdns", NULL);
	uint32_t pct = 95;
	rbl_rdns_opts_defaults(o, rbl_conf_get(s, "policy-url"));
	int rc = conf_text(c, s, "list", o->list, sizeof(o->list), err,
			   errlen);
	if (rc == RBL_OK)
		rc = conf_code(c, s, "code-dynamic", &o->code_dynamic, err,
			       errlen);
	if (rc == RBL_OK)
		rc = conf_code(c, s, "code-static", &o->code_static, err,
			       errlen);
	if (rc == RBL_OK)
		rc = conf_text(c, s, "txt-dynamic", o->txt_dynamic,
			       sizeof(o->txt_dynamic), err, errlen);
	if (rc == RBL_OK)
		rc = conf_text(c, s, "txt-static", o->txt_static,
			       sizeof(o->txt_static), err, errlen);
	if (rc == RBL_OK)
		rc = rbl_conf_bool(c, s, "auto-confirm", false,
				   &o->auto_confirm, err, errlen);
	if (rc == RBL_OK)
		rc = rbl_conf_u32(c, s, "auto-confirm-confidence", 95, &pct,
				  err, errlen);
	if (rc == RBL_OK && pct > 100) {
		snprintf(err, errlen, "%s: rdns: auto-confirm-confidence is "
			 "a percentage (0..100)", c->path);
		rc = RBL_EINVAL;
	}
	o->auto_confidence = (uint16_t)(pct * 10);
	return rc;
}

/* --------------------------------------------------------- publishing */

static int policy_list(rbl_txn *t, const rbl_rdns_opts *o, uint32_t *id)
{
	rbl_list l = { 0 };
	int rc = rbl_list_get(t, o->list, &l);
	if (rc == RBL_OK && l.kind != RBL_LIST_IP)
		rc = RBL_EINVAL;
	*id = l.id;
	return rc;
}

static void range_entry(const rbl_rdns_opts *o, const rbl_rdns_proposal *p,
			const char *by, rbl_entry *e)
{
	bool dyn = p->cls == RBL_RDNS_DYNAMIC;
	rbl_entry_init(e);
	e->n_codes = 1;
	e->codes[0] = dyn ? o->code_dynamic : o->code_static;
	e->flags |= RBL_ENTRY_HAS_TXT;
	snprintf(e->txt, sizeof(e->txt), "%s",
		 dyn ? o->txt_dynamic : o->txt_static);
	snprintf(e->source, sizeof(e->source), "rdns:%s", by);
}

static rbl_prefix host_prefix(const rbl_addr *a)
{
	rbl_prefix h = { *a, (uint8_t)rbl_addr_bits(a->family) };
	return h;
}

static int publish(rbl_txn *t, const rbl_rdns_opts *o,
		   const rbl_rdns_proposal *p, const char *by)
{
	uint32_t list = 0;
	rbl_entry e = { 0 };
	int rc = policy_list(t, o, &list);
	if (rc != RBL_OK)
		return rc;
	range_entry(o, p, by, &e);
	rc = rbl_ip_add(t, list, &p->prefix, &e);
	for (int i = 0; rc == RBL_OK && i < p->n_excl; i++) {
		rbl_prefix h = host_prefix(&p->excl[i].addr);
		rbl_entry x = { 0 };
		rbl_entry_init(&x);
		x.flags |= RBL_ENTRY_EXCLUDE;
		snprintf(x.source, sizeof(x.source), "rdns:%s", by);
		rc = rbl_ip_add(t, list, &h, &x);
	}
	return rc;
}

/* Is A excluded by a confirmed proposal other than SELF? */
typedef struct excl_user {
	const rbl_prefix *self;
	const rbl_addr *a;
	bool used;
} excl_user;

static int excl_visit(void *arg, const rbl_rdns_proposal *p)
{
	excl_user *u = arg;
	if (p->state != RBL_RDNS_CONFIRMED ||
	    (p->prefix.len == u->self->len &&
	     rbl_addr_cmp(&p->prefix.addr, &u->self->addr) == 0))
		return 0;
	for (int i = 0; i < p->n_excl; i++)
		if (rbl_addr_cmp(&p->excl[i].addr, u->a) == 0)
			u->used = true;
	return 0;
}

static int withdraw(rbl_txn *t, const rbl_rdns_opts *o,
		    const rbl_rdns_proposal *p)
{
	uint32_t list = 0;
	int rc = policy_list(t, o, &list);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;		/* nothing can be published */
	if (rc != RBL_OK)
		return rc;
	rc = rbl_ip_del(t, list, &p->prefix);
	if (rc == RBL_ENOTFOUND)
		rc = RBL_OK;
	for (int i = 0; rc == RBL_OK && i < p->n_excl; i++) {
		excl_user u = { &p->prefix, &p->excl[i].addr, false };
		rc = rdns_walk(t, NULL, excl_visit, &u);
		if (rc != RBL_OK || u.used)
			continue;
		rbl_prefix h = host_prefix(&p->excl[i].addr);
		rc = rbl_ip_del(t, list, &h);
		if (rc == RBL_ENOTFOUND)
			rc = RBL_OK;
	}
	return rc;
}

/* ---------------------------------------------------------- decisions */

static void set_decision(rbl_rdns_proposal *p, int state, const char *by,
			 const char *note, int64_t now)
{
	p->state = (uint8_t)state;
	p->decided = now;
	snprintf(p->decided_by, sizeof(p->decided_by), "%s", by ? by : "");
	snprintf(p->note, sizeof(p->note), "%s", note ? note : "");
}

/* Move P (as stored) to STATE, publishing or withdrawing as needed. */
static int apply_state(rbl_txn *t, const rbl_rdns_opts *o,
		       rbl_rdns_proposal *p, int state, const char *by,
		       const char *note, int64_t now)
{
	int rc = RBL_OK;
	bool was_published = p->state == RBL_RDNS_CONFIRMED;
	if (state == RBL_RDNS_CONFIRMED)
		rc = publish(t, o, p, by ? by : "");
	else if (was_published)
		rc = withdraw(t, o, p);
	if (rc != RBL_OK)
		return rc;
	set_decision(p, state, by, note, now);
	return rdns_prop_put(t, p);
}

int rbl_rdns_decide(rbl_txn *t, const rbl_rdns_opts *o,
		    const rbl_prefix *pfx, int state, const char *by,
		    const char *note, int64_t now)
{
	if (state != RBL_RDNS_CONFIRMED && state != RBL_RDNS_REJECTED)
		return RBL_EINVAL;
	rbl_rdns_proposal *p = calloc(1, sizeof(*p));
	if (!p)
		return RBL_ENOMEM;
	int rc = rbl_rdns_get(t, pfx, p);
	if (rc == RBL_OK)
		rc = apply_state(t, o, p, state, by, note, now);
	free(p);
	return rc;
}

typedef struct prefix_set {
	const rbl_rdns_filter *f;
	rbl_prefix *items;
	size_t n, cap;
} prefix_set;

static int collect_open(void *arg, const rbl_rdns_proposal *p)
{
	prefix_set *ps = arg;
	if ((p->state != RBL_RDNS_PENDING && p->state != RBL_RDNS_FLAGGED) ||
	    !rdns_filter_match(ps->f, p))
		return 0;
	if (rbl_array_reserve(ps->items, ps->cap, ps->n + 1, 64) != RBL_OK)
		return RBL_ENOMEM;
	ps->items[ps->n++] = p->prefix;
	return 0;
}

int rbl_rdns_decide_all(rbl_txn *t, const rbl_rdns_opts *o,
			const rbl_rdns_filter *f, int state, const char *by,
			const char *note, int64_t now, unsigned *n)
{
	if (n)
		*n = 0;
	if (!f || ((!f->domain || !*f->domain) &&
		   (!f->template || !*f->template)))
		return RBL_EINVAL;
	rbl_rdns_filter any = *f;
	any.state = 0;
	prefix_set ps = { &any, NULL, 0, 0 };
	int rc = rdns_walk(t, NULL, collect_open, &ps);
	for (size_t i = 0; rc == RBL_OK && i < ps.n; i++) {
		rc = rbl_rdns_decide(t, o, &ps.items[i], state, by, note, now);
		if (rc == RBL_OK && n)
			(*n)++;
	}
	free(ps.items);
	return rc;
}

int rbl_rdns_delete(rbl_txn *t, const rbl_rdns_opts *o, const rbl_prefix *pfx)
{
	rbl_rdns_proposal *p = calloc(1, sizeof(*p));
	if (!p)
		return RBL_ENOMEM;
	int rc = rbl_rdns_get(t, pfx, p);
	if (rc == RBL_OK && p->state == RBL_RDNS_CONFIRMED)
		rc = withdraw(t, o, p);
	if (rc == RBL_OK)
		rc = rdns_prop_del(t, pfx);
	free(p);
	return rc;
}

/* ---------------------------------------------------------- new runs */

static bool excludes(const rbl_rdns_proposal *p, const rbl_addr *a)
{
	for (int i = 0; i < p->n_excl; i++)
		if (rbl_addr_cmp(&p->excl[i].addr, a) == 0)
			return true;
	return false;
}

/* Infrastructure names of FRESH that OLD does not exclude, into NOTE. */
static unsigned new_infra(const rbl_rdns_proposal *old,
			  const rbl_rdns_proposal *fresh, char *note,
			  size_t size)
{
	unsigned n = 0;
	size_t len = 0;
	for (int i = 0; i < fresh->n_excl; i++) {
		const rbl_rdns_excl *x = &fresh->excl[i];
		char ab[RBL_ADDR_STRLEN];
		if (excludes(old, &x->addr))
			continue;
		if (n++ == 0)
			len = (size_t)snprintf(note, size, "new infrastructure "
					       "names:");
		if (len < size)
			len += (size_t)snprintf(note + len, size - len,
						" %s (%s)", x->name,
						rbl_addr_format(&x->addr, ab));
	}
	return n;
}

typedef struct overlap_scan {
	const rbl_prefix *p;
	prefix_set pending;
	char *note;
	size_t note_size;
} overlap_scan;

static void note_overlap(overlap_scan *os, const rbl_rdns_proposal *q)
{
	char pb[RBL_ADDR_STRLEN];
	if (q->state != RBL_RDNS_CONFIRMED || os->note[0])
		return;
	snprintf(os->note, os->note_size, "overlaps confirmed %s",
		 rbl_prefix_format(&q->prefix, pb));
}

static int overlap_visit(void *arg, const rbl_rdns_proposal *q)
{
	overlap_scan *os = arg;
	if (q->prefix.addr.family != os->p->addr.family ||
	    !rbl_prefix_contains(os->p, &q->prefix.addr))
		return 1;	/* past P: stop the walk */
	if (q->prefix.len <= os->p->len)
		return 0;	/* P itself, or a wider one: scan_ancestors */
	note_overlap(os, q);
	return q->state == RBL_RDNS_PENDING ? collect_open(&os->pending, q) : 0;
}

/* Proposals wider than P that contain it. */
static int scan_ancestors(rbl_txn *t, overlap_scan *os,
			  rbl_rdns_proposal *q)
{
	for (unsigned len = 0; len < os->p->len; len++) {
		rbl_prefix a = { os->p->addr, (uint8_t)len };
		rbl_prefix_canon(&a);
		int rc = rbl_rdns_get(t, &a, q);
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK)
			return rc;
		note_overlap(os, q);
		if (q->state == RBL_RDNS_PENDING &&
		    (rc = collect_open(&os->pending, q)) != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

/* Delete pending proposals overlapping P; NOTE a confirmed overlap. */
static int supersede(rbl_txn *t, const rbl_prefix *p, rbl_rdns_proposal *q,
		     char *note, size_t size)
{
	overlap_scan os = { p, { NULL, NULL, 0, 0 }, note, size };
	rbl_prefix first = { p->addr, 0 };
	note[0] = '\0';
	int rc = rdns_walk(t, &first, overlap_visit, &os);
	if (rc == 1)
		rc = RBL_OK;
	if (rc == RBL_OK)
		rc = scan_ancestors(t, &os, q);
	for (size_t i = 0; rc == RBL_OK && i < os.pending.n; i++)
		rc = rdns_prop_del(t, &os.pending.items[i]);
	free(os.pending.items);
	return rc;
}

static int submit_new(rbl_txn *t, const rbl_rdns_opts *o,
		      rbl_rdns_proposal *p, int64_t now, int *outcome)
{
	char note[RBL_RDNS_NOTE_MAX + 1];
	rbl_rdns_proposal *scratch = calloc(1, sizeof(*scratch));
	int rc = scratch ? supersede(t, &p->prefix, scratch, note,
				     sizeof(note)) : RBL_ENOMEM;
	free(scratch);
	if (rc != RBL_OK)
		return rc;
	p->state = RBL_RDNS_PENDING;
	p->created = p->updated = now;
	p->decided = 0;
	p->decided_by[0] = '\0';
	snprintf(p->note, sizeof(p->note), "%s", note);
	*outcome = RBL_RDNS_NEW;
	if (o->auto_confirm && p->confidence >= o->auto_confidence) {
		*outcome = RBL_RDNS_AUTO_CONFIRMED;
		return apply_state(t, o, p, RBL_RDNS_CONFIRMED, "auto",
				   "auto-confirmed above the configured "
				   "confidence", now);
	}
	return rdns_prop_put(t, p);
}

/* A new run's evidence FRESH for a prefix already stored as OLD. */
static int submit_again(rbl_txn *t, const rbl_rdns_opts *o,
			rbl_rdns_proposal *old, const rbl_rdns_proposal *fresh,
			int64_t now, int *outcome)
{
	char note[RBL_RDNS_NOTE_MAX + 1] = "";
	int state = old->state;
	bool confirmed = state == RBL_RDNS_CONFIRMED;
	bool flag = confirmed && (new_infra(old, fresh, note, sizeof(note)) ||
				  fresh->cls != old->cls);
	if (flag && !note[0])
		snprintf(note, sizeof(note), "class changed to %s",
			 rbl_rdns_class_name(fresh->cls));
	int rc = flag ? withdraw(t, o, old) : RBL_OK;
	if (rc != RBL_OK)
		return rc;
	rbl_rdns_proposal keep = *old;
	*old = *fresh;
	old->state = flag ? RBL_RDNS_FLAGGED : keep.state;
	old->created = keep.created;
	old->updated = now;
	old->decided = keep.decided;
	memcpy(old->decided_by, keep.decided_by, sizeof(old->decided_by));
	snprintf(old->note, sizeof(old->note), "%s", flag ? note : keep.note);
	if (confirmed && !flag) {
		/* what is published keeps its exclusions */
		old->n_excl = keep.n_excl;
		memcpy(old->excl, keep.excl, sizeof(old->excl));
	}
	*outcome = flag ? RBL_RDNS_NOW_FLAGGED :
		   state == RBL_RDNS_PENDING || state == RBL_RDNS_FLAGGED ?
		   RBL_RDNS_UPDATED : RBL_RDNS_KEPT;
	if (state == RBL_RDNS_PENDING && o->auto_confirm &&
	    old->confidence >= o->auto_confidence) {
		*outcome = RBL_RDNS_AUTO_CONFIRMED;
		return apply_state(t, o, old, RBL_RDNS_CONFIRMED, "auto",
				   "auto-confirmed above the configured "
				   "confidence", now);
	}
	return rdns_prop_put(t, old);
}

int rbl_rdns_submit(rbl_txn *t, const rbl_rdns_opts *o,
		    const rbl_rdns_proposal *p, int64_t now, int *outcome)
{
	int dummy = 0;
	rbl_prefix canon = p->prefix;
	rbl_prefix_canon(&canon);
	if (!outcome)
		outcome = &dummy;
	if ((p->cls != RBL_RDNS_DYNAMIC && p->cls != RBL_RDNS_STATIC) ||
	    p->prefix.len > rbl_addr_bits(p->prefix.addr.family) ||
	    rbl_addr_cmp(&canon.addr, &p->prefix.addr) != 0 ||
	    p->n_excl > RBL_RDNS_MAX_EXCL || p->n_samples > RBL_RDNS_SAMPLES)
		return RBL_EINVAL;
	rbl_rdns_proposal *old = calloc(2, sizeof(*old));
	if (!old)
		return RBL_ENOMEM;
	rbl_rdns_proposal *fresh = old + 1;
	*fresh = *p;
	int rc = rbl_rdns_get(t, &p->prefix, old);
	if (rc == RBL_ENOTFOUND)
		rc = submit_new(t, o, fresh, now, outcome);
	else if (rc == RBL_OK)
		rc = submit_again(t, o, old, fresh, now, outcome);
	free(old);
	return rc;
}

int rbl_rdns_observe_infra(rbl_txn *t, const rbl_rdns_opts *o,
			   const rbl_addr *a, const char *name, int64_t now,
			   unsigned *n_flagged)
{
	unsigned bits = rbl_addr_bits(a->family);
	rbl_rdns_proposal *p = calloc(1, sizeof(*p));
	int rc = p ? RBL_OK : RBL_ENOMEM;
	char ab[RBL_ADDR_STRLEN];
	for (unsigned len = 0; rc == RBL_OK && len <= bits; len++) {
		rbl_prefix q = { *a, (uint8_t)len };
		rbl_prefix_canon(&q);
		rc = rbl_rdns_get(t, &q, p);
		if (rc == RBL_ENOTFOUND) {
			rc = RBL_OK;
			continue;
		}
		if (rc != RBL_OK || p->state != RBL_RDNS_CONFIRMED ||
		    excludes(p, a))
			continue;
		rc = withdraw(t, o, p);
		if (rc != RBL_OK)
			break;
		p->state = RBL_RDNS_FLAGGED;
		p->updated = now;
		snprintf(p->note, sizeof(p->note), "infrastructure name %s at "
			 "%s", name, rbl_addr_format(a, ab));
		rc = rdns_prop_put(t, p);
		if (rc == RBL_OK && n_flagged)
			(*n_flagged)++;
	}
	free(p);
	return rc;
}
