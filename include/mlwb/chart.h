/* chart.h - the arithmetic of charts, shared by the terminal charts (drawn
 * by mlwb in braille cells) and the plplot export: axis ticks, smoothing,
 * reduction of long series to what a column can show, and a braille
 * rasteriser.  No curses here: the UI draws the strings this makes. */
#ifndef MLWB_CHART_H
#define MLWB_CHART_H

#include <stdbool.h>
#include <stddef.h>

/* "Nice" ticks (1, 2 or 5 times a power of ten) covering [lo, hi], at most
 * max ticks.  Returns the number written to ticks; *step gets the spacing. */
size_t chart_ticks(double lo, double hi, size_t max, double *ticks, double *step);
/* Formats a tick with the digits its step needs ("0.25", "1e+06"). */
void chart_tick_label(double v, double step, char *buf, size_t len);

/* Exponential moving average as TensorBoard does it, debiased at the start:
 * last = last * w + (1 - w) * v; out = last / (1 - w^k) for the k-th finite
 * point.  NaN and infinite inputs are passed through and skipped.  w in
 * [0, 1); 0 returns the series itself. */
void chart_ema(const double *v, size_t n, double w, double *out);

/* Reduces (x, y) to `cols` columns over [x0, x1]: each column's min and max
 * of y (has[c] false when no point falls in it).  Every point counts, so a
 * single spike among millions still shows. */
void chart_reduce(const double *x, const double *y, size_t n, double x0, double x1, size_t cols,
		  double *ymin, double *ymax, bool *has);

/* A canvas of w x h cells, each 2 x 4 dots. */
struct braille {
	int w, h;
	unsigned char *cells; /* w * h dot masks */
};

void braille_init(struct braille *b, int w, int h);
void braille_free(struct braille *b);
void braille_clear(struct braille *b);
/* Dot coordinates: x in [0, 2w), y in [0, 4h), y = 0 at the top. */
void braille_dot(struct braille *b, int x, int y);
void braille_line(struct braille *b, int x0, int y0, int x1, int y1);
/* Row r as UTF-8 (blank cells as spaces).  buf needs 3 * w + 1 bytes. */
void braille_row(const struct braille *b, int r, char *buf);
/* Whether cell (c, r) has any dot. */
bool braille_used(const struct braille *b, int c, int r);

/* Plots a series into the canvas: x over [x0, x1], y over [y0, y1] (log10
 * when logy), reduced per dot column, each column drawn as its min-max
 * stroke and joined to the previous one. */
void chart_plot(struct braille *b, const double *x, const double *y, size_t n, double x0, double x1,
		double y0, double y1, bool logy);

/* Whether a metric is better when lower (loss, error, ...). */
bool chart_lower_is_better(const char *metric);

#endif
