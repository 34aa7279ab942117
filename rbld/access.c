/*
 * access.c -- the policy steps of the answer path (see access.h).
 */
#include <netinet/in.h>
#include <string.h>

#include "zone/error.h"
#include "access.h"

int rbl_access_state_init(rbl_access_state *s, const rbl_access *p)
{
	int rc = RBL_OK;

	memset(s, 0, sizeof(*s));
	s->policy = p;
	if (rbl_rrl_enabled(&p->rrl))
		rc = rbl_rrl_new(&p->rrl, &s->rrl);
	if (rc == RBL_OK && p->quota.per_day)
		rc = rbl_quota_new(&p->quota, &s->quota);
	if (rc != RBL_OK)
		rbl_access_state_fini(s);
	return rc;
}

void rbl_access_state_fini(rbl_access_state *s)
{
	rbl_rrl_free(s->rrl);
	rbl_quota_free(s->quota);
	s->rrl = NULL;
	s->quota = NULL;
}

bool rbl_access_client(const struct sockaddr *sa, rbl_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		out->family = RBL_AF4;
		memcpy(out->bytes, &s4->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		out->family = RBL_AF6;
		memcpy(out->bytes, &s6->sin6_addr, 16);
		rbl_addr_unmap4(out);
		return true;
	}
	return false;
}

/* The ACL for queries in ZONE: the zone's own, else the global one. */
static const rbl_acl *acl_for(const rbl_access *p, const rbl_zt_zone *zone)
{
	for (size_t i = 0; zone && i < p->n_zone_acls; i++)
		if (p->zone_acls[i].zone.len == zone->wire.len &&
		    memcmp(p->zone_acls[i].zone.wire, zone->wire.wire,
			   zone->wire.len) == 0)
			return p->zone_acls[i].acl;
	return p->acl;
}

const rbl_acl_rule *rbl_access_admit(rbl_access_state *s,
				     const rbl_addr *client,
				     const rbl_zt_zone *zone, int64_t now,
				     bool *quota)
{
	const rbl_acl *acl = acl_for(s->policy, zone);
	const rbl_acl_rule *r = acl ? rbl_acl_match(acl, client) : NULL;

	*quota = false;
	if (r && r->action != RBL_ACT_PASS)
		return r;
	/* pass answers normally, so it counts against the quota. */
	if (s->quota && rbl_quota_over(s->quota, client, now)) {
		*quota = true;
		return &s->policy->quota.over;
	}
	return NULL;
}

/* The fixed answer of R as a one-match listing of D's zone. */
static void fixed_answer(rbl_access_state *s, const rbl_acl_rule *r,
			 const rbl_addr *client, rbl_decision *d)
{
	rbl_match *m = &d->matches[0];

	memset(m, 0, sizeof(*m));
	m->n_codes = r->answer.n_codes;
	memcpy(m->codes, r->answer.codes, sizeof(m->codes));
	m->has_txt = 1;
	m->txt = r->answer.txt;
	m->txt_len = r->answer.txt_len;
	d->match_list[0] = &s->fixed_list;
	rbl_addr_format(client, d->subject[0]);
	d->n_matches = 1;
	d->n_recs = 0;
	d->kind = RBL_ANS_LISTED;
	d->rcode = DNS_RCODE_NOERROR;
}

bool rbl_access_rewrite(rbl_access_state *s, const rbl_acl_rule *r,
			const rbl_addr *client, rbl_decision *d)
{
	/* Only names below a zone: the apex, glue and errors stay. */
	if (d->kind != RBL_ANS_LISTED && d->kind != RBL_ANS_NODATA &&
	    d->kind != RBL_ANS_NXDOMAIN)
		return false;
	if (r->action == RBL_ACT_ANSWER) {
		fixed_answer(s, r, client, d);
		return true;
	}
	if (r->action != RBL_ACT_EMPTY || d->kind == RBL_ANS_NXDOMAIN)
		return false;
	d->kind = RBL_ANS_NXDOMAIN;
	d->rcode = DNS_RCODE_NXDOMAIN;
	d->n_matches = 0;
	return true;
}

int rbl_access_limit(rbl_access_state *s, const rbl_addr *client,
		     const rbl_query *q, int rcode, int64_t now, uint8_t *msg,
		     size_t *len, size_t opt_len, bool *limited)
{
	int v;

	*limited = false;
	if (!s->rrl)
		return RBL_RRL_SEND;
	v = rbl_rrl_check(s->rrl, client, rbl_rrl_class_of(rcode), now,
			  limited);
	if (v == RBL_RRL_SLIP)
		*len = rbl_rrl_slip(msg, *len, q->has_question
				    ? q->question_end : DNS_HDR_LEN, opt_len);
	return v;
}
