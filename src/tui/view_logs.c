/* view_logs.c - Logs: a task attempt's log, live, searchable.
 *
 * The file is mapped, not read: a 100 MB log costs its line index (8 bytes a
 * line) and the lines on screen.  Follow mode sticks to the end as it grows;
 * the loop calls load twice a second, which only looks at the file's size.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui.h"

struct logs {
	int64_t run;
	char *task; /* NULL: chosen on load */
	int attempt;
	char *path;
	char *map;
	size_t size;
	size_t *lines; /* offsets of line starts */
	size_t n_lines, cap_lines;
	int top, left;
	bool follow;
	char *search;
	int match; /* line of the current match, -1 */
};

static void unmap(struct logs *v)
{
	if (v->map)
		munmap(v->map, v->size);
	v->map = NULL;
	v->size = 0;
	v->n_lines = 0;
}

/* Maps the file again when it grew, and indexes only the new part. */
static void remap(struct logs *v)
{
	struct stat st;
	int fd;

	if (!v->path || stat(v->path, &st) < 0) {
		unmap(v);
		return;
	}
	if ((size_t)st.st_size == v->size && v->map)
		return;
	size_t old = (size_t)st.st_size >= v->size ? v->size : 0;
	if (old == 0) {
		unmap(v);
	} else {
		munmap(v->map, v->size);
		v->map = NULL;
	}
	if (st.st_size == 0 || (fd = open(v->path, O_RDONLY | O_CLOEXEC)) < 0) {
		v->size = 0;
		return;
	}
	v->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (v->map == MAP_FAILED) {
		v->map = NULL;
		v->size = 0;
		return;
	}
	v->size = (size_t)st.st_size;
	if (old == 0) {
		v->n_lines = 0;
		XGROW(v->lines, v->n_lines, v->cap_lines, 1024);
		v->lines[v->n_lines++] = 0;
	} else if (v->n_lines && v->lines[v->n_lines - 1] >= old) {
		/* the last (partial) line is re-read from its start */
	}
	/* index from the start of the last known line */
	size_t from = v->n_lines ? v->lines[v->n_lines - 1] : 0;
	for (const char *p = v->map + from, *end = v->map + v->size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		size_t next = (size_t)(nl - v->map) + 1;
		if (next >= v->size)
			break;
		XGROW(v->lines, v->n_lines, v->cap_lines, 1024);
		v->lines[v->n_lines++] = next;
		p = nl + 1;
	}
}

/* Line i as text (no newline), copied into buf. */
static const char *line_at(struct logs *v, size_t i, char *buf, size_t len)
{
	size_t s = v->lines[i], e = i + 1 < v->n_lines ? v->lines[i + 1] : v->size;
	size_t n = e - s;

	while (n && (v->map[s + n - 1] == '\n' || v->map[s + n - 1] == '\r'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, v->map + s, n);
	buf[n] = '\0';
	for (size_t k = 0; k < n; k++)
		if (buf[k] == '\0')
			buf[k] = '?'; /* binary junk */
	return buf;
}

static int logs_load(struct app *a, void *state)
{
	struct logs *v = state;
	struct attempt_row *at;
	size_t n;
	struct err err;

	if (store_attempts(a->st, v->run, v->task, &at, &n, &err) < 0) {
		app_status(a, true, "%s", err.msg);
		return 0;
	}
	if (!v->task && n) {
		/* no task named: the first failed one, else the last that ran */
		size_t pick = n - 1;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(at[i].status, "failed")) {
				pick = i;
				break;
			}
		v->task = xstrdup(at[pick].task);
		store_attempts_free(at, n);
		if (store_attempts(a->st, v->run, v->task, &at, &n, &err) < 0)
			return 0;
	}
	if (n) {
		const struct attempt_row *last = &at[n - 1];
		if (last->number != v->attempt || !v->path || strcmp(v->path, last->log_path ? last->log_path : "")) {
			unmap(v);
			free(v->path);
			v->path = last->log_path ? xstrdup(last->log_path) : NULL;
			v->attempt = last->number;
			v->top = 0;
		}
	}
	store_attempts_free(at, n);
	size_t before = v->n_lines;
	remap(v);
	if (v->follow && v->n_lines != before)
		v->top = (int)v->n_lines;
	a->last_run = v->run;
	return 0;
}

static void *logs_open(struct app *a, const char *arg)
{
	long id;
	char *copy = arg ? xstrdup(arg) : NULL, *save = NULL;
	char *first = copy ? strtok_r(copy, " ", &save) : NULL;
	char *task = first ? strtok_r(NULL, " ", &save) : NULL;

	if (!first || !str_to_long(first, &id) || id < 1) {
		app_status(a, true, ":logs needs a run id, got \"%s\"", arg ? arg : "");
		free(copy);
		return NULL;
	}
	struct logs *v = xcalloc(1, sizeof(*v));
	v->run = id;
	v->task = task ? xstrdup(task) : NULL;
	v->match = -1;
	v->follow = true;
	free(copy);
	return v;
}

static bool looks_like_error(const char *s)
{
	static const char *const words[] = {"error", "Error", "ERROR", "Traceback", "FAILED", "Exception",
					    "fatal", "FATAL", "panic"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(s, words[i]))
			return true;
	return false;
}

static void logs_draw(struct app *a, void *state, int y, int h, int w)
{
	struct logs *v = state;
	char buf[4096];

	ui_putf(a, y, 1, w - 2, R_TITLE, "run %lld  %s  attempt %d  %zu lines%s%s%s", (long long)v->run,
		v->task ? v->task : "(no task has started)", v->attempt, v->map ? v->n_lines : 0,
		v->follow ? "  [follow]" : "", v->search ? "  /" : "", v->search ? v->search : "");
	if (!v->map) {
		ui_put(a, y + 2, 2, w - 4, R_DIM,
		       v->path ? "(the log is empty so far)"
			       : v->task ? "(no attempt of this task: it was restored from cache, or has not run)"
					 : "(no task of this run has started)");
		return;
	}
	int rows = h - 1;
	if (v->follow)
		v->top = (int)v->n_lines - rows;
	if (v->top > (int)v->n_lines - rows)
		v->top = (int)v->n_lines - rows;
	if (v->top < 0)
		v->top = 0;
	for (int i = 0; i < rows && v->top + i < (int)v->n_lines; i++) {
		const char *l = line_at(v, (size_t)(v->top + i), buf, sizeof(buf));
		const char *shown = l;
		for (int k = 0; k < v->left && *shown; k++)
			shown++;
		enum role r = looks_like_error(l) ? R_ERROR : R_NORMAL;
		if (v->top + i == v->match)
			r = R_SEARCH;
		ui_put(a, y + 1 + i, 0, w, r, shown);
		/* highlight every occurrence of the search text */
		if (v->search && *v->search && v->top + i != v->match) {
			size_t sl = strlen(v->search);
			for (const char *p = strstr(shown, v->search); p; p = strstr(p + sl, v->search)) {
				char *pre = xstrndup(shown, (size_t)(p - shown));
				int x = ui_width(pre);
				free(pre);
				if (x < w)
					ui_put(a, y + 1 + i, x, w - x, R_SEARCH, v->search);
			}
		}
	}
}

static int find(struct logs *v, int from, int step, bool errors)
{
	char buf[4096];

	for (int i = from; i >= 0 && i < (int)v->n_lines; i += step) {
		const char *l = line_at(v, (size_t)i, buf, sizeof(buf));
		if (errors ? looks_like_error(l) : (v->search && strstr(l, v->search)))
			return i;
	}
	return -1;
}

static int logs_handle(struct app *a, void *state, enum action act, int key)
{
	struct logs *v = state;
	int page = a->rows - 4, found;

	(void)key;
	switch (act) {
	case ACT_UP: v->top--; v->follow = false; break;
	case ACT_DOWN: v->top++; break;
	case ACT_PAGE_UP: v->top -= page; v->follow = false; break;
	case ACT_PAGE_DOWN: v->top += page; break;
	case ACT_HOME: v->top = 0; v->follow = false; break;
	case ACT_END: v->top = (int)v->n_lines; break;
	case ACT_LEFT: v->left = v->left > 8 ? v->left - 8 : 0; break;
	case ACT_RIGHT: v->left += 8; break;
	case ACT_FOLLOW:
		v->follow = !v->follow;
		if (v->follow)
			v->top = (int)v->n_lines;
		break;
	case ACT_NEXT_MATCH:
	case ACT_PREV_MATCH:
	case ACT_NEXT_ERROR: {
		bool err = act == ACT_NEXT_ERROR;
		int step = act == ACT_PREV_MATCH ? -1 : 1;
		int from = (v->match >= 0 ? v->match : v->top) + step;
		if (!err && !v->search) {
			app_status(a, true, "no search yet: / and some text");
			return H_REDRAW;
		}
		found = find(v, from, step, err);
		if (found < 0) {
			app_status(a, true, err ? "no more error lines below" : "no more matches");
			return H_REDRAW;
		}
		v->match = found;
		v->top = found - page / 2;
		v->follow = false;
		break;
	}
	default:
		return H_NONE;
	}
	if (v->top < 0)
		v->top = 0;
	return H_REDRAW;
}

static int logs_search(struct app *a, void *state, const char *text)
{
	struct logs *v = state;

	free(v->search);
	v->search = *text ? xstrdup(text) : NULL;
	v->match = -1;
	if (v->search) {
		int found = find(v, v->top, 1, false);
		if (found < 0)
			found = find(v, 0, 1, false);
		if (found < 0) {
			app_status(a, true, "\"%s\" is not in this log", text);
		} else {
			v->match = found;
			v->top = found - (a->rows - 4) / 2;
			if (v->top < 0)
				v->top = 0;
			v->follow = false;
		}
	}
	return H_REDRAW;
}

static void logs_close(void *state)
{
	struct logs *v = state;

	unmap(v);
	free(v->lines);
	free(v->path);
	free(v->task);
	free(v->search);
	free(v);
}

static char *logs_crumb(void *state)
{
	struct logs *v = state;

	return xasprintf("logs %lld%s%s", (long long)v->run, v->task ? " " : "", v->task ? v->task : "");
}

static int64_t logs_current(void *state)
{
	return ((struct logs *)state)->run;
}

static const enum action logs_footer[] = {ACT_FOLLOW, ACT_SEARCH, ACT_NEXT_MATCH, ACT_NEXT_ERROR, ACT_BACK, ACT_NONE};

const struct view_ops view_logs = {
	.name = "Logs", .cmd = "logs", .open = logs_open, .load = logs_load, .draw = logs_draw,
	.handle = logs_handle, .close = logs_close, .crumb = logs_crumb, .footer = logs_footer,
	.current_run = logs_current, .search = logs_search,
};
