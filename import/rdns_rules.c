/*
 * rdns_rules.c -- parse rDNS classifier rules; the built-in default set.
 *
 * Tokens end up in one sorted array searched with bsearch; exempt domains
 * in a short array scanned per name (tens of entries).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/readfile.h"
#include "rdns_rules.h"

#define RULES_MAX_BYTES	((size_t)16 << 20)

/*
 * The defaults.  Token lists follow the generic-rDNS vocabulary that ISPs
 * document for their pools and that anti-spam rule sets look for; exempt
 * domains are large hosting/cloud providers whose customers run servers
 * under generic-looking names (policy lists do not list them as end-user
 * space).  Keep it general: no single ISP's quirks.
 */
static const char default_rules[] =
"# rbld rDNS classifier rules (built-in set).  Copy, edit, and point\n"
"# rdns: rules-file at the copy; a rules file replaces this whole set.\n"
"# Syntax and precedence: doc/rdns.md.\n"
"\n"
"# End-user space whose addresses change: dial-up, DSL, cable, fibre to\n"
"# the home, mobile, DHCP pools, NAT pools.\n"
"dynamic: dyn dynamic dynamicip dynip dinamic dinamico dinamica dynamique\n"
"dynamic: dhcp pool pools ippool dial dialup dialin dip isdn ras\n"
"dynamic: ppp pppoe pppoa pptp ipoe l2tp\n"
"dynamic: dsl adsl vdsl xdsl\n"
"dynamic: cable kabel cablemodem cm catv docsis hfc hsd hsi\n"
"dynamic: cpe client clients cust customer customers subscriber subs abo\n"
"dynamic: res resnet resi residential home user users\n"
"dynamic: broadband bband bredband bb wifi wlan wireless wimax\n"
"dynamic: gprs umts lte hsdpa cdma mobile mobil mob cellular 3g 4g 5g\n"
"dynamic: nat cgnat ftth fttp fttx fttb gpon epon\n"
"\n"
"# End-user space with generic names but fixed addresses.\n"
"static: static stat fixed fixip fix staticip ipstatic fixedip statip\n"
"static: statica statico estatica estatico\n"
"static: statique statisch business biz sdsl leased corp\n"
"\n"
"# Servers: mail, name servers, routers, hosting.\n"
"infrastructure: mail mailout mailhost mailgw mailer mailrelay webmail\n"
"infrastructure: mx mxout smtp smtpout smtps mta mtaout relay outbound\n"
"infrastructure: bounce bounces newsletter imap\n"
"infrastructure: ns dns gw gateway router rtr core border bdr\n"
"infrastructure: www web ftp server srv proxy vpn fw firewall ntp\n"
"infrastructure: dedicated dedi colo colocation vps hosting hosted cloud\n"
"infrastructure: compute\n"
"\n"
"# Hosting and cloud providers: their generic names are customer servers.\n"
"exempt: amazonaws.com infrastructure\n"
"exempt: googleusercontent.com infrastructure\n"
"exempt: linode.com infrastructure\n"
"exempt: linodeusercontent.com infrastructure\n"
"exempt: vultrusercontent.com infrastructure\n"
"exempt: choopa.net infrastructure\n"
"exempt: your-server.de infrastructure\n"
"exempt: poneytelecom.eu infrastructure\n"
"exempt: ovh.net infrastructure\n"
"exempt: contaboserver.net infrastructure\n"
"exempt: secureserver.net infrastructure\n"
"exempt: softlayer.com infrastructure\n"
"exempt: akamaitechnologies.com infrastructure\n"
"exempt: cloudfront.net infrastructure\n"
"exempt: colocrossing.com infrastructure\n"
"exempt: hostwindsdns.com infrastructure\n"
"\n"
"# The first class in this order that has a token in the name wins.\n"
"precedence: infrastructure static dynamic\n"
"\n"
"# A dynamic or static token counts only with an identifier: the\n"
"# address (at least two octets, or hex, or integer form).\n"
"require-id: address\n"
"\n"
"# No class token but the whole address in the name: a generic name.\n"
"full-address: dynamic\n"
"\n"
"# No class token, no address, no digit run longer than this: a name a\n"
"# person picked, which in practice means a server.\n"
"custom-name: infrastructure\n"
"custom-name-max-digits: 2\n";

typedef struct rule_token {
	char text[RBL_RDNS_TOKEN_MAX + 1];
	unsigned order;		/* line order, so the last listing wins */
	int cls;
} rule_token;

typedef struct rule_exempt {
	char *domain;
	size_t len;
	int cls;
} rule_exempt;

struct rbl_rdns_rules {
	rule_token *tokens;
	size_t ntokens, cap_tokens;
	rule_exempt *exempt;
	size_t nexempt, cap_exempt;
	int precedence[3];
	size_t nprecedence;
	int full_address, custom_name;
	unsigned custom_max_digits;
	int require_id;
};

/* Parser state for one text. */
typedef struct rules_parse {
	struct rbl_rdns_rules *r;
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
} rules_parse;

static int parse_error(rules_parse *ps, const char *fmt, const char *what)
{
	if (ps->err && ps->errlen) {
		char msg[160];
		snprintf(msg, sizeof(msg), fmt, what);
		snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->name, ps->line,
			 msg);
	}
	return RBL_ESYNTAX;
}

static bool token_ok(const char *w, size_t len)
{
	if (len == 0 || len > RBL_RDNS_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)w[i]) && !isdigit((unsigned char)w[i]))
			return false;
	return true;
}

static int add_token(rules_parse *ps, const char *w, size_t len, int cls)
{
	struct rbl_rdns_rules *r = ps->r;
	if (!token_ok(w, len))
		return parse_error(ps, "bad token \"%s\" (lowercase letters "
				   "and digits, at most 31)", w);
	if (rbl_array_reserve(r->tokens, r->cap_tokens, r->ntokens + 1, 256) !=
	    RBL_OK)
		return RBL_ENOMEM;
	rule_token *t = &r->tokens[r->ntokens];
	memcpy(t->text, w, len);
	t->text[len] = '\0';
	t->order = (unsigned)r->ntokens++;
	t->cls = cls;
	return RBL_OK;
}

static bool domain_ok(const char *w, size_t len)
{
	if (len == 0 || len > 253 || w[0] == '.' || w[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)w[i];
		if (!islower(c) && !isdigit(c) && c != '-' && c != '.' &&
		    c != '_')
			return false;
	}
	return true;
}

static int add_exempt(rules_parse *ps, const char *w, size_t len, int cls)
{
	struct rbl_rdns_rules *r = ps->r;
	if (!domain_ok(w, len))
		return parse_error(ps, "bad exempt domain \"%s\"", w);
	if (rbl_array_reserve(r->exempt, r->cap_exempt, r->nexempt + 1, 32) !=
	    RBL_OK)
		return RBL_ENOMEM;
	char *d = strndup(w, len);
	if (!d)
		return RBL_ENOMEM;
	r->exempt[r->nexempt++] = (rule_exempt){ d, len, cls };
	return RBL_OK;
}

/* Split ARGS into words in place; returns the count (at most MAX). */
static size_t split_words(char *args, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *w = strtok_r(args, " \t\r", &save); w && n < max;
	     w = strtok_r(NULL, " \t\r", &save))
		words[n++] = w;
	return n;
}

static int parse_class_word(rules_parse *ps, const char *w, bool allow_unknown)
{
	int cls = rbl_rdns_class_parse(w);
	if (cls < 0 || (!allow_unknown && cls == RBL_RDNS_UNKNOWN))
		return parse_error(ps, "unknown class \"%s\"", w);
	return cls;
}

static int dir_tokens(rules_parse *ps, int cls, char **w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (char *c = w[i]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		int rc = add_token(ps, w[i], strlen(w[i]), cls);
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

static int dir_exempt(rules_parse *ps, char **w, size_t n)
{
	if (n != 2)
		return parse_error(ps, "%s", "exempt: wants \"domain class\"");
	int cls = parse_class_word(ps, w[1], true);
	if (cls < 0)
		return cls;
	for (char *c = w[0]; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return add_exempt(ps, w[0], strlen(w[0]), cls);
}

static int dir_precedence(rules_parse *ps, char **w, size_t n)
{
	struct rbl_rdns_rules *r = ps->r;
	if (n != 3)
		return parse_error(ps, "%s", "precedence: wants the three "
				   "classes infrastructure, static, dynamic "
				   "in some order");
	bool seen[RBL_RDNS_NCLASS] = { false };
	for (size_t i = 0; i < n; i++) {
		int cls = parse_class_word(ps, w[i], false);
		if (cls < 0)
			return cls;
		if (seen[cls])
			return parse_error(ps, "class \"%s\" twice", w[i]);
		seen[cls] = true;
		r->precedence[i] = cls;
	}
	r->nprecedence = n;
	return RBL_OK;
}

static int dir_one_class(rules_parse *ps, char **w, size_t n, int *out)
{
	if (n != 1)
		return parse_error(ps, "%s", "wants one class");
	int cls = parse_class_word(ps, w[0], true);
	if (cls < 0)
		return cls;
	*out = cls;
	return RBL_OK;
}

static int dir_max_digits(rules_parse *ps, char **w, size_t n)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = n == 1 ? strtoul(w[0], &end, 10) : 0;
	if (n != 1 || errno || *end || v > 64)
		return parse_error(ps, "%s", "wants a number 0..64");
	ps->r->custom_max_digits = (unsigned)v;
	return RBL_OK;
}

static int dir_require_id(rules_parse *ps, char **w, size_t n)
{
	static const char *const names[] = { "address", "digits", "none" };
	for (int i = 0; n == 1 && i < 3; i++) {
		if (strcasecmp(w[0], names[i]) == 0) {
			ps->r->require_id = i;
			return RBL_OK;
		}
	}
	return parse_error(ps, "%s", "require-id: wants address, digits or "
			   "none");
}

static int directive(rules_parse *ps, const char *key, char **w, size_t n)
{
	int cls = rbl_rdns_class_parse(key);
	if (cls > RBL_RDNS_UNKNOWN)
		return dir_tokens(ps, cls, w, n);
	if (strcmp(key, "exempt") == 0)
		return dir_exempt(ps, w, n);
	if (strcmp(key, "precedence") == 0)
		return dir_precedence(ps, w, n);
	if (strcmp(key, "full-address") == 0)
		return dir_one_class(ps, w, n, &ps->r->full_address);
	if (strcmp(key, "custom-name") == 0)
		return dir_one_class(ps, w, n, &ps->r->custom_name);
	if (strcmp(key, "custom-name-max-digits") == 0)
		return dir_max_digits(ps, w, n);
	if (strcmp(key, "require-id") == 0)
		return dir_require_id(ps, w, n);
	return parse_error(ps, "unknown directive \"%s\"", key);
}

static int parse_line(rules_parse *ps, char *line)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *words[256];
	char *colon = strchr(line, ':');
	if (!colon) {
		size_t n = split_words(line, words, 1);
		return n == 0 ? RBL_OK : parse_error(ps, "%s",
				"expected \"directive: values\"");
	}
	*colon = '\0';
	char *key[2];
	if (split_words(line, key, 2) != 1)
		return parse_error(ps, "%s", "expected one directive word "
				   "before ':'");
	for (char *c = key[0]; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	size_t n = split_words(colon + 1, words, 256);
	if (n == 256)
		return parse_error(ps, "%s", "too many words on one line");
	return directive(ps, key[0], words, n);
}

static int cmp_token(const void *a, const void *b)
{
	const rule_token *x = a, *y = b;
	int c = strcmp(x->text, y->text);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sort tokens and keep, for a word listed twice, its last listing. */
static void finish_tokens(struct rbl_rdns_rules *r)
{
	size_t out = 0;
	if (r->ntokens == 0)
		return;
	qsort(r->tokens, r->ntokens, sizeof(*r->tokens), cmp_token);
	for (size_t i = 0; i < r->ntokens; i++) {
		if (out > 0 && strcmp(r->tokens[out - 1].text,
				      r->tokens[i].text) == 0)
			out--;
		r->tokens[out++] = r->tokens[i];
	}
	r->ntokens = out;
}

static struct rbl_rdns_rules *rules_new(void)
{
	struct rbl_rdns_rules *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->precedence[0] = RBL_RDNS_INFRA;
	r->precedence[1] = RBL_RDNS_STATIC;
	r->precedence[2] = RBL_RDNS_DYNAMIC;
	r->nprecedence = 3;
	r->full_address = RBL_RDNS_UNKNOWN;
	r->custom_name = RBL_RDNS_UNKNOWN;
	r->custom_max_digits = 2;
	r->require_id = RBL_RDNS_ID_ADDRESS;
	return r;
}

int rbl_rdns_rules_parse(const char *text, size_t len, const char *name,
			 rbl_rdns_rules **out, char *err, size_t errlen)
{
	struct rbl_rdns_rules *r = rules_new();
	char *copy = malloc(len + 1);
	if (!r || !copy) {
		free(copy);
		rbl_rdns_rules_free(r);
		return RBL_ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	rules_parse ps = { r, name, 0, err, errlen };
	int rc = RBL_OK;
	char *p = copy;
	for (char *nl; rc == RBL_OK && p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		ps.line++;
		rc = parse_line(&ps, p);
	}
	free(copy);
	if (rc != RBL_OK) {
		rbl_rdns_rules_free(r);
		return rc;
	}
	finish_tokens(r);
	*out = r;
	return RBL_OK;
}

const char *rbl_rdns_rules_default_text(void)
{
	return default_rules;
}

int rbl_rdns_rules_default(rbl_rdns_rules **out)
{
	return rbl_rdns_rules_parse(default_rules, sizeof(default_rules) - 1,
				    "(built-in rules)", out, NULL, 0);
}

int rbl_rdns_rules_load(const char *path, rbl_rdns_rules **out,
			char *err, size_t errlen)
{
	/* read whole and proven complete (zone/readfile.h): rules cut
	 * short would classify with half a vocabulary */
	rbl_read_result r = { 0 };
	char why[512];
	int rc = rbl_read_whole(path, 0, RULES_MAX_BYTES, &r, why, sizeof why);
	if (rc != RBL_OK) {
		if (err && errlen)
			snprintf(err, errlen, "%s", rc == RBL_ENOMEM ?
				 "out of memory" : why);
		return rc == RBL_ENOMEM ? rc : RBL_EIO;
	}
	char *text = r.data;
	size_t len = r.len;
	rc = rbl_rdns_rules_parse(text, len, path, out, err, errlen);
	free(text);
	return rc;
}

void rbl_rdns_rules_free(rbl_rdns_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nexempt; i++)
		free(r->exempt[i].domain);
	free(r->exempt);
	free(r->tokens);
	free(r);
}

static int cmp_key(const void *key, const void *elem)
{
	const rule_token *t = elem;
	return strcmp(key, t->text);
}

int rbl_rdns_rules_token(const rbl_rdns_rules *r, const char *tok,
			 size_t len)
{
	char key[RBL_RDNS_TOKEN_MAX + 1];
	if (len == 0 || len > RBL_RDNS_TOKEN_MAX || r->ntokens == 0)
		return -1;
	memcpy(key, tok, len);
	key[len] = '\0';
	const rule_token *t = bsearch(key, r->tokens, r->ntokens,
				      sizeof(*r->tokens), cmp_key);
	return t ? t->cls : -1;
}

int rbl_rdns_rules_exempt(const rbl_rdns_rules *r, const char *name,
			  size_t len, const char **domain)
{
	for (size_t i = 0; i < r->nexempt; i++) {
		const rule_exempt *e = &r->exempt[i];
		if (e->len > len || memcmp(name + len - e->len, e->domain,
					   e->len) != 0)
			continue;
		if (e->len < len && name[len - e->len - 1] != '.')
			continue;
		*domain = e->domain;
		return e->cls;
	}
	return -1;
}

void rbl_rdns_rules_precedence(const rbl_rdns_rules *r, const int **order,
			       size_t *n)
{
	*order = r->precedence;
	*n = r->nprecedence;
}

int rbl_rdns_rules_full_address(const rbl_rdns_rules *r)
{
	return r->full_address;
}

int rbl_rdns_rules_custom_name(const rbl_rdns_rules *r)
{
	return r->custom_name;
}

unsigned rbl_rdns_rules_custom_max_digits(const rbl_rdns_rules *r)
{
	return r->custom_max_digits;
}

int rbl_rdns_rules_require_id(const rbl_rdns_rules *r)
{
	return r->require_id;
}

size_t rbl_rdns_rules_ntokens(const rbl_rdns_rules *r)
{
	return r->ntokens;
}

size_t rbl_rdns_rules_nexempt(const rbl_rdns_rules *r)
{
	return r->nexempt;
}
