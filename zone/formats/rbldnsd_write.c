/*
 * rbldnsd_write.c -- write stored lists and zones as rbldnsd data (see
 * rbldnsd_fmt.h).
 *
 * IP entries are written as ip4trie/ip6trie lines: both rbldnsd's tries
 * and the store answer with the longest matching prefix, exclusions
 * included, so the stored entries can be written as they are.  Where
 * rbldnsd's syntax cannot say what an entry says (several A values for
 * one trie entry, a TXT that rbldnsd would read differently), the entry
 * is written as closely as possible and reported through WARN.
 *
 * Entries with several A values: a trie entry holds one value, but in a
 * combined file several datasets attached to the same subzone all answer.
 * So the k-th A values go into an extra dataset that holds every entry of
 * the list, the ones with fewer values as exclusions: longest-prefix
 * matching then picks the same entry in each dataset, and the answer is
 * the entry's full set of A records (the TXT comes from the first).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/formats/rbldnsd_fmt.h"

typedef struct ds_writer {
	FILE *f;
	rbl_txn *t;
	const rbl_list *l;
	int64_t now;
	void (*warn)(void *arg, const char *text);
	void *arg;
	rbl_ds_writer_stats *st;
	bool have4, have6;
	unsigned max_codes;	/* most A values of one entry */
	unsigned k;		/* writing the k-th A value (0: the first) */
} ds_writer;

static void lossy(ds_writer *w, const char *what, const char *why)
{
	char text[600];

	w->st->lossy++;
	if (!w->warn)
		return;
	snprintf(text, sizeof(text), "%s %s: %s", w->l->name, what, why);
	w->warn(w->arg, text);
}

/* Why rbldnsd would read TXT differently from the store, or NULL. */
static const char *txt_problem(const char *txt, bool wildcard_name)
{
	size_t len = strlen(txt);

	if (len && (isspace((unsigned char)txt[0]) ||
		    isspace((unsigned char)txt[len - 1])))
		return "rbldnsd drops leading and trailing blanks of a TXT";
	if (txt[0] == '#')
		return "rbldnsd reads a TXT starting with # as a comment";
	for (size_t i = 0; i < len; i++) {
		if (txt[i] == '\n' || txt[i] == '\r')
			return "rbldnsd cannot hold a line break in a TXT";
		if (txt[i] != '$')
			continue;
		if (txt[i + 1] == '$') {
			i++;
			continue;
		}
		if (isdigit((unsigned char)txt[i + 1]) || txt[i + 1] == '=')
			return "rbldnsd reads $<digit> and $= as variables";
		if (wildcard_name)
			return "rbldnsd puts the listed name, not the queried"
			       " one, for $ in a wildcard's TXT";
	}
	return NULL;
}

static void put_txt(ds_writer *w, const char *txt)
{
	for (const char *p = txt; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, w->f);
}

/* The value part of an entry line (after the key), "" when the entry
 * uses both list defaults. */
static void put_value(ds_writer *w, const rbl_entry *e, const char *what,
		      bool wildcard_name)
{
	char code[16];
	const char *why;

	if (e->n_codes == 0 && !(e->flags & RBL_ENTRY_HAS_TXT)) {
		fputc('\n', w->f);
		return;
	}
	fprintf(w->f, " :%s", rbl_code_format(e->n_codes ? e->codes[0] :
					      w->l->default_code, code));
	if (e->flags & RBL_ENTRY_HAS_TXT) {
		fputc(':', w->f);
		why = txt_problem(e->txt, wildcard_name);
		if (why)
			lossy(w, what, why);
		put_txt(w, e->txt);
	} else if (wildcard_name && w->l->has_default_txt &&
		   (why = txt_problem(w->l->default_txt, true))) {
		lossy(w, what, why);
	}
	fputc('\n', w->f);
}

static bool expired(const ds_writer *w, const rbl_entry *e)
{
	return e->expires && e->expires <= w->now;
}

/* In the dataset of the k-th A values (k > 0): "KEY :code:" for entries
 * that have one, "!KEY" for all others. */
static int put_kth(ds_writer *w, const char *key, const rbl_entry *e)
{
	char code[16];

	if (!(e->flags & RBL_ENTRY_EXCLUDE) && e->n_codes > w->k)
		fprintf(w->f, "%s :%s:\n", key,
			rbl_code_format(e->codes[w->k], code));
	else
		fprintf(w->f, "!%s\n", key);
	return ferror(w->f) ? RBL_EIO : 0;
}

static int put_ip(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	ds_writer *w = arg;
	char buf[RBL_ADDR_STRLEN];

	if (expired(w, e)) {
		if (!w->k)
			w->st->skipped++;
		return 0;
	}
	rbl_prefix_format(p, buf);
	/* a host is written with its length: ip4trie wants prefixes */
	if (!strchr(buf, '/'))
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%u",
			 p->len);
	if (w->k)
		return put_kth(w, buf, e);
	w->st->entries++;
	if (e->flags & RBL_ENTRY_EXCLUDE) {
		fprintf(w->f, "!%s\n", buf);
		return 0;
	}
	fputs(buf, w->f);
	put_value(w, e, buf, false);
	return ferror(w->f) ? RBL_EIO : 0;
}

static int put_name(void *arg, const char *name, const rbl_entry *e)
{
	ds_writer *w = arg;
	bool exact = e->flags & RBL_ENTRY_NAME_EXACT;
	bool subs = e->flags & RBL_ENTRY_NAME_SUBS;
	char key[RBL_NAME_MAX + 3];

	if (expired(w, e)) {
		if (!w->k)
			w->st->skipped++;
		return 0;
	}
	snprintf(key, sizeof(key), "%s%s", subs ? (exact ? "." : "*.") : "",
		 name);
	if (w->k)
		return put_kth(w, key, e);
	w->st->entries++;
	if (e->flags & RBL_ENTRY_EXCLUDE) {
		fprintf(w->f, "!%s\n", key);
		return 0;
	}
	fputs(key, w->f);
	put_value(w, e, key, subs);
	return ferror(w->f) ? RBL_EIO : 0;
}

static int seen(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	(void)arg;
	(void)p;
	(void)e;
	return 1;	/* one is enough */
}

static int count_codes_ip(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	ds_writer *w = arg;

	(void)p;
	if (!expired(w, e) && e->n_codes > w->max_codes)
		w->max_codes = e->n_codes;
	return 0;
}

static int count_codes_name(void *arg, const char *name, const rbl_entry *e)
{
	(void)name;
	return count_codes_ip(arg, NULL, e);
}

static void whole_family(rbl_prefix *p, uint8_t family)
{
	memset(p, 0, sizeof(*p));
	p->addr.family = family;
}

/* Which families list L holds. */
static int families(ds_writer *w)
{
	rbl_prefix all = { 0 };
	int rc;

	whole_family(&all, RBL_AF4);
	rc = rbl_ip_foreach(w->t, w->l->id, &all, seen, NULL);
	if (rc < 0 && rc != RBL_ENOTFOUND)
		return rc;
	w->have4 = rc == 1;
	whole_family(&all, RBL_AF6);
	rc = rbl_ip_foreach(w->t, w->l->id, &all, seen, NULL);
	if (rc < 0 && rc != RBL_ENOTFOUND)
		return rc;
	w->have6 = rc == 1;
	return RBL_OK;
}

static void put_default(ds_writer *w)
{
	char code[16];

	fprintf(w->f, ":%s:", rbl_code_format(w->l->default_code, code));
	if (w->l->has_default_txt) {
		const char *why = txt_problem(w->l->default_txt, false);

		if (why)
			lossy(w, "default TXT", why);
		put_txt(w, w->l->default_txt);
	}
	fputc('\n', w->f);
}

static const char *type_of(uint8_t family)
{
	return family == RBL_AF4 ? "ip4trie" : family == RBL_AF6 ? "ip6trie" :
	       "dnset";
}

/* One dataset: "$DATASET type:name subs" when SUBS is not NULL, then the
 * default and the entries of FAMILY (0 = names); with w->k > 0 the
 * dataset of the k-th A values. */
static int put_dataset(ds_writer *w, uint8_t family, const char *subs)
{
	rbl_prefix all = { 0 };

	if (w->k)
		fprintf(w->f, "\n$DATASET %s:%s.a%u %s\n", type_of(family),
			w->l->name, w->k + 1, subs);
	else if (subs)
		fprintf(w->f, "\n$DATASET %s:%s %s\n", type_of(family),
			w->l->name, subs);
	else
		fprintf(w->f, "# rbldnsd %s data of rbld list %s\n",
			type_of(family), w->l->name);
	if (!w->k)
		put_default(w);
	if (!family)
		return rbl_name_foreach(w->t, w->l->id, put_name, w);
	whole_family(&all, family);
	return rbl_ip_foreach(w->t, w->l->id, &all, put_ip, w);
}

/* FAMILY's dataset and, for entries with several A values, one more per
 * extra value. */
static int put_family(ds_writer *w, uint8_t family, const char *subs)
{
	int rc = RBL_OK;

	for (w->k = 0; rc == RBL_OK && w->k < (w->max_codes ?
						 w->max_codes : 1); w->k++)
		rc = put_dataset(w, family, subs);
	w->k = 0;
	return rc;
}

static int scan(ds_writer *w)
{
	int rc = rbl_list_kind_is_name(w->l->kind) ?
		 rbl_name_foreach(w->t, w->l->id, count_codes_name, w) :
		 rbl_ip_foreach(w->t, w->l->id, NULL, count_codes_ip, w);

	if (rc != RBL_OK || rbl_list_kind_is_name(w->l->kind))
		return rc;
	rc = families(w);
	if (rc == RBL_OK && !w->have4 && !w->have6)
		w->have4 = true;	/* an empty list: an empty ip4trie */
	return rc;
}

/* The datasets of list L attached under SUBS ("@ sub ..."), or a file of
 * its own when SUBS is NULL. */
static int put_list(ds_writer *w, const char *subs)
{
	int rc = scan(w);

	if (rc != RBL_OK)
		return rc;
	if (!subs && (w->max_codes > 1 || (w->have4 && w->have6))) {
		fprintf(w->f, "# rbld list %s needs several datasets: load "
			"this file as zone:combined:FILE\n", w->l->name);
		subs = "@";
	}
	if (rbl_list_kind_is_name(w->l->kind))
		return put_family(w, 0, subs);
	if (w->have4 && (rc = put_family(w, RBL_AF4, subs)) != RBL_OK)
		return rc;
	if (w->have6)
		rc = put_family(w, RBL_AF6, subs);
	return rc;
}

static int finish(FILE *f, int rc)
{
	if (rc == RBL_OK && (fflush(f) != 0 || ferror(f)))
		rc = RBL_EIO;
	return rc;
}

int rbl_ds_write_list(FILE *f, rbl_txn *t, const rbl_list *l, int64_t now,
		      void (*warn)(void *arg, const char *text), void *arg,
		      rbl_ds_writer_stats *st)
{
	rbl_ds_writer_stats local = { 0 };
	ds_writer w = { f, t, l, now, warn, arg, st ? st : &local, 0, 0, 0,
			0 };

	memset(w.st, 0, sizeof(*w.st));
	return finish(f, put_list(&w, NULL));
}

static void put_zone_head(FILE *f, const rbl_zone *z)
{
	fprintf(f, "# rbldnsd combined data of rbld zone %s: load it as "
		"%s:combined:FILE\n", z->name, z->name);
	fprintf(f, "$SOA %u %s. %s. %u %u %u %u %u\n", z->ns_ttl, z->mname,
		z->rname, z->serial, z->refresh, z->retry, z->expire,
		z->minimum);
	if (z->n_ns) {
		fprintf(f, "$NS %u", z->ns_ttl);
		for (unsigned i = 0; i < z->n_ns; i++)
			fprintf(f, " %s.", z->ns[i]);
		fputc('\n', f);
	}
	fprintf(f, "$TTL %u\n", z->ttl);
}

/* "@ sub ..." for every attachment of list ID to Z. */
static void subs_of(const rbl_zone *z, uint32_t id, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < z->n_lists && used < len; i++)
		if (z->lists[i].list_id == id)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
				used ? " " : "", z->lists[i].sub[0] ?
				z->lists[i].sub : "@");
}

static bool written_before(const rbl_zone *z, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (z->lists[j].list_id == z->lists[i].list_id)
			return true;
	return false;
}

/* The sub-label of Z's lists that OWNER is at or under ("" if none):
 * rbldnsd looks a name up only in the datasets of its longest subzone,
 * so records under "relays" must be in a section attached to "relays". */
static const char *owner_sub(const rbl_zone *z, const char *owner)
{
	size_t on = strlen(owner);

	for (unsigned i = 0; i < z->n_lists; i++) {
		const char *sub = z->lists[i].sub;
		size_t sn = strlen(sub);

		if (sn && on >= sn && strcmp(owner + on - sn, sub) == 0 &&
		    (on == sn || owner[on - sn - 1] == '.'))
			return sub;
	}
	return "";
}

static int put_record(FILE *f, const rbl_zrec *r, const char *sub,
		      void (*warn)(void *arg, const char *text), void *arg,
		      rbl_ds_writer_stats *st)
{
	char value[2 * RBL_ZREC_RDATA_MAX];
	size_t on = strlen(r->owner), sn = strlen(sub);

	if (rbl_zrec_format_value(r, value, sizeof value) < 0)
		return RBL_ESTORE;
	if (on == sn)
		fputc('@', f);
	else
		fprintf(f, "%.*s", (int)(on - sn - (sn ? 1 : 0)), r->owner);
	if (r->ttl)
		fprintf(f, " %u", r->ttl);
	fprintf(f, " %s %s\n", rbl_zrec_type_name(r->type), value);
	st->entries++;
	if (r->type == RBL_ZREC_AAAA) {	/* rbldnsd skips them */
		st->lossy++;
		if (warn)
			warn(arg, "AAAA in generic data: rbldnsd answers "
			     "only A, TXT and MX from it");
	}
	return RBL_OK;
}

/* The zone's fixed records as generic sections: one at the apex, one per
 * sub-label that has records at or under it, owners relative to it. */
static int put_records(FILE *f, rbl_txn *t, const rbl_zone *z,
		       void (*warn)(void *arg, const char *text), void *arg,
		       rbl_ds_writer_stats *st)
{
	rbl_zrec *v = NULL;
	size_t n = 0;
	int rc = rbl_zrec_get(t, z->id, &v, &n);

	for (unsigned s = 0; rc == RBL_OK && s <= z->n_lists; s++) {
		const char *sub = s ? z->lists[s - 1].sub : "";
		bool head = false;

		if (s && (!*sub || strcmp(owner_sub(z, sub), sub) != 0))
			continue;
		for (unsigned e = 1; s && e < s; e++)	/* once per label */
			if (strcmp(z->lists[e - 1].sub, sub) == 0) {
				sub = NULL;
				break;
			}
		for (size_t i = 0; sub && rc == RBL_OK && i < n; i++) {
			if (strcmp(owner_sub(z, v[i].owner), sub) != 0)
				continue;
			if (!head)
				fprintf(f, "$DATASET generic %s\n",
					*sub ? sub : "@");
			head = true;
			rc = put_record(f, &v[i], sub, warn, arg, st);
		}
	}
	free(v);
	return rc;
}

int rbl_ds_write_zone(FILE *f, rbl_txn *t, const rbl_zone *z, int64_t now,
		      void (*warn)(void *arg, const char *text), void *arg,
		      rbl_ds_writer_stats *st)
{
	rbl_ds_writer_stats local = { 0 };
	char subs[RBL_ZONE_MAX_LISTS * (RBL_LABEL_MAX + 2) + 1];
	int rc = RBL_OK;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	put_zone_head(f, z);
	for (unsigned i = 0; rc == RBL_OK && i < z->n_lists; i++) {
		rbl_list l = { 0 };
		ds_writer w = { f, t, &l, now, warn, arg, st, 0, 0, 0, 0 };

		if (written_before(z, i))
			continue;
		rc = rbl_list_get_id(t, z->lists[i].list_id, &l);
		if (rc != RBL_OK)
			break;
		subs_of(z, l.id, subs, sizeof(subs));
		rc = put_list(&w, subs);
	}
	if (rc == RBL_OK)
		rc = put_records(f, t, z, warn, arg, st);
	return finish(f, rc);
}
