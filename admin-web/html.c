/*
 * html.c -- page layout and helpers (see html.h).
 */
#include <string.h>
#include <time.h>

#include "csrf.h"
#include "html.h"

static const char css[] =
	"*{box-sizing:border-box}"
	"body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2329;"
	"background:#f5f6f8}"
	"header{background:#1f3a5f;color:#fff;padding:.6em 1.2em;display:flex;"
	"flex-wrap:wrap;align-items:center;gap:1em}"
	"header a{color:#dbe7f5;text-decoration:none}header a:hover{color:#fff}"
	"header .muted{color:#b9c7d8}a.card{color:inherit;text-decoration:none}"
	"header .site{font-weight:600;font-size:1.1em;color:#fff;margin-right:1em}"
	"header form{margin:0 0 0 auto}"
	"main{max-width:1100px;margin:1.2em auto;padding:0 1.2em}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
	"table{border-collapse:collapse;width:100%;background:#fff;margin:.6em 0}"
	"th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e1e4e8;"
	"vertical-align:top}th{background:#eef1f5;font-weight:600}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
	"form.inline{display:inline}"
	"label{display:block;margin:.5em 0 .2em;font-weight:600}"
	"input[type=text],input[type=password],input[type=email],select,textarea"
	"{width:100%;max-width:36em;padding:.4em;border:1px solid #b8c0ca;"
	"border-radius:4px;font:inherit}"
	"textarea{min-height:6em}"
	"button{padding:.4em 1em;border:0;border-radius:4px;background:#1f6feb;"
	"color:#fff;font:inherit;cursor:pointer;margin-top:.6em}"
	"button.danger{background:#c62828}button.quiet{background:#5b6570}"
	"header button{margin:0;background:#38598a}"
	".notice{padding:.6em 1em;border-radius:4px;margin:1em 0}"
	".ok{background:#e3f4e6;border:1px solid #8fc79a}"
	".warn{background:#fff6db;border:1px solid #e2c46b}"
	".err{background:#fde4e4;border:1px solid #e39a9a}"
	".cards{display:flex;flex-wrap:wrap;gap:1em}"
	".card{background:#fff;border:1px solid #e1e4e8;border-radius:6px;"
	"padding:.8em 1em;min-width:12em}"
	".card .big{font-size:1.8em;font-weight:600}"
	".muted{color:#5b6570}.mono{font-family:ui-monospace,monospace}"
	"input.short{width:10em}"
	"svg{background:#fff;border:1px solid #e1e4e8;border-radius:6px}"
	"footer{max-width:1100px;margin:2em auto;padding:0 1.2em;color:#5b6570;"
	"font-size:.85em}";

const char *adm_stylesheet(size_t *len)
{
	*len = sizeof css - 1;
	return css;
}

const char *adm_time(int64_t t, const char *when_zero, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm = { 0 };

	if (t == 0)
		return when_zero;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

static void nav_public(adm_buf *b, const adm_req *r)
{
	if (r->app->cfg.public_site)
		adm_puts(b, "<a href=\"/\">Lookup</a>"
			    "<a href=\"/delist\">Request delisting</a>");
	adm_puts(b, "<a href=\"/login\">Operator login</a>");
}

static void nav_admin(adm_buf *b, const adm_req *r)
{
	adm_puts(b, "<a href=\"/admin\">Dashboard</a>"
		    "<a href=\"/admin/search\">Search</a>"
		    "<a href=\"/admin/requests\">Requests</a>"
		    "<a href=\"/admin/listing\">Add listing</a>"
		    "<a href=\"/admin/allow\">Allow list</a>"
		    "<a href=\"/admin/rdns\">rDNS review</a>"
		    "<a href=\"/admin/audit\">Audit log</a>");
	adm_htmlf(b, "<form method=\"post\" action=\"/logout\">"
		     "<span class=\"muted\">%s</span> ", r->sess.user);
	adm_csrf_field(b, r);
	adm_puts(b, "<button type=\"submit\">Log out</button></form>");
}

void adm_page_begin(adm_buf *b, const adm_req *r, const char *title)
{
	adm_htmlf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		     "<meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width\">"
		     "<title>%s &middot; %s</title>"
		     "<link rel=\"stylesheet\" href=\"/style.css\">"
		     "<link rel=\"icon\" href=\"data:,\">"
		     "</head><body><header><span class=\"site\">%s</span>",
		  title, r->app->cfg.site_name, r->app->cfg.site_name);
	if (r->has_session && r->sess.user[0])
		nav_admin(b, r);
	else
		nav_public(b, r);
	adm_htmlf(b, "</header><main><h1>%s</h1>\n", title);
}

void adm_page_end(adm_buf *b)
{
	adm_puts(b, "</main><footer>rbld " RBL_VERSION
		    " &middot; listings are decided by evidence; removals by a"
		    " person.</footer></body></html>\n");
}

void adm_post_button(adm_buf *b, const adm_req *r, const char *action,
		     const char *label, const char *name, const char *value)
{
	adm_htmlf(b, "<form class=\"inline\" method=\"post\" action=\"%s\">",
		  action);
	adm_csrf_field(b, r);
	if (name)
		adm_htmlf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">",
			  name, value);
	adm_htmlf(b, "<button type=\"submit\">%s</button></form>", label);
}

void adm_notice(adm_buf *b, const char *kind, const char *text)
{
	adm_htmlf(b, "<div class=\"notice %s\">%s</div>\n", kind, text);
}
