/* registry.h - the model registry: versions of models that point to
 * artifacts and the runs that made them, stages and aliases, and the gates
 * that decide promotions.  SQL stays in the store; this module holds the
 * rules.
 *
 * A gate is an expression (see expr.h) over the run's metrics (`auc`),
 * params (`params.train.lr`) and the metrics of the runs behind the current
 * holders of stages (`production.auc`, `staging.loss`, `champion.auc`).  A
 * comparison against a stage that no version holds yet passes: the first
 * good model gets promoted.  An unknown metric is an error.
 */
#ifndef MLWB_REGISTRY_H
#define MLWB_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "mlwb/err.h"
#include "mlwb/store.h"

/* Evaluates `gate` for a new version of `model` made by `run`.  *reason is a
 * sentence with the values compared (caller frees). */
int registry_gate(struct store *st, const char *model, int64_t run, const char *gate, bool *passed,
		  char **reason, struct err *err);

struct registered {
	int version;
	int gate_passed; /* -1: no gate */
	char *gate_reason;
	char *promoted_to; /* NULL: not promoted */
};

/* Registers the output `artifact` (a path) of `run` as a new version of
 * `model`, evaluates the gate and, when it passes, gives the version
 * `promote_to` (may be NULL).  A failed gate is not an error. */
int registry_register(struct store *st, const char *model, int64_t run, const char *artifact,
		      const char *gate, const char *promote_to, const char *user, struct registered *out,
		      struct err *err);
void registry_registered_free(struct registered *r);

/* Moves a stage or alias to a version ("archived" archives it).  A version
 * whose gate failed, or that is archived, needs `force`. */
int registry_promote(struct store *st, const char *model, int version, const char *stage,
		     const char *reason, bool force, const char *user, struct err *err);

/* Finds "NAME", "NAME@STAGE" or "NAME@VERSION" (NAME alone: production, else
 * the newest version). */
int registry_resolve(struct store *st, const char *spec, struct model_version_row **row, struct err *err);

/* The OS user, for the history. */
const char *registry_user(void);

#endif
