/*
 * act.c -- transactions and audit records for page handlers (see act.h).
 */
#include "zone/people/audit.h"
#include "zone/error.h"
#include "act.h"

int adm_txn(const adm_req *r, bool write, rbl_txn **t)
{
	int rc = rbl_txn_begin(r->app->store, write, t);

	if (rc != RBL_OK)
		*t = NULL;
	return rc;
}

static const char *who(const adm_req *r)
{
	return r->has_session && r->sess.user[0] ? r->sess.user : "public";
}

int adm_audit(const adm_req *r, rbl_txn *t, const char *action,
	      const char *target, const char *before, const char *after,
	      const char *reason)
{
	rbl_audit_rec a = { .user = who(r), .client = r->client,
		.action = action, .target = target, .before = before,
		.after = after, .reason = reason };

	return rbl_audit_append(t, &a);
}

int adm_audit_alone(const adm_req *r, const char *user, const char *action,
		    const char *target, const char *reason)
{
	rbl_txn *t = NULL;
	rbl_audit_rec a = { .user = user, .client = r->client,
		.action = action, .target = target, .reason = reason };
	int rc = adm_txn(r, true, &t);

	if (rc != RBL_OK)
		return rc;
	rc = rbl_audit_append(t, &a);
	if (rc != RBL_OK) {
		rbl_txn_abort(t);
		return rc;
	}
	return rbl_txn_commit(t);
}
