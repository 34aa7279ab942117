/*
 * rbldnsd_merge.h -- turn the records of one rbldnsd dataset into the
 * listings that make the store answer exactly what rbldnsd answers.
 *
 * The store answers with the most specific entry (longest prefix; an
 * exact name before a wildcard).  rbldnsd mostly agrees, except:
 *   - ip4set keeps entries per octet level (/8, /16, /24, /32; a /20 is
 *     16 /24 pieces) and answers from the most specific level that has a
 *     piece for the address: all pieces there count together, an
 *     exclusion among them wins, otherwise their A and TXT values are all
 *     returned.  So a /22 inside a /20 (same level) returns both values,
 *     and a /26 listing inside a /25 exclusion is not listed.  Here each
 *     entry gets the merged value of the same-level entries that contain
 *     it, which gives the same answers under longest-prefix matching.
 *   - ip4set and dnset lines for the same key add up the same way.
 *   - the trie datasets (ip4trie, ip6trie, acl) keep the first line for
 *     a duplicated prefix and warn.
 * The store keeps one TXT per entry: where rbldnsd would return two
 * different TXT records for one address, the first is kept and a warning
 * says so; up to RBL_MAX_CODES A values are kept.
 *
 * Memory: IPv4 records of ip4set, ip4trie and ip4tset data take 8 bytes
 * each (10M entries: 80 MB), others about 48; each distinct value once.
 * With a budget (rbl_dsm_spill) the IPv4 records past it go to a
 * temporary file in sorted runs, merged as they are walked: memory stays
 * at the budget (100M entries: 800 MB of records otherwise).
 */
#ifndef RBL_RBLDNSD_MERGE_H
#define RBL_RBLDNSD_MERGE_H

#include <stddef.h>

#include "zone/formats/rbldnsd_fmt.h"

typedef struct rbl_dsm rbl_dsm;

/* A collector for records of dataset TYPE (not combined).  WARN (may be
 * NULL) receives one line per adjustment made in rbl_dsm_finish(). */
int rbl_dsm_new(int type, void (*warn)(void *arg, const char *text),
		void *arg, rbl_dsm **out);
void rbl_dsm_free(rbl_dsm *m);

/* Keep at most BUDGET bytes of IPv4 records in memory (0: no limit,
 * the default): past it, sorted runs of them go to an unnamed temporary
 * file in DIR (NULL or not writable: $TMPDIR, else /tmp), which is gone
 * when M is freed or the process ends.  Before the first record. */
int rbl_dsm_spill(rbl_dsm *m, const char *dir, size_t budget);

/* Copy record R in.  RBL_OK, RBL_ENOMEM, RBL_ELIMIT (2^32 IPv4 records)
 * or RBL_EIO (the temporary file cannot be written). */
int rbl_dsm_add(rbl_dsm *m, const rbl_ds_record *r);

/* Resolve duplicates and overlaps (see above); afterwards records come
 * out sorted (address order, v4 first; names in byte order) with unique
 * keys.  *ADJUSTED (may be NULL) counts entries whose value changed. */
int rbl_dsm_finish(rbl_dsm *m, size_t *adjusted);

/* Number of records after rbl_dsm_finish(). */
size_t rbl_dsm_count(const rbl_dsm *m);

/* Visit the records after rbl_dsm_finish(); R is valid during the call.
 * FN returning non-zero stops the walk and is returned. */
int rbl_dsm_foreach(rbl_dsm *m, int (*fn)(void *arg, const rbl_ds_record *r),
		    void *arg);
/* The next rbl_dsm_foreach() is the last: it gives the memory of the
 * records it passed back to the system as it goes (a big import's
 * records make room for the store's pages being written). */
void rbl_dsm_release_walk(rbl_dsm *m);

#endif
