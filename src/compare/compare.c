/* compare.c - building the side-by-side tables of runs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/chart.h"
#include "mlwb/compare.h"
#include "mlwb/util.h"

static struct compare_param *param_slot(struct compare *c, const char *name)
{
	for (size_t i = 0; i < c->n_params; i++)
		if (!strcmp(c->params[i].name, name))
			return &c->params[i];
	c->params = xrealloc(c->params, (c->n_params + 1) * sizeof(*c->params));
	struct compare_param *p = &c->params[c->n_params++];
	p->name = xstrdup(name);
	p->values = xcalloc(c->n, sizeof(*p->values));
	p->differs = false;
	return p;
}

static struct compare_metric *metric_slot(struct compare *c, const char *name, const struct metric_goal *goals,
					  size_t n_goals)
{
	for (size_t i = 0; i < c->n_metrics; i++)
		if (!strcmp(c->metrics[i].name, name))
			return &c->metrics[i];
	c->metrics = xrealloc(c->metrics, (c->n_metrics + 1) * sizeof(*c->metrics));
	struct compare_metric *m = &c->metrics[c->n_metrics++];
	m->name = xstrdup(name);
	m->lower = chart_lower_is_better(name);
	for (size_t g = 0; g < n_goals; g++)
		if (!strcmp(goals[g].name, name))
			m->lower = goals[g].lower;
	m->best = -1;
	m->runs = xcalloc(c->n, sizeof(*m->runs));
	return m;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct compare_param *)a)->name, ((const struct compare_param *)b)->name);
}

static int metric_by_name(const void *a, const void *b)
{
	return strcmp(((const struct compare_metric *)a)->name, ((const struct compare_metric *)b)->name);
}

int compare_runs(struct store *st, const int64_t *ids, size_t n, const struct metric_goal *goals,
		 size_t n_goals, struct compare *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->ids = xcalloc(n + 1, sizeof(*out->ids));
	memcpy(out->ids, ids, n * sizeof(*ids));
	for (size_t r = 0; r < n; r++) {
		struct run_info ri;
		struct metric_best *best;
		size_t nb;
		if (store_run_get(st, ids[r], &ri, err) < 0) {
			compare_free(out);
			return -1;
		}
		for (size_t i = 0; i < ri.n_params; i++)
			param_slot(out, ri.params[i].name)->values[r] = xstrdup(ri.params[i].value);
		for (size_t i = 0; i < ri.n_metrics; i++) {
			struct compare_cell *cell = &metric_slot(out, ri.metrics[i].name, goals, n_goals)->runs[r];
			cell->has = true;
			cell->last = ri.metrics[i].last;
			cell->min = ri.metrics[i].min;
			cell->max = ri.metrics[i].max;
		}
		store_run_info_free(&ri);
		if (store_metric_best(st, ids[r], &best, &nb, err) < 0) {
			compare_free(out);
			return -1;
		}
		for (size_t i = 0; i < nb; i++) {
			struct compare_metric *m = metric_slot(out, best[i].name, goals, n_goals);
			struct compare_cell *cell = &m->runs[r];
			cell->has = true;
			cell->best = m->lower ? best[i].min : best[i].max;
			cell->best_step = m->lower ? best[i].min_step : best[i].max_step;
		}
		store_metric_best_free(best, nb);
	}
	for (size_t i = 0; i < out->n_params; i++) {
		struct compare_param *p = &out->params[i];
		for (size_t r = 1; r < n && !p->differs; r++) {
			const char *a = p->values[0] ? p->values[0] : "", *b = p->values[r] ? p->values[r] : "";
			p->differs = strcmp(a, b) != 0 || !p->values[0] != !p->values[r];
		}
	}
	for (size_t i = 0; i < out->n_metrics; i++) {
		struct compare_metric *m = &out->metrics[i];
		for (size_t r = 0; r < n; r++) {
			if (!m->runs[r].has || isnan(m->runs[r].best))
				continue;
			if (m->best < 0 || (m->lower ? m->runs[r].best < m->runs[m->best].best
						     : m->runs[r].best > m->runs[m->best].best))
				m->best = (int)r;
		}
	}
	if (out->n_params)
		qsort(out->params, out->n_params, sizeof(*out->params), by_name);
	if (out->n_metrics)
		qsort(out->metrics, out->n_metrics, sizeof(*out->metrics), metric_by_name);
	return 0;
}

void compare_free(struct compare *c)
{
	for (size_t i = 0; i < c->n_params; i++) {
		for (size_t r = 0; r < c->n; r++)
			free(c->params[i].values[r]);
		free(c->params[i].values);
		free(c->params[i].name);
	}
	free(c->params);
	for (size_t i = 0; i < c->n_metrics; i++) {
		free(c->metrics[i].runs);
		free(c->metrics[i].name);
	}
	free(c->metrics);
	free(c->ids);
	memset(c, 0, sizeof(*c));
}
