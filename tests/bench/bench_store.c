/* bench_store - the metadata store at a team's scale.
 *
 * Builds a database of 10,000 runs and 10,000,000 metric points through the
 * store's own API, then measures what the issue asks for:
 *   - listing all runs sorted by a metric (with params and metric summaries)
 *   - one run's full history of a metric
 *   - bytes on disk per metric point
 * The peer, in the same run: MLflow's SQLite schema (its `metrics` and
 * `latest_metrics` tables as MLflow's migrations create them), loaded with
 * the same points, measured with the queries MLflow's store issues.
 *
 * usage: bench_store [DIR] [RUNS] [POINTS_PER_RUN]
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mlwb/store.h"
#include "mlwb/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, msg);
	exit(1);
}

static int64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* Bytes used by one table and its indexes, from the dbstat virtual table. */
static int64_t table_bytes(sqlite3 *db, const char *like)
{
	sqlite3_stmt *s;
	int64_t n = -1;
	char *sql = xasprintf("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%s'", like);

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	free(sql);
	return n;
}

static const char *const metric_names[] = {"loss", "val_loss", "acc", "auc"};
/* points per run of each metric, out of POINTS_PER_RUN */
static const double metric_share[] = {0.4, 0.4, 0.1, 0.1};

static double value_of(int run, int m, int step)
{
	return 1.0 / (1.0 + 0.01 * step) + 0.001 * ((run * 7 + m * 13 + step) % 97);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp/mlwb-bench-store";
	int runs = argc > 2 ? atoi(argv[2]) : 10000;
	int per_run = argc > 3 ? atoi(argv[3]) : 1000;
	struct err err;
	struct store *st;
	char *cmd = xasprintf("rm -rf '%s' && mkdir -p '%s'", dir, dir);
	char *db = path_join(dir, "mlwb.db"), *mf = path_join(dir, "mlflow.db");
	int64_t total_points = 0;

	if (system(cmd) != 0)
		die("mkdir", dir);
	free(cmd);
	if (store_open(db, STORE_CREATE, &st, &err) < 0)
		die("open", err.msg);

	/* ---- load ---- */
	double t0 = time_mono();
	int64_t *ids = xcalloc((size_t)runs, sizeof(*ids));
	struct metric_point *batch = xcalloc((size_t)per_run, sizeof(*batch));
	int64_t base_time = time_now_ms() - (int64_t)runs * 60000;
	for (int r = 0; r < runs; r++) {
		if (r % 100 == 0 && store_begin(st, &err) < 0)
			die("begin", err.msg);
		char lr[32], seed[32], ep[32];
		snprintf(lr, sizeof(lr), "%g", 0.001 * (1 + r % 50));
		snprintf(seed, sizeof(seed), "%d", r % 5);
		snprintf(ep, sizeof(ep), "%d", 10 + r % 30);
		struct kv params[] = {{"seed", seed}, {"train.lr", lr}, {"train.epochs", ep},
				      {"model", r % 2 ? "logreg" : "mlp"}, {"data.version", "v3"}};
		struct run_new rn = {0};
		rn.pipeline = "train";
		rn.experiment = r % 3 ? "tuning" : "baseline";
		rn.status = r % 17 ? "succeeded" : "failed";
		rn.user = "alice";
		rn.host = "gpu1";
		rn.created = base_time + (int64_t)r * 60000;
		rn.git_commit = "0123456789abcdef0123456789abcdef01234567";
		rn.git_branch = "main";
		rn.git_dirty = r % 4 == 0;
		rn.params = params;
		rn.n_params = 5;
		if (store_run_create(st, &rn, &ids[r], &err) < 0)
			die("run", err.msg);
		int k = 0;
		for (int m = 0; m < 4; m++) {
			int n = (int)(per_run * metric_share[m]);
			for (int step = 0; step < n && k < per_run; step++, k++) {
				batch[k].name = metric_names[m];
				batch[k].step = step;
				batch[k].value = value_of(r, m, step);
				batch[k].time = rn.created + step * 100;
				batch[k].task_id = 0;
			}
		}
		if (store_metrics_append(st, ids[r], batch, (size_t)k, &err) < 0)
			die("metrics", err.msg);
		total_points += k;
		if ((r % 100 == 99 || r == runs - 1) && store_commit(st, &err) < 0)
			die("commit", err.msg);
	}
	double load_s = time_mono() - t0;
	store_close(st);

	/* Checkpoint so the file size is the data, not a WAL. */
	sqlite3 *raw;
	sqlite3_open(db, &raw);
	sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	int64_t metric_bytes = table_bytes(raw, "metric");
	sqlite3_close(raw);
	int64_t db_bytes = file_size(db);

	/* ---- queries ---- */
	if (store_open(db, 0, &st, &err) < 0)
		die("reopen", err.msg);
	double t_list[7], t_list_bare[7], t_hist[200];
	size_t listed = 0;
	for (int i = 0; i < 7; i++) {
		struct run_query q = {0};
		struct run_list l;
		q.sort = "metrics.auc";
		q.with_details = true;
		double a = time_mono();
		if (store_run_list(st, &q, &l, &err) < 0)
			die("list", err.msg);
		t_list[i] = time_mono() - a;
		listed = l.n;
		store_run_list_free(&l);
		q.with_details = false;
		a = time_mono();
		if (store_run_list(st, &q, &l, &err) < 0)
			die("list", err.msg);
		t_list_bare[i] = time_mono() - a;
		store_run_list_free(&l);
	}
	size_t hist_n = 0;
	for (int i = 0; i < 200; i++) {
		struct metric_series s;
		int64_t id = ids[(i * 7919) % runs];
		double a = time_mono();
		if (store_metric_history(st, id, "loss", &s, &err) < 0)
			die("history", err.msg);
		t_hist[i] = time_mono() - a;
		hist_n = s.n;
		store_metric_series_free(&s);
	}
	store_close(st);

	/* ---- the peer: MLflow's schema with the same points ---- */
	sqlite3 *ml;
	sqlite3_open(mf, &ml);
	sqlite3_exec(ml,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     "CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL,"
		     " timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL,"
		     " is_nan BOOLEAN DEFAULT '0' NOT NULL,"
		     " CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan));"
		     "CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid);"
		     "CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL,"
		     " timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL,"
		     " CONSTRAINT latest_metric_pk PRIMARY KEY (key, run_uuid));"
		     "CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid);",
		     NULL, NULL, NULL);
	sqlite3_stmt *ins;
	sqlite3_prepare_v2(ml, "INSERT INTO metrics VALUES (?,?,?,?,?,0)", -1, &ins, NULL);
	double m0 = time_mono();
	char uuid[40];
	sqlite3_exec(ml, "BEGIN", NULL, NULL, NULL);
	for (int r = 0; r < runs; r++) {
		snprintf(uuid, sizeof(uuid), "%032x", (unsigned)(r * 2654435761u));
		int64_t created = base_time + (int64_t)r * 60000;
		for (int m = 0; m < 4; m++) {
			int n = (int)(per_run * metric_share[m]);
			for (int step = 0; step < n; step++) {
				sqlite3_bind_text(ins, 1, metric_names[m], -1, SQLITE_STATIC);
				sqlite3_bind_double(ins, 2, value_of(r, m, step));
				sqlite3_bind_int64(ins, 3, created + step * 100);
				sqlite3_bind_text(ins, 4, uuid, -1, SQLITE_STATIC);
				sqlite3_bind_int64(ins, 5, step);
				sqlite3_step(ins);
				sqlite3_reset(ins);
			}
		}
		if (r % 100 == 99) {
			sqlite3_exec(ml, "COMMIT; BEGIN", NULL, NULL, NULL);
		}
	}
	sqlite3_exec(ml, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(ins);
	double ml_load_s = time_mono() - m0;
	sqlite3_exec(ml, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	int64_t ml_metric_bytes = table_bytes(ml, "%metric%") - table_bytes(ml, "%latest%");
	/* MLflow's get_metric_history query. */
	double t_ml_hist[200];
	sqlite3_stmt *h;
	sqlite3_prepare_v2(ml, "SELECT key, value, timestamp, step, is_nan FROM metrics "
			       "WHERE run_uuid = ? AND key = ?", -1, &h, NULL);
	for (int i = 0; i < 200; i++) {
		int r = (i * 7919) % runs;
		snprintf(uuid, sizeof(uuid), "%032x", (unsigned)(r * 2654435761u));
		double a = time_mono();
		sqlite3_bind_text(h, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(h, 2, "loss", -1, SQLITE_STATIC);
		while (sqlite3_step(h) == SQLITE_ROW)
			;
		sqlite3_reset(h);
		t_ml_hist[i] = time_mono() - a;
	}
	sqlite3_finalize(h);
	sqlite3_close(ml);

	double list_ms = median(t_list, 7) * 1e3, bare_ms = median(t_list_bare, 7) * 1e3;
	double hist_ms = median(t_hist, 200) * 1e3, ml_hist_ms = median(t_ml_hist, 200) * 1e3;
	double bpp = (double)metric_bytes / (double)total_points;
	double ml_bpp = (double)ml_metric_bytes / (double)total_points;
	printf("store benchmark: %d runs, %lld metric points (%d per run)\n", runs, (long long)total_points, per_run);
	printf("  load through the store API     %8.1f s   (%.0f points/s)\n", load_s, (double)total_points / load_s);
	printf("  list %zu runs sorted by auc     %8.2f ms  (with params and metric summaries; target < 50 ms)\n", listed, list_ms);
	printf("  list sorted, ids and fields only %6.2f ms\n", bare_ms);
	printf("  one run's history of a metric  %8.3f ms  (%zu points; target < 5 ms)\n", hist_ms, hist_n);
	printf("  bytes per metric point         %8.1f     (metric table and index; target <= 50)\n", bpp);
	printf("  whole database file            %8.1f MB  (%.1f bytes per point, everything included)\n",
	       (double)db_bytes / 1e6, (double)db_bytes / (double)total_points);
	printf("peer, same points in MLflow's SQLite schema:\n");
	printf("  load (plain inserts)           %8.1f s\n", ml_load_s);
	printf("  one run's history (its query)  %8.3f ms  -> mlwb %.1fx faster\n", ml_hist_ms, ml_hist_ms / hist_ms);
	printf("  bytes per metric point         %8.1f     -> mlwb %.1fx smaller\n", ml_bpp, ml_bpp / bpp);
	free(ids);
	free(batch);
	free(db);
	free(mf);
	return 0;
}
