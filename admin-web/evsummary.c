/*
 * evsummary.c -- evidence counts and their plain-language summary (see
 * evsummary.h).
 */
#include <stdlib.h>
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
	adm_pager *pg;
};

static int table_row(void *arg, const rbl_evidence *ev)
{
	struct table_ctx *x = arg;
	char subj[RBL_ADDR_STRLEN], hex[2 * RBL_EV_HASH_LEN + 1];
	enum adm_row what = adm_pager_row(x->pg);

	if (what != ADM_ROW_SHOW)
		return what == ADM_ROW_STOP;
	rbl_evidence_hash_hex(ev->hash, hex);
	adm_puts(x->b, "<tr>");
	adm_td_time(x->b, "When", ev->when, "-");
	adm_td(x->b, "Kind", "nw", "%W", rbl_evidence_kind_name(ev->kind));
	adm_td(x->b, "Subject", "mono", "%W",
	       rbl_prefix_format(&ev->subject, subj));
	adm_td(x->b, "Source", NULL, "%W", ev->source);
	adm_printf(x->b, "<td data-l=\"Weight\" class=\"num\">%.2f</td>",
		   ev->weight);
	adm_htmlf(x->b, "<td data-l=\"Summary\" title=\"%s\">", hex);
	adm_longtext(x->b, ev->summary, 160);
	adm_puts(x->b, "</td></tr>");
	return 0;
}

int adm_evidence_table(adm_buf *b, const adm_req *r, rbl_txn *t,
		       const rbl_prefix *p, adm_pager *pg)
{
	static const char *const cols[] = { "When", "Kind", "Subject",
		"Source", "#Weight", "Summary", NULL };
	adm_buf rows = { 0 };
	struct table_ctx x = { &rows, pg };
	int rc;

	adm_buf_init(&rows);
	rc = rbl_evidence_foreach_related(t, p, table_row, &x);
	adm_pager_done(pg);
	if (rc == 1)
		rc = RBL_OK;
	adm_pager_table(b, r, pg, "record", "records", NULL, cols, &rows,
			"No evidence stored.");
	return rc == RBL_OK ? (int)pg->shown : rc;
}

static void policy_row(adm_buf *b, const rbl_policy_status *s)
{
	char exp[32], blk[32], as[RBL_ADDR_STRLEN];

	adm_puts(b, "<tr>");
	adm_td(b, "Policy", NULL, "%W", s->policy->name);
	adm_td(b, "List", NULL, "%W", s->policy->list);
	adm_printf(b, "<td data-l=\"Score / threshold\" class=\"num\">"
		      "%.2f / %.2f</td><td data-l=\"Reputation\" class=\"num\">"
		      "%u</td>", s->score, s->policy->threshold, s->reputation);
	adm_td(b, "Evidence", "num", "%llu", (unsigned long long)s->n_evidence);
	adm_td_time(b, "Last seen", s->last_seen, "-");
	if (s->listed)
		adm_td(b, "Listed", NULL, "as %W %S<span class=\"nw\">%s</span>",
		       rbl_prefix_format(&s->listed_as, as),
		       s->expires ? "until " : "", s->expires ?
		       adm_time(s->expires, "", exp) : "with no end");
	else
		adm_td(b, "Listed", NULL, "no");
	if (s->blocked)
		adm_td(b, "Allowed / blocked", NULL, "%Wdelisted %W by %W: %W",
		       s->allowed ? "allowed; " : "",
		       adm_time(s->block.when, "", blk), s->block.who,
		       s->block.why);
	else
		adm_td(b, "Allowed / blocked", NULL, "%W",
		       s->allowed ? "allowed" : "-");
	adm_puts(b, "</tr>");
}

void adm_policy_table(adm_buf *b, const adm_req *r, rbl_txn *t,
		      const rbl_prefix *p)
{
	static const char *const cols[] = { "Policy", "List",
		"#Score / threshold", "#Reputation", "#Evidence", "Last seen",
		"Listed", "Allowed / blocked", NULL };
	const rbl_policy_set *set = r->app->policies;
	rbl_policy_status *st = NULL;

	if (!set || set->n == 0 || !(st = calloc(set->n, sizeof *st)))
		return;
	if (rbl_policy_explain(t, set, p, r->now, st, set->n) == RBL_OK) {
		adm_table_begin(b, "policies", cols);
		for (size_t i = 0; i < set->n; i++)
			policy_row(b, &st[i]);
		adm_table_end(b);
	}
	free(st);
}
