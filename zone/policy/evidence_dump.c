/*
 * evidence_dump.c -- evidence, scores and policy listings as text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "zone/store/entry.h"
#include "zone/error.h"
#include "zone/policy/evidence.h"
#include "zone/policy/evidence_dump.h"
#include "zone/policy/policy_impl.h"
#include "zone/store/bytes.h"

char *rbl_time_format(int64_t t, char *buf)
{
	struct tm tm = { 0 };
	time_t tt = (time_t)t;

	if (t == 0 || !gmtime_r(&tt, &tm)) {
		snprintf(buf, 24, "%s", t == 0 ? "never" : "?");
		return buf;
	}
	strftime(buf, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static int dump_evidence(void *arg, const rbl_evidence *ev)
{
	char p[RBL_ADDR_STRLEN], hex[2 * RBL_EV_HASH_LEN + 1];

	fprintf(arg, "evidence %s %" PRId64 " %s %g %s %s | %s\n",
		rbl_prefix_format(&ev->subject, p), ev->when,
		rbl_evidence_kind_name(ev->kind), ev->weight,
		rbl_evidence_hash_hex(ev->hash, hex), ev->source, ev->summary);
	return 0;
}

static int dump_states(rbl_txn *t, FILE *out)
{
	rbl_table tb = { 0 };
	rbl_table_iter it = { 0 };
	rbl_val k = { 0 }, v = { 0 };
	int rc = pol_state_table(t, &tb);

	if (rc)
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	rbl_table_iter_init(&it, &tb, NULL, 0, 0);
	while ((rc = rbl_table_next(&it, &k, &v)) == 1) {
		rbl_prefix s = { 0 };
		pstate st = { 0 };
		char p[RBL_ADDR_STRLEN];
		if (k.len != PSTATE_KEY_LEN || pol_state_decode(&v, &st))
			continue;
		pol_subject_decode(k.p, &s);
		fprintf(out, "state %s list=%u n=%" PRIu64 " first=%" PRId64
			" last=%" PRId64 " score=%.9g/%.9g/%.9g listed=%u kind=%u"
			" expires=%" PRId64 " rep=%u\n",
			rbl_prefix_format(&s, p),
			rbl_get_be32((const uint8_t *)k.p + PSUBJ_LEN), st.n,
			st.first_seen, st.t_ref, st.kscore[1], st.kscore[2],
			st.kscore[3], st.listed, st.listed_kind,
			st.listed_expires, st.rep);
	}
	rbl_table_iter_end(&it);
	return rc;
}

typedef struct entry_arg {
	FILE *out;
	const char *list;
} entry_arg;

static int dump_entry(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	entry_arg *ea = arg;
	char pf[RBL_ADDR_STRLEN], code[16];

	fprintf(ea->out, "entry %s %s%s code=%s expires=%" PRId64
		" added=%" PRId64 " source=%s txt=%s\n", ea->list,
		(e->flags & RBL_ENTRY_EXCLUDE) ? "!" : "",
		rbl_prefix_format(p, pf),
		e->n_codes ? rbl_code_format(e->codes[0], code) : "default",
		e->expires, e->added, e->source,
		(e->flags & RBL_ENTRY_HAS_TXT) ? e->txt : "(default)");
	return 0;
}

static int dump_list(rbl_txn *t, const rbl_policy_set *set, size_t upto,
		     uint32_t id, const char *name, FILE *out)
{
	entry_arg ea = { out, name };

	if (!id)
		return RBL_OK;
	for (size_t j = 0; j < upto; j++) {	/* each list once */
		const rbl_policy *q = &set->policies[j];
		if (q->list_id == id || q->reputation_list_id == id ||
		    q->allow_list_id == id)
			return RBL_OK;
	}
	return rbl_ip_foreach(t, id, NULL, dump_entry, &ea);
}

int rbl_evidence_dump(rbl_txn *t, const rbl_policy_set *set, FILE *out)
{
	int rc;

	if ((rc = rbl_evidence_foreach(t, dump_evidence, out)) ||
	    (rc = dump_states(t, out)))
		return rc;
	for (size_t i = 0; i < set->n; i++) {
		const rbl_policy *p = &set->policies[i];
		if ((rc = dump_list(t, set, i, p->list_id, p->list, out)) ||
		    (p->reputation_list_id != p->list_id &&
		     (rc = dump_list(t, set, i, p->reputation_list_id,
				     p->reputation_list, out))) ||
		    (p->allow_list_id != p->list_id &&
		     p->allow_list_id != p->reputation_list_id &&
		     (rc = dump_list(t, set, i, p->allow_list_id, p->allow_list,
				     out))))
			return rc;
	}
	return ferror(out) ? RBL_EIO : RBL_OK;
}

/* ------------------------------------------------------------ explain */

typedef struct explain_arg {
	FILE *out;
	const rbl_policy_set *set;
	int64_t now;
	unsigned max, n;
} explain_arg;

static int explain_evidence(void *arg, const rbl_evidence *ev)
{
	explain_arg *ea = arg;
	char ts[24];

	if (ea->max && ea->n >= ea->max) {
		ea->n++;
		return 0;
	}
	ea->n++;
	fprintf(ea->out, "  %s  %-6s weight %-4g %s\n", rbl_time_format(ev->when, ts),
		rbl_evidence_kind_name(ev->kind), ev->weight, ev->source);
	for (size_t i = 0; i < ea->set->n; i++) {
		const rbl_policy *p = &ea->set->policies[i];
		double w = rbl_policy_weight(p, ev);
		fprintf(ea->out, "      %s: %.4g now (%g x %g, decayed)\n", p->name,
			rbl_policy_decay(p, w, ev->when, ea->now), ev->weight,
			p->kind_weight[ev->kind]);
	}
	fprintf(ea->out, "      %s\n", ev->summary);
	return 0;
}

static void explain_status(FILE *out, const rbl_policy_status *s)
{
	const rbl_policy *p = s->policy;
	char ts[24], ts2[24], pf[RBL_ADDR_STRLEN];

	fprintf(out, "policy %s (list %s): score %.4g, threshold %g, half-life %us,"
		" expire-after %us\n", p->name, p->list, s->score, p->threshold,
		p->half_life, p->expire_after);
	fprintf(out, "  by kind: trap %.4g, report %.4g, manual %.4g; %" PRIu64
		" pieces counted, last %s\n", s->kind_score[1], s->kind_score[2],
		s->kind_score[3], s->n_evidence, rbl_time_format(s->last_seen, ts));
	if (s->listed)
		fprintf(out, "  LISTED as %s until %s\n",
			rbl_prefix_format(&s->listed_as, pf),
			rbl_time_format(s->expires, ts2));
	else
		fprintf(out, "  not listed%s\n", s->over_threshold ?
			" (over threshold: allowed, blocked or expired)" : "");
	if (p->reputation_list_id)
		fprintf(out, "  reputation 127.0.4.%u in %s\n", s->reputation,
			p->reputation_list);
	if (s->allowed)
		fprintf(out, "  allowed by list %s\n", p->allow_list);
	if (s->blocked)
		fprintf(out, "  delisted at %s by %s: %s (older evidence ignored)\n",
			rbl_time_format(s->block.when, ts), s->block.who,
			s->block.why);
}

int rbl_evidence_explain(rbl_txn *t, const rbl_policy_set *set,
			 const rbl_prefix *subject, int64_t now,
			 unsigned max_evidence, FILE *out)
{
	explain_arg ea = { out, set, now, max_evidence, 0 };
	rbl_policy_status st[16];
	char pf[RBL_ADDR_STRLEN];
	bool any_state = false;
	size_t n = set->n < 16 ? set->n : 16;
	int rc;

	fprintf(out, "%s: evidence, newest first\n", rbl_prefix_format(subject, pf));
	if ((rc = rbl_evidence_foreach_related(t, subject, explain_evidence, &ea)))
		return rc;
	if (ea.max && ea.n > ea.max)
		fprintf(out, "  ... %u older pieces not shown\n", ea.n - ea.max);
	if ((rc = rbl_policy_explain(t, set, subject, now, st, n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		explain_status(out, &st[i]);
		any_state |= st[i].n_evidence > 0 || st[i].listed;
	}
	if (ferror(out))
		return RBL_EIO;
	return ea.n || any_state ? RBL_OK : RBL_ENOTFOUND;
}
