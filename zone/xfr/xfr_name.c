/*
 * xfr_name.c -- the domain lists of a group as records (see xfr_expand.h
 * and xfr_impl.h).
 *
 * Names are handled as the store keys them: labels from the right, each
 * followed by a 0x00 byte, so an ancestor's key is a prefix of its
 * descendants' keys and sorting keys gives the pre-order of the tree.
 * The passes are those of xfr_ip.c: points (every entry and all its
 * ancestors), answers (a stack of the entries on the path), shape, and
 * records.  A point has two answers: for the name itself ("exact": an
 * entry there that selects the name, else the nearest subtree entry
 * above) and for names below it that are not points ("below": the
 * nearest subtree entry at it or above), as rbl_name_lookup decides.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/array.h"
#include "zone/error.h"
#include "zone/xfr/xfr_impl.h"

enum npt_flag { NP_REC = 1, NP_WILD = 2, NP_PLACE = 4, NP_CHILD = 8 };

typedef struct npt {
	uint32_t koff;
	uint16_t klen;
	uint8_t fl;
	int32_t parent;
	uint32_t exact, below;	/* combos */
} npt;

typedef struct nptvec {
	npt *v;
	size_t n, cap;
} nptvec;

/* ------------------------------------------------------------ keys */

size_t xf_name_key(const char *name, uint8_t *k)
{
	size_t len = strlen(name), n = 0, end = len;

	if (len && name[len - 1] == '.')
		end = --len;
	if (len == 0 || len > RBL_NAME_MAX)
		return 0;
	while (end > 0) {
		size_t start = end;

		while (start > 0 && name[start - 1] != '.')
			start--;
		if (start == end || end - start > RBL_LABEL_MAX)
			return 0;
		for (size_t i = start; i < end; i++) {
			char c = name[i];

			k[n++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		k[n++] = 0;
		end = start ? start - 1 : 0;
		if (start == 0)
			break;
		if (end == 0)	/* name starts with '.' */
			return 0;
	}
	return n;
}

void xf_key_text(const uint8_t *k, size_t klen, char *out)
{
	size_t t = 0, end = klen;

	while (end > 0) {
		size_t start = end - 1;

		while (start > 0 && k[start - 1] != 0)
			start--;
		if (t)
			out[t++] = '.';
		memcpy(out + t, k + start, end - 1 - start);
		t += end - 1 - start;
		end = start;
	}
	out[t] = 0;
}

size_t xf_key_top(const uint8_t *k, size_t klen)
{
	size_t i = 0;

	while (i < klen && k[i])
		i++;
	return i < klen ? i + 1 : klen;
}

int xf_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* ------------------------------------------------------------ vectors */

int xf_namevec_push_key(xf_namevec *v, const uint8_t *key, size_t klen,
			uint8_t li, uint8_t sel, uint32_t ans)
{
	if (rbl_array_reserve(v->v, v->cap, v->n + 1, 256) != RBL_OK ||
	    rbl_array_reserve(v->keys, v->kcap, v->klen + klen, 65536) != RBL_OK)
		return RBL_ENOMEM;
	memcpy(v->keys + v->klen, key, klen);
	v->v[v->n].koff = (uint32_t)v->klen;
	v->v[v->n].klen = (uint16_t)klen;
	v->v[v->n].li = li;
	v->v[v->n].sel = sel;
	v->v[v->n].ans = ans;
	v->n++;
	v->klen += klen;
	return RBL_OK;
}

int xf_namevec_push_slots(xf_namevec *v, const uint8_t *key, size_t klen,
			  uint8_t li, uint8_t sel, uint32_t ans)
{
	int rc = RBL_OK;

	if (sel & RBL_ENTRY_NAME_EXACT)
		rc = xf_namevec_push_key(v, key, klen, li,
					 RBL_ENTRY_NAME_EXACT, ans);
	if (rc == RBL_OK && (sel & RBL_ENTRY_NAME_SUBS))
		rc = xf_namevec_push_key(v, key, klen, li,
					 RBL_ENTRY_NAME_SUBS, ans);
	return rc;
}

int xf_namevec_push(xf_namevec *v, const char *name, uint8_t li,
		    uint8_t sel, uint32_t ans)
{
	uint8_t k[XF_NAME_KEY_MAX];
	size_t klen = xf_name_key(name, k);

	return klen ? xf_namevec_push_key(v, k, klen, li, sel, ans) : RBL_OK;
}

static int nament_cmp(const void *pa, const void *pb, void *arg)
{
	const xf_nament *a = pa, *b = pb;
	const uint8_t *keys = arg;
	int c = xf_key_cmp(keys + a->koff, a->klen, keys + b->koff, b->klen);

	if (c == 0)
		c = (int)a->li - (int)b->li;
	return c ? c : (int)a->sel - (int)b->sel;
}

void xf_namevec_sort(xf_namevec *v)
{
	if (v->n)
		qsort_r(v->v, v->n, sizeof *v->v, nament_cmp, v->keys);
}

void xf_namevec_free(xf_namevec *v)
{
	free(v->v);
	free(v->keys);
	memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------------ points */

static int npt_push(nptvec *v, uint32_t koff, size_t klen)
{
	if (rbl_array_reserve(v->v, v->cap, v->n + 1, 256) != RBL_OK)
		return RBL_ENOMEM;
	memset(&v->v[v->n], 0, sizeof v->v[v->n]);
	v->v[v->n].koff = koff;
	v->v[v->n].klen = (uint16_t)klen;
	v->v[v->n].parent = -1;
	v->n++;
	return RBL_OK;
}

static int npt_cmp(const void *pa, const void *pb, void *arg)
{
	const npt *a = pa, *b = pb;
	const uint8_t *keys = arg;

	return xf_key_cmp(keys + a->koff, a->klen, keys + b->koff, b->klen);
}

/* Length of the longest common prefix of two keys that ends a label. */
static size_t common_labels(const uint8_t *a, size_t alen, const uint8_t *b,
			    size_t blen)
{
	size_t n = 0, last = 0;

	while (n < alen && n < blen && a[n] == b[n]) {
		if (a[n] == 0)
			last = n + 1;
		n++;
	}
	return last;
}

static int gen_points(const xf_namevec *e, nptvec *pts)
{
	const uint8_t *prev = NULL;
	size_t prev_len = 0;
	int rc = RBL_OK;

	for (size_t i = 0; i < e->n && rc == RBL_OK; i++) {
		const uint8_t *k = e->keys + e->v[i].koff;
		size_t klen = e->v[i].klen;
		size_t skip = prev ? common_labels(prev, prev_len, k, klen) : 0;

		if (prev && skip == klen && prev_len == klen)
			continue;	/* same name, another list */
		for (size_t j = skip; j < klen && rc == RBL_OK; j++)
			if (k[j] == 0)
				rc = npt_push(pts, e->v[i].koff, j + 1);
		prev = k;
		prev_len = klen;
	}
	if (rc == RBL_OK) {
		size_t o = 0;

		if (pts->n)
			qsort_r(pts->v, pts->n, sizeof *pts->v, npt_cmp,
				e->keys);
		for (size_t i = 0; i < pts->n; i++)
			if (o == 0 || npt_cmp(&pts->v[o - 1], &pts->v[i],
					      e->keys) != 0)
				pts->v[o++] = pts->v[i];
		pts->n = o;
	}
	return rc;
}

/* ------------------------------------------------------------ answers */

typedef struct nstack {
	const xf_nament **v;
	size_t n;
} nstack;

static bool is_prefix(const uint8_t *keys, const xf_nament *e, uint32_t koff,
		      size_t klen)
{
	return e->klen <= klen &&
	       memcmp(keys + e->koff, keys + koff, e->klen) == 0;
}

static void point_combos(xf_ctx *x, const nstack *s, const npt *q)
{
	uint32_t exact[RBL_ZONE_MAX_LISTS] = { 0 }, below[RBL_ZONE_MAX_LISTS] =
		{ 0 };
	bool ex_done[RBL_ZONE_MAX_LISTS] = { false },
	     be_done[RBL_ZONE_MAX_LISTS] = { false };

	for (size_t i = s->n; i-- > 0;) {
		const xf_nament *e = s->v[i];
		bool at = e->klen == q->klen;

		if (!ex_done[e->li] && ((at && (e->sel & RBL_ENTRY_NAME_EXACT))
					|| (!at && (e->sel &
						    RBL_ENTRY_NAME_SUBS)))) {
			ex_done[e->li] = true;
			exact[e->li] = e->ans;
		}
		if (!be_done[e->li] && (e->sel & RBL_ENTRY_NAME_SUBS)) {
			be_done[e->li] = true;
			below[e->li] = e->ans;
		}
	}
	((npt *)q)->exact = xf_combo(x, exact);
	((npt *)q)->below = xf_combo(x, below);
}

static int compute_combos(xf_ctx *x, const xf_namevec *e, nptvec *pts)
{
	nstack s = { calloc(e->n + 1, sizeof *s.v), 0 };
	size_t ei = 0;

	if (!s.v)
		return RBL_ENOMEM;
	for (size_t i = 0; i < pts->n; i++) {
		const npt *q = &pts->v[i];

		while (ei < e->n &&
		       xf_key_cmp(e->keys + e->v[ei].koff, e->v[ei].klen,
				  e->keys + q->koff, q->klen) <= 0) {
			const xf_nament *n = &e->v[ei++];

			while (s.n && !is_prefix(e->keys, s.v[s.n - 1],
						 n->koff, n->klen))
				s.n--;
			s.v[s.n++] = n;
		}
		while (s.n && !is_prefix(e->keys, s.v[s.n - 1], q->koff,
					 q->klen))
			s.n--;
		point_combos(x, &s, q);
	}
	free(s.v);
	return x->error;
}

/* ------------------------------------------------------------ shape */

static int link_and_shape(const uint8_t *keys, nptvec *pts)
{
	int32_t *stack = malloc((pts->n + 1) * sizeof *stack);
	size_t sp = 0;

	if (!stack)
		return RBL_ENOMEM;
	for (size_t i = 0; i < pts->n; i++) {
		npt *q = &pts->v[i];

		while (sp) {
			const npt *t = &pts->v[stack[sp - 1]];

			if (t->klen < q->klen &&
			    !memcmp(keys + t->koff, keys + q->koff, t->klen))
				break;
			sp--;
		}
		if (sp)
			q->parent = stack[sp - 1];
		stack[sp++] = (int32_t)i;
		if (q->exact)
			q->fl |= NP_REC;
		if (q->below)
			q->fl |= NP_WILD;
	}
	free(stack);
	for (size_t i = pts->n; i-- > 0;) {
		npt *q = &pts->v[i];
		bool matched = q->parent >= 0 &&
			       (pts->v[q->parent].fl & NP_WILD);

		if (matched && !(q->fl & (NP_REC | NP_WILD | NP_CHILD)))
			q->fl |= NP_PLACE;
		if (q->parent >= 0 && q->fl)
			pts->v[q->parent].fl |= NP_CHILD;
	}
	return RBL_OK;
}

/* ------------------------------------------------------------ records */

/* Owner (wire, relative, with the sub-label) and text of key K. */
static size_t name_owner(const xf_ctx *x, const uint8_t *k, size_t klen,
			 bool wild, uint8_t *own, char *text)
{
	size_t n = 0, t = 0, end = klen;

	if (wild) {
		own[n++] = 1;
		own[n++] = '*';
	}
	while (end > 0) {
		size_t start = end - 1;

		while (start > 0 && k[start - 1] != 0)
			start--;
		own[n++] = (uint8_t)(end - 1 - start);
		memcpy(own + n, k + start, end - 1 - start);
		n += end - 1 - start;
		if (t)
			text[t++] = '.';
		memcpy(text + t, k + start, end - 1 - start);
		t += end - 1 - start;
		end = start;
	}
	text[t] = 0;
	xf_owner_sub(x, own, &n);
	return n;
}

static int emit_npoint(xf_ctx *x, const uint8_t *keys, const npt *q)
{
	uint8_t own[XF_NAME_KEY_MAX + 80];
	char text[XF_NAME_KEY_MAX + 1];
	const uint8_t *k = keys + q->koff;
	size_t n;
	int rc = RBL_OK;

	if (q->fl & (NP_REC | NP_PLACE)) {
		n = name_owner(x, k, q->klen, false, own, text);
		rc = (q->fl & NP_REC)
		     ? xf_emit_combo(x, own, n, q->exact, text, false)
		     : xf_emit_placeholder(x, own, n);
	}
	if (rc == RBL_OK && (q->fl & NP_WILD)) {
		n = name_owner(x, k, q->klen, true, own, text);
		rc = xf_emit_combo(x, own, n, q->below, text, true);
	}
	return rc;
}

int xf_name_expand(xf_ctx *x, xf_namevec *ents, const uint8_t *only,
		   size_t only_len)
{
	nptvec pts = { NULL, 0, 0 };
	int rc = gen_points(ents, &pts);

	if (rc == RBL_OK)
		rc = compute_combos(x, ents, &pts);
	if (rc == RBL_OK)
		rc = link_and_shape(ents->keys, &pts);
	for (size_t i = 0; i < pts.n && rc == RBL_OK; i++) {
		const npt *q = &pts.v[i];

		/* ancestors of ONLY were points for their answers only */
		if (only && (q->klen < only_len ||
			     memcmp(ents->keys + q->koff, only, only_len)))
			continue;
		rc = emit_npoint(x, ents->keys, q);
	}
	free(pts.v);
	return rc;
}
