#!/bin/sh
# bench_chart.sh - chart and compare targets (bench_chart), then the PNG
# export of a 1,000,000-point series through `mlwb plot`.
# usage: bench_chart.sh BUILD_DIR [DIR]
set -eu
build=$1
dir=${2:-/tmp/mlwb-bench-chart}
"$build"/bench/bench_chart "$dir"
mlwb=$(cd "$build" && pwd)/mlwb
cd "$dir"
printf 'pipelines: {p: {tasks: {t: {cmd: "true"}}}}\n' > mlwb.yaml
: > t
for i in 1 2 3 4 5; do
	t0=$(date +%s%3N)
	"$mlwb" plot 1 --metric big -o big.png > /dev/null
	echo $(( $(date +%s%3N) - t0 )) >> t
done
echo "PNG export of a 1,000,000-point series (mlwb plot, process start to file): median $(sort -n t | sed -n 3p) ms (target < 200 ms)"
