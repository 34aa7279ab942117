/*
 * uri_impl.h -- the scanner's private side, shared by uri_scan.c (text,
 * hosts) and uri_mime.c (the MIME walk, which calls the scan); the
 * decoders both use are uri_decode.c's, in uri.h.  Nothing else uses it.
 */
#ifndef RBL_IMPORT_URI_IMPL_H
#define RBL_IMPORT_URI_IMPL_H

#include <stdint.h>

#include "uri.h"

/* Internal: the link limit was reached, stop quietly. */
#define URI_FULL	1

struct rbl_uri_scanner {
	const rbl_psl *psl;
	char *buf;			/* one decoded part */
	size_t cap;
	/* the message being scanned */
	rbl_uri_fn fn;
	void *arg;
	unsigned n_hosts;
	uint32_t host_hash[RBL_URI_MAX_LINKS];
	char hosts[RBL_URI_MAX_LINKS][RBL_NAME_MAX + 1];
};

/* Scan LEN bytes of TEXT with HOW (RBL_URI_TEXT or RBL_URI_HTML, plus
 * the part's encoding flags).  RBL_OK, URI_FULL or FN's value. */
int uri_scan_part(rbl_uri_scanner *s, const char *text, size_t len,
		  unsigned how);

#endif
