/*
 * act.c -- transactions and audit records for page handlers (see act.h).
 */
#include <stdarg.h>
#include <stdio.h>

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

void adm_say(const adm_req *r, bool err, const char *fmt, ...)
{
	char text[ADM_FLASH_MAX * 2];
	va_list ap;

	if (!r->has_session)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	adm_session_flash(r->app->sessions, r->sess.token, err, text);
}

void adm_unsay(const adm_req *r)
{
	char drop[ADM_FLASH_MAX + 1];
	bool err = false;

	if (r->has_session)
		adm_session_take_flash(r->app->sessions, r->sess.token, drop,
				       sizeof drop, &err);
}
