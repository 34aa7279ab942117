/*
 * arf.c -- Abuse Reporting Format (RFC 5965) and the variations seen in
 * the wild: Received-Date for Arrival-Date, any case in field names,
 * comments after Source-IP, IPv4-mapped addresses, bare-CR line ends
 * (normalised before we get here), repeated Reported-Domain.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "zone/addr.h"
#include "date.h"
#include "mime.h"
#include "received.h"
#include "report_impl.h"

bool rpt_parse_ip(const char *s, rbl_addr *out)
{
	char buf[64];
	size_t n = 0;

	while (*s == ' ' || *s == '\t' || *s == '"' || *s == '\'' || *s == '[')
		s++;
	if (strncasecmp(s, "IPv6:", 5) == 0)
		s += 5;
	while (s[n] && (isxdigit((unsigned char)s[n]) || s[n] == ':' ||
			s[n] == '.') && n + 1 < sizeof buf)
		n++;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (rbl_addr_parse(buf, out) != 0)
		return false;
	rbl_addr_unmap4(out);
	return true;
}

void rpt_set(char *dst, size_t size, const char *s)
{
	size_t n;

	if (dst[0] || !s)
		return;
	n = strnlen(s, size - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Feedback types that accuse the source. */
static bool abuse_type(const char *t)
{
	return strcasecmp(t, "not-spam") != 0 && strcasecmp(t, "opt-out") != 0 &&
	       strcasecmp(t, "unsubscribe") != 0;
}

void arf_fields(const char *body, size_t len, rpt_fields *f)
{
	char v[256];
	rbl_msg m = { 0 };

	while (len > 0 && *body == '\n') {
		body++;
		len--;
	}
	if (rbl_msg_split(body, len, len + 1, &m) != 0)
		return;
	f->is_arf = true;
	if (rbl_msg_get(&m, "Feedback-Type", v, sizeof v)) {
		rpt_set(f->type, sizeof f->type, v);
		f->not_abuse |= !abuse_type(v);
	}
	if (!f->has_source && rbl_msg_get(&m, "Source-IP", v, sizeof v))
		f->has_source = rpt_parse_ip(v, &f->source);
	if (!f->when && (rbl_msg_get(&m, "Arrival-Date", v, sizeof v) ||
			 rbl_msg_get(&m, "Received-Date", v, sizeof v)))
		f->when = rbl_date_parse_any(v);
	if (rbl_msg_get(&m, "Reporting-MTA", v, sizeof v) ||
	    rbl_msg_get(&m, "User-Agent", v, sizeof v))
		rpt_set(f->agent, sizeof f->agent, v);
	if (rbl_msg_get(&m, "Reported-Domain", v, sizeof v))
		rpt_set(f->domain, sizeof f->domain, v);
}

static bool is_public(const rbl_addr *a)
{
	return !rbl_addr_is_special(a);
}

void arf_original(const char *data, size_t len, rpt_fields *f)
{
	char line[2048];
	size_t pos = 0;
	rbl_hdr h = { 0 };
	rbl_msg m = { 0 };
	bool first = true;

	while (len > 0 && *data == '\n') {
		data++;
		len--;
	}
	if (f->has_orig || rbl_msg_split(data, len, 1 << 20, &m) != 0)
		return;
	f->has_orig = true;
	if (rbl_msg_get(&m, "Subject", line, sizeof line))
		rpt_set(f->subject, sizeof f->subject, line);
	while (rbl_hdr_next(&m, &pos, &h) && f->n_hops < RPT_MAX_HOPS) {
		rbl_received r = { 0 };
		if (!rbl_hdr_is(&h, "Received"))
			continue;
		rbl_hdr_unfold(h.value, h.value_len, line, sizeof line);
		rbl_received_parse(line, &r);
		if (r.retrieval)	/* the reporter's own POP/IMAP download */
			continue;
		if (first && r.when)
			f->orig_when = r.when;
		first = false;
		if (r.has_ip && is_public(&r.ip))
			f->hops[f->n_hops++] = r.ip;
	}
}
