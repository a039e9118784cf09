/* cmd_plot.c - `mlwb plot`: a metric of one or more runs as PNG, SVG or PDF. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlwb/chart.h"
#include "mlwb/plot.h"

/* `mlwb plot --drift MONITOR -o FILE`: the heatmap and the share chart. */
static int plot_drift_cmd(const char *monitor, const char *out, int width, int height)
{
	struct project p;
	struct store *st;
	struct err err;
	int rc;
	if (!plot_format(out))
		return cli_error(2, "%s: the file name must end in .png, .svg or .pdf", out);
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	/* the dataset threshold from mlwb.yaml, when the monitor is there */
	double share = 0.5;
	struct spec *spec = NULL;
	struct diags d;
	if (path_exists(p.yaml) && pipeline_spec_load(p.yaml, "mlwb.yaml", &spec, &d) == 0) {
		const struct monitor_spec *m = pipeline_monitor_find(spec, monitor);
		if (m)
			share = m->share;
	}
	if (path_exists(p.yaml))
		diags_free(&d);
	pipeline_spec_free(spec);
	if ((rc = cli_open_store(&p, &st)) == 0) {
		if (plot_drift_file(st, monitor, share, out, width, height, &err) < 0)
			rc = cli_report(&err);
		else
			printf("wrote %s\n", out);
		store_close(st);
	}
	project_free(&p);
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	const char *metric = NULL, *out = NULL, *xmode = "step", *drift = NULL, *val;
	double smooth = 0;
	bool logy = false;
	int width = 0, height = 0, m;
	struct strv ids = {0};
	struct project p;
	struct store *st;
	struct err err;
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((m = cli_opt("plot", argc, argv, &i, "--metric", &val)) != 0) {
			if (m < 0)
				goto usage;
			metric = val;
		} else if ((m = cli_opt("plot", argc, argv, &i, "-o", &val)) != 0 ||
			   (m = cli_opt("plot", argc, argv, &i, "--output", &val)) != 0) {
			if (m < 0)
				goto usage;
			out = val;
		} else if ((m = cli_opt("plot", argc, argv, &i, "--smooth", &val)) != 0) {
			if (m < 0)
				goto usage;
			if (!str_to_double(val, &smooth) || smooth < 0 || smooth >= 1) {
				strv_free(&ids);
				return cli_usage_error("plot", "--smooth takes a weight in [0, 1), e.g. 0.6");
			}
		} else if ((m = cli_opt("plot", argc, argv, &i, "--x", &val)) != 0) {
			if (m < 0)
				goto usage;
			if (strcmp(val, "step") && strcmp(val, "time")) {
				strv_free(&ids);
				return cli_usage_error("plot", "--x takes step or time");
			}
			xmode = val;
		} else if ((m = cli_opt("plot", argc, argv, &i, "--size", &val)) != 0) {
			if (m < 0)
				goto usage;
			if (sscanf(val, "%dx%d", &width, &height) != 2 || width < 100 || height < 100 || width > 10000 ||
			    height > 10000) {
				strv_free(&ids);
				return cli_usage_error("plot", "--size takes WIDTHxHEIGHT, e.g. 1200x700");
			}
		} else if ((m = cli_opt("plot", argc, argv, &i, "--drift", &val)) != 0) {
			if (m < 0)
				goto usage;
			drift = val;
		} else if (!strcmp(argv[i], "--logy")) {
			logy = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			strv_free(&ids);
			return cli_usage_error("plot", "unknown option %s", argv[i]);
		} else {
			strv_push(&ids, argv[i]);
		}
	}
	if (drift) {
		strv_free(&ids);
		if (!out)
			return cli_usage_error("plot", "--drift MONITOR needs -o FILE");
		return plot_drift_cmd(drift, out, width, height);
	}
	if (!ids.n || !metric || !out) {
		strv_free(&ids);
		return cli_usage_error("plot", "give runs, --metric NAME and -o FILE");
	}
	if (!plot_format(out)) {
		strv_free(&ids);
		return cli_error(2, "%s: the file name must end in .png, .svg or .pdf", out);
	}
	if ((rc = cli_find_project(&p)) != 0) {
		strv_free(&ids);
		return rc;
	}
	if ((rc = cli_open_store(&p, &st)) != 0)
		goto out_project;
	struct plot_series *series = xcalloc(ids.n, sizeof(*series));
	struct metric_series *hist = xcalloc(ids.n, sizeof(*hist));
	double **xs = xcalloc(ids.n, sizeof(*xs)), **sm = xcalloc(ids.n, sizeof(*sm));
	char **labels = xcalloc(ids.n, sizeof(*labels));
	size_t n = 0;
	for (size_t i = 0; i < ids.n; i++) {
		long id;
		struct run_info ri;
		if (!str_to_long(ids.v[i], &id) || id < 1) {
			rc = cli_usage_error("plot", "a run id is a positive number, got \"%s\"", ids.v[i]);
			goto out_series;
		}
		if (store_run_get(st, id, &ri, &err) < 0) {
			rc = cli_report(&err);
			goto out_series;
		}
		int64_t t0 = ri.started ? ri.started : ri.created;
		store_run_info_free(&ri);
		if (store_metric_values(st, id, metric, !strcmp(xmode, "time"), &hist[n], &err) < 0) {
			rc = cli_report(&err);
			goto out_series;
		}
		if (!hist[n].n) {
			rc = cli_error(2, "run %ld has no metric \"%s\"", id, metric);
			n++;
			goto out_series;
		}
		xs[n] = xcalloc(hist[n].n, sizeof(double));
		for (size_t k = 0; k < hist[n].n; k++)
			xs[n][k] = !strcmp(xmode, "time") ? (double)(hist[n].time[k] - t0) / 1000.0 : (double)hist[n].step[k];
		series[n].x = xs[n];
		series[n].y = hist[n].value;
		series[n].n = hist[n].n;
		if (smooth > 0) {
			sm[n] = xcalloc(hist[n].n, sizeof(double));
			chart_ema(hist[n].value, hist[n].n, smooth, sm[n]);
			series[n].y = sm[n];
			series[n].raw = hist[n].value;
		}
		labels[n] = xasprintf("run %ld", id);
		series[n].label = labels[n];
		n++;
	}
	struct plot_opts po = {0};
	char *title = smooth > 0 ? xasprintf("%s (smoothed %.2g)", metric, smooth) : xstrdup(metric);
	po.title = title;
	po.xlabel = !strcmp(xmode, "time") ? "seconds since the run started" : "step";
	po.ylabel = metric;
	po.logy = logy;
	po.width = width;
	po.height = height;
	double t = time_mono();
	if (plot_write(out, series, n, &po, &err) < 0)
		rc = cli_report(&err);
	else
		printf("wrote %s (%zu run%s, %.0f ms)\n", out, n, n == 1 ? "" : "s", (time_mono() - t) * 1000);
	free(title);
out_series:
	for (size_t i = 0; i < ids.n; i++) {
		store_metric_series_free(&hist[i]);
		free(xs[i]);
		free(sm[i]);
		free(labels[i]);
	}
	free(series);
	free(hist);
	free(xs);
	free(sm);
	free(labels);
	store_close(st);
out_project:
	project_free(&p);
	strv_free(&ids);
	return rc;
usage:
	strv_free(&ids);
	return 2;
}
