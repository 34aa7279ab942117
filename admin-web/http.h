/*
 * http.h -- the libmicrohttpd server of rbl-admin.
 *
 * One daemon with an internal thread pool (epoll or poll, whichever the
 * library picks), bounded connections in total and per client, an idle
 * timeout, a per-connection memory limit for headers, and a request body
 * limit (admin.max-post: larger bodies get 413 without being read whole).
 * TLS is libmicrohttpd's own (MHD_USE_TLS) when a certificate is set.
 */
#ifndef ADM_HTTP_H
#define ADM_HTTP_H

#include <stddef.h>

#include "admin.h"

typedef struct adm_server adm_server;

/* Start serving APP.  RBL_OK and *OUT, or RBL_EIO/RBL_EINVAL with a
 * message in ERR. */
int adm_http_start(adm_app *app, adm_server **out, char *err, size_t errlen);
/* Stop accepting, finish running requests, free. */
void adm_http_stop(adm_server *s);

#endif
