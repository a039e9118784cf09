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

int plot_write(const char *path, const struct plot_series *s, size_t n, const struct plot_opts *o,
	       struct err *err)
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
		draw(dev, tmp, s, n, o);
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
