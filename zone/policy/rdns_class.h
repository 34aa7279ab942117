/*
 * rdns_class.h -- the classes of reverse-DNS names, shared by the rDNS
 * classifier (import/rdns_classify.h) and the review queue
 * (zone/policy/rdns_review.h).  Header only; no dependencies.
 */
#ifndef RBL_RDNS_CLASS_H
#define RBL_RDNS_CLASS_H

#include <strings.h>

/* Longest host name in text form; the same as RBL_NAME_MAX in store.h
 * (rdns_review.c checks), repeated so the classifier needs no store. */
#define RBL_RDNS_NAME_MAX 253

/* What a PTR name says about its address. */
enum rbl_rdns_class {
	RBL_RDNS_UNKNOWN = 0,
	RBL_RDNS_DYNAMIC = 1,	/* end-user, changing: dial-up, DSL, cable... */
	RBL_RDNS_STATIC = 2,	/* end-user, generic name but fixed address */
	RBL_RDNS_INFRA = 3,	/* servers: mail, mx, smtp, relay, hosting */
	RBL_RDNS_NCLASS = 4
};

/* "unknown", "dynamic", "static", "infrastructure"; "?" if out of range. */
static inline const char *rbl_rdns_class_name(int cls)
{
	static const char *const names[RBL_RDNS_NCLASS] = {
		"unknown", "dynamic", "static", "infrastructure" };
	return cls >= 0 && cls < RBL_RDNS_NCLASS ? names[cls] : "?";
}

/* Parse a class name (also "infra", "static-end-user"), any case.
 * Returns the class or -1. */
static inline int rbl_rdns_class_parse(const char *s)
{
	for (int c = 0; c < RBL_RDNS_NCLASS; c++)
		if (strcasecmp(s, rbl_rdns_class_name(c)) == 0)
			return c;
	if (strcasecmp(s, "infra") == 0)
		return RBL_RDNS_INFRA;
	if (strcasecmp(s, "static-end-user") == 0)
		return RBL_RDNS_STATIC;
	return -1;
}

#endif
