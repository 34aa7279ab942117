/*
 * rdns_cmd.c -- `rbl-import rdns`: options and configuration, and the
 * subcommands that read names (classify, propose, resolve, evidence,
 * rules).  The review subcommands live in rdns_review_cmd.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zone/error.h"
#include "zone/policy/evidence.h"
#include "rdns_cmd.h"
#include "rdns_cmd_impl.h"
#include "rdns_sort.h"

#define BATCH_OPS	1000
#define BATCH_SECONDS	2
#define DEFAULT_DB	"/var/lib/rbld"
#define DEFAULT_CONF	"/etc/rbld/rbld.conf"
#define SORT_HINT	"LC_ALL=C sort -t . -k1,1n -k2,2n -k3,3n -k4,4n"

static const char usage_text[] =
"usage: rbl-import rdns COMMAND [options] [arguments]\n"
"\n"
"commands:\n"
"  classify [FILE...]        classify \"address<TAB>ptr\" lines: class, rule,\n"
"                            confidence, template, why\n"
"  propose [FILE...]         propose ranges from sorted \"address<TAB>ptr\"\n"
"                            lines and queue them for review (--sort:\n"
"                            sort one unsorted FILE or stdin first)\n"
"  sort [FILE]               sort \"address<TAB>ptr\" lines by address in\n"
"                            bounded memory (--mem SIZE, --tmpdir DIR)\n"
"  resolve CIDR...           look up the PTR names of CIDR blocks, then\n"
"                            propose (--names-only: print the names)\n"
"  evidence [--list NAME]    resolve the blocks (--around LEN, default /24)\n"
"                            around every address with evidence in the\n"
"                            store, or listed in list NAME; then propose\n"
"  review list|show|confirm|reject|delete ...   the review queue\n"
"  rules [--check FILE]      print the built-in rules, or check a file\n"
"\n"
"options:\n"
"  -c, --config FILE         rbld.conf (default /etc/rbld/rbld.conf if it\n"
"                            exists): the store, the rdns: section\n"
"  -d, --database DIR        the store (default: server: database)\n"
"  -R, --rules FILE          classifier rules (default: built-in)\n"
"      --psl FILE            public suffix list\n"
"      --psl-private         also use the list's PRIVATE section\n"
"  -n, --dry-run             print proposals, change nothing\n"
"      --tsv                 tab-separated output\n"
"      --skip-bad            warn about malformed lines and go on\n"
"  ranges:   --min-coverage PCT --min-agreement PCT --min-named N\n"
"            --max-infra PCT --widest LEN --narrowest LEN\n"
"            --widest6 LEN --narrowest6 LEN\n"
"  lookups:  --server ADDR[@PORT] --concurrency N --timeout MS\n"
"            --retries N --rate QPS --progress --no-progress --names-only\n"
"  evidence: --list NAME --around LEN\n"
"  review:   --state S --domain D --template T --by WHO --note TEXT\n"
"  -h, --help                this text;  -V, --version\n"
"\n"
"Input for propose must be sorted by address: use --sort, `rbl-import rdns\n"
"sort`, or for IPv4 only " SORT_HINT ".\n"
"See doc/rdns.md.\n";

enum {
	O_PSL = 256, O_PSL_PRIVATE, O_TSV, O_SKIP_BAD, O_MIN_COV, O_MIN_AGREE,
	O_MIN_NAMED, O_MAX_INFRA, O_WIDEST, O_NARROWEST, O_WIDEST6,
	O_NARROWEST6, O_SERVER, O_CONCURRENCY, O_TIMEOUT, O_RETRIES, O_RATE,
	O_PROGRESS, O_NO_PROGRESS, O_NAMES_ONLY, O_LIST, O_AROUND, O_STATE,
	O_DOMAIN, O_TEMPLATE, O_BY, O_NOTE, O_CHECK, O_SORT, O_MEM, O_TMPDIR,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "database", required_argument, NULL, 'd' },
	{ "rules", required_argument, NULL, 'R' },
	{ "psl", required_argument, NULL, O_PSL },
	{ "psl-private", no_argument, NULL, O_PSL_PRIVATE },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "tsv", no_argument, NULL, O_TSV },
	{ "skip-bad", no_argument, NULL, O_SKIP_BAD },
	{ "min-coverage", required_argument, NULL, O_MIN_COV },
	{ "min-agreement", required_argument, NULL, O_MIN_AGREE },
	{ "min-named", required_argument, NULL, O_MIN_NAMED },
	{ "max-infra", required_argument, NULL, O_MAX_INFRA },
	{ "widest", required_argument, NULL, O_WIDEST },
	{ "narrowest", required_argument, NULL, O_NARROWEST },
	{ "widest6", required_argument, NULL, O_WIDEST6 },
	{ "narrowest6", required_argument, NULL, O_NARROWEST6 },
	{ "server", required_argument, NULL, O_SERVER },
	{ "concurrency", required_argument, NULL, O_CONCURRENCY },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "retries", required_argument, NULL, O_RETRIES },
	{ "rate", required_argument, NULL, O_RATE },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "names-only", no_argument, NULL, O_NAMES_ONLY },
	{ "list", required_argument, NULL, O_LIST },
	{ "around", required_argument, NULL, O_AROUND },
	{ "state", required_argument, NULL, O_STATE },
	{ "domain", required_argument, NULL, O_DOMAIN },
	{ "template", required_argument, NULL, O_TEMPLATE },
	{ "by", required_argument, NULL, O_BY },
	{ "note", required_argument, NULL, O_NOTE },
	{ "check", required_argument, NULL, O_CHECK },
	{ "sort", no_argument, NULL, O_SORT },
	{ "mem", required_argument, NULL, O_MEM },
	{ "tmpdir", required_argument, NULL, O_TMPDIR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int rdns_cmd_fail(const rdns_cmd *c, const char *what, int rc)
{
	fprintf(stderr, "%s: %s: %s\n", c->prog, what, rbl_strerror(rc));
	return 1;
}

static int usage_error(const rdns_cmd *c, const char *msg)
{
	fprintf(stderr, "%s: %s (try --help)\n", c->prog, msg);
	return 2;
}

/* ------------------------------------------------------------ numbers */

static int parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return RBL_EINVAL;
	*out = v;
	return RBL_OK;
}

/* "addr" or "addr@port". */
static int parse_server(const char *s, rbl_addr *a, uint16_t *port)
{
	char buf[RBL_ADDR_STRLEN];
	const char *at = strrchr(s, '@');
	size_t len = at ? (size_t)(at - s) : strlen(s);
	unsigned long p = *port;
	if (len == 0 || len >= sizeof(buf))
		return RBL_EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (rbl_addr_parse(buf, a) != RBL_OK)
		return RBL_EINVAL;
	if (at && (parse_num(at + 1, 65535, &p) != RBL_OK || p == 0))
		return RBL_EINVAL;
	*port = (uint16_t)p;
	return RBL_OK;
}

/* ------------------------------------------------------ configuration */

static int conf_percent(rdns_cmd *c, const rbl_conf_section *s,
			const char *key, uint16_t *per_mille, char *err,
			size_t errlen)
{
	uint32_t v = 0;
	int rc = rbl_conf_u32(c->conf, s, key, *per_mille / 10, &v, err,
			      errlen);
	if (rc == RBL_OK && v > 100) {
		snprintf(err, errlen, "%s: rdns: %s is a percentage",
			 c->conf->path, key);
		return RBL_EINVAL;
	}
	*per_mille = (uint16_t)(v * 10);
	return rc;
}

static int conf_u8(rdns_cmd *c, const rbl_conf_section *s, const char *key,
		   uint8_t *out, char *err, size_t errlen)
{
	uint32_t v = 0;
	int rc = rbl_conf_u32(c->conf, s, key, *out, &v, err, errlen);
	*out = (uint8_t)(v > 128 ? 255 : v);
	return rc;
}

static int conf_ranges(rdns_cmd *c, const rbl_conf_section *s, char *err,
		       size_t errlen)
{
	rbl_rdns_range_opts *o = &c->ranges;
	int rc = conf_percent(c, s, "min-coverage", &o->min_coverage, err,
			      errlen);
	if (rc == RBL_OK)
		rc = conf_percent(c, s, "min-agreement", &o->min_agreement,
				  err, errlen);
	if (rc == RBL_OK)
		rc = conf_percent(c, s, "max-infrastructure", &o->max_infra,
				  err, errlen);
	if (rc == RBL_OK)
		rc = rbl_conf_u32(c->conf, s, "min-named", o->min_named,
				  &o->min_named, err, errlen);
	if (rc == RBL_OK)
		rc = conf_u8(c, s, "widest-v4", &o->widest4, err, errlen);
	if (rc == RBL_OK)
		rc = conf_u8(c, s, "narrowest-v4", &o->narrowest4, err, errlen);
	if (rc == RBL_OK)
		rc = conf_u8(c, s, "widest-v6", &o->widest6, err, errlen);
	if (rc == RBL_OK)
		rc = conf_u8(c, s, "narrowest-v6", &o->narrowest6, err, errlen);
	return rc;
}

static int conf_resolver(rdns_cmd *c, const rbl_conf_section *s, char *err,
			 size_t errlen)
{
	rbl_rdns_resolve_opts *o = &c->resolve;
	uint32_t timeout_s = o->timeout_ms / 1000;
	const char *server = rbl_conf_get(s, "resolver");
	if (server && parse_server(server, &o->server, &o->port) != RBL_OK) {
		snprintf(err, errlen, "%s: rdns: resolver: want address[@port]",
			 c->conf->path);
		return RBL_EINVAL;
	}
	int rc = rbl_conf_u32(c->conf, s, "concurrency", o->concurrency,
			      &o->concurrency, err, errlen);
	if (rc == RBL_OK)
		rc = rbl_conf_duration(c->conf, s, "timeout", timeout_s,
				       &timeout_s, err, errlen);
	o->timeout_ms = timeout_s * 1000;
	if (rc == RBL_OK)
		rc = rbl_conf_u32(c->conf, s, "retries", o->retries,
				  &o->retries, err, errlen);
	if (rc == RBL_OK)
		rc = rbl_conf_u32(c->conf, s, "rate", o->rate, &o->rate, err,
				  errlen);
	return rc;
}

static int load_conf(rdns_cmd *c)
{
	char err[RBL_CONF_ERRLEN];
	int rc = rbl_conf_load(c->conf_path, &c->conf, err, sizeof(err));
	if (rc == RBL_OK)
		rc = rbl_conf_check(c->conf, err, sizeof(err));
	const rbl_conf_section *s = c->conf ? rbl_conf_next(c->conf, "rdns",
							    NULL) : NULL;
	if (rc == RBL_OK)
		rc = conf_ranges(c, s, err, sizeof(err));
	if (rc == RBL_OK)
		rc = conf_resolver(c, s, err, sizeof(err));
	if (rc == RBL_OK)
		rc = rbl_rdns_opts_from_conf(c->conf, &c->policy, err,
					     sizeof(err));
	if (rc == RBL_OK && !c->psl_private_set)
		rc = rbl_conf_bool(c->conf, s, "psl-private", false,
				   &c->psl_private, err, sizeof(err));
	if (rc != RBL_OK) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return 1;
	}
	if (!c->rules_path)
		c->rules_path = rbl_conf_get(s, "rules-file");
	if (!c->psl_path)
		c->psl_path = rbl_conf_get(s, "psl-file");
	return 0;
}

/* ----------------------------------------------------------- options */

static int set_percent(const char *v, uint16_t *out)
{
	unsigned long n = 0;
	if (parse_num(v, 100, &n) != RBL_OK)
		return RBL_EINVAL;
	*out = (uint16_t)(n * 10);
	return RBL_OK;
}

static int set_u8(const char *v, unsigned long max, uint8_t *out)
{
	unsigned long n = 0;
	if (parse_num(v, max, &n) != RBL_OK)
		return RBL_EINVAL;
	*out = (uint8_t)n;
	return RBL_OK;
}

static int set_unsigned(const char *v, unsigned long max, unsigned *out)
{
	unsigned long n = 0;
	if (parse_num(v, max, &n) != RBL_OK)
		return RBL_EINVAL;
	*out = (unsigned)n;
	return RBL_OK;
}

static int range_option(rdns_cmd *c, int opt, const char *v)
{
	rbl_rdns_range_opts *o = &c->ranges;
	switch (opt) {
	case O_MIN_COV:		return set_percent(v, &o->min_coverage);
	case O_MIN_AGREE:	return set_percent(v, &o->min_agreement);
	case O_MAX_INFRA:	return set_percent(v, &o->max_infra);
	case O_MIN_NAMED:	return set_unsigned(v, 1u << 24, &o->min_named);
	case O_WIDEST:		return set_u8(v, 32, &o->widest4);
	case O_NARROWEST:	return set_u8(v, 32, &o->narrowest4);
	case O_WIDEST6:		return set_u8(v, 128, &o->widest6);
	case O_NARROWEST6:	return set_u8(v, 128, &o->narrowest6);
	}
	return 1;	/* not a range option */
}

static int lookup_option(rdns_cmd *c, int opt, const char *v)
{
	rbl_rdns_resolve_opts *o = &c->resolve;
	switch (opt) {
	case O_SERVER:	return parse_server(v, &o->server, &o->port);
	case O_CONCURRENCY: return set_unsigned(v, 4096, &o->concurrency);
	case O_TIMEOUT:	return set_unsigned(v, 600000, &o->timeout_ms);
	case O_RETRIES:	return set_unsigned(v, 100, &o->retries);
	case O_RATE:	return set_unsigned(v, 1000000, &o->rate);
	case O_PROGRESS: c->progress = 1; return RBL_OK;
	case O_NO_PROGRESS: c->progress = 0; return RBL_OK;
	case O_NAMES_ONLY: c->names_only = true; return RBL_OK;
	}
	return 1;
}

static int other_option(rdns_cmd *c, int opt, const char *v)
{
	switch (opt) {
	case 'c':	c->conf_path = v; return RBL_OK;
	case 'd':	c->db_path = v; return RBL_OK;
	case 'R':	c->rules_path = v; return RBL_OK;
	case 'n':	c->dry_run = true; return RBL_OK;
	case O_PSL:	c->psl_path = v; return RBL_OK;
	case O_PSL_PRIVATE: c->psl_private = c->psl_private_set = true;
			return RBL_OK;
	case O_TSV:	c->tsv = true; return RBL_OK;
	case O_SKIP_BAD: c->skip_bad = true; return RBL_OK;
	case O_LIST:	c->list_name = v; return RBL_OK;
	case O_AROUND:	return set_unsigned(v, 128, &c->around4);
	case O_STATE:	c->state = v; return RBL_OK;
	case O_DOMAIN:	c->domain = v; return RBL_OK;
	case O_TEMPLATE: c->template = v; return RBL_OK;
	case O_BY:	c->by = v; return RBL_OK;
	case O_NOTE:	c->note = v; return RBL_OK;
	case O_CHECK:	c->check_rules = v; return RBL_OK;
	case O_SORT:	c->sort_first = true; return RBL_OK;
	case O_TMPDIR:	c->sort.tmpdir = v; return RBL_OK;
	case O_MEM: {
		uint64_t size = 0;
		if (rbl_parse_size(v, &size) != RBL_OK ||
		    size < RBL_RDNS_SORT_MIN_MEM || size > UINT32_MAX)
			return RBL_EINVAL;
		c->sort.mem = (size_t)size;
		return RBL_OK;
	}
	}
	return 1;
}

/* Parse options of ARGV (ARGV[0] is the subcommand).  Returns -1 to go
 * on, or an exit status. */
static int parse_options(rdns_cmd *c, int argc, char **argv)
{
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:d:R:nhV", long_opts,
				  NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		if (opt == 'V') {
			printf("rbl-import rdns %s\n", RBL_VERSION);
			return 0;
		}
		if (opt == '?' || opt == ':')
			return usage_error(c, "bad option or missing value");
		int rc = range_option(c, opt, optarg);
		if (rc == 1)
			rc = lookup_option(c, opt, optarg);
		if (rc == 1)
			rc = other_option(c, opt, optarg);
		if (rc != RBL_OK) {
			fprintf(stderr, "%s: bad option value \"%s\"\n",
				c->prog, optarg ? optarg : "");
			return 2;
		}
	}
	return -1;
}

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

/* ------------------------------------------------------------- store */

int rdns_cmd_open_store(rdns_cmd *c)
{
	const rbl_conf_section *srv = c->conf ?
		rbl_conf_next(c->conf, "server", NULL) : NULL;
	const char *path = c->db_path ? c->db_path :
			   rbl_conf_get(srv, "database");
	uint64_t mapsize = 0;
	char err[RBL_CONF_ERRLEN];
	if (c->conf && rbl_conf_size(c->conf, srv, "map-size", 0, &mapsize,
				     err, sizeof(err)) != RBL_OK) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return RBL_EINVAL;
	}
	if (!path)
		path = DEFAULT_DB;
	int rc = rbl_store_open(path, 0, (size_t)mapsize, &c->store);
	if (rc != RBL_OK)
		fprintf(stderr, "%s: store %s: %s\n", c->prog, path,
			rbl_strerror(rc));
	return rc;
}

int rdns_cmd_txn(rdns_cmd *c)
{
	if (c->txn)
		return RBL_OK;
	int rc = rbl_txn_begin(c->store, true, &c->txn);
	if (rc != RBL_OK) {
		c->txn = NULL;
		rdns_cmd_fail(c, "store", rc);
		return rc;
	}
	rbl_txn_set_source(c->txn, "rdns");
	c->txn_ops = 0;
	c->txn_started = time(NULL);
	return RBL_OK;
}

int rdns_cmd_commit(rdns_cmd *c)
{
	if (!c->txn)
		return RBL_OK;
	int rc = rbl_txn_commit(c->txn);
	c->txn = NULL;
	if (rc != RBL_OK)
		rdns_cmd_fail(c, "store commit", rc);
	return rc;
}

/* Commit when the batch is big or old enough. */
static int batch_step(rdns_cmd *c)
{
	if (c->txn && (++c->txn_ops >= BATCH_OPS ||
		       time(NULL) - c->txn_started >= BATCH_SECONDS))
		return rdns_cmd_commit(c);
	return RBL_OK;
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

static void print_tsv(const rbl_rdns_proposal *p, const char *what)
{
	char pb[RBL_ADDR_STRLEN], ab[RBL_ADDR_STRLEN];
	printf("%s\t%s\t%s\t%u.%03u\t%u.%03u\t%u.%03u\t%s\t%s\t",
	       rbl_prefix_format(&p->prefix, pb), rbl_rdns_class_name(p->cls),
	       what, p->confidence / 1000, p->confidence % 1000,
	       p->coverage / 1000, p->coverage % 1000, p->agreement / 1000,
	       p->agreement % 1000, p->template, p->domain);
	for (int i = 0; i < p->n_excl; i++)
		printf("%s%s", i ? "," : "",
		       rbl_addr_format(&p->excl[i].addr, ab));
	printf("\n");
}

void rdns_print_proposal(const rdns_cmd *c, const rbl_rdns_proposal *p,
			 const char *what)
{
	char pb[RBL_ADDR_STRLEN], ab[RBL_ADDR_STRLEN];
	if (c->tsv) {
		print_tsv(p, what);
		return;
	}
	printf("%s %s (%s): confidence %.2f, coverage %.2f, agreement %.2f\n",
	       rbl_prefix_format(&p->prefix, pb), rbl_rdns_class_name(p->cls),
	       what, p->confidence / 1000.0, p->coverage / 1000.0,
	       p->agreement / 1000.0);
	printf("  template  %s  (%s)\n", p->template, p->domain);
	printf("  names     dynamic %u, static %u, infrastructure %u, "
	       "unknown %u\n", p->counts[RBL_RDNS_DYNAMIC],
	       p->counts[RBL_RDNS_STATIC], p->counts[RBL_RDNS_INFRA],
	       p->counts[RBL_RDNS_UNKNOWN]);
	for (int i = 0; i < p->n_samples; i++)
		printf("  sample    %s\n", p->samples[i]);
	for (int i = 0; i < p->n_excl; i++)
		printf("  exclude   %s  %s\n",
		       rbl_addr_format(&p->excl[i].addr, ab), p->excl[i].name);
	if (p->note[0])
		printf("  note      %s\n", p->note);
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

static int cmd_classify(rdns_cmd *c, int argc, char **argv)
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
	return c->store ? batch_step(c) : RBL_OK;
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
	return batch_step(c);
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

static int cmd_sort(rdns_cmd *c, int argc, char **argv)
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

static int cmd_propose(rdns_cmd *c, int argc, char **argv)
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

static int cmd_resolve(rdns_cmd *c, int argc, char **argv)
{
	int n = argc - optind;
	if (n <= 0)
		return usage_error(c, "resolve: which CIDR blocks?");
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
	if (as->n == as->cap) {
		size_t cap = as->cap ? as->cap * 2 : 256;
		rbl_prefix *np = realloc(as->p, cap * sizeof(*np));
		if (!np)
			return RBL_ENOMEM;
		as->p = np;
		as->cap = cap;
	}
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

static int cmd_evidence(rdns_cmd *c, int argc, char **argv)
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

/* ------------------------------------------------------------- rules */

static int cmd_rules(rdns_cmd *c)
{
	const char *check_rules = c->check_rules;
	if (!check_rules) {
		fputs(rbl_rdns_rules_default_text(), stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	rbl_rdns_rules *r = NULL;
	char err[256];
	int rc = rbl_rdns_rules_load(check_rules, &r, err, sizeof(err));
	if (rc != RBL_OK) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		return 1;
	}
	printf("%s: %zu tokens, %zu exempt domains\n", check_rules,
	       rbl_rdns_rules_ntokens(r), rbl_rdns_rules_nexempt(r));
	rbl_rdns_rules_free(r);
	return 0;
}

/* ---------------------------------------------------------- dispatch */

static void cmd_init(rdns_cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->prog = "rbl-import rdns";
	c->progress = -1;
	rbl_rdns_range_opts_defaults(&c->ranges);
	rbl_rdns_resolve_opts_defaults(&c->resolve);
	rbl_rdns_opts_defaults(&c->policy, NULL);
	c->sort = (rbl_rdns_sort_opts){ (size_t)256 << 20, NULL, false };
}

static void cmd_free(rdns_cmd *c)
{
	if (c->txn)
		rbl_txn_abort(c->txn);
	if (c->store)
		rbl_store_close(c->store);
	rbl_rdns_rules_free(c->rules);
	rbl_psl_free(c->psl);
	rbl_conf_free(c->conf);
}

static int dispatch(rdns_cmd *c, const char *cmd, int argc, char **argv)
{
	if (strcmp(cmd, "classify") == 0)
		return cmd_classify(c, argc, argv);
	if (strcmp(cmd, "propose") == 0)
		return cmd_propose(c, argc, argv);
	if (strcmp(cmd, "resolve") == 0)
		return cmd_resolve(c, argc, argv);
	if (strcmp(cmd, "evidence") == 0)
		return cmd_evidence(c, argc, argv);
	if (strcmp(cmd, "review") == 0)
		return rdns_review_main(c, argc, argv);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(c);
	if (strcmp(cmd, "sort") == 0)
		return cmd_sort(c, argc, argv);
	return usage_error(c, "unknown command");
}

int rbl_import_rdns_main(int argc, char **argv)
{
	rdns_cmd c = { 0 };
	cmd_init(&c);
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("rbl-import rdns %s\n", RBL_VERSION);
		return 0;
	}
	int status = parse_options(&c, argc - 1, argv + 1);
	if (!c.conf_path && access(DEFAULT_CONF, R_OK) == 0)
		c.conf_path = DEFAULT_CONF;	/* as the other rbl tools */
	if (status < 0 && c.conf_path)
		status = load_conf(&c) ? 1 : -1;
	if (status < 0)
		status = parse_options(&c, argc - 1, argv + 1);
	optind++;	/* index in ARGV: getopt saw ARGV + 1 */
	if (status < 0)
		status = dispatch(&c, cmd, argc, argv);
	cmd_free(&c);
	return status;
}
