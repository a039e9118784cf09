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

struct store;

/* Schema version this build writes. */
#define STORE_SCHEMA_VERSION 1

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

#endif
