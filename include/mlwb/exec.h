/* exec.h - the executor: the one process per project that runs jobs.
 *
 * The CLI and the UI never run jobs: they queue runs in the store and wake
 * the executor (exec_ensure), which starts it detached when none is running.
 * The executor holds .mlwb/executor.lock (flock) for its whole life, so there
 * is at most one per project; it schedules the ready tasks of every queued
 * run in DAG order within the machine's resources, supervises each attempt
 * in its own process group, reads the jobs' logging protocol from the pipe
 * in MLWB_FD, and records everything in the store.  It is the only module
 * that forks.
 */
#ifndef MLWB_EXEC_H
#define MLWB_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "mlwb/err.h"
#include "mlwb/pipeline.h"
#include "mlwb/project.h"
#include "mlwb/store.h"

struct exec_config {
	bool foreground;     /* also log to stderr */
	int64_t idle_ms;     /* stop after this long with nothing to do; 0: never */
	double cpu;          /* capacity: cores */
	int64_t mem;         /* capacity: bytes */
	int gpus;            /* capacity: GPUs, handed out via CUDA_VISIBLE_DEVICES */
	int64_t grace_ms;    /* SIGTERM, then SIGKILL after this long */
	int64_t backoff_ms;  /* delay before the first retry; doubles each time */
	char *helper_dir;    /* the Python helper's folder, put on PYTHONPATH */
};

/* Defaults from the machine (CPU count, total memory, /dev/nvidiaN) and the
 * environment: MLWB_EXECUTOR_IDLE (a duration), MLWB_CPUS, MLWB_MEM,
 * MLWB_GPUS, MLWB_KILL_GRACE, MLWB_RETRY_BACKOFF.  Free with
 * exec_config_free. */
void exec_config_default(struct exec_config *c);
void exec_config_free(struct exec_config *c);

/* Runs the executor in this process until it is idle for idle_ms or asked to
 * stop.  Returns 0 then; 1 (with err) when another executor holds the
 * project; -1 on a real error.  `wait_lock_ms` waits that long for the lock
 * (a stopping executor releases it soon). */
int exec_serve(const struct project *p, const struct exec_config *c, int64_t wait_lock_ms,
	       struct err *err);

/* Nudges a running executor to look at the queue now.  0 when one heard. */
int exec_wake(const struct project *p);
/* Wakes the executor, or starts one detached (setsid, logging to
 * .mlwb/executor.log) when none is running. */
int exec_ensure(const struct project *p, struct err *err);

struct exec_state {
	bool running;
	int pid;
	int64_t started; /* epoch ms */
};
int exec_probe(const struct project *p, struct exec_state *s);
/* Asks the executor to stop: after its running tasks finish, or at once
 * (`now`: running attempts are killed and recorded as lost).  Waits up to
 * wait_ms for it to exit. */
int exec_stop(const struct project *p, bool now, int64_t wait_ms, struct err *err);

/* ---- queueing runs (launch.c) ---- */
struct launch_opts {
	const char *pipeline; /* NULL: the only pipeline */
	const char *sweep;    /* a sweep of mlwb.yaml instead */
	const char *experiment, *note;
	const struct strv *overrides; /* "name=value" */
	bool no_cache;
	const char *trigger, *trigger_detail; /* NULL: manual */
	bool no_wake; /* the caller runs the executor itself (mlwb ci) */
	bool in_tx;   /* the caller holds a store transaction: write in it,
		       * commit nothing, wake nobody (the caller does) */
};

struct launch_result {
	int64_t id; /* the run, or the sweep's parent run */
	size_t children;
	const struct pipeline *pipeline; /* points into the spec */
	const struct sweep *sweep;
};

/* Records a run (or a sweep: a parent and its child runs) with its tasks,
 * params and git provenance (the uncommitted diff stored as an artifact),
 * then wakes the executor.  Unknown pipelines or sweeps and params that do
 * not fit their defaults are errors (code 2) and write nothing. */
int exec_launch(const struct project *p, struct store *st, const struct spec *spec,
		const struct launch_opts *o, struct launch_result *res, struct err *err);

#endif
