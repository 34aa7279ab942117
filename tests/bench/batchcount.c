/*
 * batchcount.c -- an LD_PRELOAD library for tests/bench/batching.sh that
 * counts a server's datagram system calls and the packets they moved, so
 * that the packets per receive call (the batch size) can be read from
 * outside while the server runs, without changing the server.
 *
 *   cc -shared -fPIC -O2 -o batchcount.so tests/bench/batchcount.c
 *   BATCHCOUNT_FILE=/tmp/counts LD_PRELOAD=./batchcount.so rbld ...
 *
 * At load it creates BATCHCOUNT_FILE (nothing is counted when the
 * variable is unset or the file cannot be made) and maps it shared: the
 * file holds four native 64-bit counters, read at any time with
 * `od -An -t u8 FILE`:
 *
 *   receive calls, packets received, send calls, packets sent
 *
 * recvmmsg and sendmmsg add their result; recv, recvfrom, recvmsg, send,
 * sendto and sendmsg count one packet when they succeed.  A call that
 * fails counts as a call and moves nothing.  The wrappers add one relaxed
 * atomic increment to each call; they never change what the call does.
 * Not part of the build (make bench does not use it): batching.sh
 * compiles it into its work directory.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { RECV_CALLS, RECV_PKTS, SEND_CALLS, SEND_PKTS, COUNTERS };

static uint64_t *counts;	/* the shared map, NULL: not counting */

__attribute__((constructor)) static void batchcount_init(void)
{
	const char *path = getenv("BATCHCOUNT_FILE");
	size_t size = COUNTERS * sizeof(uint64_t);
	int fd;
	void *map;

	if (path == NULL || *path == '\0')
		return;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (ftruncate(fd, (off_t)size) == 0) {
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map != MAP_FAILED)
			counts = map;
	}
	close(fd);
}

/* One call of direction DIR (RECV_CALLS or SEND_CALLS) that returned N
 * packets (negative: failed). */
static void note(int dir, long n)
{
	if (counts == NULL)
		return;
	__atomic_fetch_add(&counts[dir], 1, __ATOMIC_RELAXED);
	if (n > 0)
		__atomic_fetch_add(&counts[dir + 1], (uint64_t)n,
				   __ATOMIC_RELAXED);
}

/* The next definition of NAME (libc's), looked up once per wrapper. */
#define NEXT(type, name) \
	static type next_; \
	if (next_ == NULL) \
		next_ = (type)dlsym(RTLD_NEXT, name)

typedef int (*mmsg_fn)(int, struct mmsghdr *, unsigned int, int,
		       struct timespec *);
typedef int (*smmsg_fn)(int, struct mmsghdr *, unsigned int, int);
typedef ssize_t (*recvfrom_fn)(int, void *, size_t, int, struct sockaddr *,
			       socklen_t *);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int,
			     const struct sockaddr *, socklen_t);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);

int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
	     struct timespec *timeout)
{
	NEXT(mmsg_fn, "recvmmsg");
	int r = next_(fd, v, n, flags, timeout);

	note(RECV_CALLS, r);
	return r;
}

int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	NEXT(smmsg_fn, "sendmmsg");
	int r = next_(fd, v, n, flags);

	note(SEND_CALLS, r);
	return r;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	NEXT(recvfrom_fn, "recvfrom");
	ssize_t r = next_(fd, buf, len, flags, from, fromlen);

	note(RECV_CALLS, r >= 0 ? 1 : -1);
	return r;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	NEXT(recvmsg_fn, "recvmsg");
	ssize_t r = next_(fd, msg, flags);

	note(RECV_CALLS, r >= 0 ? 1 : -1);
	return r;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	NEXT(recv_fn, "recv");
	ssize_t r = next_(fd, buf, len, flags);

	note(RECV_CALLS, r >= 0 ? 1 : -1);
	return r;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	NEXT(sendto_fn, "sendto");
	ssize_t r = next_(fd, buf, len, flags, to, tolen);

	note(SEND_CALLS, r >= 0 ? 1 : -1);
	return r;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	NEXT(sendmsg_fn, "sendmsg");
	ssize_t r = next_(fd, msg, flags);

	note(SEND_CALLS, r >= 0 ? 1 : -1);
	return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	NEXT(send_fn, "send");
	ssize_t r = next_(fd, buf, len, flags);

	note(SEND_CALLS, r >= 0 ? 1 : -1);
	return r;
}
