#!/bin/sh
# bench_tui - the terminal UI on the store benchmark's database (10,000 runs,
# 10,000,000 metric points): time to the first full frame, time per key
# press, peak memory.  Headless (curses painting to /dev/null), so the
# figures are the UI's own work without a terminal's.
# usage: bench_tui.sh MLWB STORE_DB
set -eu
mlwb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
db=$2
dir=$(mktemp -d /tmp/mlwb-bench-tui-XXXXXX)
mkdir -p "$dir/.mlwb"
ln -s "$db" "$dir/.mlwb/mlwb.db"
printf 'pipelines: {train: {tasks: {t: {cmd: "true"}}}}\n' > "$dir/mlwb.yaml"
cd "$dir"
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf 'dump\n' > first
: > keys
for i in $(seq 1 500); do echo "key j" >> keys; done
echo dump >> keys
: > t_first; : > t_keys
for i in 1 2 3 4 5; do
	t0=$(now_ms); "$mlwb" tui --script first --size 200x50 > /dev/null; echo $(( $(now_ms) - t0 )) >> t_first
	t0=$(now_ms); "$mlwb" tui --script keys --size 200x50 > /dev/null; echo $(( $(now_ms) - t0 )) >> t_keys
done
first=$(median < t_first)
keys=$(median < t_keys)
per_key=$(awk "BEGIN {printf \"%.2f\", ($keys - $first) / 500}")
rss=$( { /usr/bin/time -f %M "$mlwb" tui --script keys --size 200x50 > /dev/null; } 2>&1 | tail -1)
runs=$(python3 -c "import sqlite3; print(sqlite3.connect('.mlwb/mlwb.db').execute('select count(*) from run').fetchone()[0])")
echo "tui on $runs runs: start to first full frame (and exit) median ${first} ms; per key press ${per_key} ms (500 presses of j, each one redrawn); peak RSS $((rss / 1024)) MiB"
cd / && rm -rf "$dir"
