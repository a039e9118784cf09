/* view_compare.c - Compare: runs side by side.  Params (the differing ones
 * highlighted; d shows only those) and metrics (last value and best value
 * with its step, the best run highlighted in the metric's direction).
 * Enter on a metric overlays its curves for all the runs in the Chart
 * view.  Left and right scroll through many runs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/compare.h"
#include "tui.h"

struct cmpv {
	int64_t *ids;
	size_t n;
	struct compare c;
	bool loaded, only_diff;
	int sel, top, left;
	/* rows: params first, then two per metric (last, best) */
	size_t n_rows;
};

#define NAME_W 26
#define CELL_W 14

static int compare_load(struct app *a, void *state)
{
	struct cmpv *v = state;
	struct err err;

	if (v->loaded)
		compare_free(&v->c);
	v->loaded = false;
	if (compare_runs(a->st, v->ids, v->n, a->spec ? a->spec->goals : NULL, a->spec ? a->spec->n_goals : 0, &v->c,
			 &err) < 0) {
		app_status(a, true, "%s", err.msg);
		return -1;
	}
	v->loaded = true;
	return 0;
}

static void *compare_open(struct app *a, const char *arg)
{
	struct cmpv *v = xcalloc(1, sizeof(*v));
	char *copy = xstrdup(arg ? arg : ""), *save = NULL;

	for (char *w = strtok_r(copy, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
		long id;
		if (!str_to_long(w, &id) || id < 1)
			continue;
		v->ids = xrealloc(v->ids, (v->n + 1) * sizeof(*v->ids));
		v->ids[v->n++] = id;
	}
	free(copy);
	if (v->n < 2) {
		app_status(a, true, ":compare needs two runs or more (in Runs: mark them with Space, then C)");
		free(v->ids);
		free(v);
		return NULL;
	}
	return v;
}

/* Row i: 0 for a param (index in *index), else 1..4 for a metric's last,
 * min, max and best rows; -1 past the end. */
static int row_kind(struct cmpv *v, size_t i, size_t *index)
{
	size_t k = 0;

	for (size_t p = 0; p < v->c.n_params; p++) {
		if (v->only_diff && !v->c.params[p].differs)
			continue;
		if (k++ == i) {
			*index = p;
			return 0;
		}
	}
	size_t m = i - k;
	if (m / 4 >= v->c.n_metrics)
		return -1;
	*index = m / 4;
	return (int)(m % 4) + 1;
}

static size_t count_rows(struct cmpv *v)
{
	size_t n = 4 * v->c.n_metrics;

	for (size_t p = 0; p < v->c.n_params; p++)
		n += !v->only_diff || v->c.params[p].differs;
	return n;
}

static void compare_draw(struct app *a, void *state, int y, int h, int w)
{
	struct cmpv *v = state;
	char buf[48];

	if (!v->loaded)
		return;
	v->n_rows = count_rows(v);
	int visible = (w - NAME_W - 1) / CELL_W;
	if (visible < 1)
		visible = 1;
	if (v->left > (int)v->n - visible)
		v->left = (int)v->n - visible;
	if (v->left < 0)
		v->left = 0;
	ui_put(a, y, 1, NAME_W, R_TITLE, v->only_diff ? "differing params, metrics" : "params, metrics");
	for (int r = 0; r < visible && v->left + r < (int)v->n; r++)
		ui_putf(a, y, 1 + NAME_W + r * CELL_W, CELL_W, R_TITLE, "%*s", CELL_W - 1,
			(snprintf(buf, sizeof(buf), "run %lld", (long long)v->ids[v->left + r]), buf));
	int rows = h - 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + rows)
		v->top = v->sel - rows + 1;
	for (int i = 0; i < rows && v->top + i < (int)v->n_rows; i++) {
		size_t idx;
		int kind = row_kind(v, (size_t)(v->top + i), &idx);
		bool sel = v->top + i == v->sel;
		int yy = y + 1 + i;
		if (sel)
			ui_fill(a, yy, 0, w, R_SELECTED);
		if (kind == 0) {
			const struct compare_param *p = &v->c.params[idx];
			ui_putf(a, yy, 1, NAME_W, sel ? R_SELECTED : p->differs ? R_MARKED : R_NORMAL, "%s %s",
				p->differs ? "*" : " ", p->name);
			for (int r = 0; r < visible && v->left + r < (int)v->n; r++) {
				const char *val = p->values[v->left + r];
				ui_putf(a, yy, 1 + NAME_W + r * CELL_W, CELL_W, sel ? R_SELECTED : val ? R_NORMAL : R_DIM,
					"%*s", CELL_W - 1, val ? val : "-");
			}
		} else if (kind > 0) {
			const struct compare_metric *m = &v->c.metrics[idx];
			static const char *const sub_rows[] = {NULL, NULL, "    min", "    max", "    best @ step"};
			if (kind == 1)
				ui_putf(a, yy, 1, NAME_W, sel ? R_SELECTED : R_TITLE, "%s (%s)", m->name,
					m->lower ? "min" : "max");
			else
				ui_put(a, yy, 1, NAME_W, sel ? R_SELECTED : R_DIM, sub_rows[kind]);
			for (int r = 0; r < visible && v->left + r < (int)v->n; r++) {
				const struct compare_cell *x = &m->runs[v->left + r];
				bool best = m->best == v->left + r;
				char num[24];
				if (!x->has) {
					snprintf(buf, sizeof(buf), "-");
				} else if (kind < 4) {
					ui_format_number(kind == 1 ? x->last : kind == 2 ? x->min : x->max, buf, sizeof(buf));
				} else {
					ui_format_number(x->best, num, sizeof(num));
					snprintf(buf, sizeof(buf), "%s@%lld", num, (long long)x->best_step);
				}
				ui_putf(a, yy, 1 + NAME_W + r * CELL_W, CELL_W,
					sel ? R_SELECTED : best && kind == 4 ? R_SUCCEEDED : x->has ? R_NORMAL : R_DIM, "%*s",
					CELL_W - 1, buf);
			}
		}
	}
	if (!a->status[0] && (int)v->n > visible)
		app_status(a, false, "runs %d-%d of %zu (h and l scroll)", v->left + 1,
			   v->left + visible > (int)v->n ? (int)v->n : v->left + visible, v->n);
}

static int compare_handle(struct app *a, void *state, enum action act, int key)
{
	struct cmpv *v = state;

	(void)key;
	if (ui_list_nav(act, &v->sel, (int)v->n_rows, a->rows - 4))
		return H_REDRAW;
	switch (act) {
	case ACT_LEFT: v->left--; break;
	case ACT_RIGHT: v->left++; break;
	case ACT_ONLY_DIFF:
		v->only_diff = !v->only_diff;
		v->sel = 0;
		break;
	case ACT_NEXT_METRIC:
	case ACT_ENTER: {
		size_t idx;
		int kind = row_kind(v, (size_t)v->sel, &idx);
		if (act == ACT_NEXT_METRIC || kind <= 0) {
			/* jump to the next metric's row */
			size_t i = (size_t)v->sel + 1;
			while (i < v->n_rows && row_kind(v, i, &idx) != 1)
				i++;
			if (i >= v->n_rows) {
				i = 0;
				while (i < v->n_rows && row_kind(v, i, &idx) != 1)
					i++;
			}
			if (i < v->n_rows)
				v->sel = (int)i;
			if (act == ACT_NEXT_METRIC)
				break;
			kind = row_kind(v, (size_t)v->sel, &idx);
			if (kind <= 0)
				break;
		}
		struct sbuf sb;
		sbuf_init(&sb);
		for (size_t r = 0; r < v->n; r++)
			sbuf_printf(&sb, "%lld ", (long long)v->ids[r]);
		sbuf_puts(&sb, v->c.metrics[idx].name);
		app_push(a, &view_chart, sbuf_str(&sb));
		sbuf_free(&sb);
		return H_REDRAW;
	}
	default:
		return H_NONE;
	}
	if (v->sel >= (int)v->n_rows)
		v->sel = (int)v->n_rows - 1;
	if (v->sel < 0)
		v->sel = 0;
	return H_REDRAW;
}

static void compare_close(void *state)
{
	struct cmpv *v = state;

	if (v->loaded)
		compare_free(&v->c);
	free(v->ids);
	free(v);
}

static char *compare_crumb(void *state)
{
	return xasprintf("compare %zu runs", ((struct cmpv *)state)->n);
}

static int64_t compare_current(void *state)
{
	return ((struct cmpv *)state)->ids[0];
}

static const enum action compare_footer[] = {ACT_ENTER, ACT_ONLY_DIFF, ACT_NEXT_METRIC, ACT_BACK, ACT_NONE};

const struct view_ops view_compare = {
	.name = "Compare", .cmd = "compare", .open = compare_open, .load = compare_load, .draw = compare_draw,
	.handle = compare_handle, .close = compare_close, .crumb = compare_crumb, .footer = compare_footer,
	.current_run = compare_current,
};
