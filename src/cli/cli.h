/* cli.h - shared by the subcommands in src/cli (internal to the CLI). */
#ifndef MLWB_CLI_H
#define MLWB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "mlwb/err.h"
#include "mlwb/pipeline.h"
#include "mlwb/project.h"
#include "mlwb/store.h"
#include "mlwb/util.h"

enum out_format { FMT_TABLE, FMT_JSON, FMT_CSV };

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;   /* arguments, e.g. "[DIR]" */
	const char *summary; /* one line */
	const char *help;    /* the rest of `mlwb CMD --help` */
};

extern const struct command cli_commands[];

/* The subcommands, one file each (cmd_NAME.c). */
int cmd_init(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_dag(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_cancel(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_executor(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_ci(int argc, char **argv);
int cmd_hooks(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_note(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_retry(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

/* Prints "mlwb: MSG" on stderr and returns `code`. */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints err on stderr and returns its code (2 when unset). */
int cli_report(const struct err *err);
/* `mlwb CMD --help` text. Returns 0. */
int cli_help(const char *name);
/* Usage error for CMD: one line, a hint, exit 2. */
int cli_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Matches option `name` at argv[*i], as "--name VALUE" or "--name=VALUE".
 * Returns 1 (and advances *i past the value), 0 when argv[*i] is another
 * argument, or prints a usage error and returns -1 when the value is
 * missing. */
int cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, const char **val);

int cli_parse_format(const char *cmd, const char *s, enum out_format *f);

/* Finds the project; on failure prints the error and returns its code. */
int cli_find_project(struct project *p);
/* Opens (creating when needed) the project's store. */
int cli_open_store(const struct project *p, struct store **st);
/* For commands about one run: parses its id, finds the project, opens the
 * store and checks that the run exists.  Prints what is wrong and returns
 * the exit code; on 0 the caller closes *st and frees *p. */
int cli_open_run(const char *cmd, const char *id_text, struct project *p, struct store **st,
		 int64_t *id);
/* Loads mlwb.yaml; prints every diagnostic and returns 2 when it has errors. */
int cli_load_spec(const struct project *p, struct spec **spec);
/* Loads any spec file, shown as `shown` in messages; same contract. */
int cli_load_spec_file(const char *path, const char *shown, struct spec **spec);
/* The path of `abs` as the user should see it: relative to the current
 * directory when below it.  Caller frees. */
char *cli_display_path(const char *abs);

/* ---- a text table for human output and CSV ---- */
struct table {
	size_t ncols;
	struct strv head;
	struct strv cells; /* row-major */
	bool *right;       /* right-aligned columns (numbers) */
};

void table_init(struct table *t, size_t ncols, const char *const *head);
void table_set_right(struct table *t, size_t col);
/* Adds one cell; rows fill left to right. NULL prints as "-". */
void table_add(struct table *t, const char *cell);
void table_addf(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void table_print(const struct table *t, FILE *f, const char *indent);
void table_print_csv(const struct table *t, FILE *f);
void table_free(struct table *t);

/* Prints a number compactly for tables (up to 6 significant digits). */
void fmt_number(double v, char *buf, size_t len);

#endif
