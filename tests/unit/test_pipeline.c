/* Unit tests: mlwb.yaml parsing, validation, params, interpolation, DAG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/pipeline.h"

/* The example of docs/mlwb-yaml.md (and samples/quickstart). */
static const char example[] =
	"project: quickstart\n"
	"params:\n"
	"  seed: 7\n"
	"  train: {lr: 0.1, epochs: 20}\n"
	"pipelines:\n"
	"  train:\n"
	"    description: prepare, train, evaluate\n"
	"    tasks:\n"
	"      prepare:\n"
	"        cmd: python3 steps/prepare.py --seed ${seed}\n"
	"        deps: [steps/prepare.py]\n"
	"        outs: [data/train.csv, data/test.csv]\n"
	"      train:\n"
	"        cmd: python3 steps/train.py --lr ${train.lr} --epochs ${train.epochs}\n"
	"        deps: [data/train.csv]\n"
	"        outs: [{path: model/model.json, kind: model}]\n"
	"        retries: 1\n"
	"        timeout: 10m\n"
	"        resources: {cpu: 1, mem: 1G, gpu: 0}\n"
	"        cache: true\n"
	"      evaluate:\n"
	"        cmd: python3 steps/evaluate.py\n"
	"        deps: [model/model.json, data/test.csv]\n"
	"        metrics: [metrics/eval.json]\n"
	"      report:\n"
	"        needs: [evaluate]\n"
	"        cmd: echo done\n"
	"sweeps:\n"
	"  lr:\n"
	"    pipeline: train\n"
	"    grid: {train.lr: [0.01, 0.1, 0.5]}\n"
	"    parallel: 2\n";

static struct spec *parse_ok(const char *text)
{
	struct spec *s = NULL;
	struct diags d;

	int rc = pipeline_spec_parse(text, strlen(text), "mlwb.yaml", &s, &d);
	for (size_t i = 0; i < d.n; i++) {
		char *line = diags_format(&d, i);
		print_error("unexpected: %s\n", line);
		free(line);
	}
	diags_free(&d);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	return s;
}

/* Parses text that must fail; returns the formatted diagnostics joined by
 * newlines (caller frees). */
static char *parse_bad(const char *text)
{
	struct spec *s = NULL;
	struct diags d;
	struct sbuf sb;

	int rc = pipeline_spec_parse(text, strlen(text), "f.yaml", &s, &d);
	assert_int_equal(rc, -1);
	assert_null(s);
	sbuf_init(&sb);
	for (size_t i = 0; i < d.n; i++) {
		char *line = diags_format(&d, i);
		sbuf_printf(&sb, "%s\n", line);
		free(line);
	}
	diags_free(&d);
	return sbuf_detach(&sb);
}

static void test_example(void **state)
{
	(void)state;
	struct spec *s = parse_ok(example);
	assert_string_equal(s->project, "quickstart");
	assert_int_equal(s->n_params, 3);
	assert_string_equal(s->params[1].name, "train.lr");
	assert_string_equal(s->params[1].value, "0.1");
	assert_int_equal(s->params[1].type, PARAM_FLOAT);
	assert_int_equal(s->params[2].type, PARAM_INT);

	const struct pipeline *pl = pipeline_find(s, "train");
	assert_non_null(pl);
	assert_int_equal(pl->n_tasks, 4);
	assert_int_equal(pl->n_layers, 4);
	const struct task *train = &pl->tasks[1];
	assert_int_equal(train->retries, 1);
	assert_int_equal(train->timeout_ms, 600000);
	assert_int_equal(train->mem_bytes, 1073741824);
	assert_string_equal(train->outs[0].kind, "model");
	assert_true(train->cache);

	/* edges: prepare->train (data/train.csv), prepare->evaluate (data/test.csv),
	 * train->evaluate (model/model.json), evaluate->report (needs) */
	assert_int_equal(pl->n_edges, 4);
	assert_int_equal(pl->edges[0].from, 0);
	assert_int_equal(pl->edges[0].to, 1);
	assert_string_equal(pl->edges[0].via, "data/train.csv");
	assert_int_equal(pl->edges[3].from, 2);
	assert_int_equal(pl->edges[3].to, 3);
	assert_null(pl->edges[3].via);
	assert_int_equal(pl->tasks[2].n_up, 2);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(pl->order[i], i);
	assert_int_equal(pl->tasks[3].layer, 3);

	const struct sweep *sw = pipeline_sweep_find(s, "lr");
	assert_non_null(sw);
	assert_false(sw->random);
	assert_int_equal(sw->parallel, 2);
	assert_int_equal(sw->dims[0].values.n, 3);
	pipeline_spec_free(s);
}

static void test_layers_diamond(void **state)
{
	(void)state;
	/* d declared first: the order must still put it after its inputs, and
	 * among ready tasks the earlier declared goes first. */
	struct spec *s = parse_ok("pipelines:\n"
				  "  p:\n"
				  "    tasks:\n"
				  "      d: {cmd: cat b c, deps: [b.txt, c.txt]}\n"
				  "      a: {cmd: echo a > a.txt, outs: [a.txt]}\n"
				  "      b: {cmd: cp a.txt b.txt, deps: [a.txt], outs: [b.txt]}\n"
				  "      c: {cmd: cp a.txt c.txt, deps: [a.txt], outs: [c.txt]}\n"
				  "      e: {cmd: echo e, needs: [a]}\n");
	const struct pipeline *pl = &s->pipelines[0];
	assert_int_equal(pl->n_layers, 3);
	const char *want[] = {"a", "b", "c", "d", "e"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(pl->tasks[pl->order[i]].name, want[i]);
	assert_int_equal(pl->tasks[0].layer, 2);
	assert_int_equal(pl->tasks[4].layer, 1);
	pipeline_spec_free(s);
}

static void test_directory_deps(void **state)
{
	(void)state;
	/* A dep on a directory links to every out inside it, and the reverse. */
	struct spec *s = parse_ok("pipelines:\n"
				  "  p:\n"
				  "    tasks:\n"
				  "      a: {cmd: x, outs: [data/raw/x.csv]}\n"
				  "      b: {cmd: x, deps: [data/raw], outs: [features]}\n"
				  "      c: {cmd: x, deps: [features/f.parquet]}\n");
	const struct pipeline *pl = &s->pipelines[0];
	assert_int_equal(pl->n_edges, 2);
	assert_int_equal(pl->n_layers, 3);
	pipeline_spec_free(s);
}

static void test_every_error_reported(void **state)
{
	(void)state;
	char *out = parse_bad("params:\n"
			      "  lr: 0.1\n"
			      "pipelines:\n"
			      "  p:\n"
			      "    tasks:\n"
			      "      a:\n"
			      "        cmd: echo ${lr} ${nope}\n"
			      "        retries: three\n"
			      "        colour: red\n"
			      "      b:\n"
			      "        needs: [aa]\n"
			      "        cmd: echo b\n"
			      "        timeout: forever\n");
	assert_string_equal(out,
			    "f.yaml:7:25: in cmd of task \"a\": undefined param ${nope}\n"
			    "f.yaml:8:18: retries must be an integer >= 0, got \"three\"\n"
			    "f.yaml:9:9: unknown key \"colour\" in task \"a\" (expected one of: cmd, description, needs, deps, outs, metrics, retries, timeout, resources, cache, register)\n"
			    "f.yaml:11:17: task \"b\" needs unknown task \"aa\" (did you mean \"a\"?)\n"
			    "f.yaml:13:18: timeout must be a duration such as 90s, 10m or 2h, got \"forever\"\n");
	free(out);
}

static void test_cycles(void **state)
{
	(void)state;
	char *out = parse_bad("pipelines:\n"
			      "  p:\n"
			      "    tasks:\n"
			      "      a: {cmd: x, needs: [b]}\n"
			      "      b: {cmd: x, needs: [a]}\n"
			      "      c: {cmd: x, needs: [a]}\n");
	assert_string_equal(out, "f.yaml:4:7: cycle in pipeline \"p\": a -> b -> a\n");
	free(out);
}

static void test_duplicates_and_types(void **state)
{
	(void)state;
	char *out = parse_bad("pipelines:\n"
			      "  p:\n"
			      "    tasks:\n"
			      "      a: {cmd: x, outs: [m/out.bin]}\n"
			      "      b: {cmd: y, outs: [m], cache: 1}\n"
			      "  p:\n"
			      "    tasks: {}\n");
	assert_string_equal(out,
			    "f.yaml:5:26: out \"m\" of task \"b\" overlaps \"m/out.bin\" of task \"a\" (line 4)\n"
			    "f.yaml:5:37: cache must be true or false, got \"1\"\n"
			    "f.yaml:6:3: duplicate key \"p\" in pipelines (first at line 2)\n");
	free(out);
}

static void test_interpolation(void **state)
{
	(void)state;
	struct spec *s = parse_ok("params:\n"
				  "  name: plain\n"
				  "  train: {lr: 0.1}\n"
				  "pipelines:\n"
				  "  p:\n"
				  "    tasks:\n"
				  "      a: {cmd: 'run ${train.lr} ${ name } $${literal}'}\n");
	struct strv ov = {0};
	struct param *ps;
	size_t n;
	struct err err;
	char *cmd;

	strv_push(&ov, "name=x; rm -rf ~");
	strv_push(&ov, "train.lr=5e-3");
	assert_int_equal(pipeline_params_resolve(s, &ov, &ps, &n, &err), 0);
	assert_int_equal(pipeline_interpolate(s->pipelines[0].tasks[0].cmd, ps, n, &cmd, &err), 0);
	assert_string_equal(cmd, "run 5e-3 'x; rm -rf ~' ${literal}");
	free(cmd);
	assert_int_equal(pipeline_interpolate("a ${missing}", ps, n, &cmd, &err), -1);
	assert_string_equal(err.msg, "undefined param ${missing}");
	pipeline_params_free(ps, n);
	strv_free(&ov);

	/* Overrides are type-checked against the defaults. */
	strv_push(&ov, "train.lr=fast");
	assert_int_equal(pipeline_params_resolve(s, &ov, &ps, &n, &err), -1);
	assert_string_equal(err.msg, "param \"train.lr\" takes a number (default 0.1), got \"fast\"");
	strv_free(&ov);
	strv_push(&ov, "train.lrr=1");
	assert_int_equal(pipeline_params_resolve(s, &ov, &ps, &n, &err), -1);
	assert_string_equal(err.msg, "unknown param \"train.lrr\" (did you mean \"train.lr\"?)");
	strv_free(&ov);
	strv_push(&ov, "novalue");
	assert_int_equal(pipeline_params_resolve(s, &ov, &ps, &n, &err), -1);
	strv_free(&ov);
	pipeline_spec_free(s);
}

static void test_sweeps(void **state)
{
	(void)state;
	struct spec *s = parse_ok("params: {a: 1, b: x, lr: 0.1}\n"
				  "pipelines: {p: {tasks: {t: {cmd: echo}}}}\n"
				  "sweeps:\n"
				  "  g: {pipeline: p, grid: {a: [1, 2], b: [x, y, z]}}\n"
				  "  r:\n"
				  "    pipeline: p\n"
				  "    random: {n: 5, seed: 3, space: {lr: {min: 0.001, max: 1, log: true}, b: [x, y]}}\n");
	struct strv *pts;
	size_t n;
	struct err err;

	assert_int_equal(pipeline_sweep_expand(&s->sweeps[0], &pts, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_string_equal(pts[0].v[0], "a=1");
	assert_string_equal(pts[0].v[1], "b=x");
	assert_string_equal(pts[1].v[1], "b=y");
	assert_string_equal(pts[5].v[0], "a=2");
	assert_string_equal(pts[5].v[1], "b=z");
	pipeline_sweep_points_free(pts, n);

	struct strv *again;
	size_t n2;
	assert_int_equal(pipeline_sweep_expand(&s->sweeps[1], &pts, &n, &err), 0);
	assert_int_equal(pipeline_sweep_expand(&s->sweeps[1], &again, &n2, &err), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		double lr = strtod(pts[i].v[0] + 3, NULL);
		assert_true(lr >= 0.001 && lr <= 1);
		/* Same seed, same draws. */
		assert_string_equal(pts[i].v[0], again[i].v[0]);
		assert_string_equal(pts[i].v[1], again[i].v[1]);
	}
	pipeline_sweep_points_free(pts, n);
	pipeline_sweep_points_free(again, n2);
	pipeline_spec_free(s);
}

static void test_yaml_errors(void **state)
{
	(void)state;
	char *out = parse_bad("pipelines:\n  p:\n    tasks:\n      a: {cmd: x\n");
	assert_non_null(strstr(out, "YAML syntax error"));
	free(out);
	out = parse_bad("");
	assert_string_equal(out, "f.yaml:1:1: the file is empty: expected a mapping with pipelines:\n");
	free(out);
	out = parse_bad("42\n");
	assert_string_equal(out,
			    "f.yaml:1:1: the file must be a mapping (project:, params:, pipelines:), got a scalar\n");
	free(out);
	out = parse_bad("pipelines: {p: {tasks: {t: {cmd: x}}}}\n---\nsecond: 1\n");
	assert_non_null(strstr(out, "a second YAML document"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_layers_diamond),
		cmocka_unit_test(test_directory_deps),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_duplicates_and_types),
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_sweeps),
		cmocka_unit_test(test_yaml_errors),
	};
	return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
