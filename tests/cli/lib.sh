# lib.sh - helpers for the CLI tests: each t_*.sh is sourced by run.sh in a
# fresh temporary directory, with $MLWB the binary under test.
#
# A test is a shell function named test_*; it fails by calling `fail` (or any
# `expect_*` helper), which prints why and returns 1.

fail() {
	echo "    FAIL: $*" >&2
	return 1
}

# run CMD...: runs mlwb, keeping stdout in $out, stderr in $errout, the
# exit code in $rc.  Never fails by itself.
run() {
	out=$("$MLWB" "$@" 2>"$TMP/stderr")
	rc=$?
	errout=$(cat "$TMP/stderr")
	return 0
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "expected exit $1, got $rc (stderr: $errout)"
}

expect_out() {
	case "$out" in *"$1"*) return 0 ;; esac
	fail "stdout lacks '$1'; it was: $out"
}

expect_err() {
	case "$errout" in *"$1"*) return 0 ;; esac
	fail "stderr lacks '$1'; it was: $errout"
}

expect_eq() {
	[ "$1" = "$2" ] || fail "expected '$2', got '$1'${3:+ ($3)}"
}

# json EXPR: evaluates a Python expression over the JSON in $out (as `d`).
json() {
	printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); v = ($1); print(v)"
}

# sql QUERY: runs a query against the project's database.
sql() {
	python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); [print('|'.join(map(str,r))) for r in c.execute(sys.argv[2])]" "${DB:-.mlwb/mlwb.db}" "$1"
}
