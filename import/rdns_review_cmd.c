/*
 * rdns_review_cmd.c -- `rbl-import rdns review ...`: list, show, confirm,
 * reject and delete proposals from the command line (the admin site does
 * the same through zone/policy/rdns_review.h).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zone/error.h"
#include "rdns_cmd_impl.h"

static int list_visit(void *arg, const rbl_rdns_proposal *p)
{
	rdns_cmd *c = arg;
	bool tsv = c->tsv;
	c->tsv = true;		/* one line per proposal */
	rdns_print_proposal(c, p, rbl_rdns_state_name(p->state));
	c->tsv = tsv;
	return 0;
}

static int make_filter(rdns_cmd *c, rbl_rdns_filter *f)
{
	memset(f, 0, sizeof(*f));
	if (c->state && (f->state = rbl_rdns_state_parse(c->state)) < 0) {
		fprintf(stderr, "%s: unknown state \"%s\" (pending, "
			"confirmed, rejected, flagged)\n", c->prog, c->state);
		return 2;
	}
	f->domain = c->domain;
	f->template = c->template;
	return 0;
}

static int review_list(rdns_cmd *c)
{
	rbl_rdns_filter f = { 0 };
	rbl_txn *t = NULL;
	int status = make_filter(c, &f);
	if (status)
		return status;
	int rc = rbl_txn_begin(c->store, false, &t);
	if (rc == RBL_OK) {
		rc = rbl_rdns_foreach(t, &f, list_visit, c);
		rbl_txn_abort(t);
	}
	if (rc != RBL_OK)
		return rdns_cmd_fail(c, "review list", rc);
	return fflush(stdout) == 0 ? 0 : 1;
}

static int parse_prefix(rdns_cmd *c, const char *s, rbl_prefix *p)
{
	if (rbl_prefix_parse(s, true, p) == RBL_OK)
		return 0;
	fprintf(stderr, "%s: \"%s\" is not a CIDR block (host bits must be "
		"zero)\n", c->prog, s);
	return 2;
}

static void print_times(const rbl_rdns_proposal *p)
{
	char when[32];
	time_t t = (time_t)p->created;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
	printf("  proposed  %s UTC by %s\n", when, p->source);
	if (p->decided) {
		t = (time_t)p->decided;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
		printf("  decided   %s UTC by %s\n", when, p->decided_by);
	}
}

static int review_show(rdns_cmd *c, int argc, char **argv, int at)
{
	rbl_prefix pfx = { 0 };
	rbl_txn *t = NULL;
	if (at >= argc)
		return fprintf(stderr, "%s: review show PREFIX\n", c->prog), 2;
	if (parse_prefix(c, argv[at], &pfx))
		return 2;
	rbl_rdns_proposal *p = calloc(1, sizeof(*p));
	int rc = p ? rbl_txn_begin(c->store, false, &t) : RBL_ENOMEM;
	if (rc == RBL_OK) {
		rc = rbl_rdns_get(t, &pfx, p);
		rbl_txn_abort(t);
	}
	if (rc == RBL_OK) {
		c->tsv = false;
		rdns_print_proposal(c, p, rbl_rdns_state_name(p->state));
		print_times(p);
	}
	free(p);
	return rc == RBL_OK ? 0 : rdns_cmd_fail(c, argv[at], rc);
}

static const char *decider(const rdns_cmd *c)
{
	static char by[RBL_RDNS_BY_MAX + 1];
	const char *user = getenv("USER");
	if (c->by)
		return c->by;
	snprintf(by, sizeof(by), "cli:%s", user ? user : "unknown");
	return by;
}

/* Say why deciding on PFX failed: no such proposal, or no policy list. */
static void report_decide_error(const rdns_cmd *c, rbl_txn *t,
				const char *text, const rbl_prefix *pfx, int rc)
{
	rbl_rdns_proposal *p = calloc(1, sizeof(*p));
	if (rc == RBL_ENOTFOUND && p && pfx && rbl_rdns_get(t, pfx, p) ==
	    RBL_ENOTFOUND)
		fprintf(stderr, "%s: %s: no such proposal\n", c->prog, text);
	else if (rc == RBL_ENOTFOUND)
		fprintf(stderr, "%s: %s: policy list \"%s\" missing (create "
			"it with rblctl)\n", c->prog, text, c->policy.list);
	else
		fprintf(stderr, "%s: %s: %s\n", c->prog, text,
			rbl_strerror(rc));
	free(p);
}

/* Confirm or reject the prefixes ARGV[AT..] or, with --template/--domain,
 * every open proposal that matches. */
static int decide_in(rdns_cmd *c, rbl_txn *t, int state, int argc,
		     char **argv, int at, unsigned *n)
{
	int64_t now = time(NULL);
	if (at >= argc) {
		rbl_rdns_filter f = { 0, c->domain, c->template };
		return rbl_rdns_decide_all(t, &c->policy, &f, state,
					   decider(c), c->note, now, n);
	}
	for (int i = at; i < argc; i++) {
		rbl_prefix pfx = { 0 };
		if (parse_prefix(c, argv[i], &pfx))
			return RBL_EINVAL;
		int rc = rbl_rdns_decide(t, &c->policy, &pfx, state,
					 decider(c), c->note, now);
		if (rc != RBL_OK) {
			report_decide_error(c, t, argv[i], &pfx, rc);
			return rc;
		}
		(*n)++;
	}
	return RBL_OK;
}

typedef struct ttl_check {
	uint32_t list_id;
	const char *prog;
} ttl_check;

static int warn_short_ttl(void *arg, const rbl_zone *z)
{
	const ttl_check *tc = arg;
	for (unsigned i = 0; i < z->n_lists; i++)
		if (z->lists[i].list_id == tc->list_id && z->ttl < 86400)
			fprintf(stderr, "%s: note: zone %s answers from the "
				"policy list with TTL %u; policy lists should "
				"use days (RFC 5782 section 4)\n", tc->prog,
				z->name, z->ttl);
	return 0;
}

/* Policy ranges change slowly: say so when a zone serves them briefly. */
static void check_policy_ttl(rdns_cmd *c)
{
	rbl_txn *t = NULL;
	rbl_list l = { 0 };
	if (rbl_txn_begin(c->store, false, &t) != RBL_OK)
		return;
	if (rbl_list_get(t, c->policy.list, &l) == RBL_OK) {
		ttl_check tc = { l.id, c->prog };
		rbl_zone_foreach(t, warn_short_ttl, &tc);
	}
	rbl_txn_abort(t);
}

static int review_decide(rdns_cmd *c, int state, int argc, char **argv,
			 int at)
{
	rbl_txn *t = NULL;
	unsigned n = 0;
	if (at >= argc && !c->template && !c->domain) {
		fprintf(stderr, "%s: review %s: give PREFIX..., --template T "
			"or --domain D\n", c->prog, rbl_rdns_state_name(state));
		return 2;
	}
	int rc = rbl_txn_begin(c->store, true, &t);
	if (rc != RBL_OK)
		return rdns_cmd_fail(c, "store", rc);
	rc = decide_in(c, t, state, argc, argv, at, &n);
	if (rc != RBL_OK) {
		if (at >= argc)	/* by template or domain */
			report_decide_error(c, t, "review", NULL, rc);
		rbl_txn_abort(t);	/* all or nothing */
		return 1;
	}
	rc = rbl_txn_commit(t);
	if (rc != RBL_OK)
		return rdns_cmd_fail(c, "store commit", rc);
	printf("%u %s\n", n, rbl_rdns_state_name(state));
	if (state == RBL_RDNS_CONFIRMED && n > 0)
		check_policy_ttl(c);
	return 0;
}

static int review_delete(rdns_cmd *c, int argc, char **argv, int at)
{
	rbl_txn *t = NULL;
	rbl_prefix pfx = { 0 };
	if (at >= argc)
		return fprintf(stderr, "%s: review delete PREFIX\n", c->prog), 2;
	if (parse_prefix(c, argv[at], &pfx))
		return 2;
	int rc = rbl_txn_begin(c->store, true, &t);
	if (rc == RBL_OK) {
		rc = rbl_rdns_delete(t, &c->policy, &pfx);
		if (rc == RBL_OK)
			rc = rbl_txn_commit(t);
		else
			rbl_txn_abort(t);
	}
	return rc == RBL_OK ? 0 : rdns_cmd_fail(c, argv[at], rc);
}

int rdns_review_main(rdns_cmd *c, int argc, char **argv)
{
	int at = optind;
	if (at >= argc) {
		fprintf(stderr, "%s: review list|show|confirm|reject|delete\n",
			c->prog);
		return 2;
	}
	const char *action = argv[at++];
	if (rdns_cmd_open_store(c) != RBL_OK)
		return 1;
	if (strcmp(action, "list") == 0)
		return review_list(c);
	if (strcmp(action, "show") == 0)
		return review_show(c, argc, argv, at);
	if (strcmp(action, "confirm") == 0)
		return review_decide(c, RBL_RDNS_CONFIRMED, argc, argv, at);
	if (strcmp(action, "reject") == 0)
		return review_decide(c, RBL_RDNS_REJECTED, argc, argv, at);
	if (strcmp(action, "delete") == 0)
		return review_delete(c, argc, argv, at);
	fprintf(stderr, "%s: unknown review action \"%s\"\n", c->prog, action);
	return 2;
}
