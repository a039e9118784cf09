# mlwb init, project discovery

test_init_creates_project() {
	run init || return 1
	expect_rc 0 && expect_out "initialized an mlwb project" || return 1
	[ -f mlwb.yaml ] && [ -d .mlwb/objects ] && [ -d .mlwb/runs ] && [ -f .mlwb/mlwb.db ] || fail "layout incomplete"
	expect_eq "$(sql 'PRAGMA journal_mode')" wal "journal mode" || return 1
	expect_eq "$(sql 'SELECT max(version) FROM schema_version')" 2 || return 1
	# git leaves .mlwb alone without touching the user's .gitignore
	[ ! -e .gitignore ] || fail ".gitignore written"
	grep -qx '\*' .mlwb/.gitignore || fail ".mlwb/.gitignore missing"
	run validate
	expect_rc 0 && expect_out "mlwb.yaml: ok: project work, 1 pipeline, 3 tasks"
}

test_init_is_idempotent() {
	run init && expect_rc 0 || return 1
	echo "# my edits" >> mlwb.yaml
	before=$(cksum mlwb.yaml .mlwb/mlwb.db)
	run init
	expect_rc 0 && expect_out "already an mlwb project; nothing changed" || return 1
	expect_eq "$(cksum mlwb.yaml .mlwb/mlwb.db)" "$before" "files changed"
}

test_init_dir_argument_and_partial_project() {
	run init sub/proj
	expect_rc 0 && [ -f sub/proj/mlwb.yaml ] && [ -f sub/proj/.mlwb/mlwb.db ] || fail "init DIR"
	# A clone has mlwb.yaml but no .mlwb/: init adds only the missing part.
	mkdir clone && printf 'pipelines: {p: {tasks: {t: {cmd: "true"}}}}\n' > clone/mlwb.yaml
	run init clone
	expect_rc 0 && expect_out "created .mlwb/" || return 1
	case "$out" in *"created mlwb.yaml"*) fail "overwrote mlwb.yaml" ;; esac
	grep -q 'cmd: "true"' clone/mlwb.yaml || fail "mlwb.yaml changed"
	run init clone/mlwb.yaml
	expect_rc 2 && expect_err "is not a directory"
}

test_discovery_walks_up() {
	run init && mkdir -p a/b/c && cd a/b/c || return 1
	run runs --format json
	expect_rc 0 && expect_eq "$out" "[]"
	run dag
	expect_rc 0 && expect_out "pipeline main"
}

test_outside_a_project() {
	run runs
	expect_rc 2 || return 1
	expect_err "not inside an mlwb project" || return 1
	expect_eq "$(printf '%s\n' "$errout" | wc -l)" 1 "one line" || return 1
	expect_eq "$out" "" "nothing on stdout" || return 1
	for cmd in validate dag "show 1"; do
		run $cmd
		expect_rc 2 && expect_err "run \`mlwb init\`" || return 1
	done
}

test_mlwb_dir_override() {
	mkdir proj elsewhere && (cd proj && "$MLWB" init >/dev/null) || return 1
	cd elsewhere
	MLWB_DIR=../proj run dag
	expect_rc 0 && expect_out "pipeline main" || return 1
	MLWB_DIR=../proj/.mlwb run runs --format json
	expect_rc 0 && expect_eq "$out" "[]" || return 1
	MLWB_DIR=/nonexistent run runs
	expect_rc 2 && expect_err "MLWB_DIR=/nonexistent"
	MLWB_DIR=. run runs
	expect_rc 2 && expect_err "is not an mlwb project"
}

test_newer_database_is_refused() {
	run init || return 1
	python3 -c "import sqlite3; c=sqlite3.connect('.mlwb/mlwb.db'); c.execute('PRAGMA user_version=42'); c.commit()"
	before=$(cksum .mlwb/mlwb.db)
	run runs
	expect_rc 2 && expect_err "written by a newer mlwb (schema version 42" || return 1
	expect_eq "$(cksum .mlwb/mlwb.db)" "$before" "database touched"
}
