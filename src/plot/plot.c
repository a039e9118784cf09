/* plot.c - plplot in a child process. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mlwb/chart.h"
#include "mlwb/plot.h"
#include "mlwb/store.h"
#include "mlwb/util.h"

/* Series colours for paper and slides (white background): the default
 * theme's hues, darkened until they read on white. */
static const int palette[][3] = {
	{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
	{148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
};
#define PALETTE (sizeof(palette) / sizeof(palette[0]))
/* A series longer than this is reduced to per-column min/max first. */
#define MAX_POINTS 4000

const char *plot_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return NULL;
	if (!strcasecmp(dot, ".png"))
		return "png";
	if (!strcasecmp(dot, ".svg"))
		return "svg";
	if (!strcasecmp(dot, ".pdf"))
		return "pdf";
	return NULL;
}

/* min/max per column, as x/y pairs (two points per column). */
static size_t reduce(const struct plot_series *s, double **xo, double **yo)
{
	size_t cols = MAX_POINTS / 2;
	double x0 = INFINITY, x1 = -INFINITY;

	for (size_t i = 0; i < s->n; i++) {
		if (s->x[i] < x0)
			x0 = s->x[i];
		if (s->x[i] > x1)
			x1 = s->x[i];
	}
	double *lo = xcalloc(cols, sizeof(*lo)), *hi = xcalloc(cols, sizeof(*hi));
	bool *has = xcalloc(cols, sizeof(*has));
	chart_reduce(s->x, s->y, s->n, x0, x1, cols, lo, hi, has);
	*xo = xcalloc(2 * cols, sizeof(**xo));
	*yo = xcalloc(2 * cols, sizeof(**yo));
	size_t k = 0;
	for (size_t c = 0; c < cols; c++) {
		if (!has[c])
			continue;
		double x = x0 + ((double)c + 0.5) * (x1 - x0) / (double)cols;
		(*xo)[k] = x;
		(*yo)[k++] = lo[c];
		(*xo)[k] = x;
		(*yo)[k++] = hi[c];
	}
	free(lo);
	free(hi);
	free(has);
	return k;
}

static void draw(const char *dev, const char *path, const struct plot_series *s, size_t n,
		 const struct plot_opts *o)
{
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
	int w = o->width > 0 ? o->width : 1200, h = o->height > 0 ? o->height : 700;

	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < s[k].n; i++)
			for (int pass = 0; pass < 2; pass++) {
				/* the raw series behind a smoothed one counts too */
				double y = pass ? (s[k].raw ? s[k].raw[i] : NAN) : s[k].y[i];
				if (!isfinite(y) || (o->logy && y <= 0))
					continue;
				xmin = fmin(xmin, s[k].x[i]);
				xmax = fmax(xmax, s[k].x[i]);
				ymin = fmin(ymin, y);
				ymax = fmax(ymax, y);
			}
	if (!isfinite(xmin)) {
		xmin = 0;
		xmax = 1;
		ymin = o->logy ? 1 : 0;
		ymax = o->logy ? 10 : 1;
	}
	if (xmax == xmin)
		xmax = xmin + 1;
	if (ymax == ymin) {
		ymin -= o->logy ? ymin / 2 : 0.5;
		ymax += o->logy ? ymax : 0.5;
	}
	double pad = (ymax - ymin) * 0.05;
	if (o->logy) {
		ymin = log10(ymin);
		ymax = log10(ymax);
		pad = (ymax - ymin) * 0.05;
	}
	plsdev(dev);
	plsfnam(path);
	plspage(0, 0, w, h, 0, 0);
	plscolbg(255, 255, 255);
	plscol0(1, 0, 0, 0);       /* axes, labels: black */
	plscol0(15, 220, 220, 220); /* the grid: light grey */
	plinit();
	pladv(0);
	plvpor(0.11, 0.97, 0.14, 0.92);
	plwind(xmin, xmax, ymin - pad, ymax + pad);
	plschr(0, 1.1);
	plcol0(15);
	plwidth(0.5);
	plbox("g", 0, 0, o->logy ? "gl" : "g", 0, 0);
	plcol0(1);
	plwidth(1);
	plbox("bcnst", 0, 0, o->logy ? "bcnstvl" : "bcnstv", 0, 0);
	pllab(o->xlabel ? o->xlabel : "", o->ylabel ? o->ylabel : "", o->title ? o->title : "");
	plwidth(2.5);
	for (size_t k = 0; k < n; k++) {
		const int *c = palette[k % PALETTE];
		for (int pass = s[k].raw ? 0 : 1; pass < 2; pass++) {
			struct plot_series one = s[k];
			if (pass == 0) {
				one.y = s[k].raw; /* faint: the raw series behind the smoothed one */
				plscol0a(2, c[0], c[1], c[2], 0.25);
			} else {
				plscol0a(2, c[0], c[1], c[2], 1.0);
			}
			plcol0(2);
			double *xs = (double *)one.x, *ys = (double *)one.y;
			double *xs_own = NULL, *ys_own = NULL;
			size_t m = one.n;
			if (m > MAX_POINTS) {
				m = reduce(&one, &xs_own, &ys_own);
				xs = xs_own;
				ys = ys_own;
			}
			if (o->logy) {
				double *ly = xcalloc(m + 1, sizeof(*ly));
				for (size_t i = 0; i < m; i++)
					ly[i] = ys[i] > 0 ? log10(ys[i]) : NAN;
				free(ys_own);
				ys = ys_own = ly;
			}
			plline((PLINT)m, xs, ys);
			free(xs_own);
			free(ys_own);
		}
	}
	/* the legend, upper right */
	if (n > 0) {
		PLINT *opt = xcalloc(n, sizeof(PLINT)), *lcol = xcalloc(n, sizeof(PLINT)), *lsty = xcalloc(n, sizeof(PLINT));
		PLINT *tcol = xcalloc(n, sizeof(PLINT)), *zero = xcalloc(n, sizeof(PLINT));
		PLFLT *lw = xcalloc(n, sizeof(PLFLT)), *scales = xcalloc(n, sizeof(PLFLT));
		const char **text = xcalloc(n, sizeof(char *)), **sym = xcalloc(n, sizeof(char *));
		for (size_t k = 0; k < n; k++) {
			const int *c = palette[k % PALETTE];
			plscol0(3 + (PLINT)(k % 12), c[0], c[1], c[2]);
			opt[k] = PL_LEGEND_LINE;
			lcol[k] = 3 + (PLINT)(k % 12);
			tcol[k] = 1;
			lsty[k] = 1;
			lw[k] = 2.5;
			text[k] = s[k].label ? s[k].label : "";
			sym[k] = "";
		}
		PLFLT lwidth, lheight;
		pllegend(&lwidth, &lheight, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE,
			 0.02, 0.02, 0.1, 0, 1, 1, 0, 0, (PLINT)n, opt, 1.0, 1.0, 2.0, 1.0, tcol, text, zero, zero, scales,
			 scales, lcol, lsty, lw, zero, scales, zero, sym);
		free(opt);
		free(lcol);
		free(lsty);
		free(tcol);
		free(zero);
		free(lw);
		free(scales);
		free(text);
		free(sym);
	}
	plend();
}

typedef void (*draw_fn)(const char *dev, const char *path, const void *arg);

/* Draws into `path` through fn in a child process: the file appears whole
 * (a temporary, then a rename) or not at all. */
static int in_child(const char *path, draw_fn fn, const void *arg, struct err *err)
{
	const char *fmt = plot_format(path);
	int fds[2];

	if (!fmt)
		return err_set(err, "%s: the file name must end in .png, .svg or .pdf", path);
	/* Check what plplot would otherwise exit() on: the place to write. */
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash)
		slash == dir ? (void)(dir[1] = '\0') : (void)(*slash = '\0');
	else
		strcpy(dir, ".");
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(err, "cannot write %s: %s is not a directory", path, dir);
		free(dir);
		return -1;
	}
	if (access(dir, W_OK) < 0 || (access(path, F_OK) == 0 && access(path, W_OK) < 0)) {
		err_set(err, "cannot write %s: permission denied", path);
		free(dir);
		return -1;
	}
	free(dir);
	const char *dev = !strcmp(fmt, "png") ? "pngcairo" : !strcmp(fmt, "svg") ? "svgcairo" : "pdfcairo";
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if (pipe(fds) < 0) {
		free(tmp);
		return err_setc(err, 1, "cannot create a pipe: %s", strerror(errno));
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		free(tmp);
		return err_setc(err, 1, "cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		fn(dev, tmp, arg);
		_exit(0);
	}
	close(fds[1]);
	struct sbuf out;
	char buf[4096];
	ssize_t r;
	sbuf_init(&out);
	while ((r = read(fds[0], buf, sizeof(buf))) > 0)
		if (out.len < 65536)
			sbuf_add(&out, buf, (size_t)r);
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	int rc = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(tmp, &st) < 0 || st.st_size == 0) {
		/* plplot's own words, first line only */
		const char *msg = out.len ? sbuf_str(&out) : "plplot failed";
		size_t len = strcspn(msg, "\n");
		err_setc(err, 1, "plotting %s failed: %.*s", path, (int)len, msg);
		unlink(tmp);
		rc = -1;
	} else if (rename(tmp, path) < 0) {
		err_setc(err, 1, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	sbuf_free(&out);
	free(tmp);
	return rc;
}

struct series_args {
	const struct plot_series *s;
	size_t n;
	const struct plot_opts *o;
};

static void draw_series(const char *dev, const char *path, const void *arg)
{
	const struct series_args *a = arg;
	draw(dev, path, a->s, a->n, a->o);
}

int plot_write(const char *path, const struct plot_series *s, size_t n, const struct plot_opts *o,
	       struct err *err)
{
	struct series_args a = {s, n, o};
	return in_child(path, draw_series, &a, err);
}

/* ---- drift: the heatmap and the share over time ---- */

/* How far past its threshold a test is: 1 at the threshold, more beyond
 * (p-values on a log scale); NaN when the column was not tested. */
double plot_drift_ratio(double score, double threshold, bool p_value)
{
	if (isnan(score) || isnan(threshold) || threshold <= 0)
		return NAN;
	if (p_value)
		return score >= 1 ? 0 : score <= 0 ? INFINITY : log(score) / log(threshold);
	return score / threshold;
}

#define RATIO_MAX 4.0

static void draw_drift(const char *dev, const char *path, const void *arg)
{
	const struct plot_drift *d = arg;
	int w = d->width > 0 ? d->width : 1200, h = d->height > 0 ? d->height : 800;
	double nb = (double)d->nbatches, nc = (double)d->ncols;

	plsdev(dev);
	plsfnam(path);
	plspage(0, 0, w, h, 0, 0);
	plscolbg(255, 255, 255);
	plscol0(1, 0, 0, 0);
	plscol0(15, 200, 200, 200);
	plscol0(2, 31, 119, 180);
	plscol0(3, 214, 39, 40);
	/* colour map 1: green (0) - yellow (1: the threshold) - red (4) */
	PLFLT pos[] = {0.0, 0.25, 0.5, 1.0}, r[] = {0.6, 1.0, 0.95, 0.55}, g[] = {0.85, 0.9, 0.35, 0.0},
	      b[] = {0.6, 0.3, 0.2, 0.05};
	plscmap1n(256);
	plscmap1l(1, 4, pos, r, g, b, NULL);
	plinit();
	pladv(0);
	plschr(0, 1.0);

	/* the heatmap: columns of the data as rows, batches as columns */
	plvpor(0.16, 0.86, 0.47, 0.90);
	plwind(0, nb, 0, nc);
	for (size_t c = 0; c < d->ncols; c++)
		for (size_t bi = 0; bi < d->nbatches; bi++) {
			double v = d->ratio[c * d->nbatches + bi];
			PLFLT xs[4] = {(double)bi, (double)bi + 1, (double)bi + 1, (double)bi};
			PLFLT ys[4] = {nc - (double)c - 1, nc - (double)c - 1, nc - (double)c, nc - (double)c};
			if (isnan(v)) {
				plcol0(15);
			} else {
				double t = v > RATIO_MAX ? 1.0 : v / RATIO_MAX;
				plcol1(t);
			}
			plfill(4, xs, ys);
		}
	plcol0(1);
	plbox("bc", 0, 0, "bc", 0, 0);
	for (size_t c = 0; c < d->ncols; c++)
		plmtex("lv", 0.8, 1.0 - ((double)c + 0.5) / nc, 1.0, d->columns[c]);
	size_t every = d->nbatches > 30 ? (d->nbatches + 29) / 30 : 1;
	for (size_t bi = 0; bi < d->nbatches; bi += every) {
		char label[24];
		snprintf(label, sizeof(label), "%zu", bi + 1);
		plmtex("b", 1.2, ((double)bi + 0.5) / nb, 0.5, label);
		if (d->drifting && d->drifting[bi]) {
			plcol0(3);
			plmtex("t", 0.6, ((double)bi + 0.5) / nb, 0.5, "drift");
			plcol0(1);
		}
	}
	char title[256];
	snprintf(title, sizeof(title), "%s: drift by column and batch", d->title ? d->title : "drift");
	plmtex("t", 2.2, 0.5, 0.5, title);
	/* the legend: a colour bar of score / threshold */
	PLFLT cw, ch;
	PLINT n_labels = 1, label_opts[] = {PL_COLORBAR_LABEL_RIGHT}, n_axis = 1, n_values[] = {5};
	const char *labels[] = {"past threshold (1 = at it)"};
	const char *axis_opts[] = {"bcvtm"};
	PLFLT ticks[] = {1.0};
	PLINT subt[] = {0};
	PLFLT vals[] = {0, 1, 2, 3, 4};
	PLFLT *values[] = {vals};
	plcolorbar(&cw, &ch, PL_COLORBAR_GRADIENT, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT,
		   0.03, 0, 0.03, 0.45, 0, 1, 1, 0, 0, 0, 0, n_labels, label_opts, labels, n_axis, axis_opts, ticks,
		   subt, n_values, (const PLFLT *const *)values);

	/* the share of drifted columns per batch, with the threshold */
	plcol0(1);
	plvpor(0.16, 0.86, 0.12, 0.33);
	plwind(0.5, nb + 0.5, 0, 1);
	plcol0(15);
	plbox("g", 0, 0, "g", 0.25, 0);
	plcol0(1);
	plbox("bcnst", 0, 0, "bcnstv", 0.5, 2);
	pllab("batch", "share drifted", "");
	PLFLT tx[2] = {0.5, nb + 0.5}, ty[2] = {d->share_threshold, d->share_threshold};
	plcol0(3);
	pllsty(2);
	plline(2, tx, ty);
	pllsty(1);
	double *xs = xcalloc(d->nbatches + 1, sizeof(double));
	for (size_t bi = 0; bi < d->nbatches; bi++)
		xs[bi] = (double)bi + 1;
	plcol0(2);
	plwidth(2.5);
	plline((PLINT)d->nbatches, xs, d->share);
	plpoin((PLINT)d->nbatches, xs, d->share, 17);
	free(xs);
	plend();
}

int plot_drift_write(const char *path, const struct plot_drift *d, struct err *err)
{
	if (!d->nbatches || !d->ncols)
		return err_set(err, "monitor %s has no stored batches to plot", d->title ? d->title : "");
	return in_child(path, draw_drift, d, err);
}

int plot_drift_file(struct store *st, const char *monitor, double share_threshold, const char *path, int width,
		    int height, struct err *err)
{
	struct drift_batch_row *b;
	size_t nb;
	if (store_drift_batches(st, monitor, &b, &nb, err) < 0)
		return -1;
	if (!nb) {
		store_drift_batches_free(b, nb);
		return err_set(err, "monitor \"%s\" has no stored batches (mlwb monitor run %s evaluates them)", monitor,
			       monitor);
	}
	struct strv cols = {0};
	struct drift_result_row **res = xcalloc(nb, sizeof(*res));
	size_t *nres = xcalloc(nb, sizeof(size_t));
	for (size_t i = 0; i < nb; i++) {
		if (store_drift_results(st, b[i].id, &res[i], &nres[i], err) < 0)
			nres[i] = 0;
		for (size_t k = 0; k < nres[i]; k++) {
			bool seen = false;
			for (size_t j = 0; j < cols.n && !seen; j++)
				seen = !strcmp(cols.v[j], res[i][k].column);
			if (!seen)
				strv_push(&cols, res[i][k].column);
		}
	}
	double *ratio = xcalloc(cols.n * nb + 1, sizeof(double)), *share = xcalloc(nb + 1, sizeof(double));
	bool *drifting = xcalloc(nb + 1, sizeof(bool));
	const char **batches = xcalloc(nb + 1, sizeof(char *));
	for (size_t c = 0; c < cols.n; c++)
		for (size_t i = 0; i < nb; i++) {
			ratio[c * nb + i] = NAN;
			for (size_t k = 0; k < nres[i]; k++) {
				const struct drift_result_row *r = &res[i][k];
				if (!strcmp(r->column, cols.v[c]) && !r->skipped)
					ratio[c * nb + i] = plot_drift_ratio(r->score, r->threshold, !isnan(r->p_value));
			}
		}
	for (size_t i = 0; i < nb; i++) {
		share[i] = b[i].share;
		drifting[i] = b[i].dataset_drift;
		batches[i] = b[i].batch;
	}
	struct plot_drift d = {
		.title = monitor, .ncols = cols.n, .nbatches = nb, .columns = (const char *const *)cols.v,
		.batches = batches, .ratio = ratio, .share = share, .drifting = drifting,
		.share_threshold = share_threshold, .width = width, .height = height,
	};
	int rc = plot_drift_write(path, &d, err);
	for (size_t i = 0; i < nb; i++)
		store_drift_results_free(res[i], nres[i]);
	free(res);
	free(nres);
	free(ratio);
	free(share);
	free(drifting);
	free(batches);
	strv_free(&cols);
	store_drift_batches_free(b, nb);
	return rc;
}
