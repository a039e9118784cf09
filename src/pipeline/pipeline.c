/* pipeline.c - mlwb.yaml to a validated DAG.
 *
 * The file is loaded into libyaml's node tree first (which keeps line and
 * column of every node), then walked section by section.  Each check adds a
 * diagnostic and carries on, so a user sees every problem of a file at once;
 * a YAML syntax error is the one thing that stops the walk.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mlwb/expr.h"
#include "mlwb/drift.h"
#include "mlwb/pipeline.h"

/* ---- diagnostics ---- */

void diags_init(struct diags *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = xstrdup(file);
}

void diags_add(struct diags *d, int line, int col, const char *fmt, ...)
{
	va_list ap;

	XGROW(d->v, d->n, d->cap, 8);
	va_start(ap, fmt);
	d->v[d->n].msg = xvasprintf(fmt, ap);
	va_end(ap);
	d->v[d->n].line = line;
	d->v[d->n].col = col;
	d->n++;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

void diags_sort(struct diags *d)
{
	/* qsort is not stable; messages at one position keep their relative
	 * order by a final index comparison done through a merge pass. */
	for (size_t i = 1; i < d->n; i++) {
		struct diag t = d->v[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&d->v[j - 1], &t) > 0) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = t;
	}
}

char *diags_format(const struct diags *d, size_t i)
{
	const struct diag *g = &d->v[i];

	if (g->line <= 0)
		return xasprintf("%s: %s", d->file, g->msg);
	return xasprintf("%s:%d:%d: %s", d->file, g->line, g->col, g->msg);
}

void diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	free(d->file);
	memset(d, 0, sizeof(*d));
}

/* "an integer", "a number", ... for messages. */
static const char *type_phrase(enum param_type t)
{
	switch (t) {
	case PARAM_INT:
		return "an integer";
	case PARAM_FLOAT:
		return "a number";
	case PARAM_BOOL:
		return "true or false";
	case PARAM_STRING:
		break;
	}
	return "a string";
}

const char *param_type_name(enum param_type t)
{
	switch (t) {
	case PARAM_INT:
		return "integer";
	case PARAM_FLOAT:
		return "number";
	case PARAM_BOOL:
		return "boolean";
	case PARAM_STRING:
		break;
	}
	return "string";
}

/* ---- scalar helpers ---- */

bool pipeline_parse_duration(const char *s, int64_t *ms)
{
	double total = 0;
	bool any = false;

	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return false;
		double v = strtod(s, &end);
		if (end == s || v < 0)
			return false;
		s = end;
		double unit = 1000;
		switch (*s) {
		case 's': unit = 1000; s++; break;
		case 'm': unit = 60e3; s++; break;
		case 'h': unit = 3600e3; s++; break;
		case 'd': unit = 86400e3; s++; break;
		case '\0':
			if (any) /* "1h30" is ambiguous */
				return false;
			break;
		default:
			return false;
		}
		total += v * unit;
		any = true;
	}
	if (!any || total > 1e15)
		return false;
	*ms = (int64_t)llround(total);
	return true;
}

bool pipeline_parse_size(const char *s, int64_t *bytes)
{
	char *end;
	double v;
	double mult = 1;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return false;
	v = strtod(s, &end);
	if (end == s || v < 0)
		return false;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'B': mult = 1; break;
	case 'K': mult = 1024.0; break;
	case 'M': mult = 1024.0 * 1024; break;
	case 'G': mult = 1024.0 * 1024 * 1024; break;
	case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
	default: return false;
	}
	if (*end) {
		const char *rest = end + 1;
		if (toupper((unsigned char)*end) == 'B') {
			if (*rest)
				return false;
		} else if (*rest && strcmp(rest, "i") && strcmp(rest, "iB") && strcmp(rest, "B")) {
			return false;
		}
	}
	if (v * mult > 9e18)
		return false;
	*bytes = (int64_t)llround(v * mult);
	return true;
}

static bool is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '\0';
}

static bool is_float_text(const char *s)
{
	double v;

	if (!strcmp(s, ".inf") || !strcmp(s, "-.inf") || !strcmp(s, "+.inf") || !strcmp(s, ".nan"))
		return true;
	/* strtod accepts "inf", "nan" and hex: YAML does not. */
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return false;
	return str_to_double(s, &v);
}

static bool is_bool_text(const char *s)
{
	return !strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "True") ||
	       !strcmp(s, "False") || !strcmp(s, "TRUE") || !strcmp(s, "FALSE");
}

static enum param_type infer_type(const char *s)
{
	if (is_int_text(s))
		return PARAM_INT;
	if (is_float_text(s))
		return PARAM_FLOAT;
	if (is_bool_text(s))
		return PARAM_BOOL;
	return PARAM_STRING;
}

/* Does `value` fit a param whose default has type t? */
static bool value_fits(enum param_type t, const char *value)
{
	switch (t) {
	case PARAM_INT:
		return is_int_text(value);
	case PARAM_FLOAT:
		return is_int_text(value) || is_float_text(value);
	case PARAM_BOOL:
		return is_bool_text(value);
	case PARAM_STRING:
		break;
	}
	return true;
}

static const char *closest(const char *name, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(name) / 3 + 1;

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < n; i++) {
		size_t dist = str_edit_distance(name, cands[i]);
		if (dist < best_d) {
			best_d = dist;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

/* ---- the walk over libyaml's tree ---- */

struct ctx {
	yaml_document_t doc;
	struct diags *d;
	struct spec *spec;
};

#define LINE(n) ((int)(n)->start_mark.line + 1)
#define COL(n) ((int)(n)->start_mark.column + 1)

static yaml_node_t *node_at(struct ctx *c, int idx)
{
	return yaml_document_get_node(&c->doc, idx);
}

static const char *scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_plain(yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(yaml_node_t *n)
{
	if (!is_plain(n))
		return false;
	const char *s = scalar(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static const char *kind_name(yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (is_null(n))
		return "nothing";
	return "a scalar";
}

/* Checks that n is a mapping and reports keys that are not unique scalars;
 * false only when n is no mapping, so the walk goes on past duplicates. */
static bool want_mapping(struct ctx *c, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_MAPPING_NODE) {
		diags_add(c->d, LINE(n), COL(n), "%s must be a mapping, got %s", what, kind_name(n));
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(c, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			diags_add(c->d, LINE(k), COL(k), "keys in %s must be plain names, got %s", what,
				  kind_name(k));
			continue;
		}
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = node_at(c, q->key);
			if (k2->type == YAML_SCALAR_NODE && !strcmp(scalar(k), scalar(k2))) {
				diags_add(c->d, LINE(k), COL(k), "duplicate key \"%s\" in %s (first at line %d)",
					  scalar(k), what, LINE(k2));
				break;
			}
		}
	}
	return true;
}

/* Is this pair the first with its key?  Duplicates were reported by
 * want_mapping and are skipped by the walkers. */
static bool first_key(struct ctx *c, yaml_node_t *map, yaml_node_pair_t *p)
{
	yaml_node_t *k = node_at(c, p->key);

	if (k->type != YAML_SCALAR_NODE)
		return false;
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *k2 = node_at(c, q->key);
		if (k2->type == YAML_SCALAR_NODE && !strcmp(scalar(k), scalar(k2)))
			return false;
	}
	return true;
}

#define FOR_PAIRS(c, map, p, k, v)                                                              \
	for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top; \
	     p++)                                                                                   \
		if (!first_key(c, map, p)) {                                                        \
		} else                                                                              \
			for (yaml_node_t *k = node_at(c, p->key), *v = node_at(c, p->value); k;     \
			     k = NULL)

static void unknown_key(struct ctx *c, yaml_node_t *k, const char *where, const char *const *known)
{
	size_t n = 0;

	while (known[n])
		n++;
	const char *sug = closest(scalar(k), known, n);
	struct sbuf list;
	sbuf_init(&list);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&list, "%s%s", i ? ", " : "", known[i]);
	if (sug)
		diags_add(c->d, LINE(k), COL(k), "unknown key \"%s\" in %s (did you mean \"%s\"?)",
			  scalar(k), where, sug);
	else
		diags_add(c->d, LINE(k), COL(k), "unknown key \"%s\" in %s (expected one of: %s)",
			  scalar(k), where, sbuf_str(&list));
	sbuf_free(&list);
}

static bool is_known(const char *key, const char *const *known)
{
	for (; *known; known++)
		if (!strcmp(key, *known))
			return true;
	return false;
}

/* A plain string value (any scalar that is not null). */
static bool want_string(struct ctx *c, yaml_node_t *v, const char *what, const char **out)
{
	if (v->type != YAML_SCALAR_NODE || is_null(v)) {
		diags_add(c->d, LINE(v), COL(v), "%s must be a string, got %s", what, kind_name(v));
		return false;
	}
	*out = scalar(v);
	return true;
}

static bool want_int(struct ctx *c, yaml_node_t *v, const char *what, long min, long *out)
{
	long x;

	if (!is_plain(v) || !str_to_long(scalar(v), &x) || x < min) {
		diags_add(c->d, LINE(v), COL(v), "%s must be an integer >= %ld, got %s%s%s", what, min,
			  v->type == YAML_SCALAR_NODE ? "\"" : "",
			  v->type == YAML_SCALAR_NODE ? scalar(v) : kind_name(v),
			  v->type == YAML_SCALAR_NODE ? "\"" : "");
		return false;
	}
	*out = x;
	return true;
}

static bool want_bool(struct ctx *c, yaml_node_t *v, const char *what, bool *out)
{
	if (!is_plain(v) || !is_bool_text(scalar(v))) {
		diags_add(c->d, LINE(v), COL(v), "%s must be true or false, got %s%s%s", what,
			  v->type == YAML_SCALAR_NODE ? "\"" : "",
			  v->type == YAML_SCALAR_NODE ? scalar(v) : kind_name(v),
			  v->type == YAML_SCALAR_NODE ? "\"" : "");
		return false;
	}
	*out = tolower((unsigned char)scalar(v)[0]) == 't';
	return true;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}

/* A list of strings, or a single string taken as a one-element list. */
static void want_str_list(struct ctx *c, yaml_node_t *v, const char *what, struct strv *out,
			  bool paths)
{
	if (v->type == YAML_SCALAR_NODE && !is_null(v)) {
		char *p = paths ? path_normalize(scalar(v)) : xstrdup(scalar(v));
		strv_push(out, p);
		free(p);
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		diags_add(c->d, LINE(v), COL(v), "%s must be a list of strings, got %s", what,
			  kind_name(v));
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node_at(c, *it);
		if (e->type != YAML_SCALAR_NODE || is_null(e)) {
			diags_add(c->d, LINE(e), COL(e), "%s must be a list of strings, got %s in it", what,
				  kind_name(e));
			continue;
		}
		char *p = paths ? path_normalize(scalar(e)) : xstrdup(scalar(e));
		strv_push(out, p);
		free(p);
	}
}

/* Where does item i of a string list sit?  For error positions. */
static yaml_node_t *list_item(struct ctx *c, yaml_node_t *v, size_t i)
{
	if (v->type == YAML_SCALAR_NODE)
		return v;
	if (v->type == YAML_SEQUENCE_NODE) {
		size_t k = 0;
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
		     it++) {
			yaml_node_t *e = node_at(c, *it);
			if (e->type != YAML_SCALAR_NODE || is_null(e))
				continue;
			if (k++ == i)
				return e;
		}
	}
	return v;
}

/* ---- params ---- */

static void add_param(struct spec *s, const char *name, yaml_node_t *v)
{
	s->params = xrealloc(s->params, (s->n_params + 1) * sizeof(*s->params));
	struct param *p = &s->params[s->n_params++];
	p->name = xstrdup(name);
	p->value = xstrdup(scalar(v));
	p->type = is_plain(v) ? infer_type(p->value) : PARAM_STRING;
	p->line = LINE(v);
	p->col = COL(v);
}

static void walk_params(struct ctx *c, yaml_node_t *map, const char *prefix)
{
	if (!want_mapping(c, map, prefix ? "a params group" : "params"))
		return;
	FOR_PAIRS(c, map, p, k, v) {
		const char *key = scalar(k);
		if (!*key || strchr(key, '.') || !valid_name(key)) {
			diags_add(c->d, LINE(k), COL(k),
				  "param name \"%s\" must be letters, digits, '_' or '-' (use nesting instead of dots)",
				  key);
			continue;
		}
		char *name = prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);
		if (v->type == YAML_MAPPING_NODE)
			walk_params(c, v, name);
		else if (v->type == YAML_SEQUENCE_NODE)
			diags_add(c->d, LINE(v), COL(v),
				  "param \"%s\" must be a scalar or a mapping, got a list (use a sweep to try several values)",
				  name);
		else if (is_null(v))
			diags_add(c->d, LINE(v), COL(v), "param \"%s\" has no value", name);
		else
			add_param(c->spec, name, v);
		free(name);
	}
}

const struct param *pipeline_param_find(const struct param *params, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(params[i].name, name))
			return &params[i];
	return NULL;
}

static const char *suggest_param(const struct param *params, size_t n, const char *name)
{
	const char **names = xmalloc((n + 1) * sizeof(*names));

	for (size_t i = 0; i < n; i++)
		names[i] = params[i].name;
	const char *s = closest(name, names, n);
	free(names);
	return s;
}

/* ---- interpolation ---- */

/* Walks ${...} references.  For each, calls fn with the name and its offset
 * in text.  Returns -1 (with err) on a malformed reference. */
typedef int (*ref_fn)(void *arg, const char *name, size_t off, struct sbuf *out);

static int walk_refs(const char *text, ref_fn fn, void *arg, struct sbuf *out, size_t *bad_off,
		     struct err *err)
{
	const char *s = text;

	while (*s) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			if (out)
				sbuf_puts(out, "${");
			s += 3;
			continue;
		}
		if (s[0] == '$' && s[1] == '{') {
			const char *start = s + 2;
			const char *end = strchr(start, '}');
			if (!end) {
				*bad_off = (size_t)(s - text);
				return err_set(err, "unterminated ${ in \"%s\"", text);
			}
			char *name = xstrndup(start, (size_t)(end - start));
			char *trim = name;
			while (isspace((unsigned char)*trim))
				trim++;
			char *te = trim + strlen(trim);
			while (te > trim && isspace((unsigned char)te[-1]))
				*--te = '\0';
			if (!*trim) {
				free(name);
				*bad_off = (size_t)(s - text);
				return err_set(err, "empty ${} in \"%s\"", text);
			}
			int rc = fn(arg, trim, (size_t)(s - text), out);
			free(name);
			if (rc < 0) {
				*bad_off = (size_t)(s - text);
				return -1;
			}
			s = end + 1;
			continue;
		}
		if (out)
			sbuf_putc(out, *s);
		s++;
	}
	return 0;
}

struct subst {
	const struct param *params;
	size_t n;
	struct err *err;
};

static int subst_ref(void *arg, const char *name, size_t off, struct sbuf *out)
{
	struct subst *st = arg;
	const struct param *p = pipeline_param_find(st->params, st->n, name);

	(void)off;
	if (!p) {
		const char *sug = suggest_param(st->params, st->n, name);
		if (sug)
			return err_set(st->err, "undefined param ${%s} (did you mean ${%s}?)", name, sug);
		return err_set(st->err, "undefined param ${%s}", name);
	}
	if (out)
		str_shell_quote(out, p->value);
	return 0;
}

int pipeline_interpolate(const char *text, const struct param *params, size_t n, char **out,
			 struct err *err)
{
	struct sbuf sb;
	struct subst st = {params, n, err};
	size_t bad;

	sbuf_init(&sb);
	if (walk_refs(text, subst_ref, &st, &sb, &bad, err) < 0) {
		sbuf_free(&sb);
		return -1;
	}
	*out = sbuf_detach(&sb);
	return 0;
}

/* ---- tasks ---- */

static const char *const task_keys[] = {"cmd", "description", "needs", "deps", "outs",
	"metrics", "retries", "timeout", "resources", "cache", "register", NULL};
static const char *const out_kinds[] = {"file", "data", "model", "metrics", "report", NULL};

static void walk_outs(struct ctx *c, struct task *t, yaml_node_t *v)
{
	yaml_node_item_t *start = NULL, *top = NULL;

	if (v->type == YAML_SCALAR_NODE && !is_null(v)) {
		/* a single path */
	} else if (v->type == YAML_SEQUENCE_NODE) {
		start = v->data.sequence.items.start;
		top = v->data.sequence.items.top;
	} else {
		diags_add(c->d, LINE(v), COL(v), "outs of task \"%s\" must be a list, got %s", t->name,
			  kind_name(v));
		return;
	}
	size_t count = start ? (size_t)(top - start) : 1;
	t->outs = xcalloc(count, sizeof(*t->outs));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *e = start ? node_at(c, start[i]) : v;
		const char *path = NULL, *kind = "file";
		if (e->type == YAML_SCALAR_NODE && !is_null(e)) {
			path = scalar(e);
		} else if (e->type == YAML_MAPPING_NODE) {
			static const char *const keys[] = {"path", "kind", NULL};
			if (!want_mapping(c, e, "an out"))
				continue;
			FOR_PAIRS(c, e, p, k, val) {
				if (!strcmp(scalar(k), "path"))
					want_string(c, val, "path of an out", &path);
				else if (!strcmp(scalar(k), "kind")) {
					if (want_string(c, val, "kind of an out", &kind) && !is_known(kind, out_kinds)) {
						diags_add(c->d, LINE(val), COL(val),
							  "unknown out kind \"%s\" (expected file, data, model, metrics or report)",
							  kind);
						kind = "file";
					}
				} else
					unknown_key(c, k, "an out", keys);
			}
			if (!path) {
				diags_add(c->d, LINE(e), COL(e), "an out of task \"%s\" has no path", t->name);
				continue;
			}
		} else {
			diags_add(c->d, LINE(e), COL(e),
				  "each out of task \"%s\" must be a path or {path, kind}, got %s", t->name,
				  kind_name(e));
			continue;
		}
		char *norm = path_normalize(path);
		if (norm[0] == '/' || !strcmp(norm, "..") || str_startswith(norm, "../") ||
		    !strcmp(norm, ".")) {
			diags_add(c->d, LINE(e), COL(e),
				  "out \"%s\" of task \"%s\" must be a path inside the project", path, t->name);
			free(norm);
			continue;
		}
		struct out_spec *o = &t->outs[t->n_outs++];
		o->path = norm;
		o->kind = xstrdup(kind);
		o->line = LINE(e);
		o->col = COL(e);
	}
}

static void walk_resources(struct ctx *c, struct task *t, yaml_node_t *v)
{
	static const char *const keys[] = {"cpu", "mem", "gpu", NULL};

	if (!want_mapping(c, v, "resources"))
		return;
	FOR_PAIRS(c, v, p, k, val) {
		const char *key = scalar(k);
		if (!strcmp(key, "cpu")) {
			double x;
			if (!is_plain(val) || !str_to_double(scalar(val), &x) || !(x > 0) || x > 1e6)
				diags_add(c->d, LINE(val), COL(val),
					  "resources.cpu must be a positive number, got %s", kind_name(val));
			else
				t->cpu = x;
		} else if (!strcmp(key, "mem")) {
			if (val->type != YAML_SCALAR_NODE || !pipeline_parse_size(scalar(val), &t->mem_bytes))
				diags_add(c->d, LINE(val), COL(val),
					  "resources.mem must be a size such as 512M or 2G, got \"%s\"",
					  val->type == YAML_SCALAR_NODE ? scalar(val) : kind_name(val));
		} else if (!strcmp(key, "gpu")) {
			long x;
			if (want_int(c, val, "resources.gpu", 0, &x))
				t->gpu = (int)x;
		} else {
			unknown_key(c, k, "resources", keys);
		}
	}
}

/* register: {model: NAME, artifact: PATH, gate: EXPR, promote_to: STAGE} */
static void walk_register(struct ctx *c, struct task *t, yaml_node_t *v)
{
	static const char *const keys[] = {"model", "artifact", "gate", "promote_to", NULL};
	yaml_node_t *art_node = NULL;
	const char *s;

	if (!want_mapping(c, v, "register"))
		return;
	FOR_PAIRS(c, v, p, k, val) {
		const char *key = scalar(k);
		if (!strcmp(key, "model")) {
			if (want_string(c, val, "register.model", &s)) {
				if (!valid_name(s))
					diags_add(c->d, LINE(val), COL(val),
						  "model name \"%s\" must be letters, digits, '_', '-' or '.'", s);
				t->reg_model = xstrdup(s);
			}
		} else if (!strcmp(key, "artifact")) {
			if (want_string(c, val, "register.artifact", &s)) {
				t->reg_artifact = path_normalize(s);
				art_node = val;
			}
		} else if (!strcmp(key, "gate")) {
			if (want_string(c, val, "register.gate", &s)) {
				struct expr *e;
				struct err err;
				if (expr_parse(s, &e, &err) < 0)
					diags_add(c->d, LINE(val), COL(val), "gate: %s", err.msg);
				expr_free(e);
				t->reg_gate = xstrdup(s);
			}
		} else if (!strcmp(key, "promote_to")) {
			if (want_string(c, val, "register.promote_to", &s)) {
				if (!valid_name(s) || !strcmp(s, "archived"))
					diags_add(c->d, LINE(val), COL(val),
						  "promote_to must be a stage such as staging or production, got \"%s\"", s);
				t->reg_promote_to = xstrdup(s);
			}
		} else {
			unknown_key(c, k, "register", keys);
		}
	}
	if (!t->reg_model)
		diags_add(c->d, LINE(v), COL(v), "register needs model: the name of the model");
	if (!t->reg_artifact)
		diags_add(c->d, LINE(v), COL(v), "register needs artifact: an out of a task of the pipeline");
	t->reg_line = art_node ? LINE(art_node) : LINE(v);
	t->reg_col = art_node ? COL(art_node) : COL(v);
}

/* A registered artifact is an out of some task of the pipeline, made
 * before the registering task runs. */
static void check_register(struct ctx *c, struct pipeline *pl)
{
	for (size_t i = 0; i < pl->n_tasks; i++) {
		struct task *t = &pl->tasks[i];
		bool found = false;
		if (!t->reg_artifact)
			continue;
		for (size_t k = 0; k < pl->n_tasks && !found; k++)
			for (size_t o = 0; o < pl->tasks[k].n_outs && !found; o++)
				found = path_is_within(pl->tasks[k].outs[o].path, t->reg_artifact);
		if (!found)
			diags_add(c->d, t->reg_line, t->reg_col,
				  "register.artifact %s is not an out of any task of pipeline \"%s\"", t->reg_artifact,
				  pl->name);
	}
}

static void walk_task(struct ctx *c, struct pipeline *pl, yaml_node_t *k, yaml_node_t *v)
{
	struct task *t = &pl->tasks[pl->n_tasks++];
	char *where;

	memset(t, 0, sizeof(*t));
	t->name = xstrdup(scalar(k));
	t->line = LINE(k);
	t->col = COL(k);
	t->cpu = 1;
	t->cache = true;
	if (!valid_name(t->name))
		diags_add(c->d, LINE(k), COL(k),
			  "task name \"%s\" must be letters, digits, '_', '-' or '.'", t->name);
	where = xasprintf("task \"%s\"", t->name);
	if (!want_mapping(c, v, where)) {
		free(where);
		return;
	}
	bool cmd_given = false;
	yaml_node_t *reg = NULL;
	FOR_PAIRS(c, v, p, key, val) {
		const char *kk = scalar(key);
		const char *s;
		long x;
		if (!strcmp(kk, "cmd")) {
			cmd_given = true;
			if (want_string(c, val, "cmd", &s)) {
				t->cmd = xstrdup(s);
				t->cmd_line = LINE(val);
				t->cmd_col = COL(val);
				/* Point at the text itself for quoted scalars. */
				if (val->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
				    val->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
					t->cmd_col++;
				if (val->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
				    val->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
					t->cmd_col = -1; /* block scalar: no column arithmetic */
			}
		} else if (!strcmp(kk, "description")) {
			if (want_string(c, val, "description", &s))
				t->description = xstrdup(s);
		} else if (!strcmp(kk, "needs")) {
			want_str_list(c, val, "needs", &t->needs, false);
		} else if (!strcmp(kk, "deps")) {
			want_str_list(c, val, "deps", &t->deps, true);
		} else if (!strcmp(kk, "outs")) {
			walk_outs(c, t, val);
		} else if (!strcmp(kk, "metrics")) {
			want_str_list(c, val, "metrics", &t->metrics, true);
		} else if (!strcmp(kk, "retries")) {
			if (want_int(c, val, "retries", 0, &x))
				t->retries = (int)x;
		} else if (!strcmp(kk, "timeout")) {
			if (val->type != YAML_SCALAR_NODE ||
			    !pipeline_parse_duration(scalar(val), &t->timeout_ms) || t->timeout_ms <= 0)
				diags_add(c->d, LINE(val), COL(val),
					  "timeout must be a duration such as 90s, 10m or 2h, got \"%s\"",
					  val->type == YAML_SCALAR_NODE ? scalar(val) : kind_name(val));
		} else if (!strcmp(kk, "resources")) {
			walk_resources(c, t, val);
		} else if (!strcmp(kk, "cache")) {
			want_bool(c, val, "cache", &t->cache);
		} else if (!strcmp(kk, "register")) {
			reg = val;
		} else {
			unknown_key(c, key, where, task_keys);
		}
	}
	if (reg) /* after the outs, which it refers to */
		walk_register(c, t, reg);
	if (!cmd_given) /* a cmd of the wrong type was reported already */
		diags_add(c->d, t->line, t->col, "task \"%s\" has no cmd", t->name);
	free(where);
}

static void walk_pipeline(struct ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	static const char *const keys[] = {"description", "tasks", NULL};
	struct spec *s = c->spec;
	struct pipeline *pl = &s->pipelines[s->n_pipelines++];
	char *where;
	bool have_tasks = false;

	memset(pl, 0, sizeof(*pl));
	pl->name = xstrdup(scalar(k));
	pl->line = LINE(k);
	pl->col = COL(k);
	if (!valid_name(pl->name))
		diags_add(c->d, LINE(k), COL(k),
			  "pipeline name \"%s\" must be letters, digits, '_', '-' or '.'", pl->name);
	where = xasprintf("pipeline \"%s\"", pl->name);
	if (!want_mapping(c, v, where)) {
		free(where);
		return;
	}
	FOR_PAIRS(c, v, p, key, val) {
		const char *s2;
		if (!strcmp(scalar(key), "description")) {
			if (want_string(c, val, "description", &s2))
				pl->description = xstrdup(s2);
		} else if (!strcmp(scalar(key), "tasks")) {
			have_tasks = true;
			char *tw = xasprintf("tasks of pipeline \"%s\"", pl->name);
			if (want_mapping(c, val, tw)) {
				size_t n = (size_t)(val->data.mapping.pairs.top - val->data.mapping.pairs.start);
				pl->tasks = xcalloc(n, sizeof(*pl->tasks));
				FOR_PAIRS(c, val, tp, tk, tv)
					walk_task(c, pl, tk, tv);
				if (!pl->n_tasks)
					diags_add(c->d, LINE(val), COL(val), "pipeline \"%s\" has no tasks", pl->name);
			}
			free(tw);
		} else {
			unknown_key(c, key, where, keys);
		}
	}
	if (!have_tasks)
		diags_add(c->d, pl->line, pl->col, "pipeline \"%s\" has no tasks: mapping", pl->name);
	free(where);
}

/* ---- the DAG ---- */

static size_t task_index(const struct pipeline *pl, const char *name)
{
	for (size_t i = 0; i < pl->n_tasks; i++)
		if (!strcmp(pl->tasks[i].name, name))
			return i;
	return (size_t)-1;
}

static void add_edge(struct pipeline *pl, size_t from, size_t to, const char *via)
{
	for (size_t i = 0; i < pl->n_edges; i++) {
		struct edge *e = &pl->edges[i];
		if (e->from == from && e->to == to) {
			if (!e->via && via) /* a path says more than a bare needs */
				e->via = xstrdup(via);
			return;
		}
	}
	pl->edges = xrealloc(pl->edges, (pl->n_edges + 1) * sizeof(*pl->edges));
	pl->edges[pl->n_edges].from = from;
	pl->edges[pl->n_edges].to = to;
	pl->edges[pl->n_edges].via = via ? xstrdup(via) : NULL;
	pl->n_edges++;
}

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* Every path a task produces: its outs and its metrics files. */
static size_t task_products(const struct task *t, const char **paths, int *lines, int *cols)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_outs; i++) {
		paths[n] = t->outs[i].path;
		lines[n] = t->outs[i].line;
		cols[n++] = t->outs[i].col;
	}
	for (size_t i = 0; i < t->metrics.n; i++) {
		paths[n] = t->metrics.v[i];
		lines[n] = t->line;
		cols[n++] = t->col;
	}
	return n;
}

/* Finds a cycle through `start` among tasks still marked in `onstack`
 * order; fills path with task indices, returns its length. */
static bool find_cycle(const struct pipeline *pl, size_t v, int *color, size_t *stack, size_t *depth,
		       size_t *cyc_start)
{
	color[v] = 1;
	stack[(*depth)++] = v;
	for (size_t i = 0; i < pl->n_edges; i++) {
		if (pl->edges[i].from != v)
			continue;
		size_t w = pl->edges[i].to;
		if (color[w] == 1) {
			for (size_t j = 0; j < *depth; j++)
				if (stack[j] == w)
					*cyc_start = j;
			return true;
		}
		if (color[w] == 0 && find_cycle(pl, w, color, stack, depth, cyc_start))
			return true;
	}
	color[v] = 2;
	(*depth)--;
	return false;
}

static void build_dag(struct ctx *c, struct pipeline *pl, yaml_node_t *pl_node)
{
	size_t n = pl->n_tasks;
	(void)pl_node;

	/* needs: */
	for (size_t i = 0; i < n; i++) {
		struct task *t = &pl->tasks[i];
		for (size_t j = 0; j < t->needs.n; j++) {
			size_t up = task_index(pl, t->needs.v[j]);
			if (up != (size_t)-1) {
				add_edge(pl, up, i, NULL);
				continue;
			}
			const char **names = xmalloc((n + 1) * sizeof(*names));
			for (size_t k = 0; k < n; k++)
				names[k] = pl->tasks[k].name;
			const char *sug = closest(t->needs.v[j], names, n);
			/* Position of the needs item: recorded through the task's node
			 * lines is enough to find it; use the task line when unknown. */
			int line = t->line, col = t->col;
			if (t->needs.n) {
				/* stored in the diag pass below via c->doc lookup */
			}
			if (sug)
				diags_add(c->d, line, col,
					  "task \"%s\" needs unknown task \"%s\" (did you mean \"%s\"?)", t->name,
					  t->needs.v[j], sug);
			else
				diags_add(c->d, line, col, "task \"%s\" needs unknown task \"%s\"", t->name,
					  t->needs.v[j]);
			free(names);
		}
	}
	/* outs -> deps, and no two tasks producing overlapping paths: */
	size_t maxp = 0;
	for (size_t i = 0; i < n; i++)
		if (pl->tasks[i].n_outs + pl->tasks[i].metrics.n > maxp)
			maxp = pl->tasks[i].n_outs + pl->tasks[i].metrics.n;
	const char **pa = xmalloc((maxp + 1) * sizeof(*pa)), **pb = xmalloc((maxp + 1) * sizeof(*pb));
	int *la = xmalloc((maxp + 1) * sizeof(int)), *ca = xmalloc((maxp + 1) * sizeof(int));
	int *lb = xmalloc((maxp + 1) * sizeof(int)), *cb = xmalloc((maxp + 1) * sizeof(int));
	for (size_t i = 0; i < n; i++) {
		size_t na = task_products(&pl->tasks[i], pa, la, ca);
		for (size_t a = 0; a < na; a++) {
			for (size_t a2 = 0; a2 < a; a2++)
				if (!strcmp(pa[a], pa[a2]))
					diags_add(c->d, la[a], ca[a], "task \"%s\" declares \"%s\" twice",
						  pl->tasks[i].name, pa[a]);
			for (size_t j = 0; j < i; j++) {
				size_t nb = task_products(&pl->tasks[j], pb, lb, cb);
				for (size_t b = 0; b < nb; b++) {
					if (!path_is_within(pa[a], pb[b]) && !path_is_within(pb[b], pa[a]))
						continue;
					if (!strcmp(pa[a], pb[b]))
						diags_add(c->d, la[a], ca[a],
							  "out \"%s\" of task \"%s\" is already declared by task \"%s\" (line %d); each path has one producer",
							  pa[a], pl->tasks[i].name, pl->tasks[j].name, lb[b]);
					else
						diags_add(c->d, la[a], ca[a],
							  "out \"%s\" of task \"%s\" overlaps \"%s\" of task \"%s\" (line %d)",
							  pa[a], pl->tasks[i].name, pb[b], pl->tasks[j].name, lb[b]);
				}
			}
		}
		for (size_t j = 0; j < n; j++) {
			if (i == j)
				continue;
			const struct task *t = &pl->tasks[j];
			for (size_t d = 0; d < t->deps.n; d++)
				for (size_t a = 0; a < na; a++)
					if (path_is_within(pa[a], t->deps.v[d]) ||
					    path_is_within(t->deps.v[d], pa[a]))
						add_edge(pl, i, j, pa[a]);
		}
	}
	free(pa);
	free(pb);
	free(la);
	free(ca);
	free(lb);
	free(cb);
	if (pl->n_edges)
		qsort(pl->edges, pl->n_edges, sizeof(*pl->edges), edge_cmp);

	/* upstream lists */
	for (size_t e = 0; e < pl->n_edges; e++) {
		struct task *t = &pl->tasks[pl->edges[e].to];
		t->up = xrealloc(t->up, (t->n_up + 1) * sizeof(*t->up));
		t->up[t->n_up++] = pl->edges[e].from;
	}

	/* Kahn's algorithm, always taking the earliest-declared ready task. */
	size_t *indeg = xcalloc(n, sizeof(*indeg));
	bool *done = xcalloc(n, sizeof(*done));
	pl->order = xcalloc(n, sizeof(*pl->order));
	for (size_t e = 0; e < pl->n_edges; e++)
		indeg[pl->edges[e].to]++;
	size_t k = 0;
	for (;;) {
		size_t pick = (size_t)-1;
		for (size_t i = 0; i < n && pick == (size_t)-1; i++)
			if (!done[i] && indeg[i] == 0)
				pick = i;
		if (pick == (size_t)-1)
			break;
		done[pick] = true;
		pl->order[k++] = pick;
		for (size_t e = 0; e < pl->n_edges; e++)
			if (pl->edges[e].from == pick)
				indeg[pl->edges[e].to]--;
	}
	if (k < n) {
		/* Name each cycle once: search from the earliest task left. */
		int *color = xcalloc(n, sizeof(*color));
		size_t *stack = xcalloc(n + 1, sizeof(*stack));
		for (size_t i = 0; i < n; i++) {
			if (done[i] || color[i])
				continue;
			size_t depth = 0, cs = 0;
			if (!find_cycle(pl, i, color, stack, &depth, &cs))
				continue;
			struct sbuf sb;
			sbuf_init(&sb);
			for (size_t j = cs; j < depth; j++)
				sbuf_printf(&sb, "%s -> ", pl->tasks[stack[j]].name);
			sbuf_puts(&sb, pl->tasks[stack[cs]].name);
			const struct task *t0 = &pl->tasks[stack[cs]];
			diags_add(c->d, t0->line, t0->col, "cycle in pipeline \"%s\": %s", pl->name,
				  sbuf_str(&sb));
			sbuf_free(&sb);
			/* Mark the rest of this component visited. */
			for (size_t j = 0; j < n; j++)
				if (color[j] == 1)
					color[j] = 2;
		}
		free(color);
		free(stack);
		/* Keep `order` complete for callers that inspect a bad spec. */
		for (size_t i = 0; i < n; i++)
			if (!done[i])
				pl->order[k++] = i;
	} else {
		for (size_t o = 0; o < n; o++) {
			struct task *t = &pl->tasks[pl->order[o]];
			t->layer = 0;
			for (size_t u = 0; u < t->n_up; u++)
				if (pl->tasks[t->up[u]].layer + 1 > t->layer)
					t->layer = pl->tasks[t->up[u]].layer + 1;
			if (t->layer + 1 > pl->n_layers)
				pl->n_layers = t->layer + 1;
		}
	}
	free(indeg);
	free(done);
}

/* Reports `needs` of unknown tasks at the item itself: build_dag only knows
 * the task, so this pass re-walks the nodes for precise positions. */
static void fix_needs_positions(struct ctx *c, struct pipeline *pl, yaml_node_t *tasks_node)
{
	if (tasks_node->type != YAML_MAPPING_NODE)
		return;
	for (size_t d = 0; d < c->d->n; d++) {
		struct diag *g = &c->d->v[d];
		for (size_t i = 0; i < pl->n_tasks; i++) {
			struct task *t = &pl->tasks[i];
			if (g->line != t->line || g->col != t->col || !strstr(g->msg, "needs unknown task"))
				continue;
			FOR_PAIRS(c, tasks_node, p, tk, tv) {
				if (strcmp(scalar(tk), t->name) || tv->type != YAML_MAPPING_NODE)
					continue;
				FOR_PAIRS(c, tv, p2, k2, v2) {
					if (strcmp(scalar(k2), "needs"))
						continue;
					for (size_t j = 0; j < t->needs.n; j++) {
						char *q = xasprintf("needs unknown task \"%s\"", t->needs.v[j]);
						if (strstr(g->msg, q)) {
							yaml_node_t *item = list_item(c, v2, j);
							g->line = LINE(item);
							g->col = COL(item);
						}
						free(q);
					}
				}
			}
		}
	}
}

static void check_cmd_refs(struct ctx *c, const struct task *t)
{
	struct subst st;
	struct err err;
	size_t bad = 0;
	const char *s = t->cmd;

	st.params = c->spec->params;
	st.n = c->spec->n_params;
	st.err = &err;
	/* Report every bad reference, not only the first: restart after each. */
	while (s && *s) {
		size_t base = (size_t)(s - t->cmd);
		if (walk_refs(s, subst_ref, &st, NULL, &bad, &err) == 0)
			break;
		int col = t->cmd_col;
		bool one_line = !strchr(t->cmd, '\n');
		if (col > 0 && one_line)
			col += (int)(base + bad);
		else
			col = t->cmd_col > 0 ? t->cmd_col : 1;
		diags_add(c->d, t->cmd_line, col, "in cmd of task \"%s\": %s", t->name, err.msg);
		const char *close = strchr(s + bad, '}');
		if (!close)
			break;
		s = close + 1;
	}
}

/* ---- sweeps ---- */

static void walk_sweep_values(struct ctx *c, struct sweep_dim *dim, const struct param *p,
			      yaml_node_t *v, const char *what)
{
	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top) {
		diags_add(c->d, LINE(v), COL(v), "%s must be a non-empty list of values", what);
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node_at(c, *it);
		if (e->type != YAML_SCALAR_NODE || is_null(e)) {
			diags_add(c->d, LINE(e), COL(e), "%s must hold plain values, got %s", what,
				  kind_name(e));
			continue;
		}
		if (p && !value_fits(p->type, scalar(e)))
			diags_add(c->d, LINE(e), COL(e), "\"%s\" does not fit param \"%s\": it takes %s (default %s)",
				  scalar(e), p->name, type_phrase(p->type), p->value);
		strv_push(&dim->values, scalar(e));
	}
}

static const struct param *sweep_param(struct ctx *c, yaml_node_t *k)
{
	const struct param *p = pipeline_param_find(c->spec->params, c->spec->n_params, scalar(k));

	if (!p) {
		const char *sug = suggest_param(c->spec->params, c->spec->n_params, scalar(k));
		if (sug)
			diags_add(c->d, LINE(k), COL(k), "sweep over unknown param \"%s\" (did you mean \"%s\"?)",
				  scalar(k), sug);
		else
			diags_add(c->d, LINE(k), COL(k),
				  "sweep over unknown param \"%s\" (declare it under params: first)", scalar(k));
	}
	return p;
}

static struct sweep_dim *new_dim(struct sweep *sw, const char *name)
{
	sw->dims = xrealloc(sw->dims, (sw->n_dims + 1) * sizeof(*sw->dims));
	struct sweep_dim *d = &sw->dims[sw->n_dims++];
	memset(d, 0, sizeof(*d));
	d->param = xstrdup(name);
	return d;
}

static void walk_random(struct ctx *c, struct sweep *sw, yaml_node_t *v)
{
	static const char *const keys[] = {"n", "seed", "space", NULL};
	bool have_n = false, have_space = false;

	if (!want_mapping(c, v, "random"))
		return;
	FOR_PAIRS(c, v, p, k, val) {
		long x;
		if (!strcmp(scalar(k), "n")) {
			if (want_int(c, val, "random.n", 1, &x))
				sw->n = (int)x;
			have_n = true;
		} else if (!strcmp(scalar(k), "seed")) {
			if (want_int(c, val, "random.seed", 0, &x))
				sw->seed = (uint64_t)x;
		} else if (!strcmp(scalar(k), "space")) {
			have_space = true;
			if (!want_mapping(c, val, "random.space"))
				continue;
			FOR_PAIRS(c, val, p2, pk, pv) {
				const struct param *prm = sweep_param(c, pk);
				struct sweep_dim *dim = new_dim(sw, scalar(pk));
				if (pv->type == YAML_SEQUENCE_NODE) {
					walk_sweep_values(c, dim, prm, pv, "a choice in random.space");
					continue;
				}
				static const char *const rkeys[] = {"min", "max", "log", NULL};
				if (!want_mapping(c, pv, "a range in random.space (a list or {min, max, log})"))
					continue;
				bool hmin = false, hmax = false;
				FOR_PAIRS(c, pv, p3, rk, rv) {
					double d;
					if (!strcmp(scalar(rk), "min") || !strcmp(scalar(rk), "max")) {
						if (!is_plain(rv) || !str_to_double(scalar(rv), &d)) {
							diags_add(c->d, LINE(rv), COL(rv), "%s must be a number", scalar(rk));
							continue;
						}
						if (scalar(rk)[1] == 'i') {
							dim->min = d;
							hmin = true;
						} else {
							dim->max = d;
							hmax = true;
						}
					} else if (!strcmp(scalar(rk), "log")) {
						want_bool(c, rv, "log", &dim->log);
					} else {
						unknown_key(c, rk, "a random range", rkeys);
					}
				}
				if (!hmin || !hmax)
					diags_add(c->d, LINE(pv), COL(pv), "a random range needs both min and max");
				else if (dim->min > dim->max)
					diags_add(c->d, LINE(pv), COL(pv), "min %g is larger than max %g", dim->min,
						  dim->max);
				else if (dim->log && dim->min <= 0)
					diags_add(c->d, LINE(pv), COL(pv), "a log range needs min > 0");
				if (prm && prm->type == PARAM_INT)
					dim->integer = true;
				else if (prm && prm->type != PARAM_FLOAT)
					diags_add(c->d, LINE(pv), COL(pv),
						  "param \"%s\" is a %s: give a list of choices instead of a range",
						  prm->name, param_type_name(prm->type));
			}
		} else {
			unknown_key(c, k, "random", keys);
		}
	}
	if (!have_n)
		diags_add(c->d, LINE(v), COL(v), "random needs n: the number of runs to draw");
	if (!have_space)
		diags_add(c->d, LINE(v), COL(v), "random needs space: the params to draw");
}

static void walk_sweep(struct ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	static const char *const keys[] = {"pipeline", "grid", "random", "parallel", "description", NULL};
	struct spec *s = c->spec;
	struct sweep *sw = &s->sweeps[s->n_sweeps++];
	yaml_node_t *pl_node = NULL;
	bool grid = false, random = false;
	char *where;

	memset(sw, 0, sizeof(*sw));
	sw->name = xstrdup(scalar(k));
	sw->line = LINE(k);
	sw->col = COL(k);
	sw->parallel = 1;
	where = xasprintf("sweep \"%s\"", sw->name);
	if (!valid_name(sw->name))
		diags_add(c->d, LINE(k), COL(k), "sweep name \"%s\" must be letters, digits, '_', '-' or '.'",
			  sw->name);
	if (!want_mapping(c, v, where)) {
		free(where);
		return;
	}
	FOR_PAIRS(c, v, p, key, val) {
		const char *kk = scalar(key), *str;
		long x;
		if (!strcmp(kk, "pipeline")) {
			if (want_string(c, val, "pipeline", &str)) {
				sw->pipeline = xstrdup(str);
				pl_node = val;
			}
		} else if (!strcmp(kk, "grid")) {
			grid = true;
			if (!want_mapping(c, val, "grid"))
				continue;
			FOR_PAIRS(c, val, p2, gk, gv) {
				const struct param *prm = sweep_param(c, gk);
				char *what = xasprintf("grid values of \"%s\"", scalar(gk));
				walk_sweep_values(c, new_dim(sw, scalar(gk)), prm, gv, what);
				free(what);
			}
			if (!sw->n_dims)
				diags_add(c->d, LINE(val), COL(val), "grid names no params");
		} else if (!strcmp(kk, "random")) {
			random = true;
			walk_random(c, sw, val);
		} else if (!strcmp(kk, "parallel")) {
			if (want_int(c, val, "parallel", 1, &x))
				sw->parallel = (int)x;
		} else if (!strcmp(kk, "description")) {
			want_string(c, val, "description", &str);
		} else {
			unknown_key(c, key, where, keys);
		}
	}
	sw->random = random;
	if (grid && random)
		diags_add(c->d, sw->line, sw->col, "sweep \"%s\" has both grid and random; choose one", sw->name);
	else if (!grid && !random)
		diags_add(c->d, sw->line, sw->col, "sweep \"%s\" needs grid: or random:", sw->name);
	if (!sw->pipeline) {
		diags_add(c->d, sw->line, sw->col, "sweep \"%s\" needs pipeline:", sw->name);
	} else if (!pipeline_find(s, sw->pipeline)) {
		const char **names = xmalloc((s->n_pipelines + 1) * sizeof(*names));
		for (size_t i = 0; i < s->n_pipelines; i++)
			names[i] = s->pipelines[i].name;
		const char *sug = closest(sw->pipeline, names, s->n_pipelines);
		if (sug)
			diags_add(c->d, LINE(pl_node), COL(pl_node),
				  "sweep \"%s\" names unknown pipeline \"%s\" (did you mean \"%s\"?)", sw->name,
				  sw->pipeline, sug);
		else
			diags_add(c->d, LINE(pl_node), COL(pl_node), "sweep \"%s\" names unknown pipeline \"%s\"",
				  sw->name, sw->pipeline);
		free(names);
	}
	free(where);
}

/* ---- monitors and schedules ---- */

/* {run: PIPELINE, params: {name: value}} -- or, where `inline_keys` is set,
 * run: and params: as keys of the enclosing mapping (schedules). */
static void walk_trigger_params(struct ctx *c, struct trigger_run *tr, yaml_node_t *v)
{
	if (!want_mapping(c, v, "params"))
		return;
	FOR_PAIRS(c, v, p, k, val) {
		if (val->type != YAML_SCALAR_NODE) {
			diags_add(c->d, LINE(val), COL(val), "param \"%s\" must be a scalar, got %s", scalar(k),
				  kind_name(val));
			continue;
		}
		if (!pipeline_param_find(c->spec->params, c->spec->n_params, scalar(k))) {
			const char *sug = suggest_param(c->spec->params, c->spec->n_params, scalar(k));
			if (sug)
				diags_add(c->d, LINE(k), COL(k), "unknown param \"%s\" (did you mean \"%s\"?)",
					  scalar(k), sug);
			else
				diags_add(c->d, LINE(k), COL(k), "unknown param \"%s\"", scalar(k));
			continue;
		}
		char *kv = xasprintf("%s=%s", scalar(k), scalar(val));
		strv_push(&tr->params, kv);
		free(kv);
	}
}

static void check_run_target(struct ctx *c, struct trigger_run *tr, yaml_node_t *at, const char *who)
{
	struct spec *s = c->spec;
	if (!tr->pipeline || pipeline_find(s, tr->pipeline))
		return;
	const char **names = xmalloc((s->n_pipelines + 1) * sizeof(*names));
	for (size_t i = 0; i < s->n_pipelines; i++)
		names[i] = s->pipelines[i].name;
	const char *sug = closest(tr->pipeline, names, s->n_pipelines);
	if (sug)
		diags_add(c->d, LINE(at), COL(at), "%s runs unknown pipeline \"%s\" (did you mean \"%s\"?)", who,
			  tr->pipeline, sug);
	else
		diags_add(c->d, LINE(at), COL(at), "%s runs unknown pipeline \"%s\"", who, tr->pipeline);
	free(names);
}

static void walk_on_drift(struct ctx *c, struct monitor_spec *m, yaml_node_t *v, const char *who)
{
	static const char *const keys[] = {"run", "params", NULL};
	const char *str;
	yaml_node_t *run_node = NULL;
	if (!want_mapping(c, v, "on_drift"))
		return;
	m->on_drift.line = LINE(v);
	m->on_drift.col = COL(v);
	FOR_PAIRS(c, v, p, k, val) {
		if (!strcmp(scalar(k), "run")) {
			if (want_string(c, val, "run", &str)) {
				m->on_drift.pipeline = xstrdup(str);
				run_node = val;
			}
		} else if (!strcmp(scalar(k), "params")) {
			walk_trigger_params(c, &m->on_drift, val);
		} else {
			unknown_key(c, k, "on_drift", keys);
		}
	}
	if (!m->on_drift.pipeline)
		diags_add(c->d, LINE(v), COL(v), "on_drift needs run: PIPELINE");
	else
		check_run_target(c, &m->on_drift, run_node, who);
}

static bool want_number(struct ctx *c, yaml_node_t *v, const char *what, double min, double max, double *out)
{
	double x;
	if (!is_plain(v) || !str_to_double(scalar(v), &x) || !(x >= min && x <= max)) {
		diags_add(c->d, LINE(v), COL(v), "%s must be a number from %g to %g, got %s%s%s", what, min, max,
			  v->type == YAML_SCALAR_NODE ? "\"" : "",
			  v->type == YAML_SCALAR_NODE ? scalar(v) : kind_name(v),
			  v->type == YAML_SCALAR_NODE ? "\"" : "");
		return false;
	}
	*out = x;
	return true;
}

static void walk_monitor(struct ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	static const char *const keys[] = {"reference", "current", "window", "columns", "test",
					   "threshold", "on_drift", "description", NULL};
	struct spec *s = c->spec;
	struct monitor_spec *m = &s->monitors[s->n_monitors++];
	const char *str;
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(scalar(k));
	m->line = LINE(k);
	m->col = COL(k);
	m->threshold = NAN;
	m->share = 0.5;
	char *where = xasprintf("monitor \"%s\"", m->name);
	if (!valid_name(m->name))
		diags_add(c->d, LINE(k), COL(k), "monitor name \"%s\" must be letters, digits, '_', '-' or '.'",
			  m->name);
	if (!want_mapping(c, v, where)) {
		free(where);
		return;
	}
	FOR_PAIRS(c, v, p, key, val) {
		const char *kk = scalar(key);
		if (!strcmp(kk, "reference")) {
			if (val->type == YAML_MAPPING_NODE) {
				static const char *const rkeys[] = {"model", "artifact", NULL};
				want_mapping(c, val, "reference");
				FOR_PAIRS(c, val, p2, rk, rv) {
					if (!strcmp(scalar(rk), "model") && want_string(c, rv, "model", &str))
						m->ref_model = xstrdup(str);
					else if (!strcmp(scalar(rk), "artifact") && want_string(c, rv, "artifact", &str))
						m->ref_artifact = path_normalize(str);
					else if (strcmp(scalar(rk), "model") && strcmp(scalar(rk), "artifact"))
						unknown_key(c, rk, "reference", rkeys);
				}
				if (!m->ref_model || !m->ref_artifact)
					diags_add(c->d, LINE(val), COL(val),
						  "reference: {model: NAME@STAGE, artifact: PATH} needs both keys");
			} else if (want_string(c, val, "reference", &str)) {
				m->reference = path_normalize(str);
			}
		} else if (!strcmp(kk, "current")) {
			if (want_string(c, val, "current", &str))
				m->current = path_normalize(str);
		} else if (!strcmp(kk, "window")) {
			static const char *const wkeys[] = {"column", "every", NULL};
			bool every = false;
			if (!want_mapping(c, val, "window"))
				continue;
			FOR_PAIRS(c, val, p2, wk, wv) {
				if (!strcmp(scalar(wk), "column")) {
					if (want_string(c, wv, "window column", &str))
						m->window_column = xstrdup(str);
				} else if (!strcmp(scalar(wk), "every")) {
					every = true;
					if (want_string(c, wv, "every", &str) &&
					    (!pipeline_parse_duration(str, &m->window_ms) || m->window_ms < 1000))
						diags_add(c->d, LINE(wv), COL(wv),
							  "every must be a duration of at least 1s (30m, 1h, 1d), got \"%s\"",
							  str);
				} else {
					unknown_key(c, wk, "window", wkeys);
				}
			}
			if (!m->window_column || !every)
				diags_add(c->d, LINE(val), COL(val), "window needs column: and every:");
		} else if (!strcmp(kk, "columns")) {
			want_str_list(c, val, "columns", &m->columns, false);
		} else if (!strcmp(kk, "test")) {
			enum drift_test t;
			if (want_string(c, val, "test", &str)) {
				if (drift_test_parse(str, &t) < 0)
					diags_add(c->d, LINE(val), COL(val),
						  "test must be auto, ks, chisquare, z, wasserstein, jensenshannon or psi, "
						  "got \"%s\"", str);
				else if (t != TEST_AUTO)
					m->test = xstrdup(str);
			}
		} else if (!strcmp(kk, "threshold")) {
			if (val->type == YAML_MAPPING_NODE) {
				static const char *const tkeys[] = {"share", "drift", NULL};
				want_mapping(c, val, "threshold");
				FOR_PAIRS(c, val, p2, tk, tv) {
					if (!strcmp(scalar(tk), "share"))
						want_number(c, tv, "share", 0, 1, &m->share);
					else if (!strcmp(scalar(tk), "drift"))
						want_number(c, tv, "the drift threshold", 0, 1e300, &m->threshold);
					else
						unknown_key(c, tk, "threshold", tkeys);
				}
			} else {
				want_number(c, val, "threshold", 0, 1e300, &m->threshold);
			}
		} else if (!strcmp(kk, "on_drift")) {
			walk_on_drift(c, m, val, where);
		} else if (!strcmp(kk, "description")) {
			want_string(c, val, "description", &str);
		} else {
			unknown_key(c, key, where, keys);
		}
	}
	if (!m->reference && !m->ref_model)
		diags_add(c->d, m->line, m->col, "monitor \"%s\" needs reference: (a CSV file, or {model, artifact})",
			  m->name);
	if (!m->current)
		diags_add(c->d, m->line, m->col, "monitor \"%s\" needs current: (a CSV file or a glob of batches)",
			  m->name);
	free(where);
}

static void walk_schedule(struct ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	static const char *const keys[] = {"cron", "git", "watch", "run", "params", "description", NULL};
	struct spec *s = c->spec;
	struct schedule_spec *sc = &s->schedules[s->n_schedules++];
	const char *str;
	int kinds = 0;
	yaml_node_t *run_node = NULL;
	memset(sc, 0, sizeof(*sc));
	sc->name = xstrdup(scalar(k));
	sc->line = LINE(k);
	sc->col = COL(k);
	char *where = xasprintf("schedule \"%s\"", sc->name);
	if (!valid_name(sc->name))
		diags_add(c->d, LINE(k), COL(k), "schedule name \"%s\" must be letters, digits, '_', '-' or '.'",
			  sc->name);
	if (!want_mapping(c, v, where)) {
		free(where);
		return;
	}
	FOR_PAIRS(c, v, p, key, val) {
		const char *kk = scalar(key);
		if (!strcmp(kk, "cron") || !strcmp(kk, "git") || !strcmp(kk, "watch")) {
			kinds++;
			if (!want_string(c, val, kk, &str))
				continue;
			free(sc->what);
			if (!strcmp(kk, "cron")) {
				struct err err;
				sc->kind = SCHEDULE_CRON;
				sc->what = xstrdup(str);
				if (cron_parse(str, &sc->cron, &err) < 0)
					diags_add(c->d, LINE(val), COL(val), "%s", err.msg);
			} else if (!strcmp(kk, "git")) {
				sc->kind = SCHEDULE_GIT;
				sc->what = xstrdup(str);
			} else {
				sc->kind = SCHEDULE_WATCH;
				sc->what = path_normalize(str);
			}
		} else if (!strcmp(kk, "run")) {
			if (want_string(c, val, "run", &str)) {
				sc->run.pipeline = xstrdup(str);
				sc->run.line = LINE(val);
				sc->run.col = COL(val);
				run_node = val;
			}
		} else if (!strcmp(kk, "params")) {
			walk_trigger_params(c, &sc->run, val);
		} else if (!strcmp(kk, "description")) {
			want_string(c, val, "description", &str);
		} else {
			unknown_key(c, key, where, keys);
		}
	}
	if (kinds != 1)
		diags_add(c->d, sc->line, sc->col, "schedule \"%s\" needs exactly one of cron:, git: or watch:",
			  sc->name);
	if (!sc->run.pipeline)
		diags_add(c->d, sc->line, sc->col, "schedule \"%s\" needs run: PIPELINE", sc->name);
	else
		check_run_target(c, &sc->run, run_node, where);
	free(where);
}

const struct monitor_spec *pipeline_monitor_find(const struct spec *spec, const char *name)
{
	for (size_t i = 0; i < spec->n_monitors; i++)
		if (!strcmp(spec->monitors[i].name, name))
			return &spec->monitors[i];
	return NULL;
}

/* ---- top level ---- */

static const char *const top_keys[] = {"project", "params", "pipelines", "sweeps", "metrics",
					"monitors", "schedules", NULL};

static void walk_metrics(struct ctx *c, yaml_node_t *map)
{
	static const char *const keys[] = {"goal", NULL};

	if (!want_mapping(c, map, "metrics"))
		return;
	FOR_PAIRS(c, map, p, k, v) {
		bool have = false, lower = false;
		if (!want_mapping(c, v, "a metric"))
			continue;
		FOR_PAIRS(c, v, p2, gk, gv) {
			const char *s;
			if (strcmp(scalar(gk), "goal")) {
				unknown_key(c, gk, "a metric", keys);
			} else if (want_string(c, gv, "goal", &s)) {
				if (strcmp(s, "min") && strcmp(s, "max"))
					diags_add(c->d, LINE(gv), COL(gv), "goal must be min or max, got \"%s\"", s);
				have = true;
				lower = !strcmp(s, "min");
			}
		}
		if (!have)
			continue;
		struct spec *sp = c->spec;
		sp->goals = xrealloc(sp->goals, (sp->n_goals + 1) * sizeof(*sp->goals));
		sp->goals[sp->n_goals].name = xstrdup(scalar(k));
		sp->goals[sp->n_goals].lower = lower;
		sp->n_goals++;
	}
}

static void walk_top(struct ctx *c, yaml_node_t *root)
{
	yaml_node_t *params = NULL, *pipelines = NULL, *sweeps = NULL, *metrics = NULL;
	yaml_node_t *monitors = NULL, *schedules = NULL;
	struct spec *s = c->spec;
	bool unknown = false;

	if (root->type != YAML_MAPPING_NODE) {
		diags_add(c->d, LINE(root), COL(root),
			  "the file must be a mapping (project:, params:, pipelines:), got %s", kind_name(root));
		return;
	}
	want_mapping(c, root, "the top level");
	FOR_PAIRS(c, root, p, k, v) {
		const char *key = scalar(k);
		const char *str;
		if (!strcmp(key, "project")) {
			if (want_string(c, v, "project", &str))
				s->project = xstrdup(str);
		} else if (!strcmp(key, "params")) {
			params = v;
		} else if (!strcmp(key, "pipelines")) {
			pipelines = v;
		} else if (!strcmp(key, "sweeps")) {
			sweeps = v;
		} else if (!strcmp(key, "metrics")) {
			metrics = v;
		} else if (!strcmp(key, "monitors")) {
			monitors = v;
		} else if (!strcmp(key, "schedules")) {
			schedules = v;
		} else {
			unknown_key(c, k, "the top level", top_keys);
			unknown = true;
		}
	}
	if (params && !is_null(params))
		walk_params(c, params, NULL);
	if (metrics && !is_null(metrics))
		walk_metrics(c, metrics);
	if (pipelines && want_mapping(c, pipelines, "pipelines")) {
		size_t n = (size_t)(pipelines->data.mapping.pairs.top - pipelines->data.mapping.pairs.start);
		s->pipelines = xcalloc(n, sizeof(*s->pipelines));
		FOR_PAIRS(c, pipelines, p, k, v)
			walk_pipeline(c, k, v);
		/* Walk the DAG of each pipeline, with the tasks node at hand for
		 * precise positions. */
		size_t i = 0;
		FOR_PAIRS(c, pipelines, p, k, v) {
			struct pipeline *pl = &s->pipelines[i++];
			build_dag(c, pl, v);
			if (v->type == YAML_MAPPING_NODE) {
				FOR_PAIRS(c, v, p2, k2, v2)
					if (!strcmp(scalar(k2), "tasks"))
						fix_needs_positions(c, pl, v2);
			}
			for (size_t t = 0; t < pl->n_tasks; t++)
				if (pl->tasks[t].cmd)
					check_cmd_refs(c, &pl->tasks[t]);
			check_register(c, pl);
		}
	} else if (!pipelines && !unknown) { /* a misspelt key says it better */
		diags_add(c->d, LINE(root), COL(root),
			  "no pipelines: the file needs a pipelines: mapping with at least one pipeline");
	}
	if (sweeps && want_mapping(c, sweeps, "sweeps")) {
		size_t n = (size_t)(sweeps->data.mapping.pairs.top - sweeps->data.mapping.pairs.start);
		s->sweeps = xcalloc(n, sizeof(*s->sweeps));
		FOR_PAIRS(c, sweeps, p, k, v)
			walk_sweep(c, k, v);
	}
	if (monitors && !is_null(monitors) && want_mapping(c, monitors, "monitors")) {
		size_t n = (size_t)(monitors->data.mapping.pairs.top - monitors->data.mapping.pairs.start);
		s->monitors = xcalloc(n + 1, sizeof(*s->monitors));
		FOR_PAIRS(c, monitors, p, k, v)
			walk_monitor(c, k, v);
	}
	if (schedules && !is_null(schedules) && want_mapping(c, schedules, "schedules")) {
		size_t n = (size_t)(schedules->data.mapping.pairs.top - schedules->data.mapping.pairs.start);
		s->schedules = xcalloc(n + 1, sizeof(*s->schedules));
		FOR_PAIRS(c, schedules, p, k, v)
			walk_schedule(c, k, v);
	}
}

int pipeline_spec_parse(const char *text, size_t len, const char *display, struct spec **out,
			struct diags *diags)
{
	yaml_parser_t parser;
	struct ctx c;

	*out = NULL;
	diags_init(diags, display);
	memset(&c, 0, sizeof(c));
	c.d = diags;

	/* Skip a UTF-8 byte order mark; libyaml copes, but positions shift. */
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
		i++;
	bool blank = true;
	for (size_t j = 0; j < len && blank; j++) {
		/* A file of only comments and whitespace counts as empty. */
		if (text[j] == '#') {
			while (j < len && text[j] != '\n')
				j++;
		} else if (!isspace((unsigned char)text[j])) {
			blank = false;
		}
	}
	if (blank) {
		diags_add(diags, 1, 1, "the file is empty: expected a mapping with pipelines:");
		return -1;
	}

	if (!yaml_parser_initialize(&parser))
		util_fatal("cannot initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &c.doc)) {
		int line = (int)parser.problem_mark.line + 1, col = (int)parser.problem_mark.column + 1;
		if (parser.context)
			diags_add(diags, line, col, "YAML syntax error: %s %s (line %d)",
				  parser.problem ? parser.problem : "malformed input", parser.context,
				  (int)parser.context_mark.line + 1);
		else
			diags_add(diags, line, col, "YAML syntax error: %s",
				  parser.problem ? parser.problem : "malformed input");
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_node_t *root = yaml_document_get_root_node(&c.doc);
	if (!root) {
		diags_add(diags, 1, 1, "the file is empty: expected a mapping with pipelines:");
	} else {
		/* A second document would be silently ignored: refuse it. */
		yaml_document_t extra;
		if (yaml_parser_load(&parser, &extra)) {
			if (yaml_document_get_root_node(&extra))
				diags_add(diags, (int)extra.start_mark.line + 1, (int)extra.start_mark.column + 1,
					  "a second YAML document in the file; mlwb.yaml holds one");
			yaml_document_delete(&extra);
		}
		c.spec = xcalloc(1, sizeof(*c.spec));
		walk_top(&c, root);
	}
	yaml_document_delete(&c.doc);
	yaml_parser_delete(&parser);
	if (diags->n) {
		diags_sort(diags);
		pipeline_spec_free(c.spec);
		return -1;
	}
	*out = c.spec;
	return 0;
}

int pipeline_spec_load(const char *path, const char *display, struct spec **out, struct diags *diags)
{
	char *text;
	size_t len;
	struct err err;

	if (file_read_all(path, &text, &len, &err) < 0) {
		*out = NULL;
		diags_init(diags, display ? display : path);
		diags_add(diags, 0, 0, "%s", err.msg);
		return -1;
	}
	int rc = pipeline_spec_parse(text, len, display ? display : path, out, diags);
	free(text);
	return rc;
}

static void task_free(struct task *t)
{
	free(t->name);
	free(t->description);
	free(t->cmd);
	strv_free(&t->needs);
	strv_free(&t->deps);
	for (size_t i = 0; i < t->n_outs; i++) {
		free(t->outs[i].path);
		free(t->outs[i].kind);
	}
	free(t->outs);
	strv_free(&t->metrics);
	free(t->up);
	free(t->reg_model);
	free(t->reg_artifact);
	free(t->reg_gate);
	free(t->reg_promote_to);
}

void pipeline_params_free(struct param *params, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(params[i].name);
		free(params[i].value);
	}
	free(params);
}

void pipeline_spec_free(struct spec *s)
{
	if (!s)
		return;
	free(s->project);
	for (size_t i = 0; i < s->n_goals; i++)
		free(s->goals[i].name);
	free(s->goals);
	pipeline_params_free(s->params, s->n_params);
	for (size_t i = 0; i < s->n_pipelines; i++) {
		struct pipeline *pl = &s->pipelines[i];
		for (size_t t = 0; t < pl->n_tasks; t++)
			task_free(&pl->tasks[t]);
		free(pl->tasks);
		for (size_t e = 0; e < pl->n_edges; e++)
			free(pl->edges[e].via);
		free(pl->edges);
		free(pl->order);
		free(pl->name);
		free(pl->description);
	}
	free(s->pipelines);
	for (size_t i = 0; i < s->n_sweeps; i++) {
		struct sweep *sw = &s->sweeps[i];
		for (size_t d = 0; d < sw->n_dims; d++) {
			free(sw->dims[d].param);
			strv_free(&sw->dims[d].values);
		}
		free(sw->dims);
		free(sw->name);
		free(sw->pipeline);
	}
	free(s->sweeps);
	for (size_t i = 0; i < s->n_monitors; i++) {
		struct monitor_spec *m = &s->monitors[i];
		free(m->name);
		free(m->reference);
		free(m->ref_model);
		free(m->ref_artifact);
		free(m->current);
		free(m->window_column);
		strv_free(&m->columns);
		free(m->test);
		free(m->on_drift.pipeline);
		strv_free(&m->on_drift.params);
	}
	free(s->monitors);
	for (size_t i = 0; i < s->n_schedules; i++) {
		free(s->schedules[i].name);
		free(s->schedules[i].what);
		free(s->schedules[i].run.pipeline);
		strv_free(&s->schedules[i].run.params);
	}
	free(s->schedules);
	free(s);
}

const struct pipeline *pipeline_find(const struct spec *spec, const char *name)
{
	for (size_t i = 0; i < spec->n_pipelines; i++)
		if (!strcmp(spec->pipelines[i].name, name))
			return &spec->pipelines[i];
	return NULL;
}

const struct sweep *pipeline_sweep_find(const struct spec *spec, const char *name)
{
	for (size_t i = 0; i < spec->n_sweeps; i++)
		if (!strcmp(spec->sweeps[i].name, name))
			return &spec->sweeps[i];
	return NULL;
}

/* ---- run params ---- */

int pipeline_params_resolve(const struct spec *spec, const struct strv *overrides,
			    struct param **out, size_t *n, struct err *err)
{
	struct param *ps = xcalloc(spec->n_params + 1, sizeof(*ps));

	for (size_t i = 0; i < spec->n_params; i++) {
		ps[i] = spec->params[i];
		ps[i].name = xstrdup(spec->params[i].name);
		ps[i].value = xstrdup(spec->params[i].value);
	}
	for (size_t i = 0; overrides && i < overrides->n; i++) {
		const char *o = overrides->v[i];
		const char *eq = strchr(o, '=');
		if (!eq || eq == o) {
			pipeline_params_free(ps, spec->n_params);
			return err_set(err, "bad param override \"%s\": expected NAME=VALUE", o);
		}
		char *name = xstrndup(o, (size_t)(eq - o));
		struct param *p = NULL;
		for (size_t j = 0; j < spec->n_params; j++)
			if (!strcmp(ps[j].name, name))
				p = &ps[j];
		if (!p) {
			const char *sug = suggest_param(spec->params, spec->n_params, name);
			if (sug)
				err_set(err, "unknown param \"%s\" (did you mean \"%s\"?)", name, sug);
			else
				err_set(err, "unknown param \"%s\": declare it under params: in mlwb.yaml", name);
			free(name);
			pipeline_params_free(ps, spec->n_params);
			return -1;
		}
		if (!value_fits(p->type, eq + 1)) {
			err_set(err, "param \"%s\" takes %s (default %s), got \"%s\"", name,
				type_phrase(p->type), p->value, eq + 1);
			free(name);
			pipeline_params_free(ps, spec->n_params);
			return -1;
		}
		free(p->value);
		p->value = xstrdup(eq + 1);
		free(name);
	}
	*out = ps;
	*n = spec->n_params;
	return 0;
}

/* ---- sweeps ---- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform01(uint64_t *state)
{
	return (double)(splitmix64(state) >> 11) * (1.0 / 9007199254740992.0);
}

int pipeline_sweep_expand(const struct sweep *sw, struct strv **points, size_t *n_points,
			  struct err *err)
{
	size_t total = 1;

	if (!sw->random) {
		for (size_t d = 0; d < sw->n_dims; d++) {
			if (sw->dims[d].values.n && total > 100000 / sw->dims[d].values.n)
				return err_set(err, "sweep \"%s\" would create more than 100000 runs", sw->name);
			total *= sw->dims[d].values.n;
		}
	} else {
		total = (size_t)sw->n;
	}
	struct strv *pts = xcalloc(total ? total : 1, sizeof(*pts));
	uint64_t state = sw->seed;
	for (size_t i = 0; i < total; i++) {
		size_t rest = i;
		/* Grid: the last dimension varies fastest, like nested loops in
		 * declaration order.  Compute the digits from the right. */
		size_t *digit = xcalloc(sw->n_dims + 1, sizeof(*digit));
		if (!sw->random)
			for (size_t d = sw->n_dims; d-- > 0;) {
				digit[d] = rest % sw->dims[d].values.n;
				rest /= sw->dims[d].values.n;
			}
		for (size_t d = 0; d < sw->n_dims; d++) {
			const struct sweep_dim *dim = &sw->dims[d];
			char *kv;
			if (!sw->random) {
				kv = xasprintf("%s=%s", dim->param, dim->values.v[digit[d]]);
			} else if (dim->values.n) {
				size_t k = (size_t)(uniform01(&state) * (double)dim->values.n);
				if (k >= dim->values.n)
					k = dim->values.n - 1;
				kv = xasprintf("%s=%s", dim->param, dim->values.v[k]);
			} else {
				double u = uniform01(&state), x;
				if (dim->log)
					x = exp(log(dim->min) + u * (log(dim->max) - log(dim->min)));
				else
					x = dim->min + u * (dim->max - dim->min);
				if (dim->integer)
					kv = xasprintf("%s=%lld", dim->param, (long long)llround(x));
				else
					kv = xasprintf("%s=%.6g", dim->param, x);
			}
			strv_push(&pts[i], kv);
			free(kv);
		}
		free(digit);
	}
	*points = pts;
	*n_points = total;
	return 0;
}

void pipeline_sweep_points_free(struct strv *points, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strv_free(&points[i]);
	free(points);
}
