/*
 * zrec.h -- zone records: fixed A, AAAA, TXT and MX records at names of a
 * zone, beside its listings (the list's web server, its MX, an "about"
 * TXT): what rbldnsd's "generic" dataset holds.
 *
 * An rbl_zrec carries its RDATA in wire format (names uncompressed,
 * lowercase), so the server copies it into answers as is.  This module
 * converts between that and presentation form; the store keeps them
 * (rbl_zrec_replace/rbl_zrec_get in store.h).
 */
#ifndef RBL_ZREC_H
#define RBL_ZREC_H

#include <stddef.h>
#include <stdint.h>

#include "zone/store/store.h"

#define RBL_ZREC_MAX		256	/* records per zone */
#define RBL_ZREC_RDATA_MAX	512

enum rbl_zrec_type {
	RBL_ZREC_A = 1, RBL_ZREC_MX = 15, RBL_ZREC_TXT = 16,
	RBL_ZREC_AAAA = 28,
};

typedef struct rbl_zrec {
	char owner[RBL_NAME_MAX + 1];	/* relative, lowercase; "" = apex */
	uint16_t type;			/* rbl_zrec_type (the DNS code) */
	uint32_t ttl;			/* 0: the zone's TTL */
	uint16_t rdlen;
	uint8_t rdata[RBL_ZREC_RDATA_MAX];
} rbl_zrec;

/* The type code of NAME ("A", "aaaa", "TXT", "MX"), or 0. */
uint16_t rbl_zrec_type_parse(const char *name);
/* "A", "AAAA", "TXT", "MX", or "?". */
const char *rbl_zrec_type_name(uint16_t type);

/* Set R's RDATA from VALUE in presentation form for R->type:
 *   A      192.0.2.1
 *   AAAA   2001:db8::1
 *   MX     10 mx.example.org      (the name absolute, trailing dot or not)
 *   TXT    "one string" "another" (quoted, \" and \\ escaped), or bare
 *          text, cut into strings of 255 bytes
 * Returns RBL_OK or RBL_ESYNTAX with a short reason in *WHY. */
int rbl_zrec_parse_value(rbl_zrec *r, const char *value, const char **why);

/* Write R's RDATA in presentation form into BUF (always terminated).
 * Returns the length, or -1 if R is malformed. */
int rbl_zrec_format_value(const rbl_zrec *r, char *buf, size_t size);

/* Check R: a known type, well-formed RDATA, an owner that is a relative
 * domain name ("" for the apex).  RBL_OK or RBL_EINVAL. */
int rbl_zrec_check(const rbl_zrec *r);

#endif
