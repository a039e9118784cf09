/* workspace.h - a run's isolated copy of the project (internal to src/exec).
 *
 * Each run executes in .mlwb/runs/<id>/ws: the files git tracks, copied as
 * they are in the work tree (every file when the project is not in git), and
 * the inputs that git does not track linked rather than copied when large.
 * Paths that tasks produce are left out: the tasks write them.
 */
#ifndef MLWB_EXEC_WORKSPACE_H
#define MLWB_EXEC_WORKSPACE_H

#include "mlwb/err.h"
#include "mlwb/store.h"
#include "mlwb/util.h"

/* Files at least this big are linked, not copied, when git does not track
 * them. */
#define WORKSPACE_LINK_BYTES (1 << 20)

int workspace_create(const char *root, const char *ws, const struct strv *inputs,
		     const struct strv *products, struct err *err);
/* Writes the params as nested JSON ("train.lr" -> {"train": {"lr": ..}}). */
int workspace_write_params(const char *path, const struct kv *params, size_t n, struct err *err);

#endif
