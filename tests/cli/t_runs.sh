# mlwb runs, mlwb show, and the CLI's common behaviour

test_empty_project() {
	run init || return 1
	run runs --format json
	expect_rc 0 && expect_eq "$out" "[]" || return 1
	run runs
	expect_rc 0 && expect_out "no runs yet" || return 1
	run runs --format csv
	expect_rc 0 && expect_eq "$out" "id,status,experiment,pipeline,trigger,started,duration,commit,user" || return 1
	run show 1
	expect_rc 2 && expect_err "no run 1 in this project"
}

# Runs as the executor records them, written here with SQL so that the
# listing is tested on its own.
seed_runs() {
	"$MLWB" init >/dev/null && python3 - <<'PY'
import sqlite3
c = sqlite3.connect(".mlwb/mlwb.db")
c.execute("INSERT INTO experiment(id, name, created) VALUES (1, 'train', 0), (2, 'tuning', 0)")
c.execute("""INSERT INTO run(id, experiment_id, pipeline, status, trigger, user, host, created,
             started, finished, git_commit, git_branch, git_dirty, note)
             VALUES (1, 1, 'train', 'succeeded', 'manual', 'alice', 'box', 1764000000000,
             1764000000000, 1764000012300, '0123456789abcdef0123456789abcdef01234567', 'main', 1,
             'first, "quoted" note')""")
c.execute("""INSERT INTO run(id, experiment_id, pipeline, status, trigger, parent_id, user, host,
             created) VALUES (2, 2, 'train', 'queued', 'sweep', 1, 'bob', 'box', 1764000100000)""")
c.executemany("INSERT INTO run_param VALUES (?,?,?)",
              [(1, 'seed', '7'), (1, 'train.lr', '0.1'), (1, 'opt', 'sgd'), (2, 'train.lr', '0.5')])
c.execute("INSERT INTO metric_key(id, name) VALUES (1, 'auc'), (2, 'loss')")
c.executemany("INSERT INTO metric_summary VALUES (?,?,?,?,?,?,?)",
              [(1, 1, 0.91, 0, 0.91, 0.91, 1), (1, 2, 0.25, 19, 0.25, 0.69, 20)])
c.execute("INSERT INTO task(run_id, name, cmd, status, layer, started, finished, exit_code, reason) VALUES (1, 'prepare', 'x', 'succeeded', 0, 1764000000000, 1764000001000, 0, 'exit')")
c.execute("INSERT INTO attempt(task_id, number, status, exit_code, reason) VALUES (1, 1, 'succeeded', 0, 'exit')")
c.commit()
PY
}

test_runs_json_fields() {
	seed_runs || return 1
	run runs --format json
	expect_rc 0 || return 1
	expect_eq "$(json "[r['id'] for r in d]")" "[2, 1]" "newest first" || return 1
	expect_eq "$(json "d[1]['params']")" "{'opt': 'sgd', 'seed': 7, 'train.lr': 0.1}" "params sorted by name" || return 1
	expect_eq "$(json "d[1]['metrics']['loss']")" "{'last': 0.25, 'min': 0.25, 'max': 0.69, 'count': 20, 'last_step': 19}" || return 1
	expect_eq "$(json "d[1]['git']")" "{'commit': '0123456789abcdef0123456789abcdef01234567', 'branch': 'main', 'dirty': True}" || return 1
	expect_eq "$(json "d[1]['started'], d[1]['finished'], d[1]['duration_s']")" "('2025-11-24T16:00:00.000Z', '2025-11-24T16:00:12.300Z', 12.3)" || return 1
	expect_eq "$(json "d[0]['parent'], d[0]['trigger'], d[0]['started'], d[0]['git']['commit']")" "(1, 'sweep', None, None)" || return 1
	expect_eq "$(json "sorted(d[0].keys())")" "['created', 'duration_s', 'experiment', 'finished', 'git', 'host', 'id', 'metrics', 'mlwb_version', 'note', 'params', 'parent', 'pipeline', 'started', 'status', 'sweep', 'tags', 'trigger', 'trigger_detail', 'user']"
}

test_runs_filters_and_sort() {
	seed_runs || return 1
	run runs --experiment tuning --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[2]" || return 1
	run runs --status succeeded --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[1]" || return 1
	run runs --sort metrics.auc --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[1, 2]" "runs without the metric last" || return 1
	run runs --sort params.train.lr --asc --limit 1 --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[1]" || return 1
	run runs --sort shoe_size
	expect_rc 2 && expect_err "cannot sort by \"shoe_size\"" || return 1
	run runs --status exploded
	expect_rc 2 && expect_err "unknown status" || return 1
	run runs --limit
	expect_rc 2 && expect_err "--limit needs a value"
}

test_runs_table_and_csv() {
	seed_runs || return 1
	run runs
	expect_rc 0 || return 1
	expect_out "ID  STATUS     EXPERIMENT  PIPELINE  TRIGGER  STARTED" || return 1
	expect_out "0123456*" || return 1
	expect_out "12.3s" || return 1
	run runs --format csv
	expect_rc 0 || return 1
	printf '%s\n' "$out" > runs.csv
	python3 - <<'PY' || fail "csv"
import csv
rows = list(csv.DictReader(open("runs.csv")))
assert [r["id"] for r in rows] == ["2", "1"], rows
assert rows[1]["metrics.loss"] == "0.25" and rows[1]["metrics.auc"] == "0.91", rows[1]
assert rows[1]["commit"] == "0123456789abcdef0123456789abcdef01234567*", rows[1]
assert rows[0]["started"] == "" and rows[1]["duration"] == "12.300", rows
PY
}

test_show() {
	seed_runs || return 1
	run show 1
	expect_rc 0 || return 1
	expect_out "run 1  succeeded" && expect_out "git         main@0123456789 (dirty)" || return 1
	expect_out 'note        first, "quoted" note' && expect_out "train.lr  0.1" || return 1
	expect_out "loss    0.25  0.25  0.69     20" && expect_out "prepare  succeeded" || return 1
	run show 1 --format json
	expect_rc 0 || return 1
	expect_eq "$(json "d['tasks']")" "[{'name': 'prepare', 'status': 'succeeded', 'attempts': 1, 'exit_code': 0, 'reason': 'exit', 'cached': False, 'started': '2025-11-24T16:00:00.000Z', 'finished': '2025-11-24T16:00:01.000Z'}]" || return 1
	expect_eq "$(json "d['note'], d['user'], d['experiment']")" "('first, \"quoted\" note', 'alice', 'train')" || return 1
	run show 2 --format json
	expect_eq "$(json "d['tasks'], d['metrics']")" "([], {})" || return 1
	run show abc
	expect_rc 2 && expect_err "a run id is a positive number" || return 1
	run show
	expect_rc 2 && expect_err "which run?" || return 1
	run show 1 --format csv
	expect_rc 2 && expect_err "no CSV form"
}

test_help_version_and_usage_errors() {
	run --version
	expect_rc 0 && expect_out "mlwb 0." || return 1
	run --help
	expect_rc 0 && expect_out "commands:" && expect_out "validate" || return 1
	run dag --help
	expect_rc 0 && expect_out "usage: mlwb dag [PIPELINE]" || return 1
	run valdate
	expect_rc 2 && expect_err 'unknown command "valdate" (did you mean "validate"?)' || return 1
	run init
	run runs --format yaml
	expect_rc 2 && expect_err 'unknown format "yaml"' || return 1
	run runs --bogus
	expect_rc 2 && expect_err "unexpected argument --bogus"
}
