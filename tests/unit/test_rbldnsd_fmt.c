/*
 * test_rbldnsd_fmt.c -- the rbldnsd data file reader and the merge rules.
 *
 * Each case parses a small file and compares the records, one line of
 * text each ("PREFIX CODES [TXT]", "!PREFIX" for exclusions), and the
 * messages, which must name file:line; each on one thread and on two
 * (the lines read on a second one), which must say the same.  The quick
 * path's differential test parses its 60,000 one-line inputs on one
 * thread, and on two only gathered into a few big inputs: a thread for
 * each line took minutes under ASan.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/unit/check.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "zone/formats/rbldnsd_merge.h"

static char out[16384], msgs[8192];
static rbl_ds_meta meta;

/* A text that grows: the records or the messages of a big parse. */
struct text {
	char *s;
	size_t len, cap;
};

/* Where the handlers' lines go instead of OUT and MSGS, when set. */
static struct sink {
	struct text rec, msg;
} *sink;

static void text_add(struct text *t, const char *line)
{
	size_t n = strlen(line);

	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 65536;
		char *s = NULL;

		while (cap < t->len + n + 1)
			cap *= 2;
		if (!(s = realloc(t->s, cap))) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		t->s = s;
		t->cap = cap;
	}
	memcpy(t->s + t->len, line, n + 1);
	t->len += n;
}

/* LINE and a newline to the records (OUT) or the messages (MSGS), cut
 * where they are full; or to SINK's. */
static void emit(bool is_msg, const char *line)
{
	char *buf = is_msg ? msgs : out;
	size_t size = is_msg ? sizeof msgs : sizeof out;

	if (sink) {
		text_add(is_msg ? &sink->msg : &sink->rec, line);
		text_add(is_msg ? &sink->msg : &sink->rec, "\n");
		return;
	}
	strncat(buf, line, size - strlen(buf) - 2);
	strcat(buf, "\n");
}

static void fmt_codes(const rbl_entry *e, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < e->n_codes; i++) {
		char c[16];

		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "," : "", rbl_code_format(e->codes[i], c));
	}
}

static int on_record(void *arg, const rbl_ds_record *r)
{
	char key[RBL_NAME_MAX + 8], codes[80], line[600];
	const rbl_entry *e = &r->entry;

	(void)arg;
	if (r->rr) {	/* generic: "owner ttl TYPE value" */
		char value[300];

		rbl_zrec_format_value(r->rr, value, sizeof value);
		snprintf(line, sizeof line, "%s %u %s %s @%d",
			 r->rr->owner[0] ? r->rr->owner : "@", r->rr->ttl,
			 rbl_zrec_type_name(r->rr->type), value, r->section);
		emit(false, line);
		return 0;
	}
	if (r->is_name)
		snprintf(key, sizeof(key), "%s%s",
			 (e->flags & RBL_ENTRY_NAME_EXACT) ?
			 ((e->flags & RBL_ENTRY_NAME_SUBS) ? "." : "") : "*.",
			 r->name);
	else
		rbl_prefix_format(&r->prefix, key);
	if (e->flags & RBL_ENTRY_EXCLUDE) {
		snprintf(line, sizeof(line), "!%s", key);
	} else {
		fmt_codes(e, codes, sizeof(codes));
		snprintf(line, sizeof(line), "%s %s%s%s%s", key, codes,
			 e->txt[0] ? " [" : "", e->txt, e->txt[0] ? "]" : "");
	}
	if (r->section >= 0)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " @%d", r->section);
	if (r->type == RBL_DS_ACL)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " acl%d", r->acl_action);
	emit(false, line);
	return 0;
}

static int on_section(void *arg, int index, const rbl_ds_section *s)
{
	char line[700];

	(void)arg;
	snprintf(line, sizeof(line), "section %d %s:%s subs=%u first=%s",
		 index, rbl_ds_type_name(s->type), s->name, s->n_sub,
		 s->n_sub ? (s->sub[0][0] ? s->sub[0] : "@") : "-");
	emit(false, line);
	return 0;
}

static void on_message(void *arg, bool is_error, const char *text)
{
	(void)arg;
	(void)is_error;
	emit(true, text);
}

/* TEXT parsed into OUT and MSGS (or SINK), with the lines read on a
 * second thread when it has THREAD_MIN bytes (1: always; SIZE_MAX: never);
 * up to MAX_ERRORS errors (0: the reader's default). */
static int parse_with(int type, bool lenient, const char *text, size_t len,
		      size_t thread_min, unsigned max_errors)
{
	rbl_ds_options o = { .type = type, .lenient = lenient, .now = 1700000000,
			     .thread_min = thread_min,
			     .max_errors = max_errors };
	rbl_ds_handler h = { on_section, on_record, on_message, NULL };
	rbl_ds_input in = { "t", text, len };

	out[0] = msgs[0] = '\0';
	return rbl_ds_parse_buffers(&o, &h, &in, 1, &meta);
}

/* Every case is parsed twice: on one thread, and with the lines read on
 * a second one (rbl_ds_options.thread_min 1), which must say the same. */
static int parse_opts(int type, bool lenient, const char *text)
{
	static char out1[sizeof out], msgs1[sizeof msgs];
	size_t len = strlen(text);
	int rc1 = parse_with(type, lenient, text, len, SIZE_MAX, 0), rc = 0;

	memcpy(out1, out, sizeof out);
	memcpy(msgs1, msgs, sizeof msgs);
	rc = parse_with(type, lenient, text, len, 1, 0);
	CHECK(rc == rc1);
	CHECK_STR(out, out1);
	CHECK_STR(msgs, msgs1);
	return rc;
}

static int parse(int type, const char *text)
{
	return parse_opts(type, false, text);
}

#define EXPECT(type, text, want) do { \
	CHECK_RC(parse(type, text), RBL_OK); \
	CHECK_STR(out, want); \
	if (msgs[0]) fprintf(stderr, "  messages: %s", msgs); \
} while (0)

/* An input of TYPE that must fail, with a message holding MSG. */
struct bad {
	int type;
	const char *text, *msg;
};

static void expect_bad(const struct bad *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = parse(v[i].type, v[i].text);
		bool said = strstr(msgs, v[i].msg) != NULL;

		CHECK_RC(rc, RBL_ESYNTAX);
		CHECK(said);
		if (rc != RBL_ESYNTAX || !said)
			fprintf(stderr, "  \"%s\": want \"%s\", got: %s",
				v[i].text, v[i].msg, msgs);
	}
}

#define EXPECT_BAD(v) expect_bad(v, sizeof v / sizeof v[0])

static void test_ip4_ranges(void)
{
	EXPECT(RBL_DS_IP4SET,
	       "127.0.0.0/24\n127.0.0\n127/24\n127.0.0.0-127.0.0.255\n"
	       "127.16-31\n127.16.0.0-127.31.255.255\n127.16.0/12\n"
	       "127.16/12\n",
	       "127.0.0.0/24 127.0.0.2\n127.0.0.0/24 127.0.0.2\n"
	       "127.0.0.0/24 127.0.0.2\n127.0.0.0/24 127.0.0.2\n"
	       "127.16.0.0/12 127.0.0.2\n127.16.0.0/12 127.0.0.2\n"
	       "127.16.0.0/12 127.0.0.2\n127.16.0.0/12 127.0.0.2\n");
	EXPECT(RBL_DS_IP4SET, "127.0.0.1-255\n",
	       "127.0.0.1 127.0.0.2\n127.0.0.2/31 127.0.0.2\n"
	       "127.0.0.4/30 127.0.0.2\n127.0.0.8/29 127.0.0.2\n"
	       "127.0.0.16/28 127.0.0.2\n127.0.0.32/27 127.0.0.2\n"
	       "127.0.0.64/26 127.0.0.2\n127.0.0.128/25 127.0.0.2\n");
	EXPECT(RBL_DS_IP4SET, "10.0.0.3-10.0.0.4\n0/0\n1.2.3.4/32\n",
	       "10.0.0.3 127.0.0.2\n10.0.0.4 127.0.0.2\n"
	       "0.0.0.0/0 127.0.0.2\n1.2.3.4 127.0.0.2\n");
	CHECK_RC(parse_opts(RBL_DS_IP4SET, true, "10.0.0.1/24\n"), RBL_OK);
	CHECK_STR(out, "10.0.0.0/24 127.0.0.2\n");
	/* the quick path's edges: what it leaves to the general path comes
	 * out as before (leading zeros, 3-digit lengths, values, comments,
	 * exclusions; $MAXRANGE4 skips; the errors are in test_bad_lines) */
	EXPECT(RBL_DS_IP4SET, "010.0.0.1\n1.2.3.0/024\n0.0.0.0\n"
	       "255.255.255.255/32\n9.9.9.9 :3:x\n8.8.8.8 # c\n!8.8.8.8\n"
	       "7.0.0.0/8\n",
	       "10.0.0.1 127.0.0.2\n1.2.3.0/24 127.0.0.2\n0.0.0.0 127.0.0.2\n"
	       "255.255.255.255 127.0.0.2\n9.9.9.9 127.0.0.3 [x]\n"
	       "8.8.8.8 127.0.0.2\n!8.8.8.8\n7.0.0.0/8 127.0.0.2\n");
	EXPECT(RBL_DS_IP4TSET, "1.2.3.4\n", "1.2.3.4 127.0.0.2\n");
	CHECK_RC(parse(RBL_DS_IP4SET, "$MAXRANGE4 /24\n10.0.0.0/16\n"
		       "10.1.0.0/24\n"), RBL_OK);
	CHECK_STR(out, "10.1.0.0/24 127.0.0.2\n");
	/* an error anywhere: nothing after it is delivered, result ESYNTAX */
	CHECK_RC(parse(RBL_DS_IP4SET, "1.1.1.1\nbad\n2.2.2.2\n"), RBL_ESYNTAX);
	CHECK_STR(out, "1.1.1.1 127.0.0.2\n");
	CHECK(strstr(msgs, "t:2:") != NULL);
}

/* The records and messages of a parse, kept to compare. */
struct result {
	int rc;
	struct sink said;
};

static void result_free(struct result *r)
{
	free(r->said.rec.s);
	free(r->said.msg.s);
	memset(r, 0, sizeof *r);
}

/* Whether texts A and B are the same; if not, where they part. */
static bool same_text(const struct text *a, const struct text *b,
		      const char *what)
{
	const char *x = a->s ? a->s : "", *y = b->s ? b->s : "";
	size_t i = 0;

	while (x[i] && x[i] == y[i])
		i++;
	if (x[i] == y[i])
		return true;
	while (i && x[i - 1] != '\n')
		i--;
	fprintf(stderr, "  %s part at byte %zu: \"%.*s\" vs \"%.*s\"\n",
		what, i, (int)strcspn(x + i, "\n"), x + i,
		(int)strcspn(y + i, "\n"), y + i);
	return false;
}

/* The lines of test_quick_same by type, lenient or not, and whether they
 * parsed alone: each group is one input, and an error holds back every
 * record after it, so the lines that fail go apart. */
#define QUICK_TYPES	3
static struct text quick_lines[QUICK_TYPES][2][2];

/* IN, the lines of a group of quick_lines (FAILED: each failed alone),
 * parsed on one thread and on two (they cross batches of the reading
 * thread): the same records and messages.  (One parse a group, not one
 * a line: a thread a line took minutes under ASan.)  IN is freed. */
static void group_threads_same(int type, bool lenient, bool failed,
			       struct text *in)
{
	struct result r[2] = { { 0 }, { 0 } };

	if (!in->len)
		return;
	for (int i = 0; i < 2; i++) {
		sink = &r[i].said;
		r[i].rc = parse_with(type, lenient, in->s, in->len,
				     i ? 1 : SIZE_MAX, UINT_MAX);
		sink = NULL;
	}
	/* together the lines fail as they did alone */
	CHECK_RC(r[0].rc, failed ? RBL_ESYNTAX : RBL_OK);
	CHECK(r[0].rc == r[1].rc);
	CHECK(same_text(&r[0].said.rec, &r[1].said.rec, "records"));
	CHECK(same_text(&r[0].said.msg, &r[1].said.msg, "messages"));
	result_free(&r[0]);
	result_free(&r[1]);
	free(in->s);
	memset(in, 0, sizeof *in);
}

/* The quick path against the general one: "X" takes the quick path when
 * it can, "X #c" never does (the blank), and both must give the same
 * records and messages for any token X, on one thread; then on two. */
static void test_quick_same(void)
{
	static const int types[QUICK_TYPES] = { RBL_DS_IP4SET, RBL_DS_IP4TRIE,
						RBL_DS_IP4TSET };
	static const char alphabet[] = "0123456789012345678901234567..../";
	static char want[sizeof out], want_msgs[sizeof msgs];
	uint32_t x = 2463534242u;
	unsigned differ = 0, quick = 0;

	for (unsigned n = 0; n < 30000; n++) {
		char tok[24] = { 0 }, a[64] = { 0 }, b[64] = { 0 };
		unsigned len = 0;
		int type = types[n % 3], ra = 0, rb = 0;
		bool lenient = n & 4;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (n & 1) {	/* near an address: octets, a length,
				   then maybe one character changed */
			snprintf(tok, sizeof tok, "%s%u.%u.%u.%u%s%u",
				 x % 7 ? "" : "0", x % 263, (x >> 8) % 260,
				 (x >> 16) % 4 ? 0 : (x >> 12) % 256,
				 (x >> 24) % 3 ? 0 : (x >> 4) % 258,
				 (x >> 20) % 2 ? "/" : " ", (x >> 7) % 34);
			tok[strcspn(tok, " ")] = '\0';	/* no length */
			len = (unsigned)strlen(tok);
			if (x % 5 == 0)
				tok[(x >> 3) % len] =
					alphabet[(x >> 11) % (sizeof alphabet - 1)];

		} else {
			len = 1 + x % 18;
			for (unsigned i = 0; i < len; i++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				tok[i] = alphabet[x % (sizeof alphabet - 1)];
			}
		}
		snprintf(a, sizeof a, "%s #c\n", tok);
		snprintf(b, sizeof b, "%s\n", tok);
		ra = parse_with(type, lenient, a, strlen(a), SIZE_MAX, 0);
		memcpy(want, out, sizeof out);
		memcpy(want_msgs, msgs, sizeof msgs);
		rb = parse_with(type, lenient, b, strlen(b), SIZE_MAX, 0);
		quick += rb == RBL_OK && out[0];
		if (ra != rb || strcmp(want, out) || strcmp(want_msgs, msgs)) {
			if (differ++ < 5)
				fprintf(stderr, "  \"%s\" (type %d): %d \"%s\" %s"
					"vs %d \"%s\" %s", tok, type, ra, want,
					want_msgs, rb, out, msgs);
		}
		text_add(&quick_lines[n % 3][lenient][ra != RBL_OK], a);
		text_add(&quick_lines[n % 3][lenient][rb != RBL_OK], b);
	}
	CHECK(differ == 0);
	CHECK(quick > 3000);	/* the quick path was taken often */
	for (int t = 0; t < QUICK_TYPES; t++)
		for (int k = 0; k < 4; k++)
			group_threads_same(types[t], k & 1, k & 2,
					   &quick_lines[t][k & 1][k / 2]);
}

static void test_values(void)
{
	EXPECT(RBL_DS_IP4SET,
	       ":127.0.0.2:Default $ here\n"
	       "1.2.3.4\n1.2.3.5 :5\n1.2.3.6 :6:\n"
	       "1.2.3.7 own text $ and $$ dollar\n1.2.3.8 :8:eight\n"
	       "1.2.3.9:9:tight\n1.2.3.10 ; comment\n1.2.3.11 :3 # c\n"
	       "!1.2.3.12 :4:ignored\n1.2.3.13 :127.1.3:x\n1.2.3.14 :127.1.2.3:\n"
	       "1.2.3.15 :3:#no txt\n1.2.3.16 :3:   spaced  \n",
	       "1.2.3.4 127.0.0.2 [Default $ here]\n"
	       "1.2.3.5 127.0.0.5 [Default $ here]\n"
	       "1.2.3.6 127.0.0.6\n"
	       "1.2.3.7 127.0.0.2 [own text $ and $$ dollar]\n"
	       "1.2.3.8 127.0.0.8 [eight]\n"
	       "1.2.3.9 127.0.0.9 [tight]\n"
	       "1.2.3.10 127.0.0.2 [Default $ here]\n"
	       "1.2.3.11 127.0.0.3 [Default $ here]\n"
	       "!1.2.3.12\n"
	       "1.2.3.13 127.1.0.3 [x]\n"
	       "1.2.3.14 127.1.2.3\n"
	       "1.2.3.15 127.0.0.3\n"
	       "1.2.3.16 127.0.0.3 [spaced]\n");
	/* no default line: 127.0.0.2 and no TXT; ":4" default has no TXT */
	EXPECT(RBL_DS_IP4SET, "1.0.0.1\n1.0.0.2 :3\n:4\n1.0.0.3\n"
	       ":7:\n1.0.0.6 some text\n",
	       "1.0.0.1 127.0.0.2\n1.0.0.2 127.0.0.3\n1.0.0.3 127.0.0.4\n"
	       "1.0.0.6 127.0.0.7 [some text]\n");
	/* TXT is cut at 255 bytes like rbldnsd does */
	{
		char text[600];

		memset(text, 'x', sizeof(text));
		memcpy(text, "1.1.1.1 ", 8);
		strcpy(text + 400, "\n");
		CHECK_RC(parse(RBL_DS_IP4SET, text), RBL_OK);
		CHECK(strlen(out) == strlen("1.1.1.1 127.0.0.2 [") + 255 + 2);
	}
}

static void test_substitutions(void)
{
	EXPECT(RBL_DS_IP4SET,
	       "$1 See http://x/bl\n$2 for   details\n$1 second ignored\n"
	       ":2:def $1 $\n1.0.0.1\n1.0.0.2 $1/$ $2\n"
	       "1.0.0.3 :3:$5 undefined\n1.0.0.4 :4:$$$$ and $x and $\n"
	       "1.0.0.5 $3 $1\n$3 late$\n",
	       "1.0.0.1 127.0.0.2 [def See http://x/bl $]\n"
	       "1.0.0.2 127.0.0.2 [See http://x/bl/$ for   details]\n"
	       "1.0.0.3 127.0.0.3 [$$5 undefined]\n"
	       "1.0.0.4 127.0.0.4 [$$$$ and $x and $]\n"
	       "1.0.0.5 127.0.0.2 [late$$ See http://x/bl]\n");
	/* $= base template: the entry text goes in literally */
	EXPECT(RBL_DS_IP4SET,
	       "$1 See\n$= Base [$=] ($) $1\n:2:deftext $\n1.0.0.1\n"
	       "1.0.0.2 r123\n1.0.0.3 =Own $ text\n1.0.0.4 $1/$\n"
	       "1.0.0.5 :3:\n",
	       "1.0.0.1 127.0.0.2 [Base [deftext $$] ($) See]\n"
	       "1.0.0.2 127.0.0.2 [Base [r123] ($) See]\n"
	       "1.0.0.3 127.0.0.2 [Own $ text]\n"
	       "1.0.0.4 127.0.0.2 [Base [$$1/$$] ($) See]\n"
	       "1.0.0.5 127.0.0.3 [Base [$] ($) See]\n");
}

static void test_specials(void)
{
	EXPECT(RBL_DS_IP4SET,
	       "$SOA 1h ns1.example.org. hostmaster.example.org 0 2h 10m 1w 5m\n"
	       "$SOA 2h ignored.org x.org 1 1 1 1 1\n"
	       "#$NS 1d ns1.example.org -ns0.example.org ns2.example.org\n"
	       ":$TTL 30m\n$MAXRANGE4 /24\n1.2.3.0/24\n1.2.0.0/16\n"
	       "$MAXRANGE4 65536\n1.3.0.0/16\n#$Id: a cvs tag $\n",
	       "1.2.3.0/24 127.0.0.2\n");
	CHECK(meta.has_soa && meta.soa_ttl == 3600 && meta.soa_serial == 0 &&
	      meta.soa_refresh == 7200 && meta.soa_retry == 600 &&
	      meta.soa_expire == 604800 && meta.soa_minimum == 300);
	CHECK_STR(meta.soa_mname, "ns1.example.org");
	CHECK_STR(meta.soa_rname, "hostmaster.example.org");
	CHECK(meta.n_ns == 2 && meta.ns_ttl == 86400);
	CHECK_STR(meta.ns[1], "ns2.example.org");
	CHECK(meta.has_ttl && meta.ttl == 1800);
	CHECK(meta.maxrange4 == 256);	/* may only shrink */
	CHECK(strstr(msgs, "t:7: warning: range of 65536") != NULL);
	CHECK(strstr(msgs, "t:9: warning: range of 65536") != NULL);
	/* $TIMESTAMP: expiry for every entry, even those before the line */
	EXPECT(RBL_DS_IP4SET, "1.1.1.1\n$TIMESTAMP 2023:01:01 +10d\n", "1.1.1.1 127.0.0.2\n");
	CHECK(meta.timestamp == 1672531200 && meta.expires == 1672531200 + 864000);
	CHECK(strstr(msgs, "t:2: warning: $TIMESTAMP: the data expired") != NULL);
	EXPECT(RBL_DS_IP4SET, "$TIMESTAMP 2023-11-01-10 20991231\n1.1.1.1\n",
	       "1.1.1.1 127.0.0.2\n");
	CHECK(meta.timestamp == 1698832800);
}

static void test_other_types(void)
{
	EXPECT(RBL_DS_IP4TRIE, ":3:t\n10.0.0.0/8\n10.1.0 :4\n!10.1.0.5\n",
	       "10.0.0.0/8 127.0.0.3 [t]\n10.1.0.0/24 127.0.0.4 [t]\n!10.1.0.5\n");
	EXPECT(RBL_DS_IP4TSET, ":3:tset $\n1.0.0.1\n1.0.0.2 :7\n",
	       "1.0.0.1 127.0.0.3 [tset $]\n1.0.0.2 127.0.0.3 [tset $]\n");
	CHECK(strstr(msgs, "t:3: warning: ip4tset ignores") != NULL);
	EXPECT(RBL_DS_IP6TRIE,
	       ":127.0.1.2: Listed $\n2001:db8:c000/36\n"
	       "2001:db8:def7:4242 :127.0.1.3: funny\n2001:db8:42::/52\n"
	       "::1  # localhost\n!2001:db8:42::bead\n",
	       "2001:db8:c000::/36 127.0.1.2 [Listed $]\n"
	       "2001:db8:def7:4242::/64 127.0.1.3 [funny]\n"
	       "2001:db8:42::/52 127.0.1.2 [Listed $]\n"
	       "::1 127.0.1.2 [Listed $]\n!2001:db8:42::bead\n");
	EXPECT(RBL_DS_IP6TSET, ":5:v6 $\n2001:db8:1:2\n!2001:db8:1:2::5\n",
	       "2001:db8:1:2::/64 127.0.0.5 [v6 $]\n!2001:db8:1:2::5\n");
	EXPECT(RBL_DS_DNSET,
	       ":2:Name $ listed\nExample.COM.\n*.wild.com :3\n.both.com :4:\n"
	       "!*.ex.both.com\nx.org :5:$$ $\n",
	       "example.com 127.0.0.2 [Name example.com listed]\n"
	       "*.wild.com 127.0.0.3 [Name wild.com listed]\n"
	       ".both.com 127.0.0.4\n!*.ex.both.com\n"
	       "x.org 127.0.0.5 [$$ x.org]\n");
}

static void test_acl(void)
{
	CHECK_RC(parse(RBL_DS_ACL, "10.0.0.0/8\n10.1.0.0/16 :refuse\n"
		       "::1 :pass\n192.0.2.0/24 :2:acl $\n1.2.3.4 :bogus\n"),
		 RBL_ESYNTAX);
	CHECK(strstr(msgs, "t:5: unknown acl action \":bogus\"") != NULL);
	CHECK_RC(parse(RBL_DS_ACL, "10.0.0.0/8\n10.1.0.0/16 :refuse\n"
		       "::1 :pass\n192.0.2.0/24 :2:acl $\n"), RBL_OK);
	CHECK_STR(out, "10.0.0.0/8  acl1\n"
		  "10.1.0.0/16  acl2\n::1  acl4\n"
		  "192.0.2.0/24 127.0.0.2 [acl $] acl0\n");
}

static void test_combined(void)
{
	EXPECT(RBL_DS_COMBINED,
	       "$NS 1w ns1.ex.com ns2.ex.com\n"
	       "$SOA 1w ns1.ex.com admin.ex.com 0 2h 2h 1w 1h\n"
	       "$1 global\n"
	       "$DATASET ip4set:proxy proxies @\n:2:Open proxy $1 $\n"
	       "127.0.0.2\n$DATASET dnset:dom DBL\n$1 local\n:5:$1 $\n"
	       "bad.example\n$DATASET ip6trie @\n2001:db8::/32\n",
	       "section 0 ip4set:proxy subs=2 first=proxies\n"
	       "127.0.0.2 127.0.0.2 [Open proxy global $] @0\n"
	       "section 1 dnset:dom subs=1 first=dbl\n"
	       "bad.example 127.0.0.5 [local bad.example] @1\n"
	       "section 2 ip6trie: subs=1 first=@\n"
	       "2001:db8::/32 127.0.0.2 @2\n");
	CHECK(meta.n_sections == 3 && meta.n_ns == 2 && meta.has_soa);
}

/* rbldnsd's generic dataset: fixed records, names relative to the zone. */
static void test_generic(void)
{
	EXPECT(RBL_DS_COMBINED,
	       "$DATASET generic:common proxies @\n"
	       "@ A 127.0.0.8\nWWW 1h A 127.0.0.8\n@ MX 10 MX.ex.com\n"
	       "about TXT \"ex.com list\"\nv6 AAAA 2001:db8::1\n",
	       "section 0 generic:common subs=2 first=proxies\n"
	       "@ 0 A 127.0.0.8 @0\n"
	       "www 3600 A 127.0.0.8 @0\n"
	       "@ 0 MX 10 mx.ex.com. @0\n"
	       "about 0 TXT \"ex.com list\" @0\n"
	       "v6 0 AAAA 2001:db8::1 @0\n");
	EXPECT(RBL_DS_GENERIC, "a.b TXT plain words\n",
	       "a.b 0 TXT \"plain words\" @-1\n");
}

/* Bad lines: each input must fail, with a message that holds the text. */
static void test_bad_lines(void)
{
	static const struct bad bad[] = {
		/* IPv4 ranges and prefixes */
		{ RBL_DS_IP4SET, "1.2.3.4\n10-10.0\n", "t:2: \"10-10.0\": both ends" },
		{ RBL_DS_IP4SET, "1.2.3.0/24\n\n10.0.0.1/24\n", "t:3: \"10.0.0.1/24\": host bits set" },
		{ RBL_DS_IP4SET, "300.1.1.1\n", "t:1: \"300.1.1.1\"" },
		{ RBL_DS_IP4SET, "# c\n127\n", "t:2: \"127\": a bare number" },
		{ RBL_DS_IP4SET, "1.2.3.9-1.2.3.1\n", "t:1: \"1.2.3.9-1.2.3.1\": the range ends" },
		{ RBL_DS_IP4SET, "1.2.3.4-1.2.3\n", "same number of octets" },
		{ RBL_DS_IP4SET, "1.2.3.4/33\n", "0..32" },
		{ RBL_DS_IP4SET, "1.2.3.4x\n", "t:1:" },
		{ RBL_DS_IP4TRIE, "1.2.3.4-5\n", "ip4trie takes prefixes" },
		{ RBL_DS_IP4SET, "1.1.1.1\n2001:db8::/32\n", "t:2: ip4set data takes IPv4 only" },
		/* the quick path's edges (test_ip4_ranges) */
		{ RBL_DS_IP4SET, "1.2.3.4\n1.2.3.4.5\n", "t:2:" },
		{ RBL_DS_IP4SET, "1.2.3.4/7\n", "host bits set" },
		{ RBL_DS_IP4SET, "1.2.3.256\n", "t:1:" },
		{ RBL_DS_IP4SET, "1.2.3.4/\n", "0..32" },
		{ RBL_DS_IP4TSET, "1.2.3.0/24\n", "single IPv4" },
		/* values */
		{ RBL_DS_IP4SET, "1.2.3.4 :x:t\n", "t:1: \"\" is not an A value" },
		{ RBL_DS_IP4SET, "1.2.3.4 :0:t\n", "\"0\" is not an A value" },
		{ RBL_DS_IP4SET, "1.2.3.4 :3 t\n", "expected ':' and the TXT" },
		{ RBL_DS_IP4SET, "\n:300:x\n", "t:2: \"300\"" },
		{ RBL_DS_IP4SET, "1.1.1.1 :0.3:x\n", "t:1: A value 0.3 is outside 127.0.0.0/8" },
		/* special lines */
		{ RBL_DS_IP4SET, "1.1.1.1\n$SOA 1h ns1\n", "t:2: $SOA" },
		{ RBL_DS_IP4SET, "$BOGUS 1\n", "t:1: unknown special line \"$BOGUS\"" },
		{ RBL_DS_IP4SET, "$TTL 5x\n", "t:1: $TTL" },
		{ RBL_DS_IP4SET, "$MAXRANGE4 /40\n", "t:1: $MAXRANGE4" },
		{ RBL_DS_IP4SET, "$DATASET ip4set x\n", "only allowed in combined" },
		/* $TIMESTAMP */
		{ RBL_DS_IP4SET, "$TIMESTAMP 2099:01:01\n", "t:1: $TIMESTAMP: the data is dated in the future" },
		{ RBL_DS_IP4SET, "\n$TIMESTAMP 2023:13:01\n", "t:2: $TIMESTAMP" },
		/* the other types */
		{ RBL_DS_IP4TSET, "1.0.1.0/24\n", "t:1: \"1.0.1.0/24\": ip4tset" },
		{ RBL_DS_IP4TSET, "!1.0.0.1\n", "no exclusions" },
		{ RBL_DS_IP6TRIE, "2001:db8::1/64\n", "host bits" },
		{ RBL_DS_IP6TRIE, "2001:db8:::1\n", "t:1: \"2001:db8:::1\" is not an IPv6" },
		{ RBL_DS_IP6TRIE, "2001:db8:12345::\n", "is not an IPv6" },
		{ RBL_DS_IP6TRIE, "1::2::3\n", "is not an IPv6" },
		{ RBL_DS_IP6TSET, "2001:db8:1:2:3::\n", "ip6tset lists /64" },
		{ RBL_DS_DNSET, "ok.org\nbad..org\n", "t:2: \"bad..org\" is not a domain name" },
		{ RBL_DS_DNSET, ".\n", "is not a domain name" },
		/* combined */
		{ RBL_DS_COMBINED, "1.2.3.4\n", "t:1: entry before the first $DATASET" },
		{ RBL_DS_COMBINED, "$DATASET generix @\n", "t:1: $DATASET: \"generix\"" },
		{ RBL_DS_COMBINED, "$DATASET generic @\nx A 1\n", "t:2: A 1: not an IPv4 address" },
		/* generic */
		{ RBL_DS_GENERIC, "www CNAME x.test\n", "t:1: \"CNAME\"" },
		{ RBL_DS_GENERIC, "www.ex.com. A 1.2.3.4\n", "relative to the zone" },
		{ RBL_DS_GENERIC, "www 5x A 1.2.3.4\n", "is not a time" },
		{ RBL_DS_GENERIC, "!www A 1.2.3.4\n", "cannot be excluded" },
		{ RBL_DS_GENERIC, "bad..name A 1.2.3.4\n", "is not a domain name" },
		{ RBL_DS_COMBINED, "$DATASET ip4set bad/sub\n", "is not a subzone" },
	};

	EXPECT_BAD(bad);
}

static void test_errors_many(void)
{
	char text[2000] = "";

	for (int i = 0; i < 30; i++)
		strcat(text, "bad line\n");
	CHECK_RC(parse(RBL_DS_IP4SET, text), RBL_ESYNTAX);
	CHECK(strstr(msgs, "t:20:") != NULL);
	CHECK(strstr(msgs, "t:21:") == NULL);
	CHECK(strstr(msgs, "too many errors") != NULL);
	CHECK_RC(parse(RBL_DS_IP4SET, "1.1.1.1\n\0oops\n"), RBL_OK);
	{
		rbl_ds_options o = { .type = RBL_DS_IP4SET };
		rbl_ds_handler h = { NULL, on_record, on_message, NULL };
		rbl_ds_input in = { "n", "1.1.1.1\n2.2\0.2.2\n", 18 };

		msgs[0] = '\0';
		CHECK_RC(rbl_ds_parse_buffers(&o, &h, &in, 1, NULL), RBL_ESYNTAX);
		CHECK(strstr(msgs, "n:2: line longer") != NULL);
	}
}

/* Streamed files, on one thread (THREAD_MIN SIZE_MAX) or with their
 * lines read on a second one (1). */
static void test_files(size_t thread_min)
{
	char gzpath[] = "/tmp/test_rbldnsd.XXXXXX", plain[] = "/tmp/test_rbldnsd.XXXXXX";
	int fd1 = mkstemp(gzpath), fd2 = mkstemp(plain);
	rbl_ds_options o = { .type = RBL_DS_IP4SET, .thread_min = thread_min };
	rbl_ds_handler h = { NULL, on_record, on_message, NULL };
	const char *paths[2] = { gzpath, plain };
	gzFile gz;

	CHECK(fd1 >= 0 && fd2 >= 0);
	close(fd1);
	gz = gzopen(gzpath, "wb");
	gzputs(gz, ":3:gz\n1.1.1.1\n");
	gzclose(gz);
	CHECK(write(fd2, "2.2.2.2\n", 8) == 8);
	close(fd2);
	out[0] = msgs[0] = '\0';
	/* several files act as one; the default ends with its file */
	CHECK_RC(rbl_ds_parse_files(&o, &h, paths, 2, NULL), RBL_OK);
	CHECK_STR(out, "1.1.1.1 127.0.0.3 [gz]\n2.2.2.2 127.0.0.2\n");
	unlink(gzpath);
	CHECK_RC(rbl_ds_parse_files(&o, &h, paths, 1, NULL), RBL_EIO);
	CHECK(strstr(msgs, gzpath) != NULL);
	unlink(plain);
}

static int count_record(void *arg, const rbl_ds_record *r)
{
	(void)arg;
	(void)r;
	return 0;
}

/* Pass 1 skips the lines before the next '$' whole (rbldnsd_read.c):
 * a $TIMESTAMP after 3 MB of lines of every kind (a '$' in a value, a
 * comment, a CR, a blank line, pieces of the file cut mid-line) is said
 * at its own line, from memory and from a file, on one thread or two. */
static void test_prescan_lines(void)
{
	size_t cap = (size_t)4 << 20, len = 0;
	char *text = malloc(cap), path[] = "/tmp/test_rbldnsd.XXXXXX";
	unsigned line = 0;
	char want[64];
	int fd = -1;

	CHECK(text != NULL);
	if (!text)
		return;
	while (len < ((size_t)3 << 20) + 12345) {
		line++;
		if (line % 1000 == 7)
			len += (size_t)sprintf(text + len, "1.2.%u.%u :2:a $ b\n",
					       line / 256 % 256, line % 256);
		else if (line % 97 == 0)
			len += (size_t)sprintf(text + len, "# comment %u\n", line);
		else if (line % 89 == 0)
			len += (size_t)sprintf(text + len, "  \r\n");
		else
			len += (size_t)sprintf(text + len, "10.%u.%u.%u\r\n",
					       line >> 16 & 255, line >> 8 & 255,
					       line & 255);
	}
	line++;
	len += (size_t)sprintf(text + len, "  $TIMESTAMP 2099:01:01\n1.1.1.1\n");
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, text, len) == (ssize_t)len);
	close(fd);
	/* (records only counted: on_record's text would cost minutes) */
	for (int k = 0; k < 4; k++) {
		rbl_ds_options o = { .type = RBL_DS_IP4SET, .now = 1700000000,
				     .thread_min = k & 1 ? 1 : SIZE_MAX };
		rbl_ds_handler h = { NULL, count_record, on_message, NULL };
		rbl_ds_input in = { "t", text, len };
		const char *paths[1] = { path };

		msgs[0] = '\0';
		snprintf(want, sizeof want, "%s:%u: $TIMESTAMP: the data is "
			 "dated", k < 2 ? "t" : path, line);
		CHECK_RC(k < 2 ? rbl_ds_parse_buffers(&o, &h, &in, 1, NULL) :
			 rbl_ds_parse_files(&o, &h, paths, 1, NULL),
			 RBL_ESYNTAX);
		CHECK(strstr(msgs, want) != NULL);
		if (!strstr(msgs, want))
			fprintf(stderr, "  want \"%s\", got: %s", want, msgs);
	}
	unlink(path);
	free(text);
}

/* ---- merge ---- */

static void warn_collect(void *arg, const char *text)
{
	on_message(arg, false, text);
}

static int merge(int type, const char *text)
{
	rbl_ds_options o = { .type = type, .now = 1700000000 };
	rbl_ds_input in = { "m", text, strlen(text) };
	rbl_dsm *m;
	rbl_ds_handler h = { NULL, (int (*)(void *, const rbl_ds_record *))
			     rbl_dsm_add, on_message, NULL };
	int rc;

	out[0] = msgs[0] = '\0';
	CHECK_RC(rbl_dsm_new(type, warn_collect, NULL, &m), RBL_OK);
	h.arg = m;
	rc = rbl_ds_parse_buffers(&o, &h, &in, 1, NULL);
	if (rc == RBL_OK)
		rc = rbl_dsm_finish(m, NULL);
	if (rc == RBL_OK)
		rc = rbl_dsm_foreach(m, on_record, NULL);
	rbl_dsm_free(m);
	return rc;
}

static void test_merge(void)
{
	/* ip4set: same-level entries add up; an exclusion wins */
	CHECK_RC(merge(RBL_DS_IP4SET,
		       ":2:D\n10.0.0.0/20\n10.0.2.0/24 :3:inner\n"
		       "!10.0.3.0/24\n10.1.0.0/25\n!10.1.0.0/26\n"
		       "!10.2.0.0/25\n10.2.0.0/26\n20.0.0.1 :2\n20.0.0.1 :3\n"
		       "30.0.0.1\n!30.0.0.1\n10.0.0.0/16 :9:wide\n"), RBL_OK);
	CHECK_STR(out,
		  "10.0.0.0/16 127.0.0.9 [wide]\n"
		  "10.0.0.0/20 127.0.0.2 [D]\n"
		  "10.0.2.0/24 127.0.0.2,127.0.0.3 [D]\n"
		  "!10.0.3.0/24\n"
		  "10.1.0.0/25 127.0.0.2 [D]\n!10.1.0.0/26\n"
		  "!10.2.0.0/25\n!10.2.0.0/26\n"
		  "20.0.0.1 127.0.0.2,127.0.0.3 [D]\n!30.0.0.1\n");
	CHECK(strstr(msgs, "m:3: warning: 10.0.2.0/24: rbldnsd would answer two different TXT") != NULL);
	/* tries: the first line counts */
	CHECK_RC(merge(RBL_DS_IP4TRIE, "1.2.3.0/24 :2\n1.2.3.0/24 :3\n"
		       "1.2.3.4\n"), RBL_OK);
	CHECK_STR(out, "1.2.3.0/24 127.0.0.2\n1.2.3.4 127.0.0.2\n");
	CHECK(strstr(msgs, "m:2: warning: duplicate entry for 1.2.3.0/24; the one on line 1 counts") != NULL);
	/* dnset: same names add up; x and *.x alike become .x */
	CHECK_RC(merge(RBL_DS_DNSET, "dup.org :2\ndup.org :3:dup\nb.org\n"
		       "*.b.org\n*.c.org :4\nc.org\n!d.org\nd.org\n"), RBL_OK);
	CHECK_STR(out, ".b.org 127.0.0.2\nc.org 127.0.0.2\n"
		  "*.c.org 127.0.0.4\n!d.org\n"
		  "dup.org 127.0.0.2,127.0.0.3 [dup]\n");
}

int main(void)
{
	test_ip4_ranges();
	test_quick_same();
	test_values();
	test_substitutions();
	test_specials();
	test_other_types();
	test_acl();
	test_combined();
	test_generic();
	test_bad_lines();
	test_errors_many();
	test_files(SIZE_MAX);
	test_files(1);
	test_prescan_lines();
	test_merge();
	return check_done();
}
