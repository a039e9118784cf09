# The executor: mlwb run, states, retries, timeouts, cancel, recovery,
# logging, cache, sweeps.

sample=$(cd "$here/../../samples/quickstart" && pwd)

# status RUN: the run's status from the store
status() {
	sql "SELECT status FROM run WHERE id = $1"
}

# wait_for RUN STATUS [SECONDS]: polls until the run has STATUS
wait_for() {
	i=0
	while [ "$(status "$1")" != "$2" ]; do
		i=$((i + 1))
		[ $i -lt $((${3:-20} * 10)) ] || { fail "run $1 is $(status "$1"), not $2"; return 1; }
		sleep 0.1
	done
}

# no_process PATTERN: nothing running whose command line matches
no_process() {
	sleep 0.2
	if pgrep -f "$1" >/dev/null; then
		fail "a process matching '$1' is still running: $(pgrep -af "$1")"
		return 1
	fi
}

project() {
	cat > mlwb.yaml
	"$MLWB" init >/dev/null
}

test_quickstart_succeeds() {
	cp -r "$sample"/. . && "$MLWB" init >/dev/null || return 1
	run run train --wait
	expect_rc 0 && expect_eq "$out" 1 || return 1
	run show 1 --format json
	expect_eq "$(json "d['status'], d['trigger'], d['pipeline'], d['experiment']")" "('succeeded', 'manual', 'train', 'train')" || return 1
	expect_eq "$(json "[(t['name'], t['status'], t['attempts'], t['exit_code'], t['reason'], t['cached']) for t in d['tasks']]")" \
		"[('prepare', 'succeeded', 1, 0, 'exit', False), ('train', 'succeeded', 1, 0, 'exit', False), ('evaluate', 'succeeded', 1, 0, 'exit', False), ('report', 'succeeded', 1, 0, 'exit', False)]" || return 1
	expect_eq "$(json "d['metrics']['loss']['count'], sorted(d['metrics'])")" "(20, ['accuracy', 'auc', 'loss'])" || return 1
	expect_eq "$(json "d['params']")" "{'seed': 7, 'train.epochs': 20, 'train.lr': 0.1}" || return 1
	expect_eq "$(json "d['git']")" "{'commit': None, 'branch': None, 'dirty': None}" || return 1
	expect_eq "$(json "d['started'] is not None and d['finished'] >= d['started']")" True || return 1
	# the workspace holds the outputs; the project does not
	[ -f .mlwb/runs/1/ws/model/model.json ] && [ ! -e model/model.json ] || fail "outputs in the wrong place" || return 1
	# outputs are in the object store with lineage
	expect_eq "$(sql "SELECT count(*) FROM artifact a JOIN lineage l ON l.artifact_id = a.id WHERE l.role = 'output' AND a.run_id = 1")" 4 || return 1
	expect_eq "$(sql "SELECT t.name FROM lineage l JOIN task t ON t.id = l.task_id JOIN artifact a ON a.id = l.artifact_id WHERE l.role = 'input' AND a.path = 'model/model.json'")" evaluate || return 1
	sha=$(sql "SELECT sha256 FROM artifact WHERE path = 'model/model.json'")
	[ -f ".mlwb/objects/$(echo "$sha" | cut -c1-2)/$(echo "$sha" | cut -c3-)" ] || fail "object missing" || return 1
	# resource use per attempt
	expect_eq "$(sql "SELECT count(*) FROM attempt WHERE wall_ms IS NOT NULL AND cpu_ms IS NOT NULL AND peak_rss_kb > 0 AND reason = 'exit'")" 4 || return 1
	run metrics 1 loss --format json
	expect_eq "$(json "len(d), d[0]['name'], d[0]['step'], d[0]['task'], d[19]['step']")" "(20, 'loss', 0, 'train', 19)"
}

test_failure_and_upstream_failed() {
	project <<'YAML'
pipelines:
  p:
    tasks:
      a: {cmd: "echo a"}
      b: {cmd: "echo failing >&2; exit 3", needs: [a]}
      c: {cmd: "echo c", needs: [b]}
      d: {cmd: "sleep 0.3; echo d", needs: [a]}
YAML
	run run p --wait
	expect_rc 1 || return 1
	run show 1 --format json
	expect_eq "$(json "d['status']")" failed || return 1
	expect_eq "$(json "[(t['name'], t['status'], t['exit_code']) for t in d['tasks']]")" \
		"[('a', 'succeeded', 0), ('b', 'failed', 3), ('d', 'succeeded', 0), ('c', 'upstream_failed', None)]" || return 1
	run logs 1 b
	expect_rc 0 && expect_out "failing"
}

test_retries_with_backoff() {
	project <<'YAML'
pipelines:
  p:
    tasks:
      flaky:
        # fails on its first attempt only
        cmd: 'if [ "$MLWB_ATTEMPT" = 1 ]; then exit 7; fi; echo ok'
        retries: 2
YAML
	MLWB_RETRY_BACKOFF=200ms run run p --wait
	expect_rc 0 || return 1
	run show 1 --format json
	expect_eq "$(json "[(t['status'], t['attempts'], t['exit_code']) for t in d['tasks']]")" "[('succeeded', 2, 0)]" || return 1
	expect_eq "$(sql "SELECT group_concat(status || ':' || exit_code, ',') FROM attempt ORDER BY number")" "failed:7,succeeded:0" || return 1
	# out of attempts: failed
	cat > mlwb.yaml <<'YAML'
pipelines:
  p:
    tasks:
      bad: {cmd: "exit 1", retries: 1}
YAML
	MLWB_RETRY_BACKOFF=100ms run run p --wait
	expect_rc 1 || return 1
	expect_eq "$(sql "SELECT count(*) FROM attempt a JOIN task t ON t.id = a.task_id WHERE t.run_id = 2")" 2
}

test_timeout_kills_the_group() {
	project <<'YAML'
pipelines:
  p:
    tasks:
      slow:
        cmd: "sh -c 'sleep 31 & sleep 32'"
        timeout: 1s
YAML
	start=$(date +%s)
	MLWB_KILL_GRACE=1s run run p --wait
	expect_rc 1 || return 1
	[ $(($(date +%s) - start)) -lt 10 ] || fail "timeout took too long" || return 1
	run show 1 --format json
	expect_eq "$(json "[(t['status'], t['reason']) for t in d['tasks']]")" "[('failed', 'timeout')]" || return 1
	no_process "sleep 3[12]"
}

test_cancel_leaves_no_process() {
	project <<'YAML'
pipelines:
  p:
    tasks:
      long: {cmd: "sh -c 'sleep 41 & sleep 42'; echo never"}
      after: {cmd: "echo after", needs: [long]}
YAML
	run run p
	expect_rc 0 || return 1
	wait_for 1 running || return 1
	i=0
	while ! pgrep -f "sleep 42" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	run cancel 1
	expect_rc 0 && expect_out "cancel requested" || return 1
	wait_for 1 cancelled 10 || return 1
	run show 1 --format json
	expect_eq "$(json "[(t['name'], t['status'], t['reason']) for t in d['tasks']]")" "[('long', 'cancelled', 'cancelled'), ('after', 'cancelled', 'cancelled')]" || return 1
	no_process "sleep 4[12]" || return 1
	run cancel 1
	expect_rc 1 && expect_err "has already cancelled"
}

test_kill_9_recovery() {
	project <<'YAML'
pipelines:
  p:
    tasks:
      work:
        cmd: 'for i in 1 2 3 4 5; do mlwb log metric progress $i; done; [ "$MLWB_ATTEMPT" -gt 1 ] || sleep 30'
        retries: 1
YAML
	PATH=$(dirname "$MLWB"):$PATH run run p
	wait_for 1 running || return 1
	i=0
	until [ "$(sql "SELECT count(*) FROM metric")" = 5 ]; do
		sleep 0.1; i=$((i + 1)); [ $i -lt 50 ] || { fail "points never arrived"; return 1; }
	done
	pid=$(cut -d' ' -f1 .mlwb/executor.pid)
	kill -9 "$pid"
	sleep 0.2
	PATH=$(dirname "$MLWB"):$PATH MLWB_RETRY_BACKOFF=100ms run executor start
	expect_rc 0 || return 1
	wait_for 1 succeeded 15 || return 1
	expect_eq "$(sql "SELECT group_concat(reason, ',') FROM (SELECT reason FROM attempt ORDER BY number)")" "lost,exit" || return 1
	# the points acknowledged before the crash are all there, and the second attempt's too
	expect_eq "$(sql "SELECT count(*) FROM metric")" 10 || return 1
	no_process "sleep 30"
}

test_three_logging_paths_and_bad_lines() {
	helper=$(cd "$here/../../src/python" && pwd)
	cat > steps.py <<'PY'
import mlwb
mlwb.log_metric("loss", 0.5, step=1)
mlwb.log_metrics({"loss": 0.25, "acc": 0.75}, step=2)
mlwb.log_param("optimizer", "adam w")
mlwb.set_tag("stage", "test")
assert mlwb.params()["train"]["lr"] == 0.5, mlwb.params()
PY
	project <<'YAML'
params: {train: {lr: 0.1}}
pipelines:
  p:
    tasks:
      py: {cmd: python3 steps.py}
      sh:
        cmd: >-
          mlwb log metric shell 1.5 3 && mlwb log param from shell &&
          echo 'metric ok 1' >&3 && echo 'garbage line' >&3 && echo 'metric x notanumber' >&3 &&
          mkdir -p m && echo '{"eval": {"auc": 0.9, "n": 10}, "flag": true, "name": "x"}' > m/e.json
        metrics: [m/e.json]
YAML
	PATH=$(dirname "$MLWB"):$PATH run run p -p train.lr=0.5 --wait
	expect_rc 0 || { cat .mlwb/runs/1/logs/*; return 1; }
	run show 1 --format json
	expect_eq "$(json "sorted((k, v['last'], v['count']) for k, v in d['metrics'].items())")" \
		"[('acc', 0.75, 1), ('eval.auc', 0.9, 1), ('eval.n', 10, 1), ('flag', 1, 1), ('loss', 0.25, 2), ('ok', 1, 1), ('shell', 1.5, 1)]" || return 1
	expect_eq "$(json "d['params']['optimizer'], d['params']['from'], d['tags']")" "('adam w', 'shell', {'stage': 'test'})" || return 1
	run logs 1 sh
	expect_out "ignored a malformed line on MLWB_FD (unknown verb): garbage line" || return 1
	expect_out "the value is not a number): metric x notanumber" || return 1
	expect_eq "$(sql "SELECT bad_lines FROM attempt a JOIN task t ON t.id = a.task_id WHERE t.name = 'sh'")" 2 || return 1
	# outside a run, each path is harmless or says so
	run log metric loss 1
	expect_rc 2 && expect_err "works inside a run" || return 1
	PYTHONPATH=$helper python3 -c "import mlwb; mlwb.log_metric('x', 1); assert mlwb.params() == {}; assert not mlwb.active()" || fail "helper outside a run"
}

test_many_points_none_lost() {
	project <<'YAML'
pipelines:
  p:
    tasks:
      burst: {cmd: "awk 'BEGIN { for (i = 0; i < 50000; i++) printf \"metric loss %.6f %d\\n\", 1/(i+1), i }' >&3"}
YAML
	run run p --wait
	expect_rc 0 || return 1
	expect_eq "$(sql "SELECT count(*), min(step), max(step) FROM metric")" "50000|0|49999" || return 1
	expect_eq "$(sql "SELECT count FROM metric_summary")" 50000
}

test_eight_jobs_log_at_once() {
	project <<'YAML'
pipelines:
  p:
    tasks:
YAML
	for i in 1 2 3 4 5 6 7 8; do
		printf "      j%d: {cmd: \"awk 'BEGIN { for (i = 0; i < 20000; i++) printf \\\\\"metric m%d %%d %%d\\\\\\\\n\\\\\", i, i }' >&3\"}\n" $i $i >> mlwb.yaml
	done
	MLWB_CPUS=8 run run p --wait
	expect_rc 0 || { cat mlwb.yaml; cat .mlwb/runs/1/logs/*; return 1; }
	expect_eq "$(sql "SELECT count(*), count(DISTINCT key_id) FROM metric")" "160000|8" || return 1
	# they really ran side by side: some pairs overlapped in time
	overlaps=$(sql "SELECT count(*) FROM task a, task b WHERE a.id < b.id AND a.started < b.finished AND b.started < a.finished")
	[ "$overlaps" -gt 0 ] || fail "the eight jobs ran one after another" || return 1
	grep -q "database is locked" .mlwb/executor.log && fail "database is locked" || true
}

test_cache_hits_and_misses() {
	cp -r "$sample"/. . && "$MLWB" init >/dev/null || return 1
	run run --wait
	run run --wait
	run show 2 --format json
	expect_eq "$(json "[(t['name'], t['status'], t['cached']) for t in d['tasks']]")" \
		"[('prepare', 'cached', True), ('train', 'cached', True), ('evaluate', 'cached', True), ('report', 'succeeded', False)]" || return 1
	expect_eq "$(json "d['metrics']['loss']['count']")" 20 || return 1
	[ -f .mlwb/runs/2/ws/model/model.json ] || fail "cached output not restored" || return 1
	# the key holds every resolved param: another value runs everything
	run run -p train.lr=0.3 --wait
	run show 3 --format json
	expect_eq "$(json "[t['status'] for t in d['tasks']]")" "['succeeded', 'succeeded', 'succeeded', 'succeeded']" || return 1
	run run --no-cache --wait
	run show 4 --format json
	expect_eq "$(json "[t['cached'] for t in d['tasks']]")" "[False, False, False, False]" || return 1
	# an edit of a dep changes the key
	echo "# changed" >> steps/prepare.py
	run run --wait
	run show 5 --format json
	expect_eq "$(json "[t['status'] for t in d['tasks']][0]")" succeeded
}

test_sweep_isolation() {
	project <<'YAML'
params: {x: 0}
pipelines:
  p:
    tasks:
      write:
        cmd: "echo ${x} > out.txt; sleep 0.5; cat out.txt"
        outs: [out.txt]
sweeps:
  xs: {pipeline: p, grid: {x: [1, 2, 3, 4]}, parallel: 2}
YAML
	MLWB_CPUS=4 run run --sweep xs --wait
	expect_rc 0 || return 1
	expect_eq "$out" 1 || return 1
	run runs --format json
	expect_eq "$(json "sorted((r['params'].get('x'), r['parent'], r['trigger'], r['status']) for r in d if r['parent'])")" \
		"[(1, 1, 'sweep', 'succeeded'), (2, 1, 'sweep', 'succeeded'), (3, 1, 'sweep', 'succeeded'), (4, 1, 'sweep', 'succeeded')]" || return 1
	for id in 2 3 4 5; do
		x=$(sql "SELECT value FROM run_param WHERE run_id = $id AND name = 'x'")
		expect_eq "$(cat .mlwb/runs/$id/ws/out.txt)" "$x" "run $id" || return 1
	done
	# never more than two children at once
	most=$(sql "SELECT max(c) FROM (SELECT (SELECT count(*) FROM run b WHERE b.parent_id = 1 AND b.started <= a.started AND b.finished > a.started) AS c FROM run a WHERE a.parent_id = 1)")
	[ "$most" -le 2 ] && [ "$most" -ge 1 ] || fail "$most children ran at once (parallel: 2)" || return 1
	expect_eq "$(status 1)" succeeded
}

test_git_provenance() {
	git init -q -b main . && git config user.email t@example.com && git config user.name t || return 1
	project <<'YAML'
pipelines:
  p:
    tasks:
      t: {cmd: "cat input.txt"}
YAML
	echo one > input.txt
	git add mlwb.yaml input.txt && git commit -qm init
	echo two > input.txt
	run run --wait
	expect_rc 0 || return 1
	run show 1 --format json
	expect_eq "$(json "d['git']['commit'] == '$(git rev-parse HEAD)', d['git']['branch'], d['git']['dirty']")" "(True, 'main', True)" || return 1
	expect_eq "$(cat .mlwb/runs/1/ws/input.txt)" two "workspace holds the work tree as it is" || return 1
	sha=$(sql "SELECT sha256 FROM artifact WHERE kind = 'diff'")
	grep -q '^+two' ".mlwb/objects/$(echo "$sha" | cut -c1-2)/$(echo "$sha" | cut -c3-)" || fail "diff artifact"
}

test_executor_commands() {
	project <<'YAML'
pipelines: {p: {tasks: {t: {cmd: "true"}}}}
YAML
	run executor status
	expect_rc 0 && expect_out "executor not running" || return 1
	run executor start
	expect_rc 0 && expect_out "executor started (pid" || return 1
	run executor start
	expect_out "already running" || return 1
	run executor status
	expect_out "executor running: pid" && expect_out "0 tasks running" || return 1
	run executor stop
	expect_rc 0 && expect_out "executor stopped" || return 1
	run executor stop
	expect_rc 1 && expect_err "no executor is running"
}

test_run_usage_errors() {
	cp -r "$sample"/. . && "$MLWB" init >/dev/null || return 1
	run run nope
	expect_rc 2 && expect_err 'no pipeline "nope"' || return 1
	run run -p train.lr=fast
	expect_rc 2 && expect_err 'param "train.lr" takes a number (default 0.1), got "fast"' || return 1
	run run -p train.lrr=1
	expect_rc 2 && expect_err 'did you mean "train.lr"' || return 1
	run run --sweep nope
	expect_rc 2 && expect_err 'no sweep "nope"' || return 1
	expect_eq "$(sql "SELECT count(*) FROM run")" 0 "nothing queued by a bad command"
}
