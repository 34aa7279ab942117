/*
 * xarf.c -- X-ARF: the YAML report.txt of X-ARF 0.1/0.2 ("Source: ip",
 * "Report-Type: spam", "Date: ...") and the JSON of X-ARF 4 ("SourceIp",
 * "ReportType", "Date").  The JSON is scanned for those keys, not parsed
 * as a whole: values we need are plain strings.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "report_impl.h"

/* Value of "KEY: value" at line start within BODY, unquoted, into OUT. */
static bool yaml_get(const char *body, size_t len, const char *key,
		     char *out, size_t size)
{
	size_t k = strlen(key);
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if ((size_t)(e - p) > k && strncasecmp(p, key, k) == 0 &&
		    p[k] == ':') {
			const char *v = p + k + 1;
			size_t n;
			while (v < e && (*v == ' ' || *v == '\t' || *v == '"' ||
					 *v == '\''))
				v++;
			while (e > v && (e[-1] == ' ' || e[-1] == '"' ||
					 e[-1] == '\''))
				e--;
			n = (size_t)(e - v) < size - 1 ? (size_t)(e - v) : size - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		p = nl ? nl + 1 : end;
	}
	return false;
}

bool xarf_yaml(const char *body, size_t len, rpt_fields *f)
{
	char v[160];

	if (!yaml_get(body, len, "Source", v, sizeof v) ||
	    (!yaml_get(body, len, "Report-Type", v + 80, 80) &&
	     !yaml_get(body, len, "Category", v + 80, 80)))
		return false;
	f->is_xarf = true;
	rpt_set(f->type, sizeof f->type, v + 80);
	yaml_get(body, len, "Source", v, sizeof v);
	if (!f->has_source)
		f->has_source = rpt_parse_ip(v, &f->source);
	if (!f->when && yaml_get(body, len, "Date", v, sizeof v))
		f->when = rbl_date_parse_any(v);
	if (yaml_get(body, len, "Reported-From", v, sizeof v) ||
	    yaml_get(body, len, "User-Agent", v, sizeof v))
		rpt_set(f->agent, sizeof f->agent, v);
	return true;
}

/* The string value of the first "KEY": "value" pair (any case). */
static bool json_get(const char *body, size_t len, const char *key,
		     char *out, size_t size)
{
	char pat[48];
	const char *p, *end = body + len;
	size_t n = 0;

	snprintf(pat, sizeof pat, "\"%s\"", key);
	p = rbl_memcasemem(body, len, pat);
	if (!p)
		return false;
	p += strlen(pat);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == ':'))
		p++;
	if (p >= end || *p != '"')
		return false;
	for (p++; p < end && *p != '"' && n + 1 < size; p++)
		out[n++] = *p;
	out[n] = '\0';
	return true;
}

bool xarf_json(const char *body, size_t len, rpt_fields *f)
{
	static const char *const ip_keys[] = {
		"SourceIp", "Source-IP", "source_ip", "SourceIP", "Source", "IP",
	};
	char v[128];
	bool found = false;

	for (size_t i = 0; i < sizeof ip_keys / sizeof ip_keys[0] && !found; i++)
		if (json_get(body, len, ip_keys[i], v, sizeof v))
			found = rpt_parse_ip(v, &f->source);
	if (!found)
		return false;
	f->is_xarf = true;
	f->has_source = true;
	if (json_get(body, len, "ReportType", v, sizeof v) ||
	    json_get(body, len, "Category", v, sizeof v))
		rpt_set(f->type, sizeof f->type, v);
	if (!f->when && json_get(body, len, "Date", v, sizeof v))
		f->when = rbl_date_parse_any(v);
	if (json_get(body, len, "ReporterOrg", v, sizeof v) ||
	    json_get(body, len, "ReporterContactEmail", v, sizeof v))
		rpt_set(f->agent, sizeof f->agent, v);
	return true;
}
