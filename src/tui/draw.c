/* draw.c - text, glyphs, symbols and sparklines, UTF-8 or ASCII. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mlwb/chart.h"
#include "tui.h"

static const char *const glyphs_utf8[G_COUNT] = {"─", "│", "┌", "┐", "└", "┘", "├", "┤", "→", "·", "▌", "…"};
static const char *const glyphs_ascii[G_COUNT] = {"-", "|", "+", "+", "+", "+", "+", "+", ">", ".", "*", "~"};

const char *ui_glyph(struct app *a, enum glyph g)
{
	return a->utf8 ? glyphs_utf8[g] : glyphs_ascii[g];
}

int ui_width(const char *s)
{
	return (int)str_display_width(s);
}

int ui_put(struct app *a, int y, int x, int w, enum role r, const char *s)
{
	mbstate_t st;
	int used = 0;

	if (x < 0 || x >= a->cols || y < 0 || y >= a->rows)
		return 0;
	if (w > a->cols - x)
		w = a->cols - x;
	if (w <= 0)
		return 0;
	attrset(a->attr[r]);
	move(y, x);
	memset(&st, 0, sizeof(st));
	int total = ui_width(s);
	int limit = total > w ? w - 1 : w; /* room for the ellipsis */
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* junk byte (binary in a log): show it as '?' */
			memset(&st, 0, sizeof(st));
			wc = L'?';
			n = 1;
		}
		if (wc < 32 || wc == 127)
			wc = wc == '\t' ? L' ' : L'?';
		int cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > limit)
			break;
		addnwstr(&wc, 1);
		used += cw;
		s += n;
	}
	if (total > w && w > 0) {
		addstr(ui_glyph(a, G_ELLIPSIS));
		used++;
	}
	return used;
}

int ui_putf(struct app *a, int y, int x, int w, enum role r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	int n = ui_put(a, y, x, w, r, s);
	free(s);
	return n;
}

void ui_fill(struct app *a, int y, int x, int w, enum role r)
{
	if (y < 0 || y >= a->rows)
		return;
	attrset(a->attr[r]);
	mvhline(y, x, ' ', w);
}

enum role ui_state_role(const char *s)
{
	if (!s)
		return R_NORMAL;
	if (!strcmp(s, "succeeded"))
		return R_SUCCEEDED;
	if (!strcmp(s, "failed") || !strcmp(s, "upstream_failed"))
		return R_FAILED;
	if (!strcmp(s, "running") || !strcmp(s, "retrying"))
		return R_RUNNING;
	if (!strcmp(s, "cancelled"))
		return R_CANCELLED;
	if (!strcmp(s, "cached"))
		return R_CACHED;
	return R_QUEUED;
}

const char *ui_state_symbol(struct app *a, const char *s)
{
	static const struct {
		const char *state, *utf8, *ascii;
	} sym[] = {
		{"succeeded", "✓", "+"}, {"failed", "✗", "x"}, {"upstream_failed", "⊘", "^"},
		{"running", "●", "*"},   {"retrying", "↻", "r"}, {"cancelled", "■", "-"},
		{"cached", "↺", "c"},    {"queued", "○", "."},  {"pending", "○", "."},
	};
	for (size_t i = 0; s && i < sizeof(sym) / sizeof(sym[0]); i++)
		if (!strcmp(s, sym[i].state))
			return a->utf8 ? sym[i].utf8 : sym[i].ascii;
	return "?";
}

char *ui_sparkline(struct app *a, const double *v, size_t n, int w)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	static const char ascii[] = "_.-=+*#@";
	struct sbuf sb;
	double lo = INFINITY, hi = -INFINITY;

	sbuf_init(&sb);
	if (!n || w <= 0)
		return sbuf_detach(&sb);
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	size_t cells = n < (size_t)w ? n : (size_t)w;
	for (size_t c = 0; c < cells; c++) {
		/* each cell shows the mean of its share of the points */
		size_t from = c * n / cells, to = (c + 1) * n / cells;
		double sum = 0;
		size_t k = 0;
		for (size_t i = from; i < to; i++)
			if (isfinite(v[i])) {
				sum += v[i];
				k++;
			}
		int level = 0;
		if (k && hi > lo)
			level = (int)((sum / (double)k - lo) / (hi - lo) * 7.0 + 0.5);
		if (!k) {
			sbuf_puts(&sb, " ");
			continue;
		}
		if (a->utf8)
			sbuf_puts(&sb, bars[level]);
		else
			sbuf_putc(&sb, ascii[level]);
	}
	return sbuf_detach(&sb);
}

void ui_format_number(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "nan");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "inf" : "-inf");
	else if (v != 0 && (fabs(v) >= 1e6 || fabs(v) < 1e-3))
		snprintf(buf, len, "%.3e", v);
	else
		snprintf(buf, len, "%.4g", v);
}

bool ui_list_nav(enum action act, int *sel, int n, int page)
{
	switch (act) {
	case ACT_UP: (*sel)--; break;
	case ACT_DOWN: (*sel)++; break;
	case ACT_PAGE_UP: *sel -= page; break;
	case ACT_PAGE_DOWN: *sel += page; break;
	case ACT_HOME: *sel = 0; break;
	case ACT_END: *sel = n - 1; break;
	default: return false;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	return true;
}

/* How dots become characters: braille (2x4 dots a cell), half blocks (for
 * fonts without braille: MLWB_CHART=block), or '*' without UTF-8. */
void ui_canvas(struct app *a, const struct braille *b, int y, int x, enum role r)
{
	char row[3 * 512 + 1];
	const char *style = getenv("MLWB_CHART");
	bool block = a->utf8 && style && !strcmp(style, "block");

	for (int rr = 0; rr < b->h; rr++) {
		if (block) {
			for (int cc = 0; cc < b->w; cc++) {
				unsigned char m = b->cells[rr * b->w + cc];
				bool top = m & (0x01 | 0x08 | 0x02 | 0x10), bottom = m & (0x04 | 0x20 | 0x40 | 0x80);
				if (top || bottom)
					ui_put(a, y + rr, x + cc, 1, r, top && bottom ? "█" : top ? "▀" : "▄");
			}
		} else if (a->utf8) {
			braille_row(b, rr, row);
			/* print cell by cell: blanks must not erase other series */
			const char *p = row;
			for (int cc = 0; cc < b->w; cc++) {
				if (*p == ' ') {
					p++;
					continue;
				}
				char cell[4] = {p[0], p[1], p[2], 0};
				ui_put(a, y + rr, x + cc, 1, r, cell);
				p += 3;
			}
		} else {
			for (int cc = 0; cc < b->w; cc++)
				if (braille_used(b, cc, rr))
					ui_put(a, y + rr, x + cc, 1, r, "*");
		}
	}
}
