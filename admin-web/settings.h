/*
 * settings.h -- rbl-admin's settings from rbld.conf: the "admin:" section,
 * plus server.database / map-size / stats-file to find the store and
 * rbld's counters.
 */
#ifndef ADM_SETTINGS_H
#define ADM_SETTINGS_H

#include <stddef.h>

#include "zone/config/config.h"
#include "admin.h"

/* Fill *OUT from C (checked already).  Reads the TLS files when set.
 * Returns RBL_OK, or RBL_EINVAL/RBL_EIO with "what is wrong" in ERR. */
int adm_settings_load(const rbl_conf *c, adm_config *out, uint64_t *mapsize,
		      char *err, size_t errlen);
/* Free what adm_settings_load allocated (the PEM texts). */
void adm_settings_free(adm_config *cfg);

/* Parse "addr[@port]" (port default DEF_PORT) into *SS.  RBL_OK or
 * RBL_EINVAL. */
int adm_parse_listen(const char *s, unsigned def_port,
		     struct sockaddr_storage *ss, socklen_t *len);

#endif
