/*
 * psl.c -- public suffix list in an open-addressing hash set.
 *
 * A rule "x" sets RULE_EXACT on key "x", "*.x" sets RULE_WILD on key "x",
 * "!x" sets RULE_EXCEPT on key "x": one key may carry several kinds.  Keys
 * are lowercased copies in one arena; slots hold offsets into it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/readfile.h"
#include "zone/idna.h"
#include "psl.h"

#define PSL_MAX_BYTES	((size_t)64 << 20)	/* the real one is 250 kB */

enum { RULE_EXACT = 1, RULE_WILD = 2, RULE_EXCEPT = 4 };

typedef struct psl_slot {
	uint32_t off;		/* key offset in the arena; 0 = empty slot */
	uint16_t len;
	uint8_t kinds;		/* RULE_* */
} psl_slot;

struct rbl_psl {
	psl_slot *slots;
	size_t mask;		/* slot count - 1 (a power of two) */
	size_t count;
	char *arena;		/* byte 0 unused so offset 0 means empty */
	size_t arena_len, arena_cap;
};

static uint32_t hash_name(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)tolower((unsigned char)s[i]);
		h *= 16777619u;
	}
	return h;
}

static bool key_equal(const struct rbl_psl *p, const psl_slot *sl,
		      const char *s, size_t len)
{
	return sl->len == len && strncasecmp(p->arena + sl->off, s, len) == 0;
}

static psl_slot *find_slot(const struct rbl_psl *p, const char *s, size_t len)
{
	size_t i = hash_name(s, len) & p->mask;
	while (p->slots[i].off != 0) {
		if (key_equal(p, &p->slots[i], s, len))
			return &p->slots[i];
		i = (i + 1) & p->mask;
	}
	return &p->slots[i];
}

static int grow_table(struct rbl_psl *p)
{
	size_t n = (p->mask + 1) * 2;
	psl_slot *old = p->slots, *fresh = calloc(n, sizeof(*fresh));
	size_t old_n = p->mask + 1;
	if (!fresh)
		return RBL_ENOMEM;
	p->slots = fresh;
	p->mask = n - 1;
	for (size_t i = 0; i < old_n; i++) {
		if (old[i].off == 0)
			continue;
		*find_slot(p, p->arena + old[i].off, old[i].len) = old[i];
	}
	free(old);
	return RBL_OK;
}

static int arena_add(struct rbl_psl *p, const char *s, size_t len,
		     uint32_t *off)
{
	if (rbl_array_reserve(p->arena, p->arena_cap, p->arena_len + len + 1,
			      65536) != RBL_OK)
		return RBL_ENOMEM;
	*off = (uint32_t)p->arena_len;
	for (size_t i = 0; i < len; i++)
		p->arena[p->arena_len++] = (char)tolower((unsigned char)s[i]);
	p->arena[p->arena_len++] = '\0';
	return RBL_OK;
}

static int add_rule(struct rbl_psl *p, const char *s, size_t len,
		    uint8_t kind)
{
	if ((p->count + 1) * 2 > p->mask + 1) {
		int rc = grow_table(p);
		if (rc != RBL_OK)
			return rc;
	}
	psl_slot *sl = find_slot(p, s, len);
	if (sl->off == 0) {
		uint32_t off = 0;
		int rc = arena_add(p, s, len, &off);
		if (rc != RBL_OK)
			return rc;
		sl->off = off;
		sl->len = (uint16_t)len;
		p->count++;
	}
	sl->kinds |= kind;
	return RBL_OK;
}

static bool rule_text_ok(const char *s, size_t len)
{
	if (len == 0 || len > 253 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == '*' || c == '!' || c == '/')
			return false;
		if (c == '.' && s[i + 1] == '.')
			return false;
	}
	return true;
}

/* The Punycode form of a UTF-8 rule S (LEN bytes) into OUT (254 bytes);
 * returns its length, or 0 when a label cannot be converted. */
static size_t rule_ascii(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		const char *dot = memchr(s + i, '.', len - i);
		size_t n = dot ? (size_t)(dot - (s + i)) : len - i;
		char label[RBL_IDNA_LABEL_MAX + 1];
		int k = rbl_idna_label(s + i, n, label);
		if (k <= 0 || o + (size_t)k + 1 > 253)
			return 0;
		if (o)
			out[o++] = '.';
		memcpy(out + o, label, (size_t)k);
		o += (size_t)k;
		i += n + 1;
	}
	return o;
}

static bool is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* One rule line (already stripped of comments and blanks). */
static int parse_rule(struct rbl_psl *p, const char *s, size_t len)
{
	uint8_t kind = RULE_EXACT;
	if (len > 2 && s[0] == '*' && s[1] == '.') {
		kind = RULE_WILD;
		s += 2, len -= 2;
	} else if (len > 1 && s[0] == '!') {
		kind = RULE_EXCEPT;
		s++, len--;
	}
	if (!rule_text_ok(s, len))
		return RBL_ESYNTAX;
	if (!is_ascii(s, len)) {
		/* links carry Punycode: keep that form too */
		char a[254];
		size_t n = rule_ascii(s, len, a);
		int rc = n ? add_rule(p, a, n, kind) : RBL_OK;
		if (rc != RBL_OK)
			return rc;
	}
	return add_rule(p, s, len, kind);
}

static void set_err(char *err, size_t errlen, const char *fmt,
		    const char *name, unsigned line, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, name, line, what);
}

/* Returns the length of the first whitespace-delimited word of LINE. */
static size_t first_word(const char *line, size_t len, const char **word)
{
	size_t i = 0, j;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	j = i;
	while (j < len && line[j] != ' ' && line[j] != '\t' && line[j] != '\r')
		j++;
	*word = line + i;
	return j - i;
}

static int parse_text(struct rbl_psl *p, const char *text, size_t len,
		      unsigned flags, const char *name, char *err,
		      size_t errlen)
{
	unsigned lineno = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *line = text + pos, *word = NULL;
		size_t wl = first_word(line, ll, &word);
		pos += ll + 1;
		lineno++;
		if (wl >= 2 && word[0] == '/' && word[1] == '/') {
			if (!(flags & RBL_PSL_PRIVATE) &&
			    memmem(line, ll, "===BEGIN PRIVATE DOMAINS===", 27))
				break;
			continue;
		}
		if (wl == 0)
			continue;
		int rc = parse_rule(p, word, wl);
		if (rc == RBL_ESYNTAX)
			set_err(err, errlen, "%s:%u: %s", name, lineno,
				"malformed public suffix rule");
		if (rc != RBL_OK)
			return rc;
	}
	return RBL_OK;
}

static struct rbl_psl *psl_new(void)
{
	struct rbl_psl *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	uint32_t unused = 0;
	p->slots = calloc(1024, sizeof(*p->slots));
	/* The empty key takes offset 0, so offset 0 can mark an empty slot. */
	if (!p->slots || arena_add(p, "", 0, &unused) != RBL_OK) {
		rbl_psl_free(p);
		return NULL;
	}
	p->mask = 1023;
	return p;
}

int rbl_psl_parse(const char *text, size_t len, unsigned flags,
		  rbl_psl **out, char *err, size_t errlen)
{
	struct rbl_psl *p = psl_new();
	if (!p)
		return RBL_ENOMEM;
	int rc = parse_text(p, text, len, flags, "(text)", err, errlen);
	if (rc != RBL_OK) {
		rbl_psl_free(p);
		return rc;
	}
	*out = p;
	return RBL_OK;
}

int rbl_psl_load(const char *path, unsigned flags, rbl_psl **out,
		 char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	if (!path)
		path = RBL_PSL_DEFAULT_PATH;
	/* read whole and proven complete (zone/readfile.h): a list cut
	 * short would make registrable domains of names below a suffix */
	rbl_read_result r = { 0 };
	int rc = rbl_read_whole(path, 0, PSL_MAX_BYTES, &r, err, errlen);
	if (rc == RBL_ETOOBIG)
		rc = RBL_EIO;
	if (rc != RBL_OK)
		return rc;
	text = r.data;
	len = r.len;
	struct rbl_psl *p = psl_new();
	if (!p) {
		free(text);
		return RBL_ENOMEM;
	}
	rc = parse_text(p, text, len, flags, path, err, errlen);
	free(text);
	if (rc == RBL_OK && p->count == 0) {
		set_err(err, errlen, "%s:%u: %s", path, 0, "no rules in file");
		rc = RBL_ESYNTAX;
	}
	if (rc != RBL_OK) {
		rbl_psl_free(p);
		return rc;
	}
	*out = p;
	return RBL_OK;
}

void rbl_psl_free(rbl_psl *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p->arena);
	free(p);
}

size_t rbl_psl_count(const rbl_psl *p)
{
	return p->count;
}

static uint8_t rule_kinds(const rbl_psl *p, const char *s, size_t len)
{
	const psl_slot *sl = find_slot(p, s, len);
	return sl->off ? sl->kinds : 0;
}

/* Label start offsets of NAME; returns the count or 0 on a bad name. */
static size_t split_labels(const char *name, size_t len, size_t *starts,
			   size_t max)
{
	size_t n = 0, i = 0;
	if (len == 0)
		return 0;
	while (i < len) {
		if (n == max || name[i] == '.')
			return 0;	/* too many labels, or empty label */
		starts[n++] = i;
		const char *dot = memchr(name + i, '.', len - i);
		if (!dot)
			break;
		i = (size_t)(dot - name) + 1;
		if (i == len)
			return 0;	/* "a." after trimming: empty label */
	}
	return n;
}

/* Index of the first label of the public suffix of NAME. */
static size_t suffix_label(const rbl_psl *p, const char *name, size_t len,
			   const size_t *starts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t k = rule_kinds(p, name + starts[i], len - starts[i]);
		if (k & RULE_EXCEPT)
			return i + 1;
		if (k & RULE_EXACT)
			return i;
		if (i + 1 < n && (rule_kinds(p, name + starts[i + 1],
					     len - starts[i + 1]) & RULE_WILD))
			return i;
	}
	return n - 1;	/* the implicit "*" rule */
}

bool rbl_psl_known_tld(const rbl_psl *p, const char *name, size_t len)
{
	const char *dot;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return false;
	dot = memrchr(name, '.', len);
	if (dot) {
		len -= (size_t)(dot + 1 - name);
		name = dot + 1;
	}
	return len > 0 && (rule_kinds(p, name, len) & (RULE_EXACT | RULE_WILD));
}

int rbl_psl_suffix(const rbl_psl *p, const char *name, size_t len,
		   size_t *start)
{
	size_t starts[128];
	if (len > 0 && name[len - 1] == '.')
		len--;
	size_t n = split_labels(name, len, starts, 128);
	if (n == 0)
		return RBL_EINVAL;
	size_t i = suffix_label(p, name, len, starts, n);
	*start = i < n ? starts[i] : len;
	return RBL_OK;
}

int rbl_psl_registered(const rbl_psl *p, const char *name, size_t len,
		       size_t *start)
{
	size_t starts[128];
	if (len > 0 && name[len - 1] == '.')
		len--;
	size_t n = split_labels(name, len, starts, 128);
	if (n == 0)
		return RBL_EINVAL;
	size_t i = suffix_label(p, name, len, starts, n);
	if (i == 0)
		return RBL_ENOTFOUND;
	*start = starts[i - 1];
	return RBL_OK;
}
