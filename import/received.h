/*
 * received.h -- which IP handed a message to us: Received header parsing
 * and the walk down to the trust boundary.
 *
 * Received headers are prepended by each relay, so the top one was written
 * by our last server.  rbl_received_origin() walks from the top while the
 * connecting host is ours (a configured trusted network, a trusted relay
 * name as our relay resolved it, loopback, private space, or an
 * authenticated submission) and stops at the first hop from anywhere else:
 * that IP is the evidence.  Headers below it were written by the sender and
 * are never read.  A hop with a "from" clause whose IP cannot be read stops
 * the walk without a result: guessing there could list a forged address.
 *
 * A retrieval hop -- the mailbox download by which trap mail collected
 * from a provider reached us (fetchmail "with POP3 (fetchmail-6.4.37)",
 * getmail "with IMAP4-SSL", mpop "(mpop-1.4.18) with POP3") -- is ours
 * too, IP or not: its "from" names the provider's POP or IMAP server, which
 * sent nothing.  The sender is below it.  A sender cannot forge one: the
 * walk never reads below the first hop it does not trust.
 *
 * Formats understood (see tests/unit/test_received.c for real shapes):
 * Postfix "from helo (rdns [ip])", Sendmail "from helo (user@rdns [ip])",
 * Exim "from [ip] (helo=x)" / "from rdns ([ip]:port helo=x)", qmail
 * "from unknown (HELO x) (ip)", Microsoft "from host (ip) by ...", Courier
 * "from host (rdns [::ffff:ip])", IPv6 with or without "IPv6:", ports,
 * zone ids, "::ffff:" mapped IPv4.
 */
#ifndef RBL_RECEIVED_H
#define RBL_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/addr.h"
#include "mime.h"

#define RBL_RCVD_NAME_MAX 127
#define RBL_RCVD_LINE_MAX 511

typedef struct rbl_received {
	bool has_from;		/* the header describes a network hop */
	bool has_ip;		/* ... and its IP was read */
	rbl_addr ip;		/* connecting host, IPv4-mapped unmapped */
	bool authenticated;	/* SMTP AUTH (ESMTPA, "Authenticated sender") */
	bool retrieval;		/* a POP3/IMAP download into our mailbox */
	int64_t when;		/* date after ';', 0 if none */
	char rdns[RBL_RCVD_NAME_MAX + 1];	/* name our relay resolved, or "" */
	char helo[RBL_RCVD_NAME_MAX + 1];	/* claimed name (first word) */
	char by[RBL_RCVD_NAME_MAX + 1];		/* relay that wrote it */
} rbl_received;

/* Parse one unfolded Received value S (NUL-terminated) into *OUT.
 * Never fails: what cannot be read is left empty/false. */
void rbl_received_parse(const char *s, rbl_received *out);

/* Our side of the trust boundary. */
typedef struct rbl_trust {
	const rbl_prefix *nets;		/* trusted networks */
	size_t n_nets;
	const char *const *relays;	/* "mx.example.org" exact, or
					   ".example.org" any name below */
	size_t n_relays;
} rbl_trust;

enum rbl_origin_status {
	RBL_ORIGIN_FOUND = 0,	/* ip is the first untrusted public hop */
	RBL_ORIGIN_NONE,	/* no Received header with a from clause */
	RBL_ORIGIN_ALL_TRUSTED,	/* every hop was ours */
	RBL_ORIGIN_SPECIAL,	/* only private/special space beyond ours */
	RBL_ORIGIN_UNPARSED,	/* a hop's IP could not be read */
};

typedef struct rbl_origin {
	int status;		/* rbl_origin_status */
	rbl_addr ip;		/* FOUND: the evidence */
	int64_t when;		/* date of that Received (our receipt), or 0 */
	unsigned hop;		/* index of that header, 0 = top */
	char line[RBL_RCVD_LINE_MAX + 1];	/* that header, unfolded */
} rbl_origin;

/* True if hop R is on our side of the boundary under TRUST. */
bool rbl_received_trusted(const rbl_received *r, const rbl_trust *trust);
/* Walk M's Received headers (at most 100) as described above; fills *OUT.
 * Returns out->status. */
int rbl_received_origin(const rbl_msg *m, const rbl_trust *trust,
			rbl_origin *out);

#endif
