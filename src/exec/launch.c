/* launch.c - queueing runs and sweeps: what `mlwb run` and the UI's Launch
 * view do.  The runs are recorded with their tasks frozen (commands
 * interpolated with the run's params) and their provenance. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlwb/artifacts.h"
#include "mlwb/exec.h"
#include "mlwb/jsonw.h"
#include "mlwb/store.h"
#include "mlwb/vcs.h"

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
				free((char *)tn[k].register_json);
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
		if (t->reg_model) {
			struct jsonw w;
			jsonw_init(&w, false);
			jsonw_obj_begin(&w);
			jsonw_key(&w, "model");
			jsonw_str(&w, t->reg_model);
			jsonw_key(&w, "artifact");
			jsonw_str(&w, t->reg_artifact);
			jsonw_key(&w, "gate");
			jsonw_str(&w, t->reg_gate);
			jsonw_key(&w, "promote_to");
			jsonw_str(&w, t->reg_promote_to);
			jsonw_obj_end(&w);
			tn[i].register_json = xstrdup(sbuf_str(&w.out));
			jsonw_free(&w);
		}
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
		free((char *)tn[i].register_json);
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
		     const struct strv *overrides, const struct launch_opts *o, const struct provenance *pv,
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
	rn.trigger_detail = o->trigger_detail;
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


static void list_names(struct sbuf *sb, const struct spec *spec, bool sweeps)
{
	size_t n = sweeps ? spec->n_sweeps : spec->n_pipelines;

	for (size_t i = 0; i < n; i++)
		sbuf_printf(sb, "%s%s", i ? ", " : "", sweeps ? spec->sweeps[i].name : spec->pipelines[i].name);
	if (!n)
		sbuf_puts(sb, "none");
}

int exec_launch(const struct project *p, struct store *st, const struct spec *spec,
		const struct launch_opts *o, struct launch_result *res, struct err *err)
{
	const struct sweep *sw = NULL;
	struct sbuf names;
	struct provenance pv;
	struct strv none = {0};
	const struct strv *overrides = o->overrides ? o->overrides : &none;
	int rc;

	memset(res, 0, sizeof(*res));
	sbuf_init(&names);
	if (o->sweep && !(sw = pipeline_sweep_find(spec, o->sweep))) {
		list_names(&names, spec, true);
		err_set(err, "no sweep \"%s\" in mlwb.yaml (sweeps: %s)", o->sweep, sbuf_str(&names));
		sbuf_free(&names);
		return -1;
	}
	const char *plname = sw ? sw->pipeline : o->pipeline;
	if (sw && o->pipeline && strcmp(o->pipeline, sw->pipeline)) {
		sbuf_free(&names);
		return err_set(err, "sweep \"%s\" runs pipeline \"%s\", not \"%s\"", sw->name, sw->pipeline,
			       o->pipeline);
	}
	if (!plname && spec->n_pipelines == 1)
		plname = spec->pipelines[0].name;
	const struct pipeline *pl = plname ? pipeline_find(spec, plname) : NULL;
	if (!pl) {
		list_names(&names, spec, false);
		if (plname)
			err_set(err, "no pipeline \"%s\" in mlwb.yaml (pipelines: %s)", plname, sbuf_str(&names));
		else
			err_set(err, "which pipeline? (pipelines: %s)", sbuf_str(&names));
		sbuf_free(&names);
		return -1;
	}
	sbuf_free(&names);
	/* Type-check the overrides before anything is written. */
	struct param *ps;
	size_t np;
	if (pipeline_params_resolve(spec, overrides, &ps, &np, err) < 0)
		return -1;
	pipeline_params_free(ps, np);
	if (gather_provenance(p, &pv, err) < 0)
		return -1;
	if (!o->in_tx && store_begin(st, err) < 0) {
		vcs_info_free(&pv.vi);
		return -1;
	}
	const char *trigger = o->trigger ? o->trigger : "manual";
	if (!sw) {
		rc = queue_one(st, spec, pl, overrides, o, &pv, trigger, 0, &res->id, err);
	} else {
		struct strv *points;
		size_t npts;
		rc = pipeline_sweep_expand(sw, &points, &npts, err);
		if (rc == 0) {
			/* The parent: no tasks of its own; its children run in parallel. */
			struct run_new rn = {0};
			rn.experiment = o->experiment;
			rn.pipeline = pl->name;
			rn.sweep = sw->name;
			rn.trigger = trigger;
			rn.trigger_detail = o->trigger_detail;
			rn.user = pv.user;
			rn.host = pv.host;
			rn.git_commit = pv.vi.in_repo && pv.vi.commit[0] ? pv.vi.commit : NULL;
			rn.git_branch = pv.vi.in_repo ? pv.vi.branch : NULL;
			rn.git_dirty = pv.vi.in_repo ? pv.vi.dirty : -1;
			rn.note = o->note;
			rn.parallel = sw->parallel;
			rn.no_cache = o->no_cache;
			rc = store_run_enqueue(st, &rn, NULL, 0, &res->id, err);
			for (size_t i = 0; i < npts && rc == 0; i++) {
				struct strv all = {0};
				int64_t child;
				for (size_t k = 0; k < overrides->n; k++)
					strv_push(&all, overrides->v[k]);
				for (size_t k = 0; k < points[i].n; k++)
					strv_push(&all, points[i].v[k]);
				rc = queue_one(st, spec, pl, &all, o, &pv, "sweep", res->id, &child, err);
				strv_free(&all);
				res->children++;
			}
			pipeline_sweep_points_free(points, npts);
		}
	}
	if (rc == 0 && !o->in_tx)
		rc = store_commit(st, err);
	vcs_info_free(&pv.vi);
	if (rc < 0) {
		if (!o->in_tx)
			store_rollback(st);
		return -1;
	}
	res->pipeline = pl;
	res->sweep = sw;
	return o->no_wake || o->in_tx ? 0 : exec_ensure(p, err);
}
