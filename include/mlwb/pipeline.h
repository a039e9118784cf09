/* pipeline.h - mlwb.yaml: parsing (libyaml), validation, params, DAG.
 *
 * pipeline_spec_load() reads the whole file and reports every problem it can
 * find as a diagnostic with file:line:column (1-based).  A spec is returned
 * only when there were no errors; it is immutable afterwards and owns all of
 * its strings.  Everything here is pure: no I/O beyond reading the file.
 */
#ifndef MLWB_PIPELINE_H
#define MLWB_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mlwb/err.h"
#include "mlwb/util.h"

/* ---- diagnostics ---- */
struct diag {
	int line, col; /* 1-based; 0 when the whole file is meant */
	char *msg;
};

struct diags {
	char *file; /* as the user should see it, e.g. "mlwb.yaml" */
	struct diag *v;
	size_t n, cap;
};

void diags_init(struct diags *d, const char *file);
void diags_add(struct diags *d, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sorts by position, so the output reads top to bottom. */
void diags_sort(struct diags *d);
/* "file:line:col: msg" for diagnostic i. Caller frees. */
char *diags_format(const struct diags *d, size_t i);
void diags_free(struct diags *d);

/* ---- params ---- */
enum param_type { PARAM_STRING, PARAM_INT, PARAM_FLOAT, PARAM_BOOL };

struct param {
	char *name;  /* dotted path: "train.lr" */
	char *value; /* text as written (or as overridden) */
	enum param_type type;
	int line, col;
};

const char *param_type_name(enum param_type t);

/* ---- tasks and pipelines ---- */
struct out_spec {
	char *path; /* normalised, relative to the project */
	char *kind; /* file (default), data, model, metrics, report */
	int line, col;
};

struct task {
	char *name;
	char *description;
	char *cmd; /* uninterpolated */
	int line, col, cmd_line, cmd_col;
	struct strv needs;
	struct strv deps; /* normalised paths */
	struct out_spec *outs;
	size_t n_outs;
	struct strv metrics; /* JSON files read when the task ends */
	/* register: {model, artifact, gate, promote_to}; model NULL when absent */
	char *reg_model, *reg_artifact, *reg_gate, *reg_promote_to;
	int reg_line, reg_col;
	int retries;
	int64_t timeout_ms; /* 0: none */
	double cpu;
	int64_t mem_bytes; /* 0: unspecified */
	int gpu;
	bool cache;

	/* Derived: indices into pipeline->tasks of the direct upstream tasks,
	 * in declaration order, and the layer (0 for sources). */
	size_t *up;
	size_t n_up;
	int layer;
};

struct edge {
	size_t from, to;
	char *via; /* the path that links them, NULL for a `needs` edge */
};

struct pipeline {
	char *name;
	char *description;
	int line, col;
	struct task *tasks; /* declaration order */
	size_t n_tasks;
	struct edge *edges; /* sorted by (to, from) */
	size_t n_edges;
	size_t *order; /* a topological order, stable by declaration */
	int n_layers;
};

/* ---- sweeps ---- */
struct sweep_dim {
	char *param;
	/* grid, or random choice: */
	struct strv values;
	/* random range (when values is empty): */
	double min, max;
	bool log, integer;
};

struct sweep {
	char *name;
	char *pipeline;
	int line, col;
	bool random; /* else grid */
	int n;       /* random: number of samples */
	uint64_t seed;
	int parallel;
	struct sweep_dim *dims;
	size_t n_dims;
};

/* metrics: {NAME: {goal: min|max}}: which way is better, where the name
 * alone would guess wrong. */
struct metric_goal {
	char *name;
	bool lower;
};

/* What a trigger queues: a run of a pipeline with param overrides. */
struct trigger_run {
	char *pipeline;       /* NULL: none configured */
	struct strv params;   /* "name=value" */
	int line, col;
};

/* monitors: {NAME: {reference, current, window, columns, test, threshold,
 * on_drift}} -- data drift of incoming batches against a reference. */
struct monitor_spec {
	char *name;
	int line, col;
	char *reference;              /* a CSV path (relative to the project) */
	char *ref_model, *ref_artifact; /* or: the artifact of a registered
					 * model's run ("NAME@STAGE") */
	char *current;                /* a path or a glob: each file one batch */
	char *window_column;          /* or: one file cut into time windows */
	int64_t window_ms;
	struct strv columns;          /* empty: every shared column */
	char *test;                   /* NULL: auto */
	double threshold;             /* NaN: the test's default */
	double share;                 /* dataset drift at this share (0.5) */
	struct trigger_run on_drift;
};

/* cron: one bit per allowed value of each field. */
struct cron {
	uint64_t minute;  /* 0-59 */
	uint32_t hour;    /* 0-23 */
	uint32_t dom;     /* 1-31 */
	uint16_t month;   /* 1-12 */
	uint8_t dow;      /* 0-6, Sunday 0 */
	bool dom_star, dow_star;
};

enum schedule_kind { SCHEDULE_CRON, SCHEDULE_GIT, SCHEDULE_WATCH };

/* schedules: {NAME: {cron|git|watch, run, params}} */
struct schedule_spec {
	char *name;
	int line, col;
	enum schedule_kind kind;
	char *what;         /* the cron text, the branch, the watched path */
	struct cron cron;
	struct trigger_run run;
};

struct spec {
	char *project;
	struct metric_goal *goals;
	size_t n_goals;
	struct param *params; /* flattened, declaration order */
	size_t n_params;
	struct pipeline *pipelines;
	size_t n_pipelines;
	struct sweep *sweeps;
	size_t n_sweeps;
	struct monitor_spec *monitors;
	size_t n_monitors;
	struct schedule_spec *schedules;
	size_t n_schedules;
};

/* Loads and validates a file.  `display` is the name used in diagnostics
 * (NULL: the path).  Returns 0 and *out on success; -1 with diagnostics in
 * *diags otherwise (diags is initialised here; free it in either case).  An
 * unreadable file is one diagnostic at line 0. */
int pipeline_spec_load(const char *path, const char *display, struct spec **out,
		       struct diags *diags);
/* The same from memory (for tests and for `mlwb init`'s self-check). */
int pipeline_spec_parse(const char *text, size_t len, const char *display,
			struct spec **out, struct diags *diags);
void pipeline_spec_free(struct spec *spec);

const struct pipeline *pipeline_find(const struct spec *spec, const char *name);
const struct sweep *pipeline_sweep_find(const struct spec *spec, const char *name);
const struct param *pipeline_param_find(const struct param *params, size_t n,
					const char *name);

/* Resolves the run's params: the defaults with `overrides` ("a.b=value")
 * applied, each type-checked against its default.  An unknown name or a
 * value of the wrong type is an error (with a suggestion).  *out is a new
 * array of n params; free it with pipeline_params_free. */
int pipeline_params_resolve(const struct spec *spec, const struct strv *overrides,
			    struct param **out, size_t *n, struct err *err);
void pipeline_params_free(struct param *params, size_t n);

/* Replaces ${name} in `text` with the param's value, shell-quoted when it is
 * not a plain word; `$${` gives a literal `${`.  Caller frees *out. */
int pipeline_interpolate(const char *text, const struct param *params, size_t n,
			 char **out, struct err *err);

/* Expands a sweep into its points: *points is an array of n_points strv,
 * each holding "name=value" overrides.  Grid: the cartesian product in
 * declaration order.  Random: n draws from a generator seeded by `seed`, so
 * the same sweep always gives the same points. */
int pipeline_sweep_expand(const struct sweep *sw, struct strv **points, size_t *n_points,
			  struct err *err);
void pipeline_sweep_points_free(struct strv *points, size_t n);

/* Parses "90", "30s", "10m", "1h30m", "2d" into milliseconds. */
bool pipeline_parse_duration(const char *s, int64_t *ms);
const struct monitor_spec *pipeline_monitor_find(const struct spec *spec, const char *name);

/* Parses a cron line: five fields (minute hour day-of-month month
 * day-of-week) of `*`, values, ranges a-b, lists a,b and steps x/n, names
 * (jan, mon) allowed; or @hourly, @daily, @midnight, @weekly, @monthly,
 * @yearly, @annually.  On error, a message in err (code 2). */
int cron_parse(const char *text, struct cron *c, struct err *err);
/* Does the minute of local time `tm` match?  Day of month and day of week,
 * when both are restricted, match when either does (as in cron). */
bool cron_matches(const struct cron *c, const struct tm *tm);

/* Parses "512", "100K", "1.5G", "2GiB" (powers of 1024) into bytes. */
bool pipeline_parse_size(const char *s, int64_t *bytes);

#endif
