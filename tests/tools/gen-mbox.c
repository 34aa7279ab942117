/*
 * gen-mbox.c -- write an mbox of synthetic spamtrap messages, for import
 * tests and the import benchmark.
 *
 *   gen-mbox [-n COUNT] [-a ADDRESSES] [-t START] [-s STEP] [-6 PERCENT]
 *            [-g EVERY] [-S SEED] [-l DOMAINS]
 *
 * Each message went spammer -> our MX 192.0.2.10 -> trap host (loopback
 * content filter on top), so with "trusted-network: 192.0.2.0/24" the
 * sender is the third Received hop.  Senders cycle through ADDRESSES
 * public addresses (45.x.y.z, and 2a01:4f8:N::1 for PERCENT of them);
 * message I arrives at START + I*STEP.  With -g, every EVERY-th message is
 * garbage of a rotating kind (no headers, binary, no Received, private
 * sender, absurd date, huge folded header).  With -l, bodies carry links
 * to DOMAINS spam domains (rbld-bench-N.com, .net, .org, and some IDN
 * ones) beside links to allow-file domains (w3.org in the HTML doctype,
 * gmail.com, bit.ly), in a rotating form: plain text, HTML, HTML in
 * quoted-printable, text in base64, multipart/alternative of text and
 * QP HTML; with hxxp:// and [.] defanging now and then; every fourth
 * message has a Reply-To.  Output is deterministic.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void rfc_date(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm = { 0 };

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

static void sender(unsigned k, int v6pct, char *ip, size_t size)
{
	if (v6pct && (k * 37u) % 100 < (unsigned)v6pct)
		snprintf(ip, size, "IPv6:2a01:4f8:%x::1", k + 1);
	else
		snprintf(ip, size, "45.%u.%u.%u", 1 + (k >> 16) % 200,
			 (k >> 8) & 255, 1 + (k & 255) % 254);
}

static void body(unsigned i)
{
	static const char *const words[] = { "cheap", "offer", "click", "now",
		"free", "winner", "pills", "crypto", "limited", "deal" };

	for (int l = 0; l < 20; l++) {
		for (int w = 0; w < 10; w++)
			printf("%s ", words[next_rand() % 10]);
		printf("%u\n", i);
	}
}

/* ---- links (-l) ---- */

static unsigned n_domains;

static void spam_domain(unsigned k, char *out, size_t size)
{
	static const char *const tld[] = { "com", "net", "org", "info" };

	if (k % 50 == 7)	/* an IDN domain now and then, in UTF-8 */
		snprintf(out, size, "b\xc3\xbc" "cher-bench-%u.de", k);
	else
		snprintf(out, size, "rbld-bench-%u.%s", k, tld[k % 4]);
}

/* Ten lines of sales words, as body() writes them, into OUT at *O. */
static void filler(unsigned i, bool html, char *out, size_t size, size_t *o)
{
	static const char *const words[] = { "cheap", "offer", "click", "now",
		"free", "winner", "pills", "crypto", "limited", "deal" };

	for (int l = 0; l < 10 && *o < size; l++) {
		*o += (size_t)snprintf(out + *o, size - *o, "%s", html ? "<p>" : "");
		for (int w = 0; w < 10 && *o < size; w++)
			*o += (size_t)snprintf(out + *o, size - *o, "%s ",
					       words[next_rand() % 10]);
		if (*o < size)
			*o += (size_t)snprintf(out + *o, size - *o, "%u%s\n", i,
					       html ? "</p>" : "");
	}
}

/* The text of message I: two or three spam links, one allowed link. */
static void link_text(unsigned i, bool html, char *out, size_t size)
{
	char d1[64], d2[64], d3[64];
	unsigned k = (unsigned)(next_rand() % n_domains);
	size_t o = 0;

	spam_domain(k, d1, sizeof d1);
	spam_domain((k * 7 + 3) % n_domains, d2, sizeof d2);
	spam_domain((k * 13 + 5) % n_domains, d3, sizeof d3);
	if (html)
		o += (size_t)snprintf(out + o, size - o,
			"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" "
			"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
			"<html><body><p>Special offer %u</p>\n"
			"<a href=\"https://www.%s/offer?id=%u\">Click here</a>\n"
			"<img src=\"http://img.%s/logo.png\">\n"
			"<p>Contact: <a href=\"mailto:x@gmail.com\">mail</a> "
			"or https://bit.ly/%x</p></body></html>\n",
			i, d1, i, d2, i);
	else
		o += (size_t)snprintf(out + o, size - o,
			"Special offer %u, only today!\n"
			"Order at %s://www.%s/buy?ref=%u\n"
			"More: www.%s/info and %s\n"
			"Questions? https://mail.google.com/ or https://bit.ly/%x\n",
			i, i % 9 == 4 ? "hxxp" : "http", d1, i, d2,
			i % 11 == 6 ? "shop[.]rbld-defanged[.]com" : d3, i);
	if (o < size)
		filler(i, html, out, size, &o);
}

static void qp_print(const char *s)
{
	int col = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (col >= 72 && c != '\n') {
			printf("=\n");
			col = 0;
		}
		if (c == '\n') {
			putchar('\n');
			col = 0;
		} else if (c == '=' || c >= 127) {
			printf("=%02X", c);
			col += 3;
		} else {
			putchar(c);
			col++;
		}
	}
}

static void b64_print(const char *s)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), col = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		putchar(a[v >> 18 & 63]);
		putchar(a[v >> 12 & 63]);
		putchar(i + 1 < n ? a[v >> 6 & 63] : '=');
		putchar(i + 2 < n ? a[v & 63] : '=');
		if ((col += 4) >= 76) {
			putchar('\n');
			col = 0;
		}
	}
	putchar('\n');
}

/* The Content-Type headers and body of message I with links. */
static void link_body(unsigned i)
{
	char text[4096], html[4096];

	link_text(i, false, text, sizeof text);
	link_text(i, true, html, sizeof html);
	printf("MIME-Version: 1.0\n");
	switch (i % 5) {
	case 0:
		printf("Content-Type: text/plain; charset=utf-8\n\n%s", text);
		break;
	case 1:
		printf("Content-Type: text/html; charset=utf-8\n\n%s", html);
		break;
	case 2:
		printf("Content-Type: text/html; charset=utf-8\n"
		       "Content-Transfer-Encoding: quoted-printable\n\n");
		qp_print(html);
		break;
	case 3:
		printf("Content-Type: text/plain; charset=utf-8\n"
		       "Content-Transfer-Encoding: base64\n\n");
		b64_print(text);
		break;
	default:
		printf("Content-Type: multipart/alternative; boundary=\"b%u\"\n"
		       "\n--b%u\nContent-Type: text/plain; charset=utf-8\n\n%s"
		       "--b%u\nContent-Type: text/html; charset=utf-8\n"
		       "Content-Transfer-Encoding: quoted-printable\n\n",
		       i, i, text, i);
		qp_print(html);
		printf("--b%u--\n", i);
		break;
	}
}

static void garbage(unsigned i, int64_t t, unsigned kind)
{
	char d[64];

	rfc_date(t, d, sizeof d);
	printf("From garbage@gen %s\n", "Thu Jan  1 00:00:00 2026");
	switch (kind % 6) {
	case 0:		/* no header at all */
		printf("this is not a mail message %u\n\nat all\n", i);
		break;
	case 1:		/* binary */
		printf("Subject: bin %u\nX-Bin: ", i);
		for (int k = 0; k < 64; k++) {
			int b = (int)(next_rand() % 255) + 1;
			putchar(k % 7 == 0 ? 0 : b == '\n' ? 'x' : b);
		}
		printf("\n\nbody\n");
		break;
	case 2:		/* no Received */
		printf("Subject: none %u\nDate: %s\n\nbody\n", i, d);
		break;
	case 3:		/* private sender */
		printf("Received: from x (x [10.9.8.7]) by mx1.example.org; %s\n"
		       "Subject: private %u\n\nbody\n", d, i);
		break;
	case 4:		/* absurd date: year 9999 is not a date we take */
		printf("Received: from s (s [45.250.1.%u]) by mx1.example.org; "
		       "Fri, 31 Dec 9999 23:59:59 +0000\nSubject: absurd %u\n\nb\n",
		       1 + i % 250, i);
		break;
	default:	/* a long folded header */
		printf("Subject: long %u\nX-Long: x", i);
		for (int k = 0; k < 2000; k++)
			printf("\n yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
		printf("\n\nbody\n");
		break;
	}
}

static void message(unsigned i, unsigned addresses, int64_t t, int v6pct)
{
	char d[64], ip[64];

	rfc_date(t, d, sizeof d);
	sender(i % addresses, v6pct, ip, sizeof ip);
	printf("From spam%u@gen Thu Jan  1 00:00:00 2026\n", i);
	printf("Return-Path: <spam%u@spam.example>\n"
	       "Delivered-To: trap%u@trap.example.org\n", i, i % 7);
	printf("Received: from localhost (localhost [127.0.0.1])\n"
	       "\tby trap.example.org (Postfix) with ESMTP id T%u\n\t; %s\n", i, d);
	printf("Received: from mx1.example.org (mx1.example.org [192.0.2.10])\n"
	       "\tby trap.example.org (Postfix) with ESMTPS id M%u; %s\n", i, d);
	printf("Received: from helo%u.example (host%u.spam.example [%s])\n"
	       "\tby mx1.example.org (Postfix) with ESMTP id S%u; %s\n",
	       i % 13, i, ip, i, d);
	printf("Received: from forged (forged [198.51.100.%u]) by helo\n", i % 200);
	printf("Subject: Special offer number %u\nFrom: <spam%u@spam.example>\n"
	       "To: <trap@trap.example.org>\nDate: %s\nMessage-ID: <%u@gen>\n",
	       i, i, d, i);
	if (!n_domains) {
		putchar('\n');
		body(i);
		return;
	}
	if (i % 4 == 0)
		printf("Reply-To: <box%u@drop-bench.com>\n", i % 997);
	link_body(i);
}

int main(int argc, char **argv)
{
	unsigned n = 1000, addresses = 200, garbage_every = 0;
	int64_t start = 1800000000, step = 1;
	int v6pct = 10, c;

	while ((c = getopt(argc, argv, "n:a:t:s:6:g:S:l:h")) != -1) {
		switch (c) {
		case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'a': addresses = (unsigned)strtoul(optarg, NULL, 10); break;
		case 't': start = strtoll(optarg, NULL, 10); break;
		case 's': step = strtoll(optarg, NULL, 10); break;
		case '6': v6pct = atoi(optarg); break;
		case 'g': garbage_every = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'S': rng = strtoull(optarg, NULL, 10) | 1; break;
		case 'l': n_domains = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: gen-mbox [-n N] [-a ADDRS] [-t START] "
				"[-s STEP] [-6 PCT] [-g EVERY] [-S SEED] "
				"[-l DOMAINS]\n");
			return 2;
		}
	}
	if (addresses == 0)
		addresses = 1;
	for (unsigned i = 0; i < n; i++) {
		int64_t t = start + (int64_t)i * step;
		if (garbage_every && i % garbage_every == garbage_every - 1)
			garbage(i, t, i / garbage_every);
		else
			message(i, addresses, t, v6pct);
	}
	return ferror(stdout) ? 1 : 0;
}
