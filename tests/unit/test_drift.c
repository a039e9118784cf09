/* Unit tests: the drift statistics against values scipy 1.10 printed
 * (tests/drift/crosscheck.py checks whole reports against scipy at run
 * time), the CSV reader's edge cases, and cron lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlwb/drift.h"
#include "mlwb/monitor.h"
#include "mlwb/pipeline.h"
#include "mlwb/util.h"

static void assert_rel(double got, double want, double tol)
{
	if (want == got)
		return;
	double rel = fabs(got - want) / fmax(fabs(want), 1e-300);
	if (rel > tol) {
		print_error("got %.17g, want %.17g (relative error %.3g > %.3g)\n", got, want, rel, tol);
		fail();
	}
}

static void test_kstwo_every_region(void **state)
{
	/* scipy.stats.kstwo.sf(d, n): Ruben-Gambino, Durbin matrix, Pomeranz,
	 * Pelz-Good and 2 * smirnov regions */
	static const struct {
		double d;
		int64_t n;
		double p;
	} v[] = {
		{0.3, 10, 0.27053557479999946},
		{0.05, 100, 0.9532159710635725},
		{0.2, 100, 0.0005551927327988775},
		{0.5, 20, 3.787595240539032e-05},
		{0.02, 1000, 0.8108971656895577},
		{0.06, 1000, 0.001428597887952891},
		{0.004, 100000, 0.08130148920222469},
		{0.01, 100000, 4.093278023549254e-09},
		{0.002, 500000, 0.036582179671620585},
		{0.0035, 500000, 9.547663773768555e-06},
		{0.001, 500000, 0.6989801443663661},
		{0.9, 5, 1.9999999999999978e-05},
		{0.15, 3, 1.0},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
		assert_rel(stat_kstwo_sf(v[i].d, v[i].n), v[i].p, 1e-6);
}

static void test_smirnov_and_chi2(void **state)
{
	static const struct {
		int64_t n;
		double d, p;
	} sm[] = {
		{10, 0.3, 0.1354635556},
		{100, 0.1, 0.1265906584562817},
		{1000, 0.05, 0.006506037390545166},
		{5, 0.7, 0.002780000000000002},
		{200000, 0.003, 0.027269042228380603},
	};
	static const struct {
		double x, k, p;
	} ch[] = {
		{3.2, 2, 0.2018965179946554},
		{0.5, 1, 0.47950012218695337},
		{40.0, 10, 1.694474393006737e-05},
		{150.0, 99, 0.0007204453957169282},
		{2500.0, 1000, 2.1059268048474495e-129},
		{0.001, 4, 0.9999998750416589},
		{60.0, 3, 5.878230727906921e-13},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(sm) / sizeof(*sm); i++)
		assert_rel(stat_smirnov(sm[i].n, sm[i].d), sm[i].p, 1e-6);
	for (size_t i = 0; i < sizeof(ch) / sizeof(*ch); i++)
		assert_rel(stat_chi2_sf(ch[i].x, ch[i].k), ch[i].p, 1e-6);
	assert_true(stat_chi2_sf(INFINITY, 3) == 0);
	assert_rel(stat_ndtr(1.0), 0.8413447460685429, 1e-12);
}

/* ((i * m + off) % 1000) / 1000, sorted: the same arrays in Python */
static double *arr(size_t n, int m, int off)
{
	double *a = xmalloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++)
		a[i] = (double)(((long)i * m + off) % 1000) / 1000.0;
	stat_sort(a, n);
	return a;
}

static void test_ks_2samp_and_wasserstein(void **state)
{
	/* exact (equal and unequal sizes, ties), the 10000/10001 boundary
	 * between exact and asymptotic, a tiny p-value */
	static const struct {
		size_t n1;
		int m1, o1;
		size_t n2;
		int m2, o2;
		double d, p, w, std;
	} v[] = {
		{50, 37, 0, 50, 41, 100, 0.08, 0.9977109764909107, 0.022879999999999994, 0.2750531766768019},
		{40, 37, 0, 70, 41, 150, 0.21071428571428572, 0.18149409619235665, 0.10079999999999999, 0.2856908293942947},
		{300, 7, 0, 200, 13, 5, 0.07666666666666666, 0.4652958754312205, 0.030583333333333334, 0.29773464136150946},
		{100, 37, 0, 10000, 41, 3, 0.063, 0.8037698823021141, 0.021539999999999993, 0.28360051128303704},
		{100, 37, 0, 10001, 41, 3, 0.06296670332966703, 0.803820353792986, 0.021513354664533545, 0.28360051128303704},
		{20, 1, 0, 30, 3, 0, 0.7666666666666667, 2.2444627220255854e-07, 0.034, 0.005766281297335398},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
		double *a = arr(v[i].n1, v[i].m1, v[i].o1), *b = arr(v[i].n2, v[i].m2, v[i].o2), d;
		double p = stat_ks_2samp(a, v[i].n1, b, v[i].n2, &d);
		assert_rel(d, v[i].d, 1e-9);
		assert_rel(p, v[i].p, 1e-6);
		assert_rel(stat_wasserstein(a, v[i].n1, b, v[i].n2), v[i].w, 1e-9);
		assert_rel(stat_std(a, v[i].n1), v[i].std, 1e-9);
		free(a);
		free(b);
	}
	/* identical samples: D 0, p 1 */
	double *a = arr(30, 7, 0), d;
	assert_true(stat_ks_2samp(a, 30, a, 30, &d) == 1.0 && d == 0);
	free(a);
}

static void test_sturges_at_a_power_of_two(void **state)
{
	/* 1024 values over a range where numpy's ptp / (ptp / 11) rounds to
	 * 11.000000000000002: numpy makes 12 bins, not 11 */
	double ptp = 0.04513540621865597, *edges;
	double a[512], b[512];
	(void)state;
	for (int i = 0; i < 512; i++) {
		a[i] = ptp * i / 1023.0;
		b[i] = ptp * (i + 512) / 1023.0;
	}
	b[511] = ptp;
	size_t n = stat_sturges_edges(a, 512, b, 512, &edges);
	assert_int_equal(n, 12);
	assert_true(edges[0] == 0 && edges[12] == ptp);
	free(edges);
	/* 1000 values: log2(1000) + 1 = 10.97, 11 bins */
	n = stat_sturges_edges(a, 500, b, 500, &edges);
	assert_int_equal(n, 11);
	free(edges);
}

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/mlwb-test-csv-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_csv_reader(void **state)
{
	struct csv_table t;
	struct err err;
	(void)state;
	char *p = write_tmp("\xef\xbb\xbf" "a,b,c\r\n1,\"x, \"\"y\"\"\",2.5e1\r\n\r\n-3,\"two\nlines\",NA\r\n 7 ,z,inf\r\n");
	assert_int_equal(csv_read(p, &t, &err), 0);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.nrows, 3);
	assert_string_equal(t.cols[0].name, "a");
	assert_true(t.cols[0].numeric && t.cols[0].integer);
	assert_true(t.cols[0].num[0] == 1 && t.cols[0].num[1] == -3 && t.cols[0].num[2] == 7);
	assert_false(t.cols[1].numeric);
	assert_true(t.cols[2].numeric && !t.cols[2].integer);
	assert_true(t.cols[2].num[0] == 25 && isnan(t.cols[2].num[1]) && isinf(t.cols[2].num[2]));
	assert_int_equal(t.cols[2].missing, 1);
	csv_load_strings(&t, NULL);
	assert_string_equal(t.cols[1].str[0], "x, \"y\"");
	assert_string_equal(t.cols[1].str[1], "two\nlines");
	assert_string_equal(t.cols[0].str[2], " 7 ");
	csv_free(&t);
	unlink(p);
	free(p);

	/* pandas' parse of 17 digits (not the correctly rounded one) */
	p = write_tmp("x\n-3.6223720997793105\n0.1\n");
	assert_int_equal(csv_read(p, &t, &err), 0);
	assert_true(t.cols[0].num[0] == -3.6223720997793114);
	assert_true(t.cols[0].num[1] == 0.1);
	csv_free(&t);
	unlink(p);
	free(p);

	p = write_tmp("a,b\n1,2\n\"3,4\n");
	assert_int_equal(csv_read(p, &t, &err), -1);
	assert_int_equal(err.code, 2);
	assert_non_null(strstr(err.msg, ":3:1: unterminated quoted field"));
	unlink(p);
	free(p);
}

static void test_cron(void **state)
{
	struct cron c;
	struct err err;
	struct tm tm = {0};
	(void)state;
	assert_int_equal(cron_parse("*/15 9-17 * * mon-fri", &c, &err), 0);
	tm.tm_hour = 9, tm.tm_min = 45, tm.tm_mday = 26, tm.tm_mon = 10, tm.tm_wday = 4; /* Thu */
	assert_true(cron_matches(&c, &tm));
	tm.tm_min = 46;
	assert_false(cron_matches(&c, &tm));
	tm.tm_min = 0, tm.tm_wday = 0; /* Sunday */
	assert_false(cron_matches(&c, &tm));
	/* day of month or day of week when both are given */
	assert_int_equal(cron_parse("0 3 1,15 * 7", &c, &err), 0);
	tm.tm_hour = 3, tm.tm_min = 0, tm.tm_mday = 15, tm.tm_wday = 3;
	assert_true(cron_matches(&c, &tm));
	tm.tm_mday = 16, tm.tm_wday = 0;
	assert_true(cron_matches(&c, &tm));
	tm.tm_wday = 1;
	assert_false(cron_matches(&c, &tm));
	assert_int_equal(cron_parse("@daily", &c, &err), 0);
	assert_int_equal(cron_parse("0 3 * *", &c, &err), -1);
	assert_non_null(strstr(err.msg, "5 fields"));
	assert_int_equal(cron_parse("61 * * * *", &c, &err), -1);
	assert_non_null(strstr(err.msg, "outside 0-59"));
	assert_int_equal(cron_parse("0 0 * foo *", &c, &err), -1);
}

static void test_times(void **state)
{
	int64_t ms;
	(void)state;
	assert_true(monitor_parse_time("2026-11-26", &ms) && ms == 1795651200000LL);
	assert_true(monitor_parse_time("2026-11-26T10:30:00Z", &ms) && ms == 1795651200000LL + 37800000);
	assert_true(monitor_parse_time("2026-11-26 10:30:00+02:00", &ms) && ms == 1795651200000LL + 30600000);
	assert_true(monitor_parse_time("1795651200", &ms) && ms == 1795651200000LL);
	assert_false(monitor_parse_time("yesterday", &ms));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kstwo_every_region),
		cmocka_unit_test(test_smirnov_and_chi2),
		cmocka_unit_test(test_ks_2samp_and_wasserstein),
		cmocka_unit_test(test_sturges_at_a_power_of_two),
		cmocka_unit_test(test_csv_reader),
		cmocka_unit_test(test_cron),
		cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests_name("drift", tests, NULL, NULL);
}
