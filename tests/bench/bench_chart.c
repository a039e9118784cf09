/* bench_chart - the chart and compare targets:
 *   reduce and draw 1,000,000 points into a 200x50 braille chart (< 10 ms)
 *   compare 100 runs x 20 metrics (< 100 ms)
 * and it leaves a project whose run 1 holds a 1,000,000-point metric, for
 * the PNG export timing in bench_chart.sh.
 * usage: bench_chart DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/chart.h"
#include "mlwb/compare.h"
#include "mlwb/project.h"
#include "mlwb/store.h"
#include "mlwb/util.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp/mlwb-bench-chart";
	struct project p;
	struct store *st;
	struct err err;
	char *cmd = xasprintf("rm -rf '%s' && mkdir -p '%s'", dir, dir);

	if (system(cmd) != 0)
		return 1;
	free(cmd);
	project_at(dir, &p);
	if (project_make_dirs(&p, &err) < 0 || store_open(p.db, STORE_CREATE, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	/* one run with a million points, 100 runs with 20 metrics of 200 steps */
	int64_t ids[101];
	struct metric_point *pts = xcalloc(1000000, sizeof(*pts));
	char names[20][16];
	for (int k = 0; k < 20; k++)
		snprintf(names[k], sizeof(names[k]), "%s%d", k % 2 ? "loss" : "acc", k);
	store_begin(st, &err);
	for (int r = 0; r <= 100; r++) {
		struct run_new rn = {0};
		rn.pipeline = "train";
		rn.git_dirty = -1;
		store_run_create(st, &rn, &ids[r], &err);
		size_t n = 0;
		if (r == 0) {
			for (int i = 0; i < 1000000; i++) {
				pts[n].name = "big";
				pts[n].step = i;
				pts[n].value = sin(i / 5000.0) + (i == 777777 ? 5 : 0);
				pts[n].time = 0;
				pts[n].task_id = 0;
				n++;
			}
		} else {
			for (int k = 0; k < 20; k++)
				for (int s = 0; s < 200; s++) {
					pts[n].name = names[k];
					pts[n].step = s;
					pts[n].value = 1.0 / (s + 1) + 0.001 * r * k;
					pts[n].time = 0;
					pts[n].task_id = 0;
					n++;
				}
		}
		store_metrics_append(st, ids[r], pts, n, &err);
	}
	store_commit(st, &err);
	free(pts);

	struct metric_series s;
	store_metric_history(st, ids[0], "big", &s, &err);
	double *x = xcalloc(s.n, sizeof(*x));
	for (size_t i = 0; i < s.n; i++)
		x[i] = (double)s.step[i];
	double t_draw[21];
	struct braille b;
	braille_init(&b, 200, 50);
	char row[3 * 200 + 1];
	for (int k = 0; k < 21; k++) {
		double t0 = time_mono();
		braille_clear(&b);
		chart_plot(&b, x, s.value, s.n, 0, (double)s.n - 1, -1.5, 6, false);
		for (int r = 0; r < 50; r++)
			braille_row(&b, r, row);
		t_draw[k] = (time_mono() - t0) * 1000;
	}
	qsort(t_draw, 21, sizeof(double), cmp);
	braille_free(&b);
	double t_cmp[11];
	for (int k = 0; k < 11; k++) {
		struct compare c;
		double t0 = time_mono();
		compare_runs(st, ids + 1, 100, NULL, 0, &c, &err);
		t_cmp[k] = (time_mono() - t0) * 1000;
		compare_free(&c);
	}
	qsort(t_cmp, 11, sizeof(double), cmp);
	printf("reduce and draw %zu points into a 200x50 braille chart: median %.2f ms (target < 10 ms)\n", s.n, t_draw[10]);
	printf("compare 100 runs x 20 metrics (200 steps each, best steps included): median %.1f ms (target < 100 ms)\n",
	       t_cmp[5]);
	store_metric_series_free(&s);
	free(x);
	store_close(st);
	project_free(&p);
	return 0;
}
