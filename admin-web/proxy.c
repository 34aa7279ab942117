/*
 * proxy.c -- client address behind trusted reverse proxies (see proxy.h).
 */
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "zone/error.h"
#include "proxy.h"

bool adm_in_prefixes(const rbl_prefix *list, unsigned n, const rbl_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (rbl_prefix_contains(&list[i], a))
			return true;
	return false;
}

static bool peer_addr(const struct sockaddr *sa, rbl_addr *a)
{
	memset(a, 0, sizeof *a);
	if (sa && sa->sa_family == AF_INET) {
		a->family = RBL_AF4;
		memcpy(a->bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		a->family = RBL_AF6;
		memcpy(a->bytes, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		rbl_addr_unmap4(a);
	} else
		return false;
	return true;
}

/* Parse one X-Forwarded-For element [S, S+N): trims blanks, drops
 * brackets and an IPv4 ":port". */
static bool xff_elem(const char *s, size_t n, rbl_addr *a)
{
	char tmp[RBL_ADDR_STRLEN];
	char *colon;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (tmp[0] == '[') {
		char *end = strchr(tmp, ']');

		if (!end)
			return false;
		*end = '\0';
		memmove(tmp, tmp + 1, strlen(tmp + 1) + 1);
	} else if ((colon = strchr(tmp, ':')) && !strchr(colon + 1, ':'))
		*colon = '\0';
	if (rbl_addr_parse(tmp, a) != RBL_OK)
		return false;
	rbl_addr_unmap4(a);
	return true;
}

/* The rightmost untrusted address of XFF into *CLIENT; false if none. */
static bool xff_client(const rbl_prefix *proxies, unsigned n, const char *xff,
		       rbl_addr *client)
{
	size_t end = strlen(xff);

	while (end > 0) {
		size_t start = end;
		rbl_addr a = { 0 };

		while (start > 0 && xff[start - 1] != ',')
			start--;
		if (!xff_elem(xff + start, end - start, &a))
			return false;	/* garbage: trust nothing further left */
		*client = a;
		if (!adm_in_prefixes(proxies, n, &a))
			return true;
		end = start ? start - 1 : 0;
	}
	return false;
}

void adm_client_addr(const rbl_prefix *proxies, unsigned n,
		     const struct sockaddr *peer, const char *xff,
		     const char *xproto, char *out, bool *https)
{
	rbl_addr a = { 0 }, c = { 0 };

	if (!peer_addr(peer, &a)) {
		strcpy(out, "unknown");
		return;
	}
	if (adm_in_prefixes(proxies, n, &a)) {
		if (xff && xff_client(proxies, n, xff, &c))
			a = c;
		if (xproto)
			*https = strcasecmp(xproto, "https") == 0;
	}
	rbl_addr_format(&a, out);
}
