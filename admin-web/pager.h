/*
 * pager.h -- the one way every list of rbl-admin is paged: by offset,
 * both ways, with the total shown.
 *
 * A list page walks its rows with a store foreach and asks the pager, for
 * each row that matches, whether to skip it (before the page), show it,
 * or stop.  Rows after the page are only counted, and counting stops once
 * the walk has passed ADM_COUNT_CAP rows (or the end of the page, if that
 * is further): a filtered list over a huge table stays cheap, and its total
 * is then shown honestly as "more than N".  Where the total is known
 * without a walk (a table's mdb_stat, a list's entry counter, the audit
 * sequence), the caller sets it and the walk stops right after the page.
 *
 * The offset travels in the query argument the caller names ("from", or
 * one per list when a page has several), and the navigation links keep
 * every other argument of the request.  It looks like:
 *
 *     51–100 of 583    « First   ‹ Previous   Next ›   Last »
 */
#ifndef ADM_PAGER_H
#define ADM_PAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "admin.h"

#define ADM_COUNT_CAP	10000

typedef struct adm_pager {
	const char *param;	/* query argument of the offset */
	uint64_t from;		/* rows before this page */
	unsigned size;		/* rows per page */
	uint64_t seen;		/* matching rows walked */
	uint64_t total;		/* when known, or counted after the walk */
	bool known;		/* total set by the caller */
	bool capped;		/* counting stopped: more than seen - 1 */
	unsigned shown;		/* rows on this page */
} adm_pager;

/* What a walk does with the row it just found. */
enum adm_row { ADM_ROW_SKIP = 0, ADM_ROW_SHOW, ADM_ROW_STOP };

/* A pager of SIZE rows whose offset is R's query argument PARAM. */
void adm_pager_init(adm_pager *p, const adm_req *r, const char *param,
		    unsigned size);
/* The total is TOTAL, known without walking. */
void adm_pager_known(adm_pager *p, uint64_t total);
/* The walk starts at the page itself (a keyset jump: the caller found
 * where row FROM is without walking the rows before it). */
void adm_pager_jumped(adm_pager *p);
/* Count one matching row; what to do with it.  A foreach callback
 * returns 1 on ADM_ROW_STOP to end the walk. */
enum adm_row adm_pager_row(adm_pager *p);
/* After the walk: settle the total. */
void adm_pager_done(adm_pager *p);
/* The count line and the links, with ONE and MANY naming the rows
 * ("request", "requests").  Only the count when all fits one page. */
void adm_pager_nav(adm_buf *b, const adm_req *r, const adm_pager *p,
		   const char *one, const char *many);
/* The whole paged list: the navigation, a list table (id ID, may be
 * NULL) with the headings COLS (as adm_table_begin) around ROWS (the <tr>
 * rows the walk wrote), and the navigation again under a long page; or
 * EMPTY (escaped) when there is no row at all.  Frees ROWS. */
void adm_pager_table(adm_buf *b, const adm_req *r, const adm_pager *p,
		     const char *one, const char *many, const char *id,
		     const char *const *cols, adm_buf *rows,
		     const char *empty);
/* "583" or "more than 10,000" into BUF (32 bytes). */
const char *adm_pager_total_text(const adm_pager *p, char buf[32]);

#endif
