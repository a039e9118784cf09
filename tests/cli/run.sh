#!/bin/sh
# Runs every test_* function of tests/cli/t_*.sh, each in its own empty
# directory, and prints "N passed, N failed".
here=$(cd "$(dirname "$0")" && pwd)
: "${MLWB:?set MLWB to the mlwb binary}"
export MLWB
root=$(mktemp -d /tmp/mlwb-cli-XXXXXX)
passed=0
failed=0
failures=""
# ONLY=PATTERN runs the tests whose file or function name contains PATTERN.
for file in "$here"/t_*.sh; do
	names=$(sed -n 's/^\(test_[a-z0-9_]*\)().*/\1/p' "$file")
	if [ -n "$ONLY" ]; then
		case "$file" in
		*"$ONLY"*) ;;
		*) names=$(printf '%s\n' $names | grep -F -- "$ONLY") ;;
		esac
	fi
	for name in $names; do
		TMP="$root/$(basename "$file" .sh).$name"
		mkdir -p "$TMP/work"
		# Each test in a subshell: cd, variables and traps stay inside.
		if (
			cd "$TMP/work" || exit 1
			TMP=$TMP
			HOME=$TMP
			GIT_CONFIG_NOSYSTEM=1
			export HOME GIT_CONFIG_NOSYSTEM TMP
			unset MLWB_DIR
			# Executors started by a test go away soon after it.
			MLWB_EXECUTOR_IDLE=5s
			export MLWB_EXECUTOR_IDLE
			. "$here/lib.sh"
			. "$file"
			"$name"
		) >"$TMP/log" 2>&1; then
			ok=1
		else
			ok=0
		fi
		# Stop any executor the test left behind.
		for lock in $(find "$TMP" -name executor.pid 2>/dev/null); do
			pid=$(cut -d' ' -f1 "$lock")
			[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
		done
		if [ "$ok" = 1 ]; then
			passed=$((passed + 1))
			echo "ok   $(basename "$file" .sh) $name"
		else
			failed=$((failed + 1))
			failures="$failures $name"
			echo "FAIL $(basename "$file" .sh) $name"
			sed 's/^/     | /' "$TMP/log"
		fi
	done
done
rm -rf "$root"
echo
echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
