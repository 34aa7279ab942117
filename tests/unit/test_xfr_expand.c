/*
 * test_xfr_expand.c -- the transfer expansion answers like the store.
 *
 * Random entries (nested prefixes of every length, exclusions, codes,
 * TXT with and without '$', IPv4 and IPv6 in digit-only label space,
 * domain names with subtrees and exclusions) in a combined zone with a
 * sub-label.  The records of rbl_xfr_body are loaded into a small
 * resolver that follows RFC 4592 (closest encloser, wildcard, NXDOMAIN),
 * and every query must get the same A and TXT set as the store's
 * lookups give rbld.  Then IXFR: random changes over several commits;
 * the records at the old serial with rbl_xfr_diff's deletions and
 * additions applied must equal the records at the new serial.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/xfr/xfr_expand.h"

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* ------------------------------------------------------------ records */

/* One record as text: "owner|type|rdata" (owner relative, "" = apex). */
typedef struct recset {
	char **v;
	size_t n, cap;
} recset;

static void rs_add(recset *s, const char *text)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = strdup(text);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rs_sort(recset *s)
{
	qsort(s->v, s->n, sizeof *s->v, str_cmp);
}

static void rs_free(recset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static bool rs_has(const recset *s, const char *text)
{
	return bsearch(&text, s->v, s->n, sizeof *s->v, str_cmp) != NULL;
}

static void owner_text(const rbl_xrr *rr, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < rr->owner_len; i += 1u + rr->owner[i]) {
		if (o)
			out[o++] = '.';
		memcpy(out + o, rr->owner + i + 1, rr->owner[i]);
		o += rr->owner[i];
	}
	out[o] = 0;
}

static int collect(void *arg, const rbl_xrr *rr)
{
	char text[1024], owner[512];
	size_t n;

	owner_text(rr, owner);
	n = (size_t)snprintf(text, sizeof text, "%s|%u|", owner, rr->type);
	if (rr->type == 1)
		snprintf(text + n, sizeof text - n, "%u", rr->rdata[3]);
	else if (rr->type == 16)
		snprintf(text + n, sizeof text - n, "%.*s", rr->rdata[0],
			 (const char *)rr->rdata + 1);
	else
		snprintf(text + n, sizeof text - n, "%u bytes", rr->rdlen);
	rs_add(arg, text);
	return 0;
}

/* ------------------------------------------------------------ resolver */

typedef struct zonedb {
	recset recs;		/* sorted records */
	recset names;		/* owners and their ancestors, sorted */
} zonedb;

static void db_build(zonedb *db, recset *recs)
{
	memset(db, 0, sizeof *db);
	db->recs = *recs;
	rs_sort(&db->recs);
	rs_add(&db->names, "");
	for (size_t i = 0; i < db->recs.n; i++) {
		char owner[512], *bar;

		snprintf(owner, sizeof owner, "%s", db->recs.v[i]);
		bar = strchr(owner, '|');
		*bar = 0;
		for (char *p = owner; p;) {
			rs_add(&db->names, p);
			p = strchr(p, '.');
			if (p)
				p++;
		}
	}
	rs_sort(&db->names);
}

static void db_free(zonedb *db)
{
	rs_free(&db->recs);
	rs_free(&db->names);
}

/* Answer A and TXT at the name that answers for QNAME, as
 * "a:2 a:4 t:text..." sorted; "-" for NXDOMAIN or NODATA. */
static void db_answer(const zonedb *db, const char *qname, char *out)
{
	char at[512], key[600], *parts[64];
	unsigned n = 0;
	size_t o = 0;

	snprintf(at, sizeof at, "%s", qname);
	if (!rs_has(&db->names, at)) {
		const char *ce = qname;

		for (;;) {	/* the closest encloser; the apex exists */
			const char *dot = strchr(ce, '.');

			ce = dot ? dot + 1 : "";
			if (rs_has(&db->names, ce))
				break;
		}
		snprintf(at, sizeof at, "*%s%s", *ce ? "." : "", ce);
	}
	for (size_t i = 0; i < db->recs.n && n < 64; i++) {
		const char *r = db->recs.v[i];
		size_t l = strlen(at);

		if (strncmp(r, at, l) != 0 || r[l] != '|')
			continue;
		if (!strncmp(r + l, "|1|", 3))
			snprintf(key, sizeof key, "a:%s", r + l + 3);
		else if (!strncmp(r + l, "|16|", 4))
			snprintf(key, sizeof key, "t:%s", r + l + 4);
		else
			continue;
		parts[n++] = strdup(key);
	}
	qsort(parts, n, sizeof *parts, str_cmp);
	out[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, 4096 - o, "%s%s", i ? " " : "",
				      parts[i]);
		free(parts[i]);
	}
	if (n == 0)
		strcpy(out, "-");
}

/* ------------------------------------------------------------ store side */

typedef struct zlists {
	uint32_t ip1, ip2, sub_ip, names;
	uint32_t n1, n2, n3;	/* nm.test: n1+n2 combined, n3 under "s" */
} zlists;

static void add_answer(char **parts, unsigned *n, const char *p)
{
	for (unsigned i = 0; i < *n; i++)
		if (!strcmp(parts[i], p))
			return;
	parts[(*n)++] = strdup(p);
}

static void match_parts(rbl_txn *t, uint32_t list, const rbl_match *m,
			const char *subject, char **parts, unsigned *n)
{
	rbl_list l;
	char key[600], txt[RBL_TXT_MAX + 1];
	const char *tpl = NULL;
	size_t tlen = 0;

	rbl_list_get_id(t, list, &l);
	for (unsigned c = 0; c < (m->n_codes ? m->n_codes : 1u); c++) {
		uint32_t code = m->n_codes ? m->codes[c] : l.default_code;

		snprintf(key, sizeof key, "a:%u", code & 255);
		add_answer(parts, n, key);
	}
	if (m->has_txt) {
		tpl = m->txt_len ? m->txt : NULL;
		tlen = m->txt_len;
	} else if (l.has_default_txt && l.default_txt[0]) {
		tpl = l.default_txt;
		tlen = strlen(tpl);
	}
	if (tpl) {
		rbl_txt_expand(tpl, tlen, subject, txt, sizeof txt);
		snprintf(key, sizeof key, "t:%s", txt);
		add_answer(parts, n, key);
	}
}

static void join(char **parts, unsigned n, char *out)
{
	size_t o = 0;

	qsort(parts, n, sizeof *parts, str_cmp);
	out[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, 4096 - o, "%s%s", i ? " " : "",
				      parts[i]);
		free(parts[i]);
	}
	if (n == 0)
		strcpy(out, "-");
}

static void store_ip_answer(rbl_txn *t, const uint32_t *lists, unsigned nl,
			    const rbl_addr *a, char *out)
{
	char *parts[64], subject[RBL_ADDR_STRLEN];
	unsigned n = 0;

	rbl_addr_format(a, subject);
	for (unsigned i = 0; i < nl; i++) {
		rbl_match m;

		if (rbl_ip_lookup(t, lists[i], a, 0x7fffffff, &m) == RBL_OK)
			match_parts(t, lists[i], &m, subject, parts, &n);
	}
	join(parts, n, out);
}

static void store_name_answer(rbl_txn *t, uint32_t list, const char *name,
			      char *out)
{
	char *parts[64];
	unsigned n = 0;
	rbl_match m;

	if (rbl_name_lookup_str(t, list, name, 0x7fffffff, &m) == RBL_OK)
		match_parts(t, list, &m, name, parts, &n);
	join(parts, n, out);
}

/* ------------------------------------------------------------ data */

/* Addresses live in a few small areas so that entries overlap: IPv4
 * 1.2.x.x and 5.x.x.x (digit labels), 198.51.x.x; IPv6 2001:db8::/48
 * and 1230::/16 (all-digit nibbles). */
static rbl_addr rand_addr(void)
{
	rbl_addr a;

	memset(&a, 0, sizeof a);
	switch (rnd() % 5) {
	case 0:
		a.family = RBL_AF4;
		a.bytes[0] = 1;
		a.bytes[1] = 2;
		a.bytes[2] = (uint8_t)(rnd() % 12);
		a.bytes[3] = (uint8_t)(rnd() % 256);
		break;
	case 1:
		a.family = RBL_AF4;
		a.bytes[0] = 5;
		a.bytes[1] = (uint8_t)(rnd() % 3);
		a.bytes[2] = (uint8_t)(rnd() % 11);
		a.bytes[3] = (uint8_t)(rnd() % 256);
		break;
	case 2:
		a.family = RBL_AF4;
		a.bytes[0] = 198;
		a.bytes[1] = 51;
		a.bytes[2] = (uint8_t)(rnd() % 4);
		a.bytes[3] = (uint8_t)(rnd() % 256);
		break;
	case 3:
		a.family = RBL_AF6;
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		a.bytes[2] = 0x0d;
		a.bytes[3] = 0xb8;
		a.bytes[6] = (uint8_t)(rnd() % 2);
		a.bytes[15] = (uint8_t)(rnd() % 40);
		a.bytes[14] = (uint8_t)(rnd() % 2);
		break;
	default:
		a.family = RBL_AF6;
		a.bytes[0] = 0x12;
		a.bytes[1] = 0x30;
		a.bytes[15] = (uint8_t)(rnd() % 20);
		break;
	}
	return a;
}

static const char *const txts[] = { "", "spam from $", "policy", "see $ here",
				    "$$ literal" };

static void rand_entry(rbl_entry *e, bool small)
{
	rbl_entry_init(e);
	if (rnd() % 5 == 0)
		e->flags |= RBL_ENTRY_EXCLUDE;
	if (rnd() % 3 == 0) {
		e->n_codes = (uint8_t)(1 + rnd() % 2);
		e->codes[0] = 0x7f000000u | (2 + rnd() % 6);
		e->codes[1] = 0x7f000000u | (2 + rnd() % 6);
	}
	if (rnd() % 2) {
		unsigned k = rnd() % 5;

		/* '$' only where it will be expanded per address */
		if (!small && strchr(txts[k], '$') && k != 4)
			k = 2;
		e->flags |= RBL_ENTRY_HAS_TXT;
		snprintf(e->txt, sizeof e->txt, "%s", txts[k]);
	}
}

static void rand_ip_change(rbl_txn *t, uint32_t list, bool del)
{
	rbl_addr a = rand_addr();
	unsigned bits = a.family == RBL_AF4 ? 32 : 128;
	unsigned min = a.family == RBL_AF4 ? 14 : 100;
	rbl_prefix p;
	rbl_entry e;

	p.addr = a;
	p.len = (uint8_t)(rnd() % 3 == 0 ? bits : min + rnd() % (bits - min));
	if (a.family == RBL_AF4 && rnd() % 25 == 0)	/* a whole /8 or /7 */
		p.len = (uint8_t)(7 + rnd() % 2);
	rbl_prefix_canon(&p);
	if (del) {
		rbl_ip_del(t, list, &p);
		return;
	}
	rand_entry(&e, bits - p.len <= 8);
	rbl_ip_add(t, list, &p, &e);
}

static const char *const domains[] = { "example.com", "a.example.com",
	"b.a.example.com", "spam.net", "x.spam.net", "y.x.spam.net",
	"test", "c.example.com", "deep.b.a.example.com", "org" };

/* Change NAME in LIST at random: delete one of its slots (exact,
 * subtree or both) when DEL, else add or replace an entry there. */
static void change_name(rbl_txn *t, uint32_t list, const char *name,
			bool del)
{
	rbl_entry e;

	if (del) {	/* the exact entry, the subtree one, or both */
		char slot[RBL_NAME_MAX + 3];
		const char *pre[] = { "", "*.", "." };

		snprintf(slot, sizeof slot, "%s%s", pre[rnd() % 3], name);
		rbl_name_del(t, list, slot);
		return;
	}
	rand_entry(&e, true);
	e.flags |= rnd() % 3 == 0 ? RBL_ENTRY_NAME_SUBS
		 : rnd() % 2 ? RBL_ENTRY_NAME_EXACT
			     : RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS;
	if (e.flags & RBL_ENTRY_NAME_SUBS)	/* no '$' on wildcards */
		snprintf(e.txt, sizeof e.txt, "%s", "domain listed");
	rbl_name_add(t, list, name, &e);
}

static void rand_name_change(rbl_txn *t, uint32_t list, bool del)
{
	change_name(t, list, domains[rnd() % 10], del);
}

static void random_changes(rbl_store *s, const zlists *zl, unsigned n)
{
	rbl_txn *t = begin(s, true);
	uint32_t ips[3] = { zl->ip1, zl->ip2, zl->sub_ip };

	for (unsigned i = 0; i < n; i++) {
		bool del = rnd() % 4 == 0;

		if (rnd() % 6 == 0)
			rand_name_change(t, zl->names, del);
		else
			rand_ip_change(t, ips[rnd() % 3], del);
	}
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

/* ------------------------------------------------------------ checks */

static void zone_records(rbl_txn *t, const char *zname, recset *out,
			 rbl_zone *z)
{
	rbl_xfr_opts o;

	rbl_xfr_opts_init(&o);
	memset(out, 0, sizeof *out);
	CHECK_RC(rbl_zone_get(t, zname, z), RBL_OK);
	CHECK_RC(rbl_xfr_body(t, z, &o, collect, out, NULL), RBL_OK);
}

static void reverse_name(const rbl_addr *a, const char *sub, char *out)
{
	char rev[128];

	rbl_addr_to_reverse(a, rev, sizeof rev);
	sprintf(out, "%s%s%s", rev, sub[0] ? "." : "", sub);
}

static void check_answers(rbl_store *s, const zlists *zl, unsigned n)
{
	rbl_txn *t = begin(s, false);
	recset recs;
	zonedb db;
	rbl_zone z;
	unsigned bad = 0;
	uint32_t apex[2] = { zl->ip1, zl->ip2 };

	zone_records(t, "bl.test", &recs, &z);
	db_build(&db, &recs);
	for (unsigned i = 0; i < n; i++) {
		rbl_addr a = rand_addr();
		char q[300], want[4096], got[4096];
		bool sub = rnd() % 3 == 0;

		reverse_name(&a, sub ? "sub" : "", q);
		if (sub)
			store_ip_answer(t, &zl->sub_ip, 1, &a, want);
		else
			store_ip_answer(t, apex, 2, &a, want);
		db_answer(&db, q, got);
		if (strcmp(want, got) != 0 && bad++ < 10)
			fprintf(stderr, "%s: store '%s', records '%s'\n", q,
				want, got);
	}
	for (unsigned i = 0; i < 20; i++) {
		const char *pre[] = { "", "q.", "z.q." };
		char q[320], name[300], want[4096], got[4096];

		snprintf(name, sizeof name, "%s%s", pre[i % 3],
			 domains[i % 10]);
		snprintf(q, sizeof q, "%s.dom", name);
		store_name_answer(t, zl->names, name, want);
		db_answer(&db, q, got);
		if (strcmp(want, got) != 0 && bad++ < 10)
			fprintf(stderr, "%s: store '%s', records '%s'\n", q,
				want, got);
	}
	CHECK(bad == 0);
	db_free(&db);
	rbl_txn_abort(t);
}

static int diff_del(void *arg, const rbl_xrr *rr)
{
	recset *dels = arg;

	return collect(dels, rr);
}

typedef void (*change_fn)(rbl_store *s, const zlists *zl);

static void three_commits(rbl_store *s, const zlists *zl)
{
	for (unsigned k = 0; k < 3; k++)
		random_changes(s, zl, 15);
}

/* The records of zone ZNAME at its serial before CHANGE, with
 * rbl_xfr_diff's deletions and additions applied, equal its records
 * after (a full AXFR of the new data). */
static void check_ixfr(rbl_store *s, const zlists *zl, const char *zname,
		       change_fn change)
{
	rbl_txn *t = begin(s, false);
	recset before, after, dels = { 0 }, adds = { 0 }, applied = { 0 };
	rbl_xfr_opts o;
	rbl_zone z;
	uint32_t from;
	uint64_t nch = 0;
	unsigned bad = 0;

	zone_records(t, zname, &before, &z);
	from = z.serial;
	rbl_txn_abort(t);
	change(s, zl);
	t = begin(s, false);
	zone_records(t, zname, &after, &z);
	rbl_xfr_opts_init(&o);
	CHECK_RC(rbl_xfr_diff(t, &z, from, &o, diff_del, collect, &dels,
			      &nch), RBL_OK);
	CHECK(nch > 0);
	rbl_txn_abort(t);
	/* ADD went to dels too: split by what "before" holds */
	rs_sort(&before);
	rs_sort(&after);
	for (size_t i = 0; i < dels.n; i++)
		rs_add(rs_has(&before, dels.v[i]) ? &adds : &applied,
		       dels.v[i]);
	/* adds: deletions (all must be in before); applied: additions */
	for (size_t i = 0; i < applied.n; i++)
		if (rs_has(&before, applied.v[i]))
			bad++;
	rs_sort(&adds);
	{
		recset result = { 0 };

		for (size_t i = 0; i < before.n; i++)
			if (!rs_has(&adds, before.v[i]))
				rs_add(&result, before.v[i]);
		for (size_t i = 0; i < applied.n; i++)
			rs_add(&result, applied.v[i]);
		rs_sort(&result);
		CHECK(result.n == after.n);
		for (size_t i = 0; i < result.n && i < after.n; i++)
			if (strcmp(result.v[i], after.v[i]) != 0 &&
			    bad++ < 5)
				fprintf(stderr, "ixfr: %s vs %s\n",
					result.v[i], after.v[i]);
		rs_free(&result);
	}
	CHECK(bad == 0);
	rs_free(&before);
	rs_free(&after);
	rs_free(&dels);
	rs_free(&adds);
	rs_free(&applied);
}

/* ------------------------------------------------------------ name units */

/* A name of 1 to 4 labels from a small set, so that names nest often:
 * wildcards over listed names, exclusions under wildcards, names whose
 * only listed relative is far above or below. */
static void rand_tree_name(char *out, size_t size)
{
	static const char *const tops[] = { "com", "net", "test", "example" };
	static const char *const labels[] = { "a", "b", "c", "x", "ex" };
	unsigned depth = 1 + rnd() % 4;

	out[0] = 0;
	for (unsigned i = 1; i < depth; i++) {
		strncat(out, labels[rnd() % 5], size - strlen(out) - 1);
		strncat(out, ".", size - strlen(out) - 1);
	}
	strncat(out, tops[rnd() % 4], size - strlen(out) - 1);
}

static void rand_tree_change(rbl_txn *t, uint32_t list)
{
	char name[RBL_NAME_MAX + 1];

	rand_tree_name(name, sizeof name);
	change_name(t, list, name, rnd() % 3 == 0);
}

static void tree_changes(rbl_store *s, const zlists *zl)
{
	uint32_t lists[3] = { zl->n1, zl->n2, zl->n3 };
	unsigned commits = 1 + rnd() % 3;

	for (unsigned c = 0; c < commits; c++) {
		rbl_txn *t = begin(s, true);
		unsigned n = 1 + rnd() % 40;

		for (unsigned i = 0; i < n; i++)
			rand_tree_change(t, lists[rnd() % 3]);
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
	}
}

/* "x.fixed" excluded under "*.fixed" holds a placeholder (TYPE65280)
 * only while nothing below it is listed: "a.x.fixed" comes and goes, a
 * change whose records lie above it. */
static void toggle_below_exclusion(rbl_store *s, const zlists *zl)
{
	rbl_txn *t = begin(s, true);
	rbl_entry e;

	rbl_entry_init(&e);
	e.flags |= RBL_ENTRY_NAME_EXACT;
	if (rbl_name_del(t, zl->n2, "a.x.fixed") == RBL_ENOTFOUND)
		CHECK_RC(rbl_name_add(t, zl->n2, "a.x.fixed", &e), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

static void fixed_tree(rbl_txn *t, const zlists *zl)
{
	rbl_entry e;

	rbl_entry_init(&e);
	e.flags |= RBL_ENTRY_NAME_SUBS;
	CHECK_RC(rbl_name_add(t, zl->n1, "fixed", &e), RBL_OK);
	rbl_entry_init(&e);
	e.flags |= RBL_ENTRY_EXCLUDE | RBL_ENTRY_NAME_EXACT |
		   RBL_ENTRY_NAME_SUBS;
	CHECK_RC(rbl_name_add(t, zl->n1, "x.fixed", &e), RBL_OK);
}

/* IXFR of name lists rebuilds only the subtrees a change can reach
 * (xfr_diff.c): random nested lists and random change sets, each IXFR
 * checked against the zone's full records after it. */
static void name_units(rbl_store *s, zlists *zl)
{
	rbl_txn *t = begin(s, true);
	rbl_zone z;

	zl->n1 = make_list(t, "n1", RBL_LIST_NAME);
	zl->n2 = make_list(t, "n2", RBL_LIST_NAME);
	zl->n3 = make_list(t, "n3", RBL_LIST_NAME);
	rbl_zone_defaults(&z, "nm.test");
	z.n_lists = 3;
	z.lists[0].list_id = zl->n1;
	z.lists[1].list_id = zl->n2;
	z.lists[2].list_id = zl->n3;
	snprintf(z.lists[2].sub, sizeof z.lists[2].sub, "s");
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	rbl_list_add_test_entries(t, zl->n1);	/* RFC 5782 "test" */
	for (unsigned i = 0; i < 600; i++)
		rand_tree_change(t, i % 3 == 0 ? zl->n1
				    : i % 3 == 1 ? zl->n2 : zl->n3);
	fixed_tree(t, zl);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	for (unsigned i = 0; i < 2; i++)
		check_ixfr(s, zl, "nm.test", toggle_below_exclusion);
	for (unsigned round = 0; round < 40; round++)
		check_ixfr(s, zl, "nm.test", tree_changes);
}

static void setup(rbl_store *s, zlists *zl)
{
	rbl_txn *t = begin(s, true);
	rbl_zone z;
	rbl_list l;

	zl->ip1 = make_list(t, "ip1", RBL_LIST_IP);
	zl->ip2 = make_list(t, "ip2", RBL_LIST_IP);
	zl->sub_ip = make_list(t, "subip", RBL_LIST_IP);
	zl->names = make_list(t, "names", RBL_LIST_NAME);
	rbl_list_get_id(t, zl->ip2, &l);
	l.default_code = 0x7f00000a;
	l.has_default_txt = 1;
	snprintf(l.default_txt, sizeof l.default_txt, "%s", "ip2 policy");
	rbl_list_update(t, &l);
	rbl_zone_defaults(&z, "bl.test");
	z.n_lists = 4;
	z.lists[0].list_id = zl->ip1;
	z.lists[1].list_id = zl->ip2;
	z.lists[2].list_id = zl->sub_ip;
	snprintf(z.lists[2].sub, sizeof z.lists[2].sub, "sub");
	z.lists[3].list_id = zl->names;
	snprintf(z.lists[3].sub, sizeof z.lists[3].sub, "dom");
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	rbl_list_add_test_entries(t, zl->ip1);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
}

int main(void)
{
	rbl_store *s = open_rw(tmp_store_dir("xfr"));
	zlists zl;

	if (getenv("XFR_SEED"))	/* reproduce another run */
		rng ^= strtoull(getenv("XFR_SEED"), NULL, 10) * 2654435761u;
	setup(s, &zl);
	for (unsigned round = 0; round < 6; round++) {
		random_changes(s, &zl, 80);
		check_answers(s, &zl, 3000);
		check_ixfr(s, &zl, "bl.test", three_commits);
	}
	name_units(s, &zl);
	rbl_store_close(s);
	return check_done();
}
