/*
 * rbldnsd_fmt.h -- read and write rbldnsd data files.
 *
 * Reader: a streaming parser.  It turns the lines of one dataset (one or
 * more files, read as one like rbldnsd does; gzip transparently) into
 * records handed to a callback one at a time, so a million-line file never
 * becomes a million objects here, and a regular file is read in pieces,
 * never whole (readfile.h).  Each record is one CIDR prefix (ranges
 * are split into the minimal prefix set) or one domain name, with its
 * values resolved the way rbldnsd would answer them:
 *   - codes are explicit (the file's `:A:TXT` default applied; with no
 *     default, 127.0.0.2 and no TXT), RBL_ENTRY_HAS_TXT is always set and
 *     an empty txt means "no TXT record";
 *   - the TXT is converted to rbld's template language, where only `$`
 *     (the subject) and `$$` are special: rbldnsd's `$n` variables and the
 *     `$=` base template are substituted at parse time (rbldnsd resolves
 *     them at query time, which gives the same text because their values
 *     are fixed per dataset); an undefined `$n` stays literal as rbldnsd
 *     prints it;
 *   - for dnset, `$` is replaced by the listed name itself, because that is
 *     what rbldnsd substitutes (for `*.example.com` matched by
 *     `a.example.com`, rbldnsd says "example.com");
 *   - `$TIMESTAMP ... expires` becomes the expiry of every record.
 * A generic dataset ("name [ttl] type value" lines: A, AAAA, TXT, MX;
 * "@" for the zone itself) delivers records with RR set instead.
 * What rbldnsd does when several lines cover the same address (ip4set:
 * union of values per octet level, an exclusion wins; tries: the first
 * line wins) is not the reader's business: see rbldnsd_merge.h.
 *
 * Errors (a line that does not parse, a CIDR with host bits set unless
 * LENIENT, a value that is not an address, ...) are reported as
 * "file:line: what is wrong" through the message callback; parsing goes on
 * to find more (up to MAX_ERRORS) but no record is delivered after the
 * first error, and the result is RBL_ESYNTAX: a caller that writes records
 * as they come must abort its transaction.  Warnings (what rbldnsd itself
 * skips with a warning: ranges above $MAXRANGE4, values an ip4tset
 * ignores) do not stop the import.
 *
 * Writer: prints stored lists in rbldnsd syntax, sorted by address or
 * name, one entry per line and nothing time-dependent, so that consecutive
 * exports differ only where the data did (rsync sends only the diff).
 * IP lists are written as ip4trie/ip6trie (longest prefix wins, which is
 * exactly how the store answers), domain lists as dnset, a zone as one
 * combined file with $SOA, $NS and one $DATASET per list and family.
 */
#ifndef RBL_RBLDNSD_FMT_H
#define RBL_RBLDNSD_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zone/addr.h"
#include "zone/store/entry.h"
#include "zone/store/store.h"
#include "zone/store/zrec.h"

enum rbl_ds_type {
	RBL_DS_IP4SET = 1,
	RBL_DS_IP4TSET,
	RBL_DS_IP4TRIE,
	RBL_DS_IP6TSET,
	RBL_DS_IP6TRIE,
	RBL_DS_DNSET,
	RBL_DS_COMBINED,
	RBL_DS_ACL,
	RBL_DS_GENERIC,		/* fixed A/AAAA/TXT/MX records (zrec.h) */
};

/* "ip4set" -> RBL_DS_IP4SET ...; 0 for an unknown name. */
int rbl_ds_type_parse(const char *name);
/* The rbldnsd name of TYPE, "?" if unknown. */
const char *rbl_ds_type_name(int type);
/* True for the dataset types whose records are IP prefixes. */
bool rbl_ds_type_is_ip(int type);

/* ---------------------------------------------------------------- reader */

#define RBL_DS_MAX_SUBZONES	16
#define RBL_DS_MAX_NS		32

/* A `$DATASET type[:name] subzone...` line of a combined file. */
typedef struct rbl_ds_section {
	int type;			/* never RBL_DS_COMBINED */
	char name[RBL_LIST_NAME_MAX + 1];	/* ":name", or "" */
	unsigned n_sub;
	char sub[RBL_DS_MAX_SUBZONES][RBL_NAME_MAX + 1]; /* "" for "@" */
	const char *file;
	unsigned line;
} rbl_ds_section;

/* Actions of an acl dataset (RBL_ACL_VALUE: answer with entry's A+TXT). */
enum rbl_acl_action {
	RBL_ACL_VALUE = 0, RBL_ACL_IGNORE, RBL_ACL_REFUSE, RBL_ACL_EMPTY,
	RBL_ACL_PASS,
};

typedef struct rbl_ds_record {
	const char *file;
	unsigned line;
	int section;		/* combined: index of the section, else -1 */
	int type;		/* dataset type the record belongs to */
	bool is_name;		/* name (dnset) or prefix (all others) */
	rbl_prefix prefix;
	char name[RBL_NAME_MAX + 1];	/* lowercase, no trailing dot */
	int acl_action;		/* acl only */
	rbl_entry entry;	/* flags, codes, txt, expires; source "" */
	/* rbl_dsm_foreach only: ENTRY is the previous record's, its bytes
	 * unchanged (false says nothing) */
	bool same_entry;
	/* generic only: the record, its owner relative to the dataset's
	 * zone ("" for "@"), TTL 0 where the line gave none */
	const rbl_zrec *rr;
} rbl_ds_record;

/* The dataset-wide special lines. */
typedef struct rbl_ds_meta {
	bool has_soa;
	uint32_t soa_ttl;	/* 0 = default */
	char soa_mname[RBL_NAME_MAX + 1], soa_rname[RBL_NAME_MAX + 1];
	uint32_t soa_serial, soa_refresh, soa_retry, soa_expire, soa_minimum;
	unsigned n_ns;
	uint32_t ns_ttl;
	char ns[RBL_DS_MAX_NS][RBL_NAME_MAX + 1];
	bool has_ttl;
	uint32_t ttl;
	int64_t timestamp;	/* $TIMESTAMP, 0 = none */
	int64_t expires;	/* 0 = none */
	uint32_t maxrange4;	/* addresses; 0 = no limit */
	unsigned n_sections;	/* combined */
} rbl_ds_meta;

typedef struct rbl_ds_handler {
	/* Combined files: a new section starts; records that follow carry
	 * its index.  May be NULL.  Non-zero return stops the parse. */
	int (*section)(void *arg, int index, const rbl_ds_section *s);
	/* One record.  R is valid during the call only.  Non-zero return
	 * stops the parse and is returned. */
	int (*record)(void *arg, const rbl_ds_record *r);
	/* An error or warning, "file:line: text" already formatted.  May be
	 * NULL (then nothing is said). */
	void (*message)(void *arg, bool is_error, const char *text);
	void *arg;
} rbl_ds_handler;

typedef struct rbl_ds_options {
	int type;		/* dataset type of every input */
	bool lenient;		/* clear CIDR host bits instead of failing */
	int64_t now;		/* for $TIMESTAMP; 0 = time(NULL) */
	unsigned max_errors;	/* stop after this many; 0 = 20 */
	/* The data replaces what is stored: a plain file whose last line
	 * has no newline is refused (else only warned about), see
	 * readfile.h.  Files only. */
	bool require_newline;
	/* A source of at least this many bytes has its lines read and cut
	 * on a second thread while this one parses them (rbldnsd_read.c);
	 * callbacks still run on the caller's thread.  0: 1 MiB; SIZE_MAX:
	 * never. */
	size_t thread_min;
} rbl_ds_options;

typedef struct rbl_ds_input {
	const char *name;	/* for messages */
	const char *data;	/* need not be NUL-terminated */
	size_t len;
} rbl_ds_input;

/* Parse N in-memory inputs as one dataset.  META (may be NULL) receives
 * the special lines.  Returns RBL_OK, RBL_ESYNTAX (errors were reported),
 * RBL_ENOMEM, RBL_EINVAL (bad options), or the callback's value. */
int rbl_ds_parse_buffers(const rbl_ds_options *o, const rbl_ds_handler *h,
			 const rbl_ds_input *in, size_t n, rbl_ds_meta *meta);
/* Read the files at PATHS (gzip or plain), then as rbl_ds_parse_buffers().
 * Every file must be read to its end and proven complete first (a gzip
 * trailer, no change while the dataset was read, a stream ending with a
 * newline: readfile.h); a file that cannot be gives RBL_EIO and one
 * message "path: byte N: what", and no record is delivered.  Regular
 * files are read twice, in pieces: the first pass (the substitutions)
 * proves them complete before any record goes out; one that changes
 * before the second pass ends fails that pass with RBL_EIO, after records
 * were delivered, so a caller must not commit what it got from a parse
 * that failed (rblctl collects the records first). */
int rbl_ds_parse_files(const rbl_ds_options *o, const rbl_ds_handler *h,
		       const char *const *paths, size_t n, rbl_ds_meta *meta);

/* Parse one rbldnsd IPv4 range expression ("127.0.0.0/24", "127.0.0",
 * "127/24", "127.0.0.1-255", "127.16-31", "a-b") into [*LO, *HI].
 * STRICT rejects CIDR host bits.  Returns RBL_OK, RBL_ESYNTAX, RBL_EINVAL
 * (host bits) and, on error, a short reason in *WHY (static text). */
int rbl_ds_ip4_range(const char *s, bool strict, rbl_addr *lo, rbl_addr *hi,
		     const char **why);
/* Parse an rbldnsd A value: "2" is 127.0.0.2, "1.2" is 1.0.0.2 (inet_aton
 * rules, as rbldnsd), a dotted quad as is; 0.0.0.0 is invalid. */
int rbl_ds_parse_code(const char *s, size_t len, uint32_t *code);

/* ---------------------------------------------------------------- writer */

typedef struct rbl_ds_writer_stats {
	uint64_t entries;	/* lines written */
	uint64_t skipped;	/* expired entries left out */
	uint64_t lossy;		/* entries rbldnsd cannot express exactly */
} rbl_ds_writer_stats;

/* Write list L as one dataset (ip4trie, ip6trie, or dnset; a list holding
 * both IPv4 and IPv6 entries is written as a combined file with one
 * section per family, to be loaded as zone:combined:FILE).  NOW decides
 * which entries are expired (left out).  WARN (may be NULL) receives a
 * line per entry that rbldnsd cannot express exactly.  Returns RBL_OK,
 * RBL_EIO, or a store error. */
int rbl_ds_write_list(FILE *f, rbl_txn *t, const rbl_list *l, int64_t now,
		      void (*warn)(void *arg, const char *text), void *arg,
		      rbl_ds_writer_stats *st);
/* Write zone Z as one combined file: $SOA, $NS, $TTL, then one $DATASET
 * per list and family, attached to the list's sub-labels ("@" for the
 * zone itself). */
int rbl_ds_write_zone(FILE *f, rbl_txn *t, const rbl_zone *z, int64_t now,
		      void (*warn)(void *arg, const char *text), void *arg,
		      rbl_ds_writer_stats *st);

#endif
