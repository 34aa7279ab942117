/*
 * links.c -- a trap message's links and Reply-To as name evidence (see
 * links.h): what is skipped, what one message record holds, and the
 * batch of the domain policies.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/policy/nameev.h"
#include "links.h"
#include "psl.h"
#include "uri.h"

#define REPLY_TO_MAX	4	/* addresses of one Reply-To read */
#define ADDR_MAX	254

struct rbl_links {
	rbl_namepol_set *set;
	rbl_namepol_batch *batch;
	rbl_psl *psl;
	rbl_uri_scanner *scanner;
	rbl_link_allowset *allow;
	rbl_nev_msg *msg;			/* the message being read */
	unsigned flags[RBL_NEV_MAX_NAMES];	/* per item: note flags */
	/* per message, for the scanner callback */
	const char *trap_domain;		/* registered, or NULL */
	double weight;
	rbl_links_stats *st;
};

/* ------------------------------------------------------------ set up */

static int load_allow(rbl_links *l, const rbl_conf *c, char *err,
		      size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "trap", NULL);
	const rbl_conf_item *it = NULL;
	int rc = 0;

	if ((rc = rbl_link_allow_new(&l->allow)) || !s)
		return rc;
	while ((it = rbl_conf_next_item(s, "own-domain", it)))
		if ((rc = rbl_link_allow_add(l->allow, it->value,
					     RBL_LINK_OWN))) {
			snprintf(err, errlen, "%s:%u: own-domain: not a domain "
				 "name \"%s\"", c->path, it->line, it->value);
			return rc;
		}
	for (it = NULL; (it = rbl_conf_next_item(s, "link-allow-file", it));)
		if ((rc = rbl_link_allow_load(l->allow, it->value, err,
					      errlen)))
			return rc;
	return RBL_OK;
}

static int load_psl(rbl_links *l, const rbl_conf *c, char *err,
		    size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "rdns", NULL);
	const char *path = s ? rbl_conf_get(s, "psl-file") : NULL;

	/* PRIVATE too: "spammer.blogspot.com" is the spammer's, not
	 * Google's, and SpamAssassin's registry boundaries agree */
	return rbl_psl_load(path, RBL_PSL_PRIVATE, &l->psl, err, errlen);
}

static int resolve(rbl_links *l, rbl_store *s, char *err, size_t errlen)
{
	rbl_txn *t = NULL;
	int rc = rbl_txn_begin(s, false, &t);

	if (rc) {
		snprintf(err, errlen, "store: %s", rbl_strerror(rc));
		return rc;
	}
	rc = rbl_namepol_resolve(t, l->set, err, errlen);
	rbl_txn_abort(t);
	return rc;
}

int rbl_links_open(rbl_store *s, const rbl_conf *c, rbl_links **out,
		   char *err, size_t errlen)
{
	rbl_links *l = NULL;
	int rc = 0;

	*out = NULL;
	if (!rbl_conf_next(c, "domain-policy", NULL))
		return RBL_OK;
	if (!(l = calloc(1, sizeof *l)) || !(l->msg = malloc(sizeof *l->msg))) {
		free(l);
		return RBL_ENOMEM;
	}
	if ((rc = rbl_namepol_load(c, &l->set, err, errlen)) ||
	    (rc = resolve(l, s, err, errlen)) ||
	    (rc = rbl_namepol_batch_new(l->set, &l->batch)) ||
	    (rc = load_psl(l, c, err, errlen)) ||
	    (rc = rbl_uri_scanner_new(l->psl, &l->scanner)) ||
	    (rc = load_allow(l, c, err, errlen))) {
		rbl_links_free(l);
		return rc;
	}
	*out = l;
	return RBL_OK;
}

void rbl_links_free(rbl_links *l)
{
	if (!l)
		return;
	rbl_namepol_batch_free(l->batch);
	rbl_namepol_free(l->set);
	rbl_uri_scanner_free(l->scanner);
	rbl_psl_free(l->psl);
	rbl_link_allow_free(l->allow);
	free(l->msg);
	free(l);
}

/* ------------------------------------------------------------- items */

/* SRC into DST of SIZE bytes, cut, NUL-terminated (per link: no
 * snprintf). */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Add an item of KIND for NAME unless the message has it already. */
static void add_item(rbl_links *l, uint8_t kind, const char *name,
		     const char *found, unsigned flags)
{
	rbl_nev_msg *m = l->msg;
	rbl_nev_item *it = NULL;

	for (unsigned i = 0; i < m->n; i++)
		if (m->items[i].kind == kind &&
		    strcmp(m->items[i].name, name) == 0)
			return;
	if (m->n == RBL_NEV_MAX_NAMES)
		return;
	it = &m->items[m->n];
	it->kind = kind;
	it->weight = l->weight;
	copy_str(it->name, sizeof it->name, name);
	copy_str(it->found, sizeof it->found, found);
	l->flags[m->n++] = flags;
}

static int on_link(void *arg, const rbl_uri_link *link)
{
	rbl_links *l = arg;
	int cat = rbl_link_allow_match(l->allow, link->host, link->domain);

	l->st->links++;
	if (cat == RBL_LINK_ALLOW || cat == RBL_LINK_OWN ||
	    (cat == RBL_LINK_REDIRECTOR && !l->set->any_redirector) ||
	    (l->trap_domain && strcmp(link->domain, l->trap_domain) == 0)) {
		l->st->allowed++;
		return 0;
	}
	add_item(l, RBL_NEV_URI, link->domain, link->found,
		 cat == RBL_LINK_REDIRECTOR ? RBL_NAMEPOL_REDIRECTOR : 0);
	return 0;
}

/* The registered domain of the trap address in SOURCE ("trap:a@b.c")
 * into BUF; NULL when there is none. */
static const char *trap_domain(const rbl_links *l, const char *source,
			       char *buf)
{
	const char *at = strrchr(source, '@');
	size_t n = 0, start;

	if (!at)
		return NULL;
	for (at++; *at && n < RBL_NAME_MAX; at++)
		buf[n++] = (char)tolower((unsigned char)*at);
	buf[n] = '\0';
	if (n == 0 || rbl_psl_registered(l->psl, buf, n, &start) != RBL_OK)
		return NULL;
	return buf + start;
}

/* --------------------------------------------------------- Reply-To */

/* The next address of an address-list header value at *P into OUT:
 * "<x@y>" or a bare "x@y", lowercased.  False at the end. */
static bool next_address(const char **p, char *out)
{
	const char *s = *p, *e, *lt, *gt;
	size_t n = 0;

	while (*s) {
		bool quoted = false;
		for (e = s; *e && (quoted || *e != ','); e++)
			if (*e == '"')
				quoted = !quoted;
		*p = *e ? e + 1 : e;
		lt = memchr(s, '<', (size_t)(e - s));
		gt = lt ? memchr(lt, '>', (size_t)(e - lt)) : NULL;
		if (lt && gt) {
			s = lt + 1;
			e = gt;
		}
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		n = (size_t)(e - s);
		if (n > 0 && n <= ADDR_MAX && memchr(s, '@', n) &&
		    !memchr(s, ' ', n) && !memchr(s, '"', n)) {
			for (size_t i = 0; i < n; i++)
				out[i] = (char)tolower((unsigned char)s[i]);
			out[n] = '\0';
			return true;
		}
		s = *p;
	}
	return false;
}

/* True if ADDR ("x@y") has a domain with a dot and no empty label. */
static bool address_ok(const char *addr)
{
	const char *at = strrchr(addr, '@'), *d = at ? at + 1 : "";

	return at && at > addr && strchr(d, '.') && d[0] != '.' &&
	       d[strlen(d) - 1] != '.' && !strstr(d, "..");
}

static void read_reply_to(rbl_links *l, const rbl_msg *m)
{
	char v[1024] = { 0 }, from[1024] = { 0 };
	char addr[ADDR_MAX + 1] = { 0 }, fromaddr[ADDR_MAX + 1] = { 0 };
	char hash[41] = { 0 }, dom[RBL_NAME_MAX + 1] = { 0 };
	const char *p = v, *fp = from;
	unsigned k = 0;

	if (!rbl_msg_get(m, "Reply-To", v, sizeof v))
		return;
	fromaddr[0] = '\0';
	if (rbl_msg_get(m, "From", from, sizeof from))
		(void)next_address(&fp, fromaddr);
	while (k < REPLY_TO_MAX && next_address(&p, addr)) {
		k++;
		if (!address_ok(addr) || strcmp(addr, fromaddr) == 0)
			continue;	/* From is forged: not evidence */
		const char *d = trap_domain(l, addr, dom);
		if (l->trap_domain && d && strcmp(d, l->trap_domain) == 0)
			continue;	/* our own address */
		if (rbl_namepol_hash_address(addr, hash) != RBL_OK)
			continue;
		add_item(l, RBL_NEV_REPLY_TO, hash, addr, 0);
	}
}

/* ----------------------------------------------------------- ingest */

int rbl_links_trap(rbl_links *l, rbl_txn *t, const rbl_msg *m,
		   const uint8_t *hash, int64_t when, const char *source,
		   double weight, rbl_links_stats *st)
{
	char tdom[RBL_NAME_MAX + 1] = { 0 }, subj[RBL_NEV_SUMMARY_MAX - 8] = { 0 };
	rbl_nev_msg *msg = l->msg;
	int rc = 0;

	msg->n = 0;
	l->weight = weight;
	l->st = st;
	l->trap_domain = trap_domain(l, source, tdom);
	if ((rc = rbl_uri_scan_message(l->scanner, m, on_link, l)))
		return rc;
	if (l->set->any_reply_to)
		read_reply_to(l, m);
	if (msg->n == 0)
		return RBL_OK;
	memcpy(msg->hash, hash, sizeof msg->hash);
	msg->when = when;
	snprintf(msg->source, sizeof msg->source, "%s", source);
	if (!rbl_msg_get(m, "Subject", subj, sizeof subj))
		snprintf(subj, sizeof subj, "(none)");
	snprintf(msg->summary, sizeof msg->summary, "Subject: %s", subj);
	rc = rbl_nev_add(t, msg);
	if (rc == RBL_EEXIST) {
		st->duplicates++;
		return RBL_OK;
	}
	if (rc == RBL_EINVAL)
		return RBL_OK;	/* not storable (cannot happen: names come
				   checked): the message's links are lost,
				   the import goes on */
	if (rc)
		return rc;
	for (unsigned i = 0; i < msg->n && rc == RBL_OK; i++) {
		rc = rbl_namepol_note(t, l->batch, msg->items[i].name,
				      msg->items[i].kind, weight, when,
				      msg->hash, l->flags[i]);
		st->added++;
		st->reply_to += msg->items[i].kind == RBL_NEV_REPLY_TO;
	}
	return rc;
}

int rbl_links_settle(rbl_links *l, rbl_txn *t, int64_t now, uint64_t *newly)
{
	rbl_policy_result res = { 0 };
	int rc = rbl_namepol_settle(t, l->batch, now, &res);

	*newly += res.newly_listed;
	return rc;
}

void rbl_links_reset(rbl_links *l)
{
	rbl_namepol_batch_reset(l->batch);
}
