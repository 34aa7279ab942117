/*
 * cmd_import.h -- what `rblctl import` and `rblctl import-zone` share:
 * the run of one command (options, the datasets read, the zone's generic
 * records), reading the files into it and writing its datasets to their
 * lists.  cmd_import.c has these and `import LIST`; cmd_import_zone.c has
 * `import-zone`, which uses them and is used by nothing here.
 *
 * Files are parsed and resolved (rbldnsd_merge) before the write
 * transaction starts, so other writers wait only for the writes; the
 * writes of one command are one transaction, a replacement of the list
 * under --replace, so readers see the old list or the new one, never a
 * mix.  Large merging imports use the store's bulk mode.
 */
#ifndef RBL_CMD_IMPORT_H
#define RBL_CMD_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "zone/formats/rbldnsd_fmt.h"
#include "zone/formats/rbldnsd_merge.h"
#include "zone/store/zrec.h"

typedef struct import_opts {
	int type;
	bool replace, lenient, journal;
	char **files;
	int n_files;
	const char *target;	/* LIST or ZONE */
} import_opts;

/* One dataset being imported: a plain file, or a combined section. */
typedef struct import_set {
	rbl_ds_section sec;
	rbl_dsm *dsm;
	char list_name[RBL_LIST_NAME_MAX + 1];
	rbl_list list;
	size_t adjusted;
	int base;		/* ".aK" section: index of NAME's section */
	unsigned code_index;	/* ... and which A value it holds (K - 1) */
	bool clear;		/* first section of its list: --replace replaces */
} import_set;

typedef struct import_run {
	ctl *c;
	import_opts o;
	rbl_ds_meta meta;
	import_set *sets;
	size_t n_sets, cap_sets;
	unsigned warnings;
	char source[RBL_SOURCE_MAX + 1];
	/* generic sections: the zone's fixed records, one per subzone */
	rbl_zrec *rrs;
	size_t n_rrs, cap_rrs;
	bool has_generic;
	/* progress */
	uint64_t done, total;
	double started, last_shown;
	bool progress;
} import_run;

/* Monotonic seconds, for the progress line and the summary. */
double imp_now_seconds(void);
/* The options of import (ZONE false) or import-zone (ZONE true) into O;
 * CTL_OK or CTL_USAGE (printed). */
int imp_parse_opts(const ctl_cmd *me, int argc, char **argv,
		   import_opts *o, bool zone);
/* The source recorded with every entry: "import:FILE" (the first). */
void imp_set_source(import_run *r);
/* Read every file into R's datasets (one per combined section) and
 * resolve them; CTL_OK or CTL_ERR (printed: nothing is written then). */
int imp_parse_files(import_run *r);
void imp_free_run(import_run *r);
/* True for a dataset that becomes a list (not generic, not acl). */
bool imp_is_list_set(const import_set *s);
/* The list kind (RBL_LIST_IP, RBL_LIST_NAME) of dataset TYPE. */
int imp_kind_of(int type);
/* Write every list dataset of R (each set's list looked up already) in
 * T; CTL_OK or CTL_ERR (printed; the caller aborts T). */
int imp_write_all(import_run *r, rbl_txn *t);
/* Say what was imported, in SECS seconds. */
void imp_summary(import_run *r, double secs);

#endif
