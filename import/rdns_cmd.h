/*
 * rdns_cmd.h -- `rbl-import rdns ...`: classify PTR names, propose
 * dynamic/static ranges from files, live lookups or existing evidence,
 * and review the proposals (doc/rdns.md).
 *
 * rbl-import's main() dispatches here for its "rdns" subcommand:
 *
 *     if (argc > 1 && strcmp(argv[1], "rdns") == 0)
 *             return rbl_import_rdns_main(argc - 1, argv + 1);
 */
#ifndef RBL_IMPORT_RDNS_CMD_H
#define RBL_IMPORT_RDNS_CMD_H

/* Run `rbl-import rdns ARGV[1..]` (ARGV[0] is "rdns").  Prints results on
 * stdout, errors on stderr.  Returns the process exit status: 0 success,
 * 1 failure (bad input, store or network errors), 2 usage errors. */
int rbl_import_rdns_main(int argc, char **argv);

#endif
