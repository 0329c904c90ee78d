#!/usr/bin/env bash
# Issue 15's outcome figure in one run: bench_core's binary core and outcome task side by
# side (N = 10^6, B = 1000, 1 and 2 threads, without and with the two segment columns),
# and the numpy peer (benchmarks/peer_outcome.py, one thread, PEER_B resamples at the same
# N, normalised per row-resample), ROUNDS rounds, each configuration alternating binary /
# outcome. Prints the load average of each round and the median wall and CPU time of each.
# usage: benchmarks/run_outcome_bench.sh BUILD_DIR [ROUNDS] [PEER_B]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: run_outcome_bench.sh BUILD_DIR [ROUNDS] [PEER_B]}
rounds=${2:-3}
peer_b=${3:-100}
configs=("1/0" "1/1" "2/0" "2/1")
declare -A wall cpu
for ((r = 0; r < rounds; ++r)); do
  echo "round $((r + 1)): load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for c in "${configs[@]}"; do
    for task in Binary Outcome; do
      read -r w u < <("$build/benchmarks/bench_core" \
        --benchmark_filter="BM_${task}PairedBootstrap/n:1000000/B:1000/threads:${c%/*}/groups:${c#*/}/" \
        --benchmark_format=json 2>/dev/null |
        python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(b["real_time"], b["cpu_time"])')
      wall[$task/$c]="${wall[$task/$c]:-} $w"
      cpu[$task/$c]="${cpu[$task/$c]:-} $u"
    done
  done
  p=$(python3 benchmarks/peer_outcome.py --n 1000000 --resamples "$peer_b" | sed -n 's/^numpy loop: \([0-9.]*\) s.*/\1/p')
  wall[peer]="${wall[peer]:-} $p"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| threads | groups | binary wall (s) | binary CPU (s) | outcome wall (s) | outcome CPU (s) | outcome / binary (wall) | outcome / binary (CPU) |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${configs[@]}"; do
  bw=$(echo "${wall[Binary/$c]}" | median); bc_=$(echo "${cpu[Binary/$c]}" | median)
  ow=$(echo "${wall[Outcome/$c]}" | median); oc=$(echo "${cpu[Outcome/$c]}" | median)
  printf '| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "${c%/*}" "${c#*/}" "$bw" "$bc_" "$ow" "$oc" \
    "$(echo "$ow / $bw" | bc -l)" "$(echo "$oc / $bc_" | bc -l)"
done
pw=$(echo "${wall[peer]}" | median)
printf 'numpy peer: N = 10^6, B = %s, one thread: median %.2f s, %.1f ns per row-resample (runs:%s)\n' \
  "$peer_b" "$pw" "$(echo "$pw * 1000000000 / (1000000 * $peer_b)" | bc -l)" "${wall[peer]}"
for t in Binary Outcome; do echo "$t 1-thread groups 0 runs (wall):${wall[$t/1/0]}"; done
