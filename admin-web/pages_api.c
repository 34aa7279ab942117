/*
 * pages_api.c -- POST /api/report: abuse reports from configured
 * reporters (rbld.conf "reporter: NAME" with a token), fed to the same
 * ingestion as rbl-import (import/ingest.h).
 *
 *   curl -H 'X-RBL-Reporter: abuse-desk' -H 'Authorization: Bearer TOKEN' \
 *        --data-binary @report.eml https://admin.example/api/report
 *
 * A report only adds evidence; the listing policy decides the rest.  This
 * endpoint cannot remove or delist anything.  Wrong reporter names or
 * tokens are counted per client like login attempts (admin.login-rate per
 * minute); over that, every attempt from the client gets 429 until the
 * minute is over, the right token too, so tokens cannot be guessed.
 */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "import/ingest.h"
#include "zone/error.h"
#include "pages.h"

static void plain(adm_resp *o, unsigned status, const char *text)
{
	o->status = status;
	o->content_type = "text/plain; charset=utf-8";
	adm_buf_free(&o->body);
	adm_puts(&o->body, text);
}

void page_api_report(adm_req *r, adm_resp *o)
{
	const char *reporter = adm_header(r, "X-RBL-Reporter");
	const char *auth = adm_header(r, "Authorization");
	rbl_ingest_stats st = { 0 };
	int rc;

	if (!adm_rl_ok(r->app->report_limit, r->client, r->now)) {
		plain(o, MHD_HTTP_TOO_MANY_REQUESTS, "too many wrong tokens from "
		      "your address; wait a minute\n");
		return;
	}
	if (!reporter || !auth || strncmp(auth, "Bearer ", 7) != 0 ||
	    rbl_ingest_auth(r->app->conf, reporter, auth + 7) != RBL_OK) {
		adm_rl_hit(r->app->report_limit, r->client, r->now);
		plain(o, MHD_HTTP_UNAUTHORIZED, "unknown reporter or wrong token\n");
		return;
	}
	if (r->body_len == 0) {
		plain(o, MHD_HTTP_BAD_REQUEST, "empty report\n");
		return;
	}
	rc = rbl_ingest_report(r->app->store, r->app->conf, reporter, r->body,
			       r->body_len, &st);
	if (rc != RBL_OK) {
		plain(o, rc == RBL_EPERM ? MHD_HTTP_FORBIDDEN
			 : MHD_HTTP_INTERNAL_SERVER_ERROR, rbl_strerror(rc));
		adm_puts(&o->body, "\n");
		return;
	}
	plain(o, MHD_HTTP_OK, "");
	adm_printf(&o->body, "items %llu\nadded %llu\nduplicates %llu\n"
		   "skipped %llu\nnewly-listed %llu\n",
		   (unsigned long long)st.items, (unsigned long long)st.added,
		   (unsigned long long)st.duplicates,
		   (unsigned long long)st.skipped,
		   (unsigned long long)st.newly_listed);
}
