# The UI's edits as commands: tag, note, delete/restore, retry, and the filter

seed_two() {
	printf 'params: {lr: 0.1}\npipelines:\n  p:\n    tasks:\n      flaky: {cmd: "[ -f ok ] || { touch ok; exit 1; }"}\n      after: {cmd: "echo ${lr}", needs: [flaky]}\n' > mlwb.yaml
	"$MLWB" init >/dev/null && "$MLWB" run p --wait >/dev/null 2>&1
	"$MLWB" run p -p lr=0.5 --wait >/dev/null 2>&1
	true
}

test_tag_and_note() {
	seed_two || return 1
	run tag 1 stage=best owner=alice
	expect_rc 0 || return 1
	run note 1 first try, flaky
	expect_rc 0 && expect_out "note saved" || return 1
	run show 1 --format json
	expect_eq "$(json "d['tags'], d['note']")" "({'owner': 'alice', 'stage': 'best'}, 'first try, flaky')" || return 1
	run note 1
	expect_out "note cleared" || return 1
	run tag 1 nonsense
	expect_rc 2 && expect_err "a tag is NAME=VALUE" || return 1
	run tag 9 a=b
	expect_rc 2 && expect_err "no run 9"
}

test_delete_restore_and_trash() {
	seed_two || return 1
	run delete 1
	expect_rc 0 || return 1
	run runs --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[2]" || return 1
	run runs --trash --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[1]" || return 1
	run restore 1
	expect_rc 0 || return 1
	run runs --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[2, 1]" || return 1
	run runs --trash
	expect_out "the trash is empty"
}

test_retry_a_failed_task() {
	seed_two || return 1
	expect_eq "$(sql 'SELECT status FROM run WHERE id = 1')" failed || return 1
	run retry 1 after
	expect_rc 2 && expect_err "task after of run 1 did not run because a task before it failed: retry that one" || return 1
	run retry 1 nope
	expect_rc 2 && expect_err 'run 1 has no task "nope"' || return 1
	run retry 1 flaky
	expect_rc 0 && expect_out "run 1 queued again from task flaky" || return 1
	i=0
	until [ "$(sql 'SELECT status FROM run WHERE id = 1')" = succeeded ]; do
		sleep 0.1; i=$((i + 1)); [ $i -lt 100 ] || { fail "the retried run is $(sql 'SELECT status FROM run WHERE id = 1')"; return 1; }
	done
	expect_eq "$(sql "SELECT count(*) FROM attempt a JOIN task t ON t.id = a.task_id WHERE t.run_id = 1 AND t.name = 'flaky'")" 2
}

test_runs_filter() {
	seed_two || return 1
	run runs --filter "params.lr > 0.2" --format json
	expect_rc 0 && expect_eq "$(json "[r['id'] for r in d]")" "[2]" || return 1
	run runs --filter "status = failed or status = succeeded" --limit 1 --format json
	expect_eq "$(json "[r['id'] for r in d]")" "[2]" || return 1
	run runs --filter "colour = red"
	expect_rc 2 && expect_err 'unknown name "colour"' || return 1
	run runs --filter "lr >"
	expect_rc 2 && expect_err "--filter: a value is missing" || return 1
	run runs --filter "params.lr > 5"
	expect_rc 0 && expect_out "no runs match"
}
