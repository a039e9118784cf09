/* plot.h - charts as files (PNG, SVG, PDF) through plplot.
 *
 * plplot prints menus on stdout when a device is wrong and calls exit() on
 * fatal errors, so the device and the output path are checked first and the
 * drawing happens in a child process whose output is captured: a failure
 * comes back as one error, never as output on the terminal or an exit. */
#ifndef MLWB_PLOT_H
#define MLWB_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "mlwb/err.h"

struct plot_series {
	const char *label;
	const double *x, *y;
	size_t n;
	const double *raw; /* when smoothed: the raw values, drawn faint; or NULL */
};

struct plot_opts {
	const char *title, *xlabel, *ylabel;
	bool logy;
	int width, height; /* pixels for PNG, points for SVG/PDF; 0: 1200x700 */
};

/* The file format from the name's extension: "png", "svg", "pdf", or NULL. */
const char *plot_format(const char *path);
int plot_write(const char *path, const struct plot_series *s, size_t n, const struct plot_opts *o,
	       struct err *err);

/* Drift of a monitor: a heatmap of columns x batches coloured by how far
 * each test is past its threshold, and the share of drifted columns per
 * batch with the dataset threshold. */
struct plot_drift {
	const char *title;                /* the monitor */
	size_t ncols, nbatches;
	const char *const *columns, *const *batches;
	const double *ratio;              /* ncols x nbatches, row-major; NaN: untested */
	const double *share;              /* per batch */
	const bool *drifting;             /* per batch: dataset drift */
	double share_threshold;
	int width, height;
};
int plot_drift_write(const char *path, const struct plot_drift *d, struct err *err);
/* plot_drift_write from what the store holds for `monitor`. */
struct store;
int plot_drift_file(struct store *st, const char *monitor, double share_threshold, const char *path, int width,
		    int height, struct err *err);
/* 1 at the threshold, larger past it (p-values on a log scale); NaN untested. */
double plot_drift_ratio(double score, double threshold, bool p_value);

#endif
