/*
 * delist_decide.c -- deciding a delisting request (see delist.h):
 * confirming takes the subject out of every published list that lists it
 * (deleting its own entries, excluding it from wider ones), blocks
 * automatic relisting and records the decision; rejecting only records
 * it.  Each is one transaction with its audit record.  The request
 * records themselves are delist.c's (delist_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/error.h"
#include "zone/people/audit.h"
#include "zone/people/delist.h"
#include "zone/people/delist_impl.h"
#include "zone/policy/nameev.h"
#include "zone/policy/namepol.h"
#include "zone/policy/policy.h"

/* Enough nested entries to peel off, however a subject is covered. */
#define MAX_PEEL	160

/* ------------------------------------------------------------- decide */

/* What confirming did, collected list by list. */
struct unlist_ctx {
	rbl_txn *t;
	const rbl_delist_req *req;
	bool is_addr;
	rbl_addr addr;
	int64_t now;
	unsigned n;
	char source[RBL_SOURCE_MAX + 1];	/* of the exclusions we add */
	char removed[RBL_DELIST_REMOVED_MAX + 1];
};

static void note(struct unlist_ctx *c, const rbl_list *l, const char *what,
		 const char *key)
{
	size_t len = strlen(c->removed);

	snprintf(c->removed + len, sizeof c->removed - len, "%s%s %s:%s",
		 len ? "; " : "", what, l->name, key);
	c->n++;
}

/* Peel entries off until the address is no longer listed in L. */
static int unlist_ip(struct unlist_ctx *c, const rbl_list *l)
{
	unsigned bits = rbl_addr_bits(c->addr.family);

	for (int i = 0; i < MAX_PEEL; i++) {
		rbl_prefix decided = { 0 }, host = { c->addr, (uint8_t)bits };
		rbl_entry e = { 0 };
		char buf[RBL_ADDR_STRLEN];
		int rc = rbl_ip_explain(c->t, l->id, &c->addr, c->now,
					&decided, &e);

		if (rc == RBL_ENOTFOUND)
			return RBL_OK;
		if (rc != RBL_OK)
			return rc;
		rbl_prefix_format(&decided, buf);
		if (decided.len == bits) {
			rc = rbl_ip_del(c->t, l->id, &decided);
			note(c, l, "deleted", buf);
		} else {
			rbl_entry_init(&e);
			e.flags = RBL_ENTRY_EXCLUDE;
			snprintf(e.source, sizeof e.source, "%s", c->source);
			rc = rbl_ip_add(c->t, l->id, &host, &e);
			note(c, l, "excluded from", buf);
		}
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_ELIMIT;
}

/* The name's own entry: drop what lists the name itself, keep a wildcard
 * for the names below it.  Returns 1 when it changed something. */
static int unlist_own_name(struct unlist_ctx *c, const rbl_list *l,
			   const char *name)
{
	rbl_entry e = { 0 };
	int rc = rbl_name_get(c->t, l->id, name, &e);
	bool subs;

	if (rc == RBL_ENOTFOUND)
		return 0;
	if (rc != RBL_OK)
		return rc;
	subs = e.flags & RBL_ENTRY_NAME_SUBS;
	if ((e.flags & RBL_ENTRY_EXCLUDE) ||
	    (subs && !(e.flags & RBL_ENTRY_NAME_EXACT)))
		return 0;	/* not what lists the name itself */
	/* the store keeps a subtree entry apart: this leaves it */
	rc = rbl_name_del(c->t, l->id, name);
	note(c, l, "deleted", name);
	return rc == RBL_OK ? 1 : rc;
}

static int unlist_name(struct unlist_ctx *c, const rbl_list *l)
{
	const char *name = c->req->subject;
	rbl_match m = { 0 };
	rbl_entry e = { 0 };
	int rc = rbl_name_lookup_str(c->t, l->id, name, c->now, &m);

	if (rc != RBL_OK)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	rc = unlist_own_name(c, l, name);
	if (rc < 0)
		return rc;
	rc = rbl_name_lookup_str(c->t, l->id, name, c->now, &m);
	if (rc != RBL_OK)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	/* Still listed through a wildcard above it: exclude the name. */
	rbl_entry_init(&e);
	e.flags = RBL_ENTRY_EXCLUDE | RBL_ENTRY_NAME_EXACT;
	snprintf(e.source, sizeof e.source, "%s", c->source);
	rc = rbl_name_add(c->t, l->id, name, &e);
	note(c, l, "excluded", name);
	return rc;
}

static int unlist_in(void *arg, const rbl_list *l)
{
	struct unlist_ctx *c = arg;
	int rc;

	if (c->is_addr != (l->kind == RBL_LIST_IP))
		return 0;
	if ((rc = delist_published(c->t, l->id)) <= 0)
		return rc;
	return c->is_addr ? unlist_ip(c, l) : unlist_name(c, l);
}

/*
 * Keep importers from listing the subject again on the old evidence: the
 * policy forgets its score and ignores evidence up to now.  A domain (or
 * a hash of a hash list) is blocked for the domain policy the same way;
 * its listings were removed above.
 */
static int block_relisting(rbl_txn *t, const struct unlist_ctx *c,
			   const char *user, const char *reason)
{
	char who[RBL_POLICY_WHO_MAX + 1] = "", why[RBL_POLICY_WHY_MAX + 1] = "";

	snprintf(who, sizeof who, "admin:%s", user);
	snprintf(why, sizeof why, "%s", reason);
	if (!c->is_addr)
		return rbl_nev_name_ok(c->req->subject) ?
		       rbl_namepol_block(t, NULL, c->req->subject, c->now, who,
					 why) : RBL_OK;
	return rbl_policy_block(t, &c->addr, c->now, who, why);
}

static int decide_check(rbl_txn *t, uint64_t id, const char *user,
			const char *reason, rbl_delist_req *r)
{
	int rc;

	if (!user || !*user || strlen(user) > RBL_DELIST_WHO_MAX ||
	    !reason || !*reason || strlen(reason) > RBL_DELIST_REASON_MAX ||
	    strlen(reason) == strspn(reason, " \t\r\n"))
		return RBL_EINVAL;
	rc = rbl_delist_get(t, id, r);
	if (rc != RBL_OK)
		return rc;
	return r->state == RBL_DELIST_PENDING ? RBL_OK : RBL_ESTALE;
}

static int record_decision(rbl_txn *t, rbl_delist_req *r, int state,
			   const char *user, const char *client,
			   const char *reason, const char *before)
{
	char after[RBL_DELIST_REMOVED_MAX + 64];
	rbl_audit_rec a = { .user = user, .client = client,
		.target = r->subject, .before = before, .after = after,
		.reason = reason };
	int rc;

	r->state = (uint8_t)state;
	r->decided = (int64_t)time(NULL);
	snprintf(r->decided_by, sizeof r->decided_by, "%s", user);
	snprintf(r->decision, sizeof r->decision, "%s", reason);
	rc = delist_rec_put(t, r);
	if (rc != RBL_OK)
		return rc;
	a.action = state == RBL_DELIST_CONFIRMED ? RBL_AUDIT_DELIST_CONFIRM
						 : RBL_AUDIT_DELIST_REJECT;
	if (state == RBL_DELIST_CONFIRMED)
		snprintf(after, sizeof after, "request %llu confirmed; %s",
			 (unsigned long long)r->id,
			 r->removed[0] ? r->removed : "was no longer listed");
	else
		snprintf(after, sizeof after, "request %llu rejected; listing kept",
			 (unsigned long long)r->id);
	return rbl_audit_append(t, &a);
}

int rbl_delist_confirm(rbl_txn *t, uint64_t id, const char *user,
		       const char *client, const char *reason,
		       unsigned *n_removed)
{
	struct unlist_ctx *c = calloc(1, sizeof *c);
	rbl_delist_req *r = calloc(1, sizeof *r);
	char before[64];
	int rc = c && r ? decide_check(t, id, user, reason, r) : RBL_ENOMEM;

	if (rc == RBL_OK) {
		c->t = t, c->req = r, c->now = (int64_t)time(NULL);
		snprintf(c->source, sizeof c->source, "delist:%llu",
			 (unsigned long long)id);
		rc = rbl_delist_subject(r->subject, r->subject, &c->is_addr,
					&c->addr);
	}
	if (rc == RBL_OK)
		rc = rbl_list_foreach(t, unlist_in, c);
	if (rc == RBL_OK)
		rc = block_relisting(t, c, user, reason);
	if (rc == RBL_OK) {
		memcpy(r->removed, c->removed, sizeof r->removed);
		snprintf(before, sizeof before, "request %llu pending",
			 (unsigned long long)id);
		rc = record_decision(t, r, RBL_DELIST_CONFIRMED, user, client,
				     reason, before);
	}
	if (rc == RBL_OK && n_removed)
		*n_removed = c->n;
	free(c);
	free(r);
	return rc;
}

int rbl_delist_reject(rbl_txn *t, uint64_t id, const char *user,
		      const char *client, const char *reason)
{
	rbl_delist_req *r = calloc(1, sizeof *r);
	char before[64];
	int rc = r ? decide_check(t, id, user, reason, r) : RBL_ENOMEM;

	if (rc == RBL_OK) {
		snprintf(before, sizeof before, "request %llu pending",
			 (unsigned long long)id);
		rc = record_decision(t, r, RBL_DELIST_REJECTED, user, client,
				     reason, before);
	}
	free(r);
	return rc;
}
