/* Unit tests: the SQLite store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mlwb/store.h"
#include "mlwb/util.h"

static char dir[] = "/tmp/mlwb-test-store-XXXXXX";
static char *db;

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	db = path_join(dir, "mlwb.db");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	free(db);
	return rc;
}

static struct store *open_db(void)
{
	struct store *st;
	struct err err;

	if (store_open(db, STORE_CREATE, &st, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	return st;
}

static int64_t new_run(struct store *st, const char *exp, const char *lr)
{
	struct kv params[] = {{"seed", "7"}, {"train.lr", (char *)lr}};
	struct run_new rn = {0};
	struct err err;
	int64_t id;

	rn.experiment = exp;
	rn.pipeline = "train";
	rn.user = "alice";
	rn.host = "box";
	rn.git_dirty = -1;
	rn.params = params;
	rn.n_params = 2;
	if (store_run_create(st, &rn, &id, &err) < 0)
		fail_msg("store_run_create: %s", err.msg);
	return id;
}

static void test_open_wal_and_version(void **state)
{
	(void)state;
	struct store *st = open_db();
	char *mode = store_journal_mode(st);
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	st = open_db(); /* opening again migrates nothing and works */
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
}

static void test_newer_database_refused(void **state)
{
	(void)state;
	char *path = path_join(dir, "newer.db");
	sqlite3 *raw;
	struct store *st;
	struct err err;

	assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "CREATE TABLE future(x); PRAGMA user_version = 99;", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(raw);
	char *before, *after;
	size_t nb, na;
	assert_int_equal(file_read_all(path, &before, &nb, &err), 0);
	assert_int_equal(store_open(path, STORE_CREATE, &st, &err), -1);
	assert_int_equal(err.code, 2);
	assert_non_null(strstr(err.msg, "newer mlwb"));
	assert_non_null(strstr(err.msg, "schema version 99"));
	assert_int_equal(file_read_all(path, &after, &na, &err), 0);
	assert_int_equal(nb, na);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);

	/* Not a database at all: */
	char *junk = path_join(dir, "junk.db");
	assert_int_equal(file_write_atomic(junk, "this is not sqlite, just text that is long enough to look like a header........", 80, &err), 0);
	assert_int_equal(store_open(junk, STORE_CREATE, &st, &err), -1);
	assert_int_equal(err.code, 2);
	assert_non_null(strstr(err.msg, "not an mlwb database"));
	free(junk);
	free(path);
}

static void test_runs(void **state)
{
	(void)state;
	struct store *st = open_db();
	struct err err;
	int64_t a = new_run(st, NULL, "0.1");
	int64_t b = new_run(st, "tuning", "0.5");
	int64_t c = new_run(st, "tuning", "0.01");
	assert_true(a < b && b < c);

	struct metric_point pa = {"auc", 0, 0.7, 0, 0};
	struct metric_point pb = {"auc", 0, 0.9, 0, 0};
	assert_int_equal(store_metrics_append(st, a, &pa, 1, &err), 0);
	assert_int_equal(store_metrics_append(st, b, &pb, 1, &err), 0);

	struct run_query q = {0};
	struct run_list l;
	q.with_details = true;
	assert_int_equal(store_run_list(st, &q, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].id, c); /* newest first */
	assert_string_equal(l.v[0].experiment, "tuning");
	assert_string_equal(l.v[2].experiment, "train"); /* default: the pipeline */
	assert_string_equal(l.v[2].status, "queued");
	assert_string_equal(l.v[2].trigger, "manual");
	assert_int_equal(l.v[2].n_params, 2);
	assert_string_equal(l.v[2].params[1].name, "train.lr");
	assert_string_equal(l.v[2].params[1].value, "0.1");
	assert_int_equal(l.v[2].git_dirty, -1);
	store_run_list_free(&l);

	/* Sorted by a metric: best first, runs without it last either way. */
	q.sort = "metrics.auc";
	assert_int_equal(store_run_list(st, &q, &l, &err), 0);
	assert_int_equal(l.v[0].id, b);
	assert_int_equal(l.v[1].id, a);
	assert_int_equal(l.v[2].id, c);
	store_run_list_free(&l);
	q.ascending = true;
	assert_int_equal(store_run_list(st, &q, &l, &err), 0);
	assert_int_equal(l.v[0].id, a);
	assert_int_equal(l.v[2].id, c);
	store_run_list_free(&l);

	q.sort = "params.train.lr"; /* numeric order, not text order */
	assert_int_equal(store_run_list(st, &q, &l, &err), 0);
	assert_int_equal(l.v[0].id, c);
	assert_int_equal(l.v[1].id, a);
	assert_int_equal(l.v[2].id, b);
	store_run_list_free(&l);

	q.sort = "nonsense";
	assert_int_equal(store_run_list(st, &q, &l, &err), -1);
	assert_non_null(strstr(err.msg, "cannot sort by"));

	memset(&q, 0, sizeof(q));
	q.experiment = "tuning";
	assert_int_equal(store_run_list(st, &q, &l, &err), 0);
	assert_int_equal(l.n, 2);
	store_run_list_free(&l);

	struct run_info ri;
	assert_int_equal(store_run_get(st, b, &ri, &err), 0);
	assert_int_equal(ri.n_metrics, 1);
	assert_true(ri.metrics[0].last == 0.9);
	store_run_info_free(&ri);
	assert_int_equal(store_run_get(st, 999, &ri, &err), -1);
	assert_int_equal(err.code, 2);

	assert_int_equal(store_run_set_status(st, a, "running", &err), 0);
	assert_int_equal(store_run_set_status(st, a, "bogus", &err), -1); /* CHECK constraint */
	store_close(st);
}

static void test_metrics(void **state)
{
	(void)state;
	struct store *st = open_db();
	struct err err;
	int64_t r = new_run(st, "metrics", "0.1");
	struct metric_point pts[6] = {
		{"loss", STORE_STEP_AUTO, 0.9, 1000, 0},
		{"loss", STORE_STEP_AUTO, 0.5, 2000, 0},
		{"loss", 5, 0.4, 3000, 0},
		{"loss", STORE_STEP_AUTO, 0.3, 4000, 0},
		{"loss", 5, 0.45, 5000, 0},  /* step 5 again: kept, after the first */
		{"loss", 1, NAN, 6000, 0},   /* NaN: stored, not in min/max */
	};
	assert_int_equal(store_metrics_append(st, r, pts, 6, &err), 0);

	struct metric_series s;
	assert_int_equal(store_metric_history(st, r, "loss", &s, &err), 0);
	assert_int_equal(s.n, 6);
	int64_t steps[] = {0, 1, 1, 5, 5, 6};
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(s.step[i], steps[i]);
	assert_true(s.value[1] == 0.5);
	assert_true(isnan(s.value[2]));
	assert_true(s.value[3] == 0.4 && s.value[4] == 0.45);
	assert_int_equal(s.time[5], 4000);
	store_metric_series_free(&s);

	struct run_info ri;
	assert_int_equal(store_run_get(st, r, &ri, &err), 0);
	assert_int_equal(ri.n_metrics, 1);
	assert_int_equal(ri.metrics[0].count, 6);
	assert_true(ri.metrics[0].min == 0.3);
	assert_true(ri.metrics[0].max == 0.9);
	assert_true(ri.metrics[0].last == 0.3); /* the largest step */
	assert_int_equal(ri.metrics[0].last_step, 6);
	store_run_info_free(&ri);

	/* A rolled-back batch leaves no trace, in the table or the summary. */
	assert_int_equal(store_begin(st, &err), 0);
	struct metric_point extra = {"acc", 0, 1.0, 0, 0};
	assert_int_equal(store_metrics_append(st, r, &extra, 1, &err), 0);
	store_rollback(st);
	struct metric_point more = {"loss", STORE_STEP_AUTO, 0.2, 0, 0};
	assert_int_equal(store_metrics_append(st, r, &more, 1, &err), 0);
	store_close(st);

	/* A new process (here: a new handle) continues the series correctly. */
	st = open_db();
	assert_int_equal(store_metrics_append(st, r, &more, 1, &err), 0);
	assert_int_equal(store_metric_history(st, r, "loss", &s, &err), 0);
	assert_int_equal(s.n, 8);
	assert_int_equal(s.step[6], 7);
	assert_int_equal(s.step[7], 8);
	store_metric_series_free(&s);
	char **names;
	size_t n;
	assert_int_equal(store_metric_names(st, r, &names, &n, &err), 0);
	assert_int_equal(n, 1); /* "acc" was rolled back */
	assert_string_equal(names[0], "loss");
	store_names_free(names, n);
	assert_int_equal(store_run_get(st, r, &ri, &err), 0);
	assert_int_equal(ri.metrics[0].count, 8);
	assert_true(ri.metrics[0].min == 0.2);
	store_run_info_free(&ri);
	assert_int_equal(store_metric_history(st, r, "unknown", &s, &err), 0);
	assert_int_equal(s.n, 0);
	store_metric_series_free(&s);
	store_close(st);
}

/* Eight writers at once: every point lands, none sees "database is locked". */
static void test_concurrent_writers(void **state)
{
	(void)state;
	struct store *st = open_db();
	int64_t runs[8];
	for (int i = 0; i < 8; i++)
		runs[i] = new_run(st, "parallel", "0.1");
	store_close(st);

	pid_t pids[8];
	for (int i = 0; i < 8; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct store *cs;
			struct err err;
			struct metric_point batch[250];
			if (store_open(db, 0, &cs, &err) < 0)
				_exit(3);
			for (int b = 0; b < 20; b++) {
				for (int k = 0; k < 250; k++) {
					batch[k].name = k % 2 ? "loss" : "acc";
					batch[k].step = b * 125 + k / 2;
					batch[k].value = k;
					batch[k].time = 0;
					batch[k].task_id = 0;
				}
				if (store_metrics_append(cs, runs[i], batch, 250, &err) < 0) {
					fprintf(stderr, "writer %d: %s\n", i, err.msg);
					_exit(4);
				}
			}
			store_close(cs);
			_exit(0);
		}
	}
	for (int i = 0; i < 8; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	st = open_db();
	for (int i = 0; i < 8; i++) {
		struct run_info ri;
		struct err err;
		assert_int_equal(store_run_get(st, runs[i], &ri, &err), 0);
		assert_int_equal(ri.n_metrics, 2);
		assert_int_equal(ri.metrics[0].count + ri.metrics[1].count, 5000);
		store_run_info_free(&ri);
	}
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_wal_and_version),
		cmocka_unit_test(test_newer_database_refused),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_concurrent_writers),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
