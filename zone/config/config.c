/*
 * config.c -- parse rbld.conf, check it against the schema, typed getters.
 *
 * The file is copied once into c->text and parsed in place: keys, values
 * and titles are NUL-terminated and unquoted inside that copy, so every
 * string the parser hands out lives exactly as long as the rbl_conf.
 * Syntax is line based (see config.h); the parser knows nothing about
 * which sections or keys exist, rbl_conf_check() does.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/readfile.h"

/* Largest configuration file we read: far beyond any real one. */
#define CONF_MAX_BYTES (16u << 20)

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
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
			seterr(ps->err, ps->errlen, "%s:%u: unterminated quoted "
			       "string", ps->c->path, ps->line);
			return RBL_ESYNTAX;
		}
		if (*p == '\\') {
			p++;
			if (*p != '"' && *p != '\\') {
				seterr(ps->err, ps->errlen, "%s:%u: unknown "
				       "escape in quoted string (only \\\" and "
				       "\\\\)", ps->c->path, ps->line);
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
			seterr(ps->err, ps->errlen, "%s:%u: text after the "
			       "closing quote", ps->c->path, ps->line);
			return RBL_ESYNTAX;
		}
		*value = start;
		return RBL_OK;
	}
	for (end = p; *end && *end != '#' && *end != ';'; end++)
		if (*end == '"') {
			seterr(ps->err, ps->errlen, "%s:%u: a quote inside an "
			       "unquoted value (quote the whole value)",
			       ps->c->path, ps->line);
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
		seterr(ps->err, ps->errlen, "%s:%u: expected '%s:'%s",
		       ps->c->path, ps->line, what,
		       p == w ? "" : " (a colon after the name)");
		return RBL_ESYNTAX;
	}
	*p++ = '\0';
	if (*p && !is_blank(*p) && *p != '#' && *p != ';') {
		seterr(ps->err, ps->errlen, "%s:%u: a blank must follow "
		       "'%s:'", ps->c->path, ps->line, w);
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
	s = realloc(c->sections, (c->n_sections + 1) * sizeof(*s));
	if (!s)
		return RBL_ENOMEM;
	c->sections = s;
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
		seterr(ps->err, ps->errlen, "%s:%u: indented item before any "
		       "section header", c->path, ps->line);
		return RBL_ESYNTAX;
	}
	s = &c->sections[c->n_sections - 1];
	it = realloc(s->items, (s->n_items + 1) * sizeof(*it));
	if (!it)
		return RBL_ENOMEM;
	s->items = it;
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
		seterr(err, errlen, "%s: contains a NUL byte (not a text "
		       "file?)", name);
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
			seterr(err, errlen, "%s: out of memory", name);
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
		seterr(err, errlen, "%s: out of memory", path);
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

static const rbl_conf_item *last_item(const rbl_conf_section *s,
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
	const rbl_conf_item *it = last_item(s, key);

	return it ? it->value : NULL;
}

/* ---- value parsers ---- */

static int parse_u64(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return RBL_ESYNTAX;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return RBL_ERANGE;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return RBL_OK;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	int rc = parse_u64(&s, &v);

	if (rc != RBL_OK)
		return rc;
	if (*s)
		return RBL_ESYNTAX;
	if (v > UINT32_MAX)
		return RBL_ERANGE;
	*out = (uint32_t)v;
	return RBL_OK;
}

static uint32_t duration_unit(char u)
{
	switch (u) {
	case 's': case 'S': return 1;
	case 'm': case 'M': return 60;
	case 'h': case 'H': return 3600;
	case 'd': case 'D': return 86400;
	case 'w': case 'W': return 604800;
	}
	return 0;
}

/* "300", "300s", "5m", and sums such as "1h30m". */
int rbl_parse_duration(const char *s, uint32_t *out)
{
	uint64_t total = 0;

	if (!*s)
		return RBL_ESYNTAX;
	while (*s) {
		uint64_t n = 0, unit = 1;
		int rc = parse_u64(&s, &n);

		if (rc != RBL_OK)
			return rc;
		if (*s) {
			unit = duration_unit(*s++);
			if (!unit)
				return RBL_ESYNTAX;
		}
		if (n > UINT32_MAX / unit || total + n * unit > UINT32_MAX)
			return RBL_ERANGE;
		total += n * unit;
	}
	*out = (uint32_t)total;
	return RBL_OK;
}

static unsigned size_shift(char u)
{
	switch (u) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	case 't': case 'T': return 40;
	}
	return 0;
}

/* "1024", "64k", "512M", "16G", "1T"; an optional trailing "B". */
int rbl_parse_size(const char *s, uint64_t *out)
{
	uint64_t n = 0;
	unsigned shift = 0;
	int rc = parse_u64(&s, &n);

	if (rc != RBL_OK)
		return rc;
	if (*s && *s != 'b' && *s != 'B') {
		shift = size_shift(*s++);
		if (!shift)
			return RBL_ESYNTAX;
	}
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s)
		return RBL_ESYNTAX;
	if (shift && n > (UINT64_MAX >> shift))
		return RBL_ERANGE;
	*out = n << shift;
	return RBL_OK;
}

int rbl_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	for (size_t i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return RBL_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return RBL_OK;
		}
	}
	return RBL_ESYNTAX;
}

/* Address, or address/prefix-length. */
static int parse_addr(const char *s)
{
	char buf[64], *slash;
	unsigned char bin[16];
	uint32_t len = 0;
	int family;

	if (strlen(s) >= sizeof(buf))
		return RBL_ESYNTAX;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, buf, bin) != 1)
		return RBL_ESYNTAX;
	if (!slash)
		return RBL_OK;
	if (parse_u32(slash, &len) != RBL_OK)
		return RBL_ESYNTAX;
	return len <= (family == AF_INET ? 32u : 128u) ? RBL_OK : RBL_ERANGE;
}

/* addr[@port]: the last '@' separates the port, so "::1@53" works. */
static int parse_listen(const char *s)
{
	char buf[64], *at;
	unsigned char bin[16];
	uint32_t port = 0;

	if (strlen(s) >= sizeof(buf))
		return RBL_ESYNTAX;
	strcpy(buf, s);
	at = strrchr(buf, '@');
	if (at) {
		*at++ = '\0';
		if (parse_u32(at, &port) != RBL_OK || port == 0 ||
		    port > 65535)
			return RBL_ERANGE;
	}
	if (inet_pton(strchr(buf, ':') ? AF_INET6 : AF_INET, buf, bin) != 1)
		return RBL_ESYNTAX;
	return RBL_OK;
}

/* A domain name: labels of 1..63 letters, digits, '-' or '_', at most
 * 253 characters, optional trailing dot.  "." alone is the root. */
static int parse_name(const char *s)
{
	size_t total = strlen(s), label = 0;

	if (strcmp(s, ".") == 0)
		return RBL_OK;
	if (total == 0 || total > 254 || (total == 254 && s[253] != '.'))
		return RBL_ESYNTAX;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return RBL_ESYNTAX;
			label = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' ||
			   *s == '_') {
			if (++label > 63)
				return RBL_ESYNTAX;
		} else {
			return RBL_ESYNTAX;
		}
	}
	return RBL_OK;
}

/* A return code: a dotted quad in 127.0.0.0/8, or a short form ("2" is
 * 127.0.0.2, "1.2" is 127.0.1.2) as rbldnsd writes them. */
static int parse_code(const char *s)
{
	uint32_t parts[4], n = 0;
	const char *p = s;

	for (;;) {
		uint64_t v = 0;

		if (n == 4 || parse_u64(&p, &v) != RBL_OK || v > 255)
			return RBL_ESYNTAX;
		parts[n++] = (uint32_t)v;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			return RBL_ESYNTAX;
	}
	if (n == 4 && parts[0] != 127)
		return RBL_ERANGE;
	return RBL_OK;
}

static int check_type(int type, const char *v)
{
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	bool b = false;

	switch (type) {
	case RBL_CT_STR:	return RBL_OK;
	case RBL_CT_U32:	return parse_u32(v, &u32);
	case RBL_CT_BOOL:	return rbl_parse_bool(v, &b);
	case RBL_CT_DURATION:	return rbl_parse_duration(v, &u32);
	case RBL_CT_SIZE:	return rbl_parse_size(v, &u64);
	case RBL_CT_ADDR:	return parse_addr(v);
	case RBL_CT_LISTEN:	return parse_listen(v);
	case RBL_CT_NAME:	return parse_name(v);
	case RBL_CT_CODE:	return parse_code(v);
	}
	return RBL_EINVAL;
}

static const char *type_text(int type)
{
	switch (type) {
	case RBL_CT_U32:	return "a whole number";
	case RBL_CT_BOOL:	return "yes or no";
	case RBL_CT_DURATION:	return "a duration (300, 300s, 5m, 2h, 7d, 1w)";
	case RBL_CT_SIZE:	return "a size (1024, 64k, 512M, 16G)";
	case RBL_CT_ADDR:	return "an IP address or CIDR prefix";
	case RBL_CT_LISTEN:	return "address[@port], port 1..65535";
	case RBL_CT_NAME:	return "a domain name";
	case RBL_CT_CODE:	return "a return code in 127.0.0.0/8 (or 2, 0.2)";
	}
	return "text";
}

/* ---- schema check ---- */

static const rbl_conf_section_def *find_section_def(const char *name)
{
	for (const rbl_conf_section_def *d = rbl_conf_sections; d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

static const rbl_conf_key *find_key_def(const char *section, const char *key)
{
	for (const rbl_conf_key *k = rbl_conf_keys; k->section; k++)
		if (strcmp(k->section, section) == 0 &&
		    strcmp(k->key, key) == 0)
			return k;
	return NULL;
}

/* An earlier section of the same name (and the same title, for sections
 * that may repeat), or NULL. */
static const rbl_conf_section *earlier_twin(const rbl_conf *c,
					    const rbl_conf_section *s,
					    const rbl_conf_section_def *d)
{
	for (const rbl_conf_section *o = c->sections; o < s; o++) {
		if (strcmp(o->name, s->name) != 0)
			continue;
		if (!d->repeat || strcasecmp(o->title, s->title) == 0)
			return o;
	}
	return NULL;
}

static int check_section_head(const rbl_conf *c, const rbl_conf_section *s,
			      const rbl_conf_section_def *d,
			      char *err, size_t errlen)
{
	const rbl_conf_section *twin;

	if (d->title == 1 && !*s->title) {
		seterr(err, errlen, "%s:%u: section '%s' needs a title "
		       "(%s)", c->path, s->line, s->name, d->help);
		return RBL_EINVAL;
	}
	if (d->title == 0 && *s->title) {
		seterr(err, errlen, "%s:%u: section '%s' takes no title "
		       "(found \"%s\")", c->path, s->line, s->name, s->title);
		return RBL_EINVAL;
	}
	twin = earlier_twin(c, s, d);
	if (twin) {
		seterr(err, errlen, "%s:%u: section '%s%s%s' repeated "
		       "(first on line %u)", c->path, s->line, s->name,
		       *s->title ? ": " : "", s->title, twin->line);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

static int check_item(const rbl_conf *c, const rbl_conf_section *s,
		      const rbl_conf_item *it, char *err, size_t errlen)
{
	const rbl_conf_key *k = find_key_def(s->name, it->key);
	int rc;

	if (!k) {
		seterr(err, errlen, "%s:%u: unknown key '%s' in section "
		       "'%s'", c->path, it->line, it->key, s->name);
		return RBL_EINVAL;
	}
	if (!k->repeat) {
		for (const rbl_conf_item *o = s->items; o < it; o++)
			if (strcmp(o->key, it->key) == 0) {
				seterr(err, errlen, "%s:%u: key '%s' repeated "
				       "(first on line %u; it may appear once)",
				       c->path, it->line, it->key, o->line);
				return RBL_EINVAL;
			}
	}
	rc = check_type(k->type, it->value);
	if (rc != RBL_OK) {
		seterr(err, errlen, "%s:%u: %s: \"%s\" is not %s", c->path,
		       it->line, it->key, it->value, type_text(k->type));
		return RBL_EINVAL;
	}
	return RBL_OK;
}

int rbl_conf_check(const rbl_conf *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n_sections; i++) {
		const rbl_conf_section *s = &c->sections[i];
		const rbl_conf_section_def *d = find_section_def(s->name);
		int rc;

		if (!d) {
			seterr(err, errlen, "%s:%u: unknown section '%s'",
			       c->path, s->line, s->name);
			return RBL_EINVAL;
		}
		rc = check_section_head(c, s, d, err, errlen);
		if (rc != RBL_OK)
			return rc;
		for (size_t j = 0; j < s->n_items; j++) {
			rc = check_item(c, s, &s->items[j], err, errlen);
			if (rc != RBL_OK)
				return rc;
		}
	}
	return RBL_OK;
}

/* ---- typed getters ---- */

static int getter_error(const rbl_conf *c, const rbl_conf_item *it,
			int type, char *err, size_t errlen)
{
	seterr(err, errlen, "%s:%u: %s: \"%s\" is not %s",
	       c ? c->path : "config", it->line, it->key, it->value,
	       type_text(type));
	return RBL_EINVAL;
}

int rbl_conf_u32(const rbl_conf *c, const rbl_conf_section *s,
		 const char *key, uint32_t def, uint32_t *out,
		 char *err, size_t errlen)
{
	const rbl_conf_item *it = last_item(s, key);

	*out = def;
	if (!it)
		return RBL_OK;
	if (parse_u32(it->value, out) != RBL_OK) {
		*out = def;
		return getter_error(c, it, RBL_CT_U32, err, errlen);
	}
	return RBL_OK;
}

int rbl_conf_bool(const rbl_conf *c, const rbl_conf_section *s,
		  const char *key, bool def, bool *out,
		  char *err, size_t errlen)
{
	const rbl_conf_item *it = last_item(s, key);

	*out = def;
	if (!it)
		return RBL_OK;
	if (rbl_parse_bool(it->value, out) != RBL_OK) {
		*out = def;
		return getter_error(c, it, RBL_CT_BOOL, err, errlen);
	}
	return RBL_OK;
}

int rbl_conf_duration(const rbl_conf *c, const rbl_conf_section *s,
		      const char *key, uint32_t def, uint32_t *out,
		      char *err, size_t errlen)
{
	const rbl_conf_item *it = last_item(s, key);

	*out = def;
	if (!it)
		return RBL_OK;
	if (rbl_parse_duration(it->value, out) != RBL_OK) {
		*out = def;
		return getter_error(c, it, RBL_CT_DURATION, err, errlen);
	}
	return RBL_OK;
}

int rbl_conf_size(const rbl_conf *c, const rbl_conf_section *s,
		  const char *key, uint64_t def, uint64_t *out,
		  char *err, size_t errlen)
{
	const rbl_conf_item *it = last_item(s, key);

	*out = def;
	if (!it)
		return RBL_OK;
	if (rbl_parse_size(it->value, out) != RBL_OK) {
		*out = def;
		return getter_error(c, it, RBL_CT_SIZE, err, errlen);
	}
	return RBL_OK;
}
