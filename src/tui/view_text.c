/* view_text.c - a pager for lines of text: the help overlay, a run's diff. */
#include <stdlib.h>
#include <string.h>

#include "tui.h"

struct text {
	char *title;
	struct strv lines;
	bool diff;
	int top;
};

static void *text_open(struct app *a, const char *arg)
{
	(void)a;
	(void)arg;
	return NULL; /* opened through ui_push_text only */
}

static struct text *pending; /* handed from ui_push_text to open */

static void *text_open_pending(struct app *a, const char *arg)
{
	(void)a;
	(void)arg;
	struct text *t = pending;
	pending = NULL;
	return t;
}

static void text_draw(struct app *a, void *state, int y, int h, int w)
{
	struct text *t = state;

	ui_put(a, y, 1, w - 2, R_TITLE, t->title);
	for (int i = 0; i < h - 1 && t->top + i < (int)t->lines.n; i++) {
		const char *l = t->lines.v[t->top + i];
		enum role r = R_NORMAL;
		if (t->diff && l[0] == '+' && strncmp(l, "+++", 3))
			r = R_DIFF_ADD;
		else if (t->diff && l[0] == '-' && strncmp(l, "---", 3))
			r = R_DIFF_DEL;
		else if (t->diff && (!strncmp(l, "diff ", 5) || !strncmp(l, "@@", 2)))
			r = R_TITLE;
		ui_put(a, y + 1 + i, 1, w - 2, r, l);
	}
}

static int text_handle(struct app *a, void *state, enum action act, int key)
{
	struct text *t = state;
	int page = a->rows - 4, max = (int)t->lines.n - page;

	(void)key;
	if (max < 0)
		max = 0;
	switch (act) {
	case ACT_UP: t->top--; break;
	case ACT_DOWN: t->top++; break;
	case ACT_PAGE_UP: t->top -= page; break;
	case ACT_PAGE_DOWN: t->top += page; break;
	case ACT_HOME: t->top = 0; break;
	case ACT_END: t->top = max; break;
	default: return H_NONE;
	}
	if (t->top > max)
		t->top = max;
	if (t->top < 0)
		t->top = 0;
	return H_REDRAW;
}

static void text_close(void *state)
{
	struct text *t = state;

	free(t->title);
	strv_free(&t->lines);
	free(t);
}

static char *text_crumb(void *state)
{
	return xstrdup(((struct text *)state)->title);
}

static const enum action text_footer[] = {ACT_DOWN, ACT_UP, ACT_PAGE_DOWN, ACT_BACK, ACT_NONE};

const struct view_ops view_text = {
	.name = "Text", .cmd = NULL, .open = text_open_pending, .load = NULL, .draw = text_draw,
	.handle = text_handle, .close = text_close, .crumb = text_crumb, .footer = text_footer,
};

const struct view_ops view_help = {
	.name = "Help", .cmd = "help", .open = text_open, .load = NULL, .draw = text_draw,
	.handle = text_handle, .close = text_close, .crumb = text_crumb, .footer = text_footer,
};

bool ui_push_text(struct app *a, const char *title, struct strv *lines, bool diff)
{
	struct text *t = xcalloc(1, sizeof(*t));

	t->title = xstrdup(title);
	t->lines = *lines;
	memset(lines, 0, sizeof(*lines));
	t->diff = diff;
	pending = t;
	return app_push(a, &view_text, NULL);
}
