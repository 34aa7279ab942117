/*
 * config.h -- rbld.conf: one file configures every rbld program.
 *
 * Syntax (documented in doc/rbld.conf.5):
 *
 *   # comment                  ; also a comment
 *   server:                    a section header: a word followed by ':'
 *       listen: 127.0.0.1@53   an item: indented "key: value"
 *       listen: ::1@53         keys may repeat where the schema allows
 *   zone: bl.example           a section may carry a title
 *       lists: spam
 *       txt: "quoted values keep # and leading spaces; \" and \\ escape"
 *
 * rbl_conf_parse() only checks syntax; rbl_conf_check() checks every
 * section and key against the schema in config_schema.c (one table for all
 * programs, so `rbld -t` and `rblctl config check` find every mistake) and
 * reports the first error with its line.  Typed getters convert values,
 * all through one table of value types (config_value.c) that the check
 * uses too, so a value the check accepts is one a getter converts.
 * The parsed configuration is the only global state a program keeps.
 */
#ifndef RBL_CONFIG_H
#define RBL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rbl_conf_item {
	const char *key;
	const char *value;	/* unquoted, never NULL ("" if empty) */
	unsigned line;
} rbl_conf_item;

typedef struct rbl_conf_section {
	const char *name;	/* "server", "zone", ... */
	const char *title;	/* text after "name:" or "" */
	unsigned line;
	rbl_conf_item *items;
	size_t n_items, cap_items;
} rbl_conf_section;

typedef struct rbl_conf {
	char *path;		/* file it came from (or the name given) */
	rbl_conf_section *sections;
	size_t n_sections, cap_sections;
	char *text;		/* the file, kept: items point into it */
} rbl_conf;

/* Error text buffer size that always suffices. */
#define RBL_CONF_ERRLEN 256

/* Read and parse PATH.  On failure returns RBL_EIO or RBL_ESYNTAX and puts
 * "path:line: what is wrong" in ERR ("path: byte N: ..." when the file
 * cannot be read whole and proven complete, zone/readfile.h: a read
 * error, a change while reading, a pipe ending mid-line).  Free with
 * rbl_conf_free(). */
int rbl_conf_load(const char *path, rbl_conf **out, char *err, size_t errlen);
/* Parse LEN bytes of TEXT (need not be NUL-terminated; copied). NAME is
 * used in messages.  Same results as rbl_conf_load(). */
int rbl_conf_parse(const char *text, size_t len, const char *name,
		   rbl_conf **out, char *err, size_t errlen);
void rbl_conf_free(rbl_conf *c);

/* Validate sections, keys, repetition and value types against the schema.
 * RBL_OK or RBL_EINVAL with "path:line: ..." in ERR. */
int rbl_conf_check(const rbl_conf *c, char *err, size_t errlen);

/* Iterate sections named NAME: pass NULL as PREV to get the first. */
const rbl_conf_section *rbl_conf_next(const rbl_conf *c, const char *name,
				      const rbl_conf_section *prev);
/* The last value of KEY in S (a later line overrides), or NULL. */
const char *rbl_conf_get(const rbl_conf_section *s, const char *key);
/* The same as an item, for its line in messages; S may be NULL. */
const rbl_conf_item *rbl_conf_last_item(const rbl_conf_section *s,
					const char *key);
/* Iterate repeated keys: pass NULL as PREV. */
const rbl_conf_item *rbl_conf_next_item(const rbl_conf_section *s,
					const char *key,
					const rbl_conf_item *prev);

/* Typed getters: when KEY is absent *OUT = DEF and RBL_OK.  A value that
 * does not convert gives RBL_EINVAL and "path:line: ..." in ERR. */
int rbl_conf_u32(const rbl_conf *c, const rbl_conf_section *s,
		 const char *key, uint32_t def, uint32_t *out,
		 char *err, size_t errlen);
int rbl_conf_bool(const rbl_conf *c, const rbl_conf_section *s,
		  const char *key, bool def, bool *out,
		  char *err, size_t errlen);
/* Durations: "300", "300s", "5m", "2h", "7d", "1w" -> seconds. */
int rbl_conf_duration(const rbl_conf *c, const rbl_conf_section *s,
		      const char *key, uint32_t def, uint32_t *out,
		      char *err, size_t errlen);
/* Sizes: "1024", "64k", "512M", "16G" -> bytes. */
int rbl_conf_size(const rbl_conf *c, const rbl_conf_section *s,
		  const char *key, uint64_t def, uint64_t *out,
		  char *err, size_t errlen);

/* A secret of exactly LEN bytes, written as 2*LEN hex digits: the value
 * of KEY, or the first line of the file that FILE_KEY names (so the
 * configuration can be readable while the secret is not).  Neither
 * present: *FOUND false and RBL_OK.  Both, a file that cannot be read,
 * or not 2*LEN hex digits: RBL_EINVAL with "path:line: ..." in ERR.  No
 * message ever quotes the secret, so it cannot reach a log. */
int rbl_conf_secret(const rbl_conf *c, const rbl_conf_section *s,
		    const char *key, const char *file_key, uint8_t *out,
		    size_t len, bool *found, char *err, size_t errlen);

/* Parsers the getters use, for values that come from elsewhere (argv). */
int rbl_parse_duration(const char *s, uint32_t *out);
int rbl_parse_size(const char *s, uint64_t *out);
int rbl_parse_bool(const char *s, bool *out);

/* ---- schema (config_schema.c) ---- */

enum rbl_conf_type {
	RBL_CT_STR, RBL_CT_U32, RBL_CT_BOOL, RBL_CT_DURATION, RBL_CT_SIZE,
	RBL_CT_ADDR,	/* address, or address/prefix */
	RBL_CT_LISTEN,	/* addr[@port] */
	RBL_CT_NAME,	/* domain name */
	RBL_CT_CODE,	/* return code 127.0.0.x or short form */
	RBL_CT_SECRET,	/* 32 hex digits (a 128-bit key); never quoted */
};

typedef struct rbl_conf_key {
	const char *section;	/* section name */
	const char *key;
	int type;		/* rbl_conf_type */
	bool repeat;		/* may appear more than once */
	const char *help;	/* one line, for docs and errors */
} rbl_conf_key;

typedef struct rbl_conf_section_def {
	const char *name;
	int title;		/* 0: no title, 1: required, 2: optional */
	bool repeat;		/* section may appear more than once */
	const char *help;
} rbl_conf_section_def;

extern const rbl_conf_section_def rbl_conf_sections[];	/* {NULL} ends */
extern const rbl_conf_key rbl_conf_keys[];		/* {NULL} ends */

#endif
