/*
 * test_received.c -- Received header parsing and the trust-boundary walk,
 * on header shapes real MTAs write.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/check.h"
#include "zone/addr.h"
#include "import/mime.h"
#include "import/received.h"

static const char *ip_of(const char *line)
{
	static char buf[RBL_ADDR_STRLEN];
	rbl_received r;

	rbl_received_parse(line, &r);
	if (!r.has_from)
		return "(no from)";
	if (!r.has_ip)
		return "(no ip)";
	return rbl_addr_format(&r.ip, buf);
}

static void test_formats(void)
{
	/* Postfix */
	CHECK_STR(ip_of("from mail.example.net (mail.example.net [198.51.100.7]) "
			"by mx.example.org (Postfix) with ESMTPS id 4XyZ; "
			"Tue, 3 Nov 2026 12:34:56 +0100 (CET)"), "198.51.100.7");
	CHECK_STR(ip_of("from [203.0.113.9] (unknown [198.51.100.8]) by mx "
			"(Postfix) with ESMTP id A1"), "198.51.100.8");
	CHECK_STR(ip_of("from spam.example (unknown [IPv6:2001:db8:5::25]) by "
			"mx.example.org (Postfix) with ESMTP id 1"), "2001:db8:5::25");
	CHECK_STR(ip_of("from helo.example (host-1.example.com [198.51.100.9]) "
			"(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) "
			"key-exchange X25519 server-signature RSA-PSS (2048 bits)) "
			"(No client certificate requested) by mx.example.org (Postfix) "
			"with ESMTPS id 4N; Mon, 2 Nov 2026 10:00:00 +0000 (UTC)"),
		  "198.51.100.9");
	/* Sendmail */
	CHECK_STR(ip_of("from helo.example (user@rdns.example.com [198.51.100.10]) "
			"by mx.example.org (8.15.2/8.15.2) with ESMTP id x1; "
			"Tue, 3 Nov 2026 12:00:00 -0500"), "198.51.100.10");
	CHECK_STR(ip_of("from helo.example (rdns.example.com [198.51.100.11] "
			"(may be forged)) by mx.example.org (8.14.4/8.14.4) with ESMTP"),
		  "198.51.100.11");
	CHECK_STR(ip_of("from helo ([198.51.100.12]) by mx (8.15.2/8.15.2) with SMTP"),
		  "198.51.100.12");
	/* Exim */
	CHECK_STR(ip_of("from [198.51.100.13] (helo=[203.0.113.1]) by mx.example.org "
			"with esmtp (Exim 4.96) (envelope-from <a@b>) id 1q"),
		  "198.51.100.13");
	CHECK_STR(ip_of("from [198.51.100.14] (port=51234 helo=spammer) by mx with "
			"esmtp (Exim 4.94.2)"), "198.51.100.14");
	CHECK_STR(ip_of("from host.example.com ([198.51.100.15]:40422 helo=x) by mx "
			"with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96)"),
		  "198.51.100.15");
	CHECK_STR(ip_of("from host.example.com ([2001:db8::15]:40422 helo=x) by mx "
			"with esmtp (Exim 4.96)"), "2001:db8::15");
	/* qmail */
	CHECK_STR(ip_of("from unknown (HELO spam.example) (198.51.100.16) by "
			"mx.example.org with SMTP; 3 Nov 2026 11:22:33 -0000"),
		  "198.51.100.16");
	CHECK_STR(ip_of("from unknown (HELO 203.0.113.5) (198.51.100.17) by mx with SMTP"),
		  "198.51.100.17");
	CHECK_STR(ip_of("from rdns.example (HELO x) (user@198.51.100.18) by mx with SMTP"),
		  "198.51.100.18");
	CHECK_STR(ip_of("from unknown (HELO x) ([198.51.100.19]) by mx with SMTP"),
		  "198.51.100.19");
	CHECK_STR(ip_of("(qmail 1234 invoked from network); 3 Nov 2026 11:22:33 -0000"),
		  "(no from)");
	/* Microsoft */
	CHECK_STR(ip_of("from EX01.corp.example (198.51.100.20) by EX02.corp.example "
			"(10.0.0.6) with Microsoft SMTP Server (version=TLS1_2, "
			"cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2375.17; "
			"Tue, 3 Nov 2026 11:00:00 +0000"), "198.51.100.20");
	CHECK_STR(ip_of("from NAM11-DM6-obe.outbound.protection.outlook.com "
			"(2001:db8:f400:7e8a::601) by mx.example.org with Microsoft SMTP "
			"Server id 15.20.1234.56"), "2001:db8:f400:7e8a::601");
	/* Courier, ::ffff: */
	CHECK_STR(ip_of("from host.example ([::ffff:198.51.100.21]) by mx "
			"with ESMTP; Tue, 03 Nov 2026 12:00:00 +0000"), "198.51.100.21");
	CHECK_STR(ip_of("from h (rdns [::ffff:198.51.100.22]:25) by mx"), "198.51.100.22");
	CHECK_STR(ip_of("from h (IPv6:::ffff:198.51.100.23) by mx"), "198.51.100.23");
	/* Bare first word, Yahoo style */
	CHECK_STR(ip_of("from 198.51.100.24 (EHLO spam.example) (198.51.100.24) by mta"),
		  "198.51.100.24");
	CHECK_STR(ip_of("from 198.51.100.25 by mx.example.org"), "198.51.100.25");
	/* Local and unreadable */
	CHECK_STR(ip_of("by mx.example.org (Postfix, from userid 1000) id 4X; "
			"Tue, 3 Nov 2026 12:00:00 +0000"), "(no from)");
	CHECK_STR(ip_of("(from user@localhost) by host (8.15.2/8.15.2/Submit) id q"),
		  "(no from)");
	CHECK_STR(ip_of("from somehost by mx with local (Exim 4.96)"), "(no ip)");
	CHECK_STR(ip_of("from x (y [999.1.2.3]) by mx"), "(no ip)");
	/* sendmail version numbers are not addresses */
	CHECK_STR(ip_of("from x (8.15.2/8.15.2) (rdns [198.51.100.26]) by mx"),
		  "198.51.100.26");
}

static void test_fields(void)
{
	rbl_received r;

	rbl_received_parse("from helo.example (rdns.example.com [198.51.100.7]) "
			   "by mx.example.org (Postfix) with ESMTP id 1; "
			   "Tue, 3 Nov 2026 12:34:56 +0100 (CET)", &r);
	CHECK_STR(r.helo, "helo.example");
	CHECK_STR(r.rdns, "rdns.example.com");
	CHECK_STR(r.by, "mx.example.org");
	CHECK(r.when == 1793705696);	/* 2026-11-03T11:34:56Z */
	CHECK(!r.authenticated);

	rbl_received_parse("from [203.0.113.1] (unknown [198.51.100.7]) "
			   "(Authenticated sender: bob) by mx (Postfix) with ESMTPSA",
			   &r);
	CHECK(r.authenticated);
	CHECK_STR(r.rdns, "");
	rbl_received_parse("from x ([198.51.100.7]) by mx with esmtpsa (TLS1.3) "
			   "(Exim 4.96)", &r);
	CHECK(r.authenticated);
	rbl_received_parse("from x (rdns [198.51.100.7]) (authenticated bits=0) "
			   "by mx (8.15.2/8.15.2) with ESMTP", &r);
	CHECK(r.authenticated);
	rbl_received_parse("from x (rdns [198.51.100.7]) by mx with ESMTPS", &r);
	CHECK(!r.authenticated);
}

/* Walk a header block HDRS (LF line ends) and format the result. */
static const char *walk(const char *hdrs, const rbl_trust *tr)
{
	static char buf[128];
	char addr[RBL_ADDR_STRLEN];
	rbl_msg m;
	rbl_origin o;

	if (rbl_msg_split(hdrs, strlen(hdrs), 1 << 20, &m) != 0)
		return "(split failed)";
	switch (rbl_received_origin(&m, tr, &o)) {
	case RBL_ORIGIN_FOUND:
		snprintf(buf, sizeof buf, "%s hop %u",
			 rbl_addr_format(&o.ip, addr), o.hop);
		return buf;
	case RBL_ORIGIN_NONE:		return "none";
	case RBL_ORIGIN_ALL_TRUSTED:	return "all trusted";
	case RBL_ORIGIN_SPECIAL:	return "special";
	case RBL_ORIGIN_UNPARSED:	return "unparsed";
	}
	return "?";
}

static void test_walk(void)
{
	rbl_prefix nets[2];
	const char *relays[] = { ".example.org" };
	rbl_trust none = { 0 }, tr = { nets, 2, relays, 1 };

	CHECK_RC(rbl_prefix_parse("192.0.2.0/24", false, &nets[0]), RBL_OK);
	CHECK_RC(rbl_prefix_parse("2001:db8:aa::/48", false, &nets[1]), RBL_OK);

	/* Direct delivery to our MX: the top hop is the sender. */
	CHECK_STR(walk("Return-Path: <x@y>\n"
		       "Received: from spam.example (spam.example [45.67.89.7])\n"
		       "\tby mx.example.org (Postfix) with ESMTP id 1;\n"
		       "\tTue, 3 Nov 2026 12:34:56 +0100\n"
		       "Received: from forged (forged [203.0.113.99]) by spam\n"
		       "Subject: hi\n\nbody\n", &none), "45.67.89.7 hop 0");
	/* Local delivery, content filter on loopback, then our MX. */
	CHECK_STR(walk("Received: by trap.example.org (Postfix, from userid 0) id 9\n"
		       "Received: from localhost (localhost [127.0.0.1])\n"
		       " by trap.example.org (Postfix) with ESMTP id 2\n"
		       "Received: from localhost ([::1]) by amavis with LMTP\n"
		       "Received: from mx1.example.org (mx1.example.org [192.0.2.10])\n"
		       " by trap.example.org (Postfix) with ESMTP id 3\n"
		       "Received: from bad.example (bad.example [45.67.89.8])\n"
		       " by mx1.example.org (Postfix) with ESMTP id 4\n"
		       "Received: from x (x [203.0.113.5]) by bad.example\n"
		       "\n", &tr), "45.67.89.8 hop 4");
	/* Trusted by relay name as our relay resolved it, IPv6 trusted net. */
	CHECK_STR(walk("Received: from relay (relay.in.example.org [45.67.89.50])\n"
		       " by trap.example.org (Postfix) with ESMTP id 2\n"
		       "Received: from r6 (r6 [IPv6:2001:db8:aa::5]) by relay\n"
		       "Received: from spam6 (unknown [IPv6:2a01:4f8:bad::1])\n"
		       " by r6 (Postfix) with ESMTP id 3\n\n", &tr),
		  "2a01:4f8:bad::1 hop 2");
	/* A HELO claiming our relay name is not trusted. */
	CHECK_STR(walk("Received: from relay.example.org (unknown [45.67.89.51])\n"
		       " by mx.example.org (Postfix)\n\n", &tr),
		  "45.67.89.51 hop 0");
	/* Private hops are internal; then the boundary. */
	CHECK_STR(walk("Received: from int (int [10.1.2.3]) by trap (Postfix)\n"
		       "Received: from unknown (HELO s) (45.67.89.60) by int with SMTP\n"
		       "\n", &none), "45.67.89.60 hop 1");
	/* Authenticated submission is ours; qmail invoked lines skipped. */
	CHECK_STR(walk("Received: (qmail 1 invoked from network); 3 Nov 2026 11:22:33 -0000\n"
		       "Received: from x (rdns [45.67.89.70]) (Authenticated sender: u)\n"
		       " by mx (Postfix) with ESMTPSA\n"
		       "Received: from y (rdns [45.67.89.71]) by x\n\n", &none),
		  "45.67.89.71 hop 2");
	/* Only internal hops. */
	CHECK_STR(walk("Received: from localhost (localhost [127.0.0.1]) by t\n"
		       "Received: from a (a [192.0.2.1]) by t\n\n", &tr), "all trusted");
	CHECK_STR(walk("Received: from a (a [10.0.0.1]) by t\n"
		       "Received: from b (b [192.168.1.1]) by a\n\n", &none), "special");
	CHECK_STR(walk("Subject: no received\n\nbody\n", &none), "none");
	CHECK_STR(walk("Received: by x with local\n\n", &none), "none");
	CHECK_STR(walk("Received: from mystery by mx with SMTP\n"
		       "Received: from x (x [45.67.89.1]) by mystery\n\n", &none),
		  "unparsed");
	/* Folded with CRLF normalised beforehand, IPv6 mapped. */
	{
		char raw[] = "Received: from h\r\n (rdns\r\n [::ffff:45.67.89.80])\r\n"
			     "  by mx\r\n\r\nbody\r\n";
		size_t n = rbl_text_normalize(raw, strlen(raw), raw);
		raw[n] = '\0';
		CHECK_STR(walk(raw, &none), "45.67.89.80 hop 0");
	}
}

/* Is the hop in LINE a mailbox download (and which IP did it name)? */
static bool retrieval(const char *line)
{
	rbl_received r;

	rbl_received_parse(line, &r);
	return r.retrieval;
}

/*
 * Retrieval hops, in the shapes the tools write (each line is what the
 * header unfolds to):
 *   fetchmail 6 (transact.c): "from HOST [IP]" only when it knows the
 *     address, then "by LOCALHOST with PROTO (fetchmail-VERSION[ polling
 *     ...])", "for <RCPT> (single-drop|multi-drop|by default); DATE";
 *     PROTO is POP3, IMAP, ... as fetchmail names the protocol;
 *   fetchmail 4/5: "from HOST by LOCALHOST (fetchmail-V PROTO run by U)";
 *   getmail 4/5 and getmail6 (message.py): "from SERVER (IP) by HOST with
 *     PROTO [getmail6 [msgid:N]] [for <RCPT>]; DATE", PROTO POP3,
 *     POP3-SSL, IMAP4, IMAP4-SSL or SDPS, IP "a.b.c.d:port" or
 *     "[v6]:port" for IMAP;
 *   mpop: "from SERVER [(NAME [IP])] by HOST (mpop-VERSION) with POP3
 *     for <RCPT>; DATE";
 *   fdm: "by HOST (fdm 1.9, account "A"); DATE" -- no from clause, a local
 *     hop already;
 *   mbsync/isync, offlineimap, Thunderbird and most mail clients copy
 *     messages without adding a Received header: nothing to skip.
 */
static void test_retrieval(void)
{
	rbl_prefix nets[1];
	const char *relays[] = { ".trap.example" };
	rbl_trust none = { 0 }, tr = { nets, 1, relays, 1 };

	CHECK_RC(rbl_prefix_parse("192.0.2.0/24", false, &nets[0]), RBL_OK);

	/* the shapes are recognised ... */
	CHECK(retrieval("from pop3.web.de [217.72.192.134] by localhost with "
			"POP3 (fetchmail-5.9.0) for k@localhost (single-drop); "
			"Thu, 20 Jun 2002 12:00:00 +0200 (CEST)"));
	CHECK(retrieval("from imap.example.net [198.51.100.143] by trap.example "
			"with IMAP (fetchmail-6.4.37) for <trap@localhost> "
			"(single-drop); Tue, 03 Nov 2026 12:00:00 +0100 (CET)"));
	CHECK(retrieval("from pop.example.net by trap with POP3 "
			"(fetchmail-6.4.37 polling pop.example.net account "
			"trap@example.net) for <trap@localhost> (multi-drop); "
			"Tue, 03 Nov 2026 12:00:00 +0100"));
	CHECK(retrieval("from pop.example.net by trap (fetchmail-4.7.5 POP3 "
			"run by trap) for <trap@localhost> (single-drop); "
			"Tue Nov 3 12:00:00 1998"));
	CHECK(retrieval("from pop.gmx.net (212.227.17.185) by trap.example "
			"with POP3-SSL for <trap@gmx.example>; 03 Nov 2026 "
			"11:00:00 -0000"));
	CHECK(retrieval("from imap.example.net (198.51.100.143:993) by "
			"trap.example with IMAP4-SSL getmail6 msgid:17 for "
			"<trap@example.net>; 03 Nov 2026 11:00:00 -0000"));
	CHECK(retrieval("from imap.example.net ([2001:db8::143]:143) by trap "
			"with IMAP4 getmail6; 03 Nov 2026 11:00:00 -0000"));
	CHECK(retrieval("from pop.demon.example (198.51.100.110) by trap with "
			"SDPS; 03 Nov 2026 11:00:00 -0000"));
	CHECK(retrieval("from pop.example.net (pop.example.net [198.51.100.110]) "
			"by trap.example (mpop-1.4.18) with POP3 for "
			"<trap@example.net>; Tue, 03 Nov 2026 12:00:00 +0100"));
	/* ... and nothing an MTA writes is one */
	CHECK(!retrieval("from mail.example.net (mail.example.net [198.51.100.7]) "
			 "by mx.example.org (Postfix) with ESMTPS id 4XyZ"));
	CHECK(!retrieval("from helo.example (rdns [198.51.100.9]) (using TLSv1.3 "
			 "with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx "
			 "(Postfix) with ESMTPS id 4N"));
	CHECK(!retrieval("from x (rdns [198.51.100.9]) by mx with LMTPA; "
			 "Tue, 3 Nov 2026 12:00:00 +0000"));
	CHECK(!retrieval("from pophost.example.net (pophost.example.net "
			 "[198.51.100.9]) by mx with ESMTP"));
	CHECK(!retrieval("from getmail.example (getmail.example [198.51.100.9]) "
			 "by mx with SMTP"));
	CHECK(!retrieval("from DM6PR.prod.outlook.com (2603:10b6:5:1::1) by "
			 "SN6PR.prod.outlook.com with HTTPS; Tue, 3 Nov 2026"));
	CHECK(!retrieval("from x by mx with mapi id 15.20.1234.5"));
	CHECK(!retrieval("from x by mx with imaps-like-smtp"));

	/* fetchmail forwarding to the local MTA: the POP server is not the
	 * sender, the provider's MX hop below it names the sender */
	CHECK_STR(walk("Received: from localhost (localhost [127.0.0.1])\n"
		       "\tby trap.example (Postfix) with ESMTP id 1\n"
		       "Received: from pop3.web.de [217.72.192.134]\n"
		       "\tby localhost with POP3 (fetchmail-6.4.37)\n"
		       "\tfor <k@localhost> (single-drop); Tue, 03 Nov 2026 "
		       "12:00:00 +0100 (CET)\n"
		       "Received: from spam.example ([45.67.89.20]) by "
		       "mx-ha.web.de (mxweb112 [212.227.15.17]) with ESMTPS\n"
		       " (Nemesis) id 1M; Tue, 03 Nov 2026 11:59:00 +0100\n"
		       "Received: from forged (forged [203.0.113.7]) by spam\n"
		       "\n", &none), "45.67.89.20 hop 2");
	/* without the server's address (fetchmail could not resolve it) the
	 * hop no longer stops the walk as unreadable */
	CHECK_STR(walk("Received: from pop.example.net\n"
		       "\tby trap with POP3 (fetchmail-6.4.37)\n"
		       "\tfor <trap@localhost> (single-drop); Tue, 03 Nov 2026 "
		       "12:00:00 +0100\n"
		       "Received: from bad.example (bad.example [45.67.89.21])\n"
		       "\tby mx.example.net (Postfix) with ESMTP id 2\n\n",
		       &none), "45.67.89.21 hop 1");
	/* getmail on top, delivering to a Maildir, the provider's internal
	 * relay named in trusted-relay */
	CHECK_STR(walk("Return-Path: <s@spam.example>\n"
		       "Delivered-To: trap@example.net\n"
		       "Received: from imap.example.net (198.51.100.143:993) by "
		       "trap.example with IMAP4-SSL getmail6 msgid:4 for "
		       "<trap@example.net>; 03 Nov 2026 11:00:00 -0000\n"
		       "Received: from mx2.trap.example (mx2.trap.example "
		       "[198.51.100.25])\n by imap.trap.example (Postfix) with "
		       "LMTP id 3\n"
		       "Received: from spam.example (unknown [45.67.89.22])\n"
		       " by mx2.trap.example (Postfix) with ESMTP id 4\n\n",
		       &tr), "45.67.89.22 hop 2");
	/* mpop, then an IPv6 sender */
	CHECK_STR(walk("Received: from pop.example.net (pop.example.net "
		       "[198.51.100.110])\n\tby trap.example (mpop-1.4.18) with "
		       "POP3\n\tfor <trap@example.net>; Tue, 03 Nov 2026 12:00:00 "
		       "+0100\n"
		       "Received: from s6 (unknown [IPv6:2a01:4f8:bad::2])\n"
		       " by mx.example.net (Postfix) with ESMTP id 5\n\n", &none),
		  "2a01:4f8:bad::2 hop 1");
	/* fdm: no from clause, skipped like any local hop */
	CHECK_STR(walk("Received: by trap.example (fdm 1.9, account \"trap\");\n"
		       "\tTue, 03 Nov 2026 12:00:00 +0100\n"
		       "Received: from s (s [45.67.89.23]) by mx.example.net\n\n",
		       &none), "45.67.89.23 hop 1");
	/* a retrieval header the sender wrote below the boundary changes
	 * nothing: the walk stops at the sender's hop first */
	CHECK_STR(walk("Received: from s (s [45.67.89.24]) by mx.example.org\n"
		       "Received: from 45.67.89.24 by x with POP3 "
		       "(fetchmail-6.4.37)\n\n", &none), "45.67.89.24 hop 0");
	/* only downloads and local hops: nothing to list */
	CHECK_STR(walk("Received: from pop.example.net [198.51.100.110] by t "
		       "with POP3 (fetchmail-6.4.37); Tue, 03 Nov 2026 12:00:00 "
		       "+0100\n\n", &none), "all trusted");
}

int main(void)
{
	test_formats();
	test_fields();
	test_walk();
	test_retrieval();
	return check_done();
}
