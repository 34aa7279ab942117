/*
 * rdns_propose_cmd.c -- the subcommands of `rbl-import rdns` that read
 * PTR names: classify (print each name's class), sort (address order in
 * bounded memory), propose (ranges from sorted names, queued for review),
 * resolve (names looked up live, then proposed) and evidence (resolve the
 * blocks around the store's evidence or a list's entries).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/policy/evidence.h"
#include "rdns_cmd_impl.h"
#include "rdns_sort.h"

/* -------------------------------------------------------- classifier */

static int load_classifier(rdns_cmd *c)
{
	char err[256] = "";
	int rc = rbl_psl_load(c->psl_path, c->psl_private ? RBL_PSL_PRIVATE :
			      0, &c->psl, err, sizeof(err));
	if (rc == RBL_OK)
		rc = c->rules_path ? rbl_rdns_rules_load(c->rules_path,
							 &c->rules, err,
							 sizeof(err)) :
				     rbl_rdns_rules_default(&c->rules);
	if (rc != RBL_OK) {
		fprintf(stderr, "%s: %s\n", c->prog, err[0] ? err :
			rbl_strerror(rc));
		return 1;
	}
	c->cl.psl = c->psl;
	c->cl.rules = c->rules;
	return 0;
}

/* ---------------------------------------------------------- output */

static const char *outcome_name(int outcome)
{
	switch (outcome) {
	case RBL_RDNS_NEW:		return "new";
	case RBL_RDNS_UPDATED:		return "updated";
	case RBL_RDNS_KEPT:		return "decision kept";
	case RBL_RDNS_NOW_FLAGGED:	return "flagged";
	case RBL_RDNS_AUTO_CONFIRMED:	return "auto-confirmed";
	}
	return "proposed";
}

/* ---------------------------------------------------------- classify */

/* Read "address<TAB>ptr" lines of IN; call FN for each.  Returns 0, or 1
 * after printing where the input went wrong. */
static int read_lines(rdns_cmd *c, FILE *in, const char *name,
		      int (*fn)(rdns_cmd *c, const rbl_addr *a, char *ptr))
{
	char *line = NULL;
	size_t cap = 0;
	int status = 0;
	c->input_name = name;
	c->input_line = 0;
	while (status == 0 && getline(&line, &cap, in) >= 0) {
		rbl_addr a = { 0 };
		char *ptr = NULL;
		c->input_line++;
		int rc = rbl_rdns_parse_line(line, &a, &ptr);
		if (rc == RBL_ENOTFOUND)
			continue;
		if (rc != RBL_OK) {
			fprintf(stderr, "%s:%lu: expected \"address<TAB>ptr\"\n",
				name, c->input_line);
			status = c->skip_bad ? 0 : 1;
			continue;
		}
		status = fn(c, &a, ptr);
	}
	if (status == 0 && ferror(in)) {
		fprintf(stderr, "%s: %s: read error\n", c->prog, name);
		status = 1;
	}
	free(line);
	return status;
}

/* Run FN over every input file (or stdin). */
static int each_input(rdns_cmd *c, int argc, char **argv,
		      int (*fn)(rdns_cmd *c, const rbl_addr *a, char *ptr))
{
	if (optind >= argc)
		return read_lines(c, stdin, "stdin", fn);
	for (int i = optind; i < argc; i++) {
		FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;
		if (!f) {
			fprintf(stderr, "%s: %s: %s\n", c->prog, argv[i],
				strerror(errno));
			return 1;
		}
		int status = read_lines(c, f, argv[i], fn);
		if (f != stdin)
			fclose(f);
		if (status)
			return status;
	}
	return 0;
}

static int classify_one(rdns_cmd *c, const rbl_addr *a, char *ptr)
{
	rbl_rdns_result r = { 0 };
	rbl_rdns_classify(&c->cl, a, ptr, &r);
	if (rbl_rdns_result_print(stdout, a, &r) != RBL_OK) {
		fprintf(stderr, "%s: write error\n", c->prog);
		return 1;
	}
	return 0;
}

int rdns_classify_main(rdns_cmd *c, int argc, char **argv)
{
	if (load_classifier(c))
		return 1;
	int status = each_input(c, argc, argv, classify_one);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}

/* ----------------------------------------------------------- propose */

static int on_proposal(void *arg, const rbl_rdns_proposal *p)
{
	rdns_cmd *c = arg;
	int outcome = 0;
	if (c->store) {
		int rc = rdns_cmd_txn(c);
		if (rc == RBL_OK)
			rc = rbl_rdns_submit(c->txn, &c->policy, p, c->now,
					     &outcome);
		if (rc != RBL_OK) {
			rdns_cmd_fail(c, "review queue", rc);
			return rc;
		}
		c->outcomes[outcome]++;
	}
	rdns_print_proposal(c, p, c->store ? outcome_name(outcome) :
				  "dry run");
	return c->store ? rdns_cmd_batch_step(c) : RBL_OK;
}

static int on_infra(void *arg, const rbl_addr *a, const char *name)
{
	rdns_cmd *c = arg;
	if (!c->store)
		return RBL_OK;
	int rc = rdns_cmd_txn(c);
	if (rc == RBL_OK)
		rc = rbl_rdns_observe_infra(c->txn, &c->policy, a, name, c->now,
					    &c->flagged);
	if (rc != RBL_OK) {
		rdns_cmd_fail(c, "review queue", rc);
		return rc;
	}
	return rdns_cmd_batch_step(c);
}

static int add_name(rdns_cmd *c, rbl_rdns_ranger *r, const rbl_addr *a,
		    const char *ptr)
{
	int rc = rbl_rdns_ranger_add(r, a, ptr);
	if (rc == RBL_ERANGE) {
		fprintf(stderr, "%s:%lu: input is not sorted by address; "
			"sort it first: %s\n", c->input_name, c->input_line,
			SORT_HINT);
		return 1;
	}
	return rc == RBL_OK ? 0 : 1;
}

static int propose_one(rdns_cmd *c, const rbl_addr *a, char *ptr)
{
	return add_name(c, c->ranger, a, ptr);
}

static void print_summary(const rdns_cmd *c, const rbl_rdns_ranger *r)
{
	const rbl_rdns_range_stats *s = rbl_rdns_ranger_stats(r);
	fprintf(stderr, "rdns: %llu names (dynamic %llu, static %llu, "
		"infrastructure %llu, unknown %llu, bad %llu, special %llu); "
		"%llu proposals over %llu addresses",
		(unsigned long long)s->names,
		(unsigned long long)s->per_class[RBL_RDNS_DYNAMIC],
		(unsigned long long)s->per_class[RBL_RDNS_STATIC],
		(unsigned long long)s->per_class[RBL_RDNS_INFRA],
		(unsigned long long)s->per_class[RBL_RDNS_UNKNOWN],
		(unsigned long long)s->bad_names,
		(unsigned long long)s->special,
		(unsigned long long)s->proposals,
		(unsigned long long)s->proposed_addresses);
	if (c->store)
		fprintf(stderr, "; queue: %llu new, %llu updated, %llu kept, "
			"%llu auto-confirmed, %u flagged",
			(unsigned long long)c->outcomes[RBL_RDNS_NEW],
			(unsigned long long)c->outcomes[RBL_RDNS_UPDATED],
			(unsigned long long)c->outcomes[RBL_RDNS_KEPT],
			(unsigned long long)c->outcomes[RBL_RDNS_AUTO_CONFIRMED],
			c->flagged + (unsigned)c->outcomes[RBL_RDNS_NOW_FLAGGED]);
	fprintf(stderr, "\n");
}

/* Set up classifier, store and ranger for a proposing run. */
static int start_run(rdns_cmd *c, const char *source, rbl_rdns_ranger **r)
{
	if (load_classifier(c))
		return 1;
	if (!c->dry_run && rdns_cmd_open_store(c) != RBL_OK)
		return 1;
	c->now = time(NULL);
	int rc = rbl_rdns_ranger_new(&c->cl, &c->ranges, source, on_proposal,
				     on_infra, c, r);
	if (rc == RBL_EINVAL)
		fprintf(stderr, "%s: range options out of range (widest <= "
			"narrowest, /8../32, /104../128, percentages)\n",
			c->prog);
	return rc == RBL_OK ? 0 : 1;
}

/* Finish a run: last block, last batch, summary. */
static int end_run(rdns_cmd *c, rbl_rdns_ranger *r, int status)
{
	if (status == 0 && rbl_rdns_ranger_finish(r) != RBL_OK)
		status = 1;
	if (status == 0 && rdns_cmd_commit(c) != RBL_OK)
		status = 1;
	if (c->txn) {
		rbl_txn_abort(c->txn);	/* a failed batch leaves no trace */
		c->txn = NULL;
	}
	if (fflush(stdout) != 0)
		status = 1;
	print_summary(c, r);
	rbl_rdns_ranger_free(r);
	return status;
}

/* Open the one input of a sort: ARGV[optind] or stdin. */
static FILE *sort_input(rdns_cmd *c, int argc, char **argv,
			const char **name)
{
	*name = optind < argc ? argv[optind] : "stdin";
	if (argc - optind > 1) {
		fprintf(stderr, "%s: sort one input at a time (cat them)\n",
			c->prog);
		return NULL;
	}
	if (optind >= argc || strcmp(argv[optind], "-") == 0)
		return stdin;
	FILE *f = fopen(argv[optind], "r");
	if (!f)
		fprintf(stderr, "%s: %s: %s\n", c->prog, argv[optind],
			strerror(errno));
	return f;
}

/* Sort the input and call FN for each line in address order. */
static int sorted_input(rdns_cmd *c, int argc, char **argv,
			rbl_rdns_sorted_fn fn, void *arg)
{
	const char *name = NULL;
	FILE *in = sort_input(c, argc, argv, &name);
	if (!in)
		return 1;
	c->sort.skip_bad = c->skip_bad;
	c->input_name = "sorted input";
	int rc = rbl_rdns_sort(in, name, &c->sort, fn, arg, NULL);
	if (in != stdin)
		fclose(in);
	if (rc == RBL_ENOMEM || rc == RBL_EINVAL)
		rdns_cmd_fail(c, "sort", rc);
	return rc == RBL_OK ? 0 : 1;
}

static int print_sorted(void *arg, const rbl_addr *a, const char *name)
{
	char ab[RBL_ADDR_STRLEN];
	(void)arg;
	return printf("%s\t%s\n", rbl_addr_format(a, ab), name) < 0 ?
	       RBL_EIO : RBL_OK;
}

int rdns_sort_main(rdns_cmd *c, int argc, char **argv)
{
	int status = sorted_input(c, argc, argv, print_sorted, c);
	return fflush(stdout) == 0 ? status : 1;
}

static int propose_sorted(void *arg, const rbl_addr *a, const char *name)
{
	rdns_cmd *c = arg;
	c->input_line++;
	return add_name(c, c->ranger, a, name);
}

int rdns_propose_main(rdns_cmd *c, int argc, char **argv)
{
	rbl_rdns_ranger *r = NULL;
	if (start_run(c, "rdns:file", &r))
		return 1;
	c->ranger = r;
	int status = c->sort_first ? sorted_input(c, argc, argv, propose_sorted, c)
				: each_input(c, argc, argv, propose_one);
	return end_run(c, r, status);
}

/* ----------------------------------------------------------- resolve */

typedef struct resolve_run {
	rdns_cmd *c;
	rbl_rdns_ranger *r;
} resolve_run;

static int on_ptr(void *arg, const rbl_addr *a, const char *name)
{
	resolve_run *rr = arg;
	rdns_cmd *c = rr->c;
	char ab[RBL_ADDR_STRLEN];
	if (!a)		/* between windows: do not hold the store */
		return rdns_cmd_commit(rr->c);
	if (c->names_only) {
		printf("%s\t%s\n", rbl_addr_format(a, ab), name);
		return 0;
	}
	c->input_line++;
	return add_name(c, rr->r, a, name);
}

static int cmp_prefix(const void *a, const void *b)
{
	const rbl_prefix *x = a, *y = b;
	int c = rbl_addr_cmp(&x->addr, &y->addr);
	return c ? c : (int)x->len - (int)y->len;
}

/* Sort P, drop blocks inside earlier ones; returns the new count. */
static size_t tidy_prefixes(rbl_prefix *p, size_t n)
{
	size_t out = 0;
	qsort(p, n, sizeof(*p), cmp_prefix);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && rbl_prefix_covers(&p[out - 1], &p[i]))
			continue;
		p[out++] = p[i];
	}
	return out;
}

static int run_lookups(rdns_cmd *c, rbl_prefix *p, size_t n,
		       const char *source)
{
	resolve_run rr = { c, NULL };
	rbl_rdns_resolve_stats st = { 0 };
	if (c->progress < 0)
		c->resolve.progress = isatty(STDERR_FILENO);
	else
		c->resolve.progress = c->progress;
	if (!c->names_only && start_run(c, source, &rr.r))
		return 1;
	c->input_name = "lookups";
	n = tidy_prefixes(p, n);
	int rc = rbl_rdns_resolve(&c->resolve, p, n, on_ptr, &rr, &st);
	if (rc == RBL_EINVAL)
		fprintf(stderr, "%s: bad lookup options or a block wider than "
			"2^24 addresses\n", c->prog);
	else if (rc != RBL_OK && rc != 1)
		rdns_cmd_fail(c, "lookups", rc);
	fprintf(stderr, "rdns: %llu addresses queried, %llu names, %llu "
		"without, %llu failed, %llu retries\n",
		(unsigned long long)st.queried, (unsigned long long)st.names,
		(unsigned long long)st.no_name, (unsigned long long)st.failed,
		(unsigned long long)st.retries);
	if (c->names_only)
		return rc == RBL_OK && fflush(stdout) == 0 ? 0 : 1;
	return end_run(c, rr.r, rc == RBL_OK ? 0 : 1);
}

int rdns_resolve_main(rdns_cmd *c, int argc, char **argv)
{
	int n = argc - optind;
	if (n <= 0)
		return rdns_cmd_usage(c, "resolve: which CIDR blocks?");
	rbl_prefix *p = calloc((size_t)n, sizeof(*p));
	if (!p)
		return rdns_cmd_fail(c, "resolve", RBL_ENOMEM);
	for (int i = 0; i < n; i++) {
		if (rbl_prefix_parse(argv[optind + i], false, &p[i]) != RBL_OK) {
			fprintf(stderr, "%s: resolve: \"%s\" is not an address "
				"or CIDR block\n", c->prog, argv[optind + i]);
			free(p);
			return 2;
		}
	}
	int status = run_lookups(c, p, (size_t)n, "rdns:resolve");
	free(p);
	return status;
}

/* ---------------------------------------------------------- evidence */

typedef struct around_set {
	rbl_prefix *p;
	size_t n, cap;
	unsigned len4, len6;
} around_set;

/* Note the block around P (P itself when wider). */
static int note_around(around_set *as, const rbl_prefix *p)
{
	unsigned len = p->addr.family == RBL_AF4 ? as->len4 : as->len6;
	rbl_prefix q = { p->addr, (uint8_t)(p->len < len ? p->len : len) };
	rbl_prefix_canon(&q);
	if (rbl_addr_bits(q.addr.family) - q.len > 24 ||
	    rbl_addr_is_special(&q.addr))
		return 0;	/* too wide to walk, or never listable */
	if (as->n > 0 && as->p[as->n - 1].len == q.len &&
	    rbl_addr_cmp(&as->p[as->n - 1].addr, &q.addr) == 0)
		return 0;	/* the same block again */
	if (as->n == as->cap && as->n >= 65536)
		as->n = tidy_prefixes(as->p, as->n);	/* merge repeats */
	if (rbl_array_reserve(as->p, as->cap, as->n + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	as->p[as->n++] = q;
	return 0;
}

static int collect_listed(void *arg, const rbl_prefix *p, const rbl_entry *e)
{
	return e->flags & RBL_ENTRY_EXCLUDE ? 0 : note_around(arg, p);
}

static int collect_evidence(void *arg, const rbl_evidence *ev)
{
	return note_around(arg, &ev->subject);
}

/* The blocks around listed addresses of --list, or around every subject
 * of the evidence store. */
static int collect_blocks(rdns_cmd *c, around_set *as)
{
	rbl_txn *t = NULL;
	rbl_list l = { 0 };
	int rc = rbl_txn_begin(c->store, false, &t);
	if (rc != RBL_OK)
		return rc;
	if (c->list_name) {
		rc = rbl_list_get(t, c->list_name, &l);
		if (rc == RBL_OK)
			rc = rbl_ip_foreach(t, l.id, NULL, collect_listed, as);
	} else {
		/* the time index: every record once, repeats merged above */
		rc = rbl_evidence_foreach_since(t, 0, collect_evidence, as);
	}
	rbl_txn_abort(t);
	return rc;
}

int rdns_evidence_main(rdns_cmd *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (rdns_cmd_open_store(c) != RBL_OK)
		return 1;
	around_set as = { NULL, 0, 0, c->around4 ? c->around4 : 24, 120 };
	int rc = collect_blocks(c, &as);
	rbl_store_close(c->store);
	c->store = NULL;
	const char *what = c->list_name ? c->list_name : "evidence";
	if (rc != RBL_OK) {
		free(as.p);
		return rdns_cmd_fail(c, what, rc);
	}
	fprintf(stderr, "rdns: %zu blocks around the addresses of %s\n",
		as.n, what);
	int status = as.n ? run_lookups(c, as.p, as.n, "rdns:evidence") : 0;
	free(as.p);
	return status;
}
