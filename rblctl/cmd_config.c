/*
 * cmd_config.c -- rblctl init, config check, config apply.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "zone/config/conf_apply.h"
#include "zone/error.h"
#include "zone/formats/mirror.h"

static void print_line(void *arg, const char *line)
{
	const ctl *c = arg;

	ctl_say(c, "%s\n", line);
}

/* Apply the configuration in one write transaction; DRY_RUN aborts it. */
static int apply(ctl *c, bool dry_run)
{
	char err[RBL_CONF_ERRLEN] = "";
	unsigned n = 0;
	rbl_txn *t = NULL;
	int rc;

	if (ctl_begin(c, true, &t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_conf_apply(t, c->conf, print_line, c, &n, err, sizeof(err));
	if (rc != RBL_OK) {
		rbl_txn_abort(t);
		return ctl_err("%s", err[0] ? err : rbl_strerror(rc));
	}
	if (dry_run) {
		rbl_txn_abort(t);
		ctl_say(c, "%s: OK, %u change%s to apply\n", c->conf->path,
			n, n == 1 ? "" : "s");
		return CTL_OK;
	}
	if (ctl_commit(t, "config apply") != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "%s applied: %u change%s\n", c->conf->path, n,
		n == 1 ? "" : "s");
	return CTL_OK;
}

int cmd_init(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;

	if (argc > 1)
		return ctl_usage(me, "init takes no arguments");
	if (ctl_load_conf(c, false) != CTL_OK)
		return CTL_ERR;
	if (c->conf) {
		char err[RBL_CONF_ERRLEN];

		/* check before creating anything */
		if (rbl_conf_validate(c->conf, NULL, err, sizeof(err)) !=
		    RBL_OK)
			return ctl_err("%s", err);
	}
	if (ctl_open_store(c, true) != CTL_OK)
		return CTL_ERR;
	ctl_say(c, "store ready in %s\n", rbl_store_path(c->store));
	if (!c->conf) {
		ctl_say(c, "no configuration (%s): no lists or zones created\n",
			c->conf_path);
		return CTL_OK;
	}
	return apply(c, false);
}

/* The data: lines and the mirror section (rblctl watch). */
static int check_mirror(ctl *c)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_mirror_conf *m = NULL;
	int rc = rbl_mirror_conf_load(c->conf, &m, err, sizeof err);

	rbl_mirror_conf_free(m);
	return rc == RBL_OK ? CTL_OK :
	       ctl_err("%s", err[0] ? err : rbl_strerror(rc));
}

static int config_check(ctl *c)
{
	char err[RBL_CONF_ERRLEN];
	rbl_txn *t = NULL;
	int rc;

	if (ctl_load_conf(c, true) != CTL_OK || check_mirror(c) != CTL_OK)
		return CTL_ERR;
	/* without a store, references can only point inside the file */
	if (ctl_try_store(c) != RBL_OK) {
		rc = rbl_conf_validate(c->conf, NULL, err, sizeof(err));
		if (rc != RBL_OK)
			return ctl_err("%s", err);
		ctl_say(c, "%s: OK (no store to compare with)\n", c->conf_path);
		return CTL_OK;
	}
	if (ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_conf_validate(c->conf, t, err, sizeof(err));
	rbl_txn_abort(t);
	if (rc != RBL_OK)
		return ctl_err("%s", err);
	return apply(c, true);
}

int cmd_config(ctl *c, int argc, char **argv)
{
	const ctl_cmd *me = c->cmd;

	if (argc != 2)
		return ctl_usage(me, "config needs check or apply");
	if (strcmp(argv[1], "check") == 0)
		return config_check(c);
	if (strcmp(argv[1], "apply") != 0)
		return ctl_usage(me, "unknown config command \"%s\"", argv[1]);
	if (ctl_load_conf(c, true) != CTL_OK || ctl_open_store(c, true) != CTL_OK)
		return CTL_ERR;
	return apply(c, false);
}
