/*
 * evsummary.c -- evidence counts and their plain-language summary (see
 * evsummary.h).
 */
#include <string.h>

#include "zone/error.h"
#include "evsummary.h"
#include "html.h"

struct count_ctx {
	const rbl_prefix *p;
	adm_evcount *c;
};

static int count_one(void *arg, const rbl_evidence *ev)
{
	struct count_ctx *x = arg;
	adm_evcount *c = x->c;
	unsigned k = ev->kind <= RBL_EV_KINDS ? ev->kind : 0;

	c->total++;
	if (ev->subject.len < x->p->len) {
		c->n_wider++;
		return 0;
	}
	c->n[k]++;
	if (!c->first[k] || ev->when < c->first[k])
		c->first[k] = ev->when;
	if (ev->when > c->last[k])
		c->last[k] = ev->when;
	return 0;
}

int adm_evidence_count(rbl_txn *t, const rbl_prefix *p, adm_evcount *out)
{
	struct count_ctx x = { p, out };

	memset(out, 0, sizeof *out);
	return rbl_evidence_foreach_related(t, p, count_one, &x);
}

static void period(adm_buf *b, int64_t first, int64_t last)
{
	char f[32], l[32];

	adm_time(first, "", f);
	adm_time(last, "", l);
	f[10] = l[10] = '\0';	/* dates only */
	if (strcmp(f, l) == 0)
		adm_htmlf(b, " on %s", f);
	else
		adm_htmlf(b, " between %s and %s", f, l);
}

void adm_evidence_public(adm_buf *b, const adm_evcount *c)
{
	static const char *const what[RBL_EV_KINDS + 1] = {
		[RBL_EV_TRAP] = "spam trap message(s): mail sent by this "
				"address to addresses that never asked for mail",
		[RBL_EV_REPORT] = "abuse report(s) from mail operators "
				  "about mail from this address",
		[RBL_EV_MANUAL] = "note(s) entered by our operators",
	};

	adm_puts(b, "<ul>");
	for (int k = 1; k <= RBL_EV_KINDS; k++) {
		if (!c->n[k])
			continue;
		adm_htmlf(b, "<li>%llu %s", (unsigned long long)c->n[k], what[k]);
		period(b, c->first[k], c->last[k]);
		adm_puts(b, ".</li>");
	}
	if (c->n_wider)
		adm_htmlf(b, "<li>%llu report(s) about the network this address "
			     "belongs to.</li>", (unsigned long long)c->n_wider);
	if (!c->total)
		adm_puts(b, "<li>No stored evidence: the listing was made by "
			    "policy (for example, address space that should "
			    "not send mail directly) or by an operator.</li>");
	adm_puts(b, "</ul>");
}

struct table_ctx {
	adm_buf *b;
	unsigned shown, max;
};

static int table_row(void *arg, const rbl_evidence *ev)
{
	struct table_ctx *x = arg;
	char when[32], subj[RBL_ADDR_STRLEN], hex[2 * RBL_EV_HASH_LEN + 1];

	if (x->shown == x->max)
		return 1;
	if (x->shown++ == 0)
		adm_puts(x->b, "<table><tr><th>When</th><th>Kind</th>"
			       "<th>Subject</th><th>Source</th>"
			       "<th class=\"num\">Weight</th><th>Summary</th></tr>");
	rbl_evidence_hash_hex(ev->hash, hex);
	adm_htmlf(x->b, "<tr><td>%s</td><td>%s</td><td class=\"mono\">%s</td>"
			"<td>%s</td>",
		  adm_time(ev->when, "-", when),
		  rbl_evidence_kind_name(ev->kind),
		  rbl_prefix_format(&ev->subject, subj), ev->source);
	adm_printf(x->b, "<td class=\"num\">%.2f</td>", ev->weight);
	adm_htmlf(x->b, "<td title=\"%s\">%s</td></tr>", hex, ev->summary);
	return 0;
}

int adm_evidence_table(adm_buf *b, rbl_txn *t, const rbl_prefix *p,
		       unsigned max)
{
	struct table_ctx x = { b, 0, max };
	int rc = rbl_evidence_foreach_related(t, p, table_row, &x);

	if (x.shown)
		adm_puts(b, "</table>");
	else
		adm_puts(b, "<p class=\"muted\">No evidence stored.</p>");
	if (rc == 1)
		rc = RBL_OK;
	return rc == RBL_OK ? (int)x.shown : rc;
}
