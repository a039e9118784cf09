/* triggers.h - what the executor starts on its own (internal to src/exec):
 * the schedules of mlwb.yaml (cron, a git branch's tip, new files under a
 * path) and the monitors' new batches, evaluated by `mlwb monitor run` in a
 * child process so that the executor's loop never waits on a large CSV
 * file.
 */
#ifndef MLWB_EXEC_TRIGGERS_H
#define MLWB_EXEC_TRIGGERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "mlwb/project.h"
#include "mlwb/store.h"

struct triggers;

typedef void (*triggers_log_fn)(void *arg, const char *msg);

/* keep_fd: the executor's log, where the monitors' evaluation (a child
 * process running `mlwb monitor run --log`) writes; -1: nowhere. */
struct triggers *triggers_new(const struct project *p, triggers_log_fn log, void *arg, int keep_fd);
void triggers_free(struct triggers *t);
/* Reloads mlwb.yaml when it changed, fires the schedules that are due and
 * starts a monitor evaluation when batches are waiting.  True when it
 * queued a run (the executor should read the queue). */
bool triggers_tick(struct triggers *t, struct store *st, int64_t now);
/* A child exited: true when it was the monitors' evaluation. */
bool triggers_reaped(struct triggers *t, pid_t pid, int status);
/* Does the project have schedules or monitors?  Then the executor stays. */
bool triggers_any(const struct triggers *t);

#endif
