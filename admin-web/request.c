/*
 * request.c -- what a page reads of its request: query arguments,
 * headers, cookies, its own URL, and whether a path is safe to redirect
 * to (see admin.h).  Only reads; http.c fills the request.
 */
#include <stdbool.h>
#include <string.h>

#include <microhttpd.h>

#include "admin.h"

const char *adm_arg(const adm_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *adm_header(const adm_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *adm_cookie(const adm_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

struct self_ctx {
	adm_buf *out;
	const char *drop;
	unsigned n;
};

static enum MHD_Result self_arg(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *value)
{
	struct self_ctx *c = cls;

	if (c->drop && strcmp(key, c->drop) == 0)
		return MHD_YES;
	adm_puts(c->out, c->n++ ? "&" : "?");
	adm_urlenc(c->out, key);
	if (value) {
		adm_puts(c->out, "=");
		adm_urlenc(c->out, value);
	}
	return MHD_YES;
}

void adm_self_url(const adm_req *r, adm_buf *out, const char *drop,
		  const char *set, const char *value)
{
	struct self_ctx c = { out, drop, 0 };

	adm_puts(out, r->path);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, self_arg, &c);
	if (set) {
		adm_puts(out, c.n ? "&" : "?");
		adm_urlenc(out, set);
		adm_puts(out, "=");
		adm_urlenc(out, value);
	}
}

bool adm_local_path(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > ADM_NEXT_MAX || s[0] != '/' || s[1] == '/' ||
	    s[1] == '\\')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '\\')
			return false;
	}
	return true;
}
