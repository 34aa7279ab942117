/*
 * users.h -- the people who may log in to rbl-admin, kept in the store.
 *
 * Passwords are never stored: each user has a random 16-byte salt and the
 * PBKDF2-HMAC-SHA256 hash of the password (RBL_USER_PBKDF2_ITER rounds,
 * OpenSSL's PKCS5_PBKDF2_HMAC).  The round count is stored per user, so it
 * can be raised later without invalidating existing hashes.  Verification
 * compares in constant time and costs the same whether or not the user
 * exists, so timing does not reveal user names.
 *
 * Users live in the store's table "users" of table.h (key: user name).
 * rblctl `user add/passwd/del/list` and rbl-admin's login are the callers.
 */
#ifndef RBL_USERS_H
#define RBL_USERS_H

#include <stdint.h>

#include "zone/store/store.h"

#define RBL_USER_NAME_MAX	32
#define RBL_USER_PASS_MIN	8	/* shorter passwords are refused */
#define RBL_USER_PASS_MAX	1024
#define RBL_USER_PBKDF2_ITER	600000u	/* OWASP 2023 for PBKDF2-SHA256 */

typedef struct rbl_user {
	char name[RBL_USER_NAME_MAX + 1];
	int64_t created;		/* unix seconds */
	int64_t pw_changed;		/* unix seconds of the last passwd */
	uint32_t iterations;		/* PBKDF2 rounds of the stored hash */
} rbl_user;

/* True if NAME is an acceptable user name: 1..32 of [A-Za-z0-9._-],
 * starting with a letter or digit. */
bool rbl_user_name_valid(const char *name);
/* RBL_OK if PASSWORD is acceptable (RBL_USER_PASS_MIN..MAX bytes),
 * else RBL_EINVAL. */
int rbl_user_pass_check(const char *password);

/* Create user NAME with PASSWORD in write transaction T.  Slow (the KDF).
 * Returns RBL_OK, RBL_EEXIST, RBL_EINVAL (bad name or password),
 * RBL_EREADONLY, RBL_ESTORE, RBL_EMAPFULL. */
int rbl_user_add(rbl_txn *t, const char *name, const char *password);
/* Replace NAME's password (new salt).  RBL_OK, RBL_ENOTFOUND, RBL_EINVAL,
 * or a store error. */
int rbl_user_passwd(rbl_txn *t, const char *name, const char *password);
/* Remove NAME.  RBL_OK, RBL_ENOTFOUND or a store error. */
int rbl_user_del(rbl_txn *t, const char *name);
/* Fill *OUT for NAME.  RBL_OK, RBL_ENOTFOUND or a store error. */
int rbl_user_get(rbl_txn *t, const char *name, rbl_user *out);
/* Call FN for each user in name order; FN returning non-zero stops the walk
 * and is returned. */
int rbl_user_foreach(rbl_txn *t, int (*fn)(void *arg, const rbl_user *u),
		     void *arg);

/* Check PASSWORD for NAME (read or write transaction).  Slow on purpose,
 * also for unknown users.  Returns RBL_OK when it matches, RBL_EPERM when
 * the user does not exist or the password is wrong (the two are not told
 * apart), or a store error. */
int rbl_user_verify(rbl_txn *t, const char *name, const char *password);

#endif
