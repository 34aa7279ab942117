/*
 * log.h -- logging for every rbld program: to stderr or to syslog, with
 * levels.
 *
 * A program calls rbl_log_open() once in main() (before threads start) and
 * then rbl_log() from any thread.  The destination and level are process
 * state, set only by main(), like the loaded configuration.  Messages are
 * one line each; a trailing newline is added.  Nothing here allocates.
 */
#ifndef RBL_LOG_H
#define RBL_LOG_H

#include <stdbool.h>

enum rbl_log_level {
	RBL_LOG_ERR = 0,	/* something failed; the program may exit */
	RBL_LOG_WARN,		/* degraded but going on */
	RBL_LOG_NOTICE,		/* start, stop, signals (default threshold) */
	RBL_LOG_INFO,		/* per-event detail (-v) */
	RBL_LOG_DEBUG		/* developer detail (-vv) */
};

/* Log as IDENT (e.g. "rbld") to syslog (USE_SYSLOG, facility daemon) or
 * stderr, dropping messages above LEVEL.  May be called again to switch
 * (e.g. to syslog after --daemon). */
void rbl_log_open(const char *ident, bool use_syslog, int level);
/* Change the threshold only. */
void rbl_log_set_level(int level);
/* Current threshold (for callers that avoid formatting costs). */
int rbl_log_level(void);
/* Parse "err", "warning", "notice", "info", "debug".  RBL_OK or
 * RBL_EINVAL; *LEVEL untouched on error. */
int rbl_log_level_parse(const char *s, int *level);
/* Close syslog if it was open. */
void rbl_log_close(void);

/* Write one message at LEVEL (printf format). */
void rbl_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define rbl_log_err(...)	rbl_log(RBL_LOG_ERR, __VA_ARGS__)
#define rbl_log_warn(...)	rbl_log(RBL_LOG_WARN, __VA_ARGS__)
#define rbl_log_notice(...)	rbl_log(RBL_LOG_NOTICE, __VA_ARGS__)
#define rbl_log_info(...)	rbl_log(RBL_LOG_INFO, __VA_ARGS__)
#define rbl_log_debug(...)	rbl_log(RBL_LOG_DEBUG, __VA_ARGS__)

#endif
