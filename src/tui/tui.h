/* tui.h - internals of the terminal UI, shared by src/tui only.
 *
 * A view is a struct of function pointers (as in tig and htop): open, load
 * (read from the store), draw, handle, close.  Handlers change state and
 * return what must happen next (H_REDRAW, H_RELOAD, ...); only the loop in
 * app.c draws.  Every key maps to a named action declared once in
 * TUI_ACTIONS, which also makes the help overlay and docs/keys.md.
 */
#ifndef MLWB_TUI_INT_H
#define MLWB_TUI_INT_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "mlwb/exec.h"
#include "mlwb/pipeline.h"
#include "mlwb/store.h"
#include "mlwb/util.h"

/* Scopes: where an action applies. */
#define S_ALL "all views"

/*      id, label (footer), keys (help), description, scope */
#define TUI_ACTIONS(X)                                                                              \
	X(QUIT,        "quit", "q",                 "quit (in a deeper view: go back)",               S_ALL)  \
	X(BACK,        "back", "Esc, Backspace",    "go back to the previous view",                   S_ALL)  \
	X(HELP,        "help", "?",                 "this help",                                      S_ALL)  \
	X(COMMAND,     "command", ":",                 "command line (Tab completes)",                   S_ALL)  \
	X(SEARCH,      "search", "/",                 "search (Logs) or filter (Runs, Queue)",          S_ALL)  \
	X(VIEW_RUNS,   "runs", "1",                 "Runs",                                           S_ALL)  \
	X(VIEW_RUN,    "run", "2",                 "Run: the selected or last run",                  S_ALL)  \
	X(VIEW_DAG,    "dag", "3",                 "DAG of the run",                                 S_ALL)  \
	X(VIEW_LOGS,   "logs", "4",                 "Logs of the run's task",                         S_ALL)  \
	X(VIEW_LAUNCH, "launch", "5",                 "Launch a pipeline or sweep",                     S_ALL)  \
	X(VIEW_QUEUE,  "queue", "6",                 "Queue of running and waiting tasks",             S_ALL)  \
	X(VIEW_MODELS, "models", "7",                 "Models in the registry",                         S_ALL)  \
	X(VIEW_DRIFT,  "drift", "8",                 "Drift monitors",                                 S_ALL)  \
	X(NEXT_VIEW,   "next", "Tab",               "next view",                                      S_ALL)  \
	X(UP,          "up", "k, Up",             "move up",                                        S_ALL)  \
	X(DOWN,        "down", "j, Down",           "move down",                                      S_ALL)  \
	X(LEFT,        "left", "h, Left",           "move left / scroll left",                        S_ALL)  \
	X(RIGHT,       "right", "l, Right",          "move right / scroll right",                      S_ALL)  \
	X(PAGE_UP,     "page up", "PgUp, Ctrl-B",      "page up",                                        S_ALL)  \
	X(PAGE_DOWN,   "page down", "PgDn, Ctrl-F",      "page down",                                      S_ALL)  \
	X(HOME,        "top", "g, Home",           "first line",                                     S_ALL)  \
	X(END,         "bottom", "G, End",            "last line",                                      S_ALL)  \
	X(ENTER,       "open", "Enter",             "open the selection",                             S_ALL)  \
	X(REDRAW,      "redraw", "Ctrl-L",            "redraw the screen",                              S_ALL)  \
	X(MARK,        "mark", "Space",             "mark or unmark the run",                         "Runs") \
	X(SORT,        "sort", "s",                 "sort by the next column",                        "Runs") \
	X(SORT_REV,    "reverse", "S",                 "reverse the sort",                               "Runs") \
	X(RERUN,       "re-run", "R",                 "re-run the run with the same params",            "Runs") \
	X(TAG,         "tag", "t",                 "tag the run (NAME=VALUE)",                       "Runs") \
	X(NOTE,        "note", "n",                 "write the run's note",                           "Runs") \
	X(DELETE,      "delete", "D",                 "move the run (or the marked runs) to the trash", "Runs") \
	X(TRASH,       "trash", "T",                 "show the trash, or the runs again",              "Runs") \
	X(RESTORE,     "restore", "u",                 "restore the run from the trash",                 "Runs") \
	X(COLUMNS,     "columns", "c",                 "choose columns: Space shows/hides, K/J move",   "Runs") \
	X(MOVE_UP,     "move up", "K",                 "move the column up",                             "Runs") \
	X(MOVE_DOWN,   "move down", "J",                 "move the column down",                           "Runs") \
	X(CANCEL,      "cancel", "x",                 "cancel the run or task",                         "Runs, Run, DAG, Queue") \
	X(RETRY,       "retry", "r",                 "retry the failed task",                          "DAG")  \
	X(DIFF,        "diff", "d",                 "page the run's uncommitted diff",                "Run")  \
	X(FOLLOW,      "follow", "F",                 "follow the log as it grows",                     "Logs") \
	X(NEXT_MATCH,  "next", "n",                 "next search match",                              "Logs") \
	X(PREV_MATCH,  "previous", "N",                 "previous search match",                          "Logs") \
	X(NEXT_ERROR,  "next error", "e",                 "next line that looks like an error",             "Logs") \
	X(PROMOTE,     "promote", "p",                 "promote the version to a stage or alias",        "Models") \
	X(FORCE,       "force", "P",                 "promote even a version whose gate failed",       "Models") \
	X(ARCHIVE,     "archive", "a",                 "archive the version",                            "Models") \
	X(HISTORY,     "history", "H",                 "the model's stage history",                      "Models") \
	X(COMPARE,     "compare", "C",                 "compare the marked runs (Models: with production)", "Runs, Models") \
	X(SMOOTH,      "smooth", "s",                 "smoothing on or off",                            "Chart")  \
	X(SMOOTH_MORE, "more", "+",                 "smooth more",                                    "Chart")  \
	X(SMOOTH_LESS, "less", "-",                 "smooth less",                                    "Chart")  \
	X(LOGY,        "log y", "L",                 "logarithmic y axis",                             "Chart")  \
	X(XAXIS,       "x axis", "x",                 "x by step, seconds since start, wall time",      "Chart")  \
	X(ZOOM_IN,     "zoom", "z",                 "zoom in on x around the cursor",                 "Chart")  \
	X(ZOOM_OUT,    "unzoom", "Z",                 "zoom out",                                       "Chart")  \
	X(NEXT_METRIC, "metric", "], m",              "next metric",                                    "Chart, Compare") \
	X(PREV_METRIC, "previous", "[",                 "previous metric",                                "Chart")  \
	X(GROUP,       "group", "g",                 "group the runs by a param: mean and min-max band", "Chart")  \
	X(EXPORT,      "export", "E",                 "export the chart as PNG (mlwb-chart-METRIC.png, Drift: mlwb-drift-MONITOR.png)", "Chart, Drift")  \
	X(ONLY_DIFF,   "differences", "d",                 "only the params that differ",                    "Compare") \
	X(EDIT,        "edit", "Enter, e",          "edit the field",                                 "Launch") \
	X(SUBMIT,      "submit", "Ctrl-S, S",         "submit the run",                                 "Launch")

enum action {
#define X(id, label, keys, desc, scope) ACT_##id,
	TUI_ACTIONS(X)
#undef X
	ACT_NONE,
	ACT_COUNT = ACT_NONE
};

struct action_info {
	const char *name, *label, *keys, *desc, *scope;
};
extern const struct action_info tui_actions[ACT_COUNT];
/* The action a key means in a view ("Runs", ...), or ACT_NONE. */
enum action tui_key_action(int key, const char *view);

/* ---- colours: semantic roles, mapped by the theme files ---- */
#define TUI_ROLES(X)                                                    \
	X(NORMAL, "normal")                                             \
	X(HEADER, "header")                                             \
	X(FOOTER, "footer")                                             \
	X(KEY, "footer.key")                                            \
	X(TITLE, "title")                                               \
	X(SELECTED, "selection")                                        \
	X(MARKED, "marked")                                             \
	X(DIM, "dim")                                                   \
	X(ERROR, "error")                                               \
	X(SEARCH, "search.match")                                       \
	X(QUEUED, "run.queued")                                         \
	X(RUNNING, "run.running")                                       \
	X(SUCCEEDED, "run.succeeded")                                   \
	X(FAILED, "run.failed")                                         \
	X(CANCELLED, "run.cancelled")                                   \
	X(CACHED, "task.cached")                                        \
	X(EDGE, "dag.edge")                                             \
	X(NODE, "dag.node")                                             \
	X(DIFF_ADD, "diff.add")                                         \
	X(DIFF_DEL, "diff.del")                                         \
	X(SERIES1, "chart.series1")                                     \
	X(SERIES2, "chart.series2")                                     \
	X(SERIES3, "chart.series3")                                     \
	X(SERIES4, "chart.series4")                                     \
	X(DRIFT_OK, "drift.ok")                                         \
	X(DRIFT_NEAR, "drift.near")                                     \
	X(DRIFT, "drift.drift")                                         \
	X(DRIFT_STRONG, "drift.strong")

enum role {
#define X(id, name) R_##id,
	TUI_ROLES(X)
#undef X
	R_COUNT
};

/* Loads the theme NAME (a file under themes/ or a path) into attrs, for a
 * terminal of `colors` colours (0: monochrome).  A bad file: an error with
 * file:line and the default theme. */
int theme_load(const char *name, int colors, attr_t *attrs, struct err *err);
/* The built-in default, for `colors` colours. */
void theme_default(int colors, attr_t *attrs);

/* ---- views ---- */
enum {
	H_NONE = 0,
	H_REDRAW = 1,
	H_RELOAD = 2,
};

struct app;

struct view_ops {
	const char *name;  /* "Runs": the scope of its keys */
	const char *cmd;   /* ":runs" without the colon */
	void *(*open)(struct app *a, const char *arg); /* NULL (with a->status) if it cannot */
	int (*load)(struct app *a, void *state);        /* read the store; 0 or -1 */
	void (*draw)(struct app *a, void *state, int y, int h, int w);
	int (*handle)(struct app *a, void *state, enum action act, int key);
	void (*close)(void *state);
	char *(*crumb)(void *state); /* "run 12"; caller frees */
	const enum action *footer;   /* the keys worth showing, ACT_NONE ended */
	/* Runs that the view shows (for the header's "run N" and 2/3/4 keys). */
	int64_t (*current_run)(void *state);
	/* A click on screen row y (the view's first row is 0); a double click
	 * also opens.  NULL: clicks do nothing. */
	int (*click)(struct app *a, void *state, int row, bool twice);
	/* Text matches for "/" (filter or search); NULL: not supported. */
	int (*search)(struct app *a, void *state, const char *text);
};

extern const struct view_ops view_runs, view_run, view_dag, view_logs, view_launch, view_queue,
	view_models, view_chart, view_compare, view_help, view_text, view_drift;

struct view {
	const struct view_ops *ops;
	void *state;
};

#define MAX_DEPTH 24

struct app {
	const struct project *p;
	struct store *st;
	struct spec *spec; /* NULL when mlwb.yaml is missing or has errors */
	char *project_name;
	struct view stack[MAX_DEPTH];
	int depth;
	int rows, cols;
	bool utf8, headless, quit;
	int colors;
	attr_t attr[R_COUNT];
	char status[512];
	bool status_error;
	int64_t data_version;
	double last_reload;  /* monotonic seconds */
	bool reload_pending; /* a change seen, its reload not done yet */
	struct exec_state exec;
	struct queue_counts qc;
	int64_t last_run; /* the run the user looked at last */
	/* the line editor of ":" and "/" */
	int input_mode; /* 0, ':', '/' or '=' (a field of a form) */
	char input_prompt[64];
	bool input_fresh; /* a prefilled value: the first key typed replaces it */
	char input[256];
	size_t input_len;
};

/* Starts the line editor for a form field; Enter hands the text to the
 * view's search hook. */
void app_edit(struct app *a, const char *prompt, const char *value);
/* Opens a view on top of the stack (arg: what the ":" command gave). */
bool app_push(struct app *a, const struct view_ops *ops, const char *arg);
void app_status(struct app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Runs a ":" command. */
void app_command(struct app *a, const char *line);
int64_t app_now(struct app *a);

/* ---- drawing helpers (draw.c) ---- */
enum glyph {
	G_H, G_V, G_TL, G_TR, G_BL, G_BR, G_TEE_R, G_TEE_L, G_ARROW, G_DOT, G_MARK, G_ELLIPSIS,
	G_COUNT
};
const char *ui_glyph(struct app *a, enum glyph g);
/* Prints UTF-8 text at (y, x) in at most w columns (cut with an ellipsis),
 * returns the columns used. */
int ui_put(struct app *a, int y, int x, int w, enum role r, const char *s);
int ui_putf(struct app *a, int y, int x, int w, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Fills a row from x to x + w with blanks in role r. */
void ui_fill(struct app *a, int y, int x, int w, enum role r);
/* Display width of UTF-8 text. */
int ui_width(const char *s);
/* Role and symbol of a run or task state. */
enum role ui_state_role(const char *state);
const char *ui_state_symbol(struct app *a, const char *state);
/* A sparkline of v[0..n) in w cells. Caller frees. */
char *ui_sparkline(struct app *a, const double *v, size_t n, int w);
void ui_format_number(double v, char *buf, size_t len);
/* Moves a list selection for the movement actions (up, down, pages, home,
 * end) and keeps it inside [0, n).  False when act is none of them. */
bool ui_list_nav(enum action act, int *sel, int n, int page);
/* Prints a braille canvas at (y, x) in role r, leaving blank cells alone
 * so that several series overlay: braille, half blocks (MLWB_CHART=block)
 * or '*' without UTF-8. */
struct braille;
void ui_canvas(struct app *a, const struct braille *b, int y, int x, enum role r);
/* A text view of lines (help, diff): takes ownership of the lines. */
bool ui_push_text(struct app *a, const char *title, struct strv *lines, bool diff);

#endif
