/*
 * listen.h -- the sockets rbld answers on.
 *
 * A listen address is "address[@port]" (IPv4 or IPv6, port 53 by default).
 * For each address rbld opens one UDP socket per worker, all bound to the
 * same address with SO_REUSEPORT so the kernel spreads queries over the
 * workers, and one TCP listening socket.  IPv6 sockets are IPV6_V6ONLY so
 * "::" and "0.0.0.0" can be listed side by side.  Wildcard UDP sockets ask
 * for packet info so answers leave from the address the query came to.
 */
#ifndef RBLD_LISTEN_H
#define RBLD_LISTEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RBL_DNS_PORT 53

typedef struct rbl_listen_addr {
	struct sockaddr_storage ss;
	socklen_t sslen;
	bool wildcard;		/* 0.0.0.0 or :: */
	char text[64];		/* "127.0.0.1@53", for messages */
} rbl_listen_addr;

/* Parse "addr", "addr@port" or "[v6addr]@port" into OUT.  RBL_OK or
 * RBL_ESYNTAX. */
int rbl_listen_parse(const char *s, rbl_listen_addr *out);

/* Open a UDP socket bound to A (SO_REUSEPORT, IPV6_V6ONLY, packet info for
 * wildcards, large receive buffer, receive timeout of TIMEOUT_MS so a
 * blocked worker notices shutdown).  RBL_OK and *FD, or RBL_EIO with errno
 * kept (EADDRINUSE, EACCES, ...). */
int rbl_listen_udp(const rbl_listen_addr *a, int timeout_ms, int *fd);
/* Open a non-blocking TCP listening socket bound to A.  RBL_OK and *FD or
 * RBL_EIO with errno kept. */
int rbl_listen_tcp(const rbl_listen_addr *a, int backlog, int *fd);

/* Text form "addr@port" of a socket address (for logs); BUF >= 64. */
const char *rbl_sockaddr_text(const struct sockaddr *sa, char *buf,
			      size_t size);

#endif
