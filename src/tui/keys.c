/* keys.c - the one table of actions, and which key means which action. */
#include <string.h>

#include "tui.h"

const struct action_info tui_actions[ACT_COUNT] = {
#define X(id, label, keys, desc, scope) {#id, label, keys, desc, scope},
	TUI_ACTIONS(X)
#undef X
};

#define CTRL(c) ((c) & 0x1f)

struct binding {
	int key;
	enum action act;
	const char *view; /* NULL: every view */
};

/* Keys of one view come before the global meaning of the same key. */
static const struct binding bindings[] = {
	{' ', ACT_MARK, "Runs"},
	{'s', ACT_SORT, "Runs"},
	{'S', ACT_SORT_REV, "Runs"},
	{'R', ACT_RERUN, "Runs"},
	{'t', ACT_TAG, "Runs"},
	{'n', ACT_NOTE, "Runs"},
	{'D', ACT_DELETE, "Runs"},
	{'T', ACT_TRASH, "Runs"},
	{'u', ACT_RESTORE, "Runs"},
	{'c', ACT_COLUMNS, "Runs"},
	{'K', ACT_MOVE_UP, "Runs"},
	{'J', ACT_MOVE_DOWN, "Runs"},
	{'x', ACT_CANCEL, "Runs"},
	{'x', ACT_CANCEL, "Run"},
	{'x', ACT_CANCEL, "DAG"},
	{'x', ACT_CANCEL, "Queue"},
	{'r', ACT_RETRY, "DAG"},
	{'d', ACT_DIFF, "Run"},
	{'F', ACT_FOLLOW, "Logs"},
	{'n', ACT_NEXT_MATCH, "Logs"},
	{'N', ACT_PREV_MATCH, "Logs"},
	{'e', ACT_NEXT_ERROR, "Logs"},
	{'e', ACT_EDIT, "Launch"},
	{CTRL('s'), ACT_SUBMIT, "Launch"},
	{'S', ACT_SUBMIT, "Launch"},
	{'q', ACT_QUIT, NULL},
	{27, ACT_BACK, NULL},
	{KEY_BACKSPACE, ACT_BACK, NULL},
	{127, ACT_BACK, NULL},
	{CTRL('h'), ACT_BACK, NULL},
	{'?', ACT_HELP, NULL},
	{':', ACT_COMMAND, NULL},
	{'/', ACT_SEARCH, NULL},
	{'1', ACT_VIEW_RUNS, NULL},
	{'2', ACT_VIEW_RUN, NULL},
	{'3', ACT_VIEW_DAG, NULL},
	{'4', ACT_VIEW_LOGS, NULL},
	{'5', ACT_VIEW_LAUNCH, NULL},
	{'6', ACT_VIEW_QUEUE, NULL},
	{'7', ACT_VIEW_MODELS, NULL},
	{'8', ACT_VIEW_DRIFT, NULL},
	{'p', ACT_PROMOTE, "Models"},
	{'P', ACT_FORCE, "Models"},
	{'a', ACT_ARCHIVE, "Models"},
	{'H', ACT_HISTORY, "Models"},
	{'C', ACT_COMPARE, "Runs"},
	{'C', ACT_COMPARE, "Models"},
	{'s', ACT_SMOOTH, "Chart"},
	{'+', ACT_SMOOTH_MORE, "Chart"},
	{'=', ACT_SMOOTH_MORE, "Chart"},
	{'-', ACT_SMOOTH_LESS, "Chart"},
	{'L', ACT_LOGY, "Chart"},
	{'x', ACT_XAXIS, "Chart"},
	{'z', ACT_ZOOM_IN, "Chart"},
	{'Z', ACT_ZOOM_OUT, "Chart"},
	{']', ACT_NEXT_METRIC, "Chart"},
	{'m', ACT_NEXT_METRIC, "Chart"},
	{'[', ACT_PREV_METRIC, "Chart"},
	{'E', ACT_EXPORT, "Chart"},
	{'E', ACT_EXPORT, "Drift"},
	{'g', ACT_GROUP, "Chart"},
	{'m', ACT_NEXT_METRIC, "Compare"},
	{']', ACT_NEXT_METRIC, "Compare"},
	{'d', ACT_ONLY_DIFF, "Compare"},
	{'\t', ACT_NEXT_VIEW, NULL},
	{'k', ACT_UP, NULL},
	{KEY_UP, ACT_UP, NULL},
	{'j', ACT_DOWN, NULL},
	{KEY_DOWN, ACT_DOWN, NULL},
	{'h', ACT_LEFT, NULL},
	{KEY_LEFT, ACT_LEFT, NULL},
	{'l', ACT_RIGHT, NULL},
	{KEY_RIGHT, ACT_RIGHT, NULL},
	{KEY_PPAGE, ACT_PAGE_UP, NULL},
	{CTRL('b'), ACT_PAGE_UP, NULL},
	{KEY_NPAGE, ACT_PAGE_DOWN, NULL},
	{CTRL('f'), ACT_PAGE_DOWN, NULL},
	{'g', ACT_HOME, NULL},
	{KEY_HOME, ACT_HOME, NULL},
	{'G', ACT_END, NULL},
	{KEY_END, ACT_END, NULL},
	{'\n', ACT_ENTER, NULL},
	{'\r', ACT_ENTER, NULL},
	{KEY_ENTER, ACT_ENTER, NULL},
	{CTRL('l'), ACT_REDRAW, NULL},
};

enum action tui_key_action(int key, const char *view)
{
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].key == key && bindings[i].view && view && !strcmp(bindings[i].view, view))
			return bindings[i].act;
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].key == key && !bindings[i].view)
			return bindings[i].act;
	return ACT_NONE;
}
