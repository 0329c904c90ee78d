#!/usr/bin/env bash
# bench_core before and after a change, side by side in one run: builds bench_core at REV
# (in a temporary worktree) and at the working tree, then runs the two binaries in turn,
# ROUNDS times, each configuration alternating, and prints the median wall time of each
# with the after/before ratio. Run it on an idle machine.
# usage: benchmarks/compare_core.sh REV [ROUNDS] [BUILD_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: compare_core.sh REV [ROUNDS] [BUILD_ROOT]}
rounds=${2:-3}
root=${3:-/tmp/referee-compare}
mkdir -p "$root"
build() {  # SOURCE BUILD_DIR
  cmake -S "$1" -B "$2" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREFEREE_BUILD_BENCHMARKS=ON \
    -DREFEREE_BUILD_TESTS=OFF -DREFEREE_BUILD_CLI=OFF -DREFEREE_BUILD_C_API=OFF -DREFEREE_INSTALL=OFF >/dev/null
  cmake --build "$2" --target bench_core >/dev/null
}
if [ ! -x "$root/before/benchmarks/bench_core" ]; then
  rm -rf "$root/src-before"
  git worktree add -f --detach "$root/src-before" "$rev" >/dev/null
  build "$root/src-before" "$root/before"
  git worktree remove --force "$root/src-before"
fi
build . "$root/after"

configs=("1000000/1000/1/0" "1000000/1000/1/1" "1000000/1000/2/0" "1000000/1000/2/1")
declare -A seconds
for ((r = 0; r < rounds; ++r)); do
  for c in "${configs[@]}"; do
    for side in before after; do
      t=$("$root/$side/benchmarks/bench_core" --benchmark_filter="BM_BinaryPairedBootstrap/n:${c%%/*}/B:$(echo "$c" | cut -d/ -f2)/threads:$(echo "$c" | cut -d/ -f3)/groups:${c##*/}/" \
            --benchmark_format=json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["benchmarks"][0]["real_time"])')
      seconds[$side/$c]="${seconds[$side/$c]:-} $t"
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| n | B | threads | groups | before (s) | after (s) | after / before |"
echo "|---|---|---|---|---|---|---|"
for c in "${configs[@]}"; do
  b=$(echo "${seconds[before/$c]}" | median)
  a=$(echo "${seconds[after/$c]}" | median)
  IFS=/ read -r n B th g <<<"$c"
  printf '| %s | %s | %s | %s | %.2f | %.2f | %.3f |\n' "$n" "$B" "$th" "$g" "$b" "$a" "$(echo "$a / $b" | bc -l)"
done
