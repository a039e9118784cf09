/* cmd_validate.c - `mlwb validate` and `mlwb dag`. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlwb/jsonw.h"

static size_t count_tasks(const struct spec *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_pipelines; i++)
		n += s->pipelines[i].n_tasks;
	return n;
}

int cmd_validate(int argc, char **argv)
{
	struct project p = {0};
	struct spec *spec = NULL;
	const char *file = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("validate", "unknown option %s", argv[i]);
		if (file)
			return cli_usage_error("validate", "one file at most");
		file = argv[i];
	}
	if (file) {
		/* A file named on the command line needs no project around it. */
		p.yaml = xstrdup(file);
		rc = cli_load_spec_file(file, file, &spec);
	} else {
		if ((rc = cli_find_project(&p)) != 0)
			return rc;
		rc = cli_load_spec(&p, &spec);
	}
	if (rc == 0) {
		char *shown = file ? xstrdup(file) : cli_display_path(p.yaml);
		size_t nt = count_tasks(spec);
		printf("%s: ok: project %s, %zu pipeline%s, %zu task%s, %zu param%s, %zu sweep%s", shown,
		       spec->project ? spec->project : "(unnamed)", spec->n_pipelines,
		       spec->n_pipelines == 1 ? "" : "s", nt, nt == 1 ? "" : "s", spec->n_params,
		       spec->n_params == 1 ? "" : "s", spec->n_sweeps, spec->n_sweeps == 1 ? "" : "s");
		if (spec->n_monitors)
			printf(", %zu monitor%s", spec->n_monitors, spec->n_monitors == 1 ? "" : "s");
		if (spec->n_schedules)
			printf(", %zu schedule%s", spec->n_schedules, spec->n_schedules == 1 ? "" : "s");
		putchar('\n');
		free(shown);
	}
	pipeline_spec_free(spec);
	project_free(&p);
	return rc;
}

/* ---- dag ---- */

static void dag_json(struct jsonw *w, const struct pipeline *pl)
{
	jsonw_obj_begin(w);
	jsonw_key(w, "pipeline");
	jsonw_str(w, pl->name);
	jsonw_key(w, "layers");
	jsonw_int(w, pl->n_layers);
	jsonw_key(w, "nodes");
	jsonw_arr_begin(w);
	for (size_t o = 0; o < pl->n_tasks; o++) {
		const struct task *t = &pl->tasks[pl->order[o]];
		jsonw_obj_begin(w);
		jsonw_key(w, "name");
		jsonw_str(w, t->name);
		jsonw_key(w, "layer"); /* 1-based, as `mlwb dag` prints it */
		jsonw_int(w, t->layer + 1);
		jsonw_key(w, "cmd");
		jsonw_str(w, t->cmd);
		jsonw_key(w, "upstream"); /* from needs and from outs -> deps */
		jsonw_arr_begin(w);
		for (size_t u = 0; u < t->n_up; u++)
			jsonw_str(w, pl->tasks[t->up[u]].name);
		jsonw_arr_end(w);
		jsonw_key(w, "deps");
		jsonw_arr_begin(w);
		for (size_t d = 0; d < t->deps.n; d++)
			jsonw_str(w, t->deps.v[d]);
		jsonw_arr_end(w);
		jsonw_key(w, "outs");
		jsonw_arr_begin(w);
		for (size_t d = 0; d < t->n_outs; d++) {
			jsonw_obj_begin(w);
			jsonw_key(w, "path");
			jsonw_str(w, t->outs[d].path);
			jsonw_key(w, "kind");
			jsonw_str(w, t->outs[d].kind);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
		jsonw_key(w, "metrics");
		jsonw_arr_begin(w);
		for (size_t d = 0; d < t->metrics.n; d++)
			jsonw_str(w, t->metrics.v[d]);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_key(w, "edges");
	jsonw_arr_begin(w);
	for (size_t e = 0; e < pl->n_edges; e++) {
		jsonw_obj_begin(w);
		jsonw_key(w, "from");
		jsonw_str(w, pl->tasks[pl->edges[e].from].name);
		jsonw_key(w, "to");
		jsonw_str(w, pl->tasks[pl->edges[e].to].name);
		jsonw_key(w, "via");
		jsonw_str(w, pl->edges[e].via);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void dag_table(const struct pipeline *pl, struct table *t)
{
	for (size_t o = 0; o < pl->n_tasks; o++) {
		const struct task *tk = &pl->tasks[pl->order[o]];
		struct sbuf up;
		sbuf_init(&up);
		for (size_t u = 0; u < tk->n_up; u++)
			sbuf_printf(&up, "%s%s", u ? ", " : "", pl->tasks[tk->up[u]].name);
		table_add(t, pl->name);
		table_addf(t, "%d", tk->layer + 1);
		table_add(t, tk->name);
		table_add(t, up.len ? sbuf_str(&up) : NULL);
		sbuf_free(&up);
	}
}

static void dag_print(const struct pipeline *pl)
{
	int w = 0;

	for (size_t i = 0; i < pl->n_tasks; i++)
		if ((int)strlen(pl->tasks[i].name) > w)
			w = (int)strlen(pl->tasks[i].name);
	printf("pipeline %s: %zu task%s in %d layer%s%s%s\n", pl->name, pl->n_tasks,
	       pl->n_tasks == 1 ? "" : "s", pl->n_layers, pl->n_layers == 1 ? "" : "s",
	       pl->description ? " - " : "", pl->description ? pl->description : "");
	for (int layer = 0; layer < pl->n_layers; layer++) {
		bool first = true;
		for (size_t o = 0; o < pl->n_tasks; o++) {
			const struct task *t = &pl->tasks[pl->order[o]];
			if (t->layer != layer)
				continue;
			printf(first ? "  %3d  " : "       ", layer + 1);
			first = false;
			printf("%-*s", t->n_up ? w : 0, t->name);
			for (size_t u = 0; u < t->n_up; u++) {
				const struct edge *via = NULL;
				for (size_t e = 0; e < pl->n_edges; e++)
					if (pl->edges[e].from == t->up[u] && pl->edges[e].to == pl->order[o])
						via = &pl->edges[e];
				printf("%s%s", u ? ", " : "  <- ", pl->tasks[t->up[u]].name);
				if (via && via->via)
					printf(" (%s)", via->via);
			}
			putchar('\n');
		}
	}
}

int cmd_dag(int argc, char **argv)
{
	struct project p;
	struct spec *spec = NULL;
	enum out_format fmt = FMT_TABLE;
	const char *name = NULL, *val;
	int rc;

	for (int i = 1; i < argc; i++) {
		int m = cli_opt("dag", argc, argv, &i, "--format", &val);
		if (m < 0)
			return 2;
		if (m) {
			if (cli_parse_format("dag", val, &fmt))
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("dag", "unknown option %s", argv[i]);
		} else if (name) {
			return cli_usage_error("dag", "one pipeline at most");
		} else {
			name = argv[i];
		}
	}
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	if ((rc = cli_load_spec(&p, &spec)) != 0) {
		project_free(&p);
		return rc;
	}
	const struct pipeline *only = NULL;
	if (name && !(only = pipeline_find(spec, name))) {
		struct sbuf names;
		sbuf_init(&names);
		for (size_t i = 0; i < spec->n_pipelines; i++)
			sbuf_printf(&names, "%s%s", i ? ", " : "", spec->pipelines[i].name);
		rc = cli_error(2, "no pipeline \"%s\" in mlwb.yaml (pipelines: %s)", name,
			       names.len ? sbuf_str(&names) : "none");
		sbuf_free(&names);
	} else if (!only && spec->n_pipelines == 1) {
		only = &spec->pipelines[0];
	}
	if (rc == 0 && fmt == FMT_JSON) {
		struct jsonw w;
		jsonw_init(&w, true);
		if (only) {
			dag_json(&w, only);
		} else {
			/* Several pipelines: one object each, in file order. */
			jsonw_arr_begin(&w);
			for (size_t i = 0; i < spec->n_pipelines; i++)
				dag_json(&w, &spec->pipelines[i]);
			jsonw_arr_end(&w);
		}
		jsonw_flush(&w, stdout);
		jsonw_free(&w);
	} else if (rc == 0 && fmt == FMT_CSV) {
		static const char *const head[] = {"pipeline", "layer", "task", "upstream"};
		struct table t;
		table_init(&t, 4, head);
		for (size_t i = 0; i < spec->n_pipelines; i++)
			if (!only || only == &spec->pipelines[i])
				dag_table(&spec->pipelines[i], &t);
		table_print_csv(&t, stdout);
		table_free(&t);
	} else if (rc == 0) {
		for (size_t i = 0; i < spec->n_pipelines; i++) {
			if (only && only != &spec->pipelines[i])
				continue;
			if (!only && i)
				putchar('\n');
			dag_print(&spec->pipelines[i]);
		}
	}
	pipeline_spec_free(spec);
	project_free(&p);
	return rc;
}
