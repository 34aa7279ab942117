/*
 * slowguard.c -- request deadlines and room for newcomers (see
 * slowguard.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "slowguard.h"

#define TICK_MS		250
#define GRACE_MS	20	/* a newcomer's time to send its request */

typedef struct slot {
	adm_guard *guard;
	int fd;
	bool used, waiting, cut;
	int64_t since_ms;	/* opened, or last answered */
} slot;

struct adm_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stop;
	unsigned max, n_slots;
	int64_t timeout_ms;
	slot *slots;
};

static int64_t now_ms(void)
{
	struct timespec ts = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under the lock: shut S's socket down; libmicrohttpd closes it. */
static void cut(slot *s)
{
	shutdown(s->fd, SHUT_RDWR);
	s->cut = true;
}

static void *watchdog(void *arg)
{
	adm_guard *g = arg;
	struct timespec ts = { 0 };

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		int64_t now = now_ms();

		for (unsigned i = 0; i < g->n_slots; i++) {
			slot *s = &g->slots[i];

			if (s->used && s->waiting && !s->cut &&
			    now - s->since_ms > g->timeout_ms)
				cut(s);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += TICK_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

adm_guard *adm_guard_new(unsigned max, uint32_t request_timeout)
{
	adm_guard *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->max = max ? max : 1;
	/* libmicrohttpd splits its limit between its threads: room for
	 * uneven shares and for newcomers replacing cut connections. */
	g->n_slots = g->max + g->max / 2 + 16;
	g->timeout_ms = (int64_t)(request_timeout ? request_timeout : 1) * 1000;
	g->slots = calloc(g->n_slots, sizeof(*g->slots));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	if (!g->slots || pthread_create(&g->thread, NULL, watchdog, g) != 0) {
		free(g->slots);
		free(g);
		return NULL;
	}
	return g;
}

void adm_guard_free(adm_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->wake);
	free(g->slots);
	free(g);
}

unsigned adm_guard_capacity(const adm_guard *g)
{
	return g->n_slots;
}

static void opened(adm_guard *g, struct MHD_Connection *c, void **ctx)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

	*ctx = NULL;
	if (!ci)
		return;
	for (unsigned i = 0; i < g->n_slots; i++) {
		slot *s = &g->slots[i];

		if (!s->used) {
			*s = (slot){ g, ci->connect_fd, true, true, false,
				     now_ms() };
			*ctx = s;
			return;
		}
	}
}

void adm_guard_notify(void *cls, struct MHD_Connection *c, void **socket_ctx,
		      enum MHD_ConnectionNotificationCode code)
{
	adm_guard *g = cls;
	slot *s = *socket_ctx;

	pthread_mutex_lock(&g->lock);
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		opened(g, c, socket_ctx);
	else if (s) {
		s->used = false;
		*socket_ctx = NULL;
	}
	pthread_mutex_unlock(&g->lock);
}

/* Under the lock: the connection waiting longest for its request, if it
 * has had its grace time. */
static slot *stalest(adm_guard *g, int64_t now)
{
	slot *victim = NULL;

	for (unsigned i = 0; i < g->n_slots; i++) {
		slot *s = &g->slots[i];

		if (s->used && s->waiting && !s->cut &&
		    now - s->since_ms >= GRACE_MS &&
		    (!victim || s->since_ms < victim->since_ms))
			victim = s;
	}
	return victim;
}

enum MHD_Result adm_guard_accept(void *cls, const struct sockaddr *addr,
				 socklen_t addrlen)
{
	adm_guard *g = cls;
	unsigned live = 0;
	enum MHD_Result ok = MHD_YES;
	slot *victim;

	(void)addr;
	(void)addrlen;
	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i < g->n_slots; i++)
		live += g->slots[i].used && !g->slots[i].cut;
	if (live >= g->max) {
		if ((victim = stalest(g, now_ms())) != NULL)
			cut(victim);
		else
			ok = MHD_NO;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

static void mark(struct MHD_Connection *c, bool waiting)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	slot *s = ci ? ci->socket_context : NULL;

	if (!s)
		return;
	pthread_mutex_lock(&s->guard->lock);
	s->waiting = waiting;
	s->since_ms = now_ms();
	pthread_mutex_unlock(&s->guard->lock);
}

void adm_guard_request_in(struct MHD_Connection *c)
{
	mark(c, false);
}

void adm_guard_answered(struct MHD_Connection *c)
{
	mark(c, true);
}
