/*
 * cmd_user.h -- `rblctl user ...`: the people who may log in to rbl-admin.
 *
 *   rblctl user add NAME [--role admin]
 *                        [--password-file F | --password-stdin | --random]
 *   rblctl user passwd NAME [same options]
 *   rblctl user del NAME
 *   rblctl user list
 *
 * Without an option the password is asked twice on the terminal with echo
 * off.  --random makes a 20-character password and prints it once on
 * stdout (for demos and first setup).  "--role admin" is accepted for
 * forward compatibility: every user is an administrator.  Every change is written to the
 * audit log (zone/people/audit.h) as user "rblctl:<login>" from client "local",
 * in the same transaction as the change.
 */
#ifndef RBLCTL_CMD_USER_H
#define RBLCTL_CMD_USER_H

#include "zone/store/store.h"

/* Run `user ARGS...`: ARGV[0] is "user".  STORE is open read-write.
 * Prints results to stdout and errors to stderr.  Returns the process exit
 * status for rblctl's main: 0 done, 1 failed, 2 usage error. */
int rblctl_cmd_user(rbl_store *store, int argc, char **argv);

/* The usage lines above, for rblctl --help. */
extern const char rblctl_cmd_user_usage[];

#endif
