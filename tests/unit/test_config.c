/*
 * test_config.c -- rbld.conf parser, schema check and typed getters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "zone/config/config.h"

static char err[RBL_CONF_ERRLEN];

static rbl_conf *parse(const char *text)
{
	rbl_conf *c = NULL;

	err[0] = '\0';
	if (rbl_conf_parse(text, strlen(text), "t.conf", &c, err,
			   sizeof(err)) != RBL_OK)
		return NULL;
	return c;
}

/* Parse must fail with ESYNTAX and an error naming LINE. */
static void want_syntax(const char *text, unsigned line, const char *what)
{
	rbl_conf *c = NULL;
	char prefix[32];

	err[0] = '\0';
	CHECK_RC(rbl_conf_parse(text, strlen(text), "t.conf", &c, err,
				sizeof(err)), RBL_ESYNTAX);
	CHECK(c == NULL);
	snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK(strstr(err, what) != NULL);
	if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, what))
		fprintf(stderr, "  got error: %s\n", err);
}

/* Parse succeeds, check fails with EINVAL naming LINE and WHAT. */
static void want_check_error(const char *text, unsigned line,
			     const char *what)
{
	rbl_conf *c = parse(text);
	char prefix[32];

	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "  parse error: %s\n", err);
		return;
	}
	CHECK_RC(rbl_conf_check(c, err, sizeof(err)), RBL_EINVAL);
	snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK(strstr(err, what) != NULL);
	if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, what))
		fprintf(stderr, "  got error: %s\n", err);
	rbl_conf_free(c);
}

static void test_basic(void)
{
	const char *text =
		"# a comment\n"
		"; another comment\n"
		"\n"
		"server:\n"
		"    listen: 127.0.0.1@5353   # trailing comment\n"
		"\tlisten: ::1@5353\n"
		"    database: /var/lib/rbld\n"
		"list: spam\n"
		"    kind: ip\n"
		"    default-txt: \"quoted # kept; \\\"x\\\" \\\\ $\"  ; c\n"
		"zone: bl.example\n"
		"    list: spam\n"
		"    ttl: 5m\n"
		"    ttl: 10m\n";
	rbl_conf *c = parse(text);
	const rbl_conf_section *s;
	const rbl_conf_item *it;
	uint32_t u;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(c->n_sections == 3);
	s = rbl_conf_next(c, "server", NULL);
	CHECK(s && s->line == 4 && strcmp(s->title, "") == 0);
	it = rbl_conf_next_item(s, "listen", NULL);
	CHECK_STR(it->value, "127.0.0.1@5353");
	CHECK(it->line == 5);
	it = rbl_conf_next_item(s, "listen", it);
	CHECK_STR(it->value, "::1@5353");
	CHECK(rbl_conf_next_item(s, "listen", it) == NULL);
	CHECK_STR(rbl_conf_get(s, "database"), "/var/lib/rbld");
	CHECK(rbl_conf_get(s, "nothing") == NULL);
	CHECK(rbl_conf_next(c, "server", s) == NULL);

	s = rbl_conf_next(c, "list", NULL);
	CHECK_STR(s->title, "spam");
	CHECK_STR(rbl_conf_get(s, "default-txt"),
		  "quoted # kept; \"x\" \\ $");
	s = rbl_conf_next(c, "zone", NULL);
	CHECK_STR(s->title, "bl.example");
	/* the last value wins for getters ... */
	CHECK_RC(rbl_conf_duration(c, s, "ttl", 1, &u, err, sizeof(err)),
		 RBL_OK);
	CHECK(u == 600);
	/* ... but check rejects the repetition of a single-valued key */
	CHECK_RC(rbl_conf_check(c, err, sizeof(err)), RBL_EINVAL);
	CHECK(strstr(err, "t.conf:14: key 'ttl' repeated (first on line 13") != NULL);
	rbl_conf_free(c);
}

static void test_quoting(void)
{
	rbl_conf *c = parse("zone: \"bl example\"\n"
			    "  list: \"  leading spaces\"\n"
			    "  ns: \"\"\n"
			    "  glue: \"a;b#c\"\n");
	const rbl_conf_section *s;

	CHECK(c != NULL);
	if (!c)
		return;
	s = rbl_conf_next(c, NULL, NULL);
	CHECK_STR(s->title, "bl example");
	CHECK_STR(rbl_conf_get(s, "list"), "  leading spaces");
	CHECK_STR(rbl_conf_get(s, "ns"), "");
	CHECK_STR(rbl_conf_get(s, "glue"), "a;b#c");
	rbl_conf_free(c);

	/* an empty value and CRLF line ends */
	c = parse("server:\r\n  user:\r\n  log: syslog\r\n");
	CHECK(c != NULL);
	if (c) {
		s = rbl_conf_next(c, "server", NULL);
		CHECK_STR(rbl_conf_get(s, "user"), "");
		CHECK_STR(rbl_conf_get(s, "log"), "syslog");
		rbl_conf_free(c);
	}
	/* no final newline */
	c = parse("server:\n  log: stderr");
	CHECK(c != NULL);
	if (c) {
		CHECK_STR(rbl_conf_get(rbl_conf_next(c, "server", NULL), "log"),
			  "stderr");
		rbl_conf_free(c);
	}
}

static void test_syntax_errors(void)
{
	want_syntax("server:\n  listen: \"127.0.0.1\n", 2, "unterminated");
	want_syntax("server:\n\n  log: \"a\" b\n", 3, "after the closing quote");
	want_syntax("  listen: 1.2.3.4\n", 1, "before any section");
	want_syntax("server:\n  listen 127.0.0.1\n", 2, "expected 'key:'");
	want_syntax("server\n", 1, "expected 'section:'");
	want_syntax("server:\n  log:stderr\n", 2, "blank must follow");
	want_syntax("server:\n  log: a\"b\n", 2, "quote inside");
	want_syntax("server:\n  log: \"a\\nb\"\n", 2, "unknown escape");
	want_syntax("server:\n  k$y: v\n", 2, "expected 'key:'");
	{
		rbl_conf *c = NULL;

		CHECK_RC(rbl_conf_parse("a\0b", 3, "t.conf", &c, err,
					sizeof(err)), RBL_ESYNTAX);
		CHECK(strstr(err, "NUL") != NULL);
	}
}

static void test_check(void)
{
	rbl_conf *c = parse("server:\n"
			    "  listen: 127.0.0.1\n"
			    "  listen: ::1@53\n"
			    "  map-size: 1G\n"
			    "  threads: 2\n"
			    "list: a\n  kind: ip\n  default-code: 2\n"
			    "list: b\n  kind: name\n  default-code: 127.0.0.4\n"
			    "zone: bl.example.\n  list: a\n  list: b@dbl\n"
			    "  ns: ns1.example.org\n  test-entries: no\n"
			    "  ttl: 1h30m\n");

	CHECK(c != NULL);
	if (c) {
		CHECK_RC(rbl_conf_check(c, err, sizeof(err)), RBL_OK);
		rbl_conf_free(c);
	}
	want_check_error("server:\n  listen: 1.2.3.4\nbogus:\n", 3,
			 "unknown section 'bogus'");
	want_check_error("server:\n  listen: 1.2.3.4\n  colour: red\n", 3,
			 "unknown key 'colour' in section 'server'");
	want_check_error("server:\nserver:\n", 2, "repeated (first on line 1)");
	want_check_error("zone: a\nzone: b\nzone: A\n", 3,
			 "section 'zone: A' repeated");
	want_check_error("zone:\n", 1, "needs a title");
	want_check_error("server: x\n", 1, "takes no title");
	want_check_error("server:\n  listen: 1.2.3.4@0\n", 2, "listen");
	want_check_error("server:\n  listen: 1.2.3.400\n", 2, "address[@port]");
	want_check_error("server:\n  listen: ::1@70000\n", 2, "address[@port]");
	want_check_error("server:\n  threads: -1\n", 2, "whole number");
	want_check_error("server:\n  threads: 4294967296\n", 2, "whole number");
	want_check_error("server:\n  map-size: 16Q\n", 2, "size");
	want_check_error("zone: z\n  ttl: 5 m\n", 2, "duration");
	want_check_error("zone: z\n  test-entries: maybe\n", 2, "yes or no");
	want_check_error("zone: z\n  ns: bad..name\n", 2, "domain name");
	want_check_error("zone: z\n  ns: bad name\n", 2, "domain name");
	want_check_error("list: l\n  default-code: 10.0.0.2\n", 2, "return code");
	want_check_error("list: l\n  default-code: 256\n", 2, "return code");
	want_check_error("list: l\n  default-code: 1.2.3.4.5\n", 2, "return code");
}

static void test_durations_sizes(void)
{
	uint32_t u;
	uint64_t z;
	bool b;

	CHECK_RC(rbl_parse_duration("300", &u), RBL_OK); CHECK(u == 300);
	CHECK_RC(rbl_parse_duration("300s", &u), RBL_OK); CHECK(u == 300);
	CHECK_RC(rbl_parse_duration("5m", &u), RBL_OK); CHECK(u == 300);
	CHECK_RC(rbl_parse_duration("2h", &u), RBL_OK); CHECK(u == 7200);
	CHECK_RC(rbl_parse_duration("7d", &u), RBL_OK); CHECK(u == 604800);
	CHECK_RC(rbl_parse_duration("1w", &u), RBL_OK); CHECK(u == 604800);
	CHECK_RC(rbl_parse_duration("1h30m", &u), RBL_OK); CHECK(u == 5400);
	CHECK_RC(rbl_parse_duration("0", &u), RBL_OK); CHECK(u == 0);
	CHECK(rbl_parse_duration("", &u) != RBL_OK);
	CHECK(rbl_parse_duration("m", &u) != RBL_OK);
	CHECK(rbl_parse_duration("5x", &u) != RBL_OK);
	CHECK(rbl_parse_duration("-5", &u) != RBL_OK);
	CHECK(rbl_parse_duration("10000000w", &u) != RBL_OK);
	CHECK(rbl_parse_duration("4294967296", &u) != RBL_OK);

	CHECK_RC(rbl_parse_size("1024", &z), RBL_OK); CHECK(z == 1024);
	CHECK_RC(rbl_parse_size("64k", &z), RBL_OK); CHECK(z == 65536);
	CHECK_RC(rbl_parse_size("512M", &z), RBL_OK); CHECK(z == 512u << 20);
	CHECK_RC(rbl_parse_size("16G", &z), RBL_OK);
	CHECK(z == 16ull << 30);
	CHECK_RC(rbl_parse_size("2TB", &z), RBL_OK); CHECK(z == 2ull << 40);
	CHECK(rbl_parse_size("", &z) != RBL_OK);
	CHECK(rbl_parse_size("1.5G", &z) != RBL_OK);
	CHECK(rbl_parse_size("99999999999T", &z) != RBL_OK);

	CHECK_RC(rbl_parse_bool("Yes", &b), RBL_OK); CHECK(b);
	CHECK_RC(rbl_parse_bool("off", &b), RBL_OK); CHECK(!b);
	CHECK(rbl_parse_bool("2", &b) != RBL_OK);
}

static void test_getters(void)
{
	rbl_conf *c = parse("server:\n  map-size: 2G\n  threads: x\n"
			    "zone: z\n  test-entries: off\n");
	const rbl_conf_section *srv, *z;
	uint64_t size;
	uint32_t u;
	bool b;

	CHECK(c != NULL);
	if (!c)
		return;
	srv = rbl_conf_next(c, "server", NULL);
	z = rbl_conf_next(c, "zone", NULL);
	CHECK_RC(rbl_conf_size(c, srv, "map-size", 1, &size, err, sizeof(err)),
		 RBL_OK);
	CHECK(size == 2ull << 30);
	CHECK_RC(rbl_conf_u32(c, srv, "tcp-max-connections", 512, &u, err,
			      sizeof(err)), RBL_OK);
	CHECK(u == 512);
	CHECK_RC(rbl_conf_u32(c, srv, "threads", 7, &u, err, sizeof(err)),
		 RBL_EINVAL);
	CHECK(u == 7);
	CHECK(strncmp(err, "t.conf:3: threads:", 18) == 0);
	CHECK_RC(rbl_conf_bool(c, z, "test-entries", true, &b, err,
			       sizeof(err)), RBL_OK);
	CHECK(!b);
	/* absent section: default */
	CHECK_RC(rbl_conf_duration(c, NULL, "ttl", 300, &u, err, sizeof(err)),
		 RBL_OK);
	CHECK(u == 300);
	rbl_conf_free(c);
}

static void test_load(void)
{
	char path[] = "/tmp/test_config.XXXXXX";
	rbl_conf *c = NULL;
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs("server:\n  database: /tmp/x\n", f);
	fclose(f);
	CHECK_RC(rbl_conf_load(path, &c, err, sizeof(err)), RBL_OK);
	if (c) {
		CHECK_STR(c->path, path);
		CHECK_RC(rbl_conf_check(c, err, sizeof(err)), RBL_OK);
		rbl_conf_free(c);
	}
	unlink(path);
	CHECK_RC(rbl_conf_load(path, &c, err, sizeof(err)), RBL_EIO);
	CHECK(strstr(err, path) != NULL);
}

int main(void)
{
	test_basic();
	test_quoting();
	test_syntax_errors();
	test_check();
	test_durations_sizes();
	test_getters();
	test_load();
	return check_done();
}
