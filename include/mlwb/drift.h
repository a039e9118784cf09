/* drift.h - data drift: CSV tables, per-column drift tests, the verdict.
 *
 * The statistics follow Evidently's defaults and scipy's numbers exactly
 * (docs/drift.md has the rules): a column is numeric when every non-missing
 * value parses as a number, the default test depends on the reference size
 * and the number of distinct values, and every column also gets PSI and the
 * Jensen-Shannon distance (numeric ones Wasserstein and KS too).
 *
 * The CSV reader is hand-written for speed (a million rows by twenty
 * columns in well under a second): RFC 4180 quoting with commas, quotes and
 * newlines inside fields, CRLF, a UTF-8 byte order mark; invalid UTF-8,
 * ragged rows and unterminated quotes are errors with file:line:column.
 */
#ifndef MLWB_DRIFT_H
#define MLWB_DRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlwb/err.h"

/* ---- CSV ---- */

struct csv_col {
	char *name;
	bool numeric;     /* every non-missing cell parses as a number */
	bool integer;     /* ... and as an integer literal */
	size_t missing;   /* empty and NA cells */
	double *num;      /* numeric: one value per row, NaN where missing */
	char **str;       /* after csv_load_strings: per row, NULL where missing */
};

struct csv_table {
	char *path;       /* as given, for messages */
	size_t ncols, nrows;
	struct csv_col *cols;
	/* private: the file and where each data row starts */
	char *buf;
	size_t len;
	size_t *row_off;
	char *arena;      /* the strings of csv_load_strings */
	bool borrowed;    /* buf belongs to another table (csv_subset) */
};

/* Reads a whole CSV file (header row first).  Bad input: -1, err code 2,
 * "PATH:LINE:COL: message". */
int csv_read(const char *path, struct csv_table *t, struct err *err);
/* Fills col->str of the columns with want[i] set (all when want is NULL). */
void csv_load_strings(struct csv_table *t, const bool *want);
/* A table of some rows of t (by index), sharing t's text: free it before t. */
void csv_subset(const struct csv_table *t, const size_t *rows, size_t n, struct csv_table *out);
/* Index of a column by name, or -1. */
int csv_find(const struct csv_table *t, const char *name);
void csv_free(struct csv_table *t);

/* ---- statistics (scipy's definitions; stats.c) ---- */

/* scipy.stats.ks_2samp(a, b) (two-sided, method auto) on sorted samples:
 * *d is the statistic, returned is the p-value. */
double stat_ks_2samp(const double *a, size_t na, const double *b, size_t nb, double *d);
/* scipy.stats.kstwo.sf(d, n) */
double stat_kstwo_sf(double d, int64_t n);
/* scipy.special.smirnov(n, d): one-sided survival function */
double stat_smirnov(int64_t n, double d);
/* scipy.stats.chi2.sf(x, dof) */
double stat_chi2_sf(double x, double dof);
/* scipy.special.ndtr(x) */
double stat_ndtr(double x);
/* scipy.stats.wasserstein_distance on sorted samples */
double stat_wasserstein(const double *a, size_t na, const double *b, size_t nb);
/* numpy.std (population) */
double stat_std(const double *a, size_t n);
/* numpy.histogram_bin_edges(a ++ b, 'sturges') for sorted a and b:
 * returns the bin count, *edges (count + 1 values, caller frees). */
size_t stat_sturges_edges(const double *a, size_t na, const double *b, size_t nb, double **edges);
/* Sorts doubles ascending (no NaN). */
void stat_sort(double *v, size_t n);

/* ---- drift ---- */

enum drift_test {
	TEST_AUTO, TEST_KS, TEST_CHISQUARE, TEST_Z, TEST_WASSERSTEIN, TEST_JS, TEST_PSI,
};
const char *drift_test_name(enum drift_test t);
/* "ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi", "auto" */
int drift_test_parse(const char *s, enum drift_test *t);
double drift_default_threshold(enum drift_test t);

/* A histogram of one side, as stored and drawn: numeric columns with many
 * values have nbins+1 edges; the others one label per bin. */
struct drift_hist {
	size_t nbins;
	double *edges;   /* NULL for labels */
	char **labels;   /* NULL for edges */
	double *ref, *cur; /* counts */
};

struct drift_column {
	char *name;
	bool numeric;            /* kind "num" (else "cat") */
	enum drift_test test;    /* TEST_AUTO when skipped */
	char *skipped;           /* why the column was not tested, or NULL */
	size_t n_ref, n_cur;     /* values after dropping missing */
	size_t distinct_ref, distinct_all;
	double statistic, p_value; /* p_value NaN for distances */
	double score, threshold;
	bool drifted;
	double psi, js;          /* always */
	double wasserstein, ks_statistic, ks_p_value; /* numeric only (else NaN) */
	struct drift_hist hist;
};

struct drift_opts {
	const char *const *columns; /* NULL: every shared column */
	size_t ncolumns;
	enum drift_test test;       /* TEST_AUTO: the per-column default */
	double threshold;           /* NaN: the test's default */
	double share;               /* dataset drift when share >= this (0.5) */
	int threads;                /* 0: the machine's cores, at most 8 */
	bool shared_only;           /* compare the shared columns; else a column
				     * on one side only is an error */
};

struct drift_report {
	struct drift_column *cols;
	size_t ncols;
	size_t tested, drifted;
	double share_drifted;
	bool dataset_drift;
	size_t rows_ref, rows_cur;
};

void drift_opts_default(struct drift_opts *o);
/* Compares two tables.  A column named in opts->columns that either side
 * lacks, or a test that does not fit a column's kind, is an error (code 2). */
int drift_compare(struct csv_table *ref, struct csv_table *cur, const struct drift_opts *o,
		  struct drift_report *r, struct err *err);
/* Reads both files (in parallel) and compares them. */
int drift_files(const char *ref_path, const char *cur_path, const struct drift_opts *o,
		struct drift_report *r, struct err *err);
void drift_report_free(struct drift_report *r);

/* The histogram of one side as JSON text: {"edges":[..]|"labels":[..],
 * "counts":[..]} (caller frees); and back. */
char *drift_hist_json(const struct drift_hist *h, bool current);
int drift_hist_parse(const char *ref_json, const char *cur_json, struct drift_hist *h);
void drift_hist_free(struct drift_hist *h);

#endif
