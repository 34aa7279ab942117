/*
 * test_uri.c -- links in trap mail: Punycode (RFC 3492's samples), the
 * IDN label mapping, the decoders, and every way uri.h says a link is
 * found: text and HTML parts, quoted-printable and base64, href/src
 * values with entities, bare URLs and www. names, IDN and Punycode
 * hosts, hxxp and [.] defanging; and what is not a link.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "zone/idna.h"
#include "import/mime.h"
#include "import/psl.h"
#include "import/uri.h"

static const char psl_text[] =
	"// ===BEGIN ICANN DOMAINS===\n"
	"com\nnet\norg\nde\nuk\nco.uk\n*.ck\n!www.ck\n"
	"рф\n"
	"// ===END ICANN DOMAINS===\n"
	"// ===BEGIN PRIVATE DOMAINS===\n"
	"blogspot.com\n";

static rbl_psl *psl;
static rbl_uri_scanner *sc;

/* What a scan found: "host=domain" joined by spaces, and the flags and
 * link text of the host named in want_how. */
typedef struct found {
	char out[4096];
	const char *want_host;
	unsigned how;
	char text[RBL_URI_FOUND_MAX + 1];
	unsigned n;
} found;

static int collect(void *arg, const rbl_uri_link *l)
{
	found *f = arg;
	size_t o = strlen(f->out);

	snprintf(f->out + o, sizeof f->out - o, "%s%s=%s", o ? " " : "",
		 l->host, l->domain);
	if (f->want_host && strcmp(f->want_host, l->host) == 0) {
		f->how = l->how;
		snprintf(f->text, sizeof f->text, "%s", l->found);
	}
	f->n++;
	return 0;
}

/* Scan MSG (LF line ends) as a whole message. */
static const char *scan_msg(const char *msg, found *f)
{
	rbl_msg m;

	memset(f->out, 0, sizeof f->out);
	f->n = 0;
	f->how = 0;
	f->text[0] = '\0';
	if (rbl_msg_split(msg, strlen(msg), 1 << 20, &m) != 0)
		return "(split failed)";
	CHECK_RC(rbl_uri_scan_message(sc, &m, collect, f), RBL_OK);
	return f->out;
}

static const char *scan_txt(const char *text, bool html, found *f)
{
	memset(f->out, 0, sizeof f->out);
	f->n = 0;
	f->how = 0;
	CHECK_RC(rbl_uri_scan_text(sc, text, strlen(text), html, collect, f),
		 RBL_OK);
	return f->out;
}

/* ----------------------------------------------------------- punycode */

static void encode_is(const uint32_t *cp, size_t n, const char *want)
{
	char out[256];
	uint32_t back[128];
	int k;

	CHECK(rbl_punycode_encode(cp, n, out, sizeof out) == (int)strlen(want));
	CHECK_STR(out, want);
	k = rbl_punycode_decode(want, strlen(want), back, 128);
	CHECK(k == (int)n);
	CHECK(k == (int)n && memcmp(back, cp, n * sizeof *cp) == 0);
}

static void test_punycode(void)
{
	/* RFC 3492 7.1 (A) Arabic (Egyptian), (B) Chinese (simplified),
	 * (L) Japanese "3<nen>B<gumi><kinpachi><sensei>" */
	static const uint32_t a[] = { 0x644, 0x64A, 0x647, 0x645, 0x627,
		0x628, 0x62A, 0x643, 0x644, 0x645, 0x648, 0x634, 0x639, 0x631,
		0x628, 0x64A, 0x61F };
	static const uint32_t b[] = { 0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48,
		0x4E0D, 0x8BF4, 0x4E2D, 0x6587 };
	static const uint32_t l[] = { '3', 0x5E74, 'B', 0x7D44, 0x91D1, 0x516B,
		0x5148, 0x751F };
	static const uint32_t buecher[] = { 'b', 0xFC, 'c', 'h', 'e', 'r' };
	uint32_t cp[8];
	char lab[RBL_IDNA_LABEL_MAX + 1], u[128];

	encode_is(a, sizeof a / sizeof a[0], "egbpdaj6bu4bxfgehfvwxn");
	encode_is(b, sizeof b / sizeof b[0], "ihqwcrb4cv8a8dqg056pqjye");
	encode_is(l, sizeof l / sizeof l[0], "3B-ww4c5e180e575a65lsy2b");
	encode_is(buecher, 6, "bcher-kva");
	/* not Punycode */
	CHECK_RC(rbl_punycode_decode("a!b", 3, cp, 8), RBL_ESYNTAX);
	CHECK_RC(rbl_punycode_decode("99999999999", 11, cp, 8), RBL_ESYNTAX);
	CHECK_RC(rbl_punycode_decode("ihqwcrb4cv8a8dqg056pqjye", 24, cp, 8),
		 RBL_ETOOBIG);
	/* labels: lowercased, then Punycode when not ASCII */
	CHECK(rbl_idna_label("B\xC3\x9C" "cher", 7, lab) == 13);
	CHECK_STR(lab, "xn--bcher-kva");
	CHECK(rbl_idna_label("EXAMPLE", 7, lab) == 7);
	CHECK_STR(lab, "example");
	CHECK(rbl_idna_label("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80",
			     12, lab) > 0);	/* "Пример" */
	CHECK_STR(lab, "xn--e1afmkfd");
	CHECK(rbl_idna_label("XN--BCHER-KVA", 13, lab) == 13);
	CHECK_STR(lab, "xn--bcher-kva");
	CHECK_RC(rbl_idna_label("xn--a!", 6, lab), RBL_ESYNTAX);
	CHECK_RC(rbl_idna_label("a\xff", 2, lab), RBL_ESYNTAX);
	CHECK_RC(rbl_idna_label("", 0, lab), RBL_ESYNTAX);
	CHECK(rbl_idna_label_unicode("xn--bcher-kva", 13, u, sizeof u) == 7);
	CHECK_STR(u, "b\xC3\xBC" "cher");
}

/* ----------------------------------------------------------- decoders */

static void test_decoders(void)
{
	char out[256];
	size_t n;

	n = rbl_qp_decode("a=3Db=\nc=  \nd=ZZ", 17, out);
	out[n] = '\0';
	CHECK_STR(out, "a=bcd=ZZ");
	n = rbl_b64_decode("aHR0cDovL2V4\r\nYW1wbGUuY29t==", 28, out);
	out[n] = '\0';
	CHECK_STR(out, "http://example.com");
	n = rbl_html_entities("&#104;ttp&#x3A;&sol;/a&period;b&amp;c&bogus;&#0;",
			      49, out);
	out[n] = '\0';
	CHECK_STR(out, "http://a.b&c&bogus;&#0;");
}

/* ------------------------------------------------------------ links */

static void test_text(void)
{
	found f = { .want_host = NULL };

	CHECK_STR(scan_txt("Visit http://www.Cheap-Pills.com/buy?x=1 now", false,
			   &f), "www.cheap-pills.com=cheap-pills.com");
	f.want_host = "www.upper.com";
	CHECK_STR(scan_txt("HTTPS://WWW.UPPER.COM", false, &f),
		  "www.upper.com=upper.com");
	CHECK(f.how & RBL_URI_SCHEME);
	CHECK(!(f.how & RBL_URI_DEFANGED));
	f.want_host = "bare-www.com";
	CHECK_STR(scan_txt("go to www.bare-www.com. or (www.paren.org)", false,
			   &f), "www.bare-www.com=bare-www.com www.paren.org=paren.org");
	/* the same host twice is one link; two hosts of a domain are two */
	CHECK_STR(scan_txt("http://a.dup.com http://a.dup.com/x http://b.dup.com",
			   false, &f), "a.dup.com=dup.com b.dup.com=dup.com");
	/* user info is not the host */
	CHECK_STR(scan_txt("http://paypal.com@phish.net/login", false, &f),
		  "phish.net=phish.net");
	/* ports, %xx, ideographic dots, trailing punctuation */
	CHECK_STR(scan_txt("http://port.com:8080/ http://%65vil.com/ "
			   "http://dot\xE3\x80\x82" "org/ (see http://paren2.net)",
			   false, &f),
		  "port.com=port.com evil.com=evil.com dot.org=dot.org "
		  "paren2.net=paren2.net");
	/* public suffix list: wildcards, exceptions, PRIVATE section */
	CHECK_STR(scan_txt("http://a.b.shop.co.uk http://x.y.ck http://www.ck "
			   "http://spammer.blogspot.com", false, &f),
		  "a.b.shop.co.uk=shop.co.uk x.y.ck=x.y.ck www.ck=www.ck "
		  "spammer.blogspot.com=spammer.blogspot.com");
}

static void test_not_links(void)
{
	found f = { .want_host = NULL };

	CHECK_STR(scan_txt("http://192.0.2.1/ http://[2001:db8::1]/ "
			   "readme.txt file.md www.nosuchtld.zzz "
			   "http://foo.invalidtld/ http://localhost/ "
			   "http://co.uk/ http://a..b.com/ mailto:x@y.com "
			   "ftp://files.com/", false, &f), "");
	CHECK(f.n == 0);
}

static void test_defanged(void)
{
	found f = { .want_host = "defanged.com" };

	CHECK_STR(scan_txt("hxxp://defanged.com/x", false, &f),
		  "defanged.com=defanged.com");
	CHECK(f.how & RBL_URI_DEFANGED);
	CHECK_STR(f.text, "hxxp://defanged.com/x");
	CHECK_STR(scan_txt("hXXps://evil[.]co[.]uk/path h**p://stars.net "
			   "http[:]//bracket-colon.com", false, &f),
		  "evil.co.uk=evil.co.uk stars.net=stars.net "
		  "bracket-colon.com=bracket-colon.com");
	f.want_host = "mail.spam-site.com";
	CHECK_STR(scan_txt("write to mail[.]spam-site[.]com or "
			   "other(dot)org, www[.]w3-defanged.net", false, &f),
		  "www.w3-defanged.net=w3-defanged.net "
		  "mail.spam-site.com=spam-site.com other.org=other.org");
	CHECK(f.how & RBL_URI_DEFANGED);
	/* a bracketed dot inside a URL is the scheme pass's: found once */
	CHECK_STR(scan_txt("hxxp://once[.]com/a", false, &f),
		  "once.com=once.com");
	/* not defanged: ambiguous or no host before it */
	CHECK_STR(scan_txt("array[.] [.]com (.) x [dot]", false, &f), "");
}

static void test_idn(void)
{
	found f = { .want_host = "xn--bcher-kva.de" };

	CHECK_STR(scan_txt("http://b\xC3\xBC" "cher.de/buy", false, &f),
		  "xn--bcher-kva.de=xn--bcher-kva.de");
	CHECK(f.how & RBL_URI_IDN);
	CHECK_STR(f.text, "http://b\xC3\xBC" "cher.de/buy");
	CHECK_STR(scan_txt("http://XN--BCHER-KVA.DE/", false, &f),
		  "xn--bcher-kva.de=xn--bcher-kva.de");
	/* an IDN top-level domain from the list's UTF-8 rule */
	CHECK_STR(scan_txt("https://\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80."
			   "\xD1\x80\xD1\x84/", false, &f),
		  "xn--e1afmkfd.xn--p1ai=xn--e1afmkfd.xn--p1ai");
	/* a no-break space ends the host; invalid Punycode is no host */
	CHECK_STR(scan_txt("www.nbsp.com\xC2\xA0next http://xn--zz!.com", false,
			   &f), "www.nbsp.com=nbsp.com");
}

static void test_html(void)
{
	found f = { .want_host = "entity-link.com" };

	CHECK_STR(scan_txt("<a href=\"&#104;ttp&#58;//entity-link.com/\">x</a>"
			   "<img src='//cdn-link.net/i.png'>"
			   "<form action=https://form-link.org/p>"
			   "<p>text http://text-link.com</p>"
			   "<a data-href=\"//not-attr.com\">", true, &f),
		  "form-link.org=form-link.org text-link.com=text-link.com "
		  "entity-link.com=entity-link.com cdn-link.net=cdn-link.net");
	CHECK((f.how & (RBL_URI_ATTR | RBL_URI_ENTITY | RBL_URI_HTML)) ==
	      (RBL_URI_ATTR | RBL_URI_ENTITY | RBL_URI_HTML));
	CHECK_STR(f.text, "http://entity-link.com/");
}

static const char mime_msg[] =
	"From: a@b.example\n"
	"Subject: offer\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed; boundary=\"outer\"\n"
	"\n"
	"preamble http://preamble.com is not read\n"
	"--outer\n"
	"Content-Type: multipart/alternative; boundary=inner\n"
	"\n"
	"--inner\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"VmlzaXQgaHR0cHM6Ly9iNjQtbGluay5vcmcvIHRvZGF5\n"
	"--inner\n"
	"Content-Type: text/html; charset=us-ascii\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"<a href=3D\"http://qp-li=\n"
	"nk.net/x\">click</a>\n"
	"--inner--\n"
	"--outer\n"
	"Content-Type: image/png\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"aHR0cDovL2hpZGRlbi5jb20v\n"
	"--outer\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"Subject: forwarded\n"
	"\n"
	"inner http://forwarded.com/\n"
	"--outer\n"
	"\n"
	"headless part www.headless.com\n"
	"--outer--\n";

static void test_mime(void)
{
	found f = { .want_host = "qp-link.net" };

	CHECK_STR(scan_msg(mime_msg, &f),
		  "b64-link.org=b64-link.org qp-link.net=qp-link.net "
		  "forwarded.com=forwarded.com www.headless.com=headless.com");
	CHECK(f.how & RBL_URI_QP);
	CHECK(f.how & RBL_URI_HTML);
	f.want_host = "b64-link.org";
	scan_msg(mime_msg, &f);
	CHECK(f.how & RBL_URI_B64);
	CHECK(f.how & RBL_URI_TEXT);
	/* a body without Content-Type is text */
	CHECK_STR(scan_msg("Subject: x\n\nhttp://plain.org\n", &f),
		  "plain.org=plain.org");
	/* a multipart without a boundary is read as text */
	CHECK_STR(scan_msg("Content-Type: multipart/mixed\n\nwww.nob.com\n",
			   &f), "www.nob.com=nob.com");
}

static void test_limit(void)
{
	char text[64 * 40];
	size_t o = 0;
	found f = { .want_host = NULL };

	for (int i = 0; i < 70; i++)
		o += (size_t)snprintf(text + o, sizeof text - o,
				      "http://h%d.com ", i);
	scan_txt(text, false, &f);
	CHECK(f.n == RBL_URI_MAX_LINKS);
}

int main(void)
{
	CHECK_RC(rbl_psl_parse(psl_text, sizeof psl_text - 1, RBL_PSL_PRIVATE,
			       &psl, NULL, 0), RBL_OK);
	CHECK_RC(rbl_uri_scanner_new(psl, &sc), RBL_OK);
	CHECK(rbl_psl_known_tld(psl, "a.xn--p1ai", 10));
	CHECK(!rbl_psl_known_tld(psl, "a.txt", 5));
	test_punycode();
	test_decoders();
	test_text();
	test_not_links();
	test_defanged();
	test_idn();
	test_html();
	test_mime();
	test_limit();
	rbl_uri_scanner_free(sc);
	rbl_psl_free(psl);
	return check_done();
}
