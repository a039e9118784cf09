/* Unit tests: the executor's scheduler, run in-process on queued DAGs.
 * Each test queues a run through the store, lets exec_serve work until it
 * is idle, and checks what the store recorded: order, parallelism within
 * the capacity, failure propagation, retries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/exec.h"
#include "mlwb/store.h"
#include "mlwb/util.h"

static char dir[] = "/tmp/mlwb-test-exec-XXXXXX";
static struct project proj;

static int setup(void **state)
{
	struct err err;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	project_at(dir, &proj);
	return project_make_dirs(&proj, &err);
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	project_free(&proj);
	return rc;
}

struct spec_task {
	const char *name, *cmd;
	size_t up[4];
	size_t n_up;
	int attempts;
	double cpu;
};

static int64_t queue(const struct spec_task *ts, size_t n)
{
	struct store *st;
	struct err err;
	struct task_new tn[16];
	struct run_new rn = {0};
	int64_t id;

	assert_int_equal(store_open(proj.db, STORE_CREATE, &st, &err), 0);
	memset(tn, 0, sizeof(tn));
	for (size_t i = 0; i < n; i++) {
		tn[i].name = ts[i].name;
		tn[i].cmd = ts[i].cmd;
		tn[i].max_attempts = ts[i].attempts ? ts[i].attempts : 1;
		tn[i].cpu = ts[i].cpu ? ts[i].cpu : 1;
		tn[i].up = ts[i].up;
		tn[i].n_up = ts[i].n_up;
	}
	rn.pipeline = "p";
	rn.git_dirty = -1;
	assert_int_equal(store_run_enqueue(st, &rn, tn, n, &id, &err), 0);
	store_close(st);
	return id;
}

static void serve(double cpus)
{
	struct exec_config c;
	struct err err;

	exec_config_default(&c);
	c.cpu = cpus;
	c.idle_ms = 300;
	c.backoff_ms = 50;
	c.grace_ms = 500;
	c.foreground = false;
	assert_int_equal(exec_serve(&proj, &c, 0, &err), 0);
	exec_config_free(&c);
}

static struct task_info *tasks_of(int64_t run, size_t *n)
{
	struct store *st;
	struct err err;
	struct task_info *v;

	assert_int_equal(store_open(proj.db, 0, &st, &err), 0);
	assert_int_equal(store_task_list(st, run, &v, n, &err), 0);
	store_close(st);
	return v;
}

static const struct task_info *by_name(const struct task_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	fail_msg("no task %s", name);
	return NULL;
}

static char *run_status(int64_t run)
{
	struct store *st;
	struct err err;
	char buf[32];

	assert_int_equal(store_open(proj.db, 0, &st, &err), 0);
	assert_int_equal(store_run_status(st, run, buf, sizeof(buf), &err), 0);
	store_close(st);
	return xstrdup(buf);
}

static void test_diamond_order_and_capacity(void **state)
{
	(void)state;
	/* a -> (b, c, d) -> e; b, c, d sleep so that overlap is visible. */
	struct spec_task ts[] = {
		{"a", "true", {0}, 0, 0, 0},
		{"b", "sleep 0.3", {0}, 1, 0, 0},
		{"c", "sleep 0.3", {0}, 1, 0, 0},
		{"d", "sleep 0.3", {0}, 1, 0, 0},
		{"e", "true", {1, 2, 3}, 3, 0, 0},
	};
	int64_t run = queue(ts, 5);
	serve(2);
	size_t n;
	struct task_info *v = tasks_of(run, &n);
	const struct task_info *a = by_name(v, n, "a"), *e = by_name(v, n, "e");
	const struct task_info *mid[3] = {by_name(v, n, "b"), by_name(v, n, "c"), by_name(v, n, "d")};
	for (int i = 0; i < 3; i++) {
		assert_string_equal(mid[i]->status, "succeeded");
		assert_true(mid[i]->started >= a->finished);
		assert_true(e->started >= mid[i]->finished);
	}
	/* With 2 CPUs, never three of b, c, d at once, but two at some point. */
	int most = 0;
	for (int i = 0; i < 3; i++) {
		int at = 0;
		for (int j = 0; j < 3; j++)
			at += mid[j]->started <= mid[i]->started && mid[j]->finished > mid[i]->started;
		if (at > most)
			most = at;
	}
	assert_int_equal(most, 2);
	char *s = run_status(run);
	assert_string_equal(s, "succeeded");
	free(s);
	store_task_list_free(v, n);
}

static void test_failure_propagates(void **state)
{
	(void)state;
	struct spec_task ts[] = {
		{"a", "exit 4", {0}, 0, 0, 0},
		{"b", "true", {0}, 1, 0, 0},
		{"c", "true", {1}, 1, 0, 0},
		{"other", "true", {0}, 0, 0, 0},
	};
	int64_t run = queue(ts, 4);
	serve(2);
	size_t n;
	struct task_info *v = tasks_of(run, &n);
	assert_string_equal(by_name(v, n, "a")->status, "failed");
	assert_int_equal(by_name(v, n, "a")->exit_code, 4);
	assert_string_equal(by_name(v, n, "b")->status, "upstream_failed");
	assert_string_equal(by_name(v, n, "c")->status, "upstream_failed");
	assert_string_equal(by_name(v, n, "other")->status, "succeeded");
	assert_int_equal(by_name(v, n, "b")->attempts, 0);
	char *s = run_status(run);
	assert_string_equal(s, "failed");
	free(s);
	store_task_list_free(v, n);
}

static void test_retries_then_success(void **state)
{
	(void)state;
	/* fails until its third attempt */
	struct spec_task ts[] = {
		{"flaky", "[ \"$MLWB_ATTEMPT\" -ge 3 ]", {0}, 0, 3, 0},
		{"never", "exit 1", {0}, 0, 2, 0},
	};
	int64_t run = queue(ts, 2);
	serve(2);
	size_t n;
	struct task_info *v = tasks_of(run, &n);
	assert_string_equal(by_name(v, n, "flaky")->status, "succeeded");
	assert_int_equal(by_name(v, n, "flaky")->attempts, 3);
	assert_string_equal(by_name(v, n, "never")->status, "failed");
	assert_int_equal(by_name(v, n, "never")->attempts, 2);
	store_task_list_free(v, n);
}

static void test_big_task_runs_alone(void **state)
{
	(void)state;
	/* asks for more than the machine: clamped, so it runs, alone */
	struct spec_task ts[] = {
		{"big", "sleep 0.2", {0}, 0, 0, 64},
		{"small", "sleep 0.2", {0}, 0, 0, 1},
	};
	int64_t run = queue(ts, 2);
	serve(2);
	size_t n;
	struct task_info *v = tasks_of(run, &n);
	const struct task_info *b = by_name(v, n, "big"), *s = by_name(v, n, "small");
	assert_string_equal(b->status, "succeeded");
	assert_string_equal(s->status, "succeeded");
	assert_true(s->started >= b->finished || b->started >= s->finished);
	store_task_list_free(v, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diamond_order_and_capacity),
		cmocka_unit_test(test_failure_propagates),
		cmocka_unit_test(test_retries_then_success),
		cmocka_unit_test(test_big_task_runs_alone),
	};
	return cmocka_run_group_tests_name("exec", tests, setup, teardown);
}
