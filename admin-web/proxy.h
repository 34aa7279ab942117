/*
 * proxy.h -- who the client is, when rbl-admin sits behind a reverse proxy.
 *
 * X-Forwarded-For is believed only when the TCP peer is one of the
 * configured trusted proxies (admin.trusted-proxy).  The header is then
 * read from the right, skipping trusted proxies, and the first address that
 * is not one is the client: addresses left of it were written by the
 * client and could be anything.  X-Forwarded-Proto from a trusted proxy
 * tells whether the browser used https (for the cookie's Secure flag).
 */
#ifndef ADM_PROXY_H
#define ADM_PROXY_H

#include <stdbool.h>
#include <sys/socket.h>

#include "zone/addr.h"

/* True if A lies in one of the N prefixes of LIST. */
bool adm_in_prefixes(const rbl_prefix *list, unsigned n, const rbl_addr *a);

/* The client address of a request from PEER (may be NULL) with headers XFF
 * and XPROTO (each may be NULL), given N trusted proxies PROXIES, into OUT
 * (RBL_ADDR_STRLEN bytes); *HTTPS is set from X-Forwarded-Proto when the
 * peer is trusted, and left alone otherwise. */
void adm_client_addr(const rbl_prefix *proxies, unsigned n,
		     const struct sockaddr *peer, const char *xff,
		     const char *xproto, char *out, bool *https);

#endif
