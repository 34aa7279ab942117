/*
 * session.h -- browser sessions of rbl-admin, kept in memory.
 *
 * A session is identified by a 256-bit random token (OpenSSL RAND_bytes,
 * hex) sent as the HttpOnly; SameSite=Strict cookie "rbl_session".
 * rbl-admin starts one only at a successful login (always a NEW token, so
 * a token planted before login is worthless): anonymous visitors hold no
 * slot here, their forms are protected without server state (csrf.h), so
 * no number of anonymous requests can push a session out.  Sessions
 * expire after IDLE seconds without a request, and on logout.  Lookups
 * compare tokens in constant time.  The table has a fixed capacity: when
 * full, an anonymous session (if a caller made one) is dropped first, and
 * then logins wait.  A session can hold one message for the next page it
 * shows ("Saved: ..."), so an action that redirects can still say what it
 * did.  Thread-safe (one mutex); restart of rbl-admin logs everyone out.
 */
#ifndef ADM_SESSION_H
#define ADM_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADM_TOKEN_HEX	64	/* 32 random bytes */
#define ADM_USER_MAX	32
#define ADM_COOKIE	"rbl_session"
#define ADM_FLASH_MAX	400	/* bytes of the next page's message */

typedef struct adm_session {
	char token[ADM_TOKEN_HEX + 1];
	char csrf[ADM_TOKEN_HEX + 1];	/* see csrf.h */
	char user[ADM_USER_MAX + 1];	/* "" = anonymous */
	int64_t created, last_seen;
	char flash[ADM_FLASH_MAX + 1];	/* for the next page, "" = none */
	bool flash_err;			/* it says what went wrong */
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
/* Keep TEXT (cut to ADM_FLASH_MAX bytes at a character boundary) as the
 * message of the next page the session with TOKEN shows; ERR when it
 * says what went wrong.  No-op if the session is unknown. */
void adm_session_flash(adm_sessions *s, const char *token, bool err,
		       const char *text);
/* Move that message into OUT (SIZE bytes) and *ERR, and clear it: true
 * if there was one. */
bool adm_session_take_flash(adm_sessions *s, const char *token, char *out,
			    size_t size, bool *err);
/* End the session with TOKEN (no-op if unknown). */
void adm_session_end(adm_sessions *s, const char *token);
/* Live sessions: all, and logged-in ones. */
void adm_session_count(adm_sessions *s, int64_t now, unsigned *all,
		       unsigned *logged_in);

/* 32 random bytes as 64 hex digits into OUT (65 bytes).  RBL_OK/RBL_EIO. */
int adm_random_hex(char out[ADM_TOKEN_HEX + 1]);

#endif
