/* expr.c - a recursive-descent parser and evaluator for filter expressions. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/expr.h"
#include "mlwb/util.h"

enum kind { E_AND, E_OR, E_NOT, E_CMP, E_WORD };
enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_HAS };

struct expr {
	enum kind kind;
	enum op op;
	char *name, *value; /* E_CMP: name op value; E_WORD: name */
	bool quoted;        /* the value was quoted: always a literal */
	struct expr *l, *r;
};

struct parser {
	const char *s;
	struct err *err;
};

static void skip(struct parser *p)
{
	while (isspace((unsigned char)*p->s))
		p->s++;
}

static bool word_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr("()=!<>~\"'", c);
}

/* A name, a number or a quoted string. */
static char *token(struct parser *p, bool *quoted)
{
	skip(p);
	if (quoted)
		*quoted = *p->s == '"' || *p->s == '\'';
	if (*p->s == '"' || *p->s == '\'') {
		char q = *p->s++;
		const char *start = p->s;
		while (*p->s && *p->s != q)
			p->s++;
		if (!*p->s) {
			err_set(p->err, "unterminated quote in the filter");
			return NULL;
		}
		char *t = xstrndup(start, (size_t)(p->s - start));
		p->s++;
		return t;
	}
	const char *start = p->s;
	while (word_char(*p->s))
		p->s++;
	if (p->s == start)
		return NULL;
	return xstrndup(start, (size_t)(p->s - start));
}

static bool keyword(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);

	skip(p);
	if (!strncmp(p->s, kw, n) && !word_char(p->s[n]) && p->s[n] != '=') {
		p->s += n;
		return true;
	}
	return false;
}

static struct expr *node(enum kind k)
{
	struct expr *e = xcalloc(1, sizeof(*e));

	e->kind = k;
	return e;
}

static struct expr *parse_or(struct parser *p);

static struct expr *parse_atom(struct parser *p)
{
	skip(p);
	if (keyword(p, "not")) {
		struct expr *inner = parse_atom(p);
		if (!inner)
			return NULL;
		struct expr *e = node(E_NOT);
		e->l = inner;
		return e;
	}
	if (*p->s == '(') {
		p->s++;
		struct expr *e = parse_or(p);
		if (!e)
			return NULL;
		skip(p);
		if (*p->s != ')') {
			expr_free(e);
			err_set(p->err, "missing ) in the filter");
			return NULL;
		}
		p->s++;
		return e;
	}
	char *name = token(p, NULL);
	if (!name) {
		if (!p->err->msg[0])
			err_set(p->err, *p->s ? "unexpected \"%c\" in the filter" : "the filter ends too soon", *p->s);
		return NULL;
	}
	skip(p);
	static const struct {
		const char *text;
		enum op op;
	} ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE},
		   {"=", OP_EQ},  {"<", OP_LT},  {">", OP_GT},  {"~", OP_HAS}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(p->s, ops[i].text, n))
			continue;
		p->s += n;
		bool quoted;
		char *value = token(p, &quoted);
		if (!value) {
			if (!p->err->msg[0])
				err_set(p->err, "a value is missing after %s %s", name, ops[i].text);
			free(name);
			return NULL;
		}
		struct expr *e = node(E_CMP);
		e->op = ops[i].op;
		e->name = name;
		e->value = value;
		e->quoted = quoted;
		return e;
	}
	struct expr *e = node(E_WORD);
	e->name = name;
	return e;
}

static struct expr *parse_and(struct parser *p)
{
	struct expr *l = parse_atom(p);

	while (l && keyword(p, "and")) {
		struct expr *r = parse_atom(p);
		if (!r) {
			expr_free(l);
			return NULL;
		}
		struct expr *e = node(E_AND);
		e->l = l;
		e->r = r;
		l = e;
	}
	return l;
}

static struct expr *parse_or(struct parser *p)
{
	struct expr *l = parse_and(p);

	while (l && keyword(p, "or")) {
		struct expr *r = parse_and(p);
		if (!r) {
			expr_free(l);
			return NULL;
		}
		struct expr *e = node(E_OR);
		e->l = l;
		e->r = r;
		l = e;
	}
	return l;
}

int expr_parse(const char *text, struct expr **out, struct err *err)
{
	struct parser p = {text, err};

	err_clear(err);
	*out = parse_or(&p);
	if (!*out)
		return -1;
	skip(&p);
	if (*p.s) {
		err_set(err, "unexpected \"%s\" in the filter", p.s);
		expr_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	expr_free(e->l);
	expr_free(e->r);
	free(e->name);
	free(e->value);
	free(e);
}

const char expr_vacuous[] = "";

static bool num(const char *s, double *v)
{
	return str_to_double(s, v);
}

int expr_eval(const struct expr *e, expr_resolve_fn resolve, expr_search_fn search, void *arg,
	      struct err *err)
{
	int a, b;

	switch (e->kind) {
	case E_AND:
		if ((a = expr_eval(e->l, resolve, search, arg, err)) <= 0)
			return a;
		return expr_eval(e->r, resolve, search, arg, err);
	case E_OR:
		if ((a = expr_eval(e->l, resolve, search, arg, err)) != 0)
			return a;
		return expr_eval(e->r, resolve, search, arg, err);
	case E_NOT:
		a = expr_eval(e->l, resolve, search, arg, err);
		return a < 0 ? a : !a;
	case E_WORD:
		return search && search(arg, e->name);
	case E_CMP:
		break;
	}
	const char *v = resolve(arg, e->name);
	if (v == expr_vacuous)
		return 1;
	if (!v) {
		/* metrics.X and params.X may be absent from one run: false, not
		 * an error; any other unknown name is a mistake in the filter */
		if (!strncmp(e->name, "metrics.", 8) || !strncmp(e->name, "params.", 7) ||
		    !strncmp(e->name, "tags.", 5))
			return e->op == OP_NE;
		return err_set(err, "unknown name \"%s\"", e->name);
	}
	/* The right side: an unquoted word that names something is that
	 * thing's value (`auc > production.auc`); other words are text
	 * (`status = failed`), but a dotted name nothing knows is a mistake. */
	const char *rv = e->value;
	double x, y;
	if (!e->quoted && !num(e->value, &y) && isalpha((unsigned char)e->value[0])) {
		char *lhs = xstrdup(v); /* the resolver may reuse its buffer */
		const char *r = resolve(arg, e->value);
		if (r == expr_vacuous) {
			free(lhs);
			return 1;
		}
		if (!r && strchr(e->value, '.')) {
			free(lhs);
			if (!strncmp(e->value, "metrics.", 8) || !strncmp(e->value, "params.", 7) ||
			    !strncmp(e->value, "tags.", 5))
				return e->op == OP_NE;
			return err_set(err, "unknown name \"%s\"", e->value);
		}
		int res;
		const char *right = r ? r : e->value;
		if (e->op == OP_HAS)
			res = strstr(lhs, right) != NULL;
		else {
			if (num(lhs, &x) && num(right, &y))
				b = x < y ? -1 : x > y;
			else
				b = strcmp(lhs, right) < 0 ? -1 : strcmp(lhs, right) > 0;
			res = e->op == OP_EQ ? b == 0 : e->op == OP_NE ? b != 0 : e->op == OP_LT ? b < 0
			      : e->op == OP_LE ? b <= 0 : e->op == OP_GT ? b > 0 : b >= 0;
		}
		free(lhs);
		return res;
	}
	if (e->op == OP_HAS)
		return strstr(v, rv) != NULL;
	if (num(v, &x) && num(rv, &y))
		b = x < y ? -1 : x > y;
	else
		b = strcmp(v, rv) < 0 ? -1 : strcmp(v, rv) > 0;
	switch (e->op) {
	case OP_EQ: return b == 0;
	case OP_NE: return b != 0;
	case OP_LT: return b < 0;
	case OP_LE: return b <= 0;
	case OP_GT: return b > 0;
	case OP_GE: return b >= 0;
	default: return 0;
	}
}

struct run_ctx {
	const struct run_info *r;
	char buf[64];
};

static const char *run_resolve(void *arg, const char *name)
{
	struct run_ctx *c = arg;
	const struct run_info *r = c->r;

	if (!strcmp(name, "status"))
		return r->status;
	if (!strcmp(name, "user"))
		return r->user ? r->user : "";
	if (!strcmp(name, "pipeline"))
		return r->pipeline;
	if (!strcmp(name, "experiment"))
		return r->experiment;
	if (!strcmp(name, "trigger"))
		return r->trigger;
	if (!strcmp(name, "note"))
		return r->note ? r->note : "";
	if (!strcmp(name, "commit"))
		return r->git_commit ? r->git_commit : "";
	if (!strcmp(name, "branch"))
		return r->git_branch ? r->git_branch : "";
	if (!strcmp(name, "id")) {
		snprintf(c->buf, sizeof(c->buf), "%lld", (long long)r->id);
		return c->buf;
	}
	if (!strncmp(name, "params.", 7))
		for (size_t i = 0; i < r->n_params; i++)
			if (!strcmp(r->params[i].name, name + 7))
				return r->params[i].value;
	if (!strncmp(name, "metrics.", 8))
		for (size_t i = 0; i < r->n_metrics; i++)
			if (!strcmp(r->metrics[i].name, name + 8)) {
				snprintf(c->buf, sizeof(c->buf), "%.17g", r->metrics[i].last);
				return c->buf;
			}
	if (!strncmp(name, "tags.", 5))
		for (size_t i = 0; i < r->n_tags; i++)
			if (!strcmp(r->tags[i].name, name + 5))
				return r->tags[i].value;
	return NULL;
}

static bool run_search(void *arg, const char *word)
{
	const struct run_info *r = ((struct run_ctx *)arg)->r;
	const char *fields[] = {r->status, r->pipeline, r->experiment, r->user, r->trigger, r->note, r->git_branch};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i] && strstr(fields[i], word))
			return true;
	for (size_t i = 0; i < r->n_params; i++)
		if (strstr(r->params[i].value, word))
			return true;
	return false;
}

int expr_eval_run(const struct expr *e, const struct run_info *r, struct err *err)
{
	struct run_ctx c = {r, ""};

	return expr_eval(e, run_resolve, run_search, &c, err);
}
