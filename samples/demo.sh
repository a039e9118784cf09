#!/bin/sh
# make demo: lays out the quickstart sample as a project under build/demo,
# runs it (one training run, the learning-rate sweep, and one long run left
# going), adds a drift monitor over a week of incoming data that drifts from
# its fourth day (8 in the workbench), then opens the workbench on it.  Without a terminal it prints a
# summary instead.
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
export MLWB_EXECUTOR_IDLE=${MLWB_EXECUTOR_IDLE:-5m}
"$mlwb" init . >/dev/null
echo "== demo project: $demo"
"$mlwb" validate
echo "== mlwb run train --wait"
"$mlwb" run train --wait >/dev/null
echo "== mlwb run --sweep lr --wait"
"$mlwb" run --sweep lr --wait >/dev/null
echo "== mlwb run -p train.epochs=4000 --no-cache   (left running)"
"$mlwb" run -p train.epochs=4000 --no-cache >/dev/null
echo "== mlwb monitor run   (a week of incoming data, drifting from day 4)"
python3 "$here/../tests/drift/week.py" monitoring
cat >> mlwb.yaml <<'YAML'
monitors:
  incoming:
    reference: monitoring/data/train.csv
    current: monitoring/data/incoming/*.csv
YAML
"$mlwb" monitor run | tail -1
if [ -t 0 ] && [ -t 1 ]; then
	exec "$mlwb" tui
fi
echo
"$mlwb" runs
echo
echo "No terminal here: open the workbench with  cd $demo && $mlwb"
