/* cmd_ci.c - `mlwb ci`: a pipeline run to the end in the foreground, with
 * a summary for CI systems; `mlwb hooks`: the git post-commit hook. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mlwb/exec.h"
#include "mlwb/registry.h"
#include "mlwb/vcs.h"

/* The model versions a run registered. */
struct reg_row {
	char *model;
	int version;
	int gate_passed;
	char *gate, *reason, *stages;
};

static size_t run_versions(struct store *st, int64_t run, struct reg_row **out)
{
	struct model_row *m;
	size_t nm, n = 0;
	struct err err;

	*out = NULL;
	if (store_models(st, &m, &nm, &err) < 0)
		return 0;
	for (size_t i = 0; i < nm; i++) {
		struct model_version_row *v;
		size_t nv;
		if (store_model_versions(st, m[i].name, 0, &v, &nv, &err) < 0)
			continue;
		for (size_t k = nv; k-- > 0;)
			if (v[k].run == run) {
				*out = xrealloc(*out, (n + 1) * sizeof(**out));
				struct reg_row *r = &(*out)[n++];
				r->model = xstrdup(v[k].model);
				r->version = v[k].version;
				r->gate_passed = v[k].gate_passed;
				r->gate = v[k].gate ? xstrdup(v[k].gate) : NULL;
				r->reason = v[k].gate_reason ? xstrdup(v[k].gate_reason) : NULL;
				r->stages = v[k].stages ? xstrdup(v[k].stages) : NULL;
			}
		store_model_versions_free(v, nv);
	}
	store_models_free(m, nm);
	return n;
}

static void free_versions(struct reg_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].model);
		free(v[i].gate);
		free(v[i].reason);
		free(v[i].stages);
	}
	free(v);
}

static void xml_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc(' ', f); /* not allowed in XML 1.0 */
			else
				fputc(*s, f);
		}
	}
}

static double secs(int64_t from, int64_t to)
{
	return from && to ? (double)(to - from) / 1000.0 : 0;
}

/* The end of a task's last log, for a JUnit failure. */
static char *log_tail(struct store *st, int64_t run, const char *task)
{
	struct attempt_row *a;
	size_t n;
	struct err err;
	char *text = NULL, *out = NULL;
	size_t len;

	if (store_attempts(st, run, task, &a, &n, &err) < 0 || !n)
		return NULL;
	if (a[n - 1].log_path && file_read_all(a[n - 1].log_path, &text, &len, &err) == 0) {
		out = xstrdup(len > 2000 ? text + len - 2000 : text);
		free(text);
	}
	store_attempts_free(a, n);
	return out;
}

static int write_reports(struct store *st, const struct run_info *r, const struct task_info *t, size_t nt,
			 const struct reg_row *v, size_t nv, const char *junit, const char *md, struct err *err)
{
	int failures = 0;

	for (size_t i = 0; i < nt; i++)
		failures += strcmp(t[i].status, "succeeded") && strcmp(t[i].status, "cached");
	for (size_t i = 0; i < nv; i++)
		failures += v[i].gate_passed == 0;
	if (junit) {
		FILE *f = fopen(junit, "w");
		if (!f)
			return err_setc(err, 1, "cannot write %s: %s", junit, strerror(errno));
		fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		fprintf(f, "<testsuites name=\"mlwb ci\" tests=\"%zu\" failures=\"%d\">\n", nt + nv, failures);
		fprintf(f, "  <testsuite name=\"mlwb.");
		xml_escape(f, r->pipeline);
		fprintf(f, "\" tests=\"%zu\" failures=\"%d\" time=\"%.3f\">\n", nt + nv, failures, secs(r->started, r->finished));
		for (size_t i = 0; i < nt; i++) {
			fprintf(f, "    <testcase classname=\"mlwb.%s.tasks\" name=\"", r->pipeline);
			xml_escape(f, t[i].name);
			fprintf(f, "\" time=\"%.3f\"", secs(t[i].started, t[i].finished));
			if (!strcmp(t[i].status, "succeeded") || !strcmp(t[i].status, "cached")) {
				fprintf(f, "/>\n");
				continue;
			}
			char msg[128];
			if (t[i].exit_code > 0)
				snprintf(msg, sizeof(msg), "%s (exit %d)", t[i].status, t[i].exit_code);
			else
				snprintf(msg, sizeof(msg), "%s%s%s", t[i].status, t[i].reason ? ": " : "", t[i].reason ? t[i].reason : "");
			fprintf(f, ">\n      <failure message=\"");
			xml_escape(f, msg);
			fprintf(f, "\">");
			char *tail = log_tail(st, r->id, t[i].name);
			xml_escape(f, tail);
			free(tail);
			fprintf(f, "</failure>\n    </testcase>\n");
		}
		for (size_t i = 0; i < nv; i++) {
			fprintf(f, "    <testcase classname=\"mlwb.%s.gates\" name=\"", r->pipeline);
			xml_escape(f, v[i].model);
			fprintf(f, " version %d", v[i].version);
			fprintf(f, "\"");
			if (v[i].gate_passed != 0) {
				fprintf(f, "/>\n");
				continue;
			}
			fprintf(f, ">\n      <failure message=\"");
			xml_escape(f, v[i].reason);
			fprintf(f, "\"/>\n    </testcase>\n");
		}
		fprintf(f, "  </testsuite>\n</testsuites>\n");
		if (fclose(f) != 0)
			return err_setc(err, 1, "cannot write %s: %s", junit, strerror(errno));
	}
	if (md) {
		FILE *f = fopen(md, "w");
		if (!f)
			return err_setc(err, 1, "cannot write %s: %s", md, strerror(errno));
		fprintf(f, "## mlwb ci: pipeline `%s`, run %lld %s\n\n", r->pipeline, (long long)r->id,
			!strcmp(r->status, "succeeded") ? "succeeded" : r->status);
		if (r->git_commit)
			fprintf(f, "Commit `%.10s` on `%s`%s.\n\n", r->git_commit, r->git_branch ? r->git_branch : "(detached)",
				r->git_dirty > 0 ? " (with uncommitted changes)" : "");
		fprintf(f, "| task | status | attempts | duration |\n|---|---|---|---|\n");
		for (size_t i = 0; i < nt; i++)
			fprintf(f, "| %s | %s%s | %d | %.1fs |\n", t[i].name,
				!strcmp(t[i].status, "succeeded") || !strcmp(t[i].status, "cached") ? "" : "**", t[i].status,
				t[i].attempts, secs(t[i].started, t[i].finished));
		if (r->n_metrics) {
			fprintf(f, "\n| metric | last | min | max |\n|---|---|---|---|\n");
			for (size_t i = 0; i < r->n_metrics; i++)
				fprintf(f, "| %s | %.6g | %.6g | %.6g |\n", r->metrics[i].name, r->metrics[i].last,
					r->metrics[i].min, r->metrics[i].max);
		}
		if (nv) {
			fprintf(f, "\n| model | version | gate | stages |\n|---|---|---|---|\n");
			for (size_t i = 0; i < nv; i++)
				fprintf(f, "| %s | %d | %s | %s |\n", v[i].model, v[i].version,
					v[i].reason ? v[i].reason : "-", v[i].stages ? v[i].stages : "-");
		}
		if (fclose(f) != 0)
			return err_setc(err, 1, "cannot write %s: %s", md, strerror(errno));
	}
	return 0;
}

int cmd_ci(int argc, char **argv)
{
	struct launch_opts o;
	struct launch_result res;
	struct strv overrides = {0};
	const char *junit = NULL, *md = NULL, *val;
	struct project p;
	struct spec *spec = NULL;
	struct store *st = NULL;
	struct err err;
	int rc = 2, m;

	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		if ((m = cli_opt("ci", argc, argv, &i, "-p", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			strv_push(&overrides, val);
		} else if ((m = cli_opt("ci", argc, argv, &i, "--junit", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			junit = val;
		} else if ((m = cli_opt("ci", argc, argv, &i, "--markdown", &val)) != 0) {
			if (m < 0)
				goto out_opts;
			md = val;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			rc = cli_usage_error("ci", "unknown option %s", argv[i]);
			goto out_opts;
		} else if (o.pipeline) {
			rc = cli_usage_error("ci", "one pipeline at a time");
			goto out_opts;
		} else {
			o.pipeline = argv[i];
		}
	}
	o.overrides = &overrides;
	o.trigger = "ci";
	o.no_wake = true;
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
	printf("mlwb ci: run %lld of pipeline %s\n", (long long)res.id, res.pipeline->name);
	fflush(stdout);
	/* Be the executor until the queue is empty; if one already runs for
	 * this project, let it do the work and wait. */
	struct exec_config cfg;
	exec_config_default(&cfg);
	cfg.idle_ms = 1;
	int served = exec_serve(&p, &cfg, 0, &err);
	exec_config_free(&cfg);
	char status[32] = "";
	if (served == 1)
		exec_wake(&p);
	else if (served < 0) {
		rc = cli_report(&err);
		goto out_store;
	}
	for (;;) {
		if (store_run_status(st, res.id, status, sizeof(status), &err) < 0)
			break;
		if (strcmp(status, "queued") && strcmp(status, "running"))
			break;
		usleep(100000);
	}
	struct run_info r;
	struct task_info *t = NULL;
	size_t nt = 0;
	if (store_run_get(st, res.id, &r, &err) < 0 || store_task_list(st, res.id, &t, &nt, &err) < 0) {
		rc = cli_report(&err);
		goto out_store;
	}
	struct reg_row *v;
	size_t nv = run_versions(st, res.id, &v);
	printf("\n%-20s %-16s %8s  %s\n", "TASK", "STATUS", "DURATION", "");
	for (size_t i = 0; i < nt; i++) {
		char du[32] = "-";
		if (t[i].started)
			time_format_duration(t[i].finished - t[i].started, du, sizeof(du));
		printf("%-20s %-16s %8s  %s%s\n", t[i].name, t[i].status, du,
		       t[i].exit_code > 0 ? "exit " : "", t[i].exit_code > 0 ? "" : "");
	}
	if (r.n_metrics) {
		printf("\n%-24s %12s\n", "METRIC", "LAST");
		for (size_t i = 0; i < r.n_metrics; i++) {
			char b[40];
			fmt_number(r.metrics[i].last, b, sizeof(b));
			printf("%-24s %12s\n", r.metrics[i].name, b);
		}
	}
	bool gates_ok = true;
	if (nv) {
		printf("\n");
		for (size_t i = 0; i < nv; i++) {
			printf("model %s version %d registered%s%s; %s\n", v[i].model, v[i].version,
			       v[i].stages ? ", now " : "", v[i].stages ? v[i].stages : "",
			       v[i].reason ? v[i].reason : "no gate");
			gates_ok = gates_ok && v[i].gate_passed != 0;
		}
	}
	bool ok = !strcmp(r.status, "succeeded") && gates_ok;
	char el[32];
	time_format_duration(r.finished - (r.started ? r.started : r.created), el, sizeof(el));
	printf("\nrun %lld %s in %s%s\n", (long long)r.id, r.status, el,
	       !gates_ok ? "; a gate failed" : "");
	if (write_reports(st, &r, t, nt, v, nv, junit, md, &err) < 0)
		rc = cli_report(&err);
	else
		rc = ok ? 0 : 1;
	free_versions(v, nv);
	store_task_list_free(t, nt);
	store_run_info_free(&r);
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

/* ---- hooks ---- */

#define HOOK_BEGIN "# >>> mlwb: queue a run on every commit (`mlwb hooks uninstall` removes this block) >>>"
#define HOOK_END "# <<< mlwb <<<"

/* The hook file with our block taken out. */
static char *without_block(const char *text)
{
	struct sbuf sb;
	bool in = false;

	sbuf_init(&sb);
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (!strncmp(l, HOOK_BEGIN, strlen(HOOK_BEGIN)))
			in = true;
		else if (in && !strncmp(l, HOOK_END, strlen(HOOK_END)))
			in = false;
		else if (!in) {
			sbuf_add(&sb, l, n);
			sbuf_putc(&sb, '\n');
		}
		l = nl ? nl + 1 : NULL;
	}
	return sbuf_detach(&sb);
}

static bool only_shebang(const char *s)
{
	if (str_startswith(s, "#!"))
		s = strchr(s, '\n') ? strchr(s, '\n') : "";
	for (; *s; s++)
		if (*s != '\n' && *s != ' ' && *s != '\t')
			return false;
	return true;
}

static void shell_quote_to(struct sbuf *sb, const char *s)
{
	sbuf_putc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_puts(sb, "'\\''");
		else
			sbuf_putc(sb, *s);
	}
	sbuf_putc(sb, '\'');
}

int cmd_hooks(int argc, char **argv)
{
	const char *action = argc > 1 ? argv[1] : NULL;
	const char *pipeline = argc > 2 ? argv[2] : NULL;
	struct project p;
	struct spec *spec = NULL;
	struct err err;
	int rc;

	if (!action || (strcmp(action, "install") && strcmp(action, "uninstall")) || argc > 3 ||
	    (!strcmp(action, "uninstall") && argc > 2))
		return cli_usage_error("hooks", "install [PIPELINE] or uninstall");
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	char *git = vcs_git_dir(p.root);
	if (!git) {
		project_free(&p);
		return cli_error(2, "%s is not in a git repository: there is no commit to hook", p.root);
	}
	char *hooks = path_join(git, "hooks");
	char *hook = path_join(hooks, "post-commit");
	char *text = NULL;
	if (path_exists(hook) && file_read_all(hook, &text, NULL, &err) < 0) {
		rc = cli_report(&err);
		goto out;
	}
	char *rest = without_block(text ? text : "");
	if (!strcmp(action, "uninstall")) {
		if (!text || !strstr(text, HOOK_BEGIN)) {
			printf("no mlwb hook in %s; nothing changed\n", hook);
		} else if (only_shebang(rest)) {
			unlink(hook);
			printf("removed %s (it held only the mlwb hook)\n", hook);
		} else if (file_write_atomic(hook, rest, strlen(rest), &err) < 0) {
			rc = cli_report(&err);
		} else {
			chmod(hook, 0755);
			printf("removed the mlwb block from %s\n", hook);
		}
		free(rest);
		goto out;
	}
	if ((rc = cli_load_spec(&p, &spec)) != 0) {
		free(rest);
		goto out;
	}
	if (!pipeline && spec->n_pipelines == 1)
		pipeline = spec->pipelines[0].name;
	if (!pipeline || !pipeline_find(spec, pipeline)) {
		rc = cli_error(2, "%s: give one of the pipelines of mlwb.yaml", pipeline ? "no such pipeline" : "which pipeline?");
		free(rest);
		goto out;
	}
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	struct sbuf sb;
	sbuf_init(&sb);
	if (!str_startswith(rest, "#!"))
		sbuf_puts(&sb, "#!/bin/sh\n");
	sbuf_puts(&sb, rest);
	if (sb.len && sb.buf[sb.len - 1] != '\n')
		sbuf_putc(&sb, '\n');
	sbuf_puts(&sb, HOOK_BEGIN "\nMLWB_DIR=");
	shell_quote_to(&sb, p.root);
	sbuf_puts(&sb, " ");
	shell_quote_to(&sb, n > 0 ? exe : "mlwb");
	sbuf_puts(&sb, " run ");
	shell_quote_to(&sb, pipeline);
	sbuf_puts(&sb, " --trigger commit >/dev/null 2>&1 || true\n" HOOK_END "\n");
	free(rest);
	if (path_mkdirs(hooks, &err) < 0 || file_write_atomic(hook, sb.buf, sb.len, &err) < 0) {
		rc = cli_report(&err);
	} else {
		chmod(hook, 0755);
		printf("installed %s: every commit queues a run of %s (trigger commit)\n", hook, pipeline);
	}
	sbuf_free(&sb);
out:
	free(text);
	free(hook);
	free(hooks);
	free(git);
	pipeline_spec_free(spec);
	project_free(&p);
	return rc;
}
