/*
 * rbl-confapply.c -- create a store and its lists and zones from rbld.conf
 * (conf_apply), for scenario tests that must not depend on rblctl.
 *
 *   rbl-confapply CONF DBDIR
 */
#include <stdio.h>

#include "zone/config/conf_apply.h"
#include "zone/config/config.h"
#include "zone/error.h"
#include "zone/store/store.h"

int main(int argc, char **argv)
{
	char err[RBL_CONF_ERRLEN];
	rbl_conf *c = NULL;
	rbl_store *s = NULL;
	rbl_txn *t = NULL;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: rbl-confapply CONF DBDIR\n");
		return 2;
	}
	if (rbl_conf_load(argv[1], &c, err, sizeof err) ||
	    rbl_conf_check(c, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((rc = rbl_store_open(argv[2], RBL_STORE_CREATE, 0, &s)) ||
	    (rc = rbl_txn_begin(s, true, &t))) {
		fprintf(stderr, "store: %s\n", rbl_strerror(rc));
		return 1;
	}
	rc = rbl_conf_apply(t, c, NULL, NULL, NULL, err, sizeof err);
	if (rc) {
		fprintf(stderr, "apply: %s\n", err);
		rbl_txn_abort(t);
		return 1;
	}
	rc = rbl_txn_commit(t);
	rbl_store_close(s);
	rbl_conf_free(c);
	return rc ? 1 : 0;
}
