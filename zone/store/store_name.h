/*
 * store_name.h -- the name listing files' own declarations, private to
 * store_name*.c (store_impl.h has what the rest of the store calls).
 * Their layers, bottom first: store_namekey.c (keys, a name's two slots
 * as stored, writing and journalling them), store_namerep.c (replacing a
 * list by a merge), store_name.c (the API of store.h) on top.
 *
 * Key: list id, then the labels from the right, lowercased, each followed
 * by a 0x00 byte ("com\0example\0bad\0"); the value holds the name's
 * exact and subtree entries (store_name.c says how).
 */
#ifndef RBL_STORE_NAME_H
#define RBL_STORE_NAME_H

#include "zone/store/store_impl.h"

#define NAME_KEY_MAX	(4 + 256)

enum { SLOT_EXACT, SLOT_SUBS, N_SLOTS };
#define SLOT_FLAGS	(RBL_ENTRY_NAME_EXACT | RBL_ENTRY_NAME_SUBS)
/* First byte of a value holding two different entries (an entry starts
 * with its codec version, a small number). */
#define PAIR_MARK	0xb1

/* The entry flag of slot S. */
static inline uint32_t rbl_slot_flag(int s)
{
	return s == SLOT_EXACT ? RBL_ENTRY_NAME_EXACT : RBL_ENTRY_NAME_SUBS;
}

/* A name's two entries as stored; E[S].flags names only slot S. */
struct rbl_slots {
	bool has[N_SLOTS];
	rbl_entry e[N_SLOTS];
};

/* ------------------------------------------------ store_namekey.c */

/* Strip a wildcard prefix from *NAME and return the flags it implies
 * ("*.x" subtree, ".x" both, else 0). */
uint32_t rbl_name_wildcard(const char **name);
/* Key of text NAME into K (NAME_KEY_MAX bytes); NORM (RBL_NAME_MAX + 1
 * bytes) gets the lowercase name.  Returns the key length, 0 if NAME is
 * not a valid name. */
size_t rbl_namekey_text(uint8_t *k, uint32_t list_id, const char *name,
			char *norm);
/* Key of wire labels into K.  ENDS[i] is the key length of the name made
 * of the I rightmost labels.  Returns how many labels (from the right) a
 * key can hold: a label with a 0x00 byte or empty cannot be stored. */
unsigned rbl_namekey_wire(uint8_t *k, uint32_t list_id,
			  const uint8_t *const *labels, const uint8_t *lens,
			  unsigned nlabels, size_t *ends);
/* Text form of a name key (after the list id, LEN bytes) into OUT
 * (NAME_KEY_MAX bytes). */
void rbl_namekey_to_text(const uint8_t *k, size_t len, char *out);

/* The encoded entry of slot S in the stored value V (no copy): RBL_OK
 * and *P, *LEN; RBL_ENOTFOUND when the slot is empty; RBL_ESTORE. */
int rbl_slot_raw(const MDB_val *v, int s, const uint8_t **p, size_t *len);
int rbl_slots_decode(const MDB_val *v, struct rbl_slots *sl);
/* The slots stored at key K (both empty when there is no record). */
int rbl_slots_load(rbl_txn *t, const uint8_t *k, size_t klen,
		   struct rbl_slots *sl);
/* Both slots hold the same entry (flags aside). */
bool rbl_slots_equal(const struct rbl_slots *sl);
/* Slot S's entry as callers see it: with both flags when the other slot
 * holds the same entry (rbldnsd's ".x"). */
rbl_entry rbl_slot_view(const struct rbl_slots *sl, int s);
/* Store SL at key K: one entry (with both flags when equal), a pair, or
 * nothing (the record is deleted).  IS_NEW: K holds nothing yet. */
int rbl_slots_put(rbl_txn *t, const uint8_t *k, size_t klen,
		  const struct rbl_slots *sl, bool is_new);
/* Journal OP for the slots SEL of SL that hold an entry: one change with
 * both flags when both are selected and equal, else one per slot. */
int rbl_slots_journal(rbl_txn *t, uint8_t op, uint32_t list_id,
		      const char *norm, const struct rbl_slots *sl,
		      uint32_t sel);

/* ------------------------------------------------ store_namerep.c */

/* Start replacing name list LIST_ID (rbl_list_replace_begin); JOURNAL:
 * record the changes (else the caller marked the list for a reset). */
int rbl_namerep_begin(rbl_txn *t, uint32_t list_id, bool journal);
/* If a replacement of LIST_ID takes NE (prepared) for the slots SEL of
 * the name at key K (NORM its text), in key order, take it: *TAKEN true.
 * Otherwise that replacement is finished first. */
int rbl_namerep_add(rbl_txn *t, uint32_t list_id, const uint8_t *k,
		    size_t klen, const char *norm, uint32_t sel,
		    const rbl_entry *ne, bool *taken);
/* Finish the replacement of LIST_ID, or every one. */
int rbl_namerep_finish(rbl_txn *t, uint32_t list_id);
int rbl_namerep_finish_all(rbl_txn *t);
/* Forget the replacement of LIST_ID (the list is being cleared). */
void rbl_namerep_cancel(rbl_txn *t, uint32_t list_id);

#endif
