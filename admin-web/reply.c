/*
 * reply.c -- the answers every page may give besides its own: a redirect,
 * a short error page, the session cookie set or cleared (see admin.h,
 * pages.h).  The router uses them too; they call only the page template
 * (html.h) and the buffer, never a page or the router.
 */
#include <stdio.h>

#include <microhttpd.h>

#include "html.h"
#include "pages.h"

void adm_redirect(adm_resp *o, const char *location)
{
	o->status = MHD_HTTP_SEE_OTHER;
	snprintf(o->location, sizeof o->location, "%s", location);
	adm_buf_free(&o->body);
	adm_puts(&o->body, "");
}

void adm_error(adm_req *r, adm_resp *o, unsigned status, const char *msg)
{
	char title[32];

	o->status = status;
	adm_buf_free(&o->body);
	snprintf(title, sizeof title, "Error %u", status);
	adm_page_begin(&o->body, r, title);
	adm_notice(&o->body, "err", msg);
	adm_page_end(&o->body);
}

void adm_session_cookie(const adm_req *r, adm_resp *o, const char *token)
{
	snprintf(o->cookie, sizeof o->cookie,
		 "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", ADM_COOKIE,
		 token ? token : "", r->tls ? "; Secure" : "",
		 token ? "" : "; Max-Age=0");
}
