/*
 * audit.h -- the append-only audit log of human actions on the blocklist.
 *
 * Every change a person makes (rbl-admin: login, failed login, logout,
 * delisting confirmed/rejected, listing added/edited/removed, allow-list
 * and rule changes; rblctl: add/del and user changes) appends one record:
 * when, who, from where, what, on which target, the state before and after,
 * and the reason given.  Records are numbered in order and never changed or
 * deleted: this module has no such call.  Appending inside the same write
 * transaction as the change itself makes the record and the change commit
 * (or vanish) together.
 *
 * Stored in the store's table "audit" of table.h (key: big-endian sequence
 * number).
 */
#ifndef RBL_AUDIT_H
#define RBL_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/store/store.h"

/* Longer field values are cut to this many bytes when appended. */
#define RBL_AUDIT_FIELD_MAX 2048

/* Action names used by rbl-admin and rblctl (free text is allowed, these
 * keep the log greppable). */
#define RBL_AUDIT_LOGIN		"login"
#define RBL_AUDIT_LOGIN_FAIL	"login.fail"
#define RBL_AUDIT_LOGOUT	"logout"
#define RBL_AUDIT_DELIST_REQUEST "delist.request"	/* public form */
#define RBL_AUDIT_DELIST_CONFIRM "delist.confirm"
#define RBL_AUDIT_DELIST_REJECT	"delist.reject"
#define RBL_AUDIT_LISTING_ADD	"listing.add"
#define RBL_AUDIT_LISTING_EDIT	"listing.edit"
#define RBL_AUDIT_LISTING_DEL	"listing.del"
#define RBL_AUDIT_ALLOW_ADD	"allow.add"
#define RBL_AUDIT_ALLOW_DEL	"allow.del"
#define RBL_AUDIT_RULE_CHANGE	"rule.change"
#define RBL_AUDIT_USER_ADD	"user.add"
#define RBL_AUDIT_USER_PASSWD	"user.passwd"
#define RBL_AUDIT_USER_DEL	"user.del"
#define RBL_AUDIT_KEY_ADD	"key.add"	/* access keys (qkey.h) */
#define RBL_AUDIT_KEY_CHANGE	"key.change"	/* set, enable, disable */
#define RBL_AUDIT_KEY_ROTATE	"key.rotate"
#define RBL_AUDIT_KEY_DEL	"key.del"

typedef struct rbl_audit_rec {
	uint64_t seq;		/* set by rbl_audit_append, 1, 2, ... */
	int64_t time;		/* unix seconds; 0 on append = now */
	const char *user;	/* "alice", "rblctl:root", "public" (anyone) */
	const char *client;	/* "192.0.2.7", "local" */
	const char *action;	/* one of RBL_AUDIT_* or similar */
	const char *target;	/* "192.0.2.1", "bad.example", "request 12" */
	const char *before;	/* state before the change, "" if none */
	const char *after;	/* state after the change, "" if none */
	const char *reason;	/* why, as the person wrote it */
} rbl_audit_rec;

/* Append R in write transaction T.  NULL strings are stored as "".  On
 * success R->seq (and R->time when it was 0) are filled in.  Returns
 * RBL_OK, RBL_EREADONLY, RBL_EMAPFULL, RBL_ESTORE. */
int rbl_audit_append(rbl_txn *t, rbl_audit_rec *r);

/* Which records rbl_audit_foreach visits.  Zeroed = all, oldest first. */
typedef struct rbl_audit_filter {
	bool newest_first;
	uint64_t start;		/* first seq to visit (0 = the first/last one) */
	int64_t since, until;	/* time range, inclusive; 0 = open */
	const char *target;	/* only this exact target (NULL = any) */
	const char *action;	/* only actions starting with this (NULL = any) */
	const char *user;	/* only this exact user (NULL = any) */
} rbl_audit_filter;

/* Call FN for each record matching F (NULL = all).  The strings in the
 * record passed to FN are valid only during that call.  FN returning
 * non-zero stops the walk and that value is returned; otherwise RBL_OK or
 * a store error.  An empty or absent log is not an error. */
typedef int (*rbl_audit_fn)(void *arg, const rbl_audit_rec *r);
int rbl_audit_foreach(rbl_txn *t, const rbl_audit_filter *f,
		      rbl_audit_fn fn, void *arg);

/* Number of the last record (0 if none) into *SEQ. */
int rbl_audit_last(rbl_txn *t, uint64_t *seq);

/* CSV export (RFC 4180, CRLF line ends, a header row): time as ISO 8601
 * UTC, then seq, user, client, action, target, before, after, reason.
 * Fields that a spreadsheet would run as a formula (starting with = + - @
 * tab or CR) get a leading apostrophe.  WRITE receives the text in pieces;
 * its non-zero return stops the export and is returned. */
typedef int (*rbl_audit_write_fn)(void *arg, const char *p, size_t n);
int rbl_audit_csv(rbl_txn *t, const rbl_audit_filter *f,
		  rbl_audit_write_fn write, void *arg);
/* One record as a CSV row (with CRLF), for callers that filter further. */
int rbl_audit_csv_row(const rbl_audit_rec *r, rbl_audit_write_fn write,
		      void *arg);
/* The header row. */
int rbl_audit_csv_header(rbl_audit_write_fn write, void *arg);

#endif
