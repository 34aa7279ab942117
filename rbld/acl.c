/*
 * acl.c -- client access lists as a binary trie (see acl.h).
 *
 * One root per family; a node per prefix bit on the way to each rule.
 * Node 0 is never a child, so a child index of 0 means "none".  Tables
 * hold hundreds or thousands of rules, built once at start: a plain trie
 * is small enough and a lookup is at most 128 steps.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "acl.h"

typedef struct acl_node {
	uint32_t child[2];
	int32_t rule;		/* index into rules, -1: none */
} acl_node;

struct rbl_acl {
	acl_node *nodes;
	size_t n_nodes, cap_nodes;
	rbl_acl_rule *rules;
	size_t n_rules, cap_rules;
	uint32_t root[2];	/* IPv4, IPv6 */
};

static const char *const act_names[] = {
	[RBL_ACT_PASS] = "pass", [RBL_ACT_IGNORE] = "ignore",
	[RBL_ACT_REFUSE] = "refuse", [RBL_ACT_EMPTY] = "empty",
	[RBL_ACT_ANSWER] = "answer",
};

const char *rbl_acl_act_name(int action)
{
	return action >= RBL_ACT_PASS && action <= RBL_ACT_ANSWER
	       ? act_names[action] : "?";
}

static int new_node(rbl_acl *a, uint32_t *idx)
{
	if (rbl_array_reserve(a->nodes, a->cap_nodes, a->n_nodes + 1, 64) !=
	    RBL_OK)
		return RBL_ENOMEM;
	a->nodes[a->n_nodes] = (acl_node){ { 0, 0 }, -1 };
	*idx = (uint32_t)a->n_nodes++;
	return RBL_OK;
}

int rbl_acl_new(rbl_acl **out)
{
	rbl_acl *a = calloc(1, sizeof(*a));
	uint32_t sentinel = 0;

	if (!a || new_node(a, &sentinel) != RBL_OK ||
	    new_node(a, &a->root[0]) != RBL_OK ||
	    new_node(a, &a->root[1]) != RBL_OK) {
		rbl_acl_free(a);
		return RBL_ENOMEM;
	}
	*out = a;
	return RBL_OK;
}

void rbl_acl_free(rbl_acl *a)
{
	if (!a)
		return;
	free(a->nodes);
	free(a->rules);
	free(a);
}

size_t rbl_acl_count(const rbl_acl *a)
{
	return a->n_rules;
}

static unsigned addr_bit(const rbl_addr *x, unsigned i)
{
	return (x->bytes[i / 8] >> (7 - i % 8)) & 1u;
}

static int new_rule(rbl_acl *a, const rbl_acl_rule *r, int32_t *idx)
{
	if (rbl_array_reserve(a->rules, a->cap_rules, a->n_rules + 1, 16) !=
	    RBL_OK)
		return RBL_ENOMEM;
	a->rules[a->n_rules] = *r;
	*idx = (int32_t)a->n_rules++;
	return RBL_OK;
}

int rbl_acl_add(rbl_acl *a, const rbl_acl_rule *r)
{
	uint32_t at = a->root[r->prefix.addr.family == RBL_AF6];

	for (unsigned i = 0; i < r->prefix.len; i++) {
		unsigned b = addr_bit(&r->prefix.addr, i);
		uint32_t next = a->nodes[at].child[b];

		if (next == 0) {
			int rc = new_node(a, &next);

			if (rc != RBL_OK)
				return rc;
			a->nodes[at].child[b] = next;
		}
		at = next;
	}
	if (a->nodes[at].rule >= 0) {
		a->rules[a->nodes[at].rule] = *r;
		return RBL_OK;
	}
	return new_rule(a, r, &a->nodes[at].rule);
}

int rbl_acl_add_all(rbl_acl *a, const rbl_acl *src)
{
	for (size_t i = 0; i < src->n_rules; i++) {
		int rc = rbl_acl_add(a, &src->rules[i]);

		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

const rbl_acl_rule *rbl_acl_match(const rbl_acl *a, const rbl_addr *client)
{
	unsigned bits = client->family == RBL_AF6 ? 128 : 32;
	uint32_t at = a->root[client->family == RBL_AF6];
	int32_t best = a->nodes[at].rule;

	for (unsigned i = 0; i < bits; i++) {
		at = a->nodes[at].child[addr_bit(client, i)];
		if (at == 0)
			break;
		if (a->nodes[at].rule >= 0)
			best = a->nodes[at].rule;
	}
	return best >= 0 ? &a->rules[best] : NULL;
}

/* ---- parsing ---- */

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Copy the next whitespace-delimited word of *S into W (WLEN bytes). */
static bool next_word(const char **s, char *w, size_t wlen)
{
	const char *p = skip_ws(*s);
	size_t n = 0;

	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	if (n == 0 || n >= wlen)
		return false;
	memcpy(w, p, n);
	w[n] = '\0';
	*s = p + n;
	return true;
}

static int parse_codes(char *list, rbl_acl_answer *ans, char *err,
		       size_t errlen)
{
	char *save = NULL;

	ans->n_codes = 0;
	for (char *c = strtok_r(list, ",", &save); c;
	     c = strtok_r(NULL, ",", &save)) {
		if (ans->n_codes == RBL_MAX_CODES) {
			snprintf(err, errlen, "more than %d codes",
				 RBL_MAX_CODES);
			return RBL_ESYNTAX;
		}
		if (rbl_code_parse(c, &ans->codes[ans->n_codes]) != RBL_OK) {
			snprintf(err, errlen, "\"%s\" is not a code in "
				 "127.0.0.0/8", c);
			return RBL_ESYNTAX;
		}
		ans->n_codes++;
	}
	if (ans->n_codes == 0) {
		snprintf(err, errlen, "answer needs a code (127.0.0.x)");
		return RBL_ESYNTAX;
	}
	return RBL_OK;
}

static int parse_answer(const char *rest, rbl_acl_answer *ans, char *err,
			size_t errlen)
{
	char codes[128];
	size_t len;
	int rc;

	if (!next_word(&rest, codes, sizeof(codes))) {
		snprintf(err, errlen, "answer needs a code (127.0.0.x)");
		return RBL_ESYNTAX;
	}
	if ((rc = parse_codes(codes, ans, err, errlen)) != RBL_OK)
		return rc;
	rest = skip_ws(rest);
	len = strlen(rest);
	while (len && (rest[len - 1] == ' ' || rest[len - 1] == '\t'))
		len--;
	if (len > RBL_TXT_MAX) {
		snprintf(err, errlen, "TXT longer than %d bytes", RBL_TXT_MAX);
		return RBL_ESYNTAX;
	}
	memcpy(ans->txt, rest, len);
	ans->txt[len] = '\0';
	ans->txt_len = (uint16_t)len;
	return RBL_OK;
}

static int action_of(const char *word)
{
	if (strcasecmp(word, "drop") == 0)
		return RBL_ACT_IGNORE;
	for (int a = RBL_ACT_PASS; a <= RBL_ACT_ANSWER; a++)
		if (strcasecmp(word, act_names[a]) == 0)
			return a;
	return -1;
}

int rbl_acl_parse_action(const char *text, rbl_acl_rule *r, char *err,
			 size_t errlen)
{
	char word[16];
	const char *rest = text;

	memset(&r->answer, 0, sizeof(r->answer));
	if (!next_word(&rest, word, sizeof(word)) ||
	    (r->action = action_of(word)) < 0) {
		snprintf(err, errlen, "\"%.40s\": want ignore, refuse, empty, "
			 "pass or answer CODE [TXT]", skip_ws(text));
		return RBL_ESYNTAX;
	}
	if (r->action == RBL_ACT_ANSWER)
		return parse_answer(rest, &r->answer, err, errlen);
	if (*skip_ws(rest)) {
		snprintf(err, errlen, "%s takes no arguments", word);
		return RBL_ESYNTAX;
	}
	return RBL_OK;
}

int rbl_acl_parse_rule(const char *text, rbl_acl_rule *r, char *err,
		       size_t errlen)
{
	char cidr[RBL_ADDR_STRLEN];
	const char *rest = text;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!next_word(&rest, cidr, sizeof(cidr))) {
		snprintf(err, errlen, "want \"CIDR ACTION\"");
		return RBL_ESYNTAX;
	}
	rc = rbl_prefix_parse(cidr, true, &r->prefix);
	if (rc != RBL_OK) {
		snprintf(err, errlen, "\"%s\": %s", cidr, rc == RBL_EINVAL
			 ? "host bits set after the prefix length"
			 : "not an address or CIDR prefix");
		return RBL_ESYNTAX;
	}
	return rbl_acl_parse_action(rest, r, err, errlen);
}

/* ---- rbldnsd acl files ---- */

typedef struct file_ctx {
	rbl_acl *acl;
	char *err;
	size_t errlen;
	bool have_err;
} file_ctx;

static int file_action(const rbl_ds_record *rec)
{
	if (rec->entry.flags & RBL_ENTRY_EXCLUDE)
		return RBL_ACT_PASS;
	switch (rec->acl_action) {
	case RBL_ACL_IGNORE:	return RBL_ACT_IGNORE;
	case RBL_ACL_REFUSE:	return RBL_ACT_REFUSE;
	case RBL_ACL_EMPTY:	return RBL_ACT_EMPTY;
	case RBL_ACL_PASS:	return RBL_ACT_PASS;
	default:		return RBL_ACT_ANSWER;
	}
}

static int file_record(void *arg, const rbl_ds_record *rec)
{
	file_ctx *fc = arg;
	rbl_acl_rule r = { 0 };
	size_t len;

	memset(&r, 0, sizeof(r));
	r.prefix = rec->prefix;
	r.action = file_action(rec);
	if (r.action == RBL_ACT_ANSWER) {
		r.answer.n_codes = rec->entry.n_codes ? rec->entry.n_codes : 1;
		r.answer.codes[0] = 0x7f000002u;	/* rbldnsd's default */
		memcpy(r.answer.codes, rec->entry.codes,
		       rec->entry.n_codes * sizeof(uint32_t));
		len = strnlen(rec->entry.txt, RBL_TXT_MAX);
		memcpy(r.answer.txt, rec->entry.txt, len);
		r.answer.txt[len] = '\0';
		r.answer.txt_len = (uint16_t)len;
	}
	return rbl_acl_add(fc->acl, &r);
}

static void file_message(void *arg, bool is_error, const char *text)
{
	file_ctx *fc = arg;

	if (is_error && !fc->have_err) {
		snprintf(fc->err, fc->errlen, "%s", text);
		fc->have_err = true;
	}
}

static int load(rbl_acl *a, const char *path, const rbl_ds_input *in,
		char *err, size_t errlen)
{
	file_ctx fc = { a, err, errlen, false };
	rbl_ds_handler h = { NULL, file_record, file_message, &fc };
	rbl_ds_options o = { .type = RBL_DS_ACL, .max_errors = 1 };
	int rc;

	err[0] = '\0';
	rc = in ? rbl_ds_parse_buffers(&o, &h, in, 1, NULL)
		: rbl_ds_parse_files(&o, &h, &path, 1, NULL);
	if (rc != RBL_OK && !fc.have_err)
		snprintf(err, errlen, "%s: %s", path, rbl_strerror(rc));
	return rc;
}

int rbl_acl_load_file(rbl_acl *a, const char *path, char *err, size_t errlen)
{
	return load(a, path, NULL, err, errlen);
}

int rbl_acl_load_buffer(rbl_acl *a, const char *name, const char *text,
			size_t len, char *err, size_t errlen)
{
	rbl_ds_input in = { name, text, len };

	return load(a, name, &in, err, errlen);
}
