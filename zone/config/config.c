/*
 * config.c -- the syntax of rbld.conf: the file into sections and items,
 * and looking them up (see config.h).  What a value means is
 * config_value.c's; which sections and keys exist, config_check.c's.
 *
 * The file is copied once into c->text and parsed in place: keys, values
 * and titles are NUL-terminated and unquoted inside that copy, so every
 * string the parser hands out lives exactly as long as the rbl_conf.
 * Syntax is line based (see config.h); the parser knows nothing about
 * which sections or keys exist, rbl_conf_check() does.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/config/config.h"
#include "zone/config/config_impl.h"
#include "zone/error.h"
#include "zone/readfile.h"

/* Largest configuration file we read: far beyond any real one. */
#define CONF_MAX_BYTES (16u << 20)

void rbl_conf_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- parsing ---- */

typedef struct conf_parser {
	rbl_conf *c;
	unsigned line;
	char *err;
	size_t errlen;
} conf_parser;

static bool is_key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '_' ||
	       ch == '.';
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static char *skip_blank(char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* Unquote the string that starts at P (on the opening quote) in place.
 * *END receives the character after the closing quote. */
static int unquote(conf_parser *ps, char *p, char **end)
{
	char *out = p;

	for (p++; *p != '"'; p++) {
		if (*p == '\0') {
			rbl_conf_seterr(ps->err, ps->errlen, "%s:%u: "
					"unterminated quoted string",
					ps->c->path, ps->line);
			return RBL_ESYNTAX;
		}
		if (*p == '\\') {
			p++;
			if (*p != '"' && *p != '\\') {
				rbl_conf_seterr(ps->err, ps->errlen, "%s:%u: "
						"unknown escape in quoted "
						"string (only \\\" and \\\\)",
						ps->c->path, ps->line);
				return RBL_ESYNTAX;
			}
		}
		*out++ = *p;
	}
	*end = p + 1;
	*out = '\0';
	return RBL_OK;
}

/* Parse the value text at P (after "key:" and blanks) in place; it ends
 * the line.  *VALUE receives the result. */
static int parse_value(conf_parser *ps, char *p, const char **value)
{
	char *end = NULL;
	int rc;

	if (*p == '"') {
		char *start = p;

		rc = unquote(ps, p, &end);
		if (rc != RBL_OK)
			return rc;
		end = skip_blank(end);
		if (*end != '\0' && *end != '#' && *end != ';') {
			rbl_conf_seterr(ps->err, ps->errlen, "%s:%u: text "
					"after the closing quote",
					ps->c->path, ps->line);
			return RBL_ESYNTAX;
		}
		*value = start;
		return RBL_OK;
	}
	for (end = p; *end && *end != '#' && *end != ';'; end++)
		if (*end == '"') {
			rbl_conf_seterr(ps->err, ps->errlen, "%s:%u: a quote "
					"inside an unquoted value (quote the "
					"whole value)", ps->c->path, ps->line);
			return RBL_ESYNTAX;
		}
	while (end > p && is_blank(end[-1]))
		end--;
	*end = '\0';
	*value = p;
	return RBL_OK;
}

/* Split "word: rest" at P.  *WORD is NUL-terminated in place, *REST
 * points at the first non-blank after the colon. */
static int split_word(conf_parser *ps, char *p, const char *what,
		      const char **word, char **rest)
{
	char *w = p;

	while (is_key_char(*p))
		p++;
	if (p == w || *p != ':') {
		rbl_conf_seterr(ps->err, ps->errlen, "%s:%u: expected '%s:'%s",
				ps->c->path, ps->line, what,
				p == w ? "" : " (a colon after the name)");
		return RBL_ESYNTAX;
	}
	*p++ = '\0';
	if (*p && !is_blank(*p) && *p != '#' && *p != ';') {
		rbl_conf_seterr(ps->err, ps->errlen, "%s:%u: a blank must "
				"follow '%s:'", ps->c->path, ps->line, w);
		return RBL_ESYNTAX;
	}
	*word = w;
	*rest = skip_blank(p);
	return RBL_OK;
}

static int add_section(conf_parser *ps, char *p)
{
	rbl_conf *c = ps->c;
	rbl_conf_section *s = NULL;
	char *rest = NULL;
	const char *name = NULL;
	int rc;

	rc = split_word(ps, p, "section", &name, &rest);
	if (rc != RBL_OK)
		return rc;
	if (rbl_array_reserve(c->sections, c->cap_sections,
			      c->n_sections + 1, 16) != RBL_OK)
		return RBL_ENOMEM;
	s = &c->sections[c->n_sections];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->line = ps->line;
	rc = parse_value(ps, rest, &s->title);
	if (rc != RBL_OK)
		return rc;
	c->n_sections++;
	return RBL_OK;
}

static int add_item(conf_parser *ps, char *p)
{
	rbl_conf *c = ps->c;
	rbl_conf_section *s = NULL;
	rbl_conf_item *it = NULL;
	char *rest = NULL;
	int rc;

	if (c->n_sections == 0) {
		rbl_conf_seterr(ps->err, ps->errlen, "%s:%u: indented item "
				"before any section header", c->path,
				ps->line);
		return RBL_ESYNTAX;
	}
	s = &c->sections[c->n_sections - 1];
	if (rbl_array_reserve(s->items, s->cap_items, s->n_items + 1, 8) !=
	    RBL_OK)
		return RBL_ENOMEM;
	it = &s->items[s->n_items];
	*it = (rbl_conf_item){ .line = ps->line };
	rc = split_word(ps, p, "key", &it->key, &rest);
	if (rc == RBL_OK)
		rc = parse_value(ps, rest, &it->value);
	if (rc == RBL_OK)
		s->n_items++;
	return rc;
}

/* Parse one NUL-terminated line (without its newline). */
static int parse_line(conf_parser *ps, char *line)
{
	char *p = skip_blank(line);

	if (*p == '\0' || *p == '#' || *p == ';')
		return RBL_OK;
	if (p == line)
		return add_section(ps, p);
	return add_item(ps, p);
}

static int parse_text(conf_parser *ps)
{
	char *p = ps->c->text;
	int rc;

	for (ps->line = 1; *p; ps->line++) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		rc = parse_line(ps, p);
		if (rc != RBL_OK)
			return rc;
		if (!nl)
			break;
		p = nl + 1;
	}
	return RBL_OK;
}

int rbl_conf_parse(const char *text, size_t len, const char *name,
		   rbl_conf **out, char *err, size_t errlen)
{
	conf_parser ps = { NULL, 0, err, errlen };
	rbl_conf *c;
	int rc;

	*out = NULL;
	if (memchr(text, '\0', len)) {
		rbl_conf_seterr(err, errlen, "%s: contains a NUL byte (not a "
				"text file?)", name);
		return RBL_ESYNTAX;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return RBL_ENOMEM;
	c->path = strdup(name);
	c->text = malloc(len + 1);
	if (!c->path || !c->text) {
		rbl_conf_free(c);
		return RBL_ENOMEM;
	}
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	ps.c = c;
	rc = parse_text(&ps);
	if (rc != RBL_OK) {
		if (rc == RBL_ENOMEM)
			rbl_conf_seterr(err, errlen, "%s: out of memory", name);
		rbl_conf_free(c);
		return rc;
	}
	*out = c;
	return RBL_OK;
}

/* The whole file, proven complete (readfile.h): a configuration read
 * while an editor rewrites it in place is refused, not half applied. */
static int read_file(const char *path, char **buf, size_t *len,
		     char *err, size_t errlen)
{
	rbl_read_result r = { 0 };
	int rc = rbl_read_whole(path, 0, CONF_MAX_BYTES, &r, err, errlen);

	if (rc == RBL_ENOMEM)
		rbl_conf_seterr(err, errlen, "%s: out of memory", path);
	if (rc != RBL_OK)
		return rc == RBL_ENOMEM ? rc : RBL_EIO;
	*buf = r.data;
	*len = r.len;
	return RBL_OK;
}

int rbl_conf_load(const char *path, rbl_conf **out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = read_file(path, &buf, &len, err, errlen);
	if (rc != RBL_OK)
		return rc;
	rc = rbl_conf_parse(buf ? buf : "", len, path, out, err, errlen);
	free(buf);
	return rc;
}

void rbl_conf_free(rbl_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_sections; i++)
		free(c->sections[i].items);
	free(c->sections);
	free(c->text);
	free(c->path);
	free(c);
}

/* ---- access ---- */

const rbl_conf_section *rbl_conf_next(const rbl_conf *c, const char *name,
				      const rbl_conf_section *prev)
{
	size_t i = prev ? (size_t)(prev - c->sections) + 1 : 0;

	for (; i < c->n_sections; i++)
		if (!name || strcmp(c->sections[i].name, name) == 0)
			return &c->sections[i];
	return NULL;
}

const rbl_conf_item *rbl_conf_next_item(const rbl_conf_section *s,
					const char *key,
					const rbl_conf_item *prev)
{
	size_t i = prev ? (size_t)(prev - s->items) + 1 : 0;

	for (; i < s->n_items; i++)
		if (!key || strcmp(s->items[i].key, key) == 0)
			return &s->items[i];
	return NULL;
}

const rbl_conf_item *rbl_conf_last_item(const rbl_conf_section *s,
					const char *key)
{
	if (!s)
		return NULL;
	for (size_t i = s->n_items; i-- > 0;)
		if (strcmp(s->items[i].key, key) == 0)
			return &s->items[i];
	return NULL;
}

const char *rbl_conf_get(const rbl_conf_section *s, const char *key)
{
	const rbl_conf_item *it = rbl_conf_last_item(s, key);

	return it ? it->value : NULL;
}
