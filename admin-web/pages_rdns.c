/*
 * pages_rdns.c -- the rDNS classification review queue.
 *
 * PLACEHOLDER: the proposals store (zone/rdns_review.h) is being built on
 * branch rdns and has not landed here yet.  Until it does this page says
 * so plainly instead of pretending the queue is empty.
 */
#include "html.h"
#include "pages.h"

void page_rdns(adm_req *r, adm_resp *o)
{
	adm_page_begin(&o->body, r, "rDNS review queue");
	adm_notice(&o->body, "warn", "Not available yet: this build has no "
		   "rDNS proposals store (zone/rdns_review.h).  Proposed "
		   "dynamic-range listings will be reviewed here.");
	adm_page_end(&o->body);
}
