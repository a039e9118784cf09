/* cmd_monitor.c - `mlwb monitor run|list|show`: the drift monitors of
 * mlwb.yaml and the batches they stored. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "drift_out.h"
#include "mlwb/drift.h"
#include "mlwb/jsonw.h"
#include "mlwb/monitor.h"

struct run_ctx {
	bool json, log;
	struct jsonw *w;
	size_t evaluated, drifting, queued, failed;
};

/* --log: the executor's log lines */
static void log_event(const struct monitor_event *e)
{
	char when[32];
	const struct drift_batch_row *b = e->batch;
	time_format_local(time_now_ms(), when, sizeof(when));
	if (e->error)
		printf("%s monitor %s: %s\n", when, e->monitor, e->error);
	else if (e->queued_run)
		printf("%s monitor %s: batch %s: %lld of %lld columns drifted: DRIFT, %s run %lld\n", when,
		       e->monitor, b->batch, (long long)b->drifted, (long long)b->tested,
		       e->joined ? "joins" : "queued retraining", (long long)e->queued_run);
	else
		printf("%s monitor %s: batch %s: %lld of %lld columns drifted%s\n", when, e->monitor, b->batch,
		       (long long)b->drifted, (long long)b->tested, b->dataset_drift ? ": DRIFT" : "");
	fflush(stdout);
}

static void on_event(void *arg, const struct monitor_event *e)
{
	struct run_ctx *c = arg;
	const struct drift_batch_row *b = e->batch;
	if (c->log) {
		log_event(e);
		return;
	}
	if (e->error) {
		c->failed++;
		if (!c->json)
			fprintf(stderr, "mlwb: %s\n", e->error);
	} else {
		c->evaluated++;
		c->drifting += b->dataset_drift;
		c->queued += e->queued_run != 0 && !e->joined;
	}
	if (c->json) {
		jsonw_obj_begin(c->w);
		jsonw_key(c->w, "monitor");
		jsonw_str(c->w, e->monitor);
		jsonw_key(c->w, "batch");
		jsonw_str(c->w, b->batch);
		if (e->error) {
			jsonw_key(c->w, "error");
			jsonw_str(c->w, e->error);
		} else {
			jsonw_key(c->w, "tested_columns");
			jsonw_int(c->w, b->tested);
			jsonw_key(c->w, "drifted_columns");
			jsonw_int(c->w, b->drifted);
			jsonw_key(c->w, "share_drifted");
			jsonw_double(c->w, b->share);
			jsonw_key(c->w, "dataset_drift");
			jsonw_bool(c->w, b->dataset_drift);
			jsonw_key(c->w, "queued_run");
			if (e->queued_run)
				jsonw_int(c->w, e->queued_run);
			else
				jsonw_null(c->w);
		}
		jsonw_obj_end(c->w);
		return;
	}
	if (e->error)
		return;
	printf("%-16s %-32s %3lld of %-3lld drifted  %-5s", e->monitor, b->batch, (long long)b->drifted,
	       (long long)b->tested, b->dataset_drift ? "DRIFT" : "ok");
	if (e->queued_run && e->joined)
		printf("  -> run %lld (queued already)", (long long)e->queued_run);
	else if (e->queued_run)
		printf("  -> queued run %lld (trigger drift)", (long long)e->queued_run);
	putchar('\n');
}

/* The project, its mlwb.yaml and its store; on failure prints why and
 * returns the exit code with nothing left open. */
static int open_all(struct project *p, struct spec **spec, struct store **st)
{
	int rc;
	if ((rc = cli_find_project(p)) != 0)
		return rc;
	if ((rc = cli_load_spec(p, spec)) != 0) {
		project_free(p);
		return rc;
	}
	if ((rc = cli_open_store(p, st)) != 0) {
		pipeline_spec_free(*spec);
		project_free(p);
	}
	return rc;
}

/* A stored column as the drift report's column, for the shared printers. */
static void column_from_row(const struct drift_result_row *r, struct drift_column *c)
{
	memset(c, 0, sizeof(*c));
	c->name = r->column;
	c->numeric = !strcmp(r->kind, "num");
	c->skipped = r->skipped;
	drift_test_parse(r->test, &c->test);
	c->statistic = r->statistic;
	c->p_value = r->p_value;
	c->score = r->score;
	c->threshold = r->threshold;
	c->drifted = r->drifted;
	c->psi = r->psi;
	c->js = r->js;
	c->wasserstein = r->wasserstein;
	c->ks_statistic = r->ks_statistic;
	c->ks_p_value = r->ks_p_value;
	c->n_ref = (size_t)r->n_reference;
	c->n_cur = (size_t)r->n_current;
}

static int monitor_run_cmd(int argc, char **argv)
{
	const char *name = NULL, *val;
	enum out_format fmt = FMT_TABLE;
	struct monitor_run_opts o = {0};
	bool log = false;
	int m, rc;
	for (int i = 2; i < argc; i++) {
		if ((m = cli_opt("monitor", argc, argv, &i, "--format", &val)) != 0) {
			if (m < 0 || cli_parse_format("monitor", val, &fmt))
				return 2;
		} else if (!strcmp(argv[i], "--again")) {
			o.again = true;
		} else if (!strcmp(argv[i], "--no-trigger")) {
			o.no_trigger = true;
		} else if (!strcmp(argv[i], "--log")) {
			log = true;
		} else if (argv[i][0] == '-' || name) {
			return cli_usage_error("monitor", "unexpected argument \"%s\"", argv[i]);
		} else {
			name = argv[i];
		}
	}
	struct project p;
	struct spec *spec;
	struct store *st;
	if ((rc = open_all(&p, &spec, &st)) != 0)
		return rc;
	if (name && !pipeline_monitor_find(spec, name)) {
		rc = cli_error(2, "no monitor \"%s\" in mlwb.yaml", name);
		goto out;
	}
	if (!spec->n_monitors) {
		rc = cli_error(2, "mlwb.yaml has no monitors: (docs/drift.md shows how to add one)");
		goto out;
	}
	struct jsonw w;
	struct run_ctx ctx = {.json = fmt == FMT_JSON && !log, .log = log, .w = &w};
	jsonw_init(&w, true);
	if (ctx.json) {
		jsonw_obj_begin(&w);
		jsonw_key(&w, "batches");
		jsonw_arr_begin(&w);
	}
	o.event = on_event;
	o.arg = &ctx;
	rc = 0;
	for (size_t i = 0; i < spec->n_monitors; i++) {
		const struct monitor_spec *ms = &spec->monitors[i];
		struct err err;
		if (name && strcmp(ms->name, name))
			continue;
		if (monitor_run(&p, st, spec, ms, &o, &err) < 0) {
			if (log && strncmp(err.msg, "monitor", 7) == 0) {
				char when[32];
				time_format_local(time_now_ms(), when, sizeof(when));
				printf("%s %s\n", when, err.msg);
			} else if (!log && (!ctx.failed || strncmp(err.msg, "monitor", 7) == 0)) {
				fprintf(stderr, "mlwb: %s\n", err.msg);
			}
			rc = err.code ? err.code : 2;
		}
	}
	if (ctx.json) {
		jsonw_arr_end(&w);
		jsonw_key(&w, "evaluated");
		jsonw_int(&w, (int64_t)ctx.evaluated);
		jsonw_key(&w, "drifting");
		jsonw_int(&w, (int64_t)ctx.drifting);
		jsonw_key(&w, "queued_runs");
		jsonw_int(&w, (int64_t)ctx.queued);
		jsonw_obj_end(&w);
		jsonw_flush(&w, stdout);
	} else if (log) {
		/* the executor's log says enough */
	} else if (!ctx.evaluated && !ctx.failed) {
		printf("no new batches\n");
	} else {
		printf("%zu batch%s evaluated, %zu drifting, %zu run%s queued\n", ctx.evaluated,
		       ctx.evaluated == 1 ? "" : "es", ctx.drifting, ctx.queued, ctx.queued == 1 ? "" : "s");
	}
	jsonw_free(&w);
out:
	store_close(st);
	pipeline_spec_free(spec);
	project_free(&p);
	return rc;
}

static void batch_json(struct jsonw *w, struct store *st, const struct drift_batch_row *b, bool columns)
{
	jsonw_obj_begin(w);
	jsonw_key(w, "batch");
	jsonw_str(w, b->batch);
	jsonw_key(w, "evaluated");
	jsonw_int(w, b->evaluated);
	jsonw_key(w, "reference");
	jsonw_str(w, b->reference);
	jsonw_key(w, "rows_reference");
	jsonw_int(w, b->n_reference);
	jsonw_key(w, "rows_current");
	jsonw_int(w, b->n_current);
	jsonw_key(w, "tested_columns");
	jsonw_int(w, b->tested);
	jsonw_key(w, "drifted_columns");
	jsonw_int(w, b->drifted);
	jsonw_key(w, "share_drifted");
	jsonw_double(w, b->share);
	jsonw_key(w, "dataset_drift");
	jsonw_bool(w, b->dataset_drift);
	jsonw_key(w, "triggered_run");
	if (b->triggered_run)
		jsonw_int(w, b->triggered_run);
	else
		jsonw_null(w);
	if (columns) {
		struct drift_result_row *r;
		size_t n;
		struct err err;
		jsonw_key(w, "columns");
		jsonw_arr_begin(w);
		if (store_drift_results(st, b->id, &r, &n, &err) == 0) {
			for (size_t i = 0; i < n; i++) {
				struct drift_column c;
				column_from_row(&r[i], &c);
				drift_column_json(w, &c);
			}
			store_drift_results_free(r, n);
		}
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
}

static int monitor_list_cmd(int argc, char **argv)
{
	enum out_format fmt = FMT_TABLE;
	const char *val;
	int m, rc;
	for (int i = 2; i < argc; i++) {
		if ((m = cli_opt("monitor", argc, argv, &i, "--format", &val)) != 0) {
			if (m < 0 || cli_parse_format("monitor", val, &fmt))
				return 2;
		} else {
			return cli_usage_error("monitor", "unexpected argument \"%s\"", argv[i]);
		}
	}
	struct project p;
	struct spec *spec;
	struct store *st;
	if ((rc = open_all(&p, &spec, &st)) != 0)
		return rc;
	struct jsonw w;
	jsonw_init(&w, true);
	if (fmt == FMT_JSON) {
		jsonw_obj_begin(&w);
		jsonw_key(&w, "monitors");
		jsonw_arr_begin(&w);
	} else {
		printf("%-16s %-24s %7s %8s  %-28s %s\n", "monitor", "current", "batches", "drifting", "latest",
		       "verdict");
	}
	for (size_t i = 0; i < spec->n_monitors; i++) {
		const struct monitor_spec *ms = &spec->monitors[i];
		struct drift_batch_row *b;
		size_t n, drifting = 0;
		struct err err;
		size_t pending = 0;
		if (store_drift_batches(st, ms->name, &b, &n, &err) < 0) {
			rc = cli_report(&err);
			break;
		}
		if (monitor_pending(&p, st, ms, &pending, &err) < 0)
			pending = 0;
		for (size_t j = 0; j < n; j++)
			drifting += b[j].dataset_drift;
		/* the latest: the last in name (or time) order */
		const struct drift_batch_row *last = n ? &b[n - 1] : NULL;
		if (fmt == FMT_JSON) {
			jsonw_obj_begin(&w);
			jsonw_key(&w, "monitor");
			jsonw_str(&w, ms->name);
			jsonw_key(&w, "current");
			jsonw_str(&w, ms->current);
			jsonw_key(&w, "batches");
			jsonw_int(&w, (int64_t)n);
			jsonw_key(&w, "pending");
			jsonw_int(&w, (int64_t)pending);
			jsonw_key(&w, "drifting");
			jsonw_int(&w, (int64_t)drifting);
			jsonw_key(&w, "latest");
			if (last)
				batch_json(&w, st, last, false);
			else
				jsonw_null(&w);
			jsonw_obj_end(&w);
		} else {
			char verdict[96] = "-";
			if (last)
				snprintf(verdict, sizeof(verdict), "%s (%lld of %lld columns)",
					 last->dataset_drift ? "DRIFT" : "ok", (long long)last->drifted,
					 (long long)last->tested);
			char batches[48];
			snprintf(batches, sizeof(batches), pending ? "%zu+%zu" : "%zu", n, pending);
			printf("%-16s %-24s %7s %8zu  %-28s %s\n", ms->name, ms->current, batches, drifting,
			       last ? last->batch : "-", verdict);
		}
		store_drift_batches_free(b, n);
	}
	if (fmt == FMT_JSON) {
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
		jsonw_flush(&w, stdout);
	}
	jsonw_free(&w);
	store_close(st);
	pipeline_spec_free(spec);
	project_free(&p);
	return rc;
}

static int monitor_show_cmd(int argc, char **argv)
{
	enum out_format fmt = FMT_TABLE;
	const char *name = NULL, *batch = NULL, *val;
	int m, rc;
	for (int i = 2; i < argc; i++) {
		if ((m = cli_opt("monitor", argc, argv, &i, "--format", &val)) != 0) {
			if (m < 0 || cli_parse_format("monitor", val, &fmt))
				return 2;
		} else if (argv[i][0] == '-' || (name && batch)) {
			return cli_usage_error("monitor", "unexpected argument \"%s\"", argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			batch = argv[i];
		}
	}
	if (!name)
		return cli_usage_error("monitor", "show needs a monitor's name");
	struct project p;
	struct store *st;
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	if ((rc = cli_open_store(&p, &st)) != 0) {
		project_free(&p);
		return rc;
	}
	struct drift_batch_row *b;
	size_t n;
	struct err err;
	if (store_drift_batches(st, name, &b, &n, &err) < 0) {
		rc = cli_report(&err);
		goto out;
	}
	if (!n) {
		rc = cli_error(2, "monitor \"%s\" has no stored batches (mlwb monitor run %s evaluates them)", name,
			       name);
		goto out_b;
	}
	const struct drift_batch_row *one = NULL;
	if (batch) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(b[i].batch, batch))
				one = &b[i];
		if (!one) {
			rc = cli_error(2, "monitor \"%s\" has no batch \"%s\"", name, batch);
			goto out_b;
		}
	}
	if (fmt == FMT_JSON) {
		struct jsonw w;
		jsonw_init(&w, true);
		jsonw_obj_begin(&w);
		jsonw_key(&w, "monitor");
		jsonw_str(&w, name);
		jsonw_key(&w, "batches");
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < n; i++)
			if (!one || one == &b[i])
				batch_json(&w, st, &b[i], true);
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
		jsonw_flush(&w, stdout);
		jsonw_free(&w);
	} else if (one) {
		struct drift_result_row *r;
		size_t nr;
		if (store_drift_results(st, one->id, &r, &nr, &err) < 0) {
			rc = cli_report(&err);
			goto out_b;
		}
		printf("monitor %s, batch %s (%lld rows) against %s (%lld rows)\n\n", name, one->batch,
		       (long long)one->n_current, one->reference ? one->reference : "-",
		       (long long)one->n_reference);
		struct drift_column *cols = xcalloc(nr + 1, sizeof(*cols));
		for (size_t i = 0; i < nr; i++)
			column_from_row(&r[i], &cols[i]);
		drift_table(stdout, cols, nr, isatty(1) && !getenv("NO_COLOR"));
		printf("\n%s: %lld of %lld columns drifted (%.0f%%)", one->dataset_drift ? "DATASET DRIFT" : "no dataset drift",
		       (long long)one->drifted, (long long)one->tested, one->share * 100);
		if (one->triggered_run)
			printf("; queued run %lld", (long long)one->triggered_run);
		putchar('\n');
		free(cols);
		store_drift_results_free(r, nr);
	} else {
		printf("monitor %s: %zu batch%s against %s\n\n", name, n, n == 1 ? "" : "es",
		       b[n - 1].reference ? b[n - 1].reference : "-");
		printf("  %-32s %-16s %8s %8s %7s  %-5s  %s\n", "batch", "evaluated", "rows", "drifted", "share",
		       "drift", "run");
		for (size_t i = 0; i < n; i++) {
			char when[32], drifted[32], runs[32] = "-";
			time_format_local(b[i].evaluated, when, sizeof(when));
			snprintf(drifted, sizeof(drifted), "%lld/%lld", (long long)b[i].drifted, (long long)b[i].tested);
			if (b[i].triggered_run)
				snprintf(runs, sizeof(runs), "%lld", (long long)b[i].triggered_run);
			printf("%s %-32s %-16s %8lld %8s %6.0f%%  %-5s  %s\n", b[i].dataset_drift ? "!" : " ",
			       b[i].batch, when, (long long)b[i].n_current, drifted, b[i].share * 100,
			       b[i].dataset_drift ? "DRIFT" : "ok", runs);
		}
	}
out_b:
	store_drift_batches_free(b, n);
out:
	store_close(st);
	project_free(&p);
	return rc;
}

int cmd_monitor(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("monitor", "give run, list or show");
	if (!strcmp(argv[1], "run"))
		return monitor_run_cmd(argc, argv);
	if (!strcmp(argv[1], "list"))
		return monitor_list_cmd(argc, argv);
	if (!strcmp(argv[1], "show"))
		return monitor_show_cmd(argc, argv);
	return cli_usage_error("monitor", "unknown subcommand \"%s\" (run, list, show)", argv[1]);
}
