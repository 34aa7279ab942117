/*
 * session.c -- the in-memory session table (see session.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "zone/error.h"
#include "session.h"

struct adm_sessions {
	pthread_mutex_t lock;
	unsigned capacity;
	uint32_t idle;
	adm_session *slot;	/* token[0] == '\0': free */
};

int adm_random_hex(char out[ADM_TOKEN_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[ADM_TOKEN_HEX / 2];

	if (RAND_bytes(raw, sizeof raw) != 1)
		return RBL_EIO;
	for (size_t i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[ADM_TOKEN_HEX] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	return RBL_OK;
}

adm_sessions *adm_sessions_new(unsigned capacity, uint32_t idle)
{
	adm_sessions *s = calloc(1, sizeof *s);

	if (!s || !(s->slot = calloc(capacity, sizeof *s->slot))) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->capacity = capacity;
	s->idle = idle;
	return s;
}

void adm_sessions_free(adm_sessions *s)
{
	if (!s)
		return;
	OPENSSL_cleanse(s->slot, s->capacity * sizeof *s->slot);
	free(s->slot);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static bool live(const adm_sessions *s, const adm_session *x, int64_t now)
{
	return x->token[0] && now - x->last_seen <= (int64_t)s->idle;
}

static bool token_wellformed(const char *t)
{
	return t && strlen(t) == ADM_TOKEN_HEX &&
	       strspn(t, "0123456789abcdef") == ADM_TOKEN_HEX;
}

int adm_session_find(adm_sessions *s, const char *token, int64_t now,
		     adm_session *out)
{
	int rc = RBL_ENOTFOUND;

	if (!token_wellformed(token))
		return rc;
	pthread_mutex_lock(&s->lock);
	/* Walk every slot, comparing in constant time: no early exit that
	 * would tell how much of a guessed token was right. */
	for (unsigned i = 0; i < s->capacity; i++) {
		adm_session *x = &s->slot[i];

		if (x->token[0] &&
		    CRYPTO_memcmp(x->token, token, ADM_TOKEN_HEX) == 0) {
			if (live(s, x, now)) {
				x->last_seen = now;
				*out = *x;
				rc = RBL_OK;
			} else
				memset(x, 0, sizeof *x);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* A free slot, else an expired one, else the least recently used
 * anonymous one; NULL when all are live logged-in sessions. */
static adm_session *pick_slot(adm_sessions *s, int64_t now)
{
	adm_session *lru = NULL;

	for (unsigned i = 0; i < s->capacity; i++) {
		adm_session *x = &s->slot[i];

		if (!live(s, x, now))
			return x;
		if (!x->user[0] && (!lru || x->last_seen < lru->last_seen))
			lru = x;
	}
	return lru;
}

int adm_session_start(adm_sessions *s, const char *user, int64_t now,
		      adm_session *out)
{
	adm_session fresh = { .created = now, .last_seen = now };
	adm_session *x;
	int rc;

	if (strlen(user) > ADM_USER_MAX)
		return RBL_EINVAL;
	if ((rc = adm_random_hex(fresh.token)) != RBL_OK ||
	    (rc = adm_random_hex(fresh.csrf)) != RBL_OK)
		return rc;
	strcpy(fresh.user, user);
	pthread_mutex_lock(&s->lock);
	x = pick_slot(s, now);
	if (x)
		*x = fresh;
	pthread_mutex_unlock(&s->lock);
	if (!x)
		return RBL_ELIMIT;
	*out = fresh;
	return RBL_OK;
}

/* The live slot with TOKEN, under the lock; NULL if none. */
static adm_session *slot_of(adm_sessions *s, const char *token)
{
	adm_session *found = NULL;

	for (unsigned i = 0; i < s->capacity; i++)
		if (s->slot[i].token[0] &&
		    CRYPTO_memcmp(s->slot[i].token, token, ADM_TOKEN_HEX) == 0)
			found = &s->slot[i];
	return found;
}

void adm_session_flash(adm_sessions *s, const char *token, bool err,
		       const char *text)
{
	adm_session *x;
	size_t n = strlen(text);

	if (!token_wellformed(token))
		return;
	if (n > ADM_FLASH_MAX) {
		n = ADM_FLASH_MAX;
		while (n && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;	/* not inside a UTF-8 sequence */
	}
	pthread_mutex_lock(&s->lock);
	if ((x = slot_of(s, token))) {
		memcpy(x->flash, text, n);
		x->flash[n] = '\0';
		x->flash_err = err;
	}
	pthread_mutex_unlock(&s->lock);
}

bool adm_session_take_flash(adm_sessions *s, const char *token, char *out,
			    size_t size, bool *err)
{
	adm_session *x;
	bool had = false;

	if (!token_wellformed(token) || size == 0)
		return false;
	pthread_mutex_lock(&s->lock);
	if ((x = slot_of(s, token)) && x->flash[0]) {
		snprintf(out, size, "%s", x->flash);
		*err = x->flash_err;
		x->flash[0] = '\0';
		had = true;
	}
	pthread_mutex_unlock(&s->lock);
	return had;
}

void adm_session_end(adm_sessions *s, const char *token)
{
	if (!token_wellformed(token))
		return;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->capacity; i++)
		if (s->slot[i].token[0] &&
		    CRYPTO_memcmp(s->slot[i].token, token, ADM_TOKEN_HEX) == 0)
			OPENSSL_cleanse(&s->slot[i], sizeof s->slot[i]);
	pthread_mutex_unlock(&s->lock);
}

void adm_session_count(adm_sessions *s, int64_t now, unsigned *all,
		       unsigned *logged_in)
{
	*all = *logged_in = 0;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->capacity; i++)
		if (live(s, &s->slot[i], now)) {
			(*all)++;
			*logged_in += s->slot[i].user[0] != '\0';
		}
	pthread_mutex_unlock(&s->lock);
}
