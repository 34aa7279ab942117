/*
 * rdns_embed.c -- recognise an address written into its PTR name.
 *
 * IPv4 works on the name's maximal digit runs.  Each run may stand for one
 * octet (1-3 digits, maybe zero-padded) or several (zero-padded octets run
 * together); runs joined by one separator form a chain that must follow
 * the address forwards or backwards.  The best chain from every run is
 * computed, then chains are picked greedily, largest first, without
 * overlap.  Hex and integer forms are searched for directly: the address
 * is known, so every candidate is a string compare.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdns_embed.h"

#define MAX_RUNS 64

typedef struct digit_run {
	uint16_t start, len;
} digit_run;

typedef struct chain {
	uint16_t first, last;	/* run indexes */
	uint8_t octets, flags, n_octets;
	char sep;
	bool merged;
} chain;

/* Search state for one name. */
typedef struct embed_scan {
	char name[256];
	size_t len;
	uint8_t o[4];
	bool used[256];		/* bytes already part of an embedding */
	rbl_embed *out;
	size_t n, max;
} embed_scan;

static bool is_sep(char c)
{
	return c == '.' || c == '-' || c == '_';
}

static unsigned popcount4(unsigned v)
{
	return (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1);
}

static unsigned run_value(const char *s, size_t len)
{
	unsigned v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

static bool span_free(const embed_scan *sc, size_t start, size_t end)
{
	for (size_t i = start; i < end; i++)
		if (sc->used[i])
			return false;
	return true;
}

static void add_embed(embed_scan *sc, size_t start, size_t end, int form,
		      unsigned flags, unsigned octets, char sep)
{
	if (sc->n == sc->max || !span_free(sc, start, end))
		return;
	memset(sc->used + start, 1, end - start);
	sc->out[sc->n++] = (rbl_embed){ (uint16_t)start, (uint16_t)end,
		(uint8_t)form, (uint8_t)flags, (uint8_t)octets, sep };
}

/* ------------------------------------------------------ string forms */

static bool is_hex(char c)
{
	return isxdigit((unsigned char)c) != 0;
}

/* Mark every occurrence of PAT bounded by non-hex characters. */
static void find_bounded(embed_scan *sc, const char *pat, int form,
			 unsigned octets)
{
	size_t pl = strlen(pat);
	for (const char *p = sc->name; (p = strstr(p, pat)) != NULL; p++) {
		size_t at = (size_t)(p - sc->name);
		if (at > 0 && is_hex(sc->name[at - 1]))
			continue;
		if (at + pl < sc->len && is_hex(sc->name[at + pl]))
			continue;
		add_embed(sc, at, at + pl, form, 0, octets, 0);
	}
}

static void find_hex4(embed_scan *sc)
{
	char pat[16];
	const uint8_t *o = sc->o;
	snprintf(pat, sizeof(pat), "%02x%02x%02x%02x", o[0], o[1], o[2], o[3]);
	find_bounded(sc, pat, RBL_EMBED_HEX, RBL_EMBED_FULL);
	snprintf(pat, sizeof(pat), "%02x%02x%02x", o[1], o[2], o[3]);
	find_bounded(sc, pat, RBL_EMBED_HEX, 0x0e);
}

static void find_v6(embed_scan *sc, const rbl_addr *a)
{
	char text[INET6_ADDRSTRLEN], pat[48];
	const uint8_t *b = a->bytes;
	if (!inet_ntop(AF_INET6, b, text, sizeof(text)))
		return;
	for (char *c = text; *c; c++)
		if (*c == ':')
			*c = '-';
	find_bounded(sc, text, RBL_EMBED_V6, RBL_EMBED_FULL);
	size_t n = 0;
	for (int i = 0; i < 16; i += 2)
		n += (size_t)snprintf(pat + n, sizeof(pat) - n, "%s%02x%02x",
				      i ? "-" : "", b[i], b[i + 1]);
	find_bounded(sc, pat, RBL_EMBED_V6, RBL_EMBED_FULL);
	n = 0;
	for (int i = 0; i < 16; i++)
		n += (size_t)snprintf(pat + n, sizeof(pat) - n, "%02x", b[i]);
	find_bounded(sc, pat, RBL_EMBED_V6, RBL_EMBED_FULL);
}

/* ------------------------------------------------------- digit runs */

static size_t collect_runs(const embed_scan *sc, digit_run *runs)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->len && n < MAX_RUNS;) {
		if (!isdigit((unsigned char)sc->name[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < sc->len && isdigit((unsigned char)sc->name[j]))
			j++;
		runs[n++] = (digit_run){ (uint16_t)i, (uint16_t)(j - i) };
		i = j;
	}
	return n;
}

/* How many octets run R stands for, starting at octet POS and moving by
 * DIR; 0 if none.  *PADDED is set when a zero-padded octet was used. */
static int match_run(const embed_scan *sc, const digit_run *r, int pos,
		     int dir, bool *padded)
{
	const char *s = sc->name + r->start;
	if (r->len <= 3) {
		if (run_value(s, r->len) != sc->o[pos])
			return 0;
		if (r->len > 1 && s[0] == '0')
			*padded = true;
		return 1;
	}
	if (r->len % 3 != 0 || r->len > 12)
		return 0;
	int k = r->len / 3;
	for (int j = 0; j < k; j++) {
		int p = pos + j * dir;
		if (p < 0 || p > 3 || run_value(s + 3 * j, 3) != sc->o[p])
			return 0;
	}
	*padded = true;
	return k;
}

static char chain_sep(char have, char c)
{
	return have == 0 || have == c ? c : '+';
}

/* The chain of runs from FIRST that follows the address from octet START
 * in direction DIR. */
static chain follow(const embed_scan *sc, const digit_run *runs, size_t n,
		    size_t first, int start, int dir)
{
	chain c = { (uint16_t)first, (uint16_t)first, 0, 0, 0, 0, false };
	bool padded = false;
	int pos = start;
	for (size_t j = first; j < n; j++) {
		if (!span_free(sc, runs[j].start, runs[j].start + runs[j].len))
			break;
		int k = match_run(sc, &runs[j], pos, dir, &padded);
		if (k == 0)
			break;
		for (int i = 0; i < k; i++)
			c.octets |= (uint8_t)(1u << (pos + i * dir));
		c.n_octets = (uint8_t)(c.n_octets + k);
		c.merged |= k > 1;
		c.last = (uint16_t)j;
		pos += k * dir;
		size_t gap = runs[j].start + runs[j].len;
		if (pos < 0 || pos > 3 || j + 1 == n ||
		    runs[j + 1].start != gap + 1 || !is_sep(sc->name[gap]))
			break;
		c.sep = chain_sep(c.sep, sc->name[gap]);
	}
	if (dir < 0 && c.n_octets > 1)
		c.flags |= RBL_EMBED_REVERSED;
	if (padded)
		c.flags |= RBL_EMBED_PADDED;
	return c;
}

/* Larger chains first; on a tie, the one that holds the last octet. */
static bool chain_better(const chain *a, const chain *b)
{
	if (a->n_octets != b->n_octets)
		return a->n_octets > b->n_octets;
	return (a->octets & 8) && !(b->octets & 8);
}

static chain best_chain(const embed_scan *sc, const digit_run *runs,
			size_t n, size_t first)
{
	chain best = { 0 };
	for (int dir = 1; dir >= -1; dir -= 2) {
		for (int start = 0; start < 4; start++) {
			chain c = follow(sc, runs, n, first, start, dir);
			if (c.n_octets > 0 && chain_better(&c, &best))
				best = c;
		}
	}
	return best;
}

static void add_chain(embed_scan *sc, const digit_run *runs, const chain *c)
{
	size_t start = runs[c->first].start;
	size_t end = runs[c->last].start + runs[c->last].len;
	int form = c->first == c->last ? RBL_EMBED_MERGED : RBL_EMBED_SEQ;
	add_embed(sc, start, end, form, c->flags, c->octets,
		  form == RBL_EMBED_SEQ ? c->sep : 0);
}

/* Pick chains of at least two octets, largest first, until none is left. */
static void find_chains(embed_scan *sc, const digit_run *runs, size_t n)
{
	for (;;) {
		chain best = { 0 };
		for (size_t i = 0; i < n; i++) {
			chain c = best_chain(sc, runs, n, i);
			if (c.n_octets >= 2 && chain_better(&c, &best))
				best = c;
		}
		if (best.n_octets < 2 || sc->n == sc->max)
			return;
		add_chain(sc, runs, &best);
	}
}

/* Whole-run numbers: the integer form and unpadded merged octets. */
static void find_numbers(embed_scan *sc, const digit_run *runs, size_t n)
{
	const uint8_t *o = sc->o;
	uint32_t v = (uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 |
		     (uint32_t)o[2] << 8 | o[3];
	char integer[16], fwd[16], rev[16];
	snprintf(integer, sizeof(integer), "%u", v);
	snprintf(fwd, sizeof(fwd), "%u%u%u%u", o[0], o[1], o[2], o[3]);
	snprintf(rev, sizeof(rev), "%u%u%u%u", o[3], o[2], o[1], o[0]);
	for (size_t i = 0; i < n; i++) {
		const char *s = sc->name + runs[i].start;
		size_t len = runs[i].len, end = runs[i].start + len;
		if (len < 6)
			continue;
		if (len == strlen(integer) && memcmp(s, integer, len) == 0)
			add_embed(sc, runs[i].start, end, RBL_EMBED_INTEGER, 0,
				  RBL_EMBED_FULL, 0);
		else if (len == strlen(fwd) && memcmp(s, fwd, len) == 0)
			add_embed(sc, runs[i].start, end, RBL_EMBED_MERGED, 0,
				  RBL_EMBED_FULL, 0);
		else if (len == strlen(rev) && memcmp(s, rev, len) == 0)
			add_embed(sc, runs[i].start, end, RBL_EMBED_MERGED,
				  RBL_EMBED_REVERSED, RBL_EMBED_FULL, 0);
	}
}

/* A lone run equal to the last octet ("host142", "w142"). */
static void find_last_octet(embed_scan *sc, const digit_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const digit_run *r = &runs[i];
		if (r->len > 3 || run_value(sc->name + r->start, r->len) !=
				  sc->o[3])
			continue;
		unsigned flags = r->len > 1 && sc->name[r->start] == '0' ?
				 RBL_EMBED_PADDED : 0;
		add_embed(sc, r->start, r->start + r->len, RBL_EMBED_OCTET,
			  flags, 0x08, 0);
	}
}

static int cmp_start(const void *a, const void *b)
{
	const rbl_embed *x = a, *y = b;
	return (int)x->start - (int)y->start;
}

size_t rbl_embed_find(const rbl_addr *a, const char *name, size_t len,
		      rbl_embed *out, size_t max)
{
	embed_scan sc = { 0 };
	if (len > 255)
		len = 255;
	memset(sc.used, 0, sizeof(sc.used));
	for (size_t i = 0; i < len; i++)
		sc.name[i] = (char)tolower((unsigned char)name[i]);
	sc.name[len] = '\0';
	sc.len = len;
	sc.out = out;
	sc.n = 0;
	sc.max = max;
	if (a->family == RBL_AF6) {
		find_v6(&sc, a);
	} else {
		digit_run runs[MAX_RUNS];
		memcpy(sc.o, a->bytes, 4);
		find_hex4(&sc);
		size_t n = collect_runs(&sc, runs);
		find_numbers(&sc, runs, n);
		find_chains(&sc, runs, n);
		find_last_octet(&sc, runs, n);
	}
	qsort(out, sc.n, sizeof(*out), cmp_start);
	return sc.n;
}

unsigned rbl_embed_cover(const rbl_embed *e, size_t n, size_t limit)
{
	unsigned cover = 0;
	for (size_t i = 0; i < n; i++)
		if (e[i].end <= limit)
			cover |= e[i].octets;
	return cover;
}

static const char *form_text(const rbl_embed *e)
{
	switch (e->form) {
	case RBL_EMBED_SEQ:
		switch (e->sep) {
		case '.': return "dotted";
		case '-': return "dashed";
		case '_': return "underscored";
		default: return "mixed separators";
		}
	case RBL_EMBED_MERGED:	return "merged octets";
	case RBL_EMBED_INTEGER:	return "integer";
	case RBL_EMBED_HEX:	return "hex";
	case RBL_EMBED_OCTET:	return "last octet";
	case RBL_EMBED_V6:	return "IPv6 groups";
	}
	return "?";
}

static const char *cover_text(unsigned octets)
{
	switch (octets) {
	case 0x0f: return "whole address";
	case 0x0e: return "last 3 octets";
	case 0x0c: return "last 2 octets";
	case 0x08: return "last octet";
	case 0x07: return "first 3 octets";
	case 0x03: return "first 2 octets";
	}
	return popcount4(octets) >= 2 ? "some octets" : "one octet";
}

char *rbl_embed_describe(const rbl_embed *e, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s, %s", form_text(e),
		 e->flags & RBL_EMBED_REVERSED ? ", reversed" : "",
		 e->flags & RBL_EMBED_PADDED ? ", zero-padded" : "",
		 cover_text(e->octets));
	return buf;
}
