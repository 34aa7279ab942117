/*
 * xfr_conf.c -- transfer and NOTIFY settings from rbld.conf (see
 * xfr_conf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zone/config/conf_apply.h"
#include "zone/error.h"
#include "zone/xfr/xfr_expand.h"
#include "listen.h"
#include "xfr_conf.h"

#define DEFAULT_MAX_TRANSFERS	4
#define DEFAULT_NOTIFY_RETRIES	5
#define DEFAULT_NOTIFY_INTERVAL	2

static int bad(const rbl_conf *c, const rbl_conf_item *it, char *err,
	       size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s:%u: %s: %s", c->path, it->line, it->key,
		 what);
	return RBL_EINVAL;
}

static int load_keys(const rbl_conf *c, rbl_xfr_conf *x, char *err,
		     size_t errlen)
{
	const rbl_conf_section *s = NULL;

	while ((s = rbl_conf_next(c, "key", s))) {
		const char *secret = rbl_conf_get(s, "secret");
		rbl_tsig_key *k = &x->keys[x->n_keys];

		if (x->n_keys == RBL_XFR_MAX_KEYS) {
			snprintf(err, errlen, "%s:%u: more than %d keys",
				 c->path, s->line, RBL_XFR_MAX_KEYS);
			return RBL_EINVAL;
		}
		if (!secret || rbl_tsig_key_init(k, s->title,
						 rbl_conf_get(s, "algorithm"),
						 secret) != RBL_OK) {
			snprintf(err, errlen, "%s:%u: key %s: needs a domain "
				 "name, a base64 secret and an algorithm of "
				 "hmac-sha256, -sha1, -sha384, -sha512",
				 c->path, s->line, s->title);
			return RBL_EINVAL;
		}
		x->n_keys++;
	}
	return RBL_OK;
}

/* KEYNAME or NOKEY into *KEY. */
static int key_ref(const rbl_xfr_conf *x, const char *name, int *key)
{
	char norm[DNS_NAME_MAX + 1];
	size_t n;

	if (strcasecmp(name, "NOKEY") == 0) {
		*key = RBL_XFR_NOKEY;
		return RBL_OK;
	}
	n = (size_t)snprintf(norm, sizeof norm, "%s", name);
	if (n && norm[n - 1] == '.')
		norm[n - 1] = 0;
	for (unsigned i = 0; i < x->n_keys; i++)
		if (strcasecmp(x->keys[i].name, norm) == 0) {
			*key = (int)i;
			return RBL_OK;
		}
	return RBL_ENOTFOUND;
}

/* "first second" with exactly two words: copied into A and B. */
static bool two_words(const char *v, char *a, char *b, size_t size)
{
	char extra[8];

	return sscanf(v, "%255s %255s %7s", a, b, extra) == 2 &&
	       strlen(a) < size && strlen(b) < size;
}

static int parse_acl(const rbl_conf *c, const rbl_conf_item *it,
		     const rbl_xfr_conf *x, rbl_xfr_zone *z, char *err,
		     size_t errlen)
{
	char addr[256], key[256];
	rbl_xfr_acl *a = &z->acl[z->n_acl];

	if (z->n_acl == RBL_XFR_MAX_ACL)
		return bad(c, it, err, errlen, "too many lines");
	if (!two_words(it->value, addr, key, sizeof addr))
		return bad(c, it, err, errlen, "want \"ADDR[/LEN] KEY|NOKEY\"");
	if (rbl_prefix_parse(addr, false, &a->net) != RBL_OK)
		return bad(c, it, err, errlen, "not an address or prefix");
	if (key_ref(x, key, &a->key) != RBL_OK)
		return bad(c, it, err, errlen, "no key section of that name");
	z->n_acl++;
	z->has_acl = true;
	return RBL_OK;
}

static int parse_notify(const rbl_conf *c, const rbl_conf_item *it,
			const rbl_xfr_conf *x, rbl_xfr_zone *z, char *err,
			size_t errlen)
{
	char addr[256], key[256];
	rbl_notify_target *t = &z->notify[z->n_notify];
	rbl_listen_addr la = { 0 };

	if (z->n_notify == RBL_XFR_MAX_NOTIFY)
		return bad(c, it, err, errlen, "too many lines");
	if (!two_words(it->value, addr, key, sizeof addr))
		return bad(c, it, err, errlen, "want \"ADDR[@PORT] KEY|NOKEY\"");
	if (rbl_listen_parse(addr, &la) != RBL_OK || la.wildcard)
		return bad(c, it, err, errlen, "not an address[@port]");
	if (key_ref(x, key, &t->key) != RBL_OK)
		return bad(c, it, err, errlen, "no key section of that name");
	t->sa = la.ss;
	t->salen = la.sslen;
	snprintf(t->text, sizeof t->text, "%s", la.text);
	z->n_notify++;
	z->has_notify = true;
	return RBL_OK;
}

static int load_lines(const rbl_conf *c, const rbl_conf_section *s,
		      const rbl_xfr_conf *x, rbl_xfr_zone *z, char *err,
		      size_t errlen)
{
	const rbl_conf_item *it = NULL;
	int rc = RBL_OK;

	while (rc == RBL_OK && (it = rbl_conf_next_item(s, "provide-xfr", it)))
		rc = parse_acl(c, it, x, z, err, errlen);
	while (rc == RBL_OK && (it = rbl_conf_next_item(s, "notify", it)))
		rc = parse_notify(c, it, x, z, err, errlen);
	return rc;
}

static int load_zones(const rbl_conf *c, rbl_xfr_conf *x, char *err,
		      size_t errlen)
{
	const rbl_conf_section *s = NULL;
	unsigned n = 0;
	int rc = RBL_OK;

	while ((s = rbl_conf_next(c, "zone", s)))
		n++;
	if (n && !(x->zones = calloc(n, sizeof *x->zones)))
		return RBL_ENOMEM;
	while (rc == RBL_OK && (s = rbl_conf_next(c, "zone", s))) {
		rbl_xfr_zone *z = &x->zones[x->n_zones++];

		if (rbl_conf_zone_name(s->title, z->name) != RBL_OK) {
			snprintf(err, errlen, "%s:%u: zone %s: not a domain "
				 "name", c->path, s->line, s->title);
			return RBL_EINVAL;
		}
		rc = load_lines(c, s, x, z, err, errlen);
	}
	return rc;
}

static int load_numbers(const rbl_conf *c, const rbl_conf_section *s,
			rbl_xfr_conf *x, char *err, size_t errlen)
{
	uint32_t secs = 0;
	int rc;

	if ((rc = rbl_conf_u32(c, s, "xfr-txt-expand",
			       RBL_XFR_TXT_EXPAND_DEFAULT, &x->txt_expand, err,
			       errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "xfr-max-records", 0, &x->max_records,
			       err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "xfr-max-transfers",
			       DEFAULT_MAX_TRANSFERS, &x->max_transfers, err,
			       errlen)) != RBL_OK ||
	    (rc = rbl_conf_u32(c, s, "notify-retries", DEFAULT_NOTIFY_RETRIES,
			       &x->notify_retries, err, errlen)) != RBL_OK ||
	    (rc = rbl_conf_duration(c, s, "notify-retry-interval",
				    DEFAULT_NOTIFY_INTERVAL, &secs, err,
				    errlen)) != RBL_OK)
		return rc;
	x->notify_interval_ms = (secs ? secs : 1) * 1000u;
	if (x->max_transfers == 0)
		x->max_transfers = 1;
	return RBL_OK;
}

int rbl_xfr_conf_load(const rbl_conf *c, rbl_xfr_conf *out, char *err,
		      size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(c, "server", NULL);
	int rc;

	memset(out, 0, sizeof *out);
	rc = load_keys(c, out, err, errlen);
	if (rc == RBL_OK)
		rc = load_numbers(c, s, out, err, errlen);
	if (rc == RBL_OK && s)
		rc = load_lines(c, s, out, &out->defaults, err, errlen);
	if (rc == RBL_OK)
		rc = load_zones(c, out, err, errlen);
	if (rc != RBL_OK)
		rbl_xfr_conf_free(out);
	return rc;
}

void rbl_xfr_conf_free(rbl_xfr_conf *x)
{
	free(x->zones);
	x->zones = NULL;
	x->n_zones = 0;
	memset(x->keys, 0, sizeof x->keys);	/* secrets */
}

const rbl_xfr_zone *rbl_xfr_conf_zone(const rbl_xfr_conf *x,
				      const char *name, bool notify)
{
	for (unsigned i = 0; i < x->n_zones; i++) {
		const rbl_xfr_zone *z = &x->zones[i];

		if (strcmp(z->name, name) == 0 &&
		    (notify ? z->has_notify : z->has_acl))
			return z;
	}
	return &x->defaults;
}

int rbl_xfr_acl_check(const rbl_xfr_conf *x, const rbl_xfr_zone *z,
		      const rbl_addr *peer, const rbl_tsig_key *key)
{
	rbl_addr a = *peer;

	rbl_addr_unmap4(&a);
	for (unsigned i = 0; i < z->n_acl; i++) {
		const rbl_xfr_acl *l = &z->acl[i];

		if (l->net.addr.family != a.family ||
		    !rbl_prefix_contains(&l->net, &a))
			continue;
		if (l->key == RBL_XFR_NOKEY ||
		    (key && key == &x->keys[l->key]))
			return RBL_OK;
	}
	return RBL_EPERM;
}

bool rbl_xfr_conf_notifies(const rbl_xfr_conf *x)
{
	if (x->defaults.n_notify)
		return true;
	for (unsigned i = 0; i < x->n_zones; i++)
		if (x->zones[i].n_notify)
			return true;
	return false;
}
