/* drift.c - per-column drift tests over two CSV tables, Evidently's rules.
 *
 * Every column is reduced to two sorted arrays of doubles: numbers as they
 * are, categories as their rank in the sorted union of both sides' values
 * (so that "the smallest value" of the Z-test is the first in byte order).
 * From the sorted arrays every test is a merge walk.  Columns are spread
 * over a few threads; each thread owns its column's arrays.
 */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlwb/drift.h"
#include "mlwb/jsonw.h"
#include "mlwb/util.h"

#define HIST_MAX_LABELS 100

static const struct {
	enum drift_test test;
	const char *name;
	double threshold;
} tests[] = {
	{TEST_AUTO, "auto", NAN},
	{TEST_KS, "ks", 0.05},
	{TEST_CHISQUARE, "chisquare", 0.05},
	{TEST_Z, "z", 0.05},
	{TEST_WASSERSTEIN, "wasserstein", 0.1},
	{TEST_JS, "jensenshannon", 0.1},
	{TEST_PSI, "psi", 0.1},
};

const char *drift_test_name(enum drift_test t)
{
	return tests[t].name;
}

double drift_default_threshold(enum drift_test t)
{
	return tests[t].threshold;
}

int drift_test_parse(const char *s, enum drift_test *t)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(*tests); i++)
		if (strcmp(tests[i].name, s) == 0) {
			*t = tests[i].test;
			return 0;
		}
	return -1;
}

void drift_opts_default(struct drift_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->test = TEST_AUTO;
	o->threshold = NAN;
	o->share = 0.5;
}

/* ---- distinct values with their counts on each side ---- */

struct keys {
	size_t n;
	double *val, *ca, *cb;
};

static void count_keys(const double *a, size_t na, const double *b, size_t nb, struct keys *k)
{
	size_t cap = 16;
	k->n = 0;
	k->val = xmalloc(cap * sizeof(double));
	k->ca = xmalloc(cap * sizeof(double));
	k->cb = xmalloc(cap * sizeof(double));
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		double v = (j >= nb || (i < na && a[i] <= b[j])) ? a[i] : b[j];
		size_t i0 = i, j0 = j;
		while (i < na && a[i] == v)
			i++;
		while (j < nb && b[j] == v)
			j++;
		if (k->n == cap) {
			cap *= 2;
			k->val = xrealloc(k->val, cap * sizeof(double));
			k->ca = xrealloc(k->ca, cap * sizeof(double));
			k->cb = xrealloc(k->cb, cap * sizeof(double));
		}
		k->val[k->n] = v;
		k->ca[k->n] = (double)(i - i0);
		k->cb[k->n] = (double)(j - j0);
		k->n++;
	}
}

static void keys_free(struct keys *k)
{
	free(k->val);
	free(k->ca);
	free(k->cb);
}

static size_t count_distinct(const double *a, size_t n)
{
	size_t d = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || a[i] != a[i - 1])
			d++;
	return d;
}

/* numpy.histogram with explicit edges: [e_i, e_i+1), the last bin closed */
static void hist_counts(const double *a, size_t na, const double *e, size_t nbins, double *cnt)
{
	size_t j = 0;
	for (size_t i = 0; i + 1 < nbins; i++) {
		size_t start = j;
		while (j < na && a[j] < e[i + 1])
			j++;
		cnt[i] = (double)(j - start);
	}
	cnt[nbins - 1] = (double)(na - j);
}

/* ---- the tests on fractions ---- */

static double rel_entr(double x, double y)
{
	if (x > 0 && y > 0)
		return x * log(x / y);
	if (x == 0 && y >= 0)
		return 0;
	return INFINITY;
}

/* scipy.spatial.distance.jensenshannon (natural log) */
static double js_distance(const double *p, const double *q, size_t n)
{
	long double sp = 0, sq = 0;
	for (size_t i = 0; i < n; i++) {
		sp += p[i];
		sq += q[i];
	}
	double dp = (double)sp, dq = (double)sq;
	long double left = 0, right = 0;
	for (size_t i = 0; i < n; i++) {
		double pi = p[i] / dp, qi = q[i] / dq, m = (pi + qi) / 2.0;
		left += rel_entr(pi, m);
		right += rel_entr(qi, m);
	}
	return sqrt((double)((left + right)) / 2.0);
}

/* Evidently's zero fill: the smallest non-zero share / 10^6 when that is at
 * most 1e-4, else 1e-4. */
static void fill_zeroes(double *f, size_t n)
{
	double min = INFINITY;
	for (size_t i = 0; i < n; i++)
		if (f[i] != 0 && f[i] < min)
			min = f[i];
	if (isinf(min))
		return;
	double fill = min <= 0.0001 ? min / 1000000.0 : 0.0001;
	for (size_t i = 0; i < n; i++)
		if (f[i] == 0)
			f[i] = fill;
}

static double psi_value(const double *p0, const double *q0, size_t n)
{
	double *p = xmalloc(n * sizeof(double)), *q = xmalloc(n * sizeof(double));
	memcpy(p, p0, n * sizeof(double));
	memcpy(q, q0, n * sizeof(double));
	fill_zeroes(p, n);
	fill_zeroes(q, n);
	long double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (p[i] - q[i]) * log(p[i] / q[i]);
	free(p);
	free(q);
	return (double)s;
}

static void chisquare(const struct keys *k, size_t na, size_t nb, double *stat, double *p)
{
	if (k->n < 2) {
		*stat = 0;
		*p = 1;
		return;
	}
	double knorm = (double)nb / (double)na;
	long double s = 0;
	for (size_t i = 0; i < k->n; i++) {
		double e = k->ca[i] * knorm, d = k->cb[i] - e;
		s += e == 0 ? INFINITY : d * d / e;
	}
	*stat = (double)s;
	*p = isinf(*stat) ? 0.0 : stat_chi2_sf(*stat, (double)(k->n - 1));
}

static void ztest(const struct keys *k, size_t na, size_t nb, double *stat, double *p)
{
	if (k->n == 1) { /* both sides one identical value */
		*stat = 0;
		*p = 1;
		return;
	}
	/* the smallest value codes 0, the other 1 */
	double n1 = (double)na, n2 = (double)nb;
	double p1 = ((double)na - k->ca[0]) / n1, p2 = ((double)nb - k->cb[0]) / n2;
	double P = (p1 * n1 + p2 * n2) / (n1 + n2);
	double z = (p1 - p2) / sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
	*stat = z;
	*p = 2 * (1 - stat_ndtr(fabs(z)));
}

/* ---- one column ---- */

/* Distinct texts -> their rank in byte order (open addressing). */
struct strmap {
	const char **keys;
	uint32_t *rank;
	size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t strmap_slot(const struct strmap *m, const char *s)
{
	size_t i = (size_t)str_hash(s) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], s) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void strmap_add(struct strmap *m, const char *s)
{
	if (2 * (m->n + 1) > m->cap) {
		struct strmap g = {.cap = m->cap ? m->cap * 2 : 64};
		g.keys = xcalloc(g.cap, sizeof(char *));
		g.rank = xcalloc(g.cap, sizeof(uint32_t));
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				g.keys[strmap_slot(&g, m->keys[i])] = m->keys[i];
		g.n = m->n;
		free(m->keys);
		free(m->rank);
		*m = g;
	}
	size_t i = strmap_slot(m, s);
	if (!m->keys[i]) {
		m->keys[i] = s;
		m->n++;
	}
}

struct colwork {
	int ci_ref, ci_cur;
	bool text;          /* categorical from text: values are ranks */
	char **labels;      /* the sorted distinct texts (text columns) */
	size_t nlabels;
	struct strmap map;  /* text -> rank */
	char *error;        /* a test that does not fit */
};

struct job {
	struct csv_table *ref, *cur;
	const struct drift_opts *o;
	struct drift_report *r;
	struct colwork *w;
	atomic_size_t next;
};

static void values_of(const struct csv_table *t, int ci, const struct colwork *w, double **out, size_t *n)
{
	const struct csv_col *c = &t->cols[ci];
	double *v = xmalloc((t->nrows ? t->nrows : 1) * sizeof(double));
	size_t k = 0;
	if (!w->text) {
		for (size_t i = 0; i < t->nrows; i++)
			if (isfinite(c->num[i]))
				v[k++] = c->num[i];
	} else {
		for (size_t i = 0; i < t->nrows; i++) {
			const char *s = c->str[i];
			if (s)
				v[k++] = (double)w->map.rank[strmap_slot(&w->map, s)];
		}
	}
	*out = v;
	*n = k;
}

static char *label_of(const struct colwork *w, double v)
{
	if (w->text)
		return xstrdup(w->labels[(size_t)v]);
	char buf[40];
	json_format_double(v, buf, sizeof(buf));
	return xstrdup(buf);
}

static int cmp_count_desc(const void *x, const void *y, void *ctx)
{
	const struct keys *k = ctx;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	double ca = k->ca[a] + k->cb[a], cb = k->ca[b] + k->cb[b];
	if (ca != cb)
		return ca > cb ? -1 : 1;
	return (a > b) - (a < b);
}

/* The stored histogram of a column compared by categories: at most
 * HIST_MAX_LABELS bins, the rarest folded into "(other)". */
static void hist_from_keys(struct drift_hist *h, const struct keys *k, const struct colwork *w)
{
	size_t n = k->n, keep = n;
	size_t *order = xmalloc((n ? n : 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (n > HIST_MAX_LABELS) {
		qsort_r(order, n, sizeof(size_t), cmp_count_desc, (void *)k);
		keep = HIST_MAX_LABELS - 1;
	}
	h->nbins = keep + (keep < n);
	h->labels = xcalloc(h->nbins, sizeof(char *));
	h->ref = xcalloc(h->nbins, sizeof(double));
	h->cur = xcalloc(h->nbins, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		size_t b = i < keep ? i : keep;
		size_t src = order[i];
		if (i < keep)
			h->labels[b] = label_of(w, k->val[src]);
		h->ref[b] += k->ca[src];
		h->cur[b] += k->cb[src];
	}
	if (keep < n)
		h->labels[keep] = xstrdup("(other)");
	free(order);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The distinct texts of a column on both sides, sorted, with their ranks. */
static void text_labels(struct csv_table *ref, int cr, struct csv_table *cur, int cc, struct colwork *w)
{
	for (size_t i = 0; i < ref->nrows; i++)
		if (ref->cols[cr].str[i])
			strmap_add(&w->map, ref->cols[cr].str[i]);
	for (size_t i = 0; i < cur->nrows; i++)
		if (cur->cols[cc].str[i])
			strmap_add(&w->map, cur->cols[cc].str[i]);
	char **all = xmalloc((w->map.n + 1) * sizeof(char *));
	size_t d = 0;
	for (size_t i = 0; i < w->map.cap; i++)
		if (w->map.keys[i])
			all[d++] = (char *)w->map.keys[i];
	if (d)
		qsort(all, d, sizeof(char *), cmp_str);
	for (size_t i = 0; i < d; i++)
		w->map.rank[strmap_slot(&w->map, all[i])] = (uint32_t)i;
	w->labels = all;
	w->nlabels = d;
}

static void column(struct job *jb, size_t idx)
{
	struct drift_column *c = &jb->r->cols[idx];
	struct colwork *w = &jb->w[idx];
	const struct drift_opts *o = jb->o;
	double *a, *b;
	size_t na, nb;
	if (w->text)
		text_labels(jb->ref, w->ci_ref, jb->cur, w->ci_cur, w);
	values_of(jb->ref, w->ci_ref, w, &a, &na);
	values_of(jb->cur, w->ci_cur, w, &b, &nb);
	c->n_ref = na;
	c->n_cur = nb;
	c->statistic = c->p_value = c->score = c->threshold = NAN;
	c->psi = c->js = c->wasserstein = c->ks_statistic = c->ks_p_value = NAN;
	if (!na || !nb) {
		c->skipped = xstrdup(!na ? "no values in the reference" : "no values in the current data");
		goto out;
	}
	stat_sort(a, na);
	stat_sort(b, nb);
	struct keys k;
	count_keys(a, na, b, nb, &k);
	c->distinct_ref = count_distinct(a, na);
	c->distinct_all = k.n;
	const struct csv_col *cr = &jb->ref->cols[w->ci_ref], *cc = &jb->cur->cols[w->ci_cur];
	if (c->numeric && cr->integer && cc->integer && !cr->missing && !cc->missing && c->distinct_ref <= 5)
		c->numeric = false; /* a few integer codes: categories */

	enum drift_test t = o->test;
	if (t == TEST_AUTO) {
		if (na <= 1000)
			t = c->numeric && k.n > 5 ? TEST_KS : k.n > 2 ? TEST_CHISQUARE : TEST_Z;
		else
			t = c->numeric && k.n > 5 ? TEST_WASSERSTEIN : TEST_JS;
	}
	if (!c->numeric && (t == TEST_KS || t == TEST_WASSERSTEIN)) {
		w->error = xasprintf("column \"%s\" is categorical: the %s test needs numbers", c->name,
				     drift_test_name(t));
		keys_free(&k);
		goto out;
	}
	if (t == TEST_Z && k.n > 2) {
		w->error = xasprintf("column \"%s\" has %zu distinct values: the z test takes at most 2",
				     c->name, k.n);
		keys_free(&k);
		goto out;
	}
	c->test = t;

	/* bins for Jensen-Shannon and PSI, kept as the column's histogram */
	struct drift_hist *h = &c->hist;
	if (c->numeric && c->distinct_ref > 20) {
		h->nbins = stat_sturges_edges(a, na, b, nb, &h->edges);
		h->ref = xmalloc(h->nbins * sizeof(double));
		h->cur = xmalloc(h->nbins * sizeof(double));
		hist_counts(a, na, h->edges, h->nbins, h->ref);
		hist_counts(b, nb, h->edges, h->nbins, h->cur);
	} else {
		/* the statistics use every key; the stored histogram may fold */
		hist_from_keys(h, &k, w);
	}
	{
		const double *cr_cnt = h->edges ? h->ref : k.ca, *cc_cnt = h->edges ? h->cur : k.cb;
		size_t nbins = h->edges ? h->nbins : k.n;
		double *fr = xmalloc(nbins * sizeof(double)), *fc = xmalloc(nbins * sizeof(double));
		for (size_t i = 0; i < nbins; i++) {
			fr[i] = cr_cnt[i] / (double)na;
			fc[i] = cc_cnt[i] / (double)nb;
		}
		c->js = js_distance(fr, fc, nbins);
		c->psi = psi_value(fr, fc, nbins);
		free(fr);
		free(fc);
	}
	if (c->numeric) {
		c->ks_p_value = stat_ks_2samp(a, na, b, nb, &c->ks_statistic);
		double norm = stat_std(a, na);
		if (!(norm > 0.001))
			norm = 0.001;
		c->wasserstein = stat_wasserstein(a, na, b, nb) / norm;
	}
	c->threshold = isnan(o->threshold) ? drift_default_threshold(t) : o->threshold;
	switch (t) {
	case TEST_KS:
		c->statistic = c->ks_statistic;
		c->p_value = c->ks_p_value;
		break;
	case TEST_CHISQUARE:
		chisquare(&k, na, nb, &c->statistic, &c->p_value);
		break;
	case TEST_Z:
		ztest(&k, na, nb, &c->statistic, &c->p_value);
		break;
	case TEST_WASSERSTEIN:
		c->statistic = c->wasserstein;
		break;
	case TEST_JS:
		c->statistic = c->js;
		break;
	case TEST_PSI:
		c->statistic = c->psi;
		break;
	case TEST_AUTO:
		break;
	}
	if (t == TEST_KS || t == TEST_CHISQUARE || t == TEST_Z) {
		c->score = c->p_value;
		/* KS drifts at p <= threshold, chi-square and Z below it */
		c->drifted = t == TEST_KS ? c->p_value <= c->threshold : c->p_value < c->threshold;
	} else {
		c->score = c->statistic;
		c->drifted = c->statistic >= c->threshold;
	}
	keys_free(&k);
out:
	free(a);
	free(b);
}

static void *worker(void *arg)
{
	struct job *jb = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&jb->next, 1);
		if (i >= jb->r->ncols)
			break;
		column(jb, i);
	}
	return NULL;
}

static int threads_for(const struct drift_opts *o)
{
	if (o->threads > 0)
		return o->threads;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}


int drift_compare(struct csv_table *ref, struct csv_table *cur, const struct drift_opts *o,
		  struct drift_report *r, struct err *err)
{
	memset(r, 0, sizeof(*r));
	r->rows_ref = ref->nrows;
	r->rows_cur = cur->nrows;
	/* which columns */
	size_t n = 0;
	int *cr = xmalloc((ref->ncols + o->ncolumns + 1) * sizeof(int));
	int *cc = xmalloc((ref->ncols + o->ncolumns + 1) * sizeof(int));
	if (o->columns) {
		for (size_t i = 0; i < o->ncolumns; i++) {
			int a = csv_find(ref, o->columns[i]), b = csv_find(cur, o->columns[i]);
			if (a < 0 || b < 0) {
				err_set(err, "%s:1: no column \"%s\"", a < 0 ? ref->path : cur->path,
					o->columns[i]);
				goto fail;
			}
			cr[n] = a;
			cc[n++] = b;
		}
	} else {
		for (size_t i = 0; i < ref->ncols; i++) {
			int b = csv_find(cur, ref->cols[i].name);
			if (b < 0) {
				if (o->shared_only)
					continue;
				err_set(err, "%s:1: no column \"%s\" (the reference %s has it)", cur->path,
					ref->cols[i].name, ref->path);
				goto fail;
			}
			cr[n] = (int)i;
			cc[n++] = b;
		}
		if (!o->shared_only)
			for (size_t i = 0; i < cur->ncols; i++)
				if (csv_find(ref, cur->cols[i].name) < 0) {
					err_set(err, "%s:1: no column \"%s\" (the current %s has it)", ref->path,
						cur->cols[i].name, cur->path);
					goto fail;
				}
	}
	if (!n) {
		err_set(err, "%s and %s share no column", ref->path, cur->path);
		goto fail;
	}
	/* load the text of every categorical column on both sides at once */
	bool *wr = xcalloc(ref->ncols + 1, sizeof(bool)), *wc = xcalloc(cur->ncols + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++)
		if (!ref->cols[cr[i]].numeric || !cur->cols[cc[i]].numeric)
			wr[cr[i]] = wc[cc[i]] = true;
	csv_load_strings(ref, wr);
	csv_load_strings(cur, wc);
	free(wr);
	free(wc);

	r->ncols = n;
	r->cols = xcalloc(n, sizeof(*r->cols));
	struct colwork *w = xcalloc(n, sizeof(*w));
	for (size_t i = 0; i < n; i++) {
		w[i].ci_ref = cr[i];
		w[i].ci_cur = cc[i];
		r->cols[i].name = xstrdup(ref->cols[cr[i]].name);
		r->cols[i].numeric = ref->cols[cr[i]].numeric && cur->cols[cc[i]].numeric;
		r->cols[i].test = TEST_AUTO;
		w[i].text = !r->cols[i].numeric; /* its labels: in the worker */
	}
	struct job jb = {.ref = ref, .cur = cur, .o = o, .r = r, .w = w};
	atomic_init(&jb.next, 0);
	int nt = threads_for(o);
	if ((size_t)nt > n)
		nt = (int)n;
	pthread_t *th = xcalloc((size_t)nt, sizeof(pthread_t));
	int started = 0;
	for (int i = 1; i < nt; i++)
		if (pthread_create(&th[i], NULL, worker, &jb) == 0)
			started = i;
		else
			break;
	worker(&jb);
	for (int i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	free(th);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].error && rc == 0) {
			err_set(err, "%s", w[i].error);
			rc = -1;
		}
		free(w[i].error);
		free(w[i].labels);
		free(w[i].map.keys);
		free(w[i].map.rank);
	}
	free(w);
	free(cr);
	free(cc);
	if (rc < 0) {
		drift_report_free(r);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (r->cols[i].skipped)
			continue;
		r->tested++;
		r->drifted += r->cols[i].drifted;
	}
	r->share_drifted = r->tested ? (double)r->drifted / (double)r->tested : 0;
	r->dataset_drift = r->tested && r->share_drifted >= o->share;
	return 0;
fail:
	free(cr);
	free(cc);
	return -1;
}

struct reader {
	const char *path;
	struct csv_table t;
	struct err err;
	int rc;
};

static void *read_one(void *arg)
{
	struct reader *rd = arg;
	rd->rc = csv_read(rd->path, &rd->t, &rd->err);
	return NULL;
}

int drift_files(const char *ref_path, const char *cur_path, const struct drift_opts *o,
		struct drift_report *r, struct err *err)
{
	struct reader rd[2] = {{.path = ref_path}, {.path = cur_path}};
	pthread_t th;
	bool threaded = threads_for(o) > 1 && pthread_create(&th, NULL, read_one, &rd[1]) == 0;
	read_one(&rd[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		read_one(&rd[1]);
	int rc = -1;
	if (rd[0].rc < 0)
		*err = rd[0].err;
	else if (rd[1].rc < 0)
		*err = rd[1].err;
	else
		rc = drift_compare(&rd[0].t, &rd[1].t, o, r, err);
	if (rd[0].rc == 0)
		csv_free(&rd[0].t);
	if (rd[1].rc == 0)
		csv_free(&rd[1].t);
	return rc;
}

void drift_hist_free(struct drift_hist *h)
{
	if (h->labels)
		for (size_t i = 0; i < h->nbins; i++)
			free(h->labels[i]);
	free(h->labels);
	free(h->edges);
	free(h->ref);
	free(h->cur);
	memset(h, 0, sizeof(*h));
}

void drift_report_free(struct drift_report *r)
{
	for (size_t i = 0; i < r->ncols; i++) {
		free(r->cols[i].name);
		free(r->cols[i].skipped);
		drift_hist_free(&r->cols[i].hist);
	}
	free(r->cols);
	memset(r, 0, sizeof(*r));
}

char *drift_hist_json(const struct drift_hist *h, bool current)
{
	struct jsonw w;
	jsonw_init(&w, false);
	jsonw_obj_begin(&w);
	if (h->edges) {
		jsonw_key(&w, "edges");
		jsonw_arr_begin(&w);
		for (size_t i = 0; i <= h->nbins; i++)
			jsonw_double(&w, h->edges[i]);
		jsonw_arr_end(&w);
	} else {
		jsonw_key(&w, "labels");
		jsonw_arr_begin(&w);
		for (size_t i = 0; i < h->nbins; i++)
			jsonw_str(&w, h->labels[i]);
		jsonw_arr_end(&w);
	}
	jsonw_key(&w, "counts");
	jsonw_arr_begin(&w);
	const double *cnt = current ? h->cur : h->ref;
	for (size_t i = 0; i < h->nbins; i++)
		jsonw_double(&w, cnt ? cnt[i] : 0);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	char *s = sbuf_detach(&w.out);
	jsonw_free(&w);
	return s;
}

static double *json_numbers(json_t *arr, size_t *n)
{
	*n = json_array_size(arr);
	double *v = xcalloc(*n + 1, sizeof(double));
	for (size_t i = 0; i < *n; i++) {
		json_t *x = json_array_get(arr, i);
		v[i] = json_is_number(x) ? json_number_value(x) : NAN;
	}
	return v;
}

int drift_hist_parse(const char *ref_json, const char *cur_json, struct drift_hist *h)
{
	memset(h, 0, sizeof(*h));
	json_t *r = ref_json ? json_loads(ref_json, 0, NULL) : NULL;
	json_t *c = cur_json ? json_loads(cur_json, 0, NULL) : NULL;
	int rc = -1;
	if (!json_is_object(r) || !json_is_object(c))
		goto out;
	size_t nr, nc, ne;
	h->ref = json_numbers(json_object_get(r, "counts"), &nr);
	h->cur = json_numbers(json_object_get(c, "counts"), &nc);
	if (nr != nc || !nr)
		goto out;
	h->nbins = nr;
	json_t *edges = json_object_get(r, "edges"), *labels = json_object_get(r, "labels");
	if (json_is_array(edges)) {
		h->edges = json_numbers(edges, &ne);
		if (ne != nr + 1)
			goto out;
	} else if (json_is_array(labels) && json_array_size(labels) == nr) {
		h->labels = xcalloc(nr, sizeof(char *));
		for (size_t i = 0; i < nr; i++) {
			const char *t = json_string_value(json_array_get(labels, i));
			h->labels[i] = xstrdup(t ? t : "");
		}
	} else {
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		drift_hist_free(h);
	json_decref(r);
	json_decref(c);
	return rc;
}
