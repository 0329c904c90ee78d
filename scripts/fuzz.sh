#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz, docs/fuzzing.md) with Clang in build-fuzz
# and runs each for SECONDS (default 60), as many at once as there are cores, on a copy
# of its committed seed corpus, after replaying its regressions/ inputs once. Fails on any crash, leak, timeout or broken
# invariant, and leaves the reproducer in build-fuzz/artifacts/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 600 fuzz_policy
# One line per target: target, seconds, exec count (libFuzzer's "Done N runs"), corpus
# size after the run, result. The repository is never written: the corpus is copied to a
# temporary directory, which is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all_targets=(fuzz_csv_reader fuzz_cell_number fuzz_policy fuzz_policy_cases)
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target $t (${all_targets[*]})" >&2; exit 64; }
done

# The dictionary of each target's input format.
dictionary_of() {
  case "$1" in
    fuzz_csv_reader) echo tests/fuzz/dict/csv.dict ;;
    fuzz_cell_number) echo tests/fuzz/dict/number.dict ;;
    fuzz_policy) echo tests/fuzz/dict/policy.dict ;;
    fuzz_policy_cases) echo tests/fuzz/dict/cases.dict ;;
  esac
}

# Only the harnesses and the library they link: no CLI, C API, tests or install rules.
# -O1 -g1: the sanitizers' usual setting, with line tables for their stack traces.
CC=${FUZZ_CC:-clang} CXX=${FUZZ_CXX:-clang++} cmake -S . -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DREFEREE_FUZZ=ON -DREFEREE_WERROR=ON -DREFEREE_BUILD_TESTS=OFF -DREFEREE_BUILD_CLI=OFF \
  -DREFEREE_BUILD_C_API=OFF -DREFEREE_INSTALL=OFF -DREFEREE_BUILD_PYTHON=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/referee-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$PWD/build-fuzz/artifacts
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: its regressions replayed, then fuzzed; its table line goes to $work/$t.line
# and its diagnostics to $work/$t.err, printed in target order once all have run.
run_target() {
  local t=$1 bin=build-fuzz/tests/fuzz/$1 dict log=$work/$1.log result=ok execs corpus
  dict=$(dictionary_of "$t")
  # Past crashes first, each input run once (a file argument is replayed, not fuzzed).
  mapfile -t regressions < <(find "tests/fuzz/regressions/$t" -type f ! -name README.md 2>/dev/null | sort)
  if [ "${#regressions[@]}" -gt 0 ] && ! "$bin" "${regressions[@]}" >"$work/$t.regressions.log" 2>&1; then
    result="FAILED on a regression input"
    tail -n 40 "$work/$t.regressions.log" >>"$work/$t.err"
  fi
  mkdir -p "$work/$t"
  cp -r "tests/fuzz/corpus/$t/." "$work/$t/"
  if [ "$result" = ok ] && ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -dict="$dict" -print_final_stats=1 -artifact_prefix="$artifacts/$t-" "$work/$t" >"$log" 2>&1; then
    result="CRASHED (reproducer in build-fuzz/artifacts/$t-*)"
    { grep -E "ERROR|invariant broken|\*\*\*|SUMMARY" "$log" | head -n 20 || true; tail -n 40 "$log"; } >>"$work/$t.err"
  fi
  execs=$({ sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" 2>/dev/null || true; } | tail -n 1)
  corpus=$(find "$work/$t" -type f | wc -l)
  printf '%-18s %8s %12s %8s  %s\n' "$t" "$seconds" "${execs:--}" "$corpus" "$result" >"$work/$t.line"
}

# libFuzzer runs one process per target, so the targets share the cores: as many at a time
# as there are cores (FUZZ_JOBS), each still fuzzed for the full SECONDS.
parallel=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then wait -n || true; running=$((running - 1)); fi
  run_target "$t" &
  running=$((running + 1))
done
wait || true

failed=0
printf '%-18s %8s %12s %8s  %s\n' target seconds execs corpus result
for t in "${targets[@]}"; do
  [ -s "$work/$t.err" ] && cat "$work/$t.err" >&2
  if [ -s "$work/$t.line" ]; then cat "$work/$t.line"; else printf '%-18s %8s %12s %8s  %s\n' "$t" "$seconds" - - "DID NOT FINISH"; fi
  grep -q ' ok$' "$work/$t.line" 2>/dev/null || failed=1
done
exit "$failed"
