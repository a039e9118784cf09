/* theme.c - semantic roles to colours: a built-in default, themes/NAME.yaml,
 * and graceful degradation to 8 colours and to monochrome. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "tui.h"

static const char *const role_names[R_COUNT] = {
#define X(id, name) name,
	TUI_ROLES(X)
#undef X
};

struct style {
	int fg, bg; /* -1: the terminal's default */
	attr_t attrs;
};

/* Built-in defaults for a dark terminal: role, fg, bg, attributes. */
static const struct {
	enum role r;
	int fg, bg;
	attr_t attrs;
} defaults[] = {
	{R_NORMAL, -1, -1, 0},
	{R_HEADER, COLOR_BLACK, COLOR_CYAN, A_BOLD},
	{R_FOOTER, COLOR_WHITE, COLOR_BLUE, 0},
	{R_KEY, COLOR_YELLOW, COLOR_BLUE, A_BOLD},
	{R_TITLE, COLOR_CYAN, -1, A_BOLD},
	{R_SELECTED, COLOR_BLACK, COLOR_WHITE, 0},
	{R_MARKED, COLOR_MAGENTA, -1, A_BOLD},
	{R_DIM, 8, -1, 0},
	{R_ERROR, COLOR_RED, -1, A_BOLD},
	{R_SEARCH, COLOR_BLACK, COLOR_YELLOW, 0},
	{R_QUEUED, COLOR_BLUE, -1, 0},
	{R_RUNNING, COLOR_YELLOW, -1, A_BOLD},
	{R_SUCCEEDED, COLOR_GREEN, -1, 0},
	{R_FAILED, COLOR_RED, -1, A_BOLD},
	{R_CANCELLED, COLOR_MAGENTA, -1, 0},
	{R_CACHED, COLOR_CYAN, -1, 0},
	{R_EDGE, 8, -1, 0},
	{R_NODE, -1, -1, A_BOLD},
	{R_DIFF_ADD, COLOR_GREEN, -1, 0},
	{R_DIFF_DEL, COLOR_RED, -1, 0},
	{R_SERIES1, COLOR_CYAN, -1, 0},
	{R_SERIES2, COLOR_YELLOW, -1, 0},
	{R_SERIES3, COLOR_MAGENTA, -1, 0},
	{R_SERIES4, COLOR_GREEN, -1, 0},
	{R_DRIFT_OK, COLOR_GREEN, -1, 0},
	{R_DRIFT_NEAR, COLOR_YELLOW, -1, 0},
	{R_DRIFT, COLOR_RED, -1, 0},
	{R_DRIFT_STRONG, COLOR_RED, -1, A_BOLD},
};

/* Without colours, roles still differ: reverse, bold, underline. */
static attr_t mono_attr(enum role r)
{
	switch (r) {
	case R_HEADER:
	case R_FOOTER:
	case R_SELECTED:
	case R_SEARCH:
		return A_REVERSE;
	case R_KEY:
		return A_REVERSE | A_BOLD;
	case R_TITLE:
	case R_FAILED:
	case R_ERROR:
	case R_RUNNING:
	case R_NODE:
		return A_BOLD;
	case R_MARKED:
		return A_UNDERLINE | A_BOLD;
	case R_DRIFT_STRONG:
		return A_BOLD;
	case R_DIM:
	case R_EDGE:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

/* A colour for a terminal of `colors` colours: 256-colour numbers fold to
 * the basic eight where there are fewer. */
static int fit_color(int c, int colors)
{
	if (c < 0 || c < colors)
		return c;
	if (c < 16)
		return c % 8;
	if (c >= 232) /* grey ramp */
		return c < 244 ? COLOR_BLACK : COLOR_WHITE;
	int v = c - 16, r = v / 36, g = v / 6 % 6, b = v % 6;
	return (r > 2 ? 1 : 0) | (g > 2 ? 2 : 0) | (b > 2 ? 4 : 0);
}

static void apply(int colors, const struct style *styles, attr_t *attrs)
{
	for (int r = 0; r < R_COUNT; r++) {
		if (colors <= 0) {
			attrs[r] = mono_attr((enum role)r);
			continue;
		}
		int fg = fit_color(styles[r].fg, colors), bg = fit_color(styles[r].bg, colors);
		/* bright colours on an 8-colour terminal: bold instead */
		attr_t extra = (styles[r].fg >= 8 && styles[r].fg < 16 && colors < 16) ? A_BOLD : 0;
		if (styles[r].fg == 8 && colors < 16)
			extra = A_DIM;
		init_pair((short)(r + 1), (short)fg, (short)bg);
		attrs[r] = COLOR_PAIR(r + 1) | styles[r].attrs | extra;
	}
}

static void default_styles(struct style *styles)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		styles[defaults[i].r].fg = defaults[i].fg;
		styles[defaults[i].r].bg = defaults[i].bg;
		styles[defaults[i].r].attrs = defaults[i].attrs;
	}
}

void theme_default(int colors, attr_t *attrs)
{
	struct style styles[R_COUNT];

	default_styles(styles);
	apply(colors, styles, attrs);
}

static int parse_color(const char *s, int *out)
{
	static const char *const names[] = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};
	long n;

	if (!strcmp(s, "default")) {
		*out = -1;
		return 0;
	}
	for (int i = 0; i < 8; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
		if (!strncmp(s, "bright-", 7) && !strcmp(s + 7, names[i])) {
			*out = i + 8;
			return 0;
		}
	}
	if (str_to_long(s, &n) && n >= 0 && n < 256) {
		*out = (int)n;
		return 0;
	}
	return -1;
}

/* "fg bg [bold] [underline] [reverse] [dim]" */
static int parse_style(const char *text, struct style *st, char *why, size_t len)
{
	char *copy = xstrdup(text), *save = NULL;
	int i = 0;

	st->attrs = 0;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save), i++) {
		if (i < 2 && isalnum((unsigned char)w[0]) && strcmp(w, "bold") && strcmp(w, "underline") &&
		    strcmp(w, "reverse") && strcmp(w, "dim")) {
			if (parse_color(w, i == 0 ? &st->fg : &st->bg) < 0) {
				snprintf(why, len, "unknown colour \"%s\" (black, red, green, yellow, blue, magenta, cyan, white, bright-NAME, 0-255 or default)", w);
				free(copy);
				return -1;
			}
		} else if (!strcmp(w, "bold")) {
			st->attrs |= A_BOLD;
		} else if (!strcmp(w, "underline")) {
			st->attrs |= A_UNDERLINE;
		} else if (!strcmp(w, "reverse")) {
			st->attrs |= A_REVERSE;
		} else if (!strcmp(w, "dim")) {
			st->attrs |= A_DIM;
		} else {
			snprintf(why, len, "unknown attribute \"%s\" (bold, underline, reverse, dim)", w);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

static char *find_theme(const char *name)
{
	if (strchr(name, '/') || str_endswith(name, ".yaml"))
		return path_exists(name) ? xstrdup(name) : NULL;
	const char *env = getenv("MLWB_THEMES");
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct strv dirs = {0};
	if (env && *env)
		strv_push(&dirs, env);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char *d;
			d = path_join(exe, "../share/mlwb/themes"), strv_push(&dirs, d), free(d);
			d = path_join(exe, "../themes"), strv_push(&dirs, d), free(d);
			d = path_join(exe, "../../themes"), strv_push(&dirs, d), free(d);
		}
	}
	char *found = NULL;
	for (size_t i = 0; i < dirs.n && !found; i++) {
		char *f = xasprintf("%s/%s.yaml", dirs.v[i], name);
		if (path_exists(f))
			found = f;
		else
			free(f);
	}
	strv_free(&dirs);
	return found;
}

int theme_load(const char *name, int colors, attr_t *attrs, struct err *err)
{
	struct style styles[R_COUNT];
	char *path = find_theme(name);
	char *text = NULL;
	size_t len;
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = -1;

	default_styles(styles);
	if (!path) {
		apply(colors, styles, attrs);
		return err_set(err, "no theme \"%s\" (themes: default, light, high-contrast, mono); using the default", name);
	}
	if (file_read_all(path, &text, &len, err) < 0) {
		apply(colors, styles, attrs);
		free(path);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err_set(err, "%s:%d:%d: YAML syntax error: %s; using the default theme", path,
			(int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
			parser.problem ? parser.problem : "malformed");
		yaml_parser_delete(&parser);
		goto out;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	yaml_node_t *colors_node = NULL;
	if (root && root->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			if (k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, "colors"))
				colors_node = yaml_document_get_node(&doc, p->value);
		}
	if (!colors_node || colors_node->type != YAML_MAPPING_NODE) {
		err_set(err, "%s:%d:1: a theme needs a colors: mapping of role to \"fg bg [attrs]\"; using the default theme",
			path, root ? (int)root->start_mark.line + 1 : 1);
		goto done;
	}
	rc = 0;
	for (yaml_node_pair_t *p = colors_node->data.mapping.pairs.start; p < colors_node->data.mapping.pairs.top && rc == 0; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key), *v = yaml_document_get_node(&doc, p->value);
		int r = -1;
		char why[256];
		for (int i = 0; i < R_COUNT && k->type == YAML_SCALAR_NODE; i++)
			if (!strcmp((char *)k->data.scalar.value, role_names[i]))
				r = i;
		if (r < 0) {
			err_set(err, "%s:%d:%d: unknown role \"%s\"; using the default theme", path,
				(int)k->start_mark.line + 1, (int)k->start_mark.column + 1,
				k->type == YAML_SCALAR_NODE ? (char *)k->data.scalar.value : "?");
			rc = -1;
		} else if (v->type != YAML_SCALAR_NODE || parse_style((char *)v->data.scalar.value, &styles[r], why, sizeof(why)) < 0) {
			err_set(err, "%s:%d:%d: %s; using the default theme", path, (int)v->start_mark.line + 1,
				(int)v->start_mark.column + 1, v->type == YAML_SCALAR_NODE ? why : "expected \"fg bg [attrs]\"");
			rc = -1;
		}
	}
done:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
out:
	if (rc < 0)
		default_styles(styles);
	apply(colors, styles, attrs);
	free(text);
	free(path);
	return rc;
}
