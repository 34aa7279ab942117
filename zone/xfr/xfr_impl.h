/*
 * xfr_impl.h -- the private side of xfr_expand.h, shared by xfr_rr.c
 * (records, answers, owner names), xfr_ip.c (address units), xfr_name.c
 * (domain lists), xfr_body.c (collecting entries, whole zones) and
 * xfr_diff.c (IXFR).  Nothing outside those files includes it.
 *
 * Vocabulary
 *   group   the lists of a zone that share one sub-label: they answer
 *           together (combined zone) under "<sub>.<zone>" or the apex.
 *   answer  what one list says for one entry: codes and TXT template
 *           with the list's defaults applied, interned (xf_ans, id > 0;
 *           id 0 means "not listed": an exclusion).
 *   combo   what every list of a group says at one point: one answer id
 *           per list, interned per group (id 0: no list answers).
 *   unit    the part of the name tree that is expanded on its own: an
 *           IPv4 /16 or IPv6 /16 of one group; the IPv4 /8 above the
 *           /16s is a point of its own ("top").  Units never influence
 *           each other, so IXFR rebuilds only the units a change touched.
 *           Names have no fixed units: IXFR rebuilds the subtree a change
 *           can reach, with its ancestors' entries as context
 *           (xfr_diff.c says how far up that is).
 */
#ifndef RBL_XFR_IMPL_H
#define RBL_XFR_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/store/store.h"
#include "zone/xfr/xfr_expand.h"

#define XF_V4_TOP	8	/* IPv4 /8s: a top point and 256 units */
#define XF_V4_UNIT	16	/* IPv4 units are /16s */
#define XF_V6_TOP	16	/* IPv6 units are /16s, no wildcard above */
#define XF_NAME_KEY_MAX	(RBL_NAME_MAX + 2)

typedef struct xf_list {
	uint32_t id;
	uint8_t kind;			/* rbl_list_kind */
	uint32_t default_code;
	bool has_default_txt;
	char default_txt[RBL_TXT_MAX + 1];
} xf_list;

typedef struct xf_group {
	uint8_t sub_len;		/* 0: at the apex */
	char sub[RBL_LABEL_MAX + 1];
	unsigned n_lists;
	xf_list lists[RBL_ZONE_MAX_LISTS];	/* zone order */
	bool has_ip, has_name;
} xf_group;

typedef struct xf_ans {
	uint8_t n_codes;		/* >= 1: defaults applied */
	bool has_txt;
	bool dollar;			/* TXT uses the subject */
	uint16_t txt_len;
	uint32_t codes[RBL_MAX_CODES];
	char txt[RBL_TXT_MAX + 1];
} xf_ans;

/* A growable table of fixed-size items with a hash index (interning). */
typedef struct xf_intern {
	uint8_t *items;
	size_t item_size, n, cap;
	uint32_t *slots;		/* index + 1; 0 = empty */
	size_t n_slots;
} xf_intern;

typedef struct xf_ctx {
	const rbl_zone *z;
	const rbl_xfr_opts *o;
	rbl_xfr_stats *st;
	rbl_xrr_fn fn;
	void *arg;
	uint8_t zone_wire_len;		/* apex name in wire form, root incl. */
	unsigned txt_expand_bits;	/* log2 of opts txt_expand_max */
	const xf_group *g;		/* group being expanded */
	xf_intern ans;			/* xf_ans, ids from 1 */
	xf_intern combos;		/* uint32_t[g->n_lists], per group */
	bool warned_txt, warned_long;
	int error;			/* sticky RBL_ENOMEM from interning */
} xf_ctx;

/* An IP entry of a unit: LI is the list's index in the group. */
typedef struct xf_ipent {
	rbl_prefix p;
	uint8_t li;
	uint32_t ans;			/* 0: exclusion */
} xf_ipent;

typedef struct xf_ipvec {
	xf_ipent *v;
	size_t n, cap;
} xf_ipvec;

/* A name entry: KEY (labels from the right, each followed by 0x00, as the
 * store keys them) lives in the vector's arena. */
typedef struct xf_nament {
	uint32_t koff;
	uint16_t klen;
	uint8_t li;
	uint8_t sel;			/* RBL_ENTRY_NAME_EXACT or SUBS: one
					   slot of the name (store.h) */
	uint32_t ans;			/* 0: exclusion */
} xf_nament;

typedef struct xf_namevec {
	xf_nament *v;
	size_t n, cap;
	uint8_t *keys;
	size_t klen, kcap;
} xf_namevec;

/* ------------------------------------------------------ xfr_rr.c */

/* Set up X for zone Z (no group yet).  RBL_OK or RBL_EINVAL (a zone name
 * that is not a domain name). */
int xf_ctx_init(xf_ctx *x, const rbl_zone *z, const rbl_xfr_opts *o,
		rbl_xrr_fn fn, void *arg, rbl_xfr_stats *st);
void xf_ctx_free(xf_ctx *x);
/* Make G the current group (forgets the combos of the previous one). */
int xf_ctx_group(xf_ctx *x, const xf_group *g);

/* Groups of Z's lists, in zone order of their first list; *N set.
 * RBL_OK or a store error. */
int xf_groups(rbl_txn *t, const rbl_zone *z, xf_group *out, unsigned *n);

/* Intern what list L says for entry E: the answer id, 0 for an
 * exclusion (or RBL_ENOMEM sticky in X, then 0). */
uint32_t xf_answer_of(xf_ctx *x, const xf_list *l, const rbl_entry *e);
const xf_ans *xf_answer(const xf_ctx *x, uint32_t id);
/* Intern the per-list answer ids IDS[g->n_lists] of the current group. */
uint32_t xf_combo(xf_ctx *x, const uint32_t *ids);
const uint32_t *xf_combo_ids(const xf_ctx *x, uint32_t combo);
/* True if some list of the combo answers with a TXT that uses '$'. */
bool xf_combo_dollar(const xf_ctx *x, uint32_t combo);

/* Emit the records of COMBO at OWNER (relative wire name), '$' being
 * SUBJECT; WILDCARD counts it as such (and notes an approximate TXT). */
int xf_emit_combo(xf_ctx *x, const uint8_t *owner, size_t olen,
		  uint32_t combo, const char *subject, bool wildcard);
/* Emit a TYPE65280 placeholder at OWNER. */
int xf_emit_placeholder(xf_ctx *x, const uint8_t *owner, size_t olen);
/* Emit one record (counts, limit, owner length check). */
int xf_put(xf_ctx *x, const uint8_t *owner, size_t olen, uint16_t type,
	   uint32_t ttl, const uint8_t *rdata, size_t rdlen);
/* Append the group's sub-label (if any) to OWNER of *OLEN bytes. */
void xf_owner_sub(const xf_ctx *x, uint8_t *owner, size_t *olen);
/* Report TEXT once per kind through the options' warn callback. */
void xf_warn(xf_ctx *x, bool *once, const char *text);

/* The zone's apex NS records, glue, and fixed records (generic data). */
int xf_emit_apex(rbl_txn *t, xf_ctx *x);

/* ------------------------------------------------------ xfr_ip.c */

/* Expand BLOCK (an IPv4 /8: its top point and /16 units; an IPv6 /16)
 * of the current group from ENTS[N]: the entries inside BLOCK or covering
 * it, sorted by xf_ipent_cmp. */
int xf_ip_block(xf_ctx *x, const rbl_prefix *block, const xf_ipent *ents,
		size_t n);
/* Expand one IPv4 /16 UNIT from the entries inside or covering it. */
int xf_ip_unit(xf_ctx *x, const rbl_prefix *unit, const xf_ipent *ents,
	       size_t n);
/* The top point of IPv4 /8 BLOCK from the entries covering it (others
 * are ignored); *COMBO gets its answer. */
int xf_ip_top(xf_ctx *x, const rbl_prefix *block, const xf_ipent *ents,
	      size_t n, uint32_t *combo);
int xf_ipent_cmp(const void *a, const void *b);
int xf_ipvec_push(xf_ipvec *v, const xf_ipent *e);
void xf_ipvec_free(xf_ipvec *v);
/* The unit of address family FAMILY containing A: its /8 or /16. */
void xf_unit_of(const rbl_addr *a, rbl_prefix *block);
/* Prefix of A cut to LEN bits (host bits cleared). */
void xf_prefix_cut(const rbl_addr *a, uint8_t len, rbl_prefix *out);

/* ------------------------------------------------------ xfr_name.c */

/* Expand the name entries of the current group, ENTS (sorted with
 * xf_namevec_sort).  With ONLY (a key of ONLY_LEN bytes), the records of
 * that name and the names under it only: ENTS then holds the entries of
 * that subtree and those at its ancestors, which decide what it inherits
 * (an IXFR unit, xfr_diff.c). */
int xf_name_expand(xf_ctx *x, xf_namevec *ents, const uint8_t *only,
		   size_t only_len);
int xf_namevec_push(xf_namevec *v, const char *name, uint8_t li,
		    uint8_t sel, uint32_t ans);
int xf_namevec_push_key(xf_namevec *v, const uint8_t *key, size_t klen,
			uint8_t li, uint8_t sel, uint32_t ans);
/* The same, one entry per slot SEL names (a name's exact entry and its
 * subtree entry are kept apart by the store, and may differ). */
int xf_namevec_push_slots(xf_namevec *v, const uint8_t *key, size_t klen,
			  uint8_t li, uint8_t sel, uint32_t ans);
void xf_namevec_sort(xf_namevec *v);
void xf_namevec_free(xf_namevec *v);
/* Key of text NAME into K (XF_NAME_KEY_MAX bytes); length or 0. */
size_t xf_name_key(const char *name, uint8_t *k);
/* Text form ("a.example.com") of key K into OUT (XF_NAME_KEY_MAX bytes). */
void xf_key_text(const uint8_t *k, size_t klen, char *out);
/* Length of the top label's part of key K (first label and its 0). */
size_t xf_key_top(const uint8_t *k, size_t klen);
int xf_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ------------------------------------------------------ xfr_body.c */

/* Entries of list index LI of the current group that matter to BLOCK
 * (inside it, or covering it) appended to OUT; expired ones left out
 * when X's options have a time. */
int xf_collect_block(rbl_txn *t, xf_ctx *x, unsigned li,
		     const rbl_prefix *block, xf_ipvec *out);
/* The name entries of list LI appended to OUT. */
int xf_collect_names(rbl_txn *t, xf_ctx *x, unsigned li, xf_namevec *out);
/* The same for NAME's own entries and, with BELOW, all names under it
 * (rbl_name_foreach_under: a seek, not a walk of the list). */
int xf_collect_under(rbl_txn *t, xf_ctx *x, unsigned li, const char *name,
		     bool below, xf_namevec *out);
/* An entry's selection bits: EXACT, SUBS or both (never 0). */
uint8_t xf_name_sel(const rbl_entry *e);

#endif
