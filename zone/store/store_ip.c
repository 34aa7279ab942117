/*
 * store_ip.c -- IP listings, the API of store.h, on top of the IP files
 * (store_chunk.h has the model): arguments checked here, then the change
 * goes to a replacement that takes it (store_replace.c) or to the chunk
 * being edited (store_ipw.c), and a read in a write transaction first
 * finishes the list's replacement and writes the chunk being edited, so
 * it sees the transaction's own changes (store_ipread.c reads what is
 * stored).  Also the IP side of commit, abort, clearing and purging.
 */
#include <string.h>

#include "zone/compiler.h"
#include "zone/store/store_impl.h"
#include "zone/store/store_ipw.h"

static bool prefix_ok(const rbl_prefix *p)
{
	static const uint8_t zero[12] = { 0 };
	rbl_prefix c = { 0 };

	if (!p || (p->addr.family != RBL_AF4 && p->addr.family != RBL_AF6) ||
	    p->len > rbl_addr_bits(p->addr.family))
		return false;
	if (p->addr.family == RBL_AF4) {
		/* per entry of an import: no copy, no canonical form */
		uint32_t a = (uint32_t)p->addr.bytes[0] << 24 |
			     (uint32_t)p->addr.bytes[1] << 16 |
			     (uint32_t)p->addr.bytes[2] << 8 | p->addr.bytes[3];

		return (p->len == 32 || !(a & (0xffffffffu >> p->len))) &&
		       !memcmp(p->addr.bytes + 4, zero, sizeof zero);
	}
	c = *p;
	rbl_prefix_canon(&c);
	return memcmp(c.addr.bytes, p->addr.bytes, 16) == 0;
}

static bool addr_ok(const rbl_addr *a)
{
	return a && (a->family == RBL_AF4 || a->family == RBL_AF6);
}

/* In a write transaction, reads of LIST_ID see its replacement finished
 * and the chunk being edited written. */
static int read_ready(rbl_txn *t, uint32_t list_id)
{
	int rc = 0;

	if (!t->write || !t->ipw)
		return RBL_OK;
	if ((rc = rbl_replace_finish(t, list_id)) != RBL_OK)
		return rc;
	return rbl_ipw_flush(t);
}

/* ------------------------------------------------------------ changes */

/* E checked and completed (rbl_entry_prepare) to *OUT: the last call's
 * result when E is the same bytes as its input.  An import adds millions
 * of entries with one value; preparing each anew was 5% of a replacing
 * import's instructions.  AGAIN: the caller says E is unchanged since the
 * last call (rbl_ip_add_again), believed when it is the same E.  NE is
 * room for a result not kept. */
static int prepare(rbl_txn *t, const rbl_entry *e, bool again,
		   rbl_entry *ne, const rbl_entry **out)
{
	struct rbl_ipw *x = t->ipw;
	bool same = false;
	int rc = 0;

	if (x)
		same = x->prep_ok && x->prep_source == t->source_gen &&
		       ((again && e == x->prep_last) ||
			!memcmp(e, &x->prep_in, sizeof *e));
	if (same) {
		x->prep_last = e;
		*out = &x->prep_ne;
		return RBL_OK;
	}
	/* (a failed E is not the last one: AGAIN must not believe it) */
	if ((rc = rbl_entry_prepare(t, e, RBL_ENTRY_EXCLUDE |
				    RBL_ENTRY_HAS_TXT, ne)) != RBL_OK)
		return rc;
	*out = ne;
	if (x) {
		x->prep_last = e;
		memcpy(&x->prep_in, e, sizeof *e);
		x->prep_ne = *ne;
		x->prep_ok = true;
		x->prep_source = t->source_gen;
		x->prep_gen++;
		*out = &x->prep_ne;
	}
	return RBL_OK;
}

static int ip_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		  const rbl_entry *e, bool again)
{
	/* per entry of an import: NE filled by prepare() when it is used,
	 * OLD by rbl_ipw_add when it reports a replaced entry (read only
	 * then) */
	RBL_NOINIT rbl_entry ne, old;
	const rbl_entry *pe = NULL;
	bool replaced = false, taken = false;
	int rc = 0;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!prefix_ok(p))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_IP)) != RBL_OK ||
	    (rc = prepare(t, e, again, &ne, &pe)) != RBL_OK)
		return rc;
	/* a replacement makes the masks exact itself */
	if ((rc = rbl_replace_add(t, list_id, p, pe, &taken)) != RBL_OK ||
	    taken)
		return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
	if ((rc = rbl_lenmask_note(t, list_id, p)) != RBL_OK)
		return rc;
	rc = rbl_ipw_add(t, list_id, p, pe, &old, &replaced);
	if (rc == RBL_OK && replaced)
		rc = rbl_journal_note(t, RBL_CHANGE_DEL, list_id, p, NULL, &old);
	if (rc == RBL_OK)
		rc = rbl_journal_note(t, RBL_CHANGE_ADD, list_id, p, NULL, pe);
	if (rc == RBL_OK)
		rc = rbl_ipw_changed(t, list_id, p, replaced ? 0 : 1, pe);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_ip_add(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
	       const rbl_entry *e)
{
	return ip_add(t, list_id, p, e, false);
}

int rbl_ip_add_again(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		     const rbl_entry *e)
{
	return ip_add(t, list_id, p, e, true);
}

int rbl_ip_del(rbl_txn *t, uint32_t list_id, const rbl_prefix *p)
{
	RBL_NOINIT rbl_entry old;	/* filled by rbl_ipw_del on success */
	int rc = 0;

	if ((rc = rbl_txn_need_write(t)) != RBL_OK)
		return rc;
	if (!prefix_ok(p))
		return RBL_EINVAL;
	if ((rc = rbl_list_check_kind(t, list_id, RBL_LIST_IP)) != RBL_OK ||
	    (rc = rbl_replace_finish(t, list_id)) != RBL_OK)
		return rc;
	rc = rbl_ipw_del(t, list_id, p, &old);
	if (rc == RBL_ENOTFOUND)
		return rc;
	if (rc == RBL_OK)
		rc = rbl_journal_note(t, RBL_CHANGE_DEL, list_id, p, NULL, &old);
	if (rc == RBL_OK)
		rc = rbl_ipw_changed(t, list_id, p, -1, NULL);
	return rc == RBL_OK ? RBL_OK : rbl_txn_fail(t, rc);
}

int rbl_ip_replace_begin(rbl_txn *t, uint32_t list_id, unsigned flags)
{
	int rc = 0;

	if (!(flags & RBL_REPLACE_JOURNAL) &&
	    (rc = rbl_txn_mark_list(t, list_id, RBL_LIST_CHANGED |
				    RBL_LIST_RESET, 0)) != RBL_OK)
		return rc;
	return rbl_replace_begin(t, list_id, (flags & RBL_REPLACE_JOURNAL) !=
				 0);
}

int rbl_ip_clear_list(rbl_txn *t, uint32_t list_id, uint64_t *n)
{
	struct rbl_list_state *ls = NULL;
	rbl_list l = { 0 };
	uint8_t k[4] = { 0 };
	int rc = 0;

	rbl_replace_cancel(t, list_id);
	if ((rc = rbl_ipw_flush_list(t, list_id, true)) != RBL_OK)
		return rc;
	if ((rc = rbl_list_get_id(t, list_id, &l)) != RBL_OK)
		return rc;
	/* the entry count is kept exact by every change */
	*n = l.n_entries;
	if ((ls = rbl_txn_list_state(t, list_id)))
		*n = (uint64_t)((int64_t)*n + ls->delta);
	rbl_put_be32(k, list_id);
	if ((rc = rbl_db_del_prefix(t, t->s->ipchunk, k, 4, NULL)) != RBL_OK ||
	    (rc = rbl_lenmask_drop(t, list_id)) != RBL_OK)
		return rc;
	return rbl_txn_mark_list(t, list_id, RBL_LIST_V4SUM_FULL, 0);
}

int rbl_ip_purge(rbl_txn *t, int64_t now, uint64_t *n)
{
	int rc = rbl_replace_finish_all(t);

	return rc == RBL_OK ? rbl_ipw_purge(t, now, n) : rc;
}

/* ------------------------------------------------------------ reads */

int rbl_ip_get(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
	       rbl_entry *out)
{
	int rc = 0;

	if (!prefix_ok(p))
		return RBL_EINVAL;
	if ((rc = read_ready(t, list_id)) != RBL_OK)
		return rc;
	return rbl_ipr_get(t, list_id, p, out);
}

/* rbl_ip_lookup in a write transaction: out of line, so that a read
 * transaction's lookup saves no registers for it. */
static RBL_NOINLINE int lookup_write(rbl_txn *t, uint32_t list_id,
				     const rbl_addr *a, int64_t now,
				     rbl_match *out)
{
	int rc = read_ready(t, list_id);

	return rc != RBL_OK ? rc : rbl_ipr_lookup(t, list_id, a, now, out);
}

int rbl_ip_lookup(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		  int64_t now, rbl_match *out)
{
	if (!addr_ok(a))
		return RBL_EINVAL;
	if (t->write)
		return lookup_write(t, list_id, a, now, out);
	return rbl_ipr_lookup(t, list_id, a, now, out);
}

void rbl_ip_prefetch_stage(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
			   unsigned stage)
{
	if (t && !t->write && !t->reset && a && a->family == RBL_AF4 &&
	    stage < RBL_IP_PREFETCH_STAGES)
		rbl_ipr_prefetch(t, list_id, a, stage);
}

void rbl_ip_prefetch(rbl_txn *t, uint32_t list_id, const rbl_addr *a)
{
	rbl_ip_prefetch_stage(t, list_id, a, RBL_IP_PREFETCH_STAGES - 1);
}

bool rbl_ip_prefetch_pays(rbl_txn *t, uint32_t list_id)
{
	return t && rbl_ckidx_big(t, list_id);
}

int rbl_ip_explain(rbl_txn *t, uint32_t list_id, const rbl_addr *a,
		   int64_t now, rbl_prefix *decided, rbl_entry *e)
{
	int rc = 0;

	if (!addr_ok(a))
		return RBL_EINVAL;
	if ((rc = read_ready(t, list_id)) != RBL_OK)
		return rc;
	return rbl_ipr_explain(t, list_id, a, now, decided, e);
}

int rbl_ip_any_within(rbl_txn *t, uint32_t list_id, const rbl_prefix *p,
		      int64_t now)
{
	int rc = 0;

	if (!p || !addr_ok(&p->addr) || p->len > rbl_addr_bits(p->addr.family))
		return RBL_EINVAL;
	if ((rc = read_ready(t, list_id)) != RBL_OK)
		return rc;
	return rbl_ipr_any_within(t, list_id, p, now);
}

int rbl_ip_foreach(rbl_txn *t, uint32_t list_id, const rbl_prefix *within,
		   rbl_ip_visit_fn fn, void *arg)
{
	int rc = 0;

	if (within && !prefix_ok(within))
		return RBL_EINVAL;
	if ((rc = read_ready(t, list_id)) != RBL_OK)
		return rc;
	return rbl_ipr_foreach(t, list_id, within, fn, arg);
}

int rbl_ip_foreach_listed(rbl_txn *t, uint32_t list_id, int64_t now,
			  rbl_seg_visit_fn fn, void *arg)
{
	int rc = read_ready(t, list_id);

	return rc == RBL_OK ? rbl_ipr_foreach_listed(t, list_id, now, fn, arg)
			    : rc;
}

/* ------------------------------------------------ commit and abort */

int rbl_ip_commit(rbl_txn *t)
{
	static const uint8_t fams[] = { RBL_AF4, RBL_AF6 };
	int rc = rbl_replace_finish_all(t);

	if (rc == RBL_OK)
		rc = rbl_ipw_flush(t);
	for (size_t i = 0; rc == RBL_OK && i < t->n_lists; i++) {
		uint32_t id = t->lists[i].id;
		rbl_list l = { 0 };

		if (!(t->lists[i].marks & RBL_LIST_REBUILD))
			continue;
		rc = rbl_list_get_id(t, id, &l);
		if (rc == RBL_ENOTFOUND) {
			rc = RBL_OK;
			continue;
		}
		if (rc != RBL_OK || l.kind != RBL_LIST_IP)
			continue;
		/* a bulk transaction makes the masks exact */
		for (unsigned f = 0; rc == RBL_OK && f < 2; f++) {
			uint8_t mask[RBL_LENMASK_BYTES] = { 0 };

			rc = rbl_ip_lengths(t, id, fams[f], mask);
			if (rc == RBL_OK)
				rc = rbl_lenmask_replace(t, id, fams[f], mask);
		}
	}
	return rc;
}

void rbl_ip_txn_free(rbl_txn *t)
{
	rbl_replace_free(t);
	rbl_ipw_free(t);
}
