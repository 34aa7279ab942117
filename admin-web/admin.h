/*
 * admin.h -- rbl-admin's shared types: the application, one request, one
 * response, and the handler signature every page implements.
 *
 * Flow: http.c (libmicrohttpd) collects a request and its body, fills an
 * adm_req, and calls adm_route() (router.c).  The router finds the session
 * (session.c), enforces login, method and CSRF (csrf.c), then calls the
 * page handler, which writes an adm_resp.  http.c turns that into the
 * libmicrohttpd response with the security headers.  Pages read their
 * request through request.c and give the common answers through reply.c,
 * never calling back into the router or http.c.
 */
#ifndef ADM_ADMIN_H
#define ADM_ADMIN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zone/addr.h"
#include "zone/config/config.h"
#include "zone/policy/namepol.h"
#include "zone/policy/policy.h"
#include "zone/policy/rdns_review.h"
#include "zone/store/store.h"
#include "buf.h"
#include "form.h"
#include "ratelimit.h"
#include "session.h"

#define ADM_MAX_PROXIES	32
#define ADM_API_REPORT	"/api/report"	/* raw body, not a form */
#define ADM_VISITOR_HEX	32		/* anonymous form cookie (csrf.h) */
#define ADM_NEXT_MAX	400		/* a return-to path after login */

typedef struct adm_config {
	struct sockaddr_storage listen;	/* admin.listen */
	socklen_t listen_len;
	char listen_text[80];
	bool public_site;		/* admin.public */
	char *tls_cert, *tls_key;	/* PEM text, NULL without TLS */
	rbl_prefix proxies[ADM_MAX_PROXIES];	/* admin.trusted-proxy */
	unsigned n_proxies;
	rbl_prefix metrics_allow[ADM_MAX_PROXIES];
	unsigned n_metrics_allow;
	uint32_t session_idle;		/* seconds */
	uint32_t max_sessions;
	uint32_t login_rate;		/* attempts per minute per client */
	uint32_t request_rate;		/* public requests per hour per client */
	uint64_t max_post;		/* bytes */
	uint64_t max_report;		/* bytes, POST /api/report */
	uint32_t threads, max_connections, max_per_client, timeout;
	uint32_t request_timeout;	/* a request must arrive in this (s) */
	char site_name[64];
	char database[4096];
	char stats_file[4096];		/* rbld's shared counters */
} adm_config;

typedef struct adm_app {
	adm_config cfg;
	const rbl_conf *conf;		/* the whole rbld.conf */
	rbl_policy_set *policies;	/* resolved against the store */
	rbl_namepol_set *namepols;	/* domain policies, resolved */
	rbl_rdns_opts rdns;		/* where rDNS ranges are published */
	rbl_store *store;
	adm_sessions *sessions;
	adm_ratelimit *login_limit, *request_limit;
	adm_ratelimit *report_limit;	/* wrong /api/report tokens */
	unsigned char form_key[32];	/* anonymous CSRF tokens (csrf.h) */
	struct adm_stats_cache *stats;	/* dashboard numbers (stats.c) */
	struct adm_qs *qs;		/* rbld query rates (qrate.c) */
	int64_t started;
} adm_app;

typedef struct adm_req {
	adm_app *app;
	void *conn;			/* struct MHD_Connection */
	const char *method;		/* "GET", "HEAD", "POST" */
	const char *path;		/* "/admin/request" */
	bool is_post;
	const char *body;		/* raw body of POST /api/report */
	size_t body_len;
	bool tls;			/* direct TLS, or https at a trusted proxy */
	char client[RBL_ADDR_STRLEN];	/* the client, after X-Forwarded-For */
	adm_form form;			/* POST body fields */
	bool has_session;
	adm_session sess;		/* a copy; valid when has_session */
	char visitor[ADM_VISITOR_HEX + 1];	/* anonymous form cookie, "" */
	bool csrf_failed;		/* a public form came back: show it
					   again with its text (router.c) */
	int64_t now;
} adm_req;

typedef struct adm_resp {
	unsigned status;		/* 200 unless set */
	const char *content_type;	/* NULL = text/html; charset=utf-8 */
	adm_buf body;
	char location[512];		/* for redirects */
	char cookie[256];		/* Set-Cookie value, "" = none */
	const char *disposition;	/* Content-Disposition, NULL = none */
} adm_resp;

typedef void (*adm_handler)(adm_req *r, adm_resp *o);

/* ---- request.c: what a page reads of its request ---- */

/* Query-string argument NAME of the request, or NULL. */
const char *adm_arg(const adm_req *r, const char *name);
/* Request header NAME, or NULL. */
const char *adm_header(const adm_req *r, const char *name);
/* Cookie NAME of the request, or NULL. */
const char *adm_cookie(const adm_req *r, const char *name);
/* This request's path and query into OUT as a plain (not HTML-escaped)
 * URL, with query argument DROP left out (NULL: none) and, when SET is not
 * NULL, SET=VALUE added at the end.  Values are percent-encoded. */
void adm_self_url(const adm_req *r, adm_buf *out, const char *drop,
		  const char *set, const char *value);
/* True if S is a path on this site that is safe to redirect to: starts
 * with one "/", printable ASCII without a backslash, at most ADM_NEXT_MAX
 * bytes (no "//host", no scheme, no header injection). */
bool adm_local_path(const char *s);

/* Dispatch R to its page (router.c).  Always fills O. */
void adm_route(adm_req *r, adm_resp *o);

/* ---- reply.c: answers any page may give ---- */

/* Redirect (303 See Other) to LOCATION, a path on this site. */
void adm_redirect(adm_resp *o, const char *location);
/* A short error page with STATUS and a plain MESSAGE. */
void adm_error(adm_req *r, adm_resp *o, unsigned status, const char *msg);

#endif
