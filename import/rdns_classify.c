/*
 * rdns_classify.c -- classify a PTR name: tokens, address, template.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "zone/error.h"
#include "rdns_classify.h"

/* Confidence of each rule, per mille (doc/rdns.md). */
enum {
	CONF_EXEMPT = 900,
	CONF_INFRA_TOKEN = 900,
	CONF_TOKEN_FULL = 950,
	CONF_TOKEN_PARTIAL = 900,
	CONF_TOKEN_DIGITS = 800,
	CONF_TOKEN_ALONE = 700,
	CONF_FULL_ADDRESS = 700,
	CONF_CUSTOM = 600,
};

/* The first token of each class found left of the registered domain. */
typedef struct found_tokens {
	uint16_t start[RBL_RDNS_NCLASS], len[RBL_RDNS_NCLASS];
	bool any;
} found_tokens;

static int normalise(const char *ptr, rbl_rdns_result *out)
{
	size_t len = strlen(ptr);
	if (len > 0 && ptr[len - 1] == '.')
		len--;
	if (len == 0 || len > RBL_RDNS_NAME_MAX)
		return RBL_EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)ptr[i];
		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return RBL_EINVAL;
		if (c == '.' && (i == 0 || ptr[i - 1] == '.'))
			return RBL_EINVAL;
		out->name[i] = (char)tolower(c);
	}
	out->name[len] = '\0';
	return RBL_OK;
}

static bool in_embed(const rbl_rdns_result *r, size_t pos)
{
	for (size_t i = 0; i < r->n_embed; i++)
		if (pos >= r->embed[i].start && pos < r->embed[i].end)
			return true;
	return false;
}

static void note_token(const rbl_rdns_classifier *c, const char *s,
		       size_t start, size_t len, found_tokens *ft)
{
	int cls = rbl_rdns_rules_token(c->rules, s + start, len);
	if (cls <= RBL_RDNS_UNKNOWN || ft->len[cls] != 0)
		return;
	ft->start[cls] = (uint16_t)start;
	ft->len[cls] = (uint16_t)len;
	ft->any = true;
}

/* Letter runs, then alphanumeric runs that mix letters and digits. */
static void scan_tokens(const rbl_rdns_classifier *c,
			const rbl_rdns_result *r, found_tokens *ft)
{
	const char *s = r->name;
	size_t end = r->domain;
	memset(ft, 0, sizeof(*ft));
	for (size_t i = 0; i < end;) {
		size_t j = i;
		while (j < end && isalpha((unsigned char)s[j]) && !in_embed(r, j))
			j++;
		if (j > i)
			note_token(c, s, i, j - i, ft);
		i = j > i ? j : i + 1;
	}
	for (size_t i = 0; i < end;) {
		size_t j = i, letters = 0, digits = 0;
		while (j < end && isalnum((unsigned char)s[j])) {
			letters += isalpha((unsigned char)s[j]) != 0;
			digits += isdigit((unsigned char)s[j]) != 0;
			j++;
		}
		if (letters && digits)
			note_token(c, s, i, j - i, ft);
		i = j > i ? j : i + 1;
	}
}

/* Longest digit run left of the registered domain and outside embeds. */
static size_t longest_digits(const rbl_rdns_result *r)
{
	size_t best = 0, run = 0;
	for (size_t i = 0; i < r->domain; i++) {
		if (isdigit((unsigned char)r->name[i]) && !in_embed(r, i))
			run++;
		else
			run = 0;
		if (run > best)
			best = run;
	}
	return best;
}

static bool any_digit_left(const rbl_rdns_result *r)
{
	for (size_t i = 0; i < r->domain; i++)
		if (isdigit((unsigned char)r->name[i]))
			return true;
	return false;
}

static unsigned octet_count(unsigned cover)
{
	return (cover & 1) + ((cover >> 1) & 1) + ((cover >> 2) & 1) +
	       ((cover >> 3) & 1);
}

/* Describe the most telling embedding left of the domain into BUF. */
static const char *embed_text(const rbl_rdns_result *r, char *buf,
			      size_t size)
{
	const rbl_embed *best = NULL;
	for (size_t i = 0; i < r->n_embed; i++) {
		const rbl_embed *e = &r->embed[i];
		if (e->end > r->domain)
			continue;
		if (!best || octet_count(e->octets) > octet_count(best->octets))
			best = e;
	}
	if (!best)
		return "no address";
	return rbl_embed_describe(best, buf, size);
}

static void decide(rbl_rdns_result *r, int cls, const char *rule,
		   unsigned conf)
{
	r->cls = cls;
	r->rule = rule;
	r->confidence = (uint16_t)conf;
}

/* How much identifier a static/dynamic token has; 0 = not enough. */
static unsigned token_confidence(const rbl_rdns_classifier *c,
				 const rbl_rdns_result *r)
{
	int need = rbl_rdns_rules_require_id(c->rules);
	if (r->cover == RBL_EMBED_FULL)
		return CONF_TOKEN_FULL;
	if (octet_count(r->cover) >= 2)
		return CONF_TOKEN_PARTIAL;
	if (need == RBL_RDNS_ID_ADDRESS)
		return 0;
	if (any_digit_left(r))
		return CONF_TOKEN_DIGITS;
	return need == RBL_RDNS_ID_NONE ? CONF_TOKEN_ALONE : 0;
}

static bool by_tokens(const rbl_rdns_classifier *c, rbl_rdns_result *r,
		      const found_tokens *ft)
{
	const int *order = NULL;
	size_t n = 0;
	char eb[96];
	rbl_rdns_rules_precedence(c->rules, &order, &n);
	for (size_t i = 0; i < n; i++) {
		int cls = order[i];
		if (ft->len[cls] == 0)
			continue;
		unsigned conf = cls == RBL_RDNS_INFRA ? CONF_INFRA_TOKEN :
				token_confidence(c, r);
		if (conf == 0)
			continue;
		decide(r, cls, "token", conf);
		snprintf(r->why, sizeof(r->why), "%s token \"%.*s\" + %s",
			 rbl_rdns_class_name(cls), (int)ft->len[cls],
			 r->name + ft->start[cls],
			 embed_text(r, eb, sizeof(eb)));
		return true;
	}
	return false;
}

static void by_shape(const rbl_rdns_classifier *c, rbl_rdns_result *r,
		     const found_tokens *ft)
{
	char eb[96];
	if (r->cover == RBL_EMBED_FULL && !ft->any) {
		decide(r, rbl_rdns_rules_full_address(c->rules),
		       "full-address", CONF_FULL_ADDRESS);
		snprintf(r->why, sizeof(r->why), "no class token, %s",
			 embed_text(r, eb, sizeof(eb)));
		return;
	}
	if (!ft->any && octet_count(r->cover) < 2 &&
	    longest_digits(r) <= rbl_rdns_rules_custom_max_digits(c->rules)) {
		decide(r, rbl_rdns_rules_custom_name(c->rules), "custom-name",
		       CONF_CUSTOM);
		snprintf(r->why, sizeof(r->why), "no class token, no address: "
			 "a hand-picked name");
		return;
	}
	decide(r, RBL_RDNS_UNKNOWN, "none", 0);
	snprintf(r->why, sizeof(r->why), "%s, %s",
		 ft->any ? "class token without an identifier" :
			   "no class token", embed_text(r, eb, sizeof(eb)));
}

/* '#' for each address embedding, '*' for each other digit run left of
 * the registered domain (which stays literal, so a template names one
 * operator's naming scheme). */
static void make_template(rbl_rdns_result *r)
{
	size_t o = 0, len = strlen(r->name);
	for (size_t i = 0; i < len && o < RBL_RDNS_NAME_MAX;) {
		size_t e;
		for (e = 0; e < r->n_embed; e++)
			if (r->embed[e].start == i)
				break;
		if (e < r->n_embed) {
			r->template[o++] = '#';
			i = r->embed[e].end;
		} else if (isdigit((unsigned char)r->name[i]) &&
			   i < r->domain) {
			r->template[o++] = '*';
			while (i < len && isdigit((unsigned char)r->name[i]) &&
			       !in_embed(r, i))
				i++;
		} else {
			r->template[o++] = r->name[i++];
		}
	}
	r->template[o] = '\0';
}

static void find_domain(const rbl_rdns_classifier *c, rbl_rdns_result *r)
{
	size_t start = 0;
	if (rbl_psl_registered(c->psl, r->name, strlen(r->name), &start) ==
	    RBL_OK)
		r->domain = start;
	else
		r->domain = 0;	/* a public suffix itself: nothing left */
	if (r->domain > 0)
		r->domain--;	/* the dot before the domain bounds tokens */
}

static bool by_exemption(const rbl_rdns_classifier *c, rbl_rdns_result *r)
{
	const char *dom = NULL;
	int cls = rbl_rdns_rules_exempt(c->rules, r->name, strlen(r->name),
					&dom);
	if (cls < 0)
		return false;
	decide(r, cls, "exempt", CONF_EXEMPT);
	snprintf(r->why, sizeof(r->why), "below exempt domain %s", dom);
	return true;
}

int rbl_rdns_classify(const rbl_rdns_classifier *c, const rbl_addr *a,
		      const char *ptr, rbl_rdns_result *r)
{
	found_tokens ft = { 0 };
	memset(r, 0, sizeof(*r));
	if (normalise(ptr, r) != RBL_OK) {
		decide(r, RBL_RDNS_UNKNOWN, "bad-name", 0);
		snprintf(r->why, sizeof(r->why), "not a host name");
		return RBL_EINVAL;
	}
	find_domain(c, r);
	r->n_embed = rbl_embed_find(a, r->name, strlen(r->name), r->embed,
				    RBL_EMBED_MAX);
	r->cover = rbl_embed_cover(r->embed, r->n_embed, r->domain);
	make_template(r);
	if (by_exemption(c, r))
		return RBL_OK;
	scan_tokens(c, r, &ft);
	if (!by_tokens(c, r, &ft))
		by_shape(c, r, &ft);
	return RBL_OK;
}

int rbl_rdns_parse_line(char *line, rbl_addr *a, char **ptr)
{
	char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n' || *s == '\r' || *s == '#')
		return RBL_ENOTFOUND;
	char *addr = s;
	s += strcspn(s, " \t,\r\n");
	if (*s != ' ' && *s != '\t' && *s != ',')
		return RBL_ESYNTAX;
	*s++ = '\0';
	s += strspn(s, " \t,");
	char *name = s;
	s += strcspn(s, " \t,\r\n");
	*s = '\0';
	if (*name == '\0' || rbl_addr_parse(addr, a) != RBL_OK)
		return RBL_ESYNTAX;
	rbl_addr_unmap4(a);
	*ptr = name;
	return RBL_OK;
}

int rbl_rdns_result_print(FILE *out, const rbl_addr *a,
			  const rbl_rdns_result *r)
{
	char ab[RBL_ADDR_STRLEN];
	int n = fprintf(out, "%s\t%s\t%s\t%s\t%u.%03u\t%s\t%s\n",
			rbl_addr_format(a, ab), r->name,
			rbl_rdns_class_name(r->cls), r->rule,
			r->confidence / 1000, r->confidence % 1000,
			r->template, r->why);
	return n < 0 ? RBL_EIO : RBL_OK;
}
