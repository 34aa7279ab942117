/*
 * error.c -- text for the project-wide error codes.
 */
#include "zone/error.h"

const char *rbl_strerror(int err)
{
	switch (err) {
	case RBL_OK:		return "success";
	case RBL_ENOMEM:	return "out of memory";
	case RBL_EINVAL:	return "invalid argument";
	case RBL_ESYNTAX:	return "syntax error";
	case RBL_ENOTFOUND:	return "not found";
	case RBL_EEXIST:	return "already exists";
	case RBL_EIO:		return "input/output error";
	case RBL_ESTORE:	return "store error";
	case RBL_EMAPFULL:	return "store map is full (raise map-size)";
	case RBL_EREADONLY:	return "store is read-only";
	case RBL_EBUSY:		return "resource busy";
	case RBL_ETOOBIG:	return "value too large";
	case RBL_ERANGE:	return "value out of range";
	case RBL_EPERM:		return "permission denied";
	case RBL_EFORMAT:	return "malformed input";
	case RBL_EVERSION:	return "written by a newer rbld (incompatible version)";
	case RBL_ELIMIT:	return "limit reached";
	case RBL_ESTALE:	return "data changed, retry";
	case RBL_EUPGRADE:	return "written by an older rbld: open it once "
				       "read-write (e.g. rblctl stats) to "
				       "convert it";
	}
	return "unknown error";
}
