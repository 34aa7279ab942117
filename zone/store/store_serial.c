/*
 * store_serial.c -- zone serials: 's'+id -> u32 in the meta database.
 *
 * The serial lives apart from the zone record (store_zone.c) so the
 * server's negative answers cost one tiny get, so a commit bumps it
 * without rewriting the zone, and so the journal and the fixed records
 * read it from below the zones: this file calls only the codec.
 */
#include "zone/store/store_impl.h"

static size_t serial_key(uint8_t *k, uint32_t zone_id)
{
	k[0] = 's';
	rbl_put_be32(k + 1, zone_id);
	return 5;
}

int rbl_zone_serial_put(rbl_txn *t, uint32_t zone_id, uint32_t serial)
{
	uint8_t k[8] = { 0 }, v[4] = { 0 };

	rbl_put_be32(v, serial);
	return rbl_db_put(t, t->s->meta, k, serial_key(k, zone_id), v, 4, 0);
}

int rbl_zone_serial(rbl_txn *t, uint32_t zone_id, uint32_t *serial)
{
	uint8_t k[8] = { 0 };
	MDB_val v = { 0 };
	int rc = rbl_db_get(t, t->s->meta, k, serial_key(k, zone_id), &v);

	if (rc != RBL_OK)
		return rc;
	if (v.mv_size != 4)
		return RBL_ESTORE;
	*serial = rbl_get_be32(v.mv_data);
	return RBL_OK;
}

int rbl_zone_serial_del(rbl_txn *t, uint32_t zone_id)
{
	uint8_t k[8] = { 0 };

	return rbl_db_del(t, t->s->meta, k, serial_key(k, zone_id));
}

bool rbl_serial_after(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}
