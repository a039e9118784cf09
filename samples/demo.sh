#!/bin/sh
# make demo: lays out the quickstart sample as a project under build/demo and
# runs it: one training run, then the learning-rate sweep.
set -eu
mlwb=$1
here=$(cd "$(dirname "$0")" && pwd)
demo=$(dirname "$mlwb")/demo/quickstart
if [ -d "$demo/.mlwb" ]; then
	(cd "$demo" && "$mlwb" executor stop --now >/dev/null 2>&1) || true
	rm -rf "$demo"
fi
mkdir -p "$demo"
cp -R "$here/quickstart/." "$demo/"
cd "$demo"
export MLWB_EXECUTOR_IDLE=${MLWB_EXECUTOR_IDLE:-2m}
"$mlwb" init . >/dev/null
echo "== demo project: $demo"
"$mlwb" validate
"$mlwb" dag train
echo
echo "== mlwb run train --wait"
"$mlwb" run train --wait >/dev/null
echo
echo "== mlwb run --sweep lr --wait"
"$mlwb" run --sweep lr --wait >/dev/null
echo
"$mlwb" runs
echo
echo "Next: cd $demo && mlwb show 1, mlwb metrics 1 loss, mlwb logs 1 train"
