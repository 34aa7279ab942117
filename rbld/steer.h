/*
 * steer.h -- send all UDP queries of one client prefix to one worker.
 *
 * rbld has one UDP socket per worker thread on each listen address, in
 * one SO_REUSEPORT group.  By default the kernel spreads datagrams over
 * the group by a hash of addresses and ports, so one client using many
 * source ports reaches every worker, and per-worker RRL and quota tables
 * would each see only a part of its queries.  rbl_steer_attach() installs
 * a small classic BPF program on the group that picks the socket from the
 * client's prefix alone (the RRL prefix: /24 IPv4, /56 IPv6 by default),
 * so each worker sees all queries of the prefixes it serves.
 */
#ifndef RBLD_STEER_H
#define RBLD_STEER_H

/* Steer the reuseport group of UDP socket FD (address family FAMILY,
 * AF_INET or AF_INET6), which holds N_SOCKETS sockets bound in worker
 * order, by client prefixes of PREFIX4 (1..32) / PREFIX6 (1..64) bits.
 * Returns RBL_OK, RBL_EINVAL (bad arguments), or RBL_EIO when the kernel
 * refuses (errno kept): queries are then spread by the default hash. */
int rbl_steer_attach(int fd, int family, unsigned n_sockets,
		     unsigned prefix4, unsigned prefix6);

#endif
