/*
 * lookup.h -- "is this listed, where, since when?" for the web pages.
 *
 * Walks every list of the subject's kind (IP lists for an address, domain
 * lists for a name) and reports each list that lists it now, with the
 * stored entry that decided (its prefix or name, codes, TXT, since, until,
 * source) and the zones that answer from that list.
 */
#ifndef ADM_LOOKUP_H
#define ADM_LOOKUP_H

#include <stdint.h>

#include "zone/store/store.h"
#include "admin.h"

#define ADM_ZONES_TEXT 512

typedef struct adm_hit {
	const rbl_list *list;
	char key[RBL_NAME_MAX + 1];	/* "192.0.2.0/24", "*.bad.example" */
	rbl_entry entry;		/* the deciding entry */
	uint32_t codes[RBL_MAX_CODES];	/* with list defaults applied */
	uint8_t n_codes;
	char txt[RBL_TXT_MAX + 1];	/* expanded for the subject */
	char zones[ADM_ZONES_TEXT];	/* "bl.example, zen.example" */
} adm_hit;

/* Call FN for every list listing SUBJECT (canonical address or name) at
 * NOW.  FN's non-zero return stops and is returned; else RBL_OK or a
 * store error.  RBL_EINVAL when SUBJECT is neither. */
int adm_lookup(rbl_txn *t, const char *subject, int64_t now,
	       int (*fn)(void *arg, const adm_hit *h), void *arg);

/* A hit kept past the walk, with its own copy of its list. */
typedef struct adm_kept_hit {
	adm_hit hit;			/* hit.list points to list below */
	rbl_list list;
} adm_kept_hit;

/* Every hit of adm_lookup() for SUBJECT at NOW, up to MAX, into OUT; the
 * number in *N.  RBL_OK, RBL_EINVAL or a store error. */
int adm_lookup_all(rbl_txn *t, const char *subject, int64_t now,
		   adm_kept_hit *out, unsigned max, unsigned *n);

/* The zones answering from list LIST_ID ("bl.example, zen.example"; ""
 * when none publishes it) into OUT. */
void adm_zones_of(rbl_txn *t, uint32_t list_id, char out[ADM_ZONES_TEXT]);

/* The name of the policy whose allow list is LIST_ID, or NULL when it is
 * no policy's allow list. */
const char *adm_allow_of(const adm_app *app, uint32_t list_id);

#endif
