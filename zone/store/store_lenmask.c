/*
 * store_lenmask.c -- per list and family, the prefix lengths that may be in
 * use.
 *
 * Why: the segment map of formats 1-4 needed them to find the entries
 * containing a new prefix; chunks carry those in their chains.  The masks
 * are kept because they tell cheaply which lengths a list uses (a list of
 * /32s only, a policy list with ranges), and tools may read them.
 *
 * Invariant: if list L holds an entry of family F and length N, bit N of
 * L's mask for F is set.  Only the "if" holds: a bit stays set after the
 * last entry of its length is deleted (a set bit is a "maybe").  A bulk
 * transaction or a replacement, which sees every entry anyway, rewrites
 * the mask exactly.
 *
 * Storage: meta 'n'+list id+family -> the mask, bit N at byte N / 8, mask
 * 1 << N % 8 (5 bytes for IPv4, 17 for IPv6), written in the same write
 * transaction as the entry that sets a new bit.  A store written before
 * masks existed (format 2) has no record: the first write transaction that
 * needs one computes it from the list's entries, once.  A read transaction
 * finding no record assumes every length.
 *
 * Write transactions cache each list's masks in its rbl_list_state, so an
 * add of a known length costs no lookup at all.
 */
#include <string.h>

#include "zone/store/store_impl.h"

static size_t mask_key(uint8_t *k, uint32_t list_id, uint8_t family)
{
	k[0] = 'n';
	rbl_put_be32(k + 1, list_id);
	k[5] = family;
	return 6;
}

static size_t mask_bytes(uint8_t family)
{
	return rbl_addr_bits(family) / 8 + 1;
}

static unsigned fam_index(uint8_t family)
{
	return family == RBL_AF4 ? 0 : 1;
}

static void mask_all(uint8_t *mask, uint8_t family)
{
	memset(mask, 0, RBL_LENMASK_BYTES);
	for (unsigned n = 0; n <= rbl_addr_bits(family); n++)
		rbl_lenmask_set_bit(mask, n);
}

/* The lengths of LIST_ID's entries of FAMILY, from the entries (format 2
 * stores, once per list; a write txn's pending chunk holds nothing of the
 * list yet, as this runs before its first change of the list). */
static int mask_scan(rbl_txn *t, uint32_t list_id, uint8_t family,
		     uint8_t *mask)
{
	return rbl_ip_lengths(t, list_id, family, mask);
}

static int mask_put(rbl_txn *t, uint32_t list_id, uint8_t family,
		    const uint8_t *mask)
{
	uint8_t k[6];

	return rbl_db_put(t, t->s->meta, k, mask_key(k, list_id, family),
			  mask, mask_bytes(family), 0);
}

/* The stored mask: RBL_OK, RBL_ENOTFOUND (no record), RBL_ESTORE. */
static int mask_read(rbl_txn *t, uint32_t list_id, uint8_t family,
		     uint8_t *mask)
{
	uint8_t k[6];
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->meta, k, mask_key(k, list_id, family),
			    &v);

	if (rc != RBL_OK)
		return rc;
	if (v.mv_size != mask_bytes(family))
		return RBL_ESTORE;
	memset(mask, 0, RBL_LENMASK_BYTES);
	memcpy(mask, v.mv_data, v.mv_size);
	return RBL_OK;
}

/* LIST_ID's cached mask for FAMILY in write txn T, loaded (or computed
 * and stored) on first use. */
static int mask_load(rbl_txn *t, uint32_t list_id, uint8_t family,
		     uint8_t **out)
{
	unsigned f = fam_index(family);
	struct rbl_list_state *ls;
	uint8_t mask[RBL_LENMASK_BYTES];
	int rc = rbl_txn_mark_list(t, list_id, 0, 0);

	if (rc != RBL_OK)
		return rc;
	ls = rbl_txn_list_state(t, list_id);
	if (!(ls->lenmask_known & (1u << f))) {
		rc = mask_read(t, list_id, family, mask);
		if (rc == RBL_ENOTFOUND &&
		    (rc = mask_scan(t, list_id, family, mask)) == RBL_OK)
			rc = mask_put(t, list_id, family, mask);
		if (rc != RBL_OK)
			return rbl_txn_fail(t, rc);
		/* the lookups above may have grown t->lists */
		ls = rbl_txn_list_state(t, list_id);
		memcpy(ls->lenmask[f], mask, sizeof mask);
		ls->lenmask_known |= (uint8_t)(1u << f);
	}
	*out = ls->lenmask[f];
	return RBL_OK;
}

int rbl_lenmask_note(rbl_txn *t, uint32_t list_id, const rbl_prefix *p)
{
	uint8_t *mask = NULL;
	int rc = mask_load(t, list_id, p->addr.family, &mask);

	if (rc != RBL_OK || rbl_lenmask_bit(mask, p->len))
		return rc;
	rbl_lenmask_set_bit(mask, p->len);
	rc = mask_put(t, list_id, p->addr.family, mask);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_lenmask_get(rbl_txn *t, uint32_t list_id, uint8_t family,
		    uint8_t *mask)
{
	uint8_t *cached = NULL;
	int rc;

	if (!t->write) {
		rc = mask_read(t, list_id, family, mask);
		if (rc == RBL_ENOTFOUND)
			mask_all(mask, family);
		return rc == RBL_ENOTFOUND ? RBL_OK : rc;
	}
	if ((rc = mask_load(t, list_id, family, &cached)) != RBL_OK)
		return rc;
	memcpy(mask, cached, RBL_LENMASK_BYTES);
	return RBL_OK;
}

int rbl_lenmask_peek(rbl_txn *t, uint32_t list_id, uint8_t family,
		     uint8_t *mask)
{
	return mask_read(t, list_id, family, mask);
}

int rbl_lenmask_replace(rbl_txn *t, uint32_t list_id, uint8_t family,
			const uint8_t *mask)
{
	unsigned f = fam_index(family);
	struct rbl_list_state *ls;
	int rc = rbl_txn_mark_list(t, list_id, 0, 0);

	if (rc == RBL_OK)
		rc = mask_put(t, list_id, family, mask);
	if (rc != RBL_OK)
		return rbl_txn_fail(t, rc);
	ls = rbl_txn_list_state(t, list_id);
	memcpy(ls->lenmask[f], mask, RBL_LENMASK_BYTES);
	ls->lenmask_known |= (uint8_t)(1u << f);
	return RBL_OK;
}

int rbl_lenmask_drop(rbl_txn *t, uint32_t list_id)
{
	static const uint8_t families[] = { RBL_AF4, RBL_AF6 };
	struct rbl_list_state *ls = rbl_txn_list_state(t, list_id);

	for (unsigned i = 0; i < 2; i++) {
		uint8_t k[6];
		int rc = rbl_db_del(t, t->s->meta, k,
				    mask_key(k, list_id, families[i]));

		if (rc != RBL_OK && rc != RBL_ENOTFOUND)
			return rbl_txn_fail(t, rc);
	}
	if (ls)
		ls->lenmask_known = 0;
	return RBL_OK;
}
