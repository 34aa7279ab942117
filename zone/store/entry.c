/*
 * entry.c -- listing values: initialisation, TXT templates, return codes
 * (see entry.h).  Nothing here allocates.
 */
#include <stdio.h>
#include <string.h>

#include "zone/store/entry.h"
#include "zone/error.h"

void rbl_entry_init(rbl_entry *e)
{
	memset(e, 0, sizeof *e);
}

size_t rbl_txt_expand(const char *tpl, size_t tpl_len, const char *subject,
		      char *out, size_t out_size)
{
	size_t cap, n = 0, slen = subject ? strlen(subject) : 0;

	if (out_size == 0)
		return 0;
	cap = out_size - 1 < RBL_TXT_MAX ? out_size - 1 : RBL_TXT_MAX;
	for (size_t i = 0; i < tpl_len && n < cap; i++) {
		size_t take;

		if (tpl[i] != '$') {
			out[n++] = tpl[i];
			continue;
		}
		if (i + 1 < tpl_len && tpl[i + 1] == '$') {
			out[n++] = '$';
			i++;
			continue;
		}
		take = slen < cap - n ? slen : cap - n;
		memcpy(out + n, subject, take);
		n += take;
	}
	out[n] = 0;
	return n;
}

/* Up to four dot-separated decimal octets; returns how many, or -1. */
static int parse_octets(const char *s, unsigned oct[4])
{
	int n = 0;

	for (;;) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3)
				return -1;
		}
		if (digits == 0 || v > 255 || n == 4)
			return -1;
		oct[n++] = v;
		if (*s == 0)
			return n;
		if (*s++ != '.')
			return -1;
	}
}

/* rbldnsd fills the missing leading octets of a short code from 127.0.0.0:
 * "2" = 127.0.0.2, "1.2" = 127.0.1.2, "1.2.3" = 127.1.2.3. */
int rbl_code_parse(const char *s, uint32_t *code)
{
	unsigned oct[4], full[4] = { 127, 0, 0, 0 };
	int n;

	if (!s || (n = parse_octets(s, oct)) < 0)
		return RBL_ESYNTAX;
	for (int i = 0; i < n; i++)
		full[4 - n + i] = oct[i];
	if (full[0] != 127)
		return RBL_ESYNTAX;
	*code = (uint32_t)full[0] << 24 | (uint32_t)full[1] << 16 |
		(uint32_t)full[2] << 8 | full[3];
	return RBL_OK;
}

char *rbl_code_format(uint32_t code, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", code >> 24, (code >> 16) & 255,
		 (code >> 8) & 255, code & 255);
	return buf;
}
