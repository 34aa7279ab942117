/*
 * error.h -- project-wide error codes and their text.
 *
 * Every function in rbld that can fail returns an int: RBL_OK (0) on success
 * or one of the negative RBL_E* codes below.  Errors from LMDB, ldns, OpenSSL
 * and libc are translated into these codes where they enter our code, so a
 * caller never has to know which library failed.  Only main() decides to exit.
 */
#ifndef RBL_ERROR_H
#define RBL_ERROR_H

enum rbl_error {
	RBL_OK = 0,
	RBL_ENOMEM = -1000,	/* out of memory */
	RBL_EINVAL,		/* invalid argument or value */
	RBL_ESYNTAX,		/* input does not parse (line/column in the message) */
	RBL_ENOTFOUND,		/* no such zone, list, entry, user, ... */
	RBL_EEXIST,		/* already exists */
	RBL_EIO,		/* I/O error (errno is kept by the caller if useful) */
	RBL_ESTORE,		/* the LMDB store failed (corrupt, version, ...) */
	RBL_EMAPFULL,		/* the store map is full: raise map size */
	RBL_EREADONLY,		/* write attempted on a read-only store or txn */
	RBL_EBUSY,		/* resource busy (e.g. too many readers) */
	RBL_ETOOBIG,		/* value too large for its field or packet */
	RBL_ERANGE,		/* value out of range */
	RBL_EPERM,		/* not allowed (ACL, privileges, bad credentials) */
	RBL_EFORMAT,		/* malformed packet / message */
	RBL_EVERSION,		/* incompatible on-disk or protocol version */
	RBL_ELIMIT,		/* configured limit reached (expansion, quota) */
	RBL_ESTALE,		/* data changed under us; retry */
	RBL_EUPGRADE,		/* store written by an older rbld: a writer
				   must convert it first */
	RBL_ELAST
};

/* Return a static, human-readable text for ERR (an rbl_error).  Never NULL. */
const char *rbl_strerror(int err);

#endif
