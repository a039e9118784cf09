/* cmd_drift.c - `mlwb drift --reference REF --current CUR`: data drift of
 * two CSV files, column by column, with a verdict.  Needs no project. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "drift_out.h"
#include "mlwb/drift.h"
#include "mlwb/jsonw.h"

static void num_cell(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (isinf(v))
		snprintf(buf, len, "inf");
	else if (v != 0 && (fabs(v) < 1e-4 || fabs(v) >= 1e6))
		snprintf(buf, len, "%.3e", v);
	else
		snprintf(buf, len, "%.4f", v);
}

void drift_column_json(struct jsonw *w, const struct drift_column *c)
{
	jsonw_obj_begin(w);
	jsonw_key(w, "column");
	jsonw_str(w, c->name);
	jsonw_key(w, "kind");
	jsonw_str(w, c->numeric ? "num" : "cat");
	jsonw_key(w, "test");
	jsonw_str(w, c->skipped ? NULL : drift_test_name(c->test));
	jsonw_key(w, "statistic");
	jsonw_double(w, c->statistic);
	jsonw_key(w, "p_value");
	jsonw_double(w, c->p_value);
	jsonw_key(w, "drift_score");
	jsonw_double(w, c->score);
	jsonw_key(w, "threshold");
	jsonw_double(w, c->threshold);
	jsonw_key(w, "drifted");
	jsonw_bool(w, c->drifted);
	jsonw_key(w, "psi");
	jsonw_double(w, c->psi);
	jsonw_key(w, "jensenshannon");
	jsonw_double(w, c->js);
	if (c->numeric) {
		jsonw_key(w, "wasserstein");
		jsonw_double(w, c->wasserstein);
		jsonw_key(w, "ks_statistic");
		jsonw_double(w, c->ks_statistic);
		jsonw_key(w, "ks_p_value");
		jsonw_double(w, c->ks_p_value);
	}
	jsonw_key(w, "n_reference");
	jsonw_int(w, (int64_t)c->n_ref);
	jsonw_key(w, "n_current");
	jsonw_int(w, (int64_t)c->n_cur);
	if (c->skipped) {
		jsonw_key(w, "skipped");
		jsonw_str(w, c->skipped);
	}
	jsonw_obj_end(w);
}

void drift_table(FILE *f, const struct drift_column *cols, size_t n, bool color)
{
	size_t wname = 6;
	for (size_t i = 0; i < n; i++) {
		size_t l = str_display_width(cols[i].name);
		if (l > wname)
			wname = l;
	}
	if (wname > 40)
		wname = 40;
	fprintf(f, "  %-*s  %-4s %-13s %10s %10s %9s  %s\n", (int)wname, "column", "kind", "test", "statistic",
		"p-value", "threshold", "drift");
	for (size_t i = 0; i < n; i++) {
		const struct drift_column *c = &cols[i];
		char st[32], pv[32], th[32];
		num_cell(st, sizeof(st), c->statistic);
		num_cell(pv, sizeof(pv), c->p_value);
		num_cell(th, sizeof(th), c->threshold);
		const char *mark = c->skipped ? " " : c->drifted ? "!" : " ";
		const char *verdict = c->skipped ? c->skipped : c->drifted ? "DRIFT" : "ok";
		int pad = (int)wname - (int)str_display_width(c->name);
		fprintf(f, "%s %s%*s  %-4s %-13s %10s %10s %9s  %s%s%s\n", mark, c->name, pad > 0 ? pad : 0, "",
			c->numeric ? "num" : "cat", c->skipped ? "-" : drift_test_name(c->test), st, pv, th,
			color && c->drifted ? "\033[1;31m" : "", verdict, color && c->drifted ? "\033[0m" : "");
	}
}

static void report_table(const char *ref, const char *cur, const struct drift_report *r, bool color)
{
	printf("reference %s (%zu rows)  current %s (%zu rows)\n\n", ref, r->rows_ref, cur, r->rows_cur);
	drift_table(stdout, r->cols, r->ncols, color);
	printf("\n%s: %zu of %zu columns drifted (%.0f%%)\n",
	       r->dataset_drift ? "DATASET DRIFT" : "no dataset drift", r->drifted, r->tested,
	       r->share_drifted * 100);
}

static void report_json(const char *ref, const char *cur, const struct drift_report *r)
{
	struct jsonw w;
	jsonw_init(&w, true);
	jsonw_obj_begin(&w);
	jsonw_key(&w, "reference");
	jsonw_str(&w, ref);
	jsonw_key(&w, "current");
	jsonw_str(&w, cur);
	jsonw_key(&w, "rows_reference");
	jsonw_int(&w, (int64_t)r->rows_ref);
	jsonw_key(&w, "rows_current");
	jsonw_int(&w, (int64_t)r->rows_cur);
	jsonw_key(&w, "columns");
	jsonw_arr_begin(&w);
	for (size_t i = 0; i < r->ncols; i++)
		drift_column_json(&w, &r->cols[i]);
	jsonw_arr_end(&w);
	jsonw_key(&w, "tested_columns");
	jsonw_int(&w, (int64_t)r->tested);
	jsonw_key(&w, "drifted_columns");
	jsonw_int(&w, (int64_t)r->drifted);
	jsonw_key(&w, "share_drifted");
	jsonw_double(&w, r->share_drifted);
	jsonw_key(&w, "dataset_drift");
	jsonw_bool(&w, r->dataset_drift);
	jsonw_obj_end(&w);
	jsonw_flush(&w, stdout);
	jsonw_free(&w);
}

/* "a,b,c" -> a vector */
void drift_split_columns(const char *s, struct strv *out)
{
	const char *p = s;
	while (*p) {
		const char *q = strchr(p, ',');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		while (n && (*p == ' '))
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n) {
			char *name = xstrndup(p, n);
			strv_push(out, name);
			free(name);
		}
		if (!q)
			break;
		p = q + 1;
	}
}

int cmd_drift(int argc, char **argv)
{
	const char *ref = NULL, *cur = NULL, *val;
	enum out_format fmt = FMT_TABLE;
	struct drift_opts o;
	struct strv cols = {0};
	bool fail_on_drift = false;
	int m, rc = 2;

	drift_opts_default(&o);
	for (int i = 1; i < argc; i++) {
		if ((m = cli_opt("drift", argc, argv, &i, "--reference", &val)) != 0) {
			if (m < 0)
				goto out;
			ref = val;
		} else if ((m = cli_opt("drift", argc, argv, &i, "--current", &val)) != 0) {
			if (m < 0)
				goto out;
			cur = val;
		} else if ((m = cli_opt("drift", argc, argv, &i, "--columns", &val)) != 0) {
			if (m < 0)
				goto out;
			drift_split_columns(val, &cols);
		} else if ((m = cli_opt("drift", argc, argv, &i, "--test", &val)) != 0) {
			if (m < 0)
				goto out;
			if (drift_test_parse(val, &o.test) < 0) {
				rc = cli_usage_error("drift", "unknown test \"%s\" (auto, ks, chisquare, z, "
							      "wasserstein, jensenshannon, psi)", val);
				goto out;
			}
		} else if ((m = cli_opt("drift", argc, argv, &i, "--threshold", &val)) != 0) {
			if (m < 0)
				goto out;
			if (!str_to_double(val, &o.threshold) || !(o.threshold >= 0)) {
				rc = cli_usage_error("drift", "--threshold takes a number >= 0, got \"%s\"", val);
				goto out;
			}
		} else if ((m = cli_opt("drift", argc, argv, &i, "--share", &val)) != 0) {
			if (m < 0)
				goto out;
			if (!str_to_double(val, &o.share) || !(o.share >= 0 && o.share <= 1)) {
				rc = cli_usage_error("drift", "--share takes a number from 0 to 1, got \"%s\"", val);
				goto out;
			}
		} else if ((m = cli_opt("drift", argc, argv, &i, "--format", &val)) != 0) {
			if (m < 0 || cli_parse_format("drift", val, &fmt))
				goto out;
			if (fmt == FMT_CSV) {
				rc = cli_usage_error("drift", "--format takes table or json");
				goto out;
			}
		} else if (!strcmp(argv[i], "--fail-on-drift")) {
			fail_on_drift = true;
		} else {
			rc = cli_usage_error("drift", "unexpected argument \"%s\"", argv[i]);
			goto out;
		}
	}
	if (!ref || !cur) {
		rc = cli_usage_error("drift", "give --reference FILE and --current FILE");
		goto out;
	}
	if (cols.n) {
		o.columns = (const char *const *)cols.v;
		o.ncolumns = cols.n;
	}
	struct drift_report r;
	struct err err;
	if (drift_files(ref, cur, &o, &r, &err) < 0) {
		rc = cli_report(&err);
		goto out;
	}
	if (fmt == FMT_JSON)
		report_json(ref, cur, &r);
	else
		report_table(ref, cur, &r, isatty(1) && !getenv("NO_COLOR"));
	rc = fail_on_drift && r.dataset_drift ? 1 : 0;
	drift_report_free(&r);
out:
	strv_free(&cols);
	return rc;
}
