/* cmd_exec.c - `mlwb executor`, `mlwb cancel`, `mlwb logs`, `mlwb log`,
 * `mlwb metrics`: the commands around the executor. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "mlwb/exec.h"
#include "mlwb/jsonw.h"

/* ---- mlwb executor start|stop|status ---- */

int cmd_executor(int argc, char **argv)
{
	const char *action = argc > 1 ? argv[1] : NULL;
	struct project p;
	struct err err;
	int rc;

	if (!action || (strcmp(action, "start") && strcmp(action, "stop") && strcmp(action, "status")))
		return cli_usage_error("executor", "expected start, stop or status");
	bool foreground = false, now = false;
	const char *idle = NULL, *val;
	for (int i = 2; i < argc; i++) {
		int m;
		if (!strcmp(argv[i], "--foreground") && !strcmp(action, "start"))
			foreground = true;
		else if (!strcmp(argv[i], "--now") && !strcmp(action, "stop"))
			now = true;
		else if ((m = cli_opt("executor", argc, argv, &i, "--idle", &val)) != 0) {
			if (m < 0)
				return 2;
			idle = val;
		} else
			return cli_usage_error("executor", "unexpected argument %s", argv[i]);
	}
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	if (!path_exists(p.db) && project_make_dirs(&p, &err) < 0) {
		rc = cli_report(&err);
		goto out;
	}
	if (!strcmp(action, "status")) {
		struct exec_state s;
		struct store *st;
		struct queue_counts qc = {0};
		exec_probe(&p, &s);
		if ((rc = cli_open_store(&p, &st)) != 0)
			goto out;
		store_queue_counts(st, &qc, &err);
		store_close(st);
		if (s.running) {
			char up[32];
			time_format_duration(time_now_ms() - s.started, up, sizeof(up));
			printf("executor running: pid %d, up %s, %d task%s running, %d run%s queued, %d running\n",
			       s.pid, up, qc.running_tasks, qc.running_tasks == 1 ? "" : "s", qc.queued_runs,
			       qc.queued_runs == 1 ? "" : "s", qc.running_runs);
		} else {
			printf("executor not running; %d run%s queued (`mlwb executor start` or `mlwb run` starts it)\n",
			       qc.queued_runs, qc.queued_runs == 1 ? "" : "s");
		}
	} else if (!strcmp(action, "stop")) {
		if (exec_stop(&p, now, now ? 10000 : 2000, &err) < 0)
			rc = cli_report(&err);
		else
			printf("executor stopped\n");
	} else if (foreground) {
		struct exec_config c;
		const char *wl = getenv("MLWB_EXECUTOR_WAIT_LOCK");
		long wait_ms = 0;
		exec_config_default(&c);
		c.foreground = true;
		if (idle && !pipeline_parse_duration(idle, &c.idle_ms)) {
			exec_config_free(&c);
			rc = cli_usage_error("executor", "--idle needs a duration such as 90s or 10m");
			goto out;
		}
		if (wl)
			str_to_long(wl, &wait_ms);
		int r = exec_serve(&p, &c, wait_ms, &err);
		if (r != 0)
			rc = cli_report(&err);
		exec_config_free(&c);
	} else {
		struct exec_state s;
		exec_probe(&p, &s);
		if (s.running) {
			printf("executor already running (pid %d)\n", s.pid);
		} else if (idle) {
			rc = cli_usage_error("executor", "--idle goes with --foreground; set MLWB_EXECUTOR_IDLE for a background executor");
		} else if (exec_ensure(&p, &err) < 0) {
			rc = cli_report(&err);
		} else {
			for (int i = 0; i < 100 && !s.running; i++) {
				usleep(20000);
				exec_probe(&p, &s);
			}
			if (s.running)
				printf("executor started (pid %d), logging to .mlwb/executor.log\n", s.pid);
			else
				rc = cli_error(1, "the executor did not start; see .mlwb/executor.log");
		}
	}
out:
	project_free(&p);
	return rc;
}

/* ---- mlwb cancel RUN ---- */

int cmd_cancel(int argc, char **argv)
{
	struct project p;
	struct store *st;
	struct err err;
	int64_t id;
	int rc;

	if (argc != 2)
		return cli_usage_error("cancel", "give one run id");
	if ((rc = cli_open_run("cancel", argv[1], &p, &st, &id)) != 0)
		return rc;
	if (store_run_request_cancel(st, id, &err) < 0)
		rc = cli_report(&err);
	store_close(st);
	if (rc == 0 && exec_ensure(&p, &err) < 0)
		rc = cli_report(&err);
	if (rc == 0)
		printf("run %lld: cancel requested\n", (long long)id);
	project_free(&p);
	return rc;
}

/* ---- mlwb logs RUN [TASK] [-f] ---- */

static off_t copy_from(const char *path, off_t off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[1 << 16];
	ssize_t n;

	if (fd < 0)
		return off;
	if (lseek(fd, off, SEEK_SET) < 0) {
		close(fd);
		return off;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		off += n;
	}
	close(fd);
	fflush(stdout);
	return off;
}

int cmd_logs(int argc, char **argv)
{
	const char *id_text = NULL, *task = NULL;
	bool follow = false;
	struct project p;
	struct store *st;
	struct err err;
	int64_t id;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--follow"))
			follow = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("logs", "unknown option %s", argv[i]);
		else if (!id_text)
			id_text = argv[i];
		else if (!task)
			task = argv[i];
		else
			return cli_usage_error("logs", "too many arguments");
	}
	if ((rc = cli_open_run("logs", id_text, &p, &st, &id)) != 0)
		return rc;
	if (task) {
		struct task_info *tl;
		size_t nt;
		bool known = false;
		if (store_task_list(st, id, &tl, &nt, &err) == 0) {
			for (size_t i = 0; i < nt; i++)
				known = known || !strcmp(tl[i].name, task);
			store_task_list_free(tl, nt);
		}
		if (!known) {
			rc = cli_error(2, "run %lld has no task \"%s\"", (long long)id, task);
			goto out_store;
		}
	}
	/* Print every attempt's log once, in order; with -f keep printing
	 * what is appended until the run is over. */
	struct {
		int64_t id;
		off_t off;
	} *seen = NULL;
	size_t n_seen = 0;
	for (;;) {
		struct attempt_row *v;
		size_t n;
		if (store_attempts(st, id, task, &v, &n, &err) < 0) {
			rc = cli_report(&err);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			size_t k;
			for (k = 0; k < n_seen && seen[k].id != v[i].id; k++)
				;
			if (k == n_seen) {
				seen = xrealloc(seen, (n_seen + 1) * sizeof(*seen));
				seen[n_seen].id = v[i].id;
				seen[n_seen].off = 0;
				n_seen++;
				if (!task || n > 1)
					printf("==> %s attempt %d <==\n", v[i].task, v[i].number);
			}
			if (v[i].log_path)
				seen[k].off = copy_from(v[i].log_path, seen[k].off);
		}
		store_attempts_free(v, n);
		if (!follow)
			break;
		struct run_info r2;
		if (store_run_get(st, id, &r2, &err) < 0)
			break;
		bool over = !strcmp(r2.status, "succeeded") || !strcmp(r2.status, "failed") ||
			    !strcmp(r2.status, "cancelled");
		store_run_info_free(&r2);
		if (over) {
			/* one last pass picks up the final lines */
			if (store_attempts(st, id, task, &v, &n, &err) == 0) {
				for (size_t i = 0; i < n; i++)
					for (size_t k = 0; k < n_seen; k++)
						if (seen[k].id == v[i].id && v[i].log_path)
							seen[k].off = copy_from(v[i].log_path, seen[k].off);
				store_attempts_free(v, n);
			}
			break;
		}
		usleep(100000);
	}
	if (!n_seen && !follow)
		fprintf(stderr, "mlwb: run %lld has no logs yet (%s)\n", (long long)id,
			task ? "the task has not started" : "no task has started");
	free(seen);
out_store:
	store_close(st);
	project_free(&p);
	return rc;
}

/* ---- mlwb log metric|param|tag|artifact ... ---- */

int cmd_log(int argc, char **argv)
{
	const char *fdtext = getenv("MLWB_FD");
	long fd;

	if (argc < 2)
		return cli_usage_error("log", "expected metric, param, tag or artifact");
	const char *verb = argv[1];
	struct sbuf line;
	sbuf_init(&line);
	if (!strcmp(verb, "metric")) {
		double v;
		long step;
		if (argc != 4 && argc != 5)
			return cli_usage_error("log", "metric NAME VALUE [STEP]");
		if (strpbrk(argv[2], " \t\n") || !*argv[2])
			return cli_usage_error("log", "a metric name is one word, got \"%s\"", argv[2]);
		if (!str_to_double(argv[3], &v) && strcmp(argv[3], "nan") && strcmp(argv[3], "inf") &&
		    strcmp(argv[3], "-inf"))
			return cli_usage_error("log", "\"%s\" is not a number", argv[3]);
		if (argc == 5 && !str_to_long(argv[4], &step))
			return cli_usage_error("log", "the step must be an integer, got \"%s\"", argv[4]);
		sbuf_printf(&line, "metric %s %s%s%s\n", argv[2], argv[3], argc == 5 ? " " : "",
			    argc == 5 ? argv[4] : "");
	} else if (!strcmp(verb, "param") || !strcmp(verb, "tag")) {
		if (argc < 4)
			return cli_usage_error("log", "%s NAME VALUE", verb);
		if (strpbrk(argv[2], " \t\n") || !*argv[2])
			return cli_usage_error("log", "a %s name is one word, got \"%s\"", verb, argv[2]);
		sbuf_printf(&line, "%s %s", verb, argv[2]);
		for (int i = 3; i < argc; i++)
			sbuf_printf(&line, " %s", argv[i]);
		for (char *c = line.buf; *c; c++)
			if (*c == '\n')
				*c = ' ';
		sbuf_putc(&line, '\n');
	} else if (!strcmp(verb, "artifact")) {
		if (argc != 3 && argc != 4)
			return cli_usage_error("log", "artifact PATH [KIND]");
		sbuf_printf(&line, "artifact %s%s%s\n", argv[2], argc == 4 ? " " : "", argc == 4 ? argv[3] : "");
	} else {
		return cli_usage_error("log", "expected metric, param, tag or artifact, got \"%s\"", verb);
	}
	if (!fdtext || !str_to_long(fdtext, &fd) || fd < 0 || fcntl((int)fd, F_GETFD) < 0) {
		sbuf_free(&line);
		return cli_error(2, "mlwb log works inside a run (MLWB_FD is not set); nothing was logged");
	}
	ssize_t w = write((int)fd, line.buf, line.len);
	sbuf_free(&line);
	if (w < 0)
		return cli_error(1, "cannot write to MLWB_FD: %s", strerror(errno));
	return 0;
}

/* ---- mlwb metrics RUN [NAME] ---- */

struct metrics_out {
	enum out_format fmt;
	struct jsonw w;
	size_t n;
};

static int metric_row_out(void *arg, const struct metric_row *r)
{
	struct metrics_out *o = arg;
	char t[40], v[40];

	time_format_iso(r->time, t, sizeof(t));
	if (o->fmt == FMT_JSON) {
		jsonw_obj_begin(&o->w);
		jsonw_key(&o->w, "name");
		jsonw_str(&o->w, r->name);
		jsonw_key(&o->w, "step");
		jsonw_int(&o->w, r->step);
		jsonw_key(&o->w, "value");
		jsonw_double(&o->w, r->value);
		jsonw_key(&o->w, "time");
		jsonw_str(&o->w, t);
		jsonw_key(&o->w, "task");
		jsonw_str(&o->w, r->task);
		jsonw_obj_end(&o->w);
		/* keep memory flat for millions of points */
		if (o->w.out.len > (1 << 20)) {
			fputs(sbuf_str(&o->w.out), stdout);
			sbuf_reset(&o->w.out);
		}
	} else {
		if (isfinite(r->value))
			json_format_double(r->value, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "%s", isnan(r->value) ? "nan" : r->value > 0 ? "inf" : "-inf");
		if (o->fmt == FMT_CSV)
			printf("%s,%lld,%s,%s,%s\n", r->name, (long long)r->step, v, t, r->task ? r->task : "");
		else
			printf("%-20s %8lld  %-14s %s  %s\n", r->name, (long long)r->step, v, t,
			       r->task ? r->task : "-");
	}
	o->n++;
	return 0;
}

int cmd_metrics(int argc, char **argv)
{
	const char *id_text = NULL, *name = NULL, *val;
	struct metrics_out o;
	struct project p;
	struct store *st;
	struct err err;
	int64_t id;
	int rc;

	memset(&o, 0, sizeof(o));
	for (int i = 1; i < argc; i++) {
		int m = cli_opt("metrics", argc, argv, &i, "--format", &val);
		if (m < 0)
			return 2;
		if (m) {
			if (cli_parse_format("metrics", val, &o.fmt))
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("metrics", "unknown option %s", argv[i]);
		} else if (!id_text) {
			id_text = argv[i];
		} else if (!name) {
			name = argv[i];
		} else {
			return cli_usage_error("metrics", "too many arguments");
		}
	}
	if ((rc = cli_open_run("metrics", id_text, &p, &st, &id)) != 0)
		return rc;
	if (o.fmt == FMT_JSON) {
		jsonw_init(&o.w, true);
		jsonw_arr_begin(&o.w);
	} else if (o.fmt == FMT_CSV) {
		printf("name,step,value,time,task\n");
	} else {
		printf("%-20s %8s  %-14s %-24s  %s\n", "NAME", "STEP", "VALUE", "TIME", "TASK");
	}
	if (store_metric_points(st, id, name, metric_row_out, &o, &err) < 0) {
		rc = cli_report(&err);
	} else if (o.fmt == FMT_JSON) {
		jsonw_arr_end(&o.w);
		jsonw_flush(&o.w, stdout);
	}
	if (o.fmt == FMT_JSON)
		jsonw_free(&o.w);
	store_close(st);
	project_free(&p);
	return rc;
}
