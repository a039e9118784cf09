/* jsonw.c - streaming JSON output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/jsonw.h"

void jsonw_init(struct jsonw *w, bool pretty)
{
	memset(w, 0, sizeof(*w));
	sbuf_init(&w->out);
	w->pretty = pretty;
}

void jsonw_free(struct jsonw *w)
{
	sbuf_free(&w->out);
}

static void newline(struct jsonw *w)
{
	if (!w->pretty)
		return;
	sbuf_putc(&w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		sbuf_puts(&w->out, "  ");
}

/* Before any value: a comma and a line break inside containers. */
static void pre_value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			sbuf_putc(&w->out, ',');
		w->need_comma[w->depth] = true;
		newline(w);
	}
}

static void open(struct jsonw *w, char c)
{
	pre_value(w);
	sbuf_putc(&w->out, c);
	if (w->depth < 63)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close(struct jsonw *w, char c)
{
	bool had = w->need_comma[w->depth];

	w->depth--;
	if (had)
		newline(w);
	sbuf_putc(&w->out, c);
}

void jsonw_obj_begin(struct jsonw *w) { open(w, '{'); }
void jsonw_obj_end(struct jsonw *w) { close(w, '}'); }
void jsonw_arr_begin(struct jsonw *w) { open(w, '['); }
void jsonw_arr_end(struct jsonw *w) { close(w, ']'); }

static void put_string(struct sbuf *o, const char *s)
{
	sbuf_putc(o, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sbuf_puts(o, "\\\""); break;
		case '\\': sbuf_puts(o, "\\\\"); break;
		case '\n': sbuf_puts(o, "\\n"); break;
		case '\r': sbuf_puts(o, "\\r"); break;
		case '\t': sbuf_puts(o, "\\t"); break;
		case '\b': sbuf_puts(o, "\\b"); break;
		case '\f': sbuf_puts(o, "\\f"); break;
		default:
			if (*p < 0x20)
				sbuf_printf(o, "\\u%04x", *p);
			else
				sbuf_putc(o, (char)*p);
		}
	}
	sbuf_putc(o, '"');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	pre_value(w);
	put_string(&w->out, key);
	sbuf_puts(&w->out, w->pretty ? ": " : ":");
	w->after_key = true;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	pre_value(w);
	put_string(&w->out, s);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	pre_value(w);
	sbuf_printf(&w->out, "%lld", (long long)v);
}

void json_format_double(double v, char *buf, size_t len)
{
	/* Whole numbers print as integers ("100", not "1e+02"). */
	if (v == floor(v) && fabs(v) < 1e17) {
		snprintf(buf, len, "%.0f", v);
		if (!strcmp(buf, "-0"))
			snprintf(buf, len, "0");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

void jsonw_double(struct jsonw *w, double v)
{
	char buf[40];

	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	pre_value(w);
	json_format_double(v, buf, sizeof(buf));
	sbuf_puts(&w->out, buf);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	pre_value(w);
	sbuf_puts(&w->out, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	pre_value(w);
	sbuf_puts(&w->out, "null");
}

/* RFC 8259 number grammar. */
static bool is_json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

void jsonw_scalar(struct jsonw *w, const char *text)
{
	if (!text) {
		jsonw_null(w);
	} else if (is_json_number(text)) {
		pre_value(w);
		sbuf_puts(&w->out, text);
	} else if (!strcmp(text, "true") || !strcmp(text, "false")) {
		jsonw_bool(w, text[0] == 't');
	} else {
		jsonw_str(w, text);
	}
}

void jsonw_flush(struct jsonw *w, FILE *f)
{
	fputs(sbuf_str(&w->out), f);
	fputc('\n', f);
	sbuf_reset(&w->out);
}
