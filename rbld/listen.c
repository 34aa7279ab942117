/*
 * listen.c -- listening sockets (see listen.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "zone/error.h"
#include "listen.h"

#define UDP_RCVBUF	(4 << 20)

static int parse_port(const char *s, uint16_t *port)
{
	char *end = NULL;
	unsigned long v;

	if (!*s)
		return RBL_ESYNTAX;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return RBL_ESYNTAX;
	*port = (uint16_t)v;
	return RBL_OK;
}

static int fill_addr(const char *host, uint16_t port, rbl_listen_addr *out)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		out->sslen = sizeof(*s4);
		out->wildcard = s4->sin_addr.s_addr == htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		out->sslen = sizeof(*s6);
		out->wildcard = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
	} else {
		return RBL_ESYNTAX;
	}
	snprintf(out->text, sizeof(out->text), "%s@%u", host, port);
	return RBL_OK;
}

int rbl_listen_parse(const char *s, rbl_listen_addr *out)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *at = strrchr(s, '@');
	size_t hlen = at ? (size_t)(at - s) : strlen(s);
	uint16_t port = RBL_DNS_PORT;

	if (at && parse_port(at + 1, &port) != RBL_OK)
		return RBL_ESYNTAX;
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		s++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return RBL_ESYNTAX;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	return fill_addr(host, port, out);
}

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

static int open_socket(const rbl_listen_addr *a, int type, int *fd)
{
	int family = a->ss.ss_family;
	int s = socket(family, type | SOCK_CLOEXEC, 0);

	if (s < 0)
		return RBL_EIO;
	if (set_int(s, SOL_SOCKET, SO_REUSEADDR, 1) != 0 ||
	    (type == SOCK_DGRAM &&
	     set_int(s, SOL_SOCKET, SO_REUSEPORT, 1) != 0) ||
	    (family == AF_INET6 &&
	     set_int(s, IPPROTO_IPV6, IPV6_V6ONLY, 1) != 0) ||
	    bind(s, (const struct sockaddr *)&a->ss, a->sslen) != 0) {
		int saved = errno;

		close(s);
		errno = saved;
		return RBL_EIO;
	}
	*fd = s;
	return RBL_OK;
}

static int want_pktinfo(int fd, int family)
{
	if (family == AF_INET)
		return set_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
	return set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
}

int rbl_listen_udp(const rbl_listen_addr *a, int timeout_ms, int *fd)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int rc = open_socket(a, SOCK_DGRAM, fd);

	if (rc != RBL_OK)
		return rc;
	/* Best effort: the kernel caps it at net.core.rmem_max. */
	(void)set_int(*fd, SOL_SOCKET, SO_RCVBUF, UDP_RCVBUF);
	if (setsockopt(*fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    (a->wildcard && want_pktinfo(*fd, a->ss.ss_family) != 0)) {
		int saved = errno;

		close(*fd);
		errno = saved;
		return RBL_EIO;
	}
	return RBL_OK;
}

int rbl_listen_tcp(const rbl_listen_addr *a, int backlog, int *fd)
{
	int rc = open_socket(a, SOCK_STREAM, fd);

	if (rc != RBL_OK)
		return rc;
	if (listen(*fd, backlog) != 0 ||
	    fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK) != 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
		return RBL_EIO;
	}
	return RBL_OK;
}

const char *rbl_sockaddr_text(const struct sockaddr *sa, char *buf,
			      size_t size)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port = 0;

	host[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, size, "%s@%u", host, port);
	return buf;
}
