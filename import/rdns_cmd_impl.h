/*
 * rdns_cmd_impl.h -- state shared by the parts of `rbl-import rdns`.  Not
 * for use outside them.  The parts, each calling only the ones below it:
 *   rdns_cmd.c          the entry point (rdns_cmd.h): options,
 *                       configuration, `rules`, dispatch
 *   rdns_propose_cmd.c  classify, sort, propose, resolve, evidence
 *   rdns_review_cmd.c   review
 *   rdns_cmd_common.c   errors, the store and its batches, printing a
 *                       proposal
 * Subcommands return the process exit status: 0, 1 (failure, printed) or
 * 2 (usage).
 */
#ifndef RBL_IMPORT_RDNS_CMD_IMPL_H
#define RBL_IMPORT_RDNS_CMD_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "zone/config/config.h"
#include "zone/policy/rdns_review.h"
#include "zone/store/store.h"
#include "rdns_classify.h"
#include "rdns_ranges.h"
#include "rdns_resolve.h"
#include "rdns_sort.h"

typedef struct rdns_cmd {
	const char *prog;		/* "rbl-import rdns" */
	const char *conf_path, *db_path;
	const char *rules_path, *psl_path;
	bool psl_private, psl_private_set;
	rbl_conf *conf;
	rbl_psl *psl;
	rbl_rdns_rules *rules;
	rbl_rdns_classifier cl;
	rbl_rdns_range_opts ranges;
	rbl_rdns_resolve_opts resolve;
	rbl_rdns_opts policy;
	bool dry_run, names_only, tsv;
	bool skip_bad, sort_first;	/* --skip-bad, --sort */
	rbl_rdns_sort_opts sort;	/* --mem, --tmpdir */
	const char *check_rules;	/* rules --check FILE */
	rbl_rdns_ranger *ranger;	/* the proposing run */
	int progress;			/* -1 auto, 0 off, 1 on */
	/* store, written in batches */
	rbl_store *store;
	rbl_txn *txn;
	unsigned txn_ops;
	int64_t txn_started, now;
	/* review */
	const char *state, *domain, *template, *by, *note;
	/* evidence */
	const char *list_name;
	unsigned around4, around6;
	/* outcomes of a run */
	uint64_t outcomes[RBL_RDNS_AUTO_CONFIRMED + 1];
	unsigned flagged;
	const char *input_name;
	unsigned long input_line;
} rdns_cmd;

/* The hint for unsorted input. */
#define SORT_HINT	"LC_ALL=C sort -t . -k1,1n -k2,2n -k3,3n -k4,4n"

/* ---- rdns_cmd_common.c ---- */

/* Open the store (config or -d) for writing; RBL_OK or prints why. */
int rdns_cmd_open_store(rdns_cmd *c);
/* Begin/commit the batch transaction.  RBL_OK or prints why. */
int rdns_cmd_txn(rdns_cmd *c);
int rdns_cmd_commit(rdns_cmd *c);
/* Count one write of the batch; commit when the batch is big or old
 * enough.  RBL_OK or prints why. */
int rdns_cmd_batch_step(rdns_cmd *c);
/* Print an error "rbl-import rdns: WHAT: error text" and return 1. */
int rdns_cmd_fail(const rdns_cmd *c, const char *what, int rc);
/* Print "rbl-import rdns: MSG (try --help)" and return 2. */
int rdns_cmd_usage(const rdns_cmd *c, const char *msg);
/* Print proposal P, in text or TSV form. */
void rdns_print_proposal(const rdns_cmd *c, const rbl_rdns_proposal *p,
			 const char *what);

/* ---- the subcommands, ARGV after the options (optind its first
 * argument) ---- */

/* rdns_propose_cmd.c */
int rdns_classify_main(rdns_cmd *c, int argc, char **argv);
int rdns_sort_main(rdns_cmd *c, int argc, char **argv);
int rdns_propose_main(rdns_cmd *c, int argc, char **argv);
int rdns_resolve_main(rdns_cmd *c, int argc, char **argv);
int rdns_evidence_main(rdns_cmd *c, int argc, char **argv);
/* rdns_review_cmd.c: `rbl-import rdns review ...` */
int rdns_review_main(rdns_cmd *c, int argc, char **argv);

#endif
