/* monitor.h - the monitors of mlwb.yaml: batches, evaluation, the feedback
 * loop to retraining.
 *
 * A monitor compares each batch of current data with a reference (a CSV
 * file, or an artifact of a registered model's run) column by column
 * (drift.h) and stores every batch once.  A batch is a file matching the
 * monitor's `current` glob, or a closed time window of one file.  When a
 * batch drifts and the monitor has `on_drift`, one run is queued for that
 * batch (trigger "drift", its cause in the trigger detail) and linked to
 * it; a stored batch is never evaluated again unless asked, so a trigger
 * fires at most once per drifting batch.  In one pass, later drifting
 * batches are linked to the run the first one queued; across passes, to a
 * run the monitor queued that still waits (queued or running): a backlog of
 * drifting batches evaluated at once asks for one retraining, not one per
 * file.  Passes take turns (flock on .mlwb/monitor.lock).
 */
#ifndef MLWB_MONITOR_H
#define MLWB_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "mlwb/err.h"
#include "mlwb/pipeline.h"
#include "mlwb/project.h"
#include "mlwb/store.h"

struct monitor_batch {
	char *name;     /* the file relative to the project, or the window start */
	char *path;     /* the file (absolute) */
	int64_t start_ms, end_ms; /* a window: [start, end) */
};

/* The batches as they are now, in name (or time) order.  Windows are
 * listed only once closed (end <= now). */
int monitor_batches(const struct project *p, const struct monitor_spec *m, struct monitor_batch **v,
		    size_t *n, struct err *err);
void monitor_batches_free(struct monitor_batch *v, size_t n);

struct monitor_event {
	const char *monitor;
	const struct drift_batch_row *batch; /* as stored */
	int64_t queued_run;                  /* 0: none queued */
	bool joined;                         /* queued_run was queued before, by
					      * an earlier drifting batch, and has
					      * not started: it answers this one */
	const char *error;                   /* the batch could not be evaluated */
};

struct monitor_run_opts {
	bool again;       /* evaluate stored batches again (never re-trigger) */
	bool no_trigger;  /* never queue on_drift */
	void (*event)(void *arg, const struct monitor_event *e);
	void *arg;
};

/* Evaluates the monitor's batches that are not stored yet.  A batch that
 * cannot be read is reported (event, then err) but does not stop the
 * others; returns the number evaluated, or -1 with err when the reference
 * or a batch failed. */
int monitor_run(const struct project *p, struct store *st, const struct spec *spec,
		const struct monitor_spec *m, const struct monitor_run_opts *o, struct err *err);

/* How many of the monitor's batches are not stored yet (for the executor's
 * cheap look before it evaluates). */
int monitor_pending(const struct project *p, struct store *st, const struct monitor_spec *m,
		    size_t *pending, struct err *err);

/* Parses a timestamp: epoch seconds (or milliseconds when > 1e11), or ISO
 * 8601 "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)HH:MM]" (UTC when no
 * offset).  false when it is none. */
bool monitor_parse_time(const char *s, int64_t *ms);

#endif
