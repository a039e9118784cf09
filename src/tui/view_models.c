/* view_models.c - Models: the registry.  The list of models with their
 * production and staging versions and the production run's metrics; Enter
 * shows a model's versions (stage, source run, creation, gate outcome),
 * where p promotes, a archives, H shows the stage history and Enter opens
 * the version's run. */
#include <stdlib.h>
#include <string.h>

#include "mlwb/registry.h"
#include "tui.h"

struct models {
	char *model; /* NULL: the list of models */
	struct model_row *list;
	size_t n_list;
	struct model_version_row *versions;
	size_t n_versions;
	int sel, top;
	bool force; /* the pending promotion may override a failed gate */
};

static void free_data(struct models *v)
{
	store_models_free(v->list, v->n_list);
	store_model_versions_free(v->versions, v->n_versions);
	v->list = NULL;
	v->versions = NULL;
	v->n_list = v->n_versions = 0;
}

static int models_load(struct app *a, void *state)
{
	struct models *v = state;
	struct err err;

	free_data(v);
	if (!v->model) {
		if (store_models(a->st, &v->list, &v->n_list, &err) < 0)
			app_status(a, true, "%s", err.msg);
	} else if (store_model_versions(a->st, v->model, 0, &v->versions, &v->n_versions, &err) < 0) {
		app_status(a, true, "%s", err.msg);
		return -1;
	}
	int n = v->model ? (int)v->n_versions : (int)v->n_list;
	if (v->sel >= n)
		v->sel = n - 1;
	if (v->sel < 0)
		v->sel = 0;
	return 0;
}

static void *models_open(struct app *a, const char *arg)
{
	struct models *v = xcalloc(1, sizeof(*v));

	(void)a;
	v->model = arg && *arg ? xstrdup(arg) : NULL;
	return v;
}

/* "auc 0.92  loss 0.31" of the run behind a version. */
static char *run_metrics(struct app *a, int64_t run)
{
	struct run_info ri;
	struct err err;
	struct sbuf sb;

	sbuf_init(&sb);
	if (run && store_run_get(a->st, run, &ri, &err) == 0) {
		for (size_t i = 0; i < ri.n_metrics && i < 4; i++) {
			char b[32];
			ui_format_number(ri.metrics[i].last, b, sizeof(b));
			sbuf_printf(&sb, "%s%s %s", i ? "  " : "", ri.metrics[i].name, b);
		}
		store_run_info_free(&ri);
	}
	return sbuf_detach(&sb);
}

static void models_draw(struct app *a, void *state, int y, int h, int w)
{
	struct models *v = state;
	char when[40];

	if (!v->model) {
		if (!v->n_list) {
			ui_put(a, y + 1, 2, w - 4, R_TITLE, "No models yet.");
			ui_put(a, y + 3, 2, w - 4, R_NORMAL,
			       "A task registers one with register: {model: NAME, artifact: PATH, gate: EXPR, promote_to: STAGE},");
			ui_put(a, y + 4, 2, w - 4, R_NORMAL, "or `mlwb models register NAME --run RUN --artifact PATH` in a shell.");
			return;
		}
		ui_putf(a, y, 1, w - 2, R_TITLE, "%-20s %8s %10s %8s  %s", "MODEL", "VERSIONS", "PRODUCTION", "STAGING",
			"PRODUCTION METRICS");
		for (size_t i = 0; i < v->n_list && (int)i < h - 1; i++) {
			const struct model_row *m = &v->list[i];
			bool sel = (int)i == v->sel;
			char prod[16] = "-", stag[16] = "-";
			int64_t run = 0;
			int ver;
			struct err err;
			if (m->production)
				snprintf(prod, sizeof(prod), "v%d", m->production);
			if (m->staging)
				snprintf(stag, sizeof(stag), "v%d", m->staging);
			if (m->production)
				store_model_stage_holder(a->st, m->name, "production", &ver, &run, &err);
			char *mets = run_metrics(a, run);
			if (sel)
				ui_fill(a, y + 1 + (int)i, 0, w, R_SELECTED);
			ui_putf(a, y + 1 + (int)i, 1, w - 2, sel ? R_SELECTED : R_NORMAL, "%-20s %8d %10s %8s  %s", m->name,
				m->versions, prod, stag, mets);
			free(mets);
		}
		return;
	}
	ui_putf(a, y, 1, w - 2, R_TITLE, "%-8s %-22s %6s  %-16s  %s", "VERSION", "STAGES", "RUN", "CREATED", "GATE");
	int rows = h - 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + rows)
		v->top = v->sel - rows + 1;
	for (int i = 0; i < rows && v->top + i < (int)v->n_versions; i++) {
		const struct model_version_row *m = &v->versions[v->top + i];
		bool sel = v->top + i == v->sel;
		time_format_local(m->created, when, sizeof(when));
		when[16] = '\0';
		enum role r = sel ? R_SELECTED
			      : m->archived ? R_DIM
			      : m->stages && strstr(m->stages, "production") ? R_SUCCEEDED
			      : m->gate_passed == 0 ? R_FAILED : R_NORMAL;
		if (sel)
			ui_fill(a, y + 1 + i, 0, w, R_SELECTED);
		ui_putf(a, y + 1 + i, 1, w - 2, r, "v%-7d %-22s %6lld  %-16s  %s", m->version,
			m->archived ? "archived" : m->stages ? m->stages : "-", (long long)m->run, when,
			m->gate_passed < 0 ? "no gate" : m->gate_reason ? m->gate_reason : "");
	}
}

static int models_handle(struct app *a, void *state, enum action act, int key)
{
	struct models *v = state;
	int n = v->model ? (int)v->n_versions : (int)v->n_list;
	struct err err;

	(void)key;
	if (ui_list_nav(act, &v->sel, n, a->rows - 4))
		return H_REDRAW;
	switch (act) {
	case ACT_ENTER:
		if (!n)
			return H_REDRAW;
		if (!v->model) {
			app_push(a, &view_models, v->list[v->sel].name);
		} else {
			char *arg = xasprintf("%lld", (long long)v->versions[v->sel].run);
			app_push(a, &view_run, arg);
			free(arg);
		}
		return H_REDRAW;
	case ACT_PROMOTE:
	case ACT_FORCE:
		if (!v->model || !n)
			return H_REDRAW;
		v->force = act == ACT_FORCE;
		app_edit(a, v->force ? "force promote to" : "promote to", "production");
		return H_REDRAW;
	case ACT_COMPARE: {
		int prod = 0;
		int64_t prun = 0;
		if (!v->model || !n)
			return H_REDRAW;
		store_model_stage_holder(a->st, v->model, "production", &prod, &prun, &err);
		if (!prun || prun == v->versions[v->sel].run) {
			app_status(a, true, "no other production version to compare with");
			return H_REDRAW;
		}
		char *arg = xasprintf("%lld %lld", (long long)prun, (long long)v->versions[v->sel].run);
		app_push(a, &view_compare, arg);
		free(arg);
		return H_REDRAW;
	}
	case ACT_ARCHIVE:
		if (!v->model || !n)
			return H_REDRAW;
		if (registry_promote(a->st, v->model, v->versions[v->sel].version, "archived", "from the UI", false,
				     registry_user(), &err) < 0)
			app_status(a, true, "%s", err.msg);
		else
			app_status(a, false, "%s v%d archived", v->model, v->versions[v->sel].version);
		return H_RELOAD;
	case ACT_HISTORY: {
		const char *model = v->model ? v->model : n ? v->list[v->sel].name : NULL;
		struct stage_event *e;
		size_t ne;
		if (!model || store_model_history(a->st, model, &e, &ne, &err) < 0)
			return H_REDRAW;
		struct strv lines = {0};
		for (size_t i = 0; i < ne; i++) {
			char when[40];
			time_format_local(e[i].time, when, sizeof(when));
			char *l = xasprintf("%s  v%-3d %-5s %-12s by %s%s%s", when, e[i].version,
					    !strcmp(e[i].action, "set") ? "->" : "left", e[i].stage, e[i].user ? e[i].user : "?",
					    e[i].reason ? ": " : "", e[i].reason ? e[i].reason : "");
			strv_push(&lines, l);
			free(l);
		}
		if (!ne)
			strv_push(&lines, "(no stage has moved yet)");
		store_stage_events_free(e, ne);
		char *title = xasprintf("stage history of %s", model);
		ui_push_text(a, title, &lines, false);
		free(title);
		return H_REDRAW;
	}
	default:
		return H_NONE;
	}
	if (v->sel >= n)
		v->sel = n - 1;
	if (v->sel < 0)
		v->sel = 0;
	return H_REDRAW;
}

/* The stage typed after p. */
static int models_edited(struct app *a, void *state, const char *text)
{
	struct models *v = state;
	struct err err;

	if (!v->model || !v->n_versions || !*text)
		return H_REDRAW;
	int version = v->versions[v->sel].version;
	if (registry_promote(a->st, v->model, version, text, "from the UI", v->force, registry_user(), &err) < 0) {
		bool forcible = strstr(err.msg, "--force") != NULL;
		app_status(a, true, "%s%s", forcible ? "P forces it: " : "", err.msg);
	} else {
		app_status(a, false, "%s v%d is now %s", v->model, version, text);
	}
	v->force = false;
	return H_RELOAD;
}

static void models_close(void *state)
{
	struct models *v = state;

	free_data(v);
	free(v->model);
	free(v);
}

static char *models_crumb(void *state)
{
	struct models *v = state;

	return v->model ? xasprintf("model %s", v->model) : xstrdup("Models");
}

static const enum action models_footer[] = {ACT_ENTER, ACT_PROMOTE, ACT_ARCHIVE, ACT_HISTORY, ACT_BACK, ACT_NONE};

const struct view_ops view_models = {
	.name = "Models", .cmd = "models", .open = models_open, .load = models_load, .draw = models_draw,
	.handle = models_handle, .close = models_close, .crumb = models_crumb, .footer = models_footer,
	.search = models_edited,
};
