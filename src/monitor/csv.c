/* csv.c - a fast RFC 4180 reader for the drift path.
 *
 * The file is read whole.  One pass validates UTF-8 (eight bytes at a time
 * while they are ASCII); a second splits rows and fields and parses numbers
 * in place for every column that is still numeric, with an exact fast path
 * for decimals of up to 19 digits and strtod for the rest.  The text of a
 * column is extracted only when the drift code asks (csv_load_strings), by
 * walking the rows again from their recorded offsets.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mlwb/drift.h"
#include "mlwb/util.h"

/* pandas' default missing-value markers, so that files read the same. */
static const char *const na_tokens[] = {
	"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
	"<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
};

static bool is_missing(const char *s, size_t n)
{
	if (n == 0)
		return true;
	if (n > 8)
		return false;
	for (size_t i = 0; i < sizeof(na_tokens) / sizeof(*na_tokens); i++)
		if (strlen(na_tokens[i]) == n && memcmp(na_tokens[i], s, n) == 0)
			return true;
	return false;
}

/* 1e0 .. 1e308, each the double nearest the power (as the compiler would
 * read the literal). */
static double pow10_table[309];
static pthread_once_t pow10_once = PTHREAD_ONCE_INIT;

static void pow10_init(void)
{
	for (int i = 0; i <= 308; i++) {
		char lit[16];
		snprintf(lit, sizeof(lit), "1e%d", i);
		pow10_table[i] = strtod(lit, NULL);
	}
}

/* Parses a whole field [p, end) as a number (surrounding spaces allowed);
 * false when it is not one.
 *
 * The value is the one pandas.read_csv gives by default (its "high"
 * converter), not the correctly rounded one: up to 17 digits, leading
 * zeros included, are accumulated in a double and then scaled once by a
 * power of ten.  The two differ in the last bit for some 17-digit numbers,
 * and agreeing with pandas there is what makes a Sturges bin count or a tie
 * come out as it does in pandas-based tools. */
static bool parse_number(const char *p, const char *end, double *out, bool *integer)
{
	while (p < end && *p == ' ')
		p++;
	bool neg = false;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	double number = 0.0;
	int digits = 0, exponent = 0, decimals = 0;
	bool is_int = true;
	while (p < end && (unsigned)(*p - '0') < 10) {
		if (digits < 17) {
			number = number * 10. + (*p - '0');
			digits++;
		} else {
			exponent++;
		}
		p++;
	}
	bool any = digits > 0 || exponent > 0;
	if (p < end && *p == '.') {
		is_int = false;
		p++;
		while (p < end && digits < 17 && (unsigned)(*p - '0') < 10) {
			number = number * 10. + (*p - '0');
			p++;
			digits++;
			decimals++;
			any = true;
		}
		while (p < end && (unsigned)(*p - '0') < 10) {
			p++;
			any = true;
		}
		exponent -= decimals;
	}
	if (!any) {
		size_t n = (size_t)(end - p);
		while (n && p[n - 1] == ' ')
			n--;
		if ((n == 3 && strncasecmp(p, "inf", 3) == 0) ||
		    (n == 8 && strncasecmp(p, "infinity", 8) == 0)) {
			*out = neg ? -INFINITY : INFINITY;
			*integer = false;
			return true;
		}
		if (n == 3 && strncasecmp(p, "nan", 3) == 0) {
			*out = NAN;
			*integer = false;
			return true;
		}
		return false;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		is_int = false;
		p++;
		bool eneg = false;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		if (p >= end || (unsigned)(*p - '0') >= 10)
			return false;
		int e = 0;
		while (p < end && (unsigned)(*p - '0') < 10) {
			if (e < 100000)
				e = e * 10 + (*p - '0');
			p++;
		}
		exponent += eneg ? -e : e;
	}
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		return false;
	if (neg)
		number = -number;
	if (exponent > 308)
		number = neg ? -HUGE_VAL : HUGE_VAL;
	else if (exponent > 0)
		number *= pow10_table[exponent];
	else if (exponent < -616)
		number = 0.0 * number;
	else if (exponent < -308)
		number = number / pow10_table[-308 - exponent] / pow10_table[308];
	else
		number /= pow10_table[-exponent];
	*out = number;
	*integer = is_int;
	return true;
}

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_check(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned min;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			min = 0x10000;
		} else {
			return i;
		}
		unsigned cp = c & (0x3f >> n);
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

struct lexer {
	const char *path;
	const char *buf, *p, *end;
	size_t line;        /* of p */
	const char *line_start;
	struct sbuf scratch; /* an unescaped quoted field */
};

static int lex_error(struct lexer *lx, const char *at, struct err *err, const char *what)
{
	return err_set(err, "%s:%zu:%zu: %s", lx->path, lx->line, (size_t)(at - lx->line_start) + 1, what);
}

/* Reads one field at lx->p.  *s,*n: its text (unescaped); returns 1 when a
 * comma follows, 0 at the end of the row, -1 on error. */
static int lex_field(struct lexer *lx, const char **s, size_t *n, bool *quoted, struct err *err)
{
	const char *p = lx->p, *end = lx->end;
	*quoted = false;
	if (p < end && *p == '"') {
		const char *open = p;
		size_t open_line = lx->line;
		const char *open_ls = lx->line_start;
		*quoted = true;
		sbuf_reset(&lx->scratch);
		p++;
		const char *run = p;
		for (;;) {
			if (p >= end) {
				lx->line = open_line;
				lx->line_start = open_ls;
				return lex_error(lx, open, err, "unterminated quoted field");
			}
			if (*p == '"') {
				sbuf_add(&lx->scratch, run, (size_t)(p - run));
				if (p + 1 < end && p[1] == '"') {
					sbuf_putc(&lx->scratch, '"');
					p += 2;
					run = p;
					continue;
				}
				p++;
				break;
			}
			if (*p == '\n') {
				lx->line++;
				lx->line_start = p + 1;
			}
			p++;
		}
		*s = sbuf_str(&lx->scratch);
		*n = lx->scratch.len;
		if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
			lx->p = p;
			return lex_error(lx, p, err, "unexpected character after a closing quote");
		}
	} else {
		const char *q = p;
		while (q < end && *q != ',' && *q != '\n' && *q != '\r')
			q++;
		*s = p;
		*n = (size_t)(q - p);
		p = q;
	}
	if (p < end && *p == ',') {
		lx->p = p + 1;
		return 1;
	}
	/* end of row */
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	lx->p = p;
	lx->line++;
	lx->line_start = p;
	return 0;
}

/* Skips empty lines (pandas does too). */
static void skip_blank(struct lexer *lx)
{
	while (lx->p < lx->end && (*lx->p == '\n' || *lx->p == '\r')) {
		if (*lx->p == '\r' && lx->p + 1 < lx->end && lx->p[1] == '\n')
			lx->p++;
		lx->p++;
		lx->line++;
		lx->line_start = lx->p;
	}
}

int csv_read(const char *path, struct csv_table *t, struct err *err)
{
	memset(t, 0, sizeof(*t));
	pthread_once(&pow10_once, pow10_init);
	t->path = xstrdup(path);
	char *data;
	size_t len;
	if (file_read_all(path, &data, &len, err) < 0) {
		err->code = 2;
		csv_free(t);
		return -1;
	}
	t->buf = data;
	t->len = len;
	size_t bad = utf8_check((const unsigned char *)data, len);
	if (bad < len) {
		size_t line = 1, col = 1;
		for (size_t i = 0; i < bad; i++) {
			if (data[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		err_set(err, "%s:%zu:%zu: invalid UTF-8", path, line, col);
		csv_free(t);
		return -1;
	}
	struct lexer lx = {.path = path, .buf = data, .p = data, .end = data + len, .line = 1};
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		lx.p += 3;
	lx.line_start = lx.p;
	sbuf_init(&lx.scratch);
	skip_blank(&lx);
	if (lx.p >= lx.end) {
		err_set(err, "%s: empty file: no header row", path);
		goto fail;
	}
	/* the header */
	size_t cap = 0;
	for (;;) {
		const char *s;
		size_t n;
		bool quoted;
		int more = lex_field(&lx, &s, &n, &quoted, err);
		if (more < 0)
			goto fail;
		XGROW(t->cols, t->ncols, cap, 16);
		struct csv_col *c = &t->cols[t->ncols];
		memset(c, 0, sizeof(*c));
		c->name = n ? xstrndup(s, n) : xasprintf("Unnamed: %zu", t->ncols);
		c->numeric = c->integer = true;
		for (size_t i = 0; i < t->ncols; i++)
			if (strcmp(t->cols[i].name, c->name) == 0) {
				err_set(err, "%s:%zu: column \"%s\" appears twice in the header", path,
					lx.line - (more ? 0 : 1), c->name);
				free(c->name);
				goto fail;
			}
		t->ncols++;
		if (!more)
			break;
	}
	/* the rows: at most one per line left, so one allocation */
	size_t rcap = 1;
	for (const char *q = lx.p; (q = memchr(q, '\n', (size_t)(lx.end - q))) != NULL; q++)
		rcap++;
	t->row_off = xmalloc(rcap * sizeof(*t->row_off));
	for (size_t i = 0; i < t->ncols; i++)
		t->cols[i].num = xmalloc(rcap * sizeof(double));
	for (;;) {
		skip_blank(&lx);
		if (lx.p >= lx.end)
			break;
		if (t->nrows == rcap) {
			rcap *= 2;
			t->row_off = xrealloc(t->row_off, rcap * sizeof(*t->row_off));
			for (size_t i = 0; i < t->ncols; i++)
				t->cols[i].num = xrealloc(t->cols[i].num, rcap * sizeof(double));
		}
		size_t row = t->nrows++;
		size_t row_line = lx.line;
		t->row_off[row] = (size_t)(lx.p - data);
		for (size_t ci = 0;; ci++) {
			if (ci >= t->ncols) {
				err_set(err, "%s:%zu: row has more than the header's %zu fields", path, row_line,
					t->ncols);
				goto fail;
			}
			struct csv_col *c = &t->cols[ci];
			const char *s;
			size_t n;
			bool quoted;
			int more;
			/* hot path: an unquoted number */
			const char *p = lx.p;
			if (c->numeric && p < lx.end && *p != '"') {
				const char *q = p;
				while (q < lx.end && *q != ',' && *q != '\n' && *q != '\r')
					q++;
				double v;
				bool integer;
				if (q == p) {
					c->num[row] = NAN;
					c->missing++;
				} else if (parse_number(p, q, &v, &integer)) {
					c->num[row] = v;
					if (isnan(v))
						c->missing++;
					c->integer &= integer;
				} else if (is_missing(p, (size_t)(q - p))) {
					c->num[row] = NAN;
					c->missing++;
				} else {
					c->numeric = c->integer = false;
				}
				lx.p = q;
				if (q < lx.end && *q == ',') {
					lx.p++;
					continue;
				}
				if (lx.p < lx.end && *lx.p == '\r')
					lx.p++;
				if (lx.p < lx.end && *lx.p == '\n')
					lx.p++;
				lx.line++;
				lx.line_start = lx.p;
				more = 0;
			} else {
				more = lex_field(&lx, &s, &n, &quoted, err);
				if (more < 0)
					goto fail;
				if (c->numeric) {
					double v;
					bool integer;
					if (n == 0 || is_missing(s, n)) {
						c->num[row] = NAN;
						c->missing++;
					} else if (parse_number(s, s + n, &v, &integer)) {
						c->num[row] = v;
						if (isnan(v))
							c->missing++;
						c->integer &= integer;
					} else {
						c->numeric = c->integer = false;
					}
				} else if (n == 0 || is_missing(s, n)) {
					c->missing++;
				}
			}
			if (!more) {
				if (ci + 1 != t->ncols) {
					err_set(err, "%s:%zu: row has %zu field%s, the header has %zu", path, row_line,
						ci + 1, ci ? "s" : "", t->ncols);
					goto fail;
				}
				break;
			}
		}
	}
	/* A column that turned categorical midway counted its missing cells
	 * only from then on: count them again when its text is loaded. */
	sbuf_free(&lx.scratch);
	return 0;
fail:
	sbuf_free(&lx.scratch);
	csv_free(t);
	return -1;
}

void csv_load_strings(struct csv_table *t, const bool *want)
{
	bool *load = xcalloc(t->ncols + 1, sizeof(bool)), any = false;
	for (size_t i = 0; i < t->ncols; i++)
		if ((!want || want[i]) && !t->cols[i].str) {
			t->cols[i].str = xcalloc(t->nrows ? t->nrows : 1, sizeof(char *));
			t->cols[i].missing = 0;
			load[i] = any = true;
		}
	if (!any) {
		free(load);
		return;
	}
	/* Each field's text is at most its raw length plus a NUL.  Several
	 * loads chain their blocks: the first word of each points to the
	 * previous one. */
	char *block = xmalloc(sizeof(char *) + t->len + 2);
	memcpy(block, &t->arena, sizeof(char *));
	t->arena = block;
	char *arena = block + sizeof(char *);
	size_t used = 0;
	struct lexer lx = {.path = t->path, .buf = t->buf, .end = t->buf + t->len, .line = 1};
	sbuf_init(&lx.scratch);
	struct err err;
	for (size_t r = 0; r < t->nrows; r++) {
		lx.p = t->buf + t->row_off[r];
		lx.line_start = lx.p;
		for (size_t ci = 0; ci < t->ncols; ci++) {
			const char *s;
			size_t n;
			bool quoted;
			int more = lex_field(&lx, &s, &n, &quoted, &err);
			struct csv_col *c = &t->cols[ci];
			if (load[ci]) {
				if (n == 0 || is_missing(s, n)) {
					c->missing++;
				} else {
					memcpy(arena + used, s, n);
					arena[used + n] = '\0';
					c->str[r] = arena + used;
					used += n + 1;
				}
			}
			if (more <= 0)
				break;
		}
	}
	sbuf_free(&lx.scratch);
	free(load);
}

void csv_subset(const struct csv_table *t, const size_t *rows, size_t n, struct csv_table *out)
{
	memset(out, 0, sizeof(*out));
	out->path = xstrdup(t->path);
	out->ncols = t->ncols;
	out->nrows = n;
	out->buf = t->buf;
	out->len = t->len;
	out->borrowed = true;
	out->row_off = xmalloc((n ? n : 1) * sizeof(size_t));
	out->cols = xcalloc(t->ncols ? t->ncols : 1, sizeof(*out->cols));
	for (size_t r = 0; r < n; r++)
		out->row_off[r] = t->row_off[rows[r]];
	for (size_t i = 0; i < t->ncols; i++) {
		const struct csv_col *c = &t->cols[i];
		struct csv_col *o = &out->cols[i];
		o->name = xstrdup(c->name);
		o->numeric = c->numeric;
		o->integer = c->integer;
		o->num = xmalloc((n ? n : 1) * sizeof(double));
		for (size_t r = 0; r < n; r++) {
			o->num[r] = c->numeric ? c->num[rows[r]] : NAN;
			if (c->numeric && isnan(o->num[r]))
				o->missing++;
		}
	}
}

int csv_find(const struct csv_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

void csv_free(struct csv_table *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].num);
		free(t->cols[i].str);
	}
	free(t->cols);
	free(t->path);
	if (!t->borrowed)
		free(t->buf);
	free(t->row_off);
	while (t->arena) {
		char *prev;
		memcpy(&prev, t->arena, sizeof(char *));
		free(t->arena);
		t->arena = prev;
	}
	memset(t, 0, sizeof(*t));
}
