/*
 * slowguard.h -- keep slow HTTP clients from holding rbl-admin's
 * connections (slowloris, slow POST bodies).
 *
 * libmicrohttpd's connection timeout counts inactivity, so a client that
 * sends its request a byte at a time keeps a connection for ever and,
 * from enough addresses, all of them.  The guard follows every connection
 * (libmicrohttpd's connection notifications) and knows whether it is
 * waiting for a request to arrive in full:
 *   - a request (head and body) must arrive within REQUEST_TIMEOUT
 *     seconds of the connection opening or of the previous answer, or a
 *     watchdog thread shuts the socket down (libmicrohttpd then closes
 *     the connection);
 *   - with MAX connections open, a newcomer is let in by cutting the one
 *     that has waited longest for its request (if any has had 20 ms to
 *     send it): holding slots then costs an attacker as many connections
 *     as real clients open.
 * A socket is shut down only while its connection is registered, under
 * the guard's lock, and libmicrohttpd reports a connection closed before
 * it closes the socket, so a reused descriptor is never touched.
 */
#ifndef ADM_SLOWGUARD_H
#define ADM_SLOWGUARD_H

#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

typedef struct adm_guard adm_guard;

/* A guard for at most MAX connections in use (the table holds a reserve
 * above it for the newcomers that replace cut ones, see
 * adm_guard_capacity()), cutting requests that take longer than
 * REQUEST_TIMEOUT seconds.  Starts the watchdog thread.  NULL on failure. */
adm_guard *adm_guard_new(unsigned max, uint32_t request_timeout);
/* Stop the watchdog and free G (after libmicrohttpd has stopped). */
void adm_guard_free(adm_guard *g);
/* The connection limit to give libmicrohttpd: MAX plus the reserve. */
unsigned adm_guard_capacity(const adm_guard *g);

/* libmicrohttpd callbacks, with G as their closure:
 * MHD_OPTION_NOTIFY_CONNECTION and the accept policy. */
void adm_guard_notify(void *g, struct MHD_Connection *c, void **socket_ctx,
		      enum MHD_ConnectionNotificationCode code);
enum MHD_Result adm_guard_accept(void *g, const struct sockaddr *addr,
				 socklen_t addrlen);
/* A request on C arrived in full / its answer was sent. */
void adm_guard_request_in(struct MHD_Connection *c);
void adm_guard_answered(struct MHD_Connection *c);

#endif
