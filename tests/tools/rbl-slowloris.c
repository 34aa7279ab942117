/*
 * rbl-slowloris -- hold many TCP connections to a DNS server open by
 * sending a message one byte at a time (for tests/harden/slowloris.test).
 *
 *   rbl-slowloris [-H] [-p PORT] [-c CONNECTIONS] [-a SOURCES]
 *                 [-i INTERVAL_MS] [-d SECONDS] SERVER
 *
 * Opens CONNECTIONS connections (default 64) from SOURCES loopback source
 * addresses 127.0.100.1, 127.0.100.2, ... (default 16) in turn, sends the
 * start of a message and then one more byte per INTERVAL_MS (default 500)
 * on each, and reopens every connection the server closes, for SECONDS
 * (default 10).  The message is DNS over TCP (a length prefix of 512), or
 * with -H an HTTP request whose header never ends.  Prints "opened N
 * closed M" at the end.  Exit 0, 2 for bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096

static long now_ms(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static int http_mode;

static int open_one(const struct sockaddr_in *srv, unsigned source)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	static const char dns_start[] = "\002";	/* 512-byte message */
	static const char http_start[] = "GET / HTTP/1.1\r\nHost: x\r\nX-a: ";
	const char *start = http_mode ? http_start : dns_start;

	if (fd < 0)
		return -1;
	src.sin_addr.s_addr = htonl(0x7f006401u + source);	/* 127.0.100.x */
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    (connect(fd, (const struct sockaddr *)srv, sizeof(*srv)) != 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	usleep(1000);	/* let the handshake finish */
	(void)send(fd, start, strlen(start), MSG_NOSIGNAL);
	return fd;
}

/* True when the server closed FD (or it failed). */
static int closed(int fd)
{
	char b[64];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLERR | POLLHUP))
		return 1;
	return recv(fd, b, sizeof(b), MSG_DONTWAIT) == 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in srv = { .sin_family = AF_INET };
	int fds[MAX_CONNS], n = 64, sources = 16, interval = 500, secs = 10;
	long opened = 0, closed_n = 0, end, next;
	int c;

	while ((c = getopt(argc, argv, "Hp:c:a:i:d:")) != -1) {
		switch (c) {
		case 'H': http_mode = 1; break;
		case 'p': srv.sin_port = htons((uint16_t)atoi(optarg)); break;
		case 'c': n = atoi(optarg); break;
		case 'a': sources = atoi(optarg); break;
		case 'i': interval = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || n < 1 || n > MAX_CONNS || sources < 1 ||
	    sources > 250 || interval < 1 ||
	    inet_pton(AF_INET, argv[optind], &srv.sin_addr) != 1)
		goto usage;
	for (int i = 0; i < n; i++)
		opened += (fds[i] = open_one(&srv, (unsigned)(i % sources))) >= 0;
	end = now_ms() + secs * 1000L;
	for (next = now_ms(); now_ms() < end; next += interval) {
		while (now_ms() < next)
			usleep(10000);
		for (int i = 0; i < n; i++) {
			const uint8_t junk = http_mode ? 'a' : 0;

			if (fds[i] >= 0 && !closed(fds[i]) &&
			    send(fds[i], &junk, 1, MSG_NOSIGNAL) >= 0)
				continue;
			if (fds[i] >= 0) {
				close(fds[i]);
				closed_n++;
			}
			opened += (fds[i] = open_one(&srv, (unsigned)(i % sources))) >= 0;
		}
	}
	printf("opened %ld closed %ld\n", opened, closed_n);
	return 0;
usage:
	fprintf(stderr, "usage: rbl-slowloris [-H] [-p PORT] [-c CONNECTIONS] "
		"[-a SOURCES] [-i INTERVAL_MS] [-d SECONDS] SERVER\n");
	return 2;
}
