/*
 * pages.h -- every page handler of rbl-admin, by file.  The router
 * (router.c) has already checked method, login and CSRF when these run.
 */
#ifndef ADM_PAGES_H
#define ADM_PAGES_H

#include "admin.h"

/* pages_public.c: lookup and delisting requests (admin.public) */
void page_lookup(adm_req *r, adm_resp *o);
void page_delist_form(adm_req *r, adm_resp *o);
void page_delist_submit(adm_req *r, adm_resp *o);
void page_delist_status(adm_req *r, adm_resp *o);

/* pages_login.c */
void page_login_form(adm_req *r, adm_resp *o);
void page_login(adm_req *r, adm_resp *o);
void page_logout(adm_req *r, adm_resp *o);
void page_style(adm_req *r, adm_resp *o);

/* pages_admin.c: dashboard, search, one address */
void page_dashboard(adm_req *r, adm_resp *o);
void page_search(adm_req *r, adm_resp *o);
void page_address(adm_req *r, adm_resp *o);

/* pages_review.c: delisting requests */
void page_requests(adm_req *r, adm_resp *o);
void page_request(adm_req *r, adm_resp *o);
void page_request_confirm(adm_req *r, adm_resp *o);
void page_request_reject(adm_req *r, adm_resp *o);

/* pages_edit.c: manual listings and the allow list */
void page_listing_form(adm_req *r, adm_resp *o);
void page_listing_save(adm_req *r, adm_resp *o);
void page_listing_remove(adm_req *r, adm_resp *o);
void page_allow(adm_req *r, adm_resp *o);
void page_allow_add(adm_req *r, adm_resp *o);
void page_allow_remove(adm_req *r, adm_resp *o);

/* pages_keys.c: access keys and their counters */
void page_keys(adm_req *r, adm_resp *o);
void page_keys_add(adm_req *r, adm_resp *o);
void page_keys_disable(adm_req *r, adm_resp *o);
void page_keys_enable(adm_req *r, adm_resp *o);
void page_keys_rotate(adm_req *r, adm_resp *o);
void page_keys_del(adm_req *r, adm_resp *o);
/* Their part of /metrics (per key, top 20 and the rest; per zone). */
void adm_key_metrics(adm_buf *b, adm_req *r);

/* pages_rdns.c: the rDNS classification review queue */
void page_rdns(adm_req *r, adm_resp *o);
void page_rdns_decide(adm_req *r, adm_resp *o);

/* pages_audit.c */
void page_audit(adm_req *r, adm_resp *o);
void page_audit_csv(adm_req *r, adm_resp *o);

/* pages_api.c: POST /api/report (reporter token, no session) */
void page_api_report(adm_req *r, adm_resp *o);

/* metrics.c */
void page_metrics(adm_req *r, adm_resp *o);

/* reply.c: make O set the session cookie for TOKEN, or clear it when
 * TOKEN is NULL. */
void adm_session_cookie(const adm_req *r, adm_resp *o, const char *token);

/* pages_names.c: the domain policies' view of NAME (a domain, or the
 * hash of an address) and the trap messages that named it, on the
 * address page */
void adm_name_evidence(adm_buf *b, const adm_req *r, rbl_txn *t,
		       const char *name);
/* For the public lookup: how many trap messages linked to domain NAME
 * and between which dates -- counts and dates only, never traps or
 * message text. */
void adm_name_evidence_public(adm_buf *b, const adm_req *r, rbl_txn *t,
			      const char *name);

#endif
