/*
 * quota.c -- per-client daily query counts (see quota.h).
 *
 * The counts live in a client table (clienttab.h) whose epoch is the UTC
 * day number, so every count restarts at midnight UTC at once and
 * nothing needs sweeping; an entry's RANK is its count, so a full table
 * forgets the smallest.
 */
#include <stdlib.h>

#include "zone/error.h"
#include "clienttab.h"
#include "quota.h"

#define DAY		86400

struct rbl_quota {
	const rbl_quota_conf *conf;
	rbl_clienttab tab;
};

int rbl_quota_new(const rbl_quota_conf *conf, rbl_quota **out)
{
	rbl_quota *q = calloc(1, sizeof(*q));

	if (!q)
		return RBL_ENOMEM;
	q->conf = conf;
	if (rbl_clienttab_init(&q->tab, conf->table_size) != RBL_OK) {
		free(q);
		return RBL_ENOMEM;
	}
	*out = q;
	return RBL_OK;
}

void rbl_quota_free(rbl_quota *q)
{
	if (!q)
		return;
	rbl_clienttab_fini(&q->tab);
	free(q);
}

bool rbl_quota_over(rbl_quota *q, const rbl_addr *client, int64_t now)
{
	const rbl_quota_conf *c = q->conf;
	bool v6 = client->family == RBL_AF6;
	uint32_t day = (uint32_t)(now / DAY) + 1;	/* never 0 */
	rbl_client_entry *e = NULL;
	bool fresh = false;

	if (c->per_day == 0 || (c->exempt && rbl_acl_match(c->exempt, client)))
		return false;
	e = rbl_clienttab_get(&q->tab,
			      rbl_client_key(client,
					     v6 ? c->prefix6 : c->prefix4),
			      (uint8_t)(1 + v6), day, &fresh);
	if (e->rank < UINT32_MAX)	/* the day's count; saturates */
		e->rank++;
	return e->rank > c->per_day;
}
