/* store.c - the SQLite metadata store.
 *
 * Reads run as plain statements; writes take the database lock up front
 * (BEGIN IMMEDIATE) so that two writers never deadlock on a lock upgrade, and
 * a busy database is waited on (busy_timeout) instead of failing.
 *
 * Metric points are the volume: store_metrics_append keeps a small cache of
 * the series it has touched (largest step, summary) so that appending needs
 * no read per point, and the per-run summary table stays current in the same
 * transaction as the points.
 */
#include <math.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/store.h"
#include "mlwb/util.h"
#include "mlwb/version.h"

#include "schema.sql.h"

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])) - 1)

/* A series touched by appends in this process. */
struct series {
	int64_t run, key;
	bool used;
	bool loaded;   /* summary read from the database */
	bool dirty;    /* summary changed since written */
	bool has_rows; /* any point exists */
	int64_t max_step;
	double last, min, max;
	int64_t last_step, count;
};

struct metric_key_cache {
	char *name;
	int64_t id;
};

struct store {
	sqlite3 *db;
	char *path;
	int version;
	/* open-addressing table of series, keyed by (run, key) */
	struct series *series;
	size_t series_cap, series_n;
	struct metric_key_cache *keys;
	size_t keys_n, keys_cap;
	sqlite3_stmt *ins_metric, *ins_key, *get_key, *max_seq, *get_summary, *put_summary, *max_step;
};

static int db_err(struct store *st, struct err *err, const char *what)
{
	int code = sqlite3_errcode(st->db);

	return err_setc(err, 1, "%s: %s%s", what, sqlite3_errmsg(st->db),
			code == SQLITE_BUSY ? " (the database is locked by another process)" : "");
}

static int exec(struct store *st, const char *sql, struct err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_setc(err, 1, "database %s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *prep(struct store *st, const char *sql, struct err *err)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_err(st, err, "preparing a query");
		return NULL;
	}
	return s;
}

static int query_int(struct store *st, const char *sql, int64_t *out, struct err *err)
{
	sqlite3_stmt *s = prep(st, sql, err);

	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		db_err(st, err, "reading the database");
		sqlite3_finalize(s);
		return -1;
	} else {
		*out = 0;
	}
	sqlite3_finalize(s);
	return 0;
}

int store_begin(struct store *st, struct err *err)
{
	return exec(st, "BEGIN IMMEDIATE", err);
}

int store_commit(struct store *st, struct err *err)
{
	return exec(st, "COMMIT", err);
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	/* Cached series and metric names may now be ahead of the database:
	 * forget them. */
	if (st->series)
		memset(st->series, 0, st->series_cap * sizeof(*st->series));
	st->series_n = 0;
	for (size_t i = 0; i < st->keys_n; i++)
		free(st->keys[i].name);
	st->keys_n = 0;
}

static int migrate(struct store *st, struct err *err)
{
	int64_t v;

	if (query_int(st, "PRAGMA user_version", &v, err) < 0)
		return -1;
	if (v > N_MIGRATIONS)
		return err_setc(err, 2,
				"%s was written by a newer mlwb (schema version %d; this mlwb %s knows up to %d): upgrade mlwb; the database was not changed",
				st->path, (int)v, MLWB_VERSION, N_MIGRATIONS);
	if (v == N_MIGRATIONS) {
		st->version = (int)v;
		return 0;
	}
	if (store_begin(st, err) < 0)
		return -1;
	/* Another process may have migrated while we waited for the lock. */
	if (query_int(st, "PRAGMA user_version", &v, err) < 0)
		goto fail;
	for (int i = (int)v + 1; i <= N_MIGRATIONS; i++) {
		if (exec(st, migrations[i], err) < 0) {
			err_prefix(err, "migrating to schema version %d", i);
			goto fail;
		}
		char *sql = xasprintf("INSERT INTO schema_version VALUES (%d, %lld, '%s');"
				      "PRAGMA user_version = %d;",
				      i, (long long)time_now_ms(), MLWB_VERSION, i);
		int rc = exec(st, sql, err);
		free(sql);
		if (rc < 0)
			goto fail;
	}
	if (store_commit(st, err) < 0)
		goto fail;
	st->version = N_MIGRATIONS;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

int store_open(const char *path, int flags, struct store **out, struct err *err)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;

	if (flags & STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	st->path = xstrdup(path);
	*out = NULL;
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err_setc(err, 1, "cannot open database %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 15000);
	sqlite3_extended_result_codes(st->db, 1);
	/* A file that is not SQLite fails on its first read: say what it is. */
	int64_t v;
	if (query_int(st, "PRAGMA user_version", &v, err) < 0) {
		err_setc(err, 2, "%s is not an mlwb database: %s", path, sqlite3_errmsg(st->db));
		store_close(st);
		return -1;
	}
	if (v > N_MIGRATIONS) {
		migrate(st, err);
		store_close(st);
		return -1;
	}
	if (!(flags & STORE_READONLY) &&
	    exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err) < 0) {
		store_close(st);
		return -1;
	}
	/* mmap: scans of long metric series read pages without copying them */
	if (exec(st, "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456;", err) < 0 ||
	    migrate(st, err) < 0) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->ins_metric);
	sqlite3_finalize(st->ins_key);
	sqlite3_finalize(st->get_key);
	sqlite3_finalize(st->max_seq);
	sqlite3_finalize(st->get_summary);
	sqlite3_finalize(st->put_summary);
	sqlite3_finalize(st->max_step);
	if (st->db)
		sqlite3_close(st->db);
	for (size_t i = 0; i < st->keys_n; i++)
		free(st->keys[i].name);
	free(st->keys);
	free(st->series);
	free(st->path);
	free(st);
}

int store_schema_version(struct store *st)
{
	return st->version;
}

char *store_journal_mode(struct store *st)
{
	sqlite3_stmt *s = NULL;
	char *mode;

	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL) != SQLITE_OK)
		return xstrdup("?");
	if (sqlite3_step(s) == SQLITE_ROW)
		mode = xstrdup((const char *)sqlite3_column_text(s, 0));
	else
		mode = xstrdup("?");
	sqlite3_finalize(s);
	return mode;
}

/* ---- helpers for row reading ---- */

static char *col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void bind_ms(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* Opens a transaction unless the caller has one; *own says whether to
 * commit it. */
static int tx_enter(struct store *st, bool *own, struct err *err)
{
	*own = sqlite3_get_autocommit(st->db) != 0;
	return *own ? store_begin(st, err) : 0;
}

static int tx_leave(struct store *st, bool own, int rc, struct err *err)
{
	if (!own)
		return rc;
	if (rc < 0) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* ---- runs ---- */

static int experiment_id(struct store *st, const char *name, int64_t *id, struct err *err)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO experiment(name, created) VALUES (?, ?) "
				   "ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id",
			       err);

	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, time_now_ms());
	if (sqlite3_step(s) != SQLITE_ROW) {
		db_err(st, err, "recording the experiment");
		sqlite3_finalize(s);
		return -1;
	}
	*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int store_run_create(struct store *st, const struct run_new *rn, int64_t *id, struct err *err)
{
	bool own;
	int64_t exp;
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (tx_enter(st, &own, err) < 0)
		return -1;
	if (experiment_id(st, rn->experiment ? rn->experiment : rn->pipeline, &exp, err) < 0)
		goto out;
	s = prep(st,
		 "INSERT INTO run(experiment_id, pipeline, sweep, status, trigger, trigger_detail, "
		 "parent_id, user, host, created, git_commit, git_branch, git_dirty, mlwb_version, note, "
		 "no_cache, parallel) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		 err);
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, exp);
	bind_str(s, 2, rn->pipeline);
	bind_str(s, 3, rn->sweep);
	bind_str(s, 4, rn->status ? rn->status : "queued");
	bind_str(s, 5, rn->trigger ? rn->trigger : "manual");
	bind_str(s, 6, rn->trigger_detail);
	bind_ms(s, 7, rn->parent);
	bind_str(s, 8, rn->user);
	bind_str(s, 9, rn->host);
	sqlite3_bind_int64(s, 10, rn->created ? rn->created : time_now_ms());
	bind_str(s, 11, rn->git_commit);
	bind_str(s, 12, rn->git_branch);
	if (rn->git_dirty < 0)
		sqlite3_bind_null(s, 13);
	else
		sqlite3_bind_int(s, 13, rn->git_dirty);
	bind_str(s, 14, rn->mlwb_version ? rn->mlwb_version : MLWB_VERSION);
	bind_str(s, 15, rn->note);
	sqlite3_bind_int(s, 16, rn->no_cache);
	bind_ms(s, 17, rn->parallel);
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_err(st, err, "recording the run");
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	s = prep(st, "INSERT INTO run_param(run_id, name, value) VALUES (?,?,?)", err);
	if (!s)
		goto out;
	for (size_t i = 0; i < rn->n_params; i++) {
		sqlite3_bind_int64(s, 1, *id);
		bind_str(s, 2, rn->params[i].name);
		bind_str(s, 3, rn->params[i].value);
		if (sqlite3_step(s) != SQLITE_DONE) {
			db_err(st, err, "recording the run's params");
			goto out;
		}
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return tx_leave(st, own, rc, err);
}

int store_run_set_status(struct store *st, int64_t id, const char *status, struct err *err)
{
	sqlite3_stmt *s = prep(st, "UPDATE run SET status = ? WHERE id = ?", err);

	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : db_err(st, err, "updating the run");
	sqlite3_finalize(s);
	if (rc == 0 && sqlite3_changes(st->db) == 0)
		return err_set(err, "no run %lld", (long long)id);
	return rc;
}

static int write1(struct store *st, struct err *err, const char *what, const char *sql,
		  const char *types, ...);

int store_run_trash(struct store *st, int64_t id, bool trash, struct err *err)
{
	char status[32];

	if (store_run_status(st, id, status, sizeof(status), err) < 0)
		return -1;
	if (!status[0])
		return err_set(err, "no run %lld", (long long)id);
	if (trash && (!strcmp(status, "queued") || !strcmp(status, "running")))
		return err_set(err, "run %lld is %s: cancel it before deleting it", (long long)id, status);
	return write1(st, err, trash ? "deleting the run" : "restoring the run",
		      "UPDATE run SET deleted = ?1 WHERE id = ?2 OR parent_id = ?2", "ni", trash ? time_now_ms() : 0,
		      id);
}

int store_run_set_note(struct store *st, int64_t id, const char *note, struct err *err)
{
	return write1(st, err, "saving the note", "UPDATE run SET note = ? WHERE id = ?", "si",
		      note && *note ? note : NULL, id);
}

int store_run_status(struct store *st, int64_t id, char *buf, size_t len, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT status FROM run WHERE id = ?", err);

	buf[0] = '\0';
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(st, err, "reading the run");
}

#define RUN_COLUMNS                                                                            \
	"r.id, e.name, r.pipeline, r.sweep, r.status, r.trigger, r.trigger_detail, r.parent_id, " \
	"r.user, r.host, r.created, r.started, r.finished, r.git_commit, r.git_branch, "          \
	"r.git_dirty, r.mlwb_version, r.note"

static void read_run(sqlite3_stmt *s, struct run_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->id = sqlite3_column_int64(s, 0);
	ri->experiment = col_str(s, 1);
	ri->pipeline = col_str(s, 2);
	ri->sweep = col_str(s, 3);
	ri->status = col_str(s, 4);
	ri->trigger = col_str(s, 5);
	ri->trigger_detail = col_str(s, 6);
	ri->parent = sqlite3_column_int64(s, 7);
	ri->user = col_str(s, 8);
	ri->host = col_str(s, 9);
	ri->created = sqlite3_column_int64(s, 10);
	ri->started = sqlite3_column_int64(s, 11);
	ri->finished = sqlite3_column_int64(s, 12);
	ri->git_commit = col_str(s, 13);
	ri->git_branch = col_str(s, 14);
	ri->git_dirty = sqlite3_column_type(s, 15) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 15);
	ri->mlwb_version = col_str(s, 16);
	ri->note = col_str(s, 17);
}

static double col_real(sqlite3_stmt *s, int i)
{
	/* SQLite stores NaN as NULL. */
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

/* Fills params, metrics and tags of the runs in `list`, with one pass over
 * each table instead of a query per run.  `where` limits the runs scanned
 * ("" for all, or " WHERE run_id = N"). */
static int attach_details(struct store *st, struct run_info *runs, size_t n, const char *where,
			  struct err *err)
{
	int64_t max_id = 0;

	for (size_t i = 0; i < n; i++)
		if (runs[i].id > max_id)
			max_id = runs[i].id;
	/* Run ids are small dense integers: index them directly. */
	size_t *slot = xmalloc(((size_t)max_id + 1) * sizeof(*slot));
	for (int64_t i = 0; i <= max_id; i++)
		slot[i] = (size_t)-1;
	for (size_t i = 0; i < n; i++)
		slot[runs[i].id] = i;

	static const char *const sqls[] = {
		"SELECT run_id, name, value FROM run_param%s ORDER BY run_id, name",
		"SELECT m.run_id, k.name, m.last, m.min, m.max, m.last_step, m.count "
		"FROM metric_summary m JOIN metric_key k ON k.id = m.key_id%s ORDER BY m.run_id, k.name",
		"SELECT run_id, name, value FROM tag%s ORDER BY run_id, name",
	};
	for (int q = 0; q < 3; q++) {
		char *sql = xasprintf(sqls[q], where);
		sqlite3_stmt *s = prep(st, sql, err);
		free(sql);
		if (!s) {
			free(slot);
			return -1;
		}
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(s, 0);
			if (id < 0 || id > max_id || slot[id] == (size_t)-1)
				continue;
			struct run_info *ri = &runs[slot[id]];
			if (q == 1) {
				ri->metrics = xrealloc(ri->metrics, (ri->n_metrics + 1) * sizeof(*ri->metrics));
				struct metric_summary *m = &ri->metrics[ri->n_metrics++];
				m->name = col_str(s, 1);
				m->last = col_real(s, 2);
				m->min = col_real(s, 3);
				m->max = col_real(s, 4);
				m->last_step = sqlite3_column_int64(s, 5);
				m->count = sqlite3_column_int64(s, 6);
			} else {
				struct kv **v = q == 0 ? &ri->params : &ri->tags;
				size_t *nv = q == 0 ? &ri->n_params : &ri->n_tags;
				*v = xrealloc(*v, (*nv + 1) * sizeof(**v));
				(*v)[*nv].name = col_str(s, 1);
				(*v)[*nv].value = col_str(s, 2);
				(*nv)++;
			}
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			free(slot);
			return db_err(st, err, "reading run details");
		}
	}
	free(slot);
	return 0;
}

static int metric_key_lookup(struct store *st, const char *name, bool create, int64_t *id,
			     struct err *err);

int store_run_list(struct store *st, const struct run_query *q, struct run_list *out, struct err *err)
{
	struct sbuf sql;
	sqlite3_stmt *s;
	int64_t sort_key = 0;
	const char *order = "r.id";
	const char *dir = q->ascending ? "ASC" : "DESC";
	char *param_sort = NULL;

	out->v = NULL;
	out->n = 0;
	sbuf_init(&sql);
	sbuf_puts(&sql, "SELECT " RUN_COLUMNS);
	if (q->sort && str_startswith(q->sort, "metrics.")) {
		if (metric_key_lookup(st, q->sort + 8, false, &sort_key, err) < 0) {
			sbuf_free(&sql);
			return -1;
		}
		sbuf_puts(&sql, ", ms.last FROM run r JOIN experiment e ON e.id = r.experiment_id "
				"LEFT JOIN metric_summary ms ON ms.run_id = r.id AND ms.key_id = ?1");
		order = "ms.last IS NULL, ms.last"; /* runs without the metric go last */
	} else if (q->sort && str_startswith(q->sort, "params.")) {
		sbuf_puts(&sql, " FROM run r JOIN experiment e ON e.id = r.experiment_id "
				"LEFT JOIN run_param rp ON rp.run_id = r.id AND rp.name = ?2");
		param_sort = xstrdup(q->sort + 7);
		order = "rp.value IS NULL, CAST(rp.value AS REAL), rp.value";
	} else {
		sbuf_puts(&sql, " FROM run r JOIN experiment e ON e.id = r.experiment_id");
		static const struct {
			const char *name, *expr;
		} cols[] = {
			{"id", "r.id"}, {"created", "r.created"}, {"started", "r.started"},
			{"finished", "r.finished"}, {"status", "r.status"}, {"pipeline", "r.pipeline"},
			{"experiment", "e.name"}, {"user", "r.user"}, {"trigger", "r.trigger"},
			{"duration", "coalesce(r.finished, r.started) - r.started"},
		};
		if (q->sort) {
			order = NULL;
			for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
				if (!strcmp(q->sort, cols[i].name))
					order = cols[i].expr;
			if (!order) {
				sbuf_free(&sql);
				return err_set(err,
					       "cannot sort by \"%s\": use id, created, started, finished, status, pipeline, experiment, user, trigger, duration, metrics.NAME or params.NAME",
					       q->sort);
			}
		}
	}
	sbuf_puts(&sql, q->trash ? " WHERE r.deleted IS NOT NULL" : " WHERE r.deleted IS NULL");
	if (q->experiment)
		sbuf_puts(&sql, " AND e.name = ?3");
	if (q->status)
		sbuf_puts(&sql, " AND r.status = ?4");
	if (!strncmp(order, "ms.", 3) || !strncmp(order, "rp.", 3)) {
		/* NULLs last whatever the direction. */
		const char *comma = strchr(order, ',');
		sbuf_printf(&sql, " ORDER BY %.*s,%s %s, r.id DESC", (int)(comma - order), order, comma + 1, dir);
	} else {
		sbuf_printf(&sql, " ORDER BY %s %s, r.id %s", order, dir, dir);
	}
	if (q->limit > 0)
		sbuf_printf(&sql, " LIMIT %lld", (long long)q->limit);
	s = prep(st, sbuf_str(&sql), err);
	sbuf_free(&sql);
	if (!s) {
		free(param_sort);
		return -1;
	}
	if (sort_key)
		sqlite3_bind_int64(s, 1, sort_key);
	else if (q->sort && str_startswith(q->sort, "metrics."))
		sqlite3_bind_int64(s, 1, -1); /* unknown metric: nothing matches */
	if (param_sort)
		sqlite3_bind_text(s, 2, param_sort, -1, SQLITE_STATIC);
	if (q->experiment)
		sqlite3_bind_text(s, 3, q->experiment, -1, SQLITE_STATIC);
	if (q->status)
		sqlite3_bind_text(s, 4, q->status, -1, SQLITE_STATIC);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(out->v, out->n, cap, 64);
		read_run(s, &out->v[out->n++]);
	}
	sqlite3_finalize(s);
	free(param_sort);
	if (rc != SQLITE_DONE) {
		db_err(st, err, "listing runs");
		store_run_list_free(out);
		return -1;
	}
	if (q->with_details && out->n && attach_details(st, out->v, out->n, "", err) < 0) {
		store_run_list_free(out);
		return -1;
	}
	return 0;
}

void store_run_info_free(struct run_info *ri)
{
	if (!ri)
		return;
	free(ri->experiment);
	free(ri->pipeline);
	free(ri->sweep);
	free(ri->status);
	free(ri->trigger);
	free(ri->trigger_detail);
	free(ri->user);
	free(ri->host);
	free(ri->git_commit);
	free(ri->git_branch);
	free(ri->mlwb_version);
	free(ri->note);
	for (size_t i = 0; i < ri->n_params; i++) {
		free(ri->params[i].name);
		free(ri->params[i].value);
	}
	free(ri->params);
	for (size_t i = 0; i < ri->n_metrics; i++)
		free(ri->metrics[i].name);
	free(ri->metrics);
	for (size_t i = 0; i < ri->n_tags; i++) {
		free(ri->tags[i].name);
		free(ri->tags[i].value);
	}
	free(ri->tags);
	memset(ri, 0, sizeof(*ri));
}

void store_run_list_free(struct run_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		store_run_info_free(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

int store_run_get(struct store *st, int64_t id, struct run_info *out, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT " RUN_COLUMNS " FROM run r JOIN experiment e ON "
				   "e.id = r.experiment_id WHERE r.id = ?",
			       err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_run(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(err, "no run %lld in this project (see `mlwb runs`)", (long long)id);
	if (rc != SQLITE_ROW)
		return db_err(st, err, "reading the run");
	char *where = xasprintf(" WHERE run_id = %lld", (long long)id);
	rc = attach_details(st, out, 1, where, err);
	free(where);
	if (rc < 0) {
		store_run_info_free(out);
		return -1;
	}
	return 0;
}

/* ---- metrics ---- */

static int metric_key_lookup(struct store *st, const char *name, bool create, int64_t *id,
			     struct err *err)
{
	for (size_t i = 0; i < st->keys_n; i++)
		if (!strcmp(st->keys[i].name, name)) {
			*id = st->keys[i].id;
			return 0;
		}
	if (!st->get_key && !(st->get_key = prep(st, "SELECT id FROM metric_key WHERE name = ?", err)))
		return -1;
	sqlite3_bind_text(st->get_key, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st->get_key);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st->get_key, 0) : 0;
	sqlite3_reset(st->get_key);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(st, err, "reading metric names");
	if (!*id && create) {
		if (!st->ins_key &&
		    !(st->ins_key = prep(st, "INSERT INTO metric_key(name) VALUES (?)", err)))
			return -1;
		sqlite3_bind_text(st->ins_key, 1, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st->ins_key);
		sqlite3_reset(st->ins_key);
		if (rc != SQLITE_DONE)
			return db_err(st, err, "recording a metric name");
		*id = sqlite3_last_insert_rowid(st->db);
	}
	if (*id && create) {
		/* store_rollback empties this cache, so an id never outlives a
		 * key row that was rolled back. */
		XGROW(st->keys, st->keys_n, st->keys_cap, 16);
		st->keys[st->keys_n].name = xstrdup(name);
		st->keys[st->keys_n++].id = *id;
	}
	return 0;
}

static uint64_t series_hash(int64_t run, int64_t key)
{
	uint64_t h = (uint64_t)run * 0x9e3779b97f4a7c15ULL ^ (uint64_t)key * 0xc2b2ae3d27d4eb4fULL;

	return h ^ (h >> 29);
}

static struct series *series_slot(struct store *st, int64_t run, int64_t key)
{
	if ((st->series_n + 1) * 2 > st->series_cap) {
		size_t old_cap = st->series_cap;
		struct series *old = st->series;
		st->series_cap = old_cap ? old_cap * 2 : 64;
		st->series = xcalloc(st->series_cap, sizeof(*st->series));
		st->series_n = 0;
		for (size_t i = 0; i < old_cap; i++) {
			if (!old[i].used)
				continue;
			struct series *s = series_slot(st, old[i].run, old[i].key);
			*s = old[i];
		}
		free(old);
	}
	size_t mask = st->series_cap - 1;
	for (size_t i = series_hash(run, key) & mask;; i = (i + 1) & mask) {
		struct series *s = &st->series[i];
		if (!s->used) {
			s->used = true;
			s->run = run;
			s->key = key;
			st->series_n++;
			return s;
		}
		if (s->run == run && s->key == key)
			return s;
	}
}

static int series_load(struct store *st, struct series *se, struct err *err)
{
	if (!st->get_summary &&
	    !(st->get_summary = prep(st, "SELECT last, last_step, min, max, count FROM metric_summary "
					 "WHERE run_id = ? AND key_id = ?",
				     err)))
		return -1;
	if (!st->max_step &&
	    !(st->max_step = prep(st, "SELECT max(step) FROM metric WHERE run_id = ? AND key_id = ?", err)))
		return -1;
	sqlite3_bind_int64(st->get_summary, 1, se->run);
	sqlite3_bind_int64(st->get_summary, 2, se->key);
	int rc = sqlite3_step(st->get_summary);
	if (rc == SQLITE_ROW) {
		se->last = col_real(st->get_summary, 0);
		se->last_step = sqlite3_column_int64(st->get_summary, 1);
		se->min = col_real(st->get_summary, 2);
		se->max = col_real(st->get_summary, 3);
		se->count = sqlite3_column_int64(st->get_summary, 4);
	} else {
		se->count = 0;
		se->min = se->max = se->last = NAN;
	}
	sqlite3_reset(st->get_summary);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(st, err, "reading a metric summary");
	sqlite3_bind_int64(st->max_step, 1, se->run);
	sqlite3_bind_int64(st->max_step, 2, se->key);
	rc = sqlite3_step(st->max_step);
	se->has_rows = rc == SQLITE_ROW && sqlite3_column_type(st->max_step, 0) != SQLITE_NULL;
	se->max_step = se->has_rows ? sqlite3_column_int64(st->max_step, 0) : 0;
	sqlite3_reset(st->max_step);
	if (rc != SQLITE_ROW)
		return db_err(st, err, "reading a metric series");
	se->loaded = true;
	return 0;
}

static int next_seq(struct store *st, struct series *se, int64_t step, int64_t *seq, struct err *err)
{
	if (!se->has_rows || step > se->max_step) {
		*seq = 0;
		return 0;
	}
	if (!st->max_seq &&
	    !(st->max_seq = prep(st, "SELECT max(seq) FROM metric WHERE run_id = ? AND key_id = ? AND step = ?",
				 err)))
		return -1;
	sqlite3_bind_int64(st->max_seq, 1, se->run);
	sqlite3_bind_int64(st->max_seq, 2, se->key);
	sqlite3_bind_int64(st->max_seq, 3, step);
	int rc = sqlite3_step(st->max_seq);
	if (rc == SQLITE_ROW && sqlite3_column_type(st->max_seq, 0) != SQLITE_NULL)
		*seq = sqlite3_column_int64(st->max_seq, 0) + 1;
	else
		*seq = 0;
	sqlite3_reset(st->max_seq);
	return rc == SQLITE_ROW ? 0 : db_err(st, err, "reading a metric series");
}

static int flush_summaries(struct store *st, struct err *err)
{
	if (!st->put_summary &&
	    !(st->put_summary = prep(st, "INSERT OR REPLACE INTO metric_summary"
					 "(run_id, key_id, last, last_step, min, max, count) "
					 "VALUES (?,?,?,?,?,?,?)",
				     err)))
		return -1;
	for (size_t i = 0; i < st->series_cap; i++) {
		struct series *se = &st->series[i];
		if (!se->used || !se->dirty)
			continue;
		sqlite3_stmt *s = st->put_summary;
		sqlite3_bind_int64(s, 1, se->run);
		sqlite3_bind_int64(s, 2, se->key);
		sqlite3_bind_double(s, 3, se->last);
		sqlite3_bind_int64(s, 4, se->last_step);
		sqlite3_bind_double(s, 5, se->min);
		sqlite3_bind_double(s, 6, se->max);
		sqlite3_bind_int64(s, 7, se->count);
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return db_err(st, err, "updating a metric summary");
		se->dirty = false;
	}
	return 0;
}

int store_metrics_append(struct store *st, int64_t run, const struct metric_point *pts, size_t n,
			 struct err *err)
{
	bool own;
	int rc = -1;
	int64_t now = time_now_ms();

	if (!n)
		return 0;
	if (tx_enter(st, &own, err) < 0)
		return -1;
	if (!st->ins_metric &&
	    !(st->ins_metric = prep(st, "INSERT INTO metric(run_id, key_id, step, seq, value, time, task_id) "
					"VALUES (?,?,?,?,?,?,?)",
				    err)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct metric_point *p = &pts[i];
		int64_t key, seq;
		if (metric_key_lookup(st, p->name, true, &key, err) < 0)
			goto out;
		struct series *se = series_slot(st, run, key);
		if (!se->loaded && series_load(st, se, err) < 0)
			goto out;
		int64_t step = p->step;
		if (step == STORE_STEP_AUTO)
			step = se->has_rows ? se->max_step + 1 : 0;
		if (next_seq(st, se, step, &seq, err) < 0)
			goto out;
		sqlite3_stmt *s = st->ins_metric;
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_int64(s, 2, key);
		sqlite3_bind_int64(s, 3, step);
		sqlite3_bind_int64(s, 4, seq);
		if (isnan(p->value))
			sqlite3_bind_null(s, 5);
		else
			sqlite3_bind_double(s, 5, p->value);
		sqlite3_bind_int64(s, 6, p->time ? p->time : now);
		bind_ms(s, 7, p->task_id);
		int r = sqlite3_step(s);
		sqlite3_reset(s);
		if (r != SQLITE_DONE) {
			db_err(st, err, "recording a metric");
			goto out;
		}
		if (!se->has_rows || step >= se->max_step) {
			se->max_step = step;
			se->last = p->value;
			se->last_step = step;
		}
		se->has_rows = true;
		if (!isnan(p->value)) {
			if (isnan(se->min) || p->value < se->min)
				se->min = p->value;
			if (isnan(se->max) || p->value > se->max)
				se->max = p->value;
		}
		se->count++;
		se->dirty = true;
	}
	rc = flush_summaries(st, err);
out:
	return tx_leave(st, own, rc, err);
}

int store_metric_history(struct store *st, int64_t run, const char *name, struct metric_series *out,
			 struct err *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	/* the summary knows how many points there are: allocate once */
	s = prep(st, "SELECT s.count FROM metric_summary s JOIN metric_key k ON k.id = s.key_id "
		     "WHERE s.run_id = ? AND k.name = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0) {
		cap = (size_t)sqlite3_column_int64(s, 0);
		out->step = xmalloc(cap * sizeof(*out->step));
		out->value = xmalloc(cap * sizeof(*out->value));
		out->time = xmalloc(cap * sizeof(*out->time));
		out->task_id = xmalloc(cap * sizeof(*out->task_id));
	}
	sqlite3_finalize(s);
	s = prep(st, "SELECT m.step, m.value, m.time, m.task_id FROM metric m "
		     "WHERE m.run_id = ?1 AND m.key_id = (SELECT id FROM metric_key WHERE name = ?2) "
		     "ORDER BY m.step, m.seq",
		 err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 256;
			out->step = xrealloc(out->step, cap * sizeof(*out->step));
			out->value = xrealloc(out->value, cap * sizeof(*out->value));
			out->time = xrealloc(out->time, cap * sizeof(*out->time));
			out->task_id = xrealloc(out->task_id, cap * sizeof(*out->task_id));
		}
		out->step[out->n] = sqlite3_column_int64(s, 0);
		out->value[out->n] = col_real(s, 1);
		out->time[out->n] = sqlite3_column_int64(s, 2);
		out->task_id[out->n] = sqlite3_column_int64(s, 3);
		out->n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_metric_series_free(out);
		return db_err(st, err, "reading a metric history");
	}
	return 0;
}

int store_metric_values(struct store *st, int64_t run, const char *name, bool with_time,
			struct metric_series *out, struct err *err)
{
	int64_t key = 0, count = 0;
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	if (metric_key_lookup(st, name, false, &key, err) < 0)
		return -1;
	if (!key)
		return 0;
	char *q = xasprintf("SELECT count FROM metric_summary WHERE run_id = %lld AND key_id = %lld",
			    (long long)run, (long long)key);
	rc = query_int(st, q, &count, err);
	free(q);
	if (rc < 0)
		return -1;
	s = prep(st, with_time ? "SELECT step, value, time FROM metric WHERE run_id = ? AND key_id = ? ORDER BY step, seq"
			       : "SELECT step, value FROM metric WHERE run_id = ? AND key_id = ? ORDER BY step, seq",
		 err);
	if (!s)
		return -1;
	size_t cap = count > 0 ? (size_t)count : 256;
	out->step = xmalloc(cap * sizeof(*out->step));
	out->value = xmalloc(cap * sizeof(*out->value));
	if (with_time)
		out->time = xmalloc(cap * sizeof(*out->time));
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, key);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap *= 2;
			out->step = xrealloc(out->step, cap * sizeof(*out->step));
			out->value = xrealloc(out->value, cap * sizeof(*out->value));
			if (with_time)
				out->time = xrealloc(out->time, cap * sizeof(*out->time));
		}
		out->step[out->n] = sqlite3_column_int64(s, 0);
		out->value[out->n] = col_real(s, 1);
		if (with_time)
			out->time[out->n] = sqlite3_column_int64(s, 2);
		out->n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_metric_series_free(out);
		return db_err(st, err, "reading a metric");
	}
	return 0;
}

void store_metric_series_free(struct metric_series *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->step);
	free(s->value);
	free(s->time);
	free(s->task_id);
	memset(s, 0, sizeof(*s));
}

int store_metric_names(struct store *st, int64_t run, char ***names, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT k.name FROM metric_summary m JOIN metric_key k ON "
				   "k.id = m.key_id WHERE m.run_id = ? ORDER BY k.name",
			       err);
	size_t cap = 0;
	int rc;

	*names = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*names, *n, cap, 16);
		(*names)[(*n)++] = col_str(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_names_free(*names, *n);
		return db_err(st, err, "reading metric names");
	}
	return 0;
}

void store_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- tasks ---- */

int store_task_list(struct store *st, int64_t run, struct task_info **out, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st,
			       "SELECT t.id, t.name, t.status, "
			       "(SELECT count(*) FROM attempt a WHERE a.task_id = t.id), "
			       "t.exit_code, t.reason, t.cached, t.layer, t.started, t.finished "
			       "FROM task t WHERE t.run_id = ? ORDER BY t.layer, t.id",
			       err);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*out, *n, cap, 16);
		struct task_info *t = &(*out)[(*n)++];
		t->id = sqlite3_column_int64(s, 0);
		t->name = col_str(s, 1);
		t->status = col_str(s, 2);
		t->attempts = sqlite3_column_int(s, 3);
		t->exit_code = sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 4);
		t->reason = col_str(s, 5);
		t->cached = sqlite3_column_int(s, 6) != 0;
		t->layer = sqlite3_column_int(s, 7);
		t->started = sqlite3_column_int64(s, 8);
		t->finished = sqlite3_column_int64(s, 9);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_task_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_err(st, err, "reading tasks");
	}
	return 0;
}

void store_task_list_free(struct task_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].status);
		free(v[i].reason);
	}
	free(v);
}

/* ---- queueing ---- */

int store_run_enqueue(struct store *st, const struct run_new *rn, const struct task_new *tasks,
		      size_t n, int64_t *id, struct err *err)
{
	bool own;
	int rc = -1;
	sqlite3_stmt *ins = NULL, *edge = NULL;
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));

	if (tx_enter(st, &own, err) < 0) {
		free(ids);
		return -1;
	}
	if (store_run_create(st, rn, id, err) < 0)
		goto out;
	ins = prep(st,
		   "INSERT INTO task(run_id, name, cmd, status, layer, max_attempts, timeout_ms, cpu, mem, "
		   "gpu, cache, deps, outs, metrics_files, register) VALUES (?,?,?,'pending',?,?,?,?,?,?,?,?,?,?,?)",
		   err);
	edge = prep(st, "INSERT OR IGNORE INTO task_edge(task_id, upstream_id) VALUES (?,?)", err);
	if (!ins || !edge)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct task_new *t = &tasks[i];
		sqlite3_bind_int64(ins, 1, *id);
		bind_str(ins, 2, t->name);
		bind_str(ins, 3, t->cmd);
		sqlite3_bind_int(ins, 4, t->layer);
		sqlite3_bind_int(ins, 5, t->max_attempts);
		bind_ms(ins, 6, t->timeout_ms);
		sqlite3_bind_double(ins, 7, t->cpu);
		bind_ms(ins, 8, t->mem);
		sqlite3_bind_int(ins, 9, t->gpu);
		sqlite3_bind_int(ins, 10, t->cache);
		bind_str(ins, 11, t->deps_json ? t->deps_json : "[]");
		bind_str(ins, 12, t->outs_json ? t->outs_json : "[]");
		bind_str(ins, 13, t->metrics_json ? t->metrics_json : "[]");
		bind_str(ins, 14, t->register_json);
		int r = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (r != SQLITE_DONE) {
			db_err(st, err, "recording a task");
			goto out;
		}
		ids[i] = sqlite3_last_insert_rowid(st->db);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t u = 0; u < tasks[i].n_up; u++) {
			sqlite3_bind_int64(edge, 1, ids[i]);
			sqlite3_bind_int64(edge, 2, ids[tasks[i].up[u]]);
			int r = sqlite3_step(edge);
			sqlite3_reset(edge);
			if (r != SQLITE_DONE) {
				db_err(st, err, "recording a task edge");
				goto out;
			}
		}
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(edge);
	free(ids);
	return tx_leave(st, own, rc, err);
}

int store_run_request_cancel(struct store *st, int64_t run, struct err *err)
{
	bool own;
	int rc = -1;
	struct run_info ri;

	if (store_run_get(st, run, &ri, err) < 0)
		return -1;
	bool active = !strcmp(ri.status, "queued") || !strcmp(ri.status, "running");
	if (!active) {
		err_setc(err, 1, "run %lld has already %s", (long long)run, ri.status);
		store_run_info_free(&ri);
		return -1;
	}
	store_run_info_free(&ri);
	if (tx_enter(st, &own, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st, "UPDATE run SET cancel_requested = 1 WHERE (id = ?1 OR parent_id = ?1) "
				   "AND status IN ('queued','running')",
			       err);
	if (s) {
		sqlite3_bind_int64(s, 1, run);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : db_err(st, err, "requesting the cancel");
		sqlite3_finalize(s);
	}
	return tx_leave(st, own, rc, err);
}

int64_t store_data_version(struct store *st)
{
	int64_t v = 0;

	query_int(st, "PRAGMA data_version", &v, NULL);
	return v;
}

/* ---- the executor's view ---- */

int store_active_runs(struct store *st, struct exec_run_row **v, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT id, parent_id, status, pipeline, cancel_requested, no_cache, "
				   "parallel, workspace FROM run WHERE status IN ('queued','running') "
				   "AND deleted IS NULL ORDER BY id",
			       err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 16);
		struct exec_run_row *r = &(*v)[(*n)++];
		r->id = sqlite3_column_int64(s, 0);
		r->parent = sqlite3_column_int64(s, 1);
		r->status = col_str(s, 2);
		r->pipeline = col_str(s, 3);
		r->cancel_requested = sqlite3_column_int(s, 4) != 0;
		r->no_cache = sqlite3_column_int(s, 5) != 0;
		r->parallel = sqlite3_column_int(s, 6);
		r->workspace = col_str(s, 7);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_exec_runs_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading the queue");
	}
	return 0;
}

void store_exec_runs_free(struct exec_run_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].status);
		free(v[i].pipeline);
		free(v[i].workspace);
	}
	free(v);
}

int store_run_tasks(struct store *st, int64_t run, struct exec_task_row **v, size_t *n,
		    struct err *err)
{
	sqlite3_stmt *s = prep(st,
			       "SELECT id, name, cmd, status, layer, "
			       "(SELECT count(*) FROM attempt a WHERE a.task_id = t.id), max_attempts, "
			       "timeout_ms, cpu, mem, gpu, cache, deps, outs, metrics_files, next_attempt "
			       "FROM task t WHERE run_id = ? ORDER BY layer, id",
			       err);
	sqlite3_stmt *e = NULL;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 16);
		struct exec_task_row *t = &(*v)[(*n)++];
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int64(s, 0);
		t->name = col_str(s, 1);
		t->cmd = col_str(s, 2);
		t->status = col_str(s, 3);
		t->layer = sqlite3_column_int(s, 4);
		t->attempts = sqlite3_column_int(s, 5);
		t->max_attempts = sqlite3_column_int(s, 6);
		t->timeout_ms = sqlite3_column_int64(s, 7);
		t->cpu = sqlite3_column_double(s, 8);
		t->mem = sqlite3_column_int64(s, 9);
		t->gpu = sqlite3_column_int(s, 10);
		t->cache = sqlite3_column_int(s, 11) != 0;
		t->deps = col_str(s, 12);
		t->outs = col_str(s, 13);
		t->metrics_files = col_str(s, 14);
		t->next_attempt = sqlite3_column_int64(s, 15);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	e = prep(st, "SELECT e.task_id, e.upstream_id FROM task_edge e JOIN task t ON t.id = e.task_id "
		     "WHERE t.run_id = ? ORDER BY e.task_id, e.upstream_id",
		 err);
	if (!e)
		goto fail;
	sqlite3_bind_int64(e, 1, run);
	while ((rc = sqlite3_step(e)) == SQLITE_ROW) {
		int64_t tid = sqlite3_column_int64(e, 0);
		for (size_t i = 0; i < *n; i++) {
			struct exec_task_row *t = &(*v)[i];
			if (t->id != tid)
				continue;
			t->up = xrealloc(t->up, (t->n_up + 1) * sizeof(*t->up));
			t->up[t->n_up++] = sqlite3_column_int64(e, 1);
			break;
		}
	}
	sqlite3_finalize(e);
	if (rc != SQLITE_DONE)
		goto fail;
	return 0;
fail:
	db_err(st, err, "reading a run's tasks");
	store_exec_tasks_free(*v, *n);
	*v = NULL;
	*n = 0;
	return -1;
}

void store_exec_tasks_free(struct exec_task_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].cmd);
		free(v[i].status);
		free(v[i].deps);
		free(v[i].outs);
		free(v[i].metrics_files);
		free(v[i].up);
	}
	free(v);
}

/* Runs one write statement with the given binds (i: int64, s: text, d:
 * double, n: int64 with 0 as NULL, e: int64 with negatives as NULL) in a
 * transaction of its own unless one is open. */
static int write1(struct store *st, struct err *err, const char *what, const char *sql,
		  const char *types, ...)
{
	bool own;
	va_list ap;
	int rc = -1;

	if (tx_enter(st, &own, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st, sql, err);
	if (s) {
		va_start(ap, types);
		for (int i = 0; types[i]; i++) {
			switch (types[i]) {
			case 'i': sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t)); break;
			case 'n': bind_ms(s, i + 1, va_arg(ap, int64_t)); break;
			case 'e': {
				int64_t x = va_arg(ap, int64_t);
				if (x < 0)
					sqlite3_bind_null(s, i + 1);
				else
					sqlite3_bind_int64(s, i + 1, x);
				break;
			}
			case 'd': sqlite3_bind_double(s, i + 1, va_arg(ap, double)); break;
			case 's': bind_str(s, i + 1, va_arg(ap, const char *)); break;
			}
		}
		va_end(ap);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : db_err(st, err, what);
		sqlite3_finalize(s);
	}
	return tx_leave(st, own, rc, err);
}

int store_run_mark_started(struct store *st, int64_t run, const char *workspace, int64_t when,
			   struct err *err)
{
	return write1(st, err, "starting the run",
		      "UPDATE run SET status = 'running', started = coalesce(started, ?), "
		      "workspace = coalesce(?, workspace) WHERE id = ?",
		      "isi", when, workspace, run);
}

int store_run_mark_finished(struct store *st, int64_t run, const char *status, int64_t when,
			    struct err *err)
{
	return write1(st, err, "finishing the run",
		      "UPDATE run SET status = ?, finished = ?, started = coalesce(started, ?) WHERE id = ?",
		      "siii", status, when, when, run);
}

int store_task_mark(struct store *st, int64_t task, const struct task_mark *m, struct err *err)
{
	struct sbuf sql;
	sqlite3_stmt *s;
	bool own;
	int rc = -1;

	sbuf_init(&sql);
	sbuf_puts(&sql, "UPDATE task SET status = coalesce(?1, status)");
	if (m->exit_code != -2)
		sbuf_puts(&sql, ", exit_code = ?2");
	if (m->reason)
		sbuf_puts(&sql, ", reason = ?3");
	if (m->started)
		sbuf_puts(&sql, ", started = ?4");
	if (m->finished)
		sbuf_puts(&sql, ", finished = ?5");
	if (m->cached >= 0)
		sbuf_puts(&sql, ", cached = ?6");
	if (m->cache_key)
		sbuf_puts(&sql, ", cache_key = ?7");
	if (m->next_attempt >= 0)
		sbuf_puts(&sql, ", next_attempt = ?8");
	sbuf_puts(&sql, " WHERE id = ?9");
	if (tx_enter(st, &own, err) < 0) {
		sbuf_free(&sql);
		return -1;
	}
	s = prep(st, sbuf_str(&sql), err);
	sbuf_free(&sql);
	if (s) {
		bind_str(s, 1, m->status);
		if (m->exit_code >= 0)
			sqlite3_bind_int(s, 2, m->exit_code);
		else
			sqlite3_bind_null(s, 2);
		bind_str(s, 3, m->reason);
		sqlite3_bind_int64(s, 4, m->started);
		sqlite3_bind_int64(s, 5, m->finished);
		sqlite3_bind_int(s, 6, m->cached > 0);
		bind_str(s, 7, m->cache_key);
		bind_ms(s, 8, m->next_attempt);
		sqlite3_bind_int64(s, 9, task);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : db_err(st, err, "updating a task");
		sqlite3_finalize(s);
	}
	return tx_leave(st, own, rc, err);
}

int store_attempt_begin(struct store *st, int64_t task, int number, int pid, const char *boot_id,
			const char *log_path, int64_t started, int64_t *attempt, struct err *err)
{
	int rc = write1(st, err, "recording an attempt",
			"INSERT INTO attempt(task_id, number, status, pid, boot_id, started, log_path) "
			"VALUES (?, ?, 'running', ?, ?, ?, ?)",
			"iiisis", task, (int64_t)number, (int64_t)pid, boot_id, started, log_path);

	if (rc == 0)
		*attempt = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_attempt_end(struct store *st, int64_t attempt, const struct attempt_end *e, struct err *err)
{
	return write1(st, err, "finishing an attempt",
		      "UPDATE attempt SET status = ?, exit_code = ?, signal = ?, reason = ?, finished = ?, "
		      "wall_ms = ?, cpu_ms = ?, peak_rss_kb = ?, bad_lines = ? WHERE id = ?",
		      "sensiiiiii", e->status, (int64_t)e->exit_code, (int64_t)e->signal, e->reason,
		      e->finished, e->wall_ms, e->cpu_ms, e->peak_rss_kb, (int64_t)e->bad_lines, attempt);
}

int store_attempts_running(struct store *st, struct running_attempt **v, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT a.id, a.task_id, t.run_id, a.pid, a.boot_id FROM attempt a "
				   "JOIN task t ON t.id = a.task_id WHERE a.status = 'running' ORDER BY a.id",
			       err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 8);
		struct running_attempt *a = &(*v)[(*n)++];
		a->attempt = sqlite3_column_int64(s, 0);
		a->task = sqlite3_column_int64(s, 1);
		a->run = sqlite3_column_int64(s, 2);
		a->pid = sqlite3_column_int(s, 3);
		a->boot_id = col_str(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_running_attempts_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading running attempts");
	}
	return 0;
}

void store_running_attempts_free(struct running_attempt *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].boot_id);
	free(v);
}

int store_run_param_put(struct store *st, int64_t run, const char *name, const char *value,
			struct err *err)
{
	return write1(st, err, "recording a param",
		      "INSERT OR REPLACE INTO run_param(run_id, name, value) VALUES (?,?,?)", "iss", run,
		      name, value);
}

int store_tag_put(struct store *st, int64_t run, const char *name, const char *value, struct err *err)
{
	return write1(st, err, "recording a tag", "INSERT OR REPLACE INTO tag(run_id, name, value) VALUES (?,?,?)",
		      "iss", run, name, value);
}

/* ---- artifacts ---- */

int store_artifact_add(struct store *st, int64_t run, int64_t task, const char *path,
		       const char *sha256, int64_t size, const char *kind, int64_t *id, struct err *err)
{
	int rc = write1(st, err, "recording an artifact",
			"INSERT INTO artifact(run_id, task_id, path, sha256, size, kind, created) "
			"VALUES (?,?,?,?,?,?,?)",
			"nnssisi", run, task, path, sha256, size, kind, time_now_ms());

	if (rc == 0 && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_lineage_add(struct store *st, int64_t task, int64_t artifact, const char *role,
		      struct err *err)
{
	return write1(st, err, "recording lineage",
		      "INSERT OR IGNORE INTO lineage(task_id, artifact_id, role) VALUES (?,?,?)", "iis",
		      task, artifact, role);
}

int store_artifact_find(struct store *st, int64_t run, const char *path, int64_t *id, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT a.id FROM artifact a JOIN lineage l ON l.artifact_id = a.id "
				   "AND l.role = 'output' WHERE a.run_id = ? AND a.path = ? "
				   "ORDER BY a.id DESC LIMIT 1",
			       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(st, err, "reading artifacts");
}

static int read_artifacts(struct store *st, sqlite3_stmt *s, struct artifact_row **v, size_t *n,
			  struct err *err)
{
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 8);
		struct artifact_row *a = &(*v)[(*n)++];
		a->id = sqlite3_column_int64(s, 0);
		a->path = col_str(s, 1);
		a->sha256 = col_str(s, 2);
		a->size = sqlite3_column_int64(s, 3);
		a->kind = col_str(s, 4);
		a->task = col_str(s, 5);
		a->role = col_str(s, 6);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_artifacts_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading artifacts");
	}
	return 0;
}

int store_run_artifacts(struct store *st, int64_t run, struct artifact_row **v, size_t *n,
			struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT a.id, a.path, a.sha256, a.size, a.kind, t.name, l.role "
				   "FROM artifact a LEFT JOIN lineage l ON l.artifact_id = a.id "
				   "LEFT JOIN task t ON t.id = l.task_id WHERE a.run_id = ? ORDER BY a.id, l.role",
			       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	return read_artifacts(st, s, v, n, err);
}

void store_artifacts_free(struct artifact_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].sha256);
		free(v[i].kind);
		free(v[i].task);
		free(v[i].role);
	}
	free(v);
}

int store_cache_find(struct store *st, const char *key, int64_t *task, struct artifact_row **outs,
		     size_t *n, struct err *err)
{
	int64_t id = 0;
	sqlite3_stmt *s = prep(st, "SELECT id FROM task WHERE cache_key = ? AND status = 'succeeded' "
				   "AND cached = 0 ORDER BY id DESC LIMIT 1",
			       err);

	*outs = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(st, err, "looking up the cache");
	*task = id;
	if (!id)
		return 0;
	s = prep(st, "SELECT a.id, a.path, a.sha256, a.size, a.kind, NULL, l.role FROM artifact a "
		     "JOIN lineage l ON l.artifact_id = a.id AND l.role = 'output' WHERE l.task_id = ? "
		     "ORDER BY a.id",
		 err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return read_artifacts(st, s, outs, n, err);
}

int store_metrics_copy(struct store *st, int64_t from_task, int64_t to_run, int64_t to_task,
		       struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT k.name, m.step, m.value, m.time FROM metric m "
				   "JOIN metric_key k ON k.id = m.key_id JOIN task t ON t.id = ?1 "
				   "WHERE m.run_id = t.run_id AND m.task_id = ?1 ORDER BY m.key_id, m.step, m.seq",
			       err);
	struct metric_point *pts = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, from_task);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			pts = xrealloc(pts, cap * sizeof(*pts));
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n] = col_str(s, 0);
		pts[n].name = names[n];
		pts[n].step = sqlite3_column_int64(s, 1);
		pts[n].value = col_real(s, 2);
		pts[n].time = sqlite3_column_int64(s, 3);
		pts[n].task_id = to_task;
		n++;
	}
	sqlite3_finalize(s);
	rc = rc == SQLITE_DONE ? store_metrics_append(st, to_run, pts, n, err)
			       : db_err(st, err, "reading cached metrics");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(pts);
	return rc;
}

/* ---- reading for the CLI ---- */

int store_metric_points(struct store *st, int64_t run, const char *name,
			int (*fn)(void *arg, const struct metric_row *row), void *arg, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT k.name, m.step, m.value, m.time, t.name FROM metric m "
				   "JOIN metric_key k ON k.id = m.key_id LEFT JOIN task t ON t.id = m.task_id "
				   "WHERE m.run_id = ?1 AND (?2 IS NULL OR k.name = ?2) "
				   "ORDER BY k.name, m.step, m.seq",
			       err);
	int rc;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	bind_str(s, 2, name);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct metric_row r;
		r.name = (const char *)sqlite3_column_text(s, 0);
		r.step = sqlite3_column_int64(s, 1);
		r.value = col_real(s, 2);
		r.time = sqlite3_column_int64(s, 3);
		r.task = (const char *)sqlite3_column_text(s, 4);
		if (fn(arg, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_err(st, err, "reading metrics");
}

int store_attempts(struct store *st, int64_t run, const char *task, struct attempt_row **v, size_t *n,
		   struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT a.id, t.name, a.number, a.status, a.log_path, "
				   "t.status IN ('succeeded','cached','failed','upstream_failed','cancelled') "
				   "FROM attempt a JOIN task t ON t.id = a.task_id WHERE t.run_id = ?1 "
				   "AND (?2 IS NULL OR t.name = ?2) ORDER BY t.layer, t.id, a.number",
			       err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	bind_str(s, 2, task);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 8);
		struct attempt_row *a = &(*v)[(*n)++];
		a->id = sqlite3_column_int64(s, 0);
		a->task = col_str(s, 1);
		a->number = sqlite3_column_int(s, 2);
		a->status = col_str(s, 3);
		a->log_path = col_str(s, 4);
		a->task_done = sqlite3_column_int(s, 5) != 0;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_attempts_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading attempts");
	}
	return 0;
}

void store_attempts_free(struct attempt_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].task);
		free(v[i].status);
		free(v[i].log_path);
	}
	free(v);
}

int store_queue_counts(struct store *st, struct queue_counts *c, struct err *err)
{
	int64_t a, b, d;

	if (query_int(st, "SELECT count(*) FROM task t JOIN run r ON r.id = t.run_id WHERE t.status = 'running'", &a, err) < 0 ||
	    query_int(st, "SELECT count(*) FROM run WHERE status = 'queued'", &b, err) < 0 ||
	    query_int(st, "SELECT count(*) FROM run WHERE status = 'running'", &d, err) < 0)
		return -1;
	c->running_tasks = (int)a;
	c->queued_runs = (int)b;
	c->running_runs = (int)d;
	return 0;
}

/* ---- for the UI ---- */

int store_queue_tasks(struct store *st, struct queue_task **v, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st,
			       "SELECT t.run_id, t.id, r.pipeline, t.name, t.status, t.cpu, t.mem, t.gpu, "
			       "t.started, (SELECT count(*) FROM attempt a WHERE a.task_id = t.id) "
			       "FROM task t JOIN run r ON r.id = t.run_id "
			       "WHERE r.status IN ('queued','running') AND t.status IN ('running','pending','retrying') "
			       "ORDER BY t.status != 'running', t.run_id, t.layer, t.id",
			       err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 16);
		struct queue_task *q = &(*v)[(*n)++];
		q->run = sqlite3_column_int64(s, 0);
		q->task = sqlite3_column_int64(s, 1);
		q->pipeline = col_str(s, 2);
		q->name = col_str(s, 3);
		q->status = col_str(s, 4);
		q->cpu = sqlite3_column_double(s, 5);
		q->mem = sqlite3_column_int64(s, 6);
		q->gpu = sqlite3_column_int(s, 7);
		q->started = strcmp(q->status, "running") ? 0 : sqlite3_column_int64(s, 8);
		q->attempts = sqlite3_column_int(s, 9);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_queue_tasks_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading the queue");
	}
	return 0;
}

void store_queue_tasks_free(struct queue_task *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].pipeline);
		free(v[i].name);
		free(v[i].status);
	}
	free(v);
}

int store_task_retry(struct store *st, int64_t run, const char *task, struct err *err)
{
	char status[32];
	bool own;
	int rc = -1;

	if (store_run_status(st, run, status, sizeof(status), err) < 0)
		return -1;
	if (!status[0])
		return err_set(err, "no run %lld", (long long)run);
	if (!strcmp(status, "queued") || !strcmp(status, "running"))
		return err_set(err, "run %lld is still %s: retry a task once the run has ended", (long long)run, status);
	if (tx_enter(st, &own, err) < 0)
		return -1;
	/* the task and everything downstream of it, by the recorded edges */
	sqlite3_stmt *s = prep(st,
			       "WITH RECURSIVE down(id) AS ("
			       "  SELECT id FROM task WHERE run_id = ?1 AND name = ?2 "
			       "    AND status IN ('failed','cancelled')"
			       "  UNION SELECT e.task_id FROM task_edge e JOIN down ON e.upstream_id = down.id) "
			       "UPDATE task SET status = 'pending', exit_code = NULL, reason = NULL, started = NULL, "
			       "finished = NULL, next_attempt = NULL, "
			       "max_attempts = max_attempts + (SELECT count(*) FROM attempt a WHERE a.task_id = task.id) "
			       "WHERE id IN (SELECT id FROM down)",
			       err);
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, task, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_err(st, err, "retrying the task");
		sqlite3_finalize(s);
		goto out;
	}
	sqlite3_finalize(s);
	if (sqlite3_changes(st->db) == 0) {
		char tstatus[32] = "";
		sqlite3_stmt *q = prep(st, "SELECT status FROM task WHERE run_id = ? AND name = ?", err);
		if (q) {
			sqlite3_bind_int64(q, 1, run);
			sqlite3_bind_text(q, 2, task, -1, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW)
				snprintf(tstatus, sizeof(tstatus), "%s", (const char *)sqlite3_column_text(q, 0));
			sqlite3_finalize(q);
		}
		if (!tstatus[0])
			err_set(err, "run %lld has no task \"%s\"", (long long)run, task);
		else if (!strcmp(tstatus, "upstream_failed"))
			err_set(err, "task %s of run %lld did not run because a task before it failed: retry that one",
				task, (long long)run);
		else
			err_set(err, "task %s of run %lld has not failed (it is %s): nothing to retry", task,
				(long long)run, tstatus);
		goto out;
	}
	rc = write1(st, err, "re-queueing the run",
		    "UPDATE run SET status = 'queued', finished = NULL, cancel_requested = 0 WHERE id = ?", "i", run);
out:
	return tx_leave(st, own, rc, err);
}

/* ---- the model registry ---- */

static int model_id(struct store *st, const char *name, bool create, int64_t *id, struct err *err)
{
	sqlite3_stmt *s;

	*id = 0;
	if (create) {
		s = prep(st, "INSERT INTO model(name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", err);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, time_now_ms());
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return db_err(st, err, "recording the model");
	}
	s = prep(st, "SELECT id FROM model WHERE name = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (!*id)
		return err_set(err, "no model \"%s\" in the registry (see `mlwb models list`)", name);
	return 0;
}

int store_model_add_version(struct store *st, const char *model, int64_t artifact, int64_t run,
			    int64_t task, const char *user, const char *gate, int gate_passed,
			    const char *gate_reason, int *version, struct err *err)
{
	bool own;
	int64_t mid, v = 0;
	int rc = -1;

	if (tx_enter(st, &own, err) < 0)
		return -1;
	if (model_id(st, model, true, &mid, err) < 0)
		goto out;
	char *q = xasprintf("SELECT coalesce(max(version), 0) + 1 FROM model_version WHERE model_id = %lld",
			    (long long)mid);
	rc = query_int(st, q, &v, err);
	free(q);
	if (rc < 0)
		goto out;
	rc = write1(st, err, "recording the model version",
		    "INSERT INTO model_version(model_id, version, artifact_id, run_id, task_id, created, user, "
		    "gate, gate_passed, gate_reason) VALUES (?,?,?,?,?,?,?,?,?,?)",
		    "iiinnisses", mid, v, artifact, run, task, time_now_ms(), user, gate, (int64_t)gate_passed,
		    gate_reason);
	*version = (int)v;
out:
	return tx_leave(st, own, rc, err);
}

int store_model_set_stage(struct store *st, const char *model, int version, const char *stage,
			  const char *user, const char *reason, struct err *err)
{
	bool own;
	int64_t mid, vid = 0, old = 0;
	int rc = -1;

	if (tx_enter(st, &own, err) < 0)
		return -1;
	if (model_id(st, model, false, &mid, err) < 0)
		goto out;
	char *q = xasprintf("SELECT id FROM model_version WHERE model_id = %lld AND version = %d", (long long)mid,
			    version);
	rc = query_int(st, q, &vid, err);
	free(q);
	if (rc < 0)
		goto out;
	rc = -1;
	if (!vid) {
		err_set(err, "model %s has no version %d", model, version);
		goto out;
	}
	int64_t now = time_now_ms();
	if (!strcmp(stage, "archived")) {
		/* out of every stage, each move in the history */
		rc = write1(st, err, "archiving",
			    "INSERT INTO model_stage_history(model_id, version_id, stage, action, user, time, reason) "
			    "SELECT model_id, version_id, stage, 'unset', ?, ?, 'archived' FROM model_stage WHERE version_id = ?",
			    "sii", user, now, vid);
		if (rc == 0)
			rc = write1(st, err, "archiving", "DELETE FROM model_stage WHERE version_id = ?", "i", vid);
		if (rc == 0)
			rc = write1(st, err, "archiving", "UPDATE model_version SET archived = 1 WHERE id = ?", "i", vid);
	} else {
		q = xasprintf("SELECT version_id FROM model_stage WHERE model_id = %lld AND stage = '%s'",
			      (long long)mid, stage);
		rc = strchr(stage, '\'') ? err_set(err, "a stage name has no quotes") : query_int(st, q, &old, err);
		free(q);
		if (rc == 0 && old == vid) {
			err_set(err, "%s version %d already holds %s", model, version, stage);
			rc = -1;
			goto out;
		}
		if (rc == 0 && old)
			rc = write1(st, err, "recording the stage change",
				    "INSERT INTO model_stage_history(model_id, version_id, stage, action, user, time, reason) "
				    "VALUES (?, ?, ?, 'unset', ?, ?, ?)",
				    "iissis", mid, old, stage, user, now, reason);
		if (rc == 0)
			rc = write1(st, err, "promoting",
				    "INSERT OR REPLACE INTO model_stage(model_id, stage, version_id) VALUES (?, ?, ?)", "isi",
				    mid, stage, vid);
		if (rc == 0)
			rc = write1(st, err, "promoting", "UPDATE model_version SET archived = 0 WHERE id = ?", "i", vid);
	}
	if (rc == 0)
		rc = write1(st, err, "recording the stage change",
			    "INSERT INTO model_stage_history(model_id, version_id, stage, action, user, time, reason) "
			    "VALUES (?, ?, ?, 'set', ?, ?, ?)",
			    "iissis", mid, vid, stage, user, now, reason);
out:
	return tx_leave(st, own, rc, err);
}

int store_models(struct store *st, struct model_row **v, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st,
			       "SELECT m.id, m.name, (SELECT count(*) FROM model_version v WHERE v.model_id = m.id), "
			       "(SELECT v.version FROM model_stage g JOIN model_version v ON v.id = g.version_id "
			       "  WHERE g.model_id = m.id AND g.stage = 'production'), "
			       "(SELECT v.version FROM model_stage g JOIN model_version v ON v.id = g.version_id "
			       "  WHERE g.model_id = m.id AND g.stage = 'staging'), m.created, "
			       "(SELECT max(created) FROM model_version v WHERE v.model_id = m.id) "
			       "FROM model m ORDER BY m.name",
			       err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 8);
		struct model_row *m = &(*v)[(*n)++];
		m->id = sqlite3_column_int64(s, 0);
		m->name = col_str(s, 1);
		m->versions = sqlite3_column_int(s, 2);
		m->production = sqlite3_column_int(s, 3);
		m->staging = sqlite3_column_int(s, 4);
		m->created = sqlite3_column_int64(s, 5);
		m->updated = sqlite3_column_int64(s, 6);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_models_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading models");
	}
	return 0;
}

void store_models_free(struct model_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

int store_model_versions(struct store *st, const char *model, int version, struct model_version_row **v,
			 size_t *n, struct err *err)
{
	int64_t mid;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (model_id(st, model, false, &mid, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st,
			       "SELECT v.id, v.version, a.path, a.sha256, a.size, v.run_id, v.task_id, t.name, "
			       "v.created, v.user, v.gate, v.gate_passed, v.gate_reason, v.archived, "
			       "(SELECT group_concat(g.stage, ', ') FROM model_stage g WHERE g.version_id = v.id) "
			       "FROM model_version v JOIN artifact a ON a.id = v.artifact_id "
			       "LEFT JOIN task t ON t.id = v.task_id "
			       "WHERE v.model_id = ?1 AND (?2 = 0 OR v.version = ?2) ORDER BY v.version DESC",
			       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, mid);
	sqlite3_bind_int(s, 2, version);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 8);
		struct model_version_row *m = &(*v)[(*n)++];
		m->id = sqlite3_column_int64(s, 0);
		m->model = xstrdup(model);
		m->version = sqlite3_column_int(s, 1);
		m->path = col_str(s, 2);
		m->sha256 = col_str(s, 3);
		m->size = sqlite3_column_int64(s, 4);
		m->run = sqlite3_column_int64(s, 5);
		m->task = sqlite3_column_int64(s, 6);
		m->task_name = col_str(s, 7);
		m->created = sqlite3_column_int64(s, 8);
		m->user = col_str(s, 9);
		m->gate = col_str(s, 10);
		m->gate_passed = sqlite3_column_type(s, 11) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 11);
		m->gate_reason = col_str(s, 12);
		m->archived = sqlite3_column_int(s, 13) != 0;
		m->stages = col_str(s, 14);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_model_versions_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading model versions");
	}
	return 0;
}

void store_model_versions_free(struct model_version_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].model);
		free(v[i].path);
		free(v[i].sha256);
		free(v[i].task_name);
		free(v[i].user);
		free(v[i].gate);
		free(v[i].gate_reason);
		free(v[i].stages);
	}
	free(v);
}

int store_model_stage_holder(struct store *st, const char *model, const char *stage, int *version,
			     int64_t *run, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT v.version, v.run_id FROM model_stage g JOIN model m ON m.id = g.model_id "
				   "JOIN model_version v ON v.id = g.version_id WHERE m.name = ? AND g.stage = ?",
			       err);

	*version = 0;
	*run = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, stage, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		*run = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(st, err, "reading the stage");
}

int store_model_history(struct store *st, const char *model, struct stage_event **v, size_t *n,
			struct err *err)
{
	int64_t mid;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (model_id(st, model, false, &mid, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st, "SELECT h.stage, h.action, h.user, h.reason, v.version, h.time "
				   "FROM model_stage_history h LEFT JOIN model_version v ON v.id = h.version_id "
				   "WHERE h.model_id = ? ORDER BY h.id",
			       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, mid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 8);
		struct stage_event *e = &(*v)[(*n)++];
		e->stage = col_str(s, 0);
		e->action = col_str(s, 1);
		e->user = col_str(s, 2);
		e->reason = col_str(s, 3);
		e->version = sqlite3_column_int(s, 4);
		e->time = sqlite3_column_int64(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_stage_events_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading the stage history");
	}
	return 0;
}

void store_stage_events_free(struct stage_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].stage);
		free(v[i].action);
		free(v[i].user);
		free(v[i].reason);
	}
	free(v);
}

int store_task_register(struct store *st, int64_t task, char **json, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT register FROM task WHERE id = ?", err);

	*json = NULL;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, task);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*json = col_str(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(st, err, "reading the task");
}

/* ---- compare ---- */

int store_metric_best(struct store *st, int64_t run, struct metric_best **v, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT k.name, m.step, m.value FROM metric m JOIN metric_key k ON k.id = m.key_id "
				   "WHERE m.run_id = ? ORDER BY m.key_id, m.step, m.seq",
			       err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		struct metric_best *b = *n ? &(*v)[*n - 1] : NULL;
		if (!b || strcmp(b->name, name)) {
			XGROW(*v, *n, cap, 16);
			b = &(*v)[(*n)++];
			b->name = xstrdup(name);
			b->min = b->max = NAN;
			b->min_step = b->max_step = 0;
		}
		if (sqlite3_column_type(s, 2) == SQLITE_NULL)
			continue;
		double x = sqlite3_column_double(s, 2);
		int64_t step = sqlite3_column_int64(s, 1);
		if (isnan(b->min) || x < b->min) {
			b->min = x;
			b->min_step = step;
		}
		if (isnan(b->max) || x > b->max) {
			b->max = x;
			b->max_step = step;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_metric_best_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading metrics");
	}
	return 0;
}

void store_metric_best_free(struct metric_best *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* ---- monitors, drift, schedules ---- */

static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

static double col_nan(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

int store_monitor_ensure(struct store *st, const char *name, const char *reference, int64_t *id,
			 struct err *err)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO monitor(name, reference, created) VALUES (?, ?, ?) "
				   "ON CONFLICT(name) DO UPDATE SET reference = excluded.reference RETURNING id",
			       err);
	if (!s)
		return -1;
	bind_str(s, 1, name);
	bind_str(s, 2, reference);
	sqlite3_bind_int64(s, 3, time_now_ms());
	int rc = sqlite3_step(s) == SQLITE_ROW ? 0 : db_err(st, err, "recording the monitor");
	if (rc == 0)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc;
}

int store_drift_batch_find(struct store *st, int64_t monitor, const char *batch, int64_t *batch_id,
			   struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT id FROM drift_batch WHERE monitor_id = ? AND batch = ?", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, monitor);
	bind_str(s, 2, batch);
	int r = sqlite3_step(s), rc = 0;
	*batch_id = 0;
	if (r == SQLITE_ROW)
		*batch_id = sqlite3_column_int64(s, 0);
	else if (r != SQLITE_DONE)
		rc = db_err(st, err, "reading the drift batches");
	sqlite3_finalize(s);
	return rc;
}

int store_drift_batch_save(struct store *st, int64_t monitor, const struct drift_batch_row *b,
			   const struct drift_result_row *cols, size_t n, bool replace, int64_t *id,
			   struct err *err)
{
	bool own;
	int rc = -1;
	sqlite3_stmt *s = NULL;
	if (tx_enter(st, &own, err) < 0)
		return -1;
#define BATCH_INSERT                                                                              \
	"INSERT INTO drift_batch(monitor_id, batch, evaluated, n_reference, n_current, share_drifted, " \
	"dataset_drift, tested_columns, drifted_columns, reference, error) "                              \
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(monitor_id, batch) DO "
	s = prep(st, replace ? BATCH_INSERT "UPDATE SET evaluated = excluded.evaluated, "
				   "n_reference = excluded.n_reference, n_current = excluded.n_current, "
				   "share_drifted = excluded.share_drifted, dataset_drift = excluded.dataset_drift, "
				   "tested_columns = excluded.tested_columns, drifted_columns = excluded.drifted_columns, "
				   "reference = excluded.reference, error = excluded.error RETURNING id"
			     : BATCH_INSERT "NOTHING RETURNING id",
		 err);
#undef BATCH_INSERT
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, monitor);
	bind_str(s, 2, b->batch);
	sqlite3_bind_int64(s, 3, b->evaluated ? b->evaluated : time_now_ms());
	sqlite3_bind_int64(s, 4, b->n_reference);
	sqlite3_bind_int64(s, 5, b->n_current);
	bind_real(s, 6, b->share);
	sqlite3_bind_int(s, 7, b->dataset_drift);
	sqlite3_bind_int64(s, 8, b->tested);
	sqlite3_bind_int64(s, 9, b->drifted);
	bind_str(s, 10, b->reference);
	bind_str(s, 11, b->error);
	int step = sqlite3_step(s);
	if (step == SQLITE_DONE && !replace) { /* stored by another process first */
		rc = 1;
		goto out;
	}
	if (step != SQLITE_ROW) {
		db_err(st, err, "storing the drift batch");
		goto out;
	}
	*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (write1(st, err, "storing the drift results", "DELETE FROM drift_result WHERE batch_id = ?", "i",
		   *id) < 0)
		goto out;
	s = prep(st, "INSERT INTO drift_result(batch_id, column_name, kind, test, statistic, p_value, score, "
		     "threshold, drifted, psi, jensenshannon, wasserstein, hist_reference, hist_current, "
		     "position, ks_statistic, ks_p_value, n_reference, n_current, skipped) "
		     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		 err);
	if (!s)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct drift_result_row *c = &cols[i];
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, *id);
		bind_str(s, 2, c->column);
		bind_str(s, 3, c->kind);
		bind_str(s, 4, c->test ? c->test : "-");
		bind_real(s, 5, c->statistic);
		bind_real(s, 6, c->p_value);
		bind_real(s, 7, c->score);
		bind_real(s, 8, c->threshold);
		sqlite3_bind_int(s, 9, c->drifted);
		bind_real(s, 10, c->psi);
		bind_real(s, 11, c->js);
		bind_real(s, 12, c->wasserstein);
		bind_str(s, 13, c->hist_reference);
		bind_str(s, 14, c->hist_current);
		sqlite3_bind_int64(s, 15, (int64_t)i);
		bind_real(s, 16, c->ks_statistic);
		bind_real(s, 17, c->ks_p_value);
		sqlite3_bind_int64(s, 18, c->n_reference);
		sqlite3_bind_int64(s, 19, c->n_current);
		bind_str(s, 20, c->skipped);
		if (sqlite3_step(s) != SQLITE_DONE) {
			db_err(st, err, "storing the drift results");
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	if (rc == 1) {
		tx_leave(st, own, 0, err);
		return 1;
	}
	return tx_leave(st, own, rc, err);
}

int store_drift_batch_set_run(struct store *st, int64_t batch, int64_t run, struct err *err)
{
	return write1(st, err, "linking the triggered run", "UPDATE drift_batch SET triggered_run = ? WHERE id = ?",
		      "ii", run, batch);
}

int store_drift_batch_run(struct store *st, int64_t batch, int64_t *run, struct err *err)
{
	char *sql = xasprintf("SELECT coalesce(triggered_run, 0) FROM drift_batch WHERE id = %lld", (long long)batch);
	int rc = query_int(st, sql, run, err);
	free(sql);
	return rc;
}

int store_drift_waiting_run(struct store *st, int64_t monitor, int64_t *run, struct err *err)
{
	char *sql = xasprintf("SELECT b.triggered_run FROM drift_batch b JOIN run r ON r.id = b.triggered_run "
			      "WHERE b.monitor_id = %lld AND r.status IN ('queued', 'running') "
			      "ORDER BY b.triggered_run DESC LIMIT 1",
			      (long long)monitor);
	int rc = query_int(st, sql, run, err);
	free(sql);
	return rc;
}

int store_drift_batches(struct store *st, const char *monitor, struct drift_batch_row **v, size_t *n,
			struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT b.id, m.name, b.batch, b.reference, b.error, b.evaluated, "
				   "b.n_reference, b.n_current, b.tested_columns, b.drifted_columns, "
				   "b.share_drifted, b.dataset_drift, b.triggered_run "
				   "FROM drift_batch b JOIN monitor m ON m.id = b.monitor_id "
				   "WHERE ?1 IS NULL OR m.name = ?1 ORDER BY m.name, b.batch",
			       err);
	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	bind_str(s, 1, monitor);
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 16);
		struct drift_batch_row *b = &(*v)[(*n)++];
		b->id = sqlite3_column_int64(s, 0);
		b->monitor = col_str(s, 1);
		b->batch = col_str(s, 2);
		b->reference = col_str(s, 3);
		b->error = col_str(s, 4);
		b->evaluated = sqlite3_column_int64(s, 5);
		b->n_reference = sqlite3_column_int64(s, 6);
		b->n_current = sqlite3_column_int64(s, 7);
		b->tested = sqlite3_column_int64(s, 8);
		b->drifted = sqlite3_column_int64(s, 9);
		b->share = col_nan(s, 10);
		b->dataset_drift = sqlite3_column_int(s, 11) != 0;
		b->triggered_run = sqlite3_column_int64(s, 12);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_drift_batches_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading the drift batches");
	}
	return 0;
}

void store_drift_batches_free(struct drift_batch_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].monitor);
		free(v[i].batch);
		free(v[i].reference);
		free(v[i].error);
	}
	free(v);
}

int store_drift_results(struct store *st, int64_t batch, struct drift_result_row **v, size_t *n,
			struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT column_name, kind, test, skipped, statistic, p_value, score, "
				   "threshold, drifted, psi, jensenshannon, wasserstein, ks_statistic, ks_p_value, "
				   "n_reference, n_current, hist_reference, hist_current "
				   "FROM drift_result WHERE batch_id = ? ORDER BY position",
			       err);
	*v = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, batch);
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*v, *n, cap, 16);
		struct drift_result_row *c = &(*v)[(*n)++];
		c->column = col_str(s, 0);
		c->kind = col_str(s, 1);
		c->test = col_str(s, 2);
		c->skipped = col_str(s, 3);
		c->statistic = col_nan(s, 4);
		c->p_value = col_nan(s, 5);
		c->score = col_nan(s, 6);
		c->threshold = col_nan(s, 7);
		c->drifted = sqlite3_column_int(s, 8) != 0;
		c->psi = col_nan(s, 9);
		c->js = col_nan(s, 10);
		c->wasserstein = col_nan(s, 11);
		c->ks_statistic = col_nan(s, 12);
		c->ks_p_value = col_nan(s, 13);
		c->n_reference = sqlite3_column_int64(s, 14);
		c->n_current = sqlite3_column_int64(s, 15);
		c->hist_reference = col_str(s, 16);
		c->hist_current = col_str(s, 17);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_drift_results_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_err(st, err, "reading the drift results");
	}
	return 0;
}

void store_drift_results_free(struct drift_result_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].column);
		free(v[i].kind);
		free(v[i].test);
		free(v[i].skipped);
		free(v[i].hist_reference);
		free(v[i].hist_current);
	}
	free(v);
}

int store_monitor_names(struct store *st, char ***names, size_t *n, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT name FROM monitor ORDER BY name", err);
	*names = NULL;
	*n = 0;
	if (!s)
		return -1;
	size_t cap = 0;
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*names, *n, cap, 8);
		(*names)[(*n)++] = col_str(s, 0);
	}
	sqlite3_finalize(s);
	return r == SQLITE_DONE ? 0 : db_err(st, err, "reading the monitors");
}

int store_schedule_get(struct store *st, const char *name, char **value, int64_t *fired, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT value, fired FROM schedule_state WHERE name = ?", err);
	*value = NULL;
	*fired = 0;
	if (!s)
		return -1;
	bind_str(s, 1, name);
	int r = sqlite3_step(s), rc = 0;
	if (r == SQLITE_ROW) {
		*value = col_str(s, 0);
		*fired = sqlite3_column_int64(s, 1);
	} else if (r != SQLITE_DONE) {
		rc = db_err(st, err, "reading the schedules");
	}
	sqlite3_finalize(s);
	return rc;
}

int store_schedule_set(struct store *st, const char *name, const char *kind, const char *value,
		       int64_t fired, int64_t run, struct err *err)
{
	return write1(st, err, "recording the schedule",
		      "INSERT INTO schedule_state(name, kind, value, fired, fired_run) VALUES (?, ?, ?, ?, ?) "
		      "ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, value = excluded.value, "
		      "fired = coalesce(excluded.fired, fired), fired_run = coalesce(excluded.fired_run, fired_run)",
		      "sssnn", name, kind, value, fired, run);
}

int store_watch_files(struct store *st, const char *schedule, struct strv *out, struct err *err)
{
	sqlite3_stmt *s = prep(st, "SELECT path, mtime, size FROM watch_file WHERE schedule = ?", err);
	if (!s)
		return -1;
	bind_str(s, 1, schedule);
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		char *line = xasprintf("%s\t%lld\t%lld", (const char *)sqlite3_column_text(s, 0),
				       (long long)sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2));
		strv_push(out, line);
		free(line);
	}
	sqlite3_finalize(s);
	return r == SQLITE_DONE ? 0 : db_err(st, err, "reading the watched files");
}

int store_watch_file_set(struct store *st, const char *schedule, const char *path, int64_t mtime,
			 int64_t size, struct err *err)
{
	return write1(st, err, "recording a watched file",
		      "INSERT OR REPLACE INTO watch_file(schedule, path, mtime, size) VALUES (?, ?, ?, ?)", "ssii",
		      schedule, path, mtime, size);
}
