/*
 * log.c -- logging to stderr or syslog (see log.h).
 *
 * A whole line is formatted into a stack buffer and written with one
 * write(2), so lines of concurrent threads never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/log.h"

/* Process-wide destination, set by main() before threads start. */
static struct {
	char ident[32];
	bool use_syslog;
	int level;
} log_state = { "rbl", false, RBL_LOG_NOTICE };

static const char *const level_names[] = {
	"error", "warning", "notice", "info", "debug"
};
static const int syslog_prio[] = {
	LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
};

void rbl_log_open(const char *ident, bool use_syslog, int level)
{
	if (log_state.use_syslog)
		closelog();
	snprintf(log_state.ident, sizeof(log_state.ident), "%s", ident);
	log_state.use_syslog = use_syslog;
	rbl_log_set_level(level);
	if (use_syslog)
		openlog(log_state.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void rbl_log_set_level(int level)
{
	if (level < RBL_LOG_ERR)
		level = RBL_LOG_ERR;
	if (level > RBL_LOG_DEBUG)
		level = RBL_LOG_DEBUG;
	log_state.level = level;
}

int rbl_log_level(void)
{
	return log_state.level;
}

int rbl_log_level_parse(const char *s, int *level)
{
	static const char *const aliases[] = { "err", "warn", NULL, NULL, NULL };

	for (int i = RBL_LOG_ERR; i <= RBL_LOG_DEBUG; i++) {
		if (strcasecmp(s, level_names[i]) == 0 ||
		    (aliases[i] && strcasecmp(s, aliases[i]) == 0)) {
			*level = i;
			return RBL_OK;
		}
	}
	return RBL_EINVAL;
}

void rbl_log_close(void)
{
	if (log_state.use_syslog)
		closelog();
	log_state.use_syslog = false;
}

static void log_stderr(int level, const char *msg)
{
	char line[1100];
	char stamp[32];
	struct timespec ts = { 0 };
	struct tm tm = { 0 };
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s %s[%d]: %s: %s\n", stamp,
		     log_state.ident, (int)getpid(), level_names[level], msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* Nothing sensible to do when stderr is gone. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void rbl_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > log_state.level)
		return;
	if (level < RBL_LOG_ERR)
		level = RBL_LOG_ERR;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_state.use_syslog)
		syslog(syslog_prio[level], "%s", msg);
	else
		log_stderr(level, msg);
}
