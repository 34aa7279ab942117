/*
 * store_test.h -- helpers shared by the store unit tests (header-only:
 * every test_*.c is its own program).
 *
 *   tmp_store_dir(tag)        a fresh, empty directory under /tmp
 *   open_rw(dir)              open (creating) a store, abort on failure
 *   add_ip(t, list, "p", ...) add an entry from text
 *   lookup_at(t, list, "a", now)  last octet of the answer's code, 0 the
 *                             list default, -1 not listed
 *   store_code(t, list, &a, now)  the same for an rbl_addr, but 0 when
 *                             not listed and -100 for anything but one
 *                             code (for comparing with a model)
 *   serial_of(s, zone)        the zone's serial, in a read transaction
 *   zone_list(s, "z", kind, &z)  a new zone with one list of KIND,
 *                             committed: the list's id (&z may be NULL)
 *   zone_over(t, "z", list)   a new zone answering from LIST alone (no
 *                             test entries added): the zone's id
 */
#ifndef RBL_TEST_STORE_TEST_H
#define RBL_TEST_STORE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "zone/store/store.h"

static char store_test_dirs_[16][256];
static unsigned store_test_ndirs_;

static void rm_store_dirs(void)
{
	char cmd[300];

	if (getenv("KEEP_STORE"))
		return;
	for (unsigned i = 0; i < store_test_ndirs_; i++) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", store_test_dirs_[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n",
				store_test_dirs_[i]);
	}
}

static inline const char *tmp_store_dir(const char *tag)
{
	char *d;

	if (store_test_ndirs_ == 16)
		exit(2);
	d = store_test_dirs_[store_test_ndirs_];
	snprintf(d, 256, "/tmp/rbl-%s-XXXXXX", tag);
	if (!mkdtemp(d)) {
		perror("mkdtemp");
		exit(2);
	}
	if (store_test_ndirs_++ == 0)
		atexit(rm_store_dirs);
	return d;
}

static inline rbl_store *open_rw(const char *dir)
{
	rbl_store *s;
	int rc = rbl_store_open(dir, RBL_STORE_CREATE, 1u << 30, &s);

	if (rc != RBL_OK) {
		fprintf(stderr, "open %s: %s\n", dir, rbl_strerror(rc));
		exit(2);
	}
	return s;
}

static inline rbl_txn *begin(rbl_store *s, bool write)
{
	rbl_txn *t;
	int rc = rbl_txn_begin(s, write, &t);

	if (rc != RBL_OK) {
		fprintf(stderr, "begin: %s\n", rbl_strerror(rc));
		exit(2);
	}
	return t;
}

static inline rbl_prefix P(const char *s)
{
	rbl_prefix p;

	if (rbl_prefix_parse(s, true, &p) != RBL_OK) {
		fprintf(stderr, "bad prefix in test: %s\n", s);
		exit(2);
	}
	return p;
}

static inline rbl_addr A(const char *s)
{
	rbl_addr a;

	if (rbl_addr_parse(s, &a) != RBL_OK) {
		fprintf(stderr, "bad address in test: %s\n", s);
		exit(2);
	}
	return a;
}

/* Add PREFIX to LIST with one code 127.0.0.CODE (0: the list default),
 * optionally as an exclusion, expiring at EXPIRES (0: never). */
static inline int add_ip(rbl_txn *t, uint32_t list, const char *prefix,
			 uint32_t code, bool exclude, int64_t expires)
{
	rbl_prefix p = P(prefix);
	rbl_entry e;

	rbl_entry_init(&e);
	if (code) {
		e.n_codes = 1;
		e.codes[0] = code < 256 ? 0x7f000000u | code : code;
	}
	e.flags = exclude ? RBL_ENTRY_EXCLUDE : 0;
	e.expires = expires;
	return rbl_ip_add(t, list, &p, &e);
}

/* The last octet of the first code of the answer, 0 for the list default,
 * -1 if not listed. */
static inline int lookup_at(rbl_txn *t, uint32_t list, const char *addr,
			    int64_t now)
{
	rbl_addr a = A(addr);
	rbl_match m;
	int rc = rbl_ip_lookup(t, list, &a, now, &m);

	if (rc == RBL_ENOTFOUND)
		return -1;
	if (rc != RBL_OK)
		return -2;
	return m.n_codes ? (int)(m.codes[0] & 255) : 0;
}

static inline int store_code(rbl_txn *t, uint32_t list, const rbl_addr *a,
			     int64_t now)
{
	rbl_match m;
	int rc = rbl_ip_lookup(t, list, a, now, &m);

	if (rc == RBL_ENOTFOUND)
		return 0;
	if (rc != RBL_OK || m.n_codes != 1)
		return -100;
	return (int)(m.codes[0] & 255);
}

static inline uint32_t serial_of(rbl_store *s, uint32_t zone)
{
	rbl_txn *t = begin(s, false);
	uint32_t serial = 0;

	CHECK_RC(rbl_zone_serial(t, zone, &serial), RBL_OK);
	rbl_txn_abort(t);
	return serial;
}

static inline int name_at(rbl_txn *t, uint32_t list, const char *name,
			  int64_t now)
{
	rbl_match m;
	int rc = rbl_name_lookup_str(t, list, name, now, &m);

	if (rc == RBL_ENOTFOUND)
		return -1;
	if (rc != RBL_OK)
		return -2;
	return m.n_codes ? (int)(m.codes[0] & 255) : 0;
}

/* Visit the changes of ZONE since serial FROM with FN, from a read
 * transaction of its own; rbl_journal_foreach's return. */
static inline int journal_visit(rbl_store *s, uint32_t zone, uint32_t from,
				int (*fn)(void *arg, const rbl_change *c),
				void *arg)
{
	rbl_txn *t = begin(s, false);
	int rc = rbl_journal_foreach(t, zone, from, fn, arg);

	rbl_txn_abort(t);
	return rc;
}

/* A new zone NAME with one list of KIND (rbl_zone_create_simple: with
 * the RFC 5782 test entries), in a write transaction of its own: the
 * list's id; *Z (may be NULL) the zone. */
static inline uint32_t zone_list(rbl_store *s, const char *name, int kind,
				 rbl_zone *z)
{
	rbl_txn *t = begin(s, true);
	rbl_zone local;

	if (!z)
		z = &local;
	memset(z, 0, sizeof *z);
	CHECK_RC(rbl_zone_create_simple(t, name, kind, z), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	return z->lists[0].list_id;
}

/* A new zone NAME answering from LIST alone, with the defaults (and no
 * RFC 5782 test entries added to LIST): the zone's id. */
static inline uint32_t zone_over(rbl_txn *t, const char *name,
				 uint32_t list)
{
	rbl_zone z = { 0 };

	rbl_zone_defaults(&z, name);
	z.n_lists = 1;
	z.lists[0].list_id = list;
	CHECK_RC(rbl_zone_create(t, &z), RBL_OK);
	return z.id;
}

static inline uint32_t make_list(rbl_txn *t, const char *name, int kind)
{
	rbl_list l;

	memset(&l, 0, sizeof l);
	snprintf(l.name, sizeof l.name, "%s", name);
	l.kind = (uint8_t)kind;
	if (rbl_list_create(t, &l) != RBL_OK) {
		fprintf(stderr, "list create %s failed\n", name);
		exit(2);
	}
	return l.id;
}

#endif
