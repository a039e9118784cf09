/* cmd_runs.c - `mlwb runs` and `mlwb show RUN`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlwb/expr.h"
#include "mlwb/jsonw.h"

static void json_time(struct jsonw *w, const char *key, int64_t ms)
{
	char buf[40];

	jsonw_key(w, key);
	if (!ms) {
		jsonw_null(w);
		return;
	}
	time_format_iso(ms, buf, sizeof(buf));
	jsonw_str(w, buf);
}

/* The fields shared by `runs` and `show`: the contract of docs/cli.md. */
static void run_json(struct jsonw *w, const struct run_info *r)
{
	jsonw_key(w, "id");
	jsonw_int(w, r->id);
	jsonw_key(w, "pipeline");
	jsonw_str(w, r->pipeline);
	jsonw_key(w, "experiment");
	jsonw_str(w, r->experiment);
	jsonw_key(w, "status");
	jsonw_str(w, r->status);
	jsonw_key(w, "trigger");
	jsonw_str(w, r->trigger);
	jsonw_key(w, "trigger_detail");
	jsonw_str(w, r->trigger_detail);
	jsonw_key(w, "parent");
	if (r->parent)
		jsonw_int(w, r->parent);
	else
		jsonw_null(w);
	jsonw_key(w, "sweep");
	jsonw_str(w, r->sweep);
	jsonw_key(w, "params");
	jsonw_obj_begin(w);
	for (size_t i = 0; i < r->n_params; i++) {
		jsonw_key(w, r->params[i].name);
		jsonw_scalar(w, r->params[i].value);
	}
	jsonw_obj_end(w);
	jsonw_key(w, "metrics");
	jsonw_obj_begin(w);
	for (size_t i = 0; i < r->n_metrics; i++) {
		const struct metric_summary *m = &r->metrics[i];
		jsonw_key(w, m->name);
		jsonw_obj_begin(w);
		jsonw_key(w, "last");
		jsonw_double(w, m->last);
		jsonw_key(w, "min");
		jsonw_double(w, m->min);
		jsonw_key(w, "max");
		jsonw_double(w, m->max);
		jsonw_key(w, "count");
		jsonw_int(w, m->count);
		jsonw_key(w, "last_step");
		jsonw_int(w, m->last_step);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
	jsonw_key(w, "tags");
	jsonw_obj_begin(w);
	for (size_t i = 0; i < r->n_tags; i++) {
		jsonw_key(w, r->tags[i].name);
		jsonw_str(w, r->tags[i].value);
	}
	jsonw_obj_end(w);
	jsonw_key(w, "git");
	jsonw_obj_begin(w);
	jsonw_key(w, "commit");
	jsonw_str(w, r->git_commit);
	jsonw_key(w, "branch");
	jsonw_str(w, r->git_branch);
	jsonw_key(w, "dirty");
	if (r->git_dirty < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, r->git_dirty);
	jsonw_obj_end(w);
	jsonw_key(w, "user");
	jsonw_str(w, r->user);
	jsonw_key(w, "host");
	jsonw_str(w, r->host);
	json_time(w, "created", r->created);
	json_time(w, "started", r->started);
	json_time(w, "finished", r->finished);
	jsonw_key(w, "duration_s");
	if (r->started)
		jsonw_double(w, (double)((r->finished ? r->finished : time_now_ms()) - r->started) / 1000.0);
	else
		jsonw_null(w);
	jsonw_key(w, "note");
	jsonw_str(w, r->note);
	jsonw_key(w, "mlwb_version");
	jsonw_str(w, r->mlwb_version);
}

static void cell_time(struct table *t, int64_t ms, bool iso)
{
	char buf[40];

	if (!ms) {
		table_add(t, NULL);
		return;
	}
	if (iso)
		time_format_iso(ms, buf, sizeof(buf));
	else {
		time_format_local(ms, buf, sizeof(buf));
		buf[16] = '\0'; /* minutes are enough in a listing */
	}
	table_add(t, buf);
}

static void cell_duration(struct table *t, const struct run_info *r)
{
	char buf[32];

	if (!r->started) {
		table_add(t, NULL);
		return;
	}
	time_format_duration((r->finished ? r->finished : time_now_ms()) - r->started, buf, sizeof(buf));
	table_add(t, buf);
}

static void cell_commit(struct table *t, const struct run_info *r, bool full)
{
	if (!r->git_commit) {
		table_add(t, NULL);
		return;
	}
	table_addf(t, "%.*s%s", full ? 40 : 7, r->git_commit, r->git_dirty > 0 ? "*" : "");
}

/* Names of the metrics that appear in any listed run, at most `max`, in
 * order of first appearance. */
static void listed_metrics(const struct run_list *l, struct strv *out, size_t max)
{
	for (size_t i = 0; i < l->n; i++)
		for (size_t j = 0; j < l->v[i].n_metrics && out->n < max; j++) {
			bool seen = false;
			for (size_t k = 0; k < out->n && !seen; k++)
				seen = !strcmp(out->v[k], l->v[i].metrics[j].name);
			if (!seen)
				strv_push(out, l->v[i].metrics[j].name);
		}
}

static const struct metric_summary *run_metric(const struct run_info *r, const char *name)
{
	for (size_t i = 0; i < r->n_metrics; i++)
		if (!strcmp(r->metrics[i].name, name))
			return &r->metrics[i];
	return NULL;
}

/* Keeps the runs the expression holds for, at most `limit` (0: all). */
static int filter_runs(struct run_list *l, const struct expr *e, int64_t limit, struct err *err)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++) {
		int r = expr_eval_run(e, &l->v[i], err);
		if (r < 0)
			return -1;
		if (r && (!limit || (int64_t)k < limit))
			l->v[k++] = l->v[i];
		else
			store_run_info_free(&l->v[i]);
	}
	l->n = k;
	return 0;
}

int cmd_runs(int argc, char **argv)
{
	struct run_query q = {0};
	enum out_format fmt = FMT_TABLE;
	struct project p;
	struct store *st;
	struct run_list list;
	struct err err;
	const char *val, *filter = NULL;
	struct expr *expr = NULL;
	int rc;

	q.with_details = true;
	for (int i = 1; i < argc; i++) {
		int m;
		if ((m = cli_opt("runs", argc, argv, &i, "--format", &val)) != 0) {
			if (m < 0 || cli_parse_format("runs", val, &fmt))
				return 2;
		} else if ((m = cli_opt("runs", argc, argv, &i, "--experiment", &val)) != 0) {
			if (m < 0)
				return 2;
			q.experiment = val;
		} else if ((m = cli_opt("runs", argc, argv, &i, "--status", &val)) != 0) {
			if (m < 0)
				return 2;
			q.status = val;
		} else if ((m = cli_opt("runs", argc, argv, &i, "--sort", &val)) != 0) {
			if (m < 0)
				return 2;
			q.sort = val;
		} else if ((m = cli_opt("runs", argc, argv, &i, "--limit", &val)) != 0) {
			long n;
			if (m < 0)
				return 2;
			if (!str_to_long(val, &n) || n < 1)
				return cli_usage_error("runs", "--limit needs a positive number, got \"%s\"", val);
			q.limit = n;
		} else if ((m = cli_opt("runs", argc, argv, &i, "--filter", &val)) != 0) {
			if (m < 0)
				return 2;
			filter = val;
		} else if (!strcmp(argv[i], "--trash")) {
			q.trash = true;
		} else if (!strcmp(argv[i], "--asc")) {
			q.ascending = true;
		} else {
			return cli_usage_error("runs", "unexpected argument %s", argv[i]);
		}
	}
	if (q.status && strcmp(q.status, "queued") && strcmp(q.status, "running") &&
	    strcmp(q.status, "succeeded") && strcmp(q.status, "failed") && strcmp(q.status, "cancelled"))
		return cli_usage_error("runs",
				       "unknown status \"%s\" (queued, running, succeeded, failed, cancelled)",
				       q.status);
	if (filter && expr_parse(filter, &expr, &err) < 0)
		return cli_usage_error("runs", "--filter: %s", err.msg);
	if ((rc = cli_find_project(&p)) != 0) {
		expr_free(expr);
		return rc;
	}
	if ((rc = cli_open_store(&p, &st)) != 0) {
		project_free(&p);
		expr_free(expr);
		return rc;
	}
	/* a filter asks for everything, then keeps what matches */
	int64_t limit = q.limit;
	if (expr)
		q.limit = 0;
	if (store_run_list(st, &q, &list, &err) < 0) {
		rc = cli_report(&err);
		goto out;
	}
	if (expr && filter_runs(&list, expr, limit, &err) < 0) {
		rc = cli_report(&err);
		store_run_list_free(&list);
		goto out;
	}
	if (fmt == FMT_JSON) {
		struct jsonw w;
		jsonw_init(&w, true);
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < list.n; i++) {
			jsonw_obj_begin(&w);
			run_json(&w, &list.v[i]);
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
		jsonw_flush(&w, stdout);
		jsonw_free(&w);
	} else if (fmt == FMT_TABLE && list.n == 0) {
		if (q.experiment || q.status || filter || q.trash)
			printf(q.trash ? "the trash is empty\n" : "no runs match\n");
		else
			printf("no runs yet: start one with `mlwb run PIPELINE` (pipelines: `mlwb dag`)\n");
	} else {
		bool csv = fmt == FMT_CSV;
		struct strv mnames = {0};
		listed_metrics(&list, &mnames, csv ? (size_t)-1 : 4);
		static const char *const base[] = {"id", "status", "experiment", "pipeline", "trigger",
						   "started", "duration", "commit", "user"};
		size_t nb = sizeof(base) / sizeof(base[0]);
		const char **head = xcalloc(nb + mnames.n, sizeof(*head));
		char **upper = xcalloc(nb + mnames.n, sizeof(*upper));
		for (size_t i = 0; i < nb + mnames.n; i++) {
			const char *h = i < nb ? base[i] : mnames.v[i - nb];
			upper[i] = csv && i >= nb ? xasprintf("metrics.%s", h) : xstrdup(h);
			if (!csv && i < nb)
				for (char *c = upper[i]; *c; c++)
					*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
			head[i] = upper[i];
		}
		struct table t;
		table_init(&t, nb + mnames.n, head);
		table_set_right(&t, 0);
		table_set_right(&t, 6);
		for (size_t i = nb; i < nb + mnames.n; i++)
			table_set_right(&t, i);
		for (size_t i = 0; i < list.n; i++) {
			const struct run_info *r = &list.v[i];
			table_addf(&t, "%lld", (long long)r->id);
			table_add(&t, r->status);
			table_add(&t, r->experiment);
			table_add(&t, r->pipeline);
			table_add(&t, r->trigger);
			cell_time(&t, r->started, csv);
			if (csv)
				table_addf(&t, "%.3f", r->started ? (double)((r->finished ? r->finished : time_now_ms()) - r->started) / 1000.0 : 0.0);
			else
				cell_duration(&t, r);
			cell_commit(&t, r, csv);
			table_add(&t, r->user);
			for (size_t k = 0; k < mnames.n; k++) {
				const struct metric_summary *m = run_metric(r, mnames.v[k]);
				char buf[40];
				if (!m) {
					table_add(&t, NULL);
					continue;
				}
				if (csv)
					json_format_double(m->last, buf, sizeof(buf));
				else
					fmt_number(m->last, buf, sizeof(buf));
				table_add(&t, buf);
			}
		}
		if (csv)
			table_print_csv(&t, stdout);
		else
			table_print(&t, stdout, "");
		table_free(&t);
		for (size_t i = 0; i < nb + mnames.n; i++)
			free(upper[i]);
		free(upper);
		free(head);
		strv_free(&mnames);
	}
	store_run_list_free(&list);
out:
	expr_free(expr);
	store_close(st);
	project_free(&p);
	return rc;
}

static void show_tasks_json(struct jsonw *w, const struct task_info *tasks, size_t n)
{
	jsonw_key(w, "tasks");
	jsonw_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		const struct task_info *t = &tasks[i];
		jsonw_obj_begin(w);
		jsonw_key(w, "name");
		jsonw_str(w, t->name);
		jsonw_key(w, "status");
		jsonw_str(w, t->status);
		jsonw_key(w, "attempts");
		jsonw_int(w, t->attempts);
		jsonw_key(w, "exit_code");
		if (t->exit_code >= 0)
			jsonw_int(w, t->exit_code);
		else
			jsonw_null(w);
		jsonw_key(w, "reason");
		jsonw_str(w, t->reason);
		jsonw_key(w, "cached");
		jsonw_bool(w, t->cached);
		json_time(w, "started", t->started);
		json_time(w, "finished", t->finished);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void show_text(const struct run_info *r, const struct task_info *tasks, size_t nt)
{
	char a[40], b[40], d[32];

	printf("run %lld  %s\n", (long long)r->id, r->status);
	printf("  experiment  %s\n", r->experiment);
	printf("  pipeline    %s%s%s\n", r->pipeline, r->sweep ? "  sweep " : "", r->sweep ? r->sweep : "");
	printf("  trigger     %s%s%s\n", r->trigger, r->trigger_detail ? "  " : "",
	       r->trigger_detail ? r->trigger_detail : "");
	if (r->parent)
		printf("  parent      %lld\n", (long long)r->parent);
	printf("  user        %s@%s\n", r->user ? r->user : "?", r->host ? r->host : "?");
	time_format_local(r->created, a, sizeof(a));
	printf("  created     %s\n", a);
	if (r->started) {
		time_format_local(r->started, a, sizeof(a));
		time_format_duration((r->finished ? r->finished : time_now_ms()) - r->started, d, sizeof(d));
		if (r->finished) {
			time_format_local(r->finished, b, sizeof(b));
			printf("  ran         %s .. %s (%s)\n", a, b, d);
		} else {
			printf("  started     %s (%s ago)\n", a, d);
		}
	}
	if (r->git_commit)
		printf("  git         %s@%.10s%s\n", r->git_branch ? r->git_branch : "(detached)",
		       r->git_commit, r->git_dirty > 0 ? " (dirty)" : "");
	else
		printf("  git         -\n");
	if (r->note)
		printf("  note        %s\n", r->note);
	if (r->n_tags) {
		printf("  tags       ");
		for (size_t i = 0; i < r->n_tags; i++)
			printf(" %s=%s", r->tags[i].name, r->tags[i].value);
		putchar('\n');
	}
	if (r->n_params) {
		static const char *const head[] = {"PARAM", "VALUE"};
		struct table t;
		table_init(&t, 2, head);
		for (size_t i = 0; i < r->n_params; i++) {
			table_add(&t, r->params[i].name);
			table_add(&t, r->params[i].value);
		}
		putchar('\n');
		table_print(&t, stdout, "  ");
		table_free(&t);
	}
	if (r->n_metrics) {
		static const char *const head[] = {"METRIC", "LAST", "MIN", "MAX", "COUNT"};
		struct table t;
		table_init(&t, 5, head);
		for (size_t c = 1; c < 5; c++)
			table_set_right(&t, c);
		for (size_t i = 0; i < r->n_metrics; i++) {
			const struct metric_summary *m = &r->metrics[i];
			char buf[40];
			table_add(&t, m->name);
			fmt_number(m->last, buf, sizeof(buf));
			table_add(&t, buf);
			fmt_number(m->min, buf, sizeof(buf));
			table_add(&t, buf);
			fmt_number(m->max, buf, sizeof(buf));
			table_add(&t, buf);
			table_addf(&t, "%lld", (long long)m->count);
		}
		putchar('\n');
		table_print(&t, stdout, "  ");
		table_free(&t);
	}
	if (nt) {
		static const char *const head[] = {"TASK", "STATUS", "ATTEMPTS", "EXIT", "DURATION"};
		struct table t;
		table_init(&t, 5, head);
		table_set_right(&t, 2);
		table_set_right(&t, 3);
		table_set_right(&t, 4);
		for (size_t i = 0; i < nt; i++) {
			const struct task_info *k = &tasks[i];
			table_add(&t, k->name);
			table_addf(&t, "%s%s", k->status, k->reason && strcmp(k->reason, "exit") ? "" : "");
			table_addf(&t, "%d", k->attempts);
			if (k->exit_code >= 0)
				table_addf(&t, "%d", k->exit_code);
			else
				table_add(&t, k->reason);
			if (k->started) {
				time_format_duration((k->finished ? k->finished : time_now_ms()) - k->started, d,
						     sizeof(d));
				table_add(&t, d);
			} else {
				table_add(&t, NULL);
			}
		}
		putchar('\n');
		table_print(&t, stdout, "  ");
		table_free(&t);
	}
}

int cmd_show(int argc, char **argv)
{
	enum out_format fmt = FMT_TABLE;
	const char *id_text = NULL, *val;
	struct project p;
	struct store *st;
	struct run_info r;
	struct err err;
	struct task_info *tasks = NULL;
	size_t nt = 0;
	long id;
	int rc;

	for (int i = 1; i < argc; i++) {
		int m = cli_opt("show", argc, argv, &i, "--format", &val);
		if (m < 0)
			return 2;
		if (m) {
			if (cli_parse_format("show", val, &fmt))
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("show", "unknown option %s", argv[i]);
		} else if (id_text) {
			return cli_usage_error("show", "one run at a time");
		} else {
			id_text = argv[i];
		}
	}
	if (!id_text)
		return cli_usage_error("show", "which run? give its id");
	if (!str_to_long(id_text, &id) || id < 1)
		return cli_usage_error("show", "a run id is a positive number, got \"%s\"", id_text);
	if (fmt == FMT_CSV)
		return cli_usage_error("show", "show has no CSV form; use --format json");
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	if ((rc = cli_open_store(&p, &st)) != 0) {
		project_free(&p);
		return rc;
	}
	if (store_run_get(st, id, &r, &err) < 0 || store_task_list(st, id, &tasks, &nt, &err) < 0) {
		rc = cli_report(&err);
		goto out;
	}
	if (fmt == FMT_JSON) {
		struct jsonw w;
		jsonw_init(&w, true);
		jsonw_obj_begin(&w);
		run_json(&w, &r);
		show_tasks_json(&w, tasks, nt);
		jsonw_obj_end(&w);
		jsonw_flush(&w, stdout);
		jsonw_free(&w);
	} else {
		show_text(&r, tasks, nt);
	}
	store_task_list_free(tasks, nt);
	store_run_info_free(&r);
out:
	store_close(st);
	project_free(&p);
	return rc;
}
