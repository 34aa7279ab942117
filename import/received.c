/*
 * received.c -- Received header parsing and the trust-boundary walk.
 *
 * The from clause is scanned once for IP candidates, each remembered with
 * where it stood: in [brackets] inside a (comment) -- what Postfix,
 * Sendmail, Exim and Courier write for the verified peer --, in brackets
 * outside comments (Exim without a host name), bare inside a comment
 * (qmail, Microsoft), or bare as the first word.  Candidates introduced by
 * "helo=" / "HELO " are the client's claim and never chosen.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "zone/addr.h"
#include "date.h"
#include "received.h"

enum cand_rank {		/* lower is better */
	RANK_PAREN_BRACKET = 0,
	RANK_BRACKET,
	RANK_PAREN_BARE,
	RANK_BARE,
	RANK_NONE
};

typedef struct scan {
	int best_rank;
	rbl_addr best;
	char rdns[RBL_RCVD_NAME_MAX + 1];
	const char *group;	/* start of the innermost open comment */
} scan;

static bool is_ipchar(int c)
{
	return isxdigit(c) || c == ':' || c == '.';
}

/* Parse N bytes at S as an address: "IPv6:" prefix, "%zone" suffix and an
 * IPv4 ":port" suffix are dropped, ::ffff: mapped IPv4 is unmapped. */
static bool parse_ip(const char *s, size_t n, rbl_addr *out)
{
	char buf[64];
	const char *colon;

	if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		s += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *pct = strchr(buf, '%');
	if (pct)
		*pct = '\0';
	memset(out, 0, sizeof *out);
	colon = strchr(buf, ':');
	if (colon && !strchr(colon + 1, ':') && strchr(buf, '.'))
		buf[colon - buf] = '\0';	/* 192.0.2.1:25 */
	if (inet_pton(AF_INET, buf, out->bytes) == 1) {
		out->family = RBL_AF4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out->bytes) != 1)
		return false;
	out->family = RBL_AF6;
	rbl_addr_unmap4(out);
	return true;
}

/* Is the candidate at P introduced by "helo=", "helo " or "ehlo "? */
static bool after_helo(const char *start, const char *p)
{
	if (p - start < 5)
		return false;
	return strncasecmp(p - 5, "helo=", 5) == 0 ||
	       strncasecmp(p - 5, "helo ", 5) == 0 ||
	       strncasecmp(p - 5, "ehlo ", 5) == 0 ||
	       strncasecmp(p - 5, "ehlo=", 5) == 0;
}

/* The word right before P inside the current comment: the name a relay
 * resolved ("(rdns [ip])", "(user@rdns [ip])"). */
static void word_before(const char *group, const char *p, char *out,
			size_t size)
{
	const char *e = p, *b;
	size_t n;

	while (e > group && e[-1] == ' ')
		e--;
	b = e;
	while (b > group && b[-1] != ' ' && b[-1] != '(')
		b--;
	const char *at = memchr(b, '@', (size_t)(e - b));
	if (at)
		b = at + 1;
	n = (size_t)(e - b);
	if (n >= size || (n == 7 && strncasecmp(b, "unknown", 7) == 0))
		n = 0;
	memcpy(out, b, n);
	out[n] = '\0';
}

static void offer(scan *sc, int rank, const rbl_addr *a)
{
	if (rank < sc->best_rank) {
		sc->best_rank = rank;
		sc->best = *a;
	}
}

/* A [bracketed] candidate at P (pointing at '['); returns the ']' or end. */
static const char *scan_bracket(scan *sc, const char *clause, const char *p,
				const char *end, int depth)
{
	const char *close = memchr(p, ']', (size_t)(end - p));
	rbl_addr a = { 0 };

	if (!close)
		return end;
	if (!after_helo(clause, p) && parse_ip(p + 1, (size_t)(close - p - 1), &a)) {
		int rank = depth > 0 ? RANK_PAREN_BRACKET : RANK_BRACKET;
		if (rank < sc->best_rank && depth > 0 && sc->group)
			word_before(sc->group, p, sc->rdns, sizeof sc->rdns);
		offer(sc, rank, &a);
	}
	return close;
}

/* A bare token at P; returns its last character. */
static const char *scan_bare(scan *sc, const char *clause, const char *p,
			     const char *end, int depth)
{
	const char *s = p, *q = p;
	rbl_addr a = { 0 };

	while (q < end && (is_ipchar((unsigned char)*q) || *q == '@' ||
			   isalnum((unsigned char)*q) || *q == '-' || *q == '%'))
		q++;
	const char *at = memchr(s, '@', (size_t)(q - s));
	if (at)		/* qmail "(user@192.0.2.1)" */
		s = at + 1;
	if (!after_helo(clause, p) && (s == p || depth > 0) &&
	    parse_ip(s, (size_t)(q - s), &a))
		offer(sc, depth > 0 ? RANK_PAREN_BARE : RANK_BARE, &a);
	return q > p ? q - 1 : p;
}

static void scan_clause(scan *sc, const char *clause, const char *end)
{
	int depth = 0;
	bool word_start = true;

	for (const char *p = clause; p < end; p++) {
		char c = *p;
		if (c == '(') {
			depth++;
			sc->group = p + 1;
		} else if (c == ')') {
			depth = depth > 0 ? depth - 1 : 0;
		} else if (c == '[') {
			p = scan_bracket(sc, clause, p, end, depth);
		} else if (word_start && (is_ipchar((unsigned char)c) ||
					  (depth > 0 && isalnum((unsigned char)c)))) {
			p = scan_bare(sc, clause, p, end, depth);
		}
		word_start = (c == ' ' || c == '(' || c == '\t');
		if (p >= end)
			break;
	}
}

/* End of the from clause: " by " outside comments, or ';', or the end. */
static const char *clause_end(const char *s)
{
	int depth = 0;

	for (const char *p = s; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && *p == ';')
			return p;
		else if (depth == 0 && (p[0] == ' ' || p[0] == '\t') &&
			 strncasecmp(p + 1, "by ", 3) == 0)
			return p;
	}
	return s + strlen(s);
}

static void copy_word(const char *p, char *out, size_t size)
{
	size_t n = 0;

	while (*p == ' ')
		p++;
	while (p[n] && p[n] != ' ' && p[n] != '(' && p[n] != ';' &&
	       n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* LOWER is the header in lowercase: one pass of fast strstr per mark. */
static bool is_authenticated(const char *lower)
{
	static const char *const marks[] = {
		"with esmtpa", "with esmtpsa", "with lmtpa", "with lmtpsa",
		"with asmtp", "with httpa", "(authenticated sender:",
		"(authenticated bits=", "(authenticated as", "(auth: ",
		"(authenticated user",
	};

	if (!strstr(lower, "auth") && !strstr(lower, "tpa") &&
	    !strstr(lower, "tpsa"))
		return false;
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		const char *m = strstr(lower, marks[i]);
		size_t k = strlen(marks[i]);
		/* "with esmtpa" must not match "with esmtpsomething" */
		if (m && (marks[i][0] == '(' || !isalpha((unsigned char)m[k])))
			return true;
	}
	return false;
}

/* Does the word at W (lowercase) name a mailbox access protocol: POP3,
 * APOP, POP3-SSL, IMAP, IMAP4, IMAPS, IMAP4-SSL, SDPS ...?  MTAs write
 * SMTP, ESMTP*, LMTP*, local, HTTP; only retrieval tools write these. */
static bool is_access_proto(const char *w)
{
	const char *p = w;

	if (strncmp(p, "sdps", 4) == 0)
		p += 4;
	else if (strncmp(p, "imap", 4) == 0)
		p += 4;
	else if (strncmp(p + (*p == 'a' || *p == 'k' || *p == 'r'), "pop",
			 3) == 0)
		p += 3 + (*p == 'a' || *p == 'k' || *p == 'r');
	else
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (strncmp(p, "-ssl", 4) == 0 || strncmp(p, "-tls", 4) == 0)
		p += 4;
	else if (*p == 's')
		p++;
	return !isalnum((unsigned char)*p) && *p != '-';
}

/* Is the word at P (lowercase, after a space) "getmail" or "getmail6"? */
static bool is_getmail_word(const char *p)
{
	if (strncmp(p, "getmail", 7) != 0)
		return false;
	p += 7;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0' || *p == ' ' || *p == ';' || *p == ')';
}

/* LOWER is the header in lowercase.  A retrieval hop names its tool --
 * "(fetchmail-6.4.37)", "(mpop-1.4.18)", "... getmail6 for <x>" -- or a
 * mailbox access protocol after "with" outside comments (getmail 4/5:
 * "with POP3-SSL").  fetchmail's oldest form ("(fetchmail-4.7 POP3 run
 * by u)") has no "with" at all. */
static bool is_retrieval(const char *lower)
{
	int depth = 0;

	if (strstr(lower, "(fetchmail-") || strstr(lower, "(mpop-"))
		return true;
	for (const char *p = lower; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && *p == ' ' && is_getmail_word(p + 1))
			return true;
		else if (depth == 0 && *p == ' ' &&
			 strncmp(p + 1, "with ", 5) == 0 &&
			 is_access_proto(p + 6))
			return true;
	}
	return false;
}

void rbl_received_parse(const char *s, rbl_received *out)
{
	scan sc = { 0 };
	char lower[2048];
	const char *semi, *end, *by;
	size_t n;

	memset(out, 0, sizeof *out);
	while (*s == ' ' || *s == '\t')
		s++;
	semi = strrchr(s, ';');
	if (semi)
		out->when = rbl_date_parse(semi + 1);
	for (n = 0; s[n] && n + 1 < sizeof lower; n++)
		lower[n] = (char)tolower((unsigned char)s[n]);
	lower[n] = '\0';
	out->authenticated = is_authenticated(lower);
	out->retrieval = is_retrieval(lower);
	if ((by = strstr(lower, " by ")))
		by = s + (by - lower);
	if (by)
		copy_word(by + 4, out->by, sizeof out->by);
	if (strncasecmp(s, "from", 4) != 0 || !isspace((unsigned char)s[4]))
		return;
	out->has_from = true;
	s += 5;
	copy_word(s, out->helo, sizeof out->helo);
	end = clause_end(s);
	memset(&sc, 0, sizeof sc);
	sc.best_rank = RANK_NONE;
	scan_clause(&sc, s, end);
	if (sc.best_rank == RANK_NONE)
		return;
	out->has_ip = true;
	out->ip = sc.best;
	/* Only "(rdns [ip])" names a host the relay looked up; a first word
	 * may be the client's own HELO claim. */
	if (sc.best_rank == RANK_PAREN_BRACKET)
		memcpy(out->rdns, sc.rdns, sizeof out->rdns);
}

static bool name_matches(const char *name, const char *pattern)
{
	size_t n = strlen(name), k = strlen(pattern);

	if (n == 0 || k == 0)
		return false;
	if (pattern[0] != '.')
		return strcasecmp(name, pattern) == 0;
	return n > k && strcasecmp(name + n - k, pattern) == 0;
}

static bool is_loopback(const rbl_addr *a)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };

	if (a->family == RBL_AF4)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, v6_loop, 16) == 0;
}

bool rbl_received_trusted(const rbl_received *r, const rbl_trust *trust)
{
	if (r->retrieval)
		return true;
	if (!r->has_ip)
		return false;
	if (is_loopback(&r->ip) || r->authenticated)
		return true;
	for (size_t i = 0; i < trust->n_nets; i++)
		if (rbl_prefix_contains(&trust->nets[i], &r->ip))
			return true;
	for (size_t i = 0; i < trust->n_relays; i++)
		if (name_matches(r->rdns, trust->relays[i]))
			return true;
	return false;
}

/* Decide one hop.  Returns true to go on walking. */
static bool walk_hop(const rbl_received *r, const rbl_trust *trust,
		     bool *seen_from, bool *seen_special, rbl_origin *out)
{
	if (!r->has_from)
		return true;		/* local injection, qmail "invoked" */
	*seen_from = true;
	if (r->retrieval)
		return true;		/* our download; its IP is the provider's */
	if (!r->has_ip) {
		out->status = RBL_ORIGIN_UNPARSED;
		return false;
	}
	if (rbl_received_trusted(r, trust))
		return true;
	if (rbl_addr_is_special(&r->ip)) {
		*seen_special = true;	/* our own internal relay */
		return true;
	}
	out->status = RBL_ORIGIN_FOUND;
	out->ip = r->ip;
	out->when = r->when;
	return false;
}

int rbl_received_origin(const rbl_msg *m, const rbl_trust *trust,
			rbl_origin *out)
{
	char line[2048];
	size_t pos = 0;
	unsigned hop = 0;
	bool seen_from = false, seen_special = false;
	rbl_hdr h = { 0 };
	rbl_received r = { 0 };

	memset(out, 0, sizeof *out);
	while (hop < 100 && rbl_hdr_next(m, &pos, &h)) {
		if (!rbl_hdr_is(&h, "Received"))
			continue;
		rbl_hdr_unfold(h.value, h.value_len, line, sizeof line);
		rbl_received_parse(line, &r);
		if (!walk_hop(&r, trust, &seen_from, &seen_special, out)) {
			out->hop = hop;
			size_t n = strnlen(line, sizeof out->line - 1);
			memcpy(out->line, line, n);
			out->line[n] = '\0';
			return out->status;
		}
		hop++;
	}
	out->status = !seen_from ? RBL_ORIGIN_NONE :
		      seen_special ? RBL_ORIGIN_SPECIAL :
		      RBL_ORIGIN_ALL_TRUSTED;
	return out->status;
}
