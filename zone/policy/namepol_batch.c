/*
 * namepol_batch.c -- the domain policy's ingest batch (namepol.h): the
 * names noted in one import transaction, each loaded once, scored in
 * memory, settled and written once before the transaction commits.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/policy/namepol_impl.h"

/* -------------------------------------------------------------- batch */

/* One (name, list) noted in the batch.  Entries are dense, in the order
 * first noted; an open-addressing table of indexes finds them, so the
 * per-batch reset clears 4 bytes a slot, not the states. */
typedef struct entry {
	uint32_t name_off;	/* in the arena */
	uint32_t list_id;
	uint16_t pol;
	int64_t block_when;
	nstate st;		/* noted: always changed (count, messages) */
} entry;

/* An index slot: the key's hash, so a probe rarely touches an entry. */
typedef struct islot {
	uint32_t hash;
	uint32_t ent;		/* entry index + 1; 0 = free */
} islot;

struct rbl_namepol_batch {
	const rbl_namepol_set *set;
	islot *index;
	size_t mask;
	entry *ents;
	size_t n, cap;
	char *arena;
	size_t arena_len, arena_cap;
	rbl_txn *tb_txn;	/* the transaction TB was opened in */
	rbl_table tb;
	bool any_block;		/* a block exists: look for one per name */
};

static uint32_t key_hash(const char *name, uint32_t list_id)
{
	uint32_t h = 2166136261u ^ list_id;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

int rbl_namepol_batch_new(const rbl_namepol_set *set,
			  rbl_namepol_batch **out)
{
	rbl_namepol_batch *b = calloc(1, sizeof *b);

	if (!b || !(b->index = calloc(1024, sizeof *b->index)) ||
	    !(b->ents = calloc(256, sizeof *b->ents)) ||
	    !(b->arena = malloc(65536))) {
		rbl_namepol_batch_free(b);
		return RBL_ENOMEM;
	}
	b->set = set;
	b->mask = 1023;
	b->cap = 256;
	b->arena_cap = 65536;
	*out = b;
	return RBL_OK;
}

void rbl_namepol_batch_free(rbl_namepol_batch *b)
{
	if (!b)
		return;
	free(b->index);
	free(b->ents);
	free(b->arena);
	free(b);
}

void rbl_namepol_batch_reset(rbl_namepol_batch *b)
{
	if (b->n)
		memset(b->index, 0, (b->mask + 1) * sizeof *b->index);
	b->n = 0;
	b->arena_len = 0;
	b->tb_txn = NULL;
}

/* The index slot of (NAME, LIST_ID) whose hash is H: holding it, or
 * free. */
static islot *find_entry(rbl_namepol_batch *b, const char *name,
			 uint32_t list_id, uint32_t h)
{
	size_t i = h & b->mask;

	while (b->index[i].ent) {
		const entry *e = &b->ents[b->index[i].ent - 1];
		if (b->index[i].hash == h && e->list_id == list_id &&
		    strcmp(b->arena + e->name_off, name) == 0)
			break;
		i = (i + 1) & b->mask;
	}
	return &b->index[i];
}

/* Room for one more entry: the table at most half full. */
static int grow(rbl_namepol_batch *b)
{
	if (rbl_array_reserve(b->ents, b->cap, b->n + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	if ((b->n + 1) * 2 > b->mask + 1) {
		size_t n = (b->mask + 1) * 2;
		islot *idx = calloc(n, sizeof *idx), *old = b->index;
		size_t old_n = b->mask + 1;
		if (!idx)
			return RBL_ENOMEM;
		b->index = idx;
		b->mask = n - 1;
		for (size_t i = 0; i < old_n; i++) {
			size_t j = old[i].hash & b->mask;
			if (!old[i].ent)
				continue;
			while (idx[j].ent)
				j = (j + 1) & b->mask;
			idx[j] = old[i];
		}
		free(old);
	}
	return RBL_OK;
}

static int arena_add(rbl_namepol_batch *b, const char *name, uint32_t *off)
{
	size_t n = strlen(name) + 1;

	if (b->arena_len + n > UINT32_MAX ||	/* offsets are 32-bit */
	    rbl_array_reserve(b->arena, b->arena_cap, b->arena_len + n,
			      65536) != RBL_OK)
		return RBL_ENOMEM;
	*off = (uint32_t)b->arena_len;
	memcpy(b->arena + b->arena_len, name, n);
	b->arena_len += n;
	return RBL_OK;
}

/* The table in T, opened once per transaction. */
static int batch_table(rbl_txn *t, rbl_namepol_batch *b)
{
	int rc = 0;

	if (b->tb_txn == t)
		return RBL_OK;
	if ((rc = rbl_table_open(t, RBL_NEV_TABLE, &b->tb)))
		return rc;
	b->tb_txn = t;
	/* most stores have no delisting block at all: then no name needs
	 * a look for one (np_blocks_exist) */
	rc = np_blocks_exist(&b->tb);
	b->any_block = rc != 0;
	return rc < 0 ? rc : RBL_OK;
}

/* The entry of (NAME, LIST_ID) under policy POL, its state loaded. */
static int entry_of(rbl_namepol_batch *b, const char *name, uint32_t list_id,
		    size_t pol, entry **out)
{
	uint32_t h = key_hash(name, list_id);
	islot *slot = NULL;
	bool found = false;
	entry *e = NULL;
	int rc = 0;

	if ((rc = grow(b)))
		return rc;
	slot = find_entry(b, name, list_id, h);
	if (slot->ent) {
		*out = &b->ents[slot->ent - 1];
		return RBL_OK;
	}
	e = &b->ents[b->n];
	memset(e, 0, sizeof *e);
	e->list_id = list_id;
	e->pol = (uint16_t)pol;
	if ((rc = np_state_get(&b->tb, name, list_id, &e->st, &found)) ||
	    (b->any_block &&
	     (rc = np_block_get(&b->tb, name, &e->block_when, NULL))) ||
	    (rc = arena_add(b, name, &e->name_off)))
		return rc;
	slot->hash = h;
	slot->ent = (uint32_t)++b->n;
	*out = e;
	return RBL_OK;
}

int rbl_namepol_note(rbl_txn *t, rbl_namepol_batch *b, const char *name,
		     uint8_t kind, double weight, int64_t when,
		     const uint8_t *hash, unsigned flags)
{
	int rc = 0;

	if (kind < 1 || kind > RBL_NEV_KINDS)
		return RBL_EINVAL;
	if ((rc = batch_table(t, b)))
		return rc;
	for (size_t i = 0; i < b->set->n; i++) {
		const rbl_namepol *p = &b->set->pols[i];
		uint32_t list = np_target(p, kind);
		double w = weight * p->kind_weight[kind];
		entry *e = NULL;
		if (!list || !(w > 0))
			continue;
		if ((rc = entry_of(b, name, list, i, &e)))
			return rc;
		np_state_recent(&e->st, when, hash);
		if (e->block_when && when <= e->block_when)
			continue;	/* a human delisted it after this */
		np_state_add(p, &e->st, w, when);
		if (flags & RBL_NAMEPOL_REDIRECTOR)
			e->st.flags |= NS_REDIRECTOR;
	}
	return RBL_OK;
}

int rbl_namepol_settle(rbl_txn *t, rbl_namepol_batch *b, int64_t now,
		       rbl_policy_result *res)
{
	int rc = b->n ? batch_table(t, b) : RBL_OK;

	for (size_t i = 0; rc == RBL_OK && i < b->n; i++) {
		entry *e = &b->ents[i];
		const char *name = b->arena + e->name_off;
		if (e->st.n > 0)	/* else: only what a block hides */
			rc = np_settle(t, &b->set->pols[e->pol], e->list_id,
				       name, &e->st, now, res);
		if (rc == RBL_OK)
			rc = np_state_put(&b->tb, name, e->list_id, &e->st);
	}
	rbl_namepol_batch_reset(b);
	return rc;
}
