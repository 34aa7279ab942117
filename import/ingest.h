/*
 * ingest.h -- the one way evidence enters rbld: trap messages and abuse
 * reports, from rbl-import (pipe, mbox, Maildir, files) and from the HTTP
 * report endpoint of rbl-admin alike.
 *
 * An ingest session owns a write transaction and commits it every BATCH
 * items: each batch holds the evidence AND the listing changes it caused,
 * and evidence is identified by its hash, so a crash (kill -9) loses at
 * most the open batch and a rerun replays it as no-ops plus the missing
 * rest -- the store ends up exactly as after one clean run.
 *
 * Bad input never fails a session: the item is skipped, the reason counted
 * in the stats and passed to the skip callback.  Only store failures are
 * returned as errors (the open batch is then aborted).  Memory is bounded:
 * an item larger than the configured limits is skipped, not parsed.
 *
 * Configuration (rbld.conf, see doc/evidence.md):
 *   evidence:   retention, batch, max-message-size, max-header-size,
 *               accept-unknown-reporters, unknown-reporter-weight
 *   trap:       trusted-network (repeat), trusted-relay (repeat), weight,
 *               source
 *   reporter: NAME   weight, token, min-prefix4, min-prefix6
 *   policy: NAME     see zone/policy/policy.h
 */
#ifndef RBL_INGEST_H
#define RBL_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/config/config.h"
#include "zone/store/store.h"
#include "links.h"

/* Why an item was skipped.  Names (rbl_skip_name) appear in summaries. */
enum rbl_skip_reason {
	RBL_SKIP_NONE = 0,	/* not skipped */
	RBL_SKIP_MALFORMED,	/* no header/body structure, bad MIME */
	RBL_SKIP_TOO_BIG,	/* message or header block over the limit */
	RBL_SKIP_BINARY,	/* NUL bytes or other non-text in headers */
	RBL_SKIP_NO_RECEIVED,	/* trap: no Received header with an IP */
	RBL_SKIP_ALL_TRUSTED,	/* trap: every hop is ours (local mail) */
	RBL_SKIP_SPECIAL,	/* sender is private/loopback/doc/... space */
	RBL_SKIP_NO_SOURCE,	/* report: no source address found */
	RBL_SKIP_NOT_ABUSE,	/* report: feedback type not-spam etc. */
	RBL_SKIP_TOO_OLD,	/* evidence older than the retention */
	RBL_SKIP_BAD_LINE,	/* plain list / CSV line does not parse */
	RBL_SKIP_TOO_WIDE,	/* reported prefix wider than allowed */
	RBL_SKIP_COUNT
};
const char *rbl_skip_name(int reason);

typedef struct rbl_ingest_stats {
	uint64_t items;		/* messages, reports or list lines read */
	uint64_t bytes;		/* input bytes */
	uint64_t added;		/* evidence records added */
	uint64_t duplicates;	/* already stored (same hash) */
	uint64_t skipped;	/* sum of skip[] */
	uint64_t skip[RBL_SKIP_COUNT];
	uint64_t newly_listed;	/* subjects listed by a policy for the
				   first time in this session */
	uint64_t batches;	/* transactions committed */
	rbl_links_stats links;	/* links and Reply-To (links.h) */
} rbl_ingest_stats;

/* Report formats; AUTO looks at the content (see rbl_report_detect). */
enum rbl_report_format {
	RBL_REPORT_AUTO = 0,
	RBL_REPORT_ARF,		/* RFC 5965 multipart/report */
	RBL_REPORT_XARF,	/* X-ARF (YAML report.txt or JSON) */
	RBL_REPORT_SPAMCOP,	/* SpamCop-style forwarded report */
	RBL_REPORT_PLAIN,	/* IP or CIDR per line, optional reason */
	RBL_REPORT_CSV,		/* CSV with a header row */
};
/* "auto", "arf", "xarf", "spamcop", "plain", "csv"; parse returns the
 * format or -1. */
const char *rbl_report_format_name(int f);
int rbl_report_format_parse(const char *s);
/* Guess the format of LEN bytes at DATA (never AUTO). */
int rbl_report_detect(const char *data, size_t len);

typedef struct rbl_ingest rbl_ingest;

typedef struct rbl_ingest_opts {
	int64_t now;		/* the clock for this session; 0 = time() */
	uint32_t batch;		/* items per commit; 0 = config (def. 5000) */
	bool dry_run;		/* parse and count, never commit */
	/* Called for each skipped item (may be NULL).  DETAIL is a short
	 * text ("no Received header outside trusted networks"), valid
	 * during the call. */
	void (*on_skip)(void *arg, int reason, const char *detail);
	void *arg;
} rbl_ingest_opts;

/*
 * Start a session on store S with configuration C (borrowed: must outlive
 * the session).  OPTS may be NULL (defaults).  Resolves the policies'
 * lists.  Returns RBL_OK and *OUT, RBL_EINVAL / RBL_ENOTFOUND (config:
 * text in ERR), RBL_ENOMEM, store errors.
 */
int rbl_ingest_open(rbl_store *s, const rbl_conf *c,
		    const rbl_ingest_opts *opts, rbl_ingest **out,
		    char *err, size_t errlen);
/*
 * One trap message of LEN bytes (headers and body, any line ends).  TRAP
 * names the trap address it reached (NULL: taken from Delivered-To /
 * X-Original-To / To, else the configured trap source).  Returns RBL_OK
 * (added, duplicate or skipped: see the stats) or a store error.
 */
int rbl_ingest_trap(rbl_ingest *in, const char *trap, const char *data,
		    size_t len);
/*
 * One report of FORMAT from configured reporter REPORTER.  A plain list or
 * CSV counts one item per line.  Returns RBL_OK (see stats), RBL_EPERM
 * (reporter not configured and unknown reporters are refused), or a store
 * error.
 */
int rbl_ingest_report_data(rbl_ingest *in, const char *reporter, int format,
			   const char *data, size_t len);
/* Whether reports from REPORTER are taken, before any input is read:
 * RBL_OK, RBL_EPERM (not configured and unknown reporters are refused)
 * or RBL_EINVAL (a bad value in its section); the reason in ERR. */
int rbl_ingest_reporter_check(const rbl_ingest *in, const char *reporter,
			      char *err, size_t errlen);
/* Count an item a reader refused before parsing it (over the size
 * limit, unreadable file) as skipped for REASON, with BYTES of input.
 * Returns RBL_OK or a store error (the batch may commit). */
int rbl_ingest_skip(rbl_ingest *in, int reason, const char *detail,
		    size_t bytes);
/* The configured max-message-size: readers need not buffer more. */
uint64_t rbl_ingest_max_message(const rbl_ingest *in);
/* Commit the open batch now.  RBL_OK or a store error. */
int rbl_ingest_commit(rbl_ingest *in);
/* Counters so far (for progress display). */
void rbl_ingest_stats_get(const rbl_ingest *in, rbl_ingest_stats *out);
/* Commit what is open, copy the stats to *OUT (may be NULL) and free the
 * session.  Returns the commit result. */
int rbl_ingest_close(rbl_ingest *in, rbl_ingest_stats *out);
/* Abort what is open and free the session. */
void rbl_ingest_abort(rbl_ingest *in);

/*
 * One-shot forms for the HTTP endpoint and single-message pipes: a whole
 * session around one item, committed before returning.  Same returns as
 * the session functions; *OUT (may be NULL) receives the counters, ERR
 * the reason of a configuration failure.  REPORTER must be authenticated
 * by the caller first (rbl_ingest_auth).
 */
int rbl_ingest_report(rbl_store *s, const rbl_conf *c, const char *reporter,
		      const char *data, size_t len, rbl_ingest_stats *out);
int rbl_ingest_trap_message(rbl_store *s, const rbl_conf *c,
			    const char *trap, const char *data, size_t len,
			    rbl_ingest_stats *out);

/* Check TOKEN against reporter NAME's configured token (constant time).
 * RBL_OK, or RBL_EPERM (unknown reporter, no token configured, wrong
 * token). */
int rbl_ingest_auth(const rbl_conf *c, const char *name, const char *token);

#endif
