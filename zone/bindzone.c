/*
 * bindzone.c -- write a zone as a BIND master file (see bindzone.h for
 * what is written and why).  Records are built as ldns_rr and printed by
 * ldns, so owner names, TXT quoting and unknown types come out in the
 * form every master-file reader takes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <ldns/ldns.h>

#include "bindzone.h"
#include "error.h"

#define MAX_GROUP 64	/* distinct answers weighed in one block */

/* One run of the flattened map: [lo, hi] answers M. */
typedef struct bz_run {
	rbl_addr lo, hi;
	rbl_match m;
} bz_run;

typedef struct bz_ctx {
	FILE *f;
	rbl_txn *t;
	const rbl_zone *z;
	const rbl_list *l;
	int64_t now;
	uint64_t max;
	void (*warn)(void *arg, const char *text);
	void *arg;
	rbl_bind_stats *st;
	char origin[RBL_NAME_MAX + RBL_LABEL_MAX + 4];	/* "sub.zone." */
	bz_run *runs;
	size_t n_runs, cap_runs;
	bool warned_txt;
	int rc;
} bz_ctx;

static void note(bz_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(bz_ctx *c, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (!c->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c->warn(c->arg, text);
}

/* ---- records ---- */

static int print_rr(bz_ctx *c, ldns_rr *rr)
{
	if (!rr)
		return RBL_ENOMEM;
	if (c->max && c->st->records >= c->max) {
		ldns_rr_free(rr);
		return RBL_ELIMIT;
	}
	ldns_rr_print(c->f, rr);
	ldns_rr_free(rr);
	c->st->records++;
	return ferror(c->f) ? RBL_EIO : RBL_OK;
}

/* An RR of TYPE at OWNER (relative to the origin, "" = the origin). */
static ldns_rr *new_rr(const bz_ctx *c, const char *owner, int type,
		       uint32_t ttl)
{
	char name[2 * RBL_NAME_MAX + 8];
	ldns_rdf *o;
	ldns_rr *rr;

	snprintf(name, sizeof(name), "%s%s%s", owner, *owner ? "." : "",
		 c->origin);
	o = ldns_dname_new_frm_str(name);
	rr = o ? ldns_rr_new() : NULL;
	if (!rr) {
		ldns_rdf_deep_free(o);
		return NULL;
	}
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, (ldns_rr_type)type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, ttl);
	return rr;
}

static int put_a(bz_ctx *c, const char *owner, uint32_t code)
{
	uint8_t b[4] = { (uint8_t)(code >> 24), (uint8_t)(code >> 16),
			 (uint8_t)(code >> 8), (uint8_t)code };
	ldns_rr *rr = new_rr(c, owner, LDNS_RR_TYPE_A, c->z->ttl);

	if (rr)
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4,
							   b));
	return print_rr(c, rr);
}

static int put_txt(bz_ctx *c, const char *owner, const char *txt,
		   size_t len)
{
	uint8_t b[RBL_TXT_MAX + 1];
	ldns_rr *rr = new_rr(c, owner, LDNS_RR_TYPE_TXT, c->z->ttl);

	b[0] = (uint8_t)len;
	memcpy(b + 1, txt, len);
	if (rr)
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR,
							   len + 1, b));
	return print_rr(c, rr);
}

/* The private-use record that makes OWNER exist without A or TXT. */
static int put_placeholder(bz_ctx *c, const char *owner)
{
	c->st->placeholders++;
	return print_rr(c, new_rr(c, owner, RBL_BIND_PLACEHOLDER_TYPE,
				  c->z->ttl));
}

/* A and TXT of match M at OWNER; SUBJECT replaces $ in the TXT. */
static int put_answer(bz_ctx *c, const char *owner, const rbl_match *m,
		      const char *subject, bool wildcard)
{
	char txt[RBL_TXT_MAX + 1];
	const char *tpl = NULL;
	size_t tpl_len = 0;
	int rc = RBL_OK;

	if (wildcard)
		c->st->wildcards++;
	if (m->n_codes == 0)
		rc = put_a(c, owner, c->l->default_code);
	for (unsigned i = 0; rc == RBL_OK && i < m->n_codes; i++)
		rc = put_a(c, owner, m->codes[i]);
	if (m->has_txt) {
		tpl = m->txt;
		tpl_len = m->txt_len;
	} else if (c->l->has_default_txt) {
		tpl = c->l->default_txt;
		tpl_len = strlen(tpl);
	}
	if (rc != RBL_OK || !tpl_len)
		return rc;
	if (wildcard && memchr(tpl, '$', tpl_len) && !c->warned_txt) {
		note(c, "list %s: a wildcard's TXT cannot name the queried "
		     "address; $ becomes the covered prefix or name",
		     c->l->name);
		c->warned_txt = true;
	}
	rbl_txt_expand(tpl, tpl_len, subject, txt, sizeof(txt));
	return put_txt(c, owner, txt, strlen(txt));
}

/* ---- head ---- */

static int put_str_rr(bz_ctx *c, const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		return RBL_EINVAL;
	return print_rr(c, rr);
}

static int put_head(bz_ctx *c)
{
	const rbl_zone *z = c->z;
	char line[4 * RBL_NAME_MAX];
	char addr[RBL_ADDR_STRLEN];
	int rc;

	fprintf(c->f, "; zone %s written by rblctl from the rbld store\n"
		"$ORIGIN %s.\n", z->name, z->name);
	snprintf(line, sizeof(line), "%s. %u IN SOA %s. %s. %u %u %u %u %u",
		 z->name, z->ns_ttl, z->mname, z->rname, z->serial, z->refresh,
		 z->retry, z->expire, z->minimum);
	rc = put_str_rr(c, line);
	for (unsigned i = 0; rc == RBL_OK && i < z->n_ns; i++) {
		snprintf(line, sizeof(line), "%s. %u IN NS %s.", z->name,
			 z->ns_ttl, z->ns[i]);
		rc = put_str_rr(c, line);
	}
	for (unsigned i = 0; rc == RBL_OK && i < z->n_glue; i++) {
		snprintf(line, sizeof(line), "%s. %u IN %s %s", z->glue[i].name,
			 z->ns_ttl, z->glue[i].addr.family == RBL_AF4 ? "A" :
			 "AAAA", rbl_addr_format(&z->glue[i].addr, addr));
		rc = put_str_rr(c, line);
	}
	return rc;
}

/* ---- IP lists: the flattened map as octet / nibble blocks ---- */

static int collect_run(void *arg, const rbl_addr *lo, const rbl_addr *hi,
		       const rbl_match *m)
{
	bz_ctx *c = arg;

	if (c->n_runs == c->cap_runs) {
		size_t cap = c->cap_runs ? c->cap_runs * 2 : 1024;
		bz_run *r = realloc(c->runs, cap * sizeof(*r));

		if (!r)
			return RBL_ENOMEM;
		c->runs = r;
		c->cap_runs = cap;
	}
	c->runs[c->n_runs].lo = *lo;
	c->runs[c->n_runs].hi = *hi;
	c->runs[c->n_runs].m = *m;
	c->n_runs++;
	return 0;
}

static bool same_answer(const rbl_match *a, const rbl_match *b)
{
	return a->n_codes == b->n_codes && a->has_txt == b->has_txt &&
	       memcmp(a->codes, b->codes, a->n_codes * sizeof(a->codes[0]))
	       == 0 && a->txt_len == b->txt_len &&
	       (a->txt_len == 0 || memcmp(a->txt, b->txt, a->txt_len) == 0);
}

/* Number of addresses in [LO, HI], as a double (IPv6 ranges are big). */
static double span(const rbl_addr *lo, const rbl_addr *hi)
{
	double d = 0;
	int borrow = 0;
	unsigned n = lo->family == RBL_AF4 ? 4 : 16;
	uint8_t diff[16];

	for (int i = (int)n - 1; i >= 0; i--) {
		int v = hi->bytes[i] - lo->bytes[i] - borrow;

		borrow = v < 0;
		diff[i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
	for (unsigned i = 0; i < n; i++)
		d = d * 256 + diff[i];
	return d + 1;
}

static const rbl_addr *addr_max(const rbl_addr *a, const rbl_addr *b)
{
	return rbl_addr_cmp(a, b) >= 0 ? a : b;
}

static const rbl_addr *addr_min(const rbl_addr *a, const rbl_addr *b)
{
	return rbl_addr_cmp(a, b) <= 0 ? a : b;
}

/* First run in [I0, I1) ending at or after A. */
static size_t first_run(const bz_ctx *c, size_t i0, size_t i1,
			const rbl_addr *a)
{
	while (i0 < i1) {
		size_t mid = i0 + (i1 - i0) / 2;

		if (rbl_addr_cmp(&c->runs[mid].hi, a) < 0)
			i0 = mid + 1;
		else
			i1 = mid;
	}
	return i0;
}

/* The labels of block P ("2.0.192" for 192.0.2.0/24), "" for the root. */
static void block_labels(const rbl_prefix *p, char *buf, size_t len)
{
	unsigned step = p->addr.family == RBL_AF4 ? 8 : 4, n = p->len / step;
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = n; i-- > 0 && used < len;) {
		unsigned v = step == 8 ? p->addr.bytes[i] :
			     (p->addr.bytes[i / 2] >> (i % 2 ? 0 : 4)) & 15;

		used += (size_t)snprintf(buf + used, len - used, step == 8 ?
					 "%s%u" : "%s%x", used ? "." : "", v);
	}
}

typedef struct bz_group {
	const rbl_match *m;
	double covered;
} bz_group;

/* How the runs [I0, I1) cover block P: per answer, and *FULL when one
 * answer covers all of it.  Returns the number of groups. */
static unsigned weigh(const bz_ctx *c, const rbl_prefix *p, size_t i0,
		      size_t i1, bz_group *g, double *listed)
{
	rbl_addr first, last;
	unsigned n = 0;

	rbl_prefix_first(p, &first);
	rbl_prefix_last(p, &last);
	*listed = 0;
	for (size_t i = i0; i < i1; i++) {
		const bz_run *r = &c->runs[i];
		double s = span(addr_max(&r->lo, &first), addr_min(&r->hi, &last));
		unsigned j = 0;

		while (j < n && !same_answer(g[j].m, &r->m))
			j++;
		if (j == n && n < MAX_GROUP)
			g[n++] = (bz_group){ &r->m, 0 };
		if (j < n)
			g[j].covered += s;
		*listed += s;
	}
	return n;
}

static int put_block(bz_ctx *c, const rbl_prefix *p, size_t i0, size_t i1);

/* Children of P: where they differ from the wildcard answer W (NULL: no
 * wildcard at P), write them; unlisted ones under W get a placeholder. */
static int put_children(bz_ctx *c, const rbl_prefix *p, size_t i0,
			size_t i1, const rbl_match *w)
{
	unsigned step = p->addr.family == RBL_AF4 ? 8 : 4;
	rbl_prefix ch = *p;
	char owner[160];
	int rc = RBL_OK;

	ch.len = (uint8_t)(p->len + step);
	for (unsigned v = 0; rc == RBL_OK && v < (1u << step); v++) {
		unsigned byte = p->len / 8;
		rbl_addr first, last;
		size_t a, b;

		if (step == 8)
			ch.addr.bytes[byte] = (uint8_t)v;
		else
			ch.addr.bytes[byte] = (uint8_t)(p->len % 8 ?
				(p->addr.bytes[byte] & 0xf0) | v : v << 4);
		rbl_prefix_first(&ch, &first);
		rbl_prefix_last(&ch, &last);
		a = first_run(c, i0, i1, &first);
		b = a;
		while (b < i1 && rbl_addr_cmp(&c->runs[b].lo, &last) <= 0)
			b++;
		if (a == b) {
			if (w) {
				block_labels(&ch, owner, sizeof(owner));
				rc = put_placeholder(c, owner);
			}
			continue;
		}
		if (w && b == a + 1 && same_answer(&c->runs[a].m, w) &&
		    rbl_addr_cmp(&c->runs[a].lo, &first) <= 0 &&
		    rbl_addr_cmp(&c->runs[a].hi, &last) >= 0)
			continue;	/* the wildcard above says it */
		rc = put_block(c, &ch, a, b);
	}
	return rc;
}

static int put_block(bz_ctx *c, const rbl_prefix *p, size_t i0, size_t i1)
{
	unsigned bits = rbl_addr_bits(p->addr.family);
	bz_group g[MAX_GROUP];
	char owner[160], subject[RBL_ADDR_STRLEN + 8];
	double size, listed, best;
	unsigned n = weigh(c, p, i0, i1, g, &listed), k = 0;
	bool full;

	block_labels(p, owner, sizeof(owner));
	if (p->len == bits) {	/* one address */
		rbl_addr_format(&p->addr, subject);
		return put_answer(c, owner, &c->runs[i0].m, subject, false);
	}
	{
		rbl_addr first, last;

		rbl_prefix_first(p, &first);
		rbl_prefix_last(p, &last);
		size = span(&first, &last);
		/* exactly, not in doubles: a /100 hole in a /32 is 2^-68 */
		full = i1 == i0 + 1 &&
		       rbl_addr_cmp(&c->runs[i0].lo, &first) <= 0 &&
		       rbl_addr_cmp(&c->runs[i0].hi, &last) >= 0;
	}
	best = size - listed;	/* unlisted */
	for (unsigned j = 0; j < n; j++)
		if (g[j].covered > best || (full && j == 0)) {
			best = g[j].covered;
			k = j + 1;
		}
	if (!k)
		return put_children(c, p, i0, i1, NULL);
	{
		char wild[170];
		int rc;

		snprintf(wild, sizeof(wild), "*%s%s", *owner ? "." : "", owner);
		rbl_prefix_format(p, subject);
		rc = put_answer(c, wild, g[k - 1].m, subject, true);
		if (rc != RBL_OK || full)
			return rc;
		return put_children(c, p, i0, i1, g[k - 1].m);
	}
}

static int put_ip_list(bz_ctx *c)
{
	int rc;

	c->n_runs = 0;
	rc = rbl_ip_foreach_listed(c->t, c->l->id, c->now, collect_run, c);
	if (rc != RBL_OK)
		return rc;
	for (int fam = 0; rc == RBL_OK && fam < 2; fam++) {
		rbl_prefix root;
		size_t a = 0, b;

		memset(&root, 0, sizeof(root));
		root.addr.family = fam ? RBL_AF6 : RBL_AF4;
		while (a < c->n_runs &&
		       c->runs[a].lo.family != root.addr.family)
			a++;
		for (b = a; b < c->n_runs &&
		     c->runs[b].lo.family == root.addr.family; b++)
			;
		if (a < b)
			rc = put_block(c, &root, a, b);
	}
	return rc;
}

/* ---- domain lists ---- */

typedef struct bz_name {
	char *name;
	rbl_entry e;
	bool has_entry;
	rbl_entry sub;		/* a subtree entry apart from E (the store */
	bool has_sub;		/* keeps "x" and "*.x" separately) */
} bz_name;

typedef struct bz_names {
	bz_name *v;
	size_t n, cap;
	int64_t now;
} bz_names;

static int add_node(bz_names *ns, const char *name, const rbl_entry *e)
{
	bz_name *v;

	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 256;

		v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return RBL_ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	v = &ns->v[ns->n];
	v->name = strdup(name);
	if (!v->name)
		return RBL_ENOMEM;
	v->has_entry = e != NULL;
	v->has_sub = false;
	if (e)
		v->e = *e;
	ns->n++;
	return RBL_OK;
}

/* Every entry, and every name between an entry and the zone. */
static int collect_name(void *arg, const char *name, const rbl_entry *e)
{
	bz_names *ns = arg;
	const char *p = strchr(name, '.');
	int rc;

	if (e->expires && e->expires <= ns->now)
		return 0;
	rc = add_node(ns, name, e);
	for (; rc == RBL_OK && p; p = strchr(p + 1, '.'))
		rc = add_node(ns, p + 1, NULL);
	return rc;
}

/* Order by labels from the right: parents before children. */
static int cmp_rev(const char *a, const char *b)
{
	const char *ea = a + strlen(a), *eb = b + strlen(b);

	for (;;) {
		const char *la = ea, *lb = eb;
		size_t na, nb;
		int d;

		while (la > a && la[-1] != '.')
			la--;
		while (lb > b && lb[-1] != '.')
			lb--;
		na = (size_t)(ea - la);
		nb = (size_t)(eb - lb);
		d = strncasecmp(la, lb, na < nb ? na : nb);
		if (d || na != nb)
			return d ? d : na < nb ? -1 : 1;
		if (la == a || lb == b)
			return la == a ? (lb == b ? 0 : -1) : 1;
		ea = la - 1;
		eb = lb - 1;
	}
}

static int cmp_node(const void *x, const void *y)
{
	const bz_name *a = x, *b = y;
	int d = cmp_rev(a->name, b->name);

	if (d)
		return d;
	return (int)b->has_entry - (int)a->has_entry;	/* entry first */
}

static ssize_t find_node(const bz_names *ns, const char *name)
{
	size_t lo = 0, hi = ns->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = cmp_rev(ns->v[mid].name, name);

		if (d == 0)
			return (ssize_t)mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The entry deciding names strictly below NAME (nearest ancestor-or-self
 * with a subtree entry), or NULL. */
static const rbl_entry *below(const bz_names *ns, const char *name)
{
	for (const char *p = name; p; p = strchr(p, '.') ? strchr(p, '.') + 1
					   : NULL) {
		ssize_t i = find_node(ns, p);

		if (i >= 0 && ns->v[i].has_sub)
			return &ns->v[i].sub;
		if (i >= 0 && ns->v[i].has_entry &&
		    (ns->v[i].e.flags & RBL_ENTRY_NAME_SUBS))
			return &ns->v[i].e;
	}
	return NULL;
}

/* The entry deciding NAME itself. */
static const rbl_entry *own(const bz_names *ns, size_t i)
{
	const bz_name *n = &ns->v[i];
	const char *dot = strchr(n->name, '.');

	if (n->has_entry && (n->e.flags & RBL_ENTRY_NAME_EXACT))
		return &n->e;
	return dot ? below(ns, dot + 1) : NULL;
}

static bool listed(const rbl_entry *e)
{
	return e && !(e->flags & RBL_ENTRY_EXCLUDE);
}

static void entry_match(const rbl_entry *e, rbl_match *m)
{
	memset(m, 0, sizeof(*m));
	m->n_codes = e->n_codes;
	memcpy(m->codes, e->codes, sizeof(m->codes));
	m->has_txt = (e->flags & RBL_ENTRY_HAS_TXT) != 0;
	m->txt = e->txt;
	m->txt_len = (uint16_t)strlen(e->txt);
}

/* Whether node I or a node below it writes a record. */
static bool writes_below(const bz_names *ns, const bool *writes, size_t i)
{
	size_t len = strlen(ns->v[i].name);

	for (size_t j = i + 1; j < ns->n; j++) {
		size_t lj = strlen(ns->v[j].name);

		if (lj <= len || ns->v[j].name[lj - len - 1] != '.' ||
		    strcasecmp(ns->v[j].name + lj - len, ns->v[i].name))
			break;
		if (writes[j])
			return true;
	}
	return false;
}

static int put_name_node(bz_ctx *c, const bz_names *ns, size_t i,
			 const bool *writes)
{
	const bz_name *n = &ns->v[i];
	const char *dot = strchr(n->name, '.');
	const rbl_entry *o = own(ns, i), *b = below(ns, n->name);
	char wild[RBL_NAME_MAX + 3];
	rbl_match m;
	int rc = RBL_OK;

	if (listed(o)) {
		entry_match(o, &m);
		rc = put_answer(c, n->name, &m, n->name, false);
	} else if (!writes_below(ns, writes, i) && dot &&
		   listed(below(ns, dot + 1))) {
		rc = put_placeholder(c, n->name);	/* hide from *.parent */
	}
	if (rc == RBL_OK && listed(b)) {
		snprintf(wild, sizeof(wild), "*.%s", n->name);
		entry_match(b, &m);
		rc = put_answer(c, wild, &m, n->name, true);
	}
	return rc;
}

/* Fold node O into N of the same name: a name's exact and subtree
 * entries come as two nodes (entry nodes sort first); keep both. */
static void merge_node(bz_name *n, const bz_name *o)
{
	if (!o->has_entry)
		return;
	if (o->e.flags & RBL_ENTRY_NAME_EXACT) {
		n->sub = n->e;
		n->has_sub = n->has_entry;
		n->e = o->e;
		n->has_entry = true;
	} else {
		n->sub = o->e;
		n->has_sub = true;
	}
}

static void free_names(bz_names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i].name);
	free(ns->v);
}

static int put_name_list(bz_ctx *c)
{
	bz_names ns = { NULL, 0, 0, c->now };
	bool *writes = NULL;
	size_t w = 0;
	int rc = rbl_name_foreach(c->t, c->l->id, collect_name, &ns);

	qsort(ns.v, ns.n, sizeof(*ns.v), cmp_node);
	for (size_t i = 0; i < ns.n; i++)	/* one node per name */
		if (!w || cmp_rev(ns.v[w - 1].name, ns.v[i].name)) {
			ns.v[w++] = ns.v[i];
		} else {
			merge_node(&ns.v[w - 1], &ns.v[i]);
			free(ns.v[i].name);
		}
	ns.n = w;
	writes = calloc(ns.n ? ns.n : 1, sizeof(*writes));
	if (rc == RBL_OK && !writes)
		rc = RBL_ENOMEM;
	for (size_t i = 0; rc == RBL_OK && i < ns.n; i++)
		writes[i] = listed(own(&ns, i)) ||
			    listed(below(&ns, ns.v[i].name));
	for (size_t i = 0; rc == RBL_OK && i < ns.n; i++)
		rc = put_name_node(c, &ns, i, writes);
	free(writes);
	free_names(&ns);
	return rc;
}

/* ---- zone ---- */

int rbl_bind_write_zone(FILE *f, rbl_txn *t, const rbl_zone *z, int64_t now,
			uint64_t max_records,
			void (*warn)(void *arg, const char *text), void *arg,
			rbl_bind_stats *st)
{
	rbl_bind_stats local;
	bz_ctx c = { .f = f, .t = t, .z = z, .now = now, .max = max_records,
		     .warn = warn, .arg = arg, .st = st ? st : &local };
	int rc;

	memset(c.st, 0, sizeof(*c.st));
	rc = put_head(&c);
	for (unsigned i = 0; rc == RBL_OK && i < z->n_lists; i++) {
		rbl_list l;

		rc = rbl_list_get_id(t, z->lists[i].list_id, &l);
		if (rc != RBL_OK)
			break;
		c.l = &l;
		snprintf(c.origin, sizeof(c.origin), "%s%s%s.",
			 z->lists[i].sub, z->lists[i].sub[0] ? "." : "",
			 z->name);
		fprintf(f, "; list %s\n", l.name);
		rc = l.kind == RBL_LIST_IP ? put_ip_list(&c) :
					     put_name_list(&c);
	}
	free(c.runs);
	if (rc == RBL_OK && (fflush(f) != 0 || ferror(f)))
		rc = RBL_EIO;
	return rc;
}
