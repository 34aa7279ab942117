/*
 * rdns_cmd_common.c -- what the subcommands of `rbl-import rdns` share
 * (rdns_cmd_impl.h): error messages, the store and its batch
 * transactions, printing a proposal.  Uses none of the other rdns_*cmd.c
 * files, so the subcommands depend on it and never on each other.
 */
#include <stdio.h>
#include <time.h>

#include "zone/error.h"
#include "rdns_cmd_impl.h"

#define BATCH_OPS	1000
#define BATCH_SECONDS	2
#define DEFAULT_DB	"/var/lib/rbld"

/* ------------------------------------------------------------- errors */

int rdns_cmd_fail(const rdns_cmd *c, const char *what, int rc)
{
	fprintf(stderr, "%s: %s: %s\n", c->prog, what, rbl_strerror(rc));
	return 1;
}

int rdns_cmd_usage(const rdns_cmd *c, const char *msg)
{
	fprintf(stderr, "%s: %s (try --help)\n", c->prog, msg);
	return 2;
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
int rdns_cmd_batch_step(rdns_cmd *c)
{
	if (c->txn && (++c->txn_ops >= BATCH_OPS ||
		       time(NULL) - c->txn_started >= BATCH_SECONDS))
		return rdns_cmd_commit(c);
	return RBL_OK;
}

/* ---------------------------------------------------------- output */

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
