/* view_runs.c - Runs: every run grouped by experiment, newest first, with
 * the params and metrics that vary across them; sort, filter, mark. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/expr.h"
#include "tui.h"

struct col {
	char *title;
	char *key; /* "params.x", "metrics.y" or a field name */
	int width;
	bool right;
	bool hidden;
};

struct row {
	int run; /* index into list.v, -1 for an experiment header */
	const char *experiment;
	int count;
};

struct runs {
	struct run_list list;
	struct row *rows;
	size_t n_rows;
	struct col *cols;
	size_t n_cols;
	int sel, top, left;
	size_t sort; /* index into cols */
	bool desc;
	char *filter;
	struct expr *expr;
	int64_t *marked;
	size_t n_marked;
	int64_t keep_id; /* keep the selection on this run across reloads */
	bool trash;       /* showing the deleted runs */
	bool choosing;    /* the column chooser is open */
	int col_sel;
	int editing;      /* 0, 't' (a tag) or 'n' (a note) for the line editor */
	char *layout;     /* .mlwb/tui-columns */
};

static const char *param_of(const struct run_info *r, const char *name)
{
	for (size_t i = 0; i < r->n_params; i++)
		if (!strcmp(r->params[i].name, name))
			return r->params[i].value;
	return NULL;
}

static const struct metric_summary *metric_of(const struct run_info *r, const char *name)
{
	for (size_t i = 0; i < r->n_metrics; i++)
		if (!strcmp(r->metrics[i].name, name))
			return &r->metrics[i];
	return NULL;
}

static bool is_marked(struct runs *v, int64_t id)
{
	for (size_t i = 0; i < v->n_marked; i++)
		if (v->marked[i] == id)
			return true;
	return false;
}

/* The text of a column for a run, in a static buffer. */
static const char *cell(struct app *a, const struct run_info *r, const char *key)
{
	static char buf[128];

	buf[0] = '\0';
	if (!strcmp(key, "id"))
		snprintf(buf, sizeof(buf), "%lld", (long long)r->id);
	else if (!strcmp(key, "status"))
		snprintf(buf, sizeof(buf), "%s %s", ui_state_symbol(a, r->status), r->status);
	else if (!strcmp(key, "pipeline"))
		snprintf(buf, sizeof(buf), "%s", r->pipeline);
	else if (!strcmp(key, "user"))
		snprintf(buf, sizeof(buf), "%s", r->user ? r->user : "-");
	else if (!strcmp(key, "started")) {
		if (r->started) {
			time_format_local(r->started, buf, sizeof(buf));
			memmove(buf, buf + 5, strlen(buf + 5) + 1); /* MM-DD HH:MM:SS */
			buf[11] = '\0';
		} else {
			snprintf(buf, sizeof(buf), "-");
		}
	} else if (!strcmp(key, "duration")) {
		if (r->started)
			time_format_duration((r->finished ? r->finished : app_now(a)) - r->started, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "-");
	} else if (!strcmp(key, "commit")) {
		if (r->git_commit)
			snprintf(buf, sizeof(buf), "%.7s%s", r->git_commit, r->git_dirty > 0 ? "*" : "");
		else
			snprintf(buf, sizeof(buf), "-");
	} else if (!strcmp(key, "trigger")) {
		snprintf(buf, sizeof(buf), "%s", r->trigger);
	} else if (str_startswith(key, "params.")) {
		const char *p = param_of(r, key + 7);
		snprintf(buf, sizeof(buf), "%s", p ? p : "-");
	} else if (str_startswith(key, "metrics.")) {
		const struct metric_summary *m = metric_of(r, key + 8);
		if (m)
			ui_format_number(m->last, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "-");
	}
	return buf;
}

/* ---- columns ---- */

static void add_col(struct runs *v, const char *title, const char *key, bool right)
{
	v->cols = xrealloc(v->cols, (v->n_cols + 1) * sizeof(*v->cols));
	v->cols[v->n_cols].title = xstrdup(title);
	v->cols[v->n_cols].key = xstrdup(key);
	v->cols[v->n_cols].width = ui_width(title);
	v->cols[v->n_cols].right = right;
	v->cols[v->n_cols].hidden = false;
	v->n_cols++;
}

static void free_cols(struct runs *v)
{
	for (size_t i = 0; i < v->n_cols; i++) {
		free(v->cols[i].title);
		free(v->cols[i].key);
	}
	free(v->cols);
	v->cols = NULL;
	v->n_cols = 0;
}

/* The user's column choice, remembered per project in .mlwb/tui-columns:
 * one column key a line in the order chosen, "-key" for a hidden one.
 * Columns the file does not name keep their place after the named ones. */
static void apply_layout(struct runs *v)
{
	char *text;
	struct err err;

	if (!v->layout || file_read_all(v->layout, &text, NULL, &err) < 0)
		return;
	struct col *sorted = xcalloc(v->n_cols + 1, sizeof(*sorted));
	bool *taken = xcalloc(v->n_cols + 1, sizeof(*taken));
	size_t k = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool hide = l[0] == '-';
		for (size_t c = 0; c < v->n_cols; c++)
			if (!taken[c] && !strcmp(v->cols[c].key, l + hide)) {
				taken[c] = true;
				sorted[k] = v->cols[c];
				sorted[k++].hidden = hide && strcmp(l + 1, "id");
			}
	}
	for (size_t c = 0; c < v->n_cols; c++)
		if (!taken[c])
			sorted[k++] = v->cols[c];
	memcpy(v->cols, sorted, v->n_cols * sizeof(*sorted));
	free(sorted);
	free(taken);
	free(text);
}

static void save_layout(struct app *a, struct runs *v)
{
	struct sbuf sb;
	struct err err;

	sbuf_init(&sb);
	for (size_t c = 0; c < v->n_cols; c++)
		sbuf_printf(&sb, "%s%s\n", v->cols[c].hidden ? "-" : "", v->cols[c].key);
	if (file_write_atomic(v->layout, sbuf_str(&sb), sb.len, &err) < 0)
		app_status(a, true, "%s", err.msg);
	sbuf_free(&sb);
}

/* Params whose value differs between the listed runs, and every metric. */
static void build_cols(struct app *a, struct runs *v)
{
	char *sort_key = v->n_cols ? xstrdup(v->cols[v->sort].key) : xstrdup("started");

	free_cols(v);
	add_col(v, "ID", "id", true);
	add_col(v, "STATUS", "status", false);
	add_col(v, "PIPELINE", "pipeline", false);
	add_col(v, "STARTED", "started", false);
	add_col(v, "DURATION", "duration", true);
	add_col(v, "COMMIT", "commit", false);
	add_col(v, "TRIGGER", "trigger", false);
	add_col(v, "USER", "user", false);
	struct strv seen = {0};
	for (size_t i = 0; i < v->list.n; i++)
		for (size_t k = 0; k < v->list.v[i].n_params; k++) {
			const char *name = v->list.v[i].params[k].name;
			bool dup = false;
			for (size_t s = 0; s < seen.n && !dup; s++)
				dup = !strcmp(seen.v[s], name);
			if (dup)
				continue;
			strv_push(&seen, name);
			const char *first = NULL;
			bool varies = false;
			for (size_t j = 0; j < v->list.n && !varies; j++) {
				const char *val = param_of(&v->list.v[j], name);
				if (!val && v->list.v[j].parent == 0 && v->list.v[j].n_params == 0)
					continue; /* a sweep's parent has no params */
				if (!first)
					first = val ? val : "";
				else
					varies = strcmp(first, val ? val : "") != 0;
			}
			if (varies) {
				char *key = xasprintf("params.%s", name);
				add_col(v, name, key, true);
				free(key);
			}
		}
	strv_free(&seen);
	for (size_t i = 0; i < v->list.n; i++)
		for (size_t k = 0; k < v->list.v[i].n_metrics; k++) {
			char *key = xasprintf("metrics.%s", v->list.v[i].metrics[k].name);
			bool dup = false;
			for (size_t c = 0; c < v->n_cols && !dup; c++)
				dup = !strcmp(v->cols[c].key, key);
			if (!dup)
				add_col(v, v->list.v[i].metrics[k].name, key, true);
			free(key);
		}
	apply_layout(v);
	v->sort = 3;
	for (size_t c = 0; c < v->n_cols; c++)
		if (!strcmp(v->cols[c].key, sort_key))
			v->sort = c;
	free(sort_key);
	for (size_t r = 0; r < v->list.n; r++)
		for (size_t c = 0; c < v->n_cols; c++) {
			int w = ui_width(cell(a, &v->list.v[r], v->cols[c].key));
			if (w > v->cols[c].width)
				v->cols[c].width = w > 24 ? 24 : w;
		}
}

/* ---- rows: filtered, grouped, sorted ---- */

static struct runs *sorting;
static struct app *sorting_app;

static int cmp_runs(const void *x, const void *y)
{
	const struct run_info *a = &sorting->list.v[*(const int *)x], *b = &sorting->list.v[*(const int *)y];
	const char *key = sorting->cols[sorting->sort].key;
	int c = 0;

	if (!strcmp(key, "id") || !strcmp(key, "started")) {
		int64_t ka = !strcmp(key, "id") ? a->id : a->started ? a->started : a->created;
		int64_t kb = !strcmp(key, "id") ? b->id : b->started ? b->started : b->created;
		c = ka < kb ? -1 : ka > kb;
	} else if (!strcmp(key, "duration")) {
		int64_t da = a->started ? (a->finished ? a->finished : INT64_MAX / 2) - a->started : -1;
		int64_t db = b->started ? (b->finished ? b->finished : INT64_MAX / 2) - b->started : -1;
		c = da < db ? -1 : da > db;
	} else {
		char ta[128], tb[128];
		snprintf(ta, sizeof(ta), "%s", cell(sorting_app, a, key));
		snprintf(tb, sizeof(tb), "%s", cell(sorting_app, b, key));
		double na, nb;
		bool ha = str_to_double(ta, &na), hb = str_to_double(tb, &nb);
		if (ha && hb)
			c = na < nb ? -1 : na > nb;
		else if (ha != hb)
			return ha ? -1 : 1; /* values before "-", whatever the direction */
		else
			c = strcmp(ta, tb);
	}
	if (!c)
		c = a->id < b->id ? -1 : a->id > b->id;
	return sorting->desc ? -c : c;
}

static void build_rows(struct app *a, struct runs *v)
{
	int *idx = xcalloc(v->list.n + 1, sizeof(*idx));
	size_t n = 0;
	struct err err;

	for (size_t i = 0; i < v->list.n; i++) {
		if (v->expr) {
			int r = expr_eval_run(v->expr, &v->list.v[i], &err);
			if (r < 0) {
				app_status(a, true, "%s", err.msg);
				expr_free(v->expr);
				v->expr = NULL;
				free(v->filter);
				v->filter = NULL;
				i = (size_t)-1; /* start over without the filter */
				n = 0;
				continue;
			}
			if (!r)
				continue;
		}
		idx[n++] = (int)i;
	}
	sorting = v;
	sorting_app = a;
	qsort(idx, n, sizeof(*idx), cmp_runs);
	/* group by experiment, groups in the order their first run appears */
	free(v->rows);
	v->rows = xcalloc(2 * n + 1, sizeof(*v->rows));
	v->n_rows = 0;
	bool *used = xcalloc(n + 1, sizeof(*used));
	for (size_t i = 0; i < n; i++) {
		if (used[i])
			continue;
		const char *exp = v->list.v[idx[i]].experiment;
		size_t header = v->n_rows++;
		int count = 0;
		for (size_t j = i; j < n; j++)
			if (!used[j] && !strcmp(v->list.v[idx[j]].experiment, exp)) {
				used[j] = true;
				v->rows[v->n_rows].run = idx[j];
				v->rows[v->n_rows].experiment = exp;
				v->n_rows++;
				count++;
			}
		v->rows[header].run = -1;
		v->rows[header].experiment = exp;
		v->rows[header].count = count;
	}
	free(used);
	free(idx);
}

static void select_id(struct runs *v, int64_t id)
{
	for (size_t i = 0; i < v->n_rows; i++)
		if (v->rows[i].run >= 0 && v->list.v[v->rows[i].run].id == id) {
			v->sel = (int)i;
			return;
		}
}

static void fix_selection(struct runs *v)
{
	if (v->sel >= (int)v->n_rows)
		v->sel = (int)v->n_rows - 1;
	if (v->sel < 0)
		v->sel = 0;
}

static int64_t runs_current(void *state)
{
	struct runs *v = state;

	if (v->sel < 0 || v->sel >= (int)v->n_rows || v->rows[v->sel].run < 0)
		return 0;
	return v->list.v[v->rows[v->sel].run].id;
}

static int runs_load(struct app *a, void *state)
{
	struct runs *v = state;
	struct run_query q = {0};
	struct err err;
	int64_t keep = runs_current(v);

	q.with_details = true;
	q.trash = v->trash;
	store_run_list_free(&v->list);
	if (store_run_list(a->st, &q, &v->list, &err) < 0) {
		app_status(a, true, "%s", err.msg);
		return 0;
	}
	build_cols(a, v);
	build_rows(a, v);
	if (keep)
		select_id(v, keep);
	else if (v->n_rows > 1 && v->sel == 0)
		v->sel = 1; /* the first run, not its group's header */
	fix_selection(v);
	return 0;
}

static void *runs_open(struct app *a, const char *arg)
{
	struct runs *v = xcalloc(1, sizeof(*v));

	(void)arg;
	v->desc = true;
	v->layout = path_join(a->p->dir, "tui-columns");
	return v;
}

static void draw_chooser(struct app *a, struct runs *v, int y, int h, int w)
{
	ui_put(a, y, 1, w - 2, R_TITLE, "Columns: Space shows or hides, K and J move, Enter or c closes (saved for this project)");
	for (size_t c = 0; c < v->n_cols && (int)c < h - 2; c++) {
		bool sel = (int)c == v->col_sel;
		if (sel)
			ui_fill(a, y + 2 + (int)c, 0, w, R_SELECTED);
		ui_putf(a, y + 2 + (int)c, 2, w - 4, sel ? R_SELECTED : v->cols[c].hidden ? R_DIM : R_NORMAL, "[%s] %s",
			v->cols[c].hidden ? " " : "x", v->cols[c].key);
	}
}

static void runs_draw(struct app *a, void *state, int y, int h, int w)
{
	struct runs *v = state;
	int x;

	if (v->choosing) {
		draw_chooser(a, v, y, h, w);
		return;
	}
	if (!v->list.n && v->trash) {
		ui_put(a, y + 1, 2, w - 4, R_TITLE, "The trash is empty.  T shows the runs again.");
		return;
	}
	if (!v->list.n) {
		ui_put(a, y + 1, 2, w - 4, R_TITLE, "No runs yet.");
		ui_put(a, y + 3, 2, w - 4, R_NORMAL, "Press 5 (or :launch) to start one, or run `mlwb run PIPELINE` in a shell.");
		if (a->spec)
			for (size_t i = 0; i < a->spec->n_pipelines && (int)i < h - 6; i++)
				ui_putf(a, y + 5 + (int)i, 4, w - 6, R_DIM, "pipeline %s: %zu tasks%s%s",
					a->spec->pipelines[i].name, a->spec->pipelines[i].n_tasks,
					a->spec->pipelines[i].description ? " - " : "",
					a->spec->pipelines[i].description ? a->spec->pipelines[i].description : "");
		return;
	}
	/* header line of columns */
	x = 2;
	ui_fill(a, y, 0, w, R_TITLE);
	for (size_t c = 0; c < v->n_cols && x < w; c++) {
		if (v->cols[c].hidden || (c >= 3 && (int)c < 3 + v->left))
			continue;
		char t[64];
		snprintf(t, sizeof(t), "%s%s", v->cols[c].title,
			 c == v->sort ? (v->desc ? (a->utf8 ? "↓" : "v") : (a->utf8 ? "↑" : "^")) : "");
		int cw = v->cols[c].width + (c == v->sort);
		int tw = ui_width(t);
		ui_put(a, y, x + (v->cols[c].right && tw < cw ? cw - tw : 0), w - x, R_TITLE, t);
		x += cw + 2;
	}
	int rows = h - 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + rows)
		v->top = v->sel - rows + 1;
	for (int i = 0; i < rows && v->top + i < (int)v->n_rows; i++) {
		const struct row *rw = &v->rows[v->top + i];
		int yy = y + 1 + i;
		bool sel = v->top + i == v->sel;
		if (rw->run < 0) {
			ui_putf(a, yy, 0, w, sel ? R_SELECTED : R_TITLE, "%s %s (%d run%s)", ui_glyph(a, G_TL),
				rw->experiment, rw->count, rw->count == 1 ? "" : "s");
			continue;
		}
		const struct run_info *r = &v->list.v[rw->run];
		bool marked = is_marked(v, r->id);
		if (sel)
			ui_fill(a, yy, 0, w, R_SELECTED);
		ui_put(a, yy, 0, 2, sel ? R_SELECTED : R_MARKED, marked ? ui_glyph(a, G_MARK) : " ");
		x = 2;
		for (size_t c = 0; c < v->n_cols && x < w; c++) {
			if (v->cols[c].hidden || (c >= 3 && (int)c < 3 + v->left))
				continue;
			const char *t = cell(a, r, v->cols[c].key);
			int cw = v->cols[c].width + (c == v->sort);
			int tw = ui_width(t);
			enum role role = sel ? R_SELECTED : !strcmp(v->cols[c].key, "status") ? ui_state_role(r->status)
							     : marked ? R_MARKED : R_NORMAL;
			if (!sel && !strcmp(t, "-"))
				role = R_DIM;
			ui_put(a, yy, x + (v->cols[c].right && tw < cw ? cw - tw : 0), (cw < w - x ? cw : w - x), role, t);
			x += cw + 2;
		}
	}
	if (v->trash)
		app_status(a, false, "the trash: u restores the run, T shows the runs again");
	if (v->filter) {
		size_t shown = 0;
		for (size_t i = 0; i < v->n_rows; i++)
			shown += v->rows[i].run >= 0;
		app_status(a, false, "filter: %s  (%zu of %zu runs; / and an empty line clears it)", v->filter,
			   shown, v->list.n);
	}
}

static void toggle_mark(struct runs *v, int64_t id)
{
	for (size_t i = 0; i < v->n_marked; i++)
		if (v->marked[i] == id) {
			v->marked[i] = v->marked[--v->n_marked];
			return;
		}
	v->marked = xrealloc(v->marked, (v->n_marked + 1) * sizeof(*v->marked));
	v->marked[v->n_marked++] = id;
}

/* Queues a new run of the same pipeline with the same params. */
static void rerun(struct app *a, const struct run_info *r)
{
	struct strv ov = {0};
	struct launch_opts o = {0};
	struct launch_result res;
	struct err err;

	if (!a->spec) {
		app_status(a, true, "mlwb.yaml has errors: fix them (mlwb validate) to run");
		return;
	}
	for (size_t i = 0; i < r->n_params; i++) {
		char *kv = xasprintf("%s=%s", r->params[i].name, r->params[i].value);
		strv_push(&ov, kv);
		free(kv);
	}
	o.pipeline = r->pipeline;
	o.experiment = r->experiment;
	o.overrides = &ov;
	if (r->sweep && !r->parent) /* a sweep's parent: the whole sweep again */
		o.sweep = r->sweep;
	if (exec_launch(a->p, a->st, a->spec, &o, &res, &err) < 0)
		app_status(a, true, "%s", err.msg);
	else
		app_status(a, false, "run %lld queued (a re-run of %lld)", (long long)res.id, (long long)r->id);
	strv_free(&ov);
}

static int chooser_handle(struct app *a, struct runs *v, enum action act)
{
	int n = (int)v->n_cols;

	switch (act) {
	case ACT_UP: v->col_sel--; break;
	case ACT_DOWN: v->col_sel++; break;
	case ACT_MARK:
		if (strcmp(v->cols[v->col_sel].key, "id"))
			v->cols[v->col_sel].hidden = !v->cols[v->col_sel].hidden;
		save_layout(a, v);
		break;
	case ACT_MOVE_UP:
	case ACT_MOVE_DOWN: {
		int to = v->col_sel + (act == ACT_MOVE_UP ? -1 : 1);
		if (to < 0 || to >= n)
			break;
		struct col t = v->cols[to];
		v->cols[to] = v->cols[v->col_sel];
		v->cols[v->col_sel] = t;
		if (v->sort == (size_t)to)
			v->sort = (size_t)v->col_sel;
		else if (v->sort == (size_t)v->col_sel)
			v->sort = (size_t)to;
		v->col_sel = to;
		save_layout(a, v);
		break;
	}
	case ACT_COLUMNS:
	case ACT_ENTER:
	case ACT_BACK:
		v->choosing = false;
		return H_RELOAD;
	default:
		return act == ACT_QUIT ? (v->choosing = false, H_REDRAW) : H_REDRAW;
	}
	if (v->col_sel < 0)
		v->col_sel = 0;
	if (v->col_sel >= n)
		v->col_sel = n - 1;
	return H_REDRAW;
}

/* The selected run, or every marked run when some are marked. */
static size_t targets(struct runs *v, int64_t **ids)
{
	int64_t id = runs_current(v);

	if (v->n_marked) {
		*ids = xcalloc(v->n_marked, sizeof(**ids));
		memcpy(*ids, v->marked, v->n_marked * sizeof(**ids));
		return v->n_marked;
	}
	if (!id)
		return 0;
	*ids = xcalloc(1, sizeof(**ids));
	(*ids)[0] = id;
	return 1;
}

static int runs_handle(struct app *a, void *state, enum action act, int key)
{
	struct runs *v = state;
	int page = a->rows - 4;
	int64_t id = runs_current(v);
	struct err err;

	(void)key;
	if (v->choosing)
		return chooser_handle(a, v, act);
	if (ui_list_nav(act, &v->sel, (int)v->n_rows, page))
		return H_REDRAW;
	switch (act) {
	case ACT_LEFT: if (v->left > 0) v->left--; break;
	case ACT_RIGHT: if (v->left + 4 < (int)v->n_cols) v->left++; break;
	case ACT_ENTER:
		if (id) {
			char *arg = xasprintf("%lld", (long long)id);
			app_push(a, &view_run, arg);
			free(arg);
		}
		return H_REDRAW;
	case ACT_MARK:
		if (id) {
			toggle_mark(v, id);
			app_status(a, false, "%zu run%s marked", v->n_marked, v->n_marked == 1 ? "" : "s");
			v->sel++;
		}
		break;
	case ACT_SORT:
	case ACT_SORT_REV:
		if (act == ACT_SORT)
			v->sort = (v->sort + 1) % v->n_cols;
		else
			v->desc = !v->desc;
		app_status(a, false, "sorted by %s, %s", v->cols[v->sort].title, v->desc ? "descending" : "ascending");
		build_rows(a, v);
		if (id)
			select_id(v, id);
		break;
	case ACT_CANCEL:
		if (id) {
			if (store_run_request_cancel(a->st, id, &err) < 0)
				app_status(a, true, "%s", err.msg);
			else {
				exec_wake(a->p);
				app_status(a, false, "run %lld: cancel requested", (long long)id);
			}
		}
		return H_RELOAD;
	case ACT_RERUN:
		if (id)
			for (size_t i = 0; i < v->list.n; i++)
				if (v->list.v[i].id == id)
					rerun(a, &v->list.v[i]);
		return H_RELOAD;
	case ACT_COMPARE: {
		if (v->n_marked < 2) {
			app_status(a, true, "mark two runs or more with Space, then C compares them");
			return H_REDRAW;
		}
		struct sbuf sb;
		sbuf_init(&sb);
		for (size_t i = 0; i < v->n_marked; i++)
			sbuf_printf(&sb, "%lld ", (long long)v->marked[i]);
		app_push(a, &view_compare, sbuf_str(&sb));
		sbuf_free(&sb);
		return H_REDRAW;
	}
	case ACT_COLUMNS:
		v->choosing = true;
		v->col_sel = 0;
		return H_REDRAW;
	case ACT_TAG:
	case ACT_NOTE:
		if (!id)
			return H_REDRAW;
		v->editing = act == ACT_TAG ? 't' : 'n';
		if (act == ACT_TAG) {
			app_edit(a, "tag (NAME=VALUE)", "");
		} else {
			const char *note = "";
			for (size_t i = 0; i < v->list.n; i++)
				if (v->list.v[i].id == id && v->list.v[i].note)
					note = v->list.v[i].note;
			app_edit(a, "note", note);
		}
		return H_REDRAW;
	case ACT_DELETE:
	case ACT_RESTORE: {
		if ((act == ACT_DELETE) == v->trash) {
			app_status(a, true, v->trash ? "these runs are in the trash already: u restores" : "u restores from the trash (T shows it)");
			return H_REDRAW;
		}
		int64_t *ids = NULL;
		size_t n = targets(v, &ids), done = 0;
		for (size_t i = 0; i < n; i++) {
			if (store_run_trash(a->st, ids[i], act == ACT_DELETE, &err) < 0) {
				app_status(a, true, "%s", err.msg);
				break;
			}
			done++;
		}
		if (done == n && n)
			app_status(a, false, "%zu run%s %s", n, n == 1 ? "" : "s",
				    act == ACT_DELETE ? "moved to the trash (T shows it, u restores)" : "restored");
		free(ids);
		v->n_marked = 0;
		return H_RELOAD;
	}
	case ACT_TRASH:
		v->trash = !v->trash;
		v->sel = 0;
		v->n_marked = 0;
		return H_RELOAD;
	default:
		return H_NONE;
	}
	fix_selection(v);
	return H_REDRAW;
}

static int runs_click(struct app *a, void *state, int row, bool twice)
{
	struct runs *v = state;
	int i = v->top + row - 1; /* the first row is the column titles */

	if (v->choosing || row < 1 || i >= (int)v->n_rows)
		return H_NONE;
	v->sel = i;
	return twice ? runs_handle(a, v, ACT_ENTER, '\n') : H_REDRAW;
}

static int runs_search(struct app *a, void *state, const char *text)
{
	struct runs *v = state;
	struct err err;
	struct expr *e = NULL;
	int64_t id = runs_current(v);

	if (v->editing) {
		int what = v->editing;
		v->editing = 0;
		if (!id)
			return H_REDRAW;
		if (what == 'n') {
			if (store_run_set_note(a->st, id, text, &err) < 0)
				app_status(a, true, "%s", err.msg);
			return H_RELOAD;
		}
		const char *eq = strchr(text, '=');
		if (!eq || eq == text) {
			app_status(a, true, "a tag is NAME=VALUE, got \"%s\"", text);
			return H_REDRAW;
		}
		char *name = xstrndup(text, (size_t)(eq - text));
		if (store_tag_put(a->st, id, name, eq + 1, &err) < 0)
			app_status(a, true, "%s", err.msg);
		else
			app_status(a, false, "run %lld tagged %s", (long long)id, text);
		free(name);
		return H_RELOAD;
	}

	while (*text == ' ')
		text++;
	if (*text && expr_parse(text, &e, &err) < 0) {
		app_status(a, true, "%s", err.msg);
		return H_REDRAW;
	}
	expr_free(v->expr);
	free(v->filter);
	v->expr = e;
	v->filter = *text ? xstrdup(text) : NULL;
	build_rows(a, v);
	if (id)
		select_id(v, id);
	fix_selection(v);
	return H_REDRAW;
}

static void runs_close(void *state)
{
	struct runs *v = state;

	store_run_list_free(&v->list);
	free(v->rows);
	free_cols(v);
	expr_free(v->expr);
	free(v->filter);
	free(v->marked);
	free(v->layout);
	free(v);
}

static char *runs_crumb(void *state)
{
	return xstrdup(((struct runs *)state)->trash ? "Runs (trash)" : "Runs");
}

static const enum action runs_footer[] = {ACT_ENTER, ACT_MARK, ACT_COMPARE, ACT_SORT, ACT_SEARCH, ACT_COLUMNS, ACT_VIEW_LAUNCH, ACT_DELETE, ACT_NONE};

const struct view_ops view_runs = {
	.name = "Runs", .cmd = "runs", .open = runs_open, .load = runs_load, .draw = runs_draw,
	.handle = runs_handle, .close = runs_close, .crumb = runs_crumb, .footer = runs_footer,
	.current_run = runs_current, .search = runs_search, .click = runs_click,
};
