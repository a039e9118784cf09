/* executor.c - the executor daemon: queue, scheduler, supervision, logging.
 *
 * One loop, single-threaded: poll() on the wake socket, a self-pipe that the
 * signal handlers write to, and the MLWB_FD pipe of every running job.  The
 * store is the source of truth; the loop keeps an in-memory copy of the
 * active runs' tasks so that scheduling needs no query per task, and writes
 * every state change through.  Metric points are buffered per job and
 * committed in one transaction at most every 100 ms.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mlwb/artifacts.h"
#include "mlwb/exec.h"
#include "mlwb/jsonw.h"
#include "mlwb/pipeline.h"
#include "mlwb/registry.h"
#include "mlwb/store.h"
#include "mlwb/util.h"
#include "mlwb/vcs.h"
#include "mlwb/version.h"

#include "triggers.h"
#include "workspace.h"

enum tstate { T_PENDING, T_RUNNING, T_RETRYING, T_SUCCEEDED, T_CACHED, T_FAILED, T_UPSTREAM_FAILED, T_CANCELLED };
static const char *const tstate_names[] = {"pending", "running", "retrying", "succeeded", "cached",
					   "failed", "upstream_failed", "cancelled"};

#define FLUSH_MS 100
#define FLUSH_POINTS 50000
#define MAX_BAD_NOTES 10

struct xout {
	char *path, *kind;
};

struct job;

struct xtask {
	struct exec_task_row row;
	enum tstate state;
	struct strv deps;
	struct xout *outs;
	size_t n_outs;
	struct strv metrics;
	size_t *up; /* indices into run->tasks */
	size_t n_up;
	struct job *job;
	int64_t next_at;
};

struct xrun {
	int64_t id, parent;
	int parallel; /* > 0: a sweep parent, which has no tasks of its own */
	bool loaded, started, finished, cancel, no_cache, seen;
	char *ws, *dir;
	struct xtask *tasks;
	size_t n;
};

struct job {
	pid_t pid;
	int fd; /* read end of MLWB_FD, -1 once closed */
	struct xrun *run;
	struct xtask *task;
	int64_t attempt;
	int number;
	int64_t started_ms, deadline_ms, kill_at_ms;
	double started_mono;
	const char *kill_reason; /* timeout cancelled lost; NULL: none */
	bool exited;
	int wstatus;
	struct rusage ru;
	struct sbuf line;
	int bad_lines;
	char *log_path;
	struct strv names; /* interned metric names */
	struct metric_point *pts;
	size_t n_pts, cap_pts;
	struct strv artifacts; /* "path\tkind" */
	int gpu_first, n_gpu;
	double cpu;
	int64_t mem;
};

struct executor {
	const struct project *p;
	dev_t dir_dev; /* the .mlwb folder this executor serves */
	ino_t dir_ino;
	double next_dir_check;
	const struct exec_config *cfg;
	struct store *st;
	char *objects;
	int lock_fd, wake_fd;
	struct xrun **runs; /* pointers: a job keeps its run across reallocs */
	size_t n_runs;
	struct job **jobs;
	size_t n_jobs;
	double cpu_used;
	int64_t mem_used;
	bool *gpu_used;
	int64_t last_flush;
	size_t buffered;
	int64_t data_version;
	bool need_sync;
	char boot_id[64];
	FILE *log;
	struct triggers *trig; /* schedules and monitors */
};

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_term, got_usr1, got_chld;

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a wake-up is pending anyway */
	}
	errno = saved;
}

/* ---- logging ---- */

static void xlog(struct executor *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xlog(struct executor *x, const char *fmt, ...)
{
	char when[32];
	va_list ap;

	time_format_local(time_now_ms(), when, sizeof(when));
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (x->log) {
		fprintf(x->log, "%s %s\n", when, msg);
		fflush(x->log);
	}
	if (x->cfg->foreground && x->log != stderr)
		fprintf(stderr, "%s %s\n", when, msg);
	free(msg);
}

/* ---- configuration ---- */

static void trig_log(void *arg, const char *msg)
{
	xlog(arg, "%s", msg);
}

static char *find_helper_dir(void)
{
	const char *env = getenv("MLWB_PYTHON_HELPER");
	char exe[4096];
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	static const char *const rel[] = {"../share/mlwb/python", "../src/python", "../../src/python"};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char *dir = path_join(exe, rel[i]);
		char *file = path_join(dir, "mlwb.py");
		bool ok = path_exists(file);
		free(file);
		if (ok) {
			char *real = realpath(dir, NULL);
			free(dir);
			return real;
		}
		free(dir);
	}
	return NULL;
}

static int count_gpus(void)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "nvidia", 6) && isdigit((unsigned char)e->d_name[6]))
			n++;
	closedir(d);
	return n;
}

static int64_t env_duration(const char *name, int64_t def)
{
	const char *v = getenv(name);
	int64_t ms;

	if (v && *v && pipeline_parse_duration(v, &ms))
		return ms;
	return def;
}

void exec_config_default(struct exec_config *c)
{
	const char *v;
	long n;

	memset(c, 0, sizeof(*c));
	c->idle_ms = env_duration("MLWB_EXECUTOR_IDLE", 10 * 60 * 1000);
	c->grace_ms = env_duration("MLWB_KILL_GRACE", 5000);
	c->backoff_ms = env_duration("MLWB_RETRY_BACKOFF", 1000);
	c->cpu = (double)sysconf(_SC_NPROCESSORS_ONLN);
	if ((v = getenv("MLWB_CPUS")) && str_to_long(v, &n) && n > 0)
		c->cpu = (double)n;
	c->mem = (int64_t)sysconf(_SC_PHYS_PAGES) * (int64_t)sysconf(_SC_PAGESIZE);
	if ((v = getenv("MLWB_MEM")))
		pipeline_parse_size(v, &c->mem);
	c->gpus = count_gpus();
	if ((v = getenv("MLWB_GPUS")) && str_to_long(v, &n) && n >= 0)
		c->gpus = (int)n;
	c->helper_dir = find_helper_dir();
}

void exec_config_free(struct exec_config *c)
{
	free(c->helper_dir);
	c->helper_dir = NULL;
}

/* ---- the lock, the pid file, the wake socket ---- */

static char *lock_path(const struct project *p)
{
	return path_join(p->dir, "executor.lock");
}

static char *pid_path(const struct project *p)
{
	return path_join(p->dir, "executor.pid");
}

/* An abstract unix socket: no file to go stale, no path length limit.  The
 * name holds the .mlwb folder's identity as well as its path, so that an
 * executor of a deleted project never answers for a new one at the same
 * place. */
static socklen_t wake_addr(const struct project *p, struct sockaddr_un *a)
{
	char hex[SHA256_HEX];
	struct stat st;

	memset(&st, 0, sizeof(st));
	stat(p->dir, &st);
	char *id = xasprintf("%s\n%llu:%llu", p->root, (unsigned long long)st.st_dev,
			     (unsigned long long)st.st_ino);
	artifacts_hash_buf(id, strlen(id), hex);
	free(id);
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "mlwb-executor-%.24s", hex);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

int exec_wake(const struct project *p)
{
	struct sockaddr_un a;
	socklen_t len = wake_addr(p, &a);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	int rc = sendto(fd, "w", 1, MSG_DONTWAIT, (struct sockaddr *)&a, len) == 1 ? 0 : -1;
	/* A full socket buffer means wake-ups are pending: as good as heard. */
	if (rc < 0 && (errno == EAGAIN || errno == ENOBUFS))
		rc = 0;
	close(fd);
	return rc;
}

int exec_probe(const struct project *p, struct exec_state *s)
{
	char *lp = lock_path(p), *pp = pid_path(p);
	int fd = open(lp, O_RDONLY | O_CLOEXEC);

	memset(s, 0, sizeof(*s));
	if (fd >= 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
			s->running = true;
		close(fd);
	}
	if (s->running) {
		FILE *f = fopen(pp, "r");
		long long started = 0;
		if (f) {
			if (fscanf(f, "%d %lld", &s->pid, &started) != 2)
				s->pid = 0;
			fclose(f);
		}
		s->started = started;
	}
	free(lp);
	free(pp);
	return 0;
}

int exec_ensure(const struct project *p, struct err *err)
{
	if (exec_wake(p) == 0)
		return 0;
	/* Nobody listening: start one, detached from this terminal and session
	 * so that it outlives a dropped SSH connection. */
	char *logp = path_join(p->dir, "executor.log");
	pid_t pid = fork();
	if (pid < 0) {
		free(logp);
		return err_setc(err, 1, "cannot start the executor: %s", strerror(errno));
	}
	if (pid == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		int in = open("/dev/null", O_RDONLY);
		int out = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		if (chdir(p->root) < 0)
			_exit(127);
		setenv("MLWB_DIR", p->root, 1);
		setenv("MLWB_EXECUTOR_WAIT_LOCK", "5000", 1);
		execl("/proc/self/exe", "mlwb", "executor", "start", "--foreground", (char *)NULL);
		_exit(127);
	}
	free(logp);
	int status;
	waitpid(pid, &status, 0);
	return 0;
}

int exec_stop(const struct project *p, bool now, int64_t wait_ms, struct err *err)
{
	struct exec_state s;

	exec_probe(p, &s);
	if (!s.running || s.pid <= 0)
		return err_setc(err, 1, "no executor is running for this project");
	if (kill(s.pid, now ? SIGUSR1 : SIGTERM) < 0)
		return err_setc(err, 1, "cannot signal the executor (pid %d): %s", s.pid, strerror(errno));
	double until = time_mono() + (double)wait_ms / 1000.0;
	while (time_mono() < until) {
		exec_probe(p, &s);
		if (!s.running)
			return 0;
		usleep(20000);
	}
	return err_setc(err, 1, "the executor (pid %d) is still finishing its running tasks; `mlwb executor stop --now` kills them",
			s.pid);
}

/* ---- in-memory runs ---- */

static struct xrun *find_run(struct executor *x, int64_t id)
{
	for (size_t i = 0; i < x->n_runs; i++)
		if (x->runs[i]->id == id)
			return x->runs[i];
	return NULL;
}

static void parse_task_json(struct xtask *t)
{
	json_error_t je;
	json_t *a;
	size_t i;
	json_t *v;

	if ((a = json_loads(t->row.deps, 0, &je))) {
		json_array_foreach(a, i, v)
			if (json_is_string(v))
				strv_push(&t->deps, json_string_value(v));
		json_decref(a);
	}
	if ((a = json_loads(t->row.metrics_files, 0, &je))) {
		json_array_foreach(a, i, v)
			if (json_is_string(v))
				strv_push(&t->metrics, json_string_value(v));
		json_decref(a);
	}
	if ((a = json_loads(t->row.outs, 0, &je))) {
		t->outs = xcalloc(json_array_size(a) + 1, sizeof(*t->outs));
		json_array_foreach(a, i, v) {
			const char *path = json_string_value(json_object_get(v, "path"));
			const char *kind = json_string_value(json_object_get(v, "kind"));
			if (!path)
				continue;
			t->outs[t->n_outs].path = xstrdup(path);
			t->outs[t->n_outs].kind = xstrdup(kind ? kind : "file");
			t->n_outs++;
		}
		json_decref(a);
	}
}

static enum tstate state_of(const char *s)
{
	for (int i = 0; i <= T_CANCELLED; i++)
		if (!strcmp(s, tstate_names[i]))
			return (enum tstate)i;
	return T_PENDING;
}

static void mark(struct executor *x, struct xtask *t, enum tstate s, const struct task_mark *extra)
{
	struct task_mark m = TASK_MARK_KEEP;
	struct err err;

	if (extra)
		m = *extra;
	m.status = tstate_names[s];
	t->state = s;
	if (store_task_mark(x->st, t->row.id, &m, &err) < 0)
		xlog(x, "task %lld: %s", (long long)t->row.id, err.msg);
}

/* Every task downstream of t, transitively, that has not run becomes
 * upstream_failed. */
static void cascade_failure(struct executor *x, struct xrun *r)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < r->n; i++) {
			struct xtask *t = &r->tasks[i];
			if (t->state != T_PENDING && t->state != T_RETRYING)
				continue;
			for (size_t u = 0; u < t->n_up; u++) {
				enum tstate us = r->tasks[t->up[u]].state;
				if (us == T_FAILED || us == T_UPSTREAM_FAILED || us == T_CANCELLED) {
					struct task_mark m = TASK_MARK_KEEP;
					m.finished = time_now_ms();
					mark(x, t, T_UPSTREAM_FAILED, &m);
					changed = true;
					break;
				}
			}
		}
	}
}

/* A task whose attempt ended without success: retry while attempts are
 * left (and the run is not being cancelled), else fail it. */
static void attempt_failed(struct executor *x, struct xrun *r, struct xtask *t, int exit_code,
			   const char *reason)
{
	struct task_mark m = TASK_MARK_KEEP;
	int64_t now = time_now_ms();

	m.exit_code = exit_code;
	m.reason = reason;
	if (!r->cancel && strcmp(reason, "cancelled") && t->row.attempts < t->row.max_attempts) {
		int64_t delay = x->cfg->backoff_ms;
		for (int i = 1; i < t->row.attempts && delay < 60000; i++)
			delay *= 2;
		if (delay > 60000)
			delay = 60000;
		t->next_at = now + delay;
		m.next_attempt = t->next_at;
		mark(x, t, T_RETRYING, &m);
		xlog(x, "run %lld: task %s will retry in %lldms (attempt %d of %d)", (long long)r->id,
		     t->row.name, (long long)delay, t->row.attempts + 1, t->row.max_attempts);
		return;
	}
	m.finished = now;
	mark(x, t, !strcmp(reason, "cancelled") ? T_CANCELLED : T_FAILED, &m);
	cascade_failure(x, r);
}

static int load_run(struct executor *x, struct xrun *r, struct err *err)
{
	struct exec_task_row *rows;
	size_t n;

	if (store_run_tasks(x->st, r->id, &rows, &n, err) < 0)
		return -1;
	r->tasks = xcalloc(n + 1, sizeof(*r->tasks));
	r->n = n;
	for (size_t i = 0; i < n; i++) {
		struct xtask *t = &r->tasks[i];
		t->row = rows[i];
		t->state = state_of(t->row.status);
		t->next_at = t->row.next_attempt;
		parse_task_json(t);
	}
	free(rows); /* the rows' strings now belong to the tasks */
	for (size_t i = 0; i < n; i++) {
		struct xtask *t = &r->tasks[i];
		t->up = xcalloc(t->row.n_up + 1, sizeof(*t->up));
		for (size_t u = 0; u < t->row.n_up; u++)
			for (size_t j = 0; j < n; j++)
				if (r->tasks[j].row.id == t->row.up[u])
					t->up[t->n_up++] = j;
	}
	/* A task recorded as running has no process now: its executor died
	 * (recover() marked the attempt lost). */
	for (size_t i = 0; i < n; i++)
		if (r->tasks[i].state == T_RUNNING)
			attempt_failed(x, r, &r->tasks[i], -1, "lost");
	r->loaded = true;
	return 0;
}

static void free_run(struct xrun *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct xtask *t = &r->tasks[i];
		struct exec_task_row *row = &t->row;
		free(row->name);
		free(row->cmd);
		free(row->status);
		free(row->deps);
		free(row->outs);
		free(row->metrics_files);
		free(row->up);
		strv_free(&t->deps);
		strv_free(&t->metrics);
		for (size_t o = 0; o < t->n_outs; o++) {
			free(t->outs[o].path);
			free(t->outs[o].kind);
		}
		free(t->outs);
		free(t->up);
	}
	free(r->tasks);
	free(r->ws);
	free(r->dir);
}

/* Reads the queue: new runs, cancel requests. */
static int sync_runs(struct executor *x, struct err *err)
{
	struct exec_run_row *rows;
	size_t n;

	if (store_active_runs(x->st, &rows, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct xrun *r = find_run(x, rows[i].id);
		if (!r) {
			x->runs = xrealloc(x->runs, (x->n_runs + 1) * sizeof(*x->runs));
			r = x->runs[x->n_runs++] = xcalloc(1, sizeof(*r));
			r->id = rows[i].id;
			r->parent = rows[i].parent;
			r->parallel = rows[i].parallel;
			r->no_cache = rows[i].no_cache;
			r->started = !strcmp(rows[i].status, "running");
			r->dir = xasprintf("%s/runs/%lld", x->p->dir, (long long)r->id);
			r->ws = rows[i].workspace ? xstrdup(rows[i].workspace) : path_join(r->dir, "ws");
		}
		if (rows[i].cancel_requested && !r->cancel) {
			r->cancel = true;
			xlog(x, "run %lld: cancel requested", (long long)r->id);
		}
	}
	store_exec_runs_free(rows, n);
	x->need_sync = false;
	return 0;
}

/* ---- starting a run ---- */

static int prepare_run(struct executor *x, struct xrun *r, struct err *err)
{
	struct strv inputs = {0}, products = {0};
	struct run_info ri;
	int rc = -1;

	for (size_t i = 0; i < r->n; i++) {
		struct xtask *t = &r->tasks[i];
		for (size_t d = 0; d < t->deps.n; d++)
			strv_push(&inputs, t->deps.v[d]);
		for (size_t o = 0; o < t->n_outs; o++)
			strv_push(&products, t->outs[o].path);
		for (size_t m = 0; m < t->metrics.n; m++)
			strv_push(&products, t->metrics.v[m]);
	}
	char *logs = path_join(r->dir, "logs");
	if (path_mkdirs(logs, err) < 0 || workspace_create(x->p->root, r->ws, &inputs, &products, err) < 0)
		goto out;
	if (store_run_get(x->st, r->id, &ri, err) < 0)
		goto out;
	char *pp = path_join(r->dir, "params.json");
	rc = workspace_write_params(pp, ri.params, ri.n_params, err);
	free(pp);
	store_run_info_free(&ri);
	if (rc == 0)
		rc = store_run_mark_started(x->st, r->id, r->ws, time_now_ms(), err);
	if (rc == 0) {
		r->started = true;
		xlog(x, "run %lld: started in %s", (long long)r->id, r->ws);
	}
out:
	free(logs);
	strv_free(&inputs);
	strv_free(&products);
	return rc;
}

/* ---- the cache ---- */

/* The key: the command, the run's params, the content of every input and
 * the declared outputs.  NULL when an input is missing (no caching then). */
static char *cache_key(struct executor *x, struct xrun *r, struct xtask *t)
{
	struct sbuf sb;
	struct run_info ri;
	struct err err;
	char hex[SHA256_HEX];

	if (store_run_get(x->st, r->id, &ri, &err) < 0)
		return NULL;
	sbuf_init(&sb);
	sbuf_printf(&sb, "mlwb-cache-1\ntask %s\ncmd %s\n", t->row.name, t->row.cmd);
	for (size_t i = 0; i < ri.n_params; i++)
		sbuf_printf(&sb, "param %s=%s\n", ri.params[i].name, ri.params[i].value);
	store_run_info_free(&ri);
	for (size_t i = 0; i < t->deps.n; i++) {
		char *p = t->deps.v[i][0] == '/' ? xstrdup(t->deps.v[i]) : path_join(r->ws, t->deps.v[i]);
		int rc = artifacts_hash_path(p, hex, &err);
		free(p);
		if (rc < 0) {
			sbuf_free(&sb);
			return NULL;
		}
		sbuf_printf(&sb, "dep %s %s\n", t->deps.v[i], hex);
	}
	for (size_t i = 0; i < t->n_outs; i++)
		sbuf_printf(&sb, "out %s %s\n", t->outs[i].path, t->outs[i].kind);
	for (size_t i = 0; i < t->metrics.n; i++)
		sbuf_printf(&sb, "metrics %s\n", t->metrics.v[i]);
	artifacts_hash_buf(sb.buf, sb.len, hex);
	sbuf_free(&sb);
	return xstrdup(hex);
}

/* Records the inputs a task consumed: the upstream task's output artifact
 * when a task of this run produced the path, else the file as it is. */
static void record_inputs(struct executor *x, struct xrun *r, struct xtask *t)
{
	struct err err;

	for (size_t i = 0; i < t->deps.n; i++) {
		const char *dep = t->deps.v[i];
		int64_t id = 0;
		if (store_artifact_find(x->st, r->id, dep, &id, &err) == 0 && id) {
			store_lineage_add(x->st, t->row.id, id, "input", &err);
			continue;
		}
		char *p = dep[0] == '/' ? xstrdup(dep) : path_join(r->ws, dep);
		char hex[SHA256_HEX];
		int64_t size = 0;
		struct stat st;
		if (stat(p, &st) == 0 && artifacts_hash_path(p, hex, &err) == 0) {
			size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : 0;
			if (store_artifact_add(x->st, r->id, 0, dep, hex, size, S_ISDIR(st.st_mode) ? "dir" : "data",
					       &id, &err) == 0)
				store_lineage_add(x->st, t->row.id, id, "input", &err);
		}
		free(p);
	}
}

static bool try_cache(struct executor *x, struct xrun *r, struct xtask *t, char **key_out)
{
	struct artifact_row *outs;
	size_t n;
	int64_t src = 0;
	struct err err;

	*key_out = NULL;
	if (r->no_cache || !t->row.cache || (!t->n_outs && !t->metrics.n))
		return false;
	char *key = cache_key(x, r, t);
	if (!key)
		return false;
	*key_out = key;
	if (store_cache_find(x->st, key, &src, &outs, &n, &err) < 0 || !src)
		return false;
	/* Every object must still be in the store. */
	bool ok = n > 0;
	for (size_t i = 0; i < n && ok; i++) {
		char *obj = artifacts_object_path(x->objects, outs[i].sha256);
		ok = path_exists(obj);
		free(obj);
	}
	if (ok && store_begin(x->st, &err) == 0) {
		for (size_t i = 0; i < n && ok; i++) {
			char *dest = path_join(r->ws, outs[i].path);
			int64_t id;
			ok = artifacts_restore(x->objects, outs[i].sha256, dest, &err) == 0 &&
			     store_artifact_add(x->st, r->id, t->row.id, outs[i].path, outs[i].sha256,
						outs[i].size, outs[i].kind, &id, &err) == 0 &&
			     store_lineage_add(x->st, t->row.id, id, "output", &err) == 0;
			free(dest);
		}
		if (ok)
			ok = store_metrics_copy(x->st, src, r->id, t->row.id, &err) == 0;
		if (ok) {
			record_inputs(x, r, t);
			int64_t now = time_now_ms();
			struct task_mark m = TASK_MARK_KEEP;
			m.cached = 1;
			m.cache_key = key;
			m.started = now;
			m.finished = now;
			m.exit_code = 0;
			mark(x, t, T_CACHED, &m);
			ok = store_commit(x->st, &err) == 0;
		}
		if (!ok) {
			store_rollback(x->st);
			t->state = T_PENDING;
			xlog(x, "run %lld: task %s: cache restore failed, running it: %s", (long long)r->id,
			     t->row.name, err.msg);
		}
	} else {
		ok = false;
	}
	store_artifacts_free(outs, n);
	if (ok)
		xlog(x, "run %lld: task %s restored from cache (task %lld)", (long long)r->id, t->row.name,
		     (long long)src);
	return ok;
}

/* ---- jobs ---- */

extern char **environ;

/* The job's environment: ours, with the MLWB_* variables set. */
static char **job_env(const struct strv *set)
{
	size_t n = 0;

	while (environ[n])
		n++;
	char **env = xcalloc(n + set->n + 1, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (size_t j = 0; j < set->n && !replaced; j++) {
			size_t len = strcspn(set->v[j], "=");
			replaced = !strncmp(environ[i], set->v[j], len + 1);
		}
		if (!replaced)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < set->n; j++)
		env[k++] = set->v[j];
	return env;
}

static int start_job(struct executor *x, struct xrun *r, struct xtask *t, struct err *err)
{
	int fds[2];
	int number = t->row.attempts + 1;
	char *log_path = xasprintf("%s/logs/%s.%d.log", r->dir, t->row.name, number);
	char *params = path_join(r->dir, "params.json");
	int logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);

	if (logfd < 0 || pipe2(fds, O_CLOEXEC) < 0) {
		err_setc(err, 1, "cannot create %s: %s", log_path, strerror(errno));
		if (logfd >= 0)
			close(logfd);
		free(log_path);
		free(params);
		return -1;
	}
	/* GPUs: the first free ones. */
	int gpu_first = -1, need = t->row.gpu;
	if (need > 0) {
		for (int g = 0; g + need <= x->cfg->gpus && gpu_first < 0; g++) {
			bool freeg = true;
			for (int k = 0; k < need; k++)
				freeg = freeg && !x->gpu_used[g + k];
			if (freeg)
				gpu_first = g;
		}
	}
	/* posix_spawn (a vfork underneath) rather than fork: copying the
	 * executor's page tables for every task was most of a no-op task's
	 * cost.  The child gets its own process group, the workspace as its
	 * directory, the log as stdout and stderr, the protocol pipe as fd 3. */
	struct strv set = {0};
	char *kv;
#define SETENV(...) (kv = xasprintf(__VA_ARGS__), strv_push(&set, kv), free(kv))
	SETENV("MLWB_RUN=%lld", (long long)r->id);
	SETENV("MLWB_TASK=%s", t->row.name);
	SETENV("MLWB_ATTEMPT=%d", number);
	SETENV("MLWB_PROJECT=%s", x->p->root);
	SETENV("MLWB_FD=3");
	SETENV("MLWB_PARAMS=%s", params);
	SETENV("MLWB_WORKSPACE=%s", r->ws);
	if (x->cfg->helper_dir) {
		const char *old = getenv("PYTHONPATH");
		if (old && *old)
			SETENV("PYTHONPATH=%s:%s", x->cfg->helper_dir, old);
		else
			SETENV("PYTHONPATH=%s", x->cfg->helper_dir);
	}
	if (need > 0) {
		struct sbuf sb;
		sbuf_init(&sb);
		for (int k = 0; k < need; k++)
			sbuf_printf(&sb, "%s%d", k ? "," : "", gpu_first + k);
		SETENV("CUDA_VISIBLE_DEVICES=%s", sbuf_str(&sb));
		sbuf_free(&sb);
	}
#undef SETENV
	char **env = job_env(&set);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGUSR1);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, r->ws);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, logfd, 1);
	posix_spawn_file_actions_adddup2(&fa, logfd, 2);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 3); /* clears close-on-exec on the copy */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	char *argv_[] = {"sh", "-c", t->row.cmd, NULL};
	pid_t pid;
	int serr = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv_, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	strv_free(&set);
	if (serr != 0) {
		err_setc(err, 1, "cannot start /bin/sh in %s: %s", r->ws, strerror(serr));
		close(logfd);
		close(fds[0]);
		close(fds[1]);
		free(log_path);
		free(params);
		return -1;
	}
	setpgid(pid, pid); /* also here: no race with an early kill */
	close(logfd);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);

	struct job *jb = xcalloc(1, sizeof(*jb));
	jb->pid = pid;
	jb->fd = fds[0];
	jb->run = r;
	jb->task = t;
	jb->number = number;
	jb->started_ms = time_now_ms();
	jb->started_mono = time_mono();
	jb->deadline_ms = t->row.timeout_ms > 0 ? jb->started_ms + t->row.timeout_ms : 0;
	jb->log_path = log_path;
	jb->cpu = t->row.cpu < x->cfg->cpu ? t->row.cpu : x->cfg->cpu;
	jb->mem = t->row.mem < x->cfg->mem ? t->row.mem : x->cfg->mem;
	jb->gpu_first = gpu_first;
	jb->n_gpu = need > 0 ? need : 0;
	sbuf_init(&jb->line);
	x->cpu_used += jb->cpu;
	x->mem_used += jb->mem;
	for (int k = 0; k < jb->n_gpu; k++)
		x->gpu_used[gpu_first + k] = true;
	x->jobs = xrealloc(x->jobs, (x->n_jobs + 1) * sizeof(*x->jobs));
	x->jobs[x->n_jobs++] = jb;
	t->job = jb;
	t->row.attempts = number;

	struct task_mark m = TASK_MARK_KEEP;
	m.started = jb->started_ms;
	m.next_attempt = 0;
	if (store_begin(x->st, err) == 0) {
		if (number == 1)
			record_inputs(x, r, t);
		store_attempt_begin(x->st, t->row.id, number, pid, x->boot_id, log_path, jb->started_ms,
				    &jb->attempt, err);
		mark(x, t, T_RUNNING, &m);
		store_commit(x->st, err);
	}
	free(params);
	xlog(x, "run %lld: task %s attempt %d started (pid %d)", (long long)r->id, t->row.name, number,
	     (int)pid);
	return 0;
}

/* Appends a note to the task's log, after whatever the job wrote. */
static void job_note(struct job *jb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void job_note(struct job *jb, const char *fmt, ...)
{
	FILE *f = fopen(jb->log_path, "a");
	va_list ap;

	if (!f)
		return;
	fputs("mlwb: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static const char *intern(struct job *jb, const char *name, size_t len)
{
	for (size_t i = 0; i < jb->names.n; i++)
		if (!strncmp(jb->names.v[i], name, len) && jb->names.v[i][len] == '\0')
			return jb->names.v[i];
	char *copy = xstrndup(name, len);
	strv_push(&jb->names, copy);
	free(copy);
	return jb->names.v[jb->names.n - 1];
}

static void add_point(struct executor *x, struct job *jb, const char *name, size_t nlen, double v,
		      int64_t step)
{
	XGROW(jb->pts, jb->n_pts, jb->cap_pts, 1024);
	struct metric_point *p = &jb->pts[jb->n_pts++];
	p->name = intern(jb, name, nlen);
	p->step = step;
	p->value = v;
	p->time = time_now_ms();
	p->task_id = jb->task->row.id;
	x->buffered++;
}

static void bad_line(struct job *jb, const char *line, size_t len, const char *why)
{
	jb->bad_lines++;
	if (jb->bad_lines <= MAX_BAD_NOTES)
		job_note(jb, "ignored a malformed line on MLWB_FD (%s): %.*s", why, (int)(len > 200 ? 200 : len),
			 line);
}

static bool is_word_char(char c)
{
	return c && c != ' ' && c != '\t';
}

static bool known_kind(const char *s, size_t n)
{
	static const char *const kinds[] = {"file", "data", "model", "metrics", "report"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i]) == n && !strncmp(kinds[i], s, n))
			return true;
	return false;
}

/* One line of the protocol: `metric NAME VALUE [STEP]`, `param NAME VALUE`,
 * `tag NAME VALUE`, `artifact PATH [KIND]`. */
static void protocol_line(struct executor *x, struct job *jb, char *line, size_t len)
{
	struct err err;

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (!len)
		return;
	char *sp = memchr(line, ' ', len);
	if (!sp)
		return bad_line(jb, line, len, "no arguments");
	size_t vlen = (size_t)(sp - line);
	char *a = sp + 1;
	while (*a == ' ')
		a++;
	char *ae = a;
	while (is_word_char(*ae))
		ae++;
	if (ae == a)
		return bad_line(jb, line, len, "no name");
	if (vlen == 6 && !strncmp(line, "metric", 6)) {
		char *v = ae;
		while (*v == ' ')
			v++;
		char *end;
		errno = 0;
		double val = strtod(v, &end);
		if (end == v || (*end && *end != ' '))
			return bad_line(jb, line, len, "the value is not a number");
		int64_t step = STORE_STEP_AUTO;
		char *s = end;
		while (*s == ' ')
			s++;
		if (*s) {
			char *se;
			long long st = strtoll(s, &se, 10);
			while (*se == ' ')
				se++;
			if (se == s || *se)
				return bad_line(jb, line, len, "the step is not an integer");
			step = st;
		}
		add_point(x, jb, a, (size_t)(ae - a), val, step);
	} else if ((vlen == 5 && !strncmp(line, "param", 5)) || (vlen == 3 && !strncmp(line, "tag", 3))) {
		char *name = xstrndup(a, (size_t)(ae - a));
		char *v = ae;
		while (*v == ' ')
			v++;
		if (vlen == 5)
			store_run_param_put(x->st, jb->run->id, name, v, &err);
		else
			store_tag_put(x->st, jb->run->id, name, v, &err);
		free(name);
	} else if (vlen == 8 && !strncmp(line, "artifact", 8)) {
		/* PATH may hold spaces; a last word naming a kind is the kind. */
		char *end = line + len;
		char *last = end;
		while (last > a && last[-1] != ' ')
			last--;
		char *path_end = end;
		const char *kind = "file";
		size_t kind_len = 4;
		if (last > a && known_kind(last, (size_t)(end - last))) {
			kind = last;
			kind_len = (size_t)(end - last);
			path_end = last;
			while (path_end > a && path_end[-1] == ' ')
				path_end--;
		}
		char *entry = xasprintf("%.*s\t%.*s", (int)(path_end - a), a, (int)kind_len, kind);
		strv_push(&jb->artifacts, entry);
		free(entry);
	} else {
		bad_line(jb, line, len, "unknown verb");
	}
}

/* Reads what the job wrote on MLWB_FD.  Returns false at end of file. */
static bool job_read(struct executor *x, struct job *jb)
{
	char buf[1 << 16];

	for (;;) {
		ssize_t n = read(jb->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return true; /* EAGAIN: nothing more for now */
		if (n == 0)
			return false;
		/* Whole lines straight from buf; a partial tail waits in jb->line. */
		size_t start = 0;
		for (size_t i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n')
				continue;
			if (jb->line.len) {
				sbuf_add(&jb->line, buf + start, i - start);
				protocol_line(x, jb, jb->line.buf, jb->line.len);
				sbuf_reset(&jb->line);
			} else {
				buf[i] = '\0';
				protocol_line(x, jb, buf + start, i - start);
			}
			start = i + 1;
		}
		if (start < (size_t)n)
			sbuf_add(&jb->line, buf + start, (size_t)n - start);
		if (jb->line.len > (1 << 20)) {
			bad_line(jb, jb->line.buf, jb->line.len, "a line over 1 MiB");
			sbuf_reset(&jb->line);
		}
	}
}

static void job_close_pipe(struct executor *x, struct job *jb)
{
	if (jb->fd < 0)
		return;
	job_read(x, jb);
	if (jb->line.len) { /* a last line without a newline */
		protocol_line(x, jb, jb->line.buf, jb->line.len);
		sbuf_reset(&jb->line);
	}
	close(jb->fd);
	jb->fd = -1;
}

/* Commits every buffered point, one transaction for all jobs. */
static void flush_points(struct executor *x)
{
	struct err err;

	x->last_flush = time_now_ms();
	if (!x->buffered)
		return;
	if (store_begin(x->st, &err) < 0) {
		xlog(x, "cannot store metrics: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < x->n_jobs; i++) {
		struct job *jb = x->jobs[i];
		if (!jb->n_pts)
			continue;
		if (store_metrics_append(x->st, jb->run->id, jb->pts, jb->n_pts, &err) < 0) {
			xlog(x, "cannot store metrics: %s", err.msg);
			store_rollback(x->st);
			return;
		}
	}
	if (store_commit(x->st, &err) < 0) {
		xlog(x, "cannot store metrics: %s", err.msg);
		store_rollback(x->st);
		return;
	}
	for (size_t i = 0; i < x->n_jobs; i++)
		x->jobs[i]->n_pts = 0;
	x->buffered = 0;
}

static void kill_job(struct executor *x, struct job *jb, const char *reason)
{
	if (jb->exited)
		return;
	if (!jb->kill_reason)
		jb->kill_reason = reason;
	if (!jb->kill_at_ms) {
		kill(-jb->pid, SIGTERM);
		jb->kill_at_ms = time_now_ms() + x->cfg->grace_ms;
		xlog(x, "run %lld: task %s: %s, sent SIGTERM to process group %d", (long long)jb->run->id,
		     jb->task->row.name, reason, (int)jb->pid);
	}
}

/* Flattens a metrics JSON file ({"a": 1, "b": {"c": 2}} gives a and b.c). */
static void flatten(struct job *jb, struct executor *x, json_t *v, const char *prefix)
{
	const char *k;
	json_t *c;

	if (json_is_number(v)) {
		if (prefix)
			add_point(x, jb, prefix, strlen(prefix), json_number_value(v), STORE_STEP_AUTO);
	} else if (json_is_boolean(v)) {
		if (prefix)
			add_point(x, jb, prefix, strlen(prefix), json_is_true(v) ? 1 : 0, STORE_STEP_AUTO);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, c) {
			char *name = prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
			flatten(jb, x, c, name);
			free(name);
		}
	}
}

static int read_metrics_files(struct executor *x, struct job *jb, struct err *err)
{
	for (size_t i = 0; i < jb->task->metrics.n; i++) {
		char *p = path_join(jb->run->ws, jb->task->metrics.v[i]);
		json_error_t je;
		json_t *doc = json_load_file(p, 0, &je);
		free(p);
		if (!doc)
			return err_setc(err, 1, "metrics file %s: %s (line %d)", jb->task->metrics.v[i], je.text,
					je.line);
		flatten(jb, x, doc, NULL);
		json_decref(doc);
	}
	return 0;
}

/* Stores a produced path (file or directory) as output artifacts. */
static int store_output(struct executor *x, struct job *jb, const char *path, const char *kind,
			struct err *err)
{
	struct strv files = {0};
	char *full = path_join(jb->run->ws, path);
	int rc = 0;

	if (!path_exists(full)) {
		err_setc(err, 1, "declared out %s was not produced", path);
		free(full);
		return -1;
	}
	free(full);
	if (artifacts_list_files(jb->run->ws, path, &files, err) < 0)
		return -1;
	for (size_t i = 0; i < files.n && rc == 0; i++) {
		char *f = path_join(jb->run->ws, files.v[i]);
		char hex[SHA256_HEX];
		int64_t size, id;
		rc = artifacts_store_file(x->objects, f, hex, &size, err);
		if (rc == 0)
			rc = store_artifact_add(x->st, jb->run->id, jb->task->row.id, files.v[i], hex, size, kind,
						&id, err);
		if (rc == 0)
			rc = store_lineage_add(x->st, jb->task->row.id, id, "output", err);
		free(f);
	}
	strv_free(&files);
	return rc;
}

static int collect_outputs(struct executor *x, struct job *jb, struct err *err)
{
	struct xtask *t = jb->task;

	for (size_t i = 0; i < t->n_outs; i++)
		if (store_output(x, jb, t->outs[i].path, t->outs[i].kind, err) < 0)
			return -1;
	for (size_t i = 0; i < t->metrics.n; i++)
		if (store_output(x, jb, t->metrics.v[i], "metrics", err) < 0)
			return -1;
	for (size_t i = 0; i < jb->artifacts.n; i++) {
		char *tab = strchr(jb->artifacts.v[i], '\t');
		*tab = '\0';
		char *norm = path_normalize(jb->artifacts.v[i]);
		if (norm[0] == '/' || str_startswith(norm, "../")) {
			job_note(jb, "ignored artifact %s: not inside the workspace", jb->artifacts.v[i]);
		} else if (store_output(x, jb, norm, tab + 1, err) < 0) {
			job_note(jb, "ignored artifact %s: %s", norm, err->msg);
		}
		free(norm);
	}
	return 0;
}

/* A task's register block, after it succeeded: a new model version, and a
 * promotion when the gate passes.  A failed gate is recorded, not an error;
 * a gate that cannot be evaluated (an unknown metric) fails the task. */
static bool register_output(struct executor *x, struct job *jb)
{
	struct err err;
	char *js = NULL;
	json_error_t je;

	if (store_task_register(x->st, jb->task->row.id, &js, &err) < 0 || !js)
		return true;
	json_t *o = json_loads(js, 0, &je);
	free(js);
	if (!o)
		return true;
	const char *model = json_string_value(json_object_get(o, "model"));
	const char *artifact = json_string_value(json_object_get(o, "artifact"));
	const char *gate = json_string_value(json_object_get(o, "gate"));
	const char *to = json_string_value(json_object_get(o, "promote_to"));
	struct registered reg;
	bool ok = true;
	if (model && artifact) {
		if (registry_register(x->st, model, jb->run->id, artifact, gate, to, registry_user(), &reg, &err) < 0) {
			job_note(jb, "registering %s as a version of %s failed: %s", artifact, model, err.msg);
			xlog(x, "run %lld: task %s: registering %s failed: %s", (long long)jb->run->id,
			     jb->task->row.name, model, err.msg);
			ok = false;
		} else {
			job_note(jb, "registered %s version %d%s%s%s%s", model, reg.version,
				 reg.gate_reason ? "; gate " : "", reg.gate_reason ? reg.gate_reason : "",
				 reg.promoted_to ? "; promoted to " : to ? "; not promoted" : "",
				 reg.promoted_to ? reg.promoted_to : "");
			xlog(x, "run %lld: registered %s version %d%s%s", (long long)jb->run->id, model, reg.version,
			     reg.promoted_to ? ", promoted to " : "", reg.promoted_to ? reg.promoted_to : "");
			registry_registered_free(&reg);
		}
	}
	json_decref(o);
	return ok;
}

static void job_free(struct job *jb)
{
	sbuf_free(&jb->line);
	strv_free(&jb->names);
	strv_free(&jb->artifacts);
	free(jb->pts);
	free(jb->log_path);
	free(jb);
}

/* The job's process has exited: record the attempt and move the task on. */
static void finish_job(struct executor *x, struct job *jb)
{
	struct xrun *r = jb->run;
	struct xtask *t = jb->task;
	struct err err;
	int64_t now = time_now_ms();
	int code = -1, sig = 0;
	const char *reason = "exit";
	bool ok;

	job_close_pipe(x, jb);
	if (WIFEXITED(jb->wstatus))
		code = WEXITSTATUS(jb->wstatus);
	else if (WIFSIGNALED(jb->wstatus)) {
		sig = WTERMSIG(jb->wstatus);
		reason = "signal";
	}
	if (jb->kill_reason)
		reason = jb->kill_reason;
	ok = code == 0 && !jb->kill_reason;
	if (ok && read_metrics_files(x, jb, &err) < 0) {
		job_note(jb, "%s", err.msg);
		ok = false;
		code = -1;
		reason = "exit";
	}
	flush_points(x);
	if (jb->bad_lines > MAX_BAD_NOTES)
		job_note(jb, "%d malformed lines on MLWB_FD in all", jb->bad_lines);

	struct attempt_end e = {0};
	e.exit_code = code;
	e.signal = sig;
	e.reason = reason;
	e.finished = now;
	e.wall_ms = (int64_t)((time_mono() - jb->started_mono) * 1000.0);
	e.cpu_ms = (int64_t)jb->ru.ru_utime.tv_sec * 1000 + jb->ru.ru_utime.tv_usec / 1000 +
		   (int64_t)jb->ru.ru_stime.tv_sec * 1000 + jb->ru.ru_stime.tv_usec / 1000;
	e.peak_rss_kb = jb->ru.ru_maxrss;
	e.bad_lines = jb->bad_lines;

	if (store_begin(x->st, &err) < 0) {
		xlog(x, "run %lld: cannot record task %s: %s", (long long)r->id, t->row.name, err.msg);
		return;
	}
	if (ok && collect_outputs(x, jb, &err) < 0) {
		job_note(jb, "%s", err.msg);
		ok = false;
		/* outputs recorded so far go with the rollback below */
		store_rollback(x->st);
		if (store_begin(x->st, &err) < 0)
			return;
	}
	e.status = ok ? "succeeded" : "failed";
	if (!ok && code == 0)
		e.exit_code = 0;
	store_attempt_end(x->st, jb->attempt, &e, &err);
	if (ok) {
		struct task_mark m = TASK_MARK_KEEP;
		char *key = NULL;
		if (t->row.cache && (t->n_outs || t->metrics.n))
			key = cache_key(x, r, t);
		m.exit_code = 0;
		m.reason = "exit";
		m.finished = now;
		m.cached = 0;
		m.cache_key = key;
		mark(x, t, T_SUCCEEDED, &m);
		free(key);
	} else {
		attempt_failed(x, r, t, code, reason);
	}
	if (store_commit(x->st, &err) < 0)
		xlog(x, "run %lld: cannot record task %s: %s", (long long)r->id, t->row.name, err.msg);
	if (ok && !register_output(x, jb)) {
		struct task_mark m = TASK_MARK_KEEP;
		m.reason = "exit";
		m.finished = now;
		mark(x, t, T_FAILED, &m);
		cascade_failure(x, r);
	}
	xlog(x, "run %lld: task %s attempt %d %s (%s%s%d) in %.1fs", (long long)r->id, t->row.name,
	     jb->number, ok ? "succeeded" : "failed", reason, sig ? " " : " code ", sig ? sig : code,
	     (double)e.wall_ms / 1000.0);

	x->cpu_used -= jb->cpu;
	x->mem_used -= jb->mem;
	for (int k = 0; k < jb->n_gpu; k++)
		x->gpu_used[jb->gpu_first + k] = false;
	t->job = NULL;
	for (size_t i = 0; i < x->n_jobs; i++)
		if (x->jobs[i] == jb) {
			x->jobs[i] = x->jobs[--x->n_jobs];
			break;
		}
	job_free(jb);
}

static void reap(struct executor *x)
{
	for (;;) {
		int status;
		struct rusage ru;
		pid_t pid = wait4(-1, &status, WNOHANG, &ru);
		if (pid <= 0)
			break;
		for (size_t i = 0; i < x->n_jobs; i++) {
			struct job *jb = x->jobs[i];
			if (jb->pid != pid)
				continue;
			jb->exited = true;
			jb->wstatus = status;
			jb->ru = ru;
			/* Anything left in the group (a background child) goes too. */
			kill(-pid, SIGKILL);
			finish_job(x, jb);
			break;
		}
		triggers_reaped(x->trig, pid, status);
	}
}

/* ---- scheduling ---- */

static bool run_terminal(const struct xrun *r)
{
	for (size_t i = 0; i < r->n; i++) {
		enum tstate s = r->tasks[i].state;
		if (s == T_PENDING || s == T_RUNNING || s == T_RETRYING || r->tasks[i].job)
			return false;
	}
	return true;
}

/* A sweep's child runs that have started and not finished. */
static int children_active(struct executor *x, int64_t parent)
{
	int n = 0;

	for (size_t i = 0; i < x->n_runs; i++) {
		struct xrun *c = x->runs[i];
		if (c->parent == parent && c->started && !c->finished)
			n++;
	}
	return n;
}

static void cancel_run(struct executor *x, struct xrun *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct xtask *t = &r->tasks[i];
		if (t->job) {
			kill_job(x, t->job, "cancelled");
		} else if (t->state == T_PENDING || t->state == T_RETRYING) {
			struct task_mark m = TASK_MARK_KEEP;
			m.finished = time_now_ms();
			m.reason = "cancelled";
			mark(x, t, T_CANCELLED, &m);
		}
	}
}

static void fail_task_now(struct executor *x, struct xrun *r, struct xtask *t, const char *why)
{
	struct task_mark m = TASK_MARK_KEEP;

	xlog(x, "run %lld: task %s cannot run: %s", (long long)r->id, t->row.name, why);
	m.finished = time_now_ms();
	m.reason = "exit";
	mark(x, t, T_FAILED, &m);
	cascade_failure(x, r);
}

static void schedule(struct executor *x, bool stopping)
{
	int64_t now = time_now_ms();
	struct err err;

	for (size_t ri = 0; ri < x->n_runs; ri++) {
		struct xrun *r = x->runs[ri];
		if (r->finished || r->parallel > 0)
			continue;
		if (!r->loaded && load_run(x, r, &err) < 0) {
			xlog(x, "run %lld: %s", (long long)r->id, err.msg);
			continue;
		}
		if (r->cancel) {
			cancel_run(x, r);
			continue;
		}
		if (stopping)
			continue;
		if (!r->started && r->parent) {
			struct xrun *p = find_run(x, r->parent);
			if (p && p->parallel > 0 && children_active(x, r->parent) >= p->parallel)
				continue;
		}
		for (size_t i = 0; i < r->n; i++) {
			struct xtask *t = &r->tasks[i];
			if (t->job || (t->state != T_PENDING && t->state != T_RETRYING))
				continue;
			if (t->state == T_RETRYING && t->next_at > now)
				continue;
			bool ready = true;
			for (size_t u = 0; u < t->n_up && ready; u++) {
				enum tstate us = r->tasks[t->up[u]].state;
				ready = us == T_SUCCEEDED || us == T_CACHED;
			}
			if (!ready)
				continue;
			if (t->row.gpu > x->cfg->gpus) {
				char why[96];
				snprintf(why, sizeof(why), "it needs %d GPUs and the executor has %d", t->row.gpu,
					 x->cfg->gpus);
				fail_task_now(x, r, t, why);
				continue;
			}
			double cpu = t->row.cpu < x->cfg->cpu ? t->row.cpu : x->cfg->cpu;
			int64_t mem = t->row.mem < x->cfg->mem ? t->row.mem : x->cfg->mem;
			int free_gpus = 0;
			for (int g = 0; g < x->cfg->gpus; g++)
				free_gpus += !x->gpu_used[g];
			if (x->cpu_used + cpu > x->cfg->cpu + 1e-9 || x->mem_used + mem > x->cfg->mem ||
			    t->row.gpu > free_gpus)
				continue; /* does not fit now; a later, smaller task may */
			if (!r->started) {
				if (prepare_run(x, r, &err) < 0) {
					xlog(x, "run %lld: %s", (long long)r->id, err.msg);
					for (size_t k = 0; k < r->n; k++)
						if (r->tasks[k].state == T_PENDING)
							fail_task_now(x, r, &r->tasks[k], err.msg);
					break;
				}
				if (r->parent) {
					struct xrun *p = find_run(x, r->parent);
					if (p && !p->started) {
						store_run_mark_started(x->st, p->id, NULL, now, &err);
						p->started = true;
					}
				}
			}
			char *key = NULL;
			bool hit = try_cache(x, r, t, &key);
			free(key);
			if (hit)
				continue;
			if (start_job(x, r, t, &err) < 0)
				fail_task_now(x, r, t, err.msg);
		}
	}
}

/* Runs with nothing left to do get their final status. */
static void finish_runs(struct executor *x)
{
	int64_t now = time_now_ms();
	struct err err;

	for (size_t ri = 0; ri < x->n_runs; ri++) {
		struct xrun *r = x->runs[ri];
		if (r->finished || !r->loaded || r->parallel > 0 || !run_terminal(r))
			continue;
		bool failed = false, cancelled = r->cancel;
		for (size_t i = 0; i < r->n; i++) {
			enum tstate s = r->tasks[i].state;
			failed = failed || s == T_FAILED || s == T_UPSTREAM_FAILED;
			cancelled = cancelled || s == T_CANCELLED;
		}
		const char *status = cancelled ? "cancelled" : failed ? "failed" : "succeeded";
		if (store_run_mark_finished(x->st, r->id, status, now, &err) < 0) {
			xlog(x, "run %lld: %s", (long long)r->id, err.msg);
			continue;
		}
		r->finished = true;
		xlog(x, "run %lld: %s", (long long)r->id, status);
	}
	/* A sweep parent ends with its last child. */
	for (size_t ri = 0; ri < x->n_runs; ri++) {
		struct xrun *p = x->runs[ri];
		if (p->finished || p->parallel <= 0)
			continue;
		bool all = true, failed = false, cancelled = p->cancel;
		struct run_query q = {0};
		struct run_list l;
		if (store_run_list(x->st, &q, &l, &err) < 0)
			continue;
		int children = 0;
		for (size_t i = 0; i < l.n; i++) {
			if (l.v[i].parent != p->id)
				continue;
			children++;
			const char *s = l.v[i].status;
			if (!strcmp(s, "queued") || !strcmp(s, "running"))
				all = false;
			failed = failed || !strcmp(s, "failed");
			cancelled = cancelled || !strcmp(s, "cancelled");
		}
		store_run_list_free(&l);
		if (!all)
			continue;
		const char *status = cancelled ? "cancelled" : failed || !children ? "failed" : "succeeded";
		if (store_run_mark_finished(x->st, p->id, status, now, &err) == 0) {
			p->finished = true;
			xlog(x, "sweep run %lld: %s", (long long)p->id, status);
		}
	}
	/* Forget finished runs once no job points at them. */
	size_t k = 0;
	for (size_t ri = 0; ri < x->n_runs; ri++) {
		struct xrun *r = x->runs[ri];
		bool keep = !r->finished;
		for (size_t j = 0; j < x->n_jobs && !keep; j++)
			keep = x->jobs[j]->run == r;
		/* children look up their parent: keep parents while children live */
		for (size_t j = 0; j < x->n_runs && !keep; j++)
			keep = x->runs[j]->parent == r->id && !x->runs[j]->finished;
		if (keep) {
			x->runs[k++] = r;
		} else {
			free_run(r);
			free(r);
		}
	}
	x->n_runs = k;
}

/* After a crash: attempts recorded as running have lost their executor.
 * Their processes, if any still live on this boot, are killed. */
static void recover(struct executor *x)
{
	struct running_attempt *v;
	size_t n;
	struct err err;

	if (store_attempts_running(x->st, &v, &n, &err) < 0) {
		xlog(x, "recovery: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].pid > 0 && v[i].boot_id && !strcmp(v[i].boot_id, x->boot_id) && kill(v[i].pid, 0) == 0)
			kill(-v[i].pid, SIGKILL);
		struct attempt_end e = {0};
		e.status = "failed";
		e.exit_code = -1;
		e.reason = "lost";
		e.finished = time_now_ms();
		store_attempt_end(x->st, v[i].attempt, &e, &err);
		xlog(x, "recovery: run %lld task %lld: attempt lost with its executor", (long long)v[i].run,
		     (long long)v[i].task);
	}
	store_running_attempts_free(v, n);
}

static int64_t next_timeout(struct executor *x, int64_t now, int64_t idle_deadline)
{
	int64_t t = now + 500; /* look at the database at least twice a second */

	if (x->buffered && x->last_flush + FLUSH_MS < t)
		t = x->last_flush + FLUSH_MS;
	for (size_t i = 0; i < x->n_jobs; i++) {
		struct job *jb = x->jobs[i];
		if (jb->deadline_ms && !jb->kill_reason && jb->deadline_ms < t)
			t = jb->deadline_ms;
		if (jb->kill_at_ms && jb->kill_at_ms < t)
			t = jb->kill_at_ms;
	}
	for (size_t ri = 0; ri < x->n_runs; ri++)
		for (size_t i = 0; i < x->runs[ri]->n; i++) {
			struct xtask *tk = &x->runs[ri]->tasks[i];
			if (tk->state == T_RETRYING && !tk->job && tk->next_at < t)
				t = tk->next_at;
		}
	if (idle_deadline && idle_deadline < t)
		t = idle_deadline;
	return t > now ? t - now : 0;
}

static void read_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static bool anything_active(struct executor *x)
{
	if (x->n_jobs)
		return true;
	for (size_t i = 0; i < x->n_runs; i++)
		if (!x->runs[i]->finished)
			return true;
	return false;
}

static int open_wake_socket(struct executor *x, struct err *err)
{
	struct sockaddr_un a;
	socklen_t len = wake_addr(x->p, &a);

	x->wake_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->wake_fd < 0 || bind(x->wake_fd, (struct sockaddr *)&a, len) < 0)
		return err_setc(err, 1, "cannot listen for wake-ups: %s", strerror(errno));
	return 0;
}

static void close_wake_socket(struct executor *x)
{
	if (x->wake_fd >= 0)
		close(x->wake_fd);
	x->wake_fd = -1;
}

static int serve_loop(struct executor *x, struct err *err)
{
	int64_t idle_since = time_now_ms();
	bool stopping = false;

	recover(x);
	if (sync_runs(x, err) < 0)
		return -1;
	x->data_version = store_data_version(x->st);
	for (;;) {
		if (got_usr1) { /* stop now: running attempts are lost */
			got_usr1 = 0;
			stopping = true;
			for (size_t i = 0; i < x->n_jobs; i++) {
				x->jobs[i]->kill_reason = "lost";
				kill(-x->jobs[i]->pid, SIGKILL);
			}
			xlog(x, "stopping now: killed %zu running task(s)", x->n_jobs);
		}
		if (got_term && !stopping) {
			stopping = true;
			xlog(x, "stopping: waiting for %zu running task(s)", x->n_jobs);
		}
		if (got_chld) {
			got_chld = 0;
			reap(x);
		}
		int64_t now = time_now_ms();
		for (size_t i = 0; i < x->n_jobs; i++) {
			struct job *jb = x->jobs[i];
			if (jb->deadline_ms && !jb->kill_reason && now >= jb->deadline_ms)
				kill_job(x, jb, "timeout");
			if (jb->kill_at_ms && now >= jb->kill_at_ms && !jb->exited) {
				kill(-jb->pid, SIGKILL);
				jb->kill_at_ms = now + 60000; /* once */
			}
		}
		if (x->buffered && (x->buffered >= FLUSH_POINTS || now - x->last_flush >= FLUSH_MS))
			flush_points(x);
		if (x->need_sync && sync_runs(x, err) < 0)
			xlog(x, "reading the queue: %s", err->msg);
		if (!stopping && triggers_tick(x->trig, x->st, time_now_ms()) && sync_runs(x, err) < 0)
			xlog(x, "reading the queue: %s", err->msg);
		schedule(x, stopping);
		finish_runs(x);
		if (stopping && !x->n_jobs)
			break;
		now = time_now_ms();
		if (anything_active(x) || triggers_any(x->trig))
			idle_since = now; /* schedules and monitors keep it up */
		int64_t idle_deadline = x->cfg->idle_ms > 0 ? idle_since + x->cfg->idle_ms : 0;
		if (idle_deadline && now >= idle_deadline && !anything_active(x)) {
			/* Stop listening first, then look once more: a run queued
			 * after this look finds no listener and starts a new
			 * executor, which waits for our lock. */
			close_wake_socket(x);
			if (sync_runs(x, err) == 0 && !x->n_runs) {
				xlog(x, "idle for %llds: stopping", (long long)(x->cfg->idle_ms / 1000));
				break;
			}
			if (open_wake_socket(x, err) < 0)
				return -1;
			continue;
		}

		struct pollfd *pfd = xcalloc(x->n_jobs + 2, sizeof(*pfd));
		pfd[0].fd = sig_pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = x->wake_fd;
		pfd[1].events = POLLIN;
		size_t np = 2;
		for (size_t i = 0; i < x->n_jobs; i++) {
			pfd[np].fd = x->jobs[i]->fd;
			pfd[np].events = POLLIN;
			np++;
		}
		int timeout = (int)next_timeout(x, now, idle_deadline);
		int n = poll(pfd, np, timeout);
		if (n > 0) {
			if (pfd[0].revents) {
				char buf[64];
				while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
					;
			}
			if (pfd[1].revents) {
				char buf[64];
				while (recv(x->wake_fd, buf, sizeof(buf), 0) > 0)
					;
				x->need_sync = true;
			}
			for (size_t i = 2; i < np; i++) {
				if (!pfd[i].revents)
					continue;
				for (size_t j = 0; j < x->n_jobs; j++) {
					struct job *jb = x->jobs[j];
					if (jb->fd != pfd[i].fd)
						continue;
					if (!job_read(x, jb)) {
						/* EOF: the job closed its end; it exits soon. */
						close(jb->fd);
						jb->fd = -1;
					}
					break;
				}
			}
		}
		free(pfd);
		/* A project deleted under us: nothing left to serve. */
		if (time_mono() >= x->next_dir_check) {
			struct stat st;
			x->next_dir_check = time_mono() + 2.0;
			if (stat(x->p->dir, &st) < 0 || st.st_ino != x->dir_ino || st.st_dev != x->dir_dev) {
				xlog(x, "%s is gone: stopping", x->p->dir);
				for (size_t i = 0; i < x->n_jobs; i++)
					kill(-x->jobs[i]->pid, SIGKILL);
				break;
			}
		}
		int64_t dv = store_data_version(x->st);
		if (dv != x->data_version) {
			x->data_version = dv;
			x->need_sync = true;
		}
	}
	flush_points(x);
	return 0;
}

int exec_serve(const struct project *p, const struct exec_config *c, int64_t wait_lock_ms,
	       struct err *err)
{
	struct executor x;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.p = p;
	x.cfg = c;
	x.wake_fd = -1;
	x.objects = path_join(p->dir, "objects");
	char *lp = lock_path(p), *pp = pid_path(p), *logp = path_join(p->dir, "executor.log");

	x.lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (x.lock_fd < 0) {
		err_setc(err, 1, "cannot open %s: %s", lp, strerror(errno));
		goto out;
	}
	double until = time_mono() + (double)wait_lock_ms / 1000.0;
	while (flock(x.lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK || time_mono() >= until) {
			struct exec_state s;
			exec_probe(p, &s);
			err_setc(err, 1, "an executor is already running for this project (pid %d)", s.pid);
			rc = 1;
			goto out;
		}
		usleep(20000);
	}
	char pidline[64];
	int len = snprintf(pidline, sizeof(pidline), "%d %lld\n", (int)getpid(), (long long)time_now_ms());
	if (file_write_atomic(pp, pidline, (size_t)len, err) < 0)
		goto out;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		err_setc(err, 1, "cannot create a pipe: %s", strerror(errno));
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN); /* a dropped terminal must not stop the runs */
	x.log = c->foreground ? stderr : fopen(logp, "a");
	read_boot_id(x.boot_id, sizeof(x.boot_id));
	struct stat dst;
	if (stat(p->dir, &dst) == 0) {
		x.dir_dev = dst.st_dev;
		x.dir_ino = dst.st_ino;
	}
	x.gpu_used = xcalloc((size_t)c->gpus + 1, sizeof(*x.gpu_used));
	if (store_open(p->db, STORE_CREATE, &x.st, err) < 0 || open_wake_socket(&x, err) < 0)
		goto out;
	xlog(&x, "executor %s started (pid %d): %g cpu, %lld MiB, %d gpu", MLWB_VERSION, (int)getpid(),
	     c->cpu, (long long)(c->mem >> 20), c->gpus);
	x.trig = triggers_new(p, trig_log, &x, x.log ? fileno(x.log) : -1);
	rc = serve_loop(&x, err);
	xlog(&x, "executor stopped");
out:
	close_wake_socket(&x);
	triggers_free(x.trig);
	for (size_t i = 0; i < x.n_runs; i++) {
		free_run(x.runs[i]);
		free(x.runs[i]);
	}
	free(x.runs);
	for (size_t i = 0; i < x.n_jobs; i++)
		job_free(x.jobs[i]);
	free(x.jobs);
	free(x.gpu_used);
	store_close(x.st);
	if (x.log && x.log != stderr)
		fclose(x.log);
	if (rc == 0)
		unlink(pp);
	if (x.lock_fd >= 0)
		close(x.lock_fd); /* releases the lock */
	if (sig_pipe[0] >= 0) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
	}
	free(x.objects);
	free(lp);
	free(pp);
	free(logp);
	return rc;
}
