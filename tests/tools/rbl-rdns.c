/*
 * rbl-rdns.c -- test helper: `rbl-rdns COMMAND ...` runs the same code as
 * `rbl-import rdns COMMAND ...` (import/rdns_cmd.h), so the rDNS scenario
 * tests can run before and independently of rbl-import's own main().
 */
#include "import/rdns_cmd.h"

int main(int argc, char **argv)
{
	return rbl_import_rdns_main(argc, argv);
}
