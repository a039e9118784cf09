/* main.c - `mlwb COMMAND ...`: dispatch, help, shared CLI helpers. */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mlwb/version.h"

const struct command cli_commands[] = {
	{"init", cmd_init, "[DIR]", "create a project: .mlwb/ and a starter mlwb.yaml",
	 "Creates DIR (default: the current directory) if needed, the .mlwb/ folder\n"
	 "(database, objects/, runs/) and a commented starter mlwb.yaml when there is\n"
	 "none.  In an existing project it changes nothing and says so.\n"},
	{"validate", cmd_validate, "[FILE]", "check mlwb.yaml and report every problem",
	 "Checks the project's mlwb.yaml (or FILE).  Prints a one-line summary and\n"
	 "exits 0, or prints each problem as FILE:LINE:COLUMN: message on stderr and\n"
	 "exits 2.\n"},
	{"dag", cmd_dag, "[PIPELINE] [--format table|json|csv]",
	 "print a pipeline's tasks in dependency layers",
	 "Prints the tasks of PIPELINE (default: every pipeline) layer by layer, each\n"
	 "with the tasks it waits for.  --format json gives {pipeline, layers, nodes,\n"
	 "edges}; edges carry the path that links two tasks (null for `needs`).\n"},
	{"runs", cmd_runs,
	 "[--filter EXPR] [--experiment NAME] [--status STATUS] [--sort KEY] [--asc] [--limit N] [--trash] [--format table|json|csv]",
	 "list runs, newest first",
	 "Lists the project's runs.  --sort takes id, created, started, finished,\n"
	 "status, pipeline, experiment, user, trigger, duration, metrics.NAME or\n"
	 "params.NAME (descending unless --asc).  --filter takes the UI's filter\n"
	 "expression (\"metrics.auc > 0.8 and params.train.lr < 0.1\").  --trash lists\n"
	 "the deleted runs.\n"},
	{"show", cmd_show, "RUN [--format table|json]", "show one run: params, metrics, tasks, git",
	 "Shows everything recorded about run RUN (its id, as `mlwb runs` lists).\n"},
	{"run", cmd_run,
	 "[PIPELINE] [-p NAME=VALUE ...] [--sweep NAME] [--experiment NAME] [--note TEXT] [--no-cache] [--wait]",
	 "queue a run of a pipeline (or a sweep) and print its id",
	 "Records a run (status queued) with its params resolved and its git provenance,\n"
	 "and wakes the executor (starting it when none runs).  -p overrides a param\n"
	 "(type-checked against its default).  --sweep expands a sweep of mlwb.yaml into\n"
	 "child runs of one parent run.  --wait follows the run and exits 0 when it\n"
	 "succeeded, 1 when it failed or was cancelled.  --no-cache runs every task.\n"},
	{"cancel", cmd_cancel, "RUN", "cancel a queued or running run (and a sweep's children)",
	 "Running tasks get SIGTERM (their whole process group), then SIGKILL after a\n"
	 "grace period; tasks not started are cancelled.\n"},
	{"logs", cmd_logs, "RUN [TASK] [-f]", "print the logs of a run's tasks",
	 "Prints the log of every attempt (of TASK when given).  -f follows them until\n"
	 "the run ends.\n"},
	{"log", cmd_log, "metric NAME VALUE [STEP] | param NAME VALUE | tag NAME VALUE | artifact PATH [KIND]",
	 "log from a shell step of a running task",
	 "Writes one line of the logging protocol to the run's pipe (MLWB_FD).  Outside\n"
	 "a run it says so and exits 2.\n"},
	{"metrics", cmd_metrics, "RUN [NAME] [--format table|json|csv]", "every metric point of a run",
	 "Lists every point (name, step, value, time, task), by name then step.\n"},
	{"executor", cmd_executor, "start [--foreground [--idle DURATION]] | stop [--now] | status",
	 "start, stop or inspect the project's executor",
	 "The executor is started on demand by `mlwb run`; it stops by itself after\n"
	 "MLWB_EXECUTOR_IDLE (default 10m) with nothing to do.  `stop` lets running\n"
	 "tasks finish; `stop --now` kills them (they are retried on the next start).\n"
	 "`status` prints the pid, uptime, running tasks and queue length.\n"},
	{"models", cmd_models,
	 "list | show NAME | versions NAME | history NAME | register NAME --run RUN --artifact PATH [--gate EXPR] [--promote-to STAGE] | promote NAME VERSION --to STAGE [--reason TEXT] [--force] | archive NAME VERSION | export NAME[@STAGE|@VERSION] -o DIR  [--format table|json|csv]",
	 "the model registry: versions, stages, gates, export",
	 "A version points to an artifact and the run and task that made it.  Stages\n"
	 "(staging, production) and aliases (champion, ...) are held by one version\n"
	 "each; archived takes a version out of them all.  A version whose gate failed,\n"
	 "or that is archived, is promoted only with --force.  docs/registry.md says more.\n"},
	{"ci", cmd_ci, "[PIPELINE] [-p NAME=VALUE ...] [--junit FILE] [--markdown FILE]",
	 "run a pipeline to the end in the foreground and report for CI",
	 "Runs the pipeline (trigger ci) without a terminal, prints a summary (tasks,\n"
	 "durations, metrics, gates, registered and promoted versions) and writes it\n"
	 "as JUnit XML and Markdown when asked.  Exit 0 when the run succeeded and every\n"
	 "gate passed, 1 otherwise.  docs/ci.md has GitHub Actions and GitLab CI jobs.\n"},
	{"hooks", cmd_hooks, "install [PIPELINE] | uninstall",
	 "a git post-commit hook that queues a run on every commit",
	 "install adds a block to .git/hooks/post-commit that queues a run of PIPELINE\n"
	 "(trigger commit); uninstall removes exactly that block.\n"},
	{"tag", cmd_tag, "RUN NAME=VALUE ...", "tag a run", "Sets (or replaces) tags of a run.\n"},
	{"note", cmd_note, "RUN [TEXT ...]", "write a run's note", "The words after RUN become the note; none clears it.\n"},
	{"delete", cmd_delete, "RUN ...", "move runs to the trash",
	 "A deleted run (a sweep: with its children) leaves the listings; `mlwb runs --trash`\n"
	 "lists the trash and `mlwb restore` brings runs back.  Running runs must be\n"
	 "cancelled first.\n"},
	{"restore", cmd_restore, "RUN ...", "bring runs back from the trash", ""},
	{"retry", cmd_retry, "RUN TASK", "run a failed task again, with what depends on it",
	 "Makes TASK of a finished run pending again, with every task downstream of it,\n"
	 "re-queues the run and wakes the executor; the task gets fresh attempts.\n"},
	{"compare", cmd_compare, "RUN RUN [RUN ...] [--only-diff] [--format table|json|csv]",
	 "runs side by side: params that differ, metrics with the best run",
	 "Params of every run (* where they differ; --only-diff hides the others) and\n"
	 "every metric: last value, min, max, the best value and the step it was\n"
	 "reached at, the best run marked (lower is better for loss and error names).\n"},
	{"plot", cmd_plot, "RUN [RUN ...] --metric NAME [--smooth W] [--x step|time] [--logy] [--size WxH] -o FILE | --drift MONITOR [--size WxH] -o FILE",
	 "a metric of runs as a PNG, SVG or PDF chart (plplot)",
	 "Draws the metric of each run as a line, with a title, axis labels, a legend and\n"
	 "a light grid; the format follows FILE's extension.  --smooth draws the\n"
	 "exponential moving average (TensorBoard's, debiased) over the raw series,\n"
	 "faint.  --x time: seconds since each run started.  --drift MONITOR draws the\n"
	 "monitor's heatmap (columns x batches, coloured by how far each test is past\n"
	 "its threshold) over the share of drifted columns per batch.\n"},
	{"drift", cmd_drift,
	 "--reference REF.csv --current CUR.csv [--columns a,b] [--test auto|ks|chisquare|z|wasserstein|jensenshannon|psi] [--threshold X] [--share X] [--fail-on-drift] [--format table|json]",
	 "data drift between two CSV files, column by column",
	 "Tests every column shared by REF and CUR (or those of --columns) with\n"
	 "Evidently's default test for its kind and size (KS, chi-square, Z, Wasserstein,\n"
	 "Jensen-Shannon; PSI on request), reports PSI and Jensen-Shannon for all and\n"
	 "Wasserstein and KS for numeric columns, and calls dataset drift when at least\n"
	 "--share (0.5) of the columns drifted.  Needs no project.  --fail-on-drift\n"
	 "exits 1 on dataset drift.  docs/drift.md has the rules.\n"},
	{"monitor", cmd_monitor, "run [NAME] [--again] [--no-trigger] [--log] | list | show NAME [BATCH]  [--format table|json]",
	 "the drift monitors of mlwb.yaml: evaluate new batches, list, show",
	 "run evaluates every batch of a monitor (all monitors without NAME) that is not\n"
	 "stored yet, stores each column's test and histograms, and queues the\n"
	 "monitor's on_drift run once for a drifting batch (trigger drift); --again\n"
	 "evaluates stored batches again (without queueing again), --no-trigger never\n"
	 "queues; --log prints timestamped lines (the executor runs it so).  list gives\n"
	 "each monitor's latest verdict; show gives its batches, or one batch's columns.\n"},
	{"tui", cmd_tui, "[--theme NAME] [--open COMMAND] [--script FILE [--size COLSxLINES]] [--keys-md]",
	 "the full-screen terminal UI (also: mlwb with no arguments)",
	 "Opens the workbench on the project: Runs, Run, DAG, Logs, Launch and Queue\n"
	 "views; `?` lists the keys.  --theme picks themes/NAME.yaml (also $MLWB_THEME or\n"
	 "`theme: NAME` in .mlwb/config.yaml or ~/.config/mlwb/config.yaml).  --open runs\n"
	 "a `:` command first (\"run 3\").  --script runs headless: keys from FILE, screens\n"
	 "dumped as text (for tests).  --keys-md prints docs/keys.md.\n"},
	{NULL, NULL, NULL, NULL, NULL},
};

static const struct command *find_command(const char *name)
{
	for (const struct command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("mlwb: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_report(const struct err *err)
{
	fprintf(stderr, "mlwb: %s\n", err->msg[0] ? err->msg : "unknown error");
	return err->code ? err->code : 2;
}

int cli_help(const char *name)
{
	const struct command *c = find_command(name);

	printf("usage: mlwb %s %s\n\n%s.\n\n%s", c->name, c->usage, c->summary, c->help);
	return 0;
}

int cli_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mlwb %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: mlwb %s %s (see `mlwb %s --help`)\n", name,
		find_command(name)->usage, name);
	return 2;
}

int cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n))
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n])
		return 0;
	if (*i + 1 >= argc) {
		cli_usage_error(cmd, "%s needs a value", name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

int cli_parse_format(const char *cmd, const char *s, enum out_format *f)
{
	if (!strcmp(s, "table"))
		*f = FMT_TABLE;
	else if (!strcmp(s, "json"))
		*f = FMT_JSON;
	else if (!strcmp(s, "csv"))
		*f = FMT_CSV;
	else
		return cli_usage_error(cmd, "unknown format \"%s\" (expected table, json or csv)", s);
	return 0;
}

int cli_find_project(struct project *p)
{
	struct err err;

	if (project_find(NULL, p, &err) < 0)
		return cli_report(&err);
	return 0;
}

int cli_open_store(const struct project *p, struct store **st)
{
	struct err err;

	/* A fresh clone has mlwb.yaml but no .mlwb/: lay it out on first use. */
	if (!path_exists(p->db) && project_make_dirs(p, &err) < 0)
		return cli_report(&err);
	if (store_open(p->db, STORE_CREATE, st, &err) < 0)
		return cli_report(&err);
	return 0;
}

int cli_open_run(const char *cmd, const char *id_text, struct project *p, struct store **st,
		 int64_t *id)
{
	struct run_info ri;
	struct err err;
	long v;
	int rc;

	if (!id_text)
		return cli_usage_error(cmd, "which run? give its id");
	if (!str_to_long(id_text, &v) || v < 1)
		return cli_usage_error(cmd, "a run id is a positive number, got \"%s\"", id_text);
	*id = v;
	if ((rc = cli_find_project(p)) != 0)
		return rc;
	if ((rc = cli_open_store(p, st)) != 0) {
		project_free(p);
		return rc;
	}
	if (store_run_get(*st, *id, &ri, &err) < 0) {
		store_close(*st);
		project_free(p);
		return cli_report(&err);
	}
	store_run_info_free(&ri);
	return 0;
}

char *cli_display_path(const char *abs)
{
	char cwd[PATH_MAX];

	if (getcwd(cwd, sizeof(cwd))) {
		size_t n = strlen(cwd);
		if (!strncmp(abs, cwd, n) && abs[n] == '/')
			return xstrdup(abs + n + 1);
	}
	return xstrdup(abs);
}

int cli_load_spec(const struct project *p, struct spec **spec)
{
	char *shown = cli_display_path(p->yaml);
	int rc;

	if (!path_exists(p->yaml)) {
		cli_error(2, "%s: no such file; every project needs one (`mlwb init` writes a starter)", shown);
		free(shown);
		return 2;
	}
	rc = cli_load_spec_file(p->yaml, shown, spec);
	free(shown);
	return rc;
}

int cli_load_spec_file(const char *path, const char *shown, struct spec **spec)
{
	struct diags d;
	int rc = 0;

	if (pipeline_spec_load(path, shown, spec, &d) < 0) {
		for (size_t i = 0; i < d.n; i++) {
			char *line = diags_format(&d, i);
			fprintf(stderr, "%s\n", line);
			free(line);
		}
		fprintf(stderr, "%s: %zu error%s\n", shown, d.n, d.n == 1 ? "" : "s");
		rc = 2;
	}
	diags_free(&d);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mlwb [--version] [--help] COMMAND [ARGS]\n\n"
		   "mlwb is an MLOps workbench: pipelines as DAGs in mlwb.yaml, every run\n"
		   "tracked in .mlwb/mlwb.db.\n\ncommands:\n");
	for (const struct command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n`mlwb COMMAND --help` tells more; `man mlwb` has it all.\n");
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2) {
		/* no command: the workbench itself, or a summary without a terminal */
		if (isatty(0) && isatty(1)) {
			char *args[] = {"tui", NULL};
			return cmd_tui(1, args);
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("mlwb %s\n", MLWB_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && find_command(argv[2]))
			return cli_help(argv[2]);
		usage(stdout);
		return 0;
	}
	const struct command *c = find_command(argv[1]);
	if (!c) {
		const char *best = NULL;
		size_t best_d = 3;
		for (const struct command *k = cli_commands; k->name; k++) {
			size_t d = str_edit_distance(argv[1], k->name);
			if (d < best_d) {
				best_d = d;
				best = k->name;
			}
		}
		if (best)
			return cli_error(2, "unknown command \"%s\" (did you mean \"%s\"?); see `mlwb --help`",
					 argv[1], best);
		return cli_error(2, "unknown command \"%s\"; see `mlwb --help`", argv[1]);
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return cli_help(c->name);
	}
	int rc = c->run(argc - 1, argv + 1);
	if (fflush(stdout) != 0 && rc == 0)
		return cli_error(1, "writing output: %s", strerror(errno));
	return rc;
}
