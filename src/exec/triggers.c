/* triggers.c - schedules and monitors, looked at from the executor's loop.
 *
 * Each schedule keeps its state in the store (schedule_state): the last
 * minute a cron line was matched against, the branch tip last seen, and for
 * a watched path every file seen (watch_file).  The first look at a git
 * branch or a watched path only records what is there: a trigger fires on
 * a change, not on the executor's start.  A run queued here carries its
 * trigger (schedule, commit, data) and the cause in its trigger detail.
 */
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mlwb/artifacts.h"
#include "mlwb/exec.h"
#include "mlwb/monitor.h"
#include "mlwb/pipeline.h"
#include "mlwb/util.h"
#include "mlwb/vcs.h"

#include "triggers.h"

#define GIT_EVERY_MS 3000
#define WATCH_EVERY_MS 2000
#define MONITOR_EVERY_MS 2000

struct triggers {
	const struct project *p;
	triggers_log_fn log;
	void *arg;
	struct spec *spec;
	struct timespec spec_mtime;
	bool spec_seen, spec_bad;
	int64_t next_tick, next_git, next_watch, next_monitor;
	pid_t monitor_pid;
	int keep_fd;
	/* per window monitor: "name\tmtime\tsize\twindow" last looked at */
	struct strv window_sigs;
};

static void logf_(struct triggers *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct triggers *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (t->log)
		t->log(t->arg, msg);
	free(msg);
}

struct triggers *triggers_new(const struct project *p, triggers_log_fn log, void *arg, int keep_fd)
{
	struct triggers *t = xcalloc(1, sizeof(*t));
	t->keep_fd = keep_fd;
	t->p = p;
	t->log = log;
	t->arg = arg;
	return t;
}

void triggers_free(struct triggers *t)
{
	if (!t)
		return;
	pipeline_spec_free(t->spec);
	strv_free(&t->window_sigs);
	free(t);
}

bool triggers_any(const struct triggers *t)
{
	return t->spec && (t->spec->n_schedules || t->spec->n_monitors);
}

static void reload_spec(struct triggers *t)
{
	struct stat sb;
	if (stat(t->p->yaml, &sb) < 0) {
		if (t->spec)
			logf_(t, "mlwb.yaml is gone: no schedules or monitors");
		pipeline_spec_free(t->spec);
		t->spec = NULL;
		t->spec_seen = false;
		return;
	}
	if (t->spec_seen && sb.st_mtim.tv_sec == t->spec_mtime.tv_sec && sb.st_mtim.tv_nsec == t->spec_mtime.tv_nsec)
		return;
	t->spec_seen = true;
	t->spec_mtime = sb.st_mtim;
	struct spec *spec;
	struct diags d;
	if (pipeline_spec_load(t->p->yaml, "mlwb.yaml", &spec, &d) < 0) {
		char *first = d.n ? diags_format(&d, 0) : xstrdup("mlwb.yaml: cannot be read");
		logf_(t, "%s (keeping the schedules and monitors read before)", first);
		free(first);
		diags_free(&d);
		return;
	}
	diags_free(&d);
	pipeline_spec_free(t->spec);
	t->spec = spec;
	if (spec->n_schedules || spec->n_monitors)
		logf_(t, "watching %zu schedule(s) and %zu monitor(s) of mlwb.yaml", spec->n_schedules,
		      spec->n_monitors);
}

/* Queues the schedule's run; records the state either way. */
static int64_t fire(struct triggers *t, struct store *st, const struct schedule_spec *sc, const char *trigger,
		    const char *detail)
{
	struct launch_opts lo = {
		.pipeline = sc->run.pipeline,
		.overrides = &sc->run.params,
		.trigger = trigger,
		.trigger_detail = detail,
		.no_wake = true,
	};
	struct launch_result res;
	struct err err;
	if (exec_launch(t->p, st, t->spec, &lo, &res, &err) < 0) {
		logf_(t, "schedule %s: cannot queue %s: %s", sc->name, sc->run.pipeline, err.msg);
		return 0;
	}
	logf_(t, "schedule %s: queued run %lld of %s (%s)", sc->name, (long long)res.id, sc->run.pipeline, detail);
	return res.id;
}

static bool tick_cron(struct triggers *t, struct store *st, const struct schedule_spec *sc, int64_t now)
{
	char *value, buf[32];
	int64_t fired, run = 0, minute = now / 60000;
	struct err err;
	long last;
	if (store_schedule_get(st, sc->name, &value, &fired, &err) < 0)
		return false;
	bool started = value && str_to_long(value, &last);
	free(value);
	if (started && last >= minute)
		return false;
	if (started) {
		/* every minute since the last look (a day at most), fired once */
		int64_t first = last + 1 < minute - 1440 ? minute - 1440 : last + 1, match = 0;
		for (int64_t m = first; m <= minute; m++) {
			time_t ts = (time_t)(m * 60);
			struct tm tm;
			localtime_r(&ts, &tm);
			if (cron_matches(&sc->cron, &tm))
				match = m;
		}
		if (match) {
			char when[32];
			time_format_local(match * 60000, when, sizeof(when));
			char *detail = xasprintf("schedule %s: cron \"%s\" at %s", sc->name, sc->what, when);
			run = fire(t, st, sc, "schedule", detail);
			free(detail);
		}
	} /* else the first look only starts the clock */
	snprintf(buf, sizeof(buf), "%lld", (long long)minute);
	store_schedule_set(st, sc->name, "cron", buf, run ? now : 0, run, &err);
	return run != 0;
}

static bool tick_git(struct triggers *t, struct store *st, const struct schedule_spec *sc, int64_t now)
{
	char sha[41], *summary, *value;
	int64_t fired;
	struct err err;
	if (vcs_branch_tip(t->p->root, sc->what, sha, &summary, &err) < 0 || !sha[0]) {
		free(summary);
		return false;
	}
	if (store_schedule_get(st, sc->name, &value, &fired, &err) < 0) {
		free(summary);
		return false;
	}
	int64_t run = 0;
	if (value && strcmp(value, sha) != 0) {
		char *detail = xasprintf("schedule %s: %s moved to %.7s %s", sc->name, sc->what, sha,
					 summary ? summary : "");
		run = fire(t, st, sc, "commit", detail);
		free(detail);
	}
	if (!value || run || strcmp(value, sha) != 0)
		store_schedule_set(st, sc->name, "git", sha, run ? now : 0, run, &err);
	free(value);
	free(summary);
	return run != 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool tick_watch(struct triggers *t, struct store *st, const struct schedule_spec *sc, int64_t now)
{
	struct strv files = {0}, known = {0};
	struct err err;
	char *value;
	int64_t fired;
	bool queued = false;
	if (store_schedule_get(st, sc->name, &value, &fired, &err) < 0)
		return false;
	char *abs = path_join(t->p->root, sc->what);
	if (path_exists(abs) && artifacts_list_files(t->p->root, sc->what, &files, &err) < 0)
		logf_(t, "schedule %s: %s", sc->name, err.msg);
	free(abs);
	if (store_watch_files(st, sc->name, &known, &err) < 0)
		goto out;
	if (known.n)
		qsort(known.v, known.n, sizeof(char *), cmp_str);
	struct strv fresh = {0};
	for (size_t i = 0; i < files.n; i++) {
		char *path = path_join(t->p->root, files.v[i]);
		struct stat sb;
		if (stat(path, &sb) == 0) {
			int64_t mtime = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
			char *sig = xasprintf("%s\t%lld\t%lld", files.v[i], (long long)mtime, (long long)sb.st_size);
			if (!known.n || !bsearch(&sig, known.v, known.n, sizeof(char *), cmp_str)) {
				strv_push(&fresh, files.v[i]);
				store_watch_file_set(st, sc->name, files.v[i], mtime, (int64_t)sb.st_size, &err);
			}
			free(sig);
		}
		free(path);
	}
	if (!value) {
		/* the first look: what is there now is the baseline */
		store_schedule_set(st, sc->name, "watch", "watching", 0, 0, &err);
	} else if (fresh.n) {
		char *detail = fresh.n == 1 ? xasprintf("schedule %s: new file %s", sc->name, fresh.v[0])
					    : xasprintf("schedule %s: new file %s (and %zu more)", sc->name,
							fresh.v[0], fresh.n - 1);
		int64_t run = fire(t, st, sc, "data", detail);
		free(detail);
		store_schedule_set(st, sc->name, "watch", "watching", run ? now : 0, run, &err);
		queued = run != 0;
	}
	strv_free(&fresh);
out:
	free(value);
	strv_free(&files);
	strv_free(&known);
	return queued;
}

/* Evaluates every monitor's new batches in a fresh process, `mlwb monitor
 * run --log` with its output going to the executor's log: SQLite wants no
 * connection carried across a fork, and a new program starts clean. */
static pid_t spawn_monitors(struct triggers *t)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char *argv[] = {"mlwb", "monitor", "run", "--log", NULL};
	char *env_dir = xasprintf("MLWB_DIR=%s", t->p->root);
	extern char **environ;
	size_t n = 0;
	while (environ[n])
		n++;
	char **envp = xcalloc(n + 2, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "MLWB_DIR=", 9) != 0)
			envp[k++] = environ[i];
	envp[k++] = env_dir;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, t->p->root);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (t->keep_fd >= 0) {
		posix_spawn_file_actions_adddup2(&fa, t->keep_fd, 1);
		posix_spawn_file_actions_adddup2(&fa, t->keep_fd, 2);
	} else {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	fflush(NULL);
	int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	free(env_dir);
	if (rc != 0) {
		logf_(t, "monitors: cannot start mlwb monitor run: %s", strerror(rc));
		return 0;
	}
	return pid;
}

/* Are batches waiting?  Files of a glob are counted against the store; a
 * window monitor's file is read again only when it changed. */
static bool monitors_waiting(struct triggers *t, struct store *st)
{
	bool any = false;
	for (size_t i = 0; i < t->spec->n_monitors; i++) {
		const struct monitor_spec *m = &t->spec->monitors[i];
		struct err err;
		if (m->window_column) {
			char *path = path_join(t->p->root, m->current);
			struct stat sb;
			if (stat(path, &sb) == 0) {
				char *sig = xasprintf("%s\t%lld.%09ld\t%lld\t%lld", m->name, (long long)sb.st_mtim.tv_sec,
						      sb.st_mtim.tv_nsec, (long long)sb.st_size,
						      (long long)(time_now_ms() / m->window_ms));
				/* one remembered signature per monitor */
				size_t j = 0, len = strlen(m->name);
				while (j < t->window_sigs.n && (strncmp(t->window_sigs.v[j], m->name, len) != 0 ||
								 t->window_sigs.v[j][len] != '\t'))
					j++;
				if (j == t->window_sigs.n) {
					strv_push(&t->window_sigs, sig);
					any = true;
				} else if (strcmp(t->window_sigs.v[j], sig) != 0) {
					free(t->window_sigs.v[j]);
					t->window_sigs.v[j] = xstrdup(sig);
					any = true;
				}
				free(sig);
			}
			free(path);
			continue;
		}
		size_t pending;
		if (monitor_pending(t->p, st, m, &pending, &err) == 0 && pending)
			any = true;
	}
	return any;
}

bool triggers_tick(struct triggers *t, struct store *st, int64_t now)
{
	bool queued = false;
	if (now < t->next_tick)
		return false;
	t->next_tick = now + 500;
	reload_spec(t);
	if (!t->spec)
		return false;
	bool git_due = now >= t->next_git, watch_due = now >= t->next_watch;
	if (git_due)
		t->next_git = now + GIT_EVERY_MS;
	if (watch_due)
		t->next_watch = now + WATCH_EVERY_MS;
	for (size_t i = 0; i < t->spec->n_schedules; i++) {
		const struct schedule_spec *sc = &t->spec->schedules[i];
		if (sc->kind == SCHEDULE_CRON)
			queued |= tick_cron(t, st, sc, now);
		else if (sc->kind == SCHEDULE_GIT && git_due)
			queued |= tick_git(t, st, sc, now);
		else if (sc->kind == SCHEDULE_WATCH && watch_due)
			queued |= tick_watch(t, st, sc, now);
	}
	if (t->spec->n_monitors && !t->monitor_pid && now >= t->next_monitor) {
		t->next_monitor = now + MONITOR_EVERY_MS;
		if (monitors_waiting(t, st))
			t->monitor_pid = spawn_monitors(t);
	}
	return queued;
}

bool triggers_reaped(struct triggers *t, pid_t pid, int status)
{
	if (!t || pid != t->monitor_pid)
		return false;
	t->monitor_pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		t->next_monitor = time_now_ms() + 30000; /* a failing batch: look again later */
	return true;
}
