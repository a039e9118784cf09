/* compare.h - runs side by side: params (which differ) and metrics (last,
 * min, max, the best value and its step, the best run per metric in the
 * metric's direction: lower for loss-like names, higher otherwise). */
#ifndef MLWB_COMPARE_H
#define MLWB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlwb/err.h"
#include "mlwb/pipeline.h"
#include "mlwb/store.h"

struct compare_param {
	char *name;
	char **values; /* one per run, NULL where the run lacks it */
	bool differs;
};

struct compare_cell {
	bool has;
	double last, min, max, best;
	int64_t best_step;
};

struct compare_metric {
	char *name;
	bool lower; /* lower is better */
	int best;   /* index of the best run, -1 when no run has a value */
	struct compare_cell *runs;
};

struct compare {
	size_t n;
	int64_t *ids;
	struct compare_param *params;
	size_t n_params;
	struct compare_metric *metrics;
	size_t n_metrics;
};

/* goals (may be NULL) overrides the guess from the name for some metrics. */
int compare_runs(struct store *st, const int64_t *ids, size_t n, const struct metric_goal *goals,
		 size_t n_goals, struct compare *out, struct err *err);
void compare_free(struct compare *c);

#endif
