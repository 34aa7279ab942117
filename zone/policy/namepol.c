/*
 * namepol.c -- the domain policy (namepol.h): configuration, score
 * states and the listings a score turns into.  The in-memory batch
 * rbl-import notes into is namepol_batch.c, on top of this file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/policy/namepol_impl.h"
#include "zone/policy/evidence_dump.h"
#include "zone/store/bytes.h"

#define STATE_FORMAT	1
#define STATE_VAL_LEN	(1 + 8 * 5 + 1 + 8 + 8 + 1 + RBL_NAMEPOL_RECENT * 16)
#define SKEY_MAX	(RBL_NAME_MAX + 2 + 4)
#define MAX_EXPIRY_SPAN	((int64_t)100 * 365 * 86400)

/* ------------------------------------------------------ configuration */

static bool conf_txt(const rbl_conf_section *s, const char *key, char *out)
{
	const char *v = rbl_conf_get(s, key);

	if (!v)
		return false;
	rbl_polconf_copy(out, RBL_TXT_MAX + 1, v);
	return true;
}

static int load_one(const rbl_conf *c, const rbl_conf_section *s,
		    rbl_namepol *p, char *err, size_t errlen)
{
	int rc = 0;

	memset(p, 0, sizeof *p);
	rbl_polconf_copy(p->name, sizeof p->name, s->title);
	if (!rbl_conf_get(s, "list")) {
		snprintf(err, errlen, "%s:%u: domain-policy %s: \"list\" is "
			 "required", c->path, s->line, s->title);
		return RBL_EINVAL;
	}
	rbl_polconf_copy(p->list, sizeof p->list, rbl_conf_get(s, "list"));
	rbl_polconf_copy(p->allow_list, sizeof p->allow_list,
			 rbl_conf_get(s, "allow-list"));
	rbl_polconf_copy(p->newly_seen_list, sizeof p->newly_seen_list,
			 rbl_conf_get(s, "newly-seen-list"));
	rbl_polconf_copy(p->reply_to_list, sizeof p->reply_to_list,
			 rbl_conf_get(s, "reply-to-list"));
	p->has_txt = conf_txt(s, "txt", p->txt);
	p->has_txt_redirector = conf_txt(s, "txt-redirector",
					 p->txt_redirector);
	if ((rc = rbl_polconf_weight(c, s, "weight-uri", 1,
				     &p->kind_weight[RBL_NEV_URI], err,
				     errlen)) ||
	    (rc = rbl_polconf_weight(c, s, "weight-reply-to", 1,
				     &p->kind_weight[RBL_NEV_REPLY_TO], err,
				     errlen)) ||
	    (rc = rbl_polconf_scoring(c, s, &p->half_life, &p->expire_after,
				      &p->threshold, err, errlen)) ||
	    (rc = rbl_polconf_code(c, s, "code", &p->code, err, errlen)))
		return rc;
	return rbl_polconf_code(c, s, "code-redirector", &p->code_redirector,
				err, errlen);
}

int rbl_namepol_load(const rbl_conf *c, rbl_namepol_set **out, char *err,
		     size_t errlen)
{
	const rbl_conf_section *s = NULL;
	rbl_namepol_set *set = calloc(1, sizeof *set);
	size_t n = 0;
	int rc = RBL_OK;

	if (!set)
		return RBL_ENOMEM;
	while ((s = rbl_conf_next(c, "domain-policy", s)))
		n++;
	if (!(set->pols = calloc(n ? n : 1, sizeof *set->pols))) {
		free(set);
		return RBL_ENOMEM;
	}
	rc = rbl_polconf_retention(c, &set->retention, err, errlen);
	for (s = NULL; rc == RBL_OK && (s = rbl_conf_next(c, "domain-policy", s));) {
		rbl_namepol *p = &set->pols[set->n];
		rc = load_one(c, s, p, err, errlen);
		set->n++;
		set->any_redirector |= p->code_redirector != 0;
		set->any_reply_to |= p->reply_to_list[0] != '\0';
	}
	if (rc) {
		rbl_namepol_free(set);
		return rc;
	}
	*out = set;
	return RBL_OK;
}

void rbl_namepol_free(rbl_namepol_set *set)
{
	if (!set)
		return;
	free(set->pols);
	free(set);
}

static int resolve(rbl_txn *t, const rbl_namepol *p, const char *list,
		   int kind, uint32_t *id, char *err, size_t errlen)
{
	return rbl_polconf_list(t, "domain-policy", p->name, list, kind, id,
				err, errlen);
}

/* Two policies feeding one list would score its names twice. */
static int check_shared(const rbl_namepol_set *set, size_t i, char *err,
			size_t errlen)
{
	const rbl_namepol *p = &set->pols[i];

	for (size_t j = 0; j < i; j++) {
		const rbl_namepol *q = &set->pols[j];
		if (p->list_id == q->list_id ||
		    (p->reply_to_list_id &&
		     p->reply_to_list_id == q->reply_to_list_id)) {
			snprintf(err, errlen, "domain-policies %s and %s feed "
				 "the same list", q->name, p->name);
			return RBL_EINVAL;
		}
	}
	return RBL_OK;
}

int rbl_namepol_resolve(rbl_txn *t, rbl_namepol_set *set, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < set->n; i++) {
		rbl_namepol *p = &set->pols[i];
		int rc = 0;
		if ((rc = resolve(t, p, p->list, RBL_LIST_NAME, &p->list_id,
				  err, errlen)) ||
		    (rc = resolve(t, p, p->allow_list, RBL_LIST_NAME,
				  &p->allow_list_id, err, errlen)) ||
		    (rc = resolve(t, p, p->newly_seen_list, RBL_LIST_NEWLY_SEEN,
				  &p->newly_seen_list_id, err, errlen)) ||
		    (rc = resolve(t, p, p->reply_to_list, RBL_LIST_HASH,
				  &p->reply_to_list_id, err, errlen)) ||
		    (rc = check_shared(set, i, err, errlen)))
			return rc;
	}
	return RBL_OK;
}

uint32_t np_target(const rbl_namepol *p, uint8_t kind)
{
	return kind == RBL_NEV_URI ? p->list_id :
	       kind == RBL_NEV_REPLY_TO ? p->reply_to_list_id : 0;
}

/* ------------------------------------------------------------- states */

size_t np_key(uint8_t *k, const char *name, uint8_t type)
{
	size_t n = strlen(name);

	memcpy(k, name, n);
	k[n] = 0;
	k[n + 1] = type;
	return n + 2;
}

static size_t state_key(uint8_t *k, const char *name, uint32_t list_id)
{
	size_t n = np_key(k, name, NP_T_STATE);

	rbl_put_be32(k + n, list_id);
	return n + 4;
}

bool np_state_key_decode(const void *k, size_t klen, char *name,
			 uint32_t *list_id)
{
	const uint8_t *p = k;

	if (klen < 7 || klen > SKEY_MAX || p[0] == 0x01 ||
	    p[klen - 6] != 0 || p[klen - 5] != NP_T_STATE)
		return false;
	memcpy(name, p, klen - 6);
	name[klen - 6] = '\0';
	*list_id = rbl_get_be32(p + klen - 4);
	return true;
}

static void put_double(struct rbl_wbuf *w, double d)
{
	uint64_t v = 0;

	memcpy(&v, &d, 8);
	rbl_wb_u64(w, v);
}

static double get_double(struct rbl_rbuf *r)
{
	uint64_t v = rbl_rb_u64(r);
	double d = 0;

	memcpy(&d, &v, 8);
	return d;
}

int np_state_decode(const void *v, size_t len, nstate *st)
{
	struct rbl_rbuf r = { v, len, 0, false };

	memset(st, 0, sizeof *st);
	if (rbl_rb_u8(&r) != STATE_FORMAT)
		return RBL_ESTORE;
	st->score = get_double(&r);
	st->t_ref = (int64_t)rbl_rb_u64(&r);
	st->first_seen = (int64_t)rbl_rb_u64(&r);
	st->last_seen = (int64_t)rbl_rb_u64(&r);
	st->n = rbl_rb_u64(&r);
	st->flags = rbl_rb_u8(&r);
	st->listed_expires = (int64_t)rbl_rb_u64(&r);
	st->ns_first = (int64_t)rbl_rb_u64(&r);
	st->n_recent = rbl_rb_u8(&r);
	if (st->n_recent > RBL_NAMEPOL_RECENT)
		return RBL_ESTORE;
	for (unsigned i = 0; i < st->n_recent; i++) {
		st->recent[i].when = (int64_t)rbl_rb_u64(&r);
		rbl_rb_bytes(&r, st->recent[i].hash, 8);
	}
	return r.bad ? RBL_ESTORE : RBL_OK;
}

int np_state_get(const rbl_table *tb, const char *name, uint32_t list_id,
		 nstate *st, bool *found)
{
	uint8_t k[SKEY_MAX] = { 0 };
	rbl_val v = { 0 };
	int rc = rbl_table_get(tb, k, state_key(k, name, list_id), &v);

	*found = rc == RBL_OK;
	if (rc == RBL_ENOTFOUND) {
		memset(st, 0, sizeof *st);
		return RBL_OK;
	}
	return rc ? rc : np_state_decode(v.p, v.len, st);
}

int np_state_put(const rbl_table *tb, const char *name, uint32_t list_id,
		 const nstate *st)
{
	uint8_t k[SKEY_MAX] = { 0 }, buf[STATE_VAL_LEN] = { 0 };
	struct rbl_wbuf w = { buf, 0, sizeof buf, false };

	rbl_wb_u8(&w, STATE_FORMAT);
	put_double(&w, st->score);
	rbl_wb_u64(&w, (uint64_t)st->t_ref);
	rbl_wb_u64(&w, (uint64_t)st->first_seen);
	rbl_wb_u64(&w, (uint64_t)st->last_seen);
	rbl_wb_u64(&w, st->n);
	rbl_wb_u8(&w, st->flags);
	rbl_wb_u64(&w, (uint64_t)st->listed_expires);
	rbl_wb_u64(&w, (uint64_t)st->ns_first);
	rbl_wb_u8(&w, st->n_recent);
	for (unsigned i = 0; i < st->n_recent; i++) {
		rbl_wb_u64(&w, (uint64_t)st->recent[i].when);
		rbl_wb_bytes(&w, st->recent[i].hash, 8);
	}
	return rbl_table_put(tb, k, state_key(k, name, list_id), buf, w.len, 0);
}

int np_state_del(const rbl_table *tb, const char *name, uint32_t list_id)
{
	uint8_t k[SKEY_MAX] = { 0 };
	int rc = rbl_table_del(tb, k, state_key(k, name, list_id));

	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}

static double decay(const rbl_namepol *p, double score, int64_t from,
		    int64_t to)
{
	if (p->half_life == 0 || to <= from)
		return score;
	return score * exp2(-(double)(to - from) / (double)p->half_life);
}

void np_state_add(const rbl_namepol *p, nstate *st, double w, int64_t when)
{
	if (st->n == 0) {
		st->t_ref = when;
		st->score = 0;
		if (st->first_seen == 0 || when < st->first_seen)
			st->first_seen = when;
	} else if (when >= st->t_ref) {
		st->score = decay(p, st->score, st->t_ref, when);
		st->t_ref = when;
	} else {	/* late evidence: decayed to the reference time */
		w = decay(p, w, when, st->t_ref);
	}
	if (st->first_seen == 0 || when < st->first_seen)
		st->first_seen = when;
	if (when > st->last_seen)
		st->last_seen = when;
	st->score += w;
	st->n++;
}

bool np_state_same(const nstate *a, const nstate *b)
{
	return a->score == b->score && a->t_ref == b->t_ref &&
	       a->first_seen == b->first_seen && a->last_seen == b->last_seen &&
	       a->n == b->n && a->flags == b->flags &&
	       a->listed_expires == b->listed_expires &&
	       a->ns_first == b->ns_first && a->n_recent == b->n_recent &&
	       memcmp(a->recent, b->recent,
		      a->n_recent * sizeof a->recent[0]) == 0;
}

void np_state_recent(nstate *st, int64_t when, const uint8_t *hash)
{
	unsigned i = 0;

	while (i < st->n_recent && st->recent[i].when >= when)
		i++;		/* newest first; a tie keeps its order */
	if (i == RBL_NAMEPOL_RECENT)
		return;		/* older than all it remembers */
	if (st->n_recent < RBL_NAMEPOL_RECENT)
		st->n_recent++;
	memmove(&st->recent[i + 1], &st->recent[i],
		(st->n_recent - 1 - i) * sizeof st->recent[0]);
	st->recent[i].when = when;
	memcpy(st->recent[i].hash, hash, 8);
}

double np_score_at(const rbl_namepol *p, const nstate *st, int64_t now)
{
	return decay(p, st->score, st->t_ref, now > st->t_ref ? now : st->t_ref);
}

/* The marker key of "a block was ever written": 0x02, before every
 * name (names start with a letter or digit), after every message. */
static const uint8_t block_marker[1] = { 0x02 };

int np_blocks_exist(const rbl_table *tb)
{
	rbl_val v = { 0 };
	int rc = rbl_table_get(tb, block_marker, 1, &v);

	return rc == RBL_OK ? 1 : rc == RBL_ENOTFOUND ? 0 : rc;
}

int np_blocks_mark(const rbl_table *tb)
{
	return rbl_table_put(tb, block_marker, 1, "", 0, 0);
}

int np_block_get(const rbl_table *tb, const char *name, int64_t *when,
		 rbl_policy_block_info *info)
{
	uint8_t k[RBL_NAME_MAX + 2] = { 0 };
	rbl_val v = { 0 };
	int rc = 0;

	*when = 0;
	rc = rbl_table_get(tb, k, np_key(k, name, NP_T_BLOCK), &v);
	if (rc == RBL_ENOTFOUND)
		return RBL_OK;
	if (rc)
		return rc;
	struct rbl_rbuf r = { v.p, v.len, 0, false };
	rbl_policy_block_info b = { 0 };
	memset(&b, 0, sizeof b);
	b.when = (int64_t)rbl_rb_u64(&r);
	rbl_rb_str(&r, b.who, sizeof b.who);
	rbl_rb_str(&r, b.why, sizeof b.why);
	if (r.bad)
		return RBL_ESTORE;
	*when = b.when;
	if (info)
		*info = b;
	return RBL_OK;
}

/* ----------------------------------------------------------- listings */

/* When the listing of ST ends under P (0 = never); *ON false if the
 * score is below the threshold already at its newest evidence. */
static int64_t listing_expiry(const rbl_namepol *p, const nstate *st,
			      bool *on)
{
	int64_t exp = 0;

	*on = st->n > 0 && st->score >= p->threshold;
	if (!*on)
		return 0;
	if (p->half_life > 0) {
		double dt = (double)p->half_life * log2(st->score / p->threshold);
		if (dt > (double)MAX_EXPIRY_SPAN)
			dt = (double)MAX_EXPIRY_SPAN;
		exp = st->t_ref + (int64_t)floor(dt) + 1;
	}
	if (p->expire_after > 0) {
		int64_t e2 = st->t_ref + p->expire_after;
		exp = exp == 0 || e2 < exp ? e2 : exp;
	}
	/* rounded up: a domain named again and again rewrites its listing
	 * (and the zone's journal) once a granule, not once a batch */
	if (exp > 0) {
		int64_t g = rbl_namepol_granule(p);
		exp += (g - exp % g) % g;
	}
	return exp;
}

int64_t rbl_namepol_granule(const rbl_namepol *p)
{
	int64_t g = (p->expire_after ? p->expire_after : p->half_life) / 16;

	return g < 3600 ? 3600 : g > 86400 ? 86400 : g;
}

int np_allowed(rbl_txn *t, const rbl_namepol *p, const char *name,
	       int64_t now)
{
	rbl_match m = { 0 };
	int rc = 0;

	if (!p->allow_list_id)
		return 0;
	rc = rbl_name_lookup_str(t, p->allow_list_id, name, now, &m);
	return rc == RBL_OK ? 1 : rc == RBL_ENOTFOUND ? 0 : rc;
}

static void source_of(const rbl_namepol *p, char *buf)
{
	snprintf(buf, RBL_SOURCE_MAX + 1, "policy:%.*s",
		 RBL_SOURCE_MAX - 7, p->name);
}

int np_unlist_entry(rbl_txn *t, uint32_t list_id, const char *name,
		    bool subtree)
{
	char key[RBL_NAME_MAX + 2] = { 0 };
	rbl_entry e = { 0 };
	int rc = rbl_name_get(t, list_id, name, &e);

	/* a policy removes only what a policy wrote, not an operator's
	 * entry for the same name */
	if (rc == RBL_ENOTFOUND ||
	    (rc == RBL_OK && strncmp(e.source, "policy:", 7) != 0))
		return RBL_OK;
	if (rc)
		return rc;
	snprintf(key, sizeof key, "%s%s", subtree ? "." : "", name);
	rc = rbl_name_del(t, list_id, key);
	return rc == RBL_ENOTFOUND ? RBL_OK : rc;
}

static int write_entry(rbl_txn *t, const rbl_namepol *p, uint32_t list_id,
		       const char *name, const nstate *st, int64_t exp,
		       bool redirector, bool subtree)
{
	rbl_entry e = { 0 };
	/* a domain answers with the policy's code and TXT, a hash with its
	 * hash list's defaults */
	uint32_t code = !subtree ? 0 : redirector ? p->code_redirector : p->code;
	bool has_txt = subtree && (redirector ? p->has_txt_redirector :
				   p->has_txt);

	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_NAME_EXACT | (subtree ? RBL_ENTRY_NAME_SUBS : 0);
	if (code) {
		e.n_codes = 1;
		e.codes[0] = code;
	}
	if (has_txt) {
		e.flags |= RBL_ENTRY_HAS_TXT;
		rbl_polconf_copy(e.txt, sizeof e.txt,
			 redirector ? p->txt_redirector : p->txt);
	}
	e.expires = exp;
	e.added = st->first_seen > 0 ? st->first_seen : 1;
	source_of(p, e.source);
	return rbl_name_add(t, list_id, name, &e);
}

/* The newly-seen entry of NAME: there while its first evidence is less
 * than RBL_NEWLY_SEEN_WINDOW old (WANT), expiring when that ends. */
static int settle_newly_seen(rbl_txn *t, const rbl_namepol *p,
			     const char *name, nstate *st, bool want,
			     int64_t now)
{
	char ts[24] = { 0 };
	rbl_entry e = { 0 };
	int rc = 0;

	want = want && st->n > 0 && st->first_seen > 0 &&
	       st->first_seen + RBL_NEWLY_SEEN_WINDOW > now;
	if (want && st->ns_first == st->first_seen)
		return RBL_OK;
	if (!want) {
		if (!st->ns_first)
			return RBL_OK;
		rc = st->ns_first + RBL_NEWLY_SEEN_WINDOW > now ?
		     np_unlist_entry(t, p->newly_seen_list_id, name, true) :
		     RBL_OK;	/* expired by itself */
		st->ns_first = 0;
		return rc;
	}
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS |
		  RBL_ENTRY_HAS_TXT;
	e.n_codes = 1;
	e.codes[0] = 0x7f000202u;	/* what a copy without rbld answers */
	e.expires = st->first_seen + RBL_NEWLY_SEEN_WINDOW;
	e.added = st->first_seen;
	snprintf(e.txt, sizeof e.txt, "first seen %s",
		 rbl_time_format(st->first_seen, ts));
	source_of(p, e.source);
	if ((rc = rbl_name_add(t, p->newly_seen_list_id, name, &e)))
		return rc;
	st->ns_first = st->first_seen;
	return RBL_OK;
}

int np_settle(rbl_txn *t, const rbl_namepol *p, uint32_t list_id,
	      const char *name, nstate *st, int64_t now,
	      rbl_policy_result *res)
{
	bool on, subtree = list_id == p->list_id;
	bool redir = (st->flags & NS_REDIRECTOR) != 0;
	int64_t exp = listing_expiry(p, st, &on);
	bool was = (st->flags & NS_LISTED) && rbl_live(st->listed_expires, now);
	int allowed = np_allowed(t, p, name, now), rc = RBL_OK;

	if (allowed < 0)
		return allowed;
	if (redir && !p->code_redirector)
		allowed = 1;	/* shorteners listed only with their code */
	if (allowed || !on || (exp != 0 && exp <= now)) {
		if (allowed && res)
			res->ignored++;
		if (st->flags & NS_LISTED)
			rc = np_unlist_entry(t, list_id, name, subtree);
		st->flags &= (uint8_t)~(NS_LISTED | NS_LISTED_REDIR);
		st->listed_expires = 0;
	} else if (!(st->flags & NS_LISTED) || st->listed_expires != exp ||
		   redir != ((st->flags & NS_LISTED_REDIR) != 0)) {
		rc = write_entry(t, p, list_id, name, st, exp, redir, subtree);
		st->flags = (uint8_t)((st->flags & ~NS_LISTED_REDIR) | NS_LISTED |
				      (redir ? NS_LISTED_REDIR : 0));
		st->listed_expires = exp;
		if (rc == RBL_OK && res) {
			if (was)
				res->refreshed++;
			else
				res->newly_listed++;
		}
	}
	if (rc == RBL_OK && subtree && p->newly_seen_list_id)
		rc = settle_newly_seen(t, p, name, st, !allowed && !redir, now);
	return rc;
}
