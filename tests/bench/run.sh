#!/bin/sh
# make bench: every benchmark, one after another.  Figures go to stdout;
# docs/benchmarks.md records them with the machine they came from.
set -e
build=${1:-build}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
"$build"/bench/bench_store "${BENCH_DIR:-/tmp}/mlwb-bench-store"
sh tests/bench/bench_exec.sh "$build/mlwb" "${BENCH_DIR:-/tmp}/mlwb-bench-exec"
sh tests/bench/bench_tui.sh "$build/mlwb" "${BENCH_DIR:-/tmp}/mlwb-bench-store/mlwb.db"
sh tests/bench/bench_chart.sh "$build" "${BENCH_DIR:-/tmp}/mlwb-bench-chart"
sh tests/bench/bench_drift.sh "$build/mlwb" "${BENCH_DIR:-/tmp}/mlwb-bench-drift"
