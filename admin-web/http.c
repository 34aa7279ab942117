/*
 * http.c -- libmicrohttpd glue: collect a request, route it, send the
 * answer with the security headers (see http.h).  What a page reads of
 * its request is request.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "zone/error.h"
#include "http.h"
#include "slowguard.h"
#include "proxy.h"

struct adm_server {
	struct MHD_Daemon *daemon;
	adm_app *app;
	adm_guard *guard;		/* slow clients (slowguard.h) */
};

/* State of one request across libmicrohttpd's calls. */
struct conn_ctx {
	adm_buf body;
	bool too_big;
};

static void add_security_headers(struct MHD_Response *resp, bool tls)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
		"default-src 'none'; style-src 'self'; img-src 'self' data:; "
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000");
}

static enum MHD_Result send_resp(struct MHD_Connection *c, adm_resp *o,
				 bool tls)
{
	size_t len = 0;
	char *body = adm_buf_take(&o->body, &len);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!body) {
		static const char oom[] = "out of memory\n";

		o->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		o->content_type = "text/plain; charset=utf-8";
		o->location[0] = o->cookie[0] = '\0';
		body = strdup(oom);
		len = body ? sizeof oom - 1 : 0;
	}
	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", o->content_type ?
				o->content_type : "text/html; charset=utf-8");
	if (o->location[0])
		MHD_add_response_header(resp, "Location", o->location);
	if (o->cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", o->cookie);
	if (o->disposition)
		MHD_add_response_header(resp, "Content-Disposition",
					o->disposition);
	add_security_headers(resp, tls);
	ret = MHD_queue_response(c, o->status ? o->status : MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_plain(struct MHD_Connection *c, unsigned status,
				  const char *text)
{
	adm_resp o = { .status = status,
		       .content_type = "text/plain; charset=utf-8" };

	adm_buf_init(&o.body);
	adm_puts(&o.body, text);
	return send_resp(c, &o, false);
}

static void fill_request(adm_app *app, struct MHD_Connection *c,
			 const char *url, const char *method, adm_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	memset(r, 0, sizeof *r);
	r->app = app;
	r->conn = c;
	r->method = method;
	r->path = url;
	r->is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	r->tls = app->cfg.tls_cert != NULL;
	r->now = (int64_t)time(NULL);
	adm_client_addr(app->cfg.proxies, app->cfg.n_proxies,
			ci ? ci->client_addr : NULL,
			adm_header(r, "X-Forwarded-For"),
			adm_header(r, "X-Forwarded-Proto"), r->client, &r->tls);
}

/* The whole request is in: parse the body, route, answer. */
static enum MHD_Result finish(adm_app *app, struct MHD_Connection *c,
			      const char *url, const char *method,
			      struct conn_ctx *cc)
{
	adm_req r = { 0 };
	adm_resp o = { 0 };
	enum MHD_Result ret;
	int rc = RBL_OK;

	adm_guard_request_in(c);
	fill_request(app, c, url, method, &r);
	if (r.is_post && strcmp(url, ADM_API_REPORT) == 0) {
		r.body = cc->body.p ? cc->body.p : "";
		r.body_len = cc->body.len;
	} else if (r.is_post) {
		const char *type = adm_header(&r, "Content-Type");

		if (!type || strncmp(type, "application/x-www-form-urlencoded",
				     33) != 0)
			return send_plain(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
					  "forms only\n");
		rc = adm_form_parse(&r.form, cc->body.p ? cc->body.p : "",
				    cc->body.len);
	}
	adm_buf_init(&o.body);
	if (rc != RBL_OK)
		adm_error(&r, &o, MHD_HTTP_BAD_REQUEST, "The form was malformed.");
	else
		adm_route(&r, &o);
	adm_form_free(&r.form);
	ret = send_resp(c, &o, r.tls);
	return ret;
}

static uint64_t body_limit(const adm_app *app, const char *url)
{
	return strcmp(url, ADM_API_REPORT) == 0 ? app->cfg.max_report
						: app->cfg.max_post;
}

static bool declared_too_big(struct MHD_Connection *c, uint64_t max)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     "Content-Length");
	char *end = NULL;
	unsigned long long n;

	if (!cl)
		return false;
	n = strtoull(cl, &end, 10);
	return *end != '\0' || n > max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	adm_app *app = cls;
	struct conn_ctx *cc = *con_cls;

	if (!cc) {
		/* Refusals below answer at once: the request is "in". */
		if (strcmp(method, "GET") && strcmp(method, "HEAD") &&
		    strcmp(method, "POST"))
			return send_plain(c, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "method not allowed\n");
		if (declared_too_big(c, body_limit(app, url)))
			return send_plain(c, MHD_HTTP_CONTENT_TOO_LARGE,
					  "request body too large\n");
		if (!(cc = calloc(1, sizeof *cc)))
			return MHD_NO;
		adm_buf_init(&cc->body);
		*con_cls = cc;
		return MHD_YES;
	}
	if (*upload_size) {
		if (cc->body.len + *upload_size > body_limit(app, url))
			cc->too_big = true;
		if (!cc->too_big)
			adm_put(&cc->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (cc->too_big)
		return send_plain(c, MHD_HTTP_CONTENT_TOO_LARGE,
				  "request body too large\n");
	return finish(app, c, url, method, cc);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cc = *con_cls;

	adm_guard_answered(c);	/* the next request's deadline starts */
	if (cc) {
		adm_buf_free(&cc->body);
		free(cc);
		*con_cls = NULL;
	}
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	fputs("rbl-admin: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

int adm_http_start(adm_app *app, adm_server **out, char *err, size_t errlen)
{
	adm_config *cfg = &app->cfg;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ERROR_LOG;
	adm_server *s = calloc(1, sizeof *s);

	if (!s)
		return RBL_ENOMEM;
	if (cfg->listen.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cfg->tls_cert) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "libmicrohttpd was built without TLS");
			free(s);
			return RBL_EINVAL;
		}
		flags |= MHD_USE_TLS;
	}
	s->app = app;
	if (!(s->guard = adm_guard_new(cfg->max_connections,
				       cfg->request_timeout))) {
		free(s);
		return RBL_ENOMEM;
	}
	s->daemon = MHD_start_daemon(flags, 0, adm_guard_accept, s->guard,
		on_request, app,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&cfg->listen,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, adm_guard_capacity(s->guard),
		MHD_OPTION_NOTIFY_CONNECTION, adm_guard_notify, s->guard,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_client,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		cfg->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		cfg->tls_cert,
		MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key,
		MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s (in use, or bad TLS "
			 "certificate/key?)", cfg->listen_text);
		adm_guard_free(s->guard);
		free(s);
		return RBL_EIO;
	}
	*out = s;
	return RBL_OK;
}

void adm_http_stop(adm_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	adm_guard_free(s->guard);
	free(s);
}
