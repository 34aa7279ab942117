/*
 * pages_names.c -- the domain policies on the address page: for a
 * domain (or the hash of a drop-box address), each policy's score,
 * listing, newly-seen state, allow and block, and the trap messages
 * that named it -- when, which trap, the subject and the link as found
 * -- newest first (the domain policy keeps the newest
 * RBL_NAMEPOL_RECENT per list: zone/policy/namepol.h).
 */
#include <stdio.h>
#include <string.h>

#include "zone/error.h"
#include "zone/policy/evidence_dump.h"
#include "zone/policy/namepol.h"
#include "html.h"
#include "pages.h"

#define STATUS_MAX	16

static void status_row(adm_buf *b, const rbl_namepol_status *s)
{
	const rbl_namepol *p = s->policy;
	char score[64] = "", state[256] = "";

	snprintf(score, sizeof score, "%.3g of %g", s->score, p->threshold);
	if (s->blocked)
		snprintf(state, sizeof state, "delisted by %s: %s", s->block.who,
			 s->block.why);
	else if (s->allowed)
		snprintf(state, sizeof state, "allowed by list %s",
			 p->allow_list);
	else if (s->listed)
		snprintf(state, sizeof state, "listed%s",
			 s->redirector ? " (link shortener)" : "");
	else
		snprintf(state, sizeof state, "not listed");
	adm_puts(b, "<tr>");
	adm_td(b, "Policy", NULL, "%W", p->name);
	adm_td(b, "List", NULL, "%W", s->kind == RBL_NEV_URI ? p->list :
	       p->reply_to_list);
	adm_td(b, "#Score", "num", "%W", score);
	adm_td(b, "#Messages", "num", "%llu",
	       (unsigned long long)s->n_evidence);
	adm_td_time(b, "First seen", s->first_seen, "-");
	adm_td_time(b, "Last seen", s->last_seen, "-");
	adm_td(b, "State", NULL, "%W", state);
	adm_td_time(b, "Expires", s->listed ? s->expires : 0, "-");
	adm_td(b, "Newly seen", NULL, "%s", s->kind != RBL_NEV_URI ||
	       !p->newly_seen_list_id ? "-" : s->newly_seen ? "yes" : "no");
	adm_puts(b, "</tr>");
}

static int message_row(void *arg, const rbl_nev *ev)
{
	adm_buf *b = arg;

	adm_puts(b, "<tr>");
	adm_td_time(b, "Received", ev->when, "");
	adm_td(b, "Trap", NULL, "%W", ev->source);
	adm_puts(b, "<td data-l=\"Subject\">");
	adm_longtext(b, strncmp(ev->summary, "Subject: ", 9) == 0 ?
		     ev->summary + 9 : ev->summary, 120);
	adm_puts(b, "</td><td data-l=\"As found\" class=\"mono\">");
	adm_longtext(b, ev->found, 120);
	adm_puts(b, "</td></tr>");
	return 0;
}

void adm_name_evidence(adm_buf *b, const adm_req *r, rbl_txn *t,
		       const char *subject)
{
	static const char *const cols[] = { "Policy", "List", "#Score",
		"#Messages", "First seen", "Last seen", "State", "Expires",
		"Newly seen", NULL };
	static const char *const mcols[] = { "Received", "Trap", "Subject",
		"As found", NULL };
	const rbl_namepol_set *set = r->app->namepols;
	rbl_namepol_status st[STATUS_MAX];
	char name[RBL_NAME_MAX + 1] = "";
	adm_buf rows = { 0 };
	size_t n = 0;

	if (!set || set->n == 0 ||
	    rbl_namepol_subject(subject, name) != RBL_OK)
		return;
	memset(st, 0, sizeof st);
	adm_puts(b, "<h2 id=\"dp\">Domain policies</h2>");
	if (rbl_namepol_explain(t, set, name, r->now, st, STATUS_MAX, &n) !=
	    RBL_OK || n == 0) {
		adm_puts(b, "<p>No domain policy reads this kind of name.</p>");
		return;
	}
	adm_table_begin(b, "domain-policies", cols);
	for (size_t i = 0; i < n; i++)
		status_row(b, &st[i]);
	adm_table_end(b);
	adm_puts(b, "<h2 id=\"tm\">Trap messages that named it</h2>");
	adm_htmlf(b, "<p class=\"muted\">The newest %d per list, newest first; "
		  "the link (or address) as the message wrote it.</p>",
		  RBL_NAMEPOL_RECENT);
	adm_buf_init(&rows);
	if (rbl_namepol_foreach_recent(t, name, message_row, &rows) != RBL_OK ||
	    !rows.p || !rows.len) {
		adm_puts(b, "<p>None within the evidence retention.</p>");
	} else {
		adm_table_begin(b, "trap-messages", mcols);
		adm_puts(b, rows.p);
		adm_table_end(b);
	}
	adm_buf_free(&rows);
}

void adm_name_evidence_public(adm_buf *b, const adm_req *r, rbl_txn *t,
			      const char *subject)
{
	const rbl_namepol_set *set = r->app->namepols;
	rbl_namepol_status st[STATUS_MAX];
	char name[RBL_NAME_MAX + 1] = "", d1[32] = "", d2[32] = "";
	uint64_t n = 0;
	int64_t first = 0, last = 0;
	size_t count = 0;

	memset(st, 0, sizeof st);
	if (!set || set->n == 0 || rbl_namepol_subject(subject, name) != RBL_OK ||
	    rbl_namepol_explain(t, set, name, r->now, st, STATUS_MAX,
				&count) != RBL_OK)
		return;
	for (size_t i = 0; i < count; i++) {
		if (st[i].n_evidence > n)
			n = st[i].n_evidence;
		if (st[i].first_seen && (!first || st[i].first_seen < first))
			first = st[i].first_seen;
		if (st[i].last_seen > last)
			last = st[i].last_seen;
	}
	if (n == 0)
		return;
	adm_htmlf(b, "<p>Spam that reached our spamtraps linked to it: %llu "
		  "message%s, from <span class=\"nw\">%s</span> to "
		  "<span class=\"nw\">%s</span>.</p>", (unsigned long long)n,
		  n == 1 ? "" : "s", adm_time(first, "", d1),
		  adm_time(last, "", d2));
}
