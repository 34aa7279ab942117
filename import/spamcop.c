/*
 * spamcop.c -- SpamCop-style forwarded reports: "[SpamCop (1.2.3.4)
 * id:N]" in the subject, X-SpamCop-sourceip, a body line "Email from
 * 1.2.3.4 / date", and the original after "[ Offending message ]".
 */
#include <string.h>
#include <strings.h>

#include "date.h"
#include "report_impl.h"

void spamcop_headers(const rbl_msg *m, rpt_fields *f)
{
	char v[256];
	const char *p;

	if (rbl_msg_get(m, "X-SpamCop-sourceip", v, sizeof v)) {
		f->is_spamcop = true;
		if (!f->has_source)
			f->has_source = rpt_parse_ip(v, &f->source);
	}
	if (rbl_msg_get(m, "Subject", v, sizeof v) &&
	    (p = rbl_memcasemem(v, strlen(v), "[SpamCop ("))) {
		f->is_spamcop = true;
		if (!f->has_source)
			f->has_source = rpt_parse_ip(p + 10, &f->source);
	}
	if (f->is_spamcop)
		rpt_set(f->agent, sizeof f->agent, "SpamCop");
}

bool spamcop_body(const char *body, size_t len, rpt_fields *f)
{
	const char *p = rbl_memcasemem(body, len, "Email from ");
	const char *mark = rbl_memcasemem(body, len, "[ Offending message ]");
	bool any = false;

	if (p && (p == body || p[-1] == '\n')) {
		rbl_addr a = { 0 };
		const char *slash, *nl = memchr(p, '\n', (size_t)(body + len - p));
		char line[256];
		size_t n = (size_t)((nl ? nl : body + len) - p);
		if (n >= sizeof line)
			n = sizeof line - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (rpt_parse_ip(line + 11, &a)) {
			any = true;
			f->is_spamcop = true;
			if (!f->has_source) {
				f->has_source = true;
				f->source = a;
			}
			if ((slash = strchr(line, '/')) && !f->when)
				f->when = rbl_date_parse(slash + 1);
		}
	}
	if (mark) {
		const char *o = memchr(mark, '\n', (size_t)(body + len - mark));
		any = true;
		f->is_spamcop = true;
		if (o)
			arf_original(o + 1, (size_t)(body + len - o - 1), f);
	}
	return any;
}
