/*
 * ingest.c -- the one path from a trap message or a report to evidence,
 * policy and listings, in batches of one write transaction each.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "zone/error.h"
#include "zone/policy/evidence.h"
#include "zone/policy/policy.h"
#include "ingest.h"
#include "links.h"
#include "mime.h"
#include "received.h"
#include "report.h"

#define DEFAULT_BATCH		5000
#define DEFAULT_MAX_MSG		(10u << 20)
#define DEFAULT_MAX_HDR		(256u << 10)
#define MAX_TRUSTED		256
#define FUTURE_SLACK		86400	/* dates further ahead are absurd */

struct rbl_ingest {
	rbl_store *s;
	const rbl_conf *c;
	rbl_policy_set *set;
	rbl_prefix nets[MAX_TRUSTED];
	const char *relays[MAX_TRUSTED];
	rbl_trust trust;
	double trap_weight;
	const char *trap_source;
	uint32_t batch;
	uint64_t max_msg, max_hdr;
	bool accept_unknown;
	double unknown_weight;
	rbl_ingest_opts opts;
	rbl_txn *t;
	uint32_t in_batch;
	/* subjects noted in the open batch, settled once before commit */
	rbl_prefix *touched;
	size_t n_touched;
	uint32_t *slots;		/* open addressing: index + 1, 0 free */
	size_t n_slots;
	char *buf;			/* normalised copy of one item */
	size_t cap;
	rbl_links *links;		/* NULL: no domain-policy */
	rbl_ingest_stats st;
};

const char *rbl_skip_name(int reason)
{
	static const char *const names[RBL_SKIP_COUNT] = {
		"none", "malformed", "too-big", "binary", "no-received", "all-trusted",
		"special-address", "no-source", "not-abuse", "too-old",
		"bad-line", "prefix-too-wide",
	};

	return reason >= 0 && reason < RBL_SKIP_COUNT ? names[reason] : "?";
}

/* ------------------------------------------------------ configuration */

static int parse_weight(const rbl_conf *c, const rbl_conf_section *s,
			const char *key, double def, double *out, char *err,
			size_t errlen)
{
	const char *v = s ? rbl_conf_get(s, key) : NULL;
	char *end = NULL;

	*out = def;
	if (!v)
		return RBL_OK;
	*out = strtod(v, &end);
	if (end == v || *end || !(*out > 0) || *out > 1e6) {
		snprintf(err, errlen, "%s:%u: %s: want a number > 0, got \"%s\"",
			 c->path, s->line, key, v);
		return RBL_EINVAL;
	}
	return RBL_OK;
}

static int load_trap(rbl_ingest *in, char *err, size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(in->c, "trap", NULL);
	const rbl_conf_item *it = NULL;
	size_t n = 0;

	in->trap_source = "trap";
	in->trust.nets = in->nets;
	in->trust.relays = in->relays;
	if (!s)
		return parse_weight(in->c, s, "weight", 1, &in->trap_weight, err,
				    errlen);
	if (rbl_conf_get(s, "source"))
		in->trap_source = rbl_conf_get(s, "source");
	while ((it = rbl_conf_next_item(s, "trusted-network", it)) &&
	       n < MAX_TRUSTED) {
		if (rbl_prefix_parse(it->value, false, &in->nets[n++]) != RBL_OK) {
			snprintf(err, errlen, "%s:%u: bad trusted-network \"%s\"",
				 in->c->path, it->line, it->value);
			return RBL_EINVAL;
		}
	}
	in->trust.n_nets = n;
	n = 0;
	for (it = NULL; (it = rbl_conf_next_item(s, "trusted-relay", it)) &&
	     n < MAX_TRUSTED;)
		in->relays[n++] = it->value;
	in->trust.n_relays = n;
	return parse_weight(in->c, s, "weight", 1, &in->trap_weight, err, errlen);
}

static int load_limits(rbl_ingest *in, char *err, size_t errlen)
{
	const rbl_conf_section *s = rbl_conf_next(in->c, "evidence", NULL);
	uint32_t batch = 0;
	int rc;

	in->batch = DEFAULT_BATCH;
	in->max_msg = DEFAULT_MAX_MSG;
	in->max_hdr = DEFAULT_MAX_HDR;
	in->unknown_weight = 0.5;
	if (!s)
		return RBL_OK;
	if ((rc = rbl_conf_u32(in->c, s, "batch", DEFAULT_BATCH, &batch, err,
			       errlen)) ||
	    (rc = rbl_conf_size(in->c, s, "max-message-size", DEFAULT_MAX_MSG,
				&in->max_msg, err, errlen)) ||
	    (rc = rbl_conf_size(in->c, s, "max-header-size", DEFAULT_MAX_HDR,
				&in->max_hdr, err, errlen)) ||
	    (rc = rbl_conf_bool(in->c, s, "accept-unknown-reporters", false,
				&in->accept_unknown, err, errlen)) ||
	    (rc = parse_weight(in->c, s, "unknown-reporter-weight", 0.5,
			       &in->unknown_weight, err, errlen)))
		return rc;
	in->batch = batch ? batch : 1;
	return RBL_OK;
}

static int resolve(rbl_ingest *in, char *err, size_t errlen)
{
	rbl_txn *t = NULL;
	int rc = rbl_txn_begin(in->s, false, &t);

	if (rc) {
		snprintf(err, errlen, "store: %s", rbl_strerror(rc));
		return rc;
	}
	rc = rbl_policy_resolve(t, in->set, err, errlen);
	rbl_txn_abort(t);
	return rc;
}

int rbl_ingest_open(rbl_store *s, const rbl_conf *c,
		    const rbl_ingest_opts *opts, rbl_ingest **out,
		    char *err, size_t errlen)
{
	rbl_ingest *in = calloc(1, sizeof *in);
	int rc;

	if (!in)
		return RBL_ENOMEM;
	in->s = s;
	in->c = c;
	if (opts)
		in->opts = *opts;
	if (!in->opts.now)
		in->opts.now = (int64_t)time(NULL);
	if ((rc = load_trap(in, err, errlen)) ||
	    (rc = load_limits(in, err, errlen)) ||
	    (rc = rbl_policy_load(c, &in->set, err, errlen)) ||
	    (rc = resolve(in, err, errlen)) ||
	    (rc = rbl_links_open(s, c, &in->links, err, errlen))) {
		rbl_policy_free(in->set);
		free(in);
		return rc;
	}
	if (in->opts.batch)
		in->batch = in->opts.batch;
	*out = in;
	return RBL_OK;
}

/* ------------------------------------------------------- transactions */

static uint32_t subject_hash(const rbl_prefix *p)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ p->addr.bytes[i]) * 16777619u;
	return (h ^ p->len ^ p->addr.family) * 16777619u;
}

static bool same_subject(const rbl_prefix *a, const rbl_prefix *b)
{
	return a->len == b->len && rbl_addr_cmp(&a->addr, &b->addr) == 0;
}

/* Remember P as touched in this batch (once).  RBL_OK or RBL_ENOMEM. */
static int touch(rbl_ingest *in, const rbl_prefix *p)
{
	size_t need = (size_t)in->batch * 2 + 16, mask, i;

	if (!in->slots) {
		size_t n = 64;
		while (n < need * 2)
			n *= 2;
		in->slots = calloc(n, sizeof *in->slots);
		in->touched = malloc(need * sizeof *in->touched);
		if (!in->slots || !in->touched)
			return RBL_ENOMEM;
		in->n_slots = n;
	}
	mask = in->n_slots - 1;
	for (i = subject_hash(p) & mask; in->slots[i]; i = (i + 1) & mask)
		if (same_subject(&in->touched[in->slots[i] - 1], p))
			return RBL_OK;
	if (in->n_touched >= need)
		return RBL_ENOMEM;	/* cannot happen: one per item */
	in->touched[in->n_touched++] = *p;
	in->slots[i] = (uint32_t)in->n_touched;
	return RBL_OK;
}

static void forget_touched(rbl_ingest *in)
{
	if (in->slots && in->n_touched)
		memset(in->slots, 0, in->n_slots * sizeof *in->slots);
	in->n_touched = 0;
}

/* Bring the listings of every subject of the batch in line. */
static int settle_touched(rbl_ingest *in)
{
	rbl_policy_result res = { 0 };
	int rc = RBL_OK;

	for (size_t i = 0; rc == RBL_OK && i < in->n_touched; i++)
		rc = rbl_policy_settle(in->t, in->set, &in->touched[i],
				       in->opts.now, &res);
	in->st.newly_listed += res.newly_listed;
	forget_touched(in);
	return rc;
}

static int ensure_txn(rbl_ingest *in)
{
	int rc;

	if (in->t)
		return RBL_OK;
	if ((rc = rbl_txn_begin(in->s, true, &in->t)))
		return rc;
	rbl_txn_set_source(in->t, "rbl-import");
	return RBL_OK;
}

int rbl_ingest_commit(rbl_ingest *in)
{
	int rc = RBL_OK;

	if (!in->t)
		return RBL_OK;
	if ((rc = settle_touched(in)) ||
	    (in->links && (rc = rbl_links_settle(in->links, in->t, in->opts.now,
						  &in->st.newly_listed))) ||
	    in->opts.dry_run) {
		rbl_txn_abort(in->t);
	} else {
		rc = rbl_txn_commit(in->t);
	}
	in->t = NULL;
	in->in_batch = 0;
	if (rc == RBL_OK)
		in->st.batches++;
	return rc;
}

/* One item is done: commit when the batch is full. */
static int item_done(rbl_ingest *in)
{
	if (++in->in_batch < in->batch)
		return RBL_OK;
	return rbl_ingest_commit(in);
}

static int fail(rbl_ingest *in, int rc)
{
	if (in->t) {
		rbl_txn_abort(in->t);
		in->t = NULL;
		in->in_batch = 0;
	}
	forget_touched(in);
	if (in->links)
		rbl_links_reset(in->links);
	return rc;
}

static void skipped(rbl_ingest *in, int reason, const char *detail)
{
	in->st.skipped++;
	in->st.skip[reason]++;
	if (in->opts.on_skip)
		in->opts.on_skip(in->opts.arg, reason, detail);
}

/* Record EV and apply the policies, in the open batch. */
static int add_evidence(rbl_ingest *in, const rbl_evidence *ev)
{
	rbl_policy_result res = { 0 };
	int64_t oldest = in->set->retention ?
			 in->opts.now - in->set->retention : INT64_MIN;
	int rc;

	if (ev->when < oldest) {
		skipped(in, RBL_SKIP_TOO_OLD, "evidence older than retention");
		return RBL_OK;
	}
	if ((rc = ensure_txn(in)))
		return rc;
	rc = rbl_evidence_add(in->t, ev);
	if (rc == RBL_EEXIST) {
		in->st.duplicates++;
		return RBL_OK;
	}
	if (rc == RBL_EINVAL) {
		skipped(in, RBL_SKIP_SPECIAL, "address not allowed as evidence");
		return RBL_OK;
	}
	/* scores now, listings once per subject when the batch ends */
	if (rc || (rc = rbl_policy_note(in->t, in->set, ev, &res)) ||
	    (rc = touch(in, &ev->subject)))
		return fail(in, rc);
	in->st.added++;
	return RBL_OK;
}

/* Sane event time: WHEN unless missing or in the future. */
static int64_t event_time(const rbl_ingest *in, int64_t when)
{
	if (when <= 0 || when > in->opts.now + FUTURE_SLACK)
		return in->opts.now;
	return when;
}

/* Copy DATA into the normalisation buffer.  False when out of memory. */
static bool normalise(rbl_ingest *in, const char *data, size_t len,
		      size_t *out_len)
{
	if (len + 1 > in->cap) {
		size_t cap = len + 1 > 65536 ? len + 1 : 65536;
		char *b = realloc(in->buf, cap);
		if (!b)
			return false;
		in->buf = b;
		in->cap = cap;
	}
	*out_len = rbl_text_normalize(data, len, in->buf);
	in->buf[*out_len] = '\0';
	return true;
}

/* ---------------------------------------------------------------- traps */

static void split_skip(rbl_ingest *in, int rc)
{
	if (rc == RBL_ETOOBIG)
		skipped(in, RBL_SKIP_TOO_BIG, "header block over max-header-size");
	else if (rc == RBL_EINVAL)
		skipped(in, RBL_SKIP_BINARY, "NUL bytes in the header block");
	else
		skipped(in, RBL_SKIP_MALFORMED, "not a mail message");
}

static void origin_skip(rbl_ingest *in, const rbl_origin *o)
{
	switch (o->status) {
	case RBL_ORIGIN_NONE:
		skipped(in, RBL_SKIP_NO_RECEIVED, "no Received header with an IP");
		break;
	case RBL_ORIGIN_ALL_TRUSTED:
		skipped(in, RBL_SKIP_ALL_TRUSTED, "every Received hop is trusted");
		break;
	case RBL_ORIGIN_SPECIAL:
		skipped(in, RBL_SKIP_SPECIAL, "sender is in private/special space");
		break;
	default:
		skipped(in, RBL_SKIP_NO_RECEIVED, "unreadable Received header");
		break;
	}
}

/* First address in a To-like header value: "<a@b>" or the first word. */
static void first_address(const char *v, char *out, size_t size)
{
	const char *lt = strchr(v, '<'), *p = lt ? lt + 1 : v;
	size_t n = 0;

	while (*p == ' ')
		p++;
	while (p[n] && p[n] != '>' && p[n] != ',' && p[n] != ' ' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

static void trap_source(const rbl_ingest *in, const rbl_msg *m,
			const char *trap, char *out, size_t size)
{
	static const char *const hdrs[] = { "Delivered-To", "X-Original-To",
					    "Envelope-To", "To" };
	char v[256], addr[160];

	addr[0] = '\0';
	if (trap && *trap)
		snprintf(addr, sizeof addr, "%s", trap);
	for (size_t i = 0; !addr[0] && i < sizeof hdrs / sizeof hdrs[0]; i++)
		if (rbl_msg_get(m, hdrs[i], v, sizeof v))
			first_address(v, addr, sizeof addr);
	snprintf(out, size, "trap:%.*s", (int)(size > 6 ? size - 6 : 0),
		 addr[0] ? addr : in->trap_source);
}

static void trap_summary(const rbl_msg *m, const rbl_origin *o, char *out,
			 size_t size)
{
	char subj[200];

	if (!rbl_msg_get(m, "Subject", subj, sizeof subj))
		snprintf(subj, sizeof subj, "(none)");
	snprintf(out, size, "Subject: %.200s | Received: %.500s", subj, o->line);
}

int rbl_ingest_trap(rbl_ingest *in, const char *trap, const char *data,
		    size_t len)
{
	rbl_evidence ev = { 0 };
	rbl_origin o = { 0 };
	rbl_msg m = { 0 };
	uint64_t added = 0;
	size_t n = 0;
	int rc;

	in->st.items++;
	in->st.bytes += len;
	if (len > in->max_msg) {
		skipped(in, RBL_SKIP_TOO_BIG, "message over max-message-size");
		return item_done(in);
	}
	if (!normalise(in, data, len, &n))
		return fail(in, RBL_ENOMEM);
	if ((rc = rbl_msg_split(in->buf, n, in->max_hdr, &m))) {
		split_skip(in, rc);
		return item_done(in);
	}
	if (rbl_received_origin(&m, &in->trust, &o) != RBL_ORIGIN_FOUND) {
		origin_skip(in, &o);
		return item_done(in);
	}
	memset(&ev, 0, sizeof ev);
	ev.subject.addr = o.ip;
	ev.subject.len = (uint8_t)rbl_addr_bits(o.ip.family);
	ev.when = event_time(in, o.when);
	ev.kind = RBL_EV_TRAP;
	ev.weight = in->trap_weight;
	if ((rc = rbl_evidence_hash(in->buf, n, ev.hash)))
		return fail(in, rc);
	trap_source(in, &m, trap, ev.source, sizeof ev.source);
	trap_summary(&m, &o, ev.summary, sizeof ev.summary);
	added = in->st.added;
	if ((rc = add_evidence(in, &ev)))
		return rc;
	/* links only of a message new to the store (links.h) */
	if (in->links && in->st.added > added &&
	    (rc = rbl_links_trap(in->links, in->t, &m, ev.hash, ev.when,
				 ev.source, in->trap_weight, &in->st.links)))
		return fail(in, rc);
	return item_done(in);
}

/* -------------------------------------------------------------- reports */

typedef struct reporter {
	const char *name;
	double weight;
	uint8_t min4, min6;
} reporter;

static int find_reporter(const rbl_ingest *in, const char *name,
			 reporter *r, char *err, size_t errlen)
{
	const rbl_conf_section *s = NULL;
	uint32_t m4 = 24, m6 = 48;

	r->name = name;
	r->min4 = 24;
	r->min6 = 48;
	while ((s = rbl_conf_next(in->c, "reporter", s)))
		if (strcmp(s->title, name) == 0)
			break;
	if (!s) {
		r->weight = in->unknown_weight;
		snprintf(err, errlen, "unknown reporter %s", name);
		return in->accept_unknown ? RBL_OK : RBL_EPERM;
	}
	if (parse_weight(in->c, s, "weight", 1, &r->weight, err, errlen) ||
	    rbl_conf_u32(in->c, s, "min-prefix4", 24, &m4, err, errlen) ||
	    rbl_conf_u32(in->c, s, "min-prefix6", 48, &m6, err, errlen))
		return RBL_EINVAL;
	r->min4 = (uint8_t)(m4 > 32 ? 32 : m4);
	r->min6 = (uint8_t)(m6 > 128 ? 128 : m6);
	return RBL_OK;
}

static void report_evidence(rbl_evidence *ev, const reporter *r)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = RBL_EV_REPORT;
	ev->weight = r->weight;
	snprintf(ev->source, sizeof ev->source, "reporter:%s", r->name);
}

/* One line of a plain list or CSV that parsed to P. */
static int list_item(rbl_ingest *in, const reporter *r, const char *line,
		     size_t len, const rbl_prefix *p, const char *reason,
		     int64_t when)
{
	char norm[1024];
	const char *parts[] = { r->name, norm };
	uint8_t min = p->addr.family == RBL_AF4 ? r->min4 : r->min6;
	rbl_evidence ev = { 0 };
	char ip[RBL_ADDR_STRLEN];
	int rc;

	if (p->len < min) {
		skipped(in, RBL_SKIP_TOO_WIDE, "prefix wider than min-prefix");
		return RBL_OK;
	}
	report_evidence(&ev, r);
	ev.subject = *p;
	ev.when = event_time(in, when);
	snprintf(norm, sizeof norm, "%.*s", (int)(len < 1000 ? len : 1000), line);
	if ((rc = rbl_evidence_hash_parts(parts, 2, ev.hash)))
		return fail(in, rc);
	snprintf(ev.summary, sizeof ev.summary, "list from %s: %s%s%s", r->name,
		 rbl_prefix_format(p, ip), reason[0] ? " " : "", reason);
	return add_evidence(in, &ev);
}

static int list_line(rbl_ingest *in, const reporter *r, int format,
		     rbl_csv_cols *cols, bool *header, const char *line,
		     size_t len)
{
	char reason[256];
	rbl_prefix p = { 0 };
	int64_t when = 0;
	int ok;

	if (format == RBL_REPORT_CSV && !*header) {
		*header = true;
		if (rbl_csv_header(line, len, cols) != 0) {
			skipped(in, RBL_SKIP_BAD_LINE, "CSV header names no address column");
			return RBL_EINVAL;
		}
		return RBL_OK;
	}
	if (format == RBL_REPORT_CSV)
		ok = rbl_csv_line(line, len, cols, &p, reason, sizeof reason, &when);
	else
		ok = rbl_plain_line(line, len, &p, reason, sizeof reason);
	if (ok == 0)
		return RBL_OK;
	in->st.items++;
	if (ok < 0) {
		skipped(in, RBL_SKIP_BAD_LINE, "line is not an address");
		return item_done(in);
	}
	if (rbl_addr_is_special(&p.addr)) {
		skipped(in, RBL_SKIP_SPECIAL, "address is private/special space");
		return item_done(in);
	}
	int rc = list_item(in, r, line, len, &p, reason, when);
	return rc ? rc : item_done(in);
}

static int ingest_list(rbl_ingest *in, const reporter *r, int format,
		       const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	rbl_csv_cols cols = { 0 };
	bool header = false;
	int rc;

	in->st.bytes += len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		rc = list_line(in, r, format, &cols, &header, p, (size_t)(e - p));
		if (rc == RBL_EINVAL)
			return RBL_OK;	/* unusable CSV: counted, nothing added */
		if (rc)
			return rc;
		p = nl ? nl + 1 : end;
	}
	return RBL_OK;
}

static int ingest_message_report(rbl_ingest *in, const reporter *r,
				 int format, const char *data, size_t len)
{
	rbl_evidence ev = { 0 };
	rbl_report rep = { 0 };
	size_t n = 0;
	int rc;

	in->st.items++;
	in->st.bytes += len;
	if (len > in->max_msg) {
		skipped(in, RBL_SKIP_TOO_BIG, "report over max-message-size");
		return item_done(in);
	}
	if (!normalise(in, data, len, &n))
		return fail(in, RBL_ENOMEM);
	rbl_report_parse(in->buf, n, format, in->max_hdr, &rep);
	if (rep.status) {
		skipped(in, rep.status, rep.detail);
		return item_done(in);
	}
	report_evidence(&ev, r);
	ev.subject = rep.subject;
	ev.when = event_time(in, rep.when);
	snprintf(ev.summary, sizeof ev.summary, "%s", rep.summary);
	if ((rc = rbl_evidence_hash(in->buf, n, ev.hash)))
		return fail(in, rc);
	if ((rc = add_evidence(in, &ev)))
		return rc;
	return item_done(in);
}

int rbl_ingest_reporter_check(const rbl_ingest *in, const char *name,
			      char *err, size_t errlen)
{
	reporter r = { 0 };

	return find_reporter(in, name, &r, err, errlen);
}

int rbl_ingest_report_data(rbl_ingest *in, const char *reporter_name,
			   int format, const char *data, size_t len)
{
	char err[RBL_CONF_ERRLEN];
	reporter r = { 0 };
	int rc = find_reporter(in, reporter_name, &r, err, sizeof err);

	if (rc)
		return rc;
	if (format == RBL_REPORT_AUTO)
		format = rbl_report_detect(data, len);
	if (format == RBL_REPORT_PLAIN || format == RBL_REPORT_CSV)
		return ingest_list(in, &r, format, data, len);
	return ingest_message_report(in, &r, format, data, len);
}

/* ---------------------------------------------------------- the session */

int rbl_ingest_skip(rbl_ingest *in, int reason, const char *detail,
		    size_t bytes)
{
	in->st.items++;
	in->st.bytes += bytes;
	skipped(in, reason, detail);
	return item_done(in);
}

uint64_t rbl_ingest_max_message(const rbl_ingest *in)
{
	return in->max_msg;
}

void rbl_ingest_stats_get(const rbl_ingest *in, rbl_ingest_stats *out)
{
	*out = in->st;
}

int rbl_ingest_close(rbl_ingest *in, rbl_ingest_stats *out)
{
	int rc = rbl_ingest_commit(in);

	if (rc)
		fail(in, rc);
	if (out)
		*out = in->st;
	rbl_policy_free(in->set);
	rbl_links_free(in->links);
	free(in->buf);
	free(in->slots);
	free(in->touched);
	free(in);
	return rc;
}

void rbl_ingest_abort(rbl_ingest *in)
{
	fail(in, RBL_OK);
	rbl_policy_free(in->set);
	rbl_links_free(in->links);
	free(in->buf);
	free(in->slots);
	free(in->touched);
	free(in);
}

static int one_shot(rbl_store *s, const rbl_conf *c, const char *who,
		    bool trap, const char *data, size_t len,
		    rbl_ingest_stats *out)
{
	char err[RBL_CONF_ERRLEN];
	rbl_ingest *in = NULL;
	int rc = rbl_ingest_open(s, c, NULL, &in, err, sizeof err);

	if (rc)
		return rc;
	rc = trap ? rbl_ingest_trap(in, who, data, len) :
		    rbl_ingest_report_data(in, who, RBL_REPORT_AUTO, data, len);
	if (rc) {
		if (out)
			rbl_ingest_stats_get(in, out);
		rbl_ingest_abort(in);
		return rc;
	}
	return rbl_ingest_close(in, out);
}

int rbl_ingest_report(rbl_store *s, const rbl_conf *c, const char *reporter_name,
		      const char *data, size_t len, rbl_ingest_stats *out)
{
	return one_shot(s, c, reporter_name, false, data, len, out);
}

int rbl_ingest_trap_message(rbl_store *s, const rbl_conf *c,
			    const char *trap, const char *data, size_t len,
			    rbl_ingest_stats *out)
{
	return one_shot(s, c, trap, true, data, len, out);
}

int rbl_ingest_auth(const rbl_conf *c, const char *name, const char *token)
{
	const rbl_conf_section *s = NULL;
	const char *want;
	size_t n;

	if (!name || !token)
		return RBL_EPERM;
	while ((s = rbl_conf_next(c, "reporter", s)))
		if (strcmp(s->title, name) == 0)
			break;
	if (!s || !(want = rbl_conf_get(s, "token")) || !*want)
		return RBL_EPERM;
	n = strlen(want);
	if (strlen(token) != n)
		return RBL_EPERM;
	return CRYPTO_memcmp(want, token, n) == 0 ? RBL_OK : RBL_EPERM;
}
