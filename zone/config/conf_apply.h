/*
 * conf_apply.h -- make the store match the list: and zone: sections of
 * rbld.conf (`rblctl init`, `rblctl config apply`).
 *
 * The configuration declares lists and zones; applying it creates what is
 * missing and updates the settings it names.  It never deletes anything:
 * a list or zone in the store that the configuration does not mention is
 * reported and kept, a list whose kind differs is an error (its entries
 * could not be kept), and a key the configuration leaves out keeps the
 * value the store has (so settings made with `rblctl zone set` survive
 * until the configuration names that key).  Removing a list from a zone's
 * `list` keys detaches it; its entries stay in the list.
 *
 * Everything happens inside the caller's write transaction: commit to
 * keep, abort for a dry run.  Each change is reported as one line of text.
 */
#ifndef RBL_CONF_APPLY_H
#define RBL_CONF_APPLY_H

#include <stddef.h>

#include "zone/config/config.h"
#include "zone/store/store.h"

/* Called once per change (or notice) with a line of text, no newline. */
typedef void (*rbl_conf_report_fn)(void *arg, const char *line);

/* Check what the schema cannot: list kinds, "name@sub" references to
 * lists defined in the file or in the store (T may be NULL: then only
 * lists defined in the file count), zone and glue syntax, limits.
 * Returns RBL_OK or RBL_EINVAL with "path:line: ..." in ERR. */
int rbl_conf_validate(const rbl_conf *c, rbl_txn *t, char *err,
		      size_t errlen);

/* Apply C to the store through write transaction T.  REPORT (may be NULL)
 * receives one line per change; *N_CHANGES (may be NULL) their count.
 * Returns RBL_OK, or the first error (RBL_EINVAL for a configuration the
 * store cannot follow, store errors as they come) with a message in ERR.
 * On error the caller must abort T. */
int rbl_conf_apply(rbl_txn *t, const rbl_conf *c, rbl_conf_report_fn report,
		   void *arg, unsigned *n_changes, char *err, size_t errlen);

/* Parse a zone's list reference "name" or "name@sub" into NAME and SUB
 * (SUB "" when absent).  Returns RBL_OK or RBL_EINVAL. */
int rbl_conf_parse_list_ref(const char *ref, char name[RBL_LIST_NAME_MAX + 1],
			    char sub[RBL_LABEL_MAX + 1]);

/* Normalise a zone name: lowercase, no trailing dot, valid labels.
 * OUT has RBL_NAME_MAX + 1 bytes.  Returns RBL_OK or RBL_EINVAL. */
int rbl_conf_zone_name(const char *in, char out[RBL_NAME_MAX + 1]);

/* The zone's time field named KEY ("ttl", "neg-ttl", "ns-ttl", "refresh",
 * "retry", "expire", "minimum"), or NULL for any other key.  One table for
 * rbld.conf and `rblctl zone set`. */
uint32_t *rbl_zone_time_field(rbl_zone *z, const char *key);

#endif
