/*
 * xfr_conf.h -- what rbld.conf says about zone transfers and NOTIFY:
 * TSIG keys, who may transfer which zone, which secondaries to notify.
 *
 *   key: tsig1.example                 algorithm + base64 secret
 *       algorithm: hmac-sha256
 *       secret: c2VjcmV0...
 *   server:
 *       provide-xfr: 192.0.2.0/24 tsig1.example   defaults for every zone
 *       notify: 192.0.2.53@53 tsig1.example
 *   zone: bl.example
 *       provide-xfr: 127.0.0.1 NOKEY             a zone's own lines replace
 *       notify: 127.0.0.1@5300 NOKEY             the defaults (each kind)
 *
 * A transfer is allowed when some line of the zone's provide-xfr matches
 * the client's address and its key: NOKEY accepts any request, signed or
 * not (a signature is still verified and the answer signed); a key name
 * requires a request signed with that key.  No line: no transfers.
 * A parsed configuration is read-only; SIGHUP replaces it whole through
 * an rbl_xfr_live (below).
 */
#ifndef RBLD_XFR_CONF_H
#define RBLD_XFR_CONF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zone/addr.h"
#include "zone/config/config.h"
#include "zone/store/store.h"
#include "tsig.h"

#define RBL_XFR_MAX_KEYS	64
#define RBL_XFR_MAX_ACL		64
#define RBL_XFR_MAX_NOTIFY	32
#define RBL_XFR_NOKEY		(-1)

typedef struct rbl_xfr_acl {
	rbl_prefix net;
	int key;			/* index into keys, or RBL_XFR_NOKEY */
} rbl_xfr_acl;

typedef struct rbl_notify_target {
	struct sockaddr_storage sa;
	socklen_t salen;
	int key;			/* index into keys, or RBL_XFR_NOKEY */
	char text[80];			/* "addr@port", for logs */
} rbl_notify_target;

typedef struct rbl_xfr_zone {
	char name[RBL_NAME_MAX + 1];	/* "" for the server defaults */
	bool has_acl, has_notify;	/* lines of its own */
	unsigned n_acl, n_notify;
	rbl_xfr_acl acl[RBL_XFR_MAX_ACL];
	rbl_notify_target notify[RBL_XFR_MAX_NOTIFY];
} rbl_xfr_zone;

typedef struct rbl_xfr_conf {
	unsigned n_keys;
	rbl_tsig_key keys[RBL_XFR_MAX_KEYS];
	rbl_xfr_zone defaults;
	rbl_xfr_zone *zones;		/* owned */
	unsigned n_zones;
	uint32_t txt_expand;		/* xfr-txt-expand */
	uint32_t max_records;		/* xfr-max-records, 0 = none */
	uint32_t max_transfers;		/* xfr-max-transfers */
	uint32_t notify_retries;
	uint32_t notify_interval_ms;
} rbl_xfr_conf;

/* Read the key sections and the transfer keys of C into OUT.  Returns
 * RBL_OK, or RBL_EINVAL with "path:line: what" in ERR (unknown key name,
 * bad secret, address or port), RBL_ENOMEM.  Free with
 * rbl_xfr_conf_free(). */
int rbl_xfr_conf_load(const rbl_conf *c, rbl_xfr_conf *out, char *err,
		      size_t errlen);
void rbl_xfr_conf_free(rbl_xfr_conf *x);

/* The lines that apply to zone NAME: its own provide-xfr (NOTIFY false)
 * or notify (NOTIFY true) lines if it has any, else the defaults. */
const rbl_xfr_zone *rbl_xfr_conf_zone(const rbl_xfr_conf *x,
				      const char *name, bool notify);

/* May PEER transfer with KEY (NULL: unsigned request)?  RBL_OK or
 * RBL_EPERM. */
int rbl_xfr_acl_check(const rbl_xfr_conf *x, const rbl_xfr_zone *z,
		      const rbl_addr *peer, const rbl_tsig_key *key);

/* True if any zone or the defaults name a notify target. */
bool rbl_xfr_conf_notifies(const rbl_xfr_conf *x);

/* The transfer settings in force.  A reader loads the pointer once per
 * request (a transfer, a signed query, a NOTIFY poll) and may go on using
 * what it loaded: a replaced configuration stays allocated until rbld
 * exits, so a transfer signed with a key keeps that key to its end. */
typedef struct rbl_xfr_live {
	_Atomic(const rbl_xfr_conf *) current;
} rbl_xfr_live;

static inline const rbl_xfr_conf *rbl_xfr_live_get(const rbl_xfr_live *l)
{
	return atomic_load_explicit(&l->current, memory_order_acquire);
}

#endif
