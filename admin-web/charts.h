/*
 * charts.h -- small charts drawn on the server as inline SVG.
 *
 * No script, no external resource: the browser only draws rectangles,
 * polylines and text.  Labels are escaped like every other value.
 */
#ifndef ADM_CHARTS_H
#define ADM_CHARTS_H

#include <stddef.h>

#include "buf.h"

#define ADM_CHART_MAX_SERIES 4

typedef struct adm_series {
	const char *name;	/* legend */
	const double *v;	/* N values, >= 0 */
	const char *color;	/* "#1f6feb": a literal of this program */
} adm_series;

/* Grouped bar chart: N groups labelled LABELS[i] (may be NULL to skip),
 * one bar per series.  TITLE is escaped. */
void adm_svg_bars(adm_buf *b, const char *title, const char *const *labels,
		  size_t n, const adm_series *s, size_t n_series);

/* Line chart of N >= 2 points of one series, with optional horizontal
 * line at MARK (ignored when MARK < 0) and text under both ends. */
void adm_svg_line(adm_buf *b, const char *title, const adm_series *s,
		  size_t n, double mark, const char *left, const char *right);

#endif
