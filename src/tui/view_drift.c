/* view_drift.c - Drift: the monitors of mlwb.yaml and what they stored.
 *
 * The list shows each monitor with its latest verdict and the share of
 * drifted columns per batch as a sparkline.  Enter opens a monitor: a
 * heatmap of columns x batches coloured by how far each test is past its
 * threshold (with a legend), the share of drifted columns over the batches
 * as a chart with the dataset threshold, and for the selected cell the
 * reference and current distributions side by side with the test, the
 * statistic and the p-value.  A batch whose drift queued a run shows it;
 * Enter opens that run.  E exports the heatmap and the chart (plplot).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/chart.h"
#include "mlwb/drift.h"
#include "mlwb/plot.h"
#include "tui.h"

struct drift_view {
	char *monitor; /* NULL: the list */
	/* the list */
	char **names;
	size_t n_names;
	struct drift_batch_row **lists; /* per monitor: its batches */
	size_t *n_lists;
	/* one monitor */
	struct drift_batch_row *batches;
	size_t nb;
	struct drift_result_row **res; /* per batch */
	size_t *nres;
	char **cols; /* the union of columns, first seen first */
	size_t nc;
	int sel, col, left; /* list selection; heatmap cell (sel: column row, col: batch) */
	double share_threshold;
};

static void free_data(struct drift_view *v)
{
	for (size_t i = 0; i < v->n_names; i++) {
		free(v->names[i]);
		store_drift_batches_free(v->lists[i], v->n_lists[i]);
	}
	free(v->names);
	free(v->lists);
	free(v->n_lists);
	v->names = NULL;
	v->lists = NULL;
	v->n_lists = NULL;
	v->n_names = 0;
	for (size_t i = 0; i < v->nb; i++)
		store_drift_results_free(v->res[i], v->nres[i]);
	free(v->res);
	free(v->nres);
	store_drift_batches_free(v->batches, v->nb);
	v->batches = NULL;
	v->res = NULL;
	v->nres = NULL;
	v->nb = 0;
	for (size_t i = 0; i < v->nc; i++)
		free(v->cols[i]);
	free(v->cols);
	v->cols = NULL;
	v->nc = 0;
}

static void add_name(struct drift_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_names; i++)
		if (!strcmp(v->names[i], name))
			return;
	v->names = xrealloc(v->names, (v->n_names + 1) * sizeof(char *));
	v->names[v->n_names++] = xstrdup(name);
}

static int drift_load(struct app *a, void *state)
{
	struct drift_view *v = state;
	struct err err;
	free_data(v);
	if (!v->monitor) {
		char **stored;
		size_t ns;
		if (a->spec)
			for (size_t i = 0; i < a->spec->n_monitors; i++)
				add_name(v, a->spec->monitors[i].name);
		if (store_monitor_names(a->st, &stored, &ns, &err) == 0) {
			for (size_t i = 0; i < ns; i++) {
				add_name(v, stored[i]);
				free(stored[i]);
			}
			free(stored);
		}
		v->lists = xcalloc(v->n_names + 1, sizeof(*v->lists));
		v->n_lists = xcalloc(v->n_names + 1, sizeof(size_t));
		for (size_t i = 0; i < v->n_names; i++)
			store_drift_batches(a->st, v->names[i], &v->lists[i], &v->n_lists[i], &err);
		if (v->sel >= (int)v->n_names)
			v->sel = (int)v->n_names - 1;
		if (v->sel < 0)
			v->sel = 0;
		return 0;
	}
	const struct monitor_spec *ms = a->spec ? pipeline_monitor_find(a->spec, v->monitor) : NULL;
	v->share_threshold = ms ? ms->share : 0.5;
	if (store_drift_batches(a->st, v->monitor, &v->batches, &v->nb, &err) < 0) {
		app_status(a, true, "%s", err.msg);
		return -1;
	}
	v->res = xcalloc(v->nb + 1, sizeof(*v->res));
	v->nres = xcalloc(v->nb + 1, sizeof(size_t));
	for (size_t b = 0; b < v->nb; b++) {
		store_drift_results(a->st, v->batches[b].id, &v->res[b], &v->nres[b], &err);
		for (size_t i = 0; i < v->nres[b]; i++) {
			size_t k = 0;
			while (k < v->nc && strcmp(v->cols[k], v->res[b][i].column))
				k++;
			if (k == v->nc) {
				v->cols = xrealloc(v->cols, (v->nc + 1) * sizeof(char *));
				v->cols[v->nc++] = xstrdup(v->res[b][i].column);
			}
		}
	}
	if (v->sel >= (int)v->nc)
		v->sel = (int)v->nc - 1;
	if (v->sel < 0)
		v->sel = 0;
	if (v->col >= (int)v->nb || v->col < 0)
		v->col = v->nb ? (int)v->nb - 1 : 0; /* the latest batch */
	return 0;
}

static void *drift_open(struct app *a, const char *arg)
{
	struct drift_view *v = xcalloc(1, sizeof(*v));
	(void)a;
	v->monitor = arg && *arg ? xstrdup(arg) : NULL;
	v->col = -1;
	return v;
}

static const struct drift_result_row *cell(const struct drift_view *v, size_t b, size_t c)
{
	for (size_t i = 0; i < v->nres[b]; i++)
		if (!strcmp(v->res[b][i].column, v->cols[c]))
			return &v->res[b][i];
	return NULL;
}

static bool p_value_test(const struct drift_result_row *r)
{
	return !isnan(r->p_value);
}

/* 0 ok, 1 near the threshold, 2 drifted, 3 far past it; -1 untested */
static int severity(const struct drift_result_row *r)
{
	if (!r || r->skipped || isnan(r->score) || isnan(r->threshold))
		return -1;
	double s = r->score, t = r->threshold;
	if (p_value_test(r)) {
		if (!r->drifted)
			return s < t * 4 ? 1 : 0;
		return s < t / 100 ? 3 : 2;
	}
	if (!r->drifted)
		return s >= t / 2 ? 1 : 0;
	return s >= t * 3 ? 3 : 2;
}

static const enum role sev_role[] = {R_DRIFT_OK, R_DRIFT_NEAR, R_DRIFT, R_DRIFT_STRONG};

static const char *sev_glyph(struct app *a, int sev)
{
	static const char *const utf[] = {"░░", "▒▒", "▓▓", "██"}, *const asc[] = {"..", "oo", "OO", "##"};
	if (sev < 0)
		return "  ";
	return a->utf8 ? utf[sev] : asc[sev];
}

static void draw_list(struct app *a, struct drift_view *v, int y, int h, int w)
{
	if (!v->n_names) {
		ui_put(a, y + 1, 2, w - 4, R_TITLE, "No monitors yet.");
		ui_put(a, y + 3, 2, w - 4, R_NORMAL,
		       "Add one to mlwb.yaml: monitors: {NAME: {reference: data/train.csv, current: data/incoming/*.csv}},");
		ui_put(a, y + 4, 2, w - 4, R_NORMAL,
		       "then `mlwb monitor run` (or a running executor) evaluates its batches.  docs/drift.md has more.");
		return;
	}
	ui_putf(a, y, 1, w - 2, R_TITLE, "%-18s %7s %8s  %-26s %-22s %s", "MONITOR", "BATCHES", "DRIFTING", "LATEST",
		"VERDICT", "SHARE DRIFTED");
	for (size_t i = 0; i < v->n_names && (int)i < h - 1; i++) {
		bool sel = (int)i == v->sel;
		struct drift_batch_row *b = v->lists[i];
		size_t n = v->n_lists[i], drifting = 0;
		double *share = xcalloc(n + 1, sizeof(double));
		for (size_t k = 0; k < n; k++) {
			drifting += b[k].dataset_drift;
			share[k] = b[k].share;
		}
		char verdict[64] = "not evaluated";
		const struct drift_batch_row *last = n ? &b[n - 1] : NULL;
		if (last)
			snprintf(verdict, sizeof(verdict), "%s %lld/%lld", last->dataset_drift ? "DRIFT" : "ok",
				 (long long)last->drifted, (long long)last->tested);
		int row = y + 1 + (int)i;
		if (sel)
			ui_fill(a, row, 0, w, R_SELECTED);
		int x = 1 + ui_putf(a, row, 1, w - 2, sel ? R_SELECTED : R_NORMAL, "%-18s %7zu %8zu  %-26s ", v->names[i], n,
				    drifting, last ? last->batch : "-");
		x += ui_putf(a, row, x, w - x - 1,
			     sel ? R_SELECTED : !last ? R_DIM : last->dataset_drift ? R_FAILED : R_SUCCEEDED, "%-22s ",
			     verdict);
		if (n && x < w - 2) {
			char *spark = ui_sparkline(a, share, n, w - x - 1 < 40 ? w - x - 1 : 40);
			ui_put(a, row, x, w - x - 1, sel ? R_SELECTED : R_SERIES1, spark);
			free(spark);
		}
		free(share);
	}
}

/* The share of drifted columns over the batches, with the threshold. */
static void draw_share(struct app *a, struct drift_view *v, int y, int h, int x, int w)
{
	if (h < 3 || w < 20 || !v->nb)
		return;
	int lw = 6, pw = w - lw - 1;
	double *xs = xmalloc(v->nb * sizeof(double)), *ys = xmalloc(v->nb * sizeof(double));
	for (size_t i = 0; i < v->nb; i++) {
		xs[i] = (double)i;
		ys[i] = v->batches[i].share;
	}
	double x1 = v->nb > 1 ? (double)(v->nb - 1) : 1;
	struct braille b;
	braille_init(&b, pw, h);
	/* the threshold, dotted */
	int ty = (int)lround((1.0 - v->share_threshold) * (4 * h - 1));
	for (int dx = 0; dx < 2 * pw; dx += 3)
		braille_dot(&b, dx, ty);
	ui_canvas(a, &b, y, x + lw + 1, R_DIM);
	braille_clear(&b);
	chart_plot(&b, xs, ys, v->nb, 0, x1, 0, 1, false);
	ui_canvas(a, &b, y, x + lw + 1, R_SERIES1);
	ui_put(a, y, x, lw, R_DIM, "100%");
	ui_put(a, y + h - 1, x, lw, R_DIM, "  0%");
	ui_putf(a, y + ty / 4, x, lw, R_DIM, "%3.0f%%", v->share_threshold * 100);
	braille_free(&b);
	free(xs);
	free(ys);
}

/* Reference and current distributions of one cell, bar by bar. */
static void draw_hist(struct app *a, const struct drift_result_row *r, int y, int h, int x, int w)
{
	struct drift_hist hist;
	if (!r || !r->hist_reference || drift_hist_parse(r->hist_reference, r->hist_current, &hist) < 0) {
		ui_put(a, y, x, w, R_DIM, r && r->skipped ? r->skipped : "no histogram stored");
		return;
	}
	double tr = 0, tc = 0, max = 0;
	for (size_t i = 0; i < hist.nbins; i++) {
		tr += hist.ref[i];
		tc += hist.cur[i];
	}
	for (size_t i = 0; i < hist.nbins; i++) {
		double fr = tr > 0 ? hist.ref[i] / tr : 0, fc = tc > 0 ? hist.cur[i] / tc : 0;
		if (fr > max)
			max = fr;
		if (fc > max)
			max = fc;
	}
	int lw = 12, bw = (w - lw - 2) / 2 - 7;
	if (bw < 4)
		bw = 4;
	ui_putf(a, y, x, w, R_TITLE, "%-*s %-*s %-*s", lw, hist.edges ? "bin from" : "value", bw + 6, "reference",
		bw + 6, "current");
	size_t shown = hist.nbins;
	size_t step = 1;
	if ((int)shown > h - 1) /* merge neighbours to fit */
		step = (shown + (size_t)(h - 2)) / (size_t)(h - 1);
	int row = y + 1;
	for (size_t i = 0; i < hist.nbins && row < y + h; i += step, row++) {
		double fr = 0, fc = 0;
		for (size_t k = i; k < i + step && k < hist.nbins; k++) {
			fr += tr > 0 ? hist.ref[k] / tr : 0;
			fc += tc > 0 ? hist.cur[k] / tc : 0;
		}
		char label[64];
		if (hist.edges)
			ui_format_number(hist.edges[i], label, sizeof(label));
		else
			snprintf(label, sizeof(label), "%s", hist.labels[i]);
		double m = max * (double)step;
		int nr = m > 0 ? (int)lround(fr / m * bw) : 0, nc = m > 0 ? (int)lround(fc / m * bw) : 0;
		if (nr > bw)
			nr = bw;
		if (nc > bw)
			nc = bw;
		ui_put(a, row, x, lw, R_NORMAL, label);
		struct sbuf sb;
		sbuf_init(&sb);
		for (int k = 0; k < nr; k++)
			sbuf_puts(&sb, a->utf8 ? "█" : "#");
		int cx = x + lw + 1;
		ui_put(a, row, cx, bw, R_SERIES1, sbuf_str(&sb));
		ui_putf(a, row, cx + bw, 6, R_DIM, "%5.1f%%", fr * 100);
		sbuf_reset(&sb);
		for (int k = 0; k < nc; k++)
			sbuf_puts(&sb, a->utf8 ? "█" : "#");
		cx += bw + 7;
		ui_put(a, row, cx, bw, R_SERIES2, sbuf_str(&sb));
		ui_putf(a, row, cx + bw, 6, R_DIM, "%5.1f%%", fc * 100);
		sbuf_free(&sb);
	}
	drift_hist_free(&hist);
}

static void draw_monitor(struct app *a, struct drift_view *v, int y, int h, int w)
{
	if (!v->nb) {
		ui_putf(a, y + 1, 2, w - 4, R_TITLE, "Monitor %s has no stored batches.", v->monitor);
		ui_put(a, y + 3, 2, w - 4, R_NORMAL,
		       "`mlwb monitor run` evaluates them; a running executor does it as new batches appear.");
		return;
	}
	const struct drift_batch_row *sb = &v->batches[v->col];
	ui_putf(a, y, 1, w - 2, R_NORMAL, "reference %s  %zu batches  dataset drift at %.0f%% of columns",
		sb->reference ? sb->reference : "-", v->nb, v->share_threshold * 100);
	/* the heatmap: a row per column, two cells per batch */
	int namew = 4;
	for (size_t c = 0; c < v->nc; c++)
		if (ui_width(v->cols[c]) > namew)
			namew = ui_width(v->cols[c]);
	if (namew > 20)
		namew = 20;
	int cellw = 3, room = (w - namew - 4) / cellw;
	if (room < 1)
		room = 1;
	if (v->col < v->left)
		v->left = v->col;
	if (v->col >= v->left + room)
		v->left = v->col - room + 1;
	int hy = y + 2;
	/* batch numbers, drifting batches marked */
	for (int b = v->left; b < (int)v->nb && b < v->left + room; b++) {
		int cx = namew + 3 + (b - v->left) * cellw;
		ui_putf(a, hy, cx, cellw, b == v->col ? R_TITLE : v->batches[b].dataset_drift ? R_FAILED : R_DIM,
			"%2d", (b + 1) % 100);
	}
	int maxrows = h / 2 - 4 > 3 ? h / 2 - 4 : 3;
	int top = v->sel >= maxrows ? v->sel - maxrows + 1 : 0;
	int row = hy + 1;
	for (int c = top; c < (int)v->nc && c < top + maxrows; c++, row++) {
		ui_put(a, row, 1, namew, c == v->sel ? R_TITLE : R_NORMAL, v->cols[c]);
		for (int b = v->left; b < (int)v->nb && b < v->left + room; b++) {
			const struct drift_result_row *r = cell(v, (size_t)b, (size_t)c);
			int sev = severity(r);
			int cx = namew + 3 + (b - v->left) * cellw;
			enum role role = sev < 0 ? R_DIM : sev_role[sev];
			if (c == v->sel && b == v->col)
				role = R_SELECTED;
			ui_put(a, row, cx, 2, role, c == v->sel && b == v->col && sev < 0 ? "[]" : sev_glyph(a, sev));
		}
	}
	/* the legend */
	int lx = 1;
	lx += ui_put(a, row, lx, w - lx, R_DIM, "legend ") ;
	static const char *const words[] = {"ok", "near", "drift", "far past"};
	for (int s = 0; s < 4; s++) {
		lx += ui_put(a, row, lx, 2, sev_role[s], sev_glyph(a, s));
		lx += ui_putf(a, row, lx, w - lx, R_DIM, " %s  ", words[s]);
	}
	const struct drift_result_row *r = v->nc ? cell(v, (size_t)v->col, (size_t)v->sel) : NULL;
	ui_put(a, row, lx, w - lx, R_DIM, "(drift: p <= t KS, p < t chi2/z, distance >= t)");
	row++;
	/* the selected batch */
	int used = ui_putf(a, row, 1, w - 2, sb->dataset_drift ? R_FAILED : R_SUCCEEDED,
			   "batch %d %s: %lld of %lld columns drifted (%.0f%%)%s", v->col + 1, sb->batch,
			   (long long)sb->drifted, (long long)sb->tested, sb->share * 100,
			   sb->dataset_drift ? "  DATASET DRIFT" : "");
	if (sb->triggered_run && used + 4 < w)
		ui_putf(a, row, used + 3, w - used - 4, R_TITLE, "-> run %lld (Enter)", (long long)sb->triggered_run);
	row++;
	/* the share over time, then the distributions */
	int rest = y + h - row;
	int ch = rest >= 14 ? 5 : rest >= 9 ? 3 : 0;
	if (ch) {
		ui_put(a, row, 1, w - 2, R_TITLE, "share of drifted columns per batch");
		draw_share(a, v, row + 1, ch, 1, w - 2);
		row += ch + 1;
	}
	if (r && row < y + h) {
		char st[32], pv[32], th[32];
		ui_format_number(r->statistic, st, sizeof(st));
		ui_format_number(r->threshold, th, sizeof(th));
		if (isnan(r->p_value))
			snprintf(pv, sizeof(pv), "-");
		else if (r->p_value != 0 && r->p_value < 1e-4)
			snprintf(pv, sizeof(pv), "%.2e", r->p_value);
		else
			snprintf(pv, sizeof(pv), "%.4f", r->p_value);
		ui_putf(a, row, 1, w - 2, r->drifted ? R_FAILED : R_NORMAL, "%s (%s): %s  statistic %s  p-value %s  threshold %s  %s",
			r->column, r->kind, r->skipped ? "skipped" : r->test, st, pv, th, r->drifted ? "DRIFT" : "ok");
		draw_hist(a, r, row + 1, y + h - row - 1, 1, w - 2);
	}
}

static void drift_draw(struct app *a, void *state, int y, int h, int w)
{
	struct drift_view *v = state;
	if (v->monitor)
		draw_monitor(a, v, y, h, w);
	else
		draw_list(a, v, y, h, w);
}

static void export(struct app *a, struct drift_view *v)
{
	struct err err;
	char *path = xasprintf("mlwb-drift-%s.png", v->monitor);
	if (plot_drift_file(a->st, v->monitor, v->share_threshold, path, 0, 0, &err) < 0)
		app_status(a, true, "%s", err.msg);
	else
		app_status(a, false, "wrote %s", path);
	free(path);
}

static int drift_handle(struct app *a, void *state, enum action act, int key)
{
	struct drift_view *v = state;
	(void)key;
	if (!v->monitor) {
		if (ui_list_nav(act, &v->sel, (int)v->n_names, a->rows - 4))
			return H_REDRAW;
		if (act == ACT_ENTER && v->n_names) {
			app_push(a, &view_drift, v->names[v->sel]);
			return H_REDRAW;
		}
		return H_NONE;
	}
	switch (act) {
	case ACT_LEFT:
		if (v->col > 0)
			v->col--;
		return H_REDRAW;
	case ACT_RIGHT:
		if (v->col + 1 < (int)v->nb)
			v->col++;
		return H_REDRAW;
	case ACT_HOME:
		v->col = 0;
		return H_REDRAW;
	case ACT_END:
		v->col = v->nb ? (int)v->nb - 1 : 0;
		return H_REDRAW;
	case ACT_ENTER:
		if (v->nb && v->batches[v->col].triggered_run) {
			char *arg = xasprintf("%lld", (long long)v->batches[v->col].triggered_run);
			app_push(a, &view_run, arg);
			free(arg);
		} else {
			app_status(a, false, "batch %s queued no run", v->nb ? v->batches[v->col].batch : "-");
		}
		return H_REDRAW;
	case ACT_EXPORT:
		export(a, v);
		return H_REDRAW;
	default:
		break;
	}
	if (ui_list_nav(act, &v->sel, (int)v->nc, 5))
		return H_REDRAW;
	return H_NONE;
}

static void drift_close(void *state)
{
	struct drift_view *v = state;
	free_data(v);
	free(v->monitor);
	free(v);
}

static char *drift_crumb(void *state)
{
	struct drift_view *v = state;
	return v->monitor ? xasprintf("monitor %s", v->monitor) : xstrdup("Drift");
}

static int64_t drift_current_run(void *state)
{
	struct drift_view *v = state;
	return v->monitor && v->nb ? v->batches[v->col].triggered_run : 0;
}

static const enum action drift_footer[] = {ACT_ENTER, ACT_LEFT, ACT_RIGHT, ACT_EXPORT, ACT_BACK, ACT_NONE};

const struct view_ops view_drift = {
	.name = "Drift", .cmd = "drift", .open = drift_open, .load = drift_load, .draw = drift_draw,
	.handle = drift_handle, .close = drift_close, .crumb = drift_crumb, .footer = drift_footer,
	.current_run = drift_current_run,
};
