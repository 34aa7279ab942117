/*
 * cmd_stats.c -- rblctl stats and purge.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_evidence.h"
#include "cmd_user.h"
#include "ctl.h"
#include "zone/error.h"

static int stat_list(void *arg, const rbl_list *l)
{
	(void)arg;
	printf("list %-32s %-4s %12llu entries\n", l->name,
	       ctl_kind_name(l->kind), (unsigned long long)l->n_entries);
	return 0;
}

static int stat_zone(void *arg, const rbl_zone *z)
{
	rbl_txn *t = arg;
	unsigned long long total = rbl_zone_entries(t, z);

	printf("zone %-32s serial %-10u %2u list%s %12llu entries\n",
	       z->name, z->serial, z->n_lists, z->n_lists == 1 ? " " : "s",
	       total);
	return 0;
}

static double mib(size_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

int cmd_stats(ctl *c, int argc, char **argv)
{
	rbl_store_stats st = { 0 };
	rbl_txn *t = NULL;
	int rc;

	if (argc != 1)
		return ctl_usage(c->cmd, "stats takes no "
				 "arguments");
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, false, &t) != CTL_OK)
		return CTL_ERR;
	rc = rbl_list_foreach(t, stat_list, NULL);
	if (rc == RBL_OK)
		rc = rbl_zone_foreach(t, stat_zone, t);
	if (rc == RBL_OK)
		rc = rbl_store_stats_get(t, &st);
	rbl_txn_abort(t);
	if (rc != RBL_OK)
		return ctl_fail(NULL, rc, "stats");
	printf("store %s\n", rbl_store_path(c->store));
	printf("entries %llu\n", (unsigned long long)st.n_entries);
	printf("map size %.1f MiB, used %.1f MiB (%.1f%%), page %zu bytes\n",
	       mib(st.map_size), mib(st.map_used),
	       st.map_size ? 100.0 * (double)st.map_used /
	       (double)st.map_size : 0.0, st.page_size);
	printf("readers %u of %u\n", st.num_readers, st.max_readers);
	return CTL_OK;
}

#define JOURNAL_RETENTION_DEFAULT	(7 * 86400)

/* server: journal-retention, for IXFR (doc/deployment.md). */
static int journal_retention(const ctl *c, uint32_t *secs)
{
	char err[RBL_CONF_ERRLEN];
	const rbl_conf_section *s = c->conf ? rbl_conf_next(c->conf, "server",
							    NULL) : NULL;

	if (rbl_conf_duration(c->conf, s, "journal-retention",
			      JOURNAL_RETENTION_DEFAULT, secs, err,
			      sizeof(err)) != RBL_OK)
		return ctl_err("%s", err);
	return CTL_OK;
}

/* One purge: expired entries (journalled like any deletion, so zone
 * transfers see them go), the policy's old state, journal records older
 * than the retention, in one transaction. */
static int purge_once(ctl *c, uint32_t retention)
{
	rbl_policy_purge_stats st = { 0 };
	int64_t now = (int64_t)time(NULL);
	uint64_t n;
	unsigned keys = 0;
	rbl_txn *t = NULL;
	int rc;

	/* rbld cannot write: the keys' last use comes from its counters */
	if ((rc = ctl_key_sync(c, &keys)) != RBL_OK)
		ctl_err("access keys' last use: %s", rbl_strerror(rc));
	if (ctl_begin(c, true, &t) != CTL_OK)
		return CTL_ERR;
	memset(&st, 0, sizeof(st));
	rc = ctl_policy_purge(c, t, now, &st);
	if (rc == RBL_OK)
		rc = rbl_journal_prune(t, now, retention);
	if (rc != RBL_OK)
		return ctl_fail(t, rc, "purge");
	if (ctl_commit(t, "purge") != CTL_OK)
		return CTL_ERR;
	n = st.entries_expired;
	ctl_say(c, "%llu expired entr%s removed", (unsigned long long)n,
		n == 1 ? "y" : "ies");
	if (st.evidence_pruned || st.states_dropped)
		ctl_say(c, ", %llu old evidence records and %llu score states "
			"dropped", (unsigned long long)st.evidence_pruned,
			(unsigned long long)st.states_dropped);
	ctl_say(c, "\n");
	return CTL_OK;
}

/* Expired entries, and with them what the listing policy keeps: evidence
 * past its retention, decayed scores (cmd_evidence.c); with --every, again
 * and again (a purge daemon for a zone-transfer primary: rbld itself
 * opens the store read-only). */
int cmd_purge(ctl *c, int argc, char **argv)
{
	uint32_t every = 0, retention = 0;
	int rc;

	if (argc == 3 && strcmp(argv[1], "--every") == 0) {
		if (rbl_parse_duration(argv[2], &every) != RBL_OK || !every)
			return ctl_usage(c->cmd, "--every: a "
					 "duration (30s, 5m, 1h)");
	} else if (argc != 1) {
		return ctl_usage(c->cmd, "purge takes no "
				 "arguments but --every DURATION");
	}
	if (ctl_open_store(c, false) != CTL_OK ||
	    journal_retention(c, &retention) != CTL_OK)
		return CTL_ERR;
	for (;;) {
		rc = purge_once(c, retention);
		if (!every)
			return rc;
		fflush(stdout);
		sleep(every);
	}
}

int cmd_user(ctl *c, int argc, char **argv)
{
	if (ctl_open_store(c, true) != CTL_OK)
		return CTL_ERR;
	return rblctl_cmd_user(c->store, argc, argv);
}
