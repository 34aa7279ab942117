/*
 * namepol_admin.c -- the domain policy's human side (namepol.h):
 * delisting blocks, allow entries, recomputing a name from its evidence,
 * explaining it, retention, and the address hash of hash lists.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "zone/error.h"
#include "zone/idna.h"
#include "zone/policy/evidence_dump.h"
#include "zone/policy/namepol_impl.h"
#include "zone/store/bytes.h"

#define MAX_STATES	64	/* states of one name (policies x kinds) */
#define ADDRESS_MAX	320	/* RFC 5321 path limits, with room */

/* True for the 40 lowercase hex digits of a hash-list name. */
static bool is_hash_name(const char *name)
{
	size_t n = strlen(name);

	return n == 40 && strspn(name, "0123456789abcdef") == 40;
}

/* The evidence kind NAME is about: reply-to for a hash, else uri. */
static uint8_t kind_of_name(const char *name)
{
	return is_hash_name(name) ? RBL_NEV_REPLY_TO : RBL_NEV_URI;
}

/* ---------------------------------------------------------- recompute */

/* Settle the state of NAME under P's list for KIND as it is kept. */
static int resettle_one(rbl_txn *t, const rbl_table *tb, const rbl_namepol *p,
			uint8_t kind, const char *name, int64_t now)
{
	uint32_t list = np_target(p, kind);
	nstate st = { 0 }, before = { 0 };
	bool found = false;
	int rc = 0;

	if (!list)
		return RBL_OK;
	if ((rc = np_state_get(tb, name, list, &st, &found)) || !found)
		return rc;
	before = st;
	if ((rc = np_settle(t, p, list, name, &st, now, NULL)))
		return rc;
	return np_state_same(&st, &before) ? RBL_OK :
	       np_state_put(tb, name, list, &st);
}

int rbl_namepol_recompute(rbl_txn *t, const rbl_namepol_set *set,
			  const char *name, int64_t now)
{
	uint8_t kind = kind_of_name(name);
	rbl_table tb = { 0 };
	int rc = 0;

	if (!rbl_nev_name_ok(name))
		return RBL_EINVAL;
	if ((rc = rbl_table_open(t, RBL_NEV_TABLE, &tb)))
		return rc;
	for (size_t i = 0; rc == RBL_OK && i < set->n; i++)
		rc = resettle_one(t, &tb, &set->pols[i], kind, name, now);
	return rc;
}

/* ------------------------------------------------------------- blocks */

typedef struct named_state {
	uint32_t list_id;
	nstate st;
} named_state;

/* The states of NAME (at most MAX_STATES) into OUT; their number. */
static int states_of(const rbl_table *tb, const char *name, named_state *out,
		     size_t *n)
{
	uint8_t prefix[RBL_NAME_MAX + 2] = { 0 };
	char kname[RBL_NAME_MAX + 1] = { 0 };
	size_t plen = np_key(prefix, name, NP_T_STATE);
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = 0;

	*n = 0;
	rbl_table_iter_init(&it, tb, prefix, plen, RBL_TABLE_PREFIX);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1 && *n < MAX_STATES) {
		named_state *s = &out[*n];
		if (!np_state_key_decode(k.p, k.len, kname, &s->list_id) ||
		    (rc = np_state_decode(v.p, v.len, &s->st)))
			break;
		(*n)++;
	}
	rbl_table_iter_end(&it);
	return rc < 0 ? rc : RBL_OK;
}

/* The policy of SET whose lists include LIST_ID, or NULL. */
static const rbl_namepol *policy_of(const rbl_namepol_set *set,
				    uint32_t list_id)
{
	for (size_t i = 0; set && i < set->n; i++)
		if (set->pols[i].list_id == list_id ||
		    set->pols[i].reply_to_list_id == list_id)
			return &set->pols[i];
	return NULL;
}

static size_t note_key(uint8_t *k, char type, const char *name)
{
	return np_key(k, name, type == 'b' ? NP_T_BLOCK : NP_T_ALLOW);
}

/* Write note TYPE ('b' block, 'a' allow) of NAME: WHEN, WHO, WHY. */
static int note_put(const rbl_table *tb, char type, const char *name,
		    int64_t when, const char *who, const char *why)
{
	uint8_t k[1 + RBL_NAME_MAX], buf[8 + 2 + RBL_POLICY_WHO_MAX +
					 RBL_POLICY_WHY_MAX];
	char w1[RBL_POLICY_WHO_MAX + 1] = { 0 }, w2[RBL_POLICY_WHY_MAX + 1] = { 0 };
	struct rbl_wbuf w = { buf, 0, sizeof buf, false };

	rbl_polconf_copy(w1, sizeof w1, who);
	rbl_polconf_copy(w2, sizeof w2, why);
	rbl_wb_u64(&w, (uint64_t)when);
	rbl_wb_str(&w, w1);
	rbl_wb_str(&w, w2);
	return rbl_table_put(tb, k, note_key(k, type, name), buf, w.len, 0);
}

int rbl_namepol_block(rbl_txn *t, const rbl_namepol_set *set,
		      const char *name, int64_t when, const char *who,
		      const char *why)
{
	named_state *s = calloc(MAX_STATES, sizeof *s);
	rbl_table tb = { 0 };
	size_t n = 0;
	int rc = 0;

	if (!s)
		return RBL_ENOMEM;
	rc = !rbl_nev_name_ok(name) || when <= 0 ? RBL_EINVAL :
	     rbl_table_open(t, RBL_NEV_TABLE, &tb);
	if (rc == RBL_OK &&
	    (rc = note_put(&tb, 'b', name, when, who, why)) == RBL_OK &&
	    (rc = np_blocks_mark(&tb)) == RBL_OK)
		rc = states_of(&tb, name, s, &n);
	for (size_t i = 0; rc == RBL_OK && i < n; i++) {
		const rbl_namepol *p = policy_of(set, s[i].list_id);
		nstate *st = &s[i].st;
		bool subtree = p && s[i].list_id == p->list_id;
		if (p && (st->flags & NS_LISTED))
			rc = np_unlist_entry(t, s[i].list_id, name, subtree);
		if (rc == RBL_OK && p && subtree && p->newly_seen_list_id &&
		    st->ns_first)
			rc = np_unlist_entry(t, p->newly_seen_list_id, name, true);
		st->score = 0;
		st->n = 0;
		st->t_ref = 0;
		st->flags &= (uint8_t)~(NS_LISTED | NS_LISTED_REDIR);
		st->listed_expires = 0;
		st->ns_first = 0;
		if (rc == RBL_OK)
			rc = np_state_put(&tb, name, s[i].list_id, st);
	}
	free(s);
	return rc;
}

int rbl_namepol_block_get(rbl_txn *t, const char *name,
			  rbl_policy_block_info *out)
{
	int64_t when = 0;
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, RBL_NEV_TABLE, &tb);

	if (rc == RBL_OK)
		rc = np_block_get(&tb, name, &when, out);
	if (rc)
		return rc;
	return when ? RBL_OK : RBL_ENOTFOUND;
}

int rbl_namepol_unblock(rbl_txn *t, const char *name)
{
	uint8_t k[RBL_NAME_MAX + 2] = { 0 };
	rbl_table tb = { 0 };
	int rc = 0;

	if (!rbl_nev_name_ok(name))
		return RBL_ENOTFOUND;
	if ((rc = rbl_table_open(t, RBL_NEV_TABLE, &tb)))
		return rc;
	return rbl_table_del(&tb, k, note_key(k, 'b', name));
}

/* ------------------------------------------------------------- allow */

int rbl_namepol_allow_add(rbl_txn *t, const rbl_namepol_set *set,
			  const char *name, int64_t expires, const char *who,
			  const char *why, int64_t now)
{
	rbl_table tb = { 0 };
	rbl_entry e = { 0 };
	bool any = false;
	int rc = 0;

	if (!rbl_nev_name_ok(name))
		return RBL_EINVAL;
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS;
	e.expires = expires;
	rbl_polconf_copy(e.source, sizeof e.source, who);
	for (size_t i = 0; i < set->n; i++) {
		if (!set->pols[i].allow_list_id)
			continue;
		any = true;
		if ((rc = rbl_name_add(t, set->pols[i].allow_list_id, name, &e)))
			return rc;
	}
	if (!any)
		return RBL_ENOTFOUND;
	if ((rc = rbl_table_open(t, RBL_NEV_TABLE, &tb)) ||
	    (rc = note_put(&tb, 'a', name, expires, who, why)))
		return rc;
	/* settled as allowed: the listings go now */
	return rbl_namepol_recompute(t, set, name, now);
}

int rbl_namepol_allow_del(rbl_txn *t, const rbl_namepol_set *set,
			  const char *name, int64_t now)
{
	char key[RBL_NAME_MAX + 2] = { 0 };
	uint8_t k[RBL_NAME_MAX + 2] = { 0 };
	rbl_table tb = { 0 };
	bool any = false;
	int rc = 0;

	if (!rbl_nev_name_ok(name))
		return RBL_ENOTFOUND;
	snprintf(key, sizeof key, ".%s", name);
	for (size_t i = 0; i < set->n; i++) {
		if (!set->pols[i].allow_list_id)
			continue;
		rc = rbl_name_del(t, set->pols[i].allow_list_id, key);
		if (rc == RBL_OK)
			any = true;
		else if (rc != RBL_ENOTFOUND)
			return rc;
	}
	if (!any)
		return RBL_ENOTFOUND;
	if ((rc = rbl_table_open(t, RBL_NEV_TABLE, &tb)))
		return rc;
	rc = rbl_table_del(&tb, k, note_key(k, 'a', name));
	if (rc && rc != RBL_ENOTFOUND)
		return rc;
	return rbl_namepol_recompute(t, set, name, now);
}

/* ------------------------------------------------------- recent messages */

/* The newest messages of a name over all its states. */
typedef struct ref_set {
	rbl_namepol_ref v[4 * RBL_NAMEPOL_RECENT];
	size_t n;
} ref_set;

/* Merge the refs of ST into R: newest first, each message once. */
static void merge_refs(ref_set *r, const nstate *st)
{
	size_t cap = sizeof r->v / sizeof r->v[0];

	for (unsigned i = 0; i < st->n_recent; i++) {
		const rbl_namepol_ref *x = &st->recent[i];
		size_t j = 0;
		bool dup = false;
		for (j = 0; j < r->n; j++) {
			if (r->v[j].when == x->when &&
			    memcmp(r->v[j].hash, x->hash, 8) == 0)
				dup = true;
			if (dup || r->v[j].when < x->when)
				break;
		}
		if (dup || j == cap)
			continue;
		if (r->n == cap)
			r->n--;
		memmove(&r->v[j + 1], &r->v[j], (r->n - j) * sizeof r->v[0]);
		r->v[j] = *x;
		r->n++;
	}
}

/* Visit the items of message M that are about NAME. */
static int visit_message(const rbl_nev_msg *m, const char *name,
			 rbl_nev_visit_fn fn, void *arg)
{
	int rc = 0;

	for (unsigned i = 0; rc == 0 && i < m->n; i++) {
		rbl_nev ev = { .name = m->items[i].name,
			.kind = m->items[i].kind, .weight = m->items[i].weight,
			.when = m->when, .found = m->items[i].found,
			.source = m->source, .summary = m->summary };
		if (strcmp(m->items[i].name, name) != 0)
			continue;
		memcpy(ev.hash, m->hash, RBL_EV_HASH_LEN);
		rc = fn(arg, &ev);
	}
	return rc;
}

int rbl_namepol_foreach_recent(rbl_txn *t, const char *name,
			       rbl_nev_visit_fn fn, void *arg)
{
	named_state *s = calloc(MAX_STATES, sizeof *s);
	ref_set *refs = calloc(1, sizeof *refs);
	rbl_nev_msg *m = malloc(sizeof *m);
	rbl_table tb = { 0 };
	size_t n = 0;
	int rc = s && refs && m ? rbl_table_open(t, RBL_NEV_TABLE, &tb) :
		 RBL_ENOMEM;

	if (rc == RBL_ENOTFOUND || !rbl_nev_name_ok(name))
		rc = RBL_OK;	/* nothing stored yet */
	else if (rc == RBL_OK)
		rc = states_of(&tb, name, s, &n);
	for (size_t i = 0; rc == RBL_OK && i < n; i++)
		merge_refs(refs, &s[i].st);
	for (size_t i = 0; rc == RBL_OK && refs && i < refs->n; i++) {
		int g = rbl_nev_get(t, refs->v[i].when, refs->v[i].hash, 8, m);
		if (g == RBL_ENOTFOUND)
			continue;	/* past the retention */
		rc = g ? g : visit_message(m, name, fn, arg);
	}
	free(s);
	free(refs);
	free(m);
	return rc;
}

/* ------------------------------------------------------------ explain */

/* The live entry a policy wrote for NAME in LIST_ID at NOW: *EXPIRES. */
static bool policy_entry(rbl_txn *t, uint32_t list_id, const char *name,
			 int64_t now, int64_t *expires)
{
	rbl_entry e = { 0 };

	*expires = 0;
	if (!list_id || rbl_name_get(t, list_id, name, &e) != RBL_OK ||
	    strncmp(e.source, "policy:", 7) != 0 || !rbl_live(e.expires, now))
		return false;
	*expires = e.expires;
	return true;
}

static int status_one(rbl_txn *t, const rbl_table *tb, const rbl_namepol *p,
		      uint8_t kind, const char *name, int64_t now,
		      const rbl_policy_block_info *blk, rbl_namepol_status *s)
{
	uint32_t list = np_target(p, kind);
	int64_t ns_exp = 0;
	nstate st = { 0 };
	bool found = false;
	int rc = 0;

	memset(s, 0, sizeof *s);
	s->policy = p;
	s->list_id = list;
	s->kind = kind;
	if ((rc = np_state_get(tb, name, list, &st, &found)))
		return rc;
	s->score = st.n ? np_score_at(p, &st, now) : 0;
	s->n_evidence = st.n;
	s->first_seen = st.first_seen;
	s->last_seen = st.last_seen;
	s->over_threshold = st.n && s->score >= p->threshold;
	s->listed = policy_entry(t, list, name, now, &s->expires);
	s->redirector = (st.flags & NS_REDIRECTOR) != 0;
	s->newly_seen = kind == RBL_NEV_URI &&
			policy_entry(t, p->newly_seen_list_id, name, now,
				     &ns_exp);
	if ((rc = np_allowed(t, p, name, now)) < 0)
		return rc;
	s->allowed = rc == 1;
	s->blocked = blk->when != 0;
	s->block = *blk;
	return RBL_OK;
}

int rbl_namepol_explain(rbl_txn *t, const rbl_namepol_set *set,
			const char *name, int64_t now,
			rbl_namepol_status *out, size_t n, size_t *count)
{
	uint8_t kind = kind_of_name(name);
	rbl_policy_block_info blk = { 0 };
	int64_t when = 0;
	rbl_table tb = { 0 };
	int rc = rbl_table_open(t, RBL_NEV_TABLE, &tb);
	bool none = rc == RBL_ENOTFOUND;

	*count = 0;
	memset(&blk, 0, sizeof blk);
	if (none)
		rc = RBL_OK;	/* nothing stored yet: all zero */
	else if (rc == RBL_OK)
		rc = np_block_get(&tb, name, &when, &blk);
	for (size_t i = 0; rc == RBL_OK && i < set->n && *count < n; i++) {
		if (!np_target(&set->pols[i], kind))
			continue;
		if (none) {
			memset(&out[*count], 0, sizeof out[*count]);
			out[(*count)++].policy = &set->pols[i];
			continue;
		}
		rc = status_one(t, &tb, &set->pols[i], kind, name, now, &blk,
				&out[*count]);
		if (rc == RBL_OK)
			(*count)++;
	}
	return rc;
}

/* -------------------------------------------------------- maintenance */

/* Whether state ST is dead at NOW: no evidence since BEFORE, no entry of
 * ours still answering. */
static bool dead_state(const nstate *st, int64_t before, int64_t now)
{
	return st->last_seen < before &&
	       !((st->flags & NS_LISTED) && rbl_live(st->listed_expires, now)) &&
	       !(st->ns_first && st->ns_first + RBL_NEWLY_SEEN_WINDOW > now);
}

/* States with no evidence left within the retention and no live entry:
 * the walk starts after the messages, where the names' records are. */
static int drop_states(rbl_txn *t, int64_t before, int64_t now,
		       uint64_t *count)
{
	static const uint8_t after_messages = 0x02;
	char name[RBL_NAME_MAX + 1] = { 0 };
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	uint32_t list = 0;
	int rc = rbl_table_open(t, RBL_NEV_TABLE, &tb);

	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	rbl_table_iter_init(&it, &tb, &after_messages, 1, 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		nstate st = { 0 };
		if (!np_state_key_decode(k.p, k.len, name, &list))
			continue;
		if ((rc = np_state_decode(v.p, v.len, &st)))
			break;
		if (!dead_state(&st, before, now))
			continue;
		if ((rc = rbl_table_iter_del(&it)))
			break;
		(*count)++;
	}
	rbl_table_iter_end(&it);
	return rc < 0 ? rbl_txn_fail(t, rc) : RBL_OK;
}

int rbl_namepol_purge(rbl_txn *t, const rbl_namepol_set *set, int64_t now,
		      uint64_t *evidence, uint64_t *states)
{
	int64_t before = set->retention ? now - set->retention : INT64_MIN;
	uint64_t ne = 0, ns = 0;
	int rc = set->retention ? rbl_nev_prune(t, before, &ne) : RBL_OK;

	if (rc == RBL_OK && set->retention)
		rc = drop_states(t, before, now, &ns);
	if (evidence)
		*evidence = ne;
	if (states)
		*states = ns;
	return rc;
}

int rbl_namepol_hash_address(const char *address, char *out)
{
	static const char hex[] = "0123456789abcdef";
	char low[ADDRESS_MAX + 1] = { 0 };
	unsigned char md[EVP_MAX_MD_SIZE] = { 0 };
	unsigned mdlen = 0;
	size_t n = 0;

	while (*address == ' ' || *address == '\t')
		address++;
	for (; *address && n < ADDRESS_MAX; address++) {
		unsigned char c = (unsigned char)*address;
		if (c <= ' ' || c == 0x7f)
			break;
		low[n++] = (char)tolower(c);
	}
	while (*address == ' ' || *address == '\t' || *address == '\n' ||
	       *address == '\r')
		address++;
	if (n == 0 || *address)
		return RBL_EINVAL;
	if (!EVP_Digest(low, n, md, &mdlen, EVP_sha1(), NULL) || mdlen != 20)
		return RBL_ENOMEM;
	for (unsigned i = 0; i < 20; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[40] = '\0';
	return RBL_OK;
}

int rbl_namepol_subject(const char *in, char *out)
{
	char low[41] = { 0 };

	if (strchr(in, '@'))
		return rbl_namepol_hash_address(in, out);
	if (strlen(in) == 40) {
		for (int i = 0; i <= 40; i++)
			low[i] = (char)tolower((unsigned char)in[i]);
		if (is_hash_name(low)) {
			memcpy(out, low, 41);
			return RBL_OK;
		}
	}
	return rbl_idna_name(in, out) > 0 ? RBL_OK : RBL_EINVAL;
}
