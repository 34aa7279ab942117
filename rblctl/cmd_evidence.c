/*
 * cmd_evidence.c -- rblctl evidence: why an address is listed, and the
 * human decisions of the listing policy (block after a delisting, allow,
 * manual evidence); plus the policy-aware purge rblctl purge should use.
 *
 *   rblctl evidence ADDRESS [--max N] [--now TIME]
 *   rblctl evidence --dump
 *   rblctl evidence block ADDRESS --why TEXT
 *   rblctl evidence unblock ADDRESS
 *   rblctl evidence allow PREFIX [--why TEXT] [--expires DURATION|@TIME]
 *   rblctl evidence unallow PREFIX
 *   rblctl evidence add ADDRESS --why TEXT [--weight W]
 * A domain or mail address in place of ADDRESS goes to the domain policy
 * (cmd_evidence_name.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "cmd_evidence.h"
#include "zone/error.h"
#include "zone/policy/evidence.h"
#include "zone/policy/evidence_dump.h"
#include "zone/policy/policy.h"

typedef struct ev_args {
	const char *subject, *why, *expires;
	unsigned max;
	double weight;
	int64_t now;
} ev_args;

/* The command, for usage messages of helpers that have no ctl: the same
 * texts as main.c's entry (cmd_evidence.h). */
static const ctl_cmd *self(void)
{
	static const ctl_cmd me = { "evidence", cmd_evidence,
		CMD_EVIDENCE_SYNOPSIS, CMD_EVIDENCE_HELP };

	return &me;
}

/* Options after the subcommand; positional SUBJECT. */
static int parse_opts(int argc, char **argv, int first, ev_args *a)
{
	const char *env = getenv("RBL_NOW");

	memset(a, 0, sizeof a[0]);
	a->weight = 1;
	a->now = env && *env ? strtoll(env, NULL, 10) : (int64_t)time(NULL);
	for (int i = first; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (o[0] != '-' && !a->subject) {
			a->subject = o;
			continue;
		}
		if (!v)
			return ctl_usage(self(), "%s needs a value or is unknown", o);
		if (strcmp(o, "--why") == 0)
			a->why = v;
		else if (strcmp(o, "--expires") == 0)
			a->expires = v;
		else if (strcmp(o, "--max") == 0)
			a->max = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(o, "--weight") == 0)
			a->weight = strtod(v, NULL);
		else if (strcmp(o, "--now") == 0)
			a->now = strtoll(v, NULL, 10);
		else
			return ctl_usage(self(), "unknown option %s", o);
		i++;
	}
	return CTL_OK;
}

/* The policy set of the configuration, resolved in T. */
static int load_policies(ctl *c, rbl_txn *t, rbl_policy_set **set)
{
	char err[RBL_CONF_ERRLEN];
	rbl_conf empty = { 0 };

	if (rbl_policy_load(c->conf ? c->conf : &empty, set, err, sizeof err) ||
	    rbl_policy_resolve(t, *set, err, sizeof err)) {
		rbl_policy_free(*set);
		*set = NULL;
		return ctl_err("policy: %s", err);
	}
	return CTL_OK;
}

/* Open the store and a transaction, load the policies. */
static int setup(ctl *c, bool write, rbl_txn **t, rbl_policy_set **set)
{
	if (ctl_open_store(c, false) != CTL_OK || ctl_begin(c, write, t) != CTL_OK)
		return CTL_ERR;
	if (load_policies(c, *t, set) != CTL_OK) {
		rbl_txn_abort(*t);
		return CTL_ERR;
	}
	return CTL_OK;
}

static int finish(ctl *c, rbl_txn *t, rbl_policy_set *set, int rc,
		  const char *what)
{
	rbl_policy_free(set);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "%s", what);
	if (ctl_commit(t, what) != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "%s: done\n", what);
	return CTL_OK;
}

static int need_prefix(const char *s, bool host, rbl_prefix *p)
{
	if (!s || rbl_prefix_parse(s, true, p) != RBL_OK)
		return ctl_usage(self(), "not an address or prefix: %s", s ? s : "");
	if (host && p->len != rbl_addr_bits(p->addr.family))
		return ctl_usage(self(), "want one address, not %s", s);
	return CTL_OK;
}

static int show(ctl *c, const ev_args *a)
{
	rbl_policy_set *set = NULL;
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (need_prefix(a->subject, false, &p) != CTL_OK)
		return CTL_USAGE;
	if (setup(c, false, &t, &set) != CTL_OK)
		return CTL_ERR;
	rc = rbl_evidence_explain(t, set, &p, a->now, a->max, stdout);
	rbl_txn_abort(t);
	rbl_policy_free(set);
	if (rc == RBL_ENOTFOUND)
		return ctl_err("no evidence about %s", a->subject);
	return rc == RBL_OK ? CTL_OK : ctl_err("evidence: %s", rbl_strerror(rc));
}

static int dump(ctl *c)
{
	rbl_policy_set *set = NULL;
	rbl_txn *t = NULL;
	int rc;

	if (setup(c, false, &t, &set) != CTL_OK)
		return CTL_ERR;
	rc = rbl_evidence_dump(t, set, stdout);
	rbl_txn_abort(t);
	rbl_policy_free(set);
	return rc == RBL_OK ? CTL_OK : ctl_err("dump: %s", rbl_strerror(rc));
}

static int block(ctl *c, const ev_args *a, bool on)
{
	rbl_policy_set *set = NULL;
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (need_prefix(a->subject, true, &p) != CTL_OK)
		return CTL_USAGE;
	if (on && !a->why)
		return ctl_usage(self(), "block needs --why TEXT");
	if (setup(c, true, &t, &set) != CTL_OK)
		return CTL_ERR;
	rc = on ? rbl_policy_block(t, &p.addr, a->now, c->source, a->why) :
		  rbl_policy_unblock(t, &p.addr);
	return finish(c, t, set, rc, on ? "block" : "unblock");
}

static int allow(ctl *c, const ev_args *a, bool on)
{
	rbl_policy_set *set = NULL;
	int64_t expires = 0;
	rbl_prefix p = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (need_prefix(a->subject, false, &p) != CTL_OK)
		return CTL_USAGE;
	if (a->expires && ctl_parse_expiry(a->expires, a->now, &expires) != CTL_OK)
		return CTL_USAGE;
	if (setup(c, true, &t, &set) != CTL_OK)
		return CTL_ERR;
	rc = on ? rbl_policy_allow_add(t, set, &p, expires, c->source,
				       a->why ? a->why : "") :
		  rbl_policy_allow_del(t, set, &p);
	return finish(c, t, set, rc, on ? "allow" : "unallow");
}

static int add_manual(ctl *c, const ev_args *a)
{
	rbl_policy_set *set = NULL;
	rbl_evidence ev = { 0 };
	char when[32];
	const char *parts[3];
	rbl_txn *t = NULL;
	int rc;

	memset(&ev, 0, sizeof ev);
	if (need_prefix(a->subject, false, &ev.subject) != CTL_OK)
		return CTL_USAGE;
	if (!a->why || !(a->weight > 0))
		return ctl_usage(self(), "add needs --why TEXT and a weight > 0");
	snprintf(when, sizeof when, "%lld", (long long)a->now);
	parts[0] = c->source;
	parts[1] = a->subject;
	parts[2] = when;
	ev.when = a->now;
	ev.kind = RBL_EV_MANUAL;
	ev.weight = a->weight;
	snprintf(ev.source, sizeof ev.source, "%s", c->source);
	snprintf(ev.summary, sizeof ev.summary, "manual: %s", a->why);
	if (rbl_evidence_hash_parts(parts, 3, ev.hash) != RBL_OK)
		return ctl_err("hash failed");
	if (setup(c, true, &t, &set) != CTL_OK)
		return CTL_ERR;
	rc = rbl_evidence_add(t, &ev);
	if (rc == RBL_OK)
		rc = rbl_policy_apply(t, set, &ev, a->now, NULL);
	return finish(c, t, set, rc, "add evidence");
}

/* An address or prefix (else a domain or mail address). */
static bool is_prefix(const char *s)
{
	rbl_prefix p = { 0 };

	return rbl_prefix_parse(s, true, &p) == RBL_OK;
}

int cmd_evidence(ctl *c, int argc, char **argv)
{
	static const char *const subs[] = { "block", "unblock", "allow",
					    "unallow", "add" };
	const char *sub = NULL;
	ev_args a = { 0 };

	if (ctl_want_help(self(), argc, argv))
		return CTL_OK;
	if (argc < 2)
		return ctl_usage(self(), "evidence needs an address or a subcommand");
	if (strcmp(argv[1], "--dump") == 0)
		return argc == 2 ? dump(c) : ctl_usage(self(), "--dump takes nothing");
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i]) == 0)
			sub = subs[i];
	if (parse_opts(argc, argv, sub ? 2 : 1, &a) != CTL_OK)
		return CTL_USAGE;
	if (a.subject && !is_prefix(a.subject)) {
		ctl_name_args na = { a.subject, a.why, a.expires, a.max, a.now };
		return ctl_name_evidence(c, sub, &na);
	}
	if (!sub)
		return show(c, &a);
	if (strcmp(sub, "block") == 0 || strcmp(sub, "unblock") == 0)
		return block(c, &a, sub[0] == 'b');
	if (strcmp(sub, "allow") == 0 || strcmp(sub, "unallow") == 0)
		return allow(c, &a, sub[0] == 'a');
	return add_manual(c, &a);
}

int ctl_policy_purge(ctl *c, rbl_txn *t, int64_t now,
		     rbl_policy_purge_stats *out)
{
	rbl_policy_set *set = NULL;
	int rc;

	if (load_policies(c, t, &set) != CTL_OK)
		return RBL_EINVAL;
	rc = rbl_policy_purge(t, set, now, out);
	rbl_policy_free(set);
	if (rc == RBL_OK) {
		uint64_t ev = 0, states = 0;
		rc = ctl_name_purge(c, t, now, &ev, &states);
		if (out) {
			out->evidence_pruned += ev;
			out->states_dropped += states;
		}
	}
	return rc;
}
