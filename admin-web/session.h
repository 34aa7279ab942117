/*
 * session.h -- browser sessions of rbl-admin, kept in memory.
 *
 * A session is identified by a 256-bit random token (OpenSSL RAND_bytes,
 * hex) sent as the HttpOnly; SameSite=Strict cookie "rbl_session".  Every
 * visitor who is shown a form gets an anonymous session (it carries the
 * CSRF token); logging in always starts a NEW session with a new token and
 * ends the old one, so a token planted before login is worthless.  Sessions
 * expire after IDLE seconds without a request, and on logout.  Lookups
 * compare tokens in constant time.  The table has a fixed capacity: when
 * full, the least recently used anonymous session is dropped first.
 * Thread-safe (one mutex); restart of rbl-admin logs everyone out.
 */
#ifndef ADM_SESSION_H
#define ADM_SESSION_H

#include <stdint.h>

#define ADM_TOKEN_HEX	64	/* 32 random bytes */
#define ADM_USER_MAX	32
#define ADM_COOKIE	"rbl_session"

typedef struct adm_session {
	char token[ADM_TOKEN_HEX + 1];
	char csrf[ADM_TOKEN_HEX + 1];	/* see csrf.h */
	char user[ADM_USER_MAX + 1];	/* "" = anonymous */
	int64_t created, last_seen;
} adm_session;

typedef struct adm_sessions adm_sessions;

/* A table of CAPACITY sessions expiring after IDLE seconds.  NULL on
 * allocation failure. */
adm_sessions *adm_sessions_new(unsigned capacity, uint32_t idle);
void adm_sessions_free(adm_sessions *s);

/* Find the live session with TOKEN and mark it used at NOW; copy to *OUT.
 * RBL_OK, or RBL_ENOTFOUND (unknown, malformed or expired). */
int adm_session_find(adm_sessions *s, const char *token, int64_t now,
		     adm_session *out);
/* Start a session for USER ("" = anonymous) with fresh random token and
 * CSRF token.  RBL_OK, RBL_EIO (no randomness), RBL_ELIMIT (full of
 * logged-in sessions). */
int adm_session_start(adm_sessions *s, const char *user, int64_t now,
		      adm_session *out);
/* End the session with TOKEN (no-op if unknown). */
void adm_session_end(adm_sessions *s, const char *token);
/* Live sessions: all, and logged-in ones. */
void adm_session_count(adm_sessions *s, int64_t now, unsigned *all,
		       unsigned *logged_in);

/* 32 random bytes as 64 hex digits into OUT (65 bytes).  RBL_OK/RBL_EIO. */
int adm_random_hex(char out[ADM_TOKEN_HEX + 1]);

#endif
