/* app.c - the UI's loop: the view stack, header and footer, the ":" command
 * line, the help overlay, live updates, signals, and the headless mode that
 * the UI tests drive (curses painting to /dev/null, keys from a script,
 * screens dumped as text). */
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "mlwb/tui.h"
#include "tui.h"

#define MIN_COLS 60
#define MIN_ROWS 12

static volatile sig_atomic_t got_stop;
static bool curses_up;
static SCREEN *headless_screen;

static void restore_terminal(void)
{
	if (curses_up) {
		curses_up = false;
		endwin();
	}
}

static void on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

/* A crash must not leave the terminal raw: restore it, then die of the
 * same signal. */
static void on_crash(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

void app_status(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_error = error;
}

int64_t app_now(struct app *a)
{
	const char *fixed = getenv("MLWB_TUI_NOW"); /* for reproducible screen dumps */
	long v;

	(void)a;
	if (fixed && str_to_long(fixed, &v))
		return (int64_t)v;
	return time_now_ms();
}

static struct view *top(struct app *a)
{
	return &a->stack[a->depth - 1];
}

static void pop(struct app *a)
{
	if (a->depth <= 1)
		return;
	struct view *v = top(a);
	v->ops->close(v->state);
	a->depth--;
}

bool app_push(struct app *a, const struct view_ops *ops, const char *arg)
{
	if (a->depth == MAX_DEPTH) {
		/* forget the oldest view above the root */
		a->stack[1].ops->close(a->stack[1].state);
		memmove(&a->stack[1], &a->stack[2], (size_t)(MAX_DEPTH - 2) * sizeof(a->stack[0]));
		a->depth--;
	}
	void *state = ops->open(a, arg);
	if (!state)
		return false;
	a->stack[a->depth].ops = ops;
	a->stack[a->depth].state = state;
	a->depth++;
	if (ops->load && ops->load(a, state) < 0) {
		pop(a);
		return false;
	}
	if (ops->current_run) {
		int64_t r = ops->current_run(state);
		if (r > 0)
			a->last_run = r;
	}
	return true;
}

/* The numbered views replace whatever is above the Runs view. */
static void switch_to(struct app *a, const struct view_ops *ops, const char *arg)
{
	if (top(a)->ops == ops && !arg)
		return;
	while (a->depth > 1)
		pop(a);
	if (ops != &view_runs)
		app_push(a, ops, arg);
}

static char *run_arg(struct app *a)
{
	struct view *v = top(a);
	int64_t r = v->ops->current_run ? v->ops->current_run(v->state) : 0;

	if (r <= 0)
		r = a->last_run;
	return r > 0 ? xasprintf("%lld", (long long)r) : NULL;
}

static const struct {
	const char *name;
	const struct view_ops *ops;
} commands[] = {
	{"runs", &view_runs}, {"run", &view_run},       {"dag", &view_dag},     {"logs", &view_logs},
	{"launch", &view_launch}, {"queue", &view_queue}, {"models", &view_models}, {"chart", &view_chart},
	{"compare", &view_compare}, {"drift", &view_drift}, {"help", NULL},
	{"quit", NULL},
};

static void show_help(struct app *a)
{
	const char *scope = top(a)->ops->name;
	struct strv lines = {0};
	char *l;

	l = xasprintf("Keys in %s (and everywhere)", scope);
	strv_push(&lines, l);
	free(l);
	strv_push(&lines, "");
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < ACT_COUNT; i++) {
			const struct action_info *ai = &tui_actions[i];
			bool here = strstr(ai->scope, scope) != NULL;
			bool all = !strcmp(ai->scope, S_ALL);
			if ((pass == 0 && !here) || (pass == 1 && !all))
				continue;
			l = xasprintf("  %-16s %s", ai->keys, ai->desc);
			strv_push(&lines, l);
			free(l);
		}
		if (pass == 0)
			strv_push(&lines, "");
	}
	strv_push(&lines, "");
	strv_push(&lines, "Commands: :runs  :run ID  :dag [ID]  :logs [ID [TASK]]  :chart [ID [METRIC]]  :compare ID ID ...  :launch  :queue  :models [NAME]  :help  :quit");
	strv_push(&lines, "Esc or q closes this help.");
	ui_push_text(a, "Help", &lines, false);
}

void app_edit(struct app *a, const char *prompt, const char *value)
{
	a->input_mode = '=';
	snprintf(a->input_prompt, sizeof(a->input_prompt), "%s", prompt);
	snprintf(a->input, sizeof(a->input), "%s", value);
	a->input_len = strlen(a->input);
	a->input_fresh = true;
}

void app_command(struct app *a, const char *line)
{
	char *copy = xstrdup(line), *save = NULL;
	char *cmd = strtok_r(copy, " \t", &save);
	char *rest = cmd ? strtok_r(NULL, "", &save) : NULL;

	while (rest && (*rest == ' ' || *rest == '\t'))
		rest++;
	if (rest && !*rest)
		rest = NULL;
	if (!cmd) {
		free(copy);
		return;
	}
	const struct view_ops *ops = NULL;
	bool known = false;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name)) {
			ops = commands[i].ops;
			known = true;
		}
	if (!strcmp(cmd, "q") || !strcmp(cmd, "quit")) {
		a->quit = true;
	} else if (!strcmp(cmd, "help")) {
		show_help(a);
	} else if (!known) {
		app_status(a, true, "unknown command :%s (:runs :run :dag :logs :chart :compare :launch :queue :models :help :quit)", cmd);
	} else if (ops == &view_runs) {
		switch_to(a, ops, NULL);
	} else {
		bool needs_run = ops == &view_run || ops == &view_dag || ops == &view_logs || ops == &view_chart;
		char *arg = rest ? xstrdup(rest) : needs_run ? run_arg(a) : NULL;
		if (needs_run && !arg)
			app_status(a, true, ":%s needs a run id; no run is selected", cmd);
		else
			app_push(a, ops, arg);
		free(arg);
	}
	free(copy);
}

static void complete(struct app *a)
{
	/* complete the command word; a unique match gets a space */
	if (strchr(a->input, ' '))
		return;
	const char *match = NULL;
	int n = 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strncmp(commands[i].name, a->input, a->input_len)) {
			match = commands[i].name;
			n++;
		}
	if (n == 1) {
		snprintf(a->input, sizeof(a->input), "%s ", match);
		a->input_len = strlen(a->input);
	} else if (n > 1) {
		struct sbuf sb;
		sbuf_init(&sb);
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strncmp(commands[i].name, a->input, a->input_len))
				sbuf_printf(&sb, " :%s", commands[i].name);
		app_status(a, false, "%s", sbuf_str(&sb));
		sbuf_free(&sb);
	}
}

/* ---- drawing ---- */

static void draw_header(struct app *a)
{
	struct sbuf crumbs;
	char ex[128];

	ui_fill(a, 0, 0, a->cols, R_HEADER);
	sbuf_init(&crumbs);
	for (int i = 0; i < a->depth; i++) {
		char *c = a->stack[i].ops->crumb(a->stack[i].state);
		sbuf_printf(&crumbs, "%s%s", i ? " > " : "", c);
		free(c);
	}
	if (a->exec.running)
		snprintf(ex, sizeof(ex), "executor: %d running, %d queued", a->qc.running_tasks, a->qc.queued_runs);
	else
		snprintf(ex, sizeof(ex), "executor: idle%s", a->qc.queued_runs ? ", runs queued" : "");
	int x = ui_putf(a, 0, 0, a->cols, R_HEADER, " mlwb  %s  %s ", a->project_name, ex);
	/* where you are matters more than how you got there: drop the oldest
	 * crumbs first */
	const char *shown = sbuf_str(&crumbs);
	char *shorter = NULL;
	while (ui_width(shown) > a->cols - x - 3 && strstr(shown, " > ")) {
		const char *rest = strstr(shown, " > ") + 3;
		char *next = xasprintf("%s%s", str_startswith(rest, "...") ? "" : "... ", rest);
		free(shorter);
		shown = shorter = next;
	}
	int w = ui_width(shown);
	int cx = a->cols - w - 1;
	if (cx < x + 2)
		cx = x + 2;
	ui_put(a, 0, cx, a->cols - cx, R_HEADER, shown);
	free(shorter);
	sbuf_free(&crumbs);
}

/* The first key of an action's key list ("k, Up" -> "k"). */
static void first_key(const char *keys, char *out, size_t len)
{
	size_t n = strcspn(keys, ",");

	if (n >= len)
		n = len - 1;
	memcpy(out, keys, n);
	out[n] = '\0';
}

static void draw_footer(struct app *a)
{
	int y = a->rows - 1;

	ui_fill(a, y, 0, a->cols, R_FOOTER);
	if (a->input_mode) {
		int px = a->input_mode == '=' ? ui_putf(a, y, 0, a->cols, R_KEY, "%s = ", a->input_prompt)
					      : ui_putf(a, y, 0, a->cols, R_FOOTER, "%c", a->input_mode);
		ui_put(a, y, px, a->cols - px, R_FOOTER, a->input);
		if (!a->headless) {
			curs_set(1);
			move(y, px + ui_width(a->input));
		}
		return;
	}
	if (!a->headless)
		curs_set(0);
	if (a->status[0]) {
		ui_put(a, y, 0, a->cols, a->status_error ? R_ERROR : R_FOOTER, a->status);
		return;
	}
	int x = 0;
	const enum action *keys = top(a)->ops->footer;
	static const enum action always[] = {ACT_HELP, ACT_COMMAND, ACT_QUIT, ACT_NONE};
	for (int pass = 0; pass < 2; pass++) {
		const enum action *list = pass ? always : keys;
		for (int i = 0; list && list[i] != ACT_NONE && x < a->cols; i++) {
			char k[16];
			first_key(tui_actions[list[i]].keys, k, sizeof(k));
			x += ui_put(a, y, x, a->cols - x, R_KEY, k);
			x += ui_putf(a, y, x, a->cols - x, R_FOOTER, " %s  ", tui_actions[list[i]].label);
		}
	}
}

static void draw(struct app *a)
{
	erase();
	if (a->cols < MIN_COLS || a->rows < MIN_ROWS) {
		attrset(a->attr[R_NORMAL]);
		mvprintw(a->rows / 2, 0, "terminal too small: %dx%d, mlwb needs %dx%d", a->cols, a->rows,
			 MIN_COLS, MIN_ROWS);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	draw_header(a);
	struct view *v = top(a);
	v->ops->draw(a, v->state, 1, a->rows - 2, a->cols);
	draw_footer(a);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- live updates ---- */

static void refresh_exec(struct app *a)
{
	struct err err;

	exec_probe(a->p, &a->exec);
	store_queue_counts(a->st, &a->qc, &err);
}

/* Anything new in the database?  Reload the top view when so, at most
 * once a second: while the executor writes, the data changes all the time,
 * and a key press must not wait for a reload of 10,000 runs. */
static bool poll_changes(struct app *a)
{
	int64_t dv = store_data_version(a->st);
	struct view *v = top(a);

	if (dv != a->data_version) {
		a->data_version = dv;
		a->reload_pending = true;
	}
	bool due = a->headless || time_mono() - a->last_reload >= 1.0;
	if (a->reload_pending && due) {
		a->reload_pending = false;
		a->last_reload = time_mono();
		refresh_exec(a);
		if (v->ops->load)
			v->ops->load(a, v->state);
		return true;
	}
	/* the Logs view watches its file's size itself: cheap */
	if (v->ops == &view_logs) {
		v->ops->load(a, v->state);
		return true;
	}
	return false;
}

/* ---- keys ---- */

static void input_key(struct app *a, int key)
{
	bool fresh = a->input_fresh;

	a->input_fresh = false;
	if (fresh && key >= 32 && key < 256) {
		a->input_len = 0;
		a->input[0] = '\0';
	}
	if (key == 27) {
		a->input_mode = 0;
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		int mode = a->input_mode;
		a->input_mode = 0;
		if (mode == ':') {
			app_command(a, a->input);
		} else {
			struct view *v = top(a);
			if (v->ops->search)
				v->ops->search(a, v->state, a->input);
		}
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (a->input_len)
			a->input[--a->input_len] = '\0';
		else
			a->input_mode = 0;
	} else if (key == '\t' && a->input_mode == ':') {
		complete(a);
	} else if (key >= 32 && key < 256 && a->input_len + 1 < sizeof(a->input)) {
		a->input[a->input_len++] = (char)key;
		a->input[a->input_len] = '\0';
	}
}

static void handle_key(struct app *a, int key)
{
	struct view *v = top(a);

	a->status[0] = '\0';
	if (a->input_mode) {
		input_key(a, key);
		return;
	}
	if (key == KEY_RESIZE)
		return;
	if (key == KEY_MOUSE) {
		MEVENT ev;
		if (getmouse(&ev) != OK)
			return;
		if (ev.bstate & BUTTON4_PRESSED) {
			key = KEY_UP;
		} else if (ev.bstate & BUTTON5_PRESSED) {
			key = KEY_DOWN;
		} else if ((ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)) && v->ops->click) {
			int r = v->ops->click(a, v->state, ev.y - 1, (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0);
			if (r & H_RELOAD && v->ops->load)
				v->ops->load(a, v->state);
			return;
		} else {
			return;
		}
	}
	enum action act = tui_key_action(key, v->ops->name);
	int r = act == ACT_NONE ? H_NONE : v->ops->handle(a, v->state, act, key);
	if (r != H_NONE) {
		if (r & H_RELOAD && v->ops->load)
			v->ops->load(a, v->state);
		return;
	}
	char *arg;
	switch (act) {
	case ACT_QUIT:
		if (a->depth > 1)
			pop(a);
		else
			a->quit = true;
		break;
	case ACT_BACK:
		pop(a);
		break;
	case ACT_HELP:
		show_help(a);
		break;
	case ACT_COMMAND:
	case ACT_SEARCH:
		if (act == ACT_SEARCH && !v->ops->search) {
			app_status(a, true, "%s has nothing to search", v->ops->name);
			break;
		}
		a->input_mode = act == ACT_COMMAND ? ':' : '/';
		a->input[0] = '\0';
		a->input_len = 0;
		break;
	case ACT_VIEW_RUNS:
		switch_to(a, &view_runs, NULL);
		break;
	case ACT_VIEW_RUN:
	case ACT_VIEW_DAG:
	case ACT_VIEW_LOGS:
		arg = run_arg(a);
		if (!arg)
			app_status(a, true, "no run selected: pick one in Runs (1)");
		else
			switch_to(a, act == ACT_VIEW_RUN ? &view_run : act == ACT_VIEW_DAG ? &view_dag : &view_logs, arg);
		free(arg);
		break;
	case ACT_VIEW_LAUNCH:
		switch_to(a, &view_launch, NULL);
		break;
	case ACT_VIEW_QUEUE:
		switch_to(a, &view_queue, NULL);
		break;
	case ACT_VIEW_MODELS:
		switch_to(a, &view_models, NULL);
		break;
	case ACT_VIEW_DRIFT:
		switch_to(a, &view_drift, NULL);
		break;
	case ACT_NEXT_VIEW: {
		static const struct view_ops *const order[] = {&view_runs, &view_run, &view_dag, &view_logs,
							       &view_launch, &view_queue, &view_models, &view_drift};
		size_t i = 0, n = sizeof(order) / sizeof(*order);
		while (i < n && order[i] != v->ops)
			i++;
		for (size_t k = 1; k <= n; k++) {
			const struct view_ops *next = order[(i + k) % n];
			arg = (next == &view_run || next == &view_dag || next == &view_logs) ? run_arg(a) : NULL;
			if ((next == &view_run || next == &view_dag || next == &view_logs) && !arg)
				continue;
			switch_to(a, next, arg);
			free(arg);
			break;
		}
		break;
	}
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	default:
		break;
	}
}

/* ---- headless: keys from a script ---- */

static int key_by_name(const char *s)
{
	static const struct {
		const char *name;
		int key;
	} names[] = {
		{"Enter", '\n'}, {"Esc", 27}, {"Tab", '\t'}, {"Space", ' '}, {"Backspace", KEY_BACKSPACE},
		{"Up", KEY_UP}, {"Down", KEY_DOWN}, {"Left", KEY_LEFT}, {"Right", KEY_RIGHT},
		{"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE}, {"Home", KEY_HOME}, {"End", KEY_END},
		{"C-s", 19}, {"C-l", 12}, {"C-b", 2}, {"C-f", 6},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].key;
	return (unsigned char)s[0];
}

static void dump_screen(struct app *a, FILE *f)
{
	for (int y = 0; y < a->rows; y++) {
		cchar_t cells[512];
		struct sbuf line;
		sbuf_init(&line);
		int n = a->cols < 512 ? a->cols : 511;
		mvin_wchnstr(y, 0, cells, n);
		for (int x = 0; x < n; x++) {
			wchar_t wc[CCHARW_MAX + 1];
			attr_t at;
			short pair;
			if (getcchar(&cells[x], wc, &at, &pair, NULL) == ERR || !wc[0])
				continue; /* the second cell of a wide character */
			char mb[16];
			mbstate_t st;
			memset(&st, 0, sizeof(st));
			size_t k = wcrtomb(mb, wc[0], &st);
			if (k != (size_t)-1)
				sbuf_add(&line, mb, k);
		}
		while (line.len && line.buf[line.len - 1] == ' ')
			line.buf[--line.len] = '\0';
		fprintf(f, "%s\n", sbuf_str(&line));
		sbuf_free(&line);
	}
}

static int run_script(struct app *a, const char *path, struct err *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[1024];
	int lineno = 0;

	if (!f)
		return err_set(err, "cannot read %s: %s", path, strerror(errno));
	poll_changes(a);
	draw(a);
	while (!a->quit && fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		char *arg = strchr(line, ' ');
		if (arg)
			*arg++ = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (!strcmp(line, "key")) {
			handle_key(a, key_by_name(arg ? arg : ""));
		} else if (!strcmp(line, "type")) {
			for (const char *c = arg ? arg : ""; *c; c++)
				handle_key(a, (unsigned char)*c);
		} else if (!strcmp(line, "resize")) {
			int c = 0, r = 0;
			if (!arg || sscanf(arg, "%d %d", &c, &r) != 2) {
				fclose(f);
				return err_set(err, "%s:%d: resize COLS LINES", path, lineno);
			}
			resizeterm(r, c);
			a->rows = r;
			a->cols = c;
		} else if (!strcmp(line, "sleep")) {
			usleep((useconds_t)(atoi(arg ? arg : "0") * 1000));
		} else if (!strcmp(line, "dump")) {
			printf("--- screen%s%s ---\n", arg ? " " : "", arg ? arg : "");
		} else {
			if (f != stdin)
				fclose(f);
			return err_set(err, "%s:%d: unknown step \"%s\" (key, type, resize, sleep, dump)", path, lineno,
				       line);
		}
		/* each step waits until the view is idle: loads are synchronous,
		 * so one check for changes and one frame */
		poll_changes(a);
		draw(a);
		if (!strcmp(line, "dump"))
			dump_screen(a, stdout);
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

/* ---- setup ---- */

static char *theme_from_config(const struct project *p)
{
	const char *home = getenv("HOME");
	char *paths[2] = {path_join(p->dir, "config.yaml"),
			  home ? xasprintf("%s/.config/mlwb/config.yaml", home) : NULL};
	char *found = NULL;

	for (int i = 0; i < 2 && !found; i++) {
		char *text;
		struct err err;
		if (!paths[i] || file_read_all(paths[i], &text, NULL, &err) < 0)
			continue;
		/* one key matters here: "theme: NAME" */
		for (char *l = strtok(text, "\n"); l && !found; l = strtok(NULL, "\n")) {
			while (*l == ' ')
				l++;
			if (!strncmp(l, "theme:", 6)) {
				char *v = l + 6;
				while (*v == ' ' || *v == '"' || *v == '\'')
					v++;
				size_t n = strcspn(v, " \"'#\r");
				if (n)
					found = xstrndup(v, n);
			}
		}
		free(text);
	}
	free(paths[0]);
	free(paths[1]);
	return found;
}

static void setup_colors(struct app *a, const struct tui_options *o)
{
	const char *nc = getenv("NO_COLOR");
	char *cfg = NULL;
	const char *name = o->theme ? o->theme : getenv("MLWB_THEME");
	struct err err;

	a->colors = 0;
	if (has_colors() && !(nc && *nc)) {
		start_color();
		use_default_colors();
		a->colors = COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
	}
	if (!name || !*name)
		name = cfg = theme_from_config(a->p);
	if (!name)
		name = "default";
	if (!strcmp(name, "default") && !cfg && !o->theme && !getenv("MLWB_THEME"))
		theme_default(a->colors, a->attr);
	else if (theme_load(name, a->colors, a->attr, &err) < 0)
		app_status(a, true, "%s", err.msg);
	free(cfg);
}

int tui_main(const struct project *p, const struct tui_options *o, struct err *err)
{
	struct app a;
	int rc = 0;

	memset(&a, 0, sizeof(a));
	a.p = p;
	a.headless = o->script != NULL;
	const char *cs = nl_langinfo(CODESET);
	a.utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	if (store_open(p->db, STORE_CREATE, &a.st, err) < 0)
		return -1;
	struct diags d;
	if (path_exists(p->yaml) && pipeline_spec_load(p->yaml, "mlwb.yaml", &a.spec, &d) < 0 && d.n) {
		char *first = diags_format(&d, 0);
		app_status(&a, true, "%s%s", first, d.n > 1 ? " (and more: mlwb validate)" : "");
		free(first);
	}
	if (path_exists(p->yaml))
		diags_free(&d);
	const char *slash = strrchr(p->root, '/');
	a.project_name = xstrdup(a.spec && a.spec->project ? a.spec->project : slash ? slash + 1 : p->root);

	if (a.headless) {
		char cols[16], lines[16];
		snprintf(cols, sizeof(cols), "%d", o->cols > 0 ? o->cols : 100);
		snprintf(lines, sizeof(lines), "%d", o->lines > 0 ? o->lines : 30);
		setenv("COLUMNS", cols, 1);
		setenv("LINES", lines, 1);
		FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
		headless_screen = newterm(getenv("TERM") ? NULL : "xterm-256color", out, in);
		if (!headless_screen) {
			store_close(a.st);
			return err_set(err, "cannot set up a headless screen for TERM=%s", getenv("TERM"));
		}
		set_term(headless_screen);
	} else {
		if (!isatty(0) || !isatty(1)) {
			store_close(a.st);
			pipeline_spec_free(a.spec);
			free(a.project_name);
			return err_setc(err, 2, "the terminal UI needs a terminal; try `mlwb runs` or `mlwb show RUN`");
		}
		if (!initscr()) {
			store_close(a.st);
			return err_set(err, "cannot start the terminal UI (TERM=%s)", getenv("TERM"));
		}
	}
	curses_up = !a.headless;
	util_set_fatal_hook(restore_terminal);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGFPE, on_crash);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	if (!a.headless) {
		curs_set(0);
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	}
	setup_colors(&a, o);
	getmaxyx(stdscr, a.rows, a.cols);
	a.data_version = store_data_version(a.st);
	refresh_exec(&a);
	app_push(&a, &view_runs, NULL);
	if (o->start)
		app_command(&a, o->start);

	if (a.headless) {
		rc = run_script(&a, o->script, err);
	} else {
		timeout(500); /* wake twice a second to look for changes: idle CPU ~0 */
		bool dirty = true;
		while (!a.quit && !got_stop) {
			if (dirty)
				draw(&a);
			dirty = false;
			int key = getch();
			if (key == ERR) {
				dirty = poll_changes(&a);
				continue;
			}
			if (key == KEY_RESIZE)
				getmaxyx(stdscr, a.rows, a.cols);
			handle_key(&a, key);
			/* keys arriving in a burst are handled before one redraw */
			poll_changes(&a);
			dirty = true;
		}
	}
	while (a.depth > 0) {
		a.stack[a.depth - 1].ops->close(a.stack[a.depth - 1].state);
		a.depth--;
	}
	if (a.headless) {
		endwin();
		delscreen(headless_screen);
	} else {
		restore_terminal();
	}
	util_set_fatal_hook(NULL);
	store_close(a.st);
	pipeline_spec_free(a.spec);
	free(a.project_name);
	return rc;
}

void tui_keys_markdown(FILE *f)
{
	fprintf(f, "# Keys of the terminal UI\n\n"
		   "Generated from the table in src/tui/tui.h (`mlwb tui --keys-md`); the help\n"
		   "overlay (`?`) shows the same list for the view at hand.\n\n"
		   "| keys | action | where |\n|---|---|---|\n");
	for (int i = 0; i < ACT_COUNT; i++)
		fprintf(f, "| `%s` | %s | %s |\n", tui_actions[i].keys, tui_actions[i].desc, tui_actions[i].scope);
	fprintf(f, "\nCommands after `:` (Tab completes): `:runs`, `:run ID`, `:dag [ID]`,\n"
		   "`:logs [ID [TASK]]`, `:launch`, `:queue`, `:models [NAME]`, `:help`, `:quit`.\n");
}
