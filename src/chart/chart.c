/* chart.c - ticks, smoothing, reduction, braille. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/chart.h"
#include "mlwb/util.h"

size_t chart_ticks(double lo, double hi, size_t max, double *ticks, double *step)
{
	if (!isfinite(lo) || !isfinite(hi) || max < 2) {
		*step = 0;
		return 0;
	}
	if (hi < lo) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (hi == lo) {
		double pad = lo == 0 ? 1 : fabs(lo) * 0.1;
		lo -= pad;
		hi += pad;
	}
	double raw = (hi - lo) / (double)(max - 1);
	double mag = pow(10, floor(log10(raw)));
	double s = mag;
	for (int i = 0; i < 4; i++) {
		static const double mult[] = {1, 2, 5, 10};
		s = mult[i] * mag;
		if (s >= raw)
			break;
	}
	double first = ceil(lo / s - 1e-9) * s;
	size_t n = 0;
	for (double t = first; t <= hi + s * 1e-9 && n < max; t += s) {
		ticks[n++] = fabs(t) < s * 1e-9 ? 0 : t;
	}
	*step = s;
	return n;
}

void chart_tick_label(double v, double step, char *buf, size_t len)
{
	if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 1e-4)) {
		snprintf(buf, len, "%.2g", v);
		return;
	}
	int decimals = step > 0 && step < 1 ? (int)ceil(-log10(step) - 1e-9) : 0;
	if (decimals > 8)
		decimals = 8;
	snprintf(buf, len, "%.*f", decimals, v);
}

void chart_ema(const double *v, size_t n, double w, double *out)
{
	double last = 0;
	size_t k = 0;

	if (w <= 0) {
		memmove(out, v, n * sizeof(*v));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			out[i] = v[i];
			continue;
		}
		last = last * w + (1 - w) * v[i];
		k++;
		out[i] = last / (1 - pow(w, (double)k));
	}
}

void chart_reduce(const double *x, const double *y, size_t n, double x0, double x1, size_t cols,
		  double *ymin, double *ymax, bool *has)
{
	for (size_t c = 0; c < cols; c++) {
		has[c] = false;
		ymin[c] = INFINITY;
		ymax[c] = -INFINITY;
	}
	if (!cols || !(x1 > x0))
		return;
	double scale = (double)cols / (x1 - x0);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]) || x[i] < x0 || x[i] > x1)
			continue;
		size_t c = (size_t)((x[i] - x0) * scale);
		if (c >= cols)
			c = cols - 1;
		if (y[i] < ymin[c])
			ymin[c] = y[i];
		if (y[i] > ymax[c])
			ymax[c] = y[i];
		has[c] = true;
	}
}

void braille_init(struct braille *b, int w, int h)
{
	b->w = w > 0 ? w : 1;
	b->h = h > 0 ? h : 1;
	b->cells = xcalloc((size_t)b->w * (size_t)b->h, 1);
}

void braille_free(struct braille *b)
{
	free(b->cells);
	b->cells = NULL;
}

void braille_clear(struct braille *b)
{
	memset(b->cells, 0, (size_t)b->w * (size_t)b->h);
}

void braille_dot(struct braille *b, int x, int y)
{
	/* the Unicode braille dot numbering: left column 1 2 3 7, right 4 5 6 8 */
	static const unsigned char bits[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};

	if (x < 0 || y < 0 || x >= 2 * b->w || y >= 4 * b->h)
		return;
	b->cells[(y / 4) * b->w + x / 2] |= bits[x % 2][y % 4];
}

void braille_line(struct braille *b, int x0, int y0, int x1, int y1)
{
	int dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
	int e = dx + dy;

	for (;;) {
		braille_dot(b, x0, y0);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * e;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

void braille_row(const struct braille *b, int r, char *buf)
{
	char *p = buf;

	for (int c = 0; c < b->w; c++) {
		unsigned char m = b->cells[r * b->w + c];
		if (!m) {
			*p++ = ' ';
			continue;
		}
		unsigned cp = 0x2800 + m; /* three UTF-8 bytes: E2 A0..A3 80..BF */
		*p++ = (char)(0xE0 | (cp >> 12));
		*p++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*p++ = (char)(0x80 | (cp & 0x3F));
	}
	*p = '\0';
}

bool braille_used(const struct braille *b, int c, int r)
{
	return b->cells[r * b->w + c] != 0;
}

void chart_plot(struct braille *b, const double *x, const double *y, size_t n, double x0, double x1,
		double y0, double y1, bool logy)
{
	size_t cols = (size_t)(2 * b->w);
	double *lo = xcalloc(cols, sizeof(*lo)), *hi = xcalloc(cols, sizeof(*hi));
	bool *has = xcalloc(cols, sizeof(*has));
	double *yy = NULL;
	const double *ys = y;

	if (logy) {
		yy = xcalloc(n + 1, sizeof(*yy));
		for (size_t i = 0; i < n; i++)
			yy[i] = y[i] > 0 ? log10(y[i]) : NAN;
		ys = yy;
		y0 = y0 > 0 ? log10(y0) : -300;
		y1 = y1 > 0 ? log10(y1) : -300;
	}
	chart_reduce(x, ys, n, x0, x1, cols, lo, hi, has);
	int rows = 4 * b->h;
	double span = y1 > y0 ? y1 - y0 : 1;
	int prev_lo = -1, prev_hi = -1;
	long prev_c = -1;
	for (size_t c = 0; c < cols; c++) {
		if (!has[c])
			continue;
		int ylo = (int)lround((y1 - lo[c]) / span * (rows - 1));
		int yhi = (int)lround((y1 - hi[c]) / span * (rows - 1));
		if (ylo >= rows)
			ylo = rows - 1;
		if (yhi < 0)
			yhi = 0;
		braille_line(b, (int)c, yhi, (int)c, ylo);
		/* join to the previous column with points, across any gap, so a
		 * sparse series is a line and a dense one has no breaks */
		if (prev_c >= 0) {
			if ((long)c - prev_c > 1)
				braille_line(b, (int)prev_c, (prev_lo + prev_hi) / 2, (int)c, (ylo + yhi) / 2);
			else if (yhi > prev_lo)
				braille_line(b, (int)prev_c, prev_lo, (int)c, yhi);
			else if (ylo < prev_hi)
				braille_line(b, (int)prev_c, prev_hi, (int)c, ylo);
		}
		prev_lo = ylo;
		prev_hi = yhi;
		prev_c = (long)c;
	}
	free(lo);
	free(hi);
	free(has);
	free(yy);
}

bool chart_lower_is_better(const char *m)
{
	static const char *const words[] = {"loss", "error", "err", "mse", "mae", "rmse", "perplexity", "latency",
					    "time", "cost", "wer", "cer"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(m, words[i]))
			return true;
	return false;
}
