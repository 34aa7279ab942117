/*
 * cmd_user.c -- `rblctl user add|passwd|del|list` (see cmd_user.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "zone/people/audit.h"
#include "zone/error.h"
#include "zone/people/users.h"
#include "cmd_user.h"

const char rblctl_cmd_user_usage[] =
	"  user add NAME [--role admin] [--password-file F | --password-stdin |\n"
	"                 --random]\n"
	"  user passwd NAME [--password-file F | --password-stdin | --random]\n"
	"  user del NAME\n"
	"  user list\n";

#define PW_BUF (RBL_USER_PASS_MAX + 2)

/* Read one line from FD into BUF (newline dropped).  RBL_OK or RBL_EIO. */
static int read_line_fd(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return n + 1 < size ? RBL_OK : RBL_ETOOBIG;
}

static int read_file_pw(const char *path, char *buf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		fprintf(stderr, "rblctl: %s: %s\n", path, strerror(errno));
		return RBL_EIO;
	}
	rc = read_line_fd(fd, buf, PW_BUF);
	close(fd);
	return rc;
}

/* Ask PROMPT on the terminal with echo off. */
static int ask_tty(const char *prompt, char *buf)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	struct termios old = { 0 }, quiet = { 0 };
	int rc;

	if (fd < 0) {
		fprintf(stderr, "rblctl: no terminal to ask the password on; "
			"use --password-stdin or --password-file\n");
		return RBL_EIO;
	}
	if (write(fd, prompt, strlen(prompt)) < 0 || tcgetattr(fd, &old) != 0) {
		close(fd);
		return RBL_EIO;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line_fd(fd, buf, PW_BUF);
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		rc = RBL_EIO;
	close(fd);
	return rc;
}

static int ask_twice(char *buf)
{
	char again[PW_BUF];
	int rc = ask_tty("New password: ", buf);

	if (rc == RBL_OK)
		rc = ask_tty("Again: ", again);
	if (rc == RBL_OK && strcmp(buf, again) != 0) {
		fprintf(stderr, "rblctl: the passwords differ\n");
		rc = RBL_EINVAL;
	}
	OPENSSL_cleanse(again, sizeof again);
	return rc;
}

/* 20 characters from an alphabet without look-alikes (~114 bits). */
static int random_pw(char *buf)
{
	static const char set[] = "abcdefghijkmnpqrstuvwxyz"
				  "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char raw[20];

	if (RAND_bytes(raw, sizeof raw) != 1)
		return RBL_EIO;
	for (size_t i = 0; i < sizeof raw; i++)
		buf[i] = set[raw[i] % (sizeof set - 1)];
	buf[sizeof raw] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	return RBL_OK;
}

/* The password as chosen by the options ARGV[3..]; *PRINT set for
 * --random.  "--role admin" is accepted (every user is an administrator;
 * other roles do not exist yet).  RBL_ESYNTAX on a usage error. */
static int get_password(int argc, char **argv, char *buf, bool *print)
{
	const char *how = NULL, *file = NULL;

	*print = false;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc &&
		    strcmp(argv[i + 1], "admin") == 0)
			i++;
		else if (strcmp(argv[i], "--password-file") == 0 &&
			 i + 1 < argc && !how)
			how = argv[i], file = argv[++i];
		else if ((strcmp(argv[i], "--password-stdin") == 0 ||
			  strcmp(argv[i], "--random") == 0) && !how)
			how = argv[i];
		else
			return RBL_ESYNTAX;
	}
	if (!how)
		return ask_twice(buf);
	if (file)
		return read_file_pw(file, buf);
	if (strcmp(how, "--random") == 0) {
		*print = true;
		return random_pw(buf);
	}
	return read_line_fd(STDIN_FILENO, buf, PW_BUF);
}

static void operator_name(char *out, size_t size)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(out, size, "rblctl:%s", pw ? pw->pw_name : "?");
}

static int audit(rbl_txn *t, const char *action, const char *name,
		 const char *after)
{
	char who[80];
	rbl_audit_rec r = { .user = who, .client = "local", .action = action,
		.target = name, .before = "", .after = after, .reason = "" };

	operator_name(who, sizeof who);
	return rbl_audit_append(t, &r);
}

static int change(rbl_store *s, const char *verb, const char *name,
		  const char *password)
{
	rbl_txn *t = NULL;
	int rc = rbl_txn_begin(s, true, &t);

	if (rc != RBL_OK)
		return rc;
	if (strcmp(verb, "add") == 0) {
		rc = rbl_user_add(t, name, password);
		if (rc == RBL_OK)
			rc = audit(t, RBL_AUDIT_USER_ADD, name, "user exists");
	} else if (strcmp(verb, "passwd") == 0) {
		rc = rbl_user_passwd(t, name, password);
		if (rc == RBL_OK)
			rc = audit(t, RBL_AUDIT_USER_PASSWD, name,
				   "password changed");
	} else {
		rc = rbl_user_del(t, name);
		if (rc == RBL_OK)
			rc = audit(t, RBL_AUDIT_USER_DEL, name, "user removed");
	}
	if (rc != RBL_OK) {
		rbl_txn_abort(t);
		return rc;
	}
	return rbl_txn_commit(t);
}

static int print_user(void *arg, const rbl_user *u)
{
	char made[32], changed[32];
	time_t a = (time_t)u->created, b = (time_t)u->pw_changed;
	struct tm tm = { 0 };

	strftime(made, sizeof made, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&a, &tm));
	strftime(changed, sizeof changed, "%Y-%m-%dT%H:%M:%SZ",
		 gmtime_r(&b, &tm));
	printf("%-20s created %s  password changed %s\n", u->name, made,
	       changed);
	return 0;
}

static int list_users(rbl_store *s)
{
	rbl_txn *t = NULL;
	int rc = rbl_txn_begin(s, false, &t);

	if (rc != RBL_OK)
		return rc;
	rc = rbl_user_foreach(t, print_user, NULL);
	rbl_txn_abort(t);
	return rc;
}

static int report(int rc, const char *verb, const char *name)
{
	if (rc == RBL_OK)
		return 0;
	if (rc == RBL_EINVAL)
		fprintf(stderr, "rblctl: user %s %s: bad user name (1-32 of "
			"A-Z a-z 0-9 . _ -) or password (%d-%d bytes)\n", verb,
			name, RBL_USER_PASS_MIN, RBL_USER_PASS_MAX);
	else
		fprintf(stderr, "rblctl: user %s %s: %s\n", verb, name,
			rc == RBL_ENOTFOUND ? "no such user"
			: rc == RBL_EEXIST ? "user exists" : rbl_strerror(rc));
	return 1;
}

int rblctl_cmd_user(rbl_store *s, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	char pw[PW_BUF];
	bool print = false;
	int rc;

	if (argc == 2 && strcmp(verb, "list") == 0)
		return report(list_users(s), "list", "");
	if (argc == 3 && strcmp(verb, "del") == 0)
		return report(change(s, verb, argv[2], NULL), verb, argv[2]);
	if (argc < 3 || (strcmp(verb, "add") && strcmp(verb, "passwd"))) {
		fprintf(stderr, "usage: rblctl\n%s", rblctl_cmd_user_usage);
		return 2;
	}
	rc = get_password(argc, argv, pw, &print);
	if (rc == RBL_ESYNTAX) {
		fprintf(stderr, "usage: rblctl\n%s", rblctl_cmd_user_usage);
		return 2;
	}
	if (rc == RBL_ETOOBIG)
		rc = RBL_EINVAL;
	if (rc == RBL_OK)
		rc = change(s, verb, argv[2], pw);
	if (rc == RBL_OK && print)
		printf("%s\n", pw);
	OPENSSL_cleanse(pw, sizeof pw);
	return report(rc, verb, argv[2]);
}
