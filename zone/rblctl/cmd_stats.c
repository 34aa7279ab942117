/*
 * cmd_stats.c -- rblctl stats and purge.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

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
	unsigned long long total = 0;

	for (unsigned i = 0; i < z->n_lists; i++) {
		rbl_list l;

		if (rbl_list_get_id(t, z->lists[i].list_id, &l) == RBL_OK)
			total += l.n_entries;
	}
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
	rbl_store_stats st;
	rbl_txn *t;
	int rc;

	if (argc != 1)
		return ctl_usage(ctl_find_cmd("stats"), "stats takes no "
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

/* Expired entries, and with them what the listing policy keeps: evidence
 * past its retention, decayed scores (cmd_evidence.c). */
int cmd_purge(ctl *c, int argc, char **argv)
{
	rbl_policy_purge_stats st;
	uint64_t n;
	rbl_txn *t;
	int rc;

	if (argc != 1)
		return ctl_usage(ctl_find_cmd("purge"), "purge takes no "
				 "arguments");
	if (ctl_open_store(c, false) != CTL_OK ||
	    ctl_begin(c, true, &t) != CTL_OK)
		return CTL_ERR;
	memset(&st, 0, sizeof(st));
	rc = ctl_policy_purge(c, t, (int64_t)time(NULL), &st);
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

int cmd_user(ctl *c, int argc, char **argv)
{
	if (ctl_open_store(c, true) != CTL_OK)
		return CTL_ERR;
	return rblctl_cmd_user(c->store, argc, argv);
}
