/* cmd_models.c - `mlwb models list|show|versions|history|register|promote|
 * archive|export`: the model registry from the command line. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlwb/artifacts.h"
#include "mlwb/jsonw.h"
#include "mlwb/registry.h"

static void version_json(struct jsonw *w, const struct model_version_row *v)
{
	char t[40];

	jsonw_obj_begin(w);
	jsonw_key(w, "model");
	jsonw_str(w, v->model);
	jsonw_key(w, "version");
	jsonw_int(w, v->version);
	jsonw_key(w, "stages");
	jsonw_arr_begin(w);
	if (v->stages) {
		char *copy = xstrdup(v->stages), *save = NULL;
		for (char *s = strtok_r(copy, ", ", &save); s; s = strtok_r(NULL, ", ", &save))
			jsonw_str(w, s);
		free(copy);
	}
	jsonw_arr_end(w);
	jsonw_key(w, "archived");
	jsonw_bool(w, v->archived);
	jsonw_key(w, "run");
	jsonw_int(w, v->run);
	jsonw_key(w, "task");
	jsonw_str(w, v->task_name);
	jsonw_key(w, "artifact");
	jsonw_obj_begin(w);
	jsonw_key(w, "path");
	jsonw_str(w, v->path);
	jsonw_key(w, "sha256");
	jsonw_str(w, v->sha256);
	jsonw_key(w, "size");
	jsonw_int(w, v->size);
	jsonw_obj_end(w);
	time_format_iso(v->created, t, sizeof(t));
	jsonw_key(w, "created");
	jsonw_str(w, t);
	jsonw_key(w, "user");
	jsonw_str(w, v->user);
	jsonw_key(w, "gate");
	jsonw_str(w, v->gate);
	jsonw_key(w, "gate_passed");
	if (v->gate_passed < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, v->gate_passed);
	jsonw_key(w, "gate_reason");
	jsonw_str(w, v->gate_reason);
	jsonw_obj_end(w);
}

static void versions_table(const struct model_version_row *v, size_t n)
{
	static const char *const head[] = {"VERSION", "STAGES", "RUN", "TASK", "CREATED", "GATE"};
	struct table t;
	char when[40];

	table_init(&t, 6, head);
	table_set_right(&t, 0);
	table_set_right(&t, 2);
	for (size_t i = 0; i < n; i++) {
		table_addf(&t, "%d", v[i].version);
		table_add(&t, v[i].archived ? "archived" : v[i].stages);
		table_addf(&t, "%lld", (long long)v[i].run);
		table_add(&t, v[i].task_name);
		time_format_local(v[i].created, when, sizeof(when));
		table_add(&t, when);
		table_add(&t, v[i].gate_passed < 0 ? NULL : v[i].gate_reason);
	}
	table_print(&t, stdout, "");
	table_free(&t);
}

static int models_list(struct store *st, enum out_format fmt, struct err *err)
{
	struct model_row *m;
	size_t n;

	if (store_models(st, &m, &n, err) < 0)
		return -1;
	if (fmt == FMT_JSON) {
		struct jsonw w;
		jsonw_init(&w, true);
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < n; i++) {
			jsonw_obj_begin(&w);
			jsonw_key(&w, "name");
			jsonw_str(&w, m[i].name);
			jsonw_key(&w, "versions");
			jsonw_int(&w, m[i].versions);
			jsonw_key(&w, "production");
			if (m[i].production)
				jsonw_int(&w, m[i].production);
			else
				jsonw_null(&w);
			jsonw_key(&w, "staging");
			if (m[i].staging)
				jsonw_int(&w, m[i].staging);
			else
				jsonw_null(&w);
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
		jsonw_flush(&w, stdout);
		jsonw_free(&w);
	} else if (!n && fmt == FMT_TABLE) {
		printf("no models yet: a task registers one with register: {model: NAME, artifact: PATH}, or `mlwb models register`\n");
	} else {
		static const char *const head[] = {"MODEL", "VERSIONS", "PRODUCTION", "STAGING"};
		struct table t;
		table_init(&t, 4, head);
		for (size_t i = 0; i < n; i++) {
			table_add(&t, m[i].name);
			table_addf(&t, "%d", m[i].versions);
			if (m[i].production)
				table_addf(&t, "%d", m[i].production);
			else
				table_add(&t, NULL);
			if (m[i].staging)
				table_addf(&t, "%d", m[i].staging);
			else
				table_add(&t, NULL);
		}
		if (fmt == FMT_CSV)
			table_print_csv(&t, stdout);
		else
			table_print(&t, stdout, "");
		table_free(&t);
	}
	store_models_free(m, n);
	return 0;
}

static int models_versions(struct store *st, const char *name, enum out_format fmt, bool show, struct err *err)
{
	struct model_version_row *v;
	size_t n;

	if (store_model_versions(st, name, 0, &v, &n, err) < 0)
		return -1;
	if (fmt == FMT_JSON) {
		struct jsonw w;
		jsonw_init(&w, true);
		if (show) {
			int prod = 0, stag = 0;
			int64_t run;
			store_model_stage_holder(st, name, "production", &prod, &run, err);
			store_model_stage_holder(st, name, "staging", &stag, &run, err);
			jsonw_obj_begin(&w);
			jsonw_key(&w, "name");
			jsonw_str(&w, name);
			jsonw_key(&w, "production");
			if (prod)
				jsonw_int(&w, prod);
			else
				jsonw_null(&w);
			jsonw_key(&w, "staging");
			if (stag)
				jsonw_int(&w, stag);
			else
				jsonw_null(&w);
			jsonw_key(&w, "versions");
		}
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < n; i++)
			version_json(&w, &v[i]);
		jsonw_arr_end(&w);
		if (show)
			jsonw_obj_end(&w);
		jsonw_flush(&w, stdout);
		jsonw_free(&w);
	} else {
		if (show)
			printf("model %s: %zu version%s\n\n", name, n, n == 1 ? "" : "s");
		versions_table(v, n);
	}
	store_model_versions_free(v, n);
	return 0;
}

static int models_history(struct store *st, const char *name, enum out_format fmt, struct err *err)
{
	struct stage_event *e;
	size_t n;
	char when[40];

	if (store_model_history(st, name, &e, &n, err) < 0)
		return -1;
	if (fmt == FMT_JSON) {
		struct jsonw w;
		jsonw_init(&w, true);
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < n; i++) {
			jsonw_obj_begin(&w);
			jsonw_key(&w, "version");
			jsonw_int(&w, e[i].version);
			jsonw_key(&w, "stage");
			jsonw_str(&w, e[i].stage);
			jsonw_key(&w, "action");
			jsonw_str(&w, e[i].action);
			jsonw_key(&w, "user");
			jsonw_str(&w, e[i].user);
			time_format_iso(e[i].time, when, sizeof(when));
			jsonw_key(&w, "time");
			jsonw_str(&w, when);
			jsonw_key(&w, "reason");
			jsonw_str(&w, e[i].reason);
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
		jsonw_flush(&w, stdout);
		jsonw_free(&w);
	} else {
		for (size_t i = 0; i < n; i++) {
			time_format_local(e[i].time, when, sizeof(when));
			printf("%s  version %d %s %s  by %s%s%s\n", when, e[i].version,
			       !strcmp(e[i].action, "set") ? "->" : "left", e[i].stage, e[i].user ? e[i].user : "?",
			       e[i].reason ? ": " : "", e[i].reason ? e[i].reason : "");
		}
	}
	store_stage_events_free(e, n);
	return 0;
}

static int models_export(const struct project *p, struct store *st, const char *spec, const char *dir,
			 struct err *err)
{
	struct model_version_row *v;

	if (!dir)
		return err_set(err, "export needs -o DIR");
	if (registry_resolve(st, spec, &v, err) < 0)
		return -1;
	const char *base = strrchr(v->path, '/') ? strrchr(v->path, '/') + 1 : v->path;
	char *objects = path_join(p->dir, "objects");
	char *obj = artifacts_object_path(objects, v->sha256);
	char *dest = path_join(dir, base);
	int rc = path_mkdirs(dir, err);
	if (rc == 0)
		rc = artifacts_copy_file(obj, dest, err);
	if (rc == 0)
		printf("%s version %d -> %s (%lld bytes, sha256 %.12s)\n", v->model, v->version, dest,
		       (long long)v->size, v->sha256);
	free(dest);
	free(obj);
	free(objects);
	store_model_versions_free(v, 1);
	return rc;
}

int cmd_models(int argc, char **argv)
{
	enum out_format fmt = FMT_TABLE;
	const char *action = argc > 1 ? argv[1] : "list";
	const char *val, *run_text = NULL, *artifact = NULL, *to = NULL, *reason = NULL, *out = NULL, *gate = NULL;
	struct strv pos = {0};
	bool force = false;
	struct project p;
	struct store *st;
	struct err err;
	int rc = 0, m;

	for (int i = 2; i < argc; i++) {
		if ((m = cli_opt("models", argc, argv, &i, "--format", &val)) != 0) {
			if (m < 0 || cli_parse_format("models", val, &fmt))
				goto usage;
		} else if ((m = cli_opt("models", argc, argv, &i, "--run", &val)) != 0) {
			if (m < 0)
				goto usage;
			run_text = val;
		} else if ((m = cli_opt("models", argc, argv, &i, "--artifact", &val)) != 0) {
			if (m < 0)
				goto usage;
			artifact = val;
		} else if ((m = cli_opt("models", argc, argv, &i, "--gate", &val)) != 0) {
			if (m < 0)
				goto usage;
			gate = val;
		} else if ((m = cli_opt("models", argc, argv, &i, "--to", &val)) != 0 ||
			   (m = cli_opt("models", argc, argv, &i, "--promote-to", &val)) != 0) {
			if (m < 0)
				goto usage;
			to = val;
		} else if ((m = cli_opt("models", argc, argv, &i, "--reason", &val)) != 0) {
			if (m < 0)
				goto usage;
			reason = val;
		} else if ((m = cli_opt("models", argc, argv, &i, "-o", &val)) != 0 ||
			   (m = cli_opt("models", argc, argv, &i, "--output", &val)) != 0) {
			if (m < 0)
				goto usage;
			out = val;
		} else if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			strv_free(&pos);
			return cli_usage_error("models", "unknown option %s", argv[i]);
		} else {
			strv_push(&pos, argv[i]);
		}
	}
	static const char *const actions[] = {"list", "show", "versions", "history", "register", "promote", "archive", "export"};
	bool known = false;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		known = known || !strcmp(action, actions[i]);
	if (!known) {
		strv_free(&pos);
		return cli_usage_error("models", "unknown action \"%s\" (list, show, versions, history, register, promote, archive, export)", action);
	}
	size_t need = !strcmp(action, "list") ? 0 : !strcmp(action, "promote") || !strcmp(action, "archive") ? 2 : 1;
	if (pos.n != need) {
		strv_free(&pos);
		return cli_usage_error("models", "%s takes %zu argument%s", action, need, need == 1 ? "" : "s");
	}
	long version = 0;
	if (need == 2 && (!str_to_long(pos.v[1], &version) || version < 1)) {
		rc = cli_usage_error("models", "a version is a positive number, got \"%s\"", pos.v[1]);
		strv_free(&pos);
		return rc;
	}
	if (!strcmp(action, "promote") && !to) {
		strv_free(&pos);
		return cli_usage_error("models", "promote needs --to STAGE (staging, production, or an alias)");
	}
	if ((rc = cli_find_project(&p)) != 0) {
		strv_free(&pos);
		return rc;
	}
	if ((rc = cli_open_store(&p, &st)) != 0)
		goto out_project;
	int r = 0;
	if (!strcmp(action, "list")) {
		r = models_list(st, fmt, &err);
	} else if (!strcmp(action, "show") || !strcmp(action, "versions")) {
		r = models_versions(st, pos.v[0], fmt, !strcmp(action, "show"), &err);
	} else if (!strcmp(action, "history")) {
		r = models_history(st, pos.v[0], fmt, &err);
	} else if (!strcmp(action, "promote") || !strcmp(action, "archive")) {
		r = registry_promote(st, pos.v[0], (int)version, !strcmp(action, "archive") ? "archived" : to, reason, force,
				     registry_user(), &err);
		if (r == 0)
			printf("%s version %ld %s\n", pos.v[0], version,
			       !strcmp(action, "archive") ? "archived" : to);
	} else if (!strcmp(action, "register")) {
		long run;
		struct registered reg;
		if (!run_text || !artifact || !str_to_long(run_text, &run) || run < 1) {
			rc = cli_usage_error("models", "register NAME --run RUN --artifact PATH [--gate EXPR] [--promote-to STAGE]");
			goto out_store;
		}
		r = registry_register(st, pos.v[0], run, artifact, gate, to, registry_user(), &reg, &err);
		if (r == 0) {
			if (fmt == FMT_JSON) {
				struct model_version_row *v;
				size_t n;
				if (store_model_versions(st, pos.v[0], reg.version, &v, &n, &err) == 0 && n) {
					struct jsonw w;
					jsonw_init(&w, true);
					version_json(&w, &v[0]);
					jsonw_flush(&w, stdout);
					jsonw_free(&w);
				}
				store_model_versions_free(v, n);
			} else {
				printf("registered %s version %d%s%s%s%s\n", pos.v[0], reg.version,
				       reg.gate_reason ? "; gate " : "", reg.gate_reason ? reg.gate_reason : "",
				       reg.promoted_to ? "; promoted to " : "", reg.promoted_to ? reg.promoted_to : "");
			}
			registry_registered_free(&reg);
		}
	} else if (!strcmp(action, "export")) {
		r = models_export(&p, st, pos.v[0], out, &err);
	}
	if (r < 0)
		rc = cli_report(&err);
out_store:
	store_close(st);
out_project:
	project_free(&p);
	strv_free(&pos);
	return rc;
usage:
	strv_free(&pos);
	return 2;
}
