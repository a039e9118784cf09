/* view_run.c - Run: overview, params, metrics with sparklines, tasks with
 * attempts, artifacts with lineage.  Enter on a task opens its log. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/artifacts.h"
#include "tui.h"

struct line {
	char *text;
	enum role role;
	char *task;   /* Enter opens this task's log */
	char *metric; /* or this metric's chart */
	char *spark;
};

struct runv {
	int64_t id;
	struct run_info ri;
	struct line *lines;
	size_t n;
	int sel, top;
	char *diff_sha;
};

static void runv_add(struct runv *v, enum role r, const char *task, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void runv_add(struct runv *v, enum role r, const char *task, const char *fmt, ...)
{
	va_list ap;

	v->lines = xrealloc(v->lines, (v->n + 1) * sizeof(*v->lines));
	struct line *l = &v->lines[v->n++];
	va_start(ap, fmt);
	l->text = xvasprintf(fmt, ap);
	va_end(ap);
	l->role = r;
	l->task = task ? xstrdup(task) : NULL;
	l->metric = NULL;
	l->spark = NULL;
}

static void runv_clear(struct runv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->lines[i].text);
		free(v->lines[i].task);
		free(v->lines[i].metric);
		free(v->lines[i].spark);
	}
	free(v->lines);
	v->lines = NULL;
	v->n = 0;
	store_run_info_free(&v->ri);
	free(v->diff_sha);
	v->diff_sha = NULL;
}

static int run_load(struct app *a, void *state)
{
	struct runv *v = state;
	struct err err;
	char t1[40], t2[40], d[32];

	runv_clear(v);
	if (store_run_get(a->st, v->id, &v->ri, &err) < 0) {
		app_status(a, true, "%s", err.msg);
		return -1;
	}
	struct run_info *r = &v->ri;
	runv_add(v, ui_state_role(r->status), NULL, "%s run %lld  %s", ui_state_symbol(a, r->status), (long long)r->id,
	    r->status);
	runv_add(v, R_NORMAL, NULL, "  experiment %s   pipeline %s%s%s", r->experiment, r->pipeline,
	    r->sweep ? "   sweep " : "", r->sweep ? r->sweep : "");
	runv_add(v, R_NORMAL, NULL, "  trigger    %s%s%s%s", r->trigger, r->trigger_detail ? " (" : "",
	    r->trigger_detail ? r->trigger_detail : "", r->trigger_detail ? ")" : "");
	if (r->parent)
		runv_add(v, R_NORMAL, NULL, "  parent     run %lld", (long long)r->parent);
	runv_add(v, R_NORMAL, NULL, "  user       %s@%s", r->user ? r->user : "?", r->host ? r->host : "?");
	time_format_local(r->created, t1, sizeof(t1));
	if (r->started) {
		time_format_local(r->started, t2, sizeof(t2));
		time_format_duration((r->finished ? r->finished : app_now(a)) - r->started, d, sizeof(d));
		runv_add(v, R_NORMAL, NULL, "  started    %s  (%s%s)", t2, d, r->finished ? "" : " so far");
	} else {
		runv_add(v, R_NORMAL, NULL, "  created    %s  (waiting for the executor)", t1);
	}
	if (r->git_commit)
		runv_add(v, R_NORMAL, NULL, "  git        %s@%.10s%s", r->git_branch ? r->git_branch : "(detached)",
		    r->git_commit, r->git_dirty > 0 ? "  dirty: d shows the diff" : "");
	else
		runv_add(v, R_DIM, NULL, "  git        not in a git repository");
	if (r->note)
		runv_add(v, R_NORMAL, NULL, "  note       %s", r->note);
	for (size_t i = 0; i < r->n_tags; i++)
		runv_add(v, R_NORMAL, NULL, "  tag        %s = %s", r->tags[i].name, r->tags[i].value);

	if (r->n_params) {
		runv_add(v, R_NORMAL, NULL, "%s", "");
		runv_add(v, R_TITLE, NULL, "Params");
		for (size_t i = 0; i < r->n_params; i++)
			runv_add(v, R_NORMAL, NULL, "  %-24s %s", r->params[i].name, r->params[i].value);
	}
	if (r->n_metrics) {
		runv_add(v, R_NORMAL, NULL, "%s", "");
		runv_add(v, R_TITLE, NULL, "Metrics                        last        min        max  count   (Enter: chart)");
		for (size_t i = 0; i < r->n_metrics; i++) {
			const struct metric_summary *m = &r->metrics[i];
			char l[24], lo[24], hi[24];
			ui_format_number(m->last, l, sizeof(l));
			ui_format_number(m->min, lo, sizeof(lo));
			ui_format_number(m->max, hi, sizeof(hi));
			runv_add(v, R_NORMAL, NULL, "  %-24s %10s %10s %10s %6lld  ", m->name, l, lo, hi, (long long)m->count);
			v->lines[v->n - 1].metric = xstrdup(m->name);
			if (m->count > 1) {
				struct metric_series s;
				if (store_metric_history(a->st, r->id, m->name, &s, &err) == 0) {
					v->lines[v->n - 1].spark = ui_sparkline(a, s.value, s.n, 24);
					store_metric_series_free(&s);
				}
			}
		}
	}
	struct task_info *tasks;
	size_t nt;
	if (store_task_list(a->st, r->id, &tasks, &nt, &err) == 0 && nt) {
		runv_add(v, R_NORMAL, NULL, "%s", "");
		runv_add(v, R_TITLE, NULL, "Tasks                          attempts  exit  duration   (Enter: log)");
		for (size_t i = 0; i < nt; i++) {
			const struct task_info *t = &tasks[i];
			char ex[16] = "-", du[32] = "-";
			if (t->exit_code >= 0)
				snprintf(ex, sizeof(ex), "%d", t->exit_code);
			else if (t->reason && strcmp(t->reason, "exit"))
				snprintf(ex, sizeof(ex), "%s", t->reason);
			if (t->started)
				time_format_duration((t->finished ? t->finished : app_now(a)) - t->started, du, sizeof(du));
			runv_add(v, ui_state_role(t->status), t->name, "  %s %-18s %-10s %3d %6s %9s", ui_state_symbol(a, t->status),
			    t->name, t->status, t->attempts, ex, du);
		}
	}
	store_task_list_free(tasks, nt);
	struct artifact_row *arts;
	size_t na;
	if (store_run_artifacts(a->st, r->id, &arts, &na, &err) == 0 && na) {
		runv_add(v, R_NORMAL, NULL, "%s", "");
		runv_add(v, R_TITLE, NULL, "Artifacts");
		for (size_t i = 0; i < na; i++) {
			const struct artifact_row *x = &arts[i];
			if (!strcmp(x->kind, "diff")) {
				free(v->diff_sha);
				v->diff_sha = xstrdup(x->sha256);
			}
			runv_add(v, R_NORMAL, NULL, "  %-8s %-32s %9lld B  %.10s  %s%s%s", x->kind, x->path, (long long)x->size,
			    x->sha256, x->role ? x->role : "", x->task ? " of " : "", x->task ? x->task : "");
		}
	}
	store_artifacts_free(arts, na);
	if (v->sel >= (int)v->n)
		v->sel = (int)v->n - 1;
	a->last_run = v->id;
	return 0;
}

static void *run_open(struct app *a, const char *arg)
{
	long id;

	if (!arg || !str_to_long(arg, &id) || id < 1) {
		app_status(a, true, ":run needs a run id, got \"%s\"", arg ? arg : "");
		return NULL;
	}
	struct runv *v = xcalloc(1, sizeof(*v));
	v->id = id;
	return v;
}

static void run_draw(struct app *a, void *state, int y, int h, int w)
{
	struct runv *v = state;

	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + h)
		v->top = v->sel - h + 1;
	for (int i = 0; i < h && v->top + i < (int)v->n; i++) {
		const struct line *l = &v->lines[v->top + i];
		bool sel = v->top + i == v->sel;
		if (sel)
			ui_fill(a, y + i, 0, w, R_SELECTED);
		int used = ui_put(a, y + i, 1, w - 2, sel ? R_SELECTED : l->role, l->text);
		if (l->spark)
			ui_put(a, y + i, 1 + used, w - 2 - used, sel ? R_SELECTED : R_SERIES1, l->spark);
	}
}

static int run_handle(struct app *a, void *state, enum action act, int key)
{
	struct runv *v = state;
	int page = a->rows - 4;
	struct err err;

	(void)key;
	if (ui_list_nav(act, &v->sel, (int)v->n, page))
		return H_REDRAW;
	switch (act) {
	case ACT_ENTER:
		if (v->sel >= 0 && v->sel < (int)v->n && v->lines[v->sel].metric) {
			char *arg = xasprintf("%lld %s", (long long)v->id, v->lines[v->sel].metric);
			app_push(a, &view_chart, arg);
			free(arg);
		} else if (v->sel >= 0 && v->sel < (int)v->n && v->lines[v->sel].task) {
			char *arg = xasprintf("%lld %s", (long long)v->id, v->lines[v->sel].task);
			app_push(a, &view_logs, arg);
			free(arg);
		} else {
			char *arg = xasprintf("%lld", (long long)v->id);
			app_push(a, &view_dag, arg);
			free(arg);
		}
		return H_REDRAW;
	case ACT_DIFF: {
		if (!v->diff_sha) {
			app_status(a, false, "run %lld has no uncommitted changes recorded", (long long)v->id);
			return H_REDRAW;
		}
		char *objects = path_join(a->p->dir, "objects");
		char *path = artifacts_object_path(objects, v->diff_sha), *text;
		if (file_read_all(path, &text, NULL, &err) == 0) {
			struct strv lines = {0};
			for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
				nl = strchr(l, '\n');
				if (nl)
					*nl = '\0';
				strv_push(&lines, l);
			}
			free(text);
			char *title = xasprintf("diff of run %lld", (long long)v->id);
			ui_push_text(a, title, &lines, true);
			free(title);
		} else {
			app_status(a, true, "%s", err.msg);
		}
		free(path);
		free(objects);
		return H_REDRAW;
	}
	case ACT_CANCEL:
		if (store_run_request_cancel(a->st, v->id, &err) < 0)
			app_status(a, true, "%s", err.msg);
		else {
			exec_wake(a->p);
			app_status(a, false, "run %lld: cancel requested", (long long)v->id);
		}
		return H_RELOAD;
	default:
		return H_NONE;
	}
	if (v->sel >= (int)v->n)
		v->sel = (int)v->n - 1;
	if (v->sel < 0)
		v->sel = 0;
	return H_REDRAW;
}

static void run_close(void *state)
{
	struct runv *v = state;

	runv_clear(v);
	free(v);
}

static char *run_crumb(void *state)
{
	return xasprintf("run %lld", (long long)((struct runv *)state)->id);
}

static int64_t run_current(void *state)
{
	return ((struct runv *)state)->id;
}

static const enum action run_footer[] = {ACT_ENTER, ACT_VIEW_DAG, ACT_VIEW_LOGS, ACT_DIFF, ACT_CANCEL, ACT_BACK, ACT_NONE};

const struct view_ops view_run = {
	.name = "Run", .cmd = "run", .open = run_open, .load = run_load, .draw = run_draw,
	.handle = run_handle, .close = run_close, .crumb = run_crumb, .footer = run_footer,
	.current_run = run_current,
};
