/*
 * polconf.h -- what the two listing policies (policy.h for addresses,
 * namepol.h for domains) read from rbld.conf alike: the scoring keys, a
 * weight, a return code, the evidence retention, and a list named by a
 * policy resolved to its id.  Messages name the section as written
 * ("policy spam:" or "domain-policy links:") with the file and line; on
 * error *OUT is left at its default and nothing else changes.
 */
#ifndef RBL_POLCONF_H
#define RBL_POLCONF_H

#include <stddef.h>
#include <stdint.h>

#include "zone/config/config.h"
#include "zone/store/store.h"

/* SRC (NULL: "") into DST of SIZE bytes, cut to fit, always terminated. */
void rbl_polconf_copy(char *dst, size_t size, const char *src);

/* A number >= 0 (default DEF). */
int rbl_polconf_weight(const rbl_conf *c, const rbl_conf_section *s,
		       const char *key, double def, double *out, char *err,
		       size_t errlen);

/* A return code as rbl_code_parse reads it (default 0: none). */
int rbl_polconf_code(const rbl_conf *c, const rbl_conf_section *s,
		     const char *key, uint32_t *out, char *err, size_t errlen);

/* half-life and expire-after (7 days each) and threshold (1, > 0). */
int rbl_polconf_scoring(const rbl_conf *c, const rbl_conf_section *s,
			uint32_t *half_life, uint32_t *expire_after,
			double *threshold, char *err, size_t errlen);

/* retention in the [evidence] section (90 days). */
int rbl_polconf_retention(const rbl_conf *c, uint32_t *out, char *err,
			  size_t errlen);

/* The id of list NAME ("" -> 0, no list), which must be of KIND; messages
 * begin "SECTION POLICY:". */
int rbl_polconf_list(rbl_txn *t, const char *section, const char *policy,
		     const char *name, int kind, uint32_t *id, char *err,
		     size_t errlen);

#endif
