/* cmd_run.c - `mlwb run`: queue a run (or a sweep) and wake the executor. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mlwb/exec.h"

/* ---- --wait ---- */

struct watched {
	char *name;
	char *status;
};

static bool terminal(const char *s)
{
	return !strcmp(s, "succeeded") || !strcmp(s, "failed") || !strcmp(s, "cancelled");
}

/* Prints task state changes until the run (or sweep) ends.  Returns the
 * run's final status (caller frees). */
/* Why a task ended, after its line: the reason when not a plain exit (a
 * timeout, a cancel), else a non-zero exit code; then the newline. */
static void print_outcome(const struct task_info *t, const char *gap)
{
	if (t->reason && strcmp(t->reason, "exit") && strcmp(t->status, "running"))
		fprintf(stderr, "%s(%s)", gap, t->reason);
	else if (t->exit_code > 0)
		fprintf(stderr, "%s(exit %d)", gap, t->exit_code);
	fputc('\n', stderr);
}

static char *wait_for(const struct project *p, struct store *st, int64_t id, bool sweep)
{
	double next_probe = time_mono() + 1.0;
	bool restarted = false;
	struct watched *seen = NULL;
	size_t n_seen = 0;
	int64_t dv = -1;
	char *final = NULL;
	bool tty = isatty(2);
	int64_t t0 = time_now_ms();

	double next_list = 0;
	bool pending = true;
	int drawn = 0; /* lines of the live table on a terminal */

	for (;;) {
		int64_t v = store_data_version(st);
		bool done = false;
		if (v != dv) {
			char s[32];
			struct err err;
			dv = v;
			pending = true;
			done = store_run_status(st, id, s, sizeof(s), &err) == 0 && terminal(s);
		}
		if (drawn && time_mono() >= next_list + 0.3)
			pending = true; /* running durations tick on the terminal */
		/* The task list is read at most five times a second (and at the
		 * end): on a big DAG a faster poll would take CPU from the jobs. */
		if (pending && (done || time_mono() >= next_list)) {
			pending = false;
			next_list = time_mono() + 0.2;
			struct run_info ri;
			struct err err;
			if (store_run_get(st, id, &ri, &err) < 0) {
				fprintf(stderr, "mlwb: %s\n", err.msg);
				return xstrdup("failed");
			}
			/* Task lines: for a sweep, the child runs' states. */
			struct run_list kids = {0};
			struct task_info *tasks = NULL;
			size_t nt = 0;
			if (sweep) {
				struct run_query q = {0};
				if (store_run_list(st, &q, &kids, &err) == 0) {
					tasks = xcalloc(kids.n + 1, sizeof(*tasks));
					for (size_t i = 0; i < kids.n; i++)
						if (kids.v[i].parent == id) {
							tasks[nt].name = xasprintf("run %lld", (long long)kids.v[i].id);
							tasks[nt].status = xstrdup(kids.v[i].status);
							tasks[nt].exit_code = -1;
							nt++;
						}
					store_run_list_free(&kids);
				}
			} else {
				store_task_list(st, id, &tasks, &nt, &err);
			}
			/* On a terminal: a table of the tasks, redrawn in place.
			 * Elsewhere (a pipe, a CI log): a line per state change. */
			size_t changes = nt;
			if (tty && nt && nt <= 40) {
				if (drawn)
					fprintf(stderr, "\033[%dA", drawn);
				for (size_t i = 0; i < nt; i++) {
					char du[32] = "";
					if (tasks[i].started)
						time_format_duration((tasks[i].finished ? tasks[i].finished : time_now_ms()) -
								     tasks[i].started, du, sizeof(du));
					fprintf(stderr, "\033[2K  %-20s %-16s %8s", tasks[i].name, tasks[i].status, du);
					print_outcome(&tasks[i], "  ");
				}
				drawn = (int)nt;
				changes = 0; /* the table says it all */
			}
			for (size_t i = 0; i < changes; i++) {
				struct watched *w = NULL;
				for (size_t k = 0; k < n_seen; k++)
					if (!strcmp(seen[k].name, tasks[i].name))
						w = &seen[k];
				if (!w) {
					seen = xrealloc(seen, (n_seen + 1) * sizeof(*seen));
					w = &seen[n_seen++];
					w->name = xstrdup(tasks[i].name);
					w->status = xstrdup("pending");
				}
				if (strcmp(w->status, tasks[i].status)) {
					free(w->status);
					w->status = xstrdup(tasks[i].status);
					char el[32];
					time_format_duration(time_now_ms() - t0, el, sizeof(el));
					fprintf(stderr, "%s[%7s] %-20s %s", tty ? "  " : "", el, tasks[i].name,
						tasks[i].status);
					print_outcome(&tasks[i], " ");
				}
			}
			store_task_list_free(tasks, nt);
			if (terminal(ri.status)) {
				final = xstrdup(ri.status);
				char el[32];
				time_format_duration((ri.finished ? ri.finished : time_now_ms()) -
						     (ri.started ? ri.started : ri.created), el, sizeof(el));
				fprintf(stderr, "run %lld %s in %s\n", (long long)id, ri.status, el);
				store_run_info_free(&ri);
				break;
			}
			store_run_info_free(&ri);
		}
		/* An executor that died mid-run is restarted once (its recovery
		 * retries the lost attempts); a second death ends the wait. */
		if (time_mono() >= next_probe) {
			struct exec_state es;
			next_probe = time_mono() + 1.0;
			exec_probe(p, &es);
			if (!es.running && store_data_version(st) == dv) {
				struct err err;
				if (restarted || exec_ensure(p, &err) < 0) {
					fprintf(stderr, "mlwb: the executor stopped before run %lld ended; see .mlwb/executor.log\n",
						(long long)id);
					final = xstrdup("failed");
					break;
				}
				restarted = true;
			}
		}
		usleep(20000);
	}
	for (size_t k = 0; k < n_seen; k++) {
		free(seen[k].name);
		free(seen[k].status);
	}
	free(seen);
	return final;
}

int cmd_run(int argc, char **argv)
{
	struct launch_opts o;
	struct launch_result res;
	struct strv overrides = {0};
	struct project p;
	struct spec *spec = NULL;
	struct store *st = NULL;
	struct err err;
	const char *val;
	bool wait = false;
	int rc = 2, m;

	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		if ((m = cli_opt("run", argc, argv, &i, "-p", &val)) != 0 ||
		    (m = cli_opt("run", argc, argv, &i, "--param", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			strv_push(&overrides, val);
		} else if ((m = cli_opt("run", argc, argv, &i, "--experiment", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			o.experiment = val;
		} else if ((m = cli_opt("run", argc, argv, &i, "--note", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			o.note = val;
		} else if ((m = cli_opt("run", argc, argv, &i, "--trigger", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			if (strcmp(val, "manual") && strcmp(val, "commit") && strcmp(val, "schedule") &&
			    strcmp(val, "data") && strcmp(val, "drift") && strcmp(val, "ci")) {
				rc = cli_usage_error("run", "unknown trigger \"%s\" (manual, commit, schedule, data, drift, ci)", val);
				goto out_opts;
			}
			o.trigger = val;
		} else if ((m = cli_opt("run", argc, argv, &i, "--sweep", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			o.sweep = val;
		} else if (!strcmp(argv[i], "--wait")) {
			wait = true;
		} else if (!strcmp(argv[i], "--no-cache")) {
			o.no_cache = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = cli_usage_error("run", "unknown option %s", argv[i]);
			goto out_opts;
		} else if (o.pipeline) {
			rc = cli_usage_error("run", "one pipeline at a time");
			goto out_opts;
		} else {
			o.pipeline = argv[i];
		}
	}
	o.overrides = &overrides;
	if ((rc = cli_find_project(&p)) != 0)
		goto out_opts;
	if ((rc = cli_load_spec(&p, &spec)) != 0)
		goto out_project;
	if ((rc = cli_open_store(&p, &st)) != 0)
		goto out_spec;
	if (exec_launch(&p, st, spec, &o, &res, &err) < 0) {
		rc = cli_report(&err);
		goto out_store;
	}
	if (isatty(1)) {
		if (res.sweep)
			printf("run %lld queued: sweep %s over pipeline %s, %zu child runs, %d at a time\n",
			       (long long)res.id, res.sweep->name, res.pipeline->name, res.children,
			       res.sweep->parallel);
		else
			printf("run %lld queued: pipeline %s, %zu tasks\n", (long long)res.id, res.pipeline->name,
			       res.pipeline->n_tasks);
	} else {
		printf("%lld\n", (long long)res.id);
	}
	fflush(stdout);
	if (wait) {
		char *final = wait_for(&p, st, res.id, res.sweep != NULL);
		rc = final && !strcmp(final, "succeeded") ? 0 : 1;
		free(final);
	}
out_store:
	store_close(st);
out_spec:
	pipeline_spec_free(spec);
out_project:
	project_free(&p);
out_opts:
	strv_free(&overrides);
	return rc;
}
