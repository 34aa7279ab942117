/*
 * test_arf.c -- abuse report parsing: the RFC 5965 example and the
 * real-world ARF variations, X-ARF (YAML and JSON), SpamCop-style
 * forwards, plain lists and CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "zone/addr.h"
#include "import/date.h"
#include "import/ingest.h"
#include "import/mime.h"
#include "import/report.h"

/* Parse TEXT (any line ends) as FORMAT; "ip" or "skip:<reason>". */
static const char *parse(const char *text, int format, rbl_report *r)
{
	static char out[128];
	char *buf = strdup(text), a[RBL_ADDR_STRLEN];
	size_t n = rbl_text_normalize(buf, strlen(buf), buf);

	rbl_report_parse(buf, n, format, 1 << 20, r);
	free(buf);
	if (r->status)
		snprintf(out, sizeof out, "skip:%s", rbl_skip_name(r->status));
	else
		snprintf(out, sizeof out, "%s", rbl_prefix_format(&r->subject, a));
	return out;
}

/* RFC 5965 appendix B.2, with the documentation addresses of the
 * original replaced by public ones where noted. */
static const char rfc5965[] =
	"From: <abusedesk@example.com>\r\n"
	"Date: Thu, 8 Mar 2005 17:40:36 EDT\r\n"
	"Subject: FW: Earn money\r\n"
	"To: <abuse@example.net>\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/report; report-type=feedback-report;\r\n"
	"     boundary=\"part1_13d.2e68ed54_boundary\"\r\n"
	"\r\n"
	"--part1_13d.2e68ed54_boundary\r\n"
	"Content-Type: text/plain; charset=\"US-ASCII\"\r\n"
	"Content-Transfer-Encoding: 7bit\r\n"
	"\r\n"
	"This is an email abuse report for an email message received from IP\r\n"
	"SOURCEIP on Thu, 8 Mar 2005 14:00:00 EDT.\r\n"
	"For more information about this format please see\r\n"
	"http://www.mipassoc.org/arf/.\r\n"
	"\r\n"
	"--part1_13d.2e68ed54_boundary\r\n"
	"Content-Type: message/feedback-report\r\n"
	"\r\n"
	"Feedback-Type: abuse\r\n"
	"User-Agent: SomeGenerator/1.0\r\n"
	"Version: 1\r\n"
	"Original-Mail-From: <somespammer@example.net>\r\n"
	"Original-Rcpt-To: <user@example.com>\r\n"
	"Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\r\n"
	"Reporting-MTA: dns; mail.example.com\r\n"
	"Source-IP: SOURCEIP\r\n"
	"Authentication-Results: mail.example.com;\r\n"
	"               spf=fail smtp.mail=somespammer@example.com\r\n"
	"Reported-Domain: example.net\r\n"
	"Reported-Uri: http://example.net/earn_money.html\r\n"
	"Reported-Uri: mailto:user@example.com\r\n"
	"Removal-Recipient: user@example.com\r\n"
	"\r\n"
	"--part1_13d.2e68ed54_boundary\r\n"
	"Content-Type: message/rfc822\r\n"
	"Content-Disposition: inline\r\n"
	"\r\n"
	"From: <somespammer@example.net>\r\n"
	"Received: from mailserver.example.net (mailserver.example.net\r\n"
	"        [SOURCEIP]) by example.com with ESMTP id M63d4137594e46;\r\n"
	"        Thu, 08 Mar 2005 14:00:00 -0400\r\n"
	"To: <Undisclosed Recipients>\r\n"
	"Subject: Earn money\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-type: text/plain\r\n"
	"Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net\r\n"
	"Date: Thu, 02 Sep 2004 12:31:03 -0500\r\n"
	"\r\n"
	"Spam Spam Spam\r\n"
	"Spam Spam Spam\r\n"
	"--part1_13d.2e68ed54_boundary--\r\n";

/* RFC5965 with SOURCEIP replaced by IP. */
static char *rfc_with(const char *ip)
{
	static char buf[8192];
	const char *p = rfc5965;
	size_t o = 0;

	while (*p) {
		if (strncmp(p, "SOURCEIP", 8) == 0) {
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", ip);
			p += 8;
		} else {
			buf[o++] = *p++;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void test_rfc5965(void)
{
	rbl_report r;

	/* verbatim: the documentation address is never evidence */
	CHECK_STR(parse(rfc_with("192.0.2.1"), RBL_REPORT_ARF, &r),
		  "skip:special-address");
	CHECK_STR(parse(rfc_with("45.67.89.10"), RBL_REPORT_ARF, &r), "45.67.89.10");
	CHECK(r.when == rbl_date_parse("Thu, 8 Mar 2005 14:00:00 EDT"));
	CHECK(strstr(r.summary, "abuse") != NULL);
	CHECK(strstr(r.summary, "Subject: Earn money") != NULL);
	CHECK(strstr(r.summary, "example.net") != NULL);
	CHECK_STR(parse(rfc_with("45.67.89.10"), RBL_REPORT_AUTO, &r), "45.67.89.10");
}

static char *replace(const char *s, const char *from, const char *to)
{
	static char buf[3][8192];
	static int k;
	char *out = buf[k++ % 3];
	const char *p = strstr(s, from);

	if (!p) {
		snprintf(out, 8192, "%s", s);
		return out;
	}
	snprintf(out, 8192, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

static void test_variations(void)
{
	rbl_report r;
	char *base = strdup(rfc_with("45.67.89.10"));
	char *v;

	/* Received-Date instead of Arrival-Date */
	v = replace(base, "Arrival-Date:", "Received-Date:");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "45.67.89.10");
	CHECK(r.when != 0);
	/* lowercase field names, comment after the IP */
	v = replace(base, "Source-IP: 45.67.89.10", "source-ip: 45.67.89.10 (mailserver.example.net)");
	v = replace(v, "Feedback-Type", "feedback-type");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "45.67.89.10");
	/* quoted report-type, Version 0.1 */
	v = replace(base, "report-type=feedback-report", "report-type=\"feedback-report\"");
	v = replace(v, "Version: 1", "Version: 0.1");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "45.67.89.10");
	/* IPv4-mapped IPv6 in the metadata and the original */
	v = rfc_with("::ffff:45.67.89.11");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "45.67.89.11");
	/* bare CR line ends */
	{
		char *cr = strdup(base), *w = cr;
		for (const char *q = cr; *q; q++)	/* CRLF -> CR */
			if (*q != '\n')
				*w++ = *q;
		*w = '\0';
		CHECK_STR(parse(cr, RBL_REPORT_ARF, &r), "45.67.89.10");
		free(cr);
	}
	/* Source-IP disagrees with the original: the original wins */
	v = replace(base, "Source-IP: 45.67.89.10", "Source-IP: 45.1.1.1");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "45.67.89.10");
	CHECK(strstr(r.summary, "report said 45.1.1.1") != NULL);
	/* no original: the metadata */
	v = replace(base, "[45.67.89.10]", "[10.0.0.1]");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "45.67.89.10");
	/* not-spam feedback is not evidence */
	v = replace(base, "Feedback-Type: abuse", "Feedback-Type: not-spam");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "skip:not-abuse");
	/* headers-only original */
	v = replace(base, "message/rfc822", "text/rfc822-headers");
	CHECK_STR(parse(v, RBL_REPORT_ARF, &r), "45.67.89.10");
	/* broken MIME: no boundary in the body, no source anywhere */
	CHECK_STR(parse("Content-Type: multipart/report; boundary=zz\n\nnothing\n",
			RBL_REPORT_ARF, &r), "skip:no-source");
	CHECK_STR(parse("no header here\n", RBL_REPORT_ARF, &r), "skip:malformed");
	free(base);
}

static void test_xarf(void)
{
	rbl_report r;
	const char *yaml =
		"From: abuse@reporter.example\n"
		"Subject: abuse report about 45.67.89.20\n"
		"X-XARF: PLAIN\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"xarfb\"\n\n"
		"--xarfb\nContent-Type: text/plain; charset=utf-8\n\nHuman text.\n"
		"--xarfb\nContent-Type: text/plain; charset=utf-8; name=\"report.txt\"\n\n"
		"---\nReported-From: abuse@reporter.example\nCategory: abuse\n"
		"Report-Type: spam\nService: smtp\nVersion: 0.2\n"
		"User-Agent: xarf-gen 1.0\nDate: Tue, 3 Nov 2026 10:00:00 +0000\n"
		"Source-Type: ipv4\nSource: 45.67.89.20\nPort: 25\n"
		"--xarfb--\n";
	const char *json =
		"From: abuse@reporter.example\n"
		"Subject: X-ARF v4\n"
		"Content-Type: multipart/mixed; boundary=b4\n\n"
		"--b4\nContent-Type: text/plain\n\nText.\n"
		"--b4\nContent-Type: application/json\n"
		"Content-Transfer-Encoding: base64\n\n"
		/* {"Version":"4","ReporterInfo":{"ReporterOrg":"Example"},
		 *  "Report":{"ReportClass":"Activity","ReportType":"Spam",
		 *  "Date":"2026-11-03T10:00:00Z","SourceIp":"2a01:4f8::25"}} */
		"eyJWZXJzaW9uIjoiNCIsIlJlcG9ydGVySW5mbyI6eyJSZXBvcnRlck9yZyI6IkV4YW1w\n"
		"bGUifSwiUmVwb3J0Ijp7IlJlcG9ydENsYXNzIjoiQWN0aXZpdHkiLCJSZXBvcnRUeXBl\n"
		"IjoiU3BhbSIsIkRhdGUiOiIyMDI2LTExLTAzVDEwOjAwOjAwWiIsIlNvdXJjZUlwIjoi\n"
		"MmEwMTo0Zjg6OjI1In19\n"
		"--b4--\n";

	CHECK_STR(parse(yaml, RBL_REPORT_AUTO, &r), "45.67.89.20");
	CHECK(r.when == rbl_date_parse("Tue, 3 Nov 2026 10:00:00 +0000"));
	CHECK(strncmp(r.summary, "X-ARF spam", 10) == 0);
	CHECK_STR(parse(json, RBL_REPORT_XARF, &r), "2a01:4f8::25");
	CHECK(r.when == rbl_date_parse_iso("2026-11-03T10:00:00Z"));
	CHECK(rbl_report_detect(yaml, strlen(yaml)) == RBL_REPORT_XARF);
}

static void test_spamcop(void)
{
	rbl_report r;
	const char *sc =
		"From: 1234567@reports.spamcop.net\n"
		"Subject: [SpamCop (45.67.89.30) id:7001234567]Cheap watches\n"
		"X-SpamCop-sourceip: 45.67.89.30\n\n"
		"- SpamCop V5.4.0 -\nThis message is brief for your comfort.\n\n"
		"Email from 45.67.89.30 / Tue, 3 Nov 2026 09:00:00 +0000\n\n"
		"[ Offending message ]\n"
		"Received: from relay.isp.example (relay.isp.example [45.1.2.3])\n"
		"\tby mx.victim.example (Postfix) with ESMTP id Q; Tue, 3 Nov 2026 09:00:05 +0000\n"
		"Received: from spam (spam [45.67.89.30]) by relay.isp.example\n"
		"Subject: Cheap watches\n\nbuy\n";

	CHECK_STR(parse(sc, RBL_REPORT_AUTO, &r), "45.67.89.30");
	CHECK(r.when == rbl_date_parse("Tue, 3 Nov 2026 09:00:00 +0000"));
	CHECK(strncmp(r.summary, "SpamCop", 7) == 0);
	CHECK(rbl_report_detect(sc, strlen(sc)) == RBL_REPORT_SPAMCOP);
	/* subject only */
	CHECK_STR(parse("Subject: [SpamCop (45.67.89.31) id:1]x\n\nbody\n",
			RBL_REPORT_SPAMCOP, &r), "45.67.89.31");
}

static void test_lists(void)
{
	rbl_prefix p;
	rbl_csv_cols cols;
	char reason[64], a[RBL_ADDR_STRLEN];
	int64_t when;
	const char *hdr = "date,ip,reason";

	CHECK(rbl_plain_line("45.6.7.8 spam run", 17, &p, reason, sizeof reason) == 1);
	CHECK_STR(rbl_prefix_format(&p, a), "45.6.7.8");
	CHECK_STR(reason, "spam run");
	CHECK(rbl_plain_line("45.6.7.0/24", 11, &p, reason, sizeof reason) == 1);
	CHECK(p.len == 24 && reason[0] == '\0');
	CHECK(rbl_plain_line("2a01:4f8::/48 # hoster", 22, &p, reason, sizeof reason) == 1);
	CHECK_STR(reason, "hoster");
	CHECK(rbl_plain_line("# comment", 9, &p, reason, sizeof reason) == 0);
	CHECK(rbl_plain_line("   ", 3, &p, reason, sizeof reason) == 0);
	CHECK(rbl_plain_line("not-an-ip x", 11, &p, reason, sizeof reason) == -1);

	CHECK(rbl_csv_header(hdr, strlen(hdr), &cols) == 0);
	CHECK(cols.ip == 1 && cols.reason == 2 && cols.date == 0);
	{
		const char *l = "2026-11-03T10:00:00Z,45.6.7.9,\"spam, lots\"";
		CHECK(rbl_csv_line(l, strlen(l), &cols, &p, reason, sizeof reason,
				   &when) == 1);
		CHECK_STR(rbl_prefix_format(&p, a), "45.6.7.9");
		CHECK_STR(reason, "spam, lots");
		CHECK(when == rbl_date_parse_iso("2026-11-03T10:00:00Z"));
	}
	CHECK(rbl_csv_header("name,comment", 12, &cols) == -1);
	CHECK(rbl_report_detect("ip,reason\n45.1.1.1,x\n", 21) == RBL_REPORT_CSV);
	CHECK(rbl_report_detect("45.1.1.1 x\n", 11) == RBL_REPORT_PLAIN);
}

int main(void)
{
	test_rfc5965();
	test_variations();
	test_xarf();
	test_spamcop();
	test_lists();
	return check_done();
}
