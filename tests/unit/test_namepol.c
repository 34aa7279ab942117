/*
 * test_namepol.c -- name evidence and the domain policy with a clock the
 * test controls: de-duplication by message hash, scoring and expiry of
 * domain and hash listings, the newly-seen list and its hourly code,
 * link shorteners, the allow list, a human delisting block, recompute,
 * purge, and the address hash of hash lists.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/store_test.h"
#include "zone/config/config.h"
#include "zone/policy/nameev.h"
#include "zone/policy/namepol.h"

#define T0 1800000000

static const char conf_text[] =
	"evidence:\n"
	"    retention: 30d\n"
	"domain-policy: links\n"
	"    list: dbl\n"
	"    threshold: 2\n"
	"    half-life: 0\n"
	"    expire-after: 1d\n"
	"    code: 127.0.1.2\n"
	"    txt: \"linked: $\"\n"
	"    code-redirector: 127.0.1.3\n"
	"    allow-list: dbl-allow\n"
	"    newly-seen-list: nod\n"
	"    reply-to-list: ebl\n"
	"    weight-reply-to: 2\n";

static rbl_store *S;
static rbl_namepol_set *SET;
static uint32_t DBL, ALLOW, NOD, EBL;
static unsigned seq;

static void setup(void)
{
	char err[RBL_CONF_ERRLEN] = "";
	rbl_conf *c = NULL;
	rbl_txn *t = NULL;

	S = open_rw(tmp_store_dir("namepol"));
	CHECK_RC(rbl_conf_parse(conf_text, sizeof conf_text - 1, "test.conf",
				&c, err, sizeof err), RBL_OK);
	CHECK_RC(rbl_conf_check(c, err, sizeof err), RBL_OK);
	CHECK_RC(rbl_namepol_load(c, &SET, err, sizeof err), RBL_OK);
	rbl_conf_free(c);
	t = begin(S, true);
	DBL = make_list(t, "dbl", RBL_LIST_NAME);
	ALLOW = make_list(t, "dbl-allow", RBL_LIST_NAME);
	NOD = make_list(t, "nod", RBL_LIST_NEWLY_SEEN);
	/* a kind that does not fit is refused */
	EBL = make_list(t, "ebl", RBL_LIST_NAME);
	CHECK_RC(rbl_namepol_resolve(t, SET, err, sizeof err), RBL_EINVAL);
	CHECK(strstr(err, "ebl") != NULL);
	rbl_txn_abort(t);
	t = begin(S, true);
	DBL = make_list(t, "dbl", RBL_LIST_NAME);
	ALLOW = make_list(t, "dbl-allow", RBL_LIST_NAME);
	NOD = make_list(t, "nod", RBL_LIST_NEWLY_SEEN);
	EBL = make_list(t, "ebl", RBL_LIST_HASH);
	CHECK_RC(rbl_namepol_resolve(t, SET, err, sizeof err), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(SET->n == 1 && SET->any_reply_to && SET->any_redirector);
}

/* One trap message naming NAMES (NULL-terminated, "uri:" or
 * "reply-to:" prefixed), received at WHEN, settled at NOW.  HASH_SEQ 0
 * takes a fresh message hash, else that one (a replay).  Returns the
 * rbl_nev_add result. */
static int message(const char *const *names, int64_t when, int64_t now,
		   unsigned hash_seq, unsigned flags, rbl_policy_result *res)
{
	static rbl_nev_msg m;
	rbl_namepol_batch *b = NULL;
	rbl_txn *t = begin(S, true);
	unsigned h = hash_seq ? hash_seq : ++seq + 1000;
	int rc = 0;

	memset(&m, 0, sizeof m);
	memcpy(m.hash, &h, sizeof h);
	m.when = when;
	snprintf(m.source, sizeof m.source, "trap:t@trap.test");
	snprintf(m.summary, sizeof m.summary, "Subject: offer %u", h);
	for (; *names; names++) {
		rbl_nev_item *it = &m.items[m.n++];
		const char *colon = strchr(*names, ':');
		it->kind = strncmp(*names, "uri", 3) == 0 ? RBL_NEV_URI :
			   RBL_NEV_REPLY_TO;
		it->weight = 1;
		snprintf(it->name, sizeof it->name, "%s", colon + 1);
		snprintf(it->found, sizeof it->found, "http://www.%s/x",
			 colon + 1);
	}
	CHECK_RC(rbl_namepol_batch_new(SET, &b), RBL_OK);
	rc = rbl_nev_add(t, &m);
	for (unsigned i = 0; rc == RBL_OK && i < m.n; i++)
		CHECK_RC(rbl_namepol_note(t, b, m.items[i].name, m.items[i].kind,
					  1, when, m.hash, flags), RBL_OK);
	if (rc == RBL_OK)
		CHECK_RC(rbl_namepol_settle(t, b, now, res), RBL_OK);
	rbl_namepol_batch_free(b);
	if (rc == RBL_OK)
		CHECK_RC(rbl_txn_commit(t), RBL_OK);
	else
		rbl_txn_abort(t);
	return rc;
}

/* The last octet of the answer for NAME in LIST at NOW, as rbld gives
 * it (newly-seen lists: from the entry's expiry), -1 if not listed. */
static int answer(uint32_t list, const char *name, int64_t now)
{
	rbl_txn *t = begin(S, false);
	rbl_match m = { 0 };
	int rc = rbl_name_lookup_str(t, list, name, now, &m), v = -1;

	if (rc == RBL_OK) {
		uint32_t code = m.n_codes ? m.codes[0] : 0x7f000002u;
		if (list == NOD)
			code = rbl_newly_seen_code(m.expires, now, code);
		v = (int)(code & 255) | (int)((code >> 8) & 255) << 8;
	}
	rbl_txn_abort(t);
	return v;
}

static void test_scoring(void)
{
	const char *one[] = { "uri:spam-shop.com", "uri:other.net", NULL };
	const char *again[] = { "uri:spam-shop.com", NULL };
	rbl_policy_result res = { 0 };

	CHECK_RC(message(one, T0, T0, 0, 0, &res), RBL_OK);
	CHECK(res.newly_listed == 0);
	CHECK(answer(DBL, "spam-shop.com", T0) == -1);	/* score 1 < 2 */
	/* the same message again: nothing new */
	CHECK_RC(message(one, T0, T0, seq + 1000, 0, &res), RBL_EEXIST);
	CHECK(answer(DBL, "spam-shop.com", T0) == -1);
	CHECK_RC(message(again, T0 + 60, T0 + 60, 0, 0, &res), RBL_OK);
	CHECK(res.newly_listed == 1);
	/* 127.0.1.2, for the name and every name below it */
	CHECK(answer(DBL, "spam-shop.com", T0 + 60) == 0x0102);
	CHECK(answer(DBL, "www.spam-shop.com", T0 + 60) == 0x0102);
	CHECK(answer(DBL, "other.net", T0 + 60) == -1);
	/* expire-after 1d after the last evidence, rounded up to the
	 * granule: 1d / 16 = 5400 s */
	{
		int64_t g = rbl_namepol_granule(&SET->pols[0]);
		int64_t end = T0 + 60 + 86400;
		end += (g - end % g) % g;
		CHECK(g == 5400);
		CHECK(answer(DBL, "spam-shop.com", end - 1) == 0x0102);
		CHECK(answer(DBL, "spam-shop.com", end) == -1);
	}
}

static void test_newly_seen(void)
{
	const char *fresh[] = { "uri:fresh-domain.com", NULL };
	const char *old[] = { "uri:fresh-domain.com", NULL };
	rbl_txn *t = NULL;
	rbl_entry e = { 0 };

	/* first seen 5 hours before NOW: 127.0.2.5, TXT with the time */
	CHECK_RC(message(fresh, T0 - 5 * 3600, T0, 0, 0, NULL), RBL_OK);
	CHECK(answer(NOD, "fresh-domain.com", T0) == 0x0205);
	CHECK(answer(NOD, "fresh-domain.com", T0 + 3600) == 0x0206);
	/* the first two hours are both 2 (127.0.2.0/31 are no codes) */
	CHECK(answer(NOD, "fresh-domain.com", T0 - 5 * 3600 + 10) == 0x0202);
	CHECK(answer(NOD, "fresh-domain.com", T0 - 5 * 3600 + 3700) == 0x0202);
	CHECK(answer(NOD, "fresh-domain.com", T0 + 18 * 3600 + 1) == 0x0217);
	/* gone when the 24 hours are over */
	CHECK(answer(NOD, "fresh-domain.com", T0 + 19 * 3600) == -1);
	t = begin(S, false);
	CHECK_RC(rbl_name_get(t, NOD, "fresh-domain.com", &e), RBL_OK);
	CHECK_STR(e.txt, "first seen 2027-01-15T03:00:00Z");
	rbl_txn_abort(t);
	/* older evidence imported late moves first-seen back: no longer new */
	CHECK_RC(message(old, T0 - 30 * 3600, T0, 0, 0, NULL), RBL_OK);
	CHECK(answer(NOD, "fresh-domain.com", T0) == -1);
}

static void test_reply_to(void)
{
	char hash[41] = "";
	const char *names[] = { NULL, NULL };
	char item[64] = "";

	CHECK_RC(rbl_namepol_hash_address(" DropBox@Example.NET ", hash), RBL_OK);
	CHECK_STR(hash, "83182b9c46e0dc942d908e8bb6f4138c6c48c381");
	CHECK_RC(rbl_namepol_hash_address("a b@c", hash), RBL_EINVAL);
	CHECK_RC(rbl_namepol_hash_address("", hash), RBL_EINVAL);
	rbl_namepol_hash_address("dropbox@example.net", hash);
	snprintf(item, sizeof item, "reply-to:%s", hash);
	names[0] = item;
	/* weight-reply-to 2 reaches the threshold at once; exact only,
	 * with the hash list's default code */
	CHECK_RC(message(names, T0, T0, 0, 0, NULL), RBL_OK);
	CHECK(answer(EBL, hash, T0) == 0x0002);
	CHECK(answer(DBL, hash, T0) == -1);
	CHECK(answer(NOD, hash, T0) == -1);
}

static void test_redirector_allow_block(void)
{
	const char *sh[] = { "uri:short.example", NULL };
	const char *al[] = { "uri:allowed-shop.com", NULL };
	rbl_policy_block_info blk = { 0 };
	rbl_txn *t = NULL;
	rbl_policy_result res = { 0 };

	CHECK_RC(message(sh, T0, T0, 0, RBL_NAMEPOL_REDIRECTOR, NULL), RBL_OK);
	CHECK_RC(message(sh, T0 + 1, T0 + 1, 0, RBL_NAMEPOL_REDIRECTOR, NULL),
		 RBL_OK);
	CHECK(answer(DBL, "short.example", T0 + 1) == 0x0103);
	CHECK(answer(NOD, "short.example", T0 + 1) == -1);	/* not "new" */
	/* an allow entry removes the listing at once and keeps it away */
	t = begin(S, true);
	CHECK_RC(rbl_namepol_allow_add(t, SET, "allowed-shop.com", 0,
				       "rblctl:test", "our customer", T0),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK_RC(message(al, T0, T0, 0, 0, NULL), RBL_OK);
	CHECK_RC(message(al, T0 + 1, T0 + 1, 0, 0, &res), RBL_OK);
	CHECK(res.ignored >= 1);
	CHECK(answer(DBL, "allowed-shop.com", T0 + 1) == -1);
	CHECK(answer(NOD, "allowed-shop.com", T0 + 1) == -1);
	CHECK(answer(ALLOW, "www.allowed-shop.com", T0 + 1) == 0x0002);
	t = begin(S, true);
	CHECK_RC(rbl_namepol_allow_del(t, SET, "allowed-shop.com", T0 + 2),
		 RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(answer(DBL, "allowed-shop.com", T0 + 2) == 0x0102);
	/* a human delisting: gone, old evidence never counts again */
	t = begin(S, true);
	CHECK_RC(rbl_namepol_block(t, SET, "allowed-shop.com", T0 + 10,
				   "admin:alice", "customer fixed it"), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(answer(DBL, "allowed-shop.com", T0 + 10) == -1);
	CHECK_RC(message(al, T0 + 5, T0 + 20, 0, 0, NULL), RBL_OK);
	CHECK(answer(DBL, "allowed-shop.com", T0 + 20) == -1);
	t = begin(S, true);
	CHECK_RC(rbl_namepol_recompute(t, SET, "allowed-shop.com", T0 + 20),
		 RBL_OK);
	CHECK_RC(rbl_namepol_block_get(t, "allowed-shop.com", &blk), RBL_OK);
	CHECK_STR(blk.who, "admin:alice");
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(answer(DBL, "allowed-shop.com", T0 + 20) == -1);
	/* newer evidence lists it again */
	CHECK_RC(message(al, T0 + 30, T0 + 30, 0, 0, NULL), RBL_OK);
	CHECK_RC(message(al, T0 + 31, T0 + 31, 0, 0, NULL), RBL_OK);
	CHECK(answer(DBL, "allowed-shop.com", T0 + 31) == 0x0102);
}

static int count_visit(void *arg, const rbl_nev *ev)
{
	unsigned *n = arg;

	if (strstr(ev->summary, "Subject: offer") && strstr(ev->found, "http://"))
		(*n)++;
	return 0;
}

static void test_explain_purge(void)
{
	rbl_namepol_status st[4];
	size_t n = 0;
	unsigned seen = 0;
	uint64_t ev = 0, states = 0;
	char name[RBL_NAME_MAX + 1] = "";
	rbl_txn *t = begin(S, false);

	CHECK_RC(rbl_namepol_foreach_recent(t, "spam-shop.com", count_visit,
					    &seen), RBL_OK);
	CHECK(seen == 2);
	CHECK_RC(rbl_namepol_explain(t, SET, "spam-shop.com", T0 + 60, st, 4,
				     &n), RBL_OK);
	CHECK(n == 1 && st[0].n_evidence == 2 && st[0].listed);
	CHECK(st[0].score == 2);
	CHECK_RC(rbl_namepol_explain(t, SET, "other.net", T0 + 60, st, 4, &n),
		 RBL_OK);
	CHECK(n == 1 && st[0].n_evidence == 1 && !st[0].listed);
	rbl_txn_abort(t);
	CHECK_RC(rbl_namepol_subject("B\xC3\xBC" "cher.DE.", name), RBL_OK);
	CHECK_STR(name, "xn--bcher-kva.de");
	CHECK_RC(rbl_namepol_subject("x@Example.net", name), RBL_OK);
	CHECK(strlen(name) == 40);
	CHECK_RC(rbl_namepol_subject("a..b", name), RBL_EINVAL);
	/* 31 days later: everything older than the retention goes */
	t = begin(S, true);
	CHECK_RC(rbl_namepol_purge(t, SET, T0 + 31 * 86400 + 100, &ev,
				   &states), RBL_OK);
	CHECK_RC(rbl_txn_commit(t), RBL_OK);
	CHECK(ev >= 10);
	CHECK(states >= 5);
	t = begin(S, false);
	seen = 0;
	CHECK_RC(rbl_namepol_foreach_recent(t, "spam-shop.com", count_visit,
					    &seen), RBL_OK);
	CHECK(seen == 0);	/* the messages are gone, and its state */
	CHECK_RC(rbl_namepol_explain(t, SET, "spam-shop.com", T0 + 32 * 86400,
				     st, 4, &n), RBL_OK);
	CHECK(n == 1 && st[0].n_evidence == 0);
	rbl_txn_abort(t);
}

int main(void)
{
	rbl_nev_msg bad = { .n = 1 };

	setup();
	test_scoring();
	test_newly_seen();
	test_reply_to();
	test_redirector_allow_block();
	test_explain_purge();
	/* bad input is refused, not stored */
	bad.items[0].kind = RBL_NEV_URI;
	bad.items[0].weight = 1;
	snprintf(bad.items[0].name, sizeof bad.items[0].name, "Not.Lower");
	{
		rbl_txn *t = begin(S, true);
		CHECK_RC(rbl_nev_add(t, &bad), RBL_EINVAL);
		rbl_txn_abort(t);
	}
	rbl_store_close(S);
	rbl_namepol_free(SET);
	return check_done();
}
