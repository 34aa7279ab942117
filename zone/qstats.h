/*
 * qstats.h -- query counters shared by rbld (writer) and readers such as
 * rbl-admin and rblctl, through a small memory-mapped file (by default
 * <database>/rbld.stats).
 *
 * Layout (version 2, native byte order, the file is only read on the host
 * that wrote it; version 1 had the same size, with the policy counters
 * reserved as zero, and is still read):
 *   rbl_qstats_header       magic, version, slot count and size, start time
 *   rbl_qstats_slot[n]      one per worker thread, each on its own cache
 *                           lines
 * Each slot is written only by its worker with plain increments, so the
 * query path needs no locks or atomics; a reader sums the slots.  Aligned
 * 64-bit loads and stores do not tear on the platforms rbld runs on, so a
 * reader sees each counter either before or after an increment.  The
 * counters restart from zero when rbld restarts (start_time says when).
 */
#ifndef RBL_QSTATS_H
#define RBL_QSTATS_H

#include <stddef.h>
#include <stdint.h>

#define RBL_QSTATS_MAGIC	0x5441545351424c52ull	/* "RBLQSTAT" */
#define RBL_QSTATS_VERSION	2u
#define RBL_QSTATS_MAX_SLOTS	1024u
#define RBL_QSTATS_FILE		"rbld.stats"

/* Rcode counters: the DNS rcodes 0..5 by value, then these. */
enum rbl_qstats_rcode {
	RBL_QS_NOERROR = 0, RBL_QS_FORMERR = 1, RBL_QS_SERVFAIL = 2,
	RBL_QS_NXDOMAIN = 3, RBL_QS_NOTIMP = 4, RBL_QS_REFUSED = 5,
	RBL_QS_BADVERS = 6,	/* extended rcode 16 */
	RBL_QS_OTHER = 7,
	RBL_QS_NRCODES = 8
};

typedef struct rbl_qstats_slot {
	uint64_t queries;	/* packets received (parsed or not) */
	uint64_t udp;		/* ... of which over UDP */
	uint64_t tcp;		/* ... of which over TCP */
	uint64_t rcode[RBL_QS_NRCODES];	/* answers sent, by rcode */
	uint64_t nodata;	/* NOERROR answers with an empty answer section */
	uint64_t listed;	/* answers with a listing (A/TXT of an entry) */
	uint64_t truncated;	/* UDP answers sent with TC=1 */
	uint64_t dropped;	/* packets not answered (short, QR=1, send failed) */
	uint64_t tcp_conns;	/* TCP connections accepted */
	uint64_t tcp_refused;	/* TCP connections refused by limits */
	/* Version 2: client policy (rbld/policy.h); zero in version 1 files,
	 * where these were reserved. */
	uint64_t rrl_limited;	/* UDP answers over an RRL limit (dry run too) */
	uint64_t rrl_slipped;	/* ... sent truncated (TC=1) instead */
	uint64_t rrl_dropped;	/* ... not sent */
	uint64_t acl_dropped;	/* queries an ACL rule ignores (no answer) */
	uint64_t acl_refused;	/* answered REFUSED by an ACL rule */
	uint64_t acl_answered;	/* answered "empty" or fixed by an ACL rule */
	uint64_t quota_over;	/* queries past their client's daily quota */
} __attribute__((aligned(64))) rbl_qstats_slot;

typedef struct rbl_qstats_header {
	uint64_t magic;		/* RBL_QSTATS_MAGIC */
	uint32_t version;	/* RBL_QSTATS_VERSION */
	uint32_t n_slots;
	uint32_t slot_size;	/* sizeof(rbl_qstats_slot) */
	uint32_t pid;		/* the rbld that writes it */
	int64_t start_time;	/* unix seconds */
} __attribute__((aligned(64))) rbl_qstats_header;

/* The writer's handle (rbld). */
typedef struct rbl_qstats rbl_qstats;

/* Create (or replace) the stats file PATH for N_SLOTS workers, zeroed, and
 * map it shared.  PATH NULL gives private memory (no file: counters still
 * work, nobody else sees them).  Returns RBL_OK and *OUT, RBL_EINVAL
 * (N_SLOTS 0 or too many), RBL_EIO (errno kept), RBL_ENOMEM.  The file is
 * written to a temporary name and renamed, so a reader never sees a
 * half-made header. */
int rbl_qstats_create(const char *path, unsigned n_slots, rbl_qstats **out);
/* Slot I (< n_slots) for one worker; owned by QS. */
rbl_qstats_slot *rbl_qstats_slot_get(rbl_qstats *qs, unsigned i);
/* The sum of all slots of QS (the writer's own view, e.g. for a log). */
void rbl_qstats_sum(const rbl_qstats *qs, rbl_qstats_slot *sum);
/* Unmap; with UNLINK also remove the file (clean shutdown). */
void rbl_qstats_close(rbl_qstats *qs, int unlink_file);

/* Reader: the sum of all slots of the file at PATH and its header.
 * Returns RBL_OK, RBL_ENOTFOUND (no file), RBL_EVERSION (bad magic,
 * version or size), RBL_EIO. */
int rbl_qstats_read(const char *path, rbl_qstats_header *hdr,
		    rbl_qstats_slot *sum);
/* Add every counter of SRC to DST (for readers and tests). */
void rbl_qstats_add(rbl_qstats_slot *dst, const rbl_qstats_slot *src);

#endif
