/* store.h - the SQLite metadata store: runs, params, tasks, metrics,
 * artifacts, lineage, models, monitors.  The only module that speaks SQL.
 *
 * One struct store per open database.  The database is in WAL mode, so the
 * TUI and the CLI read while the executor writes; every write takes the lock
 * up front (BEGIN IMMEDIATE) and waits on a busy database rather than failing.
 * Opening applies forward migrations and refuses a database written by a
 * newer mlwb, without touching it.
 *
 * Strings handed out in result structs belong to the result and die with its
 * _free call.
 */
#ifndef MLWB_STORE_H
#define MLWB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlwb/err.h"
#include "mlwb/util.h"

struct store;

/* Schema version this build writes. */
#define STORE_SCHEMA_VERSION 2

enum { STORE_CREATE = 1, STORE_READONLY = 2 };

int store_open(const char *path, int flags, struct store **out, struct err *err);
void store_close(struct store *st);
/* The schema version found in the file (after migrations). */
int store_schema_version(struct store *st);
/* The SQLite journal mode in use ("wal"). Caller frees. */
char *store_journal_mode(struct store *st);

/* Explicit write transactions (BEGIN IMMEDIATE).  Calls that write open
 * their own transaction when none is active. */
int store_begin(struct store *st, struct err *err);
int store_commit(struct store *st, struct err *err);
void store_rollback(struct store *st);

/* ---- runs ---- */
struct kv {
	char *name;
	char *value;
};

struct metric_summary {
	char *name;
	double last, min, max;
	int64_t last_step;
	int64_t count;
};

struct run_info {
	int64_t id;
	char *experiment;
	char *pipeline;
	char *sweep;   /* NULL unless part of a sweep */
	char *status;  /* queued running succeeded failed cancelled */
	char *trigger; /* manual sweep schedule commit data drift ci */
	char *trigger_detail;
	int64_t parent; /* 0: none */
	char *user, *host;
	int64_t created, started, finished; /* epoch ms, 0: not yet */
	char *git_commit, *git_branch;      /* NULL outside git */
	int git_dirty;                      /* -1 unknown */
	char *mlwb_version;
	char *note;
	struct kv *params;
	size_t n_params;
	struct metric_summary *metrics;
	size_t n_metrics;
	struct kv *tags;
	size_t n_tags;
};

/* What a new run records; strings are copied. */
struct run_new {
	const char *experiment; /* NULL: the pipeline name */
	const char *pipeline;
	const char *sweep;
	const char *status; /* NULL: queued */
	const char *trigger; /* NULL: manual */
	const char *trigger_detail;
	int64_t parent;
	const char *user, *host;
	int64_t created; /* 0: now */
	const char *git_commit, *git_branch;
	int git_dirty;
	const char *mlwb_version;
	const char *note;
	const struct kv *params;
	size_t n_params;
	bool no_cache;
	int parallel; /* a sweep parent: children at once (0: not a parent) */
};

int store_run_create(struct store *st, const struct run_new *rn, int64_t *id, struct err *err);

struct run_query {
	const char *experiment; /* NULL: all */
	const char *status;     /* NULL: all */
	/* Sort: a column (id, created, started, finished, status, pipeline,
	 * experiment, user, duration) or "metrics.NAME" / "params.NAME".
	 * NULL: newest first. */
	const char *sort;
	bool ascending;
	int64_t limit; /* 0: no limit */
	bool trash;    /* the deleted runs instead of the live ones */
	bool with_details; /* fill params, metrics, tags */
};

struct run_list {
	struct run_info *v;
	size_t n;
};

int store_run_list(struct store *st, const struct run_query *q, struct run_list *out, struct err *err);
void store_run_list_free(struct run_list *list);

/* Fills *out (details included); an unknown id is an error with code 2. */
int store_run_get(struct store *st, int64_t id, struct run_info *out, struct err *err);
void store_run_info_free(struct run_info *ri);

int store_run_set_status(struct store *st, int64_t id, const char *status, struct err *err);
/* Moves a run (a sweep: with its children) to the trash, or back. */
int store_run_trash(struct store *st, int64_t id, bool trash, struct err *err);
int store_run_set_note(struct store *st, int64_t id, const char *note, struct err *err);
/* Just the status, cheaply ("" for an unknown run). */
int store_run_status(struct store *st, int64_t id, char *buf, size_t len, struct err *err);

/* ---- metrics ---- */
#define STORE_STEP_AUTO INT64_MIN

struct metric_point {
	const char *name;
	int64_t step; /* STORE_STEP_AUTO: one past the series' largest step */
	double value;
	int64_t time; /* epoch ms; 0: now */
	int64_t task_id; /* 0: none */
};

/* Appends points (in one transaction unless one is open) and keeps the
 * per-run summaries current.  Points are never replaced: logging a step
 * twice keeps both. */
int store_metrics_append(struct store *st, int64_t run, const struct metric_point *pts, size_t n,
			 struct err *err);

struct metric_series {
	char *name;
	size_t n;
	int64_t *step;
	double *value;
	int64_t *time;
	int64_t *task_id;
};

/* One metric's full history, ordered by step (then logging order). An
 * unknown name gives an empty series. */
int store_metric_history(struct store *st, int64_t run, const char *name, struct metric_series *out,
			 struct err *err);
void store_metric_series_free(struct metric_series *s);
/* The same with only steps and values (and times when `with_time`): half
 * the work for a million points.  The other arrays stay NULL. */
int store_metric_values(struct store *st, int64_t run, const char *name, bool with_time,
			struct metric_series *out, struct err *err);

/* Names of a run's metrics, sorted. Caller frees with store_names_free. */
int store_metric_names(struct store *st, int64_t run, char ***names, size_t *n, struct err *err);
void store_names_free(char **names, size_t n);



/* ---- tasks (written by the executor) ---- */
struct task_info {
	int64_t id;
	char *name;
	char *status;
	int attempts;
	int exit_code; /* -1: none yet */
	char *reason;  /* exit signal timeout cancelled lost, NULL */
	bool cached;
	int layer;
	int64_t started, finished;
};

/* A run's tasks in layer, then declaration, order. */
int store_task_list(struct store *st, int64_t run, struct task_info **out, size_t *n, struct err *err);
void store_task_list_free(struct task_info *v, size_t n);

/* ---- queueing (the CLI) ---- */
struct task_new {
	const char *name;
	const char *cmd; /* interpolated */
	int layer;
	int max_attempts;
	int64_t timeout_ms;
	double cpu;
	int64_t mem;
	int gpu;
	bool cache;
	const char *deps_json;    /* ["path", ...] */
	const char *outs_json;    /* [{"path": .., "kind": ..}, ...] */
	const char *metrics_json; /* ["path", ...] */
	const char *register_json; /* {model, artifact, gate, promote_to} or NULL */
	const size_t *up;         /* indices into the same array */
	size_t n_up;
};

/* Records a queued run and its tasks (all pending) in one transaction. */
int store_run_enqueue(struct store *st, const struct run_new *rn, const struct task_new *tasks,
		      size_t n, int64_t *id, struct err *err);
/* Asks the executor to cancel a run (and, for a sweep, its children). A run
 * already finished is an error with code 1. */
int store_run_request_cancel(struct store *st, int64_t run, struct err *err);
/* Changes whenever another connection commits: a cheap "anything new?". */
int64_t store_data_version(struct store *st);

/* ---- the executor's view ---- */
struct exec_run_row {
	int64_t id, parent;
	char *status, *pipeline;
	bool cancel_requested, no_cache;
	int parallel;
	char *workspace;
};

struct exec_task_row {
	int64_t id;
	char *name, *cmd, *status;
	int layer, attempts, max_attempts;
	int64_t timeout_ms;
	double cpu;
	int64_t mem;
	int gpu;
	bool cache;
	char *deps, *outs, *metrics_files; /* JSON */
	int64_t next_attempt;
	int64_t *up; /* task ids */
	size_t n_up;
};

/* Runs that are queued or running, oldest first. */
int store_active_runs(struct store *st, struct exec_run_row **v, size_t *n, struct err *err);
void store_exec_runs_free(struct exec_run_row *v, size_t n);
int store_run_tasks(struct store *st, int64_t run, struct exec_task_row **v, size_t *n,
		    struct err *err);
void store_exec_tasks_free(struct exec_task_row *v, size_t n);

int store_run_mark_started(struct store *st, int64_t run, const char *workspace, int64_t when,
			   struct err *err);
int store_run_mark_finished(struct store *st, int64_t run, const char *status, int64_t when,
			    struct err *err);

/* A task's new state.  Fields left at their "keep" values are not changed:
 * exit_code -2, reason NULL, times 0, cached -1, cache_key NULL,
 * next_attempt -1 (0 clears it). */
struct task_mark {
	const char *status;
	int exit_code;
	const char *reason;
	int64_t started, finished;
	int cached;
	const char *cache_key;
	int64_t next_attempt;
};
#define TASK_MARK_KEEP {NULL, -2, NULL, 0, 0, -1, NULL, -1}
int store_task_mark(struct store *st, int64_t task, const struct task_mark *m, struct err *err);

int store_attempt_begin(struct store *st, int64_t task, int number, int pid, const char *boot_id,
			const char *log_path, int64_t started, int64_t *attempt, struct err *err);
struct attempt_end {
	const char *status; /* succeeded failed */
	int exit_code;      /* -1: none (signal) */
	int signal;         /* 0: none */
	const char *reason; /* exit signal timeout cancelled lost */
	int64_t finished, wall_ms, cpu_ms, peak_rss_kb;
	int bad_lines;
};
int store_attempt_end(struct store *st, int64_t attempt, const struct attempt_end *e, struct err *err);

struct running_attempt {
	int64_t attempt, task, run;
	int pid;
	char *boot_id;
};
/* Attempts recorded as running: after a crash, their executor is gone. */
int store_attempts_running(struct store *st, struct running_attempt **v, size_t *n, struct err *err);
void store_running_attempts_free(struct running_attempt *v, size_t n);

int store_run_param_put(struct store *st, int64_t run, const char *name, const char *value,
			struct err *err);
int store_tag_put(struct store *st, int64_t run, const char *name, const char *value, struct err *err);

/* ---- artifacts, lineage, cache ---- */
int store_artifact_add(struct store *st, int64_t run, int64_t task, const char *path,
		       const char *sha256, int64_t size, const char *kind, int64_t *id, struct err *err);
/* role: "input" or "output" */
int store_lineage_add(struct store *st, int64_t task, int64_t artifact, const char *role,
		      struct err *err);
/* The newest output artifact of `run` at `path` (0 when none). */
int store_artifact_find(struct store *st, int64_t run, const char *path, int64_t *id, struct err *err);

struct artifact_row {
	int64_t id;
	char *path, *sha256, *kind, *task, *role;
	int64_t size;
};
/* A run's artifacts (role "output", "input" or NULL for the diff and others). */
int store_run_artifacts(struct store *st, int64_t run, struct artifact_row **v, size_t *n,
			struct err *err);
void store_artifacts_free(struct artifact_row *v, size_t n);

/* The newest task that succeeded by running (not from cache) with this cache
 * key; *task 0 when none.  Its outputs come back in *outs. */
int store_cache_find(struct store *st, const char *key, int64_t *task, struct artifact_row **outs,
		     size_t *n, struct err *err);
/* Copies the metric points a task logged into another run and task (a cache
 * hit shows the metrics of the run it reuses). */
int store_metrics_copy(struct store *st, int64_t from_task, int64_t to_run, int64_t to_task,
		       struct err *err);

/* ---- reading for the CLI ---- */
struct metric_row {
	const char *name;
	int64_t step;
	double value;
	int64_t time;
	const char *task; /* NULL when not logged by a task */
};
/* Calls fn for every point of a run (of metric `name` when not NULL), by
 * name then step.  fn returns nonzero to stop. */
int store_metric_points(struct store *st, int64_t run, const char *name,
			int (*fn)(void *arg, const struct metric_row *row), void *arg, struct err *err);

struct attempt_row {
	int64_t id;
	char *task;
	int number;
	char *status;
	char *log_path;
	bool task_done; /* the task will not run again */
};
/* Attempts of a run (of one task when not NULL), in layer, task, attempt
 * order. */
int store_attempts(struct store *st, int64_t run, const char *task, struct attempt_row **v, size_t *n,
		   struct err *err);
void store_attempts_free(struct attempt_row *v, size_t n);

struct queue_counts {
	int running_tasks;
	int queued_runs;
	int running_runs;
};
int store_queue_counts(struct store *st, struct queue_counts *c, struct err *err);

/* ---- for the UI ---- */
struct queue_task {
	int64_t run, task;
	char *pipeline, *name, *status;
	double cpu;
	int64_t mem;
	int gpu;
	int64_t started; /* 0: waiting */
	int attempts;
};
/* Tasks of queued and running runs that are running or waiting, running
 * first, then by run and layer. */
int store_queue_tasks(struct store *st, struct queue_task **v, size_t *n, struct err *err);
void store_queue_tasks_free(struct queue_task *v, size_t n);

/* Makes a failed (or cancelled) task of a finished run pending again, with
 * everything downstream of it, and re-queues the run.
 * The executor then runs it with a fresh set of attempts. */
int store_task_retry(struct store *st, int64_t run, const char *task, struct err *err);

/* ---- the model registry ---- */
struct model_row {
	int64_t id;
	char *name;
	int versions;
	int production, staging; /* version numbers, 0: none */
	int64_t created, updated;
};

struct model_version_row {
	int64_t id;
	char *model;
	int version;
	char *path, *sha256;
	int64_t size;
	int64_t run, task;
	char *task_name;
	int64_t created;
	char *user;
	char *gate;
	int gate_passed; /* -1: no gate */
	char *gate_reason;
	bool archived;
	char *stages; /* "production, champion" or NULL */
};

struct stage_event {
	char *stage, *action, *user, *reason;
	int version;
	int64_t time;
};

/* Adds a version (numbered per model, the model created on first use). */
int store_model_add_version(struct store *st, const char *model, int64_t artifact, int64_t run,
			    int64_t task, const char *user, const char *gate, int gate_passed,
			    const char *gate_reason, int *version, struct err *err);
/* Gives stage (or alias) to a version, taking it from its holder, and
 * records both in the history; "archived" is not exclusive: it takes the
 * version out of every stage.  One transaction: two promotions at once end
 * with one holder. */
int store_model_set_stage(struct store *st, const char *model, int version, const char *stage,
			  const char *user, const char *reason, struct err *err);
int store_models(struct store *st, struct model_row **v, size_t *n, struct err *err);
void store_models_free(struct model_row *v, size_t n);
/* A model's versions, newest first (version 0: all; else just that one). */
int store_model_versions(struct store *st, const char *model, int version, struct model_version_row **v,
			 size_t *n, struct err *err);
void store_model_versions_free(struct model_version_row *v, size_t n);
/* The version holding a stage: 0 when none. */
int store_model_stage_holder(struct store *st, const char *model, const char *stage, int *version,
			     int64_t *run, struct err *err);
int store_model_history(struct store *st, const char *model, struct stage_event **v, size_t *n,
			struct err *err);
void store_stage_events_free(struct stage_event *v, size_t n);
/* A task's register block (JSON), NULL when it has none. Caller frees. */
int store_task_register(struct store *st, int64_t task, char **json, struct err *err);

/* ---- compare ---- */
struct metric_best {
	char *name;
	double min, max;           /* NaN when only NaN was logged */
	int64_t min_step, max_step;
};
/* For each metric of a run: its min and max with the steps that reached
 * them (the first such step).  One pass over the run's points. */
int store_metric_best(struct store *st, int64_t run, struct metric_best **v, size_t *n, struct err *err);
void store_metric_best_free(struct metric_best *v, size_t n);

/* ---- monitors, drift, schedules ---- */

/* One column of a stored batch; NaN reads back as NULL and back. */
struct drift_result_row {
	char *column, *kind, *test, *skipped;
	double statistic, p_value, score, threshold;
	bool drifted;
	double psi, js, wasserstein, ks_statistic, ks_p_value;
	int64_t n_reference, n_current;
	char *hist_reference, *hist_current; /* JSON */
};

struct drift_batch_row {
	int64_t id;
	char *monitor, *batch, *reference, *error;
	int64_t evaluated; /* epoch ms */
	int64_t n_reference, n_current;
	int64_t tested, drifted;
	double share;
	bool dataset_drift;
	int64_t triggered_run; /* 0: none */
};

int store_monitor_ensure(struct store *st, const char *name, const char *reference, int64_t *id,
			 struct err *err);
/* Is the batch stored? *batch_id 0 when not. */
int store_drift_batch_find(struct store *st, int64_t monitor, const char *batch, int64_t *batch_id,
			   struct err *err);
/* Stores a batch and its columns in one transaction.  `replace`: over what
 * was stored for it (keeping its triggered run); else only when it is not
 * stored yet, returning 1 (and writing nothing) when another process
 * stored it first.  *id: the batch row. */
int store_drift_batch_save(struct store *st, int64_t monitor, const struct drift_batch_row *b,
			   const struct drift_result_row *cols, size_t n, bool replace, int64_t *id,
			   struct err *err);
int store_drift_batch_set_run(struct store *st, int64_t batch, int64_t run, struct err *err);
/* The run a batch's drift queued (0: none). */
int store_drift_batch_run(struct store *st, int64_t batch, int64_t *run, struct err *err);
/* A run some batch of the monitor queued that is still queued or running
 * (0: none). */
int store_drift_waiting_run(struct store *st, int64_t monitor, int64_t *run, struct err *err);
/* A monitor's batches in name order (all monitors when NULL). */
int store_drift_batches(struct store *st, const char *monitor, struct drift_batch_row **v, size_t *n,
			struct err *err);
void store_drift_batches_free(struct drift_batch_row *v, size_t n);
int store_drift_results(struct store *st, int64_t batch, struct drift_result_row **v, size_t *n,
			struct err *err);
void store_drift_results_free(struct drift_result_row *v, size_t n);
/* The monitors that have stored batches, by name. */
int store_monitor_names(struct store *st, char ***names, size_t *n, struct err *err);

/* A schedule's state: value NULL (and *fired 0) when never seen. */
int store_schedule_get(struct store *st, const char *name, char **value, int64_t *fired,
		       struct err *err);
int store_schedule_set(struct store *st, const char *name, const char *kind, const char *value,
		       int64_t fired, int64_t run, struct err *err);
/* The files a watch schedule has seen: "path\tmtime\tsize" each. */
int store_watch_files(struct store *st, const char *schedule, struct strv *out, struct err *err);
int store_watch_file_set(struct store *st, const char *schedule, const char *path, int64_t mtime,
			 int64_t size, struct err *err);

#endif

