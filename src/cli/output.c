/* output.c - tables for people, CSV for spreadsheets. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void table_init(struct table *t, size_t ncols, const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->right = xcalloc(ncols, sizeof(*t->right));
	for (size_t i = 0; i < ncols; i++)
		strv_push(&t->head, head[i]);
}

void table_set_right(struct table *t, size_t col)
{
	t->right[col] = true;
}

void table_add(struct table *t, const char *cell)
{
	strv_push(&t->cells, cell ? cell : "-");
}

void table_addf(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	strv_push(&t->cells, buf);
}

void table_print(const struct table *t, FILE *f, const char *indent)
{
	size_t rows = t->cells.n / t->ncols;
	size_t *w = xcalloc(t->ncols, sizeof(*w));

	for (size_t c = 0; c < t->ncols; c++)
		w[c] = str_display_width(t->head.v[c]);
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = str_display_width(t->cells.v[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r <= rows; r++) {
		fputs(indent, f);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->head.v[c] : t->cells.v[(r - 1) * t->ncols + c];
			size_t pad = w[c] - str_display_width(s);
			bool last = c + 1 == t->ncols;
			if (t->right[c])
				fprintf(f, "%*s%s", (int)pad, "", s);
			else
				fprintf(f, "%s%*s", s, last ? 0 : (int)pad, "");
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
	free(w);
}

static void csv_cell(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void table_print_csv(const struct table *t, FILE *f)
{
	size_t rows = t->cells.n / t->ncols;

	for (size_t r = 0; r <= rows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->head.v[c] : t->cells.v[(r - 1) * t->ncols + c];
			if (c)
				fputc(',', f);
			/* "-" stands for nothing in tables; CSV leaves the cell empty. */
			csv_cell(f, r && !strcmp(s, "-") ? "" : s);
		}
		fputc('\n', f); /* LF: friendlier in pipelines; every CSV reader takes it */
	}
}

void table_free(struct table *t)
{
	strv_free(&t->head);
	strv_free(&t->cells);
	free(t->right);
}

void fmt_number(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "nan");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "inf" : "-inf");
	else
		snprintf(buf, len, "%.6g", v);
}
