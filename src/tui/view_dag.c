/* view_dag.c - DAG: the run's tasks as a layered graph, live.
 *
 * Sugiyama-style: the layers come from the pipeline; edges that skip layers
 * get dummy nodes; a few barycenter sweeps reduce crossings; edges are
 * routed through the gap after each layer on a canvas of line directions,
 * so that lines that meet become proper box-drawing junctions.  A graph far
 * larger than the screen collapses to a list of layers.
 */
#include <stdlib.h>
#include <string.h>

#include "tui.h"

#define GAP 5
#define MAX_LABEL 30

enum { D_UP = 1, D_DOWN = 2, D_LEFT = 4, D_RIGHT = 8 };

struct node {
	int64_t task; /* 0 for a dummy */
	char *name, *status;
	int attempts;
	int64_t started, finished;
	int layer, pos;
	double bary;
	int *up, *down; /* node indices */
	int n_up, n_down;
};

struct dag {
	int64_t run;
	struct node *nodes;
	int n, n_real;
	int n_layers;
	int *layer_width;
	int *layer_x;
	int *layer_count;
	int height, width;
	unsigned char *canvas; /* width x height direction bits */
	int sel; /* node index */
	int off_x, off_y;
	bool list; /* collapsed */
	int list_top;
	char run_status[32];
};

static void free_nodes(struct dag *d)
{
	for (int i = 0; i < d->n; i++) {
		free(d->nodes[i].name);
		free(d->nodes[i].status);
		free(d->nodes[i].up);
		free(d->nodes[i].down);
	}
	free(d->nodes);
	free(d->layer_width);
	free(d->layer_x);
	free(d->layer_count);
	free(d->canvas);
	d->nodes = NULL;
	d->layer_width = d->layer_x = d->layer_count = NULL;
	d->canvas = NULL;
	d->n = d->n_real = 0;
}

static void link_nodes(struct dag *d, int from, int to)
{
	struct node *a = &d->nodes[from], *b = &d->nodes[to];

	a->down = xrealloc(a->down, (size_t)(a->n_down + 1) * sizeof(int));
	a->down[a->n_down++] = to;
	b->up = xrealloc(b->up, (size_t)(b->n_up + 1) * sizeof(int));
	b->up[b->n_up++] = from;
}

static int new_node(struct dag *d, int *cap)
{
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		d->nodes = xrealloc(d->nodes, (size_t)*cap * sizeof(*d->nodes));
	}
	memset(&d->nodes[d->n], 0, sizeof(d->nodes[0]));
	return d->n++;
}

static char *label(struct app *a, const struct node *nd)
{
	char du[32] = "";

	if (nd->started)
		time_format_duration((nd->finished ? nd->finished : app_now(a)) - nd->started, du, sizeof(du));
	char *l = xasprintf("%s %s%s%s", ui_state_symbol(a, nd->status), nd->name, du[0] ? " " : "", du);
	return l;
}

static int by_bary(const void *x, const void *y, void *arg)
{
	struct dag *d = arg;
	const struct node *a = &d->nodes[*(const int *)x], *b = &d->nodes[*(const int *)y];

	if (a->bary != b->bary)
		return a->bary < b->bary ? -1 : 1;
	return a->pos - b->pos;
}

/* Orders each layer by the mean position of its neighbours, sweeping down
 * then up a few times. */
static void reduce_crossings(struct dag *d)
{
	int **layers = xcalloc((size_t)d->n_layers, sizeof(*layers));

	for (int l = 0; l < d->n_layers; l++) {
		layers[l] = xcalloc((size_t)d->layer_count[l] + 1, sizeof(int));
		int k = 0;
		for (int i = 0; i < d->n; i++)
			if (d->nodes[i].layer == l)
				layers[l][k++] = i;
	}
	for (int sweep = 0; sweep < 8; sweep++) {
		bool down = sweep % 2 == 0;
		for (int s = 1; s < d->n_layers; s++) {
			int l = down ? s : d->n_layers - 1 - s;
			for (int k = 0; k < d->layer_count[l]; k++) {
				struct node *nd = &d->nodes[layers[l][k]];
				int *nb = down ? nd->up : nd->down;
				int nn = down ? nd->n_up : nd->n_down;
				if (!nn) {
					nd->bary = nd->pos;
					continue;
				}
				double sum = 0;
				for (int j = 0; j < nn; j++)
					sum += d->nodes[nb[j]].pos;
				nd->bary = sum / nn;
			}
			qsort_r(layers[l], (size_t)d->layer_count[l], sizeof(int), by_bary, d);
			for (int k = 0; k < d->layer_count[l]; k++)
				d->nodes[layers[l][k]].pos = k;
		}
	}
	for (int l = 0; l < d->n_layers; l++)
		free(layers[l]);
	free(layers);
}

static void canvas_mark(struct dag *d, int x, int y, unsigned char bits)
{
	if (x >= 0 && x < d->width && y >= 0 && y < d->height)
		d->canvas[y * d->width + x] |= bits;
}

static void canvas_hline(struct dag *d, int x0, int x1, int y)
{
	for (int x = x0; x <= x1; x++) {
		unsigned char b = 0;
		if (x > x0)
			b |= D_LEFT;
		if (x < x1)
			b |= D_RIGHT;
		canvas_mark(d, x, y, b);
	}
}

static void layout(struct app *a, struct dag *d)
{
	d->layer_width = xcalloc((size_t)d->n_layers + 1, sizeof(int));
	d->layer_x = xcalloc((size_t)d->n_layers + 1, sizeof(int));
	int rows = 0;
	for (int i = 0; i < d->n; i++) {
		struct node *nd = &d->nodes[i];
		int w = 1;
		if (nd->task) {
			char *l = label(a, nd);
			w = ui_width(l) + 2;
			free(l);
		}
		if (w > MAX_LABEL)
			w = MAX_LABEL;
		if (w > d->layer_width[nd->layer])
			d->layer_width[nd->layer] = w;
		if (nd->pos + 1 > rows)
			rows = nd->pos + 1;
	}
	int x = 1;
	for (int l = 0; l < d->n_layers; l++) {
		d->layer_x[l] = x;
		x += d->layer_width[l] + GAP;
	}
	d->width = x;
	d->height = rows * 2;
	free(d->canvas);
	d->canvas = xcalloc((size_t)d->width * (size_t)d->height + 1, 1);
	for (int i = 0; i < d->n; i++) {
		struct node *s = &d->nodes[i];
		int sy = s->pos * 2;
		if (!s->task) /* a dummy: the line runs through its column */
			canvas_hline(d, d->layer_x[s->layer] - 1, d->layer_x[s->layer] + d->layer_width[s->layer], sy);
		for (int k = 0; k < s->n_down; k++) {
			struct node *t = &d->nodes[s->down[k]];
			int ty = t->pos * 2;
			int x0 = d->layer_x[s->layer] + d->layer_width[s->layer];
			int xm = x0 + 2, x1 = d->layer_x[t->layer] - 1;
			canvas_hline(d, x0, xm, sy);
			for (int y = sy < ty ? sy : ty; y <= (sy < ty ? ty : sy); y++) {
				unsigned char b = 0;
				if (y > (sy < ty ? sy : ty))
					b |= D_UP;
				if (y < (sy < ty ? ty : sy))
					b |= D_DOWN;
				canvas_mark(d, xm, y, b);
			}
			canvas_hline(d, xm, x1, ty);
		}
	}
}

static int dag_load(struct app *a, void *state)
{
	struct dag *d = state;
	struct exec_task_row *rows;
	struct task_info *ti;
	size_t nr, nt;
	struct err err;
	char *keep = d->n && d->sel < d->n ? xstrdup(d->nodes[d->sel].name ? d->nodes[d->sel].name : "") : NULL;

	if (store_run_tasks(a->st, d->run, &rows, &nr, &err) < 0 ||
	    store_task_list(a->st, d->run, &ti, &nt, &err) < 0) {
		app_status(a, true, "%s", err.msg);
		free(keep);
		return -1;
	}
	store_run_status(a->st, d->run, d->run_status, sizeof(d->run_status), &err);
	if (!d->run_status[0]) {
		app_status(a, true, "no run %lld", (long long)d->run);
		store_exec_tasks_free(rows, nr);
		store_task_list_free(ti, nt);
		free(keep);
		return -1;
	}
	free_nodes(d);
	int cap = 0;
	for (size_t i = 0; i < nr; i++) {
		int k = new_node(d, &cap);
		struct node *nd = &d->nodes[k];
		nd->task = rows[i].id;
		nd->name = xstrdup(rows[i].name);
		nd->status = xstrdup(rows[i].status);
		nd->layer = rows[i].layer;
		nd->attempts = rows[i].attempts;
		for (size_t j = 0; j < nt; j++)
			if (ti[j].id == rows[i].id) {
				nd->started = ti[j].started;
				nd->finished = ti[j].finished;
			}
	}
	d->n_real = d->n;
	d->n_layers = 0;
	for (int i = 0; i < d->n_real; i++)
		if (d->nodes[i].layer + 1 > d->n_layers)
			d->n_layers = d->nodes[i].layer + 1;
	/* edges, with dummies where an edge skips layers */
	for (size_t i = 0; i < nr; i++)
		for (size_t u = 0; u < rows[i].n_up; u++) {
			int from = -1, to = (int)i;
			for (int j = 0; j < d->n_real; j++)
				if (d->nodes[j].task == rows[i].up[u])
					from = j;
			if (from < 0)
				continue;
			int prev = from;
			for (int l = d->nodes[from].layer + 1; l < d->nodes[to].layer; l++) {
				int k = new_node(d, &cap);
				d->nodes[k].layer = l;
				link_nodes(d, prev, k);
				prev = k;
			}
			link_nodes(d, prev, to);
		}
	d->layer_count = xcalloc((size_t)d->n_layers + 1, sizeof(int));
	for (int i = 0; i < d->n; i++)
		d->nodes[i].pos = d->layer_count[d->nodes[i].layer]++;
	reduce_crossings(d);
	layout(a, d);
	d->list = d->height > 3 * a->rows || d->width > 3 * a->cols;
	d->sel = 0;
	for (int i = 0; keep && i < d->n_real; i++)
		if (!strcmp(d->nodes[i].name, keep))
			d->sel = i;
	free(keep);
	store_exec_tasks_free(rows, nr);
	store_task_list_free(ti, nt);
	a->last_run = d->run;
	return 0;
}

static void *dag_open(struct app *a, const char *arg)
{
	long id;

	if (!arg || !str_to_long(arg, &id) || id < 1) {
		app_status(a, true, ":dag needs a run id, got \"%s\"", arg ? arg : "");
		return NULL;
	}
	struct dag *d = xcalloc(1, sizeof(*d));
	d->run = id;
	return d;
}

static const char *junction(struct app *a, unsigned char b)
{
	static const char *const utf8[16] = {" ", "│", "│", "│", "─", "┘", "┐", "┤",
					     "─", "└", "┌", "├", "─", "┴", "┬", "┼"};
	static const char *const ascii[16] = {" ", "|", "|", "|", "-", "+", "+", "+",
					      "-", "+", "+", "+", "-", "+", "+", "+"};
	return a->utf8 ? utf8[b & 15] : ascii[b & 15];
}

/* The layers of a real node's list line. */
static void draw_list(struct app *a, struct dag *d, int y, int h, int w)
{
	int *order = xcalloc((size_t)d->n_real + 1, sizeof(int));
	int n = 0, selrow = 0;

	for (int l = 0; l < d->n_layers; l++)
		for (int i = 0; i < d->n_real; i++)
			if (d->nodes[i].layer == l) {
				if (i == d->sel)
					selrow = n;
				order[n++] = i;
			}
	if (selrow < d->list_top)
		d->list_top = selrow;
	if (selrow >= d->list_top + h - 1)
		d->list_top = selrow - h + 2;
	ui_putf(a, y, 1, w - 2, R_DIM, "%d tasks in %d layers: too many to draw, shown as a list", d->n_real,
		d->n_layers);
	for (int r = 0; r < h - 1 && d->list_top + r < n; r++) {
		const struct node *nd = &d->nodes[order[d->list_top + r]];
		bool sel = order[d->list_top + r] == d->sel;
		struct sbuf sb;
		sbuf_init(&sb);
		char *l = label(a, nd);
		sbuf_printf(&sb, "L%-3d %-30s", nd->layer + 1, l);
		free(l);
		for (int u = 0; u < nd->n_up; u++) {
			int k = nd->up[u];
			while (!d->nodes[k].task && d->nodes[k].n_up)
				k = d->nodes[k].up[0];
			sbuf_printf(&sb, "%s%s", u ? ", " : " <- ", d->nodes[k].name ? d->nodes[k].name : "?");
		}
		if (sel)
			ui_fill(a, y + 1 + r, 0, w, R_SELECTED);
		ui_put(a, y + 1 + r, 1, w - 2, sel ? R_SELECTED : ui_state_role(nd->status), sbuf_str(&sb));
		sbuf_free(&sb);
	}
	free(order);
}

static void dag_draw(struct app *a, void *state, int y, int h, int w)
{
	struct dag *d = state;

	if (!d->n_real) {
		ui_putf(a, y + 1, 2, w - 4, R_DIM, "run %lld has no tasks (a sweep's parent: its children are runs)",
			(long long)d->run);
		return;
	}
	if (d->list) {
		draw_list(a, d, y, h, w);
		return;
	}
	/* keep the selected node in view */
	const struct node *s = &d->nodes[d->sel];
	int sx = d->layer_x[s->layer], sy = s->pos * 2;
	if (sx - d->off_x < 0 || sx + d->layer_width[s->layer] - d->off_x > w)
		d->off_x = sx - 2 > 0 ? sx - 2 : 0;
	if (sy - d->off_y < 0)
		d->off_y = sy;
	if (sy - d->off_y >= h - 1)
		d->off_y = sy - h + 2;
	ui_putf(a, y, 1, w - 2, R_DIM, "run %lld %s: %d tasks in %d layers", (long long)d->run, d->run_status,
		d->n_real, d->n_layers);
	for (int r = 0; r < h - 1; r++) {
		int cy = r + d->off_y;
		if (cy >= d->height)
			break;
		for (int c = 0; c < w; c++) {
			int cx = c + d->off_x;
			if (cx >= d->width)
				break;
			unsigned char b = d->canvas[cy * d->width + cx];
			if (b)
				ui_put(a, y + 1 + r, c, 1, R_EDGE, junction(a, b));
		}
	}
	for (int i = 0; i < d->n_real; i++) {
		const struct node *nd = &d->nodes[i];
		int ny = nd->pos * 2 - d->off_y, nx = d->layer_x[nd->layer] - d->off_x;
		if (ny < 0 || ny >= h - 1 || nx >= w || nx + d->layer_width[nd->layer] <= 0)
			continue;
		char *l = label(a, nd);
		char *boxed = xasprintf("[%s]", l);
		enum role r = i == d->sel ? R_SELECTED : ui_state_role(nd->status);
		int lw = ui_width(boxed);
		if (lw > d->layer_width[nd->layer])
			lw = d->layer_width[nd->layer];
		if (nx >= 0)
			ui_put(a, y + 1 + ny, nx, lw < w - nx ? lw : w - nx, r, boxed);
		/* an arrowhead where edges come in */
		if (nd->n_up && nx - 1 >= 0 && nx - 1 < w)
			ui_put(a, y + 1 + ny, nx - 1, 1, R_EDGE, a->utf8 ? "▶" : ">");
		free(boxed);
		free(l);
	}
}

/* The real node reached from i through dummies, following `down` or `up`. */
static int follow(struct dag *d, int i, bool down)
{
	while (i >= 0 && !d->nodes[i].task) {
		struct node *nd = &d->nodes[i];
		int n = down ? nd->n_down : nd->n_up;
		i = n ? (down ? nd->down[0] : nd->up[0]) : -1;
	}
	return i;
}

static int neighbour_in_layer(struct dag *d, int i, int step)
{
	int best = -1, bestpos = step > 0 ? 1 << 30 : -1;
	const struct node *s = &d->nodes[i];

	for (int k = 0; k < d->n_real; k++) {
		const struct node *nd = &d->nodes[k];
		if (nd->layer != s->layer)
			continue;
		if (step > 0 && nd->pos > s->pos && nd->pos < bestpos)
			best = k, bestpos = nd->pos;
		if (step < 0 && nd->pos < s->pos && nd->pos > bestpos)
			best = k, bestpos = nd->pos;
	}
	return best;
}

static int dag_handle(struct app *a, void *state, enum action act, int key)
{
	struct dag *d = state;
	struct err err;
	int next = -1;

	(void)key;
	if (!d->n_real && act != ACT_CANCEL)
		return H_NONE;
	switch (act) {
	case ACT_UP:
	case ACT_DOWN:
		if (d->list) {
			/* the list is in layer order: step through it */
			int best = -1;
			const struct node *s = &d->nodes[d->sel];
			for (int k = 0; k < d->n_real; k++) {
				const struct node *nd = &d->nodes[k];
				int key_s = s->layer * 100000 + s->pos, key_k = nd->layer * 100000 + nd->pos;
				bool after = act == ACT_DOWN ? key_k > key_s : key_k < key_s;
				if (!after)
					continue;
				if (best < 0)
					best = k;
				else {
					const struct node *b = &d->nodes[best];
					int key_b = b->layer * 100000 + b->pos;
					if (act == ACT_DOWN ? key_k < key_b : key_k > key_b)
						best = k;
				}
			}
			next = best;
		} else {
			next = neighbour_in_layer(d, d->sel, act == ACT_DOWN ? 1 : -1);
		}
		break;
	case ACT_RIGHT:
	case ACT_LEFT: {
		const struct node *s = &d->nodes[d->sel];
		bool down = act == ACT_RIGHT;
		int n = down ? s->n_down : s->n_up;
		if (n)
			next = follow(d, down ? s->down[0] : s->up[0], down);
		break;
	}
	case ACT_HOME:
		next = 0;
		break;
	case ACT_END:
		next = d->n_real - 1;
		break;
	case ACT_ENTER: {
		char *arg = xasprintf("%lld %s", (long long)d->run, d->nodes[d->sel].name);
		app_push(a, &view_logs, arg);
		free(arg);
		return H_REDRAW;
	}
	case ACT_RETRY:
		if (store_task_retry(a->st, d->run, d->nodes[d->sel].name, &err) < 0) {
			app_status(a, true, "%s", err.msg);
		} else {
			if (exec_ensure(a->p, &err) < 0)
				app_status(a, true, "%s", err.msg);
			else
				app_status(a, false, "task %s of run %lld queued again", d->nodes[d->sel].name, (long long)d->run);
		}
		return H_RELOAD;
	case ACT_CANCEL:
		if (store_run_request_cancel(a->st, d->run, &err) < 0)
			app_status(a, true, "%s", err.msg);
		else {
			exec_wake(a->p);
			app_status(a, false, "run %lld: cancel requested", (long long)d->run);
		}
		return H_RELOAD;
	default:
		return H_NONE;
	}
	if (next >= 0)
		d->sel = next;
	return H_REDRAW;
}

static void dag_close(void *state)
{
	struct dag *d = state;

	free_nodes(d);
	free(d);
}

static char *dag_crumb(void *state)
{
	return xasprintf("DAG %lld", (long long)((struct dag *)state)->run);
}

static int64_t dag_current(void *state)
{
	return ((struct dag *)state)->run;
}

static const enum action dag_footer[] = {ACT_ENTER, ACT_RETRY, ACT_CANCEL, ACT_BACK, ACT_NONE};

const struct view_ops view_dag = {
	.name = "DAG", .cmd = "dag", .open = dag_open, .load = dag_load, .draw = dag_draw,
	.handle = dag_handle, .close = dag_close, .crumb = dag_crumb, .footer = dag_footer,
	.current_run = dag_current,
};
