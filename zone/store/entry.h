/*
 * entry.h -- what a listing says: return codes, TXT template, expiry, origin.
 *
 * An entry is the value side of a listing, whatever its key (an IP prefix or
 * a domain name).  Return codes are IPv4 addresses in 127.0.0.0/8 held in
 * host byte order (127.0.0.2 == 0x7f000002).  The TXT template uses '$' for
 * the queried address or name and "$$" for a literal '$' (rbldnsd syntax).
 */
#ifndef RBL_ENTRY_H
#define RBL_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RBL_MAX_CODES	4	/* A records one entry may return */
#define RBL_TXT_MAX	255	/* one TXT character-string */
#define RBL_SOURCE_MAX	63	/* "rblctl:root", "import:traps", ... */

enum rbl_entry_flags {
	RBL_ENTRY_EXCLUDE = 1u << 0,	/* "!entry": not listed, overrides wider */
	RBL_ENTRY_HAS_TXT = 1u << 1,	/* txt[] is used (even empty = no TXT);
					   otherwise the list's default TXT */
	RBL_ENTRY_NAME_EXACT = 1u << 2,	/* domain lists: the name itself */
	RBL_ENTRY_NAME_SUBS  = 1u << 3,	/* domain lists: every name below it */
};

typedef struct rbl_entry {
	uint32_t flags;			/* rbl_entry_flags */
	uint8_t n_codes;		/* 0 = the list's default code */
	uint32_t codes[RBL_MAX_CODES];
	int64_t expires;		/* unix seconds; 0 = never */
	int64_t added;			/* unix seconds; set by the store if 0 */
	char txt[RBL_TXT_MAX + 1];	/* NUL-terminated template */
	char source[RBL_SOURCE_MAX + 1];/* who/what created it */
} rbl_entry;

/* Initialise E as a plain listing: default code, default TXT, no expiry. */
void rbl_entry_init(rbl_entry *e);

/* True if an entry expiring at EXPIRES answers at NOW (no expiry, or
 * expiry after NOW): expired entries never answer, purged or not. */
static inline bool rbl_live(int64_t expires, int64_t now)
{
	return expires == 0 || expires > now;
}

/*
 * The answer-side view of a matching entry, produced by the store's lookup
 * functions without copying: TXT points into the memory map and stays valid
 * only until the read transaction that produced it is reset or ended.
 * List defaults are NOT applied here (the server keeps list defaults in its
 * zone table, so a lookup costs one B-tree descent): n_codes == 0 means "the
 * list's default code", has_txt == 0 means "the list's default TXT".
 * has_txt == 1 with txt_len == 0 means "no TXT record".
 */
typedef struct rbl_match {
	uint8_t n_codes;
	uint8_t has_txt;
	uint16_t txt_len;
	uint32_t codes[RBL_MAX_CODES];
	const char *txt;		/* template, NOT NUL-terminated */
	int64_t expires;		/* 0 = never */
	uint32_t list_id;		/* which list matched */
} rbl_match;

/*
 * Expand TXT template TPL (TPL_LEN bytes) for the queried SUBJECT (the
 * address in its normal text form, or the domain name) into OUT of OUT_SIZE
 * bytes.  Output is cut at RBL_TXT_MAX bytes like rbldnsd does.
 * Returns the expanded length (never more than min(OUT_SIZE-1,RBL_TXT_MAX));
 * OUT is NUL-terminated.  Allocates nothing.
 */
size_t rbl_txt_expand(const char *tpl, size_t tpl_len, const char *subject,
		      char *out, size_t out_size);

/* Parse a return code: "127.0.0.2", or rbldnsd's short "2" / "0.2" forms.
 * Returns RBL_OK or RBL_ESYNTAX. */
int rbl_code_parse(const char *s, uint32_t *code);
/* Format code as dotted quad into BUF (16 bytes). */
char *rbl_code_format(uint32_t code, char *buf);

#endif
