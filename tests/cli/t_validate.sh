# mlwb validate, mlwb dag

bad_dir=$(cd "$(dirname "$MLWB")/../tests/bad" 2>/dev/null && pwd)
[ -n "$bad_dir" ] || bad_dir=$(cd "$here/../bad" && pwd)
sample=$(cd "$here/../../samples/quickstart" && pwd)

test_bad_corpus() {
	# Each tests/bad/X.yaml must fail with exit 2 and exactly the lines in X.expect.
	n=0
	for f in "$bad_dir"/*.yaml; do
		name=$(basename "$f" .yaml)
		cp "$f" "$name.yaml"
		run validate "$name.yaml"
		expect_rc 2 || { echo "  in $name"; return 1; }
		expect_eq "$errout" "$(cat "$bad_dir/$name.expect")" "$name" || return 1
		n=$((n + 1))
	done
	[ "$n" -ge 20 ] || fail "only $n bad files"
}

test_bad_project_file() {
	# Inside a project, `validate` and `dag` report the project's file by name.
	printf 'pipelines:\n  p:\n    tasks:\n      a:\n        cmd: echo\n        retries: -2\n' > mlwb.yaml
	run validate
	expect_rc 2 && expect_err "mlwb.yaml:6:18: retries must be an integer >= 0" || return 1
	expect_err "mlwb.yaml: 1 error" || return 1
	mkdir sub && cd sub
	run dag
	expect_rc 2 && expect_err "/mlwb.yaml:6:18:"
}

test_sample_validates_and_draws() {
	cp -r "$sample"/. . && "$MLWB" init >/dev/null || return 1
	run validate
	expect_rc 0 && expect_out "mlwb.yaml: ok: project quickstart, 1 pipeline, 4 tasks, 3 params, 1 sweep" || return 1
	run dag train
	expect_rc 0 || return 1
	expect_out "pipeline train: 4 tasks in 4 layers" || return 1
	expect_out "3  evaluate  <- prepare (data/test.csv), train (model/model.json)" || return 1
	run dag train --format json
	expect_rc 0 || return 1
	expect_eq "$(json "[n['name'] for n in d['nodes']]")" "['prepare', 'train', 'evaluate', 'report']" || return 1
	expect_eq "$(json "[n['layer'] for n in d['nodes']]")" "[1, 2, 3, 4]" || return 1
	expect_eq "$(json "sorted((e['from'], e['to'], e['via']) for e in d['edges'])")" \
		"[('evaluate', 'report', None), ('prepare', 'evaluate', 'data/test.csv'), ('prepare', 'train', 'data/train.csv'), ('train', 'evaluate', 'model/model.json')]" || return 1
	run dag --format csv
	expect_rc 0 && expect_out "pipeline,layer,task,upstream" && expect_out 'train,3,evaluate,"prepare, train"' || return 1
	run dag nope
	expect_rc 2 && expect_err 'no pipeline "nope" in mlwb.yaml (pipelines: train)'
}

test_dag_several_pipelines() {
	cat > mlwb.yaml <<'YAML'
pipelines:
  a: {tasks: {x: {cmd: "true"}}}
  b: {tasks: {y: {cmd: "true"}, z: {cmd: "true", needs: [y]}}}
YAML
	run dag
	expect_rc 0 && expect_out "pipeline a: 1 task in 1 layer" && expect_out "pipeline b: 2 tasks in 2 layers" || return 1
	run dag --format json
	expect_eq "$(json "[p['pipeline'] for p in d]")" "['a', 'b']" || return 1
	run dag b --format json
	expect_eq "$(json "d['pipeline'], len(d['edges'])")" "('b', 1)"
}

test_validate_missing_file() {
	run validate nothere.yaml
	expect_rc 2 && expect_err "nothere.yaml: cannot read nothere.yaml"
}
