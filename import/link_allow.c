/*
 * link_allow.c -- the domains whose links are never evidence (links.h):
 * an open-addressing set of names with a category each.  A lookup tries
 * the host and each parent down to its registered domain, one probe
 * each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/readfile.h"
#include "zone/idna.h"
#include "links.h"

#define ALLOW_FILE_MAX	((size_t)16 << 20)

typedef struct allow_slot {
	char *name;		/* NULL = free */
	uint16_t len;
	uint8_t cat;
} allow_slot;

struct rbl_link_allowset {
	allow_slot *slots;
	size_t mask, count;
};

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static allow_slot *find(const rbl_link_allowset *a, const char *s, size_t n)
{
	size_t i = name_hash(s, n) & a->mask;

	while (a->slots[i].name && (a->slots[i].len != n ||
				    memcmp(a->slots[i].name, s, n) != 0))
		i = (i + 1) & a->mask;
	return &a->slots[i];
}

int rbl_link_allow_new(rbl_link_allowset **out)
{
	rbl_link_allowset *a = calloc(1, sizeof *a);

	if (!a || !(a->slots = calloc(256, sizeof *a->slots))) {
		free(a);
		return RBL_ENOMEM;
	}
	a->mask = 255;
	*out = a;
	return RBL_OK;
}

void rbl_link_allow_free(rbl_link_allowset *a)
{
	if (!a)
		return;
	for (size_t i = 0; i <= a->mask; i++)
		free(a->slots[i].name);
	free(a->slots);
	free(a);
}

static int grow(rbl_link_allowset *a)
{
	size_t n = (a->mask + 1) * 2;
	allow_slot *old = a->slots;
	size_t old_n = a->mask + 1;

	if (!(a->slots = calloc(n, sizeof *a->slots))) {
		a->slots = old;
		return RBL_ENOMEM;
	}
	a->mask = n - 1;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].name)
			*find(a, old[i].name, old[i].len) = old[i];
	free(old);
	return RBL_OK;
}

/* NAME in query form (lowercase, Punycode labels) into OUT; false when
 * it is not a domain name.  ".example.com" is example.com. */
static bool normal_name(const char *name, char *out)
{
	if (name[0] == '.')
		name++;
	return rbl_idna_name(name, out) > 0;
}

/* own beats allow beats redirector: a stronger reason not to list */
static int strength(int cat)
{
	return cat == RBL_LINK_OWN ? 3 : cat == RBL_LINK_ALLOW ? 2 :
	       cat == RBL_LINK_REDIRECTOR ? 1 : 0;
}

int rbl_link_allow_add(rbl_link_allowset *a, const char *name, int cat)
{
	char norm[RBL_NAME_MAX + 1] = { 0 };
	allow_slot *s = NULL;
	int rc = 0;

	if (!normal_name(name, norm) || strength(cat) == 0)
		return RBL_EINVAL;
	if ((a->count + 1) * 2 > a->mask + 1 && (rc = grow(a)))
		return rc;
	s = find(a, norm, strlen(norm));
	if (s->name) {
		if (strength(cat) > strength(s->cat))
			s->cat = (uint8_t)cat;
		return RBL_OK;
	}
	if (!(s->name = strdup(norm)))
		return RBL_ENOMEM;
	s->len = (uint16_t)strlen(norm);
	s->cat = (uint8_t)cat;
	a->count++;
	return RBL_OK;
}

/* One line: "domain [redirector]" with an optional comment. */
static int load_line(rbl_link_allowset *a, char *line, const char *path,
		     unsigned lineno, char *err, size_t errlen)
{
	char *hash = strchr(line, '#'), *name, *word, *rest, *save = NULL;
	int cat = RBL_LINK_ALLOW, rc;

	if (hash)
		*hash = '\0';
	if (!(name = strtok_r(line, " \t\r", &save)))
		return RBL_OK;
	if ((word = strtok_r(NULL, " \t\r", &save))) {
		if (strcmp(word, "redirector") != 0)
			goto bad;
		cat = RBL_LINK_REDIRECTOR;
	}
	if ((rest = strtok_r(NULL, " \t\r", &save)))
		goto bad;
	rc = rbl_link_allow_add(a, name, cat);
	if (rc != RBL_EINVAL)
		return rc;
bad:
	snprintf(err, errlen, "%s:%u: want \"domain\" or \"domain "
		 "redirector\"", path, lineno);
	return RBL_ESYNTAX;
}

int rbl_link_allow_load(rbl_link_allowset *a, const char *path, char *err,
			size_t errlen)
{
	rbl_read_result r = { 0 };
	unsigned lineno = 0;
	char *p = NULL, *nl = NULL;
	int rc = rbl_read_whole(path, 0, ALLOW_FILE_MAX, &r, err, errlen);

	if (rc == RBL_ETOOBIG)
		rc = RBL_EIO;
	if (rc)
		return rc;
	for (p = r.data; rc == RBL_OK && p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		rc = load_line(a, p, path, ++lineno, err, errlen);
	}
	free(r.data);
	return rc;
}

int rbl_link_allow_match(const rbl_link_allowset *a, const char *host,
			 const char *domain)
{
	const char *p = host, *dot = NULL;
	size_t n = strlen(host);

	(void)domain;	/* parents above it count too: an entry for a
			   private suffix covers its customers */
	if (!a || a->count == 0)
		return RBL_LINK_NONE;
	for (;;) {
		const allow_slot *s = find(a, p, n);
		if (s->name)
			return s->cat;
		if (!(dot = memchr(p, '.', n)))
			return RBL_LINK_NONE;
		n -= (size_t)(dot + 1 - p);
		p = dot + 1;
	}
}

size_t rbl_link_allow_count(const rbl_link_allowset *a)
{
	return a->count;
}
