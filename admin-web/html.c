/*
 * html.c -- page layout and helpers (see html.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "csrf.h"
#include "html.h"

static const char css[] =
	"*{box-sizing:border-box}"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}"
	"body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2329;"
	"background:#f5f6f8}"
	"header{background:#1f3a5f;color:#fff;padding:.6em 1.2em;display:flex;"
	"flex-wrap:wrap;align-items:center;gap:.3em 1em}"
	"header nav{display:flex;flex-wrap:wrap;gap:.2em 1em}"
	"header a{color:#dbe7f5;text-decoration:none}header a:hover{color:#fff}"
	"header .muted{color:#b9c7d8}a.card{color:inherit;text-decoration:none}"
	"header .site{font-weight:600;font-size:1.1em;color:#fff;margin-right:1em}"
	"header form{margin:0 0 0 auto}"
	"main{max-width:1200px;margin:1.2em auto;padding:0 1.2em}"
	"h1{font-size:1.4em;overflow-wrap:anywhere}"
	"h2{font-size:1.15em;margin-top:1.6em}"
	"p,li,dd,.notice,label{overflow-wrap:anywhere}"
	"a{color:#1559c1}"
	"table{border-collapse:collapse;width:100%;background:#fff;margin:.6em 0}"
	"th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e1e4e8;"
	"vertical-align:top;overflow-wrap:break-word}th{background:#eef1f5;"
	"font-weight:600}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
	".nw,th.num{white-space:nowrap}"
	"table.kv th{width:11em}"
	"tr.link{position:relative}tr.link:hover{background:#f0f5ff}"
	"a.row::after{content:\"\";position:absolute;inset:0}"
	"form.inline{display:inline}form.inline button{margin-top:0}"
	"label{display:block;margin:.7em 0 .2em;font-weight:600}"
	"label.check{font-weight:400}"
	".hint{display:block;font-weight:400;color:#5b6570;font-size:.9em}"
	"input[type=text],input[type=password],input[type=email],select,textarea"
	"{width:100%;max-width:36em;padding:.4em;border:1px solid #b8c0ca;"
	"border-radius:4px;font:inherit;background:#fff}"
	"textarea{min-height:6em}input[readonly],textarea[readonly]{background:#eef1f5}"
	"[aria-invalid=true]{border-color:#c62828!important;"
	"background:#fff8f8!important}"
	".ferr{color:#b3261e;margin:.2em 0 0;font-size:.92em;font-weight:600}"
	"button{padding:.45em 1em;border:0;border-radius:4px;background:#1f6feb;"
	"color:#fff;font:inherit;cursor:pointer;margin-top:.6em}"
	"button.danger{background:#c62828}button.quiet{background:#5b6570}"
	"header button{margin:0;background:#38598a}"
	".buttons{display:flex;flex-wrap:wrap;gap:.6em;align-items:flex-start}"
	".buttons button{text-align:left}"
	".buttons small{display:block;font-size:.82em;opacity:.9}"
	".notice{padding:.6em 1em;border-radius:4px;margin:1em 0}"
	".ok{background:#e3f4e6;border:1px solid #8fc79a}"
	".warn{background:#fff6db;border:1px solid #e2c46b}"
	".err{background:#fde4e4;border:1px solid #e39a9a}"
	".cards{display:flex;flex-wrap:wrap;gap:1em}"
	".card{background:#fff;border:1px solid #e1e4e8;border-radius:6px;"
	"padding:.8em 1em;min-width:12em}"
	".card .big{font-size:1.8em;font-weight:600}"
	".muted{color:#5b6570}.mono{font-family:ui-monospace,monospace}"
	"input.short{width:100%;min-width:7em;max-width:12em}"
	".pager{display:flex;flex-wrap:wrap;gap:.3em 1em;align-items:baseline;"
	"margin:.4em 0}.pager .count{color:#5b6570;margin-right:auto}"
	"details.long summary{cursor:pointer;list-style:none}"
	"details.long summary::-webkit-details-marker{display:none}"
	"details.long summary .more{color:#1559c1}"
	"details.long[open] summary .cut{display:none}"
	"details.long[open] summary .more::before{content:\"show less \"}"
	"details.long[open] summary .more span{display:none}"
	".panel{background:#fff;border:1px solid #e1e4e8;border-radius:6px;"
	"padding:.2em 1em 1em;margin:1em 0}.panel h2{margin-top:.7em}"
	"svg{background:#fff;border:1px solid #e1e4e8;border-radius:6px;"
	"max-width:100%;height:auto;display:block;margin:.6em 0}"
	".charts{display:flex;flex-wrap:wrap;gap:0 1em}"
	".charts svg{flex:1 1 400px;max-width:560px}"
	"footer{max-width:1200px;margin:2em auto;padding:0 1.2em;color:#5b6570;"
	"font-size:.85em}"
	"@media (max-width:720px){"
	"header{padding:.5em .8em}main{padding:0 .7em}"
	"table.list thead{display:none}"
	"table.list,table.list tbody,table.list tr,table.list td{display:block;"
	"width:100%}"
	"table.list tr{border:1px solid #e1e4e8;border-radius:6px;"
	"margin:.6em 0;padding:.3em 0;background:#fff}"
	"table.list td{border:0;padding:.15em .8em;text-align:left}"
	"table.list td[data-l]:not([data-l=\"\"])::before{content:attr(data-l);"
	"display:inline-block;min-width:6.2em;margin-right:.5em;font:600 .8em/1.5 "
	"system-ui,sans-serif;color:#5b6570;vertical-align:baseline}"
	"table.kv th,table.kv td{display:block;width:auto;border:0}"
	"table.kv th{padding-bottom:0}table.kv tr{display:block;"
	"border-bottom:1px solid #e1e4e8}"
	".card{flex:1 1 40%;min-width:0}"
	"}";

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

const char *adm_span(int64_t secs, char buf[32])
{
	static const struct { int64_t s; const char *one, *many; } u[] = {
		{ 86400, "day", "days" }, { 3600, "hour", "hours" },
		{ 60, "minute", "minutes" },
	};

	if (secs < 0)
		secs = -secs;
	if (secs < 60) {
		snprintf(buf, 32, "less than a minute");
		return buf;
	}
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		if (secs >= u[i].s || i == 2) {
			long long n = (long long)(secs / u[i].s);

			snprintf(buf, 32, "%lld %s", n, n == 1 ? u[i].one
							       : u[i].many);
			return buf;
		}
	return buf;
}

static void nav_public(adm_buf *b, const adm_req *r)
{
	adm_puts(b, "<nav>");
	if (r->app->cfg.public_site)
		adm_puts(b, "<a href=\"/\">Lookup</a>"
			    "<a href=\"/delist\">Request delisting</a>");
	adm_puts(b, "<a href=\"/login\">Operator login</a></nav>");
}

static void nav_admin(adm_buf *b, const adm_req *r)
{
	adm_puts(b, "<nav><a href=\"/admin\">Dashboard</a>"
		    "<a href=\"/admin/search\">Search</a>"
		    "<a href=\"/admin/requests\">Requests</a>"
		    "<a href=\"/admin/listing\">Add listing</a>"
		    "<a href=\"/admin/allow\">Allow list</a>"
		    "<a href=\"/admin/keys\">Keys</a>"
		    "<a href=\"/admin/rdns\">rDNS review</a>"
		    "<a href=\"/admin/audit\">Audit log</a></nav>");
	adm_htmlf(b, "<form method=\"post\" action=\"/logout\">"
		     "<span class=\"muted\">%s</span> ", r->sess.user);
	adm_csrf_field(b, r);
	adm_puts(b, "<button type=\"submit\">Log out</button></form>");
}

void adm_page_begin(adm_buf *b, const adm_req *r, const char *title)
{
	char flash[ADM_FLASH_MAX + 1];
	bool err = false;

	adm_htmlf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		     "<meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width, "
		     "initial-scale=1\">"
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
	if (r->has_session &&
	    adm_session_take_flash(r->app->sessions, r->sess.token, flash,
				   sizeof flash, &err))
		adm_htmlf(b, "<div class=\"notice %S\" id=\"flash\" "
			     "role=\"status\">%s</div>\n", err ? "err" : "ok",
			  flash);
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

void adm_table_begin(adm_buf *b, const char *id, const char *const *cols)
{
	if (id)
		adm_htmlf(b, "<table class=\"list\" id=\"%s\"><thead><tr>", id);
	else
		adm_puts(b, "<table class=\"list\"><thead><tr>");
	for (; *cols; cols++) {
		/* "#Entries" is a number column; "#" alone is one too */
		bool num = (*cols)[0] == '#';

		adm_htmlf(b, "<th%S>%s</th>", num ? " class=\"num\"" : "",
			  num && (*cols)[1] ? *cols + 1 : *cols);
	}
	adm_puts(b, "</tr></thead><tbody>");
}

void adm_table_end(adm_buf *b)
{
	adm_puts(b, "</tbody></table>\n");
}

void adm_td(adm_buf *b, const char *label, const char *cls,
	    const char *fmt, ...)
{
	va_list ap;

	adm_htmlf(b, "<td data-l=\"%s\"", label);
	if (cls)
		adm_htmlf(b, " class=\"%S\"", cls);
	adm_puts(b, ">");
	va_start(ap, fmt);
	adm_vhtmlf(b, fmt, ap);
	va_end(ap);
	adm_puts(b, "</td>");
}

void adm_td_time(adm_buf *b, const char *label, int64_t t,
		 const char *when_zero)
{
	char buf[32];

	if (t == 0) {
		adm_td(b, label, NULL, "%W", when_zero);
		return;
	}
	adm_time(t, "", buf);
	buf[10] = '\0';	/* "2026-11-23" and "03:35 UTC" */
	adm_td(b, label, NULL, "<span class=\"nw\">%s</span> %s", buf, buf + 11);
}

/* Bytes of the first MAX characters of S (UTF-8). */
static size_t prefix_bytes(const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i] && chars < max) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

void adm_longtext(adm_buf *b, const char *s, size_t max)
{
	size_t cut = prefix_bytes(s, max);
	char head[1024];

	if (!s[cut]) {
		adm_esc_wrap(b, s);
		return;
	}
	if (cut >= sizeof head)
		cut = prefix_bytes(s, 200);
	memcpy(head, s, cut);
	head[cut] = '\0';
	adm_htmlf(b, "<details class=\"long\"><summary><span class=\"cut\">%W"
		     "&hellip; </span><span class=\"more\">show all<span> %u "
		     "characters</span></span></summary>%W</details>", head,
		  (unsigned)(strlen(s)), s);
}

void adm_cut(adm_buf *b, const char *s, size_t max)
{
	size_t cut = prefix_bytes(s, max);

	char head[1024];

	if (!s[cut]) {
		adm_esc_wrap(b, s);
		return;
	}
	if (cut >= sizeof head)
		cut = prefix_bytes(s, 200);
	memcpy(head, s, cut);
	head[cut] = '\0';
	adm_esc_wrap(b, head);
	adm_puts(b, "&hellip;");
}

void adm_field(adm_buf *b, const char *type, const char *name,
	       const char *label, const char *hint, const char *value,
	       const char *err, const char *attrs)
{
	bool area = strcmp(type, "textarea") == 0;

	adm_htmlf(b, "<label for=\"%s\">%s", name, label);
	if (hint)
		adm_htmlf(b, "<span class=\"hint\">%s</span>", hint);
	adm_puts(b, "</label>");
	if (area)
		adm_htmlf(b, "<textarea id=\"%s\" name=\"%s\"", name, name);
	else
		adm_htmlf(b, "<input type=\"%s\" id=\"%s\" name=\"%s\" "
			     "value=\"%s\"", type, name, name, value ? value : "");
	if (err)
		adm_htmlf(b, " aria-invalid=\"true\" aria-describedby=\"%s-err\"",
			  name);
	if (attrs)
		adm_htmlf(b, " %S", attrs);
	if (area)
		adm_htmlf(b, ">\n%s</textarea>", value ? value : "");
	else
		adm_puts(b, ">");
	if (err)
		adm_htmlf(b, "<p class=\"ferr\" id=\"%s-err\">%s</p>", name, err);
}

