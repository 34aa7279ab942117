/*
 * zrec.c -- zone records in presentation and wire form (see zrec.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zone/dname.h"
#include "zone/error.h"
#include "zone/store/store_impl.h"
#include "zone/store/zrec.h"

static const struct {
	const char *name;
	uint16_t type;
} zrec_types[] = {
	{ "A", RBL_ZREC_A }, { "AAAA", RBL_ZREC_AAAA },
	{ "TXT", RBL_ZREC_TXT }, { "MX", RBL_ZREC_MX },
};

uint16_t rbl_zrec_type_parse(const char *name)
{
	for (size_t i = 0; i < sizeof zrec_types / sizeof zrec_types[0]; i++)
		if (strcasecmp(name, zrec_types[i].name) == 0)
			return zrec_types[i].type;
	return 0;
}

const char *rbl_zrec_type_name(uint16_t type)
{
	for (size_t i = 0; i < sizeof zrec_types / sizeof zrec_types[0]; i++)
		if (zrec_types[i].type == type)
			return zrec_types[i].name;
	return "?";
}

/* Absolute host name TEXT (trailing dot optional) to wire form in OUT;
 * the length, or 0 if it is not a domain name. */
static size_t name_to_wire(const char *text, uint8_t *out)
{
	char name[RBL_NAME_MAX + 2];
	size_t n = strlen(text);

	if (n && text[n - 1] == '.')
		n--;
	if (n == 0 || n > RBL_NAME_MAX)
		return 0;
	memcpy(name, text, n);
	name[n] = '\0';
	if (rbl_name_text_check(name, false) != RBL_OK)
		return 0;
	return rbl_name_wire(name, out);
}

/* Wire name at P (at most LEN bytes, uncompressed) to text; its wire
 * length, or 0 if malformed. */
static size_t wire_to_name(const uint8_t *p, size_t len, char *out,
			   size_t size)
{
	size_t i = 0, o = 0;

	while (i < len && p[i] != 0) {
		size_t l = p[i];

		if (l > 63 || i + 1 + l >= len || o + l + 2 > size)
			return 0;
		memcpy(out + o, p + i + 1, l);
		o += l;
		out[o++] = '.';
		i += 1 + l;
	}
	if (i >= len)
		return 0;
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return i + 1;
}

/* TXT: quoted strings, or the bare rest cut into 255-byte strings. */
static int parse_txt(rbl_zrec *r, const char *v, const char **why)
{
	size_t o = 0;

	while (isspace((unsigned char)*v))
		v++;
	if (*v != '"') {
		size_t n = strlen(v);

		while (n && isspace((unsigned char)v[n - 1]))
			n--;
		do {
			size_t part = n > RBL_TXT_MAX ? RBL_TXT_MAX : n;

			if (o + 1 + part > RBL_ZREC_RDATA_MAX)
				return *why = "TXT too long", RBL_ESYNTAX;
			r->rdata[o++] = (uint8_t)part;
			memcpy(r->rdata + o, v, part);
			o += part;
			v += part;
			n -= part;
		} while (n);
		r->rdlen = (uint16_t)o;
		return RBL_OK;
	}
	while (*v == '"') {
		size_t start = o++, len = 0;

		for (v++; *v && *v != '"'; v++) {
			if (*v == '\\' && v[1])
				v++;
			if (len == RBL_TXT_MAX || o >= RBL_ZREC_RDATA_MAX)
				return *why = "TXT string over 255 bytes",
				       RBL_ESYNTAX;
			r->rdata[o++] = (uint8_t)*v;
			len++;
		}
		if (*v != '"')
			return *why = "unterminated \"", RBL_ESYNTAX;
		r->rdata[start] = (uint8_t)len;
		for (v++; isspace((unsigned char)*v); v++)
			;
	}
	if (*v)
		return *why = "text after the quoted strings", RBL_ESYNTAX;
	r->rdlen = (uint16_t)o;
	return RBL_OK;
}

static int parse_mx(rbl_zrec *r, const char *v, const char **why)
{
	char *end = NULL, host[RBL_NAME_MAX + 2];
	long pref = strtol(v, &end, 10);
	size_t n;

	if (end == v || pref < 0 || pref > 65535)
		return *why = "MX needs a preference 0-65535", RBL_ESYNTAX;
	if (sscanf(end, " %254s %c", host, &(char){ 0 }) != 1)
		return *why = "MX needs one host name", RBL_ESYNTAX;
	if ((n = name_to_wire(host, r->rdata + 2)) == 0)
		return *why = "MX host is not a domain name", RBL_ESYNTAX;
	r->rdata[0] = (uint8_t)(pref >> 8);
	r->rdata[1] = (uint8_t)pref;
	r->rdlen = (uint16_t)(2 + n);
	return RBL_OK;
}

int rbl_zrec_parse_value(rbl_zrec *r, const char *value, const char **why)
{
	char addr[64];

	*why = NULL;
	switch (r->type) {
	case RBL_ZREC_A:
	case RBL_ZREC_AAAA: {
		int af = r->type == RBL_ZREC_A ? AF_INET : AF_INET6;

		if (sscanf(value, " %63s %c", addr, &(char){ 0 }) != 1 ||
		    inet_pton(af, addr, r->rdata) != 1)
			return *why = af == AF_INET ? "not an IPv4 address" :
						       "not an IPv6 address",
			       RBL_ESYNTAX;
		r->rdlen = af == AF_INET ? 4 : 16;
		return RBL_OK;
	}
	case RBL_ZREC_MX:
		return parse_mx(r, value, why);
	case RBL_ZREC_TXT:
		return parse_txt(r, value, why);
	default:
		return *why = "type is not A, AAAA, TXT or MX", RBL_ESYNTAX;
	}
}

static int format_txt(const rbl_zrec *r, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < r->rdlen;) {
		size_t n = r->rdata[i++];

		if (i + n > r->rdlen)
			return -1;
		if (o + 4 > size)
			break;
		if (o)
			buf[o++] = ' ';
		buf[o++] = '"';
		for (size_t j = 0; j < n && o + 4 < size; j++) {
			uint8_t c = r->rdata[i + j];

			if (c == '"' || c == '\\')
				buf[o++] = '\\';
			buf[o++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
		}
		buf[o++] = '"';
		i += n;
	}
	buf[o < size ? o : size - 1] = '\0';
	return (int)o;
}

int rbl_zrec_format_value(const rbl_zrec *r, char *buf, size_t size)
{
	char host[RBL_NAME_MAX + 2];

	if (size == 0)
		return -1;
	buf[0] = '\0';
	switch (r->type) {
	case RBL_ZREC_A:
	case RBL_ZREC_AAAA:
		if (r->rdlen != (r->type == RBL_ZREC_A ? 4 : 16) ||
		    !inet_ntop(r->type == RBL_ZREC_A ? AF_INET : AF_INET6,
			       r->rdata, buf, (socklen_t)size))
			return -1;
		return (int)strlen(buf);
	case RBL_ZREC_MX:
		if (r->rdlen < 3 ||
		    wire_to_name(r->rdata + 2, r->rdlen - 2u, host,
				 sizeof host) != r->rdlen - 2u)
			return -1;
		return snprintf(buf, size, "%u %s",
				(unsigned)(r->rdata[0] << 8 | r->rdata[1]),
				host);
	case RBL_ZREC_TXT:
		return format_txt(r, buf, size);
	default:
		return -1;
	}
}

int rbl_zrec_check(const rbl_zrec *r)
{
	char text[2 * RBL_ZREC_RDATA_MAX];

	if (r->rdlen > RBL_ZREC_RDATA_MAX ||
	    memchr(r->owner, '\0', sizeof r->owner) == NULL ||
	    rbl_name_text_check(r->owner, true) != RBL_OK)
		return RBL_EINVAL;
	for (const char *p = r->owner; *p; p++)
		if (isupper((unsigned char)*p))
			return RBL_EINVAL;
	if (r->type == RBL_ZREC_TXT && r->rdlen == 0)
		return RBL_EINVAL;
	return rbl_zrec_format_value(r, text, sizeof text) < 0 ? RBL_EINVAL
							       : RBL_OK;
}
