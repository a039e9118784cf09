#!/bin/sh
# Runs every unit test binary in $1/tests; cmocka prints its own summary per
# binary ("[  PASSED  ] N test(s).").  Fails when any binary fails.
build=${1:-build}
status=0
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d) continue ;; esac
	"$t" || status=1
done
exit $status
