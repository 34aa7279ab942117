/*
 * rrl.c -- response rate limiting (see rrl.h).
 *
 * The counts live in a client table (clienttab.h) keyed by the prefix
 * and a tag for family and class, ranked by the second of the last
 * response so a full table forgets the least recently used prefix.  An
 * entry's VALUE is the credit, SMALL the limited responses since the last
 * slip, FLAG whether the log said so while limited.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/error.h"
#include "zone/log.h"
#include "clienttab.h"
#include "dns.h"
#include "rrl.h"

#define LOG_PER_SECOND	10
#define EPOCH		1	/* RRL ages by rank, never by epoch */

struct rbl_rrl {
	const rbl_rrl_conf *conf;
	rbl_clienttab tab;
	int64_t log_second;
	unsigned log_count;
};

static const char *const class_names[] = { "answers", "nxdomain",
					   "errors" };

bool rbl_rrl_enabled(const rbl_rrl_conf *c)
{
	for (int i = 0; i < RBL_RRL_NCLASSES; i++)
		if (c->rate[i])
			return true;
	return false;
}

int rbl_rrl_new(const rbl_rrl_conf *conf, rbl_rrl **out)
{
	rbl_rrl *r = calloc(1, sizeof(*r));

	if (!r)
		return RBL_ENOMEM;
	r->conf = conf;
	if (rbl_clienttab_init(&r->tab, conf->table_size) != RBL_OK) {
		free(r);
		return RBL_ENOMEM;
	}
	*out = r;
	return RBL_OK;
}

void rbl_rrl_free(rbl_rrl *r)
{
	if (!r)
		return;
	rbl_clienttab_fini(&r->tab);
	free(r);
}

int rbl_rrl_class_of(int rcode)
{
	if (rcode == DNS_RCODE_NOERROR)
		return RBL_RRL_ANSWER;
	return rcode == DNS_RCODE_NXDOMAIN ? RBL_RRL_NXDOMAIN : RBL_RRL_ERROR;
}

/* Credit for the seconds since the last response, then spend one. */
static void spend(rbl_client_entry *e, uint32_t rate, uint32_t window,
		  uint32_t now, bool fresh)
{
	int64_t b = fresh ? (int64_t)rate : (int64_t)e->value;
	int64_t floor = -(int64_t)window * rate;

	if (!fresh && now > e->rank)
		b += (int64_t)(now - e->rank) * rate;
	if (b > rate)
		b = rate;
	b--;
	e->value = (int32_t)(b < floor ? floor : b);
	e->rank = now;
}

static void log_start(rbl_rrl *r, const rbl_addr *client, int cls,
		      int64_t now)
{
	char text[RBL_ADDR_STRLEN];
	rbl_prefix p = { *client, client->family == RBL_AF6
			 ? r->conf->prefix6 : r->conf->prefix4 };

	if (now != r->log_second) {
		r->log_second = now;
		r->log_count = 0;
	}
	if (r->log_count++ >= LOG_PER_SECOND)
		return;
	rbl_prefix_canon(&p);
	rbl_log_notice("rrl: %s %s to %s", r->conf->dry_run
		       ? "would limit" : "limiting", class_names[cls],
		       rbl_prefix_format(&p, text));
}

static bool exempt(const rbl_rrl_conf *c, const rbl_addr *client)
{
	return c->exempt && rbl_acl_match(c->exempt, client) != NULL;
}

int rbl_rrl_check(rbl_rrl *r, const rbl_addr *client, int cls, int64_t now,
		  bool *limited)
{
	const rbl_rrl_conf *c = r->conf;
	bool v6 = client->family == RBL_AF6;
	uint64_t key = rbl_client_key(client, v6 ? c->prefix6 : c->prefix4);
	uint8_t tag = (uint8_t)(1 + (v6 ? 4 : 0) + cls);
	rbl_client_entry *e = NULL;
	bool fresh = false;

	*limited = false;
	if (cls < 0 || cls >= RBL_RRL_NCLASSES || c->rate[cls] == 0 ||
	    exempt(c, client))
		return RBL_RRL_SEND;
	e = rbl_clienttab_get(&r->tab, key, tag, EPOCH, &fresh);
	spend(e, c->rate[cls], c->window, (uint32_t)now, fresh);
	if (e->value >= 0) {
		e->flag = 0;
		return RBL_RRL_SEND;
	}
	*limited = true;
	if (c->log && !e->flag) {
		e->flag = 1;
		log_start(r, client, cls, now);
	}
	if (c->dry_run)
		return RBL_RRL_SEND;
	if (c->slip && ++e->small >= c->slip) {
		e->small = 0;
		return RBL_RRL_SLIP;
	}
	return RBL_RRL_DROP;
}

size_t rbl_rrl_slip(uint8_t *msg, size_t len, size_t qend, bool has_opt)
{
	enum { OPT_LEN = 11 };
	bool opt = has_opt && len >= qend + OPT_LEN;

	if (len < qend || qend < DNS_HDR_LEN)
		return len;
	if (opt)
		memmove(msg + qend, msg + len - OPT_LEN, OPT_LEN);
	msg[2] |= DNS_FLAG_TC;
	dns_put16(msg + 6, 0);
	dns_put16(msg + 8, 0);
	dns_put16(msg + 10, opt ? 1 : 0);
	return qend + (opt ? OPT_LEN : 0);
}
