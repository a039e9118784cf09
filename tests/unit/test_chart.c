/* Unit tests: ticks, smoothing, reduction and the braille rasteriser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/chart.h"
#include "mlwb/util.h"

static void test_ticks(void **state)
{
	double t[16], step;
	size_t n;
	char buf[32];

	(void)state;
	n = chart_ticks(0, 1, 6, t, &step);
	assert_int_equal(n, 6);
	assert_true(fabs(step - 0.2) < 1e-12);
	assert_true(t[0] == 0 && fabs(t[5] - 1) < 1e-12);
	n = chart_ticks(0.31, 0.97, 5, t, &step);
	assert_true(fabs(step - 0.2) < 1e-12);
	assert_int_equal(n, 3); /* 0.4 0.6 0.8 */
	assert_true(fabs(t[0] - 0.4) < 1e-12);
	n = chart_ticks(-3, 1234, 5, t, &step);
	assert_true(step == 500);
	assert_true(t[0] == 0 && t[n - 1] == 1000);
	n = chart_ticks(5, 5, 5, t, &step); /* a flat series still gets an axis */
	assert_true(n >= 2);
	chart_tick_label(0.25, 0.05, buf, sizeof(buf));
	assert_string_equal(buf, "0.25");
	chart_tick_label(1000, 500, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
	chart_tick_label(2e7, 1e7, buf, sizeof(buf));
	assert_string_equal(buf, "2e+07");
}

static void test_ema(void **state)
{
	double v[] = {1, 0, NAN, 0, 5, 5};
	double out[6];

	(void)state;
	chart_ema(v, 6, 0.5, out);
	assert_true(fabs(out[0] - 1) < 1e-12);        /* debiased: the first point itself */
	assert_true(fabs(out[1] - 1.0 / 3) < 1e-12);  /* 0.25 / 0.75 */
	assert_true(isnan(out[2]));                   /* passed through, skipped */
	assert_true(fabs(out[3] - 0.125 / 0.875) < 1e-12);
	double c[50], s[50];
	for (int i = 0; i < 50; i++)
		c[i] = 3;
	chart_ema(c, 50, 0.9, s);
	for (int i = 0; i < 50; i++)
		assert_true(fabs(s[i] - 3) < 1e-9); /* no pull towards 0 at the start */
	chart_ema(v, 2, 0, out);
	assert_true(out[0] == 1 && out[1] == 0);
}

static void test_spike_survives_reduction(void **state)
{
	size_t n = 1000000;
	double *x = xmalloc(n * sizeof(*x)), *y = xmalloc(n * sizeof(*y));
	double lo[200], hi[200];
	bool has[200];

	(void)state;
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)i;
		y[i] = 0;
	}
	y[654321] = 100;
	chart_reduce(x, y, n, 0, (double)n - 1, 200, lo, hi, has);
	int spikes = 0;
	for (int c = 0; c < 200; c++) {
		assert_true(has[c]);
		spikes += hi[c] == 100;
	}
	assert_int_equal(spikes, 1);
	/* and drawn: the column of the spike reaches the top row */
	struct braille b;
	braille_init(&b, 100, 25);
	chart_plot(&b, x, y, n, 0, (double)n - 1, 0, 100, false);
	int top = 0;
	for (int c = 0; c < 100; c++)
		top += braille_used(&b, c, 0);
	assert_int_equal(top, 1);
	braille_free(&b);
	free(x);
	free(y);
}

static void test_braille_glyphs(void **state)
{
	struct braille b;
	char row[64];

	(void)state;
	braille_init(&b, 3, 1);
	braille_dot(&b, 0, 0); /* dot 1 */
	braille_dot(&b, 3, 3); /* cell 1, dot 8 */
	braille_row(&b, 0, row);
	assert_string_equal(row, "\u2801\u2880 ");
	braille_clear(&b);
	braille_line(&b, 0, 3, 5, 0); /* a rising diagonal across three cells */
	braille_row(&b, 0, row);
	assert_string_equal(row, "\u2860\u2814\u280a");
	braille_clear(&b);
	braille_line(&b, 0, 0, 5, 0); /* a flat line along the top */
	braille_row(&b, 0, row);
	assert_string_equal(row, "\u2809\u2809\u2809");
	braille_dot(&b, -1, 0); /* outside: ignored */
	braille_dot(&b, 6, 0);
	braille_free(&b);
}

static void test_direction(void **state)
{
	(void)state;
	assert_true(chart_lower_is_better("loss"));
	assert_true(chart_lower_is_better("val_loss"));
	assert_true(chart_lower_is_better("error_rate"));
	assert_false(chart_lower_is_better("auc"));
	assert_false(chart_lower_is_better("accuracy"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_ema),
		cmocka_unit_test(test_spike_survives_reduction),
		cmocka_unit_test(test_braille_glyphs),
		cmocka_unit_test(test_direction),
	};
	return cmocka_run_group_tests_name("chart", tests, NULL, NULL);
}
