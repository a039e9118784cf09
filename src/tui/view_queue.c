/* view_queue.c - Queue: running and waiting tasks across runs, resources in
 * use against the executor's capacity, cancel. */
#include <stdlib.h>
#include <string.h>

#include "tui.h"

struct queue {
	struct queue_task *v;
	size_t n;
	int sel, top;
	struct exec_config cap;
	char *filter;
};

static int queue_load(struct app *a, void *state)
{
	struct queue *q = state;
	struct err err;

	store_queue_tasks_free(q->v, q->n);
	q->v = NULL;
	q->n = 0;
	if (store_queue_tasks(a->st, &q->v, &q->n, &err) < 0)
		app_status(a, true, "%s", err.msg);
	if (q->sel >= (int)q->n)
		q->sel = (int)q->n - 1;
	if (q->sel < 0)
		q->sel = 0;
	return 0;
}

static void *queue_open(struct app *a, const char *arg)
{
	struct queue *q = xcalloc(1, sizeof(*q));

	(void)a;
	(void)arg;
	exec_config_default(&q->cap);
	return q;
}

static bool shown(struct queue *q, size_t i)
{
	return !q->filter || strstr(q->v[i].name, q->filter) || strstr(q->v[i].pipeline, q->filter);
}

static void queue_draw(struct app *a, void *state, int y, int h, int w)
{
	struct queue *q = state;
	double cpu = 0;
	int64_t mem = 0;
	int gpu = 0, running = 0;

	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].started) {
			cpu += q->v[i].cpu < q->cap.cpu ? q->v[i].cpu : q->cap.cpu;
			mem += q->v[i].mem;
			gpu += q->v[i].gpu;
			running++;
		}
	ui_putf(a, y, 1, w - 2, R_TITLE, "%s  cpu %.1f/%.0f  mem %.1f/%.1f GiB  gpu %d/%d  %d running, %zu waiting",
		a->exec.running ? "executor up" : "executor idle", cpu, q->cap.cpu, (double)mem / (1 << 30),
		(double)q->cap.mem / (1 << 30), gpu, q->cap.gpus, running, q->n - (size_t)running);
	if (!q->n) {
		ui_put(a, y + 2, 2, w - 4, R_DIM, "Nothing running or waiting.");
		return;
	}
	ui_putf(a, y + 1, 1, w - 2, R_DIM, "%-6s %-14s %-18s %-10s %5s %8s %4s %9s %3s", "RUN", "PIPELINE", "TASK",
		"STATUS", "CPU", "MEM", "GPU", "ELAPSED", "TRY");
	int rows = h - 2, k = 0;
	if (q->sel < q->top)
		q->top = q->sel;
	if (q->sel >= q->top + rows)
		q->top = q->sel - rows + 1;
	for (size_t i = 0; i < q->n; i++) {
		if (!shown(q, i))
			continue;
		int row = k++;
		if (row < q->top || row - q->top >= rows)
			continue;
		const struct queue_task *t = &q->v[i];
		char el[32] = "-", mtext[16] = "-";
		if (t->started)
			time_format_duration(app_now(a) - t->started, el, sizeof(el));
		if (t->mem)
			snprintf(mtext, sizeof(mtext), "%.1fG", (double)t->mem / (1 << 30));
		bool sel = row == q->sel;
		if (sel)
			ui_fill(a, y + 2 + row - q->top, 0, w, R_SELECTED);
		ui_putf(a, y + 2 + row - q->top, 1, w - 2, sel ? R_SELECTED : ui_state_role(t->status),
			"%-6lld %-14.14s %-18.18s %s %-8s %5.1f %8s %4d %9s %3d", (long long)t->run, t->pipeline, t->name,
			ui_state_symbol(a, t->status), t->status, t->cpu, mtext, t->gpu, el, t->attempts);
	}
}

static int queue_handle(struct app *a, void *state, enum action act, int key)
{
	struct queue *q = state;
	struct err err;
	int n = 0;

	(void)key;
	for (size_t i = 0; i < q->n; i++)
		n += shown(q, i);
	if (ui_list_nav(act, &q->sel, n, a->rows - 4))
		return H_REDRAW;
	switch (act) {
	case ACT_ENTER:
	case ACT_CANCEL: {
		const struct queue_task *t = NULL;
		int k = 0;
		for (size_t i = 0; i < q->n && !t; i++)
			if (shown(q, i) && k++ == q->sel)
				t = &q->v[i];
		if (!t)
			return H_REDRAW;
		if (act == ACT_ENTER) {
			char *arg = xasprintf("%lld %s", (long long)t->run, t->name);
			app_push(a, &view_logs, arg);
			free(arg);
			return H_REDRAW;
		}
		if (store_run_request_cancel(a->st, t->run, &err) < 0)
			app_status(a, true, "%s", err.msg);
		else {
			exec_wake(a->p);
			app_status(a, false, "run %lld: cancel requested", (long long)t->run);
		}
		return H_RELOAD;
	}
	default:
		return H_NONE;
	}
	if (q->sel >= n)
		q->sel = n - 1;
	if (q->sel < 0)
		q->sel = 0;
	return H_REDRAW;
}

static int queue_search(struct app *a, void *state, const char *text)
{
	struct queue *q = state;

	(void)a;
	free(q->filter);
	q->filter = *text ? xstrdup(text) : NULL;
	q->sel = 0;
	return H_REDRAW;
}

static void queue_close(void *state)
{
	struct queue *q = state;

	store_queue_tasks_free(q->v, q->n);
	exec_config_free(&q->cap);
	free(q->filter);
	free(q);
}

static char *queue_crumb(void *state)
{
	(void)state;
	return xstrdup("Queue");
}

static const enum action queue_footer[] = {ACT_ENTER, ACT_CANCEL, ACT_SEARCH, ACT_BACK, ACT_NONE};

const struct view_ops view_queue = {
	.name = "Queue", .cmd = "queue", .open = queue_open, .load = queue_load, .draw = queue_draw,
	.handle = queue_handle, .close = queue_close, .crumb = queue_crumb, .footer = queue_footer,
	.search = queue_search,
};
