/*
 * act.h -- store access for page handlers: short transactions and the
 * audit record that goes with every action a person takes.
 */
#ifndef ADM_ACT_H
#define ADM_ACT_H

#include "admin.h"

/* Begin a read or write transaction on the app's store.  Returns the
 * rbl_error; on failure *T is NULL. */
int adm_txn(const adm_req *r, bool write, rbl_txn **t);

/* Append an audit record for R's person (or "public" when not logged in) and
 * client in T.  Returns the rbl_error. */
int adm_audit(const adm_req *r, rbl_txn *t, const char *action,
	      const char *target, const char *before, const char *after,
	      const char *reason);
/* The same in a transaction of its own (login, logout). */
int adm_audit_alone(const adm_req *r, const char *user, const char *action,
		    const char *target, const char *reason);

/* Tell the person what their action did (or why it did not), on the page
 * they land on next: printf FMT into the session's message (plain text,
 * escaped when shown).  ERR marks a failure. */
void adm_say(const adm_req *r, bool err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Take that message back (the transaction it described did not commit). */
void adm_unsay(const adm_req *r);

#endif
