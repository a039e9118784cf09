# The terminal UI, headless in the manner of tig: each tests/ui/NAME.script
# is played against a seeded project and its screen dumps compared with
# tests/ui/NAME.expect.  MLWB_UPDATE_UI=1 rewrites the expectations.

ui_dir=$(cd "$here/../ui" && pwd)

ui_project() {
	cp "$ui_dir/mlwb.yaml" . && "$MLWB" init >/dev/null && python3 "$ui_dir/seed.py" "$PWD" || return 1
	# a week of drift batches, the fourth day's linked to run 1
	python3 "$ui_dir/../drift/week.py" . 100 && "$MLWB" monitor run --no-trigger >/dev/null &&
		python3 -c "import sqlite3; c = sqlite3.connect('.mlwb/mlwb.db'); c.execute(\"UPDATE drift_batch SET triggered_run = 1 WHERE batch = 'data/incoming/day4.csv'\"); c.commit()"
}

play() {
	TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color MLWB_TUI_NOW=1764000130000 MLWB_CPUS=4 MLWB_MEM=16G MLWB_GPUS=0 \
		"$MLWB" tui --script "$ui_dir/$1.script" --size 100x24
}

test_ui_screens() {
	ui_project || return 1
	for script in "$ui_dir"/*.script; do
		name=$(basename "$script" .script)
		play "$name" > "$name.out" 2> "$name.err" || { cat "$name.err"; fail "$name: exit $?"; return 1; }
		if [ -n "${MLWB_UPDATE_UI:-}" ]; then
			cp "$name.out" "$ui_dir/$name.expect"
		elif ! diff -u "$ui_dir/$name.expect" "$name.out"; then
			fail "screen of $name differs (MLWB_UPDATE_UI=1 rewrites the expectations)"
			return 1
		fi
	done
	# what the scripts wrote: runs.script tagged and noted run 3, chose columns
	expect_eq "$(sql "SELECT name || '=' || value FROM tag WHERE run_id = 3")" "stage=best" || return 1
	expect_eq "$(sql "SELECT note FROM run WHERE id = 3")" "first try" || return 1
	grep -qx -- "-pipeline" .mlwb/tui-columns || fail "the column choice was not saved"
}

test_ui_ascii_fallback() {
	ui_project || return 1
	TZ=UTC LC_ALL=C TERM=xterm MLWB_TUI_NOW=1764000130000 "$MLWB" tui --script "$ui_dir/dag.script" --size 100x24 > out || return 1
	grep -q -- "--+->" out || fail "no ASCII edges: $(cat out)" || return 1
	if LC_ALL=C grep -q "$(printf '\342')" out; then fail "UTF-8 bytes in an ASCII screen"; fi
}

test_ui_keys_doc_is_current() {
	"$MLWB" tui --keys-md > keys.md || return 1
	diff -u "$here/../../docs/keys.md" keys.md || fail "docs/keys.md is stale: mlwb tui --keys-md > docs/keys.md"
}

test_ui_needs_a_terminal() {
	ui_project || return 1
	run tui </dev/null
	expect_rc 2 && expect_err "needs a terminal"
	run </dev/null
	expect_rc 0 && expect_out "commands:"
}

test_ui_bad_theme_falls_back() {
	ui_project || return 1
	printf 'name: broken\ncolors:\n  run.failed: red purple\n' > broken.yaml
	printf 'dump\n' > s
	TZ=UTC LC_ALL=C.UTF-8 MLWB_TUI_NOW=1764000130000 "$MLWB" tui --theme ./broken.yaml --script s > out || return 1
	grep -q 'broken.yaml:3:15: unknown colour "purple"' out || fail "no theme error: $(tail -2 out)"
	for t in default light high-contrast mono; do
		TZ=UTC "$MLWB" tui --theme $t --script s > out2 || return 1
		grep -q "unknown\|no theme" out2 && fail "theme $t: $(tail -1 out2)" || true
	done
}

test_ui_launch_submits_a_run() {
	cp "$ui_dir/mlwb.yaml" . && "$MLWB" init >/dev/null || return 1
	printf 'key 5\nkey Enter\nkey j\nkey Enter\ntype 0.3\nkey Enter\nkey S\ndump\n' > s
	TZ=UTC "$MLWB" tui --script s > out || return 1
	grep -q "run 1 queued" out || fail "no confirmation: $(tail -3 out)" || return 1
	grep -q "DAG 1" out || fail "the DAG of the new run is not shown" || return 1
	expect_eq "$(sql "SELECT value FROM run_param WHERE run_id = 1 AND name = 'train.lr'")" 0.3 || return 1
	i=0
	until [ "$(sql 'SELECT status FROM run WHERE id = 1')" = succeeded ]; do
		sleep 0.1; i=$((i + 1)); [ $i -lt 100 ] || { fail "the launched run never finished"; return 1; }
	done
}

test_ui_retry_from_dag() {
	printf 'pipelines:\n  p:\n    tasks:\n      flaky: {cmd: "[ -f ok ] || { touch ok; exit 1; }"}\n      after: {cmd: "true", needs: [flaky]}\n' > mlwb.yaml
	"$MLWB" init >/dev/null && "$MLWB" run p --wait 2>/dev/null >/dev/null
	expect_eq "$(sql 'SELECT status FROM run WHERE id = 1')" failed || return 1
	# the workspace kept "ok": a retry succeeds
	printf 'type :dag 1\nkey Enter\nkey r\ndump\n' > s
	TZ=UTC "$MLWB" tui --script s > out || return 1
	grep -q "task flaky of run 1 queued again" out || fail "$(tail -2 out)" || return 1
	i=0
	until [ "$(sql 'SELECT status FROM run WHERE id = 1')" = succeeded ]; do
		sleep 0.1; i=$((i + 1)); [ $i -lt 100 ] || { fail "the retried run is $(sql 'SELECT status FROM run WHERE id = 1')"; return 1; }
	done
	expect_eq "$(sql "SELECT group_concat(status, ',') FROM (SELECT status FROM task ORDER BY id)")" "succeeded,succeeded"
}

test_ui_chart_fallbacks() {
	ui_project || return 1
	printf 'type :chart 1 loss\nkey Enter\ndump\n' > s
	TZ=UTC LC_ALL=C.UTF-8 MLWB_CHART=block "$MLWB" tui --script s > block || return 1
	grep -q "[▀▄█]" block || fail "no block characters" || return 1
	if grep -q "$(printf '\342\240')" block || grep -q "$(printf '\342\241')" block; then
		fail "braille in the block style"
		return 1
	fi
	TZ=UTC LC_ALL=C "$MLWB" tui --script s > ascii || return 1
	grep -q '\*' ascii || fail "no ASCII dots" || return 1
	if LC_ALL=C grep -q "$(printf '\342')" ascii; then fail "UTF-8 in the ASCII style"; fi
}
