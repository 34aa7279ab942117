/*
 * plainlist.c -- plain address lists ("192.0.2.1 reason", "192.0.2.0/24")
 * and CSV with a header row naming the columns.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "zone/addr.h"
#include "date.h"
#include "report.h"

static void copy_clean(char *out, size_t size, const char *s, size_t n)
{
	size_t o = 0;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == ',' || *s == ';')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n && o + 1 < size; i++)
		out[o++] = (unsigned char)s[i] < 32 ? ' ' : s[i];
	out[o] = '\0';
}

/* Parse "addr" or "addr/len" of N bytes at S. */
static bool parse_prefix(const char *s, size_t n, rbl_prefix *p)
{
	char buf[RBL_ADDR_STRLEN];

	while (n > 0 && (*s == '"' || *s == ' ')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == '"' || s[n - 1] == ' '))
		n--;
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (rbl_prefix_parse(buf, false, p) != 0)
		return false;
	if (p->len == rbl_addr_bits(p->addr.family) && rbl_addr_unmap4(&p->addr))
		p->len = 32;
	return true;
}

int rbl_plain_line(const char *line, size_t len, rbl_prefix *p,
		   char *reason, size_t size)
{
	size_t n = 0;

	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0 || *line == '#' || *line == ';')
		return 0;
	while (n < len && !isspace((unsigned char)line[n]) && line[n] != ',' &&
	       line[n] != ';' && line[n] != '#')
		n++;
	if (!parse_prefix(line, n, p))
		return -1;
	copy_clean(reason, size, line + n, len - n);
	if (reason[0] == '#')
		copy_clean(reason, size, reason + 1, strlen(reason + 1));
	return 1;
}

/* Field I of a CSV LINE (quotes honoured) into OUT.  False if absent. */
static bool csv_field(const char *line, size_t len, int want, char *out,
		      size_t size)
{
	size_t o = 0;
	int col = 0;
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if (c == '"') {
			if (quoted && i + 1 < len && line[i + 1] == '"')
				i++;
			else {
				quoted = !quoted;
				continue;
			}
		} else if (c == ',' && !quoted) {
			if (col++ == want)
				break;
			continue;
		}
		if (col == want && o + 1 < size)
			out[o++] = c;
	}
	out[o] = '\0';
	copy_clean(out, size, out, o);
	return col >= want;
}

static bool name_in(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

int rbl_csv_header(const char *line, size_t len, rbl_csv_cols *cols)
{
	static const char *const ipn[] = { "ip", "ip_address", "address",
		"source", "source_ip", "src", "src_ip", "addr", "ipaddress" };
	static const char *const rn[] = { "reason", "comment", "description",
		"category", "type" };
	static const char *const dn[] = { "date", "time", "timestamp",
		"first_seen", "last_seen", "seen" };
	char f[64];

	cols->ip = cols->reason = cols->date = -1;
	for (int i = 0; i < 64 && csv_field(line, len, i, f, sizeof f); i++) {
		if (cols->ip < 0 && name_in(f, ipn, sizeof ipn / sizeof ipn[0]))
			cols->ip = i;
		else if (cols->reason < 0 && name_in(f, rn, sizeof rn / sizeof rn[0]))
			cols->reason = i;
		else if (cols->date < 0 && name_in(f, dn, sizeof dn / sizeof dn[0]))
			cols->date = i;
	}
	return cols->ip >= 0 ? 0 : -1;
}

int rbl_csv_line(const char *line, size_t len, const rbl_csv_cols *cols,
		 rbl_prefix *p, char *reason, size_t size, int64_t *when)
{
	char f[256];

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	*when = 0;
	reason[0] = '\0';
	if (len == 0 || line[0] == '#')
		return 0;
	if (!csv_field(line, len, cols->ip, f, sizeof f) ||
	    !parse_prefix(f, strlen(f), p))
		return -1;
	if (cols->reason >= 0)
		csv_field(line, len, cols->reason, reason, size);
	if (cols->date >= 0 && csv_field(line, len, cols->date, f, sizeof f))
		*when = rbl_date_parse_any(f);
	return 1;
}
