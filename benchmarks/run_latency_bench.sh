#!/usr/bin/env bash
# bench_latency and its numpy peer side by side, in one run, as a ratio.
# Usage: benchmarks/run_latency_bench.sh BUILD_DIR N B THREADS
set -euo pipefail
build=${1:-build-bench}
n=${2:-10000000}
b=${3:-100}
threads=${4:-1}
ours=$("$build/benchmarks/bench_latency" "$n" "$b" "$threads")
peer=$(python3 "$(dirname "$0")/peer_numpy_latency.py" "$n" "$b")
echo "$ours"
echo "$peer"
python3 - "$ours" "$peer" <<'PY'
import re, sys
ns = [float(re.search(r"([0-9.]+) ns per sample", text).group(1)) for text in sys.argv[1:3]]
print(f"numpy / referee: {ns[1] / ns[0]:.1f}x")
PY
