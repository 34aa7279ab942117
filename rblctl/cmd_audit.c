/*
 * cmd_audit.c -- rblctl audit: read the append-only audit log (the same
 * log rbl-admin shows), as CSV, optionally for one target or action.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "zone/people/audit.h"
#include "zone/error.h"

static int write_stdout(void *arg, const char *p, size_t n)
{
	(void)arg;
	return fwrite(p, 1, n, stdout) == n ? 0 : RBL_EIO;
}

int cmd_audit(ctl *c, int argc, char **argv)
{
	rbl_audit_filter f = { 0 };
	rbl_txn *t = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--target") == 0)
			f.target = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--action") == 0)
			f.action = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--user") == 0)
			f.user = argv[++i];
		else
			return ctl_usage(c->cmd, "bad argument");
	}
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_audit_csv(t, &f, write_stdout, NULL);
	rbl_txn_abort(t);
	return rc == RBL_OK ? CTL_OK : ctl_fail(NULL, rc, "audit log");
}
