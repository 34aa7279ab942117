/*
 * cmd_evidence.h -- rblctl's hooks into evidence and the listing policy
 * (zone/policy/evidence.h, zone/policy/policy.h).  main.c registers:
 *
 *   { "evidence", cmd_evidence, CMD_EVIDENCE_SYNOPSIS, CMD_EVIDENCE_HELP },
 *
 * and cmd_purge calls ctl_policy_purge() instead of rbl_purge_expired():
 * it prunes evidence past its retention, drops dead score state, refreshes
 * reputation values and then purges expired entries of every list.
 */
#ifndef RBL_CMD_EVIDENCE_H
#define RBL_CMD_EVIDENCE_H

#include <stdint.h>

#include "ctl.h"
#include "zone/policy/policy.h"

#define CMD_EVIDENCE_SYNOPSIS \
	"evidence ADDRESS|DOMAIN|MAIL|--dump|block|unblock|allow|unallow|add ..."
#define CMD_EVIDENCE_HELP \
	"evidence ADDRESS [--max N] [--now UNIXTIME]\n" \
	"    the evidence behind ADDRESS, newest first, and per policy how\n" \
	"    its score was reached, the listing and its expiry\n" \
	"evidence --dump               every evidence, score and listing\n" \
	"evidence block ADDRESS --why TEXT\n" \
	"    a confirmed delisting: remove policy listings now; only newer\n" \
	"    evidence reaching the threshold lists it again\n" \
	"evidence unblock ADDRESS      forget the block\n" \
	"evidence allow PREFIX [--why TEXT] [--expires DURATION|@TIME]\n" \
	"    add to the policies' allow lists; remove automatic listings\n" \
	"evidence unallow PREFIX       remove from the allow lists\n" \
	"evidence add ADDRESS --why TEXT [--weight W]\n" \
	"    manual evidence (kind manual), applied by the policies\n" \
	"DOMAIN or MAIL-ADDRESS in place of ADDRESS (show, block, unblock;\n" \
	"    allow and unallow take a DOMAIN): the domain policy's evidence\n" \
	"    (links of trap mail, hashed Reply-To) and decisions\n" \
	"RBL_NOW (unix seconds) sets the clock, like --now.\n"

/* A subject that is not an address: a domain or a mail address, for the
 * domain policy (cmd_evidence_name.c). */
typedef struct ctl_name_args {
	const char *subject, *why, *expires;
	unsigned max;
	int64_t now;
} ctl_name_args;
/* SUB is NULL (show) or block, unblock, allow, unallow, add. */
int ctl_name_evidence(ctl *c, const char *sub, const ctl_name_args *a);
/* The domain policies' retention in write transaction T at NOW: counts
 * into *EVIDENCE and *STATES.  RBL_OK, RBL_EINVAL (printed), store
 * errors. */
int ctl_name_purge(ctl *c, rbl_txn *t, int64_t now, uint64_t *evidence,
		   uint64_t *states);

/* The command; returns CTL_OK, CTL_ERR or CTL_USAGE. */
int cmd_evidence(ctl *c, int argc, char **argv);

/* Policy-aware purge in write transaction T at NOW (stats to *OUT, may be
 * NULL).  Returns RBL_OK, RBL_EINVAL (bad policy configuration: printed)
 * or a store error. */
int ctl_policy_purge(ctl *c, rbl_txn *t, int64_t now,
		     rbl_policy_purge_stats *out);

#endif
