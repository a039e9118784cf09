# mlwb compare: runs side by side

seed_compare() {
	"$MLWB" init >/dev/null && python3 - <<'PY'
import sqlite3
c = sqlite3.connect(".mlwb/mlwb.db")
c.execute("INSERT INTO experiment(id, name, created) VALUES (1, 'e', 0)")
for rid, lr in ((1, "0.1"), (2, "0.5"), (3, "0.1")):
    c.execute("INSERT INTO run(id, experiment_id, pipeline, status, created) VALUES (?, 1, 'p', 'succeeded', 0)", (rid,))
    c.executemany("INSERT INTO run_param VALUES (?, ?, ?)", [(rid, "lr", lr), (rid, "seed", "1")])
c.execute("INSERT INTO metric_key(id, name) VALUES (1, 'val_loss'), (2, 'auc')")
series = {1: [0.9, 0.5, 0.6], 2: [0.8, 0.3, 0.7], 3: [0.7, 0.6, 0.4]}
aucs = {1: [0.7, 0.8], 2: [0.75, 0.72], 3: [0.6, 0.85]}
for rid in series:
    for key, vals in ((1, series[rid]), (2, aucs[rid])):
        for step, v in enumerate(vals):
            c.execute("INSERT INTO metric VALUES (?, ?, ?, 0, ?, 0, NULL)", (rid, key, step, v))
        c.execute("INSERT INTO metric_summary VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (rid, key, vals[-1], len(vals) - 1, min(vals), max(vals), len(vals)))
c.commit()
PY
}

test_compare_json() {
	seed_compare || return 1
	run compare 1 2 3 --format json
	expect_rc 0 || return 1
	expect_eq "$(json "d['runs'], [(p['name'], p['differs'], p['values']) for p in d['params']]")" \
		"([1, 2, 3], [('lr', True, [0.1, 0.5, 0.1]), ('seed', False, [1, 1, 1])])" || return 1
	# val_loss: lower is better; the best value is run 2's 0.3 at step 1
	expect_eq "$(json "[(m['name'], m['goal'], m['best_run']) for m in d['metrics']]")" "[('auc', 'max', 3), ('val_loss', 'min', 2)]" || return 1
	expect_eq "$(json "[(v['last'], v['best'], v['best_step']) for v in d['metrics'][1]['values']]")" \
		"[(0.6, 0.5, 1), (0.7, 0.3, 1), (0.4, 0.4, 2)]" || return 1
	run compare 1 2 --only-diff --format json
	expect_eq "$(json "[p['name'] for p in d['params']]")" "['lr']" || return 1
	# mlwb.yaml can say which way is better where the name guesses wrong
	printf 'metrics:\n  val_loss: {goal: max}\npipelines: {p: {tasks: {t: {cmd: "true"}}}}\n' > mlwb.yaml
	run compare 1 2 3 --format json
	expect_eq "$(json "[(m['name'], m['goal'], m['best_run']) for m in d['metrics']]")" "[('auc', 'max', 3), ('val_loss', 'max', 1)]" || return 1
	printf 'metrics:\n  val_loss: {goal: up}\npipelines: {p: {tasks: {t: {cmd: "true"}}}}\n' > mlwb.yaml
	run validate
	expect_rc 2 && expect_err "mlwb.yaml:2:20: goal must be min or max, got \"up\""
}

test_compare_table_and_csv() {
	seed_compare || return 1
	run compare 1 2 3
	expect_rc 0 && expect_out "* lr" && expect_out "*0.3 @ 1" && expect_out "*0.85 @ 1" || return 1
	run compare 1 2 3 --format csv
	printf '%s\n' "$out" > c.csv
	python3 - <<'PY' || fail "csv"
import csv
rows = list(csv.DictReader(open("c.csv")))
best = [(r["name"], r["run"]) for r in rows if r["is_best"] == "true"]
assert sorted(best) == [("auc", "3"), ("val_loss", "2")], best
assert [r["value"] for r in rows if r["kind"] == "param" and r["name"] == "lr"] == ["0.1", "0.5", "0.1"]
PY
	run compare 1
	expect_rc 2 && expect_err "two runs or more" || return 1
	run compare 1 99
	expect_rc 2 && expect_err "no run 99"
}
