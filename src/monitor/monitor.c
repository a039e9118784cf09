/* monitor.c - monitors: find batches, evaluate the new ones, store them, and
 * queue the on_drift run once per drifting batch. */
#include <ctype.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mlwb/artifacts.h"
#include "mlwb/drift.h"
#include "mlwb/exec.h"
#include "mlwb/monitor.h"
#include "mlwb/registry.h"
#include "mlwb/util.h"

/* ---- time ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	/* days since 1970-01-01 of a proleptic Gregorian date */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool monitor_parse_time(const char *s, int64_t *ms)
{
	double num;
	while (*s == ' ')
		s++;
	if (str_to_double(s, &num) && isfinite(num)) {
		*ms = fabs(num) > 1e11 ? (int64_t)num : (int64_t)llround(num * 1000.0);
		return true;
	}
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	const char *p = s + 10;
	int64_t frac_ms = 0, offset_min = 0;
	if (*p == 'T' || *p == ' ') {
		if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
			return false;
		p += 6;
		if (*p == ':') {
			if (!digits(p + 1, 2, &sec))
				return false;
			p += 3;
			if (*p == '.' || *p == ',') {
				p++;
				int64_t scale = 100;
				while (isdigit((unsigned char)*p)) {
					frac_ms += (*p - '0') * scale;
					scale /= 10;
					p++;
				}
			}
		}
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om = 0;
			int sign = *p == '-' ? -1 : 1;
			if (!digits(p + 1, 2, &oh))
				return false;
			p += 3;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p)) {
				if (!digits(p, 2, &om))
					return false;
				p += 2;
			}
			offset_min = sign * (oh * 60 + om);
		}
	}
	while (*p == ' ')
		p++;
	if (*p || h > 23 || mi > 59 || sec > 60)
		return false;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
	*ms = secs * 1000 + frac_ms;
	return true;
}

static char *window_name(int64_t start, int64_t every)
{
	time_t t = (time_t)(start / 1000);
	struct tm tm;
	char buf[64];
	gmtime_r(&t, &tm);
	if (every % 86400000 == 0)
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	else if (every % 60000 == 0)
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%MZ", &tm);
	else
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* ---- batches ---- */

struct window {
	int64_t start;
	size_t *rows, n, cap;
};

static int cmp_window(const void *a, const void *b)
{
	const struct window *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* Cuts a table into windows of `every` by its time column (UTC-aligned). */
static int cut_windows(struct csv_table *t, const char *column, int64_t every, struct window **out,
		       size_t *nout, struct err *err)
{
	int ci = csv_find(t, column);
	if (ci < 0)
		return err_set(err, "%s:1: no column \"%s\" (the monitor's window column)", t->path, column);
	struct csv_col *c = &t->cols[ci];
	if (!c->numeric) {
		bool *want = xcalloc(t->ncols, sizeof(bool));
		want[ci] = true;
		csv_load_strings(t, want);
		free(want);
	}
	struct window *w = NULL;
	size_t n = 0, cap = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		int64_t ms;
		if (c->numeric) {
			double v = c->num[r];
			if (!isfinite(v))
				continue; /* no time: in no window */
			ms = fabs(v) > 1e11 ? (int64_t)v : (int64_t)llround(v * 1000.0);
		} else {
			if (!c->str[r])
				continue;
			if (!monitor_parse_time(c->str[r], &ms)) {
				for (size_t i = 0; i < n; i++)
					free(w[i].rows);
				free(w);
				return err_set(err, "%s: data row %zu: \"%s\" in column \"%s\" is no time (ISO 8601 or epoch seconds)",
					       t->path, r + 1, c->str[r], column);
			}
		}
		int64_t start = ms >= 0 ? ms / every * every : -((-ms + every - 1) / every) * every;
		size_t i = n;
		/* rows usually come in time order: look at the last window first */
		if (n && w[n - 1].start == start)
			i = n - 1;
		else
			for (size_t j = 0; j < n; j++)
				if (w[j].start == start) {
					i = j;
					break;
				}
		if (i == n) {
			XGROW(w, n, cap, 16);
			memset(&w[n], 0, sizeof(*w));
			w[n++].start = start;
		}
		if (w[i].n == w[i].cap) {
			w[i].cap = w[i].cap ? w[i].cap * 2 : 64;
			w[i].rows = xrealloc(w[i].rows, w[i].cap * sizeof(size_t));
		}
		w[i].rows[w[i].n++] = r;
	}
	if (n)
		qsort(w, n, sizeof(*w), cmp_window);
	*out = w;
	*nout = n;
	return 0;
}

static void windows_free(struct window *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i].rows);
	free(w);
}

static int glob_batches(const struct project *p, const struct monitor_spec *m, struct monitor_batch **v,
			size_t *n, struct err *err)
{
	char *pattern = path_join(p->root, m->current);
	glob_t g;
	int rc = glob(pattern, 0, NULL, &g);
	*v = NULL;
	*n = 0;
	if (rc == GLOB_NOMATCH) {
		free(pattern);
		return 0;
	}
	if (rc != 0) {
		free(pattern);
		return err_set(err, "monitor %s: cannot list %s", m->name, m->current);
	}
	*v = xcalloc(g.gl_pathc + 1, sizeof(**v));
	size_t rootlen = strlen(p->root);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct stat sb;
		const char *path = g.gl_pathv[i];
		if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		struct monitor_batch *b = &(*v)[(*n)++];
		b->path = xstrdup(path);
		b->name = xstrdup(strncmp(path, p->root, rootlen) == 0 && path[rootlen] == '/' ? path + rootlen + 1
											  : path);
	}
	globfree(&g);
	free(pattern);
	return 0;
}

int monitor_batches(const struct project *p, const struct monitor_spec *m, struct monitor_batch **v,
		    size_t *n, struct err *err)
{
	if (!m->window_column)
		return glob_batches(p, m, v, n, err);
	*v = NULL;
	*n = 0;
	char *path = path_join(p->root, m->current);
	struct csv_table t;
	if (!path_exists(path)) {
		free(path);
		return 0;
	}
	int rc = csv_read(path, &t, err);
	if (rc == 0) {
		struct window *w;
		size_t nw;
		rc = cut_windows(&t, m->window_column, m->window_ms, &w, &nw, err);
		if (rc == 0) {
			int64_t now = time_now_ms();
			*v = xcalloc(nw + 1, sizeof(**v));
			for (size_t i = 0; i < nw; i++) {
				if (w[i].start + m->window_ms > now)
					continue; /* still open */
				struct monitor_batch *b = &(*v)[(*n)++];
				b->name = window_name(w[i].start, m->window_ms);
				b->path = xstrdup(path);
				b->start_ms = w[i].start;
				b->end_ms = w[i].start + m->window_ms;
			}
			windows_free(w, nw);
		}
		csv_free(&t);
	}
	free(path);
	return rc;
}

void monitor_batches_free(struct monitor_batch *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
}

int monitor_pending(const struct project *p, struct store *st, const struct monitor_spec *m,
		    size_t *pending, struct err *err)
{
	struct monitor_batch *v;
	size_t n;
	*pending = 0;
	if (monitor_batches(p, m, &v, &n, err) < 0)
		return -1;
	int64_t mid;
	int rc = store_monitor_ensure(st, m->name, NULL, &mid, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int64_t id;
		rc = store_drift_batch_find(st, mid, v[i].name, &id, err);
		if (rc == 0 && !id)
			(*pending)++;
	}
	monitor_batches_free(v, n);
	return rc;
}

/* ---- evaluation ---- */

/* The reference file and how to name it. */
static int reference_path(const struct project *p, struct store *st, const struct monitor_spec *m,
			  char **path, char **label, struct err *err)
{
	if (m->reference) {
		*path = path_join(p->root, m->reference);
		*label = xstrdup(m->reference);
		return 0;
	}
	struct model_version_row *row;
	if (registry_resolve(st, m->ref_model, &row, err) < 0) {
		err_prefix(err, "monitor %s: reference model %s", m->name, m->ref_model);
		return -1;
	}
	struct artifact_row *arts;
	size_t n;
	int rc = store_run_artifacts(st, row->run, &arts, &n, err);
	if (rc == 0) {
		rc = -1;
		for (size_t i = n; i-- > 0;)
			if (!strcmp(arts[i].path, m->ref_artifact) && arts[i].sha256) {
				char *objects = path_join(p->dir, "objects");
				*path = artifacts_object_path(objects, arts[i].sha256);
				*label = xasprintf("%s v%d (run %lld): %s", row->model, row->version,
						   (long long)row->run, m->ref_artifact);
				free(objects);
				rc = 0;
				break;
			}
		if (rc < 0)
			err_set(err, "monitor %s: run %lld of %s v%d has no artifact %s", m->name, (long long)row->run,
				row->model, row->version, m->ref_artifact);
		store_artifacts_free(arts, n);
	}
	store_model_versions_free(row, 1);
	return rc;
}

/* The columns to compare: the monitor's, or every column both sides share
 * but the window's time column. */
static void pick_columns(const struct monitor_spec *m, const struct csv_table *ref, const struct csv_table *cur,
			 struct drift_opts *o, struct strv *keep)
{
	if (m->columns.n) {
		o->columns = (const char *const *)m->columns.v;
		o->ncolumns = m->columns.n;
		return;
	}
	for (size_t i = 0; i < ref->ncols; i++) {
		const char *name = ref->cols[i].name;
		if (csv_find(cur, name) < 0 || (m->window_column && !strcmp(name, m->window_column)))
			continue;
		strv_push(keep, name);
	}
	o->columns = (const char *const *)keep->v;
	o->ncolumns = keep->n;
}

static char *trigger_detail(const struct monitor_spec *m, const char *batch, const struct drift_report *r)
{
	struct sbuf sb;
	sbuf_init(&sb);
	sbuf_printf(&sb, "monitor %s: batch %s drifted (%zu of %zu columns:", m->name, batch, r->drifted,
		    r->tested);
	size_t shown = 0;
	for (size_t i = 0; i < r->ncols; i++)
		if (r->cols[i].drifted && !r->cols[i].skipped) {
			if (shown == 5) {
				sbuf_puts(&sb, " ...");
				break;
			}
			sbuf_printf(&sb, "%s %s", shown ? "," : "", r->cols[i].name);
			shown++;
		}
	sbuf_putc(&sb, ')');
	return sbuf_detach(&sb);
}

struct evaluation {
	const struct project *p;
	struct store *st;
	const struct spec *spec;
	const struct monitor_spec *m;
	const struct monitor_run_opts *o;
	int64_t mid;
	const char *ref_label;
	int evaluated;
	int64_t pass_run; /* the run this pass queued */
	bool failed;
	struct err first_err;
};

static void report(struct evaluation *ev, const struct drift_batch_row *b, int64_t run, bool joined,
		   const char *error)
{
	if (!ev->o->event)
		return;
	struct monitor_event e = {.monitor = ev->m->name, .batch = b, .queued_run = run, .joined = joined,
				  .error = error};
	ev->o->event(ev->o->arg, &e);
}

static void batch_failed(struct evaluation *ev, const char *name, const struct err *err)
{
	struct drift_batch_row b = {.batch = (char *)name};
	report(ev, &b, 0, false, err->msg);
	if (!ev->failed)
		ev->first_err = *err;
	ev->failed = true;
}

static int evaluate(struct evaluation *ev, const char *name, int64_t existing, struct csv_table *ref,
		    struct csv_table *cur)
{
	const struct monitor_spec *m = ev->m;
	struct drift_opts o;
	struct strv keep = {0};
	struct drift_report r;
	struct err err;
	drift_opts_default(&o);
	o.shared_only = true;
	o.share = m->share;
	o.threshold = m->threshold;
	if (m->test)
		drift_test_parse(m->test, &o.test);
	pick_columns(m, ref, cur, &o, &keep);
	if (drift_compare(ref, cur, &o, &r, &err) < 0) {
		strv_free(&keep);
		batch_failed(ev, name, &err);
		return 0;
	}
	strv_free(&keep);
	struct drift_result_row *rows = xcalloc(r.ncols + 1, sizeof(*rows));
	for (size_t i = 0; i < r.ncols; i++) {
		const struct drift_column *c = &r.cols[i];
		struct drift_result_row *x = &rows[i];
		x->column = c->name;
		x->kind = c->numeric ? "num" : "cat";
		x->test = c->skipped ? NULL : (char *)drift_test_name(c->test);
		x->skipped = c->skipped;
		x->statistic = c->statistic;
		x->p_value = c->p_value;
		x->score = c->score;
		x->threshold = c->threshold;
		x->drifted = c->drifted;
		x->psi = c->psi;
		x->js = c->js;
		x->wasserstein = c->wasserstein;
		x->ks_statistic = c->ks_statistic;
		x->ks_p_value = c->ks_p_value;
		x->n_reference = (int64_t)c->n_ref;
		x->n_current = (int64_t)c->n_cur;
		if (c->hist.nbins) {
			x->hist_reference = drift_hist_json(&c->hist, false);
			x->hist_current = drift_hist_json(&c->hist, true);
		}
	}
	struct drift_batch_row b = {
		.batch = (char *)name,
		.reference = (char *)ev->ref_label,
		.evaluated = time_now_ms(),
		.n_reference = (int64_t)r.rows_ref,
		.n_current = (int64_t)r.rows_cur,
		.tested = (int64_t)r.tested,
		.drifted = (int64_t)r.drifted,
		.share = r.share_drifted,
		.dataset_drift = r.dataset_drift,
	};
	int64_t id;
	int rc = store_drift_batch_save(ev->st, ev->mid, &b, rows, r.ncols, existing != 0, &id, &err);
	for (size_t i = 0; i < r.ncols; i++) {
		free(rows[i].hist_reference);
		free(rows[i].hist_current);
	}
	free(rows);
	if (rc != 0) {
		drift_report_free(&r);
		if (rc < 0)
			batch_failed(ev, name, &err);
		return rc < 0 ? -1 : 0; /* 1: another process stored it first */
	}
	b.id = id;
	ev->evaluated++;
	/* The feedback loop: one run per drifting batch, never twice.  The
	 * look at what is queued and the queueing are one transaction, so two
	 * processes evaluating at once cannot both queue. */
	int64_t run = 0;
	bool joined = false, queued = false;
	if (r.dataset_drift && m->on_drift.pipeline && !ev->o->no_trigger && store_begin(ev->st, &err) == 0) {
		/* in one pass every drifting batch after the first joins the
		 * first's run, however fast it finished; across passes, a run
		 * still queued or running */
		int64_t linked = 0, waiting = ev->pass_run;
		rc = store_drift_batch_run(ev->st, id, &linked, &err);
		if (rc == 0 && !linked && !waiting)
			rc = store_drift_waiting_run(ev->st, ev->mid, &waiting, &err);
		if (linked)
			waiting = 0;
		if (rc == 0 && waiting) {
			/* a retraining this monitor queued has not run yet: it
			 * answers this batch too */
			run = waiting;
			joined = true;
		} else if (rc == 0 && !linked) {
			char *detail = trigger_detail(m, name, &r);
			struct launch_opts lo = {
				.pipeline = m->on_drift.pipeline,
				.overrides = &m->on_drift.params,
				.trigger = "drift",
				.trigger_detail = detail,
				.in_tx = true,
			};
			struct launch_result res;
			rc = exec_launch(ev->p, ev->st, ev->spec, &lo, &res, &err);
			if (rc == 0) {
				run = res.id;
				queued = true;
				ev->pass_run = run;
			}
			free(detail);
		}
		if (rc == 0 && run)
			rc = store_drift_batch_set_run(ev->st, id, run, &err);
		if (rc == 0)
			rc = store_commit(ev->st, &err);
		if (rc < 0) {
			store_rollback(ev->st);
			err_prefix(&err, "monitor %s: queueing %s", m->name, m->on_drift.pipeline);
			batch_failed(ev, name, &err);
			run = 0;
			joined = queued = false;
		}
		b.triggered_run = run;
		if (queued && exec_ensure(ev->p, &err) < 0)
			batch_failed(ev, name, &err);
	}
	report(ev, &b, run, joined, NULL);
	drift_report_free(&r);
	return 0;
}

int monitor_run(const struct project *p, struct store *st, const struct spec *spec,
		const struct monitor_spec *m, const struct monitor_run_opts *o, struct err *err)
{
	struct evaluation ev = {.p = p, .st = st, .spec = spec, .m = m, .o = o};
	char *ref_path = NULL, *label = NULL;
	struct csv_table ref;
	struct monitor_batch *batches = NULL;
	size_t nb = 0;
	int rc = -1;

	/* one pass at a time per project (the CLI's and the executor's) */
	char *lock_path = path_join(p->dir, "monitor.lock");
	int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(lock_path);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	if (reference_path(p, st, m, &ref_path, &label, err) < 0) {
		if (lock >= 0)
			close(lock);
		return -1;
	}
	ev.ref_label = label;
	if (store_monitor_ensure(st, m->name, label, &ev.mid, err) < 0)
		goto out;
	if (monitor_batches(p, m, &batches, &nb, err) < 0)
		goto out;
	/* which batches are new */
	int64_t *existing = xcalloc(nb + 1, sizeof(int64_t));
	size_t todo = 0;
	for (size_t i = 0; i < nb; i++) {
		if (store_drift_batch_find(st, ev.mid, batches[i].name, &existing[i], err) < 0) {
			free(existing);
			goto out;
		}
		if (!existing[i] || o->again)
			todo++;
	}
	if (!todo) {
		free(existing);
		rc = 0;
		goto out;
	}
	if (csv_read(ref_path, &ref, err) < 0) {
		err_prefix(err, "monitor %s: reference", m->name);
		free(existing);
		goto out;
	}
	if (m->window_column) {
		struct csv_table cur;
		struct window *w = NULL;
		size_t nw = 0;
		bool read = csv_read(batches[0].path, &cur, err) == 0;
		if (!read || cut_windows(&cur, m->window_column, m->window_ms, &w, &nw, err) < 0) {
			batch_failed(&ev, m->current, err);
			if (read)
				csv_free(&cur);
		} else {
			for (size_t i = 0; i < nb; i++) {
				if (existing[i] && !o->again)
					continue;
				for (size_t j = 0; j < nw; j++)
					if (w[j].start == batches[i].start_ms) {
						struct csv_table sub;
						csv_subset(&cur, w[j].rows, w[j].n, &sub);
						evaluate(&ev, batches[i].name, existing[i], &ref, &sub);
						csv_free(&sub);
					}
			}
			windows_free(w, nw);
			csv_free(&cur);
		}
	} else {
		for (size_t i = 0; i < nb; i++) {
			if (existing[i] && !o->again)
				continue;
			struct csv_table cur;
			struct err e2;
			if (csv_read(batches[i].path, &cur, &e2) < 0) {
				batch_failed(&ev, batches[i].name, &e2);
				continue;
			}
			evaluate(&ev, batches[i].name, existing[i], &ref, &cur);
			csv_free(&cur);
		}
	}
	free(existing);
	csv_free(&ref);
	if (ev.failed) {
		*err = ev.first_err;
		goto out;
	}
	rc = ev.evaluated;
out:
	monitor_batches_free(batches, nb);
	free(ref_path);
	free(label);
	if (lock >= 0)
		close(lock); /* releases the lock */
	return rc;
}
