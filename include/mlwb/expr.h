/* expr.h - the small expression language of the Runs filter (and, later,
 * of the registry's promotion gates).
 *
 *   status=failed
 *   metrics.auc > 0.8 and params.train.lr < 0.1
 *   not (user = alice or trigger = sweep)
 *
 * Comparisons: = (also ==), !=, <, <=, >, >=, ~ (contains).  Both sides are
 * compared as numbers when both read as numbers, else as text.  A name that
 * the resolver does not know is an error at evaluation ("unknown name").
 * `and` binds tighter than `or`; `not` and parentheses as usual.  A bare
 * word with no operator matches names whose value contains it (a quick
 * search: `resnet`).
 */
#ifndef MLWB_EXPR_H
#define MLWB_EXPR_H

#include <stdbool.h>

#include "mlwb/err.h"
#include "mlwb/store.h"

struct expr;

int expr_parse(const char *text, struct expr **out, struct err *err);
void expr_free(struct expr *e);

/* Returns the value of a name as text (owned by the resolver, valid until
 * the next call), or NULL when the name is unknown, or expr_vacuous when a
 * comparison with it holds whatever it says (a gate against a stage that no
 * version holds yet). */
extern const char expr_vacuous[];
typedef const char *(*expr_resolve_fn)(void *arg, const char *name);
/* For a bare word: does any value of the item contain it? */
typedef bool (*expr_search_fn)(void *arg, const char *word);

/* 1 true, 0 false, -1 error (an unknown name: err says which). */
int expr_eval(const struct expr *e, expr_resolve_fn resolve, expr_search_fn search, void *arg,
	      struct err *err);

/* The Runs filter: evaluates e over a run (loaded with details), with the
 * names id, status, pipeline, experiment, user, trigger, note, commit,
 * branch, params.NAME, metrics.NAME (the last value) and tags.NAME; a bare
 * word matches the run's text fields and param values. */
int expr_eval_run(const struct expr *e, const struct run_info *r, struct err *err);

#endif
