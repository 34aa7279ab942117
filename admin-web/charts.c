/*
 * charts.c -- server-side SVG charts (see charts.h).
 *
 * The y axis runs from 0 to a round top in 3 to 6 round steps (1, 2 or 5
 * times a power of ten; whole steps for counts), each with its label and
 * a light grid line, so a value can be read off the chart.  A count much
 * smaller than the scale (one delisting beside two hundred additions)
 * still shows: a bar that is not zero is at least MIN_BAR high and, when
 * that short, carries its number.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "charts.h"

#define W	480
#define H	220
#define PAD_L	46
#define PAD_R	12
#define PAD_T	34
#define PAD_B	30
#define PLOT_H	(H - PAD_T - PAD_B)
#define MIN_BAR	3.0
#define LABEL_BELOW 14.0	/* bars lower than this get their number */

typedef struct axis {
	double top, step;
} axis;

static double max_of(const adm_series *s, size_t n_series, size_t n)
{
	double m = 0;

	for (size_t k = 0; k < n_series; k++)
		for (size_t i = 0; i < n; i++)
			if (s[k].v[i] > m)
				m = s[k].v[i];
	return m;
}

/* Round steps for values up to M: about four of them, 1/2/5 x 10^k,
 * never below 1 for counts (WHOLE). */
static axis make_axis(double m, bool whole)
{
	axis a = { 0 };
	double raw, p;

	if (m <= 0)
		m = whole ? 4 : 1;
	raw = m / 4;
	p = pow(10, floor(log10(raw)));
	a.step = raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p
								   : 10 * p;
	if (whole && a.step < 1)
		a.step = 1;
	a.top = ceil(m / a.step - 1e-9) * a.step;
	if (a.top <= 0)
		a.top = a.step;
	return a;
}

static double y_of(const axis *a, double v)
{
	return H - PAD_B - PLOT_H * v / a->top;
}

/* "1500", "2.5", "12k", "1.5M" for an axis label. */
static void tick_text(double v, char out[16])
{
	if (v >= 1e6)
		snprintf(out, 16, "%gM", v / 1e6);
	else if (v >= 1e4)
		snprintf(out, 16, "%gk", v / 1e3);
	else
		snprintf(out, 16, "%g", fabs(v) < 1e-9 ? 0 : v);
}

static void frame(adm_buf *b, const char *title, const axis *a)
{
	int n = (int)(a->top / a->step + 0.5);

	adm_htmlf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		     "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
		     "font-family=\"system-ui,sans-serif\"><title>%s</title>"
		     "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"600\">"
		     "%s</text>", W, H, W, H, title, title);
	for (int i = 0; i <= n; i++) {
		double v = a->step * i, y = y_of(a, v);
		char label[16];

		tick_text(v, label);
		adm_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			      "stroke=\"%s\"/><text x=\"%d\" y=\"%.1f\" "
			      "font-size=\"12\" fill=\"#5b6570\" "
			      "text-anchor=\"end\">%s</text>",
			   PAD_L, y, W - PAD_R, y, i ? "#e6e9ee" : "#9aa4af",
			   PAD_L - 6, y + 4, label);
	}
}

static void legend(adm_buf *b, const adm_series *s, size_t n_series)
{
	for (size_t k = 0; k < n_series; k++) {
		int x = W - PAD_R - 84 * (int)(n_series - k);

		adm_htmlf(b, "<rect x=\"%d\" y=\"8\" width=\"11\" height=\"11\" "
			     "fill=\"%S\"/><text x=\"%d\" y=\"18\" "
			     "font-size=\"12\">%s</text>",
			  x, s[k].color, x + 15, s[k].name);
	}
}

static void bar(adm_buf *b, const axis *a, double x, double w, double v,
		const char *color)
{
	double h = PLOT_H * v / a->top;
	char label[16];

	if (v > 0 && h < MIN_BAR)
		h = MIN_BAR;
	adm_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		      "height=\"%.1f\" fill=\"%s\"><title>%g</title></rect>",
		   x, H - PAD_B - h, w, h, color, v);
	if (v > 0 && h < LABEL_BELOW) {
		tick_text(v, label);
		adm_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
			      "fill=\"%s\" text-anchor=\"middle\">%s</text>",
			   x + w / 2, H - PAD_B - h - 3, color, label);
	}
}

void adm_svg_bars(adm_buf *b, const char *title, const char *const *labels,
		  size_t n, const adm_series *s, size_t n_series)
{
	axis a = make_axis(max_of(s, n_series, n), true);
	double group = n ? (double)(W - PAD_L - PAD_R) / (double)n : 0;
	double w = n_series ? group * 0.8 / (double)n_series : 0;

	frame(b, title, &a);
	legend(b, s, n_series);
	for (size_t i = 0; i < n; i++) {
		double gx = PAD_L + group * (double)i + group * 0.1;

		for (size_t k = 0; k < n_series; k++)
			bar(b, &a, gx + w * (double)k, w > 1 ? w - 1 : w,
			    s[k].v[i], s[k].color);
		if (labels && labels[i])
			adm_htmlf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
				     "fill=\"#5b6570\" text-anchor=\"middle\">%s"
				     "</text>", (int)(gx + group * 0.4),
				  H - PAD_B + 16, labels[i]);
	}
	adm_puts(b, "</svg>");
}

void adm_svg_line(adm_buf *b, const char *title, const adm_series *s,
		  size_t n, double mark, const char *left, const char *right)
{
	double m = max_of(s, 1, n);
	axis a = make_axis(mark > m ? mark : m, false);
	double step = n > 1 ? (double)(W - PAD_L - PAD_R) / (double)(n - 1) : 0;

	frame(b, title, &a);
	if (mark >= 0)
		adm_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
			      "stroke=\"#c62828\" stroke-dasharray=\"5 4\"/>"
			      "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
			      "fill=\"#c62828\">threshold %g</text>", PAD_L,
			   W - PAD_R, y_of(&a, mark), y_of(&a, mark), PAD_L + 4,
			   y_of(&a, mark) - 4, mark);
	adm_htmlf(b, "<polyline fill=\"none\" stroke=\"%S\" stroke-width=\"2\" "
		     "points=\"", s->color);
	for (size_t i = 0; i < n; i++)
		adm_printf(b, "%.1f,%.1f ", PAD_L + step * (double)i,
			   y_of(&a, s->v[i]));
	adm_htmlf(b, "\"/><text x=\"%d\" y=\"%d\" font-size=\"12\" "
		     "fill=\"#5b6570\">%s</text><text x=\"%d\" y=\"%d\" "
		     "font-size=\"12\" fill=\"#5b6570\" text-anchor=\"end\">%s"
		     "</text></svg>", PAD_L, H - PAD_B + 16, left, W - PAD_R,
		  H - PAD_B + 16, right);
}
