#!/bin/sh
# make demo: lays out the quickstart sample as a project under build/demo and
# shows what mlwb knows about it.
set -eu
mlwb=$1
here=$(cd "$(dirname "$0")" && pwd)
demo=$(dirname "$mlwb")/demo/quickstart
mkdir -p "$demo"
cp -R "$here/quickstart/." "$demo/"
cd "$demo"
"$mlwb" init . >/dev/null
echo "== demo project: $demo"
"$mlwb" validate
echo
"$mlwb" dag train
echo
"$mlwb" runs
