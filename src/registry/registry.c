/* registry.c - gates, registration and promotion rules. */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlwb/expr.h"
#include "mlwb/jsonw.h"
#include "mlwb/registry.h"
#include "mlwb/util.h"

const char *registry_user(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *u = getenv("USER");

	return pw ? pw->pw_name : u ? u : "unknown";
}

struct gate_ctx {
	struct store *st;
	const char *model;
	struct run_info run;
	struct run_info holders[4];
	char *holder_names[4];
	bool holder_missing[4];
	size_t n_holders;
	struct sbuf seen; /* "auc=0.91, production.auc=0.88" */
	char buf[64];
	struct err *err;
	bool failed;
};

static const char *metric_text(struct gate_ctx *c, const struct run_info *r, const char *name)
{
	for (size_t i = 0; i < r->n_metrics; i++)
		if (!strcmp(r->metrics[i].name, name)) {
			snprintf(c->buf, sizeof(c->buf), "%.17g", r->metrics[i].last);
			return c->buf;
		}
	return NULL;
}

static void note(struct gate_ctx *c, const char *name, const char *value)
{
	char v[40];
	double d;

	if (strstr(sbuf_str(&c->seen), name))
		return;
	if (str_to_double(value, &d))
		json_format_double(d, v, sizeof(v));
	else
		snprintf(v, sizeof(v), "%s", value);
	sbuf_printf(&c->seen, "%s%s=%s", c->seen.len ? ", " : "", name, v);
}

static const char *resolve(void *arg, const char *name)
{
	struct gate_ctx *c = arg;
	const char *dot = strchr(name, '.');
	const char *v = NULL;

	if (str_startswith(name, "params.")) {
		for (size_t i = 0; i < c->run.n_params; i++)
			if (!strcmp(c->run.params[i].name, name + 7))
				v = c->run.params[i].value;
	} else if (dot && !str_startswith(name, "metrics.")) {
		/* STAGE.METRIC: the metric of the run behind the stage's holder */
		char *stage = xstrndup(name, (size_t)(dot - name));
		size_t k;
		for (k = 0; k < c->n_holders; k++)
			if (!strcmp(c->holder_names[k], stage))
				break;
		if (k == c->n_holders && k < 4) {
			int version;
			int64_t run;
			c->holder_names[k] = xstrdup(stage);
			c->holder_missing[k] = true;
			if (store_model_stage_holder(c->st, c->model, stage, &version, &run, c->err) == 0 && version &&
			    store_run_get(c->st, run, &c->holders[k], c->err) == 0)
				c->holder_missing[k] = false;
			c->n_holders++;
		}
		free(stage);
		if (k >= c->n_holders)
			return NULL;
		if (c->holder_missing[k]) {
			note(c, name, "none");
			return expr_vacuous;
		}
		v = metric_text(c, &c->holders[k], dot + 1);
	} else {
		v = metric_text(c, &c->run, str_startswith(name, "metrics.") ? name + 8 : name);
	}
	if (v)
		note(c, name, v);
	return v;
}

int registry_gate(struct store *st, const char *model, int64_t run, const char *gate, bool *passed,
		  char **reason, struct err *err)
{
	struct expr *e;
	struct gate_ctx c;

	if (expr_parse(gate, &e, err) < 0) {
		err_prefix(err, "gate \"%s\"", gate);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.model = model;
	c.err = err;
	sbuf_init(&c.seen);
	if (store_run_get(st, run, &c.run, err) < 0) {
		expr_free(e);
		return -1;
	}
	int r = expr_eval(e, resolve, NULL, &c, err);
	if (r < 0) {
		/* an unknown name: say which metrics there are */
		struct sbuf names;
		sbuf_init(&names);
		for (size_t i = 0; i < c.run.n_metrics; i++)
			sbuf_printf(&names, "%s%s", i ? ", " : "", c.run.metrics[i].name);
		err_prefix(err, "gate \"%s\"", gate);
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, " (run %lld has metrics: %s)", (long long)run,
			 names.len ? sbuf_str(&names) : "none");
		sbuf_free(&names);
	} else {
		*passed = r == 1;
		*reason = xasprintf("%s: %s (%s)", r ? "passed" : "failed", gate, sbuf_str(&c.seen));
	}
	expr_free(e);
	store_run_info_free(&c.run);
	for (size_t k = 0; k < c.n_holders; k++) {
		store_run_info_free(&c.holders[k]);
		free(c.holder_names[k]);
	}
	sbuf_free(&c.seen);
	return r < 0 ? -1 : 0;
}

static bool valid_stage(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

int registry_register(struct store *st, const char *model, int64_t run, const char *artifact,
		      const char *gate, const char *promote_to, const char *user, struct registered *out,
		      struct err *err)
{
	int64_t aid = 0;
	bool passed = true;
	char *path = path_normalize(artifact);

	memset(out, 0, sizeof(*out));
	out->gate_passed = -1;
	if (promote_to && (!valid_stage(promote_to) || !strcmp(promote_to, "archived"))) {
		free(path);
		return err_set(err, "cannot promote to \"%s\": a stage is a word such as staging, production or champion",
			       promote_to);
	}
	if (store_artifact_find(st, run, path, &aid, err) < 0) {
		free(path);
		return -1;
	}
	if (!aid) {
		err_set(err, "run %lld has no output artifact %s (its outs are listed by `mlwb show %lld`)",
			(long long)run, path, (long long)run);
		free(path);
		return -1;
	}
	free(path);
	if (gate && *gate) {
		if (registry_gate(st, model, run, gate, &passed, &out->gate_reason, err) < 0)
			return -1;
		out->gate_passed = passed;
	}
	/* the task that produced the artifact */
	struct artifact_row *arts;
	size_t na;
	int64_t task = 0;
	if (store_run_artifacts(st, run, &arts, &na, err) == 0) {
		for (size_t i = 0; i < na; i++)
			if (arts[i].id == aid && arts[i].role && !strcmp(arts[i].role, "output") && arts[i].task) {
				struct task_info *ts;
				size_t nt;
				if (store_task_list(st, run, &ts, &nt, err) == 0) {
					for (size_t k = 0; k < nt; k++)
						if (!strcmp(ts[k].name, arts[i].task))
							task = ts[k].id;
					store_task_list_free(ts, nt);
				}
			}
		store_artifacts_free(arts, na);
	}
	if (store_begin(st, err) < 0)
		return -1;
	int rc = store_model_add_version(st, model, aid, run, task, user, gate, out->gate_passed, out->gate_reason,
					 &out->version, err);
	if (rc == 0 && passed && promote_to) {
		char *why = xasprintf("registered from run %lld%s%s", (long long)run, gate ? ", gate " : "",
				      gate ? "passed" : "");
		rc = store_model_set_stage(st, model, out->version, promote_to, user, why, err);
		free(why);
		if (rc == 0)
			out->promoted_to = xstrdup(promote_to);
	}
	if (rc == 0)
		rc = store_commit(st, err);
	if (rc < 0) {
		store_rollback(st);
		registry_registered_free(out);
	}
	return rc;
}

void registry_registered_free(struct registered *r)
{
	free(r->gate_reason);
	free(r->promoted_to);
	r->gate_reason = r->promoted_to = NULL;
}

int registry_promote(struct store *st, const char *model, int version, const char *stage,
		     const char *reason, bool force, const char *user, struct err *err)
{
	struct model_version_row *v;
	size_t n;

	if (!valid_stage(stage))
		return err_set(err, "\"%s\" is not a stage: use staging, production, archived or an alias word", stage);
	if (store_model_versions(st, model, version, &v, &n, err) < 0)
		return -1;
	if (!n) {
		store_model_versions_free(v, n);
		return err_set(err, "model %s has no version %d", model, version);
	}
	if (!force && strcmp(stage, "archived")) {
		if (v[0].gate_passed == 0) {
			err_setc(err, 1, "%s version %d failed its gate (%s); --force promotes it anyway", model, version,
				 v[0].gate_reason ? v[0].gate_reason : v[0].gate);
			store_model_versions_free(v, n);
			return -1;
		}
		if (v[0].archived) {
			err_setc(err, 1, "%s version %d is archived; --force brings it back", model, version);
			store_model_versions_free(v, n);
			return -1;
		}
	}
	store_model_versions_free(v, n);
	return store_model_set_stage(st, model, version, stage, user, reason, err);
}

int registry_resolve(struct store *st, const char *spec, struct model_version_row **row, struct err *err)
{
	char *name = xstrdup(spec);
	char *at = strchr(name, '@');
	int version = 0;
	long v;
	int64_t run;
	struct model_version_row *rows;
	size_t n;

	*row = NULL;
	if (at) {
		*at++ = '\0';
		if (str_to_long(at, &v) && v > 0) {
			version = (int)v;
		} else if (store_model_stage_holder(st, name, at, &version, &run, err) < 0) {
			free(name);
			return -1;
		} else if (!version) {
			err_set(err, "no version of %s holds %s", name, at);
			free(name);
			return -1;
		}
	} else if (store_model_stage_holder(st, name, "production", &version, &run, err) < 0) {
		free(name);
		return -1;
	}
	int rc = store_model_versions(st, name, version, &rows, &n, err);
	free(name);
	if (rc < 0)
		return -1;
	if (!n) {
		store_model_versions_free(rows, n);
		return err_set(err, "%s: no such version", spec);
	}
	/* the newest when no version and no production: keep rows[0], and let
	 * the store free the rest (an emptied row frees nothing) */
	*row = xcalloc(1, sizeof(**row));
	**row = rows[0];
	memset(&rows[0], 0, sizeof(rows[0]));
	store_model_versions_free(rows, n);
	return 0;
}
