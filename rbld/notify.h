/*
 * notify.h -- NOTIFY (RFC 1996): tell the secondaries when a zone's
 * serial changes.
 *
 * One thread reads the serial of every zone once a second from its own
 * read transaction (rbld opens the store read-only: the writers are other
 * processes, so polling is how it learns of their commits).  A serial
 * that has been stable for one poll, or has kept changing for ten
 * seconds, is notified (the debounce: an import committing in many
 * transactions gives one NOTIFY, not hundreds) to every target the
 * zone's `notify` lines (or the server's) name, signed with the line's
 * TSIG key.  A target that does not answer gets the NOTIFY again after
 * notify-retry-interval, doubling, up to notify-retries times; a newer
 * serial starts over.  Every zone is notified once at start.
 */
#ifndef RBLD_NOTIFY_H
#define RBLD_NOTIFY_H

#include "zone/store/store.h"
#include "xfr_conf.h"

typedef struct rbl_notify rbl_notify;

/* Start the thread for STORE with the settings in LIVE (both not owned,
 * must outlive it).  When LIVE changes (SIGHUP), the thread forgets its
 * zones and notifies every zone once more to the targets now named.
 * RBL_OK, RBL_EIO (no socket), RBL_ENOMEM, or a store error. */
int rbl_notify_start(rbl_store *store, const rbl_xfr_live *live,
		     rbl_notify **out);
/* Stop the thread and free N (NULL is fine). */
void rbl_notify_stop(rbl_notify *n);

#endif
