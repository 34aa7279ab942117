/*
 * charts.c -- server-side SVG charts (see charts.h).
 */
#include <math.h>

#include "charts.h"

#define W	560
#define H	200
#define PAD_L	44
#define PAD_R	10
#define PAD_T	28
#define PAD_B	34

static double max_of(const adm_series *s, size_t n_series, size_t n)
{
	double m = 0;

	for (size_t k = 0; k < n_series; k++)
		for (size_t i = 0; i < n; i++)
			if (s[k].v[i] > m)
				m = s[k].v[i];
	return m;
}

/* A round top for the axis: 1, 2, 5 times a power of ten. */
static double nice_top(double m)
{
	double p;

	if (m <= 0)
		return 1;
	p = pow(10, floor(log10(m)));
	return m <= p ? p : m <= 2 * p ? 2 * p : m <= 5 * p ? 5 * p : 10 * p;
}

static void frame(adm_buf *b, const char *title, double top)
{
	adm_htmlf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		     "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
		     "<title>%s</title>"
		     "<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"600\">"
		     "%s</text>", W, H, W, H, title, title);
	adm_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		      "stroke=\"#b8c0ca\"/>", PAD_L, H - PAD_B, W - PAD_R,
		   H - PAD_B);
	adm_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
		      "text-anchor=\"end\">%g</text>"
		      "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
		      "text-anchor=\"end\">0</text>",
		   PAD_L - 4, PAD_T + 4, top, PAD_L - 4, H - PAD_B);
	adm_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		      "stroke=\"#eef1f5\"/>", PAD_L, PAD_T, W - PAD_R, PAD_T);
}

static void legend(adm_buf *b, const adm_series *s, size_t n_series)
{
	for (size_t k = 0; k < n_series; k++) {
		int x = W - PAD_R - 110 * (int)(n_series - k);

		adm_htmlf(b, "<rect x=\"%d\" y=\"8\" width=\"10\" height=\"10\" "
			     "fill=\"%S\"/><text x=\"%d\" y=\"17\" "
			     "font-size=\"11\">%s</text>",
			  x, s[k].color, x + 14, s[k].name);
	}
}

void adm_svg_bars(adm_buf *b, const char *title, const char *const *labels,
		  size_t n, const adm_series *s, size_t n_series)
{
	double top = nice_top(max_of(s, n_series, n));
	double group = n ? (double)(W - PAD_L - PAD_R) / (double)n : 0;
	double bar = n_series ? group * 0.8 / (double)n_series : 0;

	frame(b, title, top);
	legend(b, s, n_series);
	for (size_t i = 0; i < n; i++) {
		double gx = PAD_L + group * (double)i + group * 0.1;

		for (size_t k = 0; k < n_series; k++) {
			double h = (H - PAD_T - PAD_B) * s[k].v[i] / top;

			adm_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				      "height=\"%.1f\" fill=\"%s\"><title>%g"
				      "</title></rect>",
				   gx + bar * (double)k, H - PAD_B - h,
				   bar > 1 ? bar - 1 : bar, h, s[k].color,
				   s[k].v[i]);
		}
		if (labels && labels[i])
			adm_htmlf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
				     "text-anchor=\"middle\">%s</text>",
				  (int)(gx + group * 0.4), H - PAD_B + 14,
				  labels[i]);
	}
	adm_puts(b, "</svg>");
}

void adm_svg_line(adm_buf *b, const char *title, const adm_series *s,
		  size_t n, double mark, const char *left, const char *right)
{
	double m = max_of(s, 1, n);
	double top = nice_top(mark > m ? mark : m);
	double step = n > 1 ? (double)(W - PAD_L - PAD_R) / (double)(n - 1) : 0;

	frame(b, title, top);
	if (mark >= 0)
		adm_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
			      "stroke=\"#c62828\" stroke-dasharray=\"4 3\"/>",
			   PAD_L, W - PAD_R,
			   H - PAD_B - (H - PAD_T - PAD_B) * mark / top,
			   H - PAD_B - (H - PAD_T - PAD_B) * mark / top);
	adm_htmlf(b, "<polyline fill=\"none\" stroke=\"%S\" stroke-width=\"2\" "
		     "points=\"", s->color);
	for (size_t i = 0; i < n; i++)
		adm_printf(b, "%.1f,%.1f ", PAD_L + step * (double)i,
			   H - PAD_B - (H - PAD_T - PAD_B) * s->v[i] / top);
	adm_htmlf(b, "\"/><text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>"
		     "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
		     "text-anchor=\"end\">%s</text></svg>",
		  PAD_L, H - PAD_B + 14, left, W - PAD_R, H - PAD_B + 14, right);
}
