#!/usr/bin/env bash
# Issue 15's ranking figure in one run: bench_core's binary core and ranking task side by
# side (N = 10^6 rows, the ranking task as 10^5 queries x 10 documents, B = 1000, 1 and 2
# threads, without and with two segment columns) and the peer, ranx.compare with Fisher's
# randomization test (benchmarks/peer_ranking.py, one numba thread, PEER_PERMUTATIONS
# permutations at the same size). ROUNDS rounds, binary and ranking alternating within
# each; prints the load average of each round and the medians of wall and CPU time.
# usage: benchmarks/run_ranking_bench.sh BUILD_DIR [ROUNDS] [PEER_PERMUTATIONS] [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: run_ranking_bench.sh BUILD_DIR [ROUNDS] [PEER_PERMUTATIONS] [PYTHON]}
rounds=${2:-3}
permutations=${3:-1000}
python=${4:-python3}
configs=("1/0" "1/1" "2/0" "2/1")
declare -A wall cpu
time_of() {  # prints "wall cpu" of one bench_core configuration
  "$build/benchmarks/bench_core" --benchmark_filter="BM_${1}PairedBootstrap/n:1000000/B:1000/threads:${2%/*}/groups:${2#*/}/" \
    --benchmark_format=json 2>/dev/null |
    python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(b["real_time"], b["cpu_time"])'
}
for ((r = 0; r < rounds; ++r)); do
  echo "round $((r + 1)): load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for c in "${configs[@]}"; do
    for task in Binary Ranking; do
      read -r w u < <(time_of "$task" "$c")
      wall[$task/$c]="${wall[$task/$c]:-} $w"
      cpu[$task/$c]="${cpu[$task/$c]:-} $u"
    done
  done
  p=$(NUMBA_NUM_THREADS=1 "$python" benchmarks/peer_ranking.py --permutations "$permutations" |
    sed -n 's/^ranx.compare: \([0-9.]*\) s.*/\1/p')
  wall[peer]="${wall[peer]:-} $p"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| threads | groups | binary wall (s) | binary CPU (s) | ranking wall (s) | ranking CPU (s) | ranking / binary (wall) | ranking / binary (CPU) |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${configs[@]}"; do
  bw=$(echo "${wall[Binary/$c]}" | median); bu=$(echo "${cpu[Binary/$c]}" | median)
  rw=$(echo "${wall[Ranking/$c]}" | median); ru=$(echo "${cpu[Ranking/$c]}" | median)
  printf '| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "${c%/*}" "${c#*/}" "$bw" "$bu" "$rw" "$ru" \
    "$(echo "$rw / $bw" | bc -l)" "$(echo "$ru / $bu" | bc -l)"
done
pw=$(echo "${wall[peer]}" | median)
printf 'ranx peer: 10^5 queries x 10 documents, %s permutations, one thread: median %.2f s, %.1f ns per row-resample (runs:%s)\n' \
  "$permutations" "$pw" "$(echo "$pw * 1000000000 / (1000000 * $permutations)" | bc -l)" "${wall[peer]}"
for t in Binary Ranking; do echo "$t 1-thread groups 0 runs (wall):${wall[$t/1/0]}"; done
