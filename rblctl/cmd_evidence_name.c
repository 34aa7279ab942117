/*
 * cmd_evidence_name.c -- rblctl evidence for domains and mail addresses
 * (zone/policy/namepol.h): why a domain or a hashed drop box is listed,
 * and the human decisions of the domain policy.  cmd_evidence.c hands a
 * subject here when it is not an address or prefix.
 *
 *   rblctl evidence DOMAIN|MAIL-ADDRESS [--max N]
 *   rblctl evidence block DOMAIN|MAIL-ADDRESS --why TEXT
 *   rblctl evidence unblock DOMAIN|MAIL-ADDRESS
 *   rblctl evidence allow DOMAIN [--why TEXT] [--expires DURATION|@TIME]
 *   rblctl evidence unallow DOMAIN
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "cmd_evidence.h"
#include "zone/error.h"
#include "zone/policy/namepol.h"

/* The domain policies of the configuration, resolved in T. */
static int load_names(ctl *c, rbl_txn *t, rbl_namepol_set **set)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_conf empty = { 0 };

	if (rbl_namepol_load(c->conf ? c->conf : &empty, set, err, sizeof err) ||
	    rbl_namepol_resolve(t, *set, err, sizeof err)) {
		rbl_namepol_free(*set);
		*set = NULL;
		return ctl_err("domain-policy: %s", err);
	}
	return CTL_OK;
}

static int show(ctl *c, const char *name, const ctl_name_args *a)
{
	rbl_namepol_set *set = NULL;
	rbl_txn *t = NULL;
	int rc = 0;

	if (ctl_open_store(c, false) != CTL_OK || ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	if (load_names(c, t, &set) != CTL_OK) {
		rbl_txn_abort(t);
		return CTL_ERR;
	}
	rc = rbl_namepol_explain_text(t, set, name, a->now, a->max, stdout);
	rbl_txn_abort(t);
	rbl_namepol_free(set);
	if (rc == RBL_ENOTFOUND)
		return ctl_err("no evidence about %s", a->subject);
	return rc == RBL_OK ? CTL_OK : ctl_err("evidence: %s", rbl_strerror(rc));
}

/* A write: block, unblock, allow, unallow. */
static int decide(ctl *c, const char *sub, const char *name,
		  const ctl_name_args *a)
{
	rbl_namepol_set *set = NULL;
	int64_t expires = 0;
	rbl_txn *t = NULL;
	int rc = 0;

	if (strcmp(sub, "block") == 0 && !a->why)
		return ctl_usage(c->cmd, "block needs --why TEXT");
	if (a->expires && ctl_parse_expiry(a->expires, a->now, &expires) != CTL_OK)
		return CTL_USAGE;
	if (ctl_open_store(c, false) != CTL_OK || ctl_begin(c, true, &t) != CTL_OK)
		return CTL_ERR;
	if (load_names(c, t, &set) != CTL_OK) {
		rbl_txn_abort(t);
		return CTL_ERR;
	}
	if (strcmp(sub, "block") == 0)
		rc = rbl_namepol_block(t, set, name, a->now, c->source, a->why);
	else if (strcmp(sub, "unblock") == 0) {
		rc = rbl_namepol_unblock(t, name);
		if (rc == RBL_OK)
			rc = rbl_namepol_recompute(t, set, name, a->now);
	} else if (strcmp(sub, "allow") == 0)
		rc = rbl_namepol_allow_add(t, set, name, expires, c->source,
					   a->why ? a->why : "", a->now);
	else
		rc = rbl_namepol_allow_del(t, set, name, a->now);
	rbl_namepol_free(set);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "%s %s", sub, a->subject);
	if (ctl_commit(t, sub) != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "%s %s: done\n", sub, a->subject);
	return CTL_OK;
}

int ctl_name_evidence(ctl *c, const char *sub, const ctl_name_args *a)
{
	char name[RBL_NAME_MAX + 1] = "";

	if (!a->subject || rbl_namepol_subject(a->subject, name) != RBL_OK)
		return ctl_usage(c->cmd, "not an address, "
				 "prefix, domain or mail address: %s",
				 a->subject ? a->subject : "");
	if (!sub)
		return show(c, name, a);
	if (strcmp(sub, "add") == 0)
		return ctl_usage(c->cmd, "add takes an address;"
				 " domains become evidence from trap mail");
	if (strchr(a->subject, '@') && (strcmp(sub, "allow") == 0 ||
					strcmp(sub, "unallow") == 0))
		return ctl_usage(c->cmd, "allow takes a domain");
	return decide(c, sub, name, a);
}

int ctl_name_purge(ctl *c, rbl_txn *t, int64_t now, uint64_t *evidence,
		   uint64_t *states)
{
	rbl_namepol_set *set = NULL;
	int rc = 0;

	if (load_names(c, t, &set) != CTL_OK)
		return RBL_EINVAL;
	rc = rbl_namepol_purge(t, set, now, evidence, states);
	rbl_namepol_free(set);
	return rc;
}
