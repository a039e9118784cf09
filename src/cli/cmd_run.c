/* cmd_run.c - `mlwb run`: queue a run (or a sweep) and wake the executor. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mlwb/artifacts.h"
#include "mlwb/exec.h"
#include "mlwb/jsonw.h"
#include "mlwb/vcs.h"

struct run_opts {
	const char *pipeline, *sweep, *experiment, *note;
	struct strv overrides;
	bool wait, no_cache;
};

static char *json_strings(const struct strv *v)
{
	struct jsonw w;

	jsonw_init(&w, false);
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < v->n; i++)
		jsonw_str(&w, v->v[i]);
	jsonw_arr_end(&w);
	char *s = xstrdup(sbuf_str(&w.out));
	jsonw_free(&w);
	return s;
}

static char *json_outs(const struct task *t)
{
	struct jsonw w;

	jsonw_init(&w, false);
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < t->n_outs; i++) {
		jsonw_obj_begin(&w);
		jsonw_key(&w, "path");
		jsonw_str(&w, t->outs[i].path);
		jsonw_key(&w, "kind");
		jsonw_str(&w, t->outs[i].kind);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	char *s = xstrdup(sbuf_str(&w.out));
	jsonw_free(&w);
	return s;
}

/* The pipeline's tasks as the store records them, commands interpolated
 * with this run's params.  Caller frees with free_tasks. */
static int build_tasks(const struct pipeline *pl, const struct param *ps, size_t np,
		       struct task_new **out, struct err *err)
{
	struct task_new *tn = xcalloc(pl->n_tasks + 1, sizeof(*tn));

	for (size_t i = 0; i < pl->n_tasks; i++) {
		const struct task *t = &pl->tasks[i];
		char *cmd;
		if (pipeline_interpolate(t->cmd, ps, np, &cmd, err) < 0) {
			err_prefix(err, "task %s", t->name);
			for (size_t k = 0; k < i; k++) {
				free((char *)tn[k].cmd);
				free((char *)tn[k].deps_json);
				free((char *)tn[k].outs_json);
				free((char *)tn[k].metrics_json);
			}
			free(tn);
			return -1;
		}
		tn[i].name = t->name;
		tn[i].cmd = cmd;
		tn[i].layer = t->layer;
		tn[i].max_attempts = t->retries + 1;
		tn[i].timeout_ms = t->timeout_ms;
		tn[i].cpu = t->cpu;
		tn[i].mem = t->mem_bytes;
		tn[i].gpu = t->gpu;
		tn[i].cache = t->cache;
		tn[i].deps_json = json_strings(&t->deps);
		tn[i].outs_json = json_outs(t);
		tn[i].metrics_json = json_strings(&t->metrics);
		tn[i].up = t->up;
		tn[i].n_up = t->n_up;
	}
	*out = tn;
	return 0;
}

static void free_tasks(struct task_new *tn, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)tn[i].cmd);
		free((char *)tn[i].deps_json);
		free((char *)tn[i].outs_json);
		free((char *)tn[i].metrics_json);
	}
	free(tn);
}

struct provenance {
	struct vcs_info vi;
	char user[256], host[256];
	char diff_sha[SHA256_HEX];
	int64_t diff_size;
};

static int gather_provenance(const struct project *p, struct provenance *pv, struct err *err)
{
	const char *u = getenv("USER");
	struct passwd *pw = getpwuid(getuid());

	memset(pv, 0, sizeof(*pv));
	snprintf(pv->user, sizeof(pv->user), "%s", pw ? pw->pw_name : u ? u : "unknown");
	if (gethostname(pv->host, sizeof(pv->host)) < 0)
		snprintf(pv->host, sizeof(pv->host), "unknown");
	if (vcs_inspect(p->root, true, &pv->vi, err) < 0)
		return -1;
	if (pv->vi.in_repo && pv->vi.diff && *pv->vi.diff) {
		char *objects = path_join(p->dir, "objects");
		pv->diff_size = (int64_t)strlen(pv->vi.diff);
		int rc = artifacts_store_buf(objects, pv->vi.diff, (size_t)pv->diff_size, pv->diff_sha, err);
		free(objects);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int queue_one(struct store *st, const struct spec *spec, const struct pipeline *pl,
		     const struct strv *overrides, const struct run_opts *o, const struct provenance *pv,
		     const char *trigger, int64_t parent, int64_t *id, struct err *err)
{
	struct param *ps;
	size_t np;
	struct task_new *tn;
	int rc = -1;

	if (pipeline_params_resolve(spec, overrides, &ps, &np, err) < 0)
		return -1;
	if (build_tasks(pl, ps, np, &tn, err) < 0) {
		pipeline_params_free(ps, np);
		return -1;
	}
	struct kv *kv = xcalloc(np + 1, sizeof(*kv));
	for (size_t i = 0; i < np; i++) {
		kv[i].name = ps[i].name;
		kv[i].value = ps[i].value;
	}
	struct run_new rn = {0};
	rn.experiment = o->experiment;
	rn.pipeline = pl->name;
	rn.sweep = parent ? o->sweep : NULL;
	rn.trigger = trigger;
	rn.parent = parent;
	rn.user = pv->user;
	rn.host = pv->host;
	rn.git_commit = pv->vi.in_repo && pv->vi.commit[0] ? pv->vi.commit : NULL;
	rn.git_branch = pv->vi.in_repo ? pv->vi.branch : NULL;
	rn.git_dirty = pv->vi.in_repo ? pv->vi.dirty : -1;
	rn.note = o->note;
	rn.params = kv;
	rn.n_params = np;
	rn.no_cache = o->no_cache;
	if (store_run_enqueue(st, &rn, tn, pl->n_tasks, id, err) == 0) {
		rc = 0;
		if (pv->diff_sha[0])
			rc = store_artifact_add(st, *id, 0, "git.diff", pv->diff_sha, pv->diff_size, "diff", NULL,
						err);
	}
	free(kv);
	free_tasks(tn, pl->n_tasks);
	pipeline_params_free(ps, np);
	return rc;
}

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
			for (size_t i = 0; i < nt; i++) {
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
					if (tasks[i].reason && strcmp(tasks[i].reason, "exit") &&
					    strcmp(tasks[i].status, "running"))
						fprintf(stderr, " (%s)", tasks[i].reason);
					else if (tasks[i].exit_code > 0)
						fprintf(stderr, " (exit %d)", tasks[i].exit_code);
					fputc('\n', stderr);
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
	struct run_opts o;
	struct project p;
	struct spec *spec = NULL;
	struct store *st = NULL;
	struct provenance pv;
	struct err err;
	const char *val;
	int rc, m;
	int64_t id = 0;

	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		if ((m = cli_opt("run", argc, argv, &i, "-p", &val)) != 0 ||
		    (m = cli_opt("run", argc, argv, &i, "--param", &val)) != 0) {
			if (m < 0)
				goto usage;
			strv_push(&o.overrides, val);
		} else if ((m = cli_opt("run", argc, argv, &i, "--experiment", &val)) != 0) {
			if (m < 0)
				goto usage;
			o.experiment = val;
		} else if ((m = cli_opt("run", argc, argv, &i, "--note", &val)) != 0) {
			if (m < 0)
				goto usage;
			o.note = val;
		} else if ((m = cli_opt("run", argc, argv, &i, "--sweep", &val)) != 0) {
			if (m < 0)
				goto usage;
			o.sweep = val;
		} else if (!strcmp(argv[i], "--wait")) {
			o.wait = true;
		} else if (!strcmp(argv[i], "--no-cache")) {
			o.no_cache = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			strv_free(&o.overrides);
			return cli_usage_error("run", "unknown option %s", argv[i]);
		} else if (o.pipeline) {
			strv_free(&o.overrides);
			return cli_usage_error("run", "one pipeline at a time");
		} else {
			o.pipeline = argv[i];
		}
	}
	if ((rc = cli_find_project(&p)) != 0)
		goto out_opts;
	if ((rc = cli_load_spec(&p, &spec)) != 0)
		goto out_project;

	const struct sweep *sw = NULL;
	if (o.sweep && !(sw = pipeline_sweep_find(spec, o.sweep))) {
		struct sbuf names;
		sbuf_init(&names);
		for (size_t i = 0; i < spec->n_sweeps; i++)
			sbuf_printf(&names, "%s%s", i ? ", " : "", spec->sweeps[i].name);
		rc = cli_error(2, "no sweep \"%s\" in mlwb.yaml (sweeps: %s)", o.sweep,
			       names.len ? sbuf_str(&names) : "none");
		sbuf_free(&names);
		goto out_spec;
	}
	const char *plname = sw ? sw->pipeline : o.pipeline;
	if (sw && o.pipeline && strcmp(o.pipeline, sw->pipeline)) {
		rc = cli_error(2, "sweep \"%s\" runs pipeline \"%s\", not \"%s\"", sw->name, sw->pipeline,
			       o.pipeline);
		goto out_spec;
	}
	if (!plname && spec->n_pipelines == 1)
		plname = spec->pipelines[0].name;
	const struct pipeline *pl = plname ? pipeline_find(spec, plname) : NULL;
	if (!pl) {
		struct sbuf names;
		sbuf_init(&names);
		for (size_t i = 0; i < spec->n_pipelines; i++)
			sbuf_printf(&names, "%s%s", i ? ", " : "", spec->pipelines[i].name);
		if (plname)
			rc = cli_error(2, "no pipeline \"%s\" in mlwb.yaml (pipelines: %s)", plname, sbuf_str(&names));
		else
			rc = cli_usage_error("run", "which pipeline? (pipelines: %s)", sbuf_str(&names));
		sbuf_free(&names);
		goto out_spec;
	}
	/* Type-check the overrides before anything is written. */
	{
		struct param *ps;
		size_t np;
		if (pipeline_params_resolve(spec, &o.overrides, &ps, &np, &err) < 0) {
			rc = cli_report(&err);
			goto out_spec;
		}
		pipeline_params_free(ps, np);
	}
	if ((rc = cli_open_store(&p, &st)) != 0)
		goto out_spec;
	if (gather_provenance(&p, &pv, &err) < 0) {
		rc = cli_report(&err);
		goto out_store;
	}
	if (store_begin(st, &err) < 0) {
		rc = cli_report(&err);
		goto out_pv;
	}
	size_t children = 0;
	if (!sw) {
		rc = queue_one(st, spec, pl, &o.overrides, &o, &pv, "manual", 0, &id, &err);
	} else {
		struct strv *points;
		size_t np;
		rc = pipeline_sweep_expand(sw, &points, &np, &err);
		if (rc == 0) {
			/* The parent: no tasks of its own; its children run in parallel. */
			struct run_new rn = {0};
			rn.experiment = o.experiment;
			rn.pipeline = pl->name;
			rn.sweep = sw->name;
			rn.user = pv.user;
			rn.host = pv.host;
			rn.git_commit = pv.vi.in_repo && pv.vi.commit[0] ? pv.vi.commit : NULL;
			rn.git_branch = pv.vi.in_repo ? pv.vi.branch : NULL;
			rn.git_dirty = pv.vi.in_repo ? pv.vi.dirty : -1;
			rn.note = o.note;
			rn.parallel = sw->parallel;
			rn.no_cache = o.no_cache;
			rc = store_run_enqueue(st, &rn, NULL, 0, &id, &err);
			for (size_t i = 0; i < np && rc == 0; i++) {
				struct strv all = {0};
				int64_t child;
				for (size_t k = 0; k < o.overrides.n; k++)
					strv_push(&all, o.overrides.v[k]);
				for (size_t k = 0; k < points[i].n; k++)
					strv_push(&all, points[i].v[k]);
				rc = queue_one(st, spec, pl, &all, &o, &pv, "sweep", id, &child, &err);
				strv_free(&all);
				children++;
			}
			pipeline_sweep_points_free(points, np);
		}
	}
	if (rc == 0)
		rc = store_commit(st, &err);
	if (rc < 0) {
		store_rollback(st);
		rc = cli_report(&err);
		goto out_pv;
	}
	if (exec_ensure(&p, &err) < 0) {
		rc = cli_report(&err);
		goto out_pv;
	}
	if (isatty(1)) {
		if (sw)
			printf("run %lld queued: sweep %s over pipeline %s, %zu child runs, %d at a time\n",
			       (long long)id, sw->name, pl->name, children, sw->parallel);
		else
			printf("run %lld queued: pipeline %s, %zu tasks\n", (long long)id, pl->name, pl->n_tasks);
	} else {
		printf("%lld\n", (long long)id);
	}
	fflush(stdout);
	if (o.wait) {
		char *final = wait_for(&p, st, id, sw != NULL);
		rc = final && !strcmp(final, "succeeded") ? 0 : 1;
		free(final);
	}
out_pv:
	vcs_info_free(&pv.vi);
out_store:
	store_close(st);
out_spec:
	pipeline_spec_free(spec);
out_project:
	project_free(&p);
out_opts:
	strv_free(&o.overrides);
	return rc;
usage:
	strv_free(&o.overrides);
	return 2;
}
