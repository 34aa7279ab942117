/*
 * rdns_cmd.c -- `rbl-import rdns`: the entry point, its options and
 * configuration, `rules`, and the dispatch to the subcommands: those that
 * read names (classify, sort, propose, resolve, evidence) are in
 * rdns_propose_cmd.c, review in rdns_review_cmd.c; what they share in
 * rdns_cmd_common.c (rdns_cmd_impl.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zone/error.h"
#include "rdns_cmd.h"
#include "rdns_cmd_impl.h"

#define DEFAULT_CONF	"/etc/rbld/rbld.conf"

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
			return rdns_cmd_usage(c, "bad option or missing value");
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
		return rdns_classify_main(c, argc, argv);
	if (strcmp(cmd, "propose") == 0)
		return rdns_propose_main(c, argc, argv);
	if (strcmp(cmd, "resolve") == 0)
		return rdns_resolve_main(c, argc, argv);
	if (strcmp(cmd, "evidence") == 0)
		return rdns_evidence_main(c, argc, argv);
	if (strcmp(cmd, "review") == 0)
		return rdns_review_main(c, argc, argv);
	if (strcmp(cmd, "rules") == 0)
		return cmd_rules(c);
	if (strcmp(cmd, "sort") == 0)
		return rdns_sort_main(c, argc, argv);
	return rdns_cmd_usage(c, "unknown command");
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
