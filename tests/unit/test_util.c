/* Unit tests: strings, paths, durations, sizes, JSON numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/jsonw.h"
#include "mlwb/pipeline.h"
#include "mlwb/util.h"

static void check_quote(const char *in, const char *want)
{
	struct sbuf sb;

	sbuf_init(&sb);
	str_shell_quote(&sb, in);
	assert_string_equal(sbuf_str(&sb), want);
	sbuf_free(&sb);
}

static void test_shell_quote(void **state)
{
	(void)state;
	/* The same answers as Python's shlex.quote. */
	check_quote("0.1", "0.1");
	check_quote("data/train.csv", "data/train.csv");
	check_quote("a=b,c:d@e%f+g-h_i", "a=b,c:d@e%f+g-h_i");
	check_quote("", "''");
	check_quote("two words", "'two words'");
	check_quote("x; rm -rf /", "'x; rm -rf /'");
	check_quote("it's", "'it'\"'\"'s'");
	check_quote("$(reboot)", "'$(reboot)'");
	check_quote("`id`", "'`id`'");
	check_quote("a\nb", "'a\nb'");
	check_quote("caf\xc3\xa9", "'caf\xc3\xa9'"); /* non-ASCII is quoted, as shlex does */
	check_quote("*", "'*'");
}

static void check_norm(const char *in, const char *want)
{
	char *got = path_normalize(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_paths(void **state)
{
	(void)state;
	check_norm("./data/x.csv", "data/x.csv");
	check_norm("data//x.csv", "data/x.csv");
	check_norm("data/", "data");
	check_norm("a/b/../c", "a/c");
	check_norm("../x", "../x");
	check_norm("/abs/./p", "/abs/p");
	check_norm(".", ".");
	check_norm("a/..", ".");
	assert_true(path_is_within("data", "data/x.csv"));
	assert_true(path_is_within("data", "data"));
	assert_false(path_is_within("data", "database.csv"));
	assert_false(path_is_within("data/x.csv", "data"));
	char *j = path_join("a/", "b");
	assert_string_equal(j, "a/b");
	free(j);
}

static void test_durations(void **state)
{
	int64_t ms;

	(void)state;
	assert_true(pipeline_parse_duration("90", &ms));
	assert_int_equal(ms, 90000);
	assert_true(pipeline_parse_duration("30s", &ms));
	assert_int_equal(ms, 30000);
	assert_true(pipeline_parse_duration("10m", &ms));
	assert_int_equal(ms, 600000);
	assert_true(pipeline_parse_duration("1h30m", &ms));
	assert_int_equal(ms, 5400000);
	assert_true(pipeline_parse_duration("1.5s", &ms));
	assert_int_equal(ms, 1500);
	assert_true(pipeline_parse_duration("2d", &ms));
	assert_int_equal(ms, 172800000);
	assert_false(pipeline_parse_duration("", &ms));
	assert_false(pipeline_parse_duration("ten", &ms));
	assert_false(pipeline_parse_duration("10 minutes", &ms));
	assert_false(pipeline_parse_duration("-5s", &ms));
	assert_false(pipeline_parse_duration("1h30", &ms));
	assert_false(pipeline_parse_duration("5y", &ms));
}

static void test_sizes(void **state)
{
	int64_t b;

	(void)state;
	assert_true(pipeline_parse_size("512", &b));
	assert_int_equal(b, 512);
	assert_true(pipeline_parse_size("100K", &b));
	assert_int_equal(b, 102400);
	assert_true(pipeline_parse_size("1G", &b));
	assert_int_equal(b, 1073741824);
	assert_true(pipeline_parse_size("1.5G", &b));
	assert_int_equal(b, 1610612736);
	assert_true(pipeline_parse_size("2GiB", &b));
	assert_int_equal(b, 2147483648);
	assert_true(pipeline_parse_size("512MB", &b));
	assert_int_equal(b, 536870912);
	assert_true(pipeline_parse_size("64b", &b));
	assert_int_equal(b, 64);
	assert_false(pipeline_parse_size("lots", &b));
	assert_false(pipeline_parse_size("1X", &b));
	assert_false(pipeline_parse_size("1Gx", &b));
	assert_false(pipeline_parse_size("-1G", &b));
}

static void test_json_numbers(void **state)
{
	char buf[40];

	(void)state;
	json_format_double(0.1, buf, sizeof(buf));
	assert_string_equal(buf, "0.1");
	json_format_double(1.0 / 3.0, buf, sizeof(buf));
	assert_true(strtod(buf, NULL) == 1.0 / 3.0);
	json_format_double(100, buf, sizeof(buf));
	assert_string_equal(buf, "100");
	json_format_double(1e-300, buf, sizeof(buf));
	assert_string_equal(buf, "1e-300");

	struct jsonw w;
	jsonw_init(&w, false);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "a");
	jsonw_double(&w, INFINITY);
	jsonw_key(&w, "b\"");
	jsonw_str(&w, "x\n\x01");
	jsonw_key(&w, "c");
	jsonw_arr_begin(&w);
	jsonw_scalar(&w, "0.50");
	jsonw_scalar(&w, "007");
	jsonw_scalar(&w, "true");
	jsonw_scalar(&w, "1e5");
	jsonw_arr_end(&w);
	jsonw_key(&w, "d");
	jsonw_obj_begin(&w);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	assert_string_equal(sbuf_str(&w.out),
			    "{\"a\":null,\"b\\\"\":\"x\\n\\u0001\",\"c\":[0.50,\"007\",true,1e5],\"d\":{}}");
	jsonw_free(&w);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(str_edit_distance("prepare", "prepar"), 1);
	assert_int_equal(str_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(str_edit_distance("", "abc"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_edit_distance),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
