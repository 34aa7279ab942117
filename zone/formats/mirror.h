/*
 * mirror.h -- lists bound to rbldnsd data files (rbld.conf's `data:`
 * lines), and what the watcher (`rblctl watch`) did with them.
 *
 * A list section may name the files it mirrors:
 *
 *   list: spam
 *       data: bl.example.org:ip4set:spam.ip4set,manual.ip4set.gz
 *
 * The value is rbldnsd's own dataset argument, ZONE:TYPE:FILE[,FILE...],
 * or TYPE:FILE[,...] or FILE[,...] (the list kind's default type:
 * ip4set or dnset); `data:` may repeat, and all files of one list are one
 * dataset, imported together.  Relative paths are taken from the `mirror:`
 * section's `directory:` (rbldnsd's -w; default /var/lib/rbldns).  The
 * zone part, when given, must answer from this list (checked by
 * rbl_mirror_conf_check against the configuration, not the store).
 * Combined, generic and acl data do not go into a list and are refused.
 *
 * What happened is kept in table "mirror" of the store, one record per
 * list, written by the watcher only (rbld never writes): the counts of
 * imports taken and refused, when each last happened, the reason of the
 * last refusal and a signature of the files last tried, so a restarted
 * watcher does not import again what it already took or refused.
 * rbl-admin's /metrics and `rblctl watch --status` read it.
 */
#ifndef RBL_MIRROR_H
#define RBL_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/config/config.h"
#include "zone/store/store.h"

#define RBL_MIRROR_MAX_FILES	32	/* per list */
#define RBL_MIRROR_PATH_MAX	1024
#define RBL_MIRROR_REASON_MAX	200
#define RBL_MIRROR_DEFAULT_DIR	"/var/lib/rbldns"

/* One list and its files. */
typedef struct rbl_mirror_set {
	char list[RBL_LIST_NAME_MAX + 1];
	int type;			/* RBL_DS_*, 0: the list kind's default */
	unsigned line;			/* of its first data: line */
	size_t n_files;
	char files[RBL_MIRROR_MAX_FILES][RBL_MIRROR_PATH_MAX];
} rbl_mirror_set;

typedef struct rbl_mirror_conf {
	char directory[RBL_MIRROR_PATH_MAX];
	uint32_t check_interval_ms;	/* polling; 0: inotify only */
	uint32_t settle_ms;		/* a changed file must stay as it is */
	bool lenient;			/* rbldnsd -e: host bits cleared */
	rbl_mirror_set *sets;		/* one per list with data: lines */
	size_t n_sets;
	size_t cap_sets;	/* room in sets, rbl_array_reserve() */
} rbl_mirror_conf;

/* Split an rbldnsd dataset argument "[ZONE:][TYPE:]FILE[,FILE...]" into
 * ZONE ("" when absent, lowercase, no trailing dot), *TYPE (0 when
 * absent) and the files, appended to SET (relative ones under DIR, which
 * may be NULL to keep them as they are).  A first part that is not a type
 * name is a zone only when a type follows.  RBL_OK, RBL_EINVAL (what is
 * wrong in ERR), RBL_ELIMIT (too many files). */
int rbl_mirror_parse_spec(const char *spec, const char *dir,
			  char zone[RBL_NAME_MAX + 1], int *type,
			  rbl_mirror_set *set, char *err, size_t errlen);

/* Read the mirror section and every list's data: lines of C into *OUT
 * (free with rbl_mirror_conf_free; no sets is no error).  RBL_OK,
 * RBL_EINVAL with "path:line: ..." in ERR, RBL_ENOMEM. */
int rbl_mirror_conf_load(const rbl_conf *c, rbl_mirror_conf **out,
			 char *err, size_t errlen);
void rbl_mirror_conf_free(rbl_mirror_conf *m);

/* ---- the record of what the watcher did (table "mirror") ---- */

typedef struct rbl_mirror_state {
	char list[RBL_LIST_NAME_MAX + 1];
	uint64_t imports, refusals;	/* counts since the record began */
	int64_t last_import, last_refusal, last_try;	/* unix times, 0 never */
	uint64_t tried_sig;		/* files as last tried (mirror_sig) */
	bool failing;			/* the last try was refused */
	char reason[RBL_MIRROR_REASON_MAX + 1];	/* of the last refusal */
} rbl_mirror_state;

/* The record of LIST into *OUT (zeroed with the name set when there is
 * none: RBL_OK).  Read or write transaction. */
int rbl_mirror_state_get(rbl_txn *t, const char *list, rbl_mirror_state *out);
/* Store S (write transaction). */
int rbl_mirror_state_put(rbl_txn *t, const rbl_mirror_state *s);
/* Each record in list name order; FN non-zero stops and is returned.
 * No table yet is no record. */
int rbl_mirror_state_foreach(rbl_txn *t,
			     int (*fn)(void *arg, const rbl_mirror_state *s),
			     void *arg);

#endif
