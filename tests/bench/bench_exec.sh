#!/bin/sh
# bench_exec - the executor against its targets, peers in the same run:
#   1. one job logging 2,000,000 metric points through MLWB_FD (>= 500,000/s)
#   2. eight jobs logging at once (no point lost, no "database is locked")
#   3. a 1,000-task DAG of no-op commands: mlwb vs make -j2 vs snakemake -j2
#   4. latency from `mlwb run` to the first task's process, executor up (< 50 ms)
# usage: bench_exec.sh MLWB [DIR]
set -eu
mlwb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=${2:-/tmp/mlwb-bench-exec}
rm -rf "$dir" && mkdir -p "$dir"
export MLWB_EXECUTOR_IDLE=60s
now_ms() { date +%s%3N; }
q() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" .mlwb/mlwb.db "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ---- 1. throughput from one job ----
mkdir "$dir/one" && cd "$dir/one"
n=2000000
cat > mlwb.yaml <<YAML
pipelines:
  p:
    tasks:
      burst: {cmd: "awk 'BEGIN { for (i = 0; i < $n; i++) printf \"metric loss %.6f %d\\\\n\", 1/(i+1), i }' >&3"}
YAML
"$mlwb" init >/dev/null
"$mlwb" executor start >/dev/null
t0=$(now_ms)
awk "BEGIN { for (i = 0; i < $n; i++) printf \"metric loss %.6f %d\\n\", 1/(i+1), i }" > /dev/null
t_gen=$(( $(now_ms) - t0 ))
"$mlwb" run p >/dev/null
while [ "$(q "SELECT status FROM run WHERE id = 1")" != succeeded ]; do sleep 0.05; done
# from the task's start to its last point committed, as the store saw it
span=$(q "SELECT t.finished - t.started FROM task t WHERE t.run_id = 1")
count=$(q "SELECT count(*) FROM metric")
echo "1. one job, $count points through MLWB_FD: ${span} ms from task start to last point stored -> $(( count * 1000 / span )) points/s (awk alone writing them to /dev/null: ${t_gen} ms)"
"$mlwb" executor stop >/dev/null

# ---- 2. eight jobs at once ----
mkdir "$dir/eight" && cd "$dir/eight"
per=250000
{
	echo "pipelines:"
	echo "  p:"
	echo "    tasks:"
	for i in 1 2 3 4 5 6 7 8; do
		echo "      j$i: {cmd: \"awk 'BEGIN { for (i = 0; i < $per; i++) printf \\\"metric m$i %d %d\\\\\\\\n\\\", i, i }' >&3\"}"
	done
} > mlwb.yaml
"$mlwb" init >/dev/null
MLWB_CPUS=8 "$mlwb" executor start >/dev/null
"$mlwb" run p >/dev/null
while [ "$(q "SELECT status FROM run WHERE id = 1")" != succeeded ]; do sleep 0.05; done
span=$(q "SELECT max(finished) - min(started) FROM task")
count=$(q "SELECT count(*) FROM metric")
locked=$(grep -c "locked" .mlwb/executor.log || true)
echo "2. eight jobs at once: $count of $((8 * per)) points stored in ${span} ms -> $(( count * 1000 / span )) points/s; 'database is locked' in the log: $locked"
"$mlwb" executor stop >/dev/null

# ---- 3. a 1,000-task DAG of no-ops ----
mkdir "$dir/dag" && cd "$dir/dag"
python3 - <<'PY'
layers, width = 10, 100
name = lambda l, i: f"t{l}_{i}"
with open("mlwb.yaml", "w") as y, open("Makefile", "w") as m, open("Snakefile", "w") as s:
    y.write("pipelines:\n  dag:\n    tasks:\n")
    m.write(".PHONY: all\nall: " + " ".join(name(layers - 1, i) for i in range(width)) + "\n")
    s.write("rule all:\n    input: [" + ", ".join(f'"s/{name(layers - 1, i)}"' for i in range(width)) + "]\n")
    for l in range(layers):
        for i in range(width):
            ups = [name(l - 1, i), name(l - 1, (i + 1) % width)] if l else []
            y.write(f"      {name(l, i)}: {{cmd: \"true\", needs: [{', '.join(ups)}]}}\n")
            m.write(f".PHONY: {name(l, i)}\n{name(l, i)}: {' '.join(ups)}\n\t@true\n")
            ins = ", ".join(f'"s/{u}"' for u in ups)
            s.write(f"rule {name(l, i)}:\n    input: [{ins}]\n    output: touch(\"s/{name(l, i)}\")\n    shell: \"true\"\n")
PY
"$mlwb" init >/dev/null
t0=$(now_ms); make -s -j2 >/dev/null; t_make=$(( $(now_ms) - t0 ))
"$mlwb" executor start >/dev/null
t0=$(now_ms); "$mlwb" run dag --wait 2>/dev/null >/dev/null; t_mlwb=$(( $(now_ms) - t0 ))
"$mlwb" executor stop >/dev/null
t0=$(now_ms); "$mlwb" run dag --wait 2>/dev/null >/dev/null; t_cold=$(( $(now_ms) - t0 ))
"$mlwb" executor stop >/dev/null
if command -v snakemake >/dev/null; then
	t0=$(now_ms); snakemake -j2 --quiet >/dev/null 2>&1; t_snake=$(( $(now_ms) - t0 ))
	snake="snakemake -j2 ${t_snake} ms (mlwb $(awk "BEGIN {printf \"%.1f\", $t_snake / $t_mlwb}")x faster)"
else
	snake="snakemake not installed"
fi
echo "3. 1000-task DAG of no-ops: make -j2 ${t_make} ms; mlwb ${t_mlwb} ms with the executor up ($(awk "BEGIN {printf \"%.2f\", $t_mlwb / $t_make}")x make), ${t_cold} ms starting it; $snake"

# ---- 4. latency from mlwb run to the first task ----
mkdir "$dir/latency" && cd "$dir/latency"
cat > mlwb.yaml <<'YAML'
pipelines:
  p:
    tasks:
      t: {cmd: "date +%s%3N > $MLWB_PROJECT/started"}
YAML
"$mlwb" init >/dev/null
"$mlwb" executor start >/dev/null
: > lat
for i in $(seq 1 21); do
	rm -f started
	t0=$(now_ms)
	"$mlwb" run p >/dev/null
	while [ ! -s started ]; do sleep 0.005; done
	echo $(( $(cat started) - t0 )) >> lat
done
echo "4. mlwb run -> first task's process, executor up: median $(median < lat) ms over 21 runs (min $(sort -n lat | head -1), max $(sort -n lat | tail -1))"
"$mlwb" executor stop >/dev/null
