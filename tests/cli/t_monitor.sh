# Monitors: batches, storage, the feedback loop to retraining, windows,
# list/show, plots, and the executor's schedules and monitors.

week_py=$(cd "$here/../drift" && pwd)/week.py

monitor_project() {
	git init -q . && git config user.email t@example.com && git config user.name tester && "$MLWB" init >/dev/null && python3 "$week_py" . || return 1
	cat > mlwb.yaml <<'YAML'
project: week
params:
  epochs: 3
pipelines:
  train:
    tasks:
      fit: {cmd: "echo training for ${epochs} epochs"}
monitors:
  bookings:
    reference: data/train.csv
    current: data/incoming/*.csv
    threshold: {share: 0.5}
    on_drift: {run: train, params: {epochs: 9}}
  stream:
    reference: data/train.csv
    current: data/stream.csv
    window: {column: ts, every: 1d}
    columns: [lead_time, adr]
YAML
}

test_monitor_week_queues_one_retraining() {
	monitor_project || return 1
	run monitor run bookings
	expect_rc 0 || return 1
	expect_out "data/incoming/day3.csv             0 of 3   drifted  ok" || return 1
	expect_out "data/incoming/day4.csv             2 of 3   drifted  DRIFT  -> queued run 1 (trigger drift)" || return 1
	expect_out "data/incoming/day7.csv             2 of 3   drifted  DRIFT  -> run 1 (queued already)" || return 1
	expect_out "7 batches evaluated, 4 drifting, 1 run queued" || return 1
	expect_eq "$(sql "SELECT trigger, trigger_detail FROM run")" \
		"drift|monitor bookings: batch data/incoming/day4.csv drifted (2 of 3 columns: lead_time, country)" || return 1
	expect_eq "$(sql "SELECT value FROM run_param WHERE name = 'epochs'")" "9" || return 1
	expect_eq "$(sql "SELECT batch, triggered_run FROM drift_batch WHERE dataset_drift AND batch LIKE 'data/%' ORDER BY batch" | tr '\n' ' ')" \
		"data/incoming/day4.csv|1 data/incoming/day5.csv|1 data/incoming/day6.csv|1 data/incoming/day7.csv|1 " || return 1
	# stored batches are not evaluated again, nor do they queue again
	run monitor run bookings
	expect_rc 0 && expect_out "no new batches" || return 1
	run monitor run bookings --again
	expect_rc 0 && expect_out "7 batches evaluated, 4 drifting, 0 runs queued" || return 1
	expect_eq "$(sql "SELECT count(*) FROM run")" 1 || return 1
	# a new drifting day once the retraining ran: one more run, for it alone
	sql "UPDATE run SET status = 'succeeded'" >/dev/null
	cp data/incoming/day7.csv data/incoming/day8.csv
	run monitor run bookings
	expect_rc 0 && expect_out "day8.csv             2 of 3   drifted  DRIFT  -> queued run 2 (trigger drift)"
}

test_monitor_passes_at_once_queue_one_run() {
	# three evaluations started together (and the executor the first one
	# wakes): every batch is stored once, one retraining is queued
	monitor_project || return 1
	for i in 1 2 3; do "$MLWB" monitor run bookings --format json > out$i.json 2>&1 & done
	wait
	expect_eq "$(python3 -c "import json; print(sum(json.load(open('out%d.json' % i))['evaluated'] for i in (1, 2, 3)))")" 7 || return 1
	expect_eq "$(sql "SELECT count(*) FROM run")" 1 || return 1
	expect_eq "$(sql "SELECT count(DISTINCT triggered_run) FROM drift_batch WHERE dataset_drift AND batch LIKE 'data/%'")" 1
}

test_monitor_list_and_show() {
	monitor_project || return 1
	"$MLWB" monitor run --no-trigger >/dev/null || return 1
	expect_eq "$(sql "SELECT count(*) FROM run")" 0 || return 1
	run monitor list
	expect_rc 0 || return 1
	expect_out "bookings         data/incoming/*.csv            7        4  data/incoming/day7.csv       DRIFT (2 of 3 columns)" || return 1
	run monitor list --format json
	expect_eq "$(json "[(m['monitor'], m['batches'], m['drifting'], m['latest']['batch']) for m in d['monitors']]")" \
		"[('bookings', 7, 4, 'data/incoming/day7.csv'), ('stream', 7, 4, '2026-11-07')]" || return 1
	run monitor show bookings
	expect_rc 0 && expect_out "! data/incoming/day4.csv" && expect_out "  data/incoming/day1.csv" || return 1
	run monitor show bookings data/incoming/day5.csv --format json
	expect_rc 0 || return 1
	expect_eq "$(json "[(c['column'], c['kind'], c['test'], c['drifted']) for c in d['batches'][0]['columns']]")" \
		"[('lead_time', 'num', 'ks', True), ('adr', 'num', 'ks', False), ('country', 'cat', 'chisquare', True)]" || return 1
	# the stored numbers are mlwb drift's numbers
	"$MLWB" drift --reference data/train.csv --current data/incoming/day5.csv --format json > direct.json
	expect_eq "$(json "[c['statistic'] for c in d['batches'][0]['columns']]")" \
		"$(python3 -c "import json; print([c['statistic'] for c in json.load(open('direct.json'))['columns']])")" || return 1
	# the window monitor: one batch a day, the time column left out
	run monitor show stream 2026-11-05 --format json
	expect_eq "$(json "([c['column'] for c in d['batches'][0]['columns']], d['batches'][0]['rows_current'])")" \
		"(['lead_time', 'adr'], 300)" || return 1
	run monitor show bookings nope
	expect_rc 2 && expect_err 'monitor "bookings" has no batch "nope"' || return 1
	run monitor run nope
	expect_rc 2 && expect_err 'no monitor "nope" in mlwb.yaml'
}

test_monitor_plot() {
	monitor_project || return 1
	"$MLWB" monitor run --no-trigger >/dev/null || return 1
	run plot --drift bookings -o drift.png
	expect_rc 0 && expect_out "wrote drift.png" || return 1
	[ "$(head -c 4 drift.png | od -An -c | tr -d ' ')" = "211PNG" ] || fail "not a PNG"
	run plot --drift nope -o x.png
	expect_rc 2 && expect_err 'monitor "nope" has no stored batches'
}

test_monitor_bad_batch_does_not_stop_the_others() {
	monitor_project || return 1
	printf 'lead_time,adr,country\n1,2\n' > data/incoming/day0.csv
	run monitor run bookings --no-trigger
	expect_rc 2 && expect_err "data/incoming/day0.csv:2: row has 2 fields, the header has 3" || return 1
	expect_out "7 batches evaluated" || return 1
	# fixed, it is evaluated on the next run
	printf 'lead_time,adr,country\n1,2,PT\n' > data/incoming/day0.csv
	run monitor run bookings --no-trigger
	expect_rc 0 && expect_out "1 batch evaluated"
}

test_monitor_reference_from_a_model() {
	git init -q . && "$MLWB" init >/dev/null && python3 "$week_py" . || return 1
	cat > mlwb.yaml <<'YAML'
pipelines:
  train:
    tasks:
      fit:
        cmd: "cp data/train.csv train.csv && echo model > model.bin"
        deps: [data/train.csv]
        outs: [train.csv, model.bin]
        register: {model: bookings, artifact: model.bin, promote_to: production}
monitors:
  live:
    reference: {model: bookings@production, artifact: train.csv}
    current: data/incoming/day[12].csv
YAML
	run run train --wait
	expect_rc 0 || return 1
	run monitor run live
	expect_rc 0 && expect_out "2 batches evaluated, 0 drifting" || return 1
	run monitor show live --format json
	expect_eq "$(json "d['batches'][0]['reference']")" "bookings v1 (run 1): train.csv"
}

# wait_until SECONDS COMMAND...: polls until COMMAND succeeds
wait_until() {
	limit=$1
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt $((limit * 10)) ] && return 1
		sleep 0.1
	done
}

has_run() {
	[ "$(sql "SELECT count(*) FROM run WHERE trigger = '$1'")" -ge "${2:-1}" ]
}

test_executor_runs_schedules_and_monitors() {
	monitor_project || return 1
	mkdir -p drop
	cat >> mlwb.yaml <<'YAML'
schedules:
  on-commit: {git: master, run: train}
  on-data: {watch: drop, run: train, params: {epochs: 1}}
  nightly: {cron: "0 3 * * *", run: train}
YAML
	git add -A && git commit -qm first || return 1
	"$MLWB" executor start >/dev/null || return 1
	# the monitors' batches are evaluated and the drift queues its run
	wait_until 10 has_run drift || { cat .mlwb/executor.log; fail "no drift run"; return 1; }
	wait_until 10 sh -c "[ \"\$(python3 -c \"import sqlite3; print(sqlite3.connect('.mlwb/mlwb.db').execute('select count(*) from schedule_state').fetchone()[0])\")\" = 3 ]" ||
		{ cat .mlwb/executor.log; fail "schedules not looked at"; return 1; }
	# a new file under a watched path
	echo x > drop/new.txt
	wait_until 10 has_run data || { cat .mlwb/executor.log; fail "no data run"; return 1; }
	expect_eq "$(sql "SELECT trigger_detail FROM run WHERE trigger = 'data'")" "schedule on-data: new file drop/new.txt" || return 1
	# the branch tip moving
	echo change > notes.txt && git add notes.txt && git commit -qm "more data" || return 1
	wait_until 10 has_run commit || { cat .mlwb/executor.log; fail "no commit run"; return 1; }
	case "$(sql "SELECT trigger_detail FROM run WHERE trigger = 'commit'")" in
	"schedule on-commit: master moved to "*" more data") ;;
	*) fail "commit detail: $(sql "SELECT trigger_detail FROM run WHERE trigger = 'commit'")"; return 1 ;;
	esac
	# a new batch for the monitor: evaluated without asking
	cp data/incoming/day1.csv data/incoming/day9.csv
	wait_until 10 sh -c "sqlite3 -version >/dev/null 2>&1 || true; python3 -c \"import sqlite3,sys; sys.exit(0 if sqlite3.connect('.mlwb/mlwb.db').execute(\\\"select count(*) from drift_batch where batch like '%day9%'\\\").fetchone()[0] else 1)\"" ||
		{ cat .mlwb/executor.log; fail "day9 not evaluated"; return 1; }
	# the cron line did not fire (it is not 3 am), nothing fired twice
	expect_eq "$(sql "SELECT trigger, count(*) FROM run GROUP BY trigger ORDER BY trigger" | tr '\n' ' ')" \
		"commit|1 data|1 drift|1 " || return 1
	"$MLWB" executor stop >/dev/null
}
