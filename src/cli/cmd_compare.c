/* cmd_compare.c - `mlwb compare RUN RUN ...`: params and metrics side by
 * side. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlwb/compare.h"
#include "mlwb/jsonw.h"

static void num_or_null(struct jsonw *w, bool has, double v)
{
	if (has)
		jsonw_double(w, v);
	else
		jsonw_null(w);
}

static void compare_json(const struct compare *c, bool only_diff)
{
	struct jsonw w;

	jsonw_init(&w, true);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "runs");
	jsonw_arr_begin(&w);
	for (size_t r = 0; r < c->n; r++)
		jsonw_int(&w, c->ids[r]);
	jsonw_arr_end(&w);
	jsonw_key(&w, "params");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < c->n_params; i++) {
		const struct compare_param *p = &c->params[i];
		if (only_diff && !p->differs)
			continue;
		jsonw_obj_begin(&w);
		jsonw_key(&w, "name");
		jsonw_str(&w, p->name);
		jsonw_key(&w, "differs");
		jsonw_bool(&w, p->differs);
		jsonw_key(&w, "values");
		jsonw_arr_begin(&w);
		for (size_t r = 0; r < c->n; r++)
			jsonw_scalar(&w, p->values[r]);
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_key(&w, "metrics");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < c->n_metrics; i++) {
		const struct compare_metric *m = &c->metrics[i];
		jsonw_obj_begin(&w);
		jsonw_key(&w, "name");
		jsonw_str(&w, m->name);
		jsonw_key(&w, "goal");
		jsonw_str(&w, m->lower ? "min" : "max");
		jsonw_key(&w, "best_run");
		if (m->best >= 0)
			jsonw_int(&w, c->ids[m->best]);
		else
			jsonw_null(&w);
		jsonw_key(&w, "values");
		jsonw_arr_begin(&w);
		for (size_t r = 0; r < c->n; r++) {
			const struct compare_cell *x = &m->runs[r];
			jsonw_obj_begin(&w);
			jsonw_key(&w, "run");
			jsonw_int(&w, c->ids[r]);
			jsonw_key(&w, "last");
			num_or_null(&w, x->has, x->last);
			jsonw_key(&w, "min");
			num_or_null(&w, x->has, x->min);
			jsonw_key(&w, "max");
			num_or_null(&w, x->has, x->max);
			jsonw_key(&w, "best");
			num_or_null(&w, x->has, x->best);
			jsonw_key(&w, "best_step");
			if (x->has && !isnan(x->best))
				jsonw_int(&w, x->best_step);
			else
				jsonw_null(&w);
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_flush(&w, stdout);
	jsonw_free(&w);
}

static void compare_csv(const struct compare *c, bool only_diff)
{
	char a[40], b[40], d[40], e[40];

	printf("kind,name,run,value,last,min,max,best,best_step,is_best\n");
	for (size_t i = 0; i < c->n_params; i++) {
		const struct compare_param *p = &c->params[i];
		if (only_diff && !p->differs)
			continue;
		for (size_t r = 0; r < c->n; r++) {
			printf("param,%s,%lld,", p->name, (long long)c->ids[r]);
			const char *v = p->values[r] ? p->values[r] : "";
			if (strpbrk(v, ",\"\n")) {
				putchar('"');
				for (; *v; v++) {
					if (*v == '"')
						putchar('"');
					putchar(*v);
				}
				putchar('"');
			} else {
				fputs(v, stdout);
			}
			printf(",,,,,,\n");
		}
	}
	for (size_t i = 0; i < c->n_metrics; i++) {
		const struct compare_metric *m = &c->metrics[i];
		for (size_t r = 0; r < c->n; r++) {
			const struct compare_cell *x = &m->runs[r];
			if (!x->has) {
				printf("metric,%s,%lld,,,,,,,\n", m->name, (long long)c->ids[r]);
				continue;
			}
			json_format_double(x->last, a, sizeof(a));
			json_format_double(x->min, b, sizeof(b));
			json_format_double(x->max, d, sizeof(d));
			json_format_double(x->best, e, sizeof(e));
			printf("metric,%s,%lld,,%s,%s,%s,%s,%lld,%s\n", m->name, (long long)c->ids[r], a, b, d, e,
			       (long long)x->best_step, m->best == (int)r ? "true" : "false");
		}
	}
}

static void compare_table(const struct compare *c, bool only_diff)
{
	size_t cols = c->n + 1;
	const char **head = xcalloc(cols, sizeof(*head));
	char **names = xcalloc(cols, sizeof(*names));
	struct table t;
	char buf[48];

	names[0] = xstrdup("PARAM");
	for (size_t r = 0; r < c->n; r++)
		names[r + 1] = xasprintf("run %lld", (long long)c->ids[r]);
	for (size_t i = 0; i < cols; i++)
		head[i] = names[i];
	table_init(&t, cols, head);
	size_t shown = 0;
	for (size_t i = 0; i < c->n_params; i++) {
		const struct compare_param *p = &c->params[i];
		if (only_diff && !p->differs)
			continue;
		table_addf(&t, "%s %s", p->differs ? "*" : " ", p->name);
		for (size_t r = 0; r < c->n; r++)
			table_add(&t, p->values[r]);
		shown++;
	}
	if (shown)
		table_print(&t, stdout, "");
	table_free(&t);
	if (shown)
		printf("(* differs)\n\n");
	free(names[0]);
	names[0] = xstrdup("METRIC");
	head[0] = names[0];
	table_init(&t, cols, head);
	for (size_t r = 0; r < c->n; r++)
		table_set_right(&t, r + 1);
	for (size_t i = 0; i < c->n_metrics; i++) {
		const struct compare_metric *m = &c->metrics[i];
		table_addf(&t, "%s (%s)", m->name, m->lower ? "min" : "max");
		for (size_t r = 0; r < c->n; r++) {
			if (!m->runs[r].has) {
				table_add(&t, NULL);
				continue;
			}
			fmt_number(m->runs[r].last, buf, sizeof(buf));
			table_add(&t, buf);
		}
		table_add(&t, "  best @ step");
		for (size_t r = 0; r < c->n; r++) {
			const struct compare_cell *x = &m->runs[r];
			if (!x->has || isnan(x->best)) {
				table_add(&t, NULL);
				continue;
			}
			fmt_number(x->best, buf, sizeof(buf));
			table_addf(&t, "%s%s @ %lld", m->best == (int)r ? "*" : "", buf, (long long)x->best_step);
		}
	}
	table_print(&t, stdout, "");
	table_free(&t);
	printf("(* the best run: lowest for loss and error metrics, highest for the others)\n");
	for (size_t i = 0; i < cols; i++)
		free(names[i]);
	free(names);
	free(head);
}

int cmd_compare(int argc, char **argv)
{
	enum out_format fmt = FMT_TABLE;
	bool only_diff = false;
	int64_t *ids = xcalloc((size_t)argc + 1, sizeof(*ids));
	size_t n = 0;
	const char *val;
	struct project p;
	struct store *st;
	struct compare c;
	struct err err;
	int rc, m;

	for (int i = 1; i < argc; i++) {
		long id;
		if ((m = cli_opt("compare", argc, argv, &i, "--format", &val)) != 0) {
			if (m < 0 || cli_parse_format("compare", val, &fmt)) {
				free(ids);
				return 2;
			}
		} else if (!strcmp(argv[i], "--only-diff")) {
			only_diff = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(ids);
			return cli_usage_error("compare", "unknown option %s", argv[i]);
		} else if (!str_to_long(argv[i], &id) || id < 1) {
			free(ids);
			return cli_usage_error("compare", "a run id is a positive number, got \"%s\"", argv[i]);
		} else {
			ids[n++] = id;
		}
	}
	if (n < 2) {
		free(ids);
		return cli_usage_error("compare", "give two runs or more");
	}
	if ((rc = cli_find_project(&p)) != 0) {
		free(ids);
		return rc;
	}
	/* goals from mlwb.yaml's metrics: section, when the file loads */
	struct spec *spec = NULL;
	struct diags d;
	if (path_exists(p.yaml) && pipeline_spec_load(p.yaml, "mlwb.yaml", &spec, &d) < 0)
		spec = NULL;
	if (path_exists(p.yaml))
		diags_free(&d);
	if ((rc = cli_open_store(&p, &st)) == 0) {
		if (compare_runs(st, ids, n, spec ? spec->goals : NULL, spec ? spec->n_goals : 0, &c, &err) < 0) {
			rc = cli_report(&err);
		} else {
			if (fmt == FMT_JSON)
				compare_json(&c, only_diff);
			else if (fmt == FMT_CSV)
				compare_csv(&c, only_diff);
			else
				compare_table(&c, only_diff);
			compare_free(&c);
		}
		store_close(st);
	}
	pipeline_spec_free(spec);
	project_free(&p);
	free(ids);
	return rc;
}
