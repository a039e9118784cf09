/* view_launch.c - Launch: pick a pipeline or a sweep, edit its params in a
 * form (each value type-checked against its default), add a note, submit. */
#include <stdlib.h>
#include <string.h>

#include "tui.h"

enum { F_PARAM, F_EXPERIMENT, F_NOTE, F_SUBMIT };

struct field {
	int kind;
	const struct param *param; /* F_PARAM */
	char *value;
	bool swept;
};

struct launch {
	bool form;
	int sel, top;
	/* picking: pipelines, then sweeps */
	const struct pipeline *pipeline;
	const struct sweep *sweep;
	struct field *fields;
	size_t n_fields;
	int editing;
};

static size_t n_items(struct app *a)
{
	return a->spec ? a->spec->n_pipelines + a->spec->n_sweeps : 0;
}

static void *launch_open(struct app *a, const char *arg)
{
	(void)arg;
	if (!a->spec) {
		app_status(a, true, "mlwb.yaml is missing or has errors: `mlwb validate` says what to fix");
		return NULL;
	}
	struct launch *v = xcalloc(1, sizeof(*v));
	v->editing = -1;
	return v;
}

static void free_fields(struct launch *v)
{
	for (size_t i = 0; i < v->n_fields; i++)
		free(v->fields[i].value);
	free(v->fields);
	v->fields = NULL;
	v->n_fields = 0;
}

static void add_field(struct launch *v, int kind, const struct param *p, const char *value, bool swept)
{
	v->fields = xrealloc(v->fields, (v->n_fields + 1) * sizeof(*v->fields));
	v->fields[v->n_fields].kind = kind;
	v->fields[v->n_fields].param = p;
	v->fields[v->n_fields].value = xstrdup(value ? value : "");
	v->fields[v->n_fields].swept = swept;
	v->n_fields++;
}

static void start_form(struct app *a, struct launch *v, int item)
{
	struct spec *s = a->spec;

	v->pipeline = NULL;
	v->sweep = NULL;
	if (item < (int)s->n_pipelines) {
		v->pipeline = &s->pipelines[item];
	} else {
		v->sweep = &s->sweeps[item - (int)s->n_pipelines];
		v->pipeline = pipeline_find(s, v->sweep->pipeline);
	}
	free_fields(v);
	for (size_t i = 0; i < s->n_params; i++) {
		bool swept = false;
		for (size_t d = 0; v->sweep && d < v->sweep->n_dims; d++)
			swept = swept || !strcmp(v->sweep->dims[d].param, s->params[i].name);
		add_field(v, F_PARAM, &s->params[i], s->params[i].value, swept);
	}
	add_field(v, F_EXPERIMENT, NULL, v->pipeline ? v->pipeline->name : "", false);
	add_field(v, F_NOTE, NULL, "", false);
	add_field(v, F_SUBMIT, NULL, NULL, false);
	v->form = true;
	v->sel = 0;
	v->top = 0;
}

static void launch_draw(struct app *a, void *state, int y, int h, int w)
{
	struct launch *v = state;
	struct spec *s = a->spec;

	if (!v->form) {
		ui_put(a, y, 1, w - 2, R_TITLE, "Launch: pick a pipeline or a sweep (Enter)");
		for (size_t i = 0; i < n_items(a) && (int)i < h - 2; i++) {
			bool sel = (int)i == v->sel;
			if (sel)
				ui_fill(a, y + 2 + (int)i, 0, w, R_SELECTED);
			if (i < s->n_pipelines) {
				const struct pipeline *pl = &s->pipelines[i];
				ui_putf(a, y + 2 + (int)i, 2, w - 4, sel ? R_SELECTED : R_NORMAL, "pipeline %-16s %zu tasks  %s",
					pl->name, pl->n_tasks, pl->description ? pl->description : "");
			} else {
				const struct sweep *sw = &s->sweeps[i - s->n_pipelines];
				struct strv *pts;
				size_t np = 0;
				struct err err;
				if (pipeline_sweep_expand(sw, &pts, &np, &err) == 0)
					pipeline_sweep_points_free(pts, np);
				ui_putf(a, y + 2 + (int)i, 2, w - 4, sel ? R_SELECTED : R_NORMAL,
					"sweep    %-16s %s of %s: %zu runs, %d at a time", sw->name, sw->random ? "random" : "grid",
					sw->pipeline, np, sw->parallel);
			}
		}
		return;
	}
	ui_putf(a, y, 1, w - 2, R_TITLE, "Launch %s %s%s%s  (Enter edits, S submits, Esc goes back)",
		v->sweep ? "sweep" : "pipeline", v->sweep ? v->sweep->name : v->pipeline->name,
		v->sweep ? " over " : "", v->sweep ? v->pipeline->name : "");
	for (size_t i = 0; i < v->n_fields && (int)i < h - 2; i++) {
		const struct field *f = &v->fields[i];
		bool sel = (int)i == v->sel;
		int yy = y + 2 + (int)i;
		if (sel)
			ui_fill(a, yy, 0, w, R_SELECTED);
		enum role r = sel ? R_SELECTED : R_NORMAL;
		switch (f->kind) {
		case F_PARAM: {
			bool changed = strcmp(f->value, f->param->value) != 0;
			ui_putf(a, yy, 2, w - 4, f->swept && !sel ? R_DIM : changed && !sel ? R_MARKED : r,
				"%-24s %-8s %-20s %s", f->param->name, param_type_name(f->param->type),
				f->swept ? "(swept)" : f->value, changed ? "(default " : "");
			if (changed)
				ui_putf(a, yy, 2 + 24 + 1 + 8 + 1 + 20 + 1 + 9, w - 60, r, "%s)", f->param->value);
			break;
		}
		case F_EXPERIMENT:
			ui_putf(a, yy, 2, w - 4, r, "%-24s %-8s %s", "experiment", "", f->value);
			break;
		case F_NOTE:
			ui_putf(a, yy, 2, w - 4, r, "%-24s %-8s %s", "note", "", f->value[0] ? f->value : "-");
			break;
		case F_SUBMIT:
			ui_putf(a, yy, 2, w - 4, sel ? R_SELECTED : R_KEY, "[ Submit %s ]", v->sweep ? "the sweep" : "the run");
			break;
		}
	}
}

static int submit(struct app *a, struct launch *v)
{
	struct strv ov = {0};
	struct launch_opts o = {0};
	struct launch_result res;
	struct err err;

	for (size_t i = 0; i < v->n_fields; i++) {
		const struct field *f = &v->fields[i];
		if (f->kind == F_PARAM && !f->swept && strcmp(f->value, f->param->value)) {
			char *kv = xasprintf("%s=%s", f->param->name, f->value);
			strv_push(&ov, kv);
			free(kv);
		} else if (f->kind == F_EXPERIMENT && f->value[0]) {
			o.experiment = f->value;
		} else if (f->kind == F_NOTE && f->value[0]) {
			o.note = f->value;
		}
	}
	o.pipeline = v->pipeline->name;
	o.sweep = v->sweep ? v->sweep->name : NULL;
	o.overrides = &ov;
	int rc = exec_launch(a->p, a->st, a->spec, &o, &res, &err);
	strv_free(&ov);
	if (rc < 0) {
		app_status(a, true, "%s", err.msg);
		return H_REDRAW;
	}
	char *arg = xasprintf("%lld", (long long)res.id);
	bool sweep = v->sweep != NULL;
	/* the new run, where the user will look next (this view is closed) */
	while (a->depth > 1) {
		a->stack[a->depth - 1].ops->close(a->stack[a->depth - 1].state);
		a->depth--;
	}
	a->last_run = res.id;
	if (!sweep)
		app_push(a, &view_dag, arg);
	app_status(a, false, "run %lld queued%s", (long long)res.id, sweep ? " (a sweep: its children are in Runs)" : "");
	free(arg);
	return H_RELOAD;
}

static int launch_handle(struct app *a, void *state, enum action act, int key)
{
	struct launch *v = state;
	int n = v->form ? (int)v->n_fields : (int)n_items(a);

	(void)key;
	if (ui_list_nav(act, &v->sel, n, a->rows - 4))
		return H_REDRAW;
	switch (act) {
	case ACT_BACK:
		if (!v->form)
			return H_NONE;
		v->form = false;
		v->sel = 0;
		return H_REDRAW;
	case ACT_ENTER:
	case ACT_EDIT:
		if (!v->form) {
			if (n)
				start_form(a, v, v->sel);
			return H_REDRAW;
		}
		if (v->fields[v->sel].kind == F_SUBMIT)
			return submit(a, v);
		if (v->fields[v->sel].swept) {
			app_status(a, false, "%s is set by the sweep", v->fields[v->sel].param->name);
			return H_REDRAW;
		}
		v->editing = v->sel;
		app_edit(a, v->fields[v->sel].kind == F_PARAM ? v->fields[v->sel].param->name
			 : v->fields[v->sel].kind == F_NOTE ? "note" : "experiment",
			 v->fields[v->sel].value);
		return H_REDRAW;
	case ACT_SUBMIT:
		if (!v->form)
			return H_NONE;
		return submit(a, v);
	default:
		return H_NONE;
	}
	if (v->sel >= n)
		v->sel = n - 1;
	if (v->sel < 0)
		v->sel = 0;
	return H_REDRAW;
}

/* The line editor's result for the field being edited. */
static int launch_edited(struct app *a, void *state, const char *text)
{
	struct launch *v = state;
	struct err err;

	if (v->editing < 0 || v->editing >= (int)v->n_fields)
		return H_REDRAW;
	struct field *f = &v->fields[v->editing];
	v->editing = -1;
	if (f->kind == F_PARAM) {
		struct strv ov = {0};
		struct param *ps;
		size_t np;
		char *kv = xasprintf("%s=%s", f->param->name, text);
		strv_push(&ov, kv);
		free(kv);
		int rc = pipeline_params_resolve(a->spec, &ov, &ps, &np, &err);
		strv_free(&ov);
		if (rc < 0) {
			app_status(a, true, "%s", err.msg);
			return H_REDRAW;
		}
		pipeline_params_free(ps, np);
	}
	free(f->value);
	f->value = xstrdup(text);
	return H_REDRAW;
}

static void launch_close(void *state)
{
	struct launch *v = state;

	free_fields(v);
	free(v);
}

static char *launch_crumb(void *state)
{
	(void)state;
	return xstrdup("Launch");
}

static const enum action launch_footer[] = {ACT_ENTER, ACT_SUBMIT, ACT_BACK, ACT_NONE};

const struct view_ops view_launch = {
	.name = "Launch", .cmd = "launch", .open = launch_open, .load = NULL, .draw = launch_draw,
	.handle = launch_handle, .close = launch_close, .crumb = launch_crumb, .footer = launch_footer,
	.search = launch_edited,
};
