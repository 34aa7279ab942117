/*
 * rdns_review.c -- the review queue of rDNS range proposals in the store,
 * and their publication in the policy list.
 *
 * Database "rdns_review": key fam(1) | address(4 or 16) | len(1), so
 * proposals sort by address; value a versioned record (encode_prop).
 * Publication writes ordinary entries through store.h: the range with the
 * class's code and TXT, and one exclusion ("!") per carved-out address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/config/config.h"
#include "zone/policy/rdns_review.h"
#include "zone/store/store_impl.h"

#define REVIEW_DB	"rdns_review"
#define REC_VERSION	1
#define KEY_MAX		18
/* Largest record: fixed fields, strings, samples and exclusions. */
#define REC_MAX		(64 + 6 * 256 + RBL_RDNS_SAMPLES * 256 + \
			 RBL_RDNS_MAX_EXCL * (1 + 16 + 256))

_Static_assert(RBL_RDNS_NAME_MAX == RBL_NAME_MAX,
	       "rdns_class.h repeats RBL_NAME_MAX");

static const char *const state_names[] = {
	NULL, "pending", "confirmed", "rejected", "flagged" };

const char *rbl_rdns_state_name(int state)
{
	return state >= RBL_RDNS_PENDING && state <= RBL_RDNS_FLAGGED ?
	       state_names[state] : "?";
}

int rbl_rdns_state_parse(const char *s)
{
	for (int i = RBL_RDNS_PENDING; i <= RBL_RDNS_FLAGGED; i++)
		if (strcasecmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

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

/* ------------------------------------------------------------ records */

static size_t key_of(const rbl_prefix *p, uint8_t *k)
{
	unsigned alen = rbl_key_alen(p->addr.family);
	k[0] = p->addr.family;
	memcpy(k + 1, p->addr.bytes, alen);
	k[1 + alen] = p->len;
	return 2 + alen;
}

static int key_decode(const MDB_val *k, rbl_prefix *p)
{
	const uint8_t *b = k->mv_data;
	memset(p, 0, sizeof(*p));
	if (k->mv_size < 6 || (b[0] != RBL_AF4 && b[0] != RBL_AF6) ||
	    k->mv_size != 2 + rbl_key_alen(b[0]))
		return RBL_ESTORE;
	p->addr.family = b[0];
	memcpy(p->addr.bytes, b + 1, rbl_key_alen(b[0]));
	p->len = b[k->mv_size - 1];
	return RBL_OK;
}

static void encode_addr(struct rbl_wbuf *w, const rbl_addr *a)
{
	rbl_wb_u8(w, a->family);
	rbl_wb_bytes(w, a->bytes, rbl_key_alen(a->family));
}

static void decode_addr(struct rbl_rbuf *r, rbl_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = rbl_rb_u8(r);
	if (a->family != RBL_AF4 && a->family != RBL_AF6) {
		r->bad = true;
		return;
	}
	rbl_rb_bytes(r, a->bytes, rbl_key_alen(a->family));
}

static void encode_prop(struct rbl_wbuf *w, const rbl_rdns_proposal *p)
{
	rbl_wb_u8(w, REC_VERSION);
	rbl_wb_u8(w, p->cls);
	rbl_wb_u8(w, p->state);
	rbl_wb_u32(w, (uint32_t)p->confidence << 16 | p->coverage);
	rbl_wb_u32(w, p->agreement);
	for (int c = 0; c < RBL_RDNS_NCLASS; c++)
		rbl_wb_u32(w, p->counts[c]);
	rbl_wb_u32(w, p->n_template);
	rbl_wb_str(w, p->template);
	rbl_wb_str(w, p->domain);
	rbl_wb_u8(w, p->n_samples);
	for (int i = 0; i < p->n_samples; i++)
		rbl_wb_str(w, p->samples[i]);
	rbl_wb_u8(w, p->n_excl);
	for (int i = 0; i < p->n_excl; i++) {
		encode_addr(w, &p->excl[i].addr);
		rbl_wb_str(w, p->excl[i].name);
	}
	rbl_wb_str(w, p->source);
	rbl_wb_u64(w, (uint64_t)p->created);
	rbl_wb_u64(w, (uint64_t)p->updated);
	rbl_wb_u64(w, (uint64_t)p->decided);
	rbl_wb_str(w, p->decided_by);
	rbl_wb_str(w, p->note);
}

static int decode_prop(const MDB_val *k, const MDB_val *v,
		       rbl_rdns_proposal *p)
{
	struct rbl_rbuf r = { v->mv_data, v->mv_size, 0, false };
	memset(p, 0, sizeof(*p));
	if (key_decode(k, &p->prefix) != RBL_OK ||
	    rbl_rb_u8(&r) != REC_VERSION)
		return RBL_ESTORE;
	p->cls = rbl_rb_u8(&r);
	p->state = rbl_rb_u8(&r);
	uint32_t cc = rbl_rb_u32(&r);
	p->confidence = (uint16_t)(cc >> 16);
	p->coverage = (uint16_t)cc;
	p->agreement = (uint16_t)rbl_rb_u32(&r);
	for (int c = 0; c < RBL_RDNS_NCLASS; c++)
		p->counts[c] = rbl_rb_u32(&r);
	p->n_template = rbl_rb_u32(&r);
	rbl_rb_str(&r, p->template, sizeof(p->template));
	rbl_rb_str(&r, p->domain, sizeof(p->domain));
	p->n_samples = rbl_rb_u8(&r);
	if (p->n_samples > RBL_RDNS_SAMPLES)
		return RBL_ESTORE;
	for (int i = 0; i < p->n_samples; i++)
		rbl_rb_str(&r, p->samples[i], sizeof(p->samples[i]));
	p->n_excl = rbl_rb_u8(&r);
	if (p->n_excl > RBL_RDNS_MAX_EXCL)
		return RBL_ESTORE;
	for (int i = 0; i < p->n_excl; i++) {
		decode_addr(&r, &p->excl[i].addr);
		rbl_rb_str(&r, p->excl[i].name, sizeof(p->excl[i].name));
	}
	rbl_rb_str(&r, p->source, sizeof(p->source));
	p->created = (int64_t)rbl_rb_u64(&r);
	p->updated = (int64_t)rbl_rb_u64(&r);
	p->decided = (int64_t)rbl_rb_u64(&r);
	rbl_rb_str(&r, p->decided_by, sizeof(p->decided_by));
	rbl_rb_str(&r, p->note, sizeof(p->note));
	return r.bad ? RBL_ESTORE : RBL_OK;
}

/* The review database; RBL_ENOTFOUND in a read txn before the first
 * proposal was ever stored. */
static int review_db(rbl_txn *t, MDB_dbi *dbi)
{
	return rbl_store_db(t, REVIEW_DB, dbi);
}

static int put_prop(rbl_txn *t, const rbl_rdns_proposal *p)
{
	MDB_dbi dbi = 0;
	uint8_t k[KEY_MAX];
	int rc = review_db(t, &dbi);
	if (rc != RBL_OK)
		return rc;
	uint8_t *buf = malloc(REC_MAX);
	if (!buf)
		return RBL_ENOMEM;
	struct rbl_wbuf w = { buf, 0, REC_MAX, false };
	encode_prop(&w, p);
	rc = w.overflow ? RBL_ETOOBIG :
	     rbl_db_put(t, dbi, k, key_of(&p->prefix, k), w.p, w.len, 0);
	free(buf);
	return rc;
}

static int del_prop(rbl_txn *t, const rbl_prefix *p)
{
	MDB_dbi dbi = 0;
	uint8_t k[KEY_MAX];
	int rc = review_db(t, &dbi);
	return rc != RBL_OK ? rc : rbl_db_del(t, dbi, k, key_of(p, k));
}

int rbl_rdns_get(rbl_txn *t, const rbl_prefix *p, rbl_rdns_proposal *out)
{
	MDB_dbi dbi = 0;
	MDB_val v = { 0 };
	uint8_t k[KEY_MAX];
	int rc = review_db(t, &dbi);
	if (rc != RBL_OK)
		return rc;
	size_t klen = key_of(p, k);
	rc = rbl_db_get(t, dbi, k, klen, &v);
	if (rc != RBL_OK)
		return rc;
	MDB_val key = { klen, k };
	return decode_prop(&key, &v, out);
}

/* -------------------------------------------------------------- walks */

static bool filter_match(const rbl_rdns_filter *f,
			 const rbl_rdns_proposal *p)
{
	if (!f)
		return true;
	if (f->state && f->state != p->state)
		return false;
	if (f->domain && strcasecmp(f->domain, p->domain) != 0)
		return false;
	if (f->template && strcmp(f->template, p->template) != 0)
		return false;
	return true;
}

/* Visit proposals from key FROM (NULL: the first) while FN returns 0. */
static int walk(rbl_txn *t, const uint8_t *from, size_t from_len,
		int (*fn)(void *arg, const rbl_rdns_proposal *p), void *arg)
{
	MDB_dbi dbi = 0;
	MDB_cursor *cur = NULL;
	MDB_val k = { from_len, (void *)from }, v = { 0 };
	int rc = review_db(t, &dbi);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;		/* nothing was ever proposed */
	if (rc != RBL_OK)
		return rc;
	rc = mdb_cursor_open(rbl_txn_mdb(t), dbi, &cur);
	if (rc != 0)
		return rbl_mdb_error(rc);
	rbl_rdns_proposal *p = calloc(1, sizeof(*p));
	int op = from ? MDB_SET_RANGE : MDB_FIRST;
	rc = p ? RBL_OK : RBL_ENOMEM;
	while (rc == RBL_OK) {
		int mrc = mdb_cursor_get(cur, &k, &v, op);
		op = MDB_NEXT;
		if (mrc == MDB_NOTFOUND)
			break;
		rc = mrc ? rbl_mdb_error(mrc) : decode_prop(&k, &v, p);
		if (rc == RBL_OK)
			rc = fn(arg, p);
	}
	mdb_cursor_close(cur);
	free(p);
	return rc;
}

typedef struct filter_walk {
	const rbl_rdns_filter *f;
	int (*fn)(void *arg, const rbl_rdns_proposal *p);
	void *arg;
} filter_walk;

static int filter_visit(void *arg, const rbl_rdns_proposal *p)
{
	filter_walk *fw = arg;
	return filter_match(fw->f, p) ? fw->fn(fw->arg, p) : 0;
}

int rbl_rdns_foreach(rbl_txn *t, const rbl_rdns_filter *f,
		     int (*fn)(void *arg, const rbl_rdns_proposal *p),
		     void *arg)
{
	filter_walk fw = { f, fn, arg };
	return walk(t, NULL, 0, filter_visit, &fw);
}

typedef struct after_walk {
	filter_walk fw;
	const rbl_prefix *after;
} after_walk;

static int after_visit(void *arg, const rbl_rdns_proposal *p)
{
	after_walk *aw = arg;
	if (p->prefix.len == aw->after->len &&
	    rbl_addr_cmp(&p->prefix.addr, &aw->after->addr) == 0)
		return 0;	/* AFTER itself */
	return filter_visit(&aw->fw, p);
}

int rbl_rdns_foreach_after(rbl_txn *t, const rbl_rdns_filter *f,
			   const rbl_prefix *after,
			   int (*fn)(void *arg, const rbl_rdns_proposal *p),
			   void *arg)
{
	uint8_t k[KEY_MAX];
	if (!after)
		return rbl_rdns_foreach(t, f, fn, arg);
	after_walk aw = { { f, fn, arg }, after };
	return walk(t, k, key_of(after, k), after_visit, &aw);
}

static int count_visit(void *arg, const rbl_rdns_proposal *p)
{
	uint64_t *counts = arg;
	counts[0]++;
	if (p->state >= RBL_RDNS_PENDING && p->state <= RBL_RDNS_FLAGGED)
		counts[p->state]++;
	return 0;
}

int rbl_rdns_count(rbl_txn *t, uint64_t counts[5])
{
	memset(counts, 0, 5 * sizeof(counts[0]));
	return walk(t, NULL, 0, count_visit, counts);
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
		rc = walk(t, NULL, 0, excl_visit, &u);
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
	return put_prop(t, p);
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
	    !filter_match(ps->f, p))
		return 0;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		rbl_prefix *items = realloc(ps->items, cap * sizeof(*items));
		if (!items)
			return RBL_ENOMEM;
		ps->items = items;
		ps->cap = cap;
	}
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
	int rc = walk(t, NULL, 0, collect_open, &ps);
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
		rc = del_prop(t, pfx);
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
	uint8_t k[KEY_MAX];
	rbl_prefix first = { p->addr, 0 };
	note[0] = '\0';
	int rc = walk(t, k, key_of(&first, k), overlap_visit, &os);
	if (rc == 1)
		rc = RBL_OK;
	if (rc == RBL_OK)
		rc = scan_ancestors(t, &os, q);
	for (size_t i = 0; rc == RBL_OK && i < os.pending.n; i++)
		rc = del_prop(t, &os.pending.items[i]);
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
	return put_prop(t, p);
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
	return put_prop(t, old);
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
		rc = put_prop(t, p);
		if (rc == RBL_OK && n_flagged)
			(*n_flagged)++;
	}
	free(p);
	return rc;
}
