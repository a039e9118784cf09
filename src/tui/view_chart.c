/* view_chart.c - Chart: a metric of one or more runs, full screen, drawn in
 * braille cells (ASCII where the locale is not UTF-8).  Smoothing with the
 * raw series faint behind, log y, x by step / seconds since start / wall
 * time, zoom and pan on x, a cursor that reads out every series, export to
 * PNG with plplot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/chart.h"
#include "mlwb/plot.h"
#include "tui.h"

enum xmode { X_STEP, X_SECONDS, X_WALL };

struct series {
	int64_t run;
	int64_t t0; /* the run's start, epoch ms */
	struct kv *params;
	size_t n_params;
	struct metric_series m;
	double *x, *smooth;
};

struct chart {
	int64_t *runs;
	size_t n_runs;
	char *metric;
	struct strv metrics; /* of the first run, for ] and [ */
	struct series *s;
	size_t n;
	bool smooth_on, logy;
	double weight;
	enum xmode xmode;
	double vx0, vx1; /* the visible x range; vx1 <= vx0: everything */
	int cursor;      /* dot column of the cursor, -1: none */
	int plot_w;      /* cells of the last frame, for the cursor */
	char *group_by;  /* a param: runs with one value are one band */
};

/* One group of runs: at each x where any of them has a point, the mean,
 * min and max of their values. */
struct band {
	char *label;
	size_t n;
	double *x, *mean, *lo, *hi;
};

static void free_series(struct chart *c)
{
	for (size_t i = 0; i < c->n; i++) {
		store_metric_series_free(&c->s[i].m);
		free(c->s[i].x);
		free(c->s[i].smooth);
		for (size_t k = 0; k < c->s[i].n_params; k++) {
			free(c->s[i].params[k].name);
			free(c->s[i].params[k].value);
		}
		free(c->s[i].params);
	}
	free(c->s);
	c->s = NULL;
	c->n = 0;
}

static void compute_x(struct chart *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct series *s = &c->s[i];
		for (size_t k = 0; k < s->m.n; k++)
			s->x[k] = c->xmode == X_STEP ? (double)s->m.step[k]
				  : c->xmode == X_SECONDS ? (double)(s->m.time[k] - s->t0) / 1000.0
							  : (double)s->m.time[k] / 1000.0;
		chart_ema(s->m.value, s->m.n, c->weight, s->smooth);
	}
}

static int chart_load(struct app *a, void *state)
{
	struct chart *c = state;
	struct err err;

	free_series(c);
	strv_free(&c->metrics);
	char **names;
	size_t nn;
	if (store_metric_names(a->st, c->runs[0], &names, &nn, &err) == 0) {
		for (size_t i = 0; i < nn; i++)
			strv_push(&c->metrics, names[i]);
		store_names_free(names, nn);
	}
	if (!c->metric && c->metrics.n)
		c->metric = xstrdup(c->metrics.v[0]);
	if (!c->metric) {
		app_status(a, true, "run %lld has no metrics to chart", (long long)c->runs[0]);
		return 0;
	}
	c->s = xcalloc(c->n_runs, sizeof(*c->s));
	for (size_t i = 0; i < c->n_runs; i++) {
		struct series *s = &c->s[c->n];
		struct run_info ri;
		if (store_run_get(a->st, c->runs[i], &ri, &err) < 0)
			continue;
		s->run = c->runs[i];
		s->t0 = ri.started ? ri.started : ri.created;
		/* keep the params, for grouping */
		s->params = ri.params;
		s->n_params = ri.n_params;
		ri.params = NULL;
		ri.n_params = 0;
		store_run_info_free(&ri);
		if (store_metric_history(a->st, c->runs[i], c->metric, &s->m, &err) < 0)
			continue;
		s->x = xcalloc(s->m.n + 1, sizeof(double));
		s->smooth = xcalloc(s->m.n + 1, sizeof(double));
		c->n++;
	}
	compute_x(c);
	a->last_run = c->runs[0];
	return 0;
}

static void *chart_open(struct app *a, const char *arg)
{
	struct chart *c = xcalloc(1, sizeof(*c));
	char *copy = xstrdup(arg ? arg : ""), *save = NULL;

	c->weight = 0.6;
	c->cursor = -1;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		long id;
		if (str_to_long(w, &id) && id > 0) {
			c->runs = xrealloc(c->runs, (c->n_runs + 1) * sizeof(*c->runs));
			c->runs[c->n_runs++] = id;
		} else if (!c->metric) {
			c->metric = xstrdup(w);
		}
	}
	free(copy);
	if (!c->n_runs) {
		app_status(a, true, ":chart needs a run id");
		free(c->metric);
		free(c);
		return NULL;
	}
	return c;
}

static const double *ys(struct chart *c, size_t i)
{
	return c->smooth_on ? c->s[i].smooth : c->s[i].m.value;
}

static const char *param_value(const struct series *s, const char *name)
{
	for (size_t k = 0; k < s->n_params; k++)
		if (!strcmp(s->params[k].name, name))
			return s->params[k].value;
	return "-";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Groups the series by c->group_by.  Caller frees with free_bands. */
static size_t make_bands(struct chart *c, struct band **out)
{
	struct band *b = NULL;
	size_t nb = 0;
	bool *done = xcalloc(c->n + 1, sizeof(*done));

	for (size_t i = 0; i < c->n; i++) {
		if (done[i])
			continue;
		const char *val = param_value(&c->s[i], c->group_by);
		/* the x values of every member */
		size_t total = 0, members = 0;
		for (size_t j = i; j < c->n; j++)
			if (!done[j] && !strcmp(param_value(&c->s[j], c->group_by), val))
				total += c->s[j].m.n;
		double *xs = xcalloc(total + 1, sizeof(*xs));
		size_t k = 0;
		for (size_t j = i; j < c->n; j++)
			if (!done[j] && !strcmp(param_value(&c->s[j], c->group_by), val))
				for (size_t q = 0; q < c->s[j].m.n; q++)
					xs[k++] = c->s[j].x[q];
		qsort(xs, total, sizeof(*xs), cmp_double);
		size_t u = 0;
		for (size_t q = 0; q < total; q++)
			if (!u || xs[q] != xs[u - 1])
				xs[u++] = xs[q];
		b = xrealloc(b, (nb + 1) * sizeof(*b));
		struct band *g = &b[nb++];
		g->n = u;
		g->x = xs;
		g->mean = xcalloc(u + 1, sizeof(double));
		g->lo = xcalloc(u + 1, sizeof(double));
		g->hi = xcalloc(u + 1, sizeof(double));
		size_t *cnt = xcalloc(u + 1, sizeof(size_t));
		for (size_t q = 0; q < u; q++) {
			g->lo[q] = INFINITY;
			g->hi[q] = -INFINITY;
		}
		for (size_t j = i; j < c->n; j++) {
			if (done[j] || strcmp(param_value(&c->s[j], c->group_by), val))
				continue;
			done[j] = true;
			members++;
			const double *y = ys(c, j);
			for (size_t q = 0; q < c->s[j].m.n; q++) {
				if (!isfinite(y[q]))
					continue;
				double *hit = bsearch(&c->s[j].x[q], xs, u, sizeof(*xs), cmp_double);
				size_t at = (size_t)(hit - xs);
				g->mean[at] += y[q];
				cnt[at]++;
				g->lo[at] = fmin(g->lo[at], y[q]);
				g->hi[at] = fmax(g->hi[at], y[q]);
			}
		}
		for (size_t q = 0; q < u; q++)
			g->mean[q] = cnt[q] ? g->mean[q] / (double)cnt[q] : NAN;
		free(cnt);
		g->label = xasprintf("%s=%s (%zu run%s)", c->group_by, val, members, members == 1 ? "" : "s");
	}
	free(done);
	*out = b;
	return nb;
}

static void free_bands(struct band *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].label);
		free(b[i].x);
		free(b[i].mean);
		free(b[i].lo);
		free(b[i].hi);
	}
	free(b);
}

/* The data range, over what is visible on x. */
static void ranges(struct chart *c, double *x0, double *x1, double *y0, double *y1)
{
	*x0 = INFINITY;
	*x1 = -INFINITY;
	*y0 = INFINITY;
	*y1 = -INFINITY;
	for (size_t i = 0; i < c->n; i++)
		for (size_t k = 0; k < c->s[i].m.n; k++) {
			*x0 = fmin(*x0, c->s[i].x[k]);
			*x1 = fmax(*x1, c->s[i].x[k]);
		}
	if (c->vx1 > c->vx0) {
		*x0 = c->vx0;
		*x1 = c->vx1;
	}
	for (size_t i = 0; i < c->n; i++)
		for (int pass = 0; pass < 2; pass++) {
			const double *y = pass ? ys(c, i) : c->s[i].m.value;
			for (size_t k = 0; k < c->s[i].m.n; k++) {
				if (c->s[i].x[k] < *x0 || c->s[i].x[k] > *x1 || !isfinite(y[k]) || (c->logy && y[k] <= 0))
					continue;
				*y0 = fmin(*y0, y[k]);
				*y1 = fmax(*y1, y[k]);
			}
		}
	if (!isfinite(*x0)) {
		*x0 = 0;
		*x1 = 1;
	}
	if (*x1 <= *x0)
		*x1 = *x0 + 1;
	if (!isfinite(*y0)) {
		*y0 = c->logy ? 1 : 0;
		*y1 = c->logy ? 10 : 1;
	}
	if (*y1 <= *y0) {
		double pad = *y0 == 0 ? 1 : fabs(*y0) * 0.1;
		*y0 -= c->logy ? 0 : pad;
		*y1 += pad;
	}
}

static void chart_draw(struct app *a, void *state, int y, int h, int w)
{
	struct chart *c = state;
	double x0, x1, y0, y1;
	char lab[32];

	if (!c->n) {
		ui_putf(a, y + 1, 2, w - 4, R_DIM, "run %lld has no metric %s", (long long)c->runs[0],
			c->metric ? c->metric : "to chart");
		return;
	}
	ranges(c, &x0, &x1, &y0, &y1);
	int left = 10, pw = w - left - 2, ph = h - 4;
	if (pw < 10 || ph < 3)
		return;
	c->plot_w = pw;
	/* legend line */
	int lx = 1;
	if (c->smooth_on)
		lx += ui_putf(a, y, lx, w - lx, R_TITLE, "%s (smoothed %.2f)  ", c->metric, c->weight);
	else
		lx += ui_putf(a, y, lx, w - lx, R_TITLE, "%s  ", c->metric);
	struct band *bands = NULL;
	size_t nb = c->group_by ? make_bands(c, &bands) : 0;
	if (nb)
		for (size_t i = 0; i < nb && lx < w; i++)
			lx += ui_putf(a, y, lx, w - lx, (enum role)(R_SERIES1 + (int)(i % 4)), "%s %s  ",
				      a->utf8 ? "━" : "-", bands[i].label);
	else
		for (size_t i = 0; i < c->n && lx < w; i++)
			lx += ui_putf(a, y, lx, w - lx, (enum role)(R_SERIES1 + (int)(i % 4)), "%s run %lld  ",
				      a->utf8 ? "━" : "-", (long long)c->s[i].run);
	/* y ticks */
	double ticks[16], step;
	double ty0 = c->logy ? log10(y0) : y0, ty1 = c->logy ? log10(y1) : y1;
	size_t nt = chart_ticks(ty0, ty1, (size_t)(ph / 3 + 2) < 10 ? (size_t)(ph / 3 + 2) : 10, ticks, &step);
	for (size_t i = 0; i < nt; i++) {
		int row = (int)lround((ty1 - ticks[i]) / (ty1 - ty0) * (ph - 1));
		if (c->logy)
			snprintf(lab, sizeof(lab), "%.3g", pow(10, ticks[i]));
		else
			chart_tick_label(ticks[i], step, lab, sizeof(lab));
		ui_putf(a, y + 1 + row, 0, left - 1, R_DIM, "%*s", left - 2, lab);
		ui_put(a, y + 1 + row, left - 1, 1, R_EDGE, a->utf8 ? "┤" : "+");
	}
	for (int r = 0; r < ph; r++)
		if (!(mvinch(y + 1 + r, left - 1) & A_CHARTEXT) || (mvinch(y + 1 + r, left - 1) & A_CHARTEXT) == ' ')
			ui_put(a, y + 1 + r, left - 1, 1, R_EDGE, a->utf8 ? "│" : "|");
	/* x axis and ticks */
	for (int cc = 0; cc < pw; cc++)
		ui_put(a, y + 1 + ph, left + cc, 1, R_EDGE, a->utf8 ? "─" : "-");
	nt = chart_ticks(x0, x1, (size_t)(pw / 12) < 10 ? (size_t)(pw / 12) + 2 : 10, ticks, &step);
	for (size_t i = 0; i < nt; i++) {
		int col = (int)lround((ticks[i] - x0) / (x1 - x0) * (pw - 1));
		if (c->xmode == X_WALL) {
			char t[32];
			time_format_local((int64_t)(ticks[i] * 1000), t, sizeof(t));
			snprintf(lab, sizeof(lab), "%s", t + 11);
		} else {
			chart_tick_label(ticks[i], step, lab, sizeof(lab));
		}
		ui_put(a, y + 1 + ph, left + col, 1, R_EDGE, a->utf8 ? "┬" : "+");
		int lw = ui_width(lab);
		ui_put(a, y + 2 + ph, left + col - lw / 2 < 0 ? 0 : left + col - lw / 2, lw, R_DIM, lab);
	}
	/* the series: raw faint behind a smoothed line */
	struct braille b;
	braille_init(&b, pw, ph);
	if (nb) {
		/* the band: every column filled from the group's min to its max */
		for (size_t i = 0; i < nb; i++) {
			size_t cols = (size_t)(2 * pw);
			double *lo = xcalloc(cols, sizeof(double)), *hi = xcalloc(cols, sizeof(double)),
			       *t = xcalloc(cols, sizeof(double));
			bool *has = xcalloc(cols, sizeof(bool)), *has2 = xcalloc(cols, sizeof(bool));
			chart_reduce(bands[i].x, bands[i].lo, bands[i].n, x0, x1, cols, lo, t, has);
			chart_reduce(bands[i].x, bands[i].hi, bands[i].n, x0, x1, cols, t, hi, has2);
			braille_clear(&b);
			double ly0 = c->logy ? log10(y0) : y0, ly1 = c->logy ? log10(y1) : y1;
			for (size_t q = 0; q < cols; q++) {
				if (!has[q] || !has2[q])
					continue;
				double a0 = c->logy ? log10(lo[q]) : lo[q], a1 = c->logy ? log10(hi[q]) : hi[q];
				int r0 = (int)lround((ly1 - a0) / (ly1 - ly0) * (4 * ph - 1));
				int r1 = (int)lround((ly1 - a1) / (ly1 - ly0) * (4 * ph - 1));
				braille_line(&b, (int)q, r1, (int)q, r0);
			}
			ui_canvas(a, &b, y + 1, left, R_DIM);
			free(lo);
			free(hi);
			free(t);
			free(has);
			free(has2);
		}
		for (size_t i = 0; i < nb; i++) {
			braille_clear(&b);
			chart_plot(&b, bands[i].x, bands[i].mean, bands[i].n, x0, x1, y0, y1, c->logy);
			ui_canvas(a, &b, y + 1, left, (enum role)(R_SERIES1 + (int)(i % 4)));
		}
	}
	for (size_t i = 0; i < c->n && !nb; i++) {
		if (c->smooth_on) {
			braille_clear(&b);
			chart_plot(&b, c->s[i].x, c->s[i].m.value, c->s[i].m.n, x0, x1, y0, y1, c->logy);
			ui_canvas(a, &b, y + 1, left, R_DIM);
		}
	}
	for (size_t i = 0; i < c->n && !nb; i++) {
		braille_clear(&b);
		chart_plot(&b, c->s[i].x, ys(c, i), c->s[i].m.n, x0, x1, y0, y1, c->logy);
		ui_canvas(a, &b, y + 1, left, (enum role)(R_SERIES1 + (int)(i % 4)));
	}
	braille_free(&b);
	free_bands(bands, nb);
	/* the cursor and its readout */
	const char *xname = c->xmode == X_STEP ? "step" : c->xmode == X_SECONDS ? "seconds" : "time";
	if (c->cursor >= 0 && c->cursor < pw) {
		for (int r = 0; r < ph; r++)
			if ((mvinch(y + 1 + r, left + c->cursor) & A_CHARTEXT) == ' ')
				ui_put(a, y + 1 + r, left + c->cursor, 1, R_EDGE, a->utf8 ? "┊" : ":");
		double cx = x0 + (x1 - x0) * c->cursor / (double)(pw - 1);
		struct sbuf sb;
		sbuf_init(&sb);
		sbuf_printf(&sb, "%s %.6g:", xname, cx);
		for (size_t i = 0; i < c->n; i++) {
			/* the last point at or before the cursor */
			size_t best = (size_t)-1;
			for (size_t k = 0; k < c->s[i].m.n; k++)
				if (c->s[i].x[k] <= cx)
					best = k;
			if (best == (size_t)-1)
				continue;
			char v[32];
			ui_format_number(ys(c, i)[best], v, sizeof(v));
			sbuf_printf(&sb, "  run %lld = %s", (long long)c->s[i].run, v);
		}
		ui_put(a, y + 3 + ph, 1, w - 2, R_NORMAL, sbuf_str(&sb));
		sbuf_free(&sb);
	} else {
		ui_putf(a, y + 3 + ph, 1, w - 2, R_DIM, "x: %s%s  %zu point%s  (h/l: cursor, z/Z: zoom, s: smoothing, L: log y, x: x axis, ]: metric, E: PNG)",
			xname, c->logy ? "  log y" : "", c->n ? c->s[0].m.n : 0, c->n && c->s[0].m.n == 1 ? "" : "s");
	}
}

static int chart_handle(struct app *a, void *state, enum action act, int key)
{
	struct chart *c = state;
	double x0, x1, y0, y1;
	struct err err;

	(void)key;
	ranges(c, &x0, &x1, &y0, &y1);
	double span = x1 - x0;
	switch (act) {
	case ACT_LEFT:
	case ACT_RIGHT:
		if (c->cursor < 0)
			c->cursor = c->plot_w / 2;
		else
			c->cursor += act == ACT_LEFT ? -1 : 1;
		if (c->cursor < 0) { /* pan when the cursor leaves the view */
			c->cursor = 0;
			if (c->vx1 > c->vx0) {
				c->vx0 -= span / 4;
				c->vx1 -= span / 4;
			}
		}
		if (c->cursor >= c->plot_w) {
			c->cursor = c->plot_w - 1;
			if (c->vx1 > c->vx0) {
				c->vx0 += span / 4;
				c->vx1 += span / 4;
			}
		}
		break;
	case ACT_ZOOM_IN: {
		double mid = c->cursor >= 0 && c->plot_w > 1 ? x0 + span * c->cursor / (c->plot_w - 1) : (x0 + x1) / 2;
		c->vx0 = mid - span / 4;
		c->vx1 = mid + span / 4;
		break;
	}
	case ACT_ZOOM_OUT:
		if (c->vx1 > c->vx0) {
			c->vx0 -= span / 2;
			c->vx1 += span / 2;
		}
		break;
	case ACT_HOME:
		c->vx0 = c->vx1 = 0; /* everything */
		c->cursor = -1;
		break;
	case ACT_SMOOTH:
		c->smooth_on = !c->smooth_on;
		break;
	case ACT_SMOOTH_MORE:
	case ACT_SMOOTH_LESS:
		c->smooth_on = true;
		c->weight += act == ACT_SMOOTH_MORE ? 0.1 : -0.1;
		c->weight = c->weight > 0.95 ? 0.95 : c->weight < 0.05 ? 0.05 : c->weight;
		compute_x(c);
		break;
	case ACT_LOGY:
		c->logy = !c->logy;
		break;
	case ACT_XAXIS:
		c->xmode = (enum xmode)((c->xmode + 1) % 3);
		c->vx0 = c->vx1 = 0;
		compute_x(c);
		break;
	case ACT_NEXT_METRIC:
	case ACT_PREV_METRIC: {
		size_t i = 0;
		while (i < c->metrics.n && strcmp(c->metrics.v[i], c->metric))
			i++;
		if (!c->metrics.n)
			break;
		i = act == ACT_NEXT_METRIC ? (i + 1) % c->metrics.n : (i + c->metrics.n - 1) % c->metrics.n;
		free(c->metric);
		c->metric = xstrdup(c->metrics.v[i]);
		c->vx0 = c->vx1 = 0;
		return H_RELOAD;
	}
	case ACT_GROUP:
		app_edit(a, "group by param (empty: no groups)", c->group_by ? c->group_by : "");
		return H_REDRAW;
	case ACT_EXPORT: {
		struct plot_series *ps = xcalloc(c->n + 1, sizeof(*ps));
		char **labels = xcalloc(c->n + 1, sizeof(*labels));
		for (size_t i = 0; i < c->n; i++) {
			labels[i] = xasprintf("run %lld", (long long)c->s[i].run);
			ps[i].label = labels[i];
			ps[i].x = c->s[i].x;
			ps[i].y = ys(c, i);
			ps[i].n = c->s[i].m.n;
			ps[i].raw = c->smooth_on ? c->s[i].m.value : NULL;
		}
		char *path = xasprintf("mlwb-chart-%s.png", c->metric);
		for (char *p = path; *p; p++)
			if (*p == '/')
				*p = '_';
		struct plot_opts po = {0};
		po.title = c->metric;
		po.xlabel = c->xmode == X_STEP ? "step" : c->xmode == X_SECONDS ? "seconds since the run started" : "time";
		po.ylabel = c->metric;
		po.logy = c->logy;
		if (plot_write(path, ps, c->n, &po, &err) < 0)
			app_status(a, true, "%s", err.msg);
		else
			app_status(a, false, "wrote %s", path);
		for (size_t i = 0; i < c->n; i++)
			free(labels[i]);
		free(labels);
		free(ps);
		free(path);
		break;
	}
	default:
		return H_NONE;
	}
	return H_REDRAW;
}

static int chart_group(struct app *a, void *state, const char *text)
{
	struct chart *c = state;

	free(c->group_by);
	c->group_by = *text ? xstrdup(text) : NULL;
	if (c->group_by) {
		bool known = false;
		for (size_t i = 0; i < c->n && !known; i++)
			known = strcmp(param_value(&c->s[i], c->group_by), "-") != 0;
		if (!known) {
			app_status(a, true, "no run here has a param %s", c->group_by);
			free(c->group_by);
			c->group_by = NULL;
		}
	}
	return H_REDRAW;
}

static void chart_close(void *state)
{
	struct chart *c = state;

	free(c->group_by);
	free_series(c);
	strv_free(&c->metrics);
	free(c->metric);
	free(c->runs);
	free(c);
}

static char *chart_crumb(void *state)
{
	struct chart *c = state;

	return xasprintf("chart %s", c->metric ? c->metric : "");
}

static int64_t chart_current(void *state)
{
	return ((struct chart *)state)->runs[0];
}

static const enum action chart_footer[] = {ACT_SMOOTH, ACT_LOGY, ACT_ZOOM_IN, ACT_NEXT_METRIC, ACT_EXPORT, ACT_BACK, ACT_NONE};

const struct view_ops view_chart = {
	.name = "Chart", .cmd = "chart", .open = chart_open, .load = chart_load, .draw = chart_draw,
	.handle = chart_handle, .close = chart_close, .crumb = chart_crumb, .footer = chart_footer,
	.current_run = chart_current, .search = chart_group,
};
