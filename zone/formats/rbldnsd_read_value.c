/*
 * rbldnsd_read_value.c -- the values of rbldnsd entries: ":A:TXT", the
 * default line that sets them for the lines after it, and the TXT turned
 * into rbld's template language with rbldnsd's `$n` and `$=`
 * substitutions applied (see rbldnsd_fmt.h for what comes out).
 */
#include <ctype.h>
#include <string.h>

#include "zone/error.h"
#include "zone/formats/rbldnsd_read_impl.h"

#define DS_DEFAULT_CODE	0x7f000002u

/* ---- templates ---- */

typedef struct tpl {
	char s[RBL_TXT_MAX + 1];
	size_t len;
	bool cut;
} tpl;

static void tpl_put(tpl *t, const char *s, size_t n)
{
	if (t->cut || t->len + n > RBL_TXT_MAX) {
		t->cut = true;
		return;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* Text that must come out as is: '$' doubled. */
static void tpl_literal(tpl *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tpl_put(t, s[i] == '$' ? "$$" : &s[i], s[i] == '$' ? 2 : 1);
}

static void tpl_subject(tpl *t, const char *name)
{
	if (name)
		tpl_literal(t, name, strlen(name));
	else
		tpl_put(t, "$", 1);
}

static const ds_vars *var_scope(const ds_parser *p, int var)
{
	const ds_vars *local = p->section >= 0 &&
		(size_t)p->section + 1 < p->n_scopes ?
		&p->scopes[p->section + 1] : NULL;

	if (var < 10) {
		if (local && local->var[var])
			return local;
		return p->scopes[0].var[var] ? &p->scopes[0] : NULL;
	}
	if (local && local->base)
		return local;
	return p->scopes[0].base ? &p->scopes[0] : NULL;
}

/* Convert rbldnsd template S (N bytes) into T.  NAME replaces the subject
 * (dnset) when not NULL.  INS is what `$=` stands for (base templates). */
static void tpl_convert(const ds_parser *p, tpl *t, const char *s, size_t n,
			const char *name, const char *ins, size_t ins_len)
{
	for (size_t i = 0; i < n; i++) {
		const ds_vars *v;
		char c = s[i];

		if (c != '$') {
			tpl_put(t, &s[i], 1);
			continue;
		}
		c = i + 1 < n ? s[i + 1] : '\0';
		if (c == '$') {
			tpl_put(t, "$$", 2);
			i++;
		} else if (isdigit((unsigned char)c)) {
			v = var_scope(p, c - '0');
			if (v)
				tpl_literal(t, v->var[c - '0'],
					    v->var_len[c - '0']);
			else	/* undefined: rbldnsd prints it as is */
				tpl_literal(t, s + i, 2);
			i++;
		} else if (c == '=' && ins) {
			if (ins_len)
				tpl_literal(t, ins, ins_len);
			else
				tpl_subject(t, name);
			i++;
		} else {
			tpl_subject(t, name);
		}
	}
}

/* The final template for raw entry text RAW (LEN bytes; LEN 0 = none). */
static void make_txt(ds_parser *p, const char *raw, size_t len,
		     const char *name, tpl *t)
{
	const ds_vars *b = var_scope(p, 10);

	memset(t, 0, sizeof(*t));
	if (b && !(len && raw[0] == '='))
		tpl_convert(p, t, b->base, b->base_len, name, raw, len);
	else if (len && raw[0] == '=')
		tpl_convert(p, t, raw + 1, len - 1, name, NULL, 0);
	else
		tpl_convert(p, t, raw, len, name, NULL, 0);
	if (t->cut && !p->warned_cut) {
		ds_warn(p, "TXT longer than %d bytes after substitution; cut",
			RBL_TXT_MAX);
		p->warned_cut = true;
	}
}

/* ---- values ---- */

enum txt_mode { TXT_DEFAULT, TXT_NONE, TXT_OWN };

typedef struct ds_value {
	uint32_t code;
	int mode;
	const char *txt;	/* TXT_OWN: raw text */
	size_t txt_len;
} ds_value;

/* Parse ":A[:TXT]" or bare "TXT" at S (blanks skipped, not a comment). */
static int parse_value(ds_parser *p, char *s, uint32_t def_code,
		       ds_value *v)
{
	v->code = def_code;
	v->mode = TXT_OWN;
	if (*s == ':') {
		char *e = ++s;

		while (isdigit((unsigned char)*e) || *e == '.')
			e++;
		if (rbl_ds_parse_code(s, (size_t)(e - s), &v->code) != RBL_OK)
			return ds_error(p, "\"%.*s\" is not an A value (like 2 "
				     "or 127.0.0.2)", (int)(e - s), s);
		if (v->code >> 24 != 127)
			return ds_error(p, "A value %.*s is outside 127.0.0.0/8 "
				     "(DNSBL answers are loopback addresses)",
				     (int)(e - s), s);
		s = skip_space(e);
		if (*s == ':')
			s = skip_space(s + 1);
		else if (*s == '\0' || *s == '#')
			v->mode = TXT_DEFAULT;
		else
			return ds_error(p, "after the A value, expected ':' and "
				     "the TXT (found \"%s\")", s);
	}
	if (v->mode == TXT_OWN && (*s == '\0' || *s == '#'))
		v->mode = TXT_NONE;
	v->txt = s;
	v->txt_len = strlen(s);
	if (v->txt_len > RBL_TXT_MAX)
		v->txt_len = RBL_TXT_MAX;	/* rbldnsd cuts it too */
	return RBL_OK;
}

/* Fill p->rec.entry from V.  NAME: the dnset subject, else NULL. */
static void set_entry_value(ds_parser *p, const ds_value *v,
			    const char *name)
{
	rbl_entry *e = &p->rec.entry;
	bool is_default = v->mode == TXT_DEFAULT;
	const char *raw = v->txt;
	size_t len = v->mode == TXT_OWN ? v->txt_len : 0;
	tpl t = { 0 };

	e->n_codes = 1;
	e->codes[0] = v->code;
	e->flags |= RBL_ENTRY_HAS_TXT;
	if (is_default && !name && p->def_tpl_valid) {
		memcpy(e->txt, p->def_tpl, p->def_tpl_len + 1);
		return;
	}
	if (is_default) {
		raw = p->def_txt;
		len = p->def_has_txt ? strlen(p->def_txt) : 0;
	}
	memset(&t, 0, sizeof(t));
	/* with a $= base template even "no TXT" gives one */
	if (len || var_scope(p, 10))
		make_txt(p, raw ? raw : "", len, name, &t);
	memcpy(e->txt, t.s, t.len + 1);
	if (is_default && !name) {
		memcpy(p->def_tpl, t.s, t.len + 1);
		p->def_tpl_len = t.len;
		p->def_tpl_valid = true;
	}
}

void ds_reset_default(ds_parser *p)
{
	p->def_code = DS_DEFAULT_CODE;
	p->def_has_txt = false;
	p->def_txt[0] = '\0';
	p->def_tpl_valid = false;
}

/* A line starting with ':' sets the default A and TXT. */
int ds_default_line(ds_parser *p, char *s)
{
	ds_value v = { 0 };
	int rc = parse_value(p, s, DS_DEFAULT_CODE, &v);

	if (rc != RBL_OK)
		return rc;
	p->def_code = v.code;
	p->def_has_txt = v.mode == TXT_OWN;
	memcpy(p->def_txt, v.txt, p->def_has_txt ? v.txt_len : 0);
	p->def_txt[p->def_has_txt ? v.txt_len : 0] = '\0';
	p->def_tpl_valid = false;
	return RBL_OK;
}

/* ---- the value part of entry lines ---- */

/* The value part of an entry line (after the address), for types that
 * take per-entry values. */
int ds_entry_value(ds_parser *p, char *rest, const char *name)
{
	ds_value v = { p->def_code, TXT_DEFAULT, NULL, 0 };
	int rc;

	if (p->rec.entry.flags & RBL_ENTRY_EXCLUDE)
		return RBL_OK;	/* rbldnsd ignores values of exclusions */
	rest = skip_space(rest);
	if (*rest && !is_comment(*rest)) {
		rc = parse_value(p, rest, p->def_code, &v);
		if (rc != RBL_OK)
			return rc;
	}
	set_entry_value(p, &v, name);
	return RBL_OK;
}

/* tset types: one value for the whole file; per-entry values ignored. */
int ds_tset_value(ds_parser *p, char *rest)
{
	ds_value v = { p->def_code, TXT_DEFAULT, NULL, 0 };

	if (p->rec.entry.flags & RBL_ENTRY_EXCLUDE)
		return RBL_OK;
	rest = skip_space(rest);
	if (*rest && !is_comment(*rest) && !p->warned_tset_value) {
		ds_warn(p, "%s ignores per-entry values (as rbldnsd does); "
			"use ip4set/ip4trie/ip6trie for those",
			rbl_ds_type_name(p->type));
		p->warned_tset_value = true;
	}
	set_entry_value(p, &v, NULL);
	return RBL_OK;
}
