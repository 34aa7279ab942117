/*
 * rdns_queue.c -- the review queue of rDNS range proposals in the store:
 * their records, reading, writing and walking them (rdns_review.c decides
 * on them and publishes them; it builds on this file, never the reverse).
 *
 * Table "rdns_review": key fam(1) | address(4 or 16) | len(1), so
 * proposals sort by address; value a versioned record (encode_prop).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zone/policy/rdns_review.h"
#include "zone/policy/rdns_review_impl.h"
#include "zone/store/bytes.h"
#include "zone/store/table.h"

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

/* ------------------------------------------------------------ records */

/* Bytes of an address of FAMILY in keys and records: 4 or 16. */
static unsigned addr_len(uint8_t family)
{
	return rbl_addr_bits(family) / 8;
}

static size_t key_of(const rbl_prefix *p, uint8_t *k)
{
	unsigned alen = addr_len(p->addr.family);
	k[0] = p->addr.family;
	memcpy(k + 1, p->addr.bytes, alen);
	k[1 + alen] = p->len;
	return 2 + alen;
}

static int key_decode(const rbl_val *k, rbl_prefix *p)
{
	const uint8_t *b = k->p;
	memset(p, 0, sizeof(*p));
	if (k->len < 6 || (b[0] != RBL_AF4 && b[0] != RBL_AF6) ||
	    k->len != 2 + addr_len(b[0]))
		return RBL_ESTORE;
	p->addr.family = b[0];
	memcpy(p->addr.bytes, b + 1, addr_len(b[0]));
	p->len = b[k->len - 1];
	return RBL_OK;
}

static void encode_addr(struct rbl_wbuf *w, const rbl_addr *a)
{
	rbl_wb_u8(w, a->family);
	rbl_wb_bytes(w, a->bytes, addr_len(a->family));
}

static void decode_addr(struct rbl_rbuf *r, rbl_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = rbl_rb_u8(r);
	if (a->family != RBL_AF4 && a->family != RBL_AF6) {
		r->bad = true;
		return;
	}
	rbl_rb_bytes(r, a->bytes, addr_len(a->family));
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

static int decode_prop(const rbl_val *k, const rbl_val *v,
		       rbl_rdns_proposal *p)
{
	struct rbl_rbuf r = { v->p, v->len, 0, false };
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

/* The review table; RBL_ENOTFOUND in a read txn before the first
 * proposal was ever stored. */
static int review_db(rbl_txn *t, rbl_table *tb)
{
	return rbl_table_open(t, REVIEW_DB, tb);
}

int rdns_prop_put(rbl_txn *t, const rbl_rdns_proposal *p)
{
	rbl_table tb = { 0 };
	uint8_t k[KEY_MAX] = { 0 };
	int rc = review_db(t, &tb);
	if (rc != RBL_OK)
		return rc;
	uint8_t *buf = malloc(REC_MAX);
	if (!buf)
		return RBL_ENOMEM;
	struct rbl_wbuf w = { buf, 0, REC_MAX, false };
	encode_prop(&w, p);
	rc = w.overflow ? RBL_ETOOBIG :
	     rbl_table_put(&tb, k, key_of(&p->prefix, k), w.p, w.len, 0);
	free(buf);
	return rc;
}

int rdns_prop_del(rbl_txn *t, const rbl_prefix *p)
{
	rbl_table tb = { 0 };
	uint8_t k[KEY_MAX] = { 0 };
	int rc = review_db(t, &tb);
	return rc != RBL_OK ? rc : rbl_table_del(&tb, k, key_of(p, k));
}

int rbl_rdns_get(rbl_txn *t, const rbl_prefix *p, rbl_rdns_proposal *out)
{
	rbl_table tb = { 0 };
	rbl_val v = { 0 };
	uint8_t k[KEY_MAX] = { 0 };
	int rc = review_db(t, &tb);
	if (rc != RBL_OK)
		return rc;
	rbl_val key = { k, key_of(p, k) };
	rc = rbl_table_get(&tb, key.p, key.len, &v);
	if (rc != RBL_OK)
		return rc;
	return decode_prop(&key, &v, out);
}

/* -------------------------------------------------------------- walks */

bool rdns_filter_match(const rbl_rdns_filter *f,
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

int rdns_walk(rbl_txn *t, const rbl_prefix *from,
	      int (*fn)(void *arg, const rbl_rdns_proposal *p), void *arg)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	uint8_t fk[KEY_MAX] = { 0 };
	int rc = review_db(t, &tb);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;		/* nothing was ever proposed */
	if (rc != RBL_OK)
		return rc;
	rbl_rdns_proposal *p = malloc(sizeof(*p));
	if (!p)
		return RBL_ENOMEM;
	rbl_table_iter_init(&it, &tb, from ? fk : NULL,
			    from ? key_of(from, fk) : 0, 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		rc = decode_prop(&k, &v, p);
		if (rc == RBL_OK)
			rc = fn(arg, p);
		if (rc != RBL_OK)
			break;
	}
	rbl_table_iter_end(&it);
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
	return rdns_filter_match(fw->f, p) ? fw->fn(fw->arg, p) : 0;
}

int rbl_rdns_foreach(rbl_txn *t, const rbl_rdns_filter *f,
		     int (*fn)(void *arg, const rbl_rdns_proposal *p),
		     void *arg)
{
	filter_walk fw = { f, fn, arg };
	return rdns_walk(t, NULL, filter_visit, &fw);
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
	if (!after)
		return rbl_rdns_foreach(t, f, fn, arg);
	after_walk aw = { { f, fn, arg }, after };
	return rdns_walk(t, after, after_visit, &aw);
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
	return rdns_walk(t, NULL, count_visit, counts);
}
