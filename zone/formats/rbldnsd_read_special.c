/*
 * rbldnsd_read_special.c -- the special lines of rbldnsd data: $SOA, $NS
 * and $TTL (the zone's settings, first one counts), $MAXRANGE4,
 * $TIMESTAMP (dating and expiring the data) and $DATASET (the sections of
 * a combined file).  $n and $= are taken in pass 1 (rbldnsd_read.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/formats/rbldnsd_read_impl.h"

/* ---- special lines ---- */

static int parse_time_word(ds_parser *p, char **s, const char *what,
			   uint32_t *out)
{
	char *w = next_word(s);

	if (!*w || rbl_parse_duration(w, out) != RBL_OK)
		return ds_error(p, "$%s: \"%s\" is not a time (300, 5m, 2h, "
			     "1d, 1w)", what, w);
	return RBL_OK;
}

static int parse_name_word(ds_parser *p, char **s, const char *what,
			   char *out)
{
	char *w = next_word(s);
	size_t len = strlen(w);

	if (len && w[len - 1] == '.')
		w[--len] = '\0';
	if (!ds_valid_name(w, len))
		return ds_error(p, "$%s: \"%s\" is not a domain name", what, w);
	for (size_t i = 0; i <= len; i++)
		out[i] = (char)tolower((unsigned char)w[i]);
	return RBL_OK;
}

static int special_soa(ds_parser *p, char *s)
{
	rbl_ds_meta m = *p->meta;
	uint32_t *nums[] = { &m.soa_serial, &m.soa_refresh, &m.soa_retry,
			     &m.soa_expire, &m.soa_minimum };
	int rc;

	rc = parse_time_word(p, &s, "SOA", &m.soa_ttl);
	if (rc == RBL_OK)
		rc = parse_name_word(p, &s, "SOA", m.soa_mname);
	if (rc == RBL_OK)
		rc = parse_name_word(p, &s, "SOA", m.soa_rname);
	for (size_t i = 0; rc == RBL_OK && i < 5; i++)
		rc = parse_time_word(p, &s, "SOA", nums[i]);
	if (rc != RBL_OK)
		return rc;
	if (*s)
		return ds_error(p, "$SOA: unexpected \"%s\" (ttl origin person "
			     "serial refresh retry expire minttl)", s);
	if (!p->meta->has_soa) {	/* only the first $SOA counts */
		m.has_soa = true;
		*p->meta = m;
	}
	return RBL_OK;
}

static int special_ns(ds_parser *p, char *s)
{
	rbl_ds_meta *m = p->meta;
	char names[RBL_DS_MAX_NS][RBL_NAME_MAX + 1];
	uint32_t ttl = 0;
	unsigned n = 0;
	int rc = parse_time_word(p, &s, "NS", &ttl);

	while (rc == RBL_OK && *s) {
		if (*s == '-') {	/* "-name": commented out */
			next_word(&s);
			continue;
		}
		if (n == RBL_DS_MAX_NS)
			return ds_error(p, "$NS: more than %d name servers",
				     RBL_DS_MAX_NS);
		rc = parse_name_word(p, &s, "NS", names[n++]);
	}
	if (rc != RBL_OK || m->n_ns)	/* only the first $NS counts */
		return rc;
	if (n == 0)
		return ds_error(p, "$NS: no name server");
	m->ns_ttl = ttl;
	m->n_ns = n;
	memcpy(m->ns, names, sizeof(names[0]) * n);
	return RBL_OK;
}

static int special_maxrange(ds_parser *p, char *s)
{
	char *w = next_word(&s);
	const char *b = w + 1;
	unsigned bits = 0;
	uint32_t n;
	uint64_t v = 0;

	if (w[0] == '/' && ds_parse_bits(&b, 32, &bits) && !*b && !*s) {
		v = (uint64_t)1 << (32 - bits);
	} else if (rbl_parse_size(w, &v) == RBL_OK && !*s && v > 0) {
		/* a number of addresses */
	} else {
		return ds_error(p, "$MAXRANGE4: \"%s\" is not /len or a number "
			     "of addresses", w);
	}
	n = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	/* it may shrink, never grow */
	if (!p->meta->maxrange4 || n < p->meta->maxrange4)
		p->meta->maxrange4 = n;
	return RBL_OK;
}

/* "yyyy[-:]mm[-:]dd[[-:]hh[[-:]mi[[-:]ss]]]" in UTC; "0" or "-" = none. */
static int parse_stamp(const char *s, int64_t *out)
{
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	int v[6] = { 0, 1, 1, 0, 0, 0 };
	struct tm tm = { 0 };
	int i;

	if (strcmp(s, "0") == 0 || strcmp(s, "-") == 0) {
		*out = 0;
		return RBL_OK;
	}
	for (i = 0; i < 6 && *s; i++) {
		if (i && (*s == ':' || *s == '-'))
			s++;
		v[i] = 0;
		for (int d = 0; d < width[i]; d++, s++) {
			if (!isdigit((unsigned char)*s))
				return RBL_ESYNTAX;
			v[i] = v[i] * 10 + (*s - '0');
		}
	}
	if (*s || i < 3 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return RBL_ESYNTAX;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	*out = (int64_t)timegm(&tm);
	return RBL_OK;
}

int ds_special_timestamp(ds_parser *p, char *s)
{
	char *stamp = next_word(&s), *exp = next_word(&s);
	int64_t ts = 0, ex = 0;
	uint32_t rel = 0;

	if (*s || parse_stamp(stamp, &ts) != RBL_OK)
		return ds_error(p, "$TIMESTAMP: expected yyyy:mm:dd[:hh[:mi[:ss]]]"
			     " [expires]");
	if (exp[0] == '+') {
		if (rbl_parse_duration(exp + 1, &rel) != RBL_OK || !ts)
			return ds_error(p, "$TIMESTAMP: bad relative expiry "
				     "\"%s\"", exp);
		ex = ts + rel;
	} else if (*exp && parse_stamp(exp, &ex) != RBL_OK) {
		return ds_error(p, "$TIMESTAMP: bad expiry \"%s\"", exp);
	}
	if (ts > p->now)
		return ds_error(p, "$TIMESTAMP: the data is dated in the future "
			     "(rbldnsd refuses to load it)");
	if (ex && ex <= p->now)
		ds_warn(p, "$TIMESTAMP: the data expired already; its entries"
			" will not answer");
	if (!p->meta->timestamp && !p->meta->expires) {
		p->meta->timestamp = ts;
		p->meta->expires = ex;
	}
	return RBL_OK;
}

static int special_dataset(ds_parser *p, char *s)
{
	rbl_ds_section sec = { 0 };
	char *w = next_word(&s), *colon = strchr(w, ':');
	int rc;

	if (p->o->type != RBL_DS_COMBINED)
		return ds_error(p, "$DATASET is only allowed in combined files");
	p->section++;
	p->type = 0;	/* entries of a bad section are errors */
	ds_reset_default(p);
	memset(&sec, 0, sizeof(sec));
	if (colon)
		*colon++ = '\0';
	sec.type = rbl_ds_type_parse(w);
	if (!sec.type || sec.type == RBL_DS_COMBINED)
		return ds_error(p, "$DATASET: \"%s\" is not a dataset type rbld "
			     "reads (ip4set, ip4tset, ip4trie, ip6tset, "
			     "ip6trie, dnset, acl, generic)", w);
	if (colon && strlen(colon) > RBL_LIST_NAME_MAX)
		return ds_error(p, "$DATASET: name longer than %d",
			     RBL_LIST_NAME_MAX);
	snprintf(sec.name, sizeof(sec.name), "%s", colon ? colon : "");
	while (*s) {
		char *sub = next_word(&s);

		if (sec.n_sub == RBL_DS_MAX_SUBZONES)
			return ds_error(p, "$DATASET: more than %d subzones",
				     RBL_DS_MAX_SUBZONES);
		if (strcmp(sub, "@") == 0) {
			sec.sub[sec.n_sub++][0] = '\0';
			continue;
		}
		if (!ds_valid_name(sub, strlen(sub)))
			return ds_error(p, "$DATASET: \"%s\" is not a subzone",
				     sub);
		for (size_t i = 0; i <= strlen(sub); i++)
			sec.sub[sec.n_sub][i] =
				(char)tolower((unsigned char)sub[i]);
		sec.n_sub++;
	}
	if (sec.n_sub == 0)
		ds_warn(p, "$DATASET %s: no subzone; the dataset is not used",
			w);
	sec.file = p->file;
	sec.line = p->line;
	p->type = sec.type;
	if (!p->errors && p->h->section) {
		rc = p->h->section(p->h->arg, p->section, &sec);
		if (rc)
			return p->stop_rc = rc;
	}
	return RBL_OK;
}

/* Pass 2: S is the text after "$", "#$" or ":$". */
int ds_special_line(ds_parser *p, char *s, bool tolerant)
{
	char *kw = next_word(&s);

	if (isdigit((unsigned char)kw[0]) && kw[1] == '\0')
		return RBL_OK;		/* $n: taken in pass 1 */
	if (strcmp(kw, "=") == 0 || strcasecmp(kw, "TIMESTAMP") == 0)
		return RBL_OK;		/* taken in pass 1 */
	if (strcasecmp(kw, "SOA") == 0)
		return special_soa(p, s);
	if (strcasecmp(kw, "NS") == 0)
		return special_ns(p, s);
	if (strcasecmp(kw, "TTL") == 0) {
		int rc = parse_time_word(p, &s, "TTL", &p->meta->ttl);

		if (rc == RBL_OK && *s)
			return ds_error(p, "$TTL: unexpected \"%s\"", s);
		p->meta->has_ttl = rc == RBL_OK;
		return rc;
	}
	if (strcasecmp(kw, "MAXRANGE4") == 0)
		return special_maxrange(p, s);
	if (strcasecmp(kw, "DATASET") == 0)
		return special_dataset(p, s);
	if (tolerant)
		return RBL_OK;		/* "#$Id ...": a comment after all */
	return ds_error(p, "unknown special line \"$%s\"", kw);
}
