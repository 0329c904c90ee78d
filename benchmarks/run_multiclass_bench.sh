#!/usr/bin/env bash
# Issue 15's multiclass figure in one run: bench_core's binary core (13 metrics, both
# models) and the multiclass task (K = 10, its 18 default figures, both models) side by
# side (N = 10^6, B = 1000, 1 and 2 threads, no groupings), and the scikit-learn peer
# (benchmarks/peer_multiclass.py, one thread, PEER_B resamples at the same N and K,
# normalised per row-resample), ROUNDS rounds, each configuration alternating binary /
# multiclass. Prints the load average of each round and the median wall and CPU time of each.
# usage: benchmarks/run_multiclass_bench.sh BUILD_DIR [ROUNDS] [PEER_B]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: run_multiclass_bench.sh BUILD_DIR [ROUNDS] [PEER_B]}
rounds=${2:-3}
peer_b=${3:-3}
declare -A wall cpu filter=([Binary]="groups:0" [Multiclass]="K:10")
for ((r = 0; r < rounds; ++r)); do
  echo "round $((r + 1)): load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for t in 1 2; do
    for task in Binary Multiclass; do
      read -r w u < <("$build/benchmarks/bench_core" \
        --benchmark_filter="BM_${task}PairedBootstrap/n:1000000/B:1000/threads:${t}/${filter[$task]}/" \
        --benchmark_format=json 2>/dev/null |
        python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(b["real_time"], b["cpu_time"])')
      echo "  $task, $t thread(s): wall $w s, CPU $u s"
      wall[$task/$t]="${wall[$task/$t]:-} $w"
      cpu[$task/$t]="${cpu[$task/$t]:-} $u"
    done
  done
  out=$(python3 benchmarks/peer_multiclass.py --n 1000000 --resamples "$peer_b")
  p=$(echo "$out" | sed -n 's/^scikit-learn loop (metrics only): \([0-9.]*\) s.*/\1/p')
  pc=$(echo "$out" | sed -n 's/.*(CPU \([0-9.]*\) s,.*/\1/p')
  echo "  peer: wall $p s, CPU $pc s"
  wall[peer]="${wall[peer]:-} $p"
  cpu[peer]="${cpu[peer]:-} $pc"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ns() { echo "$1 * 1000000000 / (1000000 * $2)" | bc -l; }  # seconds, B -> ns per row-resample
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| threads | binary wall (s) | binary CPU (s) | multiclass wall (s) | multiclass CPU (s) | ns per row-resample (binary / multiclass) | multiclass / binary (wall) | multiclass / binary (CPU) |"
echo "|---|---|---|---|---|---|---|---|"
for t in 1 2; do
  bw=$(echo "${wall[Binary/$t]}" | median); bc_=$(echo "${cpu[Binary/$t]}" | median)
  mw=$(echo "${wall[Multiclass/$t]}" | median); mc=$(echo "${cpu[Multiclass/$t]}" | median)
  printf '| %s | %.2f | %.2f | %.2f | %.2f | %.1f / %.1f | %.2f | %.2f |\n' "$t" "$bw" "$bc_" "$mw" "$mc" \
    "$(ns "$bw" 1000)" "$(ns "$mw" 1000)" "$(echo "$mw / $bw" | bc -l)" "$(echo "$mc / $bc_" | bc -l)"
done
pw=$(echo "${wall[peer]}" | median); pc=$(echo "${cpu[peer]}" | median)
m1=$(echo "${wall[Multiclass/1]}" | median); m1c=$(echo "${cpu[Multiclass/1]}" | median)
printf 'scikit-learn peer: N = 10^6, K = 10, B = %s, one thread: median %.2f s wall (%.0f ns per row-resample), %.2f s CPU (%.0f ns)\n' \
  "$peer_b" "$pw" "$(ns "$pw" "$peer_b")" "$pc" "$(ns "$pc" "$peer_b")"
printf 'peer / referee multiclass (one thread, per row-resample): %.0fx wall, %.0fx CPU\n' \
  "$(echo "$(ns "$pw" "$peer_b") / $(ns "$m1" 1000)" | bc -l)" "$(echo "$(ns "$pc" "$peer_b") / $(ns "$m1c" 1000)" | bc -l)"
for t in Binary Multiclass; do echo "$t runs (wall), 1 thread:${wall[$t/1]}; 2 threads:${wall[$t/2]}"; done
echo "peer runs (wall):${wall[peer]}"
