/*
 * namepol_dump.c -- a name's evidence and policy status as text, the
 * explanation `rbl-import explain DOMAIN` and `rblctl evidence DOMAIN`
 * print (namepol.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "zone/error.h"
#include "zone/policy/evidence_dump.h"
#include "zone/policy/namepol.h"

#define STATUS_MAX	16

typedef struct explain_arg {
	FILE *out;
	unsigned max, n;
} explain_arg;

static int explain_evidence(void *arg, const rbl_nev *ev)
{
	explain_arg *ea = arg;
	char ts[24] = { 0 };

	if (ea->max && ea->n >= ea->max) {
		ea->n++;
		return 0;
	}
	ea->n++;
	fprintf(ea->out, "  %s  %-8s weight %-4g %s\n",
		rbl_time_format(ev->when, ts), rbl_nev_kind_name(ev->kind),
		ev->weight, ev->source);
	if (ev->summary[0])
		fprintf(ea->out, "      %s\n", ev->summary);
	fprintf(ea->out, "      %s: %s\n",
		ev->kind == RBL_NEV_URI ? "link" : "address", ev->found);
	return 0;
}

static void explain_status(FILE *out, const rbl_namepol_status *s,
			   const char *list)
{
	const rbl_namepol *p = s->policy;
	char ts[24] = { 0 }, ts2[24] = { 0 };

	fprintf(out, "domain-policy %s (list %s): score %.4g, threshold %g, "
		"half-life %us, expire-after %us\n", p->name, list, s->score,
		p->threshold, p->half_life, p->expire_after);
	fprintf(out, "  %" PRIu64 " pieces counted, first seen %s, last %s\n",
		s->n_evidence, rbl_time_format(s->first_seen, ts),
		rbl_time_format(s->last_seen, ts2));
	if (s->listed)
		fprintf(out, "  LISTED until %s%s\n",
			rbl_time_format(s->expires, ts),
			s->redirector ? " (link shortener: code-redirector)" : "");
	else
		fprintf(out, "  not listed%s\n", s->over_threshold ?
			" (over threshold: allowed, blocked or expired)" : "");
	if (s->kind == RBL_NEV_URI && p->newly_seen_list_id)
		fprintf(out, "  %s in %s\n", s->newly_seen ?
			"NEWLY SEEN" : "not newly seen", p->newly_seen_list);
	if (s->allowed)
		fprintf(out, "  allowed by list %s\n", p->allow_list);
	if (s->blocked)
		fprintf(out, "  delisted at %s by %s: %s (older evidence "
			"ignored)\n", rbl_time_format(s->block.when, ts),
			s->block.who, s->block.why);
}

int rbl_namepol_explain_text(rbl_txn *t, const rbl_namepol_set *set,
			     const char *name, int64_t now,
			     unsigned max_evidence, FILE *out)
{
	explain_arg ea = { out, max_evidence, 0 };
	rbl_namepol_status st[STATUS_MAX] = { 0 };
	bool any_state = false;
	size_t n = 0;
	int rc = 0;

	fprintf(out, "%s: the newest messages that named it (at most %d per "
		"list), newest first\n", name, RBL_NAMEPOL_RECENT);
	if ((rc = rbl_namepol_foreach_recent(t, name, explain_evidence, &ea)))
		return rc;
	if (ea.max && ea.n > ea.max)
		fprintf(out, "  ... %u older pieces not shown\n", ea.n - ea.max);
	if ((rc = rbl_namepol_explain(t, set, name, now, st, STATUS_MAX, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const rbl_namepol *p = st[i].policy;
		explain_status(out, &st[i], st[i].kind == RBL_NEV_URI ?
			       p->list : p->reply_to_list);
		any_state |= st[i].n_evidence > 0 || st[i].listed;
	}
	if (ferror(out))
		return RBL_EIO;
	return ea.n || any_state ? RBL_OK : RBL_ENOTFOUND;
}
