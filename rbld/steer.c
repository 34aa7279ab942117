/*
 * steer.c -- reuseport steering by client prefix (see steer.h).
 *
 * The program reads the source address from the network header
 * (SKF_NET_OFF: the packet data itself starts at the UDP payload), keeps
 * the prefix bits, mixes them with two multiplications so neighbouring
 * prefixes spread evenly, and returns (mix % N): the index of the socket
 * in the group, which is the order the workers bound them in.
 */
#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "zone/error.h"
#include "steer.h"

#define MIX1	0x9e3779b1u
#define MIX2	0x85ebca6bu
#define V4_SRC	12	/* offset of the source address in the IPv4 header */
#define V6_SRC	8	/* ... in the IPv6 header */

#define LD_NET(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + (off))
#define ALU_K(op, k)	BPF_STMT(BPF_ALU | (op) | BPF_K, (k))

/* Fill P with the program; returns its length. */
static unsigned program(struct sock_filter *p, int family, unsigned n,
			unsigned prefix4, unsigned prefix6)
{
	unsigned i = 0;

	if (family == AF_INET6 && prefix6 > 32) {
		/* Low part of the prefix (address bits 32..prefix6-1). */
		p[i++] = (struct sock_filter)LD_NET(V6_SRC + 4);
		p[i++] = (struct sock_filter)ALU_K(BPF_RSH, 64 - prefix6);
		p[i++] = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0);
		p[i++] = (struct sock_filter)LD_NET(V6_SRC);
		p[i++] = (struct sock_filter)ALU_K(BPF_MUL, MIX1);
		p[i++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_XOR | BPF_X,
						      0);
	} else {
		unsigned bits = family == AF_INET6 ? prefix6 : prefix4;

		p[i++] = (struct sock_filter)LD_NET(family == AF_INET6
						    ? V6_SRC : V4_SRC);
		p[i++] = (struct sock_filter)ALU_K(BPF_RSH, 32 - bits);
		p[i++] = (struct sock_filter)ALU_K(BPF_MUL, MIX1);
	}
	p[i++] = (struct sock_filter)ALU_K(BPF_MUL, MIX2);
	p[i++] = (struct sock_filter)ALU_K(BPF_RSH, 16);
	p[i++] = (struct sock_filter)ALU_K(BPF_MOD, n);
	p[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	return i;
}

int rbl_steer_attach(int fd, int family, unsigned n_sockets,
		     unsigned prefix4, unsigned prefix6)
{
	struct sock_filter code[16];
	struct sock_fprog prog = { 0 };

	if ((family != AF_INET && family != AF_INET6) || n_sockets == 0 ||
	    prefix4 < 1 || prefix4 > 32 || prefix6 < 1 || prefix6 > 64)
		return RBL_EINVAL;
	if (n_sockets == 1)
		return RBL_OK;
	prog.len = (unsigned short)program(code, family, n_sockets, prefix4,
					   prefix6);
	prog.filter = code;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
		       sizeof(prog)) != 0)
		return RBL_EIO;
	return RBL_OK;
}
